"""A pure-Python best-first search with exactly the kernel's semantics.

It runs any :class:`~kairos.domains.base.Domain` (no ``compile()`` needed), so
it is the way to search a user-defined domain, the oracle the compiled kernel
is tested against (same expansions, same path), and the speed baseline of
``bench/search_speed.py``.
"""

from __future__ import annotations

import heapq
import math
import time

from kairos.domains.base import Domain, replay
from kairos.errors import SolutionError
from kairos.policy.base import Policy
from kairos.search.engine import SearchConfig
from kairos.search.result import SearchResult
from kairos.search.scoring import StateScorer


def reference_search(
    domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
) -> SearchResult:
    """Best-first search in pure Python; see :func:`kairos.search.engine.search`.

    Priorities: LTS ``log(depth+2) − log π`` (i.e. log d(n) − log π(n) with
    d = depth + 1), BFS ``depth``, WA* ``depth + weight·h``. Ties go to the
    earlier generated node. The state cut keeps, per expanded state, the best
    cut value (−log π for LTS, depth otherwise) and drops any node that is not
    strictly better, both when it is generated and when it is popped. With
    ``config.state_cut`` False it searches the tree: no cut, and the move
    straight back to the parent's state is not in the tree.
    """
    lts = config.algorithm == "lts"
    cut_states = config.state_cut
    scorer = StateScorer(domain, policy) if lts else None
    root = domain.initial_state()
    # node: (state, parent index, action, depth, log π)
    nodes = [(root, -1, -1, 0, 0.0)]
    heap = [(0.0, 0)]
    closed: dict = {}
    expansions, generated = 0, 1
    t0 = time.perf_counter()
    status, goal = "exhausted", -1
    while heap:
        if expansions >= config.budget:
            status = "budget_exhausted"
            break
        _, i = heapq.heappop(heap)
        state, _, action, depth, logp = nodes[i]
        cut = -logp if lts else float(depth)
        if cut_states:
            key = domain.key(state)
            if key in closed and closed[key] <= cut:
                continue
            closed[key] = cut
        expansions += 1
        if domain.is_goal(state):
            status, goal = "solved", i
            break
        children = [(a, domain.step(state, a)) for a in domain.legal_actions(state)]
        if not cut_states and nodes[i][1] >= 0:  # tree search: no move straight back
            back = domain.key(nodes[nodes[i][1]][0])
            children = [(a, c) for a, c in children if domain.key(c) != back]
        if not children:
            continue
        if scorer is not None:
            logits = scorer.logits(state, action)
            best = max(logits[a] for a, _ in children)
            log_norm = best + math.log(sum(math.exp(logits[a] - best) for a, _ in children))
        else:  # BFS and WA* do not use the policy
            logits, log_norm = [0.0] * len(domain.action_names), math.log(len(children))
        for a, child in children:
            child_logp = logp + logits[a] - log_norm
            child_cut = -child_logp if lts else float(depth + 1)
            if cut_states:
                child_key = domain.key(child)
                if child_key in closed and closed[child_key] <= child_cut:
                    continue
            if lts:
                priority = math.log(depth + 2.0) - child_logp
            elif config.algorithm == "bfs":
                priority = float(depth + 1)
            else:
                priority = depth + 1 + config.weight * domain.heuristic(child)
            nodes.append((child, i, a, depth + 1, child_logp))
            heapq.heappush(heap, (priority, len(nodes) - 1))
            generated += 1
    seconds = time.perf_counter() - t0
    actions: list[int] = []
    log_prob = log_bound = math.nan
    if goal >= 0:
        node = goal
        while nodes[node][1] >= 0:
            actions.append(nodes[node][2])
            node = nodes[node][1]
        actions.reverse()
        log_prob = nodes[goal][4]
        log_bound = math.log(len(actions) + 1) - log_prob
        if not replay(domain, actions):
            raise SolutionError(f"{domain.name}: the returned solution does not replay to a goal")
    return SearchResult(
        problem=domain.name,
        algorithm=config.algorithm,
        status=status,
        actions=tuple(actions),
        action_names="".join(domain.action_names[a] for a in actions),
        expansions=expansions,
        generated=generated,
        seconds=seconds,
        solution_log_prob=log_prob,
        log_bound=log_bound,
    )
