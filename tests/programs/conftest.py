"""Where the shared development tasks are (the repo's sibling ``shared`` folder)."""

from pathlib import Path

DEV_TASKS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "programs" / "list_tasks.json"
)
