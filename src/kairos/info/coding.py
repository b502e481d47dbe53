"""Range coding of symbol sequences under any model that yields next-symbol probabilities.

A thin wrapper over constriction's *queue* range coder (first in, first out).
Two entry points:

- :func:`encode_symbols` / :func:`decode_symbols` take all probability
  vectors at once; use them when the probabilities are known up front, e.g. a
  solver's solution path under its policy, where the bits written equal
  -log2 pi(path) up to the coder's small overhead
  (:func:`ideal_code_length_bits`).
- :func:`encode_with_model` / :func:`decode_with_model` drive a
  :class:`SymbolModel` step by step, so an adaptive model (one that learns
  from each symbol) decodes exactly as it encoded.

Example
-------
>>> import numpy as np
>>> probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
>>> words = encode_symbols([1, 2], probs)
>>> decode_symbols(words, probs).tolist()
[1, 2]
>>> round(ideal_code_length_bits([1, 2], probs), 3)
5.322
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from kairos.errors import CorruptFileError, ValidationError

WORD_BITS = 32  # constriction's compressed words are uint32


class SymbolModel(Protocol):
    """An adaptive next-symbol model: predict, then learn the symbol actually seen."""

    def probabilities(self) -> np.ndarray:
        """Next-symbol distribution, float array of shape (alphabet_size,), summing to ~1."""
        ...

    def update(self, symbol: int) -> None:
        """Learn from the symbol just coded."""
        ...


def _check_probabilities(probabilities: np.ndarray, num_symbols: int) -> np.ndarray:
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] != num_symbols:
        raise ValidationError(
            "probabilities",
            f"expected shape (num_symbols={num_symbols}, alphabet_size), got {probs.shape}",
        )
    if probs.size and (not np.all(np.isfinite(probs)) or np.any(probs < 0)):
        raise ValidationError("probabilities", "found negative or non-finite values")
    return probs


def encode_symbols(symbols: Sequence[int], probabilities: np.ndarray) -> np.ndarray:
    """Range-code ``symbols`` under per-step distributions.

    Parameters
    ----------
    symbols : sequence of int, length n
    probabilities : float array of shape (n, alphabet_size)
        Row ``t`` is the distribution ``symbols[t]`` was drawn from. Rows are
        normalised by the coder; a symbol of probability zero cannot be coded.

    Returns
    -------
    words : uint32 array
        The compressed stream.
    """
    import constriction

    syms = np.asarray(symbols, dtype=np.int32)
    probs = _check_probabilities(probabilities, len(syms))
    if len(syms) and (syms.min() < 0 or syms.max() >= probs.shape[1]):
        raise ValidationError("symbols", f"found a symbol outside [0, {probs.shape[1]})")
    if len(syms) and np.any(probs[np.arange(len(syms)), syms] <= 0):
        raise ValidationError("symbols", "found a symbol whose probability is zero")
    encoder = constriction.stream.queue.RangeEncoder()
    if len(syms):
        model = constriction.stream.model.Categorical(perfect=False)
        encoder.encode(syms, model, probs.astype(np.float32))
    return encoder.get_compressed()


def decode_symbols(words: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Invert :func:`encode_symbols`; ``probabilities`` must be the same array.

    Returns
    -------
    symbols : int32 array of shape (n,)
    """
    import constriction

    probs = _check_probabilities(probabilities, len(probabilities))
    if not len(probs):
        return np.zeros(0, dtype=np.int32)
    decoder = constriction.stream.queue.RangeDecoder(np.asarray(words, dtype=np.uint32))
    model = constriction.stream.model.Categorical(perfect=False)
    return np.asarray(decoder.decode(model, probs.astype(np.float32)), dtype=np.int32)


def ideal_code_length_bits(symbols: Sequence[int], probabilities: np.ndarray) -> float:
    """Sum of -log2 p(symbol) over the sequence (rows normalised), in bits."""
    syms = np.asarray(symbols, dtype=np.int64)
    probs = _check_probabilities(probabilities, len(syms))
    if not len(syms):
        return 0.0
    chosen = probs[np.arange(len(syms)), syms] / probs.sum(axis=1)
    return float(-np.log2(chosen).sum())


def encode_with_model(symbols: Sequence[int], model: SymbolModel) -> tuple[np.ndarray, float]:
    """Code ``symbols`` one at a time under an adaptive model.

    Returns
    -------
    (words, ideal_bits)
        The compressed uint32 stream and sum(-log2 p) under the model.
    """
    import constriction

    encoder = constriction.stream.queue.RangeEncoder()
    ideal_bits = 0.0
    for symbol in symbols:
        probs = np.asarray(model.probabilities(), dtype=np.float32)
        encoder.encode(int(symbol), constriction.stream.model.Categorical(probs, perfect=False))
        ideal_bits -= float(np.log2(probs[symbol] / probs.sum()))
        model.update(int(symbol))
    return encoder.get_compressed(), ideal_bits


def decode_with_model(words: np.ndarray, model: SymbolModel, num_symbols: int) -> list[int]:
    """Invert :func:`encode_with_model` given a fresh copy of the same model."""
    import constriction

    decoder = constriction.stream.queue.RangeDecoder(np.asarray(words, dtype=np.uint32))
    out = []
    try:
        for _ in range(num_symbols):
            probs = np.asarray(model.probabilities(), dtype=np.float32)
            symbol = int(
                decoder.decode(constriction.stream.model.Categorical(probs, perfect=False))
            )
            out.append(symbol)
            model.update(symbol)
    except (ValueError, AssertionError) as exc:
        raise CorruptFileError(None, f"range-coded stream does not decode: {exc}") from exc
    return out


def words_to_bytes(words: np.ndarray) -> bytes:
    """Serialise a uint32 stream little-endian (portable)."""
    return np.asarray(words, dtype="<u4").tobytes()


def bytes_to_words(data: bytes) -> np.ndarray:
    """Invert :func:`words_to_bytes`."""
    if len(data) % 4:
        raise CorruptFileError(None, f"range-coded stream of {len(data)} bytes is not whole words")
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
