"""The one concept of this pillar: a :class:`Compressor`, and the registry of them.

A compressor maps bytes to a self-contained byte stream and back, and reports
the code length of a string in bits (the quantity every information measure
in :mod:`kairos.info.measures` is built on). The registry's keys are the
``--model`` choices of ``kairos compress``.

Standard-library and third-party codecs are adapted with
:func:`functools.partial` inside :class:`CodecCompressor`, so each baseline is
one line.

Example
-------
>>> c = make_compressor("gzip")
>>> c.decompress(c.compress(b"abcabcabc")) == b"abcabcabc"
True
"""

from __future__ import annotations

import bz2
import functools
import gzip
import lzma
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from kairos.errors import CorruptFileError, ValidationError


@runtime_checkable
class Compressor(Protocol):
    """Lossless compressor: ``decompress(compress(x)) == x`` for every byte string ``x``."""

    name: str

    def compress(self, data: bytes) -> bytes:
        """Return a self-contained compressed stream of ``data``."""
        ...

    def decompress(self, stream: bytes, max_bytes: int | None = None) -> bytes:
        """Invert :meth:`compress`.

        With ``max_bytes`` (the length a file header declares), refuse with a
        :class:`~kairos.errors.CorruptFileError` a stream that would decode to
        more, without producing more than that.
        """
        ...

    def code_length(self, data: bytes) -> float:
        """Code length of ``data`` in bits (may be the ideal -log2 probability)."""
        ...


@dataclass(frozen=True)
class CodecCompressor:
    """A general-purpose codec given as a pair of functions (gzip, xz, ...).

    ``decode(stream, limit)`` returns at most ``limit`` bytes and whether the
    stream ended there (:func:`_bounded` adapts the streaming decompressors), so
    a stream that inflates beyond a declared length is refused without being
    inflated.
    """

    name: str
    encode: Callable[[bytes], bytes]
    decode: Callable[[bytes, int], tuple[bytes, bool]]

    def compress(self, data: bytes) -> bytes:
        return self.encode(data)

    def decompress(self, stream: bytes, max_bytes: int | None = None) -> bytes:
        limit = _UNLIMITED if max_bytes is None else max_bytes
        try:
            data, ended = self.decode(stream, limit + 1)
        except Exception as exc:  # each codec raises its own types; unify them
            raise CorruptFileError(None, f"{self.name} stream does not decode: {exc}") from exc
        if len(data) > limit:
            raise CorruptFileError(
                None, f"{self.name} stream inflates past the {limit} bytes the header declares"
            )
        if not ended:
            raise CorruptFileError(None, f"{self.name} stream is truncated")
        return data

    def code_length(self, data: bytes) -> float:
        return 8.0 * len(self.encode(data))

    def params(self) -> dict:
        """Hyperparameters recorded in the file header (none: they live in the codec)."""
        return {}


_UNLIMITED = 1 << 62


def _bounded(make: Callable[[], Any], stream: bytes, limit: int) -> tuple[bytes, bool]:
    """Decode with a ``zlib``/``bz2``/``lzma``-style decompressor object, at most ``limit`` bytes.

    Returns (bytes, whether the stream ended exactly: end of stream reached and no
    trailing data).
    """
    dec = make()
    out = dec.decompress(stream, limit)
    return out, bool(dec.eof) and not dec.unused_data


def _gzip_decode(stream: bytes, limit: int) -> tuple[bytes, bool]:
    return _bounded(lambda: zlib.decompressobj(wbits=31), stream, limit)  # 31: gzip framing


def _bz2_decode(stream: bytes, limit: int) -> tuple[bytes, bool]:
    return _bounded(bz2.BZ2Decompressor, stream, limit)


_XZ_MEMLIMIT_BYTES = 128 << 20  # what preset 9 needs (a 64 MiB window), with room


def _xz_decode(stream: bytes, limit: int) -> tuple[bytes, bool]:
    # a crafted stream may ask for a window of up to 1.5 GiB; ours never need more than this
    return _bounded(lambda: lzma.LZMADecompressor(memlimit=_XZ_MEMLIMIT_BYTES), stream, limit)


def _zstd_encode(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=19).compress(data)


def _zstd_decode(stream: bytes, limit: int) -> tuple[bytes, bool]:
    import io

    import zstandard

    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(stream))
    chunks, total = [], 0
    while total < limit:
        chunk = reader.read(min(limit - total, 1 << 20))  # never a buffer of ``limit`` bytes
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks), total < limit


def _brotli_encode(data: bytes) -> bytes:
    import brotli

    return brotli.compress(data, quality=11)


def _brotli_decode(stream: bytes, limit: int) -> tuple[bytes, bool]:
    import brotli

    dec = brotli.Decompressor()
    out = dec.process(stream, output_buffer_limit=limit)
    return out, dec.is_finished()


def _make_cm(**params) -> Compressor:
    from kairos.info.cm import CMCompressor

    return CMCompressor(**params)


def _make_nn(**params) -> Compressor:
    from kairos.info.nn import NNCompressor

    return NNCompressor(**params)


def _make_mix(**params) -> Compressor:
    from kairos.info.mix import MixCompressor

    return MixCompressor.from_params(**params)


def _make_best(**params) -> Compressor:
    from kairos.info.best import BestOfCompressor

    return BestOfCompressor.from_params(**params)


BASELINES: dict[str, Callable[..., Compressor]] = {
    "gzip": functools.partial(
        CodecCompressor,
        "gzip",
        functools.partial(gzip.compress, compresslevel=9, mtime=0),
        _gzip_decode,
    ),
    "bz2": functools.partial(
        CodecCompressor, "bz2", functools.partial(bz2.compress, compresslevel=9), _bz2_decode
    ),
    "xz": functools.partial(
        CodecCompressor,
        "xz",
        functools.partial(lzma.compress, preset=9 | lzma.PRESET_EXTREME),
        _xz_decode,
    ),
    "zstd": functools.partial(CodecCompressor, "zstd", _zstd_encode, _zstd_decode),
    "brotli": functools.partial(CodecCompressor, "brotli", _brotli_encode, _brotli_decode),
}

#: Every compressor by its CLI name. Values build a compressor from header params.
COMPRESSORS: dict[str, Callable[..., Compressor]] = {
    "cm": _make_cm,
    "nn": _make_nn,
    "mix": _make_mix,
    "best": _make_best,
    **BASELINES,
}

DEFAULT_MODEL = "cm"


def make_compressor(name: str, **params) -> Compressor:
    """Build the compressor registered as ``name``.

    Raises
    ------
    ValidationError
        ``name`` is not a registered compressor.
    """
    if name not in COMPRESSORS:
        raise ValidationError(
            "model", f"unknown compressor {name!r}; expected one of {', '.join(COMPRESSORS)}"
        )
    return COMPRESSORS[name](**params)
