"""Every input of the model, with its rule, unit and description, in one table.

The engine validates with these rules, the assumptions file is checked against
them, the Excel functions take their argument help from them and the generated
workbooks take their data validation and input messages from them: one place,
so the surfaces cannot drift apart. Pure Python and numpy; nothing runs at
import time beyond building this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError
from .param_docs import ENTRIES, MODEL_KEY_DOCS, SINCE  # noqa: F401 - re-exported: the keys reference reads them here

__all__ = [
    "Param",
    "PARAMS",
    "check",
    "RULES",
    "TOKEN_KEYS",
    "MIX_PRICES",
    "reject_unknown",
    "CHANGE_DRIVERS",
    "PLAN_KEYS",
    "CALENDAR_KEYS",
]


@dataclass(frozen=True)
class Rule:
    """A numeric range: ``lo``/``hi`` bounds (None = open), inclusive flags."""

    lo: float | None
    hi: float | None
    lo_incl: bool = True
    hi_incl: bool = True
    integer: bool = False
    text: str = ""

    def fast_ok(self, x: np.ndarray) -> bool:
        """Two reductions instead of a mask: min and max carry NaN and infinity along."""
        lo, hi = x.min(), x.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return False
        if self.lo is not None and not (lo >= self.lo if self.lo_incl else lo > self.lo):
            return False
        if self.hi is not None and not (hi <= self.hi if self.hi_incl else hi < self.hi):
            return False
        return not self.integer or bool(np.all(np.floor(x) == x))

    def ok(self, x: np.ndarray) -> np.ndarray:
        good: np.ndarray = np.isfinite(x)
        if self.lo is not None:
            good &= (x >= self.lo) if self.lo_incl else (x > self.lo)
        if self.hi is not None:
            good &= (x <= self.hi) if self.hi_incl else (x < self.hi)
        if self.integer:
            good &= np.equal(np.floor(x), x)
        return good


RULES = {
    "fraction": Rule(0, 1, text="must be between 0 and 1"),
    "fraction_below_1": Rule(0, 1, hi_incl=False, text="must be 0 or more and below 1"),
    "share": Rule(0, 1, lo_incl=False, text="must be above 0 and at most 1"),
    "growth": Rule(-1, None, lo_incl=False, text="must be above -1"),
    "nonneg": Rule(0, None, text="must be 0 or more"),
    "positive": Rule(0, None, lo_incl=False, text="must be above 0"),
    "any": Rule(None, None, text="must be a finite number"),
    "margin": Rule(None, 1, text="must be at most 1"),
    "months": Rule(1, 1200, integer=True, text="must be a whole number of months from 1 to 1200"),
    "on_cost": Rule(0, 2, text="must be between 0 and 2"),
    "terms": Rule(0, 1200, integer=True, text="must be a whole number of months from 0 to 1200"),
}


@dataclass(frozen=True)
class Param:
    name: str
    rule: str
    unit: str
    doc: str
    default: float | None = None  # None: required (or derived, see docs)
    fmt: str = "money"  # number format: money | percent | number | months | price

    @property
    def rule_text(self) -> str:
        return RULES[self.rule].text


_p = Param


#: Every named input of the model (docs/model.md), in the order a finance user reads them.
PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        # acquisition
        _p("cash", "any", "currency", "cash at month 0"),
        _p("mau", "nonneg", "users", "monthly active users at month 0", fmt="number"),
        _p("ad_spend", "nonneg", "currency per month", "ad spend in month 1"),
        _p(
            "ad_growth",
            "growth",
            "monthly fraction",
            "monthly growth of ad spend, e.g. 5% or 0.05 (negative = decline)",
            0.0,
            "percent",
        ),
        _p("cac", "positive", "currency per user", "ad spend per new user bought with ads (paid CAC)"),
        _p(
            "paid_share",
            "share",
            "fraction",
            "share of new users that come from ads, e.g. 70% or 0.7",
            1.0,
            "percent",
        ),
        _p(
            "organic_users",
            "nonneg",
            "users per month",
            "new users a month who come without ads (empty: paid_share rule)",
            fmt="number",
        ),
        _p(
            "organic_growth",
            "growth",
            "monthly fraction",
            "monthly growth of organic_users (negative = decline)",
            0.0,
            "percent",
        ),
        _p(
            "cac_elasticity",
            "fraction",
            "exponent",
            "rise of CAC with spend: cac x (spend / month-1 spend) ^ this",
            0.0,
            "decimal",
        ),
        # retention and monetisation
        _p(
            "churn",
            "fraction",
            "monthly fraction",
            "share of MAU lost each month, e.g. 5% or 0.05",
            fmt="percent",
        ),
        _p(
            "conversion",
            "fraction",
            "fraction of MAU",
            "share of MAU that pays, e.g. 3% or 0.03",
            fmt="percent",
        ),
        _p("arppu", "nonneg", "currency per paying user per month", "revenue per paying user per month"),
        _p(
            "retention_scale",
            "positive",
            "factor",
            "scales a retention curve's months 2..k (each share at most 1): a range makes the curve uncertain",
            fmt="decimal",
        ),
        # compute
        _p(
            "cost_per_mau",
            "nonneg",
            "currency per MAU per month",
            "inference cost per MAU per month (month 1)",
        ),
        _p(
            "paying_cost_per_mau",
            "nonneg",
            "currency per paying user per month",
            "compute cost of a paying user per month (empty: cost_per_mau)",
        ),
        _p(
            "input_tokens",
            "nonneg",
            "tokens per MAU per month",
            "input tokens per MAU per month",
            fmt="number",
        ),
        _p(
            "output_tokens",
            "nonneg",
            "tokens per MAU per month",
            "output tokens per MAU per month",
            fmt="number",
        ),
        _p("input_price", "nonneg", "currency per 1M tokens", "price of 1M input tokens", fmt="price"),
        _p("output_price", "nonneg", "currency per 1M tokens", "price of 1M output tokens", fmt="price"),
        _p(
            "cached_share",
            "fraction",
            "fraction",
            "share of input tokens served from the prompt cache",
            0.0,
            "percent",
        ),
        _p(
            "cached_price",
            "nonneg",
            "currency per 1M tokens",
            "price of 1M cached input tokens (default: input_price)",
            fmt="price",
        ),
        _p(
            "cost_decline",
            "fraction",
            "monthly fraction",
            "monthly decline of compute cost per MAU, e.g. 2% or 0.02",
            0.0,
            "percent",
        ),
        # overheads and money
        _p(
            "fx",
            "positive",
            "currency per USD",
            "model currency per 1 USD, for genai-prices prices (RMB: ~7.2)",
            1.0,
            "price",
        ),
        _p(
            "fixed_costs",
            "nonneg",
            "currency per month",
            "fixed costs per month (salaries, rent, tools)",
            0.0,
        ),
        _p(
            "annual_discount_rate",
            "growth",
            "annual fraction",
            "annual effective discount rate, e.g. 12% or 0.12",
            0.0,
            "percent",
        ),
        _p("horizon", "months", "months", "months projected", 60, "months"),
        # small-model migration
        _p(
            "monthly_tokens",
            "nonneg",
            "tokens per month",
            "tokens a month served by the large model today",
            fmt="number",
        ),
        _p(
            "large_price",
            "nonneg",
            "currency per 1M tokens",
            "large model's blended price per 1M tokens",
            fmt="price",
        ),
        _p(
            "small_price",
            "nonneg",
            "currency per 1M tokens",
            "small model's blended price per 1M tokens",
            fmt="price",
        ),
        _p("migration_cost", "nonneg", "currency", "one-time cost of the migration, paid at month 0"),
        _p("months", "months", "months", "months of savings counted", fmt="months"),
        _p(
            "routed_share", "fraction", "fraction", "share of tokens moved to the small model", 1.0, "percent"
        ),
        _p(
            "token_growth",
            "growth",
            "monthly fraction",
            "monthly growth of token volume (negative = decline)",
            0.0,
            "percent",
        ),
        _p(
            "price_decline",
            "fraction",
            "monthly fraction",
            "monthly decline of both token prices",
            0.0,
            "percent",
        ),
        _p(
            "migration_month",
            "months",
            "month",
            "month the small model takes routed_share (empty: none)",
            fmt="month",
        ),
        _p("monthly_revenue", "nonneg", "currency per month", "monthly revenue exposed to quality loss", 0.0),
        _p(
            "revenue_loss",
            "fraction",
            "fraction",
            "share of monthly revenue lost to lower quality",
            0.0,
            "percent",
        ),
        # a plan over time (model version 3)
        _p(
            "activation",
            "share",
            "fraction of sign-ups",
            "share of sign-ups active in their first month",
            1.0,
            "percent",
        ),
        _p(
            "store_fee",
            "fraction_below_1",
            "fraction of net revenue",
            "share of net-of-VAT revenue kept by app stores and payment channels",
            0.0,
            "percent",
        ),
        _p(
            "vat",
            "fraction_below_1",
            "fraction",
            "sales tax (VAT) included in consumer prices",
            0.0,
            "percent",
        ),
        _p(
            "interest_rate",
            "growth",
            "annual fraction",
            "annual effective interest on the opening cash balance (a negative balance pays it)",
            0.0,
            "percent",
        ),
        _p(
            "min_cash",
            "nonneg",
            "currency",
            "cash buffer the company must keep (funding need keeps cash above it)",
            0.0,
        ),
        _p(
            "usage_growth",
            "growth",
            "monthly fraction",
            "monthly growth of tokens (compute) per user",
            0.0,
            "percent",
        ),
        _p(
            "fixed_cost_growth", "growth", "monthly fraction", "monthly growth of fixed costs", 0.0, "percent"
        ),
        _p(
            "cac_spend",
            "positive",
            "currency per month",
            "monthly ad spend at which cac was observed (empty: the scenario's ad_spend)",
        ),
        _p(
            "raise_month",
            "months",
            "month",
            "month of the next raise (empty: the first month short of min_cash)",
            fmt="month",
        ),
        # the whole company (model version 4): left out, each is 0 (never for credits_expire)
        _p(
            "on_cost",
            "on_cost",
            "fraction of salary",
            "employer costs (social insurance, benefits) on top of the team's salaries (empty: 0)",
            fmt="percent",
        ),
        _p(
            "salary_growth",
            "growth",
            "annual fraction",
            "the raise at the start of each fiscal year after month 1 (empty: 0)",
            fmt="percent",
        ),
        _p("credits", "nonneg", "currency", "compute credits held at month 0, spent before cash (empty: 0)"),
        _p(
            "credits_expire",
            "months",
            "month",
            "the month at whose end the opening credits lapse; may lie beyond the horizon (empty: never)",
            fmt="month",
        ),
        _p(
            "compute_terms",
            "terms",
            "months",
            "compute bills are paid this many months after the month they are incurred (empty: 0)",
            fmt="months",
        ),
        _p(
            "ad_terms", "terms", "months", "ad bills are paid this many months later (empty: 0)", fmt="months"
        ),
        _p(
            "collection_lag",
            "terms",
            "months",
            "revenue reaches the bank this many months after it is billed, e.g. app-store payouts (empty: 0)",
            fmt="months",
        ),
        _p(
            "tax_rate",
            "fraction_below_1",
            "fraction of taxable profit",
            "income tax on a fiscal year's positive profit after the losses carried forward (empty: 0)",
            fmt="percent",
        ),
        _p("tax_losses", "nonneg", "currency", "tax losses carried forward at month 0 (empty: 0)"),
        # payers as their own stock (model version 4): left out, every payer is conversion x MAU
        _p(
            "paying_churn",
            "fraction_below_1",
            "monthly fraction",
            "share of paying users lost each month: payers become their own stock (needs upgrade)",
            fmt="percent",
        ),
        _p(
            "upgrade",
            "fraction_below_1",
            "monthly fraction",
            "share of surviving free users who start paying each month (needs paying_churn)",
            fmt="percent",
        ),
        _p(
            "annual_share",
            "fraction",
            "fraction of new payers",
            "share of new payers who buy an annual plan (needs paying_churn and upgrade; empty: 0)",
            fmt="percent",
        ),
        _p("annual_price", "positive", "currency per year", "price of an annual plan, VAT included"),
        _p(
            "annual_renewal",
            "fraction",
            "fraction of annual payers",
            "share of annual payers who renew at each anniversary (empty: 0)",
            fmt="percent",
        ),
    ]
}

#: drivers that may change level from a month on (docs/model.md, "Changes over time"), with the input whose
#: growth rate their path follows (None: a flat path)
CHANGE_DRIVERS = {
    "ad_spend": "ad_growth",
    "cac": None,
    "paid_share": None,
    "organic_users": "organic_growth",
    "activation": None,
    "churn": None,
    "conversion": None,
    "arppu": None,
    "cost_per_mau": "cost",
    "paying_cost_per_mau": "cost",
    "fixed_costs": "fixed_cost_growth",
    "paying_churn": None,
    "upgrade": None,
    "annual_share": None,
}

#: scenario entries that are not numbers: the changes and funding rounds of a plan over time, and a retention
#: curve (a row of shares, months 1..k: docs/model.md, "Retention curves drive the users")
PLAN_KEYS = ("changes", "funding", "retention", "team", "capex")
#: the calendar a plan of the whole company reads its fiscal years from (the [model] table's, carried by a
#: scenario that gives version-4 inputs): salary raises and tax years
CALENDAR_KEYS = ("start", "fiscal_year_start")

#: the token inputs from which cost_per_mau is derived (the first four are needed, the cache is optional)
TOKEN_KEYS = ("input_tokens", "output_tokens", "input_price", "output_price", "cached_share", "cached_price")
#: what a routing mix of models sets: scenario key -> genai-prices kind
MIX_PRICES = {"input_price": "input", "cached_price": "cached_input", "output_price": "output"}

# Arguments of the closed-form functions that are not scenario inputs.
_EXTRA = {
    "spend": Param("spend", "nonneg", "currency", "ad spend over the period"),
    "new_users": Param("new_users", "positive", "users", "new users over the same period", fmt="number"),
    "arpu": Param("arpu", "nonneg", "currency per user per month", "revenue per user per month"),
    "gross_margin": Param(
        "gross_margin", "margin", "fraction", "gross margin, e.g. 60% or 0.6 (may be negative)", fmt="percent"
    ),
    "annual": Param("annual", "growth", "annual fraction", "annual effective rate", fmt="percent"),
    "gpu_hour_cost": Param("gpu_hour_cost", "nonneg", "currency per GPU hour", "cost of one GPU hour"),
    "tokens_per_second": Param(
        "tokens_per_second",
        "positive",
        "tokens per second",
        "tokens generated per second per GPU",
        fmt="number",
    ),
    "utilization": Param(
        "utilization", "share", "fraction", "share of GPU time doing useful work", 1.0, "percent"
    ),
    "amount": Param("amount", "nonneg", "currency", "money raised in a funding round"),
    "count": Param(
        "count", "nonneg", "heads", "heads of a team entry (fractional FTE allowed)", fmt="number"
    ),
    "salary": Param(
        "salary", "nonneg", "currency per head per month", "a team entry's salary at month 1's pay"
    ),
}

ALL_PARAMS: dict[str, Param] = {**PARAMS, **_EXTRA}


def describe_rule(name: str, rule: str | None = None) -> str:
    """``churn must be between 0 and 1 (monthly fraction)``."""
    p = ALL_PARAMS.get(name)
    r = rule or (p.rule if p else "any")
    unit = f" ({p.unit})" if p and r in ("fraction", "share", "growth", "margin") else ""
    return f"{name} {RULES[r].text}{unit}"


def reject_unknown(other: Mapping[str, object]) -> None:
    """Scenario inputs a function does not use are accepted; names that are no input at all are an error."""
    for k in other:
        if k not in PARAMS and k not in PLAN_KEYS and k not in CALENDAR_KEYS:
            raise InputError(k, f"{k} is not an input of the model")


def _fmt(v: float) -> str:
    return f"{v:.10g}"


def check(name: str, value: ArrayLike, rule: str | None = None) -> np.ndarray:
    """Return ``value`` as a float array, or raise :class:`InputError`.

    The message names the argument, the rule and the first offending value.
    """
    r = RULES[rule or ALL_PARAMS[name].rule]
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        raise InputError(name, f"{name} must be a number, got {value!r}")
    try:
        x = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(name, f"{name} must be a number, got {value!r}") from None
    if x.size and r.fast_ok(x):
        return x
    good = r.ok(x)
    if not good.all():
        bad = x[~good].flat[0] if x.ndim else x
        raise InputError(name, f"{describe_rule(name, rule)}, got {_fmt(float(bad))}")
    return x
