"""The prior over programs: a log-linear "bigram" grammar, DreamCoder's as a context model.

A hole in a partial program has a *context*: the production it is an argument
of (its parent: a primitive, an applied variable, or the start), the argument
index, and the requested type. A *production* is a primitive or a variable
(``$0``, ``$1``, ``$2``, and ``$3`` standing for any deeper one). The grammar
scores production ``p`` in a context as the sum of three weights,

    z_p = W[bias, p] + W[(parent, argument), p] + W[type class, p],

and π(p | hole) is the softmax of z over the productions that can fill the
hole (type-correct, found by unification). So, exactly as for the puzzle
context models (:mod:`kairos.policy.loss`), −log π is a log-sum-exp minus a
linear function of W, and the LTS loss of a set of solutions is convex in W.
``W = 0`` is the uniform prior over type-correct productions, the baseline.

Grammar files (``.kgram``) are kairos containers (magic ``KGRM``): the DSL's
primitive names in order, and W.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kairos.domains.programs.primitives import PRIMITIVES, Primitive, primitive_table
from kairos.domains.programs.types import BOOL, INT, TCon, TVar, tlist
from kairos.errors import MismatchError

MAX_ARGS = 4  # arguments of the widest primitive (unfold)
NUM_VAR_PRODUCTIONS = 4  # $0, $1, $2, and $3 for every deeper variable
TYPE_CLASSES = ("int", "bool", "list(int)", "list(bool)", "list(other)", "variable", "other")
_MAGIC = b"KGRM"
_VERSION = 1


def type_class(t) -> int:
    """Index in :data:`TYPE_CLASSES` of a requested type."""
    if t is INT:
        return 0
    if t is BOOL:
        return 1
    if t is tlist(INT):
        return 2
    if t is tlist(BOOL):
        return 3
    if isinstance(t, TVar):
        return 5
    if isinstance(t, TCon) and t.name == "list":
        return 4
    return 6


class Grammar:
    """A log-linear grammar over one DSL.

    Parameters
    ----------
    primitives : sequence of Primitive
        The DSL, in a fixed order (production ``i`` is ``primitives[i]``).
    weights : ndarray of float64, shape (num_contexts, num_productions), optional
        Zeros (uniform) if omitted.

    Attributes
    ----------
    num_productions : int
        ``len(primitives) + NUM_VAR_PRODUCTIONS``.
    num_contexts : int
        ``1 + (len(primitives) + 2) * MAX_ARGS + len(TYPE_CLASSES)``: the bias
        row, one row per (parent, argument index) with parents start, each
        primitive and "a variable", and one row per type class.
    """

    def __init__(self, primitives: Sequence[Primitive] = PRIMITIVES, weights=None):
        self.primitives = tuple(primitives)
        self.table = primitive_table(self.primitives)
        self.num_productions = len(self.primitives) + NUM_VAR_PRODUCTIONS
        self.num_contexts = 1 + (len(self.primitives) + 2) * MAX_ARGS + len(TYPE_CLASSES)
        shape = (self.num_contexts, self.num_productions)
        if weights is None:
            weights = np.zeros(shape)
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != shape:
            raise MismatchError(None, f"grammar weights of shape {weights.shape}, expected {shape}")
        self.weights = weights
        self.is_uniform = not np.any(weights)
        self.name = "uniform" if self.is_uniform else "learned"

    # production and context indices ---------------------------------------------------------
    def var_production(self, index: int) -> int:
        """Production id of variable ``$index``."""
        return len(self.primitives) + min(index, NUM_VAR_PRODUCTIONS - 1)

    @property
    def start_parent(self) -> int:
        """Parent code of the program body (no enclosing production)."""
        return 0

    @property
    def var_parent(self) -> int:
        """Parent code of the arguments of an applied variable."""
        return len(self.primitives) + 1

    def prim_parent(self, prim_index: int) -> int:
        """Parent code of the arguments of primitive ``prim_index``."""
        return 1 + prim_index

    def context_rows(self, parent: int, argument: int, tclass: int) -> tuple[int, int, int]:
        """The three active rows of W for a hole."""
        return (
            0,
            1 + parent * MAX_ARGS + min(argument, MAX_ARGS - 1),
            1 + (len(self.primitives) + 2) * MAX_ARGS + tclass,
        )

    def scores(self, parent: int, argument: int, tclass: int) -> np.ndarray:
        """Unnormalised log-scores z of every production in a context, shape (num_productions,)."""
        r0, r1, r2 = self.context_rows(parent, argument, tclass)
        w = self.weights
        return w[r0] + w[r1] + w[r2]

    # files -----------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write a checksummed ``.kgram`` container, atomically."""
        from kairos.container import write_container

        header = {
            "primitives": [p.name for p in self.primitives],
            "shape": list(self.weights.shape),
        }
        write_container(path, _MAGIC, _VERSION, header, self.weights.astype("<f8").tobytes())

    @classmethod
    def load(cls, path: str | Path, primitives: Sequence[Primitive] = PRIMITIVES) -> Grammar:
        """Read a ``.kgram`` file written for the DSL ``primitives``.

        Raises
        ------
        FileFormatError
            Foreign, corrupt or newer file; :class:`MismatchError` if it was
            written for another DSL.
        """
        from kairos.container import read_container

        _, header, payload = read_container(path, magic=_MAGIC, versions={_VERSION})
        names = [p.name for p in primitives]
        if header.get("primitives") != names:
            raise MismatchError(
                path, f"grammar for DSL {header.get('primitives')}, not this DSL {names}"
            )
        shape = tuple(header["shape"])
        weights = np.frombuffer(payload, dtype="<f8")
        if weights.size != int(np.prod(shape)):
            raise MismatchError(path, f"{weights.size} weights for a table of shape {shape}")
        return cls(primitives, weights.reshape(shape).copy())


@dataclass(frozen=True)
class Steps:
    """The choices made along solution programs, for fitting a grammar.

    Attributes
    ----------
    rows : ndarray of int64, shape (S, 3)
        Active context rows of each of the S holes filled.
    candidates : ndarray of int64, shape (S, L)
        Production id of each type-correct candidate at each hole, padded with -1.
    chosen : ndarray of int64, shape (S,)
        Column in ``candidates`` of the production chosen.
    starts : ndarray of int64, shape (N + 1,)
        Steps of program i are ``starts[i]:starts[i+1]``.
    """

    rows: np.ndarray
    candidates: np.ndarray
    chosen: np.ndarray
    starts: np.ndarray

    @property
    def num_programs(self) -> int:
        return len(self.starts) - 1
