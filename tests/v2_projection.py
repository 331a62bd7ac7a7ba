"""Version 2's projection and runway, frozen: xlmodel/projection.py as it was at commit d966187.

The compatibility oracle of model version 3: with every new input left out,
version 3 must reproduce these numbers bit for bit (docs/model.md, "Compatibility"),
except where revenue_loss now acts in the plan. Do not edit: it is the old
code, kept as it was (only its imports point into the package).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from xlmodel.closed_form import _finite, _out
from xlmodel.errors import InputError
from xlmodel.params import PARAMS, check

__all__ = ["Projection", "project", "runway_months", "runway_from_cash", "runway_stream", "RunwayStream"]


def _reject_unknown(other: dict):
    for k in other:
        if k not in PARAMS:
            raise InputError(k, f"{k} is not an input of the model")


@dataclass(frozen=True)
class Projection:
    """The monthly projection: one array per line item, months on the last axis.

    Scalar inputs give arrays of shape ``(horizon,)``; inputs with shape ``S``
    give ``S + (horizon,)``. ``month`` and ``fixed_costs`` are read-only
    broadcast views (they repeat one value), and so is ``migration_one_off``
    unless a ``migration_month`` was given (then it holds the one-time cost).
    """

    month: np.ndarray
    ad_spend: np.ndarray
    paid_new_users: np.ndarray
    organic_new_users: np.ndarray
    new_users: np.ndarray
    mau: np.ndarray
    paying_users: np.ndarray
    revenue: np.ndarray
    compute: np.ndarray
    fixed_costs: np.ndarray
    migration_one_off: np.ndarray
    net_burn: np.ndarray
    cash: np.ndarray

    #: the line items, in table order: version 1's, then version 2's (so that
    #: LLM_PROJECTION's version-1 columns keep their positions)
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
    )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.ROWS}


#: inputs of the projection that may be left out ("not given"): None means not given
OPTIONAL = ("organic_users", "paying_cost_per_mau", "migration_month")
#: the migration inputs that migration_month needs
MIGRATION_NEEDS = ("large_price", "small_price", "routed_share", "migration_cost")


def _projection_inputs(kw: dict, other: dict):
    _reject_unknown(other)
    h = check("horizon", kw.pop("horizon"))
    if h.ndim:
        raise InputError(
            "horizon", f"horizon must be a single whole number of months, got an array of shape {h.shape}"
        )
    if kw["migration_month"] is None:  # the migration inputs are not used, and not checked
        for k in MIGRATION_NEEDS:
            kw.pop(k)
    else:
        for k in MIGRATION_NEEDS:
            if kw[k] is None:
                raise InputError(k, f"{k} is required when migration_month is given")
    vals = {k: check(k, v) for k, v in kw.items() if v is not None}
    if "organic_users" in vals and not vals["paid_share"].min() == 1:
        raise InputError(
            "paid_share",
            "paid_share must be 1 (or left out) when organic_users is given: organic "
            f"users are counted directly, got paid_share {float(vals['paid_share'].min()):.10g}",
        )
    if "migration_month" in vals and not vals["large_price"].min() > 0:
        raise InputError(
            "large_price",
            "large_price must be above 0 when migration_month is given (the saving "
            f"is 1 - small_price/large_price), got {float(vals['large_price'].min()):.10g}",
        )
    try:
        arrays = np.broadcast_arrays(*vals.values())
    except ValueError as e:
        raise InputError("cash", f"inputs must broadcast to one shape ({e})") from None
    return dict(zip(vals, arrays)), int(h)


def project(
    *,
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs=0.0,
    paid_share=1.0,
    ad_growth=0.0,
    cost_decline=0.0,
    horizon=60,
    organic_users=None,
    organic_growth=0.0,
    cac_elasticity=0.0,
    paying_cost_per_mau=None,
    migration_month=None,
    routed_share=1.0,
    large_price=None,
    small_price=None,
    migration_cost=0.0,
    **other,
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
        Ad spend per user bought with ads in month 1 (> 0).
    churn, conversion : float or array_like
        Monthly churn and share of MAU that pays (fractions, 0 to 1).
    arppu : float or array_like
        Revenue per paying user per month.
    cost_per_mau : float or array_like
        Compute cost per MAU in month 1 (per free user when
        ``paying_cost_per_mau`` is given).
    fixed_costs : float or array_like, default 0
        Fixed costs per month.
    paid_share : float or array_like, default 1
        Share of new users that come from ads (version 1's organic users: a
        fixed multiple of ad-bought users). Must be 1 with ``organic_users``.
    ad_growth : float or array_like, default 0
        Monthly growth of ad spend (above -1).
    cost_decline : float or array_like, default 0
        Monthly decline of compute cost per MAU (0 to 1).
    horizon : int, default 60
        Months projected (a single whole number, 1 to 1200).
    organic_users : float or array_like, optional
        New users a month who come without ads, in month 1 (>= 0).
    organic_growth : float or array_like, default 0
        Monthly growth of ``organic_users`` (above -1).
    cac_elasticity : float or array_like, default 0
        How CAC rises with spend, 0 to 1: ``cac_t = cac * (ad_t/ad_spend)**cac_elasticity``.
    paying_cost_per_mau : float or array_like, optional
        Compute cost of a paying user per month (default ``cost_per_mau``).
    migration_month : int or array_like, optional
        Month from which ``routed_share`` of the compute runs on the small
        model; needs ``large_price``, ``small_price`` (per 1M tokens, any
        currency: only their ratio is used), ``routed_share`` and
        ``migration_cost`` (paid in that month).
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

        ad_t        = ad_spend * (1 + ad_growth) ** (t - 1)
        cac_t       = cac * (ad_t / ad_spend) ** cac_elasticity      (cac when ad_t == 0)
        paid_t      = ad_t / cac_t
        new_t       = paid_t + organic_users * (1 + organic_growth) ** (t - 1)   with organic_users
                    = paid_t / paid_share                                      without
        organic_t   = new_t - paid_t
        mau_t       = mau_{t-1} * (1 - churn) + new_t
        paying_t    = mau_t * conversion
        revenue_t   = paying_t * arppu
        blended     = cost_per_mau + conversion * (paying_cost_per_mau - cost_per_mau)
        compute_t   = mau_t * blended * (1 - cost_decline) ** (t - 1)
                      * (1 - saving * [t >= migration_month])
        saving      = routed_share * (1 - small_price / large_price)
        one_off_t   = migration_cost if t == migration_month else 0
        net_burn_t  = ad_t + compute_t + fixed_costs + one_off_t - revenue_t
        cash_t      = cash_{t-1} - net_burn_t

    ``paid_t / paid_share`` is docs/model.md's ``paid_t + paid_t * (1/paid_share - 1)``
    and ``mau_t * blended`` its ``(mau_t - paying_t) * cost_per_mau + paying_t
    * paying_cost_per_mau``, each written in the form that reproduces
    version 1 to the last bit when the new inputs keep their defaults.

    Examples
    --------
    >>> p = project(cash=1000, mau=100, ad_spend=50, cac=1, churn=0.1,
    ...             conversion=0.1, arppu=5, cost_per_mau=0.2, horizon=3)
    >>> p.mau.tolist()
    [140.0, 176.0, 208.4]
    >>> p.cash.shape
    (3,)

    Organic users that keep coming when the ads stop:

    >>> project(cash=0, mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0,
    ...         cost_per_mau=0, organic_users=10, organic_growth=0.1, horizon=3).new_users.tolist()
    [10.0, 11.0, 12.100000000000001]
    """
    v, h = _projection_inputs(
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
        ),
        other,
    )
    shape = v["cash"].shape
    # Time-major internally, (horizon,) + shape: each month is one contiguous
    # row. The arrays handed back are views with months on the last axis.
    names = (
        "ad_spend",
        "paid_new_users",
        "organic_new_users",
        "new_users",
        "mau",
        "paying_users",
        "revenue",
        "compute",
        "migration_one_off",
        "net_burn",
        "cash",
    )
    full = {n: np.empty((h,) + shape) for n in names}
    months = _Months(v, shape)
    with np.errstate(all="ignore"):  # an overflow is an error below, not a warning
        for k in range(h):
            if shape:  # each month written straight into its row of the storage
                months.step(k, {n: full[n][k] for n in names if n != "migration_one_off"})
                if months.migration:
                    full["migration_one_off"][k] = months.last_one_off
            else:
                for n, x in months.step(k).items():
                    full[n][k, ...] = x
    _overflow_check(v, full["cash"][-1], months.mau)
    if "migration_month" not in v:
        full["migration_one_off"] = np.broadcast_to(0.0, (h,) + shape)  # read-only, like fixed_costs
    last = lambda x: np.moveaxis(x, 0, -1)
    rows = {n: last(a) for n, a in full.items()}
    rows["fixed_costs"] = np.broadcast_to(v["fixed_costs"][..., None], shape + (h,))
    rows["month"] = np.broadcast_to(np.arange(1, h + 1, dtype=float), shape + (h,))
    return Projection(**rows)


