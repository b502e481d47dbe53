"""Programs as s-expressions with de Bruijn variables, DreamCoder/Stitch style.

    (lambda (map (lambda (+ $0 1)) $0))

``lambda`` (or Stitch's ``lam``) binds one argument, ``$i`` is the argument of
the ``i``-th enclosing lambda counting outwards from 0, and ``(f a b)`` applies
``f`` to ``a`` and ``b``. :func:`parse` and :func:`show` round-trip:
``parse(show(e)) == e`` for every tree, and ``show(parse(s))`` is ``s`` up to
whitespace and currying.

>>> show(parse("(lambda (map (lambda (+ $0 1)) $0))"))
'(lambda (map (lambda (+ $0 1)) $0))'
"""

from __future__ import annotations

from collections.abc import Container

from kairos.domains.programs.program import Apply, Expr, Lambda, Prim, Var, apply
from kairos.errors import ValidationError

LAMBDA_WORDS = ("lambda", "lam")


def _tokens(text: str) -> list[str]:
    return text.replace("(", " ( ").replace(")", " ) ").split()


def parse(text: str, *, names: Container[str] | None = None) -> Expr:
    """The syntax tree of a program.

    Parameters
    ----------
    text : str
        One s-expression.
    names : container of str, optional
        Known primitive names; when given, any other name is an error.

    Raises
    ------
    ValidationError
        Field ``program``: unbalanced parentheses, an empty application, a bad
        variable, an unknown primitive, or trailing text.
    """
    tokens = _tokens(text)
    pos = 0

    def fail(msg: str):
        raise ValidationError("program", f"{msg} in {text!r}")

    def expr() -> Expr:
        nonlocal pos
        if pos >= len(tokens):
            fail("unexpected end")
        tok = tokens[pos]
        pos += 1
        if tok == ")":
            fail("unexpected ')'")
        if tok != "(":
            return atom(tok)
        if pos < len(tokens) and tokens[pos] in LAMBDA_WORDS:
            pos += 1
            body = expr()
            close()
            return Lambda(body)
        if pos < len(tokens) and tokens[pos] == ")":
            fail("empty application '()'")
        head = expr()
        args = []
        while pos < len(tokens) and tokens[pos] != ")":
            args.append(expr())
        close()
        if not args:
            return head  # "(f)" is f
        return apply(head, args)

    def close():
        nonlocal pos
        if pos >= len(tokens) or tokens[pos] != ")":
            fail("missing ')'")
        pos += 1

    def atom(tok: str) -> Expr:
        if tok.startswith("$"):
            if not tok[1:].isdigit():
                fail(f"bad variable {tok!r} (expected $0, $1, ...)")
            return Var(int(tok[1:]))
        if tok in LAMBDA_WORDS:
            fail(f"{tok!r} outside '({tok} body)'")
        if names is not None and tok not in names:
            fail(f"unknown primitive {tok!r}")
        return Prim(tok)

    if not tokens:
        fail("empty program")
    out = expr()
    if pos != len(tokens):
        fail(f"trailing text {' '.join(tokens[pos:])!r}")
    return out


def show(expr: Expr) -> str:
    """The s-expression text of a program (the inverse of :func:`parse`)."""
    if isinstance(expr, Prim):
        return expr.name
    if isinstance(expr, Var):
        return f"${expr.index}"
    if isinstance(expr, Lambda):
        return f"(lambda {show(expr.body)})"
    if isinstance(expr, Apply):
        return "(" + " ".join([show(expr.head), *(show(a) for a in expr.args)]) + ")"
    raise TypeError(f"not a program: {expr!r}")
