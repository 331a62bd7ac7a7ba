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
