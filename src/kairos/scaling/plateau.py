"""Plateau or continuing improvement? Decide by extrapolation to held-out larger scales.

Each candidate family is fitted on the points with the smaller ``x`` and
scored on the held-out points with the largest ``x`` (root-mean-square error of
``log y``, i.e. roughly the relative error of the extrapolation). The family
that extrapolates best is refitted on all points and bootstrapped, giving its
asymptote with a CI and the *headroom*: the fraction of the current value
(predicted at the largest observed ``x``) still to be gained before the
asymptote. A headroom CI wholly below ``plateau_tolerance`` reads as a plateau;
wholly above, as continuing improvement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kairos.errors import ValidationError
from kairos.scaling.bootstrap import BootstrapResult, bootstrap, percentile_ci
from kairos.scaling.fit import FitConfig, FitResult, fit_law
from kairos.scaling.laws import LAWS
from kairos.scaling.table import check_identifiable, validate_xy

PLATEAU_FAMILIES = ("power", "saturating", "bnsl", "bnsl2")  # decreasing laws with an asymptote
VERDICTS = ("plateau", "still improving", "undecided")


@dataclass(frozen=True)
class FamilyScore:
    """One family's fit on the training part and its error on the held-out part."""

    law: str
    holdout_log_rmse: float
    train_fit: FitResult


@dataclass(frozen=True)
class PlateauResult:
    """Outcome of :func:`plateau_test` (see the module docstring for the reading)."""

    scores: list[FamilyScore]
    best_law: str
    split_x: float
    num_train: int
    full_fit: FitResult
    boot: BootstrapResult
    asymptote: float
    asymptote_ci: list[float]
    headroom: float
    headroom_ci: list[float]
    plateau_tolerance: float
    level: float
    verdict: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "families": [
                {
                    "law": s.law,
                    "holdout_log_rmse": s.holdout_log_rmse,
                    "params": s.train_fit.params,
                    "converged": s.train_fit.converged,
                }
                for s in self.scores
            ],
            "best_law": self.best_law,
            "split_x": self.split_x,
            "num_train": self.num_train,
            "params": self.full_fit.params,
            "ci": self.boot.param_ci(self.level),
            "loss": self.full_fit.loss,
            "converged": self.full_fit.converged,
            "diagnostics": self.full_fit.diagnostics(),
            "asymptote": self.asymptote,
            "asymptote_ci": self.asymptote_ci,
            "headroom": self.headroom,
            "headroom_ci": self.headroom_ci,
            "plateau_tolerance": self.plateau_tolerance,
            "level": self.level,
            "verdict": self.verdict,
        }


def check_arguments(families: tuple[str, ...], holdout_fraction: float, level: float) -> None:
    """Validate :func:`plateau_test`'s settings; raises :class:`ValidationError` naming the field."""
    if not families:
        raise ValidationError("families", "empty; name at least one law to compare")
    for name in families:
        if name not in PLATEAU_FAMILIES:
            raise ValidationError(
                "families",
                f"{name!r} cannot be compared; expected names from {', '.join(PLATEAU_FAMILIES)}",
            )
    if not 0.0 < holdout_fraction < 1.0:
        raise ValidationError("holdout", f"got {holdout_fraction}; expected a fraction in (0, 1)")
    if not 0.0 < level < 1.0:
        raise ValidationError("level", f"got {level}; expected a value in (0, 1)")


