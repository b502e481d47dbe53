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
