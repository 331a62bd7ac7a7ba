"""Goal seek (docs/model.md, "Goal seek"; issue 17): closed-form oracles, answers fed back into the engine, several
crossings, step outputs, whole-number inputs, the bounds, every refusal, the command and the Excel function."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from xlmodel.assumptions import load
from xlmodel.cli.common import XlmodelGroup
from xlmodel.cli.decisions import sensitivity as sensitivity_command
from xlmodel.cli.decisions import solve as solve_command
from xlmodel.engine import summary
from xlmodel.errors import InputError
from xlmodel.sensitivity import Trials
from xlmodel.simulate import simulate
from xlmodel.solve import LOWER_IS_BETTER, default_bounds, solve
from xlmodel.udfs.solve import LLM_SOLVE

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"


def flat(burn=100.0, cash=1200.0, horizon=60, **more):
    """Cash burns ``burn`` a month, nothing else moves: the runway is cash / burn."""
    return {
        **dict(
            cash=cash,
            mau=0,
            ad_spend=0,
            cac=1,
            churn=0,
            conversion=0,
            arppu=0,
            cost_per_mau=0,
            fixed_costs=burn,
            horizon=horizon,
        ),
        **more,
    }


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


# ------------------------------------------------------------------ closed forms


@pytest.mark.parametrize("runway,burn", [(18, 100.0), (6.5, 2.5e8), (1, 7.0), (59.25, 1e-3)])
def test_with_a_flat_burn_the_cash_for_a_runway_is_runway_times_burn(runway, burn):
    r = solve(
        flat(burn, cash=0.7 * runway * burn), "cash", "runway_months", runway
    )  # bounds: 0 .. 10x the base
    assert r.reached and r.crossings == (r.value,)
    assert r.value == pytest.approx(runway * burn, rel=1e-9)
    assert r.side == ("above",) and r.steps == (False,) and r.meets == "at or above"


def test_the_burn_for_a_runway_is_cash_over_runway():
    r = solve(flat(cash=1800), "fixed_costs", "runway_months", 18)
    assert r.value == pytest.approx(100, rel=1e-9) and r.side == ("below",)


@pytest.mark.parametrize("scenario", ["base", "upside", "downside"])
def test_the_conversion_where_contribution_is_0_is_the_breakeven_conversion(example, scenario):
    s = example.scenario(scenario)
    r = solve(s, "conversion", "contribution_per_mau", 0)
    assert r.value == pytest.approx(summary(s)["breakeven_conversion"], rel=1e-9)


def test_a_uniform_cash_range_and_a_flat_burn_the_burn_whose_p10_runway_is_18():
    """runway_i = cash_i / burn, so its P10 over the draws is P10(cash_i) / burn: exact given the draws, and
    P10 of uniform(lo, hi) = lo + 0.1 (hi - lo) in closed form, within its standard error."""
    lo, hi, n = 1000.0, 3000.0, 20_000
    s = flat(cash={"low": lo, "high": hi})
    r = solve(s, "fixed_costs", "runway_months", 18, low=10, high=1000, statistic="p10", draws=n, seed=3)
    cash = simulate(s, draws=n, seed=3).inputs["cash"]
    assert r.value == pytest.approx(np.percentile(cash, 10) / 18, rel=1e-9)
    se = (hi - lo) * math.sqrt(0.1 * 0.9 / n)  # the P10 of a uniform's draws: density 1/(hi-lo)
    assert abs(r.value - (lo + 0.1 * (hi - lo)) / 18) < 4 * se / 18


def test_a_uniform_burn_range_the_cash_whose_p10_runway_is_18():
    """runway_i = cash / burn_i: the P10 is cash x P10(1 / burn_i), so cash* = 18 / P10(1/burn_i) given the
    draws; in closed form 18 x P90(burn) = 18 (a + 0.9 (b - a)), within the standard error."""
    a, b, n = 80.0, 120.0, 20_000
    s = flat(burn={"low": a, "high": b})
    r = solve(s, "cash", "runway_months", 18, low=0, high=5000, statistic="p10", draws=n, seed=1)
    burn = simulate(dict(s, cash=1000), draws=n, seed=1).inputs["fixed_costs"]
    assert r.value == pytest.approx(18 / np.percentile(1 / burn, 10), rel=1e-9)
    se = (b - a) * math.sqrt(0.9 * 0.1 / n)
    assert abs(r.value - 18 * (a + 0.9 * (b - a))) < 4 * 18 * se
    assert r.statistic == "p10" and r.draws == n and r.seed == 1


def test_a_break_even_month_is_a_step_solved_to_its_boundary():
    """Revenue grows linearly (organic users, no churn): month 24 breaks even from the conversion c* at which
    its revenue equals the fixed costs, and month 25 just below it."""
    mau0, organic, arppu, fixed = 1000.0, 100.0, 10.0, 5000.0
    s = dict(flat(fixed, cash=1e9), mau=mau0, organic_users=organic, arppu=arppu)
    c_star = fixed / ((mau0 + 24 * organic) * arppu)
    r = solve(s, "conversion", "breakeven_month", 24)
    assert r.meets == "at or below" and r.side == ("above",) and r.steps == (True,)
    assert r.value == pytest.approx(c_star, rel=1e-9) and r.value >= c_star
    assert summary(dict(s, conversion=r.value))["breakeven_month"] <= 24
    assert summary(dict(s, conversion=c_star * (1 - 1e-6)))["breakeven_month"] == 25
    assert r.around[0] == (25.0, 24.0)


def test_a_runway_that_jumps_to_never_is_solved_to_the_cash_that_survives_the_trough():
    """Burn 100 a month for 10 months, then earn 100 a month: any cash from 1,000 never runs out."""
    s = flat(cash=500, mau=200, arppu=1, changes=[{"month": 11, "conversion": 1}])
    for target in (math.inf, 12):
        r = solve(s, "cash", "runway_months", target, low=0, high=5000)
        assert r.value == pytest.approx(1000, rel=1e-9) and r.value >= 1000
        assert r.side == ("above",) and r.steps == (True,) and r.around[0][1] == math.inf
        assert summary(dict(s, cash=r.value))["runway_months"] == math.inf
    assert solve(s, "cash", "runway_months", math.inf, low=0, high=5000).as_dict()["around"][0][1] == "never"


def test_whole_number_inputs_solve_on_whole_numbers():
    """Savings of 30 a month against a one-off 100, undiscounted: the standalone migration's NPV turns
    positive from months = ceil(100 / 30) = 4, its payback month."""
    s = dict(
        flat(),
        monthly_tokens=1e6,
        large_price=40,
        small_price=10,
        migration_cost=100,
        months=12,
        annual_discount_rate=0,
        routed_share=1,
        token_growth=0,
        price_decline=0,
        monthly_revenue=0,
        revenue_loss=0,
    )
    r = solve(s, "months", "migration_npv", 0)
    assert r.integer and r.value == 4 and r.side == ("above",) and (r.low, r.high) == (1, 1200)
    assert r.value == summary(s)["migration_payback_month"]
    assert r.as_dict()["value"] == 4 and isinstance(r.as_dict()["value"], int)


def test_migration_month_stays_within_the_horizon_and_solves_on_whole_months(example):
    s = example.scenario("base")
    r = solve(s, "migration_month", "runway_months", 27.5)
    assert (r.low, r.high) == (1, 60) and float(r.value).is_integer()
    assert summary(dict(s, migration_month=r.value))["runway_months"] >= 27.5
    beyond = r.value + (1 if r.side == ("below",) else -1)
    assert summary(dict(s, migration_month=beyond))["runway_months"] < 27.5


def test_an_input_the_scenario_leaves_out_may_vary(example):
    """Until when does a round of 9B keep the cash above min_cash to the horizon? raise_month is not given in the
    example (the funding month is the first month short): the base is the plan as it is."""
    s = example.scenario("base")
    r = solve(s, "raise_month", "funding_need", 9e9)
    assert r.base is None and r.at_base == summary(s)["funding_need"] and r.as_dict()["base"]["value"] is None
    assert (r.low, r.high) == (1, 60) and r.side == ("below",) and float(r.value).is_integer()
    assert summary(dict(s, raise_month=r.value))["funding_need"] <= 9e9
    assert summary(dict(s, raise_month=r.value + 1))["funding_need"] > 9e9


# ------------------------------------------------------------------ fed back into the engine


@pytest.mark.parametrize(
    "scenario,vary,output,target",
    [
        ("base", "ad_spend", "runway_months", 18),
        ("base", "cash", "runway_months", 18),
        ("base", "ad_growth", "runway_months", 36),
        ("base", "fixed_costs", "lowest_cash", -5e9),
        ("base", "routed_share", "runway_months", 27.6),
        ("base", "conversion", "burn_multiple", 50),
        ("base", "interest_rate", "ending_cash", -8e9),
        ("cut-ads-raise", "ad_spend", "runway_months", 40),
    ],
)
def test_each_answer_fed_back_into_calc_reproduces_the_target(example, scenario, vary, output, target):
    s = example.scenario(scenario)
    r = solve(s, vary, output, target)
    assert r.reached
    assert summary(dict(s, **{vary: r.value}))[output] == pytest.approx(target, rel=1e-9)
    assert r.at_base == summary(s)[output] and r.base == s[vary]
    assert r.range[0] <= target <= r.range[1]


@pytest.mark.parametrize(
    "vary,statistic,target",
    [("ad_spend", "p10", 18), ("cash", "p50", 30), ("churn", "mean", 29.4), ("fixed_costs", "p90", 30)],
)
def test_a_statistic_answer_fed_back_into_simulate_reproduces_the_target(example, vary, statistic, target):
    si, corr = example.simulation_inputs("base"), example.correlations_for("base")
    r = solve(si, vary, "runway_months", target, statistic=statistic, draws=2000, seed=5, correlations=corr)
    assert r.reached
    kept = {k: v for k, v in corr.items() if vary not in k}
    sim = simulate(dict(si, **{vary: r.value}), draws=2000, seed=5, correlations=kept)
    assert sim.stats("runway_months")[statistic] == pytest.approx(target, rel=1e-9)
    # the same draws: a trial value evaluated by the goal seek is exactly what simulate reports there
    trials = Trials(si, (vary,), "runway_months", statistic, 2000, 5, corr)
    x = np.array([r.value, r.base * 0.9 if r.base else 0.1])
    got = trials({vary: x})
    for xi, gi in zip(x, got):
        want = simulate(dict(si, **{vary: xi}), draws=2000, seed=5, correlations=kept).stats("runway_months")
        assert gi == want[statistic]


def test_the_base_of_a_statistic_is_simulate_s_own_number(example):
    si, corr = example.simulation_inputs("base"), example.correlations_for("base")
    r = solve(si, "ad_spend", "runway_months", 18, statistic="p10", draws=1000, correlations=corr)
    assert r.at_base == simulate(si, draws=1000, correlations=corr).stats("runway_months")["p10"]


# ------------------------------------------------------------------ several crossings, not reached


def hump(**more):
    """CAC rises with spend (elasticity 0.5): the cash at the horizon first rises with ad spend, then falls."""
    return dict(
        cash=0,
        mau=0,
        ad_spend=100,
        cac=1,
        churn=0.5,
        conversion=1,
        arppu=1,
        cost_per_mau=0,
        cac_elasticity=0.5,
        cac_spend=100,
        horizon=12,
        **more,
    )


def test_every_crossing_of_a_non_monotone_output_is_found():
    s = hump()
    r = solve(s, "ad_spend", "ending_cash", 500, low=1, high=2000)
    assert len(r.crossings) == 2 and list(r.crossings) == sorted(r.crossings)
    for x in r.crossings:
        assert summary(dict(s, ad_spend=x))["ending_cash"] == pytest.approx(500, rel=1e-9)
    assert r.side == ("above", "below")
    assert r.value == min(r.crossings, key=lambda c: abs(c - 100))  # nearest the base
    top = max(summary(dict(s, ad_spend=x))["ending_cash"] for x in np.linspace(1, 2000, 400))
    assert r.range[1] == pytest.approx(top, rel=1e-3)


def test_a_target_out_of_reach_is_an_answer_with_the_range():
    r = solve(flat(), "cash", "runway_months", 18, low=0, high=1000)
    assert not r.reached and r.value is None and r.crossings == ()
    assert r.range == (0.0, 10.0)
    d = r.as_dict()
    assert d["reached"] is False and d["value"] is None and d["range"] == [0.0, 10.0]


def test_never_counts_as_infinity():
    """A runway of a million months is reached where the cash lasts the horizon (60 x 100)."""
    r = solve(flat(), "cash", "runway_months", 1e6, low=0, high=1e5)
    assert r.value == pytest.approx(6000, rel=1e-9) and r.steps == (True,)
    assert r.range == (0.0, math.inf) and r.as_dict()["range"] == [0.0, "never"]


def test_an_n_a_point_breaks_a_bracket():
    """LTV/CAC is n/a without revenue (conversion 0): no crossing is reported across it."""
    s = dict(flat(), mau=100, ad_spend=10, conversion=0.5, arppu=2, churn=0.1)
    r = solve(s, "conversion", "ltv_to_cac", 0, low=0, high=1)
    assert all(c > 0 for c in r.crossings)


# ------------------------------------------------------------------ the JSON document


def test_the_json_shape(example):
    d = solve(example.scenario("base"), "ad_spend", "runway_months", 18).as_dict()
    for key in (
        "vary",
        "output",
        "target",
        "statistic",
        "low",
        "high",
        "value",
        "reached",
        "crossings",
        "range",
    ):
        assert key in d
    assert d["vary"] == "ad_spend" and d["output"] == "runway_months" and d["target"] == 18.0
    assert d["statistic"] is None and d["low"] == 0.0 and d["high"] == 2e9 and d["reached"] is True
    assert d["crossings"] == [d["value"]] and d["side"] == ["below"] and d["meets"] == "at or above"
    assert d["base"] == {"value": 2e8, "output": summary(example.scenario("base"))["runway_months"]}
    json.dumps(d)


# ------------------------------------------------------------------ bounds


@pytest.mark.parametrize(
    "name,base,want",
    [
        ("churn", 0.45, (0.0, 1.0)),
        ("paid_share", 0.7, (1e-9, 1.0)),
        ("vat", 0.06, (0.0, 1 - 1e-9)),
        ("cac", 30, (1e-9, 300.0)),
        ("ad_growth", 0.0, (-1 + 1e-9, 1.0)),
        ("ad_growth", -0.05, (-1 + 1e-9, 1.0)),
        ("ad_growth", 0.05, (-1 + 1e-9, 0.5)),
        ("cash", 7e9, (0.0, 7e10)),
        ("cash", -100, (-1000.0, 0.0)),
        ("months", 24, (1.0, 1200.0)),
        ("raise_month", 12, (1.0, 60.0)),
    ],
)
def test_default_bounds_follow_the_rule(name, base, want):
    assert default_bounds(name, base, 60) == pytest.approx(want, rel=1e-15, abs=1e-18)


def test_an_unbounded_input_at_0_needs_bounds():
    with pytest.raises(InputError, match=r"give the bounds of fixed_costs"):
        solve(flat(burn=0.0, cash=100), "fixed_costs", "runway_months", 6)
    assert solve(
        flat(burn=0.0, cash=100), "fixed_costs", "runway_months", 6, high=100
    ).value == pytest.approx(100 / 6, rel=1e-9)


def test_lower_is_better_outputs_are_outputs():
    from xlmodel.outputs import OUTPUT_UNITS

    assert LOWER_IS_BETTER <= set(OUTPUT_UNITS)


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "change,argument,message",
    [
        (dict(vary="chrn"), "vary", "vary must be an input of the model, got 'chrn'; did you mean churn?"),
        (
            dict(vary="ad_spend@4"),
            "vary",
            (
                "vary must be one of the scenario's own inputs, not a change level or a "
                "round amount, got 'ad_spend@4'"
            ),
        ),
        (
            dict(vary="horizon"),
            "vary",
            ("vary: horizon cannot vary (every output of the plan is measured over it); set it in the file"),
        ),
        (
            dict(vary="organic_users"),
            "high",
            (
                "give the bounds of organic_users (low and high): it is not given in "
                "this scenario, so there is no base value for the default 0 .. 10x the base"
            ),
        ),
        (dict(output="runway"), "output", "output must be one of "),
        (dict(vary="mau", low=-1), "low", "low must satisfy the rule of mau: mau must be 0 or more, got -1"),
        (
            dict(vary="mau"),
            "high",
            (
                "give the bounds of mau (low and high): its base value is 0, so the default 0 .. "
                "10x the base bounds nothing"
            ),
        ),
        (
            dict(vary="churn", high=1.5),
            "high",
            (
                "high must satisfy the rule of churn: churn must be between 0 and 1 "
                "(monthly fraction), got 1.5"
            ),
        ),
        (dict(low=5, high=3), "low", "low must be below high, got low 5 and high 3"),
        (dict(low=3, high=3), "low", "low must be below high, got low 3 and high 3"),
        (dict(target="18"), "target", "target must be a number, got '18'"),
        (dict(target=None), "target", "target must be a number, got None"),
        (dict(target=math.nan), "target", "target must be a number (or never, +inf), got nan"),
        (dict(target=True), "target", "target must be a number, got True"),
        (
            dict(statistic="p10"),
            "statistic",
            (
                "statistic p10 needs ranges: no input of this scenario is a range, so "
                "every draw is the base case"
            ),
        ),
        (
            dict(statistic="p11"),
            "statistic",
            "statistic must be one of mean, p5, p10, p50, p90, p95, min, max",
        ),
        (
            dict(vary="raise_month", high=61),
            "high",
            ("high must be within the horizon for raise_month, 1 to 60, got 61"),
        ),
        (
            dict(vary="months", low=1.5, high=3),
            "low",
            (
                "low must satisfy the rule of months: months must be a whole "
                "number of months from 1 to 1200, got 1.5"
            ),
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_argument(change, argument, message):
    kw = dict(
        scenario=dict(flat(), raise_month=12, months=24), vary="cash", output="runway_months", target=18
    )
    kw.update(change)
    with pytest.raises(InputError) as e:
        solve(**kw)
    assert e.value.argument == argument
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_a_statistic_over_the_varied_input_s_own_range_alone_is_refused():
    with pytest.raises(InputError, match=r"no input of this scenario other than cash is a range"):
        solve(flat(cash={"low": 100, "high": 200}), "cash", "runway_months", 1, statistic="p50", draws=10)


# ------------------------------------------------------------------ the command


@pytest.fixture
def cli():
    """The two commands in the xlmodel group's class: one-line errors and exit status 2, as once registered."""
    main = XlmodelGroup(commands={"solve": solve_command, "sensitivity": sensitivity_command})
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_solve_says_what_the_answer_means(cli, example):
    r = cli("solve", EXAMPLE, "--vary", "ad_spend", "--target", "runway_months=18")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[1] == (
        "goal seek: ad_spend from 0 to 2.00B RMB per month, so that runway_months = 18.0 months"
    )
    x = solve(example.scenario("base"), "ad_spend", "runway_months", 18).value
    assert lines[3] == (
        f"ad_spend of {x / 1e6:,.2f}M RMB per month keeps runway_months at 18.0 months; at the base "
        "200.00M it is 27.5 (2027-03)."
    )


