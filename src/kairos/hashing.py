"""The 64-bit mixing function shared by the compiled kernels that hash integers.

``mix64`` is the finaliser of SplitMix64 (Steele, Lea, Flood 2014): a
bijection on 64-bit words whose output bits each depend on every input bit.
The search kernel hashes packed states with it and the context model hashes
tile patterns; both must keep these exact constants, since policy files store
weights at hashed positions.
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment, a seed constant
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, inline="always")
def mix64(h):
    """SplitMix64 finaliser of a uint64."""
    h = (h ^ (h >> np.uint64(30))) * _M1
    h = (h ^ (h >> np.uint64(27))) * _M2
    return h ^ (h >> np.uint64(31))
