"""The cohort Excel functions: a signup cohort's LTV and churn from its retention curve."""

from __future__ import annotations

from ..actuals import cohort_churn, cohort_ltv
from ..errors import XlmodelError
from .cells import excel, fail, grid, is_empty, number, single, to_excel

__all__ = ["LLM_COHORT_LTV", "LLM_COHORT_CHURN"]


def retention_shares(retention) -> list[float]:
    """A row or column of retention shares; empty cells at the end are dropped (a ragged triangle row)."""
    rows = grid("retention", retention)
    if len(rows) > 1 and len(rows[0]) > 1:
        raise XlmodelError("retention must be one row or one column of shares")
    cells = [c for row in rows for c in row]
    while cells and is_empty(cells[-1]):
        cells.pop()
    if not cells:
        raise XlmodelError("retention must hold at least one share")
    for i, c in enumerate(cells, start=1):
        if is_empty(c):
            raise XlmodelError(f"retention month {i} is empty: only cells at the end may be empty")
    return [number(f"retention (month {i})", c, None) for i, c in enumerate(cells, start=1)]


@excel()
def LLM_COHORT_LTV(retention, arpu, gross_margin, annual_discount_rate=None, tail=None):
    """Lifetime value of a signup cohort from its retention curve: discounted observed months plus a geometric tail."""
    try:
        t = single("tail", tail, True)
        if not isinstance(t, bool):
            raise XlmodelError(f"tail must be TRUE or FALSE, got {t!r}")
        return to_excel(
            cohort_ltv(
                retention_shares(retention),
                number("arpu", single("arpu", arpu, None), None),
                number("gross_margin", single("gross_margin", gross_margin, None), None),
                number(
                    "annual_discount_rate", single("annual_discount_rate", annual_discount_rate, 0.0), 0.0
                ),
                t,
            )
        )
    except Exception as e:
        return fail(e)


@excel()
def LLM_COHORT_CHURN(retention):
    """Monthly churn implied by the late part of a retention curve: 1 - (r_k / r_(k-j))^(1/j), j = min(3, k-1)."""
    try:
        return to_excel(cohort_churn(retention_shares(retention)))
    except Exception as e:
        return fail(e)
