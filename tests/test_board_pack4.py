"""Board pack 2, the last items (issue 27): honest horizons on the Scenarios and Sensitivity sheets, a tornado that
ranks an output that moves, the Sensitivity check of a version-4 workbook with another scenario live, the
Scenarios status watching the Team and Capex and credits tables, and the Risk and Inputs sheets on paper.

The workbooks are recalculated in LibreOffice and Gnumeric; the cells are read from the recalculated files.
"""

import math
import re
import subprocess

import openpyxl
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.cover_sheet import not_within
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.risk_charts import TORNADO_OUTPUT, tornado_output
from xlmodel.workbook.risk_sheet import RISK_SHEET
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import ROOT, need_gnumeric, need_libreoffice, need_poppler, select_scenario

EXAMPLES = ROOT / "examples"
STALE = "STALE: an input was edited; generate the workbook again"


def _rows(ws, first: int, last: int) -> dict:
    """Column B's name -> the values of columns D.. (Live, the scenarios, Picked, Agrees) of the Scenarios sheet."""
    return {
        ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(4, last + 1)]
        for r in range(first, ws.max_row + 1)
        if isinstance(ws.cell(r, 2).value, str) and ws.cell(r, 2).value.startswith("scenarios_")
    }


def _grid(wb, name: str) -> list:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    cells = wb[sheet][ref.replace("$", "")]
    return [c.value for row in cells for c in row] if isinstance(cells, tuple) else [cells.value]


def _two_scenarios(tmp_path):
    """company-2024 with a base whose cash lasts the horizon and a scenario that runs out within it."""
    text = (EXAMPLES / "company-2024.toml").read_text(encoding="utf-8")
    text = text.replace("cash = 1_800_000_000 ", "cash = 9_000_000_000 ", 1)
    text += "\n[scenarios.tight]\ncash = 300_000_000\n"
    path = tmp_path / "company-tight.toml"
    path.write_text(text, encoding="utf-8")
    return assumptions.load(path)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """(case, scenario, program) -> (path, values, errors): plan-2024 and a version-4 workbook whose base lasts
    the horizon, every scenario picked, in both programs."""
    need_libreoffice()
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("pack4")
    cases = []
    for key, a in (
        ("plan-2024", assumptions.load(EXAMPLES / "plan-2024.toml")),
        ("tight", _two_scenarios(tmp)),
    ):
        src = tmp / f"{key}.xlsx"
        src.write_bytes(to_bytes(build("model", a)))
        for i, name in enumerate(a.scenario_names):
            wb = openpyxl.load_workbook(src)
            select_scenario(wb, name)
            p = tmp / f"{key}--{i}.xlsx"
            wb.save(p)
            cases.append(((key, name, a), p))
    lo = recalculate([p for _, p in cases], tmp / "lo")
    gn = recalculate_gnumeric([p for _, p in cases], tmp / "gn")
    out = {}
    for ((key, name, a), _), x, y in zip(cases, lo, gn):
        out[(key, name, "LibreOffice")] = (a, x, *read_names(x))
        out[(key, name, "Gnumeric")] = (a, y, *read_names(y))
    return out


