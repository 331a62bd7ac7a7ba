"""Month timelines and the Projection sheet (users, revenue, costs, cash, runway)."""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter, quote_sheetname

from ..dates import month_label
from . import styles as S
from .chart_style import style_series
from .company_rows import COMPANY_HELPERS, NEED_STEPS, funding_need_formula, horizon_rows, need_trials
from .payer_rows import STOCK_HELPERS, stock_checks
from .projection_rows import HELPERS, projection_rows


class ProjectionSheet:
    """Month timelines and the Projection sheet (users, revenue, costs, cash, runway) (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def timeline(
        self, ws, n: int, rows: list, first_row: int, prefix: str = "", helpers: frozenset = frozenset()
    ):
        """Rows across a month timeline: D = month 0, E.. = months 1..n.

        ``rows``: (key, label, unit, fmt, month0, formula) where month0 is a
        formula/value for column D or None, and formula is a function of
        ``c(key)`` (this month's cell of a row) and ``p(key)`` (last month's).
        ``helpers``: rows a reader does not need (flags, intermediate steps):
        grouped and hidden, so that they never print. A text among ``rows`` is a section heading.
        """
        # a text among the rows is a section heading on a row of its own
        pos = {item[0]: first_row + i for i, item in enumerate(rows) if not isinstance(item, str)}
        last = get_column_letter(4 + n)
        for i, item in enumerate(rows):
            if isinstance(item, str):
                self.section(ws, first_row + i, item, 4 + n)
        for key, label, unit, fmt, month0, formula in (item for item in rows if not isinstance(item, str)):
            r = pos[key]
            if key in helpers:
                ws.row_dimensions[r].outlineLevel = 1
                ws.row_dimensions[r].hidden = True
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", f"{prefix}{key}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            if month0 is not None:
                cell = ws.cell(
                    row=r, column=4, value=month0 if not isinstance(month0, str) else self.f(month0)
                )
                cell.font = S.INPUT_FONT if not isinstance(month0, str) else S.FORMULA_FONT
                cell.number_format = fmt
            for j in range(1, n + 1):
                col = get_column_letter(4 + j)
                prev = get_column_letter(3 + j)

                def c(k, col=col):  # a row of this timeline, or the same month of a linked sheet's row
                    if k in pos:
                        return f"{col}{pos[k]}"
                    sheet, r = self.timeline_links[k]
                    return f"{quote_sheetname(sheet)}!{col}{r}"

                def p(k, prev=prev):
                    return f"{prev}{pos[k]}"

                cell = ws.cell(row=r, column=4 + j, value=self.f(formula(c, p)))
                self.styled(cell, S.FORMULA_FONT, None, fmt)
            self.define(f"{prefix}{key}_by_month", ws, f"E{r}:{last}{r}")
            self.swept(ws, f"D{r}:{last}{r}")
        return pos

    def month_headers(self) -> list[str]:
        """The timeline's column headers: M1.., or calendar months with ``[model] start``."""
        return [month_label(t, self.a.start) for t in range(1, self.n_months + 1)]

    def date_headers(self, ws, row: int = 4):
        """With ``[model] start``, the month columns' headers become month-end dates (``=EOMONTH(plan_start,
        t-1)``, shown as "Dec 24"), the year's first month in bold: they follow plan_start on Inputs."""
        if not self.a.start:
            return
        n = self.n_months
        named = self.wb.defined_names.get("month_end_by_month")
        home = (
            next(iter(named.destinations)) if named else None
        )  # the first sheet's row; the others link to it
        for t in range(1, n + 1):
            c = ws.cell(row=row, column=4 + t)
            col = get_column_letter(4 + t)
            if home:
                sheet, ref = home
                c.value = f"='{sheet}'!{col}{int(ref.split('$')[-1])}"
            else:
                c.value = f"=EOMONTH(plan_start,COLUMNS($E${row}:{col}${row})-1)"
            c.number_format = "mmm yy"
        if not named:
            self.define("month_end_by_month", ws, f"E{row}:{get_column_letter(4 + n)}{row}")

    def projection_sheet(self):
        ws = self.wb.create_sheet("Projection")
        n = self.n_months
        self.title(
            ws,
            "Projection and runway",
            f"Month-end flows over {n} months for the live scenario. "
            "Column D is month 0 (the opening balances). Rows of intermediate "
            "steps are grouped and hidden: the + in the margin shows them.",
            live=True,
        )
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws)
        rows = projection_rows(self)
        pos = self.timeline(ws, n, rows, 5, helpers=HELPERS | COMPANY_HELPERS | STOCK_HELPERS)
        if self.company:  # the trial rounds of the funding need with taxed interest (column D)
            for ref, formula in need_trials(pos, get_column_letter(4 + n)).items():
                if ref != "need":
                    self.formula(ws, ref, formula, S.FORMATS["total"])
        self.projection_rows_at = pos  # the Migration sheet links to its rows
        last = get_column_letter(4 + n)
        out = max(pos.values()) + 2
        out = self.plan_results(ws, out, pos, last)
        company = (  # the whole company's cash term, summed (docs/model.md, "The three statements")
            (
                f"+SUM(credits_used_by_month)-SUM(tax_by_month)-SUM(capex_by_month)+(INDEX(payables_by_month,1,"
                f"horizon)-Projection!$D${pos['payables']})-(INDEX(receivables_by_month,1,horizon)"
                f"-Projection!$D${pos['receivables']})"
                + ("+INDEX(deferred_revenue_by_month,1,horizon)" if self.stocks else "")
            )
            if self.company
            else ""
        )
        self.add_check(
            "Cash at the end equals opening cash less the sum of net burn, plus interest and funding"
            + (", credits used, the change in payables and receivables, less tax and capex" * bool(company))
            + (", plus deferred revenue" * self.stocks),
            "ABS(ending_cash-(cash-SUM(net_burn_by_month)+SUM(interest_by_month)+SUM(funding_by_month)"
            f"{company}))<=check_tolerance*MAX(1,cash_movements)",
        )
        if self.company:
            self.add_check(
                "Funding need with taxed interest: the last Newton step asks for no more (the need keeps cash at or "
                "above min_cash from the funding month on)",
                "IF(AND(ISNUMBER(funding_month),tax_rate>0,monthly_interest_rate>0,MAX(0,MAX(funding_gap_by_month))"
                f">0),MAX(fn{NEED_STEPS}_step_by_month)<=check_tolerance*MAX(1,funding_need),TRUE())",
            )
        if self.stocks:  # payers as their own stock: the rules between their inputs (docs/model.md)
            for text, formula in stock_checks(bool(self.curve_months_max)):
                self.add_check(text, formula)
        self.add_check(
            "Paying users never exceed MAU", "SUMPRODUCT(--(paying_users_by_month>mau_by_month))=0"
        )
        self.add_check(
            "The timeline runs month 1 to the horizon, one column a month",
            "AND(MIN(month_by_month)=1,MAX(month_by_month)=COLUMNS(month_by_month))",
        )
        ws.freeze_panes = "E5"
        ws.sheet_properties.outlinePr.summaryBelow = False
        self.in_millions(ws)
        self.print_timeline(ws, n)
        # the timeline prints; the rates and answers below it are workings (the Cover and Scenarios show them)
        ws.print_area = f"A1:{last}{max(pos.values())}"
        self.charts_sheet(ws, pos, n)

    def plan_results(self, ws, out: int, pos: dict, last: str) -> int:
        """What the plan answers, as named cells below the timeline; returns the row after them."""
        mig = "migration_month" in self.inputs
        self.section(ws, out, "Rates and levels the rows use", 4)
        row = out + 1
        for name, label, unit, fmt, formula in (
            (
                "cac_spend_used",
                "Spend at which cac was observed (cac_spend, or month 1's ad_spend)",
                "currency per month",
                S.FORMATS["total"],
                "IF(ISNUMBER(cac_spend),cac_spend,ad_spend)",
            ),
            (
                "compute_cost_growth",
                ("Monthly growth factor of compute per user: (1 + usage_growth) x (1 - cost_decline)"),
                "factor",
                "0.0000",
                "(1+usage_growth)*(1-cost_decline)",
            ),
            (
                "monthly_interest_rate",
                "Monthly interest rate",
                "monthly fraction",
                "0.000%",
                "(1+interest_rate)^(1/months_per_year)-1",
            ),
        ):
            self.output_row(ws, row, name, label, unit, fmt, formula)
            row += 1
        if mig:
            row = self.ensure_monthly_rate(ws, row)
        out = row + 1
        self.section(ws, out, "What the plan answers", 4)
        optional = lambda k: f'IF(ISNUMBER({k}),{k},"")'
        udf_args = (
            f"LLM_RUNWAY(cash,mau,ad_spend,cac,churn,conversion,arppu,{{cost_per_mau}},fixed_costs,"
            f"paid_share,ad_growth,cost_decline,horizon,{optional('organic_users')},organic_growth,"
            f"cac_elasticity,{optional('paying_cost_per_mau')}"
        )
        udf_args += (
            f",{optional('migration_month')},routed_share,large_price,small_price,migration_cost)"
            if mig
            else ")"
        )
        # LLM_RUNWAY is version 2's function: it agrees with the plan only without the version-3 inputs
        plain = self.version_2_plan()
        money, months, month = S.FORMATS["total"], S.FORMATS["months"], S.FORMATS["month"]
        never = '"never"'
        outputs = [
            (
                "runway_months",
                "Runway (months until cash runs out)",
                "months",
                months,
                f"IF(cash<=0,0,IF({last}{pos['cash_negative']},SUM(runway_step_by_month),{never}))",
                udf_args if plain else None,
            ),
            (
                "runway_months_without_funding",
                "Runway without the planned funding rounds",
                "months",
                months,
                (
                    f"IF(cash<=0,0,IF({last}{pos['cash_negative_without_funding']},"
                    f"SUM(runway_step_without_funding_by_month),{never}))"
                ),
                None,
            ),
        ]
        if mig:
            outputs.append(
                (
                    "runway_months_without_migration",
                    "Runway without the migration",
                    "months",
                    months,
                    (
                        f"IF(cash<=0,0,IF({last}{pos['cash_negative_without_migration']},"
                        f"SUM(runway_step_without_migration_by_month),{never}))"
                    ),
                    None,
                )
            )
        outputs += [
            ("horizon", "Months projected", "months", "0", "COUNT(month_by_month)", None),
            (
                "ending_cash",
                "Cash at the end of the horizon",
                "currency",
                money,
                f"{last}{pos['cash']}",
                None,
            ),
            (
                "lowest_cash",
                "Lowest cash (months 1 to the horizon)",
                "currency",
                money,
                "MIN(cash_by_month)",
                None,
            ),
            (
                "lowest_cash_month",
                "Month of the lowest cash",
                "month",
                month,
                "MATCH(lowest_cash,cash_by_month,0)",
                None,
            ),
            (
                "first_short_month",
                "First month with cash below min_cash",
                "month",
                month,
                f"IF(COUNTIF(short_by_month,TRUE())=0,{never},MATCH(TRUE(),short_by_month,0))",
                None,
            ),
            (
                "funding_month",
                "Month of the raise (raise_month, or the first month short)",
                "month",
                month,
                "IF(ISNUMBER(raise_month),raise_month,first_short_month)",
                None,
            ),
            (
                "funding_need",
                "Funding need: the round in that month that keeps cash at or above min_cash",
                "currency",
                money,
                funding_need_formula(pos, last, self.company),
                None,
            ),
            (
                "breakeven_month",
                "Break-even month (operating burn <= 0 from then on)",
                "month",
                month,
                f"IF(MAX(loss_month_by_month)+1>horizon,{never},MAX(loss_month_by_month)+1)",
                None,
            ),
            (
                "default_alive",
                "Default alive: break-even on the cash it has (no new rounds)",
                "yes/no",
                S.FORMATS["flag"],
                (
                    "IF(ISNUMBER(breakeven_month),IF(ISNUMBER(runway_months_without_funding),"
                    "breakeven_month<=runway_months_without_funding,TRUE()),FALSE())"
                ),
                None,
            ),
            (
                "first_year_months",
                "Months of the first year (burn multiple, compute-to-revenue)",
                "months",
                "0",
                "MIN(months_per_year,horizon)",
                None,
            ),
            (
                "revenue_month_0",
                "Revenue of month 0 (month 1's drivers on the opening MAU)",
                "currency",
                money,
                "mau*conversion*arppu/(1+vat)*(1-store_fee)",
                None,
            ),
            (
                "first_year_burn",
                "Net burn of the first year",
                "currency",
                money,
                'SUMIF(month_by_month,"<="&first_year_months,net_burn_by_month)',
                None,
            ),
            (
                "first_year_revenue",
                "Net revenue of the first year",
                "currency",
                money,
                'SUMIF(month_by_month,"<="&first_year_months,revenue_by_month)',
                None,
            ),
            (
                "first_year_compute",
                "Compute of the first year",
                "currency",
                money,
                'SUMIF(month_by_month,"<="&first_year_months,compute_by_month)',
                None,
            ),
            (
                "first_year_revenue_growth",
                "Growth of monthly revenue over the first year (from month 0)",
                "currency per month",
                money,
                "INDEX(revenue_by_month,1,first_year_months)-revenue_month_0",
                None,
            ),
            (
                "burn_multiple",
                "Burn multiple (first year's burn / annualised revenue growth)",
                "ratio",
                S.FORMATS["multiple"],
                (
                    "IF(first_year_revenue_growth>0,first_year_burn/(months_per_year*"
                    'first_year_revenue_growth),"n/a")'
                ),
                None,
            ),
            (
                "compute_to_revenue",
                "Compute to revenue (first year)",
                "fraction of revenue",
                S.FORMATS["percent"],
                'IF(first_year_revenue>0,first_year_compute/first_year_revenue,"n/a")',
                None,
            ),
            (
                "cash_movements",
                "Every movement of cash, in absolute value (the scale of the cash check)",
                "currency",
                money,
                (
                    'ABS(cash)+SUMIF(net_burn_by_month,">0")-SUMIF(net_burn_by_month,"<0")+SUMIF('
                    'interest_by_month,">0")-SUMIF(interest_by_month,"<0")+SUM(funding_by_month)'
                ),
                None,
            ),
            *horizon_rows(money, months, capex=self.company),
        ]
        if mig:
            outputs += [
                (
                    "migration_saving",
                    "Share of compute saved from migration_month",
                    "fraction",
                    S.FORMATS["percent"],
                    "IF(ISNUMBER(migration_month),routed_share*(1-small_price/large_price),0)",
                    None,
                ),
                (
                    "plan_migration_npv",
                    "The plan's migration NPV (burn without it less burn with it, discounted)",
                    "currency",
                    money,
                    (
                        "IF(AND(ISNUMBER(migration_month),migration_month<=horizon),"
                        'SUM(plan_migration_pv_by_month),"n/a")'
                    ),
                    None,
                ),
                (
                    "plan_migration_payback_month",
                    "The plan's migration payback month",
                    "month",
                    month,
                    (
                        f"IF(AND(ISNUMBER(migration_month),migration_month<=horizon),IF({last}{pos['plan_migration_back']},"
                        f'SUM(plan_migration_step_by_month),{never}),"n/a")'
                    ),
                    None,
                ),
            ]
        row = out + 1
        for name, label, unit, fmt, formula, udf in outputs:
            self.output_row(ws, row, name, label, unit, fmt, formula, udf)
            row += 1
        self.headlines += [name for name, *_ in outputs if name in PLAN_HEADLINES]
        return row

    def version_2_plan(self) -> bool:
        """True when no scenario uses a version-3 input, change or round (LLM_RUNWAY then computes the plan)."""
        if self.company:  # the whole company (version 4): LLM_RUNWAY does not carry it
            return False
        for _, s in self.scenarios:
            if s.get("changes") or s.get("funding") or s.get("cac_spend") is not None or s.get("retention"):
                return False
            if any(s.get(k, d) != d for k, d in V3_DEFAULTS.items()):
                return False
            if s.get("migration_month") is not None and s.get("revenue_loss"):
                return False
        return True

    def charts_sheet(self, ws, pos: dict, n: int):
        """The projection's charts on a page of their own (each chart prints once, the tables stay compact)."""
        charts = self.wb.create_sheet("Charts")
        self.title(
            charts,
            "Charts of the projection",
            "The live scenario, month by month (from the Projection sheet).",
            live=True,
        )
        self.projection_charts(ws, pos, n, charts)
        self.print_setup(charts, tall_pages=1)

    def projection_charts(self, ws, pos: dict, n: int, target):
        """Six charts, each line on a scale that shows it: cash, net burn, revenue and compute, ad spend and fixed
        costs, MAU, paying users; every one over months 1..n (calendar months with a start)."""
        mig = "migration_month" in self.inputs
        labels = {k: lbl for k, lbl, *_ in projection_rows(self)}
        big = self.big_money()
        money_axis, money_title = (
            ("#,##0,,", f"{self.a.currency} millions") if big else ("#,##0", self.a.currency)
        )
        first = self.scenarios[0][1]
        many = float(first.get("mau", 0.0)) >= 1e6
        payers_many = float(first.get("mau", 0.0)) * float(first.get("conversion", 0.0)) >= 1e6
        dates = self.wb.defined_names.get("month_end_by_month")
        if dates:
            sheet, ref = next(iter(dates.destinations))
            cats = Reference(self.wb[sheet], min_col=5, max_col=4 + n, min_row=int(ref.split("$")[-1]))
        else:
            cats = Reference(ws, min_col=5, max_col=4 + n, min_row=pos["month"])

        def chart(title, y_title, keys, fmt):
            ch = LineChart()
            ch.title = title
            ch.y_axis.title = y_title
            ch.height, ch.width = 7.5, 12.5
            ch.x_axis.tickLblPos = "low"
            ch.x_axis.number_format = "mmm yy" if dates else "0"
            for i, key in enumerate(keys):
                s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=pos[key]), title=labels[key])
                style_series(s, i, n, dashed="_without_" in key)
                ch.series.append(s)
            ch.set_categories(cats)
            ch.x_axis.delete = False
            ch.y_axis.delete = False
            ch.y_axis.majorGridlines = None
            ch.y_axis.number_format = fmt
            if len(keys) == 1:
                ch.legend = None  # the title says it
            else:
                ch.legend.position = "b"
            return ch

        grid = [
            chart(
                "Cash balance" + (" with and without the migration" if mig else ""),
                money_title,
                ["cash", "cash_without_migration"] if mig else ["cash"],
                money_axis,
            ),
            chart("Net burn (negative: cash generated)", money_title, ["net_burn"], money_axis),
            chart("Net revenue and compute", money_title, ["revenue", "compute"], money_axis),
            chart("Ad spend and fixed costs", money_title, ["ad_spend", "fixed_costs"], money_axis),
            chart(
                "Monthly active users",
                "millions" if many else "thousands",
                ["mau"],
                "#,##0.0,," if many else "#,##0,",
            ),
            chart(
                "Paying users",
                "millions" if payers_many else "thousands",
                ["paying_users"],
                "#,##0.0,," if payers_many else "#,##0,",
            ),
        ]
        for i, ch in enumerate(grid):  # three across, two down: one page
            target.add_chart(ch, f"{'AIQ'[i % 3]}{5 + 16 * (i // 3)}")


#: version 3's inputs at their defaults: a plan that LLM_RUNWAY (version 2's function) also computes
V3_DEFAULTS = {
    "activation": 1.0,
    "store_fee": 0.0,
    "vat": 0.0,
    "interest_rate": 0.0,
    "usage_growth": 0.0,
    "fixed_cost_growth": 0.0,
}
#: the plan answers shown among the Cover's headlines
PLAN_HEADLINES = (
    "runway_months",
    "runway_months_without_funding",
    "runway_months_without_migration",
    "ending_cash",
    "lowest_cash",
    "lowest_cash_month",
    "funding_month",
    "funding_need",
    "breakeven_month",
    "default_alive",
    "burn_multiple",
    "compute_to_revenue",
    "plan_migration_npv",
    "plan_migration_payback_month",
)
