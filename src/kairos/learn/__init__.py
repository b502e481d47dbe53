"""Learning search policies: the bootstrap (solve, retrain on the solutions, repeat).

Names are loaded on first use, so that importing the ``train`` command does not
pull in numba.
"""

from typing import Any

__all__ = ["BootstrapConfig", "BootstrapState", "run_bootstrap"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kairos.learn import bootstrap

        return getattr(bootstrap, name)
    raise AttributeError(f"module 'kairos.learn' has no attribute {name!r}")
