"""Generated workbooks, recalculated in a real spreadsheet engine (LibreOffice Calc, headless).

Every workbook of the session is recalculated up front, 40 per LibreOffice process (a
session fixture), then each case compares every named number with the engine.
"""

import math
import os
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.workbook import COMMITTED, TEMPLATES, build, to_bytes
from xlmodel.workbook.builder import TOKEN_INPUTS, clean_text
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import need_libreoffice, workbook_examples

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {p.stem: p for p in workbook_examples("model")}
N_RANDOM = int(os.environ.get("XLMODEL_RANDOM_WORKBOOKS", "25"))
INJECTION_NAMES = [
    '=HYPERLINK("http://example.com","x")',
    "+1+1",
    "-2",
    "@SUM(1)",
    "#N/A",
    "tab\there\x07bell",
]


# ------------------------------------------------------------------ random inputs


def random_inputs(rng: np.random.Generator, max_months: int) -> dict:
    """A valid assumption set over the model's input space (revenue > 0 so unit economics exist)."""
    u = rng.uniform
    s = dict(
        cash=u(-1e6, 1e10) if rng.random() > 0.1 else 0.0,
        fixed_costs=u(0, 1e8),
        mau=u(0, 5e7),
        ad_spend=u(0, 5e8) if rng.random() > 0.1 else 0.0,
        ad_growth=u(-0.2, 0.2),
        cac=u(0.5, 100),
        paid_share=u(0.05, 1),
        churn=u(0.01, 0.9) if rng.random() > 0.1 else 1.0,
        conversion=u(0.001, 0.5),
        arppu=u(1, 100),
        input_tokens=u(0, 2e6),
        output_tokens=u(0, 5e5),
        input_price=u(0, 150),
        output_price=u(0, 150),
        cached_share=u(0, 1),
        other_cost_per_mau=0.0,
        cost_decline=u(0, 0.2),
        annual_discount_rate=u(0, 0.5),
        monthly_tokens=u(0, 1e12),
        large_price=u(0, 150),
        routed_share=u(0, 1),
        migration_cost=u(0, 1e8),
        months=float(rng.integers(1, max_months + 1)),
        token_growth=u(-0.1, 0.1),
        price_decline=u(0, 0.2),
        monthly_revenue=u(0, 1e7),
        revenue_loss=u(0, 0.2),
    )
    # model version 2: each optional input is sometimes left out ("none"), sometimes given
    s["cac_elasticity"] = u(0, 1)
    s["organic_growth"] = u(-0.2, 0.2)
    s["organic_users"] = "none" if rng.random() < 0.4 else u(0, 5e6)
    if s["organic_users"] != "none":
        s["paid_share"] = 1.0
    s["paying_cost_per_mau"] = "none" if rng.random() < 0.4 else u(0, 50)
    s["migration_month"] = "none" if rng.random() < 0.4 else float(rng.integers(1, 70))
    if s["migration_month"] != "none":
        s["large_price"] = u(0.01, 150)  # the saving divides by it
    # model version 3: activation, fees and VAT, interest, growth of usage and fixed costs, a buffer, a raise month
    s.update(
        activation=u(0.3, 1),
        store_fee=u(0, 0.3),
        vat=u(0, 0.2),
        interest_rate=u(-0.05, 0.1),
        usage_growth=u(-0.05, 0.05),
        fixed_cost_growth=u(-0.02, 0.03),
        min_cash=u(0, 1e9),
    )
    s["cac_spend"] = "none" if rng.random() < 0.5 else u(1e5, 5e8)
    s["raise_month"] = "none" if rng.random() < 0.5 else float(rng.integers(1, 25))
    s["cached_price"] = u(0, s["input_price"]) if s["input_price"] else 0.0
    s["small_price"] = u(0, s["large_price"]) if s["large_price"] else 0.0
    if rng.random() < 0.2:  # compute cost entered directly instead of from tokens
        for k in TOKEN_INPUTS:
            s[k] = 0.0
        s["other_cost_per_mau"] = u(0, 20)
    return s


def set_named(wb, name: str, value):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")].value = value


#: a random level for each driver that can change (within its rule)
CHANGE_LEVELS = {
    "ad_spend": (0, 5e8),
    "cac": (0.5, 100),
    "paid_share": (0.05, 1),
    "activation": (0.3, 1),
    "churn": (0.01, 0.9),
    "conversion": (0.001, 0.5),
    "arppu": (1, 100),
    "cost_per_mau": (0, 20),
    "paying_cost_per_mau": (0, 50),
    "fixed_costs": (0, 1e8),
    "organic_users": (0, 5e6),
}


def random_decisions(wb, rng: np.random.Generator, organic: bool, no_spend: bool = False) -> dict:
    """Random changes and rounds, typed into the live scenario's rows of the Changes sheet (as a user would in
    the live block); returns name -> {month index: value} of what was written."""
    sheet, ref = next(iter(wb.defined_names["funding_rounds_by_month"].destinations))
    n = len(wb[sheet][ref.replace("$", "")][0])
    written = {}
    drivers = [
        d
        for d in CHANGE_LEVELS
        if (d != "organic_users" or organic)
        and (d != "paid_share" or not organic)
        and (d != "ad_spend" or not no_spend)
    ]
    for _ in range(int(rng.integers(0, 6))):
        d = str(rng.choice(drivers))
        written.setdefault(f"change_{d}_by_month", {})[int(rng.integers(0, n))] = float(
            rng.uniform(*CHANGE_LEVELS[d])
        )
    for _ in range(int(rng.integers(0, 3))):
        written.setdefault("funding_rounds_by_month", {})[int(rng.integers(0, n))] = float(
            rng.uniform(0, 5e9)
        )
    for name, cells in written.items():
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        row = wb[sheet][ref.replace("$", "")][0]
        for j, value in cells.items():
            row[j].value = value
    return written


# ------------------------------------------------------------------ the cases


