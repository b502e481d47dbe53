"""Bootstrap learning: the loop, checkpoints, resume, the pool, the CLI."""

import itertools
import json
import os

import pytest

import kairos.learn.bootstrap as boot
from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
from kairos.domains.stp import generate
from kairos.errors import CorruptFileError, MismatchError, ValidationError
from kairos.learn import BootstrapConfig, run_bootstrap
from kairos.learn.bootstrap import load_checkpoint
from kairos.policy.files import load_policy


@pytest.fixture(scope="module")
def puzzles():
    """3×3 puzzles 20–60 random moves from the goal: uniform LTS needs 10²–10⁴ expansions."""
    return [generate(3, 20 + 2 * i, seed=i) for i in range(20)]


def _config(**kw):
    base = {"domain": "stp", "initial_budget": 100, "l2": 1e-3, "jobs": 1}
    return BootstrapConfig(**{**base, **kw})


def test_bootstrap_solves_all_doubling_the_budget(tmp_path, puzzles):
    events = []
    state, policy = run_bootstrap(
        puzzles, tmp_path, _config(), on_event=lambda k, i: events.append((k, i))
    )
    assert state.stop_reason == "all solved" and len(state.solved) == len(puzzles)
    budgets = [row["budget"] for row in state.log]
    assert budgets == sorted(budgets) and budgets[-1] > budgets[0]
    assert all(b2 in (b1, 2 * b1) for b1, b2 in itertools.pairwise(budgets))
    assert sum(row["new_solved"] for row in state.log) == len(puzzles)
    for i, actions in state.solved.items():  # every stored solution replays
        s = puzzles[i].initial_state()
        for a in actions:
            s = puzzles[i].step(s, a)
        assert puzzles[i].is_goal(s)
    assert sum(k == "attempt" for k, _ in events) == sum(r["attempted"] for r in state.log)
    loaded = load_policy(tmp_path / "policy.kpol", domain="stp")
    assert (loaded.weights == policy.weights).all()
    assert json.loads((tmp_path / "summary.json").read_text())["solved"] == len(puzzles)
    assert (tmp_path / "log.csv").read_text().count("\n") == len(state.log) + 1


def test_resume_after_cap_equals_uninterrupted_run(tmp_path, puzzles, monkeypatch):
    full, _ = run_bootstrap(puzzles, tmp_path / "full", _config())
    monkeypatch.setattr(boot, "CHUNK", 3)  # checkpoint inside iterations too
    part, _ = run_bootstrap(puzzles, tmp_path / "cut", _config(max_expansions=5_000))
    assert part.stop_reason == "expansion cap" and len(part.solved) < len(puzzles)
    _, saved, _ = load_checkpoint(tmp_path / "cut")
    assert saved.solved == part.solved
    resumed, _ = run_bootstrap(puzzles, tmp_path / "cut", _config(), resume=True)
    assert resumed.stop_reason == "all solved"
    assert resumed.solved == full.solved
    assert [r["budget"] for r in resumed.log] == [r["budget"] for r in full.log]


def test_resume_checks_problems_and_file(tmp_path, puzzles):
    run_bootstrap(puzzles[:5], tmp_path, _config(max_expansions=1))
    with pytest.raises(MismatchError, match="different set of training problems"):
        run_bootstrap(puzzles[5:10], tmp_path, resume=True)
    blob = bytearray((tmp_path / "checkpoint.kbst").read_bytes())
    blob[20] ^= 0xFF
    (tmp_path / "checkpoint.kbst").write_bytes(bytes(blob))
    with pytest.raises(CorruptFileError, match=r"checkpoint\.kbst"):
        run_bootstrap(puzzles[:5], tmp_path, resume=True)
    with pytest.raises(ValidationError, match="objective"):
        _config(objective="mse")


def test_pool_gives_the_same_run(tmp_path, puzzles):
    one, _ = run_bootstrap(puzzles[:10], tmp_path / "a", _config())
    two, _ = run_bootstrap(puzzles[:10], tmp_path / "b", _config(jobs=2))
    assert one.solved == two.solved
    assert [r["expansions"] for r in one.log] == [r["expansions"] for r in two.log]


