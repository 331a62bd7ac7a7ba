"""Payers as their own stock (docs/model.md, "Payers as their own stock"): free users and payers, annual plans,
billed and recognised revenue, deferred revenue, the chain's LTV and payback.

Oracles: tests/reference_stocks.py (a plain loop written from the model's definitions, and a direct cohort sum of
the LTV), version 1's closed forms, and the identities the model promises.
"""

import json
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel.closed_form import ltv as closed_ltv
from xlmodel.closed_form import monthly_rate
from xlmodel.errors import InputError
from xlmodel.payer_ltv import chain_ltv, chain_payback, ltv_stocks
from xlmodel.payers import STOCK_ROWS
from xlmodel.statements import statements
from xlmodel.udfs import LLM_LTV_STOCKS, LLM_PLAN

from . import reference_stocks as ref
from . import strategies as S

BASE = dict(
    cash=6e8,
    mau=2e6,
    ad_spend=2e7,
    cac=25.0,
    paid_share=0.7,
    churn=0.35,
    conversion=0.03,
    arppu=30.0,
    cost_per_mau=0.6,
    fixed_costs=1.5e7,
)
ANNUAL = dict(paying_churn=0.08, upgrade=0.01, annual_share=0.3, annual_price=399.0, annual_renewal=0.5)

rate = st.floats(0, 0.9)
small = st.floats(0, 0.3)
HORIZON = st.integers(1, 40)


@st.composite
def stock_plans(draw, horizon=HORIZON):
    """A two-stock plan: the version-3 drivers the reference carries, the stock inputs (annual plans or not) and
    changes of ad spend, upgrade, paying_churn and annual_share on random months; sometimes a migration that loses
    revenue, interest and a collection lag."""
    h = draw(horizon)
    s = dict(
        cash=draw(st.floats(-1e8, 1e9)),
        mau=draw(st.floats(0, 1e7)),
        ad_spend=draw(st.floats(0, 1e8)),
        cac=draw(st.floats(0.5, 100)),
        paid_share=draw(st.floats(0.05, 1)),
        churn=draw(rate),
        conversion=draw(st.floats(0, 1)),
        arppu=draw(st.floats(0, 100)),
        cost_per_mau=draw(st.floats(0, 5)),
        fixed_costs=draw(st.floats(0, 1e8)),
        activation=draw(st.floats(0.05, 1)),
        vat=draw(st.floats(0, 0.3)),
        store_fee=draw(st.floats(0, 0.5)),
        paying_churn=draw(rate),
        upgrade=draw(small),
        collection_lag=draw(st.integers(0, 3)),
        interest_rate=draw(st.sampled_from([0.0, 0.05])),
    )
    if draw(st.booleans()):
        s["paying_cost_per_mau"] = draw(st.floats(0, 5))
    annual = draw(st.booleans())
    if annual:
        s.update(annual_share=draw(st.floats(0, 1)), annual_price=draw(st.floats(1, 1000)))
        if draw(st.booleans()):
            s["annual_renewal"] = draw(st.floats(0, 1))
    if draw(st.booleans()):
        s.update(
            migration_month=draw(st.integers(1, h)),
            large_price=10.0,
            small_price=draw(st.floats(0, 10)),
            revenue_loss=draw(st.floats(0, 0.5)),
            migration_cost=draw(st.floats(0, 1e7)),
        )
    drivers = ["ad_spend", "upgrade", "paying_churn"] + (["annual_share"] if annual else [])
    levels = dict(ad_spend=st.floats(0, 1e8), upgrade=small, paying_churn=rate, annual_share=st.floats(0, 1))
    changes, seen = [], set()
    for _ in range(draw(st.integers(0, 4))):
        month, driver = draw(st.integers(1, h)), draw(st.sampled_from(drivers))
        if (month, driver) not in seen:
            seen.add((month, driver))
            changes.append({"month": month, driver: draw(levels[driver])})
    return s, changes, h


def _lines(p):
    return {
        **p.stocks,
        **p.company,
        "revenue": p.revenue,
        "mau": p.mau,
        "paying_users": p.paying_users,
        "compute": p.compute,
        "net_burn": p.net_burn,
        "cash": p.cash,
    }


