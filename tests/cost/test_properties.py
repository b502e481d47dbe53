"""Properties of the exact cost model that must hold for any workload."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.cost import HARDWARE, BlockTopK, Workload, estimate, get_hardware, get_model

SPECS = [get_model(n) for n in ("qwen3-0.6b", "qwen3-8b", "qwen3-30b-a3b")]
H100 = HARDWARE["h100"]

workloads = st.builds(
    dict,
    prompt_tokens=st.integers(0, 4096),
    gen_tokens=st.integers(1, 4096),
    num_samples=st.integers(1, 16),
)


@settings(max_examples=40, deadline=None)
@given(work=workloads, spec_index=st.integers(0, len(SPECS) - 1), extra=st.integers(1, 2048))
def test_longer_generation_and_more_samples_cost_more(work, spec_index, extra):
    spec = SPECS[spec_index]
    base = estimate(spec, Workload.of(**work), H100)
    longer = estimate(spec, Workload.of(**{**work, "gen_tokens": work["gen_tokens"] + extra}), H100)
    more = estimate(spec, Workload.of(**{**work, "num_samples": work["num_samples"] + 1}), H100)
    assert longer.eflops > base.eflops and more.eflops > base.eflops
    assert 0.0 < base.attention_share < 1.0
    assert math.isclose(base.seconds_sum, base.eflops / H100.peak_flops_per_s, rel_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(work=workloads, budget=st.integers(16, 8192))
def test_sparse_attention_never_attends_more_than_dense(work, budget):
    spec = SPECS[1]
    dense = estimate(spec, Workload.of(**work), H100)
    sparse = estimate(spec, Workload.of(**work, sparse=BlockTopK(budget, 16)), H100)
    flops = {t.name: t.flops for t in dense.terms}
    sparse_flops = {t.name: t.flops for t in sparse.terms}
    assert sparse_flops["decode attention"] <= flops["decode attention"] * (1 + 1e-12)


def test_calibrated_cpu_profile_is_shipped_and_usable():
    cpu = get_hardware("cpu")
    assert cpu.bytes_per_element == 4 and cpu.peak_flops_per_s > 0 and cpu.step_overhead_s >= 0
    cost = estimate(get_model("qwen3-0.6b"), Workload.of(prompt_tokens=16, gen_tokens=16), cpu)
    assert cost.seconds_sum > 16 * cpu.step_overhead_s


@pytest.mark.slow
def test_full_calibration_meets_the_held_out_target():
    from kairos.cost.calibrate import FULL_PLAN, calibrate

    _, _, summary = calibrate(FULL_PLAN)
    assert summary["median_abs_log_ratio_held_out"] <= math.log(1.5)
