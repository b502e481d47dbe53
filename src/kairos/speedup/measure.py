"""Measuring the time–information law: log2 speed-up against I(h:D) in bits.

Achille & Soatto's law says that learning from data D speeds up the search for
a solution h by ``log2 T0/TD = I(h:D) = ℓ_ν0(h) − ℓ_νD(h)`` bits, where ν0 is
the prior before learning, νD after, and ℓ_ν(h) = −log2 ν(h) the code length
of the solution under the prior. This module measures both sides on held-out
tasks.

For every prior in a sequence (ν0, νD1, νD2, …), every task is searched with
the same algorithm and budget (:func:`measure_prior`); for every task solved
under both ν0 and νD, :func:`pair_rows` records:

- ``T0``, ``TD``: measured expansions;
- ``l0_own``, ``lD_own``: ℓ of the solution each prior found itself (primary
  measure: I = ℓ_ν0(h0) − ℓ_νD(hD));
- ``l0_shared``, ``lD_shared``: one path (hD) scored under both priors
  (the secondary *shared-path* measure);
- ``bound0``, ``boundD``: log2 of the LTS bound d(h)/ν(h) (the variant that
  replaces measured time by the bound);
- ``unused0``, ``unusedD``: log2 T − log2 bound, the (negative) log of the
  fraction of its bound the search used.

The identity behind the offset and slope: for LTS,
``log2 T = log2 d(h) + ℓ_ν(h) + u`` exactly, with u ≤ 0 the log-fraction of
the bound used. So ``log2 T0/TD = I + log2 d0/dD + (u0 − uD)``: the intercept
is the mean of the last two terms, and the slope departs from 1 as far as
they co-vary with I (:func:`decompose`). :func:`coded_stream` range-codes a
prior's solutions (:mod:`kairos.info.coding`) to show the bits actually written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kairos.domains.base import Domain
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy
from kairos.scaling.line import fit_line
from kairos.search.engine import SearchConfig
from kairos.search.paths import code_length_bits, path_distributions
from kairos.search.result import SearchResult

LN2 = math.log(2.0)


def coded_stream(
    tasks: Sequence[Domain],
    results: Sequence[SearchResult],
    policy: Policy | None,
    *,
    state_cut: bool = True,
) -> dict[str, float]:
    """Range-code every found solution under its prior as one stream.

    Returns the number of paths, their ideal code length Σ ℓ_ν(h) and the bits
    actually written (whole 32-bit words), so the coder's overhead per stream
    can be checked (it is at most 64 bits).
    """
    from kairos.info.coding import WORD_BITS, decode_symbols, encode_symbols

    policy = policy or UniformPolicy()
    symbols: list[int] = []
    rows: list[np.ndarray] = []
    for task, result in zip(tasks, results, strict=True):
        if result.solved and result.actions:
            rows.append(path_distributions(task, result.actions, policy, state_cut=state_cut))
            symbols.extend(result.actions)
    if not rows:
        return {"paths": 0, "ideal_bits": 0.0, "written_bits": 0, "round_trip": True}
    probs = np.concatenate(rows)
    words = encode_symbols(symbols, probs)
    ideal = float(-np.log2(probs[np.arange(len(symbols)), symbols]).sum())
    return {
        "paths": len(rows),
        "ideal_bits": ideal,
        "written_bits": WORD_BITS * len(words),
        "round_trip": decode_symbols(words, probs).tolist() == symbols,
    }


def measure_prior(
    tasks: Sequence[Domain], policy: Policy | None, config: SearchConfig, *, jobs: int = 1
) -> list[SearchResult]:
    """Search every task under one prior with one configuration (``jobs`` worker processes)."""
    from kairos.search.parallel import solve_all

    return solve_all(tasks, config, policy, jobs=jobs)


def pair_rows(
    tasks: Sequence[Domain],
    base: Sequence[SearchResult],
    learned: Sequence[SearchResult],
    base_policy: Policy | None,
    *,
    state_cut: bool = False,
) -> list[dict[str, float]]:
    """One row per task solved under both priors (see the module docstring for columns).

    ``state_cut`` must be the setting the results were searched with: it
    decides how the shared path is scored under the base prior.
    """
    base_policy = base_policy or UniformPolicy()
    rows = []
    for index, (task, r0, rd) in enumerate(zip(tasks, base, learned, strict=True)):
        if not (r0.solved and rd.solved):
            continue
        row = {
            "task": index,
            "problem": task.name,
            "T0": r0.expansions,
            "TD": rd.expansions,
            "d0": r0.length + 1,
            "dD": rd.length + 1,
            "l0_own": -r0.solution_log_prob / LN2,
            "lD_own": -rd.solution_log_prob / LN2,
            "l0_shared": code_length_bits(task, rd.actions, base_policy, state_cut=state_cut),
            "lD_shared": -rd.solution_log_prob / LN2,
            "bound0": r0.log_bound / LN2,
            "boundD": rd.log_bound / LN2,
        }
        row["unused0"] = math.log2(row["T0"]) - row["bound0"]
        row["unusedD"] = math.log2(row["TD"]) - row["boundD"]
        rows.append(row)
    return rows


MIN_PAIRS_FOR_FIT = 8  # tasks solved under both priors below which kairos speedup refuses a fit


def analyse(rows: Sequence[dict[str, float]], *, resamples: int = 1000, seed: int = 0) -> dict:
    """Fits of log2 speed-up against information: primary, shared-path and bound variants."""
    if not rows:
        nan = fit_line([], [])  # every key of a fit, all NaN, n = 0
        return {"primary": nan, "shared_path": nan, "bound": nan, "decomposition": {}}
    col = {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0] if k != "problem"}
    speedup = np.log2(col["T0"] / col["TD"])
    info_own = col["l0_own"] - col["lD_own"]
    info_shared = col["l0_shared"] - col["lD_shared"]
    bound_speedup = col["bound0"] - col["boundD"]
    result = {
        "primary": fit_line(info_own, speedup, resamples=resamples, seed=seed),
        "shared_path": fit_line(info_shared, speedup, resamples=resamples, seed=seed),
        "bound": fit_line(info_own, bound_speedup, resamples=resamples, seed=seed),
        "decomposition": decompose(col),
    }
    return result


def decompose(col: dict[str, np.ndarray]) -> dict[str, float]:
    """Split log2 T0/TD − I into the depth term and the unused-bound term (means, bits).

    ``log2 T0/TD − I = log2 d0/dD + (u0 − uD)`` holds row by row; the means
    are the fit's intercept when the slope is 1, and their covariances with I
    tell how far each term bends the slope away from 1.
    """
    info = col["l0_own"] - col["lD_own"]
    depth = np.log2(col["d0"] / col["dD"])
    unused = col["unused0"] - col["unusedD"]
    var = float(np.var(info)) if len(info) > 1 else math.nan

    def slope_share(term: np.ndarray) -> float:
        if not var or math.isnan(var):
            return math.nan
        return float(np.cov(term, info, bias=True)[0, 1] / var)

    return {
        "mean_depth_term": float(depth.mean()),
        "mean_unused_term": float(unused.mean()),
        "mean_unused0": float(col["unused0"].mean()),
        "mean_unusedD": float(col["unusedD"].mean()),
        "slope_from_depth_term": slope_share(depth),
        "slope_from_unused_term": slope_share(unused),
    }
