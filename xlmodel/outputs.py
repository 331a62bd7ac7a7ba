"""Every output of the model and its unit: one table for tables, workbooks and JSON consumers.

"currency" stands for the model's currency (each surface puts its name in).
"""

from __future__ import annotations

import math
from typing import Any

from .dates import month_label
from .params import PARAMS

__all__ = [
    "OUTPUT_UNITS",
    "OUTPUT_DEFINITIONS",
    "HORIZON_NEVER",
    "json_value",
    "HUGE",
    "format_value",
    "format_unit",
    "compact",
    "output_text",
    "input_text",
]


def json_value(value: Any) -> Any:
    """An output as JSON writes it: ``"never"`` (``"-never"``) for an infinity, ``null`` for n/a (NaN), a bool
    for a flag (numpy's too), other values as they are (JSON has no inf or nan)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, float) and math.isinf(value):
        return "never" if value > 0 else "-never"
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


#: units of every output, for tables, workbooks and JSON consumers
OUTPUT_UNITS = {
    "blended_cac": "currency per new user",
    "cac_per_active": "currency per active new user",
    "paid_cac": "currency per user bought with ads",
    "cost_per_mau": "currency per MAU per month",
    "cost_per_paying_mau": "currency per paying MAU per month",
    "blended_cost_per_mau": "currency per MAU per month",
    "revenue_per_mau": "currency per MAU per month",
    "contribution_per_mau": "currency per MAU per month",
    "gross_margin": "fraction of revenue",
    "ltv": "currency per user",
    "ltv_payer": "currency per paying user",
    "ltv_to_cac": "ratio",
    "ltv_to_paid_cac": "ratio",
    "payback_months": "months",
    "payback_months_paid": "months",
    "cohort_payback_month": "months",  # a cohort's age in whole months (with a retention curve), not a plan month
    "breakeven_conversion": "fraction of MAU",
    "runway_months": "months",
    "runway_months_without_migration": "months",
    "runway_months_without_funding": "months",
    "lowest_cash": "currency",
    "lowest_cash_month": "month",
    "first_short_month": "month",
    "funding_month": "month",
    "funding_need": "currency",
    "breakeven_month": "month",
    "default_alive": "yes/no",
    "burn_multiple": "ratio",
    "compute_to_revenue": "fraction of revenue",
    "plan_migration_npv": "currency",
    "plan_migration_payback_month": "month",
    "migration_npv": "currency",
    "migration_payback_month": "month",
    "ending_cash": "currency",  # cash at the horizon (simulations report it)
    "cash_falling_at_horizon": "yes/no",
    "runway_after_horizon": "months",
    "ending_headcount": "heads",
    "ending_credits": "currency",
    "credits_used": "currency",
    "credits_lapsed": "currency",
    "ending_deferred_revenue": "currency",
    "capex_total": "currency",
    "tax_paid": "currency",
    "ending_payers": "users",
    "balance_ok": "yes/no",
    "arppu_net": "currency per paying user per month",
    "paid_cac_per_active": "currency per active user",
}

#: the months found by walking the projection month by month: their "never" only means "not within the horizon",
#: and every surface says so ("not within the horizon (to 2027-02)" in the command line, "not within 36 months"
#: in the workbooks)
HORIZON_NEVER = (
    "runway_months",
    "runway_months_without_funding",
    "runway_months_without_migration",
    "first_short_month",
    "funding_month",
    "breakeven_month",
    "plan_migration_payback_month",
)

#: one line defining each output, for the outputs reference (the full definitions: docs/model.md)
OUTPUT_DEFINITIONS = {
    "blended_cac": "ad spend per new user of any source in month 1: ad_spend / new users "
    "(cac * paid_share without organic_users); n/a when no user arrives",
    "cac_per_active": "blended_cac / activation: what an active new user costs to buy",
    "paid_cac": "ad spend per user bought with ads in month 1: cac, moved by cac_elasticity when the spend "
    "differs from cac_spend",
    "cost_per_mau": "the input: compute cost of a free MAU per month (of every MAU when payers cost the same)",
    "cost_per_paying_mau": "paying_cost_per_mau, or cost_per_mau when not given",
    "blended_cost_per_mau": "(1 - conversion) * cost_per_mau + conversion * cost_per_paying_mau",
    "revenue_per_mau": "conversion * arppu_net: revenue per MAU after VAT and store fees",
    "contribution_per_mau": "revenue_per_mau - blended_cost_per_mau",
    "gross_margin": "contribution_per_mau / revenue_per_mau (n/a without revenue)",
    "ltv": "an active user's discounted contribution over their life: contribution_per_mau / (churn + d), d the "
    "monthly discount rate; with a retention curve, the curve's cohort LTV with its tail; with payers as their own "
    "stock, an activated sign-up's on the chain free -> monthly or annual payer",
    "ltv_payer": "with payers as their own stock: a new payer's discounted contribution on the same chain (monthly "
    "or annual by annual_share)",
    "ltv_to_cac": "ltv / cac_per_active",
    "ltv_to_paid_cac": "ltv / paid_cac_per_active",
    "payback_months": "months of contribution, shrinking with churn, that repay cac_per_active: "
    "ln(1 - x) / ln(1 - churn), x = cac * churn / contribution; never when x >= 1; with payers as their own stock, "
    "the first whole month the chain's cumulative contribution of one sign-up reaches cac_per_active",
    "payback_months_paid": "payback_months on paid_cac_per_active",
    "cohort_payback_month": "with a retention curve: the first whole month of a cohort's life whose cumulative "
    "contribution covers cac_per_active",
    "breakeven_conversion": "the conversion at which revenue per MAU equals the blended compute cost per MAU",
    "runway_months": "the fractional month in which cash first goes below 0, linear within the month; never "
    "when it stays at or above 0 to the horizon",
    "runway_months_without_migration": "the runway of the same plan without the small-model migration",
    "runway_months_without_funding": "the runway of the same plan without its funding rounds",
    "lowest_cash": "the lowest month-end cash over months 1 to the horizon",
    "lowest_cash_month": "the first month in which cash is at lowest_cash",
    "first_short_month": "the first month whose cash is below min_cash; never when none is",
    "funding_month": "when to raise: raise_month when given, else first_short_month",
    "funding_need": "how much to raise: the smallest round in funding_month that keeps cash at or above "
    "min_cash to the horizon; 0 when the plan needs no more money",
    "breakeven_month": "the first month from which the operating net burn (one-offs excluded) is 0 or less in "
    "every month to the horizon; never when there is none",
    "default_alive": "yes when the plan breaks even no later than its runway without funding rounds: it "
    "reaches break-even on the cash it has",
    "burn_multiple": "the first year's net burn over 12 times the growth of monthly net revenue: "
    "sum(net_burn_1..n) / (12 * (revenue_n - revenue_0)), n = min(12, horizon); n/a when revenue does not grow",
    "compute_to_revenue": "the first year's compute bill over its net revenue, n = min(12, horizon) months; "
    "n/a without revenue",
    "plan_migration_npv": "the plan's burn without the migration less its burn with it, month by month, "
    "discounted at the annual discount rate",
    "plan_migration_payback_month": "the first month from migration_month in which the plan's discounted "
    "saving from the migration, summed so far, is 0 or more",
    "migration_npv": "the standalone migration: -migration_cost + NPV(d, compute saved less revenue lost, over "
    "months), Excel's NPV convention",
    "migration_payback_month": "the first whole month in which the standalone migration's cumulative "
    "discounted cash flow is 0 or more; never within months",
    "ending_cash": "cash at the end of the horizon",
    "cash_falling_at_horizon": "yes when cash still falls at the horizon: the average recurring cash outflow of "
    "the last three months (cash_{t-1} - cash_t with the rounds, capex and one-off costs left out: "
    "+ funding_t - capex_t - one_off_t) is above 0",
    "ending_headcount": "the team's heads in the last month",
    "ending_credits": "compute credits left at the horizon (after the last month's use, lapse and grants)",
    "credits_used": "compute paid with credits over the horizon",
    "credits_lapsed": "credits that expired unused over the horizon (an expense below EBITDA)",
    "ending_deferred_revenue": "revenue billed but not yet recognised at the horizon (0 without annual plans)",
    "capex_total": "capital spending over the horizon",
    "tax_paid": "income tax over the horizon: the sum of each month's tax (a loss month may give some back)",
    "ending_payers": "paying users in the last month",
    "balance_ok": "yes when the balance sheet balances in every month: |assets - liabilities - equity| at most "
    "1e-9 of the month's scale",
    "runway_after_horizon": "when cash lasts the horizon but still falls there: horizon + ending_cash / that "
    "average outflow, counted from month 0 like runway_months (when it would run out at the last quarter's "
    "burn); n/a otherwise",
    "arppu_net": "arppu / (1 + vat) * (1 - store_fee): what a payer's month brings in after VAT and store fees",
    "paid_cac_per_active": "paid_cac / activation: what an active user bought with ads costs",
}


# ------------------------------------------------------------------ how a value reads as text
# One definition for the terminal (xlmodel.cli) and the texts the Excel functions return (xlmodel.udfs).

#: from this size on a number prints in scientific notation (1.235e+300), not as hundreds of digits
HUGE = 1e15


def format_value(name: str, value: Any, currency: str) -> str:
    """How an output's value reads in the terminal table: 61.43%, 3.2x, 14.5, 1,234.57, never, n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, float) and math.isinf(value):
        return "never"
    unit = OUTPUT_UNITS[name]
    if unit == "yes/no":  # a flag's mean over draws: the share of yes
        return f"{value * 100:,.1f}% yes"
    if unit.startswith("fraction"):
        return _percent(value, ",.1f")
    if unit == "ratio":
        return f"{_two_significant(value, 2)}x"
    if unit == "months":
        return _fixed(value, ",.1f")
    if unit == "month":
        return _fixed(value, ",.0f")
    return _two_significant(value, 2)


