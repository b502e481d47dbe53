"""Hindley–Milner types of the list DSL: constructors, type variables, unification.

A type is an interned :class:`TCon` (``int``, ``bool``, ``list(t)``, ``t1 -> t2``)
or a :class:`TVar` (``t0``, ``t1``, ...). Interning makes equal ground types
identical objects, so the enumerator can key its caches on them cheaply.

Substitutions are plain dicts ``{var id: type}``, applied lazily
(:func:`resolve`); they are never mutated once shared, so search nodes can
hold them persistently (a child copies its parent's dict only when it binds).

>>> t = parse_type("(t0 -> t1) -> list(t0) -> list(t1)")
>>> str(t)
'(t0 -> t1) -> list(t0) -> list(t1)'
>>> s = unify(arrow(INT, BOOL), arrow(TVar(0), TVar(1)), {})
>>> str(resolve(parse_type("list(t1)"), s))
'list(bool)'
"""

from __future__ import annotations

from kairos.errors import ValidationError


class UnificationError(Exception):
    """Two types do not unify (internal to search: the candidate is skipped)."""


class TVar:
    """A type variable ``t<id>``."""

    __slots__ = ("_hash", "id")
    ground = False

    def __init__(self, id: int):
        self.id = id
        self._hash = hash(("tvar", id))

    def __eq__(self, other: object) -> bool:
        return other.__class__ is TVar and other.id == self.id

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"t{self.id}"

    __str__ = __repr__


class TCon:
    """A type constructor applied to arguments; create with :func:`tcon` (interned)."""

    __slots__ = ("_hash", "args", "ground", "name")

    def __init__(self, name: str, args: tuple):
        self.name = name
        self.args = args
        self.ground = all(a.ground for a in args)
        self._hash = hash((name, args))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, TCon) and other.name == self.name and other.args == self.args
        )

    @property
    def is_arrow(self) -> bool:
        return self.name == "->"

    def __repr__(self) -> str:
        if self.name == "->":
            a, b = self.args
            left = f"({a})" if isinstance(a, TCon) and a.is_arrow else str(a)
            return f"{left} -> {b}"
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(map(str, self.args))})"

    __str__ = __repr__


_INTERNED: dict[tuple, TCon] = {}


def tcon(name: str, *args) -> TCon:
    """The interned constructor type ``name(args...)``."""
    key = (name, args)
    t = _INTERNED.get(key)
    if t is None:
        t = _INTERNED[key] = TCon(name, args)
    return t


INT = tcon("int")
BOOL = tcon("bool")


def tlist(t) -> TCon:
    """``list(t)``."""
    return tcon("list", t)


def arrow(*ts):
    """``t1 -> t2 -> ... -> tn`` (right-associative)."""
    out = ts[-1]
    for t in reversed(ts[:-1]):
        out = tcon("->", t, out)
    return out


def arguments(t) -> list:
    """Argument types of a (curried) function type; ``[]`` for a non-arrow."""
    args = []
    while isinstance(t, TCon) and t.name == "->":
        args.append(t.args[0])
        t = t.args[1]
    return args


def result(t):
    """The final result type of a (curried) function type."""
    while isinstance(t, TCon) and t.name == "->":
        t = t.args[1]
    return t


def free_vars(t, out: set | None = None) -> set:
    """Ids of the type variables occurring in ``t``."""
    out = set() if out is None else out
    if isinstance(t, TVar):
        out.add(t.id)
    elif not t.ground:
        for a in t.args:
            free_vars(a, out)
    return out


def resolve(t, subst: dict):
    """``t`` with the substitution applied throughout (idempotently, following chains)."""
    if t.ground:
        return t
    if isinstance(t, TVar):
        bound = subst.get(t.id)
        return t if bound is None else resolve(bound, subst)
    return tcon(t.name, *(resolve(a, subst) for a in t.args))


