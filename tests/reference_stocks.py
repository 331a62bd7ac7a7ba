"""A plain-loop reading of "Payers as their own stock" (model version 4): free users and payers, annual billings
recognised over their paid year, deferred revenue, receivables at a collection lag and the cash.

Written from the model's definitions, not from xlmodel's code: one scalar month at a time, the annual billings a
list of (month, size, revenue factor) searched again every month. Drivers are flat but for ad spend and the three
stock drivers, which follow their changes; costs do not grow. A migration saves compute and loses revenue from its
month (each billing keeps its month's loss).
"""

import math


def level(s, changes, driver, t, default=None):
    """The driver's level in month t: its latest change at or before t, else the scenario's value."""
    value = s.get(driver, default)
    for c in sorted(changes, key=lambda c: c["month"]):
        if c["month"] <= t and driver in c:
            value = c[driver]
    return value


def two_stocks(s, changes=(), horizon=24):
    """Every line of the plan, each a list over months 1..horizon."""
    g = lambda k, d=0.0: d if s.get(k) is None else s[k]
    i = (1 + g("interest_rate")) ** (1 / 12) - 1
    vat, fee = g("vat"), g("store_fee")
    net = lambda price: price / (1 + vat) * (1 - fee)
    cost, pcost = s["cost_per_mau"], g("paying_cost_per_mau", s["cost_per_mau"])
    mm = s.get("migration_month")
    saving = 0.0
    if mm is not None:
        saving = g("routed_share", 1.0) * (1 - s["small_price"] / s["large_price"])
    lag = int(g("collection_lag"))
    free = s["mau"] * (1 - s["conversion"])
    monthly = s["mau"] * s["conversion"]
    billings = []  # [month, size, f]
    cash, deferred = s["cash"], 0.0
    billed_by_month = []
    names = ("free_users monthly_payers annual_payers new_payers renewals payer_share billed_revenue revenue "
             "deferred_revenue mau paying_users compute net_burn receivables cash").split()  # fmt: skip
    rows = {n: [] for n in names}
    ar_prev = None
    for t in range(1, horizon + 1):
        ad = level(s, changes, "ad_spend", t)
        new = ad / s["cac"] / g("paid_share", 1.0)
        arriving = g("activation", 1.0) * new
        c = s["churn"]
        u = level(s, changes, "upgrade", t)
        pc = level(s, changes, "paying_churn", t)
        a = level(s, changes, "annual_share", t, 0.0)
        up = free * (1 - c) * u
        free = free * (1 - c) * (1 - u) + arriving
        monthly = monthly * (1 - pc) + (1 - a) * up
        renewed = g("annual_renewal") * sum(size for b, size, _ in billings if b == t - 12)
        on = mm is not None and t >= mm
        f = 1 - g("revenue_loss") if on else 1.0
        billings.append((t, a * up + renewed, f))
        active = [(b, size, fb) for b, size, fb in billings if b <= t <= b + 11]
        annual = sum(size for _, size, _ in active)
        payers = monthly + annual
        mau = free + payers
        monthly_rev = monthly * net(s["arppu"]) * f
        recognised = monthly_rev + sum(size * net(g("annual_price")) / 12 * fb for _, size, fb in active)
        billed = monthly_rev + sum(size * net(g("annual_price")) * fb for b, size, fb in billings if b == t)
        deferred_prev, deferred = deferred, deferred + billed - recognised
        compute = (free * cost + payers * pcost) * (1 - saving * on)
        one_off = g("migration_cost") if t == mm else 0.0
        burn = ad + compute + g("fixed_costs") + one_off - recognised
        billed_by_month.append(billed)
        if ar_prev is None:  # receivables before month 1: month 1's monthly plans only
            ar_prev, first = lag * monthly_rev, monthly_rev
        before = [first] * max(0, lag - t)
        ar = sum(before + billed_by_month[max(0, t - lag) : t]) if lag else 0.0
        cash = cash - burn + cash * i - (ar - ar_prev) + (deferred - deferred_prev)
        ar_prev = ar
        values = dict(
            free_users=free,
            monthly_payers=monthly,
            annual_payers=annual,
            new_payers=up,
            renewals=renewed,
            payer_share=payers / mau if mau > 0 else math.nan,
            billed_revenue=billed,
            revenue=recognised,
            deferred_revenue=deferred,
            mau=mau,
            paying_users=payers,
            compute=compute,
            net_burn=burn,
            receivables=ar,
            cash=cash,
        )
        for n in names:
            rows[n].append(values[n])
    return rows


def ltv_by_cohorts(
    churn, upgrade, paying_churn, annual_share, renewal, cost, pcost, m, net_a, d, months=6000
):
    """The LTV of a sign-up as a direct cohort sum: free for its first months, then each month's upgrades split
    into a monthly cohort (leaving at paying_churn) and an annual one (a year paid, renewed at each anniversary),
    every month's contribution discounted to month 0, summed over ``months`` (the inputs the tests draw leave a
    remainder far below 1e-12 by then)."""
    import numpy as np

    t = np.arange(1, months + 1)
    free = ((1 - churn) * (1 - upgrade)) ** (t - 1.0)
    ups = np.concatenate(
        [[0.0], free[:-1] * (1 - churn) * upgrade]
    )  # the upgrades of month t (none in month 1)
    j = np.arange(months)
    monthly = np.convolve(ups, (1 - paying_churn) ** j)[:months] * (1 - annual_share)
    annual = np.convolve(ups, renewal ** (j // 12).astype(float))[:months] * annual_share
    flow = -free * cost + monthly * (m - pcost) + annual * (net_a / 12 - pcost)
    return float(np.sum(flow / (1 + d) ** t))
