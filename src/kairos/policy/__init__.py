"""Policies π(a|s) that guide search; ``POLICIES`` maps CLI names to factories."""

from collections.abc import Callable
from typing import Any

from kairos.errors import ValidationError
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


LEARNABLE_KINDS = ("cm", "nn")


def new_policy(kind: str, domain: str, problem: Any, *, epsilon: float, seed: int) -> Policy:
    """A fresh (uniform) learnable policy of ``kind`` for instances like ``problem``.

    ``cm`` is a context model: over the built-in tile contexts for a domain
    with a compiled form and contexts in :data:`kairos.policy.contexts.SPECS`,
    else over the domain's own ``features(state)``
    (:class:`~kairos.policy.features.FeatureModelPolicy`). ``nn`` is a network
    over a built-in domain's compiled form.

    Raises
    ------
    ValidationError
        ``kind`` is unknown, or the domain offers nothing the kind can learn from.
    """
    from kairos.policy.contexts import SPECS

    builtin = domain in SPECS and hasattr(problem, "compile")
    if kind == "nn":
        from kairos.policy.neural import CHANNELS, NetSpec, NeuralPolicy

        if domain not in CHANNELS or not hasattr(problem, "compile"):
            raise ValidationError(
                "policy",
                f"no network input encoding for domain {domain!r} (networks read the compiled "
                f"form of {sorted(CHANNELS)}); use the context model 'cm'",
            )
        return NeuralPolicy(NetSpec(domain), epsilon=epsilon, seed=seed)
    if kind != "cm":
        raise ValidationError("policy", f"got {kind!r}, expected one of {list(LEARNABLE_KINDS)}")
    if builtin:
        from kairos.policy.cm import ContextModelPolicy

        return ContextModelPolicy(domain, epsilon=epsilon, seed=seed)
    if getattr(problem, "features", None) is not None:
        from kairos.policy.features import FeatureModelPolicy

        return FeatureModelPolicy(domain, len(problem.action_names), epsilon=epsilon, seed=seed)
    raise ValidationError(
        "domain",
        f"{domain!r} has no built-in contexts and no features(state) hook, so no policy can be "
        "learnt for it; add features(state) to the domain (see docs/domains.md)",
    )


__all__ = [
    "LEARNABLE_KINDS",
    "POLICIES",
    "CompiledPolicy",
    "HashedRandomPolicy",
    "Policy",
    "UniformPolicy",
    "new_policy",
    "policy_by_name",
]
