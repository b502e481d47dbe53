"""The context-model policy π(a|s) ∝ exp(Σ_{c active in s} β[c, a]), mixed with uniform.

β lives in a hashed table of ``2**log2_rows`` rows × 4 actions (a flat float64
array inside the search kernel, ``POLICY_KIND_CM``). The per-instance context
tables are bound when search starts (:meth:`ContextModelPolicy.bind`). Policy
files store only the rows that differ from zero, so a file holds what was
learnt, not the table size.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kairos.domains.base import DOMAIN_KINDS, compiled_form
from kairos.errors import MismatchError, ValidationError
from kairos.fields import require_float, require_int
from kairos.policy.base import POLICY_KIND_CM, CompiledPolicy
from kairos.policy.contexts import NUM_ACTIONS, SPECS, ContextSpec, bind

DEFAULT_EPSILON = 1e-3  # uniform mixing weight (Orseau, Hutter, Lelis 2023)
KIND = "cm"


class ContextModelPolicy:
    """A context model over one domain's contexts.

    Parameters
    ----------
    domain : str
        ``sokoban`` or ``stp``.
    spec : ContextSpec, optional
        The domain's default (:data:`kairos.policy.contexts.SPECS`) if omitted.
    beta : ndarray of float64, shape (2**spec.log2_rows, 4), optional
        Zeros (the uniform policy) if omitted.
    epsilon : float
        Weight of the uniform mixture, in [0, 1).
    seed : int
        Hash seed of the contexts.
    """

    def __init__(
        self,
        domain: str,
        *,
        spec: ContextSpec | None = None,
        beta: np.ndarray | None = None,
        epsilon: float = DEFAULT_EPSILON,
        seed: int = 0,
    ):
        if domain not in SPECS:
            raise ValidationError("domain", f"got {domain!r}, expected one of {sorted(SPECS)}")
        if not 0.0 <= epsilon < 1.0:
            raise ValidationError("epsilon", f"got {epsilon}, expected 0 <= epsilon < 1")
        self.domain = domain
        self.spec = spec or SPECS[domain]()
        rows = 1 << self.spec.log2_rows
        # weights[0] is epsilon, weights[1:] is beta flattened: the kernel's layout
        self.weights = np.zeros(1 + rows * NUM_ACTIONS, dtype=np.float64)
        self.weights[0] = epsilon
        if beta is not None:
            if beta.shape != (rows, NUM_ACTIONS):
                raise ValidationError(
                    "beta", f"shape {beta.shape}, expected ({rows}, {NUM_ACTIONS})"
                )
            self.weights[1:] = beta.ravel()
        self.epsilon = float(epsilon)
        self.seed = int(seed)
        self.name = f"cm-{domain}"
        self.compiled = CompiledPolicy(POLICY_KIND_CM, np.zeros(1, np.int64), self.weights)

    @property
    def beta(self) -> np.ndarray:
        """View of the weights, shape (2**log2_rows, 4)."""
        return self.weights[1:].reshape(-1, NUM_ACTIONS)

    def bind(self, domain: Any) -> CompiledPolicy:
        """The compiled policy for one problem instance (its context tables).

        Raises
        ------
        MismatchError
            ``domain`` is not an instance of the domain this policy was made for.
        """
        compiled = compiled_form(domain)
        if compiled is None or compiled.kind != DOMAIN_KINDS[self.domain]:
            raise MismatchError(
                None,
                f"context model for {self.domain!r} cannot guide a {type(domain).__name__} "
                f"problem ({getattr(domain, 'name', '?')}); train one for that domain",
            )
        return CompiledPolicy(
            POLICY_KIND_CM, bind(self.spec, compiled, seed=self.seed), self.weights
        )

    def log_probs(self, states: np.ndarray, last_actions: np.ndarray, domain: Any) -> np.ndarray:
        """Log-probabilities for a batch (the batched path; search uses the compiled one).

        ``domain`` is the problem or its :class:`~kairos.domains.base.CompiledDomain`.
        """
        from kairos.policy.contexts import cm_logits

        pint = self.bind(domain).int_params
        out = np.empty((len(states), NUM_ACTIONS), dtype=np.float64)
        for i in range(len(states)):
            cm_logits(pint, self.weights, states[i], int(last_actions[i]), out[i])
        return out

    def trajectories(self, problems, solutions):
        """Context rows along solution paths, for :func:`kairos.policy.loss.fit`.

        Parameters
        ----------
        problems : sequence of Domain
            Instances of this policy's domain (with ``pack`` and ``compile``).
        solutions : sequence of sequence of int
            The action path solving each problem.

        Returns
        -------
        Trajectories
        """
        from kairos.policy.contexts import trajectory_contexts
        from kairos.policy.loss import Trajectories

        parts = []
        for problem, actions in zip(problems, solutions, strict=True):
            actions = np.asarray(actions, np.int64)
            if len(actions) == 0:
                continue  # solved at the root: nothing to learn
            state = problem.initial_state()
            packed = [problem.pack(state)]
            for a in actions[:-1]:
                state = problem.step(state, int(a))
                packed.append(problem.pack(state))
            states = np.stack(packed)
            last = np.concatenate([[-1], actions[:-1]]).astype(np.int64)
            pint = self.bind(problem).int_params
            rows = np.empty((len(actions), self.spec.num_patterns), np.int64)
            legal = np.empty((len(actions), NUM_ACTIONS), np.bool_)
            trajectory_contexts(pint, states, last, rows, legal)
            parts.append(Trajectories(rows, legal, actions, np.array([0, len(actions)], np.int64)))
        return Trajectories.concat(parts)

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Atomically write a ``.kpol`` file holding the non-zero rows of β."""
        from kairos.policy.files import save_policy

        beta = self.beta
        rows = np.flatnonzero(np.any(beta != 0.0, axis=1))
        with np.errstate(over="ignore"):  # too large for float32: the file check refuses it
            values = beta[rows].astype(np.float32)
        save_policy(
            path,
            KIND,
            self.domain,
            {"contexts": self.spec.to_json(), "epsilon": self.epsilon, "seed": self.seed},
            {"rows": rows.astype(np.int64), "values": values},
        )


