"""The decision commands' reports as text: what a goal seek's answer means (:func:`solve_text`), in sentences,
and a two-way grid as a terminal table (:func:`grid_text`)."""

from __future__ import annotations

import math

from ..outputs import OUTPUT_UNITS, input_text, output_text  # one definition: the Excel functions' too
from ..params import PARAMS
from ..sensitivity import ONE_PER_CALL
from ..solve import DETERMINISTIC_GRID, GRID
from .common import compact, format_unit, format_value

__all__ = ["input_unit", "solve_text", "grid_text"]


def input_unit(name: str, currency: str) -> str:
    """The unit shown after a value of input ``name`` (with a space; none for months, fractions and percents)."""
    unit = PARAMS[name].unit.replace("currency", currency)
    return (
        ""
        if unit in ("month", "months") or "fraction" in unit or PARAMS[name].fmt == "percent"
        else f" {unit}"
    )


def _target_text(output: str, target: float, currency: str) -> str:
    unit = OUTPUT_UNITS[output].replace("currency", currency)
    if math.isinf(target):
        return "never"
    if unit == "month":
        return f"month {format_value(output, target, currency)}"
    if unit == "yes/no":  # yes, no, or a statistic's share of yes
        return compact(output, target, currency)
    return f"{compact(output, target, currency)} {unit}".rstrip()


def _apart(output: str, a: float, b: float, currency: str, start) -> tuple[str, str]:
    """Two values of an output as text that tells them apart (more digits when the usual ones agree)."""
    ta, tb = output_text(output, a, currency, start), output_text(output, b, currency, start)
    if ta == tb and math.isfinite(a) and math.isfinite(b):
        fmt = ",.0f" if OUTPUT_UNITS[output].startswith("currency") else ",.6g"
        ta, tb = format(a, fmt), format(b, fmt)
    return ta, tb


