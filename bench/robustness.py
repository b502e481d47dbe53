"""Issue 11: run every bad invocation and every damaged file, and count how each ended.

The bad invocations are the table in ``tests/cli_cases.py`` (every command x
bad paths, bad numbers, bad choices; runaway inputs; files that must not be
overwritten). The damaged files are ``tests/damage.py``'s ``reader_cases``
(hypothesis-drawn damage, re-checksummed, for every reader), run through
``tests/isolated.py`` when those modules are present.

Counts: cases, typed errors, correct results, tracebacks, crashes, silent wrong
outputs, hangs, data-loss cases, and error messages that are not one line
naming the culprit. Writes ``bench/out/robustness.json``.

Usage::

    PYTHONPATH=src python bench/robustness.py                  # this checkout
    python bench/robustness.py --src /tmp/old/src --no-files   # another checkout (CLI table)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "robustness.json"
CLASSES = ("typed", "ok", "traceback", "crash", "silent", "hang", "data_loss", "bad_message")
# the other helper's reader outcomes, in this bench's classes
_READER_CLASS = {
    "typed": "typed",
    "ok": "ok",
    "error": "traceback",
    "wrong": "silent",
    "crash": "crash",
    "hang": "hang",
}


def run_cli_table(all_subprocess: bool) -> list[dict]:
    from dataclasses import replace

    from tests.cli_cases import cases, expected_kind, run_case

    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(cases()):
            if all_subprocess:
                case = replace(case, subprocess=True)
            outcome = run_case(case, Path(tmp) / f"case{k}")
            records.append(
                {
                    "suite": "cli",
                    "case": case.name,
                    "kind": outcome.kind,
                    "expected": expected_kind(case),
                    "exit_code": outcome.exit_code,
                    "message": outcome.message[:300],
                    "seconds": outcome.seconds,
                }
            )
            print(f"  {outcome.kind:>11}  {outcome.seconds:6.2f} s  {case.name}", flush=True)
    return records


def run_damaged_files(per_input: int, seed: int) -> list[dict] | None:
    try:
        from tests.damage import reader_cases
        from tests.isolated import Case, run_isolated
    except ImportError:
        return None
    cases = [
        Case(name, reader, data, suffix, sha)
        for name, reader, data, suffix, sha in reader_cases(seed=seed, per_input=per_input)
    ]
    records = run_isolated(cases)
    out = []
    for case in cases:
        rec = records[case.name]
        kind = _READER_CLASS.get(rec["outcome"], rec["outcome"])
        out.append(
            {
                "suite": "files",
                "case": case.name,
                "kind": kind,
                "expected": "typed or ok",
                "message": str(rec.get("detail", ""))[:300],
                "seconds": rec.get("seconds"),
            }
        )
    return out


def counts(records: list[dict]) -> dict[str, int]:
    c = Counter(r["kind"] for r in records)
    return {"cases": len(records), **{k: c.get(k, 0) for k in CLASSES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", help="run the CLI table against this src folder (subprocess)")
    parser.add_argument("--no-files", action="store_true", help="skip the damaged-file cases")
    parser.add_argument("--per-input", type=int, default=5, help="damaged copies per input")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.src:
        os.environ["KAIROS_CASES_SRC"] = str(Path(args.src).resolve())
    else:
        sys.path.insert(0, str(REPO / "src"))
    t0 = time.perf_counter()
    print("bad invocations (tests/cli_cases.py):")
    records = run_cli_table(all_subprocess=bool(args.src))
    files = None if args.no_files or args.src else run_damaged_files(args.per_input, args.seed)
    if files is not None:
        print(f"damaged files (tests/damage.py, {args.per_input} per input, seed {args.seed}):")
        records += files
    suites = {"cli": counts([r for r in records if r["suite"] == "cli"])}
    if files is not None:
        suites["files"] = counts(files)
    suites["all"] = counts(records)
    wrong = [r for r in records if r["kind"] not in ("typed", "ok") or (
        r["suite"] == "cli" and r["kind"] != r["expected"])]  # fmt: skip

    header = f"{'suite':<6}" + "".join(f"{k:>12}" for k in ("cases", *CLASSES))
    print("\n" + header)
    for name, c in suites.items():
        print(f"{name:<6}" + "".join(f"{c[k]:>12}" for k in ("cases", *CLASSES)))
    for r in wrong:
        print(f"  not robust: [{r['suite']}] {r['case']}: {r['kind']}: {r['message']}")
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "src": args.src or str(REPO / "src"),
        "seconds": round(time.perf_counter() - t0, 1),
        "counts": suites,
        "not_robust": wrong,
        "cases": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{len(wrong)} case(s) not robust; wrote {args.out} ({result['seconds']} s)")


if __name__ == "__main__":
    main()
