"""The three statements (docs/model.md, "The three statements"): income statement, cash flow and balance sheet,
built from a projection's monthly flows after the projection (which never imports this module), by month and by
fiscal year or quarter, with the balance check and each period's unit economics.

:class:`MonthStatements` holds the one definition of every line: :func:`statements` walks it over a finished
projection's months, and :mod:`xlmodel.plan` walks it month by month beside a projection it does not keep (a
simulation's draws), for ``balance_ok``. Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from .company import COMPANY_ROWS
from .dates import fiscal_years, parse_month
from .payers import STOCK_BALANCES, STOCK_ROWS
from .period_economics import period_unit_economics

__all__ = [
    "INCOME",
    "CASH_FLOW",
    "BALANCE",
    "LINES",
    "BALANCES",
    "BALANCE_RTOL",
    "MonthStatements",
    "statements",
    "Period",
    "periods",
    "by_period",
    "PERIOD_RATIOS",
]

#: the relative tolerance of the balance check
BALANCE_RTOL = 1e-9
#: the income statement's lines, in order
INCOME = (
    "revenue",
    "compute",
    "payroll_ops",
    "cost_of_revenue",
    "gross_profit",
    "ad_spend",
    "payroll_sm",
    "payroll_rd",
    "payroll_ga",
    "fixed_costs",
    "one_off",
    "operating_costs",
    "ebitda",
    "depreciation",
    "credits_lapsed",
    "ebit",
    "interest",
    "ebt",
    "tax",
    "net_income",
)
#: the cash-flow statement's lines
CASH_FLOW = (
    "credits_used",
    "change_in_payables",
    "change_in_receivables",
    "change_in_deferred_revenue",
    "operating_cash_flow",
    "capex",
    "investing_cash_flow",
    "funding",
    "financing_cash_flow",
    "closing_cash",
)
#: the balance sheet's lines and the check
BALANCE = (
    "cash",
    "receivables",
    "credit_balance",
    "ppe",
    "assets",
    "payables",
    "deferred_revenue",
    "liabilities",
    "equity",
    "balance_gap",
    "balance_ok",
)
#: every line, in statement order (the income statement's flows appear once)
LINES = INCOME + CASH_FLOW + BALANCE
#: lines that are balances (a period shows its last month's), the rest are flows (a period sums them)
BALANCES = frozenset(("closing_cash", "headcount", "mau", "paying_users") + BALANCE + STOCK_BALANCES)
#: the company's lines a plan without version-4 inputs holds as 0 (its payroll is summed here by department)
_COMPANY_FLOWS = tuple(k for k in COMPANY_ROWS if k != "payroll")


class MonthStatements:
    """Every statement line of one month from its flows, month after month (the one definition of each line).

    ``cash_0`` and ``opening`` (payables, receivables and credits at month 0) set month 0's balances;
    ``equity_0 = cash + ar_0 + credits - ap_0``.
    """

    def __init__(self, cash_0: Any, opening: Mapping[str, Any] | None = None):
        o = opening or {}
        z = np.zeros_like(np.asarray(cash_0, dtype=float))
        ap0, ar0, cr0 = (np.asarray(o.get(k, z), dtype=float) for k in ("payables", "receivables", "credits"))
        self.cash, self.ap, self.ar, self.deferred = np.asarray(cash_0, dtype=float), ap0, ar0, z
        self.equity_0 = self.cash + ar0 + cr0 - ap0
        self.rounds = z  # cash and credits raised to date
        self.ni_sum, self.ni_abs, self.ppe = z, z, z

    def month(self, f: Mapping[str, Any]) -> dict[str, Any]:
        """The lines of the next month from its flows ``f`` (a projection's lines of that month)."""
        out: dict[str, Any] = {k: f[k] for k in ("revenue", "compute", "ad_spend", "fixed_costs", "interest")}
        out.update({k: f.get(k, 0.0) for k in _COMPANY_FLOWS})
        out["one_off"] = f.get("migration_one_off", 0.0)
        out["cost_of_revenue"] = out["compute"] + out["payroll_ops"]
        out["gross_profit"] = out["revenue"] - out["cost_of_revenue"]
        out["operating_costs"] = (
            out["ad_spend"] + out["payroll_sm"] + out["payroll_rd"] + out["payroll_ga"] + out["fixed_costs"]
        ) + out["one_off"]
        out["ebitda"] = out["gross_profit"] - out["operating_costs"]
        out["ebit"] = out["ebitda"] - out["depreciation"] - out["credits_lapsed"]
        out["ebt"] = out["ebit"] + out["interest"]
        out["net_income"] = out["ebt"] - out["tax"]
        # cash flow
        out["change_in_payables"] = out["payables"] - self.ap
        out["change_in_receivables"] = out["receivables"] - self.ar
        out["change_in_deferred_revenue"] = out["deferred_revenue"] - self.deferred
        out["operating_cash_flow"] = (
            out["net_income"]
            + out["depreciation"]
            + out["credits_lapsed"]
            + out["credits_used"]
            + out["change_in_payables"]
            - out["change_in_receivables"]
            + out["change_in_deferred_revenue"]
        )
        out["investing_cash_flow"] = 0.0 - out["capex"]  # (+0.0, not -0.0, without capex)
        out["funding"] = f["funding"]
        out["financing_cash_flow"] = out["funding"]
        out["closing_cash"] = (
            self.cash + out["operating_cash_flow"] + out["investing_cash_flow"] + out["financing_cash_flow"]
        )
        # balance sheet
        out["cash"] = f["cash"]
        self.ppe = self.ppe + out["capex"] - out["depreciation"]
        out["ppe"] = self.ppe
        out["assets"] = out["cash"] + out["receivables"] + out["credit_balance"] + out["ppe"]
        out["liabilities"] = out["payables"] + out["deferred_revenue"]
        self.rounds = self.rounds + out["funding"] + out["credits_granted"]
        self.ni_sum = self.ni_sum + out["net_income"]
        self.ni_abs = self.ni_abs + np.abs(out["net_income"])
        out["equity"] = self.equity_0 + self.rounds + self.ni_sum
        out["balance_gap"] = out["assets"] - out["liabilities"] - out["equity"]
        scale = np.maximum(
            np.maximum(1.0, np.abs(out["assets"])), np.abs(self.equity_0) + self.rounds + self.ni_abs
        )
        out["balance_ok"] = np.abs(out["balance_gap"]) <= BALANCE_RTOL * scale
        # the balances carried to the next month, copied: a projection's lines may be buffers it writes again
        self.cash, self.ap, self.ar, self.deferred = (
            np.array(x, dtype=float)
            for x in (f["cash"], out["payables"], out["receivables"], out["deferred_revenue"])
        )
        return out


def statements(projection: Any, cash_0: Any) -> dict[str, np.ndarray]:
    """Every line of :data:`LINES` (and headcount, MAU, payers, sign-ups) of every month: arrays with months on
    the last axis, from a :class:`~xlmodel.projection.Projection` and the plan's month-0 cash."""
    rows = projection.as_dict()
    company = projection.company or {}
    h = rows["cash"].shape[-1]
    walk = MonthStatements(cash_0, projection.opening)
    months: list[dict[str, Any]] = []
    for k in range(h):
        f = {name: line[..., k] for name, line in rows.items()}
        f.update({name: line[..., k] for name, line in company.items()})
        months.append(walk.month(f))
    out = {name: np.stack([np.asarray(m[name]) for m in months], axis=-1) for name in LINES}
    for name in ("headcount",):
        out[name] = np.stack([np.asarray(m[name]) for m in months], axis=-1)
    for name in ("mau", "paying_users", "new_users", "paid_new_users"):
        out[name] = rows[name]
    if getattr(projection, "stocks", None) is not None:  # payers as their own stock (xlmodel.payers)
        out.update((name, projection.stocks[name]) for name in STOCK_ROWS)
    return out


@dataclass(frozen=True)
class Period:
    """A fiscal year or quarter: its label and plan months ``first..last``."""

    label: str
    first: int
    last: int


def periods(
    horizon: int, start: str | None = None, fiscal_year_start: int = 1, quarterly: bool = False
) -> list[Period]:
    """The fiscal years covering months 1..horizon, or their quarters ("FY2025 Q1"; without a start "Y1 Q1")."""
    years = fiscal_years(horizon, start, fiscal_year_start)
    if not quarterly:
        return [Period(y.label, y.first, y.last) for y in years]
    out: list[Period] = []
    for y in years:
        name = y.label.split(" (")[0]
        for t in range(y.first, y.last + 1):
            # the month's place in its fiscal year: 0..11 from the fiscal year's first calendar month
            if start is None:
                place = (t - 1) % 12
            else:
                year, month = parse_month(start, "start")
                place = (month - 1 + t - 1 - ((fiscal_year_start or 1) - 1)) % 12
            label = f"{name} Q{place // 3 + 1}"
            if out and out[-1].label == label:
                out[-1] = Period(label, out[-1].first, t)
            else:
                out.append(Period(label, t, t))
    return out


#: each period's unit economics: the ratios of its sums (xlmodel.period_economics, the annual summary's) and the
#: statements' gross margin, gross profit / revenue; n/a where a denominator is 0
PERIOD_RATIOS = (
    "blended_cac",
    "paid_cac",
    "gross_margin",
    "contribution_margin",
    "contribution_per_mau",
    "arppu_net",
)


def by_period(lines: Mapping[str, np.ndarray], spans: list[Period]) -> list[dict[str, Any]]:
    """Each period's lines (flows summed, balances at its last month) and its unit economics."""
    view = SimpleNamespace(**lines)  # the lines as period_unit_economics reads a projection's
    out = []
    for p in spans:
        sl = slice(p.first - 1, p.last)
        row: dict[str, Any] = {"label": p.label, "first": p.first, "last": p.last}
        for name, line in lines.items():
            row[name] = line[..., p.last - 1] if name in BALANCES else line[..., sl].sum(axis=-1)
        row.update(period_unit_economics(view, p.first, p.last))
        revenue = np.asarray(row["revenue"], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(
                revenue != 0, row["gross_profit"] / np.where(revenue != 0, revenue, 1.0), np.nan
            )
        row["gross_margin"] = (None if np.isnan(margin) else float(margin)) if margin.ndim == 0 else margin
        out.append(row)
    return out
