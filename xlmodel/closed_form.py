"""Closed-form metrics of the model: rates, CAC, compute cost, LTV, payback, Excel NPV.

Vectorised like numpy-financial: arguments broadcast, scalar inputs give a
Python ``float`` back, arrays give arrays; "never" is ``math.inf``. Part of the
engine (``xlmodel.engine`` re-exports every name); definitions in docs/model.md.

numpy-financial is imported by :func:`excel_npv` when it runs, not here: where
it is missing (an xlwings Lite whose package install failed) only the NPV
functions say so, and everything else still works.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError, XlmodelError
from .params import check

_T = TypeVar("_T")

__all__ = ["monthly_rate", "cac", "cost_per_mau", "gpu_price_per_mtok", "ltv", "payback_months", "excel_npv"]


def _out(x: ArrayLike) -> float | np.ndarray:
    """numpy-financial's convention: a 0-d result becomes a Python float."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _finite(result: _T, what: str, ok: ArrayLike | None = None, **inputs: ArrayLike | None) -> _T:
    """``result``, or an :class:`InputError` when it overflowed floating point (nan or an infinity).

    ``ok``: where an infinity is a real answer (a payback that never
    happens). The message names the inputs behind the first failing element:
    those of extreme size (beyond 1e100 or below 1e-100), else all of them.
    Never a "never" and never a nan that is really an overflow.
    """
    r = np.asarray(result, dtype=float)
    bad = ~np.isfinite(r)
    if ok is not None:
        bad &= ~np.broadcast_to(ok, r.shape)
    if not bad.any():
        return result
    at = np.unravel_index(int(np.argmax(bad)), r.shape) if r.ndim else ()
    vals: dict[str, float] = {}
    for k, v in inputs.items():
        if v is None:
            continue
        a = np.asarray(v, dtype=float)
        try:
            vals[k] = float(np.broadcast_to(a, r.shape)[at]) if r.ndim else float(a.reshape(-1)[0])
        except ValueError:
            vals[k] = float(a.reshape(-1)[0])
    extreme = [k for k, v in vals.items() if abs(v) > 1e100 or 0 < abs(v) < 1e-100] or list(vals)
    shown = ", ".join(f"{k} {vals[k]:.6g}" for k in extreme[:6])
    raise InputError(
        extreme[0] if extreme else "input",
        f"{what} overflows floating point for {shown}: inputs this extreme are beyond what the "
        "model can compute",
    )


#: what a missing numpy-financial costs, said where it is needed
NPF_MISSING = (
    "the NPV needs numpy-financial, which is not installed: pip install numpy-financial (in xlwings Lite: "
    "add the line numpy-financial to the requirements.txt tab and restart)"
)


def _npf() -> Any:
    """numpy-financial, imported on first use; a one-line error naming the fix when it is missing."""
    try:
        import numpy_financial
    except ImportError:
        raise XlmodelError(NPF_MISSING) from None
    return numpy_financial


def _months(name: str, value: ArrayLike) -> np.ndarray:
    m = check(name, value, "months")
    return m.astype(np.int64)


# ---------------------------------------------------------------- closed form


def monthly_rate(annual: ArrayLike) -> float | np.ndarray:
    """Monthly rate equivalent to an annual effective rate.

    Parameters
    ----------
    annual : float or array_like
        Annual effective rate, a fraction above -1 (0.12 means 12%).

    Returns
    -------
    float or ndarray
        Monthly rate ``d``.

    Notes
    -----
    ``d = (1 + annual) ** (1/12) - 1``. Excel: ``=(1+annual)^(1/12)-1``.

    Examples
    --------
    >>> round(monthly_rate(0.12), 10)
    0.0094887929
    >>> monthly_rate(0)
    0.0
    """
    a = check("annual", annual)
    return _out(np.expm1(np.log1p(a) / 12.0))


