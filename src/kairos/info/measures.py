"""Information measures built on code lengths: C(x), C(y|x), I(x:y), NCD, and NCD-kNN.

All lengths are in bits under one :class:`~kairos.info.compressor.Compressor`.

- ``C(x)``: code length of ``x``.
- ``C(y|x) = C(x.y) - C(x)``: for an online (prequential) model such as ``cm``
  this is exactly the cost of coding ``y`` after training on ``x``, because
  the model codes ``x.y`` left to right and learns as it goes.
- ``I(x:y) = C(y) - C(y|x)``: how many bits of ``y`` knowing ``x`` saves. It is
  not exactly symmetric for real compressors, so
  ``symmetric_information(x, y) = (I(x:y) + I(y:x)) / 2
  = C(x) + C(y) - (C(x.y) + C(y.x)) / 2`` is offered as the symmetrised variant.
- ``NCD(x, y) = (C(x.y) - min(C(x), C(y))) / max(C(x), C(y))``.

Example
-------
>>> from kairos.info.compressor import make_compressor
>>> gz = make_compressor("gzip")
>>> x = b"the cat sat on the mat. " * 20
>>> conditional_length(x, x, gz) < code_length(x, gz) / 4
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np

from kairos.errors import ValidationError
from kairos.info.compressor import Compressor, make_compressor


def code_length(x: bytes, compressor: Compressor) -> float:
    """C(x) in bits."""
    return float(compressor.code_length(x))


def conditional_length(
    y: bytes, x: bytes, compressor: Compressor, *, x_bits: float | None = None
) -> float:
    """C(y|x) in bits: C(x.y) - C(x) + C(empty), or the compressor's own prequential C(y|x).

    C(empty) is the fixed cost of a container (a gzip header: 160 bits; 0 for
    ``cm``). C(y) pays it, and so must C(y|x), or I(x:y) = C(y) - C(y|x) would
    credit every pair, even two empty strings, with that many bits of shared
    information (and C(y|empty) would not be C(y)).

    A compressor with a ``conditional_code_length(y, x)`` method (``nn``,
    which codes interleaved chunks, so coding x.y is not "y after x") supplies
    the cost of coding ``y`` after training on ``x`` directly. ``x_bits``, when
    given, is C(x) already computed (callers conditioning many ``y`` on one
    ``x`` pass it once known).
    """
    own = getattr(compressor, "conditional_code_length", None)
    if own is not None:
        return float(own(y, x))
    cx = code_length(x, compressor) if x_bits is None else float(x_bits)
    return code_length(x + y, compressor) - cx + code_length(b"", compressor)


def mutual_information(x: bytes, y: bytes, compressor: Compressor) -> float:
    """I(x:y) = C(y) - C(y|x) in bits."""
    return code_length(y, compressor) - conditional_length(y, x, compressor)


def symmetric_information(x: bytes, y: bytes, compressor: Compressor) -> float:
    """(I(x:y) + I(y:x)) / 2 = C(x) + C(y) - (C(x.y) + C(y.x)) / 2, in bits."""
    cx, cy = code_length(x, compressor), code_length(y, compressor)
    joint = (
        cx + conditional_length(y, x, compressor) + cy + conditional_length(x, y, compressor)
    ) / 2
    return cx + cy - joint


def ncd(x: bytes, y: bytes, compressor: Compressor) -> float:
    """Normalised compression distance, about 0 for identical and 1 for unrelated strings."""
    cx, cy = code_length(x, compressor), code_length(y, compressor)
    return _ncd_from_lengths(cx, cy, code_length(x + y, compressor))


def _ncd_from_lengths(cx: float, cy: float, cxy: float) -> float:
    largest = max(cx, cy)
    return 0.0 if largest == 0 else (cxy - min(cx, cy)) / largest


def info_table(x: bytes, y: bytes, compressor: Compressor) -> dict[str, float]:
    """C(X), C(Y), C(Y|X), I(X:Y), symmetric I and NCD in one pass (bits, except NCD)."""
    cx, cy = code_length(x, compressor), code_length(y, compressor)
    y_given_x = conditional_length(y, x, compressor)
    x_given_y = conditional_length(x, y, compressor)
    joint = cx + y_given_x - code_length(b"", compressor)  # C(x.y), one container cost
    return {
        "C(X)_bits": cx,
        "C(Y)_bits": cy,
        "C(Y|X)_bits": y_given_x,
        "I(X:Y)_bits": cy - y_given_x,
        "I_sym_bits": cx + cy - (cx + y_given_x + cy + x_given_y) / 2,
        "NCD": _ncd_from_lengths(cx, cy, joint),
    }


class NCDKNNClassifier:
    """k-nearest-neighbour classifier under the NCD, with scikit-learn conventions.

    ``fit`` stores the training strings and their code lengths and returns
    ``self``; ``predict`` labels new strings; ``score`` is accuracy.

    Honest tie-breaking, exactly:

    1. Neighbourhood ties: every training string whose NCD equals the k-th
       smallest NCD is included, so the neighbourhood may exceed ``k``.
    2. Vote ties: if two or more labels share the highest vote count, the
       prediction is :attr:`TIE` (``None``) rather than any of them.
    3. ``score`` counts a :attr:`TIE` as wrong even when the true label is
       among the tied ones, so guessing can never inflate accuracy.

    Parameters
    ----------
    n_neighbors : int
        k, at least 1.
    compressor : str
        Registry key of the compressor used for the NCD.
    """

    TIE = None

    def __init__(self, n_neighbors: int = 1, *, compressor: str = "gzip"):
        self.n_neighbors = n_neighbors
        self.compressor = compressor

    def fit(self, X: Sequence[bytes], y: Sequence[Hashable]) -> NCDKNNClassifier:
        """Store training strings ``X`` (length n) and labels ``y`` (length n)."""
        if not isinstance(self.n_neighbors, int) or self.n_neighbors < 1:
            raise ValidationError(
                "n_neighbors", f"got {self.n_neighbors!r}, expected an int >= 1 (NCDKNNClassifier)"
            )
        X = _check_strings(X, "X")
        if len(X) != len(y) or not X:
            raise ValidationError(
                "y", f"found {len(X)} strings and {len(y)} labels; expected equal and >= 1"
            )
        self.compressor_ = make_compressor(self.compressor)
        self.X_ = list(X)
        self.y_ = list(y)
        self.lengths_ = [code_length(x, self.compressor_) for x in self.X_]
        self.classes_ = sorted(set(self.y_), key=repr)
        return self

    def distances(self, X: Sequence[bytes]) -> np.ndarray:
        """NCD of each query to each training string, shape (n_queries, n_train)."""
        X = _check_strings(X, "X")
        out = np.empty((len(X), len(self.X_)))
        for i, query in enumerate(X):
            cq = code_length(query, self.compressor_)
            for j, (train, ct) in enumerate(zip(self.X_, self.lengths_, strict=True)):
                out[i, j] = _ncd_from_lengths(cq, ct, code_length(query + train, self.compressor_))
        return out

    def predict(self, X: Sequence[bytes]) -> np.ndarray:
        """Labels of shape (n_queries,), dtype object; :attr:`TIE` where the vote is tied."""
        dist = self.distances(X)
        k = min(self.n_neighbors, dist.shape[1])
        out = np.empty(len(dist), dtype=object)
        for i, row in enumerate(dist):
            kth = np.sort(row)[k - 1]
            votes = Counter(self.y_[j] for j in np.flatnonzero(row <= kth))
            ranked = votes.most_common()
            tied = len(ranked) > 1 and ranked[0][1] == ranked[1][1]
            out[i] = self.TIE if tied else ranked[0][0]
        return out

    def score(self, X: Sequence[bytes], y: Sequence[Hashable]) -> float:
        """Accuracy; a tied prediction is always counted as wrong."""
        pred = self.predict(X)
        if len(pred) != len(y):
            raise ValidationError("y", f"found {len(y)} labels for {len(pred)} strings")
        hits = [p is not self.TIE and p == t for p, t in zip(pred, y, strict=True)]
        return float(np.mean(hits)) if hits else 0.0


def _check_strings(X: Sequence[bytes], name: str) -> list[bytes]:
    out = list(X)
    for i, x in enumerate(out):
        if not isinstance(x, bytes | bytearray):
            raise ValidationError(f"{name}[{i}]", f"found {type(x).__name__}, expected bytes")
    return [bytes(x) for x in out]