def _cases() -> dict:
    """case id -> (what to build, what to expect); the workbooks are built in the fixture."""
    cases = {}
    deterministic = [t for t in TEMPLATES if t not in ("risk", "cohorts")]  # these need data: own cases below
    for t in deterministic:
        cases[f"{t}-defaults"] = dict(template=t)
        for path in workbook_examples(t):  # the examples the template carries (version 4's: model, runway)
            cases[f"{t}-{path.stem}"] = dict(template=t, file=path.stem)
    for stem, path in EXAMPLES.items():
        for name in assumptions.load(path).scenario_names:
            cases[f"model-{stem}-select-{name}"] = dict(template="model", file=stem, select=name)
    for t in deterministic:
        for i in range(N_RANDOM):
            cases[f"{t}-random-{i:02d}"] = dict(template=t, seed=1000 * list(TEMPLATES).index(t) + i)
    cases["runway-120-months"] = dict(template="runway", months=120)
    cases["model-udf-defaults"] = dict(template="model", formulas="udf")
    cases["model-injection"] = dict(template="model", injection=True)
    cases["model-free-app"] = dict(template="model", free_app=True)  # no revenue, no churn: n/a, not errors
    # model version 2: a version-1 file still verifies; mixes beside explicit prices, fx, organic, migration month
    cases["model-version-1-file"] = dict(template="model", path=V1_FILE)
    for t in ("model", "runway", "unit-economics"):
        cases[f"{t}-mixes"] = dict(template=t, doc=MIXES)
    for name in MIXES["scenarios"]:
        cases[f"model-mixes-select-{name}"] = dict(template="model", doc=MIXES, select=name)
    # the risk workbook: simulated numbers re-simulated from the workbook's own table, deterministic ones live
    cases["risk-defaults"] = dict(template="risk")
    cases["risk-llm-assistant-2024-select-downside"] = dict(
        template="risk", file="llm-assistant-2024", select="downside"
    )
    cases["risk-36-months"] = dict(template="risk", months=36)
    cases["risk-mixes-ranges"] = dict(template="risk", doc=RISK_MIXES)
    cases["risk-never"] = dict(template="risk", doc=RISK_NEVER)
    # from data: a retention triangle, monthly actuals (the fitted scenario selected too)
    cases["cohorts-defaults"] = dict(template="cohorts", cohorts=COHORTS_CSV)
    cases["cohorts-saas-copilot"] = dict(template="cohorts", cohorts=COHORTS_CSV, file="saas-copilot")
    cases["cohorts-ragged-no-decay"] = dict(
        template="cohorts", cohorts=ROOT / "tests" / "data" / "cohorts-odd.csv"
    )
    # model version 3: changes and rounds in every scenario, each scenario selected, in each template with a plan
    for t in ("model", "runway"):
        for name in PLAN_V3["scenarios"]:
            cases[f"{t}-v3-select-{name}"] = dict(template=t, doc=PLAN_V3, select=name)
    cases["risk-v3"] = dict(template="risk", doc=dict(PLAN_V3, model=dict(PLAN_V3["model"], draws=2_000)))
    # model version 4: payers as their own stock, relative levels of the stock drivers resolved live
    cases["model-two-stocks-relative"] = dict(template="model", doc=STOCKS_RELATIVE)
    cases["model-actuals"] = dict(template="model", actuals=ACTUALS_CSV)
    cases["model-actuals-select-actuals"] = dict(template="model", actuals=ACTUALS_CSV, select="actuals")
    cases["model-actuals-window-6"] = dict(
        template="model", actuals=ACTUALS_CSV, window=6, select="actuals", file="saas-copilot"
    )
    return cases


FREE_APP = {
    "model": {"name": "A free app", "horizon": 36},
    "scenarios": {
        "free": dict(
            cash=2e6,
            mau=1e4,
            ad_spend=1e4,
            cac=2.0,
            churn=0.0,
            conversion=0.0,
            arppu=10.0,
            cost_per_mau=0.5,
            fixed_costs=3e4,
            monthly_tokens=1e9,
            large_price=5.0,
            small_price=0.5,
            migration_cost=1e4,
            months=12,
        )
    },
}


V1_FILE = ROOT / "tests" / "data" / "llm-assistant-2024-v1.toml"
MIXES = {
    "model": {"name": "Mixes", "currency": "RMB", "horizon": 24},
    "scenarios": {
        "mix": dict(
            cash=5e8,
            mau=1e6,
            ad_spend=2e7,
            cac=30.0,
            cac_elasticity=0.4,
            ad_growth=0.05,
            organic_users=2e5,
            organic_growth=0.01,
            churn=0.3,
            conversion=0.02,
            arppu=30.0,
            input_tokens=5e4,
            output_tokens=1e4,
            cached_share=0.3,
            mix={"gpt-4o-mini": 0.7, "gpt-4o": 0.3},
            fx=7.2,
            paying_cost_per_mau=4.0,
            fixed_costs=2e7,
            monthly_tokens=6e10,
            large_price=4.7,
            small_price=0.24,
            migration_cost=2e7,
            months=24,
            migration_month=5,
            annual_discount_rate=0.12,
        ),
        "explicit": dict(input_price=4.7, output_price=4.7, cached_price=1.0),
        "other-mix": dict(mix={"gpt-4o-mini": 1.0}, fx=7.0, migration_month=30),
    },
}

