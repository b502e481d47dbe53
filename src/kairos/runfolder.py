"""Run folders: the unit of persistence.

Every command that produces results writes one run folder holding the full
config, the library versions, the seed, result tables, checkpoints and, for
the demo, ``report.html``.
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
