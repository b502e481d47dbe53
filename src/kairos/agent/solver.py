"""Solving many problems with one policy, on a local process pool or a Ray cluster.

Workers receive the problems and the policy once (pool initialiser, or Ray's
object store) and then only indices, so a large policy is not copied per task.
Ray is an optional extra (``pip install kairos[ray]``), imported only when used.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from kairos.search.engine import SearchConfig, SearchSession, search

DEADLINE_SLICE = 5_000  # expansions between looks at the clock when a deadline is set

_WORKER: dict = {}


@dataclass(frozen=True)
class Attempt:
    """One problem's outcome: index into the problem list, status, expansions, actions."""

    index: int
    solved: bool
    expansions: int
    actions: tuple[int, ...]
    seconds: float
    cut: bool = False  # stopped by the deadline before its budget: not a real attempt


def _init(problems, policy, config, deadline=None, torch_threads=None) -> None:
    _WORKER.update(problems=problems, policy=policy, config=config, deadline=deadline)
    cap_torch_threads(torch_threads)


def cap_torch_threads(threads: int | None) -> None:
    """Limit torch's intra-op threads, if torch is in use here (never imports it)."""
    import sys

    if threads is not None and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(max(1, int(threads)))


def _attempt(index: int) -> Attempt:
    problem, config, policy = _WORKER["problems"][index], _WORKER["config"], _WORKER["policy"]
    deadline = _WORKER.get("deadline")
    if deadline is None:
        res = search(problem, config, policy)
        return Attempt(index, res.solved, res.expansions, tuple(res.actions), res.seconds)
    # Slices expand exactly the nodes one uninterrupted search would (SearchSession), so a
    # search that meets the deadline gives the same result; one that does not is dropped.
    session = SearchSession(problem, config, policy)
    while not session.done and session.expansions < config.budget:
        if time.time() >= deadline:
            return Attempt(index, False, session.expansions, (), session.seconds, cut=True)
        session.advance(min(DEADLINE_SLICE, config.budget - session.expansions))
    res = session.result()
    return Attempt(index, res.solved, res.expansions, tuple(res.actions), res.seconds)


def attempt_all(
    problems: Sequence,
    indices: Sequence[int],
    policy,
    config: SearchConfig,
    *,
    jobs: int = 1,
    should_stop: Callable[[], bool] | None = None,
    executor: str = "local",
    deadline: float | None = None,
) -> Iterator[Attempt]:
    """Yield an :class:`Attempt` per index (in completion order for ``jobs > 1``).

    ``should_stop`` is polled between results; when it returns True no more
    problems are started and the generator ends after the ones in flight.
    ``executor="ray"`` runs the attempts as Ray tasks (a local Ray instance
    with ``jobs`` CPUs is started unless Ray is already initialised, e.g.
    connected to a cluster). ``deadline`` (a ``time.time()`` value; local pools
    only) stops a search in flight: its attempt comes back with ``cut=True``.
    """
    if executor == "ray":
        yield from _attempt_ray(problems, indices, policy, config, jobs, should_stop)
        return
    if executor != "local":
        from kairos.errors import ValidationError

        raise ValidationError("executor", f"got {executor!r}, expected 'local' or 'ray'")
    if jobs <= 1:
        _init(problems, policy, config, deadline)
        for i in indices:
            if should_stop and should_stop():
                return
            yield _attempt(i)
        return
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=_init,
        initargs=(problems, policy, config, deadline, 1),
    ) as pool:
        pending = list(indices)
        in_flight = set()
        window = 4 * jobs
        from concurrent.futures import FIRST_COMPLETED, wait

        while pending or in_flight:
            while pending and len(in_flight) < window and not (should_stop and should_stop()):
                in_flight.add(pool.submit(_attempt, pending.pop(0)))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
            if should_stop and should_stop():
                pending = []


_RAY_TASK = None


def _attempt_ray(problems, indices, policy, config, jobs, should_stop):
    global _RAY_TASK
    try:
        import ray
    except ImportError:
        from kairos.errors import ValidationError

        raise ValidationError(
            "executor", "ray is not installed; pip install 'kairos[ray]' or use the local pool"
        ) from None
    if not ray.is_initialized():
        ray.init(num_cpus=jobs, include_dashboard=False, log_to_driver=False)
    if _RAY_TASK is None:

        def task(problems, policy, config, index):
            _init(problems, policy, config)
            return _attempt(index)

        _RAY_TASK = ray.remote(task)
    refs = (ray.put(problems), ray.put(policy), ray.put(config))
    pending = list(indices)
    in_flight: list = []
    while pending or in_flight:
        while pending and len(in_flight) < 4 * jobs and not (should_stop and should_stop()):
            in_flight.append(_RAY_TASK.remote(*refs, pending.pop(0)))
        if not in_flight:
            return
        done, in_flight = ray.wait(in_flight, num_returns=1)
        for ref in done:
            yield ray.get(ref)
        if should_stop and should_stop():
            pending = []
