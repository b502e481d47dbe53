"""Benchmark: does the roofline cost model predict measured CPU time on held-out sizes and lengths?

Times a small decoder-only transformer (6 sizes, prefill and decode) on one
thread, fits the cpu profile on 4 sizes x 11 lengths, and reports
predicted/measured on the held-out sizes and lengths. Baselines fitted on the
same measurements: FLOPs only, and FLOPs + bytes without fixed overheads.
Target: median |log(predicted/measured)| <= log 1.5 on held-out points.

    nice -n 5 env PYTHONPATH=src python3 bench/cost_calibration.py
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from kairos.cost.calibrate import FULL_PLAN, evaluate, fit_profile, measure

VARIANTS = {
    "flops only": ("flops",),
    "flops + bytes": ("flops", "bytes"),
    "flops + bytes + overheads (shipped)": ("flops", "bytes", "step", "layer"),
}


def main() -> None:
    console = Console()
    t0 = time.perf_counter()
    points = measure(FULL_PLAN)
    measure_s = time.perf_counter() - t0
    results = {}
    for label, terms in VARIANTS.items():
        profile = fit_profile(points, terms=terms)
        rows, summary = evaluate(profile, points)
        results[label] = {"profile": profile.to_dict(), "summary": summary, "points": rows}

    table = Table(title=f"cost calibration: {len(points)} points, measured in {measure_s:.0f} s")
    for col in ("model", "median |log ratio| train", "held-out", "held-out ratio x", "target met"):
        table.add_column(col, justify="right")
    for label, res in results.items():
        s = res["summary"]
        table.add_row(
            label,
            f"{s['median_abs_log_ratio_train']:.3f}",
            f"{s['median_abs_log_ratio_held_out']:.3f}",
            f"{math.exp(s['median_abs_log_ratio_held_out']):.2f}",
            "yes" if s["median_abs_log_ratio_held_out"] <= s["target"] else "no",
        )
    console.print(table)

    shipped = results["flops + bytes + overheads (shipped)"]
    per_point = Table(title="shipped model, held-out points: predicted / measured")
    for col in ("size", "phase", "tokens", "measured s", "predicted s", "ratio"):
        per_point.add_column(col, justify="right")
    for r in shipped["points"]:
        if r["held_out"]:
            per_point.add_row(
                str(r["size"]),
                r["phase"],
                str(r["tokens"]),
                f"{r['measured_s']:.3e}",
                f"{r['predicted_s']:.3e}",
                f"{r['ratio']:.2f}",
            )
    console.print(per_point)
    p = shipped["profile"]
    console.print(
        f"fitted cpu profile: {p['peak_flops_per_s']:.3e} FLOP/s, {p['bandwidth_bytes_per_s']:.3e} B/s, "
        f"{p['step_overhead_s'] * 1e6:.1f} us/call, {p['layer_overhead_s'] * 1e6:.2f} us/layer"
    )
    out = Path(__file__).resolve().parent / "out" / "cost_calibration.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"measure_s": measure_s, "variants": results}, indent=2, default=str) + "\n"
    )
    console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
