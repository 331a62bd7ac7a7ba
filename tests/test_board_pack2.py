"""Board pack 2 (issue 27, items 3, 6 and 8): headlines that say their period, plan vs actual a board reads.

The per-period unit economics have one definition (xlmodel.period_economics) used by the annual summary, the
Annual sheet's expected values and verify; LibreOffice and Gnumeric recalculate the workbooks, every scenario
selected, and every named number (the Cover's fiscal years, the Plan vs actual sheet's year to date and
cumulative variances, its Cover summary) must equal the engine's.
"""

import copy

import numpy as np
import openpyxl
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.actuals import fit_actuals, read_actuals
from xlmodel.dates import annual_summary
from xlmodel.period_economics import period_unit_economics
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.plan_actual_sheet import PLAN_ACTUAL_SHEET
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import ROOT, need_gnumeric, need_libreoffice, select_scenario

EXAMPLES = ROOT / "examples"


# ------------------------------------------------------------------ the engine


def test_a_periods_unit_economics_are_the_ratios_of_its_sums():
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    p = xm.plan(**a.scenario()).projection
    years = annual_summary(p, a.start, a.fiscal_year_start)
    for y in years:
        m = slice(y["first_month"] - 1, y["last_month"])
        rev, comp = p.revenue[m].sum(), p.compute[m].sum()
        assert y["blended_cac"] == pytest.approx(p.ad_spend[m].sum() / p.new_users[m].sum(), rel=1e-12)
        assert y["paid_cac"] == pytest.approx(p.ad_spend[m].sum() / p.paid_new_users[m].sum(), rel=1e-12)
        assert y["contribution_margin"] == pytest.approx((rev - comp) / rev, rel=1e-12)
        assert y["contribution_per_mau"] == pytest.approx((rev - comp) / p.mau[m].sum(), rel=1e-12)
        assert y["arppu_net"] == pytest.approx(rev / p.paying_users[m].sum(), rel=1e-12)
    # month 1's margin is not the year's: the Cover must not show one for the other
    assert years[0]["contribution_margin"] < 0 < years[1]["contribution_margin"]


def test_a_zero_denominator_is_na():
    class P:  # no ad spend, no payers, no revenue
        ad_spend = new_users = paid_new_users = revenue = compute = paying_users = np.zeros(3)
        mau = np.ones(3)

    out = period_unit_economics(P, 1, 3)
    assert {
        k: out[k] for k in ("blended_cac", "paid_cac", "contribution_margin", "arppu_net")
    } == dict.fromkeys(("blended_cac", "paid_cac", "contribution_margin", "arppu_net"))
    assert out["contribution_per_mau"] == 0.0
    # several scenarios at once: NaN where undefined
    P.revenue = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    both = period_unit_economics(P, 1, 3)["contribution_margin"]
    assert both[0] == 1.0 and np.isnan(both[1])


# ------------------------------------------------------------------ the workbooks, in two programs


def _books():
    default, plan, saas = (
        assumptions.default(),
        assumptions.load(EXAMPLES / "plan-2024.toml"),
        assumptions.load(EXAMPLES / "saas-copilot.toml"),
    )
    table = read_actuals(EXAMPLES / "actuals-2024.csv")
    fit = fit_actuals(table)
    june = copy.copy(plan)
    june.fiscal_year_start = (
        6  # the actuals (Mar-Aug 24) straddle two fiscal years: the year to date restarts
    )
    books = [
        (f"model-{k}", build("model", a), a.scenario_names) for k, a in (("default", default), ("plan", plan))
    ]
    books.append(("model-saas", build("model", saas), saas.scenario_names))
    books.append(("risk-default", build("risk", default), default.scenario_names))
    for k, a in (("plan", plan), ("june", june)):
        books.append(
            (f"actuals-{k}", build("model", a, actuals=table, fit=fit), a.scenario_names + ["actuals"])
        )
    return books


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_libreoffice()
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("pack2")
    cases = []
    for cid, wb, names in _books():
        path0 = tmp / f"{cid}.xlsx"
        path0.write_bytes(to_bytes(wb))
        for i, name in enumerate(names):
            wb2 = openpyxl.load_workbook(path0)
            select_scenario(wb2, name)
            p = tmp / f"{cid}--{i}.xlsx"
            wb2.save(p)
            cases.append((f"{cid}--{name}", p))
    lo = recalculate([p for _, p in cases], tmp / "lo")
    gn = recalculate_gnumeric([p for _, p in cases], tmp / "gn")
    return {cid: (a, b, read_names(a), read_names(b)) for (cid, _), a, b in zip(cases, lo, gn)}


def test_every_new_number_equals_the_engine_in_both_programs(recalculated):
    seen = set()
    for cid, (_, _, lo, gn) in recalculated.items():
        for program, (values, errors) in (("LibreOffice", lo), ("Gnumeric", gn)):
            rep = compare(values, errors, 1e-9, f"{cid} in {program}")
            assert rep.ok, "\n".join(rep.lines())
            seen |= {k for k in values if k.startswith(("cover_", "pva_", "ytd_", "cum_", "annual_paid"))}
    assert {"cover_gross_margin_by_year", "cover_paid_cac_by_year", "pva_ytd_variance_revenue"} <= seen
    assert {
        "pva_latest_actual_mau",
        "ytd_variance_net_burn_by_month",
        "cum_variance_revenue_by_month",
    } <= seen


