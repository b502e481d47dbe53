"""A small decoder-only transformer with a KV cache (RoPE, RMSNorm, SwiGLU, grouped-query attention).

Shared by the pillars: the cost pillar times it to calibrate its roofline, and a
byte-level model can use it as a predictor (``vocab_size=256``). The layout
follows Qwen3/Llama (no biases, pre-norm), so :meth:`TransformerConfig.to_hf_config`
describes it exactly to :mod:`kairos.cost`.

Usage::

    model = DecoderTransformer(TransformerConfig(), seed=0)
    cache = model.new_cache(batch_size=1)
    logits = model(prompt, cache)            # (B, T, vocab); fills the cache
    logits = model(next_token, cache)        # (B, 1, vocab); one decode step
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from kairos.errors import ValidationError


@dataclass(frozen=True)
class TransformerConfig:
    """Shape of the model; defaults give a ~0.8M-parameter byte-level model."""

    vocab_size: int = 256  # bytes
    d_model: int = 128
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 4  # < num_heads: grouped-query attention
    d_ff: int = 512  # SwiGLU hidden width
    max_seq_len: int = 4096  # RoPE table length and default cache capacity
    rope_base: float = 10000.0
    tie_embeddings: bool = True  # small vocabularies: the head reuses the embedding
    attn_head_dim: int | None = None  # None: d_model // num_heads; Qwen3 sets it explicitly
    qk_norm: bool = False  # Qwen3: RMSNorm on q and k over head_dim

    def __post_init__(self) -> None:
        if self.attn_head_dim is None and self.d_model % self.num_heads:
            raise ValidationError(
                "num_heads",
                f"{self.num_heads} does not divide d_model={self.d_model}; set attn_head_dim",
            )
        if self.num_heads % self.num_kv_heads:
            raise ValidationError(
                "num_kv_heads", f"{self.num_kv_heads} does not divide num_heads={self.num_heads}"
            )
        if self.head_dim % 2:
            raise ValidationError("num_heads", f"head_dim={self.head_dim} must be even for RoPE")

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.attn_head_dim or self.d_model // self.num_heads

    def to_hf_config(self) -> dict[str, Any]:
        """This shape as a Hugging Face-style ``config.json`` dict."""
        return {
            "model_type": "kairos_decoder",
            "hidden_size": self.d_model,
            "num_hidden_layers": self.num_layers,
            "num_attention_heads": self.num_heads,
            "num_key_value_heads": self.num_kv_heads,
            "head_dim": self.head_dim,
            "intermediate_size": self.d_ff,
            "vocab_size": self.vocab_size,
            "tie_word_embeddings": self.tie_embeddings,
            "attention_bias": False,
            "qk_norm": self.qk_norm,
            "max_position_embeddings": self.max_seq_len,
        }


class KVCache:
    """Preallocated keys and values for every layer.

    ``keys`` and ``values`` have shape (num_layers, B, num_kv_heads, capacity, head_dim);
    positions ``[0, length)`` are filled.
    """

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int = 0):
        self.keys = keys
        self.values = values
        self.length = length

    @property
    def capacity(self) -> int:
        """Positions the cache can hold."""
        return self.keys.shape[3]


def _rope_tables(cfg: TransformerConfig) -> tuple[torch.Tensor, torch.Tensor]:
    half = cfg.head_dim // 2
    inv_freq = cfg.rope_base ** (-torch.arange(half, dtype=torch.float64) / half)
    angles = torch.outer(torch.arange(cfg.max_seq_len, dtype=torch.float64), inv_freq)
    return angles.cos().float(), angles.sin().float()  # (max_seq_len, head_dim / 2)


def _apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: (B, heads, T, head_dim); rotate the two halves of each head as complex pairs
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


class _Attention(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        d, hd = cfg.d_model, cfg.head_dim
        self.q_proj = nn.Linear(d, cfg.num_heads * hd, bias=False)
        self.k_proj = nn.Linear(d, cfg.num_kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(d, cfg.num_kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(cfg.num_heads * hd, d, bias=False)
        self.q_norm = nn.RMSNorm(hd, eps=1e-6) if cfg.qk_norm else None
        self.k_norm = nn.RMSNorm(hd, eps=1e-6) if cfg.qk_norm else None

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        cache: KVCache | None,
        layer: int,
    ) -> torch.Tensor:
        cfg = self.cfg
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, cfg.num_heads, cfg.head_dim).transpose(1, 2)  # (B, H, T, hd)
        k = (
            self.k_proj(x).view(b, t, cfg.num_kv_heads, cfg.head_dim).transpose(1, 2)
        )  # (B, K, T, hd)
        v = self.v_proj(x).view(b, t, cfg.num_kv_heads, cfg.head_dim).transpose(1, 2)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = _apply_rope(q, cos, sin), _apply_rope(k, cos, sin)
        start = 0
        if cache is not None:
            start = cache.length
            cache.keys[layer, :, :, start : start + t] = k
            cache.values[layer, :, :, start : start + t] = v
            k = cache.keys[layer, :, :, : start + t]  # (B, K, S, hd)
            v = cache.values[layer, :, :, : start + t]
        if t == 1:
            mask, causal = None, False  # one new query sees the whole cache
        elif start == 0:
            mask, causal = None, True
        else:  # a chunk after a filled cache: query i sees keys [0, start + i]
            keys_pos = torch.arange(start + t, device=x.device)
            mask = keys_pos[None, :] <= (start + torch.arange(t, device=x.device))[:, None]
            causal = False
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, is_causal=causal, enable_gqa=True
        )
        y = y.transpose(1, 2).reshape(b, t, cfg.num_heads * cfg.head_dim)  # (B, T, H * hd)
        return self.o_proj(y)  # (B, T, d)


class _MLP(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.gate = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.up = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.down = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(x)) * self.up(x))


class _Block(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.attn_norm = nn.RMSNorm(cfg.d_model, eps=1e-6)
        self.attn = _Attention(cfg)
        self.mlp_norm = nn.RMSNorm(cfg.d_model, eps=1e-6)
        self.mlp = _MLP(cfg)

    def forward(self, x, cos, sin, cache, layer):
        x = x + self.attn(self.attn_norm(x), cos, sin, cache, layer)
        return x + self.mlp(self.mlp_norm(x))


class DecoderTransformer(nn.Module):
    """Decoder-only transformer; ``forward(tokens, cache)`` appends to the cache.

    Parameters
    ----------
    config : TransformerConfig
    seed : int
        Seeds the weight initialisation (normal, std 0.02), for reproducibility.
    """

    def __init__(self, config: TransformerConfig, *, seed: int = 0):
        super().__init__()
        self.config = config
        gen = torch.Generator().manual_seed(seed)
        self.embed = nn.Embedding(config.vocab_size, config.d_model)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.num_layers))
        self.norm = nn.RMSNorm(config.d_model, eps=1e-6)
        self.head = (
            None
            if config.tie_embeddings
            else nn.Linear(config.d_model, config.vocab_size, bias=False)
        )
        for p in self.parameters():
            if p.dim() == 2:
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.02)
        cos, sin = _rope_tables(config)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def new_cache(self, batch_size: int, capacity: int | None = None) -> KVCache:
        """An empty cache for ``batch_size`` sequences of up to ``capacity`` tokens."""
        cfg = self.config
        capacity = capacity or cfg.max_seq_len
        shape = (cfg.num_layers, batch_size, cfg.num_kv_heads, capacity, cfg.head_dim)
        like = self.embed.weight  # same dtype and device as the model
        return KVCache(like.new_zeros(shape), like.new_zeros(shape))

    def forward(
        self, tokens: torch.Tensor, cache: KVCache | None = None, *, last_only: bool = False
    ) -> torch.Tensor:
        """Logits for ``tokens``.

        Parameters
        ----------
        tokens : LongTensor of shape (B, T)
        cache : KVCache or None
            When given, the tokens continue the cached sequence and are appended.
        last_only : bool
            Compute logits only for the last position (prefill before sampling).

        Returns
        -------
        Tensor of shape (B, T, vocab_size), or (B, 1, vocab_size) with ``last_only``.
        """
        t = tokens.shape[1]
        start = 0 if cache is None else cache.length
        if start + t > self.rope_cos.shape[0] or (cache is not None and start + t > cache.capacity):
            raise ValidationError(
                "tokens", f"{start + t} positions exceed the model's or cache's capacity"
            )
        cos, sin = self.rope_cos[start : start + t], self.rope_sin[start : start + t]
        x = self.embed(tokens)  # (B, T, d)
        for layer, block in enumerate(self.blocks):
            x = block(x, cos, sin, cache, layer)
        if cache is not None:
            cache.length = start + t
        if last_only:
            x = x[:, -1:]
        x = self.norm(x)
        if self.head is None:
            return x @ self.embed.weight.T  # (B, T, vocab)
        return self.head(x)
