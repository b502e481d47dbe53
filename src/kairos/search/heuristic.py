"""Learned distance-to-go heuristics for PHS*, and their files (``.kheu``).

A :class:`LinearHeuristic` is h(s) = Σ_k w_k·f_k(s) over a domain's
``heuristic_features`` (Sokoban: :mod:`kairos.domains.sokoban_togo`), with
every w_k ≥ 0 so that h ≥ 0 where the features are, and h = 0 at a goal whose
features are all 0. The weights are learned by
:func:`kairos.learn.heuristic.fit_heuristic`.

File layout (:mod:`kairos.container`): magic ``KHEU``, version 1, a JSON
header ``{"domain", "features": [names], "weights": [floats], "fit": {...}}``
and an empty payload. JSON floats round-trip exactly, so a loaded heuristic
orders nodes bit for bit as the saved one did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kairos.container import pack, read_container, unpack, write_container
from kairos.errors import MalformedFileError, MismatchError, ValidationError
from kairos.fields import require_dict, require_list, require_str

MAGIC = b"KHEU"
VERSION = 1
MAX_FEATURES = 256


@dataclass(frozen=True)
class LinearHeuristic:
    """h(s) = Σ_k ``weights[k]`` · f_k(s) over the domain's ``heuristic_features``.

    Attributes
    ----------
    domain : str
        The domain it was learned for (``sokoban``).
    features : tuple of str
        The domain's ``heuristic_feature_names`` it was learned on, in order.
    weights : tuple of float
        One finite, non-negative weight per feature (moves per unit of feature).
    fit : dict
        How it was learned (data, sizes, residuals); not used by search.
    """

    domain: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    fit: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        check_weights(self.features, self.weights)

    @property
    def weight_array(self) -> np.ndarray:
        """The weights, shape (num_features,), float64 (what the compiled search reads)."""
        return np.asarray(self.weights, dtype=np.float64)

    def value(self, features: Sequence[float]) -> float:
        """h of a state with these feature values; summed in feature order, as the kernel does."""
        total = 0.0
        for w, f in zip(self.weights, features, strict=True):
            total += w * float(f)
        return total

    def check_domain(self, domain: Any) -> None:
        """Raise :class:`ValidationError` unless ``domain`` computes this heuristic's features."""
        names = getattr(domain, "heuristic_feature_names", None)
        if names is None or not hasattr(domain, "heuristic_features"):
            raise ValidationError(
                "heuristic",
                f"{getattr(domain, 'name', domain)!s:.60}: this domain has no distance-to-go "
                "features (the heuristic_features hook); a learned heuristic needs them",
            )
        if tuple(names) != self.features:
            raise ValidationError(
                "heuristic",
                f"learned on features {list(self.features)}, but the domain computes "
                f"{list(names)}; learn it again for this domain",
            )

    def _header(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "features": list(self.features),
            "weights": [float(w) for w in self.weights],
            "fit": dict(self.fit),
        }

    def to_bytes(self) -> bytes:
        """The ``.kheu`` file's bytes (see the module docstring)."""
        return pack(MAGIC, VERSION, self._header(), b"")

    def save(self, path: str | Path) -> None:
        """Atomically write the ``.kheu`` file."""
        write_container(path, MAGIC, VERSION, self._header(), b"")


def check_weights(features: Sequence[str], weights: Sequence[float]) -> None:
    """Raise :class:`ValidationError` unless there is one finite weight ≥ 0 per named feature."""
    if len(features) != len(weights):
        raise ValidationError(
            "weights", f"{len(weights)} weights for {len(features)} features; expected one each"
        )
    if not 0 < len(features) <= MAX_FEATURES:
        raise ValidationError("features", f"{len(features)} features, expected 1..{MAX_FEATURES}")
    for k, w in enumerate(weights):
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise ValidationError(
                f"weights[{k}]",
                f"got {w!r:.40}, expected a finite number >= 0 (h must be >= 0 for PHS*)",
            )


def _from_header(header: Mapping[str, Any]) -> LinearHeuristic:
    domain = require_str("domain", header.get("domain"), max_len=64)
    features = require_list("features", header.get("features"), max_len=MAX_FEATURES)
    weights = require_list("weights", header.get("weights"), max_len=MAX_FEATURES)
    for k, name in enumerate(features):
        require_str(f"features[{k}]", name, max_len=64)
    fit = require_dict("fit", header.get("fit", {}))
    check_weights(features, weights)
    return LinearHeuristic(domain, tuple(features), tuple(float(w) for w in weights), fit)


def heuristic_from_bytes(
    data: bytes, *, path: str | Path | None = None, domain: str | None = None
) -> LinearHeuristic:
    """Check a ``.kheu`` file's bytes and build its heuristic; ``path`` only names it in errors.

    Raises
    ------
    ForeignFileError, VersionError, CorruptFileError
        Not a heuristic file, unsupported version, truncated or checksum failure.
    MalformedFileError
        The checksum passes but a field is malformed (e.g. a negative weight).
    MismatchError
        Learned for another domain than ``domain``.
    """
    _, header, payload = unpack(data, magic=MAGIC, versions={VERSION}, path=path)
    return _checked(header, payload, path, domain)


def _checked(
    header: Mapping[str, Any], payload: bytes, path: str | Path | None, domain: str | None
) -> LinearHeuristic:
    if payload:
        raise MalformedFileError(path, f"{len(payload)} payload bytes, expected none")
    try:
        heuristic = _from_header(header)
    except ValidationError as exc:
        raise MalformedFileError(path, f"heuristic field {exc}") from None
    if domain is not None and heuristic.domain != domain:
        raise MismatchError(
            path,
            f"heuristic was learned for domain {heuristic.domain!r}, but it is used on {domain!r}",
        )
    return heuristic


def load_heuristic(path: str | Path, *, domain: str | None = None) -> LinearHeuristic:
    """Read and check a ``.kheu`` file; see :func:`heuristic_from_bytes` for the errors."""
    _, header, payload = read_container(path, magic=MAGIC, versions={VERSION})
    return _checked(header, payload, Path(path), domain)


def _shipped_boxoban(domain: str | None) -> LinearHeuristic:
    from kairos.data import BOXOBAN_HEURISTIC, data_path

    return load_heuristic(data_path(BOXOBAN_HEURISTIC), domain=domain)


#: Heuristics shipped inside the package, by CLI name.
HEURISTICS = {"boxoban-togo": _shipped_boxoban}


def heuristic_by_name(name: str, *, domain: str | None = None) -> LinearHeuristic:
    """A shipped heuristic (:data:`HEURISTICS`) by name, else the ``.kheu`` file at path ``name``.

    Raises
    ------
    FileFormatError
        ``name`` is not shipped and is not a valid heuristic file for ``domain``.
    """
    if name in HEURISTICS:
        return HEURISTICS[name](domain)
    return load_heuristic(name, domain=domain)
