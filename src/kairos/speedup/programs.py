"""The time–information law on programs: uniform ν0 against a learned grammar, with and without library.

Each prior searches the same held-out tasks at the same budget
(:func:`measure_program_priors`). For every task solved under both ν0 and
a learned prior νD, :func:`program_law_rows` records the columns of
:func:`kairos.speedup.measure.pair_rows`, so :func:`kairos.speedup.measure.analyse`
fits them the same way as for the puzzles:

- ``T0``, ``TD``: expansions; ``d0``, ``dD``: choices of the program found, plus one;
- ``l0_own``, ``lD_own``: ℓ_ν(h) = −log2 ν(h) of the program each prior
  found itself (primary measure, I = ℓ_ν0(h0) − ℓ_νD(hD)); under a prior
  with a library, ℓ is the code length of the program as written with the
  library's inventions;
- ``l0_shared``, ``lD_shared``: one program, *uniform's* solution h0, scored
  under both priors, after Stitch rewrote it in terms of the library for νD
  (:func:`kairos.domains.programs.library.rewrite_solution`). (The puzzles
  score the learned prior's path under both; a library program has no
  base-DSL code without inlining, so here the shared program is h0);
- ``bound0``, ``boundD``: log2 of the LTS bound d(h)/ν(h), the variant with
  the bound in place of measured expansions.

Tree search over programs merges no states, so LTS's bound holds with the
node count exactly: ``log2 T = log2 d + ℓ_ν(h) + u`` with ``u ≤ 0``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.fit import steps_of
from kairos.domains.programs.library import Solution, program_bits, rewrite_solution
from kairos.domains.programs.policy_file import ProgramPolicy
from kairos.domains.programs.sexpr import parse
from kairos.domains.programs.solve import TaskResult, solve_tasks
from kairos.domains.programs.tasks import Task
from kairos.speedup.measure import analyse

LN2 = math.log(2.0)


def measure_program_priors(
    tasks: Sequence[Task],
    priors: Mapping[str, ProgramPolicy],
    *,
    holdout: int = 0,
    budget: int = 1_000_000,
    time_limit_s: float = math.inf,
) -> dict[str, list[TaskResult]]:
    """Every task searched under every prior with one budget: results by prior name."""
    return {
        name: solve_tasks(
            p.enumerator(), tasks, holdout=holdout, budget=budget, time_limit_s=time_limit_s
        )
        for name, p in priors.items()
    }


def _bits(enum: Enumerator, expr, request) -> float:
    return float(program_bits(enum.grammar, steps_of(enum, [(expr, request)]))[0])


def program_law_rows(
    tasks: Sequence[Task],
    base: Sequence[TaskResult],
    learned: Sequence[TaskResult],
    base_policy: ProgramPolicy,
    learned_policy: ProgramPolicy,
) -> list[dict]:
    """One row per task solved under both priors (columns as in the module docstring)."""
    base_enum, learned_enum = base_policy.enumerator(), learned_policy.enumerator()
    rows = []
    for index, (task, r0, rd) in enumerate(zip(tasks, base, learned, strict=True)):
        if not (r0.solved and rd.solved):
            continue
        h0 = Solution(task.name, parse(r0.program), task.request, task.examples, task.num_inputs)
        shared = rewrite_solution(h0, learned_policy.library, learned_enum)
        d0, dd = r0.num_choices + 1, rd.num_choices + 1
        row = {
            "task": index,
            "problem": task.name,
            "T0": r0.expansions,
            "TD": rd.expansions,
            "d0": d0,
            "dD": dd,
            "l0_own": -r0.log_prob / LN2,
            "lD_own": -rd.log_prob / LN2,
            "l0_shared": _bits(base_enum, h0.program, task.request),
            "lD_shared": _bits(learned_enum, shared.program, task.request),
            "bound0": math.log2(d0) - r0.log_prob / LN2,
            "boundD": math.log2(dd) - rd.log_prob / LN2,
        }
        row["unused0"] = math.log2(row["T0"]) - row["bound0"]
        row["unusedD"] = math.log2(row["TD"]) - row["boundD"]
        rows.append(row)
    return rows


def program_law(
    tasks: Sequence[Task],
    priors: Mapping[str, ProgramPolicy],
    results: Mapping[str, Sequence[TaskResult]],
    *,
    base: str = "uniform",
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, dict]:
    """The law for every prior but ``base`` against ``base``: ``{name: {"rows", "fit"}}``.

    ``fit`` is :func:`kairos.speedup.measure.analyse` of the rows: the
    ``primary``, ``shared_path`` and ``bound`` line fits (slope, intercept,
    R², n, bootstrap intervals) and the decomposition of the offset.
    """
    out = {}
    for name, policy in priors.items():
        if name == base:
            continue
        rows = program_law_rows(tasks, results[base], results[name], priors[base], policy)
        out[name] = {"rows": rows, "fit": analyse(rows, resamples=resamples, seed=seed)}
    return out


def law_figure(law: Mapping[str, dict]):
    """Two panels, every learned prior in its colour: log2 T0/TD against I, and the bound against I."""
    import numpy as np

    from kairos.plotting import new_figure

    fig, _ = new_figure(10, 4)
    fig.clf()
    axes = fig.subplots(1, 2)
    points = [(name, v["rows"], v["fit"]) for name, v in law.items() if v["rows"]]
    if not points:
        for ax in axes:
            ax.text(0.5, 0.5, "no task solved under both priors", ha="center")
        return fig
    allx = np.concatenate([[r["l0_own"] - r["lD_own"] for r in rows] for _, rows, _ in points])
    lo, hi = float(min(allx.min(), 0.0)), float(max(allx.max(), 1.0))
    for ax, key, label in (
        (axes[0], "primary", "log2 T0/TD (measured expansions)"),
        (axes[1], "bound", "log2 bound0/boundD (LTS bound d/π)"),
    ):
        for name, rows, fit in points:
            x = np.array([r["l0_own"] - r["lD_own"] for r in rows])
            if key == "primary":
                y = np.log2(np.array([r["T0"] / r["TD"] for r in rows], dtype=float))
            else:
                y = np.array([r["bound0"] - r["boundD"] for r in rows])
            f = fit[key]
            label_fit = f"{name}: n={f['n']}"
            if np.isfinite(f.get("slope", np.nan)):
                label_fit += f", slope {f['slope']:.2f}, R² {f['r2']:.2f}"
            ax.scatter(x, y, s=12, alpha=0.7, label=label_fit)
        ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8, label="law: slope 1")
        ax.set_xlabel("I(h:D) = ℓν0(h0) − ℓνD(hD)  [bits]")
        ax.set_ylabel(label)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def law_table(law: Mapping[str, dict]) -> list[dict]:
    """One row per learned prior and fit variant: slope, intercept, R², n (for tables and JSON)."""
    out = []
    for name, v in law.items():
        for variant in ("primary", "shared_path", "bound"):
            f = v["fit"][variant]
            out.append(
                {
                    "prior": name,
                    "variant": variant,
                    "slope": f["slope"],
                    "intercept": f["intercept"],
                    "r2": f["r2"],
                    "n": f["n"],
                }
            )
    return out
