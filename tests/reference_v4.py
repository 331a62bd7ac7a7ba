"""A plain-loop reading of the model's version-4 equations ("The whole company"): the team, capex, credits,
terms, tax and the three statements, one scalar month at a time.

Written from the model's definitions, not from xlmodel's code: lists and loops, every sum taken over its months
again each month. Version 3's lines (users, revenue, compute, ad spend, fixed costs, one-offs) come from
tests/reference_v3.py; this file adds the company and recomputes the cash, interest and net burn.
"""

import math

from . import reference_v3 as ref3

DEPARTMENTS = ("rd", "sm", "ga", "ops")


def year_starts(horizon, start=None, fiscal_year_start=1):
    """The first month of each fiscal year (12-month blocks from month 1 without a start)."""
    return [first for _, first, _, _ in ref3.fiscal_years(horizon, start, fiscal_year_start)]


def company_v4(s, changes=(), funding=(), horizon=60, team=(), capex=(), start=None, fiscal_year_start=1):
    """Every monthly line of a version-4 plan: version 3's, then the company's, each a list over months."""
    rows = ref3.project_v3(s, changes, [r for r in funding if "amount" in r], horizon)
    g = lambda k: s.get(k) or 0.0
    on_cost, growth, rate = g("on_cost"), g("salary_growth"), g("tax_rate")
    k_terms, j_terms, l_terms = int(g("compute_terms")), int(g("ad_terms")), int(g("collection_lag"))
    i = ref3.monthly_rate(g("interest_rate"))
    firsts = year_starts(horizon, start, fiscal_year_start)

    # grants: opening credits usable from month 1; a round's from the month after it; lapse at the expiry's end
    grants = []
    if s.get("credits") is not None:
        exp = s.get("credits_expire")
        grants.append({"usable": 1, "expiry": math.inf if exp is None else exp, "left": float(s["credits"])})
    rounds_credits = []
    for r in funding:
        if r.get("credits") is not None:
            exp = r.get("expires")
            rounds_credits.append(
                (r["month"], float(r["credits"]), math.inf if exp is None else r["month"] + exp)
            )

    out = {k: [] for k in (
        "payroll_rd", "payroll_sm", "payroll_ga", "payroll_ops", "payroll", "headcount", "depreciation", "capex",
        "credits_used", "credits_lapsed", "credits_granted", "credit_balance", "payables", "receivables",
        "deferred_revenue", "ebt", "tax", "net_burn", "interest", "cash",
    )}  # fmt: skip
    cash_prev = float(s["cash"])
    pool = g("tax_losses")
    year_ebt = accrued_prev = 0.0
    unpaid, ads, billed = [], [], []  # by month, for the terms
    ap_prev = ar_prev = None
    for t in range(1, horizon + 1):
        compute, ad, revenue = rows["compute"][t - 1], rows["ad_spend"][t - 1], rows["revenue"][t - 1]
        # "y_t is the number of fiscal-year starts in months 2..t"
        y = sum(1 for f in firsts if 2 <= f <= t)
        pay = dict.fromkeys(DEPARTMENTS, 0.0)
        heads = 0.0
        for e in team:
            first, last = max(1, e.get("from", 1)), e.get("to", horizon)
            if first <= t <= last:
                pay[e["department"]] += e["count"] * e["salary"] * (1 + on_cost) * (1 + growth) ** y
                heads += e["count"]
        payroll = sum(pay.values())
        dep = sum(c["amount"] / c["life"] for c in capex if c["month"] <= t <= c["month"] + c["life"] - 1)
        spent = sum(c["amount"] for c in capex if c["month"] == t)

        # credits: use (the grant that expires first; never last; equal expiry one pool), lapse, grant
        usable = sorted((x for x in grants if x["usable"] <= t), key=lambda x: x["expiry"])
        need = compute
        used = 0.0
        for x in usable:
            take = min(x["left"], need)
            x["left"] -= take
            need -= take
            used += take
        lapsed = 0.0
        for x in grants:
            if x["expiry"] == t:
                lapsed += x["left"]
                x["left"] = 0.0
        granted = 0.0
        for month, amount, expiry in rounds_credits:
            if month == t:
                grants.append({"usable": t + 1, "expiry": expiry, "left": amount})
                granted += amount
        balance = sum(x["left"] for x in grants)

        # terms: bills of months before month 1 equal month 1's
        unpaid.append(compute - used)
        ads.append(ad)
        billed.append(revenue)
        at = lambda xs, m: xs[max(m, 1) - 1]
        ap = sum(at(unpaid, m) for m in range(t - k_terms + 1, t + 1)) + sum(
            at(ads, m) for m in range(t - j_terms + 1, t + 1)
        )
        ar = sum(at(billed, m) for m in range(t - l_terms + 1, t + 1))
        if t == 1:
            ap_prev, ar_prev = k_terms * (compute - used) + j_terms * ad, l_terms * revenue
            opening = {"payables": ap_prev, "receivables": ar_prev, "credits": g("credits")}
        deferred, deferred_prev = 0.0, 0.0

        # "net_burn_t = (ad_t + compute_t + fixed_t + one_off_t - revenue_t) + payroll_t"
        burn = (
            ad + compute + rows["fixed_costs"][t - 1] + rows["migration_one_off"][t - 1] - revenue + payroll
        )
        interest = cash_prev * i
        # tax by fiscal year against the pool at the year's start
        if t in firsts and t > 1:
            pool = max(0.0, pool - year_ebt)
            year_ebt = accrued_prev = 0.0
        ebt = -burn - dep - lapsed + interest
        year_ebt += ebt
        accrued = rate * max(0.0, year_ebt - pool)
        tax = accrued - accrued_prev
        accrued_prev = accrued
        funding_t = rows["funding"][t - 1]
        cash = (cash_prev - burn + interest + funding_t) + (
            used - tax - spent + (ap - ap_prev) - (ar - ar_prev) + (deferred - deferred_prev)
        )
        for key, value in zip(out, (
            pay["rd"], pay["sm"], pay["ga"], pay["ops"], payroll, heads, dep, spent, used, lapsed, granted,
            balance, ap, ar, deferred, ebt, tax, burn, interest, cash,
        )):  # fmt: skip
            out[key].append(value)
        cash_prev, ap_prev, ar_prev = cash, ap, ar
    rows.update(out)
    rows["opening"] = opening if horizon else {}
    return rows


