"""Synthetic scaling data from known laws, for tests, the demo and the benchmark."""

from __future__ import annotations

import numpy as np

from kairos.scaling.laws import LAWS

HOFFMANN_PARAMS = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
"""Hoffmann et al. 2022's published Chinchilla fit (approach 3)."""


def chinchilla_data(
    num_points: int = 250,
    *,
    params: dict[str, float] = HOFFMANN_PARAMS,
    noise_sigma: float = 0.01,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy losses of models with ``N`` in [7e7, 1.6e10] parameters and ``D`` in [5e9, 5e11] tokens.

    ``N`` and ``D`` are log-uniform; the noise is multiplicative, ``exp(normal(0, noise_sigma))``.

    Returns
    -------
    x : ndarray of shape (num_points, 2)
        Columns ``N`` and ``D``.
    y : ndarray of shape (num_points,)
        Losses.
    """
    rng = np.random.default_rng(seed)
    n = np.exp(rng.uniform(np.log(7e7), np.log(1.6e10), num_points))
    d = np.exp(rng.uniform(np.log(5e9), np.log(5e11), num_points))
    x = np.stack([n, d], axis=1)
    y = LAWS["chinchilla"].predict(params, x) * np.exp(rng.normal(0.0, noise_sigma, num_points))
    return x, y


def curve_data(
    law: str,
    params: dict[str, float],
    x: np.ndarray,
    *,
    noise_sigma: float = 0.01,
    seed: int = 0,
) -> np.ndarray:
    """Noisy ``y`` of shape ``(len(x),)`` from a one-input ``law`` with multiplicative noise."""
    rng = np.random.default_rng(seed)
    y = LAWS[law].predict(params, np.asarray(x, dtype=float))
    return y * np.exp(rng.normal(0.0, noise_sigma, len(y)))
