"""The Projection sheet's rows: each line's label, unit, format, month 0 and formula, in the model's order."""

from __future__ import annotations

from . import styles as S
from .company_rows import with_company
from .payer_rows import with_stocks

#: rows a reader does not need on paper: flags, intermediate steps, the variants' workings
HELPERS = frozenset(
    {
        "cac_path",
        "paid_share_path",
        "organic_path",
        "activation_path",
        "churn_path",
        "conversion_path",
        "arppu_path",
        "cost_path",
        "paying_cost_own",
        "paying_cost_path",
        "blended_cost",
        "compute_without_migration",
        "revenue_before_loss",
        "cash_negative",
        "runway_denominator",
        "runway_step",
        "cash_without_funding",
        "cash_negative_without_funding",
        "runway_step_without_funding",
        "net_burn_without_migration",
        "cash_negative_without_migration",
        "runway_step_without_migration",
        "short",
        "funding_gap",
        "loss_month",
        "plan_migration_pv",
        "plan_migration_cum",
        "plan_migration_back",
        "plan_migration_step",
    }
)


#: each changing driver's path on the Projection (docs/model.md, "Changes over time"): its month-1 value, its
#: growth factor (None: flat) and the row that holds last month's value; a month's value without a change there
#: is ``IF(month=1, value, last month's row * growth)`` (the Changes sheet resolves a relative level with it)
PATHS = {
    "ad_spend": ("ad_spend", "(1+ad_growth)", "ad_spend"),
    "cac": ("cac", None, "cac_path"),
    "paid_share": ("paid_share", None, "paid_share_path"),
    "organic_users": ("organic_users", "(1+organic_growth)", "organic_path"),
    "activation": ("activation", None, "activation_path"),
    "churn": ("churn", None, "churn_path"),
    "conversion": ("conversion", None, "conversion_path"),
    "arppu": ("arppu", None, "arppu_path"),
    "cost_per_mau": ("{cost_per_mau}", "compute_cost_growth", "cost_path"),
    "fixed_costs": ("fixed_costs", "(1+fixed_cost_growth)", "fixed_costs"),
}


