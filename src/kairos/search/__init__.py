"""Best-first search: Levin Tree Search, BFS, weighted A* and PHS*, one compiled kernel.

``ALGORITHMS`` lists the CLI choices; :func:`search` runs the compiled kernel,
:func:`reference_search` the pure-Python oracle with the same semantics.
"""

from kairos.search.engine import ALGORITHM_CODES, SearchConfig, SearchSession, search
from kairos.search.reference import reference_search
from kairos.search.result import SearchResult

ALGORITHMS: tuple[str, ...] = tuple(ALGORITHM_CODES)

__all__ = [
    "ALGORITHMS",
    "SearchConfig",
    "SearchResult",
    "SearchSession",
    "reference_search",
    "search",
]