class _Months:
    """The projection's equations (docs/model.md), one month at a time: the only copy of them.

    :func:`project` stores each month's rows; :func:`runway_stream` keeps
    only the running state, so that a simulation of a million draws never
    holds every month of every draw. One scenario runs on numpy float64
    scalars (a tenth of the cost of 0-d arrays; the same IEEE arithmetic, and
    ``pow`` through the same ufunc as arrays). Running powers (one
    multiplication a month instead of a ``pow``) are within a few units in
    the last place of ``base ** (t-1)``, far inside the 1e-9 agreement
    promised with the workbooks' ``^``.
    """

    def __init__(self, v: dict, shape: tuple, without_migration: bool = False):
        if not shape:
            v = {k: np.float64(x) for k, x in v.items()}
        self.v = v
        one = (lambda: np.ones(shape)) if shape else (lambda: np.float64(1.0))
        self.ad_pow, self.cost_pow, self.org_pow = one(), one(), one()  # updated in place for arrays
        self.ad_base = 1 + v["ad_growth"]
        self.cost_base = 1 - v["cost_decline"]
        self.organic = "organic_users" in v
        if self.organic:
            self.org_base = 1 + v["organic_growth"]
        # (ad_t / ad_spend) is exactly 1 when spend never grows, and 1 ** e == 1: skip the pow then
        self.elastic = bool(np.any(v["cac_elasticity"])) and bool(np.any(v["ad_growth"]))
        self.keep = 1 - v["churn"]
        self.cost = blended_cost_per_mau(v["cost_per_mau"], v.get("paying_cost_per_mau"), v["conversion"])
        self.migration = "migration_month" in v
        if self.migration:
            self.saving = v["routed_share"] * (1 - v["small_price"] / v["large_price"])
            self.after = 1 - self.saving  # compute factor from the migration month
        self.without = without_migration and self.migration
        self.mau = v["mau"]
        self.cash = v["cash"]
        self.cash_without = v["cash"]

    def step(self, k: int, o: dict | None = None) -> dict:
        """Month ``t = k+1``: every line item (``*_without_migration`` too when asked for).

        ``o``: arrays to write the rows into (views of :func:`project`'s
        storage), which saves a copy a row; without it, new values.
        """
        v = self.v
        o = o or {}
        if k:
            arrays = isinstance(self.ad_pow, np.ndarray)
            self.ad_pow = _op("*", self.ad_pow, self.ad_base, self.ad_pow if arrays else None)
            self.cost_pow = _op("*", self.cost_pow, self.cost_base, self.cost_pow if arrays else None)
            if self.organic:
                self.org_pow = _op("*", self.org_pow, self.org_base, self.org_pow if arrays else None)
        ad = _op("*", v["ad_spend"], self.ad_pow, o.get("ad_spend"))
        cac_t = v["cac"]
        if self.elastic:
            with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
                cac_t = _where(
                    ad == 0, v["cac"], v["cac"] * np.power(ad / v["ad_spend"], v["cac_elasticity"])
                )
        paid = _op("/", ad, cac_t, o.get("paid_new_users"))
        if self.organic:
            new = _op("+", paid, v["organic_users"] * self.org_pow, o.get("new_users"))
        else:
            new = _op("/", paid, v["paid_share"], o.get("new_users"))
        out = o.get("mau")
        mau = _op("+", _op("*", self.mau, self.keep, out), new, out)  # mau_{t-1} * (1 - churn) + new_t
        self.mau = mau
        paying = _op("*", mau, v["conversion"], o.get("paying_users"))
        revenue = _op("*", paying, v["arppu"], o.get("revenue"))
        out = o.get("compute")
        compute = _op("*", _op("*", mau, self.cost, out), self.cost_pow, out)
        row = {
            "ad_spend": ad,
            "paid_new_users": paid,
            "organic_new_users": _op("-", new, paid, o.get("organic_new_users")),
            "new_users": new,
            "mau": mau,
            "paying_users": paying,
            "revenue": revenue,
        }
        if self.without:
            burn_w = ad + compute + v["fixed_costs"] - revenue
            self.cash_without = self.cash_without - burn_w
            row["net_burn_without_migration"] = burn_w
            row["cash_without_migration"] = self.cash_without
        out = o.get("net_burn")
        if self.migration:
            t = k + 1
            compute = _op("*", compute, _where(t >= v["migration_month"], self.after, 1.0), o.get("compute"))
            one_off = _where(t == v["migration_month"], v["migration_cost"], 0.0)
            burn = _op("+", _op("+", _op("+", ad, compute, out), v["fixed_costs"], out), one_off, out)
            row["migration_one_off"] = self.last_one_off = one_off
        else:
            burn = _op("+", _op("+", ad, compute, out), v["fixed_costs"], out)
        burn = _op("-", burn, revenue, out)
        # Sequential cash_{t-1} - net_burn_t (not cash - cumsum): the same
        # rounding as the workbook's row of =previous-net_burn formulas.
        self.cash = _op("-", self.cash, burn, o.get("cash"))
        row.update(compute=compute, net_burn=burn, cash=self.cash)
        return row


