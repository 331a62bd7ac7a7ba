"""Charts (issue 17): the data handed to matplotlib is the engine's, the PNG exists, has the expected size and is
not blank; an existing file is kept without --force; without matplotlib, one line says how to install it."""

import math
import struct
import sys
from importlib.util import find_spec

import numpy as np
import pytest
from click.testing import CliRunner

from xlmodel.assumptions import load
from xlmodel.cli.common import XlmodelGroup
from xlmodel.cli.decisions import plot_plan, plot_simulation
from xlmodel.cli.decisions import sensitivity as sensitivity_command
from xlmodel.engine import plan
from xlmodel.errors import XlmodelError
from xlmodel.plots import INSTALL, plan_plot, sensitivity_plot, simulation_plot
from xlmodel.sensitivity import sensitivity
from xlmodel.simulate import simulate

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"

needs_matplotlib = pytest.mark.skipif(
    find_spec("matplotlib") is None, reason='matplotlib is not installed (pip install ".[plot]")'
)


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def assert_a_picture(path, size):
    """The file is a PNG of ``size`` pixels with something drawn on it (many colours, not one flat fill)."""
    from matplotlib.image import imread

    assert png_size(path) == size
    pixels = imread(path)
    assert pixels.shape[:2] == (size[1], size[0])
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)
    assert len(colours) > 20 and pixels.std() > 0.05


# ------------------------------------------------------------------ the simulation


@needs_matplotlib
def test_the_simulation_chart_draws_the_engine_s_numbers(example, tmp_path):
    name = "cut-ads-raise"
    sim = simulate(
        example.simulation_inputs(name), draws=300, seed=1, correlations=example.correlations_for(name)
    )
    out = tmp_path / "sim.png"
    data = simulation_plot(sim, out, start=example.start, currency="RMB", title="test")
    # cash by month: each draw's plan, one at a time (calc's scenario with the draw's inputs)
    s = example.scenario(name)
    cash = np.array(
        [
            plan(**dict(s, **{k: float(x[i]) for k, x in sim.inputs.items()})).projection.cash
            for i in range(sim.draws)
        ]
    )
    want = np.percentile(cash, [10, 50, 90], axis=0)
    for k, p in enumerate((10, 50, 90)):
        assert data[f"cash_p{p}"] == want[k].tolist()
    assert data["fan_draws"] == 300 and data["months"] == list(range(1, 61))
    assert data["labels"][0] == "2024-12" and data["labels"][-1] == "2029-11"
    assert data["min_cash"] == 1e9 and data["funding"] == [{"month": 10, "amount": 1.5e9}]
    runway = sim.outputs["runway_months"]
    assert data["runway"] == runway[np.isfinite(runway)].tolist()
    assert data["runway_never"] == np.count_nonzero(np.isinf(runway)) / 300
    assert data["share_below"] == {m: sim.share_below(m) for m in (6, 12, 18, 24)}
    assert data["tornado"] == sim.tornado("runway_months")
    assert data["base_runway"] == sim.base_values["runway_months"]
    assert_a_picture(out, (1200, 900))


@needs_matplotlib
def test_a_simulation_without_ranges_draws_the_base_once(tmp_path):
    s = dict(
        cash=1000,
        mau=0,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        fixed_costs=100,
        horizon=12,
    )
    data = simulation_plot(simulate(s, draws=50), tmp_path / "flat.png")
    assert data["cash_p50"] == data["cash_p10"] == plan(**s).projection.cash.tolist()
    assert data["fan_draws"] == 50 and data["runway"] == [10.0] * 50


# ------------------------------------------------------------------ one plan


@needs_matplotlib
def test_the_plan_chart_draws_the_projection_with_and_without_the_migration(example, tmp_path):
    s = example.scenario("cut-ads-raise")
    out = tmp_path / "plan.png"
    data = plan_plot(s, out, start=example.start, currency="RMB")
    p = plan(**s)
    for line in ("cash", "ad_spend", "compute", "fixed_costs", "migration_one_off", "revenue", "net_burn"):
        assert data[line] == np.asarray(getattr(p.projection, line), dtype=float).tolist(), line
    without = plan(
        **dict(s, migration_month=None)
    )  # the plan without the migration, as the runway without it
    assert without.projection.cash.tolist() == data["cash_without_migration"]
    assert without.runway_months == p.runway_months_without_migration
    assert data["cash_without_migration"][:4] == data["cash"][:4]  # the same plan before the migration month
    assert data["funding"] == [{"month": 10, "amount": 1.5e9}] and data["min_cash"] == 1e9
    assert_a_picture(out, (1200, 800))


