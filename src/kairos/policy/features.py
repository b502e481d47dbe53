"""A context model over a domain's own integer features, for domains with no compiled form.

A domain that provides ``features(state) -> Sequence[int]`` (the same number
F of features for every state of an instance) gets a learnable policy with no
tile layout and no compiled kernel: feature ``k`` with value ``v`` selects the
row ``mix64(seed, k, v) mod 2**log2_rows`` of a hashed table β of
``num_actions`` columns, so each (feature, action) pair has its own weight;
one more row holds the last action. With z_a(s) = Σ_rows β[row, a],

    π(a|s) = (1−ε)·softmax over legal a of z(s) + ε/|legal(s)|,

the same form as the tile context model (:mod:`kairos.policy.cm`), trained by
the same objectives (:func:`kairos.policy.loss.fit`). It is evaluated state by
state (:meth:`FeatureModelPolicy.state_logits`), so search runs it through the
pure-Python search (:mod:`kairos.search.reference`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kairos.errors import MismatchError, ValidationError

KIND = "features"
DEFAULT_LOG2_ROWS = 16
DEFAULT_EPSILON = 1e-3
_MASK64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment (kairos.hashing.GOLDEN_GAMMA)


def _mix64(h: int) -> int:
    """SplitMix64 finaliser on Python ints (the same function as :func:`kairos.hashing.mix64`)."""
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK64
    return h ^ (h >> 31)


class FeatureModelPolicy:
    """A hashed linear model of (feature, action) weights, mixed with uniform.

    Parameters
    ----------
    domain : str
        The registered domain name (stored in policy files; checked on load).
    num_actions : int
        ``len(action_names)`` of the domain.
    log2_rows : int
        The table has ``2**log2_rows`` rows.
    beta : ndarray of float64, shape (2**log2_rows, num_actions), optional
        Zeros (the uniform policy) if omitted.
    epsilon : float
        Weight of the uniform mixture, in [0, 1).
    seed : int
        Hash seed of the rows.
    """

    compiled = None  # evaluated per state: the pure-Python search runs it

    def __init__(
        self,
        domain: str,
        num_actions: int,
        *,
        log2_rows: int = DEFAULT_LOG2_ROWS,
        beta: np.ndarray | None = None,
        epsilon: float = DEFAULT_EPSILON,
        seed: int = 0,
    ):
        if num_actions < 1:
            raise ValidationError("num_actions", f"got {num_actions}, expected >= 1")
        if not 1 <= log2_rows <= 26:
            raise ValidationError("log2_rows", f"got {log2_rows}, expected 1..26")
        if not 0.0 <= epsilon < 1.0:
            raise ValidationError("epsilon", f"got {epsilon}, expected 0 <= epsilon < 1")
        shape = (1 << log2_rows, num_actions)
        if beta is not None and beta.shape != shape:
            raise ValidationError("beta", f"shape {beta.shape}, expected {shape}")
        self.domain, self.num_actions, self.log2_rows = domain, int(num_actions), int(log2_rows)
        self.beta = np.zeros(shape) if beta is None else np.asarray(beta, np.float64).copy()
        self.epsilon, self.seed = float(epsilon), int(seed)
        self.name = f"features-{domain}"

    def rows(self, features: Sequence[int], last_action: int) -> np.ndarray:
        """Table rows of one state: one per feature, then one for the last action (-1 at the root).

        Returns
        -------
        ndarray of int64, shape (len(features) + 1,)
        """
        mask = (1 << self.log2_rows) - 1
        out = np.empty(len(features) + 1, np.int64)
        base = _mix64((self.seed * _GAMMA) & _MASK64)
        for k, value in enumerate((*features, last_action)):
            h = _mix64((base + (k + 1) * _GAMMA) & _MASK64)
            out[k] = _mix64((h ^ (int(value) & _MASK64)) & _MASK64) & mask
        return out

    def _features(self, domain: Any, state: Any) -> Sequence[int]:
        hook = getattr(domain, "features", None)
        if hook is None:
            raise ValidationError(
                "policy",
                f"{getattr(domain, 'name', '?')}: the domain has no features(state) hook, so a "
                "feature model cannot score it; add one, or use a policy for its compiled form",
            )
        return hook(state)

    def state_logits(self, domain: Any, state: Any, last_action: int) -> np.ndarray:
        """log π(·|state) of the ε-mixed model, -inf on illegal actions.

        Returns
        -------
        ndarray of float64, shape (num_actions,)
        """
        if len(domain.action_names) != self.num_actions:
            raise ValidationError(
                "policy",
                f"feature model for {self.num_actions} actions cannot guide "
                f"{domain.name}, which has {len(domain.action_names)}",
            )
        z = self.beta[self.rows(self._features(domain, state), last_action)].sum(axis=0)
        legal = list(domain.legal_actions(state))
        out = np.full(self.num_actions, -np.inf)
        if not legal:
            return out
        zl = z[legal] - z[legal].max()
        p = np.exp(zl) / np.exp(zl).sum()
        out[legal] = np.log((1.0 - self.epsilon) * p + self.epsilon / len(legal))
        return out

    def trajectories(self, problems: Sequence[Any], solutions: Sequence[Sequence[int]]):
        """Feature rows along solution paths, for :func:`kairos.policy.loss.fit`.

        Raises
        ------
        ValidationError
            The number of features changes between states.
        """
        from kairos.policy.loss import Trajectories

        parts = []
        width = None
        for problem, actions in zip(problems, solutions, strict=True):
            if len(actions) == 0:
                continue  # solved at the root: nothing to learn
            state, last = problem.initial_state(), -1
            rows, legal = [], np.zeros((len(actions), self.num_actions), np.bool_)
            for t, action in enumerate(actions):
                r = self.rows(self._features(problem, state), last)
                if width is None:
                    width = len(r)
                elif len(r) != width:
                    raise ValidationError(
                        "features",
                        f"{problem.name}: {len(r) - 1} features at step {t}, {width - 1} before; "
                        "features(state) must return the same number for every state",
                    )
                rows.append(r)
                legal[t, list(problem.legal_actions(state))] = True
                state, last = problem.step(state, int(action)), int(action)
            parts.append(
                Trajectories(
                    np.stack(rows),
                    legal,
                    np.asarray(actions, np.int64),
                    np.array([0, len(actions)], np.int64),
                )
            )
        return Trajectories.concat(parts)

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Atomically write a ``.kpol`` file holding the non-zero rows of β."""
        from kairos.policy.files import save_policy

        rows = np.flatnonzero(np.any(self.beta != 0.0, axis=1))
        save_policy(
            path,
            KIND,
            self.domain,
            {
                "num_actions": self.num_actions,
                "log2_rows": self.log2_rows,
                "epsilon": self.epsilon,
                "seed": self.seed,
            },
            {"rows": rows.astype(np.int64), "values": self.beta[rows].astype(np.float32)},
        )


