"""The compiled Sokoban deadlock test the kernel runs after each push.

Same rules as :mod:`kairos.domains.deadlock`: a box pushed onto a dead cell, or
a box frozen off its goal. Only the pushed box's 4-connected group of boxes is
examined: a box is blocked only by its neighbours, and any frozen box outside
the group was frozen in the parent already (more boxes only freeze more), so
for a parent that is not dead the test agrees with the domain's ``is_dead``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _has_bit(states, row, cell):
    return (states[row, 1 + cell // 64] >> np.uint64(cell % 64)) & np.uint64(1)


@njit(cache=True, inline="always")
def _blocked(nbr, dead, mark, box, a1, a2):
    """Whether ``box`` can never be pushed along the axis of actions ``a1``/``a2``."""
    x = nbr[box, a1]
    y = nbr[box, a2]
    if x < 0 or y < 0 or mark[x] or mark[y]:
        return True
    return dead[x] != 0 and dead[y] != 0


@njit(cache=True)
def push_deadlock(nbr, dead, goal_value, states, row, box, group, mark):
    """Whether the state ``states[row]``, just made by pushing a box onto ``box``, is dead.

    Parameters
    ----------
    nbr : ndarray of int64, shape (num_cells, 4)
        Neighbour cells (U, D, L, R), -1 at walls.
    dead : ndarray of int8, shape (num_cells,)
        1 on dead cells.
    goal_value : ndarray of uint64, shape (num_words,)
        The packed goal (box bits of the goal cells).
    states : ndarray of uint64, shape (rows, num_words)
    group : ndarray of int64, shape (num_cells,)
        Scratch.
    mark : ndarray of int8, shape (num_cells,)
        Scratch, all zero on entry and on return.
    """
    if dead[box]:
        return True
    group[0] = box
    mark[box] = 1
    size = 1
    k = 0
    while k < size:  # the 4-connected group of boxes around the pushed one
        b = group[k]
        k += 1
        for a in range(4):
            c = nbr[b, a]
            if c >= 0 and not mark[c] and _has_bit(states, row, c):
                mark[c] = 1
                group[size] = c
                size += 1
    changed = True
    while changed:  # greatest fixpoint: drop boxes with a free axis
        changed = False
        for j in range(size):
            b = group[j]
            if mark[b] and not (
                _blocked(nbr, dead, mark, b, 0, 1) and _blocked(nbr, dead, mark, b, 2, 3)
            ):
                mark[b] = 0
                changed = True
    stuck = False
    for j in range(size):
        b = group[j]
        if mark[b] and not ((goal_value[1 + b // 64] >> np.uint64(b % 64)) & np.uint64(1)):
            stuck = True
        mark[b] = 0
    return stuck
