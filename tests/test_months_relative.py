"""Months as Excel gives them (a number, YYYY-MM, a date, a datetime, a date serial) everywhere a month is taken,
relative change levels ("-40%", "x0.6"), and LLM_PLAN's company tables (docs/model.md, "Calendar", "Changes
over time", "The whole company")."""

import datetime
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from xlmodel import assumptions, engine
from xlmodel.dates import month_number
from xlmodel.errors import InputError
from xlmodel.udfs import LLM_PLAN, LLM_SOLVE

ROOT = Path(__file__).resolve().parents[1]
COMPANY = ROOT / "examples" / "company-2024.toml"


def serial(day: datetime.date) -> int:
    return (day - datetime.date(1899, 12, 30)).days


# ------------------------------------------------------------------ the one parser


@pytest.mark.parametrize(
    "value",
    [
        7,
        7.0,
        "7",
        "2025-07",
        datetime.date(2025, 7, 31),
        datetime.datetime(2025, 7, 1, 18, 30),
        serial(datetime.date(2025, 7, 15)),
        serial(datetime.date(2025, 7, 15)) + 0.75,  # a datetime's serial
        np.int64(7),
    ],
)
def test_every_form_of_a_month_is_the_same_plan_month(value):
    assert month_number(value, "2025-01", 36, "month") == 7


@pytest.mark.parametrize(
    "value, start, beyond, message",
    [
        (0, "2025-01", False, "month must be a whole month number from 1 to 36 (the horizon)"),
        (37, "2025-01", False, "got 37"),  # above the horizon, below any serial of the calendar: a month
        (4.5, "2025-01", False, "got 4.5"),
        (True, "2025-01", False, "got True"),
        ("2025-13", "2025-01", False, "month must be a calendar month YYYY-MM"),
        ("x", "2025-01", False, "month must be a calendar month YYYY-MM"),
        (100, "2025-01", False, "date serial 100, read as the date 1900-04-09"),
        (45748, None, False, "is a date serial: give [model] start"),
        (datetime.date(2025, 4, 1), None, False, "is a date: give [model] start"),
        ("2025-04", None, False, "is a calendar month: give [model] start"),
        ("2024-12", "2025-01", False, "before the plan's start 2025-01"),
        ("2028-01", "2025-01", False, "after the plan's last month 2027-12"),
        (3e6, "2025-01", False, "got 3000000.0"),  # after 9999-12-31: no serial
    ],
)
def test_a_bad_month_names_the_argument_the_rule_and_the_value(value, start, beyond, message):
    with pytest.raises(InputError, match="^month ") as e:
        month_number(value, start, 36, "month", beyond)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_month_that_may_lie_beyond_the_horizon_is_a_number_up_to_1200():
    assert month_number(100, "2025-01", 36, "credits_expire", beyond=True) == 100
    assert month_number(1200, "2025-01", 36, "credits_expire", beyond=True) == 1200
    assert month_number(serial(datetime.date(2030, 1, 9)), "2025-01", 36, "credits_expire", True) == 61
    assert month_number("2024-06", "2025-01", 36, "from", beyond=True) == -6  # before month 1


# ------------------------------------------------------------------ TOML: every month key

TOML = """
[model]
horizon = 36
start = "2025-01"

[scenarios.base]
cash = 5e8
mau = 1e6
ad_spend = 1e7
ad_growth = 0.01
cac = 20
churn = 0.3
conversion = 0.03
arppu = 30
cost_per_mau = 0.5
fixed_costs = 5e6
large_price = 10
small_price = 1
raise_month = {raise_month}
migration_month = {migration_month}
credits = 1e7
credits_expire = {credits_expire}

[[scenarios.base.changes]]
month = {change}
ad_spend = 2e7
[[scenarios.base.funding]]
month = {round}
amount = 1e8
credits = 5e7
expires = 12
[[scenarios.base.team]]
role = "eng"
department = "rd"
count = 10
salary = 5e4
from = {team_from}
to = {team_to}
[[scenarios.base.capex]]
month = {capex}
amount = 1e8
life = 24
name = "gpus"
"""