def _kairos(*args, cwd):
    """Run the CLI in-process (the compiled kernels stay loaded)."""
    from typer.testing import CliRunner

    from kairos.cli import app

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


def test_train_cli_then_solve_with_the_policy(tmp_path):
    levels = str(data_path(STP_3X3_DEMO))
    out = _kairos(
        "train",
        "stp",
        "--levels",
        levels,
        "--out",
        "run",
        "--budget",
        "1000",
        "--limit",
        "8",
        "--jobs",
        "1",
        cwd=tmp_path,
    )
    assert out.exit_code == 0, out.output
    assert "stopped: all solved" in out.output and "solved 8/8" in out.output
    assert (tmp_path / "run" / "policy.kpol").exists()
    assert (tmp_path / "run" / "run.json").exists()
    again = _kairos(
        "train", "stp", "--levels", levels, "--limit", "8", "--out", "run", "--resume", cwd=tmp_path
    )
    assert again.exit_code == 0, again.output
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["status"] == "completed" and "resumed_utc" in meta
    assert meta["results"]["solved"] == 8
    solved = _kairos(
        "solve",
        "stp",
        "--levels",
        levels,
        "--policy",
        "run/policy.kpol",
        "--budget",
        "50000",
        "--out",
        "s",
        cwd=tmp_path,
    )
    assert solved.exit_code == 0, solved.output
    assert "20/20" in solved.output
    wrong = _kairos(
        "solve",
        "sokoban",
        "--levels",
        str(data_path(BOXOBAN_DEMO)),
        "--policy",
        "run/policy.kpol",
        cwd=tmp_path,
    )
    assert isinstance(wrong.exception, MismatchError)
    assert "trained for domain 'stp'" in str(wrong.exception)
    missing = _kairos(
        "train", "stp", "--levels", levels, "--out", "nothing", "--resume", cwd=tmp_path
    )
    assert isinstance(missing.exception, ValidationError)
    assert "no checkpoint" in str(missing.exception)


def test_learning_demo_section_quick(tmp_path):
    from kairos.demo import run_demo

    path, failed = run_demo(tmp_path / "demo", quick=True, sections=["learning"])
    assert failed == []
    html = path.read_text()
    assert "Learning to search faster" in html and "shipped Boxoban policy" in html
    assert (tmp_path / "demo" / "bootstrap" / "policy.kpol").exists()


def test_shipped_policy_by_name_beats_uniform():
    from kairos.domains.sokoban import read_levels
    from kairos.policy import POLICIES
    from kairos.search import SearchConfig, search

    shipped = POLICIES["boxoban-cm"]()
    levels = read_levels(data_path(BOXOBAN_DEMO))[:10]
    cfg = SearchConfig(budget=20_000)
    cm = sum(search(lv, cfg, shipped).expansions for lv in levels)
    uniform = sum(search(lv, cfg).expansions for lv in levels)
    assert cm < uniform / 2
    with pytest.raises(MismatchError, match="cannot guide a SlidingTile"):
        search(generate(3, 10, seed=0), cfg, shipped)


@pytest.mark.ray
@pytest.mark.slow  # starting Ray takes 20-50 s on a shared 2-core box
def test_ray_executor_matches_local_pool(tmp_path, puzzles):
    pytest.importorskip("ray")
    import ray

    local, _ = run_bootstrap(puzzles[:8], tmp_path / "local", _config(jobs=2))
    try:
        remote, _ = run_bootstrap(puzzles[:8], tmp_path / "ray", _config(jobs=2, executor="ray"))
    finally:
        ray.shutdown()
    assert remote.solved == local.solved
    assert [r["expansions"] for r in remote.log] == [r["expansions"] for r in local.log]


