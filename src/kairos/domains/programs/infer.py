"""Type inference for whole programs (Hindley–Milner, with let-free lambda calculus).

Search builds only well-typed programs; this checks programs that come from
elsewhere (a user, a file, a library-learning tool).
"""

from __future__ import annotations

from collections.abc import Mapping

from kairos.domains.programs.primitives import Primitive
from kairos.domains.programs.program import Apply, Expr, Lambda, Prim, Var
from kairos.domains.programs.sexpr import show
from kairos.domains.programs.types import (
    TVar,
    UnificationError,
    arrow,
    canonical,
    free_vars,
    resolve,
    shift,
    unify,
)
from kairos.errors import ValidationError


class InferenceState:
    """A substitution being built by unification, and the next fresh type variable."""

    def __init__(self, next_var: int = 0):
        self.subst: dict = {}
        self.next_var = next_var

    def fresh(self) -> TVar:
        self.next_var += 1
        return TVar(self.next_var - 1)

    def instantiate(self, t):
        ids = free_vars(t)
        if not ids:
            return t
        out = shift(t, self.next_var - min(ids))
        self.next_var += max(ids) - min(ids) + 1
        return out


def infer(expr: Expr, table: Mapping[str, Primitive]):
    """The most general type of a closed program, variables renamed ``t0, t1, ...``.

    Raises
    ------
    ValidationError
        Field ``program``: an unknown primitive, a free variable, or a type clash.
    """
    st = InferenceState()
    t = _infer(expr, (), table, st, expr)
    return canonical(resolve(t, st.subst))


def check(expr: Expr, request, table: Mapping[str, Primitive]) -> None:
    """Raise :class:`ValidationError` unless ``expr`` can have type ``request``."""
    st = InferenceState()
    st.next_var = 1 + max(free_vars(request), default=-1)
    t = _infer(expr, (), table, st, expr)
    try:
        st.subst = unify(t, request, st.subst)
    except UnificationError:
        raise ValidationError(
            "program",
            f"{show(expr)} has type {canonical(resolve(t, st.subst))}, not the requested {request}",
        ) from None


def _infer(expr: Expr, env: tuple, table, st: InferenceState, whole: Expr):
    if isinstance(expr, Var):
        if expr.index >= len(env):
            raise ValidationError(
                "program",
                f"${expr.index} is unbound ({len(env)} enclosing lambdas) in {show(whole)}",
            )
        return env[expr.index]
    if isinstance(expr, Prim):
        prim = table.get(expr.name)
        if prim is None:
            raise ValidationError("program", f"unknown primitive {expr.name!r} in {show(whole)}")
        return st.instantiate(prim.type)
    if isinstance(expr, Lambda):
        x = st.fresh()
        body = _infer(expr.body, (x, *env), table, st, whole)
        return arrow(x, body)
    assert isinstance(expr, Apply)
    f = head_type = _infer(expr.head, env, table, st, whole)
    for k, a in enumerate(expr.args):
        ta = _infer(a, env, table, st, whole)
        out = st.fresh()
        try:
            st.subst = unify(f, arrow(ta, out), st.subst)
        except UnificationError:
            raise ValidationError(
                "program",
                f"ill-typed application in {show(whole)}: argument {k + 1} of "
                f"{show(expr.head)} (type {canonical(resolve(head_type, st.subst))}) cannot "
                f"be {show(a)} of type {canonical(resolve(ta, st.subst))}",
            ) from None
        f = out
    return f
