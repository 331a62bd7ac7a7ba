"""The Cohorts sheet: a retention triangle with cohort churn and cohort LTV per row as native formulas."""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from . import styles as S

COHORTS_SHEET = "Cohorts"
FIRST_ROW = 6  # the first cohort's row
FIRST_COL = 5  # column E: month 1


class CohortsSheet:
    """The Cohorts sheet (a part of :class:`xlmodel.workbook.builder.Builder`).

    Per row, with ``r`` the row's shares, ``k = COUNT(r)``, ``m = revenue_per_mau * gross_margin`` and
    ``d = monthly_discount_rate`` (both from the Unit economics sheet, live scenario):
    observed ``= m * SUMPRODUCT(r / (1+d)^t)``, ``q = (r_k / r_(k-j))^(1/j)``, ``j = MIN(3, k-1)``,
    tail ``= m * r_k * q / ((1+d)^k * (1+d-q))``, churn ``= 1 - q`` (docs/model.md).
    """

    def cohorts_sheet(self):
        ws = self.wb.create_sheet(COHORTS_SHEET)
        rows = self.cohort_rows
        k_max = max(len(c.retention) for c in rows)
        n = len(rows) + 1  # the cohorts and their average curve
        self.title(ws, "Cohorts: retention, churn and LTV",
                   "Share of each signup cohort active in its months 1, 2, ... (blue: data from "
                   f"{self.cohort_source}). LTV uses the live scenario's revenue per MAU and gross margin.")
        last_col = get_column_letter(FIRST_COL + k_max - 1)
        heads = ["Cohort", "Months observed", "Cohort churn", "Cohort LTV"] + [f"M{t}" for t in range(1, k_max + 1)]
        self.header(ws, 4, heads)
        # month numbers (the t of the discounting), a named constant row
        self.text(ws, "A5", "Month t", S.UNIT_FONT)
        for t in range(1, k_max + 1):
            c = ws.cell(row=5, column=FIRST_COL + t - 1, value=t)
            self.styled(c, S.FORMULA_FONT, None, "0", align=S.CENTER)
        self.define("cohort_month", ws, f"E5:{last_col}5")
        for i, c in enumerate(rows + [None]):
            r = FIRST_ROW + i
            rng = f"E{r}:{last_col}{r}"
            if c is None:
                self.text(ws, f"A{r}", "average", S.SECTION_FONT)
                first, last = FIRST_ROW, FIRST_ROW + len(rows) - 1
                for t in range(k_max):
                    col = get_column_letter(FIRST_COL + t)
                    self.formula(ws, f"{col}{r}", f"=AVERAGE({col}{first}:{col}{last})", "0.0%")
            else:
                self.text(ws, f"A{r}", c.name)
                for t, v in enumerate(c.retention):
                    cell = ws.cell(row=r, column=FIRST_COL + t, value=v)
                    self.styled(cell, S.INPUT_FONT, S.INPUT_FILL, "0.0%")
            k = f"B{r}"
            self.formula(ws, k, f"=COUNT({rng})", "0", align=S.CENTER)
            rk = f"INDEX({rng},1,{k})"
            j = f"MIN(3,{k}-1)"
            q = f"({rk}/INDEX({rng},1,{k}-{j}))^(1/{j})"
            d = "monthly_discount_rate"
            m = "(revenue_per_mau*gross_margin)"
            observed = f"SUMPRODUCT({rng}/(1+{d})^cohort_month)"
            tail = f"{rk}*{q}/((1+{d})^{k}*(1+{d}-{q}))"
            self.formula(ws, f"C{r}", f'=IF({k}<2,"n/a",1-{q})', "0.0%", align=S.RIGHT)
            self.formula(ws, f"D{r}", f'=IF(OR({k}<2,NOT(ISNUMBER(gross_margin))),"n/a",IF({q}>=1+{d},"n/a",'
                                      f'{m}*({observed}+{tail})))', "#,##0.0000", align=S.RIGHT)
        last_row = FIRST_ROW + n - 1
        self.define("cohort_names", ws, f"A{FIRST_ROW}:A{last_row - 1}")
        self.define("retention_triangle", ws, f"E{FIRST_ROW}:{last_col}{last_row - 1}")
        self.define("average_retention", ws, f"E{last_row}:{last_col}{last_row}")
        self.define("cohort_months_by_cohort", ws, f"B{FIRST_ROW}:B{last_row}")
        self.define("cohort_churn_by_cohort", ws, f"C{FIRST_ROW}:C{last_row}")
        self.define("cohort_ltv_by_cohort", ws, f"D{FIRST_ROW}:D{last_row}")
        ws.conditional_formatting.add(f"E{FIRST_ROW}:{last_col}{last_row}", ColorScaleRule(
            start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=0.5,
            mid_color="FFEB84", end_type="num", end_value=1, end_color="63BE7B"))
        note = last_row + 2
        self.text(ws, f"A{note}", "Cohort churn is 1 - q, q the late monthly retention ratio (r_k / r_(k-j))^(1/j), "
                                  "j = MIN(3, k-1). LTV = revenue_per_mau x gross_margin x (discounted observed "
                                  "shares + geometric tail at q). n/a: one month only, or a curve that does not decay.",
                  S.UNIT_FONT)
        self.add_check("Cohorts: every retention share is above 0 and at most 1",
                       "AND(COUNTIF(retention_triangle,\">1\")=0,COUNTIF(retention_triangle,\"<=0\")=0)")
        ch = LineChart()
        ch.title = "Retention by signup cohort"
        ch.y_axis.title = "share of the cohort active"
        ch.y_axis.number_format = "0%"
        ch.x_axis.title = "month after signup"
        ch.height, ch.width = 9, 18
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        for i in range(n):
            r = FIRST_ROW + i
            s = Series(Reference(ws, min_col=FIRST_COL, max_col=FIRST_COL + k_max - 1, min_row=r),
                       title=(rows[i].name if i < len(rows) else "average"))
            s.smooth = False
            ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=FIRST_COL, max_col=FIRST_COL + k_max - 1, min_row=5))
        ws.add_chart(ch, f"A{note + 2}")
        ws.column_dimensions["A"].width = 12
        for col, w in (("B", 16), ("C", 14), ("D", 14)):
            ws.column_dimensions[col].width = w
        for t in range(k_max):
            ws.column_dimensions[get_column_letter(FIRST_COL + t)].width = 8
        ws.freeze_panes = "E6"
        self.print_setup(ws)
