"""The fixed train/eval split of the development tasks, by a hash of the task name.

A task is in the *train* half when the first byte of ``sha256(name)`` is even,
else in the *eval* half: fixed, documented, and independent of file order, so
the benchmark, the shipped prior's training and the demo see the same halves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from kairos.domains.programs.tasks import Task


def in_train_half(name: str) -> bool:
    """Whether task ``name`` is in the train half (first byte of sha256(name) even)."""
    return hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0


def split_tasks(tasks: Sequence[Task]) -> tuple[list[Task], list[Task]]:
    """``(train, eval)`` halves of ``tasks``, each in file order."""
    train = [t for t in tasks if in_train_half(t.name)]
    return train, [t for t in tasks if not in_train_half(t.name)]
