"""Programming-by-example tasks: DreamCoder's list-task JSON, validated, with held-out examples.

The file is a JSON list of tasks::

    [{"name": "add-k with k=1",
      "type": {"input": "list-of-int", "output": "list-of-int"},
      "examples": [{"i": [1, 2], "o": [2, 3]}, ...]}, ...]

Types are ``int``, ``bool``, ``list-of-int`` and ``list-of-bool`` (DreamCoder's
names) or the DSL's own syntax (``list(int)``). Every value is checked against
its declared type and the interpreter's limits (``|int| <= MAX_INT``, lists of
at most ``MAX_LIST`` elements), so a task the solver could never match is an
error at load time, not a silent failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.domains.programs.primitives import MAX_INT, MAX_LIST
from kairos.domains.programs.types import BOOL, INT, TCon, arrow, parse_type, tlist
from kairos.errors import InputFormatError, ValidationError

VALUE_TYPES = (INT, BOOL, tlist(INT), tlist(BOOL))
_DREAMCODER_NAME = {
    INT: "int",
    BOOL: "bool",
    tlist(INT): "list-of-int",
    tlist(BOOL): "list-of-bool",
}


@dataclass(frozen=True)
class Task:
    """One task: a name, a type ``input -> output``, and input/output examples.

    Attributes
    ----------
    name : str
    input_type, output_type : TCon
        One of :data:`VALUE_TYPES`.
    examples : tuple of (tuple, value)
        ``(inputs, output)`` pairs; ``inputs`` holds one value per input (one here).
    """

    name: str
    input_type: TCon
    output_type: TCon
    examples: tuple

    @property
    def request(self):
        """The type a solution must have, e.g. ``list(int) -> int``."""
        return arrow(self.input_type, self.output_type)

    @property
    def num_inputs(self) -> int:
        return 1

    def split(self, holdout: int) -> tuple[tuple, tuple]:
        """``(shown, hidden)``: the last ``holdout`` examples are hidden.

        Raises
        ------
        ValidationError
            Field ``holdout``: negative, or leaving no example to show.
        """
        if holdout < 0:
            raise ValidationError("holdout", f"got {holdout}, expected >= 0")
        if holdout >= len(self.examples):
            raise ValidationError(
                "holdout",
                f"task {self.name!r} has {len(self.examples)} examples; hiding {holdout} "
                f"leaves none to search on; use --holdout below {len(self.examples)}",
            )
        cut = len(self.examples) - holdout
        return self.examples[:cut], self.examples[cut:]

    def to_json(self) -> dict[str, Any]:
        """The task in DreamCoder's JSON form."""
        return {
            "name": self.name,
            "type": {
                "input": _DREAMCODER_NAME[self.input_type],
                "output": _DREAMCODER_NAME[self.output_type],
            },
            "examples": [{"i": inputs[0], "o": out} for inputs, out in self.examples],
        }


def check_value(value: Any, t) -> str | None:
    """Why ``value`` is not a valid ``t`` within the interpreter's limits, or None if it is."""
    if t is INT:
        if type(value) is not int:
            return f"expected an integer, got {value!r}"
        if abs(value) > MAX_INT:
            return f"integer {value} exceeds the limit ±{MAX_INT}"
        return None
    if t is BOOL:
        return None if type(value) is bool else f"expected true/false, got {value!r}"
    if isinstance(t, TCon) and t.name == "list":
        if type(value) is not list:
            return f"expected a list, got {value!r}"
        if len(value) > MAX_LIST:
            return f"list of {len(value)} elements exceeds the limit of {MAX_LIST}"
        for k, v in enumerate(value):
            why = check_value(v, t.args[0])
            if why:
                return f"element {k}: {why}"
        return None
    return f"unsupported type {t}"


def tasks_from_json(data: Any, path: str | Path | None = None) -> list[Task]:
    """Validated tasks from parsed JSON (see the module docstring for the format).

    Raises
    ------
    InputFormatError
        Naming the file, the task (by name, or index when it has none) and the
        field: not a list, a missing or mistyped field, an unknown type, no
        examples, a value that disagrees with its type or exceeds the limits,
        or a duplicate task name.
    """
    if not isinstance(data, list):
        raise InputFormatError(
            path, None, f"expected a JSON list of tasks, got {type(data).__name__}"
        )
    tasks, seen = [], set()
    for k, raw in enumerate(data):
        where = f"task #{k}"

        def fail(field: str, msg: str, where=where):
            raise InputFormatError(path, None, f"{where}, field {field!r}: {msg}")

        if not isinstance(raw, dict):
            fail("(task)", f"expected an object, got {type(raw).__name__}")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            fail("name", "missing or not a non-empty string")
        where = f"task #{k} {name!r}"
        if name in seen:
            fail("name", "duplicate task name")
        seen.add(name)
        ty = raw.get("type")
        if not isinstance(ty, dict):
            fail("type", 'missing; expected {"input": ..., "output": ...}', where)
        io_types = []
        for field in ("input", "output"):
            text = ty.get(field)
            if not isinstance(text, str):
                fail(f"type.{field}", "missing or not a string", where)
            try:
                t = parse_type(text)
            except ValidationError as e:
                fail(f"type.{field}", e.message, where)
            if t not in VALUE_TYPES:
                fail(
                    f"type.{field}",
                    f"unsupported type {text!r}; expected one of "
                    f"{sorted(_DREAMCODER_NAME.values())}",
                    where,
                )
            io_types.append(t)
        examples = raw.get("examples")
        if not isinstance(examples, list) or not examples:
            fail("examples", "missing or empty; a task needs at least one example", where)
        parsed = []
        for j, ex in enumerate(examples):
            if not isinstance(ex, dict) or "i" not in ex or "o" not in ex:
                fail(f"examples[{j}]", 'expected {"i": input, "o": output}', where)
            for key, t in zip(("i", "o"), io_types, strict=True):
                why = check_value(ex[key], t)
                if why:
                    fail(f"examples[{j}].{key}", f"{why} (declared {t})", where)
            parsed.append(((ex["i"],), ex["o"]))
        tasks.append(Task(name, io_types[0], io_types[1], tuple(parsed)))
    return tasks


def read_tasks(path: str | Path) -> list[Task]:
    """Tasks from a DreamCoder list-task JSON file.

    Raises
    ------
    InputFormatError
        The file is missing, not JSON (with its line), or malformed (see
        :func:`tasks_from_json`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputFormatError(path, None, f"cannot read the task file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputFormatError(path, None, "not UTF-8 text; expected a JSON task list") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputFormatError(path, e.lineno, f"not valid JSON: {e.msg}") from None
    return tasks_from_json(data, path)


def write_tasks(path: str | Path, tasks: Sequence[Task]) -> None:
    """Write tasks as DreamCoder list-task JSON, atomically.

    This is DreamCoder's interchange format (read by other tools), so it has no
    kairos magic or checksum; :func:`read_tasks` validates it instead.
    """
    from kairos.container import atomic_write_text

    atomic_write_text(path, json.dumps([t.to_json() for t in tasks], indent=1) + "\n")
