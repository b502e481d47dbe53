"""Policy files (``.kpol``): a versioned, checksummed container.

Layout (see :mod:`kairos.container`): magic ``KPOL``, version, a JSON header
``{"kind", "domain", "spec", "arrays": {name: [dtype, shape]}}`` and a payload
of the named arrays' raw little-endian bytes, in header order. ``LOADERS``
maps each ``kind`` to a function building the policy from header and arrays;
learned policies register theirs here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kairos.container import pack, unpack
from kairos.errors import CorruptFileError, MismatchError, ValidationError
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy

MAGIC = b"KPOL"
VERSION = 1
_DTYPES = {"float64", "float32", "int64", "int32", "uint64", "uint8", "int8"}

LOADERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, np.ndarray]], Policy]] = {
    "uniform": lambda spec, arrays: UniformPolicy(),
    "cm": lambda spec, arrays: _load_cm(spec, arrays),
    "nn": lambda spec, arrays: _load_nn(spec, arrays),
    "features": lambda spec, arrays: _load_features(spec, arrays),
}


def _load_nn(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Policy:
    from kairos.policy.neural import load_nn

    return load_nn(spec, arrays)


def _load_features(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Policy:
    from kairos.policy.features import load_features

    return load_features(spec, arrays)


def _load_cm(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Policy:
    from kairos.policy.cm import load_cm

    return load_cm(spec, arrays)


def policy_bytes(
    kind: str, domain: str, spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> bytes:
    """Serialise a policy of ``kind`` for ``domain`` with its spec and parameter arrays."""
    layout = {}
    chunks = []
    # the header is stored with sorted keys, so the payload follows sorted names too
    for name, arr in sorted(arrays.items()):
        arr = np.ascontiguousarray(arr)
        if arr.dtype.name not in _DTYPES:
            raise ValidationError(
                name, f"dtype {arr.dtype} not storable; expected {sorted(_DTYPES)}"
            )
        layout[name] = [arr.dtype.name, list(arr.shape)]
        chunks.append(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes())
    header = {"kind": kind, "domain": domain, "spec": dict(spec), "arrays": layout}
    return pack(MAGIC, VERSION, header, b"".join(chunks))


def save_policy(
    path: str | Path,
    kind: str,
    domain: str,
    spec: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
) -> None:
    """Atomically write a policy file."""
    from kairos.container import atomic_write_bytes

    atomic_write_bytes(path, policy_bytes(kind, domain, spec, arrays))


def read_policy_file(
    path: str | Path, *, domain: str | None = None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and check a policy file; returns (header, arrays).

    Raises
    ------
    ForeignFileError, VersionError, CorruptFileError
        Not a policy file, unsupported version, truncated or checksum failure.
    MismatchError
        The policy was trained for another domain than ``domain``.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptFileError(path, f"cannot read policy file: {exc}") from None
    _, header, payload = unpack(data, magic=MAGIC, versions={VERSION}, path=path)
    try:
        kind, file_domain, layout = header["kind"], header["domain"], header["arrays"]
        arrays = {}
        pos = 0
        for name, (dtype, shape) in layout.items():
            if dtype not in _DTYPES:
                raise ValueError(f"unknown dtype {dtype}")
            dt = np.dtype(dtype).newbyteorder("<")
            size = int(np.prod(shape)) * dt.itemsize
            if pos + size > len(payload):
                raise ValueError(f"array {name} runs past the payload")
            arrays[name] = (
                np.frombuffer(payload, dtype=dt, count=int(np.prod(shape)), offset=pos)
                .reshape(shape)
                .astype(dtype)
            )
            pos += size
        if pos != len(payload):
            raise ValueError(f"{len(payload) - pos} payload bytes not described by the header")
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptFileError(path, f"policy header/payload inconsistent: {exc}") from None
    if kind not in LOADERS:
        raise MismatchError(
            path, f"policy kind {kind!r} unknown; this kairos reads {sorted(LOADERS)}"
        )
    if domain is not None and file_domain != domain:
        raise MismatchError(
            path, f"policy was trained for domain {file_domain!r}, but it is used on {domain!r}"
        )
    return header, arrays


def load_policy(path: str | Path, *, domain: str | None = None) -> Policy:
    """Load a policy file into a :class:`~kairos.policy.base.Policy`."""
    header, arrays = read_policy_file(path, domain=domain)
    spec = {**header.get("spec", {}), "domain": header["domain"]}
    try:
        return LOADERS[header["kind"]](spec, arrays)
    except MismatchError as exc:
        raise MismatchError(path, exc.message) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptFileError(path, f"policy spec/arrays unusable: {exc!r}") from None
