"""Honest horizons (docs/model.md, "Honest horizons"): is cash still falling at the last month, and when would
it run out at the last quarter's burn?

Oracles: hand-computed cases, the plain-loop rows of tests/reference_v3.py with the definition written out
below, and the example plan over a longer horizon.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.engine import runway_stream

from . import reference_v3 as ref3
from . import strategies as S
from .conftest import ROOT

FLAT = dict(mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0)


def honest(cash_0, rows, horizon, runway):
    """``B`` = the mean over the last min(3, H) months of the recurring outflow, cash_{t-1} - cash_t with the rounds
    and one-offs left out (+ funding_t - one_off_t; no capex in version 3); falling when B > 0; after the horizon
    H + cash_H / B when cash lasts the horizon."""
    n = min(3, horizon)
    cash = [cash_0] + rows["cash"]
    outflow = [
        cash[t - 1] - cash[t] + rows["funding"][t - 1] - rows["migration_one_off"][t - 1]
        for t in range(horizon - n + 1, horizon + 1)
    ]
    b = sum(outflow) / n
    after = horizon + cash[horizon] / b if b > 0 and math.isinf(runway) else None
    return b > 0, after


def test_constant_burn_lands_on_the_runway_of_a_longer_horizon():
    # 1,000 of cash, 100 a month of fixed costs: at 6 months 400 is left; at 100 a month it lasts to month 10
    p = xm.plan(cash=1000, fixed_costs=100, horizon=6, **FLAT)
    assert p.cash_falling_at_horizon is True
    assert p.runway_after_horizon == 10.0
    assert p.runway_months == math.inf
    assert xm.plan(cash=1000, fixed_costs=100, horizon=12, **FLAT).runway_months == 10.0


def test_rounds_and_one_offs_are_left_out_of_the_burn():
    # a round of 300 in month 5 of 6: the burn is still 100 a month; cash 700 at month 6 lasts 7 more months
    p = xm.plan(cash=1000, fixed_costs=100, horizon=6, funding=[{"month": 5, "amount": 300}], **FLAT)
    assert p.cash_falling_at_horizon is True
    assert p.runway_after_horizon == pytest.approx(13.0, rel=1e-15)
    # a one-off migration cost in month 6 does not raise the recurring burn (no saving: compute is 0)
    kw = dict(FLAT, cash=1000, fixed_costs=100, horizon=6)
    kw.update(migration_month=6, migration_cost=250, routed_share=0.5, large_price=1, small_price=0.5)
    p = xm.plan(**kw)
    assert p.ending_cash == 150.0
    assert p.runway_after_horizon == pytest.approx(6 + 150 / 100, rel=1e-15)


def test_cash_not_falling_or_already_out():
    # revenue above costs: cash rises, nothing to warn about
    rich = xm.plan(cash=1000, mau=100, ad_spend=0, cac=1, churn=0, conversion=1, arppu=2, cost_per_mau=0,
                   fixed_costs=100, horizon=6)  # fmt: skip
    assert rich.cash_falling_at_horizon is False
    assert math.isnan(rich.runway_after_horizon)
    # flat cash (costs equal revenue): B = 0, not falling
    flat = xm.plan(cash=1000, mau=100, ad_spend=0, cac=1, churn=0, conversion=1, arppu=1, cost_per_mau=0,
                   fixed_costs=100, horizon=6)  # fmt: skip
    assert flat.cash_falling_at_horizon is False
    # cash runs out within the horizon: falling, but runway_after_horizon is n/a (the runway says it)
    out = xm.plan(cash=1000, fixed_costs=100, horizon=12, **FLAT)
    assert out.cash_falling_at_horizon is True
    assert math.isnan(out.runway_after_horizon)


@pytest.mark.parametrize("horizon", [1, 2, 3])
def test_short_horizons_average_what_there_is(horizon):
    # the burn grows 10% a month: B averages the min(3, H) months there are
    p = xm.plan(cash=1e6, fixed_costs=100, fixed_cost_growth=0.1, horizon=horizon, **FLAT)
    burns = [100 * 1.1**k for k in range(horizon)]
    b = sum(burns) / horizon
    assert p.runway_after_horizon == pytest.approx(horizon + (1e6 - sum(burns)) / b, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(S.plan_inputs())
def test_against_the_plain_loop(kw):
    ref_s = {k: v for k, v in kw.items() if k not in ("changes", "funding", "horizon")}
    rows = ref3.project_v3(ref_s, kw["changes"], kw["funding"], kw["horizon"])
    got = xm.plan(**kw)
    h = kw["horizon"]
    cash = [float(kw["cash"])] + rows["cash"]
    n = min(3, h)
    b = sum(cash[t - 1] - cash[t] + rows["funding"][t - 1] - rows["migration_one_off"][t - 1]
            for t in range(h - n + 1, h + 1)) / n  # fmt: skip
    scale = max(1.0, *(abs(x) for x in cash[h - n :]), *(abs(x) for x in rows["funding"][h - n :]))
    if abs(b) <= 1e-9 * scale:
        return  # B is rounding noise: which side of 0 it falls is not the model's to say
    assert got.cash_falling_at_horizon == (b > 0)
    falling, after = honest(cash[0], rows, h, got.runway_months)
    assert falling == (b > 0)
    if after is None:
        assert math.isnan(got.runway_after_horizon)
    else:
        assert got.runway_after_horizon == pytest.approx(after, rel=1e-6, abs=1e-6 * h)


@settings(max_examples=40, deadline=None)
@given(S.plan_inputs())
def test_arrays_of_scenarios_give_each_scenario_its_own_answer(kw):
    cash = np.array([kw["cash"], 0.5 * kw["cash"] + 1, 3 * kw["cash"] + 10])
    fixed = np.array([kw["fixed_costs"], 2 * kw["fixed_costs"] + 5, 0.0])
    arr = runway_stream(**dict(kw, cash=cash, fixed_costs=fixed), answers=True).answers
    for j in range(3):
        one = runway_stream(**dict(kw, cash=cash[j], fixed_costs=fixed[j]), answers=True).answers
        for name in ("cash_falling_at_horizon", "runway_after_horizon"):
            x, y = np.asarray(arr[name])[j], one[name]
            assert x == y or (np.isnan(x) and np.isnan(y)), name


def test_the_example_plan_over_72_months():
    a = assumptions.load(ROOT / "examples/plan-2024.toml")
    s36 = a.scenario("base")
    p36 = xm.plan(**s36)
    assert p36.runway_months == math.inf and p36.cash_falling_at_horizon is True
    # the mean outflow of months 34..36, by hand from the cash line (no round, capex or one-off there)
    cash = p36.projection.cash
    b = (cash[32] - cash[35]) / 3
    assert p36.runway_after_horizon == pytest.approx(36 + cash[35] / b, rel=1e-12)
    p72 = xm.plan(**dict(s36, horizon=72))
    assert 56 < p72.runway_months < 57  # cash runs out in month 57 (2028-11)
    assert p72.funding_need == pytest.approx(3.51e9, rel=1e-2)
    assert math.isnan(p72.runway_after_horizon) and p72.cash_falling_at_horizon is True


def test_calc_says_not_within_the_horizon_and_warns(run):
    r = run("calc", "examples/plan-2024.toml")
    assert r.exit_code == 0
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln.strip()}
    for name in ("runway_months", "runway_months_without_migration", "first_short_month", "funding_month",
                 "breakeven_month"):  # fmt: skip
        assert "not within the horizon (to 2027-02)" in rows[name], name
    assert not any("never" in rows[n] for n in xm.outputs.HORIZON_NEVER if n in rows)  # none a bare never
    assert rows["payback_months"].split()[1] == "never"  # a closed form's never is one
    assert "cash is still falling at the horizon: at the last three months' burn it lasts to month 60.4 " \
        "(2029-03)" in r.stdout  # fmt: skip
    doc = __import__("json").loads(run("calc", "examples/plan-2024.toml", "--json").stdout)
    assert doc["outputs"]["cash_falling_at_horizon"] is True
    assert doc["outputs"]["runway_after_horizon"] == pytest.approx(60.3511, abs=1e-4)
    assert doc["warnings"] == [
        "cash is still falling at the horizon: at the last three months' burn it lasts to month 60.4 (2029-03)"
    ]


def test_simulate_says_beyond_the_horizon_and_shows_a_flag_by_its_mean(run):
    r = run("simulate", "examples/plan-2024.toml", "--draws", "200")
    assert r.exit_code == 0, r.output
    rows = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines() if ln.strip()}
    for name in ("runway_months", "first_short_month", "funding_month", "breakeven_month"):
        assert rows[name][1:13] == [">", "36"] * 6, name  # the mean and five percentiles, each "> 36"
        assert rows[name][13] == "100.0%", name  # the draws not within the horizon
    assert rows["payback_months"][1:7] == ["never"] * 6
    assert "> 36: not within the horizon (to 2027-02)" in r.stdout
    assert rows["cash_falling_at_horizon"][1:] == ["100.0%", "yes", "yes/no"]  # the share that say yes, alone


def test_calc_without_start_counts_months():
    from xlmodel.cli.model import not_within

    assert not_within(36, None) == "not within the horizon (to M36)"
