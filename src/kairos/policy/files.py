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
from kairos.errors import CorruptFileError, MalformedFileError, MismatchError, ValidationError
from kairos.fields import require_dict, require_int, require_list, require_str
from kairos.policy.base import Policy
from kairos.policy.uniform import UniformPolicy

MAGIC = b"KPOL"
VERSION = 1
_DTYPES = {"float64", "float32", "int64", "int32", "uint64", "uint8", "int8"}
MAX_ARRAYS = 1024
MAX_NDIM = 8

LOADERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, np.ndarray]], Policy]] = {
    "uniform": lambda spec, arrays: UniformPolicy(),
    "cm": lambda spec, arrays: _load_cm(spec, arrays),
    "nn": lambda spec, arrays: _load_nn(spec, arrays),
    "features": lambda spec, arrays: _load_features(spec, arrays),
}


def _check_uniform(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Nothing to check: the uniform policy reads neither its spec nor its arrays."""


def check_sparse_table(arrays: Mapping[str, np.ndarray], num_rows: int, num_actions: int) -> None:
    """Check the ``rows``/``values`` arrays of a hashed table stored by its non-zero rows.

    ``rows`` (int64, strictly increasing, in ``[0, num_rows)``) and ``values``
    (float32, finite, shape ``(len(rows), num_actions)``): what the context
    and feature models write. A NaN or inf weight would make every action
    -inf, so search would give up on a solvable task.

    Raises
    ------
    ValidationError
        Naming the first bad array.
    """
    if set(arrays) != {"rows", "values"}:
        raise ValidationError("arrays", f"got {sorted(arrays)!r:.80}, expected ['rows', 'values']")
    rows, values = arrays["rows"], arrays["values"]
    if rows.dtype != np.int64 or rows.ndim != 1:
        raise ValidationError("arrays.rows", f"got {rows.dtype} {rows.shape}, expected int64 (n,)")
    if values.dtype != np.float32 or values.shape != (len(rows), num_actions):
        raise ValidationError(
            "arrays.values",
            f"got {values.dtype} {values.shape}, expected float32 ({len(rows)}, {num_actions})",
        )
    if len(rows) and (rows[0] < 0 or rows[-1] >= num_rows or np.any(np.diff(rows) <= 0)):
        raise ValidationError(
            "arrays.rows", f"expected strictly increasing row numbers in [0, {num_rows})"
        )
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if len(bad):
        raise ValidationError(
            "arrays.values",
            f"{len(bad)} rows hold non-finite weights (first: row {int(rows[bad[0]])}); "
            "a diverged training run makes them",
        )


def _check_cm(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    from kairos.policy.cm import check_cm

    check_cm(spec, arrays)


def _check_nn(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    from kairos.policy.neural import check_nn

    check_nn(spec, arrays)


def _check_features(spec: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    from kairos.policy.features import check_features

    check_features(spec, arrays)


#: Each ``kind``'s field checks (spec with ``domain`` joined in, arrays), run on
#: read before its loader and on write before the file is made.
CHECKS: dict[str, Callable[[Mapping[str, Any], Mapping[str, np.ndarray]], None]] = {
    "uniform": _check_uniform,
    "cm": _check_cm,
    "nn": _check_nn,
    "features": _check_features,
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
    """Serialise a policy of ``kind`` for ``domain`` with its spec and parameter arrays.

    Raises
    ------
    ValidationError
        A field fails the checks a reader would run (e.g. non-finite weights
        after a diverged training run): such a file is never written.
    """
    if kind not in CHECKS:
        raise ValidationError("kind", f"got {kind!r}, expected one of {sorted(CHECKS)}")
    layout = {}
    chunks = []
    stored = {}
    # the header is stored with sorted keys, so the payload follows sorted names too
    for name, arr in sorted(arrays.items()):
        arr = np.ascontiguousarray(arr)
        if arr.dtype.name not in _DTYPES:
            raise ValidationError(
                name, f"dtype {arr.dtype} not storable; expected {sorted(_DTYPES)}"
            )
        layout[name] = [arr.dtype.name, list(arr.shape)]
        stored[name] = arr
        chunks.append(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes())
    CHECKS[kind]({**spec, "domain": domain}, stored)
    header = {"kind": kind, "domain": domain, "spec": dict(spec), "arrays": layout}
    return pack(MAGIC, VERSION, header, b"".join(chunks))


def save_policy(
    path: str | Path,
    kind: str,
    domain: str,
    spec: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
) -> None:
    """Atomically write a policy file (checked first, see :func:`policy_bytes`)."""
    from kairos.container import atomic_write_bytes

    atomic_write_bytes(path, policy_bytes(kind, domain, spec, arrays))


def _arrays(layout: Any, payload: bytes) -> dict[str, np.ndarray]:
    """The arrays a header's ``arrays`` layout describes; ValidationError if it does not fit."""
    layout = require_dict("arrays", layout)
    if len(layout) > MAX_ARRAYS:
        raise ValidationError("arrays", f"{len(layout)} arrays, at most {MAX_ARRAYS}")
    arrays = {}
    pos = 0
    for name, entry in layout.items():
        where = f"arrays.{name:.40}"
        if not isinstance(entry, list) or len(entry) != 2:
            raise ValidationError(where, f"got {entry!r:.60}, expected [dtype, shape]")
        dtype, shape = entry
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ValidationError(where, f"dtype {dtype!r:.40} unknown; expected {sorted(_DTYPES)}")
        require_list(f"{where} shape", shape, max_len=MAX_NDIM)
        count = 1
        for dim in shape:
            count *= require_int(f"{where} shape", dim, lo=0, hi=2**40)
        dt = np.dtype(dtype).newbyteorder("<")
        size = count * dt.itemsize  # Python ints: no overflow
        if pos + size > len(payload):
            raise ValidationError(where, "runs past the payload")
        arrays[name] = (
            np.frombuffer(payload, dtype=dt, count=count, offset=pos).reshape(shape).astype(dtype)
        )
        pos += size
    if pos != len(payload):
        raise ValidationError("arrays", f"{len(payload) - pos} payload bytes not described")
    return arrays


def policy_from_bytes(
    data: bytes, *, path: str | Path | None = None, domain: str | None = None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Check a policy file's bytes (container, then every field); returns (header, arrays).

    ``path`` only names the file in errors.

    Raises
    ------
    ForeignFileError, VersionError, CorruptFileError
        Not a policy file, unsupported version, truncated or checksum failure.
    MalformedFileError
        The checksum passes but a field is malformed or out of range.
    MismatchError
        Unknown policy kind, or trained for another domain than ``domain``.
    """
    _, header, payload = unpack(data, magic=MAGIC, versions={VERSION}, path=path)
    try:
        kind = require_str("kind", header.get("kind"), max_len=64)
        file_domain = require_str("domain", header.get("domain"), max_len=64)
        require_dict("spec", header.get("spec"))
        arrays = _arrays(header.get("arrays"), payload)
    except ValidationError as exc:
        raise MalformedFileError(path, f"policy field {exc}") from None
    if kind not in LOADERS:
        raise MismatchError(
            path, f"policy kind {kind!r} unknown; this kairos reads {sorted(LOADERS)}"
        )
    if domain is not None and file_domain != domain:
        raise MismatchError(
            path, f"policy was trained for domain {file_domain!r}, but it is used on {domain!r}"
        )
    try:
        CHECKS[kind]({**header["spec"], "domain": file_domain}, arrays)
    except ValidationError as exc:
        raise MalformedFileError(
            path, f"policy field {exc}; the file was written wrong or altered"
        ) from None
    return header, arrays


def read_policy_file(
    path: str | Path, *, domain: str | None = None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read and check a policy file; returns (header, arrays). See :func:`policy_from_bytes`."""
    from kairos.inputs import read_binary_file

    path = Path(path)
    try:
        data = read_binary_file(path, CorruptFileError)
    except OSError as exc:
        raise CorruptFileError(path, f"cannot read policy file: {exc}") from None
    return policy_from_bytes(data, path=path, domain=domain)


def build_policy(
    header: Mapping[str, Any], arrays: Mapping[str, np.ndarray], *, path: str | Path | None = None
) -> Policy:
    """The policy of a checked (header, arrays) pair from :func:`policy_from_bytes`."""
    spec = {**header["spec"], "domain": header["domain"]}
    try:
        return LOADERS[header["kind"]](spec, arrays)
    except MismatchError as exc:
        raise MismatchError(path, exc.message) from None
    except ValidationError as exc:
        raise MalformedFileError(path, f"policy field {exc}") from None


def load_policy(path: str | Path, *, domain: str | None = None) -> Policy:
    """Load a policy file into a :class:`~kairos.policy.base.Policy`."""
    header, arrays = read_policy_file(path, domain=domain)
    return build_policy(header, arrays, path=path)
