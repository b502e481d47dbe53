"""Library learning: compress solved programs into new primitives with Stitch.

A library round (DreamCoder's "sleep: abstraction", done by Stitch, Bowers et
al. 2023, whose Rust core is 3–4 orders of magnitude faster than DreamCoder's
compressor):

1. :func:`learn_library` hands the solutions to ``stitch_core.compress``,
   which returns *inventions* such as ``fn_0(#0) := (map (lam (+ $0 #0)))``
   and the programs rewritten in terms of them;
2. each invention becomes a DSL :class:`~.primitives.Primitive`
   (:func:`invention_primitive`): its body, closed over its ``#i`` parameters
   by lambdas, is type-inferred with :func:`.infer.infer` and compiled by the
   interpreter once; calling it runs that closure, so its primitives spend fuel
   as usual (plus one unit per call);
3. Stitch's rewritten programs are eta-reduced (``(fn_1 (fn_0 3))``); the
   enumerator builds eta-long programs only, so :func:`eta_long` puts the
   lambdas back, type-directed. A rewritten program is kept only when the
   enumerator can rebuild it (:func:`.fit.trace`) and it gives the original's
   outputs on the task's examples; otherwise the original program stands (it
   is still in the DSL: the library only adds primitives). One such case:
   inventions evaluate their arguments eagerly, so abstracting the branches of
   an ``if`` can make a program fail where the original did not.

The grammar is then refitted on the rewritten corpus (:mod:`.fit`), and the
corpus description length ``Σ −log2 π(program)`` under the prior is reported
before and after (:func:`corpus_bits`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.fit import steps_of, trace
from kairos.domains.programs.grammar import Grammar, Steps
from kairos.domains.programs.infer import InferenceState, infer
from kairos.domains.programs.interpreter import (
    FAILED,
    compile_expr,
    compile_program,
    run,
    same_value,
)
from kairos.domains.programs.primitives import PRIMITIVES, Primitive, spend
from kairos.domains.programs.program import Expr, Lambda, Prim, Var, apply
from kairos.domains.programs.sexpr import parse, show
from kairos.domains.programs.types import (
    TVar,
    UnificationError,
    arrow,
    free_vars,
    resolve,
    unify,
)
from kairos.errors import ValidationError

INVENTION_PREFIX = "fn_"
"""Stitch names inventions ``fn_<k>``; they are numbered on across rounds."""


@dataclass(frozen=True)
class Invention:
    """One learned library function.

    Attributes
    ----------
    name : str
        ``fn_<k>``.
    arity : int
        Number of ``#i`` parameters of the body (Stitch's arity; the primitive
        may take more arguments when the body is itself a function).
    body : str
        Stitch's body, with parameters ``#0 .. #<arity-1>`` (may call earlier
        inventions).
    """

    name: str
    arity: int
    body: str

    def closed(self) -> Expr:
        """The body closed over its parameters: ``(lambda ... (lambda body))``, ``#0`` outermost."""
        return _close(parse(self.body), self.arity)

    def readable(self, type_=None) -> str:
        """``fn_0 x0 x1 := (map (lambda (+ $0 x0)) x1)``, with its type when given."""
        params = " ".join(f"x{i}" for i in range(self.arity))
        body = self.body.replace("(lam ", "(lambda ")
        for i in range(self.arity - 1, -1, -1):
            body = body.replace(f"#{i}", f"x{i}")
        head = f"{self.name} {params}".strip()
        return f"{head} := {body}" + ("" if type_ is None else f"  : {type_}")


def _close(body: Expr, arity: int) -> Expr:
    """Replace ``#i`` by de Bruijn variables of ``arity`` new outer lambdas."""

    def walk(e: Expr, depth: int) -> Expr:
        if isinstance(e, Prim):
            if e.name.startswith("#"):
                i = int(e.name[1:]) if e.name[1:].isdigit() else -1
                if not 0 <= i < arity:
                    raise ValidationError("library", f"parameter {e.name} of an arity-{arity} body")
                return Var(depth + arity - 1 - i)
            return e
        if isinstance(e, Var):
            if e.index >= depth:
                raise ValidationError("library", f"free variable ${e.index} in an invention body")
            return e
        if isinstance(e, Lambda):
            return Lambda(walk(e.body, depth + 1))
        return apply(walk(e.head, depth), [walk(a, depth) for a in e.args])

    out = walk(body, 0)
    for _ in range(arity):
        out = Lambda(out)
    return out


