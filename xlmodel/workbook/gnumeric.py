"""Recalculate workbooks in a second spreadsheet program: Gnumeric's ``ssconvert --recalc``.

Finance teams open files in more than one program; a formula that works in
LibreOffice may not in Gnumeric (the two-argument ``INDEX`` on a one-row range
is a row number there). The tests recalculate every template in both and
compare each with the engine (:mod:`xlmodel.workbook.verify`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..errors import XlmodelError

__all__ = ["find_ssconvert", "recalculate_gnumeric"]


def find_ssconvert() -> str:
    """Path of Gnumeric's ``ssconvert``; an error that says how to install it if absent."""
    path = shutil.which("ssconvert")
    if path is None:
        raise XlmodelError(
            "Gnumeric's ssconvert is needed to recalculate workbooks in a second program and was not "
            "found on PATH (Debian/Ubuntu: apt-get install gnumeric)"
        )
    return path


def recalculate_gnumeric(paths: list[Path], outdir: Path, timeout: float = 300) -> list[Path]:
    """Recalculate each of ``paths`` with ``ssconvert --recalc`` into ``outdir`` (same names); the copies."""
    ssconvert = find_ssconvert()
    outdir.mkdir(parents=True, exist_ok=True)
    out = []
    env = dict(os.environ, HOME=str(outdir))  # ssconvert may write its settings under HOME: keep them here
    for p in paths:
        target = outdir / Path(p).name
        r = subprocess.run(
            [ssconvert, "--recalc", "-T", "Gnumeric_Excel:xlsx2", str(p), str(target)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        if r.returncode != 0 or not target.exists():
            raise XlmodelError(
                f"Gnumeric did not recalculate {p} (exit {r.returncode}): {r.stderr.strip()[-300:]}"
            )
        out.append(target)
    return out
