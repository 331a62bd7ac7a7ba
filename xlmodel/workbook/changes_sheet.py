"""The Changes sheet: each scenario's changes over time and funding rounds, on the month timeline.

One block per scenario: a row per driver that can change (a level typed in a
month's column holds from that month on, empty cells change nothing) and a
row of funding rounds (money raised at the end of the month). The same
column is the same month as on the Projection sheet (column E is month 1).
Below the blocks, the live scenario's rows (``change_<driver>_by_month``,
``funding_rounds_by_month``) pick the block of the scenario chosen on Inputs,
and the Projection reads only those.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..params import CHANGE_DRIVERS, PARAMS, RULES
from . import styles as S
from .layout import _fmt_for, bound

CHANGES_SHEET = "Changes"
#: the rows of a scenario's block, after its title row: each driver, then the funding rounds
BLOCK_ITEMS = tuple(CHANGE_DRIVERS) + ("funding",)


def countif_rule(name: str, cells: str) -> str:
    """TRUE when every number in ``cells`` keeps ``name``'s rule and the row holds nothing but numbers (COUNTIF,
    one formula for a whole row; an empty cell passes)."""
    r = RULES[PARAMS[name].rule] if name in PARAMS else RULES["nonneg"]
    parts = [f"COUNTA({cells})=COUNT({cells})"]
    if r.lo is not None:
        parts.append(f'COUNTIF({cells},"{"<" if r.lo_incl else "<="}"&{bound(r.lo)})=0')
    if r.hi is not None:
        parts.append(f'COUNTIF({cells},"{">" if r.hi_incl else ">="}"&{bound(r.hi)})=0')
    return "AND(" + ",".join(parts) + ")"


class ChangesSheet:
    """The Changes sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def changes_sheet(self):
        ws = self.wb.create_sheet(CHANGES_SHEET)
        n = self.n_months
        self.title(
            ws,
            "Changes over time and funding rounds",
            "A level typed in a month's column holds from that month on (each driver then grows at its own "
            "rate, as on Inputs); an empty cell changes nothing. Funding rounds add cash at the end of their "
            "month. One block per scenario; the Projection reads the live scenario's block.",
            live=True,
        )
        self.header(ws, 4, ["Driver", "Name", "Unit", "Valid"] + self.month_headers())
        self.date_headers(ws)
        last = get_column_letter(4 + n)
        stride = 1 + len(BLOCK_ITEMS)
        first_row = 5
        self.change_block_rows = {}  # (scenario index, driver or "funding") -> row
        for i, (sname, s) in enumerate(self.scenarios):
            top = first_row + i * stride
            self.section(ws, top, f"Scenario {sname}", 4 + n)
            levels = self._levels(s)
            for j, item in enumerate(BLOCK_ITEMS):
                r = top + 1 + j
                self.change_block_rows[(i, item)] = r
                p = PARAMS.get(item)
                label = (
                    f"From this month: {p.doc}" if p else "Funding rounds: money raised at the month's end"
                )
                self.text(ws, f"A{r}", label[:1].upper() + label[1:])
                self.text(ws, f"B{r}", item, S.NAME_FONT)
                self.text(ws, f"C{r}", self.unit(p.unit if p else "currency"), S.UNIT_FONT)
                fmt = _fmt_for(p) if p else S.FORMATS["total"]
                for t in range(1, n + 1):
                    c = ws.cell(row=r, column=4 + t, value=levels.get((t, item)))
                    self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
                cells = f"E{r}:{last}{r}"
                dv = DataValidation(type="custom", formula1=f"ISNUMBER(E{r})", allow_blank=True)
                dv.errorTitle = "Not a number"
                dv.error = f"A level of {item} is a number (leave the cell empty for no change)."[:225]
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(cells)
                ref = f"{quote_sheetname(CHANGES_SHEET)}!{cells}"
                # column D: does the row keep its rule (one short formula a row; the check counts them)
                self.formula(
                    ws,
                    f"D{r}",
                    "=" + countif_rule("amount" if item == "funding" else item, cells),
                    align=S.CENTER,
                )
                if item == "organic_users":
                    col = self.scenario_col(i)
                    organic = f"{quote_sheetname('Inputs')}!{col}{self.input_rows['organic_users']}"
                    self.add_check(
                        f"Changes of scenario {sname}: organic_users changes only where the scenario "
                        "gives organic_users",
                        f"OR(NOT(ISBLANK({organic})),COUNT({ref})=0)",
                    )
                if item == "paid_share" and "organic_users" in self.input_rows:
                    col = self.scenario_col(i)
                    organic = f"{quote_sheetname('Inputs')}!{col}{self.input_rows['organic_users']}"
                    self.add_check(
                        f"Changes of scenario {sname}: paid_share stays 1 where the scenario gives "
                        "organic_users",
                        f'OR(ISBLANK({organic}),COUNTIF({ref},"<1")=0)',
                    )
            valid = f"{quote_sheetname(CHANGES_SHEET)}!D{top + 1}:D{top + len(BLOCK_ITEMS)}"
            self.add_check(
                f"Changes of scenario {sname}: every level keeps its driver's rule (as on Inputs) and "
                "every round is 0 or more (column D of its block)",
                f"COUNTIF({valid},TRUE())=ROWS({valid})",
            )
            self._cac_spend_check(i, sname, f"{quote_sheetname(CHANGES_SHEET)}!E{top + 1}:{last}{top + 1}")
        live = first_row + len(self.scenarios) * stride + 1
        self.section(ws, live, "Live scenario (picked on Inputs): what the Projection reads", 4 + n)
        self.timeline_links = {}
        span_first, span_last = first_row, first_row + len(self.scenarios) * stride - 1
        for j, item in enumerate(BLOCK_ITEMS):
            r = live + 1 + j
            name = "funding_rounds" if item == "funding" else f"change_{item}"
            self.text(ws, f"A{r}", "Funding rounds" if item == "funding" else f"Change of {item}")
            self.text(ws, f"B{r}", f"{name}_by_month", S.NAME_FONT)
            p = PARAMS.get(item)
            self.text(ws, f"C{r}", self.unit(p.unit if p else "currency"), S.UNIT_FONT)
            fmt = _fmt_for(p) if p else S.FORMATS["total"]
            for t in range(1, n + 1):
                col = get_column_letter(4 + t)
                # the block's height and the row's place in it, counted from the layout (no typed numbers)
                pick = (
                    f"INDEX({col}${span_first}:{col}${span_last},(scenario_index-1)*ROWS($A${first_row}:"
                    f"$A${first_row + stride - 1})+ROWS($A${first_row}:$A${first_row + j + 1}),1)"
                )
                formula = (
                    f"=IF(ISNUMBER({pick}),{pick},0)"
                    if item == "funding"
                    else f'=IF(ISNUMBER({pick}),{pick},"")'
                )
                self.formula(ws, f"{col}{r}", formula, fmt, align=S.RIGHT)
            self.define(f"{name}_by_month", ws, f"E{r}:{last}{r}")
            self.timeline_links[name] = (CHANGES_SHEET, r)
        ws.freeze_panes = "E5"
        self.in_millions(ws)
        self.print_timeline(ws, n)
        # on paper: the live scenario's changes and rounds (each scenario's block is an input grid)
        ws.print_area = f"A{live}:{last}{live + len(BLOCK_ITEMS)}"

    def scenario_col(self, i: int) -> str:
        """The Inputs sheet's column of scenario ``i`` (0-based)."""
        return get_column_letter(5 + i)

    @staticmethod
    def _levels(s: dict) -> dict:
        """(month, driver or "funding") -> the scenario's level or the month's total of rounds."""
        out = {}
        for change in s.get("changes") or ():
            for k, v in change.items():
                if k != "month":
                    out[(change["month"], k)] = float(v)
        for r in s.get("funding") or ():
            key = (r["month"], "funding")
            out[key] = out.get(key, 0.0) + float(r["amount"])
        return out

    def _cac_spend_check(self, i: int, sname: str, ad_changes: str):
        """docs/model.md: cac_elasticity > 0 with a month of ad spend needs cac_spend > 0 (the default is ad_spend)."""
        rows = self.input_rows
        if "cac_spend" not in rows or "cac_elasticity" not in rows:
            return
        col = self.scenario_col(i)
        ref = lambda k: f"{quote_sheetname('Inputs')}!{col}{rows[k]}"
        spend = f"IF(ISBLANK({ref('cac_spend')}),{ref('ad_spend')},{ref('cac_spend')})"
        self.add_check(
            f"Scenario {sname}: with cac_elasticity above 0 and some month of ad spend, the spend at "
            "which cac was observed (cac_spend, or ad_spend when empty) is above 0",
            f'OR({ref("cac_elasticity")}=0,AND({ref("ad_spend")}=0,COUNTIF({ad_changes},">0")=0),{spend}>0)',
        )
