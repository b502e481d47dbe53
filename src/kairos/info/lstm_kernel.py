"""A byte-level LSTM trained online: the max level's learned neural input.

At each byte the net reads its inputs, each one row of an input matrix: the
last three bytes (one-hot each), and five hashed contexts (the last four
bytes, the current word, the word with the one before it, the last two bytes
and the last three). It predicts the next byte with a softmax over its 256 values; :func:`lstm_stretch` turns that into the probability of each
bit of the byte given the bits already coded, the input the context mixer
takes (as in cmix and paq8px's LSTM model). It learns prequentially: every
:data:`LSTM_HORIZON` bytes, by backpropagation through those bytes, with
RMS-normalised steps (Adam without momentum) whose size falls from
:data:`LSTM_RATE` toward 0.3 of it as the net learns (the output layer's are
:data:`LSTM_OUTPUT_STEP` times as large). Only the input rows read in
those bytes have gradients, so only they are stepped (their mean squares decay
only when they are read); that keeps hashed inputs of 16,384 rows cheap.

One cell layer of :data:`LSTM_HIDDEN` units with coupled gates (forget =
1 - input). Weights are float32; every operation is an IEEE add, multiply,
divide or square root in a fixed order (no library ``exp``, ``log`` or BLAS,
and no fast-math reassociation), so a decoder on any machine reproduces the
encoder's probabilities bit for bit. ``exp`` is :func:`_exp_neg`, a
range-reduced polynomial.

The cm kernel's compiled cache does not notice edits to this file: after one,
clear the ``__pycache__`` folders (or set ``NUMBA_CACHE_DIR`` to a new folder)
before measuring. The state is a tuple of arrays (:func:`lstm_new`), so the compiled context
mixer can hold one and call :func:`lstm_predict`, :func:`lstm_stretch` and
:func:`lstm_learn` on it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from kairos.info.kernel_jit import njit_borrowing

# units: 256 since cm model v14 (128 before: book1 -604 B, the 14 Calgary files
# -1,482 B at the max level, for about twice the max level's time)
LSTM_HIDDEN = 256
# bytes between updates; backpropagation runs through them (with 256 units, 20 and
# 40 cost book1 390 and 93 B)
LSTM_HORIZON = 30
LSTM_INPUT_BYTES = 3  # the last bytes the net reads at each step (one-hot each)
# ... and hashed contexts, one row of 2**hash_bits each (lstm_new): the last 4
# bytes, the word, the word with the one before it, and (cm model v21) the last 2
# bytes and the last 3. Measured and left out: the column with the last byte (+61 B
# on the 14 Calgary files), the last 6 bytes (no gain on book1).
LSTM_HASHED_INPUTS = 5
# the most: 5 x 16,384 rows, 508 MB with 256 units and their mean squares (307 MB
# with 3 inputs; gradients are kept only for the rows a horizon reads); 13 bits cost
# book1 245 B
LSTM_HASH_BITS = 14
# The max level's second net (cm model v22): a shorter horizon, 2**13 rows per hashed
# input and its own initial weights, so that its errors are not the first net's.
# On paper2, progc, obj2, trans and bib a horizon of 20 with 2**13 rows did better than
# 40 with 2**14 (by 48 B), 2**14 rows at 20 cost 8 B more, a horizon of 15 cost book1
# 104 B, and 128 units saved 40% of what 256 did.
LSTM2_HORIZON = 20
LSTM2_HASH_BITS = 13
LSTM2_SALT = 0x5EC0D
LSTM_RATE = 0.006  # step size of the RMS-normalised updates, at first
# ... falling toward LSTM_RATE * LSTM_RATE_FLOOR, halfway there after LSTM_RATE_HALF
# updates (90,000 bytes): book1 -679 B, the 14 Calgary files -656 B at the max level
LSTM_RATE_FLOOR = 0.3
LSTM_RATE_HALF = 3000.0
# (cm model v24) the output layer's steps are this many times the others': on paper2,
# progc, obj2, trans and bib x2 saved 229 B, x3 252 B (book1 435 B), x4 173 B, x0.5
# cost 526 B; the input rows' steps x2 or x0.5 and the recurrent weights' x2 or x0.5
# did worse than x1 beside it
LSTM_OUTPUT_STEP = 3.0
LSTM_RMS_DECAY = 0.999  # decay of the running mean of squared gradients
LSTM_INIT_SCALE = 0.1  # initial weights: uniform in +-scale (recurrent: +-1/sqrt(H))
STRETCH_LIMIT = 2047  # the mixer's stretch domain: 256 per unit of logit

_LOG2E = 1.4426950408889634
_LN2_HI = 0.693145751953125  # ln 2 split so that k * _LN2_HI is exact
_LN2_LO = 1.4286068203094173e-06
_POW2_NEG = np.array([0.5**k for k in range(128)])  # exact: repeated halving
# exp(-m / 256) for m = 0..STRETCH_LIMIT: the stretch search's thresholds
_EXP_KNOTS_SIZE = STRETCH_LIMIT + 1

_NUM_INPUTS = LSTM_INPUT_BYTES + LSTM_HASHED_INPUTS
# rows of the per-step history
_H_PREV, _C_PREV, _GATE_I, _GATE_O, _GATE_G, _TANH_C, _H_OUT = range(7)


@njit(cache=True, inline="always")
def _exp_neg(x):
    """exp(x) for x <= 0 (float64), from basic operations only; exp(-80) below -80."""
    if x < -80.0:
        x = -80.0
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO  # |r| <= ln(2) / 2
    p = 1.0 + r * (
        1.0
        + r
        * (
            0.5
            + r
            * (
                1.0 / 6.0
                + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0))))
            )
        )
    )
    return p * _POW2_NEG[int(-k)]


@njit(cache=True, inline="always")
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + _exp_neg(-x))
    e = _exp_neg(x)
    return e / (1.0 + e)


@njit(cache=True, inline="always")
def _tanh(x):
    return 2.0 * _sigmoid(2.0 * x) - 1.0


@njit(cache=True)
def lstm_new(hidden, horizon, hash_bits, salt=0):
    """A fresh net: (float32 arrays, float64 arrays, int64 bookkeeping, gradient slots).

    ``hidden`` units, ``horizon`` bytes per update, ``2**hash_bits`` rows per
    hashed input context; weights drawn from a fixed integer generator, so
    every machine starts from the same net. ``salt`` (a uint64 value) is mixed
    into the generator's seed: two nets with different salts start apart.
    """
    gates = 3 * hidden
    bias_row = 256 * LSTM_INPUT_BYTES + (1 << hash_bits) * LSTM_HASHED_INPUTS
    w_in = np.zeros((bias_row + 1, gates), dtype=np.float32)  # per input row, then bias
    w_rec = np.zeros((hidden, gates), dtype=np.float32)
    w_out = np.zeros((hidden + 1, 256), dtype=np.float32)  # row ``hidden``: bias
    seed = np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(salt)
    rec_scale = 1.0 / np.sqrt(float(hidden))
    for a in range(3):
        arr = w_in if a == 0 else (w_rec if a == 1 else w_out)
        rows = bias_row if a == 0 else hidden
        scale = LSTM_INIT_SCALE if a == 0 else rec_scale
        for i in range(rows):
            for j in range(arr.shape[1]):
                seed = seed * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
                u = float(seed >> np.uint64(40)) / 16777216.0  # 24 bits: exact in float32
                arr[i, j] = np.float32((2.0 * u - 1.0) * scale)
    w_rec_t = np.ascontiguousarray(w_rec.T)
    w_out_t = np.ascontiguousarray(w_out[:hidden].T)
    f32 = (
        w_in, w_rec, w_out, w_rec_t, w_out_t,
        # gradients; the input rows' only for the rows a horizon reads (slot 0: the bias)
        np.zeros((horizon * _NUM_INPUTS + 1, gates), dtype=np.float32),
        np.zeros_like(w_rec), np.zeros_like(w_out),
        np.zeros_like(w_in), np.zeros_like(w_rec), np.zeros_like(w_out),  # mean squares
        np.zeros((horizon, 7, hidden), dtype=np.float32),  # per step: see _H_PREV...
        np.zeros((horizon, 256), dtype=np.float32),  # per step: the softmax
        np.zeros((2, hidden), dtype=np.float32),  # h, c now
        np.zeros(gates, dtype=np.float32),  # scratch: gate pre-activations / gradients
        np.zeros((2, hidden), dtype=np.float32),  # scratch: dh, dc carried back
    )  # fmt: skip
    f64 = (
        np.zeros(257, dtype=np.float64),  # cumulative softmax of the byte being coded
        np.array([1.0]),  # LSTM_RMS_DECAY ** updates, for the bias correction
        np.zeros(_EXP_KNOTS_SIZE, dtype=np.float64),  # exp(-m / 256), m = 0..2047
    )
    for m in range(_EXP_KNOTS_SIZE):
        f64[2][m] = _exp_neg(-m / 256.0)
    # per step: the input rows, then the target; last row: the step within the
    # horizon, the word's hash, the number of updates, the previous word's hash,
    # hash_bits
    i64 = np.zeros((horizon + 1, max(_NUM_INPUTS + 1, 5)), dtype=np.int64)
    i64[-1, 4] = hash_bits
    # per input row: its gradient's slot in this horizon (f32[5]), -1 = not read
    grad_slots = np.full(bias_row + 1, -1, dtype=np.int64)
    return f32, f64, i64, grad_slots


@njit_borrowing
def lstm_predict(state, last_bytes):
    """Advance the net by the last bytes and hold its softmax for the next byte.

    ``last_bytes`` holds the most recent byte in its low 8 bits, the one
    before it in the next 8, and so on (4 bytes are read).
    """
    f32, f64, i64, _ = state
    w_in, w_rec, w_out = f32[0], f32[1], f32[2]
    hist, probs, hc, pre = f32[11], f32[12], f32[13], f32[14]
    hidden = w_rec.shape[0]
    gates = 3 * hidden
    t = i64[-1, 0]
    bias_row = w_in.shape[0] - 1
    for k in range(gates):
        pre[k] = w_in[bias_row, k]
    for b in range(_NUM_INPUTS):
        if b < LSTM_INPUT_BYTES:
            x = 256 * b + ((last_bytes >> (8 * b)) & 0xFF)
        else:
            if b == LSTM_INPUT_BYTES:
                key = last_bytes & 0xFFFFFFFF
            elif b == LSTM_INPUT_BYTES + 1:
                key = i64[-1, 1]
            elif b == LSTM_INPUT_BYTES + 2:
                key = i64[-1, 1] ^ (i64[-1, 3] * 0x5BD1E995 & 0xFFFFFFFF)
            elif b == LSTM_INPUT_BYTES + 3:
                key = last_bytes & 0xFFFF
            else:
                key = last_bytes & 0xFFFFFF
            key = ((key + 0x3C6EF372 * (b + 1)) * 0x9E3779B1) & 0xFFFFFFFF
            hash_bits = i64[-1, 4]
            x = 256 * LSTM_INPUT_BYTES + ((b - LSTM_INPUT_BYTES) << hash_bits)
            x += key >> (32 - hash_bits)
        i64[t, b] = x
        for k in range(gates):
            pre[k] += w_in[x, k]
    for i in range(hidden):
        hi = hc[0, i]
        for k in range(gates):
            pre[k] += w_rec[i, k] * hi
    for j in range(hidden):
        hist[t, _H_PREV, j] = hc[0, j]
        hist[t, _C_PREV, j] = hc[1, j]
        gi = np.float32(_sigmoid(pre[j]))
        go = np.float32(_sigmoid(pre[hidden + j]))
        gg = np.float32(_tanh(pre[2 * hidden + j]))
        c = (np.float32(1.0) - gi) * hc[1, j] + gi * gg
        tc = np.float32(_tanh(c))
        hc[1, j] = c
        hc[0, j] = go * tc
        hist[t, _GATE_I, j] = gi
        hist[t, _GATE_O, j] = go
        hist[t, _GATE_G, j] = gg
        hist[t, _TANH_C, j] = tc
        hist[t, _H_OUT, j] = go * tc
    row = probs[t]
    for k in range(256):
        row[k] = w_out[hidden, k]
    for j in range(hidden):
        hj = hc[0, j]
        for k in range(256):
            row[k] += w_out[j, k] * hj
    top = row[0]
    for k in range(256):
        top = max(top, row[k])
    total = 0.0
    for k in range(256):
        e = np.float32(_exp_neg(float(row[k] - top)))
        row[k] = e
        total += e
    cum = f64[0]
    acc = 0.0
    for k in range(256):
        row[k] = np.float32(row[k] / total)
        cum[k] = acc
        acc += row[k]
    cum[256] = acc


@njit_borrowing
def lstm_top(state):
    """The likeliest next byte under the held softmax, and its probability in 1/4096.

    Ties go to the lowest byte value; the probability is rounded down.
    """
    cum = state[1][0]
    best = 0
    best_p = -1.0
    for k in range(256):
        pk = cum[k + 1] - cum[k]
        if pk > best_p:
            best_p = pk
            best = k
    return best, int(best_p / cum[256] * 4096.0)


@njit_borrowing
def lstm_stretch(state, partial, bit_pos):
    """The next bit's logit, 256 per unit, in [-2047, 2047].

    ``partial`` holds the byte's ``bit_pos`` bits already coded, below a
    leading 1 (the mixer's ``c0``).
    """
    cum, knots = state[1][0], state[1][2]
    width = 1 << (8 - bit_pos)
    lo = (partial - (1 << bit_pos)) << (8 - bit_pos)
    zero = cum[lo + width // 2] - cum[lo]
    one = cum[lo + width] - cum[lo + width // 2]
    small, large = (one, zero) if one < zero else (zero, one)
    if large <= 0.0:
        return 0
    ratio = small / large  # = exp(-|logit|); find the largest m with exp(-m/256) >= ratio
    low, high = 0, STRETCH_LIMIT
    while low < high:
        mid = (low + high + 1) >> 1
        if knots[mid] >= ratio:
            low = mid
        else:
            high = mid - 1
    return low if one >= zero else -low


@njit_borrowing
def lstm_learn(state, byte):
    """Record the coded ``byte``; every horizon bytes, learn from the last ones."""
    f32, f64, i64, grad_slots = state
    w_in, w_rec, w_out, w_rec_t, w_out_t = f32[0], f32[1], f32[2], f32[3], f32[4]
    g_in, g_rec, g_out = f32[5], f32[6], f32[7]
    hist, probs, dpre, carry = f32[11], f32[12], f32[14], f32[15]
    hidden = w_rec.shape[0]
    horizon = hist.shape[0]
    t = i64[-1, 0]
    i64[t, _NUM_INPUTS] = byte
    letter = byte | 0x20
    if 97 <= letter <= 122:  # the word: its letters, case folded
        i64[-1, 1] = ((i64[-1, 1] + letter + 1) * 0x2F0B4A13) & 0xFFFFFFFF
    elif i64[-1, 1] != 0:
        i64[-1, 3] = i64[-1, 1]
        i64[-1, 1] = 0
    t += 1
    if t < horizon:
        i64[-1, 0] = t
        return
    i64[-1, 0] = 0
    one = np.float32(1.0)
    bias_row = w_in.shape[0] - 1
    for j in range(hidden):
        carry[0, j] = 0.0
        carry[1, j] = 0.0
    used = 1  # gradient slots taken (slot 0: the bias row)
    for s in range(horizon - 1, -1, -1):
        dl = probs[s]  # becomes the logits' gradient: softmax - one-hot
        dl[i64[s, _NUM_INPUTS]] -= one
        for k in range(256):
            g_out[hidden, k] += dl[k]
        h_out = hist[s, _H_OUT]
        for j in range(hidden):
            hj = h_out[j]
            for k in range(256):
                g_out[j, k] += dl[k] * hj
        dh = carry[0]
        for k in range(256):
            dk = dl[k]
            for j in range(hidden):
                dh[j] += w_out_t[k, j] * dk
        for j in range(hidden):
            gi = hist[s, _GATE_I, j]
            go = hist[s, _GATE_O, j]
            gg = hist[s, _GATE_G, j]
            tc = hist[s, _TANH_C, j]
            dc = dh[j] * go * (one - tc * tc) + carry[1, j]
            dpre[j] = dc * (gg - hist[s, _C_PREV, j]) * gi * (one - gi)
            dpre[hidden + j] = dh[j] * tc * go * (one - go)
            dpre[2 * hidden + j] = dc * gi * (one - gg * gg)
            carry[1, j] = dc * (one - gi)
        for k in range(3 * hidden):
            g_in[0, k] += dpre[k]
        for b in range(_NUM_INPUTS):
            x = i64[s, b]
            if grad_slots[x] < 0:
                grad_slots[x] = used
                used += 1
            slot = grad_slots[x]
            for k in range(3 * hidden):
                g_in[slot, k] += dpre[k]
        h_prev = hist[s, _H_PREV]
        for i in range(hidden):
            hp = h_prev[i]
            for k in range(3 * hidden):
                g_rec[i, k] += dpre[k] * hp
        for j in range(hidden):
            dh[j] = 0.0
        for k in range(3 * hidden):
            dk = dpre[k]
            for i in range(hidden):
                dh[i] += w_rec_t[k, i] * dk
    f64[1][0] *= LSTM_RMS_DECAY
    update = i64[-1, 2]
    fall = LSTM_RATE_HALF / (LSTM_RATE_HALF + update)
    rate = LSTM_RATE * (LSTM_RATE_FLOOR + (1.0 - LSTM_RATE_FLOOR) * fall)
    step = np.float32(rate * np.sqrt(1.0 - f64[1][0]))
    # only the input rows this horizon read have gradients: update those (lazily)
    i64[-1, 2] = update + 1
    _rms_row(w_in, g_in, f32[8], step, bias_row, 0)
    for s in range(horizon):
        for b in range(_NUM_INPUTS):
            x = i64[s, b]
            if grad_slots[x] >= 0:
                _rms_row(w_in, g_in, f32[8], step, x, grad_slots[x])
                grad_slots[x] = -1
    _rms_step(w_rec, g_rec, f32[9], step)
    _rms_step(w_out, g_out, f32[10], np.float32(step * LSTM_OUTPUT_STEP))
    for i in range(hidden):
        for k in range(3 * hidden):
            w_rec_t[k, i] = w_rec[i, k]
        for k in range(256):
            w_out_t[k, i] = w_out[i, k]


@njit_borrowing
def _rms_row(weights, grads, mean_sq, step, i, slot):
    """One RMS-normalised step of row ``i`` from its summed gradient (row ``slot`` of
    ``grads``), which it clears."""
    decay = np.float32(LSTM_RMS_DECAY)
    rest = np.float32(1.0 - LSTM_RMS_DECAY)
    eps = np.float32(1e-6)
    for k in range(weights.shape[1]):
        g = grads[slot, k]
        v = decay * mean_sq[i, k] + rest * g * g
        mean_sq[i, k] = v
        weights[i, k] -= step * g / (np.sqrt(v) + eps)
        grads[slot, k] = 0.0


@njit_borrowing
def _rms_step(weights, grads, mean_sq, step):
    for i in range(weights.shape[0]):
        _rms_row(weights, grads, mean_sq, step, i, i)
