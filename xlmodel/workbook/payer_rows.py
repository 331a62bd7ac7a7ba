"""The Projection's rows of payers as their own stock (docs/model.md, "Payers as their own stock"): free users
and monthly payers as two stocks, the annual billings as a 12-row phase block (the billings made 0, 1, ..., 11
months ago), new payers, renewals, billed and recognised revenue, and deferred revenue with its cash term.

:func:`with_stocks` takes the Projection's rows (after :func:`xlmodel.workbook.company_rows.with_company`: the
stocks carry the statements) and returns them with those rows added and MAU, payers, revenue, compute,
receivables and cash extended. Every formula switches on the live scenario: with ``paying_churn`` left empty
(one stock) the added rows are 0 (billed revenue is the revenue) and the version-3 formulas stand. Each formula
is the twin of :class:`xlmodel.payers.Stocks`' step.
"""

from __future__ import annotations

from ..payers import STOCK_DRIVERS
from . import styles as S

#: months in a paid year: the phase block's rows
YEAR = 12
#: the rows a reader does not need on paper (each stock driver's path, the monthly plans' billing)
STOCK_HELPERS = frozenset({"upgrade_path", "paying_churn_path", "annual_share_path", "monthly_billing"})
#: the live scenario has two stocks
TWO = "ISNUMBER(paying_churn)"
#: an annual plan's price net of VAT and store fees (0 when not given)
NET_A = "IF(ISNUMBER(annual_price),annual_price,0)/(1+vat)*(1-store_fee)"
#: each stock driver's level in month 1 without a change (its path, ``<driver>_path``, has no growth)
STOCK_BASES = {
    "upgrade": f"IF({TWO},upgrade,0)",
    "paying_churn": f"IF({TWO},paying_churn,0)",
    "annual_share": "annual_share",
}


def phase(j: int) -> str:
    """The phase block's row of the annual billings made ``j`` months ago."""
    return f"annual_billing_{j}"


def _path(driver: str, base: str):
    """A stock driver's path: its change this month, else month 1's input, else last month's level."""
    return lambda c, p: (
        f"IF(ISNUMBER({c('change_' + driver)}),{c('change_' + driver)},"
        f"IF({c('month')}=1,{base},{p(driver + '_path')}))"
    )


def stock_rows() -> list:
    """The rows of the two stocks and the annual billings, after the Projection's paying users."""
    users, pct = S.FORMATS["users"], S.FORMATS["percent"]
    rows = [
        (
            "upgrade_path",
            "Upgrade (its path)",
            "monthly fraction",
            pct,
            None,
            _path("upgrade", STOCK_BASES["upgrade"]),
        ),
        (
            "paying_churn_path",
            "Paying churn (its path)",
            "monthly fraction",
            pct,
            None,
            _path("paying_churn", STOCK_BASES["paying_churn"]),
        ),
        (
            "annual_share_path",
            "Annual share (its path)",
            "fraction",
            pct,
            None,
            _path("annual_share", STOCK_BASES["annual_share"]),
        ),
        (
            "new_payers",
            "New payers (free users who upgrade)",
            "users",
            users,
            None,
            lambda c, p: f"IF({TWO},{p('free_users')}*(1-{c('churn_path')})*{c('upgrade_path')},0)",
        ),
        (
            "free_users",
            "Free users (two stocks)",
            "users",
            users,
            f"IF({TWO},mau*(1-conversion),0)",
            lambda c, p: (
                f"IF({TWO},{p('free_users')}*(1-{c('churn_path')})*(1-{c('upgrade_path')})"
                f"+{c('activation_path')}*{c('new_users')},0)"
            ),
        ),
        (
            "monthly_payers",
            "Monthly payers (two stocks)",
            "users",
            users,
            f"IF({TWO},mau*conversion,0)",
            lambda c, p: (
                f"IF({TWO},{p('monthly_payers')}*(1-{c('paying_churn_path')})"
                f"+(1-{c('annual_share_path')})*{c('new_payers')},0)"
            ),
        ),
        (
            phase(0),
            "Annual plans billed this month (new and renewed)",
            "users",
            users,
            None,
            lambda c, p: f"{c('annual_share_path')}*{c('new_payers')}+annual_renewal*{p(phase(YEAR - 1))}",
        ),
    ]
    for j in range(1, YEAR):
        rows.append(
            (
                phase(j),
                f"Annual plans billed {j} month{'s' if j > 1 else ''} ago",
                "users",
                users,
                None,
                lambda c, p, j=j: p(phase(j - 1)),
            )
        )
    rows += [
        (
            "renewals",
            "Renewals of annual plans",
            "users",
            users,
            None,
            lambda c, p: f"annual_renewal*{p(phase(YEAR - 1))}",
        ),
        (
            "annual_payers",
            "Annual payers (in a paid year)",
            "users",
            users,
            None,
            lambda c, p: f"SUM({c(phase(0))}:{c(phase(YEAR - 1))})",
        ),
    ]
    return rows


