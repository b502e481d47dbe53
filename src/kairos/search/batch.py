"""Solve many problems, on a local process pool when asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from kairos.domains.base import Domain
from kairos.errors import KairosError
from kairos.policy.base import Policy
from kairos.search.engine import SearchConfig, search
from kairos.search.result import SearchResult


@dataclass(frozen=True)
class _Failure:
    """A kairos error raised in a worker, carried back by value.

    kairos errors take several constructor arguments, so they do not survive
    pickling as exceptions (the pool would only report a broken process).
    """

    error_type: type
    args: tuple
    attributes: dict

    def error(self) -> KairosError:
        exc = self.error_type.__new__(self.error_type)
        exc.args = self.args
        exc.__dict__.update(self.attributes)
        return exc


def _solve_one(args: tuple[Domain, SearchConfig, Policy | None]) -> SearchResult | _Failure:
    domain, config, policy = args
    try:
        return search(domain, config, policy)
    except KairosError as exc:
        return _Failure(type(exc), exc.args, dict(vars(exc)))


def solve_all(
    problems: Sequence[Domain],
    config: SearchConfig,
    policy: Policy | None = None,
    *,
    jobs: int = 1,
    on_result: Callable[[SearchResult], None] | None = None,
) -> list[SearchResult]:
    """Search every problem; results come back in input order.

    ``jobs > 1`` uses a local process pool of that many workers (each worker
    loads the cached compiled kernel once).
    """
    work = [(p, config, policy) for p in problems]
    results: list[SearchResult] = []
    if jobs <= 1 or len(problems) <= 1:
        for item in work:
            result = _solve_one(item)
            if isinstance(result, _Failure):
                raise result.error()
            results.append(result)
            if on_result:
                on_result(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        try:
            for result in pool.map(_solve_one, work, chunksize=max(1, len(work) // (8 * jobs))):
                if isinstance(result, _Failure):
                    raise result.error()
                results.append(result)
                if on_result:
                    on_result(result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def summarise(results: Sequence[SearchResult]) -> dict[str, float]:
    """Solved count, mean/median/max expansions, mean solution length, seconds."""
    import statistics

    expansions = [r.expansions for r in results]
    lengths = [r.length for r in results if r.solved]
    return {
        "problems": len(results),
        "solved": sum(r.solved for r in results),
        "mean_expansions": statistics.fmean(expansions) if expansions else 0.0,
        "median_expansions": statistics.median(expansions) if expansions else 0.0,
        "max_expansions": max(expansions, default=0),
        "mean_length": statistics.fmean(lengths) if lengths else float("nan"),
        "seconds": sum(r.seconds for r in results),
    }
