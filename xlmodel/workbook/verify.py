"""Recalculate workbooks in LibreOffice Calc and compare them with the engine.

openpyxl writes formulas without values, so reading back what we wrote proves
nothing. Here LibreOffice (:mod:`xlmodel.workbook.libreoffice`) recalculates
the workbook and saves a copy; we read the values back by defined name and
compare each with the engine's value for the inputs that the workbook itself
holds (:mod:`xlmodel.workbook.expected`), then report.
"""

from __future__ import annotations

import datetime
import math
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

from ..actuals import ACTUALS_COLUMNS, COUNT_COLUMNS, FITTED, MONEY_COLUMNS, PARTS_OF
from ..errors import XlmodelError
from .actuals_sheet import INPUT_ROW, SCENARIO
from .expected import expected_values
from .layout import UDF_OUTPUTS
from .libreoffice import recalculate

__all__ = [
    "verify_workbook",
    "compare",
    "read_names",
    "names_of",
    "recalculate",
    "close",
    "Report",
    "udf_cells",
    "data_problems",
    "link_problems",
]


# ------------------------------------------------------------------ reading


def _serial(v):
    """A date cell as the number a spreadsheet stores (openpyxl reads a date-formatted number as a datetime)."""
    if isinstance(v, datetime.datetime):
        return (v - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
    return v


def read_names(path: Path) -> tuple[dict, list]:
    """Values of every defined name (scalars, or flat lists for ranges) and the error cells."""
    return names_of(openpyxl.load_workbook(path, data_only=True))


def names_of(wb) -> tuple[dict, list]:
    """:func:`read_names` of a workbook already open (read with ``data_only=True``)."""
    values = {}
    for name, dn in wb.defined_names.items():
        dests = list(dn.destinations)
        if not dests:
            continue
        sheet, ref = dests[0]
        if sheet not in wb.sheetnames:  # a sheet deleted or renamed: the name has no value (verify says so)
            continue
        cells = wb[sheet][ref.replace("$", "")]
        if isinstance(cells, tuple):
            flat = [c for row in (cells if isinstance(cells[0], tuple) else (cells,)) for c in row]
            values[name] = [_serial(c.value) for c in flat]
        else:
            values[name] = _serial(cells.value)
    errors = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "e"
    ]
    return values, errors


def close(got, want, rtol: float, scale: float = 0.0) -> bool:
    """Same number to ``rtol`` relative (``never`` for infinity, a text such as n/a for None); a text exactly."""
    if isinstance(want, str):  # a label: the tornado's inputs, a histogram's bins, the scenario simulated
        return isinstance(got, str) and got == want
    if want is None:
        return isinstance(got, str) and got != "never"
    if isinstance(want, (bool, np.bool_)):  # a flag: TRUE or FALSE, exactly
        return isinstance(got, bool) and got == bool(want)
    if isinstance(want, float) and math.isinf(want):
        return got == "never"
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return abs(got - want) <= rtol * max(abs(want), abs(got), scale) or got == want


@dataclass
class Report:
    path: str
    compared: int = 0
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    checks_ok: object = None
    seconds_libreoffice: float = 0.0
    seconds_ours: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors and self.checks_ok is not False

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.compared} numbers compared with the engine"]
        out += [f"  MISMATCH {f}" for f in self.failures[:50]]
        out += [f"  ERROR CELL {sheet}!{ref} = {v}" for sheet, ref, v in self.errors[:20]]
        out += [f"  note: {n}" for n in self.notes]
        if self.checks_ok is not None:
            out.append(f"  master check (checks_ok): {'TRUE' if self.checks_ok is True else self.checks_ok}")
        out.append(f"  time: LibreOffice {self.seconds_libreoffice:.2f} s, xlmodel {self.seconds_ours:.2f} s")
        out.append("OK: every number agrees with the engine" if self.ok else "FAILED")
        return out


