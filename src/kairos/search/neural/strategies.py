"""Strategies with the recognition model as the prior, behind one interface.

Each strategy takes a task's *shown* examples (and, for voting, the inputs of
the hidden ones), spends at most ``budget`` units (samples, or node
evaluations for token-level LTS) and ``time_limit_s`` CPU seconds, verifies
candidates by running them on the shown examples, and returns an
:class:`Attempt` with its answer and its cost two ways: eFLOPs from
:mod:`kairos.cost` (:mod:`.pricing`) and measured CPU seconds.

* ``greedy``: the most probable token at each step (one program);
* ``sample``: best-of-N — N programs sampled (temperature 1), the most probable
  one consistent with the shown examples is the answer;
* ``vote``: N samples, no verifier: the answer is the program whose outputs on
  the hidden inputs are the most common among the samples that run;
* ``adaptive``: Adaptive-Consistency (Aggarwal et al. 2023) stopping: sample in
  small slices and stop once the majority answer of all samples so far (their
  outputs on the hidden inputs; failing counts as one answer) is the true
  majority with probability ≥ 0.95 under a Beta posterior, or the budget is
  spent. The answer is the most common verified candidate (none if none
  verified): once the model's answers have converged, more samples would
  mostly repeat them;
* ``marginal``: marginal-value stopping, the allocator's rule of
  :mod:`kairos.agent.allocator` for one task: before each slice, predict the
  chance of a solve in it (a Beta prior over the per-sample success rate,
  fitted on training tasks, updated by the failures so far) and continue only
  while that chance times the value of a solve exceeds the slice's predicted
  eFLOPs;
* ``lts``: Levin tree search over the token tree: nodes popped in increasing
  ``log(d + 1) − log π`` with π the model's type-constrained probability,
  popped in batches whose frontier nodes are scored in one model call with
  the prompt's and their ancestors' keys and values cached.

Sampling is seeded: the same seed gives the same programs. A sampling run
records every sample (:attr:`Attempt.draws`), so other stopping rules can be
read off the same samples (:mod:`kairos.search.neural.stopping`).
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kairos.domains.programs.enumerate import program as node_program
from kairos.domains.programs.interpreter import FAILED, compile_program, consistent, run
from kairos.domains.programs.program import Expr
from kairos.domains.programs.sexpr import show
from kairos.errors import ValidationError
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel
from kairos.search.neural.pricing import Meter
from kairos.search.neural.stopping import Draw, beta_majority_confidence
from kairos.search.neural.stopping import top_two as _majority

STRATEGIES = ("greedy", "sample", "vote", "adaptive", "marginal", "lts")
MAX_PROGRAM_TOKENS = 24
SLICE = 4  # samples drawn together (sharing the prompt's keys and values)
MIN_PRIOR_COUNT = 0.01  # SuccessPrior.fit's floor on a and b


@dataclass
class Checkpoint:
    """The state of a run after some work: for reading off smaller budgets of the same run."""

    units: int  # samples drawn or LTS nodes expanded
    cpu_s: float
    eflops: float
    roofline_s: float
    program: str  # the answer at this point ("" if none)
    solved: bool
    answers: dict = field(default_factory=dict)  # sampling: every rule's answer on the same samples


@dataclass
class Attempt:
    """One strategy's run on one task.

    Attributes
    ----------
    strategy : str
    program : str
        The answer's s-expression ("" if none).
    solved : bool
        The answer is consistent with the shown examples (always checked, also for ``vote``).
    units : int
        Samples drawn, or nodes expanded (``lts``).
    rows : int
        Model rows scored (tokens sampled, or nodes evaluated).
    prompt_tokens : int
    eflops, roofline_s : float
        Cost from :mod:`kairos.cost` and its roofline time on the hardware profile.
    cpu_s : float
        Measured CPU seconds (``time.process_time``), model, decoding and verification.
    checkpoints : list of Checkpoint
    draws : list of Draw
        Sampling strategies: every sample drawn, in order, for reading off
        other stopping rules (:mod:`kairos.search.neural.stopping`).
    """

    strategy: str
    program: str
    solved: bool
    units: int
    rows: int
    prompt_tokens: int
    eflops: float
    roofline_s: float
    cpu_s: float
    checkpoints: list = field(default_factory=list)
    draws: list = field(default_factory=list)


@dataclass
class Problem:
    """What a strategy sees of a task."""

    input_type: object
    output_type: object
    shown: tuple
    hidden_inputs: tuple = ()

    @property
    def request(self):
        from kairos.domains.programs.types import arrow

        return arrow(self.input_type, self.output_type)

    @classmethod
    def of(cls, task, holdout: int) -> Problem:
        shown, hidden = task.split(holdout)
        return cls(task.input_type, task.output_type, tuple(shown), tuple(x for x, _ in hidden))


class RunState:
    """What every strategy run shares, whatever the model: the verifier, the meter and the clock.

    A model's run (:class:`_Run` here, the Hugging Face adapter's in
    :mod:`kairos.search.neural.hf`) adds ``sample(n, greedy=False)``, which
    returns ``n`` pairs (program or None, log π) and prices its model calls on
    :attr:`meter`; :func:`run_sampling` needs nothing else.

    Parameters
    ----------
    problem : Problem
    spec : kairos.cost.ModelSpec
        The model's true shape, for :class:`~kairos.search.neural.pricing.Meter`.
    hardware : kairos.cost.Hardware
    table : mapping of str to Primitive
        The primitives candidates are compiled with.
    """

    def __init__(self, problem: Problem, spec, hardware, table):
        self.c0 = time.process_time()
        self.problem = problem
        self.meter = Meter(spec, hardware)
        self.table = table
        self.prompt_tokens = 0
        self._verified: dict[str, bool] = {}
        self._outputs: dict[str, tuple] = {}

    def cpu_s(self) -> float:
        return time.process_time() - self.c0

    def verify(self, expr: Expr) -> bool:
        text = show(expr)
        ok = self._verified.get(text)
        if ok is None:
            fn = compile_program(expr, 1, self.table)
            ok = self._verified[text] = consistent(fn, self.problem.shown)
        return ok

    def outputs(self, expr: Expr) -> tuple | None:
        """repr of the outputs on the hidden inputs (None if the program fails on one)."""
        text = show(expr)
        if text not in self._outputs:
            fn = compile_program(expr, 1, self.table)
            got = []
            for x in self.problem.hidden_inputs:
                y = run(fn, x)
                if y is FAILED:
                    got = None
                    break
                got.append(repr(y))
            self._outputs[text] = None if got is None else tuple(got)
        return self._outputs[text]

    def checkpoint(self, units: int, program: str, solved: bool) -> Checkpoint:
        e, r = self.meter.snapshot()
        return Checkpoint(units, self.cpu_s(), e, r, program, solved)

    def attempt(
        self, strategy: str, program: str, solved: bool, units: int, checkpoints
    ) -> Attempt:
        m = self.meter
        return Attempt(
            strategy,
            program,
            solved,
            units,
            m.rows,
            self.prompt_tokens,
            m.eflops,
            m.roofline_s,
            self.cpu_s(),
            checkpoints,
        )


class _Run(RunState):
    """The recognition model's run: prompt, prefill and type-constrained sampling."""

    def __init__(
        self, model: RecognitionModel, decoder: Decoder, problem: Problem, hardware, seed: int
    ):
        import torch

        super().__init__(problem, model.cost_spec(), hardware, decoder.grammar.table)
        self.model, self.decoder = model, decoder
        self.prompt = model.prompt(problem.input_type, problem.output_type, problem.shown)
        self.prompt_tokens = len(self.prompt)
        self.prompt_kv, self.first_logits = model.prefill(self.prompt)
        self.meter.prefill(len(self.prompt))
        self.rng = np.random.default_rng(seed)
        self.torch = torch

    def sample(self, n: int, *, greedy: bool = False) -> list[tuple[Expr | None, float]]:
        """``n`` programs decoded in lockstep from the shared prompt: (program or None, log π)."""
        torch = self.torch
        model, decoder = self.model, self.decoder
        nodes = [decoder.root(self.problem.request)] * n
        logp = [0.0] * n
        done: list[tuple[Expr | None, float] | None] = [None] * n
        alive = list(range(n))
        logits = self.first_logits.expand(n, -1).numpy()
        past_k = past_v = None
        depth = 0
        while alive:
            feed_rows, feed_tokens = [], []
            for slot, r in enumerate(alive):
                ids, entries, names = decoder.legal(nodes[r])
                if not len(ids) or depth >= MAX_PROGRAM_TOKENS:
                    done[r] = (None, -math.inf)
                    continue
                z = logits[slot, ids].astype(np.float64)
                z = z - z.max()
                lp = z - math.log(np.exp(z).sum())
                j = (
                    int(np.argmax(lp))
                    if greedy
                    else int(self.rng.choice(len(ids), p=np.exp(lp) / np.exp(lp).sum()))
                )
                logp[r] += float(lp[j])
                nodes[r] = decoder.advance(nodes[r], entries[j], names)
                if nodes[r].holes is None:
                    done[r] = (node_program(nodes[r]), logp[r])
                else:
                    feed_rows.append(slot)
                    feed_tokens.append(int(ids[j]))
            if not feed_rows:
                break
            keep = torch.tensor(feed_rows)
            if past_k is not None:
                past_k, past_v = past_k[:, keep], past_v[:, keep]
            depth += 1
            b = len(feed_rows)
            with torch.inference_mode():
                out, nk, nv = model.step(
                    self.prompt_kv,
                    past_k,
                    past_v,
                    torch.full((b,), depth - 1),
                    torch.tensor(feed_tokens),
                )
            self.meter.decode(len(self.prompt), [depth] * b)
            past_k = nk if past_k is None else torch.cat([past_k, nk], dim=3)
            past_v = nv if past_v is None else torch.cat([past_v, nv], dim=3)
            logits = out.numpy()
            alive = [alive[s] for s in feed_rows]
        return [d if d is not None else (None, -math.inf) for d in done]


