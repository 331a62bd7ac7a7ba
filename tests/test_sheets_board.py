"""Board-ready Risk, Cohorts, Migration, Actuals, Unit economics and Excel functions sheets (issue 18).

The migration grid is live and agrees with migration_npv, the Risk sheet's Base column is the simulated
scenario whatever is selected, no formula of these sheets hides a number or runs past 200 characters, and
the pages print whole.
"""

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula import Tokenizer

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.actuals import cohort_churn, fit_actuals, read_actuals, read_cohorts
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import ROOT, need_libreoffice, need_poppler

SAAS = ROOT / "examples" / "saas-copilot.toml"
COHORTS = ROOT / "examples" / "cohorts-2024.csv"
ODD_COHORTS = ROOT / "tests" / "data" / "cohorts-odd.csv"
ACTUALS = ROOT / "examples" / "actuals-2024.csv"
#: the only numbers a formula may carry (FAST): everything else is a labelled, named cell
ALLOWED = {"0", "1", "12", "100"}
MAX_FORMULA = 200
FOOTER = re.compile(r"^\s*(.+?) - page (\d+) of (\d+)\s*$", re.MULTILINE)


def _books() -> dict:
    table = read_actuals(ACTUALS)
    a = assumptions.default()
    return {
        "risk": build("risk", a),
        "cohorts": build("cohorts", a, cohorts=read_cohorts(COHORTS)),
        "cohorts-odd": build("cohorts", a, cohorts=read_cohorts(ODD_COHORTS)),
        "migration": build("migration", assumptions.load(SAAS)),
        "model-saas": build("model", assumptions.load(SAAS)),
        "actuals": build(
            "model",
            assumptions.load(ROOT / "examples" / "plan-2024.toml"),
            actuals=table,
            fit=fit_actuals(table),
            plan="base",
        ),
        "udf": build("model", a, formulas="udf"),
        "unit-economics": build("unit-economics", a),
    }


def _sheets(wb):
    """This part's sheets of a workbook (the plan's Migration sheet, linked to the Projection, is another's)."""
    mine = ("Risk", "Cohorts", "Actuals", "Unit economics", "Excel functions", "xlwings.conf")
    for ws in wb.worksheets:
        if ws.title in mine or (ws.title == "Migration" and ws["A1"].value == "Small-model migration"):
            yield ws


