"""What verify did not see (issue 19, section 5): tampered workbooks must give FAILED naming what differs.

Each workbook is generated fresh, tampered with openpyxl as an analyst (or an attacker) would, recalculated in
LibreOffice (all of them in one process, a module fixture) and compared with the engine as ``xlmodel verify``
compares it; a few go through the command line itself for the exit status and the one-line messages.
"""

import io
from pathlib import Path

import openpyxl
import pytest

from xlmodel import assumptions
from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.risk_sheet import risk_values
from xlmodel.workbook.verify import compare, data_problems, link_problems, read_names, recalculate

from .conftest import need_libreoffice

ROOT = Path(__file__).resolve().parents[1]
ACTUALS_CSV = ROOT / "examples" / "actuals-2024.csv"
COHORTS_CSV = ROOT / "examples" / "cohorts-2024.csv"


# ------------------------------------------------------------------ generating and tampering


def _cells(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    got = wb[sheet][ref.replace("$", "")]
    rows = got if isinstance(got, tuple) else ((got,),)
    return [c for row in rows for c in (row if isinstance(row, tuple) else (row,))]


def _scenario_cell(wb, key: str, scenario: str):
    """A scenario's cell of input ``key`` on Inputs."""
    heads = _cells(wb, "scenario_names")
    col = next(c.column for c in heads if c.value == scenario)
    (anchor,) = _cells(wb, key)
    return wb[anchor.parent.title].cell(row=anchor.row, column=col)


_GENERATED: dict = {}


def _generated(kind: str) -> bytes:
    """A fresh workbook as ``xlmodel new`` writes it: risk, risk-udf, actuals, actuals-udf, cohorts."""
    if kind not in _GENERATED:
        a = assumptions.default()
        formulas = "udf" if kind.endswith("-udf") else "native"
        if kind.startswith("risk"):
            wb = build("risk", a, formulas=formulas)
        elif kind.startswith("actuals"):
            table = read_actuals(ACTUALS_CSV)
            wb = build("model", a, formulas=formulas, actuals=table, fit=fit_actuals(table))
        else:
            wb = build("cohorts", a, cohorts=read_cohorts(COHORTS_CSV), formulas=formulas)
        _GENERATED[kind] = to_bytes(wb)
    return _GENERATED[kind]


def _tornado_change(wb):
    first = _cells(wb, "runway_tornado_low")[0]
    first.parent.cell(row=first.row, column=8).value = 99.0  # "Change at low" of the first input: a chart bar


def _tornado_label(wb):
    cell = _cells(wb, "runway_tornado_inputs")[0]
    assert cell.value == "ad_growth"
    cell.value = "churn"


def _histogram_bin(wb):
    first = _cells(wb, "runway_months_histogram_from")[0]
    first.parent.cell(row=first.row, column=1).value = "99.9"  # the chart's category label of the first bin


def _scenario_simulated(wb):
    _cells(wb, "simulation_scenario")[0].value = "downside"


def _base_churn(wb):
    _scenario_cell(wb, "churn", "base").value = 0.5


def _paying_above_mau(wb):
    _cells(wb, "actual_paying_users_by_month")[2].value = 1e12


def _negative_revenue(wb):
    _cells(wb, "actual_revenue_by_month")[3].value = -1e9


def _link_to_constant(wb):
    cell = _scenario_cell(wb, "churn", "actuals")
    assert cell.value.startswith("='Actuals'!")
    cell.value = 0.3


def _retention(value, i=2):
    def tamper(wb):
        _cells(wb, "retention_triangle")[i].value = value  # cohort 2024-03, month i + 1

    return tamper


#: case -> (workbook, tampering or None, what the failure must say: a prefix of one MISMATCH line)
CASES = {
    "risk": ("risk", None, None),
    "risk-udf": ("risk-udf", None, None),
    "actuals": ("actuals", None, None),
    "cohorts": ("cohorts", None, None),
    "risk-tornado-change": ("risk", _tornado_change, "runway_tornado_change_low[1]: workbook 99"),
    "risk-tornado-label": (
        "risk",
        _tornado_label,
        "runway_tornado_inputs[1]: workbook 'churn', engine 'ad_growth'",
    ),
    "risk-histogram-bin": (
        "risk",
        _histogram_bin,
        "runway_months_histogram_bins[1]: workbook '99.9', engine ",
    ),
    "risk-scenario": ("risk", _scenario_simulated, "simulation_scenario: workbook 'downside', engine 'base'"),
    "risk-churn": ("risk", _base_churn, "risk_still_on_inputs["),
    "risk-udf-churn": ("risk-udf", _base_churn, "risk_still_on_inputs["),
    "actuals-udf-paying": (
        "actuals-udf",
        _paying_above_mau,
        "actual_paying_users_by_month[3] (Actuals!G10): paying_users (1e+12) cannot exceed mau",
    ),
    "actuals-revenue": (
        "actuals",
        _negative_revenue,
        (
            "actual_revenue_by_month[4] (Actuals!H11), month 2024-06: revenue must be 0 or more, "
            "got -1000000000"
        ),
    ),
    "actuals-link": (
        "actuals",
        _link_to_constant,
        "Inputs!I27: the actuals scenario's churn must link to fitted_churn (='Actuals'!$D$36), got 0.3",
    ),
    "cohorts-1.5": (
        "cohorts",
        _retention(1.5),
        (
            "retention_triangle (Cohorts!G6): cohort 2024-03 month 3: a retention "
            "share must be above 0 and at most 1, got 1.5"
        ),
    ),
    "cohorts-negative": (
        "cohorts",
        _retention(-0.5),
        (
            "retention_triangle (Cohorts!G6): cohort 2024-03 month 3: a "
            "retention share must be above 0 and at most 1, got -0.5"
        ),
    ),
    "cohorts-text": (
        "cohorts",
        _retention("abc"),
        ("retention_triangle (Cohorts!G6): cohort 2024-03 month 3: must be a number, got 'abc'"),
    ),
    "cohorts-empty-month-2": (
        "cohorts",
        _retention(None, 1),
        "retention_triangle (Cohorts!F6): cohort 2024-03 month 2: is empty inside the curve",
    ),
}


def _tampered(cid: str) -> bytes:
    kind, tamper, _ = CASES[cid]
    if tamper is None:
        return _generated(kind)
    wb = openpyxl.load_workbook(io.BytesIO(_generated(kind)))
    tamper(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refs(wb) -> dict:
    return {
        name: next(iter(dn.destinations)) for name, dn in wb.defined_names.items() if list(dn.destinations)
    }


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Every case recalculated in one LibreOffice process and compared as verify compares it."""
    need_libreoffice()
    from xlmodel.workbook.verify import udf_cells

    tmp = tmp_path_factory.mktemp("blind")
    (tmp / "in").mkdir()
    paths = []
    for cid in CASES:
        path = tmp / "in" / f"{cid}.xlsx"
        path.write_bytes(_tampered(cid))
        paths.append(path)
    outs = recalculate(paths, tmp / "out")
    out = {}
    for cid, path, recalculated in zip(CASES, paths, outs):
        wb = openpyxl.load_workbook(path)
        rep = compare(*read_names(recalculated), 1e-9, cid, udf_cells(path), _refs(wb))
        rep.failures[:0] = link_problems(wb)
        out[cid] = rep
    return out


# ------------------------------------------------------------------ the tests


@pytest.mark.libreoffice
@pytest.mark.parametrize("cid", [c for c, (_, tamper, _) in CASES.items() if tamper is None])
def test_fresh_workbooks_verify_ok(reports, cid):
    """The untampered workbooks pass: the failures below come from the tampering, not from the check."""
    rep = reports[cid]
    assert rep.ok, "\n".join(rep.lines())


@pytest.mark.libreoffice
@pytest.mark.parametrize("cid", [c for c, (_, tamper, _) in CASES.items() if tamper is not None])
def test_tampered_workbook_fails_naming_what_differs(reports, cid):
    rep = reports[cid]
    want = CASES[cid][2]
    assert not rep.ok
    assert any(f.startswith(want) for f in rep.failures), "\n".join(rep.lines())


@pytest.mark.libreoffice
def test_udf_workbooks_read_the_checks_sheet(reports):
    """A --formulas udf workbook fails on its master check as the native one does (base churn edited to 0.5)."""
    for cid in ("risk-churn", "risk-udf-churn"):
        assert reports[cid].checks_ok is False
        assert "checks_ok: the master check is False, not TRUE" in reports[cid].failures
    assert (
        reports["risk-udf-churn"].notes and "native twins were compared" in reports["risk-udf-churn"].notes[0]
    )
    assert reports["actuals-udf-paying"].checks_ok is False


@pytest.mark.libreoffice
def test_invalid_data_is_not_compared_as_numbers(reports):
    """An invalid triangle or actuals row is named once; the numbers computed from it are left out, not a crash."""
    for cid, what in (("cohorts-text", "the retention triangle"), ("actuals-revenue", "the actuals")):
        assert (
            f"the numbers computed from {what} were not compared: the data are not valid"
            in reports[cid].notes
        )
    assert not any(f.startswith("cohort_ltv_by_cohort") for f in reports["cohorts-text"].failures)


@pytest.mark.libreoffice
@pytest.mark.parametrize("cid", ["risk-tornado-label", "cohorts-empty-month-2", "actuals-link"])
def test_verify_command_says_failed_with_exit_1(run, tmp_path, cid):
    """Through the command line: FAILED and exit 1 (not 0, not 2 "a part xlmodel wrote is missing"), one line each."""
    need_libreoffice()
    path = tmp_path / f"{cid}.xlsx"
    path.write_bytes(_tampered(cid))
    r = run("verify", path)
    assert r.exit_code == 1, r.output
    assert r.output.rstrip().endswith("FAILED")
    assert f"  MISMATCH {CASES[cid][2]}" in r.output
    assert "Traceback" not in r.output and "missing or changed" not in r.output


# ------------------------------------------------------------------ without LibreOffice


def test_data_problems_apply_the_csv_readers_rules():
    names = ["2024-01", "2024-02"]
    ok = {"cohort_names": names, "retention_triangle": [1.0, 0.5, 0.4, 0.9, 0.6, None]}
    assert data_problems(ok) == ([], set())
    refs = {"retention_triangle": ("Cohorts", "$E$6:$G$7")}
    for value, said in (
        (1.5, "got 1.5"),
        (0.0, "got 0.0"),
        (True, "must be a number, got True"),
        ("#VALUE!", "must be a number, got '#VALUE!'"),
    ):
        bad = dict(ok, retention_triangle=[1.0, 0.5, 0.4, 0.9, value, None])
        failures, drop = data_problems(bad, refs)
        assert drop == {"retention_triangle"}
        assert len(failures) == 1 and failures[0].startswith(
            "retention_triangle (Cohorts!F7): cohort 2024-02 month 2"
        )
        assert said in failures[0]
    gap = dict(ok, retention_triangle=[1.0, None, 0.4, 0.9, 0.6, None])
    assert data_problems(gap)[0] == [
        (
            "retention_triangle: cohort 2024-01 month 2: is empty inside the curve (only the "
            "right edge may be empty)"
        )
    ]
    empty = dict(ok, retention_triangle=[1.0, 0.5, 0.4, None, None, None])
    assert data_problems(empty)[0] == [
        "retention_triangle: cohort 2024-02 has no retention shares (month 1 is empty)"
    ]
    # the sign-ups of a sized triangle: a positive number on every row, as read_cohorts requires
    assert data_problems(dict(ok, cohort_size=[100.0, 50.0])) == ([], set())
    failures, drop = data_problems(
        dict(ok, cohort_size=[100.0, "lots"]), {"cohort_size": ("Cohorts", "$B$6:$B$7")}
    )
    assert drop == {"retention_triangle"}
    assert failures == [
        "cohort_size[2] (Cohorts!B7): must be a positive number (the cohort's sign-ups), got 'lots'"
    ]


def test_data_problems_on_actuals():
    row = lambda *v: list(v)
    values = {
        "fit_window": 2,
        "actual_months": ["2024-01", "2024-02"],
        "actual_cash_by_month": row(-5.0, 1.0),  # cash may be negative (an overdraft)
        **{
            f"actual_{c}_by_month": row(10.0, 10.0)
            for c in (
                "new_users",
                "paid_new_users",
                "mau",
                "paying_users",
                "ad_spend",
                "revenue",
                "compute_cost",
                "fixed_costs",
            )
        },
    }
    assert data_problems(values) == ([], set())
    failures, drop = data_problems(dict(values, actual_compute_cost_by_month=row(10.0, float("inf"))))
    assert drop == {"fit_window"} and failures == [
        "actual_compute_cost_by_month[2], month 2024-02: compute_cost must be a finite number, got inf"
    ]
    failures, _ = data_problems(dict(values, actual_paid_new_users_by_month=row(11.0, 1.0)))
    assert failures == ["actual_paid_new_users_by_month[1]: paid_new_users (11) cannot exceed new_users (10)"]


def test_risk_sheet_writes_the_labels_and_changes_verify_compares():
    """The tornado's labels and bars, and the histogram's bin labels, are the cells risk_values defines."""
    import xlmodel as xm

    a = assumptions.default()
    wb = build("risk", a)
    sim = xm.simulate(
        dict(a.simulation_inputs(), horizon=a.horizon),
        draws=a.draws,
        seed=a.seed,
        correlations=a.correlations_for(),
    )
    values = risk_values(sim)
    for name in (
        "runway_tornado_inputs",
        "runway_tornado_change_low",
        "runway_tornado_change_high",
        "runway_months_histogram_bins",
        "migration_npv_histogram_bins",
    ):
        assert [c.value for c in _cells(wb, name)] == values[name], name
    # invariants: a bar is the runway at the input's bound minus the base; the bins' labels are their middles
    base = sim.base_values["runway_months"]
    rows = sim.tornado("runway_months")
    assert values["runway_tornado_change_high"][0] == pytest.approx(rows[0]["at_high"] - base)
    lo, hi = values["runway_months_histogram_from"], values["runway_months_histogram_to"]
    assert values["runway_months_histogram_bins"][0] == f"{(lo[0] + hi[0]) / 2:,.1f}"
    assert values["runway_months_histogram_bins"][-1] == f"> {sim.horizon}"  # the bar of draws beyond it
    assert values["migration_npv_histogram_bins"][0].endswith("M")
