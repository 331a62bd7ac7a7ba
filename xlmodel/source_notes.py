"""The notes of an assumptions file: the comment after each scenario value, read from the TOML text.

TOML parsers drop comments, so the notes (each input's source, shown in the workbooks' Source column) are read
from the text itself, line by line. A scenario's table header may be written with quotes, spaces or hyphens
(``[scenarios.cut-ads-raise]``, ``[scenarios."cut ads"]``, ``[ scenarios . downside ]``).
"""

from __future__ import annotations

from .text import clean_text

#: the key recorded for a scenario whose tables write no input (only dated entries): it inherits every input
TABLE_ONLY = ""


def _dotted(head: str) -> list[str]:
    """The parts of a dotted TOML key (``scenarios."a.b".changes``), each without its quotes and spaces.

    Parameters
    ----------
    head : str
        The text between a table header's brackets.

    Returns
    -------
    list of str
        The key's parts, in order.
    """
    parts: list[str] = []
    part, quote = "", ""
    for ch in head:
        if quote:
            if ch == quote:
                quote = ""
            else:
                part += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(part.strip())
            part = ""
        else:
            part += ch
    parts.append(part.strip())
    return parts


def source_notes(text: str) -> dict[tuple[str, str], str]:
    """The comment after each scenario value of a TOML file.

    ``key = value  # note`` and the comment lines indented under it that continue it; a value spanning lines
    keeps the note of its first line. A scenario whose tables write no input (a scenario of changes or rounds
    only) is recorded as ``(scenario, TABLE_ONLY)``: its table is in the file, and every input it has is the
    first scenario's.

    Parameters
    ----------
    text : str
        The assumptions file's text.

    Returns
    -------
    dict
        ``(scenario, key) -> note``: ``""`` for a value written without a note (which a later scenario then
        does not inherit from the first).
    """
    notes: dict[tuple[str, str], str] = {}
    scenario: str | None = None
    last: tuple[str, str] | None = None
    tables: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            head = stripped.split("#", 1)[0].strip().strip("[]").strip()
            parts = _dotted(head)
            scenario = parts[1] if len(parts) >= 2 and parts[0] == "scenarios" else None
            last = None
            if scenario is not None and scenario not in tables:
                tables.append(scenario)
            if len(parts) > 2:  # [[scenarios.x.changes]]: the decisions' notes are not inputs' sources
                scenario = None
            continue
        if stripped.startswith("#"):
            if last is not None and line[:1].isspace():  # an indented comment continues the note above
                notes[last] += " " + stripped.lstrip("#").strip()
            else:
                last = None
            continue
        if scenario is None or "=" not in stripped:
            last = None
            continue
        key, _, rest = stripped.partition("=")
        key = key.strip().strip('"')
        note = (
            rest.split("#", 1)[1].strip()
            if "#" in rest and not rest.strip().startswith(("{", '"'))
            else (
                rest.rsplit("}", 1)[1].split("#", 1)[1].strip()
                if "}" in rest and "#" in rest.rsplit("}", 1)[1]
                else ""
            )
        )
        notes[(scenario, key)] = clean_text(note)  # "": written here without a note (not inherited)
        last = (scenario, key) if note else None
    written = {sc for sc, _ in notes}
    notes.update({(sc, TABLE_ONLY): "" for sc in tables if sc not in written})
    return notes
