"""Demo section of the information pillar: kairos's compressors against the standard codecs.

Two texts, both shipped in the package (:mod:`kairos.info.texts`):

- a long one (189 KB of Hardy), where ``cm`` and ``mix`` (``cm`` with a neural
  input, the max level) are measured against gzip, bzip2, xz, zstd and brotli
  at their usual and maximum levels: a table, a size-vs-speed plot, and the
  bits per byte of ``cm`` and brotli on growing prefixes;
- the short 4,970-byte sample, where every registered compressor runs and
  brotli's built-in dictionary wins.

Every result is round-tripped (a mismatch fails the section). Also leaves the
``cm`` model's prequential learning curve on the long text in
``ctx.results["info.prequential_curve"]`` for the scaling section.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from kairos.info.texts import LONG_TITLE, SAMPLE_NAME, sample_text
from kairos.report import Section

TEXT_NAME = SAMPLE_NAME  # the short sample, written for kairos
CURVE_POINTS = 24  # points on the learning curve handed to the scaling section
PREFIX_POINTS = 16  # prefix lengths, geometric, on which cm meets brotli
MIN_PREFIX_BYTES = 256
KAIROS_MODELS = ("cm", "mix")  # on the long text; nn codes ~3 KB/s, minutes for 189 KB
QUICK_LONG_BYTES = 8_000  # quick mode: a slice of the long text
QUICK_SAMPLE_BYTES = 1_000  # quick mode: a slice of the short sample
SLOW_MODELS = ("nn", "best")  # torch start-up and an LSTM: left out of quick mode
REFERENCE = "brotli -11"  # the ratio column's reference
REGISTRY_LEVELS = {  # the level each registry codec runs at
    "gzip": "gzip -9",
    "bz2": "bzip2 -9",
    "xz": "xz -9e",
    "zstd": "zstd -19",
    "brotli": REFERENCE,
}
KAIROS_LABELS = {"cm": "cm (default level)", "mix": "mix (max level: cm + neural input)"}


def bundled_text() -> bytes:
    """The short demo text shipped inside the package (4,970 bytes)."""
    return sample_text()


def baselines() -> list[Any]:
    """The standard codecs, each at its maximum level and at a faster everyday level.

    Built from the registry's codecs (their decoders do not depend on the
    level), each named by the command line it matches.
    """
    import gzip

    import brotli
    import zstandard

    from kairos.info.compressor import make_compressor

    def at(name: str, label: str, encode=None):
        codec = make_compressor(name)
        return replace(codec, name=label, encode=encode or codec.encode)

    return [
        at("gzip", "gzip -1", functools.partial(gzip.compress, compresslevel=1, mtime=0)),
        at("gzip", "gzip -9"),
        at("bz2", "bzip2 -9"),
        at("xz", "xz -9e"),
        at("zstd", "zstd -3", zstandard.ZstdCompressor(level=3).compress),
        at("zstd", "zstd -19"),
        at("brotli", "brotli -5", functools.partial(brotli.compress, quality=5)),
        at("brotli", REFERENCE),
    ]


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


def prefix_lengths(num_bytes: int, num_points: int = PREFIX_POINTS) -> list[int]:
    """Geometrically spaced prefix lengths from :data:`MIN_PREFIX_BYTES` to ``num_bytes``."""
    import numpy as np

    low = min(MIN_PREFIX_BYTES, num_bytes)
    return [int(p) for p in np.unique(np.geomspace(low, num_bytes, num_points).astype(int))]


def crossover_bytes(prefix_bytes: list[int], cm_bpb: list[float], other_bpb: list[float]):
    """The shortest listed prefix from which on ``cm`` stays below the other compressor.

    Returns None when ``cm`` is not below it on the longest prefix.
    """
    start = None
    for length, mine, theirs in zip(prefix_bytes, cm_bpb, other_bpb, strict=True):
        if mine >= theirs:
            start = None
        elif start is None:
            start = length
    return start


def compress_kb_per_cpu_s(row: dict) -> float:
    """Compression speed of a benchmark row, in KB per CPU second of this process."""
    return row["original_bytes"] / 1000 / max(row["compress_cpu_s"], 1e-9)


def decompress_kb_per_cpu_s(row: dict) -> float:
    """Decompression speed of a benchmark row, in KB per CPU second of this process."""
    return row["original_bytes"] / 1000 / max(row["decompress_cpu_s"], 1e-9)


def table_rows(rows: list[dict]) -> list[dict]:
    """The long text's table: one row per compressor and level, smallest first."""
    reference = next(r["compressed_bytes"] for r in rows if r["model"] == REFERENCE)
    return [
        {
            "compressor": KAIROS_LABELS.get(r["model"], r["model"]),
            "bytes": r["compressed_bytes"],
            "bits_per_byte": round(r["bits_per_byte"], 3),
            f"size vs {REFERENCE}": round(r["compressed_bytes"] / reference, 3),
            "compress_KB_per_cpu_s": round(compress_kb_per_cpu_s(r), 1),
            "decompress_KB_per_cpu_s": round(decompress_kb_per_cpu_s(r), 1),
        }
        for r in sorted(rows, key=lambda r: r["compressed_bytes"])
    ]


