"""User text as it may land in a workbook cell, a chart title or a terminal: control characters removed.

One cleaning for every piece of user text (scenario names, the model's name
and currency), applied where the assumptions are read, so that every surface
sees the same text and two names that differ only in control characters are
caught as the duplicates they become.
"""

from __future__ import annotations

import re

__all__ = ["clean_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value) -> str:
    """``value`` as text with control characters removed and tabs and line breaks as spaces."""
    return _CONTROL.sub("", str(value)).replace("\t", " ").replace("\r", " ").replace("\n", " ")
