"""The monthly projection (docs/model.md, "The projection, version 3").

One month step, :class:`xlmodel.month_step.Months`, holds the equations; :func:`project` keeps
every month of every line, and :mod:`xlmodel.plan` walks the same step
keeping only what its answers need (the runway, the funding need, ...). A
retention curve's cohorts are walked by :class:`xlmodel.retention.Cohorts`,
each driver's path by :class:`xlmodel.timeline.DriverPath`. Part of the
engine (``xlmodel.engine`` re-exports every name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .chunks import bounds, take
from .company import (
    COMPANY_ENTRIES,
    COMPANY_ROWS,
    COMPANY_SCALARS,
    STEPPED_ROWS,
    CompanyInputs,
    company_inputs,
)
from .errors import InputError
from .month_step import Months, blended_cost_per_mau, sparse_rows
from .params import CALENDAR_KEYS, check, reject_unknown
from .payers import STOCK_INPUTS, STOCK_ROWS, check_stocks
from .retention import Curve, curve_input
from .stepped import Lines, snapshot, stepped_lines
from .timeline import Timeline, resolve
from .timeline import timeline as make_timeline

__all__ = ["Projection", "project", "blended_cost_per_mau", "projection_inputs", "Months"]


@dataclass(frozen=True)
class Projection:
    """The monthly projection: one array per line item, months on the last axis.

    Scalar inputs give arrays of shape ``(horizon,)``; inputs with shape ``S``
    give ``S + (horizon,)``. Lines that repeat one value (``month``, a flat
    ``fixed_costs``, ``interest`` without an interest rate, ``funding``
    without rounds, ``migration_one_off`` without a migration, ``cac``
    without elasticity or changes) are read-only broadcast views.
    """

    month: np.ndarray
    ad_spend: np.ndarray
    cac: np.ndarray
    paid_new_users: np.ndarray
    organic_new_users: np.ndarray
    new_users: np.ndarray
    mau: np.ndarray
    paying_users: np.ndarray
    gross_revenue: np.ndarray
    revenue: np.ndarray
    compute: np.ndarray
    fixed_costs: np.ndarray
    migration_one_off: np.ndarray
    net_burn: np.ndarray
    interest: np.ndarray
    funding: np.ndarray
    cash: np.ndarray
    #: the whole company's lines (xlmodel.company.COMPANY_ROWS) when the plan gives any version-4 input, else None
    company: Mapping[str, np.ndarray] | None = None
    #: its balances at month 0: payables, receivables, credits (None without the whole company)
    opening: dict[str, Any] | None = None
    #: payers as their own stock (xlmodel.payers.STOCK_ROWS) when the plan gives paying_churn and upgrade, else None
    stocks: dict[str, np.ndarray] | None = None

    #: the line items, in table order: version 1's, then version 2's, then version 3's (so that
    #: LLM_PROJECTION's earlier columns keep their positions)
    ROWS = (
        "month",
        "ad_spend",
        "new_users",
        "mau",
        "paying_users",
        "revenue",
        "compute",
        "fixed_costs",
        "net_burn",
        "cash",
        "paid_new_users",
        "organic_new_users",
        "migration_one_off",
        "gross_revenue",
        "interest",
        "funding",
        "cac",
    )

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.ROWS}


#: inputs of the projection that may be left out ("not given"): None means not given
OPTIONAL = ("organic_users", "paying_cost_per_mau", "migration_month", "cac_spend")
#: what migration_month needs besides itself
MIGRATION_NEEDS = ("large_price", "small_price")
#: the projection's inputs with a default (a None default: not given)
DEFAULTS = {
    "fixed_costs": 0.0,
    "paid_share": 1.0,
    "ad_growth": 0.0,
    "cost_decline": 0.0,
    "organic_users": None,
    "organic_growth": 0.0,
    "cac_elasticity": 0.0,
    "paying_cost_per_mau": None,
    "migration_month": None,
    "routed_share": 1.0,
    "large_price": None,
    "small_price": None,
    "migration_cost": 0.0,
    "revenue_loss": 0.0,
    "activation": 1.0,
    "store_fee": 0.0,
    "vat": 0.0,
    "interest_rate": 0.0,
    "usage_growth": 0.0,
    "fixed_cost_growth": 0.0,
    "cac_spend": None,
    **dict.fromkeys(STOCK_INPUTS),  # payers as their own stock (version 4): not given
    "horizon": 60,
}
REQUIRED = ("cash", "mau", "ad_spend", "cac", "churn", "conversion", "arppu", "cost_per_mau")
#: the whole company's inputs (xlmodel.company) and the calendar its fiscal years follow
COMPANY_KEYS = COMPANY_SCALARS + COMPANY_ENTRIES + CALENDAR_KEYS


def projection_inputs(kw: Mapping[str, Any]) -> tuple[dict[str, Any], int, Timeline]:
    """The projection's inputs checked and broadcast to one shape, the horizon, and the checked timeline.

    ``kw``: a scenario (every input by name, ``changes``, ``funding`` and
    ``retention`` optional); inputs the projection does not use are ignored,
    names that are no input at all are an error. A retention curve is held as
    a :class:`~xlmodel.retention.Curve` (its ``activation`` and ``churn`` read).
    """
    kw = dict(kw)
    changes, funding = kw.pop("changes", None), kw.pop("funding", None)
    whole = {k: kw.pop(k) for k in COMPANY_KEYS if k in kw}  # the whole company's inputs (version 4)
    curve = curve_input(kw.pop("retention", None), kw.pop("retention_scale", None))
    reject_unknown({k: v for k, v in kw.items() if k not in DEFAULTS and k not in REQUIRED})
    if curve is not None:
        if kw.get("churn") is None:
            kw["churn"] = 1 - curve.q  # docs/model.md: the churn of the users already there defaults to 1 - q
    for k in REQUIRED:
        if kw.get(k) is None:
            raise InputError(k, f"{k} is required")
    horizon = check("horizon", kw.get("horizon", 60) if kw.get("horizon") is not None else 60)
    if horizon.ndim:
        raise InputError(
            "horizon",
            f"horizon must be a single whole number of months, got an array of shape {horizon.shape}",
        )
    h = int(horizon)
    given = {k: kw.get(k, DEFAULTS.get(k)) for k in REQUIRED + tuple(DEFAULTS) if k != "horizon"}
    if given["migration_month"] is None:  # the migration inputs are not used, and not checked
        for k in MIGRATION_NEEDS + ("routed_share", "migration_cost", "revenue_loss"):
            given.pop(k)
    else:
        for k in MIGRATION_NEEDS:
            if given[k] is None:
                raise InputError(k, f"{k} is required when migration_month is given")
    vals = {k: check(k, v) for k, v in given.items() if v is not None}
    company = company_inputs({**whole, "funding": funding, "cash": vals["cash"]}, h)
    if curve is not None:
        vals["activation"] = curve.activation(vals["activation"])  # r_1 of a curve measured on sign-ups
    # relative levels ("-40%") resolved: factors of the path they replace
    tl = resolve(make_timeline(changes, funding, h), vals)
    check_stocks(vals, tl.changes, curve is not None)
    organic = "organic_users" in vals
    if organic and not vals["paid_share"].min() == 1:
        raise InputError(
            "paid_share",
            "paid_share must be 1 (or left out) when organic_users is given: organic "
            f"users are counted directly, got paid_share {float(vals['paid_share'].min()):.10g}",
        )
    if tl.months_of("organic_users") and not organic:
        raise InputError(
            "changes",
            "changes: organic_users changes over time only in a scenario that gives "
            "organic_users (new users a month who come without ads)",
        )
    if organic:
        for month, level in tl.months_of("paid_share").items():
            if np.min(level) < 1:
                raise InputError(
                    "changes",
                    f"changes: month {month}: paid_share must stay 1 when organic_users "
                    f"is given (organic users are counted directly), got {float(np.min(level)):.10g}",
                )
    if "migration_month" in vals and not vals["large_price"].min() > 0:
        raise InputError(
            "large_price",
            "large_price must be above 0 when migration_month is given (the saving "
            f"is 1 - small_price/large_price), got {float(vals['large_price'].min()):.10g}",
        )
    _check_cac_spend(vals, tl)
    try:  # a curve per scenario (its months on the last axis) joins the scenarios' shape
        arrays = np.broadcast_arrays(
            *vals.values(),
            *_levels(tl),
            *([curve.q] if curve is not None else []),
            *(company.arrays() if company is not None else []),
        )
    except ValueError as e:
        raise InputError("cash", f"inputs must broadcast to one shape ({e})") from None
    v: dict[str, Any] = dict(zip(vals, arrays))
    if company is not None:
        v["company"] = company
    if curve is not None:
        v["retention"] = curve
    return v, h, tl


def _levels(tl: Timeline) -> list[np.ndarray]:
    """Every level and amount of a timeline, so that their shapes broadcast with the inputs'."""
    return [np.asarray(x) for months in tl.changes.values() for x in months.values()] + [
        np.asarray(x) for x in tl.funding.values()
    ]


