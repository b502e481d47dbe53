import itertools

import pytest

from kairos.cost import HARDWARE
from kairos.cost.frontier import (
    example_table_path,
    frontier_table,
    pareto_frontier,
    parse_table,
    price_rows,
    read_table,
)
from kairos.errors import InputFormatError

HEADER = "model,strategy,gen_tokens,samples,accuracy\n"


def test_pareto_frontier():
    pts = [(3.0, 0.5), (1.0, 0.2), (2.0, 0.1), (4.0, 0.9), (1.0, 0.3), (5.0, 0.9)]
    assert pareto_frontier(pts) == [4, 0, 3]


def test_example_table_frontier_is_monotone():
    table = frontier_table(price_rows(read_table(example_table_path()), HARDWARE["kinetics"]))
    front = sorted((r for r in table if r["on_frontier"]), key=lambda r: r["eflops"])
    assert len(front) >= 2
    assert all(a["accuracy"] < b["accuracy"] for a, b in itertools.pairwise(front))
    for r in table:  # no off-frontier row is both cheaper and better than a frontier row
        if not r["on_frontier"]:
            assert any(f["eflops"] <= r["eflops"] and f["accuracy"] >= r["accuracy"] for f in front)


def test_prompt_column_and_comments():
    rows = parse_table(
        "# note\nmodel,strategy,gen_tokens,samples,accuracy,prompt_tokens\nqwen3-4b,topk:64,10,2,0.5,7\n"
    )
    assert rows[0].prompt_tokens == 7 and rows[0].line == 3


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("", "empty table"),
        ("model,strategy,gen_tokens,samples\n", "missing column"),
        (HEADER, "no rows"),
        (HEADER + "qwen3-8b,dense,100,1\n", "cells"),
        (HEADER + "qwen3-8b,dense,lots,1,0.5\n", "gen_tokens"),
        (HEADER + "qwen3-8b,dense,100,0,0.5\n", "samples"),
        (HEADER + "qwen3-8b,dense,100,1,high\n", "accuracy"),
        (HEADER + "qwen3-8b,dense,100,1,-0.1\n", "accuracy"),
        (HEADER + "gpt-9,dense,100,1,0.5\n", "model"),
        (HEADER + "qwen3-8b,beam,100,1,0.5\n", "sparse"),
    ],
)
def test_garbage_tables(body, needle):
    with pytest.raises(InputFormatError, match=needle):
        parse_table(body, path="t.csv")


def test_unreadable_file(tmp_path):
    with pytest.raises(InputFormatError, match="cannot read"):
        read_table(tmp_path / "missing.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputFormatError, match="UTF-8"):
        read_table(binary)
