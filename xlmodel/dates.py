"""The calendar of a plan: month labels, fiscal years and the annual summary (docs/model.md, "Calendar").

``start = "2024-12"`` makes month 1 December 2024; month t is ``start +
(t-1)`` months. A fiscal year starts in calendar month ``fiscal_year_start``
and is named by the calendar year in which it ends. Without ``start``,
months are M1, M2, ... and years Y1, Y2, ... (12-month blocks from month 1).
Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError
from .period_economics import period_unit_economics

if TYPE_CHECKING:  # imported where a date is made, not at import time
    import datetime

__all__ = [
    "parse_month",
    "month_number",
    "month_rule",
    "month_text",
    "serial_date",
    "MAX_MONTHS",
    "month_label",
    "month_end",
    "FiscalYear",
    "fiscal_years",
    "fiscal_year_numbers",
    "excel_serial",
    "annual_summary",
    "ANNUAL_SUMS",
    "ANNUAL_ENDS",
    "check_calendar",
    "FIRST_START",
    "LAST_YEAR",
]

#: ASCII digits only: full-width or Arabic-Indic digits are not a month
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: the annual summary's sums and end-of-year values (docs/model.md, "What a plan answers")
ANNUAL_SUMS = (
    "ad_spend",
    "new_users",
    "gross_revenue",
    "revenue",
    "compute",
    "fixed_costs",
    "migration_one_off",
    "net_burn",
    "interest",
    "funding",
)
ANNUAL_ENDS = ("cash", "mau", "paying_users")


def parse_month(text: str, what: str = "month") -> tuple[int, int]:
    """``"2025-03"`` -> ``(2025, 3)``; anything else (``"2024-13"``, ``"2025-3"``) is an :class:`InputError`."""
    m = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise InputError(what, f"{what} must be a calendar month YYYY-MM (e.g. 2025-03), got {text!r:.40}")
    return int(m.group(1)), int(m.group(2))


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


#: the longest horizon: where a month may lie beyond the horizon, a number up to this is a plan month
MAX_MONTHS = 1200
#: the date serials a month may be given as: 61 is 1900-03-01 (Excel counts a 29 February 1900 before it, so
#: earlier serials differ between spreadsheets), 2958465 is 9999-12-31
FIRST_SERIAL, LAST_SERIAL = 61, 2_958_465


def serial_date(serial: float) -> datetime.date:
    """The day a spreadsheet's date serial stands for (days since 1899-12-30; a time of day is its fraction)."""
    import datetime

    return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))


def _is_date(value: object) -> bool:
    import datetime

    return isinstance(value, datetime.date)  # a datetime is a date too


def month_rule(horizon: int, beyond: bool = False) -> str:
    """The rule a month follows, as its error message states it (docs/model.md, "Calendar")."""
    limit = (
        f"up to {MAX_MONTHS} (it may lie beyond the horizon)"
        if beyond
        else f"from 1 to {horizon} (the horizon)"
    )
    return (
        f"a whole month number {limit}, a calendar month YYYY-MM, a date, or a date serial above that "
        "(days since 1899-12-30, as spreadsheets store dates; needs [model] start)"
    )


