"""Plan vs actual on the calendar (issue 16): actual month YYYY-MM against the plan's month of the same calendar
month, ``[model] start`` being the plan's month 1.

The aligned values are checked after a LibreOffice recalculation against the engine's projection of the plan
scenario, computed here directly (not through :mod:`xlmodel.workbook.expected`).
"""

import copy
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.formula.tokenizer import Tokenizer

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.actuals import fit_actuals, read_actuals
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.actuals_sheet import plan_months, plan_note
from xlmodel.workbook.plan_actual_sheet import PLAN_ACTUAL_SHEET, PLAN_LINES
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import need_libreoffice

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "examples" / "plan-2024.toml"
ACTUALS = ROOT / "examples" / "actuals-2024.csv"
MONTHS = ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]  # the months of ACTUALS
# a plain plan (no dated changes, so that any start is valid): start and horizon set per case
MINI = {
    "model": {"name": "mini", "currency": "RMB"},
    "scenarios": {
        "base": dict(
            cash=7.5e9,
            mau=2.4e6,
            ad_spend=2e7,
            cac=30,
            paid_share=0.7,
            churn=0.36,
            conversion=0.005,
            arppu=28,
            cost_per_mau=0.5,
            fixed_costs=5e7,
        ),
        "other": dict(churn=0.45),
    },
}


def mini(start=None, horizon=36) -> assumptions.Assumptions:
    doc = copy.deepcopy(MINI)
    doc["model"]["horizon"] = horizon
    if start is not None:
        doc["model"]["start"] = start
    return assumptions.from_dict(doc, "mini.toml")


def mini_file(tmp_path, start=None, horizon=36) -> Path:
    lines = ["[model]", 'name = "mini"', 'currency = "RMB"', f"horizon = {horizon}"]
    lines += [f'start = "{start}"'] if start else []
    for name, s in MINI["scenarios"].items():
        lines += [f"[scenarios.{name}]"] + [f"{k} = {v!r}" for k, v in s.items()]
    path = tmp_path / "mini.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def book(a, plan=None, months=None):
    table = read_actuals(ACTUALS)
    return build("model", a, months=months, actuals=table, fit=fit_actuals(table), plan=plan)


def projection(a, scenario, n):
    """The engine's projection of a scenario over the workbook's n months: line -> array."""
    p = xm.engine.plan(**dict(a.scenario(scenario), horizon=n)).projection
    return {key: np.asarray(getattr(p, key), dtype=float) for _, key, _, _ in PLAN_LINES}


def set_live(wb, scenario):
    sheet, ref = next(iter(wb.defined_names["scenario"].destinations))
    wb[sheet][ref.replace("$", "")].value = scenario


