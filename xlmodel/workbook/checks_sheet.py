"""The Checks sheet (master check) and the Cover."""

from __future__ import annotations

import math

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter, quote_sheetname

from .. import __version__
from ..engine import OUTPUT_UNITS
from . import styles as S


class CoverAndChecks:
    """The Checks sheet (master check) and the Cover (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def checks_sheet(self):
        ws = self.wb.create_sheet("Checks")
        self.title(ws, "Checks", "Each check is TRUE when it passes; the master check is TRUE when all pass.")
        names = [n for n, _ in self.scenarios]
        self.header(ws, 4, ["Check", "", "", "Passes", ""] + [f"{n}" for n in names])
        first_s, last_s = get_column_letter(6), get_column_letter(5 + len(names))
        for desc, formula in self._sweep_checks():
            self.add_check(desc, formula)
        if self.udf_checks:
            self.add_check("Excel functions: set up and agreeing with the native formulas, or not set up yet (see "
                           "the status below); never disagreeing", 'excel_functions_status<>"DISAGREE"')
        row = 5
        for desc, formula, per_scenario in self.checks:
            self.text(ws, f"A{row}", desc)
            if per_scenario is None:
                self.formula(ws, f"D{row}", "=" + formula)
            else:  # every scenario column, cell by cell; an error in one is not a pass
                for j, f in enumerate(per_scenario):
                    self.formula(ws, f"{get_column_letter(6 + j)}{row}", "=" + f, align=S.CENTER)
                rng = f"{first_s}{row}:{last_s}{row}"
                self.formula(ws, f"D{row}", f"=COUNTIF({rng},TRUE())=COLUMNS({rng})")
            row += 1
        self.text(ws, f"A{row + 1}", "Master check: every check passes", S.SECTION_FONT)
        # COUNTIF, not AND over the range: an error value counts as a failed check in every spreadsheet
        self.formula(ws, f"D{row + 1}", f"=COUNTIF(D5:D{row - 1},TRUE())=ROWS(D5:D{row - 1})", font=S.OK_FONT)
        self.define("checks_ok", ws, f"D{row + 1}")
        if self.udf_checks:
            self._udf_status(ws, row + 3)
        for j in range(len(names)):
            ws.column_dimensions[get_column_letter(6 + j)].width = 12
        ws.column_dimensions["A"].width = 90
        ws.column_dimensions["D"].width = 12
        ws.freeze_panes = "A5"
        self.print_setup(ws, title_rows="4:4", tall_pages=1)

    def _sweep_checks(self) -> list[tuple[str, str]]:
        """One check per sheet: none of its named inputs, outputs or timeline rows holds an error value.

        ``SUM`` of a range is an error when any cell of it is (texts such as never and n/a are skipped),
        so ``ISERROR(SUM(range))`` sweeps a block without evaluating a function cell by cell over it (which
        some programs do not do outside an array formula). Consecutive single cells are merged into one
        range, and each formula stays short.
        """
        from openpyxl.utils.cell import range_boundaries

        out = []
        for sheet, refs in self.sweep.items():
            boxes = sorted(range_boundaries(r) for r in refs)
            merged: list[list[int]] = []
            for c1, r1, c2, r2 in boxes:  # stack rows of the same columns into one block
                if merged and merged[-1][0] == c1 and merged[-1][2] == c2 and merged[-1][3] + 1 >= r1:
                    merged[-1][3] = max(merged[-1][3], r2)
                else:
                    merged.append([c1, r1, c2, r2])
            parts = [f"ISERROR(SUM({quote_sheetname(sheet)}!{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}))"
                     for c1, r1, c2, r2 in merged]
            chunk: list[str] = []
            for p in parts + [None]:
                if p is not None and len(",".join(chunk + [p])) < 150:
                    chunk.append(p)
                    continue
                if chunk:
                    out.append((f"No error value on the {sheet} sheet's named inputs, outputs and month rows",
                                f"NOT(OR({','.join(chunk)}))" if len(chunk) > 1 else f"NOT({chunk[0]})"))
                chunk = [p] if p is not None else []
        return out

    def _udf_status(self, ws, row: int):
        """The Excel functions' own lines, outside the master check until they are set up (#NAME? meanwhile)."""
        self.section(ws, row, "Excel functions (=LLM_*): their status is not part of the master check until "
                              "they are set up", 5)
        first = row + 1
        for i, (desc, formula, name) in enumerate(self.udf_checks):
            r = first + i
            self.text(ws, f"A{r}", desc)
            # #NAME? (error type 5): the functions are not set up yet, which the status line says
            self.formula(ws, f"D{r}", f'=IF(ISERROR({name}),IF(ERROR.TYPE({name})=5,"not set up",FALSE()),'
                                      f"{formula})", align=S.CENTER)
        last = first + len(self.udf_checks) - 1
        rng = f"D{first}:D{last}"
        self.text(ws, f"A{last + 1}", "Excel functions: not set up / agree / DISAGREE", S.SECTION_FONT)
        self.formula(ws, f"D{last + 1}", f'=IF(COUNTIF({rng},FALSE())>0,"DISAGREE",IF(COUNTIF({rng},TRUE())'
                                         f'=ROWS({rng}),"agree","not set up"))', align=S.CENTER)
        self.define("excel_functions_status", ws, f"D{last + 1}")

    def cover_sheet(self):
        ws = self.cover
        self.title(ws, self.a.name, f"{self.t.title}: generated by xlmodel {__version__} from {self.a.source}")
        lines = [
            ("What this is", f"{self.t.title} workbook: {self.t.summary}. Every number is a live Excel "
                             "formula of the definitions in docs/model.md."),
            ("How to use", "1. Edit the blue cells on the Inputs sheet (one column per scenario). "
                           "2. Pick the live scenario in Inputs!D4. "
                           "3. Read the results here and on the calculation sheets. "
                           "4. Keep the master check TRUE (see the Checks sheet)."),
            ("Colours", "Blue on a pale fill: input. Black: formula. Green: a link to another sheet. "
                        "\"never\" means the event does not happen within the horizon."),
            ("Currency", self.a.currency),
        ]
        if self.udf:
            lines.insert(2, ("Excel functions", "The headline outputs call =LLM_...() functions written in Python: "
                                                "set them up once with the steps on the Excel functions sheet "
                                                "(xlwings Lite: nothing to install; a few minutes). Until then those "
                                                "cells show #NAME? and their checks are FALSE; the native formulas "
                                                "beside them (named ..._native) compute every number meanwhile."))
        row = 4
        for label, text in lines:
            self.text(ws, f"A{row}", label, S.SECTION_FONT).alignment = S.WRAP
            c = self.text(ws, f"B{row}", text)
            c.alignment = S.WRAP
            ws.merge_cells(f"B{row}:D{row}")
            ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 80))
            row += 1
        row += 1
        self.text(ws, f"A{row}", "Live scenario", S.SECTION_FONT)
        self.formula(ws, f"B{row}", "=scenario", font=S.HEADLINE_FONT)
        row += 1
        self.text(ws, f"A{row}", "Master check", S.SECTION_FONT)
        self.formula(ws, f"B{row}", '=IF(checks_ok,"OK","CHECK FAILED: see the Checks sheet")', font=S.OK_FONT)
        ws.conditional_formatting.add(f"B{row}", FormulaRule(formula=["NOT(checks_ok)"], font=S.FAIL_FONT,
                                                             fill=S.FAIL_FILL))
        row += 2
        self.header(ws, row, ["Headline", "Value", "Unit", "Name"])
        row += 1
        labels = {
            "cost_per_mau": "Compute cost per MAU", "blended_cac": "Blended CAC", "revenue_per_mau": "Revenue per MAU",
            "contribution_per_mau": "Contribution per MAU", "gross_margin": "Gross margin", "ltv": "LTV",
            "ltv_to_cac": "LTV / CAC", "payback_months": "Payback", "breakeven_conversion": "Break-even conversion",
            "runway_months": "Runway", "ending_cash": "Cash at the end of the horizon",
            "cost_per_paying_mau": "Compute cost per paying MAU", "blended_cost_per_mau": "Blended compute cost per MAU",
            "paid_cac": "Paid CAC", "ltv_to_paid_cac": "LTV / paid CAC", "payback_months_paid": "Payback on paid CAC",
            "runway_months_without_migration": "Runway without the migration",
            "migration_npv": "Migration NPV", "migration_payback_month": "Migration payback month",
            "cac_per_active": "CAC per active user", "runway_months_without_funding": "Runway without the rounds",
            "lowest_cash": "Lowest cash", "lowest_cash_month": "Month of the lowest cash",
            "funding_month": "Month of the raise", "funding_need": "Funding need",
            "breakeven_month": "Break-even month", "default_alive": "Default alive",
            "burn_multiple": "Burn multiple", "compute_to_revenue": "Compute to revenue",
            "plan_migration_npv": "Migration NPV (the plan's)",
            "plan_migration_payback_month": "Migration payback month (the plan's)",
        }
        fmts = {"gross_margin": "percent", "breakeven_conversion": "percent", "ltv_to_cac": "ratio",
                "ltv_to_paid_cac": "ratio", "payback_months_paid": "months", "runway_months_without_migration": "months",
                "payback_months": "months", "runway_months": "months", "migration_payback_month": "month",
                "migration_npv": "total", "ending_cash": "total", "runway_months_without_funding": "months",
                "lowest_cash": "total", "lowest_cash_month": "month", "funding_month": "month",
                "funding_need": "total", "breakeven_month": "month", "default_alive": "flag",
                "burn_multiple": "ratio", "compute_to_revenue": "percent", "plan_migration_npv": "total",
                "plan_migration_payback_month": "month"}
        for name in self.headlines:
            self.text(ws, f"A{row}", labels[name])
            self.formula(ws, f"B{row}", f"={name}", S.FORMATS[fmts.get(name, "money")], font=S.LINK_FONT,
                         align=S.RIGHT)
            self.text(ws, f"C{row}", self.unit(OUTPUT_UNITS.get(name, "currency")), S.UNIT_FONT)
            self.text(ws, f"D{row}", name, S.NAME_FONT)
            row += 1
        ws.column_dimensions["A"].width = 32
        ws.column_dimensions["B"].width = 20
        ws.column_dimensions["C"].width = 30
        ws.column_dimensions["D"].width = 28
        self.print_setup(ws, tall_pages=1)  # the cover is one page, however many headlines it lists
