"""The token vocabulary of the recognition model: serialised examples in, program productions out.

A sequence is a *prompt* (the task's types and its shown input/output
examples) followed by the program, one token per production, in the order the
type-directed expansion of :mod:`kairos.domains.programs.enumerate` fills the
leftmost hole. Forced lambdas are not tokens: the expansion inserts them.

Prompt tokens::

    <bos> <type:input> <type:output> (<ex> input <out> output)* <prog>

with a list as ``<lst> e0 e1 ... </lst>``, integers in [-10, 99] as one token
each and any other integer as ``<int?>`` (the model sees that it is out of
range, not its value), and booleans as ``true`` / ``false``. Examples are
added while they fit in ``max_prompt_tokens``; at least one always is
(truncated if it must be).

Program tokens: one per primitive of the DSL, then ``$0`` .. ``$5``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kairos.domains.programs.types import BOOL, INT, tlist
from kairos.errors import ValidationError

SPECIALS = (
    "<pad>",
    "<bos>",
    "<ex>",
    "<out>",
    "<lst>",
    "</lst>",
    "true",
    "false",
    "<int?>",
    "<prog>",
)
TYPE_TOKENS = {INT: "<int>", BOOL: "<bool>", tlist(INT): "<list(int)>", tlist(BOOL): "<list(bool)>"}
MIN_INT, MAX_INT_TOKEN = -10, 99
NUM_VARS = 6  # $0 .. $5: deeper variables never occur in programs of the DSL's size


class Vocab:
    """Token ids for one DSL (its primitives, in order).

    Parameters
    ----------
    primitive_names : sequence of str
        The DSL's primitives; the model file records them and refuses another DSL.
    """

    def __init__(self, primitive_names: Sequence[str]):
        self.primitive_names = tuple(primitive_names)
        words = [*SPECIALS, *TYPE_TOKENS.values()]
        words += [str(k) for k in range(MIN_INT, MAX_INT_TOKEN + 1)]
        self.int_offset = len(SPECIALS) + len(TYPE_TOKENS)
        self.program_offset = len(words)
        words += [f"prim:{n}" for n in self.primitive_names]
        words += [f"${i}" for i in range(NUM_VARS)]
        self.words = tuple(words)
        self.ids = {w: i for i, w in enumerate(words)}
        self.prim_ids = {n: self.program_offset + k for k, n in enumerate(self.primitive_names)}
        self.var_offset = self.program_offset + len(self.primitive_names)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def pad(self) -> int:
        return 0

    def production_id(self, token) -> int | None:
        """The id of an enumerator token ``(kind, name or index, ...)``; None if outside the vocab."""
        if token[0] == "p":
            return self.prim_ids.get(token[1])
        return self.var_offset + token[1] if token[1] < NUM_VARS else None

    def _value(self, v, out: list[int]) -> None:
        if isinstance(v, bool):
            out.append(self.ids["true" if v else "false"])
        elif isinstance(v, int):
            ok = MIN_INT <= v <= MAX_INT_TOKEN
            out.append(self.int_offset + v - MIN_INT if ok else self.ids["<int?>"])
        else:
            out.append(self.ids["<lst>"])
            for x in v:
                self._value(x, out)
            out.append(self.ids["</lst>"])

    def prompt(self, input_type, output_type, examples, max_prompt_tokens: int) -> list[int]:
        """Token ids of a task's prompt (see the module docstring).

        Raises
        ------
        ValidationError
            A type the vocabulary has no token for, or no examples.
        """
        if not examples:
            raise ValidationError("examples", "a prompt needs at least one example")
        for t in (input_type, output_type):
            if t not in TYPE_TOKENS:
                raise ValidationError(
                    "type", f"no token for type {t}; expected one of {list(TYPE_TOKENS)}"
                )
        out = [
            self.ids["<bos>"],
            self.ids[TYPE_TOKENS[input_type]],
            self.ids[TYPE_TOKENS[output_type]],
        ]
        tail = [self.ids["<prog>"]]
        for k, (inputs, output) in enumerate(examples):
            ex = [self.ids["<ex>"]]
            for x in inputs:
                self._value(x, ex)
            ex.append(self.ids["<out>"])
            self._value(output, ex)
            if len(out) + len(ex) + len(tail) > max_prompt_tokens:
                if k == 0:
                    out += ex[: max_prompt_tokens - len(out) - len(tail)]
                break
            out += ex
        return out + tail
