"""The unbiased pass@k estimator (Chen et al. 2021), in a numerically stable form."""

from __future__ import annotations

import numpy as np


def pass_at_k(num_samples, num_correct, k):
    """Unbiased estimate of pass@k from ``num_correct`` successes in ``num_samples`` tries.

    ``pass@k = 1 − C(n − c, k) / C(n, k)``, computed as
    ``1 − prod_{i=n−c+1}^{n} (1 − k / i)`` so that large ``n`` never overflows.

    Parameters
    ----------
    num_samples : int or ndarray of int
        ``n``, samples drawn per problem.
    num_correct : int or ndarray of int
        ``c``, how many of them were correct; ``0 <= c <= n``.
    k : int or ndarray of int
        Budget of attempts; ``1 <= k <= n``.

    Returns
    -------
    float or ndarray of float
        pass@k, broadcast over the inputs.
    """
    n, c, k = np.broadcast_arrays(
        np.asarray(num_samples, dtype=np.int64),
        np.asarray(num_correct, dtype=np.int64),
        np.asarray(k, dtype=np.int64),
    )
    if np.any(k < 1) or np.any(k > n) or np.any(c < 0) or np.any(c > n):
        from kairos.errors import ValidationError

        raise ValidationError("k", "need 1 <= k <= num_samples and 0 <= num_correct <= num_samples")
    out = np.empty(n.shape, dtype=float)
    for idx in np.ndindex(n.shape):
        ni, ci, ki = int(n[idx]), int(c[idx]), int(k[idx])
        if ni - ci < ki:
            out[idx] = 1.0
        else:
            out[idx] = 1.0 - float(np.prod(1.0 - ki / np.arange(ni - ci + 1, ni + 1)))
    return out if out.ndim else float(out)


def coverage_curve(num_samples, num_correct, ks) -> np.ndarray:
    """Mean pass@k over problems for each budget in ``ks``: the curve the coverage law fits.

    Parameters
    ----------
    num_samples : ndarray of int, shape (num_problems,)
    num_correct : ndarray of int, shape (num_problems,)
    ks : sequence of int, each ``<= min(num_samples)``

    Returns
    -------
    ndarray of float, shape (len(ks),)
    """
    n = np.asarray(num_samples)
    c = np.asarray(num_correct)
    return np.array([float(np.mean(pass_at_k(n, c, k))) for k in ks])
