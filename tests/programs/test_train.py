"""The program bootstrap (solve, fit, library round) and the law on programs, on small tasks."""

from __future__ import annotations

import csv
import math

import pytest

from kairos.domains.programs.policy_file import ProgramPolicy
from kairos.domains.programs.split import in_train_half, split_tasks
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import INT, tlist
from kairos.errors import ValidationError
from kairos.learn.programs import ProgramTrainConfig, train_programs
from kairos.speedup.programs import measure_program_priors, program_law

LI = tlist(INT)
INPUTS = ((1, 2, 3), (4,), (), (5, 0, 7), (2, 2), (9, 1))


def _task(name, fn) -> Task:
    return Task(name, LI, LI, tuple(((list(x),), fn(list(x))) for x in INPUTS))


def _tasks() -> list[Task]:
    out = [_task(f"take-{k}", lambda xs, k=k: xs[:k]) for k in (1, 2, 3)]
    out += [_task(f"drop-{k}", lambda xs, k=k: xs[k:]) for k in (1, 2)]
    out += [_task(f"prepend-{k}", lambda xs, k=k: [k, *xs]) for k in (1, 2)]
    out += [_task("sort", sorted), _task("reverse", lambda xs: xs[::-1])]
    return out


def test_bootstrap_writes_a_run_folder_with_bits_before_and_after(tmp_path):
    config = ProgramTrainConfig(initial_budget=3_000, rounds=2, budget_factor=4)
    events = []
    result = train_programs(_tasks(), tmp_path, config, on_event=lambda k, i: events.append(k))
    assert {"round", "attempt"} <= set(events)
    assert len(result.solutions) == len(_tasks())  # all within the first two rounds
    for name in ("policy.kprog", "log.csv", "solutions.csv", "summary.json"):
        assert (tmp_path / name).exists()
    grammar_only = ProgramPolicy.load(tmp_path / "policy_grammar.kprog")
    assert grammar_only.library == () and not grammar_only.grammar.is_uniform
    assert grammar_only.meta["inlined"] == len(result.solutions)
    rows = list(csv.DictReader((tmp_path / "log.csv").open()))
    assert rows and float(rows[0]["bits_before"]) > 0
    assert float(rows[-1]["bits_after"]) <= float(rows[-1]["bits_before"]) + 1e-9
    back = ProgramPolicy.load(tmp_path / "policy.kprog")
    assert back.library == result.policy.library
    assert back.meta["log"][0]["round"] == 0
    # the trained prior finds a training task in fewer expansions than uniform
    task = _tasks()[3]
    fast = back.enumerator().search(task.request, task.examples)
    slow = ProgramPolicy.uniform().enumerator().search(task.request, task.examples)
    assert fast.solved and fast.expansions < slow.expansions


def test_bootstrap_rejects_bad_config_and_tasks(tmp_path):
    with pytest.raises(ValidationError, match="rounds"):
        ProgramTrainConfig(rounds=0)
    with pytest.raises(ValidationError, match="objective"):
        ProgramTrainConfig(objective="mse")
    with pytest.raises(ValidationError, match="tasks"):
        train_programs([], tmp_path)
    with pytest.raises(ValidationError, match="unique"):
        train_programs([_tasks()[0], _tasks()[0]], tmp_path)


def test_law_rows_and_fit_for_a_learned_prior(tmp_path):
    result = train_programs(_tasks(), tmp_path, ProgramTrainConfig(initial_budget=3_000, rounds=1))
    priors = {"uniform": ProgramPolicy.uniform(), "learned+library": result.policy}
    tasks = _tasks()
    res = measure_program_priors(tasks, priors, holdout=1, budget=50_000)
    law = program_law(tasks, priors, res, resamples=50)
    rows = law["learned+library"]["rows"]
    assert len(rows) == len(tasks)
    for r in rows:
        # LTS's bound holds exactly: expansions never exceed d/π
        assert math.log2(r["T0"]) <= r["bound0"] + 1e-9
        assert math.log2(r["TD"]) <= r["boundD"] + 1e-9
    fit = law["learned+library"]["fit"]
    assert fit["primary"]["n"] == len(tasks)
    assert set(fit) >= {"primary", "shared_path", "bound"}


def test_split_is_by_name_hash_and_covers_every_task():
    tasks = _tasks()
    train, evaluation = split_tasks(tasks)
    assert len(train) + len(evaluation) == len(tasks)
    assert all(in_train_half(t.name) for t in train)
    assert not any(in_train_half(t.name) for t in evaluation)