TEXT = {
    "raise_month": '"2026-03"',
    "migration_month": '"2025-06"',
    "credits_expire": '"2027-06"',  # month 30
    "change": '"2025-04"',
    "round": '"2025-09"',
    "team_from": '"2025-02"',
    "team_to": '"2028-12"',  # beyond the horizon
    "capex": '"2025-05"',
}
DATES = {  # TOML's own dates and datetimes
    "raise_month": "2026-03-15",
    "migration_month": "2025-06-01T09:00:00",
    "credits_expire": "2027-06-30",
    "change": "2025-04-01",
    "round": "2025-09-30 23:59:00",
    "team_from": "2025-02-01",
    "team_to": "2028-12-31",
    "capex": "2025-05-20",
}
SERIALS = {  # date serials, as a spreadsheet stores dates
    k: str(serial(datetime.date(int(v.strip('"')[:4]), int(v.strip('"')[5:7]), 15))) for k, v in TEXT.items()
}
NUMBERS = {
    "raise_month": "15",
    "migration_month": "6",
    "credits_expire": "30",
    "change": "4",
    "round": "9",
    "team_from": "2",
    "team_to": "48",
    "capex": "5",
}


def load(tmp_path, months, name="plan.toml"):
    p = tmp_path / name
    p.write_text(TOML.format(**months), encoding="utf-8")
    return assumptions.load(p)


@pytest.mark.parametrize("form", [DATES, SERIALS, NUMBERS], ids=["dates", "serials", "numbers"])
def test_toml_months_in_any_form_equal_the_same_months_as_text(form, tmp_path):
    want = load(tmp_path, TEXT, "text.toml").scenario()
    got = load(tmp_path, form).scenario()
    assert got == want
    assert want["raise_month"] == 15 and want["migration_month"] == 6 and want["credits_expire"] == 30
    assert want["team"][0]["from"] == 2 and want["team"][0]["to"] == 48


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("change", "45748.5e9", "month must be a whole month number from 1 to 36"),
        ("round", "100", "date serial 100, read as the date 1900-04-09"),
        ("migration_month", '"2025-13"', "migration_month must be a calendar month YYYY-MM"),
        ("raise_month", "2030-01-01", "raise_month 2030-01 is after the plan's last month 2027-12"),
    ],
)
def test_a_bad_month_in_a_file_exits_2_with_one_line(key, value, message, tmp_path, run):
    p = tmp_path / "plan.toml"
    p.write_text(TOML.format(**{**TEXT, key: value}), encoding="utf-8")
    r = run("calc", p)
    assert r.exit_code == 2
    line = r.output.strip()
    assert "\n" not in line and "plan.toml: scenario 'base'" in line and message in line, line


def test_a_serial_without_start_says_it_needs_start(tmp_path, run):
    p = tmp_path / "plan.toml"
    text = TOML.format(**NUMBERS).replace('start = "2025-01"\n', "")
    p.write_text(text.replace("month = 4\n", "month = 45748\n"), encoding="utf-8")
    r = run("calc", p)
    assert r.exit_code == 2
    assert "45748 is a date serial: give [model] start" in r.output and r.output.count("\n") == 1


# ------------------------------------------------------------------ Excel's tables: LLM_PLAN and LLM_SOLVE

INPUTS = [
    ["name", "value"],
    ["horizon", 36],
    ["start", "2025-01"],
    ["cash", 5e8],
    ["mau", 1e6],
    ["ad_spend", 1e7],
    ["ad_growth", 0.01],
    ["cac", 20],
    ["churn", 0.3],
    ["conversion", 0.03],
    ["arppu", 30],
    ["cost_per_mau", 0.5],
    ["fixed_costs", 5e6],
    ["large_price", 10],
    ["small_price", 1],
    ["credits", 1e7],
]


