"""The whole company (docs/model.md, "The whole company"): the team, capex, compute credits, payment terms and
tax, one month at a time.

:func:`company_inputs` reads and checks a scenario's version-4 inputs (None when it gives none: the month step
then runs version 3's equations alone, bit for bit). A :class:`Company` holds what is the same on every cash path
of a plan (the payroll and headcount by month, the capex and its depreciation); a :class:`Ledger` holds what
follows one cash path (the credits, payables, receivables and the tax with its loss pool): the plan, the plan
without its rounds (which drops their credits too) and the plan without its migration each have one.
:class:`xlmodel.month_step.Months` calls them; the statements are built from their lines afterwards
(:mod:`xlmodel.statements`). Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from .dates import fiscal_years
from .errors import InputError
from .params import CALENDAR_KEYS, check

__all__ = [
    "DEPARTMENTS",
    "COMPANY_SCALARS",
    "COMPANY_ENTRIES",
    "CompanyInputs",
    "Company",
    "Ledger",
    "company_inputs",
    "uses_company",
    "first_company_input",
    "NOT_IN_WORKBOOKS",
    "COMPANY_ROWS",
    "SPARSE_ROWS",
    "ZERO_ROWS",
]

#: a line's value in a month: a numpy float64 for one scenario, an array of scenarios otherwise
Value: TypeAlias = "float | np.ndarray"

#: the departments a team entry may belong to (ops is a cost of revenue)
DEPARTMENTS = ("rd", "sm", "ga", "ops")
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


#: why a workbook refuses a plan of the whole company, until its sheets carry it
NOT_IN_WORKBOOKS = (
    "the workbooks do not carry the team, capex, credits, terms or tax yet (model version 4 is in progress): "
    "use xlmodel calc"
)


def _whole(what: str, value: Any, lo: int | None = None) -> int:
    """A whole number of months (an int, or a float without a fraction), at least ``lo``."""
    ok = not isinstance(value, bool) and isinstance(value, (int, np.integer, float, np.floating))
    if ok and math.isfinite(float(value)) and float(value) == int(value) and (lo is None or value >= lo):
        return int(value)
    need = "a whole number of months" + ("" if lo is None else f", {lo} or more")
    raise InputError(what.split(" ")[0].split(":")[0], f"{what} must be {need}, got {value!r:.40}")


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
                f"team entry {i}: unknown key {unknown[0]!r} (a team entry has role, department, count, "
                "salary, from and to)",
            )
        role = e.get("role")
        if not isinstance(role, str) or not role.strip():
            raise InputError("team", f"team entry {i} needs a role (text, unique within the scenario)")
        where = f"team: {role}:"
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
        first = _whole(f"team: {role}: from", e.get("from", 1))
        last = _whole(f"team: {role}: to", e.get("to", h))
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
                f"capex entry {i}: unknown key {unknown[0]!r} (a capex entry has month, amount, life, name)",
            )
        for k in ("month", "amount", "life"):
            if k not in e:
                raise InputError("capex", f"capex entry {i} needs a {k}")
        name = e.get("name", "")
        if not isinstance(name, str):
            raise InputError("capex", f"capex entry {i}: name must be text, got {name!r:.40}")
        month = _whole(f"capex entry {i}: month", e["month"], 1)
        if month > h:
            raise InputError(
                "capex", f"capex entry {i}: month must be from 1 to {h} (the horizon), got {month}"
            )
        where = f"capex: month {month}{f' ({name})' if name else ''}:"
        if (month, name) in seen:
            raise InputError("capex", f"{where} two capex entries with the same month and name")
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
    expiry = NEVER if expire is None else float(_whole("credits_expire", expire, 1))
    if opening is not None:
        out.append(Grant(0, _number("credits", "credits", opening, "nonneg"), expiry))
    elif expire is not None:
        raise InputError("credits_expire", "credits_expire needs credits (the opening credits that lapse)")
    for i, r in enumerate(_entries("funding", kw.get("funding")), start=1):
        if r.get("credits") is None:
            if r.get("expires") is not None:
                raise InputError("funding", f"funding entry {i}: expires needs credits in the round")
            continue
        if "month" not in r:
            raise InputError("funding", f"funding entry {i}: credits in a round need the round's month")
        month = _whole(f"funding entry {i}: month", r["month"], 1)
        credits = _number("funding", f"funding: month {month}: credits", r["credits"], "nonneg")
        exp = r.get("expires")
        after = NEVER if exp is None else float(_whole(f"funding: month {month}: expires", exp, 1))
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
    for k in ("compute_terms", "ad_terms", "collection_lag"):
        terms[k] = 0 if given[k] is None else _whole(k, given[k], 0)
    return CompanyInputs(
        team=_team(given["team"], h),
        capex=_capex(given["capex"], h),
        grants=_grants({**given, "funding": kw.get("funding")}, h),
        year_starts=_year_starts(h, calendar["start"], calendar["fiscal_year_start"]),
        **numbers,
        **terms,
    )


class Company:
    """What every cash path of one plan shares, month by month: the payroll by department and the headcount
    (docs/model.md, "The team"), the capex and its depreciation."""

    def __init__(self, c: CompanyInputs, shape: tuple[int, ...]):
        self.c, self.shape, self.arrays = c, shape, bool(shape)
        self.zero: Value = np.zeros(shape) if shape else np.float64(0.0)
        # count * salary * (1 + on_cost) of each entry, at month 1's pay level
        self.pay = [e.count * e.salary * (1 + c.on_cost) for e in c.team]
        self.starts = set(c.year_starts[1:])
        self.years = 0  # fiscal-year starts in months 2..t
        self.raise_: Value = np.float64(1.0)
        self._k = -1
        self.now: dict[str, Value] = {}
        # the months whose payroll or depreciation differ from the month before: an entry starts or ends, a raise
        self.events = set(self.starts)
        self.events.update(m for e in c.team for m in (e.first, int(min(e.last, 10**6)) + 1))
        self.events.update(m for x in c.capex for m in (x.month, x.month + x.life))
        self.bought: dict[int, list[CapexEntry]] = {}
        for x in c.capex:
            self.bought.setdefault(x.month, []).append(x)

    def month(self, k: int) -> dict[str, Value]:
        """The shared lines of month ``t = k + 1`` (computed once, whichever path asks first). Payroll and
        depreciation are summed again only in a month where an entry starts or ends or a raise falls; other
        months reuse last month's arrays (nothing writes into them)."""
        if k == self._k:
            return self.now
        t = k + 1
        c = self.c
        if t in self.starts:
            self.years += 1
            self.raise_ = np.power(1 + c.salary_growth, self.years)
        if t == 1 or t in self.events:
            payroll = {d: self.zero for d in DEPARTMENTS}
            heads = self.zero
            for e, pay in zip(c.team, self.pay):
                if e.first <= t <= e.last:
                    payroll[e.department] = payroll[e.department] + pay * self.raise_
                    heads = heads + e.count
            dep = self.zero
            for x in c.capex:
                if x.month <= t <= x.month + x.life - 1:
                    dep = dep + x.amount / x.life
            total = payroll["rd"] + payroll["sm"] + payroll["ga"] + payroll["ops"]
            self.now = {f"payroll_{d}": payroll[d] for d in DEPARTMENTS}
            self.now.update(payroll=total, headcount=heads, depreciation=dep)
        else:
            self.now = dict(self.now)
        capex = self.zero
        for x in self.bought.get(t, ()):
            capex = capex + x.amount
        self.now["capex"] = capex
        self._k = k
        return self.now


