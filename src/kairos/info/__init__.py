"""Information: compressors, range coding, prequential code lengths, C(y|x), NCD.

A predictor is a compressor: the code length of a string under an online
model is how much the model failed to anticipate it. See ``docs/info.md``.
"""

from kairos.info.compressor import COMPRESSORS, Compressor, make_compressor

__all__ = ["COMPRESSORS", "Compressor", "make_compressor"]
