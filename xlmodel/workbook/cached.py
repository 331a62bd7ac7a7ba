"""Cached values: the engine's numbers written beside the live formulas of the named cells.

openpyxl saves formulas without results, so a previewer, a mail client or a
``data_only`` reader sees blank cells. Every named output, input and month
row of the live scenario gets the engine's value as the formula's cached
result (a spreadsheet still recalculates on opening: ``fullCalcOnLoad``), and
``xlmodel verify`` proves the formulas compute the same numbers.
"""

from __future__ import annotations

import datetime
import functools
import io
import math
import re
import zipfile

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from ..params import CHANGE_DRIVERS
from . import styles as S
from .changes_sheet import resolved_levels
from .cohorts_sheet import PLAN_MAU
from .expected import cohorts_expected, expected_values
from .expected_company import table_values
from .layout import NOT_GIVEN, OPTIONAL_INPUTS, UDF_OUTPUTS
from .waterfall_sheet import CURVE_OUTPUTS


def _constants(wb) -> dict:
    """Named cells holding plain values (constants, grid axes, data): what verify reads besides the inputs."""
    out = {}
    for name, dn in wb.defined_names.items():
        dests = list(dn.destinations)
        if not dests or dests[0][0] not in wb.sheetnames:
            continue
        sheet, ref = dests[0]
        cells = wb[sheet][ref.replace("$", "")]
        flat = (
            [c for row in cells for c in row]
            if isinstance(cells, tuple) and isinstance(cells[0], tuple)
            else (list(cells) if isinstance(cells, tuple) else [cells])
        )
        vals = [_serial(c.value) for c in flat]
        if any(isinstance(v, str) and v.startswith("=") for v in vals):
            continue
        out[name] = vals if isinstance(cells, tuple) else vals[0]
    return out


def _serial(v):
    """A date (an input such as plan_start) as the number a spreadsheet stores."""
    import datetime

    if isinstance(v, datetime.datetime):
        v = v.date()
    if isinstance(v, datetime.date):
        return float((v - datetime.date(1899, 12, 30)).days)
    return v