def kairos_wins(rows: list[dict]) -> bool:
    """Whether kairos's smallest output is smaller than every standard codec's."""
    ours = min(r["compressed_bytes"] for r in rows if r["model"] in KAIROS_MODELS)
    return ours < min(r["compressed_bytes"] for r in rows if r["model"] not in KAIROS_MODELS)


def describe_long(rows: list[dict], prefix: dict, *, title: str) -> str:
    """What the long text's measurements show, in words built from them."""
    by_name = {r["model"]: r for r in rows}
    ours = [by_name[m] for m in KAIROS_MODELS if m in by_name]
    theirs = [r for r in rows if r["model"] not in KAIROS_MODELS]
    best_ours = min(ours, key=lambda r: r["compressed_bytes"])
    best_theirs = min(theirs, key=lambda r: r["compressed_bytes"])
    ref = by_name[REFERENCE]
    num_bytes = ref["original_bytes"]
    gap = 1 - best_ours["compressed_bytes"] / best_theirs["compressed_bytes"]
    if kairos_wins(rows):
        verdict = (
            f"kairos's {best_ours['model']} is smallest, at {best_ours['bits_per_byte']:.3f} "
            f"bits per byte: {gap:.1%} below the best standard codec, {best_theirs['model']} "
            f"({best_theirs['bits_per_byte']:.3f}), and "
            f"{1 - best_ours['compressed_bytes'] / ref['compressed_bytes']:.1%} below {REFERENCE}."
        )
    else:
        verdict = (
            f"{best_theirs['model']} is smallest here, at {best_theirs['bits_per_byte']:.3f} bits "
            f"per byte, {-gap:.1%} below kairos's best, {best_ours['model']} "
            f"({best_ours['bits_per_byte']:.3f}): this text is too short for kairos's models."
        )
    cm = by_name["cm"]
    speed_ratio = compress_kb_per_cpu_s(ref) / max(compress_kb_per_cpu_s(cm), 1e-9)
    cost = (
        f" The price is time: cm compressed {compress_kb_per_cpu_s(cm):.0f} KB and decompressed "
        f"{decompress_kb_per_cpu_s(cm):.0f} KB per CPU second (a context-mixing model does the "
        f"same work both ways); {REFERENCE} compressed {speed_ratio:.1f} times faster and "
        f"decompressed {decompress_kb_per_cpu_s(ref):,.0f} KB per CPU second."
    )
    mix_text = ""
    if "mix" in by_name:
        mix = by_name["mix"]
        saved = cm["compressed_bytes"] - mix["compressed_bytes"]
        direction = "fewer" if saved >= 0 else "more"
        mix_text = (
            f" mix, the max level, adds three neural nets' predictions (a small recurrent net "
            f"and two byte-level LSTMs, all trained as they code), a word-chosen mixer weight set, "
            f"three more match models and a learned mixture of the final predictions to cm: "
            f"it wrote "
            f"{abs(saved):,} bytes {direction} than cm ({abs(saved) / cm['compressed_bytes']:.2%}) "
            f"at {compress_kb_per_cpu_s(mix):.0f} KB per CPU second."
        )
    cross = prefix["crossover_bytes"]
    if cross is None:
        meet = (
            f" On no prefix of this text up to {num_bytes:,} bytes does cm end below {REFERENCE}."
        )
    elif cross == prefix["prefix_bytes"][0]:
        meet = (
            f" cm is below {REFERENCE} on every prefix measured, from {cross:,} bytes to "
            f"{num_bytes:,}."
        )
    else:
        meet = (
            f" On prefixes of this text, {REFERENCE}'s dictionary is ahead at first, and cm's "
            f"code length stays below it from about {cross:,} bytes on (second figure): that is "
            "how much text cm needs to learn what brotli ships prebuilt."
        )
    return (
        f"The long text is {title}: {num_bytes:,} bytes of public-domain prose, the first part of "
        "book1 of the Calgary corpus. kairos's cm was tuned on Calgary, so this is development "
        "data, not a held-out result. Every compressor below coded it and decoded it back to "
        "identical bytes in this run. Speeds are per CPU second of this process, so other work "
        f"on the machine does not count against them. {verdict}" + cost + mix_text + meet
    )


