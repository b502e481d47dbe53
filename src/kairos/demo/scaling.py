"""The scaling section of ``kairos demo``: fit the curves earlier sections produced.

It reads, when present,

- ``ctx.results["search.solved_vs_budget"] = {"budget": [...], "solved_fraction": [...], "domain": ...}``
  and fits the coverage law ``−log solved = a·budget**-b`` with a bootstrap band;
- ``ctx.results["info.prequential_curve"] = {"bytes_seen": [...], "bits_per_byte": [...], "model": ...}``
  and runs the plateau test on it.

Whatever is absent is replaced by a synthetic curve generated with the demo's
seed, and the section always shows a Chinchilla fit to synthetic data drawn
from Hoffmann et al.'s published parameters. Budget: about 30 s; a few
seconds in quick mode.
"""

from __future__ import annotations

import numpy as np

from kairos.errors import KairosError
from kairos.report import Section

SEARCH_KEY = "search.solved_vs_budget"
INFO_KEY = "info.prequential_curve"


def _positive_pairs(curve: dict, key: str, x_name: str, y_name: str):
    """Keep the pairs where both values are finite and > 0; returns ``(x, y, num_dropped)``.

    ``curve`` comes from another section, so its shape is checked here.
    """
    from kairos.errors import ValidationError

    try:
        x = np.asarray(curve[x_name], dtype=float).reshape(-1)
        y = np.asarray(curve[y_name], dtype=float).reshape(-1)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            f'ctx.results["{key}"]',
            f"expected numeric lists {x_name!r} and {y_name!r} ({type(exc).__name__}: {exc})",
        ) from None
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    return x[keep], y[keep], int(n - keep.sum())


def _ci_text(ci: list[float]) -> str:
    return f"[{ci[0]:.4g}, {ci[1]:.4g}]"


def _chinchilla_part(ctx, section: Section, num_resamples: int) -> None:
    from kairos.scaling.bootstrap import bootstrap
    from kairos.scaling.fit import fit_law
    from kairos.scaling.laws import LAWS
    from kairos.scaling.plots import plot_fit
    from kairos.scaling.summary import summarize
    from kairos.scaling.synthetic import HOFFMANN_PARAMS, chinchilla_data

    law = LAWS["chinchilla"]
    x, y = chinchilla_data(250, seed=ctx.seed)
    fit = fit_law(law, x, y)
    with ctx.progress("scaling: Chinchilla bootstrap", num_resamples) as advance:
        boot = bootstrap(
            law, x, y, fit, num_resamples=num_resamples, seed=ctx.seed, on_progress=advance
        )
    record = summarize(fit, boot)
    ctx.run.write_json("scaling_chinchilla.json", record)
    section.text(
        "Chinchilla law L(N, D) = E + A/N^alpha + B/D^beta fitted (Huber loss, delta 1e-3, on log "
        "residuals; L-BFGS-B from the best points of a grid) to 250 synthetic losses drawn from "
        "Hoffmann et al. 2022's published parameters with 1% multiplicative noise. "
        f"{num_resamples} bootstrap resamples give the 95% CIs."
    )
    section.table(
        [
            {
                "parameter": name,
                "true": HOFFMANN_PARAMS[name],
                "fitted": value,
                "95% CI": _ci_text(record["ci"][name]),
            }
            for name, value in record["params"].items()
        ],
        caption=(
            f"converged {fit.converged}, gradient norm {fit.grad_norm:.2g}, "
            f"{fit.num_starts_agreed}/{fit.num_starts} starts agreed"
        ),
    )
    derived = record["derived"]
    section.text(
        f"Compute-optimal allocation for C = {derived['budget_flops']:.3g} FLOPs (C ≈ 6ND): "
        f"N* = {derived['N_opt']:.3g} {_ci_text(derived['N_opt_ci'])}, "
        f"D* = {derived['D_opt']:.3g} {_ci_text(derived['D_opt_ci'])}, "
        f"{derived['tokens_per_param']:.1f} tokens per parameter "
        f"{_ci_text(derived['tokens_per_param_ci'])}."
    )
    section.figure(
        plot_fit(x, y, fit, boot, y_label="loss"),
        caption="Synthetic Chinchilla data, the fit for three token counts, and 95% bootstrap bands.",
    )


