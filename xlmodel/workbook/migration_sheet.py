"""The Migration sheet: monthly cash flows, NPV, payback and the sensitivity grid.

The grid's axes are live: the live scenario's ``routed_share`` and
``small_price``, plus and minus a number of steps (``grid_share_step``,
``grid_price_step``); its centre is the base case, highlighted, and a check
holds it equal to ``migration_npv``. Each of its cells is short: the NPV is
linear in ``routed_share x (large_price - small_price)``, so a cell is
``-migration_cost + share x (large_price - price) x migration_volume_pv -
migration_loss_pv``, from two sums of the timeline's rows.
"""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname

from .. import engine
from ..dates import ABBR, parse_month
from . import styles as S

#: the grid's steps from the base, the same along both axes (typed on the sheet: blue, editable)
GRID_STEPS = (-2, -1, 0, 1, 2)
#: one step of each axis: routed share in fractions, small-model price as a fraction of small_price
GRID_SHARE_STEP = 0.1
GRID_PRICE_STEP = 0.5
BASE_FILL = PatternFill("solid", fgColor="FFD966")


def _calendar(t: int, start: str) -> str:
    """Month ``t`` of a plan starting ``start`` as the pack shows months: "Mar 24"."""
    y, m = parse_month(start, "start")
    i = y * 12 + m - 1 + t - 1
    return f"{ABBR[i % 12]} {i // 12 % 100:02d}"


def money_ticks(big: float) -> tuple[str, str]:
    """A money axis up to ``big``: (the unit's scale for the axis title, the tick format), in billions,
    millions, thousands or units; the title says the scale, the ticks do not repeat it."""
    if big >= 1e9:
        return " billions", "#,##0.0,,,"
    if big >= 1e6:
        return " millions", "#,##0.0,,"
    if big >= 1e4:
        return " thousands", "#,##0,"
    return "", S.FORMATS["total"]


def grid_axes(routed_share, small_price, share_steps, price_steps, share_step, price_step):
    """The grid's live axes, as the sheet computes them: shares kept within 0..1, prices at or above 0."""
    shares = [min(1.0, max(0.0, routed_share + k * share_step)) for k in share_steps]
    prices = [max(0.0, small_price * (1 + k * price_step)) for k in price_steps]
    return shares, prices


