"""Kinetics' published figures (Sadhukhan et al. 2025), reproduced from the shipped specs."""

import math

import numpy as np
import pytest

from kairos.cost import HARDWARE, BlockTopK, Workload, estimate, get_model

GIB = 2**30
DENSE = ["qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3-8b", "qwen3-14b", "qwen3-32b"]


def kinetics(name, prompt=128, gen=32768, samples=1, sparse=None):
    work = Workload.of(prompt_tokens=prompt, gen_tokens=gen, num_samples=samples, sparse=sparse)
    return estimate(get_model(name), work, HARDWARE["kinetics"], mode="kinetics")


def test_kinetics_intensity_is_562_5():
    assert HARDWARE["kinetics"].intensity == 562.5


@pytest.mark.parametrize(("name", "gib"), [("qwen3-0.6b", 3.5), ("qwen3-32b", 8.0)])
def test_kv_cache_at_32k_tokens(name, gib):
    assert get_model(name).kv_bytes_per_token() * 32768 / GIB == gib


def test_attention_share_of_eflops():
    assert kinetics("qwen3-0.6b").attention_share >= 0.99
    assert kinetics("qwen3-32b").attention_share == pytest.approx(0.97, abs=0.01)


def test_doubling_parameters_raises_kv_about_1_2x():
    specs = [get_model(n) for n in DENSE]
    log_p = np.log2([s.num_params for s in specs])
    log_kv = np.log2([s.kv_bytes_per_token() for s in specs])
    slope = np.polyfit(log_p, log_kv, 1)[0]
    assert 2**slope == pytest.approx(1.2, abs=0.1)


def test_formula_by_hand_for_32b():
    spec = get_model("qwen3-32b")
    p, d, r, n, l_in, l_out = spec.num_params, spec.kv_elements_per_token, 8, 4, 128, 1000
    comp = 2 * n * p * l_out + 2 * r * n * l_in * d * l_out + r * n * d * l_out**2
    mem = 2 * l_in * d * l_out + n * d * l_out**2
    cost = kinetics("qwen3-32b", gen=l_out, samples=n)
    assert cost.flops == pytest.approx(comp) and cost.bytes == pytest.approx(mem)
    assert cost.eflops == pytest.approx(comp + 562.5 * mem)


def test_sparse_with_budget_covering_everything_equals_dense():
    dense = kinetics("qwen3-8b", gen=4096)
    sparse = kinetics("qwen3-8b", gen=4096, sparse=BlockTopK(128 + 4096, 16))
    searchless = sparse.eflops - sparse.term_eflops(sparse.terms[-1])
    assert searchless == pytest.approx(dense.eflops)


def test_block_topk_cuts_long_generation_cost_severalfold():
    dense = kinetics("qwen3-8b", gen=32768, samples=8)
    sparse = kinetics("qwen3-8b", gen=32768, samples=8, sparse=BlockTopK(2048, 16))
    assert dense.eflops / sparse.eflops > 4


def test_length_distribution_is_the_mean_cost():
    a, b = kinetics("qwen3-4b", gen=1000), kinetics("qwen3-4b", gen=3000)
    mix = kinetics("qwen3-4b", gen=[1000, 3000])
    assert mix.eflops == pytest.approx((a.eflops + b.eflops) / 2)
    assert math.isclose(mix.kv_bytes, get_model("qwen3-4b").kv_bytes_per_token() * (128 + 2000))
