"""An assumptions document (the TOML's dict, as :func:`xlmodel.assumptions.from_dict` takes it) written as TOML.

Used by ``xlmodel export`` to write a workbook's plan back as an assumptions
file: ``[model]``, ``[correlations]``, then each scenario's inputs (each with
its source note as a comment), its team, capex, changes and funding rounds (a
round's credits and their expiry with it). Numbers are
written with ``repr`` so that reading the file back gives the same floats.
"""

from __future__ import annotations

import math

from .fitted_toml import _toml_key, _toml_str
from .text import clean_text

__all__ = ["plan_toml"]

#: a scenario's dated entries, each written as an array of tables (``[[scenarios.NAME.team]]``)
TABLES = ("team", "capex", "changes", "funding")


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"a plan holds finite numbers only, got {v!r}")
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _note(text: str | None) -> str:
    if not text:
        return ""
    return "  # " + " ".join(clean_text(text).split())


def plan_toml(doc: dict, notes: dict | None = None, header: str = "") -> str:
    """``doc`` as TOML text; ``notes`` ((scenario, key) -> note) as comments after the values."""
    notes = notes or {}
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    model = doc.get("model") or {}
    if model:
        lines.append("[model]")
        lines += [f"{_toml_key(k)} = {_value(v)}" for k, v in model.items()]
        lines.append("")
    corr = doc.get("correlations") or {}
    if corr:
        lines.append("[correlations]")
        lines += [f"{_toml_str(k)} = {_value(float(v))}" for k, v in corr.items()]
        lines.append("")
    for name, scen in doc["scenarios"].items():
        lines.append(f"[scenarios.{_toml_key(name)}]")
        for key, v in scen.items():
            if key in TABLES and v:  # (an empty array: the scenario inherits none of that kind)
                continue
            lines.append(f"{_toml_key(key)} = {_value(v)}{_note(notes.get((name, key)))}")
        for table in TABLES:
            for entry in scen.get(table) or ():
                lines.append(f"[[scenarios.{_toml_key(name)}.{table}]]")
                lines += [f"{_toml_key(k)} = {_value(x)}" for k, x in entry.items()]
        lines.append("")
    return "\n".join(lines)
