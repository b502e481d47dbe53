from kairos.demo import run_demo


def test_search_demo_section_quick(tmp_path):
    path, failed = run_demo(tmp_path / "run", quick=True, sections=["search"])
    assert failed == []
    html = path.read_text()
    assert "Levin Tree Search" in html and "data:image/png;base64," in html
    assert (tmp_path / "run" / "search_results.csv").exists()
