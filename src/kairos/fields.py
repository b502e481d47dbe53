"""Strict checks of fields read from files: type, range and finiteness, or a typed error.

Readers of kairos files run these after the checksum, so that a file that was
written wrong (a bug, a diverged run) or crafted is refused with a
:class:`~kairos.errors.ValidationError` naming the field, before any kernel
sees it. JSON gives ``bool`` where an ``int`` is expected and ``int`` where a
``float`` is, so the checks say exactly which they accept.

Example
-------
>>> require_int("seed", 3, lo=0)
3
>>> require_int("seed", True, lo=0)
Traceback (most recent call last):
...
kairos.errors.ValidationError: seed: got True (bool), expected an integer
"""

from __future__ import annotations

import math
from typing import Any

from kairos.errors import ValidationError


def _shown(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def require_int(field: str, value: Any, *, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` if it is an ``int`` (not a bool) in ``[lo, hi]``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(field, f"got {_shown(value)}, expected an integer")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValidationError(field, f"got {_shown(value)}, expected an integer in [{lo}, {hi}]")
    return value


def require_float(
    field: str,
    value: Any,
    *,
    lo: float = -math.inf,
    hi: float = math.inf,
    hi_open: bool = False,
) -> float:
    """``value`` as a float if it is a finite number in ``[lo, hi]`` (``[lo, hi)`` if ``hi_open``)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValidationError(field, f"got {_shown(value)}, expected a number")
    out = float(value)
    above = out >= hi if hi_open else out > hi
    if not math.isfinite(out) or out < lo or above:
        bracket = ")" if hi_open else "]"
        raise ValidationError(
            field, f"got {_shown(value)}, expected a finite number in [{lo}, {hi}{bracket}"
        )
    return out


def require_bool(field: str, value: Any) -> bool:
    """``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise ValidationError(field, f"got {_shown(value)}, expected true or false")
    return value


def require_str(field: str, value: Any, *, max_len: int = 4096) -> str:
    """``value`` if it is a string of at most ``max_len`` characters."""
    if not isinstance(value, str) or len(value) > max_len:
        raise ValidationError(
            field, f"got {_shown(value)}, expected a string of <= {max_len} chars"
        )
    return value


def require_dict(field: str, value: Any) -> dict:
    """``value`` if it is a dict (a JSON object)."""
    if not isinstance(value, dict):
        raise ValidationError(field, f"got {_shown(value)}, expected an object")
    return value


def require_list(field: str, value: Any, *, max_len: int | None = None) -> list:
    """``value`` if it is a list (a JSON array) of at most ``max_len`` items."""
    if not isinstance(value, list):
        raise ValidationError(field, f"got {_shown(value)}, expected a list")
    if max_len is not None and len(value) > max_len:
        raise ValidationError(field, f"has {len(value)} items, at most {max_len} allowed")
    return value
