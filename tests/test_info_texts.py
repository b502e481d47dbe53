"""The texts shipped for the demo: the long one is checked against its SHA-256 when read."""

import hashlib
import lzma

import pytest

from kairos.errors import CorruptFileError
from kairos.info.texts import (
    LONG_NAME,
    LONG_NUM_BYTES,
    LONG_SHA256,
    _data_file,
    long_text,
    sample_text,
)


def test_long_text_is_the_checked_hardy_slice():
    text = long_text()
    assert len(text) == LONG_NUM_BYTES
    assert hashlib.sha256(text).hexdigest() == LONG_SHA256
    assert text.startswith(b"<Y 1874>\n<A T. HARDY>\n") and text.endswith(b"at a distance.\n")
    assert text.isascii() and b"<C xiv>" in text and b"<C xv>" not in text  # chapters I-XIV
    assert _data_file(LONG_NAME).stat().st_size < LONG_NUM_BYTES // 2  # stored compressed
    assert len(sample_text()) == 4970


def _damaged(tmp_path, how):
    stream = _data_file(LONG_NAME).read_bytes()
    if how == "flipped byte":
        middle = len(stream) // 2
        stream = stream[:middle] + bytes([stream[middle] ^ 0x40]) + stream[middle + 1 :]
    elif how == "truncated":
        stream = stream[: len(stream) // 3]
    elif how == "other text":  # a valid xz stream of the same length, one letter changed
        text = bytearray(long_text())
        text[1000] ^= 0x20
        stream = lzma.compress(bytes(text))
    elif how == "longer text":
        stream = lzma.compress(long_text() + b"more")
    elif how == "shorter text":
        stream = lzma.compress(long_text()[:-1])
    elif how == "trailing bytes":
        stream += b"junk"
    elif how == "not xz":
        stream = b"plain text, not xz"
    path = tmp_path / LONG_NAME
    path.write_bytes(stream)
    return path


@pytest.mark.parametrize(
    "how,message",
    [
        ("flipped byte", "does not decode as xz"),
        ("truncated", "is truncated"),
        ("other text", "SHA-256"),
        ("longer text", "more than 189,138 bytes"),
        ("shorter text", "decodes to 189,137 bytes"),
        ("trailing bytes", "bytes after the end of its xz stream"),
        ("not xz", "does not decode as xz"),
    ],
)
def test_a_damaged_long_text_is_refused(tmp_path, how, message):
    path = _damaged(tmp_path, how)
    with pytest.raises(CorruptFileError, match=message) as err:
        long_text(path)
    assert err.value.path == str(path) and "reinstall kairos" in str(err.value)


def test_a_missing_long_text_is_refused(tmp_path):
    with pytest.raises(CorruptFileError, match="cannot read the bundled text"):
        long_text(tmp_path / "gone.xz")


@pytest.mark.slow
def test_cm_beats_every_standard_codec_on_the_long_text():
    """The demo's claim (issue 15): on the long text, kairos's default level wins."""
    from kairos.demo.info import baselines
    from kairos.info.bench import run_benchmark

    rows = {
        r["model"]: r["compressed_bytes"]
        for r in run_benchmark([("long", long_text())], ["cm", *baselines()])
    }
    cm = rows.pop("cm")
    assert cm < min(rows.values()), (cm, rows)


def test_module_example_runs():
    import doctest

    import kairos.info.texts

    failures, tried = doctest.testmod(kairos.info.texts)
    assert tried >= 1 and failures == 0
