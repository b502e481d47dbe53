"""The ``nn`` compressor: a byte-level LSTM trained online while it codes (prequential).

No pretrained weights: the model starts from seeded random weights, predicts
each byte, the range coder (:mod:`kairos.info.coding`'s constriction queue
coder) codes it under that prediction, and every ``bptt`` steps the model
takes one Adam step on the bytes it has just coded. The decoder repeats the
same computation, so it sees the same probabilities.

For throughput the input is cut into ``streams`` contiguous chunks coded side
by side (one batched LSTM step codes one byte of every chunk). Coding steps
run without autograd; training re-runs each coded segment through the fused
LSTM kernel, which is cheaper than backpropagating through per-step calls.

Bit-exact floats. Decoding must reproduce every float of the encoder. The
model runs single-threaded with deterministic algorithms, but float results
still depend on the torch build and on the CPU's instruction set (which
kernels torch dispatches to). The stream therefore records a platform
fingerprint (:func:`platform_fingerprint`); decoding where it differs raises
:class:`~kairos.errors.PlatformMismatchError` instead of risking wrong bytes
(and the ``.kz`` checksum would catch any that slipped through).

Stream layout::

    version       : 1 byte (NN_STREAM_VERSION)
    num_bytes     : uint64 little-endian
    fingerprint   : 8 bytes, SHA-256 prefix of the fingerprint JSON (the ``.kz``
                    header records the fingerprint itself, for a readable error)
    body          : the range coder's uint32 words, little-endian
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kairos.errors import CorruptFileError, PlatformMismatchError, ValidationError

NN_STREAM_VERSION = 1
_PREFIX = struct.Struct("<BQ8s")
_CPU_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
    "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "neon", "asimd", "sve",
)  # fmt: skip


def _cpu_flags() -> list[str]:
    """The instruction-set flags (of :data:`_CPU_FLAGS`) this CPU reports."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            flags.update(line.split(":", 1)[1].split())
            break
    return [f for f in _CPU_FLAGS if f in flags]


