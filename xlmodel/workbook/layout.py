"""The workbook's layout: inputs and their sections, constants, templates, text and rule helpers.

Shared by the builder and every sheet module."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..assumptions import Assumptions
from ..company import COMPANY_SCALARS, uses_company
from ..dates import MAX_MONTHS
from ..params import ALL_PARAMS, RULES, Param
from ..payers import STOCK_INPUTS, uses_stocks
from ..plan import LAST_QUARTER
from . import styles as S

# ------------------------------------------------------------------ inputs

#: a workbook-only input: compute cost entered directly instead of from tokens
OTHER_COST = Param(
    "other_cost_per_mau",
    "nonneg",
    "currency per MAU per month",
    "compute cost per MAU entered directly, added to the token cost (use it instead of tokens)",
    0.0,
)
WB_PARAMS = {**ALL_PARAMS, OTHER_COST.name: OTHER_COST}

TOKEN_INPUTS = (
    "input_tokens",
    "output_tokens",
    "input_price",
    "output_price",
    "cached_share",
    "cached_price",
)

SECTIONS = [
    (
        "Cash, funding and fixed costs",
        ("cash", "min_cash", "raise_month", "interest_rate", "fixed_costs", "fixed_cost_growth"),
    ),
    (
        "Users and acquisition",
        (
            "mau",
            "ad_spend",
            "ad_growth",
            "cac",
            "cac_spend",
            "cac_elasticity",
            "paid_share",
            "organic_users",
            "organic_growth",
            "activation",
        ),
    ),
    ("Retention and monetisation", ("churn", "conversion", "arppu", "vat", "store_fee")),
    (
        "Compute",
        ("fx",)
        + TOKEN_INPUTS
        + ("other_cost_per_mau", "paying_cost_per_mau", "cost_decline", "usage_growth"),
    ),
    ("Discounting", ("annual_discount_rate",)),
    (
        "Small-model migration",
        (
            "monthly_tokens",
            "large_price",
            "small_price",
            "routed_share",
            "migration_cost",
            "months",
            "migration_month",
            "token_growth",
            "price_decline",
            "monthly_revenue",
            "revenue_loss",
        ),
    ),
    ("The whole company: team, credits, terms and tax", COMPANY_SCALARS),
    ("Payers as their own stock", STOCK_INPUTS),
]

#: inputs that may be left empty ("not given"): the live cell then shows NOT_GIVEN
OPTIONAL_INPUTS = (
    "organic_users",
    "paying_cost_per_mau",
    "migration_month",
    "cac_spend",
    "raise_month",
    "large_price",
    "small_price",
    "credits_expire",
    "paying_churn",
    "upgrade",
    "annual_price",
)
#: inputs of payers as their own stock that are 0 when left out (an empty cell: 0)
STOCK_ZERO = ("annual_share", "annual_renewal")
NOT_GIVEN = "none"

#: the Model mix sheet: scenario key -> (genai-prices kind, column of the USD price)
MIX_SHEET = "Model mix"
MIX_PRICES = {
    "input_price": ("input", "B"),
    "cached_price": ("cached_input", "C"),
    "output_price": ("output", "D"),
}
MIX_FIRST_ROW = 5

#: constants used by formulas, each a labelled, named cell (no number hides in a formula)
CONSTANTS = [
    ("tokens_per_million", 1_000_000, "tokens", "tokens in one priced unit (prices are per 1M tokens)"),
    ("months_per_year", 12, "months", "months in a year (annual to monthly rate)"),
    ("check_tolerance", 1e-9, "fraction", "relative tolerance of the checks"),
    ("max_months", MAX_MONTHS, "months", "the longest timeline an input may give (100 years)"),
    (
        "last_quarter_months",
        LAST_QUARTER,
        "months",
        "months averaged for the burn at the horizon (the last quarter)",
    ),
]
#: the constants of a plan of the whole company (version 4), on Inputs when a scenario gives its inputs
COMPANY_CONSTANTS = [
    ("max_on_cost", 2, "fraction", "the largest on_cost an input may give (employer costs, x salary)"),
    ("months_per_quarter", 3, "months", "months in a fiscal quarter"),
]


def bound(v: float) -> str:
    """A rule's bound in a formula: 0, 1 and -1 as numbers, the months' limit by its name (no other literal)."""
    if v in (0, 1, -1):
        return f"{v:g}"
    if v == MAX_MONTHS:
        return "max_months"
    if v == 2:
        return "max_on_cost"
    raise ValueError(f"a rule bound {v!r} has no named constant")


UE_INPUTS = (
    ("cac", "paid_share", "ad_spend", "organic_users", "churn", "conversion", "arppu")
    + TOKEN_INPUTS
    + (
        "other_cost_per_mau",
        "paying_cost_per_mau",
        "annual_discount_rate",
        "activation",
        "vat",
        "store_fee",
        "cac_elasticity",
        "cac_spend",
    )
)
RUNWAY_INPUTS = (
    (
        "cash",
        "fixed_costs",
        "mau",
        "ad_spend",
        "ad_growth",
        "cac",
        "cac_elasticity",
        "paid_share",
        "organic_users",
        "organic_growth",
        "churn",
        "conversion",
        "arppu",
    )
    + TOKEN_INPUTS
    + (
        "other_cost_per_mau",
        "paying_cost_per_mau",
        "cost_decline",
        "activation",
        "vat",
        "store_fee",
        "interest_rate",
        "min_cash",
        "raise_month",
        "usage_growth",
        "fixed_cost_growth",
        "cac_spend",
    )
)
#: the migration inputs the projection uses (migration_month), when a scenario has a migration month
RUNWAY_MIGRATION_INPUTS = (
    "large_price",
    "small_price",
    "routed_share",
    "migration_cost",
    "migration_month",
    "revenue_loss",
    "annual_discount_rate",
)
MIGRATION_INPUTS = (
    "annual_discount_rate",
    "monthly_tokens",
    "large_price",
    "small_price",
    "routed_share",
    "migration_cost",
    "months",
    "token_growth",
    "price_decline",
    "monthly_revenue",
    "revenue_loss",
)

PROJECTION_ROWS = (
    "ad_spend",
    "cac",
    "paid_new_users",
    "organic_new_users",
    "new_users",
    "mau",
    "paying_users",
    "gross_revenue",
    "revenue",
    "compute",
    "fixed_costs",
    "migration_one_off",
    "net_burn",
    "interest",
    "funding",
    "cash",
)

#: the sheet of a retention curve's cohorts (the model template, when a scenario has a curve)
WATERFALL_SHEET = "Waterfall"
#: the templates whose workbooks carry a retention curve (Inputs rows and the Waterfall sheet)
CURVE_TEMPLATES = ("model",)
#: the longest timeline a waterfall covers: its grid is months x months formulas
WATERFALL_MAX_MONTHS = 240
#: months back from a curve's last month to its late ratio q: j = MIN(late_ratio_months, k - 1) (docs/model.md)
CURVE_CONSTANTS = [
    (
        "late_ratio_months",
        3,
        "months",
        (
            "months back from a retention curve's last month k to its "
            "late ratio q = (R(k) / R(k-j))^(1/j), j = MIN(late_ratio_months, k-1)"
        ),
    )
]

#: headline outputs that the udf variant computes with =LLM_* functions too
UDF_OUTPUTS = ("cost_per_mau", "ltv", "payback_months", "runway_months", "migration_npv")

_ABSOLUTE = re.compile(r"([A-Z]+)(\d+)")
from ..text import _CONTROL, clean_text  # noqa: E402,F401 - one cleaning for every surface


def rule_expr(name: str, x: str, optional: bool = False) -> str:
    """Excel expression that is TRUE when ``x`` satisfies the input's rule.

    ``optional``: the live cell of an input that may be left empty, which
    then holds the text NOT_GIVEN.
    """
    if optional and name in OPTIONAL_INPUTS:
        return f'IF({x}="{NOT_GIVEN}",TRUE(),{rule_expr(name, x)})'
    r = RULES[WB_PARAMS[name].rule]
    parts = [f"ISNUMBER({x})"]
    if r.lo is not None:
        parts.append(f"{x}{'>=' if r.lo_incl else '>'}{bound(r.lo)}")
    if r.hi is not None:
        parts.append(f"{x}{'<=' if r.hi_incl else '<'}{bound(r.hi)}")
    if r.integer:
        parts.append(f"INT({x})={x}")
    return "AND(" + ",".join(parts) + ")"


def rule_sentence(name: str) -> str:
    p = WB_PARAMS[name]
    return f"{name} {RULES[p.rule].text}"


def _fmt_for(p: Param) -> str:
    if p.fmt == "months" and RULES[p.rule].integer:  # a whole number of months: 24, not 24.0
        return S.FORMATS["month"]
    return S.FORMATS.get(p.fmt, S.FORMATS["money"])


# ---------------------------------------------------------------- templates


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    summary: str
    sheets: tuple  # of "ue_cost", "ue", "projection", "migration"

    def inputs(self, a: Assumptions) -> list[str]:
        keys: list[str] = []
        if "ue" in self.sheets:
            keys += UE_INPUTS
        if "projection" in self.sheets:
            keys += RUNWAY_INPUTS
            if a.has_plan_migration() or a.has_migration():
                keys += RUNWAY_MIGRATION_INPUTS
        if self.has("migration", a):
            keys += MIGRATION_INPUTS
        if "projection" in self.sheets and any(uses_company(s) for s in a.scenarios.values()):
            keys += COMPANY_SCALARS  # the whole company (version 4): Team, Capex and credits, Statements
        if "projection" in self.sheets and any(uses_stocks(s) for s in a.scenarios.values()):
            # payers as their own stock: their inputs, and the statements that carry deferred revenue
            keys += [k for k in COMPANY_SCALARS if k not in keys] + list(STOCK_INPUTS)
        if a.mixes and any(k in keys for k in TOKEN_INPUTS):
            keys.append("fx")
        return [k for _, sec in SECTIONS for k in sec if k in keys]

    def has(self, sheet: str, a: Assumptions) -> bool:
        if (
            sheet == "migration"
        ):  # the standalone NPV: the migration template, or a file without a migration_month
            return (
                "migration" in self.sheets
                and a.has_migration()
                and (self.key == "migration" or not a.has_plan_migration())
            )
        if sheet == "plan_migration":  # the plan's migration (version 3): a scenario with a migration_month
            return "projection" in self.sheets and "migration" in self.sheets and a.has_plan_migration()
        return sheet in self.sheets


TEMPLATES = {
    t.key: t
    for t in [
        Template(
            "unit-economics",
            "Unit economics",
            "CAC (blended and paid), compute cost per MAU, revenue, contribution, gross margin, LTV, LTV/CAC, "
            "payback, break-even conversion",
            ("ue",),
        ),
        Template(
            "runway",
            "Projection and runway",
            "monthly projection of users, revenue, ad, compute and fixed costs, cash balance and runway, with charts",
            ("ue_cost", "projection"),
        ),
        Template(
            "migration",
            "Small-model migration",
            "cash flows of moving traffic to a small model: NPV, payback month, cumulative NPV chart, "
            "sensitivity of NPV to routed share and small-model price",
            ("migration",),
        ),
        Template(
            "model",
            "LLM app economics model",
            "everything in one workbook: cover, inputs with scenarios and a selector, unit economics, "
            "projection and runway, migration, checks",
            ("ue", "projection", "migration"),
        ),
        Template(
            "risk",
            "Risk: ranges and Monte Carlo",
            "the full model plus low/mode/high ranges and a Risk sheet: each output's percentiles, the share "
            "of draws that run out of cash by month 6 to 24, histograms and a tornado of the runway",
            ("ue", "projection", "migration", "risk"),
        ),
        Template(
            "cohorts",
            "Cohorts",
            "a retention triangle (--cohorts FILE.csv) with cohort churn and cohort LTV per signup cohort as "
            "native formulas, a heat map and a chart of the curves, on the unit economics of the scenarios",
            ("ue", "cohorts"),
        ),
    ]
}


def column_of(cell: str) -> str:
    """The column letters of a cell reference: ``"E12"`` -> ``"E"``."""
    m = re.match(r"[A-Z]+", cell)
    assert m is not None, cell  # a cell reference starts with its column's letters
    return m.group(0)


def live_pick(first: str, last: str, row: int) -> str:
    """A formula (without ``=``) for the live scenario's cell of a row of scenario columns ``first``..``last``:
    ``INDEX(E9:G9,1,scenario_index)`` (the 3-argument form: every program), and for a single scenario
    ``IF(scenario_index=1,E9,NA())``, since Gnumeric gives #REF! for INDEX on a one-cell range (Excel and
    LibreOffice take both). Not CHOOSE: Gnumeric's gives an empty cell as 0, so an optional input's empty
    cell would not read as "not given". Any other scenario number is an error, as INDEX's is."""
    if first == last:
        return f"IF(scenario_index=1,{first}{row},NA())"
    return f"INDEX({first}{row}:{last}{row},1,scenario_index)"


def same_within_tolerance(live: str, kept: str) -> str:
    """A formula: no cell of ``live`` differs from ``kept`` (a copy as generated) by more than check_tolerance
    of its value (arithmetic only: no function of a range inside SUMPRODUCT).

    Magnitudes as ``x*((x>0)-(x<0))``, not squares: a square overflows to #NUM! for any value above ~1e154,
    and an input as large as the engine accepts (up to ~1.8e308) must leave the check TRUE as generated."""
    diff = f"({live}-{kept})"
    return f"SUMPRODUCT(--({diff}*(({diff}>0)-({diff}<0))>check_tolerance*{kept}*(({kept}>0)-({kept}<0))))=0"
