import json

import pytest

from kairos.cost import get_model, load_config, shipped_model_names, spec_from_config
from kairos.errors import InputFormatError, ValidationError

# Published totals from the Qwen3 model cards: (total, non-embedding) in billions,
# quoted to the precision the cards give.
PUBLISHED = {
    "qwen3-0.6b": (0.6, 0.44),
    "qwen3-1.7b": (1.7, 1.4),
    "qwen3-4b": (4.0, 3.6),
    "qwen3-8b": (8.2, 6.95),
    "qwen3-14b": (14.8, 13.2),
    "qwen3-32b": (32.8, 31.2),
    "qwen3-30b-a3b": (30.5, 29.9),
}


def test_all_qwen3_specs_are_shipped():
    assert set(shipped_model_names()) == set(PUBLISHED)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_counts_match_published_totals(name):
    spec = get_model(name)
    total, non_embedding = PUBLISHED[name]
    digits = len(str(total).split(".")[1])
    assert round(spec.num_params / 1e9, digits) == total
    digits = len(str(non_embedding).split(".")[1])
    assert round(spec.num_non_embedding_params / 1e9, digits) == non_embedding


def test_exact_count_of_the_smallest_model_by_hand():
    # embeddings (tied) + 28 x (q,k,v,o + q/k norms + 2 RMSNorms + SwiGLU) + final norm
    per_layer = 1024 * 2048 + 2 * 1024 * 1024 + 2048 * 1024 + 2 * 128 + 2 * 1024 + 3 * 1024 * 3072
    expected = 151936 * 1024 + 28 * per_layer + 1024
    assert get_model("qwen3-0.6b").num_params == expected == 596_049_920


def test_moe_active_parameters():
    spec = get_model("qwen3-30b-a3b")
    assert spec.is_moe and spec.num_experts == 128 and spec.num_active_experts == 8
    # the card says "3.3B activated"; the exact count is 3.353B (the card truncates)
    assert int(spec.num_active_params / 1e8) == 33


def test_user_config_file_roundtrip(tmp_path):
    cfg = {
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 128,
        "vocab_size": 100,
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(cfg))
    spec = load_config(path)
    assert spec.head_dim == 16 and spec.num_kv_heads == 4 and not spec.tied_embeddings
    assert spec.num_params == 100 * 64 * 2 + 2 * (4 * 64 * 64 + 2 * 64 + 3 * 64 * 128) + 64


BASE = {
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 128,
    "vocab_size": 100,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hidden_size": None}, "hidden_size"),
        ({"num_hidden_layers": "two"}, "num_hidden_layers"),
        ({"vocab_size": 1.5}, "vocab_size"),
        ({"intermediate_size": -3}, "intermediate_size"),
        ({"num_attention_heads": 5}, "num_attention_heads"),  # 5 does not divide 64
        ({"num_key_value_heads": 3}, "num_key_value_heads"),  # 3 does not divide 4
        ({"tie_word_embeddings": "yes"}, "tie_word_embeddings"),
        (
            {"num_experts": 8, "num_experts_per_tok": 9, "moe_intermediate_size": 32},
            "num_experts_per_tok",
        ),
        ({"num_experts": 8, "num_experts_per_tok": 2}, "moe_intermediate_size"),
    ],
)
def test_bad_config_fields_are_named(change, field):
    cfg = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    with pytest.raises(ValidationError) as err:
        spec_from_config(cfg, name="x", source="cfg.json")
    assert err.value.field == f"cfg.json:{field}"


def test_head_dim_given_allows_non_dividing_heads():
    spec = spec_from_config(
        {**BASE, "num_attention_heads": 5, "num_key_value_heads": 1, "head_dim": 8}, name="x"
    )
    assert spec.head_dim == 8 and spec.gqa_group_size == 5


def test_garbage_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputFormatError, match=r"bad\.json:1"):
        load_config(bad)
    arr = tmp_path / "arr.json"
    arr.write_text("[1, 2]")
    with pytest.raises(ValidationError, match="expected a JSON object"):
        load_config(arr)
    with pytest.raises(InputFormatError, match="cannot read"):
        load_config(tmp_path / "missing.json")
    with pytest.raises(ValidationError, match="unknown model"):
        get_model("qwen9-1t")
