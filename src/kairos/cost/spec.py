"""Transformer shapes read from Hugging Face ``config.json`` files, with exact parameter counts.

A :class:`ModelSpec` holds only what the cost model needs: the widths, depths and
head counts of a decoder-only transformer (dense or mixture-of-experts). The
shipped Qwen3 specs are ordinary ``config.json`` files inside the package and go
through the same loader, :func:`spec_from_config`, as a user's file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kairos.errors import InputFormatError, ValidationError

# model_type values whose attention applies RMSNorm to q and k over head_dim.
_QK_NORM_MODEL_TYPES = frozenset({"qwen3", "qwen3_moe"})


@dataclass(frozen=True)
class ModelSpec:
    """Shape of a decoder-only transformer with SwiGLU MLPs and RMSNorm.

    All counts are exact integers; ``num_experts == 0`` means a dense MLP.
    """

    name: str
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int  # dense MLP width, or each expert's width for MoE
    vocab_size: int
    tied_embeddings: bool
    num_experts: int = 0  # 0: dense MLP
    num_active_experts: int = 0  # experts routed per token (MoE only)
    qk_norm: bool = False  # Qwen3: RMSNorm on q and k over head_dim
    attention_bias: bool = False
    max_context_tokens: int | None = None  # max_position_embeddings, when the config gives it

    @property
    def is_moe(self) -> bool:
        """True for a mixture-of-experts MLP."""
        return self.num_experts > 0

    @property
    def gqa_group_size(self) -> int:
        """Query heads per KV head (Kinetics' r)."""
        return self.num_heads // self.num_kv_heads

    @property
    def kv_elements_per_token(self) -> int:
        """Keys and values stored per token over all layers (Kinetics' D)."""
        return 2 * self.num_kv_heads * self.head_dim * self.num_layers

    def kv_bytes_per_token(self, bytes_per_element: int = 2) -> int:
        """KV-cache bytes per token (bf16 by default)."""
        return self.kv_elements_per_token * bytes_per_element

    # --- parameter counts -------------------------------------------------

    @property
    def embedding_params(self) -> int:
        """The token-embedding table, V x hidden."""
        return self.vocab_size * self.hidden_size

    @property
    def lm_head_params(self) -> int:
        """Stored output-projection weights: 0 when tied to the embedding."""
        return 0 if self.tied_embeddings else self.vocab_size * self.hidden_size

    @property
    def attention_params_per_layer(self) -> int:
        """q, k, v, o projections, their biases if any, and the q/k norms."""
        q_width = self.num_heads * self.head_dim
        kv_width = self.num_kv_heads * self.head_dim
        params = self.hidden_size * (q_width + 2 * kv_width) + q_width * self.hidden_size
        if self.attention_bias:
            params += q_width + 2 * kv_width
        if self.qk_norm:
            params += 2 * self.head_dim
        return params

    @property
    def expert_params(self) -> int:
        """One SwiGLU MLP (gate, up, down): 3 x hidden x intermediate."""
        return 3 * self.hidden_size * self.intermediate_size

    @property
    def router_params_per_layer(self) -> int:
        """The MoE router's hidden x experts matrix (0 for dense)."""
        return self.hidden_size * self.num_experts

    def _layer_params(self, num_mlp_experts: int) -> int:
        norms = 2 * self.hidden_size  # input and post-attention RMSNorm
        return (
            self.attention_params_per_layer
            + norms
            + self.router_params_per_layer
            + num_mlp_experts * self.expert_params
        )

    @property
    def num_params(self) -> int:
        """Every stored parameter: embeddings, layers, final norm, untied head."""
        experts = self.num_experts if self.is_moe else 1
        return (
            self.embedding_params
            + self.num_layers * self._layer_params(experts)
            + self.hidden_size  # final RMSNorm
            + self.lm_head_params
        )

    @property
    def num_active_params(self) -> int:
        """Parameters touched per token: MoE counts only the routed experts."""
        experts = self.num_active_experts if self.is_moe else 1
        return (
            self.embedding_params
            + self.num_layers * self._layer_params(experts)
            + self.hidden_size
            + self.lm_head_params
        )

    @property
    def num_non_embedding_params(self) -> int:
        """Parameters outside the embedding table and the output head (Qwen's convention)."""
        return self.num_params - self.embedding_params - self.lm_head_params

    @property
    def matmul_params_per_token(self) -> int:
        """Weights multiplied per generated token (active experts, router, output head).

        The embedding lookup is a gather (no FLOPs); the output head is a matmul
        even when its weights are tied to the embedding; norms are negligible
        element-wise work and are left out.
        """
        experts = self.num_active_experts if self.is_moe else 1
        q_width = self.num_heads * self.head_dim
        kv_width = self.num_kv_heads * self.head_dim
        attention = self.hidden_size * (q_width + 2 * kv_width) + q_width * self.hidden_size
        per_layer = attention + self.router_params_per_layer + experts * self.expert_params
        return self.num_layers * per_layer + self.vocab_size * self.hidden_size


# --- loading -----------------------------------------------------------------


def _field(cfg: Mapping[str, Any], key: str, source: str, *, default: Any = None) -> int:
    value = cfg.get(key, default)
    if value is None:
        raise ValidationError(
            f"{source}:{key}",
            "missing; a positive integer is required (see the model's config.json)",
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"{source}:{key}", f"found {value!r} ({type(value).__name__}), expected an integer"
        )
    if value <= 0:
        raise ValidationError(f"{source}:{key}", f"found {value}, expected a positive integer")
    return value


def _flag(cfg: Mapping[str, Any], key: str, source: str, default: bool) -> bool:
    value = cfg.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"{source}:{key}", f"found {value!r}, expected true or false")
    return value