def _coverage_part(ctx, section: Section, num_resamples: int) -> None:
    from kairos.scaling.bootstrap import bootstrap, percentile_ci
    from kairos.scaling.fit import fit_law
    from kairos.scaling.laws import LAWS
    from kairos.scaling.plots import plot_fit
    from kairos.scaling.summary import summarize
    from kairos.scaling.synthetic import curve_data

    law = LAWS["coverage"]
    curve = ctx.results.get(SEARCH_KEY)
    if curve is not None:
        try:
            budget, solved, dropped = _positive_pairs(
                curve, SEARCH_KEY, "budget", "solved_fraction"
            )
        except KairosError as exc:
            section.text(f"Coverage fit skipped: {exc}")
            return
        origin = f"the solver's {curve.get('domain', 'search')} run"
        if dropped:
            origin += f" ({dropped} points with zero solved or invalid values left out)"
    else:
        budget = np.geomspace(100, 1e5, 16)
        solved = np.minimum(
            curve_data("coverage", {"a": 6.0, "b": 0.25}, budget, seed=ctx.seed), 1.0
        )
        origin = "a synthetic solver curve (no solver results in this run)"
    if len(budget) <= len(law.params) + 1:
        section.text(f"Coverage fit skipped: only {len(budget)} usable points from {origin}.")
        return
    fit = fit_law(law, budget, solved)
    boot = bootstrap(law, budget, solved, fit, num_resamples=num_resamples, seed=ctx.seed)
    record = summarize(fit, boot)
    at_10x = boot.predict(np.array([10.0 * budget.max()]))[:, 0]
    record["solved_at_10x_budget"] = float(
        law.predict(fit.params, np.array([10.0 * budget.max()]))[0]
    )
    record["solved_at_10x_budget_ci"] = percentile_ci(at_10x)
    ctx.run.write_json("scaling_coverage.json", record)
    section.text(
        f"Solved fraction against search budget, from {origin}, fitted with the coverage law "
        f"−log solved = a·budget^−b (Brown et al. 2024): a = {fit.params['a']:.3g} "
        f"{_ci_text(record['ci']['a'])}, b = {fit.params['b']:.3g} {_ci_text(record['ci']['b'])}. "
        f"At 10× the largest budget the law predicts {100 * record['solved_at_10x_budget']:.1f}% "
        f"solved (95% CI {100 * record['solved_at_10x_budget_ci'][0]:.1f}% to "
        f"{100 * record['solved_at_10x_budget_ci'][1]:.1f}%)."
    )
    section.figure(
        plot_fit(budget, solved, fit, boot, x_label="budget", y_label="solved fraction"),
        caption="Coverage law fit with its 95% bootstrap band; dashed: extrapolation.",
    )


def _plateau_part(ctx, section: Section, num_resamples: int) -> None:
    from kairos.scaling.plateau import describe, plateau_test
    from kairos.scaling.plots import plot_plateau
    from kairos.scaling.synthetic import curve_data

    curve = ctx.results.get(INFO_KEY)
    if curve is not None:
        try:
            seen, bpb, dropped = _positive_pairs(curve, INFO_KEY, "bytes_seen", "bits_per_byte")
        except KairosError as exc:
            section.text(f"Plateau test skipped: {exc}")
            return
        origin = f"the prequential curve of {curve.get('model', 'the compressor')}"
        if dropped:
            origin += f" ({dropped} invalid points left out)"
    else:
        seen = np.geomspace(1e3, 1e7, 24)
        bpb = curve_data(
            "saturating", {"E": 2.0, "A": 4.0, "s": 0.9, "m": np.log(3e4)}, seen, seed=ctx.seed
        )
        origin = "a synthetic bits-per-byte curve (no compressor results in this run)"
    try:
        result = plateau_test(seen, bpb, num_resamples=num_resamples, seed=ctx.seed)
    except KairosError as exc:
        section.text(f"Plateau test skipped for {origin}: {exc}")
        return
    ctx.run.write_json("scaling_plateau.json", result.to_json())
    ctx.results["scaling.plateau_verdict"] = result.verdict
    section.text(f"Plateau test on {origin}. " + describe(result))
    section.table(
        [
            {
                "family": s.law,
                "held-out log-RMSE": s.holdout_log_rmse,
                "converged": s.train_fit.converged,
            }
            for s in result.scores
        ],
        caption="Extrapolation error on the 20% of points with the largest bytes seen",
    )
    section.figure(
        plot_plateau(seen, bpb, result, x_label="bytes seen", y_label="bits per byte"),
        caption="Families fitted on the smaller-x points (black) and scored on the held-out points (red).",
    )


def section(ctx) -> Section:
    """Demo section: Chinchilla recovery, coverage of the solver, plateau test of the compressor."""
    section = Section("Scaling: law fits, bootstrap CIs and the plateau test")
    num_resamples = 50 if ctx.quick else 1000
    _chinchilla_part(ctx, section, num_resamples)
    _coverage_part(ctx, section, 50 if ctx.quick else 500)
    _plateau_part(ctx, section, 50 if ctx.quick else 300)
    return section
