"""Monte Carlo (docs/model.md, "Uncertainty") against exact answers.

Every statistical check uses a fixed seed and a tolerance of Z standard
errors of the Monte Carlo estimate, with the standard error computed from the
known distribution (never from an earlier run's output).
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import xlmodel as xm
from xlmodel.assumptions import load
from xlmodel.errors import InputError
from xlmodel.simulate import PERCENTILES, Range, check_correlations, parse_range, percentiles

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = ROOT / "examples" / "llm-assistant-2024.toml"
Z = 4.5  # a fixed seed makes each check deterministic; 4.5 SE keeps it from resting on a lucky draw
N = 40_000

# Flat burn: nothing but fixed costs, so cash falls by B a month and runway = cash / B exactly.
FLAT = dict(
    mau=0.0,
    ad_spend=0.0,
    cac=1.0,
    churn=0.0,
    conversion=0.0,
    arppu=0.0,
    cost_per_mau=0.0,
    fixed_costs=1_000.0,
    horizon=120,
)


def spearman(x, y):
    rx = np.argsort(np.argsort(x))
    ry = np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


# ----------------------------------------------------------- exact answers


def test_uniform_cash_with_flat_burn_gives_a_uniform_runway():
    a, b, burn = 6_000.0, 30_000.0, FLAT["fixed_costs"]
    sim = xm.simulate(dict(FLAT, cash={"low": a, "high": b}), draws=N, seed=11)
    lo, hi = a / burn, b / burn  # runway ~ U(6, 30) months
    width = hi - lo
    st = sim.stats("runway_months")
    assert abs(st["mean"] - (lo + hi) / 2) < Z * width / math.sqrt(12 * N)
    for p in PERCENTILES:
        q = p / 100
        exact = lo + q * width
        se = math.sqrt(q * (1 - q) / N) * width  # sqrt(q(1-q)/n) / density, density 1/width
        assert abs(st[f"p{p}"] - exact) < Z * se, p
    for m in (6, 12, 18, 24):
        share = (m - lo) / width
        se = math.sqrt(max(share * (1 - share), 1e-12) / N)
        assert abs(sim.share_below(m) - share) < Z * se + 1e-12, m
    assert st["share_never"] == 0.0
    assert st["min"] >= lo and st["max"] < hi


def test_uniform_cash_past_the_horizon_is_never():
    # runway ~ U(60, 180) months on a 120-month horizon: half the draws never run out
    sim = xm.simulate(dict(FLAT, cash={"low": 60_000.0, "high": 180_000.0}), draws=N, seed=2)
    st = sim.stats("runway_months")
    assert abs(st["share_never"] - 0.5) < Z * math.sqrt(0.25 / N)
    assert st["p95"] == math.inf and st["mean"] == math.inf and st["max"] == math.inf
    assert abs(st["p10"] - (60 + 0.1 * 120)) < Z * math.sqrt(0.09 / N) * 120
    doc = sim.summary()["outputs"]["runway_months"]
    assert doc["p95"] == "never" and doc["mean"] == "never"


def _linear_case(rng_spec, draws=N, seed=5):
    """revenue_per_mau = conversion * arppu with conversion 1: linear (the identity) in arppu."""
    s = dict(FLAT, cash=1e6, conversion=1.0, arppu=rng_spec)
    return xm.simulate(s, draws=draws, seed=seed).outputs["revenue_per_mau"]


@pytest.mark.parametrize(
    "spec,var",
    [
        ({"low": 2.0, "high": 10.0}, (10 - 2) ** 2 / 12),
        ({"low": 2.0, "mode": 3.0, "high": 10.0, "dist": "triangular"}, (4 + 9 + 100 - 6 - 20 - 30) / 18),
        (
            {"low": 2.0, "mode": 3.0, "high": 10.0},  # PERT: 2 + 8 * Beta(1.5, 4.5)
            64 * 1.5 * 4.5 / (6**2 * 7),
        ),
    ],
)
def test_each_distribution_has_its_closed_form_mean(spec, var):
    x = _linear_case(spec)
    r = parse_range("arppu", spec)
    assert abs(x.mean() - r.mean) < Z * math.sqrt(var / N)
    assert abs(x.var() - var) < Z * var * math.sqrt(2 / N) * 1.5  # kurtosis of these is below 4.5 (var of s2)
    assert x.min() >= r.low and x.max() <= r.high


def test_triangular_percentiles_are_the_inverse_cdf():
    lo, m, hi = 2.0, 3.0, 10.0
    x = _linear_case({"low": lo, "mode": m, "high": hi, "dist": "triangular"})
    got = percentiles(x)
    fm = (m - lo) / (hi - lo)
    for p, g in zip(PERCENTILES, got):
        q = p / 100
        exact = (
            lo + math.sqrt(q * (hi - lo) * (m - lo))
            if q < fm
            else hi - math.sqrt((1 - q) * (hi - lo) * (hi - m))
        )
        dens = (
            2 * (exact - lo) / ((hi - lo) * (m - lo))
            if exact < m
            else 2 * (hi - exact) / ((hi - lo) * (hi - m))
        )
        assert abs(g - exact) < Z * math.sqrt(q * (1 - q) / N) / dens, p


def test_pert_is_a_scaled_beta():
    # mode at the low end: Beta(1, 5), whose quantile is 1 - (1-q)^(1/5) and density 5(1-x)^4
    lo, hi = 4.0, 14.0
    x = _linear_case({"low": lo, "mode": lo, "high": hi})
    assert Range(lo, hi, lo, "pert").beta_parameters() == (1.0, 5.0)
    for p, g in zip(PERCENTILES, percentiles(x)):
        q = p / 100
        u = 1 - (1 - q) ** 0.2
        dens = 5 * (1 - u) ** 4 / (hi - lo)
        assert abs(g - (lo + (hi - lo) * u)) < Z * math.sqrt(q * (1 - q) / N) / dens, p
    # the mean of the default dist with a mode is docs/model.md's (low + 4 mode + high) / 6
    y = _linear_case({"low": 0.0, "mode": 7.0, "high": 10.0})
    var = 100 * (1 + 4 * 0.7) * (1 + 4 * 0.3) / (6**2 * 7)
    assert abs(y.mean() - (0 + 28 + 10) / 6) < Z * math.sqrt(var / N)


# -------------------------------------------------- engine equality and seeds


def _scalar(sim, i):
    """Draw i's scenario, as plain numbers."""
    s = dict(sim.base)
    for k, v in sim.inputs.items():
        s[k] = float(v[i])
    return s