def _check_cac_spend(vals: Mapping[str, np.ndarray], tl: Timeline) -> None:
    """``cac_elasticity > 0`` with a path where ad spend is above 0 needs ``cac_spend > 0`` (docs/model.md)."""
    elastic = vals["cac_elasticity"] > 0
    if not np.any(elastic):
        return
    spend = vals.get("cac_spend", vals["ad_spend"])  # the default: the scenario's own ad_spend
    spends = [vals["ad_spend"]] + [np.asarray(x) for x in tl.months_of("ad_spend").values()]
    some_ad = np.logical_or.reduce(np.broadcast_arrays(*[s > 0 for s in spends]))
    if np.any(elastic & some_ad & (spend == 0)):
        raise InputError(
            "cac_spend",
            "cac_spend must be above 0 when cac_elasticity is above 0 and some month has "
            "ad spend: CAC is scaled from the spend at which it was observed, and the default "
            "(the scenario's month-1 ad_spend) is 0",
        )


def project(
    *,
    cash: ArrayLike,
    mau: ArrayLike,
    ad_spend: ArrayLike,
    cac: ArrayLike,
    churn: ArrayLike | None = None,
    conversion: ArrayLike,
    arppu: ArrayLike,
    cost_per_mau: ArrayLike,
    fixed_costs: ArrayLike = 0.0,
    paid_share: ArrayLike = 1.0,
    ad_growth: ArrayLike = 0.0,
    cost_decline: ArrayLike = 0.0,
    horizon: int = 60,
    organic_users: ArrayLike | None = None,
    organic_growth: ArrayLike = 0.0,
    cac_elasticity: ArrayLike = 0.0,
    paying_cost_per_mau: ArrayLike | None = None,
    migration_month: ArrayLike | None = None,
    routed_share: ArrayLike = 1.0,
    large_price: ArrayLike | None = None,
    small_price: ArrayLike | None = None,
    migration_cost: ArrayLike = 0.0,
    revenue_loss: ArrayLike = 0.0,
    activation: ArrayLike = 1.0,
    store_fee: ArrayLike = 0.0,
    vat: ArrayLike = 0.0,
    interest_rate: ArrayLike = 0.0,
    usage_growth: ArrayLike = 0.0,
    fixed_cost_growth: ArrayLike = 0.0,
    cac_spend: ArrayLike | None = None,
    changes: Iterable[Mapping[str, Any]] | Timeline | None = None,
    funding: Iterable[Mapping[str, Any]] | None = None,
    retention: ArrayLike | Curve | None = None,
    **other: Any,
) -> Projection:
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
        Ad spend per sign-up bought with ads, at spend ``cac_spend`` (> 0).
    churn, conversion : float or array_like
        Monthly churn and share of MAU that pays (fractions, 0 to 1). With a
        ``retention`` curve, ``churn`` is the churn of the users already
        there at month 0 only (default ``1 - q``).
    arppu : float or array_like
        Revenue per paying user per month, as the user pays it (VAT included).
    cost_per_mau : float or array_like
        Compute cost per MAU in month 1 (per free user when
        ``paying_cost_per_mau`` is given).
    fixed_costs : float or array_like, default 0
        Fixed costs in month 1.
    paid_share : float or array_like, default 1
        Share of sign-ups that come from ads (version 1's organic users: a
        fixed multiple of ad-bought users). Must be 1 with ``organic_users``.
    ad_growth, organic_growth, fixed_cost_growth, usage_growth : float or array_like, default 0
        Monthly growth of ad spend, of ``organic_users``, of fixed costs and
        of tokens per user (above -1).
    cost_decline : float or array_like, default 0
        Monthly decline of the compute price (0 to 1).
    horizon : int, default 60
        Months projected (a single whole number, 1 to 1200).
    organic_users : float or array_like, optional
        Sign-ups a month who come without ads, in month 1 (>= 0).
    cac_elasticity : float or array_like, default 0
        How CAC rises with spend, 0 to 1: ``cac_t = cac * (ad_t/cac_spend)**cac_elasticity``.
    cac_spend : float or array_like, optional
        The monthly spend at which ``cac`` was observed (default: ``ad_spend``).
    paying_cost_per_mau : float or array_like, optional
        Compute cost of a paying user per month (default: ``cost_per_mau``'s path).
    migration_month : int or array_like, optional
        Month from which ``routed_share`` of the compute runs on the small
        model; needs ``large_price`` and ``small_price`` (per 1M tokens, any
        currency: only their ratio is used); ``migration_cost`` is paid that
        month and ``revenue_loss`` of revenue is lost from it on.
    activation : float or array_like, default 1
        Share of sign-ups active in their first month (above 0, at most 1).
    store_fee, vat : float or array_like, default 0
        App-store and payment fees (a share of revenue net of VAT) and the VAT
        included in ``arppu`` (0 or more, below 1).
    interest_rate : float or array_like, default 0
        Annual effective interest on the opening cash of each month.
    changes, funding : list of mappings, optional
        Changes of a driver's level from a month on and funding rounds
        (:func:`xlmodel.timeline.timeline`).
    retention : array_like, optional
        The share of an activated cohort active in its months 1..k, geometric
        past k (:func:`xlmodel.retention.active_curve`; last axis: months). A
        curve with ``r_1 < 1`` was measured on sign-ups: ``activation = r_1``.
        ``retention_scale`` scales its months 2..k (a simulation's factor).
    **other
        Other scenario inputs are accepted and ignored; unknown names are an error.

    Returns
    -------
    Projection
        Arrays of shape ``S + (horizon,)`` where ``S`` is the broadcast shape
        of the inputs (``()`` for scalars).

    Notes
    -----
    For t = 1..horizon, ``mau_0 = mau``, ``cash_0 = cash``, each driver ``x_t``
    its path ``L_M * (1 + g) ** (t - M)`` from its latest change ``M <= t``
    (docs/model.md, "Changes over time") and ``m_t = 1`` from ``migration_month``::

        cac_t       = path of cac * (ad_t / cac_spend) ** cac_elasticity   (the path when ad_t == 0)
        paid_t      = ad_t / cac_t
        new_t       = paid_t + path of organic_users                with organic_users
                    = paid_t / paid_share_t                          without
        mau_t       = mau_{t-1} * (1 - churn_t) + activation_t * new_t
                    = mau_0 * prod_{s<=t} (1 - churn_s) + sum_{c<=t} activation_c * new_c * R(t-c+1)
                                                                     with a retention curve R
        paying_t    = mau_t * conversion_t
        gross_t     = paying_t * arppu_t
        revenue_t   = gross_t / (1 + vat) * (1 - store_fee) * (1 - revenue_loss * m_t)
        blended_t   = cost_per_mau_t + conversion_t * (paying_cost_per_mau_t - cost_per_mau_t)
        compute_t   = mau_t * blended_t * (1 - saving * m_t),  saving = routed_share * (1 - small/large)
        net_burn_t  = ad_t + compute_t + fixed_t + one_off_t - revenue_t
        interest_t  = cash_{t-1} * ((1 + interest_rate) ** (1/12) - 1)
        cash_t      = cash_{t-1} - net_burn_t + interest_t + funding_t

    ``paid_t / paid_share`` is docs/model.md's ``paid_t + paid_t * (1/paid_share -
    1)`` and ``mau_t * blended_t`` its ``(mau_t - paying_t) * cost_per_mau_t +
    paying_t * paying_cost_per_mau_t``, and a cost path without changes is
    ``level * (1 + g) ** (t-1)`` applied to the blended cost: each written in
    the form that reproduces version 2 to the last bit when the new inputs
    keep their defaults (a test checks it).

    Examples
    --------
    >>> p = project(cash=1000, mau=100, ad_spend=50, cac=1, churn=0.1,
    ...             conversion=0.1, arppu=5, cost_per_mau=0.2, horizon=3)
    >>> p.mau.tolist()
    [140.0, 176.0, 208.4]
    >>> p.cash.shape
    (3,)

    Halve the ads from month 3, raise 500 in month 2:

    >>> p = project(cash=1000, mau=100, ad_spend=50, cac=1, churn=0.1, conversion=0.1, arppu=5,
    ...             cost_per_mau=0.2, horizon=3, changes=[{"month": 3, "ad_spend": 25}],
    ...             funding=[{"month": 2, "amount": 500}])
    >>> p.ad_spend.tolist(), p.funding.tolist()
    ([50.0, 50.0, 25.0], [0.0, 500.0, 0.0])
    """
    v, h, tl = projection_inputs(
        dict(
            cash=cash,
            mau=mau,
            ad_spend=ad_spend,
            cac=cac,
            churn=churn,
            conversion=conversion,
            arppu=arppu,
            cost_per_mau=cost_per_mau,
            fixed_costs=fixed_costs,
            paid_share=paid_share,
            ad_growth=ad_growth,
            cost_decline=cost_decline,
            horizon=horizon,
            organic_users=organic_users,
            organic_growth=organic_growth,
            cac_elasticity=cac_elasticity,
            paying_cost_per_mau=paying_cost_per_mau,
            migration_month=migration_month,
            routed_share=routed_share,
            large_price=large_price,
            small_price=small_price,
            migration_cost=migration_cost,
            revenue_loss=revenue_loss,
            activation=activation,
            store_fee=store_fee,
            vat=vat,
            interest_rate=interest_rate,
            usage_growth=usage_growth,
            fixed_cost_growth=fixed_cost_growth,
            cac_spend=cac_spend,
            changes=changes,
            funding=funding,
            retention=retention,
            **other,
        )
    )
    return project_checked(v, h, tl)


def project_checked(
    v: Mapping[str, Any],
    h: int,
    tl: Timeline,
    months: Months | None = None,
    on_month: Callable[[int, dict[str, Any]], object] | None = None,
) -> Projection:
    """:func:`project` on inputs :func:`projection_inputs` has checked.

    ``months``: the month step to walk (default: a new one); ``on_month(k,
    row)``: called with each month's lines as they are computed
    (:func:`xlmodel.plan.plan` keeps its answers this way).
    """
    shape = v["cash"].shape
    # a large one-axis array of scenarios in chunks (xlmodel.chunks), every month of one before the next
    spans = [(0, shape[0])] if shape else [(0, 0)]
    if months is None and on_month is None and len(shape) == 1 and "retention" not in v:
        spans = bounds(shape[0])
    if len(spans) == 1:
        parts = [months or Months(v, shape, tl)]
    else:
        n = shape[0]
        parts = [Months(take(v, a, b, n), (b - a,), take(tl, a, b, n)) for a, b in spans]
    months = parts[0]
    for m in parts:
        m.kept = bool(shape)  # (each month is written into a row of its own: it holds)
    # over arrays of scenarios the company's stepped lines are made when first read (xlmodel.stepped)
    stepped = STEPPED_ROWS if months.company is not None and shape else ()
    # the lines that vary in some chunk; a chunk where one holds one value writes it after its months
    stored = [name for name in dict.fromkeys(name for m in parts for name in m.rows) if name not in stepped]
    # Time-major internally, (horizon,) + shape: each month is one contiguous
    # row. The arrays handed back are views with months on the last axis. The company's lines start as zeros
    # (pages the system maps only when written): a month whose line is 0 leaves its row as it is (Months.step).
    full = {n: (np.zeros if n in COMPANY_ROWS else np.empty)((h,) + shape) for n in stored}
    with np.errstate(all="ignore"):  # an overflow is an error below, not a warning
        for (a, b), m in zip(spans, parts):
            for k in range(h):
                if shape:  # each month written straight into its row (its chunk's columns) of the storage
                    row = m.step(k, {n: full[n][k, a:b] for n in stored})
                else:
                    row = m.step(k)
                    for n in stored:
                        full[n][k, ...] = row[n]
                if on_month is not None:
                    on_month(k, row)
            m.overflow_check()
            for n, value in m.constant_rows().items():
                if n in full:
                    full[n][:, a:b] = value
    last: Callable[[np.ndarray], np.ndarray] = lambda x: np.moveaxis(x, 0, -1)
    rows: dict[str, Any] = {n: last(a) for n, a in full.items()}
    constant = [m.constant_rows() for m in parts]
    for n in constant[0]:
        if n not in full:  # one value every month in every chunk: a view
            value = _joined([c[n] for c in constant], spans)
            rows[n] = np.broadcast_to(np.asarray(value, dtype=float)[..., None], shape + (h,))
    inputs = (v.get("company") or CompanyInputs()) if months.company is not None else None
    rows.update({n: last(a) for n, a in sparse_rows(tl, inputs, shape, h).items()})
    if "gross_revenue" not in full:  # (stored when some chunk's revenue is net of VAT or fees)
        rows["gross_revenue"] = rows["revenue"]
    rows["month"] = np.broadcast_to(np.arange(1, h + 1, dtype=float), shape + (h,))
    stocks = {n: rows.pop(n) for n in STOCK_ROWS} if months.stocks is not None else None
    if months.company is None:
        return Projection(**rows)
    assert inputs is not None
    # (the stepped lines come from one walk, of a copy: a caller may change its input arrays after the projection)
    build = partial(stepped_lines, snapshot(inputs), shape, h) if stepped else dict
    company = Lines(COMPANY_ROWS, {n: rows.pop(n) for n in COMPANY_ROWS if n not in stepped}, build)
    openings = [m.ledgers["plan"].opening for m in parts]
    opening = {k: np.asarray(_joined([o[k] for o in openings], spans), dtype=float) for k in openings[0]}
    return Projection(**rows, company=company, opening=opening, stocks=stocks)


def _joined(values: list[Any], spans: list[tuple[int, int]]) -> Any:
    """One value per chunk of scenarios made one array of them all (a single chunk's value as it is)."""
    if len(values) == 1:
        return values[0]
    return np.concatenate([np.broadcast_to(x, (b - a,)) for x, (a, b) in zip(values, spans)])
