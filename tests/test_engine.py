import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel import InputError

from . import reference as ref
from . import strategies as S

RTOL = 1e-9


def close(a, b, scale=0.0, rtol=RTOL):
    if math.isinf(b) or math.isinf(a):
        return a == b
    return abs(a - b) <= rtol * max(abs(b), scale, 1e-300)


# --------------------------------------------------------------- golden values


def test_skok_ltv_and_lifetime():
    # David Skok, "SaaS Metrics 2.0" (forEntrepreneurs): LTV = ARPA * gross margin / churn,
    # customer lifetime = 1 / churn. ARPA 100, GM 80%, churn 2%: LTV 4,000, lifetime 50 months.
    assert xm.ltv(100, 0.8, 0.02) == pytest.approx(4000, rel=1e-12)
    # lifetime is the LTV of one unit of margin
    assert xm.ltv(1, 1, 0.02) == pytest.approx(1 / 0.02, rel=1e-12)


def test_blended_vs_paid_cac():
    # $1,000 spend, 20 new users, 5 of them paid: blended $50, paid $200
    # (the standard blended vs paid CAC illustration, e.g. Skok / a16z "16 startup metrics").
    assert xm.cac(1000, 20) == 50.0
    assert xm.cac(1000, 20, 5 / 20) == 200.0
    assert xm.cac(1000, 5) == 200.0


def test_runway_oracle():
    # docs/model.md oracle: cash 1.2M, fixed costs 150k, revenue 50k a month, nothing else: 12.0
    r = xm.runway_months(
        cash=1.2e6,
        mau=5e4,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=1,
        arppu=1,
        cost_per_mau=0,
        fixed_costs=1.5e5,
    )
    assert r == 12.0


def test_self_hosted_price():
    # docs/model.md / public inference cost guides: H100 at $2.00/h, 85 tok/s -> $6.5359 per 1M
    assert round(xm.gpu_price_per_mtok(2.0, 85), 4) == 6.5359


def test_excel_npv_documented_example():
    # Microsoft's NPV function page, example 1: NPV(10%, -10000, 3000, 4200, 6800) = 1,188.44
    assert round(xm.excel_npv(0.10, [-10000, 3000, 4200, 6800]), 2) == 1188.44
    # numpy-financial's own docstring example, written with a zero in front
    assert xm.excel_npv(0.08, [5000, 8000, 12000, 30000]) - 40000 == pytest.approx(3065.22267, abs=1e-5)


def test_migration_npv_equals_numpy_financial_identity():
    args = dict(
        monthly_tokens=2e9,
        large_price=10.0,
        small_price=0.6,
        migration_cost=80_000,
        months=18,
        annual_discount_rate=0.1,
        routed_share=0.7,
        token_growth=0.03,
        price_decline=0.02,
        monthly_revenue=100_000,
        revenue_loss=0.01,
    )
    d = (1 + 0.1) ** (1 / 12) - 1
    flows = ref.migration_flows(
        2e9,
        10.0,
        0.6,
        18,
        routed_share=0.7,
        token_growth=0.03,
        price_decline=0.02,
        monthly_revenue=100_000,
        revenue_loss=0.01,
    )
    identity = npf.npv(d, [-80_000] + flows)
    excel = -80_000 + ref.excel_npv(d, flows)  # Excel's -cost + NPV(d, net_1:net_n), computed independently
    got = xm.migration_npv(**args)
    assert got == pytest.approx(identity, rel=1e-12)
    assert got == pytest.approx(excel, rel=1e-12)


def test_monthly_rate():
    assert xm.monthly_rate(0.12) == pytest.approx(1.12 ** (1 / 12) - 1, rel=1e-14)
    assert xm.monthly_rate(0) == 0.0


# ------------------------------------------------------------------ invariants


@given(S.money, S.margin, S.churn_pos)
def test_ltv_zero_discount_is_skok(arpu, gm, churn):
    assert close(xm.ltv(arpu, gm, churn), arpu * gm / churn)


