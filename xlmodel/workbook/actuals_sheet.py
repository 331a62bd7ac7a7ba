"""The Actuals sheet: monthly actuals, docs/model.md's drivers per month as formulas, the fitted drivers, plan vs actual.

``xlmodel new model --actuals FILE.csv``. The workbook gets a scenario
``actuals`` whose fitted inputs on the Inputs sheet are green links to the
fitted cells here; its other inputs are the first scenario's (the fitted
scenario holds spend and unit costs flat: ``ad_growth`` and ``cost_decline``
0, as ``xlmodel fit -o`` writes).

Plan vs actual (its own sheet, :mod:`xlmodel.workbook.plan_actual_sheet`) is on the calendar: actual month YYYY-MM is compared with the
plan's month of the same calendar month (``[model] start`` is month 1). The
plan is ``--plan SCENARIO`` (default: the first scenario, when the file has a
``start``); it comes first on Inputs, so the workbook opens on it.
"""

from __future__ import annotations

import copy
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..actuals import ACTUALS_COLUMNS, FITTED, Fit, next_month
from ..assumptions import MIGRATION_OPTIONAL, STANDALONE_ONLY, TOKEN_KEYS, _complete
from ..dates import month_label, parse_month
from ..errors import AssumptionsError, XlmodelError
from ..fitted_toml import check_fitted
from . import styles as S
from .plan_actual_sheet import PlanActualSheet

ACTUALS_SHEET = "Actuals"
SCENARIO = "actuals"
#: Inputs row of each fitted key (a fitted cost per MAU is entered directly, not from tokens)
INPUT_ROW = {"cost_per_mau": "other_cost_per_mau"}
_LABELS = {
    "ad_spend": "Ad spend",
    "new_users": "New users",
    "paid_new_users": "New users bought with ads",
    "mau": "Monthly active users (MAU)",
    "paying_users": "Paying users",
    "revenue": "Revenue",
    "compute_cost": "Compute bill",
    "fixed_costs": "Fixed costs",
    "cash": "Cash at the end of the month",
}
#: each fitted driver that is a ratio of sums over the window: (numerator row, denominator row)
FITTED_SUMS = {
    "cac": ("ad_spend", "paid_new_users"),
    "paid_share": ("paid_new_users", "new_users"),
    "churn": ("lost_users", "previous_mau"),
    "conversion": ("paying_users", "mau"),
    "arppu": ("revenue", "paying_users"),
    "cost_per_mau": ("compute_cost", "mau"),
}
_UNITS = {
    "ad_spend": "currency",
    "new_users": "users",
    "paid_new_users": "users",
    "mau": "users",
    "paying_users": "users",
    "revenue": "currency",
    "compute_cost": "currency",
    "fixed_costs": "currency",
    "cash": "currency",
}


def plan_months(months: list[str], start: str | None, n: int) -> list[int | None]:
    """The plan month (1..n) with the calendar month of each actual month ``"YYYY-MM"``, or None where the plan
    has none: month t of the plan is ``start + (t-1)`` months; without a ``start`` no month matches."""
    if start is None:
        return [None] * len(months)
    y0, m0 = parse_month(start, "start")
    out = []
    for label in months:
        y, m = parse_month(label)
        t = (y - y0) * 12 + m - m0 + 1
        out.append(t if 1 <= t <= n else None)
    return out


def choose_plan(a, plan: str | None = None) -> str:
    """The scenario the actuals are compared with: ``plan`` (a scenario of ``a``), else the first scenario."""
    if plan is None:
        return a.scenario_names[0]
    if plan not in a.scenarios:
        raise AssumptionsError(
            a.source,
            f"no scenario named {plan!r} to compare the actuals with (have {', '.join(a.scenario_names)})",
            key="plan",
        )
    return plan


def plan_note(months: list[str], a, plan: str, n: int) -> str | None:
    """One line on what plan vs actual compares, when it is not every actual month (None: every one is)."""
    span = lambda ms: f"{ms[0]} to {ms[-1]}" if len(ms) > 1 else ms[0]
    if a.start is None:
        return (
            f"no plan vs actual: {Path(a.source).name} has no [model] start, so no month of plan {plan!r} has "
            f'a calendar month to match the actuals\' ({span(months)}); give [model] start = "YYYY-MM" (month 1)'
        )
    t = plan_months(months, a.start, n)
    common = [m for m, k in zip(months, t) if k is not None]
    plan_span = f"plan {plan!r} ({month_label(1, a.start)} to {month_label(n, a.start)})"
    if not common:
        return f"no plan vs actual: no month of the actuals ({span(months)}) is a month of {plan_span}"
    if len(common) < len(months):
        return (
            f"plan vs actual: {len(common)} of the {len(months)} actual months ({span(common)}) are months of "
            f"{plan_span}; the others show n/a"
        )
    return None


