"""Sokoban's distance-to-go features: what a learned heuristic (PHS*) is a function of.

Four cheap integer features of a state, each 0 at a goal state:

- ``boxes_off_goal``: boxes not on a goal;
- ``push_distance``: over the boxes, the sum of the fewest pushes that bring
  each one alone onto some goal (the other boxes ignored; a box on a cell from
  which no goal is reachable counts ``num_cells``, so the sum stays finite);
- ``player_to_box``: walking distance (boxes ignored) from the player to the
  nearest box off its goal, 0 when every box is on a goal;
- ``box_pairs``: 4-adjacent pairs of boxes of which at least one is off its
  goal (such pairs block each other's pushes).

Everything level-specific is computed once per level into one float64 table
(:func:`feature_tables`), which the compiled search reads in
:func:`packed_features`; :func:`state_features` is the same computation on an
unpacked state, written independently, and the two are tested to agree.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from kairos.domains.sokoban import HEURISTIC_FEATURE_NAMES as FEATURE_NAMES

if TYPE_CHECKING:
    from kairos.domains.sokoban import Sokoban, SokobanState

__all__ = ["FEATURE_NAMES", "feature_tables", "packed_features", "state_features"]

_OPPOSITE = (1, 0, 3, 2)  # U<->D, L<->R
ROW_PUSH, ROW_GOAL, ROW_WALK = 0, 1, 2  # table rows; walking distances from cell i are row 2 + i


def push_distances(level: Sokoban) -> np.ndarray:
    """Fewest pushes that bring a lone box from each cell onto some goal.

    Returns
    -------
    ndarray of int64, shape (num_cells,)
        ``num_cells`` on cells from which no goal is reachable.
    """
    nbr = level.neighbours
    n = len(level.cells)
    dist = np.full(n, n, dtype=np.int64)
    queue = deque(sorted(level.goals))
    for g in level.goals:
        dist[g] = 0
    while queue:  # pulls from the goals: the box came from x by a push towards y
        y = queue.popleft()
        for a in range(4):
            back = _OPPOSITE[a]
            x = int(nbr[y, back])
            if x < 0 or dist[x] < n or int(nbr[x, back]) < 0:
                continue
            dist[x] = dist[y] + 1
            queue.append(x)
    return dist


def walk_distances(level: Sokoban) -> np.ndarray:
    """Walking distances between all pairs of floor cells, boxes ignored.

    Returns
    -------
    ndarray of int64, shape (num_cells, num_cells)
    """
    nbr = level.neighbours
    n = len(level.cells)
    adjacent = np.zeros((n, n), dtype=np.float64)
    rows, acts = np.nonzero(nbr >= 0)
    adjacent[rows, nbr[rows, acts]] = 1.0
    dist = np.full((n, n), n, dtype=np.int64)
    reached = np.eye(n, dtype=bool)
    dist[reached] = 0
    for step in range(1, n):  # breadth-first from every cell at once
        grown = reached | ((reached.astype(np.float64) @ adjacent) > 0)
        new = grown & ~reached
        if not new.any():
            break
        dist[new] = step
        reached = grown
    return dist


def feature_tables(level: Sokoban) -> np.ndarray:
    """The level's table for :func:`packed_features`.

    Returns
    -------
    ndarray of float64, shape (2 + num_cells, num_cells)
        Row 0: push distances; row 1: 1 on goal cells; row 2 + i: walking
        distances from cell i.
    """
    n = len(level.cells)
    tables = np.zeros((2 + n, n), dtype=np.float64)
    tables[ROW_PUSH] = push_distances(level)
    tables[ROW_GOAL, sorted(level.goals)] = 1.0
    tables[ROW_WALK:] = walk_distances(level)
    return tables


def state_features(level: Sokoban, state: SokobanState, tables: np.ndarray) -> np.ndarray:
    """:data:`FEATURE_NAMES` of ``state``, shape (4,), float64 (integer values)."""
    nbr = level.neighbours
    off = [b for b in sorted(state.boxes) if b not in level.goals]
    pushes = sum(int(tables[ROW_PUSH, b]) for b in state.boxes)
    walk = min((int(tables[ROW_WALK + state.player, b]) for b in off), default=0)
    pairs = 0
    for b in state.boxes:
        for a in (1, 3):  # each pair once: the neighbour below or to the right
            c = int(nbr[b, a])
            if c >= 0 and c in state.boxes and (b not in level.goals or c not in level.goals):
                pairs += 1
    return np.array([len(off), pushes, walk, pairs], dtype=np.float64)


@njit(cache=True, inline="always")
def _box_at(states, r, cell):
    return (states[r, 1 + cell // 64] >> np.uint64(cell % 64)) & np.uint64(1)


@njit(cache=True)
def packed_features(nbr, tables, states, r, out):
    """Write :data:`FEATURE_NAMES` of the packed state ``states[r]`` into ``out`` (shape (4,)).

    Parameters
    ----------
    nbr : ndarray of int64, shape (num_cells, 4)
    tables : ndarray of float64, shape (2 + num_cells, num_cells)
        :func:`feature_tables` of the level.
    states : ndarray of uint64, shape (rows, num_words)
    """
    num_cells = tables.shape[1]
    player = np.int64(states[r, 0])
    off = 0.0
    pushes = 0.0
    walk = np.inf
    pairs = 0.0
    for w in range(1, states.shape[1]):
        x = states[r, w]
        b = (w - 1) * 64
        while x:
            if x & np.uint64(1):
                pushes += tables[ROW_PUSH, b]
                on_goal = tables[ROW_GOAL, b] != 0.0
                if not on_goal:
                    off += 1.0
                    walk = min(walk, tables[ROW_WALK + player, b])
                for a in (1, 3):
                    c = nbr[b, a]
                    if (
                        c >= 0
                        and c < num_cells
                        and _box_at(states, r, c)
                        and (not on_goal or tables[ROW_GOAL, c] == 0.0)
                    ):
                        pairs += 1.0
            x >>= np.uint64(1)
            b += 1
    out[0] = off
    out[1] = pushes
    out[2] = walk if off > 0.0 else 0.0
    out[3] = pairs
