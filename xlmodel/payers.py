"""Payers as their own stock (docs/model.md, "Payers as their own stock"): free users and payers, annual plans
billed when sold and recognised over the paid year, and the deferred revenue between the two.

:func:`check_stocks` reads the rules between a scenario's inputs and changes; :class:`Stocks` walks the two stocks
and the annual billings one month at a time (:class:`xlmodel.month_step.Months` calls it only when a scenario gives
``paying_churn`` and ``upgrade``, so a scenario without them runs version 3's equations alone, bit for bit). The
annual billings are a 12-phase state: the size of the billings made 0, 1, ..., 11 months ago. Pure Python and
numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np

from .errors import InputError

__all__ = [
    "STOCK_INPUTS",
    "STOCK_DRIVERS",
    "STOCK_ROWS",
    "STOCK_BALANCES",
    "STOCK_OUTPUTS",
    "uses_stocks",
    "check_stocks",
    "Stocks",
    "TWO_STOCKS",
    "net_price",
]

#: a line's value in a month: a numpy float64 for one scenario, an array of scenarios otherwise
Value: TypeAlias = "float | np.ndarray"


def net_price(price: Any, vat: Any, store_fee: Any) -> Any:
    """What a price paid VAT included leaves the app: ``price / (1 + vat) * (1 - store_fee)``, in that order of
    operations (the engine's definition, bit for bit)."""
    return price / (1 + vat) * (1 - store_fee)


#: the inputs of payers as their own stock
STOCK_INPUTS = ("paying_churn", "upgrade", "annual_share", "annual_price", "annual_renewal")
#: of those, the drivers that may change on a date
STOCK_DRIVERS = ("paying_churn", "upgrade", "annual_share")
#: the monthly lines of a two-stock plan, in table order
STOCK_ROWS = (
    "free_users",
    "monthly_payers",
    "annual_payers",
    "new_payers",
    "renewals",
    "payer_share",
    "billed_revenue",
)
#: of those, the lines that are balances (a period shows its last month's; the rest are summed)
STOCK_BALANCES = ("free_users", "monthly_payers", "annual_payers", "payer_share")
#: the plan's answers a two-stock scenario reports (computed from the statements, as the whole company's)
STOCK_OUTPUTS = ("ending_deferred_revenue", "ending_payers", "balance_ok")
#: what the two stocks are, for messages
TWO_STOCKS = "two stocks (paying_churn and upgrade)"
#: months in a paid year
YEAR = 12


def uses_stocks(kw: Mapping[str, Any]) -> bool:
    """Whether a scenario carries payers as their own stock (it gives ``paying_churn`` or ``upgrade``)."""
    return kw.get("paying_churn") is not None or kw.get("upgrade") is not None


def _levels(level: Any, changes: Mapping[int, Any]) -> list[np.ndarray]:
    """A driver's level (None: not given) and its changes' levels, as arrays."""
    return [
        np.asarray(x, dtype=float) for x in ([level] if level is not None else []) + list(changes.values())
    ]


def check_stocks(vals: dict[str, np.ndarray], changes: Mapping[str, Mapping[int, Any]], curve: bool) -> None:
    """The rules of docs/model.md between the stock inputs, their changes, ``conversion``'s changes and a
    retention curve; raises :class:`InputError` (one line naming the input and the rule). ``vals``: the checked
    inputs (an input left out is absent); ``changes``: driver -> {month: level}. Sets ``annual_share`` to 0 when
    only its changes are given (their path starts from 0)."""
    two = [k for k in ("paying_churn", "upgrade") if k in vals]
    if len(two) == 1:
        other = "upgrade" if two[0] == "paying_churn" else "paying_churn"
        raise InputError(
            other,
            f"{other} is required with {two[0]}: payers are their own stock only with both "
            "(paying_churn: payers lost each month; upgrade: free users who start paying each month)",
        )
    stocks = bool(two)
    for driver in STOCK_DRIVERS:
        months = changes.get(driver) or {}
        if months and not stocks:
            raise InputError(
                "changes",
                f"changes: month {min(months)}: {driver} changes only in a scenario with {TWO_STOCKS}",
            )
    if not stocks:
        for k in ("annual_share", "annual_price", "annual_renewal"):
            if k in vals:
                raise InputError(
                    k, f"{k} needs {TWO_STOCKS}: annual plans are sold to payers of their own stock"
                )
        return
    if curve:
        raise InputError(
            "retention",
            "paying_churn/upgrade or retention: choose one (two stocks of users and a retention curve cannot "
            "both drive the users)",
        )
    conversion = changes.get("conversion") or {}
    if conversion:
        raise InputError(
            "changes",
            f"changes: month {min(conversion)}: conversion cannot change with {TWO_STOCKS}: conversion only "
            "splits month 0's users (change upgrade instead)",
        )
    annual = "annual_share" in vals or bool(changes.get("annual_share"))
    for k in ("annual_price", "annual_renewal"):
        if k in vals and not annual:
            raise InputError(k, f"{k} needs annual_share (the share of new payers who buy an annual plan)")
    if not annual:
        return
    shares = _levels(vals.get("annual_share"), changes.get("annual_share") or {})
    top = max(float(np.max(x)) for x in shares) if shares else 0.0
    if top > 0 and "annual_price" not in vals:
        raise InputError(
            "annual_price",
            f"annual_price is required when annual_share is above 0 (the price of a year, VAT included), got "
            f"annual_share {top:.10g}",
        )
    if "annual_share" not in vals:
        vals["annual_share"] = np.asarray(0.0)  # its changes' path starts from 0


def _total(rows: np.ndarray, slot: int, weights: np.ndarray | None = None) -> Value:
    """The sum over the 12 slots (weighted), added one slot at a time from the newest billing back: the same
    operations, so the same bits, for one scenario as for an array of them (numpy's own sums pair the terms
    differently by shape)."""
    order = [(slot - j) % YEAR for j in range(YEAR)]
    if weights is None:
        total = rows[order[0]]
        for s in order[1:]:
            total = total + rows[s]
    else:
        total = rows[order[0]] * weights[order[0]]
        for s in order[1:-1]:  # the oldest billing (weight 0) has nothing left to recognise
            total = total + rows[s] * weights[s]
    out: Value = total
    return out


def _arr(x: Any, arrays: bool) -> Value:
    return np.array(x, dtype=float) if arrays else np.float64(x)


class Stocks:
    """The two stocks and the annual billings of one plan, month by month (docs/model.md)::

        up_t      = free_{t-1} * (1 - churn_t) * upgrade_t
        free_t    = free_{t-1} * (1 - churn_t) * (1 - upgrade_t) + activation_t * new_t
        monthly_t = monthly_{t-1} * (1 - paying_churn_t) + (1 - annual_share_t) * up_t
        A_t       = annual_share_t * up_t ;  a billing of month t: A_t + annual_renewal * (the billing of t - 12)
        annual_t  = the billings of months t-11..t

    ``v``: the checked inputs (``mau``, ``conversion``, ``vat``, ``store_fee`` and the stock inputs);
    ``loss``: the revenue kept from the migration month on (``1 - revenue_loss``), or None.
    """

    def __init__(self, v: Mapping[str, Any], shape: tuple[int, ...], arrays: bool, loss: Any = None):
        self.arrays, self.shape = arrays, shape
        self.free: Value = _arr(v["mau"] * (1 - v["conversion"]), arrays)
        self.monthly: Value = _arr(v["mau"] * v["conversion"], arrays)
        self.annual = "annual_share" in v
        self.net_of_vat = bool(np.any(v["vat"])) or bool(np.any(v["store_fee"]))
        if self.net_of_vat:
            self.vat1, self.fee1 = 1 + v["vat"], 1 - v["store_fee"]
        self.loss = loss
        if not self.annual:
            return
        self.price = v["annual_price"] if "annual_price" in v else np.float64(0.0)
        # what a year leaves the app
        self.net_a = net_price(self.price, v["vat"], v["store_fee"]) if self.net_of_vat else self.price
        self.renewal = v.get("annual_renewal", 0.0)
        self.renews = bool(np.any(self.renewal))
        self.sizes = np.zeros((YEAR,) + shape)  # the billings by slot; the slot of month t's is t % 12
        # with a revenue loss, each billing keeps its month's factor f_b: size * f_b by slot
        self.weighted = np.zeros((YEAR,) + shape) if loss is not None else None
        # deferred revenue: a billing made j months ago has (11 - j) / 12 of its year still to recognise
        self.left = [
            np.array([(YEAR - 1 - (slot - s) % YEAR) for s in range(YEAR)], float) for slot in range(YEAR)
        ]

    def step(
        self,
        k: int,
        keep: Value,
        arriving: Value,
        upgrade: Value,
        paying_churn: Value,
        annual_share: Value | None,
        arppu: Value,
        f: Value | None,
    ) -> dict[str, Any]:
        """Month ``t = k + 1``: the stocks and the revenue lines. ``keep``: ``1 - churn_t``; ``arriving``:
        ``activation_t * new_t``; ``f``: the revenue-loss factor of month t (None: 1)."""
        surv = self.free * keep
        up = surv * upgrade
        self.free = surv * (1 - upgrade) + arriving
        line: dict[str, Any] = {"free_users": self.free, "new_payers": up}
        if self.annual and annual_share is not None:
            bought = annual_share * up
            self.monthly = self.monthly * (1 - paying_churn) + (1 - annual_share) * up
        else:
            self.monthly = self.monthly * (1 - paying_churn) + up
        line["monthly_payers"] = self.monthly
        gross = self.monthly * arppu  # the monthly plans, VAT included
        rev = gross / self.vat1 * self.fee1 if self.net_of_vat else gross
        line["monthly_billing_without_loss"] = rev
        if f is not None:
            rev = rev * f
        line["monthly_billing"] = rev
        if not self.annual:
            payers = self.monthly
            line.update(annual_payers=0.0, renewals=0.0, gross_revenue=gross, revenue=rev, billed_revenue=rev)
        else:
            slot = (k + 1) % YEAR
            renewed = self.renewal * self.sizes[slot] if self.renews else 0.0
            billing = bought + renewed
            self.sizes[slot] = billing
            annual = _total(self.sizes, slot)
            payers = self.monthly + annual
            line.update(annual_payers=annual, renewals=renewed)
            line["gross_revenue"] = gross + annual * (self.price / YEAR)
            unit = self.net_a / YEAR
            left = self.left[slot]
            plain = (
                rev if f is None else line["monthly_billing_without_loss"],
                self.net_a * billing,
                unit * annual,
                unit * _total(self.sizes, slot, left),
            )
            if self.weighted is None:
                billed_a, recognised_a, deferred = plain[1], plain[2], plain[3]
            else:
                self.weighted[slot] = billing * (1.0 if f is None else f)
                billed_a = self.net_a * self.weighted[slot]
                recognised_a = unit * _total(self.weighted, slot)
                deferred = unit * _total(self.weighted, slot, left)
            line.update(
                revenue=rev + recognised_a,
                billed_revenue=rev + billed_a,
                deferred_revenue=deferred if self.arrays else np.float64(deferred),
                # the same month with no revenue loss (the plan without its migration)
                revenue_without_loss=plain[0] + plain[2],
                billed_without_loss=plain[0] + plain[1],
                deferred_without_loss=plain[3] if self.arrays else np.float64(plain[3]),
            )
        mau = self.free + payers
        line.update(mau=mau, paying_users=payers)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 (no user left): nan, n/a
            line["payer_share"] = payers / mau
        return line

    def compute(self, free: Value, payers: Value, cost: Value, paying_cost: Value | None) -> Value:
        """Free users at ``cost_per_mau_t``, every payer at ``paying_cost_per_mau_t`` (before the migration)."""
        if paying_cost is None:
            return (free + payers) * cost
        return free * cost + payers * paying_cost
