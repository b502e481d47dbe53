"""Train the shipped program prior and library (``list-dsl``) on the train half of the dev tasks.

One bootstrap on the train half of ``list_tasks.json`` (the split of
:mod:`kairos.domains.programs.split`; the eval half and the held-out human-designed
concepts are never seen) with a Stitch library round after every fit
(``list-dsl``, shipped as ``src/kairos/data/policies/list_dsl.kprog`` with its
log ``list_dsl_log.csv``), and the same run's grammar over the base DSL without
the library (its solutions with the inventions inlined: the *learned grammar*
ablation, shipped as ``list_dsl_grammar.kprog``). Search is deterministic in
expansions, so the files are reproducible from this command:

    nice -n 5 env PYTHONPATH=src python3 bench/programs_train.py      # ~7 min CPU
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from kairos.domains.programs.split import split_tasks
from kairos.domains.programs.tasks import read_tasks
from kairos.learn.programs import (
    GRAMMAR_POLICY_NAME,
    LOG_NAME,
    POLICY_NAME,
    ProgramTrainConfig,
    train_programs,
)

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / ".." / "shared" / "data" / "programs" / "list_tasks.json"
DATA = ROOT / "src" / "kairos" / "data" / "policies"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=TASKS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "programs_train")
    parser.add_argument("--budget", type=int, default=20_000, help="first round's expansions")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--factor", type=float, default=4.0)
    parser.add_argument("--no-ship", action="store_true", help="do not copy into the package")
    args = parser.parse_args()
    train, _ = split_tasks(read_tasks(args.tasks))
    config = ProgramTrainConfig(
        initial_budget=args.budget, budget_factor=args.factor, rounds=args.rounds, library=True
    )
    run = args.out / "list_dsl"
    result = train_programs(train, run, config)
    for row in result.log:
        print(row)
    print(f"{len(result.solutions)}/{len(train)} solved; library:")
    for inv in result.policy.library:
        print("  ", inv.readable())
    if not args.no_ship:
        DATA.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run / POLICY_NAME, DATA / "list_dsl.kprog")
        shutil.copyfile(run / LOG_NAME, DATA / "list_dsl_log.csv")
        shutil.copyfile(run / GRAMMAR_POLICY_NAME, DATA / "list_dsl_grammar.kprog")


if __name__ == "__main__":
    main()