# a plan over time: a calendar, VAT, fees, interest, activation, a buffer, and changes and rounds in every scenario
# (inherited, overridden, removed), a ranged change level and a migration month
#: payers as their own stock with annual plans, each stock driver changed on dates, by relative levels too
STOCKS_RELATIVE = {
    "model": {"name": "Two stocks", "currency": "EUR", "horizon": 24, "start": "2025-01"},
    "scenarios": {
        "base": dict(
            cash=5e8,
            mau=1e6,
            ad_spend=2e7,
            cac=20.0,
            churn=0.3,
            conversion=0.02,
            arppu=30.0,
            cost_per_mau=0.3,
            fixed_costs=1e7,
            paying_churn=0.08,
            upgrade=0.004,
            annual_share=0.25,
            annual_price=300.0,
            annual_renewal=0.5,
            changes=[
                {"month": 1, "annual_share": "x1.2"},
                {"month": 5, "upgrade": "x1.5", "annual_share": "-20%"},
                {"month": 9, "paying_churn": "+25%"},
                {"month": 14, "upgrade": 0.003, "paying_churn": "x0.8"},
            ],
            funding=[{"month": 10, "amount": 2e8}],
        )
    },
}
PLAN_V3 = {
    "model": {"name": "Plan", "currency": "EUR", "horizon": 30, "start": "2025-03", "fiscal_year_start": 7},
    "scenarios": {
        "base": dict(
            cash=5e7,
            mau=2e5,
            ad_spend=1e6,
            ad_growth=0.02,
            cac=8.0,
            cac_spend=1.2e6,
            cac_elasticity=0.3,
            churn=0.2,
            conversion=0.04,
            arppu=15.0,
            cost_per_mau=0.6,
            paying_cost_per_mau=2.5,
            usage_growth=0.01,
            cost_decline=0.03,
            fixed_costs=2e6,
            fixed_cost_growth=0.01,
            activation=0.7,
            vat=0.2,
            store_fee=0.15,
            interest_rate=0.03,
            min_cash=5e6,
            annual_discount_rate=0.1,
            migration_month=8,
            large_price=3.0,
            small_price=0.3,
            routed_share=0.5,
            migration_cost=5e5,
            revenue_loss=0.01,
            changes=[
                {"month": "2025-06", "ad_spend": {"low": 4e5, "mode": 5e5, "high": 7e5}},
                {"month": 10, "conversion": 0.06, "fixed_costs": 2.5e6},
                {"month": 14, "paying_cost_per_mau": 2.0},
            ],
            funding=[{"month": "2025-12", "amount": 2e7}],
        ),
        "lean": dict(
            raise_month=12,
            changes=[{"month": 10, "fixed_costs": 1.5e6}, {"month": 4, "churn": 0.15}],
            funding=[{"month": 10, "amount": 0}, {"month": 15, "amount": 1e7}, {"month": 15, "amount": 5e6}],
        ),
        "organic": dict(
            organic_users=3e4,
            organic_growth=0.02,
            paid_share=1.0,
            changes=[{"month": 6, "organic_users": 5e4, "activation": 0.9}],
        ),
    },
}
COHORTS_CSV = ROOT / "examples" / "cohorts-2024.csv"
ACTUALS_CSV = ROOT / "examples" / "actuals-2024.csv"
RISK_MIXES = {
    "model": dict(MIXES["model"], draws=3_000, seed=11),
    "correlations": {"churn,conversion": -0.4},
    "scenarios": {
        "mix": dict(
            MIXES["scenarios"]["mix"],
            churn={"low": 0.2, "mode": 0.3, "high": 0.5},
            conversion={"dist": "triangular", "low": 0.01, "mode": 0.02, "high": 0.05},
            output_tokens={"low": 5e3, "high": 2e4},
            small_price={"low": 0.1, "mode": 0.24, "high": 0.5},
        ),
        "explicit": MIXES["scenarios"]["explicit"],
    },
}
# a uniform cash range with a flat burn: some draws run out, the rest never do; no migration, no revenue
RISK_NEVER = {
    "model": {"name": "Flat burn", "horizon": 24, "draws": 2_000, "seed": 3},
    "scenarios": {
        "flat": dict(
            cash={"low": 1e5, "high": 5e5},
            mau=0.0,
            ad_spend=0.0,
            cac=1.0,
            churn=0.1,
            conversion=0.0,
            arppu=0.0,
            cost_per_mau=0.0,
            fixed_costs={"low": 1e4, "mode": 1.5e4, "high": 2e4},
        )
    },
}

CASES = _cases()


def _assumptions_for(case) -> assumptions.Assumptions:
    if case.get("injection"):
        base = assumptions.load(EXAMPLES["llm-assistant-2024"])
        raw = {k: v for k, v in base.scenario().items() if k not in ("horizon", "cost_per_mau")}
        doc = {
            "model": {"name": "=cmd|' /C calc'!A0 \x1b[31m", "currency": "@USD"},
            "scenarios": {name: dict(raw, churn=0.3 + 0.05 * i) for i, name in enumerate(INJECTION_NAMES)},
        }
        return assumptions.from_dict(doc, "injection.toml")
    if case.get("free_app"):
        return assumptions.from_dict(FREE_APP, "free-app.toml")
    if "file" in case:
        return assumptions.load(EXAMPLES[case["file"]])
    if "path" in case:
        return assumptions.load(case["path"])
    if "doc" in case:
        return assumptions.from_dict(case["doc"], "mixes.toml")
    return assumptions.default()


def _build_case(case):
    a = _assumptions_for(case)
    extra = {}
    if "cohorts" in case:
        from xlmodel.actuals import read_cohorts

        extra = dict(cohorts=read_cohorts(case["cohorts"]), cohort_source=case["cohorts"].name)
    if "actuals" in case:
        from xlmodel.actuals import fit_actuals, read_actuals

        table = read_actuals(case["actuals"])
        extra = dict(actuals=table, fit=fit_actuals(table, case.get("window", 3)))
    wb = build(
        case["template"], a, months=case.get("months"), formulas=case.get("formulas", "native"), **extra
    )
    written = {}
    if "select" in case:
        set_named(wb, "scenario", case["select"])
    if "seed" in case:
        rng = np.random.default_rng(case["seed"])
        n_mig = max(int(s.get("months", 24)) for s in a.scenarios.values())
        inputs = random_inputs(rng, n_mig)
        for name, value in inputs.items():
            if name in wb.defined_names:
                value = value if isinstance(value, str) else float(value)
                set_named(wb, name, value)
                written[name] = value
        if "funding_rounds_by_month" in wb.defined_names:
            no_spend = (
                inputs["ad_spend"] == 0 and inputs["cac_spend"] == "none"
            )  # then ad spend stays 0 (cac_spend)
            for name, cells in random_decisions(wb, rng, inputs["organic_users"] != "none", no_spend).items():
                written[(name, tuple(cells.items()))] = None
    return wb, written


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory):
    need_libreoffice()
    tmp = tmp_path_factory.mktemp("recalc")
    src = tmp / "in"
    src.mkdir()
    paths, written = [], {}
    for cid, case in CASES.items():
        wb, written[cid] = _build_case(case)
        path = src / f"{cid}.xlsx"
        path.write_bytes(to_bytes(wb))
        paths.append(path)
    outs = recalculate(paths, tmp / "out")
    return {cid: (read_names(out), written[cid], path) for cid, out, path in zip(CASES, outs, paths)}


