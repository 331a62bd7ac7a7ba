"""The Unit economics sheet with payers as their own stock (docs/model.md, "Unit economics with two stocks").

The LTV of an activated sign-up and of a new payer are the chain's value in closed form: the chain over {free,
monthly payer, annual payer in month 1..12} solves state by state (a monthly payer ``(arppu_net -
paying_cost) / (paying_churn + d)``; an annual payer in month 1 a 12-month annuity of its contribution, renewed
at ``annual_renewal`` discounted a year; a free user's the geometric sum of staying free and upgrading), so the
cells are live formulas. The payback (the first whole month the chain's cumulative contribution reaches the CAC,
searched up to 1,200 months) is the engine's value for each scenario, picked by the live scenario, with a status
that says whether the scenario's inputs are still as generated (the Scenarios sheet's ``scenarios_current``).
With one stock in the live scenario every row keeps its version-1 formula.
"""

from __future__ import annotations

import math

from openpyxl.utils import get_column_letter

from .. import engine
from . import styles as S

#: the live scenario has two stocks
TWO = "ISNUMBER(paying_churn)"
_D = "monthly_discount_rate"
#: one year's discount factor, (1 + d)^-12
_YEAR_BACK = f"(1+{_D})^(-months_per_year)"

#: (name, label, format key, formula) of the chain's rows, before ``ltv``
CHAIN_ROWS = (
    (
        "annual_net_price",
        "Annual plan's price net of VAT and store fees (two stocks)",
        "money",
        "IF(ISNUMBER(annual_price),annual_price,0)/(1+vat)*(1-store_fee)",
    ),
    (
        "ltv_monthly_payer",
        "LTV of a monthly payer: (arppu_net - cost per paying MAU) / (paying_churn + d)",
        "money",
        f'IF({TWO},IF(paying_churn+{_D}>0,(arppu_net-cost_per_paying_mau)/(paying_churn+{_D}),"n/a"),"n/a")',
    ),
    (
        "ltv_annual_payer",
        "LTV of an annual payer in the first month of a paid year (a year's annuity, renewed yearly; two stocks)",
        "money",
        (
            f"IF({TWO},IF(1-annual_renewal*{_YEAR_BACK}>0,(annual_net_price/months_per_year-cost_per_paying_mau)"
            f'*IF({_D}=0,months_per_year,(1-{_YEAR_BACK})/{_D})/(1-annual_renewal*{_YEAR_BACK}),"n/a"),"n/a")'
        ),
    ),
    (
        "ltv_payer",
        "LTV of a new payer (monthly or annual by annual_share; two stocks)",
        "money",
        (
            f'IF(NOT({TWO}),"n/a",IF(OR(AND(annual_share<1,NOT(ISNUMBER(ltv_monthly_payer))),AND(annual_share>0,'
            'NOT(ISNUMBER(ltv_annual_payer)))),"n/a",(1-annual_share)*IF(annual_share<1,ltv_monthly_payer,0)'
            "+annual_share*IF(annual_share>0,ltv_annual_payer,0)))"
        ),
    ),
)

#: the chain rows' units
CHAIN_UNITS = {
    "annual_net_price": "currency per paying user per year",
    "ltv_monthly_payer": "currency per paying user",
    "ltv_annual_payer": "currency per paying user",
}

#: an activated sign-up's LTV on the chain: free in its first month, upgrading from the next
LTV = (
    f'IF(upgrade=0,IF(churn+{_D}>0,-{{cost_per_mau}}/(churn+{_D}),"n/a"),IF(ISNUMBER(ltv_payer),'
    f'(-{{cost_per_mau}}+(1-churn)*upgrade*ltv_payer)/(1+{_D}-(1-churn)*(1-upgrade)),"n/a"))'
)


def with_chain(rows: list) -> list:
    """The Unit economics sheet's ``rows`` (name, label, format, formula, udf) with the chain's rows before
    ``ltv`` and ``ltv`` and the paybacks switched to two stocks when the live scenario has them."""
    out = []
    for name, label, fmt, formula, udf in rows:
        if name == "ltv":
            out += [(n, lab, S.FORMATS[f], x, None) for n, lab, f, x in CHAIN_ROWS]
            formula, udf = f"IF({TWO},{LTV},{formula})", udf and f"IF({TWO},{LTV},{udf})"
            label += "; with two stocks, an activated sign-up's on the chain of free users and payers"
        elif name in ("payback_months", "payback_months_paid"):
            formula = f"IF({TWO},INDEX({name}_by_scenario,1,scenario_index),{formula})"
            udf = udf and f"IF({TWO},INDEX({name}_by_scenario,1,scenario_index),{udf})"
            label += "; with two stocks, the engine's (below)"
        out.append((name, label, fmt, formula, udf))
    return out


def _cell(v):
    """An engine value as a cell holds it: ``never`` for infinity, ``n/a`` for None."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, float) and math.isinf(v):
        return "never"
    return float(v)


class StockPayback:
    """The engine's paybacks per scenario on the Unit economics sheet (a part of
    :class:`xlmodel.workbook.builder.Builder`)."""

    def stock_payback_rows(self, ws, row):
        """The paybacks of each scenario by the engine (two stocks), and their status; returns the next row."""
        self.section(
            ws, row, "Payback with two stocks: the engine's, per scenario (1,200 months searched)", 4
        )
        row += 1
        k = len(self.scenarios)
        last = get_column_letter(4 + k - 1)
        self.text(ws, f"A{row}", "Scenario")
        lines = 1
        for i, (sname, _) in enumerate(self.scenarios):
            col = get_column_letter(4 + i)
            # a name longer than its column wraps, right-aligned on the numbers, never cut off by its neighbour
            self.text(ws, f"{col}{row}", sname, S.SECTION_FONT, align=S.WRAP_RIGHT_BOTTOM)
            width = ws.column_dimensions[col].width or 10
            lines = max(lines, math.ceil(len(sname) / max(1.0, width - 1)))
        if lines > 1:
            ws.row_dimensions[row].height = 13 * lines + 2
        ue = [engine.summary_unit_economics(s) for _, s in self.scenarios]
        for name, label in (
            ("payback_months", "Payback on CAC per active user (engine)"),
            ("payback_months_paid", "Payback on paid CAC per active user (engine)"),
        ):
            row += 1
            self.text(ws, f"A{row}", label)
            self.text(ws, f"B{row}", f"{name}_by_scenario", S.NAME_FONT)
            self.text(ws, f"C{row}", "months", S.UNIT_FONT)
            for i, u in enumerate(ue):
                c = ws.cell(row=row, column=4 + i, value=_cell(u.get(name)))
                c.number_format = S.FORMATS["months"]
                c.alignment = S.RIGHT
            self.define(f"{name}_by_scenario", ws, f"D{row}:{last}{row}")
        row += 1
        self.text(ws, f"A{row}", "Status of the engine's paybacks for the live scenario")
        self.text(ws, f"B{row}", "payback_status", S.NAME_FONT)
        self.formula(
            ws,
            f"D{row}",
            f'=IF(NOT({TWO}),"formula (one stock)",IF(INDEX(scenarios_current,1,scenario_index),'
            '"engine value, current","STALE: an input was edited; generate the workbook again"))',
        )
        self.define("payback_status", ws, f"D{row}")
        return row + 1
