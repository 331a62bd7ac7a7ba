"""The sheets of a ``--formulas udf`` workbook that set up the Excel functions.

- ``Excel functions``: the steps for both free routes (xlwings Lite first,
  then the classic add-in), then the text of the Lite bundle's two files, one
  line per row, so the workbook carries everything it needs. Only the steps
  print; the code is thousands of rows.
- ``xlwings.conf``: the classic add-in reads ``UDF Modules`` from a sheet of
  that exact name, whatever its ribbon says for other workbooks. It does not
  print (its print area is an empty cell).
"""

from __future__ import annotations

from . import styles as S

EXCEL_SHEET = "Excel functions"
CONF_SHEET = "xlwings.conf"
#: the xlwings.conf sheet's print area: a cell that stays empty (the settings are in A1:B1)
CONF_NO_PRINT = "D1"

LITE_STEPS = [
    (
        "Works in Excel for Microsoft 365 and Excel 2021 or later (Windows, Mac: macOS 13+) and Excel on the web, "
        "including the free version. Nothing to install but the add-in; free for commercial use."
    ),
    (
        "1. Home tab > Add-ins (on older Excel: Insert tab > Get Add-ins). Search for xlwings, add xlwings Lite. "
        "Its editor opens on the right (later: Home tab > xlwings Lite)."
    ),
    (
        "2. Copy the main.py text below: click cell {first}, press Ctrl+Shift+End to select to the last line "
        "(row {last}), press Ctrl+C."
    ),
    "3. In the editor's main.py tab, select everything (Ctrl+A) and paste (Ctrl+V): it replaces the sample code.",
    (
        "4. In the editor's requirements.txt tab, add the line under 'requirements.txt' below on a line of its own. "
        "Keep the lines already there."
    ),
    "5. Restart: the editor's menu > Restart. The output pane installs the requirements and then shows no error.",
    (
        "6. Save the workbook (Ctrl+S, or turn AutoSave on): the code and requirements.txt are kept in the workbook "
        "only when it is saved."
    ),
    (
        "7. The editor's menu > Settings > Workbook > Startup Behavior: pick an autostart option, then save. With "
        "Do not autostart, the cells show #NAME? until someone clicks the xlwings Lite button."
    ),
    (
        "8. In any cell type =LLM_RUNWAY( and Excel's formula help lists the arguments. Try "
        "=LLM_CAC(1000, 20): it shows 50."
    ),
    (
        "A bad input gives a real #VALUE! error with the message on hover, so IFERROR and ISERROR work. "
        "The code is stored in this workbook: whoever opens it with xlwings Lite gets the functions."
    ),
]

CLASSIC_STEPS = [
    "Windows desktop Excel only, with Python 3.11+ installed.",
    (
        '1. In a command prompt, from the xlmodel folder: pip install ".[excel]" (once xlmodel is on PyPI: '
        'pip install "xlmodel[excel]"), then: xlwings addin install. Restart Excel: an xlwings tab appears.'
    ),
    (
        "2. Save this workbook as Excel Macro-Enabled Workbook (.xlsm): File > Save As. Import Functions refuses "
        "an .xlsx."
    ),
    (
        "3. File > Options > Trust Center > Trust Center Settings > Macro Settings: tick 'Trust access to the VBA "
        "project object model' (once). A file downloaded from the internet: right-click it in Explorer > "
        "Properties > Unblock, then open it and click Enable Content."
    ),
    (
        "4. Alt+F11 (the VBA editor) > Tools > References: tick xlwings (if it is not listed: Browse to the "
        "xlwings.xlam the add-in installed). The imported functions call xlwings through it: without the reference "
        "every cell shows 'Object required'."
    ),
    (
        "5. The sheet xlwings.conf in this workbook already says UDF MODULES = xlmodel.udfs; it overrides the "
        "ribbon's box. On the xlwings tab, Interpreter must be the python.exe that has xlmodel (where python, in "
        "the command prompt, prints it): xlwings addin install fills it with the Python it ran from, and a path "
        "from an older install stays there."
    ),
    "6. xlwings tab > Import Functions, then type =LLM_RUNWAY( in a cell.",
    'A bad input shows the text #VALUE! and the message (test it with LEFT(cell, 7) = "#VALUE!").',
]

SPILL_NOTE = (
    "LLM_PROJECTION and LLM_SIMULATE return a table. Excel 365 and 2021 spill it from the one cell; "
    "in Excel 2019 and older select the whole output area first and confirm with Ctrl+Shift+Enter."
)


class ExcelSheets:
    """The set-up sheets of a udf workbook (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def excel_sheets(self, files: dict[str, str]):
        ws = self.wb.create_sheet(EXCEL_SHEET)
        self.title(
            ws,
            "Excel functions: set up once",
            "Its headline outputs call =LLM_...() functions written in Python (xlmodel). Two free routes run them.",
        )
        ws.column_dimensions["A"].width = 110
        code = files["main.py"].splitlines()
        row = 4
        self.section(ws, row, "Route 1: xlwings Lite (recommended)", 1)
        lite_rows = list(range(row + 1, row + 1 + len(LITE_STEPS)))  # written once the code's rows are known
        row = lite_rows[-1] + 1
        self.section(ws, row, "Route 2: the classic xlwings add-in", 1)
        steps_rows = list(lite_rows)
        for step in CLASSIC_STEPS:
            row += 1
            self.text(ws, f"A{row}", step, align=S.WRAP)
            steps_rows.append(row)
        row += 2
        self.text(ws, f"A{row}", SPILL_NOTE, align=S.WRAP)
        steps_rows.append(row)
        last_step = row
        row += 2
        self.section(ws, row, "requirements.txt (xlwings Lite: add this line)", 1)
        for line in files["requirements.txt"].splitlines():
            row += 1
            self.text(ws, f"A{row}", line, S.NAME_FONT)
        row += 2
        first, last = row + 1, row + len(code)
        self.section(
            ws,
            row,
            f"main.py (xlwings Lite: {len(code):,} lines, cells A{first} to A{last}; "
            "generated by xlmodel lite, do not edit)",
            1,
        )
        for r, step in zip(lite_rows, LITE_STEPS):
            self.text(ws, f"A{r}", step.format(first=f"A{first}", last=last), align=S.WRAP)
        for row, line in enumerate(code, start=first):
            if line:
                c = ws.cell(row=row, column=1, value=line)
                c.data_type = "s"  # code is text, never a formula, whatever its first character
                self.styled(c, S.NAME_FONT, None, None, line[:1] in ("=", "+", "-", "@", "#"))
        for r in steps_rows:  # let the steps wrap: roughly one line per 95 characters
            ws.row_dimensions[r].height = 15 * (1 + len(ws[f"A{r}"].value) // 95)
        self.print_setup(ws, tall_pages=1)
        ws.print_area = f"A1:A{last_step}"  # the steps; the code is for pasting, not printing

        conf = self.wb.create_sheet(CONF_SHEET)
        self.text(conf, "A1", "UDF MODULES")
        self.text(conf, "B1", "xlmodel.udfs")
        conf.column_dimensions["A"].width = 16
        conf.column_dimensions["B"].width = 16
        self.print_setup(conf, tall_pages=1)
        # not a page of its own: the print area is one empty cell, which prints nothing (LibreOffice and Excel
        # skip an empty page). The sheet stays visible, as xlwings' own quickstart workbooks have it.
        conf.print_area = CONF_NO_PRINT