def test_initial_policy_sets_the_capacity(tmp_path, puzzles):
    from kairos.policy.cm import ContextModelPolicy
    from kairos.policy.contexts import stp_spec

    small = ContextModelPolicy("stp", spec=stp_spec(6))
    state, policy = run_bootstrap(puzzles[:6], tmp_path, _config(), initial_policy=small)
    assert policy is small and len(state.solved) == 6
    assert load_policy(tmp_path / "policy.kpol", domain="stp").spec.log2_rows == 6
    with pytest.raises(ValidationError, match="initial_policy"):
        run_bootstrap(
            puzzles, tmp_path / "x", _config(), initial_policy=ContextModelPolicy("sokoban")
        )


def test_cheap_refits_and_deadlock_pruning_in_the_loop(tmp_path):
    from kairos.domains.sokoban import read_levels

    levels = read_levels(data_path(BOXOBAN_DEMO))[:12]
    config = BootstrapConfig(
        domain="sokoban", initial_budget=2_000, l2=1e-4, max_expansions=300_000,
        deadlocks="cut", fit_method="lbfgs", fit_stall_tol=1e-3,
    )  # fmt: skip
    state, _ = run_bootstrap(levels, tmp_path, config)
    assert state.solved and any(row["train_iterations"] != "" for row in state.log)
    saved, _, _ = load_checkpoint(tmp_path)
    assert (saved.deadlocks, saved.fit_method, saved.fit_stall_tol) == ("cut", "lbfgs", 1e-3)


def test_checkpoint_config_without_the_later_fields_takes_their_defaults():
    from dataclasses import asdict

    old = asdict(_config())
    for name in ("deadlocks", "fit_method", "fit_stall_tol"):
        del old[name]
    config = boot._checked_config(old)
    assert (config.deadlocks, config.fit_method, config.fit_stall_tol) == ("off", "lbfgsb", None)


@pytest.mark.parametrize(
    "field, kw",
    [
        ("deadlocks", {"deadlocks": "always"}),
        ("fit_method", {"fit_method": "sgd"}),
        ("fit_stall_tol", {"fit_stall_tol": 1e-3}),  # needs fit_method="lbfgs"
        ("fit_stall_tol", {"fit_method": "lbfgs", "fit_stall_tol": -1.0}),
    ],
)
def test_bad_refit_and_deadlock_settings_name_the_field(field, kw):
    with pytest.raises(ValidationError, match=field):
        _config(**kw)


def test_cached_solution_rows_give_the_same_data_as_rebuilding_them(puzzles, monkeypatch):
    import numpy as np

    from kairos.policy.cm import ContextModelPolicy
    from kairos.policy.loss import trajectories_from_solutions
    from kairos.search import SearchConfig, search

    paths = {
        i: list(search(p, SearchConfig(budget=50_000)).actions) for i, p in enumerate(puzzles[:6])
    }
    state = boot.BootstrapState(problems_digest="0" * 64, budget=1, solved=paths)
    seen = []
    original = boot.fit

    def spy(data, beta, **kw):
        seen.append(data)
        return original(data, beta, **kw)

    monkeypatch.setattr(boot, "fit", spy)
    boot._retrain(ContextModelPolicy("stp"), puzzles, state, _config(), None)
    cache: dict = {}
    boot._retrain(ContextModelPolicy("stp"), puzzles, state, _config(), cache)
    boot._retrain(ContextModelPolicy("stp"), puzzles, state, _config(), cache)  # from the cache
    assert len(cache) == sum(1 for p in paths.values() if p)
    direct = trajectories_from_solutions(
        ContextModelPolicy("stp"), puzzles[:6], [paths[i] for i in range(6)]
    )
    for data in seen:
        for name in ("rows", "legal", "actions", "starts"):
            assert np.array_equal(getattr(data, name), getattr(direct, name))


