"""The closed-form Excel functions: CAC, LTV, payback, compute cost, GPU price, migration NPV.

Each calls its engine twin in :mod:`xlmodel.closed_form` (or
:mod:`xlmodel.migration`) over a cell or a range of scenarios.
"""

from __future__ import annotations

import numpy as np

from .. import engine
from ..params import ALL_PARAMS
from .cells import UNSET, call, excel

__all__ = ["LLM_CAC", "LLM_LTV", "LLM_PAYBACK", "LLM_COST_PER_MAU", "LLM_GPU_PRICE", "LLM_MIGRATION_NPV"]


@excel()
def LLM_CAC(spend, new_users, paid_share=None):
    """Customer acquisition cost: spend / (new_users * paid_share). Blended CAC with paid_share 1 (default)."""
    return call(
        engine.cac, dict(spend=spend, new_users=new_users, paid_share=paid_share), {"paid_share": 1.0}
    )


def _ltv(arpu, gross_margin, churn, annual_discount_rate, months):
    # All-empty months: unbounded. A mix of empty and filled cells fails the
    # vectorised call and is then evaluated cell by cell.
    return engine.ltv(
        arpu, gross_margin, churn, annual_discount_rate, None if np.isnan(months).all() else months
    )


@excel()
def LLM_LTV(arpu, gross_margin, churn, annual_discount_rate=None, months=None):
    """Lifetime value: discounted contribution arpu*gross_margin over the user's survival (month-end flows, Excel NPV convention)."""
    return call(
        _ltv,
        dict(
            arpu=arpu,
            gross_margin=gross_margin,
            churn=churn,
            annual_discount_rate=annual_discount_rate,
            months=months,
        ),
        {"annual_discount_rate": 0.0, "months": UNSET},
    )


@excel()
def LLM_PAYBACK(cac, arpu, gross_margin, churn=None):
    """Months until cumulative contribution repays CAC, fractional; never if it does not."""
    return call(
        engine.payback_months,
        dict(cac=cac, arpu=arpu, gross_margin=gross_margin, churn=churn),
        {"churn": 0.0},
    )


@excel()
def LLM_COST_PER_MAU(
    input_tokens, output_tokens, input_price, output_price, cached_share=None, cached_price=None
):
    """Inference cost per monthly active user per month, from tokens per MAU and prices per 1M tokens."""

    def fn(cached_price, input_price, **kw):
        return engine.cost_per_mau(
            input_price=input_price,
            cached_price=np.where(np.isnan(cached_price), input_price, cached_price),
            **kw,
        )

    return call(
        fn,
        dict(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            input_price=input_price,
            output_price=output_price,
            cached_share=cached_share,
            cached_price=cached_price,
        ),
        {"cached_share": 0.0, "cached_price": UNSET},
    )


@excel()
def LLM_GPU_PRICE(gpu_hour_cost, tokens_per_second, utilization=None):
    """Self-hosted price per 1M tokens: gpu_hour_cost / (tokens_per_second * 3600 * utilization) * 1e6."""
    return call(
        engine.gpu_price_per_mtok,
        dict(gpu_hour_cost=gpu_hour_cost, tokens_per_second=tokens_per_second, utilization=utilization),
        {"utilization": 1.0},
    )


@excel()
def LLM_MIGRATION_NPV(
    monthly_tokens,
    large_price,
    small_price,
    migration_cost,
    months,
    annual_discount_rate,
    routed_share=None,
    token_growth=None,
    price_decline=None,
    monthly_revenue=None,
    revenue_loss=None,
):
    """NPV of moving traffic to a small model: -migration_cost + NPV(monthly rate, monthly savings net of lost revenue)."""
    return call(
        engine.migration_npv,
        dict(
            monthly_tokens=monthly_tokens,
            large_price=large_price,
            small_price=small_price,
            migration_cost=migration_cost,
            months=months,
            annual_discount_rate=annual_discount_rate,
            routed_share=routed_share,
            token_growth=token_growth,
            price_decline=price_decline,
            monthly_revenue=monthly_revenue,
            revenue_loss=revenue_loss,
        ),
        {
            k: ALL_PARAMS[k].default
            for k in ("routed_share", "token_growth", "price_decline", "monthly_revenue", "revenue_loss")
        },
    )
