"""Issue 24's rules on the version-4 inputs, after an independent bad-input attack: each finding as a test.

Bad input exits 2 with one line naming the file, the scenario, the entry and the rule, writes nothing, prints
no traceback, no RuntimeWarning (the suite makes one an error) and no inf/nan; ``solve``, ``sensitivity`` and
``simulate`` work on every version-4 input.
"""

import json
import math
import re

import numpy as np
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.errors import InputError
from xlmodel.sensitivity import sensitivity
from xlmodel.simulate import simulate
from xlmodel.solve import solve
from xlmodel.udfs import LLM_SOLVE

BASE = """[model]
name = "T"
currency = "RMB"
start = "2025-01"
horizon = {horizon}
[scenarios.base]
cash = 600_000_000
mau = 2_000_000
ad_spend = 20_000_000
cac = 25
paid_share = 0.7
churn = 0.35
conversion = 0.03
arppu = 30
cost_per_mau = 0.6
fixed_costs = 15_000_000
"""
TEAM = '[[scenarios.base.team]]\nrole = "a"\ndepartment = "rd"\n'


def write(tmp_path, snippet, horizon=24, name="f.toml"):
    p = tmp_path / name
    p.write_text(BASE.format(horizon=horizon) + snippet, encoding="utf-8")
    return p


