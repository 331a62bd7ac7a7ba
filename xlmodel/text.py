"""User text as it may land in a workbook cell, a chart title, a file or a terminal: control characters removed.

One cleaning for every piece of user text (scenario names, the model's name
and currency, a file name written into a file), applied where the text is
read, so that every surface sees the same text and two names that differ only
in control characters are caught as the duplicates they become. Bidi controls
(the embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, and the marks U+200E, U+200F and U+061C) are
control characters too: they reorder what a terminal or a cell shows.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "CONTROL"]

#: the characters clean_text removes: C0 and C1 controls but tab and line breaks, DEL, bidi controls
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = CONTROL  # the name the workbook modules import


def clean_text(value: object) -> str:
    """``value`` as text with control characters (and bidi controls) removed and tabs and line breaks as spaces.

    >>> clean_text("a\\nb\\u202ec")
    'a bc'
    """
    text = str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return CONTROL.sub("", text).replace("\u2028", " ").replace("\u2029", " ")
