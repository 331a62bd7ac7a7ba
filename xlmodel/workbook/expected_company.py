"""What a workbook of the whole company (version 4) must show, by the engine: its Team, Capex and credits,
Statements and Statements by period sheets, and the Projection's rows of payables, receivables and tax.

The live scenario's team, capex and credit grants are read back from the workbook's tables (the rows whose
scenario column names the live scenario), so the engine runs on the workbook's own inputs. The statement lines
and the period tables come from :mod:`xlmodel.statements` (the one definition of each line); the helper rows (a
grant's use by expiry, a role's pay, a month's place in its fiscal quarter) are the workbook's decomposition,
recomputed here from the engine's lines.
"""

from __future__ import annotations

import math

import numpy as np

from ..company import COMPANY_SCALARS
from ..statements import LINES, by_period, periods, statements

__all__ = [
    "company_kw",
    "company_expected",
    "grant_rounds",
    "scenario_rows",
    "table_values",
    "with_grants",
    "TABLES",
]

#: the workbook's tables of dated entries: defined name -> the entry's key
TABLES = {
    "team": ("role", "department", "count", "salary", "from", "to"),
    "capex": ("name", "month", "amount", "life"),
    "grant": ("month", "amount", "expires"),
}
#: the scalar inputs of the whole company on Inputs
SCALARS = COMPANY_SCALARS


def _col(values: dict, name: str) -> list:
    """A table's column as a list (a one-row table's name holds a single cell)."""
    x = values.get(name)
    return [] if x is None and name not in values else x if isinstance(x, list) else [x]


def _num(x):
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def scenario_rows(values: dict, table: str, scenario: str | None) -> list[dict]:
    """The rows of ``table`` whose scenario column names ``scenario``, as entries (empty cells left out).

    Parameters
    ----------
    values : dict
        The workbook's named values (a table's columns as ``{table}_{key}`` lists, one cell a row).
    table : str
        A key of :data:`TABLES`; row 1 of the grants (the live scenario's opening credits) is left out.
    scenario : str
        The scenario's name, as the table's scenario column gives it.

    Returns
    -------
    list of dict
        One entry a row, in the table's order: texts as text ("" when empty), numbers as floats.
    """
    scen = _col(values, f"{table}_scenario")
    out = []
    for i, name in enumerate(scen):
        if name != scenario or (table == "grant" and i == 0):  # row 1: the opening credits
            continue
        e = {}
        for key in TABLES[table]:
            col = "amount" if key == "amount" else key
            x = _col(values, f"{table}_{col}")[i]
            if key in ("role", "department", "name"):
                e[key] = "" if x is None else str(x)
            elif _num(x) is not None:
                e[key] = _num(x)
        out.append(e)
    return out


def _live_rows(values: dict, table: str) -> list[dict]:
    """The rows of ``table`` whose scenario column names the live scenario, as entries (empty cells left out)."""
    return scenario_rows(values, table, values.get("scenario"))


def grant_rounds(rows: list[dict]) -> list[dict]:
    """Credit grants (rows of the ``grant`` table, :func:`scenario_rows`) as rounds of credits without cash:
    ``{"month", "amount": 0.0, "credits", "expires"}`` (``expires`` only when the row gives it)."""
    grants = []
    for e in rows:
        g = {"month": int(e["month"]), "amount": 0.0, "credits": e.get("amount", 0.0)}
        if e.get("expires") is not None:
            g["expires"] = int(e["expires"])
        grants.append(g)
    return grants


def company_kw(values: dict, calendar: tuple[str | None, int]) -> dict:
    """The live scenario's version-4 inputs as :func:`xlmodel.plan.plan` takes them, with the workbook's
    ``calendar`` (its start month and fiscal_year_start: the fiscal years of raises and tax)."""
    kw: dict = {}
    for k in SCALARS:
        x = _num(values.get(k))
        if x is not None:
            kw[k] = x
    kw["team"] = [
        {k: v for k, v in e.items() if k in ("role", "department", "count", "salary", "from", "to")}
        for e in _live_rows(values, "team")
    ]
    kw["capex"] = [dict(e, life=int(e["life"]), month=int(e["month"])) for e in _live_rows(values, "capex")]
    kw["grants"] = grant_rounds(_live_rows(values, "grant"))
    if calendar[0] is not None:
        kw["start"], kw["fiscal_year_start"] = calendar
    return kw


