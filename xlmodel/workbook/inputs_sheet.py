"""The Inputs sheet (scenario columns, selector, validation) and the Model mix sheet."""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..dates import parse_month
from ..prices import price
from . import styles as S
from .layout import (
    COMPANY_CONSTANTS,
    CONSTANTS,
    CURVE_CONSTANTS,
    MIX_FIRST_ROW,
    MIX_PRICES,
    MIX_SHEET,
    NOT_GIVEN,
    OPTIONAL_INPUTS,
    SECTIONS,
    WB_PARAMS,
    _fmt_for,
    clean_text,
    live_pick,
    rule_expr,
    rule_sentence,
)


def parse_date(start: str):
    """``"2024-12"`` -> the first day of that month."""
    import datetime

    year, month = parse_month(start, "start")
    return datetime.date(year, month, 1)


class InputsSheets:
    """The Inputs sheet (scenario columns, selector, validation) and the Model mix sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def _sources(self, ws, col: int):
        """A Source column: each input's note from the assumptions file (the comment after its value), per
        scenario when they differ; nothing when the file gives none."""
        notes = self.a.notes
        if not any(notes.values()):
            return
        letter = get_column_letter(col)
        self.text(
            ws, f"{letter}7", "Source (the assumptions file's note)", S.HEADER_FONT, S.HEADER_FILL, S.LEFT
        )
        ws.column_dimensions[letter].width = 70
        base = self.scenarios[0][0]
        for key, row in self.input_rows.items():
            found: dict[str, list[str]] = {}
            for sname, _ in self.scenarios:
                note = notes.get((sname, key))
                if note is None:  # inherited from the first scenario, with its note
                    note = notes.get((base, key))
                if note:
                    found.setdefault(note, []).append(sname)
            if not found:
                continue
            if len(found) == 1 and len(next(iter(found.values()))) == len(self.scenarios):
                text = next(iter(found))
            else:
                text = "; ".join(f"{', '.join(names)}: {note}" for note, names in found.items())
            c = self.text(ws, f"{letter}{row}", text, S.UNIT_FONT)
            c.alignment = S.WRAP
            # ~80 characters a line in 70 columns; 12.5 points a line of the 10-point font (15 padded the
            # long notes' rows enough to spill the last constants onto a page of their own)
            ws.row_dimensions[row].height = max(15, 12.5 * -(-len(text) // 80) + 2)

    def inputs_sheet(self):
        ws = self.wb.create_sheet("Inputs")
        n = len(self.scenarios)
        first, last = 5, 5 + n - 1
        fl, ll = get_column_letter(first), get_column_letter(last)
        width = last
        self.title(
            ws,
            "Inputs",
            "Blue cells on a pale fill are inputs. Pick the live scenario in D4; every sheet "
            "follows it. Column B holds each input's defined name.",
        )
        self.text(ws, "A4", "Live scenario", S.SECTION_FONT)
        first_name = self.scenarios[0][0]
        self.text(ws, "D4", first_name, S.INPUT_FONT, S.INPUT_FILL)
        self.define("scenario", ws, "D4")
        dv = DataValidation(type="list", formula1=f"${fl}$7:${ll}$7", allow_blank=False, showDropDown=False)
        dv.promptTitle = "Live scenario"
        dv.prompt = "Pick the scenario every sheet calculates."
        dv.showInputMessage = True
        dv.errorTitle = "Unknown scenario"
        dv.error = "Pick one of the scenario names in row 7."
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add("D4")
        self.text(ws, "A5", "Scenario number")
        # MATCH, not SUMPRODUCT over COLUMN(range): no implicit array evaluation (0 when no column matches)
        self.formula(ws, "D5", f"=IFERROR(MATCH(scenario,{fl}7:{ll}7,0),0)", "0")
        self.define("scenario_index", ws, "D5")
        self.text(ws, "E5", "(from the scenario's position in row 7)", S.UNIT_FONT)
        self.header(ws, 7, ["Input", "Name", "Unit", "Live"])
        for i, (name, _) in enumerate(self.scenarios):
            self.text(ws, f"{get_column_letter(first + i)}7", name, S.HEADER_FONT, S.HEADER_FILL, S.CENTER)
        self.define("scenario_names", ws, f"{fl}7:{ll}7")
        row = 8
        for label, keys in SECTIONS:
            keys = [k for k in keys if k in self.inputs]
            if not keys:
                continue
            self.section(ws, row, label, width)
            row += 1
            for key in keys:
                p = WB_PARAMS[key]
                fmt = _fmt_for(p)
                label = p.doc[:1].upper() + p.doc[1:]
                if key == "activation" and self.curve_months_max:
                    label += " (live: a retention curve's month 1 when that is below 1)"
                self.text(ws, f"A{row}", label, S.LABEL_FONT)
                self.text(ws, f"B{row}", key, S.NAME_FONT)
                self.text(ws, f"C{row}", self.unit(p.unit), S.UNIT_FONT)
                live = live_pick(fl, ll, row)  # a form every program takes
                if key in OPTIONAL_INPUTS:  # an empty scenario cell means "not given"
                    live = f'IF({live}="","{NOT_GIVEN}",{live})'
                if (
                    key == "activation" and self.curve_months_max
                ):  # a curve measured on sign-ups holds it: r_1
                    first_share = "INDEX(retention,1,1)"
                    live = f"IF(AND(ISNUMBER({first_share}),{first_share}<1),{first_share},{live})"
                self.formula(
                    ws, f"D{row}", f"={live}", fmt, align=S.RIGHT if key in OPTIONAL_INPUTS else None
                )
                self.define(key, ws, f"D{row}")
                self.swept(ws, f"D{row}")
                self.input_rows[key] = row
                for i, (sname, s) in enumerate(self.scenarios):
                    c = ws.cell(row=row, column=first + i)
                    link = self.actuals_link(sname, key)
                    if link:  # the fitted driver on the Actuals sheet
                        c.value = link
                        self.styled(c, S.LINK_FONT, None, fmt)
                        continue
                    if (
                        key in MIX_PRICES and sname in self.a.mixes
                    ):  # a link to the scenario's blended mix price
                        c.value = f"={quote_sheetname(MIX_SHEET)}!{get_column_letter(first + i)}{self.mix_rows[key]}"
                        self.styled(c, S.LINK_FONT, None, fmt)
                        continue
                    value = self.scenario_value(s, key)
                    if i and value is not None and self._inherits(sname, key, value):
                        c.value = f"=${fl}{row}"  # a live link: an edit to the first scenario flows here
                        self.styled(c, S.LINK_FONT, None, fmt)
                        continue
                    c.value = None if value is None else float(value)
                    self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
                dv = DataValidation(
                    type="custom", formula1=rule_expr(key, f"{fl}{row}"), allow_blank=key in OPTIONAL_INPUTS
                )
                dv.promptTitle = key[:32]
                dv.prompt = f"{p.doc[:1].upper() + p.doc[1:]}. Unit: {self.unit(p.unit)}."[:255]
                dv.showInputMessage = True
                dv.errorTitle = "Out of range"
                dv.error = f"{rule_sentence(key)} ({self.unit(p.unit)})."[:225]
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{fl}{row}:{ll}{row}")
                cells = [f"{get_column_letter(first + i)}{row}" for i in range(n)]
                ref = lambda c: f"{quote_sheetname(ws.title)}!{c}"
                self.add_check(
                    f"Input {key}, every scenario: {rule_sentence(key)}"
                    + (" (or empty: not given)" if key in OPTIONAL_INPUTS else ""),
                    None,
                    [
                        f"IF(ISBLANK({ref(c)}),TRUE(),{rule_expr(key, ref(c))})"
                        if key in OPTIONAL_INPUTS
                        else rule_expr(key, ref(c))
                        for c in cells
                    ],
                )
                row += 1
        if self.curve_months_max:
            row = self.curve_rows(ws, row, first, last)
        if self.t.has("risk", self.a):
            self.range_columns(ws, last)
        self._sources(ws, (last + 6) if self.t.has("risk", self.a) else (last + 2))
        self.section(ws, row, "Constants", width)
        row += 1
        constants = list(CONSTANTS) + (list(CURVE_CONSTANTS) if self.curve_months_max else [])
        constants += list(COMPANY_CONSTANTS) if self.company else []
        if self.a.start and self.t.has(
            "projection", self.a
        ):  # the calendar ([model] start, fiscal_year_start)
            constants += [
                (
                    "plan_start",
                    parse_date(self.a.start),
                    "date",
                    (
                        "the calendar month of month 1 (its first "
                        "day); the month headers and fiscal years follow it"
                    ),
                ),
                (
                    "fiscal_year_start",
                    self.a.fiscal_year_start,
                    "month",
                    ("calendar month a fiscal year starts in (named by the year it ends in)"),
                ),
            ]
        for name, value, unit, doc in constants:
            self.text(ws, f"A{row}", doc[:1].upper() + doc[1:])
            self.text(ws, f"B{row}", name, S.NAME_FONT)
            self.text(ws, f"C{row}", unit, S.UNIT_FONT)
            c = ws.cell(row=row, column=4, value=value)
            c.font, c.fill = S.INPUT_FONT, S.INPUT_FILL
            c.number_format = "yyyy-mm" if name == "plan_start" else "0E+00" if value < 1e-3 else "#,##0"
            starts = [self.scenario_start(i) for i in range(n)]
            if name == "plan_start" and len(set(starts)) > 1:  # a re-forecast starts at its own month
                self._starts(ws, row, first, starts)
            self.define(name, ws, f"D{row}")
            row += 1
        self.add_check(
            "The live scenario is one of the scenario columns",
            "AND(scenario_index>=1,scenario_index<=COLUMNS(scenario_names))",
        )

        def each(key):  # the scenario cells of an input, as references from the Checks sheet
            r = self.input_rows[key]
            return [f"{quote_sheetname(ws.title)}!{get_column_letter(first + i)}{r}" for i in range(n)]

        if "organic_users" in self.inputs:
            self.add_check(
                "organic_users counts users who come without ads: paid_share is 1 when it is given, "
                "every scenario",
                None,
                [f"IF(ISBLANK({o}),TRUE(),{p}=1)" for o, p in zip(each("organic_users"), each("paid_share"))],
            )
        if "migration_month" in self.inputs:
            self.add_check(
                "large_price is above 0 when migration_month is given (the saving divides by it), "
                "every scenario",
                None,
                [
                    f"IF(ISBLANK({m}),TRUE(),{lp}>0)"
                    for m, lp in zip(each("migration_month"), each("large_price"))
                ],
            )
        ws.column_dimensions["A"].width = 58
        ws.column_dimensions["B"].width = 22
        ws.column_dimensions["C"].width = 30
        for col in range(4, last + 1):
            ws.column_dimensions[get_column_letter(col)].width = 18
        ws.freeze_panes = "E8"
        self.print_wide(ws, title_rows="7:7")  # the scenarios across pages at 75%, the labels on each

    def _inherits(self, sname: str, key: str, value) -> bool:
        """True when scenario ``sname`` does not write ``key`` in its table of the assumptions file and so takes
        the first scenario's value (the same value: a derived input that differs stays its own)."""
        written = {k for sc, k in self.a.notes if sc == sname}  # every key a scenario's table writes
        if not written or key in written:
            return False
        return self.scenario_value(self.scenarios[0][1], key) == value

    def _starts(self, ws, row: int, first: int, starts: list[str]):
        """plan_start per scenario (named ``plan_start_by_scenario``), and in column D the live scenario's:
        every date, fiscal year and month header follows the scenario picked."""
        fl, ll = get_column_letter(first), get_column_letter(first + len(starts) - 1)
        for i, start in enumerate(starts):
            c = ws.cell(row=row, column=first + i, value=parse_date(start))
            self.styled(c, S.INPUT_FONT, S.INPUT_FILL, "yyyy-mm")
        self.formula(ws, f"D{row}", f"={live_pick(fl, ll, row)}", "yyyy-mm")
        ws[f"D{row}"].fill = PatternFill(fill_type=None)  # a formula now, not an input
        self.define("plan_start_by_scenario", ws, f"{fl}{row}:{ll}{row}")
        self.text(ws, f"C{row}", "date (per scenario)", S.UNIT_FONT)

    def curve_rows(self, ws, row: int, first: int, last: int) -> int:
        """The retention curves: one row per curve month, one column per scenario (empty: the scenario has no
        curve and its MAU follows churn), the live curve in column D (named ``retention``); returns the next row.

        A curve whose month 1 is below 1 was measured on sign-ups: its month 1 is the activation (the live
        ``activation`` cell shows it) and the Waterfall sheet divides the curve by it (docs/model.md).
        """
        n, k = len(self.scenarios), self.curve_months_max
        fl, ll = get_column_letter(first), get_column_letter(last)
        self.section(
            ws,
            row,
            "Retention curve (share of a cohort active in its months 1..k; empty: the scenario uses churn)",
            last,
        )
        row += 1
        top = row
        fmt = S.FORMATS["percent"]
        for a in range(1, k + 1):
            r = top + a - 1
            self.text(
                ws,
                f"A{r}",
                f"Retention in a cohort's month {a} (share of its activated users; of its "
                "sign-ups when month 1 is below 1)"
                if a == 1
                else f"Retention in a cohort's month {a}",
                S.LABEL_FONT,
            )
            self.text(ws, f"B{r}", f"retention[{a}]", S.NAME_FONT)
            self.text(ws, f"C{r}", "fraction of the cohort", S.UNIT_FONT)
            pick = live_pick(fl, ll, r)  # as every input
            self.formula(ws, f"D{r}", f'=IF({pick}="","",{pick})', fmt, align=S.RIGHT)
            self.swept(ws, f"D{r}")
            self.input_rows[f"retention[{a}]"] = r
            for i, (_, s) in enumerate(self.scenarios):
                c = ws.cell(row=r, column=first + i)
                value = self.scenario_value(s, f"retention[{a}]")
                c.value = None if value is None else float(value)
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
            dv = DataValidation(
                type="custom",
                formula1=f"OR(ISBLANK({fl}{r}),AND(ISNUMBER({fl}{r}),{fl}{r}>0,{fl}{r}<=1))",
                allow_blank=True,
            )
            dv.promptTitle = f"retention, month {a}"
            dv.prompt = (
                "Share of a cohort active in this month of its life, above 0 and at most 1; leave the "
                "column empty for a scenario without a curve."
            )
            dv.showInputMessage = True
            dv.errorTitle = "Out of range"
            dv.error = "A retention share is above 0 and at most 1 (or empty)."
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{fl}{r}:{ll}{r}")
        bottom = top + k - 1
        self.define("retention", ws, f"D{top}:D{bottom}")
        sheet = quote_sheetname(ws.title)
        cols = [get_column_letter(first + i) for i in range(n)]
        spans = [f"{sheet}!{c}{top}:{c}{bottom}" for c in cols]

        def shares_ok(c):  # each cell empty or a share in (0, 1], and no empty month before a given one
            cells = [f"{sheet}!{c}{top + a}" for a in range(k)]
            rules = [f"IF(ISBLANK({x}),TRUE(),AND(ISNUMBER({x}),{x}>0,{x}<=1))" for x in cells]
            gaps = [f"OR(ISBLANK({x}),NOT(ISBLANK({prev})))" for prev, x in zip(cells, cells[1:])]
            return "AND(" + ",".join(rules + gaps) + ")"

        self.add_check(
            "Retention curve, every scenario: empty, or months 1..k with k >= 2 and no empty month "
            "between, each share above 0 and at most 1",
            None,
            [f"AND(OR(COUNTA({span})=0,COUNT({span})>=2),{shares_ok(c)})" for span, c in zip(spans, cols)],
        )
        self.add_check(
            "Retention curve, every scenario: it decays past its last month (late ratio q below 1: "
            "R(k) < R(k-j), j = MIN(late_ratio_months, k-1))",
            None,
            [
                f"IFERROR(IF(COUNT({span})<2,TRUE(),INDEX({span},COUNT({span}),1)<INDEX({span},COUNT({span})"
                f"-MIN(late_ratio_months,COUNT({span})-1),1)),FALSE())"
                for span in spans
            ],
        )
        if "activation" in self.input_rows:
            act = self.input_rows["activation"]
            self.add_check(
                "A curve measured on sign-ups (month 1 below 1) is the activation: activation is 1 in "
                "that scenario (not given twice)",
                None,
                [
                    f"IFERROR(OR(COUNT({span})=0,INDEX({span},1,1)>=1,{sheet}!{c}{act}>=1),FALSE())"
                    for span, c in zip(spans, cols)
                ],
            )
        return bottom + 1

    def mix_sheet(self):
        """Model mix: USD prices per model (values from genai-prices), shares per scenario, blended prices."""
        ws = self.wb.create_sheet(MIX_SHEET)
        n = len(self.scenarios)
        fl, ll = get_column_letter(5), get_column_letter(4 + n)
        first, last = MIX_FIRST_ROW, MIX_FIRST_ROW + len(self.mix_models) - 1
        self.title(
            ws,
            "Model mix",
            f"Traffic shares of each model per scenario (inputs) and the blended price per "
            f"1M tokens, fx x SUMPRODUCT(shares, USD prices). USD prices: {self.a.price_data} "
            "(values written when the workbook was generated).",
        )
        self.header(
            ws,
            4,
            ["Model", "Input USD/1M", "Cached USD/1M", "Output USD/1M"]
            + [f"Share: {clean_text(name)}" for name, _ in self.scenarios],
        )
        for i, model in enumerate(self.mix_models):
            r = first + i
            self.text(ws, f"A{r}", model, S.INPUT_FONT, S.INPUT_FILL)
            for kind, col in MIX_PRICES.values():
                c = ws[f"{col}{r}"]
                c.value = price(model, kind)
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["price"])
            for j, (sname, _) in enumerate(self.scenarios):
                share = self.a.mixes.get(sname, {}).get(model, 0.0)
                self.styled(
                    ws.cell(row=r, column=5 + j, value=float(share)),
                    S.INPUT_FONT,
                    S.INPUT_FILL,
                    S.FORMATS["percent"],
                )
        self.define("mix_models", ws, f"A{first}:A{last}")
        for kind, col in MIX_PRICES.values():
            self.define(f"mix_{kind}_usd", ws, f"{col}{first}:{col}{last}")
        self.define("mix_shares", ws, f"{fl}{first}:{ll}{last}")
        rows = self.mix_rows
        labels = {
            "total": ("Share total (1 for a scenario with a mix)", "fraction"),
            "fx": ("fx: model currency per 1 USD (from Inputs)", "currency per USD"),
            "input_price": ("Blended input price", "currency per 1M tokens"),
            "cached_price": ("Blended cached-input price", "currency per 1M tokens"),
            "output_price": ("Blended output price", "currency per 1M tokens"),
        }
        fx_row = self.input_rows["fx"]
        for key, r in rows.items():
            label, unit = labels[key]
            self.text(ws, f"A{r}", f"{label} ({self.unit(unit)})", S.SECTION_FONT if key == "total" else None)
            for j in range(n):
                col = get_column_letter(5 + j)
                shares = f"{col}{first}:{col}{last}"
                if key == "total":
                    f, fmt, font = f"=SUM({shares})", S.FORMATS["percent"], S.FORMULA_FONT
                elif key == "fx":
                    f, fmt, font = f"=Inputs!{col}{fx_row}", S.FORMATS["price"], S.LINK_FONT
                else:
                    usd = f"${MIX_PRICES[key][1]}${first}:${MIX_PRICES[key][1]}${last}"
                    f = f'=IF({col}{rows["total"]}=0,"no mix",{col}{rows["fx"]}*SUMPRODUCT({shares},{usd}))'
                    fmt, font = S.FORMATS["price"], S.FORMULA_FONT
                self.formula(ws, f"{col}{r}", f, fmt, font=font, align=S.RIGHT)
            self.define(f"mix_{key}", ws, f"{fl}{r}:{ll}{r}")
        for j, (sname, _) in enumerate(self.scenarios):
            if sname in self.a.mixes:
                col = get_column_letter(5 + j)
                self.add_check(
                    f"Model mix: the shares of scenario {clean_text(sname)} sum to 1",
                    f"ABS({quote_sheetname(MIX_SHEET)}!{col}{rows['total']}-1)<=check_tolerance",
                )
        self.add_check("Model mix: no share is negative", 'COUNTIF(mix_shares,"<0")=0')
        ws.column_dimensions["A"].width = 44
        for col in "BCD":
            ws.column_dimensions[col].width = 16
        for j in range(n):
            ws.column_dimensions[get_column_letter(5 + j)].width = 16
        ws.freeze_panes = "B5"
        self.print_setup(ws, title_rows="4:4")
