"""SolutionMemory: repeated tasks cost no search, files are checked, wrong paths refused."""

from __future__ import annotations

import pytest

from kairos.agent.memory import SolutionMemory, task_key
from kairos.domains.sokoban import parse_levels
from kairos.domains.stp import SlidingTile, generate
from kairos.errors import SolutionError
from kairos.search.engine import SearchConfig, search
from tests.damage import damaged_copies

LEVEL = """; 0
#####
#@$.#
#####
"""


def _solved(domain):
    result = search(domain, SearchConfig(algorithm="bfs", budget=100_000))
    assert result.solved
    return result.actions


def test_round_trip_through_file(tmp_path):
    puzzles = [generate(3, 20, seed=s) for s in range(5)]
    memory = SolutionMemory(tmp_path / "m.kmem")
    for i, p in enumerate(puzzles):
        memory.remember(p, _solved(p), problem=f"p{i}")
    memory.save()
    again = SolutionMemory(tmp_path / "m.kmem")
    assert len(again) == 5
    for p in puzzles:
        assert again.recall(p) == _solved(p)


def test_keys_separate_levels_with_the_same_packed_state():
    a, b = parse_levels(LEVEL + "\n; 1\n######\n#@$ .#\n######\n")
    assert task_key(a) != task_key(b)
    memory = SolutionMemory()
    memory.remember(a, _solved(a))
    assert memory.recall(b) is None
    assert a in memory and b not in memory


def test_refuses_a_wrong_path():
    puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
    with pytest.raises(SolutionError):
        SolutionMemory().remember(puzzle, [3])


def test_keeps_the_shorter_solution():
    puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
    memory = SolutionMemory()
    memory.remember(puzzle, [3, 2, 2])  # right, left, left
    memory.remember(puzzle, [2])
    memory.remember(puzzle, [3, 2, 2])
    assert memory.recall(puzzle) == (2,)


def test_garbage_files_raise_typed_errors(tmp_path):
    puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
    memory = SolutionMemory(tmp_path / "m.kmem")
    memory.remember(puzzle, [2])
    path = memory.save()
    blob = path.read_bytes()

    for name, data, error, pattern in damaged_copies(blob):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(error, match=pattern):
            SolutionMemory(tmp_path / name)


def test_a_colliding_entry_is_never_returned_as_a_solution(tmp_path):
    puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
    memory = SolutionMemory()
    memory.remember(puzzle, [2])
    memory._entries[task_key(puzzle)]["actions"] = [3]  # what a bad writer could leave
    with pytest.raises(SolutionError):
        memory.recall(puzzle)
