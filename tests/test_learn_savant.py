"""The savant experiment (issue 16): settings checks, pieces, and one tiny live grid."""

import math

import numpy as np
import pytest

from kairos.domains.stp import generate
from kairos.errors import KairosError, ValidationError
from kairos.learn.savant import (
    PREDICTION_KEYS,
    BruteForce,
    SavantConfig,
    mean_ci,
    paired,
    regime,
    run_savant,
)
from kairos.learn.savant_report import (
    direction,
    prediction_verdicts,
    regime_lines,
    savant_figure,
    savant_onset,
)
from kairos.search import SearchConfig, search


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("domain", {"domain": "chess"}),
        ("budgets", {"budgets": ()}),
        ("budgets", {"budgets": (0, 10)}),
        ("rows_log2", {"rows_log2": (0,)}),
        ("cap_expansions", {"cap_expansions": 0}),
        ("small_budget", {"small_budget": 500, "large_budget": 100}),
        ("repeats_budget", {"small_budget": 500, "repeats_budget": 100}),
        ("memoriser_batch_size", {"memoriser_batch_size": 0}),
    ],
)
def test_config_rejects_bad_settings_naming_the_field(field, kwargs):
    with pytest.raises(ValidationError) as err:
        SavantConfig(**{"domain": "stp", **kwargs})
    assert isinstance(err.value, KairosError) and field in str(err.value)


def test_regime_counts_the_first_brute_force_iteration():
    assert regime([{"new_solved": 5}, {"new_solved": 5}], 10) == "savant"  # half: savant
    assert regime([{"new_solved": 4}, {"new_solved": 6}], 10) == "learning"
    assert regime([], 7) == "savant"  # stopped inside the first iteration
    assert regime([{"new_solved": 0}], 0) == "none solved"
    # every solution from the first iteration, then a full iteration that found none
    assert regime([{"new_solved": 2}, {"new_solved": 0}], 2) == "stalled"
    assert regime([{"new_solved": 2}], 2) == "savant"  # the cap fell in the first iteration


def test_brute_force_agrees_with_direct_searches_and_respects_the_cap():
    train = [generate(3, 12 + 9 * i, seed=400 + i) for i in range(6)]
    brute = BruteForce(train)
    budget = 3_000
    direct = [search(t, SearchConfig(budget=budget)) for t in train]
    solved, spent = brute.train_solved(budget, cap=10**9)
    assert solved == sum(r.solved for r in direct)
    assert spent == sum(min(r.expansions, budget) for r in direct)
    # answered from the cache at a smaller budget, as a fresh search would
    small = 500
    for i, t in enumerate(train):
        r = search(t, SearchConfig(budget=small))
        assert brute.attempt(i, small) == ((r.expansions, True) if r.solved else (small, False))
    one_task_cap = brute.train_solved(budget, cap=1)
    assert one_task_cap == (int(direct[0].solved), min(direct[0].expansions, budget))


def test_mean_ci_and_paired_differences():
    rng = np.random.default_rng(0)
    lo, hi = mean_ci(np.array([1.0, 2.0, np.nan, 3.0]), rng, 500)
    assert 1.0 <= lo <= 2.0 <= hi <= 3.0
    assert all(math.isnan(x) for x in mean_ci(np.array([np.nan]), rng, 10))
    a = {"x": np.array([3.0, 4.0, np.nan])}
    b = {"x": np.array([1.0, 1.0, 1.0])}
    d = paired(a, b, "x", rng, 200)
    assert d["n"] == 2 and d["mean"] == pytest.approx(2.5)
    assert direction(d["ci"]) == "up"
    assert direction([-2.0, -1.0]) == "down" and direction([-1.0, 1.0]) == "flat"
    assert direction([float("nan")] * 2) == "n/a"


@pytest.fixture(scope="module")
def tiny():
    """A live grid: 8-puzzles, two budgets, one capacity (a few seconds)."""
    train = [generate(3, 10 + (7 * s) % 30, seed=900 + s) for s in range(6)]
    heldout = [generate(3, 12 + s, seed=950 + s) for s in range(3)]
    bfs = SearchConfig(algorithm="bfs", budget=200_000)
    config = SavantConfig(
        domain="stp", budgets=(2_000, 200_000), rows_log2=(8,), cap_expansions=60_000,
        small_budget=200, large_budget=200_000, resamples=50,
    )  # fmt: skip
    shortest = [search(t, bfs).actions for t in heldout]
    shortest_rep = [search(t, bfs).actions for t in train[:2]]
    return config, run_savant(
        train, heldout, train[:2], config, shortest=shortest, shortest_repeats=shortest_rep
    )