def test_no_bare_never_on_the_scenarios_and_sensitivity_sheets_and_the_amber_months(recalculated):
    seen = 0
    for (key, name, program), (a, path, values, errors) in recalculated.items():
        if key != "plan-2024":
            continue
        rep = compare(values, errors, 1e-9, f"{key} {name} in {program}")
        assert rep.ok, "\n".join(rep.lines())
        wb = openpyxl.load_workbook(path, data_only=True)
        ws = wb["Scenarios"]
        k = len(a.scenario_names)
        rows = _rows(ws, 8, 6 + k)
        for sname_i, sname in enumerate(a.scenario_names):
            p = xm.plan(**a.scenario(sname))
            assert math.isinf(p.runway_months) and p.cash_falling_at_horizon  # the case of the issue
            assert rows["scenarios_runway_months"][1 + sname_i] == not_within(36)
            assert rows["scenarios_runway_after_horizon"][1 + sname_i] == pytest.approx(
                p.runway_after_horizon, rel=1e-9
            )
        live = xm.plan(**a.scenario(name))
        assert rows["scenarios_runway_months"][0] == "not within 36 months"  # the Live column, a formula
        assert rows["scenarios_runway_after_horizon"][0] == pytest.approx(live.runway_after_horizon, rel=1e-9)
        assert all(v is True for v in (r[-1] for r in rows.values()))  # the live column agrees
        for n in ("scenarios_runway_months", "scenarios_funding_month", "scenarios_breakeven_month"):
            assert "never" not in rows[n], (n, rows[n])
        grid = _grid(wb, "sensitivity_runway_months_grid")
        assert grid and all(v == not_within(36) for v in grid), grid
        assert ws["A3"].value.startswith("Figures current")
        seen += 1
    assert seen == 2 * len(assumptions.load(EXAMPLES / "plan-2024.toml").scenario_names)


def test_the_sensitivity_check_of_a_version_4_workbook_holds_with_another_scenario_live(recalculated):
    """The base cell is "not within 36 months" while the other scenario's runway is a number: the check
    compares nothing then, and is TRUE, not an error."""
    seen = 0
    for (key, name, program), (a, path, values, errors) in recalculated.items():
        if key != "tight":
            continue
        base = xm.plan(**a.scenario("base"))
        assert math.isinf(base.runway_months)
        live = xm.plan(**a.scenario(name))
        assert not errors, (program, name, errors[:5])
        assert values["checks_ok"] is True, (program, name)
        wb = openpyxl.load_workbook(path, data_only=True)
        checks = wb["Checks"]
        lines = {checks.cell(r, 1).value: checks.cell(r, 4).value for r in range(5, checks.max_row + 1)}
        sens = [v for k_, v in lines.items() if str(k_).startswith("Sensitivity of runway_months")]
        assert sens == [True], (program, name, sens)
        base_cell = _grid(wb, "sensitivity_runway_months_base")[0]
        assert base_cell == not_within(36)
        if name == "tight":
            assert math.isfinite(live.runway_months)  # another scenario live, a number
            seen += 1
    assert seen == 2


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """company-2024 as generated, and with one cell edited on the Team, the Capex and credits (a capex and a
    grant) and the whole-company block of Inputs, recalculated in LibreOffice."""
    need_libreoffice()
    tmp = tmp_path_factory.mktemp("stale")
    src = tmp / "company.xlsx"
    src.write_bytes(to_bytes(build("model", assumptions.load(EXAMPLES / "company-2024.toml"))))
    wb = openpyxl.load_workbook(src)
    on_cost = wb["Inputs"]  # the whole-company inputs: on_cost's row
    r = next(r for r in range(8, on_cost.max_row + 1) if on_cost.cell(r, 2).value == "on_cost")
    cases = {"as generated": None}
    cases.update(
        {
            "team count": ("Team", "D6", 121),
            "team department": ("Team", "C6", "ga"),
            "capex amount": ("Capex and credits", "D6", 1.0),
            "grant credits": ("Capex and credits", "D11", 5.0),
            "on_cost": ("Inputs", f"E{r}", 0.4),
        }
    )
    paths = []
    for i, edit in enumerate(cases.values()):
        wb = openpyxl.load_workbook(src)
        if edit:
            sheet, cell, value = edit
            assert wb[sheet][cell].value is not None and wb[sheet][cell].value != value
            wb[sheet][cell] = value
        p = tmp / f"case{i}.xlsx"
        wb.save(p)
        paths.append(p)
    out = recalculate(paths, tmp / "lo")
    return {label: openpyxl.load_workbook(p, data_only=True) for label, p in zip(cases, out)}


