"""What a plan answers (docs/model.md, "What a plan answers"): the runway, the funding need, break-even.

:func:`plan` runs the projection (:mod:`xlmodel.projection`) once and, month
by month, a :class:`_Answers` tracker that keeps only what the answers need;
:func:`runway_stream` runs the same tracker without keeping any month, so that
a simulation of a million draws over 120 months needs a few hundred megabytes,
not every month of every draw. Part of the engine (``xlmodel.engine``
re-exports every name). Pure Python and numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .closed_form import _out, monthly_rate
from .company import COMPANY_ROWS, uses_company
from .errors import InputError
from .funding_need import need_by_search
from .month_step import Months
from .params import check
from .payers import STOCK_OUTPUTS, uses_stocks
from .projection import Projection, project_checked, projection_inputs
from .statements import MonthStatements
from .timeline import Timeline

#: picks the scenarios that cross in a month from a line of values (flattened), or the line itself for one
Pick = Callable[[Any], Any]

__all__ = [
    "Plan",
    "plan",
    "runway_months",
    "runway_stream",
    "RunwayStream",
    "runway_from_cash",
    "PLAN_OUTPUTS",
    "plan_inputs",
    "plan_answers",
    "COMPANY_OUTPUTS",
    "reported_outputs",
]

#: the whole company's answers, reported when a scenario gives a version-4 input
COMPANY_OUTPUTS = (
    "ending_headcount",
    "ending_credits",
    "credits_used",
    "credits_lapsed",
    "ending_deferred_revenue",
    "capex_total",
    "tax_paid",
    "ending_payers",
    "balance_ok",
)
#: every answer of a plan, in the order calc prints them
PLAN_OUTPUTS = (
    "runway_months",
    "runway_months_without_funding",
    "runway_months_without_migration",
    "ending_cash",
    "cash_falling_at_horizon",
    "runway_after_horizon",
    "lowest_cash",
    "lowest_cash_month",
    "first_short_month",
    "funding_month",
    "funding_need",
    "breakeven_month",
    "default_alive",
    "burn_multiple",
    "compute_to_revenue",
    "plan_migration_npv",
    "plan_migration_payback_month",
    *COMPANY_OUTPUTS,
)


def reported_outputs(scenario: Mapping[str, Any]) -> list[str]:
    """The answers of :data:`PLAN_OUTPUTS` that a plan of ``scenario`` reports, in order (as calc prints them).

    ``runway_months_without_funding`` only with funding rounds; the whole company's answers only with a
    version-4 input (two stocks report their payers': :data:`xlmodel.payers.STOCK_OUTPUTS`); the plan's
    migration answers only with a ``migration_month``.
    """
    names = []
    for name in PLAN_OUTPUTS:
        if name == "runway_months_without_funding" and not scenario.get("funding"):
            continue
        if name in COMPANY_OUTPUTS and not uses_company(scenario):
            if not (uses_stocks(scenario) and name in STOCK_OUTPUTS):  # two stocks report their payers
                continue
        if (
            name in ("runway_months_without_migration", "plan_migration_npv", "plan_migration_payback_month")
            and scenario.get("migration_month") is None
        ):
            continue
        names.append(name)
    return names


#: months over which the burn multiple and compute-to-revenue are measured (the first year)
FIRST_YEAR = 12
#: the last months whose average recurring cash outflow tells whether cash still falls at the horizon
LAST_QUARTER = 3


def runway_from_cash(
    cash: ArrayLike,
    cash_by_month: ArrayLike,
    net_burn_by_month: ArrayLike,
    interest_by_month: ArrayLike | None = None,
    funding_by_month: ArrayLike | None = None,
) -> float | np.ndarray:
    """Fractional runway from a projection's rows (months last): docs/model.md's rule, version 3.

    For the first month t with ``cash_t < 0``: ``(t - 1) + cash_{t-1} / (cash_{t-1}
    - cash_t)``, with ``net_burn_t`` as the denominator in a month without
    interest or funding (version 2's runway, bit for bit); 0 when ``cash <= 0``
    at the start; ``inf`` when cash stays >= 0.
    """
    c0 = np.asarray(cash, dtype=float)
    cm = np.asarray(cash_by_month, dtype=float)
    burn = np.asarray(net_burn_by_month, dtype=float)
    neg = cm < 0
    hit = neg.any(axis=-1)
    first = neg.argmax(axis=-1)
    prev_all = np.concatenate([c0[..., None] * np.ones(cm.shape[:-1] + (1,)), cm[..., :-1]], axis=-1)
    at: Callable[[np.ndarray], np.ndarray] = lambda x: np.take_along_axis(
        np.broadcast_to(x, cm.shape), first[..., None], axis=-1
    )[..., 0]
    prev, b = at(prev_all), at(burn)
    if interest_by_month is not None or funding_by_month is not None:
        plain = np.ones(cm.shape, dtype=bool)
        for extra in (interest_by_month, funding_by_month):
            if extra is not None:
                plain &= np.asarray(extra, dtype=float) == 0
        b = np.where(at(plain), b, prev - at(cm))
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = first + prev / np.where(hit, b, 1.0)
    out = np.where(hit, frac, np.inf)
    out = np.where(c0 <= 0, 0.0, out)
    return _out(out)


class _Crossing:
    """The runway of one cash series, found month by month: where cash first goes below 0."""

    def __init__(self, start: ArrayLike):
        cash = np.asarray(start, dtype=float)
        self.run = np.where(cash <= 0, 0.0, np.inf)
        self.alive = cash > 0

    def month(self, k: int, prev: Any, cash: Any, denominator: Callable[[Pick], Any]) -> None:
        """Record ``k + cash_{t-1}/denominator`` where cash first goes below 0 in month ``t = k+1``.

        ``denominator(pick)``: the month's denominators, of the scenarios ``pick`` selects from a
        flattened row (only those that cross this month are computed)."""
        if not self.run.ndim:
            if self.alive and cash < 0:
                self.run = np.asarray(k + prev / denominator(lambda x: x))
                self.alive = np.asarray(False)
            return
        neg = (cash < 0) & self.alive
        if neg.any():
            idx = np.flatnonzero(neg)
            pick: Pick = lambda x: np.broadcast_to(x, neg.shape).reshape(-1)[idx]
            self.run.reshape(-1)[idx] = k + pick(prev) / denominator(pick)
            self.alive.reshape(-1)[idx] = False


class _Answers:
    """Every answer of "What a plan answers", kept month by month from the projection's lines.

    ``full``: all of them; otherwise the runways and ending cash only (what
    :func:`runway_months` needs), at the cost of a bare projection.
    """

    def __init__(self, v: dict[str, Any], shape: tuple[int, ...], h: int, months: Months, full: bool):
        self.v, self.shape, self.h, self.months, self.full = v, shape, h, months, full
        self.funding = bool(months.tl.funding) or "without_funding" in months.ledgers
        self.interest = months.i is not None
        self.company = months.company is not None  # cash moves by more than the net burn in some months
        self.migration = months.migration
        self.runway = _Crossing(v["cash"])
        self.runway_nf = _Crossing(v["cash"]) if self.funding and months.variants else None
        self.runway_w = _Crossing(v["cash"]) if self.migration and months.variants else None
        self.prev = self.prev_nf = self.prev_w = np.asarray(v["cash"], dtype=float)
        if not full:
            return
        z = np.zeros(shape)
        self.lowest, self.lowest_month = np.full(shape, np.inf), np.full(shape, np.inf)
        self.min_cash = v.get("min_cash", z)
        self.first_short = np.full(shape, np.inf)
        self.raise_month = v.get("raise_month")
        self.need, self.dpow = z.copy(), np.ones(shape)
        self.watch_from = v.get("watch_from")
        self.watch = np.full(shape, -np.inf)
        self.growth = 1 + months.i if months.i is not None else 1.0  # (self.interest)
        self.last_loss = z.copy()  # the last month with an operating loss (0: none)
        # the recurring cash outflow summed over the last min(3, horizon) months (rounds, capex, one-offs out)
        self.tail_from, self.tail_sum = h - min(LAST_QUARTER, h) + 1, z.copy()
        self.n = min(FIRST_YEAR, h)
        self.burn_sum, self.compute_sum, self.revenue_sum, self.revenue_n = (
            z.copy(),
            z.copy(),
            z.copy(),
            z.copy(),
        )
        self.books = MonthStatements(v["cash"], None) if self.company else None
        if self.books is not None:
            self.sums = {k: z.copy() for k in ("credits_used", "credits_lapsed", "capex", "tax")}
            self.balanced = np.ones(shape, dtype=bool)
        if self.migration:
            self.disc = np.ones(shape)
            self.d1 = 1 + monthly_rate(v.get("annual_discount_rate", 0.0))
            self.npv, self.payback = z.copy(), np.full(shape, np.inf)

    def month(self, k: int, row: dict[str, Any]) -> None:
        t = k + 1
        cash, burn = row["cash"], row["net_burn"]
        interest, funding = row["interest"], row["funding"]
        prev = self.prev

        quiet = row.get("quiet")

        def denominator(pick: Pick) -> Any:
            return self._denominator(pick, prev, cash, burn, interest, funding, quiet)

        self.runway.month(k, prev, cash, denominator)
        self.prev = np.array(cash, dtype=float)
        if self.runway_nf is not None:  # the same plan without its rounds
            self.prev_nf = self._variant(
                k,
                self.runway_nf,
                self.prev_nf,
                row["cash_without_funding"],
                burn,
                row["interest_without_funding"],
                0.0,
                row.get("quiet_without_funding"),
            )
        if self.runway_w is not None:  # the same plan without the migration
            self.prev_w = self._variant(
                k,
                self.runway_w,
                self.prev_w,
                row["cash_without_migration"],
                row["net_burn_without_migration"],
                row["interest_without_migration"],
                funding,
                row.get("quiet_without_migration"),
            )
        if self.full:
            self._plan_month(t, row, prev, cash, burn)

    def _denominator(
        self, pick: Pick, prev: Any, cash: Any, burn: Any, interest: Any, funding: Any, quiet: Any = None
    ) -> Any:
        """``cash_{t-1} - cash_t``, or ``net_burn_t`` in a month where cash moved by the net burn alone (no
        interest, round, and with the whole company no tax, capex, credits used or change in payables,
        receivables or deferred revenue: ``quiet``): version 2's runway, bit for bit, for the scenarios
        ``pick`` selects."""
        if not (self.interest or self.funding or self.company):
            return pick(burn)
        plain = (pick(interest) == 0) & (pick(funding) == 0)
        if quiet is not None:  # the whole company's: a function, computed only in a month cash runs out
            plain = plain & quiet(pick)
        return np.where(plain, pick(burn), pick(prev) - pick(cash))

    def _variant(
        self,
        k: int,
        crossing: _Crossing,
        prev: Any,
        cash: Any,
        burn: Any,
        interest: Any,
        funding: Any,
        quiet: Any = None,
    ) -> np.ndarray:
        crossing.month(
            k, prev, cash, lambda pick: self._denominator(pick, prev, cash, burn, interest, funding, quiet)
        )
        return np.array(cash, dtype=float)

    def _plan_month(self, t: int, row: dict[str, Any], prev: Any, cash: Any, burn: Any) -> None:
        lower = cash < self.lowest
        self.lowest = np.where(lower, cash, self.lowest)
        self.lowest_month = np.where(lower, t, self.lowest_month)
        short = (cash < self.min_cash) & np.isinf(self.first_short)
        self.first_short = np.where(short, t, self.first_short)
        start = self.first_short if self.raise_month is None else self.raise_month
        # the round that keeps cash at min_cash from the funding month on, discounted at the interest rate
        if self.interest:
            self.dpow = np.where(t > start, self.dpow * self.growth, 1.0)
        with np.errstate(invalid="ignore"):
            gap = (self.min_cash - cash) / self.dpow
        self.need = np.where(t >= start, np.maximum(self.need, gap), self.need)
        if (
            self.watch_from is not None
        ):  # a trial round's plan: its largest shortfall from the funding month on
            self.watch = np.where(
                t >= self.watch_from, np.maximum(self.watch, self.min_cash - cash), self.watch
            )
        if (
            self.books is not None
        ):  # the statements of this month, for the balance check, and the company's sums
            if t == 1:
                self.books = MonthStatements(self.v["cash"], row["company_opening"])
            lines = self.books.month(row)
            self.balanced = self.balanced & lines["balance_ok"]
            for k in self.sums:
                self.sums[k] = self.sums[k] + row[k]
            self.last = {k: np.array(row[k], dtype=float) for k in ("headcount", "credit_balance",
                                                                    "deferred_revenue", "paying_users")}  # fmt: skip
        one_off = row.get("migration_one_off", 0.0)
        self.last_loss = np.where(burn - one_off > 0, t, self.last_loss)
        if t >= self.tail_from:  # cash_{t-1} - cash_t with the rounds, capex and one-offs left out
            outflow = prev - cash + row["funding"] - row.get("capex", 0.0) - one_off
            self.tail_sum = self.tail_sum + outflow
        if t <= self.n:
            self.burn_sum = self.burn_sum + burn
            self.compute_sum = self.compute_sum + row["compute"]
            self.revenue_sum = self.revenue_sum + row["revenue"]
            if t == self.n:
                self.revenue_n = np.array(row["revenue"], dtype=float)
        if self.migration:
            self.disc = self.disc * self.d1
            self.npv = self.npv + (row["net_burn_without_migration"] - burn) / self.disc
            paid_back = (t >= self.v["migration_month"]) & (self.npv >= 0) & np.isinf(self.payback)
            self.payback = np.where(paid_back, t, self.payback)

    def answers(self) -> dict[str, np.ndarray]:
        out = {"runway_months": self.runway.run, "ending_cash": np.asarray(self.prev)}
        out["runway_months_without_funding"] = (
            self.runway_nf.run if self.runway_nf is not None else self.runway.run
        )
        if self.runway_w is not None:
            out["runway_months_without_migration"] = self.runway_w.run
            out["ending_cash_without_migration"] = np.asarray(self.prev_w)
        if not self.full:
            return out
        v = self.v
        out["lowest_cash"], out["lowest_cash_month"] = self.lowest, self.lowest_month
        out["first_short_month"] = self.first_short
        month = (
            self.first_short if self.raise_month is None else np.broadcast_to(self.raise_month, self.shape)
        )
        out["funding_month"] = np.asarray(month, dtype=float)
        out["funding_need"] = np.where(np.isinf(month), 0.0, self.need)
        if self.watch_from is not None:
            out["shortfall_from_watch"] = self.watch
        out["shortfall_before_raise"] = (
            np.broadcast_to(self.first_short < month, self.shape)
            if self.raise_month is not None
            else np.zeros(self.shape, dtype=bool)
        )
        # honest horizons: is cash still falling at the last month, and when would it run out at that burn?
        burn_h = self.tail_sum / (self.h - self.tail_from + 1)
        falling = burn_h > 0
        out["cash_falling_at_horizon"] = np.broadcast_to(falling, self.shape).copy()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            after = self.h + np.asarray(self.prev, dtype=float) / np.where(falling, burn_h, 1.0)
        out["runway_after_horizon"] = np.where(falling & np.isinf(self.runway.run), after, np.nan)
        breakeven = self.last_loss + 1
        out["breakeven_month"] = np.where(breakeven > self.h, np.inf, breakeven)
        out["default_alive"] = ~np.isinf(out["breakeven_month"]) & (
            out["breakeven_month"] <= out["runway_months_without_funding"]
        )
        # month 0's revenue in the projection's own order of operations, so that flat revenue is exactly flat
        revenue_0 = v["mau"] * v["conversion"] * v["arppu"] / (1 + v["vat"]) * (1 - v["store_fee"])
        growth = self.revenue_n - revenue_0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out["burn_multiple"] = np.where(growth > 0, self.burn_sum / (FIRST_YEAR * growth), np.nan)
            out["compute_to_revenue"] = np.where(
                self.revenue_sum > 0, self.compute_sum / self.revenue_sum, np.nan
            )
        if self.books is not None:
            out.update(
                ending_headcount=self.last["headcount"],
                ending_credits=self.last["credit_balance"],
                credits_used=self.sums["credits_used"],
                credits_lapsed=self.sums["credits_lapsed"],
                ending_deferred_revenue=self.last["deferred_revenue"],
                capex_total=self.sums["capex"],
                tax_paid=self.sums["tax"],
                ending_payers=self.last["paying_users"],
                balance_ok=np.broadcast_to(self.balanced, self.shape).copy(),
            )
        if self.migration:
            within = v["migration_month"] <= self.h  # after the horizon: n/a
            out["plan_migration_npv"] = np.where(within, self.npv, np.nan)
            out["plan_migration_payback_month"] = np.where(within, self.payback, np.nan)
        return out


def _stream(v: dict[str, Any], h: int, tl: Timeline, full: bool, variants: bool) -> dict[str, np.ndarray]:
    """Walk the projection once keeping no month: the answers only."""
    shape = v["cash"].shape
    months = Months(v, shape, tl, variants=variants)
    answers = _Answers(v, shape, h, months, full)
    if shape:  # scratch lines, one set reused every month; cash alternates between two. The company's lines
        # are none of them: a ledger holds its own for the month (Months.step keeps o's a month and more)
        scratch = {n: np.empty(shape) for n in months.rows if n not in COMPANY_ROWS}
        cash = [scratch["cash"], np.empty(shape)]
    with np.errstate(all="ignore"):  # an overflow is an error below, not a warning
        for k in range(h):
            if shape:
                scratch["cash"] = cash[k % 2]
                answers.month(k, months.step(k, scratch))
            else:
                answers.month(k, months.step(k))
    months.overflow_check()
    out = answers.answers()
    if full and months.taxed_interest and "watch_from" not in v:
        out["funding_need"] = _need_with_tax(v, h, tl, out)
    return out


def _need_with_tax(v: dict[str, Any], h: int, tl: Timeline, out: dict[str, np.ndarray]) -> np.ndarray:
    """The funding need found by search when a round's interest is taxed (:mod:`xlmodel.funding_need`)."""
    month = np.broadcast_to(out["funding_month"], v["cash"].shape)
    if not np.isfinite(month).any():
        return out["funding_need"]

    def shortfall(amount: np.ndarray) -> np.ndarray:
        rounds = dict(tl.funding)
        for m in np.unique(month[np.isfinite(month)]).astype(int):
            extra = np.where(month == m, amount, 0.0)
            rounds[m] = rounds[m] + extra if m in rounds else extra
        trial = Timeline(tl.changes, dict(sorted(rounds.items())))
        return _stream({**v, "watch_from": month}, h, trial, full=True, variants=True)["shortfall_from_watch"]

    return need_by_search(shortfall, out["funding_need"])


@dataclass(frozen=True)
class RunwayStream:
    """What :func:`runway_stream` keeps of a projection: the runway and the cash at the horizon.

    The ``..._without_migration`` fields are set when asked for and a
    ``migration_month`` is given: the same plan with all traffic on the
    large model (no saving, no one-off cost, no revenue loss).
    ``runway_months_without_funding``: the same plan without its rounds.
    ``answers``: every answer of the plan, with ``answers=True``.
    """

    runway_months: float | np.ndarray
    ending_cash: float | np.ndarray
    runway_months_without_migration: float | np.ndarray | None = None
    ending_cash_without_migration: float | np.ndarray | None = None
    runway_months_without_funding: float | np.ndarray | None = None
    answers: dict[str, Any] = field(default_factory=dict)


def runway_stream(*, without_migration: bool = False, answers: bool = False, **scenario: Any) -> RunwayStream:
    """The runway and ending cash of :func:`project`, month by month, keeping no month it has passed.

    Takes the arguments of :func:`project`; memory is a few arrays of the
    scenario shape whatever the horizon (a million scenarios over 120 months
    need ~150 MB, not the ~13 GB of the full projection). Bit for bit the
    runway of :func:`runway_from_cash` on :func:`project`'s rows, since both
    run the same month step. ``without_migration=True`` also follows the plan
    with all traffic on the large model, and without its funding rounds, in
    the same pass; ``answers=True`` every answer of :func:`plan` too.
    """
    v, h, tl = projection_inputs(scenario)
    if answers:
        v.update(plan_inputs(scenario, h, v["cash"].shape))
    out = _stream(v, h, tl, full=answers, variants=without_migration or answers)
    res = {k: _value(x) for k, x in out.items()}
    return RunwayStream(
        res["runway_months"],
        res["ending_cash"],
        res.get("runway_months_without_migration"),
        res.get("ending_cash_without_migration"),
        res.get("runway_months_without_funding"),
        res if answers else {},
    )


def _value(x: ArrayLike) -> Any:
    """A plain value: a bool (or a bool array) for a flag, else :func:`_out`'s float (or array)."""
    a = np.asarray(x)
    if a.dtype == bool:
        return bool(a) if a.ndim == 0 else a.copy()
    return _out(a)


def _given(scenario: Mapping[str, Any], name: str) -> Any:
    """The scenario's value of ``name``, or 0.0 when it is not given: never ``value or 0.0``, which asks the
    truth of an array of trial values (a goal seek or a grid over ``name``)."""
    value = scenario.get(name)
    return 0.0 if value is None else value


def plan_inputs(scenario: Mapping[str, Any], h: int, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The inputs only the answers use: the cash buffer, the raise month, the discount rate."""
    out = {
        "min_cash": np.broadcast_to(check("min_cash", _given(scenario, "min_cash")), shape),
        "annual_discount_rate": check("annual_discount_rate", _given(scenario, "annual_discount_rate")),
    }
    given = scenario.get("raise_month")
    if given is not None:
        r = check("raise_month", given)
        if np.any(r > h):
            raise InputError(
                "raise_month", f"raise_month must be within the horizon, 1 to {h}, got {float(np.max(r)):g}"
            )
        out["raise_month"] = r
    return out


def runway_months(**scenario: Any) -> float | np.ndarray:
    """Months until cash runs out, fractional; ``math.inf`` if it never does.

    Takes the arguments of :func:`project` and vectorises the same way.

    Notes
    -----
    For the first month t with ``cash_t < 0``: ``(t - 1) + cash_{t-1} /
    (cash_{t-1} - cash_t)`` (linear within the month; ``net_burn_t`` is that
    difference in a month without interest or funding); 0 when ``cash <= 0``
    at the start; ``inf`` ("never") when cash stays >= 0 through ``horizon``.
    A round in the crossing month that keeps cash at or above 0 avoids the
    run-out; a later round does not undo an earlier crossing.

    Examples
    --------
    Cash 1.2M, fixed costs 150k and revenue 50k a month, nothing else:

    >>> runway_months(cash=1.2e6, mau=5e4, ad_spend=0, cac=1, churn=0, conversion=1,
    ...               arppu=1, cost_per_mau=0, fixed_costs=1.5e5)
    12.0
    """
    return runway_stream(**scenario).runway_months


@dataclass(frozen=True)
class Plan:
    """A plan over time: its projection and every answer of docs/model.md's "What a plan answers".

    ``outputs``: name -> value (``inf`` is never, ``nan`` n/a; ``default_alive``
    and ``shortfall_before_raise`` are booleans); ``projection``: the monthly
    lines.
    """

    projection: Projection
    outputs: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.outputs[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["outputs"][key]
        except KeyError:
            raise AttributeError(key) from None


def plan(**scenario: Any) -> Plan:
    """Project a plan and answer "how long does the cash last, how much must we raise, when do we break even?".

    Takes the arguments of :func:`project` (``changes`` and ``funding``
    included) and ``min_cash``, ``raise_month`` and ``annual_discount_rate``.
    Vectorises like :func:`project`.

    Returns
    -------
    Plan
        ``plan.projection`` and, in ``plan.outputs`` (also ``plan.funding_need``,
        ...): ``runway_months``, ``runway_months_without_funding``,
        ``runway_months_without_migration`` (with a migration),
        ``ending_cash``, ``lowest_cash``, ``lowest_cash_month``,
        ``first_short_month``, ``funding_month``, ``funding_need``,
        ``shortfall_before_raise``, ``breakeven_month``, ``default_alive``,
        ``burn_multiple``, ``compute_to_revenue``, ``plan_migration_npv`` and
        ``plan_migration_payback_month`` (with a migration).

    Notes
    -----
    docs/model.md, "What a plan answers": ``funding_need = max(0, max over t =
    funding_month..horizon of (min_cash - cash_t) / (1 + i) ** (t -
    funding_month))``, the smallest round in ``funding_month`` (``raise_month``,
    else the first month short of ``min_cash``) that keeps cash at or above
    ``min_cash`` to the horizon; ``breakeven_month`` the first month from which
    every month's ``net_burn_t - one_off_t <= 0``; ``default_alive`` when it
    comes no later than the runway without the planned rounds;
    ``burn_multiple = sum(net_burn_1..n) / (12 * (revenue_n - revenue_0))`` and
    ``compute_to_revenue = sum(compute_1..n) / sum(revenue_1..n)``, n =
    min(12, horizon); ``plan_migration_npv`` the discounted burn of the plan
    without the migration less the plan's.

    Examples
    --------
    Burn 100 a month from 1,000, keep 300: raise 1,000 - 300 ... in month 8.

    >>> p = plan(cash=1000, mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0,
    ...          fixed_costs=100, horizon=12, min_cash=300)
    >>> p.first_short_month, p.funding_need, p.runway_months
    (8.0, 500.0, 10.0)
    """
    v, h, tl = projection_inputs(scenario)
    shape = v["cash"].shape
    v.update(plan_inputs(scenario, h, shape))
    months = Months(v, shape, tl, variants=True)
    answers = _Answers(v, shape, h, months, full=True)
    projection = project_checked(v, h, tl, months, answers.month)
    out = answers.answers()
    if months.taxed_interest:
        out["funding_need"] = _need_with_tax(v, h, tl, out)
    return Plan(projection, {k: _value(x) for k, x in out.items()})


def plan_answers(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """Every answer of :func:`plan` for one scenario as plain values (``inf`` never, ``None`` n/a)."""
    p = runway_stream(**scenario, answers=True).answers
    return {k: (None if isinstance(x, float) and math.isnan(x) else x) for k, x in p.items()}
