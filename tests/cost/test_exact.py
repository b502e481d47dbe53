import pytest

from kairos.cost import HARDWARE, BlockTopK, Workload, estimate, get_model, parse_sparse
from kairos.cost.estimate import weight_bytes_touched
from kairos.errors import ValidationError


def exact(name="qwen3-8b", **kw):
    kw.setdefault("prompt_tokens", 1024)
    kw.setdefault("gen_tokens", 4096)
    return estimate(get_model(name), Workload.of(**kw), HARDWARE["h100"])


def test_exact_decode_matches_kinetics_once_weights_and_prefill_are_removed():
    spec = get_model("qwen3-8b")
    work = Workload.of(prompt_tokens=1024, gen_tokens=4096, num_samples=8)
    ex = estimate(spec, work, HARDWARE["h100"])
    ki = estimate(spec, work, HARDWARE["h100"], mode="kinetics")
    att = {t.name: t for t in ex.terms}
    # Kinetics approximates sum_t (L_in + t) by L_in L + L^2 / 2 and counts P with the embeddings
    assert att["decode attention"].flops == pytest.approx(ki.terms[1].flops, rel=1e-3)
    kv_read = att["decode KV prompt"].bytes + att["decode KV samples"].bytes
    # its 2 L_in D L + N D L^2 is the same KV traffic at 2 bytes per element
    assert kv_read == pytest.approx(ki.terms[1].bytes, rel=1e-3)


def test_batching_amortises_weights():
    one = exact(num_samples=8, batch_size=1)
    eight = exact(num_samples=8, batch_size=8)
    w1 = next(t.bytes for t in one.terms if t.name == "decode weights")
    w8 = next(t.bytes for t in eight.terms if t.name == "decode weights")
    assert w1 == pytest.approx(8 * w8)
    assert one.flops == pytest.approx(eight.flops)


def test_moe_batch_touches_more_experts():
    spec = get_model("qwen3-30b-a3b")
    one, many = weight_bytes_touched(spec, 1, 2), weight_bytes_touched(spec, 4096, 2)
    assert one < many <= spec.num_params * 2
    assert many == pytest.approx((spec.num_params - spec.embedding_params) * 2, rel=1e-6)


def test_roofline_variants_and_eflops():
    c = exact(num_samples=4)
    hw = HARDWARE["h100"]
    assert c.seconds_sum == pytest.approx(c.eflops / hw.peak_flops_per_s)
    assert c.seconds_max <= c.seconds_sum
    assert (
        c.seconds_max >= max(c.flops / hw.peak_flops_per_s, c.bytes / hw.bandwidth_bytes_per_s) / 2
    )
    assert set(c.summary()) == {
        "params",
        "kv_bytes_per_token",
        "kv_bytes",
        "flops",
        "bytes",
        "eflops",
        "attention_share",
        "seconds",
    }
    assert c.table()[-1]["eflops"] == pytest.approx(c.eflops)


def test_sparse_attends_at_most_budget():
    dense = exact(gen_tokens=8192, num_samples=4)
    sparse = exact(gen_tokens=8192, num_samples=4, sparse=BlockTopK(256, 16))
    assert sparse.attention_share < dense.attention_share
    assert sparse.eflops < dense.eflops
    names = [t.name for t in sparse.terms]
    assert "top-k search" in names and "top-k search" not in [t.name for t in dense.terms]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("topk:256", BlockTopK(256, 16)),
        ("topk:512:32", BlockTopK(512, 32)),
        ("dense", None),
        (None, None),
    ],
)
def test_parse_sparse(text, expected):
    assert parse_sparse(text) == expected


@pytest.mark.parametrize("text", ["topk", "topk:x", "top:5", "topk:0", "topk:16:32", "topk:1:2:3"])
def test_parse_sparse_garbage(text):
    with pytest.raises(ValidationError, match="sparse"):
        parse_sparse(text)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"prompt_tokens": -1}, "prompt"),
        ({"gen_tokens": 0}, "gen"),
        ({"gen_tokens": []}, "gen"),
        ({"num_samples": 0}, "samples"),
        ({"batch_size": 0}, "batch"),
    ],
)
def test_workload_validation(kw, field):
    args = {"prompt_tokens": 10, "gen_tokens": 10, **kw}
    with pytest.raises(ValidationError) as err:
        Workload.of(**args)
    assert err.value.field == field


def test_unknown_mode():
    with pytest.raises(ValidationError, match="mode"):
        estimate(
            get_model("qwen3-0.6b"),
            Workload.of(prompt_tokens=1, gen_tokens=1),
            HARDWARE["h100"],
            mode="x",
        )
