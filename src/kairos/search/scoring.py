"""A policy's logits at one unpacked state, computed as search computes them.

One place decides how a policy is evaluated outside the kernel's loop: its
``state_logits`` hook where it has one (the uniform policy, the feature model:
no compiled form needed), else the kernel's own function on the bound compiled
policy (context models), else its batched ``log_probs`` on the packed state
(networks). The pure-Python search and path coding both use it, so a path's
code length equals the search's ``-solution_log_prob`` exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kairos.domains.base import Domain, compiled_form
from kairos.errors import ValidationError
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy


class StateScorer:
    """Unnormalised log π(·|s) of ``policy`` on states of ``domain``.

    Raises
    ------
    ValidationError
        The policy needs a compiled form (it has no ``state_logits``) and the
        domain has none.
    """

    def __init__(self, domain: Domain, policy: Policy | None):
        self.domain = domain
        self.policy = policy or UniformPolicy()
        self.num_actions = len(domain.action_names)
        self._hook = getattr(self.policy, "state_logits", None)
        self._cpol = None
        if self._hook is not None:
            return
        self.compiled = compiled_form(domain)
        if self.compiled is None:
            raise ValidationError(
                "policy",
                f"{domain.name}: policy {self.policy.name!r} scores packed states, and this "
                "domain has no compiled form; use a feature model (a domain with "
                "features(state)) or the uniform policy",
            )
        if self.policy.compiled is not None:
            bind = getattr(self.policy, "bind", None)
            self._cpol = bind(domain) if bind is not None else self.policy.compiled

    def logits(self, state: Any, last_action: int) -> np.ndarray:
        """Shape (num_actions,), float64; only the legal actions' entries matter."""
        if self._hook is not None:
            return np.asarray(self._hook(self.domain, state, last_action), dtype=np.float64)
        row = np.asarray(self.domain.pack(state), dtype=np.uint64)
        if self._cpol is not None:
            from kairos.search import kernel as K

            out = np.empty(self.num_actions, dtype=np.float64)
            K._policy_logits(self._cpol.kind, self._cpol.int_params, self._cpol.weights,
                             row, last_action, out)  # fmt: skip
            return out
        batch = self.policy.log_probs(
            row[None, :], np.array([last_action], np.int64), self.compiled
        )
        return np.asarray(batch, dtype=np.float64).reshape(-1)[: self.num_actions]
