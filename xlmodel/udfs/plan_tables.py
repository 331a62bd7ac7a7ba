"""LLM_PLAN's and LLM_SOLVE's tables as the assumptions document an assumptions file would be.

The inputs (name, value), the changes (month, driver, level), and one table per kind of dated entry of
:data:`xlmodel.decisions.ENTRY_KINDS`: funding (month, amount, credits, expires), team (role, department, count,
salary, from, to) and capex (month, amount, life, name). An entry table's columns are its kind's keys in that
order (the first ones; trailing keys may be left out), or are named by a header row in any order; an empty cell
leaves its key out. The document is then read by :func:`xlmodel.assumptions.from_dict`, the reader of every
file, so a table and a file give the same plan and the same messages. Months in any form a cell gives them
(:func:`xlmodel.dates.month_number`). Pure Python.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np

from ..dates import month_text
from ..decisions import ENTRY_KINDS
from ..errors import XlmodelError
from .cells import grid, is_empty, no_error
from .cohorts import retention_shares

__all__ = ["plan_tables", "ENTRY_TABLES"]

#: the tables of dated entries LLM_PLAN takes besides its changes table, and their columns
ENTRY_TABLES = {kind: ENTRY_KINDS[kind].keys for kind in ("funding", "team", "capex")}
#: the inputs table's names that are [model] settings, not scenario inputs
_MODEL_ROWS = ("horizon", "start", "fiscal_year_start")
#: an entry's cells that are text
_TEXT = ("role", "department", "name")


def _rows(name: str, table, width: int, header: tuple) -> list[tuple[int, list]]:
    """The non-empty rows of a table of ``width`` columns (an optional header row first), numbered from 1."""
    if table is None:
        return []
    rows = grid(name, table)
    if len(rows[0]) != width:
        raise XlmodelError(f"{name} must have {width} columns ({', '.join(header)}), got {len(rows[0])}")
    out = []
    for i, row in enumerate(rows, start=1):
        if all(is_empty(c) for c in row):
            continue
        if i == 1 and isinstance(row[0], str) and row[0].strip().lower() in header[:1] + ("name", "input"):
            continue  # a header row
        out.append((i, row))
    return out


def _cell(name: str, c):
    """A table cell as an assumptions file would hold it: a number, text (a calendar month, a relative level), or
    a date (a month: :func:`xlmodel.dates.month_number` reads it; ``start`` as its calendar month)."""
    no_error(name, c)
    if isinstance(c, bool):
        raise XlmodelError(f"{name} must be a number, got {'TRUE' if c else 'FALSE'}")
    if isinstance(c, (int, float, np.number)):
        return int(c) if float(c).is_integer() and -(2**53) < c < 2**53 else float(c)
    if isinstance(c, str):
        return c.strip()
    if isinstance(c, datetime.date):
        return month_text(c) if name == "start" else c
    raise XlmodelError(f"{name} must be a number or text, got {c!r:.40}")


def _entries(kind: str, table) -> list[dict[str, Any]]:
    """A table of dated entries of ``kind`` -> the entries an assumptions file's ``[[scenarios.NAME.kind]]``
    would hold (checked by the one reader of dated entries, :func:`xlmodel.decisions.read_decisions`)."""
    if table is None:
        return []
    keys = ENTRY_TABLES[kind]
    rows = grid(kind, table)
    head = [c.strip().lower() if isinstance(c, str) else c for c in rows[0]]
    named = all(is_empty(c) or c in keys for c in head) and not is_empty(head[0])
    if named:
        columns = [None if is_empty(c) else c for c in head]
        if len({c for c in columns if c}) != len([c for c in columns if c]):
            raise XlmodelError(f"{kind}: a column is named twice in the header row")
    elif len(rows[0]) > len(keys):
        raise XlmodelError(
            f"{kind} must have at most {len(keys)} columns ({', '.join(keys)}; the last ones may be left out), "
            f"got {len(rows[0])}"
        )
    else:
        columns = list(keys[: len(rows[0])])
    out = []
    for i, row in enumerate(rows[1:] if named else rows, start=2 if named else 1):
        if all(is_empty(c) for c in row):
            continue
        entry: dict[str, Any] = {}
        for key, c in zip(columns, row):
            if key is None or is_empty(c):
                continue
            if key in _TEXT and not isinstance(c, str):
                no_error(f"{kind} row {i}: {key}", c)
                raise XlmodelError(f"{kind} row {i}: {key} must be text, got {c!r:.40}")
            entry[key] = _cell(f"{kind} row {i}: {key}" if key in _TEXT else key, c)
        out.append(entry)
    return out


def plan_tables(inputs, changes, funding, retention=None, team=None, capex=None) -> dict:
    """LLM_PLAN's tables -> an assumptions document (one scenario, named "plan"); ``retention``: an optional
    row or column of the curve's shares (empty: the users churn at ``churn``)."""
    scen: dict[str, Any] = {}
    model: dict[str, Any] = {}
    for i, (name, value) in _rows("inputs", inputs, 2, ("name", "value")):
        no_error(f"inputs row {i}: the name", name)
        if not isinstance(name, str):
            raise XlmodelError(f"inputs row {i}: the name must be an input name (text), got {name!r:.40}")
        key = name.strip()
        if is_empty(value):
            continue  # an empty value: the input's default, or "not given"
        target = model if key in _MODEL_ROWS else scen
        if key in target:
            raise XlmodelError(f"inputs row {i}: {key} is given twice")
        target[key] = _cell(key, value)
    by_month: dict = {}
    for i, (month, driver, level) in _rows("changes", changes, 3, ("month", "driver", "level")):
        no_error(f"changes row {i}: the driver", driver)
        if not isinstance(driver, str) or is_empty(driver) or is_empty(month) or is_empty(level):
            raise XlmodelError(f"changes row {i}: give a month, a driver (text) and its level")
        entry = by_month.setdefault(_cell("month", month), {"month": _cell("month", month)})
        if driver.strip() in entry:
            raise XlmodelError(
                f"changes row {i}: {driver.strip()} is changed twice in month {entry['month']}"
            )
        entry[driver.strip()] = _cell(driver.strip(), level)
    if by_month:
        scen["changes"] = list(by_month.values())
    for kind, table in (("funding", funding), ("team", team), ("capex", capex)):
        entries = _entries(kind, table)
        if entries:
            scen[kind] = entries
    if retention is not None and not all(is_empty(c) for row in grid("retention", retention) for c in row):
        scen["retention"] = retention_shares(retention)
    return {"model": model, "scenarios": {"plan": scen}}
