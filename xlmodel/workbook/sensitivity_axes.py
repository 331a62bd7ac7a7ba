"""Which two inputs the Sensitivity sheet crosses: those that move the chosen output most for this plan.

- ``--grid a,b`` (``xlmodel new ... --grid churn,ad_growth``): those two, each at a +/-20% band.
- A scenario with ranges: the tornado of its ranges (each input at its low and its high, the others at their
  base) ranks them; the axes run from the low to the high through the base.
- Otherwise: a default +/-20% band on the plan's main drivers (:data:`MAIN_DRIVERS`), ranked the same way.

The ranking: the swing of the output (a "never" counted as the horizon), then the swing of the ending cash
(two inputs that leave the runway at "never" still differ in the cash they leave).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import AssumptionsError, XlmodelError
from ..params import PARAMS, RULES

#: the plan's main drivers, tried with a +/-20% band when the scenario has no ranges
MAIN_DRIVERS = (
    "churn",
    "conversion",
    "arppu",
    "cac",
    "ad_spend",
    "ad_growth",
    "paid_share",
    "cost_per_mau",
    "cost_decline",
    "fixed_costs",
)
#: the default band either side of the base
BAND = 0.2
#: points on each axis
STEPS = 5


@dataclass
class Axes:
    """The grid's two inputs and their values, and how they were chosen (written on the sheet)."""

    rows: tuple[str, list[float]]
    cols: tuple[str, list[float]]
    how: str
    #: each input tried: (input, value at the low end, value at the high end, output there, output there)
    ranking: list[tuple] = field(default_factory=list)


def _valid(name: str, v: float) -> bool:
    rule = RULES[PARAMS[name].rule]
    lo_bad = rule.lo is not None and (v < rule.lo or (v == rule.lo and not rule.lo_incl))
    hi_bad = rule.hi is not None and (v > rule.hi or (v == rule.hi and not rule.hi_incl))
    return not (lo_bad or hi_bad)


def _band(name: str, base: float, low: float | None = None, high: float | None = None) -> list[float]:
    """STEPS values from ``low`` to ``high`` through ``base`` (default: base -/+ BAND), each valid for the
    input; the base always on the axis."""
    low = base * (1 - BAND) if low is None else low
    high = base * (1 + BAND) if high is None else high
    half = STEPS // 2
    vals = [low + (base - low) * k / half for k in range(half)] + [base]
    vals += [base + (high - base) * k / half for k in range(1, half + 1)]
    return sorted({float(v) for v in vals if v == base or _valid(name, v)})


def _numeric(scenario: dict, name: str, zero: bool = False) -> bool:
    """A finite number in ``scenario`` (other than 0 unless ``zero``)."""
    v = scenario.get(name)
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and (zero or v != 0)


def choose_axes(a, sname: str, scenario: dict, output: str = "runway_months", grid=None) -> Axes:
    """The Sensitivity sheet's axes for scenario ``sname`` (its inputs ``scenario``, horizon included)."""
    from ..engine import summary

    if grid is not None:
        for name in grid:
            if name not in PARAMS or not _numeric(scenario, name):
                raise AssumptionsError(
                    a.source,
                    f"{name!r} is not an input of scenario {sname!r} with a value other than 0 "
                    "(a grid needs a neighbourhood either side of the base)",
                    key="grid",
                )
        r, c = grid
        return Axes(
            (r, _band(r, float(scenario[r]))),
            (c, _band(c, float(scenario[c]))),
            f"named with --grid, each at a +/-{BAND:.0%} band around the base",
        )
    ranges = a.ranges.get(sname, {})
    if ranges:
        tried = {
            k: (rg.low, rg.high)
            for k, rg in ranges.items()
            if k in PARAMS and _numeric(scenario, k, zero=True)
        }
        how = "the two inputs that move {out} most in the tornado of the scenario's ranges (low to high)"
    else:
        tried = {
            k: (float(scenario[k]) * (1 - BAND), float(scenario[k]) * (1 + BAND))
            for k in MAIN_DRIVERS
            if k in scenario and _numeric(scenario, k)
        }
        tried = {k: (lo, hi) for k, (lo, hi) in tried.items() if _valid(k, lo) and _valid(k, hi)}
        how = (
            f"no ranges: a default +/-{BAND:.0%} band on the plan's main drivers; the two that move {{out}} "
            "most"
        )
    horizon = int(scenario.get("horizon", 60))
    ranking = []
    for k, (lo, hi) in tried.items():
        try:
            ends = [summary(dict(scenario, **{k: v})) for v in (lo, hi)]
        except XlmodelError:  # an input the others determine (cost_per_mau from the token inputs)
            continue
        ranking.append(
            (k, lo, hi, ends[0][output], ends[1][output], ends[0]["ending_cash"], ends[1]["ending_cash"])
        )

    def swing(row) -> tuple[float, float]:
        a_, b_ = (horizon if math.isinf(x) else x for x in row[3:5])
        d = abs(b_ - a_)
        return (-1.0 if math.isnan(d) else d, abs(row[6] - row[5]))

    ranking.sort(key=swing, reverse=True)
    if len(ranking) < 2:
        raise AssumptionsError(
            a.source,
            f"the Sensitivity sheet needs two inputs of scenario {sname!r} with a value other than 0 among "
            f"{', '.join(MAIN_DRIVERS)} (or ranges, or --grid a,b)",
            key="grid",
        )
    (r, rlo, rhi, *_), (c, clo, chi, *_) = ranking[:2]
    base_r, base_c = float(scenario[r]), float(scenario[c])
    return Axes(
        (r, _band(r, base_r, min(rlo, base_r), max(rhi, base_r))),
        (c, _band(c, base_c, min(clo, base_c), max(chi, base_c))),
        how.format(out=output),
        [row[:5] for row in ranking],
    )


def default_band(scenario: dict) -> dict:
    """The ranges the risk template applies to a scenario that gives none: each of :data:`MAIN_DRIVERS` with a
    value other than 0 (and both ends valid for the input) from -20% to +20% of its value, PERT with its mode at
    the value; ``cost_per_mau`` only when it is not computed from the token inputs. Empty when nothing can be
    banded."""
    from ..params import TOKEN_KEYS
    from ..ranges import Range

    out = {}
    derived = any(scenario.get(k) is not None for k in TOKEN_KEYS[:4])
    for k in MAIN_DRIVERS:
        if not _numeric(scenario, k) or (k == "cost_per_mau" and derived):
            continue
        base = float(scenario[k])
        lo, hi = sorted((base * (1 - BAND), base * (1 + BAND)))
        if _valid(k, lo) and _valid(k, hi):
            out[k] = Range(low=lo, high=hi, mode=base, dist="pert")
    return out
