"""A named output as steps of two of its inputs: the live cells of a closed-form sensitivity grid.

A grid of an output that is a closed form of the inputs (LTV / CAC: no month of the projection in it) can be
live formulas: one grid per named step that depends on the two inputs (revenue per MAU, gross margin, LTV,
...), each cell the step's own formula from the Unit economics sheet with those two inputs replaced by the
grid's row and column headers and each earlier step by its grid's cell at the same place. Every other input
stays a link to its live cell, so the grids follow the scenario picked on Inputs. An output that depends on the two inputs
through a row of months, or through a cell that is not a named single cell, is not a closed form here: its grid
stays the engine's numbers, with a freshness status (:mod:`xlmodel.workbook.sensitivity_sheet`).
"""

from __future__ import annotations

import re

from openpyxl.formula.tokenizer import Tokenizer
from openpyxl.utils.cell import range_boundaries

#: the longest formula a cell takes in Excel (8,192 characters), with room to spare
MAX_FORMULA = 8000
_SHEET_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!']+))!(.+)$")


class NotClosedForm(Exception):
    """The output depends on the inputs in a way one cell's formula cannot write out."""


class Inliner:
    """Writes a named output as steps of chosen inputs, from the workbook's own formulas.

    Parameters
    ----------
    wb : openpyxl.Workbook
        The workbook being built (its formulas and defined names).
    """

    def __init__(self, wb) -> None:
        self.wb = wb
        self._deps: dict[tuple[str, str], frozenset[str]] = {}

    def _cell_of(self, name: str) -> tuple[str, str] | None:
        """(sheet, coordinate) of a name's single cell: its ``_native`` twin's where it has one (an =LLM_*
        cell computes the same number); None for a range or a name without a cell."""
        dn = self.wb.defined_names.get(f"{name}_native") or self.wb.defined_names.get(name)
        dests = list(dn.destinations) if dn is not None else []
        if len(dests) != 1 or ":" in dests[0][1] or dests[0][0] not in self.wb.sheetnames:
            return None
        return dests[0][0], dests[0][1].replace("$", "")

    def _cells_of_ref(self, sheet: str, ref: str) -> list[tuple[str, str]]:
        """The cells a plain reference (``E9``, ``'Inputs'!$E$9:$H$9``) covers."""
        m = _SHEET_REF.match(ref)
        if m:
            sheet, ref = (m.group(1) or "").replace("''", "'") or m.group(2), m.group(3)
        if sheet not in self.wb.sheetnames:
            raise NotClosedForm(ref)
        ws = self.wb[sheet]
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        c2 = min(c2 or ws.max_column, ws.max_column)
        r2 = min(r2 or ws.max_row, ws.max_row)
        return [
            (sheet, ws.cell(row=r, column=c).coordinate)
            for r in range(r1 or 1, r2 + 1)
            for c in range(c1 or 1, c2 + 1)
        ]

    def _formula(self, sheet: str, coord: str) -> str | None:
        v = self.wb[sheet][coord].value
        return v if isinstance(v, str) and v.startswith("=") else None

    def depends(self, sheet: str, coord: str) -> frozenset[str]:
        """Every defined name a cell's value depends on, through names and references, transitively."""
        key = (sheet, coord)
        if key in self._deps:
            return self._deps[key]
        self._deps[key] = frozenset()  # a circular path adds nothing
        formula = self._formula(sheet, coord)
        out: set[str] = set()
        if formula is not None:
            for tok in Tokenizer(formula).items:
                if tok.type != "OPERAND" or tok.subtype != "RANGE":
                    continue
                if tok.value in self.wb.defined_names:
                    out.add(tok.value)
                    dn = self.wb.defined_names[tok.value]
                    for dsheet, dref in dn.destinations:
                        for cell in self._cells_of_ref(dsheet, dref):
                            out |= self.depends(*cell)
                else:
                    for cell in self._cells_of_ref(sheet, tok.value):
                        out |= self.depends(*cell)
        self._deps[key] = frozenset(out)
        return self._deps[key]

    def _step(self, name: str, subs: set[str], order: list, seen: tuple) -> None:
        """Add ``name``'s step to ``order`` after the steps it reads (depth first)."""
        if any(n == name for n, _ in order):
            return
        cell = self._cell_of(name)
        formula = None if cell is None else self._formula(*cell)
        if cell is None or formula is None or name in seen:
            raise NotClosedForm(name)
        sheet = cell[0]
        parts: list = []
        for tok in Tokenizer(formula).items:
            v = tok.value
            if tok.type == "OPERAND" and tok.subtype == "RANGE":
                if v in subs:
                    parts.append(("input", v))
                    continue
                if v in self.wb.defined_names:
                    named = self._cell_of(v)
                    if (
                        named is None
                    ):  # a row or a block: a closed form only if it does not move with the inputs
                        if any(self._name_depends(v, subs)):
                            raise NotClosedForm(v)
                    elif self.depends(*named) & subs:
                        self._step(v, subs, order, (*seen, name))
                        parts.append(("step", v))
                        continue
                elif any(self.depends(*c) & subs for c in self._cells_of_ref(sheet, v)):
                    raise NotClosedForm(v)  # a plain reference to a cell that moves with the inputs
                elif not _SHEET_REF.match(v):
                    v = f"{_quoted(sheet)}!{v}"  # the same cell, from the grid's sheet
            parts.append(v)
        order.append((name, parts))

    def _name_depends(self, name: str, subs: set[str]):
        for dsheet, dref in self.wb.defined_names[name].destinations:
            for cell in self._cells_of_ref(dsheet, dref):
                yield bool(self.depends(*cell) & subs)

    def steps(self, name: str, subs: set[str]) -> list[tuple[str, list]]:
        """The steps that compute ``name`` from the inputs ``subs``, in the order they are computed: each
        ``(step name, parts)``, the parts its formula's text with ``("input", name)`` where it reads one of
        ``subs`` and ``("step", name)`` where it reads an earlier step; the last step is ``name`` itself.
        Raises :class:`NotClosedForm` when a step cannot be written so."""
        order: list[tuple[str, list]] = []
        self._step(name, set(subs), order, ())
        return order


def render(parts: list, refs: dict[tuple[str, str], str]) -> str:
    """A step's formula (with its ``=``), each ``("input" | "step", name)`` part replaced by ``refs``."""
    out = "=" + "".join(refs[p] if isinstance(p, tuple) else p for p in parts)
    if len(out) > MAX_FORMULA:
        raise NotClosedForm(f"{len(out)} characters")
    return out


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


__all__ = ["Inliner", "NotClosedForm", "MAX_FORMULA", "render"]
