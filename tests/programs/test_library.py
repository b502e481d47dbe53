"""Library learning on programs: inventions as primitives, eta-long rewriting, bits, policy files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kairos.container import pack
from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.fit import fit_grammar, steps_of, trace
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, run
from kairos.domains.programs.library import (
    Invention,
    Solution,
    corpus_bits,
    eta_long,
    inline,
    inline_solution,
    invention_primitive,
    learn_library,
    library_primitives,
    program_bits,
    rewrite_solution,
)
from kairos.domains.programs.policy_file import (
    MAGIC,
    VERSION,
    ProgramPolicy,
    program_policy_by_name,
)
from kairos.domains.programs.primitives import PRIMITIVES, primitive_table
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import INT, arrow, tlist
from kairos.errors import CorruptFileError, FileFormatError, MismatchError, ValidationError
from tests.damage import damaged_copies

LI = tlist(INT)
TABLE = primitive_table()


def _task(name: str, fn, inputs=((1, 2, 3), (4,), (), (5, 0, 7), (2, 2))) -> Task:
    return Task(name, LI, LI, tuple(((list(x),), fn(list(x))) for x in inputs))


def _add_k_corpus() -> list[Solution]:
    out = []
    for k in (1, 2, 3, 4):
        text = f"(lambda (map (lambda (+ $0 {k})) $0))"
        task = _task(f"add-{k}", lambda xs, k=k: [x + k for x in xs])
        out.append(Solution(task.name, parse(text), task.request, task.examples))
    for k in (2, 3):
        text = f"(lambda (map (lambda (+ $0 {k})) (reverse $0)))"
        task = _task(f"rev-add-{k}", lambda xs, k=k: [x + k for x in xs[::-1]])
        out.append(Solution(task.name, parse(text), task.request, task.examples))
    return out


def test_invention_is_a_typed_primitive_that_runs():
    inv = Invention("fn_0", 1, "(map (lam (+ $0 #0)))")
    assert show(inv.closed()) == "(lambda (map (lambda (+ $0 $1))))"
    prim = invention_primitive(inv, TABLE)
    assert str(prim.type) == "int -> list(int) -> list(int)"
    assert prim.arity == 2
    table = {**TABLE, "fn_0": prim}
    fn = compile_program(parse("(lambda (fn_0 3 $0))"), 1, table)
    assert run(fn, ([1, 2],)) == [4, 5]
    assert "x0" in inv.readable(prim.type)


def test_invention_with_two_parameters_binds_them_in_order():
    inv = Invention("fn_0", 2, "(take #1 (drop #1 #0))")
    prim = invention_primitive(inv, TABLE)
    assert str(prim.type) == "list(t0) -> int -> list(t0)"
    fn = compile_program(parse("(lambda (fn_0 $0 2))"), 1, {**TABLE, "fn_0": prim})
    assert run(fn, ([1, 2, 3, 4, 5],)) == [3, 4]


@pytest.mark.parametrize(
    "body",
    ["(map (lam (+ $1 #0)))", "(take #2 #0)", "(+ 1 (car #0))  extra", "(not 3)"],
)
def test_bad_invention_bodies_are_typed_errors(body):
    arity = 1
    with pytest.raises(ValidationError):
        invention_primitive(Invention("fn_0", arity, body), TABLE)


def test_eta_long_puts_back_the_lambdas_the_enumerator_builds():
    request = arrow(LI, LI)
    assert show(eta_long(parse("sort"), request, TABLE)) == "(lambda (sort $0))"
    got = eta_long(parse("(lambda (map (+ 1) $0))"), request, TABLE)
    assert show(got) == "(lambda (map (lambda (+ 1 $0)) $0))"
    trace(Enumerator(Grammar()), got, request)  # rebuildable by the search
    folded = eta_long(parse("(lambda (fold $0 0 +))"), arrow(LI, INT), TABLE)
    assert show(folded) == "(lambda (fold $0 0 (lambda (lambda (+ $1 $0)))))"
    with pytest.raises(ValidationError):
        eta_long(parse("(lambda (car $0))"), request, TABLE)


def test_inline_beta_reduces_inventions_into_base_programs():
    lib = [
        Invention("fn_0", 1, "(map (lam (+ $0 #0)))"),
        Invention("fn_1", 1, "(lam (#0 (reverse $0)))"),
    ]
    got = inline(parse("(lambda (fn_1 (lambda (fn_0 3 $0)) $0))"), lib)
    assert show(got) == "(lambda (map (lambda (+ $0 3)) (reverse $0)))"
    nested = inline(parse("(lambda (map (lambda (fn_0 $0 (cons $0 $1))) $0))"), lib)
    assert show(nested) == "(lambda (map (lambda (map (lambda (+ $0 $1)) (cons $0 $1))) $0))"
    task = _task("rev-add-3", lambda xs: [x + 3 for x in xs[::-1]])
    text = "(lambda (fn_1 (lambda (fn_0 3 $0)) $0))"
    sol = Solution(task.name, parse(text), task.request, task.examples)
    base = inline_solution(sol, lib, Enumerator(Grammar()))
    assert show(base.program) == "(lambda (map (lambda (+ $0 3)) (reverse $0)))"


def test_program_bits_is_the_searchs_own_log_prob():
    sols = _add_k_corpus()
    pairs = [(s.program, s.request) for s in sols]
    grammar, _ = fit_grammar(Grammar(), steps_of(Enumerator(Grammar()), pairs))
    enum = Enumerator(grammar)
    task = _task("add-2", lambda xs: [x + 2 for x in xs])
    out = enum.search(task.request, task.examples, budget=100_000)
    assert out.solved
    bits = program_bits(grammar, steps_of(enum, [(out.program, task.request)]))[0]
    assert bits == pytest.approx(-out.log_prob / math.log(2), rel=1e-9)
    assert corpus_bits(grammar, pairs) < corpus_bits(Grammar(), pairs)


def test_library_round_learns_an_invention_and_shortens_the_corpus():
    sols = _add_k_corpus()
    lib = learn_library(sols, iterations=3)
    assert lib.inventions, "Stitch found no invention in a corpus built around one"
    assert lib.num_rewritten >= 4
    assert lib.primitives[: len(PRIMITIVES)] == PRIMITIVES
    table = {p.name: p for p in lib.primitives}
    enum = Enumerator(Grammar(lib.primitives))
    for old, new in zip(sols, lib.solutions, strict=True):
        trace(enum, new.program, new.request)
        fn = compile_program(new.program, 1, table)
        for inputs, want in old.examples:
            assert run(fn, inputs) == want
    before = [(s.program, s.request) for s in sols]
    after = [(s.program, s.request) for s in lib.solutions]
    g0, _ = fit_grammar(Grammar(), steps_of(Enumerator(Grammar()), before))
    g1, _ = fit_grammar(Grammar(lib.primitives), steps_of(enum, after))
    assert corpus_bits(g1, after) < corpus_bits(g0, before)
    # a new program is rewritten with the learned library too
    task = _task("add-5", lambda xs: [x + 5 for x in xs])
    new = Solution(
        task.name, parse("(lambda (map (lambda (+ $0 5)) $0))"), task.request, task.examples
    )
    moved = rewrite_solution(new, lib.library, enum)
    assert any(inv.name in show(moved.program) for inv in lib.library)


def test_learn_library_rejects_bad_arguments():
    with pytest.raises(ValidationError, match="iterations"):
        learn_library(_add_k_corpus(), iterations=0)
    with pytest.raises(ValidationError, match="two"):
        learn_library(_add_k_corpus()[:1])


def _policy() -> ProgramPolicy:
    lib = (Invention("fn_0", 1, "(map (lam (+ $0 #0)))"),)
    prims = library_primitives(lib)
    g = Grammar(prims)
    w = np.random.default_rng(0).normal(size=g.weights.shape)
    return ProgramPolicy(lib, Grammar(prims, w), {"note": "test"})


def test_policy_file_round_trips(tmp_path):
    pol = _policy()
    path = tmp_path / "p.kprog"
    pol.save(path)
    back = ProgramPolicy.load(path)
    assert back.library == pol.library
    np.testing.assert_array_equal(back.grammar.weights, pol.grammar.weights)
    assert back.meta == {"note": "test"}
    assert back.name == "learned+library"
    assert program_policy_by_name(str(path)).library == pol.library
    assert program_policy_by_name("uniform").grammar.is_uniform


def test_policy_file_metadata_is_json_safe(tmp_path):
    pol = _policy()
    pol.meta = {"limit_s": math.inf, "rows": [{"x": math.nan, "y": 1.5}]}
    pol.save(tmp_path / "m.kprog")
    assert ProgramPolicy.load(tmp_path / "m.kprog").meta == {
        "limit_s": None,
        "rows": [{"x": None, "y": 1.5}],
    }


def test_policy_file_damage_gives_typed_errors(tmp_path):
    pol = _policy()
    good = tmp_path / "good.kprog"
    pol.save(good)
    for name, blob, error, pattern in damaged_copies(good.read_bytes()):
        path = tmp_path / f"{name}.kprog"
        path.write_bytes(blob)
        with pytest.raises(error, match=pattern):
            ProgramPolicy.load(path)


def _header(pol: ProgramPolicy) -> dict:
    return {
        "kind": "programs",
        "base": [p.name for p in PRIMITIVES],
        "library": [
            {
                "name": "fn_0",
                "arity": 1,
                "body": "(map (lam (+ $0 #0)))",
                "type": str(pol.grammar.primitives[-1].type),
            }
        ],
        "shape": list(pol.grammar.weights.shape),
        "meta": {},
    }


@pytest.mark.parametrize(
    ("field", "edit", "error"),
    [
        ("kind", lambda h: h.update(kind="sokoban"), CorruptFileError),
        ("base", lambda h: h.update(base=h["base"][:-1]), MismatchError),
        ("library[0].name", lambda h: h["library"][0].update(name="map"), CorruptFileError),
        ("library[0].arity", lambda h: h["library"][0].update(arity="1"), CorruptFileError),
        ("library[0].type", lambda h: h["library"][0].update(type="int"), CorruptFileError),
        (
            "library",
            lambda h: h["library"][0].update(body="(map (lam (+ $0 #3)))"),
            CorruptFileError,
        ),
        ("library[0]", lambda h: h["library"][0].pop("body"), CorruptFileError),
        ("shape", lambda h: h.update(shape=[1, 2]), CorruptFileError),
        ("meta", lambda h: h.update(meta=[1]), CorruptFileError),
    ],
)
def test_policy_file_fields_are_validated_after_the_checksum(tmp_path, field, edit, error):
    pol = _policy()
    header = _header(pol)
    edit(header)
    path = tmp_path / "bad.kprog"
    path.write_bytes(pack(MAGIC, VERSION, header, pol.grammar.weights.astype("<f8").tobytes()))
    with pytest.raises(error, match=f"field {field.replace('[', '.').replace(']', '.')}") as info:
        ProgramPolicy.load(path)
    assert str(path) in str(info.value)


def test_policy_file_rejects_non_finite_weights(tmp_path):
    pol = _policy()
    w = pol.grammar.weights.copy()
    w[0, 0] = np.nan
    path = tmp_path / "nan.kprog"
    path.write_bytes(pack(MAGIC, VERSION, _header(pol), w.astype("<f8").tobytes()))
    with pytest.raises(CorruptFileError, match="field payload"):
        ProgramPolicy.load(path)


def test_unknown_policy_name_is_a_file_error(tmp_path):
    with pytest.raises(FileFormatError):
        program_policy_by_name(str(tmp_path / "missing.kprog"))
