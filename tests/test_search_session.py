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


@pytest.mark.parametrize("algorithm", ["lts", "bfs", "wastar"])
@pytest.mark.parametrize("state_cut", [True, False])
def test_the_pure_python_session_suspends_like_the_compiled_one(algorithm, state_cut):
    from kairos.search.reference import ReferenceSession, reference_search

    puzzle = generate(3, 10, seed=1)
    config = SearchConfig(algorithm=algorithm, budget=200_000, state_cut=state_cut, batch_size=1)
    whole = reference_search(puzzle, config)
    assert whole.solved
    python, compiled = ReferenceSession(puzzle, config), SearchSession(puzzle, config)
    slices = 0
    while not python.done:
        step = 2 + 7 * slices
        python.advance(step)
        compiled.advance(step)
        slices += 1
        assert python.status == compiled.status
        assert python.expansions == compiled.expansions
        assert python.frontier_size == compiled.frontier_size
        assert python.frontier_min == pytest.approx(compiled.frontier_min, abs=1e-9)
    assert slices > 1
    sliced = python.result()
    assert sliced.actions == whole.actions == compiled.result().actions
    assert (sliced.expansions, sliced.generated) == (whole.expansions, whole.generated)


def test_open_session_picks_the_search_that_can_run_it():
    from kairos.policy import UniformPolicy
    from kairos.search.engine import open_session
    from kairos.search.reference import ReferenceSession

    class Plain:  # a domain with no compiled form: delegate to a puzzle
        def __init__(self, inner):
            self.inner, self.name, self.action_names = inner, inner.name, inner.action_names

        def __getattr__(self, name):
            if name in ("compile", "pack"):
                raise AttributeError(name)
            return getattr(self.inner, name)

    puzzle = generate(3, 6, seed=0)
    assert isinstance(open_session(puzzle, SearchConfig(), UniformPolicy()), SearchSession)
    assert isinstance(open_session(Plain(puzzle)), ReferenceSession)
    with pytest.raises(ValidationError, match="compiled form"):
        SearchSession(Plain(puzzle))
