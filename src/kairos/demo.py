"""The embedded default job, ``kairos demo``.

The demo runs every pillar's demo section on data shipped inside the package
and writes a self-contained ``report.html`` into a run folder. A section is a
function ``section(ctx: DemoContext) -> Section`` registered in
:data:`DEMO_SECTIONS` as ``"module:function"``; sections run in order and may
leave results in ``ctx.results`` for later sections (e.g. the scaling section
fits the curves the solver produced).
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kairos.report import Report, Section
from kairos.runfolder import RunFolder

# Order matters: later sections may read what earlier ones put in ctx.results.
DEMO_SECTIONS: list[str] = [
    "kairos.search.demo:search_section",
    "kairos.agent.demo:learning_section",
    "kairos.info.demo:section",
    "kairos.cost.demo:section",
    "kairos.agent.speedup_demo:speedup_section",
    "kairos.speedup.demo:programs_section",
    "kairos.agent.toni_demo:toni_section",
    "kairos.scaling.demo:scaling_section",  # keep last: it fits curves the others leave
]


@dataclass
class DemoContext:
    """What a demo section gets: where to write, the seed, and a progress display."""

    run: RunFolder
    seed: int
    quick: bool = False  # smaller workloads, for tests
    results: dict[str, Any] = field(default_factory=dict)
    console: Any = None

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Callable[..., None]]:
        """Show a progress bar; yields ``advance(n=1, description=None)``."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        ) as bar:
            task = bar.add_task(description, total=total)

            def advance(n: int = 1, description: str | None = None) -> None:
                if description is not None:
                    bar.update(task, description=description)
                bar.advance(task, n)

            yield advance


def _load_section(spec: str) -> Callable[[DemoContext], Section]:
    module_name, func_name = spec.split(":")
    return getattr(importlib.import_module(module_name), func_name)


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 0,
    quick: bool = False,
    sections: list[str] | None = None,
    console: Any = None,
) -> tuple[Path, list[str]]:
    """Run the demo sections and write ``report.html``.

    Returns
    -------
    (report_path, failed_sections)
        A failing section does not stop the others; its traceback is shown in
        the report and its name returned, so the caller can exit non-zero.
    """
    from rich.console import Console

    console = console or Console()
    specs = list(DEMO_SECTIONS if sections is None else sections)
    run = RunFolder.create(
        out_dir, command="demo", config={"quick": quick, "sections": specs}, seed=seed
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
    for spec in specs:
        console.rule(f"[bold]{spec}")
        t0 = time.perf_counter()
        try:
            report.add(_load_section(spec)(ctx))
            status = "ok"
        except Exception:  # a broken section must not lose the others' results
            failed.append(spec)
            status = "failed"
            tb = traceback.format_exc()
            console.print(f"[red]section {spec} failed:[/red]\n{tb}")
            report.add(Section(f"{spec} (failed)").preformatted(tb))
        timings.append({"section": spec, "status": status, "seconds": time.perf_counter() - t0})
    intro.table(timings, caption="Sections and their wall time")
    path = report.write(run.file("report.html"))
    run.write_json("demo_timings.json", timings)
    return path, failed
