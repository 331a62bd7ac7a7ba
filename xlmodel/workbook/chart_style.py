"""One look for every chart: distinct series colours (printable, told apart in grey), round markers on short
series, dashed lines for the counterfactual ("without the migration", a plan against an actual)."""

from __future__ import annotations

from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties

#: distinct colours, dark enough to print: navy, orange, green, red, purple, brown, teal, olive, pink, grey
PALETTE = ("1F3864", "E36C09", "2E7D32", "C00000", "7030A0", "8B5A2B", "00838F", "827717", "AD1457", "595959")
#: a series with up to this many points gets round markers (a long timeline stays a line)
MARKER_POINTS = 60


def style_series(s, i: int, points: int = 0, dashed: bool = False, width_pt: float = 1.75) -> None:
    """Series ``i`` of a chart: its own colour, a ``width_pt`` line, dashed if ``dashed``, round markers when
    the series has at most :data:`MARKER_POINTS` points."""
    colour = PALETTE[i % len(PALETTE)]
    line = s.graphicalProperties.line
    line.solidFill = colour
    line.width = int(width_pt * 12700)  # EMU
    if dashed:
        line.dashStyle = "dash"
    s.smooth = False
    if 0 < points <= MARKER_POINTS:
        s.marker = Marker(symbol="circle", size=4)
        s.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        s.marker.graphicalProperties.line.solidFill = colour
    else:
        s.marker = Marker(symbol="none")
