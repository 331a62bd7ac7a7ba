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

from ..errors import XlmodelError
from .expected import expected_values
from .layout import UDF_OUTPUTS
from .libreoffice import recalculate

__all__ = ["verify_workbook", "compare", "read_names", "recalculate", "close", "Report", "udf_cells"]


# ------------------------------------------------------------------ reading


def _serial(v):
    """A date cell as the number a spreadsheet stores (openpyxl reads a date-formatted number as a datetime)."""
    if isinstance(v, datetime.datetime):
        return (v - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
    return v


def read_names(path: Path) -> tuple[dict, list]:
    """Values of every defined name (scalars, or flat lists for ranges) and the error cells."""
    wb = openpyxl.load_workbook(path, data_only=True)
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
    errors = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
              if c.data_type == "e"]
    return values, errors


def close(got, want, rtol: float, scale: float = 0.0) -> bool:
    """Same number to ``rtol`` relative (``never`` for infinity, a text such as n/a for None)."""
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


def compare(values: dict, errors: list, rtol: float = 1e-9, path: str = "", udf_cells: set | None = None) -> Report:
    """Compare recalculated named values with the engine."""
    rep = Report(path)
    udf_cells = udf_cells or set()
    udf = bool(udf_cells)
    exp, scale = expected_values(values)
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
                if not close(g, w if w is None or isinstance(w, bool) else float(w), rtol):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
            continue
        if isinstance(want, np.ndarray):
            row_scale = max(scale.get(name, 0.0), float(np.abs(want).max()) if want.size else 0.0)
            if not isinstance(got, list) or len(got) != want.size:
                rep.failures.append(f"{key}: expected {want.size} cells, got {got!r:.80}")
                continue
            for i, (g, w) in enumerate(zip(got, want.ravel().tolist())):
                rep.compared += 1
                # a row's cells are compared against the row's magnitude (a cash balance crossing 0)
                if not close(g, w, rtol, row_scale * 1e-3):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
        else:
            rep.compared += 1
            want = None if want is None else (bool(want) if isinstance(want, (bool, np.bool_)) else float(want))
            if not close(got, want, rtol, scale.get(name, 0.0)):
                rep.failures.append(f"{key}: workbook {got!r}, engine {want!r}")
    rep.errors = [e for e in errors if (e[0], e[1]) not in udf_cells]
    if udf:
        rep.notes.append(f"{len(udf_cells)} cells depend on =LLM_* functions, which need Excel with the xlwings "
                         "add-in (or xlwings Lite); LibreOffice cannot run them, so their native twins were compared "
                         f"(Excel functions: {values.get('excel_functions_status', 'n/a')})")
    # the master check holds in a udf workbook too: its functions' checks wait outside it until they are set up
    rep.checks_ok = values.get("checks_ok")
    if rep.checks_ok is not True:
        rep.failures.append(f"checks_ok: the master check is {rep.checks_ok!r}, not TRUE")
    return rep


def udf_cells(path: Path) -> set:
    """Cells that call =LLM_* or read one that does: LibreOffice cannot evaluate them."""
    wb = openpyxl.load_workbook(path)
    formulas = {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f" and isinstance(c.value, str)}
    names = [n for n in UDF_OUTPUTS if f"{n}_native" in wb.defined_names]
    if not names:
        return set()
    # a name on its own (ltv, not ltv_native or ltv_to_cac): a link to a function's cell
    reads = re.compile(rf"(?<![A-Za-z_])({'|'.join(names)})(?![A-Za-z_])")
    return {k for k, f in formulas.items() if "LLM_" in f or reads.search(f)}


#: what verify reads at most: the largest xlmodel workbook (1,200 months) unpacks to ~2 MiB of XML and verify peaks
#: at ~250 MiB on it (openpyxl holds every cell as an object); 8 MiB keeps verify under 1 GiB and
#: a hostile or mistaken file (a sheet inflating to hundreds of MB) from taking gigabytes of memory
MAX_FILE_BYTES = 20 * 2**20
MAX_XML_BYTES = 8 * 2**20
MAX_RATIO = 200


def _check_size(src: Path) -> None:
    """Refuse, from the zip directory alone, a workbook too large to load: before anything reads it whole."""
    import zipfile

    size = src.stat().st_size
    if size > MAX_FILE_BYTES:
        raise XlmodelError(f"{src}: is {size / 2**20:,.0f} MiB; verify reads workbooks up to "
                           f"{MAX_FILE_BYTES // 2**20} MiB (an xlmodel workbook is a few MiB)")
    try:
        with zipfile.ZipFile(src) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise XlmodelError(f"{src}: not a workbook (not an .xlsx zip: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XML_BYTES:
        raise XlmodelError(f"{src}: unpacks to {total / 2**20:,.0f} MiB of XML; verify reads up to "
                           f"{MAX_XML_BYTES // 2**20} MiB (an xlmodel workbook unpacks to a few MiB)")
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 10 * 2**20:
            raise XlmodelError(f"{src}: part {i.filename} inflates {i.file_size / i.compress_size:,.0f}-fold to "
                               f"{i.file_size / 2**20:,.0f} MiB; refused as a zip bomb")


def _broken(src: Path, e: Exception) -> XlmodelError:
    return XlmodelError(f"{src}: cannot be verified: a part xlmodel wrote is missing or changed "
                        f"({type(e).__name__}: {e})")


def verify_workbook(path, scenario: str | None = None, rtol: float = 1e-9) -> Report:
    """Recalculate ``path`` in LibreOffice and compare every named number with the engine."""
    t0 = time.perf_counter()
    src = Path(path)
    if not src.is_file():
        raise XlmodelError(f"{src}: is not a regular file")
    _check_size(src)
    if src.suffix.lower() not in (".xlsx",):
        raise XlmodelError(f"{src}: verify reads .xlsx workbooks only (a macro-enabled .xlsm or any other "
                           "format is refused, so that nothing in it can run)")
    try:
        wb = openpyxl.load_workbook(src)
    except Exception as e:  # noqa: BLE001 - any unreadable file is bad input
        raise XlmodelError(f"{src}: not a workbook openpyxl can read ({type(e).__name__}: {e})") from None
    if "scenario" not in wb.defined_names:
        raise XlmodelError(f"{src}: not an xlmodel workbook (it has no defined name 'scenario')")
    skip = udf_cells(src)
    with tempfile.TemporaryDirectory(prefix="xlmodel-verify-") as tmp:
        work = Path(tmp) / "in" / src.name
        work.parent.mkdir()
        if scenario is not None:
            names = [v for v in read_names(src)[0].get("scenario_names", [])]
            if scenario not in names:
                raise XlmodelError(f"{src}: no scenario named {scenario!r} (have {', '.join(map(str, names))})")
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
            raise _broken(src, e) from None
    try:
        rep = compare(values, errors, rtol, str(src), skip)
    except (KeyError, IndexError, TypeError, ValueError) as e:  # a sheet or name deleted, a cell retyped
        raise _broken(src, e) from None
    t3 = time.perf_counter()
    rep.seconds_libreoffice = t2 - t1
    rep.seconds_ours = (t1 - t0) + (t3 - t2)
    return rep
