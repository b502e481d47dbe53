"""PHS* (algorithm ``phs``) with learned heuristics: features, kernel vs reference, files, CLI."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from kairos.cli import app
from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import HEURISTIC_FEATURE_NAMES, Sokoban, SokobanState, read_levels
from kairos.domains.sokoban_togo import packed_features, scratch
from kairos.domains.stp import generate
from kairos.errors import (
    CorruptFileError,
    MalformedFileError,
    MismatchError,
    ValidationError,
)
from kairos.learn.heuristic import fit_heuristic, trajectory_examples
from kairos.policy import policy_by_name
from kairos.search import SearchConfig, reference_search, search
from kairos.search.heuristic import (
    MAGIC,
    VERSION,
    LinearHeuristic,
    heuristic_by_name,
    heuristic_from_bytes,
    load_heuristic,
)
from tests.damage import damaged_copies, raw_pack

LEVELS = read_levels(data_path(BOXOBAN_DEMO))
H = LinearHeuristic("sokoban", HEURISTIC_FEATURE_NAMES, (1.0, 1.5, 0.7, 0.25))


def _same(a, b):
    assert (a.status, a.expansions, a.generated, a.actions) == (
        b.status,
        b.expansions,
        b.generated,
        b.actions,
    )
    if a.solved:
        assert a.solution_log_prob == pytest.approx(b.solution_log_prob, abs=1e-9)


def test_packed_features_equal_the_python_hook_along_random_walks():
    rng = random.Random(0)
    out = np.zeros(len(HEURISTIC_FEATURE_NAMES))
    for level in LEVELS[:20]:
        tables = level.heuristic_tables()
        best, cells = scratch(tables)
        state = level.initial_state()
        for _ in range(100):
            row = level.pack(state)[None, :]
            packed_features(level.neighbours, tables, row, 0, out, best, cells)
            np.testing.assert_array_equal(out, level.heuristic_features(state))
            state = level.step(state, rng.choice(level.legal_actions(state)))


def test_features_are_zero_exactly_at_goal_states():
    level = LEVELS[0]
    goal = SokobanState(level.initial_state().player, level.goals)
    assert level.is_goal(goal)
    assert not level.heuristic_features(goal).any()
    assert level.heuristic_features(level.initial_state())[0] > 0  # boxes off goal


def test_features_count_what_they_say_on_a_small_level():
    level = Sokoban(["########", "#      #", "#@ $ $.#", "#     .#", "########"])
    off, pushes, walk, pairs = level.heuristic_features(level.initial_state())
    # Both boxes' nearest goal is (2,6): 3 + 1 pushes; one box per goal needs 5
    # ((2,3)->(2,6) 3 + (2,5)->(3,6) 2, or 4 + 1). The player is 2 steps from (2,3).
    assert (off, pushes, walk, pairs) == (2, 5, 2, 0)
    level = Sokoban(["#######", "#     #", "#@ $$.#", "#    .#", "#######"])
    assert level.heuristic_features(level.initial_state())[3] == 1  # one adjacent pair


@pytest.mark.parametrize("deadlocks", ["off", "cut", "renormalise"])
def test_compiled_phs_matches_reference_with_a_learned_heuristic(deadlocks):
    policy = policy_by_name("boxoban-cm", domain="sokoban")
    for index in (0, 5, 24):
        for w in (1.0, 3.5):
            config = SearchConfig(
                algorithm="phs", budget=1_500, deadlocks=deadlocks, heuristic=H,
                heuristic_weight=w,
            )  # fmt: skip
            _same(
                search(LEVELS[index], config, policy),
                reference_search(LEVELS[index], config, policy),
            )


def test_compiled_phs_matches_reference_in_tree_search_with_the_uniform_policy():
    for index in (2, 7):
        config = SearchConfig(algorithm="phs", budget=800, state_cut=False, heuristic=H)
        _same(search(LEVELS[index], config), reference_search(LEVELS[index], config))


def test_phs_with_weight_zero_or_zero_weights_is_lts_exactly():
    policy = policy_by_name("boxoban-cm", domain="sokoban")
    zero = LinearHeuristic("sokoban", HEURISTIC_FEATURE_NAMES, (0.0, 0.0, 0.0, 0.0))
    for index in (0, 3, 11):
        lts = search(LEVELS[index], SearchConfig(budget=5_000, deadlocks="cut"), policy)
        for config in (
            SearchConfig(algorithm="phs", budget=5_000, deadlocks="cut", heuristic=H,
                         heuristic_weight=0.0),
            SearchConfig(algorithm="phs", budget=5_000, deadlocks="cut", heuristic=zero),
        ):  # fmt: skip
            _same(search(LEVELS[index], config, policy), lts)


def test_phs_solves_every_level_lts_solves_with_verified_solutions():
    """Completeness with the state cut: PHS* reaches a goal wherever LTS does (replayed)."""
    policy = policy_by_name("boxoban-cm", domain="sokoban")
    learned = heuristic_by_name("boxoban-togo", domain="sokoban")
    fewer = 0
    for level in LEVELS[:30]:
        lts = search(level, SearchConfig(budget=200_000, deadlocks="cut"), policy)
        config = SearchConfig(algorithm="phs", budget=200_000, deadlocks="cut", heuristic=learned)
        phs = search(level, config, policy, verify=True)
        assert lts.solved and phs.solved
        fewer += phs.expansions < lts.expansions
    assert fewer >= 15  # the learned h is informative on most of these training levels


def test_phs_exhausts_an_unsolvable_level_without_a_solution():
    level = Sokoban(["######", "#@$ .#", "#$  .#", "######"])  # box (2,2)... stuck in a corner
    config = SearchConfig(algorithm="phs", budget=100_000, heuristic=H)
    result = search(level, config)
    assert result.status == "exhausted" and not result.solved
    assert reference_search(level, config).expansions == result.expansions


def test_learned_heuristic_is_refused_on_a_domain_without_its_features():
    with pytest.raises(ValidationError, match="heuristic_features"):
        search(generate(3, 10, seed=0), SearchConfig(algorithm="phs", heuristic=H))
    other = LinearHeuristic("sokoban", ("a", "b"), (1.0, 1.0))
    with pytest.raises(ValidationError, match="learned on features"):
        search(LEVELS[0], SearchConfig(algorithm="phs", heuristic=other))


def test_search_config_checks_the_heuristic_fields():
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValidationError, match="heuristic_weight"):
            SearchConfig(algorithm="phs", heuristic_weight=bad)
    with pytest.raises(ValidationError, match="LinearHeuristic"):
        SearchConfig(algorithm="phs", heuristic={"weights": [1.0]})
    with pytest.raises(ValidationError, match=r"weights\[1\]"):
        LinearHeuristic("sokoban", ("a", "b"), (1.0, -0.5))
    with pytest.raises(ValidationError, match="one each"):
        LinearHeuristic("sokoban", ("a", "b"), (1.0,))


class _Line:
    """A toy domain: walk left from n to 0; features (n, n odd)."""

    name = "line"
    action_names = "L"
    heuristic_feature_names = ("left", "odd")

    def __init__(self, n):
        self.n = n

    def initial_state(self):
        return self.n

    def step(self, state, action):
        return state - 1

    def is_goal(self, state):
        return state == 0

    def heuristic_features(self, state):
        return np.array([state, state % 2], dtype=np.float64)


def test_fit_recovers_an_exact_linear_distance_to_go_deterministically():
    solutions = [(_Line(n), [0] * n) for n in (3, 6, 9)]
    x, y = trajectory_examples(*solutions[0])
    assert x.shape == (4, 2) and list(y) == [3, 2, 1, 0]
    a = fit_heuristic(solutions, domain="line")
    b = fit_heuristic(solutions, domain="line")
    assert a.weights == b.weights
    assert a.weights == pytest.approx((1.0, 0.0), abs=1e-12)
    assert a.fit["r2"] == pytest.approx(1.0) and a.fit["states"] == 3 + 6 + 9 + 3


def test_fit_refuses_no_solutions_and_a_non_solution():
    with pytest.raises(ValidationError, match="none given"):
        fit_heuristic([], domain="line")
    with pytest.raises(ValidationError, match="does not reach a goal"):
        fit_heuristic([(_Line(3), [0, 0])], domain="line")


def test_heuristic_file_round_trips_and_is_deterministic(tmp_path):
    path = tmp_path / "h.kheu"
    learned = dataclasses.replace(H, fit={"states": 7})
    learned.save(path)
    loaded = load_heuristic(path, domain="sokoban")
    assert loaded == learned and loaded.fit == {"states": 7}
    assert path.read_bytes() == learned.to_bytes()
    assert path.read_bytes()[:4] == MAGIC


def test_damaged_heuristic_files_raise_typed_errors():
    blob = H.to_bytes()
    for _name, data, error, pattern in damaged_copies(blob):
        with pytest.raises(error, match=pattern):
            heuristic_from_bytes(data)
    with pytest.raises(MismatchError, match="learned for domain 'sokoban'"):
        heuristic_from_bytes(blob, domain="stp")


@pytest.mark.parametrize(
    ("header", "payload", "pattern"),
    [
        ({"domain": "sokoban", "features": ["a"], "weights": [-1.0]}, b"", r"weights\[0\]"),
        ({"domain": "sokoban", "features": ["a"], "weights": ["x"]}, b"", r"weights\[0\]"),
        ({"domain": "sokoban", "features": ["a", "b"], "weights": [1.0]}, b"", "one each"),
        ({"domain": "sokoban", "features": [], "weights": []}, b"", "features"),
        ({"domain": 3, "features": ["a"], "weights": [1.0]}, b"", "domain"),
        ({"domain": "sokoban", "features": [1], "weights": [1.0]}, b"", r"features\[0\]"),
        ({"domain": "sokoban", "features": ["a"], "weights": [1.0]}, b"xx", "payload"),
    ],
)
def test_malformed_heuristic_fields_raise_malformed_file_error(header, payload, pattern):
    data = raw_pack(MAGIC, VERSION, json.dumps(header).encode(), payload)
    with pytest.raises(MalformedFileError, match=pattern):
        heuristic_from_bytes(data, path="h.kheu")


def test_shipped_heuristic_loads_for_sokoban_only():
    shipped = heuristic_by_name("boxoban-togo", domain="sokoban")
    assert shipped.features == HEURISTIC_FEATURE_NAMES and all(w >= 0 for w in shipped.weights)
    assert shipped.fit["solutions"] > 0
    with pytest.raises(MismatchError):
        heuristic_by_name("boxoban-togo", domain="stp")


def _kairos(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_solves_with_phs_and_trains_a_heuristic(tmp_path):
    levels = data_path(BOXOBAN_DEMO)
    out = _kairos("train-heuristic", "sokoban", "--levels", levels, "--limit", 8,
                  "--policy", "boxoban-cm", "-o", tmp_path / "h.kheu", "--json")  # fmt: skip
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["solved"] == 8 and len(summary["weights"]) == 4
    assert load_heuristic(tmp_path / "h.kheu").weights == tuple(summary["weights"])
    for heuristic in ("boxoban-togo", tmp_path / "h.kheu"):
        out = _kairos("solve", "sokoban", "--levels", levels, "--limit", 4, "--policy",
                      "boxoban-cm", "--algo", "phs", "--heuristic", heuristic,
                      "--heuristic-weight", 2, "--out", tmp_path / f"run{len(str(heuristic))}",
                      "--json")  # fmt: skip
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["solved"] == 4


def test_cli_refuses_heuristic_flags_without_phs_and_bad_files(tmp_path):
    levels = data_path(BOXOBAN_DEMO)
    out = _kairos("solve", "sokoban", "--levels", levels, "--heuristic", "boxoban-togo",
                  "--out", tmp_path / "a")  # fmt: skip
    assert isinstance(out.exception, ValidationError) and "--algo phs" in str(out.exception)
    (tmp_path / "bad.kheu").write_bytes(H.to_bytes()[:-5])
    out = _kairos("solve", "sokoban", "--levels", levels, "--algo", "phs", "--heuristic",
                  tmp_path / "bad.kheu", "--out", tmp_path / "b")  # fmt: skip
    assert isinstance(out.exception, CorruptFileError) and "bad.kheu" in str(out.exception)
    out = _kairos("solve", "stp", "--levels", data_path("stp/demo_3x3.txt"), "--algo", "phs",
                  "--heuristic", "boxoban-togo", "--out", tmp_path / "c")  # fmt: skip
    assert isinstance(out.exception, MismatchError)
