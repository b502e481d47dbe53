"""SearchSession: slices of any size expand exactly what one uninterrupted search does."""

from __future__ import annotations

import pytest

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.errors import ValidationError
from kairos.search.engine import SearchConfig, SearchSession, search


@pytest.mark.parametrize("algorithm", ["lts", "bfs", "wastar"])
def test_slices_equal_one_search(algorithm):
    puzzle = generate(4, 12, seed=3)
    config = SearchConfig(algorithm=algorithm, budget=200_000)
    whole = search(puzzle, config)
    assert whole.solved
    session = SearchSession(puzzle, config)
    slices = 0
    while not session.done:
        session.advance(3 + 13 * slices)
        slices += 1
    sliced = session.result()
    assert slices > 1
    assert sliced.actions == whole.actions
    assert sliced.expansions == whole.expansions
    assert sliced.generated == whole.generated


def test_suspended_search_reports_frontier_and_resumes_on_sokoban():
    level = read_levels(data_path(BOXOBAN_DEMO))[0]
    session = SearchSession(level)
    assert session.advance(50) == "budget_exhausted"
    assert session.expansions == 50
    assert session.frontier_size > 0
    assert session.frontier_min > 0
    assert not session.result().solved
    while session.advance(5_000) == "budget_exhausted":
        pass
    assert session.status == "solved"
    assert session.result().expansions == search(level, SearchConfig(budget=10**7)).expansions


def test_advance_rejects_non_positive_slices():
    with pytest.raises(ValidationError):
        SearchSession(generate(3, 5, seed=0)).advance(0)
