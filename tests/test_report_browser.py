"""Open ``report.html`` in a real headless browser (Debian's chromium) and measure it.

A script appended to a copy of the report writes, after layout, the page width,
every figure's right edge and natural size, and every section's status and
rendered height into the DOM; ``chromium --headless --dump-dom`` returns it.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kairos.demo import run_demo
from kairos.plotting import new_figure
from kairos.report import Report, Section

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)",
)

_PROBE = """
<script>
window.addEventListener("load", () => {
  const page = document.documentElement.clientWidth;
  const figures = [...document.querySelectorAll("img")].map((img) => ({
    alt: img.alt, right: img.getBoundingClientRect().right, width: img.width,
    natural: img.naturalWidth, loaded: img.complete && img.naturalWidth > 0,
  }));
  const sections = [...document.querySelectorAll("section")].map((s) => ({
    title: s.querySelector("h2") ? s.querySelector("h2").textContent : "",
    status: s.dataset.status, blocks: s.children.length - 1,
    height: s.getBoundingClientRect().height,
  }));
  const out = document.createElement("pre");
  out.id = "kairos-measure";
  out.textContent = JSON.stringify({page, scroll: document.documentElement.scrollWidth,
                                    figures, sections});
  document.body.appendChild(out);
});
</script>
"""


def measure(report: Path, width_px: int, tmp_path: Path) -> dict:
    """Lay ``report`` out in a ``width_px`` wide window and return the probe's measurements."""
    probe = tmp_path / f"probe-{width_px}.html"
    probe.write_text(report.read_text().replace("</body>", _PROBE + "</body>"))
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={width_px},1000", "--virtual-time-budget=10000",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'<pre id="kairos-measure">(.*?)</pre>', out.stdout, re.S)
    assert found, f"chromium rendered nothing measurable: {out.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def check_layout(m: dict) -> None:
    assert m["figures"], "no figure in the report"
    for fig in m["figures"]:
        assert fig["loaded"], f"figure {fig['alt']!r} did not load"
        assert fig["right"] <= m["page"] + 0.5, f"figure {fig['alt']!r} overflows the page: {m}"
    assert m["scroll"] <= m["page"], "the page scrolls sideways"
    for sec in m["sections"]:
        assert sec["blocks"] > 0 and sec["height"] > 0, f"section {sec['title']!r} is empty"


def _three_panels(ctx):
    fig, ax = new_figure(14.0, 4.0)  # 1,400 px at 100 dpi, as the wide demo figures
    ax.remove()
    axes = fig.subplots(1, 3)
    for i, ax in enumerate(axes):
        ax.plot(range(10), [x**i for x in range(10)])
    return Section("three panels").figure(fig, caption="three-panel figure")


def _fails(ctx):
    raise RuntimeError("this section fails on purpose")


def test_wide_figures_fit_and_a_failed_section_shows_as_failed(tmp_path):
    path, failed = run_demo(
        tmp_path / "run",
        quick=True,
        sections=["tests.test_report_browser:_three_panels", "tests.test_report_browser:_fails"],
    )
    assert failed == ["tests.test_report_browser:_fails"]
    for width in (1400, 800):
        m = measure(path, width, tmp_path)
        check_layout(m)
        statuses = {s["title"]: s["status"] for s in m["sections"]}
        assert statuses["three panels"] == "ok"
        assert [t for t, s in statuses.items() if s == "failed"] == [
            "tests.test_report_browser:_fails — FAILED"
        ]


def test_a_wide_table_scrolls_inside_its_box(tmp_path):
    fig, ax = new_figure()
    ax.plot([0, 1])
    sec = Section("wide table").table([{f"column {i}": 10**12 + i for i in range(40)}])
    sec.figure(fig, caption="small")
    path = Report("r", [sec]).write(tmp_path / "r.html")
    check_layout(measure(path, 800, tmp_path))


@pytest.mark.slow  # the whole quick demo: about 1.5 min on 2 busy cores
def test_the_demo_report_renders_every_section_in_a_browser(tmp_path):
    from kairos.demo import SECTIONS

    path, failed = run_demo(tmp_path / "run", quick=True)
    assert failed == []
    m = measure(path, 1400, tmp_path)
    check_layout(m)
    titles = [s["title"] for s in m["sections"]]
    assert len(titles) == 1 + len(SECTIONS) and all(s["status"] == "ok" for s in m["sections"])
