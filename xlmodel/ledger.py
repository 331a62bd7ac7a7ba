"""The whole company one month at a time (docs/model.md, "The whole company"): :class:`Company` holds what is the
same on every cash path of a plan (the payroll and headcount by month, the capex and its depreciation); a
:class:`Ledger` holds what follows one cash path (the credits, payables, receivables and the tax with its loss
pool): the plan, the plan without its rounds (which drops their credits too) and the plan without its migration
each have one. :class:`xlmodel.month_step.Months` calls them with the inputs :func:`xlmodel.company.company_inputs`
checked.

For arrays of scenarios both compute into buffers allocated once, so that a month of a large simulation allocates
nothing: a line they return holds until the next month's step (a caller that keeps lines copies them, as
:func:`xlmodel.projection.project` does into its storage). One scenario runs on numpy float64 scalars and Python's
operators: the same IEEE operations in the same order, so a scenario gives the same bits alone and in an array.
Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import numpy as np

from .company import DEPARTMENTS, CapexEntry, CompanyInputs, Grant, Value

__all__ = ["Company", "Ledger"]


class Company:
    """What every cash path of one plan shares, month by month: the payroll by department and the headcount
    (docs/model.md, "The team"), the capex and its depreciation.

    For arrays of scenarios each sum has a buffer of its own, written again in place when it changes: a line
    returned by :meth:`month` holds until the next month's."""

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
        # what the sums of the last event month were made of (a sum is made again only when its parts change)
        self._paid: dict[int, Value] = {}  # entry -> its pay at this fiscal year's level
        self._active: dict[str, tuple[int, ...]] = {}  # department, "team", "capex" -> entries in the sum
        self._dep = [x.amount / x.life for x in c.capex]
        self._buffers: dict[str, np.ndarray] = {}
        # the months whose payroll or depreciation differ from the month before: an entry starts or ends, a raise
        self.events = set(self.starts)
        self.events.update(m for e in c.team for m in (e.first, int(min(e.last, 10**6)) + 1))
        self.events.update(m for x in c.capex for m in (x.month, x.month + x.life))
        self.bought: dict[int, list[CapexEntry]] = {}
        for x in c.capex:
            self.bought.setdefault(x.month, []).append(x)

    def month(self, k: int) -> dict[str, Value]:
        """The shared lines of month ``t = k + 1`` (computed once, whichever path asks first). Payroll and
        depreciation are summed again only in a month where an entry starts or ends or a raise falls, and only
        the sums whose entries or pay level changed; other months reuse last month's arrays (nothing writes
        into them)."""
        if k == self._k:
            return self.now
        t = k + 1
        c = self.c
        raised = t in self.starts
        if raised:
            self.years += 1
            self.raise_ = np.power(1 + c.salary_growth, self.years)
            self._paid.clear()
        if t == 1 or t in self.events:
            now = dict(self.now)
            team = tuple(i for i, e in enumerate(c.team) if e.first <= t <= e.last)
            changed = False
            for d in DEPARTMENTS:  # each sum in entry order: 0 + pay_1 * raise + pay_2 * raise + ...
                entries = tuple(i for i in team if c.team[i].department == d)
                if t == 1 or raised or entries != self._active.get(d):
                    now[f"payroll_{d}"] = self._sum(f"payroll_{d}", (self._pay(i) for i in entries))
                    self._active[d], changed = entries, True
            if changed:
                parts = (now["payroll_sm"], now["payroll_ga"], now["payroll_ops"])
                now["payroll"] = self._sum("payroll", parts, now["payroll_rd"])
            if t == 1 or team != self._active.get("team"):
                now["headcount"] = self._sum("headcount", (c.team[i].count for i in team))
                self._active["team"] = team
            owned = tuple(j for j, x in enumerate(c.capex) if x.month <= t <= x.month + x.life - 1)
            if t == 1 or owned != self._active.get("capex"):
                now["depreciation"] = self._sum("depreciation", (self._dep[j] for j in owned))
                self._active["capex"] = owned
            self.now = now
        else:
            self.now = dict(self.now)
        capex = self.zero
        for x in self.bought.get(t, ()):
            capex = capex + x.amount
        self.now["capex"] = capex
        self._k = k
        return self.now

    def _pay(self, i: int) -> Value:
        """Entry ``i``'s monthly pay at this fiscal year's level: ``count * salary * (1 + on_cost) * raise``."""
        if i not in self._paid:
            self._paid[i] = _op(np.multiply, self.pay[i], self.raise_, self._buffer(f"pay {i}"))
        return self._paid[i]

    def _sum(self, name: str, values: Iterable[Value], first: Value | None = None) -> Value:
        """``first + v_1 + v_2 + ...`` in order, into the buffer ``name`` (``first``: the shared zero; the zero
        itself when there is nothing to add)."""
        total = self.zero if first is None else first
        for x in values:
            total = _op(np.add, total, x, self._buffer(name))
        return total

    def _buffer(self, name: str) -> np.ndarray | None:
        """The buffer of a sum (None for one scenario's scalars)."""
        if not self.arrays:
            return None
        if name not in self._buffers:
            self._buffers[name] = np.empty(self.shape)
        return self._buffers[name]


