"""Calibrate the roofline against measured time: fit the ``cpu`` profile on this machine.

We time :class:`kairos.nn.transformer.DecoderTransformer` at several sizes, for
prefill (T prompt tokens, one call) and for one decode step at context length c,
on one thread, taking the minimum of a few repeats. Each point's FLOPs and bytes
come from the ``exact`` cost model (fp32: 4 bytes per element). We then fit

    seconds = FLOPs / F + bytes / W + calls x (o_step + num_layers x o_layer)

with F (FLOP/s), W (bytes/s) and the fixed per-call and per-layer overheads
all >= 0, by least squares on log(predicted / measured) over the training
points, and report predicted/measured on held-out sizes and lengths. The fixed
overheads are needed: a small model's decode step on a CPU is dominated by
per-operator dispatch, not by arithmetic or memory traffic.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from kairos.cost.estimate import exact_cost
from kairos.cost.hardware import Hardware
from kairos.cost.spec import spec_from_config
from kairos.cost.workload import Workload

FP32_BYTES = 4


@dataclass(frozen=True)
class CalibrationPlan:
    """Which model sizes and lengths to time, and which of them to hold out of the fit.

    Sizes are (d_model, num_layers, num_heads, num_kv_heads) with d_ff = 4 d_model.
    """

    sizes: tuple[tuple[int, int, int, int], ...]
    held_out_sizes: tuple[int, ...]  # indices into ``sizes``
    prefill_tokens: tuple[int, ...]
    decode_contexts: tuple[int, ...]
    held_out_lengths: tuple[int, ...]  # values of prefill_tokens / decode_contexts
    repeats: int = 5  # the minimum of these is kept
    seed: int = 0


FULL_PLAN = CalibrationPlan(
    sizes=(
        (64, 2, 4, 4),
        (128, 4, 4, 2),
        (192, 4, 6, 2),
        (256, 6, 8, 4),
        (384, 6, 6, 2),
        (512, 8, 8, 4),
    ),
    held_out_sizes=(2, 4),
    prefill_tokens=(16, 32, 64, 96, 128, 256, 384, 512),
    decode_contexts=(64, 256, 768, 1024, 2048, 3072, 4096),
    held_out_lengths=(96, 384, 768, 3072),
    repeats=7,
)

QUICK_PLAN = CalibrationPlan(
    sizes=((32, 2, 2, 1), (64, 2, 4, 2), (96, 3, 4, 2), (128, 2, 4, 4)),
    held_out_sizes=(2,),
    prefill_tokens=(8, 32, 64),
    decode_contexts=(32, 128, 256),
    held_out_lengths=(32,),
    repeats=2,
)


@dataclass(frozen=True)
class Point:
    """One timed operation and what the cost model says it does."""

    size: int
    phase: str  # "prefill" or "decode"
    tokens: int  # prompt length (prefill) or context length (decode)
    num_layers: int
    flops: float
    bytes: float
    calls: float
    measured_s: float
    held_out: bool


def _round_robin_min_s(jobs: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Minimum wall time of each job over ``repeats`` rounds.

    Rounds run every job once in turn, so a burst of load from other processes
    on a shared machine spoils one round of every job rather than all repeats of one.
    """
    for job in jobs:
        job()  # warm-up: allocator, kernels
    best = [math.inf] * len(jobs)
    for _ in range(repeats):
        for i, job in enumerate(jobs):
            t0 = time.perf_counter()
            job()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def _prefill(model: Any, prompt: Any) -> None:
    model(prompt, model.new_cache(1, prompt.shape[1]), last_only=True)


def _decode_step(model: Any, cache: Any, step: Any, context: int) -> None:
    cache.length = context  # rewind: every repeat decodes at the same context length
    model(step, cache)


def _phase_features(cost, phase: str) -> tuple[float, float, float]:
    terms = [t for t in cost.terms if t.phase == phase]
    return (
        sum(t.flops for t in terms),
        sum(t.bytes for t in terms),
        max(t.num_calls for t in terms),
    )


def measure(plan: CalibrationPlan, advance: Callable[..., None] | None = None) -> list[Point]:
    """Time every (size, phase, length) of ``plan`` on one thread."""
    import torch

    from kairos.nn.transformer import DecoderTransformer, TransformerConfig

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    points: list[Point] = []
    dummy = Hardware("fp32", 1.0, 1.0, bytes_per_element=FP32_BYTES)
    try:
        for index, (d, layers, heads, kv_heads) in enumerate(plan.sizes):
            longest = max(max(plan.prefill_tokens), max(plan.decode_contexts)) + 1
            cfg = TransformerConfig(
                d_model=d,
                num_layers=layers,
                num_heads=heads,
                num_kv_heads=kv_heads,
                d_ff=4 * d,
                max_seq_len=longest,
            )
            model = DecoderTransformer(cfg, seed=plan.seed).eval()
            spec = spec_from_config(cfg.to_hf_config(), name=f"size{index}")
            gen = torch.Generator().manual_seed(plan.seed + index)
            held_size = index in plan.held_out_sizes
            cache = model.new_cache(1, max(plan.decode_contexts) + 1)
            cache.keys.normal_(generator=gen)
            cache.values.normal_(generator=gen)
            step = torch.randint(0, cfg.vocab_size, (1, 1), generator=gen)
            jobs = []  # (phase, tokens, callable)
            for tokens in plan.prefill_tokens:
                prompt = torch.randint(0, cfg.vocab_size, (1, tokens), generator=gen)
                jobs.append(("prefill", tokens, partial(_prefill, model, prompt)))
            for context in plan.decode_contexts:
                jobs.append(("decode", context, partial(_decode_step, model, cache, step, context)))
            with torch.inference_mode():
                seconds = _round_robin_min_s([job for _, _, job in jobs], plan.repeats)
            for (phase, tokens, _), best_s in zip(jobs, seconds, strict=True):
                # a decode step attends to ``tokens`` cached positions plus its own
                cost = exact_cost(spec, Workload.of(prompt_tokens=tokens, gen_tokens=1), dummy)
                f, b, c = _phase_features(cost, phase)
                held = held_size or tokens in plan.held_out_lengths
                points.append(Point(index, phase, tokens, layers, f, b, c, best_s, held))
                if advance:
                    advance()
    finally:
        torch.set_num_threads(threads)
    return points


