"""Straight-line fits with bootstrap confidence intervals (e.g. the time–information law).

The time–information law predicts ``log2 speed-up = I(h:D)``: slope 1,
intercept 0. A fit of measured speed-ups against measured information reports
the slope, the intercept and R², each with a percentile bootstrap interval
over points (:func:`kairos.scaling.bootstrap.percentile_ci`, the one
implementation of the interval).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kairos.errors import ValidationError
from kairos.scaling.bootstrap import percentile_ci


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares slope, intercept and R² (nan when x has no spread)."""
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    if sxx == 0.0:
        return math.nan, math.nan, math.nan
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = float(ym - slope * xm)
    ss_tot = float(((y - ym) ** 2).sum())
    ss_res = float(((y - intercept - slope * x) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan
    return slope, intercept, r2


def fit_line(
    x: Sequence[float],
    y: Sequence[float],
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, object]:
    """Fit ``y = intercept + slope · x`` with bootstrap percentile intervals.

    Returns
    -------
    dict
        ``slope``, ``intercept``, ``r2``, ``n`` and, for the first three,
        ``{name}_ci`` as ``[low, high]`` (nan where fewer than 3 points).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValidationError("x", f"x and y must be 1-D of one length, got {x.shape}, {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValidationError("x", "found non-finite values")
    if not 0 < level < 1:
        raise ValidationError("level", f"got {level}, expected in (0, 1)")
    n = len(x)
    nan_ci = [math.nan, math.nan]
    if n < 3:
        return {"slope": math.nan, "intercept": math.nan, "r2": math.nan, "n": n,
                "slope_ci": nan_ci, "intercept_ci": nan_ci, "r2_ci": nan_ci}  # fmt: skip
    slope, intercept, r2 = _line(x, y)
    rng = np.random.default_rng(seed)
    draws = np.array([_line(x[idx], y[idx]) for idx in rng.integers(0, n, size=(resamples, n))])
    return {
        "slope": slope,
        "intercept": intercept,
        "r2": r2,
        "n": n,
        "slope_ci": percentile_ci(draws[:, 0], level),
        "intercept_ci": percentile_ci(draws[:, 1], level),
        "r2_ci": percentile_ci(draws[:, 2], level),
    }
