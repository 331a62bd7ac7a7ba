"""Board pack 2, the rest (issue 27): honest horizons on the Cover, a live closed-form sensitivity grid, the risk
template without ranges, the Risk sheet on paper at 75%, formats, and the notes of every scenario's table.

The workbooks are recalculated in LibreOffice and Gnumeric with every scenario picked; the Cover's cells are read
from the recalculated files and compared with the engine.
"""

import math

import numpy as np
import openpyxl
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.dates import month_end
from xlmodel.errors import AssumptionsError
from xlmodel.source_notes import TABLE_ONLY, source_notes
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook import styles as S
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.risk_sheet import PRINT_BREAK_AFTER, RISK_SHEET
from xlmodel.workbook.sensitivity_axes import BAND, MAIN_DRIVERS, default_band
from xlmodel.workbook.sensitivity_sheet import sensitivity_grids
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import ROOT, need_gnumeric, need_libreoffice, select_scenario

EXAMPLES = ROOT / "examples"


def _cover_rows(ws) -> dict:
    """Cover label (column A) -> (value in B, text or date in C), for the cash block."""
    return {
        ws[f"A{r}"].value: (ws[f"B{r}"].value, ws[f"C{r}"].value) for r in range(8, 40) if ws[f"A{r}"].value
    }


def _serial(v):
    import datetime

    if isinstance(v, datetime.datetime):
        v = v.date()
    return v


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """(example, scenario, program) -> (recalculated path, values, errors), every scenario of two examples."""
    need_libreoffice()
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("pack3")
    cases = []
    for stem in ("plan-2024", "llm-assistant-2024"):
        a = assumptions.load(EXAMPLES / f"{stem}.toml")
        src = tmp / f"{stem}.xlsx"
        src.write_bytes(to_bytes(build("model", a)))
        for i, name in enumerate(a.scenario_names):
            wb = openpyxl.load_workbook(src)
            select_scenario(wb, name)
            p = tmp / f"{stem}--{i}.xlsx"
            wb.save(p)
            cases.append(((stem, name), p))
    lo = recalculate([p for _, p in cases], tmp / "lo")
    gn = recalculate_gnumeric([p for _, p in cases], tmp / "gn")
    out = {}
    for (key, _), a_, b_ in zip(cases, lo, gn):
        out[(*key, "LibreOffice")] = (a_, *read_names(a_))
        out[(*key, "Gnumeric")] = (b_, *read_names(b_))
    return out


# ------------------------------------------------------------------ 1. honest horizons on the Cover


def test_a_cash_still_falling_at_the_horizon_is_an_amber_warning_in_both_programs(recalculated):
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    seen = 0
    for name in a.scenario_names:
        p = xm.plan(**a.scenario(name))
        assert math.isinf(p.runway_months) and p.cash_falling_at_horizon  # the case the issue is about
        for program in ("LibreOffice", "Gnumeric"):
            path, values, errors = recalculated[("plan-2024", name, program)]
            rep = compare(values, errors, 1e-9, f"plan-2024 {name} in {program}")
            assert rep.ok, "\n".join(rep.lines())
            assert values["cash_falling_at_horizon"] is True
            assert values["runway_after_horizon"] == pytest.approx(p.runway_after_horizon, rel=1e-9)
            rows = _cover_rows(openpyxl.load_workbook(path, data_only=True)["Cover"])
            assert rows["Runway"] == ("not within 36 months", "(to Feb 2027)"), (program, name)
            for label in ("Month of the raise", "Break-even month"):
                if rows[label][0] != "not within 36 months":
                    assert isinstance(rows[label][0], (int, float)), (label, rows[label])
                else:
                    assert rows[label][1] == "(to Feb 2027)"
            warning = next(k for k in rows if str(k).startswith("Warning: cash still falls"))
            months, when = rows[warning]
            assert months == pytest.approx(p.runway_after_horizon, rel=1e-9)
            assert _serial(when) == month_end(math.ceil(p.runway_after_horizon), a.start)
            assert rows["Funding need"][1] == f"{a.currency}, horizon only"
            texts = [v for pair in rows.values() for v in pair if isinstance(v, str)]
            assert "never" not in texts  # a horizon's "never" is never bare
            seen += 1
    assert seen == 2 * len(a.scenario_names)


