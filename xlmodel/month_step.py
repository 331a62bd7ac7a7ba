"""The projection's equations, one month at a time (docs/model.md, "The projection, version 3").

:class:`Months` is the only copy of them: :func:`xlmodel.projection.project`
keeps every month of every line, :mod:`xlmodel.plan` keeps only what its
answers need.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, TypeAlias, cast

import numpy as np

from .closed_form import _finite
from .company import COMPANY_ROWS, SPARSE_ROWS, ZERO_ROWS, CompanyInputs
from .ledger import Company, Ledger
from .params import CHANGE_DRIVERS
from .payers import STOCK_ROWS, Stocks
from .retention import Cohorts
from .timeline import EMPTY, DriverPath, Timeline

#: a line's value in a month: a numpy float64 for one scenario (a ``float``), an array of scenarios otherwise
Value: TypeAlias = "float | np.ndarray"

_OPS = {
    "*": (operator.mul, np.multiply),
    "+": (operator.add, np.add),
    "-": (operator.sub, np.subtract),
    "/": (operator.truediv, np.divide),
}


def _op(sym: str, a: Value, b: Value, out: np.ndarray | None = None) -> Value:
    """``a sym b``, into ``out`` when given (the same IEEE operation either way)."""
    py, ufunc = _OPS[sym]
    result: Value = py(a, b) if out is None else ufunc(a, b, out=out)
    return result


def _where(cond: bool | np.ndarray, a: Value, b: Value) -> Value:
    """``np.where`` for arrays; a plain choice for one scenario's scalars."""
    if isinstance(cond, np.ndarray) and cond.ndim:
        return np.where(cond, a, b)
    return a if cond else b


def blended_cost_per_mau(cost_per_mau: Value, paying_cost_per_mau: Value | None, conversion: Value) -> Value:
    """Compute cost of an average MAU: free users at ``cost_per_mau``, payers at ``paying_cost_per_mau``.

    ``cost_per_mau + conversion * (paying_cost_per_mau - cost_per_mau)``, which is
    docs/model.md's ``(1 - conversion) * cost_per_mau + conversion * paying_cost_per_mau``
    written so that equal costs (or ``paying_cost_per_mau=None``) give
    ``cost_per_mau`` exactly. Excel: ``=cost_per_mau+conversion*(paying_cost_per_mau-cost_per_mau)``.
    """
    if paying_cost_per_mau is None:
        return cost_per_mau
    return cost_per_mau + conversion * (paying_cost_per_mau - cost_per_mau)


