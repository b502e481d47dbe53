"""The agent: bootstrap learning of search policies from solved problems."""

from kairos.agent.bootstrap import BootstrapConfig, BootstrapState, run_bootstrap

__all__ = ["BootstrapConfig", "BootstrapState", "run_bootstrap"]
