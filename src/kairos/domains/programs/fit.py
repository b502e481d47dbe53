"""Fitting the grammar to solutions with the LTS loss (or cross-entropy), as for the puzzles.

A solution program is replayed through the enumerator (:func:`trace`): at
each hole it filled we record the active context rows, the type-correct
candidates and the production chosen. The LTS loss (Orseau, Hutter and Lelis
2023) of a set of N solutions is

    F(W) = log Σ_i d_i / π_W(program_i) + l2/2 · ||W||²
         = LSE_i( log d_i + Σ_{t in i} −log π_W(p_t | hole_t) ) + l2/2 · ||W||²,

with d_i the number of choices plus one: the log of an upper bound on the
expansions LTS needs to find every solution again. Each −log π is a
log-sum-exp of linear functions of W minus a linear one, so F is convex and
L-BFGS finds its minimum (the same optimiser and stopping rule as
:func:`kairos.policy.loss.fit`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from kairos.domains.programs.enumerate import LAMBDA, Enumerator, child, hole_key, root
from kairos.domains.programs.grammar import Grammar, Steps, type_class
from kairos.domains.programs.program import Apply, Expr, Lambda, Prim, Var
from kairos.domains.programs.sexpr import show
from kairos.errors import ValidationError
from kairos.fit_report import FitReport

OBJECTIVES = ("lts", "xent")


def _tokens(expr: Expr, out: list) -> list:
    if isinstance(expr, Lambda):
        out.append(LAMBDA)
        _tokens(expr.body, out)
    elif isinstance(expr, Apply):
        out.append(_head_key(expr.head, len(expr.args), expr))
        for a in expr.args:
            _tokens(a, out)
    else:
        out.append(_head_key(expr, 0, expr))
    return out


def _head_key(head: Expr, arity: int, whole: Expr):
    if isinstance(head, Prim):
        return ("p", head.name, arity)
    if isinstance(head, Var):
        return ("v", head.index, arity)
    raise ValidationError("program", f"{show(whole)}: an applied lambda is not eta-long")


def trace(enumerator: Enumerator, expr: Expr, request) -> tuple[np.ndarray, list, np.ndarray]:
    """The choices the enumerator makes to build ``expr`` as a program of type ``request``.

    Returns
    -------
    rows : ndarray of int64, shape (S, 3)
    candidates : list of S ndarrays of int64
        Production ids of the type-correct candidates at each hole, in table order.
    chosen : ndarray of int64, shape (S,)
        Index into ``candidates[s]`` of the production taken.

    Raises
    ------
    ValidationError
        Field ``program``: ``expr`` is not an eta-long, well-typed program of
        type ``request`` in the enumerator's DSL (the search never builds such).
    """
    grammar = enumerator.grammar
    tokens = _tokens(expr, [])
    node = root(request, grammar)
    pos = _skip_lambdas(node, tokens, 0, expr)
    rows, cands, chosen = [], [], []
    while node.holes is not None:
        if pos >= len(tokens):
            raise ValidationError("program", f"{show(expr)} is incomplete for type {request}")
        want = tokens[pos]
        entries, names = enumerator.table(node)
        match = [j for j, e in enumerate(entries) if e[1][:3] == want]
        if not match:
            t = hole_key(node)[0]
            raise ValidationError(
                "program",
                f"{show(expr)}: {want[1]} with {want[2]} argument(s) cannot fill a hole of "
                f"type {t} (ill-typed, not eta-long, or not in this DSL)",
            )
        t, _, parent, argument = hole_key(node)
        rows.append(grammar.context_rows(parent, argument, type_class(t)))
        cands.append(np.array([e[1][3] for e in entries], dtype=np.int64))
        chosen.append(match[0])
        node = child(grammar, node, entries[match[0]], names)
        pos = _skip_lambdas(node, tokens, pos + 1, expr)
    if pos != len(tokens):
        raise ValidationError("program", f"{show(expr)} has more than a {request} needs")
    return np.array(rows, dtype=np.int64).reshape(-1, 3), cands, np.array(chosen, dtype=np.int64)


def _skip_lambdas(node, tokens: list, pos: int, expr: Expr) -> int:
    forced = 0
    c = node.choices
    while c is not None and c[0] is LAMBDA:
        forced += 1
        c = c[1]
    for k in range(forced):
        if pos + k >= len(tokens) or tokens[pos + k] is not LAMBDA:
            raise ValidationError(
                "program", f"{show(expr)} is not eta-long: a lambda is missing for a function"
            )
    return pos + forced


def steps_of(enumerator: Enumerator, solutions: Sequence[tuple[Expr, object]]) -> Steps:
    """The :class:`Steps` of several ``(program, request)`` solutions."""
    rows, cands, chosen, starts = [], [], [], [0]
    for expr, request in solutions:
        r, c, k = trace(enumerator, expr, request)
        rows.append(r)
        cands.extend(c)
        chosen.append(k)
        starts.append(starts[-1] + len(k))
    width = max((len(c) for c in cands), default=1)
    padded = np.full((len(cands), width), -1, dtype=np.int64)
    for s, c in enumerate(cands):
        padded[s, : len(c)] = c
    return Steps(
        np.concatenate(rows) if rows else np.zeros((0, 3), np.int64),
        padded,
        np.concatenate(chosen) if chosen else np.zeros(0, np.int64),
        np.array(starts, dtype=np.int64),
    )


class _Problem:
    def __init__(self, steps: Steps, shape: tuple[int, int], objective: str, l2: float):
        self.steps, self.shape, self.objective, self.l2 = steps, shape, objective, l2
        valid = steps.candidates >= 0
        self.valid = valid
        cand = np.where(valid, steps.candidates, 0)
        # flat indices into W of (row r, candidate j) at each step: shape (S, 3, L)
        self.flat = steps.rows[:, :, None] * shape[1] + cand[:, None, :]
        lengths = np.diff(steps.starts)
        self.lengths = lengths
        self.log_depth = np.log(lengths + 1.0)
        self.program_of_step = np.repeat(np.arange(len(lengths)), lengths)

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        w = x
        z = w[self.flat].sum(axis=1)  # (S, L)
        z = np.where(self.valid, z, -np.inf)
        top = z.max(axis=1, keepdims=True)
        e = np.exp(z - top)
        total = e.sum(axis=1, keepdims=True)
        log_norm = (top + np.log(total))[:, 0]
        s_idx = np.arange(len(z))
        nll = log_norm - z[s_idx, self.steps.chosen]
        p = e / total
        p[s_idx, self.steps.chosen] -= 1.0
        if self.objective == "lts":
            per_program = self.log_depth + np.bincount(
                self.program_of_step, weights=nll, minlength=len(self.lengths)
            )
            m = per_program.max()
            weights = np.exp(per_program - m)
            value = m + np.log(weights.sum())
            step_weight = (weights / weights.sum())[self.program_of_step]
        else:
            value = nll.mean()
            step_weight = np.full(len(nll), 1.0 / len(nll))
        coef = p * step_weight[:, None]  # (S, L), zero where invalid
        grad = np.zeros_like(w)
        np.add.at(grad, self.flat, np.broadcast_to(coef[:, None, :], self.flat.shape))
        value += 0.5 * self.l2 * float(w @ w)
        grad += self.l2 * w
        return float(value), grad


def fit_grammar(
    grammar: Grammar,
    steps: Steps,
    *,
    objective: str = "lts",
    l2: float = 1e-2,
    gtol: float = 1e-6,
    max_iter: int = 500,
) -> tuple[Grammar, FitReport]:
    """A new grammar minimising the objective on ``steps``, started from ``grammar``'s weights.

    Parameters
    ----------
    grammar : Grammar
        Supplies the DSL and the starting weights (the problem is convex, so the
        optimum does not depend on them).
    steps : Steps
        From :func:`steps_of`, traced with a grammar over the same DSL.
    objective : {"lts", "xent"}
    l2 : float
        Weight of the L2 penalty on all weights (keeps unseen productions at
        finite cost: the fitted prior never rules a program out).

    Raises
    ------
    ValidationError
        An unknown objective, a negative ``l2``, or no steps to fit.
    """
    from scipy.optimize import minimize

    if objective not in OBJECTIVES:
        raise ValidationError("objective", f"got {objective!r}, expected one of {list(OBJECTIVES)}")
    if l2 < 0:
        raise ValidationError("l2", f"got {l2}, expected >= 0")
    if len(steps.chosen) == 0:
        raise ValidationError("steps", "no choices to fit: solve at least one task first")
    t0 = time.perf_counter()
    shape = grammar.weights.shape
    problem = _Problem(steps, shape, objective, l2)
    x0 = grammar.weights.ravel().copy()
    initial, _ = problem.value_and_grad(x0)
    res = minimize(
        problem.value_and_grad,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": gtol, "ftol": 1e-12, "maxcor": 20},
    )
    _, grad = problem.value_and_grad(res.x)
    report = FitReport(
        objective=objective,
        value=float(res.fun),
        initial_value=float(initial),
        iterations=int(res.nit),
        evaluations=int(res.nfev),
        grad_max=float(np.abs(grad).max()),
        converged=bool(res.success),
        message=str(res.message),
        seconds=time.perf_counter() - t0,
        num_params=int(x0.size),
    )
    return Grammar(grammar.primitives, res.x.reshape(shape)), report
