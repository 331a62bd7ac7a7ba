"""What the Projection's rows of payers as their own stock must show, by the engine (:mod:`xlmodel.payers`).

The stocks, new payers, renewals, payer share, billed revenue and deferred revenue are the engine's own lines
(the plan's ``projection.stocks`` and ``projection.company``); the helper rows (each stock driver's path, the
monthly plans' billing, the 12-row phase block of annual billings) are recomputed from those lines, the twins of
:mod:`xlmodel.workbook.payer_rows`' formulas. With one stock in the live scenario the added rows are 0 and billed
revenue is the revenue.
"""

from __future__ import annotations

import numpy as np

from ..closed_form import monthly_rate
from ..payer_ltv import chain_ltv
from ..payers import STOCK_INPUTS, net_price
from .payer_rows import YEAR, phase

__all__ = ["stocks_expected", "stock_inputs", "chain_expected"]


def stocks_expected(kw: dict, pr, lines: dict) -> dict:
    """The rows ``<key>_by_month`` of :func:`xlmodel.workbook.payer_rows.with_stocks` for the plan ``pr`` (its
    inputs ``kw``, its month step's ``lines``, :func:`xlmodel.workbook.expected_plan._walk`)."""
    n = len(pr.cash)
    zero = np.zeros(n)
    out: dict = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["payer_share_by_month"] = np.where(pr.mau == 0, 0.0, pr.paying_users / pr.mau)
    if pr.stocks is None:  # one stock: the rows are 0, billed revenue is the revenue
        for key in (
            "free_users",
            "monthly_payers",
            "annual_payers",
            "new_payers",
            "renewals",
            "deferred_revenue",
        ):
            out[f"{key}_by_month"] = zero
        out.update({f"{phase(j)}_by_month": zero for j in range(YEAR)})
        out.update(upgrade_path_by_month=zero, paying_churn_path_by_month=zero)
        out["annual_share_path_by_month"] = np.full(n, float(kw.get("annual_share", 0.0)))
        out["billed_revenue_by_month"] = pr.revenue
        out["monthly_billing_by_month"] = pr.revenue
        return out
    st = pr.stocks
    for key in ("free_users", "monthly_payers", "annual_payers", "new_payers", "renewals", "billed_revenue"):
        out[f"{key}_by_month"] = np.asarray(st[key], dtype=float)
    out["deferred_revenue_by_month"] = np.asarray(pr.company["deferred_revenue"], dtype=float)
    share = lines.get("path_annual_share", zero)
    out.update(
        upgrade_path_by_month=lines["path_upgrade"],
        paying_churn_path_by_month=lines["path_paying_churn"],
        annual_share_path_by_month=share,
    )
    vat, fee = float(kw.get("vat", 0.0)), float(kw.get("store_fee", 0.0))
    out["monthly_billing_by_month"] = net_price(
        st["monthly_payers"] * lines["path_arppu"], vat, fee
    )  # as the engine
    billed = share * st["new_payers"] + st["renewals"]  # the annual billings of each month
    for j in range(YEAR):
        out[f"{phase(j)}_by_month"] = np.concatenate([np.zeros(min(j, n)), billed[: max(0, n - j)]])
    return out


def stock_inputs(s: dict) -> dict:
    """The live scenario's inputs of payers as their own stock, when it has two stocks (else none)."""
    if s.get("paying_churn") is None:
        return {}
    return {k: s[k] for k in STOCK_INPUTS if s.get(k) is not None}


def chain_expected(s: dict, cost_per_mau: float) -> dict:
    """The Unit economics sheet's rows of the chain (:mod:`xlmodel.workbook.stock_ue`) by the engine's chain
    (:func:`xlmodel.payer_ltv.chain_ltv` from a new payer, all monthly or all annual); with one stock, only the
    annual plan's net price."""
    vat, fee = float(s.get("vat", 0.0)), float(s.get("store_fee", 0.0))
    price = s.get("annual_price")
    out: dict = {"annual_net_price": net_price(0.0 if price is None else float(price), vat, fee)}
    if s.get("paying_churn") is None:
        return out
    pc = s.get("paying_cost_per_mau")
    d = float(monthly_rate(float(s.get("annual_discount_rate", 0.0))))
    arppu_net = net_price(float(s["arppu"]), vat, fee)
    for share, name in ((0.0, "ltv_monthly_payer"), (1.0, "ltv_annual_payer")):
        with np.errstate(all="ignore"):
            v = float(chain_ltv(
                s["churn"], s["upgrade"], s["paying_churn"], share, s.get("annual_renewal", 0.0), cost_per_mau,
                cost_per_mau if pc is None else pc, arppu_net, out["annual_net_price"], d, start="payer",
            ))  # fmt: skip
        out[name] = None if np.isnan(v) else v
    return out
