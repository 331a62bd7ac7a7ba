"""Retention curves drive the users (docs/model.md, "Retention curves drive the users"): the curve-driven plan, its unit
economics, the average curve of a cohorts triangle, and the rules of a scenario's curve.

The oracles: the geometric curve ``(1-c)**(a-1)``, which must give the churn-based plan (docs/model.md); the plain-loop
convolution of docs/model.md's equation in tests/reference_v3.py (written from docs/model.md alone); ``cohort_ltv`` of
"Cohorts and actuals"; brute-force cumulative sums; and sums worked by hand.
"""

import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel import actuals, assumptions, retention
from xlmodel.errors import AssumptionsError, InputError

from . import reference_v3 as ref3
from . import strategies as S

LINES = (
    "ad_spend",
    "cac",
    "paid_new_users",
    "organic_new_users",
    "new_users",
    "mau",
    "paying_users",
    "gross_revenue",
    "revenue",
    "compute",
    "fixed_costs",
    "migration_one_off",
    "net_burn",
    "interest",
    "funding",
    "cash",
)


def close(a, b, rel=1e-9, scale=0.0):
    if isinstance(a, float) and math.isinf(a) or isinstance(b, float) and math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b), scale) or a == b


def _scales(kw, rows):
    """What a line's rounding is relative to: the money (or the users) that flowed through the plan."""
    money = (
        abs(kw["cash"])
        + sum(abs(x) for x in rows["net_burn"])
        + sum(rows["funding"])
        + sum(abs(x) for x in rows["interest"])
        + sum(abs(x) for x in rows["compute"])
        + sum(abs(x) for x in rows["revenue"])
        + sum(rows["ad_spend"])
        + sum(rows["fixed_costs"])
    )
    users = kw["mau"] + sum(rows["new_users"])
    return {
        "cash": money,
        "net_burn": money,
        "interest": money,
        "compute": money,
        "revenue": money,
        "gross_revenue": money,
        "organic_new_users": users,
        "mau": users,
        "paying_users": users,
    }


def _rows(projection):
    return {k: getattr(projection, k).tolist() for k in LINES}


def _assert_lines_close(kw, got: dict, want: dict):
    scales = _scales(kw, want)
    for line in LINES:
        for t, (a, b) in enumerate(zip(got[line], want[line]), start=1):
            assert close(a, b, scale=scales.get(line, 0.0) * 1e-3), (line, t, a, b)


def _no_tie(cash0, rows, scale):
    """No month's cash is so near 0 that rounding alone decides on which side it falls (the runway's month)."""
    return abs(cash0) > 1e-9 * scale and all(abs(c) > 1e-9 * scale for c in rows["cash"])


# ------------------------------------------------------------------ (1) the geometric curve is the churn-based plan


@st.composite
def _geometric(draw):
    kw = draw(S.plan_inputs())
    # a churn that changes applies to month 0's users only in a curve-driven plan: not the churn-based plan
    kw["changes"] = [{k: v for k, v in c.items() if k != "churn"} for c in kw["changes"]]
    kw["changes"] = [c for c in kw["changes"] if len(c) > 1]
    kw["churn"] = draw(S._floats(0.001, 0.95))
    k = draw(st.integers(2, 24))
    return kw, [(1 - kw["churn"]) ** (a - 1) for a in range(1, k + 1)], draw(st.booleans())


@given(_geometric())
def test_the_geometric_curve_gives_the_churn_based_plan(case):
    """docs/model.md's oracle: the curve ``r_a = (1-c)**(a-1)`` gives the plan with ``churn = c`` (to 1e-9), every line
    and the runway, whether the churn of month 0's users is given or left to its default 1 - q."""
    kw, curve, own_churn = case
    churned = xm.plan(**kw)
    curved_kw = dict(kw, retention=curve)
    if not own_churn:
        del curved_kw["churn"]
    curved = xm.plan(**curved_kw)
    want, got = _rows(churned.projection), _rows(curved.projection)
    _assert_lines_close(kw, got, want)
    scale = _scales(kw, want)["cash"]
    assume(_no_tie(kw["cash"], want, scale) and _no_tie(kw["cash"], got, scale))
    for name in (
        "runway_months",
        "runway_months_without_funding",
        "ending_cash",
        "lowest_cash",
        "funding_need",
    ):
        a, b = curved.outputs[name], churned.outputs[name]
        assert close(a, b, scale=scale * 1e-3 if "runway" not in name else 0.0), (name, a, b)