@pytest.mark.libreoffice
@pytest.mark.parametrize("cid", list(CASES))
def test_recalculated_workbook_matches_engine(recalculated, cid):
    (values, errors), written, path = recalculated[cid]
    case = CASES[cid]
    udf_cells = set()
    if case.get("formulas") == "udf":
        from xlmodel.workbook.verify import udf_cells as find_udf_cells

        udf_cells = find_udf_cells(path)
        assert udf_cells, "the udf variant has =LLM_* cells"
    rep = compare(values, errors, 1e-9, cid, udf_cells)
    assert rep.ok, "\n".join(rep.lines())
    assert rep.compared >= 10
    # what we wrote into the named input cells is what the engine was given
    for name, value in written.items():
        if isinstance(name, tuple):  # changes and rounds typed into the live rows
            row, cells = name
            for j, v in cells:
                assert values[row][j] == pytest.approx(v, rel=1e-14), (row, j)
            continue
        assert values[name] == (value if isinstance(value, str) else pytest.approx(value, rel=1e-14)), name
    if "select" in case and "actuals" not in case:
        assert values["scenario"] == case["select"]
        a = _assumptions_for(case)
        want = xm.engine.summary(a.scenario(case["select"]))
        for name in (
            "ltv",
            "runway_months",
            "blended_cac",
            "funding_need",
            "breakeven_month",
            "plan_migration_npv" if "plan_migration_npv" in values else "migration_npv",
        ):
            if name not in values:  # a template without that output (the runway template has no LTV)
                continue
            got = values[name]
            if want[name] is None:  # n/a: the migration month lies after the horizon
                assert got == "n/a", name
                continue
            assert got == "never" if math.isinf(want[name]) else got == pytest.approx(want[name], rel=1e-9), (
                name
            )
    if case.get("free_app"):
        assert (
            values["gross_margin"] == "no revenue"
            and values["ltv"] == "n/a"
            and values["payback_months"] == "n/a"
        )
        assert values["checks_ok"] is True
    if case.get("injection"):
        assert values["scenario_names"] == [clean_text(n) for n in INJECTION_NAMES]
        assert values["scenario"] == INJECTION_NAMES[0]


@pytest.mark.libreoffice
def test_selector_changes_the_numbers(recalculated):
    runways = {
        cid: recalculated[cid][0][0]["runway_months"]
        for cid in CASES
        if cid.startswith("model-llm-assistant-2024-select-")
    }
    assert len(set(runways.values())) == len(runways) == 4


@pytest.mark.libreoffice
def test_verify_catches_a_wrong_formula(tmp_path):
    """The comparison can fail: a workbook with one sabotaged formula does not pass."""
    need_libreoffice()
    wb = build("runway", assumptions.default())
    ws = wb["Projection"]
    for row in ws.iter_rows(min_row=5, max_row=80):
        if row[1].value == "revenue_by_month":
            row[10].value = row[10].value + "*1.0001"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(to_bytes(wb))
    (out,) = recalculate([path], tmp_path / "out")
    rep = compare(*read_names(out), 1e-9, "bad")
    assert not rep.ok
    # column K is month 7
    assert any(f.startswith("revenue_by_month[7]") for f in rep.failures)


def test_user_text_is_text_never_a_formula():
    a = _assumptions_for({"injection": True})
    wb = build("model", a)
    ws = wb["Inputs"]
    headers = [c for c in ws[7][4 : 4 + len(INJECTION_NAMES)]]
    assert [c.value for c in headers] == [clean_text(n) for n in INJECTION_NAMES]
    assert all(c.data_type == "s" for c in headers)
    assert ws["D4"].data_type == "s" and ws["D4"].value == INJECTION_NAMES[0]
    title = wb["Cover"]["A1"]
    assert title.data_type == "s" and title.value == "=cmd|' /C calc'!A0 [31m"
    # saved and reloaded: still strings
    reloaded = openpyxl.load_workbook(__import__("io").BytesIO(to_bytes(wb)))
    assert reloaded["Cover"]["A1"].data_type == "s"
    assert all(c.data_type == "s" for c in reloaded["Inputs"][7][4 : 4 + len(INJECTION_NAMES)])


def test_every_name_of_the_issue_is_defined():
    wb = build("model", assumptions.default())
    names = set(wb.defined_names)
    inputs = {
        "cash",
        "mau",
        "ad_spend",
        "ad_growth",
        "cac",
        "paid_share",
        "churn",
        "conversion",
        "arppu",
        "input_tokens",
        "output_tokens",
        "input_price",
        "output_price",
        "cached_share",
        "cached_price",
        "cost_decline",
        "fixed_costs",
        "annual_discount_rate",
        "large_price",
        "small_price",
        "migration_cost",
        "routed_share",
        "revenue_loss",
        "migration_month",
        # model version 3
        "activation",
        "store_fee",
        "vat",
        "interest_rate",
        "min_cash",
        "usage_growth",
        "fixed_cost_growth",
        "cac_spend",
        "raise_month",
    }
    outputs = {
        "blended_cac",
        "cac_per_active",
        "cost_per_mau",
        "revenue_per_mau",
        "contribution_per_mau",
        "gross_margin",
        "ltv",
        "ltv_to_cac",
        "payback_months",
        "breakeven_conversion",
        "runway_months",
        "runway_months_without_funding",
        "runway_months_without_migration",
        "lowest_cash",
        "lowest_cash_month",
        "first_short_month",
        "funding_month",
        "funding_need",
        "breakeven_month",
        "default_alive",
        "burn_multiple",
        "compute_to_revenue",
        "plan_migration_npv",
        "plan_migration_payback_month",
        "checks_ok",
        "scenario",
    }
    rows = {
        f"{r}_by_month"
        for r in (
            "cash",
            "mau",
            "net_burn",
            "revenue",
            "gross_revenue",
            "compute",
            "ad_spend",
            "new_users",
            "paying_users",
            "fixed_costs",
            "interest",
            "funding",
            "funding_rounds",
            "change_ad_spend",
            "change_churn",
        )
    }
    assert inputs | outputs | rows <= names
    # one migration per scenario: the plan's (docs/model.md, version 3); the standalone NPV is the migration template's
    assert not {"migration_npv", "monthly_tokens", "months"} & names
    standalone = set(build("migration", assumptions.default()).defined_names)
    assert {
        "monthly_tokens",
        "months",
        "token_growth",
        "price_decline",
        "monthly_revenue",
        "migration_npv",
        "migration_payback_month",
    } <= standalone


def test_only_portable_functions():
    """No LET, LAMBDA, XLOOKUP or dynamic-array functions in any template."""
    import re

    banned = re.compile(
        r"\b(LET|LAMBDA|XLOOKUP|XMATCH|FILTER|SORT|SORTBY|UNIQUE|SEQUENCE|RANDARRAY|TEXTJOIN|IFS|"
        r"SWITCH|MAXIFS|MINIFS|CONCAT)\("
    )
    from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts

    table = read_actuals(ACTUALS_CSV)
    extra = {
        "cohorts": dict(cohorts=read_cohorts(COHORTS_CSV)),
        "model": dict(actuals=table, fit=fit_actuals(table)),
    }
    for t in TEMPLATES:
        wb = build(t, assumptions.default(), formulas="udf", **extra.get(t, {}))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        assert not banned.search(c.value), (t, ws.title, c.coordinate, c.value)