def test_every_draw_is_the_deterministic_engine_run():
    a = load(ASSISTANT)
    inputs = a.simulation_inputs("base")
    inputs["input_price"] = {"low": 2.0, "mode": 4.7, "high": 6.0}  # cost per MAU re-derived per draw
    sim = xm.simulate(inputs, draws=300, seed=9, correlations=a.correlations_for("base"))
    assert set(sim.inputs) == set(a.ranges["base"]) | {"input_price"}
    for i in range(0, 300, 23):
        s = _scalar(sim, i)
        s["cost_per_mau"] = xm.cost_per_mau(
            s["input_tokens"],
            s["output_tokens"],
            s["input_price"],
            s["output_price"],
            s.get("cached_share", 0.0),
            s.get("cached_price"),
        )
        want = xm.engine.summary(s)
        want["ending_cash"] = float(xm.project(**s).cash[-1])
        for name, value in want.items():
            got = float(sim.outputs[name][i])
            assert math.isnan(got) if value is None else got == value, (i, name, got, value)


def test_same_seed_same_bits_other_seed_other_draws():
    a = load(ASSISTANT)
    args = dict(draws=2_000, correlations=a.correlations_for("base"))
    one = xm.simulate(a.simulation_inputs(), seed=4, **args)
    two = xm.simulate(a.simulation_inputs(), seed=4, **args)
    other = xm.simulate(a.simulation_inputs(), seed=5, **args)
    for k in one.outputs:
        assert one.outputs[k].tobytes() == two.outputs[k].tobytes()
    for k in one.inputs:
        assert one.inputs[k].tobytes() == two.inputs[k].tobytes()
        assert not np.array_equal(one.inputs[k], other.inputs[k])
    assert one.summary() == two.summary()
    assert one.summary()["outputs"]["runway_months"] != other.summary()["outputs"]["runway_months"]


