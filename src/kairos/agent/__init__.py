"""The agent: bootstrap learning of search policies, memory, time allocation and audits.

Names are loaded on first use, so that importing :mod:`kairos.agent.commands`
(the CLI) does not pull in numba.
"""

from typing import Any

__all__ = ["BootstrapConfig", "BootstrapState", "run_bootstrap"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kairos.agent import bootstrap

        return getattr(bootstrap, name)
    raise AttributeError(f"module 'kairos.agent' has no attribute {name!r}")