def test_inputs_are_styled_validated_and_explained():
    wb = build("model", assumptions.default())
    ws = wb["Inputs"]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    churn_row = next(r for r in range(8, 60) if ws[f"B{r}"].value == "churn")
    last = chr(ord("E") + len(assumptions.default().scenarios) - 1)
    dv = dvs[f"E{churn_row}:{last}{churn_row}"]
    assert dv.formula1 == f"AND(ISNUMBER(E{churn_row}),E{churn_row}>=0,E{churn_row}<=1)"
    assert "monthly fraction" in dv.prompt
    assert ws[f"E{churn_row}"].font.color.rgb.endswith("0000CC")
    assert ws[f"D{churn_row}"].value.startswith("=INDEX(")
    assert ws.freeze_panes == "E8"


# ------------------------------------------------------------------ committed workbooks


def _content(path_or_bytes):
    wb = openpyxl.load_workbook(path_or_bytes)
    cells = {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    names = {n: dn.attr_text for n, dn in wb.defined_names.items()}
    return cells, names, [ws.title for ws in wb.worksheets]


def generated_on(path):
    """The generation date a workbook's Cover gives (named generated_on)."""
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["generated_on"].destinations))
    return wb[sheet][ref.replace("$", "")].value.date()


@pytest.mark.parametrize("name", list(COMMITTED))
def test_committed_workbooks_match_the_generator(name):
    import io

    template, opts = COMMITTED[name]
    if (
        opts.get("formulas") == "udf"
    ):  # its Excel functions sheet carries the committed Lite bundle, prices and all
        opts = {
            **opts,
            "lite": {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "workbooks" / "lite").iterdir()},
        }
    committed = ROOT / "workbooks" / name
    assert committed.exists(), "run: xlmodel regenerate workbooks/"
    fresh = build(template, assumptions.default(), generated=generated_on(committed), **opts)
    assert _content(committed) == _content(io.BytesIO(to_bytes(fresh))), (
        f"workbooks/{name} drifted from the generator: run `xlmodel regenerate workbooks/`"
    )


# ------------------------------------------------------------------ the udf variant, second engine


def _formulas_solution(path: Path):
    formulas = pytest.importorskip("formulas")
    from formulas.ranges import Ranges

    from xlmodel.udfs import EXCEL_FUNCTIONS

    functions = formulas.get_functions()

    def excel_like(fn):
        def call(*args):
            conv = []
            for a in args:
                if isinstance(a, Ranges):
                    a = a.value
                if isinstance(a, np.ndarray):
                    a = [
                        [None if type(x).__name__ == "EmptyValue" else x for x in row]
                        for row in np.atleast_2d(a).tolist()
                    ]
                conv.append(a)
            return fn(*conv)

        return call

    for name, fn in EXCEL_FUNCTIONS.items():
        functions[name] = excel_like(fn)
    sol = formulas.ExcelModel().loads(str(path)).finish().calculate()

    def named(name):
        key = next(k for k in sol if k.upper().endswith(f"'!{name.upper()}"))
        v = np.asarray(sol[key].value).ravel()[0]
        return v.item() if hasattr(v, "item") else v

    return named


@pytest.mark.parametrize("stem", ["llm-assistant-2024", "saas-copilot"])
def test_udf_variant_in_a_second_engine(tmp_path, stem):
    """The =LLM_* cells, evaluated by the `formulas` package with our functions registered."""
    a = assumptions.load(EXAMPLES[stem])
    path = tmp_path / "udf.xlsx"
    path.write_bytes(to_bytes(build("model", a, formulas="udf")))
    named = _formulas_solution(path)
    want = xm.engine.summary(a.scenario())
    wb = openpyxl.load_workbook(path)
    twins = [
        n
        for n in ("cost_per_mau", "ltv", "payback_months", "runway_months", "migration_npv")
        if f"{n}_native" in wb.defined_names
    ]
    # the runway's LLM_RUNWAY twin only where the plan is version 2's (LLM_RUNWAY has no version-3 inputs)
    assert {"cost_per_mau", "ltv", "payback_months"} <= set(twins)
    for name in twins:
        for key in (name, f"{name}_native"):
            got = named(key)
            if math.isinf(want[name]):
                assert got == "never", key
            else:
                assert got == pytest.approx(want[name], rel=1e-9), key
    assert named("checks_ok") is True


@pytest.mark.libreoffice
def test_recalculation_is_forced_not_read_from_cached_values(tmp_path):
    """A workbook that carries stale cached values (as Excel files do) is recalculated, not trusted."""
    import re
    import zipfile

    need_libreoffice()
    src = tmp_path / "a.xlsx"
    src.write_bytes(to_bytes(build("runway", assumptions.default())))
    (first,) = recalculate([src], tmp_path / "once")  # now every formula has a cached value
    before, _ = read_names(first)
    wb = openpyxl.load_workbook(first)
    sheet, ref = next(iter(wb.defined_names["cash"].destinations))
    row = int(re.sub(r"\D", "", ref))
    # Edit the base scenario's cash in the XML itself, leaving every cached formula value stale.
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(first) as zin, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        index = [ws.title for ws in wb.worksheets].index(sheet) + 1
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{index}.xml":
                text = data.decode("utf-8")
                text, n = re.subn(
                    rf'(<c r="E{row}"[^>]*>(?:<f>[^<]*</f>)?<v>)[^<]*(</v>)', r"\g<1>1000000\g<2>", text
                )
                assert n == 1
                data = text.encode("utf-8")
            zout.writestr(item, data)
    assert read_names(stale)[0]["runway_months"] == before["runway_months"]  # stale cache as written
    (again,) = recalculate([stale], tmp_path / "twice")
    after, errors = read_names(again)
    assert after["cash"] == 1_000_000
    assert after["runway_months"] != before["runway_months"]
    rep = compare(after, errors, 1e-9, "stale")
    assert rep.ok, "\n".join(rep.lines())