def check_budget(budget: int, time_limit_s: float) -> None:
    """Raise :class:`ValidationError` for a budget < 1 or a time limit <= 0."""
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer) or budget < 1:
        raise ValidationError(
            "budget", f"got {budget!r}, expected a positive integer (samples or nodes)"
        )
    if not time_limit_s > 0:
        raise ValidationError("time_limit_s", f"got {time_limit_s}, expected > 0 CPU seconds")


@dataclass(frozen=True)
class SuccessPrior:
    """A Beta(a, b) prior over a task's per-sample success rate, for marginal-value stopping."""

    a: float = 0.3
    b: float = 3.0

    def p_success(self, failures: int, more: int) -> float:
        """P(at least one success in ``more`` samples | ``failures`` failures so far)."""
        from scipy.special import betaln

        return float(
            1.0
            - math.exp(betaln(self.a, self.b + failures + more) - betaln(self.a, self.b + failures))
        )

    @classmethod
    def fit(cls, successes: Sequence[int], samples: Sequence[int]) -> SuccessPrior:
        """Maximum-likelihood Beta-binomial prior from per-task (successes, samples) counts.

        ``a`` and ``b`` are kept in [:data:`MIN_PRIOR_COUNT`, 1e4].

        Raises
        ------
        ValidationError
            No tasks, or counts that disagree in length or sign.
        """
        from scipy.optimize import minimize
        from scipy.special import betaln

        s, n = np.asarray(successes, float), np.asarray(samples, float)
        if len(s) == 0 or s.shape != n.shape or np.any(s < 0) or np.any(s > n) or np.any(n < 1):
            raise ValidationError(
                "successes", "need per-task counts with 0 <= successes <= samples, samples >= 1"
            )

        def nll(x):
            a, b = np.exp(x)
            return -float(np.sum(betaln(a + s, b + n - s) - betaln(a, b)))

        # Bounded: when every task's samples all succeed or all fail, the likelihood keeps
        # rising as a, b -> 0 (a point mass on 0 and 1), and then one failed slice would
        # prove any task hopeless; the floor keeps a sliver of doubt.
        lo, hi = math.log(MIN_PRIOR_COUNT), math.log(1e4)
        res = minimize(
            nll,
            np.log([0.5, 2.0]),
            method="Nelder-Mead",
            bounds=[(lo, hi), (lo, hi)],
            options={"xatol": 1e-4, "fatol": 1e-6},
        )
        a, b = np.exp(np.clip(res.x, lo, hi))
        return cls(float(a), float(b))


