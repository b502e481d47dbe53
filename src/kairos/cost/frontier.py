"""Iso-cost frontiers: which (model, strategy, budget, samples) buys the most accuracy per eFLOP.

A frontier table is a CSV with the columns ``model``, ``strategy`` (``dense`` or
``topk:BUDGET[:BLOCK]``), ``gen_tokens``, ``samples`` and ``accuracy`` (in
[0, 1]); optional ``prompt_tokens`` overrides the default prompt length. Lines
starting with ``#`` are comments. Each row is priced, and the Pareto frontier
keeps the rows that no cheaper row matches in accuracy.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kairos.cost.estimate import CostBreakdown, estimate
from kairos.cost.hardware import Hardware
from kairos.cost.spec import get_model
from kairos.cost.workload import Workload, parse_sparse
from kairos.errors import InputFormatError, KairosError

REQUIRED_COLUMNS = ("model", "strategy", "gen_tokens", "samples", "accuracy")


@dataclass(frozen=True)
class FrontierRow:
    """One configuration of the table and the accuracy it reached."""

    model: str
    strategy: str
    gen_tokens: int
    samples: int
    accuracy: float
    prompt_tokens: int | None = None  # None: the caller's default
    line: int = 0  # 1-based line in the source file


def example_table_path() -> Path:
    """The shipped example table (illustrative accuracies)."""
    return Path(str(resources.files("kairos") / "data" / "cost" / "frontier_example.csv"))


def _int(text: str, column: str, path: Any, line: int, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputFormatError(
            path, line, f"column {column!r}: found {text!r}, expected an integer >= {minimum}"
        ) from None
    if value < minimum:
        raise InputFormatError(
            path, line, f"column {column!r}: found {value}, expected an integer >= {minimum}"
        )
    return value


def parse_table(text: str, *, path: str | Path | None = None) -> list[FrontierRow]:
    """Parse and validate a frontier CSV (errors name the file, line and column)."""
    numbered = [
        (i, ln)
        for i, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not numbered:
        raise InputFormatError(
            path, None, f"empty table; expected a header with columns {list(REQUIRED_COLUMNS)}"
        )
    header_line, header = numbered[0]
    columns = [c.strip() for c in next(csv.reader([header]))]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputFormatError(path, header_line, f"missing column(s) {missing}; found {columns}")
    rows = []
    for line, raw in numbered[1:]:
        cells = [c.strip() for c in next(csv.reader(io.StringIO(raw)))]
        if len(cells) != len(columns):
            raise InputFormatError(
                path,
                line,
                f"found {len(cells)} cells, expected {len(columns)} ({', '.join(columns)})",
            )
        rec = dict(zip(columns, cells, strict=True))
        try:
            accuracy = float(rec["accuracy"])
        except ValueError:
            raise InputFormatError(
                path,
                line,
                f"column 'accuracy': found {rec['accuracy']!r}, expected a number in [0, 1]",
            ) from None
        if not 0.0 <= accuracy <= 1.0:
            raise InputFormatError(
                path, line, f"column 'accuracy': found {accuracy}, expected a number in [0, 1]"
            )
        try:
            parse_sparse(rec["strategy"])
            get_model(rec["model"])
        except KairosError as exc:
            raise InputFormatError(path, line, str(exc)) from None
        prompt = rec.get("prompt_tokens", "")
        rows.append(
            FrontierRow(
                model=rec["model"],
                strategy=rec["strategy"],
                gen_tokens=_int(rec["gen_tokens"], "gen_tokens", path, line, 1),
                samples=_int(rec["samples"], "samples", path, line, 1),
                accuracy=accuracy,
                prompt_tokens=_int(prompt, "prompt_tokens", path, line, 0) if prompt else None,
                line=line,
            )
        )
    if not rows:
        raise InputFormatError(path, header_line, "the table has a header but no rows")
    return rows


def read_table(path: str | Path) -> list[FrontierRow]:
    """Read and validate a frontier CSV file."""
    try:
        from kairos.inputs import read_input_text

        text = read_input_text(path)
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read the table: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputFormatError(path, None, "not UTF-8 text; expected a CSV table") from None
    return parse_table(text, path=path)


def price_rows(
    rows: list[FrontierRow], hardware: Hardware, *, mode: str = "exact", prompt_tokens: int = 128
) -> list[tuple[FrontierRow, CostBreakdown]]:
    """The cost of each row (all samples batched together)."""
    priced = []
    for row in rows:
        work = Workload.of(
            prompt_tokens=row.prompt_tokens if row.prompt_tokens is not None else prompt_tokens,
            gen_tokens=row.gen_tokens,
            num_samples=row.samples,
            sparse=parse_sparse(row.strategy),
        )
        priced.append((row, estimate(get_model(row.model), work, hardware, mode=mode)))
    return priced


def pareto_frontier(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the (cost, accuracy) points that no cheaper-or-equal point matches.

    Returned in increasing cost; each has strictly higher accuracy than the previous.
    """
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    keep, best = [], float("-inf")
    for i in order:
        if points[i][1] > best:
            keep.append(i)
            best = points[i][1]
    return keep


def frontier_table(priced: list[tuple[FrontierRow, CostBreakdown]]) -> list[dict[str, Any]]:
    """Tidy rows: the configuration, its cost, and whether it is on the frontier."""
    on = set(pareto_frontier([(c.eflops, r.accuracy) for r, c in priced]))
    return [
        {
            "model": r.model,
            "strategy": r.strategy,
            "gen_tokens": r.gen_tokens,
            "samples": r.samples,
            "accuracy": r.accuracy,
            "eflops": c.eflops,
            "flops": c.flops,
            "bytes": c.bytes,
            "attention_share": c.attention_share,
            "seconds": c.seconds_max,
            "on_frontier": i in on,
        }
        for i, (r, c) in enumerate(priced)
    ]
