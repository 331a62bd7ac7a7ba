"""The Excel function of payers as their own stock: ``=LLM_LTV_STOCKS(...)``, the LTV of an activated sign-up on
the chain free -> monthly or annual payer (:func:`xlmodel.payer_ltv.ltv_stocks`).

A function of its own rather than a form of ``LLM_LTV``: ``LLM_LTV`` takes one user's contribution and one churn
(``arpu * gross_margin / (churn + d)``), while two stocks need the free users' and the payers' churn, the upgrade
rate, both costs and the annual plan; one signature for both would make every argument's meaning depend on which
others are filled.
"""

from __future__ import annotations

import numpy as np

from ..payer_ltv import ltv_stocks
from .cells import UNSET, call, excel

__all__ = ["LLM_LTV_STOCKS"]

_OPTIONAL = ("paying_cost_per_mau", "annual_share", "annual_price", "annual_renewal")


def _ltv(**kw):
    # an empty optional cell is "not given" (nan): the engine's default; a range of mixed cells is evaluated
    # cell by cell when the vectorised call fails
    for k in _OPTIONAL:
        x = kw.get(k)
        if x is not None and np.isnan(x).all():
            kw[k] = None
    return ltv_stocks(**kw)


@excel()
def LLM_LTV_STOCKS(
    churn,
    upgrade,
    paying_churn,
    arppu,
    cost_per_mau,
    paying_cost_per_mau=None,
    annual_share=None,
    annual_price=None,
    annual_renewal=None,
    annual_discount_rate=None,
    vat=None,
    store_fee=None,
):
    """LTV of an activated sign-up when payers are their own stock: free users churn at churn and upgrade, payers churn at paying_churn or buy a year at annual_price."""
    return call(
        _ltv,
        dict(
            churn=churn,
            upgrade=upgrade,
            paying_churn=paying_churn,
            arppu=arppu,
            cost_per_mau=cost_per_mau,
            paying_cost_per_mau=paying_cost_per_mau,
            annual_share=annual_share,
            annual_price=annual_price,
            annual_renewal=annual_renewal,
            annual_discount_rate=annual_discount_rate,
            vat=vat,
            store_fee=store_fee,
        ),
        {**dict.fromkeys(_OPTIONAL, UNSET), "annual_discount_rate": 0.0, "vat": 0.0, "store_fee": 0.0},
    )
