"""A workbook of a single scenario in Gnumeric: every template that has scenario columns, recalculated by
``ssconvert --recalc``, agrees with the engine and shows no error cell.

Gnumeric gives #REF! for ``INDEX`` on a one-cell range (``INDEX(E9:E9,1,scenario_index)``, which Excel and
LibreOffice take), so the live column of a one-scenario workbook picks its cell without INDEX
(:func:`xlmodel.workbook.layout.live_pick`): ``IF(scenario_index=1,E9,NA())`` (not CHOOSE, whose
empty cell is 0 in Gnumeric: an optional input left empty would not read as "not given").
"""

from __future__ import annotations

import tomllib

import pytest

from xlmodel.actuals import read_cohorts
from xlmodel.assumptions import from_dict
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.layout import live_pick
from xlmodel.workbook.verify import compare, read_names

from .conftest import ROOT, need_gnumeric

EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"
SAAS = ROOT / "examples" / "saas-copilot.toml"
COMPANY = ROOT / "examples" / "company-2024.toml"
COHORTS = ROOT / "examples" / "cohorts-2024.csv"


def _one(path):
    """The plan of ``path`` with its first scenario only (no correlations: they name the others' ranges)."""
    doc = tomllib.loads(path.read_text())
    first = next(iter(doc["scenarios"]))
    doc["scenarios"] = {first: doc["scenarios"][first]}
    return from_dict(doc, str(path))


def _books():
    a, saas, company = _one(EXAMPLE), _one(SAAS), _one(COMPANY)
    books = [(t, build(t, a)) for t in ("unit-economics", "runway", "model", "risk")]
    books.append(("migration", build("migration", saas)))
    books.append(("cohorts", build("cohorts", a, cohorts=read_cohorts(COHORTS))))
    books += [(f"{t}-company", build(t, company)) for t in ("model", "runway")]
    return books


CASES = [cid for cid, _ in _books()]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    need_gnumeric()
    tmp = tmp_path_factory.mktemp("one")
    paths = []
    for cid, wb in _books():
        p = tmp / f"{cid}.xlsx"
        p.write_bytes(to_bytes(wb))
        paths.append(p)
    return dict(zip(CASES, recalculate_gnumeric(paths, tmp / "gn")))


@pytest.mark.parametrize("cid", CASES)
def test_a_single_scenario_recalculates_in_gnumeric(recalculated, cid):
    values, errors = read_names(recalculated[cid])
    assert not errors, errors[:10]
    rep = compare(values, errors, 1e-9, f"{cid} in Gnumeric")
    assert rep.ok, "\n".join(rep.lines())
    assert rep.compared >= 10


def test_the_live_pick_of_one_scenario_is_no_index():
    assert live_pick("E", "E", 9) == "IF(scenario_index=1,E9,NA())"
    assert live_pick("E", "G", 9) == "INDEX(E9:G9,1,scenario_index)"
    wb = build("model", _one(EXAMPLE))
    ws = wb["Inputs"]
    picks = [c.value for row in ws.iter_rows(min_col=4, max_col=4) for c in row if isinstance(c.value, str)]
    assert any("IF(scenario_index=1,E" in v for v in picks)
    assert not any("INDEX(E" in v and ",1,scenario_index)" in v for v in picks)
