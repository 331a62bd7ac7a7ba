"""The Migration sheet of a plan with a migration month: the plan's migration, month by month.

The rows link to the Projection, where the plan runs with and without the
migration (docs/model.md, "What a plan answers"): the compute saved, the revenue
lost to quality, the one-off cost, their net, discounted and accumulated.
So a scenario shows one migration and one payback: the plan's. (The
standalone NPV on typed ``monthly_tokens`` is the ``migration`` template's.)
"""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference, Series

from . import styles as S


class PlanMigrationSheet:
    """The plan's Migration sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def plan_migration_sheet(self):
        ws = self.wb.create_sheet("Migration")
        n = self.n_months
        self.title(
            ws,
            "The plan's small-model migration",
            "From migration_month, routed_share of compute runs on the small model: what it saves, what it "
            "costs (the one-off, revenue lost to quality), month by month, from the Projection's plan with "
            "and without it.",
            live=True,
        )
        self.header(ws, 4, ["Line item", "Name", "Unit", ""] + self.month_headers())
        self.date_headers(ws)
        money = S.FORMATS["total"]
        self.timeline_links.update(
            {
                k: ("Projection", self.projection_rows_at[k])
                for k in (
                    "compute_without_migration",
                    "compute",
                    "revenue_before_loss",
                    "revenue",
                    "migration_one_off",
                    "plan_migration_pv",
                    "plan_migration_cum",
                )
            }
        )
        rows = [
            ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
            (
                "savings",
                "Compute saved by the small model",
                "currency",
                money,
                None,
                lambda c, p: f"{c('compute_without_migration')}-{c('compute')}",
            ),
            (
                "quality_loss",
                "Revenue lost to lower quality",
                "currency",
                money,
                None,
                lambda c, p: f"{c('revenue_before_loss')}-{c('revenue')}",
            ),
            (
                "one_off",
                "One-time cost of the migration",
                "currency",
                money,
                None,
                lambda c, p: c("migration_one_off"),
            ),
            (
                "net",
                "Net effect on cash (burn without the migration less burn with it)",
                "currency",
                money,
                None,
                lambda c, p: f"{c('savings')}-{c('quality_loss')}-{c('one_off')}",
            ),
            (
                "discounted",
                "Discounted at annual_discount_rate",
                "currency",
                money,
                None,
                lambda c, p: c("plan_migration_pv"),
            ),
            ("cumulative", "Cumulative NPV", "currency", money, 0, lambda c, p: c("plan_migration_cum")),
        ]
        pos = self.timeline(ws, n, rows, 5, prefix="plan_migration_")
        out = max(pos.values()) + 2
        self.section(ws, out, "Results (computed on the Projection)", 4)
        for i, (name, label, fmt) in enumerate(
            (
                ("plan_migration_npv", "The plan's migration NPV", money),
                ("plan_migration_payback_month", "Payback month", "0"),
                ("migration_month", "Migration month", "0"),
            )
        ):
            r = out + 1 + i
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", name, S.NAME_FONT)
            self.formula(ws, f"D{r}", f"={name}", fmt, font=S.LINK_FONT, align=S.RIGHT)
        self.add_check(
            "The plan's migration: each month's net effect is the discounted saving (Migration and "
            "Projection agree)",
            "ABS(SUM(plan_migration_net_by_month)-(SUM(net_burn_without_migration"
            '_by_month)-SUM(net_burn_by_month)))<=check_tolerance*MAX(1,SUMIF(net_burn_by_month,">0")'
            '-SUMIF(net_burn_by_month,"<0"))',
        )
        ws.freeze_panes = "E5"
        ch = LineChart()
        ch.title = "Cumulative NPV of the plan's migration"
        big = self.big_money()
        ch.y_axis.title = self.a.currency + (" millions" if big else "")
        ch.y_axis.number_format = "#,##0,," if big else "#,##0"
        ch.x_axis.title = "Month"
        ch.height, ch.width = 8, 18
        ch.x_axis.tickLblPos = "low"
        ch.series.append(
            Series(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["cumulative"]), title="Cumulative NPV")
        )
        ch.set_categories(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["month"]))
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ch.legend = None
        ws.add_chart(ch, f"E{out + 6}")
        self.in_millions(ws)
        self.print_timeline(ws, n)
