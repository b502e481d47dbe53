"""``kairos solve programs``: the registry loads task files; held-out examples; typed errors."""

import csv
import json

from kairos.domains import available_domains, load_domain_file
from kairos.domains.base import Domain
from kairos.search import SearchConfig
from kairos.search.reference import reference_search
from tests.kairos_cli import run_kairos as _kairos

TASKS = [
    {
        "name": name,
        "type": {"input": "list-of-int", "output": out},
        "examples": [{"i": x, "o": fn(x)} for x in ([3, 1, 2], [], [5], [2, 2, 7], [0, 9], [4, 1])],
    }
    for name, out, fn in (
        ("sum", "int", sum),
        ("sorted", "list-of-int", sorted),
        # the last example disagrees with "length": found on the shown ones, not generalized
        ("len-then-odd", "int", lambda x: 99 if x == [4, 1] else len(x)),
    )
]


def test_programs_is_a_registered_domain_of_protocol_objects(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TASKS))
    assert "programs" in available_domains()
    problems = load_domain_file("programs", path)
    assert [p.name for p in problems] == ["sum", "sorted", "len-then-odd"]
    assert all(isinstance(p, Domain) for p in problems)
    # the generic searches run it too (tree search), and agree with the domain's own
    generic = reference_search(problems[0], SearchConfig(budget=5000, state_cut=False))
    own = problems[0].solve(budget=5000)
    assert generic.solved and generic.expansions == own.expansions


def test_solve_programs_reports_solved_and_generalized(tmp_path):
    (tmp_path / "t.json").write_text(json.dumps(TASKS))
    out = _kairos(
        "solve", "programs", "--levels", "t.json", "--holdout", "1", "--budget", "20000",
        "--time-limit", "5", "--results", "r.csv", "--out", "run", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = {r["problem"]: r for r in csv.DictReader((tmp_path / "r.csv").open())}
    assert rows["sum"]["program"] == "(lambda (sum $0))"
    assert rows["sum"]["solved"] == rows["sum"]["generalized"] == "1"
    assert rows["sorted"]["generalized"] == "1"
    assert rows["len-then-odd"]["solved"] == "1" and rows["len-then-odd"]["generalized"] == "0"
    assert (tmp_path / "run" / "results.csv").exists()


def test_solve_programs_bad_input_is_a_typed_error(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps([{**TASKS[0], "examples": []}]))
    out = _kairos("solve", "programs", "--levels", "bad.json", cwd=tmp_path)
    assert out.returncode != 0
    assert "'examples'" in out.stderr + out.stdout and "Traceback" not in out.stderr
    (tmp_path / "t.json").write_text(json.dumps(TASKS))
    out = _kairos("solve", "programs", "--levels", "t.json", "--holdout", "6", cwd=tmp_path)
    assert out.returncode != 0 and "holdout" in out.stderr + out.stdout
    out = _kairos("solve", "programs", "--levels", "t.json", "--policy", "nope.kgram", cwd=tmp_path)
    assert out.returncode != 0 and "nope.kgram" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr
