"""The report of one optimiser run, shared by every fitted prior (policies, grammars).

It lives on the ground floor because the context-model policy (``kairos.policy``)
and the program grammar (``kairos.domains.programs``) both fit with L-BFGS and
report the same fields, and neither layer may import the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FitReport:
    """What the optimiser did.

    Attributes
    ----------
    objective : str
        The loss minimised, e.g. ``"lts"`` or ``"xent"``.
    value, initial_value : float
        The loss at the end and at the start (nats, including any L2 term).
    iterations, evaluations : int
        Optimiser iterations and loss+gradient evaluations.
    grad_max : float
        The largest absolute gradient component at the end.
    converged : bool
        Whether the optimiser met its tolerance (not merely its iteration cap).
    message : str
        The optimiser's own stopping message.
    seconds : float
        Wall time of the fit.
    num_params : int
        Number of fitted parameters.
    method : str
        The optimiser, one of the callers' method names (``"lbfgsb"``: scipy's L-BFGS-B).
    holdout_value : float or None
        The loss on held-out data when the fit stopped on it, else None.
    """

    objective: str
    value: float
    initial_value: float
    iterations: int
    evaluations: int
    grad_max: float
    converged: bool
    message: str
    seconds: float
    num_params: int
    method: str = "lbfgsb"
    holdout_value: float | None = None

    def as_dict(self) -> dict:
        """The fields as a plain dict (JSON-ready)."""
        return dict(self.__dict__)