def month_number(
    value: object, start: str | None, horizon: int, what: str = "month", beyond: bool = False
) -> int:
    """A plan month from any form a month is given in (docs/model.md, "Calendar"); one parser for every surface.

    Parameters
    ----------
    value : int, float, str, datetime.date or datetime.datetime
        A plan month number; a calendar month ``"YYYY-MM"`` (a text of digits is the number it spells); a
        date or datetime (its calendar month); or a spreadsheet's date serial (45748 is 2025-04-01). A number
        is a plan month up to the horizon (up to :data:`MAX_MONTHS` with ``beyond``) and a date serial only
        above that, where no plan month could be meant; the last three forms need ``start``.
    start : str or None
        The plan's ``[model] start`` (``"YYYY-MM"``, month 1).
    horizon : int
        The plan's last month.
    what : str
        The argument's name in messages.
    beyond : bool
        The month may lie before month 1 or after the horizon (``migration_month``, ``credits_expire``, a team
        entry's ``from`` and ``to``): a calendar month then gives any plan month, and a number up to
        :data:`MAX_MONTHS` is a plan month (the caller checks its own bounds).

    Returns
    -------
    int
        The plan month (1 is ``start``).

    Raises
    ------
    InputError
        Naming ``what``, the rule and the value; a calendar month, a date or a serial without ``start`` says so.
    """
    rule = month_rule(horizon, beyond)
    shown, how = value, ""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())  # "4" typed as text in a cell: plan month 4
    limit = MAX_MONTHS if beyond else horizon
    if not isinstance(value, (str, bool)) and isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if math.isfinite(x) and x.is_integer() and x <= limit and (beyond or x >= 1):
            return int(x)
        if not (math.isfinite(x) and x > limit and FIRST_SERIAL <= x <= LAST_SERIAL):
            raise InputError(what, f"{what} must be {rule}; got {value!r:.40}")
        day = serial_date(x)
        how = f" (date serial {value:g}, read as the date {day.isoformat()}: a number above {limit} is one)"
        value = day
    kind = "a date serial" if how else "a date" if _is_date(value) else "a calendar month"
    if _is_date(value):
        value = month_text(value)
        shown = shown if how else value
    if not isinstance(value, str):
        raise InputError(what, f"{what} must be {rule}; got {value!r:.40}")
    text = value.strip()
    ym = parse_month(text, what)  # a text that is no calendar month: parse_month's message
    if start is None:
        raise InputError(
            what,
            f'{what} {shown!r:.40} is {kind}: give [model] start = "YYYY-MM" (month 1), '
            f"or a plan month number from 1 to {limit}",
        )
    t = _index(*ym) - _index(*parse_month(start, "start")) + 1
    if beyond and t > MAX_MONTHS:
        raise InputError(what, f"{what} {text}{how} is month {t}: a plan names months up to {MAX_MONTHS}")
    if how and t < 1:  # a number is a date serial only where it falls within the plan's calendar
        raise InputError(
            what,
            f"{what} {text}{how} is before the plan's start {start} (month 1): a date serial must fall within the "
            "plan's months",
        )
    if beyond:
        return t
    if t < 1:
        raise InputError(what, f"{what} {text}{how} is before the plan's start {start} (month 1)")
    if t > horizon:
        raise InputError(
            what,
            f"{what} {text}{how} is after the plan's last month {month_label(horizon, start)} "
            f"(month {horizon}, the horizon)",
        )
    return t


def month_text(value: object) -> object:
    """A date or datetime as its calendar month ``"YYYY-MM"`` (where a calendar month is kept as text, e.g.
    ``start``); any other value unchanged."""
    return f"{value.year:04d}-{value.month:02d}" if _is_date(value) else value  # type: ignore[attr-defined]


def month_label(t: int, start: str | None = None) -> str:
    """``"M7"``, or ``"2025-06"`` with a start."""
    if start is None:
        return f"M{t}"
    year, month = divmod(_index(*parse_month(start, "start")) + t - 1, 12)
    return f"{year:04d}-{month + 1:02d}"


def month_end(t: int, start: str) -> datetime.date:
    """The last day of plan month ``t`` as a :class:`datetime.date` (a workbook's column header)."""
    import calendar
    import datetime

    year, month = divmod(_index(*parse_month(start, "start")) + t - 1, 12)
    return datetime.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


#: the first month a plan may start: a spreadsheet's dates before 1900-03-01 differ between Excel (which
#: counts a 29 February 1900) and LibreOffice, and no spreadsheet shows a date before 1900
FIRST_START = "1900-03"
#: the last fiscal year a plan may reach: a spreadsheet's dates end on 9999-12-31
LAST_YEAR = 9999


def check_calendar(start: str | None, fiscal_year_start: object, horizon: int | None = None) -> None:
    """``start`` a ``"YYYY-MM"``; ``fiscal_year_start`` a month 1..12 that needs ``start``.

    With ``horizon``, every month of the plan lies within what spreadsheets can show: ``start`` no
    earlier than :data:`FIRST_START` and the last month's fiscal year no later than FY9999.
    """
    if start is not None:
        first = _index(*parse_month(start, "start"))
        if first < _index(*parse_month(FIRST_START)):
            raise InputError(
                "start",
                f"start must be {FIRST_START} or later (spreadsheets show no earlier dates alike: "
                f"Excel counts a 29 February 1900), got {start}",
            )
    if fiscal_year_start is not None and fiscal_year_start != 1:
        if (
            isinstance(fiscal_year_start, bool)
            or not isinstance(fiscal_year_start, (int, np.integer))
            or not 1 <= fiscal_year_start <= 12
        ):
            raise InputError(
                "fiscal_year_start",
                "fiscal_year_start must be a calendar month number from 1 to 12 "
                f"(4: years from April), got {fiscal_year_start!r:.20}",
            )
        if start is None:
            raise InputError(
                "fiscal_year_start", "fiscal_year_start needs start (the calendar month of month 1)"
            )
    if start is not None and horizon is not None:
        year, month = divmod(first + int(horizon) - 1, 12)
        fys = fiscal_year_start or 1
        fy = year + (1 if fys != 1 and month + 1 >= fys else 0)
        if fy > LAST_YEAR:
            raise InputError(
                "start",
                f"start {start} with {int(horizon)} months ends in {year:04d}-{month + 1:02d}, fiscal year "
                f"FY{fy}: a plan must end by FY{LAST_YEAR} (spreadsheets show no date after 9999-12-31)",
            )


