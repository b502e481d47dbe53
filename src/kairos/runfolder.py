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
import math
import platform
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.outputs import prepare_folder, write_output_text


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
        cls,
        path: str | Path,
        *,
        command: str,
        config: Mapping[str, Any],
        seed: int | None,
        must_be_new: bool = False,
        hint: str = "",
    ) -> RunFolder:
        """Create (or reuse) ``path`` and record the command, config, seed and versions.

        With ``must_be_new``, a folder that already holds anything is refused
        (an :class:`~kairos.errors.OutputPathError` that says ``hint``).
        """
        path = prepare_folder(path, must_be_new=must_be_new, hint=hint)
        meta = {
            "command": command,
            "config": dict(config),
            "seed": seed,
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "status": "running",
            "versions": library_versions(),
        }
        write_output_text(path / "run.json", json_text(meta))
        run = cls(path)
        _OPEN.append(run)
        return run

    @classmethod
    def reopen(cls, path: str | Path) -> RunFolder:
        """Continue the run in ``path`` (e.g. a resumed training run): status ``running`` again."""
        run = cls(Path(path))
        if run.file("run.json").is_file():
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            run._update(status="running", resumed_utc=stamp)
            _OPEN.append(run)
        return run

    def meta(self) -> dict[str, Any]:
        """The content of ``run.json``."""
        return json.loads(self.file("run.json").read_text())

    def _update(self, **fields: Any) -> None:
        write_output_text(self.file("run.json"), json_text({**self.meta(), **fields}))

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
        write_output_text(target, json_text(obj))
        return target

    def write_csv(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
        """Atomically write rows (dicts sharing keys) as CSV."""
        return write_csv(self.file(name), rows)


def json_safe(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None (JSON has neither)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return json_safe(obj.tolist())
    return obj


def json_text(obj: Any) -> str:
    """Strict, pretty JSON of ``obj`` (non-finite numbers as null; other objects as str)."""
    return json.dumps(json_safe(obj), indent=2, default=str, allow_nan=False) + "\n"


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
    return write_output_text(path, buf.getvalue())
