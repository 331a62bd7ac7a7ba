"""What a workbook's Projection (and its Changes, and the plan's Migration sheet) must show, by the engine.

The lines and answers come from the engine (:mod:`xlmodel.projection`'s month
step, :func:`xlmodel.plan.plan`), run on the workbook's own inputs: the live
scenario's inputs and its rows of changes and rounds. The helper rows (each
driver's path, the flags and steps behind the runway, the funding gap) are
the workbook's decomposition of those answers, recomputed here from the
engine's lines so that every formula cell has its expected value.
"""

from __future__ import annotations

import datetime
import math

import numpy as np

from .. import engine
from ..dates import annual_summary, excel_serial, fiscal_year_numbers, month_end
from ..month_step import Months
from ..params import CHANGE_DRIVERS
from ..period_economics import PERIOD_RATIOS, PERIOD_SUMS
from ..plan import plan
from ..projection import projection_inputs
from ..retention import _observed_and_tail, active_curve, cohort_waterfall
from .expected_company import company_expected, company_kw, with_grants
from .expected_stocks import stock_inputs, stocks_expected

__all__ = ["plan_expected", "decisions_from", "live_curve", "waterfall_expected"]

#: the scenario inputs the projection and the plan take (when the workbook has them)
PLAN_INPUTS = (
    "cash",
    "mau",
    "ad_spend",
    "cac",
    "churn",
    "conversion",
    "arppu",
    "fixed_costs",
    "paid_share",
    "ad_growth",
    "cost_decline",
    "organic_users",
    "organic_growth",
    "cac_elasticity",
    "paying_cost_per_mau",
    "activation",
    "store_fee",
    "vat",
    "interest_rate",
    "min_cash",
    "usage_growth",
    "fixed_cost_growth",
    "cac_spend",
    "raise_month",
    "migration_month",
    "routed_share",
    "large_price",
    "small_price",
    "migration_cost",
    "revenue_loss",
    "annual_discount_rate",
)


def decisions_from(values: dict, n: int) -> tuple[list, list]:
    """The live scenario's changes and rounds from the Changes sheet's live rows (an empty cell: no change)."""
    changes: dict[int, dict] = {}
    for driver in CHANGE_DRIVERS:
        row = values.get(f"change_{driver}_by_month")
        if row is None:
            continue
        for t, x in enumerate(row[:n], start=1):
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                changes.setdefault(t, {"month": t})[driver] = float(x)
    rounds = values.get("funding_rounds_by_month") or []
    funding = [
        {"month": t, "amount": float(x)}
        for t, x in enumerate(rounds[:n], start=1)
        if isinstance(x, (int, float)) and not isinstance(x, bool) and x != 0
    ]
    return list(changes.values()), funding