def test_an_edit_to_the_team_capex_credits_or_company_inputs_turns_the_scenarios_stale(edited):
    for label, wb in edited.items():
        status = wb["Scenarios"]["A3"].value
        if label == "as generated":
            assert status.startswith("Figures current"), status
            assert wb["Sensitivity"]["E4"].value.startswith("CURRENT")
        else:
            assert status == STALE, label
            assert wb["Sensitivity"]["E4"].value.startswith("STALE"), label


# ------------------------------------------------------------------ the tornado ranks an output that moves


def test_the_tornado_ranks_an_output_that_moves_and_says_which():
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    wb = build("risk", a)
    ws = wb[RISK_SHEET]
    ranked = _grid(wb, "tornado_output")[0]
    assert ranked == "runway_after_horizon"  # no draw end runs out within 36 months
    changes = _grid(wb, "runway_tornado_change_low") + _grid(wb, "runway_tornado_change_high")
    assert max(abs(x) for x in changes) > 1.0  # fixed_costs moves it by months
    sheet, ref = next(iter(wb.defined_names["tornado_output"].destinations))
    row = int(re.sub(r"\D", "", ref))
    assert "no input moves the runway" in ws[f"C{row}"].value
    assert "at the last quarter's burn" in ws[f"A{row - 1}"].value
    # the default example's runway moves: the tornado ranks it
    d = build("risk", assumptions.default())
    assert _grid(d, "tornado_output") == [TORNADO_OUTPUT]


def test_the_fallback_is_the_ending_cash_when_no_runway_moves():
    """A simulation whose runway is never at every end and whose cash does not fall at the horizon: the
    tornado ranks the ending cash."""

    class Sim:
        horizon = 12
        outputs = {"runway_months": 0, "runway_after_horizon": 0, "ending_cash": 0}
        base_values = {"runway_months": math.inf, "runway_after_horizon": math.nan, "ending_cash": 5.0}

        def tornado(self, name):
            at = {"runway_months": (math.inf, math.inf), "ending_cash": (4.0, 6.0)}[name]
            return [{"input": "churn", "low": 0.1, "high": 0.2, "at_low": at[0], "at_high": at[1]}]

    assert tornado_output(Sim()) == "ending_cash"
    Sim.base_values = dict(Sim.base_values, ending_cash=4.0)
    Sim.tornado = lambda self, name: [  # nothing moves: the runway, as before
        {
            "input": "churn",
            "low": 0.1,
            "high": 0.2,
            "at_low": Sim.base_values[name],
            "at_high": Sim.base_values[name],
        }
    ]
    assert tornado_output(Sim()) == TORNADO_OUTPUT


# ------------------------------------------------------------------ the Risk sheet on paper


def test_the_simulated_inputs_print_on_one_page_and_the_correlations_beside_the_settings(tmp_path):
    need_libreoffice()
    need_poppler()
    paths = []
    for stem, a in (
        ("default", assumptions.default()),
        ("plan", assumptions.load(EXAMPLES / "plan-2024.toml")),
    ):
        p = tmp_path / f"risk-{stem}.xlsx"
        wb = build("risk", a)
        if a.correlations_for(a.scenario_names[0]):
            sheet, ref = next(iter(wb.defined_names["simulated_correlation_pairs"].destinations))
            assert ref.replace("$", "").startswith("F") and int(re.sub(r"\D", "", ref.split(":")[0])) < 10
        p.write_bytes(to_bytes(wb))
        paths.append(p)
    for pdf in recalculate(paths, tmp_path / "pdf", to="pdf"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.split("\f")
        risk = [i for i, page in enumerate(pages) if re.search(r"^\s*Risk - page \d+ of", page, re.M)]
        starts = [i for i in risk if "Inputs simulated" in pages[i]]
        assert starts, pdf
        for i in starts:  # the next page is the second page across (the sheet's title again) or another sheet
            after = i + 1
            assert after not in risk or "Risk: ranges and Monte Carlo" in pages[after], (
                pdf,
                pages[after][:300],
            )
