"""The Cohorts sheet: a retention triangle (with each cohort's size when given), cohort churn and cohort LTV per row,
and the chained average curve (weighted by size when given), as native formulas; the observed late churn beside
the assumed, and the MAU each scenario's plan reaches with each (engine values as generated, with a status that
says whether they still hold)."""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..actuals import against_plan, average_curve
from ..dates import month_label
from . import styles as S
from .chart_style import style_series
from .layout import live_pick
from .layout import same_within_tolerance as _same

COHORTS_SHEET = "Cohorts"
FIRST_ROW = 6  # the first cohort's row
FIRST_COL = 5  # column E: month 1 (F when the cohorts have sizes: column B holds them)
#: at most this many months back for the late retention ratio: the engine's j = min(3, k-1)
#: (xlmodel.actuals.cohort_churn); a named constant on the sheet, cohort_tail_months
TAIL_MONTHS = 3
#: the helper columns of each cohort's row, right of the triangle: (name, header, number format)
HELPERS = (
    ("late_months", "Late months j", "0"),
    ("last_share", "Last share r_k", "0.0%"),
    ("late_ratio", "Late ratio q", "0.0000"),
    ("discounted_shares", "Discounted shares", "0.0000"),
)
GREY, AVERAGE = "BFBFBF", "1F3864"
HEAD_RIGHT = Alignment(wrap_text=True, horizontal="right", vertical="bottom")
HEAD_LEFT = Alignment(wrap_text=True, horizontal="left", vertical="bottom")
#: the plan's MAU with the assumed churn and with the observed curve: (key, which MAU of against_plan, month 0/-1)
PLAN_MAU = (
    ("12_assumed", "mau_assumed", 0),
    ("12_curve", "mau_curve", 0),
    ("end_assumed", "mau_assumed", -1),
    ("end_curve", "mau_curve", -1),
)
#: the status of those engine values (cohort_plan_status): what verify expects of a workbook as generated
PLAN_CURRENT = "Current: the scenarios' inputs and the triangle are as generated"
PLAN_STALE = "STALE: an input or a share was edited; generate the workbook again"