def test_solve_json_is_the_solution(cli, example):
    r = cli("solve", EXAMPLE, "--vary", "cash", "--target", "runway_months=18", "--json")
    doc = json.loads(r.output)
    want = solve(example.scenario("base"), "cash", "runway_months", 18).as_dict()
    assert {k: doc[k] for k in want} == want
    assert doc["scenario"] == "base" and doc["units"] == {"vary": "RMB", "output": "months"}


def test_solve_a_p10_with_the_file_s_draws_and_seed(cli, example):
    r = cli(
        "solve",
        EXAMPLE,
        "--vary",
        "cash",
        "--target",
        "runway_months=18",
        "--stat",
        "p10",
        "--draws",
        500,
        "--json",
    )
    doc = json.loads(r.output)
    assert doc["statistic"] == "p10" and doc["draws"] == 500 and doc["seed"] == 0 and doc["reached"]
    sim = simulate(
        dict(example.simulation_inputs("base"), cash=doc["value"]),
        draws=500,
        correlations=example.correlations_for("base"),
    )
    assert sim.stats("runway_months")["p10"] == pytest.approx(18, rel=1e-9)


def test_a_target_out_of_reach_exits_0_with_the_range(cli):
    r = cli("solve", EXAMPLE, "--vary", "churn", "--target", "runway_months=18")
    assert r.exit_code == 0
    assert (
        "runway_months does not reach 18.0 for churn between 0 and 100%: it runs from 27.4 (2027-03) to "
        "30.2 (2027-06) there (at or above 18.0 everywhere, on a 256-point grid)" in r.output
    )
    assert (
        json.loads(cli("solve", EXAMPLE, "--vary", "churn", "--target", "runway_months=18", "--json").output)[
            "reached"
        ]
        is False
    )