def test_a_geometric_curve_by_hand():
    """Month 0: 1,000 users at churn 20%; 100 sign-ups a month, half of them active: 900, 820, 756 users."""
    kw = dict(cash=1e6, mau=1000, ad_spend=100, cac=1, conversion=0, arppu=0, cost_per_mau=0, horizon=3)
    p = xm.project(**kw, retention=[0.5, 0.4, 0.32])  # measured on sign-ups: activation 0.5, R = 1, 0.8, 0.64
    assert p.mau.tolist() == pytest.approx(
        [1000 * 0.8 + 50, 1000 * 0.64 + 50 + 40, 1000 * 0.512 + 50 + 40 + 32], rel=1e-15
    )


# ------------------------------------------------------------------ (2) a plain convolution of docs/model.md's equation


@given(S.curve_plan_inputs())
def test_curve_driven_plan_matches_the_plain_convolution(kw):
    """Every line of a curve-driven plan (random curves with tails, measured on sign-ups or not, changes and
    rounds) equals tests/reference_v3.py's plain loop over every cohort of docs/model.md's equation, to 1e-9."""
    got = _rows(xm.plan(**kw).projection)
    s = {k: v for k, v in kw.items() if k not in ("changes", "funding", "horizon")}
    want = ref3.project_v3(s, kw["changes"], kw["funding"], kw["horizon"])
    _assert_lines_close(kw, got, want)
    scale = _scales(kw, want)["cash"]
    assume(_no_tie(kw["cash"], want, scale))
    assert close(xm.runway_months(**kw), ref3.runway(kw["cash"], want))


def test_the_tail_past_the_last_month_decays_at_q():
    """Past k months a cohort keeps r_k * q ** (a - k): one cohort of 1,000 activated users, then none."""
    curve = [1.0, 0.6, 0.45, 0.4, 0.36]
    q = (0.36 / 0.6) ** (1 / 3)
    kw = dict(
        cash=1e6,
        mau=0,
        ad_spend=1000,
        cac=1,
        churn=0.1,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        horizon=9,
        changes=[{"month": 2, "ad_spend": 0}],
    )
    got = xm.project(**kw, retention=curve).mau.tolist()
    want = [1000 * a for a in curve] + [1000 * 0.36 * q**n for n in range(1, 5)]
    assert got == pytest.approx(want, rel=1e-14)
    assert retention.retention_at(curve, [1, 5, 7]).tolist() == pytest.approx(
        [1.0, 0.36, 0.36 * q * q], rel=1e-15
    )


def test_churn_changes_reach_month_0_users_only_and_activation_changes_the_cohorts():
    kw = dict(
        cash=1e6,
        mau=1000,
        ad_spend=100,
        cac=1,
        churn=0.5,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        horizon=3,
        retention=[1.0, 0.5, 0.25],
    )
    p = xm.project(**kw, changes=[{"month": 2, "churn": 0.0, "activation": 0.5}])
    # month 1: 500 + 100; month 2: 500 (no churn) + 50 + 50; month 3: 500 + 50 + 25 + 25
    assert p.mau.tolist() == [600.0, 600.0, 600.0]


