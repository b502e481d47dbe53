"""Predicting the value of more search, and spending a global budget with it."""

from __future__ import annotations

import numpy as np
import pytest

from kairos.agent.allocator import allocate_by_index, allocate_fixed, allocate_round_robin
from kairos.agent.value import (
    FEATURES,
    Snapshot,
    SuccessPredictor,
    collect_examples,
    reliability,
)
from kairos.domains.sokoban import parse_levels
from kairos.domains.stp import generate
from kairos.errors import ValidationError
from kairos.search.engine import SearchConfig, SearchSession, search

DEAD = """#######
#$    #
#     #
#  @ .#
#######
"""


def _tasks():
    easy = [generate(3, 6 + s % 5, seed=s) for s in range(8)]
    hard = [generate(4, 60, seed=s) for s in range(3)]
    (dead,) = parse_levels(DEAD)
    return easy + hard + [dead]


@pytest.fixture(scope="module")
def predictor():
    train = [generate(3, 4 + s, seed=100 + s) for s in range(20)]
    train += [generate(4, 30 + 4 * s, seed=200 + s) for s in range(10)]
    X, y = collect_examples([SearchSession(t) for t in train], first_slice=50, cap=20_000)
    return SuccessPredictor().fit(X, y)


def test_more_time_is_predicted_to_help(predictor):
    snap = Snapshot(spent=500, frontier_min=8.0, frontier_size=900, root_heuristic=10, dead=False)
    p = [predictor.probability(snap, d) for d in (100, 1000, 10_000)]
    assert p[0] < p[1] < p[2]
    dead = Snapshot(spent=500, frontier_min=8.0, frontier_size=900, root_heuristic=10, dead=True)
    assert predictor.probability(dead, 10_000) == 0.0


def test_reliability_bins_cover_every_prediction():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=2000)
    y = (rng.uniform(size=2000) < p).astype(float)
    table = reliability(p, y, bins=5)
    assert sum(row["count"] for row in table) == 2000
    for row in table:  # outcomes drawn with probability p are calibrated
        assert abs(row["predicted"] - row["observed"]) < 0.06


def test_fit_rejects_bad_input():
    with pytest.raises(ValidationError):
        SuccessPredictor().fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValidationError):
        SuccessPredictor().fit(np.zeros((4, len(FEATURES))), np.zeros(4))
    with pytest.raises(ValidationError):
        SuccessPredictor(l2=-1.0)


def test_baselines_respect_budget_share_and_cap():
    tasks = _tasks()
    fixed = allocate_fixed(tasks, 60_000)
    share = 60_000 // len(tasks)
    assert fixed.expansions <= 60_000
    assert all(t.expansions <= share for t in fixed.tasks)
    rr = allocate_round_robin(tasks, 60_000, slice_size=500, cap=8_000)
    assert rr.expansions <= 60_000
    assert all(t.expansions <= 8_000 for t in rr.tasks)
    assert fixed.tasks[-1].outcome != "solved" and rr.tasks[-1].outcome != "solved"


def test_index_allocator_skips_dead_tasks_and_loses_no_work(predictor):
    tasks = _tasks()
    alloc = allocate_by_index(tasks, 60_000, predictor, value=60_000, first_slice=50)
    assert alloc.expansions <= 60_000
    dead = alloc.tasks[-1]
    assert dead.outcome == "abandoned" and dead.expansions == 0
    for task, outcome in zip(tasks, alloc.tasks, strict=True):
        if outcome.outcome == "solved":  # resumed slices cost exactly one search
            assert outcome.expansions == search(task, SearchConfig(budget=10**6)).expansions
    fixed = allocate_fixed(tasks, 60_000)
    assert alloc.solved >= fixed.solved
    assert alloc.hopeless_share <= fixed.hopeless_share


def test_index_allocator_validates_arguments(predictor):
    with pytest.raises(ValidationError):
        allocate_by_index(_tasks(), 1000, predictor, value=0)
    with pytest.raises(ValidationError):
        allocate_by_index([], 1000, predictor, value=10)
    with pytest.raises(ValidationError):
        allocate_fixed(_tasks(), 0)
