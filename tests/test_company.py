"""Model version 4, the whole company (docs/model.md, "The whole company"): the team, capex, compute credits,
payment terms and tax inside the projection.

Oracles: tests/reference_v4.py (plain loops written from the model's definitions), hand-computed cases, the
properties the model promises, and version 3's numbers kept bit for bit when no version-4 input is given.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel.company import COMPANY_ROWS
from xlmodel.engine import runway_stream
from xlmodel.errors import InputError

from . import reference_v4 as ref4
from . import strategies as S

FLAT = dict(mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0)
V4_KEYS = ("team", "capex", "start", "fiscal_year_start")


def _reference(kw):
    s = {k: v for k, v in kw.items() if k not in ("changes", "funding", "horizon") + V4_KEYS}
    rows = ref4.company_v4(
        s, kw["changes"], kw["funding"], kw["horizon"], kw.get("team", ()), kw.get("capex", ()),
        kw.get("start"), kw.get("fiscal_year_start") or 1,
    )  # fmt: skip
    return s, rows


def _scale(rows, cash_0):
    """The size of the money that moved: the tolerance of a line whose terms may cancel."""
    keys = (
        "cash",
        "net_burn",
        "revenue",
        "compute",
        "ad_spend",
        "payroll",
        "capex",
        "funding",
        "credits_granted",
    )
    return max(1.0, abs(cash_0), *(abs(x) for k in keys for x in rows[k]))


@settings(max_examples=200, deadline=None)
@given(S.company_inputs())
def test_every_line_agrees_with_the_plain_loop(kw):
    s, want = _reference(kw)
    got = xm.plan(**kw)
    p = got.projection
    scale = _scale(want, s["cash"]) * kw["horizon"]
    lines = {**p.company, "cash": p.cash, "net_burn": p.net_burn, "interest": p.interest}
    for name in COMPANY_ROWS + ("cash", "net_burn", "interest"):
        w = np.array(want[name])
        tol = 1e-9 * (max(1.0, np.abs(w).max()) if name == "headcount" else scale)
        assert np.allclose(lines[name], w, rtol=0, atol=tol), name
    for k in ("payables", "receivables", "credits"):
        assert float(p.opening[k]) == pytest.approx(want["opening"][k], rel=1e-12, abs=1e-9 * scale)


@settings(max_examples=40, deadline=None)
@given(S.company_inputs(), st.lists(S._floats(0.2, 3), min_size=2, max_size=3))
def test_arrays_of_scenarios_give_each_scenario_its_own_lines(kw, factors):
    f = np.array(factors)
    arr = dict(kw, cash=kw["cash"] * f, tax_rate=np.minimum(kw["tax_rate"] * f, 0.99))
    if kw["team"]:
        arr["team"] = [dict(kw["team"][0], count=kw["team"][0]["count"] * f)] + kw["team"][1:]
    whole = xm.plan(**arr)
    for j in range(len(f)):
        one = dict(kw, cash=arr["cash"][j], tax_rate=arr["tax_rate"][j])
        if kw["team"]:
            one["team"] = [dict(kw["team"][0], count=arr["team"][0]["count"][j])] + kw["team"][1:]
        p = xm.plan(**one)
        scale = 1e-12 * max(1.0, float(np.abs(p.projection.cash).max()), abs(kw["cash"]) * 3)
        assert np.allclose(whole.projection.cash[j], p.projection.cash, rtol=1e-12, atol=scale)
        for name in COMPANY_ROWS:
            a, b = whole.projection.company[name][j], p.projection.company[name]
            assert np.allclose(a, b, rtol=1e-12, atol=scale * 1e3), name
        for name in ("runway_months", "funding_need", "lowest_cash"):
            x, y = np.asarray(whole.outputs[name])[j], p.outputs[name]
            assert x == y or abs(x - y) <= 1e-9 * max(1.0, abs(y), scale * 1e12), name


def _bits(x) -> bytes:
    """The bytes of a value, with -0.0 and +0.0 made one (a float array's only)."""
    a = np.asarray(x)
    return (a + 0.0).tobytes() if a.dtype.kind == "f" else a.tobytes()


@settings(max_examples=150, deadline=None)
@given(S.plan_inputs())
def test_zeros_everywhere_keep_version_3_bit_for_bit(kw):
    """Every version-4 input at its zero: the company's terms are exact zeros added last (bit for bit, but that
    a zero term added to a cash of -0.0 gives +0.0: the two are the same number, so signed zeros are made
    one before comparing)."""
    plain = xm.plan(**kw)
    zero = dict(kw, team=[], capex=[], on_cost=0.0, salary_growth=0.0, credits=0.0, compute_terms=0, ad_terms=0,
                collection_lag=0, tax_rate=0.0, tax_losses=0.0)  # fmt: skip
    z = xm.plan(**zero)
    for name in xm.Projection.ROWS:
        assert (getattr(z.projection, name) + 0.0).tobytes() == (
            getattr(plain.projection, name) + 0.0
        ).tobytes(), name
    for name, value in plain.outputs.items():
        other = z.outputs[name]
        assert _bits(other) == _bits(value), name


def test_a_one_role_payroll_by_hand():
    # 4 engineers at 10,000 a month, 30% on-costs, a 5% raise each fiscal year (April), months 2..14 of a plan
    # from 2025-01: raises in April 2025 (month 4) and April 2026 (month 16)
    team = [{"role": "engineers", "department": "rd", "count": 4, "salary": 10_000, "from": 2, "to": 14}]
    p = xm.plan(cash=1e7, horizon=18, team=team, on_cost=0.3, salary_growth=0.05, start="2025-01",
                fiscal_year_start=4, **FLAT)  # fmt: skip
    c = p.projection.company
    want = [0.0] + [52_000.0] * 2 + [52_000.0 * 1.05] * 11 + [0.0] * 4
    assert c["payroll_rd"].tolist() == pytest.approx(want, rel=1e-15)
    assert c["headcount"].tolist() == [0.0] + [4.0] * 13 + [0.0] * 4
    assert p.projection.net_burn.tolist() == pytest.approx(want, rel=1e-15)
    assert p.ending_cash == pytest.approx(1e7 - sum(want), rel=1e-15)


def test_capex_depreciates_straight_line_and_stays_on_the_books():
    p = xm.plan(cash=1e6, horizon=6, capex=[{"month": 2, "amount": 1200, "life": 12, "name": "GPU"}], **FLAT)
    c = p.projection.company
    assert c["capex"].tolist() == [0, 1200, 0, 0, 0, 0]
    assert c["depreciation"].tolist() == [0, 100, 100, 100, 100, 100]
    assert p.projection.net_burn.tolist() == [0.0] * 6  # depreciation is no cash and not in the net burn
    assert p.ending_cash == 1e6 - 1200


def test_credits_pay_compute_first_expiring_first_then_lapse():
    # compute 100 a month; opening credits 150 lapsing at the end of month 3; a round of 1,000 cash and 300 of
    # credits in month 1, usable from month 2, lapsing 3 months later (end of month 4)
    kw = dict(FLAT, mau=100, cost_per_mau=1, cash=1000, horizon=6, credits=150, credits_expire=3)
    p = xm.plan(**kw, funding=[{"month": 1, "amount": 1000, "credits": 300, "expires": 3}])
    c = p.projection.company
    # month 2: the opening credits' last 50 (they expire first), then 50 of the round's
    assert c["credits_used"].tolist() == [100, 100, 100, 100, 0, 0]
    assert c["credits_lapsed"].tolist() == [0, 0, 0, 50, 0, 0]  # the round's last 50 at the end of month 4
    assert c["credits_granted"].tolist() == [300, 0, 0, 0, 0, 0]
    assert c["credit_balance"].tolist() == [350, 250, 150, 0, 0, 0]
    assert p.projection.cash.tolist() == [2000, 2000, 2000, 2000, 1900, 1800]
    assert c["credits_used"].sum() + c["credits_lapsed"].sum() + c["credit_balance"][-1] == 150 + 300
    # the opening credits lapse at the end of credits_expire when compute does not use them
    q = xm.plan(**dict(kw, cost_per_mau=0.2)).projection.company
    assert q["credits_used"].tolist() == [20, 20, 20, 0, 0, 0]
    assert q["credits_lapsed"].tolist() == [0, 0, 90, 0, 0, 0]


@settings(max_examples=100, deadline=None)
@given(S.company_inputs())
def test_credits_used_lapsed_and_left_add_up_to_what_was_granted(kw):
    c = xm.plan(**kw).projection.company
    granted = (kw.get("credits") or 0.0) + float(c["credits_granted"].sum())
    total = float(c["credits_used"].sum() + c["credits_lapsed"].sum() + c["credit_balance"][-1])
    assert total == pytest.approx(granted, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(S.company_inputs())
def test_a_rounds_credits_never_raise_the_runway_when_compute_is_0(kw):
    kw = dict(kw, cost_per_mau=0.0, changes=[c for c in kw["changes"] if "cost_per_mau" not in c])
    kw.pop("paying_cost_per_mau", None)
    kw["changes"] = [{k: v for k, v in c.items() if k != "paying_cost_per_mau"} for c in kw["changes"]]
    kw["changes"] = [c for c in kw["changes"] if len(c) > 1]
    without = dict(
        kw, funding=[{k: v for k, v in r.items() if k not in ("credits", "expires")} for r in kw["funding"]]
    )
    a, b = xm.plan(**kw).runway_months, xm.plan(**without).runway_months
    # to rounding: a round of credits alone is still a round, so its month's runway divides by the change in
    # cash rather than by net burn (the same number, computed another way: ~1e-9 relative seen)
    assert a <= b or a == pytest.approx(b, rel=1e-8)


def test_tax_is_0_until_the_loss_pool_is_used_up():
    # profit 100 a month, 25% tax, 500 of losses carried forward: 12-month years from month 1
    kw = dict(FLAT, mau=100, conversion=1, arppu=1, cash=0, horizon=24, tax_rate=0.25, tax_losses=500)
    p = xm.plan(**kw)
    tax = p.projection.company["tax"]
    assert tax[:5].tolist() == [0.0] * 5  # cumulative profit 500 by month 5: the pool is used up
    assert tax[5:12].tolist() == pytest.approx([25.0] * 7, rel=1e-15)
    assert tax[12:].tolist() == pytest.approx([25.0] * 12, rel=1e-15)  # year 2: the pool is empty
    assert p.ending_cash == pytest.approx(2400 - 25 * 19, rel=1e-15)


def test_a_loss_within_a_year_gives_tax_back():
    # profit 100, then a loss of 300 in month 2: the year's accrued tax falls back to 0 (negative tax_t)
    kw = dict(FLAT, mau=100, conversion=1, arppu=1, cash=0, horizon=3, tax_rate=0.5)
    p = xm.plan(**kw, changes=[{"month": 2, "fixed_costs": 400}, {"month": 3, "fixed_costs": 0}])
    assert p.projection.company["tax"].tolist() == [50.0, -50.0, 0.0]


@settings(max_examples=100, deadline=None)
@given(S.plan_inputs(), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_with_constant_flows_terms_change_no_months_cash(kw, k, j, lag):
    flat = dict(kw, churn=0.0, mau=kw["mau"], ad_spend=0.0, changes=[], ad_growth=0.0, cost_decline=0.0,
                usage_growth=0.0, fixed_cost_growth=0.0, interest_rate=0.0)  # fmt: skip
    flat["mau"] = 0.0 if "organic_users" in kw else kw["mau"]
    flat.pop("organic_users", None)
    flat.pop("migration_month", None)
    base = xm.plan(**flat).projection.cash
    terms = xm.plan(**flat, compute_terms=k, ad_terms=j, collection_lag=lag).projection.cash
    assert np.allclose(terms, base, rtol=1e-12, atol=1e-9 * max(1.0, float(np.abs(base).max())))


def test_runway_without_funding_drops_the_rounds_credits():
    kw = dict(FLAT, mau=100, cost_per_mau=1, cash=1000, horizon=36, fixed_costs=0)
    p = xm.plan(**kw, funding=[{"month": 1, "credits": 500}])
    assert p.runway_months == 15.0  # 1,000 of cash + 500 of credits at 100 a month; credits from month 2
    assert p.runway_months_without_funding == 10.0


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"team": [{"department": "rd", "count": 1, "salary": 1}]}, "team[1]: needs a role"),
        ({"team": [{"role": "a", "department": "hr", "count": 1, "salary": 1}]}, "department must be one of"),
        ({"team": [{"role": "a", "department": "rd", "count": -1, "salary": 1}]}, "count must be 0 or more"),
        ({"team": [{"role": "a", "department": "rd", "count": 1, "salary": -5}]}, "salary must be 0 or more"),
        ({"team": [{"role": "a", "department": "rd", "count": 1, "salary": 1, "from": 5, "to": 3}]},
         "from (5) must not be after to (3)"),
        ({"capex": [{"month": 1, "amount": 1, "life": 0}]}, "life must be a whole number of months, 1 or more"),
        ({"capex": [{"month": 1, "amount": 1, "life": 1.5}]}, "life must be a whole number"),
        ({"capex": [{"month": 1, "amount": 1, "life": 2, "name": "x"}] * 2}, "same month and name"),
        ({"funding": [{"amount": 1, "credits": 5}]}, "credits in a round need the round's month"),
        ({"funding": [{"month": 1, "amount": 1, "credits": 5, "expires": 0}]}, "expires must be a whole number"),
        ({"compute_terms": -1}, "compute_terms must be a whole number of months from 0 to 1200"),
        ({"ad_terms": 1.5}, "ad_terms must be a whole number"),
        ({"tax_rate": 1}, "tax_rate must be 0 or more and below 1"),
        ({"on_cost": 2.5}, "on_cost must be between 0 and 2"),
        ({"credits_expire": 3}, "credits_expire needs credits"),
    ],
)  # fmt: skip
def test_bad_company_inputs_name_the_entry_and_the_rule(extra, message):
    with pytest.raises(InputError) as e:
        xm.plan(cash=1, horizon=12, **{**FLAT, **extra})
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_runway_stream_answers_equal_the_plan():
    kw = dict(FLAT, mau=100, cost_per_mau=1, cash=1000, horizon=36, fixed_costs=50, tax_rate=0.2,
              interest_rate=0.1, compute_terms=1, credits=300, funding=[{"month": 3, "amount": 200, "credits": 50}])  # fmt: skip
    full = xm.plan(**kw).outputs
    stream = runway_stream(**kw, answers=True).answers
    for name, value in full.items():
        other = stream[name]
        assert other == value or (isinstance(value, float) and math.isnan(value) and math.isnan(other)), name


