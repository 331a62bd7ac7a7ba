"""Every template, every scenario selected, in two spreadsheet programs: LibreOffice Calc and Gnumeric.

A workbook must work wherever a finance team opens it. Each template is built, each of its scenarios is
selected (the name typed into the selector, as a user would), and the file is recalculated by LibreOffice and
by Gnumeric (``ssconvert --recalc``). Both must agree with the engine on every named number (1e-9), show no
error cell (but the documented ``#NAME?`` of a udf workbook's =LLM_* cells before set-up), and agree with each
other. Print titles that set rows and columns together and colour scales may differ in Gnumeric; numbers may not.
"""

import math

import openpyxl
import pytest

from xlmodel import assumptions
from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.verify import close, compare, read_names, recalculate, udf_cells

from .conftest import ROOT, need_gnumeric, need_libreoffice, select_scenario

pytestmark = pytest.mark.libreoffice

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"
SAAS = ROOT / "examples" / "saas-copilot.toml"
ACTUALS = ROOT / "examples" / "actuals-2024.csv"
COHORTS = ROOT / "examples" / "cohorts-2024.csv"


def _books():
    """(case id, workbook, scenario names) for every template and the data variants."""
    a, saas = assumptions.load(EXAMPLE), assumptions.load(SAAS)
    table = read_actuals(ACTUALS)
    books = [(t, build(t, a), a.scenario_names) for t in ("unit-economics", "runway", "model", "risk")]
    books.append(("migration", build("migration", saas), saas.scenario_names))
    books.append(("model-saas", build("model", saas), saas.scenario_names))
    books.append(("model-udf", build("model", a, formulas="udf"), a.scenario_names))
    books.append(("cohorts", build("cohorts", a, cohorts=read_cohorts(COHORTS)), a.scenario_names))
    books.append(
        (
            "model-actuals",
            build("model", a, actuals=table, fit=fit_actuals(table)),
            a.scenario_names + ["actuals"],
        )
    )
    return books


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_libreoffice()
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("two")
    src = tmp / "in"
    src.mkdir()
    cases = []
    for cid, wb, names in _books():
        path0 = src / f"{cid}.xlsx"
        path0.write_bytes(to_bytes(wb))
        for i, name in enumerate(names):
            wb2 = openpyxl.load_workbook(path0)
            select_scenario(wb2, name)
            p = src / f"{cid}--{i}.xlsx"
            wb2.save(p)
            cases.append((f"{cid}--{name}", p, path0))
    lo = recalculate([p for _, p, _ in cases], tmp / "lo")
    gn = recalculate_gnumeric([p for _, p, _ in cases], tmp / "gn")
    return {cid: (read_names(a), read_names(b), orig) for (cid, _, orig), a, b in zip(cases, lo, gn)}


def _ids():
    return [f"{cid}--{name}" for cid, _, names in _books() for name in names]


@pytest.mark.parametrize("cid", _ids())
def test_libreoffice_and_gnumeric_agree_with_the_engine_and_each_other(recalculated, cid):
    (lo, lo_errors), (gn, gn_errors), orig = recalculated[cid]
    skip = udf_cells(orig)  # the =LLM_* cells: #NAME? until the functions are set up, in both programs
    for program, values, errors in (("LibreOffice", lo, lo_errors), ("Gnumeric", gn, gn_errors)):
        rep = compare(values, errors, 1e-9, f"{cid} in {program}", skip)
        assert rep.ok, "\n".join(rep.lines())
        assert rep.compared >= 10
    # the two programs agree on every named value (numbers to 1e-9, texts and flags exactly)
    bad = []
    for name, a in lo.items():
        b = gn.get(name)
        a, b = (
            [a] if isinstance(b, list) and not isinstance(a, list) else a,
            [b] if isinstance(a, list) and not isinstance(b, list) else b,
        )  # a one-cell range reads as a value
        pairs = zip(a, b) if isinstance(a, list) and isinstance(b, list) else [(a, b)]
        for x, y in pairs:
            if (
                isinstance(x, (int, float))
                and not isinstance(x, bool)
                and isinstance(y, (int, float))
                and not isinstance(y, bool)
            ):
                ok = close(y, float(x), 1e-9) if math.isfinite(x) else x == y
            else:
                ok = (x == y) or ({x, y} <= {None, ""})
            if not ok:
                bad.append((name, x, y))
    assert not bad, bad[:10]


@pytest.mark.parametrize(
    "template,name",
    [
        ("unit-economics", "ltv"),
        ("model", "funding_need"),
        ("migration", "migration_npv"),
        ("runway", "cash_by_month"),
    ],
)
def test_an_error_value_fails_the_master_check(tmp_path, template, name):
    """A named output or a month row holding an error value (#DIV/0! here, #REF! in the wild) fails the master
    check in both programs, however an ISNUMBER further down hides it."""
    need_libreoffice()
    need_gnumeric()
    a = assumptions.load(SAAS if template == "migration" else EXAMPLE)
    wb = build(template, a)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    cells = wb[sheet][ref.replace("$", "")]
    cell = cells[0][5] if isinstance(cells, tuple) else cells  # a month of a row, or the output cell
    cell.value = "=1/0"
    path = tmp_path / f"{template}.xlsx"
    path.write_bytes(to_bytes(wb))
    (lo,) = recalculate([path], tmp_path / "lo")
    (gn,) = recalculate_gnumeric([path], tmp_path / "gn")
    for out in (lo, gn):
        values, errors = read_names(out)
        assert errors and values["checks_ok"] is False, out
