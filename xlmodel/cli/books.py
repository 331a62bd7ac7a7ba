"""``calc``'s statements of the whole company: the team, the income statement, cash flow and balance sheet by fiscal
year (``--quarterly``, ``--monthly``), the balance check and the credits, as a table and as JSON."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dates import month_label
from ..payers import STOCK_ROWS
from ..statements import BALANCE_RTOL, LINES, PERIOD_RATIOS, Period, by_period, periods, statements
from .common import echo, json_value

__all__ = ["company_books", "print_books"]

#: the rows the table shows: (line, label); None starts a new block with its title
TABLE = (
    (None, "income statement"),
    ("revenue", "revenue"),
    ("cost_of_revenue", "cost of revenue"),
    ("gross_profit", "gross profit"),
    ("operating_costs", "operating costs"),
    ("ebitda", "EBITDA"),
    ("depreciation", "depreciation"),
    ("credits_lapsed", "credits lapsed"),
    ("ebit", "EBIT"),
    ("interest", "interest"),
    ("tax", "tax"),
    ("net_income", "net income"),
    (None, "team"),
    ("headcount", "headcount (end)"),
    ("payroll_rd", "payroll R&D"),
    ("payroll_sm", "payroll S&M"),
    ("payroll_ga", "payroll G&A"),
    ("payroll_ops", "payroll ops"),
    (None, "cash flow"),
    ("operating_cash_flow", "operating"),
    ("credits_used", "  of which credits used"),
    ("investing_cash_flow", "investing (capex)"),
    ("financing_cash_flow", "financing"),
    ("closing_cash", "cash (end)"),
    (None, "balance sheet (end)"),
    ("receivables", "receivables"),
    ("credit_balance", "credits"),
    ("ppe", "equipment (net)"),
    ("assets", "assets"),
    ("payables", "payables"),
    ("deferred_revenue", "deferred revenue"),
    ("equity", "equity"),
    (None, "unit economics of the period"),
    ("blended_cac", "blended CAC"),
    ("paid_cac", "paid CAC"),
    ("gross_margin", "gross margin"),
    ("contribution_per_mau", "contribution per MAU"),
    ("arppu_net", "ARPPU (net)"),
    ("paying_users", "payers (end)"),
    (None, "payers (two stocks)"),
    ("free_users", "free users (end)"),
    ("monthly_payers", "monthly payers (end)"),
    ("annual_payers", "annual payers (end)"),
    ("new_payers", "new payers"),
    ("renewals", "annual renewals"),
    ("payer_share", "payer share (end)"),
    ("billed_revenue", "revenue billed"),
    ("revenue", "revenue recognised"),
    ("deferred_revenue", "deferred revenue (end)"),
)
#: the block a plan without two stocks leaves out
_STOCK_BLOCK = TABLE.index((None, "payers (two stocks)"))
_RATIOS = ("gross_margin", "payer_share")


def company_books(p: Any, s: dict, a: Any, quarterly: bool, monthly: bool) -> dict[str, Any] | None:
    """The statements of a plan of the whole company (or of any plan when asked for ``--quarterly`` or
    ``--monthly``): None for a version-3 plan without those flags, whose output stays as it was."""
    if p.projection.company is None and not (quarterly or monthly):
        return None
    h = int(s["horizon"])
    st = statements(p.projection, s["cash"])
    years = by_period(st, periods(h, a.start, a.fiscal_year_start))
    quarters = by_period(st, periods(h, a.start, a.fiscal_year_start, quarterly=True))
    months = by_period(st, [Period(month_label(t, a.start), t, t) for t in range(1, h + 1)])
    shown = months if monthly else quarters if quarterly else years
    bad = np.flatnonzero(~st["balance_ok"])
    names = [n for n in LINES if n != "balance_ok"] + ["headcount", "mau", "paying_users", "new_users"]
    if "free_users" in st:  # payers as their own stock
        names += list(STOCK_ROWS)
    plain = lambda rows: [
        {
            k: json_value(_plain(v))
            for k, v in r.items()
            if k in names or k in PERIOD_RATIOS or k in ("label", "first", "last")
        }
        for r in rows
    ]
    company = p.projection.company or {}
    credits = {
        "granted": float(company["credits_granted"].sum()) + float(p.projection.opening["credits"])
        if company
        else 0.0,
        "used": float(st["credits_used"].sum()),
        "lapsed": float(st["credits_lapsed"].sum()),
        "left": float(st["credit_balance"][-1]),
    }
    return {
        "shown": shown,
        "by": "month" if monthly else "fiscal quarter" if quarterly else "fiscal year",
        "balance_ok": bool(st["balance_ok"].all()),
        "first_unbalanced": int(bad[0]) + 1 if bad.size else None,
        "credits": credits,
        "json": {
            "monthly": {k: [json_value(float(x)) for x in np.asarray(st[k], dtype=float)] for k in names},
            "years": plain(years),
            "quarters": plain(quarters),
            "balance_ok": bool(st["balance_ok"].all()),
            "balance_tolerance": BALANCE_RTOL,
            "credits": credits,
        },
    }


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray | np.generic):
        x = v.item() if np.ndim(v) == 0 else v.tolist()
        return x
    return v


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    if math.isnan(v):
        return "n/a"
    if name in _RATIOS:
        return f"{v:.1%}"
    a = abs(v)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{v / div:,.2f}{suffix}" if a < 1e15 else f"{v:.3g}"
    return f"{v:,.2f}" if name in PERIOD_RATIOS and a < 100 else f"{v:,.0f}"


def print_books(books: dict[str, Any], currency: str) -> None:
    """The statements as a table, one column per period, then the balance check and the credits."""
    rows = books["shown"]
    table = TABLE if rows and "free_users" in rows[0] else TABLE[:_STOCK_BLOCK]
    labels = [r["label"].split(" (")[0] + ("*" if r["last"] - r["first"] + 1 < 12 and "(" in r["label"] else "")
              for r in rows]  # fmt: skip
    cells = [[_cell(k, r[k]) if k else "" for r in rows] for k, _ in table]
    w0 = max(len(label) for _, label in table)
    widths = [max(len(labels[j]), *(len(row[j]) for row in cells)) for j in range(len(rows))]
    echo("")
    echo(f"statements by {books['by']} ({currency}; flows summed, balances at the period's end)")
    echo(f"{'':<{w0}}  " + "  ".join(f"{lab:>{w}}" for lab, w in zip(labels, widths)))
    for (key, label), row in zip(table, cells):
        if key is None:
            echo(f"{label}:")
            continue
        echo(f"{label:<{w0}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(row, widths)))
    echo("")
    if books["balance_ok"]:
        echo(
            f"balance check: assets = liabilities + equity in every month (to {BALANCE_RTOL:g} of the month's scale)"
        )
    else:
        echo(f"balance check: FAILS from month {books['first_unbalanced']}")
    c = books["credits"]
    if c["granted"]:
        echo(
            f"compute credits: {_cell('x', c['granted'])} granted, {_cell('x', c['used'])} used, "
            f"{_cell('x', c['lapsed'])} lapsed, {_cell('x', c['left'])} left at the horizon"
        )
