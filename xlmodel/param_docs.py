"""The documentation of the inputs that is not a rule: the model version that brought each input, the ``[model]``
table's keys and a scenario's entries that are not numbers (the keys reference reads them; :mod:`xlmodel.params`
re-exports them). Pure data, nothing at import time.
"""

from __future__ import annotations

__all__ = ["SINCE", "MODEL_KEY_DOCS", "ENTRIES"]

#: the model version that brought each input (the rest are version 1's), for the keys reference (docs/model.md)
SINCE = {
    **dict.fromkeys(("organic_users", "organic_growth", "cac_elasticity", "paying_cost_per_mau"), 2),
    **dict.fromkeys(("migration_month", "fx"), 2),
    **dict.fromkeys(("activation", "store_fee", "vat", "interest_rate", "min_cash", "usage_growth"), 3),
    **dict.fromkeys(("fixed_cost_growth", "cac_spend", "raise_month", "retention_scale"), 3),
    **dict.fromkeys(
        ("on_cost", "salary_growth", "credits", "credits_expire", "compute_terms", "ad_terms"), 4
    ),
    **dict.fromkeys(("collection_lag", "tax_rate", "tax_losses"), 4),
    **dict.fromkeys(("paying_churn", "upgrade", "annual_share", "annual_price", "annual_renewal"), 4),
}

#: what each [model] key of an assumptions file holds, for the keys reference: key -> (unit, default, description, model version)
MODEL_KEY_DOCS = {
    "name": ("text", "LLM app model", "the model's name, shown on every surface", 1),
    "currency": ("text", "USD", "the currency of every amount of money in the file", 1),
    "horizon": ("months", "60", "months projected, a whole number from 1 to 1200", 1),
    "draws": ("draws", "10000", "Monte Carlo draws of simulate and the risk workbook (1 to 10,000,000)", 2),
    "seed": ("whole number", "0", "the random seed: same file and seed, same numbers", 2),
    "start": ("YYYY-MM", "none: months M1, M2, ...", "the calendar month of month 1", 3),
    "fiscal_year_start": ("month 1..12", "1", "the calendar month a fiscal year starts in (needs start)", 3),
}

#: a scenario's entries that are not numbers: key -> (what it holds, the model version that brought it)
ENTRIES = {
    "mix": (
        (
            'a routing mix of models, `{ "gpt-4o-mini" = 0.8, "gpt-4o" = 0.2 }`: shares that sum to 1; '
            "sets input_price, cached_price and output_price from genai-prices' USD prices times fx"
        ),
        2,
    ),
    "changes": (
        "`[[scenarios.NAME.changes]]`: a `month` and one or more drivers' levels from that month on",
        3,
    ),
    "funding": (
        (
            "`[[scenarios.NAME.funding]]`: a `month` and an `amount` of cash in at that month's end; optionally "
            "`credits` granted with it (compute credits, usable from the next month) and `expires` (months after the "
            "round at whose end they lapse; version 4)"
        ),
        3,
    ),
    "team": (
        (
            "`[[scenarios.NAME.team]]`: a `role` (unique), a `department` (rd, sm, ga or ops), a `count` of heads, "
            "a monthly `salary` per head at month 1's pay level, and the months `from` and `to` it is paid"
        ),
        4,
    ),
    "capex": (
        (
            "`[[scenarios.NAME.capex]]`: a purchase in a `month`, its `amount`, its `life` in whole months "
            "(depreciated straight-line from that month) and a `name`"
        ),
        4,
    ),
    "retention": (
        (
            "a retention curve: the shares of a cohort active in months 1, 2, ... (each above 0, at most 1, "
            "at least 2 months); it drives the users instead of churn"
        ),
        3,
    ),
    "retention_from": (
        "a cohorts CSV (relative to the assumptions file) whose average curve is the scenario's retention",
        3,
    ),
}
