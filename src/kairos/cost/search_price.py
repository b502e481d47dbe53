"""The solver's price: a tree search's expansions and policy evaluations in FLOPs, bytes and eFLOPs.

Defined on plain numbers (:class:`SearchWork`) so that any search result can be
priced without this module importing the search package. With it, "a bigger
policy" and "more search" can be compared at equal cost.

Per policy evaluation (one state, ``A`` actions):

``cm`` (context model, Orseau et al. 2023)
    Sum the weight rows of the ``n`` active contexts, then softmax and mix with
    uniform: FLOPs = (n + 4) A. Each row is a random access of A fp32 weights,
    which costs at least one 64-byte cache line: bytes = n max(4 A, 64).
``nn`` (neural policy with P parameters)
    FLOPs = 2 P; weight bytes = P x bytes_per_param / batch, as a batch of
    states shares one read of the weights (activations are ignored).

Per expansion: the domain generates ``A`` children, reading the parent and
writing each child state: bytes = (A + 1) x state_bytes, and no floating-point
work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kairos.cost.hardware import Hardware
from kairos.errors import ValidationError

CACHE_LINE_BYTES = 64
CM_SOFTMAX_FLOPS_PER_ACTION = 4  # exp, sum, divide, mix with uniform


@dataclass(frozen=True)
class SearchWork:
    """What a search did, in plain numbers.

    Parameters
    ----------
    num_expansions : int
        Nodes expanded.
    num_policy_evals : int
        States the policy scored (often one per expansion).
    policy : str
        ``"cm"`` or ``"nn"`` (keys of :data:`POLICY_PRICES`).
    num_actions : int
        Actions per state (4 for Sokoban).
    num_active_contexts : int
        ``cm`` only: contexts active per state.
    num_policy_params : int
        ``nn`` only: parameters of the network.
    policy_batch : int
        ``nn`` only: states per network call.
    bytes_per_param : int
        ``nn`` only: 4 for fp32, 2 for bf16.
    state_bytes : int
        Bytes of one domain state.
    """

    num_expansions: int
    num_policy_evals: int
    policy: str
    num_actions: int = 4
    num_active_contexts: int = 0
    num_policy_params: int = 0
    policy_batch: int = 1
    bytes_per_param: int = 4
    state_bytes: int = 64

    def __post_init__(self) -> None:
        for name in ("num_expansions", "num_policy_evals"):
            if getattr(self, name) < 0:
                raise ValidationError(name, f"found {getattr(self, name)}, expected >= 0")
        for name in ("num_actions", "policy_batch", "bytes_per_param", "state_bytes"):
            if getattr(self, name) < 1:
                raise ValidationError(name, f"found {getattr(self, name)}, expected >= 1")
        if self.policy not in POLICY_PRICES:
            raise ValidationError(
                "policy", f"found {self.policy!r}, expected one of {list(POLICY_PRICES)}"
            )
        if self.policy == "cm" and self.num_active_contexts < 1:
            raise ValidationError(
                "num_active_contexts", "a context-model policy needs >= 1 active context"
            )
        if self.policy == "nn" and self.num_policy_params < 1:
            raise ValidationError("num_policy_params", "a neural policy needs >= 1 parameter")


@dataclass(frozen=True)
class SolverPrice:
    """Total FLOPs, bytes and eFLOPs of a search on some hardware."""

    flops: float
    bytes: float
    eflops: float
    seconds: float  # roofline, compute and memory overlapped


def _cm_eval(work: SearchWork) -> tuple[float, float]:
    flops = (work.num_active_contexts + CM_SOFTMAX_FLOPS_PER_ACTION) * work.num_actions
    row_bytes = max(4 * work.num_actions, CACHE_LINE_BYTES)
    return float(flops), float(work.num_active_contexts * row_bytes)


def _nn_eval(work: SearchWork) -> tuple[float, float]:
    params = work.num_policy_params
    return 2.0 * params, params * work.bytes_per_param / work.policy_batch


# (FLOPs, bytes) of one policy evaluation, by policy kind.
POLICY_PRICES: dict[str, Callable[[SearchWork], tuple[float, float]]] = {
    "cm": _cm_eval,
    "nn": _nn_eval,
}


def solver_price(work: SearchWork, hardware: Hardware) -> SolverPrice:
    """Price a search: expansions plus policy evaluations, on ``hardware``."""
    eval_flops, eval_bytes = POLICY_PRICES[work.policy](work)
    flops = work.num_policy_evals * eval_flops
    data = (
        work.num_policy_evals * eval_bytes
        + work.num_expansions * (work.num_actions + 1) * work.state_bytes
    )
    seconds = max(flops / hardware.peak_flops_per_s, data / hardware.bandwidth_bytes_per_s)
    return SolverPrice(flops, data, flops + hardware.intensity * data, seconds)
