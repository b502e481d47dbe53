"""Per-problem comparison of two ``solve`` runs (their ``results.csv`` tables)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from kairos.errors import InputFormatError, ValidationError

RESULTS_NAME = "results.csv"


def read_results(run_dir: str | Path) -> dict[str, dict[str, str]]:
    """The rows of a run folder's ``results.csv`` keyed by problem name.

    Raises
    ------
    InputFormatError
        No readable ``results.csv``, or it lacks the ``problem``, ``status`` or
        ``expansions`` column.
    """
    path = Path(run_dir) / RESULTS_NAME
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFormatError(path, None, f"cannot read a solve run's results: {exc}") from None
    for lineno, row in enumerate(rows, start=2):
        if not {"problem", "status", "expansions"} <= row.keys():
            raise InputFormatError(path, 1, "expected the columns problem, status, expansions")
        try:
            int(row["expansions"])
        except (TypeError, ValueError):
            raise InputFormatError(
                path, lineno, f"expansions {row['expansions']!r} is not an integer"
            ) from None
    return {row["problem"]: row for row in rows}


def compare_runs(run_a: str | Path, run_b: str | Path) -> tuple[list[dict], dict]:
    """Join two runs on problem name.

    Returns
    -------
    rows : list of dict
        One per problem in both runs: ``problem``, ``status_a``, ``status_b``,
        ``expansions_a``, ``expansions_b`` and ``ratio`` (B ÷ A expansions).
    summary : dict
        ``problems`` (in both), ``only_in_a``/``only_in_b`` (counts),
        ``solved_a``, ``solved_b``, ``solved_both``, ``solved_only_a``,
        ``solved_only_b``, ``geomean_ratio`` (B ÷ A expansions over problems
        both solved; nan if none) and ``b_fewer_expansions`` (count).
    """
    a, b = read_results(run_a), read_results(run_b)
    common = [name for name in a if name in b]
    if not common:
        raise ValidationError("RUN_B", f"{run_b} shares no problem name with {run_a}")
    rows = []
    for name in common:
        ea, eb = int(a[name]["expansions"]), int(b[name]["expansions"])
        rows.append({
            "problem": name, "status_a": a[name]["status"], "status_b": b[name]["status"],
            "expansions_a": ea, "expansions_b": eb, "ratio": eb / ea if ea else math.nan,
        })  # fmt: skip
    solved_a = {r["problem"] for r in rows if r["status_a"] == "solved"}
    solved_b = {r["problem"] for r in rows if r["status_b"] == "solved"}
    both = [r for r in rows if r["problem"] in solved_a & solved_b and r["expansions_a"] > 0]
    logs = [math.log(r["ratio"]) for r in both if r["ratio"] > 0]
    summary = {
        "problems": len(rows),
        "only_in_a": len(a) - len(common),
        "only_in_b": len(b) - len(common),
        "solved_a": len(solved_a),
        "solved_b": len(solved_b),
        "solved_both": len(solved_a & solved_b),
        "solved_only_a": len(solved_a - solved_b),
        "solved_only_b": len(solved_b - solved_a),
        "geomean_ratio": math.exp(sum(logs) / len(logs)) if logs else math.nan,
        "b_fewer_expansions": sum(r["expansions_b"] < r["expansions_a"] for r in both),
    }
    return rows, summary
