"""The model workbook with retention curves (issue 16): the curve on Inputs, the Waterfall sheet of cohorts.

Every scenario is selected and the workbook recalculated in LibreOffice (and in Gnumeric): MAU, cash and the
runway must equal the engine's plan of that scenario (xlmodel.plan, 1e-9 relative), the waterfall's column sums
plus month 0's users must equal the engine's MAU, each cell ``activated_c x R(t - c + 1)``, and ``xlmodel
verify``'s comparison of every named number must pass. Editing a curve value and an activation on Inputs moves
the plan as the engine moves it on the edited inputs.
"""

import math

import numpy as np
import openpyxl
import pytest

from xlmodel import assumptions
from xlmodel.engine import summary
from xlmodel.errors import AssumptionsError
from xlmodel.plan import plan
from xlmodel.retention import active_curve, cohort_waterfall
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import need_gnumeric, need_libreoffice, select_scenario

# Illustrative inputs (assumptions, not sourced figures): a churn scenario, a curve of activated users, a
# curve measured on sign-ups (month 1 below 1: the activation), curves whose cohort pays back within the
# curve's months and past them, and a curve with changes of churn, activation and ad spend and a round.
ASSUMPTIONS = """
[model]
name = "Waterfall test"
currency = "USD"
horizon = 36
start = "2025-01"

[scenarios.churn]
cash = 50_000_000
mau = 1_000_000
ad_spend = 2_000_000
ad_growth = 0.01
cac = 4.0
organic_users = 150_000
churn = 0.3
conversion = 0.06
arppu = 12
vat = 0.1
store_fee = 0.15
cost_per_mau = 0.35
paying_cost_per_mau = 1.2
cost_decline = 0.02
fixed_costs = 1_500_000
annual_discount_rate = 0.12
interest_rate = 0.03
migration_month = 9
large_price = 5
small_price = 0.5
routed_share = 0.5
migration_cost = 400_000

[scenarios.curve]
retention = [1.0, 0.56, 0.42, 0.36, 0.33]

[scenarios.signups]
retention = [0.6, 0.4, 0.3, 0.26, 0.24, 0.23, 0.22]
churn = 0.2

[scenarios.quick-payback]
retention = [1.0, 0.8, 0.7, 0.65, 0.62, 0.6]
conversion = 0.2
arppu = 20

[scenarios.late-payback]
retention = [1.0, 0.7, 0.6, 0.55]
conversion = 0.1
arppu = 15

[scenarios.curve-changes]
retention = [1.0, 0.6, 0.5, 0.45, 0.42, 0.4, 0.39, 0.38]
[[scenarios.curve-changes.changes]]
month = 4
churn = 0.1
[[scenarios.curve-changes.changes]]
month = 6
activation = 0.8
ad_spend = 1_000_000
[[scenarios.curve-changes.funding]]
month = 10
amount = 20_000_000
"""

RTOL = 1e-9


def _load(tmp_path, text=ASSUMPTIONS):
    path = tmp_path / "curves.toml"
    path.write_text(text)
    return assumptions.load(path)


def _close(got, want):
    if isinstance(want, float) and math.isinf(want):
        return got == "never"
    return isinstance(got, (int, float)) and abs(got - want) <= RTOL * max(abs(want), abs(got))


def _rows_close(got, want):
    """A month row against the engine's, each cell to 1e-9 of the row's magnitude (a cash balance crossing 0)."""
    want = np.asarray(want, dtype=float)
    scale = float(np.abs(want).max())
    return len(got) == want.size and all(
        isinstance(g, (int, float)) and abs(g - w) <= RTOL * max(abs(w), scale) for g, w in zip(got, want)
    )


def _grid(path):
    """The Waterfall's cohorts as recalculated: rows of cells (None where a cohort has not signed up yet)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet, ref = next(iter(wb.defined_names["cohort_waterfall"].destinations))
    return [[c.value for c in row] for row in wb[sheet][ref.replace("$", "")]]


def _engine(scenario: dict):
    """The engine's plan of a scenario, and its cohorts (the activated sign-ups of each month by the curve)."""
    p = plan(**scenario)
    curve = scenario.get("retention")
    if curve is None:
        return p, None
    c = active_curve(curve)
    n = len(p.projection.mau)
    activation = np.full(n, float(c.activation(scenario.get("activation", 1.0))))
    for change in scenario.get("changes") or ():  # the activation's path: its level from a change on
        if "activation" in change:
            activation[change["month"] - 1 :] = change["activation"]
    return p, cohort_waterfall(activation * p.projection.new_users, curve)


def _existing(scenario: dict, n: int):
    """The users of month 0, decaying at each month's churn (its changes applied)."""
    churn = np.full(n, float(scenario["churn"]))
    for change in scenario.get("changes") or ():
        if "churn" in change:
            churn[change["month"] - 1 :] = change["churn"]
    return float(scenario["mau"]) * np.cumprod(1 - churn)


