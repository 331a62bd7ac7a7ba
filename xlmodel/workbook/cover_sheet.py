"""The Cover: a one-page dashboard of the live scenario, and where the workbook came from.

The key figures a board asks for first (runway, funding need, break-even,
lowest cash, LTV/CAC, payback, burn multiple), each a link to its named cell;
with ``[model] start`` the months become calendar dates. The Risk template adds
the percentiles of the runway, the udf variant the Excel functions' status.
A cash chart, the provenance (xlmodel's version, the date, the assumptions file
and its SHA-256) and how to use the workbook close the page.
"""

from __future__ import annotations

import calendar
import math

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from .. import __version__
from ..dates import fiscal_years, month_end, serial_date
from ..engine import OUTPUT_UNITS
from ..outputs import HORIZON_NEVER
from . import styles as S
from .chart_style import style_series

#: (name, label, format kind, unit or None for the output's own); in the order a CFO reads them
CASH_FIGURES = (
    ("runway_months", "Runway", "months", "months"),
    ("runway_months_without_funding", "Runway without the rounds", "months", "months"),
    ("runway_months_without_migration", "Runway without the migration", "months", "months"),
    ("funding_need", "Funding need", "big", None),
    ("funding_month", "Month of the raise", "month", "plan month"),
    ("breakeven_month", "Break-even month", "month", "plan month"),
    ("default_alive", "Default alive", "flag", "break-even on its cash"),
    ("lowest_cash", "Lowest cash", "big", None),
    ("lowest_cash_month", "Month of the lowest cash", "month", "plan month"),
    ("ending_cash", "Cash at the end of the horizon", "big", None),
    ("burn_multiple", "Burn multiple (first year)", "multiple", "ratio"),
    ("compute_to_revenue", "Compute to revenue (first year)", "percent", "of net revenue"),
    ("plan_migration_npv", "Migration NPV", "big", None),
    ("plan_migration_payback_month", "Migration payback month", "month", "plan month"),
)
UNIT_FIGURES = (
    ("ltv_to_cac", "LTV / blended CAC", "ratio", "ratio"),
    ("ltv_to_paid_cac", "LTV / paid CAC", "ratio", "ratio"),
    ("payback_months", "Payback on blended CAC", "months", "months"),
    ("payback_months_paid", "Payback on paid CAC", "months", "months"),
    ("cohort_payback_month", "Cohort payback on the curve (Waterfall)", "months", "months of age"),
    ("ltv", "LTV", "sig", None),
    ("blended_cac", "Blended CAC", "money", None),
    ("paid_cac", "Paid CAC", "money", None),
    ("revenue_per_mau", "Revenue per MAU", "money", None),
    ("cost_per_mau", "Compute cost per MAU", "money", None),
    ("contribution_per_mau", "Contribution per MAU", "money", None),
    ("gross_margin", "Gross margin", "percent", "of revenue"),
    ("breakeven_conversion", "Break-even conversion", "percent", "of MAU"),
    ("migration_npv", "Migration NPV", "big", None),
    ("migration_payback_month", "Migration payback month", "month", "month"),
)
#: the unit economics at the inputs are month 1's when there is a projection (its drivers then move)
MONTH_1 = {name for name, *_ in UNIT_FIGURES} - {
    "cohort_payback_month",
    "migration_npv",
    "migration_payback_month",
}
#: the first fiscal years' unit economics from the Annual sheet: (line, label, format kind); a unit after "per"
YEAR_FIGURES = (
    ("gross_margin", "Gross margin (of net revenue)", "percent"),
    ("contribution_per_mau", "Contribution per MAU-month ({cur})", "money"),
    ("blended_cac", "Blended CAC ({cur} per sign-up)", "money"),
    ("paid_cac", "Paid CAC ({cur} per paid sign-up)", "money"),
    ("arppu_net", "ARPPU net ({cur} per payer-month)", "money"),
)
#: how many fiscal years the Cover shows
COVER_YEARS = 2
#: the cohorts template: what the retention triangle says against what the plan assumes
COHORT_FIGURES = (
    ("cohort_churn_observed", "Late churn observed in the cohorts", "percent", "monthly"),
    ("churn", "Churn the live scenario assumes", "percent", "monthly"),
    ("cohort_churn_gap", "Observed less assumed", "percent", "monthly"),
    # the plan's MAU with each (engine values as generated; {t}: the month, {when}: its calendar month)
    ("cohort_mau_12_assumed", "MAU at month {t}, churn assumed", "users", "users{when}"),
    ("cohort_mau_12_curve", "MAU at month {t}, observed curve", "users", "users{when}"),
    ("cohort_mau_end_assumed", "MAU at month {t}, churn assumed", "users", "users{when}"),
    ("cohort_mau_end_curve", "MAU at month {t}, observed curve", "users", "users{when}"),
)
#: the Risk sheet's runway figures shown on the Cover
RISK_FIGURES = (
    ("runway_months_p10", "Runway, P10 (9 in 10 draws last longer)", "months", "months"),
    ("runway_months_p50", "Runway, P50", "months", "months"),
    ("runway_months_p90", "Runway, P90", "months", "months"),
    ("runway_share_below_18", "Share of draws that run out within 18 months", "percent", "of draws"),
)
#: month outputs that get a calendar date beside them (runway: the month it runs out in)
DATED = (
    "runway_months",
    "funding_month",
    "breakeven_month",
    "lowest_cash_month",
    "plan_migration_payback_month",
)


