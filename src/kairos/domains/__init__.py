"""Task domains: the :class:`Domain` protocol, the registry, Sokoban and the sliding-tile puzzle.

:func:`available_domains` lists the domain names (the CLI choices): the
built-ins and every plug-in registered under the entry-point group
``kairos.domains``; :func:`load_domain_file` reads a file of problem instances
of one of them (see :mod:`kairos.domains.registry`).
"""

from enum import StrEnum

from kairos.domains.base import CompiledDomain, Domain, replay
from kairos.domains.registry import (
    ENTRY_POINT_GROUP,
    available_domains,
    domain_loader,
    load_domain_file,
    register_domain,
    unregister_domain,
)
from kairos.domains.sokoban import Sokoban, read_levels
from kairos.domains.stp import SlidingTile, read_instances

# The domain names when kairos was imported, as an enum for the CLI's choices.
DomainName = StrEnum("DomainName", {name: name for name in available_domains()})

__all__ = [
    "ENTRY_POINT_GROUP",
    "CompiledDomain",
    "Domain",
    "DomainName",
    "SlidingTile",
    "Sokoban",
    "available_domains",
    "domain_loader",
    "load_domain_file",
    "read_instances",
    "read_levels",
    "register_domain",
    "replay",
    "unregister_domain",
]