@settings(max_examples=150, deadline=None)
@given(stock_plans())
def test_every_line_agrees_with_the_plain_loop(plan):
    s, changes, h = plan
    want = ref.two_stocks(s, changes, h)
    got = _lines(xm.plan(**s, changes=changes, horizon=h).projection)
    money = max(
        1.0, abs(s["cash"]), *(abs(x) for k in ("net_burn", "billed_revenue", "compute") for x in want[k])
    )
    users = max(1.0, *(abs(x) for x in want["mau"]))
    for name, w in want.items():
        g, w = np.asarray(got[name], dtype=float), np.asarray(w, dtype=float)
        if name == "payer_share":
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=name)
            continue
        scale = users if name in ("free_users", "monthly_payers", "annual_payers", "new_payers", "renewals",
                                  "mau", "paying_users") else money * h  # fmt: skip
        assert np.max(np.abs(g - w), initial=0.0) <= 1e-9 * scale, name


@settings(max_examples=100, deadline=None)
@given(stock_plans())
def test_deferred_revenue_is_never_negative_and_the_balance_holds(plan):
    s, changes, h = plan
    p = xm.plan(**s, changes=changes, horizon=h)
    assert np.all(p.projection.company["deferred_revenue"] >= 0)
    assert p.outputs["balance_ok"] is True
    st_ = statements(p.projection, s["cash"])
    assert st_["balance_ok"].all()
    # the cash-flow statement's closing cash is the plan's cash
    np.testing.assert_allclose(
        st_["closing_cash"], p.projection.cash, rtol=1e-9, atol=1e-6 * max(1, abs(s["cash"]))
    )


@st.composite
def company_stock_plans(draw):
    """The whole company (team, capex, credits, terms, tax) with two stocks and annual plans."""
    kw = draw(S.company_inputs())
    kw.pop("retention", None)
    kw["changes"] = [c for c in kw["changes"] if "conversion" not in c]
    kw.update(paying_churn=draw(rate), upgrade=draw(small), annual_share=draw(st.floats(0, 1)))
    kw.update(annual_price=draw(st.floats(1, 1000)), annual_renewal=draw(st.floats(0, 1)))
    return kw


@settings(max_examples=100, deadline=None)
@given(company_stock_plans())
def test_the_balance_check_holds_for_the_whole_company_with_annual_plans(kw):
    p = xm.plan(**kw)
    assert p.outputs["balance_ok"] is True
    assert np.all(p.projection.company["deferred_revenue"] >= 0)


@settings(max_examples=100, deadline=None)
@given(stock_plans(), st.floats(0, 0.3))
def test_with_one_churn_and_no_annual_plans_mau_is_the_one_stock_mau_for_any_upgrade(plan, upgrade):
    s, changes, h = plan
    s = {k: v for k, v in s.items() if not k.startswith("annual")}
    changes = [c for c in changes if "ad_spend" in c]  # the churns stay one
    one = xm.project(**{k: v for k, v in s.items() if k not in ("paying_churn", "upgrade")}, changes=changes,
                     horizon=h).mau  # fmt: skip
    two = xm.project(**dict(s, paying_churn=s["churn"], upgrade=upgrade), changes=changes, horizon=h).mau
    np.testing.assert_allclose(two, one, rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e7), rate, st.floats(0, 1), st.integers(1, 60))
def test_without_sign_ups_or_upgrades_the_payer_share_stays_at_conversion(mau, churn, conversion, h):
    s = dict(BASE, mau=mau, churn=churn, conversion=conversion, ad_spend=0.0, paying_churn=churn, upgrade=0.0)
    share = xm.plan(**s, horizon=h).projection.stocks["payer_share"]
    if mau * (1 - churn) ** h > 1e-300:
        np.testing.assert_allclose(share, conversion, rtol=1e-12, atol=1e-15)


def test_with_annual_plans_every_payer_is_counted_and_the_cash_comes_first():
    """Month 1 collects the year's prepayments; revenue is recognised over twelve months; the renewals arrive in
    month 13, so that month bills more than it recognises again."""
    p = xm.plan(**BASE, **ANNUAL, horizon=36).projection
    st_ = p.stocks
    np.testing.assert_allclose(p.paying_users, st_["monthly_payers"] + st_["annual_payers"], rtol=1e-15)
    np.testing.assert_allclose(p.mau, st_["free_users"] + p.paying_users, rtol=1e-15)
    assert st_["billed_revenue"][0] > p.revenue[0]
    assert np.all(st_["renewals"][:12] == 0) and st_["renewals"][12] > 0
    assert st_["renewals"][12] == pytest.approx(
        ANNUAL["annual_renewal"] * 0.3 * st_["new_payers"][0], rel=1e-12
    )