#: month outputs that may not happen within the horizon: "not within 36 months (to Feb 2027)", not "never"
WITHIN_HORIZON = HORIZON_NEVER
#: the Risk sheet's percentiles of the runway: "not within 36 months" of the simulation's horizon
SIMULATED_MONTHS = ("runway_months_p10", "runway_months_p50", "runway_months_p90")
#: a month's short name whatever the program's language (TEXT's date codes differ by locale)
MONTH_NAME = "CHOOSE(MONTH({d})," + ",".join(f'"{m}"' for m in calendar.month_abbr[1:]) + ')&" "&YEAR({d})'
#: the named text "(to Feb 2027)": the horizon's last month, beside a month not within the horizon
HORIZON_END = "horizon_end_text"


def not_within(horizon) -> str:
    """The one wording of a month that does not happen within the horizon: "not within 36 months"."""
    return f"not within {int(horizon)} months"


def wrap_not_within(ws, rows, left: int, right: int, seen: tuple[int, int] | None = None) -> None:
    """Each of ``rows`` with a :func:`not_within` text in a cell of columns ``seen`` (first, last; by default
    ``left``..``right``): that text on two lines in the row's every cell of columns ``left``..``right``,
    right-aligned as the numbers, the row tall enough."""
    lo, hi = seen or (left, right)
    for r in rows:
        if any(
            isinstance(v := ws.cell(row=r, column=j).value, str) and v.startswith("not within")
            for j in range(lo, hi + 1)
        ):
            for j in range(left, right + 1):
                ws.cell(row=r, column=j).alignment = S.WRAP_RIGHT_BOTTOM
            ws.row_dimensions[r].height = 26


def not_within_formula(ref: str, horizon: str = "horizon") -> str:
    """The formula (no "=") that shows ``ref``, its "never" as :func:`not_within` of the named ``horizon``."""
    return f'IF(ISNUMBER({ref}),{ref},IF({ref}="never","not within "&{horizon}&" months",{ref}))'


def date_formula(name: str) -> str:
    """The month-end date of a plan month (a fractional runway: the month it runs out in); for a month not
    within the horizon, the horizon's last month ("(to Feb 2027)"); else a dash."""
    if name in WITHIN_HORIZON:
        return f'=IF(ISNUMBER({name}),EOMONTH(plan_start,MAX(1,ROUNDUP({name},0))-1),IF({name}="never",{HORIZON_END},"-"))'
    return f'=IF(ISNUMBER({name}),EOMONTH(plan_start,MAX(1,ROUNDUP({name},0))-1),"-")'


def _month_end_of(values: dict, t: int):
    """The month-end date of plan month ``t`` on the live scenario's calendar (its headers), or None."""
    ends = values.get("month_end_by_month")
    if not isinstance(ends, list) or not ends or not isinstance(ends[0], (int, float)):
        return None
    first = serial_date(ends[0])
    return month_end(t, f"{first.year:04d}-{first.month:02d}")