def plateau_test(
    x: np.ndarray,
    y: np.ndarray,
    *,
    families: tuple[str, ...] = ("power", "saturating", "bnsl"),
    holdout_fraction: float = 0.2,
    num_resamples: int = 200,
    level: float = 0.95,
    plateau_tolerance: float = 0.05,
    seed: int = 0,
    workers: int = 1,
    config: FitConfig = FitConfig(),
) -> PlateauResult:
    """Compare ``families`` by extrapolation and estimate the asymptote of the best one.

    Parameters
    ----------
    x, y : ndarray of shape (n,)
        A decreasing curve (a loss, an error rate, bits per byte), all values > 0.
    families : names from :data:`PLATEAU_FAMILIES`
    holdout_fraction : float in (0, 1)
        Share of points, those with the largest ``x``, held out for scoring.
    plateau_tolerance : float
        Headroom (relative to the current value) below which the curve counts as flat.
    """
    check_arguments(families, holdout_fraction, level)
    most_params = max(len(LAWS[f].params) for f in families)
    x, y = validate_xy(x, y, num_inputs=1, num_params=most_params, law=families[0])
    x = x[:, 0]
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    num_test = max(1, round(holdout_fraction * len(x)))
    num_train = len(x) - num_test
    if num_train <= most_params:
        raise ValidationError(
            "holdout",
            f"leaves {num_train} training points; the {most_params}-parameter laws need at least "
            f"{most_params + 1} (use more points or a smaller holdout)",
        )
    check_identifiable(
        x[:num_train, None], y[:num_train], num_params=most_params, law=families[0],
        x_name="x (training part)", y_name="y (training part)",
    )  # fmt: skip
    scores = []
    for name in families:
        law = LAWS[name]
        train_fit = fit_law(law, x[:num_train], y[:num_train], config=config)
        pred = law.predict(train_fit.params, x[num_train:])
        rmse = float(np.sqrt(np.mean((np.log(pred) - np.log(y[num_train:])) ** 2)))
        scores.append(FamilyScore(name, rmse if np.isfinite(rmse) else float("inf"), train_fit))
    best = min(scores, key=lambda s: s.holdout_log_rmse)
    law = LAWS[best.law]
    full_fit = fit_law(law, x, y, config=config)
    boot = bootstrap(
        law, x, y, full_fit, num_resamples=num_resamples, seed=seed, workers=workers, config=config
    )
    asymptotes = np.asarray(law.asymptote(boot.param_samples()), dtype=float)
    current = boot.predict(x[-1:])[:, 0]
    headrooms = (current - asymptotes) / current
    point_current = float(law.predict(full_fit.params, x[-1:])[0])
    asymptote = float(law.asymptote(full_fit.params))
    headroom = (point_current - asymptote) / point_current
    headroom_ci = percentile_ci(headrooms, level)
    if not full_fit.identifiable:  # a singular Jacobian: the asymptote is not determined
        verdict = "undecided"
    elif headroom_ci[1] < plateau_tolerance:
        verdict = "plateau"
    elif headroom_ci[0] > plateau_tolerance:
        verdict = "still improving"
    else:
        verdict = "undecided"
    return PlateauResult(
        scores=scores,
        best_law=best.law,
        split_x=float(x[num_train - 1]),
        num_train=num_train,
        full_fit=full_fit,
        boot=boot,
        asymptote=asymptote,
        asymptote_ci=percentile_ci(asymptotes, level),
        headroom=float(headroom),
        headroom_ci=headroom_ci,
        plateau_tolerance=plateau_tolerance,
        level=level,
        verdict=verdict,
    )


def describe(result: PlateauResult) -> str:
    """One paragraph stating the verdict and the evidence for it."""
    ranking = ", ".join(f"{s.law} {s.holdout_log_rmse:.4f}" for s in result.scores)
    lo, hi = result.asymptote_ci
    h_lo, h_hi = result.headroom_ci
    pct = round(100 * result.level)
    return (
        f"Verdict: {result.verdict}. Fitted on the {result.num_train} "
        f"points with the smallest x, {result.best_law} extrapolated best to the held-out larger x "
        f"(log-RMSE: {ranking}). Refitted on all points, its asymptote is {result.asymptote:.4g} "
        f"({pct}% CI {lo:.4g} to {hi:.4g}); the headroom left at the largest x is "
        f"{100 * result.headroom:.1f}% ({pct}% CI {100 * h_lo:.1f}% to {100 * h_hi:.1f}%), "
        f"against a plateau tolerance of {100 * result.plateau_tolerance:.0f}%."
    )
