"""Matplotlib helpers: a headless backend and embedding figures as data URIs."""

from __future__ import annotations

import base64
import io
from typing import Any


def new_figure(width_in: float = 6.4, height_in: float = 4.0) -> tuple[Any, Any]:
    """Create a figure and one axes on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=100)
    return fig, ax


def figure_to_data_uri(fig: Any) -> str:
    """Render ``fig`` as PNG and return a ``data:image/png;base64,...`` URI; closes the figure."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def save_figure(fig: Any, path: str) -> None:
    """Save ``fig`` as a PNG file (written atomically) and close it."""
    import matplotlib.pyplot as plt

    from kairos.container import atomic_write_bytes

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
