from kairos.demo import SECTIONS, run_demo
from kairos.demo.cost import attention_share_rows


def test_cost_section_is_registered_and_runs_quick(tmp_path):
    assert "cost" in SECTIONS
    path, failed = run_demo(tmp_path / "run", quick=True, sections=["cost"])
    assert failed == []
    html = path.read_text()
    assert "Attention share" in html and html.count("data:image/png") >= 2
    assert (tmp_path / "run" / "cost_frontier.csv").exists()


def test_attention_share_grows_with_length():
    rows = attention_share_rows([1024, 32768])
    for model in {r["model"] for r in rows}:
        short, long = (r["attention_share"] for r in rows if r["model"] == model)
        assert short < long
