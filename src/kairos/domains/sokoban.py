"""Sokoban: parsing Boxoban/XSB levels, the Python domain and its compiled form.

Symbols: ``#`` wall, `` `` floor, ``@`` player, ``$`` box, ``.`` goal,
``*`` box on goal, ``+`` player on goal. A levels file holds levels separated
by header lines starting with ``;`` (Boxoban: ``; 17``) or blank lines.

Actions ``U D L R`` move the player; walking into a box pushes it when the
cell behind it is free floor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kairos.domains.base import DOMAIN_KIND_SOKOBAN, CompiledDomain
from kairos.errors import InputFormatError

ACTION_NAMES = "UDLR"
#: The ``heuristic_features`` hook's features (:mod:`kairos.domains.sokoban_togo`).
HEURISTIC_FEATURE_NAMES = ("boxes_off_goal", "push_matching", "player_to_box", "box_pairs")
_SYMBOLS = set("# @$.*+")
_UNREACHED = 1 << 30


@dataclass(frozen=True)
class SokobanState:
    """Player cell and box cells, as indices into the level's floor cells."""

    player: int
    boxes: frozenset[int]


class Sokoban:
    """One Sokoban level as a :class:`~kairos.domains.base.Domain`.

    Parameters
    ----------
    rows : sequence of str
        The level, one string per row, all the same width.
    name : str
        Identifier shown in results (e.g. ``000.txt#17``).
    path, first_line : optional
        Where the level came from, so that errors name the file and line.
    """

    action_names = ACTION_NAMES
    heuristic_feature_names = HEURISTIC_FEATURE_NAMES

    def __init__(
        self,
        rows: Sequence[str],
        *,
        name: str = "level",
        path: str | Path | None = None,
        first_line: int = 1,
    ):
        self.name = name
        self.rows = tuple(rows)
        self._parse(path, first_line)

    # -- parsing -------------------------------------------------------------------------
    def _parse(self, path: str | Path | None, first_line: int) -> None:
        rows = self.rows
        if not rows:
            raise InputFormatError(path, first_line, "empty level: expected rows of '# @$.*+'")
        width = len(rows[0])
        players, boxes, goals = [], [], []
        for r, row in enumerate(rows):
            line = first_line + r
            if len(row) != width:
                raise InputFormatError(
                    path,
                    line,
                    f"ragged row: {len(row)} characters, expected {width} like the first row",
                )
            for c, ch in enumerate(row):
                if ch not in _SYMBOLS:
                    raise InputFormatError(
                        path,
                        line,
                        f"unknown character {ch!r} at column {c + 1}; expected one of '# @$.*+'",
                    )
                if ch in "@+":
                    players.append((r, c))
                if ch in "$*":
                    boxes.append((r, c))
                if ch in ".*+":
                    goals.append((r, c))
        if len(players) != 1:
            raise InputFormatError(
                path, first_line, f"found {len(players)} players ('@' or '+'), expected exactly 1"
            )
        if len(boxes) != len(goals):
            raise InputFormatError(
                path,
                first_line,
                f"found {len(boxes)} boxes but {len(goals)} goals; they must be equal",
            )
        if not boxes:
            raise InputFormatError(path, first_line, "no boxes: expected at least one '$' or '*'")
        height = len(rows)
        # Floor cells: every non-wall cell the player can reach ignoring boxes.
        start = players[0]
        seen = {start}
        queue = deque([start])
        while queue:
            r, c = queue.popleft()
            if r in (0, height - 1) or c in (0, width - 1):
                raise InputFormatError(
                    path,
                    first_line + r,
                    f"floor not enclosed by walls: the player can reach the border at column {c + 1}",
                )
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                nxt = (r + dr, c + dc)
                if nxt not in seen and rows[nxt[0]][nxt[1]] != "#":
                    seen.add(nxt)
                    queue.append(nxt)
        for r, c in boxes + goals:
            if (r, c) not in seen:
                raise InputFormatError(
                    path,
                    first_line + r,
                    f"box or goal at column {c + 1} lies outside the player's walled area",
                )
        cells = sorted(seen)
        self.height, self.width = height, width
        self.cells: tuple[tuple[int, int], ...] = tuple(cells)
        self._index = {rc: i for i, rc in enumerate(cells)}
        num_cells = len(cells)
        nbr = np.full((num_cells, 4), -1, dtype=np.int64)
        for i, (r, c) in enumerate(cells):
            for a, (dr, dc) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
                nbr[i, a] = self._index.get((r + dr, c + dc), -1)
        self.neighbours = nbr
        self.goals = frozenset(self._index[g] for g in goals)
        self._initial = SokobanState(self._index[start], frozenset(self._index[b] for b in boxes))
        self.goal_distance = self._goal_distances()
        self._live_cells: frozenset[int] | None = None  # computed on first use (deadlock)
        self._togo_tables: np.ndarray | None = None  # computed on first use (heuristic)

    def _goal_distances(self) -> np.ndarray:
        """Grid distance from every floor cell to its nearest goal (ignoring boxes)."""
        dist = np.full(len(self.cells), _UNREACHED, dtype=np.int64)
        queue = deque(self.goals)
        for g in self.goals:
            dist[g] = 0
        while queue:
            i = queue.popleft()
            for j in self.neighbours[i]:
                if j >= 0 and dist[j] == _UNREACHED:
                    dist[j] = dist[i] + 1
                    queue.append(int(j))
        return dist

    # -- Domain protocol -----------------------------------------------------------------
    def initial_state(self) -> SokobanState:
        return self._initial

    def legal_actions(self, state: SokobanState) -> list[int]:
        legal = []
        for a in range(4):
            q = self.neighbours[state.player, a]
            if q < 0:
                continue
            if q in state.boxes:
                r = self.neighbours[q, a]
                if r < 0 or r in state.boxes:
                    continue
            legal.append(a)
        return legal

    def step(self, state: SokobanState, action: int) -> SokobanState:
        q = int(self.neighbours[state.player, action])
        boxes = state.boxes
        if q in boxes:
            boxes = (boxes - {q}) | {int(self.neighbours[q, action])}
        return SokobanState(q, boxes)

    def is_goal(self, state: SokobanState) -> bool:
        return state.boxes == self.goals

    def key(self, state: SokobanState) -> tuple[int, frozenset[int]]:
        return (state.player, state.boxes)

    def is_dead(self, state: SokobanState) -> bool:
        """Whether a box stands where no push can bring it to a goal, or is frozen off a goal.

        Sound: True only for states from which no goal is reachable
        (:mod:`kairos.domains.deadlock`).
        """
        from kairos.domains.deadlock import frozen_deadlock  # deadlock builds on this module

        live = self.live_cells()
        return any(b not in live for b in state.boxes) or frozen_deadlock(self, state, live)

    def live_cells(self) -> frozenset[int]:
        """Cells from which a lone box can be pushed onto a goal (computed once)."""
        if self._live_cells is None:
            from kairos.domains.deadlock import live_cells

            self._live_cells = live_cells(self)
        return self._live_cells

    def heuristic_tables(self) -> np.ndarray:
        """Per-level table of the distance-to-go features, for the compiled search (computed once).

        Shape (2 + num_cells + num_goals, num_cells), float64; see
        :func:`kairos.domains.sokoban_togo.feature_tables`.
        """
        if self._togo_tables is None:
            from kairos.domains.sokoban_togo import feature_tables

            self._togo_tables = feature_tables(self)
        return self._togo_tables

    def heuristic_features(self, state: SokobanState) -> np.ndarray:
        """``heuristic_feature_names`` of ``state``, shape (4,), float64 (integer values).

        Boxes off goal, the fewest pushes of a box-to-goal matching, the player's
        walk to the nearest box off goal, adjacent box pairs
        (:mod:`kairos.domains.sokoban_togo`); all 0 at the goal.
        """
        from kairos.domains.sokoban_togo import state_features

        return state_features(self, state, self.heuristic_tables())

    def heuristic(self, state: SokobanState) -> float:
        return float(sum(int(self.goal_distance[b]) for b in state.boxes))

    def render(self, state: SokobanState) -> str:
        grid = [["#" if ch == "#" else " " for ch in row] for row in self.rows]
        for i, (r, c) in enumerate(self.cells):
            box, goal = i in state.boxes, i in self.goals
            player = i == state.player
            grid[r][c] = (
                "*"
                if box and goal
                else "$"
                if box
                else "+"
                if player and goal
                else "@"
                if player
                else "."
                if goal
                else " "
            )
        return "\n".join("".join(row) for row in grid)

    # -- compiled form -------------------------------------------------------------------
    @property
    def num_box_words(self) -> int:
        return (len(self.cells) + 63) // 64

    def pack(self, state: SokobanState) -> np.ndarray:
        """Packed words: ``[player, box bits 0..63, box bits 64..127, ...]``."""
        words = np.zeros(1 + self.num_box_words, dtype=np.uint64)
        words[0] = state.player
        for b in state.boxes:
            words[1 + b // 64] |= np.uint64(1) << np.uint64(b % 64)
        return words

    def compile(self) -> CompiledDomain:
        goal = self.pack(SokobanState(0, self.goals))
        care = np.full_like(goal, np.uint64(0xFFFFFFFFFFFFFFFF))
        care[0] = 0
        goal[0] = 0
        dist = np.where(self.goal_distance >= _UNREACHED, 1e9, self.goal_distance).astype(
            np.float64
        )
        return CompiledDomain(
            kind=DOMAIN_KIND_SOKOBAN,
            neighbours=self.neighbours,
            params=np.array([len(self.cells), self.num_box_words], dtype=np.int64),
            heuristic_table=dist[None, :],
            initial=self.pack(self._initial),
            goal_care=care,
            goal_value=goal,
            dead_cells=np.array(
                [i not in self.live_cells() for i in range(len(self.cells))], dtype=np.int8
            ),
        )


def parse_levels(text: str, *, path: str | Path | None = None) -> list[Sokoban]:
    """Parse every level of a Boxoban/XSB levels file.

    Levels are separated by ``;`` header lines or blank lines; a level is named
    ``<file name>#<header>`` (the Boxoban number) or ``#<ordinal>``.

    Raises
    ------
    InputFormatError
        Naming the file and line of the first malformed level.
    """
    stem = Path(path).name if path is not None else "<input>"
    levels: list[Sokoban] = []
    block: list[str] = []
    block_start = 1
    header: str | None = None

    def flush() -> None:
        nonlocal header
        if block:
            label = header if header is not None else str(len(levels))
            levels.append(Sokoban(block, name=f"{stem}#{label}", path=path, first_line=block_start))
            block.clear()
            header = None

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if line.startswith(";"):
            flush()
            header = line[1:].strip() or None
            continue
        if not line.strip():
            flush()
            continue
        if not block:
            block_start = lineno
        block.append(line)
    flush()
    if not levels:
        raise InputFormatError(path, None, "no levels found: expected ';'-separated Sokoban levels")
    return levels


def read_levels(path: str | Path) -> list[Sokoban]:
    """Read a levels file; see :func:`parse_levels`."""
    path = Path(path)
    try:
        from kairos.inputs import read_input_text

        text = read_input_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(path, None, f"cannot read levels file: {exc}") from None
    return parse_levels(text, path=path)
