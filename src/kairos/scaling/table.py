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
from kairos.inputs import check_input_file, read_input_text


def _read_csv(path: Path, columns: list[str]) -> dict[str, np.ndarray]:
    try:
        text = read_input_text(path)
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
    line_numbers: list[int] = []
    for row in reader:
        line_no = reader.line_num  # counts blank lines too, unlike the row index
        if not row or all(not cell.strip() for cell in row):
            continue
        line_numbers.append(line_no)
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
    return {c: np.array(v, dtype=float) for c, v in values.items()}, line_numbers


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
    check_input_file(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        data, line_numbers = _read_parquet(path, columns), None
    else:
        try:
            data, line_numbers = _read_csv(path, columns)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            raise InputFormatError(path, None, f"not a readable CSV table ({exc})") from None
    for c, v in data.items():
        _check_finite_positive(path, c, v, line_numbers)
    return data


def _check_finite_positive(
    path: Path, column: str, values: np.ndarray, line_numbers: list[int] | None
) -> None:
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad.size:
        row = int(bad[0])
        value = float(values[row])
        what = "NaN" if math.isnan(value) else f"{value!r}"
        line = None if line_numbers is None else line_numbers[row]
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
    check_identifiable(x, y, num_params=num_params, law=law, x_name=x_name, y_name=y_name)
    return x, y


def check_identifiable(
    x: np.ndarray, y: np.ndarray, *, num_params: int, law: str, x_name: str, y_name: str
) -> None:
    """Refuse data that cannot determine the law's parameters, whatever the optimiser says.

    Parameters
    ----------
    x : ndarray of shape (n, num_inputs)
    y : ndarray of shape (n,)

    Raises
    ------
    UnidentifiableError
        An input column holds one value only, there are fewer distinct x than
        parameters, or every y is equal (zero variance: no trend to fit).
    """
    from kairos.errors import UnidentifiableError

    names = x_name.split(",") if len(x_name.split(",")) == x.shape[1] else [x_name] * x.shape[1]
    for j in range(x.shape[1]):
        if np.unique(x[:, j]).size < 2:
            raise UnidentifiableError(
                names[j],
                f"all {len(x)} values equal {float(x[0, j]):g}; the {law} law is unidentifiable "
                "without at least 2 distinct x (give data across a range of x)",
            )
    distinct = np.unique(x, axis=0).shape[0]
    if distinct < num_params:
        raise UnidentifiableError(
            x_name,
            f"only {distinct} distinct x; the {law} law has {num_params} parameters, so it is "
            f"unidentifiable with fewer than {num_params} distinct x",
        )
    if np.ptp(y) == 0.0:
        raise UnidentifiableError(
            y_name,
            f"all {len(y)} values equal {float(y[0]):g} (zero variance); the {law} law's "
            "exponent is unidentifiable (there is no trend to fit)",
        )
