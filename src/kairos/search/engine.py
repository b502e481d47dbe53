"""Python driver of the compiled kernel: allocation, growth, batched policies, results."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kairos.domains.base import CompiledDomain, Domain
from kairos.errors import ValidationError
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy
from kairos.search import kernel as K
from kairos.search.heuristic import LinearHeuristic
from kairos.search.result import SearchResult, finished_result

if TYPE_CHECKING:
    from kairos.search.reference import ReferenceSession

ALGORITHM_CODES = {
    "lts": K.ALGO_LTS,
    "bfs": K.ALGO_BFS,
    "wastar": K.ALGO_WASTAR,
    "phs": K.ALGO_PHS,
}
POLICY_ALGORITHMS = ("lts", "phs")  # the algorithms that read the policy
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
_NO_TABLES = np.zeros((0, 0), dtype=np.float64)
DEADLOCK_MODES = {"off": K.DEAD_OFF, "cut": K.DEAD_CUT, "renormalise": K.DEAD_RENORMALISE}
_STATUS_NAMES = {
    K.SOLVED: "solved",
    K.BUDGET_EXHAUSTED: "budget_exhausted",
    K.EXHAUSTED: "exhausted",
}
_INITIAL_NODES = 1 << 12
_MAX_NODES = 2**31 - 2  # node indices are int32; table entries hold 1 + index


@dataclass(frozen=True)
class SearchConfig:
    """How to search.

    Attributes
    ----------
    algorithm : str
        ``lts`` (Levin Tree Search), ``bfs``, ``wastar`` (weighted A*) or
        ``phs`` (PHS*, Orseau & Lelis 2021: LTS's cost with a heuristic factor,
        priority (d(n) + w·h(n)) / π(n) with d(n) = depth + 1 as in LTS, so
        h = 0 is LTS exactly).
    budget : int
        Maximum number of expansions.
    weight : float
        Heuristic weight of weighted A* (ignored otherwise).
    heuristic : LinearHeuristic, optional
        PHS*'s h: a learned heuristic over the domain's ``heuristic_features``
        (:mod:`kairos.search.heuristic`). None: the domain's own
        ``heuristic`` (Sokoban: summed box distances to the nearest goals).
        Ignored by the other algorithms.
    heuristic_weight : float
        PHS*'s w, ≥ 0 (1: PHS* as published; 0: LTS).
    batch_size : int
        Frontier nodes per call of a non-compiled (e.g. neural) policy.
    state_cut : bool
        Prune a node whose state was already expanded at least as well (the
        default). ``False`` searches the tree: every path is its own node, the
        move straight back to the grandparent's state is not in the tree, and
        the policy is normalised over the remaining moves (so π sums to 1 over
        the tree's branches and LTS's bound holds for it). The
        time–information law is stated for tree search.
    deadlocks : str
        ``off`` (the default; the shipped figures were measured so), ``cut``
        or ``renormalise``: do not generate states the domain proves dead
        (Sokoban: a box on a dead cell or frozen off its goal; the ``is_dead``
        hook, compiled as ``CompiledDomain.dead_cells`` +
        :mod:`kairos.search.deadlocks`). Sound: no solution is lost. ``cut``
        keeps π normalised over all legal moves, so every live node keeps its
        priority and LTS finds the same solution with at most as many
        expansions; ``renormalise`` normalises π over the live moves only (more
        probability on each). A dead initial state is expanded once, with no
        children.
    """

    algorithm: str = "lts"
    budget: int = 1_000_000
    weight: float = 1.5  # mildly greedy: far fewer expansions than A*, short paths
    batch_size: int = 32  # LTS-NN style batches; 1 reproduces sequential order
    state_cut: bool = True
    deadlocks: str = "off"
    heuristic: LinearHeuristic | None = field(default=None, repr=False)
    heuristic_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHM_CODES:
            raise ValidationError(
                "algorithm", f"got {self.algorithm!r}, expected one of {sorted(ALGORITHM_CODES)}"
            )
        if self.budget < 1:
            raise ValidationError("budget", f"got {self.budget}, expected a positive integer")
        if self.weight < 0:
            raise ValidationError("weight", f"got {self.weight}, expected >= 0")
        if not (self.heuristic_weight >= 0 and math.isfinite(self.heuristic_weight)):
            raise ValidationError(
                "heuristic_weight", f"got {self.heuristic_weight}, expected a finite number >= 0"
            )
        if self.heuristic is not None and not isinstance(self.heuristic, LinearHeuristic):
            raise ValidationError(
                "heuristic",
                f"got {type(self.heuristic).__name__}, expected a LinearHeuristic "
                "(kairos.search.heuristic.load_heuristic reads one from a .kheu file)",
            )
        if self.batch_size < 1:
            raise ValidationError("batch_size", f"got {self.batch_size}, expected >= 1")
        if self.deadlocks not in DEADLOCK_MODES:
            raise ValidationError(
                "deadlocks", f"got {self.deadlocks!r}, expected one of {list(DEADLOCK_MODES)}"
            )


_NODE_ARRAYS = ("node_state", "node_parent", "node_action", "node_depth", "node_logp")
_HEAP_ARRAYS = ("heap_prio", "heap_node")


def _grown(arrays: object, names: tuple[str, ...], need: int) -> None:
    """Enlarge the named arrays of ``arrays`` by factors of 1.25 until ``need`` rows fit.

    A small factor keeps the slack (allocated but unused rows) under 25%; the
    extra copies cost far less than the expansions that fill the rows.
    """
    cap = len(getattr(arrays, names[0]))
    if need <= cap:
        return
    while cap < need:
        cap += cap // 4
    for name in names:
        old = getattr(arrays, name)
        new = np.empty((cap, *old.shape[1:]), dtype=old.dtype)
        new[: len(old)] = old
        setattr(arrays, name, new)


class _Buffers:
    """The kernel's growable arrays.

    Node arrays hold every generated node (33 bytes for 2-word states), heap
    arrays the open list (12 bytes an entry), and the state-cut table one int32
    per slot at a load of at most ``K.MAX_TABLE_LOAD``. Node and heap arrays grow
    by 1.25×, the table (a power of two) by 2×.
    """

    def __init__(self, num_words: int, num_actions: int, batch_size: int):
        cap = _INITIAL_NODES
        self.node_state = np.zeros((cap, num_words), dtype=np.uint64)
        self.node_parent = np.zeros(cap, dtype=np.int32)
        self.node_action = np.zeros(cap, dtype=np.int8)
        self.node_depth = np.zeros(cap, dtype=np.int32)
        self.node_logp = np.zeros(cap, dtype=np.float64)
        self.heap_prio = np.zeros(cap, dtype=np.float64)
        self.heap_node = np.zeros(cap, dtype=np.int32)
        self.table = np.zeros(2 * cap, dtype=np.int32)  # 1 + node index; 0 = empty
        self.ctr = np.zeros(K.NUM_COUNTERS, dtype=np.int64)
        self.pending = np.zeros(batch_size, dtype=np.int32)
        self.pending_logits = np.zeros((batch_size, num_actions), dtype=np.float64)
        self.num_actions = num_actions

    def grow(self) -> None:
        room = (int(self.ctr[K.C_PENDING]) + 1) * self.num_actions
        _grown(self, _NODE_ARRAYS, int(self.ctr[K.C_NODES]) + room)
        _grown(self, _HEAP_ARRAYS, int(self.ctr[K.C_HEAP]) + room)
        if self.ctr[K.C_TABLE] + 1 > len(self.table) * K.MAX_TABLE_LOAD:
            table = np.zeros(2 * len(self.table), dtype=np.int32)
            K.rehash(self.table, table, self.node_state)
            self.table = table

    @property
    def nbytes(self) -> int:
        """Bytes allocated for nodes, open list and state-cut table."""
        names = (*_NODE_ARRAYS, *_HEAP_ARRAYS, "table")
        return sum(getattr(self, name).nbytes for name in names)


class SearchSession:
    """One search that can be suspended at its budget and resumed with more.

    The kernel keeps all of its state in the arrays held here, so
    ``advance(n)`` continues exactly where the last call stopped: slices of any
    sizes expand the same nodes, in the same order, as one uninterrupted
    search with the summed budget. :func:`search` is one session run once.

    Parameters
    ----------
    domain : Domain
        A built-in domain (it must have ``compile()``).
    config : SearchConfig
        ``config.budget`` is not used here: budgets come from :meth:`advance`.
    policy : Policy, optional
        Uniform by default. Used by LTS and PHS* only (BFS and WA* ignore it).
    """

    def __init__(
        self, domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
    ):
        if runs_in_python(domain, policy):
            raise ValidationError(
                "domain",
                f"{domain.name}: the compiled search needs a compiled form (compile()) and a "
                "policy that runs in the kernel; open_session() gives the pure-Python session",
            )
        self.domain = domain
        self.config = config
        self.policy = policy or UniformPolicy()
        self.compiled: CompiledDomain = domain.compile()
        num_actions = self.compiled.neighbours.shape[1]
        in_kernel = self.policy.compiled is not None or config.algorithm not in POLICY_ALGORITHMS
        cpol = (
            self.policy.compiled if self.policy.compiled is not None else UniformPolicy().compiled
        )
        if self.policy.compiled is not None and hasattr(self.policy, "bind"):
            cpol = self.policy.bind(domain)  # per-instance tables, e.g. a context model's offsets
        self._cpol = cpol
        self._pkind = cpol.kind if in_kernel else -1
        self._hweights, self._htables = _NO_WEIGHTS, _NO_TABLES
        if config.algorithm == "phs" and config.heuristic is not None:
            config.heuristic.check_domain(domain)
            if not hasattr(domain, "heuristic_tables"):
                raise ValidationError(
                    "heuristic",
                    f"{domain.name}: no compiled distance-to-go features (heuristic_tables)",
                )
            self._hweights = config.heuristic.weight_array
            self._htables = np.ascontiguousarray(domain.heuristic_tables(), dtype=np.float64)
        buf = _Buffers(self.compiled.num_words, num_actions, config.batch_size)
        buf.node_state[0] = self.compiled.initial
        buf.node_parent[0] = -1
        buf.node_action[0] = -1
        buf.heap_prio[0] = 0.0
        buf.heap_node[0] = 0
        buf.ctr[K.C_NODES] = 1
        buf.ctr[K.C_HEAP] = 1
        buf.ctr[K.C_GENERATED] = 1
        self._buf = buf
        self._code = K.BUDGET_EXHAUSTED  # nothing spent yet: more budget may solve it
        self.seconds = 0.0
        self._dead_mode = DEADLOCK_MODES[config.deadlocks]
        if self.compiled.dead_cells.shape[0] == 0:
            self._dead_mode = K.DEAD_OFF  # the domain has no compiled deadlock test
        if self._dead_mode != K.DEAD_OFF and _dead_start(domain):  # expanded once, no children
            buf.ctr[K.C_EXPANSIONS] = 1
            buf.ctr[K.C_HEAP] = 0
            self._code = K.EXHAUSTED

    @property
    def status(self) -> str:
        """``solved``, ``exhausted`` or ``budget_exhausted`` (suspended, resumable)."""
        return _STATUS_NAMES[self._code]

    @property
    def done(self) -> bool:
        """Whether the search has ended (solved, or the whole tree searched)."""
        return self._code != K.BUDGET_EXHAUSTED

    @property
    def expansions(self) -> int:
        """Expansions spent so far, over every call of :meth:`advance`."""
        return int(self._buf.ctr[K.C_EXPANSIONS])

    @property
    def frontier_size(self) -> int:
        """Open nodes waiting to be expanded."""
        return int(self._buf.ctr[K.C_HEAP])

    @property
    def frontier_min(self) -> float:
        """Lowest priority on the open list (LTS: log(d/π)); inf when it is empty."""
        return float(self._buf.heap_prio[0]) if self._buf.ctr[K.C_HEAP] > 0 else math.inf

    def advance(self, expansions: int) -> str:
        """Run at most ``expansions`` more expansions; return :attr:`status`."""
        if expansions < 1:
            raise ValidationError("expansions", f"got {expansions}, expected >= 1")
        if self.done:
            return self.status
        buf, compiled, cpol, config = self._buf, self.compiled, self._cpol, self.config
        budget = self.expansions + int(expansions)
        num_actions = compiled.neighbours.shape[1]
        max_nodes = 1 + (budget + config.batch_size) * num_actions
        if max_nodes > _MAX_NODES:
            raise ValidationError(
                "budget",
                f"got {budget:,}: up to {max_nodes:,} nodes, more than the "
                f"{_MAX_NODES:,} int32 node indices can address; use a budget of at most "
                f"{_MAX_NODES // num_actions - config.batch_size - 1:,}",
            )
        # PHS* has its own compiled kernel so that the others' inner loop carries none of it.
        kernel = K.search_kernel_phs if config.algorithm == "phs" else K.search_kernel
        t0 = time.perf_counter()
        while True:
            code = kernel(
                compiled.kind,
                compiled.neighbours,
                compiled.params,
                compiled.heuristic_table,
                compiled.goal_care,
                compiled.goal_value,
                ALGORITHM_CODES[config.algorithm],
                float(config.heuristic_weight if config.algorithm == "phs" else config.weight),
                self._htables,
                self._hweights,
                bool(config.state_cut),
                self._dead_mode,
                compiled.dead_cells,
                self._pkind,
                cpol.int_params,
                cpol.weights,
                budget,
                config.batch_size,
                buf.node_state,
                buf.node_parent,
                buf.node_action,
                buf.node_depth,
                buf.node_logp,
                buf.heap_prio,
                buf.heap_node,
                buf.table,
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
        self._code = code
        return self.status

    def result(self, *, verify: bool = True) -> SearchResult:
        """The search so far as a :class:`SearchResult`.

        With ``verify``, a solution is replayed in the domain and
        :class:`SolutionError` raised if it does not reach a goal.
        """
        buf = self._buf
        actions: tuple[int, ...] = ()
        log_prob = math.nan
        if self._code == K.SOLVED:
            goal = int(buf.ctr[K.C_GOAL])
            path = []
            node = goal
            while node > 0:
                path.append(int(buf.node_action[node]))
                node = int(buf.node_parent[node])
            actions = tuple(reversed(path))
            log_prob = float(buf.node_logp[goal])
        return finished_result(
            self.domain,
            algorithm=self.config.algorithm,
            status=self.status,
            actions=actions,
            log_prob=log_prob,
            expansions=self.expansions,
            generated=int(buf.ctr[K.C_GENERATED]),
            seconds=self.seconds,
            verify=verify,
            memory_bytes=buf.nbytes,
        )


def search(
    domain: Domain,
    config: SearchConfig = SearchConfig(),
    policy: Policy | None = None,
    *,
    verify: bool = True,
) -> SearchResult:
    """Search ``domain`` up to ``config.budget`` expansions.

    The compiled kernel runs it when the domain has a compiled form
    (``compile()``) and the policy does not ask to be run state by state;
    otherwise the pure-Python search
    (:func:`kairos.search.reference.reference_search`, same semantics) does.

    Parameters
    ----------
    domain : Domain
    config : SearchConfig
    policy : Policy, optional
        Uniform by default. Used by LTS and PHS* only (BFS and WA* ignore it).
    verify : bool
        Replay a found solution in ``domain`` and raise :class:`SolutionError` if it fails.
    """
    if runs_in_python(domain, policy):
        from kairos.search.reference import reference_search

        return reference_search(domain, config, policy)
    session = SearchSession(domain, config, policy)
    session.advance(config.budget)
    return session.result(verify=verify)


def open_session(
    domain: Domain, config: SearchConfig = SearchConfig(), policy: Policy | None = None
) -> SearchSession | ReferenceSession:
    """A suspendable search: the compiled :class:`SearchSession`, or the pure-Python
    :class:`~kairos.search.reference.ReferenceSession` where :func:`runs_in_python` says so.
    Both have ``advance``, ``result``, ``status``, ``done``, ``expansions``,
    ``frontier_min`` and ``frontier_size``.
    """
    if runs_in_python(domain, policy):
        from kairos.search.reference import ReferenceSession

        return ReferenceSession(domain, config, policy)
    return SearchSession(domain, config, policy)


def _dead_start(domain: Domain) -> bool:
    hook = getattr(domain, "is_dead", None)
    return hook is not None and bool(hook(domain.initial_state()))


def runs_in_python(domain: Domain, policy: Policy | None) -> bool:
    """Whether :func:`search` runs the pure-Python search: no compiled form, or a state-level policy."""
    if not hasattr(domain, "compile"):
        return True
    return policy is not None and policy.compiled is None and hasattr(policy, "state_logits")