def test_chunks_do_not_change_a_draw(monkeypatch):
    a = load(ASSISTANT)
    whole = xm.simulate(a.simulation_inputs(), draws=3_000, seed=1)
    monkeypatch.setattr(sys.modules["xlmodel.simulate"], "CHUNK", 256)
    parts = xm.simulate(a.simulation_inputs(), draws=3_000, seed=1)
    for k in whole.outputs:
        assert whole.outputs[k].tobytes() == parts.outputs[k].tobytes(), k


def test_no_ranges_every_statistic_is_the_deterministic_value():
    a = load(ASSISTANT)
    s = a.scenario("downside")
    sim = xm.simulate(s, draws=1_000, seed=0)
    assert sim.inputs == {} and sim.ranges == {}
    want = xm.engine.summary(s)
    for name, value in want.items():
        st = sim.stats(name)
        for k in ["mean", "min", "max"] + [f"p{p}" for p in PERCENTILES]:
            assert st[k] == value or (value is None and math.isnan(st[k])), (name, k)  # None: n/a
        if "share_never" in st:
            assert st["share_never"] == (1.0 if math.isinf(value) else 0.0)
    assert sim.tornado("runway_months") == []


def test_undefined_draws_are_counted_not_dropped():
    # a free app has no gross margin, LTV or payback in any draw: n/a, counted
    sim = xm.simulate(dict(FLAT, cash=1e6, churn={"low": 0.1, "high": 0.3}), draws=500)
    st = sim.stats("ltv")
    assert st["share_na"] == 1.0 and math.isnan(st["mean"]) and math.isnan(st["p50"])
    assert sim.summary()["outputs"]["ltv"]["p50"] is None
    assert sim.stats("runway_months")["share_na"] == 0.0


def test_percentiles_touching_a_never_are_never():
    x = np.array([1.0, 2.0, 3.0, np.inf])
    assert percentiles(x, [0, 50, 66.6, 90, 100]).tolist()[:2] == [1.0, 2.5]
    assert percentiles(x, [90, 100]).tolist() == [math.inf, math.inf]
    assert percentiles(np.array([1.0, 2.0, np.inf, np.inf]), [50]).tolist() == [math.inf]
    assert percentiles(np.array([1.0, 2.0, 3.0, 4.0, np.inf]), [75]).tolist() == [4.0]  # on 4 exactly
    finite = np.random.default_rng(0).normal(size=101)
    assert percentiles(finite).tolist() == np.percentile(finite, PERCENTILES).tolist()


# ------------------------------------------------------------------- tornado


def test_tornado_rows_are_deterministic_runs_sorted_by_swing():
    a = load(ASSISTANT)
    sim = xm.simulate(a.simulation_inputs(), draws=200)
    base = a.scenario()
    for output in ("runway_months", "ltv", "migration_npv"):
        rows = sim.tornado(output)
        assert [r["input"] for r in rows] and len(rows) == len(a.ranges["base"])
        for r in rows:
            for end in ("low", "high"):
                s = dict(base, **{r["input"]: r[end]})
                want = xm.engine.summary(s)[output]
                assert r[f"at_{end}"] == want, (output, r["input"], end)
        h = base["horizon"]
        swings = [abs(min(r["at_high"], h) - min(r["at_low"], h)) for r in rows]
        assert swings == sorted(swings, reverse=True)
    assert sim.tornado("runway_months")[0]["input"] == "ad_growth"  # spend growth dominates the runway


