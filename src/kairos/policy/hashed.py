"""A deterministic pseudo-random policy, keyed by a hash of the state.

Useful for tests of the LTS guarantee and of the batched (neural-style) path:
it is Markovian (the same state always gets the same distribution), so the
state cut stays valid, and it runs in Python like a neural policy would.
"""

from __future__ import annotations

import numpy as np

from kairos.domains.base import CompiledDomain


class HashedRandomPolicy:
    """Logits ``temperature * N(0,1)`` drawn from a generator seeded by (seed, state)."""

    compiled = None

    def __init__(self, *, seed: int, temperature: float = 2.0):
        self.seed, self.temperature = seed, temperature
        self.name = f"hashed-random(seed={seed})"

    def log_probs(
        self, states: np.ndarray, last_actions: np.ndarray, domain: CompiledDomain
    ) -> np.ndarray:
        num_actions = domain.neighbours.shape[1]
        out = np.empty((len(states), num_actions), dtype=np.float64)
        for i, row in enumerate(states):
            rng = np.random.default_rng([self.seed, *(int(w) for w in row)])
            out[i] = self.temperature * rng.standard_normal(num_actions)
        return out
