"""The three statements (docs/model.md, "The three statements"): built from the projection's flows, they balance in
every month, their closing cash is the plan's cash, and they agree with the plain-loop reference line by line;
fiscal years and quarters sum flows and keep end-of-period balances."""

import numpy as np
import pytest
from hypothesis import given, settings

import xlmodel as xm
from xlmodel.statements import LINES, by_period, periods, statements

from . import reference_v4 as ref4
from . import strategies as S
from .test_company import _reference, _scale


@settings(max_examples=150, deadline=None)
@given(S.company_inputs())
def test_the_balance_sheet_balances_and_the_cash_flow_ends_on_the_plans_cash(kw):
    p = xm.plan(**kw)
    st = statements(p.projection, kw["cash"])
    assert st["balance_ok"].all()
    assert p.balance_ok is True
    scale = max(1.0, float(np.abs(st["assets"]).max()), abs(kw["cash"]), float(np.abs(st["equity"]).max()))
    assert np.allclose(st["closing_cash"], p.projection.cash, rtol=0, atol=1e-9 * scale * kw["horizon"])


@settings(max_examples=100, deadline=None)
@given(S.company_inputs())
def test_every_statement_line_agrees_with_the_plain_loop(kw):
    s, rows = _reference(kw)
    want = ref4.statements(s, rows)
    st = statements(xm.plan(**kw).projection, kw["cash"])
    tol = 1e-9 * _scale(rows, s["cash"]) * kw["horizon"] * 4
    for mine, theirs in (("cost_of_revenue", "cost_of_revenue"), ("gross_profit", "gross_profit"),
                         ("operating_costs", "operating_costs"), ("ebitda", "ebitda"), ("ebit", "ebit"),
                         ("ebt", "ebt"), ("net_income", "net_income"), ("operating_cash_flow", "operating"),
                         ("investing_cash_flow", "investing"), ("financing_cash_flow", "financing"),
                         ("closing_cash", "closing_cash"), ("ppe", "ppe"), ("assets", "assets"),
                         ("liabilities", "liabilities"), ("equity", "equity")):  # fmt: skip
        assert np.allclose(st[mine], want[theirs], rtol=0, atol=tol), mine
    gap = np.array(want["assets"]) - np.array(want["liabilities"]) - np.array(want["equity"])
    assert (np.abs(gap) <= 1e-9 * np.array(want["scale"])).all()  # the reference balances too


@settings(max_examples=60, deadline=None)
@given(S.plan_inputs())
def test_a_version_3_plan_has_statements_that_balance(kw):
    p = xm.plan(**kw)
    st = statements(p.projection, kw["cash"])
    assert st["balance_ok"].all()
    assert np.array_equal(st["ebitda"], -p.projection.net_burn) or np.allclose(
        st["ebitda"],
        -p.projection.net_burn,
        rtol=1e-12,
        atol=1e-9 * max(1.0, float(np.abs(p.projection.net_burn).max())),
    )


def test_periods_sum_flows_and_keep_balances():
    kw = dict(cash=1000, mau=100, ad_spend=10, cac=1, churn=0.1, conversion=0.1, arppu=5, cost_per_mau=0.2,
              horizon=18, team=[{"role": "a", "department": "ga", "count": 2, "salary": 10}])  # fmt: skip
    p = xm.plan(**kw)
    st = statements(p.projection, 1000)
    years = periods(18, "2024-12", 4)
    assert [y.label for y in years] == [
        "FY2025 (Dec-Mar, 4 of 12 months)",
        "FY2026",
        "FY2027 (Apr-May, 2 of 12 months)",
    ]
    rows = by_period(st, years)
    assert rows[0]["net_income"] == pytest.approx(st["net_income"][:4].sum(), rel=1e-15)
    assert rows[1]["cash"] == st["cash"][15] and rows[2]["headcount"] == 2
    assert rows[0]["blended_cac"] == pytest.approx(40 / p.projection.new_users[:4].sum(), rel=1e-15)
    q = periods(18, "2024-12", 4, quarterly=True)
    assert [x.label for x in q][:3] == ["FY2025 Q3", "FY2025 Q4", "FY2026 Q1"]
    assert (q[0].first, q[0].last, q[1].first, q[1].last) == (1, 1, 2, 4)
    assert [x.label for x in periods(7, quarterly=True)] == ["Y1 Q1", "Y1 Q2", "Y1 Q3"]
    free = by_period(statements(xm.plan(**dict(kw, ad_spend=0)).projection, 1000), years)
    assert free[0]["blended_cac"] is None  # no sign-up: n/a


def test_every_line_has_one_definition():
    assert len(set(LINES)) == len(LINES)
