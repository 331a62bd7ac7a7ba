"""Version-4 inputs in an assumptions file: the team, capex, credits, terms and tax, read by one table-driven reader
of dated entries, their inheritance, their ranges, their errors (one line naming file, scenario, entry and rule,
exit 2), and the workbooks' refusal until they carry the whole company."""

import numpy as np
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.decisions import ENTRY_KINDS, parse_key

HEAD = """
[model]
name = "co"
horizon = 24
start = "2025-01"
fiscal_year_start = 4

[scenarios.base]
cash = 1e6
mau = 1e4
ad_spend = 1e4
cac = 2
churn = 0.1
conversion = 0.05
arppu = 40
cost_per_mau = 1
fixed_costs = 1e4
"""

TEAM = """
[[scenarios.base.team]]
role = "eng"
department = "rd"
count = 3
salary = 5000
"""


def load(text, tmp_path):
    p = tmp_path / "plan.toml"
    p.write_text(HEAD + text, encoding="utf-8")
    return assumptions.load(p)


def test_every_kind_of_dated_entry_is_in_one_table():
    assert list(ENTRY_KINDS) == ["changes", "funding", "team", "capex"]
    assert parse_key("count@team:ML engineers") == ("team", 0, "count", "ML engineers")
    assert parse_key("capex@6:GPUs") == ("capex", 6, "amount", "GPUs")
    assert parse_key("credits@9") == ("funding", 9, "credits", "")
    assert parse_key("ad_spend@4") == ("changes", 4, "ad_spend", "")


def test_the_file_reaches_the_engine(tmp_path):
    a = load(
        TEAM
        + """
[[scenarios.base.capex]]
month = "2025-03"
amount = 120000
life = 24
name = "GPUs"
[[scenarios.base.funding]]
month = 5
amount = 1e5
credits = 2e4
expires = 3
""",
        tmp_path,
    )
    s = a.scenario("base")
    assert s["team"] == [{"role": "eng", "department": "rd", "count": 3.0, "salary": 5000.0}]
    assert s["capex"] == [{"month": 3, "name": "GPUs", "amount": 120000.0, "life": 24}]
    assert s["funding"] == [{"month": 5, "amount": 1e5, "credits": 2e4, "expires": 3}]
    assert s["start"] == "2025-01" and s["fiscal_year_start"] == 4
    p = xm.plan(**s).projection.company
    assert p["payroll"][0] == 15_000 and p["capex"][2] == 120_000 and p["credits_granted"][4] == 2e4


def test_a_version_3_file_gives_the_same_scenario_as_before(tmp_path):
    s = load("", tmp_path).scenario("base")
    assert not any(k in s for k in ("team", "capex", "start", "fiscal_year_start", "on_cost", "credits"))


def test_inheritance_by_role_by_month_and_name_and_removal(tmp_path):
    a = load(
        TEAM
        + """
[[scenarios.base.team]]
role = "sales"
department = "sm"
count = 2
salary = 4000
[[scenarios.base.capex]]
month = 3
amount = 100
life = 10
name = "GPUs"
[[scenarios.base.funding]]
month = 5
amount = 1e5
credits = 2e4

[scenarios.lean]
[[scenarios.lean.team]]
role = "eng"
department = "rd"
count = 0
salary = 0
[[scenarios.lean.team]]
role = "sales"
department = "sm"
count = 1
salary = 4000
[[scenarios.lean.capex]]
month = 3
amount = 50
life = 10
name = "GPUs"
[[scenarios.lean.funding]]
month = 5
amount = 0
credits = 0
""",
        tmp_path,
    )
    lean = a.scenario("lean")
    assert lean["team"] == [{"role": "sales", "department": "sm", "count": 1.0, "salary": 4000.0}]
    assert lean["capex"] == [{"month": 3, "name": "GPUs", "amount": 50.0, "life": 10}]
    assert lean["funding"] == []
    assert len(a.scenario("base")["team"]) == 2


def test_ranges_on_counts_salaries_capex_and_credits_are_drawn(tmp_path):
    a = load(
        """on_cost = { low = 0.2, high = 0.4 }
[[scenarios.base.team]]
role = "eng"
department = "rd"
count = { low = 2, high = 4 }
salary = { low = 4000, mode = 5000, high = 7000 }
[[scenarios.base.capex]]
month = 3
amount = { low = 1e5, high = 2e5 }
life = 24
name = "GPUs"
[[scenarios.base.funding]]
month = 5
amount = 1e5
credits = { low = 1e4, high = 3e4 }
""",
        tmp_path,
    )
    assert set(a.ranges["base"]) == {
        "count@team:eng",
        "salary@team:eng",
        "capex@3:GPUs",
        "credits@5",
        "on_cost",
    }
    sim = xm.simulate(a.simulation_inputs("base"), draws=400, seed=3)
    runway = sim.outputs["ending_cash"]
    assert np.unique(runway).size > 300  # every draw its own team, purchase and credits
    base = xm.plan(**a.scenario("base")).ending_cash
    assert runway.min() < base < runway.max()


