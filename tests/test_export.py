"""``xlmodel export``: a workbook's plan written back as TOML (issue 26). TOML -> workbook -> TOML gives the same
plan (every input the workbook holds, change, round, range and correlation), on every example and on random
plans; the exported file computes what the workbook does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings

from tests.conftest import workbook_examples
from tests.strategies import plan_inputs
from xlmodel.assumptions import from_dict, load
from xlmodel.cli import main
from xlmodel.engine import summary
from xlmodel.errors import XlmodelError
from xlmodel.plan_toml import plan_toml
from xlmodel.workbook import build, save_atomic
from xlmodel.workbook.read_plan import workbook_document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = workbook_examples("model")
#: the standalone migration NPV's own inputs: a workbook whose plan has a migration_month does not hold them
STANDALONE = ("monthly_tokens", "months", "token_growth", "price_decline", "monthly_revenue")


def _plan(a, held: bool = True) -> dict:
    """A plan's scenarios, ranges, correlations and settings, in a form to compare (rounds as month totals)."""
    out = {}
    for name, s in a.scenarios.items():
        s = dict(s)
        if s.get("cached_price") == s.get("input_price"):
            s.pop("cached_price", None)
        if not s.get("cached_share"):
            s.pop("cached_share", None)
        if held and a.has_plan_migration():
            for k in STANDALONE:
                s.pop(k, None)
        totals: dict = {}
        for r in s.pop("funding"):
            totals[r["month"]] = totals.get(r["month"], 0.0) + r["amount"]
        s["funding"] = {m: x for m, x in totals.items() if x}
        if "retention" in s:
            s["retention"] = [float(x) for x in s["retention"]]
        out[name] = s
    return dict(
        scenarios=out,
        ranges=a.ranges,
        correlations=a.correlations,
        mixes={n: {m: x for m, x in mix.items() if x} for n, mix in a.mixes.items()},
        model=(a.name, a.currency, a.horizon, a.start, a.fiscal_year_start),
    )


