"""The demo's program section runs on shipped data and reports the three priors."""

import json

from kairos.demo import run_demo


def test_programs_demo_section_runs_on_shipped_data(tmp_path):
    path, failed = run_demo(tmp_path / "demo", quick=True, sections=["programs"])
    assert failed == []
    html = path.read_text()
    assert "Program synthesis" in html and "fn_" in html and "<img" in html
    result = json.loads((tmp_path / "demo" / "programs.json").read_text())
    assert set(result["summary"]) == {"uniform", "learned", "learned+library"}
    for s in result["summary"].values():
        assert 0 <= s["generalized"] <= s["solved"] <= result["tasks"]
