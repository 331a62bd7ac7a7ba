"""The Sensitivity sheet (runway and LTV/CAC over the two inputs that move this plan most) and the cash fan.

A grid of a closed form of the inputs (LTV / CAC at the inputs) is live
formulas: each cell is the output's own formula written out with the two
inputs replaced by its row and column headers (:mod:`.live_grid`), so it
follows the scenario picked on Inputs. A grid of a projection's answer (the
runway) holds the engine's numbers: a two-way table would need a data table
(which not every spreadsheet recalculates) or a copy of the whole projection
per cell. So, as on the Scenarios and Risk sheets, a status and checks keep
them honest: the grid's base cell must equal the live formulas while the
first scenario is live with its inputs as generated, and the Scenarios
sheet says STALE when an input or a change of that scenario is edited. ``xlmodel verify`` computes
the grids again from the workbook's inputs.
"""

from __future__ import annotations

import math

import numpy as np
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from ..errors import AssumptionsError
from ..params import PARAMS, RULES
from . import styles as S
from .chart_style import style_series
from .cover_sheet import WITHIN_HORIZON, cached_headline, not_within, not_within_formula, wrap_not_within
from .expected import expected_values
from .live_grid import Inliner, NotClosedForm, render
from .sensitivity_axes import choose_axes

SENSITIVITY_SHEET = "Sensitivity"
FAN_SHEET = "Cash fan"
#: the grid's axes: (input, how far either side of the base), the base in the middle
AXES = (("churn", (0.5, 0.75, 1.0, 1.25, 1.5)), ("conversion", (0.5, 0.75, 1.0, 1.25, 1.5)))
#: the outputs shown, each a grid: (output, label, format kind)
GRIDS = (("runway_months", "Runway (months)", "months"), ("ltv_to_cac", "LTV / blended CAC", "ratio"))
#: outputs that are closed forms of the inputs (no month of the projection): their grids are live formulas
CLOSED_FORMS = ("ltv_to_cac",)
#: a live grid's steps in their own formats (the others: money per user)
STEP_FORMATS = {"gross_margin": S.FORMATS["percent"], "ltv_to_cac": S.FORMATS["ratio"]}
BASE_FILL = PatternFill("solid", fgColor="FFE699")


def axis_values(name: str, base: float, factors=AXES[0][1]) -> list[float]:
    """The base times each factor, kept within the input's rule (a churn of 1.2 is not a value); the base
    itself always on the axis."""
    rule = RULES[PARAMS[name].rule]
    out = []
    for f in factors:
        v = base * f
        if f != 1.0 and (
            (rule.lo is not None and (v < rule.lo or (v == rule.lo and not rule.lo_incl)))
            or (rule.hi is not None and (v > rule.hi or (v == rule.hi and not rule.hi_incl)))
        ):
            continue
        out.append(float(v))
    return out


def sensitivity_grids(
    scenario: dict, rows: list[float], cols: list[float], rname: str = AXES[0][0], cname: str = AXES[1][0]
) -> dict:
    """output -> grid (rows x cols) of the engine's numbers for ``scenario`` (never as +inf), ``rname`` down
    the rows and ``cname`` across."""
    from ..sensitivity import sensitivity

    return {
        out: np.asarray(
            sensitivity(scenario, rows=(rname, rows), cols=(cname, cols), output=out).values, dtype=float
        )
        for out, _, _ in GRIDS
    }


def _axis_format(values) -> str:
    """A rate (every value within -1..1) as a percent, an amount as a number."""
    return "0.00%" if all(abs(v) < 1 for v in values) else "#,##0.00##"


def _step_value(values: dict, step: str, rname: str, x: float, cname: str, y: float):
    """The engine's value of a live grid's step at ``rname = x`` and ``cname = y``, the other inputs the live
    scenario's (``values``, as the cached results are computed): what the step's cell shows."""
    given = {
        k: v
        for k, v in values.items()
        if (k == "retention" or not isinstance(v, list)) and k not in ("cash", "monthly_tokens")
    }
    exp = expected_values(dict(given, **{rname: x, cname: y}, blended_cac=0.0))[0]
    v = exp.get(step)
    if v is None:
        return "no revenue" if step == "gross_margin" else "n/a"
    return "never" if isinstance(v, float) and math.isinf(v) else float(v)


