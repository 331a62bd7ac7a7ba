"""What a workbook must show: every named number, computed by the engine from the workbook's own inputs.

:func:`expected_values` is the one computation behind both the cached values
a workbook is saved with (:mod:`xlmodel.workbook.cached`) and the comparison
``xlmodel verify`` makes after recalculating it
(:mod:`xlmodel.workbook.verify`).
"""

from __future__ import annotations

import calendar
import datetime
import math

import numpy as np

from .. import engine
from ..actuals import ACTUALS_COLUMNS, FITTED, Actuals, cohort_churn, cohort_ltv, fit_actuals
from ..dates import fiscal_year_numbers, parse_month
from ..errors import XlmodelError
from ..outputs import HORIZON_NEVER
from ..prices import blend
from ..retention import average_curve
from ..simulate import simulate
from . import styles as S
from .actuals_sheet import FITTED_SUMS
from .cohorts_sheet import PLAN_CURRENT, PLAN_MAU, TAIL_MONTHS
from .cover_sheet import not_within
from .expected_plan import live_curve, plan_expected, waterfall_expected
from .expected_stocks import chain_expected, stock_inputs
from .layout import MIX_PRICES, NOT_GIVEN, OPTIONAL_INPUTS, TOKEN_INPUTS, WB_PARAMS
from .migration_sheet import grid_axes
from .risk_sheet import STATS, STILL, risk_values, simulation_inputs

__all__ = ["expected_values", "inputs_from", "risk_expected", "actuals_expected", "cohorts_expected"]


def _row(x) -> list:
    """A named row of numbers as a list (a one-cell range reads as a value)."""
    return [float(v) for v in (x if isinstance(x, list) else [x])]


def _num(x):
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x


def inputs_from(values: dict) -> dict:
    """The scenario the workbook holds: its named inputs, as engine arguments (None: not given)."""
    out = {
        k: _num(values[k])
        for k in WB_PARAMS
        if k in values and k != "horizon" and not isinstance(values[k], list)
    }
    for k in OPTIONAL_INPUTS:
        if out.get(k) == NOT_GIVEN:
            out[k] = None
    return out


