"""Changes over time and funding rounds: what a plan decides on a date (docs/model.md, "A plan over time").

A change sets one driver's level from a month on (``{"month": 4, "ad_spend":
1e8}``); a funding round adds cash at the end of a month (``{"month": 9,
"amount": 1.5e9}``). :func:`timeline` checks both against the rules of
docs/model.md and returns a :class:`Timeline` that the projection walks month by
month, each driver's level along a :class:`DriverPath`. Months here are plan months 1..horizon; an assumptions file's
``"YYYY-MM"`` months are turned into plan months where the file is read.
Levels and amounts may be numbers or arrays of scenarios. Pure Python and
numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .errors import InputError
from .params import CHANGE_DRIVERS, check
from .relative import Relative, relative

__all__ = ["Timeline", "timeline", "EMPTY", "DriverPath", "resolve", "growth_base"]


@dataclass(frozen=True)
class Timeline:
    """The decisions of one plan.

    ``changes``: driver -> ``{month: level}`` (levels are floats or arrays of
    scenarios); ``funding``: month -> the sum of that month's rounds.
    """

    changes: dict[str, dict[int, Any]] = field(default_factory=dict)  # levels, or Relative until resolve()
    funding: dict[int, float | np.ndarray] = field(default_factory=dict)

    def months_of(self, driver: str) -> dict[int, float | np.ndarray]:
        return self.changes.get(driver, {})

    def __bool__(self) -> bool:
        return bool(self.changes or self.funding)


EMPTY = Timeline()


def _month(what: str, value: Any, horizon: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or value != int(value):
        raise InputError(
            what.split(":")[0],
            f"{what}: month must be a whole month number from 1 to {horizon} (the horizon), got {value!r}",
        )
    if not 1 <= int(value) <= horizon:
        raise InputError(
            what.split(":")[0], f"{what}: month must be from 1 to {horizon} (the horizon), got {int(value)}"
        )
    return int(value)


def timeline(
    changes: Iterable[Mapping[str, Any]] | Timeline | None = None,
    funding: Iterable[Mapping[str, Any]] | None = None,
    horizon: int = 60,
) -> Timeline:
    """Check a plan's changes and funding rounds; raises :class:`InputError` naming the entry and the rule.

    Parameters
    ----------
    changes : list of mappings, optional
        Each ``{"month": M, driver: level, ...}``: from month ``M`` on, each
        named driver follows a path from ``level`` (docs/model.md, "Changes over
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
    out: dict[str, dict[int, Any]] = {}
    for i, entry in enumerate(changes or (), start=1):
        if not isinstance(entry, Mapping):
            raise InputError(
                "changes", f"changes entry {i} must be a table of month and driver levels, got {entry!r:.60}"
            )
        if "month" not in entry:
            raise InputError("changes", f"changes entry {i} needs a month")
        month = _month(f"changes entry {i}", entry["month"], horizon)
        drivers = [k for k in entry if k != "month"]
        if not drivers:
            raise InputError("changes", f"changes: month {month}: name at least one driver and its level")
        for driver in drivers:
            if driver not in CHANGE_DRIVERS:
                raise InputError(
                    "changes",
                    f"changes: month {month}: {driver} cannot change over time (drivers "
                    f"that can: {', '.join(CHANGE_DRIVERS)})",
                )
            if month in out.get(driver, {}):
                raise InputError("changes", f"changes: month {month}: {driver} is changed twice in one month")
            try:
                rel = relative(entry[driver], driver)
                if rel is not None:  # resolved against the scenario's inputs (resolve)
                    out.setdefault(driver, {})[month] = rel
                    continue
                level = check(driver, entry[driver])
            except InputError as e:
                raise InputError("changes", f"changes: month {month}: {e}") from None
            out.setdefault(driver, {})[month] = level if level.ndim else float(level)
    rounds: dict[int, float | np.ndarray] = {}
    for i, entry in enumerate(funding or (), start=1):
        if not isinstance(entry, Mapping):
            raise InputError(
                "funding", f"funding entry {i} must be a table of month and amount, got {entry!r:.60}"
            )
        unknown = [k for k in entry if k not in ("month", "amount", "credits", "expires")]
        if unknown:
            raise InputError(
                "funding",
                f"funding entry {i}: unknown key {unknown[0]!r} (a round has a month, an amount and "
                "optionally credits and expires)",
            )
        if "month" not in entry or ("amount" not in entry and entry.get("credits") is None):
            raise InputError("funding", f"funding entry {i} needs a month and an amount")
        month = _month(f"funding entry {i}", entry["month"], horizon)
        if "amount" not in entry:  # a round of compute credits only (xlmodel.company reads them)
            continue
        try:
            amount = check("amount", entry["amount"])
        except InputError:
            raise InputError(
                "funding",
                f"funding: month {month}: amount must be a number 0 or more (money "
                f"raised), got {entry['amount']!r:.40}",
            ) from None
        raised = amount if amount.ndim else float(amount)
        rounds[month] = raised if month not in rounds else rounds[month] + raised
    return Timeline({d: dict(sorted(m.items())) for d, m in out.items()}, dict(sorted(rounds.items())))


def growth_base(driver: str, vals: Mapping[str, Any]) -> Any:
    """``1 + g`` of a driver's path (docs/model.md, "Changes over time"), or None for a flat path."""
    growth = CHANGE_DRIVERS[driver]
    if growth is None:
        return None
    if growth == "cost":
        base = 1 - vals["cost_decline"]
        return (1 + vals["usage_growth"]) * base if np.any(vals["usage_growth"]) else base
    return 1 + vals[growth] if growth in vals else None


def resolve(tl: Timeline, vals: Mapping[str, Any]) -> Timeline:
    """The timeline with each relative level (:class:`~xlmodel.relative.Relative`) resolved to a level.

    A relative level at month ``M`` is its factor times the level its driver would have in month ``M`` without
    it: the latest earlier change's level (or the scenario's value, from month 1) grown at the driver's rate to
    ``M``; for ``paying_cost_per_mau`` not given, before its own first change, ``cost_per_mau``'s resolved path.
    Changes resolve in month order, so a later relative level is relative to the earlier ones. ``vals``: the
    scenario's checked inputs (arrays of draws resolve draw by draw). The resolved level must keep its
    driver's rule, else an :class:`InputError` naming the change.
    """
    if not any(isinstance(x, Relative) for months in tl.changes.values() for x in months.values()):
        return tl
    out: dict[str, dict[int, float | np.ndarray]] = {}
    for driver in CHANGE_DRIVERS:
        months = tl.changes.get(driver)
        if not months:
            continue
        base = growth_base(driver, vals)
        done: dict[int, float | np.ndarray] = {}
        for month, level in sorted(months.items()):
            if isinstance(level, Relative):
                without = _path_at(month, done, vals.get(driver), base, driver, out, vals)
                resolved = level.factor * np.asarray(without, dtype=float)
                try:
                    check(driver, resolved)
                except InputError as e:
                    raise InputError(
                        "changes",
                        f"changes: month {month}: {driver} {level.text} resolves to "
                        f"{float(np.min(resolved)) if resolved.ndim else float(resolved):.10g}, "
                        f"which breaks its rule: {e}",
                    ) from None
                level = resolved if resolved.ndim else float(resolved)
            done[month] = level
        out[driver] = done
    return Timeline(out, tl.funding)


def _path_at(
    month: int,
    done: Mapping[int, Any],
    value: Any,
    base: Any,
    driver: str,
    resolved: Mapping[str, Mapping[int, Any]],
    vals: Mapping[str, Any],
) -> Any:
    """A driver's path value in ``month`` from its changes before it (``done``) and its scenario ``value``."""
    earlier = [m for m in done if m < month]
    if earlier:
        m = max(earlier)
        level, steps = done[m], month - m
    elif value is None and driver != "paying_cost_per_mau":
        raise InputError(
            "changes",
            f"changes: month {month}: a relative level of {driver} needs {driver} (the level it is a factor of)",
        )
    elif value is None:  # paying_cost_per_mau not given: cost_per_mau's path, changes included
        return _path_at(
            month,
            resolved.get("cost_per_mau", {}),
            vals["cost_per_mau"],
            growth_base("cost_per_mau", vals),
            "cost_per_mau",
            resolved,
            vals,
        )
    else:
        level, steps = value, month - 1
    return level if base is None or steps == 0 else level * np.power(base, steps)


class DriverPath:
    """One driver's path: ``L_M * (1 + g) ** (t - M)`` from its latest change month ``M`` (docs/model.md).

    ``at(k)`` is the value of month ``t = k + 1``, called for k = 0, 1, 2, ...
    in order. The power is a running product (one multiplication a month,
    within a few units in the last place of ``(1+g) ** (t-M)``; the same
    running power version 2 used), restarted at each change. ``base`` is
    ``1 + g``, None for a flat path. ``follow``: a path that copies another's
    value until its own first change (``paying_cost_per_mau`` not given
    follows ``cost_per_mau``, changes included).
    """

    def __init__(
        self,
        level: float | np.ndarray | None,
        changes: Mapping[int, float | np.ndarray],
        base: float | np.ndarray | None = None,
        follow: DriverPath | None = None,
        arrays: bool = False,
    ):
        # level None: a follower's, read only from its first change on (which sets it)
        self.level = cast("float | np.ndarray", level)
        self.changes, self.base, self.follow, self.arrays = changes, base, follow, arrays
        self.pow: float | np.ndarray | None = None  # None: the power is 1 (the month of the level)
        self.own = follow is None  # a follower has no level of its own before its first change
        self.value = self.level

    @property
    def varies(self) -> bool:
        return bool(self.changes) or self.base is not None or (self.follow is not None and self.follow.varies)

    def at(self, k: int, out: np.ndarray | None = None) -> float | np.ndarray:
        """The value of month ``k + 1``; ``out``: an array to write it into (then that array)."""
        level = self.changes.get(k + 1)
        if level is not None:  # a change this month: a new level, the power restarts
            self.level, self.own, self.pow = level, True, None
        elif self.base is not None and self.own and k:
            if self.pow is None:
                self.pow = np.array(self.base, dtype=float) if self.arrays else self.base
            elif self.arrays:  # the power is an array of its own (np.array above), updated in place
                np.multiply(self.pow, self.base, out=cast(np.ndarray, self.pow))
            else:
                self.pow = self.pow * self.base
        if not self.own:
            assert self.follow is not None  # a path without a level of its own follows one (__init__)
            self.value = self.follow.value
        elif self.pow is None:
            self.value = self.level
        elif out is not None:
            self.value = np.multiply(self.level, self.pow, out=out)
            return out
        else:
            self.value = self.level * self.pow
        if out is not None:
            np.copyto(out, self.value)
            return out
        return self.value