def solve_with(
    strategy: str,
    model: RecognitionModel,
    decoder: Decoder,
    problem: Problem,
    *,
    budget: int,
    hardware,
    seed: int = 0,
    time_limit_s: float = math.inf,
    batch_size: int = 32,
    confidence: float = 0.95,
    prior: SuccessPrior | None = None,
    value_eflops: float = 1e12,
) -> Attempt:
    """Run one strategy on one problem.

    Parameters
    ----------
    strategy : str
        One of :data:`STRATEGIES`.
    budget : int
        Samples (``sample``, ``vote``, ``adaptive``, ``marginal``; ignored by
        ``greedy``) or nodes expanded (``lts``).
    hardware : kairos.cost.Hardware
        The profile the eFLOPs and roofline times are priced on.
    time_limit_s : float
        CPU seconds; checked between slices (sampling) or batches (``lts``).
    batch_size : int
        Frontier nodes per model call (``lts``).
    confidence : float
        ``adaptive``'s stopping threshold.
    prior, value_eflops :
        ``marginal``: the success prior, and what a solve is worth in eFLOPs.

    Raises
    ------
    ValidationError
        An unknown strategy, a budget or time limit <= 0, or a batch size < 1.
    """
    if strategy not in STRATEGIES:
        raise ValidationError("strategy", f"got {strategy!r}, expected one of {list(STRATEGIES)}")
    check_budget(budget, time_limit_s)
    if batch_size < 1:
        raise ValidationError("batch_size", f"got {batch_size}, expected >= 1")
    r = _Run(model, decoder, problem, hardware, seed)
    if strategy == "lts":
        return _lts(r, budget, time_limit_s, batch_size)
    if strategy == "greedy":
        ((expr, _),) = r.sample(1, greedy=True)
        ok = expr is not None and r.verify(expr)
        text = show(expr) if ok else ""
        return r.attempt("greedy", text, ok, 1, [r.checkpoint(1, text, ok)])
    return run_sampling(
        r, strategy, budget, time_limit_s, confidence, prior or SuccessPrior(), value_eflops
    )


