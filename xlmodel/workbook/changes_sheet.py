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
from ..payers import STOCK_DRIVERS
from ..projection import projection_inputs
from . import styles as S
from .layout import _fmt_for, bound
from .payer_rows import STOCK_BASES
from .projection_rows import PATHS

CHANGES_SHEET = "Changes"
#: the rows of a scenario's block, after its title row: each driver, then the funding rounds (payers as their own
#: stock's drivers only in a workbook that carries them: ``STOCK_BLOCK_ITEMS``)
BLOCK_ITEMS = tuple(d for d in CHANGE_DRIVERS if d not in STOCK_DRIVERS) + ("funding",)
STOCK_BLOCK_ITEMS = tuple(CHANGE_DRIVERS) + ("funding",)


def live_name(item: str) -> str:
    """The defined name of the live scenario's row of a block item (``change_<driver>_by_month``, the rounds'
    ``funding_rounds_by_month``)."""
    return "funding_rounds_by_month" if item == "funding" else f"change_{item}_by_month"


def block_items(stocks: bool) -> tuple[str, ...]:
    """The rows of each scenario's block: with payers as their own stock (``stocks``), their drivers too."""
    return STOCK_BLOCK_ITEMS if stocks else BLOCK_ITEMS


def has_stock_block(names) -> bool:
    """Whether a workbook's blocks carry the stock drivers, read from its defined ``names``: it defines the live
    row of one (the rule a reader of the blocks and :func:`block_items` share)."""
    return any(live_name(d) in names for d in STOCK_DRIVERS)


def countif_rule(name: str, cells: str, texts: bool = False) -> str:
    """TRUE when every number in ``cells`` keeps ``name``'s rule and the row holds nothing but numbers (COUNTIF,
    one formula for a whole row; an empty cell passes). ``texts``: the row may hold relative levels too (text;
    their resolved levels are checked on the live rows)."""
    r = RULES[PARAMS[name].rule] if name in PARAMS else RULES["nonneg"]
    parts = [f"COUNTA({cells})=COUNT({cells})" if not texts else f"COUNTA({cells})>=COUNT({cells})"]
    if r.lo is not None:
        parts.append(f'COUNTIF({cells},"{"<" if r.lo_incl else "<="}"&{bound(r.lo)})=0')
    if r.hi is not None:
        parts.append(f'COUNTIF({cells},"{">" if r.hi_incl else ">="}"&{bound(r.hi)})=0')
    return "AND(" + ",".join(parts) + ")"


def relative_factor(x: str) -> str:
    """The factor a relative level typed as text in cell ``x`` spells (``"-40%"``: 0.6, ``"+10%"``: 1.1,
    ``"x0.6"``: 0.6; :mod:`xlmodel.relative`), #N/A for any other text. NUMBERVALUE with "." reads the number
    alike in every locale."""
    t = f"TRIM({x})"
    return (
        f'IF(LEFT({t},1)="x",_xlfn.NUMBERVALUE(MID({t},2,99),"."),'
        f'IF(AND(OR(LEFT({t},1)="+",LEFT({t},1)="-"),RIGHT({t},1)="%"),'
        f'1+_xlfn.NUMBERVALUE(LEFT({t},LEN({t})-1),".")/100,NA()))'
    )


#: the drivers whose relative levels the workbook resolves live (their paths are on the Projection); another
#: driver's relative level is written as the level the engine resolves it to
RELATIVE_IN_BOOK = (*PATHS, "paying_cost_per_mau", *STOCK_BASES)


def resolved_levels(s: dict) -> dict:
    """(month, driver) -> the level each change of scenario ``s`` resolves to (relative levels resolved by the
    engine, :func:`xlmodel.timeline.resolve`)."""
    _, _, tl = projection_inputs(s)
    return {(t, d): float(x) for d, months in tl.changes.items() for t, x in months.items()}


