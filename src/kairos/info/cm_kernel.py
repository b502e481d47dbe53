"""The numba kernel of the ``cm`` model: a context-mixing bit predictor and coder.

One function, :func:`cm_code`, both encodes and decodes: the model code is
shared, so the decoder sees exactly the probabilities the encoder used. All
model arithmetic is integer (fixed point), which makes a file decode to the
same bytes on any machine; the only float is the ideal code length returned
for reporting, which never feeds back into the model.

Why a bit-level coder lives here rather than in ``kairos.info.coding``: the
model predicts one bit at a time (8 predictions per byte, ~26 M on Calgary),
and a Python-level call into constriction per bit would dominate the run time.
A 32-bit carry-less binary arithmetic coder inside the numba loop costs a few
integer operations per bit instead. Byte- or symbol-level models use the
constriction wrapper.

Model (per bit, all probabilities of a 1 bit), in the lpaq/PAQ family; the
stream is tagged with :data:`MODEL_VERSION`, bumped whenever predictions change:

- 29 hashed contexts: orders 0-6, 8, 12 and 16; the word (letters only,
  case-folded) with the previous byte, with the previous word, and with the
  two previous words; a column context (the byte above in the previous line);
  sparse contexts (byte -2; bytes -3 and -4; bytes -1 and -3; bytes -2 and -3);
  two indirect contexts (the bytes that followed the last occurrences of the
  current order-1 and order-2 context); two record contexts (the bytes one and
  two record lengths back, with the column in the record for records under
  16 bytes; the record length is the gap between equal bytes confirmed most
  often); two case-folded text contexts; since v5 (``FEATURE_WORD_CONTEXTS``)
  the word with the word two back and the previous word with the last byte,
  and (``FEATURE_MATCH_CONTEXT``) the match model's expected byte with its
  length; since v6 (``FEATURE_TEXT_CONTEXTS``) the word with the byte before
  it, and the line's first byte with the column.
- Since v5 (``FEATURE_IMAGE``), 8 bit-level 2-D contexts when the record is
  32 bytes or longer (PAQ8's picModel: the pixels around the next one in the
  current row and the 3 rows above, one row = one record; a 1-bit image such
  as Calgary's ``pic``), each a directly indexed bit history + state map.
- Each context selects, once per nibble, a 16-byte bucket (an 8-bit check
  byte + 15 bit-history states, one per node of the nibble's binary tree),
  found among 3 neighbouring buckets by its check byte or else replacing the
  least-used one.
- Two inputs per context, with two rates: a bit history, i.e. a state
  (n0, n1, last bit) with bounded, discounted counts (:data:`NEXT_STATE`)
  turned into a probability by an adaptive state map per context (slow,
  indirect: it learns how far to trust, e.g., an order-6 context seen once),
  and a direct probability in the same slot (12 bits + a hit count; rate
  1/(n+1.5), faster than the state map's until n reaches 14). Since v6
  (``FEATURE_DET_INPUTS``, as in PAQ8's ContextMap) a third input: in a
  deterministic history (only one bit value seen so far) +-2 (in logits)
  toward that value, else 0, so the mixer can weigh "always the same so far"
  apart from the state map's average for that state.
- A match model: the most recent repeat of the last 6 bytes predicts the
  next bit, with its confidence learned per match length. Since v6
  (``FEATURE_LONG_MATCH``) a second one over repeats of 12 bytes or more
  (its own position table, so it can hold a longer, older repeat while the
  first follows a shorter recent one), confidence learned per length / 4.
- Optionally (``FEATURE_NEURAL``, the ``mix`` model) a small recurrent net:
  see :data:`NN_HIDDEN`; its bit logit is one more mixer input.
- Five logistic mixers in the stretch domain, whose weight sets are chosen
  by: the partial byte; the previous byte; the number of contexts seen
  before, with the bit position and whether a match is active; the previous
  byte with the partial byte; the column with the bit position (for images:
  the nearest pixels); since v6 (``FEATURE_MATCH_MIXER``) a sixth chosen by
  the match length class, the expected bit and the partial byte; since v7
  (``FEATURE_BYTE_MIXERS``) a seventh chosen by the classes of the last
  three bytes (:func:`_byte_class`: lower, upper, digit, space, newline,
  control, high, other) with the bit position, and an eighth chosen by the
  byte two back with the bit position. A second-layer mixer (weights chosen
  by the partial byte) combines them; since v7 (``FEATURE_FINAL_MIXER2``) a
  second one, with weights chosen by the order (the highest of orders 1-6,
  8, 12 and 16 whose context was seen before), the match length class with
  the expected bit, and the bit position, is averaged with it in the stretch
  domain (each learns from its own output's error). Since v5 (``FEATURE_RATE_SCHEDULE``) each weight set's
  learning rate falls from :data:`MIXER_LR_MAX` toward :data:`MIXER_LR_MIN`
  as the set is used, and the second layer learns more slowly.
- Adaptive probability maps (SSE) on order 0, 1 and 2, and since v5
  (``FEATURE_SSE_CHAIN``) on an order-3 hash and on the match state,
  averaged with the mixer output (weights retuned in v6); both
  interpolation knots learn.

What each v7 lever bought, on the same development subset against v6
(336,483 B; ``cm_code`` directly, 2026-12-02): the class weight set alone
-1,709 B (book1 -422, obj2 -866, geo -301); with the byte-two-back set
(together ``FEATURE_BYTE_MIXERS``) -2,157 B (book1 193,133 -> 192,693, paper1
13,297 -> 13,254, obj2 50,398 -> 49,233, geo 45,024 -> 44,585, pic 24,835 ->
24,800, progc 9,796 -> 9,761), for about 5-10% more CPU time; the second
final layer a further -772 B (book1 -170, pic -92, obj2 -283, geo -193) at
no measurable cost: 333,554 B in all (-0.87%). Tried and dropped: other
selectors for a seventh weight
set (the order of the longest context seen, with the bit position -294 B on
paper1, progc, obj2, geo and trans where the class mixer gave -1,336; that
order with the partial byte -28; bytes two back with the partial byte -536;
byte three back with the bit position -940; the word length so far with the
partial byte -71); the class set in place of the previous byte's set (-992
on the development subset, speed-neutral, but the added set gains more); the
second layer's weights chosen by the order, the match state, or both with
the bit position instead of the partial byte (+537, +333, -177 on that small
set: better on obj2 and geo, worse on text); a sixth SSE stage (1/4 of the
final average) on an order-2 hash with the match state (+19), on the word
hash (+14), on the order with the match state (-55), or chained after the
average on order 1 (-22); mixer rates: MIXER_LR_MAX 64 or 80 instead of 48
(-296 and -411 B on the small set, all on obj2, but +114 on book1 and +177 on
pic for 80), MIXER_LR_HALF 512 or 4096 (+287, -237 on the small set, again
obj2 only; both with MIXER_LR_MAX 64 and the second final layer: +747 on
book1 and pic against that layer alone); FINAL_LR 4, 12 or
16 for one final layer (+166, +3, +66), 4 or 12 with two (+338, -114, but
+40 B on the development subset); 14 classes for the previous byte in the
class set (punctuation split six ways: +14 B on the development subset); the
second final layer also chosen by the previous byte's class (+98 B).

What each v6 lever bought, measured alone against v5 on a development subset
(book1, paper1, obj2, geo, pic, progc: 1,723,173 bytes, 338,360 B under v5;
``cm_code`` directly, 2026-12-02): the deterministic inputs -1,047 B (book1
-838); the two text contexts -460 B; the long match model -103 B; the match
mixer -165 B; SSE weights (2,1,4,4,3,2)/16 -107 B; the four components
together -1,685 B (-0.50%); on the 14 Calgary files v6 saves 4,444 B (-0.70%)
against v5 (bench/RESULTS.md). Tried and dropped: a learned mixer over the SSE outputs in the
stretch domain, averaged with the fixed one (+511 B); the sixth mixer chosen
by the number of deterministic contexts instead of the match state (+51 B);
the deterministic inputs for orders >= 3 only (-922 B, so all contexts
keep them); their size growing as 256 log2(n + 1) with the count n instead of
a constant 512 (+72 B on paper1, paper2, progc and obj2; constants 256, 768
and 1024: +71, +13 and +90 B); 2^20 instead of 2^16 SSE contexts for the order-2 and -3 stages
(+1 B); mixer rate floor 6 or 2 instead of 4 (-7 B, +263 B); the state
machine's count caps and discount retuned five ways (-72 B to +344 B: the
v4 machine is at a local optimum). PAQ8's ``nex`` state table was not
copied in: its source may not enter this code base, and the retuned
generators above probe the same space.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MODEL_VERSION = 7  # bump whenever the model's predictions change
NUM_CONTEXTS = 29
WEIGHT_INIT = 5000  # initial mixer weight, 65536 = 1.0
FAST_LIMIT = 14  # hit count at which the direct probability's rate stops falling
NUM_IMAGE = 8  # bit-level 2-D contexts (pixels above and to the left), PAQ8's picModel
# at most 3 inputs per context, then match (2), bias, long match (2), neural net, image
NUM_INPUTS = 3 * NUM_CONTEXTS + 3 + 2 + 1 + NUM_IMAGE
MATCH_MIN_BYTES = 6  # the match model looks up repeats of this many bytes
MATCH_TABLE_BITS = 20  # log2 of the match model's position table size
STATE_MAP_LIMIT = 1023  # hit count at which a state map's learning rate stops falling
MIXER_LR_MIN = 4  # mixer learning rate of a much-used weight set, in 1/65536 units of x * err
MIXER_LR_MAX = 48  # ... for a new weight set (it falls as HALF / (HALF + the set's uses))
MIXER_LR_HALF = 1024
FINAL_LR = 8  # the second layer's learning rate, same units
FIXED_LR = 24  # both layers' rate without the schedule (model v4)
# Optional components (bits of ``features``), each switchable for ablation:
FEATURE_IMAGE = 1  # bit-level 2-D contexts over the detected record length
FEATURE_SSE_CHAIN = 2  # SSE stages on an order-3 hash and on the match state
FEATURE_RATE_SCHEDULE = 4  # mixer rates falling with each weight set's use
FEATURE_WORD_CONTEXTS = 8  # contexts 24-25: word with the word two back; previous word + byte
FEATURE_MATCH_CONTEXT = 16  # context 26: the match model's expected byte and length
FEATURE_NEURAL = 32  # a small recurrent net's logit as one more mixer input (``mix``)
FEATURE_DET_INPUTS = 64  # per context, +-log2(count) when only one bit value was seen
FEATURE_TEXT_CONTEXTS = 128  # contexts 27-28: word + the byte before it; line's first byte + column
FEATURE_MATCH_MIXER = 256  # a sixth mixer weight set chosen by match length and expected bit
FEATURE_LONG_MATCH = 512  # a second match model over repeats of at least LONG_MATCH_MIN_BYTES
FEATURE_BYTE_MIXERS = 8192  # weight sets chosen by the last 3 bytes' classes; by the byte 2 back
FEATURE_FINAL_MIXER2 = 16384  # a second final layer chosen by the order and the match state
ALL_FEATURES = 31 | 64 | 128 | 256 | 512 | 8192 | 16384  # the default model (25567)
KNOWN_FEATURES = ALL_FEATURES | FEATURE_NEURAL
LONG_MATCH_MIN_BYTES = 12
DET_INPUT_SIZE = 512  # size of the deterministic input, stretch units (256 per logit)
# The neural input (all integer, so it decodes identically anywhere): hidden
# units h = tanh(sum of embeddings of hashed order-1..3 and word contexts
# + R h_prev), and per node of the byte's bit tree an output vector whose dot
# product with h is the bit's logit; trained online by SGD on the bits' log
# loss (the output vectors per bit, the embeddings and R once per byte).
NN_HIDDEN = 32
NN_CONTEXTS = 4
NN_ROW_MASK = (1 << 16) - 1  # embedding rows per context
NN_LR_OUT = 40  # learning rates, in 1/1024
NN_LR_EMBED = 80
NN_LR_REC = 2
RECORD_MAX = 4096  # longest record length detected, bytes
IMAGE_MIN_WIDTH = 32  # record length (bytes) from which the 2-D contexts are used
NUM_APM = 5
APM_WEIGHTS = (2, 1, 4, 4, 3, 2)  # of the mixer and each SSE stage, in 1/16 (v5: 3,2,4,3,2,2)
APM_WEIGHTS_V4 = (4, 2, 4, 6, 0, 0)  # without the order-3 and match stages (model v4)
APM_SHIFT = 4
APM_RATE = 6
APM_BOTH = True
BUCKET_PROBES = 3  # neighbouring buckets searched for a context's check byte

# squash(x) = 4096 / (1 + exp(-x / 256)) at x = -2048, -1920, ..., 2048,
# rounded once and frozen here so that every machine uses the same integers.
_SQUASH_KNOTS = np.array(
    [1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
     2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086,
     4090, 4092, 4094, 4095],
    dtype=np.int64,
)  # fmt: skip


def _build_squash() -> np.ndarray:
    """Integer squash table: stretch value in [-2047, 2047] -> 12-bit probability."""
    table = np.empty(4095, dtype=np.int64)
    for i, x in enumerate(range(-2047, 2048)):
        k = (x + 2048) >> 7
        w = (x + 2048) & 127
        table[i] = (_SQUASH_KNOTS[k] * (128 - w) + _SQUASH_KNOTS[min(k + 1, 32)] * w + 64) >> 7
    return np.clip(table, 1, 4095)


def _build_stretch(squash: np.ndarray) -> np.ndarray:
    """Integer inverse of squash: 12-bit probability -> stretch value."""
    table = np.full(4096, 2047, dtype=np.int64)
    pi = 0
    for i, x in enumerate(range(-2047, 2048)):
        v = int(squash[i])
        for j in range(pi, v + 1):
            table[j] = x
        pi = max(pi, v + 1)
    return table


def _count_cap(n_other: int) -> int:
    """Largest count of one bit value while the other value has count ``n_other``."""
    caps = (40, 24, 12, 8, 6, 5, 4, 4, 3, 3, 3, 3, 3)
    return caps[n_other] if n_other < len(caps) else 2


def _next_counts(n0: int, n1: int, bit: int) -> tuple[int, int]:
    """Count the bit, discount the other value's count (nonstationary), apply the caps."""
    if bit:
        n1 += 1
        if n0 > 2:
            n0 = (n0 + 1) // 2
    else:
        n0 += 1
        if n1 > 2:
            n1 = (n1 + 1) // 2
    n0 = min(n0, _count_cap(n1))
    n1 = min(n1, _count_cap(n0))
    return n0, n1


