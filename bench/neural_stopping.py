"""The stopping study of ``bench/neural_prior.py --sampling-only``: fixed N against adaptive stopping.

Per model size and eval task, one seeded stream of ``--samples`` samples
(:func:`kairos.search.neural.strategies.solve_with`, strategy ``sample``) is
recorded; every rule of :mod:`kairos.search.neural.stopping` and
marginal-value stopping is read off it at every cap in :data:`GRID`, so every
rule sees the same samples, and each rule's samples are what a run of it with
that seed would draw (slices of 4 unless said otherwise).

For each comparison: the fixed-N baseline's plateau is the largest number of
tasks generalized at any cap, reached first at N*; "spent" is the mean number
of samples it draws there (N* when it draws all N; less when it stops at the
first verified sample). The rival's figure is its smallest mean number of
samples over the caps (and marginal's values of a solve) that generalize at
least as many tasks; the ratio is spent ÷ that. Both sides choose their knob
on the same tasks.
"""

from __future__ import annotations

import time

import numpy as np

from kairos.search.neural.stopping import (
    Stop,
    adaptive_first_verified,
    adaptive_verified,
    adaptive_vote,
    best_of_n,
    first_verified,
    vote,
)
from kairos.search.neural.strategies import SLICE, Problem, solve_with

GRID = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
VALUE_SCALES = (1.0, 0.1, 0.01, 0.001)  # marginal: a solve worth 1 s .. 1 ms of the profile's peak

COMPARISONS = (  # (setting, fixed-N baseline, rivals)
    (
        "verifier",
        "best-of-N",
        (
            "adaptive (kairos)",
            "adaptive + first verified",
            "marginal value",
            "best-of-N, stop at first verified",
        ),
    ),
    (
        "verifier",
        "best-of-N, stop at first verified",
        ("adaptive (kairos)", "adaptive + first verified", "marginal value"),
    ),
    (
        "no verifier",
        "vote",
        ("Adaptive-Consistency vote", "Adaptive-Consistency vote, 1 at a time"),
    ),
)


def marginal(checkpoints, n: int, prior, value_eflops: float) -> Stop:
    """Marginal-value stopping capped at ``n``, read off a stream's checkpoints (slice ends).

    Before each slice: continue only while P(a solve in it | failures so far)
    × the value of a solve ≥ the slice's predicted eFLOPs (this run's mean per
    sample); stop after the slice that gives a verified sample.
    """
    last = None
    for c in checkpoints:
        if c.units > n:
            break
        last = c
        if c.answers["sample"] or c.units == n:
            break
        more = min(SLICE, n - c.units)
        if prior.p_success(c.units, more) * value_eflops < c.eflops / c.units * more:
            break
    return Stop(last.answers["sample"], last.units)


def read_off(attempt, caps, prior, value_eflops):
    """{rule: {knob: Stop}} for one task's stream."""
    d, cps = attempt.draws, attempt.checkpoints
    rules: dict = {}
    for n in caps:
        rules.setdefault("best-of-N", {})[n] = best_of_n(d, n)
        rules.setdefault("best-of-N, stop at first verified", {})[n] = first_verified(d, n, SLICE)
        rules.setdefault("adaptive (kairos)", {})[n] = adaptive_verified(d, n, SLICE)
        rules.setdefault("adaptive + first verified", {})[n] = adaptive_first_verified(d, n, SLICE)
        rules.setdefault("vote", {})[n] = vote(d, n)
        rules.setdefault("Adaptive-Consistency vote", {})[n] = adaptive_vote(d, n, SLICE)
        rules.setdefault("Adaptive-Consistency vote, 1 at a time", {})[n] = adaptive_vote(d, n, 1)
        for v in VALUE_SCALES if n % SLICE == 0 else ():  # checkpoints are at slice ends
            rules.setdefault("marginal value", {})[f"{n}@{v:g}"] = marginal(
                cps, n, prior, value_eflops * v
            )
    return rules


