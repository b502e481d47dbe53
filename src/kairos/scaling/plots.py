"""Figures: the data, the fitted law, its bootstrap band and the extrapolation beyond the data."""

from __future__ import annotations

from typing import Any

import numpy as np

from kairos.plotting import new_figure
from kairos.scaling.bootstrap import BootstrapResult
from kairos.scaling.fit import FitResult
from kairos.scaling.laws import LAWS
from kairos.scaling.plateau import PlateauResult


def _log_axes(ax: Any, x_label: str, y_label: str, *, log_y: bool = True) -> None:
    """Log x axis; log y axis with plain-number labels (losses often span under a decade)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        low, high = ax.get_ylim()
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain if high / low < 10 else NullFormatter())
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)


_PLOT_MIN, _PLOT_MAX = 1e-300, 1e300  # log axes cannot place ticks near the float limits


def plottable(values: np.ndarray) -> np.ndarray:
    """``values`` with what a log axis cannot draw (non-finite, beyond +-1e300) set to NaN."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(v) & (np.abs(v) <= _PLOT_MAX), v, np.nan)


def _rescaled(y: np.ndarray) -> tuple[np.ndarray, float]:
    """``y / unit`` and ``unit``: a power of ten that brings data near the float limits to O(1)."""
    positive = y[np.isfinite(y) & (y > 0)]
    if not positive.size or (positive.max() < 1e290 and positive.min() > 1e-290):
        return y, 1.0
    unit = 10.0 ** round(float(np.log10(positive).mean()))
    return y / unit, unit


def plot_fit(
    x: np.ndarray,
    y: np.ndarray,
    fit: FitResult,
    boot: BootstrapResult | None = None,
    *,
    extrapolate_factor: float = 10.0,
    level: float = 0.95,
    x_label: str = "x",
    y_label: str = "y",
) -> Any:
    """Data, fit and CI band on log-log axes, continued (dashed) ``extrapolate_factor``× past the data.

    ``x`` of shape ``(n,)`` for one-input laws, ``(n, 2)`` for Chinchilla (then
    the loss is drawn against ``N`` for three values of ``D``).
    """
    law = LAWS[fit.law]
    if law.num_inputs == 2:
        return _plot_chinchilla(x, y, fit, boot, level=level, y_label=y_label)
    x = np.asarray(x, dtype=float).reshape(-1)
    fig, ax = new_figure()
    y, unit = _rescaled(np.asarray(y, dtype=float))
    if unit != 1.0:
        y_label = f"{y_label} / {unit:.0e}"
    y_shown = plottable(y)
    ax.scatter(x, y_shown, s=14, color="black", label="data", zorder=3)
    if np.isnan(y_shown).any():
        ax.set_title(
            f"{int(np.isnan(y_shown).sum())} point(s) beyond the plottable range not drawn"
        )
    x_max = float(x.max())
    inside = np.geomspace(x.min(), x_max, 200)
    beyond = np.geomspace(x_max, min(x_max * extrapolate_factor, _PLOT_MAX), 100)
    for grid, style, label in ((inside, "-", f"{fit.law} fit"), (beyond, "--", "extrapolation")):
        with np.errstate(over="ignore", invalid="ignore"):
            pred = law.predict(fit.params, grid) / unit
        ax.plot(grid, plottable(pred), style, color="C0", label=label)
        if boot is not None:
            low, high = boot.prediction_band(grid, level)
            ax.fill_between(
                grid, plottable(low / unit), plottable(high / unit), color="C0", alpha=0.2, lw=0
            )
    if boot is not None:
        ax.plot([], [], color="C0", alpha=0.3, lw=6, label=f"{round(100 * level)}% bootstrap band")
    ax.axvline(x_max, color="grey", lw=0.8, ls=":")
    _log_axes(ax, x_label, y_label, log_y=fit.law != "coverage")  # coverage is bounded by 1
    ax.legend(fontsize=8)
    return fig


def _plot_chinchilla(x, y, fit, boot, *, level, y_label):
    law = LAWS["chinchilla"]
    x = np.asarray(x, dtype=float)
    fig, ax = new_figure()
    points = ax.scatter(x[:, 0], y, c=np.log10(x[:, 1]), s=12, cmap="viridis", zorder=3)
    fig.colorbar(points, ax=ax, label="log10 D (tokens)")
    n_grid = np.geomspace(x[:, 0].min(), x[:, 0].max() * 10.0, 200)
    for d in np.quantile(x[:, 1], [0.1, 0.5, 0.9]):
        grid = np.stack([n_grid, np.full_like(n_grid, d)], axis=1)
        color = points.cmap(points.norm(np.log10(d)))
        ax.plot(n_grid, law.predict(fit.params, grid), color=color, label=f"fit, D = {d:.2g}")
        if boot is not None:
            low, high = boot.prediction_band(grid, level)
            ax.fill_between(n_grid, low, high, color=color, alpha=0.2, lw=0)
    ax.axvline(x[:, 0].max(), color="grey", lw=0.8, ls=":")
    _log_axes(ax, "N (parameters)", y_label)
    ax.legend(fontsize=8)
    return fig


def plot_plateau(
    x: np.ndarray, y: np.ndarray, result: PlateauResult, *, x_label: str = "x", y_label: str = "y"
) -> Any:
    """Training and held-out points, each family's extrapolation, and the asymptote with its CI."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float)
    train = x <= result.split_x
    fig, ax = new_figure()
    ax.scatter(x[train], y[train], s=14, color="black", label="fitted on", zorder=3)
    ax.scatter(
        x[~train], y[~train], s=22, facecolors="none", edgecolors="red", label="held out", zorder=3
    )
    grid = np.geomspace(x.min(), x.max() * 10.0, 300)
    for i, score in enumerate(result.scores):
        law = LAWS[score.law]
        ax.plot(
            grid,
            law.predict(score.train_fit.params, grid),
            color=f"C{i}",
            lw=2.0 if score.law == result.best_law else 1.0,
            label=f"{score.law} (held-out log-RMSE {score.holdout_log_rmse:.3f})",
        )
    lo, hi = result.asymptote_ci
    ax.axhspan(lo, hi, color="grey", alpha=0.25, lw=0, label=f"asymptote CI ({result.best_law})")
    ax.axvline(result.split_x, color="grey", lw=0.8, ls=":")
    _log_axes(ax, x_label, y_label)
    ax.set_title(f"verdict: {result.verdict}", fontsize=10)
    ax.legend(fontsize=7)
    return fig