def tables(form):
    """LLM_PLAN's arguments with every month in ``form`` (a function of "YYYY-MM")."""
    inputs = INPUTS + [
        ["raise_month", form("2026-03")],
        ["migration_month", form("2025-06")],
        ["credits_expire", form("2027-06")],
    ]
    changes = [
        ["month", "driver", "level"],
        [form("2025-04"), "ad_spend", 2e7],
        [form("2025-07"), "churn", 0.25],
    ]
    funding = [["month", "amount", "credits", "expires"], [form("2025-09"), 1e8, 5e7, 12]]
    team = [
        ["role", "department", "count", "salary", "from", "to"],
        ["eng", "rd", 10, 5e4, form("2025-02"), None],
    ]
    capex = [["month", "amount", "life", "name"], [form("2025-05"), 1e8, 24, "gpus"]]
    return inputs, changes, funding, team, capex


def ym(text):
    return int(text[:4]), int(text[5:])


FORMS = {
    "date": lambda t: datetime.date(*ym(t), 1),
    "datetime": lambda t: datetime.datetime(*ym(t), 28, 12, 0),
    "serial": lambda t: float(serial(datetime.date(*ym(t), 10))),
    "serial as text": lambda t: str(serial(datetime.date(*ym(t), 10))),
}


def plan(form, output=None):
    inputs, changes, funding, team, capex = tables(form)
    return LLM_PLAN(inputs, changes, funding, output, None, team, capex)


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_llm_plan_takes_months_as_excel_gives_them(form):
    want = plan(lambda t: t)
    assert isinstance(want, list) and len(want) == 37, want
    assert plan(FORMS[form]) == want
    for output in ("funding_need", "plan_migration_npv", "credits_used", "ending_headcount", "capex_total"):
        assert plan(FORMS[form], output) == plan(lambda t: t, output), output


def test_llm_plan_months_as_numbers_equal_text():
    numbers = {"2026-03": 15, "2025-06": 6, "2027-06": 30, "2025-04": 4, "2025-07": 7, "2025-09": 9,
               "2025-02": 2, "2025-05": 5}  # fmt: skip
    assert plan(numbers.__getitem__) == plan(lambda t: t)


@pytest.mark.parametrize("form", ["date", "serial"])
def test_llm_solve_takes_months_as_excel_gives_them(form):
    inputs, changes, funding, team, capex = tables(FORMS[form])
    want_tables = tables(lambda t: t)
    got = LLM_SOLVE(inputs, "conversion", "funding_need", 0, None, None, changes, funding, team, capex)
    want = LLM_SOLVE(want_tables[0], "conversion", "funding_need", 0, None, None, *want_tables[1:])
    assert isinstance(want, float) and got == want


@pytest.mark.parametrize(
    "where, value, message",
    [
        ("changes", 100.0, "date serial 100, read as the date 1900-04-09"),
        ("changes", datetime.date(2031, 1, 1), "is after the plan's last month 2027-12"),
        ("funding", "2025-4", "month must be a calendar month YYYY-MM"),
        ("capex", 40, "month must be a whole month number from 1 to 36"),
    ],
)
def test_a_bad_month_in_a_table_is_one_line_value_text(where, value, message):
    inputs, changes, funding, team, capex = tables(lambda t: t)
    {"changes": changes, "funding": funding, "capex": capex}[where][1][0] = value
    got = LLM_PLAN(inputs, changes, funding, "funding_need", None, team, capex)
    assert isinstance(got, str) and got.startswith("#VALUE! ") and message in got and "\n" not in got, got


def test_a_serial_in_a_table_without_start_says_it_needs_start():
    inputs, changes, funding, team, capex = tables(FORMS["serial"])
    inputs = [r for r in inputs if r[0] != "start"]
    got = LLM_PLAN(inputs, changes, None, "funding_need")
    assert got.startswith("#VALUE! ") and "is a date serial: give [model] start" in got, got


