"""kairos: intelligence is about time.

A toolkit for measuring how learning makes search faster (a Levin Tree Search
agent), information as compression, the real cost of test-time compute, and
scaling laws. Heavy dependencies (torch, numba, ray) are imported lazily by
the modules that need them, so ``import kairos`` stays cheap.
"""

__version__ = "0.1.0"
