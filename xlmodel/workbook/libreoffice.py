"""Running LibreOffice Calc, headless: recalculate workbooks, or print them to PDF.

Each run gets a throw-away user profile that recalculates every formula on
load, never runs a macro and never updates an external link, and its own
process group, killed whole on a timeout. :mod:`xlmodel.workbook.verify`
compares what comes back with the engine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import XlmodelError

__all__ = ["recalculate", "find_soffice", "BATCH", "FILTERS"]

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">\
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>1</value></prop></item>
</oor:items>
"""
#: what the throw-away LibreOffice profile sets: recalculate every formula on load, never run a macro
#: (security level "very high" and macro execution disabled), never update an external link (Calc's
#: link update mode 1: never), which also keeps WEBSERVICE and external references from fetching anything.


def find_soffice() -> str:
    """Path of LibreOffice's ``soffice``; an error that says how to install it if absent."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise XlmodelError(
        "LibreOffice Calc is needed to recalculate workbooks and was not found on PATH "
        "(Debian/Ubuntu: apt-get install libreoffice-calc-nogui)"
    )


#: files per LibreOffice process: one process converting hundreds of files was
#: seen to stop early (after ~245) with exit status 0, so batches stay small.
BATCH = 40


#: what LibreOffice writes: a recalculated workbook, or the pages as a user prints them
FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf:calc_pdf_Export"}


def _convert(soffice: str, paths: list[Path], outdir: Path, timeout: float, to: str = "xlsx"):
    with tempfile.TemporaryDirectory(prefix="xlmodel-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            FILTERS[to],
            "--outdir",
            str(outdir),
            *[str(p) for p in paths],
        ]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
        # its own process group: on a timeout the whole group goes (soffice.bin too, not just the launcher),
        # before the profile folder is removed
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise XlmodelError(f"LibreOffice did not finish recalculating within {timeout:g} s") from None
        except BaseException:
            _kill_group(proc)
            raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


def recalculate(paths: list[Path], outdir: Path, timeout: float = 600, to: str = "xlsx") -> list[Path]:
    """Recalculate ``paths`` in headless LibreOffice; returns the recalculated copies (``to="pdf"``: PDFs).

    Each LibreOffice process gets a fresh profile told to recalculate every
    formula on load, and converts up to ``BATCH`` files; a file a batch did not
    write is tried once more on its own.
    """
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in paths]
    out = [outdir / p.with_suffix("." + to).name for p in paths]
    proc = None
    for i in range(0, len(paths), BATCH):
        proc = _convert(soffice, paths[i : i + BATCH], outdir, timeout, to)
    for p, o in zip(paths, out):
        if not o.exists():
            proc = _convert(soffice, [p], outdir, timeout, to)
            if not o.exists():
                raise XlmodelError(
                    f"LibreOffice did not write {o} (exit {proc.returncode}): "
                    f"{(proc.stderr or proc.stdout).strip()[-300:]}"
                )
    return out