def test_the_cover_shows_the_first_two_fiscal_years_beside_month_1(recalculated):
    out, _, (values, _), _ = recalculated["model-plan--base"]
    cover = openpyxl.load_workbook(out, data_only=True)["Cover"]
    labels = [str(c.value) for row in cover.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Gross margin, month 1" in labels and "Unit economics, month 1 (at the inputs)" in labels
    assert "FY2024*" in labels and "FY2025" in labels
    assert values["cover_gross_margin_by_year"] == values["annual_gross_margin_by_year"][:2]
    assert values["gross_margin"] < 0 < values["cover_gross_margin_by_year"][1]


def test_the_year_to_date_restarts_with_the_fiscal_year(recalculated):
    _, _, (v, _), _ = recalculated["actuals-june--base"]
    fy = v["actual_fiscal_year_by_month"]
    assert fy == [2024, 2024, 2024, 2025, 2025, 2025]  # Mar-May 24 in FY2024, Jun-Aug 24 in FY2025
    ytd, var = v["ytd_variance_revenue_by_month"], v["variance_revenue_by_month"]
    assert ytd[3] == pytest.approx(var[3], rel=1e-12)  # June: the year's first month
    assert ytd[5] == pytest.approx(sum(var[3:6]), rel=1e-12)
    assert v["cum_variance_revenue_by_month"][5] == pytest.approx(sum(var), rel=1e-12)
    assert v["pva_ytd_variance_revenue"] == pytest.approx(ytd[5], rel=1e-12)


def test_plan_vs_actual_shows_calendar_months_and_millions_on_one_page(recalculated):
    out, _, (v, _), _ = recalculated["actuals-plan--base"]
    wb = openpyxl.load_workbook(out)
    ws = wb[PLAN_ACTUAL_SHEET]
    assert ws["E4"].number_format.replace("\\", "") == "mmm yy"
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1
    money = [c.number_format for row in ws.iter_rows(min_col=5, max_col=5) for c in row if c.number_format]
    assert any(",,M" in f.replace("\\", "").replace('"', "") for f in money)
    # not live: nothing compared, every variance n/a, the Cover's summary n/a (not 0)
    _, _, (other, _), _ = recalculated["actuals-plan--actuals"]
    assert other["pva_latest"] == 0 and other["pva_ytd_actual_revenue"] == "n/a"


# ------------------------------------------------------------------ risk on the plan under review


def test_the_sensitivity_grid_crosses_the_tornados_top_two_inputs():
    from xlmodel.simulate import simulate

    a = assumptions.default()
    wb = build("model", a)
    sim = simulate(a.simulation_inputs("base"), draws=64, seed=0)
    names = [r["input"] for r in sim.tornado("runway_months")][:2]
    got = [wb["Sensitivity"]["B5"].value, wb["Sensitivity"]["E5"].value]
    assert got == names and got != ["churn", "conversion"]
    assert wb.defined_names["sensitivity_status"] is not None


def test_a_plan_without_ranges_gets_a_band_written_on_the_sheet_or_named_axes():
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    ws = build("model", a)["Sensitivity"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("+/-20% band" in t for t in texts)
    ws = build("model", a, grid=("churn", "fixed_costs"))["Sensitivity"]
    assert (ws["B5"].value, ws["E5"].value) == ("churn", "fixed_costs")
    with pytest.raises(xm.errors.AssumptionsError, match="'nope' is not an input"):
        build("model", a, grid=("churn", "nope"))


def test_the_risk_template_without_ranges_applies_a_default_band_written_on_the_sheet():
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    note = build("risk", a)["Risk"]["A3"].value
    assert "gives no ranges: a default +/-20% band (PERT, its mode at the value) on churn" in note


# ------------------------------------------------------------------ charts


def test_charts_tell_their_series_apart_and_the_migration_sheet_has_calendar_months():
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    wb = build("model", a)
    (cash,) = wb["Cover"]._charts
    lines = [s.graphicalProperties.line for s in cash.series]
    assert [ln.dashStyle == "dash" for ln in lines] == [False, True]  # the cash, the minimum cash
    assert str(lines[0].solidFill) != str(lines[1].solidFill)
    assert cash.series[0].marker.symbol == "circle" and "RMB" in str(cash.y_axis.title.tx.rich.p[0].r[0].t)
    charts = wb["Charts"]._charts
    both = next(c for c in charts if len(c.series) == 2 and "migration" in c.title.tx.rich.p[0].r[0].t)
    assert [s.graphicalProperties.line.dashStyle == "dash" for s in both.series] == [False, True]
    saas = copy.copy(assumptions.load(EXAMPLES / "saas-copilot.toml"))
    saas.start = "2024-03"
    ws = build("migration", saas)["Migration"]
    assert [ws.cell(4, c).value for c in range(5, 8)] == ["Mar 24", "Apr 24", "May 24"]


def test_new_takes_grid_and_refuses_a_bad_one(tmp_path):
    from click.testing import CliRunner

    from xlmodel.cli import main

    plan = str(EXAMPLES / "plan-2024.toml")
    out = tmp_path / "g.xlsx"
    r = CliRunner().invoke(main, ["new", "model", "-a", plan, "-o", str(out), "--grid", "churn,fixed_costs"])
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(out)["Sensitivity"]
    assert (ws["B5"].value, ws["E5"].value) == ("churn", "fixed_costs")
    r = CliRunner().invoke(main, ["new", "model", "-a", plan, "-o", str(out), "--force", "--grid", "churn"])
    assert r.exit_code == 2 and "--grid" in r.output
