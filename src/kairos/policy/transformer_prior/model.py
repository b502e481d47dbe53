"""The recognition model: a decoder-only transformer from serialised examples to program tokens.

It wraps :class:`kairos.nn.transformer.DecoderTransformer` (Qwen3/Llama layout,
so :meth:`TransformerConfig.to_hf_config` prices it exactly in
:mod:`kairos.cost`) with the prompt/program vocabulary of :mod:`.vocab`, and
adds the one operation search needs: :meth:`RecognitionModel.step`, the
next-token logits of a *batch of different partial programs* that share one
prompt. The prompt's keys and values are computed once (:meth:`prefill`);
each row brings its own program tokens' keys and values (padded to the
longest row) and its own position, so frontier nodes of a tree search at
different depths are scored in one call.

Model files (``.ktpr``) are kairos containers (magic ``KTPR``): a JSON header
with the kind, the transformer config, the DSL's primitive names and the
prompt length, then the float32 weights in ``state_dict`` order. The header is
validated after the checksum: a file of another kind, config or DSL is a
typed error, never a silent mismatch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kairos.errors import MismatchError, ValidationError
from kairos.policy.transformer_prior.vocab import Vocab

MAGIC = b"KTPR"
VERSION = 1
KIND = "transformer-program-prior"
SHIPPED = ("list-transformer",)
"""Names of the priors shipped in package data (``kairos solve programs --policy NAME``)."""


class RecognitionModel:
    """A transformer prior over programs, conditioned on a task's examples.

    Parameters
    ----------
    config : TransformerConfig
        ``vocab_size`` must equal ``len(vocab)``.
    vocab : Vocab
    max_prompt_tokens : int
        Prompt length cap (examples beyond it are left out of the prompt).
    seed : int
        Weight initialisation seed.
    meta : dict, optional
        Free-form training record stored in the file header.
    """

    def __init__(
        self, config, vocab: Vocab, *, max_prompt_tokens: int = 160, seed: int = 0, meta=None
    ):
        from kairos.nn.transformer import DecoderTransformer

        if config.vocab_size != len(vocab):
            raise ValidationError(
                "vocab_size", f"config has {config.vocab_size}, the vocabulary {len(vocab)} tokens"
            )
        if max_prompt_tokens < 8 or max_prompt_tokens + 32 > config.max_seq_len:
            raise ValidationError(
                "max_prompt_tokens",
                f"got {max_prompt_tokens}; need 8 <= it and it + 32 <= max_seq_len={config.max_seq_len}",
            )
        self.config = config
        self.vocab = vocab
        self.max_prompt_tokens = max_prompt_tokens
        self.net = DecoderTransformer(config, seed=seed).eval()
        self.meta = dict(meta or {})

    # -- shape ---------------------------------------------------------------------------------
    @property
    def num_params(self) -> int:
        """Stored parameters."""
        return sum(p.numel() for p in self.net.parameters())

    def hf_config(self) -> dict[str, Any]:
        """The Hugging Face-style config that :mod:`kairos.cost` prices."""
        return self.config.to_hf_config()

    def cost_spec(self, name: str = "recognition-model"):
        """The :class:`kairos.cost.ModelSpec` of this model's true config."""
        from kairos.cost import spec_from_config

        return spec_from_config(self.hf_config(), name=name)

    def prompt(self, task_input_type, task_output_type, examples) -> list[int]:
        """Prompt token ids for a task's shown examples."""
        return self.vocab.prompt(
            task_input_type, task_output_type, examples, self.max_prompt_tokens
        )

    # -- inference -------------------------------------------------------------------------------
    def prefill(self, prompt: Sequence[int]):
        """Keys and values of the prompt, and the logits of the first program token.

        Returns
        -------
        prompt_kv : list of (k, v) per layer, each of shape (1, num_kv_heads, P, head_dim)
        logits : Tensor of shape (vocab,)
        """
        import torch

        tokens = torch.tensor([list(prompt)], dtype=torch.long)
        cache = self.net.new_cache(1, len(prompt))
        with torch.inference_mode():
            logits = self.net(tokens, cache, last_only=True)[0, -1]
        n = len(prompt)
        kv = [
            (cache.keys[i, :, :, :n], cache.values[i, :, :, :n])
            for i in range(self.config.num_layers)
        ]
        return kv, logits

    def step(self, prompt_kv, past_k, past_v, past_len, tokens):
        """Next-token logits of B partial programs sharing one prompt, and their new keys/values.

        Parameters
        ----------
        prompt_kv : from :meth:`prefill`
        past_k, past_v : Tensor of shape (num_layers, B, num_kv_heads, T, head_dim), or None
            Keys and values of each row's earlier program tokens, left-aligned and
            zero-padded to the longest row (T = 0 when None).
        past_len : LongTensor of shape (B,)
            Program tokens each row has before ``tokens``.
        tokens : LongTensor of shape (B,)
            Each row's newest token (its key and value are computed here).

        Returns
        -------
        logits : Tensor of shape (B, vocab)
        new_k, new_v : Tensor of shape (num_layers, B, num_kv_heads, 1, head_dim)
        """
        import torch
        import torch.nn.functional as F

        from kairos.nn.transformer import _apply_rope

        net, cfg = self.net, self.config
        b = tokens.shape[0]
        prompt_len = prompt_kv[0][0].shape[2]
        t = 0 if past_k is None else past_k.shape[3]
        pos = prompt_len + past_len  # (B,)
        cos = net.rope_cos[pos][:, None, None, :]  # (B, 1, 1, hd/2)
        sin = net.rope_sin[pos][:, None, None, :]
        mask = torch.ones(b, 1, 1, prompt_len + t + 1, dtype=torch.bool)
        if t:
            mask[:, 0, 0, prompt_len : prompt_len + t] = (
                torch.arange(t)[None, :] < past_len[:, None]
            )
        x = net.embed(tokens[:, None])  # (B, 1, d)
        new_k, new_v = [], []
        hd = cfg.head_dim
        for layer, block in enumerate(net.blocks):
            attn = block.attn
            h = block.attn_norm(x)
            q = attn.q_proj(h).view(b, 1, cfg.num_heads, hd).transpose(1, 2)
            k = attn.k_proj(h).view(b, 1, cfg.num_kv_heads, hd).transpose(1, 2)
            v = attn.v_proj(h).view(b, 1, cfg.num_kv_heads, hd).transpose(1, 2)
            if attn.q_norm is not None:
                q, k = attn.q_norm(q), attn.k_norm(k)
            q, k = _apply_rope(q, cos, sin), _apply_rope(k, cos, sin)
            new_k.append(k)
            new_v.append(v)
            pk, pv = prompt_kv[layer]
            parts_k, parts_v = [pk.expand(b, -1, -1, -1)], [pv.expand(b, -1, -1, -1)]
            if t:
                parts_k.append(past_k[layer])
                parts_v.append(past_v[layer])
            keys = torch.cat([*parts_k, k], dim=2)
            vals = torch.cat([*parts_v, v], dim=2)
            y = F.scaled_dot_product_attention(q, keys, vals, attn_mask=mask, enable_gqa=True)
            x = x + attn.o_proj(y.transpose(1, 2).reshape(b, 1, cfg.num_heads * hd))
            x = x + block.mlp(block.mlp_norm(x))
        x = net.norm(x)[:, 0]
        logits = x @ net.embed.weight.T if net.head is None else net.head(x)
        return logits, torch.stack(new_k), torch.stack(new_v)

    def full_logits(self, sequences: Sequence[Sequence[int]]):
        """Last-position logits of whole sequences, recomputed without any cache (B, vocab).

        The baseline of the KV-cache throughput figure, and the reference the
        cached :meth:`step` is tested against.
        """
        import torch

        longest = max(len(s) for s in sequences)
        tokens = torch.zeros(len(sequences), longest, dtype=torch.long)
        for i, s in enumerate(sequences):
            tokens[i, : len(s)] = torch.tensor(list(s))
        last = torch.tensor([len(s) - 1 for s in sequences])
        with torch.inference_mode():
            logits = self.net(tokens)  # right padding is invisible to earlier positions
        return logits[torch.arange(len(sequences)), last]

    def code_length_bits(self, prompt: Sequence[int], ids: Sequence[int], legal: Sequence) -> float:
        """−log2 π(program | prompt) under type-constrained decoding, in bits.

        Parameters
        ----------
        ids, legal :
            A program's token ids and the legal ids at each step
            (:meth:`kairos.policy.transformer_prior.decoding.Decoder.trace`).
        """
        import torch

        tokens = torch.tensor([list(prompt) + list(ids[:-1])], dtype=torch.long)
        with torch.inference_mode():
            logits = self.net(tokens)[0, len(prompt) - 1 :].double()  # (len(ids), vocab)
        bits = 0.0
        for j, (tok, allowed) in enumerate(zip(ids, legal, strict=True)):
            z = logits[j, torch.as_tensor(allowed)]
            k = int(np.flatnonzero(np.asarray(allowed) == tok)[0])
            bits -= float(z[k] - torch.logsumexp(z, 0)) / np.log(2.0)
        return bits

    # -- files -----------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write one checksummed ``.ktpr`` container with the config, atomically."""
        from kairos.container import write_container

        state = self.net.state_dict()
        names = list(state)
        header = {
            "kind": KIND,
            "config": dataclasses.asdict(self.config),
            "primitives": list(self.vocab.primitive_names),
            "max_prompt_tokens": self.max_prompt_tokens,
            "tensors": [[n, list(state[n].shape)] for n in names],
            "meta": self.meta,
        }
        payload = b"".join(state[n].detach().float().numpy().astype("<f4").tobytes() for n in names)
        write_container(path, MAGIC, VERSION, header, payload)

    @classmethod
    def load(
        cls, path: str | Path, primitive_names: Sequence[str] | None = None
    ) -> RecognitionModel:
        """Read a ``.ktpr`` file.

        Parameters
        ----------
        primitive_names : sequence of str, optional
            The DSL the caller searches; a model for another DSL is refused.

        Raises
        ------
        FileFormatError
            Foreign (wrong magic), newer version, or corrupt file;
            :class:`MismatchError` for a valid container of another kind, a
            config that does not describe a model, or another DSL.
        """
        import torch

        from kairos.container import read_container
        from kairos.nn.transformer import TransformerConfig

        _, header, payload = read_container(path, magic=MAGIC, versions={VERSION})
        if header.get("kind") != KIND:
            raise MismatchError(path, f"a {header.get('kind')!r} file, not a {KIND!r}")
        try:
            config = TransformerConfig(**header["config"])
            vocab = Vocab(header["primitives"])
            model = cls(
                config,
                vocab,
                max_prompt_tokens=int(header["max_prompt_tokens"]),
                meta=header.get("meta"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MismatchError(path, f"the header does not describe a model: {exc}") from None
        if primitive_names is not None and tuple(primitive_names) != vocab.primitive_names:
            raise MismatchError(
                path,
                f"a model for the DSL {list(vocab.primitive_names)}, not {list(primitive_names)}",
            )
        state = model.net.state_dict()
        listed = [(n, tuple(s)) for n, s in header.get("tensors", [])]
        expected = [(n, tuple(t.shape)) for n, t in state.items()]
        if listed != expected:
            raise MismatchError(path, "its tensors do not match its config's model")
        flat = np.frombuffer(payload, dtype="<f4")
        if flat.size != sum(int(np.prod(s)) for _, s in expected):
            raise MismatchError(path, f"{flat.size} weights for a model of {model.num_params}")
        pos = 0
        loaded = {}
        for n, s in expected:
            size = int(np.prod(s))
            loaded[n] = torch.from_numpy(flat[pos : pos + size].reshape(s).copy())
            pos += size
        model.net.load_state_dict(loaded)
        return model


def shipped_path(name: str) -> Path:
    """Path of a shipped prior (see :data:`SHIPPED`)."""
    if name not in SHIPPED:
        raise ValidationError(
            "policy", f"unknown transformer prior {name!r}; shipped: {list(SHIPPED)}"
        )
    return Path(str(resources.files("kairos") / "data" / "programs" / f"{name}.ktpr"))


def load_prior(
    name_or_path: str | Path, primitive_names: Sequence[str] | None = None
) -> RecognitionModel:
    """A shipped prior by name, or a ``.ktpr`` file."""
    if str(name_or_path) in SHIPPED:
        return RecognitionModel.load(shipped_path(str(name_or_path)), primitive_names)
    return RecognitionModel.load(name_or_path, primitive_names)
