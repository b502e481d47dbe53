import json

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from kairos.cost.frontier import example_table_path
from kairos.errors import InputFormatError, ValidationError

runner = CliRunner()
FIELDS = {
    "params",
    "kv_bytes_per_token",
    "kv_bytes",
    "flops",
    "bytes",
    "eflops",
    "attention_share",
    "seconds",
}


def test_json_fields_and_kinetics_figure():
    args = [
        "cost",
        "--model",
        "qwen3-0.6b",
        "--hardware",
        "kinetics",
        "--prompt",
        "128",
        "--gen",
        "32768",
        "--kinetics",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == FIELDS
    assert out["kv_bytes_per_token"] * 32768 == 3.5 * 2**30
    assert out["attention_share"] >= 0.99


def test_direct_form_prints_breakdown():
    args = [
        "cost",
        "--model",
        "qwen3-8b",
        "--hardware",
        "h100",
        "--prompt",
        "1024",
        "--gen",
        "32768",
        "--samples",
        "8",
        "--batch",
        "4",
        "--sparse",
        "topk:256",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "top-k search" in result.output and "attention share" in result.output


def test_direct_form_run_folder(tmp_path):
    args = [
        "cost",
        "--model",
        "qwen3-4b",
        "--gen",
        "1000,3000",
        "--json",
        "--out",
        str(tmp_path / "run"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert saved == json.loads(result.output)
    assert "decode KV samples" in (tmp_path / "run" / "terms.csv").read_text()


def test_no_model_shows_help_and_fails():
    # issue 11: a cost command that prices nothing must not exit 0
    result = runner.invoke(app, ["cost"])
    assert "frontier" in result.output and "calibrate" in result.output
    assert isinstance(result.exception, ValidationError) and result.exception.field == "--model"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--model", "nope"], "model"),
        (["--model", "qwen3-8b", "--hardware", "tpu9"], "hardware"),
        (["--model", "qwen3-8b", "--gen", "12,abc"], "gen"),
        (["--model", "qwen3-8b", "--samples", "0"], "samples"),
        (["--model", "qwen3-8b", "--prompt", "-5"], "prompt"),
        (["--model", "qwen3-8b", "--sparse", "topk:zero"], "sparse"),
    ],
)
def test_bad_arguments_raise_typed_errors(args, field):
    result = runner.invoke(app, ["cost", *args])
    assert isinstance(result.exception, ValidationError), result.output
    assert result.exception.field == field


def test_hardware_profile_file(tmp_path):
    good = tmp_path / "hw.json"
    good.write_text(
        json.dumps({"name": "mine", "peak_flops_per_s": 1e12, "bandwidth_bytes_per_s": 1e11})
    )
    result = runner.invoke(
        app, ["cost", "--model", "qwen3-0.6b", "--hardware", str(good), "--gen", "100", "--json"]
    )
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"peak_flops_per_s": -1, "bandwidth_bytes_per_s": 1e11}))
    result = runner.invoke(app, ["cost", "--model", "qwen3-0.6b", "--hardware", str(bad)])
    assert isinstance(result.exception, ValidationError) and result.exception.field.endswith(
        "peak_flops_per_s"
    )


def test_frontier_command_writes_run_folder(tmp_path):
    result = runner.invoke(
        app, ["cost", "frontier", str(example_table_path()), "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "frontier.csv").read_text().count("\n") == 20
    assert "data:image/png" in (tmp_path / "run" / "report.html").read_text()


def test_frontier_command_rejects_garbage(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("model,strategy,gen_tokens,samples,accuracy\nqwen3-8b,dense,100,1,1.7\n")
    result = runner.invoke(app, ["cost", "frontier", str(bad), "--out", str(tmp_path / "run")])
    assert isinstance(result.exception, InputFormatError)
    assert "t.csv:2" in str(result.exception) and "accuracy" in str(result.exception)
    result = runner.invoke(app, ["cost", "frontier", str(example_table_path()), "--mode", "magic"])
    assert isinstance(result.exception, ValidationError)


def test_calibrate_quick(tmp_path):
    profile = tmp_path / "cpu.json"
    result = runner.invoke(
        app,
        [
            "cost",
            "calibrate",
            "--quick",
            "--out",
            str(tmp_path / "run"),
            "--save-profile",
            str(profile),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads(profile.read_text())
    assert saved["peak_flops_per_s"] > 0 and saved["bytes_per_element"] == 4
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["num_held_out"] > 0 and summary["median_abs_log_ratio_held_out"] >= 0
