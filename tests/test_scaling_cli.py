import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from kairos.errors import InputFormatError, ValidationError
from kairos.runfolder import write_csv
from kairos.scaling.synthetic import chinchilla_data, curve_data

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chinchilla_csv(tmp_path_factory):
    x, y = chinchilla_data(120, seed=0)
    path = tmp_path_factory.mktemp("data") / "chinchilla.csv"
    write_csv(path, [{"N": n, "D": d, "loss": v} for (n, d), v in zip(x, y, strict=True)])
    return path


def test_fit_chinchilla_json(chinchilla_csv, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "fit", str(chinchilla_csv), "--law", "chinchilla", "--x", "N,D", "--y", "loss",
            "--resamples", "20", "--jobs", "1", "--json", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record["params"]) == {"E", "A", "B", "alpha", "beta"}
    assert set(record["ci"]) == set(record["params"])
    assert isinstance(record["loss"], float) and record["converged"] is True
    assert record["derived"]["tokens_per_param"] > 0
    assert json.loads((out / "fit.json").read_text()) == record
    assert (out / "fit.png").stat().st_size > 1000
    assert json.loads((out / "run.json").read_text())["command"] == "fit"


# (law, params, verdict): the saturating curve is within 0.1% of its floor E over the held-out
# points; the power curve is still 60% above its floor at the largest x.
CURVES = [
    ("saturating", {"E": 1.2, "A": 2.0, "s": 1.0, "m": math.log(1e3)}, "plateau"),
    ("power", {"E": 0.5, "A": 20.0, "alpha": 0.2}, "still improving"),
]


@pytest.mark.parametrize(("law", "params", "verdict"), CURVES, ids=[c[0] for c in CURVES])
def test_fit_compare_writes_plateau(tmp_path, law, params, verdict):
    import numpy as np

    x = np.geomspace(1e3, 1e7, 25)
    y = curve_data(law, params, x, seed=1)
    data = tmp_path / "curve.csv"
    write_csv(data, [{"bytes": a, "bpb": b} for a, b in zip(x, y, strict=True)])
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "fit", str(data), "--x", "bytes", "--y", "bpb", "--compare", "power,saturating,bnsl",
            "--holdout", "0.2", "--resamples", "20", "--jobs", "1", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Verdict:" in result.output
    record = json.loads((out / "plateau.json").read_text())
    assert record["verdict"] == verdict
    assert (out / "plateau.png").exists()


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        (["--law", "cubic"], ValidationError, "unknown law"),
        (["--law", "chinchilla", "--x", "N", "--y", "loss"], ValidationError, "needs 2"),
        (["--law", "power", "--x", "N", "--y", "nope"], InputFormatError, "'nope' not found"),
        (
            ["--law", "power", "--x", "N", "--y", "loss", "--resamples", "-1"],
            ValidationError,
            "--resamples",
        ),
        (["--law", "power", "--x", "N", "--y", "loss", "--loss", "l1"], ValidationError, "loss"),
        (["--law", "power", "--x", "N", "--y", "loss", "--level", "2"], ValidationError, "--level"),
        (["--x", "N,D", "--y", "loss", "--compare", "power"], ValidationError, "exactly one input"),
        (
            ["--x", "N", "--y", "loss", "--compare", "power,cubic"],
            ValidationError,
            "cannot be compared",
        ),
        (["--x", ",", "--y", "loss"], ValidationError, "comma-separated"),
    ],
)
def test_fit_rejects_bad_arguments(chinchilla_csv, tmp_path, args, error, pattern):
    result = CliRunner().invoke(app, ["fit", str(chinchilla_csv), *args, "--out", str(tmp_path)])
    assert isinstance(result.exception, error), result.output
    assert pattern in str(result.exception)


def test_main_turns_errors_into_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n0,3\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", "from kairos.cli import main; main()", "fit", str(bad), "--out", str(tmp_path / "r")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "column 'x', data row 2: found 0.0" in proc.stderr


def test_fit_power_reports_prediction_cis(tmp_path):
    import numpy as np

    x = np.geomspace(10, 1e5, 20)
    y = curve_data("power", {"E": 1.0, "A": 20.0, "alpha": 0.4}, x, seed=0)
    data = tmp_path / "curve.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"steps": x, "loss": y}), data)
    result = CliRunner().invoke(
        app,
        ["fit", str(data), "--x", "steps", "--y", "loss", "--resamples", "30", "--json", "--out", str(tmp_path / "r")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    predictions = json.loads(result.output)["predictions"]
    assert [p["x"] for p in predictions] == pytest.approx([1e5, 1e6])
    for p in predictions:
        assert p["ci"][0] <= p["y"] <= p["ci"][1]


def test_fit_too_few_rows_names_the_column(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text("steps,loss\n1,3\n2,2.5\n4,2.2\n")
    result = CliRunner().invoke(
        app, ["fit", str(data), "--x", "steps", "--y", "loss", "--out", str(tmp_path / "r")]
    )
    assert isinstance(result.exception, ValidationError)
    assert str(result.exception).startswith("loss: only 3 points; the power law has 3 parameters")


def test_bad_compare_arguments_fail_before_writing_a_run_folder(chinchilla_csv, tmp_path):
    out = tmp_path / "never"
    args = [
        "fit",
        str(chinchilla_csv),
        "--x",
        "N",
        "--y",
        "loss",
        "--compare",
        "power",
        "--holdout",
        "1.5",
    ]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert isinstance(result.exception, ValidationError)
    assert result.exception.field == "holdout"
    assert not out.exists()
