"""The ``cm`` compressor: order-k context mixing over bits (see :mod:`.cm_kernel`).

Stream layout (inside the ``.kz`` file payload, or alone)::

    mode        : 1 byte, 0 = stored (coding would expand it), otherwise the
                  model version that coded it (cm_kernel.MODEL_VERSION)
    num_bytes   : length of the original, unsigned LEB128 (1-9 bytes, the
                  shortest form; uint64 little-endian before v30)
    setup       : 1 byte (coded mode only): bits 0-4 table_bits, log2 of the
                  slots per context; bits 5-7 which components were used:
                  1 = the default level's, 2 = the max level's, 0 = those
                  listed in ``features`` (an ablation). Before v30, table_bits
                  was a byte of its own and ``features`` always followed
    features    : (setup's set 0 only) two uint64 little-endian words, the
                  optional components used (cm_kernel.FEATURE_*; the second
                  word holds the components past bit 63)
    body        : coded bits (v30: the coder's last byte is the one that
                  ends inside its interval; the decoder reads zeros past it),
                  or the original bytes (stored mode)

A stream coded by another model version (v1-v26; v11 retuned the mixers'
start, the SSE weights and the match lengths, and added ``line_as_space`` and
``sse_mixture``; v12 added three text contexts and a mixer weight set:
``column_contexts``, ``folded_order8`` and ``column_mixer``; v13 added
``letter_contexts`` and ``more_matches``; v14 added ``sse_misses`` and 4 more
check bits per context bucket; v15 added ``char_groups`` and ``nesting``, and
at the max level ``wide_char_groups``, ``indirect_contexts``,
``more_text_contexts`` and ``line_and_word_contexts``, and moved ``folded_order8`` to the max level;
v16 added ``word_predictions`` and ``image_counts``; v17 added
``mixer_dead_zone`` and ``word_with_groups``; v18 added
``prev_word_with_groups`` and ``line_prefix``; v19 added ``wide_groups_in_text``; v20
added ``expert_mixture`` at the default level, ``order4_sse``, ``groups_with_column``
and ``quotes``; v21 gave the max level's LSTM two more inputs and added
``lstm_mixing``; v22 added ``second_lstm``; v23 lets the LSTMs sit out images; v24 added
``word_stems``, ``aligned_words`` and ``match_delta``, and steps the LSTMs' output layer
3 times as far; v25 added ``line_fields``; v26 added ``word_recency``,
``word_shape``, ``line_history`` and ``skip_words`` at the max level; v27 added
``image_templates`` and ``code_words`` at the max level; v28 added ``slow_mixers``
and v29 ``fine_mixers``, ``sse_chains`` and ``order2_mixer``, all at the max level;
v30 shortened the header and the coder's end, gave ``sse_chains`` four more stages
and added ``warm_rows``; v31 added ``word_chains``; v32 gave ``sse_chains`` a ninth
stage and slowed the word stages; v33 added ``dmc``, v34 ``sparse_match``, v35
``byte_history`` and ``coarse_indirect``, v36 ``image_rows`` and v37 ``context_sets``,
with faster chained stages in images; v38 added ``quick_start`` and gave
``context_sets`` an eighth set, by the order; v39 added ``text_controls``,
``binary_masks`` and ``line_hashes``; v40 added ``indirect_histories``) is
refused with a typed :class:`~kairos.errors.VersionError` naming both versions: its
predictions cannot be reproduced by this model. The table size is chosen from the
input length (``table_bits`` in 16..23, 23 from 256 KiB), so short strings do not
pay for allocating hundreds of megabytes.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from kairos.errors import CorruptFileError, ValidationError, VersionError

# Optional components of model v27, by the name ``disable`` takes; the values
# are cm_kernel.FEATURE_* (repeated here so that importing this module does
# not compile the kernel; a test checks that they agree).
COMPONENTS = {
    "image": 1,  # bit-level 2-D contexts over the detected record length (pic)
    "sse_chain": 2,  # SSE stages on an order-3 hash and on the match state
    "rate_schedule": 4,  # mixer learning rates falling with each weight set's use
    "word_contexts": 8,  # word + the word two back; previous word + last byte
    "match_context": 16,  # the match model's expected byte and length as a context
    "det_inputs": 64,  # per context, +-log2(count) when only one bit value was seen
    "text_contexts": 128,  # word + the byte before it; the line's first byte + column
    "match_mixer": 256,  # a mixer weight set chosen by match length and expected bit
    "long_match": 512,  # a second match model over repeats of 10 bytes or more
    "run_model": 1024,  # per context, the last byte seen there and its run length
    "input_confidence": 2048,  # direct input shrunk while its count is small; none for state 0
    "run_state_map": 4096,  # state maps also indexed by each context's last byte and its run
    "byte_mixers": 8192,  # mixer weight sets by the last 3 bytes' classes; by the byte 2 back
    "final_mixer2": 16384,  # a second final mixer layer chosen by the order and match state
    # word position and sentence start; 9 binary contexts near non-text bytes; no
    # orders 12 and 16 or folded order 3; record contexts off in text, 4 text ones in binary
    "more_contexts": 1 << 16,
    "match_recovery": 1 << 17,  # a long repeat resumes after one mispredicted byte
    # rounded learning steps; 22-bit SSE entries and 16-bit coded probabilities (v9)
    "precision": 1 << 18,
    "final_mixer3": 1 << 21,  # a third final mixer layer chosen by the last 3 bytes' classes
    # in text, a line break reads as a space: word contexts, folded history, SSE rows, order 4
    "line_as_space": 1 << 24,
    # the coded probability: a learned mixture of the mixer and the SSE stages, chosen
    # by the order, instead of their fixed average (v11; since v20 expert_mixture,
    # which includes these six, takes its place)
    "sse_mixture": 1 << 25,
    # in text: the column with the last byte and the byte class before it; the column
    # with the previous line's length (v12)
    "column_contexts": 1 << 26,
    # in text: a mixer weight set chosen by the column / 4 with the partial byte (v12)
    "column_mixer": 1 << 28,
    # in text: the previous word with the current word's length and the last byte; the
    # last 6 letters, other bytes skipped; the last 12 case-folded bytes; the word with
    # the column (v13)
    "letter_contexts": 1 << 29,
    "more_matches": 1 << 30,  # two more match models, over repeats of 20 and 32 bytes (v13)
    # SSE stages 0 and 4 (order 0; the match state) also by the recent mispredicted bits (v14)
    "sse_misses": 1 << 31,
    # the recent bytes' character groups (letters, digits, upper case, each run of
    # letters or digits one group): the last 12, 8 and 4 groups as contexts (v15)
    "char_groups": 1 << 32,
    # the innermost open bracket and the nesting depth, with the last byte; with the word (v15)
    "nesting": 1 << 33,
    # the word with the word that followed the previous word's last occurrence, and with
    # the one that followed it the time before (v16; in place of two contexts by default)
    "word_predictions": 1 << 38,
    # in images (pic): pixel-count inputs per 2-D context, four more 2-D contexts, only
    # 7 byte contexts, mixer weights chosen by neighbourhoods (v16)
    "image_counts": 1 << 39,
    # a first-layer mixer weight set skips its update on a bit where no weight would
    # move by 3/65536 or more (v17)
    "mixer_dead_zone": 1 << 40,
    # in text, the word with the last 3 character groups (v17; the max level has it
    # everywhere, as part of more_text_contexts)
    "word_with_groups": 1 << 41,
    # in text, the previous word with the last 2 character groups (v18; the max level has
    # it everywhere, as part of line_and_word_contexts)
    "prev_word_with_groups": 1 << 42,
    # in text, the line's first 3 bytes with the column and the last byte (v18; likewise)
    "line_prefix": 1 << 43,
    # in text, the last 7 character groups with the last 2 bytes (v19; the max level has
    # it everywhere, as part of wide_char_groups)
    "wide_groups_in_text": 1 << 44,
    # the coded probability: a learned linear mixture of the SSE stages and every
    # mixer output, chosen by the order (v10 at the max level, v20 at both; it
    # includes sse_mixture's six)
    "expert_mixture": 1 << 22,
    # an SSE stage on the hashed last 4 bytes with the partial byte, one more expert
    # of expert_mixture's (v20)
    "order4_sse": 1 << 45,
    # in text, the last 4 character groups with the column (v20; the max level has it
    # everywhere, as part of line_and_word_contexts)
    "groups_with_column": 1 << 46,
    # in text, orders 0, 1 and 3 also by the open quotes (v20)
    "quotes": 1 << 47,
    # in text, the word with the previous word's stem, and with the two previous
    # words' stems (v24)
    "word_stems": 1 << 50,
    # in binary data, the last 16-bit word at an even offset with the one that followed
    # it last time, and that one with the last byte (v24)
    "aligned_words": 1 << 51,
    # after the match model mispredicts a bit, the byte it expected with the partial
    # byte predicts the byte's other bits (v24)
    "match_delta": 1 << 52,
    # in text, the line's first word (up to a space, tab or colon) with the current
    # word: a header line's field in news, a %-tag in bib (v25)
    "line_fields": 1 << 53,
}
_ALL_FEATURES = sum(COMPONENTS.values())  # the bits are distinct
FEATURE_NEURAL = 32  # the neural input of ``mix``
# Components of the max level only (``mix``, ``neural=True``): they cost time that
# the default level does not spend.
MAX_COMPONENTS = {
    "word_mixer": 1 << 19,  # a mixer weight set chosen by the word's hash with the partial byte
    # three more match models, over repeats of 9, 20 and 32 bytes (in place of more_matches')
    "match_candidates": 1 << 20,
    # a byte-level LSTM (lstm_kernel), trained online, as one more mixer input
    "lstm": 1 << 23,
    # the last 7 character groups with the last 2 bytes; the last 5 with the last 3 (v15)
    "wide_char_groups": 1 << 34,
    # the 2 bytes after the order-3 context's last occurrence; the byte after the last
    # byte's, each with the last 2 bytes (v15)
    "indirect_contexts": 1 << 35,
    # the word with the last 3 character groups; an open quote with the last 2 bytes
    # (v15); the word that followed the previous word last time with the word's length
    # and the last byte (v16)
    "more_text_contexts": 1 << 36,
    # the word with the word that followed the previous two words last time; the line's
    # first 3 bytes with the column and the last byte; the last 4 groups with the column;
    # the previous word with the last 2 groups (v15)
    "line_and_word_contexts": 1 << 37,
    # in text: the last 8 case-folded bytes as a context (v12; at the default level until v14)
    "folded_order8": 1 << 27,
    # a mixer weight set chosen by the LSTM's likeliest byte while the partial byte
    # agrees with it; the LSTM's probability as a linear input; the LSTM's and the
    # match model's predictions as inputs of the final layers (v21)
    "lstm_mixing": 1 << 48,
    # a second LSTM (a shorter horizon, fewer hashed rows, its own initial weights) as
    # one more input of the first layer and of the final layers, and one more expert (v22)
    "second_lstm": 1 << 49,
    # in text: the word with how long ago it last ended as a whole word, with the
    # position / 1,024 and / 8,192, and with the paragraph; the last 2 bytes with the
    # position / 1,024 (v26)
    "word_recency": 1 << 54,
    # in text: the kinds of the word's last 4 letters, and its last 2 letters, each with
    # its length, whether it was seen whole before and whether the last 2 bytes are
    # capitals; the kinds of the last 10 bytes with the last byte, and with bytes 2-3 (v26)
    "word_shape": 1 << 55,
    # in text: order 1 within the line; the line's first word with the last byte; the
    # byte above with whether the one before it matched, and with the run of matches (v26)
    "line_history": 1 << 56,
    # in text: the word with the last byte and the word 3 back, and with the previous
    # word and the word 3 back (v26)
    "skip_words": 1 << 57,
    # in images: ten more 2-D contexts (the current run with where the row above changes
    # colour; wider templates, up to 16 rows up), the ninth weight set and the first final
    # layer chosen there by the run, weight sets 1 and 2 by pixels 2-7 rows up (v27)
    "image_templates": 1 << 58,
    # in binary data: 16-bit words at even offsets, the word two and three back with the
    # current word's first byte, the last three words' high bytes (68000 code) (v27)
    "code_words": 1 << 59,
    # the first-layer weight sets learn more slowly and start smaller, for the max
    # level's 1.5 to 1.7 times as many inputs (v28)
    "slow_mixers": 1 << 60,
    # the first-layer weights keep 4 more fraction bits, and in text their rate falls
    # to 2 instead of 3 (v29)
    "fine_mixers": 1 << 61,
    # eight more SSE stages, as experts of the final mixture, that refine other stages'
    # outputs: the order-0 stage's by orders 2, 3 and 4, the mean of the mixer's and the
    # orders 1-3 stages' by the match model's expected byte, the word, order 4 and the
    # column, and the order-4 stage's by the last 8 bytes; the mixture's weights then
    # by the order up to 5 only (v29's four; v30's four more)
    "sse_chains": 1 << 62,
    # an eleventh first-layer weight set: in text chosen by the last 2 bytes with the
    # partial byte, elsewhere by the match model's expected byte and length (v29)
    "order2_mixer": 1 << 15,
    # (v30, the first component of the second features word) a new row of weight set 4
    # or 10 starts 3/4 of the way to weight set 1's row of the moment; of sets 9 and 11,
    # to set 4's
    "warm_rows": 1 << 64,
    # (with sse_chains) eight more chained SSE stages by the words: on the mean, the
    # word with the previous word, the last 3 words, the word with the word 2 back and
    # 3 back, the previous word with the last byte, the line's first word with the
    # column; on the order-0 stage, the last 2 words and the word (v31)
    "word_chains": 1 << 65,
    # a forest of 10 DMC models (bit-level state graphs that grow by cloning busy
    # states), as 6 more mixer inputs; they sit out images (v33)
    "dmc": 1 << 66,
    # 4 match models that find repeats of the last bytes read through a mask (letters
    # in either case, low nibbles), a stride or an offset, as 5 more mixer inputs (v34)
    "sparse_match": 1 << 67,
    # per context, the last three distinct bytes seen there: their bits at the bit
    # position index two adaptive maps, by whether the bit history is uncertain and by
    # its state, as 2 more mixer inputs per context (v35)
    "byte_history": 1 << 68,
    # in binary data: the 2 bytes that last followed the low 5 bits of the last 3
    # bytes, and the high 5 bits of bytes 1, 3 and 4 back, each with its key (v35)
    "coarse_indirect": 1 << 69,
    # in images, the chained SSE stages, weight sets 10 and 11 and the expert mixture's
    # weights chosen by pixels instead of the bytes, the words and the LSTM's byte (v36);
    # since v37 the chained stages learn faster there and SSE stage 0 is keyed by pixels
    "image_rows": 1 << 70,
    # seven more first-layer weight sets, their rows chosen in text by the text's state
    # (character groups, word length, sentence, previous word, brackets, the line's
    # first word, spaces), in images by 2-D contexts and in binary data by bytes (v37)
    "context_sets": 1 << 71,
    # the final layers start at a rate of 24, falling toward 8 (6 in text) with a
    # half-life of 4,096 bytes, and each SSE knot learns at 1/(n + 1.5) until that
    # reaches 2**-6, so that small files' last stages learn sooner (v38)
    "quick_start": 1 << 72,
    # ESC and backspace count as text, and a NUL as the byte before it did, so that a
    # terminal session (escape sequences, NUL padding) keeps the text contexts (v39)
    "text_controls": 1 << 73,
    # in binary data: the last 4 bytes with each byte's low 3 bits dropped, flags per
    # byte of the last 16 (equal to the byte 4 before it; zero), alone and with the top
    # bits of the last 4 bytes, and bytes 2-3's high nibbles with the last byte (v39)
    "binary_masks": 1 << 74,
    # in text: the line so far, it with the previous line, and the previous line with
    # the column and the last byte (v39)
    "line_hashes": 1 << 75,
    # the bytes that followed short contexts' last occurrences: the last byte's 4, alone
    # and 3 of them with it; the last 2 case-folded bytes' 2 and 4, and the last of
    # them with the last byte (v40)
    "indirect_histories": 1 << 76,
}
_MAX_FEATURES = _ALL_FEATURES | FEATURE_NEURAL | sum(MAX_COMPONENTS.values())
# What ``disable`` takes at the max level beyond COMPONENTS: its own components, and
# its neural input itself (for an ablation of the net alone)
MAX_LEVEL_ABLATIONS = {**MAX_COMPONENTS, "neural": FEATURE_NEURAL}
_EVERY_COMPONENT = {**COMPONENTS, **MAX_LEVEL_ABLATIONS}

_FEATURES = struct.Struct("<QQ")  # (v30: only in an ablation's stream) uint32 until v14
_WORD_MASK = (1 << 64) - 1
_MODE_STORED = 0
# setup's bits 5-7: the components used, by level (v30)
_LISTED, _DEFAULT_SET, _MAX_SET = 0, 1, 2
_TABLE_BITS_MASK = 31
_MAX_LENGTH_BYTES = 9  # LEB128 of a length below 2**63
MIN_TABLE_BITS = 16
# v17's default level: 42 contexts in use x 8 M slots x 3 bytes = 1,057 MB (files of
# 256 KiB or more; 41 in text), and 94 MB for the 2-D contexts; the max level's 56
# take 1,409 MB. v25's levels use 3 more contexts (10, 21 and 58); on Calgary they
# peak at 1,591 MiB and 2,711 MiB resident (bench/RESULTS.md, run E). v26's max level
# uses 15 more (59-73, 24 MiB each at 8 M slots; 74 in all, the default level 49):
# 3,110 MiB (run F). v27's code words reuse 6 of those slots in binary data; its 10
# more 2-D contexts take 5 MiB each (2**20 entries: a state and two counts) in images
# v35's max level: 2 more contexts (74-75), and per context a byte-history table of
# 2 MiB at 8 M slots; on Calgary it peaks at 4,100 MiB resident (run U)
MAX_TABLE_BITS = 23
# The coder gives a bit at most probability 65532/65536 (cm_kernel.P16_MIN; before
# v9 4095/4096), and rounding loses at most half a unit of a range of at least 2
# units, so each coded bit narrows the range by a factor <= 65532.5/65536, i.e.
# costs >= -log2(65532.5/65536) = 7.7e-5 bits. A coded byte carries 8 bits, so it
# holds at most this many original bytes (the most compressible input, all zeros,
# reaches about a third of it):
MAX_BYTES_PER_CODED_BYTE = math.floor(8 / (8 * -math.log2(65532.5 / 65536)))  # 12,978


def _pack_length(num_bytes: int) -> bytes:
    """``num_bytes`` as unsigned LEB128: 7 bits a byte, low first, the top bit set on all
    but the last."""
    out = bytearray()
    while num_bytes >= 0x80:
        out.append(num_bytes & 0x7F | 0x80)
        num_bytes >>= 7
    out.append(num_bytes)
    return bytes(out)


def _unpack_length(stream: bytes, at: int) -> tuple[int, int]:
    """Read :func:`_pack_length`'s form at ``stream[at:]``: (the length, the offset after it).
    Refuses a form that runs past the stream or past 9 bytes, or is longer than needed."""
    num_bytes = 0
    for k in range(_MAX_LENGTH_BYTES):
        if at + k >= len(stream):
            raise CorruptFileError(None, "cm stream ends inside its header")
        b = stream[at + k]
        num_bytes |= (b & 0x7F) << (7 * k)
        if b < 0x80:
            if b == 0 and k > 0:
                raise CorruptFileError(None, "cm stream's length is not in its shortest form")
            return num_bytes, at + k + 1
    raise CorruptFileError(None, f"cm stream's length runs past {_MAX_LENGTH_BYTES} bytes")


def feature_words(features: int) -> tuple[int, int]:
    """A component mask split as the kernel and the stream take it (v30): bits 0-63, then
    the bits from 64 on (``cm_code``'s ``more_features``)."""
    return features & _WORD_MASK, features >> 64


def coded_header(num_bytes: int, table_bits: int, features: int) -> bytes:
    """The header of a coded stream (v30): the mode (the model version), the length, the
    setup byte, and the components only when they are not a level's whole set."""
    from kairos.info.cm_kernel import MODEL_VERSION

    head = bytes([MODEL_VERSION]) + _pack_length(num_bytes)
    if features == _ALL_FEATURES:
        return head + bytes([_DEFAULT_SET << 5 | table_bits])
    if features == _MAX_FEATURES:
        return head + bytes([_MAX_SET << 5 | table_bits])
    listed = _FEATURES.pack(*feature_words(features))
    return head + bytes([_LISTED << 5 | table_bits]) + listed


def table_bits_for(num_bytes: int, max_table_bits: int = MAX_TABLE_BITS) -> int:
    """Slots per context (log2): about 16 per byte coded (a bucket per nibble), in [16, max]."""
    return max(MIN_TABLE_BITS, min(max_table_bits, (16 * max(num_bytes, 1)).bit_length()))


@dataclass(frozen=True)
class CMCompressor:
    """Context-mixing compressor (integer arithmetic, decodes identically anywhere).

    Parameters
    ----------
    max_table_bits : int
        Upper bound on log2 of the slots per context; memory is about
        ``49 * 3 * 2**max_table_bits`` bytes (74 at the max level, 81 since v39, 86 since v40) plus ~170 MB
        (and ~510 MB and ~250 MB for the max level's two LSTMs, and since v29 ~140 MB
        for its eleventh weight set and chained SSE stages, ~35 MB more since v30 and
        ~70 MB more since v31, and since v33 about 530 bytes per input byte, up to
        550 MB from 1 MiB on, for the DMC forest, 48 MB since v34, and since v37
        7 x 2**(table_bits - 7) rows of 2.3 KB, 1.06 GB from 256 KiB on, for the
        seven context sets; since v38 8 x 2**(table_bits - 4) rows, 1.2 GB from
        32 KiB on, for eight).
    disable : tuple of str
        Optional components to switch off, for ablation (names in
        :data:`COMPONENTS`, and with ``neural`` in :data:`MAX_LEVEL_ABLATIONS`:
        the max level's components, or ``"neural"``, its neural input alone);
        the default uses all of them. The stream records which were used, so
        it decodes without this parameter.
    neural : bool
        The max level (the ``mix`` model, :class:`~kairos.info.mix.MixCompressor`):
        a small recurrent net's prediction as one more mixer input, and the
        costlier components of :data:`MAX_COMPONENTS`.
    """

    max_table_bits: int = MAX_TABLE_BITS  # 23: 1,007 MB of tables for files >= 256 KiB
    disable: tuple[str, ...] = ()
    neural: bool = False
    name: str = "cm"

    def __post_init__(self) -> None:
        if not isinstance(self.max_table_bits, int) or isinstance(self.max_table_bits, bool):
            raise ValidationError("max_table_bits", f"got {self.max_table_bits!r}, expected int")
        if not MIN_TABLE_BITS <= self.max_table_bits <= 24:
            raise ValidationError("max_table_bits", f"got {self.max_table_bits}, expected 16..24")
        if not isinstance(self.neural, bool):
            raise ValidationError("neural", f"got {self.neural!r}, expected true or false")
        if isinstance(self.disable, str) or not all(isinstance(c, str) for c in self.disable):
            raise ValidationError("disable", f"got {self.disable!r}, expected a list of names")
        known = _EVERY_COMPONENT if self.neural else COMPONENTS
        unknown = sorted(set(self.disable) - set(known))
        if unknown:
            raise ValidationError(
                "disable", f"unknown component(s) {unknown}; expected some of {list(known)}"
            )
        object.__setattr__(self, "disable", tuple(sorted(set(self.disable))))

    @property
    def features(self) -> int:
        """Bit mask of the components in use (``cm_kernel.FEATURE_*``)."""
        mask = _MAX_FEATURES if self.neural else _ALL_FEATURES
        for name in self.disable:
            mask &= ~_EVERY_COMPONENT[name]
        return mask

    def params(self) -> dict:
        if self.disable:
            return {"max_table_bits": self.max_table_bits, "disable": list(self.disable)}
        return {"max_table_bits": self.max_table_bits}

    def _run(
        self, data: bytes, byte_cost_bits: np.ndarray | None = None
    ) -> tuple[bytes | None, float, int]:
        from kairos.info import cm_kernel as k

        costs = np.zeros(0) if byte_cost_bits is None else byte_cost_bits
        table_bits = table_bits_for(len(data), self.max_table_bits)
        src = np.frombuffer(data, dtype=np.uint8)
        dst = np.empty(len(data) + len(data) // 8 + 64, dtype=np.uint8)
        features = self.features
        written, ideal_bits = k.cm_code(
            src,
            len(data),
            dst,
            False,
            table_bits,
            *feature_words(features),
            k.TABLES,
            costs,
        )
        body = None if written < 0 else dst[:written].tobytes()
        return body, float(ideal_bits), table_bits

    def compress(self, data: bytes) -> bytes:
        body, _, table_bits = self._run(data)
        stored_size = 1 + len(_pack_length(len(data))) + len(data)
        if body is not None:
            header = coded_header(len(data), table_bits, self.features)
            if len(header) + len(body) < stored_size:
                return header + body
        return bytes([_MODE_STORED]) + _pack_length(len(data)) + bytes(data)

    def code_length(self, data: bytes) -> float:
        """Ideal code length sum(-log2 p) of ``data`` under the model, in bits."""
        return self._run(data)[1]

    def byte_costs_bits(self, data: bytes) -> np.ndarray:
        """Prequential cost -log2 p(x_t | x_<t) of each byte, float array of shape (len(data),)."""
        costs = np.zeros(len(data))
        self._run(data, costs)
        return costs

    def decompress(self, stream: bytes, max_bytes: int | None = None) -> bytes:
        """Invert :meth:`compress`; refuse a stream claiming more than ``max_bytes``.

        The claimed length is checked against what the stream can hold before
        any decoding (see :data:`MAX_BYTES_PER_CODED_BYTE`), and decoding stops
        as soon as the coder needs more bytes past the stream's end than the
        encoder's last byte leaves it to read as zeros (3).
        """
        from kairos.info import cm_kernel as k

        if not stream:
            raise CorruptFileError(None, "cm stream is empty")
        mode = stream[0]
        if 0 < mode < k.MODEL_VERSION:
            raise VersionError(
                None,
                f"cm stream was coded by model version {mode}; this kairos decodes "
                f"version {k.MODEL_VERSION} only",
            )
        if mode not in (_MODE_STORED, k.MODEL_VERSION):
            raise CorruptFileError(None, f"cm stream has unknown mode {mode}")
        num_bytes, at = _unpack_length(stream, 1)
        if max_bytes is not None and num_bytes > max_bytes:
            raise CorruptFileError(
                None, f"cm stream claims {num_bytes} bytes, the file header says {max_bytes}"
            )
        if mode == _MODE_STORED:
            if len(stream) - at != num_bytes:
                raise CorruptFileError(
                    None,
                    f"stored cm stream holds {len(stream) - at} bytes, header says {num_bytes}",
                )
            return bytes(stream[at:])
        if at >= len(stream):
            raise CorruptFileError(None, "cm stream ends inside its header")
        setup = stream[at]
        table_bits = setup & _TABLE_BITS_MASK
        component_set = setup >> 5
        at += 1
        if component_set == _DEFAULT_SET:
            features = _ALL_FEATURES
        elif component_set == _MAX_SET:
            features = _MAX_FEATURES
        elif component_set == _LISTED:
            if len(stream) < at + _FEATURES.size:
                raise CorruptFileError(None, "cm stream ends inside its header")
            low, high = _FEATURES.unpack_from(stream, at)
            features = low | high << 64
            at += _FEATURES.size
            if features & ~_MAX_FEATURES:
                raise CorruptFileError(
                    None, f"cm stream names unknown model components {features:#x}"
                )
        else:
            raise CorruptFileError(
                None, f"cm stream names an unknown component set {component_set}"
            )
        coded = len(stream) - at
        if coded == 0:
            raise CorruptFileError(None, "cm stream has no body")
        if num_bytes > MAX_BYTES_PER_CODED_BYTE * coded:
            raise CorruptFileError(
                None,
                f"cm stream of {coded} coded bytes cannot hold the {num_bytes} bytes it claims "
                f"(at most {MAX_BYTES_PER_CODED_BYTE} per coded byte)",
            )
        if not MIN_TABLE_BITS <= table_bits <= table_bits_for(num_bytes, 24):
            raise CorruptFileError(
                None, f"cm stream header is implausible (table_bits={table_bits}, n={num_bytes})"
            )
        src = np.frombuffer(stream, dtype=np.uint8)[at:]
        dst = np.empty(num_bytes, dtype=np.uint8)
        consumed, _ = k.cm_code(
            src,
            num_bytes,
            dst,
            True,
            table_bits,
            *feature_words(features),
            k.TABLES,
            np.zeros(0),
        )
        if consumed != coded:
            raise CorruptFileError(
                None,
                f"cm stream of {coded} coded bytes "
                + ("ends before" if consumed < 0 else f"has {coded - consumed} bytes after")
                + f" the {num_bytes} bytes it claims",
            )
        return dst.tobytes()
