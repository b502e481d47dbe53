"""The n×n sliding-tile puzzle (n = 3..5): domain, generator, text format.

A state lists the tiles row by row, 0 being the blank. The goal is
``0 1 2 ... n*n-1`` (blank top-left). Actions ``U D L R`` move the *blank*.

Text format, one instance per line: ``n t0 t1 ... t_{n*n-1}``, e.g.
``3 1 0 2 3 4 5 6 7 8``. Lines starting with ``#`` and blank lines are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kairos.domains.base import DOMAIN_KIND_STP, CompiledDomain
from kairos.errors import InputFormatError, UnsolvableError, ValidationError, quote

ACTION_NAMES = "UDLR"
MIN_SIZE, MAX_SIZE = 3, 5
_DELTAS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _bits_per_tile(size: int) -> int:
    return 4 if size * size <= 16 else 5


def _parity_message(tiles: Sequence[int]) -> str:
    return (
        f"tiles {' '.join(map(str, tiles))} have the wrong permutation parity; "
        "no sequence of moves reaches the goal (swap two non-blank tiles to fix)"
    )


def is_solvable(tiles: Sequence[int], size: int) -> bool:
    """Whether ``tiles`` can reach the goal ``0 1 .. n*n-1`` (permutation parity test)."""
    seq = [t for t in tiles if t != 0]
    inversions = sum(1 for i in range(len(seq)) for j in range(i + 1, len(seq)) if seq[i] > seq[j])
    if size % 2 == 1:
        return inversions % 2 == 0
    blank_row = list(tiles).index(0) // size
    return (inversions + blank_row) % 2 == 0


class SlidingTile:
    """One sliding-tile instance as a :class:`~kairos.domains.base.Domain`.

    Parameters
    ----------
    tiles : sequence of int, length size*size
        A permutation of ``0..size*size-1``, row by row, 0 = blank.
    size : int
        Side n, 3..5.

    Raises
    ------
    ValidationError
        If ``tiles`` is not a permutation of the right length.
    UnsolvableError
        If the permutation parity makes the goal unreachable.
    """

    action_names = ACTION_NAMES
    difficulty = "bfs_optimal_length"  # the state spaces allow BFS to the optimum

    def __init__(self, tiles: Sequence[int], size: int, *, name: str = "stp"):
        tiles = tuple(int(t) for t in tiles)
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValidationError("size", f"got {size}, expected {MIN_SIZE}..{MAX_SIZE}")
        if sorted(tiles) != list(range(size * size)):
            raise ValidationError(
                "tiles", f"got {list(tiles)}, expected a permutation of 0..{size * size - 1}"
            )
        if not is_solvable(tiles, size):
            raise UnsolvableError(f"{name}: {_parity_message(tiles)}")
        self.tiles, self.size, self.name = tiles, size, name
        n = size
        self.neighbours = np.full((n * n, 4), -1, dtype=np.int64)
        for p in range(n * n):
            r, c = divmod(p, n)
            for a, (dr, dc) in enumerate(_DELTAS):
                if 0 <= r + dr < n and 0 <= c + dc < n:
                    self.neighbours[p, a] = (r + dr) * n + c + dc

    def initial_state(self) -> tuple[int, ...]:
        return self.tiles

    def legal_actions(self, state: tuple[int, ...]) -> list[int]:
        blank = state.index(0)
        return [a for a in range(4) if self.neighbours[blank, a] >= 0]

    def step(self, state: tuple[int, ...], action: int) -> tuple[int, ...]:
        blank = state.index(0)
        target = int(self.neighbours[blank, action])
        tiles = list(state)
        tiles[blank], tiles[target] = tiles[target], 0
        return tuple(tiles)

    def is_goal(self, state: tuple[int, ...]) -> bool:
        return all(t == i for i, t in enumerate(state))

    def key(self, state: tuple[int, ...]) -> tuple[int, ...]:
        return state

    def heuristic(self, state: tuple[int, ...]) -> float:
        n = self.size
        return float(
            sum(abs(p // n - t // n) + abs(p % n - t % n) for p, t in enumerate(state) if t)
        )

    def render(self, state: tuple[int, ...]) -> str:
        n = self.size
        width = len(str(n * n - 1))
        return "\n".join(
            " ".join(
                str(t).rjust(width) if t else ".".rjust(width) for t in state[r * n : r * n + n]
            )
            for r in range(n)
        )

    def to_line(self) -> str:
        """The one-line text form ``n t0 t1 ...``."""
        return " ".join(map(str, (self.size, *self.tiles)))

    # -- compiled form -------------------------------------------------------------------
    def pack(self, state: Sequence[int]) -> np.ndarray:
        """Packed words: ``[blank cell, tiles packed b bits each, 64//b tiles per word ...]``."""
        bits = _bits_per_tile(self.size)
        per_word = 64 // bits
        cells = self.size * self.size
        words = np.zeros(1 + (cells + per_word - 1) // per_word, dtype=np.uint64)
        words[0] = list(state).index(0)
        for p, t in enumerate(state):
            words[1 + p // per_word] |= np.uint64(t) << np.uint64((p % per_word) * bits)
        return words

    def compile(self) -> CompiledDomain:
        n = self.size
        cells = n * n
        manhattan = np.zeros((cells, cells), dtype=np.float64)  # [tile, cell]
        for t in range(1, cells):
            for p in range(cells):
                manhattan[t, p] = abs(p // n - t // n) + abs(p % n - t % n)
        goal = self.pack(tuple(range(cells)))
        bits = _bits_per_tile(n)
        return CompiledDomain(
            kind=DOMAIN_KIND_STP,
            neighbours=self.neighbours,
            params=np.array([cells, bits, 64 // bits], dtype=np.int64),
            heuristic_table=manhattan,
            initial=self.pack(self.tiles),
            goal_care=np.full_like(goal, np.uint64(0xFFFFFFFFFFFFFFFF)),
            goal_value=goal,
        )


def generate(size: int, num_moves: int, *, seed: int) -> SlidingTile:
    """A random instance: a walk of ``num_moves`` random blank moves from the goal.

    The walk never undoes its previous move, so instances are rarely trivial.
    """
    rng = np.random.default_rng(seed)
    puzzle = SlidingTile(tuple(range(size * size)), size)
    state, last = puzzle.initial_state(), -1
    inverse = (1, 0, 3, 2)
    for _ in range(num_moves):
        choices = [a for a in puzzle.legal_actions(state) if last < 0 or a != inverse[last]]
        last = int(choices[rng.integers(len(choices))])
        state = puzzle.step(state, last)
    return SlidingTile(state, size, name=f"stp{size}-walk{num_moves}-seed{seed}")


def parse_instances(text: str, *, path: str | Path | None = None) -> list[SlidingTile]:
    """Parse one-line instances ``n t0 t1 ...``; errors name the file and line."""
    stem = Path(path).name if path is not None else "<input>"
    out = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        numbers = []
        for k, field in enumerate(fields, start=1):
            try:
                numbers.append(int(field))
            except ValueError:
                raise InputFormatError(
                    path,
                    lineno,
                    f"non-integer field {quote(field)} (field {k:,} of {len(fields):,}); "
                    "expected 'n t0 t1 ... t_(n*n-1)'",
                ) from None
        size, tiles = numbers[0], numbers[1:]
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise InputFormatError(path, lineno, f"size {size}, expected {MIN_SIZE}..{MAX_SIZE}")
        if sorted(tiles) != list(range(size * size)):
            raise InputFormatError(
                path,
                lineno,
                f"{len(tiles)} tiles {quote(tiles)}, expected a permutation of 0..{size * size - 1}",
            )
        if not is_solvable(tiles, size):
            raise InputFormatError(path, lineno, _parity_message(tiles))
        out.append(SlidingTile(tiles, size, name=f"{stem}:{lineno}"))
    if not out:
        raise InputFormatError(path, None, "no instances found: expected lines 'n t0 t1 ...'")
    return out


def read_instances(path: str | Path) -> list[SlidingTile]:
    """Read an instances file; see :func:`parse_instances`."""
    path = Path(path)
    try:
        from kairos.inputs import read_input_text

        text = read_input_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(path, None, f"cannot read instances file: {exc}") from None
    return parse_instances(text, path=path)


def write_instances(
    path: str | Path, puzzles: Sequence[SlidingTile], *, force: bool = True
) -> None:
    """Write instances one per line, atomically, through the output gateway.

    With ``force=False`` an existing file is refused (:class:`~kairos.errors.OutputPathError`).
    """
    from kairos.outputs import write_output_text

    write_output_text(path, "".join(p.to_line() + "\n" for p in puzzles), force=force)


def generate_instances(size: int, num_moves: int, count: int, *, seed: int) -> list[SlidingTile]:
    """``count`` instances from :func:`generate`, instance i seeded by (``seed``, i).

    The same ``seed`` gives the same file, and its first k instances do not
    depend on ``count``.
    """
    seeds = [int(np.random.SeedSequence([seed, i]).generate_state(1)[0]) for i in range(count)]
    return [generate(size, num_moves, seed=s) for s in seeds]
