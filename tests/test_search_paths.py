"""A solver's path coded under its policy costs -log2 pi(path) bits, within 64 bits."""

import math

import pytest

from kairos.data import BOXOBAN_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import generate
from kairos.errors import ValidationError
from kairos.policy import HashedRandomPolicy
from kairos.search import SearchConfig, search
from kairos.search.paths import decode_path, encode_path


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sokoban_path_under_a_nonuniform_policy(seed):
    level = read_levels(data_path(BOXOBAN_DEMO))[24]
    policy = HashedRandomPolicy(seed=seed)
    result = search(level, SearchConfig(batch_size=1, budget=200_000), policy)
    assert result.solved
    words, bits = encode_path(level, result.actions, policy)
    assert bits == pytest.approx(-result.solution_log_prob / math.log(2), abs=1e-6)
    assert 32 * len(words) <= bits + 64
    assert decode_path(level, words, len(result.actions), policy) == result.actions


def test_sliding_tile_path_under_the_uniform_policy():
    puzzle = generate(3, 12, seed=3)
    result = search(puzzle, SearchConfig(algorithm="lts"))
    words, bits = encode_path(puzzle, result.actions)
    assert bits == pytest.approx(-result.solution_log_prob / math.log(2), abs=1e-6)
    assert 32 * len(words) <= bits + 64
    assert decode_path(puzzle, words, len(result.actions)) == result.actions


def test_illegal_action_is_a_validation_error():
    puzzle = generate(3, 4, seed=0)
    with pytest.raises(ValidationError, match="illegal"):
        encode_path(puzzle, [99])


@pytest.mark.parametrize("policy", [None, HashedRandomPolicy(seed=0)], ids=["uniform", "hashed"])
def test_tree_search_path_is_coded_without_the_move_back(policy):
    """Tree search leaves out the move back; the code length must too, or it overcounts."""
    puzzle = generate(3, 8, seed=0)
    tree = SearchConfig(state_cut=False, batch_size=1, budget=200_000)
    result = search(puzzle, tree, policy)
    assert result.solved
    words, bits = encode_path(puzzle, result.actions, policy, state_cut=False)
    assert bits == pytest.approx(-result.solution_log_prob / math.log(2), abs=1e-6)
    _, with_back_bits = encode_path(puzzle, result.actions, policy)
    assert with_back_bits > bits  # the state-cut coding spends mass on the move back
    decoded = decode_path(puzzle, words, len(result.actions), policy, state_cut=False)
    assert decoded == result.actions


def test_the_move_back_is_not_in_the_tree():
    puzzle = generate(3, 4, seed=0)
    first = puzzle.legal_actions(puzzle.initial_state())[0]
    back = {0: 1, 1: 0, 2: 3, 3: 2}[first]  # U<->D, L<->R
    with pytest.raises(ValidationError, match="straight back"):
        encode_path(puzzle, [first, back], state_cut=False)
