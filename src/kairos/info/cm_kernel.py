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

- 29 hashed contexts (v6): orders 0-6, 8, 12 and 16; the word (letters only,
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
  it, and the line's first byte with the column. Since v7
  (``FEATURE_MORE_CONTEXTS``, 40 slots): the word with the number of words
  since the last punctuation mark and the previous byte; the word with a
  sentence-start flag (after . : ! ?, after , ;, or inside the sentence) and
  the previous byte; and 9 binary contexts used only within
  :data:`TEXT_WINDOW` bytes of a byte outside printable ASCII, tab, CR and LF
  (and not in image mode), so text pays neither their time nor their noise:
  bytes -5..-6; -1,-2,-5,-6; -3..-6; -4 and -1 with the position mod 4;
  -2 and -4 with the position mod 2; -2,-4,-6,-8; -5..-8; -4,-8,-12 with the
  position mod 4; -1 and -5. Orders 12 and 16 and the case-folded order-3
  context are dropped (the long match model covers the first two), the record
  contexts are skipped in text, and four text contexts (word + previous
  word, the column's, word + word two back, line's first byte + column) in
  binary data outside images.
- Since v5 (``FEATURE_IMAGE``), 8 bit-level 2-D contexts when the record is
  32 bytes or longer (PAQ8's picModel: the pixels around the next one in the
  current row and the 3 rows above, one row = one record; a 1-bit image such
  as Calgary's ``pic``), each a directly indexed bit history + state map.
- Since v8: the 2-D contexts read the rows above intact (up to v7 the record
  contexts' byte variables overwrote the bit rows of the first and second row
  above once per byte, so the pixels up and to the left were lost for a
  byte's first bits; fixing it saved pic 673 B); 14 of them instead of 8
  (wider windows of the row and of the 3 rows above: pic -363 B); in images
  the fifth mixer's weight set is chosen by 10 neighbouring pixels instead
  of 8 (-108 B) and the SSE stages on orders 1-3 are indexed by 14- to
  16-pixel neighbourhoods instead of byte contexts (-488 B): pic 24,519 ->
  22,887 B (each step measured on top of the one before). And contexts 37
  and 38 (bytes -5..-8; bytes -4, -8, -12 with the position mod 4) give way
  to a numeric model for 4-byte values read as IBM hexadecimal floats
  (geo's seismic samples): the next value predicted linearly (2 v1 - v2) and quadratically (3 v1 - 3 v2 + v3) from the last
  three, in integer fixed point, and each context is the bytes of the value
  coded so far with the byte a prediction expects there (and whether the
  linear one has held, or the other prediction's byte): geo 43,933 -> 42,483
  B, obj2 +93, obj1 -8, trans +17 (as two more contexts rather than in place
  of 37 and 38, obj2 -29 B, but every text file paid for 8 more zero mixer
  inputs). Tried and dropped for it: the last prediction's error class in the
  context (geo +15 to +201 B); a damped linear prediction v1 + 3 (v1 - v2) / 4
  instead of the quadratic one (+228 B). Tried and dropped elsewhere: a ninth
  first-layer weight set chosen by the word's hash with the partial byte
  (-297 B on book1, paper1, paper2, bib, progc and trans, about 8% more CPU);
  the same with the previous byte outside words (-244 B); SSE rates falling
  with each context's use, 1/(n + 1.5) to 1/64 (+542 B on paper1, paper2,
  bib, progc, trans, obj2 and geo) or 1/(n + 21.5) to 1/128 (+51 B).
- Each context selects, once per nibble, a 16-byte bucket (an 8-bit check
  byte + 15 bit-history states, one per node of the nibble's binary tree),
  found among 3 neighbouring buckets by its check or else replacing the
  least-used one. Since v14 the check has 12 bits: 4 more, from hash bits the
  bucket index does not use, in the top of the bucket's slot 0 direct
  probability (a slot that holds no probability, see the run model below).
- Two inputs per context, with two rates: a bit history, i.e. a state
  (n0, n1, last bit) with bounded, discounted counts (:data:`NEXT_STATE`)
  turned into a probability by an adaptive state map per context (slow,
  indirect: it learns how far to trust, e.g., an order-6 context seen once),
  and a direct probability in the same slot (12 bits + a hit count; rate
  1/(n+1.5), faster than the state map's until n reaches 14). Since v6
  (``FEATURE_DET_INPUTS``, as in PAQ8's ContextMap) a third input: in a
  deterministic history (only one bit value seen so far) +-2 (in logits)
  toward that value, else 0, so the mixer can weigh "always the same so far"
  apart from the state map's average for that state. Since v7
  (``FEATURE_RUN_MODEL``, the idea of PAQ8's run map) a fourth: each
  context's first-nibble bucket keeps, in its spare slot 0, the last byte
  seen in that context and how many times in a row; while the partial byte
  agrees with that byte, its next bit is predicted with a confidence learned
  per context, run length (1..15+) and bit position, else 0. Not in images
  (records of 32 bytes or more), where it cost pic 70 B.
  Since v7 (``FEATURE_INPUT_CONFIDENCE``) the direct probability's input is
  scaled by the slot's hit count (:data:`DIRECT_CONFIDENCE`: 0 before the
  first update, 4/16 after one, full weight from nine), so a slot seen once
  or twice no longer speaks as loudly as a well-tested one; its rate starts
  at 1/2.5 instead of 1/1.5; and the state map's input is 0 for the empty
  history (state 0), leaving "this context is new" to the mixer's bias.
  Since v7 (``FEATURE_RUN_STATE_MAP``), with the same run (one store, in
  slot 0 of the first-nibble bucket, serves both), the state map is indexed by the state and a run class (:data:`RUN_MAP_CLASSES`:
  none or contradicted by the bits so far, else the bit the byte predicts and
  its run 1, 2-3 or >= 4), so a bit history is read in the light of the
  byte-level history PAQ8's run model feeds the mixer separately.
- A match model: the most recent repeat of the last 5 bytes (6 before v11)
  predicts the next bit, with its confidence learned per match length. Since v6
  (``FEATURE_LONG_MATCH``) a second one over repeats of 10 bytes or more (12 before v11)
  (its own position table, so it can hold a longer, older repeat while the
  first follows a shorter recent one), confidence learned per length / 4.
  Since v7 (``FEATURE_MATCH_RECOVERY``) a repeat that mispredicts a byte is
  not dropped: unless a new repeat is found, it resumes after that byte with
  length 1, so lengths 1-4 (1-5 before v11; otherwise unused) learn how far to trust a repeat
  that has just failed (obj2 -1,610 B, 10 development files -2,067 B).
- Optionally (``FEATURE_NEURAL``, the ``mix`` model) a small recurrent net:
  see :data:`NN_HIDDEN`; its bit logit is one more mixer input. And at the
  max level (``FEATURE_LSTM``) a byte-level LSTM (:mod:`kairos.info.lstm_kernel`:
  256 units (128 before v14) reading the last 3 bytes and 5 hashed contexts (3
  before v21), a softmax over the next byte, trained online by backpropagation
  through every 30 bytes): its bit logit is one more mixer input and its
  probability one more expert of the learned mixture (bench/RESULTS.md has what
  it saves). Since v22 (``FEATURE_SECOND_LSTM``) a second LSTM, backpropagating
  through every 20 bytes, with 2**13 rows per hashed context and its own initial
  weights, is one more input, final-layer input and expert: two nets whose errors
  differ are a better input than one net of more units. Since v23 the LSTMs sit
  out images (2-D data, such as ``pic``): there they predict nothing (their
  inputs are 0, their experts echo the mixer) and neither run nor learn.
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
- Since v9 (``FEATURE_PRECISION``), learning steps are rounded, not floored.
  A floored step is -1 when it is a small negative number and 0 when it is
  small and positive, so every much-used weight drifted down by half a unit
  per update, and a direct probability could not climb above about
  4080/4096. The SSE entries keep 22 bits instead of 16; the truncated
  updates of 16 bits held them below 65472/65536. The final probability is
  coded with 16 bits, in [:data:`P16_MIN`, 65536 - :data:`P16_MIN`] / 65536,
  instead of 12. :data:`MIXER_LR_MAX` is now 64 instead of 48, a faster start
  for new weight sets. Since v9 (``FEATURE_FINAL_MIXER3``) a third final
  layer, with weights chosen by the classes of the last three bytes and the
  bit position, is averaged with the other two.
- Since v10, at the max level (``FEATURE_EXPERT_MIXTURE``; it cost 10-15% of
  the default level's speed in two same-minute bench pairs), the coded
  probability is no longer a fixed average of the mixer's output and the five SSE stages (weights
  :data:`APM_WEIGHTS`) but a learned linear mixture of 18 experts: those six,
  each final layer's output and each first-layer weight set's output. The
  weights start at the old average's (the others at :data:`EXPERT_MIN_WEIGHT`),
  are chosen by the order (as for the second final layer), and after each bit
  are multiplied by 1 + rate (p_expert(bit) / p(bit) - 1), which keeps their
  sum: a Bayesian mixture that forgets at :data:`EXPERT_RATE` / 1024 per bit.
  Mixing probabilities linearly, beside the logistic mixers, keeps the 16-bit
  precision of the SSE stages and lets a weight set that is right where the
  others disagree speak directly. Measured against v9 (``cm_code`` directly
  on paper1, progc, obj2, geo and trans, 2^22 slots): one weight set -84 B
  with the six old experts, -121 B with the final layers added, -279 B with
  the first-layer sets too; by the order -305 B (bit position -70, match flag
  -82, order x match x bit position -30). Rates 32 and 128 instead of 64
  (one weight set): +20 and +8 B; a weight floor of 2^16, 2^18 or 2^22 instead of 2^20: +59,
  +27, +60 B.
- The max level (``mix``) adds two costlier components:
  ``FEATURE_WORD_MIXER`` is a ninth weight set, chosen inside a word by the
  word's hash with the partial byte. ``FEATURE_MATCH_CANDIDATES`` adds three
  more match models, over repeats of at least 9, 20 and 32 bytes
  (:data:`EXTRA_MATCH_BYTES`). Each has its own table and its own confidence
  per length, and resumes after a mispredicted byte.
- v11 (2026-12-04) retunes constants found by a sweep of 42 one-at-a-time
  variants over the 14 Calgary files (kernel copies with constants replaced,
  as ``bench/cm_sweep.py`` makes them), run 16 at a time on a borrowed
  16-core machine (v10's sizes reproduced there exactly), then combined:
  mixer weights start at 2000/65536 instead of 5000 (alone -1,040 B on
  613,702), run inputs at 1500 instead of 2500; a weight set's rate falls
  with half-life :data:`MIXER_LR_HALF` 512 uses instead of 1024; the direct
  probability's count stops at 15 instead of 14; SSE weights (1,1,4,5,3,2)/16;
  match models over repeats of 5 and 10 bytes instead of 6 and 12; binary
  contexts within 256 bytes of a non-text byte instead of 512. With two SSE
  stages keyed by the word in text (stage 1 by the word with the partial
  byte, stage 4 by the word with the last byte when no match predicts; alone
  -61 and -32 B): 612,088 B (-1,614; book1 190,843 -> 190,542). Then, on
  book1: ``FEATURE_LINE_AS_SPACE`` (in text a line break reads as a space in
  the word contexts' last byte (-46 B), the case-folded history (-78 B), and
  context 20, order 4 (-119 B); all three -162 B; the order-2 and -3 SSE rows
  too, -28 B more) and ``FEATURE_SSE_MIXTURE`` (the coded probability a
  learned mixture of the mixer and the five SSE stages, by the order:
  ``FEATURE_EXPERT_MIXTURE``'s first six experts; -70 B). Ablated on the 14
  files, line_as_space saved 331 B and sse_mixture 306 B, but the word-keyed
  SSE stages only 4 B, so they were dropped: v11 writes 611,460 B (-2,242
  against v10; book1 190,266), for about 7% more CPU (book1 and paper2
  10-13%). Tried and dropped (14 files against v10): weight set 2 by the
  previous byte and the bit position (+1,137 B), weight set 4 by an order-2
  hash (+330), the first final layer also by whether a match predicts
  (+254), digits (+411) or apostrophes (+90) inside words, match-counter
  rates 2/128 and 5/128 (+16, -9), mixer rate floor 5 (+100), final rates 6
  and 12 (+153; -35 but book1 +88), deterministic inputs of 384 or 768 (+110,
  +290), state-map count limits 511 and 255 (+5, +8); on book1: the state
  machine's caps and discount four more ways (within 10 B), order 6 with
  line breaks as spaces as one more context (-105 B; -123 B on the 14 files,
  for one more context's time in text), SSE stages keyed by the previous word between words (-5 B), the
  learned mixture's weight sets also by whether a word is open (-11 B), SSE
  rates 5 and 7 (+26, +94), mixture rates 32 and 128 (-4, +14), 2^24 slots
  per context (-127 B for 2 GB of tables), and the max level's expert
  mixture (-78 B) or word mixer (-124 B) for 12-13% more CPU.
- v12 (2026-12-04) gives text contexts that know where a line breaks. An
  ablation of each context in text on book1 (v11, 190,266 B) showed the line's
  first byte with the column worth 488 B and order 4 a loss of 39 B beside
  context 20 (order 4 with line breaks as spaces). So in text context 4 now
  reads order 4 with line breaks as spaces, and three contexts are used only
  in text (gating kind 4; contexts 13 and 14 were free since v7):
  ``FEATURE_COLUMN_CONTEXTS``, context 20 the column / 4 with the last byte
  and the class of the byte before it, and context 14 the column with the
  previous line's length; ``FEATURE_FOLDED_ORDER8``, context 13 the last 8
  case-folded bytes; and ``FEATURE_COLUMN_MIXER``, the fifth weight set
  chosen in text by the column / 4 with the partial byte instead of the
  column with the bit position. The order read by the second final layer and
  the learned mixture skips contexts 13 and 14 (before v12 they were always
  empty there). Measured on book1 alone, each as one more context beside v11
  (190,266 B): the column / 2 with the last byte and the byte class -197 B,
  the column / 4 version with order 4 dropped in text -275 B, the column
  with the word length so far -150 B, with the previous line's length -133
  B, with the last byte -116 B, 6 bytes with line breaks as spaces -101 B,
  the 8 folded bytes -98 B, the word with the previous word and the last
  byte -96 B, the word with the column -76 B. On the 14 files: the column
  context with the folded order 8 -1,548 B (book1 -462), with the previous
  line's length too -1,899 B (book1 -583), with 6 spaced bytes instead
  -1,608 B; the column weight set on top -235 B on six text files, and SSE
  stage 0 by the column / 4 -47 B more (dropped). Tried and dropped in text:
  removing the indirect context 17 (book1 -35 B but book2 +76 B) or the
  folded word context 21 (book1 -12 B, book2 +102 B). To pay for the new
  contexts' time, contexts 11 (byte 2) and 12 (bytes 3 and 4) are skipped
  in text (about +235 B over the eight text files: book1 +18, book2 +74,
  news +72): in an interleaved A/B (book1 and news, user CPU, median of 3)
  v12 with them took 1.15 x v11's time, without them 1.03 x.
- v13 (2026-12-05) spends some of the speed v12 has on a quiet machine (65.6 to
  67.8 KB/s in three bench runs, against the 50 KB/s target) on text contexts that
  read further back and on two more match models. ``FEATURE_LETTER_CONTEXTS``:
  in text, the contexts that are byte 2, bytes 3-4 and the two record contexts
  in binary data are instead the previous word with the current word's length
  and the last byte (11), the last 6 letters, case-folded, other bytes skipped
  (12), the last 12 case-folded bytes (18) and the word with the column (19).
  ``FEATURE_MORE_MATCHES``: match models over repeats of 20 and 32 bytes or
  more (:data:`DEFAULT_EXTRA_MATCH_BYTES`), the max level's candidates without
  the one of 9. Measured with ``cm_code`` directly: contexts 11 and 12 -432 B
  on the 14 files (book1 -194, book2 -115; each alone on book1, paper2, bib and
  progc -124 and -125 B); then 18 and 19 on book1, book2, paper2, bib, progc
  and news -224 and -100 B more. The extra match models on the 14 files:
  (20, 32) -325 B; (9, 20, 32) -509 B; one of 9, 20, 32 or 64 alone -159,
  -284, -170 (pic +71) and -36 B. Tried as context 11 in text (book1, paper2,
  bib, progc, against v12): 6 bytes with line breaks as spaces -29 B, the word
  with the previous word and the last byte -59, the column with the word's
  length -16, the word with the column / 8 and the last byte -44, bracket
  nesting with order 2 or the word +2 to +5, the byte above with the column
  +50; as a fifth one (the six text files): the last 10 letters -27 B, the
  last 6 letters with the word's length +48, the last 3 letters with order 2
  +45. Not moved from the max level: the learned mixture of all 18 experts
  (-279 B on the 14 files, mostly pic, obj2 and geo) and the word weight set
  (-225 B). In a paired A/B (v12 and v13 at the same time, one per core, then
  swapped; book1, news and obj2, user CPU, 4 rounds) v13 took 1.126 x v12's
  time (1.07-1.15). The long match model and the extra ones are one piece of
  code since then: arrays indexed by model, with each model's minimum length,
  length classes, input scale and recovery (the same streams; a paired A/B
  against the separate code: median 1.01 x, 0.98-1.09 over 8 rounds). Tried
  for speed and dropped, both exact: the eight first-layer weight sets
  computed and trained in one pass over the inputs (paired A/B 1.023 x), and
  the context tables allocated by numpy with transparent huge pages (book1's
  minor faults 274 K -> 29 K, but more user time).
- v14 (2026-12-05). Two small changes that cost no measurable time, measured
  with ``cm_code`` on the 14 Calgary files against v13 (608,150 B without the
  stream headers): 4 more check bits per bucket (-75 B: a context not seen
  before now takes another context's bucket 16 times less often), and
  ``FEATURE_SSE_MISSES`` (-122 B more: geo -65, book1 -33, book2 -25): SSE
  stage 0 (order 0) and the match-state stage are also indexed by the recent
  misses, the coded bits whose likelier value was wrong (the last one; any of
  the 7 before; any of the 8 before those), as in paq8px's SSE. Tried and
  dropped (against the first change): the misses also choosing the learned
  mixture's weights and weight set 3 (+196 B against the SSE stages alone); a
  per-input linear input p - 1/2 beside each state map's stretch (bib +83,
  book1 +438 B); the state map's input halved for a context seen once (book2
  +50, news +61); the deterministic input as the state map's stretch instead of
  +-2 (bib +56, book1 +57, news +120); each context's second-last byte as a second run
  prediction when the last one fails (book1 +47); new mixer weight set rows
  copied from the partial byte's set (+159 B); weight set 2 by the last byte
  with paq8px's two bit-position flags (+268 B); a ninth weight set chosen by the
  byte three back (within 12 B per file); direct probabilities' final rate 1/40
  for orders 0-2 and 1/10 for orders 5-8 (-3 B); SSE stage 3 by order 4 (+10
  B) and stage 2 also by the match length (+111 B). Not moved from the max
  level: the learned mixture of all 18 experts (-275 B on the 14 files; on
  book1, +3 B for 1.03 x the CPU time in a paired A/B of 3 rounds). At the max
  level the LSTM has 256 units instead of 128 (-1,482 B: book1 -604, book2
  -348, obj2 -251, news -177; about twice the max level's time), and it keeps
  gradients only for the input rows a horizon reads, which saves 77 MB at 128
  units and leaves room for the larger net within the same memory.
- v15 (2026-12-05) adds contexts over more abstract views of the recent bytes,
  after paq8px's CharGroupModel and NestModel, and widens the features field to
  64 bits. ``FEATURE_CHAR_GROUPS``: each byte read as its group (a digit, an
  upper-case letter, a lower-case letter, a byte >= 128, else the byte itself),
  a run of letters or digits of one kind being one group, so "A (fairly simple)
  sentence." reads "A (a a) a."; contexts 40-42 are the last 12, 8 and 4 groups
  (apart while the last byte extends a group). ``FEATURE_NESTING``: the
  innermost open bracket and the depth, with the last byte (45) and with the
  word (46). To pay for their time the default level no longer uses contexts
  10 (the byte above with the column), 21 (the folded bytes with the word), 25
  (the previous word with the last byte) and 27 (the word with the byte before
  it), context 19 is again a record context only (not the word with the column
  in text), and ``FEATURE_FOLDED_ORDER8`` (13) moves to the max level. The max
  level keeps 13, 25 and 27; 10 and 21, and 19 in text, give way at both
  levels. Measured with ``cm_code`` on the 14 files (v14: 607,953 B
  without the stream headers): the five contexts alone (40-44) -4,853 B, with
  the nesting -5,484 B; then each existing text context dropped once (+64 B
  for context 10 to +781 B for 24; 21 -28 B); the default level as v15 has it
  603,443 B (-4,510: book2 -1,213, news -1,179, obj2 -463, progl -382, book1
  -277), within about 4% of v14's time on book1 and news (sequential runs,
  1-second resolution), where keeping 13, 25 and 27 (602,951 B) took 1.08 x.
  The max level also has ``FEATURE_WIDE_CHAR_GROUPS`` (43: the last 7 groups
  with the last 2 bytes; 44: the last 5 with the last 3),
  ``FEATURE_INDIRECT_CONTEXTS`` (47: the 2 bytes that followed the last
  occurrence of the hashed order-3 context, with the last 2 bytes; 48: the
  byte that followed the last byte's last occurrence, with the last 2 bytes)
  and ``FEATURE_MORE_TEXT_CONTEXTS`` (49: the word with the word that
  followed the previous word last time; 50: the word with the last 3 groups;
  51: whether a " or ' quote is open, with the last 2 bytes) and
  ``FEATURE_LINE_AND_WORD_CONTEXTS`` (52: the word with the word that followed
  the last occurrence of the previous two words; 53: the line's first 3 bytes
  with the column and the last byte; 54: the last 4 groups with the column;
  55: the previous word with the last 2 groups). Measured at the
  max level without the LSTM (v14 there: 606,591 B), in a prototype that kept
  contexts 10 and 21: contexts 40-48 with three sparse binary ones -5,574 B (the groups -4,498, the nesting -580, the
  indirect pair -212; the sparse ones, bytes 1-2 with the position mod 2,
  bytes 1-3 with the position mod 4 and bytes 2-4, +15, dropped); then five
  more -675 B, of which the three kept are worth 170, 183 and 147 B when
  dropped, and two were dropped (the 2 bytes after the last occurrence of
  the order-4 context, 75 B; the two bytes above in the previous line with
  the last byte, 69 B). Then contexts 52-55, each alone on top of the rest
  (600,225 B): -96, -327, -182 and -276 B; the four together -866 B. Tried
  for speed and dropped, exact: the eight
  first-layer weight sets in one pass over the inputs again (the same
  streams; 51.6 against 51.4 s over three paired book1 rounds); 2^22 slots
  per context instead of 2^23 (book1 0.93 x the time for +290 B).
- v16 (2026-12-05) guesses the word being written, and models images more
  fully. ``FEATURE_WORD_PREDICTIONS``: context 49 (the word with the word that
  followed the previous word's last occurrence; a max-level context in v15)
  and 56 (with the word that followed it the time before) are used at both
  levels; by default context 15 (the word with the two before it) gives way
  to them, and in text context 17 (the indirect order 2; kept in binary data,
  where dropping it cost obj2 109 B). Measured with ``cm_code`` on the 14 files
  against v15 (603,443 B without the stream headers): 49 alone -568 B, 56 alone
  -463, both -747. ``FEATURE_IMAGE_COUNTS``, in images: each 2-D context also
  keeps its pixel counts, whose estimate (n1 + 1) / (n + 2) is two more inputs
  (stretched; linear), four more 2-D contexts (8 pixels straight up; 2 x 4
  up; the 24 and the 40 nearest pixels, hashed into up to 2^20 entries) and
  the share of set pixels among the 4, 12, 24 and 40 nearest as inputs
  (the ideas of paq8px's Image1BitModel): pic 22,314 -> 21,717 B; weight set
  3 chosen by the 40 neighbours' set pixels with the 4 nearest -82 B; only
  orders 0-4 and 6 and the match context of the byte contexts in images
  -196 B and less time; weight sets 4, 6, 7 and 8, the first final layer and
  the learned mixture's weights by pixel neighbourhoods -292 B: pic 21,163
  B in all. Tried and dropped: count limits 1023 and 255 instead of 65535
  (+24, +40 B), no linear count input (+47), four more small 2-D contexts
  (-23 B, for more time), weight set 2 by the row above (-9), the second
  final layer by the pixel counts (+5), SSE stage 0 by 8 pixels (-2); as
  text contexts (each alone, against v15): the lengths of the last 3 words
  (+38 B), the distances to the last space and punctuation (-78), the word
  with the word 3 back (-174), with the words 2 and 3 back (-171), with both
  predicted words in one context (-317), with the word that came 2 words
  after the word 2 back (+31); the predicted word with the word's length and
  the last byte (-396 B) is the max level's context 57
  (``FEATURE_MORE_TEXT_CONTEXTS``). Max-level contexts moved to the default
  level each alone (against v15): 50 -469 B, 55 -422, 53 -398, 52 -270, 27
  -204, 54 -195, 51 -194, 43 -326, 44 -283, 25 -131, 47 -135, 48 -148, 13
  -112; each pair of them in place of two default contexts saved 436-620 B
  (so were not moved), and dropping contexts 8 and 30 together cost about
  2,000 B (then no context has the word with the last byte). Tried for
  speed and dropped: the bit histories and direct probabilities packed in
  one 32-bit word per slot, one 64-byte line per bucket (the same streams,
  no faster: book1 and news over three rounds); with 2^16 slots per context
  book1 took 0.85-0.9 x the time, so cache misses are not where the time
  goes. The 40 classes of the last byte (each punctuation mark its own) for
  weight set 7 saved 59 B. Then a sweep of constants (``bench/cm_sweep.py``,
  each alone against the above, 602,059 B with headers): the deterministic
  input's size 640 instead of 512 -187 B (720 -193, kept; 800 -135; 400 +384),
  FINAL_LR 11 or 6 +4 and +79, WEIGHT_INIT 1500 or 2600 +14 and +104,
  MIXER_LR_HALF 256 or 1024 +174 and +274, MIXER_LR_MAX 48 or 96 +192 and
  +489. For speed, with the same streams: in text the loops over the contexts
  stop before the record and binary ones (kinds 2 and 1, last in ``active``),
  which text skips and whose inputs the mixers there do not read (book1 and
  news: 21-25 s against 24 s over three alternating rounds).
- v17 (2026-12-05) trains the first-layer weight sets less often, and spends the
  time this saves on one more text context. ``FEATURE_MIXER_DEAD_ZONE``: a
  weight set is not updated on a bit where none of its weights would move by
  :data:`MIXER_DEAD_ZONE` (3/65536) or more, i.e. when |error x rate| x the
  largest |input| is below 3 x 65536. Steps of one or two units are mostly
  noise: skipping them saves 90 B on the 14 Calgary files (``cm_code``, 601,614
  -> 601,524 B without the stream headers; every file gains, book1 -26, book2
  -19, obj2 -12) and skips about half of the updates (book1 52%, news 49%, obj2
  55%) and 86% in pic. Thresholds of 1, 2, 4 and 8 units saved 74, 68, 87 and 57
  B, 32 units cost 263 B; a threshold on the error alone (|error x rate| < 64 or
  128) saved 76 or 88 B; the same rule for the three final layers cost 9 B.
  Tried and dropped with it: 4 more fraction bits in the first-layer weights
  (+94 B without the dead zone, -7 B with it; 2 more bits +19 B), MIXER_LR_MIN 3
  or 5 (-5, +56 B), 4 bucket probes instead of 3 (-31 B); and, against v16,
  text-only contexts at the default level: the word with the last 3 groups (50)
  -367 B, the previous word with the last 2 groups (55) -336 B, but in place of
  contexts 28 and 14 only -86 and -116 B (both -36 B), and 50, 55 and 53 in
  place of 28, 14 and 22 -190 B. With the dead zone book1, news, obj2 and pic
  took 0.95 x v16's time (33.3-33.8 s against 35.0-35.6 s, three alternating
  rounds), so ``FEATURE_WORD_WITH_GROUPS`` adds context 50 at the default level,
  in text only (gating kind 4): 601,153 B in all (-461 against v16), in v16's
  time on those four files (35.6-35.7 s against 35.4-35.6 s; one round 38.3 s).
  With 55 as well: 600,836 B, at 1.03 x v16's time. For speed, with the same
  streams: the home buckets' reads at each nibble as prefetch hints instead of
  loads (no faster on book1 and news).
- v18 (2026-12-05) spends the time that the prefetches below save on two more
  text contexts at the default level, in text only (gating kind 4), both max-level
  contexts so far: ``FEATURE_PREV_WORD_WITH_GROUPS``, context 55 (the previous word
  with the last 2 character groups), and ``FEATURE_LINE_PREFIX``, context 53 (the
  line's first 3 bytes with the column and the last byte). Measured with ``cm_code``
  on the ten text files against v17 (485,870 B without the stream headers): 55 -317
  B, 53 -255, both -560 (the 14 files: 601,153 -> 600,593 B; news -223, book2 -137,
  bib -100, book1 -10). Each alone on those files, the other max-level contexts: 43
  -220 B, 54 -178, 44 -173, 51 -160, 52 -119, 13 -96, 47 -74, 27 -73, 48 -69, 25 -56,
  46 +13, 57 +38; 55 with 43 -541. The 9-byte match model of the max level at the
  default level: -35 B on the 14 files (obj2 -51). In three alternating rounds on
  book1 and news v18 took 23.6-24.4 s against v17's 24.0-24.5 s (v17's code, before
  the prefetches), 55 alone 22.8-24.1 s.
- v19 (2026-12-05) adds ``FEATURE_WIDE_GROUPS_IN_TEXT``: at the default level, in
  text only, context 43 (the last 7 character groups with the last 2 bytes;
  ``FEATURE_WIDE_CHAR_GROUPS``'s at the max level). On the ten text files against
  v18 (485,310 B without the stream headers): -218 B (news -79, book2 -65, book1
  -64); book1 and news took 21.4-23.2 s against v18's 22.4-22.5 s (three
  alternating rounds, with the SSE rows' prefetch in both). Tried with it: 4 bucket
  probes instead of 3, -36 B on the 14 files (dropped: it would change the max
  level's streams too).
- Since session 19 (the same streams as v17): a bit's learning (state and direct
  probability updates, the mixers', the SSE stages') is deferred to the top of the
  next bit's step, after the next nibble's hashes at a nibble's end and after the next
  byte's hashes at a byte's end, and the buckets and weight-set rows the next bit will
  read are prefetched (``_prefetch``, LLVM's prefetch intrinsic) before it runs, so
  their cache misses overlap that work. Alternating rounds on book1 and news (three runs):
  20.3-21.3 s against 22.4-23.6 s (about 0.91 x the time). Prefetching at the nibble
  alone: 0.95 x; also the first bit's weight rows at a byte's start: slower than without.
  Then (v18) the next bit's rows of SSE stages 1-3 as well: 21.6-23.7 s against
  23.6-24.0 s over five and six alternating rounds (about 0.96 x).
- Since session 20 (the same streams): each context's bit history and state map
  entry are read in a first pass over the contexts, which prefetches the state map
  rows, and the inputs computed in a second (book1 and news: 23.7, 23.7, 24.4 s
  against 24.2, 23.9, 25.0 s in alternating rounds, about 0.985 x).
- v20 (2026-12-05) measured with ``cm_code`` on the 14 files against v19 (600,375 B
  without the stream headers): ``FEATURE_EXPERT_MIXTURE`` at the default level
  (the learned mixture of every mixer output and SSE stage, no longer only the six
  of ``FEATURE_SSE_MIXTURE``) -235 B (obj2 -64, obj1 -40, pic -35, geo -29), in the
  time of v19's code within the noise (book1 and news: 24.9 and 24.2 s against
  25.5 and 23.6 s); ``FEATURE_ORDER4_SSE``, an SSE stage on the hashed order 4 with
  the partial byte as one more expert, -50 B more (-70 B as a seventh expert of
  the six; order 6 instead -43 B; order 6 as well -10 B more);
  ``FEATURE_GROUPS_WITH_COLUMN``, context 54 in text, -161 B more (599,929 B);
  ``FEATURE_QUOTES``, the open quotes in orders 0, 1 and 3 in text: on the ten text
  files against 484,817 B, order 1 -188 B, order 2 -95, orders 1 and 2 -166, 0 and
  1 -206, 1 and 3 -274, 0, 1 and 3 -287 (kept), 0, 1, 3 and 4 -103; the innermost
  open bracket in order 2 (with the quotes in order 1) +146. More text-only
  contexts (against 599,929 B): 51 -139 B, 52 -116, both -261, 44 -26; with 51 and
  52 book1, news, obj2 and pic took 1.11-1.13 x v19's time (two alternating
  rounds), so they are not in. In place of one context in text, with 51 on (the
  ten text files): 16 +526 B, 22 +110, 23 +102, 28 +123. Tried and dropped: the
  match model's probability as an expert (book1 +218 B); EXPERT_RATE 96 or 40 (-9
  and +46 B); 2^24 slots per context (book1 -107 B, book2 -33 B, for twice the
  tables). For speed, with the same streams: the context tables from numpy with
  transparent huge pages (book1: the same user time, 2.7 s of system time against
  0.7 s), or from a lazily zeroed mapping with the direct probabilities stored
  xor 0x8000 (more system time: 2.6 s against 1.8 s on six files).
- v21 (2026-12-05) changes the max level only; the default level's streams are v20's
  but for the version byte. Measured with ``cm_code`` at the max level on paper2,
  progc, obj2, trans and bib against v20 (103,531 B): the LSTM's two more hashed
  inputs, the last 2 and the last 3 bytes (lstm_kernel), -201 B (book1 with the
  next: -311 B); ``FEATURE_LSTM_MIXING``'s weight set chosen by the LSTM's likeliest
  byte -69 B more, its linear input -94 B more, the LSTM's stretch as a final-layer
  input -112 B more and the match model's -24 B more: 103,014 B in all (-517 B;
  book1 185,414 -> 185,058 B). Tried and dropped on the same files: the match
  model's expected byte as an LSTM input (+35 B); 384 LSTM units instead of 256
  (-28 B for 1.7 x the time); the LSTM's likeliest byte with the last byte as a
  context (-15 B, and +2 B once the final-layer inputs were in); an SSE stage on
  the LSTM's stretch with the partial byte, as an expert (-9 B); the likeliest
  byte's expected bit as an input (+7 B); the first final layer or the expert
  mixture's weights also chosen by the LSTM's probability class (+47 B, +22 B);
  weight set 10 also by whether the match model expects the same byte (+22 B);
  the small recurrent net's logit as a final-layer input (+17 B); LSTM_RATE 0.007
  or 0.008 (-48 and +51 B there, but book1 +221 B at 0.007); weight set 10 also by
  the LSTM's second-likeliest byte once the likeliest disagrees (103,014 B again).
- v22 (2026-12-06) changes the max level only. ``FEATURE_SECOND_LSTM``: a second
  LSTM of 256 units (lstm_kernel.LSTM2_HORIZON, LSTM2_HASH_BITS, LSTM2_SALT) as one
  more first-layer input and expert: on paper2, progc, obj2, trans and bib
  103,014 -> 102,675 B (-339 B; book1 185,058 -> 184,676 B, news 85,927 -> 85,782
  B), for twice the max level's time; its stretch as a final-layer input too
  102,638 B (book1 184,664 B). Tried on the same files: 128 units (-201 B instead
  of -339, for 1.4 x the time instead of 2 x); a horizon of 40 bytes with 2**14
  rows (-291 B), of 15 bytes (-17 B more there, but book1 +104 B); step sizes
  0.010 and 0.003 instead of 0.006 (-271 and -225 B); its probability as a linear
  input too (+12 B); weight set 10's rows also by whether the two nets' likeliest
  bytes agree (+25 B). (These used another salt, so the shipped streams differ
  by a few bytes.)
- v23 (2026-12-06) changes the max level in images only: the LSTMs sit out image
  mode (``lstm_live``), where they cost pic 22 B and 1.5 minutes at the max level
  (pic 21,150 B with them, 21,128 B with ``lstm`` off; 21,135 B in v23, at a fifth
  of the time). Other files' streams are v22's (paper2, obj2, geo checked).
- v24 (2026-12-06) gives contexts 10 and 21 (unused since v15) new meanings, at both
  levels. ``FEATURE_WORD_STEMS``, in text: the word with the previous word's stem, and
  with the stems of the two words before it (:func:`_stem`: without a final -ing, -ed,
  -ly or -s, then without a final e, so "make", "makes" and "making" share a context).
  ``FEATURE_ALIGNED_WORDS``, in binary data outside images: the last 16-bit word at an
  even offset with the one that followed its last occurrence, and that one with the
  last byte (obj2's 68000 code is made of 16-bit words). ``FEATURE_MATCH_DELTA``: once
  the match model has mispredicted a bit of a byte, the byte's other bits are predicted
  by the byte it expected with the partial byte (paq8px's delta mode), one more input.
  And at the max level the LSTMs' output layer steps 3 times as far as their other
  weights (lstm_kernel.LSTM_OUTPUT_STEP). Measured with ``cm_code`` at the default
  level on the 14 Calgary files against v23 (599,642 B without the stream headers):
  the stems on paper1, paper2, bib, book2 and news -234 B (book2 -181) and on book1
  -170 B; the aligned words obj2 -334 B (geo +7, obj1 -1); the delta input -107 B on
  the 12 files other than progp and trans (a copy with rounded map updates); the three 598,798 B (-844 B: obj2 -370, book2 -199, book1 -188). At the
  max level on paper2, progc, obj2, trans and bib (102,684 B) the output step alone
  -252 B, with the rest -435 B; book1 184,707 -> 184,212 B. Tried and dropped: as
  the stems' second context the word with the stem two back (-99 B against -234 B),
  with the word that followed the previous stem last time (-56 B), the previous stem
  with its suffix, the last byte and the word's length (-43 B); as binary contexts:
  order 2 and order 4 with the offset mod 2 and mod 4 (obj2 -37 B); as the second
  one the last two 16-bit words with their follower (-140 B), the word's last two
  followers (-228 B), the last 2 bytes with the follower (-202 B) against -334 B; the
  follower of the last two words as a third one (no change); a match input by the expected byte, the bit position and the
  last byte (no change); for images, a 2-D match model that follows the pixel after
  the last occurrence of a 28- to 60-pixel neighbourhood (pic -47 B, for more time
  there); the LSTMs' mean squares decaying at 0.998 or 0.9995 instead of 0.999 (-2,
  -88 B: obj2 -107, the text files worse); their input rows' steps x2 or x0.5 (-21,
  -37 B with the output step x3, against -252) and their recurrent weights' x2 or
  x0.5 (+98, -102 B); and a sweep of 13 constants one at a time at the default level
  (RUN_WEIGHT_INIT 1000 or 2000, RUN_LIMIT 255, EXPERT_RATE 52 or 80, BUCKET_PROBES
  4, the reciprocal rates 1/(n + 1.25) or 1/(n + 2), IMAGE_TABLE_BITS 22, P16_MIN 1
  or 2, TEXT_WINDOW 384, FINAL_LR 9: book1, book2 and pic each within 20 B of v23).
- v25 (2026-12-06) adds ``FEATURE_LINE_FIELDS``, context 58, in text: the line's first
  word (its bytes up to the first space, tab or colon, at most 16) with the current
  word, so that a news header's field ("Subject:", "Path:") or a bib line's %-tag
  predicts the words on its line. Measured with ``cm_code`` at the default level
  against v24: bib -129 B, news -83, paper1 -1, progc -5; book1 +20, book2 -18,
  paper2 +2, trans +2, progl -8, progp -7. Tried and dropped: the first word with
  the last 2 bytes (bib -63, news -59 B), with the word and the previous word (-7,
  -21 B), with the word and the column (-10, -31 B).
- v26 (2026-12-06) adds 15 text contexts at the max level only (the default level's
  streams are v25's but for the version byte), after paq8px's word and line models:
  ``FEATURE_WORD_RECENCY`` (59-63: the word with how long ago, log2 bytes, it last
  ended as a whole word; with the position / 1,024 and / 8,192; the last 2 bytes with
  the position / 1,024; the word with the number of blank lines so far),
  ``FEATURE_WORD_SHAPE`` (64-67: the kinds of the word's last 4 letters, and its last
  2 letters, each with its length, whether it has ended whole before and whether the
  last 2 bytes are capitals; the kinds of the last 10 bytes with the last byte and
  with bytes 2-3), ``FEATURE_LINE_HISTORY`` (68-69 and 72-73: order 1 within the
  line; the line's first word with the last byte; the byte above with whether the
  one before it matched the last byte; the byte above with the run of bytes that
  matched the line above) and ``FEATURE_SKIP_WORDS`` (70-71: the word with the last
  byte and the word 3 back, and with the previous word too). Measured with
  ``cm_code`` at the max level without its LSTMs on bib, book2, news, paper1, paper2,
  progc, progl, progp and trans (295,002 B at v25), one group or context at a time:
  the word with the position / 1,024 -445 B (news -240, book2 -151), the letter
  kinds -484 B, the whole-word recency -148 B, the line's order 1 and first word
  -130 B, the skip words -165 B, then on top of those the word with the position /
  8,192 -111 B, the last 2 letters with the shape -147 B, the byte kinds -155 B, the
  last 2 bytes with the position / 1,024 -78 B, the paragraph -96 B and the byte
  above -154 B: 293,083 B in all (-1,919 B, -0.65%). With the LSTMs, on paper2,
  progc, obj2, trans, bib, news and book1 (without the byte above): 371,962 ->
  370,913 B (news -694, book1 -242), for 3% more time. Tried and dropped: the gap
  between two words with the word (+29 B), the last 5 words (-47 B), the position /
  512 instead of / 1,024 (+73 B), / 4,096 or / 16,384 instead of / 8,192 (+3, +26 B),
  the word pair with the position / 4,096 (-34 B), the word's capitalisation (+24 B),
  the last 3 letters with the shape (-29 B), the last keyword (a word before : or =)
  with the word (-25 B), the column with the byte kinds (-16 B) or with the line's
  first byte and the last group (+2 B), order 3 with the position / 4,096 (-29 B),
  the word with the position / 65,536 (+40 B), the letter kinds with the previous
  word (-38 B), the word with the previous word's recency (+56 B), the word weight
  set chosen between words by the kinds of the last 6 or 4 bytes (-88, -68 B), or in
  a word by the word with whether it has ended whole before (+20 B); and in images six
  byte-level contexts over the bytes above (pic -47 B in all). Their code runs in
  :func:`_text_context_hashes` and :func:`_next_text_state`: inlined in the loop it
  slowed the default level by about a tenth though it never ran there.
- v27 (2026-12-06) changes the max level only, in images and in binary data (the
  default level's streams are v26's but for the version byte).
  ``FEATURE_IMAGE_TEMPLATES`` (:func:`_image_template_contexts`): 2-D contexts 18-27,
  the run of the last pixel's colour in its row with how far right the row above
  changes colour and how far left the pixel above's colour runs (a fax page is long
  runs; CCITT's reference line), the same with the change two rows up, and wider
  templates (12 + 20 + 20 pixels; 6 + 10 + 10 + 10 + 6; 3 + 3 + 14; 8 + 13 x 3 + 11 x
  2 over six rows), and four that reach further up (3 pixels of rows 4-8; 4 pixels of
  rows 3-7 with 4 of rows 0-2, hashed; 7 pixels of rows 1-8; 2 pixels of each of the
  16 rows above); in images the ninth weight set is chosen by the run context, the
  first final layer by the run and the change above, and weight sets 1 and 2 (the
  partial and the last byte elsewhere) by 8 pixels 5-7 and 2-4 rows up. ``FEATURE_CODE_WORDS``
  (:func:`_code_word_hashes`): in binary data contexts 59-64 (text contexts in text)
  read 16-bit words at even offsets: the word two back, and three back, each with the
  current word's first byte; the word two back's high byte with the last word's, and
  the word two back with the last word's top 4 bits; the high bytes (68000 opcodes) of
  the last three words; bytes 1-2 with bytes 7-8. Measured with ``cm_code`` at the max
  level without its LSTMs. On pic (21,124 B at v26), each alone: the run with the
  change above and the run above -47 B, 12 + 20 + 20 pixels -61, six rows -50, 6 + 10
  + 10 + 10 + 6 -52, 14 pixels two rows up -39, 16 of the row above with 4 of the
  row -37, 16 + 24 + 16 + 12 -19; the run with the 3 pixels above -16; four of them
  together -202, the weight set by the run -53 more, the run with the change two rows
  up -16 more, the final layer -24 more: 20,829 B (-295); then weight set 2 by 4 + 4
  pixels 2-3 rows up -73 B, by 3 + 3 + 2 pixels 2-4 rows up -91, by 8 pixels of the
  row above +28, by the 8 of the row before its last 8 -23; and weight set 1 beside
  it by 3 + 3 + 2 pixels 5-7 rows up -70 B more (beside the 4 + 4: by 4 + 4 pixels
  4-5 rows up -52, by the row's 8 before its last 8 -26): 20,669 B (-455 in all).
  Then the contexts that reach further up, each alone: rows 4-8 -108 B, rows 3-7
  -148; both -205, with rows 1-8 -247, with the 16-row column -311: 20,358 B (-766
  against v26, a third of the way to paq8px -8's 19,624 B). On obj1, obj2 and geo
  (93,143 B), each alone: the word two back with the first byte -152 B, bytes 1-2
  with 7-8 -59, bytes 2 and 6 -24, bytes 1 and 4 -5, the 16-bit order 2 +17, order
  3 with the position mod 4 +18; on top of the first two (92,923 B) the high bytes
  -70, the top 4 bits -40, the word three back -32, the opcodes -39 more: 92,778 B
  (obj2 43,362 -> 42,978, geo +17, obj1 +2). All 14 files: 594,786 -> 594,151 B
  (-635; trans +22, its escape sequences make most of it binary data). Then the code
  words only while one of the last :data:`CODE_WORD_REACH` bytes is outside text: -40 B more
  on obj1, obj2, geo and trans (trans 11,520 B, v26 11,519). With the LSTMs, before
  that: obj2 41,785 -> 41,584 B (-201), trans +15. Tried and dropped: a third LSTM (256 units, a
  horizon of 40, 2**14 rows; -58 B on paper2, progc, obj2, trans and bib, 102,029 B,
  for 1.33 x the time); the ninth weight set in images by 16 neighbouring pixels (-7
  B against -53), the expert mixture's weights by the change above (-8 B), the run
  above to the right (-1 B); the word that followed the word two back (-7 B), the
  last word with its follower (+5 B); the escape byte read as text (trans +22 B).
- v28 (2026-12-06) changes the max level only (the default level's streams are v27's
  but for the version byte). ``FEATURE_SLOW_MIXERS``: the max level's first-layer
  weight sets learn more slowly and start smaller (:data:`SLOW_MIXER_RATES`: from 40
  instead of 64 down to 4, half-life 384 uses instead of 512; weights start at
  :data:`SLOW_MIXER_WEIGHT_INIT` 1200 instead of 2000, the run inputs' at 1000 instead
  of 1500). Its mixers have 1.5 to 1.7 times the default level's inputs (74 contexts
  against 49; in text 272 inputs against 162), and the rates were tuned at the default
  level (v11, v16), where MIXER_LR_MAX 48 cost 192 B.
  Measured with ``cm_code`` at the max level without its LSTMs on the 14 files (v27:
  593,641 B), one constant at a time: MIXER_LR_MAX 48 -840 B, 40 -1,077, 32 -1,093,
  80 +1,133; MIXER_LR_HALF 384 -421, 768 +732; WEIGHT_INIT 1500 or 1200 -103; FINAL_LR
  6 or 10 +2, +71. Together: (3, 40, 384) with weights from 1500 -1,501 B, (4, 40, 384)
  from 1200 -1,461, (3, 32, 512) from 1500 -1,462, (3, 24, 512) from 1500 -1,137;
  then on top of the first, the run inputs from 1000 -93 B (from 600 -106), the
  lowest rate 2 +77, the dead zone 2 or 5 units +17 and +16, EXPERT_RATE 48 or 96 +33
  and -18. With the LSTMs, on paper2, progc, obj2, trans and bib (v27: 101,831 B): (3,
  40, 384) from 1500 -161 B but obj2 +54, (4, 40, 384) from 1200 -209 B (obj2 -3), so
  v28 has the second, 592,076 B without the LSTMs (-1,565; every file gains, book1
  -369, book2 -284, news -217, bib -128), and in text the lowest rate 3
  (:data:`SLOW_MIXER_TEXT_RATES`): book1, paper2, bib, news and trans -145 B more
  without the LSTMs (book1 -118), book1 -102 B with them: v28 writes 591,897 B there
  (-1,744), where a highest rate of 36 or a half-life of 320 costs 31 or 30 B. Tried and
  dropped: the LSTMs' stretches
  doubled or x1.5 as mixer inputs (-47, -48 B there, obj2 only); per context the
  last three different bytes seen in it (paq8px's byte history), whose bits at the
  bit position, with the bit history's state or whether it is deterministic, index two
  more adaptive maps as two more inputs per context (paper1 and progc +278 B, +28 B
  with the inputs / 4, -4 B for orders 0-8 only); a logistic mixer of the experts'
  stretches, by the order, averaged with the learned linear mixture (+173 B).
- v29 (2026-12-06) changes the max level only (the default level's streams are v28's
  but for the version byte), with three components. ``FEATURE_FINE_MIXERS``: the
  first-layer weights keep :data:`FINE_MIXER_BITS` (4) more fraction bits, so that
  v28's small steps are not rounded away, and in text their rate falls from 36 to 2
  (:data:`FINE_MIXER_TEXT_RATES`). ``FEATURE_SSE_CHAINS``: :data:`NUM_CHAINED` more SSE
  stages, experts of the final mixture, whose input is another stage's output (after
  paq8px): the order-0 stage's, by orders 3 and 4 hashed with the partial byte; the
  mean of the mixer's and the orders 1-3 stages', by the match model's expected byte
  with its length and the order, and by the word; they learn at 2**-3
  (:data:`CHAINED_RATE`), and the mixture's weights are then chosen by the order up to
  5 (:data:`CHAINED_EXPERT_SETS`). ``FEATURE_ORDER2_MIXER`` (bit 15, free since v15):
  an eleventh weight set, in text by the last 2 bytes hashed with the partial byte,
  elsewhere by the match model's expected byte, length class and bit position.
  Measured with ``cm_code`` at the max level without the LSTMs on the 14 files (v28:
  591,897 B), in order: the 4 fraction bits -13 B (2 bits -13); then in text the
  lowest rate 2 -90 B (1: +45; 6 fraction bits: -1 more), and the highest 36 -36 B
  (32: -35; 36 outside text too: +33): 591,758 B. On top of the rate 2 (591,794 B):
  chained stages, 1 (order 3) -84 B, 2 (and the expected byte) -123, all 4 -165; an
  eleventh weight set by the order-2 hash -151 B, by the expected byte -62, by the
  order-3 hash -131. Together (the order-2 set in text, the expected byte elsewhere,
  4 stages): 591,398 B; then the stages' rate 2**-5 -80 B, 2**-4 -162, 2**-7 +63;
  with the mixture's weights by the order up to 5 (up to 2, 3, 4: -20, -33, -44 B; by
  the order with the bit position +402 B, with the match state +184) and the rate
  2**-3 (2**-2: +16 B): 591,169 B (-728 B against v28; book1 -287, book2 -184, news
  -95, obj2 -73; progl and progp +4). Each component off, the others on:
  ``fine_mixers`` +131 B, ``sse_chains`` +395, ``order2_mixer`` +173. With the LSTMs (the stages at 2**-6 and without the capped
  order): book1 183,646 -> 183,519 B, paper2, progc, obj2, trans and bib 101,567 ->
  101,545 B: the nets' inputs take part of the gain, as in v28. Tried and dropped:
  mixer rates normalised by the inputs' energy (NLMS; the rate x mean energy / this
  bit's, clipped to 1/4..4: +5,870 B; its square root +1,047; the inverse square root
  +1,738); the final layers with 4 more fraction bits (+23 B); an SSE stage after
  the expert mixture, averaged half and half (by the partial byte +565 B, by order 1
  +80); a twelfth weight set by the order-3 hash (order 2 outside text; -3 B); a
  fourth final layer by the order-2 hash (+43 B); EXPERT_RATE 96 (-30 B, but the default
  level shares it); with the LSTMs, a fifth chained stage on the LSTM's output by the
  order-2 hash (book1 +7 B).
- v30 (2026-12-06) shortens every stream and changes the max level. The coder ends with
  one byte (x1's top byte + 1, which the interval holds; the decoder reads
  :data:`FLUSH_ZEROS` zeros past it) instead of x1's 4 bytes, and ``cm``'s header
  shrinks from 18 bytes to 5 for a Calgary file (the length in LEB128, the table size
  and the level's component set in one byte): 16 B a stream, 224 B on the 14 files at
  either level; the default level's predictions are v29's. Components past bit 63 go
  in a second features word (``more_features``). At the max level,
  ``FEATURE_WARM_ROWS`` (the second word's bit 0): a new row of weight set 4 or 10 (the
  LSTM's) starts 3/4 of the way from the initial weights to weight set 1's row of the
  moment, and of sets 9 and 11 to set 4's (:func:`_warm_row`), so that hashed rows
  seen once or twice start from what the partial byte's row has learned; and ``FEATURE_SSE_CHAINS``
  has :data:`NUM_CHAINED` 8 stages instead of 4: order 2 on the order-0 stage, order
  4 and the column on the mean, and the last 8 bytes on the order-4 stage's output.
  Measured with ``cm_code`` at the max level without the LSTMs on the 14 files (v29:
  591,169 B of coded bits; v30's end alone: 591,127): halfway warm rows for sets 4, 9
  and 11 -88 B (every file gains; a full copy -72: small files gain more, book1 and
  book2 lose; sets 9 and 11 from set 1 without set 4 -43; sets 5-8 from set 1 too -2
  more); the two stages on orders 2 and 4 -66 B, all four -90; together 590,948 B of
  v30 bits; 3/4 of the way -19 B more (1/4: +42): 590,929 B (-240 B, -198 without the
  shorter end). With the LSTMs, on paper2, progc, obj2, trans and bib (v29: 101,499 B
  of coded bits): 101,432 B (-67, -52 without the shorter end), and set 10 warmed from
  set 1 too: 101,423 B. Tried and dropped: final layers 2 and 3 starting a new row from the
  first final layer's (-8 B, a copy or halfway); a twelfth weight set by the order-3
  hash warmed from set 11 (+1 B).
- v31 (2026-12-06) changes the max level only (the default level's streams are v30's
  but for the version byte). ``FEATURE_WORD_CHAINS`` (the second word's bit 1, with
  ``FEATURE_SSE_CHAINS``): :data:`NUM_WORD_CHAINED` (8) more chained stages, keyed by
  the words (:func:`_chain_stage`). On the mean of the mixer's and orders 1-3 stages'
  outputs: the word with the previous word, the last 3 words, the word with the word 2
  back and 3 back, the previous word with the last byte, the line's first word with
  the column; on the order-0 stage's output: the last 2 words, and the word. Measured
  with ``cm_code`` at the max level without the LSTMs on the 14 files (v30: 590,929 B):
  the bigram and the line's first word -136 B (book1 -55, news -32, book2 -25); with
  the trigram and the word 2 back -221; with the word 3 back and the bigram on the
  order-0 stage -247; all 8: 590,616 B (-313; book1 -132, book2 -82, news -55, obj2
  -17, bib -11). With the LSTMs, book1 183,512 -> 183,437 B (-75). Tried and dropped:
  4 more stages (the line's first word with the word, the word with the column, the
  last 2 bytes with the position mod 4, the trigram on the order-0 stage: -18 B); the
  last 6 bytes on the order-4 stage and the case-folded last 4 bytes on the order-0
  stage (-56 B on v30, less than the word stages); the trigram on the bigram stage's
  output (-15 B on top of the trigram).
- v32 (2026-12-06) changes the max level only (the default level's streams are v31's
  but for the version byte). ``FEATURE_SSE_CHAINS`` gets a ninth stage on the mean:
  in images by 6 + 6 + 4 pixels of this row and the two above, elsewhere by the last
  6 bytes; and the word stages learn at 2**-4 (:data:`WORD_CHAINED_RATE`) instead of
  2**-3. Measured with ``cm_code`` at the max level without the LSTMs on the 14 files
  (v31: 590,616 B): the rate 2**-4 -42 B (2**-5: +6 B against v31, 2**-2: +85 B); the
  stage -30 B (book1 -13, geo -4, obj2 -4, pic -3; by 8 + 8 pixels, the last 2 bytes
  with the position mod 4 elsewhere: -6 B); both: 590,554 B (-62 B).
- v33 (2026-12-06) changes the max level only (the default level's streams are v32's
  but for the version byte). ``FEATURE_DMC`` (the second word's bit 2): a forest of
  :data:`DMC_MODELS` DMC models (dynamic Markov coding, Cormack and Horspool 1987; a
  forest of them with different thresholds, as in paq8px). Each is a bit-level state
  graph that starts as order 1 (:func:`_dmc_start`) and clones a state when a busy
  transition leads into it (:func:`_dmc_update`), so that it grows contexts of any
  length where the data repeats; it predicts from its state's decayed counts and bit
  history (:func:`_dmc_stretch`). The 8 restarting models' predictions enter the
  mixer averaged in pairs, the 2 lasting ones' one by one, at half scale
  (:data:`DMC_INPUTS`); the forest sits out images, as the LSTMs do. Measured with
  ``cm_code`` at the max level without the LSTMs on the 14 files (v32: 590,554 B):
  6 inputs at full scale 589,393 B (-1,161), at half scale 589,218 (-1,336), at a
  quarter 589,538; 4 inputs (the restarting models averaged in fours) 589,277 at full
  scale, 589,316 at half; each model's counts and history as 20 inputs 590,618
  (+64); twice the node budgets -46 B more (not kept: twice the memory); sitting out
  images (pic as in v32, and its time saved): 589,221 B (-1,333; book1 -545, book2
  -322, news -194, paper2 -59, bib -49, trans -43, obj2 -41). With the LSTMs, book1
  183,416 -> 183,236 B (-180) and paper2, progc, obj2, trans and bib 101,402 ->
  101,278 B (-124): the nets take about 60% of the gain. Around the shipped forest,
  each alone: the counts decaying by 1/32 a bit instead of 1/64 +53 B, by 1/128 -9 B;
  the lasting models at full scale +48 B; the prediction from the counts alone +28 B,
  2 parts counts to 6 parts history +83 B. Tried and dropped: two more chained SSE
  stages keyed by the lasting models' current states (pic -9 B, the rest within 1 B).
- v34 (2026-12-06) changes the max level only. ``FEATURE_SPARSE_MATCH`` (the second
  word's bit 3): :data:`SPARSE_MODELS` sparse match models (after paq8px's
  SparseMatchModel, whose four read patterns they take: the last 5 bytes with letters
  in either case, the 4 before the last byte, 4 bytes every second one back from the last
  in either case, and the low nibbles of the last 5). Each hashes its pattern into a table of
  positions; with no match running, the models are tried by recency of their last
  match, and a candidate counts when every byte of its pattern agrees under the mask
  (:func:`_sparse_step`). The match then expects the byte that followed, for the bits
  its mask covers, until one of them misses. :data:`SPARSE_INPUTS` mixer inputs
  (:func:`_sparse_inputs`): three from the expected bit and the length, and two
  adaptive maps, hashed by the expected byte with the partial byte, the last two bytes,
  the length's class and the model, and directly by the expected byte's disagreement
  with the partial byte, the last byte and the bit position (:func:`_sparse_learn`).
  Measured with ``cm_code`` at the max level without the LSTMs on the 14 files (v33:
  589,221 B): 588,961 B (-260; obj2 -52, news -43, book2 -41, book1 -35, obj1 -35,
  trans -15, pic -10). Predicting only from a match's second byte on (as paq8px does)
  588,966 B; the two maps' probabilities as two more linear inputs, no change
  (book1 -1 B, the rest within 2 B); two more patterns (a stride of 4, an offset of
  2) 588,947 B, noise-level; the match's expected byte as the context of chained SSE
  stage 1 when the match model has none, +11 B. With the LSTMs (bench run T, 14
  files): 582,101 -> 581,906 B (-195).
- v35 (2026-12-07) changes the max level only. ``FEATURE_BYTE_HISTORY`` (the second
  word's bit 4): each context's byte history, as paq8px's ContextMap2 keeps it. Beside
  the run model's byte (the last one seen in the context), a table beside the
  first-nibble buckets keeps the two distinct bytes seen there before it. Their bits
  at the bit position, under a flag of how many are known (:func:`_history_key`),
  index two adaptive maps per context, one with whether the bit history has seen both
  bit values, one with its state: :data:`BYTE_HISTORY_INPUTS` more mixer inputs per
  context, at half scale. ``FEATURE_COARSE_INDIRECT`` (bit 5), in binary data:
  contexts 74 and 75, indirect as 16 and 17 are, keyed by 5 bits of each of 3 bytes
  (after paq8px's IndirectModel): the 2 bytes that last followed the same low 5 bits
  of the last 3 bytes, and the same high 5 bits of bytes 1, 3 and 4 back. Measured
  with ``cm_code`` at the max level without the LSTMs on the 14 files (v34: 588,961
  B): both 588,491 B (-470; obj2 -163, geo -156, news -55, book1 -47, obj1 -45,
  book2 -36; paper2 +16, paper1 +12). The byte history alone at half scale 588,545
  (-416), at a quarter 588,674, at an eighth 588,790; with paq8px's third input, the
  second byte's bit while the partial byte agrees with it and not with the run's
  byte, 588,707 at a quarter (text files lose, obj2 gains); all three at full scale
  589,556 (+595: text loses). The coarse indirect contexts alone 588,890 (-71); in
  text too 588,897 (text loses what binary data gains). Tried and dropped: the
  distance to the previous occurrence of the last byte, and of the last two
  bytes (log2), with that byte or those bytes (paq8px's RecordModel): 589,016 (+55);
  around v35, the second map keyed by a 32-way group of the state instead of the
  state, -17 B (noise level); the state map's probability as one more, linear input
  per context (paq8px's second), +6,686 B. With the LSTMs (bench run U, 14 files):
  581,906 -> 581,694 B (-212; obj2 -105, geo -69, obj1 -34, news -28; book1 +9).
- v36 (2026-12-07) changes the max level's images only. ``FEATURE_IMAGE_ROWS`` (the
  second word's bit 6): in images, rows that elsewhere come from the bytes, the words
  or the LSTM's byte come from pixels. Each chained SSE stage but stage 8 is keyed by
  one of the image contexts (:data:`IMAGE_CHAIN_CONTEXT`); weight sets 10 (the LSTM's
  set, by the order-0 row in images until v35) and 11 (by the partial byte or the
  match) choose their rows by pixels (:func:`_image_mixer_rows`); and the expert
  mixture its weights by whether the 40 nearest pixels are all clear, else by the
  pixels to the left and straight above. Measured with ``cm_code`` at the max level
  on pic, where the LSTMs sit out (v35: 20,335 B): the chained stages' rows 20,247
  B; with weight set 10's 20,202; with set 11's, as a pyramid of 4 + 5 + 3 + 2 + 1
  pixels in 5 rows, 20,193; with the mixture's weights 20,180; with set 11 by 12 + 4
  pixels instead of the pyramid, 20,175 (-160 in all). Without the LSTMs' components
  (v35: 20,323 B), by which stages take pixels: the word stages and stage 3, 20,260;
  with stages 2, 4, 5 and 6, 20,242 (all of those on the order-0 input, +27 B); with
  0 and 7, 20,239 (all on the mean, +4 B); with 1, 20,237. Tried and dropped (each
  against the step before): weight set 10 by 3 + 5 + 3 + 2 pixels in 4 rows, +29 B;
  the second final layer by pixels, -1 and +2 B; SSE stage 0 by 4 + 4 pixels, -7 B;
  SSE stage 4 by 10 + 6 pixels, 0 B; the expert mixture's 6th set for all 40 pixels
  set, +1 B; the word stages' rows in binary data by bytes 1 and 3, 3 and 4, 2, 2-4
  and other masks, the byte above and the last 6 bytes, -8 B on obj1, obj2 and geo
  together. With the LSTMs (bench run
  V, 14 files): 581,694 -> 581,534 B (-160, all on pic; the other files unchanged).
- v37 (2026-12-07) changes the max level only. ``FEATURE_CONTEXT_SETS`` (the second
  word's bit 7): seven more first-layer weight sets, whose outputs the final layers
  take beside the other eleven sets' (``MAX_MIX`` 21), each of 2**(table_bits - 7)
  rows (2**16 from 256 KiB on) chosen by a hashed context with the partial byte: in
  text by the text's state (:func:`_text_set_rows`, after the weight sets paq8px's
  text model chooses), in images by seven 2-D contexts (:data:`IMAGE_SET_CONTEXT`),
  in binary data by bytes (:func:`_binary_set_rows`). And in images (with
  ``FEATURE_IMAGE_ROWS``) the chained stages learn at 2**-2 instead of 2**-3 (the word
  stages' 2**-4) and SSE stage 0 is keyed by 4 pixels to the left and 4 above with
  the recent misses. Measured with ``cm_code`` at the max level, each against v36
  (2**14 rows per set until the last step). Without the LSTMs' components, on paper2,
  progc, trans, bib, progl and news (155,138 B): 3 text sets (the groups, the
  sentence, the previous word) 154,698 (-440, news -338); 5 (with the brackets and
  the line's first word) 154,566; 7 154,514 (-624; trans +21). On obj1, obj2 and geo
  (91,982 B), the sets in binary data too: 91,913 (obj2 -96, obj1 +14, geo +13).
  With the LSTMs: news 84,389 -> 84,123 B and paper2 19,706 -> 19,687 (3 text sets);
  book1 183,226 -> 183,086 and trans 11,232 -> 11,254 (7). On pic (20,175 B): the
  stages' rate and stage 0's pixels 20,154; with the 7 image sets 20,073 (by 2-D
  contexts 12, 16, 19, 23, 21, 9 and 13 instead: 20,097; by 0, 3, 6, 8, 15, 24 and
  26: 20,086); with the binary sets at the file's start, 20,081. 2**16 rows instead
  of 2**14: news -36 B, paper2 -1 (without the LSTMs); as 2**(table_bits - 7): obj2
  -11, pic -5, obj1 +2, paper1 +2, progc +5, progp +4. Tried and dropped: the LSTMs'
  step falling faster from a higher start (0.008 halving after 2,000 updates toward
  0.2 of it, or 0.01 after 1,000; on paper2, progc, obj2, trans and bib, 101,130 ->
  101,187 B both, obj2 +73 and +94); in images, the pixel counts halved past 4,095
  (+2 B) or the 2-D contexts' state maps' count limit 255 (+14 B). With the LSTMs
  (bench run X, 14 files): 581,534 -> 580,419 B (-1,115; news -380, book2 -255,
  book1 -146, pic -99, progl -80; obj1 +15, trans +10, geo +7).
- v38 (2026-12-07) changes the max level only. ``FEATURE_QUICK_START`` (the second
  word's bit 8): the final layers' rate starts at FINAL_LR_START (24) and falls toward
  FINAL_LR, in text toward MAX_TEXT_FINAL_LR (6), halfway there after
  FINAL_LR_HALF_BYTES (4,096) bytes; each knot of the SSE stages learns at 1/(n + 1.5)
  after n updates until that reaches 2**-APM_RATE (:func:`_sse_count_update`). And
  ``FEATURE_CONTEXT_SETS`` gains an eighth set, chosen by the order (as the second
  final layer's) with the partial byte, and each set has 2**(table_bits - 4) rows
  instead of 2**(table_bits - 7), still at most 2**16. Measured with ``cm_code`` at
  the max level without the LSTMs' components, each step on top of the one before. On
  paper2, progc, trans, bib, progl and news (v37 154,457 B): the final layers' rate 6
  in text with the sets at 2**16 rows 154,420; the eighth set 154,408; the falling
  final rate 154,371; the SSE knots' counts 154,349 (-108 in all; news -33). On obj1,
  progc, progp, paper1 and trans (47,067 B) 46,978 (-89; obj1 -22, paper1 -21); on
  obj2, geo and pic (104,531 B) 104,465 (-66; geo -31, obj2 -19, pic -16). The final
  rate's start and half-life against 24 and 4,096 bytes, on the five small files: 40
  and 8,192 +25 B, 16 and 32,768 +6 B. Tried and dropped: a linear input per context,
  its state map's p - 1/2 (paq8px's ContextMap2 has one; +56 B on the six files); the
  context state maps also keyed by the bit position (+137 B); exact bit histories up
  to 3 or 4 bits in the state machine (223 or 237 states; within 2 B of v37 on paper2,
  progc, trans, bib and progl); an eighth set by the partial byte at 6 times the rate
  (-15 B, against the order's -12, not tried together); the final layers' rate 6
  outside text too (obj2 +34, geo +14, obj1 +4); with the LSTMs, a third LSTM (a
  horizon of 40 bytes, 2**12 rows per hashed input) on paper2, progc, obj2, trans and
  bib: 101,013 -> 100,951 B (-62, obj2 -54) for 1.35 times the time; 2**24 slots on
  book2 (-28 B without the LSTMs, for 1.9 GB more). With the LSTMs (bench run AB, 14
  files): 580,419 -> 580,194 B (-225; book1 -80, geo -24, pic -24, book2 -18; obj2 +3).
- v39 (2026-12-07) changes the max level only. ``FEATURE_TEXT_CONTROLS`` (the second
  word's bit 9): ESC and backspace count as text, and a NUL as the last other byte
  did, in deciding text mode. trans is a terminal session whose escape sequences and
  NUL padding kept 90% of it out of text mode (10.4% of its bytes were coded as
  text; 99.5% now; obj1 15%, pic 9%, obj2 and geo none). ``FEATURE_BINARY_MASKS``
  (bit 10): contexts 76-79 in binary data, after paq8px's sparse bit contexts and
  flags: the last 4 bytes with each byte's low 3 bits dropped (the 68000's register
  fields), a register of two flags per byte over the last 16 bytes (equal to the
  byte 4 before it; zero) alone and, for the last 4 bytes, with the top 11 bits of
  the last 4 bytes, and bytes 2-3's high nibbles with the last byte.
  ``FEATURE_LINE_HASHES`` (bit 11): contexts 80-82 in text, the line so far (a hash
  of its bytes), it with the previous line's, and the previous line's with the
  column and the last byte (paq8px's line model). Measured with ``cm_code`` at the
  max level without the LSTMs' components, each against v38. The text mode: trans
  11,350 -> 11,226 B, obj1 +2, pic -3; ESC and backspace alone as text, trans +34;
  NUL always as text, trans -124 and obj1 +1, but pic 17% text. The masks, on obj1,
  obj2 and geo (91,832 B): the first three contexts -213 B, all four -240 (obj2
  -185, geo -33, obj1 -22). The line contexts, on paper2, progc, bib, progl, progp,
  paper1, trans and news (173,501 B): -97 B (bib -38, news -29, progl -17, progp
  -15). Together, on obj1, trans, obj2, geo, pic, progl, bib and progp (159,519 B):
  159,064 B (-455). Tried and dropped: paq8px's word contexts with the separator
  (a hash of the non-word bytes between two words): the word with the separator
  before it, with the previous word as well, and the separator with the previous
  two words and separators (paper2 -4, progc +3, bib, progl and progp +1 in all).
  With the LSTMs (14 files, each file's max-level stream encoded once): 580,194 ->
  579,782 B (-412; obj2 -136, trans -132, bib -33, geo -29, news -28; book1 +5).
- v40 (2026-12-07) changes the max level only. ``FEATURE_INDIRECT_HISTORIES`` (the
  second word's bit 12): contexts 83-87, everywhere but in images, the bytes that
  followed a short context's last occurrences (after paq8px's IndirectModel; contexts
  16, 17, 47 and 48 already hold 1 or 2 of them): the 4 bytes that followed the last byte,
  alone and 3 of them with the last byte; the 2 and the 4 case-folded bytes that
  followed the last 2 case-folded bytes, and the last of them with the last byte
  (:func:`_history_context_hashes`). Measured with ``cm_code`` at the max level
  without the LSTMs' components, against v39 (obj2, trans, paper2, progc, bib and
  progl: 111,861 B): 111,728 B (-133; obj2 -81, trans -47, progl -17; paper2 +9,
  bib +2, progc +1), geo +1. The last byte's 4 followers alone on obj2, trans and
  paper2 -68 B, the case-folded ones alone -82. Tried and dropped (each against
  v39): the 2 bytes that followed the hashed last 4 bytes, with the last byte (obj2
  -10, trans -9, paper2 0); six more in binary data (the byte that followed the last
  2 bytes, alone and with them; the byte that followed the last byte alone; the 2
  bytes that followed the high nibbles of the last 4 bytes, with them; the 2 and the
  4 case-folded bytes that followed the last 3 case-folded bytes): obj2 -43 B more
  (obj1 -11 with all eleven), but geo +19 (+5 with the six alone); used everywhere,
  paper2 +9, bib +16 and progc +8 more. With the LSTMs (14 files, each file's
  max-level stream encoded once): 579,782 -> 579,689 B (-93; obj2 -68, trans -45, news
  -17, progl -16; book1 +23, paper2 +12, geo +9): the nets already carry most of what
  the new contexts tell prose.
- v41 (2026-12-08) changes the max level only: in images the first-layer weight sets'
  rate falls to 6 instead of 4 (SLOW_MIXER_IMAGE_RATES). Measured at the max level,
  pic 20,042 -> 20,028 B (-14); a floor of 3 +16 B; the final layers' rate in images
  12 or 5 instead of 8: +11 and -2 B. Tried and dropped, at the max level with the
  LSTMs: the first LSTM's hashed inputs at 2**15 rows in files of 64 KiB or more
  (14 files, each stream encoded once: -23 B; book2 -24, news -38, progl -6; book1
  +28, obj2 +21) for about 500 MB more; and without the LSTMs' components, against
  v40 on obj1, progc, progp, trans, progl, paper2, bib and obj2 (125,726 B): the main
  match model's confidence also keyed by whether the other match models agree with
  its bit (-1 B), one more input keyed by how many match models expect a 0 and a 1,
  the longest one's length and its bit (-10 B), the match models' confidences
  learning at 1/(n + 1.5) until 3/128 (0 B); all three -12 B. With the LSTMs (14
  files): 579,689 -> 579,675 B, pic's stream alone changed (checked on obj1, obj2,
  geo, trans, news and book1; the other text files never leave text mode).

v7 as a whole against v6 on the development subset (book1, paper1, obj2, geo,
pic, progc; ``cm_code`` directly, quiet box, 2026-12-02): 336,483 -> 328,242 B
(-2.45%; book1 193,133 -> 191,741, obj2 50,398 -> 45,296, geo 45,024 ->
43,933), at 65.6 instead of 92.6 KB/s per CPU second (1.41x the time). The
levers were measured one by one against v6 (below); together they overlap,
and the 14-file figures are in bench/RESULTS.md.

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

What v7's contexts bought against v6 (``cm_code`` directly, 2026-12-02):
book1 -580, paper1 -32, obj2 -2,332, geo -256, pic -35, progc -39 B (dev
subset 336,483 -> 333,209 B, -0.97%); book2 -301, news -240, bib -58, obj1
-115, trans +89 B; CPU time on those 11 files the same (+0.6% in an
interleaved A/B: book1 -9%, with five fewer lookups, obj2 and geo +34%). Per part, each alone on paper1, paper2, progc, bib, trans,
obj2 and geo (and on book1): the word-position context -104 B (book1 -354),
the sentence flag -64 B (book1 -154); the 9 gated binary contexts -2,500 B on
obj2, geo and obj1 and nothing on text; gating the record contexts off in
text -112 B on book1, paper2, bib and progc; dropping orders 12 and 16 -64 B
more on those four; then dropping the folded order-3 context -27 B on the
screening set (book1 -27) and skipping four text contexts in binary data -125
B on obj2, geo, obj1, trans and pic. Tried and dropped: the two previous words without the
current one (-3 B), quote/bracket nesting with the word (-68 B, book1 -48),
a digit-run context (+68 B), the byte above with the word (+17 B), the order-3
context with the position mod 4 (+41 B over the binary set), bytes -4 and -8
with the position mod 4 (-6 B given bytes -4, -8, -12), bytes -2..-4 (+23 B
over the binary set); removing order 3, 6 or 8 (book1 +94, +120, +70 B).

What each v6 lever bought, measured alone against v5 on a development subset
(book1, paper1, obj2, geo, pic, progc: 1,723,173 bytes, 338,360 B under v5;
``cm_code`` directly, 2026-12-02): the deterministic inputs -1,047 B (book1
-838); the two text contexts -460 B; the long match model -103 B; the match
mixer -165 B; SSE weights (2,1,4,4,3,2)/16 -107 B; the four components
together -1,685 B (-0.50%); on the 14 Calgary files v6 saves 4,444 B (-0.70%)
against v5 (bench/RESULTS.md). v7's levers, measured against v6 on the same subset (336,483 B) by calling
``cm_code`` with and without each feature bit (2026-12-02):
``FEATURE_INPUT_CONFIDENCE`` -492 B (book1 -255, paper1 -27, obj2 +12, geo
-149, pic -53, progc -20) at no measurable CPU cost; ``FEATURE_RUN_STATE_MAP``
on top of it -628 B (book1 -127, paper1 -27, obj2 -297, geo -94, pic -54,
progc -29; 335,363 B in all, -1,120 B against v6; on book2, news and bib
-1,123 B against v6, -649 B for the run alone). The state map's rate floor
at 1/256 with the run classes: -56 B on the five files below, but book1 +21
B and pic +15 B, dropped. Tried and dropped for the
run: the run's prediction as a fourth input per context through its own map
per (run, bit) (-766 B on the five files below, but book1 +49 B, pic +95 B
and +15% CPU; with the run class as well -859 B there, book1 +43 B); a
separate class for a run contradicted by the bits so far (-3 B); five run
classes instead of three (-18 B); the state map indexed by the match
model's expected bit (and length) instead of the run (+836 B, +778 B) or with it
(+423 B). Tried and dropped for it
(on paper1, progc, obj2, geo, trans: 130,540 B under v6): a gentler
confidence ramp (0, 6, 9, 11, 13, 14, 15, 16...) -130 B against -152 B for
the one kept; one that also boosts counts >= 10 up to 22/16 (-212 B there, but
pic +188 B); the state map's rate floor at 1/256 instead of 1/1024 (-46 B,
pic +21 B); a state map per (state, bit position) (-46 B, text worse); a
state map per (state, the previous context's prediction in 8 classes) (+743
B); PAQ8-style linear inputs (p - 2048) / 2 from the state map (+489 B) or
from the direct probability (+243 B), and a second state map with a rate
floor of 1/128 as an extra input (+269 B): more inputs of the same
information make the mixer noisier; the state-map inputs scaled by 3/2 or
3/4 and the direct inputs by 3/2 or 3/4 (-61 to +231 B, obj2 and text
pulling opposite ways). Earlier tried and dropped: a learned mixer over the SSE outputs in the
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

v7, the run model alone against v6 on the same subset (2026-12-02): 336,483
-> 335,473 B (-1,010 B, -0.30%: book1 193,133 -> 193,028, paper1 13,297 ->
13,264, obj2 50,398 -> 49,704, geo 45,024 -> 44,902, pic 24,835 -> 24,836,
progc 9,796 -> 9,739); book2 -583 B, news -755 B, bib -56 B. It costs about
9-18% more CPU (interleaved A/B, best of 3, on paper1, progc, geo, trans and
obj2 on a loaded box: ratios 1.09 and 1.18). Its inputs' mixer weights start
at :data:`RUN_WEIGHT_INIT`, half the others' (-141 B against the same start;
0: -65 B; 1500: as 2500). Its run byte and
count live in the bucket's spare slot 0 of the direct-probability array: kept
in a separate array they cost a cache miss per context and byte (+12-24%
CPU). Tried and dropped: the run predictions of several contexts summed into
6 group inputs (-612 B on paper1, progc, obj2, geo and trans against -910 B
with one input per context) or 14 (with book1: -566 B against -862 B), or the
most confident of a group (-759 B against -862 B); added into the deterministic input
instead of an input of their own (book1 +776 B); a fixed map rate 1/16 or
1/128 instead of 1/(n+1.5) (+231 B, +51 B); confidence by run length without
the bit position (book1 +86 B, the others -74 B); the third mixer's weight set
also chosen by how many contexts are new at the nibble (0, 1-2, 3-8, 9+ or
0, 1-5, 6-14, 15+: +72 B, +61 B); confidence also by whether the match model
expects the run byte (+201 B); run lengths 16-255 in 4 log classes (-7 B);
mixer sets chosen by how many contexts' run bytes agree with the partial byte
(0, 1-4, 5-12, 13+) in the third mixer (+162 B), or, without a match, in the
match mixer's unused length classes (-31 B on the five files with book1, but
+7 B on the subset).
"""

from __future__ import annotations

import numpy as np
from llvmlite import binding as llvm_binding
from llvmlite import ir as llvm_ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from kairos.info.kernel_jit import njit_borrowing
from kairos.info.lstm_kernel import (
    LSTM2_HASH_BITS,
    LSTM2_HORIZON,
    LSTM2_SALT,
    LSTM_HASH_BITS,
    LSTM_HIDDEN,
    LSTM_HORIZON,
    lstm_learn,
    lstm_new,
    lstm_predict,
    lstm_stretch,
    lstm_top,
)

MODEL_VERSION = 41  # bump whenever the model's predictions change
# (v30) bytes the decoder reads past a stream's end, as zeros: the coder ends with one
# byte where it wrote four until v29
FLUSH_ZEROS = 3
# 40 until v14; contexts 40-55 are v15's (FEATURE_CHAR_GROUPS and after), 56-57 v16's,
# 58 v25's, 59-73 v26's, 74-75 v35's, 76-82 v39's, 83-87 v40's
NUM_CONTEXTS = 88
FIRST_MORE_CONTEXT = 74  # (v35) the first context switched by the second features word
WEIGHT_INIT = 2000  # initial mixer weight, 65536 = 1.0
FAST_LIMIT = 15  # hit count at which the direct probability's rate stops falling
IBM_TOO_LARGE = -(1 << 62)  # a 4-byte value beyond 16**6 as an IBM float: no prediction
NUM_IMAGE = 28  # bit-level 2-D contexts (pixels above and to the left); 14 until v15, 18 until v26
# With FEATURE_IMAGE_COUNTS (v16) each 2-D context also gives its pixel counts' estimate
# (n1 + 1) / (n + 2) twice (stretched; linear), and four pixel-count estimates over
# 4, 12, 24 and 40 neighbours are inputs too: IMAGE_INPUTS mixer inputs in all
IMAGE_INPUTS = 3 * NUM_IMAGE + 8
IMAGE_COUNT_CONTEXTS = 18  # the 2-D contexts without FEATURE_IMAGE_TEMPLATES (v16-v26)
IMAGE_TABLE_BITS = 20  # log2 of each 2-D context's table (the two largest are hashed)
IMAGE_COUNT_LIMIT = 65535  # a context's two counts are halved when their sum passes this
# In images (FEATURE_IMAGE_COUNTS) only these byte contexts are looked up: orders 0-4
# and 6 and the match model's; the others cost time and, on pic, bytes
IMAGE_BYTE_CONTEXTS = (0, 1, 2, 3, 4, 6, 26)
# (v33, FEATURE_DMC) the DMC forest's mixer inputs: its 8 restarting models' predictions
# averaged in pairs, and its 2 lasting models' one by one
DMC_INPUTS = 6
SPARSE_INPUTS = 5  # (v34, FEATURE_SPARSE_MATCH) 3 from the length, 2 maps
BYTE_HISTORY_INPUTS = 2  # (v35, FEATURE_BYTE_HISTORY) per context
MAX_EXTRA_MATCHES = 3  # the most extra match models a level has (EXTRA_MATCH_BYTES)
# at most 4 inputs per context, then match (2), bias, the match model's delta input
# (v24), long match (2), the extra match models (2 each), neural net, LSTM (its
# stretch, and its probability with FEATURE_LSTM_MIXING), the second LSTM, the DMC
# forest (v33), image. Up
# to v12 the extra match models and the LSTM were not counted: with v12's 40 contexts
# the max level wrote 7 inputs past the end in images (pic), a stream the decoder only
# reproduced by luck.
NUM_INPUTS = (
    (4 + BYTE_HISTORY_INPUTS) * NUM_CONTEXTS
    + 3
    + 1
    + 2
    + 2 * MAX_EXTRA_MATCHES
    + 1
    + 2
    + 1
    + DMC_INPUTS
    + SPARSE_INPUTS
    + IMAGE_INPUTS
)
RUN_CLASSES = 16  # run length classes of the run model's confidence maps
RUN_WEIGHT_INIT = 1500  # initial mixer weight of the run inputs
RUN_LIMIT = 1023  # hit count at which a run map's learning rate stops falling
MATCH_MIN_BYTES = 5  # the match model looks up repeats of this many bytes
MATCH_TABLE_BITS = 20  # log2 of the match model's position table size
STATE_MAP_LIMIT = 1023  # hit count at which a state map's learning rate stops falling
MIXER_LR_MIN = 4  # mixer learning rate of a much-used weight set, in 1/65536 units of x * err
MIXER_LR_MAX = 64  # ... for a new weight set (it falls as HALF / (HALF + the set's uses))
MIXER_LR_HALF = 512
# (v28, FEATURE_SLOW_MIXERS) the max level's (lowest, highest, half-life) and initial weight
SLOW_MIXER_RATES = (4, 40, 384)
SLOW_MIXER_TEXT_RATES = (3, 40, 384)  # ... in text, where a lower floor pays (book1)
SLOW_MIXER_WEIGHT_INIT = 1200
# (v41) ... in images, a higher floor: pic -14 B (a floor of 3: +16 B)
SLOW_MIXER_IMAGE_RATES = (6, 40, 384)
SLOW_MIXER_RUN_WEIGHT_INIT = 1000  # ... and of its run inputs
# (v29, FEATURE_FINE_MIXERS) the first-layer weights' extra fraction bits, and the
# rates in text that the finer steps let pay (v28's SLOW_MIXER_TEXT_RATES otherwise)
FINE_MIXER_BITS = 4
FINE_MIXER_TEXT_RATES = (2, 36, 384)
FINAL_LR = 8  # the second layer's learning rate, same units
# (v38, max level: with FEATURE_QUICK_START) the final layers' rate in text, and the
# rate they start from, falling toward FINAL_LR (in text MAX_TEXT_FINAL_LR) halfway
# after FINAL_LR_HALF_BYTES bytes, so that small files' final layers learn sooner. On
# obj1, progc, progp, paper1 and trans without the LSTMs the start 24 with a half-life
# of 4,096 bytes saved 17 B; 40 and 8,192 cost 8 B, 16 and 32,768 saved 11 B
MAX_TEXT_FINAL_LR = 6
FINAL_LR_START = 24
FINAL_LR_HALF_BYTES = 4096
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
# v29 (max level; bit 15 was free): an eleventh weight set, in text chosen by the last 2
# bytes with the partial byte, elsewhere by the match model's expected byte, its length
# class and the bit position (by the partial byte without a match)
FEATURE_ORDER2_MIXER = 1 << 15
# contexts 29-39: word position and sentence start (text); 9 binary contexts used only
# near non-text bytes; without orders 12 and 16 and context 20 (since v12 slots 13,
# 14 and 20 hold contexts used only in text); record contexts skipped in text,
# contexts 9, 10, 24 and 28 in binary data
FEATURE_MORE_CONTEXTS = 1 << 16
FIRST_BINARY_CONTEXT = 31  # contexts 31-39 are used only within TEXT_WINDOW of a non-text byte
TEXT_WINDOW = 256
FEATURE_MATCH_RECOVERY = 1 << 17  # a long match that mispredicts a byte resumes after it
FEATURE_RUN_MODEL = 1024  # per context, the last byte seen there and its run length predict
FEATURE_INPUT_CONFIDENCE = 2048  # direct input scaled by its count; none for state 0
FEATURE_RUN_STATE_MAP = 4096  # state maps also indexed by the context's last byte and its run
# v9: mixer and direct-probability updates rounded instead of floored; SSE entries
# with 22 bits instead of 16 and the final probability coded with 16 bits, not 12
FEATURE_PRECISION = 1 << 18
FEATURE_WORD_MIXER = 1 << 19  # (max level) a weight set chosen by the word's hash and c0
FEATURE_MATCH_CANDIDATES = 1 << 20  # (max level) more match models: EXTRA_MATCH_BYTES
FEATURE_FINAL_MIXER3 = 1 << 21  # a third final layer chosen by the last 3 bytes' classes
FEATURE_EXPERT_MIXTURE = 1 << 22  # the final p: a learned linear mixture of the predictors
FEATURE_LSTM = 1 << 23  # (max level) a byte-level LSTM's bit logit as one more mixer input
# v11: in text a line break reads as a space: in the word contexts' last byte, the
# case-folded history, the order-2 and order-3 SSE rows, and order 4 (v11: context
# 20 beside order 4; v12: context 4 itself)
FEATURE_LINE_AS_SPACE = 1 << 24
# v11: the coded probability is a learned mixture of the mixer and the SSE stages
# (chosen by the order), instead of their fixed average: FEATURE_EXPERT_MIXTURE's
# first six experts, at the default level's cost
FEATURE_SSE_MIXTURE = 1 << 25
# v12, in text only: context 20 the column / 4 with the last byte and the class of
# the byte before it, context 14 the column with the previous line's length (where
# a line breaks); order 4 in text then reads line breaks as spaces in context 4
FEATURE_COLUMN_CONTEXTS = 1 << 26
FEATURE_FOLDED_ORDER8 = 1 << 27  # v12, in text only: context 13 the last 8 case-folded bytes
# v12, in text: the fifth mixer weight set chosen by the column / 4 with the partial
# byte instead of the column with the bit position
FEATURE_COLUMN_MIXER = 1 << 28
# v13, in text: context 11 the previous word with the current word's length and the
# last byte, 12 the last 6 letters (case-folded, other bytes skipped), 18 the last 12
# case-folded bytes, 19 the word with the column; in binary data they stay byte 2,
# bytes 3-4 and the two record contexts
FEATURE_LETTER_CONTEXTS = 1 << 29
# v13: two more match models, over repeats of at least DEFAULT_EXTRA_MATCH_BYTES
# (at the max level FEATURE_MATCH_CANDIDATES's three take their place)
FEATURE_MORE_MATCHES = 1 << 30
# v14: SSE stage 0 (order 0) and the match-state stage also read the recent misses,
# the bits whose likelier value was wrong (the last one; the 7 before; the 8 before those)
FEATURE_SSE_MISSES = 1 << 31
# v15: the features field has 64 bits. Contexts from the character groups of the
# recent bytes (paq8px's CharGroupModel): each byte as its class (digit, upper, lower,
# byte >= 128) or itself, a run of letters or digits of one class as one group;
# contexts 40-42: the last 12, 8 and 4 groups
FEATURE_CHAR_GROUPS = 1 << 32
# v15: the innermost open bracket ( [ { and the nesting depth, with the last byte
# (context 45) and with the word (46)
FEATURE_NESTING = 1 << 33
# v15 (max level): the last 7 groups with the last 2 bytes, the last 5 with the last
# 3 (contexts 43-44)
FEATURE_WIDE_CHAR_GROUPS = 1 << 34
# v15 (max level): the 2 bytes that followed the last occurrence of the order-3
# context, with the last 2 bytes (47); the byte that followed the last byte's last
# occurrence, with the last 2 bytes (48)
FEATURE_INDIRECT_CONTEXTS = 1 << 35
# v15 (max level): the word with the last 3 character groups (50); whether a quote is
# open (" or ') with the last 2 bytes (51); until v15 also context 49 (now
# FEATURE_WORD_PREDICTIONS's); since v16 the word that followed the previous word's
# last occurrence with the current word's length and the last byte (57)
FEATURE_MORE_TEXT_CONTEXTS = 1 << 36
# v15 (max level): the word with the word that followed the last occurrence of the
# previous two words (52); the line's first 3 bytes with the column and the last
# byte (53); the last 4 character groups with the column (54); the previous word
# with the last 2 groups (55)
FEATURE_LINE_AND_WORD_CONTEXTS = 1 << 37
# v16: the word with the word that followed the previous word's last occurrence (49,
# until v15 a max-level context) and with the word that followed the one before (56)
FEATURE_WORD_PREDICTIONS = 1 << 38
# v16, in images: counts-based inputs for each 2-D context, four more 2-D contexts (8
# pixels up; 2 x 4 up; 24 and 40 neighbours, hashed), pixel-count inputs, only
# IMAGE_BYTE_CONTEXTS of the byte contexts, and mixer weights chosen by neighbourhoods
FEATURE_IMAGE_COUNTS = 1 << 39
# v17: a first-layer weight set is not trained on a bit where none of its weights
# would move by MIXER_DEAD_ZONE / 65536 or more (those steps are noise, not signal)
FEATURE_MIXER_DEAD_ZONE = 1 << 40
# v17, at the default level: in text, context 50 (the word with the last 3 character
# groups; FEATURE_MORE_TEXT_CONTEXTS's at the max level, where it is used everywhere)
FEATURE_WORD_WITH_GROUPS = 1 << 41
# v18, at the default level: in text, context 55 (the previous word with the last 2
# groups) and context 53 (the line's first 3 bytes with the column and the last byte),
# FEATURE_LINE_AND_WORD_CONTEXTS's at the max level
FEATURE_PREV_WORD_WITH_GROUPS = 1 << 42
FEATURE_LINE_PREFIX = 1 << 43
# v19, at the default level: in text, context 43 (the last 7 character groups with the
# last 2 bytes; FEATURE_WIDE_CHAR_GROUPS's at the max level)
FEATURE_WIDE_GROUPS_IN_TEXT = 1 << 44
# v20: an SSE stage on the hashed last 4 bytes (in text with line breaks as spaces)
# with the partial byte, one more expert of FEATURE_EXPERT_MIXTURE's mixture (and
# used only with it); since v20 the default level has that mixture too
FEATURE_ORDER4_SSE = 1 << 45
# v20, at the default level: in text, context 54 (the last 4 character groups with the
# column; FEATURE_LINE_AND_WORD_CONTEXTS's at the max level)
FEATURE_GROUPS_WITH_COLUMN = 1 << 46
# v20: in text, orders 0, 1 and 3 (contexts 0, 1 and 3) also by the open quotes (a "
# open; a ' open that is not an apostrophe), which FEATURE_MORE_TEXT_CONTEXTS's context
# 51 tracks (order 2 too: +22 B on the ten text files; order 4 too: +184 B)
FEATURE_QUOTES = 1 << 47
# v21, at the max level (with FEATURE_LSTM): a tenth first-layer weight set chosen by
# the LSTM's likeliest byte (with the bit position and the byte's probability) while
# the partial byte agrees with it; the LSTM's probability as a linear input too; and
# the LSTM's and the match model's stretched predictions as inputs of the final layers
FEATURE_LSTM_MIXING = 1 << 48
# v22, at the max level (with FEATURE_LSTM): a second LSTM with a shorter horizon,
# fewer hashed rows and its own initial weights; its stretched prediction is one more
# input of the first layer and of the final layers, and one more expert
FEATURE_SECOND_LSTM = 1 << 49
# v24, in text: context 10 the word with the previous word's stem, context 21 the word
# with the stems of the two words before it (a stem: the word without a final -ing,
# -ed, -ly or -s, and then without a final e)
FEATURE_WORD_STEMS = 1 << 50
# v24, in binary data outside images: context 10 the last 16-bit word (at an even
# offset) with the one that followed its last occurrence, context 21 that word with
# the last byte (16-bit code, such as obj2's 68000 instructions)
FEATURE_ALIGNED_WORDS = 1 << 51
# v24: once the match model has mispredicted a bit of the byte, the byte's other bits
# are predicted by the byte it expected with the partial byte (one more input)
FEATURE_MATCH_DELTA = 1 << 52
# v25, in text: context 58 the line's first word (its bytes up to the first space, tab
# or colon, at most 16) with the current word: the field of a header line in news, of
# a %-tagged line in bib
FEATURE_LINE_FIELDS = 1 << 53
# v26 (max level), in text: contexts 59-63, where in the file a word is: the word with
# how long ago (log2 bytes) it last ended as a whole word, with the position / 1,024 and
# / 8,192, the last 2 bytes with the position / 1,024, and the word with the number of
# blank lines so far (the paragraph)
FEATURE_WORD_RECENCY = 1 << 54
# v26 (max level), in text: contexts 64-67, the shape of a word: the kinds of its last 4
# letters (vowel, e, y, th, other consonant, digit) with its length, whether it has been
# seen whole before and whether the last 2 bytes are capitals; the last 2 letters with
# the same; the kinds (letter, space, digit, punctuation, ...) of the last 10 bytes with
# the last byte, and with bytes 2-3
FEATURE_WORD_SHAPE = 1 << 55
# v26 (max level), in text: contexts 68-69 and 72-73, order 1 within the line; the
# line's first word with the last byte; the byte above (in the line before) with whether
# the byte before it matched the last byte, and with the last byte; the byte above with
# how many bytes in a row have matched the line above
FEATURE_LINE_HISTORY = 1 << 56
# v26 (max level), in text: contexts 70-71, the word with the last byte and the word 3
# back, and with the previous word and the word 3 back
FEATURE_SKIP_WORDS = 1 << 57
# v27 (max level), in images: 2-D contexts 18-27, the run of the last pixel's colour in
# the row with where the row above changes colour, wider templates, and templates that
# reach 4 to 16 rows up; the ninth weight set chosen by the run context, the first final
# layer by the run and the distance to the next change above, weight sets 1 and 2 by
# pixels 5-7 and 2-4 rows up
FEATURE_IMAGE_TEMPLATES = 1 << 58
# v27 (max level), in binary data outside images: contexts 59-64 read 16-bit words at
# even offsets (68000 code): the word two back and three back, each with the current
# word's first byte; the high bytes (opcodes) of the last three words; bytes 1-2 with 7-8
FEATURE_CODE_WORDS = 1 << 59
# v28 (max level): the first-layer weight sets learn more slowly and start smaller
# (SLOW_MIXER_RATES, SLOW_MIXER_WEIGHT_INIT): its mixers have 1.5 to 1.7 times the
# default level's inputs; since v41 their rate in images falls to a higher floor
# (SLOW_MIXER_IMAGE_RATES)
FEATURE_SLOW_MIXERS = 1 << 60
# v29 (max level): the first-layer weights keep FINE_MIXER_BITS more fraction bits, and
# in text their rate falls to 2 (FINE_MIXER_TEXT_RATES)
FEATURE_FINE_MIXERS = 1 << 61
# v29 (max level): NUM_CHAINED more SSE stages, each one more expert, that refine another
# stage's output (after paq8px): the order-0 stage's by orders 3 and 4, the mean of the
# mixer's and orders 1-3 stages' by the match model's expected byte and by the word;
# the mixture's weights then by the order up to 5 only (CHAINED_EXPERT_SETS). v30 adds
# 4: the order-0 stage's by order 2, the mean by order 4 and by the column, and the
# order-4 stage's output by the last 8 bytes
FEATURE_SSE_CHAINS = 1 << 62
# (v30) Components past bit 63 are bits of a second word, which cm_code takes as
# ``more_features``: FEATURE_* is 1 << (64 + k) for bit k of that word.
# v30 (max level): a new row of weight set 4 or 10 (the LSTM's) starts 3/4 of the way
# from the initial weights to weight set 1's row of the moment; of sets 9 and 11, to
# set 4's row
WARM_ROWS_BIT = 0
FEATURE_WARM_ROWS = 1 << (64 + WARM_ROWS_BIT)
# v31 (max level, with FEATURE_SSE_CHAINS): NUM_WORD_CHAINED more chained SSE stages, by
# the words: on the mean of the mixer's and orders 1-3 stages' outputs, the word with
# the previous word, the last 3 words, the word with the word 2 back and 3 back, the
# previous word with the last byte, the line's first word with the column; on the
# order-0 stage's output, the last 2 words and the word
WORD_CHAINS_BIT = 1
FEATURE_WORD_CHAINS = 1 << (64 + WORD_CHAINS_BIT)
# v33 (max level): a forest of DMC models (dynamic Markov coding, Cormack and Horspool
# 1987), each a bit-level state graph that starts as order 1 and grows by cloning the
# states that busy transitions lead to (_dmc_update); DMC_INPUTS more mixer inputs.
# They sit out images, as the LSTMs do
DMC_BIT = 2
FEATURE_DMC = 1 << (64 + DMC_BIT)
DMC_MODELS = 10
# the first 8 start over (at a byte's start) once their graph is full and would still
# have cloned 128 x its size in counts; the last 2, with the highest thresholds, keep theirs
DMC_RESTARTING = 8
# each model's first cloning threshold, in 1/1024 of a count (it grows by 1/2048 with
# each clone, up to 8 counts): small thresholds grow the graph fast, large ones
# clone only what is well established
DMC_THRESHOLDS = np.array([2, 32, 64, 4, 128, 8, 256, 16, 1024, 1536], dtype=np.int64)
# each model's node budget: 16 x the input's length / this, plus the first graph
DMC_NODE_SHARES = np.array([6, 10, 11, 7, 12, 8, 13, 9, 2, 2], dtype=np.int64)
DMC_FIRST_NODES = 256 * 255  # one binary tree of 255 states per previous byte
DMC_MAX_BYTES = 1 << 20  # the budgets grow with the input up to this length (550 MB)
DMC_COUNT_ONE = 1024  # a count of 1 in the graph's fixed point
# v34 (max level): sparse match models, which look for repeats of the last bytes read
# through a mask, a stride or an offset (as paq8px's SparseMatchModel does), and
# predict the bits of the byte that followed
SPARSE_BIT = 3
FEATURE_SPARSE_MATCH = 1 << (64 + SPARSE_BIT)
SPARSE_MODELS = 4
# per model: the last bytes skipped, the step between the bytes read, how many are
# read, and the bits of each that must agree (0xDF: letters in either case)
SPARSE_OFFSETS = np.array([0, 1, 0, 0], dtype=np.int64)
SPARSE_STRIDES = np.array([1, 1, 2, 1], dtype=np.int64)
SPARSE_MIN_BYTES = np.array([5, 4, 4, 5], dtype=np.int64)
SPARSE_MASKS = np.array([0xDF, 0xFF, 0xDF, 0x0F], dtype=np.int64)
SPARSE_MAP_BITS = 22  # log2 of each map's entries (the direct map uses 2**19 of them)
SPARSE_LIMIT = 255  # hit count at which the maps' learning rate stops falling
# the fields of the sparse match models' state (int64 array ``sp``): the match's length
# (1 when just found, 1 more a byte; 0: none), the position of the byte it expects, the
# model that found it, that byte, whether a match was live at the byte's start (the maps
# then predict the whole byte), the two map entries read for this bit, then each
# model's hash (SPARSE_MODELS of them)
_SP_LENGTH, _SP_PTR, _SP_MODEL, _SP_BYTE, _SP_LIVE, _SP_ENTRY_A, _SP_ENTRY_B, _SP_HASH = range(8)
# v35 (max level): each context's byte history, as paq8px's ContextMap2 keeps it: the
# last three distinct bytes seen in the context (the run model's byte and the two
# before it, in a table beside the first-nibble buckets). Their bits at this bit
# position, with how many of them are known, index two adaptive maps per context: one
# with whether the bit history has seen both bit values, one with its state
BYTE_HISTORY_BIT = 4
FEATURE_BYTE_HISTORY = 1 << (64 + BYTE_HISTORY_BIT)
BYTE_HISTORY_SHIFT = 1  # the maps' stretched outputs are scaled down by 2**this
BYTE_HISTORY_LIMIT = 1023  # hit count at which the maps' learning rate stops falling
# v35 (max level), in binary data: contexts 74 and 75, indirect as 16 and 17 are, keyed
# by 5 bits of each of 3 bytes (as in paq8px's IndirectModel): the 2 bytes that last
# followed the same low 5 bits of the last 3 bytes, and the same high 5 bits of bytes
# 1, 3 and 4 back, each with its key
COARSE_INDIRECT_BIT = 5
FEATURE_COARSE_INDIRECT = 1 << (64 + COARSE_INDIRECT_BIT)
# v36 (max level), in images: the rows that outside images come from the bytes, the
# words or the LSTM's byte come from 2-D contexts instead. Every chained SSE stage but
# stage 8 (a pixel neighbourhood since v32) is keyed by one of the image contexts,
# weight sets 10 and 11 choose their rows by pixels (:func:`_image_mixer_rows`), and
# the expert mixture its weights by the nearest pixels. Since v37 the chained stages
# learn at IMAGE_CHAINED_RATE in images, and SSE stage 0 is keyed by pixels
IMAGE_ROWS_BIT = 6
FEATURE_IMAGE_ROWS = 1 << (64 + IMAGE_ROWS_BIT)
# per chained stage, the image context that keys its row in images (-1: stage 8 keeps
# its own) and its input: 1 the mean of the mixer and SSE stages 1-3, 0 the order-0
# stage (on pic without the LSTMs' components: all on the order-0 input +27 B, all on
# the mean +4 B)
IMAGE_CHAIN_CONTEXT = np.array(
    [12, 10, 16, 19, 23, 21, 9, 13, -1, 18, 20, 22, 24, 25, 26, 27, 17], dtype=np.int64
)
IMAGE_CHAIN_ON_MEAN = np.array([0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1], dtype=np.int64)
# v37 (max level): seven more first-layer weight sets, the context sets, each of
# 2**(table_bits - 7) rows, at most 2**CONTEXT_SET_BITS (on news without the LSTMs,
# 2**16 rows saved 36 B against 2**14), chosen by a hashed context: in text by the
# text's state (:func:`_text_set_rows`), in images by 2-D contexts
# (IMAGE_SET_CONTEXT), in binary data by bytes (:func:`_binary_set_rows`). paq8px's
# text model chooses weight sets the same way
CONTEXT_SETS_BIT = 7
FEATURE_CONTEXT_SETS = 1 << (64 + CONTEXT_SETS_BIT)
NUM_CONTEXT_SETS = 8  # (v38) the eighth is chosen by the order with the partial byte
CONTEXT_SET_BITS = 16
# each set has 2**(table_bits - CONTEXT_SET_SHIFT) rows, at most 2**CONTEXT_SET_BITS
# (v37: 7; v38: 4, so 2**16 rows from 32 KiB of input on; 2**16 for every size: obj2
# -11 B, obj1 -6 B)
CONTEXT_SET_SHIFT = 4
IMAGE_SET_CONTEXT = np.array([1, 4, 7, 11, 14, 17, 20], dtype=np.int64)
# the first NUM_CONTEXT_SETS - 1 sets are keyed by the data's kind (_text_set_rows,
# _binary_set_rows, these 2-D contexts); the last by the order, in every kind
assert len(IMAGE_SET_CONTEXT) == NUM_CONTEXT_SETS - 1
# v38 (max level): the final layers and the SSE stages learn fast at a file's start,
# which small files pay for most. The final layers' rate starts at FINAL_LR_START and
# falls toward FINAL_LR (MAX_TEXT_FINAL_LR in text); each SSE knot learns at
# 1/(n + 1.5) after n updates until that reaches 2**-APM_RATE (SSE_COUNT_LIMIT)
QUICK_START_BIT = 8
FEATURE_QUICK_START = 1 << (64 + QUICK_START_BIT)
SSE_COUNT_LIMIT = 60
# v39 (max level): which bytes end text. ESC and backspace count as text, and a NUL as
# the byte before it did, so that a terminal session's escape sequences and NUL
# padding (trans) keep the text contexts on; NULs after binary bytes still end text
TEXT_CONTROLS_BIT = 9
FEATURE_TEXT_CONTROLS = 1 << (64 + TEXT_CONTROLS_BIT)
# v39 (max level), in binary data: contexts 76-79, the last 4 bytes with each byte's low
# 3 bits dropped (the 68000's register fields); a register of two flags per byte over
# the last 16 bytes (equal to the byte 4 before it; zero); the last 4 bytes' flags with
# the top 11 bits of the last 4 bytes; bytes 2-3's high nibbles with the last byte
BINARY_MASKS_BIT = 10
FEATURE_BINARY_MASKS = 1 << (64 + BINARY_MASKS_BIT)
FIRST_MASK_CONTEXT = 76
# v39 (max level), in text: contexts 80-82, the line so far (a hash of its bytes), it
# with the previous line, and the previous line with the column and the last byte
LINE_HASHES_BIT = 11
FEATURE_LINE_HASHES = 1 << (64 + LINE_HASHES_BIT)
FIRST_LINE_CONTEXT = 80
# v40 (max level): contexts 83-87 everywhere but in images, the byte histories that
# followed a short context (after paq8px's IndirectModel): the 4 bytes that followed
# the last byte's last occurrences, alone and 3 of them with the last byte; the 2 and
# 4 bytes, case-folded, that followed the last 2 case-folded bytes, and the last of
# them with the last byte
INDIRECT_HISTORIES_BIT = 12
FEATURE_INDIRECT_HISTORIES = 1 << (64 + INDIRECT_HISTORIES_BIT)
FIRST_HISTORY_CONTEXT = 83
# the features bit of each context from 40 on (v15)
_CONTEXT_FEATURE = (
    FEATURE_CHAR_GROUPS,
    FEATURE_CHAR_GROUPS,
    FEATURE_CHAR_GROUPS,
    FEATURE_WIDE_CHAR_GROUPS,
    FEATURE_WIDE_CHAR_GROUPS,
    FEATURE_NESTING,
    FEATURE_NESTING,
    FEATURE_INDIRECT_CONTEXTS,
    FEATURE_INDIRECT_CONTEXTS,
    FEATURE_WORD_PREDICTIONS,
    FEATURE_MORE_TEXT_CONTEXTS,
    FEATURE_MORE_TEXT_CONTEXTS,
    FEATURE_LINE_AND_WORD_CONTEXTS,
    FEATURE_LINE_AND_WORD_CONTEXTS,
    FEATURE_LINE_AND_WORD_CONTEXTS,
    FEATURE_LINE_AND_WORD_CONTEXTS,
    FEATURE_WORD_PREDICTIONS,
    FEATURE_MORE_TEXT_CONTEXTS,
    FEATURE_LINE_FIELDS,
    FEATURE_WORD_RECENCY,
    FEATURE_WORD_RECENCY,
    FEATURE_WORD_RECENCY,
    FEATURE_WORD_RECENCY,
    FEATURE_WORD_RECENCY,
    FEATURE_WORD_SHAPE,
    FEATURE_WORD_SHAPE,
    FEATURE_WORD_SHAPE,
    FEATURE_WORD_SHAPE,
    FEATURE_LINE_HISTORY,
    FEATURE_LINE_HISTORY,
    FEATURE_SKIP_WORDS,
    FEATURE_SKIP_WORDS,
    FEATURE_LINE_HISTORY,
    FEATURE_LINE_HISTORY,
)
# max-level contexts that the default level uses in text only (v17-v19), with their bits
TEXT_ONLY_CONTEXTS = (
    (50, FEATURE_WORD_WITH_GROUPS),
    (55, FEATURE_PREV_WORD_WITH_GROUPS),
    (53, FEATURE_LINE_PREFIX),
    (43, FEATURE_WIDE_GROUPS_IN_TEXT),
    (54, FEATURE_GROUPS_WITH_COLUMN),
)
EXTRA_MATCH_BYTES = (9, 20, 32)  # their minimum repeat lengths
CODE_WORD_FIRST = 59  # (v27) FEATURE_CODE_WORDS's contexts in binary data: 59-64
CODE_WORD_CONTEXTS = 6
# ... read while one of the last this many bytes is outside text: between a file's
# sparse escape bytes (trans) they cost bytes. obj1, obj2, geo and trans with 2, 4, 8 or
# 16: 104,288, 104,279, 104,283 and 104,292 B; read in all binary data 104,319 B
CODE_WORD_REACH = 4
DEFAULT_EXTRA_MATCH_BYTES = (20, 32)
WORD_MIXER_BITS = 16  # log2 of the word weight set's rows
# the most first-layer outputs the final layers take (the max level's; 14 until v36)
MAX_MIX = 14 + NUM_CONTEXT_SETS
LSTM_ROWS = 256 * 8 * 4  # weight set 10's rows while the LSTM's likeliest byte agrees
# ... its probability classes start at these probabilities, in 1/4096 (v21)
LSTM_TOP_CLASSES = (1600, 2800, 3700)
P16_MIN = 4  # with FEATURE_PRECISION the coded probability is in [P16_MIN, 65536 - P16_MIN] / 65536
SSE_EXTRA_BITS = 6  # ... and the SSE entries keep this many more fraction bits
# With FEATURE_EXPERT_MIXTURE (and FEATURE_PRECISION) the coded probability is a
# linear mixture of NUM_EXPERTS predictions: the mixer's output, the SSE stages,
# each final layer, each first-layer weight set and (max level) the LSTMs. Its
# weights (summing to 2**28) are chosen by the order and updated multiplicatively, w *= 1 + rate *
# (p_expert(bit) / p(bit) - 1) with rate EXPERT_RATE / 1024, which keeps the sum
# (a Bayesian mixture with a learning rate), then floored at EXPERT_MIN_WEIGHT.
# ... (v20) the order-4 SSE stage, (v21) weight set 10, (v22) the second LSTM
# ... and (v29, FEATURE_SSE_CHAINS) the NUM_CHAINED chained SSE stages (4 until v30, 8
# until v31), of which the last NUM_WORD_CHAINED are FEATURE_WORD_CHAINS's
NUM_WORD_CHAINED = 8
NUM_CHAINED = 9 + NUM_WORD_CHAINED
FIRST_WORD_CHAINED = NUM_CHAINED - NUM_WORD_CHAINED
WORD_CHAINED_RATE = 4  # (v32) the word stages' rate, 2**-4 (2**-3: +42 B, 2**-5: +48 B)
CHAINED_RATE = 3  # their rate, 2**-3 (faster than the other stages', APM_RATE)
# (v37, FEATURE_IMAGE_ROWS) every chained stage's rate in images (pic: 2**-3 -8 B,
# 2**-1 -9 B against 2**-2's -14 B, from v36's rates)
IMAGE_CHAINED_RATE = 2
# ... with which the mixture's weights are chosen by the order up to 5 only (6 sets):
# with more experts, fewer sets learn faster
CHAINED_EXPERT_SETS = 6
NUM_EXPERTS = 1 + 5 + 3 + 9 + 1 + 1 + 1 + 1 + NUM_CHAINED
FIRST_CHAINED = NUM_EXPERTS - NUM_CHAINED
EXPERT_RATE = 64
EXPERT_MIN_WEIGHT = 1 << 20  # 1/256 of the total
EXPERT_SETS = 10  # the order (0-9) as in the second final layer
ALL_FEATURES = (  # the default model: every component but the neural input
    FEATURE_IMAGE
    | FEATURE_SSE_CHAIN
    | FEATURE_RATE_SCHEDULE
    | FEATURE_WORD_CONTEXTS
    | FEATURE_MATCH_CONTEXT
    | FEATURE_DET_INPUTS
    | FEATURE_TEXT_CONTEXTS
    | FEATURE_MATCH_MIXER
    | FEATURE_LONG_MATCH
    | FEATURE_RUN_MODEL
    | FEATURE_INPUT_CONFIDENCE
    | FEATURE_RUN_STATE_MAP
    | FEATURE_BYTE_MIXERS
    | FEATURE_FINAL_MIXER2
    | FEATURE_MORE_CONTEXTS
    | FEATURE_MATCH_RECOVERY
    | FEATURE_PRECISION
    | FEATURE_FINAL_MIXER3
    | FEATURE_LINE_AS_SPACE
    | FEATURE_SSE_MIXTURE
    | FEATURE_COLUMN_CONTEXTS
    | FEATURE_COLUMN_MIXER
    | FEATURE_LETTER_CONTEXTS
    | FEATURE_MORE_MATCHES
    | FEATURE_SSE_MISSES
    | FEATURE_CHAR_GROUPS
    | FEATURE_NESTING
    | FEATURE_WORD_PREDICTIONS
    | FEATURE_IMAGE_COUNTS
    | FEATURE_MIXER_DEAD_ZONE
    | FEATURE_WORD_WITH_GROUPS
    | FEATURE_PREV_WORD_WITH_GROUPS
    | FEATURE_LINE_PREFIX
    | FEATURE_WIDE_GROUPS_IN_TEXT
    | FEATURE_EXPERT_MIXTURE
    | FEATURE_ORDER4_SSE
    | FEATURE_GROUPS_WITH_COLUMN
    | FEATURE_QUOTES
    | FEATURE_WORD_STEMS
    | FEATURE_ALIGNED_WORDS
    | FEATURE_MATCH_DELTA
    | FEATURE_LINE_FIELDS
)
# the max level (``mix``): every component, the neural input and the costlier ones
MAX_FEATURES = (
    ALL_FEATURES
    | FEATURE_NEURAL
    | FEATURE_WORD_MIXER
    | FEATURE_MATCH_CANDIDATES
    | FEATURE_LSTM
    | FEATURE_WIDE_CHAR_GROUPS
    | FEATURE_INDIRECT_CONTEXTS
    | FEATURE_MORE_TEXT_CONTEXTS
    | FEATURE_LINE_AND_WORD_CONTEXTS
    | FEATURE_FOLDED_ORDER8
    | FEATURE_LSTM_MIXING
    | FEATURE_SECOND_LSTM
    | FEATURE_WORD_RECENCY
    | FEATURE_WORD_SHAPE
    | FEATURE_LINE_HISTORY
    | FEATURE_SKIP_WORDS
    | FEATURE_IMAGE_TEMPLATES
    | FEATURE_CODE_WORDS
    | FEATURE_SLOW_MIXERS
    | FEATURE_FINE_MIXERS
    | FEATURE_SSE_CHAINS
    | FEATURE_ORDER2_MIXER
    | FEATURE_WARM_ROWS
    | FEATURE_WORD_CHAINS
    | FEATURE_DMC
    | FEATURE_SPARSE_MATCH
    | FEATURE_BYTE_HISTORY
    | FEATURE_COARSE_INDIRECT
    | FEATURE_IMAGE_ROWS
    | FEATURE_CONTEXT_SETS
    | FEATURE_QUICK_START
    | FEATURE_TEXT_CONTROLS
    | FEATURE_BINARY_MASKS
    | FEATURE_LINE_HASHES
    | FEATURE_INDIRECT_HISTORIES
)
KNOWN_FEATURES = MAX_FEATURES
LONG_MATCH_MIN_BYTES = 10
DET_INPUT_SIZE = (
    720  # size of the deterministic input, stretch units (256 per logit); 512 until v15
)
# With FEATURE_INPUT_CONFIDENCE the direct probability's stretch is multiplied by
# DIRECT_CONFIDENCE[n] / 16 after n updates of its slot, and its first rate is
# 1/(n+2.5) instead of 1/(n+1.5) (DIRECT_RATE_OFFSET reciprocal entries later).
DIRECT_CONFIDENCE = np.array([0, 4, 7, 9, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16])
DIRECT_RATE_OFFSET = 1
# With FEATURE_RUN_STATE_MAP each context's state map has RUN_MAP_CLASSES blocks of
# 256 states: 0 while the context's last byte is unknown or disagrees with the
# bits coded so far, else 1 + the bit it predicts + 2 * (its run: 1, 2-3, >= 4).
RUN_MAP_CLASSES = 7
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
APM_WEIGHTS = (1, 1, 4, 5, 3, 2)  # of the mixer and each SSE stage, in 1/16 (v6-v10: 2,1,4,4,3,2)
APM_WEIGHTS_V4 = (4, 2, 4, 6, 0, 0)  # without the order-3 and match stages (model v4)
APM_SHIFT = 4
APM_RATE = 6
APM_BOTH = True
BUCKET_PROBES = 3  # neighbouring buckets searched for a context's check byte
# With FEATURE_MIXER_DEAD_ZONE a first-layer weight set skips its update when |its
# error x rate| x the largest |input| is below this: no weight would move by 3 units
MIXER_DEAD_ZONE = 3 << 16

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


# The prefetch intrinsic's name carries its pointer type: "p0" (opaque pointers) from LLVM 15 on
_PREFETCH_NAME = (
    "llvm.prefetch.p0" if llvm_binding.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"
)


@intrinsic
def _prefetch(typingctx, arr, r, c):
    """Ask the CPU to start loading the cache line of 2-D ``arr[r, c]``; no other effect.

    The context tables are far larger than the caches, so each nibble's bucket
    reads miss. Issued a while before the reads (the bit's deferred learning
    runs in between), the misses overlap that work instead of stalling it.
    """
    sig = types.void(arr, r, c)

    def codegen(context, builder, signature, args):
        arr_type = signature.args[0]
        array = context.make_array(arr_type)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arr_type, array, [args[1], args[2]])
        i32 = llvm_ir.IntType(32)
        i8_ptr = llvm_ir.IntType(8).as_pointer()
        fn_type = llvm_ir.FunctionType(llvm_ir.VoidType(), [i8_ptr, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fn_type, _PREFETCH_NAME)
        # a read, kept in all cache levels (locality 3), of data (cache type 1)
        builder.call(fn, [builder.bitcast(ptr, i8_ptr), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def _hash(a, b, k):
    h = (a * 0x9E3779B1 + b * 0x85EBCA6B + (k + 1) * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & 0xFFFFFFFF
    h ^= h >> 13
    return h


@njit_borrowing
def _bucket_is(hist, fast, r, b, check, xcheck):
    """Whether the bucket of the context at table row ``r`` at slot ``b`` holds its check (v14: 12 bits, the
    check byte in the state slot 0 and 4 more bits in the top of slot 0's direct
    probability, whose low 12 bits hold the run)."""
    return hist[r, b] == check and (np.int64(fast[r, b]) >> 12) == xcheck


@njit_borrowing
def _rate(visits, sel, schedule):
    """Learning rate of a mixer weight set: high while the set is new, falling with use.
    ``schedule``: (lowest rate, highest rate, half-life in uses), :data:`MIXER_LR_MIN`,
    :data:`MIXER_LR_MAX` and :data:`MIXER_LR_HALF` or (v28) the max level's
    :data:`SLOW_MIXER_RATES` (in text :data:`SLOW_MIXER_TEXT_RATES`)."""
    lr_min, lr_max, half = schedule
    n = visits[sel]
    if n < half * 64:
        visits[sel] = n + 1
    return lr_min + (lr_max - lr_min) * half // (half + n)


@njit(cache=True, inline="always")
def _byte_kind(b):
    """(v26) One of 8 kinds of a byte, coarser than :func:`_byte_class`: letter, other
    printable, white space, digit, NUL, low control, other."""
    if (65 <= b <= 90) or (97 <= b <= 122):
        return 1
    if b == 32 or b == 10 or b == 9 or b == 13:
        return 3
    if 48 <= b <= 57:
        return 6
    if 33 <= b <= 126:
        return 2
    if b == 0:
        return 0
    if b < 16:
        return 5
    return 7


@njit_borrowing
def _next_letter_kinds(kinds, b, prev, in_word):
    """(v26) ``kinds`` (the kinds of a word's last 4 letters or digits, a byte each, the
    latest lowest) after byte ``b``; ``prev`` is the byte before it, ``in_word`` whether
    a word was open before ``b``. Letters are e, another vowel, y, th or another
    consonant; a byte outside words ends them and starts a run of punctuation kinds."""
    lower = b | 32
    if (65 <= b <= 90) or (97 <= b <= 122) or (48 <= b <= 57):
        if not in_word:
            kinds = 0
        if 48 <= b <= 57:
            kind = 48 if b == 48 else 49
        elif lower == 101:
            kind = 101
        elif lower == 97 or lower == 105 or lower == 111 or lower == 117:
            kind = 97
        elif lower == 121:
            kind = 121
        elif lower == 104 and prev | 32 == 116:
            kind = 116  # "th" is one kind: it replaces the t's
            kinds >>= 8
        else:
            kind = 98
    else:
        if in_word:
            kinds = 0
        if b == 46 or b == 33 or b == 63:
            kind = 33
        elif b == 44 or b == 59 or b == 58:
            kind = 44
        elif b == 40 or b == 91 or b == 123 or b == 60:
            kind = 40
        elif b == 41 or b == 93 or b == 125 or b == 62:
            kind = 41
        elif b == 10:
            kind = 32
        else:
            kind = b
    return ((kinds << 8) | kind) & 0xFFFFFFFF


@njit_borrowing
def _code_word_hashes(hashes, pos, c4, c8):
    """(v27, FEATURE_CODE_WORDS) Hashes of contexts 59-64 in binary data, over 16-bit
    words at even offsets (68000 code is made of them): the word two back, and three back,
    each with the current word's first byte once coded (256 before); the word two back's
    high byte with the last word's; the word two back with the last word's top 4 bits;
    the high bytes (opcodes) of the last three words; bytes 1-2 with bytes 7-8."""
    odd = pos & 1
    if odd == 0:
        word1 = c4 & 0xFFFF
        word2 = c4 >> 16
        word3 = c8 & 0xFFFF
    else:
        word1 = (c4 >> 8) & 0xFFFF
        word2 = (c4 >> 24) | ((c8 & 0xFF) << 8)
        word3 = (c8 >> 8) & 0xFFFF
    partial = (c4 & 0xFF) if odd else 256
    hashes[CODE_WORD_FIRST + 0] = _hash(word2, partial, 400)
    hashes[CODE_WORD_FIRST + 1] = _hash(c4 & 0xFFFF, c8 >> 16, 401)
    hashes[CODE_WORD_FIRST + 2] = _hash(word2 >> 8, partial | (word1 & 0xFF00) << 1, 402)
    hashes[CODE_WORD_FIRST + 3] = _hash(word2, partial | (word1 >> 12) << 9, 403)
    hashes[CODE_WORD_FIRST + 4] = _hash(word3, partial, 404)
    hashes[CODE_WORD_FIRST + 5] = _hash(
        (word1 >> 8) | (word2 >> 8) << 8 | (word3 >> 8) << 16, partial, 405
    )


@njit_borrowing
def _image_template_contexts(img_ctx, r0, r1, r2, r3, r4, r5, r6, r7, r8, far_rows, img_size):
    """(v27, FEATURE_IMAGE_TEMPLATES) 2-D contexts 18-27 into ``img_ctx``; returns the
    rows (ninth weight set, first final layer) images choose by the run context.

    ``r0`` holds the current row's last 32 pixels (bit 0 the last one), ``r1``-``r8``
    and ``far_rows`` (8 values) the 16 rows above (bit 8 the pixel straight above the
    next one, bits 7-0 the 8 to its right). Contexts 24-27 reach 4 to 16 rows up, where
    pic's pages repeat their shapes. A fax page is long runs of one colour: how long the current run is, and how
    far to the right the row above changes colour (CCITT's reference line), predict
    where the run ends beyond the reach of the fixed templates.
    """
    colour = r0 & 1
    flipped = (r0 ^ (0xFFFFFFFF if colour else 0)) & 0xFFFFFFFF
    run = 0
    while run < 32 and (flipped >> run) & 1 == 0:
        run += 1
    run_class = run if run < 8 else (8 + (run - 8) // 4 if run < 32 else 15)
    change = 0  # pixels to the right (0 = straight up) before the row above turns other
    while change < 9 and (r1 >> (8 - change) & 1) == colour:
        change += 1
    change2 = 0  # the same two rows up
    while change2 < 9 and (r2 >> (8 - change2) & 1) == colour:
        change2 += 1
    up = r1 >> 8 & 1
    up_run = 1  # how far left the pixel above's colour runs in its row (1-16)
    while up_run < 16 and (r1 >> (8 + up_run) & 1) == up:
        up_run += 1
    run_context = colour | run_class << 1 | change << 5 | up_run << 9 | up << 13
    mask = img_size - 1
    img_ctx[18] = _hash(_hash(r0 & 0xFFF, r1 & 0xFFFFF, 181), r2 & 0xFFFFF, 182) & mask
    img_ctx[19] = run_context & mask
    img_ctx[20] = (
        _hash(
            _hash(r0 & 0x3F, r1 >> 3 & 0x3FF, 188),
            (r2 >> 3 & 0x3FF) | (r3 >> 3 & 0x3FF) << 10 | (r4 >> 5 & 0x3F) << 20,
            189,
        )
        & mask
    )
    img_ctx[21] = ((r2 >> 1 & 0x3FFF) << 6 | (r0 & 7) | (r1 >> 7 & 7) << 3) & mask
    img_ctx[22] = (
        _hash(
            _hash(
                _hash(r0 & 0xFF, r1 >> 2 & 0x1FFF, 183),
                (r2 >> 2 & 0x1FFF) | (r3 >> 2 & 0x1FFF) << 13,
                184,
            ),
            (r4 >> 3 & 0x7FF) | (r5 >> 3 & 0x7FF) << 11,
            185,
        )
        & mask
    )
    img_ctx[23] = (
        colour | run_class << 1 | change << 5 | change2 << 9 | (r2 >> 8 & 1) << 13 | up << 14
    ) & mask
    img_ctx[24] = (
        (r4 >> 6 & 7)
        | (r5 >> 6 & 7) << 3
        | (r6 >> 6 & 7) << 6
        | (r7 >> 6 & 7) << 9
        | (r8 >> 6 & 7) << 12
        | (r0 & 3) << 15
        | (r1 >> 7 & 3) << 17
        | (r2 >> 8 & 1) << 19
    ) & mask
    img_ctx[25] = (
        _hash(
            (r3 >> 5 & 0xF)
            | (r4 >> 5 & 0xF) << 4
            | (r5 >> 5 & 0xF) << 8
            | (r6 >> 5 & 0xF) << 12
            | (r7 >> 5 & 0xF) << 16,
            (r0 & 0xF) | (r1 >> 5 & 0xF) << 4 | (r2 >> 5 & 0xF) << 8,
            191,
        )
        & mask
    )
    img_ctx[26] = (
        _hash(
            _hash(
                (r1 >> 4 & 0x7F)
                | (r2 >> 4 & 0x7F) << 7
                | (r3 >> 4 & 0x7F) << 14
                | (r4 >> 4 & 0x7F) << 21,
                (r5 >> 4 & 0x7F)
                | (r6 >> 4 & 0x7F) << 7
                | (r7 >> 4 & 0x7F) << 14
                | (r8 >> 4 & 0x7F) << 21,
                192,
            ),
            r0 & 0x3F,
            193,
        )
        & mask
    )
    column = 0  # the pixel straight up and the one to its right, 16 rows up
    for k, row in enumerate((r1, r2, r3, r4, r5, r6, r7, r8)):
        column |= (row >> 7 & 3) << (2 * k)
    for k in range(8):
        column |= (far_rows[k] >> 7 & 3) << (16 + 2 * k)
    img_ctx[27] = _hash(column, r0 & 7, 194) & mask
    return run_context, (run_class | change << 4) & 255


@njit_borrowing
def _text_context_hashes(
    hashes,
    features,
    pos,
    c4,
    word,
    prev_word,
    prev_word3,
    word_len,
    letters,
    letter_kinds,
    byte_kinds,
    paragraphs,
    line_start,
    prev_line_start,
    line_word,
    above_run,
    buf,
    word_end_at,
    word_end_check,
    line_on,
):
    """(v26) Write the max level's text contexts 59-73 into ``hashes`` (int64[NUM_CONTEXTS])
    for the byte at ``pos``: those of FEATURE_WORD_RECENCY, FEATURE_WORD_SHAPE,
    FEATURE_LINE_HISTORY and FEATURE_SKIP_WORDS that ``features`` has."""
    c1 = c4 & 0xFF
    c2 = (c4 >> 8) & 0xFF
    c1w = 32 if line_on and c1 == 10 else c1
    if features & (FEATURE_WORD_RECENCY | FEATURE_WORD_SHAPE):
        # how long ago the word so far last ended as a whole word: log2 of the
        # distance, 0 if it never has
        ago = 0
        if word != 0:
            at = word & 0xFFFF
            if word_end_check[at] == (word >> 16) & 0xFFFF and word_end_at[at] > 0:
                gap = pos - word_end_at[at]
                ago = 1
                while gap > 1 and ago < 24:
                    gap >>= 1
                    ago += 1
        if features & FEATURE_WORD_RECENCY:
            hashes[59] = _hash(word, ago, 259)
            hashes[60] = _hash(word, pos >> 10, 260)
            hashes[61] = _hash(word, pos >> 13, 261)
            hashes[62] = _hash(c4 & 0xFFFF, pos >> 10, 262)
            hashes[63] = _hash(word, paragraphs, 263)
        if features & FEATURE_WORD_SHAPE:
            caps = 1 if 65 <= c1 <= 90 and 65 <= c2 <= 90 else 0
            shape = (min(word_len, 6) << 2) | (min(ago, 1) << 1) | caps
            hashes[64] = _hash(letter_kinds, shape, 264)
            hashes[65] = _hash(letters & 0x3FF, shape, 265)
            hashes[66] = _hash(byte_kinds, c1, 266)
            hashes[67] = _hash(byte_kinds, c4 & 0xFFFF00, 267)
    if features & FEATURE_LINE_HISTORY:
        col = pos - line_start
        above = 0
        if prev_line_start + col < line_start:
            above = buf[prev_line_start + col]
        hashes[68] = _hash(line_start, c1w, 268)
        hashes[69] = _hash(line_word, c1w, 269)
        at = prev_line_start + col - 1  # the byte above the last one
        left_matched = 1 if col > 0 and at < line_start and buf[at] == c1 else 0
        hashes[72] = _hash((above << 1) | left_matched, c1w, 272)
        hashes[73] = _hash(above, min(above_run, 16), 273)
    if features & FEATURE_SKIP_WORDS:
        word_byte = _hash(word, c1w, 1)
        hashes[70] = _hash(word_byte, prev_word3, 270)
        hashes[71] = _hash(word_byte, _hash(prev_word, prev_word3, 2), 271)


@njit_borrowing
def _next_text_state(
    letter_kinds, byte_kinds, above_run, b, prev, in_word, pos, line_start, prev_line_start, buf
):
    """(v26) The trackers of :func:`_text_context_hashes` after byte ``b`` at ``pos``:
    (letter kinds, byte kinds, bytes in a row equal to the byte above them)."""
    letter_kinds = _next_letter_kinds(letter_kinds, b, prev, in_word)
    byte_kinds = ((byte_kinds << 3) | _byte_kind(b)) & 0x3FFFFFFF
    at = prev_line_start + pos - line_start
    above_run = above_run + 1 if at < line_start and buf[at] == b else 0
    return letter_kinds, byte_kinds, above_run


@njit(cache=True)
def _history_context_hashes(hashes, c1, after_byte, after_lower, lower4):
    """(v40) Write contexts 83-87 into ``hashes`` (int64[NUM_CONTEXTS]): ``after_byte``
    holds the 4 bytes that followed the last byte ``c1`` (the latest lowest),
    ``after_lower`` the 4 case-folded bytes that followed the last 2 case-folded bytes,
    ``lower4`` the last 4 case-folded bytes."""
    hashes[83] = _hash(after_byte, 0, 284)
    hashes[84] = _hash(c1 | (after_byte & 0xFFFFFF) << 8, 0, 285)
    hashes[85] = _hash(after_lower & 0xFFFF, 0, 286)
    hashes[86] = _hash(after_lower, 0, 287)
    hashes[87] = _hash((after_lower & 0xFF) | (lower4 & 0xFF) << 8, 0, 288)


@njit(cache=True)
def _next_history_state(histories, lower4, c1, b):
    """(v40) The tables of :func:`_history_context_hashes` (``histories``, int64[2,
    65536]: after each byte value, after each 2 case-folded bytes) after byte ``b``,
    the last byte before it ``c1``; returns the last 4 case-folded bytes."""
    lower = b | 32 if 65 <= b <= 90 else b
    histories[0, c1] = ((histories[0, c1] << 8) | b) & 0xFFFFFFFF
    at = lower4 & 0xFFFF
    histories[1, at] = ((histories[1, at] << 8) | lower) & 0xFFFFFFFF
    return ((lower4 << 8) | lower) & 0xFFFFFFFF


@njit(cache=True, inline="always")
def _is_text_byte(b):
    """Whether byte ``b`` keeps text mode on: printable ASCII, tab, CR or LF."""
    return 32 <= b < 127 or b == 10 or b == 9 or b == 13


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


@njit_borrowing
def _shift_row_bit(row, buf, at, bit_pos):
    """``row`` (32 bits of an image row above) shifted left with bit ``bit_pos`` of
    ``buf[at]``, or a 0 bit before the start of the data."""
    bit = buf[at] >> (7 - bit_pos) & 1 if at >= 0 else 0
    return ((row << 1) | bit) & 0xFFFFFFFF


@njit_borrowing
def _count_inputs(inputs, at, ones, total, stretch):
    """Write the estimate (ones + 1) / (total + 2) as two mixer inputs at ``at``:
    stretched (halved) and linear, (p - 1/2) in 1/16384 units (v16's image counts)."""
    pc = ((ones + 1) << 12) // (total + 2)
    inputs[at] = stretch[pc] >> 1
    inputs[at + 1] = (pc - 2048) >> 2


@njit(cache=True, inline="always")
def _popcount(v):
    """The number of set bits of ``v`` (>= 0)."""
    ones = 0
    while v:
        v &= v - 1
        ones += 1
    return ones


@njit(cache=True, inline="always")
def _char_group(b):
    """A byte's character group (v15): 48 for a digit, 65 for an upper-case letter, 97
    for a lower-case letter, 128 for a byte >= 128, else the byte itself."""
    if 48 <= b <= 57:
        return 48
    if 65 <= b <= 90:
        return 65
    if 97 <= b <= 122:
        return 97
    if b >= 128:
        return 128
    return b


@njit(cache=True, inline="always")
def _bitlen(n):
    b = 0
    while n > 0:
        n >>= 1
        b += 1
    return b


@njit(cache=True, inline="always")
def _ibm_to_fixed(x):
    """An IBM hexadecimal float (32-bit value) as value * 2**32, or IBM_TOO_LARGE."""
    e = (x >> 24) & 0x7F
    m = x & 0xFFFFFF
    sh = 4 * (e - 64) + 8
    if sh > 32:
        return IBM_TOO_LARGE
    v = m << sh if sh >= 0 else (m >> -sh if sh > -24 else 0)
    return -v if x >> 31 else v


@njit(cache=True, inline="always")
def _fixed_to_ibm(v):
    """The IBM hexadecimal float (32 bits) nearest below |v| / 2**32, with v's sign."""
    a = -v if v < 0 else v
    if a == 0:
        return 0
    n = _bitlen(a)
    e = 64 + (n - 32 + 3) // 4 if n > 32 else 64 - (32 - n) // 4
    e = max(0, min(127, e))
    sh = 4 * (e - 64) + 8
    m = a >> sh if sh >= 0 else a << -sh
    m &= 0xFFFFFF
    return ((1 << 31) if v < 0 else 0) | (e << 24) | m


@njit_borrowing
def _squash(x, squash):
    if x > 2047:
        x = 2047
    if x < -2047:
        x = -2047
    return squash[x + 2047]


@njit(cache=True, inline="always")
def _stem(word, word_prefix, letters, length):
    """The hash of a word's stem (v24): the word without a final -ing, -ed, -ly or -s
    (not -ss), and then without a final e, when 3 letters or more are left.

    ``word_prefix[k]`` holds the word's hash after k letters, ``letters`` its last
    6 letters (5 bits each, a = 1), ``length`` its length. English-centred, but a
    stem only has to group a word's forms: "make", "makes" and "making" share one.
    """
    if length >= 64:
        return word
    last = letters & 31
    second = (letters >> 5) & 31
    third = (letters >> 10) & 31
    cut = 0
    if length >= 5 and third == 9 and second == 14 and last == 7:  # -ing
        cut = 3
    elif length >= 4 and ((second == 5 and last == 4) or (second == 12 and last == 25)):
        cut = 2  # -ed, -ly
    elif length >= 3 and last == 19 and second != 19:  # -s
        cut = 1
    if length - cut >= 3 and cut < 6 and ((letters >> (5 * cut)) & 31) == 5:  # then -e
        cut += 1
    return word_prefix[length - cut] if length - cut > 0 else word


@njit_borrowing
def _adapt(table, i, k, target, reciprocal, limit):
    """Move the probability in ``table[i, k]`` (22 bits above a 10-bit count n) toward
    ``target`` (0 or 1 << 22) at the rate ``reciprocal[n]`` / 65536, then count the
    update, up to ``limit``: the update of the state, run and image maps."""
    e = table[i, k]
    n = e & 1023
    pr = e >> 10
    pr += ((target - pr) * reciprocal[n]) >> 16
    if n < limit:
        n += 1
    table[i, k] = (pr << 10) | n


@njit(cache=True)
def _weight_table(rows, start):
    """A weight set of ``rows`` rows, each a copy of ``start`` (int32, 65536 = 1.0)."""
    table = np.empty((rows, start.shape[0]), dtype=np.int32)
    for r in range(rows):
        table[r, :] = start
    return table


@njit_borrowing
def _warm_row(weights, visits, sel, parent, parent_sel, num_in):
    """(v30) Before row ``sel`` of a weight set is first used, move its weights 3/4 of
    the way to ``parent``'s row ``parent_sel``, of a set with fewer rows that has learned
    more. Against halfway, on the 14 files without the LSTMs: 3/4 -19 B, 1/4 +42 B, a
    full copy +16 B (measured before v30's chained stages)."""
    if visits[sel] == 0:
        for i in range(num_in):
            weights[sel, i] = (weights[sel, i] + 3 * parent[parent_sel, i]) >> 2


@njit_borrowing
def _mixer_output(inputs, weights, sel, num_in, shift):
    """One weight set's output in the stretch domain: (inputs . weights[sel]) >> ``shift``
    (the weights' fraction bits: 16, or (v29) 16 + :data:`FINE_MIXER_BITS`), clipped."""
    dot = 0
    for i in range(num_in):
        dot += inputs[i] * weights[sel, i]
    return max(-2047, min(2047, dot >> shift))


@njit_borrowing
def _mixer_update(inputs, weights, sel, num_in, err, rnd, max_in, dead_zone, fine):
    """Move weight set ``sel`` along ``inputs`` by ``err`` (error x rate, 1/65536 units).

    ``rnd`` is 0x8000 to round each step, 0 to floor it (before model v9): a
    floored step of less than one unit is -1 when negative and 0 when positive,
    which pulls every weight down by half a unit per update. With a dead zone
    (v17, :data:`MIXER_DEAD_ZONE`) the set is left as it is when even its largest
    input, ``max_in`` (max |inputs|), would not move a weight by ``dead_zone``;
    ``dead_zone`` 0 always updates. The weights keep ``fine`` more fraction bits than
    16 (v29: :data:`FINE_MIXER_BITS` at the max level, else 0), so that small steps
    are not rounded away.
    """
    if abs(err) * max_in < dead_zone:
        return
    rnd_fine = rnd >> fine
    shift = 16 - fine
    for i in range(num_in):
        weights[sel, i] += (inputs[i] * err + rnd_fine) >> shift


@njit_borrowing
def _train_set(inputs, weights, visits, sel, p, trained):
    """Train weight set ``sel`` on the bit: its output ``p`` (P(1), 1/4096) against
    the bit, at its scheduled rate (:func:`_rate`) or the fixed one. ``trained``:
    (rate_schedule, bit, num_in, rnd, max_in, dead_zone, (min, max, half-life), fine
    fraction bits), the same for every set."""
    scheduled, y, num_in, rnd, max_in, dead_zone, schedule, fine = trained
    err = ((y << 12) - p) * (_rate(visits, sel, schedule) if scheduled else FIXED_LR)
    _mixer_update(inputs, weights, sel, num_in, err, rnd, max_in, dead_zone, fine)


@njit(cache=True, inline="always")
def _match_class(match_len, expected_bit):
    """The match length class (3 bits: repeats are >= MATCH_MIN_BYTES long) with the
    expected bit; 0 without a match."""
    if match_len == 0:
        return 0
    return 2 * min(_bitlen(match_len), 7) + expected_bit


@njit(cache=True, inline="always")
def _weight_rows(c0, c1, c2, classes, col, bit_pos, mb, column_text, column_rows5):
    """Rows of weight sets 4-8 outside images: by the partial byte with the last byte;
    the column with the bit position (in text, v12: the column / 4 with the partial
    byte); the match class with the partial byte; the last bytes' classes with the bit
    position; the byte two back with the bit position."""
    sel5 = min(col, 63) * 8 + bit_pos
    if column_text:
        sel5 = column_rows5 + ((min(col, 127) >> 2) << 8 | c0)
    return c0 | (c1 << 8), sel5, mb * 256 + c0, classes + bit_pos, c2 * 8 + bit_pos


@njit(cache=True, inline="always")
def _order2_mixer_row(text_mode, c0, c4s, match_len, expected_byte, bit_pos):
    """(v29) The row of weight set 11 (of 65,536): in text the last 2 bytes (``c4s``)
    hashed with the partial byte; elsewhere, during a match, its expected byte, length
    class and the bit position (rows 256 on), else the partial byte."""
    if text_mode:
        return _hash(c4s & 0xFFFF, c0, 85) & 0xFFFF
    if match_len > 0:
        return 256 + (expected_byte * 8 + min(_bitlen(match_len), 7)) * 8 + bit_pos
    return c0


@njit_borrowing
def _sse_p(apm, a, ia, w):
    """SSE stage ``a``'s P(1) in 1/65536: entries ``ia`` and ``ia + 1`` of its row
    (the knots either side of the input's stretch) weighted by ``w`` (0-127, the
    input's position between them, 1/128)."""
    return (np.int64(apm[a, ia]) * (128 - w) + np.int64(apm[a, ia + 1]) * w) >> (7 + SSE_EXTRA_BITS)


@njit_borrowing
def _chained_p(apm_chained, x, row, s, chained_at, chained_w):
    """(v29) Chained SSE stage ``x``'s P(1) in 1/65536 (:func:`_sse_p`) for an input of
    stretch ``s`` (+2048: 1..4095) in its ``row`` (16 bits); keeps the lower knot's
    entry and the upper knot's weight in ``chained_at[x]`` and ``chained_w[x]`` for its
    update."""
    chained_w[x] = s & 127
    chained_at[x] = row * 33 + (s >> 7)
    return _sse_p(apm_chained, x, chained_at[x], chained_w[x])


@njit_borrowing
def _chain_stage(at_w, x, row, s):
    """Chained stage ``x``'s prediction (:func:`_chained_p`) as its expert's, for a row
    hash ``row`` (its low 16 bits) and an input of stretch ``s`` (+2048). ``at_w``:
    (the stages' tables, the experts' P(1), the stages' entries and weights)."""
    apm_chained, expert_p, chained_at, chained_w = at_w
    expert_p[FIRST_CHAINED + x] = _chained_p(apm_chained, x, row & 0xFFFF, s, chained_at, chained_w)


@njit_borrowing
def _image_chain_stages(at_w, img_ctx, first, last, s_mean, s_order0):
    """(v36) Chained stages ``first`` to ``last - 1`` but stage 8, in images: each by
    its image context (:data:`IMAGE_CHAIN_CONTEXT`) on its input (``s_mean`` or
    ``s_order0``, stretch + 2048)."""
    for k in range(first, last):
        ctx = IMAGE_CHAIN_CONTEXT[k]
        if ctx >= 0:
            s_in = s_mean if IMAGE_CHAIN_ON_MEAN[k] else s_order0
            _chain_stage(at_w, k, _hash(img_ctx[ctx], k, 94), s_in)


@njit(cache=True, inline="always")
def _image_mixer_rows(r0, r1, r2, r3, r4, r5, r6, r7, r8):
    """(v36) The rows of weight sets 10 and 11 in images. Set 10 (8,448 rows): the
    5 pixels to the left and the pixel straight above in each of the 8 rows above (13
    bits). Set 11 (65,536): the 12 pixels to the left and 4 in the row above, the one
    straight up with one to its right and two to its left (16 bits). ``r0``-``r8`` as
    in :func:`_image_template_contexts`."""
    column = 0
    for k, row in enumerate((r1, r2, r3, r4, r5, r6, r7, r8)):
        column |= (row >> 8 & 1) << k
    return (r0 & 0x1F) | column << 5, (r0 & 0xFFF) | (r1 >> 7 & 0xF) << 12


@njit(cache=True, inline="always")
def _space_mask(c4, c8):
    """(v37) Which of the last 8 bytes are spaces: bit k for the byte k + 1 back
    (``c4``: the last 4 bytes, ``c8`` the 4 before them)."""
    mask = 0
    for k in range(4):
        if (c4 >> (8 * k)) & 0xFF == 32:
            mask |= 1 << k
        if (c8 >> (8 * k)) & 0xFF == 32:
            mask |= 16 << k
    return mask


@njit_borrowing
def _text_set_rows(
    sel, c0, c4, c8, groups1, word_len, sentence, prev_word, nest, line_word, letters
):
    """(v37) The context sets' row hashes in text, into ``sel``: the last 3
    character groups; the word's length with where the sentence stands (``sentence``:
    the sentence flag, the open quotes and the words since the last punctuation mark);
    the previous word; the open brackets (``nest``: depth << 8 | the innermost) with
    the last 2 groups; the line's first word; a short word's length and first letter;
    which of the last 8 bytes are spaces, with the last group. Each with the partial
    byte ``c0``."""
    sel[0] = _hash(groups1 & 0xFFFFFF, c0, 301)
    sel[1] = _hash(min(word_len, 15) | sentence << 4, c0, 302)
    sel[2] = _hash(prev_word, c0, 303)
    sel[3] = _hash(nest, groups1 & 0xFFFF, c0 + 304)
    sel[4] = _hash(line_word, c0, 305)
    first = (letters >> (5 * (word_len - 1))) & 31 if 0 < word_len < 6 else 0
    sel[5] = _hash(min(word_len, 6) | first << 3, c0, 306)
    sel[6] = _hash(_space_mask(c4, c8), groups1 & 0xFF, c0 + 307)


@njit_borrowing
def _binary_set_rows(sel, c0, c4, c8, pos):
    """(v37) The context sets' row hashes in binary data, into ``sel``: bytes 1-3
    back; 1 and 3; 3 and 4; the last byte with the offset mod 4; 1 and 4; 5 and 6; 2.
    Each with the partial byte ``c0``."""
    sel[0] = _hash(c4 & 0xFFFFFF, c0, 311)
    sel[1] = _hash(c4 & 0xFF00FF, c0, 312)
    sel[2] = _hash(c4 & 0xFFFF0000, c0, 313)
    sel[3] = _hash(pos & 3, c4 & 0xFF, c0 + 314)
    sel[4] = _hash(c4 & 0xFF0000FF, c0, 315)
    sel[5] = _hash(c8 & 0xFFFF, c0, 316)
    sel[6] = _hash(c4 & 0xFF00, c0, 317)


@njit_borrowing
def _sse_update(apm, a, at, w, target, rate):
    """Move SSE stage ``a``'s knots ``at`` and ``at + 1`` toward ``target`` (the bit, in
    the entries' units) by their weights ``128 - w`` and ``w`` at the rate 2**-``rate``."""
    apm[a, at] += ((target - apm[a, at]) * (128 - w)) >> (rate + 7)
    apm[a, at + 1] += ((target - apm[a, at + 1]) * w) >> (rate + 7)


@njit_borrowing
def _sse_count_update(apm, count, a, at, w, target, reciprocal):
    """(v38) :func:`_sse_update` at the rate 1/(n + 1.5) for a knot updated n times
    before (``count``), until that falls to 2**-APM_RATE: a new knot learns at once."""
    for knot in range(2):
        k = at + knot
        weight = w if knot else 128 - w
        n = np.int64(count[a, k])
        rate = max(reciprocal[n], 65536 >> APM_RATE)
        apm[a, k] += ((target - np.int64(apm[a, k])) * weight * rate) >> 23
        if n < SSE_COUNT_LIMIT:
            count[a, k] = n + 1


@njit(cache=True, inline="always")
def _sse_order4_row(c0, c4s):
    """The row of the order-4 SSE stage (v20): the last 4 bytes (``c4s``, in text
    with line breaks as spaces) hashed with the partial byte."""
    return _hash(c4s, c0, 79) & 0xFFFF


@njit(cache=True, inline="always")
def _sse_rows(c0, c1, c4s):
    """The rows of SSE stages 1-3 outside images: order 1, and orders 2 and 3 hashed
    (``c4s``: the last 4 bytes, in text with line breaks as spaces), each with the
    partial byte."""
    return (
        c0 | (c1 << 8),
        _hash(c4s & 0xFFFF, c0, 77) & 0xFFFF,
        _hash(c4s & 0xFFFFFF, c0, 78) & 0xFFFF,
    )


@njit_borrowing
def _prefetch_row(weights, sel, num_in):
    """Prefetch the cache lines of ``weights[sel, :num_in]`` (int32: 16 to a line)."""
    for k in range(0, num_in + 15, 16):
        _prefetch(weights, sel, min(k, num_in - 1))


@njit_borrowing
def _prefetch_weight_rows(w1, w4, w5, w6, w7, w8, rows, c0, num_in, mix6_on, class_on):
    """Prefetch the rows of weight sets 1 and 4-8 that a bit will read (``rows``: those
    of sets 4-8, from :func:`_weight_rows`). The sets of 64 K rows miss the caches."""
    _prefetch_row(w1, c0, num_in)
    _prefetch_row(w4, rows[0], num_in)
    _prefetch_row(w5, rows[1], num_in)
    if mix6_on:
        _prefetch_row(w6, rows[2], num_in)
    if class_on:
        _prefetch_row(w7, rows[3], num_in)
        _prefetch_row(w8, rows[4], num_in)


@njit_borrowing
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


@njit_borrowing
def _dmc_start(nxt, counts, states, base, m, dmc_i, last_byte):
    """(v33) Model ``m`` of the DMC forest starts over: its graph becomes 256 binary
    trees of 255 states, one per previous byte (order 1), each tree's last states leading
    to the roots of the trees of the byte they complete; its walk starts at the root of
    ``last_byte``'s tree.

    A model's nodes are rows ``base[m]`` on of ``nxt`` (int32, (nodes, 2): the next
    state on a 0 and on a 1, numbered from ``base[m]``), ``counts`` (int32, (nodes, 2):
    the decayed counts of 0s and 1s seen there, DMC_COUNT_ONE a count) and ``states``
    (uint8: the bit history seen there). ``dmc_i[m]`` holds the nodes in use, the
    current node, the cloning threshold, that threshold x 2048, and the counts the
    full graph could not clone.
    """
    b = base[m]
    first = 2 * DMC_COUNT_ONE if DMC_THRESHOLDS[m] < DMC_COUNT_ONE else DMC_COUNT_ONE // 2
    for tree in range(256):
        for i in range(255):
            node = b + tree * 255 + i
            if i < 127:
                nxt[node, 0] = tree * 255 + 2 * i + 1
                nxt[node, 1] = tree * 255 + 2 * i + 2
            else:  # the byte's eighth bit: on to the tree of the byte it completes
                nxt[node, 0] = 2 * (i - 127) * 255
                nxt[node, 1] = (2 * (i - 127) + 1) * 255
            counts[node, 0] = first
            counts[node, 1] = first
            states[node] = 0
    dmc_i[m, 0] = DMC_FIRST_NODES
    dmc_i[m, 1] = last_byte * 255
    dmc_i[m, 2] = DMC_THRESHOLDS[m]
    dmc_i[m, 3] = DMC_THRESHOLDS[m] << 11
    dmc_i[m, 4] = 0


@njit_borrowing
def _dmc_update(nxt, counts, states, base, capacity, dmc_i, m, y, next_state):
    """(v33) Count bit ``y`` at model ``m``'s current node and move along its edge.

    The counts decay by 1/64 a bit. When the edge taken has been taken more than the
    threshold and the node it leads to has been reached more than that often by other
    edges as well, the edge gets its own copy of that node (DMC's cloning), which takes
    the share of the node's counts that this edge brought, so that the copy models the
    longer context.
    """
    b = base[m]
    cur = b + dmc_i[m, 1]
    c0 = np.int64(counts[cur, 0])
    c1 = np.int64(counts[cur, 1])
    n = c1 if y else c0
    counts[cur, 0] = c0 - (c0 >> 6) + (0 if y else DMC_COUNT_ONE)
    counts[cur, 1] = c1 - (c1 >> 6) + (DMC_COUNT_ONE if y else 0)
    states[cur] = next_state[states[cur], y]
    threshold = dmc_i[m, 2]
    nx = np.int64(nxt[cur, y])
    if n > threshold:
        target = b + nx
        d0 = np.int64(counts[target, 0])
        d1 = np.int64(counts[target, 1])
        total = d0 + d1
        if total > n + threshold:
            top = dmc_i[m, 0]
            if top < capacity[m]:
                e0 = d0 * n // total
                e1 = d1 * n // total
                clone = b + top
                counts[clone, 0] = e0
                counts[clone, 1] = e1
                counts[target, 0] = d0 - e0
                counts[target, 1] = d1 - e1
                nxt[clone, 0] = nxt[target, 0]
                nxt[clone, 1] = nxt[target, 1]
                states[clone] = states[target]
                nxt[cur, y] = top
                nx = top
                dmc_i[m, 0] = top + 1
                if threshold < 8 * DMC_COUNT_ONE:
                    dmc_i[m, 3] += 1
                    dmc_i[m, 2] = dmc_i[m, 3] >> 11
            else:
                dmc_i[m, 4] += total >> 10
    dmc_i[m, 1] = nx


@njit_borrowing
def _dmc_stretch(counts, states, base, dmc_i, dmc_map, m, stretch):
    """(v33) Model ``m``'s next bit, 8 x its logit (256 per unit): 5 parts the current
    node's counts, 3 parts its bit history's adaptive probability (none for an empty
    history)."""
    cur = base[m] + dmc_i[m, 1]
    n0 = np.int64(counts[cur, 0]) + 1
    n1 = np.int64(counts[cur, 1]) + 1
    by_counts = stretch[(n1 << 12) // (n0 + n1)]
    state = states[cur]
    by_history = 0 if state == 0 else stretch[dmc_map[m, state] >> 20]
    return by_counts * 5 + by_history * 3


@njit_borrowing
def _dmc_learn(
    nxt,
    counts,
    states,
    base,
    capacity,
    dmc_i,
    dmc_map,
    y,
    bit_pos,
    last_byte,
    reciprocal,
    next_state,
):
    """(v33) Learn bit ``y`` in every model of the DMC forest (:func:`_dmc_update`), their
    bit histories' probabilities too; at a byte's start, restart the full restarting
    models at ``last_byte``'s tree (:func:`_dmc_start`)."""
    for m in range(DMC_MODELS):
        node = base[m] + dmc_i[m, 1]
        _adapt(dmc_map, m, np.int64(states[node]), y << 22, reciprocal, 255)
        _dmc_update(nxt, counts, states, base, capacity, dmc_i, m, y, next_state)
    if bit_pos == 0:
        for m in range(DMC_RESTARTING):
            if (dmc_i[m, 4] >> 7) > capacity[m]:
                _dmc_start(nxt, counts, states, base, m, dmc_i, last_byte)


@njit_borrowing
def _dmc_inputs(inputs, at, counts, states, base, dmc_i, dmc_map, stretch):
    """(v33) The DMC forest's DMC_INPUTS mixer inputs into ``inputs[at:]``: the
    restarting models' predictions (:func:`_dmc_stretch`) averaged in pairs, then the
    lasting ones' one by one, at half scale (8 x the logit: shifted by 4 and 5)."""
    for m in range(0, DMC_RESTARTING, 2):
        pair = _dmc_stretch(counts, states, base, dmc_i, dmc_map, m, stretch)
        pair += _dmc_stretch(counts, states, base, dmc_i, dmc_map, m + 1, stretch)
        inputs[at] = max(-2047, min(2047, pair >> 5))
        at += 1
    for m in range(DMC_RESTARTING, DMC_MODELS):
        one = _dmc_stretch(counts, states, base, dmc_i, dmc_map, m, stretch)
        inputs[at] = max(-2047, min(2047, one >> 4))
        at += 1


@njit(cache=True, inline="always")
def _history_key(run_expected, history_value, bit_pos):
    """(v35) A context's byte history at ``bit_pos``, 4 bits, << 3 | ``bit_pos``: the
    bits there of its last three distinct bytes (``run_expected``, the run model's byte
    | 256 or 0 for none, then ``history_value``'s two), under a flag of how many are
    known."""
    if run_expected == 0:
        return bit_pos
    shift = 7 - bit_pos
    known = (history_value >> 16) & 3
    bits = (run_expected >> shift) & 1
    if known == 0:
        return (2 | bits) << 3 | bit_pos
    bits |= ((history_value >> shift) & 1) << 1
    if known == 1:
        return (4 | bits) << 3 | bit_pos
    bits |= ((history_value >> (8 + shift)) & 1) << 2
    return (8 | bits) << 3 | bit_pos


@njit_borrowing
def _sparse_step(buf, pos, table, order, sp):
    """(v34) The sparse match models' step at a byte's start (``pos`` bytes coded).

    ``sp`` (int64) is their state, its fields named ``_SP_*``. ``order`` lists the
    models by recency of their last match, which is where a new one is looked for
    first. ``table`` (int32, (models,
    2**MATCH_TABLE_BITS)): per model and hash, the position after the bytes hashed.
    """
    for m in range(SPARSE_MODELS):
        h = m + 1
        k = pos - 1 - SPARSE_OFFSETS[m]
        for _ in range(SPARSE_MIN_BYTES[m]):
            b = buf[k] & SPARSE_MASKS[m] if k >= 0 else 0
            h = (h * 0x2F0B4F3 + b + 1) & 0xFFFFFFFF
            k -= SPARSE_STRIDES[m]
        sp[_SP_HASH + m] = (h ^ (h >> 11)) & ((1 << MATCH_TABLE_BITS) - 1)
    if sp[_SP_LENGTH] > 0:
        sp[_SP_LENGTH] = min(sp[_SP_LENGTH] + 1, 65535)
        sp[_SP_PTR] += 1
    else:
        for t in range(SPARSE_MODELS):
            m = order[t]
            cand = np.int64(table[m, sp[_SP_HASH + m]])
            reach = SPARSE_OFFSETS[m] + 1 + (SPARSE_MIN_BYTES[m] - 1) * SPARSE_STRIDES[m]
            if cand < reach or pos < reach:
                continue
            n = 0
            k = SPARSE_OFFSETS[m] + 1
            mask = SPARSE_MASKS[m]
            while n < SPARSE_MIN_BYTES[m] and ((buf[pos - k] ^ buf[cand - k]) & mask) == 0:
                n += 1
                k += SPARSE_STRIDES[m]
            if n == SPARSE_MIN_BYTES[m]:
                sp[_SP_LENGTH] = 1
                sp[_SP_PTR] = cand
                sp[_SP_MODEL] = m
                for u in range(t, 0, -1):
                    order[u] = order[u - 1]
                order[0] = m
                break
    for m in range(SPARSE_MODELS):
        table[m, sp[_SP_HASH + m]] = pos
    sp[_SP_BYTE] = buf[sp[_SP_PTR]] if sp[_SP_LENGTH] > 0 else 0
    sp[_SP_LIVE] = 1 if sp[_SP_LENGTH] > 0 else 0


@njit_borrowing
def _sparse_inputs(inputs, at, sp, sp_map, c0, c1, c4, bit_pos, stretch):
    """(v34) The sparse match models' :data:`SPARSE_INPUTS` mixer inputs for the next
    bit: the expected bit by the match's length (while it holds and its mask covers the
    bit), then two maps' stretched P(1): hashed by the expected byte, the partial byte,
    the last two bytes and the length's class with the model, and directly by the
    expected byte's disagreement with the partial byte, the last byte and the bit's
    position. All zero when no match was live at the byte's start."""
    for k in range(SPARSE_INPUTS):
        inputs[at + k] = 0
    if sp[_SP_LIVE] == 0:
        return
    length = sp[_SP_LENGTH]
    expected = sp[_SP_BYTE]
    m = sp[_SP_MODEL]
    if length > 0 and (SPARSE_MASKS[m] >> (7 - bit_pos)) & 1:
        sign = 2 * ((expected >> (7 - bit_pos)) & 1) - 1
        inputs[at] = sign * (min(length, 64) << 4)
        inputs[at + 1] = sign * (((1 << min(length - 1, 3)) * min(length, 8)) << 4)
        inputs[at + 2] = sign * 512
    lclass = _bitlen(length + 1) * SPARSE_MODELS + m
    ia = _hash(expected | (c0 << 8) | (c1 << 16) | (((c4 >> 8) & 0xFF) << 24), lclass, 77)
    ia &= (1 << SPARSE_MAP_BITS) - 1
    partial = (c0 << (8 - bit_pos)) & 0xFF
    ib = (bit_pos << 16) | (c1 << 8) | (expected ^ partial)
    sp[_SP_ENTRY_A] = ia
    sp[_SP_ENTRY_B] = ib
    inputs[at + 3] = stretch[sp_map[0, ia] >> 20]
    inputs[at + 4] = stretch[sp_map[1, ib] >> 20]


@njit_borrowing
def _sparse_learn(sp, sp_map, y, bit_pos, reciprocal):
    """(v34) Learn the coded bit ``y`` in the two map entries read for it, and end the
    match if it expected the other bit where its mask covers the bit."""
    if sp[_SP_LIVE]:
        _adapt(sp_map, 0, sp[_SP_ENTRY_A], y << 22, reciprocal, SPARSE_LIMIT)
        _adapt(sp_map, 1, sp[_SP_ENTRY_B], y << 22, reciprocal, SPARSE_LIMIT)
    covered = (SPARSE_MASKS[sp[_SP_MODEL]] >> (7 - bit_pos)) & 1
    if sp[_SP_LENGTH] > 0 and covered and ((sp[_SP_BYTE] >> (7 - bit_pos)) & 1) != y:
        sp[_SP_LENGTH] = 0


@njit(cache=True)
def cm_code(
    src, num_bytes, dst, decode, table_bits, features, more_features, tables, byte_cost_bits
):
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
    more_features : int
        (v30) The components past bit 63: bit k is ``FEATURE_*`` ``1 << (64 + k)``.
    tables : tuple
        The frozen integer tables, :data:`TABLES`.
    byte_cost_bits : float64 array
        Receives -log2 p of each byte when it has ``num_bytes`` entries
        (a learning curve); pass an empty array to skip.

    Returns
    -------
    (num_bytes_moved, ideal_bits)
        Encoding: bytes written to ``dst`` (-1 if it overflowed). Decoding:
        bytes of ``src`` consumed, which for a valid stream is all of them
        (-1 as soon as the stream proves too short for ``num_bytes``, so a
        false length costs no more work than the stream could hold). Then the
        ideal code length sum(-log2 p) in bits.
    """
    squash, stretch, reciprocal, cost_bits, next_state, state_init_p, priority, det_input = tables
    det_on = (features & FEATURE_DET_INPUTS) != 0
    mix6_on = (features & FEATURE_MATCH_MIXER) != 0
    long_on = (features & FEATURE_LONG_MATCH) != 0
    class_on = (features & FEATURE_BYTE_MIXERS) != 0
    final2_on = (features & FEATURE_FINAL_MIXER2) != 0
    final3_on = final2_on and (features & FEATURE_FINAL_MIXER3) != 0
    recover_on = (features & FEATURE_MATCH_RECOVERY) != 0
    miss_ptr = 0
    miss_on = False
    confidence_on = (features & FEATURE_INPUT_CONFIDENCE) != 0
    fast_offset = DIRECT_RATE_OFFSET if confidence_on else 0
    runmap_on = (features & FEATURE_RUN_STATE_MAP) != 0
    precise = (features & FEATURE_PRECISION) != 0
    rnd = 0x8000 if precise else 0  # round the mixers' and direct probabilities' steps
    sse_bits = SSE_EXTRA_BITS if precise else 0
    word_mix_on = (features & FEATURE_WORD_MIXER) != 0
    warm_on = (more_features >> WARM_ROWS_BIT) & 1 == 1
    dmc_on = (more_features >> DMC_BIT) & 1 == 1
    sparse_on = (more_features >> SPARSE_BIT) & 1 == 1
    coarse_on = (more_features >> COARSE_INDIRECT_BIT) & 1 == 1
    # (v35) the byte history extends the run model's byte in each context
    history_on = (more_features >> BYTE_HISTORY_BIT) & 1 == 1 and features & FEATURE_RUN_MODEL != 0
    num_mix = 6 if mix6_on else 5
    idx7 = num_mix  # the optional weight sets' places in the second layer
    if class_on:
        num_mix += 1
    idx8 = num_mix
    if class_on:
        num_mix += 1
    idx9 = num_mix
    if word_mix_on:
        num_mix += 1
    lstm_on = (features & FEATURE_LSTM) != 0
    lstm_mix_on = lstm_on and (features & FEATURE_LSTM_MIXING) != 0
    idx10 = num_mix  # weight set 10, then the LSTM's and the match model's stretch
    if lstm_mix_on:
        num_mix += 3
    second_on = lstm_on and (features & FEATURE_SECOND_LSTM) != 0
    idx_l2 = num_mix  # the second LSTM's stretch
    if second_on:
        num_mix += 1
    order2_mix_on = (features & FEATURE_ORDER2_MIXER) != 0
    idx11 = num_mix  # weight set 11 (v29)
    if order2_mix_on:
        num_mix += 1
    sets_on = (more_features >> CONTEXT_SETS_BIT) & 1 == 1
    quick_on = (more_features >> QUICK_START_BIT) & 1 == 1
    controls_on = (more_features >> TEXT_CONTROLS_BIT) & 1 == 1
    masks_on = (more_features >> BINARY_MASKS_BIT) & 1 == 1
    line_hashes_on = (more_features >> LINE_HASHES_BIT) & 1 == 1
    histories_on = (more_features >> INDIRECT_HISTORIES_BIT) & 1 == 1
    idx_sets = num_mix  # (v37) the context sets
    if sets_on:
        num_mix += NUM_CONTEXT_SETS
    run_on = (features & FEATURE_RUN_MODEL) != 0
    neural_on = (features & FEATURE_NEURAL) != 0
    line_on = (features & FEATURE_LINE_AS_SPACE) != 0
    misses_on = (features & FEATURE_SSE_MISSES) != 0
    # v17: below this |err x rate| x max |input| a first-layer set is not updated
    dead_zone = MIXER_DEAD_ZONE if features & FEATURE_MIXER_DEAD_ZONE else 0
    column_on = (features & FEATURE_COLUMN_CONTEXTS) != 0
    column_mix_on = (features & FEATURE_COLUMN_MIXER) != 0
    folded8_on = (features & FEATURE_FOLDED_ORDER8) != 0
    lstm = lstm_new(
        LSTM_HIDDEN if lstm_on else 1,
        LSTM_HORIZON if lstm_on else 1,
        min(LSTM_HASH_BITS, table_bits - 6) if lstm_on else 1,
    )
    lstm2 = lstm_new(
        LSTM_HIDDEN if second_on else 1,
        LSTM2_HORIZON if second_on else 1,
        min(LSTM2_HASH_BITS, table_bits - 6) if second_on else 1,
        LSTM2_SALT,
    )
    size = 1 << table_bits
    # run model: per context, P(the bit is the run byte's) by run length class and bit
    # position (22-bit probability << 10 | hit count, as a state map)
    run_map = np.full((NUM_CONTEXTS, RUN_CLASSES * 8), 3 << 30, dtype=np.int64)
    run_exp = np.zeros(NUM_CONTEXTS, dtype=np.int64)  # expected byte | 256, 0 = none
    run_cls = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    run_bit = np.full(NUM_CONTEXTS, -1, dtype=np.int64)  # this bit's expected value, -1 = none
    first_base = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    first_check = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    first_xcheck = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    image_on = (features & FEATURE_IMAGE) != 0
    sse_chain = (features & FEATURE_SSE_CHAIN) != 0
    rate_schedule = (features & FEATURE_RATE_SCHEDULE) != 0
    slow_on = (features & FEATURE_SLOW_MIXERS) != 0
    schedule = SLOW_MIXER_RATES if slow_on else (MIXER_LR_MIN, MIXER_LR_MAX, MIXER_LR_HALF)
    text_schedule = SLOW_MIXER_TEXT_RATES if slow_on else schedule
    image_schedule = SLOW_MIXER_IMAGE_RATES if slow_on else schedule
    # (v29) first-layer weights with more fraction bits, and in text a lower floor
    fine_bits = FINE_MIXER_BITS if features & FEATURE_FINE_MIXERS else 0
    if fine_bits and slow_on:
        text_schedule = FINE_MIXER_TEXT_RATES
    w_shift = 16 + fine_bits
    more = (features & FEATURE_MORE_CONTEXTS) != 0
    letters_on = more and (features & FEATURE_LETTER_CONTEXTS) != 0
    use = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    stems_on = (features & FEATURE_WORD_STEMS) != 0
    aligned_on = (features & FEATURE_ALIGNED_WORDS) != 0
    new_10_21 = stems_on or aligned_on  # v24: contexts 10 and 21 are theirs
    text_more = (features & FEATURE_MORE_TEXT_CONTEXTS) != 0
    quotes_on = (features & FEATURE_QUOTES) != 0
    for i in range(NUM_CONTEXTS):
        if (i == 24 or i == 25) and not features & FEATURE_WORD_CONTEXTS:
            continue
        if i == 26 and not features & FEATURE_MATCH_CONTEXT:
            continue
        if (i == 27 or i == 28) and not features & FEATURE_TEXT_CONTEXTS:
            continue
        if i >= 29 and not more:
            continue
        if more and ((i == 13 and not folded8_on) or ((i == 14 or i == 20) and not column_on)):
            continue
        if i >= FIRST_HISTORY_CONTEXT:
            if not histories_on:
                continue
        elif i >= FIRST_LINE_CONTEXT:
            if not line_hashes_on:
                continue
        elif i >= FIRST_MASK_CONTEXT:
            if not masks_on:
                continue
        elif i >= FIRST_MORE_CONTEXT:
            if not coarse_on:
                continue
        elif i >= 40 and not features & _CONTEXT_FEATURE[i - 40]:
            continue
        if (i == 10 or i == 21) and features & FEATURE_CHAR_GROUPS and not new_10_21:
            continue  # v15: the character groups take the places of these two (until v24)
        if (i == 25 or i == 27) and features & FEATURE_CHAR_GROUPS and not text_more:
            continue  # ... and of these two at the default level, for their time
        if i == 15 and features & FEATURE_WORD_PREDICTIONS and not text_more:
            continue  # v16: the predicted words take its place (and 17's in text) by default
        use[i] = 1
    # v17-v18: by default some max-level contexts are used in text only (gated below)
    text_only = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    for i, bit in TEXT_ONLY_CONTEXTS:
        if features & bit and not features & _CONTEXT_FEATURE[i - 40]:
            text_only[i] = 1
            use[i] = 1
    # whether a text-only context reads the character groups (then they are tracked
    # even with FEATURE_CHAR_GROUPS off)
    text_groups = False
    for i in (43, 50, 54, 55):
        text_groups = text_groups or text_only[i] != 0
    # contexts skipped per byte: kind 1 (binary contexts) in text and images,
    # kind 2 (record contexts) in text, kind 3 (some text contexts) in binary
    # data outside images, kind 4 (v12's text contexts) outside text, kind 5 (v16,
    # FEATURE_IMAGE_COUNTS: the byte contexts not in IMAGE_BYTE_CONTEXTS) in images;
    # skip_kind[kind] is set once per byte
    gated = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    skip_kind = np.zeros(6, dtype=np.int64)
    skip_other = np.zeros(6, dtype=np.int64)
    if more:
        for i in range(FIRST_BINARY_CONTEXT, 40):
            gated[i] = 1
        gated[18] = 2
        gated[19] = 2
        for i in (9, 10, 24, 28):
            gated[i] = 3
        gated[11] = 2  # v12: byte 2 and bytes 3-4 alone are not worth their time in text
        gated[12] = 2
        if letters_on:  # v13: in text they, and the record contexts, read further back
            for i in (11, 12, 18, 19):
                gated[i] = 0
            if features & FEATURE_CHAR_GROUPS:
                gated[19] = 2  # v15: the word with the column gives way in text
        if features & FEATURE_WORD_PREDICTIONS and not text_more:
            gated[17] = 2  # v16: the indirect order 2 not in text at the default level
        gated[13] = 4  # v12: text only (the folded order 8; the column contexts)
        gated[14] = 4
        gated[20] = 4
    image_counts = image_on and (features & FEATURE_IMAGE_COUNTS) != 0
    if image_counts:  # v16: in images only IMAGE_BYTE_CONTEXTS of kinds 0 and 3
        for i in range(NUM_CONTEXTS):
            if gated[i] == 0:
                gated[i] = 5  # kind 5: skipped in images
            elif gated[i] == 3:
                gated[i] = 4  # text only
        for i in IMAGE_BYTE_CONTEXTS:
            gated[i] = 0
    for i in range(NUM_CONTEXTS):
        if text_only[i]:
            gated[i] = 4
    if new_10_21:
        # v24: in text the stems (kind 4), in binary data the aligned words (kind 1),
        # with both everywhere but in images (kind 5)
        gated[10] = 5 if stems_on and aligned_on else (4 if stems_on else 1)
        gated[21] = gated[10]
    for i in range(58, FIRST_MORE_CONTEXT):
        gated[i] = 4  # v25-v26: text only
    for i in range(FIRST_MORE_CONTEXT, FIRST_LINE_CONTEXT):
        gated[i] = 1  # v35, v39: binary data only
    for i in range(FIRST_LINE_CONTEXT, FIRST_HISTORY_CONTEXT):
        gated[i] = 4  # v39: text only
    code_words_on = (features & FEATURE_CODE_WORDS) != 0
    if code_words_on:  # v27: in binary data contexts 59-64 read 16-bit words
        # kind 5 (all but images) where the slot is a text context too, else kind 1
        for i in range(CODE_WORD_FIRST, CODE_WORD_FIRST + CODE_WORD_CONTEXTS):
            gated[i] = 5 if use[i] else 1
            use[i] = 1
    num_active = 0
    for i in range(NUM_CONTEXTS):
        num_active += use[i]
    # The mixer's inputs: first the match models', the bias and the neural inputs
    # (num_misc), then each context's by gating kind (ungated, 3, 4, 2, 1), then the
    # image contexts'. Text skips kinds 1 and 2, so its mixers stop after kind 4.
    # The extra match models' minimum lengths: the max level's, else v13's two.
    extra_min = np.zeros(0, dtype=np.int64)
    if features & FEATURE_MATCH_CANDIDATES:
        extra_min = np.array(EXTRA_MATCH_BYTES, dtype=np.int64)
    elif features & FEATURE_MORE_MATCHES:
        extra_min = np.array(DEFAULT_EXTRA_MATCH_BYTES, dtype=np.int64)
    num_extra = len(extra_min)
    num_sec = (1 if long_on else 0) + num_extra  # the long match model, then the extra ones
    num_misc = 3 + 2 * num_sec + (1 if neural_on else 0) + (1 if lstm_on else 0)
    num_misc += 1 if lstm_mix_on else 0
    num_misc += 1 if second_on else 0
    delta_on = (features & FEATURE_MATCH_DELTA) != 0
    num_misc += 1 if delta_on else 0
    num_misc += DMC_INPUTS if dmc_on else 0
    num_misc += SPARSE_INPUTS if sparse_on else 0
    per = 2 + (1 if det_on else 0) + (1 if run_on else 0)
    per += BYTE_HISTORY_INPUTS if history_on else 0
    if num_misc + per * num_active + IMAGE_INPUTS > NUM_INPUTS:
        raise ValueError("cm_code: more mixer inputs than NUM_INPUTS")
    active = np.zeros(num_active, dtype=np.int64)
    j = 0
    num_text_in = num_misc
    num_text_active = 0  # text (outside images) uses the first these many of ``active``
    for kind in (0, 5, 3, 4, 2, 1):
        for i in range(NUM_CONTEXTS):
            if use[i] and gated[i] == kind:
                active[j] = i
                j += 1
                if kind == 0 or kind == 5 or kind == 3 or kind == 4:
                    num_text_in += per
                    num_text_active += 1
    apm_weights = APM_WEIGHTS if sse_chain else APM_WEIGHTS_V4
    # FEATURE_SSE_MIXTURE alone mixes only the first six experts: the mixer and the SSE
    # stages; FEATURE_EXPERT_MIXTURE (with it, as in every level since v11) all of them
    experts_on = precise and (features & FEATURE_SSE_MIXTURE) != 0
    few_experts = experts_on and (features & FEATURE_EXPERT_MIXTURE) == 0
    num_experts = 6 if few_experts else NUM_EXPERTS
    # which experts exist: mixer, SSE stages, final layers a-c, weight sets 1-9
    expert_used = np.zeros(NUM_EXPERTS, dtype=np.int64)
    for e in range(9):
        expert_used[e] = 1
    expert_used[7] = 1 if final2_on else 0
    expert_used[8] = 1 if final3_on else 0
    for e in range(5):
        expert_used[9 + e] = 1
    expert_used[14] = 1 if mix6_on else 0
    expert_used[15] = 1 if class_on else 0
    expert_used[16] = 1 if class_on else 0
    expert_used[17] = 1 if word_mix_on else 0
    expert_used[18] = 1 if lstm_on else 0
    expert_used[20] = 1 if lstm_mix_on else 0
    expert_used[21] = 1 if second_on else 0
    order4_sse = (features & FEATURE_ORDER4_SSE) != 0 and experts_on and not few_experts
    expert_used[19] = 1 if order4_sse else 0
    chains_on = (features & FEATURE_SSE_CHAINS) != 0 and experts_on and not few_experts
    word_chains_on = chains_on and (more_features >> WORD_CHAINS_BIT) & 1 == 1
    num_chained = NUM_CHAINED if word_chains_on else NUM_CHAINED - NUM_WORD_CHAINED
    for e in range(FIRST_CHAINED, NUM_EXPERTS):
        expert_used[e] = 1 if chains_on and e < FIRST_CHAINED + num_chained else 0
    if few_experts:
        for e in range(6, NUM_EXPERTS):
            expert_used[e] = 0
    expert_w = np.zeros((EXPERT_SETS, NUM_EXPERTS), dtype=np.int64)
    for q in range(EXPERT_SETS):
        total = 0
        for e in range(NUM_EXPERTS):
            if expert_used[e]:
                # start from the fixed SSE average (weights in 1/16), the others small
                expert_w[q, e] = (apm_weights[e] << 24) if e < 6 else EXPERT_MIN_WEIGHT
                total += expert_w[q, e]
        for e in range(NUM_EXPERTS):
            expert_w[q, e] = (expert_w[q, e] << 28) // total
    expert_p = np.zeros(NUM_EXPERTS, dtype=np.int64)
    expert_set = 0
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
    # the tables hold a row per context in use (row[i] is context i's)
    row = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    j = 0
    for i in range(NUM_CONTEXTS):
        if use[i]:
            row[i] = j
            j += 1
    hist = np.zeros((max(num_active, 1), size), dtype=np.uint8)
    # (v35) each bucket's byte history (as history_val), for the first-nibble buckets
    history = np.zeros((max(num_active, 1), size >> 4) if history_on else (1, 1), dtype=np.uint32)
    fast = np.full((max(num_active, 1), size), 2048 << 4, dtype=np.uint16)
    fast[:, ::16] = 0  # a bucket's first slot holds no probability: its run, if any
    state_map = np.empty((NUM_CONTEXTS, 256 * RUN_MAP_CLASSES), dtype=np.uint32)
    for i in range(NUM_CONTEXTS):
        for s in range(256 * RUN_MAP_CLASSES):
            state_map[i, s] = state_init_p[s & 255] << 10
    # The run of a bucket of a byte's first nibble lives in the bucket's unused
    # first direct-probability slot: the last byte seen in the context (low 8
    # bits) and how many times in a row (bits 8-11, 0 = none yet, at most 15);
    # since v14 its top 4 bits extend every bucket's check byte.
    run_len = np.zeros(NUM_CONTEXTS, dtype=np.int64)  # the run's count, 0 = none
    # (v35) per context: the two bytes seen there before the run's byte (bits 0-15)
    # and how many of them are known (bits 16-17), read at the byte's start; the two
    # map entries read for this bit; and the maps, the first by whether the bit
    # history is uncertain, the second by its state (each with the history's bits and
    # the bit position)
    history_val = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    history_at = np.zeros((NUM_CONTEXTS, 2), dtype=np.int64)
    num_history_maps = NUM_CONTEXTS if history_on else 1
    history_map = np.full((num_history_maps, 2 * 128), 1 << 31, dtype=np.int64)
    history_state_map = np.full((num_history_maps, 256 * 128), 1 << 31, dtype=np.int64)
    map_idx = np.zeros(NUM_CONTEXTS, dtype=np.int64)  # each context's state map entry
    # (v16) 2-D contexts 14-17 and the pixel counts exist with FEATURE_IMAGE_COUNTS
    image_templates = image_counts and (features & FEATURE_IMAGE_TEMPLATES) != 0
    # (v36) rows by pixels for the chained stages, weight sets 10 and 11 and the mixture
    image_rows = image_templates and (more_features >> IMAGE_ROWS_BIT) & 1 == 1
    num_image = (NUM_IMAGE if image_templates else IMAGE_COUNT_CONTEXTS) if image_counts else 14
    # the image inputs this level has: each context's, then (v16) 2 count inputs per
    # context and the 8 neighbourhood shares (without v27's contexts, v26's layout)
    img_inputs = 3 * num_image + 8
    # contexts 0-15 index 16 bits; 16 and 17 are hashed into up to 2**IMAGE_TABLE_BITS
    img_size = 1 << max(16, min(IMAGE_TABLE_BITS, table_bits - 3)) if image_counts else 65536
    # allocated when the first image starts (most files have none): zero, as before
    img_hist = np.zeros((1, 1), dtype=np.uint8)
    img_count = np.zeros((1, 1), dtype=np.uint32)
    img_ones40 = 0  # set pixels among the 40 nearest (v16)
    img_row9 = 0  # (v27) the ninth weight set's row in images, by the run context
    img_row_a = 0  # (v27) the first final layer's row in images
    r4 = 0  # rows 4-8 above, for FEATURE_IMAGE_COUNTS
    r5 = 0
    r6 = 0
    r7 = 0
    r8 = 0
    far_rows = np.zeros(8, dtype=np.int64)  # (v27) rows 9-16 above, in images
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
    # (v24) after a mispredicted bit: P(1) by the expected byte, the partial byte and
    # whether a repeat predicts again, 22 bits above a 10-bit count
    delta_map = np.full((1, 256 * 256 * 2 if delta_on else 1), 1 << 31, dtype=np.int64)
    # (v33) the DMC forest: every model's nodes in one table (one row each when off)
    dmc_capacity = np.ones(DMC_MODELS, dtype=np.int64)
    dmc_base = np.zeros(DMC_MODELS, dtype=np.int64)
    dmc_nodes = 0
    for m in range(DMC_MODELS):
        if dmc_on:
            budget = 16 * min(num_bytes, DMC_MAX_BYTES) // DMC_NODE_SHARES[m]
            dmc_capacity[m] = DMC_FIRST_NODES + budget
        dmc_base[m] = dmc_nodes
        dmc_nodes += dmc_capacity[m]
    dmc_nxt = np.zeros((dmc_nodes, 2), dtype=np.int32)
    dmc_counts = np.zeros((dmc_nodes, 2), dtype=np.int32)
    dmc_states = np.zeros(dmc_nodes, dtype=np.uint8)
    dmc_i = np.zeros((DMC_MODELS, 5), dtype=np.int64)
    dmc_map = np.empty((DMC_MODELS, 256), dtype=np.int64)  # bit history -> P(1)
    for m in range(DMC_MODELS):
        for s in range(256):
            dmc_map[m, s] = state_init_p[s] << 10
        if dmc_on:
            _dmc_start(dmc_nxt, dmc_counts, dmc_states, dmc_base, m, dmc_i, 0)
    # (v34) the sparse match models (one row each when off)
    sp_table = np.zeros((SPARSE_MODELS, 1 << MATCH_TABLE_BITS if sparse_on else 1), dtype=np.int32)
    sp_order = np.arange(SPARSE_MODELS)
    sp = np.zeros(_SP_HASH + SPARSE_MODELS, dtype=np.int64)
    sp_map = np.full((2, 1 << SPARSE_MAP_BITS if sparse_on else 1), 1 << 31, dtype=np.uint32)
    delta_idx = -1
    delta_live = False  # the match model mispredicted a bit of this byte
    delta_byte = 0
    width = num_misc + per * num_active + img_inputs  # the inputs this level has
    # a new row's weights: WEIGHT_INIT, and RUN_WEIGHT_INIT for the run inputs (v28: at
    # the max level, whose mixers have more inputs, smaller ones)
    start = np.full(
        width, (SLOW_MIXER_WEIGHT_INIT if slow_on else WEIGHT_INIT) << fine_bits, dtype=np.int32
    )
    run_start = (SLOW_MIXER_RUN_WEIGHT_INIT if slow_on else RUN_WEIGHT_INIT) << fine_bits
    if run_on:  # the run inputs start with a smaller weight
        for j in range(num_active):
            start[num_misc + j * per + per - 1] = run_start
    weights1 = _weight_table(256, start)
    weights2 = _weight_table(256, start)
    weights3 = _weight_table(64 * 32, start)
    weights4 = _weight_table(65536, start)
    # the fifth weight set's rows: column x bit position, pixel neighbourhoods (images),
    # then (v12, FEATURE_COLUMN_MIXER) column / 4 x partial byte in text
    column_rows5 = 64 * 8 + 1024
    weights5 = _weight_table(column_rows5 + 32 * 256, start)
    visits1 = np.zeros(256, dtype=np.int64)
    visits2 = np.zeros(256, dtype=np.int64)
    visits3 = np.zeros(64 * 32, dtype=np.int64)
    visits4 = np.zeros(65536, dtype=np.int64)
    visits5 = np.zeros(column_rows5 + 32 * 256, dtype=np.int64)
    weights6 = _weight_table(16 * 256, start)
    visits6 = np.zeros(16 * 256, dtype=np.int64)
    weights7 = _weight_table(8 * 8 * 8 * 8 if class_on else 1, start)
    visits7 = np.zeros(8 * 8 * 8 * 8, dtype=np.int64)
    weights8 = _weight_table(256 * 8 if class_on else 1, start)
    visits8 = np.zeros(256 * 8, dtype=np.int64)
    weights9 = _weight_table(1 << WORD_MIXER_BITS if word_mix_on else 1, start)
    visits9 = np.zeros(1 << WORD_MIXER_BITS if word_mix_on else 1, dtype=np.int64)
    # (v21) rows: the LSTM's likeliest byte x bit position x 4 probability classes,
    # then the partial byte once it disagrees
    weights10 = _weight_table(LSTM_ROWS + 256 if lstm_mix_on else 1, start)
    visits10 = np.zeros(LSTM_ROWS + 256 if lstm_mix_on else 1, dtype=np.int64)
    weights11 = _weight_table(65536 if order2_mix_on else 1, start)
    visits11 = np.zeros(65536 if order2_mix_on else 1, dtype=np.int64)
    sel11 = 0
    p11 = 2048
    set_bits = min(CONTEXT_SET_BITS, table_bits - CONTEXT_SET_SHIFT)  # log2 of each set's rows
    set_rows = NUM_CONTEXT_SETS << set_bits
    weights_sets = _weight_table(set_rows if sets_on else 1, start)
    visits_sets = np.zeros(set_rows if sets_on else 1, dtype=np.int64)
    sel_sets = np.zeros(NUM_CONTEXT_SETS, dtype=np.int64)  # each set's row
    p_sets = np.full(NUM_CONTEXT_SETS, 2048, dtype=np.int64)
    sets_live = False  # whether this bit uses the context sets
    l_sets = False  # ... and the last one
    lstm_top_byte = 0
    l2_st = 0  # the second LSTM's stretch (FEATURE_SECOND_LSTM)
    lstm_class = 0
    weights_final = np.full((256, MAX_MIX), 65536 // num_mix, dtype=np.int32)
    # the second final layer's weights, by (order, match class, bit position)
    weights_final2 = np.full((10 * 16 * 8, MAX_MIX), 65536 // num_mix, dtype=np.int32)
    # the third, by the classes of the last 3 bytes with the bit position
    weights_final3 = np.full(
        (8 * 8 * 8 * 8 if final3_on else 1, MAX_MIX), 65536 // num_mix, dtype=np.int32
    )
    st_c = 0
    misses = 0  # one bit per coded bit: the likelier value was wrong (v14)
    # orders 1-6, 8, 12, 16 (with FEATURE_MORE_CONTEXTS orders 12 and 16 are not used)
    order_ctx = np.array([1, 2, 3, 4, 5, 6, 7, 13, 14], dtype=np.int64)
    # The secondary match models: the long one (FEATURE_LONG_MATCH), then the extra
    # ones (v13's two; the max level's candidates), one per minimum length. Each has
    # its own position table and its confidence per length class (the length >>
    # sec_shift, with the expected bit), and its second input is the expected bit's
    # sign times min(length, sec_cap) * sec_scale.
    sec_min = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_shift = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_cap = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_scale = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_recover = np.zeros(max(num_sec, 1), dtype=np.int64)  # resumes after a missed byte
    first_extra = 0
    if long_on:
        sec_min[0] = LONG_MATCH_MIN_BYTES
        sec_shift[0] = 2
        sec_cap[0] = 64
        sec_scale[0] = 16
        sec_recover[0] = 1 if recover_on else 0
        first_extra = 1
    for e in range(num_extra):
        sec_min[first_extra + e] = extra_min[e]
        sec_shift[first_extra + e] = 1 if extra_min[e] < 16 else 2
        sec_cap[first_extra + e] = 32
        sec_scale[first_extra + e] = 32
        sec_recover[first_extra + e] = 1
    sec_table = np.zeros((max(num_sec, 1), 1 << MATCH_TABLE_BITS if num_sec else 1), dtype=np.int32)
    sec_counters = np.full((max(num_sec, 1), 64 * 2), 1 << 15, dtype=np.int64)
    sec_len = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_ptr = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_miss_ptr = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_miss_on = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_byte = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_bit = np.zeros(max(num_sec, 1), dtype=np.int64)
    sec_slot = np.zeros(max(num_sec, 1), dtype=np.int64)
    word_lead = 0
    apm_sizes = (256 * 8, 65536, 65536, 65536, 65536, 65536)
    # (v20) the order-4 stage, last, is an expert of the learned mixture only
    num_apm = NUM_APM + 1 if order4_sse else NUM_APM
    apm = np.empty((num_apm, 65536 * 33), dtype=np.int32)
    # (v38, FEATURE_QUICK_START) each knot's update count, up to SSE_COUNT_LIMIT
    apm_count = np.zeros((num_apm, 65536 * 33) if quick_on else (1, 1), dtype=np.uint8)
    apm_idx = np.zeros(NUM_APM + 1, dtype=np.int64)
    apm_row = np.zeros(NUM_APM, dtype=np.int64)
    # each row starts as the identity: 33 knots of the stretch domain's squash
    ramp = np.empty(33, dtype=np.int32)
    for j in range(33):
        ramp[j] = (_squash((j - 16) * 128, squash) * 16) << sse_bits
    for a in range(num_apm):
        for c in range(apm_sizes[a]):
            apm[a, c * 33 : c * 33 + 33] = ramp
    apm_chained = np.empty((num_chained if chains_on else 1, 65536 * 33), dtype=np.int32)
    if chains_on:
        for a in range(num_chained):
            for c in range(65536):
                apm_chained[a, c * 33 : c * 33 + 33] = ramp
    chained_at = np.zeros(NUM_CHAINED, dtype=np.int64)
    chained_w = np.zeros(NUM_CHAINED, dtype=np.int64)
    order = 0  # the highest order seen (below: with the second final layer)

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
    nib_hash = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    touch = np.zeros(1, dtype=np.int64)  # keeps the early reads below from being optimised away
    bases = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    slots = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    states = np.zeros(NUM_CONTEXTS, dtype=np.int64)
    inputs = np.zeros(NUM_INPUTS, dtype=np.int32)
    layer1 = np.zeros(MAX_MIX, dtype=np.int64)

    x1 = 0
    x2 = 0xFFFFFFFF
    x = 0
    in_pos = 0
    out_pos = 0
    out_cap = dst.shape[0]
    if decode:
        # The decoder reads one byte per shift of the interval, in step with the
        # encoder's writes, and 4 to start: 3 more than the encoder writes (v30: it
        # ends with one byte, not 4), which it reads as zeros. A valid stream is
        # consumed exactly, so needing a fourth byte past its end proves it damaged.
        if src.shape[0] < 1:
            return -1, 0.0
        for _ in range(4):
            x = (x << 8) | (src[in_pos] if in_pos < src.shape[0] else 0)
            in_pos += 1

    c4 = 0  # last 4 bytes, most recent in the low byte
    fv1 = 0  # the last three 4-byte values as IBM floats, fixed point (geo's samples)
    fv2 = 0
    fv3 = 0
    pred_a = 0
    pred_b = 0
    c8 = 0  # the 4 bytes before those
    byte_flags = 0  # (v39) per byte of the last 16: equal to the byte 4 before it; zero
    line_so_far = 0  # (v39) a hash of the line's bytes so far, and of the previous line
    prev_line_hash = 0
    text_from = 0  # (v39, FEATURE_TEXT_CONTROLS) as last_nontext, for text mode
    nul_ends_text = True  # ... whether a NUL here would end text: the last other byte did
    spaced = 0  # the last 4 bytes with line breaks read as spaces (FEATURE_LINE_AS_SPACE)
    folded8 = 0  # the 4 case-folded bytes before ``folded``'s (FEATURE_FOLDED_ORDER8)
    folded12 = 0  # and the 4 before those (FEATURE_LETTER_CONTEXTS)
    word = 0
    prev_word = 0
    word_len = 0  # letters in the current word (FEATURE_LETTER_CONTEXTS)
    line_field = 0  # (v25) the hash of the line's first word
    line_field_open = True  # ... while it is being read
    word_prefix = np.zeros(64, dtype=np.int64)  # (v24) the word's hash after k letters
    prev_stem = 0
    prev_stem2 = 0
    recency_on = (features & FEATURE_WORD_RECENCY) != 0
    shape_on = (features & FEATURE_WORD_SHAPE) != 0
    line_history_on = (features & FEATURE_LINE_HISTORY) != 0
    skip_words_on = (features & FEATURE_SKIP_WORDS) != 0
    # their code runs in functions of its own: inlined here, it slowed the default
    # level by a tenth though it never ran there
    v26_on = recency_on or shape_on or line_history_on or skip_words_on
    # (v26) where each word (hashed to 16 bits, with a 16-bit check) last ended
    word_end_at = np.zeros(65536 if recency_on or shape_on else 1, dtype=np.int64)
    word_end_check = np.zeros(65536 if recency_on or shape_on else 1, dtype=np.int64)
    paragraphs = 0  # blank lines so far
    letter_kinds = 0  # the kinds of the word's last 4 letters, a byte each
    byte_kinds = 0  # the kinds of the last bytes, 3 bits each
    # the line's first word (its letters, case-folded, as ``word`` hashes them), once it
    # has ended; not v25's ``line_field``, the line's first bytes up to a separator
    line_word = 0
    line_word_open = True
    prev_word3 = 0
    above_run = 0  # bytes in a row equal to the byte above them (in the line before)
    follow16 = np.zeros(65536 if aligned_on else 1, dtype=np.int64)
    letters = 0  # the last 6 letters, case-folded, 5 bits each
    last_nontext = 0  # position of the last byte outside printable ASCII, tab, CR, LF
    words_since_punct = 0  # words begun since the last . , ; : ! or ?
    sent_flag = 1  # 1 after . : ! ?, 2 after , ;, 0 once a word begins
    line_start = 0
    prev_line_start = 0
    match_ptr = 0
    match_len = 0
    ideal_bits = 0.0
    groups_on = (features & FEATURE_CHAR_GROUPS) != 0
    wide_groups_on = (features & FEATURE_WIDE_CHAR_GROUPS) != 0
    nesting_on = (features & FEATURE_NESTING) != 0
    indirect_on = (features & FEATURE_INDIRECT_CONTEXTS) != 0
    # the character groups of the recent bytes, 4 per word, the most recent in
    # groups1's low byte; collapsed: the last byte extended the group before it
    groups1 = 0
    groups2 = 0
    groups3 = 0
    collapsed = 0
    brackets = np.zeros(64, dtype=np.int64)  # the open brackets, innermost last
    depth = 0
    # (v35) the 2 bytes that followed each coarse key, and this byte's keys
    follow_low = np.zeros(1 << 15, dtype=np.int64)
    follow_high = np.zeros(1 << 15, dtype=np.int64)
    low_key = 0
    high_key = 0
    follow3 = np.zeros(65536, dtype=np.int64)  # the 2 bytes after each hashed order-3 context
    follow3_at = 0
    # (v40) byte histories after short contexts (_history_context_hashes)
    histories = np.zeros((2, 65536) if histories_on else (2, 1), dtype=np.int64)
    lower4 = 0
    word_after = np.zeros(65536, dtype=np.int64)  # the word that followed each word (hashed)
    # (v16) the word that followed each word the time before that
    word_after_old = np.zeros(65536, dtype=np.int64)
    predictions_on = (features & FEATURE_WORD_PREDICTIONS) != 0
    line_word_on = (features & FEATURE_LINE_AND_WORD_CONTEXTS) != 0
    # the word that followed each pair of words (hashed), for context 52
    after_pair = np.zeros(65536, dtype=np.int64)
    quotes = 0  # 1: a " is open; 2: a ' is open (not an apostrophe); closed at a line end

    # A bit's learning runs at the top of the next bit's step (after the next byte's
    # hashes, at a byte's end), so that the next buckets' cache misses overlap it. It
    # reads the bit's predictions below, and these copies of what moves in between.
    learn_pending = False
    y = 0
    p = 32768
    w = 0
    expert_set = 0
    st_a = 0
    st_b = 0
    st_c = 0
    sel_a = 0
    sel_f2 = 0
    sel3 = 0
    sel4 = 0
    sel5 = 0
    sel6 = 0
    sel7 = 0
    sel8 = 0
    sel9 = 0
    sel10 = 0
    p1 = p2 = p3 = p4 = p5 = p6 = p7 = p8 = p9 = p10 = 2048
    num_in = 0
    max_in = 0
    l_row1 = 0
    l_row2 = 0
    l_bit = 0
    l_in_use = active[:num_text_active]
    l_skip = skip_kind
    l_image = False
    for pos in range(num_bytes):
        # ---- byte-level context hashes ----
        c1 = c4 & 0xFF
        c2 = (c4 >> 8) & 0xFF
        classes = ((_byte_class(c1) * 8 + _byte_class(c2)) * 8 + _byte_class((c4 >> 16) & 0xFF)) * 8
        if not _is_text_byte(c1) and pos > 0:
            last_nontext = pos
        if controls_on:
            if c1 != 0:
                nul_ends_text = not (_is_text_byte(c1) or c1 == 27 or c1 == 8)
            if nul_ends_text and pos > 0:
                text_from = pos
            text_mode = text_from == 0 or pos - text_from >= TEXT_WINDOW
        else:
            text_mode = last_nontext == 0 or pos - last_nontext >= TEXT_WINDOW
        image_mode = image_on and record_len >= IMAGE_MIN_WIDTH  # record_len moves per byte
        if image_mode and img_hist.shape[1] == 1:
            img_hist = np.zeros((num_image, img_size), dtype=np.uint8)
            img_count = np.zeros((num_image if image_counts else 1, img_size), dtype=np.uint32)
        # the last bit's deferred learning reads the previous byte's kinds
        skip_kind, skip_other = skip_other, skip_kind
        skip_kind[1] = 1 if text_mode or image_mode else 0
        skip_kind[2] = 1 if text_mode else 0
        skip_kind[3] = 1 - skip_kind[1]
        skip_kind[4] = 1 - skip_kind[2]
        skip_kind[5] = 1 if image_mode else 0
        # in text the contexts of kinds 2 and 1, last in ``active``, are all skipped, and
        # their inputs lie past num_text_in: the loops below stop before them
        in_use = active[:num_text_active] if text_mode and not image_mode else active
        col = pos - line_start
        above = 0
        if prev_line_start + col < line_start:
            above = buf[prev_line_start + col]
        hashes[0] = 0
        hashes[1] = _hash(c4 & 0xFF, 0, 1)
        hashes[2] = _hash(c4 & 0xFFFF, 0, 2)
        hashes[3] = _hash(c4 & 0xFFFFFF, 0, 3)
        if quotes_on and text_mode and quotes:
            hashes[0] = _hash(quotes, 0, 0)
            hashes[1] = _hash(c4 & 0xFF, quotes, 1)
            hashes[3] = _hash(c4 & 0xFFFFFF, quotes, 3)
        # in text (v12) order 4 reads line breaks as spaces, as context 20 did in v11
        hashes[4] = _hash(spaced if line_on and text_mode else c4, 0, 4)
        hashes[5] = _hash(c4, c8 & 0xFF, 5)
        hashes[6] = _hash(c4, c8 & 0xFFFF, 6)
        hashes[7] = _hash(c4, c8, 7)
        c1w = 32 if line_on and c1 == 10 else c1  # the last byte, for the word contexts
        hashes[8] = _hash(word, c1w, 8)
        hashes[9] = _hash(word, prev_word, 9)
        hashes[10] = _hash(above, c1 | (min(col, 255) << 8), 10)
        hashes[11] = _hash(c4 & 0xFF00, 0, 11)
        hashes[12] = _hash(c4 & 0xFFFF0000, 0, 12)
        if not more:  # orders 12 and 16 (dropped since v7)
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
        rec1 = buf[pos - record_len] if record_len > 0 and pos >= record_len else 0
        rec2 = buf[pos - 2 * record_len] if record_len > 0 and pos >= 2 * record_len else 0
        rec_col = pos % record_len if 0 < record_len < 16 else 0
        hashes[18] = _hash(rec1 | (rec2 << 8) | (rec_col << 16), record_len, 18)
        hashes[19] = _hash(rec1 | (c1 << 8) | (rec_col << 16), record_len, 19)
        if column_on and more:  # text only: where a line breaks
            hashes[20] = _hash((min(col, 255) >> 2) | (c1w << 8) | (_byte_class(c2) << 16), 0, 20)
            hashes[14] = _hash(min(col, 255), min(line_start - prev_line_start, 255), 14)
        elif not more:
            hashes[20] = _hash(folded & 0xFFFFFF, 0, 20)
        if folded8_on and more:  # text only: 8 case-folded bytes
            hashes[13] = _hash(folded, folded8, 13)
        if letters_on and text_mode:
            hashes[11] = _hash(prev_word, min(word_len, 31) | (c1w << 8), 11)
            hashes[12] = _hash(letters, 0, 12)
            hashes[18] = _hash(_hash(folded, folded8, 18), folded12, 18)
            hashes[19] = _hash(word, min(col, 255), 19)
        hashes[21] = _hash(folded, word, 21)
        hashes[58] = _hash(line_field, word, 258)
        if v26_on:
            _text_context_hashes(
                hashes,
                features,
                pos,
                c4,
                word,
                prev_word,
                prev_word3,
                word_len,
                letters,
                letter_kinds,
                byte_kinds,
                paragraphs,
                line_start,
                prev_line_start,
                line_word,
                above_run,
                buf,
                word_end_at,
                word_end_check,
                line_on,
            )
        if code_words_on and not text_mode and not image_mode:
            if pos - last_nontext < CODE_WORD_REACH:
                _code_word_hashes(hashes, pos, c4, c8)
            else:  # text between binary bytes (trans's escape sequences): one context each
                for k in range(CODE_WORD_CONTEXTS):
                    hashes[CODE_WORD_FIRST + k] = k
        if new_10_21:
            if text_mode:
                hashes[10] = _hash(word, prev_stem, 110)
                hashes[21] = _hash(word, _hash(prev_stem, prev_stem2, 7), 121)
            elif aligned_on:
                # the last complete 16-bit word at an even offset, and the one that
                # followed it last time (which the byte at an odd offset begins)
                w16 = (c4 & 0xFFFF) if pos & 1 == 0 else ((c4 >> 8) & 0xFFFF)
                odd = (pos & 1) << 16
                hashes[10] = _hash(w16, follow16[w16] | odd, 210)
                hashes[21] = _hash(c4 & 0xFF, follow16[w16] | odd, 221)
        hashes[22] = _hash(c4 & 0xFF00FF, 0, 22)
        hashes[23] = _hash(c4 & 0xFFFF00, 0, 23)
        hashes[24] = _hash(word, prev_word2, 24)
        hashes[25] = _hash(prev_word, c1w, 25)
        hashes[27] = _hash(word, word_lead, 27)
        line_first = buf[line_start] if pos > line_start else 0
        hashes[28] = _hash(line_first | (min(col, 255) << 8), 0, 28)
        if more:
            hashes[29] = _hash(word, min(words_since_punct, 7) | (c1w << 8), 29)
            hashes[30] = _hash(word, sent_flag | (c1w << 8), 30)
            if not skip_kind[1]:
                b2 = (c4 >> 8) & 0xFF
                b4 = c4 >> 24
                hashes[31] = _hash(c8 & 0xFFFF, 0, 31)
                hashes[32] = _hash(c4 & 0xFFFF, c8 & 0xFFFF, 32)
                hashes[33] = _hash(c4 >> 16 | (c8 & 0xFFFF) << 16, 0, 33)
                hashes[34] = _hash(b4 | (c1 << 8) | ((pos & 3) << 16), 0, 34)
                hashes[35] = _hash(b2 | (b4 << 8) | ((pos & 1) << 16), 0, 35)
                hashes[36] = _hash(c4 & 0xFF00FF00, c8 & 0xFF00FF00, 36)
                hashes[39] = _hash(c1 | (c8 & 0xFF) << 8, 0, 39)
                # contexts 37-38 (v8): the next 4-byte value, read as an IBM float
                # (geo's seismic samples), predicted linearly and quadratically
                # from the last three
                k4 = pos & 3
                if k4 == 0:
                    fv3 = fv2
                    fv2 = fv1
                    fv1 = _ibm_to_fixed(c4)
                    if fv1 == IBM_TOO_LARGE or fv2 == IBM_TOO_LARGE or fv3 == IBM_TOO_LARGE:
                        pred_a = 0
                        pred_b = 0
                    else:
                        pred_a = _fixed_to_ibm(2 * fv1 - fv2)
                        pred_b = _fixed_to_ibm(3 * fv1 - 3 * fv2 + fv3)
                known = c4 & ((1 << (8 * k4)) - 1)
                pa = (pred_a >> (24 - 8 * k4)) & 0xFF
                pb = (pred_b >> (24 - 8 * k4)) & 0xFF
                # the byte each prediction expects, with the bytes of the value so far
                # and whether the linear prediction has held in them
                held = 1 if k4 and pred_a >> (32 - 8 * k4) == known else 0
                hashes[37] = _hash(known | (k4 << 24), pa | (held << 8), 37)
                hashes[38] = _hash(known | (k4 << 24), pb | (pa << 8), 38)

        # ---- match model: find or extend a repeat of the last bytes ----
        if pos >= MATCH_MIN_BYTES:
            match_len, match_ptr = _match_lookup(
                buf, pos, match_table, MATCH_MIN_BYTES, 32, match_len, match_ptr
            )
            if match_len == 0 and miss_on:
                # resume the repeat that mispredicted the last byte: lengths 1-4 are
                # otherwise unused, so its confidence is learned apart until it holds
                match_len = 1
                match_ptr = miss_ptr
            miss_on = False
        expected_byte = buf[match_ptr] if match_len > 0 else 0
        for q in range(num_sec):
            if pos >= sec_min[q]:
                ml, mp = _match_lookup(
                    buf, pos, sec_table[q], sec_min[q], 64, sec_len[q], sec_ptr[q]
                )
                if ml == 0 and sec_miss_on[q]:
                    ml = 1
                    mp = sec_miss_ptr[q]
                sec_len[q] = ml
                sec_ptr[q] = mp
                sec_miss_on[q] = 0
            sec_byte[q] = buf[sec_ptr[q]] if sec_len[q] > 0 else 0
        if sparse_on:
            _sparse_step(buf, pos, sp_table, sp_order, sp)
        if groups_on or wide_groups_on or text_groups:
            # a collapsed group's contexts are apart from those of a group just begun
            k = 40 + 16 * collapsed
            hashes[40] = _hash(groups3, _hash(groups2, groups1, 1), k)
            hashes[41] = _hash(groups2, groups1, k + 1)
            hashes[42] = _hash(groups1, 0, k + 2)
            hashes[43] = _hash(_hash(groups2 & 0xFFFFFF, groups1, 2), c4 & 0xFFFF, k + 3)
            hashes[44] = _hash(_hash(groups2 & 0xFF, groups1, 3), c4 & 0xFFFFFF, k + 4)
        if nesting_on:
            inner = brackets[depth - 1] if depth > 0 else 0
            hashes[45] = _hash(inner | (min(depth, 15) << 8) | (c1 << 12), 0, 45)
            hashes[46] = _hash(word, inner | (min(depth, 15) << 8), 46)
        if indirect_on:
            follow3_at = _hash(c4 & 0xFFFFFF, 0, 77) & 0xFFFF
            hashes[47] = _hash(c4 & 0xFFFF, follow3[follow3_at], 47)
            hashes[48] = _hash(c4 & 0xFFFF, follow1[c1] & 0xFF, 48)
        if coarse_on:
            low_key = (c4 & 31) | (c4 >> 8 & 31) << 5 | (c4 >> 16 & 31) << 10
            high_key = (c4 >> 3 & 31) | (c4 >> 19 & 31) << 5 | (c4 >> 27 & 31) << 10
            hashes[74] = _hash(low_key, follow_low[low_key], 74)
            hashes[75] = _hash(high_key, follow_high[high_key], 75)
        if masks_on:
            same4 = 2 if c1 == (c8 & 0xFF) else 0
            byte_flags = ((byte_flags << 2) | same4 | (1 if c1 == 0 else 0)) & 0xFFFFFFFF
            hashes[76] = _hash(c4 & 0xF8F8F8F8, 0, 276)
            hashes[77] = _hash(byte_flags, 0, 277)
            hashes[78] = _hash(byte_flags & 0xFF, c4 >> 21, 278)
            hashes[79] = _hash(c4 & 0x00F0F0FF, 0, 279)
        if line_hashes_on and not skip_kind[4]:
            hashes[80] = _hash(line_so_far, 0, 280)
            hashes[81] = _hash(line_so_far, prev_line_hash, 281)
            hashes[82] = _hash(prev_line_hash, min(col, 255) | (c1 << 8), 282)
        if histories_on:
            _history_context_hashes(
                hashes, c1, histories[0, c1], histories[1, lower4 & 0xFFFF], lower4
            )
        if predictions_on:
            hashes[49] = _hash(word, word_after[prev_word & 0xFFFF], 49)
            hashes[56] = _hash(word, word_after_old[prev_word & 0xFFFF], 58)
        if text_more or text_only[50]:
            hashes[50] = _hash(groups1 & 0xFFFFFF, word, 50)
        if text_more:
            hashes[57] = _hash(word_after[prev_word & 0xFFFF], c1w | (min(word_len, 31) << 8), 64)
            hashes[51] = _hash(quotes | (c1 << 8), c2, 51)
        if line_word_on:
            hashes[52] = _hash(word, after_pair[_hash(prev_word2, prev_word, 5) & 0xFFFF], 52)
        if line_word_on or text_only[54]:
            hashes[54] = _hash(groups1, min(col, 255), 54)
        if line_word_on or text_only[53]:
            prefix = 0  # the line's first 3 bytes (those coded so far)
            for q in range(3):
                if line_start + q < pos:
                    prefix = prefix * 256 + buf[line_start + q]
            hashes[53] = _hash(prefix | (min(col, 15) << 24), c1, 53)
        if line_word_on or text_only[55]:
            hashes[55] = _hash(prev_word, groups1 & 0xFFFF, 55)
        hashes[26] = _hash(
            expected_byte | (min(match_len, 15) << 8), c1 if match_len > 0 else 0, 26
        )

        # the first nibble's home buckets, fetched while the last bit's learning runs
        for i in in_use:
            if skip_kind[gated[i]]:
                continue
            h = _hash(hashes[i], 1, i)
            nib_hash[i] = h
            home = (h & mask) & ~15
            r = row[i]
            _prefetch(hist, r, home)
            _prefetch(fast, r, home)
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
        # (v23) the LSTMs sit out images: there they cost most of the time and bytes too
        lstm_live = lstm_on and not image_mode
        if lstm_live:
            lstm_predict(lstm, c4)
            if second_on:
                lstm_predict(lstm2, c4)
            if lstm_mix_on:
                lstm_top_byte, top_p = lstm_top(lstm)
                lstm_class = 0
                for q in range(3):
                    if top_p >= LSTM_TOP_CLASSES[q]:
                        lstm_class = q + 1
        # the run model predicts except in images (its inputs hurt pic: +70 B)
        run_pred = run_on and not image_mode
        c0 = 1  # partial byte with a leading 1
        bits_before = ideal_bits
        byte = 0
        nibble = 1
        for bit_pos in range(8):
            if learn_pending:
                # ---- learn from the last bit ----
                if dmc_on and not l_image:
                    _dmc_learn(
                        dmc_nxt,
                        dmc_counts,
                        dmc_states,
                        dmc_base,
                        dmc_capacity,
                        dmc_i,
                        dmc_map,
                        y,
                        bit_pos,
                        c1,
                        reciprocal,
                        next_state,
                    )
                if experts_on:
                    # each weight grows with how much better its expert predicted the bit
                    # than the mixture did (ratio in 1/65536, capped at 5)
                    inv_q = (1 << 32) // (p if y else 65536 - p)
                    total = 0
                    for e in range(num_experts):
                        if expert_used[e]:
                            qe = max(1, expert_p[e] if y else 65536 - expert_p[e])
                            gain = min(((qe * inv_q) >> 16) - 65536, 1 << 18)
                            we = expert_w[expert_set, e]
                            we += (we * gain * EXPERT_RATE + (1 << 25)) >> 26
                            we = max(EXPERT_MIN_WEIGHT, we)
                            expert_w[expert_set, e] = we
                            total += we
                    inv_t = (1 << 56) // total
                    for e in range(num_experts):
                        expert_w[expert_set, e] = (expert_w[expert_set, e] * inv_t) >> 28
                target = y << 22
                for i in l_in_use:
                    if l_skip[gated[i]]:
                        continue
                    st = states[i]
                    _adapt(state_map, i, map_idx[i], target, reciprocal, STATE_MAP_LIMIT)
                    r = row[i]
                    hist[r, slots[i]] = next_state[st, y]
                    fv = np.int64(fast[r, slots[i]])
                    fn = fv & 15
                    fp = fv >> 4
                    fp += (((y << 12) - y - fp) * reciprocal[fn + fast_offset] + rnd) >> 16
                    if fn < FAST_LIMIT:
                        fn += 1
                    fast[r, slots[i]] = (fp << 4) | fn
                    if run_on and run_bit[i] >= 0:
                        run_target = 1 << 22 if y == run_bit[i] else 0
                        _adapt(run_map, i, run_cls[i] + l_bit, run_target, reciprocal, RUN_LIMIT)
                    if history_on:
                        k_a = history_at[i, 0]
                        k_b = history_at[i, 1]
                        _adapt(history_map, i, k_a, target, reciprocal, BYTE_HISTORY_LIMIT)
                        _adapt(history_state_map, i, k_b, target, reciprocal, BYTE_HISTORY_LIMIT)
                if l_image:
                    for i in range(num_image):
                        st = np.int64(img_hist[i, img_ctx[i]])
                        _adapt(img_map, i, st, target, reciprocal, STATE_MAP_LIMIT)
                        img_hist[i, img_ctx[i]] = next_state[st, y]
                        if image_counts:
                            cv = np.int64(img_count[i, img_ctx[i]])
                            n0 = (cv >> 16) + 1 - y
                            n1 = (cv & 0xFFFF) + y
                            if n0 + n1 > IMAGE_COUNT_LIMIT:
                                n0 >>= 1
                                n1 >>= 1
                            img_count[i, img_ctx[i]] = (n0 << 16) | n1
                lr_f = FINAL_LR if rate_schedule else FIXED_LR
                if quick_on and rate_schedule:
                    lr_f = MAX_TEXT_FINAL_LR if text_mode else FINAL_LR
                    lr_f += (
                        (FINAL_LR_START - lr_f) * FINAL_LR_HALF_BYTES // (FINAL_LR_HALF_BYTES + pos)
                    )
                # each final layer learns from its own output's error
                err_f = ((y << 12) - _squash(st_a, squash)) * lr_f
                for j in range(num_mix):
                    weights_final[sel_a, j] += (layer1[j] * err_f + rnd) >> 16
                if final2_on:
                    err_f = ((y << 12) - _squash(st_b, squash)) * lr_f
                    for j in range(num_mix):
                        weights_final2[sel_f2, j] += (layer1[j] * err_f + rnd) >> 16
                if final3_on:
                    err_f = ((y << 12) - _squash(st_c, squash)) * lr_f
                    for j in range(num_mix):
                        weights_final3[sel7, j] += (layer1[j] * err_f + rnd) >> 16
                # each first-layer weight set learns from its own output's error
                rates = text_schedule if text_mode else (image_schedule if l_image else schedule)
                trained = (rate_schedule, y, num_in, rnd, max_in, dead_zone, rates, fine_bits)
                if class_on:
                    _train_set(inputs, weights7, visits7, sel7, p7, trained)
                    _train_set(inputs, weights8, visits8, sel8, p8, trained)
                if word_mix_on:
                    _train_set(inputs, weights9, visits9, sel9, p9, trained)
                if lstm_mix_on:
                    _train_set(inputs, weights10, visits10, sel10, p10, trained)
                if mix6_on:
                    _train_set(inputs, weights6, visits6, sel6, p6, trained)
                if order2_mix_on:
                    _train_set(inputs, weights11, visits11, sel11, p11, trained)
                if l_sets:
                    for k in range(NUM_CONTEXT_SETS):
                        _train_set(
                            inputs, weights_sets, visits_sets, sel_sets[k], p_sets[k], trained
                        )
                _train_set(inputs, weights1, visits1, l_row1, p1, trained)
                _train_set(inputs, weights2, visits2, l_row2, p2, trained)
                _train_set(inputs, weights3, visits3, sel3, p3, trained)
                _train_set(inputs, weights4, visits4, sel4, p4, trained)
                _train_set(inputs, weights5, visits5, sel5, p5, trained)
                target16 = y << (16 + sse_bits)
                for a in range(num_apm):
                    ia = apm_idx[a]
                    if APM_BOTH and quick_on:
                        _sse_count_update(apm, apm_count, a, ia, w, target16, reciprocal)
                    elif APM_BOTH:
                        _sse_update(apm, a, ia, w, target16, APM_RATE)
                    else:
                        ia += w >> 6
                        apm[a, ia] += (target16 - apm[a, ia]) >> APM_RATE
            if bit_pos == 0 or bit_pos == 4:
                # ---- find each context's bucket for this nibble ----
                # (nib_hash and the home buckets' prefetches: at the byte's start and
                # after the nibble's last bit was coded)
                for i in in_use:
                    if skip_kind[gated[i]]:
                        continue
                    h = nib_hash[i]
                    r = row[i]
                    check = (h >> 24) & 0xFF
                    # (v14) 4 more check bits, from bits the bucket index does not use,
                    # kept in the top of the bucket's slot 0 direct probability
                    xcheck = h & 0xF
                    home = (h & mask) & ~15
                    found = -1
                    for probe in range(BUCKET_PROBES):
                        b = home ^ (probe << 4)
                        if _bucket_is(hist, fast, r, b, check, xcheck):
                            found = b
                            break
                    if found < 0:
                        found = home
                        best = 1 << 30
                        for probe in range(BUCKET_PROBES):
                            b = home ^ (probe << 4)
                            pr = priority[hist[r, b + 1]]
                            if pr < best:
                                best = pr
                                found = b
                        for j in range(16):
                            hist[r, found + j] = 0
                            fast[r, found + j] = 2048 << 4
                        hist[r, found] = check
                        fast[r, found] = xcheck << 12  # the run model's slot
                        if history_on:
                            history[r, found >> 4] = 0
                    bases[i] = found
                    if (run_on or runmap_on) and bit_pos == 0:
                        first_base[i] = found
                        first_check[i] = check
                        first_xcheck[i] = xcheck
                        ri = np.int64(fast[r, found]) & 0xFFF
                        run_len[i] = ri >> 8
                        if history_on:
                            history_val[i] = np.int64(history[r, found >> 4])
                        if ri >> 8:
                            run_exp[i] = (ri & 0xFF) | 256
                            run_cls[i] = min(ri >> 8, RUN_CLASSES - 1) * 8
                        else:
                            run_exp[i] = 0
                nibble = 1
            # the SSE rows of orders 1-3 (in images: pixel neighbourhoods), read early
            # so that their cache misses overlap the work below
            c4s = spaced if line_on and text_mode else c4
            if image_mode:
                apm_row[1] = (r0 & 0x3F) | (r1 << 2 & 0x1FC0) | (r2 << 6 & 0xE000)
                apm_row[2] = (r0 & 0xFF) | (r1 << 4 & 0xFF00)
                apm_row[3] = (
                    (r0 & 0xF) | (r1 >> 1 & 0x1F0) | (r2 << 4 & 0x3E00) | (r3 << 7 & 0xC000)
                )
            else:
                apm_row[1], apm_row[2], apm_row[3] = _sse_rows(c0, c1, c4s)
            acc = 0
            for a in range(1, 4):
                acc += apm[a, apm_row[a] * 33 + 16]
            touch[0] = acc
            # ---- predictions of each input ----
            # first each context's bit history and state map entry, whose rows are
            # prefetched so that their cache misses overlap (then the inputs below)
            for i in in_use:
                if skip_kind[gated[i]]:
                    continue
                slots[i] = bases[i] + nibble
                st = np.int64(hist[row[i], slots[i]])
                states[i] = st
                si = st
                if runmap_on:
                    rl = run_len[i]
                    rb = run_exp[i]
                    if rl > 0 and (rb >> (8 - bit_pos)) == c0:
                        cls = (
                            1
                            + ((rb >> (7 - bit_pos)) & 1)
                            + (0 if rl < 2 else (2 if rl < 4 else 4))
                        )
                        si += cls << 8
                map_idx[i] = si
                _prefetch(state_map, i, si)
            nz = 0
            ni = num_misc
            for i in in_use:
                if skip_kind[gated[i]]:
                    inputs[ni] = 0
                    inputs[ni + 1] = 0
                    ni += 2
                    if det_on:
                        inputs[ni] = 0
                        ni += 1
                    if history_on:
                        inputs[ni] = 0
                        inputs[ni + 1] = 0
                        ni += 2
                    if run_on:
                        run_bit[i] = -1
                        inputs[ni] = 0
                        ni += 1
                    continue
                st = states[i]
                if st != 0:
                    nz += 1
                si = map_idx[i]
                fv = np.int64(fast[row[i], slots[i]])
                if confidence_on:
                    inputs[ni] = stretch[state_map[i, si] >> 20] if st != 0 else 0
                    inputs[ni + 1] = (stretch[fv >> 4] * DIRECT_CONFIDENCE[fv & 15]) >> 4
                else:
                    inputs[ni] = stretch[state_map[i, si] >> 20]
                    inputs[ni + 1] = stretch[fv >> 4] if fv & 15 else 0
                ni += 2
                if det_on:
                    inputs[ni] = det_input[st]
                    ni += 1
                if history_on:
                    history_k = _history_key(run_exp[i], history_val[i], bit_pos)
                    uncertain = 1 if st != 0 and det_input[st] == 0 else 0
                    k_a = uncertain << 7 | history_k
                    k_b = st << 7 | history_k
                    history_at[i, 0] = k_a
                    history_at[i, 1] = k_b
                    inputs[ni] = stretch[history_map[i, k_a] >> 20] >> BYTE_HISTORY_SHIFT
                    inputs[ni + 1] = stretch[history_state_map[i, k_b] >> 20] >> BYTE_HISTORY_SHIFT
                    ni += 2
                if run_on:
                    # the byte last seen in this context, while the partial byte agrees
                    rx = run_exp[i]
                    if rx >> (8 - bit_pos) == c0 and run_pred:
                        rb = (rx >> (7 - bit_pos)) & 1
                        run_bit[i] = rb
                        rs = stretch[run_map[i, run_cls[i] + bit_pos] >> 20]
                        inputs[ni] = rs if rb else -rs
                    else:
                        run_bit[i] = -1
                        inputs[ni] = 0
                    ni += 1
            img_base = ni
            ni = 0
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
            if delta_on:
                if bit_pos == 0:
                    delta_live = False
                delta_idx = -1
                inputs[ni] = 0
                if delta_live:
                    delta_idx = (delta_byte * 256 + c0) * 2 + (1 if match_len > 0 else 0)
                    inputs[ni] = stretch[delta_map[0, delta_idx] >> 20]
                ni += 1
            if dmc_on:
                if image_mode:
                    for k in range(DMC_INPUTS):
                        inputs[ni + k] = 0
                else:
                    _dmc_inputs(
                        inputs, ni, dmc_counts, dmc_states, dmc_base, dmc_i, dmc_map, stretch
                    )
                ni += DMC_INPUTS
            if sparse_on:
                _sparse_inputs(inputs, ni, sp, sp_map, c0, c1, c4, bit_pos, stretch)
                ni += SPARSE_INPUTS
            for q in range(num_sec):
                if sec_len[q] > 0:
                    eb = (sec_byte[q] >> (7 - bit_pos)) & 1
                    sec_bit[q] = eb
                    slot = min(sec_len[q] >> sec_shift[q], 63) * 2 + eb
                    sec_slot[q] = slot
                    inputs[ni] = stretch[sec_counters[q, slot] >> 4]
                    inputs[ni + 1] = (2 * eb - 1) * min(sec_len[q], sec_cap[q]) * sec_scale[q]
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
            if lstm_on:
                lstm_st = lstm_stretch(lstm, c0, bit_pos) if lstm_live else 0
                lstm_p = _squash(lstm_st, squash)
                inputs[ni] = lstm_st
                ni += 1
                if lstm_mix_on:
                    inputs[ni] = (lstm_p - 2048) >> 1
                    ni += 1
                expert_p[18] = lstm_p * 16
                if second_on:
                    l2_st = lstm_stretch(lstm2, c0, bit_pos) if lstm_live else 0
                    inputs[ni] = l2_st
                    ni += 1
                    expert_p[21] = _squash(l2_st, squash) * 16
            if image_mode:
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
                img_ctx[8] = (r0 & 0xF) | (r1 & 0x7F0) | (r2 << 4 & 0x3800)
                img_ctx[9] = (r0 & 0x3FF) | (r1 << 5 & 0xF800)
                img_ctx[10] = (r0 & 3) | (r1 & 0xFF8) | (r2 << 7 & 0xF000)
                img_ctx[11] = (
                    (r0 & 0x3F) | (r1 << 1 & 0x3C0) | (r2 << 4 & 0x3C00) | (r3 << 7 & 0xC000)
                )
                img_ctx[12] = (r0 & 0x1F) | (r1 << 3 & 0xFFE0)
                img_ctx[13] = (r0 & 0x7) | (r1 >> 2 & 0x38) | (r2 << 1 & 0x7C0) | (r3 << 5 & 0xF800)
                if image_counts:
                    # 8 pixels straight up; 2 x 4 up; 24 and 40 neighbours (hashed)
                    img_ctx[14] = (
                        (r1 >> 7 & 1)
                        | (r2 >> 6 & 2)
                        | (r3 >> 5 & 4)
                        | (r4 >> 4 & 8)
                        | (r5 >> 3 & 16)
                        | (r6 >> 2 & 32)
                        | (r7 >> 1 & 64)
                        | (r8 & 128)
                        | (r0 & 1) << 8
                    )
                    img_ctx[15] = (
                        (r1 >> 7 & 3)
                        | (r2 >> 5 & 12)
                        | (r3 >> 3 & 48)
                        | (r4 >> 1 & 192)
                        | (r0 & 1) << 8
                    )
                    near24 = (
                        (r0 & 7)
                        | (r1 >> 4 & 0x7F) << 3
                        | (r2 >> 4 & 0x7F) << 10
                        | (r3 >> 4 & 0x7F) << 17
                    )
                    frame = (
                        (r0 >> 3 & 1)
                        | (r1 >> 3 & 1) << 1
                        | (r1 >> 11 & 1) << 2
                        | (r2 >> 3 & 1) << 3
                        | (r2 >> 11 & 1) << 4
                        | (r3 >> 3 & 1) << 5
                        | (r3 >> 11 & 1) << 6
                        | (r4 >> 3 & 0x1FF) << 7
                    )
                    img_ctx[16] = _hash(near24, 0, 160) & (img_size - 1)
                    img_ctx[17] = _hash(near24, frame, 170) & (img_size - 1)
                    if image_templates:
                        img_row9, img_row_a = _image_template_contexts(
                            img_ctx, r0, r1, r2, r3, r4, r5, r6, r7, r8, far_rows, img_size
                        )
                for i in range(num_image):
                    inputs[img_base + i] = stretch[img_map[i, img_hist[i, img_ctx[i]]] >> 20]
                if image_counts:
                    # each context's pixel counts: (n1 + 1) / (n + 2), stretched and linear
                    for i in range(num_image):
                        cv = np.int64(img_count[i, img_ctx[i]])
                        n1 = cv & 0xFFFF
                        _count_inputs(
                            inputs, img_base + num_image + 2 * i, n1, (cv >> 16) + n1, stretch
                        )
                    # the share of set pixels among the 4, 12, 24 and 40 nearest
                    near4 = (r0 & 1) | (r1 >> 6 & 7) << 1
                    near12 = (r0 & 3) | (r1 >> 5 & 0x1F) << 2 | (r2 >> 5 & 0x1F) << 7
                    img_ones40 = _popcount(near24 | (frame << 24))
                    at = img_base + 3 * num_image
                    _count_inputs(inputs, at, _popcount(near4), 4, stretch)
                    _count_inputs(inputs, at + 2, _popcount(near12), 12, stretch)
                    _count_inputs(inputs, at + 4, _popcount(near24), 24, stretch)
                    _count_inputs(inputs, at + 6, img_ones40, 40, stretch)
            else:
                for i in range(img_inputs):
                    inputs[img_base + i] = 0

            # ---- mixing ----
            sel3 = (nz * 8 + bit_pos) * 2 + (1 if match_len > 0 else 0)
            sel_a = c0  # the first final layer's weights: by the partial byte
            if image_counts and image_mode:
                # v16: in images by the 40 neighbours' set pixels with the 4 nearest, by
                # 8 pixels to the left and 8 above, and (first final layer) by 4 + 4
                sel3 = img_ones40 * 16 + ((r0 & 1) | (r1 >> 6 & 7) << 1)
            dot1 = 0
            dot2 = 0
            dot3 = 0
            dot4 = 0
            dot5 = 0
            mb = _match_class(match_len, expected_bit)
            sel4, sel5, sel6, sel7, sel8 = _weight_rows(
                c0, c1, c2, classes, col, bit_pos, mb, column_mix_on and text_mode, column_rows5
            )
            if image_counts and image_mode:
                sel4 = (r0 & 0xFF) | (r1 >> 3 & 0xFF) << 8
                sel_a = (r0 & 0xF) | (r1 >> 5 & 0xF) << 4
                if image_templates:
                    sel_a = img_row_a
            if image_mode:
                sel5 = 512 + ((r0 & 0xF) | (r1 >> 1 & 0x1F0) | (r2 << 2 & 0x200))
            img_sel10 = img_sel11 = 0
            if image_rows and image_mode:
                img_sel10, img_sel11 = _image_mixer_rows(r0, r1, r2, r3, r4, r5, r6, r7, r8)
            # the image inputs come last and are skipped when they are all zero
            num_in = img_base + img_inputs if image_mode else img_base
            if text_mode and not image_mode:
                num_in = num_text_in
            max_in = 0
            if dead_zone:
                for i in range(num_in):
                    max_in = max(max_in, abs(inputs[i]))
            if image_counts and image_mode:  # v16: by 6 pixels to the left and 6 above
                sel6 = (r0 & 0x3F) | (r1 >> 5 & 0x3F) << 6
            if mix6_on:
                layer1[5] = _mixer_output(inputs, weights6, sel6, num_in, w_shift)
            sel1 = c0
            sel2 = c1
            if image_templates and image_mode:  # v27: by 8 pixels 5-7 and 2-4 rows up
                sel1 = (r5 >> 6 & 7) | (r6 >> 6 & 7) << 3 | (r7 >> 7 & 3) << 6
                sel2 = (r2 >> 6 & 7) | (r3 >> 6 & 7) << 3 | (r4 >> 7 & 3) << 6
            if warm_on:
                _warm_row(weights4, visits4, sel4, weights1, sel1, num_in)
            for i in range(num_in):
                dot4 += inputs[i] * weights4[sel4, i]
                dot5 += inputs[i] * weights5[sel5, i]
                dot1 += inputs[i] * weights1[sel1, i]
                dot2 += inputs[i] * weights2[sel2, i]
                dot3 += inputs[i] * weights3[sel3, i]
            layer1[0] = max(-2047, min(2047, dot1 >> w_shift))
            layer1[1] = max(-2047, min(2047, dot2 >> w_shift))
            layer1[2] = max(-2047, min(2047, dot3 >> w_shift))
            p1 = _squash(layer1[0], squash)
            p2 = _squash(layer1[1], squash)
            p3 = _squash(layer1[2], squash)
            layer1[3] = max(-2047, min(2047, dot4 >> w_shift))
            p4 = _squash(layer1[3], squash)
            layer1[4] = max(-2047, min(2047, dot5 >> w_shift))
            p5 = _squash(layer1[4], squash)
            p6 = _squash(layer1[5], squash)
            p7 = 2048
            if image_counts and image_mode:  # v16: by 6 + 6 pixels one and two rows up
                sel7 = (r1 >> 4 & 0x3F) | (r2 >> 5 & 0x3F) << 6
            if class_on:
                layer1[idx7] = _mixer_output(inputs, weights7, sel7, num_in, w_shift)
                p7 = _squash(layer1[idx7], squash)
            p8 = 2048
            if image_counts and image_mode:  # v16: by 8 pixels two rows up
                sel8 = (r2 >> 4 & 0xFF) * 8 + bit_pos
            if class_on:
                layer1[idx8] = _mixer_output(inputs, weights8, sel8, num_in, w_shift)
                p8 = _squash(layer1[idx8], squash)
            p9 = 2048
            sel9 = 0
            if word_mix_on:  # in a word, by its hash with the partial byte; else by c0
                sel9 = _hash(word, c0, 98) & ((1 << WORD_MIXER_BITS) - 1) if word != 0 else c0
                if image_templates and image_mode:
                    sel9 = img_row9
                if warm_on:
                    _warm_row(weights9, visits9, sel9, weights4, sel4, num_in)
                layer1[idx9] = _mixer_output(inputs, weights9, sel9, num_in, w_shift)
                p9 = _squash(layer1[idx9], squash)
            p10 = 2048
            sel10 = 0
            if lstm_mix_on:  # by the LSTM's likeliest byte while the partial byte agrees
                if lstm_live and ((lstm_top_byte | 256) >> (8 - bit_pos)) == c0:
                    sel10 = (lstm_top_byte * 8 + bit_pos) * 4 + lstm_class
                else:
                    sel10 = LSTM_ROWS + c0
                if image_rows and image_mode:
                    sel10 = img_sel10
                if warm_on:
                    _warm_row(weights10, visits10, sel10, weights1, sel1, num_in)
                layer1[idx10] = _mixer_output(inputs, weights10, sel10, num_in, w_shift)
                p10 = _squash(layer1[idx10], squash)
                layer1[idx10 + 1] = lstm_st
                layer1[idx10 + 2] = inputs[0]  # the match model's stretch, the first input
            if second_on:
                layer1[idx_l2] = l2_st
            if order2_mix_on:
                sel11 = _order2_mixer_row(text_mode, c0, c4s, match_len, expected_byte, bit_pos)
                if image_rows and image_mode:
                    sel11 = img_sel11
                if warm_on:
                    _warm_row(weights11, visits11, sel11, weights4, sel4, num_in)
                layer1[idx11] = _mixer_output(inputs, weights11, sel11, num_in, w_shift)
                p11 = _squash(layer1[idx11], squash)
            sets_live = sets_on and (image_templates or not image_mode)
            if final2_on or sets_live:
                # the order: the highest of orders 1-6 and 8 (and without
                # FEATURE_MORE_CONTEXTS 12 and 16: contexts 13 and 14) whose context was seen
                order = 0
                for k in range(7 if more else 9):
                    if states[order_ctx[k]] != 0:
                        order = k + 1
            if sets_live:
                if image_mode:
                    for k in range(NUM_CONTEXT_SETS - 1):
                        sel_sets[k] = _hash(img_ctx[IMAGE_SET_CONTEXT[k]], k, 320)
                elif text_mode:
                    _text_set_rows(
                        sel_sets,
                        c0,
                        c4,
                        c8,
                        groups1,
                        word_len,
                        sent_flag | quotes << 2 | min(words_since_punct, 7) << 4,
                        prev_word,
                        depth << 8 | (brackets[depth - 1] if depth > 0 else 0),
                        line_word,
                        letters,
                    )
                else:
                    _binary_set_rows(sel_sets, c0, c4, c8, pos)
                sel_sets[NUM_CONTEXT_SETS - 1] = order << 8 | c0  # (v38) in every kind of data
                for k in range(NUM_CONTEXT_SETS):
                    sel_sets[k] = k << set_bits | (sel_sets[k] & ((1 << set_bits) - 1))
                    if warm_on:
                        _warm_row(weights_sets, visits_sets, sel_sets[k], weights4, sel4, num_in)
                    layer1[idx_sets + k] = _mixer_output(
                        inputs, weights_sets, sel_sets[k], num_in, w_shift
                    )
                    p_sets[k] = _squash(layer1[idx_sets + k], squash)
            elif sets_on:
                for k in range(NUM_CONTEXT_SETS):
                    layer1[idx_sets + k] = 0
            dotf = 0
            for j in range(num_mix):
                dotf += layer1[j] * weights_final[sel_a, j]
            st_mix = max(-2047, min(2047, dotf >> 16))
            st_a = st_mix
            st_b = 0
            sel_f2 = 0
            if final2_on:
                sel_f2 = (order * 16 + mb) * 8 + bit_pos
                expert_set = order
                if image_counts and image_mode:
                    expert_set = min(img_ones40 >> 2, 9)
                if chains_on:
                    expert_set = min(expert_set, CHAINED_EXPERT_SETS - 1)
                    if image_rows and image_mode:
                        # (v36) by whether the 40 nearest pixels are all clear, else by
                        # the pixels to the left and straight above
                        expert_set = 0 if img_ones40 == 0 else 1 + ((r0 & 1) | (r1 >> 8 & 1) << 1)
                dotf = 0
                for j in range(num_mix):
                    dotf += layer1[j] * weights_final2[sel_f2, j]
                st_b = max(-2047, min(2047, dotf >> 16))
                st_mix = (st_a + st_b) >> 1
                if final3_on:
                    dotf = 0
                    for j in range(num_mix):
                        dotf += layer1[j] * weights_final3[sel7, j]
                    st_c = max(-2047, min(2047, dotf >> 16))
                    st_mix = (st_a + st_b + st_c) // 3
            p_mix = _squash(st_mix, squash)

            # ---- SSE ----
            s = st_mix + 2048
            lo = s >> 7
            w = s & 127
            # (v14) the recent misses: the last bit's, any of the 7 before, any of the 8 before those
            m3 = 0
            if misses_on:
                m3 = (misses & 1) | (2 if misses & 0xFE else 0) | (4 if misses & 0xFF00 else 0)
            apm_idx[0] = (c0 | (m3 << 8)) * 33 + lo
            if image_rows and image_mode:  # (v37) by 4 pixels to the left and 4 above
                apm_idx[0] = ((r0 & 0xF) | (r1 >> 6 & 0xF) << 4 | m3 << 8) * 33 + lo
            for a in range(1, 4):
                apm_idx[a] = apm_row[a] * 33 + lo
            apm_idx[4] = (
                c0 | (expected_bit << 8) | (min(match_len, 15) << 9) | (m3 << 13)
            ) * 33 + lo
            # p: P(1) in 1/65536 (v9; in 1/4096, times 16, without FEATURE_PRECISION)
            if precise:
                # the mixer's and the SSE stages' P(1) in 1/65536, the first six experts
                expert_p[0] = p_mix * 16
                for a in range(NUM_APM):
                    expert_p[a + 1] = _sse_p(apm, a, apm_idx[a], w)
            if experts_on and not few_experts:
                expert_p[6] = _squash(st_a, squash) * 16
                expert_p[7] = _squash(st_b, squash) * 16
                expert_p[8] = _squash(st_c, squash) * 16
                expert_p[9] = p1 * 16
                expert_p[10] = p2 * 16
                expert_p[11] = p3 * 16
                expert_p[12] = p4 * 16
                expert_p[13] = p5 * 16
                expert_p[14] = p6 * 16
                expert_p[15] = p7 * 16
                expert_p[16] = p8 * 16
                expert_p[17] = p9 * 16
                expert_p[20] = p10 * 16
                if lstm_on and not lstm_live:  # (v23) in images the LSTMs echo the mixer
                    expert_p[18] = expert_p[0]
                    if second_on:
                        expert_p[21] = expert_p[0]
                if order4_sse:
                    apm_idx[NUM_APM] = _sse_order4_row(c0, c4s) * 33 + lo
                    expert_p[19] = _sse_p(apm, NUM_APM, apm_idx[NUM_APM], w)
                if chains_on:
                    s_order0 = stretch[expert_p[1] >> 4] + 2048
                    chain_mean = (expert_p[0] + expert_p[2] + expert_p[3] + expert_p[4]) >> 2
                    s_mean = stretch[chain_mean >> 4] + 2048
                    at_w = (apm_chained, expert_p, chained_at, chained_w)
                    if image_rows and image_mode:
                        _image_chain_stages(at_w, img_ctx, 0, 8, s_mean, s_order0)
                    else:
                        _chain_stage(at_w, 0, _hash(c4s & 0xFFFFFF, c0, 83), s_order0)
                        chain_expected = expected_byte if match_len > 0 else 0
                        chain_class = chain_expected | min(_bitlen(match_len), 7) << 8 | order << 11
                        _chain_stage(at_w, 1, _hash(chain_class, c0, 84), s_mean)
                        _chain_stage(at_w, 2, _hash(c4s, c0, 87), s_order0)
                        _chain_stage(at_w, 3, _hash(word, c0, 88), s_mean)
                        # (v30) order 2 on the order-0 stage, order 4 on the mean, the last 8
                        # bytes on the order-4 stage of the order-0 stage, the column on the mean
                        _chain_stage(at_w, 4, _hash(c4s & 0xFFFF, c0, 91), s_order0)
                        _chain_stage(at_w, 5, _hash(c4s, c0, 92), s_mean)
                        s_chain = stretch[expert_p[FIRST_CHAINED + 2] >> 4] + 2048
                        _chain_stage(at_w, 6, _hash(c8, c4, c0), s_chain)
                        _chain_stage(at_w, 7, _hash(min(col, 255), c0, 93), s_mean)
                    # (v32) in images 6 + 6 + 4 pixels of this row and the 2 above, else
                    # the last 6 bytes, on the mean
                    chain_row = _hash(c8 & 0xFFFF, c4 & 0xFFFF, c0)
                    if image_mode:
                        chain_row = (r0 & 0x3F) | (r1 >> 5 & 0x3F) << 6 | (r2 >> 6 & 0xF) << 12
                    _chain_stage(at_w, 8, chain_row, s_mean)
                    if word_chains_on and image_rows and image_mode:
                        _image_chain_stages(at_w, img_ctx, 9, num_chained, s_mean, s_order0)
                    elif word_chains_on:
                        # (v31) by the words: on the mean the word with the previous word,
                        # the line's first word with the column, the last 3 words, the word
                        # with the word 2 back and 3 back, the previous word with the last
                        # byte; on the order-0 stage the last 2 words, and the word
                        bigram = _hash(word, prev_word, 95)
                        _chain_stage(at_w, 9, _hash(bigram, c0, 94), s_mean)
                        _chain_stage(at_w, 10, _hash(line_field + min(col, 63), c0, 96), s_mean)
                        _chain_stage(at_w, 11, _hash(_hash(bigram, prev_word2, 99), c0, 94), s_mean)
                        _chain_stage(at_w, 12, _hash(_hash(word, prev_word2, 100), c0, 94), s_mean)
                        _chain_stage(at_w, 13, _hash(_hash(word, prev_word3, 103), c0, 94), s_mean)
                        _chain_stage(at_w, 14, _hash(bigram, c0, 105), s_order0)
                        _chain_stage(at_w, 15, _hash(word, c0, 101), s_order0)
                        _chain_stage(
                            at_w, 16, _hash(_hash(prev_word, c4 & 0xFF, 102), c0, 94), s_mean
                        )
            if experts_on:
                p = 0
                for e in range(num_experts):
                    p += expert_w[expert_set, e] * expert_p[e]
                p >>= 28
                p = max(P16_MIN, min(65536 - P16_MIN, p))
            elif precise:  # v9's fixed average
                p = 0
                for e in range(NUM_APM + 1):
                    p += apm_weights[e] * expert_p[e]
                p >>= APM_SHIFT
                p = max(P16_MIN, min(65536 - P16_MIN, p))
            else:
                p = apm_weights[0] * p_mix
                for a in range(NUM_APM):
                    ia = apm_idx[a]
                    p += apm_weights[a + 1] * ((apm[a, ia] * (128 - w) + apm[a, ia + 1] * w) >> 11)
                p >>= APM_SHIFT
                p = max(1, min(4095, p)) << 4

            # ---- code the bit ----
            xmid = x1 + (((x2 - x1) * p) >> 16)
            if decode:  # noqa: SIM108 (the two roles read better apart)
                y = 1 if x <= xmid else 0
            else:
                y = (src[pos] >> (7 - bit_pos)) & 1
            if y:
                x2 = xmid
                ideal_bits += cost_bits[p >> 4] if not precise else 16.0 - np.log2(p)
            else:
                x1 = xmid + 1
                ideal_bits += (
                    cost_bits[4096 - (p >> 4)] if not precise else 16.0 - np.log2(65536 - p)
                )
            while ((x1 ^ x2) & 0xFF000000) == 0:
                if decode:
                    if in_pos >= src.shape[0] + FLUSH_ZEROS:
                        return -1, ideal_bits  # the stream ends before the claimed length
                    x = ((x << 8) & 0xFFFFFFFF) | (src[in_pos] if in_pos < src.shape[0] else 0)
                    in_pos += 1
                else:
                    if out_pos >= out_cap:
                        return -1, ideal_bits
                    dst[out_pos] = x2 >> 24
                    out_pos += 1
                x1 = (x1 << 8) & 0xFFFFFFFF
                x2 = ((x2 << 8) & 0xFFFFFFFF) | 255

            # ---- learn what the next bit and byte need now; the rest is deferred ----
            if chains_on:
                target16 = y << (16 + sse_bits)
                for k in range(num_chained):
                    rate = CHAINED_RATE if k < FIRST_WORD_CHAINED else WORD_CHAINED_RATE
                    if image_rows and image_mode:
                        rate = IMAGE_CHAINED_RATE
                    _sse_update(apm_chained, k, chained_at[k], chained_w[k], target16, rate)
            if misses_on:
                misses = ((misses << 1) | (1 if (p >= 32768) != (y == 1) else 0)) & 0xFFFF
            if bit_pos == 3:
                # the next nibble's home buckets, fetched while this bit's learning runs
                c0n = (c0 << 1) | y
                for i in in_use:
                    if skip_kind[gated[i]]:
                        continue
                    h = _hash(hashes[i], c0n, i)
                    nib_hash[i] = h
                    home = (h & mask) & ~15
                    r = row[i]
                    _prefetch(hist, r, home)
                    _prefetch(fast, r, home)
            if record_len > 1:
                r0 = ((r0 << 1) | y) & 0xFFFFFFFF
                up = pos + 1  # the byte below the one each row's next bit comes from
                r1 = _shift_row_bit(r1, buf, up - record_len, bit_pos)
                r2 = _shift_row_bit(r2, buf, up - 2 * record_len, bit_pos)
                r3 = _shift_row_bit(r3, buf, up - 3 * record_len, bit_pos)
                if image_counts and image_mode:
                    r4 = _shift_row_bit(r4, buf, up - 4 * record_len, bit_pos)
                    r5 = _shift_row_bit(r5, buf, up - 5 * record_len, bit_pos)
                    r6 = _shift_row_bit(r6, buf, up - 6 * record_len, bit_pos)
                    r7 = _shift_row_bit(r7, buf, up - 7 * record_len, bit_pos)
                    r8 = _shift_row_bit(r8, buf, up - 8 * record_len, bit_pos)
                    if image_templates:
                        for k in range(8):
                            far_rows[k] = _shift_row_bit(
                                far_rows[k], buf, up - (9 + k) * record_len, bit_pos
                            )
            if match_len > 0:
                mc = match_counters[match_slot]
                match_counters[match_slot] = mc + ((((y << 16) - mc) * 3) >> 7)
            for q in range(num_sec):
                if sec_len[q] > 0:
                    mc = sec_counters[q, sec_slot[q]]
                    sec_counters[q, sec_slot[q]] = mc + ((((y << 16) - mc) * 3) >> 7)
                    if sec_bit[q] != y:  # a missed byte: resume after it
                        if sec_recover[q]:
                            sec_miss_on[q] = 1
                            sec_miss_ptr[q] = sec_ptr[q]
                        sec_len[q] = 0
            if sparse_on:
                _sparse_learn(sp, sp_map, y, bit_pos, reciprocal)
            if neural_on:
                nn_err = (y << 12) - _squash(nn_logit, squash)
                for j in range(NN_HIDDEN):
                    nn_dh[j] += nn_err * nn_out[c0, j]
                    nn_out[c0, j] += (nn_err * nn_h[j] * NN_LR_OUT) >> 18
            if delta_idx >= 0:
                _adapt(delta_map, 0, delta_idx, y << 22, reciprocal, STATE_MAP_LIMIT)
            if match_len > 0 and expected_bit != y:
                if delta_on and not delta_live:
                    delta_live = True
                    delta_byte = expected_byte
                if recover_on:
                    miss_on = True
                    miss_ptr = match_ptr
                match_len = 0
            if bit_pos < 7 and not image_mode:
                # the rows the next bit's weight sets and SSE stages 1-3 and 5 read, fetched
                # while this bit's learning runs
                c0n = (c0 << 1) | y
                nb = bit_pos + 1
                mbn = _match_class(match_len, (expected_byte >> (7 - nb)) & 1)
                rows = _weight_rows(
                    c0n, c1, c2, classes, col, nb, mbn, column_mix_on and text_mode, column_rows5
                )
                c4s_next = spaced if line_on and text_mode else c4
                row1, row2, row3 = _sse_rows(c0n, c1, c4s_next)
                _prefetch(apm, 1, row1 * 33 + 16)
                _prefetch(apm, 2, row2 * 33 + 16)
                _prefetch(apm, 3, row3 * 33 + 16)
                if order4_sse:
                    _prefetch(apm, NUM_APM, _sse_order4_row(c0n, c4s_next) * 33 + 16)
                _prefetch_weight_rows(
                    weights1,
                    weights4,
                    weights5,
                    weights6,
                    weights7,
                    weights8,
                    rows,
                    c0n,
                    num_in,
                    mix6_on,
                    class_on,
                )
            l_row1 = sel1  # the rows weight sets 1 and 2 read, which they learn in
            l_row2 = sel2
            l_bit = bit_pos
            l_in_use = in_use
            l_skip = skip_kind
            l_image = image_mode
            l_sets = sets_live
            learn_pending = True
            c0 = (c0 << 1) | y
            nibble = (nibble << 1) | y
            byte = (byte << 1) | y

        # ---- byte done: update histories ----
        if lstm_live:
            lstm_learn(lstm, byte)
            if second_on:
                lstm_learn(lstm2, byte)
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
        if miss_on:
            miss_ptr += 1
        for q in range(num_sec):
            if sec_miss_on[q]:
                sec_miss_ptr[q] += 1
            if sec_len[q] > 0:
                sec_len[q] = min(sec_len[q] + 1, 65535)
                sec_ptr[q] += 1
        if run_on or runmap_on:
            # each context's run: the byte seen and how often in a row, in slot 0 of
            # its first-nibble bucket (if that bucket was not replaced meanwhile)
            for i in in_use:
                if skip_kind[gated[i]]:
                    continue
                fb = first_base[i]
                r = row[i]
                if _bucket_is(hist, fast, r, fb, first_check[i], first_xcheck[i]):
                    ri = np.int64(fast[r, fb]) & 0xFFF
                    if ri >> 8 and (ri & 0xFF) == byte:
                        ri = ri + 256 if ri < 0xF00 else ri  # the run's count stops at 15
                    else:
                        if history_on and ri >> 8:  # the run's byte joins the history
                            hv = np.int64(history[r, fb >> 4])
                            known = min(((hv >> 16) & 3) + 1, 2)
                            history[r, fb >> 4] = (ri & 0xFF) | (hv & 0xFF) << 8 | known << 16
                        ri = byte | 256
                    fast[r, fb] = ri | (first_xcheck[i] << 12)
        if histories_on:
            lower4 = _next_history_state(histories, lower4, c1, byte)
        follow1[c1] = ((follow1[c1] << 8) | byte) & 0xFFFF
        if indirect_on:
            follow3[follow3_at] = ((follow3[follow3_at] << 8) | byte) & 0xFFFF
        if coarse_on:
            follow_low[low_key] = ((follow_low[low_key] << 8) | byte) & 0xFFFF
            follow_high[high_key] = ((follow_high[high_key] << 8) | byte) & 0xFFFF
        if text_more or quotes_on:
            if byte == 34:
                quotes ^= 1
            elif byte == 39 and not ((65 <= c1 <= 90) or (97 <= c1 <= 122)):
                quotes ^= 2
            elif byte == 10:
                quotes = 0
        if groups_on or wide_groups_on or text_more or line_word_on or text_groups:
            g = _char_group(byte)
            collapsed = 1 if (g == 48 or g == 65 or g == 97) and g == (groups1 & 0xFF) else 0
            if not collapsed:
                groups3 = ((groups3 << 8) | (groups2 >> 24)) & 0xFFFFFFFF
                groups2 = ((groups2 << 8) | (groups1 >> 24)) & 0xFFFFFFFF
                groups1 = ((groups1 << 8) | g) & 0xFFFFFFFF
        if nesting_on:
            if byte == 40 or byte == 91 or byte == 123:
                if depth < 63:  # deeper brackets are not tracked (their closing ones pop)
                    brackets[depth] = byte
                    depth += 1
            elif (byte == 41 or byte == 93 or byte == 125) and depth > 0:
                depth -= 1
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
        if aligned_on and pos & 1:
            follow16[(c4 >> 8) & 0xFFFF] = ((c4 & 0xFF) << 8) | byte
        c4 = ((c4 << 8) | byte) & 0xFFFFFFFF
        spaced = ((spaced << 8) | (32 if byte == 10 else byte)) & 0xFFFFFFFF
        is_letter = (65 <= byte <= 90) or (97 <= byte <= 122)
        fb = byte | 32 if is_letter else (48 if 48 <= byte <= 57 else byte)
        if line_on and byte == 10:
            fb = 32
        if fb != 32 or (folded & 0xFF) != 32:
            folded12 = ((folded12 << 8) | (folded8 >> 24)) & 0xFFFFFFFF
            folded8 = ((folded8 << 8) | (folded >> 24)) & 0xFFFFFFFF
            folded = ((folded << 8) | fb) & 0xFFFFFFFF
        word_start = is_letter and word == 0
        ended_len = word_len
        if is_letter:
            word_len += 1
            letters = ((letters << 5) | ((byte | 32) - 96)) & 0x3FFFFFFF
        else:
            word_len = 0
        if v26_on:
            letter_kinds, byte_kinds, above_run = _next_text_state(
                letter_kinds,
                byte_kinds,
                above_run,
                byte,
                c1,
                word != 0,
                pos,
                line_start,
                prev_line_start,
                buf,
            )
        if line_hashes_on:
            if byte == 10:
                prev_line_hash = line_so_far
                line_so_far = 0
            else:
                line_so_far = _hash(line_so_far, byte, 283)
        if is_letter:
            if word == 0:
                word_lead = c4 >> 8 & 0xFF
            word = _hash(word, byte | 32, 99)
            if stems_on and word_len < 64:
                word_prefix[word_len] = word
        elif word != 0:
            if stems_on:
                prev_stem2 = prev_stem
                prev_stem = _stem(word, word_prefix, letters, ended_len)
            word_after_old[prev_word & 0xFFFF] = word_after[prev_word & 0xFFFF]
            word_after[prev_word & 0xFFFF] = word
            after_pair[_hash(prev_word2, prev_word, 5) & 0xFFFF] = word
            if recency_on or shape_on:
                word_end_at[word & 0xFFFF] = pos
                word_end_check[word & 0xFFFF] = (word >> 16) & 0xFFFF
            if line_word_open:
                line_word = word
                line_word_open = False
            prev_word3 = prev_word2
            prev_word2 = prev_word
            prev_word = word
            word = 0
        if byte == 46 or byte == 33 or byte == 63 or byte == 59 or byte == 58 or byte == 44:
            words_since_punct = 0
            sent_flag = 1 if byte != 44 and byte != 59 else 2
        elif is_letter and word_start:
            words_since_punct += 1
            sent_flag = 0
        if byte == 10:
            if c1 == 10:
                paragraphs += 1
            line_word = 0
            line_word_open = True
            prev_line_start = line_start
            line_start = pos + 1
            line_field = 0
            line_field_open = True
        elif line_field_open:
            if byte == 32 or byte == 58 or byte == 9 or pos - line_start >= 16:
                line_field_open = False
                line_field = _hash(line_field, byte, 5)
            else:
                line_field = _hash(line_field, byte, 4)

    if not decode:
        # (v30) One byte ends the stream: x1's top byte + 1, which the interval holds
        # (x1 and x2 differ in their top byte), followed by the decoder's zeros, lies
        # in [x1, x2]. Until v29 the coder wrote x1's 4 bytes.
        if out_pos >= out_cap:
            return -1, ideal_bits
        dst[out_pos] = (x1 >> 24) + 1
        return out_pos + 1, ideal_bits
    return in_pos - FLUSH_ZEROS, ideal_bits


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