class CohortsSheet:
    """The Cohorts sheet (a part of :class:`xlmodel.workbook.builder.Builder`).

    Per row, with ``r`` the row's shares, ``k = COUNT(r)``, ``m = revenue_per_mau * gross_margin`` and
    ``d = monthly_discount_rate`` (both from the Unit economics sheet, live scenario), in helper columns:
    ``j = MIN(cohort_tail_months, k-1)``, ``r_k``, ``q = (r_k / r_(k-j))^(1/j)`` and the discounted shares
    ``SUMPRODUCT(r / (1+d)^t)``; then churn ``= 1 - q`` and
    LTV ``= m * (discounted shares + r_k * q / ((1+d)^k * (1+d-q)))`` (docs/model.md).

    The average row chains the ages (docs/model.md, "The cohorts file's average curve"), with ``w`` each cohort's
    size (column B, named ``cohort_size``) when every cohort has one, else 1: month 1 is the weighted mean
    ``SUMPRODUCT(w, r_1) / SUM(w)``, month a is month a-1 times ``SUMPRODUCT(w, r_a) /
    SUMPRODUCT(w, r_(a-1) * (r_a > 0))``, over the cohorts observed at age a (the same in Excel, LibreOffice
    and Gnumeric, which does not take ISNUMBER of a range inside SUMPRODUCT).
    """

    def cohorts_sheet(self):
        ws = self.wb.create_sheet(COHORTS_SHEET)
        rows = self.cohort_rows
        k_max = max(len(c.retention) for c in rows)
        n = len(rows) + 1  # the cohorts and their average curve
        cur = self.a.currency
        sized = all(getattr(c, "size", None) is not None for c in rows)
        first_col = FIRST_COL + sized  # month 1's column
        first = get_column_letter(first_col)
        # the columns left of the triangle: cohort, (size), months observed, churn, LTV
        months_c, churn_c, ltv_c = (get_column_letter(i + sized) for i in (2, 3, 4))
        how = "chained, weighted by size" if sized else "chained, unweighted"
        self.title(
            ws,
            "Cohorts: retention, churn and LTV",
            "Share of each signup cohort active in its months 1, 2, ... (blue: data from "
            f"{self.cohort_source}). LTV uses the live scenario's revenue per MAU and gross margin. "
            f"Average: {how}.",
        )
        last_col = get_column_letter(first_col + k_max - 1)
        helper_col = {
            key: get_column_letter(first_col + k_max + 1 + i) for i, (key, _, _) in enumerate(HELPERS)
        }
        heads = (
            ["Cohort"]
            + (["Size (sign-ups)"] if sized else [])
            + ["Months observed", "Cohort churn (monthly)", f"Cohort LTV ({cur} per user)"]
            + [f"M{t}" for t in range(1, k_max + 1)]
        )
        self.header(ws, 4, heads)
        for key, head, _ in HELPERS:
            self.text(ws, f"{helper_col[key]}4", head, S.HEADER_FONT, S.HEADER_FILL)
        for col in range(1, first_col + k_max + 1 + len(HELPERS)):  # headers wrap, over numbers on the right
            c = ws.cell(row=4, column=col)
            if c.value:
                c.alignment = HEAD_RIGHT if col > 1 else HEAD_LEFT
        ws.row_dimensions[4].height = 48
        # month numbers (the t of the discounting), a named constant row
        self.text(ws, "A5", "Month t", S.UNIT_FONT)
        for t in range(1, k_max + 1):
            c = ws.cell(row=5, column=first_col + t - 1, value=t)
            self.styled(c, S.FORMULA_FONT, None, "0", align=S.RIGHT)
        self.define("cohort_month", ws, f"{first}5:{last_col}5")
        last_row = FIRST_ROW + n - 1
        top_c, bottom_c = FIRST_ROW, FIRST_ROW + len(rows) - 1  # the cohorts' rows
        for i, c in enumerate(rows + [None]):
            r = FIRST_ROW + i
            rng = f"{first}{r}:{last_col}{r}"
            if c is None:
                self.text(ws, f"A{r}", "average (weighted)" if sized else "average", S.SECTION_FONT)
                for t in range(k_max):
                    self.formula(
                        ws,
                        f"{get_column_letter(first_col + t)}{r}",
                        self._average_formula(first_col + t, r, top_c, bottom_c, sized),
                        "0.0%",
                    )
            else:
                self.text(ws, f"A{r}", c.name)
                if sized:
                    self.styled(
                        ws.cell(row=r, column=2, value=c.size),
                        S.INPUT_FONT,
                        S.INPUT_FILL,
                        "#,##0",
                        align=S.RIGHT,
                    )
                for t, v in enumerate(c.retention):
                    cell = ws.cell(row=r, column=first_col + t, value=v)
                    self.styled(cell, S.INPUT_FONT, S.INPUT_FILL, "0.0%")
            k = f"{months_c}{r}"
            j, rk, q, observed = (f"{helper_col[key]}{r}" for key, _, _ in HELPERS)
            d = "monthly_discount_rate"
            self.formula(ws, k, f"=COUNT({rng})", "0", align=S.RIGHT)
            self.formula(ws, j, f'=IF({k}<=1,"n/a",MIN(cohort_tail_months,{k}-1))', "0", align=S.RIGHT)
            self.formula(ws, rk, f'=IF({k}<=1,"n/a",INDEX({rng},1,{k}))', "0.0%", align=S.RIGHT)
            self.formula(
                ws, q, f'=IF({k}<=1,"n/a",({rk}/INDEX({rng},1,{k}-{j}))^(1/{j}))', "0.0000", align=S.RIGHT
            )
            self.formula(ws, observed, f"=SUMPRODUCT({rng}/(1+{d})^cohort_month)", "0.0000", align=S.RIGHT)
            tail = f"{rk}*{q}/((1+{d})^{k}*(1+{d}-{q}))"
            self.formula(ws, f"{churn_c}{r}", f'=IF({k}<=1,"n/a",1-{q})', "0.0%", align=S.RIGHT)
            self.formula(
                ws,
                f"{ltv_c}{r}",
                f'=IF(OR({k}<=1,NOT(ISNUMBER(gross_margin))),"n/a",IF({q}>=1+{d},"n/a",'
                f"(revenue_per_mau*gross_margin)*({observed}+{tail})))",
                "#,##0.0000",
                align=S.RIGHT,
            )
        self.define("cohort_names", ws, f"A{FIRST_ROW}:A{last_row - 1}")
        self.define("retention_triangle", ws, f"{first}{FIRST_ROW}:{last_col}{last_row - 1}")
        self.define("average_retention", ws, f"{first}{last_row}:{last_col}{last_row}")
        if sized:
            self.define("cohort_size", ws, f"B{FIRST_ROW}:B{last_row - 1}")
        self.define("cohort_months_by_cohort", ws, f"{months_c}{FIRST_ROW}:{months_c}{last_row}")
        self.define("cohort_churn_by_cohort", ws, f"{churn_c}{FIRST_ROW}:{churn_c}{last_row}")
        self.define("cohort_ltv_by_cohort", ws, f"{ltv_c}{FIRST_ROW}:{ltv_c}{last_row}")
        for key, _, _ in HELPERS:
            col = helper_col[key]
            self.define(f"cohort_{key}_by_cohort", ws, f"{col}{FIRST_ROW}:{col}{last_row}")
        for col in (months_c, churn_c, ltv_c) + tuple(helper_col.values()):
            self.swept(ws, f"{col}{FIRST_ROW}:{col}{last_row}")
        self.add_check(
            "Cohorts: every retention share is above 0 and at most 1",
            'AND(COUNTIF(retention_triangle,">1")=0,COUNTIF(retention_triangle,"<=0")=0)',
        )
        if sized:
            self.add_check(
                "Cohorts: every cohort has a size above 0 (its sign-ups weigh it in the average)",
                'AND(COUNT(cohort_size)=ROWS(cohort_size),COUNTIF(cohort_size,"<=0")=0)',
            )

        # observed against assumed: the average curve's late churn beside the live scenario's churn
        top = last_row + 2
        self.section(ws, top, "Observed late churn against the churn the live scenario assumes", 4)
        lines = (
            (
                "Observed churn (average curve)",
                "cohort_churn_observed",
                f"={churn_c}{last_row}",
                S.FORMULA_FONT,
            ),
            ("Assumed churn (live scenario)", "(links churn)", "=churn", S.LINK_FONT),
            (
                "Observed minus assumed",
                "cohort_churn_gap",
                f'=IF(ISNUMBER(D{top + 1}),D{top + 1}-D{top + 2},"n/a")',
                S.FORMULA_FONT,
            ),
        )
        for i, (label, name, formula, font) in enumerate(lines):  # label A:C, value D, name E
            r = top + 1 + i
            self.text(ws, f"A{r}", label)
            ws.merge_cells(f"A{r}:C{r}")
            self.formula(ws, f"D{r}", formula, S.FORMATS["percent"], font=font, align=S.RIGHT)
            self.text(ws, f"E{r}", name, S.NAME_FONT)
            if not name.startswith("("):
                self.define(name, ws, f"D{r}")
                self.swept(ws, f"D{r}")
        tail_row = top + 4  # the named constant of the late ratio
        self.text(ws, f"A{tail_row}", "Late ratio over at most j months")
        ws.merge_cells(f"A{tail_row}:C{tail_row}")
        self.styled(
            ws.cell(row=tail_row, column=4, value=TAIL_MONTHS), S.INPUT_FONT, S.INPUT_FILL, "0", align=S.RIGHT
        )
        self.text(ws, f"E{tail_row}", "cohort_tail_months", S.NAME_FONT)
        self.define("cohort_tail_months", ws, f"D{tail_row}")
        end = self._plan_mau(ws, tail_row + 2, first_col, k_max)

        # a heat map on calculated cells: each cohort's retention as a share of the average curve
        hm = end + 1
        self.section(
            ws,
            hm,
            "Retention as a share of the average curve (heat map: red below the average, green above)",
            first_col + k_max - 1,
        )
        for i, c in enumerate(rows):
            r, src = hm + 1 + i, FIRST_ROW + i
            self.text(ws, f"A{r}", c.name)
            for t in range(k_max):
                col = get_column_letter(first_col + t)
                self.formula(
                    ws,
                    f"{col}{r}",
                    f'=IF(ISNUMBER({col}{src}),{col}{src}/{col}${last_row},"n/a")',
                    "0%",
                    align=S.RIGHT,
                )
        hm_last = hm + len(rows)
        heat = f"{first}{hm + 1}:{last_col}{hm_last}"
        self.define("cohort_retention_vs_average", ws, heat)
        self.swept(ws, heat)
        ws.conditional_formatting.add(
            heat, FormulaRule(formula=[f"ISTEXT({first}{hm + 1})"], font=Font(color=GREY), stopIfTrue=True)
        )
        ws.conditional_formatting.add(
            heat,
            ColorScaleRule(
                start_type="min",
                start_color="F8696B",
                mid_type="num",
                mid_value=1,
                mid_color="FFEB84",
                end_type="max",
                end_color="63BE7B",
            ),
        )

        note = hm_last + 2
        c = self.text(
            ws,
            f"A{note}",
            "Cohort churn is 1 - q, q the late monthly retention ratio (r_k / r_(k-j))^(1/j), "
            "j = MIN(cohort_tail_months, k-1). LTV = revenue_per_mau x gross_margin x "
            "(discounted shares + geometric tail r_k x q / ((1+d)^k x (1+d-q))), d the "
            "monthly discount rate. n/a: one month only, or a curve that does not decay. "
            "The average: month 1 the (size-weighted) mean, then month a-1 times the ratio "
            "of the (weighted) sums of months a and a-1 over the cohorts observed at a.",
            S.UNIT_FONT,
        )
        c.alignment = S.WRAP
        ws.merge_cells(f"A{note}:{helper_col[HELPERS[-1][0]]}{note}")
        ws.row_dimensions[note].height = 44
        ch = LineChart()
        ch.title = "Retention by signup cohort"  # the average: the bold line
        ch.y_axis.title = "share of the cohort active, %"
        ch.y_axis.number_format = "0%"
        ch.x_axis.title = "month after signup"
        ch.height, ch.width = 8, 20
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        for i in range(n):
            r = FIRST_ROW + i
            average = i == len(rows)
            s = Series(
                Reference(ws, min_col=first_col, max_col=first_col + k_max - 1, min_row=r),
                title=(("average (weighted)" if sized else "average") if average else rows[i].name),
            )
            style_series(s, i + 1, 0, width_pt=1.25)  # each cohort its own colour (the palette after navy)
            if average:  # the average: navy, 3.5 pt against 1.25 pt
                s.graphicalProperties.line.solidFill = AVERAGE
                s.graphicalProperties.line.width = 44450
            ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=first_col, max_col=first_col + k_max - 1, min_row=5))
        ws.add_chart(ch, f"A{note + 2}")
        ws.column_dimensions["A"].width = 17 if sized else 14
        for col, w in ((("B", 12),) if sized else ()) + ((months_c, 11), (churn_c, 14), (ltv_c, 16)):
            ws.column_dimensions[col].width = w
        for t in range(k_max):
            ws.column_dimensions[get_column_letter(first_col + t)].width = 8
        ws.column_dimensions[get_column_letter(first_col + k_max)].width = 3
        for col in helper_col.values():
            ws.column_dimensions[col].width = 11
        ws.freeze_panes = f"{first}6"
        self.print_setup(ws, tall_pages=1)  # one page: the triangle, the churn against the assumed, the chart

    def _plan_mau(self, ws, top: int, first_col: int, k_max: int) -> int:
        """The plan's MAU with each scenario's churn and with the triangle's average curve: engine values
        (:func:`xlmodel.actuals.against_plan`) per scenario as generated, the live scenario's picked by
        ``INDEX(row,1,scenario_index)``; a copy of the average curve as generated, and ``cohort_plan_fresh``: TRUE
        while the scenarios' inputs (``scenarios_fresh``) and the average curve are those the values came from.
        A status, not part of the master check (as on the Scenarios sheet). Returns the row after the block."""
        k = len(self.scenarios)
        compared = [against_plan(self.cohort_rows, s) for _, s in self.scenarios]
        months = compared[0]["months"]  # the horizon is the file's: the same months for every scenario
        self.cohort_plan_months = [
            (months[0], month_label(months[0], self.a.start) if self.a.start else None),
            (months[-1], month_label(months[-1], self.a.start) if self.a.start else None),
        ]
        width = max(first_col + k, first_col + k_max - 1)
        self.section(
            ws,
            top,
            "The plan's MAU with the assumed churn and with the observed curve (engine values for "
            "each scenario as generated; xlmodel cohorts -a gives them afresh)",
            width,
        )
        head = top + 1
        self.text(ws, f"A{head}", "MAU of the plan", S.HEADER_FONT, S.HEADER_FILL, HEAD_LEFT)
        ws.merge_cells(f"A{head}:C{head}")
        self.text(ws, f"D{head}", "Live", S.HEADER_FONT, S.HEADER_FILL, HEAD_RIGHT)
        for col in range(5, first_col):  # the header band runs on to the scenarios' columns
            self.styled(ws.cell(row=head, column=col), fill=S.HEADER_FILL)
        for i, (name, _) in enumerate(self.scenarios):
            self.text(
                ws,
                f"{get_column_letter(first_col + i)}{head}",
                name,
                S.HEADER_FONT,
                S.HEADER_FILL,
                HEAD_RIGHT,
            )
        name_col = get_column_letter(first_col + k)
        self.text(ws, f"{name_col}{head}", "Name", S.HEADER_FONT, S.HEADER_FILL, HEAD_LEFT)
        ws.row_dimensions[head].height = 26
        fl, ll = get_column_letter(first_col), get_column_letter(first_col + k - 1)
        big = (
            max(
                [x for c in compared for key in ("mau_assumed", "mau_curve") for x in (c[key] or [])],
                default=0.0,
            )
            >= 1e6
        )
        narrow = (
            '#,##0.00,,"M"' if big else S.FORMATS["users"]
        )  # the scenario columns are the months' (8 wide)
        for j, (key, which, at) in enumerate(PLAN_MAU):
            r = head + 1 + j
            t, label = self.cohort_plan_months[0 if at == 0 else 1]
            when = f"month {t}" + (f" ({label})" if label else "")
            how = "churn assumed" if which == "mau_assumed" else "observed curve"
            self.text(ws, f"A{r}", f"MAU {when}, {how}")
            ws.merge_cells(f"A{r}:C{r}")
            for i, c in enumerate(compared):
                v = None if c[which] is None else c[which][at]
                cell = ws.cell(row=r, column=first_col + i, value="n/a" if v is None else float(v))
                self.styled(cell, S.FORMULA_FONT, None, narrow, align=S.RIGHT)
            self.define(f"cohort_mau_{key}_by_scenario", ws, f"{fl}{r}:{ll}{r}")
            self.formula(ws, f"D{r}", f"={live_pick(fl, ll, r)}", S.FORMATS["users"], align=S.RIGHT)
            self.define(f"cohort_mau_{key}", ws, f"D{r}")
            self.swept(ws, f"D{r}")
            self.text(ws, f"{name_col}{r}", f"cohort_mau_{key}", S.NAME_FONT)
        # the average curve the values were computed with, as generated (values), under the live one's months
        copy = head + 1 + len(PLAN_MAU)
        self.text(ws, f"A{copy}", "Average curve as generated", S.UNIT_FONT)
        ws.merge_cells(f"A{copy}:C{copy}")
        for t, x in enumerate(average_curve(self.cohort_rows)):
            self.styled(
                ws.cell(row=copy, column=first_col + t, value=float(x)),
                S.FORMULA_FONT,
                None,
                "0.0%",
                align=S.RIGHT,
            )
        kept = f"{fl}{copy}:{get_column_letter(first_col + k_max - 1)}{copy}"
        self.define("cohort_average_as_generated", ws, kept)
        status = copy + 1
        self.text(ws, f"A{status}", "Figures current", S.SECTION_FONT)
        ws.merge_cells(f"A{status}:C{status}")
        self.formula(
            ws,
            f"D{status}",
            f"=IFERROR(AND(scenarios_fresh,{_same('average_retention', kept)}),FALSE())",
            align=S.RIGHT,
        )
        self.define("cohort_plan_fresh", ws, f"D{status}")
        status_cell = f"{fl}{status}"
        self.formula(
            ws,
            status_cell,
            f'=IF(cohort_plan_fresh,"{PLAN_CURRENT}","{PLAN_STALE}")',
            font=S.SECTION_FONT,
            align=S.LEFT,
        )
        self.define("cohort_plan_status", ws, status_cell)
        ws.conditional_formatting.add(
            status_cell,
            FormulaRule(formula=[f'LEFT(${fl}${status},5)="STALE"'], font=S.FAIL_FONT, fill=S.FAIL_FILL),
        )
        return status + 1

    @staticmethod
    def _average_formula(col: int, row: int, top: int, bottom: int, sized: bool) -> str:
        """The average curve's cell of column ``col``: the chained average over the cohorts' rows ``top..bottom``
        (weighted by ``cohort_size`` when ``sized``)."""
        here = get_column_letter(col)
        cells = f"{here}{top}:{here}{bottom}"
        if col == FIRST_COL + sized:  # month 1: the (weighted) mean
            return f"=SUMPRODUCT(cohort_size,{cells})/SUM(cohort_size)" if sized else f"=AVERAGE({cells})"
        prev = get_column_letter(col - 1)
        before = f"{prev}{top}:{prev}{bottom}"
        w = "cohort_size," if sized else ""
        num = f"SUMPRODUCT({w}{cells})" if sized else f"SUM({cells})"
        # observed at age a: a share above 0 (every share is, a check says so; an empty cell compares as 0)
        return f"={prev}{row}*{num}/SUMPRODUCT({w}{before}*({cells}>0))"