def plan_expected(s: dict, values: dict, cost_per_mau: float) -> tuple[dict, dict]:
    """Every row and answer of the Projection for the workbook's inputs ``s``, and magnitudes for tolerances."""
    n = len(values["month_by_month"])
    changes, funding = decisions_from(values, n)
    kw = {k: s[k] for k in PLAN_INPUTS if s.get(k) is not None}
    kw.update(stock_inputs(s))  # payers as their own stock: the live scenario gives them
    kw.update(cost_per_mau=cost_per_mau, horizon=n, changes=changes, funding=funding)
    company = "team_scenario" in values  # the whole company (version 4): its tables and inputs
    if company:
        kw.update(company_kw(values, _start(values)))
        kw["funding"] = with_grants(funding, kw.pop("grants"))
    curve = live_curve(values)
    if curve is not None:
        kw["retention"] = curve
    if kw.get("migration_month") is None:
        for k in ("routed_share", "large_price", "small_price", "migration_cost", "revenue_loss"):
            kw.pop(k, None)
    p = plan(**kw)
    exp = {f"{row}_by_month": getattr(p.projection, row) for row in engine.Projection.ROWS}
    exp.update(
        {
            k: (None if isinstance(v, float) and np.isnan(v) else v)  # n/a: a text in the cell
            for k, v in p.outputs.items()
            if k != "shortfall_before_raise"
        }
    )
    lines = _walk(kw)
    if "migration_month" in values and "cash_without_migration" not in lines:
        # the workbook has the migration's rows, the live scenario no migration month: without it is with it
        lines.update(
            cash_without_migration=p.projection.cash, net_burn_without_migration=p.projection.net_burn
        )
        exp.update(
            runway_months_without_migration=p.outputs["runway_months"],
            plan_migration_npv=None,
            plan_migration_payback_month=None,
        )
    exp.update(_helpers(s, kw, p, lines))
    if "free_users_by_month" in values:  # the Projection's rows of payers as their own stock
        exp.update(stocks_expected(kw, p.projection, lines))
    if company:
        flows = (p.projection.net_burn, p.projection.funding, *(p.projection.company or {}).values())
        money_v4 = abs(float(kw["cash"])) + sum(float(np.abs(np.asarray(x)).sum()) for x in flows)
        company_exp, company_scale = company_expected(values, kw, p, lines, money_v4, _crossing)
        exp.update(company_exp)
    exp.update(_calendar(values, n))
    exp.update(_dates(values, exp))
    if "annual_year" in values:
        exp.update(_annual(values, p.projection))
    if "cover_run_out_by_month" in values:  # the Cover chart's run-out bar: 1 in the month cash runs out
        runway = exp.get("runway_months")
        out = np.zeros(len(values["cover_run_out_by_month"]))
        if (
            isinstance(runway, (int, float))
            and math.isfinite(runway)
            and max(1, math.ceil(runway)) <= len(out)
        ):
            out[max(1, math.ceil(runway)) - 1] = 1.0
        exp["cover_run_out_by_month"] = out
    cash0 = float(kw["cash"])
    burn = p.projection.net_burn
    money = abs(cash0) + float(
        np.abs(burn).sum() + np.abs(p.projection.interest).sum() + np.abs(p.projection.funding).sum()
    )
    scale = {
        k: money
        for k in (
            "cash_by_month",
            "ending_cash",
            "lowest_cash",
            "funding_need",
            "funding_gap_by_month",
            "cash_without_funding_by_month",
            "cash_without_migration_by_month",
            "runway_denominator_by_month",
            "plan_migration_npv",
            "interest_by_month",
            "plan_migration_pv_by_month",
            "plan_migration_cum_by_month",
            "net_burn_without_migration_by_month",
        )
    }
    scale["net_burn_by_month"] = float(
        np.abs(
            np.stack(
                [
                    p.projection.ad_spend,
                    p.projection.compute,
                    p.projection.fixed_costs,
                    p.projection.revenue,
                    p.projection.migration_one_off,
                ]
            )
        ).max()
    )
    scale["organic_new_users_by_month"] = float(np.abs(p.projection.new_users).max())
    # the Annual sheet's differences (gross profit, deductions, EBITDA) are compared on the scale of the year's
    # flows they subtract: a gross profit of exactly 0 is 0 to rounding, not to 1e-9 of itself
    year_flows = sum(
        float(np.abs(getattr(p.projection, k)).sum())
        for k in ("gross_revenue", "revenue", "compute", "ad_spend", "fixed_costs", "migration_one_off")
    )
    for k in ("annual_gross_profit_by_year", "annual_deductions_by_year", "annual_ebitda_by_year"):
        scale[k] = year_flows
    # fractions of revenue, (r - c) / r: compared to 1e-9 of 100%; a contribution per MAU on the scale of
    # the revenue and compute per MAU it subtracts
    for k in (
        "annual_gross_margin_by_year",
        "annual_contribution_margin_by_year",
        "cover_gross_margin_by_year",
    ):
        scale[k] = 1.0
    per_mau = float(
        (np.abs(p.projection.revenue).sum() + np.abs(p.projection.compute).sum())
        / max(float(np.abs(p.projection.mau).sum()), 1e-300)
    )
    for k in ("annual_contribution_per_mau_by_year", "cover_contribution_per_mau_by_year"):
        scale[k] = per_mau
    scale["migration_one_off_by_month"] = scale["net_burn_by_month"]
    if company:
        scale.update(company_scale)
    scale["burn_multiple"] = (
        abs(float(burn[: min(12, n)].sum()))
        / max(1e-300, abs(float(p.projection.revenue[min(12, n) - 1])) * 12)
        if n
        else 0.0
    )
    return exp, scale


