"""Frozen-box deadlocks: the rule, its soundness against exhaustive search, and the search hook."""

from __future__ import annotations

import random
from collections import deque

import pytest

from kairos.domains.deadlock import dead_boxes, frozen_boxes, frozen_deadlock, live_cells
from kairos.domains.sokoban import Sokoban, SokobanState, parse_levels
from kairos.errors import InputFormatError, ValidationError
from kairos.search.engine import SearchConfig, search
from kairos.search.reference import reference_search

PAIR_ON_WALL = """#######
#  $$ #
#     #
# @ ..#
#######
"""

BLOCK_2X2 = """########
#      #
# $$   #
# $$   #
#  @...#
#   .  #
########
"""


def test_two_boxes_side_by_side_on_a_wall_are_frozen_without_a_dead_cell():
    (level,) = parse_levels(
        PAIR_ON_WALL.replace("#  $$ #", "#. $$.#").replace("# @ ..#", "# @   #")
    )
    state = level.initial_state()
    assert dead_boxes(level, state) == 0  # both boxes sit on live cells ...
    assert frozen_boxes(level, state, live_cells(level)) == state.boxes  # ... and never move
    assert frozen_deadlock(level, state)
    assert level.is_dead(state)


def test_a_2x2_block_of_boxes_in_open_floor_is_frozen():
    (level,) = parse_levels(BLOCK_2X2)
    state = level.initial_state()
    assert dead_boxes(level, state) == 0
    assert len(frozen_boxes(level, state, live_cells(level))) == 4
    assert level.is_dead(state)


def test_frozen_boxes_all_on_goals_are_not_a_deadlock():
    level = Sokoban(["#####", "#**@#", "#####"])
    state = level.initial_state()
    assert frozen_boxes(level, state, live_cells(level)) == state.boxes
    assert not level.is_dead(state)


def test_a_box_with_one_free_axis_is_not_frozen():
    (level,) = parse_levels(BLOCK_2X2.replace("# $$   #\n# $$   #", "# $    #\n# $$ $ #"))
    state = level.initial_state()
    assert not frozen_deadlock(level, state)


def _random_level(rng: random.Random, num_boxes: int) -> Sokoban | None:
    height, width = 6, 7
    rows = [["#"] * width for _ in range(height)]
    inner = [(r, c) for r in range(1, height - 1) for c in range(1, width - 1)]
    for r, c in inner:
        rows[r][c] = "#" if rng.random() < 0.2 else " "
    floor = [rc for rc in inner if rows[rc[0]][rc[1]] == " "]
    if len(floor) < 2 * num_boxes + 1:
        return None
    boxes = rng.sample(floor, num_boxes)
    goals = rng.sample(floor, num_boxes)
    player = rng.choice([rc for rc in floor if rc not in boxes])
    for r, c in floor:
        box, goal = (r, c) in boxes, (r, c) in goals
        rows[r][c] = "*" if box and goal else "$" if box else "." if goal else " "
    rows[player[0]][player[1]] = "+" if player in goals else "@"
    try:
        return Sokoban(["".join(r) for r in rows], name="random")
    except InputFormatError:  # part of the floor or a box walled off from the player
        return None


def _solvable_states(level: Sokoban) -> tuple[set, set]:
    """Every state reachable from the start, and those from which a goal is reachable."""
    start = level.initial_state()
    seen, order, parents = {start}, [start], {}
    queue = deque([start])
    while queue:
        s = queue.popleft()
        for a in level.legal_actions(s):
            t = level.step(s, a)
            parents.setdefault(t, []).append(s)
            if t not in seen:
                seen.add(t)
                order.append(t)
                queue.append(t)
    good = {s for s in seen if level.is_goal(s)}
    queue = deque(good)
    while queue:
        t = queue.popleft()
        for s in parents.get(t, ()):
            if s not in good:
                good.add(s)
                queue.append(s)
    return seen, good


def test_is_dead_never_flags_a_solvable_state_on_random_small_levels():
    """Soundness against exhaustive search over every reachable state of 60 small levels."""
    rng = random.Random(7)
    levels, flagged_frozen, checked = 0, 0, 0
    while levels < 60:
        level = _random_level(rng, 2 if levels < 45 else 3)
        if level is None:
            continue
        levels += 1
        live = live_cells(level)
        reachable, solvable = _solvable_states(level)
        for s in reachable:
            checked += 1
            if level.is_dead(s):
                assert s not in solvable, (level.render(s), "flagged dead but solvable")
                if all(b in live for b in s.boxes):
                    flagged_frozen += 1
    assert checked > 10_000
    assert flagged_frozen > 100  # the frozen rule fires beyond the dead cells


