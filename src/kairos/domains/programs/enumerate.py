"""Type-directed top-down expansion of partial programs, and the LTS enumerator over them.

A *partial program* is a prefix of choices plus a stack of typed *holes*; its
leftmost hole is filled next. Filling a hole of requested type ``τ`` with a
production (a primitive or a variable) whose result type unifies with ``τ``
replaces the hole by the production applied to one new hole per argument. A
hole of arrow type is always filled by ``lambda`` (programs are eta-long, as
in DreamCoder); that step is forced, so it is not a search node.

Search is Levin Tree Search: nodes are popped in increasing order of
``log d(n) − log π(n)`` with ``d(n) = depth + 1`` (choices made, plus one) and
π(n) the product of the grammar's probabilities of the choices. Ties go to the
node whose parent was expanded first, then to the more probable sibling, so
the order is total and the same in :func:`lts` and in the eager reference
(:mod:`.reference`).

What makes an expansion cheap here:

* *production tables* are computed once per (requested type, variable
  types, parent, argument index), with type variables renamed canonically,
  and cached, already normalised and sorted by probability; a choice's type
  variables are mapped back to the node's only when it is taken;
* *lazy siblings*: since the children of a node share ``d`` and come sorted,
  a popped node pushes only its best child and its next sibling (two heap
  pushes, not one per production), which pops nodes in exactly the order of
  the eager search;
* partial programs are persistent linked lists of holes and choices, shared
  with their parent; the type substitution is copied only when a choice binds
  one of the node's type variables;
* only complete programs are run, and a run stops at the first wrong example.

Observational-equivalence pruning is not done in this top-down search: a
complete program is a leaf, so pruning it saves no expansions, and pruning
partial programs by the values of their finished subterms is sound only for
subterms outside every inner lambda (whose variables are bound at run time)
and would change the LTS order (the kept equivalent need not be the cheaper
one in every context). The budget is spent on expansions instead.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kairos.domains.programs.grammar import Grammar, type_class
from kairos.domains.programs.interpreter import compile_program, consistent
from kairos.domains.programs.program import Expr, Lambda, Prim, Var, apply
from kairos.domains.programs.sexpr import show
from kairos.domains.programs.types import (
    TVar,
    UnificationError,
    arguments,
    free_vars,
    resolve,
    result,
    shift,
    tcon,
    unify,
)
from kairos.errors import ValidationError

LAMBDA = ("lambda", None, 1, -1, -1)
"""The token of a forced lambda in a node's choices."""

# A token is (kind, name or variable index, arity, production id, parent code of its
# arguments); kind "p" or "v".
# A hole is (type, variable types ($0 first), parent code, argument index).
# A table entry is (log π, token, argument types, bindings, rename, fresh); see candidates().


class Node(NamedTuple):
    """A partial program (persistent: children share their parent's structure).

    Attributes
    ----------
    logp : float
        log π(n), natural log.
    depth : int
        Choices made (forced lambdas not counted).
    holes : tuple or None
        Linked list ``(hole, rest)`` of holes, leftmost first.
    subst : dict
        Type substitution (never mutated once built).
    next_var : int
        First unused type-variable id.
    choices : tuple or None
        Linked list ``(token, rest)`` of the choices, last first.
    """

    logp: float
    depth: int
    holes: tuple | None
    subst: dict
    next_var: int
    choices: tuple | None


