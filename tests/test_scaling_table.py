import numpy as np
import pytest

from kairos.errors import InputFormatError, ValidationError
from kairos.scaling.table import read_table, validate_xy


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_named_columns_in_any_order(tmp_path):
    path = _write(tmp_path, "loss,N,D\n2.5,1e8,1e10\n2.4,2e8,2e10\n\n")
    table = read_table(path, ["N", "D", "loss"])
    np.testing.assert_allclose(table["N"], [1e8, 2e8])
    np.testing.assert_allclose(table["loss"], [2.5, 2.4])


def test_parquet_round_trip(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0, 4.0], "y": [3.0, 2.0, 1.5]}), path)
    table = read_table(path, ["x", "y"])
    np.testing.assert_allclose(table["y"], [3.0, 2.0, 1.5])


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("x,y\n1,2\n", r"column\(s\) 'N' not found; the table has 'x', 'y'"),
        ("", "empty file"),
        ("N,y\n1,2\nabc,3\n", r":3: column 'N' holds 'abc'; expected a number"),
        ("N,y\n1,2\n1,2,3\n", r":3: found 3 fields; the header has 2"),
        (
            "N,y\n1,2\nnan,3\n",
            r":3: column 'N', data row 2: found NaN; expected a finite number > 0",
        ),
        ("N,y\n0,2\n", r":2: column 'N', data row 1: found 0.0"),
        ("N,y\n-1,2\n", r"found -1.0"),
        ("N,y\n1,inf\n", r"column 'y', data row 1: found inf"),
    ],
)
def test_csv_garbage_gives_typed_errors_naming_column_and_row(tmp_path, text, pattern):
    path = _write(tmp_path, text)
    with pytest.raises(InputFormatError, match=pattern):
        read_table(path, ["N", "y"])


def test_binary_garbage_and_missing_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(InputFormatError, match="not UTF-8"):
        read_table(path, ["x"])
    with pytest.raises(InputFormatError, match="no such file"):
        read_table(tmp_path / "absent.csv", ["x"])
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputFormatError, match="not a readable Parquet file"):
        read_table(bad_parquet, ["x"])


def test_parquet_missing_and_non_numeric_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"x": ["a", "b"], "y": [1.0, 2.0]}), path)
    with pytest.raises(InputFormatError, match="'z' not found"):
        read_table(path, ["z"])
    with pytest.raises(InputFormatError, match="column 'x' has type string"):
        read_table(path, ["x"])


def test_validate_xy_errors():
    x = np.arange(1.0, 6.0)
    with pytest.raises(ValidationError, match="only 5 points; the power law has 5 parameters"):
        validate_xy(x, x, num_inputs=1, num_params=5, law="power")
    with pytest.raises(ValidationError, match="needs shape"):
        validate_xy(x, x, num_inputs=2, num_params=5, law="chinchilla")
    with pytest.raises(ValidationError, match=r"y: has shape \(4,\)"):
        validate_xy(x, x[:4], num_inputs=1, num_params=2, law="power")
    bad = x.copy()
    bad[2] = np.nan
    with pytest.raises(ValidationError, match="x: row 3"):
        validate_xy(bad, x, num_inputs=1, num_params=2, law="power")
    with pytest.raises(ValidationError, match="y: row 1"):
        validate_xy(x, -x, num_inputs=1, num_params=2, law="power")
    out_x, out_y = validate_xy(x, x, num_inputs=1, num_params=2, law="power")
    assert out_x.shape == (5, 1) and out_y.shape == (5,)


def test_validate_xy_upper_bound_for_coverage():
    x = np.arange(1.0, 6.0)
    with pytest.raises(
        ValidationError, match=r"row 2 is 1.5; the coverage law needs values <= 1.0"
    ):
        validate_xy(
            x,
            np.array([0.5, 1.5, 0.7, 0.8, 0.9]),
            num_inputs=1,
            num_params=2,
            law="coverage",
            y_max=1.0,
        )