def cac(spend: ArrayLike, new_users: ArrayLike, paid_share: ArrayLike = 1.0) -> float | np.ndarray:
    """Customer acquisition cost: spend per user bought.

    Parameters
    ----------
    spend : float or array_like
        Ad spend over the period (currency, >= 0).
    new_users : float or array_like
        New users over the same period (> 0).
    paid_share : float or array_like, default 1
        Share of ``new_users`` bought with ``spend`` (0 < paid_share <= 1).
        With 1 and every new user counted you get the blended CAC; with the
        paid share you get the paid CAC.

    Returns
    -------
    float or ndarray
        Currency per user.

    Notes
    -----
    ``spend / (new_users * paid_share)``. Excel: ``=spend/(new_users*paid_share)``.

    Examples
    --------
    Spend 1,000 for 20 new users, 5 of them from ads:

    >>> cac(1000, 20)            # blended
    50.0
    >>> cac(1000, 20, 5 / 20)    # paid
    200.0
    """
    s = check("spend", spend)
    n = check("new_users", new_users)
    p = check("paid_share", paid_share)
    with np.errstate(all="ignore"):  # a product that underflows to 0 gives inf: an overflow, said so
        out = s / (n * p)
    return _out(_finite(out, "cac", spend=spend, new_users=new_users, paid_share=paid_share))


def cost_per_mau(
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    input_price: ArrayLike,
    output_price: ArrayLike,
    cached_share: ArrayLike = 0.0,
    cached_price: ArrayLike | None = None,
) -> float | np.ndarray:
    """Inference cost of one monthly active user for a month.

    Parameters
    ----------
    input_tokens, output_tokens : float or array_like
        Tokens per MAU per month (>= 0).
    input_price, output_price : float or array_like
        Price per 1M tokens (currency, >= 0).
    cached_share : float or array_like, default 0
        Share of input tokens served from the prompt cache (0 to 1).
    cached_price : float or array_like, optional
        Price per 1M cached input tokens; defaults to ``input_price``.

    Returns
    -------
    float or ndarray
        Currency per MAU per month.

    Notes
    -----
    ``(in*(1-cached_share)*input_price + in*cached_share*cached_price + out*output_price) / 1e6``.

    Examples
    --------
    GPT-4o-mini list prices (0.15 in, 0.60 out per 1M), 200k in, 50k out:

    >>> round(cost_per_mau(200_000, 50_000, 0.15, 0.60), 6)
    0.06
    """
    i = check("input_tokens", input_tokens)
    o = check("output_tokens", output_tokens)
    ip = check("input_price", input_price)
    op = check("output_price", output_price)
    cs = check("cached_share", cached_share)
    cp = ip if cached_price is None else check("cached_price", cached_price)
    with np.errstate(all="ignore"):
        out = (i * (1 - cs) * ip + i * cs * cp + o * op) / 1e6
    return _out(
        _finite(
            out,
            "cost_per_mau",
            input_tokens=i,
            output_tokens=o,
            input_price=ip,
            output_price=op,
            cached_price=cp,
        )
    )


def gpu_price_per_mtok(
    gpu_hour_cost: ArrayLike, tokens_per_second: ArrayLike, utilization: ArrayLike = 1.0
) -> float | np.ndarray:
    """Self-hosted price of 1M tokens from a GPU's hourly cost and throughput.

    Parameters
    ----------
    gpu_hour_cost : float or array_like
        Cost of one GPU hour (currency, >= 0).
    tokens_per_second : float or array_like
        Tokens generated per second (> 0).
    utilization : float or array_like, default 1
        Share of the hour doing useful work (0 < utilization <= 1).

    Returns
    -------
    float or ndarray
        Currency per 1M tokens.

    Notes
    -----
    ``gpu_hour_cost / (tokens_per_second * 3600 * utilization) * 1e6``.

    Examples
    --------
    An H100 at 2.00 an hour serving 85 tokens a second:

    >>> round(gpu_price_per_mtok(2.00, 85), 4)
    6.5359
    """
    c = check("gpu_hour_cost", gpu_hour_cost)
    t = check("tokens_per_second", tokens_per_second)
    u = check("utilization", utilization)
    with np.errstate(all="ignore"):  # a product that underflows to 0 gives inf: an overflow, said so
        out = c / (t * 3600.0 * u) * 1e6
    return _out(_finite(out, "gpu_price_per_mtok", gpu_hour_cost=c, tokens_per_second=t, utilization=u))