def test_model_mix_sheet_prices_are_values_and_blends_are_sumproduct():
    a = assumptions.from_dict(MIXES, "mixes.toml")
    wb = build("model", a)
    ws = wb["Model mix"]
    assert [ws[f"A{r}"].value for r in (5, 6)] == ["gpt-4o-mini", "gpt-4o"]
    assert ws["B5"].value == xm.price("gpt-4o-mini") and ws["D6"].value == xm.price("gpt-4o", "output")
    assert "genai-prices" in ws["A2"].value and a.price_data in ws["A2"].value
    inputs = wb["Inputs"]
    row = next(r for r in range(8, 80) if inputs[f"B{r}"].value == "input_price")
    # the mix scenarios link to their blended price; the explicit one is a typed-in input
    assert inputs[f"E{row}"].value.startswith("='Model mix'!E") and inputs[f"F{row}"].value == 4.7
    assert inputs[f"G{row}"].value.startswith("='Model mix'!G")
    blended = wb.defined_names["mix_input_price"]
    sheet, ref = next(iter(blended.destinations))
    first = wb[sheet][ref.replace("$", "").split(":")[0]].value
    assert "SUMPRODUCT(" in first


# ---------------------------------------------------------------- risk workbook


def _named_cell(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def test_risk_sheet_holds_engine_values_named_and_says_so():
    a = assumptions.default()
    wb = build("risk", a)
    sim = xm.simulate(
        dict(a.simulation_inputs(), horizon=a.horizon),
        draws=a.draws,
        seed=a.seed,
        correlations=a.correlations_for(),
    )
    st = sim.stats("runway_months")
    assert _named_cell(wb, "runway_months_p50").value == st["p50"]
    assert _named_cell(wb, "runway_share_below_18").value == sim.share_below(18)
    assert _named_cell(wb, "payback_months_p50").value == "never"
    assert (_named_cell(wb, "simulation_draws").value, _named_cell(wb, "simulation_seed").value) == (
        10_000,
        0,
    )
    ws = wb["Risk"]
    assert "values computed by xlmodel's engine, not formulas" in ws["A3"].value
    assert "xlmodel new risk -a" in ws["A3"].value
    # the simulated numbers are values; so is the Base column: the simulated scenario's model at its base inputs
    assert not isinstance(_named_cell(wb, "runway_months_mean").value, str)
    assert _named_cell(wb, "runway_months_base").value == pytest.approx(
        sim.base_values["runway_months"], rel=1e-12
    )
    kinds = sorted(type(ch).__name__ + getattr(ch, "type", "") for ch in ws._charts)
    assert kinds == ["BarChartbar", "BarChartcol", "BarChartcol"]  # tornado, runway and NPV histograms
    # Inputs: low / mode / high beside the scenario columns
    inputs = wb["Inputs"]
    heads = [c.value for c in inputs[7]]
    assert ["Low", "Mode", "High", "Dist"] == [h for h in heads if h in ("Low", "Mode", "High", "Dist")]


def test_risk_without_ranges_draws_a_default_band(tmp_path):
    """A file without ranges gets the default band on its main drivers (tests/test_board_pack3.py checks it in
    full); the risk template refuses only a scenario with none of them to band."""
    a = assumptions.load(EXAMPLES["saas-copilot"])
    assert "a default +/-20% band" in build("risk", a)["Risk"]["A3"].value


@pytest.mark.libreoffice
def test_risk_goes_stale_when_an_input_changes(tmp_path):
    """Changing a simulated input on Inputs turns the master check FALSE (the values must be regenerated)."""
    need_libreoffice()
    wb = build("risk", assumptions.default())
    ws = wb["Inputs"]
    row = next(r for r in range(8, 80) if ws[f"B{r}"].value == "fixed_costs")
    ws[f"E{row}"].value = 1.0  # the simulated scenario's column
    path = tmp_path / "stale.xlsx"
    path.write_bytes(to_bytes(wb))
    (out,) = recalculate([path], tmp_path / "out")
    values, errors = read_names(out)
    assert values["checks_ok"] is False
    assert not compare(values, errors, 1e-9, "stale").ok


# ------------------------------------------------------------- from data


@pytest.mark.libreoffice
def test_actuals_scenario_is_the_fitted_file(recalculated):
    """The workbook's actuals scenario computes what calc computes on the file that xlmodel fit writes."""
    from xlmodel.actuals import fit_actuals, read_actuals
    from xlmodel.fitted_toml import fitted_toml

    (values, _), _, _ = recalculated["model-actuals-select-actuals"]
    f = fit_actuals(read_actuals(ACTUALS_CSV), 3)
    a = assumptions.from_dict(__import__("tomllib").loads(fitted_toml(f)), "fitted.toml")
    s = dict(a.scenario("actuals"))
    assert values["fitted_cac"] == pytest.approx(f.fitted["cac"], rel=1e-12)
    assert values["cac"] == pytest.approx(s["cac"], rel=1e-12) and values["cash"] == s["cash"]
    assert values["cost_per_mau"] == pytest.approx(s["cost_per_mau"], rel=1e-12)
    (cohort_values, _), _, _ = recalculated["cohorts-ragged-no-decay"]
    assert cohort_values["cohort_ltv_by_cohort"][1] == "n/a"  # the curve that does not decay


def test_actuals_inputs_link_to_the_fitted_cells():
    from xlmodel.actuals import fit_actuals, read_actuals

    table = read_actuals(ACTUALS_CSV)
    wb = build("model", assumptions.default(), actuals=table, fit=fit_actuals(table))
    ws = wb["Inputs"]
    names = [c.value for c in ws[7]]
    col = names.index("actuals") + 1
    row = next(r for r in range(8, 80) if ws.cell(row=r, column=2).value == "churn")
    assert ws.cell(row=row, column=col).value.startswith("='Actuals'!$D$")
    assert ws.cell(row=row, column=col).font.color.rgb.endswith("007A33")  # a green link (FAST)
    with pytest.raises(xm.AssumptionsError, match="shorter than the 6 months of actuals"):
        build("model", assumptions.default(), months=3, actuals=table, fit=fit_actuals(table))


@pytest.mark.libreoffice
def test_verify_catches_a_wrong_driver_or_cohort_formula(tmp_path):
    """A sabotaged churn formula on Actuals, or LTV formula on Cohorts, does not pass."""
    need_libreoffice()
    from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts

    table = read_actuals(ACTUALS_CSV)
    wb = build("model", assumptions.default(), actuals=table, fit=fit_actuals(table))
    ws = wb["Actuals"]
    row = next(r for r in range(5, 40) if ws.cell(row=r, column=2).value == "actual_churn_by_month")
    ws.cell(row=row, column=7).value = ws.cell(row=row, column=7).value + "*1.001"  # month 3
    wb2 = build("cohorts", assumptions.default(), cohorts=read_cohorts(COHORTS_CSV))
    c = wb2["Cohorts"]["D6"]
    c.value = c.value.replace("(1+monthly_discount_rate-", "(1.0001+monthly_discount_rate-", 1)
    paths = [tmp_path / "a.xlsx", tmp_path / "c.xlsx"]
    paths[0].write_bytes(to_bytes(wb))
    paths[1].write_bytes(to_bytes(wb2))
    outs = recalculate(paths, tmp_path / "out")
    rep = compare(*read_names(outs[0]), 1e-9, "a")
    assert not rep.ok and any(f.startswith("actual_churn_by_month[3]") for f in rep.failures)
    rep = compare(*read_names(outs[1]), 1e-9, "c")
    assert not rep.ok and any(f.startswith("cohort_ltv_by_cohort[1]") for f in rep.failures)


@pytest.mark.libreoffice
def test_verify_on_a_broken_workbook_is_one_line(tmp_path):
    """A deleted sheet or defined name: a one-line error or a FAILED report, never a traceback."""
    need_libreoffice()
    from xlmodel.errors import XlmodelError
    from xlmodel.workbook.verify import verify_workbook

    base = build("model", assumptions.default())
    del base["Checks"]
    (tmp_path / "nochecks.xlsx").write_bytes(to_bytes(base))
    rep = verify_workbook(tmp_path / "nochecks.xlsx")
    assert not rep.ok and any("checks_ok" in f for f in rep.failures)
    wb = build("model", assumptions.default())
    del wb["Projection"]
    (tmp_path / "noproj.xlsx").write_bytes(to_bytes(wb))
    with pytest.raises(XlmodelError, match="cannot be verified: sheet 'Projection' .* is missing"):
        verify_workbook(tmp_path / "noproj.xlsx")


@pytest.mark.libreoffice
def test_verify_selects_a_formula_like_scenario_name_as_text(tmp_path):
    need_libreoffice()
    from xlmodel.workbook.verify import verify_workbook

    base = assumptions.load(EXAMPLES["llm-assistant-2024"])
    raw = {k: v for k, v in base.scenario().items() if k not in ("horizon", "cost_per_mau")}
    a = assumptions.from_dict({"scenarios": {"base": raw, "=1+1": dict(churn=0.3)}}, "f.toml")
    (tmp_path / "f.xlsx").write_bytes(to_bytes(build("model", a)))
    rep = verify_workbook(tmp_path / "f.xlsx", scenario="=1+1")
    assert rep.ok, "\n".join(rep.lines())


@pytest.mark.libreoffice
def test_verify_never_fetches_links_or_web_functions(tmp_path):
    """A workbook that calls WEBSERVICE and refers to an external book: nothing reaches the network during verify.

    (LibreOffice's default headless profile did not fetch either in our runs; verify's profile also sets
    links to never update and macros to never run, and this checks the outcome.)"""
    need_libreoffice()
    import http.server
    import threading

    from xlmodel.workbook.verify import verify_workbook

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"42")

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        wb = build("unit-economics", assumptions.default())
        ws = wb["Checks"]
        ws["H1"] = f'=WEBSERVICE("http://127.0.0.1:{srv.server_port}/web")'
        ws["H2"] = f"='http://127.0.0.1:{srv.server_port}/ext/[book.xlsx]Sheet1'!A1"
        path = tmp_path / "web.xlsx"
        path.write_bytes(to_bytes(wb))
        verify_workbook(path)
    finally:
        srv.shutdown()
    assert hits == []


