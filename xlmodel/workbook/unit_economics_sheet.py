"""The Unit economics sheet and the named output rows it and the other sheets use."""

from __future__ import annotations

from openpyxl.styles import Alignment

from ..engine import OUTPUT_UNITS
from . import styles as S
from .layout import UDF_OUTPUTS
from .stock_ue import CHAIN_UNITS, StockPayback, with_chain

#: at least two significant digits of a small amount or ratio: LTV 0.0146, not 0.01; 0.00073x, not 0.00x
SIG = S.FORMATS["sig"]
SIG_RATIO = S.FORMATS["ratio"]  # a ratio to 2 decimals
#: rows that are steps of another row's formula, not headlines
HELPERS = ("margin_per_user", "arppu_net", "paid_cac_per_active", "payback_ratio", "payback_ratio_paid")


class UnitEconomicsSheet(StockPayback):
    """The Unit economics sheet and the named output rows it and the other sheets use (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def output_row(
        self, ws, row: int, name: str, label: str, unit: str, fmt: str, formula: str, udf: str | None = None
    ):
        """One named output: label, name, unit, native formula, and in udf mode the =LLM_* twin."""
        self.text(ws, f"A{row}", label)
        self.text(ws, f"B{row}", name, S.NAME_FONT)
        self.text(ws, f"C{row}", self.unit(unit), S.UNIT_FONT)
        self.formula(ws, f"D{row}", self.f(formula), fmt, align=S.RIGHT)
        self.swept(ws, f"D{row}")  # an error here fails the master check
        if self.udf and name in UDF_OUTPUTS and udf:
            self.define(f"{name}_native", ws, f"D{row}")
            self.formula(ws, f"E{row}", self.f(udf), fmt, align=S.RIGHT)
            self.define(name, ws, f"E{row}")
            self.udf_checks.append(
                (
                    f"{name}: the =LLM_* function agrees with the native formula",
                    (
                        f"IF(AND(ISNUMBER({name}),ISNUMBER({name}_native)),ABS({name}-{name}_native)<=check_tolerance"
                        f'*MAX(1,ABS({name}_native)),IF(ISERROR({name}),FALSE(),{name}&""={name}_native&""))'
                    ),
                    name,
                )
            )
        else:
            self.define(name, ws, f"D{row}")

    def unit_economics_sheet(self, full: bool):
        ws = self.wb.create_sheet("Unit economics")
        self.title(
            ws,
            "Unit economics" if full else "Compute cost",
            "Per MAU per month, for the live scenario. Definitions: docs/model.md.",
        )
        cols = ["Metric", "Name", "Unit", "Value"] + (["Excel function"] if self.udf else [])
        self.header(ws, 4, cols)
        for col in range(4, len(cols) + 1):  # headers over numbers sit right, like the numbers
            ws.cell(row=4, column=col).alignment = S.RIGHT
        row = 5
        self.section(ws, row, "Compute", len(cols))
        row += 1
        self.output_row(
            ws,
            row,
            "cost_per_mau",
            "Compute cost per MAU",
            OUTPUT_UNITS["cost_per_mau"],
            S.FORMATS["money"],
            "(input_tokens*(1-cached_share)*input_price+input_tokens*cached_share*cached_price"
            "+output_tokens*output_price)/tokens_per_million+other_cost_per_mau",
            "LLM_COST_PER_MAU(input_tokens,output_tokens,input_price,output_price,cached_share,cached_price)"
            "+other_cost_per_mau",
        )
        self.headlines.append("cost_per_mau")
        row += 1
        self.output_row(
            ws,
            row,
            "cost_per_paying_mau",
            "Compute cost per paying MAU (paying_cost_per_mau, or the cost per MAU when not given)",
            OUTPUT_UNITS["cost_per_paying_mau"],
            S.FORMATS["money"],
            "IF(ISNUMBER(paying_cost_per_mau),paying_cost_per_mau,{cost_per_mau})",
        )
        row += 1
        self.output_row(
            ws,
            row,
            "blended_cost_per_mau",
            "Blended compute cost per MAU (free and paying users)",
            OUTPUT_UNITS["blended_cost_per_mau"],
            S.FORMATS["money"],
            "{cost_per_mau}+conversion*(cost_per_paying_mau-{cost_per_mau})",
        )
        self.headlines += ["cost_per_paying_mau", "blended_cost_per_mau"]
        row += 1
        if full:
            self.ensure_monthly_rate(ws, row)
            row += 2
            self.section(ws, row, "Unit economics", len(cols))
            row += 1

            def payback(q, ratio):  # payback_months() on CAC q, the twin of the engine's masks
                return (
                    f'IF(ISNUMBER({ratio}),IF(churn=0,{q}/margin_per_user,IF({ratio}>=1,"never",'
                    f"IF(churn=1,0,LN(1-{ratio})/LN(1-churn)))),{ratio})"
                )

            def ratio(q):  # CAC over the undiscounted lifetime contribution m/churn: payback needs it below 1
                return (
                    f'IF(NOT(ISNUMBER(margin_per_user)),"n/a",IF(NOT(ISNUMBER({q})),"n/a",'
                    f'IF(margin_per_user<=0,"never",{q}*churn/margin_per_user)))'
                )

            payer_margin = "arppu_net-(cost_per_paying_mau-{cost_per_mau})"
            rows = [
                (
                    "paid_cac",
                    (
                        "Paid CAC in month 1 (ad spend per sign-up bought with ads; at cac_spend, moved by "
                        "cac_elasticity)"
                    ),
                    S.FORMATS["money"],
                    "IF(AND(ISNUMBER(cac_spend),ad_spend>0),cac*(ad_spend/cac_spend)^cac_elasticity,cac)",
                    None,
                ),
                (
                    "blended_cac",
                    "Blended CAC (ad spend per sign-up of any source)",
                    S.FORMATS["money"],
                    (
                        "IF(ISNUMBER(organic_users),IF(ad_spend/paid_cac+organic_users>0,ad_spend/(ad_spend/paid_cac"
                        '+organic_users),"n/a"),paid_cac*paid_share)'
                    ),
                    None,
                ),
                (
                    "cac_per_active",
                    "CAC per active user (blended CAC / activation)",
                    S.FORMATS["money"],
                    'IF(ISNUMBER(blended_cac),blended_cac/activation,"n/a")',
                    None,
                ),
                (
                    "arppu_net",
                    "ARPPU net of VAT and store fees",
                    S.FORMATS["money"],
                    "arppu/(1+vat)*(1-store_fee)",
                    None,
                ),
                ("revenue_per_mau", "Revenue per MAU", S.FORMATS["money"], "conversion*arppu_net", None),
                (
                    "contribution_per_mau",
                    "Contribution per MAU",
                    S.FORMATS["money"],
                    "revenue_per_mau-blended_cost_per_mau",
                    None,
                ),
                (
                    "gross_margin",
                    "Gross margin",
                    S.FORMATS["percent"],
                    'IF(revenue_per_mau>0,contribution_per_mau/revenue_per_mau,"no revenue")',
                    None,
                ),
                (
                    "ltv",
                    "LTV (discounted contribution over an active user's life)",
                    SIG,
                    (
                        "IF(AND(ISNUMBER(gross_margin),churn+monthly_discount_rate>0),"
                        'revenue_per_mau*gross_margin/(churn+monthly_discount_rate),"n/a")'
                    ),
                    "LLM_LTV(revenue_per_mau,gross_margin,churn,annual_discount_rate)",
                ),
                (
                    "ltv_to_cac",
                    "LTV / CAC per active user",
                    SIG_RATIO,
                    (
                        'IF(AND(ISNUMBER({ltv}),ISNUMBER(cac_per_active)),IF(cac_per_active>0,{ltv}/cac_per_active,"n/a"),'
                        '"n/a")'
                    ),
                    None,
                ),
                (
                    "ltv_to_paid_cac",
                    "LTV / paid CAC per active user",
                    SIG_RATIO,
                    'IF(ISNUMBER({ltv}),{ltv}/(paid_cac/activation),"n/a")',
                    None,
                ),
                (
                    "margin_per_user",
                    "Contribution per user per month (for payback)",
                    S.FORMATS["money"],
                    'IF(ISNUMBER(gross_margin),revenue_per_mau*gross_margin,"n/a")',
                    None,
                ),
                (
                    "paid_cac_per_active",
                    "Paid CAC per active user",
                    S.FORMATS["money"],
                    "paid_cac/activation",
                    None,
                ),
                (
                    "payback_ratio",
                    "Payback ratio: CAC x churn / contribution per user (below 1 pays back)",
                    SIG_RATIO,
                    ratio("cac_per_active"),
                    None,
                ),
                (
                    "payback_months",
                    "Payback on CAC per active user",
                    S.FORMATS["months"],
                    payback("cac_per_active", "payback_ratio"),
                    "LLM_PAYBACK(cac_per_active,revenue_per_mau,gross_margin,churn)",
                ),
                (
                    "payback_ratio_paid",
                    "Payback ratio on paid CAC (below 1 pays back)",
                    SIG_RATIO,
                    ratio("paid_cac_per_active"),
                    None,
                ),
                (
                    "payback_months_paid",
                    "Payback on paid CAC per active user",
                    S.FORMATS["months"],
                    payback("paid_cac_per_active", "payback_ratio_paid"),
                    None,
                ),
                (
                    "breakeven_conversion",
                    "Break-even conversion (MAU stops losing money)",
                    S.FORMATS["percent"],
                    f'IF({payer_margin}>0,{{cost_per_mau}}/({payer_margin}),"n/a")',
                    None,
                ),
            ]
            if (
                self.curve_months_max
            ):  # docs/model.md: with a curve, ltv is the curve's cohort LTV (Waterfall sheet)
                i = next(i for i, r in enumerate(rows) if r[0] == "ltv")
                name, label, fmt, formula, udf = rows[i]
                rows[i] = (
                    name,
                    label + "; from the retention curve while the live scenario has one (Waterfall sheet)",
                    fmt,
                    f"IF(has_curve,curve_ltv,{formula})",
                    udf and f"IF(has_curve,curve_ltv,{udf})",
                )
            if self.stocks:  # payers as their own stock: the chain's LTV, the engine's paybacks
                rows = with_chain(rows)
            for name, label, fmt, formula, udf in rows:
                unit = (
                    "ratio"
                    if name.startswith("payback_ratio")
                    else CHAIN_UNITS.get(name) or OUTPUT_UNITS.get(name, "currency per user per month")
                )
                self.output_row(ws, row, name, label, unit, fmt, formula, udf)
                if name not in HELPERS:
                    self.headlines.append(name)
                row += 1
            if self.stocks:
                row = self.stock_payback_rows(ws, row + 1)
        ws.column_dimensions["A"].width = 72
        for r in range(5, row):  # a long label wraps in its cell rather than running under the name
            label = ws[f"A{r}"].value
            if isinstance(label, str) and len(label) > 72 and ws[f"B{r}"].value:
                ws[f"A{r}"].alignment = S.WRAP
                ws.row_dimensions[r].height = 15 * (1 + len(label) // 72)
                for c in ws[r][1:]:  # the name, unit and value beside its first line
                    c.alignment = Alignment(horizontal=c.alignment.horizontal, vertical="top")
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 30
        ws.column_dimensions["D"].width = 18
        ws.column_dimensions["E"].width = 18
        ws.freeze_panes = "A5"
        self.print_setup(ws, title_rows="4:4")

    def ensure_monthly_rate(self, ws, row: int) -> int:
        """The monthly discount rate, on the first sheet that needs it; returns the next free row."""
        if "monthly_discount_rate" in self.wb.defined_names:
            return row
        self.output_row(
            ws,
            row,
            "monthly_discount_rate",
            "Monthly discount rate",
            "monthly fraction",
            "0.000%",
            "(1+annual_discount_rate)^(1/months_per_year)-1",
        )
        return row + 1
