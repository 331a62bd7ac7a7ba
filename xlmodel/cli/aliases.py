"""Old spellings of flags, kept as hidden aliases for one release (issue 26), each with a note saying the new one.

The same flag means the same thing in every command: ``-a/--assumptions`` the plan read, ``-o/--output`` the
file written. ``sensitivity`` had ``--output OUTPUT`` (the output in the cells, now ``--of OUTPUT``) and
``-o/--out FILE`` (now ``-o/--output FILE``). Delete this module, and the hidden ``--out`` of ``sensitivity``,
in the release after next.
"""

from __future__ import annotations

from ..outputs import OUTPUT_UNITS
from .common import Refused

__all__ = ["sensitivity_spellings"]

_LATER = "(the old spelling works for one more release)"


def sensitivity_spellings(
    output: str | None, files: tuple[str, ...], old_out: str | None
) -> tuple[str, str | None, list[str]]:
    """``sensitivity``'s output name, its workbook file and the notes to print once the grid is computed (so that
    a refusal stays one line), from ``--of``, every ``-o/--output`` and the hidden ``--out``.

    An ``--output`` value that is the name of an output (never a file: the workbook is .xlsx) is the old
    ``--output OUTPUT``; each may be given once.
    """
    names = [v for v in files if v in OUTPUT_UNITS]
    paths = [v for v in files if v not in OUTPUT_UNITS] + ([old_out] if old_out else [])
    if len(names) + (output is not None) > 1 or len(paths) > 1:
        raise Refused("give the output once (--of OUTPUT) and the workbook once (-o FILE.xlsx)")
    notes = [f"Note: --output OUTPUT is now --of OUTPUT {_LATER}"] if names else []
    if old_out:
        notes.append(f"Note: --out FILE is now -o FILE {_LATER}")
    return output or (names[0] if names else "runway_months"), (paths[0] if paths else None), notes
