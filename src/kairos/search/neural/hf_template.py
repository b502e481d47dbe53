"""A user's prompt-to-program template for a Hugging Face causal LM: a small, validated JSON file.

The template says how a task's shown examples become the prompt, and how a
program is read back out of the model's generation::

    {
      "format": "kairos-hf-template",
      "version": 1,
      "prompt": "Examples of a function {input_type} -> {output_type}:\\n{examples}Program:",
      "example": "{input} -> {output}\\n",
      "program_prefix": " (lambda",
      "stop": ["\\n"],
      "extract": "sexpr",
      "max_new_tokens": 64,
      "temperature": 1.0
    }

* ``prompt`` (required) must contain ``{examples}``; it may contain
  ``{input_type}``, ``{output_type}`` and ``{num_examples}``. Literal braces
  are written ``{{`` and ``}}``.
* ``example`` (required) is repeated once per shown example and must contain
  ``{input}`` and ``{output}``; values are written as JSON (``[1, 2]``,
  ``true``), a task with several inputs as a JSON list of them.
* ``program_prefix`` (default ``""``) ends the prompt and starts the program:
  the text the program is extracted from is ``program_prefix`` + generation.
* ``stop`` (default ``[]``): the generation ends at the first of these strings
  (or the tokenizer's end-of-sequence token, or ``max_new_tokens``).
* ``extract``: ``"sexpr"`` (default) takes the first balanced parenthesised
  expression; ``"line"`` the first non-blank line; ``"regex"`` the first match
  of ``pattern`` (its group ``program`` if it has one, else the whole match).
* ``max_new_tokens`` (default 64) and ``temperature`` (default 1.0, > 0).

The extracted text is parsed by :func:`kairos.domains.programs.sexpr.parse`,
type-checked against the task's type and run on the shown examples; anything
that fails one of these is a failed sample, not an error.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.errors import InputFormatError, ValidationError

FORMAT = "kairos-hf-template"
VERSION = 1
EXTRACT_RULES = ("sexpr", "line", "regex")
_PROMPT_FIELDS = frozenset({"examples", "input_type", "output_type", "num_examples"})
_EXAMPLE_FIELDS = frozenset({"input", "output"})
_KEYS = frozenset(
    {
        "format",
        "version",
        "prompt",
        "example",
        "program_prefix",
        "stop",
        "extract",
        "pattern",
        "max_new_tokens",
        "temperature",
    }
)
MAX_TEMPLATE_BYTES = 1 << 20


@dataclass(frozen=True)
class PromptTemplate:
    """A validated template (see the module docstring for the fields).

    Attributes
    ----------
    source : str
        Where it was read from; errors about it name ``source:field``.
    """

    prompt: str
    example: str
    program_prefix: str = ""
    stop: tuple[str, ...] = ()
    extract: str = "sexpr"
    pattern: str | None = None
    max_new_tokens: int = 64
    temperature: float = 1.0
    source: str = "template"

    def __post_init__(self):
        _check(self)

    def render(self, input_type, output_type, shown: Sequence[tuple[Sequence, Any]]) -> str:
        """The prompt for a task's shown ``(inputs, output)`` examples, ``program_prefix`` included."""
        examples = "".join(
            self.example.format(input=_value(inputs), output=json.dumps(output))
            for inputs, output in shown
        )
        body = self.prompt.format(
            examples=examples,
            input_type=str(input_type),
            output_type=str(output_type),
            num_examples=len(shown),
        )
        return body + self.program_prefix

    def cut(self, generation: str) -> tuple[str, bool]:
        """``generation`` up to the first stop string, and whether one was found."""
        ends = [i for i in (generation.find(s) for s in self.stop) if i >= 0]
        if not ends:
            return generation, False
        return generation[: min(ends)], True

    def program_text(self, generation: str) -> str | None:
        """The program's text in ``program_prefix`` + ``generation`` (cut at a stop), or None."""
        text = self.program_prefix + self.cut(generation)[0]
        if self.extract == "line":
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            return lines[0] if lines else None
        if self.extract == "regex":
            m = re.search(self.pattern, text)
            if m is None:
                return None
            return (m.group("program") if "program" in m.re.groupindex else m.group(0)).strip()
        return first_sexpr(text)


def first_sexpr(text: str) -> str | None:
    """The first balanced ``( ... )`` in ``text``; None if none closes."""
    start = text.find("(")
    if start < 0:
        return None
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return None