def _where(refs: dict, name: str, i: int) -> str:
    """The cell of item ``i`` (0-based, row by row) of a named range, as Sheet!A1 (empty when unknown)."""
    if name not in refs:
        return ""
    sheet, ref = refs[name]
    c1, r1, c2, _ = range_boundaries(ref.replace("$", ""))
    width = c2 - c1 + 1
    return f" ({sheet}!{get_column_letter(c1 + i % width)}{r1 + i // width})"


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def data_problems(values: dict, refs: dict | None = None) -> tuple[list[str], set]:
    """The data a workbook holds as typed cells (a retention triangle, monthly actuals), by the rules the CSV
    readers apply (:func:`xlmodel.actuals.read_cohorts`, :func:`xlmodel.actuals.read_actuals`): what is wrong,
    naming the cell, and the names whose numbers cannot be computed from them (left out of the comparison)."""
    refs = refs or {}
    out: list[str] = []
    drop: set = set()
    if "retention_triangle" in values and "cohort_names" in values:
        names = (
            values["cohort_names"] if isinstance(values["cohort_names"], list) else [values["cohort_names"]]
        )
        flat = (
            values["retention_triangle"]
            if isinstance(values["retention_triangle"], list)
            else [values["retention_triangle"]]
        )
        k = len(flat) // max(len(names), 1)
        for i, name in enumerate(names):
            row = flat[i * k : (i + 1) * k]
            given = [j for j, x in enumerate(row) if x is not None and x != ""]
            if not given:
                out.append(
                    f"retention_triangle{_where(refs, 'retention_triangle', i * k)}: cohort {name} has "
                    "no retention shares (month 1 is empty)"
                )
            for j, x in enumerate(row[: given[-1] + 1] if given else []):
                cell = f"retention_triangle{_where(refs, 'retention_triangle', i * k + j)}: cohort {name} month {j + 1}"
                if x is None or x == "":
                    out.append(f"{cell}: is empty inside the curve (only the right edge may be empty)")
                elif not _is_number(x):
                    out.append(f"{cell}: must be a number, got {x!r}")
                elif not 0 < x <= 1:
                    out.append(f"{cell}: a retention share must be above 0 and at most 1, got {x!r}")
        sizes = values.get("cohort_size")
        for i, x in enumerate(sizes if isinstance(sizes, list) else [] if sizes is None else [sizes]):
            if not (_is_number(x) and x > 0):
                out.append(
                    f"cohort_size[{i + 1}]{_where(refs, 'cohort_size', i)}: must be a positive number "
                    f"(the cohort's sign-ups), got {x!r}"
                )
        if out:
            drop.add("retention_triangle")
    if "fit_window" in values:
        months = values.get("actual_months")
        months = months if isinstance(months, list) else [months]
        before = len(out)
        for c in ACTUALS_COLUMNS[1:]:
            key = f"actual_{c}_by_month"
            column = values.get(key)  # the named row's values: a list, one value or None
            for i, x in enumerate(column if isinstance(column, list) else [column]):
                at = f"{key}[{i + 1}]{_where(refs, key, i)}" + (
                    f", month {months[i]}" if i < len(months) else ""
                )
                if not _is_number(x):
                    out.append(f"{at}: {c} must be a finite number, got {x!r}")
                elif c in COUNT_COLUMNS + MONEY_COLUMNS and x < 0:
                    out.append(f"{at}: {c} must be 0 or more, got {x!r}")
        for part, whole in PARTS_OF:
            a, b = values.get(f"actual_{part}_by_month"), values.get(f"actual_{whole}_by_month")
            for i, (x, y) in enumerate(zip(*(v if isinstance(v, list) else [v] for v in (a, b)))):
                if _is_number(x) and _is_number(y) and x > y:
                    key = f"actual_{part}_by_month"
                    out.append(
                        f"{key}[{i + 1}]{_where(refs, key, i)}: {part} ({x:g}) cannot exceed {whole} ({y:g})"
                    )
        if len(out) > before:
            drop.add("fit_window")
    return out, drop


