"""The one parallel runner: serial path raises, typed errors cross processes, order, stop."""

import pickle

import pytest

from kairos import errors
from kairos.domains.stp import generate
from kairos.errors import ValidationError
from kairos.search import SearchConfig
from kairos.search.parallel import solve_all, solve_iter


@pytest.mark.parametrize(
    "exc",
    [
        errors.InputFormatError("levels.txt", 3, "bad row"),
        errors.ValidationError("--jobs", "got 0"),
        errors.FileFormatError("p.kpol", "truncated"),
        errors.MismatchError("p.kpol", "made for sokoban"),
        errors.CorruptFileError(None, "checksum"),
        errors.UnsolvableError("odd parity"),
        errors.SolutionError("does not replay"),
    ],
)
def test_every_kairos_error_pickles_intact(exc):
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc) and back.args == exc.args
    assert vars(back) == vars(exc)


def _puzzles(n=6):
    return [generate(3, 18, seed=s) for s in range(n)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_typed_error_is_raised_as_itself_serially_and_in_the_pool(jobs):
    with pytest.raises(ValidationError, match="int32 node indices") as err:
        solve_all(_puzzles(3), SearchConfig(budget=2**30), jobs=jobs)
    assert err.value.field == "budget"


def test_ordered_and_completion_order_give_the_same_attempts():
    puzzles = _puzzles()
    config = SearchConfig(budget=20_000)
    wanted = [4, 0, 5, 2]
    ordered = list(solve_iter(puzzles, config, indices=wanted, jobs=2, ordered=True))
    assert [a.index for a in ordered] == wanted
    loose = list(solve_iter(puzzles, config, indices=wanted, jobs=2))
    assert sorted(a.index for a in loose) == sorted(wanted)
    serial = {a.index: a.expansions for a in solve_iter(puzzles, config, indices=wanted)}
    assert {a.index: a.expansions for a in ordered} == serial


@pytest.mark.parametrize("jobs", [1, 2])
def test_should_stop_ends_the_run_early(jobs):
    """No problem starts once it says stop; the ones in flight (4 per job) still report."""
    seen = []
    for att in solve_iter(_puzzles(24), SearchConfig(budget=2_000), jobs=jobs,
                          should_stop=lambda: len(seen) >= 2):  # fmt: skip
        seen.append(att.index)
    assert 2 <= len(seen) <= 2 + 4 * jobs if jobs > 1 else len(seen) == 2


@pytest.mark.parametrize(("executor", "jobs", "field"), [("dask", 1, "--executor"),
                                                         ("local", 0, "--jobs")])  # fmt: skip
def test_bad_executor_or_jobs_names_the_flag(executor, jobs, field):
    with pytest.raises(ValidationError) as err:
        list(solve_iter(_puzzles(1), SearchConfig(), executor=executor, jobs=jobs))
    assert err.value.field == field


def test_speedup_measures_each_prior_through_the_runner():
    """kairos speedup --jobs N: the same results as one process."""
    from kairos.speedup.measure import measure_prior

    tasks = _puzzles(4)
    config = SearchConfig(budget=20_000, state_cut=False)
    serial = measure_prior(tasks, None, config)
    pooled = measure_prior(tasks, None, config, jobs=2)
    assert [r.expansions for r in pooled] == [r.expansions for r in serial]
    assert [r.actions for r in pooled] == [r.actions for r in serial]