@given(S.curve_plan_inputs(horizon=st.integers(1, 30)), st.data())
@settings(max_examples=40)
def test_arrays_of_scenarios_with_curves_are_each_scenario_alone(kw, data):
    """A simulation's draws, a curve per draw: each scenario's own plan and unit economics, bit for bit."""
    n = 4
    curves = [
        data.draw(S.retention_curves(k=st.just(len(kw["retention"])), first=st.just(1.0))) for _ in range(n)
    ]
    try:  # subnormal prices or conversions overflow a ratio of the unit economics: an error, not a curve's matter
        xm.unit_economics(**dict(kw, retention=curves[0]), undefined="nan")
    except InputError as e:
        assume("overflows floating point" not in str(e))
        raise
    cash = np.array([data.draw(S._floats(-1e6, 1e9)) for _ in range(n)])
    many = xm.plan(**dict(kw, retention=np.array(curves), cash=cash))
    many_ue = xm.unit_economics(**dict(kw, retention=np.array(curves)), undefined="nan")
    for j in range(n):
        one = xm.plan(**dict(kw, retention=curves[j], cash=float(cash[j])))
        assert many.projection.mau[j].tolist() == one.projection.mau.tolist()
        assert many.projection.cash[j].tolist() == one.projection.cash.tolist()
        for name, value in one.outputs.items():
            got = np.asarray(many.outputs[name])[j] if np.ndim(many.outputs[name]) else many.outputs[name]
            assert got == value or (isinstance(value, float) and math.isnan(value) and math.isnan(got)), name
        one_ue = xm.unit_economics(**dict(kw, retention=curves[j]), undefined="nan")
        for name in ("ltv", "cohort_payback_month", "ltv_to_cac"):
            a, b = float(getattr(many_ue, name)[j]), float(getattr(one_ue, name))
            assert a == b or (math.isnan(a) and math.isnan(b)), name


@given(S.curve_plan_inputs(horizon=st.integers(1, 40)))
@settings(max_examples=40)
def test_the_stream_gives_the_curve_plans_answers(kw):
    """runway_stream (what simulate walks) keeps no month, and gives plan()'s answers bit for bit."""
    p = xm.plan(**kw).outputs
    s = xm.engine.runway_stream(**kw, answers=True).answers
    for name, value in p.items():
        assert s[name] == value or (isinstance(value, float) and math.isnan(value) and math.isnan(s[name])), (
            name
        )


def test_the_waterfall_and_month_0_users_sum_to_the_plans_mau():
    """A workbook's cohort waterfall: each cohort's users by month, plus month 0's users, is the plan's MAU."""
    curve = [0.56, 0.36, 0.26, 0.22, 0.2, 0.17]
    kw = dict(
        cash=7e9,
        mau=10.1e6,
        ad_spend=2e8,
        ad_growth=0.01,
        cac=30,
        paid_share=0.7,
        churn=0.12,
        conversion=0.01,
        arppu=33,
        cost_per_mau=0.28,
        horizon=24,
        retention=curve,
    )
    p = xm.project(**kw)
    fall = retention.cohort_waterfall(0.56 * p.new_users, curve)
    existing = 10.1e6 * 0.88 ** np.arange(1, 25)
    assert (fall.sum(axis=0) + existing).tolist() == pytest.approx(p.mau.tolist(), rel=1e-12)
    assert np.all(np.tril(fall, -1) == 0)


# ------------------------------------------------------------------ (3) unit economics with a curve


def _brute_payback(contribution, curve, target, cap=100_000):
    """The first T with sum_{t<=T} contribution * R(t) >= target, adding one month at a time (None past cap)."""
    r = [x / curve[0] for x in curve]
    k, q = len(r), ref3.late_ratio(r)
    if contribution <= 0:
        return math.inf
    if target == 0:
        return 0.0
    total = 0.0
    for t in range(1, cap + 1):
        total += contribution * (r[t - 1] if t <= k else r[-1] * q ** (t - k))
        if total >= target:
            return float(t), total
    return None


@given(S.retention_curves(), S.unit_inputs())
def test_ltv_with_a_curve_is_cohort_ltv(curve, kw):
    """ltv = cohort_ltv(R, revenue_per_mau, gross_margin, annual_discount_rate), the tail included, R = r / r_1: in
    the engine, against actuals.cohort_ltv (the cohorts command's own) and the plain-loop reference."""
    del kw["churn"]
    ue = xm.unit_economics(**kw, retention=curve)
    rate = kw["annual_discount_rate"]
    # cohort_ltv is linear in the curve (q is a ratio): of R = r / r_1, it is the curve's own over r_1
    want = actuals.cohort_ltv(curve, ue.revenue_per_mau, ue.gross_margin, rate) / curve[0]
    assert ue.ltv == pytest.approx(want, rel=1e-12, abs=1e-300)
    active = [x / curve[0] for x in curve]
    if max(active) <= 1:  # (a curve measured on sign-ups may rise above its month 1 once divided by it)
        want = actuals.cohort_ltv(active, ue.revenue_per_mau, ue.gross_margin, rate)
        assert ue.ltv == pytest.approx(want, rel=1e-12, abs=1e-300)
        assert retention.cohort_ltv(active, ue.revenue_per_mau, ue.gross_margin, rate) == pytest.approx(
            want, rel=1e-15
        )
    ref = ref3.unit_economics_v3(dict(kw, retention=curve, ad_spend=1.0, cash=0.0, mau=0.0))
    assert ue.ltv == pytest.approx(ref["ltv"], rel=1e-9, abs=1e-12)
    assert ue.cac_per_active == pytest.approx(ref["cac_per_active"], rel=1e-12)
    assert ue.ltv_to_cac == pytest.approx(ue.ltv / ue.cac_per_active, rel=1e-12)
    assert (
        ue.payback_months == pytest.approx(ref["payback_months"], rel=1e-9)
        or ue.payback_months == ref["payback_months"]
    )


