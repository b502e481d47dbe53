import csv

import pytest

from kairos.data import BOXOBAN_DEMO, STP_3X3_DEMO, data_path
from tests.kairos_cli import run_kairos as _kairos


def test_solve_writes_results_and_summary(tmp_path):
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        "--algo",
        "wastar",
        "--budget",
        "5000",
        "--results",
        "r.csv",
        "--out",
        "run",
        "--jobs",
        "2",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "20/20" in out.stdout
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert len(rows) == 20 and all(r["status"] == "solved" for r in rows)
    assert list(rows[0])[:6] == [
        "problem",
        "status",
        "expansions",
        "generated",
        "length",
        "seconds",
    ]
    assert (tmp_path / "run" / "results.csv").exists() and (tmp_path / "run" / "run.json").exists()


def test_solve_reports_bad_inputs_in_one_line(tmp_path):
    (tmp_path / "bad.txt").write_text("; 0\n#####\n#@$?#\n#####\n")
    out = _kairos("solve", "sokoban", "--levels", "bad.txt", cwd=tmp_path)
    assert out.returncode == 2
    assert "bad.txt:3: unknown character '?'" in out.stderr
    out = _kairos(
        "solve", "stp", "--levels", str(data_path(STP_3X3_DEMO)), "--budget", "0", cwd=tmp_path
    )
    assert out.returncode == 2 and "budget: got 0" in out.stderr
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        "--policy",
        "nope.kpol",
        cwd=tmp_path,
    )
    assert out.returncode == 2 and "nope.kpol" in out.stderr


