"""LTS over programs: correctness, agreement with the reference, budgets, grammar fitting."""

import math

import numpy as np
import pytest

from kairos.domains.programs import (
    Enumerator,
    Grammar,
    Task,
    fit_grammar,
    parse,
    parse_type,
    reference_search,
    show,
    solve_task,
    steps_of,
    trace,
)
from kairos.domains.programs.fit import _Problem
from kairos.domains.programs.types import INT, tlist
from kairos.errors import ValidationError

LL = parse_type("list(int) -> list(int)")


def _task(name, fn, inputs, tin=tlist(INT), tout=tlist(INT)):
    return Task(name, tin, tout, tuple(((x,), fn(x)) for x in inputs))


INPUTS = [[1, 2, 3], [4, 0], [], [7, 7, 1, 5], [2], [9, 3, 3]]


def test_finds_simple_programs_that_generalize():
    tasks = [
        _task("sum", sum, INPUTS, tout=INT),
        _task("len", len, INPUTS, tout=INT),
        _task("rev", lambda x: x[::-1], INPUTS),
    ]
    enum = Enumerator(Grammar())
    got = {t.name: solve_task(enum, t, holdout=2, budget=20_000) for t in tasks}
    assert all(r.solved and r.generalized for r in got.values())
    assert got["len"].program == "(lambda (length $0))"
    assert got["rev"].program == "(lambda (reverse $0))"


def test_agrees_with_the_reference_enumerator_node_for_node():
    task = _task("inc2", lambda x: [v + 2 for v in x], INPUTS)
    for grammar in (Grammar(), _learned()):
        fast = Enumerator(grammar).search(task.request, task.examples, budget=1500)
        ref = reference_search(grammar, task.request, task.examples, budget=1500)
        assert (fast.status, fast.expansions, fast.text) == (ref.status, ref.expansions, ref.text)
        if fast.solved:
            assert math.isclose(fast.log_prob, ref.log_prob)


def test_budgets_stop_the_search():
    task = _task("hard", lambda x: [v * v + 3 for v in x[::-1]], INPUTS)
    out = Enumerator(Grammar()).search(task.request, task.examples, budget=500)
    assert out.status == "budget_exhausted" and out.expansions == 500
    out = Enumerator(Grammar()).search(task.request, task.examples, time_limit_s=0.05)
    assert out.status == "timeout" and out.seconds < 1.0
    with pytest.raises(ValidationError, match="budget"):
        Enumerator(Grammar()).search(task.request, task.examples, budget=0)


def test_log_bound_bounds_the_expansions():
    task = _task("sort", sorted, INPUTS)
    out = Enumerator(Grammar()).search(task.request, task.examples, budget=20_000)
    assert out.solved and out.expansions <= math.exp(out.log_bound)


def test_trace_replays_the_choices_and_rejects_non_eta_long_programs():
    enum = Enumerator(Grammar())
    rows, cands, chosen = trace(enum, parse("(lambda (map (lambda (+ $0 1)) $0))"), LL)
    assert len(chosen) == 5 and rows.shape == (5, 3)
    names = [
        enum.grammar.primitives[c[k]].name if c[k] < len(enum.grammar.primitives) else "$"
        for c, k in zip(cands, chosen, strict=True)
    ]
    assert names == ["map", "+", "$", "1", "$"]
    for bad in ("(lambda (map (+ 1) $0))", "sort", "(lambda (sum $0))"):
        with pytest.raises(ValidationError, match="program"):
            trace(enum, parse(bad), LL)


def _learned():
    sols = [(parse(f"(lambda (map (lambda (+ $0 {k})) $0))"), LL) for k in (1, 2, 3)]
    grammar, _ = fit_grammar(Grammar(), steps_of(Enumerator(Grammar()), sols))
    return grammar


def test_lts_fit_lowers_the_loss_and_the_expansions():
    sols = [(parse(f"(lambda (map (lambda (+ $0 {k})) $0))"), LL) for k in (1, 2, 3)]
    steps = steps_of(Enumerator(Grammar()), sols)
    grammar, report = fit_grammar(Grammar(), steps)
    assert report.converged and report.value < report.initial_value
    task = _task("add4", lambda x: [v + 4 for v in x], INPUTS)
    uni = Enumerator(Grammar()).search(task.request, task.examples, budget=20_000)
    lea = Enumerator(grammar).search(task.request, task.examples, budget=2_000)
    assert lea.solved and lea.text == "(lambda (map (lambda (+ $0 4)) $0))"
    assert not uni.solved  # uniform needs more than 10× the learned grammar's budget


@pytest.mark.parametrize("objective", ["lts", "xent"])
def test_fit_gradient_matches_finite_differences(objective):
    sols = [
        (parse(t), LL) for t in ("(lambda (map (lambda (+ $0 1)) $0))", "(lambda (reverse $0))")
    ]
    steps = steps_of(Enumerator(Grammar()), sols)
    problem = _Problem(steps, Grammar().weights.shape, objective, 0.01)
    x = np.random.default_rng(0).normal(size=Grammar().weights.size) * 0.1
    _, grad = problem.value_and_grad(x)
    for k in np.flatnonzero(grad)[:5]:
        e = np.zeros_like(x)
        e[k] = 1e-6
        numeric = (problem.value_and_grad(x + e)[0] - problem.value_and_grad(x - e)[0]) / 2e-6
        assert math.isclose(grad[k], numeric, rel_tol=1e-4, abs_tol=1e-7)


def test_grammar_files_round_trip_and_reject_damage(tmp_path):
    from kairos.errors import FileFormatError

    grammar = _learned()
    path = tmp_path / "g.kgram"
    grammar.save(path)
    again = Grammar.load(path)
    assert np.array_equal(again.weights, grammar.weights)
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError):
        Grammar.load(path)


def test_uniform_is_uniform_over_type_correct_productions():
    enum = Enumerator(Grammar())
    from kairos.domains.programs.enumerate import root

    entries, _ = enum.table(root(parse_type("list(int) -> int"), enum.grammar))
    logps = [e[0] for e in entries]
    assert max(logps) - min(logps) < 1e-12
    assert math.isclose(sum(math.exp(v) for v in logps), 1.0)
    names = {e[1][1] for e in entries}
    assert {"sum", "length", "car", "fold", "+"} <= names and "map" not in names
    assert show(parse("(lambda (sum $0))")) in {"(lambda (sum $0))"}
