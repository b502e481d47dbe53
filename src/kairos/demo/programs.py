"""Demo section: program synthesis with the shipped prior and library (``list-dsl``).

Held-out development tasks shipped with the package are searched under three
priors — uniform ν0, the learned grammar, and the learned grammar plus the
Stitch library — with the last 5 examples hidden; the section shows tasks
solved against the expansion budget, the learned library functions, and the
time–information law on these searches.
"""

from __future__ import annotations

import numpy as np

from kairos.demo.context import DemoContext
from kairos.report import Section

HOLDOUT = 5


def section(ctx: DemoContext) -> Section:
    """Search shipped eval-half list tasks under uniform, learned, and learned + library priors."""
    from kairos.data import PROGRAMS_DEMO_TASKS, PROGRAMS_GRAMMAR_POLICY, data_path
    from kairos.domains.programs.policy_file import ProgramPolicy, shipped_policy_path
    from kairos.domains.programs.solve import solve_tasks
    from kairos.domains.programs.tasks import read_tasks
    from kairos.plotting import new_figure
    from kairos.speedup.programs import law_figure, law_table, program_law

    tasks = read_tasks(data_path(PROGRAMS_DEMO_TASKS))
    budget = 10_000 if ctx.quick else 30_000
    if ctx.quick:
        tasks = tasks[::4]
    library = ProgramPolicy.load(shipped_policy_path())
    priors = {
        "uniform": ProgramPolicy.uniform(),
        "learned": ProgramPolicy.load(data_path(PROGRAMS_GRAMMAR_POLICY)),
        "learned+library": library,
    }
    results = {}
    with ctx.progress("programs: three priors × tasks", len(priors) * len(tasks)) as advance:
        for name, policy in priors.items():
            results[name] = solve_tasks(
                policy.enumerator(),
                tasks,
                holdout=HOLDOUT,
                budget=budget,
                on_result=lambda r: advance(),
            )
    law = program_law(tasks, priors, results, resamples=200, seed=ctx.seed)
    summary = {
        name: {
            "solved": sum(r.solved for r in res),
            "generalized": sum(r.generalized for r in res),
        }
        for name, res in results.items()
    }
    ctx.run.write_json("programs.json", {"tasks": len(tasks), "budget": budget,
                                         "summary": summary, "law": law_table(law)})  # fmt: skip
    ctx.results["programs"] = summary

    section = Section("Program synthesis: a learned grammar and a learned library")
    section.text(
        f"{len(tasks)} list tasks from the held-out half of DreamCoder's development set were "
        f"searched by LTS over typed programs, with their last {HOLDOUT} examples hidden, under "
        "three priors: uniform over type-correct productions (ν0), the bigram grammar learned "
        "with the LTS loss on the train half, and that grammar plus a library of functions "
        "Stitch distilled from the train half's solutions (the shipped 'list-dsl' prior). "
        f"Budget: {budget:,} expansions per task."
    )
    fig, ax = new_figure(6.4, 3.6)
    grid = np.unique(np.geomspace(1, budget, 60).astype(int))
    for name, res in results.items():
        exp = np.array([r.expansions for r in res if r.generalized])
        ax.step(grid, [(exp <= b).sum() for b in grid], where="post", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("expansion budget per task")
    ax.set_ylabel(f"tasks generalized (of {len(tasks)})")
    ax.legend(fontsize=8)
    section.figure(fig, caption="Tasks solved (and right on the hidden examples) against budget")
    section.table(
        [
            {
                "prior": name,
                "solved": s["solved"],
                "generalized": s["generalized"],
                "expansions (sum)": sum(r.expansions for r in results[name]),
            }
            for name, s in summary.items()
        ],
        caption=f"At {budget:,} expansions per task",
    )
    prims = library.grammar.primitives[-len(library.library) :] if library.library else ()
    section.table(
        [
            {
                "function": inv.name,
                "definition": inv.readable().split(" := ", 1)[1],
                "parameters": inv.arity,
                "type": str(p.type),
            }
            for inv, p in zip(library.library, prims, strict=True)
        ],
        caption="The learned library (x0, x1 are the parameters; $i is a lambda's argument)",
    )
    log = library.meta.get("log", [])
    if log:
        section.table(
            [
                {
                    "round": r["round"],
                    "budget": r["budget"],
                    "solved": r["solved"],
                    "bits/program before library": r.get("bits_per_program_before", ""),
                    "after": r.get("bits_per_program_after", ""),
                    "library size": r.get("library_size_after", ""),
                }
                for r in log
            ],
            caption="Training the shipped prior: the corpus's description length per round",
        )
    section.table(
        law_table(law), caption="log2 speed-up against I(h:D) on these tasks, per learned prior"
    )
    section.figure(
        law_figure(law),
        caption="Left: measured speed-up (uniform ÷ learned expansions); right: the LTS bound.",
    )
    return section
