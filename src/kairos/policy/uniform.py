"""The uniform policy: every legal action equally likely."""

from __future__ import annotations

import numpy as np

from kairos.domains.base import CompiledDomain
from kairos.policy.base import POLICY_KIND_UNIFORM, CompiledPolicy


class UniformPolicy:
    """π(a|s) = 1/|legal(s)|, evaluated inside the compiled kernel."""

    name = "uniform"

    def __init__(self) -> None:
        self.compiled = CompiledPolicy(
            POLICY_KIND_UNIFORM, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.float64)
        )

    def state_logits(self, domain, state, last_action: int) -> np.ndarray:
        """Equal logits for every action, for the pure-Python search (no packing needed)."""
        return np.zeros(len(domain.action_names), dtype=np.float64)

    def log_probs(
        self, states: np.ndarray, last_actions: np.ndarray, domain: CompiledDomain
    ) -> np.ndarray:
        return np.zeros((len(states), domain.neighbours.shape[1]), dtype=np.float64)