def expected_values(values: dict) -> tuple[dict, dict]:
    """Engine values for the workbook's own inputs, and a magnitude per name for tolerances."""
    s = inputs_from(values)
    exp: dict = {}
    scale: dict = {}
    if "input_tokens" in s:
        cost = engine.cost_per_mau(*(s[k] for k in TOKEN_INPUTS)) + s.get("other_cost_per_mau", 0.0)
        exp["cost_per_mau"] = cost
        pc = s.get("paying_cost_per_mau")
        exp["cost_per_paying_mau"] = cost if pc is None else pc
        exp["blended_cost_per_mau"] = engine.blended_cost_per_mau(cost, pc, s["conversion"])
    if "annual_discount_rate" in s:
        exp["monthly_discount_rate"] = engine.monthly_rate(s["annual_discount_rate"])
    if "blended_cac" in values:
        ue = engine.summary_unit_economics(
            dict(
                cac=s["cac"],
                paid_share=s["paid_share"],
                churn=s["churn"],
                conversion=s["conversion"],
                arppu=s["arppu"],
                cost_per_mau=exp["cost_per_mau"],
                annual_discount_rate=s["annual_discount_rate"],
                ad_spend=s["ad_spend"],
                organic_users=s.get("organic_users"),
                paying_cost_per_mau=s.get("paying_cost_per_mau"),
                retention=live_curve(values),
                **stock_inputs(s),
                **{
                    k: s[k]
                    for k in ("activation", "vat", "store_fee", "cac_elasticity", "cac_spend")
                    if s.get(k) is not None
                },
            )
        )
        exp.update(ue)
        if "ltv_monthly_payer" in values:  # payers as their own stock: the chain's rows
            exp.update(chain_expected(s, exp["cost_per_mau"]))
        exp["arppu_net"] = s["arppu"] / (1 + s.get("vat", 0.0)) * (1 - s.get("store_fee", 0.0))
        exp["paid_cac_per_active"] = ue["paid_cac"] / s.get("activation", 1.0)
        gm = ue["gross_margin"]
        exp["margin_per_user"] = m = None if gm is None else ue["revenue_per_mau"] * gm
        # the payback's first step: CAC x churn / contribution per user (never when the contribution is not > 0)
        for cac, name in (("cac_per_active", "payback_ratio"), ("paid_cac_per_active", "payback_ratio_paid")):
            q = exp.get(cac, ue.get(cac))
            exp[name] = None if m is None or q is None else math.inf if m <= 0 else q * s["churn"] / m
        scale["contribution_per_mau"] = ue["revenue_per_mau"] + ue["cost_per_mau"]
        scale["margin_per_user"] = scale["contribution_per_mau"]
        scale["ltv"] = scale["contribution_per_mau"] / max(s["churn"] + exp["monthly_discount_rate"], 1e-300)
        scale["ltv_to_cac"] = scale["ltv"] / (
            ue["blended_cac"] or ue["paid_cac"]
        )  # 0 or n/a: no ratio to scale
        scale["ltv_to_paid_cac"] = scale["ltv"] / ue["paid_cac"]
    if "cash" in s:
        plan_exp, plan_scale = plan_expected(s, values, exp["cost_per_mau"])
        exp.update(plan_exp)
        scale.update(plan_scale)
        exp["horizon"] = float(len(values["month_by_month"]))
        if "curve_months" in values:  # the Waterfall sheet of a retention curve's cohorts
            exp.update(waterfall_expected(values, exp))
    if "mix_shares" in values:
        n_models = len(values["mix_models"])
        shares = np.asarray(values["mix_shares"], dtype=float).reshape(n_models, -1)
        fx = values["mix_fx"]
        exp["mix_total"] = shares.sum(axis=0)
        for key, (kind, _) in MIX_PRICES.items():
            usd = values[f"mix_{kind}_usd"]
            exp[f"mix_{key}"] = [
                None if not shares[:, j].sum() else blend(shares[:, j], usd, fx[j])
                for j in range(shares.shape[1])
            ]
    if "simulation_seed" in values:
        exp.update(risk_expected(values))
    if "retention_triangle" in values:
        exp.update(cohorts_expected(values))
    if "fit_window" in values:
        exp.update(actuals_expected(values, exp))
    if "monthly_tokens" in s:
        args = {k: s[k] for k in engine.MIGRATION_ARGS}
        args["months"] = int(args["months"])
        n = len(values["migration_month_by_month"])
        net = np.zeros(n)
        flows = engine.migration_cash_flows(
            *(
                args[k]
                for k in (
                    "monthly_tokens",
                    "large_price",
                    "small_price",
                    "months",
                    "routed_share",
                    "token_growth",
                    "price_decline",
                    "monthly_revenue",
                    "revenue_loss",
                )
            )
        )
        net[: min(n, flows.shape[-1])] = flows[:n]
        d = engine.monthly_rate(s["annual_discount_rate"])
        t = np.arange(1, n + 1)
        exp["migration_month_by_month"] = t.astype(float)
        exp["migration_net_by_month"] = net
        exp["migration_present_value_by_month"] = net / (1 + d) ** t
        exp["migration_cumulative_npv_by_month"] = -s["migration_cost"] + np.cumsum(net / (1 + d) ** t)
        exp["migration_npv"] = engine.migration_npv(**args)
        exp["migration_payback_month"] = engine.migration_payback_month(**args)
        mag = s["migration_cost"] + float(np.abs(net).sum()) + s["monthly_revenue"] * s["revenue_loss"] * n
        for k in (
            "migration_npv",
            "migration_cumulative_npv_by_month",
            "migration_net_by_month",
            "migration_present_value_by_month",
            "migration_npv_grid",
        ):
            scale[k] = mag
        # the grid's two sums: the priced volume and the revenue lost, discounted
        within = t <= args["months"]
        volume = np.where(
            within,
            s["monthly_tokens"]
            * (1 + s["token_growth"]) ** (t - 1)
            * (1 - s["price_decline"]) ** (t - 1)
            / 1e6,
            0.0,
        )
        factor = 1 / (1 + d) ** t
        loss = np.where(within, s["monthly_revenue"] * s["revenue_loss"], 0.0)
        exp["migration_priced_volume_by_month"] = volume
        exp["migration_discount_factor_by_month"] = factor
        exp["migration_volume_pv"] = float(np.sum(volume * factor))
        exp["migration_loss_pv"] = float(np.sum(loss * factor))
        if "migration_npv_grid" in values:
            share_steps, price_steps = (_row(values[k]) for k in ("grid_share_steps", "grid_price_steps"))
            shares, prices = grid_axes(
                s["routed_share"],
                s["small_price"],
                share_steps,
                price_steps,
                values["grid_share_step"],
                values["grid_price_step"],
            )
            exp["grid_routed_share"], exp["grid_small_price"] = np.asarray(shares), np.asarray(prices)
            grid = np.asarray(
                engine.migration_npv(
                    **dict(
                        args,
                        routed_share=np.asarray(shares)[:, None],
                        small_price=np.asarray(prices)[None, :],
                    )
                )
            )
            exp["migration_npv_grid"] = grid.ravel()
            exp["migration_npv_grid_base"] = (
                float(grid[share_steps.index(0), price_steps.index(0)])
                if 0 in share_steps and 0 in price_steps
                else None
            )
            big = s["monthly_tokens"] * max(s["large_price"], max(prices)) / 1e6 * n
            scale["migration_npv_grid"] = scale["migration_npv_grid_base"] = mag + big
    return exp, scale