def test_a_step_says_which_side_meets_the_target(cli):
    r = cli("solve", EXAMPLE, "--vary", "conversion", "--target", "breakeven_month=24")
    assert r.exit_code == 0
    assert "breakeven_month is at or below month 24 for conversion from " not in r.output
    assert (
        "breakeven_month is at or below 24 for conversion from 52.89% up (there it is 24 (2026-11); past the "
        "boundary, 25 (2026-12)); at the base 1% it is never." in r.output
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--vary", "churn", "--target", "runway_months"],
            "Error: --target must be OUTPUT=VALUE, e.g. runway_months=18, got 'runway_months'",
        ),
        (
            ["--vary", "churn", "--target", "runway_months=soon"],
            "Error: --target: the target of runway_months must be a number (or never), got 'soon'",
        ),
        (
            ["--vary", "chrn", "--target", "runway_months=18"],
            "Error: vary must be an input of the model, got 'chrn'; did you mean churn?",
        ),
        (
            ["--vary", "churn", "--target", "runway_months=18", "--between", "0.5", "0.2"],
            "Error: low must be below high, got low 0.5 and high 0.2",
        ),
        (
            ["--vary", "churn", "--target", "runway_months=18", "--between", "0.5", "2"],
            "Error: high must satisfy the rule of churn: churn must be between 0 and 1 (monthly fraction), got 2",
        ),
        (["--vary", "churn", "--target", "runway=18"], "Error: output must be one of "),
        (["--vary", "churn", "--target", "runway_months=18", "-s", "nope"], "Error: "),
    ],
)
def test_solve_refuses_bad_input_in_one_line_with_exit_2(cli, args, message):
    r = cli("solve", EXAMPLE, *args)
    assert r.exit_code == 2
    assert r.output.startswith(message) and r.output.count("\n") == 1


