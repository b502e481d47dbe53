"""What a demo section gets: the run folder, the seed, a progress display, shared results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kairos.runfolder import RunFolder


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
