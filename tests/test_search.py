import math
from collections import deque

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import parse_levels, read_levels
from kairos.domains.stp import SlidingTile, generate
from kairos.errors import SolutionError, ValidationError
from kairos.policy import HashedRandomPolicy, UniformPolicy
from kairos.search import ALGORITHMS, SearchConfig, reference_search, search
from kairos.search.parallel import solve_all

# The box can slide along the top row but never reach the goal row: unsolvable,
# with a small finite state space.
DEAD_END = "#######\n#@ $  #\n#.    #\n#######\n"


class PythonUniform(UniformPolicy):
    """The uniform policy, but evaluated in Python batches like a neural network."""

    compiled = None

    def __init__(self):
        super().__init__()
        self.calls = 0

    def log_probs(self, states, last_actions, domain):
        self.calls += 1
        return np.zeros((len(states), domain.neighbours.shape[1]))


def _num_states(domain):
    seen = {domain.key(domain.initial_state())}
    queue = deque([domain.initial_state()])
    while queue:
        s = queue.popleft()
        for a in domain.legal_actions(s):
            t = domain.step(s, a)
            if domain.key(t) not in seen:
                seen.add(domain.key(t))
                queue.append(t)
    return len(seen)


def _same(a, b):
    assert (a.status, a.expansions, a.generated, a.actions) == (
        b.status,
        b.expansions,
        b.generated,
        b.actions,
    )
    if a.solved:
        assert a.log_bound == pytest.approx(b.log_bound, abs=1e-9)


@pytest.mark.parametrize("algo", ALGORITHMS)
def test_compiled_matches_reference_on_sokoban(algo):
    levels = read_levels(data_path(BOXOBAN_DEMO))
    for index, budget in ((24, 10_000), (0, 3_000)):
        config = SearchConfig(algorithm=algo, budget=budget)
        _same(search(levels[index], config), reference_search(levels[index], config))


@pytest.mark.parametrize("algo", ALGORITHMS)
def test_compiled_matches_reference_on_sliding_tile(algo):
    for seed in range(3):
        puzzle = generate(3, 16, seed=seed)
        config = SearchConfig(algorithm=algo, budget=20_000)
        _same(search(puzzle, config), reference_search(puzzle, config))
    big = generate(5, 12, seed=1)  # 4-word packed states
    _same(
        search(big, SearchConfig(budget=3_000)), reference_search(big, SearchConfig(budget=3_000))
    )


def test_lts_guarantee_with_random_policies():
    """Expansions never exceed d(n*)/π(n*) (Orseau et al. 2018, Theorem 1)."""
    checked = 0
    for seed in range(6):
        puzzle = generate(3, 8 + 2 * seed, seed=100 + seed)
        policy = HashedRandomPolicy(seed=seed, temperature=1.0)
        for batch_size in (1, 8):  # batches pop nodes no costlier than n* as well
            config = SearchConfig(budget=200_000, batch_size=batch_size)
            result = search(puzzle, config, policy)
            assert result.solved
            assert result.expansions <= math.exp(result.log_bound)
            checked += 1
    (level,) = parse_levels("#######\n#@ $ .#\n#  $ .#\n#######\n")
    for seed in range(4):
        result = search(level, SearchConfig(batch_size=1), HashedRandomPolicy(seed=seed))
        assert result.solved and result.expansions <= math.exp(result.log_bound)
        checked += 1
    assert checked == 16


def test_random_policy_compiled_matches_reference():
    puzzle = generate(3, 14, seed=7)
    policy = HashedRandomPolicy(seed=1, temperature=1.0)
    _same(
        search(puzzle, SearchConfig(batch_size=1), policy),
        reference_search(puzzle, SearchConfig(), policy),
    )


def test_state_cut_exhausts_finite_space():
    """Without the state cut the tree is infinite; a wrong cut changes the counts."""
    (level,) = parse_levels(DEAD_END)
    num_states = _num_states(level)
    bfs = search(level, SearchConfig(algorithm="bfs", budget=10_000))
    assert bfs.status == "exhausted" and bfs.expansions == num_states
    lts = search(level, SearchConfig(budget=10_000))
    assert lts.status == "exhausted"
    assert num_states <= lts.expansions < 3 * num_states
    _same(lts, reference_search(level, SearchConfig(budget=10_000)))


@pytest.mark.parametrize("seed", range(4))
def test_state_cut_keeps_best_expanded_probability(seed):
    """With a non-uniform policy a state is re-expanded when reached with a higher π,
    and the table must then remember the *new* best: a cut that keeps the first value,
    compares the wrong way, uses depth or ignores π changes these exhaustive counts."""
    (level,) = parse_levels(DEAD_END)
    num_states = _num_states(level)
    config = SearchConfig(budget=10_000, batch_size=1)
    for temperature in (1.0, 3.0):
        policy = HashedRandomPolicy(seed=seed, temperature=temperature)
        result = search(level, config, policy)
        assert result.status == "exhausted" and result.expansions >= num_states
        _same(result, reference_search(level, config, policy))


