"""Program syntax trees: primitives, de Bruijn variables, lambdas and applications.

Trees are immutable and hashable. An application is stored flattened, a head
and its arguments, so ``(f a b)`` is ``Apply(Prim("f"), (a, b))`` whatever the
currying; :func:`apply` keeps that normal form (the head of an ``Apply`` is
never itself an ``Apply``), and the parser in :mod:`.sexpr` produces it, so
parsing the printed form gives back the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prim:
    """A primitive by name (``map``, ``+``, ``0``)."""

    name: str


@dataclass(frozen=True, slots=True)
class Var:
    """A de Bruijn variable: ``$0`` is the innermost enclosing lambda's argument."""

    index: int


@dataclass(frozen=True, slots=True)
class Lambda:
    """A one-argument lambda; its argument is ``$0`` inside ``body``."""

    body: Expr


@dataclass(frozen=True, slots=True)
class Apply:
    """``head`` applied to ``args`` (at least one); ``head`` is never an ``Apply``."""

    head: Expr
    args: tuple


Expr = Prim | Var | Lambda | Apply


def apply(head: Expr, args) -> Expr:
    """``head`` applied to ``args``, in normal form (nested heads flattened)."""
    args = tuple(args)
    if not args:
        return head
    if isinstance(head, Apply):
        return Apply(head.head, head.args + args)
    return Apply(head, args)


def size(expr: Expr) -> int:
    """Number of primitives and variables in ``expr`` (lambdas and applications are free)."""
    if isinstance(expr, (Prim, Var)):
        return 1
    if isinstance(expr, Lambda):
        return size(expr.body)
    return size(expr.head) + sum(size(a) for a in expr.args)