def run_sampling(
    r: RunState,
    strategy: str,
    budget: int,
    time_limit_s: float,
    confidence: float,
    prior: SuccessPrior,
    value_eflops: float,
) -> Attempt:
    """The sampling strategies (``sample``, ``vote``, ``adaptive``, ``marginal``) on any run.

    Draws slices of :data:`SLICE` samples from ``r.sample`` until ``budget``
    samples, ``time_limit_s`` CPU seconds, or the strategy's stopping rule;
    see the module docstring for each rule. Arguments are those of
    :func:`solve_with`, already checked.
    """
    drawn = 0
    best: tuple[float, str] | None = None  # (log π, program) of the most probable verified
    verified_groups: dict = {}  # hidden-output key -> [count, best log π, program]
    vote_groups: dict = {}
    checkpoints = []
    answer, solved = "", False
    num_verified = 0
    answer_groups: dict = {}  # every sample's answer (None: fails on a hidden input)
    draws: list[Draw] = []
    while drawn < budget and r.cpu_s() < time_limit_s:
        n = min(SLICE, budget - drawn)
        if strategy == "marginal" and drawn > 0:
            # predicted eFLOPs of the next slice: this run's mean cost per sample so far
            per_sample = r.meter.eflops / drawn
            if prior.p_success(drawn, n) * value_eflops < per_sample * n:
                break
        for expr, lp in r.sample(n):
            drawn += 1
            if expr is None:
                draws.append(Draw("", -math.inf, None, False))
                continue
            text = show(expr)
            key = r.outputs(expr)
            draws.append(Draw(text, lp, key, r.verify(expr)))
            g = answer_groups.setdefault(key, [0, -math.inf, ""])
            g[0] += 1
            if key is not None:
                g = vote_groups.setdefault(key, [0, -math.inf, ""])
                g[0] += 1
                if lp > g[1]:
                    g[1], g[2] = lp, text
            if not r.verify(expr):
                continue
            num_verified += 1
            if best is None or lp > best[0]:
                best = (lp, text)
            g = verified_groups.setdefault(
                key if key is not None else ("<fails on hidden>",), [0, -math.inf, ""]
            )
            g[0] += 1
            if lp > g[1]:
                g[1], g[2] = lp, text
        vote_top, _, _ = _majority(vote_groups)
        vote = "" if vote_top is None else vote_groups[vote_top][2]
        top, _, _ = _majority(verified_groups)
        majority = "" if top is None else verified_groups[top][2]
        _, a1, a2 = _majority(answer_groups)
        conf = beta_majority_confidence(a1, a2) if answer_groups else 0.0
        _, v1, v2 = _majority(vote_groups)
        most_probable = "" if best is None else best[1]
        answer = {"vote": vote, "adaptive": majority}.get(strategy, most_probable)
        solved = bool(answer) and r.verify(_parse(answer))
        cp = r.checkpoint(drawn, answer, solved)
        cp.answers = {
            "sample": most_probable,
            "vote": vote,
            "vote_solved": bool(vote) and r.verify(_parse(vote)),
            "adaptive": majority,
            "confidence": conf,
            "vote_confidence": beta_majority_confidence(v1, v2) if vote_groups else 0.0,
            "verified": num_verified,
        }
        checkpoints.append(cp)
        if strategy == "adaptive" and conf >= confidence:
            break
        if strategy == "marginal" and solved:
            break
    attempt = r.attempt(strategy, answer, solved, drawn, checkpoints)
    attempt.draws = draws
    return attempt


