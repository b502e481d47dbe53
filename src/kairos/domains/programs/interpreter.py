"""The interpreter: a program is compiled once to nested Python closures, then run per example.

No ``eval``: each syntax-tree node becomes one closure of the environment (a
tuple, ``$0`` first). Applications of a primitive to all its arguments call
its uncurried implementation directly; anything else is applied one argument
at a time. ``if`` evaluates only the branch taken. Any exception during a run
(out of bounds, out of fuel, an integer or list over the limits of
:mod:`.primitives`) rejects the program on that example.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kairos.domains.programs import primitives as P
from kairos.domains.programs.program import Expr, Lambda, Prim, Var
from kairos.errors import ValidationError

Closure = Callable[[tuple], Any]

_FAILED = object()
"""What :func:`run` returns for an example on which the program failed."""


def _curried(fn: Callable, arity: int, got: tuple = ()) -> Callable:
    if arity == len(got):
        return fn(*got)
    return lambda x: _curried(fn, arity, (*got, x))


def _const(v) -> Closure:
    return lambda env: v


def compile_expr(expr: Expr, table: Mapping[str, P.Primitive]) -> Closure:
    """A closure ``env -> value`` computing ``expr``.

    Raises
    ------
    ValidationError
        Field ``program``: a primitive not in ``table``.
    """
    if isinstance(expr, Var):
        i = expr.index
        if i == 0:
            return lambda env: env[0]
        return lambda env: env[i]
    if isinstance(expr, Prim):
        prim = _lookup(expr.name, table)
        if prim.arity == 0:
            return _const(prim.fn)
        if P.IS_IF(prim):
            return _const(lambda c: lambda x: lambda y: x if c else y)
        return _const(_curried(prim.fn, prim.arity))
    if isinstance(expr, Lambda):
        body = compile_expr(expr.body, table)
        return lambda env: lambda x: body((x, *env))
    args = [compile_expr(a, table) for a in expr.args]
    head = expr.head
    if isinstance(head, Prim):
        prim = _lookup(head.name, table)
        if P.IS_IF(prim) and len(args) == 3:
            c, x, y = args
            return lambda env: x(env) if c(env) else y(env)
        if prim.arity == len(args) and not P.IS_IF(prim):
            fn = prim.fn
            if len(args) == 1:
                (x,) = args
                return lambda env: fn(x(env))
            if len(args) == 2:
                x, y = args
                return lambda env: fn(x(env), y(env))
            if len(args) == 3:
                x, y, z = args
                return lambda env: fn(x(env), y(env), z(env))
            return lambda env: fn(*[a(env) for a in args])
    f = compile_expr(head, table)

    def generic(env):
        out = f(env)
        for a in args:
            out = out(a(env))
        return out

    return generic


def _lookup(name: str, table: Mapping[str, P.Primitive]) -> P.Primitive:
    prim = table.get(name)
    if prim is None:
        raise ValidationError("program", f"unknown primitive {name!r}; known: {sorted(table)}")
    return prim


def compile_program(
    expr: Expr, num_inputs: int, table: Mapping[str, P.Primitive]
) -> Callable[[Sequence], Any]:
    """A function of the task inputs (a sequence of ``num_inputs`` values).

    The outer ``num_inputs`` lambdas are peeled off so the body runs with the
    inputs as its environment; an eta-reduced program (``sort`` for a
    ``list(int) -> list(int)`` task) is applied to the inputs instead.
    """
    body, peeled = expr, 0
    while peeled < num_inputs and isinstance(body, Lambda):
        body, peeled = body.body, peeled + 1
    closure = compile_expr(body, table)
    if peeled == num_inputs:
        return lambda inputs: closure(tuple(reversed(inputs)))

    def applied(inputs):
        out = closure(tuple(reversed(inputs[:peeled])))
        for x in inputs[peeled:]:
            out = out(x)
        return out

    return applied


def run(fn: Callable[[Sequence], Any], inputs: Sequence, *, fuel: int = P.FUEL):
    """``fn(inputs)`` with fresh fuel, or :data:`FAILED` if it raised anything."""
    P.Fuel.left = fuel
    try:
        return fn(inputs)
    except Exception:  # any runtime error (incl. recursion, overflow) rejects the candidate
        return _FAILED


FAILED = _FAILED


def consistent(
    fn: Callable[[Sequence], Any], examples: Sequence[tuple[Sequence, Any]], *, fuel: int = P.FUEL
) -> bool:
    """Whether ``fn`` gives every example's output (stops at the first miss).

    ``examples`` are ``(inputs, output)`` pairs. Outputs are compared by value
    and by kind, so ``True`` does not match ``1``.
    """
    for inputs, want in examples:
        got = run(fn, inputs, fuel=fuel)
        if got is _FAILED or not same_value(got, want):
            return False
    return True


def same_value(x, y) -> bool:
    """Equality that tells booleans from integers (``True != 1`` here)."""
    if x != y or type(x) is not type(y):
        return False
    if type(x) is list and x:
        return all(same_value(u, v) for u, v in zip(x, y, strict=True))
    return True