_OPS = {
    "*": (operator.mul, np.multiply),
    "+": (operator.add, np.add),
    "-": (operator.sub, np.subtract),
    "/": (operator.truediv, np.divide),
}


def _op(sym: str, a, b, out=None):
    """``a sym b``, into ``out`` when given (the same IEEE operation either way)."""
    py, ufunc = _OPS[sym]
    return py(a, b) if out is None else ufunc(a, b, out=out)


def _where(cond, a, b):
    """``np.where`` for arrays; a plain choice for one scenario's scalars."""
    if isinstance(cond, np.ndarray) and cond.ndim:
        return np.where(cond, a, b)
    return a if cond else b


def blended_cost_per_mau(cost_per_mau, paying_cost_per_mau, conversion):
    """Compute cost of an average MAU: free users at ``cost_per_mau``, payers at ``paying_cost_per_mau``.

    ``cost_per_mau + conversion * (paying_cost_per_mau - cost_per_mau)``, which is
    docs/model.md's ``(1 - conversion) * cost_per_mau + conversion * paying_cost_per_mau``
    written so that equal costs (or ``paying_cost_per_mau=None``) give
    ``cost_per_mau`` exactly. Excel: ``=cost_per_mau+conversion*(paying_cost_per_mau-cost_per_mau)``.
    """
    if paying_cost_per_mau is None:
        return cost_per_mau
    return cost_per_mau + conversion * (paying_cost_per_mau - cost_per_mau)


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


