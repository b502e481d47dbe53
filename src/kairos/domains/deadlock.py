"""Sokoban deadlocks: dead cells, and frozen boxes off their goals.

A box can be pushed from ``x`` to ``y`` when ``y`` is the cell past ``x`` in
some direction and the player can stand on the cell before it. Running those
pushes backwards ("pulls") from every goal finds every cell from which some
goal is reachable by pushes, ignoring the other boxes. A box on any other cell
(a non-goal corner, a wall edge without goals) is stuck for good: the level is
provably unsolvable from that state.

A *frozen* box can never move again: along each axis one neighbour is a wall
or another frozen box (the player cannot stand behind it, or it cannot go
there), or both neighbours are dead cells (any push along that axis is itself a
deadlock). The frozen set is the greatest fixpoint of that rule: start from all
boxes and drop any box with a free axis until none drops. Sound: in any
solution, the first move of a box in the set would need a free axis. A frozen
box off its goal is a deadlock. The compiled search runs the same test
(:mod:`kairos.search.deadlocks`) after each push.
"""

from __future__ import annotations

from collections import deque

from kairos.domains.sokoban import Sokoban, SokobanState

_OPPOSITE = (1, 0, 3, 2)  # U<->D, L<->R


def live_cells(level: Sokoban) -> frozenset[int]:
    """Cells from which a lone box can be pushed onto some goal."""
    nbr = level.neighbours
    live = set(level.goals)
    queue = deque(level.goals)
    while queue:
        y = queue.popleft()
        for a in range(4):
            back = _OPPOSITE[a]
            x = int(nbr[y, back])  # the box came from x by a push in direction a
            if x < 0 or x in live:
                continue
            if int(nbr[x, back]) < 0:  # the player needs a cell to push from
                continue
            live.add(x)
            queue.append(x)
    return frozenset(live)


def dead_boxes(level: Sokoban, state: SokobanState | None = None) -> int:
    """Boxes standing on cells from which no goal is reachable (0 if none)."""
    state = state or level.initial_state()
    live = live_cells(level)
    return sum(1 for b in state.boxes if b not in live)


def frozen_boxes(level: Sokoban, state: SokobanState, live: frozenset[int]) -> frozenset[int]:
    """Boxes that can never move again (the greatest fixpoint described above).

    Parameters
    ----------
    level : Sokoban
    state : SokobanState
    live : frozenset of int
        :func:`live_cells` of ``level`` (passed in so callers compute it once).
    """
    nbr = level.neighbours
    frozen = set(state.boxes)
    changed = True
    while changed:
        changed = False
        for b in sorted(frozen):
            if not all(_axis_blocked(nbr, b, axis, frozen, live) for axis in ((0, 1), (2, 3))):
                frozen.discard(b)
                changed = True
    return frozenset(frozen)


def _axis_blocked(nbr, box: int, axis: tuple[int, int], frozen: set[int], live) -> bool:
    one, other = (int(nbr[box, a]) for a in axis)
    if one < 0 or other < 0 or one in frozen or other in frozen:
        return True
    return one not in live and other not in live


def frozen_deadlock(
    level: Sokoban, state: SokobanState, live: frozenset[int] | None = None
) -> bool:
    """Whether a frozen box stands off a goal (``state`` is then unsolvable)."""
    live = live_cells(level) if live is None else live
    return any(b not in level.goals for b in frozen_boxes(level, state, live))


def dead_variant(level: Sokoban, *, seed: int) -> Sokoban:
    """A provably unsolvable copy of ``level``: one box moved onto a dead cell.

    The moved box is one not on a goal, and the target cell is a free floor
    cell outside :func:`live_cells` (a non-goal corner or goal-less wall edge),
    chosen with ``seed``.

    Raises
    ------
    ValueError
        If the level has no free dead cell or no box off its goals.
    """
    import random

    rng = random.Random(seed)
    state = level.initial_state()
    live = live_cells(level)
    free_dead = [
        i
        for i in range(len(level.cells))
        if i not in live and i not in state.boxes and i != state.player
    ]
    movable = sorted(b for b in state.boxes if b not in level.goals)
    if not free_dead or not movable:
        raise ValueError(f"{level.name}: no free dead cell or no box off its goals")
    src, dst = level.cells[rng.choice(movable)], level.cells[rng.choice(free_dead)]
    rows = [list(r) for r in level.rows]
    rows[src[0]][src[1]] = " "
    rows[dst[0]][dst[1]] = "$"
    return Sokoban(["".join(r) for r in rows], name=f"{level.name}-dead")
