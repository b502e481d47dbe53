"""Run folders: the unit of persistence.

Every command that produces results writes one run folder holding the full
config, the library versions, the seed, result tables, checkpoints and, for
the demo, ``report.html``.
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
            "versions": library_versions(),
        }
        write_output_text(path / "run.json", json.dumps(meta, indent=2, default=str) + "\n")
        return cls(path)

    def file(self, name: str) -> Path:
        """Path of an artefact inside the run folder."""
        return self.path / name

    def write_json(self, name: str, obj: Any) -> Path:
        """Atomically write ``obj`` as pretty JSON."""
        target = self.file(name)
        write_output_text(target, json.dumps(obj, indent=2, default=str) + "\n")
        return target

    def write_csv(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Path:
        """Atomically write rows (dicts sharing keys) as CSV."""
        return write_csv(self.file(name), rows)


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
