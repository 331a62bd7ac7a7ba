"""The Annual sheet: the plan as a profit and loss statement, one column per fiscal year.

Every cell is a live ``SUMIF`` (flows) or ``INDEX`` (year-end balances) over
the Projection's rows, keyed by its ``fiscal_year_by_month`` row; the years
are those of the horizon when the workbook was made (a check fails when the
calendar on Inputs moves them). Money in millions.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname

from ..dates import fiscal_year_numbers, fiscal_years
from . import styles as S

ANNUAL_SHEET = "Annual"
#: money in millions on a summary page
MILLIONS = '#,##0.0,,;-#,##0.0,,;"-"'

#: (key, label, how): how is "sum" of a month row, "end" (the year's last month), or a formula of other lines
LINES = (
    ("months", "Months in the year", "months"),
    ("new_users", "Sign-ups", "sum"),
    ("gross_revenue", "Gross revenue (what payers pay, VAT included)", "sum"),
    ("deductions", "Less VAT, store fees and revenue lost to quality", "{gross_revenue}-{revenue}"),
    ("revenue", "Net revenue", "sum"),
    ("compute", "Compute (cost of revenue)", "sum"),
    ("gross_profit", "Gross profit", "{revenue}-{compute}"),
    ("gross_margin", "Gross margin", 'IF({revenue}>0,{gross_profit}/{revenue},"n/a")'),
    ("ad_spend", "Ad spend (sales and marketing)", "sum"),
    ("fixed_costs", "Fixed costs (staff, training, offices)", "sum"),
    ("migration_one_off", "One-off costs (the migration)", "sum"),
    ("ebitda", "EBITDA (= - net burn)", "-SUMIF(fiscal_year_by_month,{year},net_burn_by_month)"),
    ("interest", "Interest", "sum"),
    ("funding", "Funding raised", "sum"),
    ("cash", "Cash at the year's end", "end"),
    ("mau", "MAU at the year's end", "end"),
    ("paying_users", "Paying users at the year's end", "end"),
    # the year's unit economics (docs/model.md, "Per-period unit economics"): ratios of the year's sums
    ("paid_new_users", "Sign-ups bought with ads", "sum"),
    ("mau_months", "MAU summed over the months", "SUMIF(fiscal_year_by_month,{year},mau_by_month)"),
    (
        "payer_months",
        "Paying users summed over the months",
        "SUMIF(fiscal_year_by_month,{year},paying_users_by_month)",
    ),
    ("contribution_margin", "Contribution margin", 'IF({revenue}<>0,({revenue}-{compute})/{revenue},"n/a")'),
    (
        "contribution_per_mau",
        "Contribution per MAU (a month's)",
        'IF({mau_months}<>0,({revenue}-{compute})/{mau_months},"n/a")',
    ),
    ("blended_cac", "Blended CAC (ad spend per sign-up)", 'IF({new_users}<>0,{ad_spend}/{new_users},"n/a")'),
    (
        "paid_cac",
        "Paid CAC (ad spend per sign-up bought)",
        'IF({paid_new_users}<>0,{ad_spend}/{paid_new_users},"n/a")',
    ),
    (
        "arppu_net",
        "ARPPU net (a payer's month, net revenue)",
        'IF({payer_months}<>0,{revenue}/{payer_months},"n/a")',
    ),
)
#: the year's unit economics: (unit, as a text of the currency), shown in the currency, not millions
PER_UNIT = {
    "contribution_per_mau": "{cur} per MAU-month",
    "blended_cac": "{cur} per sign-up",
    "paid_cac": "{cur} per paid sign-up",
    "arppu_net": "{cur} per payer-month",
}
#: lines shown in millions of the currency (the rest: counts, a ratio)
MONEY = {
    "gross_revenue",
    "deductions",
    "revenue",
    "compute",
    "gross_profit",
    "ad_spend",
    "fixed_costs",
    "migration_one_off",
    "ebitda",
    "interest",
    "funding",
    "cash",
}


class AnnualSheet:
    """The Annual sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def annual_sheet(self):
        ws = self.wb.create_sheet(ANNUAL_SHEET)
        a = self.a
        years = fiscal_years(self.n_months, a.start, a.fiscal_year_start)
        numbers = sorted(set(fiscal_year_numbers(self.n_months, a.start, a.fiscal_year_start)))
        kind = "fiscal year" if a.start else "year (12-month blocks from month 1)"
        partial = [y.label for y in years if y.partial]
        self.title(
            ws,
            "Annual summary",
            f"The live scenario's plan by {kind}, in {a.currency} millions: flows "
            "summed over the year, balances at its end"
            + (f"; * a partial year ({'; '.join(partial)}), not annualised" if partial else "")
            + ".",
            live=True,
        )
        labels = [y.label.split(" (")[0] + ("*" if y.partial else "") for y in years]
        self.header(ws, 4, ["Line", "Name", "Unit", ""] + labels)
        ws.row_dimensions[4].height = 18
        # the years' keys: typed when the workbook was made (a check watches the calendar)
        self.text(
            ws, "A5", "Year (its number: FY2025 is 2025)" if a.start else "Year (1, 2, ...)", S.UNIT_FONT
        )
        self.text(ws, "B5", "annual_year", S.NAME_FONT)
        for j in range(len(numbers)):  # the live scenario's years: a re-forecast may start in another month
            col = get_column_letter(5 + j)
            self.formula(
                ws, f"{col}5", f"=INDEX(fiscal_year_by_month,1,1)+COLUMNS($E$3:{col}$3)-1", "0"
            )  # row 3, not its own row: a range holding the cell itself is a circular reference to a strict evaluator
            ws[f"{col}5"].alignment = S.RIGHT
            prefix = "FY" if a.start else "Y"
            c = self.formula(
                ws, f"{col}4", f'="{prefix}"&{col}$5&IF(COUNTIF(fiscal_year_by_month,{col}$5)<12,"*","")'
            )
            self.styled(c, S.HEADER_FONT, S.HEADER_FILL, None, align=S.RIGHT)
        self.define("annual_year_label", ws, f"E4:{get_column_letter(4 + len(numbers))}4")
        last = get_column_letter(4 + len(numbers))
        self.define("annual_year", ws, f"E5:{last}5")
        rows = {key: 6 + i for i, (key, *_) in enumerate(LINES)}
        for key, label, how in LINES:
            r = rows[key]
            bold = key in ("revenue", "gross_profit", "ebitda", "cash", "contribution_margin")
            self.text(ws, f"A{r}", label, S.SECTION_FONT if bold else S.LABEL_FONT)
            self.text(ws, f"B{r}", f"annual_{key}_by_year", S.NAME_FONT)
            unit = (
                f"{a.currency} millions"
                if key in MONEY
                else PER_UNIT[key].format(cur=a.currency)
                if key in PER_UNIT
                else "fraction of net revenue"
                if key in ("gross_margin", "contribution_margin")
                else "months"
                if key == "months"
                else "user-months"
                if key.endswith("_months")
                else "users"
            )
            self.text(ws, f"C{r}", unit, S.UNIT_FONT)
            fmt = (
                MILLIONS
                if key in MONEY
                else S.FORMATS["money"]
                if key in PER_UNIT
                else S.FORMATS["percent"]
                if key in ("gross_margin", "contribution_margin")
                else "#,##0"
            )
            for j in range(len(numbers)):
                col = get_column_letter(5 + j)
                year = f"{col}$5"
                if how == "sum":
                    f = f"SUMIF(fiscal_year_by_month,{year},{key}_by_month)"
                elif how == "end":  # the year's last month: the months up to and including this year
                    f = f'INDEX({key}_by_month,1,COUNTIF(fiscal_year_by_month,"<="&{year}))'
                elif how == "months":
                    f = f"COUNTIF(fiscal_year_by_month,{year})"
                else:
                    f = how.format(year=year, **{k: f"{col}{rr}" for k, rr in rows.items()})
                self.formula(ws, f"{col}{r}", "=" + f, fmt, align=S.RIGHT)
            self.define(f"annual_{key}_by_year", ws, f"E{r}:{last}{r}")
            self.swept(ws, f"E{r}:{last}{r}")
        sheet = quote_sheetname(ANNUAL_SHEET)
        self.add_check(
            "Annual: the years cover every month of the projection once (the calendar on Inputs has "
            "not moved them)",
            f"SUM({sheet}!E{rows['months']}:{last}{rows['months']})=horizon",
        )
        self.add_check(
            "Annual: EBITDA summed over the years is the negative of the net burn summed over the months",
            f"ABS(SUM({sheet}!E{rows['ebitda']}:{last}{rows['ebitda']})+SUM(net_burn_by_month))"
            f'<=check_tolerance*MAX(1,SUMIF(net_burn_by_month,">0")-SUMIF(net_burn_by_month,"<0"))',
        )
        ws.column_dimensions["A"].width = 46
        ws.column_dimensions["B"].width = 30
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 2
        for j in range(len(numbers)):
            ws.column_dimensions[get_column_letter(5 + j)].width = 13
        ws.freeze_panes = "E6"
        self.print_setup(ws, tall_pages=1, title_rows="1:4")