def compare(curves: dict, baseline: str, rival: str) -> dict:
    """The baseline's plateau and the rival's fewest mean samples at that accuracy.

    Also both at the largest cap (``cap_*``): the paper's comparison, Adaptive-Consistency
    and Self-Consistency with the same maximum number of samples.
    """
    base = curves[baseline]
    cap = base[-1]["knob"]
    at_cap = next(r for r in curves[rival] if str(r["knob"]).split("@")[0] == str(cap))
    top = max(r["generalized"] for r in base)
    first = next(r for r in base if r["generalized"] >= top)
    ok = [r for r in curves[rival] if r["generalized"] >= top]
    out = {
        "baseline": baseline,
        "rival": rival,
        "plateau_n": first["knob"],
        "plateau_generalized": top,
        "plateau_mean_samples": first["mean_samples"],
        "cap": cap,
        "cap_generalized": base[-1]["generalized"],
        "cap_mean_samples": base[-1]["mean_samples"],
        "cap_rival_generalized": at_cap["generalized"],
        "cap_rival_mean_samples": at_cap["mean_samples"],
        "cap_ratio": base[-1]["mean_samples"] / at_cap["mean_samples"],
    }
    if ok:
        best = min(ok, key=lambda r: (r["mean_samples"], -r["generalized"]))
        out.update(
            rival_knob=best["knob"],
            rival_generalized=best["generalized"],
            rival_mean_samples=best["mean_samples"],
            ratio=first["mean_samples"] / best["mean_samples"],
        )
    else:
        best = max(curves[rival], key=lambda r: (r["generalized"], -r["mean_samples"]))
        out.update(
            rival_knob=best["knob"],
            rival_generalized=best["generalized"],
            rival_mean_samples=best["mean_samples"],
            ratio=None,
        )
    return out


def stopping_study(
    models, decoder, eval_tasks, holdout, gen, hw, value_eflops, priors, samples, seed, log
):
    """Record the streams, read every rule off them, and compare; prints a table, returns a dict."""
    caps = [n for n in GRID if n < samples] + [samples]
    result = {"caps": caps, "slice": SLICE, "value_scales": list(VALUE_SCALES), "sizes": {}}
    for size, model in models.items():
        c0 = time.process_time()
        per_task = []
        verified_any = 0
        for k, task in enumerate(eval_tasks):
            a = solve_with(
                "sample",
                model,
                decoder,
                Problem.of(task, holdout),
                budget=samples,
                hardware=hw,
                seed=seed + k,
            )
            verified_any += any(d.verified for d in a.draws)
            per_task.append((task, read_off(a, caps, priors[size], value_eflops)))
        stream_cpu_s = time.process_time() - c0
        curves: dict = {}
        for rule in per_task[0][1]:
            for knob in per_task[0][1][rule]:
                stops = [(task, rules[rule][knob]) for task, rules in per_task]
                curves.setdefault(rule, []).append(
                    {
                        "knob": knob,
                        "generalized": int(sum(gen(t, s.program) for t, s in stops)),
                        "mean_samples": float(np.mean([s.samples for _, s in stops])),
                    }
                )
        comps = [
            {"setting": setting, **compare(curves, base, rival)}
            for setting, base, rivals in COMPARISONS
            for rival in rivals
        ]
        result["sizes"][size] = {
            "stream_cpu_s": stream_cpu_s,
            "tasks_with_a_verified_sample": verified_any,
            "curves": curves,
            "comparisons": comps,
        }
        log(
            f"stopping study {size}: {samples} samples x {len(eval_tasks)} tasks, {stream_cpu_s:.0f} CPU s"
        )
        print(
            f"\n{size}: tasks with a verified sample in {samples}: {verified_any}/{len(eval_tasks)}"
        )
        for rule in ("best-of-N", "best-of-N, stop at first verified", "vote"):
            print(
                f"  {rule:>34}: "
                + "  ".join(
                    f"{r['knob']}:{r['generalized']}({r['mean_samples']:.1f})" for r in curves[rule]
                )
            )
        print(
            f"  {'setting':>11} {'baseline':>34} {'N*':>4} {'gen':>4} {'spent':>6} {'rival':>40} {'knob':>8} {'gen':>4} {'samples':>8} {'ratio':>6}  at the cap: baseline, rival (ratio)"
        )
        for c in comps:
            ratio = "-" if c["ratio"] is None else f"{c['ratio']:.2f}"
            print(
                f"  {c['setting']:>11} {c['baseline']:>34} {c['plateau_n']:>4} {c['plateau_generalized']:>4} {c['plateau_mean_samples']:>6.1f} {c['rival']:>40} {c['rival_knob']!s:>8} {c['rival_generalized']:>4} {c['rival_mean_samples']:>8.1f} {ratio:>6}  {c['cap_generalized']}({c['cap_mean_samples']:.1f}), {c['cap_rival_generalized']}({c['cap_rival_mean_samples']:.1f}) ({c['cap_ratio']:.2f})"
            )
    return result