def test_solve_stat_without_ranges_is_refused(cli, tmp_path):
    f = tmp_path / "flat.toml"
    f.write_text(
        "[scenarios.base]\ncash = 1200\nmau = 0\nad_spend = 0\ncac = 1\nchurn = 0\nconversion = 0\n"
        "arppu = 0\ncost_per_mau = 0\nfixed_costs = 100\n"
    )
    assert (
        cli("solve", f, "--vary", "cash", "--target", "runway_months=18")
        .output.splitlines()[3]
        .startswith("cash of 1,800.00 ")
    )
    r = cli("solve", f, "--vary", "cash", "--target", "runway_months=18", "--stat", "p10")
    assert (
        r.exit_code == 2
        and r.output
        == "Error: statistic p10 needs ranges: no input of this scenario is a "
        "range, so every draw is the base case\n"
    )


def test_solve_has_help_with_examples(cli):
    r = cli("solve", "--help")
    assert r.exit_code == 0 and "Examples:" in r.output and "xlmodel solve" in r.output


# ------------------------------------------------------------------ the Excel function


INPUTS = [
    ["name", "value"],
    ["cash", 1200],
    ["mau", 0],
    ["ad_spend", 0],
    ["cac", 1],
    ["churn", 0],
    ["conversion", 0],
    ["arppu", 0],
    ["cost_per_mau", 0],
    ["fixed_costs", 100],
    ["horizon", 60],
]


