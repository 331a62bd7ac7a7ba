"""What every command shares: the one-line errors, the terminal formats, loading an assumptions file.

Every library error becomes a one-line message on stderr and exit status 2
(:class:`XlmodelGroup`, the ``xlmodel`` group's class); :class:`Refused` is
the same for a refusal the command line itself makes.
"""

from __future__ import annotations

import functools
import json
import os
import sys

import click

from .. import assumptions
from ..errors import XlmodelError
from ..outputs import (  # one definition, shared with the Excel functions' texts
    HUGE,
    _fixed,
    _percent,
    compact,
    format_unit,
    format_value,
    json_value,
)
from ..text import CONTROL, clean_text

__all__ = [
    "Refused",
    "XlmodelGroup",
    "assumptions_input",
    "echo",
    "not_empty",
    "format_value",
    "format_unit",
    "json_value",
    "load_assumptions",
    "compact",
    "num",
    "one_line",
    "dumps",
    "progress_bar",
    "HUGE",
]

#: a file by these suffixes is a workbook (read, or refused by name: .xlsm may run macros), else TOML
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


class Refused(click.ClickException):
    """Bad input or a file we will not overwrite: exit status 2, nothing written."""

    exit_code = 2


class XlmodelGroup(click.Group):
    """Every failure a user can cause is one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (
            BrokenPipeError
        ):  # the reader went away (xlmodel simulate | head -1): stop quietly, as Unix tools do
            _quiet_stdout()
            ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for a tool the broken pipe stopped
        except XlmodelError as e:
            click.echo(f"Error: {one_line(str(e))}", err=True)
            ctx.exit(2)
        except click.UsageError as e:  # a bad option or argument: one line, with where to look
            cmd = f" {e.ctx.info_name}" if e.ctx is not None and e.ctx.parent is not None else ""
            click.echo(f"Error: {one_line(e.format_message())} (see xlmodel{cmd} --help)", err=True)
            ctx.exit(2)
        except click.ClickException as e:  # a refusal (Refused): one line, its names cleaned for the terminal
            click.echo(f"Error: {one_line(e.format_message())}", err=True)
            ctx.exit(e.exit_code)
        except OSError as e:  # a file system refusal: a name too long, a read-only folder, a full disk
            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"Error: {one_line(where + (e.strerror or str(e)))}", err=True)
            ctx.exit(2)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's capture)
        pass


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of terminal text, each line cleaned (:func:`xlmodel.text.clean_text`): a file name or a
    scenario name with an escape sequence or a bidi override never rings the bell, clears the screen or
    reorders the line. The one way the commands print."""
    click.echo("\n".join(clean_text(line) for line in str(message).split("\n")), err=err, nl=nl)


def not_empty(ctx, param, value):
    """A click callback: an empty file name (``--plot ""``) is an error, never taken as "no file"."""
    values = value if isinstance(value, tuple) else (value,)  # an option given more than once: each
    if any(v is not None and not str(v).strip() for v in values):
        raise click.BadParameter("an empty file name: give a file name, or leave the option out")
    return value


def dumps(doc) -> str:
    """JSON of a command's document. Never ``Infinity`` or ``NaN`` (not JSON): an overflow that reached this far
    is one line and exit status 2, not a document a JSON reader refuses."""
    try:
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise XlmodelError(
            "a result overflowed floating point (an infinity or a nan), so no JSON is printed: "
            "inputs this extreme are beyond what the model can compute"
        ) from None
    # control and bidi characters only ever sit inside JSON strings: escaped there, the same data, a safe terminal
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def progress_bar(total: int, unit: str = "draws", stream=None, delay: float = 1.0):
    """A progress bar on ``stream`` (stderr) for a run that takes more than ``delay`` seconds, or None: when the
    stream is not a terminal (a pipe, a file, a test) or tqdm is not installed (it is optional)."""
    stream = sys.stderr if stream is None else stream
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total,
        unit=f" {unit}",
        unit_scale=True,
        delay=delay,
        file=stream,
        leave=False,
        dynamic_ncols=True,
    )


def one_line(text: str, limit: int = 500) -> str:
    """A message as one line, with what it quotes shortened (a 1 MB value is not echoed whole)."""
    text = " ".join(clean_text(text).split())
    return text if len(text) <= limit else text[: limit - 25] + f"... ({len(text):,} characters)"


def load_assumptions(path) -> assumptions.Assumptions:
    """The file's assumptions, or the bundled defaults without a file: a TOML file, or a workbook generated by
    xlmodel (by its suffix: .xlsx, read by :func:`xlmodel.workbook.read_plan.read_workbook`)."""
    if not path:
        return assumptions.default()
    if os.path.splitext(str(path))[1].lower() in WORKBOOK_SUFFIXES:
        from ..workbook.read_plan import read_workbook  # openpyxl: only for a workbook

        return read_workbook(path, note=lambda text: click.echo(f"Note: {one_line(text)}", err=True))
    return assumptions.load(path)


def assumptions_input(f):
    """The plan a command reads: ``ASSUMPTIONS_FILE`` after the command, or ``-a/--assumptions FILE`` as in
    ``new`` and ``cohorts`` (one flag for the plan in every command); the command gets ``assumptions_file``."""

    @functools.wraps(f)
    def command(*args, assumptions_option=None, **kw):
        if kw.get("assumptions_file") and assumptions_option:
            raise Refused("give the assumptions file once: as ASSUMPTIONS_FILE or with -a, not both")
        kw["assumptions_file"] = assumptions_option or kw.get("assumptions_file")
        return f(*args, **kw)

    command = click.option(
        "-a",
        "--assumptions",
        "assumptions_option",
        type=click.Path(dir_okay=False),
        callback=not_empty,
        metavar="FILE",
        help="Assumptions file (TOML, or a workbook xlmodel made), or give it as ASSUMPTIONS_FILE. Default: the "
        "bundled 2024 consumer assistant example.",
    )(command)
    return click.argument("assumptions_file", type=click.Path(dir_okay=False), required=False)(command)


def num(v, fmt: str) -> str:
    """``v`` formatted, ``n/a`` for None; a number of 1e15 or more in scientific notation."""
    if v is None:
        return "n/a"
    if fmt.endswith("%"):
        return format(v, fmt) if abs(v) * 100 < HUGE else _percent(v, "")
    return _fixed(v, fmt)
