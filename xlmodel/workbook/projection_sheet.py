"""Month timelines and the Projection sheet (users, revenue, costs, cash, runway)."""

from __future__ import annotations

import math

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter

from . import styles as S


class ProjectionSheet:
    """Month timelines and the Projection sheet (users, revenue, costs, cash, runway) (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def timeline(self, ws, n: int, rows: list, first_row: int, prefix: str = ""):
        """Rows across a month timeline: D = month 0, E.. = months 1..n.

        ``rows``: (key, label, unit, fmt, month0, formula) where month0 is a
        formula/value for column D or None, and formula is a function of
        ``c(key)`` (this month's cell of a row) and ``p(key)`` (last month's).
        """
        pos = {key: first_row + i for i, (key, *_) in enumerate(rows)}
        last = get_column_letter(4 + n)
        for key, label, unit, fmt, month0, formula in rows:
            r = pos[key]
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

                def c(k, col=col):
                    return f"{col}{pos[k]}"

                def p(k, prev=prev):
                    return f"{prev}{pos[k]}"

                cell = ws.cell(row=r, column=4 + j, value=self.f(formula(c, p)))
                self.styled(cell, S.FORMULA_FONT, None, fmt)
            self.define(f"{prefix}{key}_by_month", ws, f"E{r}:{last}{r}")
        return pos

    def projection_sheet(self):
        ws = self.wb.create_sheet("Projection")
        n = self.n_months
        self.title(ws, "Projection and runway", f"Month-end flows over {n} months for the live scenario. "
                                                "Column D is month 0 (the opening balances).")
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + [f"M{j}" for j in range(1, n + 1)])
        month_fmt = S.FORMATS["month"]
        money = S.FORMATS["total"]
        users = S.FORMATS["users"]
        mig = "migration_month" in self.inputs  # the migration inside the projection (model version 2)
        given = 'ISNUMBER(migration_month)'
        rows = [
            ("month", "Month", "month", month_fmt, 0, lambda c, p: f"{p('month')}+1"),
            ("ad_spend", "Ad spend", "currency", money, None,
             lambda c, p: f"ad_spend*(1+ad_growth)^({c('month')}-1)"),
            ("cac", "CAC this month (rises with spend by cac_elasticity)", "currency per user", S.FORMATS["money"],
             None, lambda c, p: f"IF({c('ad_spend')}=0,cac,cac*({c('ad_spend')}/ad_spend)^cac_elasticity)"),
            ("paid_new_users", "New users bought with ads", "users", users, None,
             lambda c, p: f"{c('ad_spend')}/{c('cac')}"),
            ("organic_new_users", "New users who come without ads", "users", users, None,
             lambda c, p: f"IF(ISNUMBER(organic_users),organic_users*(1+organic_growth)^({c('month')}-1),"
                          f"{c('paid_new_users')}/paid_share-{c('paid_new_users')})"),
            ("new_users", "New users", "users", users, None,
             lambda c, p: f"IF(ISNUMBER(organic_users),{c('paid_new_users')}+{c('organic_new_users')},"
                          f"{c('paid_new_users')}/paid_share)"),
            ("mau", "Monthly active users (MAU)", "users", users, "mau",
             lambda c, p: f"{p('mau')}*(1-churn)+{c('new_users')}"),
            ("paying_users", "Paying users", "users", users, None, lambda c, p: f"{c('mau')}*conversion"),
            ("revenue", "Revenue", "currency", money, None, lambda c, p: f"{c('paying_users')}*arppu"),
            ("compute_without_migration", "Compute with all traffic on the large model", "currency", money, None,
             lambda c, p: f"{c('mau')}*blended_cost_per_mau*(1-cost_decline)^({c('month')}-1)"),
            ("compute", "Compute (inference)", "currency", money, None,
             (lambda c, p: f"{c('compute_without_migration')}*IF(AND({given},{c('month')}>=migration_month),"
                           f"1-migration_saving,1)") if mig else (lambda c, p: c('compute_without_migration'))),
            ("fixed_costs", "Fixed costs", "currency", money, None, lambda c, p: "fixed_costs"),
            ("migration_one_off", "One-time cost of the migration", "currency", money, None,
             (lambda c, p: f"IF(AND({given},{c('month')}=migration_month),migration_cost,0)") if mig
             else (lambda c, p: "0")),
            ("net_burn", "Net burn (negative = profit)", "currency", money, None,
             lambda c, p: f"{c('ad_spend')}+{c('compute')}+{c('fixed_costs')}+{c('migration_one_off')}"
                          f"-{c('revenue')}"),
            ("cash", "Cash balance", "currency", money, "cash", lambda c, p: f"{p('cash')}-{c('net_burn')}"),
            ("cash_negative", "Cash has gone below 0", "flag", S.FORMATS["flag"], "FALSE()",
             lambda c, p: f"OR({p('cash_negative')},{c('cash')}<0)"),
            ("runway_step", "Runway if cash runs out this month", "months", S.FORMATS["months"], None,
             lambda c, p: f"IF(AND({c('cash_negative')},NOT({p('cash_negative')})),({c('month')}-1)+{p('cash')}/{c('net_burn')},0)"),
        ]
        if mig:
            rows += [
                ("net_burn_without_migration", "Net burn without the migration", "currency", money, None,
                 lambda c, p: f"{c('ad_spend')}+{c('compute_without_migration')}+{c('fixed_costs')}-{c('revenue')}"),
                ("cash_without_migration", "Cash balance without the migration", "currency", money, "cash",
                 lambda c, p: f"{p('cash_without_migration')}-{c('net_burn_without_migration')}"),
                ("cash_negative_without_migration", "Cash has gone below 0 without the migration", "flag",
                 S.FORMATS["flag"], "FALSE()",
                 lambda c, p: f"OR({p('cash_negative_without_migration')},{c('cash_without_migration')}<0)"),
                ("runway_step_without_migration", "Runway without the migration if cash runs out this month",
                 "months", S.FORMATS["months"], None,
                 lambda c, p: f"IF(AND({c('cash_negative_without_migration')},"
                              f"NOT({p('cash_negative_without_migration')})),({c('month')}-1)"
                              f"+{p('cash_without_migration')}/{c('net_burn_without_migration')},0)"),
            ]
        pos = self.timeline(ws, n, rows, 5)
        last = get_column_letter(4 + n)
        out = max(pos.values()) + 2
        self.section(ws, out, "Results", 4)
        optional = lambda k: f'IF(ISNUMBER({k}),{k},"")'  # noqa: E731 - "not given" is an empty argument
        udf_args = (f"LLM_RUNWAY(cash,mau,ad_spend,cac,churn,conversion,arppu,{{cost_per_mau}},fixed_costs,"
                    f"paid_share,ad_growth,cost_decline,horizon,{optional('organic_users')},organic_growth,"
                    f"cac_elasticity,{optional('paying_cost_per_mau')}")
        udf_args += (f",{optional('migration_month')},routed_share,large_price,small_price,migration_cost)" if mig
                     else ")")
        self.output_row(ws, out + 1, "runway_months", "Runway (months until cash runs out)", "months",
                        S.FORMATS["months"],
                        f'IF(cash<=0,0,IF({last}{pos["cash_negative"]},SUM(runway_step_by_month),"never"))',
                        udf_args)
        self.output_row(ws, out + 2, "horizon", "Months projected", "months", "0", "COUNT(month_by_month)")
        self.output_row(ws, out + 3, "ending_cash", f"Cash at month {n}", "currency", money, f"{last}{pos['cash']}")
        if mig:
            self.output_row(ws, out + 4, "runway_months_without_migration", "Runway without the migration",
                            "months", S.FORMATS["months"],
                            f'IF(cash<=0,0,IF({last}{pos["cash_negative_without_migration"]},'
                            f'SUM(runway_step_without_migration_by_month),"never"))')
            self.output_row(ws, out + 5, "migration_saving", "Share of compute saved from migration_month",
                            "fraction", S.FORMATS["percent"], "routed_share*(1-small_price/large_price)")
            out += 2
        self.headlines += ["runway_months"] + (["runway_months_without_migration"] if mig else []) + ["ending_cash"]
        self.add_check("Cash at the end equals opening cash less the sum of net burn",
                       "ABS(ending_cash-(cash-SUM(net_burn_by_month)))<=check_tolerance*MAX(1,ABS(cash)"
                       "+SUMIF(net_burn_by_month,\">0\")-SUMIF(net_burn_by_month,\"<0\"))")  # sum of |burn|
        self.add_check("Paying users never exceed MAU", "SUMPRODUCT(--(paying_users_by_month>mau_by_month))=0")
        self.add_check("The timeline runs month 1 to the horizon, one column a month",
                       "AND(MIN(month_by_month)=1,MAX(month_by_month)=COLUMNS(month_by_month))")
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 24
        ws.column_dimensions["C"].width = 12
        ws.column_dimensions["D"].width = 15
        for j in range(1, n + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 14
        ws.freeze_panes = "E5"
        # charts
        anchor_row = out + 6

        labels = {k: lbl for k, lbl, *_ in rows}
        first = self.scenarios[0][1]
        big = max(abs(float(first["cash"])), float(first.get("fixed_costs", 0.0)) * n) >= 1e7
        money_axis = '#,##0,,"M"' if big else "#,##0"  # millions on the axis, not eleven digits

        def chart(title, y_title, keys, fmt, start_col=5):
            ch = LineChart()
            ch.title = title
            ch.y_axis.title = y_title
            ch.x_axis.title = "Month"
            ch.height, ch.width = 8, 18
            ch.x_axis.tickLblPos = "low"
            for key in keys:
                s = Series(Reference(ws, min_col=start_col, max_col=4 + n, min_row=pos[key]), title=labels[key])
                s.smooth = False
                ch.series.append(s)
            ch.set_categories(Reference(ws, min_col=start_col, max_col=4 + n, min_row=pos["month"]))
            ch.x_axis.delete = False
            ch.y_axis.delete = False
            ch.y_axis.majorGridlines = None
            ch.y_axis.number_format = fmt
            return ch

        # Charts sit right of the title columns A:D, which print on every page: so each chart prints once.
        # Cash from month 0, the opening balance.
        ws.add_chart(chart("Cash balance" + (" with and without the migration" if mig else ""),
                           self.a.currency + (" (millions)" if big else ""),
                           ["cash", "cash_without_migration"] if mig else ["cash"], money_axis, start_col=4),
                     f"E{anchor_row}")
        users = chart("MAU and paying users", "MAU", ["mau"], '#,##0,"k"')
        payers = chart("", "paying users", ["paying_users"], '#,##0,"k"')
        payers.y_axis.axId = 200  # paying users on their own axis (right): on the MAU axis they are a flat line
        payers.y_axis.crosses = "max"
        users += payers
        ws.add_chart(chart("Revenue against ad, compute and fixed costs", self.a.currency + (" (millions)" if big else ""),
                           ["revenue", "ad_spend", "compute", "fixed_costs"], money_axis), f"E{anchor_row + 16}")
        ws.add_chart(users, f"E{anchor_row + 32}")
        self.print_setup(ws, wide_pages=max(1, math.ceil(n / 12)), title_rows="4:4", title_cols="A:D")