def _excel(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if v is None:
        return None
    if isinstance(v, float) and math.isinf(v):
        return "never"
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def scenario_expected(builder, i: int = 0) -> tuple[dict, dict]:
    """(values, expected): the workbook's inputs of scenario ``i`` as its named cells would hold them when it is
    live, and what ``xlmodel verify`` expects every named output and row to be then."""
    _, s = builder.scenarios[i]
    wb = builder.wb
    values: dict = dict(_constants(wb))
    if "plan_start_by_scenario" in wb.defined_names:  # the live scenario's own start month
        values["plan_start"] = values["plan_start_by_scenario"][i]
    values["scenario_index"] = float(i + 1)  # the live scenario's column (the cohorts' plan MAU pick by it)
    for key in builder.input_rows:
        v = builder.scenario_value(s, key)
        values[key] = NOT_GIVEN if v is None and key in OPTIONAL_INPUTS else v
    if "retention" in wb.defined_names:  # the live curve cells: the scenario's shares, empty past them
        curve = [float(x) for x in s.get("retention") or ()]
        values["retention"] = curve + [""] * (builder.curve_months_max - len(curve))
        if (
            curve and curve[0] < 1 and "activation" in values
        ):  # a curve measured on sign-ups: r_1 is the activation
            values["activation"] = curve[0]
    if "curve_months" in wb.defined_names:
        values["curve_months"] = 0.0  # tells expected_values the workbook has the Waterfall sheet
    if "blended_cac" in wb.defined_names:
        values["blended_cac"] = 0.0  # tells expected_values the workbook has the unit economics
    if "annual_year" in wb.defined_names:
        values.setdefault("annual_year", [])  # tells expected_values the workbook has the Annual sheet
    if "migration_npv_grid" in wb.defined_names:
        values["migration_npv_grid"] = []  # tells expected_values the workbook has the sensitivity grid
    for key in wb.defined_names:  # the Cover's dates of the plan's answers
        if key.endswith("_date"):
            values[key] = ""
        elif key.startswith("cover_") and key.endswith(
            ("_by_year", "_by_month")
        ):  # its years, its run-out bar
            c1, _, c2, _ = range_boundaries(
                next(iter(wb.defined_names[key].destinations))[1].replace("$", "")
            )
            values[key] = [0.0] * (c2 - c1 + 1)
    for row_name in (
        "month_by_month",
        "migration_month_by_month",
        "month_end_by_month",
        "fiscal_year_by_month",
    ):
        if row_name in wb.defined_names:
            sheet, ref = next(iter(wb.defined_names[row_name].destinations))
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            values[row_name] = [0.0] * (c2 - c1 + 1)
    if "team_scenario" in wb.defined_names:  # the whole company's tables (version 4)
        values.update(table_values(builder, i))
        values["scenario"] = builder.scenarios[i][0]  # a table's rows are the live scenario's by its name
    if "funding_rounds_by_month" in wb.defined_names:  # the Changes sheet's live rows: the scenario's block
        levels = builder._levels(s)
        if any(
            isinstance(v, str) for v in levels.values()
        ):  # relative levels: the live rows show them resolved
            levels.update(resolved_levels(s))
        n = builder.n_months
        for d in CHANGE_DRIVERS:
            values[f"change_{d}_by_month"] = [levels.get((t, d), "") for t in range(1, n + 1)]
        values["funding_rounds_by_month"] = [levels.get((t, "funding"), 0.0) for t in range(1, n + 1)]
    if "mix_shares" in values:  # the Model mix sheet's fx row links each scenario's fx
        values["mix_fx"] = [float(sc.get("fx", 1.0)) for _, sc in builder.scenarios]
    exp, _ = expected_values(values)
    if "retention_triangle" in values:  # cohort LTV on the unit economics just computed
        exp.update(
            cohorts_expected(
                dict(values, revenue_per_mau=exp.get("revenue_per_mau"), gross_margin=exp.get("gross_margin"))
            )
        )
    return values, exp


def engine_values(builder) -> dict:
    """name -> value (number, text or a list along a row): the engine's numbers for the live (first) scenario.

    The same computation ``xlmodel verify`` compares a recalculated workbook with, fed the workbook's own
    inputs, plus the projection's flag rows and the checks (all pass for a workbook built from a valid file).
    """
    name, s = builder.scenarios[0]
    values, exp = scenario_expected(builder, 0)
    out = {
        k: v
        for k, v in values.items()
        if k in builder.input_rows
        or k.startswith(
            ("change_", "team_", "capex_", "grant_")
        )  # (the tables' columns: their scenario links)
        or k in ("funding_rounds_by_month", "retention")
    }

    def one(x):  # a flag stays TRUE/FALSE, a number a float; None (n/a) stays None
        return _excel(x if x is None or isinstance(x, (bool, np.bool_, str)) else float(x))

    for k, v in exp.items():
        if isinstance(v, np.ndarray):
            v = [one(x) for x in v.ravel()]
        elif isinstance(v, list):
            v = [one(x) for x in v]
        else:
            v = one(v)
        if v is None and k in _NA_OUTPUTS:
            v = "n/a"  # what the cell shows
        elif v is None and k.endswith("_date"):
            v = "-"  # the Cover's date of an answer that is never or n/a
        if v is not None:
            out[k] = v
    if "migration_net_by_month" in exp:  # the migration timeline's other rows
        t = np.asarray(exp["migration_month_by_month"])
        within = t <= float(s["months"])
        loss = np.where(within, float(s["monthly_revenue"]) * float(s["revenue_loss"]), 0.0)
        out["migration_quality_loss_by_month"] = [float(x) for x in loss]
        out["migration_savings_by_month"] = [
            float(x) for x in np.asarray(exp["migration_net_by_month"]) + loss
        ]
        back = np.logical_or.accumulate((np.asarray(exp["migration_cumulative_npv_by_month"]) >= 0) & within)
        out["migration_paid_back_by_month"] = [bool(x) for x in back]
        first = back & ~np.concatenate([[False], back[:-1]])
        out["migration_payback_step_by_month"] = [float(x) for x in np.where(first, t, 0.0)]
    if "fit_window" in values:  # the Actuals sheet's helper rows for the fitted churn and window
        mau = np.asarray(values["actual_mau_by_month"], dtype=float)
        new = np.asarray(values["actual_new_users_by_month"], dtype=float)
        prev = np.concatenate([[0.0], mau[:-1]])
        lost = np.concatenate([[0.0], mau[:-1] + new[1:] - mau[1:]])
        n = len(mau)
        out["actual_lost_users_by_month"] = [float(x) for x in lost]
        out["actual_previous_mau_by_month"] = [float(x) for x in prev]
        out["actual_in_window_by_month"] = [
            1.0 if t >= n - int(values["fit_window"]) else 0.0 for t in range(n)
        ]
        out["actual_month_number"] = [float(t + 1) for t in range(n)]
    for k in UDF_OUTPUTS:  # the udf variant's native twins
        if k in out:
            out[f"{k}_native"] = out[k]
    out.update(_horizon_burn(exp, values))
    out["scenario"] = name
    out["scenario_index"] = 1.0
    out["checks_ok"] = True
    return out


def _horizon_burn(exp: dict, values: dict) -> dict:
    """The Projection's honest-horizon helpers (docs/model.md): the months averaged and the recurring burn."""
    if "cash_by_month" not in exp or "last_quarter_months" not in values:
        return {}
    cash = np.asarray(exp["cash_by_month"], dtype=float)
    h = len(cash)
    k = min(int(values["last_quarter_months"]), h)
    before = float(cash[h - k - 1]) if h > k else float(values["cash"])
    rounds = float(np.sum(exp["funding_by_month"][h - k :]))
    one_off = float(np.sum(exp.get("migration_one_off_by_month", np.zeros(h))[h - k :]))
    capex = float(np.sum(exp.get("capex_by_month", np.zeros(h))[h - k :]))  # the whole company's
    return {
        "horizon_tail_months": float(k),
        "horizon_tail_opening": before,
        "horizon_tail_rounds": rounds - one_off - capex,
        "horizon_burn": (before - float(cash[-1]) + (rounds - one_off - capex)) / k,
    }


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
            if x is None and (name.startswith(("cohort_", "actual_")) or name in _NA_OUTPUTS):
                x = "n/a"  # what those rows show where a driver is undefined
            if x is not None:
                cells[(sheet, coord)] = x
    # every formula cell, gathered once (ws._cells holds only the cells that exist)
    formulas = [
        (ws.title, c.coordinate, c.column, c.value)
        for ws in wb.worksheets
        for c in ws._cells.values()
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    for sheet, coord, col, v in formulas:
        key = (sheet, coord)
        m = _LITERAL.match(v)
        if m:  # a text constant as a formula (="n/a")
            cells.setdefault(key, m.group(1))
        elif v == '="Live scenario: "&scenario':
            cells.setdefault(key, "Live scenario: " + str(values["scenario"]))
        elif sheet == "Checks" and "udf" not in v.lower() and col != 5:  # every check of a valid file passes
            cells.setdefault(key, True)
        elif sheet == "Scenarios":  # as generated: current, the first scenario picked, agreeing
            picked = _PICKED.match(v)
            if picked:
                x = wb[sheet][picked.group(1) or picked.group(2)].value
                if x is not None:
                    cells.setdefault(key, _serial(x))  # a date as the number a spreadsheet stores
            elif (yes_no := _YES_NO.match(v)) and isinstance(values.get(yes_no.group(1)), bool):
                cells.setdefault(key, S.YES if values[yes_no.group(1)] else S.NO)  # the live flag
            elif v.startswith("=IF(scenarios_fresh"):
                cells.setdefault(key, "Figures current: every scenario's inputs are as generated")
            elif v.startswith(("=SUMPRODUCT(", "=AND(", "=TRUE()", "=IFERROR(IF(")):
                cells.setdefault(key, True)
        elif (month := _ACTUAL_MONTH_END.match(v)) and isinstance(
            wb["Actuals"][f"{month.group(1)}4"].value, str
        ):
            yy, mm = (int(x) for x in wb["Actuals"][f"{month.group(1)}4"].value.split("-"))  # "2024-03"
            end = datetime.date(yy + mm // 12, mm % 12 + 1, 1) - datetime.timedelta(days=1)
            cells.setdefault(key, _serial(end))  # Plan vs actual's header: the actual month's last day
        elif sheet == "Inputs" and col == 4 and (picked := _PICKED.match(v)):
            x = wb[sheet][
                picked.group(1) or picked.group(2)
            ].value  # the live column, as generated: the first scenario's input
            if x is not None and not (isinstance(x, str) and x.startswith("=")):
                cells.setdefault(key, _serial(x))
        elif sheet == "Changes" and col == 4:  # each row of changes keeps its rule
            cells.setdefault(key, True)
        elif v in ("=FALSE()", "=TRUE()"):  # month 0 of a flag row; a row with nothing to check
            cells.setdefault(key, v == "=TRUE()")
        elif v.startswith("=ISNUMBER(") and v[10:-1] in values:  # month 0 of a flag row: is an input given
            x = values[v[10:-1]]
            cells.setdefault(key, isinstance(x, (int, float)) and not isinstance(x, bool))
        elif v.startswith('=IF(scenarios_fresh,"CURRENT'):  # the Sensitivity grid's status, as generated
            cells.setdefault(key, "CURRENT: the inputs are as generated")
        elif v.startswith('=IF(checks_ok,"OK"'):
            cells.setdefault(key, "OK")
        elif (yes_no := _YES_NO.match(v)) and isinstance(values.get(yes_no.group(1)), bool):
            cells.setdefault(key, S.YES if values[yes_no.group(1)] else S.NO)
        elif v.startswith("=-") and isinstance(values.get(v[2:]), (int, float)):
            cells.setdefault(key, -values[v[2:]])  # month 0: =-migration_cost
        elif sheet == "Risk" and col == 9 and v.startswith("=IF(AND("):
            cells.setdefault(key, S.YES)  # the inputs simulated are still those on Inputs
        if v[1:] in values and not isinstance(
            values[v[1:]], list
        ):  # a link such as the Cover's =runway_months
            cells[key] = values[v[1:]]
    for sheet, coord, _, v in formulas:  # a link to a named cell of another sheet: the Cover's statuses
        target = wb.defined_names.get(v[1:]) if _NAME.match(v) else None
        if target is not None and (sheet, coord) not in cells:
            dest = next(iter(target.destinations), None)
            if dest and ":" not in dest[1] and (dest[0], dest[1].replace("$", "")) in cells:
                cells[(sheet, coord)] = cells[(dest[0], dest[1].replace("$", ""))]
    for sheet, coord, _, v in formulas:  # links to another cell (the actuals scenario's fitted drivers)
        m = _LINK.match(v)
        local = None if m else _LOCAL_LINK.match(v)
        if m:
            target = (m.group(1), m.group(2) + m.group(3))
        elif local:
            target = (sheet, local.group(1) + local.group(2))
        else:
            continue
        if target in cells:
            cells.setdefault((sheet, coord), cells[target])
        elif target[0] in wb.sheetnames:
            x = wb[target[0]][target[1]].value
            if isinstance(x, (int, float)) and not isinstance(x, bool):  # a plain input value
                cells.setdefault((sheet, coord), x)
    for key, value_of in getattr(wb, "_xlmodel_cached_later", ()):  # cells a sheet derives from these values
        x = value_of(values)
        if x is not None:
            cells[key] = _serial(x)
    return cells


#: plan answers a workbook shows as the text n/a where the engine leaves them undefined
_NA_OUTPUTS = (
    (
        "burn_multiple",
        "compute_to_revenue",
        "plan_migration_npv",
        "plan_migration_payback_month",
        "runway_after_horizon",
    )
    + tuple(name for name, *_ in CURVE_OUTPUTS)
    + tuple(  # the live curve's numbers: n/a while the live scenario has no curve
        f"cohort_mau_{key}" for key, *_ in PLAN_MAU
    )
)  # the plan's MAU with a curve that cannot drive it
_LITERAL = re.compile(r'^="([^"]*)"$')
_ACTUAL_MONTH_END = re.compile(r"""^=EOMONTH\(DATEVALUE\('Actuals'!([A-Z]+)\$4&"-01"\),0\)$""")
#: the live scenario's cell of a row of scenario columns (:func:`~xlmodel.workbook.layout.live_pick`)
_PICKED = re.compile(
    r"^=(?:INDEX\(([A-Z]+[0-9]+):[A-Z]+[0-9]+,1,scenario_index\)|IF\(scenario_index=1,([A-Z]+[0-9]+),NA\(\)\))$"
)
_NAME = re.compile(r"^=[a-z_][a-z0-9_]*$")
_YES_NO = re.compile(rf'^=IF\(([a-z_]+),"{S.YES}","{S.NO}"\)$')
_LINK = re.compile(r"^='?([^'!]+)'?!\$?([A-Z]+)\$?([0-9]+)$")
_LOCAL_LINK = re.compile(r"^=\$?([A-Z]+)\$?([0-9]+)$")
_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*)><f>(.*?)</f><v ?/></c>', re.S)


#: print titles of rows and columns together: openpyxl writes the union bare ('S'!$3:$4,'S'!$A:$A), which
#: Gnumeric reads as an error; in parentheses, LibreOffice, Excel and Gnumeric all read the same two ranges
_TITLES = re.compile(r'(<definedName name="_xlnm\.Print_Titles"[^>]*>)([^<(][^<]*,[^<]*)(</definedName>)')


def print_titles_in_parentheses(xml: str) -> str:
    """The workbook part with each print-titles union written in parentheses."""
    return _TITLES.sub(lambda m: f"{m.group(1)}({m.group(2)}){m.group(3)}", xml)


def add_cached_values(data: bytes, wb, cells: dict) -> bytes:
    """Rewrite the saved workbook's sheet XML with a cached value in each formula cell of ``cells``."""
    by_sheet: dict = {}
    for (sheet, coord), v in cells.items():
        by_sheet.setdefault(sheet, {})[coord] = v
    files = {
        f"xl/worksheets/sheet{i + 1}.xml": by_sheet.get(ws.title, {}) for i, ws in enumerate(wb.worksheets)
    }
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            body = src.read(info.filename)
            todo = files.get(info.filename)
            if info.filename == "xl/workbook.xml":
                body = print_titles_in_parentheses(body.decode("utf-8")).encode("utf-8")
            if todo:
                body = _CELL.sub(functools.partial(_with_value, todo=todo), body.decode("utf-8")).encode(
                    "utf-8"
                )
            part = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(part, body, compresslevel=1)
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
