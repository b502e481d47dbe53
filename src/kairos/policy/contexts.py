"""Context specifications per domain, and the compiled context extraction.

A *context* is a small pattern of tiles read at fixed offsets around the agent
(the Sokoban player, the sliding-tile blank), optionally joined with the last
action and the agent's cell. A context model keeps one weight vector β[c, ·]
per context value ``c``; values are hashed into ``2**log2_rows`` rows.

Everything the compiled code needs about one problem instance is *bound* into
one flat int64 array (``int_params`` of the policy inside the search kernel)::

    [0:16]                     header (see the H_* constants)
    offsets   (num_cells, O)   cell at each offset from each cell, -1 = wall/outside
    cell_info (num_cells,)     Sokoban: 1 on goal cells (+ 4 on dead cells with
                               ``tiles="dead"``); sliding tiles: 0
    patterns  (P, 3 + MT)      [n_tiles, use_last_action, use_cell, offset ids ...]
    steps     (4, 2)           offset ids of +1 and +2 cells in each action's direction

Tile values: Sokoban 0 wall, 1 floor, 2 goal, 3 box, 4 box on goal, and with
``tiles="dead"`` 5 dead floor (a box pushed there can never reach a goal) and
7 box on a dead cell; sliding tiles 0 outside, else tile number + 1 (the blank
is 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from kairos.domains.base import DOMAIN_KIND_SOKOBAN, compiled_form
from kairos.errors import MismatchError, ValidationError
from kairos.fields import require_bool, require_dict, require_int, require_list
from kairos.hashing import GOLDEN_GAMMA, mix64

NUM_ACTIONS = 4  # U D L R in both domains
MAX_TILES = 9  # tiles per pattern: 9 x 5 bits + last action + cell fit one 64-bit word
MIN_RADIUS = 2  # the legality test reads the cell two steps away (a pushed box's target)
MAX_RADIUS = 8
MAX_PATTERNS = 64
MAX_LOG2_ROWS = 24  # 2**24 rows x 4 actions x 8 bytes = 512 MiB of weights
TILE_MODES = ("plain", "dead")  # what a Sokoban tile value tells apart (module docstring)
_DELTAS = ((-1, 0), (1, 0), (0, -1), (0, 1))

# header slots
H_DKIND, H_CELLS, H_OFFSETS, H_PATTERNS, H_LOG2ROWS, H_BITS, H_PER_WORD, H_SEED = range(8)
HEADER = 16


@dataclass(frozen=True)
class ContextSpec:
    """Which tile patterns a domain's context model reads.

    Attributes
    ----------
    radius : int
        Offsets span ``[-radius, radius]²`` around the agent; offset id of
        ``(dr, dc)`` is ``(dr + radius) * (2 * radius + 1) + dc + radius``.
    patterns : tuple of (tuple of (dr, dc), bool, bool)
        Each pattern: its tile offsets (≤ 9), whether the last action joins the
        context, whether the agent's cell joins it.
    log2_rows : int
        The hashed table has ``2**log2_rows`` rows of ``NUM_ACTIONS`` weights.
    tiles : str
        ``plain``, or ``dead``: Sokoban floor tiles on dead cells read as their
        own values (a box–goal relation: no box pushed there reaches a goal).
        Files written before this field existed hold ``plain`` contexts.
    """

    radius: int
    patterns: tuple[tuple[tuple[tuple[int, int], ...], bool, bool], ...]
    log2_rows: int = 20
    tiles: str = "plain"

    def __post_init__(self) -> None:
        self.check()

    def check(self, field: str = "contexts") -> None:
        """Raise :class:`ValidationError` unless every field is in the range the kernels assume.

        The compiled code reads tiles at the pattern offsets without bounds checks,
        so an offset outside ``[-radius, radius]²`` or more than ``MAX_TILES`` tiles
        would read outside its arrays.
        """
        r = require_int(f"{field}.radius", self.radius, lo=MIN_RADIUS, hi=MAX_RADIUS)
        require_int(f"{field}.log2_rows", self.log2_rows, lo=1, hi=MAX_LOG2_ROWS)
        if self.tiles not in TILE_MODES:
            raise ValidationError(
                f"{field}.tiles", f"got {self.tiles!r:.40}, expected one of {list(TILE_MODES)}"
            )
        if not isinstance(self.patterns, tuple) or not 1 <= len(self.patterns) <= MAX_PATTERNS:
            raise ValidationError(
                f"{field}.patterns",
                f"expected 1..{MAX_PATTERNS} patterns, got {self.patterns!r:.60}",
            )
        for p, pattern in enumerate(self.patterns):
            where = f"{field}.patterns[{p}]"
            if not isinstance(pattern, tuple) or len(pattern) != 3:
                raise ValidationError(where, "expected (offsets, use_last_action, use_cell)")
            offs, last, cell = pattern
            require_bool(f"{where}[1]", last)
            require_bool(f"{where}[2]", cell)
            if not isinstance(offs, tuple) or len(offs) > MAX_TILES:
                raise ValidationError(f"{where}[0]", f"expected at most {MAX_TILES} offsets")
            for k, off in enumerate(offs):
                if not isinstance(off, tuple) or len(off) != 2:
                    raise ValidationError(f"{where}[0][{k}]", f"expected (dr, dc), got {off!r:.40}")
                for d in off:
                    require_int(f"{where}[0][{k}]", d, lo=-r, hi=r)

    def to_json(self) -> dict:
        """JSON-able form (stored in policy files)."""
        return {
            "radius": self.radius,
            "log2_rows": self.log2_rows,
            "tiles": self.tiles,
            "patterns": [
                [[list(o) for o in offs], last, cell] for offs, last, cell in self.patterns
            ],
        }

    @classmethod
    def from_json(cls, obj: object, field: str = "contexts") -> ContextSpec:
        """Inverse of :meth:`to_json`; a :class:`ValidationError` names any malformed field."""
        obj = require_dict(field, obj)
        for key in ("radius", "log2_rows", "patterns"):
            if key not in obj:
                raise ValidationError(f"{field}.{key}", "missing")
        patterns = []
        for p, pattern in enumerate(
            require_list(f"{field}.patterns", obj["patterns"], max_len=MAX_PATTERNS)
        ):
            where = f"{field}.patterns[{p}]"
            if not isinstance(pattern, list) or len(pattern) != 3:
                raise ValidationError(where, "expected [offsets, use_last_action, use_cell]")
            offs = require_list(f"{where}[0]", pattern[0], max_len=MAX_TILES)
            for k, off in enumerate(offs):
                if not isinstance(off, list) or len(off) != 2:
                    raise ValidationError(f"{where}[0][{k}]", f"expected [dr, dc], got {off!r:.40}")
            patterns.append((tuple(tuple(off) for off in offs), pattern[1], pattern[2]))
        for key, default in _LATER_FIELDS.items():  # absent in files written before the field
            obj = {key: default, **obj}
        try:
            return cls(
                radius=obj["radius"],
                log2_rows=obj["log2_rows"],
                patterns=tuple(patterns),
                tiles=obj["tiles"],
            )
        except ValidationError as exc:  # __post_init__ names fields from "contexts"
            raise ValidationError(field + exc.field.removeprefix("contexts"), exc.message) from None

    @property
    def num_patterns(self) -> int:
        return len(self.patterns)


# fields added after the first policy files were written: absent means the default
_LATER_FIELDS = {"tiles": "plain"}


def _block(top: int, left: int, h: int, w: int) -> tuple[tuple[int, int], ...]:
    return tuple((top + i, left + j) for i in range(h) for j in range(w))


def sokoban_spec(log2_rows: int = 20) -> ContextSpec:
    """Sokoban contexts around the player (Orseau, Hutter, Lelis 2023, simplified).

    Nine 3×3 blocks tiling ``[-4, 4]²``, sixteen 2×2 blocks within ±2, a ray
    of 3 tiles in each direction, the last action alone and joined with the
    4 adjacent tiles: 31 contexts per state (the ``base`` set).
    """
    pats = []
    for ci in (-3, 0, 3):
        for cj in (-3, 0, 3):
            pats.append((_block(ci - 1, cj - 1, 3, 3), False, False))
    for top in range(-2, 2):
        for left in range(-2, 2):
            pats.append((_block(top, left, 2, 2), False, False))
    for dr, dc in _DELTAS:
        pats.append((tuple((k * dr, k * dc) for k in (1, 2, 3)), False, False))
    pats.append(((), True, False))
    pats.append((tuple(_DELTAS), True, False))
    return ContextSpec(radius=4, patterns=tuple(pats), log2_rows=log2_rows)


def stp_spec(log2_rows: int = 18) -> ContextSpec:
    """Sliding-tile contexts around the blank, joined with the blank's cell.

    Per direction: the tile that would move, and the two tiles in that line;
    the 3×3 block and four 2×2 blocks around the blank; the last action with
    and without the cell: 15 contexts per state.
    """
    pats = []
    for dr, dc in _DELTAS:
        pats.append((((dr, dc),), False, True))
        pats.append((((dr, dc), (2 * dr, 2 * dc)), False, True))
    pats.append((_block(-1, -1, 3, 3), False, True))
    for top in (-1, 0):
        for left in (-1, 0):
            pats.append((_block(top, left, 2, 2), False, True))
    pats.append(((), True, False))
    pats.append(((), True, True))
    return ContextSpec(radius=2, patterns=tuple(pats), log2_rows=log2_rows)


def _push_patterns() -> list:
    """Per direction, what a push that way meets: the cells 1–3 ahead and both sides of 1–2."""
    pats = []
    for dr, dc in _DELTAS:
        pr, pc = dc, dr  # perpendicular
        offs = [(k * dr, k * dc) for k in (1, 2, 3)]
        for k in (1, 2):
            offs += [(k * dr + pr, k * dc + pc), (k * dr - pr, k * dc - pc)]
        pats.append((tuple(offs), False, False))
    return pats


def sokoban_push_spec(log2_rows: int = 20, *, tiles: str = "plain") -> ContextSpec:
    """The ``base`` set plus the push structure: 35 contexts per state.

    Per direction one 7-tile pattern: the cells 1, 2 and 3 ahead of the player
    (the box a move would push and where it would land) and the cells beside
    the first two (whether the landing cell is a corridor, a corner or open).
    With ``tiles="dead"`` every tile also says whether it is a dead cell.
    """
    base = sokoban_spec(log2_rows)
    return ContextSpec(
        radius=base.radius,
        patterns=base.patterns + tuple(_push_patterns()),
        log2_rows=log2_rows,
        tiles=tiles,
    )


SPECS = {"sokoban": sokoban_spec, "stp": stp_spec}

#: Named context sets per domain (``kairos train --contexts``); the first is the default.
CONTEXT_SETS = {
    "sokoban": {
        "base": sokoban_spec,
        "push": sokoban_push_spec,
        "push-dead": lambda log2_rows=20: sokoban_push_spec(log2_rows, tiles="dead"),
    },
    "stp": {"base": stp_spec},
}


def context_set(domain: str, name: str, log2_rows: int | None = None) -> ContextSpec:
    """The named context set of ``domain`` (:data:`CONTEXT_SETS`).

    Raises
    ------
    ValidationError
        No such domain or set (field ``contexts``).
    """
    sets = CONTEXT_SETS.get(domain, {})
    if name not in sets:
        raise ValidationError(
            "contexts", f"got {name!r:.40} for {domain!r}, expected one of {list(sets)}"
        )
    return sets[name]() if log2_rows is None else sets[name](log2_rows)


def bind(spec: ContextSpec, domain, *, seed: int = 0) -> np.ndarray:
    """The flat int64 array describing ``spec`` on one problem instance.

    Parameters
    ----------
    spec : ContextSpec
    domain : Domain with ``compile()``, or a CompiledDomain
        Cell coordinates are recovered from the neighbour table, so the
        compiled form alone is enough.
    seed : int
        Hash seed (part of the policy; must match between training and search).

    Returns
    -------
    ndarray of int64, shape (HEADER + num_cells*O + num_cells + P*(3+MT) + 8,)

    Raises
    ------
    MismatchError
        ``domain`` has no compiled form.
    """
    r = spec.radius
    side = 2 * r + 1
    num_offsets = side * side
    compiled = compiled_form(domain)
    if compiled is None:
        raise MismatchError(
            None,
            f"no compiled form for {type(domain).__name__} ({getattr(domain, 'name', '?')}), "
            "so no tile contexts; a domain with features(state) learns a feature model instead",
        )
    coords = _cell_coords(compiled)
    info, bits, per_word = compiled.cell_layout()
    dkind = compiled.kind
    if spec.tiles == "dead":
        if dkind != DOMAIN_KIND_SOKOBAN or len(compiled.dead_cells) != len(info):
            raise MismatchError(
                None,
                f"contexts with tiles='dead' need Sokoban dead cells; "
                f"{getattr(domain, 'name', '?')} has none: use tiles='plain'",
            )
        info = info + 4 * compiled.dead_cells.astype(np.int64)  # _tile reads 1 + info + 2·box
    num_cells = len(coords)
    offsets = _window_offsets(coords, r)
    pats = np.zeros((spec.num_patterns, 3 + MAX_TILES), np.int64)
    for p, (offs, last, cell) in enumerate(spec.patterns):
        pats[p, 0], pats[p, 1], pats[p, 2] = len(offs), int(last), int(cell)
        for k, (dr, dc) in enumerate(offs):
            pats[p, 3 + k] = (dr + r) * side + dc + r
    steps = np.zeros((NUM_ACTIONS, 2), np.int64)
    for a, (dr, dc) in enumerate(_DELTAS):
        for k in (1, 2):
            steps[a, k - 1] = (k * dr + r) * side + k * dc + r if k <= r else -1
    header = np.zeros(HEADER, np.int64)
    header[[H_DKIND, H_CELLS, H_OFFSETS, H_PATTERNS, H_LOG2ROWS, H_BITS, H_PER_WORD, H_SEED]] = (
        dkind,
        num_cells,
        num_offsets,
        spec.num_patterns,
        spec.log2_rows,
        bits,
        per_word,
        seed,
    )
    return np.concatenate([header, offsets.ravel(), info, pats.ravel(), steps.ravel()])


def _window_offsets(coords: np.ndarray, r: int) -> np.ndarray:
    """Cell index at every offset of each cell's (2r+1)² window, -1 off the cells.

    ``coords`` is (num_cells, 2) grid positions; the result is
    (num_cells, (2r+1)²), offsets in row-major window order. A dense lookup
    grid padded by ``r`` replaces a per-cell dict walk (it was a quarter of
    the CPU of solving an easy level).
    """
    side = 2 * r + 1
    if len(coords) == 0:
        return np.full((0, side * side), -1, np.int64)
    lo = coords.min(axis=0)
    shifted = coords - lo + r
    grid = np.full(tuple(shifted.max(axis=0) + r + 1), -1, np.int64)
    grid[shifted[:, 0], shifted[:, 1]] = np.arange(len(coords), dtype=np.int64)
    dr, dc = np.divmod(np.arange(side * side, dtype=np.int64), side)
    return grid[shifted[:, 0, None] + dr - r, shifted[:, 1, None] + dc - r]


def _cell_coords(compiled) -> np.ndarray:
    """Grid (row, col) of every cell, shape (num_cells, 2), from the neighbour table.

    Every cell is reachable from cell 0 (Sokoban cells are the player's walled
    area), so a walk over the U/D/L/R neighbours recovers relative coordinates.
    """
    nbr = compiled.neighbours
    coords = np.zeros((len(nbr), 2), np.int64)
    seen = np.zeros(len(nbr), bool)
    seen[0] = True
    stack = [0]
    while stack:
        i = stack.pop()
        for a, (dr, dc) in enumerate(_DELTAS):
            j = int(nbr[i, a])
            if j >= 0 and not seen[j]:
                seen[j] = True
                coords[j] = coords[i] + (dr, dc)
                stack.append(j)
    return coords - coords.min(axis=0)


@njit(cache=True, inline="always")
def _tile(pint, row, agent, off):
    """Tile value at offset id ``off`` from the agent's cell."""
    num_cells = pint[H_CELLS]
    num_offsets = pint[H_OFFSETS]
    cell = pint[HEADER + agent * num_offsets + off]
    if cell < 0:
        return np.int64(0)
    if pint[H_DKIND] == DOMAIN_KIND_SOKOBAN:
        box = (row[1 + cell // 64] >> np.uint64(cell % 64)) & np.uint64(1)
        goal = pint[HEADER + num_cells * num_offsets + cell]
        return np.int64(1 + goal + 2 * np.int64(box))
    bits = pint[H_BITS]
    per_word = pint[H_PER_WORD]
    mask = (np.uint64(1) << np.uint64(bits)) - np.uint64(1)
    t = (row[1 + cell // per_word] >> np.uint64((cell % per_word) * bits)) & mask
    return np.int64(t) + 1


@njit(cache=True)
def contexts(pint, row, last_action, ctx_out, legal_out):
    """Active context rows and legal actions of one packed state.

    Parameters
    ----------
    pint : ndarray of int64
        A bound array from :func:`bind`.
    row : ndarray of uint64, shape (num_words,)
    last_action : int
        -1 at the root.
    ctx_out : ndarray of int64, shape (P,)
        Receives the hashed row of each pattern's context.
    legal_out : ndarray of bool, shape (4,)
    """
    num_cells = pint[H_CELLS]
    num_offsets = pint[H_OFFSETS]
    num_patterns = pint[H_PATTERNS]
    mask = (np.uint64(1) << np.uint64(pint[H_LOG2ROWS])) - np.uint64(1)
    seed = np.uint64(pint[H_SEED])
    agent = np.int64(row[0])
    base_pat = HEADER + num_cells * num_offsets + num_cells
    base_steps = base_pat + num_patterns * (3 + MAX_TILES)
    for p in range(num_patterns):
        q = base_pat + p * (3 + MAX_TILES)
        v = np.uint64(0)
        for k in range(pint[q]):
            v = (v << np.uint64(5)) | np.uint64(_tile(pint, row, agent, pint[q + 3 + k]))
        if pint[q + 1]:
            v = (v << np.uint64(3)) | np.uint64(last_action + 1)
        if pint[q + 2]:
            v = (v << np.uint64(8)) | np.uint64(agent)
        h = mix64(v ^ mix64(np.uint64(p + 1) * GOLDEN_GAMMA ^ seed))
        ctx_out[p] = np.int64(h & mask)
    sokoban = pint[H_DKIND] == DOMAIN_KIND_SOKOBAN
    for a in range(4):
        t1 = _tile(pint, row, agent, pint[base_steps + 2 * a])
        if t1 == 0:
            legal_out[a] = False
        elif sokoban and ((t1 - 1) >> 1) & 1:  # a box (tile 3, 4 or 7): pushable?
            t2 = _tile(pint, row, agent, pint[base_steps + 2 * a + 1])
            legal_out[a] = t2 > 0 and not ((t2 - 1) >> 1) & 1
        else:
            legal_out[a] = True


@njit(cache=True)
def cm_logits(pint, pweights, row, last_action, out):
    """Log π(a|s) of the ε-mixed context model, written into ``out`` (shape (4,)).

    ``pweights[0]`` is ε; ``pweights[1:]`` is β, shape (2**log2_rows, 4),
    flattened. π(a|s) = (1-ε)·softmax over legal a of Σ_c β[c, a] + ε/|legal|;
    illegal actions get -inf (the kernel skips them anyway).
    """
    num_patterns = pint[H_PATTERNS]
    ctx = np.empty(num_patterns, np.int64)
    legal = np.empty(4, np.bool_)
    contexts(pint, row, last_action, ctx, legal)
    z0 = 0.0
    z1 = 0.0
    z2 = 0.0
    z3 = 0.0
    for p in range(num_patterns):
        b = 1 + 4 * ctx[p]
        z0 += pweights[b]
        z1 += pweights[b + 1]
        z2 += pweights[b + 2]
        z3 += pweights[b + 3]
    out[0], out[1], out[2], out[3] = z0, z1, z2, z3
    best = -np.inf
    num_legal = 0
    for a in range(4):
        if legal[a]:
            num_legal += 1
            if out[a] > best:
                best = out[a]
    if num_legal == 0:
        return
    total = 0.0
    for a in range(4):
        if legal[a]:
            total += np.exp(out[a] - best)
    eps = pweights[0]
    for a in range(4):
        if legal[a]:
            out[a] = np.log((1.0 - eps) * np.exp(out[a] - best) / total + eps / num_legal)
        else:
            out[a] = -np.inf


@njit(cache=True)
def trajectory_contexts(pint, states, last_actions, ctx_out, legal_out):
    """:func:`contexts` for every row of ``states`` (shape (T, num_words))."""
    for t in range(states.shape[0]):
        contexts(pint, states[t], last_actions[t], ctx_out[t], legal_out[t])
