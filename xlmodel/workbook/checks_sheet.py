"""The Checks sheet: one line per check, the master check, the Excel functions' status."""

from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname

from . import styles as S


class ChecksSheet:
    """The Checks sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def checks_sheet(self):
        ws = self.wb.create_sheet("Checks")
        self.title(
            ws,
            "Checks",
            "Each check is TRUE when it passes; the master check is TRUE when all pass.",
            live=True,
        )
        names = [n for n, _ in self.scenarios]
        self.header(ws, 4, ["Check", "", "", "Passes", ""] + [f"{n}" for n in names])
        first_s, last_s = get_column_letter(6), get_column_letter(5 + len(names))
        for desc, formula in self._sweep_checks():
            self.add_check(desc, formula)
        if self.udf_checks:
            self.add_check(
                "Excel functions: set up and agreeing with the native formulas, or not set up yet (see "
                "the status below); never disagreeing",
                'excel_functions_status<>"DISAGREE"',
            )
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

        ``MAX`` of a range is an error when any cell of it is (texts such as never and n/a are skipped),
        so ``ISERROR(MAX(range))`` sweeps a block without evaluating a function cell by cell over it (which
        some programs do not do outside an array formula); not ``SUM``, which overflows to #NUM! when the
        cells are finite but large (a funding round of 1e308 beside the cash it adds to). Consecutive single cells are merged into one
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
            parts = [
                f"ISERROR(MAX({quote_sheetname(sheet)}!{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}))"
                for c1, r1, c2, r2 in merged
            ]
            chunk: list[str] = []
            for p in parts + [None]:
                if p is not None and len(",".join(chunk + [p])) < 150:
                    chunk.append(p)
                    continue
                if chunk:
                    out.append(
                        (
                            f"No error value on the {sheet} sheet's named inputs, outputs and month rows",
                            f"NOT(OR({','.join(chunk)}))" if len(chunk) > 1 else f"NOT({chunk[0]})",
                        )
                    )
                chunk = [p] if p is not None else []
        return out

    def _udf_status(self, ws, row: int):
        """The Excel functions' own lines, outside the master check until they are set up (#NAME? meanwhile)."""
        self.section(
            ws,
            row,
            "Excel functions (=LLM_*): their status is not part of the master check until they are set up",
            5,
        )
        first = row + 1
        for i, (desc, _, name) in enumerate(self.udf_checks):
            r = first + i
            self.text(ws, f"A{r}", desc)
            # E: the function's cell equals its native twin (a number to check_tolerance, a text exactly; a number
            # against a text is an error, so FALSE)
            self.formula(
                ws,
                f"E{r}",
                f"=IFERROR(IF(ISNUMBER({name}),ABS({name}-"
                f'{name}_native)<=check_tolerance*MAX(1,ABS({name}_native)),{name}&""='
                f'{name}_native&""),FALSE())',
                align=S.CENTER,
            )
            # D: #NAME? means the functions are not set up yet, which the status line says
            self.formula(
                ws,
                f"D{r}",
                f'=IF(ISERROR({name}),IF(ERROR.TYPE({name})=ERROR.TYPE(#NAME?),"not set up",FALSE()),E{r})',
                align=S.CENTER,
            )
        last = first + len(self.udf_checks) - 1
        rng = f"D{first}:D{last}"
        self.text(ws, f"A{last + 1}", "Excel functions: not set up / agree / DISAGREE", S.SECTION_FONT)
        self.formula(
            ws,
            f"D{last + 1}",
            f'=IF(COUNTIF({rng},FALSE())>0,"DISAGREE",IF(COUNTIF({rng},TRUE())'
            f'=ROWS({rng}),"agree","not set up"))',
            align=S.CENTER,
        )
        self.define("excel_functions_status", ws, f"D{last + 1}")