def with_stocks(rows: list) -> list:
    """``rows`` (the Projection's, with the whole company's) with payers as their own stock."""
    money, pct = S.FORMATS["total"], S.FORMATS["percent"]
    by_key = {r[0]: r for r in rows}

    def replace(key: str, formula, month0=None) -> None:
        k, label, unit, fmt, m0, _ = by_key[key]
        by_key[key] = (k, label, unit, fmt, m0 if month0 is None else month0, formula)

    def both(key: str, two):
        """The row's formula with two stocks, its version-3 formula with one."""
        one = by_key[key][5]
        replace(key, lambda c, p: f"IF({TWO},{two(c, p)},{one(c, p)})")

    both("mau", lambda c, p: f"{c('free_users')}+{c('monthly_payers')}+{c('annual_payers')}")
    both("paying_users", lambda c, p: f"{c('monthly_payers')}+{c('annual_payers')}")
    both(
        "gross_revenue",
        lambda c, p: (
            f"{c('monthly_payers')}*{c('arppu_path')}+{c('annual_payers')}*IF(ISNUMBER(annual_price),"
            f"annual_price,0)/months_per_year"
        ),
    )
    both(
        "revenue_before_loss",
        lambda c, p: f"{c('monthly_billing')}+{NET_A}/months_per_year*{c('annual_payers')}",
    )
    both(
        "compute_without_migration",
        lambda c, p: f"{c('free_users')}*{c('cost_path')}+{c('paying_users')}*{c('paying_cost_path')}",
    )
    # receivables: what was billed and not yet collected (before month 1: the monthly plans' billing of month 1)
    window = lambda c: (
        f'SUMIFS(billed_revenue_by_month,month_by_month,">"&({c("month")}-collection_lag),'
        f'month_by_month,"<="&{c("month")})+MAX(0,collection_lag-{c("month")})*INDEX(monthly_billing_by_month,1,1)'
    )
    replace("receivables", lambda c, p: window(c), "collection_lag*INDEX(monthly_billing_by_month,1,1)")
    cash = by_key["cash"][5]
    replace("cash", lambda c, p: f"{cash(c, p)[:-1]}+({c('deferred_revenue')}-{p('deferred_revenue')}))")
    den = by_key["runway_denominator"][5]
    replace(
        "runway_denominator",
        lambda c, p: den(c, p).replace(
            f"{c('receivables')}={p('receivables')})",
            f"{c('receivables')}={p('receivables')},{c('deferred_revenue')}={p('deferred_revenue')})",
        ),
    )
    nf = by_key["cash_without_funding"][5]
    replace(
        "cash_without_funding",
        lambda c, p: f"{nf(c, p)[:-1]}+({c('deferred_revenue')}-{p('deferred_revenue')}))",
    )
    nf_step = by_key["runway_step_without_funding"][5]
    replace(
        "runway_step_without_funding",
        lambda c, p: nf_step(c, p).replace(
            f"{c('receivables')}={p('receivables')})",
            f"{c('receivables')}={p('receivables')},{c('deferred_revenue')}={p('deferred_revenue')})",
        ),
    )
    after_payers = [
        *stock_rows(),
        (
            "payer_share",
            "Payer share (payers / MAU)",
            "fraction of MAU",
            pct,
            None,
            lambda c, p: f"IF({c('mau')}=0,0,{c('paying_users')}/{c('mau')})",
        ),
    ]
    after_revenue = [
        (
            "monthly_billing",
            "Monthly plans billed, net of VAT and store fees",
            "currency",
            money,
            None,
            lambda c, p: (
                f"IF({TWO},{c('monthly_payers')},{c('paying_users')})*{c('arppu_path')}/(1+vat)*(1-store_fee)"
            ),
        ),
        (
            "billed_revenue",
            "Billed revenue (annual plans when paid)",
            "currency",
            money,
            None,
            lambda c, p: f"IF({TWO},{c('monthly_billing')}+{NET_A}*{c(phase(0))},{c('revenue')})",
        ),
        (
            "deferred_revenue",
            "Deferred revenue (billed, not yet recognised)",
            "currency",
            money,
            0,
            lambda c, p: f"{p('deferred_revenue')}+{c('billed_revenue')}-{c('revenue')}",
        ),
    ]
    out = []
    for key, *_ in rows:
        out.append(by_key[key])
        if key == "paying_users":
            out += after_payers
        if key == "revenue":
            out += after_revenue
    return out


def stock_checks(curve: bool) -> list[tuple[str, str]]:
    """The Checks sheet's lines of the live scenario's stock inputs and changes (the engine's rules,
    :func:`xlmodel.payers.check_stocks`); ``curve``: the workbook carries retention curves."""
    changes = ",".join(f"COUNT(change_{d}_by_month)=0" for d in STOCK_DRIVERS)
    out = [
        (
            "Payers as their own stock: paying_churn and upgrade are given together (or both left empty)",
            "ISNUMBER(paying_churn)=ISNUMBER(upgrade)",
        ),
        (
            "With one stock, no annual plans and no changes of paying_churn, upgrade or annual_share",
            f"OR({TWO},AND(annual_share=0,annual_renewal=0,NOT(ISNUMBER(annual_price)),{changes}))",
        ),
        (
            "With two stocks, annual_share above 0 (given or changed) needs annual_price",
            f"OR(NOT({TWO}),ISNUMBER(annual_price),MAX(annual_share,MAX(change_annual_share_by_month))=0)",
        ),
        (
            "With two stocks, conversion does not change (it only splits month 0's users)",
            f"OR(NOT({TWO}),COUNT(change_conversion_by_month)=0)",
        ),
    ]
    if curve:
        out.append(("Two stocks and a retention curve: choose one", f"OR(NOT({TWO}),NOT(has_curve))"))
    return out
