"""A search that can be suspended and resumed: the unit a time allocator hands slices to.

The compiled kernel keeps all of its state in arrays owned by the driver, so a
search stopped at its budget resumes exactly where it was when called again
with a larger one. :class:`SearchSession` holds those arrays between calls:
``advance(n)`` runs at most ``n`` more expansions and returns the status.
Running one session in slices of any sizes expands exactly the same nodes, in
the same order, as one uninterrupted :func:`~kairos.search.engine.search` with
the summed budget.
"""

from __future__ import annotations

import math
import time

import numpy as np

from kairos.domains.base import CompiledDomain, Domain, replay
from kairos.errors import SolutionError, ValidationError
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy
from kairos.search import kernel as K
from kairos.search.engine import _STATUS_NAMES, ALGORITHM_CODES, SearchConfig, _Buffers
from kairos.search.result import SearchResult


class SearchSession:
    """One resumable search of one problem.

    Parameters
    ----------
    domain : Domain
        A built-in domain (with ``compile()``).
    config : SearchConfig
        ``config.budget`` is ignored: budgets come from :meth:`advance`.
    policy : Policy, optional
        Uniform by default.
    """

    def __init__(
        self, domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
    ):
        self.domain = domain
        self.config = config
        self.policy = policy or UniformPolicy()
        self.compiled: CompiledDomain = domain.compile()
        num_actions = self.compiled.neighbours.shape[1]
        in_kernel = self.policy.compiled is not None or config.algorithm != "lts"
        self._cpol = (
            self.policy.compiled if self.policy.compiled is not None else UniformPolicy().compiled
        )
        self._pkind = self._cpol.kind if in_kernel else -1
        buf = _Buffers(self.compiled.num_words, num_actions, config.batch_size, config.budget)
        buf.node_state[0] = self.compiled.initial
        buf.node_parent[0] = -1
        buf.node_action[0] = -1
        buf.ctr[K.C_NODES] = 1
        buf.ctr[K.C_HEAP] = 1
        buf.ctr[K.C_GENERATED] = 1
        self._buf = buf
        self.status = "budget_exhausted"  # nothing spent yet: more budget may solve it
        self.seconds = 0.0
        self._result: SearchResult | None = None

    @property
    def expansions(self) -> int:
        """Expansions spent so far, over every slice."""
        return int(self._buf.ctr[K.C_EXPANSIONS])

    @property
    def done(self) -> bool:
        """Whether the search has ended (solved, or the whole tree searched)."""
        return self.status != "budget_exhausted"

    @property
    def frontier_size(self) -> int:
        """Open nodes waiting to be expanded."""
        return int(self._buf.ctr[K.C_HEAP])

    @property
    def frontier_min(self) -> float:
        """Lowest priority on the open list (LTS: log(d/π)); inf when empty."""
        return float(self._buf.heap_prio[0]) if self._buf.ctr[K.C_HEAP] > 0 else math.inf

    def advance(self, expansions: int) -> str:
        """Run at most ``expansions`` more expansions; return the status.

        Returns
        -------
        str
            ``solved``, ``exhausted`` or ``budget_exhausted`` (suspended, resumable).
        """
        if expansions < 1:
            raise ValidationError("expansions", f"got {expansions}, expected >= 1")
        if self.done:
            return self.status
        buf, compiled, cpol = self._buf, self.compiled, self._cpol
        budget = self.expansions + int(expansions)
        t0 = time.perf_counter()
        while True:
            code = K.search_kernel(
                compiled.kind,
                compiled.neighbours,
                compiled.params,
                compiled.heuristic_table,
                compiled.goal_care,
                compiled.goal_value,
                ALGORITHM_CODES[self.config.algorithm],
                float(self.config.weight),
                self._pkind,
                cpol.int_params,
                cpol.weights,
                budget,
                self.config.batch_size,
                buf.node_state,
                buf.node_parent,
                buf.node_action,
                buf.node_depth,
                buf.node_logp,
                buf.heap_prio,
                buf.heap_node,
                buf.tkeys,
                buf.tval,
                buf.tused,
                buf.ctr,
                buf.pending,
                buf.pending_logits,
            )
            if code == K.NEED_GROW:
                buf.grow()
            elif code == K.NEED_POLICY:
                num = int(buf.ctr[K.C_PENDING])
                ids = buf.pending[:num]
                last = np.where(ids > 0, buf.node_action[ids].astype(np.int64), -1)
                buf.pending_logits[:num] = self.policy.log_probs(
                    buf.node_state[ids], last, compiled
                )
                buf.ctr[K.C_READY] = 1
            else:
                break
        self.seconds += time.perf_counter() - t0
        self.status = _STATUS_NAMES[code]
        return self.status

    def result(self, *, verify: bool = True) -> SearchResult:
        """The :class:`SearchResult` of the search so far (a solution is replay-verified)."""
        buf = self._buf
        actions: tuple[int, ...] = ()
        log_prob = log_bound = math.nan
        if self.status == "solved":
            goal = int(buf.ctr[K.C_GOAL])
            path = []
            node = goal
            while node > 0:
                path.append(int(buf.node_action[node]))
                node = int(buf.node_parent[node])
            actions = tuple(reversed(path))
            log_prob = float(buf.node_logp[goal])
            log_bound = math.log(len(actions) + 1) - log_prob
            if verify and not replay(self.domain, actions):
                raise SolutionError(
                    f"{self.domain.name}: the returned solution does not replay to a goal"
                )
        return SearchResult(
            problem=self.domain.name,
            algorithm=self.config.algorithm,
            status=self.status,
            actions=actions,
            action_names="".join(self.domain.action_names[a] for a in actions),
            expansions=self.expansions,
            generated=int(buf.ctr[K.C_GENERATED]),
            seconds=self.seconds,
            solution_log_prob=log_prob,
            log_bound=log_bound,
            memory_bytes=buf.nbytes,
        )
