"""A plain bottom-up enumerator with observational-equivalence pruning: the baseline search.

Terms are built by increasing size (primitives and variables; lambdas are
free, as in :func:`.program.size`) for the task's input, from the same
primitives and the same Python implementations as :mod:`.primitives`. Every
new term is run on the shown examples at once, from its children's values,
and is kept only when its *output vector* (one value per shown example) is
new for its type: one term per observational-equivalence class. The search
stops at the first kept term whose vector is the shown outputs (checked once
more with :func:`.interpreter.compile_program`, so fuel is counted as in the
LTS search), at the CPU-second budget, or after ``max_size``.

Where the pruning is sound, and where not
-----------------------------------------
* **Closed first-order terms over the task's input** (the outer terms): a
  term's value on each shown example depends only on its children's values
  there, so two terms with the same output vector are interchangeable in
  every context. Runtime failures are a value too (:data:`.interpreter.FAILED`,
  per example), so a term that fails only where an ``if`` does not take it is
  kept; a term failing on every example is dropped (a branch never taken can
  be any other term of its type). This pruning is sound.
* **Lambda bodies** (for ``map``, ``mapi``, ``zip``, ``filter``, ``count``,
  ``fold``): a small fixed set, enumerated the same way up to
  ``max_lambda_size`` over the lambda's arguments only (no reference to the
  task's input), with equivalence judged on a fixed set of probe arguments
  (integers −8 … 16; pairs from −3 … 6). Two bodies that agree on every probe
  are taken as equal, which is **not** sound in general (``(gt? $0 20)`` and
  ``(gt? $0 30)`` agree on the probes); it is a heuristic.
* **Types** are monomorphic instances of the DSL's polymorphic primitives at
  ``int``, ``bool``, ``list(int)`` and ``list(bool)``; lambda bodies are
  ``int`` or ``bool`` valued and take ``int`` arguments. Not covered:
  ``unfold``, ``fold`` with a list accumulator, lambdas over lists, lists of
  lists, and the library's inventions (this is the baseline over the base DSL).

Each primitive application gets fresh fuel (:data:`.primitives.FUEL` per
example); the final check runs the whole program under one fuel budget per
example, as the LTS search does.

Example
-------
>>> from kairos.domains.programs.bottom_up import bottom_up_search
>>> from kairos.domains.programs.types import INT, tlist
>>> ex = ((([1, 3, 2],), [3, 2, 1]), (([3],), [3]), (([5, 0, 7],), [7, 5, 0]))
>>> bottom_up_search(tlist(INT), tlist(INT), ex).text
'(lambda (reverse (sort $0)))'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

from kairos.domains.programs import primitives as P
from kairos.domains.programs.interpreter import FAILED, compile_expr, compile_program, consistent
from kairos.domains.programs.program import Apply, Expr, Lambda, Prim, Var
from kairos.domains.programs.sexpr import show
from kairos.domains.programs.solve import TaskResult
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import BOOL, INT, TCon, tlist
from kairos.errors import ValidationError

LI, LB = tlist(INT), tlist(BOOL)
VALUE_TYPES = (INT, BOOL, LI, LB)
"""The types a term may have."""

UNARY_PROBES = tuple(range(-8, 17))
"""Arguments on which one-argument lambda bodies are told apart."""
BINARY_PROBES = tuple((x, y) for x in range(-3, 7) for y in range(-3, 7))
"""``($1, $0)`` pairs on which two-argument lambda bodies are told apart."""

_CHECK_EVERY = 512  # candidates between two reads of the CPU clock


@dataclass(frozen=True)
class Fn:
    """A lambda argument: ``arity`` int arguments, a ``result`` of type int or bool."""

    arity: int
    result: TCon


@dataclass(frozen=True)
class Op:
    """A monomorphic instance of a primitive: argument types (or :class:`Fn`) and result."""

    name: str
    args: tuple
    out: TCon


def _ops() -> tuple[Op, ...]:
    i, b = INT, BOOL
    ops = [Op(n, (i, i), i) for n in ("+", "-", "*", "mod")]
    ops += [Op(n, (i, i), b) for n in ("gt?", "eq?")]
    ops += [Op(n, (i,), b) for n in ("is-prime", "is-square")]
    ops += [Op("not", (b,), b), Op("and", (b, b), b), Op("or", (b, b), b)]
    ops += [Op("if", (b, t, t), t) for t in VALUE_TYPES]
    for x, lx in ((i, LI), (b, LB)):
        ops += [
            Op("cons", (x, lx), lx),
            Op("car", (lx,), x),
            Op("last", (lx,), x),
            Op("cdr", (lx,), lx),
            Op("reverse", (lx,), lx),
            Op("empty?", (lx,), b),
            Op("length", (lx,), i),
            Op("index", (i, lx), x),
            Op("repeat", (x, i), lx),
            Op("append", (lx, lx), lx),
            Op("take", (i, lx), lx),
            Op("drop", (i, lx), lx),
        ]
    ops += [Op("range", (i,), LI), Op("sort", (LI,), LI)]
    ops += [Op(n, (LI,), i) for n in ("sum", "max", "min")]
    ops += [
        Op("map", (Fn(1, i), LI), LI),
        Op("map", (Fn(1, b), LI), LB),
        Op("mapi", (Fn(2, i), LI), LI),
        Op("zip", (Fn(2, i), LI, LI), LI),
        Op("filter", (Fn(1, b), LI), LI),
        Op("count", (Fn(1, b), LI), i),
        Op("fold", (LI, i, Fn(2, i)), i),
    ]
    return tuple(ops)


OPS = _ops()
"""Every operation the enumerator composes, outer terms and lambda bodies alike."""

_TABLE = P.primitive_table()


class _OutOfTime(Exception):
    pass


def _key(values: tuple) -> tuple:
    if values and type(values[0]) is not list and FAILED not in values:
        return values  # ints or bools: hashable as they are
    return tuple(tuple(v) if type(v) is list else v for v in values)


class Bank:
    """Kept terms by type and size, one per output vector.

    Attributes
    ----------
    terms : dict
        ``terms[type][size]`` is a list of ``(expr, values)``; ``values`` has
        one entry per example (or probe), :data:`FAILED` where the term failed.
    seen : dict
        ``seen[type]`` is the set of output-vector keys kept so far.
    """

    def __init__(self, types: Sequence[TCon]):
        self.terms: dict[TCon, dict[int, list]] = {t: {} for t in types}
        self.seen: dict[TCon, set] = {t: set() for t in types}

    def add(self, t: TCon, size: int, expr: Expr, values: tuple) -> bool:
        """Keep ``expr`` if its output vector is new and not all failures; say whether kept."""
        if values.count(FAILED) == len(values):
            return False
        k = _key(values)
        seen = self.seen[t]
        if k in seen:
            return False
        seen.add(k)
        self.terms[t].setdefault(size, []).append((expr, values))
        return True

    def num_kept(self) -> int:
        return sum(len(v) for by in self.terms.values() for v in by.values())


def _splits(total: int, parts: int):
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _splits(total - first, parts - 1):
            yield (first, *rest)


def _apply_values(op: Op, fn, cols: list[tuple]) -> tuple:
    """The op's value on each example from its arguments' values (FAILED propagates)."""
    if op.name == "if":
        return tuple(
            FAILED if c is FAILED else (x if c else y) for c, x, y in zip(*cols, strict=True)
        )
    if not any(FAILED in col for col in cols):  # fast path: one call per example, no checks
        P.Fuel.left = P.FUEL * len(cols[0])
        try:
            return tuple(map(fn, *cols))
        except Exception:  # some example failed: redo them one by one
            pass
    out = []
    for args in zip(*cols, strict=True):
        if FAILED in args:
            out.append(FAILED)
            continue
        P.Fuel.left = P.FUEL
        try:
            out.append(fn(*args))
        except Exception:  # any runtime error is a failure on this example only
            out.append(FAILED)
    return tuple(out)


class _Grower:
    """Grows a :class:`Bank` one size at a time with a set of ops and lambda bodies."""

    def __init__(self, bank: Bank, ops, lambdas: dict | None, deadline: float, counter: list):
        self.bank, self.ops, self.lambdas = bank, ops, lambdas if lambdas is not None else {}
        self.deadline, self.counter = deadline, counter

    def grow(self, size: int, on_kept: Callable[[TCon, Expr, tuple], bool] | None = None) -> bool:
        """Build every term of ``size``; True when ``on_kept`` accepted one (stop)."""
        bank = self.bank
        for op in self.ops:
            fn = _TABLE[op.name].fn
            for sizes in _splits(size - 1, len(op.args)):
                pools = []
                for t, s in zip(op.args, sizes, strict=True):
                    pool = (
                        self.lambdas.get((t, s), ())
                        if isinstance(t, Fn)
                        else bank.terms[t].get(s, ())
                    )
                    if not pool:
                        break
                    pools.append(pool)
                else:
                    if self._combine(op, fn, size, pools, on_kept):
                        return True
        return False

    def _combine(self, op, fn, size, pools, on_kept) -> bool:
        bank, counter, deadline, out_type = self.bank, self.counter, self.deadline, op.out
        head = Prim(op.name)
        for combo in product(*pools):
            counter[0] += 1
            if counter[0] % _CHECK_EVERY == 0 and time.process_time() > deadline:
                raise _OutOfTime
            values = _apply_values(op, fn, [v for _, v in combo])
            expr = Apply(head, tuple(e for e, _ in combo))
            if (
                bank.add(out_type, size, expr, values)
                and on_kept is not None
                and on_kept(out_type, expr, values)
            ):
                return True
        return False


class LambdaBodies:
    """The lambda bodies, grown bottom-up on demand, by ``(Fn, size)``.

    Bodies are grown over the lambda's int arguments with the first-order
    int/bool ops, one per output vector on the probes (:data:`UNARY_PROBES`,
    :data:`BINARY_PROBES`: a heuristic, see the module docstring), up to
    ``max_lambda_size``. Each entry is ``(Lambda expr, callables)``: the
    compiled curried function once per example (``num_examples`` times).
    """

    _FIRST_ORDER = tuple(
        op for op in OPS if all(t in (INT, BOOL) for t in op.args) and op.out in (INT, BOOL)
    )

    def __init__(
        self,
        max_lambda_size: int,
        num_examples: int,
        *,
        deadline: float = math.inf,
        counter: list | None = None,
    ):
        self.max_lambda_size, self.num_examples = max_lambda_size, num_examples
        self.counter = [0] if counter is None else counter
        self.entries: dict[tuple, list] = {}
        self.size = 0
        self.growers = {}
        for arity, probes in ((1, tuple((x,) for x in UNARY_PROBES)), (2, BINARY_PROBES)):
            bank = Bank((INT, BOOL))
            envs = [tuple(reversed(p)) for p in probes]  # de Bruijn: $0 is the last argument
            for i in range(arity):
                bank.add(INT, 1, Var(i), tuple(env[i] for env in envs))
            for k in range(6):
                bank.add(INT, 1, Prim(str(k)), (k,) * len(envs))
            self.growers[arity] = _Grower(bank, self._FIRST_ORDER, None, deadline, self.counter)

    def ensure(self, size: int) -> None:
        """Grow every body up to ``min(size, max_lambda_size)``."""
        while self.size < min(size, self.max_lambda_size):
            self.size += 1
            for arity, grower in self.growers.items():
                if self.size > 1:
                    grower.grow(self.size)
                for t in (INT, BOOL):
                    entries = []
                    for body, _ in grower.bank.terms[t].get(self.size, ()):
                        lam = body
                        for _ in range(arity):
                            lam = Lambda(lam)
                        fn = compile_expr(lam, _TABLE)(())
                        entries.append((lam, (fn,) * self.num_examples))
                    self.entries[(Fn(arity, t), self.size)] = entries

    def get(self, key: tuple, default=()) -> list:
        """The bodies of ``key = (Fn, size)`` grown so far."""
        return self.entries.get(key, default)

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())


@dataclass(frozen=True)
class BottomUpOutcome:
    """The result of one bottom-up search.

    Attributes
    ----------
    status : str
        ``solved``, ``timeout`` or ``exhausted`` (every size up to ``max_size`` built).
    program : Expr or None
    text : str
        Its s-expression ("" unless solved).
    candidates : int
        Terms built and run on the examples (lambda bodies included).
    kept : int
        Terms kept (one per output vector).
    seconds : float
        CPU seconds.
    size : int
        The largest term size reached.
    """

    status: str
    program: Expr | None
    text: str
    candidates: int
    kept: int
    seconds: float
    size: int

    @property
    def solved(self) -> bool:
        return self.program is not None


def bottom_up_search(
    input_type: TCon,
    output_type: TCon,
    examples: Sequence[tuple[Sequence, object]],
    *,
    time_limit_s: float = math.inf,
    max_size: int = 30,
    max_lambda_size: int = 6,
    bank: Bank | None = None,
) -> BottomUpOutcome:
    """Search a program ``input_type -> output_type`` matching ``examples``, smallest first.

    Parameters
    ----------
    input_type, output_type : TCon
        One of ``int``, ``bool``, ``list(int)``, ``list(bool)``.
    examples : sequence of (inputs, output)
        ``inputs`` holds one value (the task's input).
    time_limit_s : float
        CPU seconds (``time.process_time``) for the whole search, lambda bodies included.
    max_size : int
        Largest term size tried.
    max_lambda_size : int
        Largest lambda-body size.
    bank : Bank, optional
        The bank to fill, to inspect the kept terms afterwards (a fresh one by default).

    Raises
    ------
    ValidationError
        Field ``type``: a type outside :data:`VALUE_TYPES`; field ``examples``: none.
    """
    for t in (input_type, output_type):
        if t not in VALUE_TYPES:
            raise ValidationError(
                "type", f"bottom-up search supports {list(map(str, VALUE_TYPES))}, got {t}"
            )
    if not examples:
        raise ValidationError("examples", "no example to search on; show at least one")
    start = time.process_time()
    deadline = start + time_limit_s
    counter = [0]
    target = _key(tuple(out for _, out in examples))
    bank = Bank(VALUE_TYPES) if bank is None else bank
    found: list[Expr] = []

    def on_kept(t, expr, values) -> bool:
        if t != output_type or _key(values) != target:
            return False
        program = Lambda(expr)
        if consistent(compile_program(program, 1, _TABLE), examples):
            found.append(program)
            return True
        return False

    def outcome(status, size):
        program = found[0] if found else None
        return BottomUpOutcome(
            status,
            program,
            show(program) if program is not None else "",
            counter[0],
            bank.num_kept(),
            time.process_time() - start,
            size,
        )

    size = 1
    try:
        leaves = [(input_type, Var(0), tuple(inputs[0] for inputs, _ in examples))]
        leaves += [(INT, Prim(str(k)), (k,) * len(examples)) for k in range(6)]
        leaves += [(t, Prim("empty"), ([],) * len(examples)) for t in (LI, LB)]
        for t, expr, values in leaves:
            counter[0] += 1
            if bank.add(t, 1, expr, values) and on_kept(t, expr, values):
                return outcome("solved", 1)
        lambdas = LambdaBodies(max_lambda_size, len(examples), deadline=deadline, counter=counter)
        grower = _Grower(bank, OPS, lambdas, deadline, counter)
        for size in range(2, max_size + 1):
            lambdas.ensure(size - 2)  # a lambda argument leaves at least one node outside it
            if grower.grow(size, on_kept):
                return outcome("solved", size)
    except _OutOfTime:
        return outcome("timeout", size)
    return outcome("exhausted", max_size)


def solve_task_bottom_up(
    task: Task, *, holdout: int = 0, time_limit_s: float = math.inf, **kwargs
) -> TaskResult:
    """:func:`bottom_up_search` on ``task``'s shown examples; generalization on the hidden ones.

    The result's ``expansions`` are the candidates built (terms run on the examples).
    """
    shown, hidden = task.split(holdout)
    out = bottom_up_search(
        task.input_type, task.output_type, shown, time_limit_s=time_limit_s, **kwargs
    )
    generalized = out.solved and consistent(compile_program(out.program, 1, _TABLE), hidden)
    return TaskResult(
        task.name,
        out.status,
        out.solved,
        generalized,
        out.text,
        out.candidates,
        out.seconds,
        math.nan,
        out.size,
    )
