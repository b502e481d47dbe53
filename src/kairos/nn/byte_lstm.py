"""A small byte-level LSTM language model: stepped one byte at a time, trained on segments.

Used by the ``nn`` compressor (:mod:`kairos.info.nn`) for prequential coding:
the model predicts the next byte of several interleaved streams at once
(:meth:`ByteLSTM.step`, one byte per stream, as the decoder must), and is
trained online on the segment it has just coded (:meth:`ByteLSTM.sequence`,
the same weights run over the whole segment at once). Encoder and decoder make
the same calls in the same order, so their arithmetic is identical.

Example
-------
>>> import torch
>>> model = ByteLSTM(hidden=32, embed=8, generator=torch.Generator().manual_seed(0))
>>> state = model.initial_state(batch=2)
>>> logits, state = model.step(torch.tensor([65, 66]), state)
>>> tuple(logits.shape)
(2, 256)
"""

from __future__ import annotations

import torch
from torch import nn


class ByteLSTM(nn.Module):
    """Embedding -> one-layer LSTM -> linear head over 256 byte values.

    Parameters
    ----------
    hidden : int
        LSTM units.
    embed : int
        Width of the byte embedding.
    generator : torch.Generator
        Source of the initial weights (seeded, so encoder and decoder agree).
    """

    def __init__(self, hidden: int, embed: int, generator: torch.Generator):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(256, embed)
        self.lstm = nn.LSTM(embed, hidden)
        self.head = nn.Linear(hidden, 256)
        with torch.no_grad():
            for param in self.parameters():
                bound = 1.0 / hidden**0.5
                param.copy_(torch.rand(param.shape, generator=generator) * 2 * bound - bound)
            self.embed.weight.mul_(hidden**0.5 / 4)

    def initial_state(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero hidden and cell state for ``batch`` streams."""
        zeros = torch.zeros(batch, self.hidden)
        return zeros, zeros.clone()

    def step(
        self, prev_bytes: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits of the next byte of each stream, given each stream's previous byte.

        Parameters
        ----------
        prev_bytes : int64 tensor of shape (batch,)
        state : (h, c), each of shape (batch, hidden)

        Returns
        -------
        logits : float tensor of shape (batch, 256)
        state : the new (h, c)
        """
        out, (h, c) = self.lstm(self.embed(prev_bytes)[None], (state[0][None], state[1][None]))
        return self.head(out[0]), (h[0], c[0])

    def sequence(
        self, prev_bytes: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> torch.Tensor:
        """Logits at every step of a segment, shape (steps, batch, 256).

        Parameters
        ----------
        prev_bytes : int64 tensor of shape (steps, batch)
            The byte before each predicted one.
        state : (h, c) at the start of the segment, each (batch, hidden)
        """
        out, _ = self.lstm(self.embed(prev_bytes), (state[0][None], state[1][None]))
        return self.head(out)
