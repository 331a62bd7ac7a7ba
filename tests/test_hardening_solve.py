"""The fourth audit (issue 23) on goal seek, sensitivity grids and the average curve, each case as the audit ran it.

1. every numeric input may vary, against every plan answer, on every surface (Python, the command line,
   LLM_SOLVE): an answer or a typed one-line error, never a traceback (``min_cash or 0.0`` on an array);
2. a target met over the whole range is one answer, the base, not two crossings at the bounds, and rounding
   noise is no crossing;
3. an input value that makes the plan invalid breaks a bracket, and the answer says where;
4. a sized cohorts file whose month-1 shares are all 1 averages to 1, not 1 + 2**-52;
8. a statistic's goal seek and grid: the engine runs capped, the draws evaluated in slices (the same numbers);
and the messages: the exact draws LLM_SIMULATE refuses, a scenario that is no mapping, values that are no
numbers.
"""

from __future__ import annotations

import importlib
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from xlmodel.assumptions import load
from xlmodel.cli.common import XlmodelGroup
from xlmodel.cli.decisions import sensitivity as sensitivity_command
from xlmodel.cli.decisions import solve as solve_command
from xlmodel.cli.model import calc as calc_command
from xlmodel.errors import InputError, XlmodelError
from xlmodel.params import PARAMS, RULES
from xlmodel.retention import average_curve
from xlmodel.sensitivity import MAX_EVALUATIONS, WITHIN_HORIZON, input_value, sensitivity
from xlmodel.simulate import evaluate, output_names
from xlmodel.solve import EXPECTED_TRIALS, default_bounds, solve
from xlmodel.udfs.plan import LLM_SIMULATE
from xlmodel.udfs.solve import LLM_SOLVE

from .conftest import ROOT

# the modules (xlmodel's package namespace holds the functions of the same names)
solve_module = importlib.import_module("xlmodel.solve")
sensitivity_module = importlib.import_module("xlmodel.sensitivity")

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"
PLAN = ROOT / "examples" / "plan-2024.toml"
#: every numeric scenario input of the rules table (horizon is the plan's length, and cannot vary)
NUMERIC = [k for k in PARAMS if k != "horizon"]


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


@pytest.fixture(scope="module")
def plan_file():
    return load(PLAN)


@pytest.fixture
def cli():
    main = XlmodelGroup(
        commands={"solve": solve_command, "sensitivity": sensitivity_command, "calc": calc_command}
    )
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def bounds(name: str, scenario: dict) -> tuple[float, float]:
    """Bounds for a sweep: the default ones, or (when they are empty) a short span within the rule."""
    h = int(scenario.get("horizon") or 60)
    rule = RULES[PARAMS[name].rule]
    if rule.integer:
        return 1.0, float(h if name in WITHIN_HORIZON else 120)
    try:
        return default_bounds(name, input_value(scenario, name), h)
    except InputError:
        lo = 0.0 if rule.lo is None else float(rule.lo) + (0.0 if rule.lo_incl else 1e-3)
        return lo, lo + (0.5 if rule.hi is not None else 1e6)


def target_near_base(value: float) -> float:
    """A target the output reaches near its base (a bracket to narrow), or 18 for a never or an n/a."""
    return 18.0 if not math.isfinite(value) else (value * 1.1 if value else 1.0)


# ------------------------------------------------------------------ 1. every input against every answer


@pytest.mark.parametrize("path", [EXAMPLE, PLAN], ids=["llm-assistant", "plan-2024"])
@pytest.mark.parametrize("vary", NUMERIC)
def test_python_solve_and_sensitivity_vary_every_input_against_every_answer(path, vary):
    """Python ``solve`` and ``sensitivity`` over each input, every output the scenario reports: an answer or
    an InputError (never the truth value of an array, never a broadcast error)."""
    a = load(path)
    s = a.scenario(a.scenario_names[0])
    outs = output_names(s)
    at_base = {k: float(v[0]) for k, v in evaluate(s, outs, 1).items()}
    lo, hi = bounds(vary, s)
    other = "mau" if vary == "cash" else "cash"
    for out in outs:
        try:
            r = solve(s, vary, out, target_near_base(at_base[out]), lo, hi)
            assert r.reached in (True, False) and (r.value is None or lo <= r.value <= hi)
        except InputError as e:
            assert "\n" not in str(e)
        try:
            g = sensitivity(s, (vary, [lo, (lo + hi) / 2, hi]), (other, [1e6, 2e6]), out)
            assert g.values.shape == (3, 2)
        except InputError as e:
            assert "\n" not in str(e)


