"""What every command shares: the one-line errors, the terminal formats, loading an assumptions file.

Every library error becomes a one-line message on stderr and exit status 2
(:class:`XlmodelGroup`, the ``xlmodel`` group's class); :class:`Refused` is
the same for a refusal the command line itself makes.
"""

from __future__ import annotations

import math

import click
import numpy as np

from .. import assumptions
from ..errors import XlmodelError
from ..outputs import OUTPUT_UNITS

__all__ = ["Refused", "XlmodelGroup", "format_value", "format_unit", "json_value", "load_assumptions", "compact",
           "num", "one_line"]


class Refused(click.ClickException):
    """Bad input or a file we will not overwrite: exit status 2, nothing written."""

    exit_code = 2


class XlmodelGroup(click.Group):
    """Every failure a user can cause is one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
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
        return f"{value * 100:,.1f}%"
    if unit == "ratio":
        return f"{_two_significant(value, 2)}x"
    if unit == "months":
        return f"{value:,.1f}"
    if unit == "month":
        return f"{value:,.0f}"
    return _two_significant(value, 2)


def _two_significant(value: float, decimals: int) -> str:
    """``decimals`` places, or more for a small number so that it keeps two significant digits (0.0146: 0.015)."""
    a = abs(value)
    if 0 < a < 10 ** -(decimals - 1):
        decimals = min(12, 1 - math.floor(math.log10(a)))
    return f"{value:,.{decimals}f}"


def format_unit(name: str, currency: str) -> str:
    return OUTPUT_UNITS[name].replace("currency", currency)


def json_value(value):
    """``"never"`` for an infinity, ``null`` for n/a, plain Python values otherwise (JSON has no inf or nan)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, float) and math.isinf(value):
        return "never" if value > 0 else "-never"
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def load_assumptions(path) -> assumptions.Assumptions:
    """The file's assumptions, or the bundled defaults without a file."""
    return assumptions.load(path) if path else assumptions.default()


def compact(name: str, value, currency: str) -> str:
    """format_value, with money of a million or more as 13.36M / -8.33B so that a row of percentiles fits."""
    if value is not None and not math.isinf(value) and OUTPUT_UNITS[name].startswith("currency") \
            and abs(value) >= 1e6:
        for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
            if abs(value) >= div:
                return f"{value / div:,.2f}{suffix}"
    return format_value(name, value, currency)


def num(v, fmt: str) -> str:
    return "n/a" if v is None else format(v, fmt)