def ltv(
    arpu: ArrayLike,
    gross_margin: ArrayLike,
    churn: ArrayLike,
    annual_discount_rate: ArrayLike = 0.0,
    months: ArrayLike | None = None,
) -> float | np.ndarray:
    """Lifetime value of a user: discounted contribution over their survival.

    Parameters
    ----------
    arpu : float or array_like
        Revenue per user per month (currency, >= 0).
    gross_margin : float or array_like
        Gross margin (fraction, at most 1; may be negative).
    churn : float or array_like
        Monthly churn (fraction, 0 to 1).
    annual_discount_rate : float or array_like, default 0
        Annual effective discount rate (fraction above -1).
    months : int or array_like, optional
        Lifetime cap in months. ``None`` (default): unbounded.

    Returns
    -------
    float or ndarray
        Currency per user.

    Notes
    -----
    ``m = arpu*gross_margin``, ``d = monthly_rate(annual_discount_rate)``,
    survival ``(1-churn)**(t-1)``, month-end flows, so the value equals Excel's
    ``NPV(d, m, m*(1-churn), m*(1-churn)^2, ...)``.

    - unbounded: ``m / (churn + d)``; needs ``churn + d > 0`` (the series
      diverges otherwise) and raises :class:`InputError` if not.
    - ``months = N``: ``m/(churn+d) * (1 - ((1-churn)/(1+d))**N)``; when
      ``churn + d == 0`` (numerically: below 1e-13) the limit ``m*N/(1+d)``, which is ``m*N`` when both are
      zero (docs/model.md says ``m*N``; the two differ only for a negative
      discount rate offsetting churn, and the limit is the one equal to NPV).

    With zero discount this is Skok's ``ARPU*GM/churn``.

    Examples
    --------
    >>> ltv(10, 0.8, 0.05)             # 10 * 0.8 / 0.05
    160.0
    >>> round(ltv(10, 0.8, 0.05, months=12), 6)
    73.542386
    """
    a = check("arpu", arpu)
    g = check("gross_margin", gross_margin)
    c = check("churn", churn)
    d = np.asarray(monthly_rate(annual_discount_rate))
    k = c + d
    if months is None:
        if not k.min() > 0:
            raise InputError(
                "churn",
                "churn + monthly discount rate must be above 0 for an unbounded LTV "
                f"(give months for a capped one), got {float(np.min(k)):.10g}",
            )
        with np.errstate(all="ignore"):
            out = a * g / k  # one chained expression: numpy reuses the temporary
        return _out(
            _finite(out, "ltv", arpu=a, gross_margin=g, churn=c, annual_discount_rate=annual_discount_rate)
        )
    m = a * g
    n = _months("months", months)
    # 1 - r**N computed as -expm1(N*log r) keeps precision when churn + d is tiny.
    with np.errstate(all="ignore"):
        log_r = np.log1p(-c) - np.log1p(d)
        one_minus = -np.expm1(n * log_r)
        # |churn + d| below 1e-13: the limit m*N/(1+d), within N*|k|/2 < 1e-10 relative
        # of the exact sum, where m/k would overflow or lose precision.
        tiny = np.abs(k) < 1e-13
        capped = np.where(tiny, m * n / (1 + d), m / np.where(tiny, 1, k) * one_minus)
    return _out(
        _finite(capped, "ltv", arpu=a, gross_margin=g, churn=c, annual_discount_rate=annual_discount_rate)
    )