def invention_primitive(inv: Invention, table: Mapping[str, Primitive]) -> Primitive:
    """The DSL primitive of an invention, over the primitives in ``table``.

    Raises
    ------
    ValidationError
        Field ``library``: the body does not parse, is not closed, or is ill-typed.
    """
    closed = inv.closed()
    try:
        type_ = infer(closed, table)
    except ValidationError as exc:
        raise ValidationError("library", f"{inv.name}: {exc}") from None
    curried = compile_expr(closed, table)(())

    def call(*args):
        spend(1)
        out = curried
        for a in args:
            out = out(a)
        return out

    return Primitive(inv.name, type_, call, inv.readable())


def library_primitives(
    inventions: Sequence[Invention], base: Sequence[Primitive] = PRIMITIVES
) -> tuple[Primitive, ...]:
    """``base`` followed by the primitives of ``inventions`` (each may call earlier ones)."""
    prims = list(base)
    table = {p.name: p for p in prims}
    for inv in inventions:
        if inv.name in table:
            raise ValidationError("library", f"{inv.name} is already a primitive")
        p = invention_primitive(inv, table)
        prims.append(p)
        table[p.name] = p
    return tuple(prims)


# -- eta-long form ------------------------------------------------------------------------------


# Annotated nodes: ("var", index, type), ("prim", name, type), ("lam", body, type),
# ("app", head, args, type).


def _annotate(e: Expr, env: tuple, table, st: InferenceState):
    if isinstance(e, Var):
        if e.index >= len(env):
            raise ValidationError("program", f"${e.index} is unbound")
        return ("var", e.index, env[e.index])
    if isinstance(e, Prim):
        prim = table.get(e.name)
        if prim is None:
            raise ValidationError("program", f"unknown primitive {e.name!r}")
        return ("prim", e.name, st.instantiate(prim.type))
    if isinstance(e, Lambda):
        x = st.fresh()
        body = _annotate(e.body, (x, *env), table, st)
        return ("lam", body, arrow(x, body[-1]))
    head = _annotate(e.head, env, table, st)
    f = head[-1]
    args = []
    for a in e.args:
        ann = _annotate(a, env, table, st)
        out = st.fresh()
        try:
            st.subst = unify(f, arrow(ann[-1], out), st.subst)
        except UnificationError:
            raise ValidationError("program", f"ill-typed application in {show(e)}") from None
        args.append(ann)
        f = out
    return ("app", head, tuple(args), f)


def _shift(node, by: int, cutoff: int):
    kind = node[0]
    if kind == "var":
        return ("var", node[1] + by, node[2]) if node[1] >= cutoff else node
    if kind == "prim":
        return node
    if kind == "lam":
        return ("lam", _shift(node[1], by, cutoff + 1), node[2])
    return (
        "app",
        _shift(node[1], by, cutoff),
        tuple(_shift(a, by, cutoff) for a in node[2]),
        node[3],
    )


def _expand(node, subst) -> Expr:
    t = resolve(node[-1], subst)
    kind = node[0]
    if kind != "lam" and not isinstance(t, TVar) and t.name == "->":
        a, b = t.args
        moved = _shift(node, 1, 0)
        x = ("var", 0, a)
        head, args = (moved[1], moved[2]) if moved[0] == "app" else (moved, ())
        app = ("app", head, (*args, x), b)
        return Lambda(_expand(app, subst))
    if kind == "var":
        return Var(node[1])
    if kind == "prim":
        return Prim(node[1])
    if kind == "lam":
        return Lambda(_expand(node[1], subst))
    head = node[1]
    if head[0] == "lam":
        raise ValidationError("program", "an applied lambda (beta-redex) is not eta-long")
    head_expr = Var(head[1]) if head[0] == "var" else Prim(head[1])
    return apply(head_expr, [_expand(a, subst) for a in node[2]])


