"""A grid maze with keys, as a kairos domain in its own package.

Fetch every key, then reach the exit. A file holds mazes separated by blank
lines, each optionally preceded by ``; name``::

    ; first
    #######
    #@ #  #
    #  a  #
    # ##  #
    #    G#
    #######

``#`` wall, ``@`` start, lowercase letters keys, ``G`` the exit, space or ``.``
floor. The domain has no compiled form; it gives ``features(state)``, so
``kairos train keymaze`` learns a feature model for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kairos.errors import InputFormatError

ACTION_NAMES = "UDLR"
_DELTAS = ((-1, 0), (1, 0), (0, -1), (0, 1))


@dataclass(frozen=True)
class MazeState:
    row: int
    col: int
    keys: frozenset[int]  # indices of the keys picked up


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


class KeyMaze:
    """One maze: a Domain with the ``features`` and ``is_dead`` hooks."""

    action_names = ACTION_NAMES

    def __init__(self, rows: list[str], *, name: str = "maze", path=None, first_line: int = 1):
        self.name, self.rows = name, tuple(rows)
        self.walls: set[tuple[int, int]] = set()
        self.keys: list[tuple[int, int]] = []
        start = exit_ = None
        for r, line in enumerate(rows):
            for c, ch in enumerate(line):
                if ch == "#":
                    self.walls.add((r, c))
                elif ch == "@":
                    start = (r, c)
                elif ch == "G":
                    exit_ = (r, c)
                elif ch.islower():
                    self.keys.append((r, c))
                elif ch not in " .":
                    raise InputFormatError(
                        path, first_line + r, f"unknown character {ch!r} at column {c + 1}"
                    )
        if start is None or exit_ is None:
            raise InputFormatError(path, first_line, "a maze needs one '@' and one 'G'")
        self.start, self.exit = start, exit_
        self.height, self.width = len(rows), max(len(line) for line in rows)

    def initial_state(self) -> MazeState:
        return MazeState(*self.start, frozenset())

    def _free(self, r: int, c: int) -> bool:
        return 0 <= r < self.height and 0 <= c < self.width and (r, c) not in self.walls

    def legal_actions(self, state: MazeState) -> list[int]:
        return [
            a for a, (dr, dc) in enumerate(_DELTAS) if self._free(state.row + dr, state.col + dc)
        ]

    def step(self, state: MazeState, action: int) -> MazeState:
        dr, dc = _DELTAS[action]
        r, c = state.row + dr, state.col + dc
        keys = state.keys
        if (r, c) in self.keys:
            keys = keys | {self.keys.index((r, c))}
        return MazeState(r, c, keys)

    def is_goal(self, state: MazeState) -> bool:
        return (state.row, state.col) == self.exit and len(state.keys) == len(self.keys)

    def key(self, state: MazeState):
        return (state.row, state.col, state.keys)

    def render(self, state: MazeState) -> str:
        grid = [list(line.ljust(self.width).replace("@", " ")) for line in self.rows]
        for i, (r, c) in enumerate(self.keys):
            grid[r][c] = " " if i in state.keys else "abcdefghijklmnopqrstuvwxyz"[i]
        grid[state.row][state.col] = "@"
        return "\n".join("".join(row) for row in grid)

    def heuristic(self, state: MazeState) -> float:
        return float(abs(state.row - self.exit[0]) + abs(state.col - self.exit[1]))

    # -- optional hooks -------------------------------------------------------------------
    def _target(self, state: MazeState) -> tuple[int, int]:
        todo = [k for i, k in enumerate(self.keys) if i not in state.keys]
        if not todo:
            return self.exit
        return min(todo, key=lambda k: abs(k[0] - state.row) + abs(k[1] - state.col))

    def features(self, state: MazeState) -> list[int]:
        """Seven integers: what lies in each direction, where the next target is, keys held."""
        out = []
        for dr, dc in _DELTAS:
            r, c = state.row + dr, state.col + dc
            out.append(0 if not self._free(r, c) else 2 if (r, c) in self.keys else 1)
        tr, tc = self._target(state)
        out += [_sign(tr - state.row), _sign(tc - state.col), len(state.keys)]
        return out

    def is_dead(self, state: MazeState) -> bool:
        return not self.legal_actions(state)


def parse_mazes(text: str, *, path=None) -> list[KeyMaze]:
    mazes, block, name, first = [], [], None, 1
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.startswith(";"):
            name = line[1:].strip()
        elif line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            label = name or f"{Path(path).name if path else 'maze'}#{len(mazes)}"
            mazes.append(KeyMaze(block, name=label, path=path, first_line=first))
            block, name = [], None
    return mazes


def read_mazes(path: str | Path) -> list[KeyMaze]:
    """The entry point: every maze in the file at ``path``."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read: {exc.strerror}") from None
    return parse_mazes(text, path=path)


def write_mazes(path: str | Path, mazes: list[KeyMaze]) -> None:
    Path(path).write_text("".join(f"; {m.name}\n" + "\n".join(m.rows) + "\n\n" for m in mazes))


def generate(size: int, *, seed: int, num_keys: int = 1, wall_fraction: float = 0.15) -> KeyMaze:
    """A random ``size``×``size`` room inside a wall, with ``num_keys`` keys."""
    import random

    rng = random.Random(seed)
    cells = [(r, c) for r in range(1, size + 1) for c in range(1, size + 1)]
    rng.shuffle(cells)
    start, exit_, keys = cells[0], cells[1], cells[2 : 2 + num_keys]
    walls = set(cells[2 + num_keys : 2 + num_keys + int(wall_fraction * size * size)])
    grid = [["#"] * (size + 2) for _ in range(size + 2)]
    for r, c in cells:
        grid[r][c] = "#" if (r, c) in walls else " "
    grid[start[0]][start[1]], grid[exit_[0]][exit_[1]] = "@", "G"
    for i, (r, c) in enumerate(keys):
        grid[r][c] = "abcdefghijklmnopqrstuvwxyz"[i]
    return KeyMaze(["".join(row) for row in grid], name=f"maze{size}-seed{seed}")