def solve_text(r, a, name: str) -> list[str]:
    """What a :class:`~xlmodel.solve.Solution` means, in sentences."""
    cur, start = a.currency, a.start
    flag = (
        r.statistic is None and OUTPUT_UNITS[r.output] == "yes/no"
    )  # one plan's flag: yes or no, not a share
    shown = lambda v: bool(v) if flag and v is not None and math.isfinite(v) else v
    x = lambda v: input_text(r.vary, v, cur, start)
    y = lambda v: output_text(r.output, shown(v), cur, start)
    goal = compact(r.output, shown(r.target), cur)
    unit = input_unit(r.vary, cur)
    what = r.output if r.statistic is None else f"the {r.statistic.upper()} of {r.output}"
    over = "" if r.statistic is None else f" over {r.draws:,} draws (seed {r.seed})"
    grid = (
        "every whole value"
        if r.integer and r.high - r.low < (4096 if r.statistic is None and r.vary not in ONE_PER_CALL else 64)
        else f"a {DETERMINISTIC_GRID if r.statistic is None else GRID}-point grid"
    )
    lines = (
        [
            f"{a.name}: scenario {name} ({a.source})",
            (
                f"goal seek: {r.vary} from {x(r.low)} to {x(r.high)}{unit}, so that {what} = "
                f"{_target_text(r.output, shown(r.target), cur)}{over}"
            ),
        ]
        + [f"note: {n}" for n in r.notes]
        + [
            f"note: {r.vary} {'of ' + x(lo) if lo == hi else f'from {x(lo)} to {x(hi)}'} makes the plan "
            f"invalid ({why}): left out of the search"
            for lo, hi, why in r.invalid
        ]
        + [""]
    )
    base = f"at the base {'(not given)' if r.base is None else x(r.base)} it is {y(r.at_base)}"
    if r.everywhere:
        reads = "never" if math.isinf(r.target) else f"at {goal}"
        where = "the base" if r.base is not None and r.value == r.base else "the value nearest the base"
        lines.append(
            f"{what} is {reads} for every {'valid ' if r.invalid else ''}{r.vary} from {x(r.low)} to "
            f"{x(r.high)}: met over the whole "
            f"range, so there is no crossing; the answer is {where}, {x(r.value)}{unit}; {base}."
        )
        return lines
    if not r.reached:
        lo, hi = r.range
        where = (
            (f"at or above {goal} everywhere" if lo >= r.target else f"below {goal} everywhere")
            if r.meets == "at or above"
            else (f"at or below {goal} everywhere" if hi <= r.target else f"above {goal} everywhere")
        )
        if math.isinf(r.target):
            where = "never everywhere" if lo == r.target else ("finite everywhere" if hi < r.target else "")
        if math.isnan(lo):
            where = "n/a everywhere"
        money = OUTPUT_UNITS[r.output].startswith("currency")
        ends = [
            y(v) if y(v) != goal or v == r.target else (f"{v:,.0f}" if money else f"{v:,.6g}")
            for v in (lo, hi)
        ]  # all the digits where the rounded end would read as the target itself
        lines.append(
            f"{what} does not reach {goal} for {r.vary} between {x(r.low)} and {x(r.high)}: it "
            f"runs from {ends[0]} to {ends[1]} there ({where}, on {grid}); {base}."
        )
        lines.append("Widen --between, or change the target.")
        return lines
    k = r.crossings.index(r.value)
    if r.steps[k]:
        below, above = r.around[k]
        met, other = (above, below) if r.side[k] == "above" else (below, above)
        met, other = _apart(r.output, met, other, cur, start)
        side = "up" if r.side[k] == "above" else "down"
        reads = "never" if math.isinf(r.target) else f"{r.meets} {goal}"
        lines.append(
            f"{what} is {reads} for {r.vary} from {x(r.value)}{unit} {side} (there it is "
            f"{met}; past the boundary, {other}); {base}."
        )
    else:
        verb = "keeps" if r.output.startswith(("runway", "lowest_cash", "ending_cash")) else "puts"
        lines.append(
            f"{r.vary} of {x(r.value)}{unit} {verb} {what} at {_target_text(r.output, shown(r.target), cur)}; "
            f"{base}."
        )
    if len(r.crossings) > 1:
        lines.append("")
        lines.append(
            f"{what} passes {goal} at {len(r.crossings)} values of {r.vary} (on {grid}): "
            + ", ".join(
                f"{x(c)} ({r.meets} {goal} from it {'up' if sd == 'above' else 'down'})"
                for c, sd in zip(r.crossings, r.side)
            )
            + "; the answer is the one nearest the "
            "base."
        )
    return lines


def grid_text(g, a, name: str) -> list[str]:
    """The grid as a terminal table, the base cell in brackets."""
    cur = a.currency
    what = g.output if g.statistic is None else f"{g.statistic.upper()} of {g.output}"
    head = [f"{g.rows[0]} \\ {g.cols[0]}"] + [input_text(g.cols[0], v, cur) for v in g.cols[1]]
    body = []
    for i, rv in enumerate(g.rows[1]):
        cells = [compact(g.output, None if math.isnan(v) else float(v), cur) for v in g.values[i]]
        if g.base is not None and g.base[0] == i:
            cells[g.base[1]] = f"[{cells[g.base[1]]}]"
        body.append([input_text(g.rows[0], rv, cur)] + cells)
    widths = [max(len(r[j]) for r in [head] + body) for j in range(len(head))]
    line = lambda r: "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])])
    given = lambda k: (
        "not given"
        if g.base_inputs[k] is None
        else input_text(g.rows[0] if k == 0 else g.cols[0], g.base_inputs[k], cur)
    )
    off = "" if g.base is not None else "; not on the grid"
    base = (
        f"{'[ ] ' if g.base is not None else ''}the base ({g.rows[0]} {given(0)}, {g.cols[0]} {given(1)}{off}): "
        f"{output_text(g.output, g.at_base, cur, a.start)}"
    )
    return (
        [
            f"{a.name}: scenario {name} ({a.source})",
            f"{what} ({format_unit(g.output, cur)}) by {g.rows[0]} (rows) and {g.cols[0]} (columns)",
        ]
        + [f"note: {n}" for n in g.notes]
        + [""]
        + [line(head)]
        + [line(r) for r in body]
        + ["", base]
    )
