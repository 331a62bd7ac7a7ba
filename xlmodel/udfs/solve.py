"""Goal seek in a cell: ``=LLM_SOLVE(inputs, vary, output, target, [low], [high], [changes], [funding], [team],
[capex])``.

The plan comes from ``LLM_PLAN``'s tables (inputs: name, value; changes: month, driver, level; funding:
month, amount, credits, expires; team; capex: :mod:`xlmodel.udfs.plan_tables`); :func:`xlmodel.solve.solve` does the rest. A target that cannot be reached within the bounds
is an answer, not an error: the cell shows the text ``not reached: ...`` with the output's range, so that
``ISNUMBER()`` tells it apart.
"""

from __future__ import annotations

import math

from ..assumptions import from_dict
from ..errors import AssumptionsError, XlmodelError
from ..outputs import input_text, output_text
from ..solve import solve
from .cells import NEVER, excel, fail, number, single
from .plan_tables import plan_tables

__all__ = ["LLM_SOLVE"]


def _name(name: str, value) -> str:
    cell = single(name, value, None)
    if not isinstance(cell, str):
        raise XlmodelError(
            f"{name} must be the name of an {'input' if name == 'vary' else 'output'} (text), "
            f"got {cell!r:.40}"
        )
    return cell.strip()


def _number(name: str, value):
    """A single cell's number, the text never (+inf), or None when the cell is empty."""
    cell = single(name, value, None)
    if cell is None:
        return None
    if isinstance(cell, str) and cell.strip().lower() == NEVER:
        return math.inf
    return number(name, cell, None)


@excel()
def LLM_SOLVE(
    inputs, vary, output, target, low=None, high=None, changes=None, funding=None, team=None, capex=None
):
    """Goal seek on a plan from LLM_PLAN's tables: the value of input vary (between low and high) at which output reaches target; the text "not reached: ..." with the output's range when it cannot."""
    try:
        doc = plan_tables(inputs, changes, funding, team=team, capex=capex)
        try:
            a = from_dict(doc, "inputs")
        except AssumptionsError as e:  # the table names no file and no [model]: the key and the rule
            key = e.key.removeprefix("model.") if e.key else None
            raise XlmodelError(f"{key}: {e.message}" if key else e.message) from None
        want = _number("target", target)
        if want is None:
            raise XlmodelError("target is required: the output's target, a number (or never)")
        r = solve(
            a.scenario(),
            _name("vary", vary),
            _name("output", output),
            want,
            _number("low", low),
            _number("high", high),
        )
        if r.reached:
            return float(r.value)
        # money as the command line prints it (212.26M, not 2.12261e+08): one formatter, xlmodel.outputs
        y = [output_text(r.output, v, a.currency, a.start) for v in r.range]
        x = [input_text(r.vary, v, a.currency, a.start) for v in (r.low, r.high)]
        return f"not reached: {r.output} is {y[0]} to {y[1]} for {r.vary} from {x[0]} to {x[1]}"
    except Exception as e:
        return fail(e)
