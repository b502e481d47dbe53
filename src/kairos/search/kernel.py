"""The compiled best-first search kernel: LTS, BFS, weighted A* and PHS*.

All search state lives in flat numpy arrays owned by the Python driver
(:mod:`kairos.search.engine`), so the kernel can stop and resume at any point:

* nodes: packed state words, parent, action, depth, log π (33 bytes for 2 words);
* open list: an array 4-ary min-heap of (priority, node index), 12 bytes an
  entry, sized by the open list alone; ties go to the smaller node index, i.e.
  the earlier generated node, so the pop order is a strict total order and
  search is deterministic (and the same as any other heap's);
* state cut: an open-addressing (linear probing) hash table of int32 slots,
  4 bytes each, a power of two of them (the driver doubles it past load 0.5),
  holding ``1 + index`` of the node that expanded a state with the best cut
  value (−log π for LTS and PHS*, depth for BFS/WA*); 0 marks an empty slot. Keys and
  cut values are read from the node arrays, so the table stores no copy of a
  state. With ``state_cut`` off the table is unused and the search is a tree
  search: a child equal to its grandparent (the move straight back) is not
  part of the tree, so the policy is normalised over the other moves.

The kernel returns a status. ``NEED_GROW`` asks the driver to enlarge the
arrays; ``NEED_POLICY`` hands it a batch of popped nodes whose action
log-probabilities a Python policy (a neural network) must supply before the
kernel expands them. A compiled policy is evaluated in-kernel instead, node by
node, so both kinds of policy share this one copy of the algorithm.

PHS* (Orseau & Lelis 2021) is LTS with a heuristic factor: priority
log(d(n) + w·h(n)) − log π(n), with d(n) = depth + 1 as in LTS (so h = 0 is
exactly LTS) and h either the domain's table heuristic (the one WA* uses) or
a learned linear function of the domain's distance-to-go features
(:mod:`kairos.search.heuristic`). Its state cut compares −log π, as LTS's does.

The loop is written once (``_search_body``, ``_expand_body``, inlined with a
constant ``phs`` flag) and compiled twice: :func:`search_kernel` for LTS, BFS
and WA*, whose inner loop then carries no trace of PHS* (its branch and five
extra array arguments cost LTS 3–6% per expansion), and
:func:`search_kernel_phs` for every algorithm, PHS* included.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kairos.domains.base import DOMAIN_KIND_SOKOBAN
from kairos.domains.sokoban_togo import MAX_MATCH_BOXES, packed_features
from kairos.hashing import GOLDEN_GAMMA, mix64
from kairos.policy.base import POLICY_KIND_CM, POLICY_KIND_UNIFORM
from kairos.policy.contexts import cm_logits
from kairos.search.deadlocks import push_deadlock

# numba caches this module's compiled code by this file's timestamp only, so an edit to
# cm_logits/contexts (kairos.policy.contexts) needs this file touched or the cache cleared

RUNNING, SOLVED, BUDGET_EXHAUSTED, EXHAUSTED, NEED_POLICY, NEED_GROW = range(6)
ALGO_LTS, ALGO_BFS, ALGO_WASTAR, ALGO_PHS = range(4)
DEAD_OFF, DEAD_CUT, DEAD_RENORMALISE = range(3)
# Indices into the int64 counters array shared with the driver.
C_NODES, C_HEAP, C_TABLE, C_EXPANSIONS, C_GENERATED, C_GOAL, C_PENDING, C_READY = range(8)
NUM_COUNTERS = 8
MAX_TABLE_LOAD = 0.5  # linear probing degrades quickly above this
# Stand-ins for PHS*'s heuristic arrays where the kernel is compiled without PHS*.
_NO_TABLES = np.zeros((0, 0), dtype=np.float64)
_NO_F64 = np.zeros(0, dtype=np.float64)
_NO_I64 = np.zeros(0, dtype=np.int64)


@njit(cache=True, inline="always")
def _hash(states, r):
    """Hash of the packed state ``states[r]`` (rows are passed as (array, index), not views)."""
    h = GOLDEN_GAMMA
    for k in range(states.shape[1]):
        h = mix64(h ^ states[r, k])
    return h


@njit(cache=True)
def table_slot(table, node_state, states, r):
    """Slot whose node holds state ``states[r]``, or the empty slot where it would go."""
    num_words = states.shape[1]
    mask = np.int64(table.shape[0] - 1)
    slot = np.int64(_hash(states, r) & np.uint64(mask))
    while table[slot]:
        other = table[slot] - 1
        same = True
        for k in range(num_words):
            if node_state[other, k] != states[r, k]:
                same = False
                break
        if same:
            return slot
        slot = (slot + 1) & mask
    return slot


@njit(cache=True)
def rehash(old_table, new_table, node_state):
    """Move every entry of an old table into a larger empty one (keys are all distinct)."""
    mask = np.int64(new_table.shape[0] - 1)
    for i in range(old_table.shape[0]):
        entry = old_table[i]
        if entry:
            slot = np.int64(_hash(node_state, entry - 1) & np.uint64(mask))
            while new_table[slot]:
                slot = (slot + 1) & mask
            new_table[slot] = entry


@njit(cache=True, inline="always")
def _reads_policy(algo, phs):
    """Whether ``algo`` orders by π (LTS, PHS*), so its state cut compares −log π."""
    return algo == ALGO_LTS or (phs and algo == ALGO_PHS)


@njit(cache=True, inline="always")
def _cut_value(algo, phs, node_logp, node_depth, i):
    """What the state cut compares (smaller is better): −log π for LTS and PHS*, depth otherwise."""
    if _reads_policy(algo, phs):
        return -node_logp[i]
    return float(node_depth[i])


@njit(cache=True, inline="always")
def _same_row(a, i, b, j):
    """Whether row ``i`` of ``a`` equals row ``j`` of ``b``."""
    for k in range(a.shape[1]):  # noqa: SIM110  (numba compiles loops, not generators)
        if a[i, k] != b[j, k]:
            return False
    return True


@njit(cache=True)
def _step(dkind, nbr, dparams, node_state, i, child, action):
    """Write the successor of ``node_state[i]`` under ``action`` into ``child[action]``.

    Returns False if the action is illegal there.
    """
    num_words = node_state.shape[1]
    if dkind == DOMAIN_KIND_SOKOBAN:
        q = nbr[np.int64(node_state[i, 0]), action]
        if q < 0:
            return False
        for k in range(num_words):
            child[action, k] = node_state[i, k]
        wq = 1 + q // 64
        bq = np.uint64(1) << np.uint64(q % 64)
        if node_state[i, wq] & bq:
            r = nbr[q, action]
            if r < 0:
                return False
            wr = 1 + r // 64
            br = np.uint64(1) << np.uint64(r % 64)
            if node_state[i, wr] & br:
                return False
            child[action, wq] &= ~bq
            child[action, wr] |= br
        child[action, 0] = np.uint64(q)
        return True
    # sliding-tile puzzle: the blank moves
    blank = np.int64(node_state[i, 0])
    t = nbr[blank, action]
    if t < 0:
        return False
    bits = dparams[1]
    per_word = dparams[2]
    tile_mask = (np.uint64(1) << np.uint64(bits)) - np.uint64(1)
    for k in range(num_words):
        child[action, k] = node_state[i, k]
    wt = 1 + t // per_word
    st = np.uint64((t % per_word) * bits)
    tile = (node_state[i, wt] >> st) & tile_mask
    child[action, wt] &= ~(tile_mask << st)
    wb = 1 + blank // per_word
    child[action, wb] |= tile << np.uint64((blank % per_word) * bits)
    child[action, 0] = np.uint64(t)
    return True


@njit(cache=True)
def _heuristic(dkind, dparams, htab, states, r):
    """Heuristic value of ``states[r]``: sum of per-box or per-tile table terms."""
    total = 0.0
    if dkind == DOMAIN_KIND_SOKOBAN:
        for w in range(1, states.shape[1]):
            x = states[r, w]
            b = 0
            while x:
                if x & np.uint64(1):
                    total += htab[0, (w - 1) * 64 + b]
                x >>= np.uint64(1)
                b += 1
        return total
    cells = dparams[0]
    bits = dparams[1]
    per_word = dparams[2]
    tile_mask = (np.uint64(1) << np.uint64(bits)) - np.uint64(1)
    for p in range(cells):
        tile = (states[r, 1 + p // per_word] >> np.uint64((p % per_word) * bits)) & tile_mask
        total += htab[np.int64(tile), p]
    return total


@njit(cache=True)
def _learned_heuristic(dkind, nbr, htables, hweights, states, r, features, hbest, hcells):
    """A learned heuristic's value at ``states[r]``: Σ_k w_k·f_k in order of k.

    ``features`` (shape (len(hweights),)), ``hbest`` and ``hcells`` are scratch
    for the domain's distance-to-go features (only Sokoban's are compiled).
    """
    if dkind == DOMAIN_KIND_SOKOBAN:
        packed_features(nbr, htables, states, r, features, hbest, hcells)
    total = 0.0
    for k in range(hweights.shape[0]):
        total += hweights[k] * features[k]
    return total


@njit(cache=True)
def _policy_logits(pkind, pint, pweights, row, last_action, out):
    """In-kernel policies write unnormalised log-probabilities into ``out``."""
    if pkind == POLICY_KIND_UNIFORM:
        out[:] = 0.0
    elif pkind == POLICY_KIND_CM:
        cm_logits(pint, pweights, row, last_action, out)


HEAP_ARITY = 4  # children of a heap entry; 4 adjacent float64 priorities share a cache line


@njit(cache=True, inline="always")
def _before(p, n, q, m):
    """Whether open-list entry (priority p, node n) pops before (q, m): ties go to older nodes."""
    return p < q or (p == q and n < m)


@njit(cache=True)
def _heap_push(prio, node, size, p, n):
    """Insert (p, n) into the 4-ary min-heap of ``size`` entries (sift up, moving parents down)."""
    i = size
    while i > 0:
        parent = (i - 1) // HEAP_ARITY
        if not _before(p, n, prio[parent], node[parent]):
            break
        prio[i] = prio[parent]
        node[i] = node[parent]
        i = parent
    prio[i] = p
    node[i] = n


@njit(cache=True)
def _heap_pop(prio, node, size):
    """Remove and return the node of the first entry (sift the last entry down)."""
    top = node[0]
    last = size - 1
    p = prio[last]
    n = node[last]
    i = 0
    while True:
        first = HEAP_ARITY * i + 1
        if first >= last:
            break
        best = first
        end = min(first + HEAP_ARITY, last)
        for c in range(first + 1, end):
            if _before(prio[c], node[c], prio[best], node[best]):
                best = c
        if not _before(prio[best], node[best], p, n):
            break
        prio[i] = prio[best]
        node[i] = node[best]
        i = best
    prio[i] = p
    node[i] = n
    return top


@njit(cache=True, inline="always")
def _expand_body(
    i,
    logits,
    dkind,
    nbr,
    dparams,
    htab,
    algo,
    weight,
    heur,
    state_cut,
    dead_mode,
    dead,
    goal_value,
    scratch,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    phs,
):
    """Expand node ``i``; ``phs`` (a constant in each caller) selects the PHS* family.

    PHS*'s heuristic arrays and the scratch arrays come as the tuples ``heur``
    and ``scratch``: CPython passes a call of more than 30 arguments as
    ``*args``, which numba cannot inline.
    """
    htables, hweights, hfeatures, hbest, hcells = heur
    scratch_group, scratch_mark, child, legal, dead_child = scratch
    num_actions = nbr.shape[1]
    num_words = node_state.shape[1]
    best = -np.inf
    back = not state_cut and i > 0
    prune = dkind == DOMAIN_KIND_SOKOBAN and dead_mode != DEAD_OFF
    for a in range(num_actions):
        dead_child[a] = False
        legal[a] = _step(dkind, nbr, dparams, node_state, i, child, a)
        if legal[a] and back and _same_row(child, a, node_state, node_parent[i]):
            legal[a] = False  # tree search: the move straight back is not in the tree
        if legal[a] and prune:
            q = np.int64(child[a, 0])
            pushed = (node_state[i, 1 + q // 64] >> np.uint64(q % 64)) & np.uint64(1)
            if pushed and push_deadlock(
                nbr, dead, goal_value, child, a, nbr[q, a], scratch_group, scratch_mark
            ):
                if dead_mode == DEAD_RENORMALISE:
                    legal[a] = False  # π is normalised over the live moves
                else:
                    dead_child[a] = True  # not generated; π of its siblings unchanged
        if legal[a] and logits[a] > best:
            best = logits[a]
    if best == -np.inf:
        return
    total = 0.0
    for a in range(num_actions):
        if legal[a]:
            total += np.exp(logits[a] - best)
    log_norm = best + np.log(total)
    depth = node_depth[i] + 1
    log_d = np.log(depth + 1.0)  # d(n) = depth + 1 for every child
    for a in range(num_actions):
        if not legal[a] or dead_child[a]:
            continue
        logp = node_logp[i] + logits[a] - log_norm
        if state_cut:
            cut_value = -logp if _reads_policy(algo, phs) else float(depth)
            entry = table[table_slot(table, node_state, child, a)]
            if entry and _cut_value(algo, phs, node_logp, node_depth, entry - 1) <= cut_value:
                continue
        if algo == ALGO_LTS:
            priority = log_d - logp
        elif algo == ALGO_BFS:
            priority = float(depth)
        elif phs and algo == ALGO_PHS:
            if hweights.shape[0] > 0:
                h = _learned_heuristic(
                    dkind, nbr, htables, hweights, child, a, hfeatures, hbest, hcells
                )
            else:
                h = _heuristic(dkind, dparams, htab, child, a)
            priority = np.log(depth + 1.0 + weight * h) - logp
        else:
            priority = depth + weight * _heuristic(dkind, dparams, htab, child, a)
        n = ctr[C_NODES]
        for k in range(num_words):
            node_state[n, k] = child[a, k]
        node_parent[n] = i
        node_action[n] = a
        node_depth[n] = depth
        node_logp[n] = logp
        _heap_push(heap_prio, heap_node, ctr[C_HEAP], priority, n)
        ctr[C_HEAP] += 1
        ctr[C_NODES] += 1
        ctr[C_GENERATED] += 1


@njit(cache=True)
def _expand(
    i,
    logits,
    dkind,
    nbr,
    dparams,
    htab,
    algo,
    weight,
    state_cut,
    dead_mode,
    dead,
    goal_value,
    scratch_group,
    scratch_mark,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    child,
    legal,
    dead_child,
):
    """Expand node ``i`` for LTS, BFS or WA*: :func:`_expand_body` without PHS*'s arguments."""
    _expand_body(
        i,
        logits,
        dkind,
        nbr,
        dparams,
        htab,
        algo,
        weight,
        (_NO_TABLES, _NO_F64, _NO_F64, _NO_F64, _NO_I64),
        state_cut,
        dead_mode,
        dead,
        goal_value,
        (scratch_group, scratch_mark, child, legal, dead_child),
        node_state,
        node_parent,
        node_action,
        node_depth,
        node_logp,
        heap_prio,
        heap_node,
        table,
        ctr,
        False,
    )


