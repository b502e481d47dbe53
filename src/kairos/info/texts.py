"""Texts shipped inside the package for the demo and the tests (provenance: ``kairos/data/NOTICE.md``).

- :func:`sample_text`: 4,970 bytes of prose written for kairos.
- :func:`long_text`: chapters I-XIV of Thomas Hardy's *Far from the Madding
  Crowd* (1874, public domain), the first 189,138 bytes of the Calgary
  corpus's ``book1``, long enough for an online model to learn the language.
  It is stored xz-compressed (70 KB) and checked against its SHA-256 when read.

Example
-------
>>> len(long_text())
189138
"""

from __future__ import annotations

import hashlib
import lzma
from importlib import resources
from pathlib import Path

from kairos.errors import CorruptFileError

SAMPLE_NAME = "clockmaker.txt"  # written for kairos
LONG_NAME = "madding_crowd_i-xiv.txt.xz"  # Hardy 1874, chapters I-XIV, as in Calgary's book1
LONG_TITLE = "Far from the Madding Crowd, chapters I-XIV (Thomas Hardy, 1874)"
LONG_NUM_BYTES = 189_138
LONG_SHA256 = "3b3ad3d522607659ec1428c67d1c5882dad99c620460e1037b86ab1dd4f60934"  # decompressed
_XZ_MEMLIMIT_BYTES = 128 << 20  # preset 9 needs a 64 MiB window


def _data_file(name: str) -> Path:
    return Path(str(resources.files("kairos.info").joinpath("data", name)))


def sample_text() -> bytes:
    """The short demo text (4,970 bytes of English prose, written for kairos)."""
    return _data_file(SAMPLE_NAME).read_bytes()


def long_text(path: str | Path | None = None) -> bytes:
    """The long demo text, decompressed and checked.

    Parameters
    ----------
    path : path-like, optional
        The xz file to read; by default the one shipped in the package.

    Returns
    -------
    bytes of length :data:`LONG_NUM_BYTES`
        ASCII prose with ``\\n`` line ends and the Calgary corpus's page and
        chapter markers (``<P 51>``, ``<C ii>``).

    Raises
    ------
    CorruptFileError
        The file is missing, does not decode, or its content does not match
        the SHA-256 recorded here (reinstall kairos).
    """
    path = _data_file(LONG_NAME) if path is None else Path(path)
    fix = "reinstall kairos to restore the bundled text"
    try:
        stream = path.read_bytes()
    except OSError as exc:
        raise CorruptFileError(
            path, f"cannot read the bundled text ({exc.strerror}); {fix}"
        ) from None
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ, memlimit=_XZ_MEMLIMIT_BYTES)
    try:
        data = dec.decompress(stream, LONG_NUM_BYTES + 1)  # never inflates past the length
    except lzma.LZMAError as exc:
        raise CorruptFileError(
            path, f"the bundled text does not decode as xz ({exc}); {fix}"
        ) from None
    if len(data) > LONG_NUM_BYTES:
        problem = f"decodes to more than {LONG_NUM_BYTES:,} bytes"
    elif not dec.eof:
        problem = f"is truncated (it ends after {len(data):,} of {LONG_NUM_BYTES:,} bytes)"
    elif dec.unused_data:
        problem = f"has {len(dec.unused_data):,} bytes after the end of its xz stream"
    elif len(data) != LONG_NUM_BYTES:
        problem = f"decodes to {len(data):,} bytes, expected {LONG_NUM_BYTES:,}"
    else:
        problem = None
    if problem:
        raise CorruptFileError(path, f"the bundled text {problem}; {fix}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != LONG_SHA256:
        raise CorruptFileError(
            path, f"the bundled text's SHA-256 is {digest}, expected {LONG_SHA256}; {fix}"
        )
    return data