def _fixed(value: float, fmt: str) -> str:
    """``format(value, fmt)``, or 1.235e+300 for a number of 1e15 or more (not hundreds of digits)."""
    return f"{value:.4g}" if abs(value) >= HUGE else format(value, fmt)


def _percent(value: float, fmt: str) -> str:
    """A fraction as a percentage (``fmt`` formats the percentage); a huge one in scientific notation."""
    pct = value * 100
    if not math.isfinite(pct):  # beyond 1.8e306: the percentage itself overflows
        return f"{value:.4g} (fraction)"
    return f"{pct:.4g}%" if abs(pct) >= HUGE else f"{pct:{fmt}}%"


def _two_significant(value: float, decimals: int) -> str:
    """``decimals`` places, or more for a small number so that it keeps two significant digits (0.0146: 0.015)."""
    a = abs(value)
    if a >= HUGE:
        return f"{value:.4g}"
    if 0 < a < 10 ** -(decimals - 1):
        decimals = min(12, 1 - math.floor(math.log10(a)))
    return f"{value:,.{decimals}f}"


def format_unit(name: str, currency: str) -> str:
    """An output's unit with the model's currency in it."""
    return OUTPUT_UNITS[name].replace("currency", currency)


def _short_money(value: float) -> str | None:
    """Money of a million or more as 13.36M / -8.33B / 1.20T, else None."""
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= div:
            return f"{value / div:,.2f}{suffix}"
    return None


