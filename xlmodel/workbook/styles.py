"""Colours, fonts and number formats of the generated workbooks (FAST conventions).

Blue font on a pale fill: an input. Black: a formula. Green: a link to another
sheet. Units sit in their own column.
"""

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
HEADLINE_FONT = Font(name=FONT_NAME, size=11, bold=True, color="007A33")
OK_FONT = Font(name=FONT_NAME, size=11, bold=True, color="007A33")
FAIL_FONT = Font(name=FONT_NAME, size=11, bold=True, color="C00000")
FAIL_FILL = PatternFill("solid", fgColor="FDE2E2")
THIN = Side(style="thin", color="BFBFBF")
BOTTOM = Border(bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")
CENTER = Alignment(horizontal="center")
LEFT = Alignment(horizontal="left")

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
    "ratio": '#,##0.00####"x"',  # two significant digits at least: 0.0146x, not 0.01x
    "multiple": '#,##0.0"x"',  # a burn multiple
    "sig": "#,##0.00####",  # a per-user amount that can be small (LTV): 0.0146, not 0.01
    "millions": '#,##0.0,,"M"',  # money on the summary sheets
    "date": "mmm yyyy",
    "flag": "General",
    "text": "@",
}