def test_solve_takes_several_files_after_one_levels_flag_and_a_policy_file(tmp_path):
    from kairos.data import STP_4X4_DEMO
    from kairos.policy.files import save_policy

    save_policy(tmp_path / "u.kpol", "uniform", "stp", {}, {})
    out = _kairos(
        "solve",
        "stp",
        "--levels",
        str(data_path(STP_3X3_DEMO)),
        str(data_path(STP_4X4_DEMO)),
        "--policy",
        "u.kpol",
        "--budget",
        "300",
        "--results",
        "r.csv",
        "--out",
        "run",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert len(rows) == 40 and {r["problem"].split(":")[0] for r in rows} == {
        "demo_3x3.txt",
        "demo_4x4.txt",
    }
    exhausted = [r for r in rows if r["status"] == "budget_exhausted"]
    assert exhausted and all(r["expansions"] == "300" and r["length"] == "" for r in exhausted)
    for header in ("solved", "mean exp.", "median exp.", "max exp.", "mean length", "seconds"):
        assert header in out.stdout
    out = _kairos("solve", "stp", cwd=tmp_path)
    assert out.returncode == 2 and "--levels" in out.stderr


def test_generate_limit_json_and_compare(tmp_path):
    """generate stp writes instances; solve --limit/--json records a summary; compare joins runs."""
    import json

    gen = _kairos("generate", "stp", "--size", "3", "--moves", "20", "--count", "6", "--seed", "0",
                  "-o", "g.txt", cwd=tmp_path)  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    again = _kairos("generate", "stp", "--size", "3", "--moves", "20", "--count", "4", "--seed", "0",
                    "-o", "h.txt", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0
    lines = (tmp_path / "g.txt").read_text().splitlines()
    assert len(lines) == 6 and (tmp_path / "h.txt").read_text().splitlines() == lines[:4]
    runs = {}
    for name, algo in (("a", "bfs"), ("b", "lts")):
        out = _kairos("solve", "stp", "--levels", "g.txt", "--limit", "5", "--algo", algo,
                      "--json", "--out", name, cwd=tmp_path)  # fmt: skip
        assert out.returncode == 0, out.stderr
        runs[name] = json.loads(out.stdout)
        meta = json.loads((tmp_path / name / "run.json").read_text())
        assert meta["status"] == "completed" and meta["results"]["solved"] == runs[name]["solved"]
    assert runs["a"]["problems"] == 5
    cmp = _kairos("compare", "a", "b", "--json", cwd=tmp_path)
    assert cmp.returncode == 0, cmp.stderr
    report = json.loads(cmp.stdout)
    assert report["summary"]["problems"] == 5 and len(report["problems"]) == 5
    assert [r["expansions_a"] for r in report["problems"]] == [
        int(r["expansions"]) for r in csv.DictReader((tmp_path / "a" / "results.csv").open())
    ]
    bad = _kairos("generate", "stp", "--size", "9", "-o", "x.txt", cwd=tmp_path)
    assert bad.returncode == 2 and "--size" in bad.stderr and not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_policy_for_another_domain_is_one_typed_line(tmp_path, jobs):
    """The shipped Boxoban policy on sliding tiles: one line naming the mismatch, run marked failed."""
    import json

    out = _kairos("solve", "stp", "--levels", str(data_path(STP_3X3_DEMO)), "--policy",
                  "boxoban-cm", "--jobs", jobs, "--out", "run", cwd=tmp_path)  # fmt: skip
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "sokoban" in lines[0]
    assert "Traceback" not in out.stderr
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["status"] == "failed" and meta["error"].startswith("MismatchError")


def test_results_title_names_a_shipped_policy(tmp_path):
    out = _kairos("solve", "sokoban", "--levels", str(data_path(BOXOBAN_DEMO)), "--limit", "2",
                  "--policy", "boxoban-cm", "--budget", "20000", "--out", "run", cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "shipped policy boxoban-cm" in out.stdout


def test_sokoban_solves_with_the_deadlock_cut_by_default(tmp_path, monkeypatch):
    """Default = ``--deadlocks cut``: same solutions as ``off``, fewer nodes generated."""
    import json

    from typer.testing import CliRunner

    from kairos.cli import app

    rows = {}
    monkeypatch.chdir(tmp_path)  # in-process: the compiled kernels stay loaded
    for mode in (None, "cut", "off"):
        flags = [] if mode is None else ["--deadlocks", mode]
        name = mode or "default"
        out = CliRunner().invoke(app, ["solve", "sokoban", "--levels", str(data_path(BOXOBAN_DEMO)),
                                       "--limit", "3", "--budget", "20000", "--policy",
                                       "boxoban-cm", "--results", f"{name}.csv", "--out", name,
                                       *flags])  # fmt: skip
        assert out.exit_code == 0, out.output
        rows[name] = list(csv.DictReader((tmp_path / f"{name}.csv").open()))
    meta = json.loads((tmp_path / "default" / "run.json").read_text())
    assert meta["config"]["deadlocks"] == "cut"
    keys = ("status", "expansions", "generated", "actions")
    assert [[r[k] for k in keys] for r in rows["default"]] == [
        [r[k] for k in keys] for r in rows["cut"]
    ]
    solved_off = [i for i, r in enumerate(rows["off"]) if r["status"] == "solved"]
    assert solved_off  # the shipped policy solves some of its own training levels
    assert all(rows["cut"][i]["actions"] == rows["off"][i]["actions"] for i in solved_off)
    for key in ("expansions", "generated"):  # the cut only removes nodes
        total = {k: sum(int(r[key]) for r in v) for k, v in rows.items()}
        assert total["cut"] <= total["off"]
    assert total["cut"] < total["off"]  # dead children are not generated


def test_console_not_a_terminal_keeps_wide_tables(capsys):
    from rich.table import Table

    from kairos.cli.options import console

    table = Table(title="wide")
    for i in range(10):
        table.add_column(f"column number {i}")
    table.add_row(*[f"value {i:>10}" for i in range(10)])
    console().print(table)
    lines = capsys.readouterr().out.splitlines()
    assert max(len(ln) for ln in lines) > 150 and "column number 9" in "".join(lines)
    assert "…" not in "".join(lines)


def test_version_shows_no_type():
    from typer.testing import CliRunner

    from kairos.cli import app

    help_text = CliRunner().invoke(app, ["--help"]).output
    line = next(ln for ln in help_text.splitlines() if "--version" in ln)
    assert "<bool>" not in line
