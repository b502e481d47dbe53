"""The cost of a workload: FLOPs, bytes moved, eFLOPs and roofline time, term by term.

Two cost models share one protocol and one registry, :data:`COST_MODELS`:

``exact``
    Prefill, decode linear and attention FLOPs, weight bytes amortised over the
    batch (with the expected number of distinct MoE experts a batch touches),
    the prompt's KV read once per step per batch, each sample's own KV, KV
    writes, and block top-k search when sparse.
``kinetics``
    Kinetics' published formula (Sadhukhan et al. 2025): no prefill, no weight
    reads, bytes counted at 2 bytes per element.

eFLOPs = FLOPs + I x bytes, with I the hardware's arithmetic intensity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from kairos.cost.hardware import Hardware
from kairos.cost.spec import ModelSpec
from kairos.cost.workload import Workload


@dataclass(frozen=True)
class Term:
    """One additive cost term; ``attention`` marks terms that scale with context length."""

    name: str
    phase: str  # "prefill" or "decode"
    flops: float
    bytes: float
    attention: bool
    num_calls: float = 0.0  # forward calls this term's phase makes (for fixed overheads)


@dataclass(frozen=True)
class CostBreakdown:
    """A priced workload: the terms and their totals under one hardware profile."""

    model: ModelSpec
    workload: Workload
    hardware: Hardware
    mode: str
    terms: tuple[Term, ...]
    kv_bytes_per_token: int
    kv_bytes: float  # cache size at the end of generation (prompt once + every sample's tokens)

    @property
    def flops(self) -> float:
        """Total FLOPs."""
        return sum(t.flops for t in self.terms)

    @property
    def bytes(self) -> float:
        """Total bytes moved to or from memory."""
        return sum(t.bytes for t in self.terms)

    def term_eflops(self, term: Term) -> float:
        """FLOPs + I x bytes of one term."""
        return term.flops + self.hardware.intensity * term.bytes

    @property
    def eflops(self) -> float:
        """Total eFLOPs = FLOPs + I x bytes."""
        return self.flops + self.hardware.intensity * self.bytes

    @property
    def attention_share(self) -> float:
        """Fraction of eFLOPs spent in attention (KV reads, attention FLOPs, top-k search)."""
        total = self.eflops
        return sum(self.term_eflops(t) for t in self.terms if t.attention) / total if total else 0.0

    def _phase_totals(self) -> dict[str, tuple[float, float, float]]:
        phases: dict[str, tuple[float, float, float]] = {}
        for t in self.terms:
            f, b, c = phases.get(t.phase, (0.0, 0.0, 0.0))
            phases[t.phase] = (f + t.flops, b + t.bytes, max(c, t.num_calls))
        return phases

    def _overhead_s(self, num_calls: float) -> float:
        hw = self.hardware
        return num_calls * (hw.step_overhead_s + self.model.num_layers * hw.layer_overhead_s)

    @property
    def seconds_max(self) -> float:
        """Roofline time, compute and memory overlapped: sum over phases of max(F/peak, B/bw)."""
        hw = self.hardware
        return sum(
            max(f / hw.peak_flops_per_s, b / hw.bandwidth_bytes_per_s) + self._overhead_s(c)
            for f, b, c in self._phase_totals().values()
        )

    @property
    def seconds_sum(self) -> float:
        """Roofline time, no overlap: F/peak + B/bw (+ overheads); equals eFLOPs / peak."""
        hw = self.hardware
        return sum(
            f / hw.peak_flops_per_s + b / hw.bandwidth_bytes_per_s + self._overhead_s(c)
            for f, b, c in self._phase_totals().values()
        )

    def summary(self) -> dict[str, float | int]:
        """The ``--json`` fields; ``seconds`` is the overlapped (max) roofline time."""
        return {
            "params": self.model.num_params,
            "kv_bytes_per_token": self.kv_bytes_per_token,
            "kv_bytes": self.kv_bytes,
            "flops": self.flops,
            "bytes": self.bytes,
            "eflops": self.eflops,
            "attention_share": self.attention_share,
            "seconds": self.seconds_max,
        }

    def table(self) -> list[dict[str, Any]]:
        """Tidy rows, one per term plus a total row.

        Columns: term, phase, flops, bytes, eflops, seconds_compute (FLOPs / peak),
        seconds_memory (bytes / bandwidth), seconds_max and seconds_sum (their max
        and sum; on the total row, :attr:`seconds_max` and :attr:`seconds_sum`,
        which take the max per phase and add fixed overheads).
        """
        hw = self.hardware
        rows = []
        for t in self.terms:
            compute_s, memory_s = t.flops / hw.peak_flops_per_s, t.bytes / hw.bandwidth_bytes_per_s
            rows.append(
                {
                    "term": t.name,
                    "phase": t.phase,
                    "flops": t.flops,
                    "bytes": t.bytes,
                    "eflops": self.term_eflops(t),
                    "seconds_compute": compute_s,
                    "seconds_memory": memory_s,
                    "seconds_max": max(compute_s, memory_s),
                    "seconds_sum": compute_s + memory_s,
                }
            )
        rows.append(
            {
                "term": "total",
                "phase": "all",
                "flops": self.flops,
                "bytes": self.bytes,
                "eflops": self.eflops,
                "seconds_compute": self.flops / hw.peak_flops_per_s,
                "seconds_memory": self.bytes / hw.bandwidth_bytes_per_s,
                "seconds_max": self.seconds_max,
                "seconds_sum": self.seconds_sum,
            }
        )
        return rows


class CostModel(Protocol):
    """Prices a workload of a model on some hardware."""

    def __call__(self, model: ModelSpec, workload: Workload, hardware: Hardware) -> CostBreakdown:
        """Return the term-by-term cost."""
        ...


# --- shared pieces -----------------------------------------------------------


def _final_kv_bytes(model: ModelSpec, workload: Workload, bytes_per_element: int) -> float:
    tokens = workload.prompt_tokens + workload.num_samples * workload.mean_gen_tokens
    return tokens * model.kv_bytes_per_token(bytes_per_element)


def weight_bytes_touched(model: ModelSpec, num_tokens: int, bytes_per_element: int) -> float:
    """Expected weight bytes read by one forward pass over ``num_tokens`` tokens.

    Dense models read every stored weight except the untied embedding table
    (a gather of a few rows). An MoE layer reads only the experts some token
    routes to: with k of E experts per token, chosen uniformly, a batch touches
    E x (1 - (1 - k/E)^num_tokens) distinct experts in expectation.
    """
    params = model.num_params - (0 if model.tied_embeddings else model.embedding_params)
    if model.is_moe:
        all_experts = model.num_layers * model.num_experts * model.expert_params
        touched = 1.0 - (1.0 - model.num_active_experts / model.num_experts) ** num_tokens
        params = params - all_experts + all_experts * touched
    return params * bytes_per_element


def _attended_positions(workload: Workload, length: int) -> tuple[float, float, float]:
    """Per sample over one generation of ``length`` tokens, in closed form (O(1) in length).

    Step t = 1..length attends to a context of prompt + t positions (the new
    token attends to itself too). The sums are exact integers, so they equal a
    step-by-step float64 sum wherever that sum is exact (below 2**53).

    Returns (KV positions attended, positions attended that lie in the prompt,
    block centroids scored by top-k search).
    """
    prompt, length = int(workload.prompt_tokens), int(length)
    sparse = workload.sparse
    if sparse is None:
        return float(prompt * length + length * (length + 1) // 2), float(prompt * length), 0.0
    budget, block = int(sparse.budget_tokens), int(sparse.block_size)
    # steps 1..within have prompt + t <= budget: nothing to select, the whole context is read
    within = min(max(budget - prompt, 0), length)
    attended = prompt * within + within * (within + 1) // 2 + (length - within) * budget
    # the other steps score ceil(context / block) centroids, context = prompt+within+1..prompt+length
    centroids = _sum_ceil_div(prompt + length, block) - _sum_ceil_div(prompt + within, block)
    return float(attended), 0.0, float(centroids)


def _sum_ceil_div(n: int, block: int) -> int:
    """sum of ceil(c / block) for c = 1..n (0 for n <= 0)."""
    if n <= 0:
        return 0
    q, r = divmod(n, block)
    return block * q * (q + 1) // 2 + r * (q + 1)


# --- exact -------------------------------------------------------------------


def exact_cost(model: ModelSpec, workload: Workload, hardware: Hardware) -> CostBreakdown:
    """Price every term: prefill, decode matmuls, weights, KV reads/writes, top-k search."""
    bpe = hardware.bytes_per_element
    kv_bpt = model.kv_bytes_per_token(bpe)
    d_kv = model.kv_elements_per_token
    r = model.gqa_group_size
    head = model.vocab_size * model.hidden_size
    n, prompt = workload.num_samples, workload.prompt_tokens
    terms: list[Term] = []

    if prompt:
        terms += [
            # the output head is only needed for the last prompt position
            Term(
                "prefill linear",
                "prefill",
                2.0 * (model.matmul_params_per_token - head) * prompt + 2.0 * head,
                0.0,
                False,
                1,
            ),
            Term(
                "prefill attention",
                "prefill",
                float(r * d_kv) * prompt * (prompt + 1),
                0.0,
                True,
                1,
            ),
            Term(
                "prefill weights",
                "prefill",
                0.0,
                weight_bytes_touched(model, prompt, bpe),
                False,
                1,
            ),
            Term("prefill KV write", "prefill", 0.0, float(prompt * kv_bpt), True, 1),
        ]

    # Every length of the distribution is equally likely: average the decode terms.
    lin_f = att_f = w_b = kv_prompt_b = kv_own_b = kv_write_b = search_f = search_b = 0.0
    steps_total = 0.0
    weights_per_step = weight_bytes_touched(model, workload.effective_batch, bpe)
    for length in workload.gen_tokens:
        attended, attended_prompt, centroids = _attended_positions(workload, length)
        steps = workload.num_batches * length
        steps_total += steps
        lin_f += 2.0 * model.matmul_params_per_token * n * length
        att_f += 2.0 * r * d_kv * n * attended
        w_b += steps * weights_per_step
        # a shared (dense) prompt is read once per step per batch, not once per sample
        kv_prompt_b += steps * prompt * kv_bpt if workload.sparse is None else 0.0
        kv_own_b += n * (attended - attended_prompt) * kv_bpt
        kv_write_b += n * length * kv_bpt
        search_f += float(r * d_kv) * n * centroids  # q . centroid: 2 x heads x head_dim per layer
        search_b += n * centroids * (kv_bpt / 2.0)  # centroids hold keys only
    k = len(workload.gen_tokens)
    decode_calls = steps_total / k
    terms += [
        Term("decode linear", "decode", lin_f / k, 0.0, False, decode_calls),
        Term("decode weights", "decode", 0.0, w_b / k, False, decode_calls),
        Term("decode attention", "decode", att_f / k, 0.0, True, decode_calls),
        Term("decode KV prompt", "decode", 0.0, kv_prompt_b / k, True, decode_calls),
        Term("decode KV samples", "decode", 0.0, kv_own_b / k, True, decode_calls),
        Term("decode KV write", "decode", 0.0, kv_write_b / k, True, decode_calls),
    ]
    if workload.sparse is not None:
        terms.append(Term("top-k search", "decode", search_f / k, search_b / k, True, decode_calls))
    return CostBreakdown(
        model,
        workload,
        hardware,
        "exact",
        tuple(terms),
        kv_bpt,
        _final_kv_bytes(model, workload, bpe),
    )


# --- Kinetics ----------------------------------------------------------------

KINETICS_BYTES_PER_ELEMENT = 2  # bf16


def kinetics_cost(model: ModelSpec, workload: Workload, hardware: Hardware) -> CostBreakdown:
    """Kinetics' eFLOPs model with P = active parameters (our exact count).

    Dense::

        C_comp = 2 N P L + 2 r N L_in D L + r N D L^2
        C_mem  = 2 L_in D L + N D L^2

    Block top-k with budget B and block size b (Kinetics' block_sparse_cost,
    layers folded into D)::

        S      = B L - (max(0, B - L_in))^2 / 2        # KV positions attended
        C_comp = N (2 P L + 2 r D S + floor((2 L_in + L) / b) L r D / 2)
        C_mem  = 2 N D S + floor((2 L_in + N L) / b) L D / 2

    Prefill and weight reads are not modelled; with a length distribution the
    costs are averaged over lengths, as Kinetics' ``expected_cost`` does.
    """
    p = float(model.num_active_params)
    d_kv = float(model.kv_elements_per_token)
    r = float(model.gqa_group_size)
    n, l_in = float(workload.num_samples), float(workload.prompt_tokens)
    lin = att_f = mem = search_f = search_b = 0.0
    for length in workload.gen_tokens:
        l_out = float(length)
        lin += 2.0 * n * p * l_out
        sp = workload.sparse
        if sp is None:
            att_f += 2.0 * r * n * l_in * d_kv * l_out + r * n * d_kv * l_out**2
            mem += 2.0 * l_in * d_kv * l_out + n * d_kv * l_out**2
        else:
            attended = sp.budget_tokens * l_out - 0.5 * max(0.0, sp.budget_tokens - l_in) ** 2
            att_f += n * 2.0 * r * d_kv * attended
            mem += 2.0 * n * d_kv * attended
            search_f += n * math.floor((2 * l_in + l_out) / sp.block_size) * l_out * r * d_kv / 2
            search_b += math.floor((2 * l_in + n * l_out) / sp.block_size) * l_out * d_kv / 2
    k = len(workload.gen_tokens)
    calls = workload.num_batches * workload.mean_gen_tokens
    terms = [
        Term("decode linear", "decode", lin / k, 0.0, False, calls),
        Term("decode attention", "decode", att_f / k, mem / k, True, calls),
    ]
    if workload.sparse is not None:
        terms.append(Term("top-k search", "decode", search_f / k, search_b / k, True, calls))
    return CostBreakdown(
        model,
        workload,
        hardware,
        "kinetics",
        tuple(terms),
        model.kv_bytes_per_token(KINETICS_BYTES_PER_ELEMENT),
        _final_kv_bytes(model, workload, KINETICS_BYTES_PER_ELEMENT),
    )


COST_MODELS: dict[str, CostModel] = {"exact": exact_cost, "kinetics": kinetics_cost}


def context_warnings(model: ModelSpec, workload: Workload) -> list[str]:
    """Reasons the workload is outside what the model can run (empty when none).

    A prompt plus generation longer than the config's ``max_position_embeddings``
    is priced all the same (the cost is defined), but no such run exists.
    """
    limit = model.max_context_tokens
    longest = workload.prompt_tokens + max(workload.gen_tokens)
    if limit is None or longest <= limit:
        return []
    return [
        f"prompt + generation = {longest:,} tokens exceeds {model.name}'s "
        f"max_position_embeddings = {limit:,}; the model cannot attend that far"
    ]


def estimate(
    model: ModelSpec, workload: Workload, hardware: Hardware, *, mode: str = "exact"
) -> CostBreakdown:
    """Price ``workload`` with the cost model named ``mode`` (a key of :data:`COST_MODELS`)."""
    from kairos.errors import ValidationError

    if mode not in COST_MODELS:
        raise ValidationError(
            "mode", f"unknown cost model {mode!r}; expected one of {list(COST_MODELS)}"
        )
    return COST_MODELS[mode](model, workload, hardware)
