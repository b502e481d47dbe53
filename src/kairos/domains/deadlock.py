"""Simple Sokoban deadlocks: floor cells from which a box can never reach a goal.

A box can be pushed from ``x`` to ``y`` when ``y`` is the cell past ``x`` in
some direction and the player can stand on the cell before it. Running those
pushes backwards ("pulls") from every goal finds every cell from which some
goal is reachable by pushes, ignoring the other boxes. A box on any other cell
(a non-goal corner, a wall edge without goals) is stuck for good: the level is
provably unsolvable from that state.
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
