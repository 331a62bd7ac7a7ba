"""A period's unit economics: the ratios of its sums (docs/model.md, "Per-period unit economics").

One definition for the annual summary (``calc``'s table, its JSON), the
workbook's Annual sheet and what ``verify`` expects of it:

| figure | definition |
|---|---|
| ``blended_cac`` | ad spend / sign-ups |
| ``paid_cac`` | ad spend / sign-ups bought with ads |
| ``contribution_margin`` | (net revenue - compute) / net revenue |
| ``contribution_per_mau`` | (net revenue - compute) / the sum of the months' MAU |
| ``arppu_net`` | net revenue / the sum of the months' paying users |

each n/a (None; NaN in an array of scenarios) where its denominator is 0.
The sums it divides are returned too: ``paid_new_users``, ``mau_months`` and
``payer_months``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PERIOD_RATIOS", "PERIOD_SUMS", "period_unit_economics"]

#: the ratios, in the order a summary shows them
PERIOD_RATIOS = ("contribution_margin", "contribution_per_mau", "blended_cac", "paid_cac", "arppu_net")
#: the sums behind them that the annual summary does not already carry: (key, the projection's line)
PERIOD_SUMS = (("paid_new_users", "paid_new_users"), ("mau_months", "mau"), ("payer_months", "paying_users"))


def _ratio(num: np.ndarray, den: np.ndarray) -> float | np.ndarray | None:
    """``num / den``, n/a where ``den`` is 0: None for one scenario, NaN in an array."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)
    if out.ndim == 0:
        return None if np.isnan(out) else float(out)
    return out


def period_unit_economics(projection: Any, first: int, last: int) -> dict[str, Any]:
    """The unit economics of months ``first..last`` (1-based, inclusive) of ``projection``.

    ``projection``: a :class:`~xlmodel.projection.Projection` (or any object with its lines as
    attributes, months on the last axis).
    """

    def total(line: str) -> np.ndarray:
        return np.sum(np.asarray(getattr(projection, line), dtype=float)[..., first - 1 : last], axis=-1)

    ad, signups, paid = total("ad_spend"), total("new_users"), total("paid_new_users")
    revenue, compute = total("revenue"), total("compute")
    mau, payers = total("mau"), total("paying_users")
    out: dict[str, Any] = {}
    for key, line in PERIOD_SUMS:
        s = {"paid_new_users": paid, "mau": mau, "paying_users": payers}[line]
        out[key] = float(s) if s.ndim == 0 else s
    out["contribution_margin"] = _ratio(revenue - compute, revenue)
    out["contribution_per_mau"] = _ratio(revenue - compute, mau)
    out["blended_cac"] = _ratio(ad, signups)
    out["paid_cac"] = _ratio(ad, paid)
    out["arppu_net"] = _ratio(revenue, payers)
    return out
