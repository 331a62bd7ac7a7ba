"""The Actuals sheet: monthly actuals, MODEL.md's drivers per month as formulas, the fitted drivers, plan vs actual.

``xlmodel new model --actuals FILE.csv``. The workbook gets a scenario
``actuals`` whose fitted inputs on the Inputs sheet are green links to the
fitted cells here; its other inputs are the first scenario's (the fitted
scenario holds spend and unit costs flat: ``ad_growth`` and ``cost_decline``
0, as ``xlmodel fit -o`` writes).
"""

from __future__ import annotations

import copy

import numpy as np
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..actuals import ACTUALS_COLUMNS, FITTED, Fit
from ..assumptions import TOKEN_KEYS, _complete
from ..errors import AssumptionsError
from . import styles as S
from .migration_sheet import money_ticks

ACTUALS_SHEET = "Actuals"
SCENARIO = "actuals"
#: Inputs row of each fitted key (a fitted cost per MAU is entered directly, not from tokens)
INPUT_ROW = {"cost_per_mau": "other_cost_per_mau"}
_LABELS = {
    "ad_spend": "Ad spend", "new_users": "New users", "paid_new_users": "New users bought with ads",
    "mau": "Monthly active users (MAU)", "paying_users": "Paying users", "revenue": "Revenue",
    "compute_cost": "Compute bill", "fixed_costs": "Fixed costs", "cash": "Cash at the end of the month",
}
#: each fitted driver that is a ratio of sums over the window: (numerator row, denominator row)
FITTED_SUMS = {"cac": ("ad_spend", "paid_new_users"), "paid_share": ("paid_new_users", "new_users"),
               "churn": ("lost_users", "previous_mau"), "conversion": ("paying_users", "mau"),
               "arppu": ("revenue", "paying_users"), "cost_per_mau": ("compute_cost", "mau")}
_UNITS = {"ad_spend": "currency", "new_users": "users", "paid_new_users": "users", "mau": "users",
          "paying_users": "users", "revenue": "currency", "compute_cost": "currency", "fixed_costs": "currency",
          "cash": "currency"}


def with_actuals_scenario(a, fit: Fit):
    """A copy of ``a`` with the scenario ``actuals``: the fitted drivers over the first scenario's other inputs."""
    if any(name.casefold() == SCENARIO for name in a.scenarios):
        raise AssumptionsError(a.source, f"already has a scenario named {SCENARIO!r}; the --actuals workbook adds "
                               "one with that name")
    missing = [k for k in FITTED if fit.fitted[k] is None]
    if missing:
        raise AssumptionsError(fit.source, f"{missing[0]} is n/a over the fitting window (its denominator is 0), "
                               "so the actuals scenario has no value for it; widen --window or fix the actuals")
    first = a.scenario()
    drop = set(TOKEN_KEYS) | {"cost_per_mau", "organic_users", "organic_growth", "paying_cost_per_mau"}
    raw = {k: v for k, v in first.items() if k not in drop and k != "horizon"}
    raw.update(fit.fitted, ad_growth=0.0, cost_decline=0.0)
    out = copy.copy(a)
    out.scenarios = dict(a.scenarios)
    out.scenarios[SCENARIO] = _complete(fit.source, SCENARIO, raw, a.horizon)
    out.mixes = dict(a.mixes)
    out.ranges = dict(a.ranges)
    return out