@given(S.money, S.margin, st.floats(0.05, 1), S.annual_rate)
def test_capped_ltv_approaches_unbounded(arpu, gm, churn, rate):
    # 0.95 ** 1200 < 1e-26: the capped sum has converged
    assert close(
        xm.ltv(arpu, gm, churn, rate, months=1200), xm.ltv(arpu, gm, churn, rate), scale=abs(arpu * gm)
    )


@given(st.floats(1, 1e7), st.floats(1, 1e6))
def test_runway_with_flat_burn_is_cash_over_burn(cash, burn):
    r = xm.runway_months(
        cash=cash,
        mau=0,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        fixed_costs=burn,
        horizon=1200,
    )
    expected = cash / burn
    if expected < 1200:
        assert close(r, expected, scale=1.0)


def test_migration_npv_at_irr_is_zero():
    # Choose the cost so that the IRR of the flows is exactly 1% a month: NPV at 1% is zero.
    flows = ref.migration_flows(1e9, 5.0, 1.0, 24)
    d = 0.01
    cost = ref.excel_npv(d, flows)
    annual = (1 + d) ** 12 - 1
    assert abs(xm.migration_npv(1e9, 5.0, 1.0, cost, 24, annual)) < 1e-6
    assert npf.irr([-cost] + flows) == pytest.approx(d, rel=1e-9)


def test_payback_degenerate_branches():
    assert xm.payback_months(100, 10, 0.5) == 20.0
    assert xm.payback_months(100, 10, 0) == math.inf  # no margin
    assert xm.payback_months(100, 10, -0.5) == math.inf  # negative margin
    assert xm.payback_months(100, 10, 0.5, churn=0.05) == math.inf  # x = 1: never
    assert xm.payback_months(0, 10, 0.5, churn=0.05) == 0.0
    assert xm.payback_months(3, 10, 0.5, churn=1.0) == 0.0  # churn 1: limit of the formula
    assert xm.payback_months(6, 10, 0.5, churn=1.0) == math.inf


def test_ltv_degenerate_branches():
    with pytest.raises(InputError, match="churn"):
        xm.ltv(10, 0.5, 0)  # unbounded, churn + d == 0
    assert xm.ltv(10, 0.5, 0, months=12) == 60.0  # m * N
    # churn + d == 0 with a negative rate: the limit m*N/(1+d), equal to Excel's NPV
    d = -0.01
    annual = (1 + d) ** 12 - 1
    churn = -xm.monthly_rate(annual)
    got = xm.ltv(10, 0.5, churn, annual, months=12)
    assert got == pytest.approx(ref.ltv(10, 0.5, churn, annual, 12), rel=1e-9)


# --------------------------------------------------- engine vs reference loops


@given(S.money, S.margin, S.churn, S.annual_rate, S.months)
def test_ltv_capped_matches_reference(arpu, gm, churn, rate, months):
    got = xm.ltv(arpu, gm, churn, rate, months=months)
    assert close(got, ref.ltv(arpu, gm, churn, rate, months), scale=abs(arpu * gm) * 1e-6)


@given(S.money, S.margin, S.churn_pos, S.annual_rate)
def test_ltv_unbounded_matches_reference(arpu, gm, churn, rate):
    assert close(xm.ltv(arpu, gm, churn, rate), ref.ltv(arpu, gm, churn, rate), scale=abs(arpu * gm) * 1e-6)


@given(S.money, S.money, S.margin, S.churn)
def test_payback_matches_reference(q, arpu, gm, churn):
    from fractions import Fraction

    m = arpu * gm
    # within 1e-9 of x = 1 the payback goes to infinity: which side of 1 a rounding falls is not a finding
    assume(m <= 0 or abs(Fraction(q) * Fraction(churn) / Fraction(m) - 1) > Fraction(1, 10**9))
    want = ref.payback_months(q, arpu, gm, churn)
    try:
        got = xm.payback_months(q, arpu, gm, churn)
    except xm.InputError as e:  # a payback that happens after more months than a float holds: an overflow
        assert "overflows floating point" in str(e) and math.isinf(want) and arpu * gm > 0 and churn < 1e-8
        return
    assert close(got, want)


