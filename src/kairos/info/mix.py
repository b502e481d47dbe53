"""The ``mix`` compressor: ``cm``'s context mixing with a neural net inside the mixer.

A real probability-level mixture: every bit's prediction mixes the ``cm``
contexts' predictions with the logit of a small recurrent network (hashed
context embeddings, 32 tanh units, one output vector per node of the byte's
bit tree), trained online on the same bits as it codes (prequentially), all in
integer arithmetic inside the ``cm`` kernel (``cm_kernel.FEATURE_NEURAL``).
Since cm model v9 ``mix`` is the max level: it also uses the components
that cost the default level too much time (:data:`kairos.info.cm.MAX_COMPONENTS`:
a mixer weight set chosen by the word's hash, three more match models,
from v10 to v19 a learned mixture of the predictors' probabilities (the
default level's too since v20), and a byte-level
LSTM's bit logits, :mod:`kairos.info.lstm_kernel`, in float32 arithmetic whose
every operation is an IEEE add, multiply, divide or square root in a fixed
order; since v21 its likeliest next byte also chooses a mixer weight set, and its
prediction enters the final layers; since v22 a second LSTM with a shorter horizon
is one more input, and since v23 both sit out images). So ``mix`` decodes identically on any IEEE-754 machine, like ``cm``,
and costs the time of ``cm`` plus the nets and those components. The stream is a ``cm`` stream
whose features field names them.

A ``.kz`` file made before cm model v5, when ``mix`` meant the per-file choice
between ``cm`` and ``nn`` (now ``best``), names ``mix`` with ``cm`` and ``nn``
params; :meth:`MixCompressor.from_params` hands it to that class.
"""

from __future__ import annotations

from dataclasses import dataclass

from kairos.info.cm import CMCompressor


@dataclass(frozen=True)
class MixCompressor(CMCompressor):
    """``cm`` with a neural net's prediction as one more mixer input.

    Parameters
    ----------
    max_table_bits, disable
        As for :class:`~kairos.info.cm.CMCompressor` (``disable`` also takes
        the names in :data:`~kairos.info.cm.MAX_LEVEL_ABLATIONS`: the max
        level's components, and ``"neural"``, its neural input alone).
    """

    neural: bool = True
    name: str = "mix"

    @classmethod
    def from_params(cls, **params):
        """Build from the ``params()`` dict recorded in a ``.kz`` header."""
        if "cm" in params or "nn" in params:  # a file of the per-file choice (now ``best``)
            from kairos.info.best import BestOfCompressor

            return BestOfCompressor.from_params(**params)
        return cls(**params)
