"""Named context sets: the push structure, dead cells as tiles, and old files."""

import numpy as np
import pytest

from kairos.data import BOXOBAN_DEMO, STP_4X4_DEMO, data_path
from kairos.domains.sokoban import read_levels
from kairos.domains.stp import read_instances
from kairos.errors import MismatchError, ValidationError
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.contexts import (
    CONTEXT_SETS,
    HEADER,
    ContextSpec,
    bind,
    context_set,
    contexts,
    sokoban_spec,
)
from kairos.policy.files import load_policy


def _states(level, limit):
    """Breadth-first states of ``level`` (pushes onto dead cells included)."""
    seen = {level.initial_state()}
    frontier = [level.initial_state()]
    out = []
    while frontier and len(out) < limit:
        state = frontier.pop(0)
        out.append(state)
        for a in level.legal_actions(state):
            child = level.step(state, a)
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return out


@pytest.mark.parametrize("name", list(CONTEXT_SETS["sokoban"]))
def test_every_set_keeps_the_domain_legality(name):
    """A dead-cell tile must not read as a box: legality stays the domain's."""
    spec = context_set("sokoban", name)
    ctx = np.empty(spec.num_patterns, np.int64)
    legal = np.empty(4, np.bool_)
    boxes_on_dead = 0
    for level in read_levels(data_path(BOXOBAN_DEMO))[:4]:
        pint = bind(spec, level)
        dead = level.compile().dead_cells
        for state in _states(level, 1500):
            contexts(pint, level.pack(state), -1, ctx, legal)
            assert list(np.flatnonzero(legal)) == level.legal_actions(state)
            boxes_on_dead += sum(int(dead[b]) for b in state.boxes)
    assert boxes_on_dead > 0  # the walk did push boxes onto dead cells


def test_dead_tiles_mark_dead_cells_and_change_the_contexts():
    level = read_levels(data_path(BOXOBAN_DEMO))[0]
    compiled = level.compile()
    plain, dead = context_set("sokoban", "push"), context_set("sokoban", "push-dead")
    n, o = len(compiled.dead_cells), (2 * plain.radius + 1) ** 2
    info_plain = bind(plain, compiled)[HEADER + n * o : HEADER + n * o + n]
    info_dead = bind(dead, compiled)[HEADER + n * o : HEADER + n * o + n]
    assert compiled.dead_cells.sum() > 0
    assert (info_dead - info_plain == 4 * compiled.dead_cells).all()
    ctx = [np.empty(35, np.int64) for _ in range(2)]
    legal = np.empty(4, np.bool_)
    row = level.pack(level.initial_state())
    contexts(bind(plain, compiled), row, -1, ctx[0], legal)
    contexts(bind(dead, compiled), row, -1, ctx[1], legal)
    assert (ctx[0] != ctx[1]).any()


def test_push_set_extends_the_base_set():
    base, push = sokoban_spec(), context_set("sokoban", "push")
    assert push.patterns[: base.num_patterns] == base.patterns
    assert push.num_patterns == base.num_patterns + 4
    assert all(len(offs) == 7 for offs, _, _ in push.patterns[base.num_patterns :])


def test_tiles_field_round_trips_and_old_specs_load_as_plain(tmp_path):
    spec = context_set("sokoban", "push-dead", 12)
    assert ContextSpec.from_json(spec.to_json()) == spec
    old = spec.to_json()
    del old["tiles"]  # a file written before the field existed
    assert ContextSpec.from_json(old).tiles == "plain"
    policy = ContextModelPolicy("sokoban", spec=spec)
    policy.beta[5] = [0.5, -0.25, 0.0, 1.0]
    policy.save(tmp_path / "p.kpol")
    loaded = load_policy(tmp_path / "p.kpol", domain="sokoban")
    assert loaded.spec == spec and (loaded.weights == policy.weights).all()


def test_bad_sets_and_tiles_name_the_field():
    with pytest.raises(ValidationError, match="contexts"):
        context_set("sokoban", "huge")
    with pytest.raises(ValidationError, match="contexts"):
        context_set("stp", "push")
    with pytest.raises(ValidationError, match=r"contexts\.tiles"):
        ContextSpec.from_json({**sokoban_spec().to_json(), "tiles": "boxes"})
    spec = ContextSpec(radius=2, patterns=((((0, 1),), False, False),), tiles="dead")
    with pytest.raises(MismatchError, match="dead cells"):
        bind(spec, read_instances(data_path(STP_4X4_DEMO))[0])


@pytest.mark.parametrize("radius", [0, 1, 4])
def test_window_offsets_match_a_per_cell_walk(radius):
    """The vectorised window lookup gives what a dict walk over the cells gives."""
    from kairos.policy.contexts import _window_offsets

    rng = np.random.default_rng(radius)
    grid = rng.random((9, 12)) < 0.55
    grid[0, 0] = True
    coords = np.argwhere(grid).astype(np.int64) + 3  # not starting at 0
    index = {(int(r), int(c)): i for i, (r, c) in enumerate(coords)}
    side = 2 * radius + 1
    expected = np.full((len(coords), side * side), -1, np.int64)
    for i, (row, col) in enumerate(coords):
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                expected[i, (dr + radius) * side + dc + radius] = index.get(
                    (int(row) + dr, int(col) + dc), -1
                )
    got = _window_offsets(coords, radius)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    if radius:
        assert (got >= 0).sum() > len(coords)  # cells see neighbours, not only themselves