# ------------------------------------------------------------------ relative change levels

BASE = dict(
    cash=1e9, mau=1e6, ad_spend=1e7, ad_growth=0.02, cac=20, churn=0.3, conversion=0.03, arppu=30,
    cost_per_mau=0.5, cost_decline=0.01, usage_growth=0.005, fixed_costs=5e6, horizon=24,
)  # fmt: skip
COST_BASE = (1 + 0.005) * (1 - 0.01)


def test_a_relative_level_is_a_factor_of_the_path_it_replaces():
    rel = engine.project(
        **BASE,
        changes=[
            {"month": 1, "arppu": "+10%"},  # month 1: the scenario's value
            {"month": 4, "ad_spend": "-40%", "paying_cost_per_mau": "x3"},  # follows cost_per_mau until here
            {"month": 6, "cost_per_mau": "x2", "churn": "+10%"},  # +10% on churn is churn x 1.1, not points
            {"month": 9, "ad_spend": "x1.5"},  # relative to the earlier relative change, grown since
            {"month": 12, "paying_cost_per_mau": "X0.5"},
        ],
    )
    ad4 = 0.6 * 1e7 * 1.02**3
    cost6 = 2 * 0.5 * COST_BASE**5
    pay4 = 3 * 0.5 * COST_BASE**3
    absolute = engine.project(
        **BASE,
        changes=[
            {"month": 1, "arppu": 1.1 * 30},
            {"month": 4, "ad_spend": ad4, "paying_cost_per_mau": pay4},
            {"month": 6, "cost_per_mau": cost6, "churn": 1.1 * 0.3},
            {"month": 9, "ad_spend": 1.5 * ad4 * 1.02**5},
            {"month": 12, "paying_cost_per_mau": 0.5 * pay4 * COST_BASE**8},
        ],
    )
    for line in ("ad_spend", "compute", "mau", "revenue", "cash"):
        np.testing.assert_allclose(getattr(rel, line), getattr(absolute, line), rtol=1e-12, err_msg=line)
    np.testing.assert_allclose(rel.ad_spend[3], ad4, rtol=1e-15)


def test_a_relative_level_of_paying_cost_not_given_is_a_factor_of_cost_per_mau_s_path():
    rel = engine.project(
        **BASE, changes=[{"month": 3, "cost_per_mau": 0.8}, {"month": 5, "paying_cost_per_mau": "x2"}]
    )
    absolute = engine.project(
        **BASE,
        changes=[
            {"month": 3, "cost_per_mau": 0.8},
            {"month": 5, "paying_cost_per_mau": 2 * 0.8 * COST_BASE**2},
        ],
    )
    np.testing.assert_allclose(rel.compute, absolute.compute, rtol=1e-12)


def test_a_relative_level_follows_each_draw():
    """Over arrays of scenarios (a simulation's draws) the level resolves draw by draw."""
    spend = np.array([1e7, 2e7, 4e7])
    growth = np.array([0.0, 0.01, 0.03])
    p = engine.project(
        **{**BASE, "ad_spend": spend, "ad_growth": growth}, changes=[{"month": 5, "ad_spend": "-25%"}]
    )
    np.testing.assert_allclose(p.ad_spend[:, 4], 0.75 * spend * (1 + growth) ** 4, rtol=1e-12)


@pytest.mark.parametrize(
    "level, message",
    [
        ('"-40"', 'must be a number or a relative level ("-40%", "+10%" or "x0.6"'),
        ('"x"', "must be a number or a relative level"),
        ('"x-1"', "ad_spend x-1 is a factor of -1: a relative level is a factor of 0 or more"),
        ('"-140%"', "ad_spend -140% is a factor of -0.4"),
        ('{ low = "-40%", high = "-20%" }', "a relative level may not be a range"),
    ],
)
def test_a_bad_relative_level_exits_2_naming_file_scenario_change_and_rule(level, message, tmp_path, run):
    p = tmp_path / "plan.toml"
    p.write_text(TOML.format(**NUMBERS).replace("ad_spend = 2e7", f"ad_spend = {level}"), encoding="utf-8")
    r = run("calc", p)
    assert r.exit_code == 2
    line = r.output.strip()
    assert "\n" not in line and "plan.toml: scenario 'base': changes, month 2025-04 (month 4)" in line, line
    assert message in line, line