def test_llm_solve_takes_llm_plan_s_tables():
    assert LLM_SOLVE(INPUTS, "cash", "runway_months", 18) == pytest.approx(1800, rel=1e-9)
    # fixed costs 200 from month 3, a round of 500 in month 10: cash - 2 x 100 - 16 x 200 + 500 = 0
    assert LLM_SOLVE(
        INPUTS, "cash", "runway_months", 18, None, None, [[3, "fixed_costs", 200]], [[10, 500]]
    ) == pytest.approx(2900, rel=1e-9)
    assert LLM_SOLVE(INPUTS, "fixed_costs", "runway_months", 6, 1, 1000) == pytest.approx(200, rel=1e-9)
    assert LLM_SOLVE(INPUTS, "cash", "runway_months", "never") == pytest.approx(6000, rel=1e-9)


def test_llm_solve_out_of_reach_is_text_and_bad_input_a_message():
    assert (
        LLM_SOLVE(INPUTS, "cash", "runway_months", 18, 0, 1000)
        == "not reached: runway_months is 0.0 to 10.0 for cash from 0 to 1,000.00"
    )
    assert (
        LLM_SOLVE(INPUTS, "chrn", "runway_months", 18)
        == "#VALUE! vary must be an input of the model, got 'chrn'; did you mean churn?"
    )
    assert LLM_SOLVE(INPUTS, "cash", "runway_months", "x") == "#VALUE! target must be a number, got 'x'"
    assert (
        LLM_SOLVE(INPUTS, "cash", "runway_months", 18, 5, 3)
        == "#VALUE! low must be below high, got low 5 and high 3"
    )
    assert LLM_SOLVE(INPUTS[:3], "cash", "runway_months", 18).startswith("#VALUE! ")


def test_evaluate_gives_the_migration_payback_alone():
    """Asking evaluate for migration_payback_month without migration_npv: the same answer as with it."""
    from xlmodel import assumptions
    from xlmodel.simulate import evaluate

    s = assumptions.load(ROOT / "examples" / "llm-assistant-2024.toml").scenario()
    both = evaluate(s, ["migration_npv", "migration_payback_month"], 1)
    assert (
        evaluate(s, ["migration_payback_month"], 1)["migration_payback_month"]
        == both["migration_payback_month"]
    )