def _design(points: list[Point]) -> np.ndarray:
    # columns: 1/F, 1/W, o_step, o_layer -> seconds
    return np.array([[p.flops, p.bytes, p.calls, p.calls * p.num_layers] for p in points])


FIT_TERMS = ("flops", "bytes", "step", "layer")


def fit_profile(
    points: list[Point], *, name: str = "cpu", terms: tuple[str, ...] = FIT_TERMS
) -> Hardware:
    """Fit F, W and the overheads on the training points (``held_out`` False).

    ``terms`` selects which of :data:`FIT_TERMS` the model may use (the others
    are fixed at 0, i.e. infinite FLOP/s or bandwidth); the benchmark uses this
    to compare against simpler baselines.
    """
    from scipy.optimize import least_squares, nnls

    train = [p for p in points if not p.held_out]
    used = [FIT_TERMS.index(t) for t in terms]
    a = _design(train)[:, used]
    t = np.array([p.measured_s for p in train])
    scale = a.max(axis=0)  # columns span many decades; fit in units of each column's max
    x0, _ = nnls(a / scale / t[:, None], np.ones(len(t)))  # relative-error start
    x0 = np.maximum(x0, 1e-6 * max(x0.max(), 1e-30))

    def residuals(log_x: np.ndarray) -> np.ndarray:
        return np.log((a / scale) @ np.exp(log_x)) - np.log(t)

    fit = least_squares(residuals, np.log(x0), method="trf")
    x = np.zeros(len(FIT_TERMS))
    x[used] = np.exp(fit.x) / scale
    return Hardware(
        name=name,
        peak_flops_per_s=float(1.0 / x[0]) if x[0] else math.inf,
        bandwidth_bytes_per_s=float(1.0 / x[1]) if x[1] else math.inf,
        step_overhead_s=float(x[2]),
        layer_overhead_s=float(x[3]),
        bytes_per_element=FP32_BYTES,
        note="fitted by kairos cost calibrate: fp32, torch, 1 thread; seconds = FLOPs/F + bytes/W + overheads",
    )


def predict_s(profile: Hardware, point: Point) -> float:
    """Predicted seconds of one point (no compute/memory overlap)."""
    return (
        point.flops / profile.peak_flops_per_s
        + point.bytes / profile.bandwidth_bytes_per_s
        + point.calls * (profile.step_overhead_s + point.num_layers * profile.layer_overhead_s)
    )


def evaluate(
    profile: Hardware, points: list[Point]
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Per-point predicted/measured rows, and the median |log ratio| on train and held-out points."""
    rows = []
    for p in points:
        pred = predict_s(profile, p)
        rows.append(
            {
                "size": p.size,
                "phase": p.phase,
                "tokens": p.tokens,
                "held_out": p.held_out,
                "flops": p.flops,
                "bytes": p.bytes,
                "measured_s": p.measured_s,
                "predicted_s": pred,
                "ratio": pred / p.measured_s,
            }
        )

    def median_abs_log(held: bool) -> float:
        logs = [abs(math.log(r["ratio"])) for r in rows if r["held_out"] == held]
        return statistics.median(logs) if logs else float("nan")

    summary = {
        "median_abs_log_ratio_train": median_abs_log(False),
        "median_abs_log_ratio_held_out": median_abs_log(True),
        "target": math.log(1.5),
        "num_train": sum(not r["held_out"] for r in rows),
        "num_held_out": sum(r["held_out"] for r in rows),
    }
    return rows, summary


def calibrate(
    plan: CalibrationPlan = FULL_PLAN, advance: Callable[..., None] | None = None
) -> tuple[Hardware, list[dict[str, Any]], dict[str, float]]:
    """Measure, fit and evaluate: returns (profile, per-point rows, summary)."""
    points = measure(plan, advance)
    profile = fit_profile(points)
    rows, summary = evaluate(profile, points)
    return profile, rows, summary


def num_points(plan: CalibrationPlan) -> int:
    """How many timed points ``plan`` has (for progress bars)."""
    return len(plan.sizes) * (len(plan.prefill_tokens) + len(plan.decode_contexts))
