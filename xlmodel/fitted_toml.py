"""A fit of monthly actuals, checked and written as an assumptions file (``xlmodel fit -o``).

The scenario it writes continues the actuals on the calendar: ``[model] start`` is the month after the
last actual month. Definitions: docs/model.md, "Cohorts and actuals".
"""

from __future__ import annotations

import re
from pathlib import Path

from .actuals import FITTED, Cohort, Fit, average_curve, next_month, weighted
from .dates import parse_month
from .errors import InputError, XlmodelError
from .params import PARAMS, check
from .retention import active_curve
from .text import clean_text

__all__ = ["check_fitted", "fitted_toml"]


def _span(fit: Fit) -> str:
    first, last = fit.window[0], fit.window[-1]
    return first if first == last else f"{first}..{last}"


def check_fitted(fit: Fit, keys=FITTED) -> None:
    """Raise :class:`XlmodelError` naming the first fitted driver of ``keys`` that is n/a (its denominator is 0
    over the window) or breaks its input's rule (a churn below 0 where MAU grew faster than the new users): the
    one rule for ``fit -o`` and for a workbook's actuals scenario."""
    span = _span(fit)
    for k in keys:
        v = fit.fitted[k]
        if v is None:
            raise XlmodelError(
                f"{fit.source}: {k} is n/a over {span} (its denominator is 0), so the fitted scenario "
                "has no value for it; widen --window or fix the actuals"
            )
        try:
            check(k, v, PARAMS[k].rule)
        except InputError as e:
            raise XlmodelError(
                f"{fit.source}: the fitted {k} over {span} is not a valid input: {e}"
            ) from None


def fitted_toml(
    fit: Fit,
    name: str = "actuals",
    currency: str = "USD",
    horizon: int = 60,
    cohorts: list[Cohort] | None = None,
    cohorts_source: str = "",
) -> str:
    """The fitted scenario as an assumptions file, with a comment per value saying where it came from.

    ``[model] start`` is the month after the last actual month, so the plan's month 1 continues the actuals
    on the calendar. With ``cohorts`` (a retention triangle, read from ``cohorts_source``), the scenario
    carries their average curve (:func:`average_curve`) as ``retention`` and no ``churn``: the users already
    there at month 0 then decay at the curve's late churn ``1 - q`` (docs/model.md), which understates how fast
    the recent cohorts still leave.

    Raises :class:`XlmodelError` when a driver is undefined over the window
    (the model needs a value for it), or when the cohorts' average curve cannot drive a plan.
    """
    last = fit.window[-1]
    span = _span(fit)
    source = {
        "cash": f"cash at the end of {last}, the last actual month",
        "mau": f"MAU of {last}",
        "ad_spend": f"ad spend of {last} (held flat: ad_growth 0)",
        "cac": f"sum(ad_spend) / sum(paid_new_users), {span}",
        "paid_share": f"sum(paid_new_users) / sum(new_users), {span}",
        "churn": f"sum(mau_(t-1) + new_users - mau) / sum(mau_(t-1)), {span}",
        "conversion": f"sum(paying_users) / sum(mau), {span}",
        "arppu": f"sum(revenue) / sum(paying_users), {span}",
        "cost_per_mau": f"sum(compute_cost) / sum(mau), {span}",
        "fixed_costs": f"mean fixed_costs, {span}",
    }
    # a file name reaches the file: control characters out (a newline in it would start a TOML table)
    source_name = clean_text(fit.source)
    after = next_month(fit.months[-1])
    start: str | None = after
    try:
        parse_month(after, "start")
    except InputError:  # past 9999-12: no calendar month to start on
        start = None
    lines = [
        f"# Fitted by xlmodel fit from {source_name} ({fit.months[0]}..{fit.months[-1]}), window {span}.",
        "# The projection continues from the last actual month; edit freely.",
        "",
        "[model]",
        f"name = {_toml_str('Fitted from ' + clean_text(Path(fit.source).name))}",
        f"currency = {_toml_str(clean_text(currency))}",
        f"horizon = {int(horizon)}",
    ]
    if start is not None:
        lines.append(
            f"start = {_toml_str(start)}".ljust(40) + f"  # the month after {fit.months[-1]}, the last "
            "actual month"
        )
    lines += ["", f"[scenarios.{_toml_key(name)}]"]
    curve = None
    if cohorts:
        where = clean_text(str(cohorts_source)) or "the cohorts"
        curve = average_curve(cohorts)
        try:
            q = float(active_curve(curve).q)
        except InputError as e:
            raise XlmodelError(f"{where}: the cohorts' average curve cannot drive the plan: {e}") from None
    keys = [k for k in FITTED if not (k == "churn" and curve is not None)]  # a curve's churn: its late 1 - q
    check_fitted(fit, keys)
    for k in keys:
        lines.append(f"{k} = {fit.fitted[k]!r}".ljust(40) + f"  # {source[k]}")
    if cohorts and curve is not None:  # (the curve is the cohorts')
        how = "weighted by size" if weighted(cohorts) else "unweighted"
        lines += [
            (
                f"# retention: the average curve of {len(cohorts)} cohorts in {Path(where).name}, chained over "
                f"the ages, {how}."
            ),
            (
                f"# churn is left out: the users already there (MAU of {last}) decay at the curve's late churn "
                f"1 - q = {1 - q:.6g},"
            ),
            (
                "# which understates how fast the recent cohorts still leave (they follow the curve's early "
                "months)."
            ),
        ]
        if curve[0] < 1:
            lines.append(
                f"# Measured on sign-ups: month 1, {curve[0]:.6g}, is the activation (the share of sign-ups "
                "active in their first month)."
            )
        lines.append("retention = [")
        for i in range(0, len(curve), 6):
            lines.append("    " + ", ".join(repr(x) for x in curve[i : i + 6]) + ",")
        lines.append("]")
    return "\n".join(lines) + "\n"


def _toml_str(s: str) -> str:
    return (
        '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in s) + '"'
    )


def _toml_key(s: str) -> str:
    return s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else _toml_str(s)