@pytest.mark.parametrize("vary", ["min_cash", "annual_discount_rate", "migration_cost", "raise_month"])
def test_a_statistic_varies_the_plan_s_own_inputs(example, vary):
    """The same inputs with --stat p10: each trial a simulation over the same draws."""
    s = example.simulation_inputs("base")
    lo, hi = bounds(vary, example.scenario("base"))
    r = solve(s, vary, "funding_need", 1e10, lo, hi, statistic="p10", draws=200)
    assert r.statistic == "p10" and r.draws == 200
    g = sensitivity(s, (vary, [lo, hi]), ("churn", [0.3, 0.5]), "funding_need", "p10", 200)
    assert np.isfinite(g.values).all()


def test_the_audit_s_min_cash_goal_seek_answers(example):
    """``xlmodel solve examples/llm-assistant-2024.toml --vary min_cash --target funding_need=1e10`` gave
    ``ValueError: The truth value of an array ... is ambiguous``: the buffer that makes the need 10B."""
    r = solve(example.scenario("base"), "min_cash", "funding_need", 1e10)
    assert r.reached and r.crossings == (r.value,)
    check = dict(example.scenario("base"), min_cash=r.value)
    assert float(evaluate(check, ["funding_need"], 1)["funding_need"][0]) == pytest.approx(1e10, rel=1e-9)


@pytest.mark.parametrize(
    "args",
    [
        ["solve", EXAMPLE, "--vary", "min_cash", "--target", "funding_need=1e10"],
        [
            "sensitivity",
            EXAMPLE,
            "--rows",
            "min_cash=0:1e6:3",
            "--cols",
            "churn=0.3,0.4",
            "--output",
            "funding_need",
        ],
        ["sensitivity", EXAMPLE, "--rows", "annual_discount_rate=0:0.5:3", "--cols", "churn=0.3,0.4"],
        [
            "sensitivity",
            EXAMPLE,
            "--rows",
            "annual_discount_rate=0:0.5:3",
            "--cols",
            "churn=0.3,0.4",
            "--output",
            "plan_migration_npv",
        ],
    ],
    ids=["solve-min_cash", "grid-min_cash", "grid-discount", "grid-discount-npv"],
)
def test_the_audit_s_commands_answer(cli, args):
    r = cli(*args)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and "truth value" not in r.output


@pytest.mark.parametrize("vary", NUMERIC)
def test_the_command_line_varies_every_input(cli, vary, example):
    """``solve --vary INPUT --target funding_need=1e10`` (default bounds, then explicit ones) and a grid of
    every input: exit 0, or one line and exit 2."""
    lo, hi = bounds(vary, example.scenario("base"))
    runs = [
        ["solve", EXAMPLE, "--vary", vary, "--target", "funding_need=1e10"],
        ["solve", EXAMPLE, "--vary", vary, "--target", "runway_months=18", "--between", lo, hi, "--json"],
        [
            "sensitivity",
            EXAMPLE,
            "--rows",
            f"{vary}={lo!r}:{hi!r}:3",
            "--cols",
            "churn=0.3,0.4",
            "--output",
            "funding_need",
        ],
    ]
    for args in runs:
        r = cli(*args)
        assert r.exit_code in (0, 2), r.output
        if r.exit_code == 2:
            assert r.output.startswith("Error: ") and r.output.count("\n") == 1, r.output
        elif "--json" in args:
            json.loads(r.output)


#: LLM_PLAN's inputs table with every plan input the example's base scenario gives as a number
def _inputs_table(example) -> list[list]:
    s = example.scenario("base")
    skip = ("cost_per_mau",) if "input_tokens" in s else ()  # derived from the tokens: one or the other
    return [
        [k, float(v)] for k, v in s.items() if k in PARAMS and k not in skip and isinstance(v, (int, float))
    ]


