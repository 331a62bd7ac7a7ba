"""Hypothesis strategies for the valid input space of the model."""

from hypothesis import strategies as st


def _floats(lo, hi, **kw):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, **kw)


fraction = _floats(0, 1)
share = _floats(1e-3, 1)
churn = _floats(0, 1)
churn_pos = _floats(0.005, 1)
growth = _floats(-0.3, 0.3)
annual_rate = _floats(0, 0.5)
money = _floats(0, 1e7)
price = _floats(0, 200)
tokens = _floats(0, 1e7)
positive = _floats(0.01, 1e4)
months = st.integers(1, 240)
margin = _floats(-5, 1)


@st.composite
def projection_inputs(draw, horizon=st.integers(1, 120)):
    return dict(
        cash=draw(_floats(-1e6, 1e9)),
        mau=draw(_floats(0, 1e7)),
        ad_spend=draw(_floats(0, 1e7)),
        cac=draw(positive),
        churn=draw(churn),
        conversion=draw(fraction),
        arppu=draw(_floats(0, 100)),
        cost_per_mau=draw(_floats(0, 20)),
        fixed_costs=draw(_floats(0, 1e7)),
        paid_share=draw(share),
        ad_growth=draw(growth),
        cost_decline=draw(fraction),
        horizon=draw(horizon),
    )


@st.composite
def projection_v2_inputs(draw, horizon=st.integers(1, 120)):
    """Version-2 inputs: organic inflow, CAC elasticity, paying-user cost, a migration month."""
    kw = draw(projection_inputs(horizon))
    if draw(st.booleans()):
        kw["paid_share"] = 1.0
        kw["organic_users"] = draw(_floats(0, 1e6))
        kw["organic_growth"] = draw(growth)
    kw["cac_elasticity"] = draw(fraction)
    if draw(st.booleans()):
        kw["paying_cost_per_mau"] = draw(_floats(0, 100))
    if draw(st.booleans()):
        kw["migration_month"] = draw(st.integers(1, 130))
        kw["large_price"] = draw(_floats(0.01, 200))
        kw["small_price"] = draw(_floats(0, 200))
        kw["routed_share"] = draw(fraction)
        kw["migration_cost"] = draw(money)
    return kw


@st.composite
def migration_inputs(draw):
    return dict(
        monthly_tokens=draw(_floats(0, 1e12)),
        large_price=draw(price),
        small_price=draw(price),
        migration_cost=draw(money),
        months=draw(st.integers(1, 60)),
        annual_discount_rate=draw(annual_rate),
        routed_share=draw(fraction),
        token_growth=draw(growth),
        price_decline=draw(fraction),
        monthly_revenue=draw(money),
        revenue_loss=draw(fraction),
    )


@st.composite
def unit_inputs(draw):
    return dict(
        cac=draw(positive),
        paid_share=draw(share),
        churn=draw(churn_pos),
        conversion=draw(_floats(1e-3, 1)),
        arppu=draw(_floats(0.01, 500)),
        cost_per_mau=draw(_floats(0, 50)),
        annual_discount_rate=draw(annual_rate),
    )


#: a change's level for each driver that can change over time (within its rule)
CHANGE_LEVELS = {
    "ad_spend": _floats(0, 1e7),
    "cac": positive,
    "paid_share": share,
    "activation": share,
    "churn": churn,
    "conversion": fraction,
    "arppu": _floats(0, 100),
    "cost_per_mau": _floats(0, 20),
    "paying_cost_per_mau": _floats(0, 100),
    "fixed_costs": _floats(0, 1e7),
    "organic_users": _floats(0, 1e6),
}


