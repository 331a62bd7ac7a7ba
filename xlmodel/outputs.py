"""Every output of the model and its unit: one table for tables, workbooks and JSON consumers.

"currency" stands for the model's currency (each surface puts its name in).
"""

from __future__ import annotations

import math

__all__ = ["OUTPUT_UNITS", "json_value"]


def json_value(value):
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
    "arppu_net": "currency per paying user per month",
    "paid_cac_per_active": "currency per active user",
}
