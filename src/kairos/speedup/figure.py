"""The speed-up law's figure: measured log2 speed-up against information, three ways."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def speedup_figure(rows: Sequence[dict], summary: dict):
    """Three panels: time vs I (primary), LTS bound vs I, compressor vs policy estimate."""
    from kairos.plotting import new_figure

    fig, _ = new_figure(13, 4)
    fig.clf()
    axes = fig.subplots(1, 3)
    if not rows:
        for ax in axes:
            ax.text(0.5, 0.5, "no task solved under both priors", ha="center")
        return fig
    info = np.array([r["l0_own"] - r["lD_own"] for r in rows])
    speed = np.log2(np.array([r["T0"] / r["TD"] for r in rows], dtype=float))
    bound = np.array([r["bound0"] - r["boundD"] for r in rows])
    sizes = np.array([r["D"] for r in rows])
    lo, hi = float(min(info.min(), speed.min(), 0)), float(max(info.max(), speed.max()))
    for ax, y, fit, label in (
        (axes[0], speed, summary, "log2 T0/TD (measured expansions)"),
        (axes[1], bound, summary.get("bound") or {}, "log2 bound0/boundD (LTS bound d/π)"),
    ):
        for n in np.unique(sizes):
            mask = sizes == n
            ax.scatter(info[mask], y[mask], s=10, alpha=0.7, label=f"|D| = {n}")
        ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8, label="law: slope 1")
        if fit.get("slope") is not None and np.isfinite(fit.get("slope", np.nan)):
            xs = np.array([lo, hi])
            ax.plot(xs, fit["intercept"] + fit["slope"] * xs, color="black", lw=1.2,
                    label=f"fit: {fit['slope']:.2f}x {fit['intercept']:+.2f}, R² {fit['r2']:.3f}")  # fmt: skip
        ax.set_xlabel("I(h:D) = ℓν0(h0) − ℓνD(hD)  [bits]")
        ax.set_ylabel(label)
        ax.legend(fontsize=7)
    comp = np.array([r.get("I_compressor", np.nan) for r in rows])
    axes[2].scatter(info, comp, s=10, alpha=0.7)
    axes[2].set_xlabel("I(h:D) from the priors [bits]")
    axes[2].set_ylabel("C(h | D0) − C(h | D) from a compressor [bits]")
    axes[2].set_title((summary.get("compressor") or {}).get("compressor", ""), fontsize=9)
    fig.tight_layout()
    return fig


def plot_speedup(rows: Sequence[dict], summary: dict, path: str | Path) -> None:
    """Write :func:`speedup_figure` as a PNG (atomically)."""
    from kairos.plotting import save_figure

    save_figure(speedup_figure(rows, summary), str(path))