def risk_expected(values: dict) -> dict:
    """The Risk sheet's numbers, re-simulated from the inputs, seed and draws the workbook stores."""
    scen, corr, draws, seed, horizon = simulation_inputs(values)
    try:
        sim = simulate(dict(scen, horizon=horizon), draws=draws, seed=seed, correlations=corr)
    except XlmodelError as e:
        raise XlmodelError(f"the Risk sheet's simulated inputs are not valid: {e}") from None
    na = lambda v: None if isinstance(v, float) and math.isnan(v) else v
    out = {k: [na(x) for x in v] if isinstance(v, list) else na(v) for k, v in risk_values(sim).items()}
    # a month not within the horizon reads "not within 36 months" on the sheet (risk_charts.simulated_cell)
    for name in HORIZON_NEVER:
        for key in (f"{name}_{k}" for k in (*STATS, "base")):
            if out.get(key) == math.inf:
                out[key] = not_within(horizon)
    if out["tornado_output"] in HORIZON_NEVER:
        for key in ("runway_tornado_at_low", "runway_tornado_at_high"):
            out[key] = [not_within(horizon) if x == math.inf else x for x in out[key] or ()]
    # the table of what was simulated: every comparison with the live Inputs holds, YES (else the numbers are stale)
    rows = len(values["simulated_input_names"]) if isinstance(values["simulated_input_names"], list) else 1
    for name in ("risk_still_on_inputs",) + tuple(f"risk_same_{k}" for k, _, _ in STILL):
        out[name] = [S.YES] * rows  # an input still as simulated
    # the scenario simulated is the first on Inputs: the table above compares with its column
    names = values["scenario_names"]
    out["simulation_scenario"] = names[0] if isinstance(names, list) else names
    return out


def actuals_expected(values: dict, exp: dict) -> dict:
    """The Actuals sheet: each month's drivers and the fitted ones by the engine's fit, and plan vs actual."""
    cols = {c: np.asarray(values[f"actual_{c}_by_month"], dtype=float) for c in ACTUALS_COLUMNS[1:]}
    n = len(cols["cash"])
    table = Actuals([f"m{t}" for t in range(n)], cols)
    f = fit_actuals(table, int(values["fit_window"]))
    out: dict = {}
    for k in (
        "cac",
        "paid_share",
        "churn",
        "conversion",
        "arppu",
        "cost_per_mau",
        "net_burn",
        "unexplained_cash",
    ):
        out[f"actual_{k}_by_month"] = [r[k] for r in f.drivers_by_month]
    out["actual_unexplained_share_by_month"] = [
        None
        if r["unexplained_cash"] is None or r["net_burn"] == 0
        else abs(r["unexplained_cash"]) / abs(r["net_burn"])
        for r in f.drivers_by_month
    ]
    for k in FITTED:
        out[f"fitted_{k}"] = f.fitted[k]
    # the sums over the window whose ratio each fitted driver is (the Actuals sheet shows them beside it)
    window = np.arange(n) >= n - int(values["fit_window"])
    prev = np.concatenate([[0.0], cols["mau"][:-1]])
    lost = np.concatenate([[0.0], cols["mau"][:-1] + cols["new_users"][1:] - cols["mau"][1:]])
    rows = dict(cols, lost_users=lost, previous_mau=prev)
    for k, (num, den) in FITTED_SUMS.items():
        out[f"fitted_{k}_numerator"] = float(rows[num][window].sum())
        out[f"fitted_{k}_denominator"] = float(rows[den][window].sum())
    if "plan_compared_by_month" in values:
        out.update(_plan_vs_actual(values, exp, cols))
    return out


