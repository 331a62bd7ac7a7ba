"""Independent reference implementations: plain Python loops over docs/model.md's equations.

Deliberately naive (no numpy, no closed forms) so that they cannot share a bug
with the vectorised engine.
"""

import math


def monthly_rate(annual):
    return (1 + annual) ** (1 / 12) - 1


def excel_npv(rate, values):
    # Excel NPV: value i (1-based) discounted i periods.
    total = 0.0
    for i, v in enumerate(values, start=1):
        total += v / (1 + rate) ** i
    return total


def ltv(arpu, gross_margin, churn, annual_discount_rate=0.0, months=None):
    m = arpu * gross_margin
    d = monthly_rate(annual_discount_rate)
    if months is None:
        # sum the series until it has converged
        total, t, surv = 0.0, 1, 1.0
        while True:
            term = m * surv / (1 + d) ** t
            total += term
            if abs(term) <= 1e-17 * abs(total) or t > 200_000:
                return total
            surv *= 1 - churn
            t += 1
    return sum(m * (1 - churn) ** (t - 1) / (1 + d) ** t for t in range(1, months + 1))


def payback_months(cac, arpu, gross_margin, churn=0.0):
    m = arpu * gross_margin
    if m <= 0:
        return math.inf
    if churn == 0:
        return cac / m
    x = cac * churn / m
    if churn < 1e-8:  # x exactly, as a fraction of the floats given (cac*churn may be subnormal)
        from fractions import Fraction

        if Fraction(cac) * Fraction(churn) / Fraction(m) >= 1:
            return math.inf
    elif x >= 1:
        return math.inf
    if churn == 1:
        return 0.0
    if churn < 1e-8:
        # in 1100-digit decimals, where cac*churn keeps its digits even for a subnormal churn
        from decimal import Decimal, localcontext

        with localcontext() as ctx:
            ctx.prec = 1100  # 1 - x keeps ~100 digits of x even at x = 5e-324 * 5e-324 / 1e308
            c, xd = Decimal(churn), Decimal(cac) * Decimal(churn) / Decimal(m)
            return float((1 - xd).ln() / (1 - c).ln())
    return math.log1p(-x) / math.log1p(-churn)


def project(
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs=0.0,
    paid_share=1.0,
    ad_growth=0.0,
    cost_decline=0.0,
    horizon=60,
    organic_users=None,
    organic_growth=0.0,
    cac_elasticity=0.0,
    paying_cost_per_mau=None,
    migration_month=None,
    routed_share=1.0,
    large_price=None,
    small_price=None,
    migration_cost=0.0,
    **_,
):
    """docs/model.md, version 2, line by line, in its own literal form."""
    rows = {
        k: []
        for k in (
            "month",
            "ad_spend",
            "paid_new_users",
            "organic_new_users",
            "new_users",
            "mau",
            "paying_users",
            "revenue",
            "compute",
            "fixed_costs",
            "migration_one_off",
            "net_burn",
            "cash",
        )
    }
    pc = cost_per_mau if paying_cost_per_mau is None else paying_cost_per_mau
    users, money = mau, cash
    for t in range(1, horizon + 1):
        ad = ad_spend * (1 + ad_growth) ** (t - 1)
        cac_t = (
            cac if ad == 0 else cac * (ad / ad_spend) ** cac_elasticity
        )  # no spend this month: no paid users
        paid = ad / cac_t
        if organic_users is not None:
            organic = organic_users * (1 + organic_growth) ** (t - 1)
        else:
            organic = paid * (1 / paid_share - 1)
        new = paid + organic
        users = users * (1 - churn) + new
        paying = users * conversion
        revenue = paying * arppu
        migrated = migration_month is not None and t >= migration_month
        saving = routed_share * (1 - small_price / large_price) if migration_month is not None else 0.0
        compute = (
            ((users - paying) * cost_per_mau + paying * pc)
            * (1 - cost_decline) ** (t - 1)
            * (1 - saving * migrated)
        )
        one_off = migration_cost if migration_month is not None and t == migration_month else 0.0
        burn = ad + compute + fixed_costs + one_off - revenue
        money = money - burn
        for k, v in zip(
            rows,
            (t, ad, paid, organic, new, users, paying, revenue, compute, fixed_costs, one_off, burn, money),
        ):
            rows[k].append(float(v))
    return rows


def project_v1(
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs=0.0,
    paid_share=1.0,
    ad_growth=0.0,
    cost_decline=0.0,
    horizon=60,
    **_,
):
    """Version 1 as it was, operation for operation, to prove version 2's defaults change no bit."""
    rows = {
        k: []
        for k in (
            "month",
            "ad_spend",
            "new_users",
            "mau",
            "paying_users",
            "revenue",
            "compute",
            "fixed_costs",
            "net_burn",
            "cash",
        )
    }
    import numpy as np

    growth = np.float64(1.0)
    decline = np.float64(1.0)
    users, money = np.float64(mau), np.float64(cash)
    for t in range(1, horizon + 1):
        if t > 1:  # the engine builds powers month by month: one multiplication a month
            growth = growth * (1 + np.float64(ad_growth))
            decline = decline * (1 - np.float64(cost_decline))
        ad = ad_spend * growth
        new = ad / cac / paid_share
        users = users * (1 - churn) + new
        paying = users * conversion
        revenue = paying * arppu
        compute = users * cost_per_mau * decline
        burn = ad + compute + fixed_costs - revenue
        money = money - burn
        for k, v in zip(rows, (t, ad, new, users, paying, revenue, compute, fixed_costs, burn, money)):
            rows[k].append(float(v))
    return rows


def runway_months(cash, **kw):
    if cash <= 0:
        return 0.0
    rows = project(cash=cash, **kw)
    prev = cash
    for t, (c, b) in enumerate(zip(rows["cash"], rows["net_burn"]), start=1):
        if c < 0:
            return (t - 1) + prev / b
        prev = c
    return math.inf


def migration_flows(
    monthly_tokens,
    large_price,
    small_price,
    months,
    routed_share=1.0,
    token_growth=0.0,
    price_decline=0.0,
    monthly_revenue=0.0,
    revenue_loss=0.0,
):
    out = []
    for t in range(1, months + 1):
        savings = (
            monthly_tokens
            * (1 + token_growth) ** (t - 1)
            * routed_share
            * (large_price - small_price)
            * (1 - price_decline) ** (t - 1)
            / 1e6
        )
        out.append(savings - monthly_revenue * revenue_loss)
    return out


def migration_npv(
    monthly_tokens, large_price, small_price, migration_cost, months, annual_discount_rate, **kw
):
    d = monthly_rate(annual_discount_rate)
    flows = migration_flows(monthly_tokens, large_price, small_price, months, **kw)
    return -migration_cost + excel_npv(d, flows)
