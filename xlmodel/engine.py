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
import numpy_financial as npf

from .errors import InputError
from .params import PARAMS, check

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


def _out(x):
    """numpy-financial's convention: a 0-d result becomes a Python float."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _months(name, value):
    m = check(name, value, "months")
    return m.astype(np.int64)


# ---------------------------------------------------------------- closed form


def monthly_rate(annual):
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


def cac(spend, new_users, paid_share=1.0):
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
    with np.errstate(divide="ignore", over="ignore"):  # a product that underflows to 0 gives inf
        return _out(s / (n * p))


def cost_per_mau(input_tokens, output_tokens, input_price, output_price, cached_share=0.0, cached_price=None):
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
    return _out((i * (1 - cs) * ip + i * cs * cp + o * op) / 1e6)


def gpu_price_per_mtok(gpu_hour_cost, tokens_per_second, utilization=1.0):
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
    with np.errstate(divide="ignore", over="ignore"):  # a product that underflows to 0 gives inf
        return _out(c / (t * 3600.0 * u) * 1e6)


def ltv(arpu, gross_margin, churn, annual_discount_rate=0.0, months=None):
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
        return _out(a * g / k)  # one chained expression: numpy reuses the temporary
    m = a * g
    n = _months("months", months)
    # 1 - r**N computed as -expm1(N*log r) keeps precision when churn + d is tiny.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.log1p(-c) - np.log1p(d)
        one_minus = -np.expm1(n * log_r)
        # |churn + d| below 1e-13: the limit m*N/(1+d), within N*|k|/2 < 1e-10 relative
        # of the exact sum, where m/k would overflow or lose precision.
        tiny = np.abs(k) < 1e-13
        capped = np.where(tiny, m * n / (1 + d), m / np.where(tiny, 1, k) * one_minus)
    return _out(capped)


def payback_months(cac, arpu, gross_margin, churn=0.0):
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
    m = a * g
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = q * c / m
        out = np.log1p(-x) / np.log1p(-c)
        if c.min() == 0:  # no churn: cac / m (the formula above is 0/0 there)
            out = np.where(c == 0, q / m, out)
        if c.max() == 1:  # churn 1: the formula's limit, 0 (not -0.0)
            out = np.where(c == 1, 0.0, out)
        out = np.where((m > 0) & (x < 1), out, np.inf)
    return _out(out)


def excel_npv(rate, values):
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
    r = np.asarray(rate, dtype=float)
    v = np.asarray(values, dtype=float)
    padded = np.concatenate([np.zeros(v.shape[:-1] + (1,)), v], axis=-1)
    if r.ndim == 0 and v.ndim == 1:
        return _out(npf.npv(float(r), padded))
    # numpy-financial 1.0's npv takes one rate and one series; for many, its
    # expression broadcast over the leading axes.
    t = np.arange(padded.shape[-1])
    return _out((padded / (1 + r[..., None]) ** t).sum(axis=-1))


# ------------------------------------------------------------ unit economics


@dataclass(frozen=True)
class UnitEconomics:
    """Every output of the unit-economics table, per MAU per month.

    ``None`` only with ``unit_economics(..., undefined="none")``, for outputs
    that are undefined.
    """

    blended_cac: float
    cost_per_mau: float
    revenue_per_mau: float
    contribution_per_mau: float
    gross_margin: float | None
    ltv: float | None
    ltv_to_cac: float | None
    payback_months: float | None
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
    "cost_per_mau": "currency per MAU per month",
    "revenue_per_mau": "currency per MAU per month",
    "contribution_per_mau": "currency per MAU per month",
    "gross_margin": "fraction of revenue",
    "ltv": "currency per user",
    "ltv_to_cac": "ratio",
    "payback_months": "months",
    "breakeven_conversion": "fraction of MAU",
    "runway_months": "months",
    "migration_npv": "currency",
    "migration_payback_month": "month",
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


def _reject_unknown(other: dict):
    for k in other:
        if k not in PARAMS:
            raise InputError(k, f"{k} is not an input of the model")


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
    undefined : {"raise", "none"}, default "raise"
        What to do when revenue is 0 (gross margin, LTV and payback are
        undefined) or ``churn + d == 0`` (no unbounded LTV): raise
        :class:`InputError`, or return ``None`` for those outputs (for arrays,
        ``None`` when any scenario is undefined) and compute the rest.
    **other
        Other scenario inputs (``cash``, ``ad_spend``, ...) are accepted and
        ignored, so a whole scenario can be passed; unknown names are an error.

    Returns
    -------
    UnitEconomics
        ``blended_cac = cac*paid_share``; ``revenue_per_mau = conversion*arppu``;
        ``contribution_per_mau = revenue_per_mau - cost_per_mau``;
        ``gross_margin = contribution/revenue`` (revenue must be above 0);
        ``ltv = ltv(revenue, gross_margin, churn, annual_discount_rate)``;
        ``ltv_to_cac = ltv/blended_cac``;
        ``payback_months = payback_months(blended_cac, revenue, gross_margin, churn)``;
        ``breakeven_conversion = cost_per_mau/arppu``.

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
    q = check("cac", cac)
    p = check("paid_share", paid_share)
    c = check("churn", churn)
    conv = check("conversion", conversion)
    price = check("arppu", arppu)
    check("annual_discount_rate", annual_discount_rate)
    tokens = dict(input_tokens=input_tokens, output_tokens=output_tokens, input_price=input_price,
                  output_price=output_price, cached_share=cached_share, cached_price=cached_price)
    cost = _resolve_cost_per_mau(cost_per_mau, tokens)
    revenue = conv * price
    blended = q * p
    contribution = revenue - cost
    d = np.asarray(monthly_rate(annual_discount_rate))
    has_revenue = bool((revenue > 0).all())
    has_ltv = has_revenue and bool((c + d > 0).all())
    if undefined not in ("raise", "none"):
        raise InputError("undefined", f"undefined must be 'raise' or 'none', got {undefined!r}")
    if undefined == "raise" and not has_revenue:
        raise InputError(
            "conversion",
            "revenue_per_mau (conversion * arppu) must be above 0 to compute gross_margin, got 0",
        )
    gm = contribution / revenue if has_revenue else None
    value = None
    if has_ltv or undefined == "raise":  # ltv() raises the churn + d message when there is no unbounded LTV
        value = np.asarray(ltv(revenue, gm, c, annual_discount_rate))
    return UnitEconomics(
        blended_cac=_out(blended),
        cost_per_mau=_out(cost),
        revenue_per_mau=_out(revenue),
        contribution_per_mau=_out(contribution),
        gross_margin=None if gm is None else _out(gm),
        ltv=None if value is None else _out(value),
        ltv_to_cac=None if value is None else _out(value / blended),
        payback_months=None if gm is None else payback_months(blended, revenue, gm, c),
        breakeven_conversion=_out(cost / price) if bool((price > 0).all()) else None,
    )


# ------------------------------------------------------- projection / runway


@dataclass(frozen=True)
class Projection:
    """The monthly projection: one array per line item, months on the last axis.

    Scalar inputs give arrays of shape ``(horizon,)``; inputs with shape ``S``
    give ``S + (horizon,)``. ``month`` and ``fixed_costs`` are read-only
    broadcast views (they repeat one value); copy them to write into them.
    """

    month: np.ndarray
    ad_spend: np.ndarray
    new_users: np.ndarray
    mau: np.ndarray
    paying_users: np.ndarray
    revenue: np.ndarray
    compute: np.ndarray
    fixed_costs: np.ndarray
    net_burn: np.ndarray
    cash: np.ndarray

    #: the line items, in table order
    ROWS = ("month", "ad_spend", "new_users", "mau", "paying_users", "revenue",
            "compute", "fixed_costs", "net_burn", "cash")

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.ROWS}


def _projection_inputs(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau,
                       fixed_costs, paid_share, ad_growth, cost_decline, horizon, other):
    _reject_unknown(other)
    h = check("horizon", horizon)
    if h.ndim:
        raise InputError("horizon", f"horizon must be a single whole number of months, got an array of shape {h.shape}")
    vals = dict(
        cash=check("cash", cash), mau=check("mau", mau), ad_spend=check("ad_spend", ad_spend),
        cac=check("cac", cac), churn=check("churn", churn), conversion=check("conversion", conversion),
        arppu=check("arppu", arppu), cost_per_mau=check("cost_per_mau", cost_per_mau),
        fixed_costs=check("fixed_costs", fixed_costs), paid_share=check("paid_share", paid_share),
        ad_growth=check("ad_growth", ad_growth), cost_decline=check("cost_decline", cost_decline),
    )
    try:
        arrays = np.broadcast_arrays(*vals.values())
    except ValueError as e:
        raise InputError("cash", f"inputs must broadcast to one shape ({e})") from None
    return dict(zip(vals, arrays)), int(h)


def project(*, cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs=0.0,
            paid_share=1.0, ad_growth=0.0, cost_decline=0.0, horizon=60, **other) -> Projection:
    """Month-by-month projection of users, revenue, costs and cash.

    Parameters
    ----------
    cash : float or array_like
        Cash at month 0 (currency).
    mau : float or array_like
        Monthly active users at month 0 (>= 0).
    ad_spend : float or array_like
        Ad spend in month 1 (currency per month, >= 0).
    cac : float or array_like
        Ad spend per user bought with ads (> 0).
    churn, conversion : float or array_like
        Monthly churn and share of MAU that pays (fractions, 0 to 1).
    arppu : float or array_like
        Revenue per paying user per month.
    cost_per_mau : float or array_like
        Compute cost per MAU in month 1.
    fixed_costs : float or array_like, default 0
        Fixed costs per month.
    paid_share : float or array_like, default 1
        Share of new users that come from ads.
    ad_growth : float or array_like, default 0
        Monthly growth of ad spend (above -1).
    cost_decline : float or array_like, default 0
        Monthly decline of compute cost per MAU (0 to 1).
    horizon : int, default 60
        Months projected (a single whole number, 1 to 1200).
    **other
        Other scenario inputs are accepted and ignored; unknown names are an error.

    Returns
    -------
    Projection
        Arrays of shape ``S + (horizon,)`` where ``S`` is the broadcast shape
        of the inputs (``()`` for scalars).

    Notes
    -----
    For t = 1..horizon, ``mau_0 = mau``, ``cash_0 = cash``::

        ad_t       = ad_spend * (1 + ad_growth) ** (t - 1)
        new_t      = ad_t / cac / paid_share
        mau_t      = mau_{t-1} * (1 - churn) + new_t
        paying_t   = mau_t * conversion
        revenue_t  = paying_t * arppu
        compute_t  = mau_t * cost_per_mau * (1 - cost_decline) ** (t - 1)
        net_burn_t = ad_t + compute_t + fixed_costs - revenue_t
        cash_t     = cash_{t-1} - net_burn_t

    Examples
    --------
    >>> p = project(cash=1000, mau=100, ad_spend=50, cac=1, churn=0.1,
    ...             conversion=0.1, arppu=5, cost_per_mau=0.2, horizon=3)
    >>> p.mau.tolist()
    [140.0, 176.0, 208.4]
    >>> p.cash.shape
    (3,)
    """
    v, h = _projection_inputs(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau,
                              fixed_costs, paid_share, ad_growth, cost_decline, horizon, other)
    shape = v["cash"].shape
    # Time-major internally, (horizon,) + shape: each month is one contiguous
    # row, so the month-by-month recurrences run over contiguous memory. The
    # arrays handed back are views with months on the last axis.
    ad = v["ad_spend"] * _powers(1 + v["ad_growth"], h, shape)
    new = ad / v["cac"] / v["paid_share"]
    users = np.empty((h,) + shape)
    keep = 1 - v["churn"]
    prev = v["mau"]
    for k in range(h):
        row = users[k, ...]  # a view, also when the scenario shape is ()
        np.multiply(prev, keep, out=row)  # mau_{t-1} * (1 - churn) + new_t
        row += new[k]
        prev = row
    paying = users * v["conversion"]
    revenue = paying * v["arppu"]
    compute = users * v["cost_per_mau"] * _powers(1 - v["cost_decline"], h, shape)
    fixed = np.broadcast_to(v["fixed_costs"], (h,) + shape)
    burn = ad + compute + fixed - revenue
    # Sequential cash_{t-1} - net_burn_t (not cash - cumsum): the same rounding
    # as the workbook's row of =previous-net_burn formulas.
    cash_t = np.empty((h,) + shape)
    prev = v["cash"]
    for k in range(h):
        prev = np.subtract(prev, burn[k], out=cash_t[k, ...])
    month = np.broadcast_to(np.arange(1, h + 1, dtype=float), shape + (h,))
    last = lambda x: np.moveaxis(x, 0, -1)  # noqa: E731
    ad, new, users, paying, revenue, compute, fixed, burn, cash_t = map(
        last, (ad, new, users, paying, revenue, compute, fixed, burn, cash_t))
    return Projection(month=month, ad_spend=ad, new_users=new, mau=users, paying_users=paying,
                      revenue=revenue, compute=compute, fixed_costs=fixed, net_burn=burn, cash=cash_t)


def _powers(base, h: int, shape) -> np.ndarray:
    """``base ** (t-1)`` for t = 1..h, time-major, built month by month.

    One multiplication per cell instead of a ``pow``: three times faster, and
    within a few units in the last place of ``base ** (t-1)`` (2.5e-15
    relative over 120 months), far inside the 1e-9 agreement promised with
    the workbooks' ``^``.
    """
    out = np.empty((h,) + shape)
    out[0, ...] = 1.0
    for k in range(1, h):
        np.multiply(out[k - 1, ...], base, out=out[k, ...])
    return out


def runway_from_cash(cash, cash_by_month, net_burn_by_month):
    """Fractional runway from a projection's cash and burn rows (months last).

    ``(t-1) + cash_{t-1}/net_burn_t`` for the first month t with ``cash_t < 0``;
    0 when ``cash <= 0`` at the start; ``inf`` when cash stays >= 0.
    """
    c0 = np.asarray(cash, dtype=float)
    cm = np.asarray(cash_by_month, dtype=float)
    burn = np.asarray(net_burn_by_month, dtype=float)
    neg = cm < 0
    hit = neg.any(axis=-1)
    first = neg.argmax(axis=-1)
    prev_all = np.concatenate([c0[..., None] * np.ones(cm.shape[:-1] + (1,)), cm[..., :-1]], axis=-1)
    prev = np.take_along_axis(prev_all, first[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(burn, first[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = first + prev / np.where(hit, b, 1.0)
    out = np.where(hit, frac, np.inf)
    out = np.where(c0 <= 0, 0.0, out)
    return _out(out)


def runway_months(*, cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs=0.0,
                  paid_share=1.0, ad_growth=0.0, cost_decline=0.0, horizon=60, **other):
    """Months until cash runs out, fractional; ``math.inf`` if it never does.

    Takes the arguments of :func:`project` and vectorises the same way.

    Notes
    -----
    For the first month t with ``cash_t < 0``: ``(t - 1) + cash_{t-1} / net_burn_t``
    (linear within the month); 0 when ``cash <= 0`` at the start; ``inf``
    ("never") when cash stays >= 0 through ``horizon``.

    Examples
    --------
    Cash 1.2M, fixed costs 150k and revenue 50k a month, nothing else:

    >>> runway_months(cash=1.2e6, mau=5e4, ad_spend=0, cac=1, churn=0, conversion=1,
    ...               arppu=1, cost_per_mau=0, fixed_costs=1.5e5)
    12.0
    """
    p = project(cash=cash, mau=mau, ad_spend=ad_spend, cac=cac, churn=churn, conversion=conversion,
                arppu=arppu, cost_per_mau=cost_per_mau, fixed_costs=fixed_costs, paid_share=paid_share,
                ad_growth=ad_growth, cost_decline=cost_decline, horizon=horizon, **other)
    c0 = np.broadcast_to(np.asarray(cash, dtype=float), p.cash.shape[:-1])
    return runway_from_cash(c0, p.cash, p.net_burn)


# ------------------------------------------------------------ migration NPV


def migration_cash_flows(monthly_tokens, large_price, small_price, months, routed_share=1.0,
                         token_growth=0.0, price_decline=0.0, monthly_revenue=0.0, revenue_loss=0.0):
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
    col = lambda x: x[..., None]  # noqa: E731
    savings = col(tok) * (1 + col(tg)) ** t * col(rs) * (col(lp) - col(sp)) * (1 - col(pd)) ** t / 1e6
    net = savings - col(rev * rl)
    return np.where(t < col(n), net, 0.0)


def migration_npv(monthly_tokens, large_price, small_price, migration_cost, months, annual_discount_rate,
                  routed_share=1.0, token_growth=0.0, price_decline=0.0, monthly_revenue=0.0, revenue_loss=0.0):
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
    net = migration_cash_flows(monthly_tokens, large_price, small_price, months, routed_share,
                               token_growth, price_decline, monthly_revenue, revenue_loss)
    cost = check("migration_cost", migration_cost)
    d = np.asarray(monthly_rate(annual_discount_rate))
    return _out(-cost + np.asarray(excel_npv(d, net)))


def migration_payback_month(monthly_tokens, large_price, small_price, migration_cost, months,
                            annual_discount_rate, routed_share=1.0, token_growth=0.0, price_decline=0.0,
                            monthly_revenue=0.0, revenue_loss=0.0):
    """First month whose cumulative discounted cash flow (cost included) is >= 0.

    Returns a whole month number in 1..months, or ``math.inf`` if the
    migration has not paid back within ``months``. Takes the arguments of
    :func:`migration_npv`.

    Examples
    --------
    >>> migration_payback_month(1e9, 10.0, 0.6, 50_000, 24, 0.10)
    6.0
    """
    net = migration_cash_flows(monthly_tokens, large_price, small_price, months, routed_share,
                               token_growth, price_decline, monthly_revenue, revenue_loss)
    cost = check("migration_cost", migration_cost)
    n = _months("months", months)
    d = np.asarray(monthly_rate(annual_discount_rate))
    t = np.arange(1, net.shape[-1] + 1, dtype=float)
    pv = net / (1 + d[..., None]) ** t
    start = np.broadcast_to(-np.asarray(cost, dtype=float)[..., None], pv.shape[:-1] + (1,))
    # running total from -cost, month by month (the workbook's cumulative row)
    cum = np.add.accumulate(np.concatenate([start, pv], axis=-1), axis=-1)[..., 1:]
    ok = (cum >= 0) & (t <= np.asarray(n)[..., None])
    first = ok.argmax(axis=-1) + 1.0
    return _out(np.where(ok.any(axis=-1), first, np.inf))


# ------------------------------------------------------------------ summary

#: the arguments of migration_npv, in order
MIGRATION_ARGS = ("monthly_tokens", "large_price", "small_price", "migration_cost", "months",
                  "annual_discount_rate", "routed_share", "token_growth", "price_decline",
                  "monthly_revenue", "revenue_loss")


def summary_unit_economics(scenario: dict) -> dict:
    """:func:`unit_economics` as a dict, with ``None`` for outputs that are undefined."""
    return unit_economics(**scenario, undefined="none").as_dict()


def summary(scenario: dict) -> dict:
    """Every headline output for one complete scenario (a dict of inputs).

    Unit economics, ``runway_months`` and, when the scenario has migration
    inputs, ``migration_npv`` and ``migration_payback_month``. This is what the
    CLI prints and what ``xlmodel verify`` compares a workbook against. Unlike
    :func:`unit_economics`, a scenario with no revenue (or no unbounded LTV)
    is not an error here: the undefined outputs are ``None``.
    """
    out = summary_unit_economics(scenario)
    out["runway_months"] = runway_months(**scenario)
    if "monthly_tokens" in scenario:
        args = {k: scenario[k] for k in MIGRATION_ARGS}
        out["migration_npv"] = migration_npv(**args)
        out["migration_payback_month"] = migration_payback_month(**args)
    return out
