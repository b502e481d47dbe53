"""Stopping rules read off one recorded stream of samples, for comparing them at equal samples.

A sampling run (:func:`kairos.search.neural.strategies.run_sampling`) records
every sample it draws as a :class:`Draw`. Because a run of any sampling
strategy with the same seed draws exactly the same samples in the same order,
each rule below returns what that strategy would answer, and how many samples
it would draw, for any cap ``n``. Samples are drawn in slices (``slice_size``):
a rule can only stop at the end of a slice, and every sample of a drawn slice
counts as spent. ``slice_size=1`` is the paper's setting for
Adaptive-Consistency (one sample at a time).

Two settings:

* **with a verifier** (the shown examples): ``best_of_n`` (draw ``n``, answer
  the most probable verified), ``first_verified`` (stop at the slice with the
  first verified sample), ``adaptive_verified`` (kairos's ``adaptive``),
  ``adaptive_first_verified`` (the first verified sample, or give up once the
  answers have converged);
* **without one** (Self-Consistency): ``vote`` (draw ``n``, the majority of the
  outputs on the hidden inputs) and ``adaptive_vote`` (Adaptive-Consistency,
  Aggarwal et al. 2023: stop once the majority answer is the majority with
  probability ≥ ``confidence`` under the Beta criterion).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kairos.errors import ValidationError

FAILS = ("<fails on hidden>",)  # the one answer of every program that fails on a hidden input


@dataclass(frozen=True)
class Draw:
    """One sample of a stream.

    Attributes
    ----------
    program : str
        Its s-expression ("" if decoding gave no program).
    log_prob : float
        log π of the program under the model (nats; -inf if none).
    outputs : tuple or None
        repr of its outputs on the hidden inputs; None if it fails on one (or no program).
    verified : bool
        Consistent with the shown examples.
    """

    program: str
    log_prob: float
    outputs: tuple | None
    verified: bool


@dataclass(frozen=True)
class Stop:
    """A rule's answer ("" if none) and the samples it drew."""

    program: str
    samples: int


def beta_majority_confidence(top: int, second: int) -> float:
    """P(p_top > p_second) under Beta(top + 1, second + 1): Adaptive-Consistency's Beta criterion.

    The integral of the Beta(top + 1, second + 1) density over [0.5, 1] (the
    paper's stopping criterion, thresholded at 0.95 there).
    """
    from scipy.stats import beta

    return float(beta.sf(0.5, top + 1, second + 1))


def top_two(groups: dict) -> tuple[object, int, int]:
    """(top key, its count, the runner-up's count) of ``{key: [count, best log π, program]}``.

    Ties in count go to the group with the more probable best program.
    """
    if not groups:
        return None, 0, 0
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))
    second = ranked[1][1][0] if len(ranked) > 1 else 0
    return ranked[0][0], ranked[0][1][0], second


def _check(draws: Sequence[Draw], n: int, slice_size: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ValidationError("n", f"got {n!r}, expected a positive number of samples")
    if not isinstance(slice_size, int) or slice_size < 1:
        raise ValidationError("slice_size", f"got {slice_size!r}, expected >= 1")
    if len(draws) < n:
        raise ValidationError(
            "draws", f"the stream has {len(draws)} samples, fewer than the cap {n}; record more"
        )


def _add(groups: dict, key, d: Draw) -> None:
    g = groups.setdefault(key, [0, -math.inf, ""])
    g[0] += 1
    if d.log_prob > g[1]:
        g[1], g[2] = d.log_prob, d.program


def _ends(n: int, slice_size: int):
    """The sample counts at which a run capped at ``n`` may stop: slice ends, and ``n``."""
    return [*range(slice_size, n, slice_size), n]


def best_of_n(draws: Sequence[Draw], n: int) -> Stop:
    """Draw ``n``; the answer is the most probable verified sample."""
    _check(draws, n, 1)
    best = max((d for d in draws[:n] if d.verified), key=lambda d: d.log_prob, default=None)
    return Stop("" if best is None else best.program, n)


def first_verified(draws: Sequence[Draw], n: int, slice_size: int) -> Stop:
    """Best-of-``n`` that stops at the end of the slice holding the first verified sample."""
    _check(draws, n, slice_size)
    for end in _ends(n, slice_size):
        if any(d.verified for d in draws[:end]):
            return Stop(best_of_n(draws, end).program, end)
    return Stop("", n)


def vote(draws: Sequence[Draw], n: int) -> Stop:
    """Self-Consistency: draw ``n``; the majority of the outputs of the samples that run."""
    _check(draws, n, 1)
    groups: dict = {}
    for d in draws[:n]:
        if d.outputs is not None:
            _add(groups, d.outputs, d)
    top, _, _ = top_two(groups)
    return Stop("" if top is None else groups[top][2], n)


def adaptive_vote(draws: Sequence[Draw], n: int, slice_size: int, confidence: float = 0.95) -> Stop:
    """Adaptive-Consistency without a verifier: ``vote`` that stops once the Beta criterion holds.

    The answers are those :func:`vote` counts (outputs on the hidden inputs of
    the samples that run), so the rule stops on the distribution it votes over.
    """
    _check(draws, n, slice_size)
    groups: dict = {}
    seen = 0
    for end in _ends(n, slice_size):
        for d in draws[seen:end]:
            if d.outputs is not None:
                _add(groups, d.outputs, d)
        seen = end
        top, a1, a2 = top_two(groups)
        if top is not None and beta_majority_confidence(a1, a2) >= confidence:
            return Stop(groups[top][2], end)
    top, _, _ = top_two(groups)
    return Stop("" if top is None else groups[top][2], n)


def adaptive_verified(
    draws: Sequence[Draw], n: int, slice_size: int, confidence: float = 0.95
) -> Stop:
    """kairos's ``adaptive`` with a verifier: stop once every sample's answer has converged.

    The criterion counts the answers of all samples that gave a program (a
    program that fails on a hidden input counts as one answer, :data:`FAILS`),
    verified or not; the answer is the most common verified candidate.
    """
    _check(draws, n, slice_size)
    answers: dict = {}
    verified: dict = {}
    seen = 0
    for end in _ends(n, slice_size):
        for d in draws[seen:end]:
            if not d.program:
                continue
            _add(answers, d.outputs, d)
            if d.verified:
                _add(verified, d.outputs if d.outputs is not None else FAILS, d)
        seen = end
        _, a1, a2 = top_two(answers)
        if answers and beta_majority_confidence(a1, a2) >= confidence:
            break
    top, _, _ = top_two(verified)
    return Stop("" if top is None else verified[top][2], seen)


def adaptive_first_verified(
    draws: Sequence[Draw], n: int, slice_size: int, confidence: float = 0.95
) -> Stop:
    """:func:`first_verified` that also gives up once every sample's answer has converged.

    Stops at the end of the first slice that holds a verified sample (answer:
    the most probable verified), or where the Beta criterion over all answers
    (as :func:`adaptive_verified` counts them) holds first (answer: none).
    """
    _check(draws, n, slice_size)
    answers: dict = {}
    seen = 0
    for end in _ends(n, slice_size):
        for d in draws[seen:end]:
            if d.program:
                _add(answers, d.outputs, d)
        seen = end
        if any(d.verified for d in draws[:end]):
            return Stop(best_of_n(draws, end).program, end)
        _, a1, a2 = top_two(answers)
        if answers and beta_majority_confidence(a1, a2) >= confidence:
            return Stop("", end)
    return Stop("", n)
