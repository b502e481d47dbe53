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

from kairos.domains.base import Domain
from kairos.errors import ValidationError
from kairos.policy.base import Policy
from kairos.search.engine import SearchConfig
from kairos.search.result import SearchResult, finished_result
from kairos.search.scoring import StateScorer


def reference_search(
    domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
) -> SearchResult:
    """Best-first search in pure Python; see :func:`kairos.search.engine.search`.

    Priorities: LTS ``log(depth+2) − log π`` (i.e. log d(n) − log π(n) with
    d = depth + 1), BFS ``depth``, WA* ``depth + weight·h``, PHS*
    ``log(depth + 2 + heuristic_weight·h) − log π`` (h: ``config.heuristic``'s
    value on the domain's ``heuristic_features``, else ``domain.heuristic``). Ties go to the
    earlier generated node. The state cut keeps, per expanded state, the best
    cut value (−log π for LTS and PHS*, depth otherwise) and drops any node that is not
    strictly better, both when it is generated and when it is popped. With
    ``config.state_cut`` False it searches the tree: no cut, and the move
    straight back to the parent's state is not in the tree. With
    ``config.deadlocks``, children the domain's ``is_dead`` proves dead are not
    generated (``cut``: π is normalised over all legal moves first;
    ``renormalise``: over the live ones).
    """
    session = ReferenceSession(domain, config, policy)
    session.advance(config.budget)
    return session.result()


class ReferenceSession:
    """The pure-Python search, suspendable at its budget and resumable (like ``SearchSession``).

    Slices of any sizes expand the same nodes, in the same order, as one
    :func:`reference_search` with the summed budget; ``frontier_min`` and
    ``frontier_size`` read the open list as the compiled session does.
    """

    def __init__(
        self, domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
    ):
        self.domain, self.config, self.policy = domain, config, policy
        self._lts = config.algorithm in ("lts", "phs")  # the ones that read π
        self._scorer = StateScorer(domain, policy) if self._lts else None
        # node: (state, parent index, action, depth, log π)
        self._nodes = [(domain.initial_state(), -1, -1, 0, 0.0)]
        self._heap = [(0.0, 0)]
        self._closed: dict = {}
        self.expansions, self.generated, self.seconds = 0, 1, 0.0
        self.status, self._goal = "budget_exhausted", -1

    @property
    def done(self) -> bool:
        """Whether the search has ended (solved, or the whole tree searched)."""
        return self.status != "budget_exhausted"

    @property
    def frontier_size(self) -> int:
        """Open nodes waiting to be expanded."""
        return len(self._heap)

    @property
    def frontier_min(self) -> float:
        """Lowest priority on the open list (LTS: log(d/π)); inf when it is empty."""
        return float(self._heap[0][0]) if self._heap else math.inf

    def advance(self, expansions: int) -> str:
        """Run at most ``expansions`` more expansions; return :attr:`status`."""
        if expansions < 1:
            raise ValidationError("expansions", f"got {expansions}, expected >= 1")
        if self.done:
            return self.status
        domain, config, scorer, lts = self.domain, self.config, self._scorer, self._lts
        nodes, heap, closed, cut_states = self._nodes, self._heap, self._closed, config.state_cut
        budget = self.expansions + int(expansions)
        dead = getattr(domain, "is_dead", None) if config.deadlocks != "off" else None
        phs, learned = config.algorithm == "phs", config.heuristic
        if phs and learned is not None:
            learned.check_domain(domain)
        renormalise = dead is not None and config.deadlocks == "renormalise"
        t0 = time.perf_counter()
        status = "exhausted"
        while heap:
            if self.expansions >= budget:
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
            self.expansions += 1
            if domain.is_goal(state):
                status, self._goal = "solved", i
                break
            children = [(a, domain.step(state, a)) for a in domain.legal_actions(state)]
            if not cut_states and nodes[i][1] >= 0:  # tree search: no move straight back
                back = domain.key(nodes[nodes[i][1]][0])
                children = [(a, c) for a, c in children if domain.key(c) != back]
            if renormalise:
                children = [(a, c) for a, c in children if not dead(c)]
            if not children:
                continue
            if scorer is not None:
                logits = scorer.logits(state, action).tolist()
                best = max(logits[a] for a, _ in children)
                log_norm = best + math.log(sum(math.exp(logits[a] - best) for a, _ in children))
            else:  # BFS and WA* do not use the policy
                logits, log_norm = [0.0] * len(domain.action_names), math.log(len(children))
            for a, child in children:
                if dead is not None and dead(child):
                    continue
                child_logp = logp + logits[a] - log_norm
                child_cut = -child_logp if lts else float(depth + 1)
                if cut_states:
                    child_key = domain.key(child)
                    if child_key in closed and closed[child_key] <= child_cut:
                        continue
                if phs:
                    if learned is not None:
                        h = learned.value(domain.heuristic_features(child))
                    else:
                        h = float(domain.heuristic(child))
                    priority = math.log(depth + 2.0 + config.heuristic_weight * h) - child_logp
                elif lts:
                    priority = math.log(depth + 2.0) - child_logp
                elif config.algorithm == "bfs":
                    priority = float(depth + 1)
                else:
                    priority = depth + 1 + config.weight * domain.heuristic(child)
                nodes.append((child, i, a, depth + 1, child_logp))
                heapq.heappush(heap, (priority, len(nodes) - 1))
                self.generated += 1
        self.seconds += time.perf_counter() - t0
        self.status = status
        return status

    def result(self, *, verify: bool = True) -> SearchResult:
        """The search so far; a solution is replayed (``verify``) and must reach a goal."""
        nodes, goal = self._nodes, self._goal
        actions: list[int] = []
        log_prob = math.nan
        if self.status == "solved":
            node = goal
            while nodes[node][1] >= 0:
                actions.append(nodes[node][2])
                node = nodes[node][1]
            actions.reverse()
            log_prob = nodes[goal][4]
        return finished_result(
            self.domain,
            algorithm=self.config.algorithm,
            status=self.status,
            actions=tuple(actions),
            log_prob=log_prob,
            expansions=self.expansions,
            generated=self.generated,
            seconds=self.seconds,
            verify=verify,
        )