def _plan_vs_actual(values: dict, exp: dict, cols: dict) -> dict:
    """Plan vs actual on the calendar: actual month YYYY-MM against the live projection's month with the same
    calendar month (month 1 is the workbook's plan_start), compared only while the plan scenario is live."""
    labels = (
        values["actual_months"] if isinstance(values["actual_months"], list) else [values["actual_months"]]
    )
    first = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(values["plan_start"]))
    horizon = len(exp["cash_by_month"])
    live = values["scenario"] == values["plan_scenario"]
    out: dict = {
        "actual_month_end_by_month": [],
        "actual_plan_month_by_month": [],
        "plan_compared_by_month": [],
    }
    for label in labels:
        year, month = parse_month(str(label), "actual month")
        days = calendar.monthrange(year, month)[1]
        out["actual_month_end_by_month"].append(
            float((datetime.date(year, month, days) - datetime.date(1899, 12, 30)).days)
        )
        t = (year - first.year) * 12 + month - first.month + 1
        out["actual_plan_month_by_month"].append(float(t) if 1 <= t <= horizon else None)
        out["plan_compared_by_month"].append(live and 1 <= t <= horizon)
    actual = dict(
        cols, net_burn=cols["ad_spend"] + cols["compute_cost"] + cols["fixed_costs"] - cols["revenue"]
    )
    for key, plan_key in (
        ("mau", "mau"),
        ("paying_users", "paying_users"),
        ("revenue", "revenue"),
        ("compute_cost", "compute"),
        ("net_burn", "net_burn"),
        ("cash", "cash"),
    ):
        line = np.asarray(exp[f"{plan_key}_by_month"], dtype=float)
        plan = [
            float(line[int(t) - 1]) if on else None
            for t, on in zip(out["actual_plan_month_by_month"], out["plan_compared_by_month"])
        ]
        var = [None if p is None else float(a) - p for a, p in zip(actual[key], plan)]
        out[f"plan_{key}_by_month"] = plan
        out[f"variance_{key}_by_month"] = var
        out[f"variance_pct_{key}_by_month"] = [
            None if v is None or p is None or p == 0 else v / abs(p) for v, p in zip(var, plan)
        ]
    out.update(_year_to_date(values, exp, out, actual))
    return out


def _year_to_date(values: dict, exp: dict, out: dict, actual: dict) -> dict:
    """The Plan vs actual sheet's fiscal year of each month compared, the flows' year to date and cumulative
    variance, and the summary at the latest month compared (the Cover's)."""
    years = exp.get("fiscal_year_by_month")
    if years is None:
        years = fiscal_year_numbers(len(exp["cash_by_month"]))
    on = out["plan_compared_by_month"]
    fy = [float(years[int(t) - 1]) if c else None for t, c in zip(out["actual_plan_month_by_month"], on)]
    res: dict = {"actual_fiscal_year_by_month": fy}
    res["actual_compared_number_by_month"] = [float(j + 1) if c else 0.0 for j, c in enumerate(on)]
    latest = int(max(res["actual_compared_number_by_month"], default=0))
    res["pva_latest"] = float(latest)
    res["pva_latest_month_end"] = out["actual_month_end_by_month"][latest - 1] if latest else None
    for key in ("revenue", "compute_cost", "net_burn"):
        plan, act = out[f"plan_{key}_by_month"], np.asarray(actual[key], dtype=float)
        ytd_plan, ytd_act, cum = [], [], []
        for j, c in enumerate(on):
            same = [i for i in range(j + 1) if on[i] and fy[i] == fy[j]]
            ytd_plan.append(float(sum(plan[i] for i in same)) if c else None)
            ytd_act.append(float(sum(act[i] for i in same)) if c else None)
            var = out[f"variance_{key}_by_month"]
            cum.append(float(sum(v for v in var[: j + 1] if v is not None)) if c else None)
        res[f"ytd_plan_{key}_by_month"], res[f"ytd_actual_{key}_by_month"] = ytd_plan, ytd_act
        res[f"ytd_variance_{key}_by_month"] = [
            None if p is None or a is None else a - p for a, p in zip(ytd_act, ytd_plan)
        ]
        res[f"cum_variance_{key}_by_month"] = cum
    rows = dict(out, **res)
    for key, when in (("revenue", "ytd"), ("net_burn", "ytd"), ("mau", "latest")):
        pre = "ytd_" if when == "ytd" else ""
        for kind in ("plan", "actual", "variance"):
            line = rows[f"{pre}{kind}_{key}_by_month"] if kind != "actual" or pre else list(actual[key])
            res[f"pva_{when}_{kind}_{key}"] = float(line[latest - 1]) if latest else None
        p, v = res[f"pva_{when}_plan_{key}"], res[f"pva_{when}_variance_{key}"]
        res[f"pva_{when}_variance_pct_{key}"] = None if p is None or p == 0 else v / abs(p)
    return res