def test_the_warning_is_amber_by_a_live_rule_and_quiet_when_cash_runs_out(recalculated):
    wb = build("model", assumptions.load(EXAMPLES / "plan-2024.toml"))
    ws = wb["Cover"]
    r = next(r for r in range(8, 30) if "runway_after_horizon" in str(ws[f"A{r}"].value))
    rules = [
        (str(cf.sqref), rule.formula[0], rule.dxf.font.color.rgb)
        for cf in ws.conditional_formatting
        for rule in cf.rules
    ]
    assert (f"A{r}:C{r}", "ISNUMBER(runway_after_horizon)", S.AMBER_FONT.color.rgb) in rules
    # the default example runs out within the horizon: a number, and no warning
    a = assumptions.load(EXAMPLES / "llm-assistant-2024.toml")
    for name in a.scenario_names:
        p = xm.plan(**a.scenario(name))
        for program in ("LibreOffice", "Gnumeric"):
            path, values, _ = recalculated[("llm-assistant-2024", name, program)]
            rows = _cover_rows(openpyxl.load_workbook(path, data_only=True)["Cover"])
            if math.isfinite(p.runway_months):
                assert rows["Runway"][0] == pytest.approx(p.runway_months, rel=1e-9)
                assert rows["At the horizon"][0] in ("-", "cash not falling")
                assert values["runway_after_horizon"] == "n/a"


def test_the_horizon_rows_of_the_projection_are_the_engines_definition():
    """The workbook's recurring burn at the horizon is the engine's: a round in the last quarter is added back
    (it is not a fall in cash), a plan shorter than a quarter averages what it has."""
    a = assumptions.load(EXAMPLES / "llm-assistant-2024.toml")
    for name, horizon in (("base", 2), ("cut-ads-raise", 36)):
        s = dict(a.scenario(name), horizon=horizon)
        p = xm.plan(**s)
        cash = p.projection.cash
        k = min(3, horizon)
        before = cash[-k - 1] if horizon > k else s["cash"]
        burn = (
            before - cash[-1] + p.projection.funding[-k:].sum() - p.projection.migration_one_off[-k:].sum()
        ) / k
        assert p.cash_falling_at_horizon == (burn > 0)
        if math.isfinite(p.runway_after_horizon):
            assert p.runway_after_horizon == pytest.approx(horizon + cash[-1] / burn, rel=1e-12)


# ------------------------------------------------------------------ 3. a live grid where it is a closed form