@given(S.retention_curves(), S._floats(-1, 50), S._floats(0, 2000))
def test_cohort_payback_month_is_the_brute_force_cumulative_sum(curve, contribution, cac):
    got = retention.cohort_payback_month(curve, contribution, cac)
    brute = _brute_payback(contribution, curve, cac)
    if brute is None:  # beyond the cap: the closed form says past it, or never
        assert got > 100_000
        return
    if isinstance(brute, float):
        assert got == brute
        return
    t, total = brute
    # where the cumulative sum meets the CAC to the last bits, either side is right
    prev = total - contribution * retention.retention_at(curve, t)
    assume(abs(total - cac) > 1e-9 * cac and abs(prev - cac) > 1e-9 * cac)
    assert got == t


@given(S._floats(0.001, 0.99), st.integers(2, 24), S._floats(0.01, 50), S._floats(0, 500))
def test_cohort_payback_month_of_a_geometric_curve_is_ceil_payback_months(c, k, contribution, cac):
    months = xm.payback_months(cac, contribution, 1.0, c)
    got = retention.cohort_payback_month([(1 - c) ** (a - 1) for a in range(1, k + 1)], contribution, cac)
    # at the boundary of never (the whole sum m / c equal to the CAC to the last bits) rounding decides
    assume(abs(cac * c / contribution - 1) > 1e-9)
    assume(math.isinf(months) or abs(months - round(months)) > 1e-7 or cac == 0)
    assert got == (math.ceil(months) if math.isfinite(months) else math.inf)


def test_cohort_payback_month_never_and_zero():
    curve = [1.0, 0.5, 0.25]  # q = 0.5: the whole sum is m * (1 + 0.5 + 0.25 + 0.25) = 2m
    assert retention.cohort_payback_month(curve, 10, 0) == 0.0
    assert (
        retention.cohort_payback_month(curve, 0, 0) == math.inf
    )  # no contribution: never, even for free users
    assert retention.cohort_payback_month(curve, -1, 5) == math.inf
    assert retention.cohort_payback_month(curve, 10, 20) == math.inf  # the whole sum only approaches 20
    assert (
        retention.cohort_payback_month(curve, 10, 19.999) == 15.0
    )  # 17.5 + 2.5 (1 - 0.5^n) >= 19.999: n = 12
    assert retention.cohort_payback_month(curve, 10, 17.5) == 3.0


def test_unit_economics_with_a_curve_report_the_cohort_payback_month():
    """With a curve, summary() has cohort_payback_month after the paybacks; without one, no such output."""
    s = dict(
        cash=1e6,
        mau=1e4,
        ad_spend=1e4,
        cac=0.5,
        paid_share=0.7,
        churn=0.1,
        conversion=0.05,
        arppu=10,
        cost_per_mau=0.2,
        horizon=24,
    )
    plain = xm.engine.summary(s)
    curved = xm.engine.summary(dict(s, retention=[0.6, 0.4, 0.3, 0.25]))
    assert "cohort_payback_month" not in plain
    names = list(curved)
    assert names[names.index("payback_months_paid") + 1] == "cohort_payback_month"
    assert curved["cac_per_active"] == pytest.approx(0.35 / 0.6, rel=1e-15)
    assert curved["cohort_payback_month"] == 3.0  # 0.3 a month x (1, 2/3, 1/2, ...): 0.3, 0.5, 0.65 >= 0.583
    # at cac 2 (2.33 per active user) the whole sum, tail included, is 1.14: never
    assert (
        xm.engine.summary(dict(s, cac=2, retention=[0.6, 0.4, 0.3, 0.25]))["cohort_payback_month"] == math.inf
    )
    assert xm.engine.OUTPUT_UNITS["cohort_payback_month"] == "months"