class SensitivitySheet:
    """The Sensitivity sheet and the cash fan (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def _live_grids(self, rname: str, cname: str) -> dict[str, list]:
        """output -> its steps (:meth:`.live_grid.Inliner.steps`) from the two inputs, for each of
        :data:`CLOSED_FORMS` that the workbook's formulas write as live steps."""
        inliner, out = Inliner(self.wb), {}
        for name in CLOSED_FORMS:
            if name not in self.wb.defined_names:
                continue
            try:
                out[name] = inliner.steps(name, {rname, cname})
            except (NotClosedForm, RecursionError):
                continue  # its grid stays the engine's numbers, with the status
        return out

    def _step_grids(self, ws, row: int, live: dict, axes: tuple, heads: dict) -> dict:
        """Under the page, one grid per step of each live output (each a step's formula from the Unit economics
        sheet at every pair of values); returns (output, step) -> the row of its first value row."""
        (rname, rows), (cname, cols) = axes
        where: dict = {}
        for out, steps in live.items():
            if len(steps) < 2:
                continue
            self.section(
                ws, row, f"How the {out} grid is computed: each step at every pair of values", 2 + len(cols)
            )
            row += 1
            for step, parts in steps[:-1]:
                self.text(ws, f"A{row}", step, S.HEADER_FONT, S.HEADER_FILL)
                for j in range(len(cols)):
                    col = get_column_letter(2 + j)
                    c = self.formula(
                        ws, f"{col}{row}", f"={col}${heads[out][1]}", heads[out][3], S.HEADER_FONT
                    )
                    self.styled(c, S.HEADER_FONT, S.HEADER_FILL, heads[out][3], align=S.RIGHT)
                where[(out, step)] = row + 1
                for i in range(len(rows)):
                    r = row + 1 + i
                    self.formula(
                        ws, f"A{r}", f"=$A${heads[out][0] + i}", heads[out][2], S.SECTION_FONT, S.LEFT
                    )
                    for j in range(len(cols)):
                        col = get_column_letter(2 + j)
                        refs = self._step_refs(
                            steps, where, out, rname, cname, i, f"$A{r}", f"{col}${row}", col
                        )
                        self.formula(
                            ws,
                            f"{col}{r}",
                            render(parts, refs),
                            STEP_FORMATS.get(step, S.FORMATS["sig"]),
                            align=S.RIGHT,
                        )
                        self._cached_later(
                            ws,
                            f"{col}{r}",
                            lambda v, s=step, x=rows[i], y=cols[j]: _step_value(v, s, rname, x, cname, y),
                        )
                row += len(rows) + 2
        return where

    @staticmethod
    def _step_refs(steps, where, out, rname, cname, i, row_ref, col_ref, col) -> dict:
        """The references of a step's parts at grid place (i, column ``col``)."""
        refs = {("input", rname): row_ref, ("input", cname): col_ref}
        for step, _ in steps:
            if (out, step) in where:
                refs[("step", step)] = f"{col}{where[(out, step)] + i}"
        return refs

    def sensitivity_sheet(self):
        names = self.wb.defined_names
        if not all(out in names for out, _, _ in GRIDS):
            return
        sname, s = self.scenarios[0]
        scenario = dict(self.a.scenario(sname), horizon=self.n_months)
        try:
            axes = choose_axes(self.a, sname, scenario, grid=self.grid)
        except AssumptionsError:
            if self.grid is not None:
                raise
            return  # fewer than two inputs with a neighbourhood to show
        (rname, rows), (cname, cols) = axes_ = axes.rows, axes.cols
        grids = sensitivity_grids(scenario, rows, cols, rname, cname)
        ws = self.wb.create_sheet(SENSITIVITY_SHEET)
        live = self._live_grids(rname, cname)
        pending, heads = [], {}  # the live grids' cells, written once their steps have a place
        self.title(
            ws,
            "Sensitivity",
            f"Each output with {rname} down the rows and {cname} across, the base highlighted; the two "
            f"inputs: {axes.how}. A closed form ({', '.join(live) or 'none here'}) is live formulas of the "
            f"scenario picked on Inputs; the others are the engine's numbers for scenario {sname} as generated "
            "(their status says whether they still hold).",
        )
        self.text(ws, "A4", "Scenario", S.SECTION_FONT)
        self.text(ws, "B4", sname)
        self.define("sensitivity_scenario", ws, "B4")
        self.text(ws, "D4", "Status", S.SECTION_FONT)
        self.formula(
            ws,
            "E4",
            '=IF(scenarios_fresh,"CURRENT: the inputs are as generated","STALE: an input was edited; '
            'generate the workbook again")',
            font=S.LINK_FONT,
        )
        self.define("sensitivity_status", ws, "E4")
        ws.conditional_formatting.add(
            "E4", FormulaRule(formula=['LEFT($E$4,5)="STALE"'], font=S.FAIL_FONT, fill=S.FAIL_FILL)
        )
        self.text(ws, "A5", "Down the rows", S.SECTION_FONT)
        self.text(ws, "B5", rname)
        self.define("sensitivity_row_input", ws, "B5")
        self.text(ws, "D5", "Across", S.SECTION_FONT)
        self.text(ws, "E5", cname)
        self.define("sensitivity_col_input", ws, "E5")
        row = 7
        base_i, base_j = rows.index(float(scenario[rname])), cols.index(float(scenario[cname]))
        rfmt, cfmt = (_axis_format(v) for v in (rows, cols))
        for out, label, kind in GRIDS:
            self.section(
                ws,
                row,
                f"{label}: live formulas (the live scenario)"
                if out in live
                else f"{label}: the engine's numbers (scenario {sname}; see the status)",
                2 + len(cols),
            )
            row += 1
            self.text(ws, f"A{row}", f"{rname} \\ {cname}", S.HEADER_FONT, S.HEADER_FILL)
            for j, v in enumerate(cols):
                c = ws.cell(row=row, column=2 + j, value=v)
                self.styled(c, S.HEADER_FONT, S.HEADER_FILL, cfmt, align=S.RIGHT)
            self.define(f"sensitivity_{out}_cols", ws, f"B{row}:{get_column_letter(1 + len(cols))}{row}")
            first = row + 1
            for i, v in enumerate(rows):
                r = first + i
                c = ws.cell(row=r, column=1, value=v)
                self.styled(c, S.SECTION_FONT, None, rfmt, align=S.LEFT)
                for j in range(len(cols)):
                    x = grids[out][i, j]
                    value = (
                        (not_within(self.n_months) if out in WITHIN_HORIZON else "never")
                        if math.isinf(x)
                        else ("n/a" if math.isnan(x) else float(x))
                    )
                    c = ws.cell(row=r, column=2 + j, value=value)
                    if out in live:  # the closed form, the engine's number as its cached result
                        pending.append((out, i, j, c))
                        heads[out] = (first, first - 1, rfmt, cfmt)
                        self.extra_cached = {
                            **getattr(self, "extra_cached", {}),
                            (ws.title, c.coordinate): value,
                        }
                    self.styled(
                        c,
                        S.FORMULA_FONT,
                        BASE_FILL if (i, j) == (base_i, base_j) else None,
                        S.FORMATS[kind],
                        align=S.RIGHT,
                    )
            last = first + len(rows) - 1
            wrap_not_within(ws, range(first, last + 1), 2, 1 + len(cols))
            self.define(f"sensitivity_{out}_rows", ws, f"A{first}:A{last}")
            self.define(f"sensitivity_{out}_grid", ws, f"B{first}:{get_column_letter(1 + len(cols))}{last}")
            base = f"{get_column_letter(2 + base_j)}{first + base_i}"
            self.define(f"sensitivity_{out}_base", ws, base)
            # beside the grid (off the page): the live output as the grid says it ("not within 36 months")
            live_ref = f"{get_column_letter(3 + len(cols) + 2)}{first}"
            self.text(ws, f"{get_column_letter(3 + len(cols) + 2)}{first - 1}", "Live, as the grid says it")
            shown = not_within_formula(out) if out in WITHIN_HORIZON else out
            self.formula(ws, live_ref, f"={shown}", S.FORMATS[kind], font=S.LINK_FONT, align=S.RIGHT)
            self._cached_later(ws, live_ref, lambda v, o=out: cached_headline(v, o))
            # another scenario live, or an input edited: nothing to compare; a text (never) against a number
            # is not equal, not an error (IFERROR: OR computes every argument)
            b, lv = f"Sensitivity!{base}", f"Sensitivity!{live_ref}"
            self.add_check(
                f"Sensitivity of {out}: the base cell equals the live formulas while scenario {sname} "
                "is live with its inputs as generated",
                f"OR(scenario_index<>1,NOT(scenarios_fresh),IFERROR(ABS({b}-{lv})<=check_tolerance"
                f"*MAX(1,ABS({lv})),{b}={lv}))",
            )
            row = last + 2
        self.text(
            ws,
            f"A{row}",
            "The highlighted cell is the scenario's own inputs; each other cell changes only "
            f"{rname} and {cname}.",
            S.UNIT_FONT,
        )
        if axes.ranking:  # how the two were chosen: each input tried, at its low and its high end
            row += 2
            self.section(ws, row, f"How the two inputs were chosen: {axes.how}", 2 + len(cols))
            row += 1
            self.header(ws, row, ["Input", "Low", "High", "Runway at low", "Runway at high"])
            for name, lo, hi, at_lo, at_hi in axes.ranking:
                row += 1
                self.text(ws, f"A{row}", name)
                for col, v, fmt in (("B", lo, _axis_format([lo])), ("C", hi, _axis_format([hi]))):
                    self.styled(
                        ws.cell(row=row, column=ord(col) - 64, value=float(v)), S.FORMULA_FONT, None, fmt
                    )
                for col, v in (("D", at_lo), ("E", at_hi)):
                    c = ws[f"{col}{row}"]
                    c.value = (
                        not_within(self.n_months) if math.isinf(v) else ("n/a" if math.isnan(v) else float(v))
                    )
                    self.styled(c, S.FORMULA_FONT, None, S.FORMATS["months"], align=S.RIGHT)
            wrap_not_within(ws, range(row - len(axes.ranking) + 1, row + 1), 4, 5)
        printed = row
        where = self._step_grids(ws, row + 3, live, axes_, heads)
        for out, i, j, c in pending:
            col = get_column_letter(2 + j)
            refs = self._step_refs(
                live[out], where, out, rname, cname, i, f"$A{c.row}", f"{col}${heads[out][1]}", col
            )
            c.value = render(live[out][-1][1], refs)
        ws.column_dimensions["A"].width = 24
        for j in range(len(cols)):
            ws.column_dimensions[get_column_letter(2 + j)].width = 14
        self.print_setup(ws, tall_pages=1)
        last = get_column_letter(3 + len(cols))  # the grids and the status text beside them
        ws.print_area = f"A1:{last}{printed}"  # the steps stay on screen
        ws.merge_cells(f"A2:{last}2")  # the subtitle wraps within the page
        ws["A2"].alignment = S.WRAP
        ws.row_dimensions[2].height = 13 * math.ceil(len(ws["A2"].value) / (24 + 14 * len(cols) + 16)) + 2

    def fan_sheet(self):
        """The risk template's cash fan: P10, P50 and P90 of cash by month over the simulated draws."""
        from ..plots import FAN, cash_percentiles

        sim = self.sim
        pct, draws = cash_percentiles(sim)
        n = sim.horizon
        ws = self.wb.create_sheet(FAN_SHEET)
        self.title(
            ws,
            "Cash fan",
            f"P10, P50 and P90 of cash by month over {draws:,} draws of scenario "
            f"{self.sim_name} (the engine's numbers, like the Risk sheet's; its checks "
            "say whether they are still those of the inputs).",
        )
        self.header(ws, 4, ["Percentile", "Name", "Unit", ""] + self.month_headers())
        big = self.big_money()
        fmt = S.FORMATS["millions" if big else "total"]
        for k, p in enumerate(FAN):
            r = 5 + k
            self.text(ws, f"A{r}", f"P{p:g} of cash")
            self.text(ws, f"B{r}", f"cash_p{p:g}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.a.currency, S.UNIT_FONT)
            for t in range(n):
                c = ws.cell(row=r, column=5 + t, value=float(pct[k, t]))
                self.styled(c, S.FORMULA_FONT, None, fmt)
            self.define(f"cash_p{p:g}_by_month", ws, f"E{r}:{get_column_letter(4 + n)}{r}")
        ch = LineChart()
        ch.title = f"Cash fan of scenario {self.sim_name}"
        ch.y_axis.title = f"Cash, {self.a.currency} millions" if big else f"Cash, {self.a.currency}"
        ch.y_axis.number_format = "#,##0,," if big else "#,##0"
        ch.y_axis.majorGridlines = None
        ch.x_axis.tickLblPos = "low"
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        for k, p in enumerate(FAN):
            s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=5 + k), title=f"P{p:g}")
            style_series(s, k, 0, dashed=p != 50)
            ch.series.append(s)
        self.date_headers(ws)  # calendar months ("Mar 24"), as on the Projection
        ch.x_axis.number_format = "mmm yy" if self.a.start else "0"
        ch.x_axis.title = "month" if self.a.start else "month of the plan"
        ch.set_categories(Reference(ws, min_col=5, max_col=4 + n, min_row=4))
        ch.legend.position = "b"
        ch.height, ch.width = 9, 24
        ws.add_chart(ch, f"A{6 + len(FAN)}")
        ws.column_dimensions["A"].width = 20
        ws.column_dimensions["B"].width = 18
        self.print_setup(ws, tall_pages=1)
        ws.print_area = f"A1:P{8 + len(FAN) + 18}"
        self.fan = pct


__all__ = ["SensitivitySheet", "axis_values", "sensitivity_grids", "SENSITIVITY_SHEET", "FAN_SHEET"]