def with_grants(funding: list, grants: list) -> list:
    """The rounds of cash (one a month, from the Changes sheet) with the rounds' credits: a month's credits join
    its cash round; a second grant in a month is a round of its own with no cash."""
    out = [dict(r) for r in funding]
    by_month = {r["month"]: r for r in out}
    for g in grants:
        r = by_month.get(g["month"])
        if r is not None and "credits" not in r:
            r["credits"] = g["credits"]
            if "expires" in g:
                r["expires"] = g["expires"]
        else:
            out.append(dict(g))
    return sorted(out, key=lambda r: r["month"])


def table_values(builder, i: int) -> dict:
    """The tables' named cells as the workbook holds them when scenario ``i`` is live (for the cached values)."""
    wb = builder.wb
    out: dict = {}
    for table, keys in TABLES.items():
        if f"{table}_scenario" not in wb.defined_names:
            continue
        names = builder.table_scenarios.get(table, [])
        for key in keys + ("scenario",):
            sheet, ref = next(iter(wb.defined_names[f"{table}_{key}"].destinations))
            cells = [row[0].value for row in wb[sheet][ref.replace("$", "")]]
            if key == "scenario":
                cells = [builder.scenarios[i][0] if n == "" else n for n in names]
            out[f"{table}_{key}"] = cells
    return out


def _pays(values: dict, kw: dict, n: int, fy: np.ndarray) -> dict:
    """Each team row's pay in the live scenario, month by month, and the raises so far."""
    t = np.arange(1, n + 1)
    raises = np.concatenate([[0], np.cumsum(fy[1:] != fy[:-1])]).astype(float)
    out = {"team_month_by_month": t.astype(float), "salary_raises_by_month": raises}
    scen = _col(values, "team_scenario")
    on, g = kw.get("on_cost", 0.0), kw.get("salary_growth", 0.0)
    for k, name in enumerate(scen):
        live = name == values.get("scenario") and name not in (None, "")
        count, salary = (_num(_col(values, f"team_{x}")[k]) or 0.0 for x in ("count", "salary"))
        first = max(1.0, _num(_col(values, "team_from")[k]) or 1.0)
        last = _num(_col(values, "team_to")[k])
        last = float(n) if last is None else last
        on_ = (t >= first) & (t <= last) & live
        out[f"team_row_{k + 1}_by_month"] = np.where(on_, count * salary * (1 + on) * (1 + g) ** raises, 0.0)
    return out


def _tranches(values: dict, kw: dict, compute: np.ndarray) -> dict:
    """Each credit grant's use, lapse and balance (the workbook's rows; the engine spends by expiry)."""
    n = len(compute)
    live_name = values.get("scenario")
    scen = _col(values, "grant_scenario")
    rows = []  # (month, amount, expiry or inf, live)
    for k, name in enumerate(scen):
        if k == 0:
            exp = kw.get("credits_expire")
            rows.append((0, kw.get("credits", 0.0), math.inf if exp is None else exp, True))
            continue
        m, a, e = (_num(_col(values, f"grant_{x}")[k]) for x in ("month", "amount", "expires"))
        rows.append((int(m or 0), a or 0.0, math.inf if e is None else (m or 0) + e, name == live_name))
    order = sorted((r[2], k) for k, r in enumerate(rows) if r[3])
    rank = {k: j + 1 for j, (_, k) in enumerate(order)}
    bal = np.array([r[1] if r[3] and r[0] == 0 else 0.0 for r in rows])
    used, lapsed, balance = (np.zeros((len(rows), n)) for _ in range(3))
    for t in range(1, n + 1):
        prev = bal.copy()
        for k, r in enumerate(rows):
            if k not in rank:
                continue
            ahead = sum(prev[j] for j in rank if rank[j] < rank[k])
            used[k, t - 1] = min(prev[k], max(0.0, max(0.0, compute[t - 1]) - ahead))
            lapsed[k, t - 1] = prev[k] - used[k, t - 1] if r[2] == t else 0.0
            bal[k] = prev[k] - used[k, t - 1] - lapsed[k, t - 1] + (r[1] if r[0] == t else 0.0)
            balance[k, t - 1] = bal[k]
    out = {
        "credits_month_by_month": np.arange(1.0, n + 1),
        "credit_compute_by_month": np.maximum(0.0, compute),
    }
    for k in range(len(rows)):
        out[f"credits_used_{k + 1}_by_month"] = used[k]
        out[f"credits_lapsed_{k + 1}_by_month"] = lapsed[k]
        out[f"credit_balance_{k + 1}_by_month"] = balance[k]
    return out


