"""``kairos solve programs --policy <transformer prior> --strategy ...``: the shipped prior works."""

from __future__ import annotations

import csv
import json

import pytest

from kairos.policy.transformer_prior.model import SHIPPED, RecognitionModel, shipped_path
from tests.kairos_cli import run_kairos as _kairos

TASKS = [
    {
        "name": name,
        "type": {"input": "list-of-int", "output": out},
        "examples": [{"i": x, "o": fn(x)} for x in ([3, 1, 2], [], [5], [2, 2, 7], [0, 9], [4, 1])],
    }
    for name, out, fn in (("sum", "int", sum), ("reverse", "list-of-int", lambda x: x[::-1]))
]


def test_the_shipped_prior_is_a_small_valid_model_file():
    for name in SHIPPED:
        path = shipped_path(name)
        assert path.stat().st_size < 4_000_000
        model = RecognitionModel.load(path)
        assert model.num_params > 10_000 and model.meta.get("train")


@pytest.mark.parametrize(
    "strategy",
    [
        "lts",
        pytest.param("sample", marks=pytest.mark.slow),
        pytest.param("adaptive", marks=pytest.mark.slow),
    ],
)
def test_solve_programs_with_the_shipped_transformer_prior(tmp_path, strategy):
    (tmp_path / "t.json").write_text(json.dumps(TASKS))
    out = _kairos(
        "solve", "programs", "--levels", "t.json", "--holdout", "1", "--policy", "list-transformer",
        "--strategy", strategy, "--budget", "2000" if strategy == "lts" else "16",
        "--time-limit", "3", "--results", "r.csv", "--out", "run", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = {r["problem"]: r for r in csv.DictReader((tmp_path / "r.csv").open())}
    assert set(rows) == {"sum", "reverse"}
    if strategy == "lts":  # two-token programs: LTS finds them well within 2000 nodes
        assert rows["sum"]["program"] == "(lambda (sum $0))" and rows["sum"]["generalized"] == "1"
        assert rows["reverse"]["generalized"] == "1"


def test_strategy_errors_are_typed(tmp_path):
    (tmp_path / "t.json").write_text(json.dumps(TASKS))
    out = _kairos("solve", "programs", "--levels", "t.json", "--strategy", "lts", cwd=tmp_path)
    assert out.returncode != 0 and "--strategy" in out.stderr and "Traceback" not in out.stderr
    out = _kairos(
        "solve", "programs", "--levels", "t.json", "--policy", "list-transformer", "--strategy", "beam",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode != 0 and "strategy" in out.stderr and "Traceback" not in out.stderr
    out = _kairos(
        "solve", "programs", "--levels", "t.json", "--policy", "list-transformer", "--budget", "0",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode != 0 and "budget" in out.stderr and "Traceback" not in out.stderr
    (tmp_path / "x.ktpr").write_bytes(b"KPOL garbage")
    out = _kairos("solve", "programs", "--levels", "t.json", "--policy", "x.ktpr", cwd=tmp_path)
    assert out.returncode != 0 and "x.ktpr" in out.stderr and "Traceback" not in out.stderr
