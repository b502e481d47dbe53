"""CLI commands and the demo section of the information pillar."""

import json

import pytest
from typer.testing import CliRunner

from kairos.cli import app
from kairos.demo.context import DemoContext
from kairos.demo.info import bundled_text, section
from kairos.runfolder import RunFolder

runner = CliRunner()


@pytest.mark.parametrize(
    "model,size", [("cm", 2000), ("xz", 2000), ("nn", 700), ("best", 700), ("mix", 700)]
)
def test_compress_decompress_cli_round_trip(tmp_path, model, size):
    src = tmp_path / "in.txt"
    src.write_bytes(bundled_text()[:size])
    packed, restored = tmp_path / "in.kz", tmp_path / "out.txt"
    res = runner.invoke(app, ["compress", str(src), "-o", str(packed), "--compressor", model])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["decompress", str(packed), "-o", str(restored)])
    assert res.exit_code == 0, res.output
    assert restored.read_bytes() == src.read_bytes()


def test_cli_rejects_garbage_with_typed_errors(tmp_path):
    from kairos.errors import ForeignFileError, InputFormatError

    junk = tmp_path / "junk.kz"
    junk.write_bytes(b"not a kairos file at all")
    res = runner.invoke(app, ["decompress", str(junk), "-o", str(tmp_path / "x")])
    assert isinstance(res.exception, ForeignFileError)
    res = runner.invoke(
        app, ["compress", str(junk), "-o", str(tmp_path / "y"), "--compressor", "zip"]
    )
    assert res.exit_code == 2 and "--compressor" in res.output  # choices from the registry
    res = runner.invoke(app, ["info", str(tmp_path / "missing"), str(junk)])
    assert isinstance(res.exception, InputFormatError)
    assert not (tmp_path / "x").exists()


def test_info_and_bench_commands(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(bundled_text()[:800])
    b.write_bytes(bundled_text()[400:1200])
    res = runner.invoke(app, ["info", str(a), str(b), "--compressor", "gzip"])
    assert res.exit_code == 0 and "NCD" in res.output
    out = tmp_path / "bench"
    res = runner.invoke(
        app, ["bench", "compress", str(a), str(b), "--compressors", "cm,gzip", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert len((out / "results.csv").read_text().splitlines()) == 1 + 4


def test_demo_section_quick(tmp_path):
    ctx = DemoContext(
        run=RunFolder.create(tmp_path / "run", command="t", config={}, seed=0), seed=0, quick=True
    )
    sec = section(ctx)
    curve = ctx.results["info.prequential_curve"]
    assert curve["model"] == "cm" and len(curve["bytes_seen"]) == len(curve["bits_per_byte"])
    assert curve["bits_per_byte"][-1] < curve["bits_per_byte"][0]  # it learns
    assert json.loads((tmp_path / "run" / "info_prequential_curve.json").read_text()) == curve
    assert sec.title.startswith("Compression")