def link_problems(wb) -> list[str]:
    """The actuals scenario's inputs on Inputs must stay links to the fitted drivers on the Actuals sheet: a
    typed number there no longer follows the data (a workbook with actuals; ``wb`` read with its formulas)."""
    names = wb.defined_names
    if "fit_window" not in names or "scenario_names" not in names:
        return []

    def cells(name):
        sheet, ref = next(iter(names[name].destinations))
        got = wb[sheet][ref.replace("$", "")]
        return sheet, [
            c
            for row in (got if isinstance(got, tuple) else ((got,),))
            for c in (row if isinstance(row, tuple) else (row,))
        ]

    heads = cells("scenario_names")[1]
    col = next((c.column for c in heads if c.value == SCENARIO), None)
    if col is None:
        return [
            f"scenario_names: no scenario named {SCENARIO!r} on Inputs (the scenario of the fitted drivers)"
        ]
    norm = lambda f: re.sub(r"[\s$']", "", str(f)).upper()
    out = []
    for k in FITTED:
        key = INPUT_ROW.get(k, k)
        if key not in names or f"fitted_{k}" not in names:
            continue
        sheet, (anchor,) = cells(key)
        cell = wb[sheet].cell(row=anchor.row, column=col)
        target, (fitted,) = cells(f"fitted_{k}")
        link = f"='{target}'!${fitted.column_letter}${fitted.row}"
        if norm(cell.value) not in (norm(link), norm(f"=fitted_{k}")):
            out.append(
                f"{sheet}!{cell.coordinate}: the {SCENARIO} scenario's {key} must link to fitted_{k} "
                f"({link}), got {cell.value!r}"
            )
    return out


def compare(
    values: dict,
    errors: list,
    rtol: float = 1e-9,
    path: str = "",
    udf_cells: set | None = None,
    refs: dict | None = None,
) -> Report:
    """Compare recalculated named values with the engine (``refs``: name -> (sheet, range), to name cells)."""
    rep = Report(path)
    udf_cells = udf_cells or set()
    udf = bool(udf_cells)
    rep.failures, drop = data_problems(values, refs)
    for name in sorted(drop):
        what = "the retention triangle" if name == "retention_triangle" else "the actuals"
        rep.notes.append(f"the numbers computed from {what} were not compared: the data are not valid")
    exp, scale = expected_values({k: v for k, v in values.items() if k not in drop})
    for name, want in exp.items():
        key = f"{name}_native" if udf and f"{name}_native" in values else name
        if key not in values:
            continue
        got = values[key]
        if isinstance(want, list):  # a row of per-scenario values, None where undefined ("no mix")
            if not isinstance(got, list) or len(got) != len(want):
                rep.failures.append(f"{key}: expected {len(want)} cells, got {got!r:.80}")
                continue
            for i, (g, w) in enumerate(zip(got, want)):
                rep.compared += 1
                want_i = w if w is None or isinstance(w, (bool, str)) else float(w)
                if not close(g, want_i, rtol, scale.get(name, 0.0)):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
            continue
        if isinstance(want, np.ndarray):
            # nan: a cell that must stay empty (a cohort's months before its sign-up on the Waterfall sheet)
            given = want[~np.isnan(want)] if want.dtype.kind == "f" else want
            row_scale = max(scale.get(name, 0.0), float(np.abs(given).max()) if given.size else 0.0)
            if not isinstance(got, list) or len(got) != want.size:
                rep.failures.append(f"{key}: expected {want.size} cells, got {got!r:.80}")
                continue
            for i, (g, w) in enumerate(zip(got, want.ravel().tolist())):
                rep.compared += 1
                if isinstance(w, float) and math.isnan(w):
                    if g is not None:
                        rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, expected an empty cell")
                    continue
                # a row's cells are compared against the row's magnitude (a cash balance crossing 0)
                if not close(g, w, rtol, row_scale * 1e-3):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
        else:
            rep.compared += 1
            want = (
                None
                if want is None
                else (
                    bool(want)
                    if isinstance(want, (bool, np.bool_))
                    else want
                    if isinstance(want, str)
                    else float(want)
                )
            )
            if not close(got, want, rtol, scale.get(name, 0.0)):
                rep.failures.append(f"{key}: workbook {got!r}, engine {want!r}")
    rep.errors = [e for e in errors if (e[0], e[1]) not in udf_cells]
    if udf:
        rep.notes.append(
            f"{len(udf_cells)} cells depend on =LLM_* functions, which need Excel with the xlwings "
            "add-in (or xlwings Lite); LibreOffice cannot run them, so their native twins were compared "
            f"(Excel functions: {values.get('excel_functions_status', 'n/a')})"
        )
    # the master check holds in a udf workbook too: its functions' checks wait outside it until they are set up
    rep.checks_ok = values.get("checks_ok")
    if rep.checks_ok is not True:
        rep.failures.append(f"checks_ok: the master check is {rep.checks_ok!r}, not TRUE")
    return rep