class Ledger:
    """What follows one cash path: compute credits (used before cash, by expiry), payables and receivables at
    their terms, and tax by fiscal year against the loss pool (docs/model.md, "Credits", "Terms", "Tax").

    ``rounds``: whether the rounds' credits are granted (the plan without its rounds drops them).
    """

    def __init__(self, company: Company, rounds: bool = True):
        self.co = company
        c = company.c
        zero = company.zero
        self.zero = zero
        # pools of credits by expiry month; the opening credits are usable from month 1
        self.pools: dict[float, Value] = {}
        self.later: dict[int, list[Grant]] = {}
        for g in c.grants:
            if g.month == 0:
                self.pools[g.expiry] = self.pools.get(g.expiry, zero) + g.amount
            elif rounds:
                self.later.setdefault(g.month, []).append(g)
        self.k_terms, self.j_terms, self.l_terms = c.compute_terms, c.ad_terms, c.collection_lag
        self.unpaid_compute: deque[Value] = deque()
        self.unpaid_ad: deque[Value] = deque()
        self.billed: deque[Value] = deque()
        self.ap: Value = zero
        self.ar: Value = zero
        self.deferred: Value = zero  # deferred revenue: 0 until annual plans exist
        self.opening: dict[str, Value] = {}
        self.pool_left: Value = c.tax_losses  # the loss pool at the start of this fiscal year
        self.year_ebt: Value = zero
        self.accrued: Value = zero
        self.starts = set(c.year_starts[1:])

    def balance(self) -> Value:
        """The credits held now (after this month's use, lapse and grant)."""
        total = self.zero
        for amount in self.pools.values():
            total = total + amount
        return total

    def step(
        self, k: int, ad: Value, compute: Value, revenue: Value, net_burn: Value, interest: Value
    ) -> tuple[Value, dict[str, Value]]:
        """Month ``t = k + 1`` of this path: the cash term to add after version 3's cash, and the lines.

        The term is ``used - tax - capex + (ap - ap_prev) - (ar - ar_prev) + (deferred - deferred_prev)``."""
        t = k + 1
        shared = self.co.month(k)
        # credits: use (by expiry, never last), lapse, grant
        remaining = np.maximum(compute, 0.0) if self.pools else self.zero
        used = self.zero
        for expiry in sorted(self.pools):
            take = np.minimum(self.pools[expiry], remaining)
            self.pools[expiry] = self.pools[expiry] - take
            remaining = remaining - take
            used = used + take
        lapsed = self.pools.pop(float(t), self.zero)
        granted = self.zero
        for g in self.later.pop(t, ()):
            self.pools[g.expiry] = self.pools.get(g.expiry, self.zero) + g.amount
            granted = granted + g.amount
        # terms: bills of months before month 1 equal month 1's (receivables: monthly billing only)
        cash_compute = compute - used
        if t == 1:
            for q, n, x in (
                (self.unpaid_compute, self.k_terms, cash_compute),
                (self.unpaid_ad, self.j_terms, ad),
                (self.billed, self.l_terms, revenue),
            ):
                q.extend([np.array(x, dtype=float) if isinstance(x, np.ndarray) else x] * n)
            self.ap = self._sum(self.unpaid_compute) + self._sum(self.unpaid_ad)
            self.ar = self._sum(self.billed)
            self.opening = {"payables": self.ap, "receivables": self.ar, "credits": self.opening_credits()}
        ap_prev, ar_prev, def_prev = self.ap, self.ar, self.deferred
        for q, n, x in (
            (self.unpaid_compute, self.k_terms, cash_compute),
            (self.unpaid_ad, self.j_terms, ad),
            (self.billed, self.l_terms, revenue),
        ):
            if n:
                q.popleft()
                q.append(np.array(x, dtype=float) if isinstance(x, np.ndarray) else x)  # x may be a buffer
        self.ap = self._sum(self.unpaid_compute) + self._sum(self.unpaid_ad)
        self.ar = self._sum(self.billed)
        # tax by fiscal year, accrued month by month against the pool at the year's start
        c = self.co.c
        if t in self.starts:
            self.pool_left = np.maximum(0.0, self.pool_left - self.year_ebt)
            self.year_ebt, self.accrued = self.zero, self.zero
        ebt = -net_burn - shared["depreciation"] - lapsed + interest
        self.year_ebt = self.year_ebt + ebt
        accrued = c.tax_rate * np.maximum(0.0, self.year_ebt - self.pool_left)
        tax = accrued - self.accrued
        self.accrued = accrued
        term = (
            used
            - tax
            - shared["capex"]
            + (self.ap - ap_prev)
            - (self.ar - ar_prev)
            + (self.deferred - def_prev)
        )
        lines: dict[str, Any] = dict(shared)
        lines.update(
            credits_used=used,
            credits_lapsed=lapsed,
            credits_granted=granted,
            credit_balance=self.balance(),
            payables=self.ap,
            receivables=self.ar,
            deferred_revenue=self.deferred,
            tax=tax,
        )
        # cash_{t-1} - cash_t is net_burn_t alone only when none of these moved cash (asked for only in the
        # month cash runs out: a function, so that other months do not compute it)
        ap, ar, deferred, capex = self.ap, self.ar, self.deferred, shared["capex"]
        lines["quiet"] = lambda: (
            (used == 0)
            & (tax == 0)
            & (capex == 0)
            & (ap == ap_prev)
            & (ar == ar_prev)
            & (deferred == def_prev)
        )
        return term, lines

    def opening_credits(self) -> Value:
        """Month 0's credits: the opening grant (the rounds' come later)."""
        total = self.zero
        for g in self.co.c.grants:
            if g.month == 0:
                total = total + g.amount
        return total

    def _sum(self, q: deque[Value]) -> Value:
        if not q:
            return self.zero
        it = iter(q)
        total = next(it)
        for x in it:
            total = total + x
        return total