# Expert fields under their names in the known configs (first: Qwen, OLMoE; then Mixtral,
# GPT-OSS, JetMoE, Granite; then DeepSeek). Any other key naming experts is refused.
_EXPERT_COUNT_KEYS = ("num_experts", "num_local_experts", "n_routed_experts")
_EXPERTS_PER_TOKEN_KEYS = ("num_experts_per_tok", "experts_per_token")
_KNOWN_EXPERT_KEYS = frozenset({*_EXPERT_COUNT_KEYS, *_EXPERTS_PER_TOKEN_KEYS})


def _one_of(cfg: Mapping[str, Any], keys: tuple[str, ...], source: str) -> tuple[str, Any]:
    """The one alias of ``keys`` the config sets (None if none); two that disagree are refused."""
    found = {k: cfg[k] for k in keys if cfg.get(k) not in (None, 0)}
    if len(set(map(repr, found.values()))) > 1:
        raise ValidationError(
            f"{source}:{'/'.join(found)}", f"disagree ({found}); give one expert count"
        )
    return next(iter(found.items()), (keys[0], None))


def _refuse_unknown_expert_fields(cfg: Mapping[str, Any], source: str) -> None:
    for key, value in cfg.items():
        lowered = key.lower()
        unknown = ("expert" in lowered or lowered.startswith("moe_") or key == "ffn_config") and (
            key not in _KNOWN_EXPERT_KEYS and key != "moe_intermediate_size"
        )
        if unknown and value not in (None, 0, False, [], {}):
            raise ValidationError(
                f"{source}:{key}",
                f"found {value!r}: an expert field kairos does not read (shared experts, nested "
                "or other MoE layouts), so the model cannot be priced correctly; supported: "
                f"{', '.join(sorted(_KNOWN_EXPERT_KEYS))}, moe_intermediate_size",
            )
    if cfg.get("first_k_dense_replace"):
        raise ValidationError(
            f"{source}:first_k_dense_replace",
            "mixed dense/MoE layer stacks are not supported; every layer must be MoE",
        )


