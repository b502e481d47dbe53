"""Read scaling data from CSV or Parquet tables with named columns, and validate it.

This is the public boundary of the scaling pillar: every problem is reported
as a typed error naming the file, the column and the row (1-based data row;
for CSV also the line number, counting the header as line 1).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from kairos.errors import InputFormatError, ValidationError


def _read_csv(path: Path, columns: list[str]) -> dict[str, np.ndarray]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            path, None, f"not UTF-8 text ({exc.reason}); expected a CSV table"
        ) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise InputFormatError(path, 1, "empty file; expected a header row of column names")
    header = [h.strip() for h in header]
    _check_columns(path, header, columns)
    where = {c: header.index(c) for c in columns}
    values: dict[str, list[float]] = {c: [] for c in columns}
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputFormatError(
                path, line_no, f"found {len(row)} fields; the header has {len(header)}"
            )
        for c in columns:
            cell = row[where[c]].strip()
            try:
                values[c].append(float(cell))
            except ValueError:
                raise InputFormatError(
                    path, line_no, f"column {c!r} holds {cell!r}; expected a number"
                ) from None
    return {c: np.array(v, dtype=float) for c, v in values.items()}


def _read_parquet(path: Path, columns: list[str]) -> dict[str, np.ndarray]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFormatError(path, None, f"not a readable Parquet file ({exc})") from None
    _check_columns(path, table.column_names, columns)
    out = {}
    for c in columns:
        try:
            out[c] = table.column(c).to_numpy(zero_copy_only=False).astype(float)
        except (TypeError, ValueError, pa.ArrowInvalid):
            raise InputFormatError(
                path, None, f"column {c!r} has type {table.column(c).type}; expected numbers"
            ) from None
    return out


def _check_columns(path: Path, found: list[str], wanted: list[str]) -> None:
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InputFormatError(
            path,
            1,
            f"column(s) {', '.join(map(repr, missing))} not found; the table has "
            f"{', '.join(map(repr, found)) or 'no columns'}",
        )


def read_table(path: str | Path, columns: list[str]) -> dict[str, np.ndarray]:
    """Read the named numeric ``columns`` of a CSV (``.csv``) or Parquet (``.parquet``/``.pq``) file.

    Returns
    -------
    dict mapping each column name to an ndarray of shape (num_rows,)
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(path, None, "no such file; expected a CSV or Parquet table")
    if path.suffix.lower() in (".parquet", ".pq"):
        data = _read_parquet(path, columns)
    else:
        try:
            data = _read_csv(path, columns)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            raise InputFormatError(path, None, f"not a readable CSV table ({exc})") from None
    for c, v in data.items():
        _check_finite_positive(path, c, v, is_csv=path.suffix.lower() not in (".parquet", ".pq"))
    return data


def _check_finite_positive(path: Path, column: str, values: np.ndarray, *, is_csv: bool) -> None:
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad.size:
        row = int(bad[0])
        value = float(values[row])
        what = "NaN" if math.isnan(value) else f"{value!r}"
        line = row + 2 if is_csv else None
        raise InputFormatError(
            path,
            line,
            f"column {column!r}, data row {row + 1}: found {what}; expected a finite number > 0 "
            "(laws are fitted on log x and log y)",
        )


def validate_xy(
    x: np.ndarray,
    y: np.ndarray,
    *,
    num_inputs: int,
    num_params: int,
    law: str,
    y_max: float | None = None,
    x_name: str = "x",
    y_name: str = "y",
):
    """Check in-memory data for a law; returns ``(x (n, num_inputs), y (n,))`` as float arrays.

    Raises :class:`~kairos.errors.ValidationError` naming the array (``x_name``,
    ``y_name``: e.g. the table's column names) and the row.
    ``y_max`` is an upper bound on ``y`` (1 for the coverage law, whose ``y`` is a probability).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 1 and num_inputs == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != num_inputs:
        raise ValidationError(
            x_name, f"has shape {x.shape}; the {law} law needs shape (n, {num_inputs})"
        )
    if y.shape != (len(x),):
        raise ValidationError(y_name, f"has shape {y.shape}; expected ({len(x)},) to match x")
    for name, arr in ((x_name, x), (y_name, y)):
        bad = np.flatnonzero(
            ~np.all(np.isfinite(arr) & (arr > 0), axis=-1)
            if arr.ndim > 1
            else ~(np.isfinite(arr) & (arr > 0))
        )
        if bad.size:
            raise ValidationError(
                name,
                f"row {int(bad[0]) + 1} is {np.atleast_1d(arr[bad[0]]).tolist()}; expected finite values > 0",
            )
    if y_max is not None and np.any(y > y_max):
        row = int(np.flatnonzero(y > y_max)[0])
        raise ValidationError(
            y_name, f"row {row + 1} is {float(y[row])}; the {law} law needs values <= {y_max}"
        )
    if len(y) <= num_params:
        raise ValidationError(
            y_name,
            f"only {len(y)} points; the {law} law has {num_params} parameters and needs at "
            f"least {num_params + 1}",
        )
    return x, y
