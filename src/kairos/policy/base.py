"""The ``Policy`` protocol: action log-probabilities for a batch of states.

Two ways to run a policy inside search, one algorithm:

* a *compiled* policy (``compiled`` is a :class:`CompiledPolicy`) is evaluated
  inside the numba search kernel, node by node (uniform; context models);
* any other policy (e.g. a torch network) has ``compiled = None``; the kernel
  then pops a batch of frontier nodes, returns to Python, the policy scores the
  whole batch with one :meth:`Policy.log_probs` call, and the kernel resumes by
  expanding that batch (LTS with neural networks, Orseau et al. 2018).

Log-probabilities may be unnormalised: search renormalises them over the
legal actions of each state, so a policy never needs to know legality.

A policy may also score one unpacked state, ``state_logits(domain, state,
last_action) -> ndarray of shape (num_actions,)``: the pure-Python search
(:mod:`kairos.search.reference`) and path coding (:mod:`kairos.search.paths`)
use it where present, so it works on domains with no compiled form. A policy
with ``compiled = None`` and ``state_logits`` (the feature model,
:mod:`kairos.policy.features`) is run by the pure-Python search only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from kairos.domains.base import CompiledDomain

POLICY_KIND_UNIFORM = 0
POLICY_KIND_CM = 1  # context model, kairos.policy.contexts.cm_logits


@dataclass(frozen=True)
class CompiledPolicy:
    """Flat arrays a compiled policy needs inside the kernel.

    Attributes
    ----------
    kind : int
        ``POLICY_KIND_*``; the kernel dispatches on it.
    int_params : ndarray of int64, shape (k,)
    weights : ndarray of float64, shape (m,)
    """

    kind: int
    int_params: np.ndarray
    weights: np.ndarray


@runtime_checkable
class Policy(Protocol):
    """Scores the actions of a batch of packed states."""

    name: str
    compiled: CompiledPolicy | None

    def log_probs(
        self, states: np.ndarray, last_actions: np.ndarray, domain: CompiledDomain
    ) -> np.ndarray:
        """Action log-probabilities (unnormalised allowed).

        Parameters
        ----------
        states : ndarray of uint64, shape (n, num_words)
            Packed states (see :class:`~kairos.domains.base.CompiledDomain`).
        last_actions : ndarray of int64, shape (n,)
            Action that led to each state, -1 at the root.
        domain : CompiledDomain
            The instance the states belong to.

        Returns
        -------
        ndarray of float64, shape (n, num_actions)
        """
