"""From data: retention triangles (with cohort sizes) and their average curve, and drivers fitted from monthly
actuals.

``cohort_ltv`` and ``cohort_churn`` live with the retention curves (:mod:`xlmodel.retention`) and are
importable from here as before.

Definitions: docs/model.md, "Cohorts and actuals". Cohort LTV discounts with
the engine's own monthly rate and its oracle is the engine's ``ltv``; the fit
produces a scenario that the engine projects onward from the last actual
month. Pure Python and numpy (the CSV readers use the standard library), no
work at import time: usable in xlwings Lite.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError, XlmodelError
from .plan import plan
from .retention import _late_ratio, _retention, active_curve, cohort_churn, cohort_ltv  # noqa: F401 (re-exported)
from .retention import average_curve as _chained_average
from .text import clean_text

__all__ = [
    "cohort_ltv",
    "cohort_churn",
    "read_actuals",
    "fit_actuals",
    "read_cohorts",
    "Actuals",
    "Fit",
    "ActualsError",
    "ACTUALS_COLUMNS",
    "DRIVERS",
    "average_curve",
    "Cohort",
    "weighted",
    "against_plan",
]

#: the columns of an actuals file, in docs/model.md's order
ACTUALS_COLUMNS = (
    "month",
    "ad_spend",
    "new_users",
    "paid_new_users",
    "mau",
    "paying_users",
    "revenue",
    "compute_cost",
    "fixed_costs",
    "cash",
)
#: the columns that are counts of users and money other than cash: 0 or more (the CSV reader and verify)
COUNT_COLUMNS = ("new_users", "paid_new_users", "mau", "paying_users")
MONEY_COLUMNS = ("ad_spend", "revenue", "compute_cost", "fixed_costs")
#: counts that are part of another: each at most its whole, every month (the CSV reader and verify)
PARTS_OF = (("paid_new_users", "new_users"), ("paying_users", "mau"))
#: the drivers of each month, in table order
DRIVERS = (
    "cac",
    "paid_share",
    "churn",
    "conversion",
    "arppu",
    "cost_per_mau",
    "net_burn",
    "unexplained_cash",
)
#: the fitted scenario's inputs, in table order
FITTED = (
    "cash",
    "mau",
    "ad_spend",
    "cac",
    "paid_share",
    "churn",
    "conversion",
    "arppu",
    "cost_per_mau",
    "fixed_costs",
)
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")  # ASCII digits only: a full-width ２０２４ is not a year
MAX_BYTES = 20 * 2**20
#: the most a cohorts file may hold: what a cohorts workbook can lay out and ``xlmodel verify`` reads (8 MiB of
#: XML; 100,000 shares make ~6.6 MiB), and 100 years of monthly cohorts
MAX_COHORTS = 1_200
MAX_COHORT_MONTHS = 1_200
MAX_COHORT_SHARES = 100_000


class ActualsError(XlmodelError):
    """A data file that cannot be used: names the file, the row and the column."""

    def __init__(self, path: object, message: str, row: int | None = None, column: str | None = None):
        where = str(path)
        if row is not None:
            where += f": row {row}"
        if column is not None:
            where += f": {column}"
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column, self.message = path, row, column, message


# ------------------------------------------------------------------ cohorts


@dataclass
class Cohort:
    """One signup cohort of a retention triangle: its month, its shares of months 1, 2, ... and its sign-ups
    (``size``, when the file has a ``size`` column)."""

    name: str
    retention: list[float]
    size: float | None = None


def read_cohorts(path: str | os.PathLike[str]) -> list[Cohort]:
    """A retention triangle CSV: one row per signup cohort, ``cohort, month 1 share, month 2 share, ...``.

    A header row (a first cell that is neither a YYYY-MM month nor begins
    with a digit, such as ``cohort``) is skipped; a first cell that begins
    with a digit is a cohort label and must be a month (``2024-3`` is an
    error, not a header). A header cell ``size`` (any case, in any column
    after the cohort's, most naturally the second) names each cohort's
    sign-ups: a positive number on every row, the weight of the cohort in
    the average curve. A ragged right edge (trailing empty cells) is
    normal. At most :data:`MAX_COHORTS` cohorts, :data:`MAX_COHORT_MONTHS`
    months a cohort and :data:`MAX_COHORT_SHARES` shares in all: what a
    cohorts workbook lays out and ``xlmodel verify`` reads.
    """
    rows = _csv_rows(path)
    out: list[Cohort] = []
    seen: set[str] = set()
    shares = 0
    size_col = None
    for n, (i, row) in enumerate(rows):
        name = row[0].strip()
        if n == 0 and not _MONTH.match(name) and not name[:1].isdigit():
            sized = [j for j, h in enumerate(row) if j > 0 and h.strip().casefold() == "size"]
            if len(sized) > 1:
                raise ActualsError(path, "the column appears twice in the header", i, "size")
            size_col = sized[0] if sized else None
            continue  # header
        if not _MONTH.match(name):
            raise ActualsError(path, f"the cohort must be a month YYYY-MM, got {name!r}", i, "cohort")
        if name in seen:
            raise ActualsError(path, f"cohort {name} appears twice", i, "cohort")
        if len(out) == MAX_COHORTS:
            raise ActualsError(
                path,
                f"more than {MAX_COHORTS:,} cohorts; xlmodel reads at most {MAX_COHORTS:,} "
                "(100 years of monthly cohorts)",
                i,
                "cohort",
            )
        seen.add(name)
        size = None
        if size_col is not None:
            size = _cohort_size(path, i, row[size_col] if size_col < len(row) else "")
            row = row[:size_col] + row[size_col + 1 :]
        cells = [c.strip() for c in row[1:]]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > MAX_COHORT_MONTHS:
            raise ActualsError(
                path,
                f"{len(cells):,} months of retention; a cohort holds at most "
                f"{MAX_COHORT_MONTHS:,} months (100 years)",
                i,
                f"month {MAX_COHORT_MONTHS + 1}",
            )
        shares += len(cells)
        if shares > MAX_COHORT_SHARES:
            raise ActualsError(
                path,
                f"more than {MAX_COHORT_SHARES:,} retention shares in all; xlmodel reads at "
                f"most {MAX_COHORT_SHARES:,} (what a cohorts workbook holds and xlmodel verify "
                "reads)",
                i,
            )
        values = []
        for j, c in enumerate(cells, start=1):
            if not c:
                raise ActualsError(
                    path,
                    "an empty share inside the curve (only the right edge may be empty)",
                    i,
                    f"month {j}",
                )
            try:
                v = float(c)
            except ValueError:
                raise ActualsError(path, f"must be a number, got {c!r}", i, f"month {j}") from None
            if not (math.isfinite(v) and 0 < v <= 1):
                raise ActualsError(
                    path, f"a retention share must be above 0 and at most 1, got {c}", i, f"month {j}"
                )
            values.append(v)
        if not values:
            raise ActualsError(path, "has no retention shares", i, "month 1")
        out.append(Cohort(name, values, size))
    if not out:
        raise ActualsError(path, "has no cohort rows")
    # every weighted sum is below it (with a size column, every cohort has its size)
    if size_col is not None and not math.isfinite(sum(c.size for c in out if c.size is not None)):
        raise ActualsError(
            path,
            "the cohorts' sizes add up to more than floating point holds: numbers this large "
            "are beyond what the model can compute",
            column="size",
        )
    return out


def _cohort_size(path: str | os.PathLike[str], line: int, cell: str) -> float:
    """A cohort's sign-ups from its ``size`` cell: a positive finite number."""
    text = cell.strip().replace("_", "")
    if not text:
        raise ActualsError(
            path, "is empty: the header has a size column, so every cohort needs its sign-ups", line, "size"
        )
    try:
        v = float(text)
    except ValueError:
        sep = " without thousands separators" if "," in text else ""
        raise ActualsError(
            path, f"must be a number{sep} (the cohort's sign-ups), got {cell.strip()!r}", line, "size"
        ) from None
    if not (math.isfinite(v) and v > 0):
        raise ActualsError(
            path,
            f"must be a positive finite number (the cohort's sign-ups), got {cell.strip()}",
            line,
            "size",
        )
    return v


def weighted(cohorts: list[Cohort]) -> bool:
    """Whether the average curve of ``cohorts`` is weighted by size: every cohort has one."""
    return bool(cohorts) and all(c.size is not None for c in cohorts)


def average_curve(cohorts: list[Cohort]) -> list[float]:
    """The average curve of a triangle's cohorts, chained over the ages (docs/model.md, "The cohorts file's average
    curve"): weighted by each cohort's size when every cohort has one (:func:`weighted`), else each weighs 1.

    ``rbar_1`` is the (weighted) mean of month 1; ``rbar_a = rbar_(a-1) * sum w r_a / sum w r_(a-1)`` over the
    cohorts observed at age a (:func:`xlmodel.retention.average_curve`), so it never rises while each cohort
    decays.
    """
    sizes = [c.size for c in cohorts if c.size is not None] if weighted(cohorts) else None  # (weighted: all)
    return [float(x) for x in _chained_average([c.retention for c in cohorts], sizes)]


def against_plan(cohorts: list[Cohort], scenario: dict[str, Any]) -> dict[str, Any]:
    """The observed against the assumed: the cohorts' average curve beside a scenario's ``churn``, and the MAU
    the scenario's plan reaches with each.

    The plan is computed twice by the engine (:func:`xlmodel.plan.plan`): the scenario as it is, and the
    scenario with ``retention`` = the cohorts' :func:`average_curve` (its ``churn`` and any
    ``retention_scale`` left out, so the users already there decay at the curve's late churn ``1 - q``; an
    ``activation`` below 1 left out too when the curve is measured on sign-ups, which holds the activation).

    Returns ``{"observed_churn", "assumed_churn", "weighted", "months", "mau_assumed", "mau_curve",
    "notes"}``: the MAU at month 12 (when the horizon reaches it) and at the horizon's end; ``mau_curve`` is
    None with a note when the curve cannot drive a plan (one month, or it does not decay).
    """
    curve = average_curve(cohorts)
    s = dict(scenario)
    h = int(s.get("horizon", 60))
    months = sorted({min(12, h), h})
    notes: list[str] = []
    assumed = plan(**s).projection.mau
    out: dict[str, Any] = {
        "observed_churn": float(cohort_churn(curve)) if len(curve) > 1 else None,
        "assumed_churn": None if s.get("churn") is None else float(s["churn"]),
        "weighted": weighted(cohorts),
        "months": months,
        "mau_assumed": [float(assumed[t - 1]) for t in months],
        "mau_curve": None,
        "notes": notes,
    }
    with_curve = {k: v for k, v in s.items() if k not in ("churn", "retention", "retention_scale")}
    with_curve["retention"] = curve
    if curve[0] < 1 and with_curve.get("activation", 1.0) < 1:
        notes.append(
            f"the curve is measured on sign-ups (month 1 {curve[0]:.4g} is the activation): the "
            f"scenario's activation {with_curve.pop('activation'):.4g} is left out with it"
        )
    try:
        mau = plan(**with_curve).projection.mau
    except InputError as e:
        if e.argument != "retention":
            raise
        notes.append(f"the average curve cannot drive the plan: {e}")
        return out
    out["mau_curve"] = [float(mau[t - 1]) for t in months]
    return out


# ------------------------------------------------------------------ actuals


def _csv_rows(path: str | os.PathLike[str]) -> list[tuple[int, list[str]]]:
    p = Path(path)
    try:
        if not p.is_file():
            raise ActualsError(path, "no such file" if not p.exists() else "is not a regular file")
        if p.stat().st_size > MAX_BYTES:
            raise ActualsError(path, f"is larger than {MAX_BYTES // 2**20} MiB")
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActualsError(path, "is not UTF-8 text") from None
    except OSError as e:
        raise ActualsError(path, f"cannot be read ({e.strerror})") from None
    if not text.strip():
        raise ActualsError(path, "is empty")
    lines = text.splitlines()
    if "\x00" in text:  # a NUL byte is no text a CSV cell holds (a UTF-16 file read as UTF-8 is full of them)
        i = next(i for i, line in enumerate(lines, start=1) if "\x00" in line)
        column = lines[i - 1].index("\x00") + 1
        raise ActualsError(
            path,
            f"holds a NUL byte (\\x00) at character {column} of the line: a CSV is UTF-8 text "
            "(save it as UTF-8, not UTF-16)",
            i,
        )
    try:
        rows = list(csv.reader(lines))
    except csv.Error as e:
        raise ActualsError(path, f"is not valid CSV: {e}") from None
    # (line number, cells), without blank lines and comment lines (first cell starting with #)
    out = [
        (i, r)
        for i, r in enumerate(rows, start=1)
        if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")
    ]
    if not out:
        raise ActualsError(path, "has no rows (only comments or blank lines)")
    return out


@dataclass
class Actuals:
    """Monthly actuals: ``months`` (YYYY-MM) and one float array per column."""

    months: list[str]
    columns: dict[str, np.ndarray]
    source: str = "<table>"
    ignored: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # each month's line in the file (errors name it), if read

    def __len__(self) -> int:
        return len(self.months)


def next_month(m: str) -> str:
    """The calendar month after ``m`` (``"YYYY-MM"``)."""
    y, mo = int(m[:4]), int(m[5:])
    return f"{y + (mo == 12):04d}-{mo % 12 + 1:02d}"


def read_actuals(path: str | os.PathLike[str]) -> Actuals:
    """Read an actuals CSV: a header row with docs/model.md's columns, one row per month in order.

    Extra columns are ignored (listed in ``ignored``). Every problem is an
    :class:`ActualsError` naming the file, the row and the column.
    """
    rows = _csv_rows(path)
    head_line, cells = rows[0]
    header = [h.strip() for h in cells]
    while header and not header[-1]:  # trailing empty header cells (a spreadsheet's export) name no column
        header.pop()
    missing = [c for c in ACTUALS_COLUMNS if c not in header]
    if missing:
        raise ActualsError(
            path,
            f"missing column {missing[0]} (the header needs: {', '.join(ACTUALS_COLUMNS)})",
            head_line,
            missing[0],
        )
    dup = [c for c in ACTUALS_COLUMNS if header.count(c) > 1]
    if dup:
        raise ActualsError(path, "the column appears twice in the header", head_line, dup[0])
    pos = {c: header.index(c) for c in ACTUALS_COLUMNS}
    data = rows[1:]
    if len(data) < 2:
        raise ActualsError(
            path,
            f"needs at least two months of data (churn compares a month with the one before), "
            f"got {len(data)}",
        )
    months: list[str] = []
    seen: set[str] = set()
    lines: list[int] = []
    cols: dict[str, list[float]] = {c: [] for c in ACTUALS_COLUMNS[1:]}
    for i, r in data:
        if len(r) != len(header) and (len(r) < len(header) or any(c.strip() for c in r[len(header) :])):
            hint = (
                " (a thousands separator, as in 7,430,555,205, splits a number into cells: write 7430555205)"
                if len(r) > len(header)
                else ""
            )
            raise ActualsError(path, f"has {len(r)} cells, the header has {len(header)}{hint}", i)
        m = r[pos["month"]].strip()
        if not _MONTH.match(m):
            raise ActualsError(path, f"must be a month YYYY-MM, got {m!r}", i, "month")
        if months:
            if m in seen:
                raise ActualsError(path, f"month {m} appears twice", i, "month")
            if m < months[-1]:
                raise ActualsError(path, f"month {m} is out of order (after {months[-1]})", i, "month")
            if m != next_month(months[-1]):
                raise ActualsError(
                    path, f"months must be consecutive: {months[-1]} is followed by {m}", i, "month"
                )
        months.append(m)
        seen.add(m)
        lines.append(i)
        for c in cols:
            text = r[pos[c]].strip().replace("_", "")
            try:
                v = float(text)
            except ValueError:
                sep = " without thousands separators" if "," in text else ""
                raise ActualsError(path, f"must be a number{sep}, got {r[pos[c]].strip()!r}", i, c) from None
            if not math.isfinite(v):
                raise ActualsError(path, f"must be a finite number, got {text}", i, c)
            if c in COUNT_COLUMNS + MONEY_COLUMNS and v < 0:
                raise ActualsError(path, f"must be 0 or more, got {text}", i, c)
            cols[c].append(v)
        for part, whole in PARTS_OF:
            if cols[part][-1] > cols[whole][-1]:
                raise ActualsError(
                    path, f"{part} ({cols[part][-1]:g}) cannot exceed {whole} ({cols[whole][-1]:g})", i, part
                )
    ignored = [clean_text(h) for h in header if h and h not in ACTUALS_COLUMNS]
    return Actuals(months, {c: np.asarray(v) for c, v in cols.items()}, str(path), ignored, lines)


def _ratio(num: float, den: float) -> float | None:
    """num / den, or None when the denominator is 0 (the driver is undefined, n/a)."""
    num, den = float(num), float(den)
    return None if den == 0 else num / den


@dataclass
class Fit:
    """What :func:`fit_actuals` found: the drivers of each month, the fitted scenario, unexplained cash."""

    months: list[str]
    drivers_by_month: list[dict[str, Any]]
    fitted: dict[str, Any]
    unexplained_cash: list[dict[str, Any]]
    window: list[str]
    source: str = "<table>"

    def as_dict(self) -> dict[str, Any]:
        return {
            "drivers_by_month": self.drivers_by_month,
            "fitted": self.fitted,
            "unexplained_cash": self.unexplained_cash,
            "window": self.window,
        }


def fit_actuals(table: Actuals, window: int = 3) -> Fit:
    """Drivers of each month and a scenario fitted over the last ``window`` months (docs/model.md).

    Each fitted ratio driver is the ratio of the sums over the window
    (``cac = sum(ad_spend) / sum(paid_new_users)``, ``churn = sum(mau_{t-1} +
    new_t - mau_t) / sum(mau_{t-1})``, ...); ``fixed_costs`` is the mean;
    ``cash``, ``mau`` and ``ad_spend`` are the last month's, so the fitted
    scenario's projection continues from the last actual month. A driver whose
    denominator is 0 (no paying users: no ARPPU) is ``None`` (n/a).
    """
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise InputError("window", f"window must be a whole number of months, 1 or more, got {window!r}")
    n = len(table)
    if window > n:
        raise InputError("window", f"window must be at most the {n} months of actuals, got {window}")
    c = table.columns
    ad, new, paid, mau = c["ad_spend"], c["new_users"], c["paid_new_users"], c["mau"]
    paying, rev, comp, fixed, cash = (
        c["paying_users"],
        c["revenue"],
        c["compute_cost"],
        c["fixed_costs"],
        c["cash"],
    )
    with np.errstate(all="ignore"):  # an overflow is an error naming the month and its inputs (below)
        burn = ad + comp + fixed - rev
        prev = np.concatenate([[np.nan], mau[:-1]])  # mau_{t-1}; month 1 has none
        lost = prev + new - mau
        unexplained = np.concatenate([[np.nan], cash[:-1] - burn[1:] - cash[1:]])
        drivers = {
            "cac": _ratios(ad, paid),
            "paid_share": _ratios(paid, new),
            "churn": _ratios(lost, prev),
            "conversion": _ratios(paying, mau),
            "arppu": _ratios(rev, paying),
            "cost_per_mau": _ratios(comp, mau),
            "net_burn": burn,
            "unexplained_cash": unexplained,
        }
    for k, v in drivers.items():
        _check_month(table, k, v, t0=1 if k in ("churn", "unexplained_cash") else 0)
    cols = {k: [None if math.isnan(x) else x for x in v.tolist()] for k, v in drivers.items()}  # nan: n/a
    cols["churn"][0] = cols["unexplained_cash"][0] = None
    rows = [{"month": m, **{k: cols[k][t] for k in DRIVERS}} for t, m in enumerate(table.months)]
    unexplained_rows = [
        {"month": table.months[t], "amount": cols["unexplained_cash"][t]} for t in range(1, n)
    ]
    w = slice(n - window, n)
    prev_w = slice(max(n - window, 1) - 1, n - 1)  # mau_{t-1} of the window months that have one
    cur = slice(max(n - window, 1), n)
    with np.errstate(all="ignore"):
        sums = {
            "ad_spend": ad[w].sum(),
            "paid_new_users": paid[w].sum(),
            "new_users": new[w].sum(),
            "mau": mau[w].sum(),
            "paying_users": paying[w].sum(),
            "revenue": rev[w].sum(),
            "compute_cost": comp[w].sum(),
            "lost": (mau[prev_w] + new[cur] - mau[cur]).sum(),
            "mau_(t-1)": mau[prev_w].sum(),
            "fixed_costs": fixed[w].sum(),
        }
        fitted = {
            "cash": float(cash[-1]),
            "mau": float(mau[-1]),
            "ad_spend": float(ad[-1]),
            "cac": _ratio(sums["ad_spend"], sums["paid_new_users"]),
            "paid_share": _ratio(sums["paid_new_users"], sums["new_users"]),
            "churn": _ratio(sums["lost"], sums["mau_(t-1)"]),
            "conversion": _ratio(sums["paying_users"], sums["mau"]),
            "arppu": _ratio(sums["revenue"], sums["paying_users"]),
            "cost_per_mau": _ratio(sums["compute_cost"], sums["mau"]),
            "fixed_costs": float(fixed[w].mean()),
        }
    for k, v in fitted.items():
        if v is not None and not math.isfinite(v):  # the window's sums overflowed (each month's were finite)
            span = table.months[n - window] + ("" if window == 1 else f"..{table.months[-1]}")
            shown = ", ".join(f"sum({p}) {sums[p]:.6g}" for p in _FIT_INPUTS[k])
            raise ActualsError(
                table.source,
                f"the fitted {k} over {span} overflows floating point ({shown}): "
                "numbers this large are beyond what the model can compute",
            )
    return Fit(list(table.months), rows, fitted, unexplained_rows, list(table.months[w]), table.source)


#: the sums over the window each fitted driver is computed from (named when one overflows)
_FIT_INPUTS = {
    "cac": ("ad_spend", "paid_new_users"),
    "paid_share": ("paid_new_users", "new_users"),
    "churn": ("lost", "mau_(t-1)"),
    "conversion": ("paying_users", "mau"),
    "arppu": ("revenue", "paying_users"),
    "cost_per_mau": ("compute_cost", "mau"),
    "fixed_costs": ("fixed_costs",),
}

#: what each driver of a month is computed from (named when it overflows)
_INPUTS = {
    "cac": ("ad_spend", "paid_new_users"),
    "paid_share": ("paid_new_users", "new_users"),
    "churn": ("mau_(t-1)", "new_users", "mau"),
    "conversion": ("paying_users", "mau"),
    "arppu": ("revenue", "paying_users"),
    "cost_per_mau": ("compute_cost", "mau"),
    "net_burn": ("ad_spend", "compute_cost", "fixed_costs", "revenue"),
    "unexplained_cash": ("cash_(t-1)", "net_burn", "cash"),
}


def _ratios(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den month by month, nan where the denominator is 0 (the driver is undefined, n/a)."""
    safe = np.where(den == 0, 1.0, den)
    return np.where(den == 0, np.nan, num / safe)


def _check_month(table: Actuals, driver: str, values: np.ndarray, t0: int) -> None:
    """Raise naming the row, the month and the inputs when ``driver`` overflowed in a month (an infinity, or a
    nan where its denominator is not 0)."""
    c = table.columns
    bad = np.isinf(values)
    bad[t0:] |= np.isnan(values[t0:]) & ~_undefined(table, driver)[t0:]
    if not bad.any():
        return
    t = int(np.argmax(bad))
    val = {"mau_(t-1)": c["mau"][t - 1] if t else math.nan, "cash_(t-1)": c["cash"][t - 1] if t else math.nan}
    if driver == "unexplained_cash":
        with np.errstate(all="ignore"):
            val["net_burn"] = c["ad_spend"][t] + c["compute_cost"][t] + c["fixed_costs"][t] - c["revenue"][t]
    shown = ", ".join(f"{k} {float(val[k] if k in val else c[k][t]):.6g}" for k in _INPUTS[driver])
    row = table.lines[t] if len(table.lines) == len(table) else None
    raise ActualsError(
        table.source,
        f"{driver} of {table.months[t]} overflows floating point ({shown}): numbers "
        "this large are beyond what the model can compute",
        row,
    )


def _undefined(table: Actuals, driver: str) -> np.ndarray:
    """Months where ``driver`` is n/a by definition: its denominator is 0."""
    c = table.columns
    den = {
        "cac": c["paid_new_users"],
        "paid_share": c["new_users"],
        "conversion": c["mau"],
        "arppu": c["paying_users"],
        "cost_per_mau": c["mau"],
        "churn": np.concatenate([[1.0], c["mau"][:-1]]),
    }.get(driver)
    return np.zeros(len(table), dtype=bool) if den is None else den == 0