def _parse(text: str) -> Expr:
    from kairos.domains.programs.sexpr import parse

    return parse(text)


def _lts(r: _Run, budget: int, time_limit_s: float, batch_size: int) -> Attempt:
    torch = r.torch
    decoder, model = r.decoder, r.model
    root = decoder.root(r.problem.request)
    cfg = model.config
    empty = torch.zeros(cfg.num_layers, cfg.num_kv_heads, 0, cfg.head_dim)
    # heap items: (priority, tie, logp, depth, program node, parent kv (k, v), token id)
    heap: list = []
    counter = 0
    expansions = 0
    checkpoints: list[Checkpoint] = []

    def push_children(node, logp, depth, kv, logits_row):
        nonlocal counter
        ids, entries, names = decoder.legal(node)
        if not len(ids) or depth >= MAX_PROGRAM_TOKENS:
            return
        z = logits_row[ids].astype(np.float64)
        z = z - z.max()
        lp = z - math.log(np.exp(z).sum())
        log_d = math.log(depth + 2.0)
        for j in range(len(ids)):
            kid = decoder.advance(node, entries[j], names)
            counter += 1
            heapq.heappush(
                heap,
                (log_d - (logp + lp[j]), counter, logp + lp[j], depth + 1, kid, kv, int(ids[j])),
            )

    push_children(root, 0.0, 0, (empty, empty), r.first_logits.numpy())
    expansions = 1
    while heap and expansions < budget and r.cpu_s() < time_limit_s:
        batch = []
        while heap and len(batch) < batch_size and expansions < budget:
            item = heapq.heappop(heap)
            expansions += 1
            node = item[4]
            if node.holes is None:
                expr = node_program(node)
                if r.verify(expr):
                    text = show(expr)
                    checkpoints.append(r.checkpoint(expansions, text, True))
                    return r.attempt("lts", text, True, expansions, checkpoints)
                continue
            if item[3] < MAX_PROGRAM_TOKENS:
                batch.append(item)
        if not batch:
            continue
        lens = [it[5][0].shape[2] for it in batch]
        t = max(lens)
        b = len(batch)
        if t:
            pk = torch.zeros(cfg.num_layers, b, cfg.num_kv_heads, t, cfg.head_dim)
            pv = torch.zeros_like(pk)
            for i, it in enumerate(batch):
                k, v = it[5]
                pk[:, i, :, : k.shape[2]] = k
                pv[:, i, :, : v.shape[2]] = v
        else:
            pk = pv = None
        with torch.inference_mode():
            out, nk, nv = model.step(
                r.prompt_kv, pk, pv, torch.tensor(lens), torch.tensor([it[6] for it in batch])
            )
        r.meter.decode(len(r.prompt), [n + 1 for n in lens])
        logits = out.numpy()
        for i, it in enumerate(batch):
            k, v = it[5]
            kv = (torch.cat([k, nk[:, i]], dim=2), torch.cat([v, nv[:, i]], dim=2))
            push_children(it[4], it[2], it[3], kv, logits[i])
        checkpoints.append(r.checkpoint(expansions, "", False))
    return r.attempt("lts", "", False, expansions, checkpoints)
