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

__all__ = ["POLICIES", "CompiledPolicy", "HashedRandomPolicy", "Policy", "UniformPolicy"]
