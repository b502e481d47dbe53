"""The embedded default job, ``kairos demo``: one module per report section.

The demo runs every section on data shipped inside the package and writes a
self-contained ``report.html`` into a run folder. A section is a module of this
package with a function ``section(ctx: DemoContext) -> Section``, listed in
:data:`SECTIONS` by name with the title its progress header shows. Sections run
in order and may leave results in ``ctx.results`` for later sections (the
scaling section fits the curves the solver and the compressor produced).
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kairos.demo.context import DemoContext
from kairos.report import Report, Section
from kairos.runfolder import RunFolder

# name -> header; order matters: later sections may read what earlier ones put in ctx.results.
SECTIONS: dict[str, str] = {
    "search": "Solver: Levin Tree Search against classic planners",
    "learning": "Learning to search faster",
    "info": "Compression: a predictor is a compressor",
    "cost": "Cost: where test-time compute goes",
    "speedup": "The time–information law",
    "savant": "The savant regime: budget against learning",
    "programs": "Program synthesis: a learned grammar and a learned library",
    "toni": "Agent: the value of time",
    "scaling": "Scaling: law fits and the plateau test",  # keep last: it fits the others' curves
}


def _load_section(name: str) -> Callable[[DemoContext], Section]:
    """A section by name, or by ``"module:function"`` (a section defined elsewhere)."""
    from kairos.errors import ValidationError

    if name in SECTIONS:
        return importlib.import_module(f"kairos.demo.{name}").section
    module_name, _, func_name = name.partition(":")
    try:
        return getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError, ValueError):
        raise ValidationError(
            "sections", f"unknown section {name!r}, expected one of {list(SECTIONS)}"
        ) from None


def _failed_section(title: str, tb: str) -> Section:
    last = tb.strip().splitlines()[-1] if tb.strip() else "unknown error"
    section = Section(f"{title} — FAILED", status="failed")
    section.text(f"This section failed: {last}", css_class="error")
    return section.preformatted(tb)


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 0,
    quick: bool = False,
    sections: list[str] | None = None,
    console: Any = None,
) -> tuple[Path, list[str]]:
    """Run the demo sections (names from :data:`SECTIONS`) and write ``report.html``.

    Returns
    -------
    (report_path, failed_sections)
        A failing section does not stop the others; it is shown as failed in the
        report, with its traceback, and its name returned so the caller can exit
        non-zero.
    """
    from rich.console import Console

    console = console or Console()
    names = list(SECTIONS if sections is None else sections)
    for name in names:  # an unknown name fails before anything is written
        _load_section(name)
    run = RunFolder.create(
        out_dir, command="demo", config={"quick": quick, "sections": names}, seed=seed
    )
    ctx = DemoContext(run=run, seed=seed, quick=quick, console=console)
    report = Report("kairos demo: intelligence is about time")
    intro = report.add(Section("About this run"))
    intro.text(
        "Each section below was computed just now, on data shipped inside the kairos package, "
        f"with seed {seed}. The run folder holds the raw results next to this report."
    )
    timings = []
    failed = []
    for number, name in enumerate(names, start=1):
        title = SECTIONS.get(name, name)
        console.print(f"\n[bold]── {number}/{len(names)} {title}[/bold]")
        t0 = time.perf_counter()
        try:
            report.add(_load_section(name)(ctx))
            status = "ok"
        except Exception:  # a broken section must not lose the others' results
            failed.append(name)
            status = "failed"
            tb = traceback.format_exc()
            console.print(f"[red]section {title!r} failed:[/red]\n{tb}")
            report.add(_failed_section(title, tb))
        timings.append({"section": title, "status": status, "seconds": time.perf_counter() - t0})
    intro.table(timings, caption="Sections and their wall time")
    path = report.write(run.file("report.html"))
    run.write_json("demo_timings.json", timings)
    run.record_results({"sections": len(names), "failed": failed, "timings": timings})
    run.close(f"sections failed: {', '.join(failed)}" if failed else None)
    return path, failed


__all__ = ["SECTIONS", "DemoContext", "run_demo"]
