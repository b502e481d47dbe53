"""The list DSL: typed primitives, their Python implementations, and evaluation limits.

Names follow DreamCoder's list primitives (``car``, ``cdr``, ``empty?``, ``gt?``,
``fold`` as a right fold with the list first) so programs interoperate with
DreamCoder and Stitch, plus what a user would expect of a list DSL (``filter``,
``sort``, ``reverse``, ``take``, ``drop``, ``append``, ``sum``, ``max``, ``count``,
``zip``, ``mapi``, constants ``0`` to ``5``).

Implementations are uncurried Python functions; function arguments arrive as
curried one-argument callables. Every runtime failure raises
:class:`EvalError` (or a Python arithmetic/index error), which the interpreter
turns into a rejected candidate. Limits keep every evaluation small:

* integers stay within ``±MAX_INT``;
* lists hold at most ``MAX_LIST`` elements;
* every element visited by a higher-order primitive costs one unit of *fuel*
  (``FUEL`` per example), which bounds nested loops.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kairos.domains.programs.types import BOOL, INT, TVar, arguments, arrow, tlist

MAX_INT = 2**31 - 1  # |integer| bound; the dev tasks stay below 4e6
MAX_LIST = 100  # elements per list; the dev tasks stay below 30
FUEL = 20_000  # higher-order steps per example: ~1 ms of Python at worst


class EvalError(Exception):
    """A program failed at run time (out of bounds, out of fuel, too large): reject it."""


class Fuel:
    """The fuel left for the current evaluation (one mutable cell shared by the primitives)."""

    left = FUEL


def spend(n: int) -> None:
    """Use ``n`` units of fuel; raise :class:`EvalError` when it runs out."""
    Fuel.left -= n
    if Fuel.left < 0:
        raise EvalError("out of fuel")


def _int(x: int) -> int:
    if -MAX_INT <= x <= MAX_INT:
        return x
    raise EvalError("integer out of range")


def _lst(xs: list) -> list:
    if len(xs) <= MAX_LIST:
        return xs
    raise EvalError("list too long")


def _mod(a: int, b: int) -> int:
    if b == 0:
        raise EvalError("mod by zero")
    return a % b


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    k = 2
    while k * k <= n:
        if n % k == 0:
            return False
        k += 1
    return True


def _is_square(n: int) -> bool:
    if n < 0:
        return False
    r = int(n**0.5)
    return any((r + d) * (r + d) == n for d in (-1, 0, 1))


def _car(xs: list):
    if not xs:
        raise EvalError("car of empty list")
    return xs[0]


def _cdr(xs: list) -> list:
    if not xs:
        raise EvalError("cdr of empty list")
    return xs[1:]


def _last(xs: list):
    if not xs:
        raise EvalError("last of empty list")
    return xs[-1]


def _index(i: int, xs: list):
    if 0 <= i < len(xs):
        return xs[i]
    raise EvalError("index out of range")


def _range(n: int) -> list:
    if n > MAX_LIST:
        raise EvalError("range too long")
    return list(range(n))


def _map(f, xs: list) -> list:
    spend(len(xs))
    return [f(x) for x in xs]


def _mapi(f, xs: list) -> list:
    spend(len(xs))
    return [f(i)(x) for i, x in enumerate(xs)]


def _zip(f, xs: list, ys: list) -> list:
    spend(min(len(xs), len(ys)))
    return [f(x)(y) for x, y in zip(xs, ys, strict=False)]


def _filter(f, xs: list) -> list:
    spend(len(xs))
    return [x for x in xs if f(x)]


def _count(f, xs: list) -> int:
    spend(len(xs))
    return sum(1 for x in xs if f(x))


def _fold(xs: list, init, f):
    spend(len(xs))
    acc = init
    for x in reversed(xs):
        acc = f(x)(acc)
    return acc


def _unfold(seed, stop, emit, step) -> list:
    out = []
    while not stop(seed):
        spend(1)
        out.append(emit(seed))
        if len(out) > MAX_LIST:
            raise EvalError("unfold too long")
        seed = step(seed)
    return out


def _repeat(x, n: int) -> list:
    if n > MAX_LIST:
        raise EvalError("repeat too long")
    return [x] * max(n, 0)


def _max(xs: list) -> int:
    if not xs:
        raise EvalError("max of empty list")
    return max(xs)


def _min(xs: list) -> int:
    if not xs:
        raise EvalError("min of empty list")
    return min(xs)


def _take(n: int, xs: list) -> list:
    return xs[: max(n, 0)]


def _drop(n: int, xs: list) -> list:
    return xs[max(n, 0) :]


@dataclass(frozen=True)
class Primitive:
    """One DSL primitive.

    Attributes
    ----------
    name : str
        Its name in programs.
    type : Type
        Its (possibly polymorphic, variables ``t0, t1, ...``) type.
    fn : callable or value
        The implementation: a Python function of ``arity`` arguments, or the
        value itself when ``arity == 0``.
    doc : str
        One line for users.
    """

    name: str
    type: object
    fn: object
    doc: str

    @property
    def arity(self) -> int:
        """Number of arguments the primitive takes when fully applied."""
        return len(arguments(self.type))


def _p(name: str, type_, fn, doc: str) -> Primitive:
    return Primitive(name, type_, fn, doc)


a, b, c = TVar(0), TVar(1), TVar(2)
LA, LB, LI = tlist(a), tlist(b), tlist(INT)

_IF = object()  # ``if`` is special: the interpreter evaluates only the branch taken

PRIMITIVES: tuple[Primitive, ...] = (
    *(_p(str(k), INT, k, f"the integer {k}") for k in range(6)),
    _p("+", arrow(INT, INT, INT), lambda x, y: _int(x + y), "addition"),
    _p("-", arrow(INT, INT, INT), lambda x, y: _int(x - y), "subtraction"),
    _p("*", arrow(INT, INT, INT), lambda x, y: _int(x * y), "multiplication"),
    _p("mod", arrow(INT, INT, INT), _mod, "remainder (sign of the divisor); error on 0"),
    _p("gt?", arrow(INT, INT, BOOL), lambda x, y: x > y, "greater than"),
    _p("eq?", arrow(INT, INT, BOOL), lambda x, y: x == y, "integer equality"),
    _p("is-prime", arrow(INT, BOOL), _is_prime, "primality"),
    _p("is-square", arrow(INT, BOOL), _is_square, "perfect square"),
    _p("not", arrow(BOOL, BOOL), lambda x: not x, "negation"),
    _p("and", arrow(BOOL, BOOL, BOOL), lambda x, y: x and y, "conjunction"),
    _p("or", arrow(BOOL, BOOL, BOOL), lambda x, y: x or y, "disjunction"),
    _p("if", arrow(BOOL, a, a, a), _IF, "conditional (only the branch taken is evaluated)"),
    _p("empty", LA, [], "the empty list"),
    _p("cons", arrow(a, LA, LA), lambda x, xs: _lst([x, *xs]), "prepend an element"),
    _p("car", arrow(LA, a), _car, "first element; error on empty"),
    _p("cdr", arrow(LA, LA), _cdr, "all but the first element; error on empty"),
    _p("last", arrow(LA, a), _last, "last element; error on empty"),
    _p("empty?", arrow(LA, BOOL), lambda xs: not xs, "whether a list is empty"),
    _p("length", arrow(LA, INT), len, "number of elements"),
    _p("index", arrow(INT, LA, a), _index, "element at a 0-based index; error outside"),
    _p("range", arrow(INT, LI), _range, "[0, 1, ..., n-1]"),
    _p("repeat", arrow(a, INT, LA), _repeat, "n copies of an element"),
    _p("map", arrow(arrow(a, b), LA, LB), _map, "apply a function to each element"),
    _p("mapi", arrow(arrow(INT, a, b), LA, LB), _mapi, "map with the 0-based index first"),
    _p("zip", arrow(arrow(a, b, c), LA, LB, tlist(c)), _zip, "combine two lists pairwise"),
    _p("filter", arrow(arrow(a, BOOL), LA, LA), _filter, "keep the elements satisfying p"),
    _p("count", arrow(arrow(a, BOOL), LA, INT), _count, "number of elements satisfying p"),
    _p("fold", arrow(LA, b, arrow(a, b, b), b), _fold, "right fold: (f x0 (f x1 ... init))"),
    _p(
        "unfold",
        arrow(a, arrow(a, BOOL), arrow(a, b), arrow(a, a), LB),
        _unfold,
        "emit f(s) and step s until stop(s)",
    ),
    _p("append", arrow(LA, LA, LA), lambda xs, ys: _lst(xs + ys), "concatenate two lists"),
    _p("reverse", arrow(LA, LA), lambda xs: xs[::-1], "reverse a list"),
    _p("sort", arrow(LI, LI), sorted, "sort ascending"),
    _p("take", arrow(INT, LA, LA), _take, "the first n elements"),
    _p("drop", arrow(INT, LA, LA), _drop, "all but the first n elements"),
    _p("sum", arrow(LI, INT), sum, "sum of the elements"),
    _p("max", arrow(LI, INT), _max, "largest element; error on empty"),
    _p("min", arrow(LI, INT), _min, "smallest element; error on empty"),
)
"""The base list DSL, in a fixed order (the order is part of the grammar file format)."""


def primitive_table(prims: tuple[Primitive, ...] = PRIMITIVES) -> Mapping[str, Primitive]:
    """Primitives by name."""
    return {p.name: p for p in prims}


IS_IF: Callable[[Primitive], bool] = lambda p: p.fn is _IF  # noqa: E731
