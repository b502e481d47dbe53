import pytest
import torch

from kairos.cost import spec_from_config
from kairos.errors import ValidationError
from kairos.nn.transformer import DecoderTransformer, TransformerConfig

CFG = TransformerConfig(
    vocab_size=50, d_model=32, num_layers=2, num_heads=4, num_kv_heads=2, d_ff=64, max_seq_len=64
)


def test_cached_decoding_matches_full_forward():
    model = DecoderTransformer(CFG, seed=1).eval()
    tokens = torch.randint(0, 50, (2, 20), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model(tokens)
        cache = model.new_cache(batch_size=2)
        parts = [model(tokens[:, :7], cache), model(tokens[:, 7:12], cache)]
        parts += [model(tokens[:, i : i + 1], cache) for i in range(12, 20)]
    assert cache.length == 20
    assert torch.allclose(torch.cat(parts, dim=1), full, atol=1e-5)


def test_last_only_and_seeded_init():
    a, b = DecoderTransformer(CFG, seed=3), DecoderTransformer(CFG, seed=3)
    tokens = torch.arange(10)[None]
    with torch.no_grad():
        assert torch.allclose(a(tokens, last_only=True), b(tokens)[:, -1:], atol=1e-6)


@pytest.mark.parametrize("tied", [True, False])
def test_qwen3_style_head_dim_and_qk_norm(tied):
    # like Qwen3-0.6B in miniature: q width 4 x 16 = 64 > d_model 32, q/k RMSNorm
    cfg = TransformerConfig(
        vocab_size=50,
        d_model=32,
        num_layers=2,
        num_heads=4,
        num_kv_heads=2,
        d_ff=48,
        attn_head_dim=16,
        qk_norm=True,
        tie_embeddings=tied,
        max_seq_len=32,
    )
    model = DecoderTransformer(cfg, seed=0).eval()
    spec = spec_from_config(cfg.to_hf_config(), name="mini-qwen3")
    assert sum(p.numel() for p in model.parameters()) == spec.num_params
    tokens = torch.arange(12)[None]
    with torch.no_grad():
        cache = model.new_cache(1)
        stepwise = torch.cat(
            [model(tokens[:, :5], cache)]
            + [model(tokens[:, i : i + 1], cache) for i in range(5, 12)],
            dim=1,
        )
        assert torch.allclose(stepwise, model(tokens), atol=1e-5)


@pytest.mark.parametrize("tied", [True, False])
def test_parameter_count_matches_cost_spec(tied):
    cfg = TransformerConfig(
        vocab_size=50,
        d_model=32,
        num_layers=3,
        num_heads=4,
        num_kv_heads=1,
        d_ff=48,
        tie_embeddings=tied,
    )
    model = DecoderTransformer(cfg)
    spec = spec_from_config(cfg.to_hf_config(), name="tiny")
    assert sum(p.numel() for p in model.parameters()) == spec.num_params


def test_bad_shapes_and_overflow():
    with pytest.raises(ValidationError, match="num_heads"):
        TransformerConfig(d_model=30, num_heads=4)
    with pytest.raises(ValidationError, match="num_kv_heads"):
        TransformerConfig(num_heads=4, num_kv_heads=3)
    model = DecoderTransformer(CFG)
    cache = model.new_cache(1, capacity=8)
    with pytest.raises(ValidationError, match="capacity"):
        model(torch.zeros(1, 9, dtype=torch.long), cache)