@pytest.mark.libreoffice
def test_checks_cover_every_scenario_column_not_just_the_live_one(tmp_path):
    need_libreoffice()
    paths = []
    for key, value in (("churn", 1.5), ("activation", 0)):
        wb = build("model", assumptions.default())
        ws = wb["Inputs"]
        names = [c.value for c in ws[7]]
        col = names.index("downside") + 1  # not the live scenario
        row = next(r for r in range(8, 80) if ws.cell(row=r, column=2).value == key)
        ws.cell(row=row, column=col).value = value
        path = tmp_path / f"{key}.xlsx"
        path.write_bytes(to_bytes(wb))
        paths.append(path)
    for out in recalculate(paths, tmp_path / "out"):
        values, _ = read_names(out)
        assert values["scenario"] == "base" and values["checks_ok"] is False, out.name


def test_failed_master_check_is_red_and_no_check_hard_codes_a_number():
    import re

    wb = build("model", assumptions.default())
    rules = [r for cf in wb["Cover"].conditional_formatting for r in cf.rules]
    assert any(r.formula == ["NOT(checks_ok)"] and r.dxf.font.color.rgb.endswith("C00000") for r in rules)
    ws = wb["Checks"]
    for row in ws.iter_rows(min_row=5):
        f = row[3].value
        if isinstance(f, str) and f.startswith("="):
            assert not re.search(
                r"(?<![A-Za-z_$])(<=|>=|=)(?!0\b|1\b)\d", f.replace("check_tolerance", "")
            ), f
            assert not re.search(r"\bAND\([^()]*:[^()]*\)", f), f  # no AND over a range


def test_charts_print_once_and_read_well():
    """No chart sits in the title columns (printed on every page); each line has a scale that shows it; every
    chart runs over months 1..n; axis titles say the unit, the ticks do not repeat it."""
    from xlmodel.actuals import fit_actuals, read_actuals

    table = read_actuals(ACTUALS_CSV)
    wb = build("model", assumptions.default(), actuals=table, fit=fit_actuals(table))
    for ws in wb.worksheets:
        if ws.print_title_cols:
            for ch in ws._charts:
                from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

                col = (
                    column_index_from_string(coordinate_from_string(ch.anchor)[0])
                    if isinstance(ch.anchor, str)
                    else ch.anchor._from.col + 1
                )
                assert col >= 5, (ws.title, ch.anchor)
    charts = wb["Charts"]._charts  # the projection's charts, on a page of their own
    titles = [str(c.title.tx.rich.p[0].r[0].t) for c in charts]
    # each line on a scale that shows it: revenue and compute apart from ad spend; paying users apart from MAU
    assert any(t.startswith("Cash balance") for t in titles) and "Monthly active users" in titles
    assert (
        "Paying users" in titles
        and "Net revenue and compute" in titles
        and "Ad spend and fixed costs" in titles
    )
    for ch in charts:  # every chart over months 1..n, the same axis
        assert all("!$E$" in s.val.numRef.f for s in ch.series), ch.title
        assert ch.legend is None or len(ch.series) > 1  # no single-series legend
        fmt = ch.y_axis.numFmt.formatCode if ch.y_axis.numFmt is not None else ""
        assert ch.y_axis.title is not None and "M" not in fmt.replace("MM", "")


