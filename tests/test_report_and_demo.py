import json

from kairos.demo import run_demo
from kairos.plotting import new_figure
from kairos.report import Report, Section


def test_report_embeds_figure_and_escapes(tmp_path):
    fig, ax = new_figure()
    ax.plot([1, 2, 3])
    sec = Section("<T>").text("a < b").table([{"x": 1, "y": 2.5}]).figure(fig, caption="c")
    path = Report("r", [sec]).write(tmp_path / "r.html")
    html = path.read_text()
    assert "data:image/png;base64," in html
    assert "a &lt; b" in html and "&lt;T&gt;" in html


def _boom(ctx):
    raise RuntimeError("section exploded")


def _fine(ctx):
    return Section("fine").text(f"seed {ctx.seed}")


def test_failing_section_is_reported_not_fatal(tmp_path):
    path, failed = run_demo(
        tmp_path / "run",
        seed=7,
        sections=["tests.test_report_and_demo:_boom", "tests.test_report_and_demo:_fine"],
    )
    assert failed == ["tests.test_report_and_demo:_boom"]
    html = path.read_text()
    assert "section exploded" in html and "seed 7" in html
    assert 'data-status="failed"' in html and "FAILED" in html
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["seed"] == 7 and meta["command"] == "demo"
    assert meta["status"] == "failed" and "_boom" in meta["error"]
