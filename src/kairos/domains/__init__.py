"""Task domains: the :class:`Domain` protocol, Sokoban and the sliding-tile puzzle.

``LOADERS`` maps a domain name (the CLI choice) to a function reading a file of
problem instances.
"""

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from kairos.domains.base import CompiledDomain, Domain, replay
from kairos.domains.sokoban import Sokoban, read_levels
from kairos.domains.stp import SlidingTile, read_instances


class DomainName(StrEnum):
    """The built-in domains by their command-line names (the keys of ``LOADERS``)."""

    sokoban = "sokoban"
    stp = "stp"


LOADERS: dict[str, Callable[[str | Path], list]] = {
    "sokoban": read_levels,
    "stp": read_instances,
}

__all__ = ["LOADERS", "CompiledDomain", "Domain", "DomainName", "SlidingTile", "Sokoban", "replay"]
