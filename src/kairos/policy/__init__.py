"""Policies π(a|s) that guide search; ``POLICIES`` maps CLI names to factories."""

from collections.abc import Callable

from kairos.policy.base import CompiledPolicy, Policy
from kairos.policy.hashed import HashedRandomPolicy
from kairos.policy.uniform import UniformPolicy

POLICIES: dict[str, Callable[[], Policy]] = {"uniform": UniformPolicy}

__all__ = ["POLICIES", "CompiledPolicy", "HashedRandomPolicy", "Policy", "UniformPolicy"]