def test_batched_python_policy_equals_compiled_policy():
    level = read_levels(data_path(BOXOBAN_DEMO))[24]
    compiled = search(level, SearchConfig(budget=10_000))
    policy = PythonUniform()
    sequential = search(level, SearchConfig(budget=10_000, batch_size=1), policy)
    _same(compiled, sequential)
    policy = PythonUniform()
    batched = search(level, SearchConfig(budget=10_000, batch_size=16), policy)
    assert batched.solved and policy.calls < sequential.expansions / 8


def test_lts_uniform_vs_bfs_lengths_on_sliding_tile():
    """LTS with π uniform over *legal* moves is not BFS: π(n) depends on the branching
    along the path (2 moves from a corner, 4 from the centre), so a slightly longer
    path through low-branching states can cost less. Its length is never shorter than
    BFS's optimum and matches it on most instances."""
    equal = 0
    for seed in range(12):
        puzzle = generate(3, 20, seed=seed)
        lts, bfs = search(puzzle, SearchConfig()), search(puzzle, SearchConfig(algorithm="bfs"))
        assert lts.length >= bfs.length
        equal += lts.length == bfs.length
    assert equal >= 9


def test_uniform_solution_probability_and_bound():
    """log π(n*) is the sum of −log |legal(s_t)| along the returned path, recomputed
    here by replaying it; the bound is (length + 1)/π(n*)."""
    for problem in (read_levels(data_path(BOXOBAN_DEMO))[24], generate(4, 14, seed=2)):
        result = search(problem, SearchConfig(budget=50_000))
        assert result.solved
        state, log_prob = problem.initial_state(), 0.0
        for action in result.actions:
            log_prob -= math.log(len(problem.legal_actions(state)))
            state = problem.step(state, action)
        assert problem.is_goal(state)
        assert result.solution_log_prob == pytest.approx(log_prob, abs=1e-9)
        assert result.bound == pytest.approx((result.length + 1) * math.exp(-log_prob))
        assert result.action_names == "".join("UDLR"[a] for a in result.actions)
        assert 0 < result.expansions < result.generated and result.seconds > 0


class _LyingGoal(SlidingTile):
    """A sliding-tile puzzle whose Python goal test disagrees with its compiled one."""

    def is_goal(self, state):
        return False


def test_solutions_are_verified_by_replay():
    puzzle = generate(3, 10, seed=4)
    liar = _LyingGoal(puzzle.tiles, 3, name="liar")
    with pytest.raises(SolutionError, match="liar: the returned solution does not replay"):
        search(liar, SearchConfig())
    assert search(liar, SearchConfig(), verify=False).solved


def test_process_pool_reports_a_worker_error_as_itself():
    """A kairos error raised in a worker reaches the caller with its type and message."""
    puzzles = [generate(3, 10, seed=4), _LyingGoal(generate(3, 10, seed=5).tiles, 3, name="liar")]
    with pytest.raises(SolutionError, match="liar: the returned solution does not replay"):
        solve_all(puzzles, SearchConfig(), jobs=2)
    with pytest.raises(ValidationError, match="int32 node indices") as err:
        solve_all(puzzles, SearchConfig(budget=2**30), jobs=2)
    assert err.value.field == "budget"


def test_process_pool_gives_the_same_results():
    puzzles = [generate(3, 18, seed=s) for s in range(6)]
    config = SearchConfig(budget=20_000)
    serial = solve_all(puzzles, config, jobs=1)
    pooled = solve_all(puzzles, config, jobs=2)
    for a, b in zip(serial, pooled, strict=True):
        assert a.problem == b.problem
        _same(a, b)


def test_budget_exhausted_and_result_row():
    level = read_levels(data_path(BOXOBAN_DEMO))[0]
    result = search(level, SearchConfig(budget=500))
    assert result.status == "budget_exhausted" and result.expansions == 500
    row = result.row()
    assert list(row)[:6] == ["problem", "status", "expansions", "generated", "length", "seconds"]
    assert math.isnan(result.bound) and result.memory_bytes > 0


def test_growth_keeps_results_identical():
    puzzle = generate(4, 16, seed=13)  # forces several node/table reallocations
    _same(
        search(puzzle, SearchConfig(budget=30_000)),
        reference_search(puzzle, SearchConfig(budget=30_000)),
    )


def test_budget_beyond_int32_node_indices_is_rejected():
    with pytest.raises(ValidationError, match="int32 node indices") as err:
        search(generate(3, 4, seed=0), SearchConfig(budget=2**30))
    assert err.value.field == "budget"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("algorithm", {"algorithm": "dfs"}),
        ("budget", {"budget": 0}),
        ("weight", {"weight": -1.0}),
        ("batch_size", {"batch_size": 0}),
    ],
)
def test_search_config_validation(field, kwargs):
    with pytest.raises(ValidationError) as err:
        SearchConfig(**kwargs)
    assert err.value.field == field
