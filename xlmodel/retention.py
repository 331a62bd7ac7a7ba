"""Retention curves: a cohort's users by age, the curve's LTV and payback, and the average curve of a triangle.

Definitions: docs/model.md, "Cohorts and actuals" (the late ratio ``q``, the
geometric tail, cohort LTV) and "Retention curves drive the users" (the
curve in the plan, the payback month, the weighted chained average). The
projection walks a :class:`Cohorts` state of k + 1 columns (the last k
cohorts by age and one tail that decays at ``q``), never a month x month
matrix. Part of the engine: pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .closed_form import _finite, _out, monthly_rate
from .errors import InputError
from .params import check

__all__ = [
    "Curve",
    "active_curve",
    "scale_curve",
    "curve_input",
    "retention_at",
    "cohort_ltv",
    "cohort_churn",
    "cohort_payback_month",
    "average_curve",
    "Cohorts",
    "cohort_waterfall",
]


# ------------------------------------------------------------------ the curve and its late ratio


def _retention(retention: ArrayLike) -> np.ndarray:
    r = np.asarray(retention, dtype=float) if not isinstance(retention, str) else None
    if r is None or r.ndim == 0:
        raise InputError(
            "retention", f"retention must be a row of shares (months 1, 2, ...), got {retention!r}"
        )
    if r.shape[-1] == 0:
        raise InputError("retention", "retention must hold at least one month")
    bad = ~(np.isfinite(r) & (r > 0) & (r <= 1))
    if bad.any():
        raise InputError(
            "retention",
            "retention shares must be above 0 and at most 1 (share of the cohort "
            f"active), got {float(r[bad].flat[0]):.10g} in month {int(np.argwhere(bad)[0][-1]) + 1}",
        )
    return r


def _late_ratio(r: np.ndarray) -> np.ndarray:
    """``q = (r_k / r_{k-j}) ** (1/j)``, ``j = min(3, k-1)``: the late monthly retention ratio."""
    k = r.shape[-1]
    if k < 2:
        raise InputError(
            "retention",
            "retention needs at least 2 months for the late retention ratio "
            f"(the tail and the cohort churn), got {k}",
        )
    j = min(3, k - 1)
    # the power ufunc for one curve as for many (numpy's scalar ** may round differently from its vector loop):
    # a scenario's curve gives the same bits alone and among a simulation's draws
    q: np.ndarray = np.power(r[..., -1] / r[..., -1 - j], 1 / j)
    return q


def cohort_churn(retention: ArrayLike) -> float | np.ndarray:
    """Monthly churn implied by the late part of a retention curve: ``1 - q``.

    ``q = (r_k / r_{k-j}) ** (1/j)`` with ``j = min(3, k-1)``. The curve
    ``(1-c) ** (t-1)`` gives exactly ``c``.

    >>> round(cohort_churn([1.0, 0.8, 0.64, 0.512]), 12)
    0.2
    """
    return _out(1 - _late_ratio(_retention(retention)))


def _observed_and_tail(r: np.ndarray, q: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sum r_t / (1+d)**t`` over the k observed months, and ``r_k q / ((1+d)**k (1+d-q))`` past them."""
    k = r.shape[-1]
    t = np.arange(1, k + 1, dtype=float)
    observed = (r / (1 + d[..., None]) ** t).sum(axis=-1)
    return observed, r[..., -1] * q / ((1 + d) ** k * (1 + d - q))


