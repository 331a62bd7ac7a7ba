"""The Scenarios sheet: every scenario's key figures side by side, on one page.

A spreadsheet computes only the live scenario, so the other columns hold the
engine's numbers for each scenario's inputs as generated: the same numbers
``xlmodel verify`` expects when that scenario is picked. Each scenario's
inputs and changes are compared, cell by cell, with a copy of those it was
computed from (below the printed area): rows 5-7 say, per scenario, whether
its figures are current, the column beside the figures whether the live
scenario's equal the live formulas, and row 3 (named ``scenarios_status``,
also on the Cover) says STALE in red once either fails. That is a status,
not part of the master check: the model's formulas still follow every input
live, and the master check says whether they are consistent.
"""

from __future__ import annotations

import math

import numpy as np
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.pagebreak import Break

from ..dates import excel_serial, month_end
from . import styles as S
from .cached import scenario_expected
from .changes_sheet import BLOCK_ITEMS, CHANGES_SHEET
from .cover_sheet import WITHIN_HORIZON, not_within, not_within_formula, wrap_not_within
from .layout import live_pick
from .layout import same_within_tolerance as _same
from .scenarios_board import annual_block, cash_chart, delta_rows

#: rows the cash chart of every scenario takes on the page
CHART_ROWS = 17

SCENARIOS_SHEET = "Scenarios"
#: (name, label, format kind); the rows shown, when the workbook has them
FIGURES = (
    ("runway_months", "Runway (months)", "months"),
    # honest horizons: cash lasts the horizon but still falls; the months it lasts at the last quarter's burn
    ("runway_after_horizon", "Runway at last quarter's burn", "months"),
    ("funding_need", "Funding need", "money"),
    ("funding_month", "Month of the raise", "month"),
    ("breakeven_month", "Break-even month", "month"),
    ("default_alive", "Default alive", "flag"),
    ("lowest_cash", "Lowest cash", "money"),
    ("ending_cash", "Cash at the end of the horizon", "money"),
    ("burn_multiple", "Burn multiple (first year)", "multiple"),
    ("compute_to_revenue", "Compute to revenue (first year)", "percent"),
    ("plan_migration_npv", "Migration NPV", "money"),
    ("ltv_to_cac", "LTV / blended CAC", "ratio"),
    ("ltv_to_paid_cac", "LTV / paid CAC", "ratio"),
    ("payback_months", "Payback on blended CAC (months)", "months"),
    ("blended_cac", "Blended CAC", "small"),
    ("ltv", "LTV", "sig"),
    ("revenue_per_mau", "Revenue per MAU", "small"),
    ("cost_per_mau", "Compute cost per MAU", "small"),
    ("gross_margin", "Gross margin", "percent"),
    ("migration_npv", "Migration NPV (standalone)", "money"),
)


