"""Compiled value and gradient of the training objectives (``kairos.policy.loss``).

Same objectives as :class:`kairos.policy.loss.CompactProblem` (LTS loss in log
form, cross-entropy, L2 toward β0), without numpy temporaries: gather z, the
softmax, each step's −log p and its ∂/∂z, summed per trajectory; weigh each
trajectory (the LTS soft-max over trajectories, or 1/S); scatter the gradient.
Context indices are int32 (half the memory traffic of int64). The gathers and
scatters are random accesses into θ and dominate the cost; the serial kernel
sweeps one pattern at a time over rows numbered pattern by pattern, so each
sweep touches one small block of θ that stays in cache.

The parallel variant splits trajectories over numba threads (each thread
scatters into its own gradient, summed at the end); its sums are taken in
another order, so its results differ from the serial ones in the last bits.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

OBJECTIVE_LTS, OBJECTIVE_XENT = 0, 1


@njit(cache=True, inline="always")
def step_nll(theta, cidx, legal, actions, t, z, coef):
    """−log p(a_t|s_t) at step t; writes ∂/∂z into ``coef[t]`` (z is scratch)."""
    num_pat = cidx.shape[1]
    num_actions = legal.shape[1]
    for a in range(num_actions):
        z[a] = 0.0
    for k in range(num_pat):
        c = cidx[t, k]
        for a in range(num_actions):
            z[a] += theta[c, a]
    best = -np.inf
    for a in range(num_actions):
        if legal[t, a] and z[a] > best:
            best = z[a]
    total = 0.0
    for a in range(num_actions):
        if legal[t, a]:
            total += np.exp(z[a] - best)
    log_norm = best + np.log(total)
    for a in range(num_actions):
        coef[t, a] = np.exp(z[a] - log_norm) if legal[t, a] else 0.0
    coef[t, actions[t]] -= 1.0
    return log_norm - z[actions[t]]


@njit(cache=True, inline="always")
def _traj_weights(per_traj, log_depth, objective, num_steps, starts):
    """The objective's value (without L2) and each trajectory's step weight, in place."""
    num = per_traj.shape[0]
    if objective == OBJECTIVE_LTS:
        top = -np.inf
        for i in range(num):
            per_traj[i] += log_depth[i]
            if per_traj[i] > top:
                top = per_traj[i]
        total = 0.0
        for i in range(num):
            total += np.exp(per_traj[i] - top)
        value = top + np.log(total)
        for i in range(num):
            per_traj[i] = np.exp(per_traj[i] - top) / total
        return value
    value = 0.0
    for i in range(num):
        value += per_traj[i]
        per_traj[i] = 1.0 / num_steps
    return value / num_steps


@njit(cache=True, inline="always")
def _l2(theta, theta0, l2, grad):
    value = 0.0
    for c in range(theta.shape[0]):
        for a in range(theta.shape[1]):
            d = theta[c, a] - theta0[c, a]
            value += d * d
            grad[c, a] = l2 * d
    return 0.5 * l2 * value


@njit(cache=True, parallel=True)
def value_grad_parallel(
    theta, theta0, l2, cidx, legal, actions, starts, log_depth, objective, grad, coef, per_traj,
    shards,
):  # fmt: skip
    """The objective and its gradient, trajectories split over numba threads.

    Arguments as :func:`value_grad_blocked` but with ``cidx`` (shape (S, P)) in
    the compact numbering; ``coef`` (shape (S, A)) and ``per_traj`` (shape
    (N,)) are scratch, and so is ``shards`` (shape (T, U, A)): each thread
    scatters into its own.
    """
    num_traj = starts.shape[0] - 1
    num_shards = shards.shape[0]
    num_actions = legal.shape[1]
    for s in prange(num_shards):
        z = np.empty(num_actions)
        for i in range(s * num_traj // num_shards, (s + 1) * num_traj // num_shards):
            acc = 0.0
            for t in range(starts[i], starts[i + 1]):
                acc += step_nll(theta, cidx, legal, actions, t, z, coef)
            per_traj[i] = acc
    value = _traj_weights(per_traj, log_depth, objective, cidx.shape[0], starts)
    value += _l2(theta, theta0, l2, grad)
    num_pat = cidx.shape[1]
    for s in prange(num_shards):
        part = shards[s]
        part[:] = 0.0
        for i in range(s * num_traj // num_shards, (s + 1) * num_traj // num_shards):
            w = per_traj[i]
            if w == 0.0:
                continue
            for t in range(starts[i], starts[i + 1]):
                for k in range(num_pat):
                    c = cidx[t, k]
                    for a in range(num_actions):
                        part[c, a] += w * coef[t, a]
    for s in range(num_shards):
        grad += shards[s]
    return value


@njit(cache=True)
def value_grad_blocked(
    theta, theta0, l2, cidx_t, legal, actions, starts, log_depth, objective, grad, coef, per_traj,
    z,
):  # fmt: skip
    """Objective at ``theta`` (shape (U, A)); its gradient into ``grad`` (shape (U, A)).

    ``cidx_t`` (shape (P, S)) is the transposed index table; when the rows of
    each pattern are numbered contiguously (:func:`blocked_order`) the gathers
    and scatters of one pattern stay inside that pattern's small block of
    ``theta``, which stays in cache. ``coef``, ``z`` (shape (S, A)) and
    ``per_traj`` (shape (N,)) are scratch.
    """
    num_pat, num_steps = cidx_t.shape
    num_actions = legal.shape[1]
    num_traj = starts.shape[0] - 1
    z[:] = 0.0
    for k in range(num_pat):
        row = cidx_t[k]
        for t in range(num_steps):
            c = row[t]
            for a in range(num_actions):
                z[t, a] += theta[c, a]
    for i in range(num_traj):
        acc = 0.0
        for t in range(starts[i], starts[i + 1]):
            best = -np.inf
            for a in range(num_actions):
                if legal[t, a] and z[t, a] > best:
                    best = z[t, a]
            total = 0.0
            for a in range(num_actions):
                if legal[t, a]:
                    total += np.exp(z[t, a] - best)
            log_norm = best + np.log(total)
            for a in range(num_actions):
                coef[t, a] = np.exp(z[t, a] - log_norm) if legal[t, a] else 0.0
            coef[t, actions[t]] -= 1.0
            acc += log_norm - z[t, actions[t]]
        per_traj[i] = acc
    value = _traj_weights(per_traj, log_depth, objective, num_steps, starts)
    value += _l2(theta, theta0, l2, grad)
    for i in range(num_traj):
        w = per_traj[i]
        for t in range(starts[i], starts[i + 1]):
            for a in range(num_actions):
                coef[t, a] *= w
    for k in range(num_pat):
        row = cidx_t[k]
        for t in range(num_steps):
            c = row[t]
            for a in range(num_actions):
                grad[c, a] += coef[t, a]
    return value


def blocked_order(cidx: np.ndarray) -> np.ndarray:
    """A renumbering of the compact rows, pattern by pattern (first pattern that uses a row).

    Parameters
    ----------
    cidx : ndarray of int, shape (S, P)
        Compact row indices 0..U-1.

    Returns
    -------
    ndarray of int64, shape (U,)
        ``order[new] = old``.
    """
    num_rows = int(cidx.max()) + 1 if cidx.size else 0
    first = np.full(num_rows, cidx.shape[1], np.int64)
    for k in range(cidx.shape[1]):
        np.minimum.at(first, cidx[:, k], k)
    return np.lexsort((np.arange(num_rows), first))