def candidates(grammar: Grammar, req, env: tuple, parent: int, argument: int, num_vars: int):
    """The productions that can fill a hole, as normalised, sorted table entries.

    Parameters
    ----------
    req : Type
        The requested type, substitution applied, not an arrow.
    env : tuple of Type
        Types of ``$0, $1, ...``, substitution applied.
    num_vars : int
        The type variables of ``req`` and ``env`` are ``t0 .. t<num_vars-1>``
        (canonical names, see :func:`canonical_hole`); fresh ones start at ``num_vars``.

    Returns
    -------
    tuple of entries ``(log π, token, argument types, bindings, rename, fresh)``,
    most probable first (ties in generation order: variables, then primitives).
    ``bindings`` bind variables below ``num_vars``; ``rename`` says whether the
    entry mentions type variables (which :func:`child` maps back to the node's);
    ``fresh`` is how many fresh ids it reserves.
    """
    raw = []
    for i, vt in enumerate(env):
        args, ret = arguments(vt), result(vt)
        try:
            s = unify(ret, req, {})
        except UnificationError:
            continue
        argtypes = tuple(resolve(a, s) for a in args)
        binds = tuple((v, resolve(t, s)) for v, t in s.items())
        token = ("v", i, len(args), grammar.var_production(i), grammar.var_parent)
        rename = bool(binds) or not all(a.ground for a in argtypes)
        raw.append((grammar.var_production(i), token, argtypes, binds, rename, 0))
    head = None if req.__class__ is TVar else req.name
    for k, prim in enumerate(grammar.primitives):
        ptype = prim.type
        ret = result(ptype)
        if head is not None and ret.__class__ is not TVar and ret.name != head:
            continue  # cannot unify: skip without building anything
        pvars = free_vars(ptype)
        if pvars:
            ptype = shift(ptype, num_vars)
        try:
            s = unify(result(ptype), req, {})
        except UnificationError:
            continue
        argtypes = tuple(resolve(a, s) for a in arguments(ptype))
        binds = tuple((v, resolve(t, s)) for v, t in s.items() if v < num_vars)
        fresh = (max(pvars) + 1) if pvars else 0
        rename = bool(binds) or not all(a.ground for a in argtypes)
        token = ("p", prim.name, prim.arity, k, grammar.prim_parent(k))
        raw.append((k, token, argtypes, binds, rename, fresh))
    if not raw:
        return ()
    z = grammar.scores(parent, argument, type_class(req))
    zs = [float(z[r[0]]) for r in raw]
    top = max(zs)
    log_norm = top + math.log(sum(math.exp(v - top) for v in zs))
    entries = [(zs[j] - log_norm, *raw[j][1:]) for j in range(len(raw))]
    order = sorted(range(len(entries)), key=lambda j: -entries[j][0])  # stable: ties keep order
    return tuple(entries[j] for j in order)


_CANONICAL: dict = {}
_RENAMED: dict = {}
_MEMO_LIMIT = 500_000  # entries per memo before it is cleared (bounds memory)


def canonical_hole(t, env: tuple):
    """``(t, env, names)`` with type variables renamed ``t0, t1, ...`` in order of occurrence.

    ``names[i]`` is the original id of canonical variable ``t<i>``. Memoised.
    """
    key = (t, env)
    out = _CANONICAL.get(key)
    if out is None:
        if len(_CANONICAL) > _MEMO_LIMIT:
            _CANONICAL.clear()
        out = _CANONICAL[key] = _canonical_hole(t, env)
    return out


def _canonical_hole(t, env: tuple):
    names: dict[int, int] = {}

    def walk(u):
        if u.ground:
            return u
        if u.__class__ is TVar:
            if u.id not in names:
                names[u.id] = len(names)
            return TVar(names[u.id])
        return tcon(u.name, *(walk(a) for a in u.args))

    t = walk(t)
    env = tuple(walk(e) for e in env)
    return t, env, tuple(names)


def _rename(t, names: tuple, base: int):
    """Map canonical variable ``t<i>`` to ``names[i]``, and fresh ones to ``base + i - len(names)``."""
    if t.ground:
        return t
    key = (t, names, base)
    out = _RENAMED.get(key)
    if out is None:
        if len(_RENAMED) > _MEMO_LIMIT:
            _RENAMED.clear()
        out = _RENAMED[key] = _rename_walk(t, names, base)
    return out


def _rename_walk(t, names: tuple, base: int):
    if t.ground:
        return t
    if t.__class__ is TVar:
        i = t.id
        return TVar(names[i] if i < len(names) else base + i - len(names))
    return tcon(t.name, *(_rename_walk(a, names, base) for a in t.args))