def _export(tmp_path: Path, workbook: Path, *extra: str) -> Path:
    out = tmp_path / f"{workbook.stem}.toml"
    r = CliRunner().invoke(main, ["export", str(workbook), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.parametrize("toml", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_on_every_example(tmp_path, toml):
    a = load(toml)
    template = "risk" if a.ranges else "model"
    wb = tmp_path / f"{toml.stem}.xlsx"
    save_atomic(build(template, a), wb)
    b = load(_export(tmp_path, wb))
    assert _plan(b) == _plan(a)
    # and the notes travel with the inputs
    first = a.scenario_names[0]
    for (scen, key), note in a.notes.items():
        if scen == first and note and key in b.scenario(first) and key not in STANDALONE + ("cost_per_mau",):
            assert b.notes.get((first, key)) == note, key
    # twice round is a fixed point
    wb2 = tmp_path / "again.xlsx"
    save_atomic(build(template, b), wb2)
    assert _plan(load(_export(tmp_path, wb2))) == _plan(b)


@pytest.mark.parametrize("toml", EXAMPLES, ids=lambda p: p.stem)
def test_exported_plan_computes_what_the_workbook_does(tmp_path, toml):
    wb = tmp_path / "m.xlsx"
    save_atomic(build("model", load(toml)), wb)
    out = _export(tmp_path, wb)
    for name in load(toml).scenario_names:
        runs = [CliRunner().invoke(main, ["calc", "--json", str(p), "-s", name]) for p in (wb, out)]
        got = [json.loads(r.stdout)["outputs"] for r in runs]
        assert got[0] == got[1]


def test_an_edited_workbook_exports_the_edit(tmp_path):
    toml = ROOT / "examples" / "plan-2024.toml"
    wb = tmp_path / "m.xlsx"
    save_atomic(build("model", load(toml)), wb)
    book = openpyxl.load_workbook(wb)
    ws = book["Inputs"]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(row=r, column=2).value == "conversion")
    ws.cell(row=row, column=6).value = 0.123  # the second scenario's conversion
    book.save(wb)
    b = load(_export(tmp_path, wb))
    assert b.scenario(b.scenario_names[1])["conversion"] == 0.123
    assert b.scenario()["conversion"] == load(toml).scenario()["conversion"]


def test_export_never_overwrites_without_force(tmp_path):
    wb = tmp_path / "m.xlsx"
    save_atomic(build("model", load(EXAMPLES[0])), wb)
    out = tmp_path / "plan.toml"
    out.write_text("keep me")
    r = CliRunner().invoke(main, ["export", str(wb), "-o", str(out)])
    assert r.exit_code == 2 and "--force" in r.stderr and out.read_text() == "keep me"
    _export(tmp_path, wb, "--force")


def test_toml_writer_keeps_every_float():
    doc = {
        "model": {"name": 'a "quoted" name', "horizon": 12},
        "scenarios": {"base": {"cash": 0.1 + 0.2, "churn": {"low": 0.1, "high": 1 / 3, "dist": "uniform"}}},
    }
    import tomllib

    back = tomllib.loads(plan_toml(doc, {("base", "cash"): "a note\nover lines"}))
    assert back == doc


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_inputs())
def test_round_trip_on_random_plans(tmp_path_factory, kw):
    kw = {k: v for k, v in kw.items() if v is not None}
    horizon = kw.pop("horizon")
    scen = dict(kw)
    doc = {"model": {"horizon": horizon}, "scenarios": {"base": scen}}
    try:
        a = from_dict(doc)
        summary(a.scenario())
    except XlmodelError:  # a plan the engine refuses (a subnormal price): no workbook either
        assume(False)
    tmp = tmp_path_factory.mktemp("rt")
    wb = tmp / "m.xlsx"
    save_atomic(build("model", a), wb)
    back, _ = workbook_document(wb)
    b = from_dict(back)
    want, got = _plan(a)["scenarios"]["base"], _plan(b)["scenarios"]["base"]
    assert _close(got, want)


def _close(x, y) -> bool:
    """The same plan, numbers to 16 significant digits (what an .xlsx cell keeps: openpyxl writes %.16g)."""
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(_close(a, b) for a, b in zip(x, y))
    if isinstance(x, float) and isinstance(y, (int, float)):
        return x == y or abs(x - y) <= 1e-15 * max(abs(x), abs(y))
    return x == y


def _two_stock_plan(seed: int) -> dict:
    """A random plan with payers as their own stock in two scenarios: dated changes of the stock drivers (one a
    relative level, kept as text), annual plans, a round; the second scenario gives its own changes."""
    rng = np.random.default_rng(seed)
    base = load(ROOT / "examples" / "payers-2024.toml").scenario()
    keep = ("cash", "mau", "ad_spend", "cac", "organic_users", "churn", "conversion", "arppu", "cost_per_mau")
    s = {k: base[k] for k in keep}
    s.update(
        paying_churn=float(rng.uniform(0.03, 0.2)),
        upgrade=float(rng.uniform(0.001, 0.01)),
        annual_share=float(rng.uniform(0.1, 0.5)),
        annual_price=float(rng.uniform(200, 600)),
        annual_renewal=float(rng.uniform(0.2, 0.7)),
    )
    months = sorted(int(m) for m in rng.choice(np.arange(2, 24), size=3, replace=False))
    s["changes"] = [
        {"month": months[0], "upgrade": "x1.5", "paying_churn": float(rng.uniform(0.03, 0.2))},
        {"month": months[1], "annual_share": float(rng.uniform(0, 0.6))},
        {"month": months[2], "paying_churn": "-20%", "upgrade": float(rng.uniform(0.001, 0.01))},
    ]
    s["funding"] = [{"month": months[1], "amount": float(rng.uniform(1e8, 1e9))}]
    other = {
        "annual_share": 0.0,
        "changes": [
            {"month": months[0] + 1, "annual_share": "+10%", "upgrade": float(rng.uniform(0.001, 0.01))}
        ],
    }
    return {"model": {"horizon": 24, "start": "2025-01"}, "scenarios": {"base": s, "other": other}}


@pytest.mark.parametrize("seed", [11, 12])
def test_round_trip_of_a_random_two_stock_plan(tmp_path, seed):
    """Payers as their own stock: the five stock inputs and the dated changes of upgrade, paying_churn and
    annual_share (relative levels as their text) come back from the workbook, and calc on the workbook is calc on
    the plan to 1e-12, every output of every scenario."""
    doc = _two_stock_plan(seed)
    toml = tmp_path / "plan.toml"
    toml.write_text(plan_toml(doc))
    a = load(toml)
    wb = tmp_path / "m.xlsx"
    save_atomic(build("model", a), wb)
    b = load(_export(tmp_path, wb))
    assert _close(_plan(b), _plan(a))
    levels = {k: v for c in b.scenario("base")["changes"] for k, v in c.items() if isinstance(v, str)}
    assert levels == {"upgrade": "x1.5", "paying_churn": "-20%"}
    assert b.scenario("other")["changes"][1]["annual_share"] == "+10%"
    for name in a.scenario_names:
        want, got = (
            json.loads(CliRunner().invoke(main, ["calc", "--json", str(path), "-s", name]).stdout)["outputs"]
            for path in (toml, wb)
        )
        assert want.keys() == got.keys()
        for k, v in want.items():
            if isinstance(v, float) and isinstance(got[k], float):
                assert abs(v - got[k]) <= 1e-12 * max(abs(v), abs(got[k])), (name, k, v, got[k])
            else:
                assert got[k] == v, (name, k)
