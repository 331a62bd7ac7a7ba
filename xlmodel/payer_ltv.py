"""The LTV and payback of a sign-up when payers are their own stock (docs/model.md, "Unit economics with two
stocks"): a Markov chain over the states {free, monthly payer, annual payer in month 1..12 of its paid year}.

:func:`chain_ltv` is ``e' ((1 + d) I - Q)^(-1) r`` from a start (an activated sign-up, free in its first month;
or a new payer, monthly or annual by ``annual_share``), on recognised contribution; :func:`chain_payback` the
first whole month the undiscounted cumulative contribution of one activated sign-up reaches a CAC. Both
vectorise over scenarios. Pure numpy, nothing at import time.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from .closed_form import _out, monthly_rate
from .dates import MAX_MONTHS
from .errors import InputError
from .params import check
from .payers import check_stocks, net_price

__all__ = [
    "STATES",
    "chain",
    "chain_ltv",
    "chain_payback",
    "bounded_chain_ltv",
    "chain_args",
    "PAYBACK_LIMIT",
    "stock_unit_economics",
    "ltv_stocks",
]

#: the chain's states: free, monthly payer, annual payer in month 1..12 of its paid year
STATES = ("free", "monthly") + tuple(f"annual_{m}" for m in range(1, 13))
#: months a payback is searched over (never beyond): the longest timeline an input may give
PAYBACK_LIMIT = MAX_MONTHS
_N = len(STATES)
#: the arguments of :func:`chain_ltv` up to ``net_a``: churn, upgrade, paying_churn, annual_share,
#: annual_renewal, cost, paying_cost, arppu_net, net_a
ChainArgs: TypeAlias = tuple[
    ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike, ArrayLike
]
_FREE, _MONTHLY, _A1, _A12 = 0, 1, 2, 13


def _b(shape: tuple[int, ...], *xs: ArrayLike) -> list[np.ndarray]:
    return [np.broadcast_to(np.asarray(x, dtype=float), shape) for x in xs]


def chain(
    churn: ArrayLike,
    upgrade: ArrayLike,
    paying_churn: ArrayLike,
    annual_share: ArrayLike,
    annual_renewal: ArrayLike,
    cost: ArrayLike,
    paying_cost: ArrayLike,
    arppu_net: ArrayLike,
    net_a: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """The transition matrix ``Q`` (shape ``S + (14, 14)``) and the contribution per month ``r`` (``S + (14,)``)
    of docs/model.md: free to free ``(1 - churn)(1 - upgrade)``, free to monthly ``(1 - churn) * upgrade * (1 -
    annual_share)``, free to annual month 1 ``(1 - churn) * upgrade * annual_share``, monthly to monthly ``1 -
    paying_churn``, annual month k to k + 1 (k < 12) 1, annual month 12 to annual month 1 ``annual_renewal``; ``r``:
    free ``-cost``, monthly ``arppu_net - paying_cost``, annual ``net_a / 12 - paying_cost``."""
    xs = (churn, upgrade, paying_churn, annual_share, annual_renewal, cost, paying_cost, arppu_net, net_a)
    shape = np.broadcast_shapes(*(np.shape(x) for x in xs))
    c, u, pc, a, ren, cost_, pcost, m, na = _b(shape, *xs)
    q = np.zeros(shape + (_N, _N))
    surv = 1 - c
    q[..., _FREE, _FREE] = surv * (1 - u)
    q[..., _FREE, _MONTHLY] = surv * u * (1 - a)
    q[..., _FREE, _A1] = surv * u * a
    q[..., _MONTHLY, _MONTHLY] = 1 - pc
    for j in range(_A1, _A12):
        q[..., j, j + 1] = 1.0
    q[..., _A12, _A1] = ren
    r = np.zeros(shape + (_N,))
    r[..., _FREE] = -cost_
    r[..., _MONTHLY] = m - pcost
    r[..., _A1:] = (na / 12 - pcost)[..., None]
    return q, r


def _reachable(upgrade: np.ndarray, annual_share: np.ndarray, start: str) -> np.ndarray:
    """Which states a start reaches (shape ``S + (14,)``): from a sign-up, free always and the payers' states
    when ``upgrade > 0``; from a new payer, monthly when ``annual_share < 1``, annual when ``annual_share > 0``."""
    shape = np.broadcast_shapes(upgrade.shape, annual_share.shape)
    upgrade, annual_share = _b(shape, upgrade, annual_share)
    out = np.zeros(shape + (_N,), dtype=bool)
    gate = upgrade > 0 if start == "signup" else np.ones(shape, dtype=bool)
    out[..., _FREE] = start == "signup"
    out[..., _MONTHLY] = gate & (annual_share < 1)
    out[..., _A1:] = (gate & (annual_share > 0))[..., None]
    return out


def chain_ltv(
    churn: ArrayLike,
    upgrade: ArrayLike,
    paying_churn: ArrayLike,
    annual_share: ArrayLike,
    annual_renewal: ArrayLike,
    cost: ArrayLike,
    paying_cost: ArrayLike,
    arppu_net: ArrayLike,
    net_a: ArrayLike,
    d: ArrayLike,
    start: str = "signup",
) -> np.ndarray:
    """``e' ((1 + d) I - Q)^(-1) r``: the LTV of an activated sign-up (``start="signup"``, free in its first month)
    or of a new payer (``start="payer"``: monthly with weight ``1 - annual_share``, annual month 1 with
    ``annual_share``), at the monthly discount rate ``d``; ``nan`` where it is unbounded (``d = 0`` and a reachable
    state keeps its users for ever: ``paying_churn = 0``, ``annual_renewal = 1``, or ``churn = 0`` with ``upgrade =
    0``). States the start cannot reach are left out of the chain.

    Examples
    --------
    One state (a monthly payer): ``m / (paying_churn + d)``.

    >>> round(float(chain_ltv(0.5, 0.1, 0.05, 0.0, 0.0, 0.0, 1.0, 11.0, 0.0, 0.0, start="payer")), 9)
    200.0
    """
    q, r = chain(
        churn, upgrade, paying_churn, annual_share, annual_renewal, cost, paying_cost, arppu_net, net_a
    )
    shape = r.shape[:-1]
    c, u, pc, a, ren, dd = _b(shape, churn, upgrade, paying_churn, annual_share, annual_renewal, d)
    reach = _reachable(u, a, start)
    forever = (
        (reach[..., _MONTHLY] & (pc == 0))
        | (reach[..., _A1] & (ren == 1))
        | (reach[..., _FREE] & (c == 0) & (u == 0))
    )
    bad = forever & (dd == 0)
    eye = np.eye(_N)
    m = (1 + dd)[..., None, None] * eye - q
    keep = reach[..., :, None] & reach[..., None, :]  # the chain over the reachable states only
    m = np.where(keep, m, eye)
    m = np.where(bad[..., None, None], eye, m)
    rr = np.where(reach, r, 0.0)
    x = np.linalg.solve(m, rr[..., None])[..., 0]
    if start == "signup":
        value = x[..., _FREE]
    else:
        value = (1 - a) * np.where(a < 1, x[..., _MONTHLY], 0.0) + a * np.where(a > 0, x[..., _A1], 0.0)
    out: np.ndarray = np.where(bad, np.nan, value)
    return out


def chain_payback(
    cac: ArrayLike,
    churn: ArrayLike,
    upgrade: ArrayLike,
    paying_churn: ArrayLike,
    annual_share: ArrayLike,
    annual_renewal: ArrayLike,
    cost: ArrayLike,
    paying_cost: ArrayLike,
    arppu_net: ArrayLike,
    net_a: ArrayLike,
) -> np.ndarray:
    """The first whole month T in which ``sum_{t<=T} p_t . r``, the undiscounted cumulative contribution of one
    activated sign-up (``p_1`` = free, ``p_{t+1} = p_t Q``), reaches ``cac``: 0 when ``cac <= 0``, ``inf``
    (never) when it does not within :data:`PAYBACK_LIMIT` months, ``nan`` where ``cac`` is ``nan``."""
    xs = (
        cac,
        churn,
        upgrade,
        paying_churn,
        annual_share,
        annual_renewal,
        cost,
        paying_cost,
        arppu_net,
        net_a,
    )
    shape = np.broadcast_shapes(*(np.shape(x) for x in xs))
    k, c, u, pc, a, ren, cost_, pcost, m, na = _b(shape, *xs)
    r_free, r_monthly, r_annual = -cost_, m - pcost, na / 12 - pcost
    stay, up_m, up_a, keep_m = (1 - c) * (1 - u), (1 - c) * u * (1 - a), (1 - c) * u * a, 1 - pc
    free, monthly = np.ones(shape), np.zeros(shape)
    ring = np.zeros((12,) + shape)  # annual payers by month of their paid year (slot (t - month) % 12)
    annual = np.zeros(shape)
    total = np.zeros(shape)
    found = np.where(k <= 0, 0.0, np.where(np.isnan(k), np.nan, np.inf))
    open_ = np.isinf(found)
    for t in range(1, PAYBACK_LIMIT + 1):
        if not open_.any():
            break
        total = total + free * r_free + monthly * r_monthly + annual * r_annual
        hit = open_ & (total >= k)
        if hit.any():
            found = np.where(hit, t, found)
            open_ = open_ & ~hit
        # the next month: the payers of month 12 renew (or leave), the free users upgrade
        slot = (t + 1) % 12  # the billings of month t - 11, at the end of their paid year
        renewed = ring[slot] * ren
        new_a = free * up_a
        annual = annual - ring[slot] + renewed + new_a
        ring[slot] = renewed + new_a
        monthly = monthly * keep_m + free * up_m
        free = free * stay
        # nothing left to earn (every state empty, or every state's contribution <= 0): never
        pays = ((r_monthly > 0) & (a < 1) | (r_annual > 0) & (a > 0)) & (u > 0)
        alive = (
            (free > 0) & ((r_free > 0) | pays)
            | (monthly > 0) & (r_monthly > 0)
            | (annual > 0) & (r_annual > 0)
        )
        open_ = open_ & alive
    out: np.ndarray = found
    return out


def bounded_chain_ltv(args: ChainArgs, d: Any, starts: tuple[str, ...] = ("signup",)) -> list[np.ndarray]:
    """:func:`chain_ltv` of ``args`` (its arguments up to ``net_a``) at ``d`` from each of ``starts``.

    Raises
    ------
    InputError
        When one of them is unbounded (``nan``: ``d = 0`` and a state the start reaches keeps its users for ever).
    """
    with np.errstate(all="ignore"):
        values = [chain_ltv(*args, d, start=start) for start in starts]
    if any(np.isnan(v).any() for v in values):
        raise InputError(
            "paying_churn",
            "the LTV is unbounded: with annual_discount_rate 0, some payers (or free users) never leave "
            "(paying_churn 0, annual_renewal 1, or churn 0 with upgrade 0)",
        )
    return values


def chain_args(x: dict[str, Any]) -> ChainArgs:
    """The arguments of :func:`chain_ltv` up to ``net_a`` from the checked inputs ``x`` of
    :func:`xlmodel.unit_economics.unit_economics` (``x["stocks"]`` the stock inputs)."""
    s = x["stocks"]
    price = s.get("annual_price", 0.0)
    net_a = (
        net_price(price, x["vat"], x["store_fee"]) if np.any(x["vat"]) or np.any(x["store_fee"]) else price
    )
    return (
        x["churn"],
        s["upgrade"],
        s["paying_churn"],
        s.get("annual_share", 0.0),
        s.get("annual_renewal", 0.0),
        x["cost"],
        x["paying_cost"],
        x["arppu_net"],
        net_a,
    )


def stock_unit_economics(
    x: dict[str, Any], shape: tuple[int, ...], per_active: Any, paid_per_active: Any
) -> dict[str, np.ndarray]:
    """The unit economics that two stocks redefine (docs/model.md): ``ltv`` (an activated sign-up's, on the chain),
    ``ltv_payer`` (a new payer's), ``ltv_to_cac``, ``ltv_to_paid_cac``, and the paybacks as the first whole month
    the chain's cumulative contribution reaches ``cac_per_active`` (``paid_cac / activation``). ``x``: the checked
    inputs of :func:`xlmodel.unit_economics.unit_economics`, with ``x["stocks"]`` the stock inputs."""
    args = chain_args(x)
    with np.errstate(all="ignore"):
        ltv = np.broadcast_to(chain_ltv(*args, x["d"]), shape)
        payer = np.broadcast_to(chain_ltv(*args, x["d"], start="payer"), shape)
        active, paid = (
            np.broadcast_to(np.asarray(c, dtype=float), shape) for c in (per_active, paid_per_active)
        )
        has = active > 0
        return dict(
            ltv=ltv,
            ltv_payer=payer,
            ltv_to_cac=np.where(has, ltv / np.where(has, active, 1.0), np.nan),
            ltv_to_paid_cac=ltv / paid,
            payback_months=np.broadcast_to(chain_payback(active, *args), shape),
            payback_months_paid=np.broadcast_to(chain_payback(paid, *args), shape),
        )


def ltv_stocks(
    churn: ArrayLike,
    upgrade: ArrayLike,
    paying_churn: ArrayLike,
    arppu: ArrayLike,
    cost_per_mau: ArrayLike,
    paying_cost_per_mau: ArrayLike | None = None,
    annual_share: ArrayLike | None = None,
    annual_price: ArrayLike | None = None,
    annual_renewal: ArrayLike | None = None,
    annual_discount_rate: ArrayLike = 0.0,
    vat: ArrayLike = 0.0,
    store_fee: ArrayLike = 0.0,
) -> float | np.ndarray:
    """The LTV of an activated sign-up when payers are their own stock (``=LLM_LTV_STOCKS``): the chain of
    docs/model.md, "Unit economics with two stocks", on the scenario's own inputs.

    ``arppu`` and ``annual_price`` are what a payer pays, VAT included (net: ``/ (1 + vat) * (1 - store_fee)``);
    ``paying_cost_per_mau`` defaults to ``cost_per_mau``. Raises :class:`InputError` on a broken rule (``annual_share
    > 0`` without ``annual_price``) and when the LTV is unbounded (``annual_discount_rate = 0`` and some state keeps
    its users for ever).

    Examples
    --------
    Without upgrades a sign-up only costs its compute: ``-cost_per_mau / (churn + d)``.

    >>> ltv_stocks(churn=0.5, upgrade=0, paying_churn=0.1, arppu=30, cost_per_mau=0.5)
    -1.0
    """
    given = dict(
        paying_churn=paying_churn,
        upgrade=upgrade,
        annual_share=annual_share,
        annual_price=annual_price,
        annual_renewal=annual_renewal,
    )
    s = {k: check(k, v) for k, v in given.items() if v is not None}
    check_stocks(s, {}, False)
    c, m, cost = check("churn", churn), check("arppu", arppu), check("cost_per_mau", cost_per_mau)
    pcost = cost if paying_cost_per_mau is None else check("paying_cost_per_mau", paying_cost_per_mau)
    v, f = check("vat", vat), check("store_fee", store_fee)
    d = np.asarray(monthly_rate(check("annual_discount_rate", annual_discount_rate)))
    with np.errstate(all="ignore"):
        args = (
            c,
            s["upgrade"],
            s["paying_churn"],
            s.get("annual_share", 0.0),
            s.get("annual_renewal", 0.0),
            cost,
            pcost,
            net_price(m, v, f),
            net_price(s.get("annual_price", 0.0), v, f),
        )
    (value,) = bounded_chain_ltv(args, d)
    out: float | np.ndarray = _out(value)
    return out