def root(request, grammar: Grammar) -> Node:
    """The search root for a program of type ``request``: one hole, its lambdas forced."""
    node = Node(0.0, 0, ((request, (), grammar.start_parent, 0), None), {}, _max_var(request), None)
    holes, choices = _force_lambdas(node.holes, node.subst, None)
    return Node(0.0, 0, holes, {}, node.next_var, choices)


def _max_var(t) -> int:
    return 1 + max(free_vars(t), default=-1)


def _force_lambdas(holes, subst, choices):
    # A hole's type variables are never bound to arrows (every production is fully
    # applied), so an arrow hole is one whose type is syntactically an arrow.
    while holes is not None:
        t, env, parent, argument = holes[0]
        if t.__class__ is TVar or t.name != "->":
            break
        args = arguments(t)
        new_env = tuple(reversed(args)) + env
        holes = ((result(t), new_env, parent, argument), holes[1])
        for _ in args:
            choices = (LAMBDA, choices)
    return holes, choices


def child(grammar: Grammar, node: Node, entry, names: tuple) -> Node:
    """The node made by filling ``node``'s leftmost hole with table ``entry``.

    ``names`` maps the table's canonical type variables to the node's (see
    :func:`canonical_hole`).
    """
    logp, token, argtypes, binds, rename, fresh = entry
    node_logp, depth, (hole, holes), subst, next_var, choices = node
    env = hole[1]
    if rename:
        argtypes = tuple(_rename(a, names, next_var) for a in argtypes)
        if binds:
            subst = dict(subst)
            for v, t in binds:
                subst[names[v]] = _rename(t, names, next_var)
    next_var += fresh
    if argtypes:
        pcode = token[4]
        for i in range(len(argtypes) - 1, -1, -1):
            holes = ((argtypes[i], env, pcode, i), holes)
    choices = (token, choices)
    if holes is not None:
        t = holes[0][0]
        if t.__class__ is not TVar and t.name == "->":
            holes, choices = _force_lambdas(holes, subst, choices)
    return _node((node_logp + logp, depth + 1, holes, subst, next_var, choices))


_node = Node._make


def hole_key(node: Node):
    """``(requested type, variable types, parent, argument)`` of the leftmost hole, resolved."""
    t, env, parent, argument = node.holes[0]
    subst = node.subst
    if subst:
        if not t.ground:
            t = resolve(t, subst)
        env = tuple(e if e.ground else resolve(e, subst) for e in env)
    return t, env, parent, argument


def program(node: Node) -> Expr:
    """The syntax tree of a complete node."""
    tokens = []
    c = node.choices
    while c is not None:
        tokens.append(c[0])
        c = c[1]
    tokens.reverse()
    return build(tokens)


def build(tokens: Sequence) -> Expr:
    """The tree of a prefix sequence of tokens."""
    pos = 0

    def walk():
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok is LAMBDA:
            return Lambda(walk())
        head = Prim(tok[1]) if tok[0] == "p" else Var(tok[1])
        return apply(head, [walk() for _ in range(tok[2])])

    return walk()


@dataclass(frozen=True)
class SearchOutcome:
    """What one enumeration did and found.

    Attributes
    ----------
    status : str
        ``solved``, ``budget_exhausted``, ``timeout`` or ``exhausted``.
    program : Expr or None
        The first program consistent with the examples, in LTS order.
    expansions : int
        Nodes popped and expanded (the root counts one).
    seconds : float
        CPU seconds of the search.
    log_prob : float
        Natural-log prior probability of the program (nan unless solved).
    depth : int
        Choices in the program (0 unless solved).
    """

    status: str
    program: Expr | None
    expansions: int
    seconds: float
    log_prob: float = math.nan
    depth: int = 0

    @property
    def solved(self) -> bool:
        return self.status == "solved"

    @property
    def text(self) -> str:
        return "" if self.program is None else show(self.program)

    @property
    def log_bound(self) -> float:
        """log(d(n*)/π(n*)), the LTS bound on expansions (nan unless solved)."""
        return math.log(self.depth + 1) - self.log_prob if self.solved else math.nan


