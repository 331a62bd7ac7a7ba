"""The Plan vs actual sheet: each actual month against the plan's month of the same calendar month, on one page.

Per line (MAU, paying users, revenue, compute, net burn, cash) the month's plan,
actual, variance and variance %; for the flows (revenue, compute, net burn)
also the year to date (the compared months of the month's fiscal year up to
it) and the cumulative variance since the first month compared. Money in
millions, months as "Mar 24". A summary at the latest month compared (revenue
and net burn year to date, MAU at that month) is shown on the Cover.
"""

from __future__ import annotations

import numpy as np
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import styles as S
from .chart_style import style_series
from .migration_sheet import money_ticks

PLAN_ACTUAL_SHEET = "Plan vs actual"
#: the plan vs actual lines: (actual row, the Projection's row, label, +1 if more is better, -1 if less is (a cost))
PLAN_LINES = (
    ("mau", "mau", "MAU", 1),
    ("paying_users", "paying_users", "Paying users", 1),
    ("revenue", "revenue", "Revenue", 1),
    ("compute_cost", "compute", "Compute bill", -1),
    ("net_burn", "net_burn", "Net burn", -1),
    ("cash", "cash", "Cash", 1),
)
#: the flows: summed year to date and cumulated (the others are balances, compared month by month)
FLOWS = ("revenue", "compute_cost", "net_burn")
#: the Cover's summary: (line, "ytd" for a flow's year to date or "latest" for a balance at the latest month)
COVER_LINES = (("revenue", "ytd"), ("net_burn", "ytd"), ("mau", "latest"))
#: conditional formats of a variance: green better than plan, red worse (Excel's Good and Bad styles)
BETTER = dict(fill=PatternFill(bgColor="C6EFCE"), font=Font(color="006100"))
WORSE = dict(fill=PatternFill(bgColor="FFC7CE"), font=Font(color="9C0006"))


