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
    from kairos.demo.info import KAIROS_MODELS, QUICK_LONG_BYTES, baselines

    ctx = DemoContext(
        run=RunFolder.create(tmp_path / "run", command="t", config={}, seed=0), seed=0, quick=True
    )
    sec = section(ctx)
    curve = ctx.results["info.prequential_curve"]
    assert curve["model"] == "cm" and len(curve["bytes_seen"]) == len(curve["bits_per_byte"])
    assert curve["bits_per_byte"][-1] < curve["bits_per_byte"][0]  # it learns
    assert curve["bytes_seen"][-1] == QUICK_LONG_BYTES  # on the long text's slice
    assert json.loads((tmp_path / "run" / "info_prequential_curve.json").read_text()) == curve
    assert sec.title.startswith("Compression")

    long = json.loads((tmp_path / "run" / "info_long_text.json").read_text())
    names = [r["model"] for r in long["rows"]]
    assert names == [*KAIROS_MODELS, *(c.name for c in baselines())]  # every one round-tripped
    assert all(r["original_bytes"] == QUICK_LONG_BYTES for r in long["rows"])
    prefix = long["prefix"]
    assert prefix["prefix_bytes"][-1] == QUICK_LONG_BYTES
    assert len(prefix["cm_bits_per_byte"]) == len(prefix["brotli_bits_per_byte"])
    # the size-vs-speed plot: a PNG in the run folder, and both figures in the report
    png = (tmp_path / "run" / "info_size_vs_speed.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    html = "".join(sec.blocks)
    assert html.count('<img src="data:image/png;base64,') == 2
    best = min(long["rows"], key=lambda r: r["compressed_bytes"])
    assert f"{best['bits_per_byte']:.3f}" in html  # the words come from the measured values
    short = (tmp_path / "run" / "info_compression.csv").read_text()
    assert "brotli -11" in short and "cm" in short


def _row(model, packed, original=1000, cpu_s=0.01):
    return {
        "model": model,
        "original_bytes": original,
        "compressed_bytes": packed,
        "bits_per_byte": 8 * packed / original,
        "compress_cpu_s": cpu_s,
        "decompress_cpu_s": cpu_s,
    }


def test_crossover_is_where_cm_stays_below():
    from kairos.demo.info import crossover_bytes

    lengths = [100, 200, 400, 800]
    assert crossover_bytes(lengths, [5, 4, 3, 2], [4, 4.5, 3.5, 3]) == 200
    assert crossover_bytes(lengths, [3, 3, 5, 2], [4, 4, 4, 3]) == 800  # a dip back counts
    assert crossover_bytes(lengths, [1, 1, 1, 1], [2, 2, 2, 2]) == 100
    assert crossover_bytes(lengths, [1, 1, 1, 3], [2, 2, 2, 2]) is None


def test_words_follow_the_measurements():
    from kairos.demo.info import describe_long, describe_short, kairos_wins

    prefix = {"prefix_bytes": [100, 1000], "crossover_bytes": 1000}
    won = [_row("cm", 500), _row("mix", 490), _row("bzip2 -9", 600), _row("brotli -11", 650)]
    text = describe_long(won, prefix, title="T")
    assert kairos_wins(won) and "kairos's mix is smallest" in text
    assert "18.3% below the best standard codec, bzip2 -9" in text and "from about 1,000" in text
    lost = [_row("cm", 700), _row("mix", 690), _row("bzip2 -9", 600), _row("brotli -11", 650)]
    text = describe_long(lost, {**prefix, "crossover_bytes": None}, title="T")
    assert not kairos_wins(lost) and "bzip2 -9 is smallest here" in text
    assert "does cm end below" in text

    short = [_row("cm", 400), _row("mix", 399), _row("brotli -11", 380), _row("nn", 500)]
    text = describe_short(short, long_text_won=True)
    assert "brotli -11 is smallest (380 bytes); cm wrote 400" in text
    assert "built-in dictionary" in text and "on the long text it has" in text
    assert "'nn' is a byte-level LSTM" in text
    text = describe_short([_row("cm", 370), _row("brotli -11", 380)], long_text_won=False)
    assert "Even here cm beats brotli" in text and "nn" not in text


def test_a_round_trip_mismatch_fails_the_benchmark():
    from dataclasses import replace

    from kairos.errors import SolutionError
    from kairos.info.bench import run_benchmark
    from kairos.info.compressor import make_compressor

    liar = replace(make_compressor("gzip"), name="gzip-liar", decode=lambda s, n: (b"x", True))
    with pytest.raises(SolutionError, match="gzip-liar did not round-trip"):
        run_benchmark([("t", bundled_text()[:300])], ["gzip", liar])