class Enumerator:
    """LTS over programs of one DSL under one grammar; production tables are cached across tasks.

    Parameters
    ----------
    grammar : Grammar
        The prior (``Grammar()`` is uniform over type-correct productions).
    """

    def __init__(self, grammar: Grammar):
        self.grammar = grammar
        self._tables: dict = {}

    def table(self, node: Node) -> tuple[tuple, tuple]:
        """``(entries, names)``: sorted, normalised productions for ``node``'s leftmost hole.

        Tables are cached under the hole's canonical form, so holes that differ
        only in the names of their type variables share one; ``names`` maps
        the canonical variables back (pass it to :func:`child`).
        """
        t, env, parent, argument = hole_key(node)
        if t.ground and all(e.ground for e in env):
            names = ()
        else:
            t, env, names = canonical_hole(t, env)
        key = (t, env, parent, argument)
        entries = self._tables.get(key)
        if entries is None:
            entries = self._tables[key] = candidates(
                self.grammar, t, env, parent, argument, len(names)
            )
        return entries, names

    def search(
        self,
        request,
        examples: Sequence[tuple[Sequence, object]],
        *,
        budget: int = 1_000_000,
        time_limit_s: float = math.inf,
        num_inputs: int = 1,
    ) -> SearchOutcome:
        """Find the first program (in LTS order) consistent with ``examples``.

        Parameters
        ----------
        request : Type
            The program's type, e.g. ``list(int) -> int``.
        examples : sequence of (inputs, output)
        budget : int
            Maximum expansions.
        time_limit_s : float
            Maximum CPU seconds (checked every 64 expansions).

        Raises
        ------
        ValidationError
            A non-positive budget or time limit, or no examples.
        """
        if budget < 1:
            raise ValidationError("budget", f"got {budget}, expected a positive integer")
        if not time_limit_s > 0:
            raise ValidationError("time_limit_s", f"got {time_limit_s}, expected > 0")
        if not examples:
            raise ValidationError("examples", "no examples to search on")
        import gc

        enabled = gc.isenabled()
        gc.disable()  # search allocates millions of small acyclic tuples: no cycles to find
        try:
            return self._search(request, examples, budget, time_limit_s, num_inputs)
        finally:
            if enabled:
                gc.enable()

    def _search(self, request, examples, budget, time_limit_s, num_inputs) -> SearchOutcome:
        grammar, table_of, prims = self.grammar, self.table, self.grammar.table
        clock = time.process_time
        t0 = clock()
        deadline = t0 + time_limit_s
        start = root(request, grammar)
        expansions = 1
        heap: list = []
        entries, names = table_of(start)
        if entries:
            # (priority, parent's expansion number, sibling index, parent, entries, names)
            heap.append((math.log(2.0) - entries[0][0], 0, 0, start, entries, names))
        log = math.log
        push, pop = heapq.heappush, heapq.heappop
        make = child
        while heap:
            if expansions >= budget:
                return SearchOutcome("budget_exhausted", None, expansions, clock() - t0)
            if not expansions & 63 and clock() > deadline:
                return SearchOutcome("timeout", None, expansions, clock() - t0)
            _, e_parent, idx, parent, entries, names = pop(heap)
            node = make(grammar, parent, entries[idx], names)
            if idx + 1 < len(entries):
                push(
                    heap,
                    (
                        log(parent[1] + 2.0) - (parent[0] + entries[idx + 1][0]),
                        e_parent,
                        idx + 1,
                        parent,
                        entries,
                        names,
                    ),
                )
            expansion = expansions
            expansions += 1
            if node[2] is None:
                expr = program(node)
                fn = compile_program(expr, num_inputs, prims)
                if consistent(fn, examples):
                    return SearchOutcome(
                        "solved", expr, expansions, clock() - t0, node.logp, node.depth
                    )
                continue
            kids, names = table_of(node)
            if kids:
                prio = log(node[1] + 2.0) - (node[0] + kids[0][0])
                push(heap, (prio, expansion, 0, node, kids, names))
        return SearchOutcome("exhausted", None, expansions, clock() - t0)
