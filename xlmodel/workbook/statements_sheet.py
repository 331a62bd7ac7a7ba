"""The Statements sheets of a plan of the whole company (docs/model.md, "The three statements"): the income
statement, cash flow and balance sheet by month with the balance check (feeding the master check), the whole
company's answers as named cells, and the same statements by fiscal year and quarter with each period's unit
economics (live SUMIFS over the month rows; a balance takes the period's last month).

Every monthly line is named ``statement_<line>_by_month`` after :data:`xlmodel.statements.LINES` (the lines the
Projection, Team or Capex and credits sheets already hold are linked, never computed twice); a period table's
row is ``year_<line>`` or ``quarter_<line>`` across its periods.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname

from ..statements import BALANCE, BALANCES, CASH_FLOW, INCOME, periods
from . import styles as S
from .layout import column_of

STATEMENTS_SHEET = "Statements"
PERIODS_SHEET = "Statements by period"
#: lines the statements link from another sheet's row (statement line -> that row's key)
LINKED = {
    "revenue": "revenue",
    "compute": "compute",
    "payroll_ops": "payroll_ops",
    "ad_spend": "ad_spend",
    "payroll_sm": "payroll_sm",
    "payroll_rd": "payroll_rd",
    "payroll_ga": "payroll_ga",
    "fixed_costs": "fixed_costs",
    "one_off": "migration_one_off",
    "depreciation": "depreciation",
    "credits_lapsed": "credits_lapsed",
    "interest": "interest",
    "tax": "tax",
    "credits_used": "credits_used",
    "capex": "capex",
    "funding": "funding",
    "cash": "cash",
    "receivables": "receivables",
    "credit_balance": "credit_balance",
    "payables": "payables",
}
#: each line's label
LABELS = {
    "revenue": "Revenue (net of VAT and store fees)",
    "compute": "Compute (inference)",
    "payroll_ops": "Payroll: operations",
    "cost_of_revenue": "Cost of revenue",
    "gross_profit": "Gross profit",
    "ad_spend": "Ad spend",
    "payroll_sm": "Payroll: sales and marketing",
    "payroll_rd": "Payroll: research and development",
    "payroll_ga": "Payroll: general and administrative",
    "fixed_costs": "Fixed costs (other than payroll)",
    "one_off": "One-off costs",
    "operating_costs": "Operating costs",
    "ebitda": "EBITDA",
    "depreciation": "Depreciation",
    "credits_lapsed": "Compute credits lapsed",
    "ebit": "EBIT (operating profit)",
    "interest": "Interest",
    "ebt": "Earnings before tax",
    "tax": "Income tax",
    "net_income": "Net income",
    "credits_used": "Compute paid with credits (not cash)",
    "change_in_payables": "Change in payables",
    "change_in_receivables": "Change in receivables",
    "change_in_deferred_revenue": "Change in deferred revenue",
    "operating_cash_flow": "Operating cash flow",
    "capex": "Capex",
    "investing_cash_flow": "Investing cash flow",
    "funding": "Funding rounds (cash)",
    "financing_cash_flow": "Financing cash flow",
    "closing_cash": "Closing cash (opening cash plus the three flows)",
    "cash": "Cash",
    "receivables": "Receivables",
    "credit_balance": "Compute credits",
    "ppe": "Property and equipment (capex less depreciation)",
    "assets": "Total assets",
    "payables": "Payables",
    "deferred_revenue": "Deferred revenue",
    "liabilities": "Total liabilities",
    "equity": "Equity (opening, rounds and credits raised, net income to date)",
    "balance_gap": "Assets less liabilities and equity",
    "balance_ok": "The balance sheet balances",
}
#: the whole company's answers: (name, label, unit, format kind, formula)
ANSWERS = (
    ("balance_ok", "The balance sheet balances in every month", "yes/no", "flag",
     "COUNTIF(statement_balance_ok_by_month,FALSE())=0"),
    ("ending_headcount", "Headcount at the horizon", "heads", "decimal", "INDEX(headcount_by_month,1,horizon)"),
    ("ending_credits", "Compute credits left at the horizon", "currency", "total",
     "INDEX(credit_balance_by_month,1,horizon)"),
    ("credits_used", "Compute credits used over the horizon", "currency", "total", "SUM(credits_used_by_month)"),
    ("credits_lapsed", "Compute credits lapsed over the horizon", "currency", "total",
     "SUM(credits_lapsed_by_month)"),
    ("ending_deferred_revenue", "Deferred revenue at the horizon", "currency", "total",
     "INDEX(statement_deferred_revenue_by_month,1,horizon)"),
    ("capex_total", "Capex over the horizon", "currency", "total", "SUM(capex_by_month)"),
    ("tax_paid", "Income tax paid over the horizon", "currency", "total", "SUM(tax_by_month)"),
    ("ending_payers", "Paying users at the horizon", "users", "users", "INDEX(paying_users_by_month,1,horizon)"),
)  # fmt: skip
#: the period tables' extra lines (beyond the statements'): sums and balances of the projection and team
PERIOD_EXTRA = ("headcount", "mau", "paying_users", "new_users", "paid_new_users")


class StatementsSheet:
    """The Statements and Statements by period sheets (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def statements_sheet(self):
        ws = self.wb.create_sheet(STATEMENTS_SHEET)
        n = self.n_months
        money = S.FORMATS["total"]
        self.title(
            ws,
            "Income statement, cash flow and balance sheet",
            "Month by month for the live scenario, from the Projection, Team and Capex and credits sheets. The "
            "balance sheet balances when assets equal liabilities plus equity (the check is part of the master "
            "check). Column D holds month 0's balances.",
            live=True,
        )
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws)
        src = {k: ("Projection", r) for k, r in self.projection_rows_at.items()}
        src.update(self.timeline_links)

        def link(key: str, col: str) -> str:
            sheet, r = src[LINKED.get(key, key)]
            return f"{quote_sheetname(sheet)}!{col}{r}"

        def linked(key: str):
            return lambda c, p: link(key, column_of(c("month")))

        def month0(key: str) -> str:  # month 0's balance: the linked row's column D
            return link(key, "D")

        fy = lambda c, back="": f"INDEX(fiscal_year_by_month,1,{c('month')}{back})"
        place = (
            (lambda c: f"MOD(MONTH(EOMONTH(plan_start,{c('month')}-1))-fiscal_year_start,months_per_year)")
            if self.a.start
            else (lambda c: f"MOD({c('month')}-1,months_per_year)")
        )
        f = {
            "month": lambda c, p: f"{p('month')}+1",
            "year_index": lambda c, p: (
                f"IF({c('month')}=1,1,{p('year_index')}+IF({fy(c)}<>{fy(c, '-1')},1,0))"
            ),
            "quarter_of_year": lambda c, p: f"INT({place(c)}/months_per_quarter)",
            "quarter_index": lambda c, p: (
                f"IF({c('month')}=1,1,{p('quarter_index')}+IF(OR({c('year_index')}<>{p('year_index')},"
                f"{c('quarter_of_year')}<>{p('quarter_of_year')}),1,0))"
            ),
            "cost_of_revenue": lambda c, p: f"{c('compute')}+{c('payroll_ops')}",
            "gross_profit": lambda c, p: f"{c('revenue')}-{c('cost_of_revenue')}",
            "operating_costs": lambda c, p: (
                f"({c('ad_spend')}+{c('payroll_sm')}+{c('payroll_rd')}+{c('payroll_ga')}+{c('fixed_costs')})"
                f"+{c('one_off')}"
            ),
            "ebitda": lambda c, p: f"{c('gross_profit')}-{c('operating_costs')}",
            "ebit": lambda c, p: f"{c('ebitda')}-{c('depreciation')}-{c('credits_lapsed')}",
            "ebt": lambda c, p: f"{c('ebit')}+{c('interest')}",
            "net_income": lambda c, p: f"{c('ebt')}-{c('tax')}",
            "change_in_payables": lambda c, p: f"{c('payables')}-{p('payables')}",
            "change_in_receivables": lambda c, p: f"{c('receivables')}-{p('receivables')}",
            "change_in_deferred_revenue": lambda c, p: f"{c('deferred_revenue')}-{p('deferred_revenue')}",
            "operating_cash_flow": lambda c, p: (
                f"{c('net_income')}+{c('depreciation')}+{c('credits_lapsed')}+{c('credits_used')}"
                f"+{c('change_in_payables')}-{c('change_in_receivables')}+{c('change_in_deferred_revenue')}"
            ),
            "investing_cash_flow": lambda c, p: f"-{c('capex')}",
            "financing_cash_flow": lambda c, p: c("funding"),
            "closing_cash": lambda c, p: (
                f"{p('cash')}+{c('operating_cash_flow')}+{c('investing_cash_flow')}+{c('financing_cash_flow')}"
            ),
            "ppe": lambda c, p: f"{p('ppe')}+{c('capex')}-{c('depreciation')}",
            "assets": lambda c, p: f"{c('cash')}+{c('receivables')}+{c('credit_balance')}+{c('ppe')}",
            # annual plans come with payers as their own stock (the Projection's row); else none
            "deferred_revenue": linked("deferred_revenue") if self.stocks else (lambda c, p: "0"),
            "liabilities": lambda c, p: f"{c('payables')}+{c('deferred_revenue')}",
            "rounds_to_date": lambda c, p: f"{p('rounds_to_date')}+{c('funding')}+{c('credits_granted')}",
            "credits_granted": linked("credits_granted"),
            "net_income_to_date": lambda c, p: f"{p('net_income_to_date')}+{c('net_income')}",
            "net_income_abs_to_date": lambda c, p: f"{p('net_income_abs_to_date')}+ABS({c('net_income')})",
            "equity": lambda c, p: f"{c('equity_0')}+{c('rounds_to_date')}+{c('net_income_to_date')}",
            "equity_0": lambda c, p: f"$D${pos_equity}",
            "balance_gap": lambda c, p: f"{c('assets')}-{c('liabilities')}-{c('equity')}",
            "balance_ok": lambda c, p: (
                f"ABS({c('balance_gap')})<=check_tolerance*MAX(1,ABS({c('assets')}),ABS({c('equity_0')})"
                f"+{c('rounds_to_date')}+{c('net_income_abs_to_date')})"
            ),
        }
        opening = {
            "month": 0,
            "cash": "cash",
            "receivables": month0("receivables"),
            "credit_balance": month0("credit_balance"),
            "payables": month0("payables"),
            "ppe": 0,
            "deferred_revenue": 0,
            "rounds_to_date": 0,
            "net_income_to_date": 0,
            "net_income_abs_to_date": 0,
        }
        units = {"month": "month", "balance_ok": "yes/no", "year_index": "period", "quarter_of_year": "quarter",
                 "quarter_index": "period"}  # fmt: skip
        fmts = {k: "0" for k in units} | {"balance_ok": S.FORMATS["flag"]}
        extra = {
            "month": "Month",
            "year_index": "Fiscal year of the plan (1, 2, ...)",
            "quarter_of_year": "Quarter of the fiscal year (0 to 3)",
            "quarter_index": "Fiscal quarter of the plan (1, 2, ...)",
            "credits_granted": "Credits granted in rounds (equity raised as credits)",
            "rounds_to_date": "Rounds raised to date (cash and credits)",
            "net_income_to_date": "Net income to date",
            "net_income_abs_to_date": "Net income to date, in absolute value (the check's scale)",
            "equity_0": "Equity at month 0 (cash, receivables and credits less payables)",
        }
        layout: list = [("month",), ("year_index",), ("quarter_of_year",), ("quarter_index",), "Income statement", *[(k,) for k in INCOME], "Cash flow",
                        *[(k,) for k in CASH_FLOW], "Balance sheet",
                        *[(k,) for k in BALANCE if k not in ("balance_gap", "balance_ok")],
                        ("credits_granted",), ("rounds_to_date",), ("net_income_to_date",),
                        ("net_income_abs_to_date",), ("equity_0",), ("balance_gap",), ("balance_ok",)]  # fmt: skip
        pos_equity = 5 + layout.index(("equity_0",))
        rows = []
        for item in layout:
            if isinstance(item, str):
                rows.append(item)
                continue
            key = item[0]
            label = LABELS.get(key) or extra[key]
            month_0 = opening.get(key)
            if key == "equity_0":
                month_0 = (
                    f"D{5 + layout.index(('cash',))}+D{5 + layout.index(('receivables',))}"
                    f"+D{5 + layout.index(('credit_balance',))}-D{5 + layout.index(('payables',))}"
                )
            rows.append(
                (
                    key,
                    label,
                    units.get(key, "currency"),
                    fmts.get(key, money),
                    month_0,
                    f.get(key) or linked(key),
                )
            )
        helpers = frozenset(
            {"month", "year_index", "quarter_of_year", "quarter_index", "credits_granted", "rounds_to_date", "net_income_to_date", "net_income_abs_to_date",
             "equity_0"}
        )  # fmt: skip
        pos = self.timeline(ws, n, rows, 5, prefix="statement_", helpers=helpers)
        self.statement_rows_at = pos
        last = get_column_letter(4 + n)
        out = max(pos.values()) + 2
        self.section(ws, out, "The whole company's answers", 4)
        for j, (name, label, unit, fmt, formula) in enumerate(ANSWERS):
            self.output_row(ws, out + 1 + j, name, label, unit, S.FORMATS[fmt], formula)
        self.add_check(
            "The balance sheet balances in every month: assets = liabilities + equity (Statements)",
            "balance_ok",
        )
        self.add_check(
            "The cash-flow statement's closing cash at the horizon equals the plan's cash (Statements)",
            "ABS(INDEX(statement_closing_cash_by_month,1,horizon)-ending_cash)<=check_tolerance*"
            "MAX(1,cash_movements)",
        )
        ws.freeze_panes = "E5"
        ws.sheet_properties.outlinePr.summaryBelow = False
        self.in_millions(ws)
        self.print_timeline(ws, n)
        ws.print_area = f"A1:{last}{max(pos.values())}"
        self.periods_sheet()

    def periods_sheet(self):
        """The statements by fiscal year and by fiscal quarter: periods across, lines down, live SUMIFS over the
        Statements' months (a balance: the period's last month), with each period's unit economics."""
        ws = self.wb.create_sheet(PERIODS_SHEET)
        self.title(
            ws,
            "Statements by fiscal year and quarter",
            "Flows are the sums of the period's months, balances (cash, headcount, users, ...) its last month's. "
            "Unit economics are the ratios of the period's sums (n/a where a denominator is 0).",
            live=True,
        )
        row = 5
        for kind, quarterly in (("year", False), ("quarter", True)):
            spans = periods(self.n_months, self.a.start, self.a.fiscal_year_start or 1, quarterly)
            row = self._period_table(ws, row, kind, spans) + 2
        self.print_wide(ws, None, "A:A")
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].hidden = True
        ws.column_dimensions["C"].width = 12

    def _period_table(self, ws, top: int, kind: str, spans: list) -> int:
        """One table of periods (``kind`` "year" or "quarter") from row ``top``; returns its last row."""
        money = S.FORMATS["millions"] if self.big_money() else S.FORMATS["total"]
        k = len(spans)
        last = get_column_letter(3 + k)
        self.header(ws, top, ["Fiscal " + kind, "Name", "Unit"] + [p.label for p in spans])
        for j in range(k):  # a partial year's label ("FY2024 (Mar-Dec, 10 of 12 months)") wraps
            ws.cell(row=top, column=4 + j).alignment = S.WRAP
            ws.column_dimensions[get_column_letter(4 + j)].width = 13
        ws.row_dimensions[top].height = 40 if kind == "year" else 15
        index = f"statement_{kind}_index_by_month"
        months = "statement_month_by_month"
        r_no, r_first, r_last = top + 1, top + 2, top + 3
        for r, label, name in ((r_no, "Period", f"{kind}_number"), (r_first, "First month", f"{kind}_first"),
                               (r_last, "Last month", f"{kind}_last")):  # fmt: skip
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", name, S.NAME_FONT)
            self.text(ws, f"C{r}", "month", S.UNIT_FONT)
            self.define(name, ws, f"D{r}:{last}{r}")
        for j in range(k):
            col = get_column_letter(4 + j)
            self.formula(ws, f"{col}{r_no}", f"=COLUMNS($D${r_no}:{col}${r_no})", "0")
            self.formula(ws, f"{col}{r_first}", f"=MATCH({col}{r_no},{index},0)", "0")
            self.formula(ws, f"{col}{r_last}", f'=COUNTIF({index},"<="&{col}{r_no})', "0")
        lines = [*INCOME, *CASH_FLOW, *BALANCE, *PERIOD_EXTRA, "mau_months", "payer_months"]
        source = {"headcount": "headcount_by_month", "mau": "mau_by_month", "mau_months": "mau_by_month",
                  "paying_users": "paying_users_by_month", "payer_months": "paying_users_by_month",
                  "new_users": "new_users_by_month", "paid_new_users": "paid_new_users_by_month"}  # fmt: skip
        labels = {"headcount": "Headcount at the end", "mau": "MAU at the end", "paying_users": "Payers at the end",
                  "new_users": "Sign-ups", "paid_new_users": "Sign-ups bought with ads",
                  "mau_months": "MAU summed over the months", "payer_months": "Payers summed over the months"}  # fmt: skip
        at: dict[str, int] = {}
        r = r_last + 1
        for line in lines:
            r += 1
            at[line] = r
            name = f"{kind}_{line}"
            src = source.get(line, f"statement_{line}_by_month")
            unit = (
                "users"
                if line in source and line != "headcount"
                else "heads"
                if line == "headcount"
                else ("yes/no" if line == "balance_ok" else "currency")
            )
            self.text(ws, f"A{r}", LABELS.get(line) or labels[line])
            self.text(ws, f"B{r}", name, S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            for j in range(k):
                col = get_column_letter(4 + j)
                if line in BALANCES or line in ("mau", "paying_users", "headcount"):
                    formula = f"=INDEX({src},1,{col}${r_last})"
                else:
                    formula = f'=SUMIFS({src},{months},">="&{col}${r_first},{months},"<="&{col}${r_last})'
                fmt = (
                    S.FORMATS["flag"]
                    if line == "balance_ok"
                    else S.FORMATS["users"]
                    if unit != "currency"
                    else money
                )
                self.formula(ws, f"{col}{r}", formula, fmt)
            self.define(name, ws, f"D{r}:{last}{r}")
            self.swept(ws, f"D{r}:{last}{r}")
        ratios = (
            ("blended_cac", "Blended CAC (ad spend / sign-ups)", "currency per user", "ad_spend", "new_users", None),
            ("paid_cac", "Paid CAC (ad spend / sign-ups bought with ads)", "currency per user", "ad_spend",
             "paid_new_users", None),
            ("gross_margin", "Gross margin (gross profit / revenue)", "fraction", "gross_profit", "revenue", None),
            ("contribution_margin", "Contribution margin ((revenue - compute) / revenue)", "fraction", "revenue",
             "revenue", "compute"),
            ("contribution_per_mau", "Contribution per MAU a month ((revenue - compute) / MAU summed)",
             "currency per MAU", "revenue", "mau_months", "compute"),
            ("arppu_net", "Net revenue per payer a month (revenue / payers summed)", "currency per payer",
             "revenue", "payer_months", None),
        )  # fmt: skip
        r += 1
        self.section(ws, r, "Unit economics of the period", 3 + k)
        for name, label, unit, num, den, less in ratios:
            r += 1
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", f"{kind}_{name}", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            fmt = S.FORMATS["percent"] if unit == "fraction" else S.FORMATS["money"]
            for j in range(k):
                col = get_column_letter(4 + j)
                top_ = f"{col}{at[num]}" + (f"-{col}{at[less]}" if less else "")
                self.formula(
                    ws,
                    f"{col}{r}",
                    f'=IF({col}{at[den]}=0,"n/a",({top_})/{col}{at[den]})',
                    fmt,
                    align=S.RIGHT,
                )
            self.define(f"{kind}_{name}", ws, f"D{r}:{last}{r}")
            self.swept(ws, f"D{r}:{last}{r}")
        return r
