"""Month timelines and the Projection sheet (users, revenue, costs, cash, runway)."""

from __future__ import annotations


from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter, quote_sheetname

from ..dates import month_label
from . import styles as S


class ProjectionSheet:
    """Month timelines and the Projection sheet (users, revenue, costs, cash, runway) (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def timeline(self, ws, n: int, rows: list, first_row: int, prefix: str = "", helpers: frozenset = frozenset()):
        """Rows across a month timeline: D = month 0, E.. = months 1..n.

        ``rows``: (key, label, unit, fmt, month0, formula) where month0 is a
        formula/value for column D or None, and formula is a function of
        ``c(key)`` (this month's cell of a row) and ``p(key)`` (last month's).
        ``helpers``: rows a reader does not need (flags, intermediate steps):
        grouped and hidden, so that they never print.
        """
        pos = {key: first_row + i for i, (key, *_) in enumerate(rows)}
        last = get_column_letter(4 + n)
        for key, label, unit, fmt, month0, formula in rows:
            r = pos[key]
            if key in helpers:
                ws.row_dimensions[r].outlineLevel = 1
                ws.row_dimensions[r].hidden = True
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", f"{prefix}{key}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            if month0 is not None:
                cell = ws.cell(row=r, column=4, value=month0 if not isinstance(month0, str) else self.f(month0))
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
        home = next(iter(named.destinations)) if named else None  # the first sheet's row; the others link to it
        for t in range(1, n + 1):
            c = ws.cell(row=row, column=4 + t)
            col = get_column_letter(4 + t)
            if home:
                sheet, ref = home
                c.value = f"='{sheet}'!{col}{int(ref.split('$')[-1])}"
            else:
                c.value = f"=EOMONTH(plan_start,COLUMNS($E${row}:{col}${row})-1)"
            c.number_format = 'mmm yy'
        if not named:
            self.define("month_end_by_month", ws, f"E{row}:{get_column_letter(4 + n)}{row}")

    def projection_sheet(self):
        ws = self.wb.create_sheet("Projection")
        n = self.n_months
        self.title(ws, "Projection and runway", f"Month-end flows over {n} months for the live scenario. "
                                                "Column D is month 0 (the opening balances). Rows of intermediate "
                                                "steps are grouped and hidden: the + in the margin shows them.", live=True)
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws)
        rows = projection_rows(self)
        pos = self.timeline(ws, n, rows, 5, helpers=HELPERS)
        self.projection_rows_at = pos  # the Migration sheet links to its rows
        last = get_column_letter(4 + n)
        out = max(pos.values()) + 2
        out = self.plan_results(ws, out, pos, last)
        self.add_check("Cash at the end equals opening cash less the sum of net burn, plus interest and funding",
                       "ABS(ending_cash-(cash-SUM(net_burn_by_month)+SUM(interest_by_month)+SUM(funding_by_month)))"
                       "<=check_tolerance*MAX(1,cash_movements)")
        self.add_check("Paying users never exceed MAU", "SUMPRODUCT(--(paying_users_by_month>mau_by_month))=0")
        self.add_check("The timeline runs month 1 to the horizon, one column a month",
                       "AND(MIN(month_by_month)=1,MAX(month_by_month)=COLUMNS(month_by_month))")
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
                ("cac_spend_used", "Spend at which cac was observed (cac_spend, or month 1's ad_spend)",
                 "currency per month", S.FORMATS["total"], "IF(ISNUMBER(cac_spend),cac_spend,ad_spend)"),
                ("compute_cost_growth", "Monthly growth factor of compute per user: (1 + usage_growth) x "
                 "(1 - cost_decline)", "factor", "0.0000", "(1+usage_growth)*(1-cost_decline)"),
                ("monthly_interest_rate", "Monthly interest rate", "monthly fraction", "0.000%",
                 "(1+interest_rate)^(1/months_per_year)-1")):
            self.output_row(ws, row, name, label, unit, fmt, formula)
            row += 1
        if mig:
            row = self.ensure_monthly_rate(ws, row)
        out = row + 1
        self.section(ws, out, "What the plan answers", 4)
        optional = lambda k: f'IF(ISNUMBER({k}),{k},"")'  # noqa: E731 - "not given" is an empty argument
        udf_args = (f"LLM_RUNWAY(cash,mau,ad_spend,cac,churn,conversion,arppu,{{cost_per_mau}},fixed_costs,"
                    f"paid_share,ad_growth,cost_decline,horizon,{optional('organic_users')},organic_growth,"
                    f"cac_elasticity,{optional('paying_cost_per_mau')}")
        udf_args += (f",{optional('migration_month')},routed_share,large_price,small_price,migration_cost)" if mig
                     else ")")
        # LLM_RUNWAY is version 2's function: it agrees with the plan only without the version-3 inputs
        plain = self.version_2_plan()
        money, months, month = S.FORMATS["total"], S.FORMATS["months"], S.FORMATS["month"]
        never = '"never"'
        outputs = [
            ("runway_months", "Runway (months until cash runs out)", "months", months,
             f'IF(cash<=0,0,IF({last}{pos["cash_negative"]},SUM(runway_step_by_month),{never}))',
             udf_args if plain else None),
            ("runway_months_without_funding", "Runway without the planned funding rounds", "months", months,
             f'IF(cash<=0,0,IF({last}{pos["cash_negative_without_funding"]},'
             f'SUM(runway_step_without_funding_by_month),{never}))', None),
        ]
        if mig:
            outputs.append(("runway_months_without_migration", "Runway without the migration", "months", months,
                            f'IF(cash<=0,0,IF({last}{pos["cash_negative_without_migration"]},'
                            f'SUM(runway_step_without_migration_by_month),{never}))', None))
        outputs += [
            ("horizon", "Months projected", "months", "0", "COUNT(month_by_month)", None),
            ("ending_cash", "Cash at the end of the horizon", "currency", money, f"{last}{pos['cash']}", None),
            ("lowest_cash", "Lowest cash (months 1 to the horizon)", "currency", money, "MIN(cash_by_month)", None),
            ("lowest_cash_month", "Month of the lowest cash", "month", month,
             "MATCH(lowest_cash,cash_by_month,0)", None),
            ("first_short_month", "First month with cash below min_cash", "month", month,
             f'IF(COUNTIF(short_by_month,TRUE())=0,{never},MATCH(TRUE(),short_by_month,0))', None),
            ("funding_month", "Month of the raise (raise_month, or the first month short)", "month", month,
             "IF(ISNUMBER(raise_month),raise_month,first_short_month)", None),
            ("funding_need", "Funding need: the round in that month that keeps cash at or above min_cash",
             "currency", money, "IF(ISNUMBER(funding_month),MAX(0,MAX(funding_gap_by_month)),0)", None),
            ("breakeven_month", "Break-even month (operating burn <= 0 from then on)", "month", month,
             f"IF(MAX(loss_month_by_month)+1>horizon,{never},MAX(loss_month_by_month)+1)", None),
            ("default_alive", "Default alive: break-even on the cash it has (no new rounds)", "yes/no",
             S.FORMATS["flag"], "IF(ISNUMBER(breakeven_month),IF(ISNUMBER(runway_months_without_funding),"
                                "breakeven_month<=runway_months_without_funding,TRUE()),FALSE())", None),
            ("first_year_months", "Months of the first year (burn multiple, compute-to-revenue)", "months", "0",
             "MIN(months_per_year,horizon)", None),
            ("revenue_month_0", "Revenue of month 0 (month 1's drivers on the opening MAU)", "currency", money,
             "mau*conversion*arppu/(1+vat)*(1-store_fee)", None),
            ("first_year_burn", "Net burn of the first year", "currency", money,
             'SUMIF(month_by_month,"<="&first_year_months,net_burn_by_month)', None),
            ("first_year_revenue", "Net revenue of the first year", "currency", money,
             'SUMIF(month_by_month,"<="&first_year_months,revenue_by_month)', None),
            ("first_year_compute", "Compute of the first year", "currency", money,
             'SUMIF(month_by_month,"<="&first_year_months,compute_by_month)', None),
            ("first_year_revenue_growth", "Growth of monthly revenue over the first year (from month 0)",
             "currency per month", money, "INDEX(revenue_by_month,1,first_year_months)-revenue_month_0", None),
            ("burn_multiple", "Burn multiple (first year's burn / annualised revenue growth)", "ratio",
             S.FORMATS["multiple"], 'IF(first_year_revenue_growth>0,first_year_burn/(months_per_year*'
                                    'first_year_revenue_growth),"n/a")', None),
            ("compute_to_revenue", "Compute to revenue (first year)", "fraction of revenue", S.FORMATS["percent"],
             'IF(first_year_revenue>0,first_year_compute/first_year_revenue,"n/a")', None),
            ("cash_movements", "Every movement of cash, in absolute value (the scale of the cash check)",
             "currency", money, 'ABS(cash)+SUMIF(net_burn_by_month,">0")-SUMIF(net_burn_by_month,"<0")+SUMIF('
                                'interest_by_month,">0")-SUMIF(interest_by_month,"<0")+SUM(funding_by_month)', None),
        ]
        if mig:
            outputs += [
                ("migration_saving", "Share of compute saved from migration_month", "fraction",
                 S.FORMATS["percent"], "IF(ISNUMBER(migration_month),routed_share*(1-small_price/large_price),0)",
                 None),
                ("plan_migration_npv", "The plan's migration NPV (burn without it less burn with it, discounted)",
                 "currency", money, 'IF(AND(ISNUMBER(migration_month),migration_month<=horizon),'
                                    'SUM(plan_migration_pv_by_month),"n/a")', None),
                ("plan_migration_payback_month", "The plan's migration payback month", "month", month,
                 f'IF(AND(ISNUMBER(migration_month),migration_month<=horizon),IF({last}{pos["plan_migration_back"]},'
                 f'SUM(plan_migration_step_by_month),{never}),"n/a")', None),
            ]
        row = out + 1
        for name, label, unit, fmt, formula, udf in outputs:
            self.output_row(ws, row, name, label, unit, fmt, formula, udf)
            row += 1
        self.headlines += [name for name, *_ in outputs if name in PLAN_HEADLINES]
        return row

    def version_2_plan(self) -> bool:
        """True when no scenario uses a version-3 input, change or round (LLM_RUNWAY then computes the plan)."""
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
        self.title(charts, "Charts of the projection", "The live scenario, month by month (from the Projection sheet).",
                   live=True)
        self.projection_charts(ws, pos, n, charts)
        self.print_setup(charts, tall_pages=1)

    def projection_charts(self, ws, pos: dict, n: int, target):
        """Six charts, each line on a scale that shows it: cash, net burn, revenue and compute, ad spend and fixed
        costs, MAU, paying users; every one over months 1..n (calendar months with a start)."""
        mig = "migration_month" in self.inputs
        labels = {k: lbl for k, lbl, *_ in projection_rows(self)}
        big = self.big_money()
        money_axis, money_title = ("#,##0,,", f"{self.a.currency} millions") if big else ("#,##0", self.a.currency)
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
            for key in keys:
                s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=pos[key]), title=labels[key])
                s.smooth = False
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
            chart("Cash balance" + (" with and without the migration" if mig else ""), money_title,
                  ["cash", "cash_without_migration"] if mig else ["cash"], money_axis),
            chart("Net burn (negative: cash generated)", money_title, ["net_burn"], money_axis),
            chart("Net revenue and compute", money_title, ["revenue", "compute"], money_axis),
            chart("Ad spend and fixed costs", money_title, ["ad_spend", "fixed_costs"], money_axis),
            chart("Monthly active users", "millions" if many else "thousands", ["mau"],
                  "#,##0.0,," if many else "#,##0,"),
            chart("Paying users", "millions" if payers_many else "thousands", ["paying_users"],
                  "#,##0.0,," if payers_many else "#,##0,"),
        ]
        for i, ch in enumerate(grid):  # three across, two down: one page
            target.add_chart(ch, f"{'AIQ'[i % 3]}{5 + 16 * (i // 3)}")


#: version 3's inputs at their defaults: a plan that LLM_RUNWAY (version 2's function) also computes
V3_DEFAULTS = {"activation": 1.0, "store_fee": 0.0, "vat": 0.0, "interest_rate": 0.0, "usage_growth": 0.0,
               "fixed_cost_growth": 0.0}
#: the plan answers shown among the Cover's headlines
PLAN_HEADLINES = ("runway_months", "runway_months_without_funding", "runway_months_without_migration",
                  "ending_cash", "lowest_cash", "lowest_cash_month", "funding_month", "funding_need",
                  "breakeven_month", "default_alive", "burn_multiple", "compute_to_revenue", "plan_migration_npv",
                  "plan_migration_payback_month")
#: rows a reader does not need on paper: flags, intermediate steps, the variants' workings
HELPERS = frozenset({
    "cac_path", "paid_share_path", "organic_path", "activation_path", "churn_path", "conversion_path", "arppu_path",
    "cost_path", "paying_cost_own", "paying_cost_path", "blended_cost", "compute_without_migration",
    "revenue_before_loss", "cash_negative", "runway_denominator", "runway_step", "cash_without_funding",
    "cash_negative_without_funding", "runway_step_without_funding", "net_burn_without_migration",
    "cash_negative_without_migration", "runway_step_without_migration", "short", "funding_gap", "loss_month",
    "plan_migration_pv", "plan_migration_cum", "plan_migration_back", "plan_migration_step"})


def projection_rows(b) -> list:
    """The Projection sheet's rows: (key, label, unit, format, month 0, formula of c and p), MODEL.md's order.

    ``c(key)``: this month's cell of a row; ``p(key)``: last month's. Each driver follows its path from its
    latest change (the Changes sheet's live rows): ``IF(a change this month, its level, last month's path
    x (1 + growth))``, month 1 starting from the scenario's input.
    """
    mig = "migration_month" in b.inputs
    money, users = S.FORMATS["total"], S.FORMATS["users"]
    flag, months = S.FORMATS["flag"], S.FORMATS["months"]

    def path(driver, base, growth=None, scale=None):
        grow = f"*{growth}" if growth else ""
        return lambda c, p: (f"IF(ISNUMBER({c('change_' + driver)}),{c('change_' + driver)},"
                             f"IF({c('month')}=1,{base},{p(scale or driver + '_path')}{grow}))")

    mig_on = (lambda c: f"AND(ISNUMBER(migration_month),{c('month')}>=migration_month)") if mig else None

    def mau(c, p):  # last month's users at this month's churn plus the activated sign-ups; with a live retention
        churned = f"{p('mau')}*(1-{c('churn_path')})+{c('activation_path')}*{c('new_users')}"  # curve: the cohorts
        return f"IF(has_curve,{c('curve_mau')},{churned})" if getattr(b, "curve_months_max", 0) else churned
    rows = [
        ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
        ("fiscal_year", "Fiscal year" if b.a.start else "Year (12-month blocks from month 1)", "year", "0", None,
         (lambda c, p: f"YEAR(EOMONTH(plan_start,{c('month')}-1))+IF(AND(fiscal_year_start>1,"
                       f"MONTH(EOMONTH(plan_start,{c('month')}-1))>=fiscal_year_start),1,0)") if b.a.start
         else (lambda c, p: f"INT(({c('month')}-1)/months_per_year)+1")),
        ("ad_spend", "Ad spend", "currency", money, None, path("ad_spend", "ad_spend", "(1+ad_growth)", "ad_spend")),
        ("cac_path", "CAC at cac_spend (its path)", "currency per user", S.FORMATS["money"], None,
         path("cac", "cac")),
        ("cac", "CAC this month (moves with spend by cac_elasticity)", "currency per user", S.FORMATS["money"], None,
         lambda c, p: f"IF({c('ad_spend')}=0,{c('cac_path')},{c('cac_path')}*({c('ad_spend')}/cac_spend_used)"
                      f"^cac_elasticity)"),
        ("paid_new_users", "Sign-ups bought with ads", "users", users, None,
         lambda c, p: f"{c('ad_spend')}/{c('cac')}"),
        ("paid_share_path", "Share of sign-ups from ads (its path)", "fraction", S.FORMATS["percent"], None,
         path("paid_share", "paid_share")),
        ("organic_path", "Organic sign-ups (their path, when organic_users is given)", "users", users, None,
         lambda c, p: f"IF(ISNUMBER(organic_users),{path('organic_users', 'organic_users', '(1+organic_growth)', 'organic_path')(c, p)},0)"),
        ("organic_new_users", "Sign-ups who come without ads", "users", users, None,
         lambda c, p: f"IF(ISNUMBER(organic_users),{c('organic_path')},"
                      f"{c('paid_new_users')}/{c('paid_share_path')}-{c('paid_new_users')})"),
        ("new_users", "Sign-ups (what CAC buys)", "users", users, None,
         lambda c, p: f"IF(ISNUMBER(organic_users),{c('paid_new_users')}+{c('organic_path')},"
                      f"{c('paid_new_users')}/{c('paid_share_path')})"),
        ("activation_path", "Activation (its path)", "fraction of sign-ups", S.FORMATS["percent"], None,
         path("activation", "activation")),
        ("churn_path", "Churn (its path)", "monthly fraction", S.FORMATS["percent"], None, path("churn", "churn")),
        ("mau", "Monthly active users (MAU; with a live retention curve, the Waterfall's cohorts and month 0's users)"
         if getattr(b, "curve_months_max", 0) else "Monthly active users (MAU)", "users", users, "mau", mau),
        ("conversion_path", "Conversion (its path)", "fraction of MAU", S.FORMATS["percent"], None,
         path("conversion", "conversion")),
        ("paying_users", "Paying users", "users", users, None, lambda c, p: f"{c('mau')}*{c('conversion_path')}"),
        ("arppu_path", "ARPPU (its path, VAT included)", "currency per paying user per month", S.FORMATS["money"],
         None, path("arppu", "arppu")),
        ("gross_revenue", "Gross revenue (what payers pay)", "currency", money, None,
         lambda c, p: f"{c('paying_users')}*{c('arppu_path')}"),
        ("revenue_before_loss", "Revenue net of VAT and store fees", "currency", money, None,
         lambda c, p: f"{c('gross_revenue')}/(1+vat)*(1-store_fee)"),
        ("revenue", "Net revenue", "currency", money, None,
         (lambda c, p: f"{c('revenue_before_loss')}*IF({mig_on(c)},1-revenue_loss,1)") if mig
         else (lambda c, p: c("revenue_before_loss"))),
        ("cost_path", "Compute cost per free MAU (its path)", "currency per MAU per month", S.FORMATS["money"], None,
         path("cost_per_mau", "{cost_per_mau}", "compute_cost_growth", "cost_path")),
        ("paying_cost_own", "Paying users have a cost of their own (given, or changed)", "flag", flag,
         "ISNUMBER(paying_cost_per_mau)",
         lambda c, p: f"OR({p('paying_cost_own')},ISNUMBER({c('change_paying_cost_per_mau')}))"),
        ("paying_cost_path", "Compute cost per paying MAU (its path)", "currency per paying user per month",
         S.FORMATS["money"], None,
         lambda c, p: f"IF(ISNUMBER({c('change_paying_cost_per_mau')}),{c('change_paying_cost_per_mau')},"
                      f"IF({p('paying_cost_own')},IF({c('month')}=1,paying_cost_per_mau,{p('paying_cost_path')}"
                      f"*compute_cost_growth),{c('cost_path')}))"),
        ("blended_cost", "Blended compute cost per MAU", "currency per MAU per month", S.FORMATS["money"], None,
         lambda c, p: f"{c('cost_path')}+{c('conversion_path')}*({c('paying_cost_path')}-{c('cost_path')})"),
        ("compute_without_migration", "Compute with all traffic on the large model", "currency", money, None,
         lambda c, p: f"{c('mau')}*{c('blended_cost')}"),
        ("compute", "Compute (inference)", "currency", money, None,
         (lambda c, p: f"{c('compute_without_migration')}*IF({mig_on(c)},1-migration_saving,1)") if mig
         else (lambda c, p: c("compute_without_migration"))),
        ("fixed_costs", "Fixed costs", "currency", money, None,
         path("fixed_costs", "fixed_costs", "(1+fixed_cost_growth)", "fixed_costs")),
        ("migration_one_off", "One-time cost of the migration", "currency", money, None,
         (lambda c, p: f"IF(AND(ISNUMBER(migration_month),{c('month')}=migration_month),migration_cost,0)") if mig
         else (lambda c, p: "0")),
        ("net_burn", "Net burn, operating (negative = profit)", "currency", money, None,
         lambda c, p: f"{c('ad_spend')}+{c('compute')}+{c('fixed_costs')}+{c('migration_one_off')}-{c('revenue')}"),
        ("interest", "Interest on the opening cash", "currency", money, None,
         lambda c, p: f"{p('cash')}*monthly_interest_rate"),
        ("funding", "Funding rounds", "currency", money, None, lambda c, p: c("funding_rounds")),
        ("cash", "Cash balance", "currency", money, "cash",
         lambda c, p: f"{p('cash')}-{c('net_burn')}+{c('interest')}+{c('funding')}"),
        ("cash_negative", "Cash has gone below 0", "flag", flag, "FALSE()",
         lambda c, p: f"OR({p('cash_negative')},{c('cash')}<0)"),
        ("runway_denominator", "Cash lost this month (net burn in a month without interest or funding)",
         "currency", money, None,
         lambda c, p: f"IF(AND({c('interest')}=0,{c('funding')}=0),{c('net_burn')},{p('cash')}-{c('cash')})"),
        ("runway_step", "Runway if cash runs out this month", "months", months, None,
         lambda c, p: f"IF(AND({c('cash_negative')},NOT({p('cash_negative')})),({c('month')}-1)"
                      f"+{p('cash')}/{c('runway_denominator')},0)"),
        ("cash_without_funding", "Cash without the funding rounds", "currency", money, "cash",
         lambda c, p: f"{p('cash_without_funding')}-{c('net_burn')}+{p('cash_without_funding')}"
                      f"*monthly_interest_rate"),
        ("cash_negative_without_funding", "Cash without the rounds has gone below 0", "flag", flag, "FALSE()",
         lambda c, p: f"OR({p('cash_negative_without_funding')},{c('cash_without_funding')}<0)"),
        ("runway_step_without_funding", "Runway without the rounds if cash runs out this month", "months", months,
         None,
         lambda c, p: f"IF(AND({c('cash_negative_without_funding')},NOT({p('cash_negative_without_funding')})),"
                      f"({c('month')}-1)+{p('cash_without_funding')}/IF({p('cash_without_funding')}"
                      f"*monthly_interest_rate=0,{c('net_burn')},{p('cash_without_funding')}"
                      f"-{c('cash_without_funding')}),0)"),
    ]
    if mig:
        rows += [
            ("net_burn_without_migration", "Net burn without the migration", "currency", money, None,
             lambda c, p: f"{c('ad_spend')}+{c('compute_without_migration')}+{c('fixed_costs')}"
                          f"-{c('revenue_before_loss')}"),
            ("cash_without_migration", "Cash balance without the migration", "currency", money, "cash",
             lambda c, p: f"{p('cash_without_migration')}-{c('net_burn_without_migration')}"
                          f"+{p('cash_without_migration')}*monthly_interest_rate+{c('funding')}"),
            ("cash_negative_without_migration", "Cash without the migration has gone below 0", "flag", flag,
             "FALSE()",
             lambda c, p: f"OR({p('cash_negative_without_migration')},{c('cash_without_migration')}<0)"),
            ("runway_step_without_migration", "Runway without the migration if cash runs out this month", "months",
             months, None,
             lambda c, p: f"IF(AND({c('cash_negative_without_migration')},NOT({p('cash_negative_without_migration')})),"
                          f"({c('month')}-1)+{p('cash_without_migration')}/IF(AND({p('cash_without_migration')}"
                          f"*monthly_interest_rate=0,{c('funding')}=0),{c('net_burn_without_migration')},"
                          f"{p('cash_without_migration')}-{c('cash_without_migration')}),0)"),
            ("plan_migration_pv", "The migration's saving this month, discounted", "currency", money, None,
             lambda c, p: f"({c('net_burn_without_migration')}-{c('net_burn')})/(1+monthly_discount_rate)"
                          f"^{c('month')}"),
            ("plan_migration_cum", "The migration's cumulative NPV", "currency", money, 0,
             lambda c, p: f"{p('plan_migration_cum')}+{c('plan_migration_pv')}"),
            ("plan_migration_back", "The migration has paid back", "flag", flag, "FALSE()",
             lambda c, p: f"OR({p('plan_migration_back')},AND(ISNUMBER(migration_month),{c('month')}>=migration_month,"
                          f"{c('plan_migration_cum')}>=0))"),
            ("plan_migration_step", "Payback month if it pays back this month", "month", S.FORMATS["month"], None,
             lambda c, p: f"IF(AND({c('plan_migration_back')},NOT({p('plan_migration_back')})),{c('month')},0)"),
        ]
    rows += [
        ("short", "Cash below min_cash", "flag", flag, None, lambda c, p: f"{c('cash')}<min_cash"),
        ("funding_gap", "Round needed in funding_month to keep this month at min_cash", "currency", money, None,
         lambda c, p: f"IF(AND(ISNUMBER(funding_month),{c('month')}>=funding_month),(min_cash-{c('cash')})"
                      f"/(1+monthly_interest_rate)^({c('month')}-funding_month),0)"),
        ("loss_month", "Month with an operating loss (one-offs aside)", "month", S.FORMATS["month"], None,
         lambda c, p: f"IF({c('net_burn')}-{c('migration_one_off')}>0,{c('month')},0)"),
    ]
    return rows
