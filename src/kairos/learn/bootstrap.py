"""Bootstrap learning: solve what the budget allows, learn from it, repeat.

Each iteration attempts every unsolved training problem with LTS and budget B,
adds the new solutions, refits the context model on all solutions, and
doubles B when the iteration solved too few new problems (Orseau & Lelis
2021; Orseau, Hutter, Lelis 2023). It stops when every problem is solved, when
an iteration at the largest budget solved nothing new (every later one would
repeat it), or when a wall-clock or expansion cap is hit.

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
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from kairos.container import pack, unpack
from kairos.errors import (
    CorruptFileError,
    FileFormatError,
    MalformedFileError,
    MismatchError,
    ValidationError,
)
from kairos.policy.loss import OBJECTIVES, fit, trajectories_from_solutions
from kairos.search.engine import SearchConfig

CHECKPOINT_MAGIC = b"KBST"
CHECKPOINT_VERSION = 1
CHECKPOINT_NAME = "checkpoint.kbst"
POLICY_NAME = "policy.kpol"
CHUNK = 250  # problems attempted between checkpoints
_STOP_RESERVE_S = 0.25  # of --time-limit, kept for the last checkpoint and log
LOG_COLUMNS = (
    "iteration", "budget", "attempted", "new_solved", "solved", "problems", "expansions",
    "total_expansions", "solve_s", "train_s", "train_value", "train_iterations",
    "train_converged", "wall_s",
)  # fmt: skip


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
    deadlocks : str
        Deadlock pruning of the training searches (``SearchConfig.deadlocks``):
        ``off``, ``cut`` or ``renormalise``.
    fit_method : str
        Optimiser of the context model's refits (``kairos.policy.loss.fit``):
        ``lbfgsb`` (scipy), ``lbfgsb-fused`` or ``lbfgs`` (fused kernel).
    fit_stall_tol : float or None
        ``lbfgs`` only: stop a refit when its loss fell by less than this over
        10 iterations.
    contexts : str
        The context model's named context set
        (:data:`kairos.policy.contexts.CONTEXT_SETS`), e.g. ``base`` or ``push-dead``.
    refit_on_stop : bool
        When a cap stops the run with solutions not yet learnt from, refit on
        them and end the iteration there (its log row counts the attempts made;
        the budget is kept), instead of leaving them to a resume. The refit
        runs past the cap by its own duration.
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
    deadlocks: str = "off"
    fit_method: str = "lbfgsb"
    fit_stall_tol: float | None = None
    contexts: str = "base"
    refit_on_stop: bool = False

    def __post_init__(self) -> None:
        from kairos.policy.contexts import CONTEXT_SETS
        from kairos.policy.loss import FIT_METHODS
        from kairos.search.engine import DEADLOCK_MODES

        sets = CONTEXT_SETS.get(self.domain, {"base": None})
        if self.contexts not in sets:
            raise ValidationError(
                "contexts",
                f"got {self.contexts!r:.40} for {self.domain!r}, expected one of {list(sets)}",
            )

        if self.deadlocks not in DEADLOCK_MODES:
            raise ValidationError(
                "deadlocks", f"got {self.deadlocks!r}, expected one of {list(DEADLOCK_MODES)}"
            )
        if self.fit_max_iter < 1:
            raise ValidationError(
                "fit_max_iter", f"got {self.fit_max_iter}, expected >= 1 (0 would never learn)"
            )
        if self.fit_method not in FIT_METHODS:
            raise ValidationError(
                "fit_method", f"got {self.fit_method!r}, expected one of {list(FIT_METHODS)}"
            )
        if self.fit_stall_tol is not None and (
            self.fit_method != "lbfgs" or not self.fit_stall_tol >= 0
        ):
            raise ValidationError(
                "fit_stall_tol",
                f"got {self.fit_stall_tol}, expected a number >= 0 with fit_method 'lbfgs'",
            )
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

    def summary(self) -> dict[str, Any]:
        """The run's headline figures (``summary.json``; the CLI's results summary)."""
        return {
            "solved": len(self.solved),
            "iterations": self.iteration,
            "budget": self.budget,
            "total_expansions": self.total_expansions,
            "wall_s": self.wall_s,
            "stop_reason": self.stop_reason,
        }


def problems_digest(problems: Sequence) -> str:
    """SHA-256 over the problems' names and renderings (checks a resume uses the same set)."""
    h = hashlib.sha256()
    for p in problems:
        h.update(p.name.encode())
        h.update(p.render(p.initial_state()).encode())
    return h.hexdigest()


