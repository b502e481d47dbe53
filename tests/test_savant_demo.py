"""The demo's savant section (issue 16), run live on its quick settings."""

import json

from kairos.demo import SECTIONS, run_demo


def test_savant_section_is_registered_before_scaling():
    names = list(SECTIONS)
    assert "savant" in names and names.index("savant") < names.index("scaling")


def test_savant_demo_section_quick(tmp_path):
    path, failed = run_demo(tmp_path / "run", quick=True, sections=["savant"])
    assert failed == []
    html = path.read_text()
    assert "The savant regime" in html and "data:image/png;base64," in html
    result = json.loads((tmp_path / "run" / "savant.json").read_text())
    bootstrap = [r for r in result["runs"] if r["kind"] == "bootstrap"]
    assert bootstrap and all(r["regime"] in html for r in bootstrap)
    assert {v["verdict"] for v in result["verdicts"]} <= {"agrees", "disagrees", "inconclusive"}
    for v in result["verdicts"]:
        assert v["data"] in html.replace("&gt;", ">").replace("&amp;", "&")
