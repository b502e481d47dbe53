import json

import numpy as np

from kairos.demo import SECTIONS, DemoContext
from kairos.demo.scaling import INFO_KEY, SEARCH_KEY
from kairos.demo.scaling import section as scaling_section
from kairos.runfolder import RunFolder
from kairos.scaling.synthetic import curve_data


def _ctx(tmp_path, results):
    run = RunFolder.create(tmp_path / "run", command="demo", config={}, seed=3)
    return DemoContext(run=run, seed=3, quick=True, results=results)


def test_scaling_section_is_registered_last():
    assert list(SECTIONS)[-1] == "scaling"


def test_demo_uses_synthetic_examples_when_alone(tmp_path):
    ctx = _ctx(tmp_path, {})
    section = scaling_section(ctx)
    html = "".join(section.blocks)
    assert "synthetic solver curve" in html and "synthetic bits-per-byte curve" in html
    assert html.count("data:image/png") == 3
    record = json.loads(ctx.run.file("scaling_chinchilla.json").read_text())
    assert set(record["params"]) == {"E", "A", "B", "alpha", "beta"}
    # the synthetic curve is 1% above its floor at the largest x, under the 5% tolerance
    assert ctx.results["scaling.plateau_verdict"] == "plateau"


def test_demo_fits_the_curves_other_sections_left(tmp_path):
    budget = np.geomspace(100, 1e5, 12)
    solved = np.minimum(curve_data("coverage", {"a": 5.0, "b": 0.3}, budget, seed=0), 1.0)
    solved[0] = 0.0  # nothing solved at the smallest budget: must be left out, not crash
    seen = np.geomspace(1e3, 1e6, 20)
    bpb = curve_data("power", {"E": 1.5, "A": 20.0, "alpha": 0.35}, seen, seed=0)
    results = {
        SEARCH_KEY: {
            "budget": budget.tolist(),
            "solved_fraction": solved.tolist(),
            "domain": "sokoban",
        },
        INFO_KEY: {"bytes_seen": seen.tolist(), "bits_per_byte": bpb.tolist(), "model": "lstm"},
    }
    ctx = _ctx(tmp_path, results)
    html = "".join(scaling_section(ctx).blocks)
    assert "solver&#x27;s sokoban run (1 points" in html
    assert "prequential curve of lstm" in html
    coverage = json.loads(ctx.run.file("scaling_coverage.json").read_text())
    assert coverage["params"]["b"] > 0
    plateau = json.loads(ctx.run.file("scaling_plateau.json").read_text())
    assert plateau["verdict"] == "still improving"


def test_demo_notes_curves_too_short_to_fit(tmp_path):
    results = {
        SEARCH_KEY: {"budget": [10, 100], "solved_fraction": [0.1, 0.2], "domain": "stp"},
        INFO_KEY: {"bytes_seen": [1, 2, 3], "bits_per_byte": [5, 4, 3.5], "model": "ppm"},
    }
    html = "".join(scaling_section(_ctx(tmp_path, results)).blocks)
    assert "Coverage fit skipped: only 2 usable points" in html
    assert "Plateau test skipped" in html


def test_demo_survives_malformed_results_from_other_sections(tmp_path):
    results = {
        SEARCH_KEY: {"budgets": [10, 100]},
        INFO_KEY: {"bytes_seen": ["a", "b"], "bits_per_byte": [1, 2]},
    }
    html = "".join(scaling_section(_ctx(tmp_path, results)).blocks)
    assert "Coverage fit skipped: ctx.results[&quot;search.solved_vs_budget&quot;]" in html
    assert "expected numeric lists &#x27;bytes_seen&#x27;" in html
