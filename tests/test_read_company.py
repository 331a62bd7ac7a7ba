"""A workbook of the whole company (model version 4) read back as a plan (issues 24 and 26): its Team sheet, its
Capex and credits sheet and the whole company's inputs on Inputs. TOML -> workbook -> TOML gives the same plan
(every role, capex entry, round with its credits and expiry, and input), on examples/company-2024.toml and on
seeded random plans; calc on the workbook equals calc on the TOML; an edited team count and a LibreOffice save
are taken; a restructured table is refused in one line naming the workbook, the sheet and the cell."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import need_libreoffice
from xlmodel.assumptions import from_dict, load
from xlmodel.cli import main
from xlmodel.company import COMPANY_SCALARS, DEPARTMENTS
from xlmodel.engine import summary
from xlmodel.plan_toml import plan_toml
from xlmodel.workbook import build, save_atomic
from xlmodel.workbook.read_plan import read_workbook, workbook_document

ROOT = Path(__file__).resolve().parents[1]
COMPANY = ROOT / "examples" / "company-2024.toml"
#: the whole company's inputs whose absence means 0
ZERO = tuple(k for k in COMPANY_SCALARS if k != "credits_expire")


def _scenario(s: dict) -> dict:
    """One resolved scenario in a form to compare: rounds by month (cash summed, credits and expiry kept), capex
    that buys nothing left out, absent whole-company inputs as 0, the cached-price defaults made one."""
    s = dict(s)
    if s.get("cached_price") == s.get("input_price"):
        s.pop("cached_price", None)
    if not s.get("cached_share"):
        s.pop("cached_share", None)
    for k in ZERO:
        s[k] = float(s.get(k) or 0.0)
    rounds: dict = {}
    for r in s.pop("funding", ()):
        cash, credits = rounds.get(r["month"], (0.0, []))
        if r.get("credits") is not None:
            credits = credits + [(float(r["credits"]), r.get("expires"))]
        rounds[r["month"]] = (cash + float(r.get("amount", 0.0)), credits)
    s["funding"] = {m: (c, sorted(cr)) for m, (c, cr) in rounds.items() if c or any(x for x, _ in cr)}
    s["team"] = [
        {k: float(v) if k in ("count", "salary") else v for k, v in e.items()} for e in s.get("team", ())
    ]
    s["capex"] = sorted(
        (e["month"], e.get("name", ""), float(e["amount"]), e["life"])
        for e in s.get("capex", ())
        if e["amount"]
    )
    return s


def _plan(a) -> dict:
    return {
        "scenarios": {n: _scenario(a.scenario(n)) for n in a.scenario_names},
        "model": (a.name, a.currency, a.horizon, a.start, a.fiscal_year_start),
    }


def _save(tmp_path: Path, a, name: str = "m.xlsx") -> Path:
    path = tmp_path / name
    save_atomic(build("model", a), path)
    return path


def _outputs(a, name: str) -> dict:
    return summary(a.scenario(name))


def _same_outputs(want: dict, got: dict, rtol: float = 1e-12) -> None:
    assert want.keys() == got.keys()
    for k, v in want.items():
        w = got[k]
        if isinstance(v, float) and isinstance(w, float):
            assert v == w or abs(v - w) <= rtol * max(abs(v), abs(w)), (k, v, w)
        else:
            assert v == w, (k, v, w)


def _calc(path: Path, name: str) -> dict:
    r = CliRunner().invoke(main, ["calc", "--json", str(path), "-s", name])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["outputs"]


def test_the_company_example_round_trips(tmp_path):
    a = load(COMPANY)
    wb = _save(tmp_path, a)
    out = tmp_path / "back.toml"
    r = CliRunner().invoke(main, ["export", str(wb), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "[[scenarios.base.team]]" in text and "[[scenarios.base.capex]]" in text
    back = tomllib.loads(text)
    # the derived scenario names only what differs: its round (all cash, no credits), not the inherited team
    assert set(back["scenarios"]["all-cash"]) == {"funding"}
    assert back["scenarios"]["all-cash"]["funding"] == [{"month": 1, "amount": 5.76e9, "credits": 0.0}]
    assert back["scenarios"]["base"]["funding"][0]["credits"] == 4.32e9
    assert back["scenarios"]["base"]["funding"][0]["expires"] == 24
    b = load(out)
    assert _plan(b) == _plan(a)
    # twice round is a fixed point, and calc on the workbook and on each TOML agree on every output
    wb2 = _save(tmp_path, b, "again.xlsx")
    assert _plan(read_workbook(wb2)) == _plan(a)
    for name in a.scenario_names:
        want = _calc(COMPANY, name)
        _same_outputs(want, _calc(wb, name))
        _same_outputs(want, _calc(out, name))


def _random_plan(seed: int) -> dict:
    """A version-4 plan: a first scenario with a random team, capex, rounds with credits and whole-company
    inputs, and later scenarios that replace, remove and add roles, change capex and rounds, or clear a kind."""
    rng = random.Random(seed)
    uniform = rng.uniform
    rng.uniform = lambda lo, hi: round(uniform(lo, hi), 4)  # what a cell keeps (openpyxl writes %.16g)
    h = rng.randint(12, 30)
    start = rng.choice([None, "2024-03", "2025-07"])
    base = tomllib.loads(COMPANY.read_text())["scenarios"]["base"]
    s = {k: v for k, v in base.items() if k not in ("team", "capex", "funding", "changes") + COMPANY_SCALARS}
    s["cash"] = rng.uniform(5e8, 5e9)
    for k in COMPANY_SCALARS:
        if rng.random() < 0.6:
            s[k] = {
                "on_cost": rng.uniform(0, 0.5), "salary_growth": rng.uniform(0, 0.1),
                "credits": rng.choice([0.0, rng.uniform(1e6, 1e9)]), "credits_expire": rng.randint(1, h + 12),
                "compute_terms": rng.randint(0, 2), "ad_terms": rng.randint(0, 2),
                "collection_lag": rng.randint(0, 2), "tax_rate": rng.uniform(0, 0.3),
                "tax_losses": rng.uniform(0, 1e9),
            }[k]  # fmt: skip
    if not s.get("credits"):
        s.pop("credits_expire", None)  # (it needs opening credits)

    def role(i: int) -> dict:
        e = {
            "role": f"role {i}",
            "department": rng.choice(DEPARTMENTS),
            "count": rng.choice([rng.randint(1, 80), rng.randint(1, 40) + 0.5]),
            "salary": round(rng.uniform(5e3, 9e4), 2),
        }
        if rng.random() < 0.4:
            e["from"] = rng.randint(1, h)
        if rng.random() < 0.3:
            e["to"] = rng.randint(e.get("from", 1), h + 10)
        return e

    s["team"] = [role(i) for i in range(rng.randint(1, 5))]
    s["capex"] = [
        {"month": m, "amount": rng.uniform(1e6, 3e8), "life": rng.randint(1, 60), "name": f"kit {m}"}
        for m in sorted(rng.sample(range(1, h + 1), rng.randint(0, 3)))
    ]
    months = sorted(rng.sample(range(1, h + 1), rng.randint(1, 3)))
    s["funding"] = []
    for m in months:
        r = {"month": m, "amount": rng.uniform(1e8, 2e9)}
        if rng.random() < 0.6:
            r["credits"] = rng.uniform(1e7, 1e9)
            if rng.random() < 0.5:
                r["expires"] = rng.randint(1, 24)
        s["funding"].append(r)
    if start and rng.random() < 0.5:  # months as the calendar gives them
        y, mo = (int(x) for x in start.split("-"))
        s["team"][0]["from"] = f"{y + (mo - 1 + 2) // 12:04d}-{(mo - 1 + 2) % 12 + 1:02d}"
    scenarios = {"base": s}
    for j in range(rng.randint(1, 3)):
        d: dict = {}
        op = ("replace", "remove", "add", "clear", "capex", "rounds", "scalar")[
            (seed + 3 * j) % 7
        ]  # each kind by seed 6
        if op == "replace":
            d["team"] = [dict(s["team"][0], count=s["team"][0]["count"] + 3)]
        elif op == "remove":
            d["team"] = [{"role": s["team"][-1]["role"], "count": 0}]
        elif op == "add":
            d["team"] = [role(100 + j)]
        elif op == "clear":
            d["team"] = []
        elif op == "capex":
            d["capex"] = [{"month": 1, "amount": 5e6, "life": 12, "name": "new kit"}]
        elif op == "rounds":
            d["funding"] = [{"month": months[0], "amount": 0}]
            if len(months) > 1:
                d["funding"].append({"month": months[-1], "amount": 1e9, "credits": 2e8, "expires": 6})
        else:
            d["tax_rate"] = 0.2
            d["on_cost"] = 0
        scenarios[f"s{j}"] = d
    model = {"horizon": h, **({"start": start} if start else {})}
    return {"model": model, "scenarios": scenarios}


@pytest.mark.parametrize("seed", range(7))
def test_random_company_plans_round_trip(tmp_path, seed):
    a = from_dict(_random_plan(seed))
    wb = _save(tmp_path, a)
    doc, notes = workbook_document(wb, note=lambda text: pytest.fail(f"recalculated: {text}"))
    b = from_dict(tomllib.loads(plan_toml(doc, notes)))
    assert _plan(b) == _plan(a)
    for name in a.scenario_names:
        _same_outputs(_outputs(a, name), _outputs(b, name))


def _team_cell(wb, role: str, scenario_col: str = "E") -> openpyxl.cell.Cell:
    ws = wb["Team"]
    r = next(
        r
        for r in range(6, ws.max_row + 1)
        if ws.cell(row=r, column=1).value == role
        and ws.cell(row=r, column=8).value == f"='Inputs'!${scenario_col}$7"
    )
    return ws.cell(row=r, column=4)


def test_an_edited_team_count_is_taken(tmp_path):
    need_libreoffice()
    a = load(COMPANY)
    path = _save(tmp_path, a)
    wb = openpyxl.load_workbook(path)
    _team_cell(wb, "growth and marketing").value = 55
    wb.save(path)
    doc = tomllib.loads(COMPANY.read_text())
    for e in doc["scenarios"]["base"]["team"]:
        if e["role"] == "growth and marketing":
            e["count"] = 55
    want = from_dict(doc, str(COMPANY))
    notes: list = []
    got = read_workbook(path, note=notes.append)
    assert notes and "recalculated with LibreOffice" in notes[0]
    # the second scenario's row is its own (as generated: the first's count), so it keeps 40
    assert _plan(got)["scenarios"]["base"] == _plan(want)["scenarios"]["base"]
    for name in ("base",):
        _same_outputs(_outputs(want, name), _outputs(got, name))
    assert _outputs(got, "base")["ending_cash"] != _outputs(a, "base")["ending_cash"]


def test_a_libreoffice_save_keeps_the_plan(tmp_path):
    need_libreoffice()
    from xlmodel.workbook.libreoffice import recalculate

    a = load(COMPANY)
    (saved,) = recalculate([_save(tmp_path, a)], tmp_path / "saved")
    b = read_workbook(saved)
    assert _plan(b) == _plan(a)
    for name in a.scenario_names:
        _same_outputs(_outputs(a, name), _outputs(b, name))


def _refused(path: Path, *parts: str) -> None:
    r = CliRunner().invoke(main, ["calc", str(path)])
    assert r.exit_code == 2, r.output
    lines = [x for x in r.stderr.strip().splitlines() if not x.startswith("Note: ")]
    assert len(lines) == 1 and "Traceback" not in r.output, r.stderr
    for p in (str(path), *parts):
        assert p in lines[0], (p, lines[0])


def test_a_moved_team_header_is_refused(tmp_path):
    path = _save(tmp_path, load(COMPANY))
    wb = openpyxl.load_workbook(path)
    ws = wb["Team"]
    ws["D4"], ws["D5"] = ws["D5"].value, None
    wb.save(path)
    _refused(path, "Team!D5", "'Count'")


def test_a_deleted_table_name_is_refused(tmp_path):
    path = _save(tmp_path, load(COMPANY))
    wb = openpyxl.load_workbook(path)
    del wb.defined_names["capex_amount"]
    wb.save(path)
    _refused(path, "Capex and credits!D6", "capex_amount")


def test_text_in_a_team_count_names_its_cell(tmp_path):
    need_libreoffice()
    path = _save(tmp_path, load(COMPANY))
    wb = openpyxl.load_workbook(path)
    cell = _team_cell(wb, "product engineering")
    cell.value = "a hundred"
    wb.save(path)
    _refused(path, f"Team!D{cell.row}", "count", "'a hundred'")


def test_a_row_of_no_scenario_is_refused(tmp_path):
    need_libreoffice()
    path = _save(tmp_path, load(COMPANY))
    wb = openpyxl.load_workbook(path)
    cell = _team_cell(wb, "product engineering")
    wb["Team"].cell(row=cell.row, column=8).value = "nobody"
    wb.save(path)
    _refused(path, f"Team!H{cell.row}", "'nobody'")


def test_a_fraction_of_a_month_names_its_cell(tmp_path):
    """A grant's months to lapse are whole: 2.5 is refused at its cell, never cut to 2."""
    need_libreoffice()
    path = _save(tmp_path, load(COMPANY))
    wb = openpyxl.load_workbook(path)
    ws = wb["Capex and credits"]
    sheet, ref = next(iter(wb.defined_names["grant_expires"].destinations))
    cell = ws[ref.replace("$", "").split(":")[0]].offset(row=1)  # the first round's grant (row 1: opening)
    assert cell.value == 24
    cell.value = 2.5
    wb.save(path)
    _refused(path, f"Capex and credits!{cell.coordinate}", "expires", "whole number")