def save_checkpoint(run_dir: Path, config: BootstrapConfig, state: BootstrapState, policy) -> None:
    """Atomically write the checkpoint (state + policy in one file) and the policy file.

    The fields get the checks :func:`load_checkpoint` runs, so what is written can be read.
    """
    from kairos.container import atomic_write_bytes

    header = {
        "config": asdict(config),
        "state": {**asdict(state), "solved": {str(k): v for k, v in state.solved.items()}},
    }
    _checked_config(dict(header["config"]))
    _checked_state(dict(header["state"]))
    policy_path = run_dir / POLICY_NAME
    policy.save(policy_path)
    atomic_write_bytes(
        run_dir / CHECKPOINT_NAME,
        pack(CHECKPOINT_MAGIC, CHECKPOINT_VERSION, header, policy_path.read_bytes()),
    )


def load_checkpoint(run_dir: Path) -> tuple[BootstrapConfig, BootstrapState, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`; every field is checked.

    Raises
    ------
    FileFormatError
        The checkpoint (or the policy inside it) is missing, damaged or
        malformed; the error names the checkpoint file.
    """
    from kairos.policy.files import build_policy, policy_from_bytes

    path = run_dir / CHECKPOINT_NAME
    from kairos.inputs import read_binary_file

    try:
        data = read_binary_file(path, CorruptFileError)
    except OSError as exc:
        raise CorruptFileError(path, f"cannot read checkpoint: {exc}") from None
    _, header, payload = unpack(
        data, magic=CHECKPOINT_MAGIC, versions={CHECKPOINT_VERSION}, path=path
    )
    try:
        pheader, arrays = policy_from_bytes(payload, path=path)
        policy = build_policy(pheader, arrays, path=path)
    except FileFormatError as exc:  # the policy travels inside the checkpoint
        raise type(exc)(path, f"policy inside the checkpoint: {exc.message}") from None
    try:
        config = _checked_config(header.get("config"))
        state = _checked_state(header.get("state"))
        if pheader["domain"] != config.domain:
            raise ValidationError(
                "policy", f"made for {pheader['domain']!r}, the run is for {config.domain!r}"
            )
    except ValidationError as exc:
        raise MalformedFileError(path, f"checkpoint field {exc}") from None
    return config, state, policy


_INT_FIELDS = {  # field: (lo, hi)
    "initial_budget": (1, 2**62),
    "max_budget": (1, 2**62),
    "jobs": (1, 4096),
    "seed": (0, 2**63 - 1),
    "nn_epochs": (0, 10**9),
    "fit_max_iter": (1, 10**9),
}


# fields added after version-1 checkpoints were first written: absent means the default
_LATER_CONFIG_FIELDS = {
    "deadlocks": "off",
    "fit_method": "lbfgsb",
    "fit_stall_tol": None,
    "contexts": "base",
    "refit_on_stop": False,
}


def _require_fields(where: str, obj: dict, cls: type) -> None:
    """``obj`` has exactly the fields of dataclass ``cls`` (the writer stores them all)."""
    names = {f.name for f in fields(cls)}
    if set(obj) != names:
        raise ValidationError(
            where,
            f"unknown fields {sorted(set(obj) - names)}, missing {sorted(names - set(obj))}",
        )


def _checked_config(obj: Any) -> BootstrapConfig:
    """The config of a checkpoint header, every field's type and range checked."""
    from kairos.fields import require_dict, require_float, require_int, require_str

    obj = dict(require_dict("config", obj))
    for name, default in _LATER_CONFIG_FIELDS.items():
        obj.setdefault(name, default)
    _require_fields("config", obj, BootstrapConfig)
    for name, (lo, hi) in _INT_FIELDS.items():
        if name in obj:
            require_int(f"config.{name}", obj[name], lo=lo, hi=hi)
    for name in (
        "domain", "objective", "policy", "executor", "deadlocks", "fit_method", "contexts",
    ):  # fmt: skip
        if name in obj:
            require_str(f"config.{name}", obj[name], max_len=64)
    from kairos.domains import available_domains

    if obj["domain"] not in available_domains():
        raise ValidationError(
            "config.domain", f"got {obj['domain']!r}, expected one of {available_domains()}"
        )
    if "l2" in obj:
        require_float("config.l2", obj["l2"], lo=0.0)
    if "epsilon" in obj:
        require_float("config.epsilon", obj["epsilon"], lo=0.0, hi=1.0, hi_open=True)
    if "min_new_fraction" in obj:
        require_float("config.min_new_fraction", obj["min_new_fraction"], lo=0.0, hi=1.0)
    if obj.get("time_limit_s") is not None:
        require_float("config.time_limit_s", obj["time_limit_s"], lo=0.0)
    if obj.get("fit_stall_tol") is not None:
        require_float("config.fit_stall_tol", obj["fit_stall_tol"], lo=0.0)
    if obj.get("max_expansions") is not None:
        require_int("config.max_expansions", obj["max_expansions"], lo=0)
    from kairos.fields import require_bool

    require_bool("config.refit_on_stop", obj["refit_on_stop"])
    return BootstrapConfig(**obj)  # its own checks raise ValidationError too


def _checked_state(obj: Any) -> BootstrapState:
    """The state of a checkpoint header, every field's type and range checked."""
    from kairos.fields import require_dict, require_float, require_int, require_list, require_str

    obj = dict(require_dict("state", obj))
    _require_fields("state", obj, BootstrapState)
    digest = require_str("state.problems_digest", obj.get("problems_digest"), max_len=64)
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValidationError("state.problems_digest", "expected 64 hex digits")
    require_int("state.budget", obj.get("budget"), lo=1, hi=2**62)
    for name in ("iteration", "new_this_iteration", "expansions_this_iteration"):
        if name in obj:
            require_int(f"state.{name}", obj[name], lo=0)
    if "total_expansions" in obj:
        require_int("state.total_expansions", obj["total_expansions"], lo=0)
    if "wall_s" in obj:
        require_float("state.wall_s", obj["wall_s"], lo=0.0)
    if "stop_reason" in obj:
        require_str("state.stop_reason", obj["stop_reason"])
    for i in require_list(
        "state.attempted_this_iteration", obj.get("attempted_this_iteration", [])
    ):
        require_int("state.attempted_this_iteration", i, lo=0)
    solved = {}
    for key, actions in require_dict("state.solved", obj.get("solved", {})).items():
        if not key.isdigit() or len(key) > 12:
            raise ValidationError("state.solved", f"key {key!r:.20} is not a problem index")
        for a in require_list(f"state.solved[{key}]", actions):
            require_int(f"state.solved[{key}]", a, lo=0, hi=2**31 - 1)  # replay checks more
        solved[int(key)] = list(actions)
    obj["solved"] = solved
    for row in require_list("state.log", obj.get("log", [])):
        for value in require_dict("state.log[]", row).values():
            if not isinstance(value, str | int | float | bool):
                raise ValidationError("state.log[]", f"value {value!r:.40} is not a scalar")
    return BootstrapState(**obj)


def _new_policy(config: BootstrapConfig, problem: Any):
    from kairos.policy import new_policy

    if config.policy == "cm" and config.contexts != "base":
        from kairos.policy.cm import ContextModelPolicy
        from kairos.policy.contexts import context_set

        spec = context_set(config.domain, config.contexts)
        return ContextModelPolicy(config.domain, spec=spec, epsilon=config.epsilon,
                                  seed=config.seed)  # fmt: skip
    return new_policy(config.policy, config.domain, problem, epsilon=config.epsilon,
                      seed=config.seed)  # fmt: skip


def _retrain(policy, problems, state: BootstrapState, config, cache: dict | None = None) -> dict:
    """Refit ``policy`` on every solution so far.

    ``cache`` maps a problem index to (its solution, its context rows along the
    solution): the rows depend on the problem, the path and the policy's
    contexts, never on its weights, so each solution's rows are built once.
    """
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
    if cache is None:
        data = trajectories_from_solutions(policy, chosen, paths)
    else:
        from kairos.policy.loss import Trajectories

        for i, problem, path in zip(idx, chosen, paths, strict=True):
            if path and (i not in cache or cache[i][0] != tuple(path)):
                cache[i] = (tuple(path), trajectories_from_solutions(policy, [problem], [path]))
        data = Trajectories.concat(
            [cache[i][1] for i, path in zip(idx, paths, strict=True) if path]
        )
    report = fit(
        data,
        policy.beta,
        objective=config.objective,
        l2=config.l2,
        max_iter=config.fit_max_iter,
        method=config.fit_method,
        stall_tol=config.fit_stall_tol,
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
    initial_policy: Any = None,
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
    initial_policy : policy, optional
        A fresh learnable policy of kind ``config.policy`` for ``config.domain``
        to start from instead of the default one, e.g. a context model with
        fewer table rows (``ContextModelPolicy(domain, spec=stp_spec(10))``).
        Ignored on resume (the checkpoint holds the policy).

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
        if any(i >= len(problems) for i in state.solved):
            raise MalformedFileError(
                run_dir / CHECKPOINT_NAME, "state.solved names a problem index past the problems"
            )
        state.stop_reason = ""
    else:
        if config is None:
            raise ValidationError("config", "required unless resume=True")
        if not problems:
            raise ValidationError("problems", "no training problems: pass at least one")
        policy = _new_policy(config, problems[0]) if initial_policy is None else initial_policy
        if getattr(policy, "domain", config.domain) != config.domain:
            raise ValidationError(
                "initial_policy",
                f"made for {policy.domain!r}, the run is for {config.domain!r}",
            )
        state = BootstrapState(problems_digest=digest, budget=config.initial_budget)
    from kairos.search.parallel import cap_torch_threads

    cap_torch_threads(config.jobs)  # a neural policy's threads: --jobs in all (workers get 1)
    emit = on_event or (lambda kind, info: None)
    rows_cache: dict = {}  # problem index -> (solution, its context rows); see _retrain
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
        search_config = SearchConfig(
            algorithm="lts", budget=state.budget, deadlocks=config.deadlocks
        )
        iter_start = time.perf_counter()
        since_checkpoint = 0
        attempted_now = 0
        deadline = (
            None
            if config.time_limit_s is None
            else time.time() + config.time_limit_s - wall() - _STOP_RESERVE_S
        )
        for att in _attempts(problems, todo, policy, search_config, config, capped, deadline):
            if att.cut:  # the time limit fell inside this search: it is redone on resume
                continue
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
        stopped = ""
        if attempted_now < len(todo):  # stopped by a cap mid-iteration
            late = deadline is not None and time.time() >= deadline
            stopped = capped() or ("time limit" if late else "stopped")
        elif state.new_this_iteration and capped():  # retraining would run past the limit
            stopped = capped()
        if stopped and not (config.refit_on_stop and state.new_this_iteration):
            checkpoint()
            state.stop_reason = stopped
            break
        # past here with ``stopped``: refit_on_stop ends the iteration early, refitted
        solve_s = time.perf_counter() - iter_start
        train = (
            _retrain(policy, problems, state, config, rows_cache)
            if state.new_this_iteration
            else {}
        )
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
        # nothing new at the largest budget: the policy is unchanged and the searches are
        # deterministic, so every later iteration would repeat this one
        exhausted = not new and not stopped and state.budget >= config.max_budget
        if new < config.min_new_fraction * attempted and not stopped:
            state.budget = min(2 * state.budget, config.max_budget)
        state.iteration += 1
        state.attempted_this_iteration = []
        state.new_this_iteration = 0
        state.expansions_this_iteration = 0
        checkpoint()
        _write_log(run_dir, state)
        if stopped or exhausted:
            state.stop_reason = stopped or "max budget exhausted"
            break
    checkpoint()
    _write_log(run_dir, state)
    return state, policy


def _attempts(problems, todo, policy, search_config, config, capped, deadline=None):
    from kairos.search.parallel import solve_iter

    yield from solve_iter(
        problems,
        search_config,
        policy,
        indices=todo,
        jobs=config.jobs,
        should_stop=capped,
        executor=config.executor,
        deadline=deadline if config.executor == "local" else None,
    )


def _write_log(run_dir: Path, state: BootstrapState) -> None:
    from kairos.runfolder import write_csv

    # the checkpoint stores rows as JSON with sorted keys: fix the order, or a resume reorders
    write_csv(run_dir / "log.csv", [{k: row.get(k, "") for k in LOG_COLUMNS} for row in state.log])
    from kairos.container import atomic_write_text

    atomic_write_text(
        run_dir / "summary.json",
        json.dumps(state.summary(), indent=2) + "\n",
    )
