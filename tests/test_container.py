import pytest

from kairos.container import atomic_write_bytes, pack, read_container, unpack, write_container
from kairos.errors import CorruptFileError, ForeignFileError, VersionError


def test_round_trip(tmp_path):
    path = tmp_path / "x.bin"
    write_container(path, b"TEST", 3, {"a": [1, 2]}, b"\x00payload\xff")
    assert read_container(path, magic=b"TEST", versions={3}) == (
        3,
        {"a": [1, 2]},
        b"\x00payload\xff",
    )


def test_foreign_magic():
    with pytest.raises(ForeignFileError, match="magic"):
        unpack(pack(b"AAAA", 1, {}, b""), magic=b"BBBB", versions={1})


def test_unsupported_version():
    with pytest.raises(VersionError, match="version 2"):
        unpack(pack(b"AAAA", 2, {}, b""), magic=b"AAAA", versions={1})


@pytest.mark.parametrize("cut", [1, 10, 33, 40])
def test_truncated(cut):
    blob = pack(b"AAAA", 1, {"k": "v"}, b"some payload")
    with pytest.raises((CorruptFileError, ForeignFileError)):
        unpack(blob[:-cut], magic=b"AAAA", versions={1})


def test_every_single_byte_flip_is_detected():
    blob = pack(b"AAAA", 1, {"k": "v"}, b"some payload")
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises((CorruptFileError, ForeignFileError, VersionError)):
            unpack(bytes(bad), magic=b"AAAA", versions={1})


def test_trailing_bytes():
    with pytest.raises(CorruptFileError, match="trailing"):
        unpack(pack(b"AAAA", 1, {}, b"x") + b"junk", magic=b"AAAA", versions={1})


def test_missing_file_names_path(tmp_path):
    with pytest.raises(ForeignFileError, match=r"nope\.bin"):
        read_container(tmp_path / "nope.bin", magic=b"AAAA", versions={1})


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    path = tmp_path / "sub" / "f.bin"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.bin"]


def test_atomic_write_uses_umask_mode(tmp_path):
    import os

    path = tmp_path / "f.bin"
    old = os.umask(0o022)
    try:
        atomic_write_bytes(path, b"x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