def named_text(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")].value


def block_names(wb) -> list[str]:
    """The defined names of the plan vs actual block."""
    ours = {
        "plan_scenario",
        "plan_compared_by_month",
        "actual_month_end_by_month",
        "actual_plan_month_by_month",
    }
    ours |= {
        f"{kind}_{key}_by_month"
        for kind in ("plan", "variance", "variance_pct")
        for key, _, _, _ in PLAN_LINES
    }
    return [n for n in wb.defined_names if n in ours]


def actuals_texts(wb) -> list[str]:
    return [
        c.value
        for name in ("Actuals", PLAN_ACTUAL_SHEET)
        for row in wb[name].iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]


# ------------------------------------------------------------------ the calendar, without a spreadsheet


def test_plan_months_match_calendar_months():
    assert plan_months(MONTHS, "2024-03", 36) == [1, 2, 3, 4, 5, 6]
    assert plan_months(MONTHS, "2024-06", 36) == [None, None, None, 1, 2, 3]  # the plan starts later
    assert plan_months(MONTHS, "2023-12", 6) == [4, 5, 6, None, None, None]  # the plan ends earlier
    assert plan_months(MONTHS, "2024-12", 60) == [None] * 6  # the bundled example: no month in common
    assert plan_months(MONTHS, None, 60) == [None] * 6  # no calendar
    assert plan_months(["2023-12", "2024-01"], "2023-11", 36) == [2, 3]  # across a year end


def test_plan_note_says_what_is_compared():
    a = assumptions.load(PLAN)
    assert plan_note(MONTHS, a, "base", 36) is None  # every month compared
    assert plan_note(MONTHS, mini("2024-06"), "base", 36) == (
        "plan vs actual: 3 of the 6 actual months (2024-06 to 2024-08) are months of plan 'base' (2024-06 to "
        "2027-05); the others show n/a"
    )
    assert plan_note(MONTHS, assumptions.default(), "base", 60) == (
        "no plan vs actual: no month of the actuals (2024-03 to 2024-08) is a month of plan 'base' (2024-12 to "
        "2029-11)"
    )
    assert plan_note(MONTHS, mini(), "base", 36) == (
        "no plan vs actual: mini.toml has no [model] start, so no month of plan 'base' has a calendar month to "
        'match the actuals\' (2024-03 to 2024-08); give [model] start = "YYYY-MM" (month 1)'
    )


# ------------------------------------------------------------------ the command line


def test_cli_unknown_plan_and_plan_without_actuals_exit_2(run, tmp_path):
    out = tmp_path / "x.xlsx"
    r = run("new", "model", "-a", PLAN, "--actuals", ACTUALS, "--plan", "nope", "-o", out)
    assert r.exit_code == 2, r.output
    assert r.output == (f"Error: --plan: {PLAN} has no scenario named 'nope' (it has base, high-churn)\n")
    r = run("new", "model", "-a", PLAN, "--plan", "base", "-o", out)
    assert r.exit_code == 2, r.output
    assert r.output == (
        "Error: --plan goes with --actuals: the plan is what the actuals are compared with "
        "(xlmodel new model --actuals FILE.csv --plan SCENARIO)\n"
    )
    assert not out.exists()


def test_cli_no_start_one_line_and_no_variances(run, tmp_path):
    out = tmp_path / "x.xlsx"
    r = run("new", "model", "-a", mini_file(tmp_path), "--actuals", ACTUALS, "-o", out)
    assert r.exit_code == 0, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(
        "note: no plan vs actual: mini.toml has no [model] start"
    ), r.stderr
    wb = openpyxl.load_workbook(out)
    assert block_names(wb) == ["actual_month_end_by_month"]  # the sheet's calendar header, nothing compared
    lines = [t for t in actuals_texts(wb) if t.startswith("No variances")]
    assert lines == [
        (
            "No variances: mini.toml has no [model] start, so no month of plan 'base' has a calendar month "
            'to match the actuals\' (2024-03 to 2024-08); give [model] start = "YYYY-MM" (month 1)'
        )
    ]


def test_cli_no_month_in_common_one_line_and_no_variances(run, tmp_path):
    """The bundled example starts in December 2024, after the actuals: nothing to compare."""
    out = tmp_path / "x.xlsx"
    r = run("new", "model", "--actuals", ACTUALS, "-o", out)
    assert r.exit_code == 0, r.output
    assert r.stderr == (
        "note: no plan vs actual: no month of the actuals (2024-03 to 2024-08) is a month of plan "
        "'base' (2024-12 to 2029-11)\n"
    )
    wb = openpyxl.load_workbook(out)
    assert block_names(wb) == ["actual_month_end_by_month"]  # the sheet's calendar header, nothing compared
    assert not wb["Actuals"]._charts
    assert [t for t in actuals_texts(wb) if t.startswith("No variances")] == [
        "No variances: no month of the actuals (2024-03 to 2024-08) is a month of plan 'base' (2024-12 to 2029-11)"
    ]


def test_cli_partial_overlap_note_and_the_example_has_none(run, tmp_path):
    r = run(
        "new", "model", "-a", mini_file(tmp_path, "2024-06"), "--actuals", ACTUALS, "-o", tmp_path / "p.xlsx"
    )
    assert r.exit_code == 0 and r.stderr == (
        "note: plan vs actual: 3 of the 6 actual months (2024-06 to 2024-08) are months of plan 'base' (2024-06 to "
        "2027-05); the others show n/a\n"
    ), r.output
    # the command of the README: the assumptions file after the template
    r = run(
        "new",
        "model",
        "examples/plan-2024.toml",
        "--actuals",
        "examples/actuals-2024.csv",
        "--plan",
        "base",
        "-o",
        tmp_path / "x.xlsx",
    )
    assert r.exit_code == 0 and r.stderr == "" and "3 scenario(s), 36 months" in r.output, r.output
    assert named_text(openpyxl.load_workbook(tmp_path / "x.xlsx"), "plan_scenario") == "base"
    r = run("new", "model", PLAN, "-a", PLAN, "-o", tmp_path / "y.xlsx")
    assert r.exit_code == 2 and r.output == (
        "Error: give the assumptions file once: after TEMPLATE or with -a, not both\n"
    ), r.output


# ------------------------------------------------------------------ the sheet, without a spreadsheet


def test_plan_comes_first_and_variances_are_coloured():
    a = assumptions.load(PLAN)
    wb = book(a, plan="high-churn")
    inputs = wb["Inputs"]
    assert inputs["D4"].value == "high-churn" and [c.value for c in inputs[7]][4:7] == [
        "high-churn",
        "base",
        "actuals",
    ]
    assert named_text(wb, "plan_scenario") == "high-churn"
    assert len(block_names(wb)) == 4 + 3 * len(PLAN_LINES)
    ws = wb[PLAN_ACTUAL_SHEET]
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules.setdefault(str(cf.sqref).split(":")[0], []).append(
                (rule.formula[0], rule.dxf.fill.bgColor.rgb)
            )
    green, red = "00C6EFCE", "00FFC7CE"
    for key, _, _, sign in PLAN_LINES:
        for kind in ("variance", "variance_pct"):
            sheet, ref = next(iter(wb.defined_names[f"{kind}_{key}_by_month"].destinations))
            first = ref.replace("$", "").split(":")[0]
            better, worse = (">", "<") if sign > 0 else ("<", ">")
            assert sorted(rules[first]) == sorted(
                [
                    (f"AND(ISNUMBER({first}),{first}{better}0)", green),
                    (f"AND(ISNUMBER({first}),{first}{worse}0)", red),
                ]
            ), key
    # the costs: lower is better
    assert {k: s for k, _, _, s in PLAN_LINES} == {
        "mau": 1,
        "paying_users": 1,
        "revenue": 1,
        "compute_cost": -1,
        "net_burn": -1,
        "cash": 1,
    }
    # one formula along each row, no typed number but 0, 1, 12, 100, none past 200 characters
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if isinstance(v, str) and v.startswith("="):
                numbers = [
                    t.value for t in Tokenizer(v).items if t.type == "OPERAND" and t.subtype == "NUMBER"
                ]
                assert all(float(x) in (0, 1, 12, 100) for x in numbers) and len(v) <= 200, (c.coordinate, v)


# ------------------------------------------------------------------ recalculated in LibreOffice


CASES = {  # id -> (assumptions, --plan, live scenario to select or None)
    "example": (lambda: assumptions.load(PLAN), "base", None),
    "example-other-plan": (lambda: assumptions.load(PLAN), "high-churn", None),
    "example-plan-not-live": (lambda: assumptions.load(PLAN), "base", "high-churn"),
    "starts-later": (lambda: mini("2024-06"), None, None),
    "ends-earlier": (lambda: mini("2023-12", horizon=6), "other", None),
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_libreoffice()
    tmp = tmp_path_factory.mktemp("pva")
    paths = []
    for cid, (make, plan, live) in CASES.items():
        wb = book(make(), plan=plan)
        if live:
            set_live(wb, live)
        path = tmp / f"{cid}.xlsx"
        path.write_bytes(to_bytes(wb))
        paths.append(path)
    outs = recalculate(paths, tmp / "out")
    return {cid: read_names(out) for cid, out in zip(CASES, outs)}


def _aligned(values, a, plan, t_plan):
    """Every plan, variance and variance % cell against the engine's projection of ``plan`` at month t_plan."""
    lines = projection(a, plan, len(values["month_by_month"]))
    table = read_actuals(ACTUALS).columns
    actual = dict(
        table, net_burn=table["ad_spend"] + table["compute_cost"] + table["fixed_costs"] - table["revenue"]
    )
    for key, plan_key, _, _ in PLAN_LINES:
        for j, t in enumerate(t_plan):
            got_plan, got_var = values[f"plan_{key}_by_month"][j], values[f"variance_{key}_by_month"][j]
            got_pct = values[f"variance_pct_{key}_by_month"][j]
            if t is None:
                assert (got_plan, got_var, got_pct) == ("n/a", "n/a", "n/a"), (key, j)
                continue
            want = lines[plan_key][t - 1]
            assert got_plan == pytest.approx(want, rel=1e-9, abs=1e-6), (key, j)
            assert got_var == pytest.approx(actual[key][j] - want, rel=1e-9, abs=1e-6), (key, j)
            assert got_pct == pytest.approx((actual[key][j] - want) / abs(want), rel=1e-9), (key, j)


@pytest.mark.libreoffice
@pytest.mark.parametrize("cid", list(CASES))
def test_recalculated_workbook_verifies(recalculated, cid):
    values, errors = recalculated[cid]
    rep = compare(values, errors, 1e-9, cid)
    assert rep.ok, "\n".join(rep.lines())


@pytest.mark.libreoffice
def test_example_aligned_with_the_engine_and_both_ways(recalculated):
    values, _ = recalculated["example"]
    a = assumptions.load(PLAN)
    assert values["actual_plan_month_by_month"] == [1, 2, 3, 4, 5, 6]  # March 2024 is the plan's month 1
    assert values["plan_compared_by_month"] == [True] * 6
    _aligned(values, a, "base", [1, 2, 3, 4, 5, 6])
    # meaningful variances: within tens of percent, some better than plan and some worse
    better = worse = 0
    for key, _, _, sign in PLAN_LINES:
        pct = np.asarray(values[f"variance_pct_{key}_by_month"], dtype=float)
        assert np.all(np.abs(pct) < 0.5), (key, pct)
        better += int(np.sum(sign * pct > 0))
        worse += int(np.sum(sign * pct < 0))
    assert better >= 6 and worse >= 6, (better, worse)
    mau = np.asarray(values["variance_pct_mau_by_month"], dtype=float)
    assert mau.max() > 0 > mau.min()  # MAU ahead of plan in March, behind it later
    # the plan the engine computed is the example's base, month 1 = March 2024 (not month 1 against "now")
    assert values["plan_mau_by_month"][0] == pytest.approx(
        xm.engine.plan(**a.scenario("base")).projection.mau[0], rel=1e-9
    )


@pytest.mark.libreoffice
def test_another_plan_scenario_is_compared(recalculated):
    values, _ = recalculated["example-other-plan"]
    assert values["scenario"] == values["plan_scenario"] == "high-churn"
    _aligned(values, assumptions.load(PLAN), "high-churn", [1, 2, 3, 4, 5, 6])


@pytest.mark.libreoffice
def test_no_variances_while_the_plan_is_not_live(recalculated):
    values, _ = recalculated["example-plan-not-live"]
    assert values["scenario"] == "high-churn" and values["plan_scenario"] == "base"
    assert values["actual_plan_month_by_month"] == [1, 2, 3, 4, 5, 6]
    assert values["plan_compared_by_month"] == [False] * 6
    _aligned(values, assumptions.load(PLAN), "base", [None] * 6)


@pytest.mark.libreoffice
def test_partial_overlap_compares_only_the_common_months(recalculated):
    values, _ = recalculated["starts-later"]
    assert values["actual_plan_month_by_month"] == ["n/a"] * 3 + [1, 2, 3]
    assert values["plan_compared_by_month"] == [False] * 3 + [True] * 3
    _aligned(values, mini("2024-06"), "base", [None, None, None, 1, 2, 3])
    values, _ = recalculated["ends-earlier"]
    assert values["actual_plan_month_by_month"] == [4, 5, 6] + ["n/a"] * 3
    _aligned(values, mini("2023-12", horizon=6), "other", [4, 5, 6, None, None, None])
