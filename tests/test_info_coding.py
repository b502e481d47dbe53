"""Range coding: exact round trips and size within 64 bits of the ideal code length."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.errors import CorruptFileError, ValidationError
from kairos.info.coding import (
    bytes_to_words,
    decode_symbols,
    decode_with_model,
    encode_symbols,
    encode_with_model,
    ideal_code_length_bits,
    words_to_bytes,
)

OVERHEAD_BITS = 64  # allowed excess of the real stream over the ideal code length


def _random_case(seed: int, n: int, alphabet: int):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(alphabet, 0.3), size=n)
    probs = np.maximum(probs, 1e-6)
    symbols = np.array([rng.choice(alphabet, p=p / p.sum()) for p in probs])
    return symbols, probs


@pytest.mark.parametrize("seed,n,alphabet", [(0, 1, 2), (1, 200, 4), (2, 3000, 256)])
def test_batch_round_trip_and_size_bound(seed, n, alphabet):
    symbols, probs = _random_case(seed, n, alphabet)
    words = encode_symbols(symbols, probs)
    assert decode_symbols(words, probs).tolist() == symbols.tolist()
    ideal = ideal_code_length_bits(symbols, probs)
    assert 32 * len(words) <= ideal + OVERHEAD_BITS


def test_skewed_policy_path_costs_its_log_probability():
    # A solver's path under its policy: bits written = -log2 pi(path) (+ <= 64).
    probs = np.tile([0.97, 0.01, 0.01, 0.01], (500, 1))
    path = np.zeros(500, dtype=int)
    path[::50] = 2
    words = encode_symbols(path, probs)
    ideal = ideal_code_length_bits(path, probs)
    assert abs(ideal - (490 * -np.log2(0.97) + 10 * -np.log2(0.01))) < 1e-6
    assert 32 * len(words) <= ideal + OVERHEAD_BITS
    assert decode_symbols(words, probs).tolist() == path.tolist()


class _CountingModel:
    """Laplace-smoothed adaptive frequency model over a small alphabet."""

    def __init__(self, alphabet: int):
        self.counts = np.ones(alphabet)

    def probabilities(self):
        return self.counts / self.counts.sum()

    def update(self, symbol):
        self.counts[symbol] += 1


@given(st.lists(st.integers(0, 5), max_size=300))
@settings(max_examples=30, deadline=None)
def test_adaptive_model_round_trip(symbols):
    words, ideal = encode_with_model(symbols, _CountingModel(6))
    assert decode_with_model(words, _CountingModel(6), len(symbols)) == symbols
    assert 32 * len(words) <= ideal + OVERHEAD_BITS


def test_word_serialisation_round_trip_and_garbage():
    words = np.array([1, 2**32 - 1, 12345], dtype=np.uint32)
    assert bytes_to_words(words_to_bytes(words)).tolist() == words.tolist()
    with pytest.raises(CorruptFileError, match="not whole words"):
        bytes_to_words(b"abc")


def test_bad_probabilities_raise_typed_errors():
    with pytest.raises(ValidationError, match="shape"):
        encode_symbols([0, 1], np.ones((3, 2)))
    with pytest.raises(ValidationError, match="outside"):
        encode_symbols([5], np.ones((1, 2)))
    with pytest.raises(ValidationError, match="zero"):
        encode_symbols([0], np.array([[0.0, 1.0]]))
    with pytest.raises(ValidationError, match="non-finite"):
        encode_symbols([0], np.array([[np.nan, 1.0]]))