# ------------------------------------------------------------------ (4) the average curve of a triangle


def test_weighted_chained_average_by_hand():
    triangle = [[0.6, 0.4, 0.3], [0.5, 0.3], [0.7]]
    sizes = [100, 300, 200]
    r1 = (100 * 0.6 + 300 * 0.5 + 200 * 0.7) / 600
    r2 = r1 * (100 * 0.4 + 300 * 0.3) / (100 * 0.6 + 300 * 0.5)
    r3 = r2 * (100 * 0.3) / (100 * 0.4)
    assert retention.average_curve(triangle, sizes).tolist() == pytest.approx([r1, r2, r3], rel=1e-15)
    plain = [(0.6 + 0.5 + 0.7) / 3]
    plain.append(plain[0] * (0.4 + 0.3) / (0.6 + 0.5))
    plain.append(plain[1] * 0.3 / 0.4)
    assert retention.average_curve(triangle).tolist() == pytest.approx(plain, rel=1e-15)


def test_the_chained_average_does_not_rise_where_the_plain_mean_would():
    """A small old cohort that kept its users, large young ones that did not: month 3's plain mean is the old
    cohort alone and rises above month 2's; the chained average keeps falling."""
    triangle = [[1.0, 0.9, 0.85, 0.8], [1.0, 0.4, 0.3], [1.0, 0.35], [1.0]]
    sizes = [10, 1000, 1000, 1000]
    plain = [np.mean([r[a] for r in triangle if len(r) > a]) for a in range(4)]  # the plain mean by age
    assert plain[2] > plain[1]
    for w in (None, sizes):
        avg = retention.average_curve(triangle, w)
        assert np.all(np.diff(avg) < 0), avg
    weighted = retention.average_curve(triangle, sizes)
    # month 2 over the cohorts observed at month 2 (the youngest is not): 759 / 2010
    assert weighted[1] == pytest.approx((10 * 0.9 + 1000 * 0.4 + 1000 * 0.35) / (10 + 1000 + 1000), rel=1e-15)


@given(st.lists(st.lists(S._floats(0.01, 1), min_size=1, max_size=8), min_size=1, max_size=6), st.data())
def test_the_average_of_decaying_cohorts_never_rises(rows, data):
    triangle = [sorted(r, reverse=True) for r in rows]
    sizes = [data.draw(S._floats(1, 1e6)) for _ in triangle]
    for w in (None, sizes):
        avg = retention.average_curve(triangle, w)
        assert np.all(np.diff(avg) <= 1e-12 * avg[:-1])


def test_average_curve_rules():
    with pytest.raises(InputError, match="size must be above 0"):
        retention.average_curve([[1.0, 0.5]], [0])
    with pytest.raises(InputError, match="one number per cohort"):
        retention.average_curve([[1.0, 0.5], [1.0]], [1])
    with pytest.raises(InputError, match="retention shares must be above 0 and at most 1"):
        retention.average_curve([[1.0, 1.5]])


# ------------------------------------------------------------------ (5) the rules of a scenario's curve

BASE = dict(cash=1e6, mau=1e4, ad_spend=1e4, cac=2, churn=0.1, conversion=0.05, arppu=10, cost_per_mau=0.5)


def _load(*scenarios, path="f.toml"):
    names = ["base", "other", "third"]
    return assumptions.from_dict({"scenarios": dict(zip(names, scenarios))}, str(path))


