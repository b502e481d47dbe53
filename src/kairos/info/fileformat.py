"""The ``.kz`` compressed-file format: a :mod:`kairos.container` with magic ``KZIP``.

Header (JSON, inside the checksummed container)::

    model             : registry key, e.g. "cm"
    params            : the compressor's hyperparameters
    original_bytes    : length of the original
    original_sha256   : hex SHA-256 of the original

Decoding checks the container (magic, version, SHA-256 of the file), rebuilds
the compressor from ``model`` and ``params``, decompresses, and compares the
result with ``original_bytes`` and ``original_sha256``, so wrong bytes are
never returned: every failure is a typed :class:`~kairos.errors.FileFormatError`.

Example
-------
>>> blob = compress_bytes(b"to be or not to be", "gzip")
>>> decompress_bytes(blob)
b'to be or not to be'
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from kairos.container import pack, unpack
from kairos.errors import (
    CorruptFileError,
    FileFormatError,
    KairosError,
    MalformedFileError,
    MismatchError,
    PlatformMismatchError,
)
from kairos.info.compressor import COMPRESSORS, make_compressor

MAGIC = b"KZIP"
VERSION = 1


def compress_bytes(data: bytes, model: str = "cm", **params: Any) -> bytes:
    """Compress ``data`` with the registered ``model`` into a self-describing ``.kz`` blob."""
    compressor = make_compressor(model, **params)
    header = {
        "model": model,
        "params": compressor.params(),
        "original_bytes": len(data),
        "original_sha256": hashlib.sha256(data).hexdigest(),
    }
    header.update(getattr(compressor, "extra_header", dict)())
    return pack(MAGIC, VERSION, header, compressor.compress(data))


def read_header(blob: bytes, path: str | Path | None = None) -> tuple[dict[str, Any], bytes]:
    """Check a ``.kz`` blob and return ``(header, payload)`` (typed errors on any defect)."""
    _, header, payload = unpack(blob, magic=MAGIC, versions={VERSION}, path=path)
    expected = {"model": str, "params": dict, "original_bytes": int, "original_sha256": str}
    for key, kind in expected.items():
        if not isinstance(header.get(key), kind) or isinstance(header.get(key), bool):
            raise MalformedFileError(
                path, f"header field {key!r} is missing or not a {kind.__name__}"
            )
    if header["original_bytes"] < 0:
        raise MalformedFileError(path, "header field 'original_bytes' is negative")
    sha = header["original_sha256"]
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise MalformedFileError(path, "header field 'original_sha256' is not 64 hex digits")
    if header["model"] not in COMPRESSORS:
        raise MismatchError(
            path,
            f"made with model {header['model']!r}, which this kairos does not have "
            f"(it has {', '.join(COMPRESSORS)})",
        )
    return header, payload


def decompress_bytes(blob: bytes, path: str | Path | None = None) -> bytes:
    """Invert :func:`compress_bytes`; never returns bytes that differ from the original."""
    header, payload = read_header(blob, path)
    try:
        compressor = make_compressor(header["model"], **header["params"])
    except (KairosError, TypeError) as exc:
        raise CorruptFileError(path, f"header params do not build the model: {exc}") from exc
    if hasattr(compressor, "check_header"):
        compressor.check_header(header, path)
    try:  # the declared length caps the work: no decoder produces more than it
        data = compressor.decompress(payload, header["original_bytes"])
    except PlatformMismatchError as exc:
        raise PlatformMismatchError(path, exc.message) from exc
    except FileFormatError as exc:
        raise CorruptFileError(path, exc.message) from exc
    if len(data) != header["original_bytes"]:
        raise CorruptFileError(
            path, f"decoded {len(data)} bytes, header says {header['original_bytes']}"
        )
    if hashlib.sha256(data).hexdigest() != header["original_sha256"]:
        raise CorruptFileError(path, "decoded bytes fail the original's SHA-256")
    return data
