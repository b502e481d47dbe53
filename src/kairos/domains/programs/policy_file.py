"""A program prior with its library: one checksummed ``.kprog`` file, and the shipped one by name.

A :class:`ProgramPolicy` is what program search needs: the learned library
(inventions, each a new primitive) and the bigram grammar over the base DSL
plus that library. Both travel in one kairos container (magic ``KPRG``,
version, SHA-256, atomic write). The header holds the base DSL's primitive
names, the inventions (name, arity, Stitch body, inferred type), the weight
table's shape and free-form training metadata; the payload is the weights
(little-endian float64). Every field is validated after the checksum, so a
damaged or hand-edited file gives a :class:`~kairos.errors.FileFormatError`
naming the file and the field, never a wrong prior.

:func:`program_policy_by_name` resolves ``uniform``, the shipped ``list-dsl``
prior and library, or a path to a ``.kprog`` file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.library import Invention, library_primitives
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.errors import CorruptFileError, MismatchError, ValidationError

MAGIC = b"KPRG"
VERSION = 1
SUFFIX = ".kprog"
RUN_POLICY_NAME = "policy.kprog"
"""The prior and library in a ``kairos train programs`` run folder."""
RUN_GRAMMAR_POLICY_NAME = "policy_grammar.kprog"
"""The same run's grammar over the base DSL, without the library (the ablation)."""
SHIPPED = "list-dsl"
"""Name of the shipped prior and library (trained on the train half of the dev tasks)."""

_NAME = re.compile(r"^fn_[0-9]+$")
_MAX_ARITY = 8


@dataclass
class ProgramPolicy:
    """A library of inventions and a grammar over the base DSL plus that library.

    Attributes
    ----------
    library : tuple of Invention
    grammar : Grammar
        Over ``PRIMITIVES + library`` in that order.
    meta : dict
        Training metadata (JSON-able), e.g. the run's log summary.
    """

    library: tuple
    grammar: Grammar
    meta: dict = field(default_factory=dict)

    @classmethod
    def uniform(cls, library: Sequence[Invention] = ()) -> ProgramPolicy:
        """The uniform grammar over the base DSL plus ``library``."""
        return cls(tuple(library), Grammar(library_primitives(library)))

    @property
    def name(self) -> str:
        if self.grammar.is_uniform:
            return "uniform" if not self.library else "uniform+library"
        return "learned" if not self.library else "learned+library"

    def enumerator(self) -> Enumerator:
        return Enumerator(self.grammar)

    def save(self, path: str | Path) -> None:
        """Write the ``.kprog`` container atomically."""
        from kairos.container import write_container

        w = self.grammar.weights
        header = {
            "kind": "programs",
            "base": [p.name for p in PRIMITIVES],
            "library": [
                {"name": inv.name, "arity": inv.arity, "body": inv.body, "type": str(p.type)}
                for inv, p in zip(
                    self.library, self.grammar.primitives[len(PRIMITIVES) :], strict=True
                )
            ],
            "shape": list(w.shape),
            "meta": _json_safe(self.meta),
        }
        write_container(path, MAGIC, VERSION, header, np.ascontiguousarray(w, "<f8").tobytes())

    @classmethod
    def load(cls, path: str | Path) -> ProgramPolicy:
        """Read and validate a ``.kprog`` file.

        Raises
        ------
        ForeignFileError, VersionError, CorruptFileError
            Not a ``.kprog`` file, a newer version, or a damaged one; a field
            that fails validation is a :class:`CorruptFileError` naming it.
        MismatchError
            Written for another base DSL.
        """
        from kairos.container import read_container

        _, header, payload = read_container(path, magic=MAGIC, versions={VERSION})

        def bad(field_name: str, msg: str):
            raise CorruptFileError(
                path, f"field {field_name}: {msg}; retrain with 'kairos train programs'"
            )

        if not isinstance(header, dict) or header.get("kind") != "programs":
            bad("kind", f"got {header.get('kind') if isinstance(header, dict) else header!r}")
        base = header.get("base")
        names = [p.name for p in PRIMITIVES]
        if not isinstance(base, list) or not all(isinstance(n, str) for n in base):
            bad("base", "expected a list of primitive names")
        if base != names:
            raise MismatchError(
                path, f"field base: written for the DSL {base}, not this kairos's DSL {names}"
            )
        entries = header.get("library")
        if not isinstance(entries, list):
            bad("library", "expected a list of inventions")
        library = []
        for i, e in enumerate(entries):
            where = f"library[{i}]"
            if not isinstance(e, dict) or set(e) != {"name", "arity", "body", "type"}:
                bad(where, "expected an object with name, arity, body and type")
            if not isinstance(e["name"], str) or not _NAME.match(e["name"]):
                bad(f"{where}.name", f"got {e['name']!r}, expected fn_<k>")
            if e["name"] in {inv.name for inv in library}:
                bad(f"{where}.name", f"{e['name']} appears twice")
            arity = e["arity"]
            if isinstance(arity, bool) or not isinstance(arity, int):
                bad(f"{where}.arity", f"got {arity!r}, expected an integer")
            if not 0 <= arity <= _MAX_ARITY:
                bad(f"{where}.arity", f"got {arity}, expected 0..{_MAX_ARITY}")
            if not isinstance(e["body"], str) or not isinstance(e["type"], str):
                bad(where, "body and type must be strings")
            library.append(Invention(e["name"], arity, e["body"]))
        try:
            prims = library_primitives(library)
        except ValidationError as exc:
            bad("library", exc.message)
        for i, (e, p) in enumerate(zip(entries, prims[len(PRIMITIVES) :], strict=True)):
            if str(p.type) != e["type"]:
                bad(f"library[{i}].type", f"stored {e['type']!r}, the body has type {p.type}")
        grammar = Grammar(prims)
        shape = header.get("shape")
        want = [grammar.num_contexts, grammar.num_productions]
        if shape != want:
            bad("shape", f"got {shape!r}, expected {want} for this DSL and library")
        if len(payload) != 8 * want[0] * want[1]:
            bad("payload", f"{len(payload)} bytes, expected {8 * want[0] * want[1]}")
        weights = np.frombuffer(payload, dtype="<f8").reshape(want).astype(np.float64)
        if not np.all(np.isfinite(weights)):
            bad("payload", "weights must be finite")
        meta = header.get("meta", {})
        if not isinstance(meta, dict):
            bad("meta", f"got {type(meta).__name__}, expected an object")
        return cls(tuple(library), Grammar(prims, weights), meta)


def _json_safe(obj):
    """``obj`` with non-finite floats (not JSON) as None, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def shipped_policy_path() -> Path:
    """Path of the shipped ``list-dsl`` policy file inside the package."""
    from kairos.data import PROGRAMS_POLICY, data_path

    return data_path(PROGRAMS_POLICY)


def program_policy_by_name(name: str) -> ProgramPolicy:
    """``uniform``, the shipped ``list-dsl``, or a ``.kprog`` file at path ``name``.

    Raises
    ------
    FileFormatError
        ``name`` is neither registered nor a valid ``.kprog`` file.
    """
    if name == "uniform":
        return ProgramPolicy.uniform()
    if name == SHIPPED:
        return ProgramPolicy.load(shipped_policy_path())
    return ProgramPolicy.load(name)


def bits(log_prob: float) -> float:
    """−log2 of a natural-log probability (nan stays nan)."""
    return -log_prob / math.log(2.0)