def _named(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def _set_input(wb, name, value, column="E"):
    """Type ``value`` into an input's cell in a scenario column of Inputs (E: the first scenario)."""
    ws = wb["Inputs"]
    row = next(r for r in range(8, 120) if ws[f"B{r}"].value == name)
    ws[f"{column}{row}"].value = value


# ---------------------------------------------------------------- FAST: no hidden numbers, short formulas


def test_no_literal_number_and_no_long_formula_in_these_sheets():
    bad = []
    for book, wb in _books().items():
        for ws in _sheets(wb):
            for row in ws.iter_rows():
                for c in row:
                    f = c.value
                    if not (isinstance(f, str) and f.startswith("=")):
                        continue
                    # numbers only: text in quotes, sheet names and cell references are other token kinds
                    nums = [
                        t.value
                        for t in Tokenizer(f).items
                        if t.type == "OPERAND" and t.subtype == "NUMBER" and t.value not in ALLOWED
                    ]
                    if nums or len(f) > MAX_FORMULA:
                        bad.append((book, ws.title, c.coordinate, len(f), nums, f[:100]))
    assert not bad, bad[:10]


def test_the_scan_sees_a_hidden_number():
    """The tokenizer finds 3 in MIN(3,...) and ignores the digits of references and text."""
    items = Tokenizer('=MIN(3,B6-1)+Inputs!E12+"12 months"+$E$300').items
    assert [t.value for t in items if t.subtype == "NUMBER"] == ["3", "1"]


# ---------------------------------------------------------------- the parts without a spreadsheet


def test_charts_and_formats_read_well():
    books = _books()
    risk = books["risk"]["Risk"]
    tornado = next(ch for ch in risk._charts if ch.type == "bar")
    assert tornado.dataLabels.showVal and tornado.legend.position == "b"
    assert len(risk.row_breaks.brk) >= 3  # the tornado, each histogram and the inputs table start a page
    mig = books["migration"]["Migration"]
    (npv,) = mig._charts
    assert npv.legend is None and npv.y_axis.number_format.formatCode == "#,##0.0,,"  # saas: millions
    assert (
        str(npv.y_axis.title.tx.rich.p[0].r[0].t) == "USD millions"
    )  # the title says the scale, not the ticks
    cohorts = books["cohorts"]["Cohorts"]
    (curves,) = cohorts._charts
    widths = [s.graphicalProperties.line.width for s in curves.series]
    assert widths[-1] > 2 * max(widths[:-1])  # the average line stands out
    ue = books["unit-economics"]
    assert _named(ue, "ltv").number_format == "#,##0.00##;[Red]-#,##0.00##"  # 2 to 4 decimals
    assert _named(ue, "ltv_to_cac").number_format == '#,##0.00"x";[Red]-#,##0.00"x"'  # 2 decimals, red < 0
    assert ue["Unit economics"]["D4"].alignment.horizontal == "right"
    # the months of savings are a whole number on Inputs
    inputs = books["migration"]["Inputs"]
    row = next(r for r in range(8, 80) if inputs[f"B{r}"].value == "months")
    assert inputs[f"D{row}"].number_format == inputs[f"E{row}"].number_format == "0;[Red]-0"
    # Actuals: one formula per plan row, the plan's month of the same calendar month, while the plan is live
    act = books["actuals"]["Actuals"]
    plan = _named(books["actuals"], "plan_cash_by_month")[0]
    assert plan[0].parent.title == "Plan vs actual"  # a sheet of its own, one page
    assert [c.value for c in plan[:2]] == [
        '=IF(E7,INDEX(cash_by_month,1,E6),"n/a")',
        '=IF(F7,INDEX(cash_by_month,1,F6),"n/a")',
    ]
    assert act["E5"].value == 1
    # the xlwings.conf sheet stays visible (xlwings reads it) but prints nothing
    conf = books["udf"]["xlwings.conf"]
    assert conf.sheet_state == "visible" and conf["A1"].value == "UDF MODULES"
    area = conf.print_area.split("!")[-1].replace("$", "")
    assert ":" not in area and conf[area].value is None  # one empty cell


def test_risk_base_column_holds_the_simulated_scenario():
    a = assumptions.default()
    wb = build("risk", a)
    want = xm.engine.summary(dict(a.scenario(a.scenario_names[0]), horizon=a.horizon))
    assert _named(wb, "runway_months_base").value == pytest.approx(want["runway_months"], rel=1e-12)
    assert _named(wb, "ltv_base").value == pytest.approx(want["ltv"], rel=1e-12)
    ws = wb["Risk"]
    heads = [c.value for row in ws.iter_rows(max_row=20) for c in row if isinstance(c.value, str)]
    assert f"Base ({a.scenario_names[0]})" in heads and "Base (live)" not in heads
    assert not any(isinstance(c.value, str) and "1E-300" in c.value for row in ws.iter_rows() for c in row)


# ---------------------------------------------------------------- recalculated in LibreOffice


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """The workbooks of these tests, recalculated once: name -> (values, errors)."""
    need_libreoffice()
    tmp = tmp_path_factory.mktemp("board")
    a = assumptions.default()
    books = {k: v for k, v in _books().items() if k in ("cohorts", "cohorts-odd", "actuals", "migration")}
    # the migration grid follows small_price: the same workbook with the live scenario's price doubled
    moved = build("migration", assumptions.load(SAAS))
    price = _named(moved, "small_price")  # the live cell: a formula; the input is in the scenario column
    assert str(price.value).startswith("=")
    small = assumptions.load(SAAS).scenario()["small_price"]
    _set_input(moved, "small_price", 2 * small)
    books["migration-moved"] = moved
    # the Risk sheet with another scenario live: its Base column stays the simulated scenario's
    risk = build("risk", a)
    cell = _named(risk, "scenario")
    cell.value = "downside"
    books["risk-downside"] = risk
    paths = []
    for name, wb in books.items():
        p = tmp / f"{name}.xlsx"
        p.write_bytes(to_bytes(wb))
        paths.append(p)
    outs = recalculate(paths, tmp / "out")
    return {name: read_names(out) for name, out in zip(books, outs)}


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "name", ["cohorts", "cohorts-odd", "actuals", "migration", "migration-moved", "risk-downside"]
)
def test_recalculated_equal_to_the_engine(recalculated, name):
    values, errors = recalculated[name]
    rep = compare(values, errors, 1e-9, name)
    assert rep.ok, "\n".join(rep.lines())