def test_billed_equals_recognised_over_a_closed_cohorts_life_and_deferred_returns_to_0():
    """One month of sign-ups, every payer annual, no renewal: once the last paid year ends, everything billed has
    been recognised and nothing is deferred."""
    s = dict(
        BASE, mau=0.0, conversion=0.0, paying_churn=0.1, upgrade=0.2, annual_share=1.0, annual_price=399.0
    )
    changes = [{"month": 2, "ad_spend": 0.0}, {"month": 20, "annual_share": 0.0, "upgrade": 0.0}]
    p = xm.plan(**s, changes=changes, horizon=40).projection
    deferred = p.company["deferred_revenue"]
    assert np.all(deferred >= 0) and deferred[5] > 0
    assert np.all(deferred[31:] == 0)  # the last billing (month 19) is recognised by month 30
    assert np.all(p.stocks["annual_payers"][31:] == 0)
    billed, recognised = p.stocks["billed_revenue"].sum(), p.revenue.sum()
    assert billed == pytest.approx(recognised, rel=1e-12)


def test_the_chain_with_one_state_is_version_1s_ltv():
    m, pc, d = 25.0, 0.07, monthly_rate(0.12)
    # a new payer on monthly plans only: one state, m / (c + d)
    got = float(chain_ltv(0.4, 0.05, pc, 0.0, 0.0, 0.0, 1.0, m + 1.0, 0.0, d, start="payer"))
    assert got == pytest.approx(closed_ltv(m, 1.0, pc, 0.12), rel=1e-12, abs=1e-12)
    # a sign-up who never upgrades: -cost / (churn + d)
    assert float(chain_ltv(0.4, 0.0, pc, 0.3, 0.5, 0.6, 1.0, 30, 300, d)) == pytest.approx(
        -0.6 / (0.4 + d), rel=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.05, 0.9),
    st.floats(0, 0.5),
    st.floats(0.02, 0.9),
    st.floats(0, 1),
    st.floats(0, 0.9),
    st.floats(0, 2),
    st.floats(0, 3),
    st.floats(0, 60),
    st.floats(0, 800),
    st.sampled_from([0.0, 0.1]) | st.floats(0, 0.3),
)
def test_the_chain_with_annual_plans_is_the_direct_cohort_sum(
    c, u, pc, a, ren, cost, pcost, m, net_a, annual
):
    d = monthly_rate(annual)
    want = ref.ltv_by_cohorts(c, u, pc, a, ren, cost, pcost, m, net_a, d)
    got = float(chain_ltv(c, u, pc, a, ren, cost, pcost, m, net_a, d))
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_the_two_state_chain_has_its_closed_form():
    """annual_share = 0: x_m = r_m / (pc + d), x_f = (r_f + (1 - c) u x_m) / (1 + d - (1 - c)(1 - u))."""
    c, u, pc, cost, pcost, m, d = 0.35, 0.02, 0.08, 0.6, 1.2, 27.0, 0.01
    x_m = (m - pcost) / (pc + d)
    x_f = (-cost + (1 - c) * u * x_m) / (1 + d - (1 - c) * (1 - u))
    assert float(chain_ltv(c, u, pc, 0.0, 0.0, cost, pcost, m, 0.0, d)) == pytest.approx(x_f, rel=1e-12)