def test_tiny_grid_has_every_run_and_keeps_the_cap(tiny):
    config, result = tiny
    runs = {r["name"]: r for r in result["runs"]}
    kinds = {r["kind"] for r in result["runs"]}
    assert kinds == {"none", "bootstrap", "equal data", "memoriser"}
    # per B0: lts, xent, xent on D(lts), memoriser, none @ final; plus the uniform row
    assert len(runs) == 1 + 5 * len(config.budgets)
    for r in result["runs"]:
        assert 0.0 <= r["solve_small"] <= r["solve_large"] <= 1.0
        if r["kind"] == "bootstrap":
            # the cap is checked between attempts: one attempt at the run's budget may pass it
            assert r["train_expansions"] <= config.cap_expansions + r["final_budget"]
            assert r["regime"] in ("savant", "learning", "stalled", "none solved")
    uniform = runs["none (uniform)"]
    assert uniform["mean_info_bits"] == 0.0 and uniform["mean_info_shortest_bits"] == 0.0
    for b0 in config.budgets:
        memo = runs[f"B0={b0} memoriser"]
        if memo["train_solved"] == memo["train_problems"]:  # every path stored: replayed
            assert memo["repeats_solve_small"] == 1.0
        none = runs[next(n for n in runs if n.startswith(f"B0={b0} none @"))]
        assert none["train_expansions"] <= config.cap_expansions + none["final_budget"]
    assert set(result["predictions"]) == set(PREDICTION_KEYS)


def test_tiny_grid_reads_into_verdicts_sentences_and_a_figure(tiny):
    config, result = tiny
    verdicts = prediction_verdicts(result)
    # 1: per objective × capacity; 2: per B0; 3: per B0 × capacity
    n_rows = len(config.rows_log2)
    assert len(verdicts) == 2 * n_rows + len(config.budgets) + len(config.budgets) * n_rows
    assert {v["verdict"] for v in verdicts} <= {"agrees", "disagrees", "inconclusive"}
    lines = regime_lines(result)
    assert len(lines) == 2 * n_rows * len(config.budgets)
    regimes = ("savant", "learning", "stalled", "none solved")
    assert all(any(w in line for w in regimes) for line in lines)
    brute = {r["B0"]: r["train_solved"] for r in result["runs"] if r["name"].count("none @")}
    runs = [r for r in result["runs"] if r["kind"] == "bootstrap"]
    for line, r in zip(lines, runs, strict=True):
        assert ("No learning solved more" in line) == (r["train_solved"] < brute[r["B0"]])
    onset = savant_onset(result)
    savant = [r for r in result["runs"] if r["kind"] == "bootstrap" and r["regime"] == "savant"]
    assert set(onset) == {f"{r['objective']} 2^{r['rows_log2']}" for r in savant}
    fig = savant_figure(result["runs"], config.rows_log2, title="t")
    assert len(fig.axes) == 4 and all(ax.get_lines() for ax in fig.axes)


def test_verdicts_follow_the_signs_of_the_data():
    def d(lo, hi):
        return {"mean": (lo + hi) / 2, "ci": [lo, hi], "n": 10}

    lts_6 = {"train_solved": [3, 9], "d_info_bits": d(-2, -1), "d_solve_small": d(-0.5, -0.1)}
    p1 = {
        "compare": "B0=9 minus B0=1",
        "by_run": {
            "lts 2^6": lts_6,  # every part holds
            "xent 2^6": {**lts_6, "train_solved": [9, 3]},  # training falls
            "lts 2^8": {**lts_6, "d_info_bits": d(-2, 1)},  # bits: CI spans 0
        },
    }
    p2 = {
        "1": {
            "memoriser_repeats_solve_small": 1.0,
            "memoriser_heldout_solve_small": 0.2,
            "d_info_bits_memoriser_minus_cm": d(-5, -1),
        }
    }
    p3 = {
        "1 2^6": {"d_info_bits_lts_minus_xent_equal_data": d(0.5, 1.0)},
        "9 2^6": {"d_info_bits_lts_minus_xent_equal_data": d(-1.0, -0.5)},
    }
    result = {"predictions": dict(zip(PREDICTION_KEYS, (p1, p2, p3), strict=True))}
    verdicts = [v["verdict"] for v in prediction_verdicts(result)]
    assert verdicts == ["agrees", "disagrees", "inconclusive", "agrees", "agrees", "disagrees"]