def statements(s, rows):
    """The three statements of every month from the lines above, and the balance check's two sides."""
    h = len(rows["cash"])
    op = rows["opening"]
    equity_0 = float(s["cash"]) + op["receivables"] + op["credits"] - op["payables"]
    out = {k: [] for k in ("revenue", "cost_of_revenue", "gross_profit", "operating_costs", "ebitda", "ebit",
                           "ebt", "net_income", "operating", "investing", "financing", "closing_cash", "ppe",
                           "assets", "liabilities", "equity", "scale")}  # fmt: skip
    cash_prev, ap_prev, ar_prev = float(s["cash"]), op["payables"], op["receivables"]
    rounds = ni_sum = ni_abs = capex_sum = dep_sum = 0.0
    for t in range(h):
        rev = rows["revenue"][t]
        cor = rows["compute"][t] + rows["payroll_ops"][t]
        gp = rev - cor
        opx = (rows["ad_spend"][t] + rows["payroll_sm"][t] + rows["payroll_rd"][t] + rows["payroll_ga"][t]
               + rows["fixed_costs"][t] + rows["migration_one_off"][t])  # fmt: skip
        ebitda = gp - opx
        ebit = ebitda - rows["depreciation"][t] - rows["credits_lapsed"][t]
        ebt = ebit + rows["interest"][t]
        ni = ebt - rows["tax"][t]
        operating = (ni + rows["depreciation"][t] + rows["credits_lapsed"][t] + rows["credits_used"][t]
                     + (rows["payables"][t] - ap_prev) - (rows["receivables"][t] - ar_prev))  # fmt: skip
        investing = -rows["capex"][t]
        financing = rows["funding"][t]
        capex_sum += rows["capex"][t]
        dep_sum += rows["depreciation"][t]
        ppe = capex_sum - dep_sum
        assets = rows["cash"][t] + rows["receivables"][t] + rows["credit_balance"][t] + ppe
        liabilities = rows["payables"][t] + rows["deferred_revenue"][t]
        rounds += rows["funding"][t] + rows["credits_granted"][t]
        ni_sum += ni
        ni_abs += abs(ni)
        equity = equity_0 + rounds + ni_sum
        scale = max(1.0, abs(assets), abs(equity_0) + rounds + ni_abs)
        for key, value in zip(out, (rev, cor, gp, opx, ebitda, ebit, ebt, ni, operating, investing, financing,
                                    cash_prev + operating + investing + financing, ppe, assets, liabilities,
                                    equity, scale)):  # fmt: skip
            out[key].append(value)
        cash_prev, ap_prev, ar_prev = rows["cash"][t], rows["payables"][t], rows["receivables"][t]
    return out
