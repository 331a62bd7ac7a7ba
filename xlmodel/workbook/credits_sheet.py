"""The Capex and credits sheet of a plan of the whole company (docs/model.md, "Capex", "Credits").

Two tables, one row per (scenario, entry), each row's scenario by name (a link to Inputs row 7):
- capex: month bought, amount, life in months; depreciation is amount / life a month from the month bought;
- credit grants: the opening credits (Inputs: ``credits``, ``credits_expire``) and the credits granted in a
  round (its month, amount and months until they lapse; empty: never). Each live grant's rank by expiry comes
  from COUNTIFS (ties by row order, one pool as the engine's), so the rows may come in any order.

Below, on the month timeline (E is month 1): capex and depreciation, and for each grant the credits it pays
this month (compute is paid from the grant that lapses first: what the grants ranked before it leave, up to its
balance), what lapses at the end of its expiry month, and its balance; then the totals the Projection and the
Statements read (``credits_used_by_month``, ``credits_lapsed_by_month``, ``credits_granted_by_month``,
``credit_balance_by_month``, ``capex_by_month``, ``depreciation_by_month``).
"""

from __future__ import annotations

from openpyxl.utils import quote_sheetname

from . import styles as S
from .layout import column_of

CREDITS_SHEET = "Capex and credits"
CAPEX_COLUMNS = (
    ("Capex entry", "capex_name", "name"),
    ("", None, None),
    ("Month bought", "capex_month", "month"),
    ("Amount", "capex_amount", "amount"),
    ("Life (months)", "capex_life", "life"),
    ("Depreciation a month", None, None),
    ("Last month depreciated", None, None),
    ("Scenario", "capex_scenario", None),
    ("Valid", None, None),
)
GRANT_COLUMNS = (
    ("Credit grant", None, None),
    ("", None, None),
    ("Month granted", "grant_month", "month"),
    ("Credits", "grant_amount", "credits"),
    ("Lapse after (months)", "grant_expires", "expires"),
    ("Expiry month", None, None),
    ("Sort key", None, None),
    ("Scenario", "grant_scenario", None),
    ("Live", None, None),
    ("Rank by expiry", None, None),
)


