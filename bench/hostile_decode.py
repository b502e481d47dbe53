"""Work a decoder does on a .kz file whose header lies about its length (issue 11, item 3).

Three crafted files, each re-checksummed so the container accepts it:

- ``cm-claim``: a 224-byte cm stream of 330 bytes whose stream and header claim 6.5 MB;
- ``cm-claim-possible``: the same stream claiming 5,000 bytes per coded byte (a length the
  ratio bound allows, so only the decoder's end-of-stream check can refuse it);
- ``gzip-bomb`` / ``xz-bomb``: 300 MB of zeros, compressed, with a declared length of 14,000.

Each is decoded in a fresh process (``--src`` chooses the kairos source tree, so an older
checkout can be measured the same way); the baseline in the same run is the honest file
the bomb was made from (the real 300 MB decode). Prints a table and writes
``bench/out/hostile_decode.json``.

Usage::

    python bench/hostile_decode.py [--src PATH_TO_KAIROS_SRC]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

_DECODE = r"""
import resource, sys, time
import kairos.info.cm_kernel  # numba and its cache load here, outside the timing
from kairos.errors import KairosError
from kairos.info.fileformat import decompress_bytes
blob = open(sys.argv[1], "rb").read()
t0 = time.perf_counter()
try:
    out = decompress_bytes(blob)
    result = f"decoded {len(out)} bytes"
except KairosError as exc:
    result = f"{type(exc).__name__}: {exc.message}"
seconds = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.3f}\t{peak_mb:.0f}\t{result}")
"""


def _split(blob: bytes) -> tuple[dict, bytes]:
    _, _, header_len = struct.unpack_from("<4sHI", blob)
    header = json.loads(blob[10 : 10 + header_len])
    (payload_len,) = struct.unpack_from("<Q", blob, 10 + header_len)
    return header, blob[18 + header_len : 18 + header_len + payload_len]


def _repack(header: dict, payload: bytes) -> bytes:
    text = json.dumps(header).encode()
    body = struct.pack("<4sHI", b"KZIP", 1, len(text)) + text + struct.pack("<Q", len(payload))
    body += payload
    return body + hashlib.sha256(body).digest()


def build(folder: Path) -> dict[str, Path]:
    """Write the crafted files (and the honest bombs' originals) into ``folder``."""
    sys.path.insert(0, str(REPO / "src"))
    from kairos.info.fileformat import compress_bytes

    files = {}
    text = bytes(np.random.default_rng(0).integers(97, 123, 330, dtype=np.uint8))
    header, payload = _split(compress_bytes(text, "cm"))
    for name, claimed in (
        ("cm-claim", 6_500_000),
        ("cm-claim-possible", 5000 * (len(payload) - 10)),
    ):
        forged = payload[:1] + struct.pack("<Q", claimed) + payload[9:]
        files[name] = folder / f"{name}.kz"
        files[name].write_bytes(_repack({**header, "original_bytes": claimed}, forged))
    for model in ("gzip", "xz"):
        honest = compress_bytes(bytes(300_000_000), model)
        files[f"{model}-honest (baseline)"] = folder / f"{model}-honest.kz"
        files[f"{model}-honest (baseline)"].write_bytes(honest)
        header, payload = _split(honest)
        files[f"{model}-bomb"] = folder / f"{model}-bomb.kz"
        files[f"{model}-bomb"].write_bytes(_repack({**header, "original_bytes": 14_000}, payload))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(REPO / "src"), help="kairos source tree to measure")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # internal: write the files there
    args = parser.parse_args()
    if args.build:
        print(json.dumps({k: str(v) for k, v in build(Path(args.build)).items()}))
        return
    env = {**os.environ, "PYTHONPATH": args.src}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # built in a child: Linux keeps a parent's peak RSS in its children's, so this
        # process must never hold the 300 MB itself
        made = subprocess.run(
            [sys.executable, __file__, "--build", tmp], capture_output=True, text=True, check=True
        )
        files = {k: Path(v) for k, v in json.loads(made.stdout).items()}
        # one throwaway decode loads numba's cache, so no row pays for compiling
        subprocess.run(
            [sys.executable, "-c", _DECODE, str(files["cm-claim"])], env=env, capture_output=True
        )
        for name, path in files.items():
            out = subprocess.run(
                [sys.executable, "-c", _DECODE, str(path)], env=env, capture_output=True, text=True
            )
            seconds, peak_mb, result = (
                out.stdout.strip() or f"nan\tnan\t{out.stderr[-200:]}"
            ).split("\t", 2)
            rows.append(
                {"file": name, "bytes": path.stat().st_size, "seconds": float(seconds),
                 "peak_rss_mb": float(peak_mb), "result": result}
            )  # fmt: skip
    print(f"kairos source: {args.src}")
    print(f"{'file':28} {'bytes':>8} {'seconds':>8} {'peak MB':>8}  result")
    for r in rows:
        print(
            f"{r['file']:28} {r['bytes']:>8,} {r['seconds']:>8.2f} {r['peak_rss_mb']:>8.0f}  "
            f"{r['result'][:90]}"
        )
    out_dir = REPO / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "hostile_decode.json").write_text(
        json.dumps({"src": args.src, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
