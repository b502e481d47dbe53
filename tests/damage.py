"""Damaged copies of a kairos container file, each with the typed error a reader must raise."""

from __future__ import annotations

import numpy as np

from kairos.container import pack
from kairos.errors import CorruptFileError, ForeignFileError, VersionError


def damaged_copies(blob: bytes) -> list[tuple[str, bytes, type[Exception], str | None]]:
    """(name, bytes, expected error, message pattern) for foreign, truncated, flipped and future files."""
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0xFF
    future = bytearray(blob)
    future[4] = 99  # the version field follows the 4-byte magic
    return [
        ("foreign", b"not a kairos file at all", ForeignFileError, "expected magic"),
        ("truncated", blob[:-10], CorruptFileError, "truncated"),
        ("flipped", bytes(flipped), CorruptFileError, None),
        ("future", bytes(future), VersionError, None),
    ]


def unchecked_policy_bytes(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """A ``.kpol`` with a valid checksum but whatever ``header`` and ``arrays`` say (no checks).

    What a buggy writer or a crafted file gives the reader: the container accepts it.
    """
    layout, chunks = {}, []
    for name, arr in sorted(arrays.items()):
        arr = np.ascontiguousarray(arr)
        layout[name] = [arr.dtype.name, list(arr.shape)]
        chunks.append(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
    return pack(b"KPOL", 1, {**header, "arrays": layout}, b"".join(chunks))
