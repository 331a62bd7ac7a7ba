"""Sensitivity grids (issue 17): every cell equals the engine run on its own (calc's numbers, simulate's with a
statistic), the base cell, the JSON shape, the refusals, the command and its workbook."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from xlmodel.assumptions import load
from xlmodel.cli.common import XlmodelGroup
from xlmodel.cli.decisions import parse_values
from xlmodel.cli.decisions import sensitivity as sensitivity_command
from xlmodel.cli.decisions import solve as solve_command
from xlmodel.engine import summary
from xlmodel.errors import InputError
from xlmodel.sensitivity import MAX_CELLS, evaluate_output, sensitivity
from xlmodel.simulate import evaluate, output_names, simulate

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


def _calc(s: dict, output: str) -> float:
    v = summary(s)[output]
    return math.nan if v is None else float(v)


@pytest.mark.parametrize("scenario", ["base", "cut-ads-raise"])
@pytest.mark.parametrize(
    "output",
    [
        "runway_months",
        "ltv_to_cac",
        "funding_need",
        "breakeven_month",
        "plan_migration_npv",
        "burn_multiple",
        "default_alive",
        "payback_months",
        "migration_npv",
        "migration_payback_month",
    ],
)
def test_every_cell_equals_calc_on_its_own(example, scenario, output):
    s = example.scenario(scenario)
    g = sensitivity(s, ("churn", [0.3, 0.45, 0.6]), ("ad_spend", [1e8, 2e8, 3.5e8]), output)
    assert g.values.shape == (3, 3) and g.base == (1, 1)
    for i, churn in enumerate(g.rows[1]):
        for j, spend in enumerate(g.cols[1]):
            want = _calc(dict(s, churn=churn, ad_spend=spend), output)
            assert g.values[i, j] == want or (math.isnan(want) and math.isnan(g.values[i, j])), (i, j)
    assert g.at_base == _calc(s, output)


def test_a_grid_of_a_statistic_equals_simulate_cell_by_cell(example):
    si, corr = example.simulation_inputs("base"), example.correlations_for("base")
    g = sensitivity(
        si,
        ("conversion", [0.01, 0.02]),
        ("cash", [5e9, 7e9, 9e9]),
        "runway_months",
        "p10",
        draws=400,
        seed=2,
        correlations=corr,
    )
    assert g.statistic == "p10" and g.base == (0, 1)
    kept = {k: v for k, v in corr.items() if "conversion" not in k and "cash" not in k}
    for i, conv in enumerate(g.rows[1]):
        for j, cash in enumerate(g.cols[1]):
            sim = simulate(dict(si, conversion=conv, cash=cash), draws=400, seed=2, correlations=kept)
            assert g.values[i, j] == sim.stats("runway_months")["p10"]


def test_the_one_output_evaluation_equals_simulate_s_evaluate(example):
    for name in ("base", "cut-ads-raise"):
        sim = simulate(
            example.simulation_inputs(name), draws=300, seed=4, correlations=example.correlations_for(name)
        )
        s = dict(sim.base, **sim.inputs)
        names = output_names(sim.base)
        every = evaluate(s, names, 300)
        for output in names:
            assert np.array_equal(evaluate_output(s, output, 300), every[output], equal_nan=True), output
            assert np.array_equal(sim.outputs[output], every[output], equal_nan=True), output


def test_the_base_cell_is_marked_and_off_the_grid_it_is_none(example):
    s = example.scenario("base")
    g = sensitivity(
        s, ("churn", np.linspace(0.3, 0.6, 7)), ("conversion", np.linspace(0.005, 0.03, 6)), "runway_months"
    )
    assert (
        g.base == (3, 1) and g.rows[1][3] == 0.45 and g.cols[1][1] == 0.01
    )  # linspace's 0.00999.. is the base
    assert g.values[g.base] == _calc(s, "runway_months") == g.at_base
    g = sensitivity(s, ("churn", [0.3, 0.4]), ("conversion", [0.02]), "runway_months")
    assert g.base is None and g.at_base == _calc(s, "runway_months")
    assert g.as_dict()["base"] is None


def test_an_input_the_scenario_leaves_out_may_vary(example):
    """raise_month is not given in the example (the funding month is the first month short of min_cash)."""
    s = example.scenario("base")
    g = sensitivity(s, ("raise_month", [12, 24, 36]), ("churn", [0.45]), "funding_need")
    assert g.base is None and g.base_inputs == (None, 0.45) and g.at_base == _calc(s, "funding_need")
    assert g.values[:, 0].tolist() == [_calc(dict(s, raise_month=m), "funding_need") for m in (12, 24, 36)]


def test_the_json_shape(example):
    s = dict(example.scenario("base"), cash=1e9)
    g = sensitivity(s, ("churn", [0.3, 0.45]), ("ad_growth", [-0.2, 0.0]), "runway_months")
    d = g.as_dict()
    assert d["output"] == "runway_months" and d["statistic"] is None
    assert d["rows"] == {"input": "churn", "values": [0.3, 0.45]}
    assert d["cols"] == {"input": "ad_growth", "values": [-0.2, 0.0]}
    assert d["base"] == {"row": 1, "col": 1}
    assert len(d["grid"]) == 2 and all(len(r) == 2 for r in d["grid"])
    assert d["grid"][1][1] == _calc(s, "runway_months")
    json.dumps(d)


def test_never_is_never_in_the_json():
    s = dict(
        cash=1000,
        mau=0,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        fixed_costs=10,
        horizon=12,
    )
    g = sensitivity(s, ("cash", [50, 1000]), ("fixed_costs", [10, 100]), "runway_months")
    assert g.values.tolist() == [[5.0, 0.5], [math.inf, 10.0]]
    assert g.as_dict()["grid"] == [[5.0, 0.5], ["never", 10.0]]


@pytest.mark.parametrize(
    "rows,cols,argument,message",
    [
        (
            ("churn", [0.3]),
            ("churn", [0.4]),
            "cols",
            "cols must vary another input than rows, got churn twice",
        ),
        (
            ("churn", [0.3, 1.2]),
            ("conversion", [0.01]),
            "rows",
            "rows: churn must be between 0 and 1 (monthly fraction), got 1.2",
        ),
        (("churn", []), ("conversion", [0.01]), "rows", "rows: give at least one value of churn"),
        (("churn", ["a"]), ("conversion", [0.01]), "rows", "rows: the values of churn must be numbers"),
        (("horizon", [12]), ("conversion", [0.01]), "rows", "rows: horizon cannot vary"),
        (("churn", [0.3]), ("ad_spend@4", [1]), "cols", "cols must be one of the scenario's own inputs"),
        (
            ("churn", np.linspace(0, 1, 1001)),
            ("conversion", np.linspace(0, 1, 1000)),
            "cols",
            "the grid would be 1,001 x 1,000 = 1,001,000 cells, more than 1,000,000",
        ),
        (
            ("raise_month", [61]),
            ("conversion", [0.01]),
            "rows",
            "rows: raise_month must be within the horizon, 1 to 60",
        ),
        (("months", [1.5]), ("conversion", [0.01]), "rows", "rows: months must be a whole number of months"),
        ("churn", ("conversion", [0.01]), "rows", "rows must be (input, values)"),
    ],
)
def test_bad_grids_are_one_line(example, rows, cols, argument, message):
    with pytest.raises(InputError) as e:
        sensitivity(example.scenario("base"), rows, cols, "runway_months")
    assert e.value.argument == argument and str(e.value).startswith(message) and "\n" not in str(e.value)
    assert MAX_CELLS == 1_000_000


def test_a_grid_of_a_statistic_needs_ranges_and_bounded_work(example):
    with pytest.raises(InputError, match="statistic p50 needs ranges"):
        sensitivity(example.scenario("base"), ("churn", [0.3]), ("cash", [1e9]), "runway_months", "p50")
    with pytest.raises(InputError, match=r"more than 100,000,000: use fewer cells or draws"):
        sensitivity(
            example.simulation_inputs("base"),
            ("churn", np.linspace(0.1, 0.9, 100)),
            ("cash", np.linspace(1e9, 9e9, 100)),
            "runway_months",
            "p50",
            draws=100_000,
        )


# ------------------------------------------------------------------ the command


@pytest.fixture
def cli():
    main = XlmodelGroup(commands={"solve": solve_command, "sensitivity": sensitivity_command})
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_parse_values():
    name, v = parse_values("churn=0.30:0.60:7", "--rows")
    assert name == "churn" and v.tolist() == [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
    assert parse_values("ad_spend=1e8,2_000_000", "--cols")[1].tolist() == [1e8, 2e6]


def test_sensitivity_prints_the_grid_with_the_base_marked(cli, example):
    r = cli("sensitivity", EXAMPLE, "--rows", "churn=0.30:0.60:7", "--cols", "conversion=0.005:0.03:6")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[1] == "runway_months (months) by churn (rows) and conversion (columns)"
    assert lines[3].split() == ["churn", "\\", "conversion", "0.5%", "1%", "1.5%", "2%", "2.5%", "3%"]
    assert lines[7].split()[:3] == ["45%", "27.3", "[27.5]"]
    assert lines[-1] == "[ ] the base (churn 45%, conversion 1%): 27.5 (2027-03)"


def test_sensitivity_json_equals_the_library(cli, example):
    r = cli(
        "sensitivity",
        EXAMPLE,
        "--rows",
        "churn=0.3,0.45,0.6",
        "--cols",
        "ad_spend=1e8:3e8:5",
        "--of",
        "funding_need",
        "--json",
    )
    doc = json.loads(r.output)
    want = sensitivity(
        example.scenario("base"),
        ("churn", [0.3, 0.45, 0.6]),
        ("ad_spend", [1e8, 1.5e8, 2e8, 2.5e8, 3e8]),
        "funding_need",
    ).as_dict()
    assert {k: doc[k] for k in want} == want
    assert doc["base"] == {"row": 1, "col": 2} and doc["units"]["output"] == "RMB"


def test_sensitivity_writes_a_workbook_and_refuses_to_overwrite_it(cli, example, tmp_path):
    import openpyxl

    out = tmp_path / "grid.xlsx"
    args = ["sensitivity", EXAMPLE, "--rows", "churn=0.3,0.45", "--cols", "conversion=0.01,0.02", "-o", out]
    r = cli(*args)
    assert r.exit_code == 0 and f"wrote {out} (the grid)" in r.output
    ws = openpyxl.load_workbook(out).active
    g = sensitivity(
        example.scenario("base"), ("churn", [0.3, 0.45]), ("conversion", [0.01, 0.02]), "runway_months"
    )
    got = [[ws.cell(5 + i, 2 + j).value for j in range(2)] for i in range(2)]
    assert np.allclose(got, g.values, rtol=1e-15, atol=0)  # a workbook keeps 15-16 significant digits
    assert [ws.cell(4, 2).value, ws.cell(4, 3).value] == [0.01, 0.02] and ws.cell(6, 1).value == 0.45
    before = out.read_bytes()
    r = cli(*args)
    assert r.exit_code == 2 and r.output == f"Error: {out} exists; pass --force to overwrite it\n"
    assert out.read_bytes() == before
    assert cli(*args, "--force").exit_code == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--rows", "churn", "--cols", "conversion=0.01"],
            (
                "Error: --rows must be INPUT=LOW:HIGH:COUNT or "
                "INPUT=V1,V2,..., e.g. churn=0.30:0.60:7, got 'churn'"
            ),
        ),
        (
            ["--rows", "churn=0.3:0.6:x", "--cols", "conversion=0.01"],
            ("Error: --rows must be INPUT=LOW:HIGH:COUNT or INPUT=V1,V2,... with numbers"),
        ),
        (
            ["--rows", "churn=0.3:0.6:1", "--cols", "conversion=0.01"],
            ("Error: --rows: COUNT must be a whole number from 2 to 1,000,000, got 1"),
        ),
        (
            ["--rows", "churn=0:1:1001", "--cols", "conversion=0:1:1000"],
            "Error: the grid would be 1,001 x 1,000 = 1,001,000 cells, more than 1,000,000",
        ),
        (
            ["--rows", "churn=0.3,1.5", "--cols", "conversion=0.01"],
            "Error: rows: churn must be between 0 and 1 (monthly fraction), got 1.5",
        ),
        (
            ["--rows", "churn=0.3", "--cols", "conversion=0.01", "--of", "nope"],
            "Error: output must be one of ",
        ),
        (
            ["--rows", "churn=0.3", "--cols", "conversion=0.01", "-o", "grid.csv"],
            "Error: grid.csv: -o must name a .xlsx file",
        ),
    ],
)
def test_sensitivity_refuses_bad_input_in_one_line(cli, args, message):
    r = cli("sensitivity", EXAMPLE, *args)
    assert r.exit_code == 2 and r.output.startswith(message) and r.output.count("\n") == 1


def test_sensitivity_has_help_with_examples(cli):
    r = cli("sensitivity", "--help")
    assert r.exit_code == 0 and "Examples:" in r.output and "xlmodel sensitivity" in r.output