@pytest.mark.parametrize("vary", NUMERIC)
def test_llm_solve_varies_every_input(example, vary):
    """``=LLM_SOLVE(inputs, "min_cash", "funding_need", 1e10)`` was ``#VALUE! unexpected error``: a number, the
    text "not reached: ...", or a message naming the rule, for every input."""
    table = _inputs_table(example)
    lo, hi = bounds(vary, example.scenario("base"))
    for args in ((), (lo, hi)):
        out = LLM_SOLVE(table, vary, "funding_need", 1e10, *args)
        assert isinstance(out, float) or not out.startswith("#VALUE! unexpected"), out


def test_llm_solve_the_audit_s_min_cash(example):
    out = LLM_SOLVE(_inputs_table(example), "min_cash", "funding_need", 1e10)
    assert isinstance(out, float) and out > 0


# ------------------------------------------------------------------ 2. met over the whole range


RICH = """\
[model]
name = "rich"
horizon = 60
[scenarios.base]
cash = 1e9
mau = 10000
ad_spend = 20000
cac = 4
churn = 0.1
conversion = 0.05
arppu = 12
cost_per_mau = 0.3
fixed_costs = 10000
"""


def test_a_never_met_everywhere_is_the_base_not_the_two_bounds(cli, tmp_path):
    """``solve rich.toml --vary ad_spend --target runway_months=never --json`` gave ``"value": 0.0,
    "crossings": [0, 200000]``: a plan that never runs out meets it everywhere, and the answer is the base."""
    (tmp_path / "rich.toml").write_text(RICH)
    r = cli(
        "solve", tmp_path / "rich.toml", "--vary", "ad_spend", "--target", "runway_months=never", "--json"
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["value"] == 20000.0 and doc["reached"] is True and doc["met_everywhere"] is True
    assert doc["crossings"] == [] and doc["base"] == {"value": 20000.0, "output": "never"}
    text = cli(
        "solve", tmp_path / "rich.toml", "--vary", "ad_spend", "--target", "runway_months=never"
    ).output
    assert "met over the whole range" in text and "the answer is the base, 20,000.00" in text


def test_met_everywhere_with_the_base_outside_the_bounds_is_the_nearest_bound(tmp_path):
    s = load_text(tmp_path, RICH).scenario()
    r = solve(s, "ad_spend", "runway_months", math.inf, 50_000, 90_000)
    assert r.everywhere and r.value == 50_000 and r.crossings == ()
    r = solve(s, "ad_spend", "runway_months", math.inf, 1_000, 5_000)
    assert r.everywhere and r.value == 5_000


def test_rounding_noise_is_no_crossing():
    """``compute_to_revenue`` over ``cac`` is the same ratio for every CAC (compute and revenue both scale
    with the users), up to its last bits: 115 crossings before, met over the whole range now."""
    s = dict(
        cash=1e6,
        mau=1000,
        ad_spend=1e4,
        cac=2.0,
        churn=0.1,
        conversion=0.07,
        arppu=13.7,
        cost_per_mau=0.77,
        horizon=60,
    )
    target = 0.77 / (0.07 * 13.7)
    r = solve(s, "cac", "compute_to_revenue", target)
    lo, hi = r.range
    assert lo != hi  # the noise is there (last bits): it is no crossing
    assert abs(hi - lo) <= 1e-12 * max(1, abs(target))
    assert r.everywhere and r.crossings == () and r.value == 2.0 and r.reached


def test_a_real_crossing_near_the_tolerance_is_still_found():
    """Equal means within 1e-12 relative: a target 1e-9 away from a flat burn's runway is no noise."""
    s = dict(
        cash=1200.0,
        mau=0,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        fixed_costs=100.0,
        horizon=60,
    )
    r = solve(s, "cash", "runway_months", 12 * (1 + 1e-9), 600, 2400)
    assert not r.everywhere and r.value == pytest.approx(1200 * (1 + 1e-9), rel=1e-12)


# ------------------------------------------------------------------ 3. inputs that make the plan invalid


ELASTIC = """\
[model]
name = "elasticity"
horizon = 36
[scenarios.base]
cash = 5e6
mau = 10000
ad_spend = 50000
cac = 4
cac_elasticity = 0.9
churn = 0.1
conversion = 0.05
arppu = 12
cost_per_mau = 0.3
fixed_costs = 100000
[[scenarios.base.changes]]
month = 6
ad_spend = 80000
"""


def load_text(tmp_path, text: str):
    (tmp_path / "f.toml").write_text(text)
    return load(tmp_path / "f.toml")


def test_the_audit_s_elasticity_case_never_answers_an_invalid_value(tmp_path, cli):
    """``cac_elasticity = 0.9``, no ``cac_spend``, a later month that spends: ``ad_spend = 0`` makes the plan
    invalid (calc refuses it). ``ltv_to_cac`` answered 0; ``runway_months`` failed the whole solve."""
    a = load_text(tmp_path, ELASTIC)
    s = a.scenario()
    (tmp_path / "zero.toml").write_text(ELASTIC.replace("ad_spend = 50000", "ad_spend = 0"))
    with pytest.raises(XlmodelError, match="cac_spend must be above 0"):
        load(tmp_path / "zero.toml")
    ltv = float(evaluate(s, ["ltv_to_cac"], 1)["ltv_to_cac"][0])
    r = solve(s, "ad_spend", "ltv_to_cac", ltv, 0, 1e6)
    assert r.value != 0 and r.value == 50_000 and r.everywhere
    assert r.invalid == ((0.0, 0.0, r.invalid[0][2]),) and "cac_spend must be above 0" in r.invalid[0][2]
    r = solve(s, "ad_spend", "runway_months", 20, 0, 1e6)  # failed the whole solve before
    assert r.invalid[0][:2] == (0.0, 0.0) and r.range[0] > 20
    out = cli(
        "solve",
        tmp_path / "f.toml",
        "--vary",
        "ad_spend",
        "--between",
        0,
        1e6,
        "--target",
        "runway_months=20",
    )
    assert out.exit_code == 0, out.output
    assert "note: ad_spend of 0 makes the plan invalid (cac_spend must be above 0" in out.output
    doc = json.loads(
        cli(
            "solve",
            tmp_path / "f.toml",
            "--vary",
            "ad_spend",
            "--between",
            0,
            1e6,
            "--target",
            f"ltv_to_cac={ltv!r}",
            "--json",
        ).output
    )
    assert doc["value"] == 50_000 and doc["invalid"][0]["from"] == 0 and doc["invalid"][0]["to"] == 0


def test_an_invalid_point_breaks_a_bracket():
    """The runway crosses 20 only between an invalid value and a valid one: no crossing there."""
    s = dict(
        cash=5e6,
        mau=10000,
        ad_spend=50000,
        cac=4,
        cac_elasticity=0.9,
        churn=0.1,
        conversion=0.05,
        arppu=12,
        cost_per_mau=0.3,
        fixed_costs=100000,
        horizon=36,
        changes=[{"month": 6, "ad_spend": 80000}],
    )
    r = solve(s, "ad_spend", "runway_months", 20, 0, 1e6)
    assert all(c > 0 for c in r.crossings)
    assert r.invalid and r.invalid[0][0] == 0


def test_a_range_where_every_value_is_invalid_is_one_error():
    """No value of min_cash repairs a scenario whose month-1 spend is 0 with elasticity and a later spend."""
    s = dict(
        cash=5e6,
        mau=10000,
        ad_spend=0,
        cac=4,
        cac_elasticity=0.9,
        churn=0.1,
        conversion=0.05,
        arppu=12,
        cost_per_mau=0.3,
        fixed_costs=100000,
        horizon=36,
        changes=[{"month": 6, "ad_spend": 80000}],
    )
    with pytest.raises(
        InputError,
        match=r"every value of min_cash from 0 to 1000000 makes the plan invalid: "
        r"cac_spend must be above 0",
    ):
        solve(s, "min_cash", "runway_months", 20, 0, 1e6)


# ------------------------------------------------------------------ 4. the average curve stays within [0, 1]


#: the audit's case: five sized cohorts, every month-1 share 1.0 (a BLAS dot gave 1 + 2**-52)
SIZED = """\
cohort,size,m1,m2,m3
2024-03,26.2,1.0,0.6,0.5
2024-04,29.8,1.0,0.6,0.45
2024-05,81.4,1.0,0.55,
2024-06,9.2,1.0,0.62,
2024-07,60.0,1.0,,
"""


def test_five_sized_cohorts_with_month_1_shares_of_1_average_to_1(tmp_path, cli):
    curve = average_curve(
        [[1.0, 0.6, 0.5], [1.0, 0.6, 0.45], [1.0, 0.55], [1.0, 0.62], [1.0]], [26.2, 29.8, 81.4, 9.2, 60.0]
    )
    assert curve[0] == 1.0 and np.all(curve <= 1) and np.all(np.diff(curve) <= 0)
    (tmp_path / "c.csv").write_text(SIZED)
    (tmp_path / "p.toml").write_text(RICH + 'retention_from = "c.csv"\n')
    r = cli("calc", tmp_path / "p.toml")
    assert r.exit_code == 0, r.output
    assert "5 cohorts, chained, weighted by size" in r.output


@given(
    st.lists(
        st.tuples(
            st.floats(1e-3, 1e9, allow_nan=False),
            st.lists(st.floats(1e-6, 1.0, allow_nan=False), min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_the_chained_average_of_decaying_cohorts_stays_in_0_1_and_never_rises(cohorts):
    """Shares in (0, 1] that never rise within a cohort: the chained weighted average is in (0, 1] and never
    rises, to the last bit (every month-1 share 1: exactly 1)."""
    sizes = [w for w, _ in cohorts]
    rows = [sorted(r, reverse=True) for _, r in cohorts]
    curve = average_curve(rows, sizes)
    assert np.all(curve > 0) and np.all(curve <= 1)
    assert np.all(np.diff(curve) <= 0)
    ones = average_curve([[1.0] + r for r in rows], sizes)
    assert ones[0] == 1.0


def test_a_share_that_really_rises_above_1_on_average_is_still_refused():
    """Clipping is for rounding only: a cohort that goes 0.1 -> 1.0 chains the average to 5.5, refused."""
    curve = average_curve([[1.0, 1.0], [0.1, 0.1, 1.0]])
    assert curve[2] == pytest.approx(5.5)


# ------------------------------------------------------------------ 8. the work of a statistic, bounded


def test_a_p10_goal_seek_beyond_its_cap_is_one_line_naming_the_cap(cli, example):
    """``solve --stat p10 --draws 10000000`` reached 5.4 GB: refused before a draw is made."""
    with pytest.raises(
        InputError, match=f"more than its cap of {MAX_EVALUATIONS:,}: use at most 781,250 draws"
    ):
        solve(
            example.simulation_inputs("base"), "cash", "runway_months", 18, statistic="p10", draws=10_000_000
        )
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
        10_000_000,
    )
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert f"{EXPECTED_TRIALS} trial values x 10,000,000 draws" in r.output and "100,000,000" in r.output


def test_a_goal_seek_that_passes_its_cap_while_narrowing_stops_with_the_cap(example, monkeypatch):
    monkeypatch.setattr(solve_module, "MAX_EVALUATIONS", 70 * 100)  # the grid and the base fit, no more
    monkeypatch.setattr(solve_module, "EXPECTED_TRIALS", 1)
    with pytest.raises(InputError, match=r"more than 7,000 engine runs .* its cap"):
        solve(
            example.simulation_inputs("base"),
            "cash",
            "runway_months",
            18,
            statistic="p10",
            draws=100,
            correlations=example.correlations_for("base"),
        )


def test_a_grid_of_statistics_keeps_its_cap(example):
    with pytest.raises(InputError, match="more than 100,000,000"):
        sensitivity(
            example.simulation_inputs("base"),
            ("churn", [0.3, 0.4, 0.5]),
            ("conversion", [0.01, 0.02]),
            "runway_months",
            "p10",
            draws=20_000_000,
        )


def test_draws_in_slices_give_the_same_numbers_bit_for_bit(example, monkeypatch):
    """A trial's draws evaluated a slice at a time (more draws than CHUNK) or many trials in one call: the
    same goal seek and the same grid, bit for bit, with the same seed."""
    s, corr = example.simulation_inputs("base"), example.correlations_for("base")

    def run():
        r = solve(s, "cash", "runway_months", 18, statistic="p10", draws=600, seed=3, correlations=corr)
        g = sensitivity(
            s, ("churn", [0.3, 0.5]), ("conversion", [0.01, 0.02]), "funding_need", "p50", 600, 3, corr
        )
        return r, g

    whole_r, whole_g = run()
    monkeypatch.setattr(sensitivity_module, "CHUNK", 128)  # 600 draws: five slices a trial
    sliced_r, sliced_g = run()
    assert sliced_r.crossings == whole_r.crossings and sliced_r.at_base == whole_r.at_base
    assert sliced_r.range == whole_r.range
    assert np.array_equal(sliced_g.values, whole_g.values) and sliced_g.at_base == whole_g.at_base


def test_progress_is_reported_in_engine_runs(example):
    s, corr = example.simulation_inputs("base"), example.correlations_for("base")
    seen = []
    sensitivity(
        s,
        ("churn", [0.3, 0.5]),
        ("conversion", [0.01, 0.02]),
        "runway_months",
        "p10",
        300,
        0,
        corr,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (4 * 300, 4 * 300) and all(a <= b for a, b in seen)
    seen.clear()
    solve(
        s,
        "cash",
        "runway_months",
        18,
        statistic="p10",
        draws=300,
        correlations=corr,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen and seen[-1][0] >= 64 * 300 and all(a <= b for a, b in seen)
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)


# ------------------------------------------------------------------ messages


def test_llm_simulate_names_the_exact_draws_it_refuses():
    """``LLM_SIMULATE`` with 10,000,001 draws said "got 1e+07", which reads as the maximum itself."""
    out = LLM_SIMULATE([["cash", 1e6]], 10_000_001)
    assert out == "#VALUE! draws must be a whole number from 1 to 10,000,000, got 10,000,001"
    assert LLM_SIMULATE([["cash", 1e6]], 2.5).endswith("got 2.5")


@pytest.mark.parametrize("scenario", [None, [], "base", 3])
def test_a_scenario_that_is_no_mapping_is_a_typed_error(scenario):
    """``solve(None, ...)`` raised AttributeError."""
    with pytest.raises(InputError, match="scenario must be a mapping of inputs"):
        solve(scenario, "cash", "runway_months", 18)
    with pytest.raises(InputError, match="scenario must be a mapping of inputs"):
        sensitivity(scenario, ("cash", [1, 2]), ("fixed_costs", [1, 2]), "runway_months")


FLAT = dict(
    cash=1200,
    mau=0,
    ad_spend=0,
    cac=1,
    churn=0,
    conversion=0,
    arppu=0,
    cost_per_mau=0,
    fixed_costs=100,
    horizon=60,
)


@pytest.mark.parametrize(
    "values, message",
    [
        ([True, 2], "rows: the values of cash must be numbers, got True among them"),
        ([1, np.bool_(False)], "rows: the values of cash must be numbers, got np.False_ among them"),
        ([[1, 2], [3]], r"rows: the values of cash must be numbers, got \[1, 2\] among them"),
        ([[1, 2], [3, 4]], r"rows: the values of cash must be numbers, got \[1, 2\] among them"),
        (np.array([True, False]), "rows: the values of cash must be a list of numbers"),
        (np.ones((2, 2)), "rows: the values of cash must be a list of numbers"),
        ("12", "rows: the values of cash must be a list of numbers, got '12'"),
        (5, "rows: the values of cash must be a list of numbers, got 5"),
        ([None], "rows: the values of cash must be numbers, got None among them"),
    ],
)
def test_sensitivity_values_that_are_no_numbers_are_typed_errors(values, message):
    """``sensitivity`` read True as 1.0 and flattened nested lists."""
    with pytest.raises(InputError, match=message):
        sensitivity(FLAT, ("cash", values), ("fixed_costs", [50, 100]), "runway_months")


@pytest.mark.parametrize("vary", ["min_cash", "fixed_costs", "monthly_revenue"])
def test_an_input_whose_default_bounds_are_empty_needs_bounds_naming_it(vary):
    """A money input whose base is 0 has the empty default bounds 0 .. 10 x 0: an error naming the input."""
    s = dict(FLAT, fixed_costs=0) if vary == "fixed_costs" else FLAT
    with pytest.raises(
        InputError, match=f"give the bounds of {vary} \\(low and high\\): its base value is 0"
    ):
        solve(s, vary, "runway_months", 18)
