"""Summary figures of a batch of search results (what ``solve`` prints and records)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from kairos.search.result import SearchResult


def summarise(results: Sequence[SearchResult]) -> dict[str, float]:
    """Solved count, mean/median/max expansions, mean solution length, seconds.

    Returns
    -------
    dict
        ``problems``, ``solved``, ``mean_expansions``, ``median_expansions``,
        ``max_expansions``, ``mean_length`` (actions; nan if none solved) and
        ``seconds`` (summed search time).
    """
    expansions = [r.expansions for r in results]
    lengths = [r.length for r in results if r.solved]
    return {
        "problems": len(results),
        "solved": sum(r.solved for r in results),
        "mean_expansions": statistics.fmean(expansions) if expansions else 0.0,
        "median_expansions": statistics.median(expansions) if expansions else 0.0,
        "max_expansions": max(expansions, default=0),
        "mean_length": statistics.fmean(lengths) if lengths else float("nan"),
        "seconds": sum(r.seconds for r in results),
    }