@pytest.mark.parametrize(
    "curve, message",
    [
        (
            [1.0, 1.2, 0.5],
            (
                "f.toml: scenario 'base': retention: retention shares must be above 0 and at most 1 (share "
                "of the cohort active), got 1.2 in month 2"
            ),
        ),
        (
            [1.0, 0.0],
            "retention shares must be above 0 and at most 1 (share of the cohort active), got 0 in month 2",
        ),
        (
            [0.9],
            "f.toml: scenario 'base': retention: retention needs at least 2 months for the late retention ratio",
        ),
        (
            [1.0, 0.5, 0.5, 0.5, 0.5],
            (
                "f.toml: scenario 'base': retention: retention must decay past its last month: the "
                "late monthly retention ratio q = (r_k / r_(k-j)) ** (1/j), j = min(3, k-1), is 1, "
                "and the plan needs q below 1"
            ),
        ),
        ([1.0, 0.4, 0.5, 0.6, 0.7], "is 1.205071132, and the plan needs q below 1"),
        ("0.5, 0.4", "f.toml: scenario 'base': retention: must be a list of shares of an activated cohort"),
        ([1.0, True], "retention: must be a list of shares"),
        ({"low": 0.1, "high": 0.2}, "retention: must be a list of shares"),
    ],
)
def test_bad_curves_name_the_file_the_key_and_the_rule(curve, message):
    with pytest.raises(AssumptionsError) as e:
        _load(dict(BASE, retention=curve))
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_the_engine_names_the_rule_too():
    kw = dict(BASE, horizon=12)
    with pytest.raises(InputError, match="retention needs at least 2 months") as e:
        xm.project(**kw, retention=[1.0])
    assert e.value.argument == "retention"
    with pytest.raises(InputError, match="the plan needs q below 1"):
        xm.plan(**kw, retention=[1.0, 1.0])
    with pytest.raises(InputError, match="the plan needs q below 1"):
        xm.unit_economics(**kw, retention=[0.5, 0.5, 0.6])
    with pytest.raises(InputError, match="churn is required"):
        xm.unit_economics(**{k: v for k, v in kw.items() if k != "churn"})


def test_retention_and_retention_from_are_one_or_the_other(tmp_path):
    with pytest.raises(
        AssumptionsError,
        match="f.toml: scenario 'base': retention_from: give retention or retention_from, not both",
    ):
        _load(dict(BASE, retention=[1.0, 0.5], retention_from="cohorts.csv"))
    # an own curve of either kind replaces the inherited one
    (tmp_path / "c.csv").write_text("cohort,m1,m2,m3\n2024-01,1.0,0.5,0.3\n2024-02,1.0,0.4\n")
    a = _load(dict(BASE, retention=[1.0, 0.5]), {"retention_from": "c.csv"}, path=tmp_path / "f.toml")
    assert a.scenario("other")["retention"] == pytest.approx([1.0, 0.45, 0.27], rel=1e-15)
    assert a.retention_sources == {
        "other": {"file": str(tmp_path / "c.csv"), "cohorts": 2, "weighted": False}
    }
    a = _load(dict(BASE, retention_from="c.csv"), {"retention": [1.0, 0.6]}, path=tmp_path / "f.toml")
    assert a.scenario("other")["retention"] == [1.0, 0.6] and list(a.retention_sources) == ["base"]


@pytest.mark.parametrize("own", ["activation", "curve"])
def test_activation_below_1_beside_a_curve_measured_on_sign_ups_names_both(own):
    doc = dict(BASE, retention=[0.56, 0.36, 0.26], activation=0.5)
    with pytest.raises(AssumptionsError) as e:
        _load(doc)
    assert str(e.value) == (
        "f.toml: scenario 'base': activation: activation 0.5 and the retention curve give the "
        "activation twice: the curve is measured on sign-ups (its month 1, 0.56, is below 1 and "
        "is the activation); leave activation out, or give a curve of active users that starts "
        "at 1"
    )
    if (
        own == "activation"
    ):  # an own activation beside an inherited curve measured on sign-ups: the same error
        with pytest.raises(
            AssumptionsError,
            match="scenario 'other': activation: activation 0.5 and the retention "
            "curve give the activation twice",
        ):
            _load(dict(BASE, retention=[0.56, 0.36, 0.26]), {"activation": 0.5})
    else:  # an own curve measured on sign-ups holds the activation: an inherited activation is dropped
        a = _load(dict(BASE, activation=0.5), {"retention": [0.56, 0.36, 0.26]})
        assert a.scenario("other")["activation"] == 1.0
        ue = xm.unit_economics(**a.scenario("other"))
        assert ue.cac_per_active == pytest.approx(2 / 0.56, rel=1e-15)
    with pytest.raises(InputError, match="activation 0.5 and a retention curve measured on sign-ups"):
        xm.project(**dict(BASE, horizon=3), retention=[0.56, 0.36, 0.26], activation=0.5)