def test_a_relative_level_that_breaks_its_driver_s_rule_names_the_change(tmp_path, run):
    p = tmp_path / "plan.toml"
    p.write_text(TOML.format(**NUMBERS).replace("ad_spend = 2e7", 'churn = "x4"'), encoding="utf-8")
    r = run("calc", p)
    assert r.exit_code == 2
    line = r.output.strip()
    assert (
        "\n" not in line
        and "scenario 'base'" in line
        and "changes: month 4: churn x4 resolves to 1.2" in line
    )
    assert "churn must be between 0 and 1" in line, line


def test_relative_levels_in_a_file_inherit_as_the_model_says(tmp_path):
    text = TOML.format(**NUMBERS).replace("ad_spend = 2e7", 'ad_spend = "-40%"')
    text += """
[scenarios.deeper]
[[scenarios.deeper.changes]]
month = 4
ad_spend = "x0.5"
[[scenarios.deeper.changes]]
month = 6
ad_spend = "+10%"
[scenarios.over-number]
[[scenarios.over-number.changes]]
month = 4
ad_spend = "x0.5"
"""
    p = tmp_path / "plan.toml"
    p.write_text(text, encoding="utf-8")
    a = assumptions.load(p)
    assert a.scenario("base")["changes"][0]["ad_spend"] == "-40%"
    deeper = {
        (c["month"], k): v for c in a.scenario("deeper")["changes"] for k, v in c.items() if k != "month"
    }
    assert deeper[(4, "ad_spend")] == f"x{0.6 * 0.5!r}" and deeper[(6, "ad_spend")] == "+10%"
    spend = engine.project(**a.scenario("deeper")).ad_spend
    np.testing.assert_allclose(spend[3], 0.3 * 1e7 * 1.01**3, rtol=1e-12)
    np.testing.assert_allclose(spend[5], 1.1 * spend[3] * 1.01**2, rtol=1e-12)
    # over an inherited number: a number
    p.write_text(TOML.format(**NUMBERS) + text[text.index("[scenarios.over-number]") :], encoding="utf-8")
    over = assumptions.load(p).scenario("over-number")["changes"]
    assert [c.get("ad_spend") for c in over if c["month"] == 4] == [1e7]


def test_llm_plan_takes_a_relative_level_in_its_changes_table():
    inputs, changes, funding, team, capex = tables(lambda t: t)
    rel = [changes[0], ["2025-04", "ad_spend", "-40%"], ["2025-07", "churn", "x0.9"]]
    absolute = [changes[0], ["2025-04", "ad_spend", 0.6 * 1e7 * 1.01**3], ["2025-07", "churn", 0.9 * 0.3]]
    got, want = LLM_PLAN(inputs, rel, funding), LLM_PLAN(inputs, absolute, funding)
    np.testing.assert_allclose(np.array(got[1:], dtype=float), np.array(want[1:], dtype=float), rtol=1e-12)
    bad = LLM_PLAN(inputs, [changes[0], [4, "ad_spend", "-40"]], funding, "funding_need")
    assert bad.startswith("#VALUE! ") and "must be a number or a relative level" in bad, bad


# ------------------------------------------------------------------ LLM_PLAN's company tables


