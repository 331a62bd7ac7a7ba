"""The Migration sheet: monthly cash flows, NPV, payback and the sensitivity grid."""

from __future__ import annotations

import math

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter, quote_sheetname

from . import styles as S


class MigrationSheet:
    """The Migration sheet: monthly cash flows, NPV, payback and the sensitivity grid (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def migration_sheet(self):
        ws = self.wb.create_sheet("Migration")
        n = max(int(s["months"]) for s in self.a.scenarios.values())
        self.title(ws, "Small-model migration", f"Net cash flow of moving traffic to a small model, month by month "
                                                f"({n} month columns). Column D is month 0 (the one-time cost).")
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + [f"M{j}" for j in range(1, n + 1)])
        money = S.FORMATS["total"]
        rows = [
            ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
            ("savings", "Savings from the small model", "currency", money, None,
             lambda c, p: f"IF({c('month')}<=months,monthly_tokens*(1+token_growth)^({c('month')}-1)*routed_share"
                          f"*(large_price-small_price)*(1-price_decline)^({c('month')}-1)/tokens_per_million,0)"),
            ("quality_loss", "Revenue lost to lower quality", "currency", money, None,
             lambda c, p: f"IF({c('month')}<=months,monthly_revenue*revenue_loss,0)"),
            ("net", "Net cash flow", "currency", money, "-migration_cost",
             lambda c, p: f"{c('savings')}-{c('quality_loss')}"),
            ("present_value", "Present value of the month's flow", "currency", money, None,
             lambda c, p: f"{c('net')}/(1+monthly_discount_rate)^{c('month')}"),
            ("cumulative_npv", "Cumulative NPV", "currency", money, "-migration_cost",
             lambda c, p: f"{p('cumulative_npv')}+{c('present_value')}"),
            ("paid_back", "Migration has paid back", "flag", S.FORMATS["flag"], "FALSE()",
             lambda c, p: f"OR({p('paid_back')},AND({c('cumulative_npv')}>=0,{c('month')}<=months))"),
            ("payback_step", "Payback month if it pays back this month", "month", S.FORMATS["month"], None,
             lambda c, p: f"IF(AND({c('paid_back')},NOT({p('paid_back')})),{c('month')},0)"),
        ]
        pos = self.timeline(ws, n, rows, 5, prefix="migration_")
        last = get_column_letter(4 + n)
        out = pos["payback_step"] + 2
        self.section(ws, out, "Results", 4)
        r = self.ensure_monthly_rate(ws, out + 1)
        self.output_row(ws, r, "migration_npv", "Migration NPV", "currency", money,
                        "-migration_cost+NPV(monthly_discount_rate,migration_net_by_month)",
                        "LLM_MIGRATION_NPV(monthly_tokens,large_price,small_price,migration_cost,months,"
                        "annual_discount_rate,routed_share,token_growth,price_decline,monthly_revenue,revenue_loss)")
        self.output_row(ws, r + 1, "migration_payback_month", "Payback month (cumulative NPV >= 0)", "month", "0",
                        f'IF({last}{pos["paid_back"]},SUM(migration_payback_step_by_month),"never")')
        self.headlines += ["migration_npv", "migration_payback_month"]
        months_row = self.input_rows.get("months")
        if months_row is not None:  # every scenario's months fit the timeline (no number hard-coded)
            cols = [get_column_letter(5 + i) for i in range(len(self.scenarios))]
            self.add_check("The migration timeline covers the months of savings of every scenario", None,
                           [f"{quote_sheetname('Inputs')}!{c}{months_row}<=COLUMNS(migration_month_by_month)"
                            for c in cols])
        # sensitivity grid: NPV over routed share (rows) and small-model price (columns)
        g = r + 4
        self.section(ws, g, "Sensitivity: migration NPV by routed share (rows) and small-model price (columns)", 9)
        shares = [0.25, 0.5, 0.75, 0.9, 1.0]
        base = self.scenarios[0][1]
        sp = float(base["small_price"])
        lp = float(base["large_price"])
        prices = [sp * k for k in (0.25, 0.5, 1, 2, 4)] if sp > 0 else [lp * k for k in (0, 0.01, 0.05, 0.1, 0.25)]
        self.text(ws, f"A{g + 1}", "Blue axis values are inputs: edit them to explore.", S.UNIT_FONT)
        self.text(ws, f"C{g + 2}", "routed share \\ small price", S.UNIT_FONT)
        for j, price in enumerate(prices):
            c = ws.cell(row=g + 2, column=5 + j, value=price)
            c.font, c.fill, c.number_format = S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["price"]
        for i, share in enumerate(shares):
            c = ws.cell(row=g + 3 + i, column=4, value=share)
            c.font, c.fill, c.number_format = S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["percent"]
            for j in range(len(prices)):
                rs = f"$D{g + 3 + i}"
                spc = f"{get_column_letter(5 + j)}${g + 2}"
                formula = ("=-migration_cost+SUMPRODUCT((migration_month_by_month<=months)*(monthly_tokens"
                           f"*(1+token_growth)^(migration_month_by_month-1)*{rs}*(large_price-{spc})"
                           "*(1-price_decline)^(migration_month_by_month-1)/tokens_per_million"
                           "-monthly_revenue*revenue_loss)/(1+monthly_discount_rate)^migration_month_by_month)")
                self.formula(ws, f"{get_column_letter(5 + j)}{g + 3 + i}", formula, money)
        last_grid = get_column_letter(4 + len(prices))
        self.define("grid_small_price", ws, f"E{g + 2}:{last_grid}{g + 2}")
        self.define("grid_routed_share", ws, f"D{g + 3}:D{g + 2 + len(shares)}")
        self.define("migration_npv_grid", ws, f"E{g + 3}:{last_grid}{g + 2 + len(shares)}")
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].width = 32
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 15
        for j in range(1, max(n, len(prices)) + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 14
        ws.freeze_panes = "E5"
        ch = LineChart()
        ch.title = "Cumulative NPV of the migration"
        ch.y_axis.title = self.a.currency
        ch.x_axis.title = "Month"
        ch.height, ch.width = 8, 18
        ch.x_axis.tickLblPos = "low"
        s = Series(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["cumulative_npv"]), title="Cumulative NPV")
        ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["month"]))
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ws.add_chart(ch, f"E{g + 10}")  # right of the title columns A:D, which print on every page
        self.print_setup(ws, wide_pages=max(1, math.ceil(n / 12)), title_rows="4:4", title_cols="A:D")