def test_churn_with_a_curve_defaults_to_1_minus_q_and_is_never_inherited_from_a_scenario_without_one():
    curve = [1.0, 0.6, 0.45, 0.4, 0.36]
    q = (0.36 / 0.6) ** (1 / 3)
    a = _load(dict(BASE, churn=0.45), {"retention": curve}, {"retention": curve, "churn": 0.3})
    assert a.scenario("base")["churn"] == 0.45
    assert a.scenario("other")["churn"] == pytest.approx(1 - q, rel=1e-15)
    assert a.scenario("third")["churn"] == 0.3
    # from a first scenario with a curve, its churn is inherited (with its curve, or with a curve of one's own)
    a = _load(
        dict({k: v for k, v in BASE.items() if k != "churn"}, retention=curve),
        {"cac": 3},
        {"retention": [1.0, 0.5, 0.3]},
    )
    assert a.scenario("base")["churn"] == a.scenario("other")["churn"] == pytest.approx(1 - q, rel=1e-15)
    assert a.scenario("third")["churn"] == pytest.approx(1 - 0.3**0.5, rel=1e-15)
    a = _load(dict(BASE, churn=0.2, retention=curve), {"retention": [1.0, 0.5, 0.3]})
    assert a.scenario("other")["churn"] == 0.2
    # a churn range of a first scenario without a curve is not inherited either
    a = _load(dict(BASE, churn={"low": 0.3, "high": 0.5}), {"retention": curve})
    assert "churn" not in a.ranges.get("other", {})


def test_a_missing_or_unreadable_cohorts_file_is_one_line(tmp_path):
    f = tmp_path / "f.toml"
    with pytest.raises(AssumptionsError) as e:
        _load(dict(BASE, retention_from="missing.csv"), path=f)
    assert str(e.value) == (
        f"{f}: scenario 'base': retention_from: cannot use the cohorts file: "
        f"{tmp_path / 'missing.csv'}: no such file"
    )
    (tmp_path / "bad.csv").write_text("cohort,m1,m2\n2024-01,1.0,abc\n")
    with pytest.raises(
        AssumptionsError,
        match=r"retention_from: cannot use the cohorts file: .*bad.csv: row 2: "
        "month 2: must be a number, got 'abc'",
    ):
        _load(dict(BASE, retention_from="bad.csv"), path=f)
    (tmp_path / "one.csv").write_text("cohort,m1\n2024-01,0.5\n")
    with pytest.raises(
        AssumptionsError,
        match="retention_from: .*one.csv: the cohorts' average curve: retention needs at least 2 months",
    ):
        _load(dict(BASE, retention_from="one.csv"), path=f)
    with pytest.raises(AssumptionsError, match="retention_from: must be the name of a cohorts CSV file"):
        _load(dict(BASE, retention_from=3), path=f)