def _value(inputs: Sequence) -> str:
    return json.dumps(inputs[0] if len(inputs) == 1 else list(inputs))


def _placeholders(text: str, where: str) -> set[str]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(where, f"{exc}; write literal braces as '{{{{' and '}}}}'") from None
    found = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            raise ValidationError(
                where, f"placeholder {{{name}}} has a format spec or conversion; write it plain"
            )
        found.add(name)
    return found


def _check(t: PromptTemplate) -> None:
    src = t.source
    for key in ("prompt", "example", "program_prefix"):
        if not isinstance(getattr(t, key), str):
            raise ValidationError(
                f"{src}:{key}", f"found {getattr(t, key)!r:.60}, expected a string"
            )
    got = _placeholders(t.prompt, f"{src}:prompt")
    if "examples" not in got or got - _PROMPT_FIELDS:
        raise ValidationError(
            f"{src}:prompt",
            f"has placeholders {sorted(got)}; it needs {{examples}} and may use only "
            f"{sorted(_PROMPT_FIELDS)}",
        )
    got = _placeholders(t.example, f"{src}:example")
    if got != _EXAMPLE_FIELDS:
        raise ValidationError(
            f"{src}:example",
            f"has placeholders {sorted(got)}; it needs exactly {{input}} and {{output}}",
        )
    if not isinstance(t.stop, tuple) or not all(isinstance(s, str) and s for s in t.stop):
        raise ValidationError(f"{src}:stop", "expected a list of non-empty strings")
    if t.extract not in EXTRACT_RULES:
        raise ValidationError(
            f"{src}:extract", f"found {t.extract!r:.60}, expected one of {list(EXTRACT_RULES)}"
        )
    if t.extract == "regex":
        if not isinstance(t.pattern, str) or not t.pattern:
            raise ValidationError(f"{src}:pattern", "extract 'regex' needs a non-empty pattern")
        try:
            re.compile(t.pattern)
        except re.error as exc:
            raise ValidationError(f"{src}:pattern", f"not a regular expression: {exc}") from None
    elif t.pattern is not None:
        raise ValidationError(
            f"{src}:pattern", f"only read with extract 'regex', not {t.extract!r}"
        )
    n = t.max_new_tokens
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValidationError(f"{src}:max_new_tokens", f"found {n!r:.60}, expected an integer >= 1")
    temp = t.temperature
    if isinstance(temp, bool) or not isinstance(temp, int | float) or not 0 < temp < float("inf"):
        raise ValidationError(f"{src}:temperature", f"found {temp!r:.60}, expected a number > 0")


def template_from_json(data: Any, source: str = "template") -> PromptTemplate:
    """A :class:`PromptTemplate` from a parsed JSON object (errors name ``source:field``).

    Raises
    ------
    ValidationError
        Not an object, a wrong ``format`` or ``version``, an unknown key, or an invalid field.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(source, f"found {type(data).__name__}, expected a JSON object")
    if data.get("format") != FORMAT:
        raise ValidationError(
            f"{source}:format", f"found {data.get('format')!r:.60}, expected {FORMAT!r}"
        )
    if data.get("version") != VERSION:
        raise ValidationError(
            f"{source}:version",
            f"found {data.get('version')!r:.60}; this kairos reads version {VERSION}",
        )
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValidationError(
            f"{source}:{unknown[0]}", f"unknown key; the keys are {sorted(_KEYS)}"
        )
    for key in ("prompt", "example"):
        if key not in data:
            raise ValidationError(f"{source}:{key}", "missing; a string is required")
    stop = data.get("stop", [])
    if isinstance(stop, str) or not isinstance(stop, list):
        raise ValidationError(f"{source}:stop", f"found {stop!r:.60}, expected a list of strings")
    fields = {k: v for k, v in data.items() if k not in ("format", "version", "stop")}
    return PromptTemplate(**fields, stop=tuple(stop), source=source)


def read_template(path: str | Path) -> PromptTemplate:
    """Read a template file (errors name the file, and the line for bad JSON)."""
    path = Path(path)
    try:
        from kairos.inputs import read_input_text

        text = read_input_text(path, max_bytes=MAX_TEMPLATE_BYTES)
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read the template: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            path, None, f"not UTF-8 text ({exc.reason}); expected JSON"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:
        raise InputFormatError(path, None, f"not usable JSON: {type(exc).__name__}") from None
    return template_from_json(data, str(path))