class Ledger:
    """What follows one cash path: compute credits (used before cash, by expiry), payables and receivables at
    their terms, and tax by fiscal year against the loss pool (docs/model.md, "Credits", "Terms", "Tax").

    ``rounds``: whether the rounds' credits are granted (the plan without its rounds drops them).

    Arrays of scenarios are computed into buffers allocated once (the ledger's state, and the lines a caller
    hands in ``o``), so that a month allocates nothing; a line returned by :meth:`step` holds until the next
    month's step. An operation is left out only where it cannot change a bit (``x - 0``).
    """

    def __init__(self, company: Company, rounds: bool = True):
        self.co = company
        c = company.c
        zero = company.zero
        self.zero = zero
        # pools of credits by expiry month; the opening credits are usable from month 1
        self.pools: dict[float, Value] = {}
        self.spent: set[float] = set()  # pools used up in every scenario (step)
        self.later: dict[int, list[Grant]] = {}
        for g in c.grants:
            if g.month == 0:
                self.pools[g.expiry] = self.pools.get(g.expiry, zero) + g.amount
            elif rounds:
                self.later.setdefault(g.month, []).append(g)
        arrays = company.arrays
        # (a single unpaid bill is read only in its month, into the payables' sum: it needs no copy of its own)
        self.unpaid_compute = _Bills(c.compute_terms, arrays, copy_one=False)
        self.unpaid_ad = _Bills(c.ad_terms, arrays, copy_one=False)
        self.billed = _Bills(c.collection_lag, arrays)
        self.ap: Value = zero
        self.ar: Value = zero
        self.deferred: Value = zero  # deferred revenue: 0 until annual plans exist
        self.held: Value = zero  # payables - receivables + deferred revenue (_held)
        self.opening: dict[str, Value] = {}
        self.beyond: Value = -c.tax_losses  # this fiscal year's earnings before tax so far less its loss pool
        self.accrued: Value = zero
        self.starts = set(c.year_starts[1:])
        # arrays of scenarios: one buffer per intermediate, two for each balance carried to the next month
        self._b: dict[str, np.ndarray] = {}
        if arrays:
            names = ("remaining", "take", "credits_used", "credit_balance", "beyond", "tax", "term", "change")
            self._b = {n: np.empty(company.shape) for n in names}
            self._two = {
                n: (np.empty(company.shape), np.empty(company.shape)) for n in ("ap", "ar", "accrued", "held")
            }

    def _out(self, name: str, o: Mapping[str, np.ndarray] | None = None) -> np.ndarray | None:
        """Where a line of this month goes: the caller's buffer ``o[name]``, else the ledger's (None: scalars)."""
        if o is not None and name in o:
            return o[name]
        return self._b.get(name)

    def _next(
        self, name: str, now: Value | None, o: Mapping[str, np.ndarray] | None = None, line: str = ""
    ) -> np.ndarray | None:
        """Where this month's balance goes: the caller's buffer ``o[line]`` (kept beyond next month), else the
        one of the ledger's two buffers that does not hold ``now`` (None: scalars)."""
        if not self._b:
            return None
        if o is not None and line in o:
            return o[line]
        a, b = self._two[name]
        return b if now is a else a

    def balance(self, out: np.ndarray | None = None) -> Value:
        """The credits held now (after this month's use, lapse and grant): ``0 + pool_1 + pool_2 + ...``, where
        ``0 + pool_1`` is ``pool_1`` itself (a pool is never -0)."""
        pools = (pool for e, pool in self.pools.items() if e not in self.spent)
        total = next(pools, self.zero)
        for amount in pools:
            total = _op(np.add, total, amount, out)
        return total

    def step(
        self,
        k: int,
        ad: Value,
        compute: Value,
        revenue: Value,
        net_burn: Value,
        interest: Value,
        billing: tuple[Value, Value, Value] | None = None,
        o: Mapping[str, np.ndarray] | None = None,
        kept: bool = False,
    ) -> tuple[Value, dict[str, Value]]:
        """Month ``t = k + 1`` of this path: the cash term to add after version 3's cash, and the lines.

        The term is ``used - tax - capex + (ap - ap_prev) - (ar - ar_prev) + (deferred - deferred_prev)``.
        ``billing``: with annual plans (:mod:`xlmodel.payers`), the month's billed revenue, its monthly plans'
        billing (what receivables hold before month 1) and the deferred revenue; without, all is ``revenue``.
        ``o``: buffers for the lines (credits used, credit balance, payables, receivables, tax) to be written
        into, which keep them at least until the next month's step (:func:`~xlmodel.projection.project`'s
        storage); ``kept``: ``o`` holds rows of that storage, never written again (a bill that is one of them
        needs no copy)."""
        t = k + 1
        billed, monthly_billing = (revenue, revenue) if billing is None else billing[:2]
        shared = self.co.month(k)
        zero = self.zero
        # credits: use (by expiry, never last), lapse, grant
        used = zero
        # a pool used up in every scenario takes 0 and lapses 0 until a grant fills it again: it is left out of
        # the sums (x + 0 is x) but keeps its place, so that the balance adds the pools in the same order whatever
        # scenarios a ledger holds (a scenario alone, in an array, in a chunk)
        self.spent.update(e for e, pool in self.pools.items() if e not in self.spent and not np.any(pool))
        expiries = sorted(e for e in self.pools if e not in self.spent)
        if expiries:
            remaining = _max0(compute, self._out("remaining"))
            out, take_out = self._out("credits_used", o), self._out("take")
            for i, expiry in enumerate(expiries):
                pool = self.pools[expiry]
                into = out if i == 0 else take_out  # (the first pool's take is the sum so far: 0 + take)
                take = np.minimum(pool, remaining) if into is None else np.minimum(pool, remaining, out=into)
                self.pools[expiry] = _op(np.subtract, pool, take, pool if self._b else None)
                if i < len(expiries) - 1:  # (the last pool's leftover need is not used)
                    remaining = _op(np.subtract, remaining, take, remaining if self._b else None)
                used = take if i == 0 else _op(np.add, used, take, out)
        lapsed = self.pools.pop(float(t), zero)
        if float(t) in self.spent:
            lapsed = zero
            self.spent.discard(float(t))
        granted = zero
        for g in self.later.pop(t, ()):
            self.pools[g.expiry] = self.pools.get(g.expiry, zero) + g.amount
            self.spent.discard(g.expiry)
            granted = granted + g.amount
        # terms: bills of months before month 1 equal month 1's (receivables: monthly billing only)
        if t == 1:
            self.unpaid_compute.fill(compute - used)
            self.unpaid_ad.fill(ad)
            self.billed.fill(monthly_billing)
            self.ap = self._payables(self._next("ap", self.ap))
            self.ar = self.billed.total(zero, self._next("ar", None))
            self.held = self._held(self._next("held", None))
            self.opening = {
                "payables": _copy(self.ap),
                "receivables": _copy(self.ar),
                "credits": self.opening_credits(),
            }
        ap_prev, ar_prev, def_prev = self.ap, self.ar, self.deferred
        if billing is not None:
            self.deferred = billing[2]
        self.unpaid_compute.push_difference(compute, used)
        # (a bill that is a row of the projection's storage holds: it needs no copy)
        self.unpaid_ad.push(ad, kept and o is not None and ad is o.get("ad_spend"))
        self.billed.push(billed, kept and o is not None and billed is o.get("revenue"))
        self.ap = self._payables(self._next("ap", self.ap, o, "payables"))
        self.ar = self.billed.total(zero, self._next("ar", self.ar, o, "receivables"))
        # tax by fiscal year, accrued month by month against the loss pool at the year's start: the year's
        # earnings before tax so far beyond that pool (year_ebt - pool) are kept as one sum
        c = self.co.c
        if t in self.starts:  # the pool left, max(0, pool - year_ebt), starts the new year's sum at -pool
            self.beyond, self.accrued = -np.maximum(0.0, -self.beyond), zero
        beyond = self.beyond
        if np.ndim(interest) or interest != 0:  # + interest - net_burn - depreciation - lapsed
            beyond = _op(np.add, beyond, interest, self._out("beyond"))
        beyond = _op(np.subtract, beyond, net_burn, self._out("beyond"))
        for cost in (shared["depreciation"], lapsed):
            if cost is not zero:  # (x - 0 is x, bit for bit)
                beyond = _op(np.subtract, beyond, cost, self._out("beyond"))
        self.beyond = gain = beyond
        buffer = self._next("accrued", self.accrued)
        untaxed = self.accrued is zero and np.all(gain <= 0)  # no tax yet this year, in any scenario
        if untaxed:  # (0, not written)
            tax = zero
        else:
            accrued = _op(np.multiply, c.tax_rate, np.maximum(0.0, gain, out=buffer), buffer)
            tax = _op(np.subtract, accrued, self.accrued, self._out("tax", o))
            self.accrued = accrued
        term = _op(np.subtract, used, tax, self._out("term"))
        if shared["capex"] is not zero:
            term = _op(np.subtract, term, shared["capex"], term if self._b else None)
        # + (ap - ap_prev) - (ar - ar_prev) + (deferred - deferred_prev), as the change in what others hold
        held_prev, self.held = self.held, self._held(self._next("held", self.held))
        if self.held is not zero or held_prev is not zero:  # (else 0 - 0: nothing moved)
            moved = _op(np.subtract, self.held, held_prev, self._out("change"))
            term = _op(np.add, term, moved, term if self._b else None)
        lines: dict[str, Any] = dict(shared)
        lines.update(
            credits_used=used,
            credits_lapsed=lapsed,
            credits_granted=granted,
            credit_balance=self.balance(self._out("credit_balance", o)),
            payables=self.ap,
            receivables=self.ar,
            deferred_revenue=self.deferred,
            tax=tax,
        )
        # cash_{t-1} - cash_t is net_burn_t alone only when none of these moved cash (asked for only in the
        # month cash runs out, of the scenarios that run out, ``pick``: a function, so that other months and
        # scenarios do not compute it)
        ap, ar, deferred, capex = self.ap, self.ar, self.deferred, shared["capex"]
        lines["quiet"] = lambda pick: (
            (pick(used) == 0)
            & (pick(tax) == 0)
            & (pick(capex) == 0)
            & (pick(ap) == pick(ap_prev))
            & (pick(ar) == pick(ar_prev))
            & (pick(deferred) == pick(def_prev))
        )
        return term, lines

    def _held(self, out: np.ndarray | None) -> Value:
        """``payables - receivables + deferred revenue``: what the company holds of its suppliers' and buyers'
        money, net of what its buyers hold of its own; the shared zero when all three are (none is added, a
        lone payables is itself)."""
        total = self.zero
        for sign, x in ((np.add, self.ap), (np.subtract, self.ar), (np.add, self.deferred)):
            if x is self.zero:
                continue
            total = x if total is self.zero and sign is np.add else _op(sign, total, x, out)
        return total

    def _payables(self, out: np.ndarray | None) -> Value:
        """The unpaid compute and ad bills: ``sum(unpaid compute) + sum(unpaid ad)``."""
        zero = self.zero
        return _op(np.add, self.unpaid_compute.total(zero), self.unpaid_ad.total(zero), out)

    def opening_credits(self) -> Value:
        """Month 0's credits: the opening grant (the rounds' come later)."""
        total = self.zero
        for g in self.co.c.grants:
            if g.month == 0:
                total = total + g.amount
        return total