def test_calc_runs_a_file_with_a_curve_end_to_end(tmp_path, monkeypatch):
    """retention_from is relative to the assumptions file, wherever calc runs; a missing file is exit 2, one line."""
    from xlmodel.cli import main

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "cohorts.csv").write_text(
        (ROOT_EXAMPLES / "cohorts-2024.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    lines = [f"{k} = {v!r}" for k, v in BASE.items() if k != "churn"]
    (tmp_path / "plans" / "a.toml").write_text(
        "[scenarios.base]\n" + "\n".join(lines) + '\nretention_from = "cohorts.csv"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["calc", "plans/a.toml", "--json"])
    assert result.exit_code == 0, result.output
    assert "cohort_payback_month" in result.output
    a = assumptions.load(tmp_path / "plans" / "a.toml")
    s = a.scenario()
    curve = __import__("json").loads(result.output)[
        "retention"
    ]  # where the curve comes from, and what it implies
    assert curve["source"].endswith("cohorts.csv") and curve["cohorts"] == 6 and curve["weighted"] is False
    assert curve["shares"] == s["retention"] and curve["activation_from_curve"] == s["retention"][0]
    assert curve["late_churn"] == pytest.approx(float(retention.cohort_churn(s["retention"])), rel=1e-12)
    assert curve["old_users_churn"] == s["churn"] == pytest.approx(curve["late_churn"], rel=1e-12)
    text = CliRunner().invoke(main, ["calc", "plans/a.toml"]).output
    assert "users follow the average curve of plans/cohorts.csv (6 cohorts, chained, unweighted" in text, text
    assert f"late churn of {curve['late_churn']:.1%} a month" in text
    assert s["retention"][0] == pytest.approx(
        np.mean([0.5617, 0.5787, 0.5858, 0.5519, 0.5553, 0.5690]), rel=1e-14
    )
    assert xm.unit_economics(**s).cac_per_active == pytest.approx(2 / s["retention"][0], rel=1e-15)
    (tmp_path / "plans" / "cohorts.csv").unlink()
    result = CliRunner().invoke(main, ["calc", "plans/a.toml"])
    assert result.exit_code == 2
    assert (
        result.output.strip().count("\n") == 0
        and "retention_from: cannot use the cohorts file" in result.output
    )


ROOT_EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"


# ------------------------------------------------------------------ a ranged factor: an uncertain curve in simulate


def test_retention_scale_scales_months_2_to_k_and_keeps_the_activation():
    assert retention.scale_curve([0.5, 0.4, 0.3], 1.25).tolist() == [0.5, 0.5, 0.375]
    assert retention.scale_curve([0.5, 0.9, 0.3], 1.25).tolist() == [0.5, 1.0, 0.375]  # a share is at most 1
    assert retention.scale_curve([0.5, 0.4, 0.3], np.array([1.0, 2.0])).tolist() == [
        [0.5, 0.4, 0.3],
        [0.5, 0.8, 0.6],
    ]
    kw = dict(BASE, horizon=24)
    curve = [0.6, 0.4, 0.3, 0.25]
    assert (
        xm.plan(**kw, retention=curve, retention_scale=1.2).outputs
        == xm.plan(**kw, retention=retention.scale_curve(curve, 1.2)).outputs
    )
    with pytest.raises(InputError, match="retention_scale scales a retention curve: give retention"):
        xm.project(**kw, retention_scale=1.1)
    with pytest.raises(
        AssumptionsError, match="scenario 'base': retention_scale: retention_scale scales a retention curve"
    ):
        _load(dict(BASE, retention_scale=1.1))
    with pytest.raises(
        AssumptionsError,
        match=r"scenario 'base': retention_scale: at the range's high 1.4: "
        "retention must decay past its last month",
    ):  # every share capped
        _load(dict(BASE, retention=[1.0, 0.8, 0.78, 0.77, 0.76], retention_scale={"low": 0.9, "high": 1.4}))


def test_a_simulation_draws_one_curve_per_draw_each_the_engine_alone():
    """simulate with a ranged retention_scale: draw i of every output is the engine on draw i's inputs."""
    a = _load(
        dict(
            BASE,
            retention=[0.56, 0.36, 0.26, 0.22, 0.2],
            fixed_costs=2e4,
            cost_per_mau=0.2,
            cac=0.5,
            retention_scale={"low": 0.8, "mode": 1.0, "high": 1.2},
        )
    )
    sim = xm.simulate(a.simulation_inputs(), draws=50, seed=3)
    drawn = sim.inputs["retention_scale"]
    assert np.ptp(sim.outputs["ltv"]) > 0
    for i in (0, 17, 49):
        one = xm.engine.summary(dict(a.scenario(), retention_scale=float(drawn[i])))
        for name in ("ltv", "runway_months", "ending_cash", "ltv_to_cac", "cohort_payback_month"):
            assert sim.outputs[name][i] == one[name], name
    assert np.isfinite(sim.outputs["cohort_payback_month"]).any()  # a payback that happens, not only never
    assert (
        "cohort_payback_month"
        not in xm.simulate(
            _load(dict(BASE, cash={"low": 1e5, "high": 2e5})).simulation_inputs(), draws=10, seed=3
        ).outputs
    )