def platform_fingerprint() -> dict:
    """What must match for the decoder to reproduce the encoder's floats bit for bit."""
    import importlib.metadata
    import platform

    import torch

    return {
        "nn_stream_version": NN_STREAM_VERSION,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "constriction": importlib.metadata.version("constriction"),
        "machine": platform.machine(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cpu_flags": _cpu_flags(),
    }


@contextlib.contextmanager
def _deterministic_torch():
    """Single thread and deterministic algorithms, restored afterwards."""
    import torch

    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        yield torch
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


@dataclass(frozen=True)
class NNCompressor:
    """Prequential byte-level LSTM compressor (see the module docstring).

    Parameters
    ----------
    hidden, embed : int
        LSTM units and byte-embedding width.
    streams : int
        Most chunks coded side by side; fewer for short inputs (at least
        ``min_chunk`` bytes each).
    bptt : int
        Steps between Adam updates (truncated backpropagation length); more
        when fewer than ``streams`` chunks run, so that an update always
        covers at least ``update_bytes`` bytes.
    update_bytes : int
        Fewest bytes per Adam update (keeps short inputs from paying for an
        update every few bytes).
    lr : float
        Adam learning rate.
    seed : int
        Seed of the initial weights.
    min_chunk : int
        Fewest bytes per chunk: shorter inputs run fewer chunks side by side.
    """

    hidden: int = 256
    embed: int = 16
    streams: int = 32
    bptt: int = 4
    lr: float = 1e-2
    seed: int = 0
    min_chunk: int = 1024
    update_bytes: int = 32
    name: str = "nn"

    def __post_init__(self) -> None:
        for field in ("hidden", "embed", "streams", "bptt", "seed", "min_chunk", "update_bytes"):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError(field, f"got {value!r}, expected an integer")
        if not isinstance(self.lr, int | float) or isinstance(self.lr, bool):
            raise ValidationError("lr", f"got {self.lr!r}, expected a number")
        checks = {
            "seed": 0 <= self.seed < 2**63,
            "hidden": 1 <= self.hidden <= 4096,
            "embed": 1 <= self.embed <= 1024,
            "streams": 1 <= self.streams <= 4096,
            "bptt": 1 <= self.bptt <= 10_000,
            "lr": 0 < self.lr < 1,
            "min_chunk": self.min_chunk >= 1,
            "update_bytes": self.update_bytes >= 1,
        }
        for field, ok in checks.items():
            if not ok:
                raise ValidationError(field, f"got {getattr(self, field)!r}, out of range")

    def params(self) -> dict:
        return {
            "hidden": self.hidden,
            "embed": self.embed,
            "streams": self.streams,
            "bptt": self.bptt,
            "lr": self.lr,
            "seed": self.seed,
            "min_chunk": self.min_chunk,
            "update_bytes": self.update_bytes,
        }

    def extra_header(self) -> dict:
        """Recorded in the ``.kz`` header: the platform the file was made on."""
        return {"platform": platform_fingerprint()}

    def check_header(self, header: dict, path=None) -> None:
        """Refuse (typed error) to decode a ``.kz`` made on a float-incompatible platform."""
        _check_platform(header.get("platform"), path)

    def num_streams(self, num_bytes: int) -> int:
        """Chunks coded side by side for an input of ``num_bytes``."""
        return max(1, min(self.streams, num_bytes // self.min_chunk))

    def _code(
        self,
        num_bytes: int,
        data: np.ndarray | None,
        words: np.ndarray | None,
        prime: np.ndarray | None = None,
    ):
        """Encode ``data`` (words is None) or decode ``words``; returns (words|bytes, bits).

        ``prime``, if given, is learned from first (predicted and trained on,
        not coded), so the bits are those of ``data`` after training on it.
        """
        import constriction

        with _deterministic_torch() as torch:
            gen = torch.Generator().manual_seed(self.seed)
            from kairos.nn.byte_lstm import ByteLSTM

            model = ByteLSTM(self.hidden, self.embed, gen)
            opt = torch.optim.Adam(model.parameters(), lr=self.lr, foreach=False)
            family = constriction.stream.model.Categorical(perfect=False)
            if prime is not None and len(prime):
                self._pass(torch, model, opt, len(prime), prime, None, None)
            encoding = words is None
            coder = (
                constriction.stream.queue.RangeEncoder()
                if encoding
                else constriction.stream.queue.RangeDecoder(words)
            )
            out, bits = self._pass(torch, model, opt, num_bytes, data, coder, family)
            if not encoding and not coder.maybe_exhausted():
                raise CorruptFileError(None, "nn stream has data after the bytes it claims")
            return (coder.get_compressed() if encoding else out), bits

    def _pass(self, torch, model, opt, num_bytes, data, coder, family):
        """Predict, code (encode if ``data`` is given, else decode) and learn ``num_bytes``.

        With ``coder=None`` the bytes of ``data`` are only learned from.
        Returns (bytes, ideal bits).
        """
        batch = self.num_streams(num_bytes)
        length = -(-num_bytes // batch)  # steps: bytes per chunk, rounded up
        out = np.zeros(batch * length, dtype=np.uint8)
        if data is not None:
            out[:num_bytes] = data
        grid = out.reshape(batch, length)  # grid[b, t] = byte b * length + t
        prev = torch.zeros(batch, dtype=torch.long)
        state = model.initial_state(batch)
        ideal_bits = 0.0
        bptt = max(self.bptt, -(-self.update_bytes // batch))
        for start in range(0, length, bptt):
            stop = min(start + bptt, length)
            start_state = state
            inputs = [prev]
            with torch.no_grad():
                for t in range(start, stop):
                    logits, state = model.step(prev, state)
                    valid = min(batch, max(0, -(-(num_bytes - t) // length)))
                    probs = torch.softmax(logits[:valid], dim=1).numpy()
                    if data is not None:
                        symbols = grid[:valid, t].astype(np.int32)
                        if coder is not None:
                            coder.encode(symbols, family, probs)
                    else:
                        symbols = np.asarray(coder.decode(family, probs), dtype=np.int32)
                        grid[:valid, t] = symbols
                    ideal_bits -= float(np.log2(probs[np.arange(valid), symbols]).sum())
                    prev = torch.from_numpy(grid[:, t].astype(np.int64))
                    inputs.append(prev)
            # Learn from the segment just coded (both sides make the same calls).
            steps = torch.arange(start, stop)[:, None]
            mask = (torch.arange(batch)[None, :] * length + steps < num_bytes).float()
            logits = model.sequence(torch.stack(inputs[:-1]), start_state)
            losses = torch.nn.functional.cross_entropy(
                logits.reshape(-1, 256), torch.stack(inputs[1:]).reshape(-1), reduction="none"
            ).reshape(mask.shape)
            loss = (losses * mask).sum() / mask.sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        return out[:num_bytes].copy(), ideal_bits

    def compress(self, data: bytes) -> bytes:
        prefix = _PREFIX.pack(
            NN_STREAM_VERSION, len(data), fingerprint_digest(platform_fingerprint())
        )
        if not data:
            return prefix
        words, _ = self._code(len(data), np.frombuffer(data, dtype=np.uint8), None)
        return prefix + np.asarray(words, dtype="<u4").tobytes()

    def code_length(self, data: bytes) -> float:
        """Ideal prequential code length sum(-log2 p) of ``data``, in bits."""
        if not data:
            return 0.0
        return self._code(len(data), np.frombuffer(data, dtype=np.uint8), None)[1]

    def conditional_code_length(self, data: bytes, given: bytes) -> float:
        """C(data | given): bits of ``data`` coded after training on ``given`` (prequential)."""
        if not data:
            return 0.0
        prime = np.frombuffer(given, dtype=np.uint8)
        return self._code(len(data), np.frombuffer(data, dtype=np.uint8), None, prime)[1]

    def decompress(self, stream: bytes, max_bytes: int | None = None) -> bytes:
        if len(stream) < _PREFIX.size:
            raise CorruptFileError(None, f"nn stream of {len(stream)} bytes is truncated")
        version, num_bytes, digest = _PREFIX.unpack_from(stream)
        if version != NN_STREAM_VERSION:
            raise CorruptFileError(None, f"nn stream has unknown version {version}")
        if max_bytes is not None and num_bytes > max_bytes:
            raise CorruptFileError(
                None, f"nn stream claims {num_bytes} bytes, the file header says {max_bytes}"
            )
        here = platform_fingerprint()
        if digest != fingerprint_digest(here):
            raise PlatformMismatchError(
                None,
                f"made by the nn model on another platform (fingerprint {digest.hex()}, here "
                f"{fingerprint_digest(here).hex()}: {json.dumps(here, sort_keys=True)}); its "
                "floats cannot be reproduced bit for bit here; decode it where it was made",
            )
        body = stream[_PREFIX.size :]
        if num_bytes == 0:
            return b""
        if len(body) % 4 or not body or num_bytes > max_nn_bytes(len(body) // 4):
            raise CorruptFileError(
                None, f"nn stream body of {len(body)} bytes cannot hold {num_bytes} bytes"
            )
        words = np.frombuffer(body, dtype="<u4").astype(np.uint32)
        try:
            symbols, _ = self._code(num_bytes, None, words)
        except (ValueError, AssertionError, RuntimeError) as exc:
            raise CorruptFileError(None, f"nn stream does not decode: {exc}") from exc
        return symbols.tobytes()


# The coder quantises each byte's distribution to 24 bits, every byte value keeping at
# least one unit, so a byte costs at least -log2(1 - 255 / 2**24) bits.
MIN_BITS_PER_BYTE = -math.log2(1 - 255 / 2**24)  # 2.19e-5


def max_nn_bytes(num_words: int) -> int:
    """The most bytes a stream of ``num_words`` 32-bit words can code (a sound upper bound).

    Highly compressible input legitimately comes close (1 MB of zeros takes a few
    words), so this refuses only impossible claims; the decoder's end check
    (every word consumed) catches the rest.
    """
    return math.floor(32 * (num_words + 2) / MIN_BITS_PER_BYTE)


def fingerprint_digest(fingerprint: dict) -> bytes:
    """8-byte digest of a fingerprint, stored in every nn stream."""
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).digest()[:8]


def _check_platform(recorded, path) -> None:
    """Raise :class:`PlatformMismatchError` unless ``recorded`` is this platform's fingerprint."""
    here = platform_fingerprint()
    if not isinstance(recorded, dict):
        raise CorruptFileError(path, "nn file has no platform fingerprint")
    differing = sorted(k for k in set(here) | set(recorded) if here.get(k) != recorded.get(k))
    if differing:
        details = "; ".join(
            f"{k}: file {recorded.get(k)!r}, here {here.get(k)!r}" for k in differing
        )
        raise PlatformMismatchError(
            path,
            "made by the nn model on a platform whose floats this one cannot reproduce "
            f"bit for bit ({details}); decode it where it was made",
        )