def eta_long(expr: Expr, request, table: Mapping[str, Primitive]) -> Expr:
    """``expr`` with a lambda wherever a function-typed term is not one, as the enumerator builds.

    ``(fn_1 (fn_0 3))`` of type ``list(int) -> list(int)`` becomes
    ``(lambda (fn_1 (lambda (fn_0 3 $0)) $0))``.

    Raises
    ------
    ValidationError
        Field ``program``: ``expr`` is ill-typed, not of type ``request``, or
        applies a lambda.
    """
    st = InferenceState(1 + max(free_vars(request), default=-1))
    node = _annotate(expr, (), table, st)
    try:
        st.subst = unify(node[-1], request, st.subst)
    except UnificationError:
        raise ValidationError("program", f"{show(expr)} is not of type {request}") from None
    return _expand(node, st.subst)


# -- inlining -----------------------------------------------------------------------------------


def _shift_expr(e: Expr, by: int, cutoff: int = 0) -> Expr:
    if isinstance(e, Var):
        return Var(e.index + by) if e.index >= cutoff else e
    if isinstance(e, Prim):
        return e
    if isinstance(e, Lambda):
        return Lambda(_shift_expr(e.body, by, cutoff + 1))
    return apply(_shift_expr(e.head, by, cutoff), [_shift_expr(a, by, cutoff) for a in e.args])


def _subst(e: Expr, value: Expr, depth: int = 0) -> Expr:
    """``e`` (a lambda body) with its bound ``$depth`` replaced by ``value``."""
    if isinstance(e, Var):
        if e.index == depth:
            return _shift_expr(value, depth)
        return Var(e.index - 1) if e.index > depth else e
    if isinstance(e, Prim):
        return e
    if isinstance(e, Lambda):
        return Lambda(_subst(e.body, value, depth + 1))
    return apply(_subst(e.head, value, depth), [_subst(a, value, depth) for a in e.args])


def _normal(e: Expr) -> Expr:
    if isinstance(e, (Var, Prim)):
        return e
    if isinstance(e, Lambda):
        return Lambda(_normal(e.body))
    head = _normal(e.head)
    args = [_normal(a) for a in e.args]
    while isinstance(head, Lambda) and args:
        head = _normal(_subst(head.body, args.pop(0)))
    return apply(head, args)


def inline(expr: Expr, library: Sequence[Invention]) -> Expr:
    """``expr`` with every invention replaced by its body and beta-reduced: a base-DSL program.

    The result may not be eta-long; pass it through :func:`eta_long`.
    """
    defs: dict[str, Expr] = {}
    for inv in library:
        defs[inv.name] = _normal(_replace(inv.closed(), defs))
    return _normal(_replace(expr, defs))


def _replace(e: Expr, defs: Mapping[str, Expr]) -> Expr:
    if isinstance(e, Prim):
        return defs.get(e.name, e)
    if isinstance(e, Var):
        return e
    if isinstance(e, Lambda):
        return Lambda(_replace(e.body, defs))
    return apply(_replace(e.head, defs), [_replace(a, defs) for a in e.args])


def inline_solution(sol: Solution, library: Sequence[Invention], base_enum: Enumerator) -> Solution:
    """``sol`` as a base-DSL program (inventions inlined, eta-long), checked on its examples.

    Raises
    ------
    ValidationError
        Field ``program``: the inlined program is not one the base enumerator
        builds, or it disagrees with ``sol`` on an example.
    """
    if not library:
        return sol
    table = dict(base_enum.grammar.table)
    full = {p.name: p for p in library_primitives(library, base_enum.grammar.primitives)}
    expr = eta_long(inline(sol.program, library), sol.request, table)
    trace(base_enum, expr, sol.request)
    new = Solution(sol.name, expr, sol.request, sol.examples, sol.num_inputs)
    if not _agrees(sol, expr, full):
        raise ValidationError("program", f"{show(expr)} disagrees with {show(sol.program)}")
    return new


