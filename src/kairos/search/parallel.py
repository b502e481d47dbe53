"""The one parallel runner: search many problems with one policy, serially, on a
local process pool, or on a Ray cluster.

Every batch command (``solve``, ``train``, ``speedup``, ``allocate``) goes
through :func:`solve_iter` or :func:`solve_all`. Workers receive the problems,
the policy and the search config once (pool initialiser, or Ray's object store)
and then only indices, so a large policy is not copied per task.

- ``jobs == 1`` on the local executor is the one serial path: it runs in this
  process and raises whatever the search raises.
- Errors raised in a worker cross the process boundary intact: a
  :class:`~kairos.errors.KairosError` arrives as the same type with the same
  fields (they pickle; see :mod:`kairos.errors`).
- ``executor="ray"`` connects to the cluster at ``ray_address`` or the
  ``RAY_ADDRESS`` environment variable, and starts a private local instance only
  when neither is given. Ray is an optional extra, imported only when used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from kairos.errors import KairosError, ValidationError
from kairos.search.engine import SearchConfig, SearchSession, search
from kairos.search.result import SearchResult

EXECUTORS: tuple[str, ...] = ("local", "ray")
DEADLINE_SLICE = 5_000  # expansions between looks at the clock when a deadline is set

_WORKER: dict = {}


@dataclass(frozen=True)
class Attempt:
    """One problem's outcome: its index into the problem list and its search result.

    ``cut`` marks a search the deadline stopped before its budget: not a real attempt.
    """

    index: int
    result: SearchResult
    cut: bool = False

    @property
    def solved(self) -> bool:
        return self.result.solved

    @property
    def expansions(self) -> int:
        return self.result.expansions

    @property
    def actions(self) -> tuple[int, ...]:
        return self.result.actions

    @property
    def seconds(self) -> float:
        return self.result.seconds


def cap_torch_threads(threads: int | None) -> None:
    """Limit torch's intra-op threads, if torch is in use here (never imports it)."""
    import sys

    if threads is not None and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(max(1, int(threads)))


def _init(problems, policy, config, deadline=None) -> None:
    if _in_worker():
        # A forked child inherits torch's thread-pool state, and its first
        # multi-threaded op can hang; one thread per worker process is also
        # what a pool of workers wants.
        cap_torch_threads(1)
    _WORKER.update(problems=problems, policy=policy, config=config, deadline=deadline)


def _in_worker() -> bool:
    """True in a worker process of a local pool."""
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _attempt(index: int) -> Attempt:
    problem, config, policy = _WORKER["problems"][index], _WORKER["config"], _WORKER["policy"]
    deadline = _WORKER.get("deadline")
    if deadline is None:
        return Attempt(index, search(problem, config, policy))
    # Slices expand exactly the nodes one uninterrupted search would (SearchSession), so a
    # search that meets the deadline gives the same result; one that does not is cut.
    session = SearchSession(problem, config, policy)
    while not session.done and session.expansions < config.budget:
        if time.time() >= deadline:
            return Attempt(index, session.result(verify=False), cut=True)
        session.advance(min(DEADLINE_SLICE, config.budget - session.expansions))
    return Attempt(index, session.result())


def _ray_attempt(problems, policy, config, index: int) -> Attempt:
    _init(problems, policy, config)
    return _attempt(index)


