"""The TONI audit: three measures of the traits of non-intelligence.

Achille & Soatto name three habits an intelligent agent avoids; each gets one
number here, computed from the tables an agent run writes
(:mod:`kairos.agent.episode`):

1. *Repeated tasks*: expansions on the second encounter of a solved task ÷
   expansions on the first. An agent with a memory of verified solutions
   scores 0 (target 0).
2. *Effort against difficulty*: the Spearman rank correlation between the
   expansions spent on a solved task and an independent difficulty measure
   (the optimal solution length from BFS for the sliding-tile puzzle; the code
   length ℓ_ν0 = −log2 ν0(h) of the solution under the uninformed prior for
   Sokoban). Target ≥ 0.7: effort should follow difficulty.
3. *Hopeless starts*: the share of all expansions spent on tasks never solved,
   per allocation method (lower is better; the allocator against the baselines).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import spearmanr

from kairos.domains.base import Domain

REPEAT_TARGET = 0.0
EFFORT_TARGET = 0.7


def uniform_code_length(domain: Domain, actions: Sequence[int]) -> float:
    """ℓ_ν0(h) in bits: −log2 of the path's probability when every legal action is equally likely."""
    state = domain.initial_state()
    bits = 0.0
    for action in actions:
        bits += math.log2(len(domain.legal_actions(state)))
        state = domain.step(state, action)
    return bits


def repeat_ratio(pairs: Sequence[tuple[int, int]]) -> float:
    """Σ second-encounter expansions ÷ Σ first-encounter expansions (nan if no pairs)."""
    first = sum(a for a, _ in pairs)
    second = sum(b for _, b in pairs)
    return second / first if first else math.nan


def effort_correlation(expansions: Sequence[float], difficulty: Sequence[float]) -> float:
    """Spearman's ρ between effort and difficulty (nan with fewer than 3 tasks or no spread)."""
    x = np.asarray(expansions, dtype=np.float64)
    d = np.asarray(difficulty, dtype=np.float64)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(d) == 0:
        return math.nan
    return float(spearmanr(x, d).statistic)


def hopeless_shares(rows: Sequence[Mapping[str, object]]) -> dict[str, float]:
    """Per method, the share of its expansions spent on tasks it never solved."""
    shares: dict[str, float] = {}
    for method in dict.fromkeys(str(r["method"]) for r in rows):
        mine = [r for r in rows if r["method"] == method]
        total = sum(int(r["expansions"]) for r in mine)
        wasted = sum(int(r["expansions"]) for r in mine if r["outcome"] != "solved")
        shares[method] = wasted / total if total else 0.0
    return shares
