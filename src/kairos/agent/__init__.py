"""The agent: bootstrap learning of search policies, memory, time allocation and audits."""

from kairos.agent.bootstrap import BootstrapConfig, BootstrapState, run_bootstrap

__all__ = ["BootstrapConfig", "BootstrapState", "run_bootstrap"]
