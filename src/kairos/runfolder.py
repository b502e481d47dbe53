"""Run folders: the unit of persistence.

Every command that produces results writes one run folder holding the full
config, the library versions, the seed, result tables, checkpoints and, for
the demo, ``report.html``. ``run.json`` records the ``status`` of the run:
``running`` while it runs, then ``completed`` with a ``results`` summary, or
``failed`` with the ``error``.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.container import atomic_write_text


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries whose behaviour affects results."""
    from importlib import metadata

    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in ("kairos", "numpy", "scipy", "numba", "torch", "constriction"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


_OPEN: list[RunFolder] = []  # folders created by the running command, not yet closed


@dataclass(frozen=True)
class RunFolder:
    """A directory holding one run's config, versions, results and artefacts."""

    path: Path

    @classmethod
    def create(
        cls, path: str | Path, *, command: str, config: Mapping[str, Any], seed: int | None
    ) -> RunFolder:
        """Create (or reuse) ``path`` and record the command, config, seed and versions."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        meta = {
            "command": command,
            "config": dict(config),
            "seed": seed,
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "status": "running",
            "versions": library_versions(),
        }
        atomic_write_text(path / "run.json", json.dumps(meta, indent=2, default=str) + "\n")
        run = cls(path)
        _OPEN.append(run)
        return run

    @classmethod
    def reopen(cls, path: str | Path) -> RunFolder:
        """Continue the run in ``path`` (e.g. a resumed training run): status ``running`` again."""
        run = cls(Path(path))
        if run.file("run.json").is_file():
            run._update(
                status="running", resumed_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            )
            _OPEN.append(run)
        return run

    def meta(self) -> dict[str, Any]:
        """The content of ``run.json``."""
        return json.loads(self.file("run.json").read_text())

    def _update(self, **fields: Any) -> None:
        meta = {**self.meta(), **fields}
        atomic_write_text(self.file("run.json"), json.dumps(meta, indent=2, default=str) + "\n")

    def record_results(self, results: Mapping[str, Any]) -> None:
        """Put the run's results summary (the figures it reports) into ``run.json``."""
        self._update(results=dict(results))

    def close(self, error: str | None = None) -> None:
        """Mark the run ``completed``, or ``failed`` with ``error``, and stamp the end time."""
        ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if error is None:
            self._update(status="completed", ended_utc=ended)
        else:
            self._update(status="failed", error=error, ended_utc=ended)
        if self in _OPEN:
            _OPEN.remove(self)

    def file(self, name: str) -> Path:
        """Path of an artefact inside the run folder."""
        return self.path / name

    def write_json(self, name: str, obj: Any) -> Path:
        """Atomically write ``obj`` as pretty JSON."""
        target = self.file(name)
        atomic_write_text(target, json.dumps(obj, indent=2, default=str) + "\n")
        return target

    def write_csv(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
        """Atomically write rows (dicts sharing keys) as CSV."""
        return write_csv(self.file(name), rows)


def close_open_runs(error: str | None) -> None:
    """Close every run folder created since the last call (failed with ``error`` if given)."""
    while _OPEN:
        run = _OPEN.pop()
        if run.file("run.json").is_file():
            run.close(error)


def write_csv(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Atomically write a list of dicts as CSV; columns follow the first row's key order."""
    rows = list(rows)
    buf = io.StringIO()
    if rows:
        fields = list(rows[0].keys())
        for row in rows[1:]:
            fields.extend(k for k in row if k not in fields)
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    atomic_write_text(path, buf.getvalue())
    return Path(path)