@given(S.tokens, S.tokens, S.price, S.price, S.fraction, S.price)
def test_cost_per_mau_matches_formula(i, o, ip, op, cs, cp):
    expected = (i * (1 - cs) * ip + i * cs * cp + o * op) / 1e6
    assert close(xm.cost_per_mau(i, o, ip, op, cs, cp), expected, scale=(i * max(ip, cp) + o * op) / 1e6)
    assert xm.cost_per_mau(i, o, ip, op) == xm.cost_per_mau(i, o, ip, op, 0.0, ip)


@given(S.projection_inputs())
def test_projection_matches_reference(kw):
    got = xm.project(**kw)
    want = ref.project(**kw)
    scale = abs(kw["cash"]) + sum(abs(b) for b in want["net_burn"])
    for row in (r for r in xm.Projection.ROWS if r in want):  # version 2's lines (version 3's: reference_v3)
        g = getattr(got, row)
        assert g.shape == (kw["horizon"],)
        for t, (a, b) in enumerate(zip(g.tolist(), want[row])):
            # organic = new - paid is a difference, so its rounding error is relative to new users
            row_scale = {"cash": scale, "organic_new_users": abs(want["new_users"][t])}.get(row, 0.0)
            assert close(a, b, scale=row_scale), row


@given(S.projection_inputs())
def test_runway_matches_reference(kw):
    assert close(xm.runway_months(**kw), ref.runway_months(**kw))


@given(S.migration_inputs())
def test_migration_npv_matches_reference(kw):
    scale = (
        kw["migration_cost"] + kw["monthly_revenue"] * kw["months"] + kw["monthly_tokens"] * 200 / 1e6 * 1e3
    )
    assert close(xm.migration_npv(**kw), ref.migration_npv(**kw), scale=scale * 1e-3)


@given(S.unit_inputs())
def test_unit_economics_matches_table(kw):
    ue = xm.unit_economics(**kw)
    rev = kw["conversion"] * kw["arppu"]
    contrib = rev - kw["cost_per_mau"]
    gm = contrib / rev
    blended = kw["cac"] * kw["paid_share"]
    assert close(ue.blended_cac, blended)
    assert close(ue.revenue_per_mau, rev)
    assert close(ue.contribution_per_mau, contrib, scale=rev)
    assert close(ue.gross_margin, gm, scale=1.0)
    value = ref.ltv(rev, gm, kw["churn"], kw["annual_discount_rate"])
    assert close(ue.ltv, value, scale=abs(contrib) * 1e-6 + rev * 1e-9)
    assert close(ue.ltv_to_cac, ue.ltv / blended)
    assert close(ue.payback_months, ref.payback_months(blended, rev, gm, kw["churn"]))
    assert close(ue.breakeven_conversion, kw["cost_per_mau"] / kw["arppu"])


# ----------------------------------------------------- scalars, arrays, shapes


CLOSED_FORM = [
    (xm.monthly_rate, (0.1,)),
    (xm.cac, (1000.0, 20.0, 0.5)),
    (xm.cost_per_mau, (2e5, 5e4, 0.15, 0.6, 0.2, 0.075)),
    (xm.gpu_price_per_mtok, (2.0, 85.0, 0.9)),
    (xm.ltv, (10.0, 0.6, 0.05, 0.1)),
    (xm.payback_months, (30.0, 10.0, 0.6, 0.05)),
]


@pytest.mark.parametrize("fn,args", CLOSED_FORM, ids=lambda x: getattr(x, "__name__", ""))
def test_scalars_give_float_arrays_broadcast(fn, args):
    scalar = fn(*args)
    assert type(scalar) is float
    col = np.array([args[0], args[0] * 2, args[0] * 0.5])
    out = fn(col, *args[1:])
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    assert out[0] == pytest.approx(scalar, rel=1e-15)
    if len(args) > 1:
        grid = fn(col[:, None], *[np.array([a, a]) for a in args[1:]])
        assert grid.shape == (3, 2)