def _ledger_rows(prefix: str, pr, used, lapsed, interest, kw, year_start, money) -> tuple[dict, dict]:
    """Payables, earnings before tax and tax of one cash path (the Projection's helper rows)."""
    n = len(pr.cash)
    t = np.arange(1, n + 1)
    cc = pr.compute - used

    def window(row, k):
        return np.array([row[max(0, m - k) : m].sum() + max(0, k - m) * row[0] for m in t])

    ap = window(cc, int(kw.get("compute_terms", 0))) + window(pr.ad_spend, int(kw.get("ad_terms", 0)))
    ebt = -pr.net_burn - pr.company["depreciation"] - lapsed + interest
    year_ebt, pool, accrued, tax = (np.zeros(n) for _ in range(4))
    y, L, acc = 0.0, float(kw.get("tax_losses", 0.0)), 0.0
    for i in range(n):
        if year_start[i]:
            L, y, acc_prev = max(0.0, L - y), 0.0, 0.0
        else:
            acc_prev = acc
        y = y + ebt[i]
        acc = float(kw.get("tax_rate", 0.0)) * max(0.0, y - L)
        year_ebt[i], pool[i], accrued[i], tax[i] = y, L, acc, acc - acc_prev
    out = {
        f"{prefix}cash_compute_by_month": cc,
        f"{prefix}payables_by_month": ap,
        f"{prefix}ebt_by_month": ebt,
        f"{prefix}year_ebt_by_month": year_ebt,
        f"{prefix}loss_pool_by_month": pool,
        f"{prefix}tax_accrued_by_month": accrued,
        f"{prefix}tax_by_month": tax,
    }
    return out, {k: money for k in out}