@dataclass(frozen=True)
class FiscalYear:
    """One (fiscal) year of a plan: its label and its plan months ``first..last``."""

    label: str
    first: int
    last: int

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def partial(self) -> bool:
        return self.months < 12


def fiscal_years(horizon: int, start: str | None = None, fiscal_year_start: int = 1) -> list[FiscalYear]:
    """The years covering months 1..horizon; a partial first or last year is labelled with its months.

    >>> [y.label for y in fiscal_years(18, "2024-12", 4)]
    ['FY2025 (Dec-Mar, 4 of 12 months)', 'FY2026', 'FY2027 (Apr-May, 2 of 12 months)']
    >>> [y.label for y in fiscal_years(30)]
    ['Y1', 'Y2', 'Y3 (M25-M30, 6 of 12 months)']
    """
    check_calendar(start, fiscal_year_start, horizon)
    if start is None:
        out = []
        for block, first in enumerate(range(1, horizon + 1, 12), start=1):
            last = min(first + 11, horizon)
            span = f"M{first}" if first == last else f"M{first}-M{last}"
            label = (
                f"Y{block}" if last - first == 11 else f"Y{block} ({span}, {last - first + 1} of 12 months)"
            )
            out.append(FiscalYear(label, first, last))
        return out
    fys = fiscal_year_start or 1
    s = _index(*parse_month(start, "start"))
    groups: list[list[int]] = []
    for t in range(1, horizon + 1):
        year, month = divmod(s + t - 1, 12)
        fy = year + (1 if fys != 1 and month + 1 >= fys else 0)
        if groups and groups[-1][0] == fy:
            groups[-1][2] = t
        else:
            groups.append([fy, t, t])
    out = []
    for fy, first, last in groups:
        n = last - first + 1
        if n == 12:
            out.append(FiscalYear(f"FY{fy}", first, last))
            continue
        a, b = (ABBR[(s + m - 1) % 12] for m in (first, last))
        out.append(
            FiscalYear(f"FY{fy} ({a if a == b and n == 1 else f'{a}-{b}'}, {n} of 12 months)", first, last)
        )
    return out


def fiscal_year_numbers(horizon: int, start: str | None = None, fiscal_year_start: int = 1) -> list[int]:
    """Each month's year: its fiscal year's number (FY2025: 2025), or without ``start`` its block (Y3: 3).

    >>> fiscal_year_numbers(5, "2024-12", 4)
    [2025, 2025, 2025, 2025, 2026]
    """
    out = []
    for i, y in enumerate(fiscal_years(horizon, start, fiscal_year_start), start=1):
        number = int(y.label[2:6]) if start else i
        out += [number] * y.months
    return out


def excel_serial(day: datetime.date) -> float:
    """A date as the number a spreadsheet stores (days since 1899-12-30)."""
    import datetime

    return float((day - datetime.date(1899, 12, 30)).days)


def annual_summary(
    projection: Any, start: str | None = None, fiscal_year_start: int = 1
) -> list[dict[str, Any]]:
    """Per fiscal year: the sums of :data:`ANNUAL_SUMS`, the last month's :data:`ANNUAL_ENDS` and the year's
    unit economics (:func:`~xlmodel.period_economics.period_unit_economics`: CACs, contribution, ARPPU).

    ``projection``: a :class:`~xlmodel.projection.Projection` of one scenario
    (or any object with those lines as attributes, months on the last axis).
    A partial year's sums are not annualised; its end values are its last
    month's.
    """
    h = np.shape(projection.cash)[-1]
    out = []
    for y in fiscal_years(h, start, fiscal_year_start):
        row = {
            "label": y.label,
            "first_month": y.first,
            "last_month": y.last,
            "months": y.months,
            "partial": y.partial,
        }
        for key in ANNUAL_SUMS:
            row[key] = _plain(
                np.sum(np.asarray(getattr(projection, key))[..., y.first - 1 : y.last], axis=-1)
            )
        for key in ANNUAL_ENDS:
            row[key] = _plain(np.asarray(getattr(projection, key))[..., y.last - 1])
        row.update(period_unit_economics(projection, y.first, y.last))
        out.append(row)
    return out


def _plain(x: ArrayLike) -> float | np.ndarray:
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a