def projection_rows(b) -> list:
    """The Projection sheet's rows: (key, label, unit, format, month 0, formula of c and p), docs/model.md's order.

    ``c(key)``: this month's cell of a row; ``p(key)``: last month's. Each driver follows its path from its
    latest change (the Changes sheet's live rows): ``IF(a change this month, its level, last month's path
    x (1 + growth))``, month 1 starting from the scenario's input.
    """
    mig = "migration_month" in b.inputs
    money, users = S.FORMATS["total"], S.FORMATS["users"]
    flag, months = S.FORMATS["flag"], S.FORMATS["months"]

    def path(driver):
        base, growth, scale = PATHS[driver]
        grow = f"*{growth}" if growth else ""
        return lambda c, p: (
            f"IF(ISNUMBER({c('change_' + driver)}),{c('change_' + driver)},"
            f"IF({c('month')}=1,{base},{p(scale)}{grow}))"
        )

    mig_on = lambda c: f"AND(ISNUMBER(migration_month),{c('month')}>=migration_month)"  # used only with mig

    def mau(
        c, p
    ):  # last month's users at this month's churn plus the activated sign-ups; with a live retention
        churned = (
            f"{p('mau')}*(1-{c('churn_path')})+{c('activation_path')}*{c('new_users')}"  # curve: the cohorts
        )
        return f"IF(has_curve,{c('curve_mau')},{churned})" if getattr(b, "curve_months_max", 0) else churned

    rows = [
        ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
        (
            "fiscal_year",
            "Fiscal year" if b.a.start else "Year (12-month blocks from month 1)",
            "year",
            "0",
            None,
            (
                lambda c, p: (
                    f"YEAR(EOMONTH(plan_start,{c('month')}-1))+IF(AND(fiscal_year_start>1,"
                    f"MONTH(EOMONTH(plan_start,{c('month')}-1))>=fiscal_year_start),1,0)"
                )
            )
            if b.a.start
            else (lambda c, p: f"INT(({c('month')}-1)/months_per_year)+1"),
        ),
        ("ad_spend", "Ad spend", "currency", money, None, path("ad_spend")),
        (
            "cac_path",
            "CAC at cac_spend (its path)",
            "currency per user",
            S.FORMATS["money"],
            None,
            path("cac"),
        ),
        (
            "cac",
            "CAC this month (moves with spend by cac_elasticity)",
            "currency per user",
            S.FORMATS["money"],
            None,
            lambda c, p: (
                f"IF({c('ad_spend')}=0,{c('cac_path')},{c('cac_path')}*({c('ad_spend')}/cac_spend_used)"
                f"^cac_elasticity)"
            ),
        ),
        (
            "paid_new_users",
            "Sign-ups bought with ads",
            "users",
            users,
            None,
            lambda c, p: f"{c('ad_spend')}/{c('cac')}",
        ),
        (
            "paid_share_path",
            "Share of sign-ups from ads (its path)",
            "fraction",
            S.FORMATS["percent"],
            None,
            path("paid_share"),
        ),
        (
            "organic_path",
            "Organic sign-ups (their path, when organic_users is given)",
            "users",
            users,
            None,
            lambda c, p: f"IF(ISNUMBER(organic_users),{path('organic_users')(c, p)},0)",
        ),
        (
            "organic_new_users",
            "Sign-ups who come without ads",
            "users",
            users,
            None,
            lambda c, p: (
                f"IF(ISNUMBER(organic_users),{c('organic_path')},"
                f"{c('paid_new_users')}/{c('paid_share_path')}-{c('paid_new_users')})"
            ),
        ),
        (
            "new_users",
            "Sign-ups (what CAC buys)",
            "users",
            users,
            None,
            lambda c, p: (
                f"IF(ISNUMBER(organic_users),{c('paid_new_users')}+{c('organic_path')},"
                f"{c('paid_new_users')}/{c('paid_share_path')})"
            ),
        ),
        (
            "activation_path",
            "Activation (its path)",
            "fraction of sign-ups",
            S.FORMATS["percent"],
            None,
            path("activation"),
        ),
        ("churn_path", "Churn (its path)", "monthly fraction", S.FORMATS["percent"], None, path("churn")),
        (
            "mau",
            "Monthly active users (MAU; with a live retention curve, the Waterfall's cohorts and month 0's users)"
            if getattr(b, "curve_months_max", 0)
            else "Monthly active users (MAU)",
            "users",
            users,
            "mau",
            mau,
        ),
        (
            "conversion_path",
            "Conversion (its path)",
            "fraction of MAU",
            S.FORMATS["percent"],
            None,
            path("conversion"),
        ),
        (
            "paying_users",
            "Paying users",
            "users",
            users,
            None,
            lambda c, p: f"{c('mau')}*{c('conversion_path')}",
        ),
        (
            "arppu_path",
            "ARPPU (its path, VAT included)",
            "currency per paying user per month",
            S.FORMATS["money"],
            None,
            path("arppu"),
        ),
        (
            "gross_revenue",
            "Gross revenue (what payers pay)",
            "currency",
            money,
            None,
            lambda c, p: f"{c('paying_users')}*{c('arppu_path')}",
        ),
        (
            "revenue_before_loss",
            "Revenue net of VAT and store fees",
            "currency",
            money,
            None,
            lambda c, p: f"{c('gross_revenue')}/(1+vat)*(1-store_fee)",
        ),
        (
            "revenue",
            "Net revenue",
            "currency",
            money,
            None,
            (lambda c, p: f"{c('revenue_before_loss')}*IF({mig_on(c)},1-revenue_loss,1)")
            if mig
            else (lambda c, p: c("revenue_before_loss")),
        ),
        (
            "cost_path",
            "Compute cost per free MAU (its path)",
            "currency per MAU per month",
            S.FORMATS["money"],
            None,
            path("cost_per_mau"),
        ),
        (
            "paying_cost_own",
            "Paying users have a cost of their own (given, or changed)",
            "flag",
            flag,
            "ISNUMBER(paying_cost_per_mau)",
            lambda c, p: f"OR({p('paying_cost_own')},ISNUMBER({c('change_paying_cost_per_mau')}))",
        ),
        (
            "paying_cost_path",
            "Compute cost per paying MAU (its path)",
            "currency per paying user per month",
            S.FORMATS["money"],
            None,
            lambda c, p: (
                f"IF(ISNUMBER({c('change_paying_cost_per_mau')}),{c('change_paying_cost_per_mau')},"
                f"IF({p('paying_cost_own')},IF({c('month')}=1,paying_cost_per_mau,{p('paying_cost_path')}"
                f"*compute_cost_growth),{c('cost_path')}))"
            ),
        ),
        (
            "blended_cost",
            "Blended compute cost per MAU",
            "currency per MAU per month",
            S.FORMATS["money"],
            None,
            lambda c, p: (
                f"{c('cost_path')}+{c('conversion_path')}*({c('paying_cost_path')}-{c('cost_path')})"
            ),
        ),
        (
            "compute_without_migration",
            "Compute with all traffic on the large model",
            "currency",
            money,
            None,
            lambda c, p: f"{c('mau')}*{c('blended_cost')}",
        ),
        (
            "compute",
            "Compute (inference)",
            "currency",
            money,
            None,
            (lambda c, p: f"{c('compute_without_migration')}*IF({mig_on(c)},1-migration_saving,1)")
            if mig
            else (lambda c, p: c("compute_without_migration")),
        ),
        ("fixed_costs", "Fixed costs", "currency", money, None, path("fixed_costs")),
        (
            "migration_one_off",
            "One-time cost of the migration",
            "currency",
            money,
            None,
            (lambda c, p: f"IF(AND(ISNUMBER(migration_month),{c('month')}=migration_month),migration_cost,0)")
            if mig
            else (lambda c, p: "0"),
        ),
        (
            "net_burn",
            "Net burn, operating (negative = profit)",
            "currency",
            money,
            None,
            lambda c, p: (
                f"{c('ad_spend')}+{c('compute')}+{c('fixed_costs')}+{c('migration_one_off')}-{c('revenue')}"
            ),
        ),
        (
            "interest",
            "Interest on the opening cash",
            "currency",
            money,
            None,
            lambda c, p: f"{p('cash')}*monthly_interest_rate",
        ),
        ("funding", "Funding rounds", "currency", money, None, lambda c, p: c("funding_rounds")),
        (
            "cash",
            "Cash balance",
            "currency",
            money,
            "cash",
            lambda c, p: f"{p('cash')}-{c('net_burn')}+{c('interest')}+{c('funding')}",
        ),
        (
            "cash_negative",
            "Cash has gone below 0",
            "flag",
            flag,
            "FALSE()",
            lambda c, p: f"OR({p('cash_negative')},{c('cash')}<0)",
        ),
        (
            "runway_denominator",
            "Cash lost this month (net burn in a month without interest or funding)",
            "currency",
            money,
            None,
            lambda c, p: (
                f"IF(AND({c('interest')}=0,{c('funding')}=0),{c('net_burn')},{p('cash')}-{c('cash')})"
            ),
        ),
        (
            "runway_step",
            "Runway if cash runs out this month",
            "months",
            months,
            None,
            lambda c, p: (
                f"IF(AND({c('cash_negative')},NOT({p('cash_negative')})),({c('month')}-1)"
                f"+{p('cash')}/{c('runway_denominator')},0)"
            ),
        ),
        (
            "cash_without_funding",
            "Cash without the funding rounds",
            "currency",
            money,
            "cash",
            lambda c, p: (
                f"{p('cash_without_funding')}-{c('net_burn')}+{p('cash_without_funding')}"
                f"*monthly_interest_rate"
            ),
        ),
        (
            "cash_negative_without_funding",
            "Cash without the rounds has gone below 0",
            "flag",
            flag,
            "FALSE()",
            lambda c, p: f"OR({p('cash_negative_without_funding')},{c('cash_without_funding')}<0)",
        ),
        (
            "runway_step_without_funding",
            "Runway without the rounds if cash runs out this month",
            "months",
            months,
            None,
            lambda c, p: (
                f"IF(AND({c('cash_negative_without_funding')},NOT({p('cash_negative_without_funding')})),"
                f"({c('month')}-1)+{p('cash_without_funding')}/IF({p('cash_without_funding')}"
                f"*monthly_interest_rate=0,{c('net_burn')},{p('cash_without_funding')}"
                f"-{c('cash_without_funding')}),0)"
            ),
        ),
    ]
    if mig:
        rows += [
            (
                "net_burn_without_migration",
                "Net burn without the migration",
                "currency",
                money,
                None,
                lambda c, p: (
                    f"{c('ad_spend')}+{c('compute_without_migration')}+{c('fixed_costs')}"
                    f"-{c('revenue_before_loss')}"
                ),
            ),
            (
                "cash_without_migration",
                "Cash balance without the migration",
                "currency",
                money,
                "cash",
                lambda c, p: (
                    f"{p('cash_without_migration')}-{c('net_burn_without_migration')}"
                    f"+{p('cash_without_migration')}*monthly_interest_rate+{c('funding')}"
                ),
            ),
            (
                "cash_negative_without_migration",
                "Cash without the migration has gone below 0",
                "flag",
                flag,
                "FALSE()",
                lambda c, p: f"OR({p('cash_negative_without_migration')},{c('cash_without_migration')}<0)",
            ),
            (
                "runway_step_without_migration",
                "Runway without the migration if cash runs out this month",
                "months",
                months,
                None,
                lambda c, p: (
                    f"IF(AND({c('cash_negative_without_migration')},NOT({p('cash_negative_without_migration')})),"
                    f"({c('month')}-1)+{p('cash_without_migration')}/IF(AND({p('cash_without_migration')}"
                    f"*monthly_interest_rate=0,{c('funding')}=0),{c('net_burn_without_migration')},"
                    f"{p('cash_without_migration')}-{c('cash_without_migration')}),0)"
                ),
            ),
            (
                "plan_migration_pv",
                "The migration's saving this month, discounted",
                "currency",
                money,
                None,
                lambda c, p: (
                    f"({c('net_burn_without_migration')}-{c('net_burn')})/(1+monthly_discount_rate)"
                    f"^{c('month')}"
                ),
            ),
            (
                "plan_migration_cum",
                "The migration's cumulative NPV",
                "currency",
                money,
                0,
                lambda c, p: f"{p('plan_migration_cum')}+{c('plan_migration_pv')}",
            ),
            (
                "plan_migration_back",
                "The migration has paid back",
                "flag",
                flag,
                "FALSE()",
                lambda c, p: (
                    f"OR({p('plan_migration_back')},AND(ISNUMBER(migration_month),{c('month')}>=migration_month,"
                    f"{c('plan_migration_cum')}>=0))"
                ),
            ),
            (
                "plan_migration_step",
                "Payback month if it pays back this month",
                "month",
                S.FORMATS["month"],
                None,
                lambda c, p: (
                    f"IF(AND({c('plan_migration_back')},NOT({p('plan_migration_back')})),{c('month')},0)"
                ),
            ),
        ]
    rows += [
        ("short", "Cash below min_cash", "flag", flag, None, lambda c, p: f"{c('cash')}<min_cash"),
        (
            "funding_gap",
            "Round needed in funding_month to keep this month at min_cash",
            "currency",
            money,
            None,
            lambda c, p: (
                f"IF(AND(ISNUMBER(funding_month),{c('month')}>=funding_month),(min_cash-{c('cash')})"
                f"/(1+monthly_interest_rate)^({c('month')}-funding_month),0)"
            ),
        ),
        (
            "loss_month",
            "Month with an operating loss (one-offs aside)",
            "month",
            S.FORMATS["month"],
            None,
            lambda c, p: f"IF({c('net_burn')}-{c('migration_one_off')}>0,{c('month')},0)",
        ),
    ]
    if getattr(b, "company", False):  # the whole company: payroll, credits, terms, tax, capex (version 4)
        rows = with_company(rows)
    if getattr(b, "stocks", False):  # payers as their own stock (version 4): two stocks, annual billings
        rows = with_stocks(rows)
    return rows
