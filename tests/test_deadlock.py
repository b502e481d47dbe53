"""Simple deadlocks: corners and goal-less wall edges are dead, goals never are."""

from __future__ import annotations

from kairos.domains.deadlock import dead_boxes, live_cells
from kairos.domains.sokoban import parse_levels
from kairos.search.engine import SearchConfig, search

ROOM = """#######
#$    #
#     #
#  @ .#
#######
"""


def test_a_box_in_a_non_goal_corner_is_dead_and_search_proves_it():
    (level,) = parse_levels(ROOM)
    assert dead_boxes(level) == 1
    assert search(level, SearchConfig(budget=100_000)).status == "exhausted"


def test_goals_are_live_and_solvable_levels_have_no_dead_box():
    (level,) = parse_levels(ROOM.replace("#$    #", "#     #").replace("#  @ .#", "# $@ .#"))
    assert set(level.goals) <= live_cells(level)
    assert dead_boxes(level) == 0
    assert search(level, SearchConfig(budget=100_000)).solved


def test_wall_edge_without_a_goal_is_dead_but_the_row_with_the_goal_is_not():
    (level,) = parse_levels(ROOM)
    live = live_cells(level)
    top_row = {i for i, (r, _c) in enumerate(level.cells) if r == 1}
    bottom_row = {i for i, (r, _c) in enumerate(level.cells) if r == 3}
    assert not top_row & live  # a box pushed against the top wall can never leave it
    assert bottom_row & live  # the goal's own row
