"""Tree search (state cut off): the LTS bound holds and only the move straight back is pruned."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kairos.domains.stp import SlidingTile, generate
from kairos.policy.hashed import HashedRandomPolicy
from kairos.policy.uniform import UniformPolicy
from kairos.search import SearchConfig, search
from kairos.search.paths import code_length_bits

TREE = SearchConfig(budget=2_000_000, state_cut=False)


# seed 3 (a hashed random policy on an 11-move walk) takes 10 s on 2 cores
SEEDS = [pytest.param(s, marks=pytest.mark.slow) if s == 3 else s for s in range(6)]


@pytest.mark.parametrize("seed", SEEDS)
def test_lts_bound_holds_for_tree_search(seed):
    puzzle = generate(3, 8 + seed, seed=seed)
    policy = HashedRandomPolicy(seed=seed) if seed % 2 else UniformPolicy()
    result = search(puzzle, TREE, policy)
    assert result.solved
    assert result.expansions <= math.exp(result.log_bound) + 1e-9


def test_tree_search_expands_more_than_the_state_cut_but_finds_a_solution():
    puzzle = generate(3, 14, seed=3)
    cut = search(puzzle, SearchConfig(budget=2_000_000))
    tree = search(puzzle, TREE)
    assert tree.solved and cut.solved
    assert tree.expansions >= cut.expansions


def test_tree_search_never_moves_straight_back():
    # Blank in the middle: 4 moves. Each child has its blank on an edge (3 moves),
    # one of which undoes the parent's move, so 2 grandchildren each, not 3.
    puzzle = SlidingTile([1, 2, 3, 4, 0, 5, 6, 7, 8], 3)
    shallow = search(puzzle, SearchConfig(budget=5, state_cut=False))
    assert shallow.expansions == 5
    assert shallow.generated == 1 + 4 + 4 * 2


def test_solution_code_length_matches_the_policy():
    puzzle = generate(3, 8, seed=5)
    policy = HashedRandomPolicy(seed=1, temperature=4.0)
    result = search(puzzle, TREE, policy)
    assert code_length_bits(puzzle, result.actions, policy, state_cut=False) == pytest.approx(
        -result.solution_log_prob / np.log(2.0)
    )