BAD = [
    (TEAM.replace('department = "rd"', 'department = "hr"'), "team, role 'eng': department must be one of"),
    (TEAM.replace("count = 3", "count = -1"), "team, role 'eng': count must be 0 or more"),
    (TEAM.replace("salary = 5000", "salary = -1"), "team, role 'eng': salary must be 0 or more"),
    (TEAM + "from = 9\nto = 3\n", "team, role 'eng': from (9) must not be after to (3)"),
    (TEAM.replace('role = "eng"\n', ""), "team[1]: needs a role"),
    (
        "[[scenarios.base.capex]]\nmonth = 2\namount = 1\nlife = 0\n",
        "capex, month 2025-02 (month 2): life must be",
    ),
    (
        "[[scenarios.base.capex]]\nmonth = 2\namount = 1\nlife = 2.5\n",
        "life must be a whole number of months",
    ),
    ("[[scenarios.base.capex]]\nmonth = 2\namount = 1\nlife = 2\nname = 'a'\n" * 2, "same month and name"),
    ("[[scenarios.base.funding]]\namount = 1\ncredits = 5\n", "funding[1]: needs a month"),
    ("[[scenarios.base.funding]]\nmonth = 2\ncredits = 5\nexpires = 0\n", "expires must be a whole number"),
    ("compute_terms = -1\n", "compute_terms: compute_terms must be a whole number of months from 0 to 1200"),
    ("ad_terms = 1.5\n", "ad_terms: ad_terms must be a whole number of months"),
    ("tax_rate = 1\n", "tax_rate: tax_rate must be 0 or more and below 1"),
    ("collection_lag = { low = 1, high = 2 }\n", "collection_lag"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_input_is_one_line_naming_file_scenario_entry_and_rule(text, message, tmp_path, run):
    p = tmp_path / "plan.toml"
    # scalars go in the scenario table, entries after it
    p.write_text(HEAD + text, encoding="utf-8")
    r = run("calc", p)
    assert r.exit_code == 2
    line = r.output.strip()
    assert "\n" not in line and "plan.toml: scenario 'base': " in line and message in line, line


def test_only_the_templates_that_carry_the_company_take_it(tmp_path, run):
    p = tmp_path / "plan.toml"
    p.write_text(HEAD + TEAM, encoding="utf-8")
    out = tmp_path / "x.xlsx"
    r = run("new", "unit-economics", p, "-o", out)
    assert r.exit_code == 2
    assert r.output.strip().endswith(
        "plan.toml: scenario 'base': team: the unit-economics template does not carry the team, capex, credits, "
        "terms or tax (model version 4): the model and runway templates do, or use xlmodel calc"
    )
    assert not out.exists()
    p.write_text(HEAD + "tax_rate = 0.25\n", encoding="utf-8")
    r = run("new", "risk", p, "-o", out)
    assert r.exit_code == 2 and "scenario 'base': tax_rate: the risk template does not carry" in r.output
    assert not out.exists()
    r = run("new", "model", p, "-o", out)
    assert r.exit_code == 0 and out.exists()


def test_the_company_example_runs_and_balances(run):
    r = run("calc", "examples/company-2024.toml")
    assert r.exit_code == 0, r.output
    assert "statements by fiscal year (RMB; flows summed, balances at the period's end)" in r.output
    assert "balance check: assets = liabilities + equity in every month" in r.output
    assert "compute credits: 4.32B granted" in r.output
    rows = {ln.split()[0]: ln.split()[1] for ln in r.output.splitlines() if len(ln.split()) > 1}
    assert rows["balance_ok"] == "yes" and rows["ending_headcount"] == "375.00"
    q = run("calc", "examples/company-2024.toml", "--quarterly")
    assert "FY2024 Q1" in q.output and "FY2027 Q1" in q.output
    m = run("calc", "examples/company-2024.toml", "--monthly")
    assert "2027-02" in m.output.split("statements by month")[1]
    doc = __import__("json").loads(run("calc", "examples/company-2024.toml", "--json").output)
    st = doc["statements"]
    assert len(st["monthly"]["net_income"]) == 36 and st["balance_ok"] is True
    assert [y["label"] for y in st["years"]][1] == "FY2025" and len(st["quarters"]) == 13
    assert doc["outputs"]["balance_ok"] is True
    # the round's cash and credits: treating the credits as cash would overstate the runway
    a = assumptions.load("examples/company-2024.toml")
    assert xm.plan(**a.scenario("all-cash")).runway_months > xm.plan(**a.scenario("base")).runway_months
    both = run("calc", "examples/company-2024.toml", "--quarterly", "--monthly")
    assert both.exit_code == 2 and "give --quarterly or --monthly, not both" in both.output


def test_a_version_3_plan_prints_no_statements_unless_asked(run):
    r = run("calc", "examples/plan-2024.toml")
    assert "statements by" not in r.output and "balance_ok" not in r.output
    q = run("calc", "examples/plan-2024.toml", "--quarterly")
    assert "statements by fiscal quarter" in q.output and "balance check: assets" in q.output
