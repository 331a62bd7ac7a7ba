"""The whole company (docs/model.md, "The whole company"): the team, capex, compute credits, payment terms and
tax, as a scenario gives them.

:func:`company_inputs` reads and checks a scenario's version-4 inputs (None when it gives none: the month step
then runs version 3's equations alone, bit for bit); :mod:`xlmodel.ledger` walks them one month at a time
(:class:`~xlmodel.ledger.Company`, :class:`~xlmodel.ledger.Ledger`) for :class:`xlmodel.month_step.Months`; the
statements are built from their lines afterwards (:mod:`xlmodel.statements`). Pure Python and numpy, nothing at
import time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from .company_sizes import check_sizes
from .dates import MAX_MONTHS, fiscal_years
from .errors import InputError
from .params import CALENDAR_KEYS, check

__all__ = [
    "DEPARTMENTS",
    "COMPANY_SCALARS",
    "TERMS",
    "COMPANY_ENTRIES",
    "CompanyInputs",
    "company_inputs",
    "uses_company",
    "first_company_input",
    "COMPANY_ROWS",
    "SPARSE_ROWS",
    "STEPPED_ROWS",
    "ZERO_ROWS",
]

#: a line's value in a month: a numpy float64 for one scenario, an array of scenarios otherwise
Value: TypeAlias = "float | np.ndarray"

#: the departments a team entry may belong to (ops is a cost of revenue)
DEPARTMENTS = ("rd", "sm", "ga", "ops")
#: the payment terms of the whole company: whole months that a bill (or a receivable) stays open
TERMS = ("compute_terms", "ad_terms", "collection_lag")
#: the scalar inputs of the whole company (docs/model.md, "New inputs (version 4)")
COMPANY_SCALARS = (
    "on_cost",
    "salary_growth",
    "credits",
    "credits_expire",
    "compute_terms",
    "ad_terms",
    "collection_lag",
    "tax_rate",
    "tax_losses",
)
#: the scenario's entries of the whole company
COMPANY_ENTRIES = ("team", "capex")
#: the monthly lines a company adds to a projection, in table order
COMPANY_ROWS = (
    "payroll_rd",
    "payroll_sm",
    "payroll_ga",
    "payroll_ops",
    "payroll",
    "headcount",
    "depreciation",
    "capex",
    "credits_used",
    "credits_lapsed",
    "credits_granted",
    "credit_balance",
    "payables",
    "receivables",
    "deferred_revenue",
    "tax",
)
#: of those, the lines that are 0 but in a few months (built whole, not stored month by month) or 0 throughout
SPARSE_ROWS = ("capex", "credits_granted")
ZERO_ROWS = ("deferred_revenue",)
#: the lines that change only in a month where a team entry starts or ends, a raise falls or an asset is bought
#: or written off (payroll by department, payroll, headcount, depreciation): an array of scenarios' projection
#: builds their months when one is first read (xlmodel.stepped)
STEPPED_ROWS = COMPANY_ROWS[: COMPANY_ROWS.index("depreciation") + 1]
#: a grant that never lapses
NEVER = math.inf


@dataclass(frozen=True)
class TeamEntry:
    role: str
    department: str
    count: Value
    salary: Value
    first: int  # first month paid (1 when given before month 1)
    last: float  # last month paid (may be beyond the horizon)


@dataclass(frozen=True)
class CapexEntry:
    name: str
    month: int
    amount: Value
    life: int


@dataclass(frozen=True)
class Grant:
    """Credits granted at the end of ``month`` (0: the opening credits), usable from the next month, lapsing at
    the end of ``expiry`` (``inf``: never)."""

    month: int
    amount: Value
    expiry: float


@dataclass(frozen=True)
class CompanyInputs:
    """A scenario's version-4 inputs, checked; months are plan months."""

    team: tuple[TeamEntry, ...] = ()
    capex: tuple[CapexEntry, ...] = ()
    grants: tuple[Grant, ...] = ()  # the opening credits (month 0) and the rounds' (their month)
    on_cost: Value = 0.0
    salary_growth: Value = 0.0
    compute_terms: int = 0
    ad_terms: int = 0
    collection_lag: int = 0
    tax_rate: Value = 0.0
    tax_losses: Value = 0.0
    year_starts: tuple[int, ...] = (1,)  # the first month of each fiscal year within the horizon
    numbers: dict[str, Any] = field(default_factory=dict)  # every numeric input, for the broadcast shape

    def arrays(self) -> list[np.ndarray]:
        """Every number that may be an array of scenarios (its shape joins the plan's)."""
        out = [np.asarray(x) for x in (self.on_cost, self.salary_growth, self.tax_rate, self.tax_losses)]
        out += [np.asarray(x) for e in self.team for x in (e.count, e.salary)]
        out += [np.asarray(c.amount) for c in self.capex] + [np.asarray(g.amount) for g in self.grants]
        return out