def describe_short(rows: list[dict], *, long_text_won: bool) -> str:
    """What the short sample's measurements show, in words built from them.

    ``rows`` name the codecs as :func:`level_labels` does; ``long_text_won`` is
    whether kairos beat every codec on the long text.
    """
    by_name = {r["model"]: r for r in rows}
    winner = min(rows, key=lambda r: r["compressed_bytes"])
    cm, brotli = by_name["cm"], by_name[REFERENCE]
    head = (
        f"On the short sample ({cm['original_bytes']:,} bytes, written for kairos), "
        f"{winner['model']} is smallest ({winner['compressed_bytes']:,} bytes); "
        + (
            f"cm wrote {cm['compressed_bytes']:,}."
            if winner is brotli
            else f"{REFERENCE} wrote {brotli['compressed_bytes']:,} and cm "
            f"{cm['compressed_bytes']:,}."
        )
    )
    if brotli["compressed_bytes"] < cm["compressed_bytes"]:
        why = (
            " brotli beats cm here because it starts with a built-in dictionary of about 120 KB "
            "of common words and phrases (RFC 7932), so even the first use of a word is a short "
            "reference, while kairos's models start from empty statistics and pay for everything "
            "they have not seen yet. On a few kilobytes their learning has not caught up"
            + ("; on the long text it has." if long_text_won else ".")
        )
    else:
        why = (
            " Even here cm beats brotli, whose built-in dictionary of common words and phrases "
            "(RFC 7932) usually wins on texts this short."
        )
    slow = ""
    if "nn" in by_name:
        slow = (
            " 'nn' is a byte-level LSTM and 'best' keeps the shorter of cm and nn per file; they "
            "run only on this short text, since nn codes a few KB per second."
        )
    return head + why + slow


def level_labels(rows: list[dict]) -> list[dict]:
    """The rows with each registry codec named by its level, e.g. ``xz`` as ``xz -9e``."""
    return [{**r, "model": REGISTRY_LEVELS.get(r["model"], r["model"])} for r in rows]