def refused(run, tmp_path, snippet, *args, horizon=24, command="calc"):
    """The one-line message of a file the command refuses (exit 2, nothing on stdout, no inf/nan)."""
    p = write(tmp_path, snippet, horizon)
    r = run(command, p, *args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr and "Warning" not in r.stderr
    assert "f.toml: scenario '" in lines[0]
    assert "array(" not in lines[0]
    return lines[0]


def ok(run, tmp_path, snippet, *args, command="calc", horizon=24):
    p = write(tmp_path, snippet, horizon)
    r = run(command, p, *args)
    assert r.exit_code == 0, r.output
    assert not re.search(r"\b(inf|-inf|nan|Infinity|NaN)\b", r.stdout)
    return r.stdout


# ------------------------------------------------------------------ 1. whole-number inputs in solve and grids

WHOLE = "credits = 1e6\ncompute_terms = 1\n"


@pytest.mark.parametrize("name", ["compute_terms", "ad_terms", "collection_lag", "credits_expire"])
def test_a_grid_over_a_whole_number_input_is_calc_at_each_value(tmp_path, name):
    a = assumptions.load(write(tmp_path, WHOLE))
    s = a.scenario("base")
    values = [1, 2, 6]
    g = sensitivity(s, (name, values), ("churn", [0.3, 0.4]), "runway_months")
    for i, v in enumerate(values):
        for j, churn in enumerate((0.3, 0.4)):
            want = xm.plan(**dict(s, **{name: v, "churn": churn})).runway_months
            assert g.values[i, j] == want


def test_solve_over_a_term_searches_whole_months(tmp_path):
    s = assumptions.load(write(tmp_path, WHOLE)).scenario("base")
    runway = {k: xm.plan(**dict(s, collection_lag=k)).runway_months for k in range(25)}
    target = (runway[3] + runway[4]) / 2  # a longer lag shortens the runway: between 3 and 4 months of lag
    assert runway[3] > target > runway[4]
    r = solve(s, "collection_lag", "runway_months", target)
    assert r.integer and (r.low, r.high) == (0, 24)  # a term's default bounds end at the horizon
    assert r.value == 3 and r.side == ("below",)


def test_the_cli_and_llm_solve_vary_the_terms(run, tmp_path):
    out = ok(run, tmp_path, WHOLE, "--vary", "compute_terms", "--between", "0", "5", "--target",
             "runway_months=18", command="solve")  # fmt: skip
    assert "compute_terms" in out
    ok(run, tmp_path, WHOLE, "--rows", "ad_terms=0,1", "--cols", "churn=0.3,0.4", command="sensitivity")
    ok(
        run,
        tmp_path,
        WHOLE,
        "--rows",
        "credits_expire=1,6,12",
        "--cols",
        "credits=0,1e7",
        command="sensitivity",
    )
    table = [["name", "value"], ["cash", 6e8], ["mau", 2e6], ["ad_spend", 2e7], ["cac", 25.0], ["churn", 0.35],
             ["conversion", 0.03], ["arppu", 30.0], ["cost_per_mau", 0.6], ["fixed_costs", 1.5e7],
             ["horizon", 24.0], ["credits", 1e6], ["compute_terms", 1.0]]  # fmt: skip
    got = LLM_SOLVE(table, "collection_lag", "runway_months", 100, 0, 5)
    assert isinstance(got, str) and got.startswith("not reached:"), got


def test_an_array_of_terms_is_refused_without_a_numpy_repr():
    flat = dict(cash=1e6, mau=0.0, ad_spend=0.0, cac=1.0, churn=0.0, conversion=0.0, arppu=0.0, cost_per_mau=0.0,
                fixed_costs=1e3, horizon=12)  # fmt: skip
    with pytest.raises(InputError) as e:
        xm.plan(**flat, compute_terms=np.array([1.0, 2.0]))
    assert "array(" not in str(e.value) and "an array of 2 values" in str(e.value)


# ------------------------------------------------------------------ 2. statistics over ranged dated entries

RANGED = {
    "team": TEAM + "count = {low=5, high=15}\nsalary = 50000\n",
    "capex": '[[scenarios.base.capex]]\nmonth = 3\namount = {low=1e6, high=2e6}\nlife = 12\nname = "gpu"\n',
    "credits": "[[scenarios.base.funding]]\nmonth = 4\namount = 1e7\ncredits = {low=1e6, high=5e6}\n",
    "funding": "[[scenarios.base.funding]]\nmonth = 4\namount = {low=1e7, high=2e7}\n",
    "change": "[[scenarios.base.changes]]\nmonth = 4\nad_spend = {low=1e7, high=2e7}\n",
}


@pytest.mark.parametrize("kind", list(RANGED))
def test_a_statistic_over_a_ranged_entry_is_simulates(tmp_path, kind):
    a = assumptions.load(write(tmp_path, RANGED[kind]))
    inputs = a.simulation_inputs("base")
    p10 = simulate(inputs, draws=300, seed=3).stats("runway_months")["p10"]
    r = solve(inputs, "cash", "runway_months", 20, statistic="p10", draws=300, seed=3)
    assert r.at_base == p10
    assert r.reached
    g = sensitivity(inputs, ("cash", [6e8]), ("churn", [0.35]), "runway_months", "p10", 300, 3)
    assert g.values[0, 0] == p10


def test_the_cli_solves_and_grids_a_statistic_over_a_ranged_team(run, tmp_path):
    ok(run, tmp_path, RANGED["team"], "--vary", "cash", "--target", "runway_months=20", "--stat", "p10",
       "--draws", "200", command="solve")  # fmt: skip
    ok(run, tmp_path, RANGED["team"], "--rows", "cash=1e8,2e8", "--cols", "churn=0.3,0.4", "--stat", "p10",
       "--draws", "200", command="sensitivity")  # fmt: skip


# ------------------------------------------------------------------ 3, 4. sums past floating point


@pytest.mark.parametrize(
    "snippet, names, horizon",
    [
        ("credits = 1e308\n[[scenarios.base.funding]]\nmonth = 3\namount = 0\ncredits = 1e308\n",
         "credits: the credits granted", 24),
        ("tax_rate = 0.25\n[[scenarios.base.funding]]\nmonth = 3\namount = 1e308\ncredits = 1e308\n",
         "funding, month 3: the round's cash", 24),
        (TEAM + "count = 1e308\nsalary = 50000\n", "team, role 'a': count 1e+308 x salary 50000", 24),
        (TEAM + "count = 10\nsalary = 1e308\n", "team, role 'a': count 10 x salary 1e+308", 24),
        ("salary_growth = 1e308\n" + TEAM + "count = 10\nsalary = 5000\n", "salary_growth: salary_growth 1e+308",
         24),
        ("salary_growth = 10000\n" + TEAM + "count = 10\nsalary = 5000\n", "salary_growth: salary_growth 10000",
         1200),
        (TEAM + "count = 1e300\nsalary = 1e7\n", "team, role 'a': the pay of its 24 months", 24),
        (('[[scenarios.base.capex]]\nmonth = 3\namount = 1e308\nlife = 12\nname = "a"\n'
          '[[scenarios.base.capex]]\nmonth = 4\namount = 1e308\nlife = 12\nname = "b"\n'),
         "capex: the purchases", 24),
    ],
)  # fmt: skip
def test_sums_past_floating_point_name_the_entry(run, tmp_path, snippet, names, horizon):
    line = refused(run, tmp_path, snippet, horizon=horizon)
    assert names in line and "past the largest number floating point holds" in line
    assert "the projection overflows" not in line


def test_a_range_whose_bound_overflows_is_refused_for_simulate(run, tmp_path):
    line = refused(run, tmp_path, TEAM + "count = 10\nsalary = {low=1, high=1e308}\n", command="simulate")
    assert "team, role 'a'" in line and "salary" in line


def test_valid_large_plans_are_untouched():
    """Sums just within floating point compute as before (the check refuses only what would overflow)."""
    flat = dict(cash=1e6, mau=0.0, ad_spend=0.0, cac=1.0, churn=0.0, conversion=0.0, arppu=0.0, cost_per_mau=0.0,
                fixed_costs=0.0, horizon=12)  # fmt: skip
    team = [{"role": "a", "department": "rd", "count": 1.0, "salary": 1e300}]
    p = xm.plan(**flat, team=team)
    assert math.isfinite(p.projection.cash[-1]) and p.projection.cash[-1] == pytest.approx(
        -12 * 1e300, rel=1e-12
    )


# ------------------------------------------------------------------ 6, 7, 8, 9. months


@pytest.mark.parametrize(
    "snippet, words",
    [
        (TEAM + "count = 1\nsalary = 1000\nfrom = 1300\n", "date serial 1300"),
        (TEAM + "count = 1\nsalary = 1000\nfrom = 45000\n", "before the plan's start 2025-01"),
        ("credits = 1e6\ncredits_expire = 1300\n", "before the plan's start 2025-01"),
    ],
)
def test_a_serial_before_the_start_is_no_month(run, tmp_path, snippet, words):
    line = refused(run, tmp_path, snippet)
    assert words in line and "-1457" not in line


def test_a_serial_within_the_plan_is_its_month(tmp_path):
    a = assumptions.load(write(tmp_path, TEAM + "count = 1\nsalary = 1000\nfrom = 45717\n"))  # 2025-03-01
    assert a.scenario("base")["team"][0]["from"] == 3


def test_credits_expire_beyond_1200_states_the_rule(run, tmp_path):
    line = refused(run, tmp_path, 'credits = 5e6\ncredits_expire = "2130-12"\n')
    assert "a plan names months up to 1200" in line and "the horizon" not in line


@pytest.mark.parametrize("expires", ["1e308", "1198", "inf"])
def test_a_rounds_expiry_follows_credits_expires_rule(run, tmp_path, expires):
    line = refused(run, tmp_path, f"[[scenarios.base.funding]]\nmonth = 3\namount = 1\ncredits = 1e6\n"
                   f"expires = {expires}\n")  # fmt: skip
    assert "funding, month 2025-03 (month 3): expires must be a whole number of months" in line
    if expires != "inf":
        assert "from 1 to 1197" in line and "1200" in line
    e = pytest.raises(InputError, xm.plan, cash=1.0, mau=0.0, ad_spend=0.0, cac=1.0, churn=0.0, conversion=0.0,
                      arppu=0.0, cost_per_mau=0.0, horizon=12,
                      funding=[{"month": 3, "amount": 1.0, "credits": 5.0, "expires": 1e308}])  # fmt: skip
    assert str(e.value).startswith(
        "funding, month 3: expires must be a whole number of months from 1 to 1197"
    )


def test_whole_numbers_written_as_floats_are_accepted_everywhere(tmp_path):
    snippet = (
        "ad_terms = 2.0\n" + TEAM + "count = 1.5\nsalary = 1000\nfrom = 3.0\nto = 12.0\n"
        '[[scenarios.base.capex]]\nmonth = 3.0\namount = 1e6\nlife = 36.0\nname = "gpu"\n'
    )
    floats = assumptions.load(write(tmp_path, snippet)).scenario("base")
    ints = assumptions.load(write(tmp_path, snippet.replace(".0\n", "\n"), name="g.toml")).scenario("base")
    assert xm.plan(**floats).projection.cash.tolist() == xm.plan(**ints).projection.cash.tolist()
    assert xm.plan(**floats).projection.company["headcount"][2] == 1.5  # a count is full-time equivalents


# ------------------------------------------------------------------ 10. roles in correlations and tables


def test_a_role_with_a_comma_in_a_correlation_says_the_rule(run, tmp_path):
    snippet = ('[[scenarios.base.team]]\nrole = "R&D: core @ HQ, Beijing"\ndepartment = "rd"\n'
               "count = {low=1, high=5}\nsalary = 1000\n"
               '[correlations]\n"churn,count@team:R&D: core @ HQ, Beijing" = 0.5\n').replace(
        "churn = 0.35", "churn = {low=0.3, high=0.4}")  # fmt: skip
    p = tmp_path / "f.toml"
    p.write_text(BASE.format(horizon=24).replace("churn = 0.35", "churn = {low=0.3, high=0.4}") + snippet)
    r = run("simulate", p)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "a team role named in a correlation must not contain a comma" in r.stderr
    assert "correlations: a correlation names two inputs" in r.stderr


def test_a_role_correlates_when_it_has_no_comma(run, tmp_path):
    p = tmp_path / "f.toml"
    p.write_text(BASE.format(horizon=24).replace("churn = 0.35", "churn = {low=0.3, high=0.4}")
                 + '[[scenarios.base.team]]\nrole = "R&D: core"\ndepartment = "rd"\ncount = {low=1, high=5}\n'
                 'salary = 1000\n[correlations]\n"churn,count@team:R&D: core" = 0.5\n')  # fmt: skip
    assert run("simulate", p, "--draws", "200").exit_code == 0


@pytest.mark.parametrize("role", ['"a\\nb"', '"a\\tb"', '"a\\u2028b"'])
def test_a_role_with_control_characters_is_refused(run, tmp_path, role):
    line = refused(run, tmp_path, f"[[scenarios.base.team]]\nrole = {role}\ndepartment = \"rd\"\n"
                   "count = {low=1, high=2}\nsalary = 1000\n", command="simulate")  # fmt: skip
    assert "team[1]: role must be one line of text without control characters" in line


def test_a_capex_name_with_a_line_break_is_refused(run, tmp_path):
    line = refused(run, tmp_path, '[[scenarios.base.capex]]\nmonth = 3\namount = {low=1, high=2}\nlife = 2\n'
                   'name = "a\\nb"\n', command="simulate")  # fmt: skip
    assert "name must be one line of text without control characters" in line


# ------------------------------------------------------------------ 11. inheritance by role

KID_BASE = (
    TEAM + "count = 10\nsalary = 50000\n"
    '[[scenarios.base.team]]\nrole = "ops"\ndepartment = "ops"\ncount = 5\nsalary = 10000\n'
    '[[scenarios.base.capex]]\nmonth = 3\namount = 1200000\nlife = 12\nname = "gpu"\n'
)


def kid(tmp_path, own):
    return assumptions.load(write(tmp_path, KID_BASE + "[scenarios.kid]\n" + own)).scenario("kid")


def test_an_entry_of_an_inherited_role_replaces_it_whole(run, tmp_path):
    s = kid(tmp_path, '[[scenarios.kid.team]]\nrole = " a "\ndepartment = "sm"\ncount = 20\nsalary = 9\n')
    assert {e["role"]: (e["department"], e["count"], e["salary"]) for e in s["team"]} == {
        "a": ("sm", 20.0, 9.0),  # spaces around: the same role, replaced with every key of its own
        "ops": ("ops", 5.0, 10000.0),
    }
    line = refused(
        run, tmp_path, KID_BASE + '[scenarios.kid]\n[[scenarios.kid.team]]\nrole = "a"\ncount = 20\n'
    )
    assert "team[1]: needs a department" in line  # a replacement is a whole entry, not a patch


def test_count_zero_alone_removes_an_inherited_role(tmp_path):
    s = kid(tmp_path, '[[scenarios.kid.team]]\nrole = "a"\ncount = 0\n')
    assert [e["role"] for e in s["team"]] == ["ops"]


def test_an_empty_array_inherits_no_entries(tmp_path):
    s = kid(tmp_path, "team = []\ncapex = []\n")
    assert "team" not in s and "capex" not in s


def test_amount_zero_alone_removes_an_inherited_capex_entry(tmp_path):
    s = kid(tmp_path, '[[scenarios.kid.capex]]\nmonth = 3\nname = "gpu"\namount = 0\n')
    assert s["capex"] == [{"month": 3, "name": "gpu", "amount": 0.0, "life": 12}]  # buys nothing


def test_a_new_role_in_a_child_still_needs_every_key(run, tmp_path):
    line = refused(
        run, tmp_path, KID_BASE + '[scenarios.kid]\n[[scenarios.kid.team]]\nrole = "new"\ncount = 1\n'
    )
    assert "scenario 'kid'" in line and "team[1]: needs a department" in line


# ------------------------------------------------------------------ 12, 13. suggestions and cosmetics


@pytest.mark.parametrize("typo, want", [("teams", "team"), ("capexes", "capex")])
def test_a_typo_of_an_entry_kind_suggests_it(run, tmp_path, typo, want):
    line = refused(run, tmp_path, f'[[scenarios.base.{typo}]]\nrole = "a"\n')
    assert f"did you mean '{want}'?" in line


def test_investing_cash_flow_is_plus_zero_without_capex(run, tmp_path):
    out = json.loads(ok(run, tmp_path, TEAM + "count = 1\nsalary = 1000\n", "--json"))
    assert "-0.0" not in json.dumps(out)


def test_huge_grid_labels_read_as_the_cli_formats_money(run, tmp_path):
    out = ok(
        run, tmp_path, "", "--rows", "cash=1e300,1e307", "--cols", "churn=0.3,0.4", command="sensitivity"
    )
    assert "1e+300" in out and "1e+307" in out and max(len(x) for x in out.splitlines()[2:]) < 80


def test_a_deterministic_flag_target_reads_yes(run, tmp_path):
    out = ok(run, tmp_path, RANGED["capex"], "--vary", "cash", "--target", "balance_ok=1", command="solve")
    assert "% yes" not in out and "balance_ok = yes" in out


@pytest.mark.parametrize(
    "snippet, words",
    [
        ("[[scenarios.base.capex]]\nmonth = 3\namount = 5\nlife = 2\n" * 2,
         "two capex entries in month 3 without a name: give each a name"),
        ('[[scenarios.base.team]]\nrole = "   "\ndepartment = "rd"\ncount = 1\nsalary = 1000\n',
         "team[1]: role must not be empty"),
    ],
)  # fmt: skip
def test_cosmetic_messages(run, tmp_path, snippet, words):
    assert words in refused(run, tmp_path, snippet)
