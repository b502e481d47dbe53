"""Policies π(a|s) that guide search; ``POLICIES`` maps CLI names to factories."""

from collections.abc import Callable

from kairos.policy.base import CompiledPolicy, Policy
from kairos.policy.hashed import HashedRandomPolicy
from kairos.policy.uniform import UniformPolicy


def _shipped_boxoban() -> Policy:
    from kairos.data import BOXOBAN_POLICY, data_path
    from kairos.policy.files import load_policy

    return load_policy(data_path(BOXOBAN_POLICY), domain="sokoban")


POLICIES: dict[str, Callable[[], Policy]] = {
    "uniform": UniformPolicy,
    "boxoban-cm": _shipped_boxoban,  # the shipped context model trained on Boxoban
}


def policy_by_name(name: str, *, domain: str) -> Policy:
    """A registered policy (``POLICIES``) by name, else a policy file at path ``name``.

    Raises
    ------
    FileFormatError
        If ``name`` is not registered and is not a valid policy file for ``domain``.
    """
    if name in POLICIES:
        return POLICIES[name]()
    from kairos.policy.files import load_policy

    return load_policy(name, domain=domain)


__all__ = [
    "POLICIES",
    "CompiledPolicy",
    "HashedRandomPolicy",
    "Policy",
    "UniformPolicy",
    "policy_by_name",
]
