"""Scaling laws as small classes: parameters, bounds, a vectorised predictor and its Jacobian.

Every law predicts ``log y`` from ``log x``. Fitting happens in *internal*
coordinates ``theta``: scales and exponents, which must be positive, are
fitted as their logarithms (``Param.log_space``); the offset ``E``, which may
be exactly 0, is fitted as it is within ``[0, upper]``. Each law knows how to

- predict ``log y`` for one ``theta`` of shape ``(p,)`` or a batch of shape
  ``(g, p)`` (used to score a whole grid of starting points at once),
- return the Jacobian ``d log y / d theta`` (for an analytic loss gradient),
- move parameters fitted on ``x / x0`` and ``y / y0`` back to the raw scales
  (fitting on centred ``log x`` decorrelates scale and exponent, which makes
  the optimiser's job much better conditioned; dividing ``y`` puts ``E`` near 1),
- propose a grid of starting points from the data.

The registry :data:`LAWS` maps the CLI names to instances.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Param:
    """One parameter of a law.

    ``lower``/``upper`` bound the *fitted* coordinate (the log of the value
    when ``log_space``).
    """

    name: str
    log_space: bool
    lower: float
    upper: float


_LOG_SCALE = (-50.0, 50.0)  # bounds on log(scale parameters): e^±50 covers any sane unit
# The offset E is fitted linearly on [0, _OFFSET_MAX] (y divided by its geometric mean):
# in log space its gradient vanishes as E -> 0, and fits that wander there never return.
_OFFSET = ("E", False, 0.0, 1e3)
_LOG_EXPONENT = (float(np.log(1e-4)), float(np.log(20.0)))  # exponents in [1e-4, 20]


def _log_offset(e: np.ndarray) -> np.ndarray:
    """log E, with log 0 = -inf (an offset of exactly 0 is allowed)."""
    with np.errstate(divide="ignore"):
        return np.log(e)


def _inverse_y(log_y: np.ndarray) -> np.ndarray:
    """``d log y / dE = 1/y``, capped so that a line search probing y -> 0 stays finite."""
    return np.exp(np.minimum(-log_y, 50.0))


def _softplus(v: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, v)


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * v))


def _levels(y: np.ndarray) -> tuple[float, float]:
    """Smallest y and the spread of y, the scales the starting grids are built from."""
    y_min = float(np.min(y))
    spread = float(np.max(y) - y_min)
    return y_min, max(spread, 1e-3 * abs(y_min), 1e-12)


class Law(Protocol):
    """What the fitter needs from a scaling law."""

    name: str
    num_inputs: int
    params: tuple[Param, ...]

    def log_predict(self, theta: np.ndarray, log_x: np.ndarray) -> np.ndarray:
        """``log y`` of shape ``theta.shape[:-1] + (n,)`` for ``log_x`` of shape ``(n, num_inputs)``."""
        ...

    def jacobian(self, theta: np.ndarray, log_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(log_y (n,), d log_y / d theta (n, p))`` for one ``theta`` of shape ``(p,)``."""
        ...

    def rescale(self, theta: np.ndarray, log_x0: np.ndarray, log_y0: float = 0.0) -> np.ndarray:
        """Map ``theta`` fitted on ``(x / x0, y / y0)`` to the equivalent ``theta`` for raw data."""
        ...

    def initial_grid(self, log_x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Starting points, shape ``(g, p)``, for data already divided by ``x0`` (and ``y0``)."""
        ...

    def asymptote(self, values: dict[str, float]) -> float | None:
        """Limit of y as x grows without bound (None when there is none)."""
        ...


class LawBase:
    """Base of every registered law: named parameters, bounds and value conversions.

    Subclasses implement the :class:`Law` protocol's mathematics; this class
    adds the conversions between internal ``theta`` and named values.
    """

    name: str
    num_inputs: int
    params: tuple[Param, ...]
    scales_with_y: bool = True  # y = E + ...: dividing y by y0 divides E and the scales

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def bounds(self) -> list[tuple[float, float]]:
        return [(p.lower, p.upper) for p in self.params]

    def to_values(self, theta: np.ndarray) -> dict[str, float]:
        """Named parameter values (exponentiating log-space ones)."""
        return {
            p.name: float(np.exp(t)) if p.log_space else float(t)
            for p, t in zip(self.params, theta, strict=True)
        }

    def values_array(self, thetas: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`to_values`: ``(..., p)`` internal to ``(..., p)`` values."""
        mask = np.array([p.log_space for p in self.params])
        return np.where(mask, np.exp(np.where(mask, thetas, 0.0)), thetas)

    def from_values(self, values: dict[str, float]) -> np.ndarray:
        """Internal ``theta`` from named values (the inverse of :meth:`to_values`)."""
        return np.array(
            [np.log(values[p.name]) if p.log_space else values[p.name] for p in self.params],
            dtype=float,
        )

    def predict(self, values: dict[str, float], x: np.ndarray) -> np.ndarray:
        """y for named parameter values; ``x`` of shape ``(n,)`` or ``(n, num_inputs)``."""
        x = np.asarray(x, dtype=float).reshape(len(x), self.num_inputs)
        return np.exp(self.log_predict(self.from_values(values), np.log(x)))


class PowerLaw(LawBase):
    """Power law with an offset: ``y = E + A * x**-alpha``; asymptote ``E``."""

    name = "power"
    num_inputs = 1
    params = (
        Param(*_OFFSET),
        Param("A", True, *_LOG_SCALE),
        Param("alpha", True, *_LOG_EXPONENT),
    )

    def log_predict(self, theta, log_x):
        e, a, alpha = (theta[..., i, None] for i in range(3))
        return np.logaddexp(_log_offset(e), a - np.exp(alpha) * log_x[:, 0])

    def jacobian(self, theta, log_x):
        e, a, log_alpha = theta
        lx = log_x[:, 0]
        alpha = np.exp(log_alpha)
        term = a - alpha * lx
        log_y = np.logaddexp(_log_offset(e), term)
        w_term = np.exp(term - log_y)
        jac = np.stack([_inverse_y(log_y), w_term, -w_term * lx * alpha], axis=1)
        return log_y, jac

    def rescale(self, theta, log_x0, log_y0=0.0):
        out = theta.copy()
        out[0] *= np.exp(log_y0)
        out[1] += np.exp(theta[2]) * log_x0[0] + log_y0
        return out

    def initial_grid(self, log_x, y):
        y_min, spread = _levels(y)
        es = y_min * np.array([0.01, 0.5, 0.9])
        as_ = np.log(spread * np.array([0.1, 0.5, 2.0]))
        alphas = np.log([0.05, 0.2, 0.5, 1.0, 2.0])
        return np.array(list(itertools.product(es, as_, alphas)))

    def asymptote(self, values):
        return values["E"]


class ChinchillaLaw(LawBase):
    """Hoffmann et al. 2022, approach 3: ``L(N, D) = E + A / N**alpha + B / D**beta``.

    ``x`` has two columns, parameters ``N`` then tokens ``D``.
    """

    name = "chinchilla"
    num_inputs = 2
    params = (
        Param(*_OFFSET),
        Param("A", True, *_LOG_SCALE),
        Param("B", True, *_LOG_SCALE),
        Param("alpha", True, *_LOG_EXPONENT),
        Param("beta", True, *_LOG_EXPONENT),
    )

    def log_predict(self, theta, log_x):
        e, a, b, alpha, beta = (theta[..., i, None] for i in range(5))
        terms = np.stack(
            [
                np.broadcast_to(_log_offset(e), np.broadcast_shapes(e.shape, log_x[:, 0].shape)),
                a - np.exp(alpha) * log_x[:, 0],
                b - np.exp(beta) * log_x[:, 1],
            ]
        )
        return np.logaddexp.reduce(terms, axis=0)

    def jacobian(self, theta, log_x):
        e, a, b, log_alpha, log_beta = theta
        alpha, beta = np.exp(log_alpha), np.exp(log_beta)
        t_n = a - alpha * log_x[:, 0]
        t_d = b - beta * log_x[:, 1]
        log_y = np.logaddexp(np.logaddexp(_log_offset(e), t_n), t_d)
        w_n = np.exp(t_n - log_y)
        w_d = np.exp(t_d - log_y)
        jac = np.stack(
            [
                _inverse_y(log_y),
                w_n,
                w_d,
                -w_n * log_x[:, 0] * alpha,
                -w_d * log_x[:, 1] * beta,
            ],
            axis=1,
        )
        return log_y, jac

    def rescale(self, theta, log_x0, log_y0=0.0):
        out = theta.copy()
        out[0] *= np.exp(log_y0)
        out[1] += np.exp(theta[3]) * log_x0[0] + log_y0
        out[2] += np.exp(theta[4]) * log_x0[1] + log_y0
        return out

    def initial_grid(self, log_x, y):
        y_min, spread = _levels(y)
        es = y_min * np.array([0.2, 0.6, 0.9])
        scales = np.log(spread * np.array([0.05, 0.3, 1.0]))
        exponents = np.log([0.1, 0.3, 0.6, 1.2])
        return np.array(list(itertools.product(es, scales, scales, exponents, exponents)))

    def asymptote(self, values):
        return values["E"]

    @staticmethod
    def compute_optimal(values: dict[str, float], budget_flops: np.ndarray | float) -> dict:
        """Compute-optimal ``N*``, ``D*`` and tokens per parameter for ``C ≈ 6·N·D``.

        Minimising ``A/N**alpha + B/D**beta`` subject to ``6·N·D = C`` gives
        ``N* = G·(C/6)**(beta/(alpha+beta))`` and ``D* = (C/6)**(alpha/(alpha+beta)) / G``
        with ``G = (alpha·A / (beta·B))**(1/(alpha+beta))``. Works elementwise on
        arrays of parameter values (e.g. bootstrap samples).
        """
        a, b = values["A"], values["B"]
        alpha, beta = values["alpha"], values["beta"]
        half = np.asarray(budget_flops, dtype=float) / 6.0
        g = (alpha * a / (beta * b)) ** (1.0 / (alpha + beta))
        n_opt = g * half ** (beta / (alpha + beta))
        d_opt = half ** (alpha / (alpha + beta)) / g
        return {"N_opt": n_opt, "D_opt": d_opt, "tokens_per_param": d_opt / n_opt}


class SaturatingLaw(LawBase):
    """A sigmoid in ``log x``: ``y = E + A / (1 + exp(s·(log x − m)))``; asymptote ``E``.

    ``y`` falls from ``E + A`` to ``E``, with half the drop at ``x = exp(m)``.
    """

    name = "saturating"
    num_inputs = 1
    params = (
        Param(*_OFFSET),
        Param("A", True, *_LOG_SCALE),
        Param("s", True, *_LOG_EXPONENT),
        Param("m", False, -100.0, 100.0),
    )

    def log_predict(self, theta, log_x):
        e, a, log_s, m = (theta[..., i, None] for i in range(4))
        return np.logaddexp(_log_offset(e), a - _softplus(np.exp(log_s) * (log_x[:, 0] - m)))

    def jacobian(self, theta, log_x):
        e, a, log_s, m = theta
        s = np.exp(log_s)
        centred = log_x[:, 0] - m
        v = s * centred
        term = a - _softplus(v)
        log_y = np.logaddexp(_log_offset(e), term)
        w_term = np.exp(term - log_y)
        sig = _sigmoid(v)
        jac = np.stack(
            [_inverse_y(log_y), w_term, -w_term * sig * centred * s, w_term * sig * s], axis=1
        )
        return log_y, jac

    def rescale(self, theta, log_x0, log_y0=0.0):
        out = theta.copy()
        out[0] *= np.exp(log_y0)
        out[1] += log_y0
        out[3] += log_x0[0]
        return out

    def initial_grid(self, log_x, y):
        y_min, spread = _levels(y)
        lx = log_x[:, 0]
        es = y_min * np.array([0.3, 0.7, 0.95])
        as_ = np.log(spread * np.array([0.5, 1.5, 5.0]))
        slopes = np.log([0.2, 0.7, 2.0])
        span = float(np.ptp(lx)) or 1.0
        mids = float(np.min(lx)) + span * np.array([0.0, 0.5, 1.0, 2.0])
        return np.array(list(itertools.product(es, as_, slopes, mids)))

    def asymptote(self, values):
        return values["E"]


class BrokenLaw(LawBase):
    """Broken neural scaling law (Caballero et al. 2022) with one or two breaks.

    ``y = E + B · x**-slope0 · prod_i (1 + (x / break_i)**(1/sharpness_i))**(-(slope_i − slope_{i−1})·sharpness_i)``

    ``slope_i`` is the log-log slope of the reducible part after break ``i``;
    fitting slopes (rather than their differences) in log space keeps every
    segment decreasing, so the asymptote is ``E``. A small last slope is the
    law's way of saying "plateau at the current scale".
    """

    num_inputs = 1

    def __init__(self, num_breaks: int):
        self.num_breaks = num_breaks
        self.name = "bnsl" if num_breaks == 1 else f"bnsl{num_breaks}"
        params = [
            Param(*_OFFSET),
            Param("B", True, *_LOG_SCALE),
            Param("slope0", True, *_LOG_EXPONENT),
        ]
        for i in range(1, num_breaks + 1):
            params += [
                Param(f"slope{i}", True, *_LOG_EXPONENT),
                Param(f"break{i}", True, -100.0, 100.0),
                Param(f"sharpness{i}", True, float(np.log(0.02)), float(np.log(20.0))),
            ]
        self.params = tuple(params)

    def _unpack(self, theta):
        e, log_b, log_s0 = theta[..., 0, None], theta[..., 1, None], theta[..., 2, None]
        breaks = [
            (theta[..., 3 * i, None], theta[..., 3 * i + 1, None], theta[..., 3 * i + 2, None])
            for i in range(1, self.num_breaks + 1)
        ]
        return e, log_b, log_s0, breaks

    def log_predict(self, theta, log_x):
        e, log_b, log_s0, breaks = self._unpack(theta)
        lx = log_x[:, 0]
        slope_prev = np.exp(log_s0)
        term = log_b - slope_prev * lx
        for log_slope, log_break, log_sharp in breaks:
            slope, sharp = np.exp(log_slope), np.exp(log_sharp)
            term = term - (slope - slope_prev) * sharp * _softplus((lx - log_break) / sharp)
            slope_prev = slope
        return np.logaddexp(_log_offset(e), term)

    def jacobian(self, theta, log_x):
        lx = log_x[:, 0]
        k = self.num_breaks
        slopes = np.exp(theta[[2] + [3 * i for i in range(1, k + 1)]])
        log_breaks = theta[[3 * i + 1 for i in range(1, k + 1)]]
        sharps = np.exp(theta[[3 * i + 2 for i in range(1, k + 1)]])
        u = (lx[:, None] - log_breaks) / sharps  # (n, k)
        sp, sig = _softplus(u), _sigmoid(u)
        diffs = slopes[1:] - slopes[:-1]  # c_i, (k,)
        term = theta[1] - slopes[0] * lx - (sp * diffs * sharps).sum(axis=1)
        log_y = np.logaddexp(_log_offset(theta[0]), term)
        w = np.exp(term - log_y)
        # d term / d slope_j: slope_j enters c_j (+) and c_{j+1} (−).
        fsp = sharps * sp  # (n, k)
        d_slopes = np.zeros((len(lx), k + 1))
        d_slopes[:, 0] = -lx + fsp[:, 0]
        for j in range(1, k + 1):
            d_slopes[:, j] = -fsp[:, j - 1] + (fsp[:, j] if j < k else 0.0)
        d_breaks = diffs * sig  # (n, k), already per log break
        d_sharps = -diffs * (sp - u * sig) * sharps  # (n, k), per log sharpness
        jac = np.empty((len(lx), len(self.params)))
        jac[:, 0] = _inverse_y(log_y)
        jac[:, 1] = w
        jac[:, 2] = w * d_slopes[:, 0] * slopes[0]
        for i in range(1, k + 1):
            jac[:, 3 * i] = w * d_slopes[:, i] * slopes[i]
            jac[:, 3 * i + 1] = w * d_breaks[:, i - 1]
            jac[:, 3 * i + 2] = w * d_sharps[:, i - 1]
        return log_y, jac

    def rescale(self, theta, log_x0, log_y0=0.0):
        out = theta.copy()
        out[0] *= np.exp(log_y0)
        out[1] += np.exp(theta[2]) * log_x0[0] + log_y0
        for i in range(1, self.num_breaks + 1):
            out[3 * i + 1] += log_x0[0]
        return out

    def initial_grid(self, log_x, y):
        y_min, spread = _levels(y)
        lx = log_x[:, 0]
        es = y_min * np.array([0.3, 0.8])
        bs = np.log(spread * np.array([0.2, 1.0]))
        first_slopes = np.log([0.2, 1.0])
        later_slopes = np.log([0.03, 0.3, 1.5])
        quantiles = np.quantile(lx, [0.3, 0.6, 0.9]) if self.num_breaks == 1 else None
        sharps = np.log([0.3, 1.5])
        if self.num_breaks == 1:
            per_break = list(itertools.product(later_slopes, quantiles, sharps))
            rows = [
                (e, b, s0, *brk)
                for e, b, s0, brk in itertools.product(es, bs, first_slopes, per_break)
            ]
        else:
            positions = [np.quantile(lx, q) for q in ([0.25, 0.6], [0.4, 0.85])]
            rows = []
            for e, b, s0, (p1, p2), s1, s2, f in itertools.product(
                es, bs, first_slopes, positions, later_slopes, later_slopes, sharps
            ):
                rows.append((e, b, s0, s1, p1, f, s2, p2, f))
        return np.array(rows, dtype=float)

    def asymptote(self, values):
        return values["E"]


class CoverageLaw(LawBase):
    """Coverage under repeated sampling (Brown et al. 2024): ``−log pass@k = a · k**-b``.

    ``y`` is the coverage ``pass@k`` in ``(0, 1]``, ``x`` the number of samples
    ``k`` (or any budget); the asymptote is full coverage, ``1``.
    """

    name = "coverage"
    num_inputs = 1
    scales_with_y = False  # y is a probability
    params = (Param("a", True, *_LOG_SCALE), Param("b", True, *_LOG_EXPONENT))

    def log_predict(self, theta, log_x):
        log_a, log_b = theta[..., 0, None], theta[..., 1, None]
        return -np.exp(log_a - np.exp(log_b) * log_x[:, 0])

    def jacobian(self, theta, log_x):
        log_a, log_b = theta
        b = np.exp(log_b)
        t = np.exp(log_a - b * log_x[:, 0])
        return -t, np.stack([-t, t * log_x[:, 0] * b], axis=1)

    def rescale(self, theta, log_x0, log_y0=0.0):
        out = theta.copy()  # y is never rescaled (scales_with_y is False)
        out[0] += np.exp(theta[1]) * log_x0[0]
        return out

    def initial_grid(self, log_x, y):
        neg_log = -np.log(np.clip(y, 1e-12, 1.0))
        level = max(float(np.median(neg_log)), 1e-6)
        as_ = np.log(level * np.array([0.1, 0.3, 1.0, 3.0, 10.0]))
        bs = np.log([0.05, 0.15, 0.4, 1.0, 2.0])
        return np.array(list(itertools.product(as_, bs)))

    def asymptote(self, values):
        return 1.0


LAWS: dict[str, LawBase] = {
    law.name: law
    for law in (
        PowerLaw(),
        ChinchillaLaw(),
        SaturatingLaw(),
        BrokenLaw(1),
        BrokenLaw(2),
        CoverageLaw(),
    )
}
"""Every law by its CLI name: ``power``, ``chinchilla``, ``saturating``, ``bnsl``, ``bnsl2``, ``coverage``."""


def get_law(name: str) -> LawBase:
    """The law registered as ``name``; a :class:`~kairos.errors.ValidationError` otherwise."""
    from kairos.errors import ValidationError

    try:
        return LAWS[name]
    except KeyError:
        raise ValidationError(
            "law", f"unknown law {name!r}; expected one of {', '.join(LAWS)}"
        ) from None
