"""The memoriser: a full-state lookup prior that stores solutions and does not generalise."""

import numpy as np
import pytest

from kairos.domains.stp import generate
from kairos.errors import ValidationError
from kairos.policy import Policy
from kairos.policy.memoriser import MemoriserPolicy
from kairos.search import SearchConfig, search
from kairos.search.engine import runs_in_python
from kairos.search.paths import code_length_bits

# batch_size=1: the batched path then expands in the kernel's sequential order
TREE = SearchConfig(budget=200_000, state_cut=False, batch_size=1)
CUT = SearchConfig(budget=200_000)  # 181,440 states: the state cut always finishes


@pytest.fixture(scope="module")
def stored():
    """Four 8-puzzles solved by uniform LTS and memorised."""
    puzzles = [generate(3, 30 + i, seed=100 + i) for i in range(4)]
    paths = [search(p, CUT).actions for p in puzzles]
    policy = MemoriserPolicy()
    added = policy.memorise(puzzles, paths)
    return puzzles, paths, policy, added


def test_satisfies_the_policy_protocol_and_runs_in_the_kernel(stored):
    puzzles, _, policy, _ = stored
    assert isinstance(policy, Policy)
    assert not runs_in_python(puzzles[0], policy)  # batched kernel path, not pure Python


def test_stored_paths_are_replayed_at_their_depth(stored):
    puzzles, paths, policy, added = stored
    assert added == policy.num_entries <= sum(len(p) for p in paths)
    for puzzle, path in zip(puzzles, paths, strict=True):
        uniform = search(puzzle, CUT)
        result = search(puzzle, TREE, policy)
        assert result.solved
        assert result.actions == path
        assert result.expansions <= len(path) + 1 < uniform.expansions
        assert code_length_bits(puzzle, path, policy, state_cut=False) < 1e-3


def test_unseen_states_get_the_uniform_prior(stored):
    _, _, policy, _ = stored
    fresh = generate(3, 40, seed=9_999)
    compiled = fresh.compile()
    row = np.asarray(fresh.pack(fresh.initial_state()), np.uint64)[None, :]
    out = policy.log_probs(row, np.array([-1]), compiled)
    assert out.shape == (1, 4) and (out == 0).all()


def test_bad_strength_is_refused():
    with pytest.raises(ValidationError, match="strength_nats"):
        MemoriserPolicy(strength_nats=0.0)
