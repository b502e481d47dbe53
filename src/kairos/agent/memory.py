"""A persistent memory of verified solutions, consulted before any search.

The first trait of non-intelligence is spending the same time on a task seen
before. :class:`SolutionMemory` removes it: a solved task's action path is
stored under a key of its initial state, and the next time the same task comes
the path is replayed and verified instead of searched for, at zero expansions.

The key is the SHA-256 of the domain's name and its text rendering of the
initial state. The rendering, unlike a packed state, shows the whole instance
(for Sokoban the walls and goals too), so two different levels never share a
key even when their player and boxes stand on the same cells.

File format (``.kmem``): a :mod:`kairos.container` with magic ``KMEM``,
version 1, a JSON header ``{"entries": N}`` and a UTF-8 JSON payload mapping
key -> ``{"domain", "problem", "actions"}``. Writes are atomic.

Example
-------
>>> from kairos.domains.stp import SlidingTile
>>> memory = SolutionMemory()
>>> puzzle = SlidingTile([1, 0, 2, 3, 4, 5, 6, 7, 8], 3)
>>> memory.recall(puzzle) is None
True
>>> memory.remember(puzzle, [2])  # L moves the blank left: solved
>>> memory.recall(puzzle)
(2,)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from kairos.container import parse_json, read_container, write_container
from kairos.domains.base import Domain, replay
from kairos.errors import MalformedFileError, SolutionError

MEMORY_MAGIC = b"KMEM"
MEMORY_VERSION = 1


def task_key(domain: Domain) -> str:
    """Stable key of a task: SHA-256 (hex) of its domain name and rendered initial state."""
    text = f"{domain.name}\n{domain.render(domain.initial_state())}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SolutionMemory:
    """Verified solutions keyed by initial state, optionally backed by a file.

    Parameters
    ----------
    path : path-like or None
        File to load from (if it exists) and to :meth:`save` to. ``None`` keeps
        the memory in RAM only.

    Raises
    ------
    FileFormatError
        If ``path`` exists but is not a valid memory file (foreign, truncated,
        corrupted or of an unsupported version).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = None if path is None else Path(path)
        self._entries: dict[str, dict] = {}
        if self.path is not None and self.path.exists():
            self._entries = _read(self.path)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, domain: Domain) -> bool:
        return task_key(domain) in self._entries

    def recall(self, domain: Domain) -> tuple[int, ...] | None:
        """The stored solution of this task, verified by replay; None if unknown.

        Raises
        ------
        SolutionError
            If a stored path fails verification (the memory file was written for
            a different task with a colliding key, or tampered with consistently
            enough to pass its checksum). Wrong answers are never returned.
        """
        entry = self._entries.get(task_key(domain))
        if entry is None:
            return None
        actions = tuple(entry["actions"])
        if not replay(domain, actions):
            raise SolutionError(
                f"memory entry for {entry.get('problem', '?')!r} does not solve "
                f"{getattr(domain, 'name', 'the task')!r}; the memory file is wrong"
            )
        return actions

    def remember(self, domain: Domain, actions: Sequence[int], *, problem: str = "") -> None:
        """Store a solution after verifying it; a shorter one replaces a longer one.

        Raises
        ------
        SolutionError
            If ``actions`` does not solve the task.
        """
        actions = tuple(int(a) for a in actions)
        if not replay(domain, actions):
            raise SolutionError(f"refusing to remember a path that does not solve {problem!r}")
        key = task_key(domain)
        old = self._entries.get(key)
        if old is None or len(actions) < len(old["actions"]):
            self._entries[key] = {
                "domain": domain.name,
                "problem": problem,
                "actions": list(actions),
            }

    def save(self, path: str | Path | None = None) -> Path:
        """Write the memory atomically to ``path`` (default: the path it was opened with)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("this memory has no path; pass one to save()")
        payload = json.dumps(self._entries, sort_keys=True, separators=(",", ":")).encode()
        write_container(
            target, MEMORY_MAGIC, MEMORY_VERSION, {"entries": len(self._entries)}, payload
        )
        return target


def _read(path: Path) -> dict[str, dict]:
    _, header, payload = read_container(path, magic=MEMORY_MAGIC, versions={MEMORY_VERSION})
    entries = parse_json(payload, path=path, what="payload")
    if not isinstance(entries, dict) or len(entries) != header.get("entries"):
        raise MalformedFileError(path, "entry count does not match the header")
    for key, entry in entries.items():
        if not (
            len(key) == 64
            and all(c in "0123456789abcdef" for c in key)
            and isinstance(entry, dict)
            and isinstance(entry.get("domain"), str)
            and isinstance(entry.get("problem", ""), str)
            and isinstance(entry.get("actions"), list)
            and all(type(a) is int and 0 <= a < 2**31 for a in entry["actions"])
        ):
            raise MalformedFileError(path, f"entry {key[:12]!r}… is malformed")
    return entries