def udf_cells(path: Path) -> set:
    """Cells that call =LLM_* or read one that does: LibreOffice cannot evaluate them."""
    wb = openpyxl.load_workbook(path)
    formulas = {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and isinstance(c.value, str)
    }
    names = [n for n in UDF_OUTPUTS if f"{n}_native" in wb.defined_names]
    if not names:
        return set()
    # a name on its own (ltv, not ltv_native or ltv_to_cac): a link to a function's cell
    reads = re.compile(rf"(?<![A-Za-z_])({'|'.join(names)})(?![A-Za-z_])")
    return {k for k, f in formulas.items() if "LLM_" in f or reads.search(f)}


#: what verify reads at most (docs/limits.md, "Workbook size"). A 1,200-month model workbook unpacks to ~8 MiB of
#: XML with one scenario, ~12 MiB with ten, ~21 MiB with thirty (each with a change and a round); verify peaks
#: at ~0.5 GiB in Python (openpyxl holds every cell as an object) and as much in LibreOffice on 21 MiB. 24 MiB
#: covers those and keeps a hostile or mistaken file (a sheet inflating to hundreds of MB) from taking gigabytes;
#: ``xlmodel new`` refuses to write a workbook beyond it (xlmodel.workbook.save_atomic), so that every workbook
#: it writes verifies.
MAX_FILE_BYTES = 20 * 2**20
MAX_XML_BYTES = 24 * 2**20
MAX_RATIO = 200


