"""The one typed error hierarchy shared by every kairos subpackage.

Every error names *where* the problem is (a file and line, a field, a
parameter), *what* was found, and, when it helps, how to fix it. Catch
:class:`KairosError` to handle every kairos failure at once.
"""

from __future__ import annotations

from pathlib import Path


def _rebuild(cls: type, args: tuple, state: dict) -> KairosError:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class KairosError(Exception):
    """Base class of all kairos errors.

    Every subclass pickles intact (type, message and fields such as ``path``,
    ``line`` and ``field``), so an error raised in a worker process or on a Ray
    node reaches the caller as the same typed error.
    """

    def __reduce__(self):
        # Exception's own reduce calls cls(*args), which breaks for subclasses whose
        # constructor takes the fields rather than the formatted message.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def quote(value: object, limit: int = 60) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with the full length.

    An error quotes the input it refuses; a 200 KB line must not come back whole.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({len(text):,} characters)"


class InputFormatError(KairosError, ValueError):
    """A user-supplied text file (levels, instances, tables) is malformed.

    Parameters
    ----------
    path : path-like or str or None
        The offending file, or None for in-memory text.
    line : int or None
        1-based line number of the problem, when known.
    message : str
        What was wrong, and what was expected.
    """

    def __init__(self, path: str | Path | None, line: int | None, message: str):
        self.path = None if path is None else str(path)
        self.line = line
        self.message = message
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class ValidationError(KairosError, ValueError):
    """A parameter, config field or table column has an invalid value.

    Parameters
    ----------
    field : str
        Name of the offending parameter, field or column.
    message : str
        What was found and what was expected.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class UnidentifiableError(ValidationError):
    """The data cannot determine a law's parameters (equal x, constant y, too few points)."""


class OutputPathError(KairosError, OSError):
    """A user-named output path cannot be written (or would overwrite what it must not).

    Parameters
    ----------
    path : path-like or str
        The offending output path.
    message : str
        What was wrong, and how to fix it.
    """

    def __init__(self, path: str | Path, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path or repr(self.path)}: {message}")

    def __reduce__(self):
        return (type(self), (self.path, self.message))


class FileFormatError(KairosError, ValueError):
    """A kairos binary file (policy, memory, compressed stream) cannot be read."""

    def __init__(self, path: str | Path | None, message: str):
        self.path = None if path is None else str(path)
        self.message = message
        super().__init__(f"{self.path or '<bytes>'}: {message}")


class ForeignFileError(FileFormatError):
    """The file does not start with the expected magic header."""


class VersionError(FileFormatError):
    """The file's format version is not supported by this kairos."""


class CorruptFileError(FileFormatError):
    """The file is truncated, or its checksum does not match its content."""


class MalformedFileError(CorruptFileError):
    """The file passes its checksum, but a field is invalid (written wrong, or crafted).

    Readers check every field (types, shapes, ranges, finiteness) after the
    checksum, so such a file is refused here instead of misleading a kernel.
    """


class MismatchError(FileFormatError):
    """The file is valid, but was made for something else (another domain, model, ...)."""


class PlatformMismatchError(FileFormatError):
    """Decoding here cannot reproduce the encoder's arithmetic bit for bit."""


class MissingDependencyError(KairosError, ImportError):
    """An optional dependency (a kairos extra) is not installed.

    Parameters
    ----------
    package : str
        The missing import, e.g. ``"transformers"``.
    extra : str
        The kairos extra that installs it, e.g. ``"hf"``.
    needed_for : str
        What needs it (a module, a CLI flag).
    """

    def __init__(self, package: str, extra: str, needed_for: str):
        self.package = package
        self.extra = extra
        self.needed_for = needed_for
        super().__init__(
            f"{needed_for}: needs {package}, which is not installed; pip install 'kairos[{extra}]'"
        )


class UnsolvableError(KairosError, ValueError):
    """A task instance provably has no solution (e.g. wrong permutation parity)."""


class SolutionError(KairosError, RuntimeError):
    """A returned solution failed verification by replay in its domain."""
