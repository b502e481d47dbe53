"""Training the recognition model from scratch: dreams from the grammar prior, plus solutions.

*Dreams* (DreamCoder's fantasies): programs sampled from the current prior,
the grammar over the base DSL plus its Stitch library, run on random inputs;
each becomes a training pair (its examples, itself with the library's
inventions inlined, since the model writes base-DSL programs). Constant
programs, programs that fail on an input, and programs whose outputs on a
fixed set of probe inputs repeat an earlier dream are dropped.
*Solutions* are (task, program) pairs found by search (the bootstrap) and are
repeated ``solution_weight`` times in the data.

The loss is the cross-entropy of each program token among the *legal* tokens
only (the type-constrained softmax used at decoding), so the model spends no
capacity on ill-typed continuations.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kairos.domains.programs.enumerate import Enumerator
from kairos.domains.programs.fit import trace
from kairos.domains.programs.generate import random_examples, random_input, sample_program
from kairos.domains.programs.grammar import Grammar
from kairos.domains.programs.interpreter import compile_program, consistent, run
from kairos.domains.programs.library import Invention, eta_long, inline
from kairos.domains.programs.primitives import PRIMITIVES
from kairos.domains.programs.program import Apply, Expr, Lambda, Prim
from kairos.domains.programs.tasks import Task
from kairos.domains.programs.types import BOOL, INT, tlist
from kairos.errors import ValidationError
from kairos.policy.transformer_prior.decoding import Decoder
from kairos.policy.transformer_prior.model import RecognitionModel

DREAM_TYPES = (
    (tlist(INT), tlist(INT), 0.6),
    (tlist(INT), INT, 0.2),
    (tlist(INT), BOOL, 0.1),
    (tlist(INT), tlist(BOOL), 0.1),
)
"""Input type, output type and share of the dreams (about those of DreamCoder's list tasks)."""


MAX_DREAM_TOKENS = 24
"""Most base-DSL productions in a dream's program (the decoder's cap on a program's length)."""


@dataclass
class DreamSet:
    """Dreams and where they came from.

    Attributes
    ----------
    pairs : list of (Task, Expr)
        The dreams; every program is in the base DSL (inventions inlined).
    with_library : int
        Dreams whose sampled program calls at least one library invention.
    inline_rejected : int
        Distinct, non-constant sampled programs with inventions that were dropped:
        inlined, they are not a program the base enumerator builds, longer than
        :data:`MAX_DREAM_TOKENS` productions, or not equal on their own examples.
    tries : int
        Programs sampled.
    """

    pairs: list
    with_library: int = 0
    inline_rejected: int = 0
    tries: int = 0

    @property
    def library_share(self) -> float:
        """Share of the dreams that use the library (0 when there are none)."""
        return self.with_library / len(self.pairs) if self.pairs else 0.0


def _check_library(grammar: Grammar, library: Sequence[Invention]) -> None:
    extra = [p.name for p in grammar.primitives[len(PRIMITIVES) :]]
    base = [p.name for p in grammar.primitives[: len(PRIMITIVES)]]
    if base != [p.name for p in PRIMITIVES] or extra != [inv.name for inv in library]:
        raise ValidationError(
            "library",
            f"the grammar's primitives beyond the base DSL are {extra}, the library's "
            f"inventions {[inv.name for inv in library]}: pass the library the grammar was "
            "built over (ProgramPolicy.library with ProgramPolicy.grammar)",
        )


def _uses(expr: Expr, names: frozenset) -> bool:
    if isinstance(expr, Prim):
        return expr.name in names
    if isinstance(expr, Lambda):
        return _uses(expr.body, names)
    if isinstance(expr, Apply):
        return _uses(expr.head, names) or any(_uses(a, names) for a in expr.args)
    return False


def sample_dreams(
    grammar: Grammar,
    num: int,
    *,
    seed: int,
    library: Sequence[Invention] = (),
    num_examples: int = 10,
    max_choices: int = 14,
    max_tries: int | None = None,
    time_limit_s: float = math.inf,
) -> DreamSet:
    """Up to ``num`` dreams sampled from ``grammar``, deterministically from ``seed``.

    Parameters
    ----------
    grammar : Grammar
        The current prior: over the base DSL, or over the base DSL plus
        ``library`` (a :class:`~kairos.domains.programs.policy_file.ProgramPolicy`'s
        ``grammar`` and ``library``).
    library : sequence of Invention
        The inventions of ``grammar``'s extra primitives, in order. A program
        sampled with inventions is run with them, then inlined into the base
        DSL (the recognition model writes base programs) and kept only if the
        inlined program is one the base enumerator builds and gives the same
        outputs.
    max_choices : int
        Most choices per sampled program (an invention is one choice).

    Fewer are returned when ``max_tries`` samples or ``time_limit_s`` CPU
    seconds run out first (the time limit makes the count machine-dependent).

    Raises
    ------
    ValidationError
        ``num`` < 0, or a library that is not the one ``grammar`` was built over.
    """
    if num < 0:
        raise ValidationError("num", f"got {num}, expected >= 0")
    _check_library(grammar, library)
    enum = Enumerator(grammar)
    base_enum = Enumerator(Grammar()) if library else enum
    inventions = frozenset(inv.name for inv in library)
    rng = np.random.default_rng(seed)
    probe_rng = np.random.default_rng(12345)
    probes = [random_input(tlist(INT), probe_rng) for _ in range(6)]
    shares = np.array([s for _, _, s in DREAM_TYPES])
    out, seen = DreamSet([]), set()
    max_tries = max_tries or 200 * num + 1000
    c0 = time.process_time()
    while len(out.pairs) < num and out.tries < max_tries:
        out.tries += 1
        if not out.tries & 63 and time.process_time() - c0 > time_limit_s:
            break
        tin, tout, _ = DREAM_TYPES[int(rng.choice(len(DREAM_TYPES), p=shares / shares.sum()))]
        request = Task("", tin, tout, ()).request
        expr = sample_program(enum, request, rng, max_choices=max_choices)
        if expr is None:
            continue
        fn = compile_program(expr, 1, grammar.table)
        key = (tin, tout, tuple(repr(run(fn, (x,))) for x in probes))
        if key in seen:
            continue
        examples = random_examples(fn, tin, rng, num_examples)
        if examples is None or len({repr(y) for _, y in examples}) <= 1:
            continue
        used = bool(inventions) and _uses(expr, inventions)
        if used:
            base = _inlined(expr, request, library, base_enum, examples)
            if base is None:
                out.inline_rejected += 1
                continue
            expr = base
        seen.add(key)
        out.with_library += used
        out.pairs.append((Task(f"dream-{seed}-{len(out.pairs)}", tin, tout, examples), expr))
    return out


def _inlined(expr: Expr, request, library, base_enum: Enumerator, examples) -> Expr | None:
    """``expr`` in the base DSL, if the base enumerator builds it in few enough choices and it
    gives ``examples``' outputs; else None."""
    table = base_enum.grammar.table
    try:
        base = eta_long(inline(expr, library), request, table)
        rows, _, _ = trace(base_enum, base, request)
    except (ValidationError, RecursionError):
        return None
    if len(rows) > MAX_DREAM_TOKENS:
        return None
    return base if consistent(compile_program(base, 1, table), examples) else None


def dream(grammar: Grammar, num: int, *, seed: int, **kwargs) -> list[tuple[Task, Expr]]:
    """The (task, base-DSL program) pairs of :func:`sample_dreams` (same arguments)."""
    return sample_dreams(grammar, num, seed=seed, **kwargs).pairs


@dataclass
class Example:
    """One training sequence: prompt + program tokens, with the legal ids at each program step."""

    prompt: list[int]
    program: list[int]
    legal: list[np.ndarray]


def make_examples(
    model: RecognitionModel,
    decoder: Decoder,
    pairs: Sequence[tuple[Task, object]],
    rng: np.random.Generator,
) -> list[Example]:
    """Training examples from (task, program) pairs; a random subset of 3+ examples is shown.

    Pairs whose program the vocabulary cannot express are skipped.
    """
    out = []
    for task, expr in pairs:
        try:
            ids, legal = decoder.trace(expr, task.request)
        except ValidationError:
            continue
        n = len(task.examples)
        k = int(rng.integers(min(3, n), n + 1))
        shown = [task.examples[i] for i in sorted(rng.choice(n, size=k, replace=False))]
        out.append(Example(model.prompt(task.input_type, task.output_type, shown), ids, legal))
    return out


@dataclass(frozen=True)
class TrainReport:
    """What training did: steps, time, memory and the loss."""

    steps: int
    sequences: int
    tokens: int
    cpu_s: float
    wall_s: float
    peak_rss_mib: float
    first_loss: float
    final_loss: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _batch(examples: Sequence[Example], vocab_size: int):
    import torch

    longest = max(len(e.prompt) + len(e.program) for e in examples)
    b = len(examples)
    tokens = torch.zeros(b, longest, dtype=torch.long)
    targets = torch.full((b, longest), -100, dtype=torch.long)
    allowed = torch.zeros(b, longest, vocab_size, dtype=torch.bool)
    for i, e in enumerate(examples):
        seq = e.prompt + e.program
        tokens[i, : len(seq)] = torch.tensor(seq)
        p = len(e.prompt)
        for j, (tok, legal) in enumerate(zip(e.program, e.legal, strict=True)):
            targets[i, p - 1 + j] = tok  # position p-1+j predicts program token j
            allowed[i, p - 1 + j, torch.from_numpy(legal)] = True
    allowed[targets < 0] = True
    return tokens, targets, allowed


def train(
    model: RecognitionModel,
    examples: Sequence[Example],
    *,
    seed: int,
    steps: int,
    batch_size: int = 32,
    lr: float = 3e-3,
    time_limit_s: float = math.inf,
    log_every: int = 0,
) -> TrainReport:
    """Train ``model`` in place with AdamW on the legal-token cross-entropy.

    Stops after ``steps`` steps or ``time_limit_s`` CPU seconds; the learning
    rate warms up over 5% of the steps and decays linearly to 10%.

    Raises
    ------
    ValidationError
        No examples, or a non-positive step count or batch size.
    """
    import resource

    import torch
    import torch.nn.functional as F

    if not examples:
        raise ValidationError("examples", "nothing to train on")
    if steps < 1 or batch_size < 1:
        raise ValidationError("steps", f"got steps={steps}, batch_size={batch_size}; expected >= 1")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = model.net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.1, 1.0 - s / steps)
    )
    c0, w0 = time.process_time(), time.perf_counter()
    first = final = math.nan
    tokens_seen = 0
    done = 0
    order = rng.permutation(len(examples))
    cursor = 0
    vocab_size = model.config.vocab_size
    for step in range(steps):
        if cursor + batch_size > len(order):
            order, cursor = rng.permutation(len(examples)), 0
        idx = order[cursor : cursor + batch_size]
        cursor += batch_size
        tokens, targets, allowed = _batch([examples[i] for i in idx], vocab_size)
        logits = net(tokens).masked_fill(~allowed, -1e9)
        loss = F.cross_entropy(
            logits.reshape(-1, vocab_size), targets.reshape(-1), ignore_index=-100
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        value = float(loss.detach())
        first = value if step == 0 else first
        final = value if step == 0 else 0.95 * final + 0.05 * value
        tokens_seen += int(tokens.numel())
        done = step + 1
        if log_every and step % log_every == 0:
            print(f"  step {step}: loss {value:.3f}", flush=True)
        if time.process_time() - c0 > time_limit_s:
            break
    net.eval()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return TrainReport(
        done,
        done * batch_size,
        tokens_seen,
        time.process_time() - c0,
        time.perf_counter() - w0,
        rss,
        first,
        final,
    )
