"""The NPV of migrating traffic to a small model (docs/model.md, "Small-model migration NPV").

Part of the engine (``xlmodel.engine`` re-exports every name).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .closed_form import _finite, _months, _out, excel_npv, monthly_rate
from .params import check

__all__ = ["migration_cash_flows", "migration_npv", "migration_payback_month", "MIGRATION_ARGS"]

#: the arguments of migration_npv, in order
MIGRATION_ARGS = (
    "monthly_tokens",
    "large_price",
    "small_price",
    "migration_cost",
    "months",
    "annual_discount_rate",
    "routed_share",
    "token_growth",
    "price_decline",
    "monthly_revenue",
    "revenue_loss",
)


def migration_cash_flows(
    monthly_tokens: ArrayLike,
    large_price: ArrayLike,
    small_price: ArrayLike,
    months: ArrayLike,
    routed_share: ArrayLike = 1.0,
    token_growth: ArrayLike = 0.0,
    price_decline: ArrayLike = 0.0,
    monthly_revenue: ArrayLike = 0.0,
    revenue_loss: ArrayLike = 0.0,
) -> np.ndarray:
    """Monthly net cash flow of moving traffic to a small model, months 1..N.

    Returns ``net_t = savings_t - loss_t`` along the last axis (length
    ``max(months)``; months past a scenario's own ``months`` are 0), with::

        savings_t = monthly_tokens * (1+token_growth)**(t-1) * routed_share
                    * (large_price - small_price) * (1-price_decline)**(t-1) / 1e6
        loss_t    = monthly_revenue * revenue_loss
    """
    tok = check("monthly_tokens", monthly_tokens)
    lp = check("large_price", large_price)
    sp = check("small_price", small_price)
    n = _months("months", months)
    rs = check("routed_share", routed_share)
    tg = check("token_growth", token_growth)
    pd = check("price_decline", price_decline)
    rev = check("monthly_revenue", monthly_revenue)
    rl = check("revenue_loss", revenue_loss)
    tok, lp, sp, n, rs, tg, pd, rev, rl = np.broadcast_arrays(tok, lp, sp, n, rs, tg, pd, rev, rl)
    big_n = int(n.max())
    t = np.arange(big_n, dtype=float)
    col: Callable[[np.ndarray], np.ndarray] = lambda x: x[..., None]
    with np.errstate(all="ignore"):
        savings = col(tok) * (1 + col(tg)) ** t * col(rs) * (col(lp) - col(sp)) * (1 - col(pd)) ** t / 1e6
        net = np.where(t < col(n), savings - col(rev * rl), 0.0)
    return _finite(
        net,
        "the migration's cash flow",
        monthly_tokens=col(tok),
        large_price=col(lp),
        small_price=col(sp),
        token_growth=col(tg),
        monthly_revenue=col(rev),
    )


def migration_npv(
    monthly_tokens: ArrayLike,
    large_price: ArrayLike,
    small_price: ArrayLike,
    migration_cost: ArrayLike,
    months: ArrayLike,
    annual_discount_rate: ArrayLike,
    routed_share: ArrayLike = 1.0,
    token_growth: ArrayLike = 0.0,
    price_decline: ArrayLike = 0.0,
    monthly_revenue: ArrayLike = 0.0,
    revenue_loss: ArrayLike = 0.0,
) -> float | np.ndarray:
    """Net present value of migrating traffic from a large to a small model.

    Parameters
    ----------
    monthly_tokens : float or array_like
        Tokens a month served by the large model today.
    large_price, small_price : float or array_like
        Prices per 1M tokens (currency).
    migration_cost : float or array_like
        One-time cost at t = 0, undiscounted.
    months : int or array_like
        Months of savings counted (whole number, 1 to 1200).
    annual_discount_rate : float or array_like
        Annual effective discount rate.
    routed_share : float or array_like, default 1
        Share of tokens moved (0 to 1).
    token_growth : float or array_like, default 0
        Monthly growth of token volume (above -1).
    price_decline : float or array_like, default 0
        Monthly decline of both prices (0 to 1).
    monthly_revenue : float or array_like, default 0
        Monthly revenue exposed to quality loss.
    revenue_loss : float or array_like, default 0
        Share of that revenue lost (0 to 1).

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``migration_npv = -migration_cost + NPV(d, net_1, ..., net_months)`` with
    Excel's ``NPV`` (month 1 discounted one period) and
    ``d = (1+annual_discount_rate)**(1/12) - 1``; equivalently
    ``npf.npv(d, [-migration_cost, net_1, ..., net_months])``. See
    :func:`migration_cash_flows` for ``net_t``.

    Examples
    --------
    1B tokens a month from 10.00 to 0.60 per 1M, 50k to migrate, 24 months, 10%:

    >>> round(migration_npv(1e9, 10.0, 0.6, 50_000, 24, 0.10), 2)
    154586.94
    """
    net = migration_cash_flows(
        monthly_tokens,
        large_price,
        small_price,
        months,
        routed_share,
        token_growth,
        price_decline,
        monthly_revenue,
        revenue_loss,
    )
    cost = check("migration_cost", migration_cost)
    d = np.asarray(monthly_rate(annual_discount_rate))
    with np.errstate(all="ignore"):
        out = -cost + np.asarray(excel_npv(d, net))
    return _out(_finite(out, "migration_npv", migration_cost=cost, monthly_tokens=monthly_tokens))


def migration_payback_month(
    monthly_tokens: ArrayLike,
    large_price: ArrayLike,
    small_price: ArrayLike,
    migration_cost: ArrayLike,
    months: ArrayLike,
    annual_discount_rate: ArrayLike,
    routed_share: ArrayLike = 1.0,
    token_growth: ArrayLike = 0.0,
    price_decline: ArrayLike = 0.0,
    monthly_revenue: ArrayLike = 0.0,
    revenue_loss: ArrayLike = 0.0,
) -> float | np.ndarray:
    """First month whose cumulative discounted cash flow (cost included) is >= 0.

    Returns a whole month number in 1..months, or ``math.inf`` if the
    migration has not paid back within ``months``. Takes the arguments of
    :func:`migration_npv`.

    Examples
    --------
    >>> migration_payback_month(1e9, 10.0, 0.6, 50_000, 24, 0.10)
    6.0
    """
    net = migration_cash_flows(
        monthly_tokens,
        large_price,
        small_price,
        months,
        routed_share,
        token_growth,
        price_decline,
        monthly_revenue,
        revenue_loss,
    )
    cost = check("migration_cost", migration_cost)
    n = _months("months", months)
    d = np.asarray(monthly_rate(annual_discount_rate))
    t = np.arange(1, net.shape[-1] + 1, dtype=float)
    with np.errstate(all="ignore"):
        pv = _finite(
            net / (1 + d[..., None]) ** t,
            "the migration's present values",
            annual_discount_rate=annual_discount_rate,
            monthly_tokens=monthly_tokens,
        )
    lead = np.broadcast_shapes(pv.shape[:-1], cost.shape)  # the cost alone may vary (a goal seek over it)
    pv = np.broadcast_to(pv, lead + pv.shape[-1:])
    start = np.broadcast_to(-cost[..., None], lead + (1,))
    # running total from -cost, month by month (the workbook's cumulative row)
    with np.errstate(all="ignore"):
        cum = np.add.accumulate(np.concatenate([start, pv], axis=-1), axis=-1)[..., 1:]
    _finite(cum, "the migration's cumulative NPV", migration_cost=cost, monthly_tokens=monthly_tokens)
    ok = (cum >= 0) & (t <= np.asarray(n)[..., None])
    first = ok.argmax(axis=-1) + 1.0
    return _out(np.where(ok.any(axis=-1), first, np.inf))