def cohort_ltv(
    retention: ArrayLike,
    arpu: ArrayLike,
    gross_margin: ArrayLike,
    annual_discount_rate: ArrayLike = 0.0,
    tail: bool = True,
) -> float | np.ndarray:
    """Lifetime value of a signup cohort from its observed retention curve ``r_1 .. r_k``.

    ``observed = sum m * r_t / (1+d)**t`` (month-end flows, ``m = arpu *
    gross_margin``, ``d`` the monthly discount rate) plus, with ``tail``, the
    geometric extrapolation past month k, ``m * r_k * q / ((1+d)**k * (1+d-q))``.
    ``retention`` is a curve (its last axis is months); ``arpu``,
    ``gross_margin`` and the rate broadcast against the curve's other axes.
    The curve ``(1-c) ** (t-1)`` gives exactly ``ltv(arpu, gross_margin, c,
    annual_discount_rate)``.

    >>> round(cohort_ltv([1.0, 0.9, 0.81], 10, 0.5), 9)   # = ltv(10, 0.5, 0.1) = 5 / 0.1
    50.0
    """
    r = _retention(retention)
    a = check("arpu", arpu)
    g = check("gross_margin", gross_margin)
    d = np.asarray(monthly_rate(annual_discount_rate))
    if not isinstance(tail, (bool, np.bool_)):
        raise InputError("tail", f"tail must be TRUE or FALSE, got {tail!r}")
    inputs = dict(arpu=a, gross_margin=g, annual_discount_rate=annual_discount_rate)
    with np.errstate(all="ignore"):  # an overflow is an error naming the inputs, never a warning or a "never"
        m = a * g
        if not tail:
            k = r.shape[-1]
            observed = (r / (1 + d[..., None]) ** np.arange(1, k + 1, dtype=float)).sum(axis=-1)
            return _out(_finite(m * observed, "the cohort LTV", **inputs))
        q = _late_ratio(r)
        if not bool(np.all(q < 1 + d)):
            raise InputError(
                "retention",
                "retention does not decay (late monthly retention ratio q = "
                f"{float(np.max(q)):.10g} is not below 1 + monthly discount rate), so the tail and "
                "the LTV are unbounded; use tail = FALSE for the observed part",
            )
        observed, tail_value = _observed_and_tail(r, q, d)
        return _out(_finite(m * (observed + tail_value), "the cohort LTV", **inputs))


@dataclass(frozen=True)
class Curve:
    """An activated user's retention, as the plan uses it: ``R(1..k)`` and the late ratio ``q`` past ``k``.

    ``r``: ``R(1..k)`` on the last axis (the curve as given, divided by its
    ``r_1`` when measured on sign-ups, so ``R(1) = 1`` then); ``q``: the late
    ratio of that curve, below 1; ``first``: the curve's own ``r_1``, which is
    the activation where it is below 1. Other axes: scenarios.
    """

    r: np.ndarray
    q: np.ndarray
    first: np.ndarray

    @property
    def k(self) -> int:
        k: int = self.r.shape[-1]
        return k

    def at(self, age: ArrayLike) -> np.ndarray:
        """``R(a)``: ``r_a`` for ``a <= k``, ``r_k * q ** (a - k)`` past it (whole ages from 1)."""
        a = np.asarray(age)
        inside = (
            np.take(self.r, np.clip(a, 1, self.k) - 1, axis=-1)
            if self.r.ndim == 1
            else np.take_along_axis(self.r, np.clip(a, 1, self.k)[..., None] - 1, axis=-1)[..., 0]
        )
        past = self.r[..., -1] * self.q ** np.maximum(a - self.k, 0)
        return np.where(a <= self.k, inside, past)

    def activation(self, given: ArrayLike) -> np.ndarray:
        """The plan's activation: ``r_1`` where the curve is measured on sign-ups (``r_1 < 1``), else ``given``.

        Raises :class:`InputError` naming both when ``given`` is below 1 there too (two answers to one question).
        """
        plan = np.asarray(given, dtype=float)
        signups = self.first < 1
        both = signups & (plan < 1)
        if np.any(both):
            at = np.unravel_index(int(np.argmax(both)), both.shape) if both.ndim else ()
            r1, act = (float(np.broadcast_to(x, both.shape)[at]) for x in (self.first, plan))
            raise InputError(
                "activation",
                f"activation {act:.10g} and a retention curve measured on sign-ups "
                f"(its month 1, {r1:.10g}, is below 1 and is the activation) give the activation twice: "
                "leave activation out, or give a curve of active users that starts at 1",
            )
        if not np.any(signups):
            return plan
        return np.where(signups, self.first, plan)


def active_curve(retention: ArrayLike | Curve) -> Curve:
    """A scenario's retention curve as the plan reads it, checked: each share in (0, 1], k >= 2, ``q < 1``.

    A curve whose month 1 is below 1 was measured on sign-ups: it means
    ``activation = r_1`` and the curve ``R(a) = r_a / r_1`` (docs/model.md). ``q``
    is the late ratio of ``R`` (the same ratio as of the curve as given).
    """
    if isinstance(retention, Curve):
        return retention
    r = _retention(retention)
    first = r[..., 0]
    if np.any(first < 1):
        r = np.where(first[..., None] < 1, r / first[..., None], r)
    q = _late_ratio(r)
    if not np.all(q < 1):
        raise InputError(
            "retention",
            "retention must decay past its last month: the late monthly retention "
            f"ratio q = (r_k / r_(k-j)) ** (1/j), j = min(3, k-1), is {float(np.max(q)):.10g}, and the "
            "plan needs q below 1 (a cohort's users keep leaving)",
        )
    return Curve(r, q, first)


