"""Independent reference implementations: plain Python loops over MODEL.md's equations.

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
    if x >= 1:
        return math.inf
    if churn == 1:
        return 0.0
    return math.log1p(-x) / math.log1p(-churn)


def project(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs=0.0,
            paid_share=1.0, ad_growth=0.0, cost_decline=0.0, horizon=60, **_):
    rows = {k: [] for k in ("month", "ad_spend", "new_users", "mau", "paying_users", "revenue",
                            "compute", "fixed_costs", "net_burn", "cash")}
    users, money = mau, cash
    for t in range(1, horizon + 1):
        ad = ad_spend * (1 + ad_growth) ** (t - 1)
        new = ad / cac / paid_share
        users = users * (1 - churn) + new
        paying = users * conversion
        revenue = paying * arppu
        compute = users * cost_per_mau * (1 - cost_decline) ** (t - 1)
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


def migration_flows(monthly_tokens, large_price, small_price, months, routed_share=1.0, token_growth=0.0,
                    price_decline=0.0, monthly_revenue=0.0, revenue_loss=0.0):
    out = []
    for t in range(1, months + 1):
        savings = (monthly_tokens * (1 + token_growth) ** (t - 1) * routed_share
                   * (large_price - small_price) * (1 - price_decline) ** (t - 1) / 1e6)
        out.append(savings - monthly_revenue * revenue_loss)
    return out


def migration_npv(monthly_tokens, large_price, small_price, migration_cost, months, annual_discount_rate, **kw):
    d = monthly_rate(annual_discount_rate)
    flows = migration_flows(monthly_tokens, large_price, small_price, months, **kw)
    return -migration_cost + excel_npv(d, flows)
