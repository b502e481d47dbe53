"""HTML report: an ordered list of sections, each made of text, tables and figures."""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kairos.container import atomic_write_text
from kairos.plotting import figure_to_data_uri

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 2em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; }
figure img { max-width: 100%; height: auto; display: block; }
.wide { overflow-x: auto; max-width: 100%; } pre { overflow-x: auto; max-width: 100%; }
.note { color: #555; font-size: 0.9em; } .error { color: #a00; }
section.failed h2 { color: #a00; border-bottom-color: #a00; }
"""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e3 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@dataclass
class Section:
    """One titled part of a report. Blocks render in the order they are added."""

    title: str
    blocks: list[str] = field(default_factory=list)
    status: str = "ok"  # "failed" renders the section as failed

    def text(self, paragraph: str, *, css_class: str | None = None) -> Section:
        """Add a paragraph of plain text (escaped)."""
        cls = f' class="{css_class}"' if css_class else ""
        self.blocks.append(f"<p{cls}>{html.escape(paragraph)}</p>")
        return self

    def table(self, rows: Sequence[Mapping[str, Any]], *, caption: str | None = None) -> Section:
        """Add a table from dicts sharing keys (the first row's keys give the columns)."""
        if not rows:
            return self.text("(no rows)", css_class="note")
        cols = list(rows[0].keys())
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c, '')))}</td>" for c in cols) + "</tr>"
            for r in rows
        )
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        self.blocks.append(
            f"<div class='wide'><table>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )
        return self

    def figure(self, fig: Any, *, caption: str = "") -> Section:
        """Embed a matplotlib figure as PNG (the figure is closed)."""
        uri = figure_to_data_uri(fig)
        self.blocks.append(
            f'<figure><img src="{uri}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        return self

    def preformatted(self, text: str) -> Section:
        """Add monospace text (e.g. a rendered puzzle)."""
        self.blocks.append(f"<pre>{html.escape(text)}</pre>")
        return self


@dataclass
class Report:
    """A titled, ordered collection of :class:`Section` rendered to one HTML file."""

    title: str
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> Section:
        """Append ``section`` and return it."""
        self.sections.append(section)
        return section

    def render(self) -> str:
        """The whole report as an HTML string."""
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        toc = "".join(
            f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>'
            for i, s in enumerate(self.sections)
        )
        parts = [
            "<!DOCTYPE html><html><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1><p class='note'>Generated {stamp}</p><ul>{toc}</ul>",
        ]
        for i, s in enumerate(self.sections):
            status = html.escape(s.status)
            parts.append(f'<section class="{status}" data-status="{status}">')
            parts.append(f'<h2 id="s{i}">{html.escape(s.title)}</h2>')
            parts.extend(s.blocks)
            parts.append("</section>")
        parts.append("</body></html>")
        return "\n".join(parts)

    def write(self, path: str | Path) -> Path:
        """Atomically write the report to ``path``."""
        atomic_write_text(path, self.render())
        return Path(path)