def _check_against_engine(values, errors, path, scenario):
    """MAU, cash and runway equal the engine's plan; the waterfall sums to its MAU; verify's comparison passes."""
    p, fall = _engine(scenario)
    assert errors == []
    assert _rows_close(values["mau_by_month"], p.projection.mau)
    assert _rows_close(values["cash_by_month"], p.projection.cash)
    assert _close(values["runway_months"], p.outputs["runway_months"])
    n = len(p.projection.mau)
    grid = _grid(path)
    assert len(grid) == n and all(len(row) == n for row in grid)
    if fall is None:  # no curve: the Projection's MAU is the churn formula, the cohorts all 0
        assert values["has_curve"] is False
        assert all(x == 0 for c, row in enumerate(grid) for x in row[c:])
    else:
        assert values["has_curve"] is True
        existing = _existing(scenario, n)
        sums = [sum(row[t] for row in grid[: t + 1]) for t in range(n)]
        assert _rows_close([s + e for s, e in zip(sums, existing)], p.projection.mau)
        for c in range(n):
            assert all(x is None for x in grid[c][:c])  # before the cohort's month of sign-up: empty
            assert _rows_close(grid[c][c:], fall[c, c:])
    rep = compare(values, errors, path=str(path))
    assert rep.ok, rep.lines()


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The model workbook of ASSUMPTIONS with each scenario selected, recalculated by LibreOffice."""
    need_libreoffice()
    tmp = tmp_path_factory.mktemp("waterfall")
    a = _load(tmp)
    src = tmp / "model.xlsx"
    src.write_bytes(to_bytes(build("model", a)))
    paths = []
    for i, name in enumerate(a.scenario_names):
        wb = openpyxl.load_workbook(src)
        select_scenario(wb, name)
        paths.append(tmp / f"s{i}.xlsx")
        wb.save(paths[-1])
    out = recalculate(paths, tmp / "lo")
    return a, src, paths, dict(zip(a.scenario_names, out))


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "name", ["churn", "curve", "signups", "quick-payback", "late-payback", "curve-changes"]
)
def test_every_scenario_agrees_with_the_engine(books, name):
    a, _, _, out = books
    values, errors = read_names(out[name])
    _check_against_engine(values, errors, out[name], a.scenario(name))


@pytest.mark.libreoffice
def test_curve_outputs_follow_the_curve(books):
    """LTV is the curve's cohort LTV, cohort_payback_month the engine's, within the curve and past it."""
    a, _, _, out = books
    months = {}
    for name in ("curve", "signups", "quick-payback", "late-payback"):
        values, _ = read_names(out[name])
        engine = summary(a.scenario(name))
        assert _close(values["ltv"], engine["ltv"])
        assert values["ltv"] == values["curve_ltv"]
        assert _close(values["ltv_to_cac"], engine["ltv_to_cac"])
        months[name] = values["cohort_payback_month"]
        want = engine["cohort_payback_month"]
        assert months[name] == ("never" if math.isinf(want) else want)
    assert months == {"curve": "never", "signups": "never", "quick-payback": 2, "late-payback": 9}
    values, _ = read_names(out["signups"])
    assert values["activation"] == 0.6  # a curve measured on sign-ups: its month 1 is the activation
    values, _ = read_names(out["churn"])
    assert values["cohort_payback_month"] == "n/a" and values["curve_ltv"] == "n/a"


@pytest.mark.libreoffice
def test_editing_a_curve_value_and_the_activation_moves_the_plan(books, tmp_path):
    """Month 3 of a curve and the scenario's activation edited on Inputs: the recalculated plan is the engine's
    on the edited inputs (and differs from the plan before the edit)."""
    a, src, _, out = books
    before, _ = read_names(out["curve"])
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    col = next(c.column for c in ws[7] if c.value == "curve")
    rows = {ws.cell(row=r, column=2).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(row=rows["retention[3]"], column=col).value = 0.47
    ws.cell(row=rows["activation"], column=col).value = 0.85
    col_s = next(c.column for c in ws[7] if c.value == "signups")
    ws.cell(row=rows["retention[1]"], column=col_s).value = 0.5  # a sign-up curve's month 1: the activation
    paths = []
    for name in ("curve", "signups"):
        select_scenario(wb, name)
        paths.append(tmp_path / f"{name}.xlsx")
        wb.save(paths[-1])
    recalculated = dict(zip(("curve", "signups"), recalculate(paths, tmp_path / "lo")))
    edited = dict(a.scenario("curve"), activation=0.85)
    edited["retention"] = [1.0, 0.56, 0.47, 0.36, 0.33]
    values, errors = read_names(recalculated["curve"])
    _check_against_engine(values, errors, recalculated["curve"], edited)
    assert not _rows_close(values["mau_by_month"], before["mau_by_month"])
    signups = dict(a.scenario("signups"))
    signups["retention"] = [0.5] + list(signups["retention"][1:])
    values, errors = read_names(recalculated["signups"])
    _check_against_engine(values, errors, recalculated["signups"], signups)
    assert values["activation"] == 0.5


@pytest.mark.libreoffice
def test_an_activation_given_twice_fails_the_master_check(books, tmp_path):
    """A curve measured on sign-ups and an activation below 1 in the same scenario: the engine refuses it, the
    workbook's checks fail (and verify says so)."""
    _, src, _, _ = books
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    col = next(c.column for c in ws[7] if c.value == "signups")
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=2).value == "activation")
    ws.cell(row=row, column=col).value = 0.9
    select_scenario(wb, "signups")
    wb.save(tmp_path / "twice.xlsx")
    (path,) = recalculate([tmp_path / "twice.xlsx"], tmp_path / "lo")
    values, _ = read_names(path)
    assert values["checks_ok"] is False


