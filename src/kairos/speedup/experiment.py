"""``kairos speedup``: the time–information law measured on a training run's priors.

Priors ν0, νD1, νD2, …: νDk is a context model fitted, with the run's own
objective and regulariser, on the first ``n_k`` solutions of the training run
(a random order fixed by ``seed``; the subsets are nested, D1 ⊂ D2 ⊂ …). ν0 is
the uniform prior, or, with ``base="smallest"``, the prior of the smallest
subset (where the uniform prior's tree search cannot finish, e.g. Boxoban,
whose solutions are 60+ bits under it). Every prior searches every held-out
task by tree search (the law's setting) and by the state-cut search (a
secondary), with the same budget.

For each learned prior, the tasks solved under both ν0 and νDk give rows of
:func:`kairos.speedup.measure.pair_rows`; the rows of all k are pooled for the
fits (each row keeps its k). A general-purpose compressor gives an independent
estimate of the same information, ``C(h) − C(h | D)``, with h the solution's
action letters and D the training solutions of the prior.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from kairos.domains.base import Domain
from kairos.errors import ValidationError
from kairos.info.compressor import make_compressor
from kairos.info.measures import code_length, conditional_length
from kairos.policy.uniform import UniformPolicy
from kairos.search.engine import SearchConfig
from kairos.speedup.measure import analyse, coded_stream, measure_prior, pair_rows


def nested_priors(
    problems: Sequence[Domain],
    solved: dict[int, list[int]],
    *,
    domain: str,
    sizes: Sequence[int],
    objective: str = "lts",
    l2: float = 1e-4,
    epsilon: float = 1e-3,
    seed: int = 0,
) -> list[tuple[int, object, list[int]]]:
    """Context models fitted on nested subsets of the solved training problems.

    Returns
    -------
    list of (size, policy, subset indices), in increasing size
    """
    from kairos.policy import new_policy
    from kairos.policy.loss import fit, trajectories_from_solutions

    order = np.random.default_rng(seed).permutation(sorted(solved))
    out = []
    for n in sorted(set(int(s) for s in sizes)):
        if not 1 <= n <= len(order):
            raise ValidationError("sizes", f"subset size {n} outside 1..{len(order)}")
        subset = [int(i) for i in order[:n]]
        policy = new_policy("cm", domain, problems[subset[0]], epsilon=epsilon, seed=seed)
        data = trajectories_from_solutions(
            policy, [problems[i] for i in subset], [solved[i] for i in subset]
        )
        fit(data, policy.beta, objective=objective, l2=l2)
        out.append((n, policy, subset))
    return out


class CompressorEstimate:
    """C(h | D) from a general-purpose compressor, caching C(D) per training set.

    ``information(h, D, D0)`` is ``C(h | D0) − C(h | D)``: what D tells the
    compressor about h beyond D0 (``D0`` empty: ``C(h) − C(h | D)``).
    """

    def __init__(self, name: str = "xz"):

        self.name = name
        self._comp = make_compressor(name)
        self._cache: dict[tuple[str, ...], tuple[bytes, float]] = {}

    def _prefix(self, training: Sequence[str]) -> tuple[bytes, float]:
        key = tuple(training)
        if key not in self._cache:
            data = ("\n".join(training) + "\n").encode()
            self._cache[key] = (data, code_length(data, self._comp))
        return self._cache[key]

    def conditional(self, solution: str, training: Sequence[str]) -> float:
        """C(h | D) in bits (:func:`kairos.info.measures.conditional_length`; C(h) when D is empty)."""
        if not training:
            return code_length(solution.encode(), self._comp)
        data, data_bits = self._prefix(training)
        return conditional_length(solution.encode(), data, self._comp, x_bits=data_bits)

    def information(
        self, solution: str, training: Sequence[str], base: Sequence[str] = ()
    ) -> float:
        return self.conditional(solution, base) - self.conditional(solution, training)


def compressor_information(
    solution: str, training: Sequence[str], compressor_name: str = "xz"
) -> float:
    """C(h) − C(h | D) in bits: what the training solutions tell a compressor about h."""
    return CompressorEstimate(compressor_name).information(solution, training)


def run_speedup(
    tasks: Sequence[Domain],
    problems: Sequence[Domain],
    solved: dict[int, list[int]],
    *,
    domain: str,
    sizes: Sequence[int],
    budget: int,
    objective: str = "lts",
    l2: float = 1e-4,
    seed: int = 0,
    resamples: int = 1000,
    compressor: str = "cm",
    base: str = "uniform",
    on_stage: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> tuple[dict, list[dict]]:
    """Measure the law; returns (summary JSON, per-pair rows).

    ``base`` is ``uniform`` (ν0 = uniform) or ``smallest`` (ν0 = the prior of
    the smallest subset; the other priors are compared with it). ``jobs``
    worker processes search the tasks under each prior.
    """
    if base not in ("uniform", "smallest"):
        raise ValidationError("base", f"got {base!r}, expected 'uniform' or 'smallest'")
    stage = on_stage or (lambda _msg: None)
    stage("fitting nested priors")
    priors = nested_priors(
        problems, solved, domain=domain, sizes=sizes, objective=objective, l2=l2, seed=seed
    )
    if base == "smallest" and len(priors) < 2:
        raise ValidationError("sizes", "base='smallest' needs at least two subset sizes")
    letters = problems[0].action_names if problems else "UDLR"
    training_text = {
        n: ["".join(letters[a] for a in solved[i]) for i in subset] for n, _, subset in priors
    }
    tree = SearchConfig(budget=budget, state_cut=False)
    cut = replace(tree, state_cut=True)
    all_sizes = [n for n, _, _ in priors]
    n0 = all_sizes[0]
    if base == "uniform":
        base_name, base_policy = "uniform", UniformPolicy()
    else:
        n0, base_policy, _ = priors.pop(0)
        base_name = f"D{n0}"
    estimate = CompressorEstimate(compressor)
    base_text = training_text.get(n0, []) if base != "uniform" else []
    stage(f"base prior {base_name}: tree and state-cut search")
    base_tree = measure_prior(tasks, base_policy, tree, jobs=jobs)
    base_cut = measure_prior(tasks, base_policy, cut, jobs=jobs)
    rows: list[dict] = []
    cut_rows: list[dict] = []
    solved_counts = {base_name: {"tree": _count(base_tree), "cut": _count(base_cut)}}
    coding = {base_name: coded_stream(tasks, base_tree, base_policy, state_cut=False)}
    for n, policy, _ in priors:
        stage(f"prior D{n}: tree and state-cut search")
        learned_tree = measure_prior(tasks, policy, tree, jobs=jobs)
        learned_cut = measure_prior(tasks, policy, cut, jobs=jobs)
        solved_counts[f"D{n}"] = {"tree": _count(learned_tree), "cut": _count(learned_cut)}
        coding[f"D{n}"] = coded_stream(tasks, learned_tree, policy, state_cut=False)
        for row in pair_rows(tasks, base_tree, learned_tree, base_policy, state_cut=False):
            row["D"] = n
            row["I_compressor"] = estimate.information(
                learned_tree[row["task"]].action_names, training_text[n], base_text
            )
            rows.append(row)
        for row in pair_rows(tasks, base_cut, learned_cut, base_policy, state_cut=True):
            row["D"] = n
            cut_rows.append(row)
    stage("fitting the law")
    fits = analyse(rows, resamples=resamples, seed=seed)
    cut_fits = analyse(cut_rows, resamples=resamples, seed=seed)
    summary = {
        key: fits["primary"][key]
        for key in ("slope", "intercept", "r2", "n", "slope_ci", "intercept_ci", "r2_ci")
    }
    summary.update(
        {
            "measure": "log2(T0/TD) against I = l_nu0(h0) - l_nuD(hD), tree search",
            "base_prior": base_name,
            "budget": budget,
            "prior_sizes": all_sizes,
            "solved": solved_counts,
            "shared_path": fits["shared_path"],
            "bound": fits["bound"],
            "state_cut": cut_fits["primary"],
            "decomposition": fits["decomposition"],
            "coding": coding,
            "compressor": _compressor_summary(rows, compressor),
        }
    )
    return summary, rows


def _count(results) -> int:
    return sum(r.solved for r in results)


def _compressor_summary(rows: Sequence[dict], name: str) -> dict:
    """How the compressor's estimate of I(h:D) relates to the policy's."""
    if len(rows) < 3:
        return {"compressor": name, "n": len(rows)}
    policy_info = np.array([r["l0_own"] - r["lD_own"] for r in rows])
    comp_info = np.array([r["I_compressor"] for r in rows])
    corr = float(np.corrcoef(policy_info, comp_info)[0, 1]) if np.ptp(comp_info) > 0 else math.nan
    return {
        "compressor": name,
        "n": len(rows),
        "mean_bits_compressor": float(comp_info.mean()),
        "mean_bits_policy": float(policy_info.mean()),
        "pearson_with_policy_estimate": corr,
    }