def _walk(kw: dict) -> dict:
    """Each month's lines as the engine's month step gives them, with each driver's path (one scenario)."""
    v, h, tl = projection_inputs(kw)
    months = Months(v, (), tl, variants=True)
    months.record = True
    rows: dict[str, list] = {}
    with np.errstate(all="ignore"):
        for k in range(h):
            row = months.step(k)
            for name, x in row.items():
                if name == "paths":
                    for d, value in x.items():
                        rows.setdefault(f"path_{d}", []).append(float(value))
                elif not callable(x) and not isinstance(x, (dict, tuple)):  # (the company's flags, opening)
                    rows.setdefault(name, []).append(float(np.asarray(x)))
    return {k: np.asarray(x) for k, x in rows.items()}


def _helpers(s: dict, kw: dict, p, lines: dict) -> dict:
    """The Projection's helper rows: the twins, in numpy, of the workbook's step-by-step formulas."""
    pr = p.projection
    n = len(pr.cash)
    t = np.arange(1, n + 1, dtype=float)
    cash0 = float(kw["cash"])
    out: dict = {}
    pow_ = lines["cost_pow"]  # the running power of factored cost paths (1 where the paths carry their own)
    cost = lines["path_cost_per_mau"] * pow_
    pc = lines["path_paying_cost_per_mau"] * pow_ if "path_paying_cost_per_mau" in lines else cost
    changed = np.array(
        [any(c["month"] <= m and "paying_cost_per_mau" in c for c in kw["changes"]) for m in t], dtype=bool
    )
    out["cac_path_by_month"] = lines["path_cac"]
    out["paid_share_path_by_month"] = lines["path_paid_share"]
    out["organic_path_by_month"] = (
        lines["path_organic_users"] if "path_organic_users" in lines else np.zeros(n)
    )
    out["activation_path_by_month"] = lines["path_activation"]
    out["churn_path_by_month"] = lines["path_churn"]
    out["conversion_path_by_month"] = lines["path_conversion"]
    out["arppu_path_by_month"] = lines["path_arppu"]
    out["cost_path_by_month"] = cost
    out["paying_cost_own_by_month"] = [bool(x) for x in changed | (s.get("paying_cost_per_mau") is not None)]
    out["paying_cost_path_by_month"] = pc
    out["blended_cost_by_month"] = cost + lines["path_conversion"] * (pc - cost)
    out["compute_without_migration_by_month"] = lines["compute_without_migration"]
    out["revenue_before_loss_by_month"] = lines["revenue_before_loss"]
    prev = np.concatenate([[cash0], pr.cash[:-1]])
    out.update(
        _crossing(
            "",
            cash0,
            pr.cash,
            prev,
            np.where((pr.interest == 0) & (pr.funding == 0), pr.net_burn, prev - pr.cash),
        )
    )
    out["runway_denominator_by_month"] = np.where(
        (pr.interest == 0) & (pr.funding == 0), pr.net_burn, prev - pr.cash
    )
    i = float(np.power(1 + kw.get("interest_rate", 0.0), 1 / 12) - 1)
    nf = lines.get("cash_without_funding", pr.cash)
    prev_nf = np.concatenate([[cash0], nf[:-1]])
    out["cash_without_funding_by_month"] = nf
    out.update(
        _crossing(
            "_without_funding", cash0, nf, prev_nf, np.where(prev_nf * i == 0, pr.net_burn, prev_nf - nf)
        )
    )
    if "cash_without_migration" in lines:
        w, bw = lines["cash_without_migration"], lines["net_burn_without_migration"]
        prev_w = np.concatenate([[cash0], w[:-1]])
        out["cash_without_migration_by_month"] = w
        out["net_burn_without_migration_by_month"] = bw
        out.update(
            _crossing(
                "_without_migration",
                cash0,
                w,
                prev_w,
                np.where((prev_w * i == 0) & (pr.funding == 0), bw, prev_w - w),
            )
        )
        d = float(engine.monthly_rate(kw.get("annual_discount_rate", 0.0)))
        pv = (bw - pr.net_burn) / (1 + d) ** t
        cum = np.cumsum(pv)
        mm = kw.get("migration_month")
        back = np.logical_or.accumulate((t >= (mm if mm is not None else np.inf)) & (cum >= 0))
        out["plan_migration_pv_by_month"] = pv
        out["plan_migration_cum_by_month"] = cum
        out["plan_migration_back_by_month"] = [bool(x) for x in back]
        first = back & ~np.concatenate([[False], back[:-1]])
        out["plan_migration_step_by_month"] = np.where(first, t, 0.0)
        # the Migration sheet's rows (from the Projection's)
        savings = lines["compute_without_migration"] - pr.compute
        loss = lines["revenue_before_loss"] - pr.revenue
        out.update(
            plan_migration_month_by_month=t,
            plan_migration_savings_by_month=savings,
            plan_migration_quality_loss_by_month=loss,
            plan_migration_one_off_by_month=pr.migration_one_off,
            plan_migration_net_by_month=savings - loss - pr.migration_one_off,
            plan_migration_discounted_by_month=pv,
            plan_migration_cumulative_by_month=cum,
        )
    min_cash = float(kw.get("min_cash", 0.0))
    out["short_by_month"] = [bool(x) for x in pr.cash < min_cash]
    f = p.outputs["funding_month"]
    with np.errstate(all="ignore"):
        gap = np.where(t >= f, (min_cash - pr.cash) / (1 + i) ** (t - (f if np.isfinite(f) else 0)), 0.0)
    out["funding_gap_by_month"] = gap
    out["loss_month_by_month"] = np.where(pr.net_burn - pr.migration_one_off > 0, t, 0.0)
    out["cac_spend_used"] = kw.get("cac_spend", kw["ad_spend"])
    out["compute_cost_growth"] = (1 + kw.get("usage_growth", 0.0)) * (1 - kw.get("cost_decline", 0.0))
    out["monthly_interest_rate"] = i
    out["first_year_months"] = float(min(12, n))
    out["revenue_month_0"] = (
        kw["mau"] * kw["conversion"] * kw["arppu"] / (1 + kw.get("vat", 0.0)) * (1 - kw.get("store_fee", 0.0))
    )
    y = int(min(12, n))  # the first year's helpers of the burn multiple and compute-to-revenue
    out["first_year_burn"] = float(pr.net_burn[:y].sum())
    out["first_year_revenue"] = float(pr.revenue[:y].sum())
    out["first_year_compute"] = float(pr.compute[:y].sum())
    out["first_year_revenue_growth"] = float(pr.revenue[y - 1]) - out["revenue_month_0"] if y else 0.0
    out["cash_movements"] = (
        abs(float(kw["cash"]))
        + float(np.abs(pr.net_burn).sum())
        + float(np.abs(pr.interest).sum())
        + float(pr.funding.sum())
    )
    if "cash_without_migration" in lines:
        out["migration_saving"] = (
            kw["routed_share"] * (1 - kw["small_price"] / kw["large_price"])
            if kw.get("migration_month") is not None
            else 0.0
        )
    return out