def uses_company(kw: Mapping[str, Any]) -> bool:
    """Whether a scenario gives any version-4 input (a team, capex, a scalar, or credits in a round)."""
    if any(kw.get(k) for k in COMPANY_ENTRIES):
        return True
    if any(kw.get(k) is not None for k in COMPANY_SCALARS):
        return True
    return any(
        isinstance(r, Mapping) and (r.get("credits") is not None or r.get("expires") is not None)
        for r in kw.get("funding") or ()
    )


def first_company_input(kw: Mapping[str, Any]) -> str | None:
    """The first version-4 input a scenario gives (``team``, ``capex``, a scalar, or ``funding`` for credits in a
    round), or None: what a surface that does not carry the whole company yet names when it refuses."""
    for k in COMPANY_ENTRIES:
        if kw.get(k):
            return k
    for k in COMPANY_SCALARS:
        if kw.get(k) is not None:
            return k
    return "funding" if uses_company(kw) else None


def _whole(
    what: str, value: Any, lo: int | None = None, hi: int | None = None, arg: str | None = None
) -> int:
    """A whole number of months (an int, or a float without a fraction) from ``lo`` to ``hi``: one number for
    every scenario of a call (the month step's shape depends on it)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer, float, np.floating))
    x = float(value) if ok else math.nan
    if math.isfinite(x) and x.is_integer() and (lo is None or x >= lo) and (hi is None or x <= hi):
        return int(x)
    need = "a whole number of months" + (
        f" from {lo} to {hi}"
        if lo is not None and hi is not None
        else ""
        if lo is None
        else f", {lo} or more"
    )
    if isinstance(value, np.ndarray):
        shown = f"an array of {value.size} values (one number for every scenario of a call)"
    else:
        shown = f"{x:.10g}" if ok else f"{value!r:.40}"
    raise InputError(arg or what.split(" ")[0].split(":")[0], f"{what} must be {need}, got {shown}")


def _number(arg: str, what: str, value: Any, rule: str) -> Value:
    """A number (or an array of scenarios) within ``rule``; the message names the entry."""
    if isinstance(value, (bool, str)) or value is None:
        raise InputError(arg, f"{what} must be a number, got {value!r:.40}")
    try:
        x = check(what.rsplit(" ", 1)[-1], value, rule)
    except InputError as e:
        raise InputError(arg, f"{what.rsplit(' ', 1)[0]} {e}" if " " in what else str(e)) from None
    return x if x.ndim else np.float64(x)


def _entries(kind: str, value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if isinstance(value, Mapping) or not isinstance(value, Iterable) or isinstance(value, str):
        raise InputError(kind, f"{kind} must be a list of entries, got {value!r:.60}")
    out = list(value)
    for i, e in enumerate(out, start=1):
        if not isinstance(e, Mapping):
            raise InputError(kind, f"{kind} entry {i} must be a table, got {e!r:.60}")
    return out


def _team(entries: Any, h: int) -> tuple[TeamEntry, ...]:
    out: list[TeamEntry] = []
    roles: set[str] = set()
    for i, e in enumerate(_entries("team", entries), start=1):
        unknown = [k for k in e if k not in ("role", "department", "count", "salary", "from", "to")]
        if unknown:
            raise InputError(
                "team",
                f"team[{i}]: unknown key {unknown[0]!r} (a team entry has role, department, count, "
                "salary, from and to)",
            )
        role = e.get("role")
        if not isinstance(role, str) or not role.strip():
            raise InputError("team", f"team[{i}]: needs a role (text, unique within the scenario)")
        where = f"team, role {role!r}:"
        if role in roles:
            raise InputError("team", f"{where} the role is given twice (a second wave is another role name)")
        roles.add(role)
        dept = e.get("department")
        if dept not in DEPARTMENTS:
            raise InputError(
                "team", f"{where} department must be one of {', '.join(DEPARTMENTS)}, got {dept!r:.40}"
            )
        for k in ("count", "salary"):
            if k not in e:
                raise InputError("team", f"{where} needs a {k}")
        count = _number("team", f"{where} count", e["count"], "nonneg")
        salary = _number("team", f"{where} salary", e["salary"], "nonneg")
        first = _whole(f"{where} from", e.get("from", 1), arg="team")
        last = _whole(f"{where} to", e.get("to", h), arg="team")
        if first > last:
            raise InputError("team", f"{where} from ({first}) must not be after to ({last})")
        out.append(TeamEntry(role, dept, count, salary, max(1, first), last))
    return tuple(out)


def _capex(entries: Any, h: int) -> tuple[CapexEntry, ...]:
    out: list[CapexEntry] = []
    seen: set[tuple[int, str]] = set()
    for i, e in enumerate(_entries("capex", entries), start=1):
        unknown = [k for k in e if k not in ("month", "amount", "life", "name")]
        if unknown:
            raise InputError(
                "capex",
                f"capex[{i}]: unknown key {unknown[0]!r} (a capex entry has month, amount, life, name)",
            )
        for k in ("month", "amount", "life"):
            if k not in e:
                raise InputError("capex", f"capex[{i}]: needs a {k}")
        name = e.get("name", "")
        if not isinstance(name, str):
            raise InputError("capex", f"capex[{i}]: name must be text, got {name!r:.40}")
        month = _whole(f"capex[{i}]: month", e["month"], 1, arg="capex")
        if month > h:
            raise InputError("capex", f"capex[{i}]: month must be from 1 to {h} (the horizon), got {month}")
        where = f"capex, month {month}{f' ({name!r})' if name else ''}:"
        if (month, name) in seen:
            raise InputError("capex", f"{where} two capex entries with the same month and name" if name else
                             f"capex, month {month}: two capex entries in month {month} without a name: give each "
                             "a name")  # fmt: skip
        seen.add((month, name))
        amount = _number("capex", f"{where} amount", e["amount"], "nonneg")
        life = e["life"]
        if (
            isinstance(life, bool)
            or not isinstance(life, (int, float, np.integer))
            or life != int(life)
            or life < 1
        ):
            raise InputError(
                "capex", f"{where} life must be a whole number of months, 1 or more, got {life!r:.40}"
            )
        out.append(CapexEntry(name, month, amount, int(life)))
    return tuple(out)


def _grants(kw: Mapping[str, Any], h: int) -> tuple[Grant, ...]:
    out: list[Grant] = []
    opening = kw.get("credits")
    expire = kw.get("credits_expire")
    expiry = NEVER if expire is None else float(_whole("credits_expire", expire, 1, MAX_MONTHS))
    if opening is not None:
        out.append(Grant(0, _number("credits", "credits", opening, "nonneg"), expiry))
    elif expire is not None:
        raise InputError("credits_expire", "credits_expire needs credits (the opening credits that lapse)")
    for i, r in enumerate(_entries("funding", kw.get("funding")), start=1):
        if r.get("credits") is None:
            if r.get("expires") is not None:
                raise InputError("funding", f"funding[{i}]: expires needs credits in the round")
            continue
        if "month" not in r:
            raise InputError("funding", f"funding[{i}]: credits in a round need the round's month")
        month = _whole(f"funding[{i}]: month", r["month"], 1, arg="funding")
        credits = _number("funding", f"funding, month {month}: credits", r["credits"], "nonneg")
        exp = r.get("expires")
        # one rule with credits_expire: credits lapse by month 1200 at the latest
        last = max(1, MAX_MONTHS - month)
        after = (
            NEVER
            if exp is None
            else float(_whole(f"funding, month {month}: expires", exp, 1, last, "funding"))
        )
        out.append(Grant(month, credits, month + after))
    return tuple(out)


def _year_starts(h: int, start: Any, fiscal_year_start: Any) -> tuple[int, ...]:
    if start is None:
        return tuple(range(1, h + 1, 12))
    return tuple(y.first for y in fiscal_years(h, start, fiscal_year_start or 1))


def company_inputs(kw: dict[str, Any], h: int) -> CompanyInputs | None:
    """Pop a scenario's version-4 inputs (and its calendar) from ``kw`` and check them; None when it gives none.

    ``kw["funding"]`` keeps its rounds (the timeline reads their cash); their ``credits`` and ``expires`` are
    read here."""
    used = uses_company(kw)
    given = {k: kw.pop(k, None) for k in COMPANY_SCALARS + COMPANY_ENTRIES}
    calendar = {k: kw.pop(k, None) for k in CALENDAR_KEYS}
    if not used:
        return None
    numbers: dict[str, Any] = {}
    for k, rule in (("on_cost", "on_cost"), ("salary_growth", "growth"), ("tax_rate", "fraction_below_1"),
                    ("tax_losses", "nonneg")):  # fmt: skip
        numbers[k] = np.float64(0.0) if given[k] is None else _number(k, k, given[k], rule)
    terms: dict[str, Any] = {}
    for k in TERMS:
        terms[k] = 0 if given[k] is None else _whole(k, given[k], 0, MAX_MONTHS)
    inputs = CompanyInputs(
        team=_team(given["team"], h),
        capex=_capex(given["capex"], h),
        grants=_grants({**given, "funding": kw.get("funding")}, h),
        year_starts=_year_starts(h, calendar["start"], calendar["fiscal_year_start"]),
        **numbers,
        **terms,
    )
    check_sizes(inputs, h, kw.get("cash"), kw.get("funding"))
    return inputs