def with_actuals_scenario(a, fit: Fit, plan: str | None = None):
    """A copy of ``a`` with the scenario ``actuals``: the fitted drivers over the first scenario's other inputs;
    the scenario ``plan``, when given, comes first (the live scenario the workbook opens on)."""
    if any(name.casefold() == SCENARIO for name in a.scenarios):
        raise AssumptionsError(
            a.source,
            f"already has a scenario named {SCENARIO!r}; the --actuals workbook adds one with that name",
        )
    try:
        check_fitted(fit)  # what fit -o refuses (an n/a driver, a churn below 0), the workbook refuses too
    except XlmodelError as e:
        raise AssumptionsError(fit.source, str(e).removeprefix(f"{fit.source}: ")) from None
    first = a.scenario()
    drop = set(TOKEN_KEYS) | {"cost_per_mau", "organic_users", "organic_growth", "paying_cost_per_mau"}
    if (
        "monthly_tokens" not in first
    ):  # no migration NPV of its own: the defaults its inputs got were not given
        drop |= set(STANDALONE_ONLY) | (set() if "migration_month" in first else set(MIGRATION_OPTIONAL))
    raw = {k: v for k, v in first.items() if k not in drop and k != "horizon"}
    raw.update(fit.fitted, ad_growth=0.0, cost_decline=0.0)
    _same_calendar_months(raw, a, fit)
    out = copy.copy(a)
    order = ([plan] if plan is not None else []) + [name for name in a.scenarios if name != plan]
    out.scenarios = {name: a.scenarios[name] for name in order}
    out.scenarios[SCENARIO] = _complete(fit.source, SCENARIO, raw, a.horizon)
    out.mixes = dict(a.mixes)
    out.ranges = dict(a.ranges)
    return out


#: inputs that are a plan month (month 1 is the plan's start): the re-forecast keeps their calendar month
PLAN_MONTH_KEYS = ("migration_month", "raise_month", "credits_expire")


def _same_calendar_months(raw: dict, a, fit: Fit) -> None:
    """The re-forecast starts the month after the last actual, not at the plan's start: each plan-month input
    moves so that it falls in the same calendar month (within the horizon; one already past is month 1)."""
    if not a.start:
        return
    y0, m0 = parse_month(a.start, "start")
    y1, m1 = parse_month(next_month(fit.months[-1]), "start")
    shift = (y0 - y1) * 12 + (m0 - m1)
    for key in PLAN_MONTH_KEYS:
        if isinstance(raw.get(key), (int, float)) and not isinstance(raw[key], bool):
            raw[key] = type(raw[key])(min(max(1, raw[key] + shift), a.horizon))


