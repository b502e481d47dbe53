"""The savant regime (issue 16): does a big initial budget make learning unnecessary?

One experiment on given training, held-out and repeated tasks of one domain
(``stp`` or ``sokoban``). Runs, each under the same cap on training compute
(:attr:`SavantConfig.cap_expansions`):

- a bootstrap (:func:`kairos.learn.bootstrap.run_bootstrap`) for every initial
  budget B₀ × objective (``lts``: the LTS loss, a time cost; ``xent``:
  cross-entropy on the solutions) × context-model capacity (``2**rows``
  hashed rows of the domain's default contexts). When the cap falls inside an
  iteration the bootstrap stops without refitting; the policy is then refit on
  every solution the run found, so each policy has learnt from all its data;
- ``xent on D(lts)``: cross-entropy fitted on exactly the solutions of the LTS
  run with the same B₀ and capacity (equal data, for prediction 3);
- ``memoriser``: :class:`kairos.policy.memoriser.MemoriserPolicy` storing the
  solutions of the LTS run at the largest capacity (a prior indexed by the
  full state);
- ``none``: no learning, the uniform prior, with the brute-force budget the
  LTS run ended on (training solved = the tasks uniform search solves within
  that budget, attempted in order until the same cap).

Measures on the held-out tasks, per run: I(h:D) = ℓ_ν0(h0) − ℓ_νD(hD) in bits
with ν0 uniform and h each prior's own solution (``info_bits``; NaN where
either prior fails at the large budget); ``info_path_bits``, one path, the
prior's own solution hD, scored under both priors (defined wherever the prior
solves); and, when shortest solutions h* are given, ``info_shortest_bits``
scoring h* under both priors by tree search (the law's setting). Solve rate at
the small and the large test budget and mean expansions, by LTS with the
state cut (the bootstrap's search; its expansion order does not depend on the
budget, so one search at the large budget gives both rates). 95% CIs:
percentile bootstrap over tasks, paired over the same tasks for differences.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kairos.errors import ValidationError
from kairos.learn.bootstrap import BootstrapConfig, run_bootstrap
from kairos.policy.cm import ContextModelPolicy
from kairos.policy.contexts import SPECS
from kairos.policy.loss import fit, trajectories_from_solutions
from kairos.policy.memoriser import MemoriserPolicy
from kairos.policy.uniform import UniformPolicy
from kairos.scaling.bootstrap import percentile_ci
from kairos.search.engine import SearchConfig, search
from kairos.search.paths import code_length_bits

LN2 = float(np.log(2.0))
SAVANT_FIRST_ITERATION_SHARE = 0.5  # regime rule, see regime()
OBJECTIVES = ("lts", "xent")
PREDICTION_KEYS = (
    "1_budget_up_train_up_bits_down_small_down",
    "2_memoriser_repeats_not_transfer",
    "3_lts_retains_more_bits_than_xent",
)


@dataclass(frozen=True)
class SavantConfig:
    """Settings of one savant experiment.

    Attributes
    ----------
    domain : str
        ``stp`` or ``sokoban`` (the context model's domain).
    budgets : tuple of int
        Initial budgets B₀ of the bootstrap, expansions per problem.
    rows_log2 : tuple of int
        Capacities: log2 of the context model's hashed table rows.
    cap_expansions : int
        Training compute cap of every run, expansions.
    small_budget, large_budget : int
        Test budgets, expansions per held-out task.
    resamples : int
        Bootstrap resamples of every CI.
    seed : int
        Hash seed of the context models and seed of the CI resampling.
    l2 : float
        L2 weight of every fit.
    memoriser_batch_size : int
        Frontier nodes per call of the memoriser (it runs on the kernel's
        batched path; 1 reproduces the sequential order).
    repeats_budget : int or None
        Search budget on the repeated training tasks (``large_budget`` if
        None; ``small_budget`` suffices for their solve rate and saves time).
    """

    domain: str
    budgets: tuple[int, ...] = (2_000, 20_000, 200_000, 2_000_000)
    rows_log2: tuple[int, ...] = (6, 10, 18)
    cap_expansions: int = 4_000_000
    small_budget: int = 200
    large_budget: int = 200_000
    resamples: int = 1000
    seed: int = 0
    l2: float = 1e-4
    memoriser_batch_size: int = 1
    repeats_budget: int | None = None

    def __post_init__(self) -> None:
        if self.domain not in SPECS:
            raise ValidationError("domain", f"got {self.domain!r}, expected one of {list(SPECS)}")
        if not self.budgets or min(self.budgets) < 1:
            raise ValidationError("budgets", f"got {self.budgets}, expected budgets >= 1")
        if not self.rows_log2 or not all(1 <= r <= 26 for r in self.rows_log2):
            raise ValidationError("rows_log2", f"got {self.rows_log2}, expected values in 1..26")
        for name in ("cap_expansions", "small_budget", "large_budget", "resamples"):
            if getattr(self, name) < 1:
                raise ValidationError(name, f"got {getattr(self, name)}, expected >= 1")
        if self.small_budget > self.large_budget:
            raise ValidationError(
                "small_budget", f"{self.small_budget} exceeds large_budget {self.large_budget}"
            )
        if self.repeats_budget is not None and self.repeats_budget < self.small_budget:
            raise ValidationError(
                "repeats_budget",
                f"{self.repeats_budget} is below small_budget {self.small_budget}",
            )
        if self.memoriser_batch_size < 1:
            raise ValidationError(
                "memoriser_batch_size", f"got {self.memoriser_batch_size}, expected >= 1"
            )


def evaluate(
    policy, tasks, config: SavantConfig, base=None, shortest=None, budget: int | None = None
) -> dict:
    """Per-task arrays on ``tasks`` under ``policy``.

    Parameters
    ----------
    policy : policy
        The prior searched with (LTS, state cut, ``config.large_budget``).
    tasks : sequence of Domain
    base : list of SearchResult, optional
        The uniform prior's results on ``tasks`` (None when evaluating it).
    shortest : sequence of action sequences, optional
        Shortest solutions h*, one per task; ``info_shortest_bits`` is NaN without.
    budget : int, optional
        Search budget in place of ``config.large_budget``.

    Returns
    -------
    dict
        ``results`` (list of SearchResult); arrays of shape (len(tasks),):
        ``expansions``, ``solved_large``, ``solved_small`` (bool),
        ``info_bits``, ``info_path_bits``, ``info_shortest_bits`` (bits).
    """
    batch = config.memoriser_batch_size if policy.compiled is None else 32
    search_config = SearchConfig(budget=budget or config.large_budget, batch_size=batch)
    results = [search(task, search_config, policy) for task in tasks]
    base = base or results
    exp = np.array([r.expansions for r in results], float)
    solved = np.array([r.solved for r in results], bool)
    own = [
        (r.solution_log_prob - r0.solution_log_prob) / LN2 if r.solved and r0.solved else np.nan
        for r, r0 in zip(results, base, strict=True)
    ]
    path = [
        code_length_bits(t, r.actions, None) + r.solution_log_prob / LN2 if r.solved else np.nan
        for t, r in zip(tasks, results, strict=True)
    ]
    if shortest is None:
        shared = [np.nan] * len(tasks)
    else:
        shared = [
            code_length_bits(t, h, None, state_cut=False)
            - code_length_bits(t, h, policy, state_cut=False)
            for t, h in zip(tasks, shortest, strict=True)
        ]
    return {
        "results": results,
        "expansions": exp,
        "solved_large": solved,
        "solved_small": solved & (exp <= config.small_budget),
        "info_bits": np.array(own, float),
        "info_path_bits": np.array(path, float),
        "info_shortest_bits": np.array(shared, float),
    }


def mean_ci(values: np.ndarray, rng: np.random.Generator, resamples: int) -> list[float]:
    """95% percentile-bootstrap CI of the mean over the finite values (NaNs if none)."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if not len(values):
        return [float("nan")] * 2
    idx = rng.integers(len(values), size=(resamples, len(values)))
    return percentile_ci(values[idx].mean(axis=1))


_MEASURES = (
    ("info_bits", "mean_info_bits"),
    ("info_shortest_bits", "mean_info_shortest_bits"),
    ("solved_small", "solve_small"),
    ("solved_large", "solve_large"),
    ("expansions", "mean_expansions"),
)
_EXTRA_MEASURES = (("info_path_bits", "mean_info_path_bits"),)


def summarise(ev: dict, rng: np.random.Generator, resamples: int, rng_extra=None) -> dict:
    """Means over tasks of :func:`evaluate`'s arrays, each with its 95% CI.

    ``rng_extra`` resamples the measures added after the first benchmark (so
    that its CIs stay reproducible); ``rng`` when omitted.
    """
    out = {}
    for measures, gen in ((_MEASURES, rng), (_EXTRA_MEASURES, rng_extra or rng)):
        for key, name in measures:
            v = ev[key].astype(float)
            out[name] = _nanmean(v)
            out[f"{name}_ci"] = mean_ci(v, gen, resamples)
    return out


def paired(a: dict, b: dict, key: str, rng: np.random.Generator, resamples: int) -> dict:
    """Mean of a[key] − b[key] over the same tasks, with a paired bootstrap CI."""
    d = a[key].astype(float) - b[key].astype(float)
    d = d[np.isfinite(d)]
    mean = float(d.mean()) if len(d) else float("nan")
    return {"mean": mean, "ci": mean_ci(d, rng, resamples), "n": len(d)}


def refit(policy, train, solved: dict, objective: str, l2: float) -> None:
    """Fit ``policy`` on the solutions ``solved`` (index → actions) of ``train``."""
    idx = sorted(solved)
    data = trajectories_from_solutions(policy, [train[i] for i in idx], [solved[i] for i in idx])
    fit(data, policy.beta, objective=objective, l2=l2)


def regime(log: list[dict], solved: int) -> str:
    """The regime of a bootstrap run from its iteration log and its solution count.

    ``savant`` when the first iteration (uniform prior: brute force) found at
    least half of the run's solutions, ``learning`` when most solutions needed
    a learnt prior, ``stalled`` when the first iteration found every solution
    and at least one full iteration under the learnt prior found none (learning
    failed rather than being unnecessary), ``none solved`` when the run solved
    nothing.
    """
    first = log[0]["new_solved"] if log else solved
    if solved == 0:
        return "none solved"
    if first == solved and len(log) > 1:
        return "stalled"
    return "savant" if first >= SAVANT_FIRST_ITERATION_SHARE * solved else "learning"


def bootstrap_run(train, b0: int, objective: str, rows: int, config: SavantConfig, run_dir):
    """One capped bootstrap; returns (state, policy, row of the results table)."""
    boot = BootstrapConfig(
        domain=config.domain, initial_budget=b0, objective=objective, l2=config.l2,
        max_expansions=config.cap_expansions, jobs=1, seed=config.seed,
    )  # fmt: skip
    policy = ContextModelPolicy(config.domain, spec=SPECS[config.domain](rows), seed=config.seed)
    t0 = time.perf_counter()
    state, policy = run_bootstrap(train, run_dir, boot, initial_policy=policy)
    refit_after = bool(state.solved) and (
        not state.log or state.log[-1]["solved"] < len(state.solved)
    )
    if refit_after:
        refit(policy, train, state.solved, objective, config.l2)
    row = {
        "B0": b0, "objective": objective, "rows_log2": rows, "kind": "bootstrap",
        "train_solved": len(state.solved), "train_problems": len(train),
        "train_expansions": state.total_expansions, "iterations": state.iteration,
        "final_budget": state.budget, "stop_reason": state.stop_reason,
        "refit_after_cap": refit_after,
        "first_iteration_solved": state.log[0]["new_solved"] if state.log else len(state.solved),
        "regime": regime(state.log, len(state.solved)), "seconds": time.perf_counter() - t0,
    }  # fmt: skip
    return state, policy, row


class BruteForce:
    """Uniform LTS on the training tasks, each searched once per budget it is needed at.

    The state-cut expansion order does not depend on the budget, so a search at
    budget b also answers every smaller budget.
    """

    def __init__(self, train):
        self.train = train
        self.cache: dict[int, tuple[int, int, bool]] = {}  # index -> (budget, expansions, solved)

    def attempt(self, i: int, budget: int) -> tuple[int, bool]:
        """(expansions spent, solved) of uniform search on task ``i`` at ``budget``."""
        known = self.cache.get(i)
        if known is not None:
            b, e, ok = known
            if ok and e <= budget:
                return e, True
            if b >= budget:
                return budget, False
        r = search(self.train[i], SearchConfig(budget=budget))
        self.cache[i] = (budget, r.expansions, r.solved)
        return (r.expansions, True) if r.solved else (budget, False)

    def train_solved(self, budget: int, cap: int) -> tuple[int, int]:
        """Tasks solved at ``budget``, attempted in order until ``cap`` expansions are spent."""
        spent = solved = 0
        for i in range(len(self.train)):
            if spent >= cap:
                break
            e, ok = self.attempt(i, budget)
            spent += min(e, budget)
            solved += int(ok)
        return solved, spent


def run_savant(
    train: Sequence,
    heldout: Sequence,
    repeats: Sequence,
    config: SavantConfig,
    *,
    shortest: Sequence | None = None,
    shortest_repeats: Sequence | None = None,
    work_dir: str | Path | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the grid of :class:`SavantConfig` and test the three predictions.

    Parameters
    ----------
    train, heldout, repeats : sequence of Domain
        Training tasks; fresh held-out tasks; training tasks asked again.
    shortest, shortest_repeats : sequence of action sequences, optional
        Shortest solutions of ``heldout`` and ``repeats`` (for ``info_shortest_bits``).
    work_dir : path, optional
        Where the bootstrap runs keep their checkpoints (a temporary folder if omitted).
    on_stage : callable(str), optional
        Told what runs next.

    Returns
    -------
    dict
        ``config``, ``training_compute_cap_expansions``, ``runs`` (one row per
        run: settings, training measures, held-out means with ``*_ci``),
        ``predictions`` (see :func:`predictions`), ``seconds``.
    """
    if not train or not heldout or not repeats:
        raise ValidationError("tasks", "need at least one training, held-out and repeated task")
    t_start = time.perf_counter()
    say = on_stage or (lambda message: None)
    rng = np.random.default_rng(config.seed)
    rng_extra = np.random.default_rng([config.seed, 1])
    rows_list, budgets = list(config.rows_log2), list(config.budgets)
    top = max(rows_list)
    uniform = UniformPolicy()
    say("uniform prior on the held-out tasks")
    uniform_ev = evaluate(uniform, heldout, config, None, shortest)
    rep_budget = config.repeats_budget
    uniform_rep = evaluate(uniform, repeats, config, None, shortest_repeats, rep_budget)
    base, base_rep = uniform_ev["results"], uniform_rep["results"]
    runs: list[dict] = []
    evals: dict[str, dict] = {}

    def add(name: str, policy, row: dict) -> None:
        if policy is uniform:  # deterministic: its searches are done once
            ev, rep = uniform_ev, uniform_rep
        else:
            ev = evaluate(policy, heldout, config, base, shortest)
            rep = evaluate(policy, repeats, config, base_rep, shortest_repeats, rep_budget)
        evals[name] = ev
        row = {"name": name, **row, **summarise(ev, rng, config.resamples, rng_extra)}
        row["repeats_solve_small"] = float(rep["solved_small"].mean())
        row["repeats_solve_small_ci"] = mean_ci(rep["solved_small"], rng, config.resamples)
        row["repeats_mean_info_bits"] = _nanmean(rep["info_bits"])
        row["repeats_mean_expansions"] = float(rep["expansions"].mean())
        runs.append(row)

    add("none (uniform)", uniform, {"kind": "none", "regime": "no learning"})
    brute = BruteForce(train)
    with tempfile.TemporaryDirectory(prefix="kairos-savant-") as tmp:
        root = Path(work_dir) if work_dir is not None else Path(tmp)
        for b0 in budgets:
            lts_top = None
            for rows in rows_list:
                lts = None
                for objective in OBJECTIVES:
                    say(f"B0={b0:,} {objective} 2^{rows}: bootstrap")
                    state, policy, row = bootstrap_run(
                        train, b0, objective, rows, config, root / f"b{b0}-{objective}-r{rows}"
                    )
                    say(
                        f"B0={b0:,} {objective} 2^{rows}: solved {row['train_solved']}/"
                        f"{len(train)}, {row['train_expansions']:,} expansions, {row['regime']}"
                    )
                    add(f"B0={b0} {objective} 2^{rows}", policy, row)
                    if objective == "lts":
                        lts = (state, row)
                state, row = lts
                xent_eq = ContextModelPolicy(
                    config.domain, spec=SPECS[config.domain](rows), seed=config.seed
                )
                if state.solved:
                    refit(xent_eq, train, state.solved, "xent", config.l2)
                add(
                    f"B0={b0} xent-on-D(lts) 2^{rows}", xent_eq,
                    {**row, "objective": "xent on D(lts)", "kind": "equal data"},
                )  # fmt: skip
                if rows == top:
                    lts_top = lts
            state, row = lts_top
            memo = MemoriserPolicy()
            idx = sorted(state.solved)
            memo.memorise([train[i] for i in idx], [state.solved[i] for i in idx])
            say(f"B0={b0:,} memoriser ({memo.num_entries:,} states)")
            add(
                f"B0={b0} memoriser", memo,
                {**row, "objective": "memorise D(lts)", "kind": "memoriser", "rows_log2": None,
                 "memoriser_entries": memo.num_entries},
            )  # fmt: skip
            final = row["final_budget"]
            bf_solved, bf_spent = brute.train_solved(final, config.cap_expansions)
            add(
                f"B0={b0} none @ {final}", uniform,
                {"B0": b0, "kind": "none", "objective": "none", "regime": "no learning",
                 "final_budget": final, "train_solved": bf_solved, "train_problems": len(train),
                 "train_expansions": bf_spent},
            )  # fmt: skip
    preds = predictions(runs, evals, budgets, rows_list, rng, config.resamples, rng_extra)
    return {
        "config": asdict(config),
        "tasks": {"train": len(train), "heldout": len(heldout), "repeats": len(repeats)},
        "training_compute_cap_expansions": config.cap_expansions,
        "runs": runs,
        "predictions": preds,
        "seconds": time.perf_counter() - t_start,
    }


def _nanmean(values: np.ndarray) -> float:
    values = np.asarray(values, float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def predictions(runs, evals, budgets, rows_list, rng, resamples, rng_extra=None) -> dict:
    """The issue's three predictions as paired differences over held-out tasks, with CIs.

    1: B₀ high minus B₀ low, per objective and capacity; 2: the memoriser
    against the LTS context model of the largest capacity on the same data;
    3: LTS minus cross-entropy, in separate runs and on equal data. The
    measures added after the first benchmark resample with ``rng_extra``.
    """
    rx = rng_extra or rng
    top = max(rows_list)
    lo, hi = min(budgets), max(budgets)
    by = {r["name"]: r for r in runs}
    out: dict = {}
    p1 = {}
    for rows in rows_list:
        for objective in OBJECTIVES:
            a, b = f"B0={hi} {objective} 2^{rows}", f"B0={lo} {objective} 2^{rows}"
            p1[f"{objective} 2^{rows}"] = {
                "train_solved": [by[b]["train_solved"], by[a]["train_solved"]],
                "d_info_bits": paired(evals[a], evals[b], "info_bits", rng, resamples),
                "d_info_shortest_bits": paired(
                    evals[a], evals[b], "info_shortest_bits", rng, resamples
                ),
                "d_solve_small": paired(evals[a], evals[b], "solved_small", rng, resamples),
                "d_info_path_bits": paired(evals[a], evals[b], "info_path_bits", rx, resamples),
                "d_solve_large": paired(evals[a], evals[b], "solved_large", rx, resamples),
            }
    out[PREDICTION_KEYS[0]] = {"compare": f"B0={hi} minus B0={lo}", "by_run": p1}
    p2 = {}
    for b0 in budgets:
        memo, cm = f"B0={b0} memoriser", f"B0={b0} lts 2^{top}"
        p2[str(b0)] = {
            "memoriser_repeats_solve_small": by[memo]["repeats_solve_small"],
            "memoriser_heldout_solve_small": by[memo]["solve_small"],
            "memoriser_info_bits": by[memo]["mean_info_bits"],
            "memoriser_info_shortest_bits": by[memo]["mean_info_shortest_bits"],
            "d_info_bits_memoriser_minus_cm": paired(
                evals[memo], evals[cm], "info_bits", rng, resamples
            ),
            "d_info_shortest_bits_memoriser_minus_cm": paired(
                evals[memo], evals[cm], "info_shortest_bits", rng, resamples
            ),
            "d_info_path_bits_memoriser_minus_cm": paired(
                evals[memo], evals[cm], "info_path_bits", rx, resamples
            ),
            "d_solve_small_memoriser_minus_cm": paired(
                evals[memo], evals[cm], "solved_small", rx, resamples
            ),
        }
    out[PREDICTION_KEYS[1]] = p2
    p3 = {}
    for b0 in budgets:
        for rows in rows_list:
            lts, xent = f"B0={b0} lts 2^{rows}", f"B0={b0} xent 2^{rows}"
            eq = f"B0={b0} xent-on-D(lts) 2^{rows}"
            p3[f"{b0} 2^{rows}"] = {
                "d_info_bits_lts_minus_xent_run": paired(
                    evals[lts], evals[xent], "info_bits", rng, resamples
                ),
                "d_info_bits_lts_minus_xent_equal_data": paired(
                    evals[lts], evals[eq], "info_bits", rng, resamples
                ),
                "d_info_shortest_bits_lts_minus_xent_equal_data": paired(
                    evals[lts], evals[eq], "info_shortest_bits", rng, resamples
                ),
                "d_info_path_bits_lts_minus_xent_equal_data": paired(
                    evals[lts], evals[eq], "info_path_bits", rx, resamples
                ),
            }
    out[PREDICTION_KEYS[2]] = p3
    return out