# --------------------------------------------------------------- correlation


@pytest.mark.parametrize("rho", [0.6, -0.4, 0.9])
def test_iman_conover_hits_the_target_and_keeps_the_marginals(rho):
    s = dict(
        FLAT,
        cash=1e6,
        cac={"low": 20, "mode": 30, "high": 50},
        ad_growth={"low": -0.05, "high": 0.1},
        churn={"low": 0.1, "mode": 0.2, "high": 0.5},
    )
    plain = xm.simulate(s, draws=10_000, seed=3)
    corr = xm.simulate(s, draws=10_000, seed=3, correlations={("cac", "ad_growth"): rho})
    assert abs(spearman(corr.inputs["cac"], corr.inputs["ad_growth"]) - rho) < 0.03
    assert abs(spearman(corr.inputs["cac"], corr.inputs["churn"])) < 0.03  # pairs not named stay independent
    for k in plain.inputs:
        assert np.sort(plain.inputs[k]).tobytes() == np.sort(corr.inputs[k]).tobytes()


def test_bad_correlations():
    ranged = {"cac": 1, "churn": 1, "conversion": 1}
    with pytest.raises(InputError, match="arppu has no range"):
        check_correlations({"cac,arppu": 0.5}, ranged)
    with pytest.raises(InputError, match="from -1 to 1, got 1.5"):
        check_correlations({"cac,churn": 1.5}, ranged)
    with pytest.raises(InputError, match="not positive definite"):
        check_correlations({"cac,churn": 0.9, "churn,conversion": 0.9, "cac,conversion": -0.9}, ranged)


@pytest.mark.parametrize(
    "spec,message",
    [
        (
            {"low": 0.2, "high": 1.2},
            "churn range high: churn must be between 0 and 1 (monthly fraction), got 1.2",
        ),
        ({"low": 0.5, "high": 0.2}, "churn range needs low < high, got low 0.5 and high 0.2"),
        (
            {"low": 0.2, "mode": 0.9, "high": 0.5},
            "churn range needs low <= mode <= high, got mode 0.9 outside 0.2..0.5",
        ),
        (
            {"low": 0.2, "high": 0.5, "dist": "normal"},
            "churn range dist must be one of uniform, triangular, pert, got 'normal'",
        ),
        ({"low": 0.2, "high": 0.5, "dist": "triangular"}, "churn range: a triangular range needs a mode"),
        ({"low": 0.2}, "churn range needs low and high (missing high)"),
        ({"low": 0.2, "high": 0.5, "hi": 1}, "churn range has an unknown key 'hi'"),
    ],
)
def test_bad_ranges(spec, message):
    with pytest.raises(InputError) as e:
        parse_range("churn", spec)
    assert str(e.value).startswith(message)


def test_integer_inputs_take_no_range():
    with pytest.raises(InputError, match="months is a whole number of months and takes no range"):
        parse_range("months", {"low": 12, "high": 24})


def test_bad_draws_and_seed():
    with pytest.raises(InputError, match="draws must be a whole number"):
        xm.simulate(dict(FLAT, cash=1.0), draws=0)
    with pytest.raises(InputError, match="seed must be a whole number"):
        xm.simulate(dict(FLAT, cash=1.0), seed=-1)


