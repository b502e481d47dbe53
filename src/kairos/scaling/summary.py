"""The JSON record of a fit: parameters, CIs, loss, convergence and derived quantities."""

from __future__ import annotations

from typing import Any

import numpy as np

from kairos.scaling.bootstrap import BootstrapResult, percentile_ci
from kairos.scaling.fit import FitResult
from kairos.scaling.laws import ChinchillaLaw

CHINCHILLA_BUDGET_FLOPS = 5.76e23  # the Gopher/Chinchilla training budget (Hoffmann et al. 2022)


def summarize(
    fit: FitResult,
    boot: BootstrapResult | None = None,
    *,
    level: float = 0.95,
    budget_flops: float = CHINCHILLA_BUDGET_FLOPS,
    x_query: np.ndarray | None = None,
) -> dict[str, Any]:
    """JSON-ready summary: ``law``, ``params``, ``ci``, ``loss``, ``converged``, ``diagnostics``.

    ``ci`` maps each parameter to its percentile interval ``[low, high]`` (empty
    without a bootstrap). For Chinchilla, ``derived`` holds the compute-optimal
    ``N_opt``, ``D_opt`` and ``tokens_per_param`` for ``budget_flops`` with their CIs.
    With ``x_query`` (shape ``(m,)`` or ``(m, k)``), ``predictions`` lists ``y`` at
    each query point with its percentile CI.
    """
    out: dict[str, Any] = {
        "law": fit.law,
        "params": fit.params,
        "ci": boot.param_ci(level) if boot is not None else {},
        "level": level,
        "loss": fit.loss,
        "loss_kind": fit.loss_kind,
        "converged": fit.converged,
        "diagnostics": fit.diagnostics(),
    }
    if boot is not None:
        out["bootstrap"] = {
            "num_resamples": boot.num_resamples,
            "converged_fraction": float(np.mean(boot.converged)),
        }
    if x_query is not None:
        from kairos.scaling.laws import LAWS

        law = LAWS[fit.law]
        x_query = np.asarray(x_query, dtype=float).reshape(-1, law.num_inputs)
        y_point = law.predict(fit.params, x_query)
        samples = boot.predict(x_query) if boot is not None else None
        out["predictions"] = [
            {
                "x": row.tolist() if law.num_inputs > 1 else float(row[0]),
                "y": float(y_point[i]),
                "ci": percentile_ci(samples[:, i], level) if samples is not None else None,
            }
            for i, row in enumerate(x_query)
        ]
    if fit.law == "chinchilla":
        point = ChinchillaLaw.compute_optimal(fit.params, budget_flops)
        derived: dict[str, Any] = {"budget_flops": budget_flops}
        samples = ChinchillaLaw.compute_optimal(boot.param_samples(), budget_flops) if boot else {}
        for key, value in point.items():
            derived[key] = float(value)
            if boot is not None:
                derived[f"{key}_ci"] = percentile_ci(samples[key], level)
        out["derived"] = derived
    return out
