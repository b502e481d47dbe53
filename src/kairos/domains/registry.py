"""The domain registry: built-in domains, and plug-ins found by entry point.

A domain is known by a short name (the CLI choice, e.g. ``sokoban``) and a
*loader*: a callable taking a file path and returning a list of
:class:`~kairos.domains.base.Domain` objects, the problem instances in that
file. The built-in loaders are registered here; a third-party package adds its
own under the entry-point group ``kairos.domains``, e.g. in its
``pyproject.toml``::

    [project.entry-points."kairos.domains"]
    keymaze = "keymaze:read_mazes"

Entry points are listed by name on first use and imported only when their
domain is loaded, so asking for the choices stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from kairos.domains.base import Domain
from kairos.errors import ValidationError

ENTRY_POINT_GROUP = "kairos.domains"

Loader = Callable[[str | Path], list[Domain]]


def _read_sokoban(path: str | Path) -> list[Domain]:
    from kairos.domains.sokoban import read_levels

    return read_levels(path)


def _read_stp(path: str | Path) -> list[Domain]:
    from kairos.domains.stp import read_instances

    return read_instances(path)


def _read_programs(path: str | Path) -> list[Domain]:
    from kairos.domains.programs.domain import read_program_tasks

    return read_program_tasks(path)


BUILTIN: dict[str, Loader] = {
    "sokoban": _read_sokoban,
    "stp": _read_stp,
    "programs": _read_programs,
}
_registered: dict[str, Loader] = {}


class UnknownDomainError(ValidationError):
    """A domain name that neither kairos nor any installed plug-in registers."""


class DomainPluginError(ValidationError):
    """A plug-in's entry point cannot be imported, or is not a loader."""


def _plugins() -> dict[str, EntryPoint]:
    """Installed entry points of the group, by name (read afresh: installs may change)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_domains() -> list[str]:
    """Every domain name: built-ins first, then registered and plug-in names, sorted."""
    extra = (set(_registered) | set(_plugins())) - set(BUILTIN)
    return [*BUILTIN, *sorted(extra)]


def register_domain(name: str, loader: Loader) -> None:
    """Register ``loader`` under ``name`` for this process (built-in names cannot be replaced).

    Raises
    ------
    ValidationError
        ``name`` is a built-in domain, is empty, or ``loader`` is not callable.
    """
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValidationError("name", f"got {name!r}, expected letters, digits, '-' or '_'")
    if name in BUILTIN:
        raise ValidationError("name", f"{name!r} is a built-in domain; choose another name")
    if not callable(loader):
        raise ValidationError("loader", f"got {type(loader).__name__}, expected a callable")
    _registered[name] = loader


def unregister_domain(name: str) -> None:
    """Forget a registration made by :func:`register_domain` (built-ins and plug-ins stay)."""
    _registered.pop(name, None)


def domain_loader(name: str) -> Loader:
    """The loader registered under ``name``.

    Raises
    ------
    UnknownDomainError
        ``name`` is not registered; the message lists the choices.
    DomainPluginError
        The plug-in's entry point fails to import or is not callable.
    """
    if name in BUILTIN:
        return BUILTIN[name]
    if name in _registered:
        return _registered[name]
    plugin = _plugins().get(name)
    if plugin is None:
        raise UnknownDomainError(
            "domain",
            f"unknown domain {name!r}; choose one of {', '.join(available_domains())} "
            f"(a plug-in registers more under the entry-point group {ENTRY_POINT_GROUP!r})",
        )
    try:
        loader = plugin.load()
    except Exception as exc:  # any import failure of third-party code
        raise DomainPluginError(
            "domain",
            f"plug-in {name!r} ({plugin.value}) failed to import: {type(exc).__name__}: {exc}; "
            "fix or reinstall the package that provides it",
        ) from None
    if not callable(loader):
        raise DomainPluginError(
            "domain", f"plug-in {name!r} ({plugin.value}) is a {type(loader).__name__}, "
            "expected a callable taking a file path and returning a list of domains",
        )  # fmt: skip
    return loader


def load_domain_file(name: str, path: str | Path) -> list[Domain]:
    """The problem instances in ``path``, read by the loader of domain ``name``.

    Raises
    ------
    UnknownDomainError, DomainPluginError
        See :func:`domain_loader`.
    InputFormatError
        From the loader, when the file is malformed.
    DomainPluginError
        A plug-in's loader returns something other than a list of domains.
    """
    problems = domain_loader(name)(path)
    if not isinstance(problems, list) or not all(isinstance(p, Domain) for p in problems):
        raise DomainPluginError(
            "domain",
            f"the loader of {name!r} returned {type(problems).__name__} for {path}, expected a "
            "list of objects with the Domain members (kairos.domains.base.Domain)",
        )
    return problems