def test_the_ltv_cac_grid_is_live_formulas_and_the_runway_grid_carries_a_status(tmp_path):
    need_libreoffice()
    a = assumptions.load(EXAMPLES / "llm-assistant-2024.toml")
    wb = build("model", a)
    ws = wb["Sensitivity"]
    rname, cname = ws["B5"].value, ws["E5"].value
    grid = next(iter(wb.defined_names["sensitivity_ltv_to_cac_grid"].destinations))[1].replace("$", "")
    cells = [c for row in ws[grid] for c in row]
    assert all(isinstance(c.value, str) and c.value.startswith("=") for c in cells)
    runway = next(iter(wb.defined_names["sensitivity_runway_months_grid"].destinations))[1].replace("$", "")
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in ws[runway] for c in row)
    assert wb.defined_names["sensitivity_status"] is not None
    rows = [
        c.value
        for row in ws[
            next(iter(wb.defined_names["sensitivity_ltv_to_cac_rows"].destinations))[1].replace("$", "")
        ]
        for c in row
    ]
    cols = [
        c.value
        for row in ws[
            next(iter(wb.defined_names["sensitivity_ltv_to_cac_cols"].destinations))[1].replace("$", "")
        ]
        for c in row
    ]
    src = tmp_path / "grid.xlsx"
    src.write_bytes(to_bytes(wb))
    paths = []
    for i, name in enumerate(
        a.scenario_names[:2]
    ):  # the first (as generated) and another: the grid follows it
        book = openpyxl.load_workbook(src)
        select_scenario(book, name)
        paths.append(tmp_path / f"{i}.xlsx")
        book.save(paths[-1])
    for name, out in zip(a.scenario_names[:2], recalculate(paths, tmp_path / "out")):
        values, errors = read_names(out)
        assert not errors, errors[:5]
        got = np.asarray(values["sensitivity_ltv_to_cac_grid"], dtype=object).reshape(len(rows), len(cols))
        want = sensitivity_grids(dict(a.scenario(name), horizon=a.horizon), rows, cols, rname, cname)[
            "ltv_to_cac"
        ]
        for i in range(len(rows)):
            for j in range(len(cols)):
                w = want[i, j]
                if math.isnan(w):
                    assert isinstance(got[i, j], str), (name, i, j, got[i, j])
                else:
                    assert got[i, j] == pytest.approx(w, rel=1e-9, abs=1e-12), (name, i, j)


# ------------------------------------------------------------------ 4. the risk template without ranges


def test_the_risk_template_applies_a_default_band_written_on_the_sheet(tmp_path):
    need_libreoffice()
    a = assumptions.load(EXAMPLES / "plan-2024.toml")
    assert not a.ranges.get("base")
    wb = build("risk", a)
    assert not a.ranges.get("base")  # the caller's plan is left as it was
    note = wb[RISK_SHEET]["A3"].value
    band = default_band(a.scenario("base"))
    assert f"+/-{BAND:.0%} band" in note and ", ".join(band) in note
    assert "cost_per_mau" not in band and "ad_growth" not in band  # computed from tokens; 0 has no band
    assert set(band) <= set(MAIN_DRIVERS) and {"churn", "conversion", "fixed_costs"} <= set(band)
    for k, r in band.items():
        base = a.scenario("base")[k]
        assert (r.dist, r.mode) == ("pert", base)
        assert (r.low, r.high) == pytest.approx(sorted((base * (1 - BAND), base * (1 + BAND))), rel=1e-12)
    inputs = wb["Inputs"]
    header = [c.value for row in inputs.iter_rows(min_row=6, max_row=6) for c in row if c.value]
    assert any("default +/-20% band" in str(h) for h in header)
    path = tmp_path / "risk.xlsx"
    path.write_bytes(to_bytes(wb))
    (out,) = recalculate([path], tmp_path / "out")
    values, errors = read_names(out)
    rep = compare(values, errors, 1e-9, "risk plan-2024")
    assert rep.ok, "\n".join(rep.lines())
    assert values["risk_still_on_inputs"] == [S.YES] * len(values["simulated_input_names"])
    # plan-2024's cash lasts the 36 months in every draw: the Risk sheet and the Cover's percentiles say so,
    # not "never", and the Cover prints no unit after the text
    assert values["runway_months_p50"] == values["runway_months_base"] == "not within 36 months"
    assert values["payback_months_p50"] == "never"  # a closed form's never is one
    cover = _cover_rows(openpyxl.load_workbook(out, data_only=True)["Cover"])
    assert cover["Runway, P50"][0] == "not within 36 months" and not cover["Runway, P50"][1]


def test_the_risk_template_refuses_only_a_plan_with_nothing_to_band(monkeypatch):
    zeros = dict.fromkeys(MAIN_DRIVERS, 0.0)
    assert default_band(zeros) == {}
    monkeypatch.setattr("xlmodel.workbook.risk_sheet.default_band", lambda scenario: {})
    with pytest.raises(AssumptionsError, match=r"none of churn, .* to put a default \+/-20% band on"):
        build("risk", assumptions.load(EXAMPLES / "plan-2024.toml"))


