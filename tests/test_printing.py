"""Printing: each sheet prints on the pages it should, and each chart prints once.

LibreOffice prints the workbooks to PDF as a user would (File > Print to
PDF); poppler's ``pdftotext`` reads each page's footer (``Sheet - page P of
N``) and ``pdftoppm`` renders the pages, to see where ink lands.
"""

import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from xlmodel import assumptions
from xlmodel.workbook import build, save_atomic
from xlmodel.workbook.verify import recalculate

from .conftest import need_libreoffice, need_poppler

ROOT = Path(__file__).resolve().parents[1]
FOOTER = re.compile(r"^(.+) - page (\d+) of (\d+)\s*$", re.M)

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The default model and its udf variant (with the committed Lite bundle), printed to PDF by LibreOffice."""
    need_libreoffice()
    need_poppler()
    folder = tmp_path_factory.mktemp("print")
    a = assumptions.default()
    bundle = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "workbooks" / "lite").iterdir()}
    save_atomic(build("model", a), folder / "model.xlsx")
    save_atomic(build("model", a, formulas="udf", lite=bundle), folder / "model-udf.xlsx")
    pdfs = recalculate([folder / "model.xlsx", folder / "model-udf.xlsx"], folder / "pdf", to="pdf")
    return {p.stem: p for p in pdfs}, a


def _pages(pdf: Path) -> list[str]:
    """The sheet each page belongs to, from its footer, in page order."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    footers = [(sheet.strip(), p, n) for sheet, p, n in FOOTER.findall(text)]
    assert footers and all(int(n) == len(footers) for _, _, n in footers), footers
    assert [int(p) for _, p, _ in footers] == list(range(1, len(footers) + 1))
    return [sheet for sheet, _, _ in footers]


def _ink_rows(pdf: Path, page: int) -> np.ndarray:
    """Dark pixels per pixel row of a page, top to bottom (a grey render at 30 dpi)."""
    out = pdf.with_name(f"{pdf.stem}-p{page}")
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "30",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    data = out.with_suffix(".pgm").read_bytes()
    magic, w, h, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    img = np.frombuffer(pixels[: int(w) * int(h)], dtype=np.uint8).reshape(int(h), int(w))
    return (img < 200).sum(axis=1)


def test_each_sheet_prints_on_its_own_number_of_pages(printed):
    pdfs, a = printed
    bands = math.ceil(a.horizon / 12)  # the timelines print 12 months per page, one page tall
    # Inputs at 75%: the scenarios and the Source column two pages across, its notes make it two tall;
    # Scenarios: the figures and their differences against base, then the annual P&L and the cash chart
    expected = {
        "Cover": 1,
        "Scenarios": 2,
        "Inputs": 4,
        "Changes": bands,
        "Unit economics": 1,
        "Projection": bands,
        "Charts": 1,
        "Annual": 1,
        "Migration": bands,
        "Sensitivity": 1,
        "Checks": 1,
    }
    assert Counter(_pages(pdfs["model"])) == expected
    # the udf variant adds one page of set-up steps (its thousands of rows of code do not print); the xlwings.conf
    # sheet, two cells the add-in reads, prints no page of its own
    assert Counter(_pages(pdfs["model-udf"])) == {**expected, "Excel functions": 1}


def test_each_chart_prints_once(printed):
    """The charts print below the table on their sheet's first page only.

    Were a chart repeated (anchored in the print-title columns A:D, which
    print on every page), every page of the sheet would carry its ink that
    far down. Instead the first page has ink well below the lowest ink of
    every other page of the sheet, and the other pages end where the table ends.
    """
    pdfs, _ = printed
    pages = _pages(pdfs["model"])
    for sheet in ("Migration",):
        numbers = [i + 1 for i, s in enumerate(pages) if s == sheet]
        assert len(numbers) >= 2
        rows = [_ink_rows(pdfs["model"], n) for n in numbers]
        body = int(0.95 * len(rows[0]))  # above the footer
        ends = [int(np.nonzero(r[:body])[0].max()) for r in rows]
        table_end = max(ends[1:])
        assert max(ends[1:]) - min(ends[1:]) <= 3, (sheet, ends)  # the other pages: the table, nothing below
        chart_ink = int(rows[0][table_end + 3 : body].sum())
        assert chart_ink > 300, (
            sheet,
            ends,
            chart_ink,
        )  # the charts, below the table, on the first page only