def _build_states() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bit-history state machine: (next-state table [state, bit], initial p, priority, det).

    A state is (n0, n1, last bit); the last bit is kept only when both counts
    are non-zero. State 0 is the empty history. Integer-only and deterministic.
    """
    seen = {(0, 0)}
    frontier = [(0, 0)]
    while frontier:
        n0, n1 = frontier.pop()
        for bit in (0, 1):
            nxt = _next_counts(n0, n1, bit)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    states = []
    for n0, n1 in sorted(seen, key=lambda s: (s[0] + s[1], s)):
        states += [(n0, n1, 0), (n0, n1, 1)] if n0 and n1 else [(n0, n1, int(n1 > 0))]
    index = {s: i for i, s in enumerate(states)}
    assert len(states) <= 256
    nxt_table = np.zeros((256, 2), dtype=np.uint8)
    init_p = np.full(256, 1 << 21, dtype=np.int64)
    priority = np.zeros(256, dtype=np.int64)
    det = np.zeros(256, dtype=np.int64)
    for i, (n0, n1, _) in enumerate(states):
        if (n0 == 0) != (n1 == 0):
            det[i] = DET_INPUT_SIZE if n1 else -DET_INPUT_SIZE
        for bit in (0, 1):
            m0, m1 = _next_counts(n0, n1, bit)
            nxt_table[i, bit] = index[(m0, m1, bit if m0 and m1 else int(m1 > 0))]
        init_p[i] = ((2 * n1 + 1) << 22) // (2 * (n0 + n1) + 2)
        priority[i] = n0 + n1
    return nxt_table, init_p, priority, det


SQUASH = _build_squash()
STRETCH = _build_stretch(SQUASH)
NEXT_STATE, STATE_INIT_P, STATE_PRIORITY, DET_INPUT = _build_states()
# Reciprocal learning rates 1/(n+1.5) in 16-bit fixed point.
RECIPROCAL = np.array([(65536 * 2) // (2 * n + 3) for n in range(1024)], dtype=np.int64)
# -log2(p/4096) for 12-bit p, only for reporting the ideal code length.
COST_BITS = np.array([0.0] + [-np.log2(p / 4096) for p in range(1, 4096)])


@njit(cache=True, inline="always")
def _hash(a, b, k):
    h = (a * 0x9E3779B1 + b * 0x85EBCA6B + (k + 1) * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & 0xFFFFFFFF
    h ^= h >> 13
    return h


@njit(cache=True, inline="always")
def _rate(visits, sel):
    """Learning rate of a mixer weight set: high while the set is new, falling with use."""
    n = visits[sel]
    if n < MIXER_LR_HALF * 64:
        visits[sel] = n + 1
    return MIXER_LR_MIN + (MIXER_LR_MAX - MIXER_LR_MIN) * MIXER_LR_HALF // (MIXER_LR_HALF + n)


@njit(cache=True, inline="always")
def _byte_class(b):
    """One of 8 classes of a byte: lower, upper, digit, space, newline, control, high, other."""
    if 97 <= b <= 122:
        return 0
    if 65 <= b <= 90:
        return 1
    if 48 <= b <= 57:
        return 2
    if b == 32:
        return 3
    if b == 10:
        return 4
    if b < 32:
        return 5
    if b >= 128:
        return 6
    return 7


@njit(cache=True, inline="always")
def _bitlen(n):
    b = 0
    while n > 0:
        n >>= 1
        b += 1
    return b


@njit(cache=True, inline="always")
def _squash(x, squash):
    if x > 2047:
        x = 2047
    if x < -2047:
        x = -2047
    return squash[x + 2047]


@njit(cache=True, inline="always")
def _match_lookup(buf, pos, table, min_bytes, max_len, cur_len, cur_ptr):
    """One match model's step at ``pos``: (length, pointer) of the repeat it follows.

    Hashes the last ``min_bytes`` bytes into ``table`` (positions + 1, 0 = empty);
    with no current match (``cur_len == 0``) the stored position becomes the
    match if at least ``min_bytes`` bytes agree (counted up to ``max_len``).
    The table then records ``pos`` under that hash.
    """
    mh = 0
    for k in range(min_bytes):
        mh = (mh * 0x2F0B4F3 + buf[pos - 1 - k] + 1) & 0xFFFFFFFF
    mh = (mh ^ (mh >> 11)) & ((1 << MATCH_TABLE_BITS) - 1)
    if cur_len == 0:
        cand = table[mh]
        if cand > 0:
            n = 0
            while n < max_len and cand - 1 - n >= 0 and buf[cand - 1 - n] == buf[pos - 1 - n]:
                n += 1
            if n >= min_bytes:
                cur_len = n
                cur_ptr = cand
    table[mh] = pos
    return cur_len, cur_ptr


@njit(cache=True)
def cm_code(src, num_bytes, dst, decode, table_bits, features, tables, byte_cost_bits):
    """Encode ``src`` into ``dst`` (``decode=False``) or decode ``src`` into ``dst``.

    Parameters
    ----------
    src : uint8 array
        Original bytes (encode) or the coded stream (decode).
    num_bytes : int
        Number of original bytes.
    dst : uint8 array
        Output buffer: at least ``num_bytes`` long when decoding.
    table_bits : int
        log2 of the slots of bit-history table per context.
    features : int
        Bit mask of the optional components in use (``FEATURE_*``; all of
        them is :data:`ALL_FEATURES`); the others are switched off, for
        ablation.
    tables : tuple
        The frozen integer tables, :data:`TABLES`.
    byte_cost_bits : float64 array
        Receives -log2 p of each byte when it has ``num_bytes`` entries
        (a learning curve); pass an empty array to skip.

    Returns
    -------
    (num_bytes_moved, ideal_bits)
        Encoding: bytes written to ``dst`` (-1 if it overflowed). Decoding:
        bytes of ``src`` consumed (-1 as soon as the stream proves too short
        for ``num_bytes``, so a false length costs no more work than the
        stream could hold). Then the ideal code length sum(-log2 p) in bits.
    """
    squash, stretch, reciprocal, cost_bits, next_state, state_init_p, priority, det_input = tables
    det_on = (features & FEATURE_DET_INPUTS) != 0
    mix6_on = (features & FEATURE_MATCH_MIXER) != 0
    long_on = (features & FEATURE_LONG_MATCH) != 0
    class_on = (features & FEATURE_BYTE_MIXERS) != 0
    c2_on = class_on
    final2_on = (features & FEATURE_FINAL_MIXER2) != 0
    num_mix = 6 if mix6_on else 5
    idx7 = num_mix  # the optional weight sets' places in the second layer
    if class_on:
        num_mix += 1
    idx8 = num_mix
    if c2_on:
        num_mix += 1
    size = 1 << table_bits
    image_on = (features & FEATURE_IMAGE) != 0
    sse_chain = (features & FEATURE_SSE_CHAIN) != 0
    rate_schedule = (features & FEATURE_RATE_SCHEDULE) != 0
    num_active = NUM_CONTEXTS
    if not features & FEATURE_WORD_CONTEXTS:
        num_active -= 2
    if not features & FEATURE_MATCH_CONTEXT:
        num_active -= 1
    if not features & FEATURE_TEXT_CONTEXTS:
        num_active -= 2
    active = np.zeros(num_active, dtype=np.int64)
    j = 0
    for i in range(NUM_CONTEXTS):
        if (i == 24 or i == 25) and not features & FEATURE_WORD_CONTEXTS:
            continue
        if i == 26 and not features & FEATURE_MATCH_CONTEXT:
            continue
        if (i == 27 or i == 28) and not features & FEATURE_TEXT_CONTEXTS:
            continue
        active[j] = i
        j += 1
    apm_weights = APM_WEIGHTS if sse_chain else APM_WEIGHTS_V4
    neural_on = (features & FEATURE_NEURAL) != 0
    nn_size = NN_ROW_MASK + 1 if neural_on else 1
    nn_embed = np.zeros((NN_CONTEXTS, nn_size, NN_HIDDEN), dtype=np.int32)
    if neural_on:  # small pseudo-random embeddings break the units' symmetry
        for k in range(NN_CONTEXTS):
            for r in range(nn_size):
                for j in range(NN_HIDDEN):
                    nn_embed[k, r, j] = (_hash(r, j, 60 + k) & 0x7FFF) - 0x4000
    nn_out = np.zeros((256, NN_HIDDEN), dtype=np.int64)
    nn_rec = np.zeros((NN_HIDDEN, NN_HIDDEN), dtype=np.int64)
    nn_h = np.zeros(NN_HIDDEN, dtype=np.int64)
    nn_h_prev = np.zeros(NN_HIDDEN, dtype=np.int64)
    nn_dh = np.zeros(NN_HIDDEN, dtype=np.int64)
    nn_rows = np.zeros(NN_CONTEXTS, dtype=np.int64)
    nn_logit = 0
    mask = size - 1
    hist = np.zeros((NUM_CONTEXTS, size), dtype=np.uint8)
    fast = np.full((NUM_CONTEXTS, size), 2048 << 4, dtype=np.uint16)
    state_map = np.empty((NUM_CONTEXTS, 256), dtype=np.int64)
    for i in range(NUM_CONTEXTS):
        for s in range(256):
            state_map[i, s] = state_init_p[s] << 10
    img_hist = np.zeros((NUM_IMAGE, 65536), dtype=np.uint8)
    img_map = np.empty((NUM_IMAGE, 256), dtype=np.int64)
    for i in range(NUM_IMAGE):
        for s in range(256):
            img_map[i, s] = state_init_p[s] << 10
    img_ctx = np.zeros(NUM_IMAGE, dtype=np.int64)
    r0 = 0
    r1 = 0
    r2 = 0
    r3 = 0
    match_table = np.zeros(1 << MATCH_TABLE_BITS, dtype=np.int32)
    match_counters = np.full(64 * 2, 1 << 15, dtype=np.int64)
    weights1 = np.full((256, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    weights2 = np.full((256, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    weights3 = np.full((64 * 32, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    weights4 = np.full((65536, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    weights5 = np.full((64 * 8 + 256, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    visits1 = np.zeros(256, dtype=np.int64)
    visits2 = np.zeros(256, dtype=np.int64)
    visits3 = np.zeros(64 * 32, dtype=np.int64)
    visits4 = np.zeros(65536, dtype=np.int64)
    visits5 = np.zeros(64 * 8 + 256, dtype=np.int64)
    weights6 = np.full((16 * 256, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    visits6 = np.zeros(16 * 256, dtype=np.int64)
    weights7 = np.full((8 * 8 * 8 * 8 if class_on else 1, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    visits7 = np.zeros(8 * 8 * 8 * 8, dtype=np.int64)
    weights8 = np.full((256 * 8 if c2_on else 1, NUM_INPUTS), WEIGHT_INIT, dtype=np.int32)
    visits8 = np.zeros(256 * 8, dtype=np.int64)
    weights_final = np.full((256, 8), 65536 // num_mix, dtype=np.int32)
    # the second final layer's weights, by (order, match class, bit position)
    weights_final2 = np.full((10 * 16 * 8, 8), 65536 // num_mix, dtype=np.int32)
    order_ctx = np.array([1, 2, 3, 4, 5, 6, 7, 13, 14], dtype=np.int64)  # orders 1-6, 8, 12, 16
    long_table = np.zeros(1 << MATCH_TABLE_BITS, dtype=np.int32)
    long_counters = np.full(64 * 2, 1 << 15, dtype=np.int64)
    long_ptr = 0
    long_len = 0
    word_lead = 0
    apm_sizes = (256, 65536, 65536, 65536, 65536)
    apm = np.empty((NUM_APM, 65536 * 33), dtype=np.int32)
    apm_idx = np.zeros(NUM_APM, dtype=np.int64)
    for a in range(NUM_APM):
        for c in range(apm_sizes[a]):
            for j in range(33):
                apm[a, c * 33 + j] = _squash((j - 16) * 128, squash) * 16

    buf = src if not decode else dst
    follow1 = np.zeros(256, dtype=np.int64)  # the 2 bytes that followed each byte value
    follow2 = np.zeros(65536, dtype=np.int64)  # the 2 bytes that followed each byte pair
    last_seen = np.zeros(256, dtype=np.int64)  # last position + 1 of each byte value
    last_gap = np.zeros(256, dtype=np.int64)
    gap_repeats = np.zeros(256, dtype=np.int64)
    record_len = 0
    record_votes = np.zeros(RECORD_MAX, dtype=np.int64)
    prev_word2 = 0
    folded = 0  # last bytes with letters lower-cased and other bytes classed
    hashes = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    bases = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    slots = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    states = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    inputs = np.zeros(NUM_INPUTS, dtype=np.int64)
    layer1 = np.zeros(8, dtype=np.int64)

    x1 = 0
    x2 = 0xFFFFFFFF
    x = 0
    in_pos = 0
    out_pos = 0
    out_cap = dst.shape[0]
    if decode:
        # The decoder reads one byte per shift of the interval, in step with the
        # encoder's writes, plus the 4 the encoder flushes: a valid stream is
        # consumed exactly, so needing a byte past its end proves it damaged.
        if src.shape[0] < 4:
            return -1, 0.0
        for _ in range(4):
            x = (x << 8) | src[in_pos]
            in_pos += 1

    c4 = 0  # last 4 bytes, most recent in the low byte
    c8 = 0  # the 4 bytes before those
    word = 0
    prev_word = 0
    line_start = 0
    prev_line_start = 0
    match_ptr = 0
    match_len = 0
    ideal_bits = 0.0

    for pos in range(num_bytes):
        # ---- byte-level context hashes ----
        c1 = c4 & 0xFF
        c2 = (c4 >> 8) & 0xFF
        classes = ((_byte_class(c1) * 8 + _byte_class(c2)) * 8 + _byte_class((c4 >> 16) & 0xFF)) * 8
        col = pos - line_start
        above = 0
        if prev_line_start + col < line_start:
            above = buf[prev_line_start + col]
        hashes[0] = 0
        hashes[1] = _hash(c4 & 0xFF, 0, 1)
        hashes[2] = _hash(c4 & 0xFFFF, 0, 2)
        hashes[3] = _hash(c4 & 0xFFFFFF, 0, 3)
        hashes[4] = _hash(c4, 0, 4)
        hashes[5] = _hash(c4, c8 & 0xFF, 5)
        hashes[6] = _hash(c4, c8 & 0xFFFF, 6)
        hashes[7] = _hash(c4, c8, 7)
        hashes[8] = _hash(word, c1, 8)
        hashes[9] = _hash(word, prev_word, 9)
        hashes[10] = _hash(above, c1 | (min(col, 255) << 8), 10)
        hashes[11] = _hash(c4 & 0xFF00, 0, 11)
        hashes[12] = _hash(c4 & 0xFFFF0000, 0, 12)
        h12 = c8
        for k in range(8, 12):
            h12 = _hash(h12, buf[pos - 1 - k] if pos > k else 0, 40)
        h16 = h12
        for k in range(12, 16):
            h16 = _hash(h16, buf[pos - 1 - k] if pos > k else 0, 41)
        hashes[13] = _hash(c4, h12, 13)
        hashes[14] = _hash(c4, h16, 14)
        hashes[15] = _hash(word, _hash(prev_word, prev_word2, 3), 15)
        hashes[16] = _hash(c1, follow1[c1], 16)
        hashes[17] = _hash(c4 & 0xFFFF, follow2[c4 & 0xFFFF], 17)
        r1 = buf[pos - record_len] if record_len > 0 and pos >= record_len else 0
        r2 = buf[pos - 2 * record_len] if record_len > 0 and pos >= 2 * record_len else 0
        rec_col = pos % record_len if 0 < record_len < 16 else 0
        hashes[18] = _hash(r1 | (r2 << 8) | (rec_col << 16), record_len, 18)
        hashes[19] = _hash(r1 | (c1 << 8) | (rec_col << 16), record_len, 19)
        hashes[20] = _hash(folded & 0xFFFFFF, 0, 20)
        hashes[21] = _hash(folded, word, 21)
        hashes[22] = _hash(c4 & 0xFF00FF, 0, 22)
        hashes[23] = _hash(c4 & 0xFFFF00, 0, 23)
        hashes[24] = _hash(word, prev_word2, 24)
        hashes[25] = _hash(prev_word, c1, 25)
        hashes[27] = _hash(word, word_lead, 27)
        line_first = buf[line_start] if pos > line_start else 0
        hashes[28] = _hash(line_first | (min(col, 255) << 8), 0, 28)

        # ---- match model: find or extend a repeat of the last bytes ----
        if pos >= MATCH_MIN_BYTES:
            match_len, match_ptr = _match_lookup(
                buf, pos, match_table, MATCH_MIN_BYTES, 32, match_len, match_ptr
            )
        expected_byte = buf[match_ptr] if match_len > 0 else 0
        if long_on and pos >= LONG_MATCH_MIN_BYTES:
            long_len, long_ptr = _match_lookup(
                buf, pos, long_table, LONG_MATCH_MIN_BYTES, 64, long_len, long_ptr
            )
        long_byte = buf[long_ptr] if long_len > 0 else 0
        hashes[26] = _hash(
            expected_byte | (min(match_len, 15) << 8), c1 if match_len > 0 else 0, 26
        )

        if neural_on:
            # ---- neural net: hidden state from embeddings of hashed contexts ----
            nn_rows[0] = _hash(c4 & 0xFF, 0, 90) & NN_ROW_MASK
            nn_rows[1] = _hash(c4 & 0xFFFF, 0, 91) & NN_ROW_MASK
            nn_rows[2] = _hash(c4 & 0xFFFFFF, 0, 92) & NN_ROW_MASK
            nn_rows[3] = _hash(word, c1 if word == 0 else 0, 93) & NN_ROW_MASK
            for j in range(NN_HIDDEN):
                nn_h_prev[j] = nn_h[j]
            for j in range(NN_HIDDEN):
                pre = 0
                for k in range(NN_CONTEXTS):
                    pre += nn_embed[k, nn_rows[k], j]
                rec = 0
                for i in range(NN_HIDDEN):
                    rec += nn_rec[j, i] * nn_h_prev[i]
                pre += rec >> 12
                nn_h[j] = 2 * _squash(pre >> 7, squash) - 4096  # tanh(u) = 2 sigmoid(2u) - 1
                nn_dh[j] = 0
            nn_h[0] = 4096  # a constant unit: the output vectors' bias
        c0 = 1  # partial byte with a leading 1
        bits_before = ideal_bits
        byte = 0
        nibble = 1
        for bit_pos in range(8):
            if bit_pos == 0 or bit_pos == 4:
                # ---- find each context's bucket for this nibble ----
                for i in active:
                    h = _hash(hashes[i], c0, i)
                    check = (h >> 24) & 0xFF
                    home = (h & mask) & ~15
                    found = -1
                    for probe in range(BUCKET_PROBES):
                        b = home ^ (probe << 4)
                        if hist[i, b] == check:
                            found = b
                            break
                    if found < 0:
                        found = home
                        best = 1 << 30
                        for probe in range(BUCKET_PROBES):
                            b = home ^ (probe << 4)
                            pr = priority[hist[i, b + 1]]
                            if pr < best:
                                best = pr
                                found = b
                        for j in range(16):
                            hist[i, found + j] = 0
                            fast[i, found + j] = 2048 << 4
                        hist[i, found] = check
                    bases[i] = found
                nibble = 1
            # ---- predictions of each input ----
            nz = 0
            ni = 0
            for i in active:
                slots[i] = bases[i] + nibble
                st = np.int64(hist[i, slots[i]])
                states[i] = st
                if st != 0:
                    nz += 1
                inputs[ni] = stretch[state_map[i, st] >> 20]
                fv = np.int64(fast[i, slots[i]])
                inputs[ni + 1] = stretch[fv >> 4] if fv & 15 else 0
                ni += 2
                if det_on:
                    inputs[ni] = det_input[st]
                    ni += 1
            expected_bit = 0
            match_slot = 0
            if match_len > 0:
                expected_bit = (expected_byte >> (7 - bit_pos)) & 1
                match_slot = min(match_len, 63) * 2 + expected_bit
                inputs[ni] = stretch[match_counters[match_slot] >> 4]
                inputs[ni + 1] = (2 * expected_bit - 1) * min(match_len, 32) * 32
            else:
                inputs[ni] = 0
                inputs[ni + 1] = 0
            inputs[ni + 2] = 256
            ni += 3
            long_bit = 0
            long_slot = 0
            if long_on:
                if long_len > 0:
                    long_bit = (long_byte >> (7 - bit_pos)) & 1
                    long_slot = min(long_len >> 2, 63) * 2 + long_bit
                    inputs[ni] = stretch[long_counters[long_slot] >> 4]
                    inputs[ni + 1] = (2 * long_bit - 1) * min(long_len, 64) * 16
                else:
                    inputs[ni] = 0
                    inputs[ni + 1] = 0
                ni += 2
            if neural_on:
                nn_logit = 0
                for j in range(NN_HIDDEN):
                    nn_logit += nn_h[j] * nn_out[c0, j]
                nn_logit = max(-2047, min(2047, nn_logit >> 20))
                inputs[ni] = nn_logit
                ni += 1
            img_base = ni
            if image_on and record_len >= IMAGE_MIN_WIDTH:
                img_ctx[0] = (r0 & 0x7) | (r1 >> 4 & 0x38) | (r2 >> 3 & 0xC0)
                img_ctx[1] = (r0 & 1) | (r1 >> 4 & 0x3E) | (r2 >> 2 & 0x40) | (r3 >> 1 & 0x80)
                img_ctx[2] = (
                    (r0 & 0x3F) ^ (r1 & 0x3FFE) ^ (r2 << 2 & 0x7F00) ^ (r3 << 5 & 0xF800)
                ) & 0xFFFF
                img_ctx[3] = (r0 & 0x3E) ^ (r1 & 0x0C0C) ^ (r2 & 0xC800)
                img_ctx[4] = ((r1 & 0x30) ^ (r3 & 0x0C0C)) | (r0 & 3)
                img_ctx[5] = (
                    (1 if (r0 & 0x444) == 0 else 0) | (r1 & 0xC0C) | (r2 & 0xAE3) | (r3 & 0x51C)
                )
                img_ctx[6] = (r0 & 1) | (r1 >> 4 & 0x1D) | (r2 >> 1 & 0x60) | (r3 & 0xC0)
                img_ctx[7] = (
                    (r0 >> 4 & 0x2AC) | (r1 & 0xA4) | (r2 & 0x349) | (1 if (r3 & 0x14D) == 0 else 0)
                )
                for i in range(NUM_IMAGE):
                    inputs[img_base + i] = stretch[img_map[i, img_hist[i, img_ctx[i]]] >> 20]
            else:
                for i in range(NUM_IMAGE):
                    inputs[img_base + i] = 0

            # ---- mixing ----
            sel3 = (nz * 8 + bit_pos) * 2 + (1 if match_len > 0 else 0)
            dot1 = 0
            dot2 = 0
            dot3 = 0
            dot4 = 0
            dot5 = 0
            sel4 = c0 | (c1 << 8)
            sel5 = min(col, 63) * 8 + bit_pos
            if image_on and record_len >= IMAGE_MIN_WIDTH:
                sel5 = 512 + img_ctx[0]
            # the image inputs come last and are skipped when they are all zero
            num_in = (
                img_base + NUM_IMAGE if image_on and record_len >= IMAGE_MIN_WIDTH else img_base
            )
            # match length class (3 bits: repeats are >= MATCH_MIN_BYTES long) with the expected bit
            mb = 0
            if match_len > 0:
                mb = 2 * min(_bitlen(match_len), 7) + expected_bit
            sel6 = mb * 256 + c0
            dot6 = 0
            if mix6_on:
                for i in range(num_in):
                    dot6 += inputs[i] * weights6[sel6, i]
            for i in range(num_in):
                dot4 += inputs[i] * weights4[sel4, i]
                dot5 += inputs[i] * weights5[sel5, i]
                dot1 += inputs[i] * weights1[c0, i]
                dot2 += inputs[i] * weights2[c1, i]
                dot3 += inputs[i] * weights3[sel3, i]
            layer1[0] = max(-2047, min(2047, dot1 >> 16))
            layer1[1] = max(-2047, min(2047, dot2 >> 16))
            layer1[2] = max(-2047, min(2047, dot3 >> 16))
            p1 = _squash(layer1[0], squash)
            p2 = _squash(layer1[1], squash)
            p3 = _squash(layer1[2], squash)
            layer1[3] = max(-2047, min(2047, dot4 >> 16))
            p4 = _squash(layer1[3], squash)
            layer1[4] = max(-2047, min(2047, dot5 >> 16))
            p5 = _squash(layer1[4], squash)
            layer1[5] = max(-2047, min(2047, dot6 >> 16))
            p6 = _squash(layer1[5], squash)
            p7 = 2048
            sel7 = classes + bit_pos
            if class_on:
                dot7 = 0
                for i in range(num_in):
                    dot7 += inputs[i] * weights7[sel7, i]
                layer1[idx7] = max(-2047, min(2047, dot7 >> 16))
                p7 = _squash(layer1[idx7], squash)
            p8 = 2048
            sel8 = c2 * 8 + bit_pos
            if c2_on:
                dot8 = 0
                for i in range(num_in):
                    dot8 += inputs[i] * weights8[sel8, i]
                layer1[idx8] = max(-2047, min(2047, dot8 >> 16))
                p8 = _squash(layer1[idx8], squash)
            dotf = 0
            for j in range(num_mix):
                dotf += layer1[j] * weights_final[c0, j]
            st_mix = max(-2047, min(2047, dotf >> 16))
            st_a = st_mix
            st_b = 0
            sel_f2 = 0
            if final2_on:
                # the order: the highest of orders 1-6, 8, 12, 16 whose context was seen
                order = 0
                for k in range(9):
                    if states[order_ctx[k]] != 0:
                        order = k + 1
                sel_f2 = (order * 16 + mb) * 8 + bit_pos
                dotf = 0
                for j in range(num_mix):
                    dotf += layer1[j] * weights_final2[sel_f2, j]
                st_b = max(-2047, min(2047, dotf >> 16))
                st_mix = (st_a + st_b) >> 1
            p_mix = _squash(st_mix, squash)

            # ---- SSE ----
            s = st_mix + 2048
            lo = s >> 7
            w = s & 127
            apm_idx[0] = c0 * 33 + lo
            apm_idx[1] = (c0 | (c1 << 8)) * 33 + lo
            apm_idx[2] = (_hash(c4 & 0xFFFF, c0, 77) & 0xFFFF) * 33 + lo
            apm_idx[3] = (_hash(c4 & 0xFFFFFF, c0, 78) & 0xFFFF) * 33 + lo
            apm_idx[4] = (c0 | (expected_bit << 8) | (min(match_len, 15) << 9)) * 33 + lo
            p = apm_weights[0] * p_mix
            for a in range(NUM_APM):
                ia = apm_idx[a]
                p += apm_weights[a + 1] * ((apm[a, ia] * (128 - w) + apm[a, ia + 1] * w) >> 11)
            p >>= APM_SHIFT
            if p < 1:
                p = 1
            if p > 4095:
                p = 4095

            # ---- code the bit ----
            xmid = x1 + (((x2 - x1) * p) >> 12)
            if decode:  # noqa: SIM108 (the two roles read better apart)
                y = 1 if x <= xmid else 0
            else:
                y = (src[pos] >> (7 - bit_pos)) & 1
            if y:
                x2 = xmid
                ideal_bits += cost_bits[p]
            else:
                x1 = xmid + 1
                ideal_bits += cost_bits[4096 - p]
            while ((x1 ^ x2) & 0xFF000000) == 0:
                if decode:
                    if in_pos >= src.shape[0]:
                        return -1, ideal_bits  # the stream ends before the claimed length
                    x = ((x << 8) & 0xFFFFFFFF) | src[in_pos]
                    in_pos += 1
                else:
                    if out_pos >= out_cap:
                        return -1, ideal_bits
                    dst[out_pos] = x2 >> 24
                    out_pos += 1
                x1 = (x1 << 8) & 0xFFFFFFFF
                x2 = ((x2 << 8) & 0xFFFFFFFF) | 255

            # ---- learn ----
            target = y << 22
            for i in active:
                st = states[i]
                e = state_map[i, st]
                n = e & 1023
                pr = e >> 10
                pr += ((target - pr) * reciprocal[n]) >> 16
                if n < STATE_MAP_LIMIT:
                    n += 1
                state_map[i, st] = (pr << 10) | n
                hist[i, slots[i]] = next_state[st, y]
                fv = np.int64(fast[i, slots[i]])
                fn = fv & 15
                fp = fv >> 4
                fp += (((y << 12) - y - fp) * reciprocal[fn]) >> 16
                if fn < FAST_LIMIT:
                    fn += 1
                fast[i, slots[i]] = (fp << 4) | fn
            if image_on and record_len >= IMAGE_MIN_WIDTH:
                for i in range(NUM_IMAGE):
                    st = np.int64(img_hist[i, img_ctx[i]])
                    e = img_map[i, st]
                    n = e & 1023
                    pr = e >> 10
                    pr += ((target - pr) * reciprocal[n]) >> 16
                    if n < STATE_MAP_LIMIT:
                        n += 1
                    img_map[i, st] = (pr << 10) | n
                    img_hist[i, img_ctx[i]] = next_state[st, y]
            if record_len > 1:
                r0 = ((r0 << 1) | y) & 0xFFFFFFFF
                up = pos - record_len + 1
                r1 = ((r1 << 1) | (buf[up] >> (7 - bit_pos) & 1 if up >= 0 else 0)) & 0xFFFFFFFF
                up -= record_len
                r2 = ((r2 << 1) | (buf[up] >> (7 - bit_pos) & 1 if up >= 0 else 0)) & 0xFFFFFFFF
                up -= record_len
                r3 = ((r3 << 1) | (buf[up] >> (7 - bit_pos) & 1 if up >= 0 else 0)) & 0xFFFFFFFF
            if match_len > 0:
                mc = match_counters[match_slot]
                match_counters[match_slot] = mc + ((((y << 16) - mc) * 3) >> 7)
            lr_f = FINAL_LR if rate_schedule else FIXED_LR
            # each final layer learns from its own output's error
            err_f = ((y << 12) - _squash(st_a, squash)) * lr_f
            for j in range(num_mix):
                weights_final[c0, j] += (layer1[j] * err_f) >> 16
            if final2_on:
                err_f = ((y << 12) - _squash(st_b, squash)) * lr_f
                for j in range(num_mix):
                    weights_final2[sel_f2, j] += (layer1[j] * err_f) >> 16
            if class_on:
                e7 = ((y << 12) - p7) * (_rate(visits7, sel7) if rate_schedule else FIXED_LR)
                for i in range(num_in):
                    weights7[sel7, i] += (inputs[i] * e7) >> 16
            if c2_on:
                e8 = ((y << 12) - p8) * (_rate(visits8, sel8) if rate_schedule else FIXED_LR)
                for i in range(num_in):
                    weights8[sel8, i] += (inputs[i] * e8) >> 16
            if mix6_on:
                e6 = ((y << 12) - p6) * (_rate(visits6, sel6) if rate_schedule else FIXED_LR)
                for i in range(num_in):
                    weights6[sel6, i] += (inputs[i] * e6) >> 16
            if long_on and long_len > 0:
                mc = long_counters[long_slot]
                long_counters[long_slot] = mc + ((((y << 16) - mc) * 3) >> 7)
                if long_bit != y:
                    long_len = 0
            e1 = ((y << 12) - p1) * (_rate(visits1, c0) if rate_schedule else FIXED_LR)
            e2 = ((y << 12) - p2) * (_rate(visits2, c1) if rate_schedule else FIXED_LR)
            e3 = ((y << 12) - p3) * (_rate(visits3, sel3) if rate_schedule else FIXED_LR)
            e4 = ((y << 12) - p4) * (_rate(visits4, sel4) if rate_schedule else FIXED_LR)
            e5 = ((y << 12) - p5) * (_rate(visits5, sel5) if rate_schedule else FIXED_LR)
            for i in range(num_in):
                weights1[c0, i] += (inputs[i] * e1) >> 16
                weights2[c1, i] += (inputs[i] * e2) >> 16
                weights3[sel3, i] += (inputs[i] * e3) >> 16
                weights4[sel4, i] += (inputs[i] * e4) >> 16
                weights5[sel5, i] += (inputs[i] * e5) >> 16
            target16 = y << 16
            for a in range(NUM_APM):
                ia = apm_idx[a]
                if APM_BOTH:
                    apm[a, ia] += ((target16 - apm[a, ia]) * (128 - w)) >> (APM_RATE + 7)
                    apm[a, ia + 1] += ((target16 - apm[a, ia + 1]) * w) >> (APM_RATE + 7)
                else:
                    ia += w >> 6
                    apm[a, ia] += (target16 - apm[a, ia]) >> APM_RATE

            if neural_on:
                nn_err = (y << 12) - _squash(nn_logit, squash)
                for j in range(NN_HIDDEN):
                    nn_dh[j] += nn_err * nn_out[c0, j]
                    nn_out[c0, j] += (nn_err * nn_h[j] * NN_LR_OUT) >> 18
            if match_len > 0 and expected_bit != y:
                match_len = 0
            c0 = (c0 << 1) | y
            nibble = (nibble << 1) | y
            byte = (byte << 1) | y

        # ---- byte done: update histories ----
        if neural_on:
            # backpropagate the byte's 8 bit errors into the embeddings and recurrence
            for j in range(NN_HIDDEN):
                g = (nn_dh[j] >> 12) * ((16777216 - nn_h[j] * nn_h[j]) >> 12)
                step = (g * NN_LR_EMBED) >> 22
                for k in range(NN_CONTEXTS):
                    nn_embed[k, nn_rows[k], j] += step
                g10 = g >> 10
                for i in range(NN_HIDDEN):
                    nn_rec[j, i] += (g10 * nn_h_prev[i] * NN_LR_REC) >> 24
        if byte_cost_bits.shape[0] == num_bytes:
            byte_cost_bits[pos] = ideal_bits - bits_before
        if decode:
            dst[pos] = byte
        if match_len > 0:
            match_len = min(match_len + 1, 65535)
            match_ptr += 1
        if long_len > 0:
            long_len = min(long_len + 1, 65535)
            long_ptr += 1
        follow1[c1] = ((follow1[c1] << 8) | byte) & 0xFFFF
        follow2[c4 & 0xFFFF] = ((follow2[c4 & 0xFFFF] << 8) | byte) & 0xFFFF
        gap = pos + 1 - last_seen[byte]
        if last_seen[byte] > 0 and gap == last_gap[byte]:
            gap_repeats[byte] += 1
            if gap_repeats[byte] >= 3 and 2 < gap < RECORD_MAX:
                # the most often confirmed gap wins: a multiple of the record length
                # (two rows of an image) repeats too, but less often
                record_votes[gap] += 1
                if record_votes[gap] > record_votes[record_len]:
                    record_len = gap
        else:
            gap_repeats[byte] = 0
        last_gap[byte] = gap
        last_seen[byte] = pos + 1
        c8 = ((c8 << 8) | (c4 >> 24)) & 0xFFFFFFFF
        c4 = ((c4 << 8) | byte) & 0xFFFFFFFF
        is_letter = (65 <= byte <= 90) or (97 <= byte <= 122)
        fb = byte | 32 if is_letter else (48 if 48 <= byte <= 57 else byte)
        if fb != 32 or (folded & 0xFF) != 32:
            folded = ((folded << 8) | fb) & 0xFFFFFFFF
        if is_letter:
            if word == 0:
                word_lead = c4 >> 8 & 0xFF
            word = _hash(word, byte | 32, 99)
        elif word != 0:
            prev_word2 = prev_word
            prev_word = word
            word = 0
        if byte == 10:
            prev_line_start = line_start
            line_start = pos + 1

    if not decode:
        for _ in range(4):
            if out_pos >= out_cap:
                return -1, ideal_bits
            dst[out_pos] = x1 >> 24
            out_pos += 1
            x1 = (x1 << 8) & 0xFFFFFFFF
        return out_pos, ideal_bits
    return in_pos, ideal_bits


TABLES = (
    SQUASH,
    STRETCH,
    RECIPROCAL,
    COST_BITS,
    NEXT_STATE,
    STATE_INIT_P,
    STATE_PRIORITY,
    DET_INPUT,
)