def scale_curve(retention: ArrayLike, factor: ArrayLike) -> np.ndarray:
    """A curve with its months 2..k scaled by ``factor`` (each share capped at 1), month 1 (the activation) kept.

    ``retention_scale``: a ranged factor makes the curve uncertain in a
    simulation, one curve per draw (shape ``factor.shape + (k,)``). The late
    ratio ``q`` is unchanged unless a cap binds.

    >>> scale_curve([0.5, 0.4, 0.3], 1.5).tolist()
    [0.5, 0.6000000000000001, 0.44999999999999996]
    """
    r = _retention(retention)
    f = check("retention_scale", factor)
    later = np.minimum(1.0, f[..., None] * r[..., 1:])
    return np.concatenate([np.broadcast_to(r[..., :1], later.shape[:-1] + (1,)), later], axis=-1)


def curve_input(
    retention: ArrayLike | Curve | None, retention_scale: ArrayLike | None = None
) -> Curve | None:
    """A scenario's curve (:func:`active_curve`), scaled by ``retention_scale`` when given; None without a curve."""
    if retention is None:
        if retention_scale is not None:
            raise InputError(
                "retention_scale",
                "retention_scale scales a retention curve: give retention (or retention_from) too",
            )
        return None
    if retention_scale is None:
        return active_curve(retention)
    if isinstance(retention, Curve):  # was a TypeError from deep inside numpy
        raise InputError(
            "retention_scale", "retention_scale scales a curve given as its shares, not a Curve already read"
        )
    return active_curve(scale_curve(retention, retention_scale))


def retention_at(retention: ArrayLike | Curve, age: ArrayLike) -> float | np.ndarray:
    """``R(a)``: the share of an activated cohort active at age ``a`` (whole months from 1), with the tail.

    ``r_a / r_1`` for ``a <= k`` (``r_a`` when ``r_1`` is 1), then ``R(k) * q ** (a - k)``.

    >>> retention_at([1.0, 0.5, 0.25], [1, 3, 5]).round(12).tolist()
    [1.0, 0.25, 0.0625]
    """
    return _out(active_curve(retention).at(np.asarray(age)))


# ------------------------------------------------------------------ payback