def without_change(driver: str, t: int) -> str:
    """The level ``driver`` has in month ``t`` without a change there: the Projection's path of the month before
    grown at its rate (the scenario's value in month 1), as the Projection computes it (``PATHS``, a stock
    driver's ``STOCK_BASES``)."""
    if driver == "paying_cost_per_mau":  # its own path from its first change (or input), else cost_per_mau's
        cost = f"INDEX(cost_path_by_month,1,{t})"
        if t == 1:
            return f"IF(ISNUMBER(paying_cost_per_mau),paying_cost_per_mau,{cost})"
        own, path = (f"INDEX({k}_by_month,1,{t - 1})" for k in ("paying_cost_own", "paying_cost_path"))
        return f"IF({own},{path}*compute_cost_growth,{cost})"
    if driver in STOCK_BASES:  # payers as their own stock: a flat path (xlmodel.workbook.payer_rows)
        return STOCK_BASES[driver] if t == 1 else f"INDEX({driver}_path_by_month,1,{t - 1})"
    base, growth, scale = PATHS[driver]
    if t == 1:
        return base
    return f"INDEX({scale}_by_month,1,{t - 1})" + (f"*{growth}" if growth else "")


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
        #: the block's rows: with payers as their own stock, their drivers too
        self.block_items = items = block_items(getattr(self, "stocks", False))
        stride = 1 + len(items)
        first_row = 5
        self.change_block_rows = {}  # (scenario index, driver or "funding") -> row
        # the drivers some scenario gives a relative level: their live rows resolve one (the others stay lean)
        rel = {
            k
            for _, s in self.scenarios
            for change in s.get("changes") or ()
            for k, v in change.items()
            if isinstance(v, str) and k in RELATIVE_IN_BOOK
        }
        for i, (sname, s) in enumerate(self.scenarios):
            top = first_row + i * stride
            self.section(ws, top, f"Scenario {sname}", 4 + n)
            levels = self._levels(s)
            for j, item in enumerate(items):
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
                if item not in rel:
                    dv = DataValidation(type="custom", formula1=f"ISNUMBER(E{r})", allow_blank=True)
                    dv.error = (
                        f"A level of {item} is a number (leave the cell empty for no change)."
                        + (" Relative levels: give one in the plan the workbook is made from." if p else "")
                    )[:225]
                else:  # a number, or a relative level typed as text ('-40%, x0.6)
                    dv = DataValidation(
                        type="custom",
                        formula1=f'OR(ISNUMBER(E{r}),LEFT(E{r},1)="x",RIGHT(E{r},1)="%")',
                        allow_blank=True,
                    )
                    dv.error = (
                        f"A level of {item} is a number, or relative to the level it replaces, typed as text: "
                        "'-40%, '+10% or x0.6 (leave the cell empty for no change)."
                    )[:225]
                dv.errorTitle = "Not a level"
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(cells)
                ref = f"{quote_sheetname(CHANGES_SHEET)}!{cells}"
                # column D: does the row keep its rule (one short formula a row; the check counts them)
                self.formula(
                    ws,
                    f"D{r}",
                    "=" + countif_rule("amount" if item == "funding" else item, cells, item in rel),
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
            valid = f"{quote_sheetname(CHANGES_SHEET)}!D{top + 1}:D{top + len(items)}"
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
        # helper rows below: the live scenario's cells as typed (a relative level's text)
        typed = live + len(items) + 1
        resolved = []  # per driver: the live scenario's levels, relative ones resolved, keep the rule
        for j, item in enumerate(items):
            r = live + 1 + j
            name = "funding_rounds" if item == "funding" else f"change_{item}"
            self.text(ws, f"A{r}", "Funding rounds" if item == "funding" else f"Change of {item}")
            self.text(ws, f"B{r}", live_name(item), S.NAME_FONT)
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
                if item == "funding":
                    formula = f"=IF(ISNUMBER({pick}),{pick},0)"
                elif item not in rel:  # a level as typed
                    formula = f'=IF(ISNUMBER({pick}),{pick},"")'
                else:  # a number as typed; a relative level resolved: its factor x the level it replaces
                    x = f"{col}{typed + j}"
                    self.formula(ws, x, f'=IF(ISNUMBER({pick}),{pick},IF(ISTEXT({pick}),{pick},""))')
                    formula = self.f(
                        f'IF(ISNUMBER({x}),{x},IF({x}="","",{relative_factor(x)}*{without_change(item, t)}))'
                    )
                self.formula(ws, f"{col}{r}", formula, fmt, align=S.RIGHT)
            self.define(live_name(item), ws, f"E{r}:{last}{r}")
            self.timeline_links[name] = (CHANGES_SHEET, r)
            if item in rel:
                self.text(ws, f"A{typed + j}", f"{item} as typed (a relative level's text)")
                ws.row_dimensions[typed + j].outlineLevel = 1
                ws.row_dimensions[typed + j].hidden = True
                cells = f"{quote_sheetname(CHANGES_SHEET)}!E{r}:{last}{r}"
                rule = RULES[PARAMS[item].rule]
                bounds = [f"NOT(ISERROR(SUM({cells})))"]  # a bad text resolves to #N/A, which SUM carries
                if rule.lo is not None:
                    bounds.append(f'COUNTIF({cells},"{"<" if rule.lo_incl else "<="}"&{bound(rule.lo)})=0')
                if rule.hi is not None:
                    bounds.append(f'COUNTIF({cells},"{">" if rule.hi_incl else ">="}"&{bound(rule.hi)})=0')
                resolved.append(f"AND({','.join(bounds)})")
        if resolved:
            self.add_check(
                "Changes of the live scenario: every level, relative ones ('-40%, x0.6) resolved, is a number "
                "that keeps its driver's rule",
                f"AND({','.join(resolved)})",
            )
        ws.freeze_panes = "E5"
        self.in_millions(ws)
        self.print_timeline(ws, n)
        # on paper: the live scenario's changes and rounds (each scenario's block is an input grid)
        ws.print_area = f"A{live}:{last}{live + len(items)}"

    def scenario_col(self, i: int) -> str:
        """The Inputs sheet's column of scenario ``i`` (0-based)."""
        return get_column_letter(5 + i)

    @staticmethod
    def _levels(s: dict) -> dict:
        """(month, driver or "funding") -> the scenario's level (a relative level as its text) or the month's
        total of rounds."""
        out: dict = {}
        resolved = None
        for change in s.get("changes") or ():
            for k, v in change.items():
                if k != "month":
                    if isinstance(v, str) and k not in RELATIVE_IN_BOOK:
                        resolved = resolved_levels(s) if resolved is None else resolved
                        v = resolved[(change["month"], k)]
                    out[(change["month"], k)] = v if isinstance(v, str) else float(v)
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