def _crossing(suffix: str, cash0: float, cash: np.ndarray, prev: np.ndarray, denominator: np.ndarray) -> dict:
    """The flag and step rows behind one runway: cash has gone below 0, and the runway in its first month."""
    neg = np.logical_or.accumulate(cash < 0)
    first = neg & ~np.concatenate([[False], neg[:-1]])
    with np.errstate(all="ignore"):
        step = np.where(first, np.arange(len(cash)) + prev / denominator, 0.0)
    return {f"cash_negative{suffix}_by_month": [bool(x) for x in neg], f"runway_step{suffix}_by_month": step}


def _start(values: dict) -> tuple[str | None, int]:
    """The workbook's calendar: ``(start, fiscal_year_start)`` from its plan_start date, or ``(None, 1)``."""
    start = values.get("plan_start")
    if not isinstance(start, (int, float)) or isinstance(start, bool):
        return None, 1
    first = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(start))
    return f"{first.year:04d}-{first.month:02d}", int(values.get("fiscal_year_start") or 1)


def _annual(values: dict, projection) -> dict:
    """The Annual sheet: the engine's annual summary, as its P&L lines (one value per year)."""
    start, fys = _start(values)
    years = annual_summary(projection, start, fys)
    col = lambda k: np.asarray([y[k] for y in years], dtype=float)
    out: dict = {
        f"annual_{k}_by_year": col(k)
        for k in (
            "new_users",
            "gross_revenue",
            "revenue",
            "compute",
            "ad_spend",
            "fixed_costs",
            "migration_one_off",
            "interest",
            "funding",
            "cash",
            "mau",
            "paying_users",
        )
    }
    out["annual_months_by_year"] = col("months")
    # the years' numbers (FY2025: 2025; without a calendar 1, 2, ...) and their headers ("FY2024*": partial)
    out["annual_year"] = [
        float(n) for n in sorted(set(fiscal_year_numbers(len(projection.cash), start, fys)))
    ]
    out["annual_year_label"] = [y["label"].split(" (")[0] + ("*" if y["partial"] else "") for y in years]
    out["annual_deductions_by_year"] = col("gross_revenue") - col("revenue")
    out["annual_gross_profit_by_year"] = col("revenue") - col("compute")
    out["annual_gross_margin_by_year"] = [
        None if r <= 0 else (r - c) / r for r, c in zip(col("revenue"), col("compute"))
    ]
    out["annual_ebitda_by_year"] = -col("net_burn")
    for key in (*(k for k, _ in PERIOD_SUMS), *PERIOD_RATIOS):  # the year's unit economics, n/a as None
        out[f"annual_{key}_by_year"] = [y[key] for y in years]
    for key in ("gross_margin", *PERIOD_RATIOS):  # the Cover's first two fiscal years
        if f"cover_{key}_by_year" in values:
            out[f"cover_{key}_by_year"] = list(out[f"annual_{key}_by_year"][:2])
    return out