def shift(t, offset: int):
    """``t`` with every variable ``t<i>`` renamed ``t<i + offset>``."""
    if t.ground:
        return t
    if isinstance(t, TVar):
        return TVar(t.id + offset)
    return tcon(t.name, *(shift(a, offset) for a in t.args))


def canonical(t):
    """``t`` with its variables renamed ``t0, t1, ...`` in order of first occurrence."""
    names: dict[int, int] = {}

    def walk(u):
        if u.ground:
            return u
        if isinstance(u, TVar):
            if u.id not in names:
                names[u.id] = len(names)
            return TVar(names[u.id])
        return tcon(u.name, *(walk(a) for a in u.args))

    return walk(t)


def _occurs(v: int, t, subst: dict) -> bool:
    t = resolve(t, subst)
    if t.ground:
        return False
    if isinstance(t, TVar):
        return t.id == v
    return any(_occurs(v, a, subst) for a in t.args)


def unify(a, b, subst: dict) -> dict:
    """Most general unifier extending ``subst`` (a new dict; ``subst`` is not changed).

    Raises
    ------
    UnificationError
        If the types clash or a variable would occur in its own binding.
    """
    out = dict(subst)
    _unify(a, b, out)
    return out


def _unify(a, b, s: dict) -> None:
    a = resolve(a, s)
    b = resolve(b, s)
    if a is b or a == b:
        return
    if isinstance(a, TVar):
        if _occurs(a.id, b, s):
            raise UnificationError(f"{a} occurs in {b}")
        s[a.id] = b
        return
    if isinstance(b, TVar):
        _unify(b, a, s)
        return
    if a.name != b.name or len(a.args) != len(b.args):
        raise UnificationError(f"{a} does not unify with {b}")
    for x, y in zip(a.args, b.args, strict=True):
        _unify(x, y, s)


# -- text ---------------------------------------------------------------------------------------

_DREAMCODER_NAMES = {"list-of-int": "list(int)", "list-of-bool": "list(bool)"}


def parse_type(text: str):
    """A type from text: ``int``, ``list(int)``, ``t0 -> bool``, ``(a -> b) -> list(a)``.

    Also accepts DreamCoder task-file names (``list-of-int``, ``list-of-bool``).
    Named variables (``a``, ``t3``) become :class:`TVar`; letters other than
    ``t<n>`` are numbered after the largest ``t<n>`` in the text.

    Raises
    ------
    ValidationError
        On unparsable text (field ``type``).
    """
    src = _DREAMCODER_NAMES.get(text.strip(), text)
    tokens = src.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").split()
    tokens = [t for t in tokens]
    pos = 0
    named: dict[str, int] = {}
    numbered = [int(t[1:]) for t in tokens if t[:1] == "t" and t[1:].isdigit()]
    next_id = [max(numbered) + 1 if numbered else 0]

    def fail(msg: str):
        raise ValidationError("type", f"cannot parse {text!r}: {msg}")

    def atom():
        nonlocal pos
        if pos >= len(tokens):
            fail("unexpected end")
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            t = arrows()
            expect(")")
            return t
        if tok in ("int", "bool"):
            return tcon(tok)
        if tok == "list":
            expect("(")
            inner = arrows()
            expect(")")
            return tlist(inner)
        if tok[:1] == "t" and tok[1:].isdigit():
            return TVar(int(tok[1:]))
        if tok.isidentifier() and tok.islower() and len(tok) <= 2:
            if tok not in named:
                named[tok] = next_id[0]
                next_id[0] += 1
            return TVar(named[tok])
        fail(f"unexpected token {tok!r}")

    def expect(tok: str):
        nonlocal pos
        if pos >= len(tokens) or tokens[pos] != tok:
            fail(f"expected {tok!r}")
        pos += 1

    def arrows():
        nonlocal pos
        left = atom()
        if pos < len(tokens) and tokens[pos] == "->":
            pos += 1
            return tcon("->", left, arrows())
        return left

    t = arrows()
    if pos != len(tokens):
        fail(f"trailing {' '.join(tokens[pos:])!r}")
    return t
