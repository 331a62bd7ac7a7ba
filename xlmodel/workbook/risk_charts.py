"""The Risk sheet's tornado and histograms: each table with its chart under it, on a page of its own.

The numbers are the engine's (:func:`xlmodel.workbook.risk_sheet.risk_values`); the charts sit under their
tables, within the sheet's first printed page across, so that printing at the pack's 75% never cuts one.
"""

from __future__ import annotations

import math

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.pagebreak import Break

from ..engine import OUTPUT_UNITS
from ..outputs import HORIZON_NEVER
from . import styles as S
from .cover_sheet import not_within

TORNADO_OUTPUT = "runway_months"
#: what the tornado ranks when no input moves the runway (cash lasts the horizon at every end): the months cash
#: lasts at the last quarter's burn, else the cash at the end of the horizon
TORNADO_FALLBACKS = ("runway_after_horizon", "ending_cash")
HISTOGRAMS = ("runway_months", "migration_npv")
#: the tornado's outputs as its title and columns name them
TORNADO_LABELS = {
    "runway_months": "The runway",
    "runway_after_horizon": "The runway at the last quarter's burn",
    "ending_cash": "Cash at the end of the horizon",
}
TORNADO_SHORT = {"runway_months": "Runway", "runway_after_horizon": "Runway", "ending_cash": "Ending cash"}
#: inputs the engine takes that the workbook shows in another row
WB_ROW = {"cost_per_mau": "other_cost_per_mau"}


def tornado_output(sim) -> str:
    """The output the tornado ranks: the runway, or the first of :data:`TORNADO_FALLBACKS` that an input moves
    (from a base that is a number) when no input moves the runway."""
    for name in (TORNADO_OUTPUT, *TORNADO_FALLBACKS):
        base = sim.base_values.get(name) if name in sim.outputs else None
        if base is None or (name != TORNADO_OUTPUT and not math.isfinite(base)):
            continue
        ends = [x for r in sim.tornado(name) for x in (r["at_low"], r["at_high"]) if not math.isnan(x)]
        if any(x != base for x in ends):
            return name
    return TORNADO_OUTPUT


def simulated_cell(v, name: str | None = None, horizon: int | None = None):
    """A simulated value as a cell: never and n/a as text; the never of a month found by walking the
    projection (``name`` in ``HORIZON_NEVER``) as "not within 36 months" of the simulation's ``horizon``."""
    if isinstance(v, float) and math.isinf(v):
        if v > 0 and name in HORIZON_NEVER and horizon is not None:
            return not_within(horizon)
        return "never"
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    return v


def output_label(name: str) -> str:
    """An output's name as a label: words apart, the first letter and NPV, LTV, CAC and MAU in capitals."""
    words = {"npv": "NPV", "ltv": "LTV", "cac": "CAC", "mau": "MAU"}
    text = " ".join(words.get(w, w) for w in name.split("_"))
    return text[:1].upper() + text[1:]


def output_format(name: str, big: bool = False) -> str:
    """Number format of an output's statistics; money in millions when the numbers are that large."""
    unit = OUTPUT_UNITS.get(name, "currency")
    if big and unit.startswith("currency"):
        return '#,##0.0,,"M"'
    unit = OUTPUT_UNITS.get(name, "currency")
    if unit == "months":
        return S.FORMATS["months"]
    if unit == "month":
        return S.FORMATS["month"]
    if unit.startswith("fraction") or unit == "yes/no":  # a yes/no's statistics are shares of the draws
        return S.FORMATS["percent"]
    if unit == "ratio":
        return S.FORMATS["ratio"]
    return S.FORMATS["money"]


