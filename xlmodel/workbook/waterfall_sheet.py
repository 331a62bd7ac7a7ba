"""The Waterfall sheet: a retention curve's cohorts, one row per acquisition month, one column per month.

docs/model.md, "Retention curves drive the users": with a curve, MAU is the users
of month 0 (decaying at ``churn``) plus every cohort's active users,
``activation_c * new_c * R(t - c + 1)``, with ``R`` the live curve on Inputs
(divided by its month 1 when that is below 1: a curve measured on sign-ups)
and the geometric tail ``R(k) q^(a - k)`` past its last month k. Every cell
is a live formula; the Projection's MAU row reads this sheet's total while
the live scenario has a curve, and the churn formula otherwise. Below the
cohorts' totals: the curve's late ratio, its LTV (the Unit economics' LTV
when the live scenario has a curve) and ``cohort_payback_month``, each the
twin of :mod:`xlmodel.retention`.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from ..dates import month_label
from . import styles as S
from .layout import WATERFALL_SHEET, column_of

#: the timeline rows a reader does not need on paper (the steps of the LTV and the payback)
WATERFALL_HELPERS = frozenset({"discounted_retention", "cumulative_contribution", "curve_paid_back"})
#: first row of the timeline (row 4: the headers)
FIRST_ROW = 5


def waterfall_rows(grid_top: int, grid_bottom: int) -> list:
    """The Waterfall's timeline rows: (key, label, unit, format, month 0, formula of c and p), like the
    Projection's (``c(key)``: this month's cell of a row, or of a linked Projection row)."""
    users, flag = S.FORMATS["users"], S.FORMATS["flag"]

    def share(c, p):  # R(a) at age a = this column's month: r_a / r_1 within the curve, R(k) q^(a-k) past it
        a = c("age")
        return (
            f"IF(has_curve,IF({a}<=curve_months,INDEX(retention,MIN({a},curve_months),1)/curve_first,"
            f"curve_last*curve_late_ratio^({a}-curve_months)),0)"
        )

    return [
        (
            "age",
            "Month (and a cohort's age in months, for the curve's rows)",
            "month",
            S.FORMATS["month"],
            0,
            lambda c, p: f"{p('age')}+1",
        ),
        (
            "retention_at_age",
            "Retention of an activated cohort at this age, R(a) (past the curve: R(k) q^(a-k))",
            "fraction of the cohort",
            "0.00%",
            None,
            share,
        ),
        (
            "discounted_retention",
            "R(a) discounted, R(a) / (1 + monthly discount rate)^a (for the LTV)",
            "fraction of the cohort",
            "0.00%",
            None,
            lambda c, p: f"{c('retention_at_age')}/(1+monthly_discount_rate)^{c('age')}",
        ),
        (
            "cumulative_contribution",
            "Contribution of an activated user up to this age (for the payback)",
            "currency per user",
            S.FORMATS["money"],
            0,
            lambda c, p: f"{p('cumulative_contribution')}+contribution_per_mau*{c('retention_at_age')}",
        ),
        (
            "curve_paid_back",
            "Paid back by this age, within the curve's months",
            "flag",
            flag,
            None,
            lambda c, p: (
                f"IF(ISNUMBER(cac_per_active),AND({c('age')}<=curve_months,"
                f"{c('cumulative_contribution')}>=cac_per_active),FALSE())"
            ),
        ),
        (
            "activated_users",
            "Activated sign-ups (sign-ups x activation, from the Projection)",
            "users",
            users,
            None,
            lambda c, p: f"{c('activation_path')}*{c('new_users')}",
        ),
        (
            "existing_users",
            "Users of month 0, decaying at churn",
            "users",
            users,
            "mau",
            lambda c, p: f"{p('existing_users')}*(1-{c('churn_path')})",
        ),
        (
            "cohort_users",
            "Active users of every cohort (the column's sum below)",
            "users",
            users,
            None,
            lambda c, p: f"SUM({column_of(c('age'))}{grid_top}:{column_of(c('age'))}{grid_bottom})",
        ),
        (
            "curve_mau",
            "MAU by the curve: month 0's users plus the cohorts' (the Projection's MAU with a curve)",
            "users",
            users,
            None,
            lambda c, p: f"{c('existing_users')}+{c('cohort_users')}",
        ),
    ]


#: the live curve's numbers and what it answers: (name, label, unit, format, formula)
CURVE_OUTPUTS = (
    (
        "curve_months",
        "Months of the live curve, k (0: the live scenario has no curve; its MAU follows churn)",
        "months",
        "0",
        "COUNT(retention)",
    ),
    (
        "has_curve",
        "The live scenario has a retention curve (the Projection's MAU is this sheet's)",
        "flag",
        S.FORMATS["flag"],
        "curve_months>0",
    ),
    (
        "curve_first",
        "Month 1 of the curve as given (below 1: measured on sign-ups, and the activation)",
        "fraction",
        "0.00%",
        'IF(has_curve,INDEX(retention,1,1),"n/a")',
    ),
    (
        "curve_last",
        "R(k): the curve's last month, of activated users (r_k / r_1)",
        "fraction",
        "0.00%",
        'IF(has_curve,INDEX(retention,curve_months,1)/curve_first,"n/a")',
    ),
    (
        "curve_late_months",
        "j: months back to the late ratio, MIN(late_ratio_months, k - 1)",
        "months",
        "0",
        'IF(has_curve,MIN(late_ratio_months,curve_months-1),"n/a")',
    ),
    (
        "curve_late_ratio",
        (
            "q: the late monthly retention ratio (R(k) / R(k-j))^(1/j); past k a cohort keeps q of "
            "its users a month"
        ),
        "ratio",
        "0.0000",
        (
            "IF(has_curve,(curve_last/(INDEX(retention,curve_months-curve_late_months,1)/curve_first))"
            '^(1/curve_late_months),"n/a")'
        ),
    ),
    (
        "curve_observed",
        "Discounted shares over the curve's months: sum of R(a) / (1+d)^a, a = 1..k",
        "months",
        "0.0000",
        'IF(has_curve,SUMIF(age_by_month,"<="&curve_months,discounted_retention_by_month),"n/a")',
    ),
    (
        "curve_tail",
        "Discounted shares past month k: R(k) q / ((1+d)^k (1+d-q))",
        "months",
        "0.0000",
        (
            "IF(has_curve,curve_last*curve_late_ratio/((1+monthly_discount_rate)^curve_months"
            '*(1+monthly_discount_rate-curve_late_ratio)),"n/a")'
        ),
    ),
    (
        "curve_ltv",
        (
            "LTV from the curve: revenue per MAU x gross margin x (observed + tail) (the Unit economics' "
            "LTV while the live scenario has a curve)"
        ),
        "currency per user",
        S.FORMATS["sig"],
        'IF(AND(has_curve,ISNUMBER(gross_margin)),revenue_per_mau*gross_margin*(curve_observed+curve_tail),"n/a")',
    ),
    (
        "curve_payback_sum",
        "Payback: contribution of an activated user over the curve's months, S(k)",
        "currency per user",
        S.FORMATS["money"],
        'IF(has_curve,INDEX(cumulative_contribution_by_month,1,curve_months),"n/a")',
    ),
    (
        "curve_payback_step",
        "Payback: contribution in month k + 1, m R(k) q (the tail's first term)",
        "currency per user",
        S.FORMATS["money"],
        'IF(AND(has_curve,contribution_per_mau>0),contribution_per_mau*curve_last*curve_late_ratio,"n/a")',
    ),
    (
        "curve_payback_y",
        "Payback past k: q^n must fall to y = 1 - (CAC - S(k)) (1 - q) / (m R(k) q)",
        "ratio",
        "0.0000",
        (
            "IF(AND(ISNUMBER(curve_payback_step),ISNUMBER(cac_per_active)),1-(cac_per_active-curve_payback_sum)"
            '*(1-curve_late_ratio)/curve_payback_step,"n/a")'
        ),
    ),
    (
        "curve_payback_guess",
        "Payback past k: n = MAX(1, ceiling(ln y / ln q)) (n/a when y <= 0: never)",
        "months",
        "0",
        (
            "IF(AND(ISNUMBER(curve_payback_y),curve_payback_y>0),MAX(-INT(-LN(curve_payback_y)/LN(curve_late_ratio)),"
            '1),"n/a")'
        ),
    ),
    (
        "curve_payback_past",
        "Payback past k: n, moved by one month where rounding put it on the wrong side",
        "months",
        "0",
        (
            "IF(ISNUMBER(curve_payback_guess),IF(AND(curve_payback_guess>1,curve_payback_sum+curve_payback_step"
            "*(1-curve_late_ratio^(curve_payback_guess-1))/(1-curve_late_ratio)>=cac_per_active),curve_payback_guess-1,"
            "IF(curve_payback_sum+curve_payback_step*(1-curve_late_ratio^curve_payback_guess)/(1-curve_late_ratio)"
            '<cac_per_active,curve_payback_guess+1,curve_payback_guess)),"n/a")'
        ),
    ),
    (
        "cohort_payback_month",
        (
            "Cohort payback month: the first month whose cumulative contribution of an activated "
            "user covers the CAC per active user (with the tail; not limited to the horizon)"
        ),
        "months",
        S.FORMATS["month"],
        (
            'IF(NOT(has_curve),"n/a",IF(NOT(ISNUMBER(cac_per_active)),"n/a",IF(contribution_per_mau<=0,"never",'
            "IF(cac_per_active=0,0,IF(COUNTIF(curve_paid_back_by_month,TRUE())>0,MATCH(TRUE(),curve_paid_back_by_month,0),"
            'IF(ISNUMBER(curve_payback_past),curve_months+curve_payback_past,"never"))))))'
        ),
    ),
)


class WaterfallSheet:
    """The Waterfall sheet of a retention curve's cohorts (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def waterfall_layout(self):
        """The Waterfall's rows, fixed before the Projection is written (its MAU row links to ``curve_mau``)."""
        n = self.n_months
        first_out = FIRST_ROW + 9 + 2  # the timeline's nine rows, a blank row, the section
        self.waterfall_outputs_at = first_out
        self.waterfall_grid_top = first_out + len(CURVE_OUTPUTS) + 2  # a blank row, the section
        rows = waterfall_rows(self.waterfall_grid_top, self.waterfall_grid_top + n - 1)
        self.waterfall_pos = {key: FIRST_ROW + i for i, (key, *_) in enumerate(rows)}
        self.timeline_links["curve_mau"] = (WATERFALL_SHEET, self.waterfall_pos["curve_mau"])

    def waterfall_sheet(self):
        ws = self.wb.create_sheet(WATERFALL_SHEET, index=self.wb.sheetnames.index("Projection") + 1)
        n = self.n_months
        top, bottom = self.waterfall_grid_top, self.waterfall_grid_top + n - 1
        self.title(
            ws,
            "Cohort waterfall",
            "Each cohort's active users by month: its activated sign-ups x R(age), "
            "R from the live retention curve on Inputs, geometric past its last "
            "month. With a curve, the Projection's MAU is the column's sum plus "
            "month 0's users; without one (all zeros here), the churn formula.",
            live=True,
        )
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws)
        self.timeline_links.update(
            {
                k: ("Projection", self.projection_rows_at[k])
                for k in ("new_users", "activation_path", "churn_path")
            }
        )
        pos = self.timeline(ws, n, waterfall_rows(top, bottom), FIRST_ROW, helpers=WATERFALL_HELPERS)
        assert pos == self.waterfall_pos
        out = self.waterfall_outputs_at
        self.section(ws, out - 1, "The live curve and what it answers", 4)
        for i, (name, label, unit, fmt, formula) in enumerate(CURVE_OUTPUTS):
            self.output_row(ws, out + i, name, label, unit, fmt, formula)
        self.section(
            ws,
            top - 1,
            "Cohorts: active users by month of sign-up (rows) and month (columns); column D "
            "holds the cohort's activated sign-ups",
            4 + n,
        )
        act, share = pos["activated_users"], pos["retention_at_age"]
        for c in range(1, n + 1):
            r = top + c - 1
            self.text(ws, f"A{r}", f"Cohort of {month_label(c, self.a.start)}")
            self.text(ws, f"C{r}", "users", S.UNIT_FONT)
            self.formula(ws, f"D{r}", f"={get_column_letter(4 + c)}{act}", S.FORMATS["users"])
            for t in range(c, n + 1):  # month t: the cohort is t - c + 1 months old
                age = get_column_letter(4 + t - c + 1)
                self.formula(
                    ws, f"{get_column_letter(4 + t)}{r}", f"=$D{r}*{age}${share}", S.FORMATS["users"]
                )
        last = get_column_letter(4 + n)
        self.define("cohort_waterfall", ws, f"E{top}:{last}{bottom}")
        self.swept(ws, f"D{top}:{last}{bottom}")
        ws.freeze_panes = "E5"
        ws.sheet_properties.outlinePr.summaryBelow = False
        self.print_timeline(ws, n)
