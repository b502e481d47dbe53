"""The price of running the recognition model, in eFLOPs from :mod:`kairos.cost`, call by call.

Every strategy runs the same two operations, and each is priced from the
model's true config (:meth:`RecognitionModel.cost_spec`):

* one *prefill* of the prompt (the serialised examples), priced by
  :func:`kairos.cost.estimate` (its ``prefill`` terms);
* *decode calls*: B rows, each generating one token after its own ``s_i - 1``
  earlier program tokens, all sharing the prompt's keys and values. Per call,
  with P prompt tokens, M weights multiplied per token, r query heads per KV
  head, D KV elements per token and k KV bytes per token::

      FLOPs = Σ_i 2 M + 2 r D (P + s_i)
      bytes = weights touched by a batch of B + P k (the shared prompt, read once)
              + Σ_i s_i k (each row's own tokens) + B k (the new keys and values)

  which is :func:`kairos.cost.estimate`'s ``exact`` decode step, term for term,
  when every row has the same ``s`` (N samples sharing the prompt's KV); a
  test checks that. Token-level LTS scores frontier nodes at different depths
  in one call, which the workload model has no shape for, hence this sum.

eFLOPs = FLOPs + I × bytes with the hardware's intensity I; the roofline time
adds the profile's fixed per-call overheads (which dominate a small model on
a CPU), so it can be compared with measured CPU seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kairos.cost import Hardware, ModelSpec, Workload, estimate
from kairos.cost.estimate import weight_bytes_touched


@dataclass
class Meter:
    """Running totals of what a strategy asked of the model.

    Attributes
    ----------
    flops, bytes : float
        Totals over the prefill and every decode call.
    calls : int
        Model calls (the prefill counts one).
    rows : int
        Rows scored by decode calls (node evaluations or sampled tokens).
    roofline_s : float
        Predicted seconds: per call max(FLOPs / peak, bytes / bandwidth) plus the fixed overheads.
    """

    spec: ModelSpec
    hardware: Hardware
    flops: float = 0.0
    bytes: float = 0.0
    calls: int = 0
    rows: int = 0
    roofline_s: float = 0.0
    _prefill: dict = field(default_factory=dict)

    @property
    def eflops(self) -> float:
        """FLOPs + I × bytes."""
        return self.flops + self.hardware.intensity * self.bytes

    def _add(self, flops: float, data: float, rows: int) -> None:
        hw = self.hardware
        self.flops += flops
        self.bytes += data
        self.calls += 1
        self.rows += rows
        self.roofline_s += (
            max(flops / hw.peak_flops_per_s, data / hw.bandwidth_bytes_per_s)
            + hw.step_overhead_s
            + self.spec.num_layers * hw.layer_overhead_s
        )

    def prefill(self, prompt_tokens: int) -> None:
        """Price the prefill of a prompt of ``prompt_tokens`` tokens."""
        got = self._prefill.get(prompt_tokens)
        if got is None:
            cost = estimate(
                self.spec, Workload.of(prompt_tokens=prompt_tokens, gen_tokens=1), self.hardware
            )
            terms = [t for t in cost.terms if t.phase == "prefill"]
            got = self._prefill[prompt_tokens] = (
                sum(t.flops for t in terms),
                sum(t.bytes for t in terms),
            )
        self._add(got[0], got[1], 0)

    def decode(self, prompt_tokens: int, own_steps: Sequence[int]) -> None:
        """Price one decode call; row i generates its ``own_steps[i]``-th program token."""
        spec, bpe = self.spec, self.hardware.bytes_per_element
        kv_bpt = spec.kv_bytes_per_token(bpe)
        r, d_kv = spec.gqa_group_size, spec.kv_elements_per_token
        b = len(own_steps)
        total_s = float(sum(own_steps))
        flops = 2.0 * spec.matmul_params_per_token * b + 2.0 * r * d_kv * (
            prompt_tokens * b + total_s
        )
        data = (
            weight_bytes_touched(spec, b, bpe)
            + prompt_tokens * kv_bpt
            + total_s * kv_bpt
            + b * kv_bpt
        )
        self._add(flops, data, b)

    def snapshot(self) -> tuple[float, float]:
        """``(eFLOPs, roofline seconds)`` so far."""
        return self.eflops, self.roofline_s