def company_expected(values: dict, kw: dict, p, lines: dict, money: float, crossing) -> tuple[dict, dict]:
    """Every row and answer of the whole company's sheets, and magnitudes for tolerances (``crossing``: the
    Projection's flag and step rows of a runway, :func:`xlmodel.workbook.expected_plan._crossing`)."""
    pr = p.projection
    n = len(pr.cash)
    co = pr.company
    cash0 = float(kw["cash"])
    fy = np.asarray(values.get("fiscal_year_by_month") or np.ones(n), dtype=float)
    if len(fy) != n or not np.all(fy):  # (the cached values' placeholder) the engine's fiscal years
        spans = periods(n, kw.get("start"), kw.get("fiscal_year_start", 1))
        fy = np.concatenate([np.full(s.last - s.first + 1, j + 1.0) for j, s in enumerate(spans)])
    exp: dict = {f"{k}_by_month": np.asarray(v, dtype=float) for k, v in co.items()}
    exp.update(_pays(values, kw, n, fy))
    exp.update(_tranches(values, kw, pr.compute))
    year_start = np.concatenate([[False], fy[1:] != fy[:-1]])
    exp["tax_year_start_by_month"] = [bool(x) for x in year_start]
    t = np.arange(1, n + 1)
    lag = int(kw.get("collection_lag", 0))
    if pr.stocks is None:
        exp["receivables_by_month"] = np.array([pr.revenue[max(0, m - lag) : m].sum()
                                                + max(0, lag - m) * pr.revenue[0] for m in t])  # fmt: skip
    # (payers as their own stock: the engine's receivables of billed revenue, its deferred revenue)
    deferred = np.asarray(co["deferred_revenue"], dtype=float)
    deferred_prev = np.concatenate([[0.0], deferred[:-1]])
    # the whole company's answers: sums of flows that may cancel (tax given back later in a year)
    scale: dict = dict.fromkeys(
        ("tax_paid", "credits_used", "credits_lapsed", "capex_total", "ending_credits"), money
    )
    rows, sc = _ledger_rows(
        "", pr, co["credits_used"], co["credits_lapsed"], pr.interest, kw, year_start, money
    )
    exp.update(rows)
    scale.update(sc)
    # the plan without its rounds: the opening credits only, its own interest and tax
    nf = lines.get("cash_without_funding", pr.cash)
    prev_nf = np.concatenate([[cash0], nf[:-1]])
    i = float(np.power(1 + kw.get("interest_rate", 0.0), 1 / 12) - 1)
    nf_interest = prev_nf * i
    bal, exp_ = float(kw.get("credits", 0.0)), kw.get("credits_expire")
    nf_used, nf_lapsed, nf_bal = (np.zeros(n) for _ in range(3))
    for k in range(n):
        nf_used[k] = min(bal, max(0.0, pr.compute[k]))
        nf_lapsed[k] = bal - nf_used[k] if exp_ is not None and exp_ == k + 1 else 0.0
        bal = bal - nf_used[k] - nf_lapsed[k]
        nf_bal[k] = bal
    exp.update(nf_interest_by_month=nf_interest, nf_credits_used_by_month=nf_used,
               nf_credits_lapsed_by_month=nf_lapsed, nf_credit_balance_by_month=nf_bal)  # fmt: skip
    rows, sc = _ledger_rows("nf_", pr, nf_used, nf_lapsed, nf_interest, kw, year_start, money)
    exp.update(rows)
    scale.update(sc)
    # the runway's denominators: the net burn only where cash moved by it alone
    prev = np.concatenate([[cash0], pr.cash[:-1]])
    ap, ar = exp["payables_by_month"], exp["receivables_by_month"]
    ap_prev = np.concatenate([[_opening(pr.compute - co["credits_used"], pr.ad_spend, kw)], ap[:-1]])
    ar0 = lag * pr.revenue[0] if pr.stocks is None else float(pr.opening["receivables"])
    ar_prev = np.concatenate([[ar0], ar[:-1]])
    quiet = (
        (pr.interest == 0) & (pr.funding == 0) & (co["credits_used"] == 0) & (co["tax"] == 0) & (co["capex"] == 0)
        & (ap == ap_prev) & (ar == ar_prev) & (deferred == deferred_prev)
    )  # fmt: skip
    den = np.where(quiet, pr.net_burn, prev - pr.cash)
    exp["runway_denominator_by_month"] = den
    exp.update(crossing("", cash0, pr.cash, prev, den))
    nf_ap = exp["nf_payables_by_month"]
    nf_ap_prev = np.concatenate([[_opening(pr.compute - nf_used, pr.ad_spend, kw)], nf_ap[:-1]])
    nf_quiet = (
        (nf_interest == 0) & (nf_used == 0) & (exp["nf_tax_by_month"] == 0) & (co["capex"] == 0)
        & (nf_ap == nf_ap_prev) & (ar == ar_prev) & (deferred == deferred_prev)
    )  # fmt: skip
    exp.update(
        crossing("_without_funding", cash0, nf, prev_nf, np.where(nf_quiet, pr.net_burn, prev_nf - nf))
    )
    # the statements, by month and by period (xlmodel.statements: the one definition of every line)
    st = statements(pr, cash0)
    for line in LINES:
        exp[f"statement_{line}_by_month"] = st[line] if line != "balance_ok" else [bool(x) for x in st[line]]
        scale[f"statement_{line}_by_month"] = money
    eq0 = cash0 + ar_prev[0] + float(pr.opening["credits"]) - ap_prev[0]
    exp["statement_month_by_month"] = t.astype(float)
    exp["statement_credits_granted_by_month"] = co["credits_granted"]
    exp["statement_rounds_to_date_by_month"] = np.cumsum(pr.funding + co["credits_granted"])
    exp["statement_net_income_to_date_by_month"] = np.cumsum(st["net_income"])
    exp["statement_net_income_abs_to_date_by_month"] = np.cumsum(np.abs(st["net_income"]))
    exp["statement_equity_0_by_month"] = np.full(n, eq0)
    for kind, quarterly in (("year", False), ("quarter", True)):
        spans = periods(n, kw.get("start"), kw.get("fiscal_year_start", 1), quarterly)
        index = np.concatenate([np.full(s.last - s.first + 1, j + 1.0) for j, s in enumerate(spans)])
        exp[f"statement_{kind}_index_by_month"] = index
        if quarterly:
            exp["statement_quarter_of_year_by_month"] = np.array(
                [float(int(s.label.rsplit("Q", 1)[1]) - 1) for s in spans for _ in range(s.first, s.last + 1)]
            )
        exp[f"{kind}_number"] = np.arange(1.0, len(spans) + 1)
        for row in by_period(st, spans):
            for key, v in row.items():
                if key == "label":
                    continue
                name = f"{kind}_{key}"
                exp.setdefault(name, []).append(
                    None if v is None else bool(v) if key == "balance_ok" else float(v)
                )
        for key in LINES:  # a period's money lines on the plan's scale (a gap of 0 is 0 to rounding)
            scale[f"{kind}_{key}"] = money
    return exp, scale


def _opening(cash_compute: np.ndarray, ad: np.ndarray, kw: dict) -> float:
    """Month 0's payables: the bills of months before month 1 at month 1's."""
    return int(kw.get("compute_terms", 0)) * float(cash_compute[0]) + int(kw.get("ad_terms", 0)) * float(
        ad[0]
    )