def cohorts_expected(values: dict) -> dict:
    """Cohort churn and LTV of each row of the workbook's triangle and of its average curve (chained over the
    ages, weighted by ``cohort_size`` when the sheet has sizes), by the engine."""
    names = values["cohort_names"] if isinstance(values["cohort_names"], list) else [values["cohort_names"]]
    flat = values["retention_triangle"]
    k = len(flat) // len(names)
    curves = [
        [x for x in flat[i * k : (i + 1) * k] if isinstance(x, (int, float))] for i in range(len(names))
    ]
    # the chained average (docs/model.md), weighted by the sheet's sizes when it has them
    sizes = values.get("cohort_size")
    sizes = None if sizes is None else _row(sizes)
    avg = [float(x) for x in average_curve(curves, sizes)]
    arpu, gm, rate = (
        values.get("revenue_per_mau"),
        values.get("gross_margin"),
        values.get("annual_discount_rate"),
    )
    d = engine.monthly_rate(rate) if isinstance(rate, (int, float)) else 0.0
    months, churn, ltv = [], [], []
    helpers: dict = {"late_months": [], "last_share": [], "late_ratio": [], "discounted_shares": []}
    for c in curves + [avg]:
        months.append(float(len(c)))
        churn.append(cohort_churn(c) if len(c) > 1 else None)
        try:
            ltv.append(
                cohort_ltv(c, arpu, gm, rate)
                if isinstance(gm, (int, float)) and arpu is not None and rate is not None  # else n/a
                else None
            )
        except XlmodelError:
            ltv.append(None)  # one month, or no decay: n/a
        # the sheet's steps of those two: j, r_k, q = (r_k / r_(k-j))^(1/j), the discounted shares
        j = min(TAIL_MONTHS, len(c) - 1)
        helpers["late_months"].append(float(j) if j >= 1 else None)
        helpers["last_share"].append(c[-1] if j >= 1 else None)
        helpers["late_ratio"].append((c[-1] / c[-1 - j]) ** (1 / j) if j >= 1 else None)
        helpers["discounted_shares"].append(sum(x / (1 + d) ** (t + 1) for t, x in enumerate(c)))
    out = {
        "average_retention": np.asarray(avg),
        "cohort_months_by_cohort": months,
        "cohort_churn_by_cohort": churn,
        "cohort_ltv_by_cohort": ltv,
    }
    out.update({f"cohort_{key}_by_cohort": v for key, v in helpers.items()})
    # each cohort's shares against the average curve (n/a where the triangle has no share)
    out["cohort_retention_vs_average"] = [
        x / avg[i % k] if isinstance(x, (int, float)) else None for i, x in enumerate(flat)
    ]
    out["cohort_churn_observed"] = churn[-1]
    assumed = values.get("churn")
    out["cohort_churn_gap"] = (
        churn[-1] - assumed if churn[-1] is not None and isinstance(assumed, (int, float)) else None
    )
    if "cohort_average_as_generated" in values:
        out.update(_cohort_plan_expected(values))
    return out


def _cohort_plan_expected(values: dict) -> dict:
    """The plan's MAU with the assumed churn and with the curve, picked for the live scenario.

    The workbook does not hold the plan's inputs (cash, MAU, ad spend, ...), so its per-scenario MAU are the
    engine's values as generated and cannot be recomputed here: the live picks must equal the table's value at
    the live scenario, and ``cohort_plan_fresh`` must be TRUE (``cohort_plan_status`` current). So verify FAILS a
    workbook whose scenario inputs or retention triangle (or sizes) were edited after it was generated: its
    figures are stale until ``xlmodel new cohorts`` writes it again.
    """
    i = int(values.get("scenario_index", 1)) - 1
    out: dict = {"cohort_plan_fresh": True, "cohort_plan_status": PLAN_CURRENT}
    for key, _, _ in PLAN_MAU:
        row = values.get(f"cohort_mau_{key}_by_scenario")
        row = row if isinstance(row, list) else [row]
        if 0 <= i < len(row):
            x = row[i]
            out[f"cohort_mau_{key}"] = (
                float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None
            )
    return out