# ------------------------------------------------------------------ 2. the Risk sheet on paper


def test_the_risk_sheet_prints_at_75_percent_two_pages_across_its_charts_within_the_first():
    wb = build("risk", assumptions.default())
    ws = wb[RISK_SHEET]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 75
    assert ws.print_title_cols == "$A:$A" and [b.id for b in ws.col_breaks.brk] == [PRINT_BREAK_AFTER]
    first_page_cm = sum(
        (7 * (ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width or 8.43) + 5) * 2.54 / 96
        for j in range(1, PRINT_BREAK_AFTER + 1)
    )
    assert ws._charts
    for ch in ws._charts:
        assert ch.anchor.startswith("A"), "a chart under its table, from column A"
        assert ch.width <= first_page_cm
    assert ws.merged_cells.ranges and all(r.max_col <= PRINT_BREAK_AFTER for r in ws.merged_cells.ranges)


# ------------------------------------------------------------------ 5. formats


def test_money_per_user_ratios_and_flags_in_the_packs_formats():
    wb = build("model", assumptions.load(EXAMPLES / "plan-2024.toml"))
    cover = wb["Cover"]
    ltv = next(r for r in range(8, 40) if cover[f"E{r}"].value == "LTV, month 1")
    assert cover[f"F{ltv}"].number_format == S.signed("#,##0.00##")  # -1.1854, not -1.185422
    burn = next(r for r in range(8, 40) if cover[f"A{r}"].value == "Burn multiple (first year)")
    assert cover[f"B{burn}"].number_format == S.signed('#,##0.00"x"')
    money = next(r for r in range(8, 40) if cover[f"A{r}"].value == "Lowest cash")
    assert cover[f"C{money}"].value == "RMB"  # the M is in the number: the unit once
    risk = build("risk", assumptions.default())[RISK_SHEET]
    flags = [
        c.value for row in risk.iter_rows(min_col=9, max_col=14) for c in row if isinstance(c.value, str)
    ]
    assert any(f'"{S.YES}","{S.NO}"' in v for v in flags) and not any(
        "TRUE" in v and "IF(" not in v for v in flags
    )


# ------------------------------------------------------------------ 6. every scenario's table has its notes


def test_the_notes_parser_reads_every_scenario_table():
    text = (
        "[scenarios.base]\ncash = 1  # a source\n"
        "[scenarios.cut-ads]\nchurn = 0.3  # hyphenated\n"
        '[ scenarios . "two words" ]\nchurn = 0.2  # spaced and quoted\n'
        "[scenarios.raise-only]\n[[scenarios.raise-only.funding]]\nmonth = 3  # not an input's note\n"
        "[[scenarios.changes-only.changes]]\nmonth = 2\n"
    )
    notes = source_notes(text)
    assert (
        notes[("cut-ads", "churn")] == "hyphenated" and notes[("two words", "churn")] == "spaced and quoted"
    )
    assert notes[("raise-only", TABLE_ONLY)] == "" and notes[("changes-only", TABLE_ONLY)] == ""
    assert ("raise-only", "month") not in notes and ("base", TABLE_ONLY) not in notes


def test_a_scenario_of_decisions_only_links_every_input_to_the_first():
    """examples/llm-assistant-2024.toml's cut-ads-raise writes only a change and a round: each of its inputs is
    a live link to base's column (it was a typed copy)."""
    a = assumptions.load(EXAMPLES / "llm-assistant-2024.toml")
    ws = build("model", a)["Inputs"]
    col = 5 + a.scenario_names.index("cut-ads-raise")
    for key in ("cash", "churn", "conversion"):
        row = next(r for r in range(8, ws.max_row + 1) if ws[f"B{r}"].value == key)
        assert ws.cell(row, col).value == f"=$E{row}", key
