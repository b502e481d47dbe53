"""Types, s-expressions and type inference of the list DSL."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kairos.domains.programs import PRIMITIVES, check, infer, parse, parse_type, show
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.program import Apply, Lambda, Prim, Var, apply
from kairos.domains.programs.types import (
    BOOL,
    INT,
    TVar,
    UnificationError,
    arrow,
    resolve,
    tlist,
    unify,
)
from kairos.errors import ValidationError

TABLE = Grammar().table
NAMES = [p.name for p in PRIMITIVES]


def test_unify_binds_variables_and_rejects_clashes_and_cycles():
    s = unify(arrow(TVar(0), tlist(TVar(1))), arrow(INT, tlist(BOOL)), {})
    assert resolve(TVar(0), s) is INT and resolve(TVar(1), s) is BOOL
    with pytest.raises(UnificationError):
        unify(INT, BOOL, {})
    with pytest.raises(UnificationError):
        unify(TVar(0), tlist(TVar(0)), {})


def test_types_parse_and_print_including_dreamcoder_names():
    assert parse_type("list-of-int") is tlist(INT)
    assert str(parse_type("(a -> b) -> list(a) -> list(b)")) == "(t0 -> t1) -> list(t0) -> list(t1)"
    with pytest.raises(ValidationError, match="type"):
        parse_type("list(int")


@pytest.mark.parametrize(
    ("text", "typ"),
    [
        ("(lambda (map (lambda (+ $0 1)) $0))", "list(int) -> list(int)"),
        ("(lambda (fold $0 0 (lambda (lambda (+ $0 $1)))))", "list(int) -> int"),
        ("map", "(t0 -> t1) -> list(t0) -> list(t1)"),
        ("(lambda (lambda (index $1 $0)))", "int -> list(t0) -> t0"),
        ("(lambda (filter (lambda (gt? $0 2)) $0))", "list(int) -> list(int)"),
    ],
)
def test_inference_gives_the_most_general_type(text, typ):
    assert str(infer(parse(text), TABLE)) == typ


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("(lambda (+ $0 empty))", "ill-typed"),
        ("(lambda $1)", "unbound"),
        ("(lambda (frobnicate $0))", "unknown primitive"),
    ],
)
def test_ill_typed_programs_are_typed_errors(text, why):
    with pytest.raises(ValidationError, match=why):
        infer(parse(text), TABLE)


def test_check_against_a_requested_type():
    check(parse("(lambda (sum $0))"), parse_type("list(int) -> int"), TABLE)
    with pytest.raises(ValidationError, match="not the requested"):
        check(parse("(lambda (sum $0))"), parse_type("list(int) -> bool"), TABLE)


@pytest.mark.parametrize(
    "text", ["", "(", "(lambda $0", "())", "($x)", "(lambda $0) 3", "()", "lambda"]
)
def test_unparsable_programs_are_typed_errors(text):
    with pytest.raises(ValidationError, match="program"):
        parse(text, names=NAMES)


def test_parse_flattens_curried_application_and_accepts_stitch_lam():
    assert parse("((+ 1) 2)") == Apply(Prim("+"), (Prim("1"), Prim("2")))
    assert parse("(lam $0)") == Lambda(Var(0))


def _exprs(depth: int):
    leaf = st.one_of(st.sampled_from(NAMES).map(Prim), st.integers(0, 5).map(Var))
    if depth == 0:
        return leaf
    sub = _exprs(depth - 1)
    return st.one_of(
        leaf,
        sub.map(Lambda),
        st.tuples(st.one_of(leaf, sub.map(Lambda)), st.lists(sub, min_size=1, max_size=3)).map(
            lambda p: apply(*p)
        ),
    )


@given(_exprs(4))
def test_print_then_parse_round_trips(expr):
    assert parse(show(expr)) == expr
    assert show(parse(show(expr))) == show(expr)