def test_train_and_solve_cli_with_deadlocks_and_cheap_refits(tmp_path):
    levels = str(data_path(BOXOBAN_DEMO))
    out = _kairos(
        "train", "sokoban", "--levels", levels, "--out", "run", "--limit", "6", "--jobs", "1",
        "--max-expansions", "100000", "--deadlocks", "cut", "--fit-method", "lbfgs",
        "--fit-max-iter", "50", cwd=tmp_path,
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    saved, _, _ = load_checkpoint(tmp_path / "run")
    assert (saved.deadlocks, saved.fit_method, saved.fit_max_iter) == ("cut", "lbfgs", 50)
    rows = []
    for mode in ("off", "cut"):
        res = _kairos(
            "solve", "sokoban", "--levels", levels, "--limit", "4", "--budget", "20000",
            "--deadlocks", mode, "--results", f"{mode}.csv", cwd=tmp_path,
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        rows.append((tmp_path / f"{mode}.csv").read_text())
    assert rows[0] != rows[1]  # fewer expansions with the cut


def test_refit_on_stop_learns_from_the_cut_iteration(tmp_path, puzzles):
    cap = 200_000  # the cap falls inside the first iteration that solves anything
    plain, _ = run_bootstrap(puzzles, tmp_path / "plain", _config(max_expansions=cap))
    refit, policy = run_bootstrap(
        puzzles, tmp_path / "refit", _config(max_expansions=cap, refit_on_stop=True)
    )
    assert plain.stop_reason == refit.stop_reason == "expansion cap"
    assert refit.solved == plain.solved and refit.solved
    assert len(refit.log) == len(plain.log) + 1  # the cut iteration has its row, refitted
    last = refit.log[-1]
    assert last["new_solved"] == len(refit.solved) and last["train_iterations"] != ""
    assert last["attempted"] < len(puzzles)  # cut short
    assert last["budget"] == refit.budget  # a cut iteration never doubles the budget
    assert not plain.log[-1]["new_solved"] and policy.weights[1:].any()  # it learnt
    saved = load_policy(tmp_path / "refit" / "policy.kpol", domain="stp")
    assert (saved.weights == policy.weights).all()


def test_context_set_and_refit_on_stop_are_checkpointed(tmp_path):
    from kairos.domains.sokoban import read_levels

    levels = read_levels(data_path(BOXOBAN_DEMO))[:3]
    config = BootstrapConfig(
        domain="sokoban", max_expansions=3_000, contexts="push-dead", refit_on_stop=True
    )
    run_bootstrap(levels, tmp_path, config)
    saved, _, policy = load_checkpoint(tmp_path)
    assert (saved.contexts, saved.refit_on_stop) == ("push-dead", True)
    assert policy.spec.tiles == "dead" and policy.spec.num_patterns == 35
    with pytest.raises(ValidationError, match="contexts"):
        BootstrapConfig(domain="stp", contexts="push-dead")


def test_train_cli_context_set_and_budget_schedule(tmp_path):
    levels = str(data_path(BOXOBAN_DEMO))
    out = _kairos(
        "train", "sokoban", "--levels", levels, "--out", "run", "--limit", "4", "--jobs", "1",
        "--max-expansions", "20000", "--contexts", "push-dead", "--min-new-fraction", "0.5",
        "--max-budget", "4000", cwd=tmp_path,
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    saved, _, policy = load_checkpoint(tmp_path / "run")
    assert (saved.contexts, saved.min_new_fraction, saved.max_budget) == ("push-dead", 0.5, 4000)
    assert policy.spec.tiles == "dead"
    bad = _kairos(
        "train", "sokoban", "--levels", levels, "--out", "bad", "--contexts", "huge", cwd=tmp_path
    )
    assert isinstance(bad.exception, ValidationError) and "--contexts" in str(bad.exception)


def test_stops_when_the_largest_budget_solves_nothing_new(tmp_path, puzzles):
    state, _ = run_bootstrap(puzzles, tmp_path, _config(max_budget=200, max_expansions=10**6))
    assert state.stop_reason == "max budget exhausted" and len(state.solved) < len(puzzles)
    assert state.log[-1]["budget"] == 200 and state.log[-1]["new_solved"] == 0
    assert [r["budget"] for r in state.log].count(200) == 1 + sum(
        r["new_solved"] > 0 for r in state.log if r["budget"] == 200
    )