@st.composite
def plan_inputs(draw, horizon=st.integers(1, 72)):
    """Version-3 inputs: a version-2 scenario plus activation, fees, VAT, interest, growth of usage and fixed
    costs, a cash buffer, a raise month, changes on random drivers and months, and funding rounds."""
    kw = draw(projection_v2_inputs(horizon))
    h = kw["horizon"]
    if (
        0 < kw["ad_spend"] < 1e-6
    ):  # a subnormal spend against a cac_spend of 1: CAC underflows (an overflow error)
        kw["ad_spend"] = 0.0
    kw.update(
        activation=draw(share),
        store_fee=draw(_floats(0, 0.5)),
        vat=draw(_floats(0, 0.3)),
        interest_rate=draw(st.sampled_from([0.0, 0.05]) | _floats(-0.5, 0.5)),
        usage_growth=draw(growth),
        fixed_cost_growth=draw(_floats(-0.1, 0.1)),
        min_cash=draw(money),
        annual_discount_rate=draw(annual_rate),
    )
    if "migration_month" in kw:
        kw["revenue_loss"] = draw(fraction)
    if draw(st.booleans()):
        kw["cac_spend"] = draw(_floats(1, 1e7))
    elif kw["cac_elasticity"] > 0 and kw["ad_spend"] == 0:
        kw["cac_elasticity"] = 0.0  # the default cac_spend (ad_spend) is 0: no elasticity without one
    if draw(st.booleans()):
        kw["raise_month"] = draw(st.integers(1, h))
    drivers = [d for d in CHANGE_LEVELS if d != "organic_users" or "organic_users" in kw]
    if "organic_users" in kw:
        drivers.remove("paid_share")  # paid_share stays 1 with organic users
    changes, seen = [], set()
    for _ in range(draw(st.integers(0, 5))):
        month, driver = draw(st.integers(1, h)), draw(st.sampled_from(drivers))
        if (month, driver) in seen:
            continue
        seen.add((month, driver))
        level = draw(CHANGE_LEVELS[driver])
        changes.append({"month": month, driver: 0.0 if driver == "ad_spend" and level < 1e-6 else level})
    kw["changes"] = changes
    kw["funding"] = [
        {"month": draw(st.integers(1, h)), "amount": draw(money)} for _ in range(draw(st.integers(0, 3)))
    ]
    return kw


@st.composite
def retention_curves(draw, k=st.integers(2, 12), first=st.sampled_from([1.0]) | _floats(0.05, 1)):
    """A retention curve r_1..r_k whose tail decays (q < 1): each share in (0, 1], month 1 as ``first`` (below 1:
    measured on sign-ups), then month-on-month ratios that may rise early but end below 1 over the last months."""
    n = draw(k)
    r = [draw(first)]
    for a in range(1, n):
        late = a >= n - 3
        ratio = draw(_floats(0.05, 0.999) if late else _floats(0.05, 1.2))
        r.append(min(1.0, max(r[-1] * ratio, 1e-6)))
    j = min(3, n - 1)
    if not (r[-1] / r[-1 - j]) ** (1 / j) < 1:  # capped at 1 or floored: make the last month decay
        r[-1] = r[-1 - j] * 0.9
    return r


@st.composite
def curve_plan_inputs(draw, horizon=st.integers(1, 72)):
    """A version-3 plan with a retention curve: the churn (of month 0's users) may be left to its default 1 - q;
    a curve measured on sign-ups holds the activation, so the scenario's own is 1 (changes may still set it)."""
    kw = draw(plan_inputs(horizon))
    kw["retention"] = draw(retention_curves())
    if kw["retention"][0] < 1:
        kw["activation"] = 1.0  # (a change of activation from a later month is still a decision of its own)
    if draw(st.booleans()):
        del kw["churn"]
    return kw


DEPARTMENTS = ("rd", "sm", "ga", "ops")


@st.composite
def company_inputs(draw, horizon=st.integers(1, 48)):
    """Version-4 inputs: a version-3 plan (without a retention curve) plus a team, capex, compute credits
    (opening and in rounds, with expiry), payment terms, tax with a loss pool, and sometimes a calendar whose
    fiscal years start in another month."""
    kw = draw(plan_inputs(horizon))
    h = kw["horizon"]
    kw["team"] = [
        {
            "role": f"role {i}",
            "department": draw(st.sampled_from(DEPARTMENTS)),
            "count": draw(_floats(0, 50)),
            "salary": draw(_floats(0, 1e5)),
            "from": (first := draw(st.integers(-2, h + 2))),
            "to": draw(st.integers(first, h + 6)),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    kw["capex"] = [
        {
            "month": draw(st.integers(1, h)),
            "amount": draw(money),
            "life": draw(st.integers(1, 60)),
            "name": f"c{i}",
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    kw.update(
        on_cost=draw(_floats(0, 2)),
        salary_growth=draw(_floats(-0.5, 0.5)),
        compute_terms=draw(st.integers(0, 3)),
        ad_terms=draw(st.integers(0, 3)),
        collection_lag=draw(st.integers(0, 3)),
        tax_rate=draw(st.sampled_from([0.0, 0.25]) | _floats(0, 0.99)),
        tax_losses=draw(st.sampled_from([0.0]) | money),
    )
    if draw(st.booleans()):
        kw["credits"] = draw(money)
        if draw(st.booleans()):
            kw["credits_expire"] = draw(st.integers(1, h + 12))
    for r in kw["funding"]:
        if draw(st.booleans()):
            r["credits"] = draw(money)
            if draw(st.booleans()):
                r["expires"] = draw(st.integers(1, 24))
    if draw(st.booleans()):
        kw["start"] = f"{draw(st.integers(2000, 2030))}-{draw(st.integers(1, 12)):02d}"
        kw["fiscal_year_start"] = draw(st.integers(1, 12))
    return kw