def _label_offsets(
    ax, points: list[tuple[float, float, str]], marker_radius_pt: list[float]
) -> list[tuple[int, int]]:
    """An offset (in points) for each label, chosen greedily so that labels and markers
    do not overlap."""
    ax.autoscale_view()
    px_per_pt = ax.figure.dpi / 72
    char_px, height_px = 6.5 * px_per_pt, 10 * px_per_pt
    candidates = [(5, 3), (5, -12), (-6, 3), (-6, -12), (5, 13), (5, -22), (-6, 13), (-6, -22)]
    centres = [ax.transData.transform((x, y)) for x, y, _ in points]
    placed = [
        (px - r * px_per_pt, py - r * px_per_pt, px + r * px_per_pt, py + r * px_per_pt)
        for (px, py), r in zip(centres, marker_radius_pt, strict=True)
    ]
    offsets = []
    for (px, py), (_, _, label) in zip(centres, points, strict=True):
        width = char_px * len(label)
        for dx, dy in candidates:
            left = px + dx * px_per_pt - (width if dx < 0 else 0)
            bottom = py + dy * px_per_pt
            box = (left, bottom, left + width, bottom + height_px)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                break
        placed.append(box)
        offsets.append((dx, dy))
    return offsets


def _size_vs_speed_figure(rows: list[dict]):
    from kairos.plotting import new_figure

    fig, ax = new_figure(7.5, 4.6)
    ours = [r for r in rows if r["model"] in KAIROS_MODELS]
    theirs = [r for r in rows if r["model"] not in KAIROS_MODELS]
    ax.scatter(
        [compress_kb_per_cpu_s(r) for r in theirs],
        [r["bits_per_byte"] for r in theirs],
        color="0.45",
        label="standard codecs",
    )
    ax.scatter(
        [compress_kb_per_cpu_s(r) for r in ours],
        [r["bits_per_byte"] for r in ours],
        color="C3",
        marker="*",
        s=160,
        zorder=3,
        label="kairos",
    )
    ax.set_xscale("log")
    ax.margins(x=0.2, y=0.12)
    everyone = ours + theirs  # kairos's labels are placed first
    points = [(compress_kb_per_cpu_s(r), r["bits_per_byte"], r["model"]) for r in everyone]
    radii = [7.0 if r["model"] in KAIROS_MODELS else 4.0 for r in everyone]  # star, dot
    for r, (x, y, label), (dx, dy) in zip(
        everyone, points, _label_offsets(ax, points, radii), strict=True
    ):
        mine = r["model"] in KAIROS_MODELS
        ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if dx > 0 else "right",
            color="C3" if mine else "black",
            fontweight="bold" if mine else "normal",
        )
    ax.set_xlabel("compression speed (KB per CPU second, log scale)")
    ax.set_ylabel("bits per byte (lower is smaller)")
    ax.legend(loc="lower right")
    return fig


