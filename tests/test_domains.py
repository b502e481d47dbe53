from pathlib import Path

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
from kairos.domains import replay
from kairos.domains.sokoban import Sokoban, parse_levels, read_levels
from kairos.domains.stp import (
    SlidingTile,
    generate,
    is_solvable,
    parse_instances,
    read_instances,
    write_instances,
)
from kairos.errors import InputFormatError, UnsolvableError, ValidationError

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
U, D, L, R = range(4)

SMALL = """; 7
#######
#@ $ .#
#######
"""


def test_bundled_boxoban_levels_parse_with_names():
    levels = read_levels(data_path(BOXOBAN_DEMO))
    assert len(levels) == 60
    assert levels[5].name == "train_000_first60.txt#5"
    assert all(len(lv.goals) == 4 for lv in levels)


def test_shared_boxoban_file_parses():
    path = SHARED / "data" / "boxoban" / "unfiltered" / "train" / "000.txt"
    if not path.exists():
        pytest.skip(f"shared data absent: {path}")
    assert len(read_levels(path)) == 1000


def test_push_only_into_free_cell_and_render_roundtrip():
    (level,) = parse_levels(SMALL)
    s = level.initial_state()
    assert level.legal_actions(s) == [R]
    s = level.step(s, R)  # walk
    s = level.step(s, R)  # push box right
    assert level.render(s) == "#######\n#  @$.#\n#######"
    s = level.step(s, R)
    assert level.is_goal(s)
    assert level.render(s).splitlines()[1] == "#   @*#"
    assert replay(level, [R, R, R]) and not replay(level, [R, R])


def test_box_against_box_blocks():
    (level,) = parse_levels("######\n#@$$.#\n#  . #\n######\n")
    assert R not in level.legal_actions(level.initial_state())


def test_xsb_box_on_goal_and_player_on_goal():
    (level,) = parse_levels("#####\n#+$*#\n#   #\n#####\n")
    s = level.initial_state()
    assert len(level.goals) == 2 and len(s.boxes) == 2
    assert level.render(s) == "#####\n#+$*#\n#   #\n#####"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("; 0\n#####\n#@$.#\n####\n", 4, "ragged row"),
        ("; 0\n#####\n#@$x#\n#####\n", 3, "unknown character 'x'"),
        ("; 0\n#####\n# $.#\n#####\n", 2, "found 0 players"),
        ("; 0\n#####\n#@$@#\n#.  #\n#####\n", 2, "found 2 players"),
        ("; 0\n#####\n#@$$#\n#.  #\n#####\n", 2, "2 boxes but 1 goals"),
        ("; 0\n#####\n#@$. \n#####\n", 3, "not enclosed"),
        ("; 0\n#######\n#@ # $#\n#  #. #\n#######\n", 3, "outside the player's walled area"),
        ("; 0\n#####\n#@  #\n#####\n", 2, "no boxes"),
    ],
)
def test_malformed_levels_name_file_and_line(tmp_path, text, line, fragment):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputFormatError) as err:
        read_levels(path)
    assert err.value.path == str(path) and err.value.line == line
    assert fragment in str(err.value)


def test_missing_or_empty_levels_file(tmp_path):
    with pytest.raises(InputFormatError, match="cannot read"):
        read_levels(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("; only a header\n")
    with pytest.raises(InputFormatError, match="no levels"):
        read_levels(tmp_path / "empty.txt")


def test_stp_generator_is_seeded_and_solvable():
    a, b = generate(4, 30, seed=5), generate(4, 30, seed=5)
    assert a.tiles == b.tiles and a.tiles != generate(4, 30, seed=6).tiles
    for size in (3, 4, 5):
        p = generate(size, 50, seed=1)
        assert is_solvable(p.tiles, size)


def test_stp_text_roundtrip(tmp_path):
    puzzles = [generate(n, 20, seed=n) for n in (3, 4, 5)]
    write_instances(tmp_path / "p.txt", puzzles)
    back = read_instances(tmp_path / "p.txt")
    assert [p.tiles for p in back] == [p.tiles for p in puzzles]
    assert len(read_instances(data_path(STP_3X3_DEMO))) == 20


def test_stp_rejects_wrong_parity():
    with pytest.raises(UnsolvableError, match="parity"):
        SlidingTile((0, 2, 1, 3, 4, 5, 6, 7, 8), 3)
    with pytest.raises(ValidationError, match="permutation"):
        SlidingTile((0, 1, 1, 3, 4, 5, 6, 7, 8), 3)


@pytest.mark.parametrize("size", [3, 4, 5])
def test_stp_parity_flips_with_one_swap(size):
    """Blank moves keep an instance solvable; swapping two tiles makes it unsolvable
    (random walks of different lengths leave the blank in different rows, which
    matters for even n)."""
    for seed in range(8):
        puzzle = generate(size, 40 + seed, seed=seed)
        tiles = list(puzzle.tiles)
        assert is_solvable(tiles, size)
        i, j = (k for k, t in enumerate(tiles) if t in (1, 2))
        tiles[i], tiles[j] = tiles[j], tiles[i]
        assert not is_solvable(tiles, size)
        with pytest.raises(UnsolvableError, match="wrong permutation parity"):
            SlidingTile(tiles, size, name="swapped")


def test_stp_parity_matches_reachability_on_3x3():
    """Independent check of the parity rule: exactly the 9!/2 permutations reachable
    from the goal by blank moves are called solvable (a sample of both kinds)."""
    goal = SlidingTile(tuple(range(9)), 3)
    seen = {goal.tiles}
    frontier = [goal.tiles]
    while frontier:
        nxt = []
        for s in frontier:
            for a in goal.legal_actions(s):
                t = goal.step(s, a)
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    assert len(seen) == 181_440
    rng = np.random.default_rng(0)
    for _ in range(300):
        tiles = tuple(int(t) for t in rng.permutation(9))
        assert is_solvable(tiles, 3) == (tiles in seen)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("3 1 0 2 3 4 5 6 7 x", "non-integer"),
        ("6 " + " ".join(map(str, range(36))), "size 6"),
        ("3 1 0 2 3 4 5 6 7", "8 tiles"),
        ("3 0 2 1 3 4 5 6 7 8", "parity"),
    ],
)
def test_stp_garbage_lines(tmp_path, line, fragment):
    path = tmp_path / "p.txt"
    path.write_text("# header\n3 1 0 2 3 4 5 6 7 8\n" + line + "\n")
    with pytest.raises(InputFormatError) as err:
        parse_instances(path.read_text(), path=path)
    assert err.value.line == 3 and fragment in str(err.value)
    assert str(err.value).count("p.txt") == 1  # the location is named once


def test_sokoban_is_a_domain():
    from kairos.domains import Domain

    (level,) = parse_levels(SMALL)
    assert isinstance(level, Domain) and isinstance(generate(3, 5, seed=0), Domain)
    assert isinstance(level, Sokoban)
