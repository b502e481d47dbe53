"""A plain reference enumerator: the same LTS over programs, with none of the speed-ups.

Every popped node computes its hole's candidates afresh by unification (no
table cache), generates all its children eagerly (one heap push each), and
runs every complete program. Ties are broken as in
:meth:`.enumerate.Enumerator.search` (parent's expansion number, then sibling
index), so both pop the same nodes in the same order: the same program after
the same number of expansions. It is the oracle the fast enumerator is
tested against and the baseline of ``bench/programs.py``.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence

from kairos.domains.programs.enumerate import (
    SearchOutcome,
    candidates,
    canonical_hole,
    child,
    hole_key,
    program,
    root,
)
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, consistent


def reference_search(
    grammar: Grammar,
    request,
    examples: Sequence[tuple[Sequence, object]],
    *,
    budget: int = 100_000,
    time_limit_s: float = math.inf,
    num_inputs: int = 1,
) -> SearchOutcome:
    """Eager LTS over programs; see :meth:`.enumerate.Enumerator.search`."""
    t0 = time.process_time()
    heap = [(0.0, -1, 0, root(request, grammar))]
    expansions = 0
    while heap:
        if expansions >= budget:
            return SearchOutcome("budget_exhausted", None, expansions, time.process_time() - t0)
        if time.process_time() - t0 > time_limit_s:
            return SearchOutcome("timeout", None, expansions, time.process_time() - t0)
        _, _, _, node = heapq.heappop(heap)
        expansion = expansions
        expansions += 1
        if node.holes is None:
            expr = program(node)
            if consistent(compile_program(expr, num_inputs, grammar.table), examples):
                return SearchOutcome(
                    "solved", expr, expansions, time.process_time() - t0, node.logp, node.depth
                )
            continue
        t, env, parent, argument = hole_key(node)
        t, env, names = canonical_hole(t, env)
        for idx, entry in enumerate(candidates(grammar, t, env, parent, argument, len(names))):
            kid = child(grammar, node, entry, names)
            prio = math.log(node.depth + 2.0) - (node.logp + entry[0])
            heapq.heappush(heap, (prio, expansion, idx, kid))
    return SearchOutcome("exhausted", None, expansions, time.process_time() - t0)