def test_an_unbounded_chain_is_an_error_or_na():
    with pytest.raises(InputError, match="unbounded"):
        ltv_stocks(churn=0.3, upgrade=0.1, paying_churn=0.0, arppu=30, cost_per_mau=0.5)
    assert np.isnan(chain_ltv(0.3, 0.1, 0.1, 0.5, 1.0, 0.5, 0.5, 30, 300, 0.0))  # annual_renewal 1
    assert not np.isnan(chain_ltv(0.3, 0.1, 0.1, 0.5, 1.0, 0.5, 0.5, 30, 300, 0.01))  # discounted: bounded
    assert np.isnan(chain_ltv(0.0, 0.0, 0.1, 0.0, 0.0, 0.5, 0.5, 30, 300, 0.0))  # churn 0 without upgrades
    out = xm.engine.summary({**BASE, "paying_churn": 0.0, "upgrade": 0.1, "horizon": 12})
    assert out["ltv"] is None and out["ltv_payer"] is None


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0, 200),
    st.floats(0.05, 0.9),
    st.floats(0, 0.5),
    st.floats(0.02, 0.9),
    st.floats(0, 1),
    st.floats(0, 0.95),
    st.floats(0, 2),
    st.floats(0, 60),
    st.floats(0, 800),
)
def test_the_payback_is_the_first_month_the_cumulative_contribution_reaches_the_cac(cac, c, u, pc, a, ren, cost,
                                                                                     m, net_a):  # fmt: skip
    t = np.arange(1, 1201)
    free = ((1 - c) * (1 - u)) ** (t - 1.0)
    ups = np.concatenate([[0.0], free[:-1] * (1 - c) * u])
    j = np.arange(1200)
    monthly = np.convolve(ups, (1 - pc) ** j)[:1200] * (1 - a)
    annual = np.convolve(ups, ren ** (j // 12).astype(float))[:1200] * a
    cum = np.cumsum(-free * cost + monthly * (m - cost) + annual * (net_a / 12 - cost))
    got = float(chain_payback(cac, c, u, pc, a, ren, cost, cost, m, net_a))
    if cac <= 0:
        assert got == 0
        return
    hit = np.flatnonzero(cum >= cac)
    near = hit.size and abs(cum[hit[0]] - cac) <= 1e-9 * max(1.0, cac)  # rounding decides a tie: either month
    if hit.size and not near:
        assert got == hit[0] + 1
    elif not hit.size:
        assert math.isinf(got) or abs(cum.max() - cac) <= 1e-9 * max(1.0, cac)


def test_calc_shows_the_payers_and_json_every_month(tmp_path):
    from click.testing import CliRunner

    from xlmodel.cli import main

    f = tmp_path / "p.toml"
    lines = [f"{k} = {v!r}" for k, v in {**BASE, **ANNUAL}.items()]
    f.write_text('[model]\nhorizon = 24\nstart = "2025-01"\n[scenarios.base]\n' + "\n".join(lines) + "\n")
    r = CliRunner().invoke(main, ["calc", str(f), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    monthly = doc["statements"]["monthly"]
    for name in STOCK_ROWS + ("deferred_revenue", "revenue"):
        assert len(monthly[name]) == 24, name
    assert doc["outputs"]["ltv_payer"] > doc["outputs"]["ltv"]
    assert doc["outputs"]["balance_ok"] is True
    renewals = [q["renewals"] for q in doc["statements"]["quarters"]]
    assert renewals[:4] == [0, 0, 0, 0] and renewals[4] > 0  # the renewal cliff, in its quarter
    text = CliRunner().invoke(main, ["calc", str(f), "--quarterly"]).output
    assert "annual renewals" in text and "deferred revenue (end)" in text


BAD = [
    ({"paying_churn": 0.1}, "upgrade is required with paying_churn"),
    ({"upgrade": 0.1}, "paying_churn is required with upgrade"),
    ({"annual_share": 0.2}, "annual_share needs two stocks"),
    (
        {"paying_churn": 0.1, "upgrade": 0.01, "annual_share": 0.2},
        "annual_price is required when annual_share",
    ),
    ({**ANNUAL, "annual_renewal": 1.5}, "annual_renewal must be between 0 and 1"),
    ({"paying_churn": 0.1, "upgrade": 0.01, "retention": [1.0, 0.5, 0.4]}, "choose one"),
    (
        {"paying_churn": 0.1, "upgrade": 0.01, "changes": [{"month": 3, "conversion": 0.05}]},
        "conversion cannot change",
    ),
    ({"changes": [{"month": 3, "upgrade": 0.05}]}, "upgrade changes only in a scenario with two stocks"),
]


@pytest.mark.parametrize("extra, message", BAD)
def test_bad_input_is_one_line_exit_2_and_the_same_in_excel(tmp_path, extra, message):
    from click.testing import CliRunner

    from xlmodel.cli import main

    with pytest.raises(InputError, match=message):
        xm.plan(**BASE, **extra, horizon=12)
    lines = [f"{k} = {v!r}" for k, v in {**BASE, **extra}.items() if k != "changes"]
    for c in extra.get("changes", ()):
        lines += ["[[scenarios.base.changes]]"] + [f"{k} = {v!r}" for k, v in c.items()]
    f = tmp_path / "bad.toml"
    f.write_text("[model]\nhorizon = 12\n[scenarios.base]\n" + "\n".join(lines) + "\n")
    r = CliRunner().invoke(main, ["calc", str(f), "--json"])
    assert r.exit_code == 2
    assert r.stdout == ""  # nothing written
    err = r.stderr.strip()
    assert "\n" not in err and message in err, err
    table = [[k, v] for k, v in {**BASE, **extra}.items() if k not in ("changes", "retention")]
    changes = [
        [c["month"], d, x] for c in extra.get("changes", ()) for d, x in c.items() if d != "month"
    ] or None
    cell = LLM_PLAN(table + [["horizon", 12]], changes, None, None, extra.get("retention"))
    assert isinstance(cell, str) and cell.startswith("#VALUE!") and message in cell, cell


def test_llm_ltv_stocks_is_the_engines_ltv_and_says_the_same():
    ue = xm.unit_economics(**BASE, **ANNUAL)
    assert LLM_LTV_STOCKS(0.35, 0.01, 0.08, 30, 0.6, None, 0.3, 399, 0.5) == ue.ltv
    col = LLM_LTV_STOCKS([[0.35], [0.2]], 0.01, 0.08, 30, 0.6, None, 0.3, 399, 0.5)
    assert col[0][0] == ue.ltv and col[1][0] > ue.ltv
    assert LLM_LTV_STOCKS(0.35, 0.01, 0.08, 30, 0.6, None, 0.3).startswith("#VALUE! annual_price is required")
    bad = LLM_LTV_STOCKS(0.35, 0.01, 1.2, 30, 0.6)
    with pytest.raises(InputError) as e:
        xm.unit_economics(**BASE, paying_churn=1.2, upgrade=0.01)
    assert bad == f"#VALUE! {e.value}" and "paying_churn must be 0 or more and below 1, got 1.2" in bad
    assert LLM_PLAN(
        [[k, v] for k, v in {**BASE, **ANNUAL}.items()] + [["horizon", 12]], output="ltv_payer"
    ) == (ue.ltv_payer)


def test_simulate_solve_and_sensitivity_take_the_new_inputs(tmp_path):
    from click.testing import CliRunner

    from xlmodel.cli import main

    s = {**BASE, **ANNUAL, "fixed_costs": 5e6}
    lines = [f"{k} = {v!r}" for k, v in s.items() if k != "upgrade"]
    lines.append("upgrade = { low = 0.005, mode = 0.01, high = 0.03 }")
    f = tmp_path / "r.toml"
    f.write_text("[model]\nhorizon = 36\ndraws = 200\n[scenarios.base]\n" + "\n".join(lines) + "\n")
    r = CliRunner().invoke(main, ["simulate", str(f), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert "ltv_payer" in json.dumps(doc) and "ending_deferred_revenue" in json.dumps(doc)
    r = CliRunner().invoke(
        main, ["solve", str(f), "--vary", "paying_churn", "--target", "ltv_payer=400", "--json"]
    )
    assert r.exit_code == 0, r.output
    x = json.loads(r.output)
    value = x.get("value", x.get("answer"))
    assert value is not None
    got = xm.unit_economics(**dict(s, paying_churn=float(value))).ltv_payer
    assert got == pytest.approx(400, rel=1e-6)
    r = CliRunner().invoke(main, ["sensitivity", str(f), "--rows", "annual_share=0:0.6:3", "--cols",
                                  "annual_renewal=0:0.8:3", "--of", "ending_deferred_revenue", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output


def test_without_the_new_inputs_version_3_keeps_its_bits():
    """Random version-3 plans against version 3's projection as it was (frozen in bench/v3/)."""
    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from v3.projection import project as project_v3
    finally:
        sys.path.remove(str(ROOT / "bench"))

    @settings(max_examples=100, deadline=None)
    @given(S.plan_inputs())
    def check(kw):
        kw = {k: v for k, v in kw.items() if k not in ("min_cash", "raise_month", "annual_discount_rate")}
        new, old = xm.project(**kw), project_v3(**kw)
        for line in xm.Projection.ROWS:
            assert getattr(new, line).tobytes() == getattr(old, line).tobytes(), line

    check()


@settings(max_examples=60, deadline=None)
@given(stock_plans(), st.floats(0, 0.3))
def test_a_scenario_gives_the_same_bits_alone_and_in_an_array(plan, other):
    s, changes, h = plan
    alone = xm.plan(**s, changes=changes, horizon=h).projection
    many = xm.plan(**dict(s, upgrade=np.array([[s["upgrade"], other], [other, s["upgrade"]]])), changes=changes,
                   horizon=h).projection  # fmt: skip
    for name, line in _lines(alone).items():
        for i, j in ((0, 0), (1, 1)):
            assert np.asarray(line).tobytes() == np.ascontiguousarray(_lines(many)[name][i, j]).tobytes(), (
                name
            )


@settings(max_examples=60, deadline=None)
@given(stock_plans())
def test_the_plan_without_its_migration_is_the_plan_without_a_migration(plan):
    """The variant the plan follows beside itself (no saving, no one-off, every billing without the revenue loss)
    is the same plan given no migration at all."""
    s, changes, h = plan
    if "migration_month" not in s:
        return
    p = xm.plan(**s, changes=changes, horizon=h)
    bare = {k: v for k, v in s.items() if k not in ("migration_month", "large_price", "small_price", "revenue_loss",
                                                    "migration_cost")}  # fmt: skip
    q = xm.plan(**bare, changes=changes, horizon=h)
    a, b = p.outputs["runway_months_without_migration"], q.outputs["runway_months"]
    assert a == b or abs(a - b) <= 1e-9 * max(1.0, abs(b))