MAX_TABLE_ENTRIES = 1 << 26  # rows x actions: 512 MiB of float64 weights


def check_features(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Check a feature model's file fields (on read, and before a write).

    Raises
    ------
    ValidationError
        Naming the first bad field.
    """
    from kairos.fields import require_float, require_int, require_str
    from kairos.policy.files import check_sparse_table

    require_str("domain", spec.get("domain"), max_len=64)
    num_actions = require_int("spec.num_actions", spec.get("num_actions"), lo=1, hi=1024)
    log2_rows = require_int("spec.log2_rows", spec.get("log2_rows"), lo=1, hi=26)
    if (1 << log2_rows) * num_actions > MAX_TABLE_ENTRIES:
        raise ValidationError(
            "spec.log2_rows",
            f"2**{log2_rows} rows x {num_actions} actions exceeds {MAX_TABLE_ENTRIES} weights",
        )
    require_float("spec.epsilon", spec.get("epsilon"), lo=0.0, hi=1.0, hi_open=True)
    require_int("spec.seed", spec.get("seed"), lo=0, hi=2**63 - 1)
    check_sparse_table(arrays, 1 << log2_rows, num_actions)


def load_features(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> FeatureModelPolicy:
    """Build a :class:`FeatureModelPolicy` from a policy file's spec and arrays (checked first)."""
    check_features(spec, arrays)
    policy = FeatureModelPolicy(
        spec["domain"],
        int(spec["num_actions"]),
        log2_rows=int(spec["log2_rows"]),
        epsilon=float(spec["epsilon"]),
        seed=int(spec["seed"]),
    )
    rows, values = arrays["rows"], arrays["values"]
    num_rows = 1 << policy.log2_rows
    if values.shape != (len(rows), policy.num_actions) or (
        len(rows) and (rows.min() < 0 or rows.max() >= num_rows)
    ):
        raise MismatchError(
            None,
            f"feature-model arrays inconsistent: {len(rows)} rows, values {values.shape}, "
            f"table of {num_rows} rows × {policy.num_actions} actions",
        )
    policy.beta[rows] = values
    return policy