def _payback(r: np.ndarray, q: np.ndarray, m: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The first whole month T with ``sum_{t<=T} m * R(t) >= target``; inf when never; 0 for a target of 0.

    Within the observed months, a cumulative sum; past them the geometric
    sum ``S_k + m R_k q (1 - q^n) / (1 - q)`` solved for n (then moved by one
    month where rounding put it on the wrong side).
    """
    k = r.shape[-1]
    with np.errstate(all="ignore"):
        steps = m[..., None] * r
        cum = np.cumsum(steps, axis=-1)
        within = cum >= target[..., None]
        first = np.argmax(within, axis=-1) + 1.0
        s_k, a = cum[..., -1], steps[..., -1] * q  # S_k; the first month past k adds a
        y = 1 - (target - s_k) * (1 - q) / a  # q ** n <= y
        n = np.maximum(np.ceil(np.log(y) / np.log(q)), 1.0)

        def total(n: np.ndarray) -> np.ndarray:
            s: np.ndarray = s_k + a * (1 - q**n) / (1 - q)
            return s

        n = np.where((n > 1) & (total(n - 1) >= target), n - 1, n)
        n = np.where(total(n) < target, n + 1, n)
        past = np.where(y > 0, k + n, np.inf)  # y <= 0: the whole sum stays below the target
    out = np.where(within.any(axis=-1), first, past)
    out = np.where(target == 0, 0.0, out)
    out = np.where(m <= 0, np.inf, out)
    return np.where(np.isnan(target) | np.isnan(m), np.nan, out)


def cohort_payback_month(
    retention: ArrayLike | Curve, contribution_per_mau: ArrayLike, cac_per_active: ArrayLike
) -> float | np.ndarray:
    """The first whole month in which an activated cohort's contribution covers its CAC (docs/model.md).

    Parameters
    ----------
    retention : array_like
        The retention curve ``r_1 .. r_k`` (last axis: months); one measured
        on sign-ups (``r_1 < 1``) is read as ``R(a) = r_a / r_1``.
    contribution_per_mau : float or array_like
        Contribution of an active user per month (currency).
    cac_per_active : float or array_like
        What one active user costs to buy (currency, >= 0).

    Returns
    -------
    float or ndarray
        The first T with ``sum_{t=1..T} contribution_per_mau * R(t) >=
        cac_per_active``, not limited to a horizon; ``inf`` (never) when the
        contribution is <= 0 or the whole sum with the tail stays below the
        CAC; 0 when the CAC is 0. For the curve ``(1-c)**(a-1)`` it is
        ``ceil(payback_months(cac, contribution, 1, c))``.

    Examples
    --------
    >>> cohort_payback_month([1.0, 0.5, 0.25], 10, 16)
    3.0
    """
    c = active_curve(retention)
    m = check("contribution_per_mau", contribution_per_mau, "any")
    target = check("cac_per_active", cac_per_active, "nonneg")
    shape = np.broadcast_shapes(c.q.shape, m.shape, target.shape)
    r = np.broadcast_to(c.r, shape + (c.k,))
    return _out(
        _payback(r, np.broadcast_to(c.q, shape), np.broadcast_to(m, shape), np.broadcast_to(target, shape))
    )


# ------------------------------------------------------------------ the average curve of a triangle


def average_curve(triangle: Iterable[ArrayLike], sizes: ArrayLike | None = None) -> np.ndarray:
    """The average curve of a retention triangle, chained over the ages so that it never rises while each
    cohort decays (docs/model.md, "The cohorts file's average curve").

    Parameters
    ----------
    triangle : sequence of sequences
        One row per cohort, its shares of months 1, 2, ... (rows may be
        shorter: a cohort is observed up to its last share).
    sizes : sequence of float, optional
        Each cohort's size (its sign-ups): the weights. Without it every
        cohort weighs 1.

    Returns
    -------
    ndarray
        ``rbar_1 = sum_c w_c r_{c,1} / sum_c w_c``, ``rbar_a = rbar_{a-1} *
        sum_c w_c r_{c,a} / sum_c w_c r_{c,a-1}`` over the cohorts observed at
        age ``a``, for a = 1 .. the longest row.

    Examples
    --------
    An old cohort that kept its users and a young one that did not: the
    plain mean of month 3 (the old cohort alone) would rise above month 2's.

    >>> average_curve([[1.0, 0.9, 0.85], [1.0, 0.5]]).round(6).tolist()
    [1.0, 0.7, 0.661111]
    """
    rows = [list(np.asarray(row, dtype=float).reshape(-1)) for row in triangle]
    if not rows or not all(rows):
        raise InputError("retention", "a retention triangle needs at least one cohort, each with month 1")
    for row in rows:
        _retention(row)
    if sizes is None:
        w = np.ones(len(rows))
    else:
        w = np.asarray(sizes, dtype=float).reshape(-1)
        if w.shape != (len(rows),):
            raise InputError("size", f"size must give one number per cohort ({len(rows)}), got {w.size}")
        if not np.all(np.isfinite(w) & (w > 0)):
            raise InputError(
                "size",
                f"size must be above 0 (sign-ups of the cohort), got "
                f"{float(w[~(np.isfinite(w) & (w > 0))][0]):.10g}",
            )
    k = max(len(row) for row in rows)
    table = np.full((len(rows), k), np.nan)
    for i, row in enumerate(rows):
        table[i, : len(row)] = row
    # Each sum is numpy's sum of one contiguous array, the numerator's terms each at most the denominator's
    # (w r_a <= w r_(a-1) while a cohort decays, w r_1 <= w): rounded addition is monotone, so a share of 1
    # averages to 1 and a decaying triangle's ratio to at most 1 (a BLAS dot orders its sums otherwise, and
    # gave 1 + 2**-52 for month 1 of five cohorts all 1)
    out = np.empty(k)
    out[0] = (w * table[:, 0]).sum() / w.sum()
    for a in range(1, k):
        seen = ~np.isnan(table[:, a])
        ws = w[seen]
        out[a] = out[a - 1] * ((ws * table[seen, a]).sum() / (ws * table[seen, a - 1]).sum())
    # A cohort whose share rises may chain the product to 1 exactly with rounding above: that rounding, at
    # most a few ulps per age, is no share above 1 (a real excess, beyond it, stays for the caller to refuse)
    noise = 4 * np.finfo(float).eps * np.arange(1, k + 1) * (2 + np.log2(len(rows)))
    return np.where((out > 1) & (out <= 1 + noise), 1.0, out)


# ------------------------------------------------------------------ the cohorts of a plan, by age


class Cohorts:
    """Every cohort's active users in a plan, month by month: ``sum_c A_c R(t - c + 1)``, A = activation x new.

    k columns hold the activated sign-ups of the last k cohorts (a ring:
    cohort c in column ``(c - 1) % k``), and one tail holds the active users
    of every older cohort, which decays at ``q``. A month costs about 2k
    multiplications of the scenario shape; the ages are summed in one fixed
    order for one scenario as for many, so a scenario gives the same bits
    alone and in an array of scenarios.
    """

    def __init__(self, curve: Curve, shape: tuple[int, ...], arrays: bool):
        self.k, self.t, self.arrays = curve.k, 0, arrays
        # arrays of scenarios, or one scenario's numpy float64 scalars (a tenth of the cost of 0-d arrays)
        self.r: list[Any]
        self.q: Any
        self.inflow: Any
        self.tail: Any
        r = np.ascontiguousarray(
            np.moveaxis(curve.r, -1, 0)
        )  # ages first: r[a - 1] is R(a) of every scenario
        if arrays:
            self.r, self.q = list(r), curve.q
            self.rkq = curve.r[..., -1] * curve.q  # R(k + 1) = R(k) q: where a cohort enters the tail
            self.inflow = np.zeros((self.k,) + shape)
            self.tail, self.total, self.scratch = np.zeros(shape), np.empty(shape), np.empty(shape)
        else:
            self.r, self.q = [np.float64(x) for x in r], np.float64(curve.q)
            self.rkq = self.r[-1] * self.q
            self.inflow = [np.float64(0.0)] * self.k
            self.tail = np.float64(0.0)

    def step(self, arriving: Any) -> Any:
        """Month ``t + 1``'s active users of every cohort, once ``arriving`` (this month's A) has joined."""
        k, t = self.k, self.t
        j = t % k  # the column of this month's cohort; it held the cohort now k + 1 months old
        if self.arrays:
            if t >= k:
                np.multiply(self.tail, self.q, out=self.tail)
                np.add(self.tail, np.multiply(self.inflow[j], self.rkq, out=self.scratch), out=self.tail)
            np.copyto(self.inflow[j], arriving)
            total = np.multiply(self.inflow[j], self.r[0], out=self.total)
            for a in range(1, min(k, t + 1)):  # age a + 1: the cohort of a months ago
                np.add(total, np.multiply(self.inflow[(t - a) % k], self.r[a], out=self.scratch), out=total)
            np.add(total, self.tail, out=total)
        else:
            if t >= k:
                self.tail = self.tail * self.q + self.inflow[j] * self.rkq
            self.inflow[j] = arriving
            total = arriving * self.r[0]
            for a in range(1, min(k, t + 1)):
                total = total + self.inflow[(t - a) % k] * self.r[a]
            total = total + self.tail
        self.t = t + 1
        return total


def cohort_waterfall(activated: ArrayLike, retention: ArrayLike | Curve) -> np.ndarray:
    """Each cohort's active users by month, for one scenario: ``[c - 1, t - 1] = A_c R(t - c + 1)`` (0 for t < c).

    ``activated``: the activated sign-ups of months 1..h (``activation_t *
    new_t``). Row sums by column plus the users of month 0 are the plan's
    MAU (a workbook's cohort waterfall sheet, checked against the engine).
    """
    a = np.asarray(activated, dtype=float).reshape(-1)
    c = active_curve(retention)
    if c.r.ndim != 1:
        raise InputError("retention", "a waterfall is one scenario's: give one curve")
    h = a.size
    age = np.arange(h)[None, :] - np.arange(h)[:, None] + 1
    return np.where(age >= 1, a[:, None] * c.at(np.maximum(age, 1)), 0.0)