@pytest.mark.libreoffice
def test_gnumeric_agrees_for_every_scenario(books, tmp_path):
    need_gnumeric()
    a, _, paths, _ = books
    for name, path in zip(a.scenario_names, recalculate_gnumeric(paths, tmp_path / "gn")):
        values, errors = read_names(path)
        _check_against_engine(values, errors, path, a.scenario(name))


def test_templates_without_a_waterfall_refuse_a_curve(tmp_path):
    a = _load(tmp_path)
    for template in ("unit-economics", "runway", "risk", "cohorts"):
        with pytest.raises(
            AssumptionsError, match=f"the {template} template does not carry retention curves"
        ):
            build(template, a, cohorts=[["2024-01", 1.0, 0.5]] if template == "cohorts" else None)


def test_the_timeline_must_hold_the_curve_and_stay_small(tmp_path):
    a = _load(tmp_path)
    with pytest.raises(AssumptionsError, match="needs a workbook of at least 8 months"):
        build("model", a, months=6)
    with pytest.raises(AssumptionsError, match="covers up to 240 months"):
        build("model", a, months=241)


def test_a_file_without_a_curve_has_no_waterfall(tmp_path):
    text = ASSUMPTIONS[: ASSUMPTIONS.index("[scenarios.curve]")]
    wb = build("model", _load(tmp_path, text))
    assert "Waterfall" not in wb.sheetnames and "retention" not in wb.defined_names
    assert "=cohort_payback_month" not in _cover_formulas(wb)


def _cover_formulas(wb) -> list:
    return [c.value for row in wb["Cover"].iter_rows() for c in row if isinstance(c.value, str)]


def test_the_cover_shows_the_cohort_payback_with_a_curve(tmp_path):
    cover = _cover_formulas(build("model", _load(tmp_path)))
    i = cover.index("Cohort payback on the curve (Waterfall)")
    assert cover[i + 1] == "=cohort_payback_month"


def test_the_waterfall_is_live_formulas(tmp_path):
    """Each cohort cell multiplies the cohort's activated sign-ups by R at its age; MAU switches on the curve."""
    wb = build("model", _load(tmp_path))
    ws = wb["Waterfall"]
    sheet, ref = next(iter(wb.defined_names["cohort_waterfall"].destinations))
    cells = wb[sheet][ref.replace("$", "")]
    assert cells[0][0].value.startswith("=$D") and cells[0][5].value.startswith("=$D")
    assert cells[3][2].value is None and cells[3][3].value.startswith("=$D")
    projection = wb["Projection"]
    mau_row = next(
        r
        for r in range(1, projection.max_row + 1)
        if projection.cell(row=r, column=2).value == "mau_by_month"
    )
    assert projection.cell(row=mau_row, column=5).value.startswith("=IF(has_curve,'Waterfall'!E")
    assert ws.title == "Waterfall"


@pytest.mark.libreoffice
def test_cached_values_are_what_libreoffice_computes(tmp_path):
    """A file whose first scenario has a curve: the values saved with the formulas (what a previewer shows) are
    the engine's, and LibreOffice's recalculation gives them again (the cohorts' cells included)."""
    need_libreoffice()
    text = ASSUMPTIONS[: ASSUMPTIONS.index("[scenarios.curve]")].replace(
        "churn = 0.3\n", "retention = [1.0, 0.62, 0.5, 0.45, 0.42]\n"
    )
    a = _load(tmp_path, text)
    src = tmp_path / "first.xlsx"
    src.write_bytes(to_bytes(build("model", a)))
    cached, _ = read_names(src)
    assert cached["has_curve"] is True and cached["curve_months"] == 5
    rep = compare(cached, [], path=str(src))
    assert rep.ok, rep.lines()
    (out,) = recalculate([src], tmp_path / "lo")
    values, errors = read_names(out)
    _check_against_engine(values, errors, out, a.scenario(a.scenario_names[0]))
    saved, recalculated = _grid(src), _grid(out)
    assert sum(x is not None for row in saved for x in row) == len(saved) * (len(saved) + 1) // 2
    assert all(
        (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= RTOL * abs(y))
        for rx, ry in zip(saved, recalculated)
        for x, y in zip(rx, ry)
    )


@pytest.mark.libreoffice
def test_cached_values_of_a_file_whose_first_scenario_has_no_curve(books):
    """The saved values while the churn scenario is live: the curve's numbers read n/a, the cohorts 0."""
    _, src, _, _ = books
    cached, _ = read_names(src)
    assert (
        cached["has_curve"] is False
        and cached["curve_ltv"] == "n/a"
        and cached["cohort_payback_month"] == "n/a"
    )
    rep = compare(cached, [], path=str(src))
    assert rep.ok, rep.lines()
