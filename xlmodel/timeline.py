"""Changes over time and funding rounds: what a plan decides on a date (docs/model.md, "A plan over time").

A change sets one driver's level from a month on (``{"month": 4, "ad_spend":
1e8}``); a funding round adds cash at the end of a month (``{"month": 9,
"amount": 1.5e9}``). :func:`timeline` checks both against the rules of
MODEL.md and returns a :class:`Timeline` that the projection walks month by
month. Months here are plan months 1..horizon; an assumptions file's
``"YYYY-MM"`` months are turned into plan months where the file is read.
Levels and amounts may be numbers or arrays of scenarios. Pure Python and
numpy, nothing at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .errors import InputError
from .params import CHANGE_DRIVERS, check

__all__ = ["Timeline", "timeline", "EMPTY"]


@dataclass(frozen=True)
class Timeline:
    """The decisions of one plan.

    ``changes``: driver -> ``{month: level}`` (levels are floats or arrays of
    scenarios); ``funding``: month -> the sum of that month's rounds.
    """

    changes: dict = field(default_factory=dict)
    funding: dict = field(default_factory=dict)

    def months_of(self, driver: str) -> dict:
        return self.changes.get(driver, {})

    def __bool__(self) -> bool:
        return bool(self.changes or self.funding)


EMPTY = Timeline()


def _month(what: str, value, horizon: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or value != int(value):
        raise InputError(what.split(":")[0], f"{what}: month must be a whole month number from 1 to {horizon} "
                         f"(the horizon), got {value!r}")
    if not 1 <= int(value) <= horizon:
        raise InputError(what.split(":")[0], f"{what}: month must be from 1 to {horizon} (the horizon), "
                         f"got {int(value)}")
    return int(value)


def timeline(changes=None, funding=None, horizon: int = 60) -> Timeline:
    """Check a plan's changes and funding rounds; raises :class:`InputError` naming the entry and the rule.

    Parameters
    ----------
    changes : list of mappings, optional
        Each ``{"month": M, driver: level, ...}``: from month ``M`` on, each
        named driver follows a path from ``level`` (MODEL.md, "Changes over
        time"). Drivers: ``ad_spend, cac, paid_share, organic_users,
        activation, churn, conversion, arppu, cost_per_mau,
        paying_cost_per_mau, fixed_costs``. At most one change per driver
        per month; each level within its driver's rule.
    funding : list of mappings, optional
        Each ``{"month": M, "amount": x}`` (``x >= 0``): cash added at the end
        of month ``M``; rounds in one month add up.
    horizon : int
        Months projected: every month must lie in ``1..horizon``.
    """
    if isinstance(changes, Timeline):
        return changes
    out: dict[str, dict[int, object]] = {}
    for i, entry in enumerate(changes or (), start=1):
        if not isinstance(entry, Mapping):
            raise InputError("changes", f"changes entry {i} must be a table of month and driver levels, got "
                             f"{entry!r:.60}")
        if "month" not in entry:
            raise InputError("changes", f"changes entry {i} needs a month")
        month = _month(f"changes entry {i}", entry["month"], horizon)
        drivers = [k for k in entry if k != "month"]
        if not drivers:
            raise InputError("changes", f"changes: month {month}: name at least one driver and its level")
        for driver in drivers:
            if driver not in CHANGE_DRIVERS:
                raise InputError("changes", f"changes: month {month}: {driver} cannot change over time (drivers "
                                 f"that can: {', '.join(CHANGE_DRIVERS)})")
            if month in out.get(driver, {}):
                raise InputError("changes", f"changes: month {month}: {driver} is changed twice in one month")
            try:
                level = check(driver, entry[driver])
            except InputError as e:
                raise InputError("changes", f"changes: month {month}: {e}") from None
            out.setdefault(driver, {})[month] = level if level.ndim else float(level)
    rounds: dict[int, object] = {}
    for i, entry in enumerate(funding or (), start=1):
        if not isinstance(entry, Mapping):
            raise InputError("funding", f"funding entry {i} must be a table of month and amount, got {entry!r:.60}")
        unknown = [k for k in entry if k not in ("month", "amount")]
        if unknown:
            raise InputError("funding", f"funding entry {i}: unknown key {unknown[0]!r} (a round has a month and "
                             "an amount)")
        if "month" not in entry or "amount" not in entry:
            raise InputError("funding", f"funding entry {i} needs a month and an amount")
        month = _month(f"funding entry {i}", entry["month"], horizon)
        try:
            amount = check("amount", entry["amount"])
        except InputError:
            raise InputError("funding", f"funding: month {month}: amount must be a number 0 or more (money "
                             f"raised), got {entry['amount']!r:.40}") from None
        amount = amount if amount.ndim else float(amount)
        rounds[month] = amount if month not in rounds else rounds[month] + amount
    return Timeline({d: dict(sorted(m.items())) for d, m in out.items()}, dict(sorted(rounds.items())))