class CreditsSheet:
    """The Capex and credits sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def credits_sheet(self):
        ws = self.wb.create_sheet(CREDITS_SHEET)
        n = self.n_months
        money = S.FORMATS["total"]
        big = S.FORMATS["millions"] if self.big_money() else money  # the tables' amounts, as on the timeline
        self.title(
            ws,
            "Capex and compute credits",
            "Capex: one row per purchase of each scenario (paid in its month, depreciated evenly over its life "
            "from that month). Credits: the opening credits (Inputs) and each round's, spent on compute before "
            "cash, the grant that lapses first first; a grant's rest lapses at the end of its expiry month.",
            live=True,
        )
        capex = [(i, e) for i, (_, s) in enumerate(self.scenarios) for e in s.get("capex") or ()]

        def capex_row(ws, r, i, e):
            self.text(ws, f"A{r}", e.get("name", ""), S.INPUT_FONT, S.INPUT_FILL)
            for col, key, fmt in (("C", "month", "0"), ("D", "amount", big), ("E", "life", "0")):
                c = ws[f"{col}{r}"]
                c.value = float(e[key])
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)

        c1, c2 = self.entry_table(ws, 5, CAPEX_COLUMNS, capex, capex_row)
        for r in range(c1, c2 + 1):
            self.formula(ws, f"F{r}", f'=IF(H{r}="",0,D{r}/E{r})', big)
            self.formula(ws, f"G{r}", f'=IF(H{r}="",0,C{r}+E{r}-1)', "0")
            self.formula(
                ws,
                f"I{r}",
                f'=IF(H{r}="",TRUE(),AND(ISNUMBER(C{r}),C{r}>=1,C{r}<=horizon,INT(C{r})=C{r},ISNUMBER(D{r}),'
                f"D{r}>=0,ISNUMBER(E{r}),E{r}>=1,INT(E{r})=E{r}))",
                align=S.CENTER,
            )
        self.add_check(
            "Capex table: every month is within the horizon, every amount 0 or more, every life a whole number "
            "of months, 1 or more (column I)",
            f"COUNTIF({quote_sheetname(CREDITS_SHEET)}!I{c1}:I{c2},FALSE())=0",
        )
        grants = [
            (i, r)
            for i, (_, s) in enumerate(self.scenarios)
            for r in s.get("funding") or ()
            if r.get("credits") is not None
        ]

        def grant_row(ws, r, i, g):
            if i == "opening":  # the live scenario's opening credits, from Inputs
                self.text(ws, f"A{r}", "Opening credits (Inputs: credits, credits_expire)", S.LABEL_FONT)
                self.formula(ws, f"C{r}", "=0", "0")
                self.formula(ws, f"D{r}", "=credits", big)
                self.formula(ws, f"F{r}", '=IF(ISNUMBER(credits_expire),credits_expire,"")', "0")
                self.formula(ws, f"H{r}", "=scenario")
                return
            self.text(ws, f"A{r}", "Credits granted in a round", S.LABEL_FONT)
            for col, key, fmt in (("C", "month", "0"), ("D", "credits", big), ("E", "expires", "0")):
                c = ws[f"{col}{r}"]
                c.value = None if g.get(key) is None else float(g[key])
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
            self.formula(ws, f"F{r}", f'=IF(ISNUMBER(E{r}),C{r}+E{r},"")', "0")

        top = c2 + 2
        g1, g2 = self.entry_table(ws, top, GRANT_COLUMNS, [("opening", None)] + grants, grant_row)
        span = lambda letter: f"${letter}${g1}:${letter}${g2}"
        for r in range(g1, g2 + 1):
            # never lapsing: after every expiry month (of any grant, and the horizon)
            self.formula(ws, f"G{r}", f"=IF(ISNUMBER(F{r}),F{r},MAX({span('F')},horizon)+1)", "0")
            self.formula(ws, f"I{r}", f"=H{r}=scenario", align=S.CENTER)
            ties = f"+COUNTIFS($I${g1}:$I${r - 1},TRUE(),$G${g1}:$G${r - 1},G{r})" if r > g1 else ""
            self.formula(
                ws, f"J{r}", f'=IF(I{r},COUNTIFS({span("I")},TRUE(),{span("G")},"<"&G{r}){ties}+1,0)', "0"
            )
            self.formula(
                ws,
                f"K{r}",
                f"=IF(NOT(I{r}),TRUE(),AND(ISNUMBER(C{r}),C{r}>=0,C{r}<=horizon,INT(C{r})=C{r},ISNUMBER(D{r}),"
                f'D{r}>=0,OR(E{r}="",AND(ISNUMBER(E{r}),E{r}>=1,INT(E{r})=E{r}))))',
                align=S.CENTER,
            )
        self.text(ws, f"K{top}", "Valid", S.HEADER_FONT, S.HEADER_FILL, S.RIGHT)
        self.add_check(
            "Credit grants of the live scenario: every month within the horizon, every amount 0 or more, every "
            "lapse a whole number of months, 1 or more, or empty (never) (column K)",
            f"COUNTIF({quote_sheetname(CREDITS_SHEET)}!K{g1}:K{g2},FALSE())=0",
        )
        head = g2 + 2
        self.header(ws, head, ["Line item", "Name", "Unit", "Month 0"] + self.month_headers())
        self.date_headers(ws, head)
        m = lambda c: c("credits_month")
        capex_span = lambda letter: f"${letter}${c1}:${letter}${c2}"
        rows: list = [
            (
                "credits_month",
                "Month",
                "month",
                S.FORMATS["month"],
                0,
                lambda c, p: f"{p('credits_month')}+1",
            ),
            (
                "capex",
                "Capex (paid in its month)",
                "currency",
                money,
                None,
                lambda c, p: f"SUMIFS({capex_span('D')},{capex_span('H')},scenario,{capex_span('C')},{m(c)})",
            ),
            (
                "depreciation",
                "Depreciation",
                "currency",
                money,
                None,
                lambda c, p: (
                    f'SUMIFS({capex_span("F")},{capex_span("H")},scenario,{capex_span("C")},"<="&{m(c)},'
                    f'{capex_span("G")},">="&{m(c)})'
                ),
            ),
            (
                "credit_compute",
                "Compute the credits may pay (the Projection's, 0 or more)",
                "currency",
                money,
                None,
                lambda c, p: f"MAX(0,INDEX(compute_by_month,1,{m(c)}))",
            ),
        ]
        count = g2 - g1 + 1
        first_row = head + 1
        used1 = first_row + len(rows)
        lapsed1, balance1 = used1 + count, used1 + 2 * count
        col = column_of
        for k in range(count):
            g = g1 + k
            rows.append(
                (
                    f"credits_used_{k + 1}",
                    f"Credits used: grant in row {g}",
                    "currency",
                    money,
                    None,
                    lambda c, p, g=g, k=k: (
                        f"IF($J${g}=0,0,MIN({p(f'credit_balance_{k + 1}')},MAX(0,{c('credit_compute')}-SUMIF("
                        f'{span("J")},"<"&$J${g},{col(p("credits_month"))}${balance1}:'
                        f"{col(p('credits_month'))}${balance1 + count - 1}))))"
                    ),
                )
            )
        for k in range(count):
            g = g1 + k
            rows.append(
                (
                    f"credits_lapsed_{k + 1}",
                    f"Credits lapsed: grant in row {g}",
                    "currency",
                    money,
                    None,
                    lambda c, p, g=g, k=k: (
                        f"IF(AND($J${g}>0,$F${g}={m(c)}),{p(f'credit_balance_{k + 1}')}"
                        f"-{c(f'credits_used_{k + 1}')},0)"
                    ),
                )
            )
        for k in range(count):
            g = g1 + k
            rows.append(
                (
                    f"credit_balance_{k + 1}",
                    f"Credit balance: grant in row {g}",
                    "currency",
                    money,
                    f"IF(AND($I${g},$C${g}=0),$D${g},0)",
                    lambda c, p, g=g, k=k: (
                        f"{p(f'credit_balance_{k + 1}')}-{c(f'credits_used_{k + 1}')}-{c(f'credits_lapsed_{k + 1}')}"
                        f"+IF(AND($I${g},$C${g}={m(c)}),$D${g},0)"
                    ),
                )
            )
        total = lambda first: lambda c, p: f"SUM({col(m(c))}{first}:{col(m(c))}{first + count - 1})"
        rows += [
            (
                "credits_used",
                "Credits used (compute paid with credits)",
                "currency",
                money,
                None,
                total(used1),
            ),
            (
                "credits_lapsed",
                "Credits lapsed (a cost below EBITDA)",
                "currency",
                money,
                None,
                total(lapsed1),
            ),
            (
                "credits_granted",
                "Credits granted in rounds",
                "currency",
                money,
                None,
                lambda c, p: f"SUMIFS({span('D')},{span('I')},TRUE(),{span('C')},{m(c)})",
            ),
            (
                "credit_balance",
                "Credit balance (after use, lapse and grants)",
                "currency",
                money,
                f"SUM(D{balance1}:D{balance1 + count - 1})",
                total(balance1),
            ),
        ]
        helpers = frozenset(r[0] for r in rows if r[0][-1].isdigit()) | {"credit_compute"}
        pos = self.timeline(ws, n, rows, first_row, helpers=helpers)
        if pos["credits_used_1"] != used1 or pos["credit_balance_1"] != balance1:  # the SUMs' spans above
            raise RuntimeError("the credits timeline's rows moved: the totals would sum the wrong rows")
        self.credits_rows = pos
        for key in (
            "capex",
            "depreciation",
            "credits_used",
            "credits_lapsed",
            "credits_granted",
            "credit_balance",
        ):
            self.timeline_links[key] = (CREDITS_SHEET, pos[key])
        ws.freeze_panes = f"E{head + 1}"
        ws.sheet_properties.outlinePr.summaryBelow = False
        self.in_millions(ws)
        self.print_timeline(ws, n, title_rows=f"{head}:{head}")
        for letter in "EFGHIJK":
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 11)