class _Bills:
    """The last ``n`` months' bills (unpaid, or billed and not collected), oldest first. For arrays of scenarios
    ``n + 1`` buffers of its own take turns: a bill that must be copied is written into the one that left the
    window the longest ago (the month before, at the latest: last month's total, when it is a bill itself,
    still holds). ``copy_one=False``: a single bill is kept as given (its total is read only in its month, into
    another sum); a bill the caller keeps (a row of the projection's storage) is never copied."""

    def __init__(self, n: int, arrays: bool, copy_one: bool = True):
        self.n, self.arrays = n, arrays
        self.items: deque[Value] = deque()
        self.free: deque[np.ndarray] = deque()  # the buffers of its own that hold no bill now
        self.own: set[int] = set()  # (their ids)
        self.copy = n > 1 or copy_one  # whether a pushed bill needs a copy of its own

    def fill(self, x: Value) -> None:
        """Before month 1: ``n`` bills of ``x`` (month 1's)."""
        self.items = deque(_copy(x) for _ in range(self.n))
        if self.arrays and self.n:
            self.free = deque([np.empty_like(self.items[0])])
            self.own = {id(b) for b in (*self.items, *self.free)}

    def _drop(self) -> None:
        """The oldest bill leaves the window (its buffer, when it is one of its own, is free again)."""
        oldest = self.items.popleft()
        if id(oldest) in self.own:
            self.free.append(cast(np.ndarray, oldest))

    def push(self, x: Value, kept: bool = False) -> None:
        """Drop the oldest bill and add ``x``, copied when it must outlive the month (``x`` may be a buffer the
        caller writes again; ``kept``: it is not)."""
        if not self.n:
            return
        self._drop()
        if self.free and self.copy and not kept and isinstance(x, np.ndarray):
            buffer = self.free.popleft()
            np.copyto(buffer, x)
            x = buffer
        self.items.append(x)

    def push_difference(self, a: Value, b: Value) -> None:
        """Drop the oldest bill and add ``a - b``, computed straight into a buffer of its own."""
        if not self.n:
            return
        self._drop()
        self.items.append(_op(np.subtract, a, b, self.free.popleft() if self.free else None))

    def total(self, zero: Value, out: np.ndarray | None = None) -> Value:
        """``b_1 + ... + b_n``, oldest first (``zero`` when there is none; the bill itself when one)."""
        if not self.n:
            return zero
        it = iter(self.items)
        total = next(it)
        for x in it:
            total = _op(np.add, total, x, out)
        return total


#: one scenario's scalars use Python's operators (the same IEEE operations, without a ufunc's overhead)
_SCALAR: dict[Any, Callable[[Any, Any], Any]] = {
    np.add: operator.add,
    np.subtract: operator.sub,
    np.multiply: operator.mul,
}


def _op(ufunc: np.ufunc, a: Value, b: Value, out: Value | None) -> Value:
    """``ufunc(a, b)``, into ``out`` when it is an array (arrays of scenarios), else with Python's operator."""
    result: Value = ufunc(a, b, out=out) if isinstance(out, np.ndarray) else _SCALAR[ufunc](a, b)
    return result


def _max0(x: Value, out: np.ndarray | None) -> Value:
    return np.maximum(x, 0.0) if out is None else np.maximum(x, 0.0, out=out)


def _copy(x: Value) -> Value:
    """An array's own copy (a line may be a buffer written again next month); a scalar as it is."""
    return np.array(x, dtype=float) if isinstance(x, np.ndarray) else x