class ActualsSheet(PlanActualSheet):
    """The Actuals sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def actuals_link(self, scenario: str, key: str) -> str | None:
        """The formula linking an Inputs cell of the actuals scenario to its fitted driver, if it has one."""
        if self.actuals is None or scenario != SCENARIO:
            return None
        for k in FITTED:
            if INPUT_ROW.get(k, k) == key:
                return "=" + self.fitted_cells[k]
        return None

    def actuals_layout(self):
        """Row numbers, fixed before the Inputs sheet links to the fitted cells."""
        rows = {"month": 5}
        r = 6
        for c in ACTUALS_COLUMNS[1:]:
            rows[c] = r
            r += 1
        r += 1  # a blank line
        for k in (
            "cac",
            "paid_share",
            "churn",
            "conversion",
            "arppu",
            "cost_per_mau",
            "net_burn",
            "unexplained_cash",
            "unexplained_share",
            "lost_users",
            "previous_mau",
            "in_window",
        ):
            rows[k] = r
            r += 1
        r += 1
        rows["fit_window"] = r + 1
        for i, k in enumerate(FITTED):
            rows[f"fitted_{k}"] = r + 2 + i
        self.actual_rows = rows
        self.fitted_cells = {k: f"'{ACTUALS_SHEET}'!$D${rows[f'fitted_{k}']}" for k in FITTED}
        if self.n_months < len(self.actuals.months):
            raise AssumptionsError(
                self.a.source,
                f"the timeline (--months {self.n_months}) is shorter than the "
                f"{len(self.actuals.months)} months of actuals compared with the plan",
            )

    def actuals_sheet(self):
        ws = self.wb.create_sheet(ACTUALS_SHEET)
        t = self.actuals
        n = len(t.months)
        rows = self.actual_rows
        last = get_column_letter(4 + n)
        self.title(
            ws,
            "Actuals and the fitted drivers",
            f"Monthly actuals from {self.actuals_source} (blue: data), each driver of docs/model.md per month, "
            f"and the drivers fitted over the last fit_window months (scenario '{SCENARIO}' on Inputs).",
        )
        self.header(ws, 4, ["Line item", "Name", "Unit", ""] + list(t.months))
        self.define("actual_months", ws, f"E4:{last}4")  # the calendar months, matched with the plan's
        for col in range(5, 5 + n):  # the months' headers sit right, over their numbers
            ws.cell(row=4, column=col).alignment = S.RIGHT
        self.text(ws, "A5", "Month number")
        self.text(ws, "B5", "actual_month_number", S.NAME_FONT)
        for j in range(n):
            self.styled(ws.cell(row=5, column=5 + j, value=j + 1), S.FORMULA_FONT, None, "0", align=S.RIGHT)
        self.define("actual_month_number", ws, f"E5:{last}5")
        money, users = S.FORMATS["total"], S.FORMATS["users"]
        for c in ACTUALS_COLUMNS[1:]:
            r = rows[c]
            self.text(ws, f"A{r}", _LABELS[c])
            self.text(ws, f"B{r}", f"actual_{c}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(_UNITS[c]), S.UNIT_FONT)
            for j, v in enumerate(t.columns[c].tolist()):
                cell = ws.cell(row=r, column=5 + j, value=v)
                self.styled(cell, S.INPUT_FONT, S.INPUT_FILL, money if _UNITS[c] == "currency" else users)
            self.define(f"actual_{c}_by_month", ws, f"E{r}:{last}{r}")

        def row(key, label, unit, fmt, formula, first=None):
            r = rows[key]
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", f"actual_{key}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            for j in range(n):
                col, prev = get_column_letter(5 + j), get_column_letter(4 + j)
                c = lambda k, col=col: f"{col}{rows[k]}"
                p = lambda k, prev=prev: f"{prev}{rows[k]}"
                f = first if (j == 0 and first is not None) else formula(c, p)
                self.formula(ws, f"{col}{r}", "=" + f, fmt, align=S.RIGHT)
            self.define(f"actual_{key}_by_month", ws, f"E{r}:{last}{r}")

        def ratio(num, den):
            return lambda c, p: f'IF({c(den)}=0,"n/a",{c(num)}/{c(den)})'

        pct = S.FORMATS["percent"]
        row(
            "cac",
            "CAC: ad spend / new users bought with ads",
            "currency per user",
            S.FORMATS["money"],
            ratio("ad_spend", "paid_new_users"),
        )
        row(
            "paid_share",
            "Paid share: bought with ads / new users",
            "fraction",
            pct,
            ratio("paid_new_users", "new_users"),
        )
        row(
            "churn",
            "Churn: (MAU last month + new - MAU) / MAU last month",
            "monthly fraction",
            pct,
            lambda c, p: f'IF({p("mau")}=0,"n/a",({p("mau")}+{c("new_users")}-{c("mau")})/{p("mau")})',
            '"n/a"',
        )
        row(
            "conversion",
            "Conversion: paying users / MAU",
            "fraction of MAU",
            "0.00%",
            ratio("paying_users", "mau"),
        )
        row(
            "arppu",
            "ARPPU: revenue / paying users",
            "currency per paying user per month",
            S.FORMATS["money"],
            ratio("revenue", "paying_users"),
        )
        row(
            "cost_per_mau",
            "Compute cost per MAU: compute bill / MAU",
            "currency per MAU per month",
            "#,##0.0000",
            ratio("compute_cost", "mau"),
        )
        row(
            "net_burn",
            "Net burn: ad spend + compute + fixed costs - revenue",
            "currency",
            money,
            lambda c, p: f"{c('ad_spend')}+{c('compute_cost')}+{c('fixed_costs')}-{c('revenue')}",
        )
        row(
            "unexplained_cash",
            "Unexplained cash: last month's cash - net burn - cash (interest, timing, ...)",
            "currency",
            money,
            lambda c, p: f"{p('cash')}-{c('net_burn')}-{c('cash')}",
            '"n/a"',
        )
        row(
            "unexplained_share",
            "Unexplained cash as a share of net burn (review above 1%)",
            "fraction",
            pct,
            lambda c, p: f'IF({c("net_burn")}=0,"n/a",ABS({c("unexplained_cash")})/ABS({c("net_burn")}))',
            '"n/a"',
        )
        row(
            "lost_users",
            "Users lost (for the fitted churn; 0 in the first month)",
            "users",
            users,
            lambda c, p: f"{p('mau')}+{c('new_users')}-{c('mau')}",
            "0",
        )
        row(
            "previous_mau",
            "MAU last month (for the fitted churn; 0 in the first month)",
            "users",
            users,
            lambda c, p: p("mau"),
            "0",
        )
        row(
            "in_window",
            "In the fitting window (the last fit_window months)",
            "flag",
            "0",
            lambda c, p: f"IF({c('month')}>COUNT(actual_month_number)-fit_window,1,0)",
        )
        # fitted drivers
        top = rows["fit_window"] - 1
        self.section(
            ws,
            top,
            "Fitted drivers: ratios of sums over the window; cash, MAU and ad spend of the last "
            "month (the actuals scenario on Inputs links here)",
            4 + n,
        )
        r = rows["fit_window"]
        self.text(ws, f"A{r}", "Months in the fitting window")
        self.text(ws, f"B{r}", "fit_window", S.NAME_FONT)
        self.text(ws, f"C{r}", "months", S.UNIT_FONT)
        c = ws.cell(row=r, column=4, value=len(self.fit.window))
        self.styled(c, S.INPUT_FONT, S.INPUT_FILL, "0")
        self.define("fit_window", ws, f"D{r}")
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2=str(n))
        dv.error = f"fit_window must be a whole number of months from 1 to {n}."
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"D{r}")
        self.add_check(
            f"Actuals: fit_window is a whole number from 1 to the {n} months of actuals",
            "AND(ISNUMBER(fit_window),INT(fit_window)=fit_window,fit_window>=1,"
            "fit_window<=COLUMNS(actual_month_number))",
        )
        w = "actual_in_window_by_month"

        # a ratio of sums over the window: the two sums in E and F, their ratio in D
        fitted = {
            k: (f"SUMPRODUCT(actual_{num}_by_month,{w})", f"SUMPRODUCT(actual_{den}_by_month,{w})")
            for k, (num, den) in FITTED_SUMS.items()
        }
        fitted.update(
            cash=f"{last}{rows['cash']}",
            mau=f"{last}{rows['mau']}",
            ad_spend=f"{last}{rows['ad_spend']}",
            fixed_costs=f"SUMPRODUCT(actual_fixed_costs_by_month,{w})/SUM({w})",
        )
        fmts = {
            "cash": money,
            "mau": users,
            "ad_spend": money,
            "cac": S.FORMATS["money"],
            "paid_share": pct,
            "churn": pct,
            "conversion": "0.00%",
            "arppu": S.FORMATS["money"],
            "cost_per_mau": "#,##0.0000",
            "fixed_costs": money,
        }
        r = rows["fit_window"]
        for col, text in (("E", "Window sum: numerator"), ("F", "Window sum: denominator")):
            self.text(ws, f"{col}{r}", text, S.UNIT_FONT, align=S.WRAP)
        ws.row_dimensions[r].height = 30
        for k in FITTED:
            r = rows[f"fitted_{k}"]
            self.text(
                ws,
                f"A{r}",
                f"Fitted {k}" + (" (the ratio of the two sums)" if isinstance(fitted[k], tuple) else ""),
            )
            self.text(ws, f"B{r}", f"fitted_{k}", S.NAME_FONT)
            if isinstance(fitted[k], tuple):
                for col, part in (("E", "numerator"), ("F", "denominator")):
                    sum_fmt = (
                        money if part == "numerator" and k in ("cac", "arppu", "cost_per_mau") else users
                    )
                    self.formula(
                        ws, f"{col}{r}", "=" + fitted[k][part == "denominator"], sum_fmt, align=S.RIGHT
                    )
                    self.define(f"fitted_{k}_{part}", ws, f"{col}{r}")
                self.formula(ws, f"D{r}", f'=IF(F{r}=0,"n/a",E{r}/F{r})', fmts[k], align=S.RIGHT)
            else:
                self.formula(ws, f"D{r}", "=" + fitted[k], fmts[k], align=S.RIGHT)
            self.define(f"fitted_{k}", ws, f"D{r}")
        self.add_check(
            "Actuals: paid new users never exceed new users, paying users never exceed MAU",
            "AND(SUMPRODUCT(--(actual_paid_new_users_by_month>actual_new_users_by_month))=0,"
            "SUMPRODUCT(--(actual_paying_users_by_month>actual_mau_by_month))=0)",
        )
        ws.column_dimensions["A"].width = 62
        ws.column_dimensions["B"].width = 30
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 16
        for j in range(n):
            ws.column_dimensions[get_column_letter(5 + j)].width = 15
        ws.freeze_panes = "E5"
        self.print_setup(ws, title_rows="4:4", title_cols="A:D")
        months = self.actuals.months
        self.plan_actual_sheet(
            None
            if any(plan_months(months, self.a.start, self.n_months))
            else plan_note(months, self.a, self.plan, self.n_months)
        )
