"""A scenario's retention curve in an assumptions file: ``retention = [...]`` or ``retention_from = "cohorts.csv"``.

The rules are docs/model.md's ("Retention curves drive the users"): one curve per scenario, an own curve
replaces an inherited one, a curve measured on sign-ups holds the activation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .actuals import ActualsError, read_cohorts
from .errors import AssumptionsError, InputError
from .retention import active_curve, average_curve

__all__ = ["CURVE_KEYS", "curve_key", "read_curve", "scenario_curve"]

#: the two ways a scenario gives a curve
CURVE_KEYS = ("retention", "retention_from")


def curve_key(path, scen, key, value):
    """``retention`` (a list of shares, checked against the plan's rules) or ``retention_from`` (a file name)."""
    if key == "retention_from":
        if not isinstance(value, str) or not value.strip():
            raise AssumptionsError(
                path,
                "must be the name of a cohorts CSV file, relative to this file, e.g. "
                f'retention_from = "cohorts.csv", got {value!r:.40}',
                scen,
                key,
            )
        return value
    if not isinstance(value, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in value
    ):
        raise AssumptionsError(
            path,
            "must be a list of shares of an activated cohort active in its months 1, 2, "
            f"..., e.g. retention = [1.0, 0.56, 0.42, 0.36], got {value!r:.40}",
            scen,
            key,
        )
    try:
        active_curve([float(x) for x in value])
    except (InputError, OverflowError) as e:
        raise AssumptionsError(path, str(e), scen, key) from None
    return [float(x) for x in value]


def read_curve(path, scen, file: str, cache: dict) -> tuple[list[float], dict]:
    """The average curve of the cohorts file ``file`` (relative to the assumptions file) and where it comes from.

    Weighted by each cohort's size when the file gives sizes, else each cohort weighs 1 (docs/model.md).
    """
    where = Path(file) if Path(file).is_absolute() else Path(str(path)).parent / file
    if str(where) not in cache:
        try:
            cohorts = read_cohorts(where)
        except ActualsError as e:
            raise AssumptionsError(
                path, f"cannot use the cohorts file: {e}", scen, "retention_from"
            ) from None
        sizes: list[Any] = [getattr(c, "size", None) for c in cohorts]
        weighted = all(x is not None for x in sizes)
        try:
            curve = average_curve([c.retention for c in cohorts], sizes if weighted else None)
            active_curve(curve)
        except InputError as e:
            raise AssumptionsError(
                path, f"{where}: the cohorts' average curve: {e}", scen, "retention_from"
            ) from None
        cache[str(where)] = (
            [float(x) for x in curve],
            {"file": str(where), "cohorts": len(cohorts), "weighted": weighted},
        )
    return cache[str(where)]


def scenario_curve(path, name, given: dict, first: dict | None, merged: dict, out, cache: dict):
    """A scenario's curve, in ``merged`` as ``retention``, with docs/model.md's rules on what it inherits.

    Its own curve replaces an inherited one of either kind; a curve's ``churn`` (of the users already there) is
    never inherited from a scenario without a curve; an own curve measured on sign-ups (``r_1 < 1``) holds the
    activation, so an inherited ``activation`` is dropped, and one given beside it is an error naming both.
    """
    own = [k for k in CURVE_KEYS if k in given]
    if len(own) == 2:
        raise AssumptionsError(
            path,
            "give retention or retention_from, not both (one curve per scenario)",
            name,
            "retention_from",
        )
    if first is not None and own:
        for k in CURVE_KEYS:
            if k not in given:
                merged.pop(k, None)
    if "retention_from" in merged:
        merged["retention"], out.retention_sources[name] = read_curve(
            path, name, merged.pop("retention_from"), cache
        )
    if "retention" not in merged:
        return
    r1 = merged["retention"][0]
    if first is not None and "churn" not in given and not any(k in first for k in CURVE_KEYS):
        merged.pop("churn", None)
    if first is not None and own and "activation" not in given and r1 < 1:
        merged.pop("activation", None)
    activation = merged.get("activation", 1.0)
    if r1 < 1 and activation < 1:
        curve = (
            f"the curve of {out.retention_sources[name]['file']} (retention_from)"
            if name in out.retention_sources
            else "the retention curve"
        )
        raise AssumptionsError(
            path,
            f"activation {activation:.10g} and {curve} give the activation twice: the curve "
            f"is measured on sign-ups (its month 1, {r1:.10g}, is below 1 and is the activation); "
            "leave activation out, or give a curve of active users that starts at 1",
            name,
            "activation",
        )