class Months:
    """The projection's equations (docs/model.md, version 3), one month at a time: the only copy of them.

    :func:`project` stores each month's lines; :mod:`xlmodel.plan` keeps only
    what its answers need, so that a simulation of a million draws never
    holds every month of every draw. One scenario runs on numpy float64
    scalars (a tenth of the cost of 0-d arrays; the same IEEE arithmetic);
    arrays of scenarios are written into the buffers each call is given
    (``rows`` lists the lines that need one).

    With a retention curve, MAU is month 0's users (at ``churn_t``) plus every
    cohort's, a :class:`~xlmodel.retention.Cohorts` state of k + 1 columns.

    ``variants``: also follow the same plan without the migration
    (``net_burn_without_migration``, ``cash_without_migration``) and without
    its funding rounds (``cash_without_funding``).
    """

    def __init__(
        self, v: Mapping[str, Any], shape: tuple[int, ...], tl: Timeline = EMPTY, variants: bool = False
    ):
        arrays = bool(shape)
        if not arrays:
            v = {k: (x if k in ("retention", "company") else np.float64(x)) for k, x in v.items()}
            tl = Timeline(
                {d: {m: np.float64(x) for m, x in ms.items()} for d, ms in tl.changes.items()},
                {m: np.float64(x) for m, x in tl.funding.items()},
            )
        self.v, self.tl, self.shape, self.arrays = v, tl, shape, arrays
        self.organic = "organic_users" in v
        self.migration = "migration_month" in v
        cost_base = 1 - v["cost_decline"]
        if np.any(v["usage_growth"]):
            cost_base = (1 + v["usage_growth"]) * cost_base
        bases = {
            "ad_growth": 1 + v["ad_growth"],
            "cost": cost_base,
            "fixed_cost_growth": 1 + v["fixed_cost_growth"],
            "organic_growth": 1 + v["organic_growth"] if self.organic else None,
        }
        grows = {
            "ad_growth": np.any(v["ad_growth"]),
            "cost": np.any(cost_base != 1),
            "fixed_cost_growth": np.any(v["fixed_cost_growth"]),
            "organic_growth": self.organic and np.any(v["organic_growth"]),
        }
        # the version-2 form of the compute, a running power applied to the blended cost, while neither cost changes
        self.factored = not tl.months_of("cost_per_mau") and not tl.months_of("paying_cost_per_mau")
        self.paths: dict[str, DriverPath] = {}
        for driver, growth in CHANGE_DRIVERS.items():
            level, changes = v.get(driver), tl.months_of(driver)
            if level is None and not changes:
                continue  # not given: organic users by paid_share; a payer costs what a free user costs
            base = bases[growth] if growth is not None and grows[growth] else None
            if growth == "cost" and self.factored:
                base = None  # applied once, to the blended cost (below)
            follow = self.paths["cost_per_mau"] if level is None else None
            self.paths[driver] = DriverPath(level, changes, base, follow, arrays)
        self.cost_pow: Value | None = None
        if self.factored and grows["cost"]:
            self.cost_base = cost_base
            self.cost_pow = np.ones(shape) if arrays else np.float64(1.0)
        self.cac_spend = v.get("cac_spend", v["ad_spend"])
        # (ad_t / cac_spend) is exactly 1 while spend stays at cac_spend, and 1 ** e == 1: skip the pow then
        self.elastic = bool(np.any(v["cac_elasticity"])) and (
            self.paths["ad_spend"].varies or "cac_spend" in v
        )
        self.keep = None if self.paths["churn"].changes else 1 - v["churn"]
        self._churn_seen: Value | None = None
        self._keep_now: Value = 1.0  # 1 - churn_seen: set with it, before its first use (step)
        self.activation = bool(np.any(v["activation"] != 1)) or bool(tl.months_of("activation"))
        # with a retention curve: the users already there at month 0 (decaying at churn) and the cohorts
        self.cohorts = Cohorts(v["retention"], shape, arrays) if "retention" in v else None
        if self.cohorts is not None:
            self.old = np.array(v["mau"], dtype=float) if arrays else v["mau"]
        self.net_of_vat = bool(np.any(v["vat"])) or bool(np.any(v["store_fee"]))
        if self.net_of_vat:
            self.vat1, self.fee1 = 1 + v["vat"], 1 - v["store_fee"]
        # the monthly rate through the power ufunc for one scenario as for many (numpy's scalar ** may round
        # differently from the ufunc's vector loop): a scenario gives the same bits alone and in an array
        self.i = np.power(1 + v["interest_rate"], 1 / 12) - 1 if np.any(v["interest_rate"]) else None
        if self.migration:
            self.saving = v["routed_share"] * (1 - v["small_price"] / v["large_price"])
            self.after = 1 - self.saving  # compute factor from the migration month
            self.loss = 1 - v["revenue_loss"] if np.any(v["revenue_loss"]) else None
        # payers as their own stock (version 4): free users and payers, annual plans (xlmodel.payers)
        self.stocks: Stocks | None = None
        if "paying_churn" in v:
            self.stocks = Stocks(v, shape, arrays, self.loss if self.migration else None)
        self.variants = variants
        self.record = False
        #: set by xlmodel.projection.project: the buffers each step is given are rows of its storage, which
        #: hold (a line kept past its month needs no copy of its own)
        self.kept = False
        self.mau = v["mau"]
        self.cash = self.cash_without_funding = self.cash_without_migration = v["cash"]
        self.rows = [
            "ad_spend",
            "paid_new_users",
            "organic_new_users",
            "new_users",
            "mau",
            "paying_users",
            "gross_revenue",
            "revenue",
            "compute",
            "net_burn",
            "cash",
        ]
        for name, varies in (
            ("cac", self.elastic or self.paths["cac"].varies),
            ("fixed_costs", self.paths["fixed_costs"].varies),
            ("migration_one_off", self.migration),
            ("interest", self.i is not None),
        ):
            if varies:
                self.rows.append(name)
        # the whole company (version 4): its terms are added last, so that without them version 3 keeps its bits
        self.company: Company | None = None
        self.ledgers: dict[str, Ledger] = {}
        # (two stocks carry the statements too: with annual plans, deferred revenue is on the balance sheet)
        if "company" in v or self.stocks is not None:
            self.company = Company(v.get("company") or CompanyInputs(), shape)
            self.ledgers["plan"] = Ledger(self.company)
            if variants and tl.funding or variants and any(g.month for g in self.company.c.grants):
                self.ledgers["without_funding"] = Ledger(self.company, rounds=False)
            if variants and self.migration:
                self.ledgers["without_migration"] = Ledger(self.company)
            self.rows += [n for n in COMPANY_ROWS if n not in SPARSE_ROWS + ZERO_ROWS]
        self.annual = self.stocks is not None and self.stocks.annual
        if self.stocks is not None:
            self.rows += list(STOCK_ROWS) + (["deferred_revenue"] if self.annual else [])
        # a round earns interest that is taxed: the funding need is found by search, not in closed form
        self.taxed_interest = (
            self.company is not None and self.i is not None and bool(np.any(self.company.c.tax_rate))
        )
        # revenue is the gross revenue itself without VAT, fees or a revenue loss: one line stored, not two
        self.gross_is_revenue = (
            not self.net_of_vat and not (self.migration and self.loss is not None) and not self.annual
        )
        if self.gross_is_revenue:
            self.rows.remove("gross_revenue")

    def constant_rows(self) -> dict[str, Value]:
        """The lines that hold one value every month: name -> that value (of the scenario shape)."""
        zero = np.zeros(self.shape)
        values = {
            "cac": self.v["cac"],
            "fixed_costs": self.v["fixed_costs"],
            "migration_one_off": zero,
            "interest": zero,
        }
        if not self.tl.funding:
            values["funding"] = zero
        if self.company is not None and not self.annual:
            values.update(dict.fromkeys(ZERO_ROWS, zero))
        return {name: value for name, value in values.items() if name not in self.rows}

    def step(self, k: int, o: Mapping[str, np.ndarray] | None = None) -> dict[str, Any]:
        """Month ``t = k+1``: every line item (and the variants' when asked for).

        ``o``: for arrays of scenarios, an array for each of ``rows`` to write
        that line into (views of :func:`project`'s storage, or scratch
        buffers); ``o["cash"]`` must not be the array that holds last month's
        cash. The whole company's lines (``COMPANY_ROWS``) are given buffers
        only by :func:`project`: a ledger reads last month's balances from
        them, so they must not be scratch. A company line that is 0 this month
        (the company's shared zero) is not written: the row holds the zero
        itself, and :func:`project`'s storage starts as zeros. Without ``o``
        (one scenario), new values.
        """
        v, p = self.v, self.paths
        o = o or {}
        t = k + 1
        ad = p["ad_spend"].at(k, o.get("ad_spend"))
        cac_t = p["cac"].at(k)
        if self.elastic:
            with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
                cac_t = _where(ad == 0, cac_t, cac_t * np.power(ad / self.cac_spend, v["cac_elasticity"]))
        cac_t = _put(cac_t, o, "cac")
        paid = _op("/", ad, cac_t, o.get("paid_new_users"))
        if self.organic:
            organic = p["organic_users"].at(k, o.get("organic_new_users"))
            new = _op("+", paid, organic, o.get("new_users"))
        else:
            new = _op("/", paid, p["paid_share"].at(k), o.get("new_users"))
            organic = _op("-", new, paid, o.get("organic_new_users"))
        keep = self.keep
        if keep is None:  # churn changes: 1 - churn_t, computed again only when its level does
            churn = p["churn"].at(k)
            if churn is not self._churn_seen:
                self._churn_seen, self._keep_now = churn, 1 - churn
            keep = self._keep_now
        out = o.get("mau")
        arriving = p["activation"].at(k) * new if self.activation else new
        stock: dict[str, Any] | None = None
        if self.stocks is not None:  # two stocks: free users and payers (xlmodel.payers)
            stock = self._stocks(k, t, keep, arriving, o)
            mau, paying, gross, revenue, compute = (
                stock[n] for n in ("mau", "paying_users", "gross_revenue", "revenue", "compute")
            )
        else:
            if self.cohorts is None:  # mau_{t-1} * (1 - churn_t) + activation * new_t
                mau = _op("+", _op("*", self.mau, keep, out), arriving, out)
            else:  # mau_0 * prod (1 - churn_s) + sum_c activation_c * new_c * R(t - c + 1)
                self.old = _op("*", self.old, keep, self.old if self.arrays else None)
                mau = _op("+", self.old, self.cohorts.step(arriving), out)
            self.mau = mau
            conv = p["conversion"].at(k)
            paying = _op("*", mau, conv, o.get("paying_users"))
            gross = _op("*", paying, p["arppu"].at(k), o.get("gross_revenue", o.get("revenue")))
            out = o.get("revenue")
            if self.net_of_vat:
                revenue = _op("*", _op("/", gross, self.vat1, out), self.fee1, out)
            else:
                revenue = gross if gross is o.get("revenue") else _put(gross, o, "revenue")
            compute = self._compute(k, mau, conv, o.get("compute"))
        fixed = p["fixed_costs"].at(k, o.get("fixed_costs"))
        row: dict[str, Any] = {
            "ad_spend": ad,
            "cac": cac_t,
            "paid_new_users": paid,
            "organic_new_users": organic,
            "new_users": new,
            "mau": mau,
            "paying_users": paying,
            "gross_revenue": gross,
            "fixed_costs": fixed,
        }
        if stock is not None:
            row.update((n, stock[n]) for n in STOCK_ROWS)
            if "billing" in stock:
                row["billing"], row["billing_without_migration"] = (
                    stock["billing"],
                    stock["billing_without_migration"],
                )
        # revenue before the migration's loss (with annual plans each billing keeps its month's loss)
        plain_revenue = revenue if stock is None else stock["revenue_without_loss"]
        if self.record:  # each driver's path and the steps before the migration (a workbook's helper rows)
            row["paths"] = {d: path.value for d, path in p.items()}
            row["cost_pow"] = (
                1.0 if self.cost_pow is None else self.cost_pow
            )  # the factored cost paths' power
            row["revenue_before_loss"] = plain_revenue
            row["compute_without_migration"] = compute
            if self.cohorts is not None:  # a cohort waterfall's rows: month 0's users, each month's cohort
                row["existing_users"] = self.old.copy() if self.arrays else self.old
                row["activated_users"] = np.array(arriving) if self.arrays else arriving
        if self.variants and self.migration:  # the same month with all traffic on the large model
            row["net_burn_without_migration"] = ad + compute + fixed - plain_revenue
            if self.company is not None:
                row["net_burn_without_migration"] += self.company.month(k)["payroll"]
                plain = (
                    (np.array(compute), np.array(plain_revenue)) if self.arrays else (compute, plain_revenue)
                )
                row["compute_without_migration"], row["revenue_without_migration"] = plain
        out = o.get("net_burn")
        if self.migration:
            on = t >= v["migration_month"]
            compute = _op("*", compute, _where(on, self.after, 1.0), o.get("compute"))
            if self.loss is not None and stock is None:  # (two stocks: applied by xlmodel.payers)
                revenue = _op("*", revenue, _where(on, self.loss, 1.0), o.get("revenue"))
            one_off = _put(
                _where(t == v["migration_month"], v["migration_cost"], 0.0), o, "migration_one_off"
            )
            burn = _op("+", _op("+", _op("+", ad, compute, out), fixed, out), one_off, out)
            row["migration_one_off"] = one_off
        else:
            burn = _op("+", _op("+", ad, compute, out), fixed, out)
        burn = _op("-", burn, revenue, out)
        if self.company is not None:  # net_burn_t = (version 3's) + payroll_t
            burn = _op("+", burn, self.company.month(k)["payroll"], out)
        funding = self.tl.funding.get(t)
        row.update(revenue=revenue, compute=compute, net_burn=burn)
        row["funding"] = 0.0 if funding is None else funding
        # Sequential cash_{t-1} - net_burn_t (not cash - cumsum): the same
        # rounding as the workbook's row of =previous-net_burn formulas.
        self.cash, row["interest"] = self._cash(self.cash, burn, funding, o.get("cash"), o.get("interest"))
        if self.company is not None:
            self.cash = self._company(
                k, "plan", row, o, ad, compute, revenue, burn, self.cash, row["interest"]
            )
        row["cash"] = self.cash
        if self.variants:
            if self.tl.funding or "without_funding" in self.ledgers:
                self.cash_without_funding, row["interest_without_funding"] = self._cash(
                    self.cash_without_funding, burn, None
                )
                if self.company is not None:
                    self.cash_without_funding = self._company(
                        k, "without_funding", row, {}, ad, compute, revenue, burn, self.cash_without_funding,
                        row["interest_without_funding"],
                    )  # fmt: skip
                row["cash_without_funding"] = self.cash_without_funding
            if self.migration:
                self.cash_without_migration, row["interest_without_migration"] = self._cash(
                    self.cash_without_migration, row["net_burn_without_migration"], funding
                )
                if self.company is not None:
                    self.cash_without_migration = self._company(
                        k, "without_migration", row, {}, ad, row["compute_without_migration"],
                        row["revenue_without_migration"], row["net_burn_without_migration"],
                        self.cash_without_migration, row["interest_without_migration"],
                    )  # fmt: skip
                row["cash_without_migration"] = self.cash_without_migration
        return row

    def _company(
        self,
        k: int,
        path: str,
        row: dict[str, Any],
        o: Mapping[str, np.ndarray],
        ad: Value,
        compute: Value,
        revenue: Value,
        burn: Value,
        cash: Value,
        interest: Value,
    ) -> Value:
        """Version 3's cash of one path plus the whole company's term (credits used, tax, capex and the change
        in payables, receivables and deferred revenue); the plan's lines go into ``row`` (and ``o``), a
        variant's only its quiet flag (whether cash moved by the net burn alone)."""
        billing = row.get("billing_without_migration" if path == "without_migration" else "billing")
        term, lines = self.ledgers[path].step(
            k, ad, compute, revenue, burn, interest, billing, o if path == "plan" else None, self.kept
        )
        quiet = lines.pop("quiet")
        if path == "plan":
            zero = self.ledgers[path].zero
            for name, value in lines.items():
                row[name] = _put(value, o, name) if name in self.rows and value is not zero else value
            row["quiet"] = quiet
            row["company_opening"] = self.ledgers[path].opening
        else:
            row[f"quiet_{path}"] = quiet
        out = o.get("cash") if path == "plan" else None
        return _op("+", cash, term, out)

    def _cash(
        self,
        cash: Value,
        burn: Value,
        funding: Value | None,
        out: np.ndarray | None = None,
        interest_out: np.ndarray | None = None,
    ) -> tuple[Value, Value]:
        """``(cash_{t-1} - net_burn_t + interest_t + funding_t, interest_t)``, interest and rounds only where
        there are some (so that version 2's ``cash_{t-1} - net_burn_t`` keeps every bit)."""
        new = _op("-", cash, burn, out)
        interest: Value = 0.0
        if self.i is not None:
            interest = _op("*", cash, self.i, interest_out)
            new = _op("+", new, interest, out)
        if funding is not None:
            new = _op("+", new, funding, out)
        return new, interest

    def _compute(
        self, k: int, mau: Value, conv: Value, out: np.ndarray | None, stock: dict[str, Any] | None = None
    ) -> Value:
        """``mau_t * blended_t`` with the cost paths of month t (before the migration's saving); with two
        stocks (``stock``: the month's lines), free users at ``cost_per_mau_t`` and payers at
        ``paying_cost_per_mau_t``."""
        p = self.paths
        cost = p["cost_per_mau"].at(k)  # first: paying_cost_per_mau may follow it
        pc = p["paying_cost_per_mau"].at(k) if "paying_cost_per_mau" in p else None
        if stock is not None and self.stocks is not None:
            plain = self.stocks.compute(stock["free_users"], stock["paying_users"], cost, pc)
        if self.cost_pow is None:
            if stock is not None:
                return _put(plain, {"compute": out} if out is not None else {}, "compute")
            return _op("*", mau, blended_cost_per_mau(cost, pc, conv), out)
        if k:
            # arrays of scenarios: the power is an array of its own (np.ones above), updated in place
            pow_out = cast(np.ndarray, self.cost_pow) if self.arrays else None
            self.cost_pow = _op("*", self.cost_pow, self.cost_base, pow_out)
        if stock is not None:
            return _op("*", plain, self.cost_pow, out)
        blended = blended_cost_per_mau(cost, pc, conv)
        return _op("*", _op("*", mau, blended, out), self.cost_pow, out)  # version 2's form

    def _stocks(
        self, k: int, t: int, keep: Value, arriving: Value, o: Mapping[str, np.ndarray]
    ) -> dict[str, Any]:
        """Month ``t``'s two stocks, revenue and compute (:class:`xlmodel.payers.Stocks`), written into ``o``; the
        ledgers' billing (billed revenue, the monthly plans' billing, deferred revenue) with annual plans."""
        p, stocks = self.paths, cast(Stocks, self.stocks)
        f = None  # the revenue kept from the migration month on (each annual billing keeps its month's)
        if self.migration and self.loss is not None:
            f = _where(t >= self.v["migration_month"], self.loss, 1.0)
        share = p["annual_share"].at(k) if stocks.annual else None
        line = stocks.step(
            k, keep, arriving, p["upgrade"].at(k), p["paying_churn"].at(k), share, p["arppu"].at(k), f
        )
        line["compute"] = self._compute(k, line["mau"], 0.0, o.get("compute"), line)
        self.mau = line["mau"]
        for name in STOCK_ROWS + ("mau", "paying_users", "gross_revenue", "revenue"):
            line[name] = _put(line[name], o, name)
        if stocks.annual:
            line["billing"] = (line["billed_revenue"], line["monthly_billing"], line["deferred_revenue"])
            line["billing_without_migration"] = (
                line["billed_without_loss"],
                line["monthly_billing_without_loss"],
                line["deferred_without_loss"],
            )
        else:
            line["revenue_without_loss"] = line["monthly_billing_without_loss"]
        return line

    def overflow_check(self) -> None:
        """Raise when the projection overflowed floating point, naming the input that overflowed.

        Once cash or MAU is an infinity or a nan it stays one, so the final
        month's state tells whether any month overflowed; the runway of such a
        scenario would otherwise read "never". The input named is, in order: a
        growth rate whose driver grew past floating point (``fixed_cost_growth
        = 100`` over 1200 months), the funding rounds when they and the cash
        add up past it, else the inputs of extreme size (as :func:`_finite`).
        """
        v = self.v
        for x in (self.cash, self.mau, self.cash_without_migration, self.cash_without_funding):
            bad = ~np.isfinite(np.asarray(x, dtype=float))
            if bad.any():
                break
        else:
            return
        at = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()

        def pick(a: Any) -> float:
            a = np.asarray(a, dtype=float)
            return float(np.broadcast_to(a, bad.shape)[at]) if a.ndim else float(a)

        with np.errstate(all="ignore"):
            _name_overflow(self, pick)
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
                    "interest_rate",
                )
                if k in v
            },
        )


