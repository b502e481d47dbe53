"""The one gateway through which kairos reads a user-named input file.

Only regular files are read: a device such as ``/dev/zero``, a pipe or a
folder is refused before any byte is read, and every file has a size cap, so
no input can make a command read forever or fill memory. OS errors become an
:class:`~kairos.errors.InputFormatError` naming the file.

Example
-------
>>> read_input_text("/dev/zero")
Traceback (most recent call last):
...
kairos.errors.InputFormatError: /dev/zero: not a regular file (a character device); give a file
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kairos.errors import FileFormatError, InputFormatError

MAX_TEXT_BYTES = 256 * 2**20  # level files, tables: far above any real one
MAX_CONFIG_BYTES = 16 * 2**20  # model configs, hardware profiles, run metadata
MAX_DATA_BYTES = 2**30  # files to compress or measure

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a pipe",
    stat.S_IFSOCK: "a socket",
}


def check_input_file(path: str | Path, *, max_bytes: int = MAX_TEXT_BYTES) -> Path:
    """Return ``path`` if it names a regular file of at most ``max_bytes`` bytes.

    Raises
    ------
    InputFormatError
        No such file, not a regular file, unreadable, or over the size cap.
    """
    path = Path(path)
    if str(path) == "":
        raise InputFormatError("''", None, "empty file name; give a file")
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputFormatError(path, None, "cannot read: no such file") from None
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a plain file")
        raise InputFormatError(path, None, f"not a regular file ({kind}); give a file")
    if st.st_size > max_bytes:
        raise InputFormatError(
            path, None, f"{st.st_size:,} bytes is over the {max_bytes:,}-byte limit for this input"
        )
    return path


def read_input_bytes(path: str | Path, *, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes (see :func:`check_input_file`)."""
    path = check_input_file(path, max_bytes=max_bytes)
    return _read_checked(path, max_bytes)


def read_binary_file(path: str | Path, error: type[FileFormatError]) -> bytes:
    """The bytes of a kairos binary file (policy, checkpoint, memory, .kz), at most
    :data:`MAX_DATA_BYTES`; a missing, irregular or unreadable file raises ``error``."""
    try:
        return read_input_bytes(path, max_bytes=MAX_DATA_BYTES)
    except InputFormatError as exc:
        raise error(path, exc.message) from None


def _read_checked(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped after the check
                raise InputFormatError(path, None, "not a regular file; give a file")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise InputFormatError(path, None, f"grew over the {max_bytes:,}-byte limit while read")
    return data


def read_input_text(path: str | Path, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a regular file; a decoding error names the byte offset."""
    data = read_input_bytes(path, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            path, None, f"not UTF-8 text (byte {exc.start:,}: {exc.reason}); expected a text file"
        ) from None
