"""Demo section of the information pillar: bits per byte of every compressor on a bundled text.

Also leaves the ``cm`` model's prequential learning curve in
``ctx.results["info.prequential_curve"]`` for the scaling section.
"""

from __future__ import annotations

from importlib import resources

from kairos.report import Section

TEXT_NAME = "clockmaker.txt"  # public-domain text written for kairos, ~5 KB
CURVE_POINTS = 24  # points on the learning curve


def bundled_text() -> bytes:
    """The demo text shipped inside the package."""
    return resources.files("kairos.info").joinpath("data", TEXT_NAME).read_bytes()


def prequential_curve(byte_cost_bits, num_points: int = CURVE_POINTS) -> dict:
    """Cumulative bits per byte after each of ``num_points`` evenly spaced prefixes.

    Parameters
    ----------
    byte_cost_bits : float array of shape (n,)
        Cost of each byte under the online model.
    """
    import numpy as np

    cumulative = np.cumsum(byte_cost_bits)
    n = len(cumulative)
    seen = np.unique(np.linspace(n / num_points, n, num_points).astype(int))
    return {
        "bytes_seen": [int(s) for s in seen],
        "bits_per_byte": [float(cumulative[s - 1] / s) for s in seen],
        "model": "cm",
    }


def section(ctx) -> Section:
    """Compress the bundled text with every registered compressor, round-tripping each."""
    from kairos.info.bench import run_benchmark
    from kairos.info.cm import CMCompressor
    from kairos.info.compressor import COMPRESSORS
    from kairos.plotting import new_figure

    text = bundled_text()
    if ctx.quick:
        text = text[:1000]  # the neural models code 1 byte per step on short inputs
    models = list(COMPRESSORS)
    with ctx.progress("info: compressing the bundled text", total=len(models)) as advance:
        rows = run_benchmark([(TEXT_NAME, text)], models, on_step=lambda m, f: advance(1, m))
    ctx.run.write_csv("info_compression.csv", rows)

    curve = prequential_curve(CMCompressor().byte_costs_bits(text))
    ctx.results["info.prequential_curve"] = curve
    ctx.run.write_json("info_prequential_curve.json", curve)

    sec = Section("Compression: a predictor is a compressor")
    sec.text(
        f"Every registered compressor coded the bundled text ({len(text):,} bytes, written for "
        "kairos) and decoded it back to identical bytes. Bits per byte is 8 x compressed / "
        "original; lower means the model anticipated more of the text. 'cm' is kairos's "
        "context-mixing model and 'nn' a byte-level LSTM; both learn online while they code, "
        "with no pretrained weights. 'mix' is cm with a small neural net mixed in bit by bit, "
        "'best' keeps whichever of cm and nn is shorter. On a text "
        "this short the LSTM has barely started learning; on the Calgary corpus see "
        "bench/RESULTS.md."
    )
    sec.table(
        [
            {
                "compressor": r["model"],
                "bytes": r["compressed_bytes"],
                "bits_per_byte": round(r["bits_per_byte"], 3),
                "compress_KB_per_s": round(r["compress_kb_per_s"], 1),
            }
            for r in sorted(rows, key=lambda r: r["bits_per_byte"])
        ]
    )
    fig, ax = new_figure(10.0, 3.6)
    ax.remove()
    ax_bar, ax_curve = fig.subplots(1, 2)
    ordered = sorted(rows, key=lambda r: r["bits_per_byte"])
    ax_bar.barh([r["model"] for r in ordered], [r["bits_per_byte"] for r in ordered])
    ax_bar.invert_yaxis()
    ax_bar.set_xlabel("bits per byte")
    ax_curve.plot(curve["bytes_seen"], curve["bits_per_byte"], marker="o", ms=3)
    ax_curve.set_xscale("log")
    ax_curve.set_xlabel("bytes seen")
    ax_curve.set_ylabel("cumulative bits per byte (cm)")
    sec.figure(
        fig,
        caption="Left: bits per byte of each compressor. Right: the cm model's prequential "
        "learning curve, cumulative bits per byte after each prefix; it falls as the model learns.",
    )
    return sec
