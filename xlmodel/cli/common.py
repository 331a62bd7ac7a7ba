"""What every command shares: the one-line errors, the terminal formats, loading an assumptions file.

Every library error becomes a one-line message on stderr and exit status 2
(:class:`XlmodelGroup`, the ``xlmodel`` group's class); :class:`Refused` is
the same for a refusal the command line itself makes.
"""

from __future__ import annotations

import json
import math
import os
import sys

import click
import numpy as np

from .. import assumptions
from ..errors import XlmodelError
from ..outputs import OUTPUT_UNITS, json_value

__all__ = [
    "Refused",
    "XlmodelGroup",
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

#: from this size on a number prints in scientific notation (1.235e+300), not as hundreds of digits
HUGE = 1e15


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


def dumps(doc) -> str:
    """JSON of a command's document. Never ``Infinity`` or ``NaN`` (not JSON): an overflow that reached this far
    is one line and exit status 2, not a document a JSON reader refuses."""
    try:
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise XlmodelError(
            "a result overflowed floating point (an infinity or a nan), so no JSON is printed: "
            "inputs this extreme are beyond what the model can compute"
        ) from None


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
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 25] + f"... ({len(text):,} characters)"


def format_value(name: str, value: float, currency: str) -> str:
    """How a number reads in the terminal table."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isinf(value):
        return "never"
    unit = OUTPUT_UNITS[name]
    if unit == "yes/no":  # a flag's mean over draws: the share of yes
        return f"{value * 100:,.1f}% yes"
    if unit.startswith("fraction"):
        return _percent(value, ",.1f")
    if unit == "ratio":
        return f"{_two_significant(value, 2)}x"
    if unit == "months":
        return _fixed(value, ",.1f")
    if unit == "month":
        return _fixed(value, ",.0f")
    return _two_significant(value, 2)


def _fixed(value: float, fmt: str) -> str:
    """``format(value, fmt)``, or 1.235e+300 for a number of 1e15 or more (not hundreds of digits)."""
    return f"{value:.4g}" if abs(value) >= HUGE else format(value, fmt)


def _percent(value: float, fmt: str) -> str:
    """A fraction as a percentage (``fmt`` formats the percentage); a huge one in scientific notation."""
    pct = value * 100
    if not math.isfinite(pct):  # beyond 1.8e306: the percentage itself overflows
        return f"{value:.4g} (fraction)"
    return f"{pct:.4g}%" if abs(pct) >= HUGE else f"{pct:{fmt}}%"


def _two_significant(value: float, decimals: int) -> str:
    """``decimals`` places, or more for a small number so that it keeps two significant digits (0.0146: 0.015)."""
    a = abs(value)
    if a >= HUGE:
        return f"{value:.4g}"
    if 0 < a < 10 ** -(decimals - 1):
        decimals = min(12, 1 - math.floor(math.log10(a)))
    return f"{value:,.{decimals}f}"


def format_unit(name: str, currency: str) -> str:
    return OUTPUT_UNITS[name].replace("currency", currency)


def load_assumptions(path) -> assumptions.Assumptions:
    """The file's assumptions, or the bundled defaults without a file."""
    return assumptions.load(path) if path else assumptions.default()


def compact(name: str, value, currency: str) -> str:
    """format_value, with money of a million or more as 13.36M / -8.33B so that a row of percentiles fits."""
    if (
        value is not None
        and not math.isinf(value)
        and OUTPUT_UNITS[name].startswith("currency")
        and 1e6 <= abs(value) < HUGE
    ):
        for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
            if abs(value) >= div:
                return f"{value / div:,.2f}{suffix}"
    return format_value(name, value, currency)


def num(v, fmt: str) -> str:
    """``v`` formatted, ``n/a`` for None; a number of 1e15 or more in scientific notation."""
    if v is None:
        return "n/a"
    if fmt.endswith("%"):
        return format(v, fmt) if abs(v) * 100 < HUGE else _percent(v, "")
    return _fixed(v, fmt)
