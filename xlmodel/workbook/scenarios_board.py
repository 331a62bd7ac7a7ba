"""The Scenarios sheet's board blocks: each scenario against the first, its annual P&L by fiscal year, and
every scenario's cash on one calendar axis.

Like the figures above them, these are the engine's numbers for each scenario's inputs as generated (a
spreadsheet computes only the live scenario); the sheet's status line says STALE once an input is edited.
The differences against the first scenario are those numbers' differences.
"""

from __future__ import annotations

import math

from openpyxl.chart import LineChart, Reference, Series

from ..dates import fiscal_years, month_end
from . import styles as S

#: the annual lines a board compares: (the Annual sheet's row, label, sign); net burn is EBITDA less than 0
ANNUAL_LINES = (
    ("annual_revenue_by_year", "Net revenue", 1),
    ("annual_gross_profit_by_year", "Gross profit", 1),
    ("annual_ebitda_by_year", "EBITDA", 1),
    ("annual_ebitda_by_year", "Net burn", -1),
    ("annual_cash_by_year", "Cash at the year's end", 1),
)
#: the width of a character of a column in centimetres (7 px at 96 dpi), to size a chart to columns
COLUMN_CM = 7 / 96 * 2.54
#: distinct colours for the scenarios' cash lines (the first: the house blue)
COLOURS = ("1F3864", "C00000", "007A33", "B45F06", "7030A0", "00B0F0", "7F7F7F", "FFC000")


def delta_rows(b, ws, row: int, figure_rows: list[int], first: int, k: int) -> int:
    """From ``row``: each figure of each scenario less the first's, in the same scenario columns (the first's
    empty), the engine's numbers as the figures above are; dates and flags have no difference. The row
    after."""
    base = b.scenarios[0][0]
    b.section(ws, row, f"Against {base}: each scenario's figure less {base}'s", first + k - 1)
    row += 1
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    for r in figure_rows:
        fmt = ws.cell(r, first).number_format
        cells = [ws.cell(r, first + i).value for i in range(k)]
        if fmt == S.FORMATS["date"] or not any(number(v) for v in cells):
            continue  # a date, a flag: no difference
        b.text(ws, f"A{row}", f"{ws[f'A{r}'].value} vs {base}")
        b.text(ws, f"C{row}", ws[f"C{r}"].value, S.UNIT_FONT)
        for i in range(1, k):
            v = cells[i] - cells[0] if number(cells[i]) and number(cells[0]) else "-"
            c = ws.cell(row=row, column=first + i, value=v)
            b.styled(c, S.FORMULA_FONT, None, fmt, align=S.RIGHT)
        row += 1
    return row


def annual_block(b, ws, row: int, expected: list[dict], big: bool, first: int) -> int:
    """Each annual line by fiscal year (rows), one column per scenario under the sheet's scenario headers;
    a scenario that starts at its own month has its own years (empty where it has none). The row after."""
    a = b.a
    years = [
        [y.label.split(" (")[0] for y in fiscal_years(b.n_months, b.scenario_start(i), a.fiscal_year_start)]
        for i in range(len(b.scenarios))
    ]
    labels = sorted({y for ys in years for y in ys}, key=lambda y: (len(y), y))
    b.section(
        ws, row, "Annual P&L by scenario, by fiscal year (the engine's numbers)", first + len(years) - 1
    )
    row += 1
    fmt = S.FORMATS["millions" if big else "total"]
    for key, label, sign in ANNUAL_LINES:
        if not all(key in e for e in expected):
            continue
        for year in labels:
            b.text(ws, f"A{row}", f"{label}, {year}")
            b.text(ws, f"C{row}", a.currency, S.UNIT_FONT)
            for i, e in enumerate(expected):
                if year not in years[i]:
                    continue
                v = _number(e[key][years[i].index(year)])
                c = ws.cell(row=row, column=first + i, value=None if v is None else sign * v)
                b.styled(c, S.FORMULA_FONT, None, fmt, align=S.RIGHT)
            row += 1
    return row


def cash_chart(b, ws, anchor: str, data_row: int, expected: list[dict], big: bool) -> None:
    """Every scenario's cash by calendar month, from its own start (the data from ``data_row``, not printed),
    as one line chart at ``anchor``."""
    starts = [b.scenario_start(i) for i in range(len(b.scenarios))]
    if not all("cash_by_month" in e for e in expected) or not all(starts):
        return
    index = lambda start: int(start[:4]) * 12 + int(start[5:7]) - 1
    first = min(index(s) for s in starts)
    last = max(index(s) + len(e["cash_by_month"]) for s, e in zip(starts, expected))
    b.text(ws, f"A{data_row}", "Cash by calendar month, per scenario (the chart's data; not printed)")
    top = data_row + 1
    for j in range(last - first):
        y, m = divmod(first + j, 12)
        c = ws.cell(row=top + 1 + j, column=1, value=month_end(1, f"{y:04d}-{m + 1:02d}"))
        c.number_format = "mmm yy"
    ch = LineChart()
    ch.title = "Cash by scenario"
    ch.y_axis.title = f"{b.a.currency}{' millions' if big else ''}"
    ch.y_axis.number_format = "#,##0,," if big else "#,##0"
    ch.x_axis.number_format = "mmm yy"
    ch.x_axis.title = "Month end"
    # within CHART_ROWS rows, on the page of the annual lines; as wide as the scenario, Picked and Agrees columns
    ch.height, ch.width = 6.5, max(14.0, (len(b.scenarios) + 2) * 14 * COLUMN_CM)
    for i, ((name, _), start, e) in enumerate(zip(b.scenarios, starts, expected)):
        col = 2 + i
        ws.cell(row=top, column=col, value=name)
        for t, v in enumerate(e["cash_by_month"]):
            ws.cell(row=top + 1 + index(start) - first + t, column=col, value=_number(v))
        s = Series(Reference(ws, min_col=col, min_row=top + 1, max_row=top + last - first), title=name)
        s.smooth = False
        s.graphicalProperties.line.solidFill = COLOURS[i % len(COLOURS)]
        s.graphicalProperties.line.width = 22000
        ch.series.append(s)
    ch.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + last - first))
    ch.x_axis.delete = False
    ch.y_axis.delete = False
    ch.x_axis.tickLblPos = "low"
    ws.add_chart(ch, anchor)


def _number(v):
    v = float(v) if v is not None else None
    return None if v is None or not math.isfinite(v) else v