def check_executor(executor: str, jobs: int) -> None:
    """Raise :class:`ValidationError` (naming the CLI flag) for a bad executor or job count."""
    if executor not in EXECUTORS:
        raise ValidationError("--executor", f"got {executor!r}, expected one of {EXECUTORS}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValidationError("--jobs", f"got {jobs!r}, expected an integer >= 1")


def solve_iter(
    problems: Sequence,
    config: SearchConfig,
    policy=None,
    *,
    indices: Iterable[int] | None = None,
    jobs: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    ordered: bool = False,
    should_stop: Callable[[], bool] | None = None,
    deadline: float | None = None,
) -> Iterator[Attempt]:
    """Yield an :class:`Attempt` for each index (default: every problem).

    Parameters
    ----------
    problems : sequence of Domain
    config : SearchConfig
    policy : Policy or None
        None searches with the uniform policy.
    indices : iterable of int, optional
        Which problems to search, in submission order.
    jobs : int
        Worker processes (local) or concurrent tasks (Ray).
    executor : {"local", "ray"}
    ray_address : str, optional
        Ray cluster address (``host:port`` or ``ray://...``); default ``RAY_ADDRESS``.
    ordered : bool
        Yield in submission order; otherwise as results complete.
    should_stop : callable, optional
        Polled before each submission and after each result; once it returns
        True no new problem is started and the iterator ends after the ones in
        flight.
    deadline : float, optional
        A ``time.time()`` value (local executor): a search still running then
        stops, and its attempt comes back with ``cut=True``.

    Raises
    ------
    KairosError
        The first typed error any search raised, as raised (also from workers).
    """
    check_executor(executor, jobs)
    todo = list(range(len(problems)) if indices is None else indices)

    def stop() -> bool:
        return bool(should_stop and should_stop())

    if executor == "ray":
        yield from _ray(problems, policy, config, todo, jobs, ray_address, ordered, stop)
        return
    if jobs == 1:
        _init(problems, policy, config, deadline)
        try:
            for i in todo:
                if stop():
                    return
                yield _attempt(i)
        finally:
            _WORKER.clear()
        return
    yield from _local(problems, policy, config, deadline, todo, jobs, ordered, stop)


def _in_order(done: Iterable[Attempt], todo: list[int], ordered: bool, buffer: dict):
    """Yield ``done`` as is, or (ordered) whatever prefix of ``todo`` is now complete."""
    if not ordered:
        yield from done
        return
    for att in done:
        buffer[att.index] = att
    while todo and todo[0] in buffer:
        yield buffer.pop(todo.pop(0))


def _local(problems, policy, config, deadline, todo, jobs, ordered, stop) -> Iterator[Attempt]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    order, buffer = list(todo), {}
    pending = list(todo)
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init,
        initargs=(problems, policy, config, deadline),
    )
    in_flight: set = set()
    try:
        while pending or in_flight:
            while pending and len(in_flight) < 4 * jobs and not stop():
                in_flight.add(pool.submit(_attempt, pending.pop(0)))
            if not in_flight:
                break
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            yield from _in_order([f.result() for f in done], order, ordered, buffer)
            if stop():
                pending = []
        yield from (buffer.pop(i) for i in order if i in buffer)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ray(problems, policy, config, todo, jobs, address, ordered, stop) -> Iterator[Attempt]:
    try:
        import ray
    except ImportError:
        raise ValidationError(
            "--executor", "ray is not installed; pip install 'kairos[ray]' or use --executor local"
        ) from None
    connect(address, jobs)
    task = ray.remote(_ray_attempt)
    refs = (ray.put(problems), ray.put(policy), ray.put(config))
    order, buffer = list(todo), {}
    pending = list(todo)
    in_flight: list = []
    try:
        while pending or in_flight:
            while pending and len(in_flight) < 4 * jobs and not stop():
                in_flight.append(task.remote(*refs, pending.pop(0)))
            if not in_flight:
                break
            done, in_flight = ray.wait(in_flight, num_returns=1)
            yield from _in_order([_ray_get(ray, r) for r in done], order, ordered, buffer)
            if stop():
                pending = []
        yield from (buffer.pop(i) for i in order if i in buffer)
    finally:
        for ref in in_flight:
            ray.cancel(ref)


def _ray_get(ray, ref) -> Attempt:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, KairosError):
            raise cause from None
        raise


def connect(address: str | None, jobs: int = 1) -> str:
    """Connect this process to Ray once; return ``"cluster"`` or ``"local"``.

    ``address`` (else ``RAY_ADDRESS``) names an existing cluster to join; with
    neither, a private local instance with ``jobs`` CPUs is started.
    """
    import ray

    address = address or os.environ.get("RAY_ADDRESS") or None
    if ray.is_initialized():
        return "cluster" if address else "local"
    if address:
        try:
            ray.init(address=address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ValidationError(
                "--ray-address", f"cannot connect to a Ray cluster at {address!r}: {exc}"
            ) from None
        return "cluster"
    # "local": a new private instance, never a cluster ray.init would find on its own
    ray.init(address="local", num_cpus=jobs, include_dashboard=False, log_to_driver=False)
    return "local"


def solve_all(
    problems: Sequence,
    config: SearchConfig,
    policy=None,
    *,
    jobs: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    on_result: Callable[[SearchResult], None] | None = None,
) -> list[SearchResult]:
    """Search every problem; results come back in input order.

    ``on_result`` is called as each result arrives (completion order).
    """
    results: dict[int, SearchResult] = {}
    for att in solve_iter(
        problems, config, policy, jobs=jobs, executor=executor, ray_address=ray_address
    ):
        results[att.index] = att.result
        if on_result:
            on_result(att.result)
    return [results[i] for i in range(len(problems))]