@pytest.mark.libreoffice
def test_migration_grid_base_is_the_npv_and_follows_small_price(recalculated):
    before, _ = recalculated["migration"]
    after, _ = recalculated["migration-moved"]
    small = assumptions.load(SAAS).scenario()["small_price"]
    for values, price in ((before, small), (after, 2 * small)):
        assert values["small_price"] == pytest.approx(price, rel=1e-15)
        assert values["migration_npv_grid_base"] == pytest.approx(values["migration_npv"], rel=1e-9)
        steps = values["grid_price_steps"]
        assert values["grid_small_price"][steps.index(0)] == pytest.approx(price, rel=1e-15)  # live axis
        assert values["grid_routed_share"][values["grid_share_steps"].index(0)] == values["routed_share"]
    assert after["migration_npv"] < before["migration_npv"]  # a dearer small model saves less
    assert after["migration_npv_grid_base"] != pytest.approx(before["migration_npv_grid_base"], rel=1e-6)
    doc = assumptions.load(SAAS).scenario()
    args = dict({k: doc[k] for k in xm.engine.MIGRATION_ARGS}, small_price=2 * small)
    args["months"] = int(args["months"])
    assert after["migration_npv_grid_base"] == pytest.approx(xm.engine.migration_npv(**args), rel=1e-9)


@pytest.mark.libreoffice
def test_risk_base_column_is_the_simulated_scenario_when_another_is_live(recalculated):
    values, _ = recalculated["risk-downside"]
    a = assumptions.default()
    base = xm.engine.summary(dict(a.scenario(a.scenario_names[0]), horizon=a.horizon))
    downside = xm.engine.summary(dict(a.scenario("downside"), horizon=a.horizon))
    assert values["scenario"] == "downside"
    assert values["runway_months"] == pytest.approx(downside["runway_months"], rel=1e-9)  # the live model
    assert values["runway_months_base"] == pytest.approx(
        base["runway_months"], rel=1e-12
    )  # the simulated one
    assert values["runway_months_base"] != pytest.approx(values["runway_months"], rel=1e-3)


@pytest.mark.libreoffice
def test_cohorts_compare_observed_churn_with_the_assumed(recalculated):
    values, _ = recalculated["cohorts"]
    curves = [r.retention for r in read_cohorts(COHORTS)]
    average = [
        sum(c[0] for c in curves) / len(curves)
    ]  # the chained average (docs/model.md), each cohort weighing 1
    for t in range(1, max(map(len, curves))):
        seen = [c for c in curves if len(c) > t]
        average.append(average[-1] * sum(c[t] for c in seen) / sum(c[t - 1] for c in seen))
    observed = cohort_churn(average)
    assert values["cohort_churn_observed"] == pytest.approx(observed, rel=1e-9)
    assert values["cohort_churn_gap"] == pytest.approx(observed - values["churn"], rel=1e-9)
    assert values["cohort_tail_months"] == 3
    odd, _ = recalculated["cohorts-odd"]
    assert "n/a" in odd["cohort_retention_vs_average"]  # where the triangle has no share


# ---------------------------------------------------------------- pages


def _page_texts(pdf: Path) -> list[tuple[str, str]]:
    """(sheet, text) of each page, from its footer."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for page in text.split("\f"):
        m = FOOTER.search(page)
        if m:
            out.append((m.group(1).strip(), page))
    return out


@pytest.mark.libreoffice
def test_risk_and_cohorts_pages_print_whole(tmp_path):
    """Each risk histogram (its table and chart) prints on one page, the tornado on another; the Cohorts sheet
    is one page with the observed and assumed churn on it."""
    need_libreoffice()
    need_poppler()
    a = assumptions.default()
    paths = [tmp_path / "risk.xlsx", tmp_path / "cohorts.xlsx"]
    paths[0].write_bytes(to_bytes(build("risk", a)))
    paths[1].write_bytes(to_bytes(build("cohorts", a, cohorts=read_cohorts(COHORTS))))
    risk_pdf, cohorts_pdf = recalculate(paths, tmp_path / "pdf", to="pdf")
    risk = [text for sheet, text in _page_texts(risk_pdf) if sheet == "Risk"]
    wb = openpyxl.load_workbook(paths[0])
    for name, label in (("runway_months", "Runway months"), ("migration_npv", "Migration NPV")):
        pages = [i for i, t in enumerate(risk) if f"Distribution of {label}: share of draws" in t]
        assert len(pages) == 1, (name, pages)
        page = risk[pages[0]]
        bins = [c.value for c in wb["Risk"]["A"] if c.value is not None]
        last_share = _named(wb, f"{name}_histogram_share")[-1][0]
        last_bin = wb["Risk"][f"A{last_share.row}"].value
        assert last_bin in bins and last_bin in page, (name, last_bin)  # the table's last bin: same page
        assert f"{label} over" in page  # the chart's title
    assert sum("What moves the runway" in t for t in risk) == 1
    cohorts = [text for sheet, text in _page_texts(cohorts_pdf) if sheet == "Cohorts"]
    assert len(cohorts) == 1 and "Observed churn" in cohorts[0] and "Assumed churn" in cohorts[0]