def spec_from_config(cfg: Mapping[str, Any], *, name: str, source: str = "config") -> ModelSpec:
    """Build a :class:`ModelSpec` from a parsed Hugging Face ``config.json``.

    Parameters
    ----------
    cfg : mapping
        The parsed JSON object. Required keys: ``hidden_size``,
        ``num_hidden_layers``, ``num_attention_heads``, ``intermediate_size``
        (or ``moe_intermediate_size`` with ``num_experts``) and ``vocab_size``.
        Optional: ``num_key_value_heads`` (default: heads), ``head_dim``
        (default: hidden / heads, which must then divide), ``tie_word_embeddings``
        (default false), ``num_experts`` with ``num_experts_per_tok``,
        ``attention_bias``, ``model_type``.
    name : str
        Name given to the spec.
    source : str
        Where ``cfg`` came from; errors name it together with the field.

    Raises
    ------
    ValidationError
        Naming ``source:field`` when a field is missing, mistyped or impossible.
    """
    if not isinstance(cfg, Mapping):
        raise ValidationError(source, f"found {type(cfg).__name__}, expected a JSON object")
    hidden = _field(cfg, "hidden_size", source)
    layers = _field(cfg, "num_hidden_layers", source)
    heads = _field(cfg, "num_attention_heads", source)
    kv_heads = _field(cfg, "num_key_value_heads", source, default=heads)
    if heads % kv_heads:
        raise ValidationError(
            f"{source}:num_key_value_heads",
            f"{kv_heads} does not divide num_attention_heads={heads}; GQA needs a whole group size",
        )
    if cfg.get("head_dim") is None:
        if hidden % heads:
            raise ValidationError(
                f"{source}:num_attention_heads",
                f"{heads} does not divide hidden_size={hidden}; give head_dim explicitly",
            )
        head_dim = hidden // heads
    else:
        head_dim = _field(cfg, "head_dim", source)
    vocab = _field(cfg, "vocab_size", source)
    _refuse_unknown_expert_fields(cfg, source)
    count_key, count = _one_of(cfg, _EXPERT_COUNT_KEYS, source)
    num_experts = 0 if count is None else _field(cfg, count_key, source)
    if num_experts:
        active_key, _ = _one_of(cfg, _EXPERTS_PER_TOKEN_KEYS, source)
        active = _field(cfg, active_key, source)
        if active > num_experts:
            raise ValidationError(
                f"{source}:{active_key}",
                f"{active} exceeds {count_key}={num_experts}",
            )
        # Qwen and DeepSeek name each expert's width moe_intermediate_size; Mixtral-style configs
        # (num_local_experts) reuse intermediate_size, as all their MLPs are experts.
        width_key = (
            "intermediate_size"
            if count_key == "num_local_experts" and "moe_intermediate_size" not in cfg
            else "moe_intermediate_size"
        )
        intermediate = _field(cfg, width_key, source)
        if cfg.get("mlp_only_layers") or cfg.get("decoder_sparse_step", 1) != 1:
            raise ValidationError(
                f"{source}:mlp_only_layers",
                "mixed dense/MoE layer stacks are not supported; every layer must be MoE",
            )
    else:
        active = 0
        intermediate = _field(cfg, "intermediate_size", source)
    model_type = cfg.get("model_type", "")
    if not isinstance(model_type, str):
        raise ValidationError(
            f"{source}:model_type", f"found {model_type!r:.40}, expected a string"
        )
    return ModelSpec(
        name=name,
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=intermediate,
        vocab_size=vocab,
        tied_embeddings=_flag(cfg, "tie_word_embeddings", source, False),
        num_experts=num_experts,
        num_active_experts=active,
        qk_norm=_flag(cfg, "qk_norm", source, model_type in _QK_NORM_MODEL_TYPES),
        attention_bias=_flag(cfg, "attention_bias", source, False),
        max_context_tokens=(
            None
            if cfg.get("max_position_embeddings") is None
            else _field(cfg, "max_position_embeddings", source)
        ),
    )


def load_config(path: str | Path, *, name: str | None = None) -> ModelSpec:
    """Read a ``config.json`` file into a :class:`ModelSpec` (errors name the file)."""
    path = Path(path)
    try:
        from kairos.inputs import MAX_CONFIG_BYTES, read_input_text

        text = read_input_text(path, max_bytes=MAX_CONFIG_BYTES)
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read the config: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            path, None, f"not UTF-8 text ({exc.reason}); expected JSON"
        ) from None
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:  # deep nesting; an int past Python's digit limit
        raise InputFormatError(path, None, f"not usable JSON: {type(exc).__name__}") from None
    return spec_from_config(cfg, name=name or path.stem, source=str(path))


def _shipped_dir() -> Any:
    return resources.files("kairos") / "data" / "cost" / "models"


def shipped_model_names() -> list[str]:
    """Names of the model specs shipped with kairos (the CLI's ``--model`` choices)."""
    return sorted(
        p.name.removesuffix(".json") for p in _shipped_dir().iterdir() if p.name.endswith(".json")
    )


def get_model(name_or_path: str) -> ModelSpec:
    """A shipped spec by name (e.g. ``"qwen3-8b"``), or a ``config.json`` path."""
    names = shipped_model_names()
    if name_or_path in names:
        entry = _shipped_dir() / f"{name_or_path}.json"
        with resources.as_file(entry) as path:
            return load_config(path, name=name_or_path)
    if name_or_path.endswith(".json") or Path(name_or_path).exists():
        return load_config(name_or_path)
    raise ValidationError(
        "model", f"unknown model {name_or_path!r}; expected one of {names} or a config.json path"
    )