def payback_months(
    cac: ArrayLike, arpu: ArrayLike, gross_margin: ArrayLike, churn: ArrayLike = 0.0
) -> float | np.ndarray:
    """Months until a user's cumulative contribution repays their CAC.

    Parameters
    ----------
    cac : float or array_like
        Acquisition cost per user (currency, >= 0).
    arpu : float or array_like
        Revenue per user per month (currency, >= 0).
    gross_margin : float or array_like
        Gross margin (fraction, at most 1; may be negative).
    churn : float or array_like, default 0
        Monthly churn (fraction, 0 to 1).

    Returns
    -------
    float or ndarray
        Fractional months; ``math.inf`` when payback never happens.

    Notes
    -----
    ``m = arpu*gross_margin``; ``churn == 0``: ``cac / m``; otherwise with
    ``x = cac*churn/m``: ``ln(1-x) / ln(1-churn)``. Never (``inf``) when
    ``m <= 0`` or ``x >= 1``. With ``churn == 1`` and ``x < 1`` the formula's
    limit is 0 (the single month of contribution covers the CAC).

    Examples
    --------
    >>> payback_months(120, 10, 0.6)
    20.0
    >>> payback_months(120, 10, 0.6, churn=0.05)
    inf
    >>> round(payback_months(60, 10, 0.6, churn=0.05), 6)
    13.513407
    """
    q = check("cac", cac, "nonneg")
    a = check("arpu", arpu)
    g = check("gross_margin", gross_margin)
    c = check("churn", churn)
    with np.errstate(all="ignore"):
        m = a * g
    _finite(m, "payback_months (arpu x gross_margin)", arpu=a, gross_margin=g)
    with np.errstate(all="ignore"):
        _finite(np.where(m > 0, q * c, 0.0), "payback_months (cac x churn)", cac=q, churn=c)
        # cac/m is the payback without churn (and the limit at a tiny churn): its overflow is not a "never"
        _finite(
            np.where((m > 0) & (c < 1e-8), q / np.where(m > 0, m, 1.0), 0.0),
            "payback_months (cac / contribution)",
            cac=q,
            arpu=a,
            gross_margin=g,
        )
        x = q * c / m
        out = np.log1p(-x) / np.log1p(-c)
        if c.min() == 0:  # no churn: cac / m (the formula above is 0/0 there)
            out = np.where(c == 0, q / m, out)
        tiny = (c > 0) & (c < 1e-8)
        if tiny.any():
            # cac*churn loses its digits in the subnormal range, so x = (cac/m)*churn there; and while k*churn
            # is small, ln(1-k c)/ln(1-c) = k (1 + (k-1) c/2 + O(k^2 c^2)), continuous with churn 0's cac/m
            k = q / m
            x = np.where(
                tiny & (np.abs(q * c) < np.finfo(float).tiny), k * c, x
            )  # only where q*c is subnormal
            exact = np.log1p(-x) / np.log1p(-c)
            series = k * (1 + (k - 1) * c / 2)
            out = np.where(tiny, np.where(np.abs(x) < 1e-6, series, exact), out)
        if c.max() == 1:  # churn 1: the formula's limit, 0 (not -0.0)
            out = np.where(c == 1, 0.0, out)
        out = np.where((m > 0) & (x < 1), out, np.inf)
    return _out(out)


def excel_npv(rate: ArrayLike, values: ArrayLike) -> float | np.ndarray:
    """Excel's ``NPV``: the first value is discounted one period.

    Parameters
    ----------
    rate : float or array_like
        Discount rate per period.
    values : array_like
        Cash flows at the end of periods 1..n, along the last axis.

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``sum(values[t-1] / (1+rate)**t for t in 1..n)``, computed with
    numpy-financial as ``npf.npv(rate, [0, *values])`` (its ``npv`` does not
    discount its first value, so a zero is put in front). numpy-financial 1.0
    takes one rate and one series only; for arrays of rates or of series the
    same expression is broadcast here.

    Examples
    --------
    Excel's documented example, ``NPV(10%, -10000, 3000, 4200, 6800)``:

    >>> round(excel_npv(0.10, [-10000, 3000, 4200, 6800]), 2)
    1188.44
    """
    npf = _npf()  # one rule for a cell and for a column: the NPV is numpy-financial's
    r = np.asarray(rate, dtype=float)
    v = np.asarray(values, dtype=float)
    padded = np.concatenate([np.zeros(v.shape[:-1] + (1,)), v], axis=-1)
    with np.errstate(all="ignore"):
        if r.ndim == 0 and v.ndim == 1:
            out = npf.npv(float(r), padded)
        else:
            # numpy-financial 1.0's npv takes one rate and one series; for many, its
            # expression broadcast over the leading axes.
            t = np.arange(padded.shape[-1])
            out = (padded / (1 + r[..., None]) ** t).sum(axis=-1)
    return _out(_finite(out, "NPV", rate=r, values=np.max(np.abs(v), axis=-1) if v.size else 0.0))
