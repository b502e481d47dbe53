"""What is being priced: a prompt, N sampled continuations of some length, and the attention kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kairos.errors import ValidationError

MAX_COUNT = 10**18  # tokens, samples: far beyond any workload; keeps every sum a finite float
DEFAULT_BLOCK_SIZE = 16  # tokens per KV block whose mean key is scored in block top-k search


@dataclass(frozen=True)
class BlockTopK:
    """Block top-k sparse attention: each step attends to at most ``budget_tokens`` KV entries.

    The keys are grouped in blocks of ``block_size`` tokens; a step scores the
    query against every block's centroid (mean key), then attends to the best
    blocks until the budget is spent.
    """

    budget_tokens: int
    block_size: int = DEFAULT_BLOCK_SIZE

    def __post_init__(self) -> None:
        if self.budget_tokens < 1:
            raise ValidationError("sparse", f"budget {self.budget_tokens} must be >= 1 token")
        if self.block_size < 1 or self.block_size > self.budget_tokens:
            raise ValidationError(
                "sparse",
                f"block size {self.block_size} must be in [1, budget={self.budget_tokens}]",
            )


def parse_sparse(text: str | None) -> BlockTopK | None:
    """Parse the CLI form ``topk:BUDGET[:BLOCK]`` (``dense``, ``''`` or None: dense attention)."""
    if text is None or text.strip() in ("", "dense"):
        return None
    parts = text.strip().split(":")
    if parts[0] != "topk" or len(parts) not in (2, 3):
        raise ValidationError(
            "sparse", f"found {text!r}, expected 'dense' or 'topk:BUDGET[:BLOCK]', e.g. topk:256"
        )
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        raise ValidationError(
            "sparse", f"found {text!r}: BUDGET and BLOCK must be integers, e.g. topk:256:16"
        ) from None
    return BlockTopK(*numbers)


@dataclass(frozen=True)
class Workload:
    """N samples of generated tokens continuing one shared prompt.

    ``gen_tokens`` is a tuple of equally likely generation lengths; a single
    length is a one-element tuple. ``batch_size`` sequences are decoded
    together, so weights are read once per step per batch; None batches all
    ``num_samples`` together.
    """

    prompt_tokens: int
    gen_tokens: tuple[int, ...]
    num_samples: int = 1
    batch_size: int | None = None
    sparse: BlockTopK | None = None

    def __post_init__(self) -> None:
        if isinstance(self.prompt_tokens, bool) or self.prompt_tokens < 0:
            raise ValidationError("prompt", f"found {self.prompt_tokens}, expected >= 0 tokens")
        if not self.gen_tokens or any(n < 1 for n in self.gen_tokens):
            raise ValidationError("gen", f"found {self.gen_tokens}, expected lengths >= 1 token")
        if self.num_samples < 1:
            raise ValidationError("samples", f"found {self.num_samples}, expected >= 1")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValidationError("batch", f"found {self.batch_size}, expected >= 1")
        for name, value in (
            ("prompt", self.prompt_tokens),
            ("gen", max(self.gen_tokens)),
            ("samples", self.num_samples),
        ):
            if value > MAX_COUNT:
                raise ValidationError(name, f"found {value:.3g}, expected at most {MAX_COUNT:.0e}")

    @classmethod
    def of(
        cls,
        *,
        prompt_tokens: int,
        gen_tokens: int | Sequence[int],
        num_samples: int = 1,
        batch_size: int | None = None,
        sparse: BlockTopK | None = None,
    ) -> Workload:
        """Convenience constructor accepting one length or a sequence of lengths."""
        lengths = (gen_tokens,) if isinstance(gen_tokens, int) else tuple(gen_tokens)
        return cls(prompt_tokens, lengths, num_samples, batch_size, sparse)

    @property
    def effective_batch(self) -> int:
        """Sequences decoded together in one step."""
        return min(self.batch_size or self.num_samples, self.num_samples)

    @property
    def num_batches(self) -> int:
        """Sequential batches needed for all samples."""
        return -(-self.num_samples // self.effective_batch)

    @property
    def mean_gen_tokens(self) -> float:
        """Mean generation length over the distribution."""
        return sum(self.gen_tokens) / len(self.gen_tokens)
