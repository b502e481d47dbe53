"""Reading a savant experiment (:func:`kairos.learn.savant.run_savant`): verdicts and a figure.

:func:`direction` turns a CI into a sign, :func:`prediction_verdicts` says for
each of the issue's three predictions whether the data agree, and
:func:`regime_lines` says which regime each bootstrap run is in; all computed
from the result, nothing fixed in advance. :func:`savant_figure` plots the
measures against B₀.
"""

from __future__ import annotations

import math
from typing import Any

from kairos.learn.savant import OBJECTIVES, PREDICTION_KEYS

FIGURE_PANELS = (
    ("train_solved", "training tasks solved"),
    ("mean_info_bits", "held-out I(h:D), bits (ν0 uniform)"),
    ("solve_small", "held-out solve rate @ small budget"),
    ("solve_large", "held-out solve rate @ large budget"),
)


def direction(ci: list[float]) -> str:
    """``up`` when a 95% CI of a difference lies above 0, ``down`` below, else ``flat``."""
    lo, hi = ci
    if math.isnan(lo) or math.isnan(hi):
        return "n/a"
    return "up" if lo > 0 else "down" if hi < 0 else "flat"


def _fmt(d: dict) -> str:
    return f"{d['mean']:+.2f} [{d['ci'][0]:+.2f}, {d['ci'][1]:+.2f}]"


def prediction_verdicts(result: dict[str, Any]) -> list[dict[str, str]]:
    """One row per tested case of the three predictions: what was compared, the data, the verdict.

    A prediction *agrees* when every one of its parts holds with a 95% CI
    excluding 0, *disagrees* when a part goes the other way with such a CI, and
    is *inconclusive* otherwise.
    """
    preds = result["predictions"]
    rows = []
    p1 = preds[PREDICTION_KEYS[0]]
    for name, p in p1["by_run"].items():
        lo, hi = p["train_solved"]
        train = "up" if hi > lo else "down" if hi < lo else "flat"
        bits, small = direction(p["d_info_bits"]["ci"]), direction(p["d_solve_small"]["ci"])
        parts = [train == "up", bits == "down", small == "down"]
        against = [train == "down", bits == "up", small == "up"]
        rows.append({
            "prediction": "1: B₀ up → training up, bits down, small-budget rate down",
            "case": f"{name}, {p1['compare']}",
            "data": f"train {lo} → {hi}; ΔI {_fmt(p['d_info_bits'])} bits; "
                    f"Δ rate@small {_fmt(p['d_solve_small'])}",
            "verdict": _verdict(parts, against),
        })  # fmt: skip
    for b0, p in preds[PREDICTION_KEYS[1]].items():
        d = p["d_info_bits_memoriser_minus_cm"]
        parts = [p["memoriser_repeats_solve_small"] > p["memoriser_heldout_solve_small"],
                 direction(d["ci"]) == "down"]  # fmt: skip
        against = [p["memoriser_repeats_solve_small"] < p["memoriser_heldout_solve_small"],
                   direction(d["ci"]) == "up"]  # fmt: skip
        rows.append({
            "prediction": "2: memoriser scores on repeats, retains little",
            "case": f"B₀={int(b0):,}",
            "data": f"repeats@small {p['memoriser_repeats_solve_small']:.2f}, held-out@small "
                    f"{p['memoriser_heldout_solve_small']:.2f}; ΔI memoriser − context model "
                    f"{_fmt(d)} bits",
            "verdict": _verdict(parts, against),
        })  # fmt: skip
    for key, p in preds[PREDICTION_KEYS[2]].items():
        d = p["d_info_bits_lts_minus_xent_equal_data"]
        b0, rows_name = key.split(" ")
        rows.append({
            "prediction": "3: LTS loss retains more bits than cross-entropy (equal data)",
            "case": f"B₀={int(b0):,}, {rows_name} rows",
            "data": f"ΔI LTS − xent {_fmt(d)} bits",
            "verdict": _verdict([direction(d["ci"]) == "up"], [direction(d["ci"]) == "down"]),
        })  # fmt: skip
    return rows


def _verdict(parts: list[bool], against: list[bool]) -> str:
    if all(parts):
        return "agrees"
    if any(against):
        return "disagrees"
    return "inconclusive"


def regime_lines(result: dict[str, Any]) -> list[str]:
    """One sentence per bootstrap run: its regime and the numbers behind it.

    A run that solved fewer training tasks than no learning did at the same
    B₀ (uniform search at the LTS run's final budget, same cap) says so.
    """
    brute = {r["B0"]: r for r in result["runs"] if r.get("kind") == "none" and "B0" in r}
    lines = []
    for r in result["runs"]:
        if r.get("kind") != "bootstrap":
            continue
        solved, first = r["train_solved"], r["first_iteration_solved"]
        line = (
            f"B₀={r['B0']:,}, {r['objective']}, 2^{r['rows_log2']} rows: {r['regime']} — "
            f"{solved}/{r['train_problems']} training tasks solved, {first} of them by the "
            f"first (uniform, brute-force) iteration, {r['train_expansions']:,} expansions "
            f"spent; held-out I(h:D) {r['mean_info_bits']:.1f} bits, solve rate "
            f"{r['solve_small']:.2f} at the small budget."
        )
        none = brute.get(r["B0"])
        if none is not None and solved < none["train_solved"]:
            line += (
                f" No learning solved more: {none['train_solved']} at budget "
                f"{none['final_budget']:,} under the same cap."
            )
        lines.append(line)
    return lines


def savant_onset(result: dict[str, Any]) -> dict[str, Any]:
    """The smallest B₀ at which a run is in the savant regime, per capacity (None if never)."""
    onset: dict[str, Any] = {}
    for r in result["runs"]:
        if r.get("kind") != "bootstrap" or r["regime"] != "savant":
            continue
        key = f"{r['objective']} 2^{r['rows_log2']}"
        onset[key] = min(onset.get(key, r["B0"]), r["B0"])
    return onset


def savant_figure(runs: list[dict[str, Any]], rows_list, *, title: str | None = None):
    """Four panels against B₀ (log scale): :data:`FIGURE_PANELS`, with 95% CI bands.

    One line per objective × capacity, the memoriser and no learning.
    """
    from kairos.plotting import new_figure

    fig, _ = new_figure(15, 4.2)
    fig.clf()
    axes = fig.subplots(1, len(FIGURE_PANELS))
    series = [(f"{o} 2^{r}", "bootstrap", o, r) for o in OBJECTIVES for r in rows_list]
    series += [("memoriser", "memoriser", None, None), ("none", "none", "none", None)]
    for ax, (key, label) in zip(axes, FIGURE_PANELS, strict=True):
        for name, kind, objective, rows in series:
            pts = [
                r for r in runs
                if r.get("kind") == kind and "B0" in r
                and (objective is None or r.get("objective") == objective)
                and (rows is None or r.get("rows_log2") == rows)
            ]  # fmt: skip
            if not pts:
                continue
            x = [r["B0"] for r in pts]
            y = [r[key] for r in pts]
            style = "-o" if objective == "lts" else "--s" if objective == "xent" else ":^"
            line = ax.plot(x, y, style, label=name, alpha=0.85)[0]
            if f"{key}_ci" in pts[0]:
                lo = [r[f"{key}_ci"][0] for r in pts]
                hi = [r[f"{key}_ci"][1] for r in pts]
                ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.12)
        ax.set_xscale("log")
        ax.set_xlabel("initial budget B₀ (expansions)")
        ax.set_title(label, fontsize=9)
    axes[0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