def company_tables():
    doc = tomllib.loads(COMPANY.read_text(encoding="utf-8"))
    b = doc["scenarios"]["base"]
    inputs = [["name", "value"]] + [[k, doc["model"][k]] for k in ("horizon", "start", "fiscal_year_start")]
    inputs += [[k, v] for k, v in b.items() if not isinstance(v, list)]
    changes = [["month", "driver", "level"]] + [
        [c["month"], d, v] for c in b["changes"] for d, v in c.items() if d != "month"
    ]
    funding = [["month", "amount", "credits", "expires"]] + [
        [r["month"], r.get("amount"), r.get("credits"), r.get("expires")] for r in b["funding"]
    ]
    team = [["role", "department", "count", "salary", "from", "to"]] + [
        [e["role"], e["department"], e["count"], e["salary"], e.get("from"), e.get("to")] for e in b["team"]
    ]
    capex = [
        [e["month"], e["amount"], e["life"], e.get("name")] for e in b["capex"]
    ]  # no header: by position
    return inputs, changes, funding, team, capex


@pytest.fixture(scope="module")
def company_calc():
    from click.testing import CliRunner

    from xlmodel.cli import main

    r = CliRunner().invoke(main, ["calc", str(COMPANY), "--json", "--monthly"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output[r.output.index("{") :])


def test_llm_plan_with_company_tables_equals_calc_for_every_output(company_calc):
    inputs, changes, funding, team, capex = company_tables()
    outputs = company_calc["outputs"]
    assert {"ending_headcount", "credits_used", "capex_total", "tax_paid", "balance_ok"} <= set(outputs)
    for name, want in outputs.items():
        got = LLM_PLAN(inputs, changes, funding, name, None, team, capex)
        if want is None:
            assert got == "n/a", name
        elif isinstance(want, bool):
            assert got is want, name
        elif isinstance(want, str):  # never
            assert got == want, (name, got)
        else:
            assert isinstance(got, float) and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9), (
                name,
                got,
                want,
            )