class RiskCharts:
    """The tornado and the histograms of the Risk sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def _tornado(self, ws, row, values, width):
        n = len(values["runway_tornado_low"])
        output = values["tornado_output"]
        label = TORNADO_LABELS.get(output, output_label(output))
        ws.row_breaks.append(Break(id=row - 1))  # the tornado, table and chart, on a page of its own
        self.section(
            ws,
            row,
            f"Tornado of {label.lower()}: each range at its low and high, every other input at its "
            "base value (a never counts as the horizon in the chart)",
            width,
        )
        row += 1
        self.text(ws, f"A{row}", "The output ranked", S.SECTION_FONT)
        self.text(ws, f"B{row}", output, S.NAME_FONT)
        self.define("tornado_output", ws, f"B{row}")
        if output != TORNADO_OUTPUT:  # why not the runway
            self.text(
                ws,
                f"C{row}",
                f"no input moves the runway: cash lasts the {self.sim.horizon} months at every end",
                S.UNIT_FONT,
            )
        row += 1
        short = TORNADO_SHORT.get(output, "Output")
        self._numbers_header(
            ws,
            row,
            [
                "Input",
                "",
                "",
                "Low",
                "High",
                f"{short} at low",
                f"{short} at high",
                "Change at low",
                "Change at high",
            ],
        )
        row += 1
        first = row
        base = self.sim.base_values[output]
        h = self.sim.horizon
        cap = lambda x: h if math.isinf(x) else x
        rows = self.sim.tornado(output)
        money = OUTPUT_UNITS.get(output, "").startswith("currency")
        big = money and self.big_money()
        out_fmt = output_format(output, big) if money else "0.0"
        for i, r in enumerate(rows):
            self.text(ws, f"A{row}", r["input"])
            fmt = (
                ws.parent["Inputs"]
                .cell(row=self.input_rows.get(WB_ROW.get(r["input"], r["input"]), 8), column=5)
                .number_format
            )
            for col, v, f in (
                ("D", r["low"], fmt),
                ("E", r["high"], fmt),
                ("F", r["at_low"], out_fmt),
                ("G", r["at_high"], out_fmt),
                ("H", values["runway_tornado_change_low"][i], out_fmt),
                ("I", values["runway_tornado_change_high"][i], out_fmt),
            ):
                v = simulated_cell(v, output if col in "FG" else None, h)
                if isinstance(v, str):
                    self.text(ws, f"{col}{row}", v, S.FORMULA_FONT, align=S.RIGHT)
                else:
                    self.styled(ws.cell(row=row, column=ord(col) - 64, value=v), S.FORMULA_FONT, None, f)
            row += 1
        last = row - 1
        self.define("runway_tornado_inputs", ws, f"A{first}:A{last}")
        for col, name in (
            ("D", "low"),
            ("E", "high"),
            ("F", "at_low"),
            ("G", "at_high"),
            ("H", "change_low"),
            ("I", "change_high"),
        ):
            self.define(f"runway_tornado_{name}", ws, f"{col}{first}:{col}{last}")
        ch = BarChart()
        ch.type = "bar"
        ch.grouping = "clustered"
        ch.overlap = 100
        ch.gapWidth = 40
        unit = f"{self.a.currency} millions" if big else (self.a.currency if money else "months")
        shown = f"{cap(base) / 1e6:,.1f}M" if big else f"{cap(base):,.1f}"
        ch.title = f"What moves {label.lower()} ({unit} vs the base {shown})"
        ch.x_axis.scaling.orientation = "maxMin"  # largest swing on top
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ch.y_axis.title = f"{unit} vs base"
        ch.y_axis.number_format = "#,##0,," if big else "0"
        ch.y_axis.majorGridlines = None
        ch.x_axis.tickLblPos = "low"
        for col, title in ((8, "input at its low"), (9, "input at its high")):
            s = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=title)
            ch.series.append(s)
        ch.dataLabels = (
            DataLabelList()
        )  # each bar's change in months, at its end; a change of 0 shows nothing
        ch.dataLabels.showVal = True
        ch.dataLabels.numFmt = '+#,##0.0,,;-#,##0.0,,;""' if big else '+0.0;-0.0;""'
        ch.dataLabels.dLblPos = "outEnd"
        for k in ("showLegendKey", "showCatName", "showSerName", "showPercent", "showBubbleSize"):
            setattr(ch.dataLabels, k, False)
        ch.legend.position = "b"  # under the bars it explains, not beside the chart
        ch.legend.overlay = False
        ch.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        ch.height, ch.width = max(9, 3 + 0.9 * n), 32  # within A:I, the first page across at 75%
        ws.add_chart(ch, f"A{row + 1}")  # under its table, on the tornado's page
        return row + 1 + int(ch.height / 0.5) + 3

    def _histograms(self, ws, row, values, width):
        for name in HISTOGRAMS:
            if f"{name}_histogram_share" not in values:
                continue
            label = output_label(name)
            ws.row_breaks.append(Break(id=row - 1))  # each histogram, table and chart, on a page of its own
            self.section(ws, row, f"Distribution of {label}: share of draws in each bin", width)
            row += 1
            self._numbers_header(ws, row, ["Bin", "", "", "From", "To", "Share of draws"])
            row += 1
            first = row
            fmt = output_format(name, big=OUTPUT_UNITS[name].startswith("currency"))
            lo, hi, shares, bins = (values[f"{name}_histogram_{k}"] for k in ("from", "to", "share", "bins"))
            for i, share in enumerate(shares):
                self.text(ws, f"A{row}", bins[i])
                if i < len(lo):
                    self.styled(ws.cell(row=row, column=4, value=lo[i]), S.FORMULA_FONT, None, fmt)
                    self.styled(ws.cell(row=row, column=5, value=hi[i]), S.FORMULA_FONT, None, fmt)
                self.styled(
                    ws.cell(row=row, column=6, value=share), S.FORMULA_FONT, None, S.FORMATS["percent"]
                )
                row += 1
            last = row - 1
            self.define(f"{name}_histogram_from", ws, f"D{first}:D{first + len(lo) - 1}")
            self.define(f"{name}_histogram_to", ws, f"E{first}:E{first + len(lo) - 1}")
            self.define(f"{name}_histogram_share", ws, f"F{first}:F{last}")
            self.define(f"{name}_histogram_bins", ws, f"A{first}:A{last}")
            ch = BarChart()
            ch.type = "col"
            ch.gapWidth = 10
            ch.title = f"{label} over {self.sim.draws:,} draws"
            ch.y_axis.title = "share of draws"
            ch.y_axis.number_format = "0%"
            ch.x_axis.title = f"{label} ({self.unit(OUTPUT_UNITS[name])}, bin middle)"
            ch.x_axis.delete = False
            ch.y_axis.delete = False
            ch.y_axis.majorGridlines = None
            ch.legend = None
            ch.series.append(
                Series(Reference(ws, min_col=6, min_row=first, max_row=last), title="share of draws")
            )
            ch.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
            ch.height, ch.width = 8, 24
            ws.add_chart(ch, f"A{last + 2}")  # under its table: on paper, on the histogram's page
            row = last + 2 + int(ch.height / 0.5) + 2
        return row
