"""The LLM app's unit economics per MAU per month (docs/model.md, "The LLM app's unit economics").

Three steps, each a function a reader can check against the table of
docs/model.md: the inputs, checked (:func:`_inputs`); every output, one
definition each, ``nan`` in the scenarios where it is undefined
(:func:`_values`); and what the caller asked for where an output is
undefined: an error, ``None`` or ``nan`` (:func:`_shape`). With a retention
curve, LTV and the payback month follow the curve (:mod:`xlmodel.retention`).
Part of the engine (``xlmodel.engine`` re-exports every name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .closed_form import _finite, _out, ltv, monthly_rate, payback_months
from .closed_form import cost_per_mau as _cost_per_mau
from .errors import InputError
from .month_step import blended_cost_per_mau
from .params import TOKEN_KEYS, check, reject_unknown
from .payer_ltv import bounded_chain_ltv, chain_args, stock_unit_economics
from .payers import STOCK_INPUTS, check_stocks
from .retention import Curve, _observed_and_tail, _payback, curve_input

__all__ = [
    "UnitEconomics",
    "CurveUnitEconomics",
    "StocksUnitEconomics",
    "unit_economics",
    "summary_unit_economics",
    "resolve_cost_per_mau",
]


@dataclass(frozen=True)
class UnitEconomics:
    """Every output of the unit-economics table, per MAU per month.

    ``None`` only with ``unit_economics(..., undefined="none")``, for outputs
    that are undefined.
    """

    blended_cac: float | None
    cac_per_active: float | None
    paid_cac: float
    cost_per_mau: float
    cost_per_paying_mau: float
    blended_cost_per_mau: float
    revenue_per_mau: float
    contribution_per_mau: float
    gross_margin: float | None
    ltv: float | None
    ltv_to_cac: float | None
    ltv_to_paid_cac: float | None
    payback_months: float | None
    payback_months_paid: float | None
    breakeven_conversion: float | None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.keys()}

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass(frozen=True)
class CurveUnitEconomics(UnitEconomics):
    """The unit economics of a scenario with a retention curve: also the month its cohort pays back.

    ``cohort_payback_month`` comes right after the paybacks (``as_dict``,
    ``keys``); a scenario without a curve has no such output at all.
    """

    cohort_payback_month: float | None = None

    def keys(self) -> list[str]:
        names = [f.name for f in fields(UnitEconomics)]
        i = names.index("payback_months_paid") + 1
        return names[:i] + ["cohort_payback_month"] + names[i:]


@dataclass(frozen=True)
class StocksUnitEconomics(UnitEconomics):
    """The unit economics of a scenario whose payers are their own stock: also the LTV of a new payer.

    ``ltv_payer`` comes right after ``ltv`` (``as_dict``, ``keys``); ``ltv`` is an activated sign-up's on the
    chain of docs/model.md and the paybacks are whole months.
    """

    ltv_payer: float | None = None

    def keys(self) -> list[str]:
        names = [f.name for f in fields(UnitEconomics)]
        i = names.index("ltv") + 1
        return names[:i] + ["ltv_payer"] + names[i:]


def resolve_cost_per_mau(cost: ArrayLike | None, tokens: Mapping[str, ArrayLike | None]) -> np.ndarray:
    """cost_per_mau as given, or derived from the token inputs.

    Both may be given (a completed scenario carries both) when they agree.
    """
    needed = TOKEN_KEYS[:4]
    given = {k: v for k, v in tokens.items() if v is not None}
    derived = None
    if all(k in given for k in needed):
        derived = np.asarray(
            _cost_per_mau(
                given["input_tokens"],
                given["output_tokens"],
                given["input_price"],
                given["output_price"],
                given.get("cached_share", 0.0),
                given.get("cached_price"),
            )
        )
    if cost is None:
        if derived is None:
            missing = [k for k in needed if k not in given]
            raise InputError(
                "cost_per_mau",
                f"cost_per_mau is required (or all of {', '.join(needed)}); missing {missing[0]}",
            )
        return derived
    c = check("cost_per_mau", cost)
    if derived is not None and not np.allclose(c, derived, rtol=1e-12, atol=0):
        raise InputError(
            "cost_per_mau",
            "cost_per_mau must equal the cost from the token inputs when both are given "
            f"(got {float(np.ravel(c)[0]):.10g}, tokens give {float(np.ravel(derived)[0]):.10g})",
        )
    return c


def unit_economics(
    *,
    cac: ArrayLike,
    churn: ArrayLike | None = None,
    conversion: ArrayLike,
    arppu: ArrayLike,
    cost_per_mau: ArrayLike | None = None,
    paid_share: ArrayLike = 1.0,
    annual_discount_rate: ArrayLike = 0.0,
    input_tokens: ArrayLike | None = None,
    output_tokens: ArrayLike | None = None,
    input_price: ArrayLike | None = None,
    output_price: ArrayLike | None = None,
    cached_share: ArrayLike | None = None,
    cached_price: ArrayLike | None = None,
    ad_spend: ArrayLike | None = None,
    organic_users: ArrayLike | None = None,
    paying_cost_per_mau: ArrayLike | None = None,
    activation: ArrayLike = 1.0,
    vat: ArrayLike = 0.0,
    store_fee: ArrayLike = 0.0,
    cac_elasticity: ArrayLike = 0.0,
    cac_spend: ArrayLike | None = None,
    retention: ArrayLike | Curve | None = None,
    retention_scale: ArrayLike | None = None,
    undefined: str = "raise",
    **other: Any,
) -> UnitEconomics:
    """The LLM app's unit economics per MAU per month.

    Parameters
    ----------
    cac : float or array_like
        Ad spend per user bought with ads (currency, > 0).
    churn : float or array_like
        Monthly churn (fraction, 0 to 1). With ``retention``: the churn of the
        users already there at month 0 (default ``1 - q``), which only
        ``payback_months`` and ``payback_months_paid`` use.
    conversion : float or array_like
        Share of MAU that pays (fraction, 0 to 1).
    arppu : float or array_like
        Revenue per paying user per month (currency, >= 0).
    cost_per_mau : float or array_like, optional
        Compute cost per MAU per month; or give the token inputs of
        :func:`cost_per_mau` instead (``input_tokens``, ``output_tokens``,
        ``input_price``, ``output_price``, ``cached_share``, ``cached_price``).
    paid_share : float or array_like, default 1
        Share of new users that come from ads (0 < paid_share <= 1).
    annual_discount_rate : float or array_like, default 0
        Annual effective rate used to discount LTV.
    ad_spend : float or array_like, optional
        Ad spend in month 1; needed with ``organic_users`` (blended CAC).
    organic_users : float or array_like, optional
        New users in month 1 who come without ads; then ``blended_cac =
        ad_spend / (ad_spend/cac + organic_users)`` and ``paid_share`` must be 1.
    paying_cost_per_mau : float or array_like, optional
        Compute cost of a paying user per month (default ``cost_per_mau``).
    activation : float or array_like, default 1
        Share of sign-ups active in their first month: CAC buys sign-ups, LTV
        is an active user's, so LTV/CAC and payback use ``cac_per_active =
        blended_cac / activation``.
    vat, store_fee : float or array_like, default 0
        VAT included in ``arppu`` and the app-store/payment fee on revenue
        net of VAT: revenue per MAU uses ``arppu / (1 + vat) * (1 - store_fee)``.
    cac_elasticity, cac_spend : float or array_like, optional
        With both and ``ad_spend``, month 1's CAC is ``cac * (ad_spend /
        cac_spend) ** cac_elasticity`` (CAC observed at spend ``cac_spend``).
    retention : array_like, optional
        A retention curve ``r_1 .. r_k`` (:func:`xlmodel.projection.project`):
        ``ltv = cohort_ltv(R, revenue_per_mau, gross_margin,
        annual_discount_rate)`` with the tail, an active user's (``R = r /
        r_1``; ``activation = r_1`` when ``r_1 < 1``), and the output
        ``cohort_payback_month`` (a :class:`CurveUnitEconomics`).
    retention_scale : float or array_like, optional
        Scales the curve's months 2..k (:func:`xlmodel.retention.scale_curve`).
    undefined : {"raise", "none", "nan"}, default "raise"
        What to do when revenue is 0 (gross margin, LTV and payback are
        undefined), ``churn + d == 0`` (no unbounded LTV) or no user arrives
        in month 1 (no blended CAC): raise
        :class:`InputError`, or return ``None`` for those outputs (for arrays,
        ``None`` when any scenario is undefined) and compute the rest, or
        (``"nan"``, for arrays of scenarios such as a simulation's draws)
        ``nan`` in just the scenarios where an output is undefined.
    **other
        Other scenario inputs (``cash``, ``ad_spend``, ...) are accepted and
        ignored, so a whole scenario can be passed; unknown names are an error.

    Returns
    -------
    UnitEconomics
        ``blended_cac = ad_spend / new_1`` (``cac*paid_share`` without
        ``organic_users``); ``cac_per_active = blended_cac / activation``;
        ``paid_cac`` = month 1's CAC (``cac``, or with ``cac_spend`` and an
        elasticity ``cac * (ad_spend/cac_spend) ** cac_elasticity``); ``cost_per_mau`` (a free MAU),
        ``cost_per_paying_mau`` and ``blended_cost_per_mau = cost_per_mau +
        conversion*(cost_per_paying_mau - cost_per_mau)``;
        ``revenue_per_mau = conversion*arppu``;
        ``contribution_per_mau = revenue_per_mau - blended_cost_per_mau``;
        ``gross_margin = contribution/revenue`` (revenue must be above 0);
        ``ltv = ltv(revenue, gross_margin, churn, annual_discount_rate)``;
        ``ltv_to_cac = ltv/cac_per_active``, ``ltv_to_paid_cac = ltv/(paid_cac/activation)``;
        ``payback_months = payback_months(cac_per_active, revenue, gross_margin, churn)``
        and ``payback_months_paid`` the same on ``paid_cac/activation``; revenue per MAU is
        ``conversion * arppu / (1 + vat) * (1 - store_fee)``;
        ``breakeven_conversion = cost_per_mau/(arppu - (cost_per_paying_mau -
        cost_per_mau))``, the conversion at which revenue per MAU equals the
        blended cost (``cost_per_mau/arppu`` when payers cost the same;
        undefined when a payer's revenue does not cover their extra cost).
        With a curve, ``cohort_payback_month``: the first whole month T with
        ``sum_{t<=T} contribution_per_mau * R(t) >= cac_per_active`` (never
        when the contribution is <= 0 or the whole sum stays below; 0 for a
        CAC of 0).

    Examples
    --------
    >>> ue = unit_economics(cac=20, paid_share=0.7, churn=0.1, conversion=0.05,
    ...                     arppu=20, cost_per_mau=0.4)
    >>> ue.blended_cac, ue.revenue_per_mau, ue.contribution_per_mau
    (14.0, 1.0, 0.6)
    >>> round(ue.ltv, 6), round(ue.ltv_to_cac, 6)
    (6.0, 0.428571)
    """
    reject_unknown(other)
    if undefined not in ("raise", "none", "nan"):
        raise InputError("undefined", f"undefined must be 'raise', 'none' or 'nan', got {undefined!r}")
    x = _inputs(
        cac,
        churn,
        conversion,
        arppu,
        cost_per_mau,
        paid_share,
        annual_discount_rate,
        dict(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            input_price=input_price,
            output_price=output_price,
            cached_share=cached_share,
            cached_price=cached_price,
        ),
        ad_spend,
        organic_users,
        paying_cost_per_mau,
        dict(
            activation=activation,
            vat=vat,
            store_fee=store_fee,
            cac_elasticity=cac_elasticity,
            cac_spend=cac_spend,
        ),
        curve_input(retention, retention_scale),
    )
    stocks = {k: check(k, other[k]) for k in STOCK_INPUTS if other.get(k) is not None}
    check_stocks(stocks, {}, x["curve"] is not None)  # the rules of two stocks (docs/model.md)
    x["stocks"] = stocks or None
    if undefined == "raise":
        _raise_undefined(x)
    return _shape(_values(x), x, undefined)


# ------------------------------------------------------------ step 1: inputs


def _inputs(
    cac: ArrayLike,
    churn: ArrayLike | None,
    conversion: ArrayLike,
    arppu: ArrayLike,
    cost: ArrayLike | None,
    paid_share: ArrayLike,
    rate: ArrayLike,
    tokens: Mapping[str, ArrayLike | None],
    ad_spend: ArrayLike | None,
    organic_users: ArrayLike | None,
    paying_cost_per_mau: ArrayLike | None,
    v3: Mapping[str, ArrayLike | None],
    curve: Curve | None = None,
) -> dict[str, Any]:
    """The checked inputs, as float arrays, and the month-1 quantities every output starts from."""
    if churn is None:
        if curve is None:
            raise InputError("churn", "churn is required")
        churn = 1 - curve.q  # the churn of the users already there (docs/model.md)
    x: dict[str, Any] = dict(
        cac=check("cac", cac),
        paid_share=check("paid_share", paid_share),
        churn=check("churn", churn),
        conversion=check("conversion", conversion),
        arppu=check("arppu", arppu),
        rate=check("annual_discount_rate", rate),
    )
    x.update({k: check(k, v) for k, v in v3.items() if v is not None})
    x["curve"] = curve
    if curve is not None:  # a curve measured on sign-ups holds the activation: r_1
        x["activation"] = curve.activation(x["activation"])
    # what a paying user leaves the app: the price less VAT and the store's fee (version 3)
    x["arppu_net"] = x["arppu"]
    if np.any(x["vat"]) or np.any(x["store_fee"]):
        x["arppu_net"] = x["arppu"] / (1 + x["vat"]) * (1 - x["store_fee"])
    # month 1's paid CAC: the CAC observed at cac_spend, moved to month 1's spend by the elasticity
    if "cac_spend" in x and ad_spend is not None and np.any(x["cac_elasticity"]):
        spend = check("ad_spend", ad_spend)
        with np.errstate(all="ignore"):
            x["cac"] = np.where(
                spend > 0, x["cac"] * (spend / x["cac_spend"]) ** x["cac_elasticity"], x["cac"]
            )
        _finite(x["cac"], "month 1's CAC", cac=cac, ad_spend=spend, cac_spend=x["cac_spend"])
    x["cost"] = resolve_cost_per_mau(cost, tokens)
    x["paying_cost"] = (
        x["cost"] if paying_cost_per_mau is None else check("paying_cost_per_mau", paying_cost_per_mau)
    )
    x["named"] = dict(
        cac=x["cac"],
        conversion=x["conversion"],
        arppu=x["arppu"],
        cost_per_mau=x["cost"],
        paying_cost_per_mau=x["paying_cost"],
    )  # what an overflow message names
    x["organic"] = organic_users is not None
    if organic_users is not None:
        if ad_spend is None:
            raise InputError(
                "ad_spend", "ad_spend is required with organic_users (blended CAC = ad_spend / new users)"
            )
        if not x["paid_share"].min() == 1:
            raise InputError(
                "paid_share",
                "paid_share must be 1 (or left out) when organic_users is given, "
                f"got {float(x['paid_share'].min()):.10g}",
            )
        x["ad_spend"] = check("ad_spend", ad_spend)
        x["organic_users"] = check("organic_users", organic_users)
        x["named"].update(ad_spend=x["ad_spend"], organic_users=x["organic_users"])
    x["d"] = np.asarray(monthly_rate(rate))
    return x


# ------------------------------------------------------------ step 2: values


def _values(x: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every output for every scenario, one definition each; ``nan`` where a scenario leaves it undefined."""
    named = x["named"]
    q, c, conv, price = x["cac"], x["churn"], x["conversion"], x["arppu_net"]
    cost, paying_cost = x["cost"], x["paying_cost"]
    with np.errstate(all="ignore"):  # an overflow is an error naming its inputs, never a warning
        blended_cost = blended_cost_per_mau(cost, paying_cost, conv)  # equal costs give cost exactly
        revenue = conv * price
        contribution = revenue - blended_cost
    _finite(blended_cost, "blended_cost_per_mau", **named)
    _finite(revenue, "revenue_per_mau", **named)
    _finite(contribution, "contribution_per_mau", **named)
    # blended CAC: ad spend per new user of any source in month 1
    if x["organic"]:
        spend = x["ad_spend"]
        with np.errstate(all="ignore"):
            new_1 = spend / q + x["organic_users"]
        _finite(new_1, "new users in month 1", ad_spend=spend, cac=q, organic_users=x["organic_users"])
        with np.errstate(all="ignore"):
            blended = np.where(new_1 > 0, spend / np.where(new_1 > 0, new_1, 1.0), np.nan)
    else:
        blended = q * x["paid_share"]
    act = x["activation"]
    per_active = blended / act  # CAC buys sign-ups; LTV is an active user's (x / 1 is x: version 2 unchanged)
    paid_per_active = q / act
    curve = x["curve"]
    shape = np.broadcast_shapes(
        *(
            np.shape(a)
            for a in (
                q,
                c,
                x["d"],
                price,
                cost,
                paying_cost,
                blended,
                act,
                revenue,
                contribution,
                blended_cost,
            )
        ),
        () if curve is None else curve.q.shape,
    )
    b: Callable[[ArrayLike], np.ndarray] = lambda a: np.broadcast_to(np.asarray(a, dtype=float), shape)
    has_revenue = b(revenue) > 0
    if curve is None:
        has_ltv = has_revenue & (b(c) + b(x["d"]) > 0)
    else:  # the curve's tail is bounded below 1 + d
        has_ltv = has_revenue & (b(curve.q) < 1 + b(x["d"]))
    has_blended = b(per_active) > 0  # False for nan: no users in month 1
    margin_payer = b(price - (paying_cost - cost))  # a payer's revenue less their extra compute
    with np.errstate(all="ignore"):  # an overflowed margin is reported as such, not as a rule broken
        gm = np.where(has_revenue, b(contribution) / np.where(has_revenue, b(revenue), 1.0), np.nan)
    _finite(gm[has_revenue], "gross_margin", **{k: b(v)[has_revenue] for k, v in named.items()})
    if curve is None:
        value = _where_defined(has_ltv, ltv, revenue, gm, c, x["rate"])
    else:
        value = _curve_ltv(curve, revenue, gm, x["d"], has_ltv)
    with np.errstate(all="ignore"):  # an overflow is caught below, naming the inputs
        out = dict(
            blended_cac=np.asarray(blended, dtype=float),
            cac_per_active=np.asarray(per_active, dtype=float),
            paid_cac=q,
            cost_per_mau=cost,
            cost_per_paying_mau=paying_cost,
            blended_cost_per_mau=blended_cost,
            revenue_per_mau=revenue,
            contribution_per_mau=contribution,
            gross_margin=gm,
            ltv=value,
            ltv_to_cac=np.where(has_blended, value / np.where(has_blended, b(per_active), 1.0), np.nan),
            ltv_to_paid_cac=value / b(paid_per_active),
            payback_months=_where_defined(
                has_revenue & ~np.isnan(b(per_active)), payback_months, per_active, revenue, gm, c
            ),
            payback_months_paid=_where_defined(has_revenue, payback_months, paid_per_active, revenue, gm, c),
            breakeven_conversion=np.where(
                margin_payer > 0, b(cost) / np.where(margin_payer > 0, margin_payer, 1.0), np.nan
            ),
        )
    if curve is not None:
        out["cohort_payback_month"] = _payback(
            np.broadcast_to(curve.r, shape + (curve.k,)), b(curve.q), b(contribution), b(per_active)
        )
    if x["stocks"] is not None:  # two stocks: the LTV and paybacks on the chain (xlmodel.payer_ltv)
        shape = np.broadcast_shapes(shape, *(np.shape(a) for a in x["stocks"].values()))
        b = lambda a: np.broadcast_to(np.asarray(a, dtype=float), shape)
        out = {k: b(a) for k, a in out.items()}
        out.update(stock_unit_economics(x, shape, per_active, paid_per_active))
        has_ltv = ~np.isnan(out["ltv"])
        has_blended = b(per_active) > 0
        has_revenue, margin_payer = (np.broadcast_to(m, shape) for m in (has_revenue, margin_payer))
    # where each output is defined; elsewhere it is nan by definition, not by overflow
    defined = dict(
        blended_cac=~np.isnan(b(blended)),
        cac_per_active=~np.isnan(b(blended)),
        gross_margin=has_revenue,
        ltv=has_ltv,
        ltv_payer=~np.isnan(out["ltv_payer"]) if "ltv_payer" in out else has_ltv,
        ltv_to_cac=has_ltv & has_blended,
        ltv_to_paid_cac=has_ltv,
        breakeven_conversion=margin_payer > 0,
    )
    everywhere = np.ones(shape, dtype=bool)
    for name, v in out.items():
        if "payback" in name:  # a payback's "never" is its own (inf by definition, not an overflow)
            continue
        ok = defined.get(name, everywhere)
        _finite(b(v)[ok], name, **{k: b(a)[ok] for k, a in named.items()}, churn=b(c)[ok])
    return out


def _curve_ltv(curve: Curve, revenue: np.ndarray, gm: np.ndarray, d: ArrayLike, ok: np.ndarray) -> np.ndarray:
    """docs/model.md's ``cohort_ltv(R, revenue_per_mau, gross_margin, annual_discount_rate)`` with the tail, ``nan``
    where not ``ok``: ``m * (observed + tail)``, ``m = revenue_per_mau * gross_margin``."""
    with np.errstate(all="ignore"):
        observed, tail = _observed_and_tail(curve.r, curve.q, np.asarray(d, dtype=float))
        value = revenue * gm * (observed + tail)
    return np.where(ok, np.broadcast_to(value, ok.shape), np.nan)


def _where_defined(ok: np.ndarray, fn: Callable[..., ArrayLike], *args: ArrayLike) -> np.ndarray:
    """``fn(*args)`` on the scenarios where ``ok``, ``nan`` elsewhere (each scenario computed as if alone)."""
    out = np.full(ok.shape, np.nan)
    if ok.any():
        cols = [np.broadcast_to(np.asarray(a, dtype=float), ok.shape)[ok] for a in args]
        out[ok] = fn(*cols)
    return out


# ------------------------------------------------------------ step 3: shape


def _raise_undefined(x: dict[str, Any]) -> None:
    """undefined="raise": the error of the first output a scenario leaves undefined, in docs/model.md's order."""
    if x["organic"]:
        with np.errstate(all="ignore"):
            new_1 = x["ad_spend"] / x["cac"] + x["organic_users"]
        _finite(
            new_1,
            "new users in month 1",
            ad_spend=x["ad_spend"],
            cac=x["cac"],
            organic_users=x["organic_users"],
        )
        if not new_1.min() > 0:
            raise InputError(
                "organic_users",
                "blended CAC needs new users in month 1 (ad_spend or organic_users above 0), got none",
            )
    with np.errstate(all="ignore"):
        revenue = x["conversion"] * x["arppu_net"]
    if not bool((revenue > 0).all()):
        raise InputError(
            "conversion",
            "revenue_per_mau (conversion * arppu) must be above 0 to compute gross_margin, got 0",
        )
    curve = x["curve"]
    if curve is not None:
        if not bool(np.all(curve.q < 1 + x["d"])):
            raise InputError(
                "retention",
                "retention does not decay (late monthly retention ratio q = "
                f"{float(np.max(curve.q)):.10g} is not below 1 + monthly discount rate), so the "
                "tail and the LTV are unbounded",
            )
    elif x["stocks"] is not None:
        bounded_chain_ltv(chain_args(x), x["d"], ("signup", "payer"))  # raises when one is unbounded
    elif not bool((x["churn"] + x["d"] > 0).all()):
        ltv(revenue, 0.0, x["churn"], x["rate"])  # raises ltv's own message: no unbounded LTV


#: the outputs a scenario can leave undefined (``None`` with ``undefined="none"``)
_MAY_BE_UNDEFINED = (
    "blended_cac",
    "cac_per_active",
    "gross_margin",
    "ltv",
    "ltv_payer",
    "ltv_to_cac",
    "ltv_to_paid_cac",
    "payback_months",
    "payback_months_paid",
    "breakeven_conversion",
    "cohort_payback_month",
)


def _shape(v: dict[str, np.ndarray], x: dict[str, Any], undefined: str) -> UnitEconomics:
    """``nan``: the arrays as they are; ``none`` and ``raise``: a float (or array) per output, ``None`` for an
    output that some scenario leaves undefined."""
    cls: type[UnitEconomics] = UnitEconomics
    if "cohort_payback_month" in v:
        cls = CurveUnitEconomics
    elif "ltv_payer" in v:
        cls = StocksUnitEconomics
    if undefined == "nan":  # one value per scenario for every output
        shape = np.broadcast_shapes(*(np.shape(a) for a in v.values()))
        arrays: dict[str, Any] = {k: np.broadcast_to(a, shape).astype(float) for k, a in v.items()}
        return cls(**arrays)  # the fields' floats, as arrays (one value per scenario)
    out: dict[str, Any] = {}  # a float (or an array) per output, None where undefined
    for name, a in v.items():
        if name in _MAY_BE_UNDEFINED and np.isnan(a).any():
            out[name] = None
        else:
            out[name] = _out(a)
    return cls(**out)


def summary_unit_economics(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`unit_economics` as a dict, with ``None`` for outputs that are undefined."""
    return unit_economics(**scenario, undefined="none").as_dict()