def test_previewers_see_the_engine_numbers_not_blanks(tmp_path):
    """Formulas carry the engine's values as cached results: a data_only reader (a previewer) sees them."""
    a = assumptions.default()
    path = tmp_path / "m.xlsx"
    path.write_bytes(to_bytes(build("model", a)))
    wb = openpyxl.load_workbook(path, data_only=True)

    def named(name):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cells = wb[sheet][ref.replace("$", "")]
        return [c.value for row in cells for c in row] if isinstance(cells, tuple) else cells.value

    want = xm.engine.summary(a.scenario())
    for name in (
        "ltv",
        "runway_months",
        "plan_migration_npv",
        "blended_cac",
        "payback_months",
        "funding_need",
        "breakeven_month",
        "default_alive",
    ):
        assert named(name) == (
            "never" if isinstance(want[name], float) and math.isinf(want[name]) else want[name]
        ), name
    assert named("cash_by_month") == xm.project(**a.scenario()).cash.tolist()
    cover = [c.value for row in wb["Cover"].iter_rows() for c in row]
    assert want["plan_migration_npv"] in cover and "never" in cover  # the headline links show numbers too
    wb2 = openpyxl.load_workbook(path)  # and the formulas are still there
    sheet, ref = next(iter(wb2.defined_names["ltv"].destinations))
    assert str(wb2[sheet][ref.replace("$", "")].value).startswith("=")


@pytest.mark.libreoffice
def test_a_libreoffice_timeout_stops_the_whole_process_group(tmp_path):
    """On a timeout, soffice.bin goes too (not only the launcher), and the profile folder with it."""
    need_libreoffice()
    import glob

    from xlmodel.errors import XlmodelError

    path = tmp_path / "m.xlsx"
    path.write_bytes(to_bytes(build("model", assumptions.default())))
    with pytest.raises(XlmodelError, match="did not finish recalculating within"):
        recalculate([path], tmp_path / "out", timeout=0.3)
    left = []
    for cmdline in glob.glob(
        "/proc/[0-9]*/cmdline"
    ):  # no pgrep needed; only this test's LibreOffice (its file)
        try:
            if str(path).encode() in Path(cmdline).read_bytes():
                left.append(cmdline)
        except OSError:
            pass
    assert left == []


@pytest.mark.libreoffice
def test_every_cached_value_is_what_a_spreadsheet_computes(tmp_path):
    """Each formula's cached result (the engine's number, written at build time) equals LibreOffice's
    recalculation of that formula, for every formula cell of every kind of workbook."""
    need_libreoffice()
    from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts

    table = read_actuals(ACTUALS_CSV)
    books = {
        "model": build("model", assumptions.default()),
        "mix": build("model", assumptions.load(EXAMPLES["saas-copilot"])),
        "risk": build("risk", assumptions.default()),
        "actuals": build("model", assumptions.default(), actuals=table, fit=fit_actuals(table)),
        "cohorts": build("cohorts", assumptions.default(), cohorts=read_cohorts(COHORTS_CSV)),
        "v1": build("model", assumptions.load(V1_FILE)),
    }
    paths = []
    for name, wb in books.items():
        p = tmp_path / f"{name}.xlsx"
        p.write_bytes(to_bytes(wb))
        paths.append(p)
    outs = recalculate(paths, tmp_path / "out")
    for src, out in zip(paths, outs):
        formulas = openpyxl.load_workbook(src)
        cached = openpyxl.load_workbook(src, data_only=True)
        calc = openpyxl.load_workbook(out, data_only=True)
        n = 0
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if not (isinstance(c.value, str) and c.value.startswith("=")):
                        continue
                    want = _serial(calc[ws.title][c.coordinate].value)  # a date cell reads back as a datetime
                    got = _serial(cached[ws.title][c.coordinate].value)
                    n += 1
                    where = (src.name, ws.title, c.coordinate, c.value[:80])
                    if (
                        isinstance(want, bool)
                        or isinstance(got, bool)
                        or isinstance(want, str)
                        or want is None
                    ):
                        assert got == want, (where, got, want)
                    else:
                        assert (
                            isinstance(got, (int, float))
                            and abs(got - want) <= 1e-9 * max(abs(want), 1.0)
                            or abs(got - want) <= 1e-6 * max(abs(want), abs(got))
                        ), (where, got, want)
        assert n > 100


def _serial(v):
    """A spreadsheet date as the number it stores."""
    import datetime

    return (v - datetime.datetime(1899, 12, 30)).days if isinstance(v, datetime.datetime) else v


def test_no_formula_relies_on_implicit_array_evaluation():
    """Issue 10: no scalar function applied to a range (ABS, COLUMN, INT, ... even inside SUMPRODUCT), no AND/OR
    over a range: some spreadsheets only evaluate those as arrays inside an array formula."""
    import re

    from openpyxl.utils.cell import range_boundaries

    from xlmodel.actuals import fit_actuals, read_actuals, read_cohorts

    table = read_actuals(ACTUALS_CSV)
    extra = {
        "cohorts": dict(cohorts=read_cohorts(COHORTS_CSV)),
        "model": dict(actuals=table, fit=fit_actuals(table)),
    }
    call = re.compile(r"\b(ABS|COLUMN|ROW|INT|SIGN|LN|EXP|SQRT|AND|OR|NOT|ROUND)\(([^()]*)\)")
    for t in TEMPLATES:
        wb = build(t, assumptions.default(), formulas="udf", **extra.get(t, {}))
        ranges = set()
        for name, dn in wb.defined_names.items():
            dests = list(dn.destinations)
            if dests:
                c1, r1, c2, r2 = range_boundaries(dests[0][1].replace("$", ""))
                if (c1, r1) != (c2, r2):
                    ranges.add(name)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if not (isinstance(c.value, str) and c.value.startswith("=")):
                        continue
                    for fn, args in call.findall(c.value):
                        for arg in args.split(","):
                            a = arg.strip()
                            bad = ":" in a or a in ranges  # a range reference or a named range
                            assert not bad, (t, ws.title, c.coordinate, fn, c.value[:120])
