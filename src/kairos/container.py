"""Versioned, checksummed binary containers and atomic file writes.

Every binary file kairos writes (policies, memories, compressed streams,
checkpoints) uses this one layout, so that a truncated, corrupted or foreign
file is always detected and reported with a typed error::

    magic        : 4 bytes, identifies the kind of file (e.g. b"KPOL")
    version      : uint16 little-endian, format version of that kind
    header_len   : uint32 little-endian
    header       : header_len bytes of UTF-8 JSON (metadata, hyperparameters)
    payload_len  : uint64 little-endian
    payload      : payload_len raw bytes
    checksum     : 32 bytes, SHA-256 of everything above

Example
-------
>>> blob = pack(b"DEMO", 1, {"n": 3}, b"abc")
>>> unpack(blob, magic=b"DEMO", versions={1})
(1, {'n': 3}, b'abc')
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from kairos.errors import (
    CorruptFileError,
    ForeignFileError,
    MalformedFileError,
    ValidationError,
    VersionError,
)

MAGIC_LEN = 4  # bytes
CHECKSUM_LEN = 32  # bytes, SHA-256
_FIXED = struct.Struct("<4sHI")  # magic, version, header_len


def pack(magic: bytes, version: int, header: dict[str, Any], payload: bytes) -> bytes:
    """Serialise ``header`` (JSON-able dict) and ``payload`` into one checksummed blob."""
    if len(magic) != MAGIC_LEN:
        raise ValueError(f"magic must be {MAGIC_LEN} bytes, got {magic!r}")
    try:
        header_bytes = json.dumps(
            header, sort_keys=True, separators=(",", ":"), allow_nan=False
        ).encode()
    except (TypeError, ValueError) as exc:  # NaN, inf or a non-JSON type: never write it
        raise ValidationError("header", f"cannot be stored as strict JSON: {exc}") from None
    body = b"".join(
        [
            _FIXED.pack(magic, version, len(header_bytes)),
            header_bytes,
            struct.pack("<Q", len(payload)),
            payload,
        ]
    )
    return body + hashlib.sha256(body).digest()


def unpack(
    data: bytes,
    *,
    magic: bytes,
    versions: Collection[int],
    path: str | Path | None = None,
) -> tuple[int, dict[str, Any], bytes]:
    """Check and split a blob made by :func:`pack`.

    Returns
    -------
    (version, header, payload)

    Raises
    ------
    ForeignFileError
        The blob does not start with ``magic``.
    VersionError
        The version is not in ``versions``.
    CorruptFileError
        The blob is truncated, has trailing bytes, or fails its checksum.
    MalformedFileError
        The checksum passes but the header is not a JSON object (a writer bug or a crafted file).
    """
    if data[:MAGIC_LEN] != magic[: len(data)]:
        found = data[:MAGIC_LEN]
        raise ForeignFileError(
            path, f"expected magic {magic!r}, found {found!r}; not this kind of file"
        )
    if len(data) < _FIXED.size:
        raise CorruptFileError(
            path,
            f"truncated: {len(data)} bytes, shorter than the {_FIXED.size}-byte fixed header",
        )
    _, version, header_len = _FIXED.unpack_from(data, 0)
    if version not in versions:
        raise VersionError(
            path,
            f"format version {version} is not supported (this kairos reads {sorted(versions)})",
        )
    pos = _FIXED.size
    if len(data) < pos + header_len + 8 + CHECKSUM_LEN:
        raise CorruptFileError(
            path, f"truncated: {len(data)} bytes is shorter than its header says"
        )
    header_bytes = data[pos : pos + header_len]
    pos += header_len
    (payload_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    expected_total = pos + payload_len + CHECKSUM_LEN
    if len(data) != expected_total:
        what = "truncated" if len(data) < expected_total else "has trailing bytes"
        raise CorruptFileError(path, f"{what}: {len(data)} bytes, expected {expected_total}")
    payload = data[pos : pos + payload_len]
    body_end = pos + payload_len
    if hashlib.sha256(data[:body_end]).digest() != data[body_end:]:
        raise CorruptFileError(path, "checksum mismatch: the file is corrupted")
    header = parse_json(header_bytes, path=path, what="header")
    if not isinstance(header, dict):
        raise MalformedFileError(
            path, f"header is a JSON {type(header).__name__}, expected an object"
        )
    return version, header, payload


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(raw: bytes, *, path: str | Path | None, what: str) -> Any:
    """Strict JSON from a checksummed file: typed errors for bad UTF-8, NaN, deep nesting.

    Raises
    ------
    MalformedFileError
        ``raw`` is not UTF-8 strict JSON, or is nested too deeply to parse.
    """
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:  # json recurses per nesting level
        raise MalformedFileError(path, f"{what} JSON is nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:  # also int digits over Python's limit
        raise MalformedFileError(path, f"{what} is not valid JSON: {exc}") from None


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Text version of :func:`atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_container(
    path: str | Path, magic: bytes, version: int, header: dict[str, Any], payload: bytes
) -> None:
    """Atomically write a container file (see module docstring)."""
    atomic_write_bytes(path, pack(magic, version, header, payload))


def read_container(
    path: str | Path, *, magic: bytes, versions: Collection[int]
) -> tuple[int, dict[str, Any], bytes]:
    """Read and check a container file; errors name ``path``."""
    path = Path(path)
    from kairos.inputs import read_binary_file

    data = read_binary_file(path, ForeignFileError)
    return unpack(data, magic=magic, versions=versions, path=path)