def _check_size(src: Path, what: str = "verify") -> None:
    """Refuse, from the zip directory alone, a workbook too large to load: before anything reads it whole."""
    import zipfile

    size = src.stat().st_size
    if size > MAX_FILE_BYTES:
        raise XlmodelError(
            f"{src}: is {size / 2**20:,.0f} MiB; {what} reads workbooks up to "
            f"{MAX_FILE_BYTES // 2**20} MiB (an xlmodel workbook is a few MiB)"
        )
    try:
        with zipfile.ZipFile(src) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise XlmodelError(f"{src}: not a workbook (not an .xlsx zip: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XML_BYTES:
        raise XlmodelError(
            f"{src}: unpacks to {total / 2**20:,.0f} MiB of XML; {what} reads up to "
            f"{MAX_XML_BYTES // 2**20} MiB (an xlmodel workbook unpacks to a few MiB)"
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 10 * 2**20:
            raise XlmodelError(
                f"{src}: part {i.filename} inflates {i.file_size / i.compress_size:,.0f}-fold to "
                f"{i.file_size / 2**20:,.0f} MiB; refused as a zip bomb"
            )


def _broken(src: Path, e: Exception, wb=None) -> XlmodelError:
    """One line for a workbook a part of which is gone: the missing defined name or sheet when that is it."""
    if isinstance(e, KeyError) and e.args and isinstance(e.args[0], str) and wb is not None:
        name = e.args[0]
        if name not in wb.defined_names:
            return XlmodelError(
                f"{src}: cannot be verified: the defined name {name!r} is missing (deleted from the "
                "workbook's names): generate the workbook again"
            )
        for sheet, _ in wb.defined_names[name].destinations:
            if sheet not in wb.sheetnames:
                return XlmodelError(
                    f"{src}: cannot be verified: sheet {sheet!r} (where the defined name {name!r} points) "
                    "is missing: generate the workbook again"
                )
        return XlmodelError(
            f"{src}: cannot be verified: the defined name {name!r} no longer points at a cell "
            "(its sheet or cells deleted): generate the workbook again"
        )
    if (
        wb is not None
    ):  # a deleted sheet, whatever the error it caused: the sheet and a name that pointed at it
        for name, dn in wb.defined_names.items():
            for sheet, _ in dn.destinations:
                if sheet not in wb.sheetnames:
                    return XlmodelError(
                        f"{src}: cannot be verified: sheet {sheet!r} (where the defined name {name!r} points) "
                        "is missing: generate the workbook again"
                    )
    return XlmodelError(
        f"{src}: cannot be verified: a part xlmodel wrote is missing or changed ({type(e).__name__}: {e})"
    )


def _check_switch(src: Path, values: dict, refs: dict) -> None:
    """The live scenario must be one of the scenario names of the header row: else one line naming the cell
    and the valid names (an edited switch or a renamed header), not the error value it spreads."""
    names = values.get("scenario_names")
    names = names if isinstance(names, list) else [names]
    live = values.get("scenario")
    if "scenario" not in refs or live in names:
        return
    sheet, ref = refs["scenario"]
    where = f"{sheet}!{ref.replace('$', '')}"
    hsheet, href = refs.get("scenario_names", (sheet, "?"))
    shown = ", ".join(str(n) for n in names if n not in (None, ""))
    raise XlmodelError(
        f"{src}: the live scenario in {where} (the scenario switch) is {live!r}, which is not a name in the "
        f"scenario header row {hsheet}!{href.replace('$', '')} ({shown}): pick one of those, or put back "
        "a renamed header"
    )


def verify_workbook(path, scenario: str | None = None, rtol: float = 1e-9) -> Report:
    """Recalculate ``path`` in LibreOffice and compare every named number with the engine."""
    t0 = time.perf_counter()
    src = Path(path)
    if not src.is_file():
        raise XlmodelError(f"{src}: is not a regular file")
    _check_size(src)
    if src.suffix.lower() not in (".xlsx",):
        raise XlmodelError(
            f"{src}: verify reads .xlsx workbooks only (a macro-enabled .xlsm or any other "
            "format is refused, so that nothing in it can run)"
        )
    try:
        wb = openpyxl.load_workbook(src)
    except Exception as e:
        raise XlmodelError(f"{src}: not a workbook openpyxl can read ({type(e).__name__}: {e})") from None
    if "scenario" not in wb.defined_names:
        raise XlmodelError(f"{src}: not an xlmodel workbook (it has no defined name 'scenario')")
    skip = udf_cells(src)
    refs = {}
    for name, dn in wb.defined_names.items():
        dests = list(dn.destinations)
        if dests:
            refs[name] = dests[0]
    with tempfile.TemporaryDirectory(prefix="xlmodel-verify-") as tmp:
        work = Path(tmp) / "in" / src.name
        work.parent.mkdir()
        if scenario is not None:
            names = [v for v in read_names(src)[0].get("scenario_names", [])]
            if scenario not in names:
                raise XlmodelError(
                    f"{src}: no scenario named {scenario!r} (have {', '.join(map(str, names))})"
                )
            sheet, ref = next(iter(wb.defined_names["scenario"].destinations))
            cell = wb[sheet][ref.replace("$", "")]
            cell.value = scenario
            cell.data_type = "s"  # a name such as =1+1 is text, never a formula
            wb.save(work)
        else:
            shutil.copyfile(src, work)
        t1 = time.perf_counter()
        (out,) = recalculate([work], Path(tmp) / "out")
        t2 = time.perf_counter()
        try:  # a chart whose sheet was deleted comes back empty, and openpyxl cannot read it
            values, errors = read_names(out)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise _broken(src, e, wb) from None
    _check_switch(src, values, refs)
    try:
        rep = compare(values, errors, rtol, str(src), skip, refs)
        rep.failures[:0] = link_problems(wb)
    except (KeyError, IndexError, TypeError, ValueError) as e:  # a sheet or name deleted, a cell retyped
        raise _broken(src, e, wb) from None
    t3 = time.perf_counter()
    rep.seconds_libreoffice = t2 - t1
    rep.seconds_ours = (t1 - t0) + (t3 - t2)
    return rep
