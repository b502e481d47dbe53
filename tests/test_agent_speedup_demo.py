"""The speed-up demo section runs (quick mode) and shows the law's fits."""

from __future__ import annotations

import json

from kairos.demo import run_demo


def test_speedup_demo_section_quick(tmp_path):
    path, failed = run_demo(tmp_path / "run", quick=True, sections=["speedup"])
    assert failed == []
    html = path.read_text()
    assert "time–information law" in html and "data:image/png;base64," in html
    summary = json.loads((tmp_path / "run" / "speedup.json").read_text())
    assert summary["n"] >= 4