def _dates(values: dict, exp: dict) -> dict:
    """The Cover's dates: the month-end of each dated answer's month (a runway: the month it runs out in)."""
    start, _ = _start(values)
    out = {}
    for key in values:
        name = key[: -len("_date")]
        if not key.endswith("_date") or name not in exp or not start:
            continue
        v = exp[name]
        number = (
            isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) and math.isfinite(float(v))
        )
        out[key] = excel_serial(month_end(max(1, math.ceil(float(v))), start)) if number else None
    return out


def _calendar(values: dict, n: int) -> dict:
    """The month-end dates of the headers and each month's (fiscal) year, from the workbook's own calendar."""
    out = {}
    start, fys = _start(values)
    if "month_end_by_month" in values and start:
        out["month_end_by_month"] = np.asarray([excel_serial(month_end(t, start)) for t in range(1, n + 1)])
    if "fiscal_year_by_month" in values:
        out["fiscal_year_by_month"] = np.asarray(fiscal_year_numbers(n, start, fys), dtype=float)
    return out


def live_curve(values: dict) -> list | None:
    """The live scenario's retention curve from the workbook's ``retention`` cells, as the engine reads it with the
    live ``activation`` cell: ``R = r / r_1`` when ``r_1 < 1`` (that cell then shows ``r_1``, the activation);
    None without a curve (or without the cells)."""
    cells = values.get("retention")
    if not isinstance(cells, list):
        return None
    r = [float(x) for x in cells if isinstance(x, (int, float)) and not isinstance(x, bool)]
    if not r:
        return None
    return [x / r[0] for x in r] if r[0] < 1 else r


