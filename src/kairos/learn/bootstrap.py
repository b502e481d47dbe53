"""Bootstrap learning: solve what the budget allows, learn from it, repeat.

Each iteration attempts every unsolved training problem with LTS and budget B,
adds the new solutions, refits the context model on all solutions, and
doubles B when the iteration solved too few new problems (Orseau & Lelis
2021; Orseau, Hutter, Lelis 2023). It stops when every problem is solved or a
wall-clock or expansion cap is hit.

Persistence (all atomic): ``RUN_DIR/checkpoint.kbst`` holds the state, the
solved set, the logs and the policy in one checksummed container, rewritten
after every chunk of attempts and every refit, so a killed run resumes with at
most one chunk lost; ``RUN_DIR/policy.kpol`` is the latest policy and
``RUN_DIR/log.csv`` one row per iteration.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from kairos.container import pack, unpack
from kairos.errors import CorruptFileError, MismatchError, ValidationError
from kairos.policy.loss import OBJECTIVES, fit, trajectories_from_solutions
from kairos.search.engine import SearchConfig

CHECKPOINT_MAGIC = b"KBST"
CHECKPOINT_VERSION = 1
CHECKPOINT_NAME = "checkpoint.kbst"
POLICY_NAME = "policy.kpol"
CHUNK = 250  # problems attempted between checkpoints


@dataclass(frozen=True)
class BootstrapConfig:
    """Settings of a bootstrap run.

    Attributes
    ----------
    domain : str
        ``sokoban`` or ``stp``.
    initial_budget : int
        Expansions per problem in the first iteration (2,000 for Sokoban).
    objective : str
        ``lts`` or ``xent``.
    l2 : float
        L2 weight toward β0 = 0 (scaled to the objective, see ``kairos.policy.loss``).
    min_new_fraction : float
        Double the budget when an iteration solves fewer than this fraction of
        the problems it attempted.
    time_limit_s : float or None
        Wall-clock cap over the whole run, resumes included.
    max_expansions : int or None
        Cap on expansions over the whole run.
    max_budget : int
        The budget never doubles past this.
    jobs : int
        Worker processes for solving.
    epsilon : float
        Uniform mixing weight of the policy.
    seed : int
        Hash seed of the context model; initialisation and minibatch seed of
        the network.
    policy : str
        ``cm`` (context model, L-BFGS to tolerance) or ``nn`` (CNN, Adam for
        ``nn_epochs`` epochs per retraining).
    nn_epochs : int
        Epochs per retraining of the network.
    executor : str
        ``local`` (process pool) or ``ray``.
    fit_max_iter : int
        L-BFGS iterations per refit of the context model (each refit starts
        from the previous weights, so progress carries over).
    """

    domain: str
    initial_budget: int = 2_000
    objective: str = "lts"
    l2: float = 1e-4
    min_new_fraction: float = 0.05
    time_limit_s: float | None = None
    max_expansions: int | None = None
    max_budget: int = 1 << 24
    jobs: int = 1
    epsilon: float = 1e-3
    seed: int = 0
    policy: str = "cm"
    nn_epochs: int = 20
    executor: str = "local"
    fit_max_iter: int = 500

    def __post_init__(self) -> None:
        if self.executor not in ("local", "ray"):
            raise ValidationError("executor", f"got {self.executor!r}, expected 'local' or 'ray'")
        if self.policy not in ("cm", "nn"):
            raise ValidationError("policy", f"got {self.policy!r}, expected 'cm' or 'nn'")
        if self.objective not in OBJECTIVES:
            raise ValidationError(
                "objective", f"got {self.objective!r}, expected one of {list(OBJECTIVES)}"
            )
        if self.initial_budget < 1:
            raise ValidationError("initial_budget", f"got {self.initial_budget}, expected >= 1")
        if self.jobs < 1:
            raise ValidationError("jobs", f"got {self.jobs}, expected >= 1")
        if not 0 <= self.min_new_fraction <= 1:
            raise ValidationError(
                "min_new_fraction", f"got {self.min_new_fraction}, expected in [0, 1]"
            )
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise ValidationError("time_limit_s", f"got {self.time_limit_s}, expected > 0")


@dataclass
class BootstrapState:
    """Everything a resumed run needs (the policy travels next to it)."""

    problems_digest: str
    budget: int
    iteration: int = 0
    solved: dict[int, list[int]] = field(default_factory=dict)
    attempted_this_iteration: list[int] = field(default_factory=list)
    new_this_iteration: int = 0
    expansions_this_iteration: int = 0
    total_expansions: int = 0
    wall_s: float = 0.0
    log: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = ""


def problems_digest(problems: Sequence) -> str:
    """SHA-256 over the problems' names and renderings (checks a resume uses the same set)."""
    h = hashlib.sha256()
    for p in problems:
        h.update(p.name.encode())
        h.update(p.render(p.initial_state()).encode())
    return h.hexdigest()


