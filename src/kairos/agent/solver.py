"""Solving many problems with one policy, on a local process pool.

Workers receive the problems and the policy once (pool initialiser) and then
only indices, so a large policy is not pickled per task.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from kairos.search.engine import SearchConfig, search

_WORKER: dict = {}


@dataclass(frozen=True)
class Attempt:
    """One problem's outcome: index into the problem list, status, expansions, actions."""

    index: int
    solved: bool
    expansions: int
    actions: tuple[int, ...]
    seconds: float


def _init(problems, policy, config) -> None:
    _WORKER.update(problems=problems, policy=policy, config=config)


def _attempt(index: int) -> Attempt:
    res = search(_WORKER["problems"][index], _WORKER["config"], _WORKER["policy"])
    return Attempt(index, res.solved, res.expansions, tuple(res.actions), res.seconds)


def attempt_all(
    problems: Sequence,
    indices: Sequence[int],
    policy,
    config: SearchConfig,
    *,
    jobs: int = 1,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Attempt]:
    """Yield an :class:`Attempt` per index (in completion order for ``jobs > 1``).

    ``should_stop`` is polled between results; when it returns True no more
    problems are started and the generator ends after the ones in flight.
    """
    if jobs <= 1:
        _init(problems, policy, config)
        for i in indices:
            if should_stop and should_stop():
                return
            yield _attempt(i)
        return
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init, initargs=(problems, policy, config)
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
