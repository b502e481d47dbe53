"""A seeded task generator: programs sampled from a grammar, run on random inputs.

Sampling walks the same production tables as search, drawing each choice
with the grammar's probability. A sampled program becomes a task when it runs
without error on every random input and is not constant (its outputs are not
all equal), and is not observationally equal to an earlier task (same outputs
on a fixed set of probe inputs): a filter that keeps tasks a person would call
distinct concepts.
"""

from __future__ import annotations

import numpy as np

from kairos.domains.programs.enumerate import Enumerator, child, program, root
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import FAILED, compile_program, run
from kairos.domains.programs.program import Expr
from kairos.domains.programs.sexpr import show
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import BOOL, INT, tlist
from kairos.errors import ValidationError

REQUESTS = (
    (tlist(INT), tlist(INT)),
    (tlist(INT), INT),
    (tlist(INT), BOOL),
    (tlist(INT), tlist(BOOL)),
)
"""Input and output types of generated tasks (those of DreamCoder's list tasks)."""


def sample_program(
    enumerator: Enumerator,
    request,
    rng: np.random.Generator,
    *,
    max_choices: int = 12,
    arity_penalty: float = 1.0,
) -> Expr | None:
    """A program of type ``request`` drawn from the grammar, or None past ``max_choices``.

    Each choice is drawn with probability ∝ π(production) · exp(−arity_penalty ·
    its number of arguments). Under the uniform grammar most productions open
    two or more holes, so unpenalised draws are almost never finite; the
    penalty (in nats per argument; 0 samples the grammar exactly) keeps
    programs small.
    """
    node = root(request, enumerator.grammar)
    while node.holes is not None:
        if node.depth >= max_choices:
            return None
        entries, names = enumerator.table(node)
        if not entries:
            return None
        p = np.exp([e[0] - arity_penalty * e[1][2] for e in entries])
        j = int(rng.choice(len(entries), p=p / p.sum()))
        node = child(enumerator.grammar, node, entries[j], names)
    return program(node)


def random_input(t, rng: np.random.Generator):
    """A random value of type ``t``: lists of 0–8 integers in [0, 15], integers in [0, 9]."""
    if t is INT:
        return int(rng.integers(0, 10))
    if t is BOOL:
        return bool(rng.integers(0, 2))
    return [random_input(t.args[0], rng) for _ in range(int(rng.integers(0, 9)))]


def random_examples(fn, input_type, rng: np.random.Generator, num_examples: int):
    """``num_examples`` (inputs, output) pairs of the compiled program ``fn`` on random inputs.

    Returns a tuple of ``((x,), y)`` pairs, or None as soon as one run fails.
    """
    examples = []
    for _ in range(num_examples):
        x = random_input(input_type, rng)
        y = run(fn, (x,))
        if y is FAILED:
            return None
        examples.append(((x,), y))
    return tuple(examples)


def generate_tasks(
    num_tasks: int,
    *,
    seed: int,
    grammar: Grammar | None = None,
    num_examples: int = 15,
    max_choices: int = 12,
    max_tries: int = 100_000,
) -> list[tuple[Task, str]]:
    """``num_tasks`` tasks with the programs that made them, deterministically from ``seed``.

    Returns
    -------
    list of (Task, str)
        Each task (named ``gen-<seed>-<k>``) and its generating program's text.

    Raises
    ------
    ValidationError
        Bad counts, or ``max_tries`` samples did not give enough tasks.
    """
    if num_tasks < 0 or num_examples < 1:
        raise ValidationError("num_tasks", f"got {num_tasks} tasks of {num_examples} examples")
    enumerator = Enumerator(grammar or Grammar())
    rng = np.random.default_rng(seed)
    probe_rng = np.random.default_rng(0)  # the same probes for every seed
    probes = {t: [random_input(t, probe_rng) for _ in range(8)] for t, _ in REQUESTS}
    out, seen = [], set()
    for _ in range(max_tries):
        if len(out) == num_tasks:
            break
        tin, tout = REQUESTS[int(rng.integers(len(REQUESTS)))]
        request = Task("", tin, tout, ()).request
        expr = sample_program(enumerator, request, rng, max_choices=max_choices)
        if expr is None:
            continue
        fn = compile_program(expr, 1, enumerator.grammar.table)
        examples = random_examples(fn, tin, rng, num_examples)
        if examples is not None:
            outputs = {repr(y) for _, y in examples}
            key = (tin, tout, tuple(repr(run(fn, (x,))) for x in probes[tin]))
            if len(outputs) > 1 and key not in seen:
                seen.add(key)
                out.append((Task(f"gen-{seed}-{len(out)}", tin, tout, examples), show(expr)))
    if len(out) < num_tasks:
        raise ValidationError(
            "num_tasks", f"only {len(out)} of {num_tasks} tasks after {max_tries} samples"
        )
    return out