#: the inputs behind a driver's growth (CHANGE_DRIVERS' growth keys)
_GROWTH_INPUTS = {
    "ad_growth": ("ad_growth",),
    "organic_growth": ("organic_growth",),
    "fixed_cost_growth": ("fixed_cost_growth",),
    "cost": ("usage_growth", "cost_decline"),
}
_BEYOND = "past the largest number floating point holds (about 1.8e308): inputs this extreme are beyond "


def _name_overflow(m: Months, pick: Any) -> None:
    """Raise an :class:`InputError` naming a growth rate or the funding rounds when they overflowed ``m``."""
    from .errors import InputError

    v = m.v
    growths = [(d, path.value) for d, path in m.paths.items()]
    if m.cost_pow is not None:  # the cost's running power, applied to the blended cost
        growths.append(("cost_per_mau", m.cost_pow))
    for driver, value in growths:
        growth = CHANGE_DRIVERS[driver]
        if np.isfinite(pick(value)) or growth is None:
            continue
        names = [g for g in _GROWTH_INPUTS[growth] if g in v and pick(v[g])] or [_GROWTH_INPUTS[growth][0]]
        rates = " and ".join(f"{g} {pick(v[g]):.6g}" for g in names if g in v)
        raise InputError(
            names[0],
            f"the projection overflows floating point: {rates} grows {driver} (from "
            f"{pick(v[driver]) if v.get(driver) is not None else 0:.6g}) {_BEYOND}what the model can "
            "compute (a smaller rate, or a shorter horizon)",
        )
    if m.tl.funding:
        rounds = {month: pick(a) for month, a in m.tl.funding.items()}
        total = abs(pick(v["cash"])) + sum(abs(a) for a in rounds.values())
        if not np.isfinite(total) or total > 1e307:
            month, amount = max(rounds.items(), key=lambda r: abs(r[1]))
            raise InputError(
                "funding",
                f"the projection overflows floating point: the funding rounds (month {month}'s: "
                f"{amount:.6g} in all) and cash {pick(v['cash']):.6g} add up {_BEYOND}what the model can compute",
            )


def sparse_rows(
    tl: Timeline, company: CompanyInputs | None, shape: tuple[int, ...], h: int
) -> dict[str, np.ndarray]:
    """Lines that are 0 but in a few months, built whole (time-major): the funding rounds, and with the whole
    company (``company``: its inputs) its purchases and the rounds' credits."""
    out: dict[str, np.ndarray] = {}
    if tl.funding:
        rows = np.zeros((h,) + shape)
        for month, amount in tl.funding.items():
            rows[month - 1] = amount
        out["funding"] = rows
    if company is not None:  # the purchases and the rounds' credits, in their months
        for name, events in (
            ("capex", [(x.month, x.amount) for x in company.capex]),
            ("credits_granted", [(g.month, g.amount) for g in company.grants if g.month]),
        ):
            rows = np.zeros((h,) + shape)
            for month, amount in events:
                rows[month - 1] += amount
            out[name] = rows
    return out


def _put(value: Value, o: Mapping[str, np.ndarray], name: str) -> Value:
    """``value`` written into the buffer ``o[name]`` when there is one (then the buffer), else ``value``."""
    out = o.get(name)
    if out is None or value is out:
        return value
    np.copyto(out, value)
    return out