def test_share_that_needs_funding_matches_a_closed_form():
    """Cash uniform on [2e5, 1e6] and conversion uniform on [0, 0.2]; revenue 1e5 x conversion a month against
    costs of 2e4 (compute 1e4, fixed 1e4), flat over 36 months, and a buffer of 1e5. A draw needs money when
    cash - 36 x (2e4 - 1e5 conversion) < 1e5, i.e. cash + 3.6e6 conversion < 8.2e5: the share is the area of that
    triangle over the rectangle of draws. None breaks even (conversion would need to reach 0.2)."""
    n = 40_000
    scen = dict(
        cash={"low": 2e5, "high": 1e6},
        mau=1e4,
        ad_spend=0.0,
        cac=1.0,
        churn=0.0,
        conversion={"low": 0.0, "high": 0.2},
        arppu=10.0,
        cost_per_mau=1.0,
        fixed_costs=1e4,
        min_cash=1e5,
        horizon=36,
    )
    sim = xm.simulate(scen, draws=n, seed=3)
    assert sim.share_break_even() == 0.0
    conv, cash = sim.inputs["conversion"], sim.inputs["cash"]
    want = np.mean(cash - 36 * (2e4 - 1e5 * conv) < 1e5)  # the same draws: exact
    assert sim.share_need_funding() == want
    v_max = (8.2e5 - 2e5) / 3.6e6  # 0.1722: where the line meets cash = 2e5
    area = (8.2e5 - 2e5) * v_max / 2  # a triangle: cash from 2e5 to 8.2e5 - 3.6e6 v, v from 0 to v_max
    p = area / (8e5 * 0.2)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(sim.share_need_funding() - p) < 5 * se, (sim.share_need_funding(), p, se)
    need = sim.outputs["funding_need"]
    short = need > 0
    assert np.allclose(need[short], (1e5 - (cash - 36 * (2e4 - 1e5 * conv)))[short], rtol=1e-9)
    doc = sim.summary()
    assert doc["share_need_funding"] == sim.share_need_funding() and doc["share_break_even"] == 0.0


def test_share_that_breaks_even_matches_a_closed_form():
    """Conversion uniform on [0, 0.4]: revenue 1e5 x conversion covers costs of 2e4 from month 1 on when
    conversion >= 0.2: share 0.5, within 5 standard errors."""
    n = 40_000
    sim = xm.simulate(
        dict(
            cash=1e6,
            mau=1e4,
            ad_spend=0.0,
            cac=1.0,
            churn=0.0,
            conversion={"low": 0.0, "high": 0.4},
            arppu=10.0,
            cost_per_mau=1.0,
            fixed_costs=1e4,
            horizon=24,
        ),
        draws=n,
        seed=5,
    )
    se = math.sqrt(0.25 / n)
    assert abs(sim.share_break_even() - 0.5) < 5 * se
    be = sim.outputs["breakeven_month"]
    assert set(np.unique(be[np.isfinite(be)])) == {1.0}  # flat: from month 1, for good
    assert np.array_equal(np.isfinite(be), sim.inputs["conversion"] >= 0.2)


def test_ranged_changes_and_rounds_are_drawn():
    """A change level and a round amount given as ranges are drawn like any input (named ad_spend@4, funding@6)."""
    from xlmodel import assumptions

    a = assumptions.from_dict(
        {
            "model": {"horizon": 12, "draws": 2000, "seed": 1},
            "scenarios": {
                "b": dict(
                    cash=1e6,
                    mau=0,
                    ad_spend=0,
                    cac=1,
                    churn=0,
                    conversion=0,
                    arppu=0,
                    cost_per_mau=0,
                    fixed_costs=1e5,
                    changes=[{"month": 4, "fixed_costs": {"low": 5e4, "high": 1.5e5}}],
                    funding=[{"month": 6, "amount": {"low": 0, "high": 4e5}}],
                )
            },
        },
        "r.toml",
    )
    assert set(a.ranges["b"]) == {"fixed_costs@4", "funding@6"}
    sim = xm.simulate(a.simulation_inputs("b"), draws=2000, seed=1)
    f, r = sim.inputs["fixed_costs@4"], sim.inputs["funding@6"]
    assert 5e4 <= f.min() and f.max() <= 1.5e5 and 0 <= r.min() and r.max() <= 4e5
    want = 1e6 - 3 * 1e5 - 9 * f + r  # cash at month 12
    assert np.allclose(sim.outputs["ending_cash"], want, rtol=1e-12)
    assert [t["input"] for t in sim.tornado("runway_months")]  # the tornado moves them too