class MigrationSheet:
    """The Migration sheet: monthly cash flows, NPV, payback and the sensitivity grid (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def migration_sheet(self):
        ws = self.wb.create_sheet("Migration")
        n = max(int(s["months"]) for s in self.a.scenarios.values())
        self.title(
            ws,
            "Small-model migration",
            f"Net cash flow of moving traffic to a small model, month by month "
            f"({n} month columns). Column D is month 0 (the one-time cost).",
        )
        months = [_calendar(j, self.a.start) if self.a.start else f"M{j}" for j in range(1, n + 1)]
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + months)  # "Mar 24" with a start
        for col in range(4, 5 + n):  # headers over numbers sit right
            ws.cell(row=4, column=col).alignment = S.RIGHT
        money = S.FORMATS["total"]
        rows = [
            ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
            (
                "savings",
                "Savings from the small model",
                "currency",
                money,
                None,
                lambda c, p: (
                    f"IF({c('month')}<=months,monthly_tokens*(1+token_growth)^({c('month')}-1)*routed_share"
                    f"*(large_price-small_price)*(1-price_decline)^({c('month')}-1)/tokens_per_million,0)"
                ),
            ),
            (
                "quality_loss",
                "Revenue lost to lower quality",
                "currency",
                money,
                None,
                lambda c, p: f"IF({c('month')}<=months,monthly_revenue*revenue_loss,0)",
            ),
            (
                "net",
                "Net cash flow",
                "currency",
                money,
                "-migration_cost",
                lambda c, p: f"{c('savings')}-{c('quality_loss')}",
            ),
            (
                "present_value",
                "Present value of the month's flow",
                "currency",
                money,
                None,
                lambda c, p: f"{c('net')}/(1+monthly_discount_rate)^{c('month')}",
            ),
            (
                "cumulative_npv",
                "Cumulative NPV",
                "currency",
                money,
                "-migration_cost",
                lambda c, p: f"{p('cumulative_npv')}+{c('present_value')}",
            ),
            (
                "paid_back",
                "Migration has paid back",
                "flag",
                S.FORMATS["flag"],
                "FALSE()",
                lambda c, p: f"OR({p('paid_back')},AND({c('cumulative_npv')}>=0,{c('month')}<=months))",
            ),
            (
                "payback_step",
                "Payback month if it pays back this month",
                "month",
                S.FORMATS["month"],
                None,
                lambda c, p: f"IF(AND({c('paid_back')},NOT({p('paid_back')})),{c('month')},0)",
            ),
            (
                "priced_volume",
                "For the grid: million tokens, times the price decline",
                "million tokens",
                money,
                None,
                lambda c, p: (
                    f"IF({c('month')}<=months,monthly_tokens*(1+token_growth)^({c('month')}-1)"
                    f"*(1-price_decline)^({c('month')}-1)/tokens_per_million,0)"
                ),
            ),
            (
                "discount_factor",
                "For the grid: discount factor of the month",
                "factor",
                "0.0000",
                None,
                lambda c, p: f"1/(1+monthly_discount_rate)^{c('month')}",
            ),
        ]
        pos = self.timeline(ws, n, rows, 5, prefix="migration_")
        last = get_column_letter(4 + n)
        out = pos["discount_factor"] + 2
        self.section(ws, out, "Results", 4)
        r = self.ensure_monthly_rate(ws, out + 1)
        self.output_row(
            ws,
            r,
            "migration_npv",
            "Migration NPV",
            "currency",
            money,
            "-migration_cost+NPV(monthly_discount_rate,migration_net_by_month)",
            "LLM_MIGRATION_NPV(monthly_tokens,large_price,small_price,migration_cost,months,"
            "annual_discount_rate,routed_share,token_growth,price_decline,monthly_revenue,revenue_loss)",
        )
        self.output_row(
            ws,
            r + 1,
            "migration_payback_month",
            "Payback month (cumulative NPV >= 0)",
            "month",
            "0",
            f'IF({last}{pos["paid_back"]},SUM(migration_payback_step_by_month),"never")',
        )
        self.headlines += ["migration_npv", "migration_payback_month"]
        months_row = self.input_rows.get("months")
        if months_row is not None:  # every scenario's months fit the timeline (no number hard-coded)
            cols = [get_column_letter(5 + i) for i in range(len(self.scenarios))]
            self.add_check(
                "The migration timeline covers the months of savings of every scenario",
                None,
                [
                    f"{quote_sheetname('Inputs')}!{c}{months_row}<=COLUMNS(migration_month_by_month)"
                    for c in cols
                ],
            )
        g = self._grid(ws, r + 3, money)
        ws.column_dimensions["A"].width = 62
        ws.column_dimensions["B"].width = 36
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 15
        for j in range(1, max(n, len(GRID_STEPS)) + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 14
        ws.freeze_panes = "E5"
        ch = LineChart()
        ch.title = "Cumulative NPV of the migration"
        scale, ticks = self._money_ticks()
        ch.y_axis.title = self.a.currency + scale
        ch.y_axis.number_format = ticks
        ch.x_axis.title = "Month"
        ch.height, ch.width = 8, 18
        ch.x_axis.tickLblPos = "low"
        ch.legend = None  # one series: the title says what it is
        s = Series(
            Reference(ws, min_col=4, max_col=4 + n, min_row=pos["cumulative_npv"]), title="Cumulative NPV"
        )
        s.smooth = False
        ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["month"]))
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ws.add_chart(ch, f"E{g + 2}")  # right of the title columns A:D, which print on every page
        self.print_timeline(ws, n, title_rows="4:4")  # 12 months a page at 75%, the labels on every page

    def _grid(self, ws, top: int, money: str) -> int:
        """The sensitivity grid from ``top``: NPV by routed share (rows) and small-model price (columns);
        returns its last row."""
        k = len(GRID_STEPS)
        lc = get_column_letter(4 + k)
        self.section(
            ws,
            top,
            "Sensitivity: migration NPV by routed share (rows) and small-model price (columns), "
            "around the live inputs (the base case, highlighted)",
            4 + k,
        )
        r = top + 1
        lines = (
            (
                "migration_volume_pv",
                "Present value of the priced volume (the two 'For the grid' rows)",
                "million tokens",
                money,
                "SUMPRODUCT(migration_priced_volume_by_month,migration_discount_factor_by_month)",
            ),
            (
                "migration_loss_pv",
                "Present value of the revenue lost to quality",
                "currency",
                money,
                "SUMPRODUCT(migration_quality_loss_by_month,migration_discount_factor_by_month)",
            ),
        )
        for name, label, unit, fmt, formula in lines:
            self.output_row(ws, r, name, label, unit, fmt, formula)
            r += 1
        for name, label, unit, value, fmt in (
            (
                "grid_share_step",
                "One step of routed share (rows)",
                "fraction",
                GRID_SHARE_STEP,
                S.FORMATS["percent"],
            ),
            (
                "grid_price_step",
                "One step of small-model price (columns), a fraction of small_price",
                "fraction",
                GRID_PRICE_STEP,
                S.FORMATS["percent"],
            ),
        ):
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", name, S.NAME_FONT)
            self.text(ws, f"C{r}", unit, S.UNIT_FONT)
            self.styled(ws.cell(row=r, column=4, value=value), S.INPUT_FONT, S.INPUT_FILL, fmt, align=S.RIGHT)
            self.define(name, ws, f"D{r}")
            r += 1
        steps_row, price_row = r, r + 1
        self.text(ws, f"A{steps_row}", "Steps from the base (columns; blue: edit them to explore)")
        self.text(ws, f"B{steps_row}", "grid_price_steps", S.NAME_FONT)
        self.text(ws, f"C{steps_row}", "steps", S.UNIT_FONT)
        self.text(
            ws, f"A{price_row}", "Small-model price (columns): small_price x (1 + step x grid_price_step)"
        )
        self.text(ws, f"B{price_row}", "grid_small_price", S.NAME_FONT)
        self.text(ws, f"C{price_row}", self.unit("currency per 1M tokens"), S.UNIT_FONT)
        for j, step in enumerate(GRID_STEPS):
            col = get_column_letter(5 + j)
            self.styled(
                ws.cell(row=steps_row, column=5 + j, value=step),
                S.INPUT_FONT,
                S.INPUT_FILL,
                "+0;-0;0",
                align=S.RIGHT,
            )
            self.formula(
                ws,
                f"{col}{price_row}",
                f"=MAX(0,small_price*(1+{col}{steps_row}*grid_price_step))",
                S.FORMATS["price"],
                align=S.RIGHT,
            )
        head = price_row + 1
        self.text(ws, f"A{head}", "Routed share (rows): routed_share + step x grid_share_step, within 0 to 1")
        self.text(ws, f"C{head}", "steps (rows)", S.HEADER_FONT, S.HEADER_FILL, S.RIGHT)
        self.text(ws, f"D{head}", "routed share", S.HEADER_FONT, S.HEADER_FILL, S.RIGHT)
        for j in range(k):
            self.text(
                ws,
                f"{get_column_letter(5 + j)}{head}",
                f"NPV ({self.a.currency})",
                S.HEADER_FONT,
                S.HEADER_FILL,
                S.RIGHT,
            )
        first = head + 1
        for i, step in enumerate(GRID_STEPS):
            gr = first + i
            self.styled(
                ws.cell(row=gr, column=3, value=step), S.INPUT_FONT, S.INPUT_FILL, "+0;-0;0", align=S.RIGHT
            )
            self.formula(
                ws,
                f"D{gr}",
                f"=MIN(1,MAX(0,routed_share+C{gr}*grid_share_step))",
                S.FORMATS["percent"],
                align=S.RIGHT,
            )
            for j in range(k):
                col = get_column_letter(5 + j)
                self.formula(
                    ws,
                    f"{col}{gr}",
                    f"=-migration_cost+$D{gr}*(large_price-{col}${price_row})"
                    "*migration_volume_pv-migration_loss_pv",
                    money,
                    align=S.RIGHT,
                )
        last = first + k - 1
        self.text(ws, f"A{first}", f"Migration NPV ({self.a.currency})")
        self.text(ws, f"B{first}", "migration_npv_grid", S.NAME_FONT)
        self.define("grid_price_steps", ws, f"E{steps_row}:{lc}{steps_row}")
        self.define("grid_small_price", ws, f"E{price_row}:{lc}{price_row}")
        self.define("grid_share_steps", ws, f"C{first}:C{last}")
        self.define("grid_routed_share", ws, f"D{first}:D{last}")
        self.define("migration_npv_grid", ws, f"E{first}:{lc}{last}")
        self.swept(ws, f"E{price_row}:{lc}{price_row}")
        self.swept(ws, f"D{first}:{lc}{last}")
        # the base case: where both steps are 0
        ws.conditional_formatting.add(
            f"E{first}:{lc}{last}",
            FormulaRule(formula=[f"AND($C{first}=0,E${steps_row}=0)"], fill=BASE_FILL, font=Font(bold=True)),
        )
        b = last + 1
        self.output_row(
            ws,
            b,
            "migration_npv_grid_base",
            "The grid at the base (both steps 0): equals the migration NPV",
            "currency",
            money,
            "IFERROR(INDEX(migration_npv_grid,MATCH(0,"
            'grid_share_steps,0),MATCH(0,grid_price_steps,0)),"no step 0")',
        )
        self.add_check(
            "Migration: the sensitivity grid at the base (both steps 0) equals migration_npv",
            self.f(
                "IF(ISNUMBER(migration_npv_grid_base),ABS(migration_npv_grid_base-{migration_npv})"
                "<=check_tolerance*(migration_cost+ABS({migration_npv})+migration_loss_pv),FALSE())"
            )[1:],
        )
        return b

    def _money_ticks(self) -> tuple[str, str]:
        """The NPV chart's money axis (:func:`money_ticks`), by the size of the scenarios' numbers."""
        big = 0.0
        for _, s in self.scenarios:
            try:
                args = {k: self.scenario_value(s, k) for k in engine.MIGRATION_ARGS}
                args["months"] = int(args["months"])
                big = max(big, abs(float(args["migration_cost"])), abs(float(engine.migration_npv(**args))))
            except (KeyError, TypeError, ValueError):  # a scenario without the standalone inputs
                continue
        return money_ticks(big)