class ScenariosSheet:
    """The Scenarios sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def scenarios_sheet(self):
        names = self.wb.defined_names
        figures = [f for f in FIGURES if f[0] in names]
        if not figures or (
            len(self.scenarios) < 2
            and "Sensitivity" not in self.wb.sheetnames
            and "cohort_plan_fresh" not in names
        ):
            return  # one scenario: nothing to compare, unless the Sensitivity or Cohorts sheet needs the inputs' copy
        ws = self.wb.create_sheet(SCENARIOS_SHEET, index=self.wb.sheetnames.index("Inputs"))
        k = len(self.scenarios)
        first, last = 5, 4 + k
        fl, ll = get_column_letter(first), get_column_letter(last)
        pick_col, agree_col = get_column_letter(last + 1), get_column_letter(last + 2)
        big = self.big_money()
        self.title(
            ws,
            "Scenarios side by side",
            "The engine's figures for each scenario's inputs as generated; Live: the formulas, for the "
            "scenario picked on Inputs. Row 3 says whether every scenario's inputs are still as generated.",
        )
        self.header(
            ws, 4, ["Figure", "Name", "Unit", "Live"] + [n for n, _ in self.scenarios] + ["Picked", "Agrees"]
        )
        expected = [scenario_expected(self, i)[1] for i in range(k)]
        dated = bool(self.a.start) and "plan_start" in names  # plan months shown as month-end dates
        current = 7  # rows 5-6: inputs and changes as generated; 7: both (the figures are current)
        row = current + 2
        for name, label, kind in figures:
            self.text(ws, f"A{row}", label)
            self.text(ws, f"B{row}", f"scenarios_{name}", S.NAME_FONT)
            unit = {
                "money": self.a.currency,  # in millions, the figure says so itself (9,074.4M): the unit once
                "months": "months",
                "month": "month end" if dated else "plan month",
                "date": "month end",
                "flag": "YES/NO",
                "ratio": "ratio",
                "multiple": "ratio",
                "percent": "share",
                "small": f"{self.a.currency} per user",
                "sig": f"{self.a.currency} per user",
            }[kind]
            self.text(ws, f"C{row}", unit, S.UNIT_FONT)
            fmt = S.FORMATS[
                "millions"
                if kind == "money" and big
                else "total"
                if kind == "money"
                else "money"
                if kind == "small"
                else "date"
                if kind == "month" and dated
                else kind
            ]
            live = f"{name}_native" if self.udf and f"{name}_native" in names else name
            beyond = f'"{not_within(self.n_months)}"' if name in WITHIN_HORIZON else '"-"'
            shown = (
                S.yes_no(live)  # one rule for a flag on every sheet: YES or NO
                if kind == "flag"
                else f"IF(ISNUMBER({live}),EOMONTH(plan_start,MAX(1,ROUNDUP({live},0))-1),"
                f'IF({live}="never",{beyond},"-"))'
                if kind == "month" and dated
                else f'IF(ISNUMBER({live}),{live},"-")'
                if name == "runway_after_horizon"
                else not_within_formula(live)
                if name in WITHIN_HORIZON
                else live
            )
            self.formula(ws, f"D{row}", f"={shown}", fmt, font=S.LINK_FONT, align=S.RIGHT)
            if name in WITHIN_HORIZON or name == "runway_after_horizon":
                on_date = kind == "month" and dated  # a date's cached result is set below; its text here
                self._cached_later(
                    ws,
                    f"D{row}",
                    lambda v, n=name, d=on_date: (
                        None if d and v.get(n) != "never" else _beyond(v.get(n), n, self.n_months)
                    ),
                )
            if (
                name == "runway_after_horizon"
            ):  # amber, as on the Cover: each number, and the label beside one
                amber = {"font": S.AMBER_FONT, "fill": S.AMBER_FILL}
                ws.conditional_formatting.add(
                    f"D{row}:{pick_col}{row}", FormulaRule(formula=[f"ISNUMBER(D{row})"], **amber)
                )
                ws.conditional_formatting.add(
                    f"A{row}:C{row}", FormulaRule(formula=[f"COUNT($D${row}:${pick_col}${row})>0"], **amber)
                )
            for i in range(k):
                value = _cell(expected[i].get(name))
                if name in WITHIN_HORIZON or name == "runway_after_horizon":
                    value = _beyond(value, name, self.n_months)
                if kind == "flag" and isinstance(value, bool):
                    value = S.YES if value else S.NO
                elif kind == "month" and dated and not (isinstance(value, str) and value.startswith("not ")):
                    value = _month_end(value, self.scenario_start(i))  # as plan_start when it is live
                    if i == 0:  # the live scenario as generated: the Live cell's cached result
                        cached = value if value == "-" else excel_serial(value)
                        self.extra_cached = {
                            **getattr(self, "extra_cached", {}),
                            (ws.title, f"D{row}"): cached,
                        }
                c = ws.cell(row=row, column=first + i, value=value)
                S.signal(ws, c.coordinate, name)
                self.styled(c, S.FORMULA_FONT, None, fmt, align=S.RIGHT)
            self.define(f"scenarios_{name}", ws, f"{fl}{row}:{ll}{row}")
            # the live scenario's column, and whether it equals the live formulas (unless its inputs were edited)
            self.formula(ws, f"{pick_col}{row}", f"={live_pick(fl, ll, row)}", fmt, align=S.RIGHT)
            p = f"{pick_col}{row}"
            self.formula(
                ws,
                f"{agree_col}{row}",
                f"=IFERROR(IF(ISNUMBER(D{row}),ABS({p}-D{row})<=check_tolerance"
                f"*MAX(1,ABS(D{row})),{p}=D{row}),FALSE())",
                align=S.CENTER,
            )
            row += 1
        agree = f"{agree_col}{current + 2}:{agree_col}{row - 1}"
        printed = row - 1
        figure_rows = list(range(current + 2, row))
        if k > 1:
            row = delta_rows(self, ws, row + 1, figure_rows, first, k)
            printed = row - 1
        chart_at = None
        if all("annual_revenue_by_year" in e for e in expected):  # a plan: its years and its cash
            ws.row_breaks.append(Break(id=row))  # the years and the chart on a page of their own
            row = annual_block(self, ws, row + 1, expected, big, first)
            chart_at, printed = row + 1, row + CHART_ROWS
        *copies, end = self._inputs_copy(ws, printed + 2, first)
        if chart_at:
            # right of the label columns (column A prints on every page); its data below the copy
            cash_chart(self, ws, f"{fl}{chart_at}", end + 2, expected, big)
        labels = ("Inputs as generated", "Changes and rounds as generated", "Figures current (both)")
        for j, label in enumerate(labels):
            r = current - 2 + j
            self.text(ws, f"A{r}", label, S.SECTION_FONT if j == 2 else None)
            for i in range(k):
                col = get_column_letter(first + i)
                if j < 2:
                    formula = "=" + copies[j][i] if copies[j] else "=TRUE()"
                else:
                    formula = f"=AND({col}{current - 2},{col}{current - 1})"
                self.formula(ws, f"{col}{r}", formula, align=S.RIGHT)
        self.define("scenarios_current", ws, f"{fl}{current}:{ll}{current}")
        # fresh: every scenario's inputs as generated, and the live scenario's column equal to the live formulas
        self.text(ws, f"{pick_col}3", "Fresh", S.SECTION_FONT)
        self.formula(
            ws,
            f"{agree_col}3",
            f"=AND(COUNTIF(scenarios_current,FALSE())=0,COUNTIF({agree},FALSE())=0)",
            align=S.CENTER,
        )
        self.define("scenarios_fresh", ws, f"{agree_col}3")
        self.formula(
            ws,
            "A3",
            '=IF(scenarios_fresh,"Figures current: every scenario\'s inputs are as generated",'
            '"STALE: an input was edited; generate the workbook again")',
            font=S.SECTION_FONT,
        )
        self.define("scenarios_status", ws, "A3")
        ws.conditional_formatting.add(
            "A3", FormulaRule(formula=['LEFT($A$3,5)="STALE"'], font=S.FAIL_FONT, fill=S.FAIL_FILL)
        )
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 26
        ws.column_dimensions["C"].width = 16
        for col in range(4, last + 3):
            ws.column_dimensions[get_column_letter(col)].width = 14
        wrap_not_within(ws, figure_rows, 4, last + 1, seen=(5, last))  # in every column of its row
        self.print_wide(ws, title_rows="4:4")  # at 75%, the figures' labels on every page
        ws.print_area = f"A1:{agree_col}{printed}"

    def _inputs_copy(self, ws, row: int, first: int) -> tuple[list, list, int]:
        """Each scenario's inputs (and its block of changes) as generated, below the printed area; returns per
        scenario the formulas that are TRUE while the Inputs and Changes sheets still hold them, and the row
        after the copy."""
        inputs = self.wb["Inputs"]
        rows = sorted(self.input_rows.values())
        top, bottom = rows[0], rows[-1]
        self.section(ws, row, "The inputs the figures were computed from (a copy; not printed)", 4)
        row += 1
        copy_top = row
        for r in range(top, bottom + 1):
            self.text(ws, f"A{row + r - top}", str(inputs[f"A{r}"].value or ""))
            for i, (_, s) in enumerate(self.scenarios):
                key = next((k for k, v in self.input_rows.items() if v == r), None)
                if key is None:
                    continue
                value = self.scenario_value(s, key)  # a link (a fitted driver, a mix price): its value
                ws.cell(row=row + r - top, column=first + i, value=None if value is None else float(value))
        row += bottom - top + 2
        changes = getattr(self, "change_block_rows", None)
        blocks = {}
        items = getattr(self, "block_items", BLOCK_ITEMS)  # the Changes sheet's block rows
        if changes:
            n = self.n_months
            for i, (_, s) in enumerate(self.scenarios):
                self.text(
                    ws, f"A{row}", f"Changes of scenario {self.scenarios[i][0]} (as on the Changes sheet)"
                )
                levels = self._levels(s)
                blocks[i] = row + 1
                for j, item in enumerate(items):
                    for t in range(1, n + 1):
                        v = levels.get((t, item))
                        if v is not None:
                            ws.cell(row=row + 1 + j, column=4 + t, value=v)
                row += len(items) + 2
        tables, row = self._tables_copy(ws, row)
        same_inputs, same_changes = [], []
        for i in range(len(self.scenarios)):
            col = get_column_letter(first + i)
            same = _same(
                f"Inputs!{col}{top}:{col}{bottom}", f"{col}{copy_top}:{col}{copy_top + bottom - top}"
            )
            same_inputs.append(f"AND({same},{','.join(tables)})" if tables else same)
            if changes:
                last = get_column_letter(4 + self.n_months)
                b = changes[(i, items[0])]
                live = f"{quote_sheetname(CHANGES_SHEET)}!E{b}:{last}{b + len(items) - 1}"
                kept = f"E{blocks[i]}:{last}{blocks[i] + len(items) - 1}"
                if any(isinstance(v, str) for v in self._levels(self.scenarios[i][1]).values()):
                    same_changes.append(f"SUMPRODUCT(--({live}<>{kept}))=0")  # relative levels: text, exact
                else:
                    same_changes.append(_same(live, kept))
        return same_inputs, same_changes, row

    def _tables_copy(self, ws, row: int) -> tuple[list[str], int]:
        """The Team and Capex and credits sheets' tables (every scenario's rows) as generated, from ``row``;
        returns the formulas that are TRUE while those sheets still hold them (each input cell exactly, a
        formula cell such as the opening credits' link to Inputs left out: Inputs is compared itself), and
        the row after the copy."""
        names = [n for n in TABLE_COLUMNS if n in self.wb.defined_names]
        if not names:
            return [], row
        self.text(ws, f"A{row}", "The Team and Capex and credits tables as generated (a copy; not printed)")
        row += 1
        same = []
        for j, name in enumerate(names):
            sheet, ref = next(iter(self.wb.defined_names[name].destinations))
            src = self.wb[sheet]
            cells = [c for line in src[ref.replace("$", "")] for c in line]
            col = get_column_letter(5 + j)
            self.text(ws, f"{col}{row}", name, S.NAME_FONT)
            runs: list[list] = []  # contiguous runs of input (not formula) cells
            for c in cells:
                if isinstance(c.value, str) and c.value.startswith("="):
                    runs.append([])
                    continue
                if not runs:
                    runs.append([])
                runs[-1].append(c)
            for run in (r for r in runs if r):
                top = row + 1 + run[0].row - cells[0].row
                for c in run:
                    ws[f"{col}{row + 1 + c.row - cells[0].row}"] = c.value
                live = f"{quote_sheetname(sheet)}!{run[0].coordinate}:{run[-1].coordinate}"
                same.append(f"SUMPRODUCT(--({live}<>{col}{top}:{col}{top + len(run) - 1}))=0")
        return same, row + 2 + max(
            len([c for line in self.wb[d[0]][d[1].replace("$", "")] for c in line])
            for d in (next(iter(self.wb.defined_names[n].destinations)) for n in names)
        )


#: the tables' input columns on the Team and Capex and credits sheets: an edit there makes the figures STALE
TABLE_COLUMNS = (
    "team_role",
    "team_department",
    "team_count",
    "team_salary",
    "team_from",
    "team_to",
    "capex_name",
    "capex_month",
    "capex_amount",
    "capex_life",
    "grant_month",
    "grant_amount",
    "grant_expires",
)


def _month_end(v, start: str):
    """A plan month as its month-end date (the month it falls in), as the Cover shows it; a dash if none."""
    if not isinstance(v, float):
        return "-"
    return month_end(max(1, math.ceil(v)), start)


def _beyond(v, name: str, horizon: int):
    """A month output as the sheet shows it: "not within 36 months" for a "never" of the horizon; the runway at
    the last quarter's burn a dash where cash does not still fall."""
    if name == "runway_after_horizon":
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else "-"
    return not_within(horizon) if v == "never" else v


def _cell(v):
    """An engine value as the cell holds it: never and n/a as text."""
    if v is None:
        return "n/a"
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    v = float(v)
    if math.isinf(v):
        return "never"
    if math.isnan(v):
        return "n/a"
    return v
