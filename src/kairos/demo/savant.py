"""Demo section: the savant regime (issue 16), a small live run on 8-puzzles.

The bootstrap is run from initial budgets B₀ an order of magnitude apart, with
the LTS loss and with cross-entropy, at two capacities of the context model,
plus a memoriser and no learning, all under one training-compute cap; held-out
puzzles measure what each prior retained (``kairos.learn.savant``). The regime
of each run and the three predictions' verdicts are read off the data.
"""

from __future__ import annotations

from kairos.demo.context import DemoContext
from kairos.report import Section

# (train, held-out, repeats, budgets B0, log2 rows, cap, resamples)
FULL = (20, 10, 5, (2_000, 20_000, 200_000), (6, 14), 300_000, 300)
QUICK = (8, 4, 2, (2_000, 200_000), (8,), 120_000, 100)
SMALL_BUDGET, LARGE_BUDGET = 200, 200_000  # the 8-puzzle has 181,440 boards


def section(ctx: DemoContext) -> Section:
    """Run the savant grid on 8-puzzles; table, figure and computed verdicts."""
    from kairos.domains.stp import generate
    from kairos.learn.savant import SavantConfig, run_savant
    from kairos.learn.savant_report import (
        prediction_verdicts,
        regime_lines,
        savant_figure,
        savant_onset,
    )
    from kairos.search import SearchConfig, search

    n_train, n_heldout, n_repeats, budgets, rows, cap, resamples = QUICK if ctx.quick else FULL
    base_seed = ctx.seed * 100_003
    train = [generate(3, 10 + (7 * s) % 50, seed=base_seed + 20_000 + s) for s in range(n_train)]
    seen = {t.tiles for t in train}
    heldout, s = [], 0
    while len(heldout) < n_heldout:
        t = generate(3, 10 + s % 50, seed=base_seed + 50_000 + s)
        s += 1
        if t.tiles not in seen and not t.is_goal(t.initial_state()):
            heldout.append(t)
    repeats = train[:n_repeats]
    bfs = SearchConfig(algorithm="bfs", budget=LARGE_BUDGET)
    shortest = [search(t, bfs).actions for t in heldout]
    shortest_rep = [search(t, bfs).actions for t in repeats]
    config = SavantConfig(
        domain="stp", budgets=budgets, rows_log2=rows, cap_expansions=cap,
        small_budget=SMALL_BUDGET, large_budget=LARGE_BUDGET, resamples=resamples,
        seed=ctx.seed,
    )  # fmt: skip
    with ctx.progress("savant regime: runs", None) as advance:
        result = run_savant(
            train, heldout, repeats, config, shortest=shortest, shortest_repeats=shortest_rep,
            on_stage=lambda m: advance(0, description=f"savant: {m}"),
        )  # fmt: skip
    verdicts = prediction_verdicts(result)
    onset = savant_onset(result)
    ctx.run.write_json("savant.json", {**result, "verdicts": verdicts, "savant_onset_B0": onset})

    section = Section("The savant regime: when a big budget makes learning unnecessary")
    section.text(
        f"{n_train} training 8-puzzles (random walks of 10–59 moves) were learnt by the "
        f"bootstrap from initial budgets B₀ = {', '.join(f'{b:,}' for b in budgets)} expansions, "
        f"each run capped at {cap:,} training expansions, with the LTS loss (a time cost) and "
        f"with cross-entropy, at context-model capacities of "
        f"{', '.join(f'2^{r}' for r in rows)} hashed rows; a memoriser (a table indexed by the "
        f"full board) stored the largest LTS model's solutions; 'none' is the uniform prior. "
        f"{n_heldout} fresh puzzles measure what each prior retained: I(h:D) = ℓν0(h) − ℓνD(h) "
        f"bits (ν0 uniform, each prior's own solution), and the solve rate at a small "
        f"({SMALL_BUDGET:,}) and a large ({LARGE_BUDGET:,}) test budget; {n_repeats} training "
        f"puzzles are asked again. A run is in the savant regime when its first, brute-force "
        f"iteration (uniform prior) found at least half of its solutions, and stalled when it "
        f"found all of them and a full iteration under the learnt prior then found none. "
        f"95% CIs: bootstrap over tasks."
    )
    section.table([_row(r) for r in result["runs"]], caption="Runs and held-out measures")
    section.figure(
        savant_figure(result["runs"], rows),
        caption="Against B₀: training tasks solved, held-out bits retained, held-out solve "
        "rate at the small and at the large budget (bands: 95% CI).",
    )
    for line in regime_lines(result):
        section.text(line)
    section.table(verdicts, caption="The seed's three predictions, tested on this run")
    large = sorted({round(r["solve_large"], 2) for r in result["runs"]})
    small = [r["solve_small"] for r in result["runs"]]
    if onset:
        section.text(
            f"In this run the savant regime begins at B₀ = {min(onset.values()):,} expansions "
            f"({', '.join(f'{k} from {v:,}' for k, v in onset.items())})."
        )
    else:
        section.text("No run of this grid is in the savant regime: learning found most solutions.")
    section.text(
        (
            f"Every prior, learnt or not, solves {large[0]:.2f} of the held-out puzzles at the "
            "large budget, so that score cannot tell them apart"
            if len(large) == 1
            else f"At the large budget the held-out solve rate ranges {large[0]:.2f}–{large[-1]:.2f}"
        )
        + f"; at the small budget it ranges {min(small):.2f}–{max(small):.2f}."
    )
    return section


def _row(r: dict) -> dict:
    return {
        "run": r["name"],
        "regime": r.get("regime", ""),
        "train solved": f"{r['train_solved']}/{r['train_problems']}" if "train_solved" in r else "",
        "train expansions": r.get("train_expansions", ""),
        "I(h:D) bits": _ci(r["mean_info_bits"], r["mean_info_bits_ci"]),
        "solve @ small": _ci(r["solve_small"], r["solve_small_ci"]),
        "solve @ large": f"{r['solve_large']:.2f}",
        "mean expansions": round(r["mean_expansions"]),
        "repeats @ small": f"{r['repeats_solve_small']:.2f}",
    }


def _ci(value: float, ci: list[float]) -> str:
    return f"{value:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"
