"""An independent review's attack on the workbook as the plan (issue 26), each case reproduced: a deleted sheet
or a name pointing nowhere, a formula without its value outside the Inputs columns, a migration month typed as
a date, export over its own input, goal seek with very wide bounds, `price --at` at the calendar's edges,
control characters echoed by an Excel function."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.defined_name import DefinedName

from tests.conftest import need_libreoffice
from xlmodel.assumptions import load
from xlmodel.cli import main
from xlmodel.workbook import build, save_atomic

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = ROOT / "examples" / "llm-assistant-2024.toml"
PLAN = ROOT / "examples" / "plan-2024.toml"


def _book(tmp_path: Path, toml: Path = ASSISTANT, template: str = "model") -> Path:
    out = tmp_path / f"{toml.stem}-{template}.xlsx"
    save_atomic(build(template, load(toml)), out)
    return out


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_refusal(r, *words):
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output
    for w in words:
        assert w in r.output, r.output


@pytest.mark.parametrize("sheet", ["Inputs", "Changes"])
def test_a_deleted_sheet_is_refused_naming_it(tmp_path, sheet):
    path = _book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.remove(wb[sheet])
    wb.save(path)
    for command in (["calc"], ["export"], ["simulate", "--draws", "20"]):
        _one_line_refusal(_run(*command, path), f"sheet {sheet!r}", "deleted or renamed")


def test_a_name_excel_turned_into_ref_is_refused(tmp_path):
    """Excel rewrites the names of a deleted Risk sheet as #REF!: the correlations, draws and seed would
    silently fall back to the defaults."""
    path = _book(tmp_path, template="risk")
    wb = openpyxl.load_workbook(path)
    wb.remove(wb["Risk"])
    risk = [n for n, d in wb.defined_names.items() if any(s == "Risk" for s, _ in d.destinations)]
    for name in risk:  # every name of the deleted sheet, as Excel leaves them
        del wb.defined_names[name]
        wb.defined_names[name] = DefinedName(name, attr_text="#REF!")
    wb.save(path)
    _one_line_refusal(_run("simulate", path, "--draws", "20"), "points nowhere", "#REF!")


def test_a_formula_in_a_changes_cell_is_taken_at_its_value(tmp_path):
    """openpyxl writes a formula without a cached value: the workbook is recalculated first, so the round of
    =500000000*3 counts (it was silently left out)."""
    need_libreoffice()
    path = _book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Changes"]
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Scenario base")
    row = next(r for r in range(top, top + 20) if ws.cell(r, 2).value == "funding")
    ws.cell(row, 5 + 2).value = "=500000000*3"  # a round of 1.5B in month 2
    wb.save(path)
    r = CliRunner().invoke(main, ["calc", "--json", str(path)])
    assert r.exit_code == 0, r.output
    assert "recalculated with LibreOffice" in r.stderr
    got = json.loads(r.stdout)["outputs"]["ending_cash"]
    want = json.loads(CliRunner().invoke(main, ["calc", "--json", str(ASSISTANT)]).stdout)["outputs"]
    assert got > want["ending_cash"] + 1.5e9, "the round in the Changes cell was left out"


def test_a_migration_month_typed_as_a_date_is_its_plan_month(tmp_path):
    path = _book(tmp_path, PLAN)
    wb = openpyxl.load_workbook(path)
    (sheet, ref), *_ = wb.defined_names["migration_month"].destinations
    start = load(PLAN).start  # month 7 of the plan, typed as that month's date
    y, m = (int(x) for x in start.split("-"))
    m += 6
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    col = ref.replace("$", "")
    cell = wb[sheet][col.replace("D", "E")]  # the first scenario's column
    cell.value = datetime.datetime(y, m, 1)
    wb.save(path)
    a = json.loads(CliRunner().invoke(main, ["calc", "--json", str(path)]).stdout)
    b = json.loads(CliRunner().invoke(main, ["calc", "--json", str(PLAN)]).stdout)
    assert a["outputs"]["plan_migration_npv"] == pytest.approx(b["outputs"]["plan_migration_npv"], rel=1e-12)


def test_export_never_writes_over_its_workbook_nor_a_non_toml_name(tmp_path):
    path = _book(tmp_path)
    before = path.read_bytes()
    _one_line_refusal(_run("export", path, "-o", path, "--force"), "is the workbook being read")
    _one_line_refusal(_run("export", path, "-o", tmp_path / "plan.xlsx"), ".toml")
    assert path.read_bytes() == before


def test_export_cleans_the_file_name_in_its_header(tmp_path):
    path = _book(tmp_path)
    odd = tmp_path / "a\x1bb.xlsx"
    path.rename(odd)
    out = tmp_path / "plan.toml"
    assert _run("export", odd, "-o", out).exit_code == 0
    assert "\x1b" not in out.read_text(encoding="utf-8")
    load(out)  # the exported file loads


@pytest.mark.parametrize("high", ["1e12", "1e25", "1e308"])
def test_goal_seek_with_very_wide_bounds_finds_the_same_answer(high):
    """The bracket that touches 0 was narrowed only to 1e-15 of the bounds: 0..1e25 answered 8.9e9 for a
    cash whose answer is 1.85e9."""
    r = _run(
        "solve", PLAN, "--vary", "cash", "--target", "runway_months=18", "--between", "0", high, "--json"
    )
    assert r.exit_code == 0, r.output
    narrow = _run("solve", PLAN, "--vary", "cash", "--target", "runway_months=18", "--json")
    want = json.loads(narrow.stdout)["value"]
    assert json.loads(r.stdout)["value"] == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00+01:00"])
def test_price_at_the_edges_of_the_calendar_is_one_line(at):
    _one_line_refusal(_run("price", "deepseek-chat", "--at", at), "--at", "between the years 1900 and 9998")


def test_an_excel_function_does_not_echo_control_characters():
    from xlmodel.udfs import LLM_SOLVE

    text = LLM_SOLVE([["na\x1bme", 1]], [["cash"]], [["runway_months"]], [[18]])
    assert text.startswith("#VALUE!") and "\x1b" not in text


def test_bidi_marks_are_control_characters():
    from xlmodel.text import clean_text

    assert clean_text("a\u200eb\u200fc\u061cd") == "abcd"
