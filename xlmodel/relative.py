"""Relative change levels (docs/model.md, "Changes over time"): ``"-40%"``, ``"+10%"`` or ``"x0.6"``.

A relative level is a factor (0.6, 1.1, 0.6), never points: ``"+10%"`` on ``churn`` is churn x 1.1. From its
month on it sets the driver's level to the factor times the level the driver would have in that month without
it (:func:`xlmodel.timeline.resolve` computes it on every surface's behalf; the workbook's Changes sheet writes
the same product as a live formula). Pure Python, nothing at import time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import InputError

__all__ = ["Relative", "relative", "RELATIVE_FORMS"]

#: the forms a relative level takes, as messages name them
RELATIVE_FORMS = '"-40%", "+10%" or "x0.6"'
_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PERCENT = re.compile(rf"([+-])({_NUMBER})%", re.ASCII)
_TIMES = re.compile(rf"[xX]([+-]?{_NUMBER})", re.ASCII)


@dataclass(frozen=True)
class Relative:
    """A relative level: its ``factor`` and the ``text`` it was written as (written back as it was)."""

    factor: float
    text: str


def relative(value: object, what: str = "level") -> Relative | None:
    """The relative level a change's value spells, or None when it is no text (a number or a range).

    Parameters
    ----------
    value : object
        ``"-40%"`` (factor 0.6), ``"+10%"`` (1.1), ``"x0.6"`` (0.6), or a :class:`Relative`.
    what : str
        The level's name in messages (its driver).

    Raises
    ------
    InputError
        A text of another form (``"-40"``, ``"x"``), or a factor below 0 (``"-140%"``, ``"x-1"``).
    """
    if isinstance(value, Relative):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _PERCENT.fullmatch(text)
    t = _TIMES.fullmatch(text)
    if m is not None:
        factor = 1 + float(m.group(2)) / 100 if m.group(1) == "+" else 1 - float(m.group(2)) / 100
    elif t is not None:
        factor = float(t.group(1))
    else:
        raise InputError(
            what,
            f"{what} must be a number or a relative level ({RELATIVE_FORMS}: a factor on the level it "
            f"replaces), got {text!r:.40}",
        )
    if not math.isfinite(factor) or factor < 0:
        raise InputError(
            what,
            f"{what} {text} is a factor of {factor:.10g}: a relative level is a factor of 0 or more "
            "(-100% at most)",
        )
    return Relative(factor, text)