def test_project_vectorises_over_scenarios():
    base = dict(
        cash=1e6,
        mau=1e4,
        ad_spend=1e4,
        cac=2.0,
        churn=0.1,
        conversion=0.05,
        arppu=10.0,
        cost_per_mau=0.5,
        fixed_costs=5e4,
        horizon=24,
    )
    churns = np.array([0.05, 0.1, 0.2, 0.3])
    p = xm.project(**dict(base, churn=churns))
    assert p.cash.shape == (4, 24) and p.month.shape == (4, 24)
    for i, c in enumerate(churns):
        one = xm.project(**dict(base, churn=float(c)))
        np.testing.assert_array_equal(p.cash[i], one.cash)
    r = xm.runway_months(**dict(base, churn=churns))
    assert r.shape == (4,)
    assert r[1] == xm.runway_months(**base)


def test_migration_vectorises_over_rates_and_months():
    rates = np.array([0.0, 0.1, 0.3])
    months = np.array([6, 12, 24])
    out = xm.migration_npv(1e9, 5.0, 1.0, 1e4, months, rates)
    for i in range(3):
        assert out[i] == pytest.approx(
            xm.migration_npv(1e9, 5.0, 1.0, 1e4, int(months[i]), float(rates[i])), rel=1e-12
        )
    # one rate, a grid of scenarios (the workbook's sensitivity grid)
    shares = np.array([[0.25], [0.5], [1.0]])
    prices = np.array([[0.5, 1.0]])
    grid = xm.migration_npv(1e9, 5.0, prices, 1e4, 24, 0.1, routed_share=shares)
    assert grid.shape == (3, 2)
    assert grid[1, 0] == pytest.approx(
        xm.migration_npv(1e9, 5.0, 0.5, 1e4, 24, 0.1, routed_share=0.5), rel=1e-12
    )


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call,argument,message",
    [
        (lambda: xm.ltv(10, 0.5, 1.5), "churn", "churn must be between 0 and 1 (monthly fraction), got 1.5"),
        (lambda: xm.cac(1000, 0), "new_users", "new_users must be above 0, got 0"),
        (lambda: xm.cac(-1, 10), "spend", "spend must be 0 or more, got -1"),
        (
            lambda: xm.cac(1, 10, 0),
            "paid_share",
            "paid_share must be above 0 and at most 1 (fraction), got 0",
        ),
        (lambda: xm.cost_per_mau(1, 1, -0.15, 1), "input_price", "input_price must be 0 or more, got -0.15"),
        (
            lambda: xm.gpu_price_per_mtok(2, 0),
            "tokens_per_second",
            "tokens_per_second must be above 0, got 0",
        ),
        (
            lambda: xm.ltv(10, 0.5, 0.1, months=2.5),
            "months",
            "months must be a whole number of months from 1 to 1200, got 2.5",
        ),
        (lambda: xm.payback_months(10, float("nan"), 0.5), "arpu", "arpu must be 0 or more, got nan"),
        (lambda: xm.monthly_rate(-1), "annual", "annual must be above -1 (annual fraction), got -1"),
        (lambda: xm.cac("abc", 10), "spend", "spend must be a number, got 'abc'"),
        (
            lambda: xm.migration_npv(1e9, 5, 1, 0, 0, 0.1),
            "months",
            "months must be a whole number of months from 1 to 1200, got 0",
        ),
        (
            lambda: xm.runway_months(
                cash=1, mau=1, ad_spend=1, cac=0, churn=0, conversion=0, arppu=0, cost_per_mau=0
            ),
            "cac",
            "cac must be above 0, got 0",
        ),
        (
            lambda: xm.project(
                cash=1, mau=1, ad_spend=1, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0, horizn=3
            ),
            "horizn",
            "horizn is not an input of the model",
        ),
        (
            lambda: xm.unit_economics(cac=1, churn=0.1, conversion=0, arppu=10, cost_per_mau=1),
            "conversion",
            "revenue_per_mau (conversion * arppu) must be above 0 to compute gross_margin, got 0",
        ),
    ],
)
def test_invalid_input_names_argument_rule_and_value(call, argument, message):
    with pytest.raises(InputError) as e:
        call()
    assert str(e.value) == message
    assert e.value.argument == argument
    assert isinstance(e.value, ValueError)


def test_errors_report_first_bad_value_in_an_array():
    with pytest.raises(InputError, match="got 1.5"):
        xm.ltv(10, 0.5, np.array([0.1, 1.5, 2.0]))