@pytest.mark.parametrize(
    "line", ["net_income", "payroll_rd", "depreciation", "credit_balance", "tax", "equity"]
)
def test_llm_plan_with_company_tables_returns_statement_lines_as_calc(line, company_calc):
    inputs, changes, funding, team, capex = company_tables()
    got = LLM_PLAN(inputs, changes, funding, line, None, team, capex)
    want = company_calc["statements"]["monthly"][line]
    assert got[0] == ["month", line] and [r[0] for r in got[1:]] == list(range(1, 37))
    np.testing.assert_allclose([r[1] for r in got[1:]], want, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize(
    "where, row, message",
    [
        ("team", ["eng", "hr", 3, 5e3, None, None], "department must be one of rd, sm, ga, ops, got 'hr'"),
        ("team", ["eng", "rd", -3, 5e3, None, None], "count"),
        ("team", ["eng", "rd", 3, 5e3, 9, 4], "from (9) must not be after to (4)"),
        ("capex", ["2024-05", 1e8, 0, "gpus"], "life must be a whole number of months, 1 or more, got 0"),
        ("capex", ["2024-05", 1e8, 2.5, "gpus"], "life must be a whole number of months"),
        ("funding", ["2024-03", 1e8, 1e8, 0], "expires must be a whole number of months, 1 or more, got 0"),
    ],
)
def test_bad_company_tables_give_the_cli_s_message(where, row, message):
    inputs, changes, funding, team, capex = company_tables()
    args = {"funding": funding, "team": team, "capex": capex}
    args[where] = [args[where][0], row] if where != "capex" else [row]
    got = LLM_PLAN(inputs, changes, args["funding"], "funding_need", None, args["team"], args["capex"])
    assert isinstance(got, str) and got.startswith("#VALUE! ") and message in got and "\n" not in got, got


# ------------------------------------------------------------------ the workbook: relative levels and month cells

WORKBOOK_TOML = """
[model]
horizon = 24
start = "2025-01"

[scenarios.base]
cash = 1e9
mau = 1e6
ad_spend = 1e7
ad_growth = 0.02
cac = 20
churn = 0.3
conversion = 0.03
arppu = 30
cost_per_mau = 0.5
cost_decline = 0.01
usage_growth = 0.004
fixed_costs = 5e6
fixed_cost_growth = 0.01
raise_month = 2025-09-01
migration_month = "2025-08"
large_price = 10
small_price = 1
migration_cost = 1e6
[[scenarios.base.changes]]
month = 1
arppu = "x1.1"
[[scenarios.base.changes]]
month = 2025-04-01
ad_spend = "-40%"
paying_cost_per_mau = "x2"
[[scenarios.base.changes]]
month = "2025-07"
fixed_costs = "+10%"
churn = "x0.9"
cost_per_mau = "x1.5"

[scenarios.cut]
[[scenarios.cut.changes]]
month = 10
ad_spend = "x0.5"
[[scenarios.cut.changes]]
month = "2025-04"
ad_spend = 2e7
"""


@pytest.fixture()
def relative_book(tmp_path):
    from xlmodel.workbook import build, save_atomic

    toml = tmp_path / "relative.toml"
    toml.write_text(WORKBOOK_TOML, encoding="utf-8")
    path = tmp_path / "relative.xlsx"
    save_atomic(build("model", assumptions.load(toml)), path)
    return toml, path


def test_the_changes_sheet_keeps_the_text_and_export_writes_it_back(relative_book, run):
    import openpyxl

    toml, path = relative_book
    ws = openpyxl.load_workbook(path)["Changes"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"-40%", "x2", "+10%", "x0.9", "x1.5", "x1.1", "x0.5"} <= texts
    out = path.with_name("exported.toml")
    r = run("export", path, "-o", out)
    assert r.exit_code == 0, r.output
    assert 'ad_spend = "-40%"' in out.read_text(encoding="utf-8")
    want, got = assumptions.load(toml), assumptions.load(out)
    assert got.scenario_names == want.scenario_names
    for name in want.scenario_names:
        assert got.scenario(name) == want.scenario(name), name


def test_a_bad_relative_level_typed_on_the_changes_sheet_names_its_cell(relative_book):
    import openpyxl

    from xlmodel.errors import XlmodelError
    from xlmodel.workbook.read_plan import read_workbook

    _, path = relative_book
    wb = openpyxl.load_workbook(path)
    ws = wb["Changes"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "-40%")
    cell.value = "-40"
    wb.save(path)
    with pytest.raises(
        XlmodelError, match=rf"Changes!{cell.coordinate}: ad_spend .* must be a number or a relative"
    ):
        read_workbook(path)


@pytest.mark.parametrize("scenario", ["base", "cut"])
def test_the_changes_sheet_shows_the_level_a_relative_one_resolves_to(relative_book, scenario, tmp_path):
    """Recalculated in LibreOffice, the live rows hold the engine's resolved levels, live (the Projection then
    agrees with the engine: xlmodel verify)."""
    from tests.conftest import need_libreoffice

    need_libreoffice()
    import openpyxl

    from xlmodel.workbook.changes_sheet import resolved_levels
    from xlmodel.workbook.libreoffice import recalculate
    from xlmodel.workbook.verify import read_names, verify_workbook

    toml, path = relative_book
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["scenario"].destinations))
    wb[sheet][ref.replace("$", "")].value = scenario
    wb.save(path)
    (recalc,) = recalculate([path], tmp_path / "recalc")
    values, _ = read_names(recalc)
    want = resolved_levels(assumptions.load(toml).scenario(scenario))
    assert any(
        isinstance(x, str) for c in assumptions.load(toml).scenario(scenario)["changes"] for x in c.values()
    )
    for (t, driver), level in want.items():
        got = values[f"change_{driver}_by_month"][t - 1]
        assert isinstance(got, (int, float)) and math.isclose(got, level, rel_tol=1e-12), (
            driver,
            t,
            got,
            level,
        )
    assert values["checks_ok"] is True
    assert verify_workbook(path, scenario).ok