# -- description length ------------------------------------------------------------------------


def program_bits(grammar: Grammar, steps: Steps) -> np.ndarray:
    """−log2 π(program) of each program in ``steps``, shape (N,), bits."""
    w = grammar.weights
    valid = steps.candidates >= 0
    cand = np.where(valid, steps.candidates, 0)
    z = (w[steps.rows[:, :, None], cand[:, None, :]]).sum(axis=1)
    z = np.where(valid, z, -np.inf)
    top = z.max(axis=1)
    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    nll = lse - z[np.arange(len(z)), steps.chosen]
    per = np.bincount(
        np.repeat(np.arange(steps.num_programs), np.diff(steps.starts)),
        weights=nll,
        minlength=steps.num_programs,
    )
    return per / math.log(2.0)


def corpus_bits(grammar: Grammar, solutions: Sequence[tuple[Expr, object]]) -> float:
    """Σ −log2 π(program) over ``(program, request)`` solutions, bits (0 for none)."""
    if not solutions:
        return 0.0
    return float(program_bits(grammar, steps_of(Enumerator(grammar), solutions)).sum())


# -- a library round ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """A solved task: its program, type and examples (to check a rewriting against)."""

    name: str
    program: Expr
    request: object
    examples: tuple
    num_inputs: int = 1


@dataclass
class LibraryRound:
    """What one call of :func:`learn_library` did.

    Attributes
    ----------
    inventions : list of Invention
        The new ones (all kept inventions, in order, are in ``library``).
    library : list of Invention
        The whole library after the round.
    primitives : tuple of Primitive
        Base DSL plus the library.
    solutions : list of Solution
        The corpus in terms of the library (rewritten where that was sound).
    num_rewritten : int
        Programs whose rewriting was kept.
    num_rejected : int
        Rewritings dropped (not rebuildable by the enumerator, or wrong on the examples).
    stitch_cost_before, stitch_cost_after : int
        Stitch's own corpus cost (its size measure) before and after.
    dropped_inventions : list of str
        Inventions Stitch proposed that did not type-check (not added).
    """

    inventions: list
    library: list
    primitives: tuple
    solutions: list
    num_rewritten: int
    num_rejected: int
    stitch_cost_before: int
    stitch_cost_after: int
    dropped_inventions: list = field(default_factory=list)


def _strip_inputs(expr: Expr, num_inputs: int) -> Expr:
    """The body under the task's input lambdas, so the inputs are free variables to Stitch.

    Stitch would otherwise eta-reduce ``(lambda (take 2 $0))`` to ``(fn_0 2)``
    and count the dropped ``$0`` as a saving, which the eta-long enumerator
    never sees; with the inputs free, an invention cannot absorb them.
    """
    for _ in range(num_inputs):
        if not isinstance(expr, Lambda):
            raise ValidationError("program", "a solution must take its inputs as lambdas")
        expr = expr.body
    return expr


def _adopt(sol: Solution, text: str, enum: Enumerator, table) -> Solution | None:
    """``sol`` with Stitch's rewritten body ``text``, if sound; ``sol`` if unchanged; else None."""
    if text == show(_strip_inputs(sol.program, sol.num_inputs)):
        return sol
    try:
        body = parse(text)
        for _ in range(sol.num_inputs):
            body = Lambda(body)
        expr = eta_long(body, sol.request, table)
        trace(enum, expr, sol.request)
    except ValidationError:
        return None
    if not _agrees(sol, expr, table):
        return None
    return Solution(sol.name, expr, sol.request, sol.examples, sol.num_inputs)


