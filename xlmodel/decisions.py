"""The decisions of an assumptions file: its changes over time and funding rounds, read and inherited.

::

    [[scenarios.base.changes]]
    month = "2025-04"          # or a plan month number
    ad_spend = 100_000_000     # from that month on
    [[scenarios.base.funding]]
    month = 9
    amount = 1.5e9

Months become plan months (``"YYYY-MM"`` needs ``[model] start``); a level
or an amount may be a range (``{ low = ..., high = ... }``), named
``ad_spend@4`` or ``funding@9`` among the scenario's ranges. A derived
scenario inherits the first scenario's decisions: a change for the same
(month, driver) overrides the inherited one, and rounds listed for a month
replace the inherited rounds of that month (docs/model.md, "Inheritance"). Used
by :mod:`xlmodel.assumptions`; every problem is an
:class:`~xlmodel.errors.AssumptionsError` naming the file, the scenario, the
entry and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dates import month_label, month_number
from .errors import AssumptionsError, InputError
from .params import CHANGE_DRIVERS, PARAMS, check
from .ranges import Range, parse_range

__all__ = ["Decisions", "read_decisions", "range_key", "FUNDING"]

#: the name of a funding round among a scenario's ranges: funding@<month>
FUNDING = "funding"


def range_key(driver: str, month: int) -> str:
    """The name a ranged change level or round amount goes by: ``ad_spend@4``, ``funding@9``."""
    return f"{driver}@{month}"


@dataclass
class Decisions:
    """One scenario's decisions: ``changes[(month, driver)]`` and ``funding[month]`` (a list of rounds),
    each value a number or a :class:`~xlmodel.ranges.Range`."""

    changes: dict[tuple[int, str], float | Range] = field(default_factory=dict)
    funding: dict[int, list[float | Range]] = field(default_factory=dict)

    def inherit(self, own: Decisions) -> Decisions:
        """This (the first scenario's) decisions, overridden by a derived scenario's ``own``."""
        return Decisions({**self.changes, **own.changes}, {**self.funding, **own.funding})

    def engine(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``(changes, funding)`` as the engine takes them, base values for ranges; a month whose rounds are
        all exactly 0 (``amount = 0`` removes inherited rounds) has none."""
        by_month: dict[int, dict[str, Any]] = {}
        for (month, driver), value in sorted(self.changes.items()):
            by_month.setdefault(month, {"month": month})[driver] = _base(value)
        rounds = [
            {"month": m, "amount": _base(a)}
            for m, amounts in sorted(self.funding.items())
            for a in amounts
            if not all(isinstance(x, (int, float)) and x == 0 for x in amounts)
        ]
        return list(by_month.values()), rounds

    def ranges(self) -> dict[str, Range]:
        """The ranged levels and amounts, by :func:`range_key`."""
        out = {range_key(d, m): v for (m, d), v in self.changes.items() if isinstance(v, Range)}
        for m, amounts in self.funding.items():
            ranged = [a for a in amounts if isinstance(a, Range)]
            if ranged:
                if len(amounts) > 1:
                    raise InputError(
                        "funding", f"funding: month {m}: a ranged round must be the month's only round"
                    )
                out[range_key(FUNDING, m)] = ranged[0]
        return out

    def at(self, key: str, value: float) -> Decisions:
        """These decisions with the ranged level or amount ``key`` (``ad_spend@4``) at ``value``."""
        driver, month = key.rsplit("@", 1)
        if driver == FUNDING:
            return Decisions(self.changes, {**self.funding, int(month): [value]})
        return Decisions({**self.changes, (int(month), driver): value}, self.funding)

    def __bool__(self) -> bool:
        return bool(self.changes or self.funding)


def _base(value: float | Range) -> float:
    return value.base if isinstance(value, Range) else value


def _level(path: str, scen: str, where: str, driver: str, value: object) -> float | Range:
    """A change level or a round amount: a number within its rule, or a range whose bounds are."""
    name = "amount" if driver == FUNDING else driver
    try:
        if isinstance(value, dict):
            return parse_range(name, value)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, int) and abs(value) > 1e300)
        ):
            raise InputError(name, f"{name} must be a number, got {value!r:.40}")
        check(name, value)
        return float(value)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None


def _entries(path: str, scen: str, table: str, value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        example = (
            "[[scenarios.NAME.changes]] month = 4, ad_spend = 100_000_000"
            if table == "changes"
            else "[[scenarios.NAME.funding]] month = 9, amount = 1.5e9"
        )
        raise AssumptionsError(path, f"must be an array of tables, e.g. {example}", scen, table)
    return value


def read_decisions(path: str, scen: str, raw: dict[str, Any], start: str | None, horizon: int) -> Decisions:
    """A scenario's own ``changes`` and ``funding`` arrays, checked, with plan months."""
    out = Decisions()
    for i, entry in enumerate(_entries(path, scen, "changes", raw.get("changes", [])), start=1):
        if "month" not in entry:
            raise AssumptionsError(
                path, "needs a month (a month number, or YYYY-MM with [model] start)", scen, f"changes[{i}]"
            )
        month = _month(path, scen, f"changes[{i}]", entry["month"], start, horizon)
        where = f"changes, month {_shown(month, start)}"
        drivers = [k for k in entry if k != "month"]
        if not drivers:
            raise AssumptionsError(
                path, "names no driver: give a driver and its level, e.g. ad_spend = 1e8", scen, where
            )
        for driver in drivers:
            if driver not in CHANGE_DRIVERS:
                hint = " (only these change over time: " + ", ".join(CHANGE_DRIVERS) + ")"
                if driver in PARAMS:
                    hint = f": {driver} does not change over time" + hint
                raise AssumptionsError(path, f"unknown driver {driver!r}{hint}", scen, where)
            if (month, driver) in out.changes:
                raise AssumptionsError(
                    path,
                    f"{driver} is changed twice in one month (one change per driver per month)",
                    scen,
                    where,
                )
            out.changes[(month, driver)] = _level(path, scen, where, driver, entry[driver])
    for i, entry in enumerate(_entries(path, scen, "funding", raw.get("funding", [])), start=1):
        unknown = [k for k in entry if k not in ("month", "amount")]
        if unknown:
            raise AssumptionsError(
                path,
                f"unknown key {unknown[0]!r} (a funding round has a month and an amount)",
                scen,
                f"funding[{i}]",
            )
        for k in ("month", "amount"):
            if k not in entry:
                raise AssumptionsError(
                    path, f"needs {'a' if k == 'month' else 'an'} {k}", scen, f"funding[{i}]"
                )
        month = _month(path, scen, f"funding[{i}]", entry["month"], start, horizon)
        where = f"funding, month {_shown(month, start)}"
        out.funding.setdefault(month, []).append(_level(path, scen, where, FUNDING, entry["amount"]))
    return out


def _shown(month: int, start: str | None) -> str:
    """A plan month as a message names it: ``4``, or ``2025-03 (month 4)`` on a calendar."""
    return str(month) if start is None else f"{month_label(month, start)} (month {month})"


def _month(path: str, scen: str, where: str, value: object, start: str | None, horizon: int) -> int:
    try:
        return month_number(value, start, horizon, "month")
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None


def plan_month(path: str, scen: str, key: str, value: object, start: str | None, horizon: int) -> int:
    """A scenario input that is a month (``raise_month``): a number or ``"YYYY-MM"``."""
    try:
        return month_number(value, start, horizon, key)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, key) from None
