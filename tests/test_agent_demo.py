"""The agent's demo section runs (quick mode) and reports the TONI audit."""

from __future__ import annotations

from kairos.demo import run_demo


def test_agent_demo_section_quick(tmp_path):
    path, failed = run_demo(tmp_path / "run", quick=True, sections=["toni"])
    assert failed == []
    html = path.read_text()
    assert "traits of non-intelligence" in html
    assert "data:image/png;base64" in html
    assert (tmp_path / "run" / "agent" / "audit.json").is_file()
