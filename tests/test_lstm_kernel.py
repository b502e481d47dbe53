"""The max level's LSTM: its arithmetic, its bit logits and that it learns."""

import math

import numpy as np
import pytest

from kairos.info import lstm_kernel as lk


def test_exp_from_basic_operations_matches_the_library():
    for x in np.linspace(-80.0, 0.0, 4001):
        assert lk._exp_neg(x) == pytest.approx(math.exp(x), rel=1e-8, abs=0.0)
    assert lk._exp_neg(-1000.0) == pytest.approx(math.exp(-80.0), rel=1e-8)
    for x in (-30.0, -2.5, 0.0, 0.7, 12.0):
        assert lk._sigmoid(x) == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-8, abs=1e-15)
        assert lk._tanh(x) == pytest.approx(math.tanh(x), rel=1e-7, abs=1e-8)


def _train(data: bytes, hidden: int = 16, horizon: int = 5):
    """Run the net over ``data``; return -log2 p of each byte (bits) and the state."""
    state = lk.lstm_new(hidden, horizon, 10)
    last = 0
    costs = []
    for byte in data:
        lk.lstm_predict(state, last)
        cum = state[1][0]
        costs.append(-math.log2(cum[byte + 1] - cum[byte]))
        lk.lstm_learn(state, byte)
        last = ((last << 8) | byte) & 0xFFFFFFFF
    return np.array(costs), state


def test_bit_logits_agree_with_the_byte_softmax():
    _, state = _train(b"abracadabra, abracadabra! " * 8)
    lk.lstm_predict(state, ord(" "))
    cum = state[1][0]
    assert cum[256] == pytest.approx(1.0, abs=1e-5)
    for byte in (ord("a"), ord("r"), 0, 255):
        partial = 1
        for bit_pos in range(8):
            width = 1 << (8 - bit_pos)
            lo = (partial - (1 << bit_pos)) << (8 - bit_pos)
            zero = cum[lo + width // 2] - cum[lo]
            one = cum[lo + width] - cum[lo + width // 2]
            expected = max(-2047, min(2047, 256.0 * math.log(one / zero)))
            assert abs(lk.lstm_stretch(state, partial, bit_pos) - expected) <= 1.0
            partial = (partial << 1) | ((byte >> (7 - bit_pos)) & 1)


def test_the_net_learns_online_and_is_deterministic():
    data = b"the cat sat on the mat; " * 60
    costs, _ = _train(data)
    assert costs[:24].mean() > 7.0  # a fresh net: about 8 bits a byte
    assert costs[-240:].mean() < 0.5 * costs[:240].mean()  # it learned the repeat
    again, _ = _train(data)
    assert np.array_equal(costs, again)  # same weights, same arithmetic, same bits


def test_top_byte_is_the_softmax_argmax():
    _, state = _train(b"abracadabra, abracadabra! " * 40)
    lk.lstm_predict(state, int.from_bytes(b"adab", "big"))  # the last byte lowest
    cum = state[1][0]
    probs = np.diff(cum)
    top, top_p = lk.lstm_top(state)
    assert top == int(np.argmax(probs)) == ord("r")  # "b" is followed by "r" here
    assert top_p == int(probs[top] / cum[256] * 4096.0)
    assert 2048 < top_p < 4096
