"""The prequential nn model, the per-file cm/nn choice (best) and the cm+net mixture (mix)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.container import pack
from kairos.errors import CorruptFileError, FileFormatError, PlatformMismatchError
from kairos.info.best import NN_MARKER, BestOfCompressor
from kairos.info.cm import CMCompressor
from kairos.info.compressor import COMPRESSORS, make_compressor
from kairos.info.fileformat import MAGIC, VERSION, compress_bytes, decompress_bytes, read_header
from kairos.info.mix import MixCompressor
from kairos.info.nn import _PREFIX, NNCompressor, fingerprint_digest, platform_fingerprint

TEXT = b"the cat sat on the mat; the cat ate the rat. " * 30
SMALL = {"hidden": 32, "embed": 8, "streams": 4, "bptt": 4, "min_chunk": 256, "update_bytes": 8}


def test_nn_best_and_mix_are_registered():
    assert {"nn", "best", "mix"} <= set(COMPRESSORS)


def test_nn_round_trips_deterministically_and_learns():
    nn = NNCompressor(**SMALL)
    stream = nn.compress(TEXT)
    assert nn.compress(TEXT) == stream  # same bytes every time: decoder sees the same floats
    assert nn.decompress(stream) == TEXT
    assert nn.num_streams(len(TEXT)) == 4
    # It learns: far below 8 bits per byte on a repetitive text.
    assert len(stream) < 0.5 * len(TEXT)


def test_nn_stream_is_its_ideal_code_length_plus_coder_overhead():
    nn = NNCompressor(**SMALL)
    stream = nn.compress(TEXT)
    body_bits = 8 * (len(stream) - _PREFIX.size)
    ideal = nn.code_length(TEXT)
    assert ideal <= body_bits <= ideal + 64


def _with_fingerprint(stream: bytes, fingerprint: dict) -> bytes:
    version, num_bytes, _ = _PREFIX.unpack_from(stream)
    digest = fingerprint_digest(fingerprint)
    return _PREFIX.pack(version, num_bytes, digest) + stream[_PREFIX.size :]


def test_nn_refuses_a_foreign_platform_with_a_typed_error():
    nn = NNCompressor(**SMALL)
    stream = nn.compress(TEXT[:300])
    other = {**platform_fingerprint(), "torch_cpu_capability": "SOME_OTHER_ISA"}
    with pytest.raises(PlatformMismatchError, match="another platform"):
        nn.decompress(_with_fingerprint(stream, other))
    assert nn.decompress(_with_fingerprint(stream, platform_fingerprint())) == TEXT[:300]
    forged = compress_bytes(TEXT[:300], "nn", **SMALL)
    header, payload = read_header(forged)
    header["platform"] = other
    with pytest.raises(PlatformMismatchError, match="SOME_OTHER_ISA"):
        decompress_bytes(pack(MAGIC, VERSION, header, payload))
    blob = compress_bytes(TEXT[:300], "nn", **SMALL)
    assert decompress_bytes(blob) == TEXT[:300]
    header_only = {**platform_fingerprint(), "torch": "0.0.1"}
    with pytest.raises(PlatformMismatchError, match="torch"):
        nn.check_header({"platform": header_only})


def test_nn_corrupt_streams_are_typed_errors():
    nn = NNCompressor(**SMALL)
    stream = nn.compress(TEXT[:300])
    for bad in (stream[:5], b"\x07" + stream[1:], stream[:-3]):
        with pytest.raises(CorruptFileError):
            nn.decompress(bad)


def test_best_is_never_longer_than_cm_and_round_trips_both_branches():
    best = BestOfCompressor(CMCompressor(), NNCompressor(**SMALL))
    for data in (b"", b"x", TEXT, bytes(range(256)) * 4):
        stream = best.compress(data)
        assert len(stream) <= len(CMCompressor().compress(data))
        assert best.decompress(stream) == data
    nn_branch = bytes([NN_MARKER]) + best.nn.compress(TEXT)
    assert best.decompress(nn_branch) == TEXT
    assert decompress_bytes(compress_bytes(TEXT, "best", cm={}, nn=SMALL)) == TEXT


def test_a_file_of_the_old_per_file_mix_still_decodes_as_best():
    # before cm model v5, "mix" was the per-file choice; its .kz names model "mix"
    # with cm and nn params, and an nn-branch stream still decodes
    best = BestOfCompressor(CMCompressor(), NNCompressor(**SMALL))
    old = make_compressor("mix", cm={}, nn=SMALL)
    assert isinstance(old, BestOfCompressor)
    assert old.decompress(bytes([NN_MARKER]) + best.nn.compress(TEXT)) == TEXT


def test_mix_mixes_the_net_into_cm_and_decodes_anywhere_like_cm():
    mix = MixCompressor()
    text = TEXT + b"and then the dog came home, the end.\n" * 5
    stream = mix.compress(text)
    assert mix.decompress(stream) == text
    assert CMCompressor().decompress(stream) == text  # a cm stream naming the neural input
    assert stream != CMCompressor().compress(text)  # the net changes the predictions
    assert mix.code_length(text) != CMCompressor().code_length(text)
    assert mix.params() == {"max_table_bits": mix.max_table_bits}
    assert "platform" not in compress_bytes(text, "mix")[:400].decode("latin-1")
    for data in (b"", b"x", b"\x00" * 3000):
        assert decompress_bytes(compress_bytes(data, "mix")) == data


def test_make_compressor_builds_nn_from_header_params():
    nn = make_compressor("nn", **SMALL)
    assert nn.params()["hidden"] == 32


def test_nn_conditional_length_is_coding_y_after_training_on_x():
    from kairos.info.measures import conditional_length, mutual_information

    nn = NNCompressor(**SMALL)
    x = TEXT[:600]
    unrelated = bytes(range(200, 256)) * 10
    assert conditional_length(x, x, nn) < 0.7 * nn.code_length(x)
    assert mutual_information(x, x, nn) > mutual_information(unrelated, x, nn)


@given(st.binary(max_size=80))
@settings(max_examples=60, deadline=None)
def test_fuzz_nn_and_mix_stream_decoders_fail_cleanly(stream):
    best = BestOfCompressor(CMCompressor(), NNCompressor(**SMALL))
    for compressor in (NNCompressor(**SMALL), best, MixCompressor()):
        try:
            out = compressor.decompress(stream)
        except FileFormatError:
            continue
        assert isinstance(out, bytes)  # no checksum below the file layer: garbage may decode