def runway_months(
    *,
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs=0.0,
    paid_share=1.0,
    ad_growth=0.0,
    cost_decline=0.0,
    horizon=60,
    **other,
):
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
    return runway_stream(
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
        **other,
    ).runway_months


@dataclass(frozen=True)
class RunwayStream:
    """What :func:`runway_stream` keeps of a projection: the runway and the cash at the horizon.

    The ``..._without_migration`` fields are set when asked for and a
    ``migration_month`` is given: the same projection with all traffic on the
    large model (no saving, no one-off cost).
    """

    runway_months: float | np.ndarray
    ending_cash: float | np.ndarray
    runway_months_without_migration: float | np.ndarray | None = None
    ending_cash_without_migration: float | np.ndarray | None = None


def runway_stream(
    *,
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs=0.0,
    paid_share=1.0,
    ad_growth=0.0,
    cost_decline=0.0,
    horizon=60,
    without_migration=False,
    **other,
) -> RunwayStream:
    """The runway and ending cash of :func:`project`, month by month, keeping no month it has passed.

    Takes the arguments of :func:`project`; memory is a few arrays of the
    scenario shape whatever the horizon (a million scenarios over 120 months
    need ~150 MB, not the ~13 GB of the full projection). Bit for bit the
    runway of :func:`runway_from_cash` on :func:`project`'s rows, since both
    run the same month step. ``without_migration=True`` also follows the
    projection with all traffic on the large model, in the same pass.
    """
    kw = dict(
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
    )
    for k in OPTIONAL + MIGRATION_NEEDS + ("organic_growth", "cac_elasticity"):
        kw[k] = other.pop(
            k, None if k in OPTIONAL + ("large_price", "small_price") else PARAMS[k].default or 0.0
        )
    v, h = _projection_inputs(kw, other)
    shape = v["cash"].shape
    months = _Months(v, shape, without_migration)
    start = np.array(v["cash"], dtype=float)
    run = np.array(np.where(start <= 0, 0.0, np.inf))
    alive = np.array(start > 0)
    if months.without:
        run_w, alive_w = run.copy(), alive.copy()
    prev = prev_w = months.cash
    with np.errstate(all="ignore"):  # an overflow is an error below, not a warning
        for k in range(h):
            row = months.step(k)
            _first_below_zero(k, prev, row["cash"], row["net_burn"], run, alive)
            prev = row["cash"]
            if months.without:
                _first_below_zero(
                    k,
                    prev_w,
                    row["cash_without_migration"],
                    row["net_burn_without_migration"],
                    run_w,
                    alive_w,
                )
                prev_w = row["cash_without_migration"]
    _overflow_check(v, prev, months.mau, prev_w if months.without else None)
    out = RunwayStream(_out(run), _out(np.asarray(prev, dtype=float)))
    if months.without:
        out = RunwayStream(
            out.runway_months, out.ending_cash, _out(run_w), _out(np.asarray(prev_w, dtype=float))
        )
    return out


def _overflow_check(v: dict, *state):
    """Raise when the projection overflowed floating point.

    Once cash or MAU is an infinity or a nan it stays one, so the final
    month's state tells whether any month overflowed; the runway of such a
    scenario would otherwise read "never".
    """
    for x in state:
        if x is not None:
            _finite(
                x,
                "the projection",
                **{
                    k: v[k]
                    for k in (
                        "cash",
                        "mau",
                        "ad_spend",
                        "cac",
                        "arppu",
                        "cost_per_mau",
                        "fixed_costs",
                        "ad_growth",
                        "organic_users",
                    )
                    if k in v
                },
            )


def _first_below_zero(k, prev, cash, burn, run, alive):
    """Record ``k + cash_{t-1}/net_burn_t`` where cash first goes below 0 in month ``t = k+1``."""
    if not run.ndim:
        if alive and cash < 0:
            run[...] = k + prev / burn
            alive[...] = False
        return
    neg = (cash < 0) & alive
    if neg.any():
        idx = np.flatnonzero(neg)
        flat_run, flat_alive = run.reshape(-1), alive.reshape(-1)
        flat_run[idx] = k + prev.reshape(-1)[idx] / burn.reshape(-1)[idx]
        flat_alive[idx] = False
