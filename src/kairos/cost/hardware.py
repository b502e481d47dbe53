"""Hardware roofline profiles: peak FLOP/s, memory bandwidth and their ratio, the intensity I.

The ``cpu`` profile is not a datasheet figure: it is fitted by ``kairos cost
calibrate`` on this machine and shipped as ``data/cost/cpu_profile.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kairos.errors import InputFormatError, ValidationError


@dataclass(frozen=True)
class Hardware:
    """A roofline: peak dense FLOP/s, memory bandwidth and optional fixed overheads."""

    name: str
    peak_flops_per_s: float
    bandwidth_bytes_per_s: float
    step_overhead_s: float = 0.0  # per forward call (launch, Python); 0 for datasheet profiles
    layer_overhead_s: float = 0.0  # per layer per forward call
    bytes_per_element: int = 2  # bf16 weights and KV; the fp32 CPU calibration uses 4
    note: str = ""

    @property
    def intensity(self) -> float:
        """Arithmetic intensity I = FLOP/s / (bytes/s), in FLOPs per byte."""
        return self.peak_flops_per_s / self.bandwidth_bytes_per_s

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, readable back with :func:`hardware_from_dict`."""
        return asdict(self)


def hardware_from_dict(obj: Mapping[str, Any], *, source: str = "hardware") -> Hardware:
    """Validate a JSON object into a :class:`Hardware` (errors name ``source:field``)."""
    if not isinstance(obj, Mapping):
        raise ValidationError(source, f"found {type(obj).__name__}, expected a JSON object")
    values: dict[str, Any] = {}
    for key in ("peak_flops_per_s", "bandwidth_bytes_per_s"):
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"{source}:{key}", f"found {value!r}, expected a positive number")
        if not math.isfinite(value) or value <= 0:
            raise ValidationError(f"{source}:{key}", f"found {value}, expected a positive number")
        values[key] = float(value)
    for key in ("step_overhead_s", "layer_overhead_s"):
        value = obj.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValidationError(f"{source}:{key}", f"found {value!r}, expected a number >= 0")
        values[key] = float(value)
    width = obj.get("bytes_per_element", 2)
    if isinstance(width, bool) or width not in (1, 2, 4, 8):
        raise ValidationError(
            f"{source}:bytes_per_element", f"found {width!r}, expected 1, 2, 4 or 8"
        )
    return Hardware(
        name=str(obj.get("name", source)),
        bytes_per_element=int(width),
        note=str(obj.get("note", "")),
        **values,
    )


def load_hardware(path: str | Path) -> Hardware:
    """Read a hardware profile from a JSON file."""
    path = Path(path)
    try:
        from kairos.inputs import MAX_CONFIG_BYTES, read_input_text

        obj = json.loads(read_input_text(path, max_bytes=MAX_CONFIG_BYTES))
    except OSError as exc:
        raise InputFormatError(path, None, f"cannot read the profile: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputFormatError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    return hardware_from_dict(obj, source=str(path))


def _cpu_profile() -> Hardware:
    entry = resources.files("kairos") / "data" / "cost" / "cpu_profile.json"
    with resources.as_file(entry) as path:
        return load_hardware(path)


# Datasheet peaks: dense BF16 tensor-core FLOP/s (no 2:4 sparsity) and HBM bandwidth.
HARDWARE: dict[str, Hardware] = {
    "h100": Hardware("h100", 989e12, 3.35e12, note="H100 SXM"),
    "h200": Hardware("h200", 989e12, 4.8e12, note="H200 SXM"),
    "b200": Hardware("b200", 2.25e15, 8e12, note="B200, dense BF16"),
    "a100": Hardware("a100", 312e12, 2.039e12, note="A100 80GB SXM"),
    "kinetics": Hardware(
        "kinetics", 4.5e15, 8e12, note="B200 as Kinetics models it: I = 562.5 FLOPs/byte"
    ),
}


def hardware_names() -> list[str]:
    """The CLI's ``--hardware`` choices (``cpu`` is the calibrated profile)."""
    return [*HARDWARE, "cpu"]


def get_hardware(name_or_path: str) -> Hardware:
    """A named profile, ``cpu`` (the calibrated one), or a JSON profile path."""
    if name_or_path in HARDWARE:
        return HARDWARE[name_or_path]
    if name_or_path == "cpu":
        return _cpu_profile()
    if name_or_path.endswith(".json") or Path(name_or_path).exists():
        return load_hardware(name_or_path)
    raise ValidationError(
        "hardware",
        f"unknown hardware {name_or_path!r}; expected one of {hardware_names()} or a JSON profile path",
    )