def _falls(values: dict) -> bool:
    """Whether the engine's runway at the horizon's burn is a number (the Cover's warning shows)."""
    v = values.get("runway_after_horizon")
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def cached_headline(values: dict, name: str, horizon: int | None = None):
    """What :func:`headline_formula` shows for the engine's ``values`` (the cell's cached result); ``horizon``:
    the simulation's, for a percentile of the runway."""
    v = values.get(name)
    h = horizon if horizon is not None else values.get("horizon")
    if v == "never" and (name in WITHIN_HORIZON or name in SIMULATED_MONTHS) and isinstance(h, (int, float)):
        return not_within(h)
    return v


def cached_horizon_end(values: dict):
    """The text of :data:`HORIZON_END` for the engine's ``values``: "(to Feb 2027)"."""
    last = _month_end_of(values, int(values["horizon"]))
    return None if last is None else f"(to {calendar.month_abbr[last.month]} {last.year})"


def cached_date(values: dict, name: str):
    """What :func:`date_formula` shows for a month not within the horizon ("(to Feb 2027)"); else None."""
    if values.get(name) != "never" or name not in WITHIN_HORIZON:
        return None
    return cached_horizon_end(values)


def headline_formula(name: str) -> str:
    """The link to a headline; a month that does not happen within the horizon says so ("not within 36
    months"), never a bare "never"."""
    if name in WITHIN_HORIZON or name in SIMULATED_MONTHS:
        h = "simulation_horizon" if name in SIMULATED_MONTHS else "horizon"
        return "=" + not_within_formula(name, h)
    return f"={name}"


