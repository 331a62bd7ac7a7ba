"""Colours, fonts and number formats of the generated workbooks (FAST conventions).

Blue font on a pale fill: an input. Black: a formula. Green: a link to another
sheet. Units sit in their own column.
"""

import math
import re

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

#: Arial: every program has it or its metric twin (Liberation Sans), so columns fit and pages break alike in
#: Excel, LibreOffice and Gnumeric (Calibri falls back to a wider font where it is missing)
FONT_NAME = "Arial"
SIZE = 10

INPUT_FONT = Font(name=FONT_NAME, size=SIZE, color="0000CC")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
FORMULA_FONT = Font(name=FONT_NAME, size=SIZE, color="000000")
LINK_FONT = Font(name=FONT_NAME, size=SIZE, color="007A33")
LABEL_FONT = Font(name=FONT_NAME, size=SIZE, color="000000")
NAME_FONT = Font(name="Courier New", color="7F7F7F", size=9)  # Liberation Mono where it is missing
UNIT_FONT = Font(name=FONT_NAME, size=SIZE, color="595959", italic=True)
TITLE_FONT = Font(name=FONT_NAME, size=15, bold=True, color="1F3864")
SUBTITLE_FONT = Font(name=FONT_NAME, size=SIZE, color="595959")
SECTION_FONT = Font(name=FONT_NAME, size=SIZE, bold=True, color="1F3864")
HEADER_FONT = Font(name=FONT_NAME, size=SIZE, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
SECTION_FILL = PatternFill("solid", fgColor="DDE4F0")
#: a headline is neutral (dark blue); only a red/amber/green rule by its value (``signal``) colours it
HEADLINE_FONT = Font(name=FONT_NAME, size=11, bold=True, color="1F3864")
OK_FONT = Font(name=FONT_NAME, size=11, bold=True, color="007A33")
FAIL_FONT = Font(name=FONT_NAME, size=11, bold=True, color="C00000")
FAIL_FILL = PatternFill("solid", fgColor="FDE2E2")
THIN = Side(style="thin", color="BFBFBF")
BOTTOM = Border(bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")
CENTER = Alignment(horizontal="center")
LEFT = Alignment(horizontal="left")
#: a "not within 36 months" in a number column: on two lines, right-aligned as the numbers (row height 26)
WRAP_RIGHT_BOTTOM = Alignment(horizontal="right", vertical="bottom", wrap_text=True)
#: a long header over a narrow number column: wrapped, right-aligned as the numbers, from the top
WRAP_RIGHT_TOP = Alignment(wrap_text=True, horizontal="right", vertical="top")

#: number formats by kind
FORMATS = {
    "money": "#,##0.00",
    "total": "#,##0",
    "percent": "0.0%",
    "number": "#,##0",
    "users": "#,##0",
    "price": "#,##0.000",
    "months": "0.0",
    "decimal": "0.00",
    "month": "0",
    "ratio": '#,##0.00"x"',  # a ratio to 2 decimals: 0.06x, 3.25x
    "multiple": '#,##0.00"x"',  # a burn multiple: a ratio, to 2 decimals
    "sig": "#,##0.00##",  # money per user: 2 to 4 decimals (LTV 0.0146, not 0.01; -1.1854, not -1.185422)
    "millions": '#,##0.0,,"M"',  # money on the summary sheets
    "date": "mmm yyyy",
    "flag": "General",
    "text": "@",
}

#: the one rule for negatives, on every sheet: red, with a minus (FAST: the sign shown once, never a bracket)
NEGATIVE = "[Red]-"
#: a percent to 1 decimal, and to 2 where 1 would round a rate to a wrong figure (0.45% stays 0.45%)
PERCENT_FINE = "0.00%"
SMALL_RATE = 0.1  # a rate under 10%: a monthly churn, a conversion
_QUOTED = re.compile(r'"[^"]*"')
_NUMERIC = re.compile(r"^[#0,.%]+$")


def signed(fmt: str) -> str:
    """A number format with the house rule for negatives (red, with a minus); dates, text, flags and a
    format that already has a negative section are left as they are."""
    if not isinstance(fmt, str):
        return fmt
    sections = fmt.split(";")
    if not _NUMERIC.match(_QUOTED.sub("", sections[0])):
        return fmt  # General, @, a date (mmm yyyy), a flag's text
    if len(sections) == 1:
        return f"{fmt};{NEGATIVE}{fmt}"
    negative = sections[1]
    if negative.startswith("[") or not _NUMERIC.match(_QUOTED.sub("", negative).lstrip("-")):
        return fmt  # a colour of its own, or a text for negatives
    sections[1] = NEGATIVE + negative.lstrip("-")  # a zero section ("-") stays
    return ";".join(sections)


def percent_for(value, fmt: str) -> str:
    """``fmt``, or 2 decimals for a percent constant that 1 decimal would show wrong (0.0045: 0.45%)."""
    if fmt != FORMATS["percent"] or isinstance(value, bool) or not isinstance(value, (int, float)):
        return fmt
    tenths = value * 1000  # tenths of a percent
    small = abs(value) < SMALL_RATE
    return PERCENT_FINE if small and abs(tenths - round(tenths)) > 1e-6 else fmt


def board_formats(wb) -> None:
    """The pack's number-format rules on every cell (run once the sheets are built): negatives red with a
    minus, and percents that never round a small rate to a wrong figure."""
    for ws in wb.worksheets:
        wrap_cut_labels(ws)
        # a row whose input needs 2 decimals shows them in every cell (the live column, a link to it)
        fine = {c.row for c in ws._cells.values() if percent_for(c.value, c.number_format) == PERCENT_FINE}
        for c in ws._cells.values():
            fmt = c.number_format
            if fmt == "General":
                continue
            if c.row in fine and fmt == FORMATS["percent"]:
                fmt = PERCENT_FINE
            new = signed(fmt)
            if new != c.number_format:
                c.number_format = new


#: a flag shown to a board: one rule on every sheet
YES, NO = "YES", "NO"


def yes_no(expr: str) -> str:
    """A formula (without its =) showing the flag ``expr`` as YES or NO."""
    return f'IF({expr},"{YES}","{NO}")'


RED_FONT = Font(name=FONT_NAME, size=11, bold=True, color="C00000")
AMBER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="B45F06")
GREEN_FONT = Font(name=FONT_NAME, size=11, bold=True, color="007A33")
AMBER_FILL = PatternFill("solid", fgColor="FFF2CC")
GREEN_FILL = PatternFill("solid", fgColor="E2F0D9")

#: runway under 12 months is red, under 18 amber, 18 or more green (docs/workbooks.md)
RUNWAY_RED, RUNWAY_AMBER = 12, 18

#: red/amber/green by value, per named output: (red, amber, green) conditions on the cell (``{c}``); an
#: output not named here, or a value none matches (a text such as "never"), stays neutral
SIGNALS = {
    "runway_months": (
        f"AND(ISNUMBER({{c}}),{{c}}<{RUNWAY_RED})",
        f"AND(ISNUMBER({{c}}),{{c}}>={RUNWAY_RED},{{c}}<{RUNWAY_AMBER})",
        f"AND(ISNUMBER({{c}}),{{c}}>={RUNWAY_AMBER})",
    ),
    "default_alive": (f'{{c}}="{NO}"', None, f'{{c}}="{YES}"'),
    "lowest_cash": ("AND(ISNUMBER({c}),{c}<0)", None, None),
    "ending_cash": ("AND(ISNUMBER({c}),{c}<0)", None, None),
    "funding_need": (None, "AND(ISNUMBER({c}),{c}>0)", None),
    "gross_margin": ("AND(ISNUMBER({c}),{c}<0)", None, None),
    "ltv_to_cac": (
        "AND(ISNUMBER({c}),{c}<1)",
        "AND(ISNUMBER({c}),{c}>=1,{c}<3)",
        "AND(ISNUMBER({c}),{c}>=3)",
    ),
    "plan_migration_npv": ("AND(ISNUMBER({c}),{c}<0)", None, None),
    "migration_npv": ("AND(ISNUMBER({c}),{c}<0)", None, None),
}


def signal(ws, ref: str, name: str) -> bool:
    """Colour the headline at ``ref`` red, amber or green by its value when ``name`` has rules; True if so."""
    from openpyxl.formatting.rule import FormulaRule

    rules = SIGNALS.get(name.removesuffix("_native"))
    if rules is None:
        return False
    cell = ref.replace("$", "")
    looks = ((RED_FONT, FAIL_FILL), (AMBER_FONT, AMBER_FILL), (GREEN_FONT, GREEN_FILL))
    for condition, (font, fill) in zip(rules, looks):
        if condition:
            ws.conditional_formatting.add(
                cell, FormulaRule(formula=[condition.format(c=cell)], font=font, fill=fill, stopIfTrue=True)
            )
    return True


def wrap_cut_labels(ws, min_row: int = 5) -> None:
    """A text that its column would cut (longer than the column, a value beside it) wraps onto more lines
    and its row grows to show them: no label prints as "...within 18 mont". Headers and sections (bold)
    span the cells beside them and stay on one line; hidden columns and defined names are left as they are."""
    widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width and not d.hidden}
    for c in list(ws._cells.values()):
        if c.row < min_row or not isinstance(c.value, str) or c.value.startswith("=") or c.font.b:
            continue
        if c.font.name == NAME_FONT.name:
            continue  # a defined name is an identifier, not a label to read
        width = widths.get(c.column_letter)
        if not width or len(c.value) <= width or c.alignment.wrap_text:
            continue
        beside = ws._cells.get((c.row, c.column + 1))
        if beside is None or beside.value is None:
            continue  # nothing beside it: the text runs on, whole
        c.alignment = Alignment(
            wrap_text=True, vertical="bottom", horizontal=c.alignment.horizontal
        )  # by its value
        lines = math.ceil(len(c.value) * 1.1 / width)
        ws.row_dimensions[c.row].height = max(ws.row_dimensions[c.row].height or 0, 13 * lines)