# ---------------------------------------------------------------------- prices


def test_price_reads_bundled_data():
    # vendor list prices quoted in docs/model.md (late 2024)
    assert xm.price("gpt-4o-mini") == 0.15
    assert xm.price("gpt-4o-mini", "output") == 0.6
    assert xm.price("gpt-4o", "cached_input") == 1.25
    assert xm.price("claude-3-5-sonnet", "output", provider="anthropic") == 15.0


def test_unknown_model_suggests_close_names():
    with pytest.raises(xm.UnknownModelError) as e:
        xm.price("gpt-4o-mni")
    assert "gpt-4o-mini" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_price_bad_kind_and_provider():
    with pytest.raises(InputError, match="kind must be one of input, output, cached_input, got 'total'"):
        xm.price("gpt-4o", "total")
    with pytest.raises(
        InputError, match="provider must be a known provider id, got 'opena'; did you mean openai"
    ):
        xm.price("gpt-4o", provider="opena")


def test_import_is_light_and_offline():
    import subprocess
    import sys

    code = (
        "import sys, xlmodel, xlmodel.udfs; "
        "bad = [m for m in ('click', 'openpyxl', 'genai_prices', 'xlmodel.cli', 'xlmodel.workbook', 'httpx2', 'socket') "
        "if m in sys.modules and m != 'socket']; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_summary_of_a_free_app_has_undefined_outputs_not_errors():
    s = dict(
        cash=1e6, mau=1e4, ad_spend=1e4, cac=2.0, churn=0.0, conversion=0.0, arppu=10.0, cost_per_mau=0.5
    )
    out = xm.engine.summary(s)
    assert out["gross_margin"] is None and out["ltv"] is None and out["payback_months"] is None
    assert out["contribution_per_mau"] == -0.5 and out["breakeven_conversion"] == 0.05
    assert out["runway_months"] == xm.runway_months(**s)
    # revenue but no churn and no discounting: everything but the unbounded LTV
    out = xm.engine.summary(dict(s, conversion=0.1))
    assert out["ltv"] is None and out["ltv_to_cac"] is None
    assert out["gross_margin"] == 0.5 and out["payback_months"] == 2.0 / 0.5
    with pytest.raises(InputError, match="conversion must be between 0 and 1"):
        xm.engine.summary(dict(s, conversion=1.5))


# ------------------------------------------------------------ model version 2


@given(S.projection_v2_inputs())
def test_projection_v2_matches_reference(kw):
    """docs/model.md, version 2 (organic inflow, CAC elasticity, paying-user cost, migration month) against a plain loop."""
    got = xm.project(**kw)
    want = ref.project(**kw)
    scale = (
        abs(kw["cash"]) + sum(abs(b) for b in want["net_burn"]) + sum(want["compute"]) + sum(want["revenue"])
    )
    users = kw["mau"] + sum(want["new_users"])
    for row in (r for r in xm.Projection.ROWS if r in want):  # version 2's lines
        g = getattr(got, row)
        assert g.shape == (kw["horizon"],)
        s = {"cash": scale, "net_burn": scale, "compute": scale, "organic_new_users": users}.get(row, 0.0)
        for a, b in zip(g.tolist(), want[row]):
            assert close(a, b, scale=s), row


@given(S.projection_v2_inputs())
def test_runway_v2_matches_reference(kw):
    assert close(xm.runway_months(**kw), ref.runway_months(**kw))


@given(S.projection_inputs())
def test_version_2_defaults_reproduce_version_1_bit_for_bit(kw):
    """The new inputs at their defaults change no version-1 number, not even in the last bit."""
    v1 = ref.project_v1(**kw)
    got = xm.project(**kw, organic_growth=0.0, cac_elasticity=0.0)
    for row, want in v1.items():
        assert getattr(got, row).tolist() == want, row
    assert got.organic_new_users.tolist() == [
        n - p for n, p in zip(v1["new_users"], got.paid_new_users.tolist())
    ]


def test_cutting_ads_keeps_organic_inflow():
    """Version 1 loses every organic user with the ads; version 2's organic inflow stays."""
    base = dict(
        cash=1e9,
        mau=1e6,
        ad_spend=0.0,
        cac=30,
        churn=0.3,
        conversion=0.01,
        arppu=30,
        cost_per_mau=1.0,
        horizon=6,
    )
    v1 = xm.project(**base, paid_share=0.7)
    v2 = xm.project(**base, organic_users=2e5)
    assert v1.new_users.tolist() == [0.0] * 6
    assert v2.new_users.tolist() == [2e5] * 6 and v2.paid_new_users.tolist() == [0.0] * 6
    # MAU converges to organic / churn instead of decaying to 0
    assert v2.mau[-1] > 6e5 and v1.mau[-1] < 1.2e5


@given(S.projection_v2_inputs(), st.floats(0, 1e6))
def test_more_organic_users_never_shorten_runway_when_contribution_is_positive(kw, extra):
    kw = dict(kw, paid_share=1.0, paying_cost_per_mau=None, organic_users=kw.get("organic_users", 0.0))
    kw.pop("paying_cost_per_mau")
    worst_cost = kw["cost_per_mau"]
    if (
        kw.get("migration_month") is not None
    ):  # routing to a dearer "small" model raises the cost after migration
        worst_cost *= max(1.0, 1 - kw["routed_share"] * (1 - kw["small_price"] / kw["large_price"]))
    assume(kw["conversion"] * kw["arppu"] > worst_cost)
    a = xm.runway_months(**kw)
    b = xm.runway_months(**dict(kw, organic_users=kw["organic_users"] + extra))
    assert b >= a or math.isclose(a, b, rel_tol=1e-9)


def test_cac_rises_with_spend():
    # spend doubles every month; elasticity 0.5: CAC grows by sqrt(2) a month
    p = xm.project(
        cash=0,
        mau=0,
        ad_spend=100,
        ad_growth=1.0,
        cac=10,
        cac_elasticity=0.5,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        horizon=3,
    )
    assert np.allclose(p.paid_new_users, [10, 200 / (10 * 2**0.5), 400 / 20], rtol=1e-15)


def test_migration_month_cuts_compute_and_pays_once():
    kw = dict(
        cash=1e6,
        mau=1000,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=10,
        horizon=4,
        migration_month=3,
        large_price=120,
        small_price=1,
        routed_share=0.6,
        migration_cost=500,
    )
    p = xm.project(**kw)
    saving = 0.6 * (1 - 1 / 120)
    assert p.compute.tolist() == [1e4, 1e4, 1e4 * (1 - saving), 1e4 * (1 - saving)]
    assert p.migration_one_off.tolist() == [0, 0, 500, 0]
    out = xm.engine.summary(dict(kw, fixed_costs=3e5))
    assert out["runway_months"] > out["runway_months_without_migration"]


def test_migration_month_needs_its_inputs():
    kw = dict(
        cash=1, mau=1, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=1, migration_month=2
    )
    with pytest.raises(xm.InputError, match="large_price is required when migration_month is given"):
        xm.project(**kw)
    with pytest.raises(xm.InputError, match="large_price must be above 0 when migration_month is given"):
        xm.project(**kw, large_price=0, small_price=0, migration_cost=0)


def test_organic_users_with_paid_share_below_one_is_an_error():
    with pytest.raises(xm.InputError, match="paid_share must be 1 .* when organic_users is given"):
        xm.project(
            cash=1,
            mau=1,
            ad_spend=1,
            cac=1,
            churn=0,
            conversion=0,
            arppu=0,
            cost_per_mau=1,
            organic_users=5,
            paid_share=0.5,
        )
    with pytest.raises(xm.InputError, match="paid_share must be 1"):
        xm.unit_economics(
            cac=1,
            churn=0.1,
            conversion=0.1,
            arppu=1,
            cost_per_mau=0,
            ad_spend=1,
            organic_users=5,
            paid_share=0.5,
        )


@given(S.unit_inputs(), st.floats(0, 100), st.one_of(st.just(0.0), st.floats(1e-6, 1e7)), st.floats(0, 1e6))
def test_unit_economics_v2_matches_table(kw, pc, spend, organic):
    # (a subnormal spend makes the blended CAC subnormal and LTV/CAC overflow: tested on its own below)
    ue = xm.unit_economics(
        **dict(kw, paid_share=1.0),
        paying_cost_per_mau=pc,
        ad_spend=spend,
        organic_users=organic,
        undefined="none",
    )
    c, conv = kw["cost_per_mau"], kw["conversion"]
    blended_cost = (1 - conv) * c + conv * pc
    rev = conv * kw["arppu"]
    assert close(ue.blended_cost_per_mau, blended_cost, scale=max(c, pc))
    assert close(ue.contribution_per_mau, rev - blended_cost, scale=rev + max(c, pc))
    new_1 = spend / kw["cac"] + organic
    if new_1 > 0:
        assert close(ue.blended_cac, spend / new_1)
    assert ue.paid_cac == kw["cac"]
    assert close(ue.ltv_to_paid_cac, ue.ltv / kw["cac"])
    gm = (rev - blended_cost) / rev
    assert close(ue.payback_months_paid, ref.payback_months(kw["cac"], rev, gm, kw["churn"]))
    # break-even: revenue per MAU equals the blended cost at this conversion
    be = ue.breakeven_conversion
    if be is not None:
        assert close(be * kw["arppu"], c + be * (pc - c), scale=max(c, pc, kw["arppu"]))
    else:
        assert kw["arppu"] - (pc - c) <= 0


@given(S.unit_inputs())
def test_unit_economics_v2_defaults_are_version_1(kw):
    ue = xm.unit_economics(**kw)
    assert ue.blended_cac == kw["cac"] * kw["paid_share"]
    assert ue.blended_cost_per_mau == ue.cost_per_mau == ue.cost_per_paying_mau == kw["cost_per_mau"]
    assert ue.breakeven_conversion == kw["cost_per_mau"] / kw["arppu"]


# ------------------------------------------------------- streaming runway


@given(S.projection_v2_inputs())
def test_runway_stream_is_the_projection_bit_for_bit(kw):
    """The month-by-month stream keeps no month it has passed, yet gives the projection's runway exactly."""
    p = xm.project(**kw)
    got = xm.engine.runway_stream(**kw, without_migration=True)
    assert got.runway_months == xm.engine.runway_from_cash(kw["cash"], p.cash, p.net_burn)
    assert got.ending_cash == p.cash[-1]
    if kw.get("migration_month") is None:
        assert got.runway_months_without_migration is None
    else:
        q = xm.project(**dict(kw, migration_month=None))
        assert got.runway_months_without_migration == xm.engine.runway_from_cash(
            kw["cash"], q.cash, q.net_burn
        )
        assert got.ending_cash_without_migration == q.cash[-1]


def test_runway_stream_vectorised_equals_scalar_runs():
    rng = np.random.default_rng(3)
    n = 257
    kw = dict(
        cash=rng.uniform(-1e5, 5e6, n),
        mau=1e4,
        ad_spend=2e4,
        ad_growth=rng.uniform(-0.1, 0.2, n),
        cac=4,
        cac_elasticity=rng.uniform(0, 1, n),
        churn=rng.uniform(0, 0.5, n),
        conversion=0.05,
        arppu=12,
        cost_per_mau=0.3,
        fixed_costs=1.5e5,
        horizon=48,
        migration_month=12,
        large_price=10,
        small_price=1,
        routed_share=0.6,
        migration_cost=1e5,
    )
    got = xm.engine.runway_stream(**kw, without_migration=True)
    for i in range(0, n, 16):
        one = {k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        assert got.runway_months[i] == xm.runway_months(**one)
        assert got.runway_months_without_migration[i] == xm.runway_months(**dict(one, migration_month=None))
        assert got.ending_cash[i] == xm.project(**one).cash[-1]


def test_unit_economics_nan_mode_is_each_scenario_alone():
    """undefined="nan": a scenario's outputs are exactly those of a run on it alone (None there is nan here)."""
    rng = np.random.default_rng(5)
    n = 400
    kw = dict(
        cac=rng.uniform(1, 50, n),
        paid_share=1.0,
        churn=rng.choice([0.0, 0.05, 0.3], n),
        conversion=rng.choice([0.0, 0.01, 0.2], n),
        arppu=rng.uniform(0, 40, n),
        cost_per_mau=0.4,
        paying_cost_per_mau=rng.uniform(0, 60, n),
        annual_discount_rate=rng.choice([0.0, 0.1], n),
        ad_spend=rng.choice([0.0, 1e5], n),
        organic_users=rng.choice([0.0, 1e3], n),
    )
    got = xm.unit_economics(**kw, undefined="nan").as_dict()
    for i in range(n):
        one = xm.unit_economics(
            **{k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}, undefined="none"
        ).as_dict()
        for name, value in one.items():
            g = got[name][i]
            assert math.isnan(g) if value is None else g == value, (i, name, g, value)


@pytest.mark.parametrize("churn", [0.0, 5e-324, 1e-300, 1e-12])
def test_payback_is_continuous_down_to_subnormal_churn(churn):
    """cac*churn loses its digits below the normal range; the series keeps payback at cac/m = 12.5 there."""
    assert xm.payback_months(100, 10, 0.8, churn) == pytest.approx(12.5, rel=1e-9)


def test_overflow_is_an_error_naming_the_inputs_never_a_warning_or_never(recwarn):
    """Extreme finite inputs: one InputError that names them, on every surface; no RuntimeWarning, no "never"."""
    cases = [
        (lambda: xm.cac(1e308, 1e-308), "spend 1e+308, new_users 1e-308"),
        (lambda: xm.cost_per_mau(1e308, 1, 1e308, 1), "input_tokens 1e+308"),
        (lambda: xm.gpu_price_per_mtok(1e308, 1e-308), "gpu_hour_cost 1e+308, tokens_per_second 1e-308"),
        (lambda: xm.ltv(1e308, -1e308, 0.5), "arpu 1e+308, gross_margin -1e+308"),
        (lambda: xm.migration_npv(1e308, 0, 1e308, 0, 24, 0), "monthly_tokens 1e+308"),
        (lambda: xm.migration_npv(1e308, 1.0, 1.0, 0, 2, 0, token_growth=1.0), "monthly_tokens 1e+308"),
        (
            lambda: xm.unit_economics(cac=2, churn=0.1, conversion=0.01, arppu=1, cost_per_mau=1e308),
            "cost_per_mau 1e+308",
        ),
        (
            lambda: xm.unit_economics(
                cac=1,
                churn=1,
                conversion=1,
                arppu=1,
                cost_per_mau=0,
                ad_spend=1e-308,
                organic_users=2,
                paid_share=1.0,
            ),
            "ad_spend 1e-308",
        ),
        (
            lambda: xm.runway_months(
                cash=1e308,
                mau=1e308,
                ad_spend=1e308,
                cac=1e-308,
                churn=0.1,
                conversion=0.5,
                arppu=1e308,
                cost_per_mau=1e308,
            ),
            "cash 1e+308",
        ),
        (
            lambda: xm.project(
                cash=0, mau=1e308, ad_spend=0, cac=1, churn=0, conversion=1, arppu=1e308, cost_per_mau=0
            ),
            "mau 1e+308",
        ),
    ]
    for fn, named in cases:
        with pytest.raises(xm.InputError, match="overflows floating point") as e:
            fn()
        assert named in str(e.value), str(e.value)
    assert [w for w in recwarn if issubclass(w.category, RuntimeWarning)] == []


def test_unit_economics_of_one_ranged_input():
    """One input an array, the rest single values (a simulation of conversion alone): every output per scenario."""
    conv = np.array([0.0, 0.01, 0.2])
    ue = xm.unit_economics(cac=20, churn=0.1, conversion=conv, arppu=10, cost_per_mau=0.5, undefined="nan")
    assert ue.gross_margin.shape == ue.ltv.shape == (3,) and math.isnan(ue.gross_margin[0])
    for i, c in enumerate(conv[1:], start=1):
        one = xm.unit_economics(cac=20, churn=0.1, conversion=float(c), arppu=10, cost_per_mau=0.5)
        assert ue.ltv[i] == one.ltv and ue.payback_months[i] == one.payback_months
