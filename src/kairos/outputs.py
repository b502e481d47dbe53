"""The one gateway through which kairos writes a user-named path.

:func:`write_output` writes a file atomically and turns every OS error (the
path is a folder, a parent is a file, the name is empty, the folder is
read-only, the disk is full) into an :class:`~kairos.errors.OutputPathError`
naming the path. It refuses to overwrite an existing file unless asked, and
never replaces a symbolic link with a regular file. :func:`prepare_folder`
does the same for run folders, and :func:`new_run_path` gives every default
run folder a name no other run has taken, even one started in the same second.

Example
-------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_output(d / "a.txt", b"one")
PosixPath('...a.txt')
>>> write_output(d / "a.txt", b"two", force=False)
Traceback (most recent call last):
...
kairos.errors.OutputPathError: ...a.txt: already exists; pass --force to overwrite it
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from kairos.errors import OutputPathError


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (is the folder read-only?)"
    if isinstance(exc, IsADirectoryError):
        return "is a folder; give a file name"
    if isinstance(exc, NotADirectoryError):
        return "a parent of this path is a file, not a folder"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return f"cannot write: {exc.strerror or exc}"


def check_output_path(path: str | Path, *, force: bool = True) -> Path:
    """Refuse a path that cannot or must not be written, before any work is done.

    Parameters
    ----------
    path : the file to write
    force : whether an existing regular file may be replaced

    Raises
    ------
    OutputPathError
        Empty name, a folder, a symbolic link, an existing file without
        ``force``, or a parent that is a file.
    """
    if str(path) in ("", "."):
        raise OutputPathError(str(path), "empty file name; give a file to write")
    path = Path(path)
    if path.is_symlink():
        raise OutputPathError(
            path, "is a symbolic link; kairos does not replace links (remove it or pick a name)"
        )
    if path.is_dir():
        raise OutputPathError(path, "is a folder; give a file name")
    if path.exists() and not force:
        raise OutputPathError(path, "already exists; pass --force to overwrite it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputPathError(path, f"its parent {parent} is a file, not a folder")
            break
    return path


def write_output(path: str | Path, data: bytes, *, force: bool = True) -> Path:
    """Atomically write ``data`` to the user-named ``path`` (see :func:`check_output_path`).

    A crash leaves the old file or the new one, never a mix; the parent
    folders are created. Returns ``path``.
    """
    from kairos.container import atomic_write_bytes

    path = check_output_path(path, force=force)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputPathError(path, _reason(exc)) from None
    return path


def write_output_text(path: str | Path, text: str, *, force: bool = True) -> Path:
    """UTF-8 text version of :func:`write_output`."""
    return write_output(path, text.encode("utf-8"), force=force)


def prepare_folder(path: str | Path, *, must_be_new: bool = False, hint: str = "") -> Path:
    """Create the folder ``path`` (and its parents); typed errors name the path.

    With ``must_be_new``, a folder that already holds anything is refused, so
    a run is never written over another one; ``hint`` says how to proceed.
    """
    if str(path) in ("", "."):
        raise OutputPathError(str(path), "empty folder name; give a run folder")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(path, "is a file, not a folder; give a folder for the run")
    if must_be_new and path.is_dir() and any(path.iterdir()):
        raise OutputPathError(path, f"already holds a run; {hint or 'give a new folder'}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputPathError(path, "a parent of this path is a file, not a folder") from None
    except OSError as exc:
        raise OutputPathError(path, _reason(exc)) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputPathError(path, "permission denied (is the folder read-only?)")
    return path


def new_run_path(prefix: str, root: str | Path = "runs") -> Path:
    """Create and return ``root/prefix-YYYYmmdd-HHMMSS`` (or ``...-2``, ``-3``: never a taken one).

    The folder is made with an exclusive ``mkdir``, so two runs started in the
    same second, even in two processes, get two folders.
    """
    root = prepare_folder(root)
    stem = f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1, 10_000):
        candidate = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputPathError(candidate, _reason(exc)) from None
        return candidate
    raise OutputPathError(root / stem, "10,000 runs already started this second")