@settings(max_examples=60, deadline=None)
@given(S.company_inputs(horizon=st.integers(2, 36)))
def test_the_funding_need_keeps_cash_at_min_cash_with_taxed_interest(kw):
    kw = dict(kw, interest_rate=0.08, tax_rate=0.3, min_cash=kw["min_cash"] + 1e6)
    kw.pop("raise_month", None)
    p = xm.plan(**kw)
    if not p.funding_need > 0:
        return
    m = int(p.funding_month)
    scale = max(1.0, float(np.abs(p.projection.cash).max()), kw["min_cash"], p.funding_need)

    def low(amount):
        q = xm.plan(**dict(kw, funding=kw["funding"] + [{"month": m, "amount": amount}]))
        return float(q.projection.cash[m - 1 :].min())

    assert low(p.funding_need) >= kw["min_cash"] - 1e-9 * scale
    assert low(p.funding_need * (1 - 1e-6)) < kw["min_cash"]


def test_the_examples_keep_version_3s_numbers_bit_for_bit():
    """Every version-3 example against version 3's projection as it was (frozen in bench/v3/)."""
    import sys

    from xlmodel import assumptions

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from v3.projection import project as project_v3
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for path in (ROOT / "examples").glob("*.toml"):
        a = assumptions.load(path)
        for name, s in a.scenarios.items():
            if "team" in s or "tax_rate" in s or "paying_churn" in s:
                continue  # the whole company's example, and payers as their own stock (tests/test_payers.py)
            new, old = xm.project(**s), project_v3(**s)
            for line in xm.Projection.ROWS:
                assert getattr(new, line).tobytes() == getattr(old, line).tobytes(), (path.name, name, line)
