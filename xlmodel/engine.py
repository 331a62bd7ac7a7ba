"""The xlmodel engine: every number of the model, vectorised with numpy.

Each function follows numpy-financial: arguments broadcast, scalar inputs give a
Python ``float`` back, arrays give arrays, and degenerate branches are masks,
not per-element branches. "Never" (a payback or a cash run-out that does not
happen) is ``math.inf``. Invalid input raises :class:`xlmodel.InputError`
naming the argument, the rule and the value.

The definitions are those of ``docs/model.md``; each function's Notes give the
exact formula and the native Excel formula twin that the generated workbooks
use.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .closed_form import (_finite, _months, _out, cac, cost_per_mau, excel_npv, gpu_price_per_mtok, ltv,  # noqa: F401
                          monthly_rate, payback_months)
from .errors import InputError
from .migration import (MIGRATION_ARGS, migration_cash_flows, migration_npv,  # noqa: F401
                        migration_payback_month)
from .params import check
from .projection import (Projection, _reject_unknown, blended_cost_per_mau, project,  # noqa: F401
                         RunwayStream, runway_from_cash, runway_months, runway_stream)


__all__ = [
    "monthly_rate",
    "cac",
    "cost_per_mau",
    "gpu_price_per_mtok",
    "ltv",
    "payback_months",
    "excel_npv",
    "unit_economics",
    "UnitEconomics",
    "project",
    "Projection",
    "runway_months",
    "migration_cash_flows",
    "migration_npv",
    "migration_payback_month",
]


# ------------------------------------------------------------ unit economics


@dataclass(frozen=True)
class UnitEconomics:
    """Every output of the unit-economics table, per MAU per month.

    ``None`` only with ``unit_economics(..., undefined="none")``, for outputs
    that are undefined.
    """

    blended_cac: float | None
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

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __getitem__(self, key):
        return getattr(self, key)

    def keys(self):
        return [f.name for f in fields(self)]


#: units of every output, for tables, workbooks and JSON consumers
OUTPUT_UNITS = {
    "blended_cac": "currency per new user",
    "paid_cac": "currency per user bought with ads",
    "cost_per_mau": "currency per MAU per month",
    "cost_per_paying_mau": "currency per paying MAU per month",
    "blended_cost_per_mau": "currency per MAU per month",
    "revenue_per_mau": "currency per MAU per month",
    "contribution_per_mau": "currency per MAU per month",
    "gross_margin": "fraction of revenue",
    "ltv": "currency per user",
    "ltv_to_cac": "ratio",
    "ltv_to_paid_cac": "ratio",
    "payback_months": "months",
    "payback_months_paid": "months",
    "breakeven_conversion": "fraction of MAU",
    "runway_months": "months",
    "runway_months_without_migration": "months",
    "migration_npv": "currency",
    "migration_payback_month": "month",
    "ending_cash": "currency",  # cash at the horizon (simulations report it)
}

_TOKEN_KEYS = ("input_tokens", "output_tokens", "input_price", "output_price")


def _resolve_cost_per_mau(cost, tokens: dict):
    """cost_per_mau as given, or derived from the token inputs.

    Both may be given (a completed scenario carries both) when they agree.
    """
    given = {k: v for k, v in tokens.items() if v is not None}
    derived = None
    if all(k in given for k in _TOKEN_KEYS):
        derived = np.asarray(cost_per_mau(
            given["input_tokens"], given["output_tokens"], given["input_price"], given["output_price"],
            given.get("cached_share", 0.0), given.get("cached_price"),
        ))
    if cost is None:
        if derived is None:
            missing = [k for k in _TOKEN_KEYS if k not in given]
            raise InputError(
                "cost_per_mau",
                f"cost_per_mau is required (or all of {', '.join(_TOKEN_KEYS)}); missing {missing[0]}",
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
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau=None,
    paid_share=1.0,
    annual_discount_rate=0.0,
    input_tokens=None,
    output_tokens=None,
    input_price=None,
    output_price=None,
    cached_share=None,
    cached_price=None,
    ad_spend=None,
    organic_users=None,
    paying_cost_per_mau=None,
    undefined="raise",
    **other,
) -> UnitEconomics:
    """The LLM app's unit economics per MAU per month.

    Parameters
    ----------
    cac : float or array_like
        Ad spend per user bought with ads (currency, > 0).
    churn : float or array_like
        Monthly churn (fraction, 0 to 1).
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
        ``organic_users``); ``paid_cac = cac``; ``cost_per_mau`` (a free MAU),
        ``cost_per_paying_mau`` and ``blended_cost_per_mau = cost_per_mau +
        conversion*(cost_per_paying_mau - cost_per_mau)``;
        ``revenue_per_mau = conversion*arppu``;
        ``contribution_per_mau = revenue_per_mau - blended_cost_per_mau``;
        ``gross_margin = contribution/revenue`` (revenue must be above 0);
        ``ltv = ltv(revenue, gross_margin, churn, annual_discount_rate)``;
        ``ltv_to_cac = ltv/blended_cac``, ``ltv_to_paid_cac = ltv/paid_cac``;
        ``payback_months = payback_months(blended_cac, revenue, gross_margin, churn)``
        and ``payback_months_paid`` the same on ``paid_cac``;
        ``breakeven_conversion = cost_per_mau/(arppu - (cost_per_paying_mau -
        cost_per_mau))``, the conversion at which revenue per MAU equals the
        blended cost (``cost_per_mau/arppu`` when payers cost the same;
        undefined when a payer's revenue does not cover their extra cost).

    Examples
    --------
    >>> ue = unit_economics(cac=20, paid_share=0.7, churn=0.1, conversion=0.05,
    ...                     arppu=20, cost_per_mau=0.4)
    >>> ue.blended_cac, ue.revenue_per_mau, ue.contribution_per_mau
    (14.0, 1.0, 0.6)
    >>> round(ue.ltv, 6), round(ue.ltv_to_cac, 6)
    (6.0, 0.428571)
    """
    _reject_unknown(other)
    if undefined not in ("raise", "none", "nan"):
        raise InputError("undefined", f"undefined must be 'raise', 'none' or 'nan', got {undefined!r}")
    q = check("cac", cac)
    p = check("paid_share", paid_share)
    c = check("churn", churn)
    conv = check("conversion", conversion)
    price = check("arppu", arppu)
    check("annual_discount_rate", annual_discount_rate)
    tokens = dict(input_tokens=input_tokens, output_tokens=output_tokens, input_price=input_price,
                  output_price=output_price, cached_share=cached_share, cached_price=cached_price)
    cost = _resolve_cost_per_mau(cost_per_mau, tokens)
    paying_cost = cost if paying_cost_per_mau is None else check("paying_cost_per_mau", paying_cost_per_mau)
    inputs = dict(cac=q, conversion=conv, arppu=price, cost_per_mau=cost, paying_cost_per_mau=paying_cost)
    with np.errstate(all="ignore"):  # an overflow is an error naming its inputs, never a warning
        blended_cost = blended_cost_per_mau(cost, paying_cost, conv)  # equal costs give cost exactly
        revenue = conv * price
        contribution = revenue - blended_cost
    _finite(blended_cost, "blended_cost_per_mau", **inputs)
    _finite(revenue, "revenue_per_mau", **inputs)
    _finite(contribution, "contribution_per_mau", **inputs)
    if organic_users is None:
        blended = q * p
    else:
        if ad_spend is None:
            raise InputError("ad_spend", "ad_spend is required with organic_users (blended CAC = ad_spend / new users)")
        if not p.min() == 1:
            raise InputError("paid_share", "paid_share must be 1 (or left out) when organic_users is given, "
                             f"got {float(p.min()):.10g}")
        spend = check("ad_spend", ad_spend)
        inputs.update(ad_spend=spend, organic_users=organic_users)
        with np.errstate(all="ignore"):
            new_1 = spend / q + check("organic_users", organic_users)
        _finite(new_1, "new users in month 1", ad_spend=spend, cac=q, organic_users=organic_users)
        if undefined == "nan":
            with np.errstate(divide="ignore", invalid="ignore"):
                blended = np.where(new_1 > 0, spend / new_1, np.nan)
        elif not new_1.min() > 0:
            if undefined == "raise":
                raise InputError("organic_users", "blended CAC needs new users in month 1 (ad_spend or "
                                 "organic_users above 0), got none")
            blended = None
        else:
            blended = spend / new_1
    d = np.asarray(monthly_rate(annual_discount_rate))
    if undefined == "nan":
        return _per_scenario(q, c, d, annual_discount_rate, price, cost, paying_cost, blended_cost, revenue,
                             contribution, blended)
    has_revenue = bool((revenue > 0).all())
    has_ltv = has_revenue and bool((c + d > 0).all())
    if undefined == "raise" and not has_revenue:
        raise InputError(
            "conversion",
            "revenue_per_mau (conversion * arppu) must be above 0 to compute gross_margin, got 0",
        )
    with np.errstate(all="ignore"):
        gm = contribution / revenue if has_revenue else None
    if gm is not None:  # an overflowed margin is reported as such, not as a gross_margin rule broken
        _finite(gm, "gross_margin", **inputs)
    value = None
    if has_ltv or undefined == "raise":  # ltv() raises the churn + d message when there is no unbounded LTV
        value = np.asarray(ltv(revenue, gm, c, annual_discount_rate))
    with np.errstate(all="ignore"):
        margin_payer = price - (paying_cost - cost)  # a payer's revenue less their extra compute
    has_blended = blended is not None and bool((np.asarray(blended) > 0).all())
    with np.errstate(all="ignore"):
        result = UnitEconomics(
            blended_cac=None if blended is None else _out(blended),
            paid_cac=_out(q),
            cost_per_mau=_out(cost),
            cost_per_paying_mau=_out(paying_cost),
            blended_cost_per_mau=_out(blended_cost),
            revenue_per_mau=_out(revenue),
            contribution_per_mau=_out(contribution),
            gross_margin=None if gm is None else _out(gm),
            ltv=None if value is None else _out(value),
            ltv_to_cac=None if value is None or not has_blended else _out(value / blended),
            ltv_to_paid_cac=None if value is None else _out(value / q),
            payback_months=None if gm is None or blended is None else payback_months(blended, revenue, gm, c),
            payback_months_paid=None if gm is None else payback_months(q, revenue, gm, c),
            breakeven_conversion=_out(cost / margin_payer) if bool((margin_payer > 0).all()) else None,
        )
    for name, x in result.as_dict().items():  # a payback's "never" is its own (checked inside payback_months)
        if x is not None and not name.startswith("payback"):
            _finite(x, name, **inputs, churn=c)
    return result


def _per_scenario(q, c, d, rate, price, cost, paying_cost, blended_cost, revenue, contribution, blended):
    """unit_economics(..., undefined="nan"): every output where its scenario defines it, nan elsewhere.

    The same formulas as above, each closed form run on just the scenarios
    where it is defined (revenue above 0; churn + d above 0 for LTV; users in
    month 1 for the blended CAC; a payer who covers their extra compute for
    the break-even conversion).
    """
    (q, c, d, rate, price, cost, paying_cost, blended_cost, revenue, contribution, blended) = np.broadcast_arrays(
        q, c, d, np.asarray(rate, dtype=float), price, cost, paying_cost, blended_cost, revenue, contribution,
        blended)
    nan = np.full(q.shape, np.nan)
    has_rev = revenue > 0
    has_ltv = has_rev & (c + d > 0)
    given = ~np.isnan(blended)  # no users in month 1: no blended CAC
    has_blended = blended > 0  # False for nan
    with np.errstate(divide="ignore", invalid="ignore"):
        gm = np.where(has_rev, contribution / np.where(has_rev, revenue, 1.0), np.nan)
        def where(ok, fn, *args):  # fn on the scenarios where ok, nan elsewhere
            out = nan.copy()
            if ok.any():
                out[ok] = fn(*(a[ok] for a in args))
            return out

        value = where(has_ltv, ltv, revenue, gm, c, rate)
        pay = where(has_rev & given, payback_months, blended, revenue, gm, c)
        pay_paid = where(has_rev, payback_months, q, revenue, gm, c)
        margin_payer = price - (paying_cost - cost)
        return UnitEconomics(
            blended_cac=blended.copy(), paid_cac=q.copy(), cost_per_mau=cost.copy(),
            cost_per_paying_mau=paying_cost.copy(), blended_cost_per_mau=blended_cost.copy(),
            revenue_per_mau=revenue.copy(), contribution_per_mau=contribution.copy(), gross_margin=gm,
            ltv=value, ltv_to_cac=np.where(has_blended, value / np.where(has_blended, blended, 1.0), np.nan),
            ltv_to_paid_cac=value / q, payback_months=pay, payback_months_paid=pay_paid,
            breakeven_conversion=np.where(margin_payer > 0, cost / np.where(margin_payer > 0, margin_payer, 1.0), np.nan))


# ------------------------------------------------------------------ summary


def summary_unit_economics(scenario: dict) -> dict:
    """:func:`unit_economics` as a dict, with ``None`` for outputs that are undefined."""
    return unit_economics(**scenario, undefined="none").as_dict()


def summary(scenario: dict) -> dict:
    """Every headline output for one complete scenario (a dict of inputs).

    Unit economics, ``runway_months`` (and, when the scenario has a
    ``migration_month``, ``runway_months_without_migration``: the same
    projection with all traffic on the large model) and, when the scenario has
    migration inputs, ``migration_npv`` and ``migration_payback_month``. This is what the
    CLI prints and what ``xlmodel verify`` compares a workbook against. Unlike
    :func:`unit_economics`, a scenario with no revenue (or no unbounded LTV)
    is not an error here: the undefined outputs are ``None``.
    """
    out = summary_unit_economics(scenario)
    out["runway_months"] = runway_months(**scenario)
    if scenario.get("migration_month") is not None:
        out["runway_months_without_migration"] = runway_months(**dict(scenario, migration_month=None))
    if "monthly_tokens" in scenario:
        args = {k: scenario[k] for k in MIGRATION_ARGS}
        out["migration_npv"] = migration_npv(**args)
        out["migration_payback_month"] = migration_payback_month(**args)
    return out