@needs_matplotlib
def test_the_plan_chart_without_a_migration_has_one_cash_line(tmp_path):
    s = dict(
        cash=1000,
        mau=0,
        ad_spend=0,
        cac=1,
        churn=0,
        conversion=0,
        arppu=0,
        cost_per_mau=0,
        fixed_costs=100,
        horizon=12,
    )
    data = plan_plot(s, tmp_path / "p.png")
    assert data["cash_without_migration"] is None and data["cash"][-1] == -200


# ------------------------------------------------------------------ a grid


@needs_matplotlib
def test_the_heat_map_draws_the_grid(example, tmp_path):
    g = sensitivity(
        example.scenario("base"),
        ("churn", np.linspace(0.3, 0.6, 7)),
        ("conversion", np.linspace(0.005, 0.03, 6)),
        "runway_months",
    )
    out = tmp_path / "grid.png"
    data = sensitivity_plot(g, out)
    assert data["values"] == g.values.tolist() and data["base"] == (3, 1)
    assert data["rows"] == ("churn", list(g.rows[1])) and data["cols"] == ("conversion", list(g.cols[1]))
    assert_a_picture(out, (620, 465))  # 2 + 0.7 x 6 columns by 1.5 + 0.45 x 7 rows, inches at 100 dpi


@needs_matplotlib
def test_a_heat_map_with_never_and_the_base_off_the_grid(tmp_path):
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
    g = sensitivity(s, ("cash", [50, 1000]), ("fixed_costs", [20, 100]), "runway_months")
    data = sensitivity_plot(g, tmp_path / "never.png")
    assert data["base"] is None and data["values"] == [[2.5, 0.5], [math.inf, 10.0]]
    assert png_size(tmp_path / "never.png") == (600, 450)


# ------------------------------------------------------------------ files


@needs_matplotlib
def test_a_chart_never_replaces_a_file_without_force(example, tmp_path):
    out = tmp_path / "plan.png"
    out.write_bytes(b"keep")
    with pytest.raises(XlmodelError, match=r"plan.png exists; pass --force to overwrite it"):
        plan_plot(example.scenario("base"), out)
    assert out.read_bytes() == b"keep"
    plan_plot(example.scenario("base"), out, force=True)
    assert png_size(out) == (1200, 800)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.png"]  # no temporary file left behind


def test_without_matplotlib_a_chart_says_how_to_install_it(example, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "plan.png"
    with pytest.raises(XlmodelError) as e:
        plan_plot(example.scenario("base"), out)
    assert str(e.value) == INSTALL
    assert 'pip install ".[plot]"' in INSTALL and '"xlmodel[plot]"' in INSTALL
    assert not out.exists()


def test_without_matplotlib_the_plot_option_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    main = XlmodelGroup(commands={"sensitivity": sensitivity_command})
    r = CliRunner().invoke(
        main,
        [
            "sensitivity",
            str(EXAMPLE),
            "--rows",
            "churn=0.3,0.4",
            "--cols",
            "conversion=0.01",
            "--plot",
            str(tmp_path / "g.png"),
        ],
    )
    assert r.exit_code == 2 and r.output == f"Error: {INSTALL}\n"


# ------------------------------------------------------------------ the commands' --plot


@needs_matplotlib
def test_sensitivity_plot_writes_the_heat_map(tmp_path):
    main = XlmodelGroup(commands={"sensitivity": sensitivity_command})
    out = tmp_path / "g.png"
    r = CliRunner().invoke(
        main,
        [
            "sensitivity",
            str(EXAMPLE),
            "--rows",
            "churn=0.3,0.45",
            "--cols",
            "conversion=0.01,0.02",
            "--plot",
            str(out),
        ],
    )
    assert r.exit_code == 0 and f"wrote {out} (the heat map)" in r.output
    assert png_size(out) == (600, 450)


@needs_matplotlib
def test_the_calc_and_simulate_plot_helpers(example, tmp_path, capsys):
    data = plot_plan(example, "base", example.scenario("base"), tmp_path / "calc.png", False)
    assert data["cash"] == plan(**example.scenario("base")).projection.cash.tolist()
    sim = simulate(
        example.simulation_inputs("base"), draws=200, correlations=example.correlations_for("base")
    )
    data = plot_simulation(example, "base", sim, tmp_path / "sim.png", False, as_json=True)
    assert data["share_below"][24] == sim.share_below(24)
    captured = capsys.readouterr()
    assert "calc.png (cash with and without the migration, net burn by line)" in captured.out
    assert (
        "sim.png (cash fan P10/P50/P90, runway histogram, tornado)" in captured.err
    )  # --json keeps stdout JSON