def _prefix_figure(prefix: dict):
    from kairos.plotting import new_figure

    fig, ax = new_figure(7.5, 3.6)
    ax.plot(
        prefix["prefix_bytes"], prefix["cm_bits_per_byte"], marker="o", ms=3, color="C3", label="cm"
    )
    ax.plot(
        prefix["prefix_bytes"],
        prefix["brotli_bits_per_byte"],
        marker="s",
        ms=3,
        color="0.45",
        label=REFERENCE,
    )
    if prefix["crossover_bytes"] is not None:
        ax.axvline(prefix["crossover_bytes"], color="0.7", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("prefix of the long text (bytes, log scale)")
    ax.set_ylabel("bits per byte")
    ax.legend()
    return fig


def _save_png(fig, path) -> None:
    """Write ``fig`` as PNG (atomically) and keep it open for the report."""
    import io

    from kairos.container import atomic_write_bytes

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    atomic_write_bytes(path, buf.getvalue())


def section(ctx) -> Section:
    """Compress the long and the short bundled texts, round-tripping every result."""
    import numpy as np

    from kairos.info.bench import run_benchmark
    from kairos.info.compressor import COMPRESSORS, make_compressor
    from kairos.info.texts import LONG_NAME, long_text

    text = long_text()
    sample = bundled_text()
    if ctx.quick:
        text, sample = text[:QUICK_LONG_BYTES], sample[:QUICK_SAMPLE_BYTES]
    codecs = baselines()
    lengths = prefix_lengths(len(text))
    short_models = [m for m in COMPRESSORS if not (ctx.quick and m in SLOW_MODELS)]
    steps = 1 + len(KAIROS_MODELS) + len(codecs) + 2 + len(short_models)
    with ctx.progress("info: compressing the bundled texts", total=steps) as advance:
        advance(1, "info: compiling cm (not timed)")
        make_compressor("cm").compress(sample[:64])  # compiles (or loads) the numba kernel

        def step(model, _file):
            advance(1, f"info: {model} on the long text")

        rows = run_benchmark([(LONG_NAME, text)], [*KAIROS_MODELS, *codecs], on_step=step)
        advance(1, "info: cm's learning curve")
        cm_costs_bits = make_compressor("cm").byte_costs_bits(text)
        advance(1, f"info: {REFERENCE} on prefixes")
        reference = next(c for c in codecs if c.name == REFERENCE)
        brotli_rows = run_benchmark([(str(n), text[:n]) for n in lengths], [reference])
        short_rows = level_labels(
            run_benchmark(
                [(TEXT_NAME, sample)], short_models, on_step=lambda m, f: advance(1, f"info: {m}")
            )
        )

    cumulative_bits = np.cumsum(cm_costs_bits)
    cm_bpb = [float(cumulative_bits[n - 1] / n) for n in lengths]
    brotli_bpb = [r["bits_per_byte"] for r in brotli_rows]
    prefix = {
        "prefix_bytes": lengths,
        "cm_bits_per_byte": cm_bpb,
        "brotli_bits_per_byte": brotli_bpb,
        "crossover_bytes": crossover_bytes(lengths, cm_bpb, brotli_bpb),
    }
    curve = prequential_curve(cm_costs_bits)
    ctx.results["info.prequential_curve"] = curve
    ctx.run.write_json("info_prequential_curve.json", curve)
    ctx.run.write_csv("info_compression_long.csv", rows)
    ctx.run.write_csv("info_compression.csv", short_rows)
    ctx.run.write_json(
        "info_long_text.json",
        {"text": LONG_TITLE, "num_bytes": len(text), "rows": rows, "prefix": prefix},
    )

    sec = Section("Compression: a predictor is a compressor")
    sec.text(
        "Bits per byte is 8 x compressed / original; lower means the model anticipated more of "
        "the text. kairos's cm is a context-mixing model that learns online while it codes, with "
        "no pretrained weights or dictionary; mix is cm with neural nets (a small recurrent net "
        "and two LSTMs) mixed in bit by bit (the max level)."
    )
    sec.text(describe_long(rows, prefix, title=LONG_TITLE))
    sec.table(table_rows(rows), caption=f"The long text, {len(text):,} bytes")
    speed_fig = _size_vs_speed_figure(rows)
    _save_png(speed_fig, ctx.run.file("info_size_vs_speed.png"))
    sec.figure(
        speed_fig,
        caption="Size against speed on the long text: one point per compressor and level; kairos's "
        "models are the red stars. Down is smaller, right is faster.",
    )
    sec.figure(
        _prefix_figure(prefix),
        caption=f"Bits per byte of cm (ideal code length; its stream is within a few bytes) and of "
        f"{REFERENCE} on growing prefixes of the long text (cumulative). brotli starts with a "
        "built-in dictionary; cm starts empty and learns as it codes.",
    )
    sec.text(describe_short(short_rows, long_text_won=kairos_wins(rows)))
    sec.table(
        [
            {
                "compressor": r["model"],
                "bytes": r["compressed_bytes"],
                "bits_per_byte": round(r["bits_per_byte"], 3),
                "compress_KB_per_cpu_s": round(compress_kb_per_cpu_s(r), 1),
            }
            for r in sorted(short_rows, key=lambda r: r["compressed_bytes"])
        ],
        caption=f"The short sample, {len(sample):,} bytes",
    )
    return sec