def rewrite_solution(
    sol: Solution, library: Sequence[Invention], enumerator: Enumerator
) -> Solution:
    """``sol`` in terms of ``library`` (Stitch's rewrite), or unchanged where that is not sound.

    ``enumerator`` must be over the base DSL plus ``library`` (its grammar's
    primitives); ``sol`` may use only the base DSL and ``library``.
    """
    import stitch_core

    if not library:
        return sol
    body = show(_strip_inputs(sol.program, sol.num_inputs))
    abstractions = [
        stitch_core.Abstraction(name=i.name, body=i.body, arity=i.arity) for i in library
    ]
    try:
        (text,) = stitch_core.rewrite([body], abstractions, silent=True).rewritten
    except (AssertionError, stitch_core.StitchException):  # Stitch's own self-check failed
        return sol
    return _adopt(sol, text, enumerator, enumerator.grammar.table) or sol


def _agrees(sol: Solution, expr: Expr, table) -> bool:
    old = compile_program(sol.program, sol.num_inputs, table)
    new = compile_program(expr, sol.num_inputs, table)
    for inputs, _ in sol.examples:
        a, b = run(old, inputs), run(new, inputs)
        if a is FAILED or b is FAILED or not same_value(a, b):
            return False
    return True


def learn_library(
    solutions: Sequence[Solution],
    library: Sequence[Invention] = (),
    *,
    iterations: int = 5,
    max_arity: int = 2,
    base: Sequence[Primitive] = PRIMITIVES,
) -> LibraryRound:
    """One library round: Stitch compresses the corpus; inventions join the DSL.

    Parameters
    ----------
    solutions : sequence of Solution
        The corpus, already in terms of ``library``.
    library : sequence of Invention
        Inventions of earlier rounds (kept; new ones are numbered after them).
    iterations : int
        At most this many new inventions (Stitch stops earlier when none compresses).
    max_arity : int
        Most parameters of an invention.

    Raises
    ------
    ValidationError
        Bad ``iterations`` or ``max_arity``, or fewer than two solutions.
    """
    import stitch_core

    if iterations < 1:
        raise ValidationError("iterations", f"got {iterations}, expected >= 1")
    if max_arity < 0:
        raise ValidationError("max_arity", f"got {max_arity}, expected >= 0")
    if len(solutions) < 2:
        raise ValidationError("solutions", "library learning needs at least two solved programs")
    library = list(library)
    prims = library_primitives(library, base)
    table = {p.name: p for p in prims}
    texts = [show(_strip_inputs(s.program, s.num_inputs)) for s in solutions]
    result = stitch_core.compress(
        texts,
        iterations=iterations,
        max_arity=max_arity,
        threads=1,
        silent=True,
        previous_abstractions=len(library),
        no_curried_bodies=True,
        no_curried_metavars=True,
        cost_lam=0,  # lambdas are forced, and applications implicit, in the enumerator:
        cost_app=0,  # only primitives and variables are choices
    )
    new, dropped, kept_abs = [], [], []
    for a in result.abstractions:
        inv = Invention(a.name, int(a.arity), a.body)
        try:
            p = invention_primitive(inv, table)
        except ValidationError:
            dropped.append(a.name)
            continue
        if inv.name in table:
            dropped.append(a.name)
            continue
        table[p.name] = p
        prims = (*prims, p)
        new.append(inv)
        kept_abs.append(a)
    if dropped:  # rewrite with the inventions that type-check only
        rewritten = stitch_core.rewrite(texts, kept_abs).rewritten if kept_abs else texts
    else:
        rewritten = result.rewritten
    enum = Enumerator(Grammar(prims))
    out, num_rewritten, num_rejected = [], 0, 0
    for sol, text in zip(solutions, rewritten, strict=True):
        choice = _adopt(sol, text, enum, table)
        if choice is None:
            num_rejected += 1
            choice = sol
        elif choice is not sol:
            num_rewritten += 1
        out.append(choice)
    return LibraryRound(
        inventions=new,
        library=library + new,
        primitives=prims,
        solutions=out,
        num_rewritten=num_rewritten,
        num_rejected=num_rejected,
        stitch_cost_before=int(result.json["original_cost"]),
        stitch_cost_after=int(result.json["final_cost"]),
        dropped_inventions=dropped,
    )
