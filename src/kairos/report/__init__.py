"""Self-contained HTML reports built from sections.

Each pillar contributes :class:`Section` objects; :class:`Report` renders them
into one HTML file with every plot embedded, so the file can be mailed or
archived on its own.
"""

from kairos.plotting import figure_to_data_uri
from kairos.report.html import Report, Section

__all__ = ["Report", "Section", "figure_to_data_uri"]
