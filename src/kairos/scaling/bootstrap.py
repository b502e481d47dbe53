"""Bootstrap over data points: percentile CIs for parameters, predictions and derived values.

Each resample is a vector of multiplicities (how often each point is drawn),
so a refit only reweights the loss; it starts from the full-data optimum and
needs one short L-BFGS-B run. The multiplicities are drawn up front from one
seed, which makes the result independent of how many worker processes ran.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from kairos.scaling.fit import (
    FitConfig,
    FitResult,
    minimize_from,
    normalize_x,
    normalize_y,
    single_threaded_blas,
)
from kairos.scaling.laws import LAWS, LawBase


@dataclass(frozen=True)
class BootstrapResult:
    """Refits of one law on resampled data.

    Attributes
    ----------
    thetas : ndarray of shape (num_resamples, p)
        Internal parameters for raw ``x``, one row per resample.
    values : ndarray of shape (num_resamples, p)
        The same as named-parameter values (columns follow ``param_names``).
    converged : ndarray of bool, shape (num_resamples,)
    param_names : tuple of str
    """

    law: str
    thetas: np.ndarray
    values: np.ndarray
    converged: np.ndarray
    param_names: tuple[str, ...]

    @property
    def num_resamples(self) -> int:
        return len(self.thetas)

    def param_samples(self) -> dict[str, np.ndarray]:
        """Resampled values per parameter name."""
        return {n: self.values[:, i] for i, n in enumerate(self.param_names)}

    def param_ci(self, level: float = 0.95) -> dict[str, list[float]]:
        """Percentile interval ``[low, high]`` per parameter."""
        return {n: percentile_ci(v, level) for n, v in self.param_samples().items()}

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions of every resample; ``x`` of shape ``(m,)`` or ``(m, k)``, returns ``(R, m)``."""
        law = LAWS[self.law]
        log_x = np.log(np.asarray(x, dtype=float).reshape(len(x), law.num_inputs))
        return np.exp(law.log_predict(self.thetas, log_x))

    def prediction_band(self, x: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise percentile band ``(low (m,), high (m,))`` of the predictions at ``x``."""
        tail = 50.0 * (1.0 - level)
        low, high = np.percentile(self.predict(x), [tail, 100.0 - tail], axis=0)
        return low, high


def percentile_ci(samples: np.ndarray, level: float = 0.95) -> list[float]:
    """Percentile interval of ``samples`` at confidence ``level``, ignoring non-finite values."""
    samples = np.asarray(samples, dtype=float)
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return [float("nan"), float("nan")]
    tail = 50.0 * (1.0 - level)
    low, high = np.percentile(samples, [tail, 100.0 - tail])
    return [float(low), float(high)]


def _refit_chunk(
    law_name: str,
    log_x: np.ndarray,
    log_y: np.ndarray,
    theta0: np.ndarray,
    counts: np.ndarray,
    config: FitConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Refit on each row of ``counts`` (shape ``(c, n)``); returns ``(thetas (c, p), converged (c,))``."""
    law = LAWS[law_name]
    thetas = np.empty((len(counts), len(theta0)))
    converged = np.empty(len(counts), dtype=bool)
    with single_threaded_blas():
        for i, weights in enumerate(counts):
            result = minimize_from(theta0, law, log_x, log_y, weights.astype(float), config)
            thetas[i] = result.x
            converged[i] = result.success
    return thetas, converged


def bootstrap(
    law: LawBase,
    x: np.ndarray,
    y: np.ndarray,
    fit: FitResult,
    *,
    num_resamples: int = 1000,
    seed: int = 0,
    workers: int = 1,
    config: FitConfig = FitConfig(),
    on_progress: Callable[[int], None] | None = None,
) -> BootstrapResult:
    """Refit ``law`` on ``num_resamples`` resamples of the points, warm-started at ``fit``.

    Parameters
    ----------
    x : ndarray of shape (n,) or (n, law.num_inputs)
    y : ndarray of shape (n,)
    fit : the full-data fit (its optimum is every refit's starting point)
    workers : int
        Worker processes; 1 runs in this process.
    on_progress : callable, optional
        Called with the number of resamples just finished.
    """
    from kairos.errors import ValidationError

    if num_resamples < 1:
        raise ValidationError("num_resamples", f"got {num_resamples}; must be >= 1")
    if workers < 1:
        raise ValidationError("workers", f"got {workers}; must be >= 1")
    x = np.asarray(x, dtype=float).reshape(len(y), law.num_inputs)
    log_x, log_x0 = normalize_x(np.log(x))
    log_y, log_y0 = normalize_y(np.log(np.asarray(y, dtype=float)), law)
    n = len(log_y)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=num_resamples).astype(np.int32)
    num_chunks = min(num_resamples, max(1, 4 * workers))
    chunks = np.array_split(np.arange(num_resamples), num_chunks)
    thetas = np.empty((num_resamples, len(law.params)))
    converged = np.empty(num_resamples, dtype=bool)
    args = (law.name, log_x, log_y, fit.theta_normalized, config)
    if workers == 1:
        for idx in chunks:
            thetas[idx], converged[idx] = _refit_chunk(*args[:4], counts[idx], args[4])
            if on_progress:
                on_progress(len(idx))
    else:
        # Workers fork from a clean, single-threaded server process (forking this one, which
        # may have started torch or BLAS threads, can hang); the server imports the fitting
        # code once, so each worker starts in milliseconds instead of re-importing SciPy.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["kairos.scaling.bootstrap"])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                pool.submit(_refit_chunk, *args[:4], counts[idx], args[4]): idx for idx in chunks
            }
            for future in as_completed(futures):
                idx = futures[future]
                thetas[idx], converged[idx] = future.result()
                if on_progress:
                    on_progress(len(idx))
    raw = np.stack([law.rescale(t, log_x0, log_y0) for t in thetas])
    return BootstrapResult(
        law=law.name,
        thetas=raw,
        values=law.values_array(raw),
        converged=converged,
        param_names=law.param_names,
    )
