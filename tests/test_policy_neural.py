"""The convolutional policy: grid encoding, batched search, training, files."""

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.errors import MalformedFileError, ValidationError
from kairos.policy.files import load_policy, policy_bytes, read_policy_file
from kairos.policy.neural import NetSpec, NeuralPolicy, encode, train_nn
from kairos.search import SearchConfig, search
from tests.damage import unchecked_policy_bytes

torch = pytest.importorskip("torch")


def test_sokoban_encoding_matches_the_level():
    for level in read_levels(data_path(BOXOBAN_DEMO))[:5]:
        compiled = level.compile()
        grids, agent = encode(compiled, compiled.initial[None])
        g = grids[0]
        # re-render from the encoding: floor, goal, box, player channels
        text = level.render(level.initial_state()).splitlines()
        top = min(r for r, _ in level.cells) - 1
        left = min(c for _, c in level.cells) - 1
        for (r, c), i in zip(level.cells, range(len(level.cells)), strict=True):
            ch = text[r][c]
            y, x = r - top, c - left
            assert g[0, y, x] == 1.0
            assert g[1, y, x] == float(i in level.goals)
            assert g[2, y, x] == float(ch in "$*")
            assert g[3, y, x] == float(ch in "@+")
        assert g[0].sum() == len(level.cells)
        assert tuple(agent[0]) == (
            level.cells[level.initial_state().player][0] - top,
            level.cells[level.initial_state().player][1] - left,
        )


def test_stp_encoding_is_one_hot_tiles():
    p = generate(4, 30, seed=3)
    compiled = p.compile()
    grids, agent = encode(compiled, compiled.initial[None])
    tiles = np.argmax(grids[0], axis=0).ravel()
    assert tuple(tiles) == p.tiles
    assert grids[0].sum() == 16
    assert divmod(p.tiles.index(0), 4) == tuple(agent[0])


@pytest.mark.parametrize("objective", ["xent", "lts"])
def test_training_speeds_up_batched_search(objective):
    torch.set_num_threads(1)
    puzzles = [generate(3, 24 + 2 * i, seed=i) for i in range(10)]
    uniform = [search(p, SearchConfig(budget=100_000)) for p in puzzles]
    policy = NeuralPolicy(NetSpec("stp", width=16, layers=3, hidden=32), seed=0)
    report = train_nn(
        policy,
        puzzles,
        [r.actions for r in uniform],
        objective=objective,
        epochs=25,
        batch_trajectories=5,
    )
    assert report["final_loss"] < report["initial_loss"]
    trained = [search(p, SearchConfig(budget=100_000, batch_size=16), policy) for p in puzzles]
    assert all(r.solved for r in trained)
    assert sum(r.expansions for r in trained) < 0.5 * sum(r.expansions for r in uniform)


def test_file_roundtrip_and_mismatch(tmp_path):
    level = read_levels(data_path(BOXOBAN_DEMO))[2]
    policy = NeuralPolicy(NetSpec("sokoban", width=8, layers=2, hidden=16), epsilon=0.01, seed=4)
    policy.save(tmp_path / "n.kpol")
    back = load_policy(tmp_path / "n.kpol", domain="sokoban")
    compiled = level.compile()
    states = np.stack([compiled.initial] * 3)
    last = np.array([-1, 0, 3])
    np.testing.assert_allclose(
        back.log_probs(states, last, compiled), policy.log_probs(states, last, compiled)
    )
    a = search(level, SearchConfig(budget=500), policy)
    b = search(level, SearchConfig(budget=500), back)
    assert (a.expansions, a.generated) == (b.expansions, b.generated)
    header, arrays = read_policy_file(tmp_path / "n.kpol")
    arrays.pop(next(iter(arrays)))
    with pytest.raises(ValidationError, match="do not match"):  # never written...
        policy_bytes("nn", "sokoban", header["spec"], arrays)
    (tmp_path / "cut.kpol").write_bytes(unchecked_policy_bytes(header, arrays))
    with pytest.raises(MalformedFileError, match=r"cut\.kpol.*do not match"):  # ...nor read
        load_policy(tmp_path / "cut.kpol")


def test_bootstrap_with_the_network(tmp_path):
    from kairos.learn import BootstrapConfig, run_bootstrap
    from kairos.learn.bootstrap import load_checkpoint

    puzzles = [generate(3, 8 + i, seed=i) for i in range(6)]
    config = BootstrapConfig(domain="stp", initial_budget=100, policy="nn", nn_epochs=3)
    state, _ = run_bootstrap(puzzles, tmp_path, config)
    assert state.stop_reason == "all solved"
    _, saved, loaded = load_checkpoint(tmp_path)
    assert saved.solved == state.solved and isinstance(loaded, NeuralPolicy)


def test_a_neural_policy_pickles_and_solves_in_a_worker():
    """The network class lives at module level, so the policy can go to a worker process."""
    import pickle

    from kairos.search.parallel import solve_all

    policy = NeuralPolicy(NetSpec("stp", width=8, layers=2, hidden=16), seed=1)
    back = pickle.loads(pickle.dumps(policy))
    puzzles = [generate(3, 8, seed=s) for s in range(2)]
    serial = solve_all(puzzles, SearchConfig(budget=5_000, batch_size=4), back, jobs=1)
    pooled = solve_all(puzzles, SearchConfig(budget=5_000, batch_size=4), policy, jobs=2)
    assert [r.expansions for r in serial] == [r.expansions for r in pooled]