class ActualsSheet:
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
        for k in ("cac", "paid_share", "churn", "conversion", "arppu", "cost_per_mau", "net_burn",
                  "unexplained_cash", "unexplained_share", "lost_users", "previous_mau", "in_window"):
            rows[k] = r
            r += 1
        r += 1
        rows["fit_window"] = r + 1
        for i, k in enumerate(FITTED):
            rows[f"fitted_{k}"] = r + 2 + i
        self.actual_rows = rows
        self.fitted_cells = {k: f"'{ACTUALS_SHEET}'!$D${rows[f'fitted_{k}']}" for k in FITTED}
        if self.n_months < len(self.actuals.months):
            raise AssumptionsError(self.a.source, f"the timeline (--months {self.n_months}) is shorter than the "
                                   f"{len(self.actuals.months)} months of actuals compared with the plan")

    def actuals_sheet(self):
        ws = self.wb.create_sheet(ACTUALS_SHEET)
        t = self.actuals
        n = len(t.months)
        rows = self.actual_rows
        last = get_column_letter(4 + n)
        self.title(ws, "Actuals and the fitted drivers",
                   f"Monthly actuals from {self.actuals_source} (blue: data), each driver of docs/model.md per month, "
                   f"and the drivers fitted over the last fit_window months (scenario '{SCENARIO}' on Inputs).")
        self.header(ws, 4, ["Line item", "Name", "Unit", ""] + list(t.months))
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
                c = lambda k, col=col: f"{col}{rows[k]}"  # noqa: E731
                p = lambda k, prev=prev: f"{prev}{rows[k]}"  # noqa: E731
                f = first if (j == 0 and first is not None) else formula(c, p)
                self.formula(ws, f"{col}{r}", "=" + f, fmt, align=S.RIGHT)
            self.define(f"actual_{key}_by_month", ws, f"E{r}:{last}{r}")

        def ratio(num, den):
            return lambda c, p: f'IF({c(den)}=0,"n/a",{c(num)}/{c(den)})'

        pct = S.FORMATS["percent"]
        row("cac", "CAC: ad spend / new users bought with ads", "currency per user", S.FORMATS["money"],
            ratio("ad_spend", "paid_new_users"))
        row("paid_share", "Paid share: bought with ads / new users", "fraction", pct, ratio("paid_new_users", "new_users"))
        row("churn", "Churn: (MAU last month + new - MAU) / MAU last month", "monthly fraction", pct,
            lambda c, p: f'IF({p("mau")}=0,"n/a",({p("mau")}+{c("new_users")}-{c("mau")})/{p("mau")})', '"n/a"')
        row("conversion", "Conversion: paying users / MAU", "fraction of MAU", "0.00%", ratio("paying_users", "mau"))
        row("arppu", "ARPPU: revenue / paying users", "currency per paying user per month", S.FORMATS["money"],
            ratio("revenue", "paying_users"))
        row("cost_per_mau", "Compute cost per MAU: compute bill / MAU", "currency per MAU per month", "#,##0.0000",
            ratio("compute_cost", "mau"))
        row("net_burn", "Net burn: ad spend + compute + fixed costs - revenue", "currency", money,
            lambda c, p: f"{c('ad_spend')}+{c('compute_cost')}+{c('fixed_costs')}-{c('revenue')}")
        row("unexplained_cash", "Unexplained cash: last month's cash - net burn - cash (interest, timing, ...)",
            "currency", money, lambda c, p: f"{p('cash')}-{c('net_burn')}-{c('cash')}", '"n/a"')
        row("unexplained_share", "Unexplained cash as a share of net burn (review above 1%)", "fraction", pct,
            lambda c, p: f'IF({c("net_burn")}=0,"n/a",ABS({c("unexplained_cash")})/ABS({c("net_burn")}))', '"n/a"')
        row("lost_users", "Users lost (for the fitted churn; 0 in the first month)", "users", users,
            lambda c, p: f"{p('mau')}+{c('new_users')}-{c('mau')}", "0")
        row("previous_mau", "MAU last month (for the fitted churn; 0 in the first month)", "users", users,
            lambda c, p: p("mau"), "0")
        row("in_window", "In the fitting window (the last fit_window months)", "flag", "0",
            lambda c, p: f"IF({c('month')}>COUNT(actual_month_number)-fit_window,1,0)")
        # fitted drivers
        top = rows["fit_window"] - 1
        self.section(ws, top, "Fitted drivers: ratios of sums over the window; cash, MAU and ad spend of the last "
                              "month (the actuals scenario on Inputs links here)", 4 + n)
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
        self.add_check(f"Actuals: fit_window is a whole number from 1 to the {n} months of actuals",
                       "AND(ISNUMBER(fit_window),INT(fit_window)=fit_window,fit_window>=1,"
                       "fit_window<=COLUMNS(actual_month_number))")
        w = "actual_in_window_by_month"

        # a ratio of sums over the window: the two sums in E and F, their ratio in D
        fitted = {k: (f"SUMPRODUCT(actual_{num}_by_month,{w})", f"SUMPRODUCT(actual_{den}_by_month,{w})")
                  for k, (num, den) in FITTED_SUMS.items()}
        fitted.update(cash=f"{last}{rows['cash']}", mau=f"{last}{rows['mau']}", ad_spend=f"{last}{rows['ad_spend']}",
                      fixed_costs=f"SUMPRODUCT(actual_fixed_costs_by_month,{w})/SUM({w})")
        fmts = {"cash": money, "mau": users, "ad_spend": money, "cac": S.FORMATS["money"], "paid_share": pct,
                "churn": pct, "conversion": "0.00%", "arppu": S.FORMATS["money"], "cost_per_mau": "#,##0.0000",
                "fixed_costs": money}
        r = rows["fit_window"]
        for col, text in (("E", "Window sum: numerator"), ("F", "Window sum: denominator")):
            self.text(ws, f"{col}{r}", text, S.UNIT_FONT, align=S.WRAP)
        ws.row_dimensions[r].height = 30
        for k in FITTED:
            r = rows[f"fitted_{k}"]
            self.text(ws, f"A{r}", f"Fitted {k}" + (" (the ratio of the two sums)" if isinstance(fitted[k], tuple)
                                                    else ""))
            self.text(ws, f"B{r}", f"fitted_{k}", S.NAME_FONT)
            if isinstance(fitted[k], tuple):
                for col, part in (("E", "numerator"), ("F", "denominator")):
                    sum_fmt = money if part == "numerator" and k in ("cac", "arppu", "cost_per_mau") else users
                    self.formula(ws, f"{col}{r}", "=" + fitted[k][part == "denominator"], sum_fmt, align=S.RIGHT)
                    self.define(f"fitted_{k}_{part}", ws, f"{col}{r}")
                self.formula(ws, f"D{r}", f'=IF(F{r}=0,"n/a",E{r}/F{r})', fmts[k], align=S.RIGHT)
            else:
                self.formula(ws, f"D{r}", "=" + fitted[k], fmts[k], align=S.RIGHT)
            self.define(f"fitted_{k}", ws, f"D{r}")
        self.add_check("Actuals: paid new users never exceed new users, paying users never exceed MAU",
                       "AND(SUMPRODUCT(--(actual_paid_new_users_by_month>actual_new_users_by_month))=0,"
                       "SUMPRODUCT(--(actual_paying_users_by_month>actual_mau_by_month))=0)")
        self._plan_vs_actual(ws, rows[f"fitted_{FITTED[-1]}"] + 2, n, rows["fit_window"] - 1)
        ws.column_dimensions["A"].width = 62
        ws.column_dimensions["B"].width = 30
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 16
        for j in range(n):
            ws.column_dimensions[get_column_letter(5 + j)].width = 15
        ws.freeze_panes = "E5"
        self.print_setup(ws, title_rows="4:4", title_cols="A:D")

    def _plan_vs_actual(self, ws, top, n, chart_row):
        """The live scenario's plan, month i, against the i-th actual month; its chart beside the fitted drivers
        (``chart_row``), on the sheet's first page."""
        last = get_column_letter(4 + n)
        self.section(ws, top, "Plan vs actual: month i of the live scenario's projection against the i-th actual "
                              "month (select the scenario that was the plan)", 4 + n)
        r = top + 1
        money, users = S.FORMATS["total"], S.FORMATS["users"]
        lines = {}
        for key, label, fmt in (("cash", "Cash", money), ("revenue", "Revenue", money), ("mau", "MAU", users)):
            for kind, text in (("plan", f"{label}, plan"), ("actual", f"{label}, actual"),
                               ("variance", f"{label}, variance (actual - plan)"),
                               ("variance_pct", f"{label}, variance % of plan")):
                name = f"{kind}_{key}_by_month"
                self.text(ws, f"A{r}", text)
                self.text(ws, f"B{r}", name, S.NAME_FONT)
                for j in range(n):
                    col = get_column_letter(5 + j)
                    if kind == "plan":  # the plan's month of this column's month number (row 5): one formula
                        f = f"INDEX({key}_by_month,1,{col}$5)"
                    elif kind == "actual":
                        f = f"{col}{self.actual_rows[key]}"
                    elif kind == "variance":
                        f = f"{col}{lines['actual']}-{col}{lines['plan']}"
                    else:
                        f = f'IF({col}{lines["plan"]}=0,"n/a",{col}{lines["variance"]}/ABS({col}{lines["plan"]}))'
                    self.formula(ws, f"{col}{r}", "=" + f, S.FORMATS["percent"] if kind == "variance_pct" else fmt,
                                 font=S.LINK_FONT if kind in ("plan", "actual") else S.FORMULA_FONT, align=S.RIGHT)
                if kind != "actual":  # the actual row links the data rows above, which carry the name
                    self.define(name, ws, f"E{r}:{last}{r}")
                else:
                    self.text(ws, f"B{r}", f"(links actual_{key}_by_month)", S.NAME_FONT)
                lines[kind] = r
                r += 1
            if key == "cash":
                cash_rows = (lines["plan"], lines["actual"])
        ch = LineChart()
        ch.title = "Cash: actual vs plan"
        scale, ticks = money_ticks(float(np.abs(self.actuals.columns["cash"]).max()))
        ch.y_axis.title = self.a.currency + scale
        ch.y_axis.number_format = ticks
        ch.x_axis.title = "month"
        ch.height, ch.width = 6.5, 11.5
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        for rr, title in zip(cash_rows, ("plan (live scenario)", "actual")):
            s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=rr), title=title)
            s.smooth = False
            ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=5, max_col=4 + n, min_row=4))
        ws.add_chart(ch, f"G{chart_row}")  # right of the fitted drivers and of the title columns A:D