def waterfall_expected(values: dict, exp: dict) -> dict:
    """The Waterfall sheet: each cohort's users by the engine (:func:`xlmodel.retention.cohort_waterfall`), the
    rows that sum them, the live curve's late ratio, LTV and payback steps (twins of :mod:`xlmodel.retention`).

    ``exp``: the unit economics and the Projection's lines already expected (the engine's, with the curve)."""
    n = len(values["month_by_month"])
    t = np.arange(1, n + 1, dtype=float)
    new, act_path = (
        np.asarray(exp["new_users_by_month"], float),
        np.asarray(exp["activation_path_by_month"], float),
    )
    activated = act_path * new  # the engine's activation_t * new_t
    keep = 1 - np.asarray(exp["churn_path_by_month"], dtype=float)
    existing = np.cumprod(np.concatenate([[float(values["mau"])], keep]))[1:]  # mau_0 x (1 - churn_1) x ...
    d = float(exp["monthly_discount_rate"])
    m, target = exp.get("contribution_per_mau"), exp.get("cac_per_active")
    out = {"age_by_month": t, "activated_users_by_month": activated, "existing_users_by_month": existing}
    curve = live_curve(values)
    upper = np.arange(n)[None, :] < np.arange(n)[:, None]  # months before a cohort's sign-up: empty cells
    if curve is None:
        zeros = np.zeros(n)
        out.update(
            retention_at_age_by_month=zeros,
            discounted_retention_by_month=zeros,
            cumulative_contribution_by_month=zeros,
            curve_paid_back_by_month=[False] * n,
            cohort_users_by_month=zeros,
            curve_mau_by_month=existing,
            curve_months=0.0,
            has_curve=False,
            cohort_waterfall=np.where(upper, np.nan, 0.0).ravel(),
            cohort_payback_month=None,
        )
        out.update(
            {
                name: None
                for name in (
                    "curve_first",
                    "curve_last",
                    "curve_late_months",
                    "curve_late_ratio",
                    "curve_observed",
                    "curve_tail",
                    "curve_ltv",
                    "curve_payback_sum",
                    "curve_payback_step",
                    "curve_payback_y",
                    "curve_payback_guess",
                    "curve_payback_past",
                )
            }
        )
        return out
    c = active_curve(curve)
    k = c.k
    share = c.at(t.astype(int))
    cum = np.cumsum(m * share)  # the running sum prev + m R(a), as the row adds it
    first = [x for x in values["retention"] if isinstance(x, (int, float)) and not isinstance(x, bool)][0]
    observed, tail = _observed_and_tail(c.r, c.q, np.asarray(d))
    mau = np.asarray(exp["mau_by_month"], dtype=float)
    grid = cohort_waterfall(activated, curve)
    out.update(
        retention_at_age_by_month=share,
        discounted_retention_by_month=share / (1 + d) ** t,
        cumulative_contribution_by_month=cum,
        curve_paid_back_by_month=[
            bool(target is not None and a <= k and x >= target) for a, x in zip(t, cum)
        ],
        cohort_users_by_month=mau - existing,
        curve_mau_by_month=mau,
        curve_months=float(k),
        has_curve=True,
        cohort_waterfall=np.where(upper, np.nan, grid).ravel(),
        curve_first=float(first),
        curve_last=float(c.r[-1]),
        curve_late_months=float(min(3, k - 1)),
        curve_late_ratio=float(c.q),
        curve_observed=float(observed),
        curve_tail=float(tail),
        curve_ltv=exp.get("ltv"),
    )
    # the payback past the curve's months: S(k) + m R(k) q (1 - q^n) / (1 - q) >= the CAC, solved for n
    q = float(c.q)
    s_k = float(cum[k - 1])
    step = m * float(c.r[-1]) * q if m is not None and m > 0 else None
    y = 1 - (target - s_k) * (1 - q) / step if step is not None and target is not None else None
    guess = max(-math.floor(-math.log(y) / math.log(q)), 1) if y is not None and y > 0 else None
    past = None
    if guess is not None:

        def total(x):
            return s_k + step * (1 - q**x) / (1 - q)

        past = (
            guess - 1
            if guess > 1 and total(guess - 1) >= target
            else (guess + 1 if total(guess) < target else guess)
        )
    out.update(
        curve_payback_sum=s_k,
        curve_payback_step=step,
        curve_payback_y=y,
        curve_payback_guess=None if guess is None else float(guess),
        curve_payback_past=None if past is None else float(past),
    )
    return out
