"""Cached values: the engine's numbers written beside the live formulas of the named cells.

openpyxl saves formulas without results, so a previewer, a mail client or a
``data_only`` reader sees blank cells. Every named output, input and month
row of the live scenario gets the engine's value as the formula's cached
result (a spreadsheet still recalculates on opening: ``fullCalcOnLoad``), and
``xlmodel verify`` proves the formulas compute the same numbers.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

from openpyxl.utils.cell import range_boundaries
from openpyxl.utils import get_column_letter

from .. import engine
from .layout import NOT_GIVEN, OPTIONAL_INPUTS, PROJECTION_ROWS


def engine_values(builder) -> dict:
    """name -> value (number, text or a list along a row) for the live (first) scenario."""
    name, s = builder.scenarios[0]
    values: dict = {}
    for key in builder.input_rows:
        v = builder.scenario_value(s, key)
        if key in builder.a.mixes.get(name, {}) or (key in ("input_price", "cached_price", "output_price")
                                                      and name in builder.a.mixes):
            continue  # a link to the Model mix sheet: left to the spreadsheet
        values[key] = NOT_GIVEN if v is None and key in OPTIONAL_INPUTS else v
    if getattr(builder, "actuals", None) is not None:
        return values  # the actuals scenario's links and sheet: left to the spreadsheet
    out = engine.summary(dict(s, horizon=builder.n_months))
    for k, v in out.items():
        if v is not None:
            values[k] = "never" if isinstance(v, float) and math.isinf(v) else v
    if builder.t.has("projection", builder.a):
        p = engine.project(**dict(s, horizon=builder.n_months))
        for row in ("month",) + PROJECTION_ROWS:
            values[f"{row}_by_month"] = [float(x) for x in getattr(p, row)]
        values["ending_cash"] = float(p.cash[-1])
    return values


def cell_values(wb, values: dict) -> dict:
    """(sheet title, coordinate) -> value, for every defined name that has an engine value."""
    cells = {}
    for name, dn in wb.defined_names.items():
        if name not in values:
            continue
        dests = list(dn.destinations)
        if not dests:
            continue
        sheet, ref = dests[0]
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        coords = [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        v = values[name]
        seq = v if isinstance(v, list) else [v]
        if len(seq) != len(coords):
            continue
        for coord, x in zip(coords, seq):
            cells[(sheet, coord)] = x
    for ws in wb.worksheets:  # links such as the Cover's =runway_months show the same number
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, str) and v.startswith("=") and v[1:] in values \
                        and not isinstance(values[v[1:]], list):
                    cells[(ws.title, c.coordinate)] = values[v[1:]]
    return cells


_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)><f>(.*?)</f><v ?/></c>', re.S)


def add_cached_values(data: bytes, wb, cells: dict) -> bytes:
    """Rewrite the saved workbook's sheet XML with a cached value in each formula cell of ``cells``."""
    if not cells:
        return data
    by_sheet: dict = {}
    for (sheet, coord), v in cells.items():
        by_sheet.setdefault(sheet, {})[coord] = v
    files = {f"xl/worksheets/sheet{i + 1}.xml": by_sheet.get(ws.title, {}) for i, ws in enumerate(wb.worksheets)}
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info.filename)
            todo = files.get(info.filename)
            if todo:
                body = _CELL.sub(lambda m: _with_value(m, todo), body.decode("utf-8")).encode("utf-8")
            out.writestr(info, body)
    return buf.getvalue()


def _with_value(m, todo: dict) -> str:
    ref, attrs, formula = m.group(1), m.group(2), m.group(3)
    if ref not in todo:
        return m.group(0)
    v = todo[ref]
    attrs = re.sub(r' t="[^"]*"', "", attrs)
    if isinstance(v, bool):
        return f'<c r="{ref}"{attrs} t="b"><f>{formula}</f><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)) and math.isfinite(float(v)):
        return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{float(v)!r}</v></c>'
    if isinstance(v, str):
        text = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{ref}"{attrs} t="str"><f>{formula}</f><v>{text}</v></c>'
    return m.group(0)
