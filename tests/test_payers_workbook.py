"""Payers as their own stock in the model and runway workbooks (model version 4): the two stocks, the 12-row phase
block of annual billings, billed and recognised revenue and deferred revenue on the Projection and the Statements,
the chain's LTV on the Unit economics sheet; recalculated in LibreOffice and Gnumeric with every scenario
selected, equal to the engine (xlmodel verify's comparison) with the balance check and the master check TRUE;
verify catches a wrong deferred revenue cell; the templates that do not carry the stocks say so in one line."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pytest

from xlmodel import assumptions
from xlmodel.errors import AssumptionsError
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.verify import compare, read_names, recalculate, verify_workbook

from .conftest import ROOT, need_gnumeric, need_libreoffice, select_scenario
from .test_company_workbook import formula_cells, toml_table

EXAMPLE = ROOT / "examples" / "payers-2024.toml"
#: random two-stock plans recalculated (each with its scenarios selected): a modest batch, one soffice call
RANDOM_PLANS = 3
#: the Projection's rows of the two stocks, compared in every case
STOCK_LINES = (
    "free_users_by_month",
    "monthly_payers_by_month",
    "annual_payers_by_month",
    "new_payers_by_month",
    "renewals_by_month",
    "payer_share_by_month",
    "billed_revenue_by_month",
    "deferred_revenue_by_month",
    "annual_billing_11_by_month",
)


def _changes(rng: np.random.Generator, h: int, annual: bool) -> list[dict]:
    """Dated changes of upgrade, paying_churn and (with annual plans) annual_share, and one of churn."""
    out = []
    for month in sorted(rng.choice(np.arange(2, h + 1), size=min(3, h - 1), replace=False)):
        c: dict = {"month": int(month)}
        c[
            str(
                rng.choice(
                    ["upgrade", "paying_churn", "annual_share"] if annual else ["upgrade", "paying_churn"]
                )
            )
        ] = float(rng.uniform(0.005, 0.3))
        if rng.random() < 0.3:
            c["churn"] = float(rng.uniform(0.05, 0.5))
        out.append(c)
    return out


def random_plan(rng: np.random.Generator, k: int) -> str:
    """Two scenarios with two stocks: ``base`` with annual plans and dated changes of the stock drivers, terms and
    a team when ``k`` is odd (its statements then carry deferred revenue with payroll and receivables); ``alt``
    changes the annual plan and the churns; ``one`` (when ``k`` is even) a one-stock scenario in the same
    workbook."""
    h = int(rng.integers(14, 30))  # past month 13: the renewals show
    model = {"name": f"random payers {k}", "currency": "USD", "horizon": h}
    if rng.random() < 0.6:
        model["start"] = f"20{int(rng.integers(24, 28))}-{int(rng.integers(1, 13)):02d}"
        model["fiscal_year_start"] = int(rng.choice([1, 4, 7]))
    base = {
        "cash": float(rng.uniform(1e6, 5e7)),
        "mau": float(rng.uniform(1e4, 1e6)),
        "ad_spend": float(rng.uniform(0, 2e6)),
        "cac": float(rng.uniform(0.5, 40)),
        "paid_share": float(rng.uniform(0.3, 1)),
        "activation": float(rng.uniform(0.5, 1)),
        "churn": float(rng.uniform(0.05, 0.5)),
        "conversion": float(rng.uniform(0.005, 0.1)),
        "arppu": float(rng.uniform(2, 60)),
        "vat": float(rng.choice([0.0, 0.06])),
        "store_fee": float(rng.choice([0.0, rng.uniform(0, 0.3)])),
        "cost_per_mau": float(rng.uniform(0, 2)),
        "paying_cost_per_mau": float(rng.uniform(0, 5)),
        "cost_decline": float(rng.uniform(0, 0.05)),
        "fixed_costs": float(rng.uniform(0, 1e6)),
        "interest_rate": float(rng.choice([0.0, rng.uniform(0, 0.08)])),
        "annual_discount_rate": float(rng.uniform(0.05, 0.2)),
        "paying_churn": float(rng.uniform(0.02, 0.2)),
        "upgrade": float(rng.uniform(0.001, 0.05)),
        "annual_share": float(rng.uniform(0.1, 0.8)),
        "annual_price": float(rng.uniform(50, 500)),
        "annual_renewal": float(rng.uniform(0, 0.9)),
    }
    if k % 2:
        base.update(
            on_cost=float(rng.uniform(0, 0.4)),
            collection_lag=int(rng.integers(1, 3)),
            compute_terms=int(rng.integers(0, 3)),
            tax_rate=float(rng.uniform(0, 0.3)),
        )
    out = ["[model]", toml_table(model), "", "[scenarios.base]", toml_table(base)]
    for c in _changes(rng, h, True):
        out += ["", "[[scenarios.base.changes]]", toml_table(c)]
    if k % 2:
        e = {"role": "engineers", "department": "rd", "count": float(rng.integers(1, 20)), "salary": 1e4}
        out += ["", "[[scenarios.base.team]]", toml_table(e)]
    alt = {
        "annual_share": float(rng.uniform(0, 1)),
        "annual_renewal": float(rng.uniform(0, 0.95)),
        "paying_churn": float(rng.uniform(0.01, 0.3)),
        "upgrade": float(rng.uniform(0.001, 0.05)),
        "annual_price": float(rng.uniform(50, 500)),
        "churn": float(rng.uniform(0.05, 0.6)),
    }
    out += ["", "[scenarios.alt]", toml_table(alt)]
    for c in _changes(rng, h, True):
        out += ["", "[[scenarios.alt.changes]]", toml_table(c)]
    if not k % 2:  # a one-stock scenario beside them (its own file's keys: no stock input inherited)
        out[out.index("[scenarios.base]")] = (
            "[scenarios.one]\n"
            + toml_table(
                {x: y for x, y in base.items() if not x.startswith(("paying_churn", "upgrade", "annual_"))}
            )
            + "\n\n[scenarios.base]"
        )
    return "\n".join(out) + "\n"


def _plans(tmp) -> list[tuple[str, str, object]]:
    out = [("example", "model", assumptions.load(EXAMPLE)), ("runway", "runway", assumptions.load(EXAMPLE))]
    rng = np.random.default_rng(20250)
    for k in range(RANDOM_PLANS):
        path = tmp / f"random-{k}.toml"
        path.write_text(random_plan(rng, k), encoding="utf-8")
        out.append((f"random-{k}", "model", assumptions.load(path)))
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_libreoffice()
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("payers")
    cases = []
    for cid, template, a in _plans(tmp):
        path0 = tmp / f"{cid}.xlsx"
        path0.write_bytes(to_bytes(build(template, a)))
        for i, name in enumerate(a.scenario_names):
            wb = openpyxl.load_workbook(path0)
            select_scenario(wb, name)
            p = tmp / f"{cid}--{i}.xlsx"
            wb.save(p)
            cases.append((f"{cid}--{name}", p))
    lo = recalculate([p for _, p in cases], tmp / "lo")
    gn = recalculate_gnumeric([p for _, p in cases], tmp / "gn")
    return {cid: (read_names(a), read_names(b)) for (cid, _), a, b in zip(cases, lo, gn)}


def test_every_scenario_equals_the_engine_in_both_programs(recalculated):
    assert len(recalculated) == 3 + 3 + 2 * RANDOM_PLANS + (RANDOM_PLANS + 1) // 2
    for cid, both in recalculated.items():
        for program, (values, errors) in zip(("LibreOffice", "Gnumeric"), both):
            rep = compare(values, errors, 1e-9, f"{cid} in {program}")
            assert rep.ok, "\n".join(rep.lines())
            assert values["balance_ok"] is True and values["checks_ok"] is True, cid
            assert set(STOCK_LINES) <= set(values), cid
            assert rep.compared > 1000, cid


def test_the_rows_read_as_the_model_says(recalculated):
    for cid, ((values, _), _) in recalculated.items():
        if "--one" in cid or cid.endswith("--base") and cid.startswith(("example", "runway")):
            assert not any(values["deferred_revenue_by_month"]), cid  # one stock: no annual plan
            chain = {values[k] for k in ("ltv_monthly_payer", "ltv_annual_payer", "ltv_payer") if k in values}
            assert chain == (set() if cid.startswith("runway") else {"n/a"}), cid  # runway: no LTV rows
            continue
        free, monthly, annual, mau = (
            np.array(values[f"{k}_by_month"], dtype=float)
            for k in ("free_users", "monthly_payers", "annual_payers", "mau")
        )
        assert np.allclose(free + monthly + annual, mau, rtol=1e-12), cid
        deferred = np.array(values["deferred_revenue_by_month"], dtype=float)
        assert (deferred >= -1e-6 * max(1.0, deferred.max())).all(), cid
        assert values["statement_deferred_revenue_by_month"] == values["deferred_revenue_by_month"], cid
        assert values["ending_deferred_revenue"] == values["deferred_revenue_by_month"][-1], cid
        if cid == "example--annual-plans":  # the renewal cliff: the first renewals bill in month 13
            renewals = values["renewals_by_month"]
            assert not any(renewals[:12]) and renewals[12] > 0
            assert values["ltv_payer"] > values["ltv"] and values["payback_status"] == "engine value, current"


def test_verify_catches_a_wrong_deferred_revenue_cell(tmp_path):
    need_libreoffice()
    path = tmp_path / "payers.xlsx"
    path.write_bytes(to_bytes(build("model", assumptions.load(EXAMPLE))))
    wb = openpyxl.load_workbook(path)
    select_scenario(wb, "annual-plans")
    sheet, ref = next(iter(wb.defined_names["deferred_revenue_by_month"].destinations))
    cell = wb[sheet][ref.replace("$", "").split(":")[0]]
    cell.value = f"{cell.value}*(1+check_tolerance*1000)"  # a formula off by a millionth
    bad = tmp_path / "tampered.xlsx"
    wb.save(bad)
    rep = verify_workbook(bad)
    assert not rep.ok and any("deferred_revenue_by_month[1]" in f for f in rep.failures), rep.lines()


def test_the_other_templates_say_why_not():
    a = assumptions.load(EXAMPLE)
    for template in ("unit-economics", "migration", "risk"):
        with pytest.raises(AssumptionsError) as e:
            build(template, a)
        msg = str(e.value)
        assert f"the {template} template does not carry two stocks" in msg and "\n" not in msg


def test_without_the_new_inputs_the_workbook_has_none_of_their_rows():
    wb = build("model", assumptions.load(ROOT / "examples" / "company-2024.toml"))
    names = set(wb.defined_names)
    assert not {"paying_churn", "free_users_by_month", "ltv_payer", "change_upgrade_by_month"} & names
    assert "Payers as their own stock" not in [c.value for c in wb["Inputs"]["A"]]


def test_the_new_formulas_are_portable_and_hold_no_number_but_0_and_1():
    wb = build("model", assumptions.load(EXAMPLE))
    literal = re.compile(r"(?<![A-Za-z_$0-9.:!])(\d+(?:\.\d+)?)(?![A-Za-z_0-9(:.])")
    ws = wb["Projection"]
    new = {c.row for c in ws["B"] if isinstance(c.value, str) and c.value in STOCK_LINES}
    seen = 0
    for title, ref, f in formula_cells(wb, ("Projection", "Unit economics", "Statements", "Checks")):
        body = re.sub(r'"[^"]*"', "", f)
        body = re.sub(r"'[^']*'!", "", body)
        seen += title == "Projection" and ws[ref].row in new
        assert set(literal.findall(body)) <= {"0", "1"}, (title, ref, f)
        assert not re.search(r"\b(OFFSET|INDIRECT|NOW|TODAY|RAND)\(", f), (title, ref, f)
    assert seen >= len(STOCK_LINES) * 36
