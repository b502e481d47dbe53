"""The interpreter: closures, limits, fuel and rejection of failing programs."""

import pytest

from kairos.domains.programs import compile_program, parse, run
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import FAILED, consistent, same_value
from kairos.domains.programs.primitives import MAX_INT, MAX_LIST

TABLE = Grammar().table


def _run(text, *inputs):
    return run(compile_program(parse(text), len(inputs), TABLE), inputs)


@pytest.mark.parametrize(
    ("text", "x", "want"),
    [
        ("(lambda (map (lambda (+ $0 1)) $0))", [1, 2], [2, 3]),
        ("(lambda (fold $0 0 (lambda (lambda (+ $0 $1)))))", [1, 2, 3], 6),
        ("(lambda (fold $0 empty (lambda (lambda (cons $1 $0)))))", [1, 2], [1, 2]),
        ("(lambda (filter (lambda (gt? $0 2)) $0))", [1, 5, 3], [5, 3]),
        ("(lambda (count (lambda (is-prime $0)) $0))", [2, 4, 5, 9], 2),
        ("(lambda (zip (lambda (lambda (- $0 $1))) $0 (cdr $0)))", [1, 4, 9], [3, 5]),
        ("(lambda (mapi (lambda (lambda (* $0 $1))) $0))", [5, 5, 5], [0, 5, 10]),
        ("(lambda (unfold 0 (lambda (gt? $0 3)) (lambda $0) (lambda (+ $0 1))))", [], [0, 1, 2, 3]),
        ("(lambda (if (empty? $0) 0 (car $0)))", [], 0),
        ("(lambda (take 2 (reverse (sort $0))))", [3, 1, 2], [3, 2]),
        ("(lambda (index 1 $0))", [7, 8], 8),
        ("sort", [2, 1], [1, 2]),  # eta-reduced: applied to the inputs
    ],
)
def test_programs_compute_their_values(text, x, want):
    assert same_value(_run(text, x), want)


@pytest.mark.parametrize(
    "text",
    [
        "(lambda (car $0))",  # empty list
        "(lambda (mod 1 0))",
        "(lambda (index 5 $0))",
        "(lambda (range (* 5 (* 5 5))))",  # longer than MAX_LIST
        "(lambda (fold (range (* 5 5)) 2 (lambda (lambda (* $0 $0)))))",  # huge integer
        "(lambda (unfold 0 (lambda (gt? 0 1)) (lambda $0) (lambda $0)))",  # never stops
        # nested loops: 100^3 steps, out of fuel
        "(lambda (map (lambda (sum (map (lambda (sum (map (lambda $0) (range (* 4 (* 5 5)))))) "
        "(range (* 4 (* 5 5)))))) (range (* 4 (* 5 5)))))",
    ],
)
def test_runtime_failures_reject_the_candidate(text):
    assert _run(text, []) is FAILED


def test_if_evaluates_only_the_branch_taken():
    assert _run("(lambda (if (empty? $0) 0 (car $0)))", []) == 0
    assert _run("(lambda (if (empty? $0) (car $0) 0))", []) is FAILED


def test_limits_are_the_documented_ones():
    assert _run("(lambda (length (range (* 4 (* 5 5)))))", []) == MAX_LIST
    assert _run("(lambda (* (sum $0) (sum $0)))", [MAX_INT]) is FAILED


def test_consistent_tells_booleans_from_integers_and_stops_at_a_miss():
    fn = compile_program(parse("(lambda (length $0))"), 1, TABLE)
    assert consistent(fn, [(([1],), 1), (([],), 0)])
    assert not consistent(fn, [(([1],), True)])
    assert not consistent(fn, [(([1],), 2), (([],), 0)])