def check_cm(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> ContextSpec:
    """Check a context model's file fields; returns its :class:`ContextSpec`.

    Run when a policy file is read and before one is written, so a diverged
    training run cannot write, and a crafted file cannot feed the kernel,
    offsets outside the radius, a table too big to allocate or weights that
    are not finite (a NaN weight makes every action -inf: search gives up).

    Raises
    ------
    ValidationError
        Naming the first bad field.
    """
    if spec.get("domain") not in SPECS:
        raise ValidationError(
            "domain", f"got {spec.get('domain')!r:.40}, expected one of {sorted(SPECS)}"
        )
    cspec = ContextSpec.from_json(spec.get("contexts"), "spec.contexts")
    require_float("spec.epsilon", spec.get("epsilon"), lo=0.0, hi=1.0, hi_open=True)
    require_int("spec.seed", spec.get("seed"), lo=0, hi=2**63 - 1)
    from kairos.policy.files import check_sparse_table

    check_sparse_table(arrays, 1 << cspec.log2_rows, NUM_ACTIONS)
    return cspec


def load_cm(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> ContextModelPolicy:
    """Build a :class:`ContextModelPolicy` from a policy file's spec and arrays (checked first)."""
    cspec = check_cm(spec, arrays)
    beta = np.zeros((1 << cspec.log2_rows, NUM_ACTIONS), np.float64)
    beta[arrays["rows"]] = arrays["values"]
    return ContextModelPolicy(
        spec["domain"],
        spec=cspec,
        beta=beta,
        epsilon=float(spec["epsilon"]),
        seed=int(spec["seed"]),
    )