def compact(name: str, value: Any, currency: str) -> str:
    """format_value, with money of a million or more as 13.36M / -8.33B so that a row of percentiles fits."""
    if (
        value is not None
        and not math.isinf(value)
        and OUTPUT_UNITS[name].startswith("currency")
        and 1e6 <= abs(value) < HUGE
    ):
        return _short_money(value) or format_value(name, value, currency)
    return format_value(name, value, currency)


def output_text(name: str, value: Any, currency: str, start: str | None = None) -> str:
    """An output's value, with the calendar month of a month (or of a run-out) when the plan has a start."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = compact(name, value, currency)
    if start and math.isfinite(value) and (OUTPUT_UNITS[name] == "month" or name.startswith("runway_months")):
        month = int(value) if OUTPUT_UNITS[name] == "month" else max(1, math.ceil(value))
        if month >= 1:
            text += f" ({month_label(month, start)})"
    return text


def input_text(name: str, value: float, currency: str, start: str | None = None) -> str:
    """An input's value as a reader wants it: 143.20M, 2.35%, 7 (2025-06)."""
    p = PARAMS[name]
    if value == 0:
        return "0"
    if p.fmt == "percent" or "fraction" in p.unit:
        return f"{value * 100:.4g}%"
    if p.fmt in ("months", "month"):
        label = f" ({month_label(int(value), start)})" if start and p.fmt == "month" else ""
        return f"{value:.0f}{label}"
    if p.fmt in ("money", "number") and abs(value) >= 1e6:
        return f"{value:.4g}" if abs(value) >= HUGE else _short_money(value) or f"{value:,.6g}"
    if p.fmt == "money":
        return f"{value:,.2f}"
    return f"{value:,.6g}"