def test_the_compiled_push_test_agrees_with_is_dead_after_every_push_from_a_live_state():
    import numpy as np

    from kairos.search.deadlocks import push_deadlock

    rng = random.Random(11)
    levels, pushes = 0, 0
    while levels < 30:
        level = _random_level(rng, 2 if levels < 20 else 3)
        if level is None:
            continue
        levels += 1
        compiled = level.compile()
        group = np.empty(len(level.cells), np.int64)
        mark = np.zeros(len(level.cells), np.int8)
        for s in _solvable_states(level)[0]:
            if level.is_dead(s):
                continue
            for a in level.legal_actions(s):
                q = int(level.neighbours[s.player, a])
                if q not in s.boxes:
                    continue
                child = level.step(s, a)
                states = level.pack(child)[None, :]
                box = int(level.neighbours[q, a])
                got = push_deadlock(
                    level.neighbours, compiled.dead_cells, compiled.goal_value, states, 0, box,
                    group, mark,
                )  # fmt: skip
                assert got == level.is_dead(child), level.render(child)
                assert not mark.any()
                pushes += 1
    assert pushes > 400


def _solvable_random_levels(count: int, seed: int) -> list[Sokoban]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        level = _random_level(rng, 2)
        if level is None:
            continue
        if level.initial_state() in _solvable_states(level)[1] and not level.is_goal(
            level.initial_state()
        ):
            out.append(level)
    return out


@pytest.mark.parametrize("state_cut", [True, False])
@pytest.mark.parametrize("mode", ["cut", "renormalise"])
def test_compiled_pruning_matches_the_reference(state_cut, mode):
    for level in _solvable_random_levels(15, seed=3):
        config = SearchConfig(budget=3_000, state_cut=state_cut, deadlocks=mode)
        pruned, ref = search(level, config), reference_search(level, config)
        assert (pruned.status, pruned.actions, pruned.expansions, pruned.generated) == (
            ref.status,
            ref.actions,
            ref.expansions,
            ref.generated,
        )
        if mode == "cut":  # π unchanged on live nodes: same solution, fewer or equal expansions
            plain = search(level, SearchConfig(budget=3_000, state_cut=state_cut))
            if plain.solved:
                assert pruned.actions == plain.actions
                assert pruned.expansions <= plain.expansions
        assert pruned.solved or not ref.solved


def test_pruning_saves_expansions_on_a_level_with_frozen_traps():
    levels = _solvable_random_levels(25, seed=3)
    plain = sum(search(v, SearchConfig(budget=20_000)).expansions for v in levels)
    cut = sum(search(v, SearchConfig(budget=20_000, deadlocks="cut")).expansions for v in levels)
    assert cut < plain


def test_an_unknown_deadlock_mode_is_a_validation_error_naming_the_field():
    with pytest.raises(ValidationError, match="deadlocks"):
        SearchConfig(deadlocks="yes")


def test_a_dead_start_is_expanded_once_with_no_children():
    (level,) = parse_levels(BLOCK_2X2)
    for run in (search, reference_search):
        result = run(level, SearchConfig(budget=1_000, deadlocks="cut"))
        assert (result.status, result.expansions) == ("exhausted", 1)


def test_the_compiled_dead_cell_map_is_the_complement_of_live_cells():
    (level,) = parse_levels(PAIR_ON_WALL)
    dead = level.compile().dead_cells
    live = live_cells(level)
    assert [bool(d) for d in dead] == [i not in live for i in range(len(level.cells))]
    # a state with a box on a dead cell is dead, whatever else holds
    corner = next(i for i, (r, c) in enumerate(level.cells) if (r, c) == (1, 1))
    assert level.is_dead(SokobanState(level.initial_state().player, frozenset({corner, 4})))


def test_the_cli_choices_are_the_engine_modes():
    from kairos.cli.options import DeadlockChoice
    from kairos.search.engine import DEADLOCK_MODES

    assert [c.value for c in DeadlockChoice] == list(DEADLOCK_MODES)