class CoverSheet:
    """The Cover (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def cover_sheet(self):
        ws = self.cover
        a = self.a
        self.title(ws, a.name, f"{self.t.title}: {self.t.summary}")
        ws.merge_cells("A2:G2")
        ws["A2"].alignment = S.WRAP
        ws.row_dimensions[2].height = 13 * max(1, math.ceil(len(str(ws["A2"].value)) / 120))
        names = self.wb.defined_names
        dated = bool(a.start) and "plan_start" in names
        if dated and "horizon" in names:  # right of the printed page: "(to Feb 2027)" for the dates below
            self.text(ws, "I3", "The horizon's last month (the dates of months not within it)", S.UNIT_FONT)
            last = MONTH_NAME.format(d="EOMONTH(plan_start,horizon-1)")
            self.formula(ws, "J3", f'="(to "&{last}&")"', align=S.LEFT)
            self.define(HORIZON_END, ws, "J3")
            self._cached_later(ws, "J3", cached_horizon_end)
        self.text(ws, "A4", "Live scenario", S.SECTION_FONT)
        self.formula(ws, "B4", "=scenario", font=S.HEADLINE_FONT)
        self.text(ws, "C4", "pick it on Inputs, cell D4", S.UNIT_FONT)
        self.text(ws, "E4", "Master check", S.SECTION_FONT)
        self.formula(ws, "F4", '=IF(checks_ok,"OK","CHECK FAILED: see the Checks sheet")', font=S.OK_FONT)
        ws.conditional_formatting.add(
            "F4", FormulaRule(formula=["NOT(checks_ok)"], font=S.FAIL_FONT, fill=S.FAIL_FILL)
        )
        if "scenarios_status" in names:
            self.text(ws, "E6", "Scenarios sheet", S.SECTION_FONT)
            self.formula(ws, "F6", "=scenarios_status", font=S.LINK_FONT)
            ws.conditional_formatting.add(
                "F6", FormulaRule(formula=['LEFT($F$6,5)="STALE"'], font=S.FAIL_FONT, fill=S.FAIL_FILL)
            )
        if self.udf and "excel_functions_status" in names:
            self.text(ws, "E5", "Excel functions (=LLM_*)", S.SECTION_FONT)
            self.formula(ws, "F5", "=excel_functions_status", font=S.LINK_FONT)
        big = self.big_money()
        left = [f for f in CASH_FIGURES if f[0] in names]
        right = [f for f in UNIT_FIGURES if f[0] in names]
        if not left:  # no projection: the unit economics on the left
            left, right = right, []
        row = 8
        end = row
        timeline = "cash_by_month" in names
        if timeline:  # the unit economics at the inputs are the first month's: say so on each
            right = [(n, f"{lab}, month 1" if n in MONTH_1 else lab, k, u) for n, lab, k, u in right]
        for col, title, figures in (
            (1, "Cash and funding (over the horizon)" if right and timeline else "Key figures", left),
            (5, "Unit economics, month 1 (at the inputs)" if timeline else "Unit economics", right),
        ):
            if figures:
                end = max(end, self._figures(ws, row, col, title, figures, big, dated))
        row = end + 1
        if "annual_gross_margin_by_year" in names:
            right_end = self.plan_actual_cover(ws, row, 5) if "pva_latest" in names else row
            row = max(self._years(ws, row), right_end) + 1
        if "cohort_churn_observed" in names:
            figures = []
            for name, label, kind, unit in COHORT_FIGURES:
                if name.startswith("cohort_mau_"):
                    if name not in names:
                        continue
                    t, when = self.cohort_plan_months[0 if name.startswith("cohort_mau_12") else 1]
                    label, unit = label.format(t=t), unit.format(when=f", {when}" if when else "")
                figures.append((name, label, kind, unit))
            end = self._figures(ws, row, 1, "Cohorts against the plan", figures, big, dated)
            if "cohort_plan_status" in names:  # those MAU are values as generated: whether they still hold
                self.text(ws, f"A{end}", "Plan MAU above (the Cohorts sheet)")
                self.formula(ws, f"B{end}", "=cohort_plan_status", font=S.LINK_FONT, align=S.LEFT)
                ws.conditional_formatting.add(
                    f"B{end}",
                    FormulaRule(formula=[f'LEFT($B${end},5)="STALE"'], font=S.FAIL_FONT, fill=S.FAIL_FILL),
                )
                end += 1
            row = end + 1
        risk = [f for f in RISK_FIGURES if f[0] in names]
        if risk:
            end = self._figures(
                ws,
                row,
                1,
                f"Risk: {self.a.draws:,} draws of scenario {self.sim_name} (the Risk sheet)",
                risk,
                big,
                dated,
            )
            row = end + 1
        if "cash_by_month" in names:
            row = self._cash_chart(ws, row, big)
        row = self._provenance(ws, row)
        for col, width in zip("ABCDEFG", (32, 20, 17, 2, 32, 15, 17)):  # B: "not within 36 months"
            ws.column_dimensions[col].width = width
        self.print_setup(ws, tall_pages=1)  # one page
        ws.page_setup.orientation = "portrait"
        ws.print_area = f"A1:G{row}"  # the chart's data right of column G is not printed

    def _figures(self, ws, row: int, col: int, title: str, figures, big: bool, dated: bool) -> int:
        """A block of key figures at ``col``: label, value (a link), unit or date; returns the row after."""
        lab, val, unit = (get_column_letter(col + i) for i in range(3))
        for c in (lab, val, unit):
            self.styled(ws[f"{c}{row}"], fill=S.SECTION_FILL)
        self.text(ws, f"{lab}{row}", title, S.SECTION_FONT, S.SECTION_FILL)
        row += 1
        for name, label, kind, unit_text in figures:
            self.text(ws, f"{lab}{row}", label)
            fmt = S.FORMATS["millions" if kind == "big" and big else "total" if kind == "big" else kind]
            link = f"={S.yes_no(name)}" if kind == "flag" else headline_formula(name)
            self.formula(ws, f"{val}{row}", link, fmt, font=S.HEADLINE_FONT, align=S.RIGHT)
            S.signal(ws, f"{val}{row}", name)  # red/amber/green by value; neutral without a rule
            if name in SIMULATED_MONTHS:
                h = self.sim.horizon
                self._cached_later(ws, f"{val}{row}", lambda v, n=name, h=h: cached_headline(v, n, h))
            if name in WITHIN_HORIZON:
                self._cached_later(ws, f"{val}{row}", lambda v, n=name: cached_headline(v, n))
                if dated and name in DATED:
                    self._cached_later(ws, f"{unit}{row}", lambda v, n=name: cached_date(v, n))
            if dated and name in DATED:
                self.formula(
                    ws,
                    f"{unit}{row}",
                    date_formula(name),
                    S.FORMATS["date"],
                    font=S.FORMULA_FONT,
                    align=S.LEFT,
                )
                self.define(f"{name}_date", ws, f"{unit}{row}")
            else:
                text = unit_text or self.unit(OUTPUT_UNITS.get(name, "currency"))
                if kind == "big" and big:
                    text = self.a.currency  # the M is in the number: the unit once
                if (
                    name in WITHIN_HORIZON or name in SIMULATED_MONTHS
                ):  # no "months" after "not within 36 months"
                    self.formula(ws, f"{unit}{row}", f'=IF(ISNUMBER({name}),"{text}","")', font=S.UNIT_FONT)
                    self._cached_later(
                        ws, f"{unit}{row}", lambda v, n=name, t=text: "" if isinstance(v.get(n), str) else t
                    )
                else:
                    self.text(ws, f"{unit}{row}", text, S.UNIT_FONT)
            row += 1
            if "runway_after_horizon" in self.wb.defined_names and name in ("runway_months", "funding_need"):
                self._horizon_warning(ws, row - 1, (lab, val, unit), name, dated)
                row += name == "runway_months"
        return row

    def _cached_later(self, ws, ref: str, value_of) -> None:
        """The cached result of a cell, computed from the engine's values once the workbook is built."""
        later = getattr(self.wb, "_xlmodel_cached_later", [])
        later.append(((ws.title, ref), value_of))
        self.wb._xlmodel_cached_later = later

    def _horizon_warning(self, ws, row: int, cols, name: str, dated: bool) -> None:
        """Honest horizons (docs/model.md): under the runway, the months cash lasts at the last quarter's burn
        when it lasts the horizon but still falls, in amber; the funding need then says it is the horizon's
        only. Live: the row follows the scenario picked."""
        lab, val, unit = cols
        warn = "ISNUMBER(runway_after_horizon)"
        amber = FormulaRule(formula=[warn], font=S.AMBER_FONT, fill=S.AMBER_FILL, stopIfTrue=True)
        if name == "funding_need":  # the need within the horizon only: a falling cash needs more after it
            c, text = ws[f"{unit}{row}"], ws[f"{unit}{row}"].value
            self.formula(ws, c.coordinate, f'=IF({warn},"{text}, horizon only","{text}")', font=S.UNIT_FONT)
            self._cached_later(ws, c.coordinate, lambda v: f"{text}, horizon only" if _falls(v) else text)
            ws.conditional_formatting.add(f"{unit}{row}", amber)
            return
        row += 1
        self.formula(
            ws,
            f"{lab}{row}",
            f'=IF({warn},"Warning: cash still falls; at the last quarter\'s burn it lasts","At the horizon")',
            font=S.LABEL_FONT,
        ).alignment = S.WRAP
        ws.row_dimensions[row].height = 27  # two lines of the warning
        self._cached_later(
            ws,
            f"{lab}{row}",
            lambda v: (
                "Warning: cash still falls; at the last quarter's burn it lasts"
                if _falls(v)
                else "At the horizon"
            ),
        )
        self.formula(
            ws,
            f"{val}{row}",
            f'=IF({warn},runway_after_horizon,IF(cash_falling_at_horizon,"-","cash not falling"))',
            S.FORMATS["months"],
            font=S.HEADLINE_FONT,
            align=S.RIGHT,
        )
        self._cached_later(
            ws,
            f"{val}{row}",
            lambda v: (
                v["runway_after_horizon"]
                if _falls(v)
                else ("-" if v.get("cash_falling_at_horizon") else "cash not falling")
            ),
        )
        if dated:
            when = "EOMONTH(plan_start,ROUNDUP(runway_after_horizon,0)-1)"
            self.formula(ws, f"{unit}{row}", f'=IF({warn},{when},"-")', S.FORMATS["date"], align=S.LEFT)
            self._cached_later(
                ws,
                f"{unit}{row}",
                lambda v: _month_end_of(v, math.ceil(v["runway_after_horizon"])) if _falls(v) else "-",
            )
        else:
            self.text(ws, f"{unit}{row}", "months", S.UNIT_FONT)
        self.define("cover_runway_after_horizon", ws, f"{val}{row}")
        ws.conditional_formatting.add(f"{lab}{row}:{unit}{row}", amber)

    def _years(self, ws, row: int) -> int:
        """The first fiscal years' unit economics (links to the Annual sheet) in columns A-C; the row after."""
        a = self.a
        years = fiscal_years(self.n_months, a.start, a.fiscal_year_start)[:COVER_YEARS]
        n = len(years)
        for c in "ABC":
            self.styled(ws[f"{c}{row}"], fill=S.SECTION_FILL)
        self.text(ws, f"A{row}", "Unit economics by fiscal year", S.SECTION_FONT, S.SECTION_FILL)
        for j in range(n):  # the Annual sheet's headers (they follow the live scenario's calendar)
            c = self.formula(ws, f"{'BC'[j]}{row}", f"=Annual!{'EF'[j]}4", font=S.SECTION_FONT, align=S.RIGHT)
            self.styled(c, S.SECTION_FONT, S.SECTION_FILL, None, align=S.RIGHT)
        row += 1
        for key, label, kind in YEAR_FIGURES:
            self.text(ws, f"A{row}", label.format(cur=a.currency))
            for j in range(n):
                self.formula(
                    ws,
                    f"{'BC'[j]}{row}",
                    f"=INDEX(annual_{key}_by_year,1,COLUMNS($B{row}:{'BC'[j]}{row}))",  # year 1, 2 (no literal)
                    S.FORMATS[kind],
                    font=S.LINK_FONT,
                    align=S.RIGHT,
                )
            self.define(f"cover_{key}_by_year", ws, f"B{row}:{'BC'[n - 1]}{row}")
            row += 1
        if any(y.partial for y in fiscal_years(self.n_months, a.start, a.fiscal_year_start)):
            self.text(ws, f"A{row}", "* a partial year (under 12 months): not annualised", S.UNIT_FONT)
            row += 1
        return row

    def _cash_chart(self, ws, row: int, big: bool) -> int:
        """The cash balance month by month (from the Projection), under the figures."""
        sheet, ref = next(iter(self.wb.defined_names["cash_by_month"].destinations))
        src = self.wb[sheet]
        r = int(ref.split("$")[-1])
        n = self.n_months
        ch = LineChart()
        ch.title = "Cash against the minimum cash"
        ch.y_axis.title = "Cash, " + self.a.currency + (" millions" if big else "")
        ch.y_axis.number_format = "#,##0,," if big else "#,##0"
        ch.y_axis.majorGridlines = None
        ch.x_axis.number_format = "mmm yy" if self.a.start else "0"
        ch.x_axis.tickLblPos = "low"
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        s = Series(Reference(src, min_col=5, max_col=4 + n, min_row=r), title="Cash")
        style_series(s, 0, n)
        ch.series.append(s)
        if (
            "min_cash" in self.wb.defined_names
        ):  # the floor: a row of min_cash right of the page (not printed)
            self.text(ws, f"I{row + 1}", "Chart data: the minimum cash (min_cash), each month", S.UNIT_FONT)
            for t in range(n):
                self.formula(ws, f"{get_column_letter(10 + t)}{row + 1}", "=min_cash", S.FORMATS["total"])
            floor = Series(Reference(ws, min_col=10, max_col=9 + n, min_row=row + 1), title="Minimum cash")
            style_series(floor, 3, 0, dashed=True, width_pt=1.25)
            ch.series.append(floor)
            ch.legend.position = "b"
        else:
            ch.legend = None
        header = (
            int(next(iter(self.wb.defined_names["month_end_by_month"].destinations))[1].split("$")[-1])
            if "month_end_by_month" in self.wb.defined_names
            else None
        )
        cats = (
            Reference(
                self.wb[next(iter(self.wb.defined_names["month_end_by_month"].destinations))[0]],
                min_col=5,
                max_col=4 + n,
                min_row=header,
            )
            if header
            else Reference(src, min_col=5, max_col=4 + n, min_row=self.projection_rows_at["month"])
        )
        ch.set_categories(cats)
        if "runway_months" in self.wb.defined_names:
            ch += self._run_out_bar(ws, row + 2, n, cats)
        ch.height, ch.width = 9, 25
        ws.add_chart(ch, f"A{row + 1}")
        return row + 20

    def _run_out_bar(self, ws, r: int, n: int, cats) -> BarChart:
        """The run-out month as a red bar over the cash line (a row of 1 in that month, else 0, right of the
        page; no bar when the cash lasts the horizon), on a hidden 0..1 axis."""
        self.text(ws, f"I{r}", "Chart data: 1 in the month cash runs out, else 0", S.UNIT_FONT)
        for t in range(n):
            col = get_column_letter(10 + t)
            self.formula(
                ws,
                f"{col}{r}",
                f"=IF(ISNUMBER(runway_months),IF(COLUMNS($J{r}:{col}{r})=MAX(1,ROUNDUP(runway_months,0)),1,0),0)",
                "0",
            )
        self.define("cover_run_out_by_month", ws, f"J{r}:{get_column_letter(9 + n)}{r}")
        bar = BarChart()
        bar.type, bar.gapWidth = "col", 500
        s = Series(Reference(ws, min_col=10, max_col=9 + n, min_row=r), title="Cash runs out")
        s.graphicalProperties.solidFill = "C00000"
        s.graphicalProperties.line.solidFill = "C00000"
        bar.series.append(s)
        bar.set_categories(cats)
        bar.y_axis.axId = 200
        bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 1
        bar.y_axis.crosses = "max"
        bar.y_axis.delete = False  # a deleted secondary axis puts the bar on the cash axis (LibreOffice)
        bar.y_axis.tickLblPos = "none"
        bar.y_axis.number_format = ";;;"  # no labels where tickLblPos is not honoured
        bar.y_axis.majorTickMark = "none"
        bar.y_axis.majorGridlines = None
        return bar

    def _provenance(self, ws, row: int) -> int:
        """Where the workbook came from, and how to use it."""
        a = self.a
        for c in "ABCDEFG":
            self.styled(ws[f"{c}{row}"], fill=S.SECTION_FILL)
        self.text(ws, f"A{row}", "About this workbook", S.SECTION_FONT, S.SECTION_FILL)
        row += 1
        self.text(ws, f"A{row}", "Generated by")
        self.text(ws, f"B{row}", f"xlmodel {__version__}")
        self.text(ws, f"E{row}", "Generated on")
        c = ws[f"F{row}"]
        c.value = self.generated
        self.styled(c, S.FORMULA_FONT, None, "yyyy-mm-dd", align=S.LEFT)
        self.define("generated_on", ws, f"F{row}")
        row += 1
        self.text(ws, f"A{row}", "Assumptions file")
        self.text(ws, f"B{row}", a.source)
        row += 1
        self.text(ws, f"A{row}", "Its SHA-256")
        self.text(ws, f"B{row}", a.digest or "(no file)", S.NAME_FONT)
        row += 1
        lines = [
            (
                "What this is",
                (
                    f"{self.t.title} workbook. Every number is a live formula of the definitions in "
                    "docs/model.md; the master check proves them consistent."
                ),
            ),
            (
                "How to use",
                (
                    "Edit the blue cells on Inputs (one column per scenario), pick the live scenario in "
                    "Inputs!D4, keep the master check OK. Colours: blue on a pale fill an input, black a "
                    f'formula, green a link. "{not_within(a.horizon)}": not in the months projected (a longer '
                    'horizon may show it); "never": not in any month (a payback that no month reaches). Currency: '
                    f"{a.currency}."
                ),
            ),
        ]
        if self.udf:
            lines.append(
                (
                    "Excel functions",
                    (
                        "The =LLM_...() cells need a one-off set-up (the Excel functions "
                        "sheet); until then they show #NAME? and the native formulas beside "
                        "them (named ..._native) compute every number."
                    ),
                )
            )
        for label, text in lines:
            self.text(ws, f"A{row}", label, S.SECTION_FONT).alignment = S.WRAP
            c = self.text(ws, f"B{row}", text)
            c.alignment = S.WRAP
            ws.merge_cells(f"B{row}:G{row}")
            ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 95))
            row += 1
        return row
