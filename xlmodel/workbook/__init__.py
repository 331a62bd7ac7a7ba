"""Generated workbooks: finished LLM-economics models with live Excel formulas.

``build(template, assumptions)`` returns an openpyxl workbook; ``save_atomic``
writes it without ever leaving a half-written file or overwriting one
silently; ``regenerate_folder`` rewrites the committed ``workbooks/`` folder.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TypedDict

from openpyxl.writer.excel import ExcelWriter

from ..assumptions import default
from ..fsutil import write_atomic
from ..lite import lite_files
from .builder import TEMPLATES, Builder, build
from .cached import add_cached_values

__all__ = ["TEMPLATES", "build", "save_atomic", "regenerate_folder", "COMMITTED", "LITE_FOLDER", "Builder"]

#: the committed xlwings Lite bundle (main.py, requirements.txt), a folder beside the workbooks
LITE_FOLDER = "lite"


class _BuildOptions(TypedDict, total=False):
    """The options of :func:`build` that a committed workbook sets (the others keep their defaults)."""

    formulas: str


#: the committed workbooks: file name -> (template, build options)
COMMITTED: dict[str, tuple[str, _BuildOptions]] = {
    "unit-economics.xlsx": ("unit-economics", {}),
    "runway.xlsx": ("runway", {}),
    "migration.xlsx": ("migration", {}),
    "model.xlsx": ("model", {}),
    "model-udf.xlsx": ("model", {"formulas": "udf"}),
    "risk.xlsx": ("risk", {}),
}


def to_bytes(wb) -> bytes:
    """The workbook as .xlsx bytes, with the engine's values cached in its named formula cells."""
    buf = io.BytesIO()
    # openpyxl writes uncompressed here; the pass that adds the cached values compresses, once
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return add_cached_values(buf.getvalue(), wb, getattr(wb, "_xlmodel_cached", {}))


def save_atomic(wb, path, force: bool = False) -> None:
    """Save ``wb`` to ``path`` atomically; refuses to overwrite unless ``force``, and refuses a workbook larger
    than ``xlmodel verify`` reads (:func:`check_verifiable`): every workbook xlmodel writes verifies."""
    data = to_bytes(wb)
    check_verifiable(data, Path(path))
    write_atomic(Path(path), data, force=force)


def check_verifiable(data: bytes, path: Path) -> None:
    """Raise :class:`~xlmodel.errors.XlmodelError` when the .xlsx ``data`` unpacks to more XML than verify reads
    (``MAX_XML_BYTES``) or is a larger file than it reads (``MAX_FILE_BYTES``)."""
    from ..errors import XlmodelError
    from .verify import MAX_FILE_BYTES, MAX_XML_BYTES

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = sum(i.file_size for i in z.infolist())
    if xml > MAX_XML_BYTES or len(data) > MAX_FILE_BYTES:
        raise XlmodelError(
            f"{path}: the workbook would unpack to {xml / 2**20:,.1f} MiB of XML ({len(data) / 2**20:,.1f} MiB "
            f"on disk); xlmodel verify reads up to {MAX_XML_BYTES // 2**20} MiB "
            f"({MAX_FILE_BYTES // 2**20} MiB on disk), so nothing was written: give fewer months (--months) "
            "or fewer scenarios"
        )


def regenerate_folder(folder: Path) -> list[Path]:
    """Rewrite every committed template workbook in ``folder`` from the defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    a = default()
    written = []
    # the Lite bundle, with today's prices; the udf workbook's Excel functions sheet carries the same files
    lite = lite_files()
    (folder / LITE_FOLDER).mkdir(exist_ok=True)
    for name, text in lite.items():
        path = folder / LITE_FOLDER / name
        write_atomic(path, text.encode("utf-8"), force=True)
        written.append(path)
    for name, (template, opts) in COMMITTED.items():
        path = folder / name
        save_atomic(
            build(template, a, lite=lite if opts.get("formulas") == "udf" else None, **opts), path, force=True
        )
        written.append(path)
    return written
