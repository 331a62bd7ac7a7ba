"""The command line's Excel set-up commands: ``xlmodel lite`` and ``xlmodel xlwings-conf``.

Registered on the ``xlmodel`` group by :mod:`xlmodel.cli`. Failures raise
:class:`~xlmodel.errors.XlmodelError`, which the group prints as one line with
exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import XlmodelError
from .common import echo


def _refuse_existing(paths, force: bool) -> None:
    existing = [str(p) for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        raise XlmodelError(
            f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite"
        )


def _write(path: Path, text: str, force: bool) -> None:
    from ..fsutil import write_atomic

    try:
        write_atomic(path, text.encode("utf-8"), force=force)
    except FileExistsError:
        raise XlmodelError(f"{path} exists; pass --force to overwrite it") from None


@click.command(
    epilog="""\b
Examples:
  xlmodel lite                 # writes xlmodel-lite/main.py and xlmodel-lite/requirements.txt
  xlmodel lite -o lite --force

\b
Then, in Excel (365 or 2021+, Windows or Mac, or Excel on the web):
  1. Home > Add-ins: search "xlwings" and add xlwings Lite (once); open it.
  2. Replace everything in its main.py tab with main.py.
  3. Add requirements.txt's line to its requirements.txt tab (keep what is there).
  4. Restart it (its menu > Restart) and type =LLM_RUNWAY( in a cell.
"""
)
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False),
    default="xlmodel-lite",
    show_default=True,
    help="Folder for main.py and requirements.txt (created if missing).",
)
@click.option("--force", is_flag=True, help="Overwrite main.py and requirements.txt if they exist.")
def lite(folder, force):
    """Write the LLM_* Excel functions for xlwings Lite: main.py and requirements.txt to paste.

    main.py carries xlmodel's own engine code (nothing to install or host) and
    today's model prices from genai-prices, frozen in with their date.
    """
    from ..fsutil import check_target, write_files
    from ..lite import lite_files

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise XlmodelError(f"{folder} is not a folder")
    paths = {name: folder / name for name in ("main.py", "requirements.txt")}
    # all or nothing: every target checked before anything is written; names inside the folder never follow a link
    if folder.is_dir():
        for p in paths.values():
            check_target(p, force=True, follow=False)
    _refuse_existing(paths.values(), force)
    files = lite_files()
    if set(files) != set(paths):  # pragma: no cover - lite_files and this command name the same two files
        raise XlmodelError(f"the Lite bundle's files changed: {', '.join(files)}")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        write_files(
            {paths[name]: text.encode("utf-8") for name, text in files.items()}, force=force, follow=False
        )
    except FileExistsError as e:
        raise XlmodelError(f"{e} exists; pass --force to overwrite it") from None
    for name, text in files.items():
        echo(f"Wrote {paths[name]} ({len(text.splitlines()):,} lines)")
    echo(
        "Next: paste main.py into xlwings Lite's main.py tab, add requirements.txt's line to its "
        "requirements.txt tab, restart, and type =LLM_RUNWAY( (see xlmodel lite --help)."
    )


@click.command(
    "xlwings-conf",
    epilog="""\b
Examples:
  xlmodel xlwings-conf                 # print it
  xlmodel xlwings-conf -o xlwings.conf # write it beside your workbook
""",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of printing."
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def xlwings_conf(output, force):
    """Print the xlwings.conf that makes the classic add-in import the LLM_* functions."""
    from ..udfs import xlwings_conf_text

    text = xlwings_conf_text()
    if not output:
        click.echo(text, nl=False)  # a file's text for a pipe or a redirect, as written to a file
        return
    out = Path(output)
    _write(out, text, force)  # refuses an existing file without --force
    echo(f"Wrote {out}")