def save_checkpoint(run_dir: Path, config: BootstrapConfig, state: BootstrapState, policy) -> None:
    """Atomically write the checkpoint (state + policy in one file) and the policy file."""
    from kairos.container import atomic_write_bytes

    policy_path = run_dir / POLICY_NAME
    policy.save(policy_path)
    header = {
        "config": asdict(config),
        "state": {**asdict(state), "solved": {str(k): v for k, v in state.solved.items()}},
    }
    atomic_write_bytes(
        run_dir / CHECKPOINT_NAME,
        pack(CHECKPOINT_MAGIC, CHECKPOINT_VERSION, header, policy_path.read_bytes()),
    )


def load_checkpoint(run_dir: Path) -> tuple[BootstrapConfig, BootstrapState, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`."""
    from kairos.policy.files import LOADERS, read_policy_file

    path = run_dir / CHECKPOINT_NAME
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptFileError(path, f"cannot read checkpoint: {exc}") from None
    _, header, payload = unpack(
        data, magic=CHECKPOINT_MAGIC, versions={CHECKPOINT_VERSION}, path=path
    )
    tmp = run_dir / ".resume-policy.kpol"
    tmp.write_bytes(payload)
    try:
        pheader, arrays = read_policy_file(tmp)
    finally:
        tmp.unlink(missing_ok=True)
    policy = LOADERS[pheader["kind"]]({**pheader["spec"], "domain": pheader["domain"]}, arrays)
    try:
        config = BootstrapConfig(**header["config"])
        st = dict(header["state"])
        st["solved"] = {int(k): list(v) for k, v in st["solved"].items()}
        state = BootstrapState(**st)
    except (KeyError, TypeError) as exc:
        raise CorruptFileError(path, f"checkpoint fields unusable: {exc!r}") from None
    return config, state, policy


def _new_policy(config: BootstrapConfig, problem: Any):
    from kairos.policy import new_policy

    return new_policy(config.policy, config.domain, problem, epsilon=config.epsilon,
                      seed=config.seed)  # fmt: skip


def _retrain(policy, problems, state: BootstrapState, config) -> dict:
    idx = sorted(state.solved)
    chosen, paths = [problems[i] for i in idx], [state.solved[i] for i in idx]
    if config.policy == "nn":
        from kairos.policy.neural import train_nn

        return train_nn(
            policy,
            chosen,
            paths,
            objective=config.objective,
            epochs=config.nn_epochs,
            seed=config.seed + state.iteration,
        )
    data = trajectories_from_solutions(policy, chosen, paths)
    report = fit(
        data, policy.beta, objective=config.objective, l2=config.l2, max_iter=config.fit_max_iter
    )
    # store what the file stores, so the in-memory policy equals the saved one
    policy.beta[:] = policy.beta.astype(np.float32).astype(np.float64)
    return report.as_dict()


def run_bootstrap(
    problems: Sequence,
    run_dir: str | Path,
    config: BootstrapConfig | None = None,
    *,
    resume: bool = False,
    on_event: Callable[[str, dict], None] | None = None,
) -> tuple[BootstrapState, Any]:
    """Bootstrap a policy on ``problems``; see the module docstring.

    Parameters
    ----------
    problems : sequence of Domain
        Built-in domain instances, all of ``config.domain``.
    run_dir : path
        Where the checkpoint, policy and logs go.
    config : BootstrapConfig
        Required unless ``resume``. On resume the checkpoint's config is used,
        except that ``time_limit_s``, ``max_expansions`` and ``jobs`` are taken
        from ``config`` when it is given.
    resume : bool
        Continue from ``run_dir``'s checkpoint.
    on_event : callable(kind, info), optional
        Progress callback: ``("iteration", {...})`` at the start of an
        iteration and ``("attempt", {...})`` after each problem.

    Raises
    ------
    MismatchError
        ``resume`` with a checkpoint made for other problems.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    digest = problems_digest(problems)
    if resume:
        saved, state, policy = load_checkpoint(run_dir)
        if config is not None:  # the caps and the worker count may change on resume
            saved = replace(
                saved,
                time_limit_s=config.time_limit_s,
                max_expansions=config.max_expansions,
                jobs=config.jobs,
                executor=config.executor,
            )
        config = saved
        if state.problems_digest != digest:
            raise MismatchError(
                run_dir / CHECKPOINT_NAME,
                "checkpoint was made for a different set of training problems; "
                "pass the same --levels as the original run",
            )
        state.stop_reason = ""
    else:
        if config is None:
            raise ValidationError("config", "required unless resume=True")
        if not problems:
            raise ValidationError("problems", "no training problems: pass at least one")
        policy = _new_policy(config, problems[0])
        state = BootstrapState(problems_digest=digest, budget=config.initial_budget)
    emit = on_event or (lambda kind, info: None)
    session_start = time.perf_counter()
    wall_at_start = state.wall_s

    def wall() -> float:
        return wall_at_start + time.perf_counter() - session_start

    def capped() -> str:
        if config.time_limit_s is not None and wall() >= config.time_limit_s:
            return "time limit"
        if config.max_expansions is not None and state.total_expansions >= config.max_expansions:
            return "expansion cap"
        return ""

    def checkpoint() -> None:
        state.wall_s = wall()
        save_checkpoint(run_dir, config, state, policy)

    while True:
        unsolved = [i for i in range(len(problems)) if i not in state.solved]
        if not unsolved:
            state.stop_reason = "all solved"
            break
        if capped():
            state.stop_reason = capped()
            break
        done_before = set(state.attempted_this_iteration)
        todo = [i for i in unsolved if i not in done_before]
        emit(
            "iteration",
            {
                "iteration": state.iteration,
                "budget": state.budget,
                "attempts": len(todo),
                "solved": len(state.solved),
                "problems": len(problems),
            },
        )
        search_config = SearchConfig(algorithm="lts", budget=state.budget)
        iter_start = time.perf_counter()
        since_checkpoint = 0
        attempted_now = 0
        for att in _attempts(problems, todo, policy, search_config, config, capped):
            state.attempted_this_iteration.append(att.index)
            state.expansions_this_iteration += att.expansions
            state.total_expansions += att.expansions
            if att.solved:
                state.solved[att.index] = list(att.actions)
                state.new_this_iteration += 1
            attempted_now += 1
            emit("attempt", {"solved": len(state.solved), "new": att.solved})
            since_checkpoint += 1
            if since_checkpoint >= CHUNK:
                checkpoint()
                since_checkpoint = 0
        attempted = len(state.attempted_this_iteration)
        if attempted_now < len(todo):  # stopped by a cap mid-iteration
            checkpoint()
            state.stop_reason = capped() or "stopped"
            break
        solve_s = time.perf_counter() - iter_start
        train = _retrain(policy, problems, state, config) if state.new_this_iteration else {}
        new = state.new_this_iteration
        state.log.append(
            {
                "iteration": state.iteration,
                "budget": state.budget,
                "attempted": attempted,
                "new_solved": new,
                "solved": len(state.solved),
                "problems": len(problems),
                "expansions": state.expansions_this_iteration,
                "total_expansions": state.total_expansions,
                "solve_s": round(solve_s, 3),
                "train_s": round(train.get("seconds", 0.0), 3),
                "train_value": train.get("value", train.get("final_loss", "")),
                "train_iterations": train.get("iterations", train.get("epochs", "")),
                "train_converged": train.get("converged", ""),
                "wall_s": round(wall(), 3),
            }
        )
        if new < config.min_new_fraction * attempted:
            state.budget = min(2 * state.budget, config.max_budget)
        state.iteration += 1
        state.attempted_this_iteration = []
        state.new_this_iteration = 0
        state.expansions_this_iteration = 0
        checkpoint()
        _write_log(run_dir, state)
    checkpoint()
    _write_log(run_dir, state)
    return state, policy


def _attempts(problems, todo, policy, search_config, config, capped):
    from kairos.search.parallel import solve_iter

    yield from solve_iter(
        problems,
        search_config,
        policy,
        indices=todo,
        jobs=config.jobs,
        should_stop=capped,
        executor=config.executor,
    )


def _write_log(run_dir: Path, state: BootstrapState) -> None:
    from kairos.runfolder import write_csv

    write_csv(run_dir / "log.csv", state.log)
    from kairos.container import atomic_write_text

    atomic_write_text(
        run_dir / "summary.json",
        json.dumps(
            {
                "solved": len(state.solved),
                "iterations": state.iteration,
                "budget": state.budget,
                "total_expansions": state.total_expansions,
                "wall_s": state.wall_s,
                "stop_reason": state.stop_reason,
            },
            indent=2,
        )
        + "\n",
    )