@njit(cache=True)
def _expand_phs(
    i,
    logits,
    dkind,
    nbr,
    dparams,
    htab,
    algo,
    weight,
    htables,
    hweights,
    hfeatures,
    hbest,
    hcells,
    state_cut,
    dead_mode,
    dead,
    goal_value,
    scratch_group,
    scratch_mark,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    child,
    legal,
    dead_child,
):
    """Expand node ``i`` for any algorithm, PHS* included."""
    _expand_body(
        i,
        logits,
        dkind,
        nbr,
        dparams,
        htab,
        algo,
        weight,
        (htables, hweights, hfeatures, hbest, hcells),
        state_cut,
        dead_mode,
        dead,
        goal_value,
        (scratch_group, scratch_mark, child, legal, dead_child),
        node_state,
        node_parent,
        node_action,
        node_depth,
        node_logp,
        heap_prio,
        heap_node,
        table,
        ctr,
        True,
    )


@njit(cache=True, inline="always")
def _search_body(
    dkind,
    nbr,
    dparams,
    htab,
    goal_care,
    goal_value,
    algo,
    weight,
    htables,
    hweights,
    state_cut,
    dead_mode,
    dead,
    pkind,
    pint,
    pweights,
    budget,
    batch_size,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    pending,
    pending_logits,
    phs,
):
    """The search loop; ``phs`` (a constant in each caller) selects the PHS* family."""
    num_words = node_state.shape[1]
    num_actions = nbr.shape[1]
    child = np.empty((num_actions, num_words), dtype=np.uint64)
    legal = np.empty(num_actions, dtype=np.bool_)
    dead_child = np.zeros(num_actions, dtype=np.bool_)
    logits = np.empty(num_actions, dtype=np.float64)
    hfeatures = np.zeros(hweights.shape[0], dtype=np.float64)
    learned = hweights.shape[0] > 0
    hbest = np.empty((1 << MAX_MATCH_BOXES) if learned else 0, dtype=np.float64)
    hcells = np.empty(nbr.shape[0] if learned else 0, dtype=np.int64)
    scratch_group = np.empty(dead.shape[0], dtype=np.int64)
    scratch_mark = np.zeros(dead.shape[0], dtype=np.int8)
    node_cap = node_state.shape[0]
    heap_cap = heap_node.shape[0]
    table_limit = np.int64(table.shape[0] * MAX_TABLE_LOAD)

    num_pending = ctr[C_PENDING]
    if num_pending > 0 and ctr[C_READY]:
        room = num_pending * num_actions
        if ctr[C_NODES] + room > node_cap or ctr[C_HEAP] + room > heap_cap:
            return NEED_GROW
        for j in range(num_pending):
            if phs:
                _expand_phs(
                    pending[j],
                    pending_logits[j],
                    dkind,
                    nbr,
                    dparams,
                    htab,
                    algo,
                    weight,
                    htables,
                    hweights,
                    hfeatures,
                    hbest,
                    hcells,
                    state_cut,
                    dead_mode,
                    dead,
                    goal_value,
                    scratch_group,
                    scratch_mark,
                    node_state,
                    node_parent,
                    node_action,
                    node_depth,
                    node_logp,
                    heap_prio,
                    heap_node,
                    table,
                    ctr,
                    child,
                    legal,
                    dead_child,
                )
            else:
                _expand(
                    pending[j],
                    pending_logits[j],
                    dkind,
                    nbr,
                    dparams,
                    htab,
                    algo,
                    weight,
                    state_cut,
                    dead_mode,
                    dead,
                    goal_value,
                    scratch_group,
                    scratch_mark,
                    node_state,
                    node_parent,
                    node_action,
                    node_depth,
                    node_logp,
                    heap_prio,
                    heap_node,
                    table,
                    ctr,
                    child,
                    legal,
                    dead_child,
                )
        ctr[C_PENDING] = 0
        ctr[C_READY] = 0
        num_pending = 0

    while True:
        if num_pending > 0 and (
            num_pending == batch_size or ctr[C_HEAP] == 0 or ctr[C_EXPANSIONS] >= budget
        ):
            ctr[C_PENDING] = num_pending
            return NEED_POLICY
        if ctr[C_HEAP] == 0:
            return EXHAUSTED
        if ctr[C_EXPANSIONS] >= budget:
            return BUDGET_EXHAUSTED
        if (
            ctr[C_NODES] + num_actions > node_cap
            or ctr[C_HEAP] + num_actions > heap_cap
            or ctr[C_TABLE] + 1 > table_limit
        ):
            ctr[C_PENDING] = num_pending
            return NEED_GROW
        i = _heap_pop(heap_prio, heap_node, ctr[C_HEAP])
        ctr[C_HEAP] -= 1
        if state_cut:
            cut_value = _cut_value(algo, phs, node_logp, node_depth, i)
            slot = table_slot(table, node_state, node_state, i)
            entry = table[slot]
            if entry:
                if _cut_value(algo, phs, node_logp, node_depth, entry - 1) <= cut_value:
                    continue  # the state cut: already expanded at least as well
            else:
                ctr[C_TABLE] += 1
            table[slot] = i + 1
        ctr[C_EXPANSIONS] += 1
        goal = True
        for k in range(num_words):
            if (node_state[i, k] & goal_care[k]) != goal_value[k]:
                goal = False
                break
        if goal:
            ctr[C_GOAL] = i
            return SOLVED
        if pkind < 0:
            pending[num_pending] = i
            num_pending += 1
            continue
        last_action = node_action[i] if i > 0 else -1
        _policy_logits(pkind, pint, pweights, node_state[i], last_action, logits)
        if phs:
            _expand_phs(
                i,
                logits,
                dkind,
                nbr,
                dparams,
                htab,
                algo,
                weight,
                htables,
                hweights,
                hfeatures,
                hbest,
                hcells,
                state_cut,
                dead_mode,
                dead,
                goal_value,
                scratch_group,
                scratch_mark,
                node_state,
                node_parent,
                node_action,
                node_depth,
                node_logp,
                heap_prio,
                heap_node,
                table,
                ctr,
                child,
                legal,
                dead_child,
            )
        else:
            _expand(
                i,
                logits,
                dkind,
                nbr,
                dparams,
                htab,
                algo,
                weight,
                state_cut,
                dead_mode,
                dead,
                goal_value,
                scratch_group,
                scratch_mark,
                node_state,
                node_parent,
                node_action,
                node_depth,
                node_logp,
                heap_prio,
                heap_node,
                table,
                ctr,
                child,
                legal,
                dead_child,
            )