@pytest.mark.parametrize(
    "key, value",
    [
        ("raise_month", datetime.date(2025, 9, 30)),
        ("raise_month", datetime.datetime(2025, 9, 1, 8, 0)),
        ("raise_month", float(serial(datetime.date(2025, 9, 12)))),
        ("raise_month", "2025-09"),
        ("migration_month", datetime.date(2025, 8, 1)),
        ("migration_month", float(serial(datetime.date(2025, 8, 20)))),
        ("migration_month", 8),
    ],
)
def test_a_month_cell_in_any_form_is_the_same_plan_month(relative_book, key, value):
    import openpyxl

    from xlmodel.workbook.read_plan import read_workbook

    toml, path = relative_book
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=2).value == key)
    ws.cell(row=row, column=5).value = value
    wb.save(path)
    got = read_workbook(path).scenario()
    assert got[key] == assumptions.load(toml).scenario()[key] == {"raise_month": 9, "migration_month": 8}[key]


def test_a_bad_month_cell_names_the_cell(relative_book):
    import openpyxl

    from xlmodel.errors import XlmodelError
    from xlmodel.workbook.read_plan import read_workbook

    _, path = relative_book
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=2).value == "raise_month")
    ws.cell(row=row, column=5).value = datetime.date(2031, 1, 1)
    wb.save(path)
    with pytest.raises(XlmodelError, match=rf"Inputs!E{row}: scenario 'base': raise_month 2031-01 is after"):
        read_workbook(path)


def test_a_relative_level_follows_an_edited_input_live(relative_book, tmp_path):
    """ad_spend edited on Inputs: the resolved level of "-40%" follows in LibreOffice, as the engine's does."""
    from tests.conftest import need_libreoffice

    need_libreoffice()
    import openpyxl

    from xlmodel.workbook.libreoffice import recalculate
    from xlmodel.workbook.verify import read_names

    _, path = relative_book
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=2).value == "ad_spend")
    ws.cell(row=row, column=5).value = 3e7
    wb.save(path)
    (recalc,) = recalculate([path], tmp_path / "recalc")
    values, _ = read_names(recalc)
    assert math.isclose(values["change_ad_spend_by_month"][3], 0.6 * 3e7 * 1.02**3, rel_tol=1e-12)
    edited = engine.project(**{**assumptions.load(relative_book[0]).scenario(), "ad_spend": 3e7})
    np.testing.assert_allclose(values["cash_by_month"], edited.cash, rtol=1e-9)


@pytest.mark.parametrize("program", ["libreoffice", "gnumeric"])
def test_relative_levels_resolve_in_each_spreadsheet_and_a_bad_one_fails_the_check(
    relative_book, program, tmp_path
):
    import openpyxl

    from tests.conftest import need_gnumeric, need_libreoffice
    from xlmodel.workbook.changes_sheet import resolved_levels
    from xlmodel.workbook.verify import read_names

    if program == "libreoffice":
        need_libreoffice()
        from xlmodel.workbook.libreoffice import recalculate
    else:
        need_gnumeric()
        from xlmodel.workbook.gnumeric import recalculate_gnumeric as recalculate
    toml, path = relative_book
    (recalc,) = recalculate([path], tmp_path / "good")
    values, _ = read_names(recalc)
    for (t, driver), level in resolved_levels(assumptions.load(toml).scenario()).items():
        assert math.isclose(values[f"change_{driver}_by_month"][t - 1], level, rel_tol=1e-12), (driver, t)
    assert values["checks_ok"] is True
    wb = openpyxl.load_workbook(path)
    cell = next(c for row in wb["Changes"].iter_rows() for c in row if c.value == "x1.5")
    cell.value = "x"
    wb.save(path)
    (recalc,) = recalculate([path], tmp_path / "bad")
    assert read_names(recalc)[0]["checks_ok"] is False
