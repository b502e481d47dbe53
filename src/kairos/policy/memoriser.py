"""A prior indexed by the full state: it stores solutions and cannot generalise.

:class:`MemoriserPolicy` keeps, for every state on a memorised solution path,
the action the path took there (keyed by the packed state, so two problems
meet in one entry only where they reach the very same board). On a stored
state the stored action gets logit ``strength_nats`` and the others 0; on any
other state every action gets 0, i.e. the uniform prior. It is the top of the
capacity scale in ``bench/savant.py``: unbounded rows, no sharing between
states that differ in a single tile.

It has no compiled form, so the compiled kernel runs it through the batched
path (``compiled = None``, :meth:`log_probs`), like a network; it has no
``state_logits``, so search does not fall back to the pure-Python engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kairos.domains.base import CompiledDomain
from kairos.errors import ValidationError

DEFAULT_STRENGTH_NATS = 20.0  # π(stored action) ≈ 1 − 3·e⁻²⁰: a stored path costs ~0 bits


class MemoriserPolicy:
    """State → action lookup table over packed states.

    Parameters
    ----------
    strength_nats : float
        Logit of the stored action on a stored state (the others get 0); > 0.
    """

    compiled = None

    def __init__(self, *, strength_nats: float = DEFAULT_STRENGTH_NATS):
        if not strength_nats > 0:
            raise ValidationError("strength_nats", f"got {strength_nats}, expected > 0")
        self.strength_nats = float(strength_nats)
        self.table: dict[bytes, int] = {}
        self.name = "memoriser"

    @property
    def num_entries(self) -> int:
        """Number of stored states (the table's size; it grows with the data)."""
        return len(self.table)

    def memorise(self, problems: Sequence[Any], solutions: Sequence[Sequence[int]]) -> int:
        """Store the action each solution takes at each state on its path.

        Parameters
        ----------
        problems : sequence of Domain
            Instances with ``pack`` (a compiled form).
        solutions : sequence of sequence of int
            The action path solving each problem.

        Returns
        -------
        int
            Entries added (a state already stored keeps its first action).
        """
        added = 0
        for problem, actions in zip(problems, solutions, strict=True):
            state = problem.initial_state()
            for a in actions:
                key = np.asarray(problem.pack(state), dtype=np.uint64).tobytes()
                if key not in self.table:
                    self.table[key] = int(a)
                    added += 1
                state = problem.step(state, int(a))
        return added

    def log_probs(
        self, states: np.ndarray, last_actions: np.ndarray, domain: CompiledDomain
    ) -> np.ndarray:
        """Logits, shape (n, num_actions): ``strength_nats`` on a stored action, else 0."""
        num_actions = domain.neighbours.shape[1]
        out = np.zeros((len(states), num_actions), dtype=np.float64)
        states = np.ascontiguousarray(states, dtype=np.uint64)
        for i in range(len(states)):
            action = self.table.get(states[i].tobytes())
            if action is not None:
                out[i, action] = self.strength_nats
        return out