class PlanActualSheet:
    """The Plan vs actual sheet and its Cover summary (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def plan_actual_sheet(self, note: str | None):
        """The sheet; ``note``: why nothing is compared (no calendar, no month in common), else None."""
        ws = self.wb.create_sheet(PLAN_ACTUAL_SHEET)
        n = len(self.actuals.months)
        last = get_column_letter(4 + n)
        actuals = quote_sheetname("Actuals")
        self.title(
            ws,
            "Plan vs actual",
            f"Each actual month against the month of plan '{self.plan}' that ends on the same day, while it is "
            "the live scenario: the month, the year to date and since the first month compared. Green: better "
            f"than plan, red: worse (costs and net burn: lower is better). Money in {self.a.currency} millions.",
        )
        self.header(ws, 4, ["Line", "Name", "Unit", ""])
        for j in range(n):  # the calendar month of each actual month, as the other sheets show months
            col = get_column_letter(5 + j)
            self.formula(ws, f"{col}4", f'=EOMONTH(DATEVALUE({actuals}!{col}$4&"-01"),0)', "mmm yy")
            self.styled(ws[f"{col}4"], S.HEADER_FONT, S.HEADER_FILL, "mmm yy", align=S.RIGHT)
        self.define("actual_month_end_by_month", ws, f"E4:{last}4")
        self.swept(ws, f"E4:{last}4")
        if note is not None:
            self.text(ws, "A5", "No variances: " + note.removeprefix("no plan vs actual: "))
            self._pva_print(ws, n, 5)
            return
        r = 5
        self.text(ws, f"A{r}", "Plan: the scenario that was the plan for these months")
        self.text(ws, f"B{r}", "plan_scenario", S.NAME_FONT)
        self.text(ws, f"C{r}", "scenario", S.UNIT_FONT)
        self.text(ws, f"D{r}", self.plan, S.INPUT_FONT, S.INPUT_FILL)
        self.define("plan_scenario", ws, f"D{r}")
        dv = DataValidation(type="list", formula1="scenario_names", allow_blank=False)
        dv.error = "Pick one of the scenario names on Inputs (row 7)."
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"D{r}")
        self.formula(
            ws,
            f"E{r}",
            '=IF(EXACT(scenario,plan_scenario),"The plan is live: its rows follow the '
            'Projection","Pick "&plan_scenario&" as the live scenario (Inputs, D4) to compare")',
        )
        r += 1
        steps: dict[str, int] = {}
        for key, name, label, unit, fmt, formula in (
            (
                "plan_month",
                "actual_plan_month_by_month",
                "Month of the plan with the same month end (n/a: not on the plan's timeline)",
                "month",
                "0",
                lambda col: f'IFERROR(MATCH({col}$4,month_end_by_month,0),"n/a")',
            ),
            (
                "compared",
                "plan_compared_by_month",
                "Compared: the plan is live and has this month",
                "flag",
                None,
                lambda col: f"AND(EXACT(scenario,plan_scenario),ISNUMBER({col}{steps['plan_month']}))",
            ),
            (
                "fiscal_year",
                "actual_fiscal_year_by_month",
                "Its fiscal year (the year to date sums its compared months)",
                "year",
                "0",
                lambda col: (
                    f'IF({col}{steps["compared"]},INDEX(fiscal_year_by_month,1,{col}{steps["plan_month"]}),"n/a")'
                ),
            ),
            (
                "number",
                "actual_compared_number_by_month",
                "Its number among the actual months when compared, else 0",
                "month",
                "0",
                lambda col: f"IF({col}{steps['compared']},{actuals}!{col}5,0)",
            ),
        ):
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", name, S.NAME_FONT)
            self.text(ws, f"C{r}", unit, S.UNIT_FONT)
            for j in range(n):
                col = get_column_letter(5 + j)
                self.formula(ws, f"{col}{r}", "=" + formula(col), fmt, align=S.RIGHT)
            self.define(name, ws, f"E{r}:{last}{r}")
            self.swept(ws, f"E{r}:{last}{r}")
            steps[key] = r
            r += 1
        r = self._pva_lines(ws, r, n, steps)
        r = self._pva_summary(ws, r + 1)
        self._pva_chart(ws, r + 1, n)
        self._pva_print(ws, n, r + 15)  # the chart: about 14 rows

    def _pva_lines(self, ws, r: int, n: int, steps: dict) -> int:
        """Each line's rows: the month's plan, actual, variance and variance %; a flow's year to date and
        cumulative variance. Returns the row after."""
        last = get_column_letter(4 + n)
        money, users = S.FORMATS["millions"], S.FORMATS["users"]
        self.pva_rows = {}
        for key, plan_key, label, sign in PLAN_LINES:
            fmt = users if key in ("mau", "paying_users") else money
            unit = "users" if fmt == users else self.a.currency
            self.section(ws, r, label, 4 + n)
            r += 1
            better = "above" if sign > 0 else "below"
            kinds = [
                ("plan", "plan"),
                ("actual", "actual"),
                ("variance", f"variance (actual - plan; better: {better} plan)"),
                ("variance_pct", "variance, % of plan"),
            ]
            if key in FLOWS:
                kinds += [
                    ("ytd_plan", "year to date: plan"),
                    ("ytd_actual", "year to date: actual"),
                    ("ytd_variance", "year to date: variance"),
                    ("cum_variance", "cumulative variance since the first month compared"),
                ]
            lines = {}
            for kind, text in kinds:
                lines[kind] = r
                name = f"{kind}_{key}_by_month"
                self.text(ws, f"A{r}", f"{label}, {text}")
                self.text(ws, f"B{r}", name, S.NAME_FONT)
                self.text(ws, f"C{r}", "fraction of plan" if kind == "variance_pct" else unit, S.UNIT_FONT)
                for j in range(n):
                    col = get_column_letter(5 + j)
                    f = self._pva_formula(kind, key, plan_key, col, lines, steps)
                    self.formula(
                        ws,
                        f"{col}{r}",
                        "=" + f,
                        S.FORMATS["percent"] if kind == "variance_pct" else fmt,
                        font=S.LINK_FONT if kind in ("plan", "actual") else S.FORMULA_FONT,
                        align=S.RIGHT,
                    )
                if kind != "actual":  # the actual row links the Actuals sheet's row, which carries the name
                    self.define(name, ws, f"E{r}:{last}{r}")
                    self.swept(ws, f"E{r}:{last}{r}")
                else:
                    self.text(ws, f"B{r}", f"(links actual_{key}_by_month)", S.NAME_FONT)
                if "variance" in kind:  # favourable green, unfavourable red; n/a stays plain
                    good, bad = (">", "<") if sign > 0 else ("<", ">")
                    for op, style in ((good, BETTER), (bad, WORSE)):
                        ws.conditional_formatting.add(
                            f"E{r}:{last}{r}",
                            FormulaRule(formula=[f"AND(ISNUMBER(E{r}),E{r}{op}0)"], **style),
                        )
                r += 1
            self.pva_rows[key] = lines
        return r

    def _pva_formula(self, kind: str, key: str, plan_key: str, col: str, lines: dict, steps: dict) -> str:
        """The formula of row ``kind`` of line ``key`` in column ``col`` (``lines``: its rows so far)."""
        on, fy = f"{col}{steps['compared']}", steps["fiscal_year"]
        span = lambda k: f"$E${lines[k]}:{col}{lines[k]}"
        at = lambda k: f"{col}{lines[k]}"
        if kind == "plan":  # the Projection's value in the plan month of this column
            return f'IF({on},INDEX({plan_key}_by_month,1,{col}{steps["plan_month"]}),"n/a")'
        if kind == "actual":
            return f"{quote_sheetname('Actuals')}!{col}{self.actual_rows[key]}"
        if kind in ("variance", "ytd_variance"):
            pre = kind[: -len("variance")]
            return f'IF({on},{at(pre + "actual")}-{at(pre + "plan")},"n/a")'
        if kind == "variance_pct":
            return f'IF({on},IF({at("plan")}=0,"n/a",{at("variance")}/ABS({at("plan")})),"n/a")'
        if kind in ("ytd_plan", "ytd_actual"):  # the compared months of this month's fiscal year up to it
            return f'IF({on},SUMIF($E${fy}:{col}{fy},{col}{fy},{span(kind[4:])}),"n/a")'
        return f'IF({on},SUM({span("variance")}),"n/a")'  # cum_variance

    def _pva_summary(self, ws, r: int) -> int:
        """The summary at the latest month compared (named cells the Cover links); returns the row after."""
        self.section(ws, r, "At the latest month compared (on the Cover)", 4)
        r += 1
        self.text(ws, f"A{r}", "Latest month compared (its number among the actual months; 0: none)")
        self.text(ws, f"B{r}", "pva_latest", S.NAME_FONT)
        self.formula(ws, f"D{r}", "=MAX(actual_compared_number_by_month)", "0", align=S.RIGHT)
        self.define("pva_latest", ws, f"D{r}")
        r += 1
        self.text(ws, f"A{r}", "Its calendar month")
        self.text(ws, f"B{r}", "pva_latest_month_end", S.NAME_FONT)
        self.formula(
            ws,
            f"D{r}",
            '=IF(pva_latest=0,"n/a",INDEX(actual_month_end_by_month,1,pva_latest))',
            "mmm yy",
            align=S.RIGHT,
        )
        self.define("pva_latest_month_end", ws, f"D{r}")
        r += 1
        for key, when in COVER_LINES:
            label = next(lab for k, _, lab, _ in PLAN_LINES if k == key)
            for kind in ("plan", "actual", "variance", "variance_pct"):
                row = f"{'ytd_' if when == 'ytd' and kind != 'variance_pct' else ''}{kind}_{key}_by_month"
                name = f"pva_{when}_{kind}_{key}"
                what = "year to date" if when == "ytd" else "at the latest month"
                self.text(ws, f"A{r}", f"{label} {what}: {kind.replace('_pct', ', % of plan')}")
                self.text(ws, f"B{r}", name, S.NAME_FONT)
                unit = "users" if key == "mau" else self.a.currency
                fmt = S.FORMATS["users"] if key == "mau" else S.FORMATS["millions"]
                if kind == "variance_pct":
                    plan = f"pva_{when}_plan_{key}"
                    f = f'=IF(ISNUMBER({plan}),IF({plan}=0,"n/a",pva_{when}_variance_{key}/ABS({plan})),"n/a")'
                    unit, fmt = "fraction of plan", S.FORMATS["percent"]
                else:
                    f = f'=IF(pva_latest=0,"n/a",INDEX({row},1,pva_latest))'
                self.text(ws, f"C{r}", unit, S.UNIT_FONT)
                self.formula(ws, f"D{r}", f, fmt, align=S.RIGHT)
                self.define(name, ws, f"D{r}")
                self.swept(ws, f"D{r}")
                r += 1
        return r

    def _pva_chart(self, ws, r: int, n: int):
        """MAU, actual against plan, under the tables."""
        lines = self.pva_rows["mau"]
        ch = LineChart()
        ch.title = "MAU: actual vs plan"
        scale, ticks = money_ticks(float(np.abs(self.actuals.columns["mau"]).max()))
        ch.y_axis.title = "MAU, users" + scale
        ch.y_axis.number_format = ticks
        ch.x_axis.title = "calendar month"
        ch.x_axis.number_format = "mmm yy"
        ch.height, ch.width = 6.5, 14
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        for k, (rr, title) in enumerate(
            ((lines["plan"], f"plan ({self.plan})"), (lines["actual"], "actual"))
        ):
            s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=rr), title=title)
            style_series(s, k, n, dashed=k == 0)
            ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=5, max_col=4 + n, min_row=4))
        ws.add_chart(ch, f"A{r}")

    def _pva_print(self, ws, n: int, end: int):
        """One portrait page: the print area the table's columns (the subtitle wraps over them)."""
        last = get_column_letter(max(4 + n, 8))
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].alignment = S.WRAP
        ws.row_dimensions[2].height = 26
        ws.print_area = f"A1:{last}{end}"
        ws.column_dimensions["A"].width = 50
        ws.column_dimensions["B"].width = 26
        ws.column_dimensions["C"].width = 12
        ws.column_dimensions["D"].width = 12
        for j in range(n):
            ws.column_dimensions[get_column_letter(5 + j)].width = 11
        ws.freeze_panes = "E5"
        self.print_setup(ws, tall_pages=1, title_rows="4:4")
        ws.page_setup.orientation = "portrait"

    def plan_actual_cover(self, ws, row: int, col: int) -> int:
        """The Cover's plan vs actual summary in three columns from ``col``; returns the row after."""
        lab, val, unit = (get_column_letter(col + i) for i in range(3))
        for c in (lab, val, unit):
            self.styled(ws[f"{c}{row}"], fill=S.SECTION_FILL)
        self.text(ws, f"{lab}{row}", "Plan vs actual, to", S.SECTION_FONT, S.SECTION_FILL)
        self.formula(ws, f"{val}{row}", "=pva_latest_month_end", "mmm yy", font=S.SECTION_FONT, align=S.RIGHT)
        self.text(ws, f"{unit}{row}", f"plan '{self.plan}'", S.SECTION_FONT, S.SECTION_FILL)
        row += 1
        for key, when in COVER_LINES:
            label = next(lab for k, _, lab, _ in PLAN_LINES if k == key)
            what = "YTD" if when == "ytd" else "(latest month)"
            for kind, text in (("actual", "actual"), ("variance", "vs plan")):
                self.text(ws, f"{lab}{row}", f"{label} {what}, {text}")
                fmt = S.FORMATS["users"] if key == "mau" else S.FORMATS["millions"]
                self.formula(
                    ws, f"{val}{row}", f"=pva_{when}_{kind}_{key}", fmt, font=S.LINK_FONT, align=S.RIGHT
                )
                if kind == "variance":
                    self.formula(
                        ws,
                        f"{unit}{row}",
                        f"=pva_{when}_variance_pct_{key}",
                        '+0.0%" of plan";-0.0%" of plan"',
                    )
                else:
                    self.text(
                        ws, f"{unit}{row}", "users" if key == "mau" else f"{self.a.currency}", S.UNIT_FONT
                    )
                row += 1
        return row