@njit(cache=True)
def search_kernel(
    dkind,
    nbr,
    dparams,
    htab,
    goal_care,
    goal_value,
    algo,
    weight,
    htables,
    hweights,
    state_cut,
    dead_mode,
    dead,
    pkind,
    pint,
    pweights,
    budget,
    batch_size,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    pending,
    pending_logits,
):
    """Run LTS, BFS or WA* (``algo``) until it ends or needs the driver; returns a status code.

    Compiled without PHS*'s heuristic so that the other algorithms' inner loop
    carries none of it (``htables`` and ``hweights`` are not read); arguments
    as :func:`search_kernel_phs`.
    """
    return _search_body(
        dkind,
        nbr,
        dparams,
        htab,
        goal_care,
        goal_value,
        algo,
        weight,
        htables,
        hweights,
        state_cut,
        dead_mode,
        dead,
        pkind,
        pint,
        pweights,
        budget,
        batch_size,
        node_state,
        node_parent,
        node_action,
        node_depth,
        node_logp,
        heap_prio,
        heap_node,
        table,
        ctr,
        pending,
        pending_logits,
        False,
    )


@njit(cache=True)
def search_kernel_phs(
    dkind,
    nbr,
    dparams,
    htab,
    goal_care,
    goal_value,
    algo,
    weight,
    htables,
    hweights,
    state_cut,
    dead_mode,
    dead,
    pkind,
    pint,
    pweights,
    budget,
    batch_size,
    node_state,
    node_parent,
    node_action,
    node_depth,
    node_logp,
    heap_prio,
    heap_node,
    table,
    ctr,
    pending,
    pending_logits,
):
    """Run any algorithm, PHS* included, until it ends or needs the driver; returns a status code.

    ``pkind < 0`` means "policy outside the kernel": popped nodes are queued
    in ``pending`` (up to ``batch_size``) and ``NEED_POLICY`` is returned; the
    driver fills ``pending_logits`` (shape (batch_size, num_actions)) and calls
    again with ``ctr[C_READY] = 1``, and the queued nodes are expanded first.
    ``dead_mode`` (``DEAD_*``) turns on the deadlock test after each push
    (:mod:`kairos.search.deadlocks`, reading ``dead``, int8 per cell):
    ``DEAD_CUT`` drops dead children, ``DEAD_RENORMALISE`` also leaves them
    out of the policy's normalisation. ``ALGO_PHS`` reads ``weight`` as the
    heuristic's weight w and, when ``hweights`` (float64, shape (k,)) is not
    empty, uses the learned heuristic Σ w_k·f_k over the domain's features
    computed from ``htables`` (the domain's ``heuristic_tables()``), else
    the table heuristic ``htab``.
    """
    return _search_body(
        dkind,
        nbr,
        dparams,
        htab,
        goal_care,
        goal_value,
        algo,
        weight,
        htables,
        hweights,
        state_cut,
        dead_mode,
        dead,
        pkind,
        pint,
        pweights,
        budget,
        batch_size,
        node_state,
        node_parent,
        node_action,
        node_depth,
        node_logp,
        heap_prio,
        heap_node,
        table,
        ctr,
        pending,
        pending_logits,
        True,
    )
