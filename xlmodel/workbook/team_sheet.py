"""The Team sheet of a plan of the whole company (docs/model.md, "The team"): each scenario's team table, and the
live scenario's payroll by role and department and its headcount, month by month.

The table holds one row per (scenario, role): its scenario column links to the scenario's name on Inputs (row 7),
so that a row belongs to a scenario by name and the rows may come in any order. Below it, a month timeline (the
Projection's columns: E is month 1) gives each row's pay in the live scenario (0 in the others), the payroll of
each department (``payroll_rd_by_month`` ... ``payroll_ops_by_month``), the total ``payroll_by_month`` the
Projection adds to its net burn, and ``headcount_by_month``.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..assumptions import Assumptions
from ..company import DEPARTMENTS
from . import styles as S
from .layout import column_of

TEAM_SHEET = "Team"
#: a table header over a number column: wrapped, on the right like the numbers
#: the team table's columns: (header, defined name of the column, entry key)
TEAM_COLUMNS = (
    ("Role", "team_role", "role"),
    ("", None, None),
    ("Department", "team_department", "department"),
    ("Count", "team_count", "count"),
    ("Salary a head a month", "team_salary", "salary"),
    ("From", "team_from", "from"),
    ("To", "team_to", "to"),
    ("Scenario", "team_scenario", None),
    ("First month", "team_first", None),
    ("Last month", "team_last", None),
    ("Valid", None, None),
)
#: each department's label on the sheet
DEPARTMENT_LABELS = {
    "rd": "Payroll: research and development",
    "sm": "Payroll: sales and marketing",
    "ga": "Payroll: general and administrative",
    "ops": "Payroll: operations (a cost of revenue)",
}


def company_refusal(template: str, a: Assumptions, actuals, what: str = "") -> str | None:
    """Why a template cannot carry a plan of the whole company (version 4), or None when it does; ``what``: the
    version-4 part refused when it is not the company's own inputs (payers as their own stock, which carry the
    statements too)."""
    if template not in ("model", "runway"):
        if what:
            return (
                f"the {template} template does not carry {what}, annual plans or deferred revenue (model "
                "version 4): the model and runway templates do, or use xlmodel calc"
            )
        return (
            f"the {template} template does not carry the team, capex, credits, terms or tax (model version 4): "
            "the model and runway templates do, or use xlmodel calc"
        )
    if a.has_plan_migration():
        return (
            f"a workbook does not carry a migration_month with {what or 'the whole company'} (model version 4) "
            "yet: use xlmodel calc"
        )
    if actuals is not None:
        return (
            f"a workbook does not carry actuals with {what or 'the whole company'} (model version 4) yet: use "
            "xlmodel calc"
        )
    return None


class TeamSheet:
    """The Team sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def scenario_link(self, i: int) -> str:
        """A formula giving scenario ``i``'s name as on Inputs (row 7): a table row belongs to it by name."""
        return f"={quote_sheetname('Inputs')}!${self.scenario_col(i)}$7"

    def entry_table(self, ws, top: int, columns, entries: list, fill) -> tuple[int, int]:
        """A table of dated entries, one row per (scenario, entry), from row ``top`` (its header); returns its
        first and last row (one empty row when no scenario has an entry). ``fill(ws, r, i, e)`` writes a row."""
        self.header(ws, top, [h for h, *_ in columns])
        for col in range(3, len(columns) + 1):  # long headers over narrow columns wrap
            ws.cell(row=top, column=col).alignment = S.WRAP_RIGHT_TOP
        ws.row_dimensions[top].height = 28
        first = top + 1
        rows = entries or [(None, None)]
        for k, (i, e) in enumerate(rows):
            r = first + k
            if i is None:
                for col in range(3, 9):
                    self.styled(ws.cell(row=r, column=col), S.INPUT_FONT, S.INPUT_FILL)
                continue
            fill(ws, r, i, e)
            if isinstance(i, int):  # (a row of the live scenario's own, such as its opening credits, says so)
                self.formula(ws, f"H{r}", self.scenario_link(i), font=S.LINK_FONT)
        last = first + len(rows) - 1
        # each row's scenario by name, for the engine's values ("": the live scenario's own row; None: empty)
        table = next(name for _, name, _ in columns if name and name.endswith("_scenario"))[
            : -len("_scenario")
        ]
        if not hasattr(self, "table_scenarios"):
            self.table_scenarios = {}
        self.table_scenarios[table] = [
            None if i is None else self.scenarios[i][0] if isinstance(i, int) else "" for i, _ in rows
        ]
        for col, (_, name, _) in enumerate(columns, start=1):
            if name:
                letter = get_column_letter(col)
                self.define(name, ws, f"{letter}{first}:{letter}{last}")
        return first, last

    def team_sheet(self):
        ws = self.wb.create_sheet(TEAM_SHEET)
        n = self.n_months
        self.title(
            ws,
            "Team: headcount and payroll",
            "One row per role of each scenario (its scenario by name, as on Inputs): count, salary a head a month "
            "at month 1's pay, and the months paid (empty: month 1, the horizon). Pay = count x salary x "
            "(1 + on_cost) x (1 + salary_growth) per fiscal year started after month 1. Below: the live "
            "scenario's payroll by month.",
            live=True,
        )
        entries = [(i, e) for i, (_, s) in enumerate(self.scenarios) for e in s.get("team") or ()]

        def fill(ws, r, i, e):
            self.text(ws, f"A{r}", e["role"], S.INPUT_FONT, S.INPUT_FILL)
            self.text(ws, f"C{r}", e["department"], S.INPUT_FONT, S.INPUT_FILL)
            for col, key, fmt in (("D", "count", "#,##0.##"), ("E", "salary", S.FORMATS["total"]),
                                  ("F", "from", "0"), ("G", "to", "0")):  # fmt: skip
                c = ws[f"{col}{r}"]
                c.value = None if e.get(key) is None else float(e[key])
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)

        top = 5
        first, last = self.entry_table(ws, top, TEAM_COLUMNS, entries, fill)
        col = lambda letter: f"${letter}${first}:${letter}${last}"
        # the live months of a row: from (before month 1: month 1) to (empty: the horizon)
        for r in range(first, last + 1):
            self.formula(ws, f"I{r}", f"=IF(ISNUMBER(F{r}),MAX(1,F{r}),1)", "0")
            self.formula(ws, f"J{r}", f"=IF(ISNUMBER(G{r}),G{r},horizon)", "0")
        dv = DataValidation(type="list", formula1='"' + ",".join(DEPARTMENTS) + '"', allow_blank=True)
        dv.error, dv.showErrorMessage = "A department is rd, sm, ga or ops.", True
        ws.add_data_validation(dv)
        dv.add(f"C{first}:C{last}")
        # the timeline
        head = last + 2
        self.header(ws, head, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws, head)
        month = lambda c: c("team_month")
        timeline: list = [
            ("team_month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('team_month')}+1"),
            (
                "salary_raises",
                "Raises so far (fiscal years started after month 1)",
                "raises",
                "0",
                None,
                lambda c, p: (
                    f"IF({month(c)}=1,0,{p('salary_raises')}+IF(INDEX(fiscal_year_by_month,1,{month(c)})"
                    f"<>INDEX(fiscal_year_by_month,1,{month(c)}-1),1,0))"
                ),
            ),
        ]
        for k in range(first, last + 1):
            timeline.append(
                (
                    f"team_row_{k - first + 1}",
                    f"=A{k}",
                    "currency",
                    S.FORMATS["total"],
                    None,
                    lambda c, p, k=k: (
                        f"IF(AND($H${k}=scenario,{month(c)}>=$I${k},{month(c)}<=$J${k}),$D${k}*$E${k}"
                        f"*(1+on_cost)*(1+salary_growth)^{c('salary_raises')},0)"
                    ),
                )
            )
        pay_first = head + 1 + 2
        pay_last = pay_first + (last - first)
        dept_first = pay_last + 1
        for j, d in enumerate(DEPARTMENTS):
            timeline.append(
                (
                    f"payroll_{d}",
                    DEPARTMENT_LABELS[d],
                    "currency",
                    S.FORMATS["total"],
                    None,
                    lambda c, p, j=j: (
                        f"SUMIF({col('C')},$D${dept_first + j},{column_of(c('team_month'))}${pay_first}:"
                        f"{column_of(c('team_month'))}${pay_last})"
                    ),
                )
            )
        timeline += [
            (
                "payroll",
                "Payroll, all departments (with on_cost)",
                "currency",
                S.FORMATS["total"],
                None,
                lambda c, p: "+".join(c(f"payroll_{d}") for d in DEPARTMENTS),
            ),
            (
                "headcount",
                "Headcount (heads paid this month)",
                "heads",
                "#,##0.#",
                None,
                lambda c, p: (
                    f'SUMIFS({col("D")},{col("H")},scenario,{col("I")},"<="&{month(c)},{col("J")},">="'
                    f"&{month(c)})"
                ),
            ),
        ]
        pos = self.timeline(ws, n, timeline, head + 1, helpers=frozenset({"salary_raises"}))
        for k in range(first, last + 1):  # each row's label follows its role (a link, never a typed copy)
            r = pos[f"team_row_{k - first + 1}"]
            self.formula(ws, f"A{r}", f'=IF(ISBLANK(A{k}),"",A{k})', font=S.LABEL_FONT)
            ws[f"B{r}"].value = None
        for d in DEPARTMENTS:  # the department each payroll row sums (the SUMIF's criterion, as text)
            self.text(ws, f"D{pos[f'payroll_{d}']}", d, S.UNIT_FONT, align=S.RIGHT)
        codes = f"$D${dept_first}:$D${dept_first + len(DEPARTMENTS) - 1}"
        for r in range(first, last + 1):
            self.formula(
                ws,
                f"K{r}",
                f'=IF(H{r}="",TRUE(),AND(COUNTIF({codes},C{r})=1,ISNUMBER(D{r}),D{r}>=0,ISNUMBER(E{r}),'
                f"E{r}>=0,I{r}<=J{r}))",
                align=S.CENTER,
            )
        valid = f"{quote_sheetname(TEAM_SHEET)}!K{first}:K{last}"
        self.add_check(
            "Team table: every row's department is rd, sm, ga or ops, its count and salary are 0 or more, "
            "and it is paid from a month no later than its last (column K)",
            f"COUNTIF({valid},FALSE())=0",
        )
        self.team_rows = (first, last)
        for key in ("payroll", "headcount") + tuple(f"payroll_{d}" for d in DEPARTMENTS):
            self.timeline_links[key] = (TEAM_SHEET, pos[key])
        ws.freeze_panes = f"E{head + 1}"
        ws.sheet_properties.outlinePr.summaryBelow = False
        self.in_millions(ws)
        self.print_timeline(ws, n, title_rows=f"{head}:{head}")
        for letter in "EFGHIJK":  # the table's columns under the months: wide enough for their headers
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 11)
        ws.column_dimensions["A"].width = 36
