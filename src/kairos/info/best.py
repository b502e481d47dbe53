"""The ``best`` compressor: the better of ``cm`` and ``nn`` for each file, never worse than ``cm``.

Both models code the whole input; the shorter stream is kept. When ``cm``
wins, the stream *is* the ``cm`` stream, byte for byte, so ``mix`` is never
longer than ``cm`` on any input. When ``nn`` wins, the stream is a marker byte
(:data:`NN_MARKER`, a value no ``cm`` stream starts with) followed by the
``nn`` stream, which carries its platform fingerprint.

This is a per-file choice, not a probability-level mixture (that is ``mix``,
:mod:`kairos.info.mix`). Until cm model v5 this choice was called ``mix``; a
``.kz`` file from then names model ``mix`` with ``cm`` and ``nn`` params, and
``mix`` hands such a file to this class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kairos.errors import CorruptFileError
from kairos.info.cm import CMCompressor
from kairos.info.nn import NNCompressor, platform_fingerprint

NN_MARKER = 0xFF  # cm streams start with 0 (stored) or the cm model version


@dataclass(frozen=True)
class BestOfCompressor:
    """Per-file choice between :class:`CMCompressor` and :class:`NNCompressor`."""

    cm: CMCompressor = field(default_factory=CMCompressor)
    nn: NNCompressor = field(default_factory=NNCompressor)
    name: str = "best"

    @classmethod
    def from_params(cls, cm: dict | None = None, nn: dict | None = None) -> BestOfCompressor:
        """Build from the ``params()`` dict recorded in a ``.kz`` header."""
        return cls(CMCompressor(**(cm or {})), NNCompressor(**(nn or {})))

    def params(self) -> dict:
        return {"cm": self.cm.params(), "nn": self.nn.params()}

    def extra_header(self) -> dict:
        """The platform fingerprint, needed to decode the file if ``nn`` won."""
        return {"platform": platform_fingerprint()}

    def choose(self, data: bytes) -> tuple[str, bytes]:
        """Compress with both models; return (winner, stream)."""
        cm_stream = self.cm.compress(data)
        nn_stream = bytes([NN_MARKER]) + self.nn.compress(data)
        if len(nn_stream) < len(cm_stream):
            return "nn", nn_stream
        return "cm", cm_stream

    def compress(self, data: bytes) -> bytes:
        return self.choose(data)[1]

    def code_length(self, data: bytes) -> float:
        """The shorter ideal code length of the two models (+8 bits if ``nn`` wins)."""
        return min(self.cm.code_length(data), 8 + self.nn.code_length(data))

    def decompress(self, stream: bytes, max_bytes: int | None = None) -> bytes:
        if not stream:
            raise CorruptFileError(None, "best stream is empty")
        if stream[0] == NN_MARKER:
            return self.nn.decompress(stream[1:], max_bytes)
        return self.cm.decompress(stream, max_bytes)
