"""The agent: learning, memory, time allocation and audits built on search and policy."""
