"""A board pack (issue 18): the Cover's dashboard and provenance, the Scenarios sheet, the Annual P&L, the
Source column, pages a person can read, and formulas a reviewer trusts (FAST).

The numbers are proven by a spreadsheet engine: LibreOffice recalculates what
xlmodel wrote, and the tests compare its results with the engine and with sums
taken here, not with what was written.
"""

import datetime
import hashlib
import math
import re
import subprocess
from collections import defaultdict

import openpyxl
import pytest
from openpyxl.formula import Tokenizer

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts
from xlmodel.dates import month_end
from xlmodel.workbook import build, save_atomic
from xlmodel.workbook.verify import recalculate

from .conftest import ROOT, need_libreoffice, need_poppler

EXAMPLES = ROOT / "examples"
DAY = datetime.date(2026, 3, 31)


def _named(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    cells = wb[sheet][ref.replace("$", "")]
    return [c.value for row in cells for c in row] if isinstance(cells, tuple) else cells.value


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The default model (generated on a known day) and the saas example, recalculated by LibreOffice."""
    need_libreoffice()
    folder = tmp_path_factory.mktemp("board")
    paths = []
    for name, a in (
        ("model", assumptions.default()),
        ("saas", assumptions.load(EXAMPLES / "saas-copilot.toml")),
    ):
        p = folder / f"{name}.xlsx"
        save_atomic(build("model", a, generated=DAY), p)
        paths.append(p)
    outs = recalculate(paths, folder / "out")
    return {p.stem: (p, out) for p, out in zip(paths, outs)}


# ------------------------------------------------------------------ the Cover


def test_the_cover_says_where_the_workbook_came_from(model):
    src, _ = model["model"]
    wb = openpyxl.load_workbook(src)
    cover = [str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value is not None]
    assert f"xlmodel {xm.__version__}" in cover
    assert _named(wb, "generated_on").date() == DAY
    raw = (ROOT / "xlmodel" / "default_assumptions.toml").read_bytes()
    assert hashlib.sha256(raw).hexdigest() in cover
    assert any("llm-assistant-2024.toml" in c for c in cover)
    a = assumptions.load(EXAMPLES / "saas-copilot.toml")
    assert a.digest == hashlib.sha256((EXAMPLES / "saas-copilot.toml").read_bytes()).hexdigest()


def test_the_cover_shows_the_key_figures_of_the_live_scenario_with_their_dates(model):
    _, out = model["model"]
    wb = openpyxl.load_workbook(out, data_only=True)
    cover = wb["Cover"]
    values = {
        str(cover.cell(r, c).value): cover.cell(r, c + 1).value
        for r in range(1, 60)
        for c in (1, 5)
        if cover.cell(r, c).value is not None
    }
    a = assumptions.default()
    s = a.scenario()
    want = xm.engine.summary(s)
    assert values["Live scenario"] == "base" and cover["F4"].value == "OK"
    assert values["Runway"] == pytest.approx(want["runway_months"], rel=1e-9)
    assert values["Funding need"] == pytest.approx(want["funding_need"], rel=1e-9)
    assert values["Default alive"] == ("YES" if want["default_alive"] else "NO")
    assert values["LTV / blended CAC, month 1"] == pytest.approx(want["ltv_to_cac"], rel=1e-9)
    # each dated figure: the month-end of its plan month (the runway: the month the cash runs out in)
    for name, month in (
        ("runway_months", math.ceil(want["runway_months"])),
        ("funding_month", want["funding_month"]),
        ("lowest_cash_month", want["lowest_cash_month"]),
    ):
        got = _named(wb, f"{name}_date")
        assert got.date() == month_end(int(month), a.start), name
    assert _named(wb, "breakeven_month_date") == "(to Nov 2029)"  # not within the horizon: its last month
    # the risk figures, on the risk template's Cover (a percentile never within the horizon says so)
    from xlmodel.workbook.cover_sheet import headline_formula

    risk = build("risk", a)
    names = set(risk.defined_names)
    linked = {c.value for row in risk["Cover"].iter_rows() for c in row if isinstance(c.value, str)}
    assert {headline_formula(f"runway_months_p{p}") for p in (10, 50, 90)} | {
        "=runway_share_below_18"
    } <= linked
    assert {"runway_months_p10", "runway_share_below_18"} <= names
    assert risk["Cover"]._charts, "the cash chart"


# ------------------------------------------------------------------ scenarios side by side


def test_every_scenario_column_equals_the_engine(model):
    for key, path in (
        ("model", EXAMPLES / "llm-assistant-2024.toml"),
        ("saas", EXAMPLES / "saas-copilot.toml"),
    ):
        _, out = model[key]
        wb = openpyxl.load_workbook(out, data_only=True)
        a = assumptions.load(path)
        names = list(a.scenarios)
        ws = wb["Scenarios"]
        assert [ws.cell(4, 5 + i).value for i in range(len(names))] == names
        compared = 0
        for row in range(5, ws.max_row + 1):
            name = ws.cell(row, 2).value
            if not (isinstance(name, str) and name.startswith("scenarios_")):
                continue
            output = name[len("scenarios_") :]
            for i, sname in enumerate(names):
                want = xm.engine.summary(a.scenario(sname))[output]
                got = ws.cell(row, 5 + i).value
                if isinstance(want, bool):  # a flag as a board reads it
                    assert got == ("YES" if want else "NO"), (output, sname)
                elif output in ("funding_month", "breakeven_month") and a.start:  # a month-end date
                    if want is not None and math.isinf(want):  # beyond the horizon: it says so
                        assert got == f"not within {a.horizon} months", (output, sname)
                        compared += 1
                        continue
                    want = "-" if want is None else month_end(math.ceil(want), a.start)
                    assert got == want or got.date() == want, (output, sname)
                elif output == "runway_after_horizon":  # a number where cash still falls, else a dash
                    assert got == ("-" if want is None else pytest.approx(want, rel=1e-9)), (output, sname)
                elif want is None or (isinstance(want, float) and math.isnan(want)):
                    assert got == "n/a", (output, sname)
                elif math.isinf(
                    want
                ):  # a month beyond the horizon says so; a payback that never comes: never
                    horizon = output in ("runway_months", "funding_month", "breakeven_month")
                    assert got == (f"not within {a.horizon} months" if horizon else "never"), (output, sname)
                else:
                    assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (output, sname)
                compared += 1
            assert ws.cell(row, 6 + len(names)).value is True  # the live column agrees with the formulas
        assert compared >= 10 * len(names)


def test_an_edited_input_makes_the_scenarios_sheet_stale_but_not_the_model(model, tmp_path):
    """Editing a scenario's input (or change) says STALE on the Scenarios sheet and the Cover; the live model
    still follows the input, so the master check holds; edit the live scenario and its column is not held to
    the live formulas any more."""
    src, _ = model["model"]
    edits = {}
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    churn = next(r for r in range(8, 100) if ws.cell(r, 2).value == "churn")
    ws.cell(churn, 6).value = 0.5  # upside's churn, not the live scenario's
    edits["input"] = tmp_path / "input.xlsx"
    wb.save(edits["input"])
    wb = openpyxl.load_workbook(src)
    wb["Inputs"].cell(churn, 5).value = 0.5  # the live scenario's churn
    edits["live"] = tmp_path / "live.xlsx"
    wb.save(edits["live"])
    wb = openpyxl.load_workbook(src)
    ch = wb["Changes"]
    block = next(r for r in range(6, 200) if ch.cell(r, 1).value == "Scenario downside")
    ch.cell(block + 1, 10).value = 1e6  # downside's ad spend from month 6
    edits["change"] = tmp_path / "change.xlsx"
    wb.save(edits["change"])
    outs = dict(zip(edits, recalculate(list(edits.values()), tmp_path / "out")))
    for what, out in outs.items():
        wb = openpyxl.load_workbook(out, data_only=True)
        assert _named(wb, "scenarios_status").startswith("STALE"), what
        assert wb["Cover"]["F6"].value.startswith("STALE"), what
        assert _named(wb, "checks_ok") is True, what
        current = _named(wb, "scenarios_current")
        assert (
            current
            == {
                "input": [True, False, True, True],
                "live": [False, True, True, False],  # cut-ads-raise links base's churn: it moved
                "change": [True, True, False, True],
            }[what]
        ), what
    wb = openpyxl.load_workbook(model["model"][1], data_only=True)
    assert (
        _named(wb, "scenarios_status").startswith("Figures current")
        and _named(wb, "scenarios_current") == [True] * 4
    )


# ------------------------------------------------------------------ annual P&L


def test_annual_sums_equal_the_projection_lines(model):
    """Each fiscal year's flows are the sum of its months on the Projection, balances its last month's."""
    for key in model:
        _, out = model[key]
        wb = openpyxl.load_workbook(out, data_only=True)
        years = _named(wb, "fiscal_year_by_month")
        checked = 0
        for line, total in (
            ("revenue", True),
            ("compute", True),
            ("ad_spend", True),
            ("fixed_costs", True),
            ("gross_revenue", True),
            ("cash", False),
            ("mau", False),
        ):
            name = f"annual_{line}_by_year"
            if name not in wb.defined_names:
                continue
            months = _named(wb, f"{line}_by_month")
            by_year = defaultdict(list)
            for y, v in zip(years, months):
                by_year[y].append(v)
            want = [sum(v) if total else v[-1] for _, v in sorted(by_year.items())]
            got = _named(wb, name)
            assert got == pytest.approx(want, rel=1e-12), line
            checked += 1
        assert checked >= 5


# ------------------------------------------------------------------ provenance of inputs


def test_the_source_column_carries_each_inputs_note():
    wb = build("model", assumptions.default())
    ws = wb["Inputs"]
    header = next(c for c in ws[7] if c.value and str(c.value).startswith("Source"))
    rows = {ws.cell(r, 2).value: ws.cell(r, header.column).value for r in range(8, ws.max_row + 1)}
    assert "US$1B" in rows["cash"]
    assert rows["churn"].startswith("base")  # notes that differ by scenario name their scenarios
    assert "upside" in rows["churn"] and "downside" in rows["churn"]
    notes = assumptions.source_notes(
        "[scenarios.base]\ncash = 1  # a source\nmau = 2\n# not a note\n[scenarios.up]\ncash = 3\n"
    )
    assert notes == {("base", "cash"): "a source", ("base", "mau"): "", ("up", "cash"): ""}


# ------------------------------------------------------------------ formulas a reviewer trusts (FAST)

ALLOWED = {0.0, 1.0, 12.0, 100.0}


def _books():
    a = assumptions.default()
    table = read_actuals(EXAMPLES / "actuals-2024.csv")
    return {
        "model": build("model", a),
        "udf": build("model", a, formulas="udf"),
        "risk": build("risk", a),
        "actuals": build("model", a, actuals=table, fit=fit_actuals(table)),
        "cohorts": build("cohorts", a, cohorts=read_cohorts(EXAMPLES / "cohorts-2024.csv")),
        "migration": build("migration", a),
        "unit-economics": build("unit-economics", a),
        "runway": build("runway", a),
        "saas": build("model", assumptions.load(EXAMPLES / "saas-copilot.toml")),
    }


def test_no_formula_types_a_number_other_than_0_1_12_100_or_runs_past_200_characters():
    bad = []
    for book, wb in _books().items():
        for ws in wb.worksheets:
            for c in ws._cells.values():
                v = c.value
                if not (isinstance(v, str) and v.startswith("=")):
                    continue
                literals = [
                    t.value
                    for t in Tokenizer(v).items
                    if t.type == "OPERAND" and t.subtype == "NUMBER" and float(t.value) not in ALLOWED
                ]
                hidden = re.findall(r'"[<>=]+(-?[0-9.]+)"', v)  # a number inside a criterion string
                hidden = [x for x in hidden if float(x) not in ALLOWED]
                if literals or hidden:
                    bad.append((book, ws.title, c.coordinate, "literal", literals + hidden, v[:80]))
                if len(v) > 200:
                    bad.append((book, ws.title, c.coordinate, "long", len(v), v[:80]))
    assert not bad, "\n".join(map(str, bad[:40]))


# ------------------------------------------------------------------ pages a person can read


def test_the_house_font_is_one_every_program_has():
    wb = build("model", assumptions.default())
    assert wb._named_styles["Normal"].font.name == "Arial"
    assert {wb["Projection"]["A5"].font.name, wb["Inputs"]["D9"].font.name} == {"Arial"}


def test_timelines_print_twelve_months_a_page_at_75_percent_with_the_live_scenario(tmp_path):
    need_libreoffice()
    need_poppler()
    a = assumptions.default()
    wb = build("model", a)
    for title in ("Projection", "Changes", "Migration"):
        ws = wb[title]
        assert ws.page_setup.scale >= 75 and not ws.sheet_properties.pageSetUpPr.fitToPage, title
        assert ws.print_title_rows.startswith("$3") or ws.print_title_rows.startswith("3"), title
        assert ws["A3"].value == '="Live scenario: "&scenario'
        for row in ws.iter_rows(min_col=1, max_col=1, min_row=5, max_row=ws.max_row):
            c = row[0]
            if (
                isinstance(c.value, str)
                and not c.value.startswith("=")
                and not ws.row_dimensions[c.row].hidden
            ):
                width = ws.column_dimensions["A"].width
                lines = math.ceil(len(c.value) * 1.1 / width)
                assert len(c.value) <= width or (
                    c.alignment.wrap_text and (ws.row_dimensions[c.row].height or 0) >= 13 * lines
                ), c.value
    path = tmp_path / "model.xlsx"
    save_atomic(wb, path)
    (pdf,) = recalculate([path], tmp_path / "pdf", to="pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    months = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d\b")
    projection = [p for p in pages if re.search(r"Projection - page \d+ of", p)]
    assert len(projection) == math.ceil(a.horizon / 12)
    for p in projection:
        assert "Live scenario: base" in p
        assert len(set(months.findall(p))) == 12, p[:300]  # twelve calendar months a page


# ------------------------------------------------------------------ sensitivity and the cash fan


def test_the_sensitivity_grids_are_the_engines_numbers_with_the_base_highlighted(model):
    """The runway's grid holds the engine's numbers; LTV / CAC's (a closed form) live formulas, which
    LibreOffice computes to the engine's numbers."""
    from xlmodel.workbook.sensitivity_sheet import BASE_FILL

    src, out = model["model"]
    a = assumptions.default()
    s = a.scenario()
    wb = openpyxl.load_workbook(src)
    rows, cols = _named(wb, "sensitivity_runway_months_rows"), _named(wb, "sensitivity_runway_months_cols")
    rname, cname = _named(wb, "sensitivity_row_input"), _named(wb, "sensitivity_col_input")
    assert s[rname] in rows and s[cname] in cols
    recalculated = openpyxl.load_workbook(out, data_only=True)
    for out_name, book, rel in (("runway_months", wb, 1e-12), ("ltv_to_cac", recalculated, 1e-9)):
        grid = _named(book, f"sensitivity_{out_name}_grid")
        for i, x in enumerate(rows):
            for j, y in enumerate(cols):
                want = xm.engine.summary(dict(s, **{rname: x, cname: y}))[out_name]
                got = grid[i * len(cols) + j]
                never = f"not within {a.horizon} months" if out_name == "runway_months" else "never"
                assert got == (never if math.isinf(want) else pytest.approx(want, rel=rel)), (out_name, i, j)
        sheet, ref = next(iter(wb.defined_names[f"sensitivity_{out_name}_base"].destinations))
        cell = wb[sheet][ref.replace("$", "")]
        assert cell.fill.fgColor.rgb.endswith(BASE_FILL.fgColor.rgb[-6:])
    checks = openpyxl.load_workbook(out, data_only=True)["Checks"]
    lines = {checks.cell(r, 1).value: checks.cell(r, 4).value for r in range(5, checks.max_row + 1)}
    assert [v for k, v in lines.items() if k and k.startswith("Sensitivity of")] == [True, True]


def test_the_risk_workbook_has_the_cash_fan_of_its_draws():
    from xlmodel.plots import cash_percentiles

    a = assumptions.default()
    wb = build("risk", a)
    name = next(iter(a.scenarios))
    sim = xm.simulate(
        dict(a.simulation_inputs(name), horizon=a.horizon),
        draws=a.draws,
        seed=a.seed,
        correlations=a.correlations_for(name),
        scenario=name,
    )
    pct, _ = cash_percentiles(sim)
    for k, p in enumerate((10, 50, 90)):
        assert _named(wb, f"cash_p{p}_by_month") == pytest.approx(pct[k].tolist(), rel=1e-12)
    assert pct[0][-1] < pct[1][-1] < pct[2][-1]  # a fan: P10 below P50 below P90
