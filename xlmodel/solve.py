"""Goal seek (docs/model.md, "Goal seek"): the value of one input at which an output reaches a target.

``solve(scenario, vary="ad_spend", output="runway_months", target=18)`` answers "what ad budget keeps 18
months of runway?"; with ``statistic="p10"`` it answers "how much cash for a 90% chance of reaching month
18?" over the scenario's ranges, every trial value seeing the same draws (common random numbers), so that
the statistic is a smooth function of the input.

How: a grid of trial values over the bounds (at least 64 points) in one engine call
(:class:`xlmodel.sensitivity.Trials`), every bracket where the output passes the target found on it, then
all brackets refined together, each refinement step one engine call: many points a step for a deterministic
output (a call costs about the same for 1 scenario as for 1,000), the secant estimate and a bisection
point for a statistic (where every trial costs a simulation). Nothing here restates an equation of the model.

Pure Python and numpy, nothing runs at import time: usable in xlwings Lite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .company import TERMS
from .errors import InputError
from .outputs import json_value
from .params import PARAMS, RULES, describe_rule
from .sensitivity import MAX_EVALUATIONS, ONE_PER_CALL, WITHIN_HORIZON, Trials, check_input, check_statistic

__all__ = [
    "solve",
    "Solution",
    "default_bounds",
    "LOWER_IS_BETTER",
    "GRID",
    "RTOL",
    "EQUAL",
    "MAX_EVALUATIONS",
]

#: trial values on the first grid of a statistic (each costs a simulation); a deterministic solve uses more
GRID = 64
#: the first grid of a deterministic solve: one engine call of 256 scenarios costs about one of 64
DETERMINISTIC_GRID = 256
#: integer inputs with at most this many values in the bounds are evaluated at every value (deterministic)
ALL_INTEGERS = 4096
#: the answer's relative accuracy (docs/model.md: 1e-9 relative; absolute 1e-9 * max(|low|, |high|) near 0)
RTOL = 1e-9
#: the absolute accuracy near 0 (times max(|low|, |high|) when that is below 1): far tighter than
#: docs/model.md's 1e-9 of the bounds, so that wide bounds (0 to 1e25) never end the narrowing of a bracket
#: that touches 0 before the answer is found to 1e-9 relative; such a bracket is probed at geometric points
#: as well (_points), so that an answer at 0 itself is still found in a few steps
ATOL = 1e-30
#: outputs that reach a target from above: a month we want sooner, a cost or a need we want lower
#: (a runway, a cash balance, a margin or an NPV reaches it from below: at or above the target)
LOWER_IS_BETTER = frozenset(
    {
        "breakeven_month",
        "payback_months",
        "payback_months_paid",
        "plan_migration_payback_month",
        "migration_payback_month",
        "funding_need",
        "burn_multiple",
        "compute_to_revenue",
        "blended_cac",
        "cac_per_active",
        "paid_cac",
        "cost_per_mau",
        "cost_per_paying_mau",
        "blended_cost_per_mau",
        "breakeven_conversion",
    }
)
_MAX_STEPS = 200
#: two outputs a, b are equal when ``|a - b| <= EQUAL * max(1, |a|, |b|, |target|)``: rounding noise (a ratio
#: that the input moves only in its last bits) is no crossing
EQUAL = 1e-12
#: the trial values a goal seek of a statistic is expected to take: its first grid and the base, then about as
#: many again to narrow its crossings (typically 15 to 30); the engine runs it may take (trial values x draws)
#: are capped at :data:`~xlmodel.sensitivity.MAX_EVALUATIONS`, as a grid's are, so at most 781,250 draws
EXPECTED_TRIALS = 2 * GRID


@dataclass(frozen=True)
class Solution:
    """What :func:`solve` found.

    ``value`` is the answer (the crossing nearest the input's base value; None when the target is not
    reached within the bounds); ``crossings`` every crossing found, ascending; ``side[k]`` which side of
    crossing ``k`` meets the target (``"above"``: the inputs above it; ``"below"``); ``steps[k]`` whether the
    output jumps there (a step output: the crossing is the boundary, on the side that meets the target)
    rather than passing through the target; ``around[k]``: the output just below and just above crossing ``k``
    (the ends of its last bracket). ``meets`` says what meeting the target means for this output:
    ``"at or above"`` (a runway, cash, LTV/CAC) or ``"at or below"`` (a break-even or payback month, a
    funding need, a cost). ``range``: the output's minimum and maximum over the values evaluated in the
    bounds (``inf`` never; n/a left out). ``base`` and ``at_base``: the input's base value (None when the
    scenario does not give it: the answer is then the lowest crossing) and the output there. ``notes``: what
    the simulation says about its draws (correlations not imposed with very few draws). ``everywhere``: the
    output equals the target at every valid point of the bounds (a never target that every point meets):
    ``value`` is then the base (or the bound nearest it) and there is no crossing. ``invalid``: the parts of
    the bounds where the input makes the plan invalid, ``(from, to, reason)`` over the values evaluated (left
    out of the search, as an n/a point is).
    """

    vary: str
    output: str
    target: float
    statistic: str | None
    low: float
    high: float
    value: float | None
    reached: bool
    crossings: tuple[float, ...]
    range: tuple[float, float]
    side: tuple[str, ...]
    steps: tuple[bool, ...]
    around: tuple[tuple[float, float], ...]
    meets: str
    base: float | None
    at_base: float
    integer: bool
    draws: int | None = None
    seed: int | None = None
    notes: tuple[str, ...] = ()
    everywhere: bool = False
    invalid: tuple[tuple[float, float, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The ``xlmodel solve --json`` document (never is ``"never"``, n/a is ``None``)."""
        num: Callable[[float | None], Any] = (
            (lambda v: None if v is None else int(v)) if self.integer else _json
        )
        return {
            "vary": self.vary,
            "output": self.output,
            "target": _json(self.target),
            "statistic": self.statistic,
            "low": num(self.low),
            "high": num(self.high),
            "value": num(self.value),
            "reached": self.reached,
            "met_everywhere": self.everywhere,
            "crossings": [num(x) for x in self.crossings],
            "range": [_json(x) for x in self.range],
            "side": list(self.side),
            "steps": list(self.steps),
            "around": [[_json(a), _json(b)] for a, b in self.around],
            "meets": self.meets,
            "base": {"value": num(self.base), "output": _json(self.at_base)},
            "draws": self.draws,
            "seed": self.seed,
            "notes": list(self.notes),
            "invalid": [{"from": num(a), "to": num(b), "reason": why} for a, b, why in self.invalid],
        }


def _json(v: float | None) -> Any:
    return None if v is None else json_value(float(v))


# ------------------------------------------------------------------ bounds


def default_bounds(name: str, base: float | None, horizon: int = 60) -> tuple[float, float]:
    """docs/model.md's default bounds of an input: its rule's range, an open end pulled in by 1e-9.

    An end the rule leaves unbounded is 10x the base value (0 .. 10x the base, or 10x .. 0 for a negative
    base); a growth rate (above -1, no upper bound) whose base is not above 0 goes to 1. ``migration_month``
    and ``raise_month`` stay within the plan's horizon.

    >>> default_bounds("churn", 0.45), default_bounds("paid_share", 0.7)
    ((0.0, 1.0), (1e-09, 1.0))
    >>> default_bounds("ad_spend", 2e8), default_bounds("ad_growth", 0.0)
    ((0.0, 2000000000.0), (-0.999999999, 1.0))
    >>> default_bounds("raise_month", 30, horizon=60)
    (1.0, 60.0)
    """
    lo, hi = _default_ends(name, base, horizon)
    if not lo < hi:
        raise _no_bounds(name, base)
    return lo, hi


def _default_ends(name: str, base: float | None, horizon: int) -> tuple[float, float]:
    rule = RULES[PARAMS[name].rule]
    lo = None if rule.lo is None else float(rule.lo) + (0.0 if rule.lo_incl else 1e-9)
    hi = None if rule.hi is None else float(rule.hi) - (0.0 if rule.hi_incl else 1e-9)
    if name in WITHIN_HORIZON or name in TERMS:  # a term of the horizon or more leaves every bill open
        assert hi is not None  # a month's rule has an upper end
        hi = float(min(hi, horizon))
    if base is None and (lo is None or hi is None):
        raise InputError(
            "high",
            f"give the bounds of {name} (low and high): it is not given in this scenario, so "
            "there is no base value for the default 0 .. 10x the base",
        )
    if hi is None:
        assert base is not None  # (refused just above without one)
        if PARAMS[name].rule == "growth" and base <= 0:
            hi = 1.0
        elif lo is None and base < 0:
            lo, hi = 10 * base, 0.0
        else:
            hi = 10 * base
    if lo is None:
        assert base is not None  # (refused just above without one)
        lo = min(0.0, 10 * base)
    return lo, hi


def _no_bounds(name: str, base: float | None) -> InputError:
    return InputError(
        "high",
        f"give the bounds of {name} (low and high): its base value is {base:.10g}, so the "
        "default 0 .. 10x the base bounds nothing",
    )


def _bound(name: str, which: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_, str)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise InputError(which, f"{which} must be a number, got {value!r:.40}")
    x = float(value)
    if not RULES[PARAMS[name].rule].ok(np.asarray(x)):
        raise InputError(
            which, f"{which} must satisfy the rule of {name}: {describe_rule(name)}, got {x:.10g}"
        )
    return x


def _bounds(name: str, base: float | None, low: object, high: object, horizon: int) -> tuple[float, float]:
    lo = None if low is None else _bound(name, "low", low)
    hi = None if high is None else _bound(name, "high", high)
    if name in WITHIN_HORIZON and hi is not None and hi > horizon:
        raise InputError("high", f"high must be within the horizon for {name}, 1 to {horizon}, got {hi:g}")
    if lo is None or hi is None:
        d_lo, d_hi = _default_ends(name, base, horizon)
        if (
            (lo is None and hi is None and not d_lo < d_hi)
            or (lo is None and hi is not None and not d_lo < hi)
            or (hi is None and lo is not None and not lo < d_hi and d_hi <= d_lo)
        ):
            raise _no_bounds(name, base)
        lo, hi = (d_lo if lo is None else lo), (d_hi if hi is None else hi)
    if not lo < hi:
        raise InputError("low", f"low must be below high, got low {lo:.10g} and high {hi:.10g}")
    return lo, hi


def _target(target: object) -> float:
    if isinstance(target, (bool, np.bool_, str)) or not isinstance(
        target, (int, float, np.integer, np.floating)
    ):
        raise InputError("target", f"target must be a number, got {target!r:.40}")
    t = float(target)
    if math.isnan(t) or t == -math.inf:
        raise InputError("target", f"target must be a number (or never, +inf), got {t}")
    return t


# ------------------------------------------------------------------ brackets


class _Seek:
    """The brackets of one goal seek: where ``meets`` changes between neighbouring trial values."""

    def __init__(
        self,
        trials: Trials,
        vary: str,
        target: float,
        sign: int,
        integer: bool,
        scale: float,
        progress: Callable[[int], object] | None = None,
    ):
        self.trials, self.vary, self.t, self.sign, self.integer = trials, vary, target, sign, integer
        self.deterministic = trials.statistic is None
        self.atol = ATOL * min(scale, 1.0)  # never coarser than 1e-30: bounds of 1e308 still find 1.8e9
        self.seen: list[np.ndarray] = []  # every value of the output evaluated, for the range
        self.invalid: dict[
            float, InputError
        ] = {}  # trial value -> the error that makes the plan invalid there
        self.valid: list[np.ndarray] = []  # every trial value evaluated that the plan accepts
        self.runs = 0  # engine runs so far: trial values x draws
        self.progress = progress
        # an input the engine takes one value of per call: each trial value is an engine call of its own, so
        # a bracket is narrowed 8 values at a time rather than 64
        self.per_value = vary in ONE_PER_CALL

    def f(self, xs: np.ndarray) -> np.ndarray:
        """The output at trial values ``xs``: nan where a value makes the plan invalid (recorded)."""
        runs = self.runs + xs.size * self.trials.draws
        if runs > MAX_EVALUATIONS:
            raise InputError(
                "draws",
                f"the goal seek would take more than {MAX_EVALUATIONS:,} engine runs (trial values x "
                f"{self.trials.draws:,} draws), its cap, before narrowing every crossing: use fewer draws",
            )
        bad: dict[int, InputError] = {}
        done, progress = self.runs, self.progress
        tick = None if progress is None else (lambda k: progress(done + k))
        y = self.trials({self.vary: xs}, invalid=bad, progress=tick)
        self.runs = runs
        for i, e in bad.items():
            self.invalid[float(xs[i])] = e
        ok = np.ones(xs.size, dtype=bool)
        ok[list(bad)] = False
        self.valid.append(xs[ok])
        self.seen.append(y)
        return y

    def equal(self, y: np.ndarray) -> np.ndarray:
        """Where ``y`` equals the target: exactly (a never), or within :data:`EQUAL` (rounding noise)."""
        eq: np.ndarray
        if not math.isfinite(self.t):
            eq = y == self.t
            return eq
        with np.errstate(invalid="ignore", over="ignore"):
            size = np.maximum(np.maximum(1.0, np.abs(y)), abs(self.t))
            eq = (y == self.t) | (np.isfinite(y) & (np.abs(y - self.t) <= EQUAL * size))
            return eq

    def meets(self, y: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            m: np.ndarray = self.equal(y) | (self.sign * (y - self.t) >= 0)
            return m

    def brackets(self, x: np.ndarray, y: np.ndarray) -> list[list[Any]]:
        """``[a, b, ya, yb]`` for each pair of defined neighbours whose ``meets`` differ (n/a breaks a bracket)."""
        ok = ~np.isnan(y)
        m = self.meets(y)
        idx = np.flatnonzero(ok[:-1] & ok[1:] & (m[:-1] != m[1:]))
        return [[x[i], x[i + 1], y[i], y[i + 1]] for i in idx]

    def _done(self, br: list[Any]) -> bool:
        a, b = br[0], br[1]
        if self.integer:
            return bool(b - a <= 1)
        return bool(b - a <= max(RTOL * max(abs(a), abs(b)), self.atol) or np.nextafter(a, b) >= b)

    def _points(self, br: list[Any]) -> np.ndarray:
        a, b, ya, yb = br
        if self.integer:
            m = (7 if self.per_value else 63) if self.deterministic else 1
            inner = np.arange(a + 1, b) if b - a - 1 <= m else np.round(np.linspace(a, b, m + 2)[1:-1])
        else:
            w = b - a
            m, deltas = (
                (63, (1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12))
                if self.deterministic
                else (1, (1e-3,))
            )
            parts = [np.linspace(a, b, m + 2)[1:-1]]
            if a * b <= 0 and w > 0:  # a bracket that touches or straddles 0: the answer's size is unknown
                k = 16 if self.deterministic else 2
                if b > 0:
                    parts.append(np.geomspace(b * 1e-15, b, k)[:-1])
                if a < 0:
                    parts.append(-np.geomspace(-a * 1e-15, -a, k)[:-1])
            if math.isfinite(ya) and math.isfinite(yb) and ya != yb and math.isfinite(self.t):
                s = a + (self.t - ya) / (yb - ya) * w  # the secant's root, with points either side of it
                if a < s < b:
                    d = np.asarray(deltas) * w
                    parts.append(np.concatenate([[s], s - d, s + d]))
            inner = np.concatenate(parts)
        inner = np.unique(inner)
        points: np.ndarray = inner[(inner > a) & (inner < b)]
        return points

    def refine(self, brackets: list[list[Any]]) -> list[list[Any]]:
        """Narrow every bracket to the answer's accuracy, all of them in one engine call a step."""
        brs: list[Any] = [list(br) for br in brackets]  # each a bracket, or None once an n/a breaks it
        live = [i for i, br in enumerate(brs) if not self._done(br)]
        for _ in range(_MAX_STEPS):
            if not live:
                break
            pts = [self._points(brs[i]) for i in live]
            ys = np.split(self.f(np.concatenate(pts)), np.cumsum([p.size for p in pts])[:-1])
            for i, p, y in zip(live, pts, ys):
                a, b, ya, yb = brs[i]
                found = self.brackets(np.concatenate([[a], p, [b]]), np.concatenate([[ya], y, [yb]]))
                brs[i] = found[0] if found else None  # an n/a inside breaks the bracket
            live = [i for i in live if brs[i] is not None and not self._done(brs[i])]
        return [br for br in brs if br is not None]

    def answer(self, br: list[Any], scale: float) -> tuple[float, str, bool, tuple[float, float]]:
        """``(x*, side, step, (y below, y above))`` of a narrowed bracket: a whole number's boundary and a jump
        on the side that meets the target; a root by the secant in the last bracket."""
        a, b, ya, yb = (float(v) for v in br)
        side = "above" if self.meets(np.asarray(yb)) else "below"
        step = self.integer or not (math.isfinite(ya) and math.isfinite(yb)) or abs(yb - ya) > 1e-6 * scale
        if step:
            x = b if side == "above" else a
        elif self.equal(np.asarray(ya)) or self.equal(np.asarray(yb)):
            x = a if self.equal(np.asarray(ya)) else b
        else:
            x = min(max(a + (self.t - ya) / (yb - ya) * (b - a), a), b)
        return x, side, bool(step), (ya, yb)


# ------------------------------------------------------------------ solve


def solve(
    scenario: Mapping[str, Any],
    vary: str,
    output: str,
    target: float,
    low: float | None = None,
    high: float | None = None,
    statistic: str | None = None,
    draws: int = 10_000,
    seed: int = 0,
    correlations: Mapping[Any, Any] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Solution:
    """The value of ``vary`` within ``[low, high]`` at which ``output`` (or its ``statistic``) reaches ``target``.

    Parameters
    ----------
    scenario : mapping
        A complete scenario (``Assumptions.scenario(name)``; ``simulation_inputs(name)`` for a statistic).
        Ranges count at their base value unless ``statistic`` is given.
    vary : str
        One of the scenario's own numeric inputs (not ``horizon``, a change level or a round amount).
        Whole-number inputs (``migration_month``, ``raise_month``, ``months``) solve on whole numbers.
    output : str
        Any output the scenario reports: ``runway_months``, ``funding_need``, ``breakeven_month``,
        ``plan_migration_npv``, ``ltv_to_cac``, ...
    target : float
        The output's target, in its unit (``math.inf``: never).
    low, high : float, optional
        The bounds (within the input's rule). Default: :func:`default_bounds`.
    statistic : {"mean", "p5", "p10", "p50", "p90", "p95", "min", "max"}, optional
        Target this statistic of the output over ``draws`` draws of the scenario's ranges, the draws of
        :func:`xlmodel.simulate.simulate` with ``seed`` for every trial value. The varied input takes the
        trial value in every draw (a range on it is set aside, with its correlations).
    draws, seed : int
    correlations : mapping, optional
        Spearman rank correlations between ranged inputs, as for :func:`xlmodel.simulate.simulate`.

    Returns
    -------
    Solution
        ``value`` (None when not reached), ``reached``, every crossing, the side that meets the target, the
        output's range over the bounds, the base. ``as_dict()`` is the ``xlmodel solve --json`` document.

    Notes
    -----
    docs/model.md, "Goal seek". A never counts as +infinity; a point where the output is n/a, or where the
    input makes the plan invalid (``Solution.invalid`` says where), breaks a bracket. Two outputs are equal
    within :data:`EQUAL` (1e-12 relative): an output equal to the target over the whole range is met
    everywhere, answered with the base (or the bound nearest it), not crossed. With a statistic the engine
    runs (trial values x draws) are capped at :data:`MAX_EVALUATIONS`; ``progress(runs, expected)`` is
    called as they are done.
    The output *meets* the target at or above it, or at or below it for the outputs in
    :data:`LOWER_IS_BETTER` (a month we want sooner, a cost or a need we want lower). A crossing is where
    meeting changes between two neighbouring values of the first grid (256 points deterministic, 64 for a
    statistic, every whole number up to 4,096 of them for an integer input), narrowed to 1e-9 relative
    (absolute 1e-15 * max(|low|, |high|) near 0). Where the output passes through the target, the crossing is
    the root (the secant in the last bracket); where it jumps (``breakeven_month``, a runway that jumps to
    never), it is the boundary, given on the side that meets the target. The answer is the crossing nearest
    the base value.

    Examples
    --------
    Burn 100 a month from 1,200: the cash that gives 18 months of runway is 18 x 100.

    >>> s = dict(cash=1200, mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0,
    ...          fixed_costs=100, horizon=60)
    >>> r = solve(s, "cash", "runway_months", 18)
    >>> round(r.value, 6), r.reached, r.side
    (1800.0, True, ('above',))

    A target beyond reach is not an error: the output's range says why.

    >>> r = solve(s, "cash", "runway_months", 18, low=0, high=1000)
    >>> r.value, r.reached, r.range
    (None, False, (0.0, 10.0))
    """
    base = check_input(scenario, vary)
    t = _target(target)
    _check_work(statistic, draws)
    trials = Trials(scenario, (vary,), output, statistic, draws, seed, correlations)
    horizon = int(
        scenario.get("horizon") or cast(float, PARAMS["horizon"].default)
    )  # (horizon has a default)
    lo, hi = _bounds(vary, base, low, high, horizon)
    integer = RULES[PARAMS[vary].rule].integer
    scale = max(abs(lo), abs(hi))
    sign = -1 if output in LOWER_IS_BETTER else 1
    deterministic = trials.statistic is None
    expected = (DETERMINISTIC_GRID + 1) if deterministic else EXPECTED_TRIALS * trials.draws
    tick = None if progress is None else (lambda runs: progress(runs, max(runs, expected)))
    seek = _Seek(trials, vary, t, sign, integer, scale, tick)
    if integer:
        n = ALL_INTEGERS if deterministic and vary not in ONE_PER_CALL else GRID
        x = np.arange(lo, hi + 1) if hi - lo + 1 <= n else np.unique(np.round(np.linspace(lo, hi, n)))
    else:
        x = np.linspace(lo, hi, DETERMINISTIC_GRID if deterministic else GRID)
    if deterministic and base is not None:  # the base in the same engine call
        y_all = seek.f(np.append(x, base))
        if float(base) in seek.invalid and float(base) not in x:  # the scenario itself is invalid
            raise seek.invalid[float(base)]
        y, at_base = y_all[:-1], float(y_all[-1])
        seek.seen[-1] = y  # the range is over the bounds: the base may lie outside them
    else:
        y, at_base = seek.f(x), trials.at_base()
    bad = np.array([v in seek.invalid for v in x.tolist()])
    if bad.all():
        why = seek.invalid[float(x[0])]
        raise InputError(
            "high", f"every value of {vary} from {lo:.10g} to {hi:.10g} makes the plan invalid: {why}"
        )
    everywhere = bool(seek.equal(y[~bad]).all())
    if everywhere:  # met over the whole range: no crossing, the answer the base (or the bound nearest it)
        found = []
    else:
        finite = np.abs(y[np.isfinite(y)])
        out_scale = float(finite.max()) if finite.size else 1.0
        found = [seek.answer(br, out_scale) for br in seek.refine(seek.brackets(x, y))]
    if not found and not everywhere:  # the target met exactly at a bound, and nowhere passed
        found = [
            (float(x[i]), "above" if i == 0 else "below", integer, (float(y[i]), float(y[i])))
            for i in (0, x.size - 1)
            if seek.equal(y[i])
        ]
    found.sort(key=lambda c: c[0])
    seen = np.concatenate(seek.seen)
    seen = seen[~np.isnan(seen)]
    rng = (float(seen.min()), float(seen.max())) if seen.size else (math.nan, math.nan)
    crossings = tuple(float(c[0]) for c in found)
    value = min(crossings, key=lambda c: (0 if base is None else abs(c - base), c)) if crossings else None
    if everywhere:
        value = _nearest_valid(x[~bad], lo if base is None else min(max(base, lo), hi), seek.invalid)
    return Solution(
        vary,
        output,
        t,
        trials.statistic,
        lo,
        hi,
        value,
        bool(crossings) or everywhere,
        crossings,
        rng,
        tuple(c[1] for c in found),
        tuple(c[2] for c in found),
        tuple(c[3] for c in found),
        "at or below" if sign < 0 else "at or above",
        base,
        at_base,
        integer,
        trials.draws if not deterministic else None,
        seed if not deterministic else None,
        tuple(trials.notes),
        everywhere,
        _invalid_parts(seek),
    )


def _check_work(statistic: str | None, draws: object) -> None:
    """A goal seek of a statistic within its cap of engine runs (trial values x draws), or :class:`InputError`
    before any draw is made."""
    if (
        check_statistic(statistic) is None
        or isinstance(draws, bool)
        or not isinstance(draws, (int, np.integer))
    ):
        return  # no statistic, or draws that simulate refuses with its own message
    if EXPECTED_TRIALS * int(draws) > MAX_EVALUATIONS:
        raise InputError(
            "draws",
            f"a goal seek of a statistic takes about {EXPECTED_TRIALS} trial values x {int(draws):,} draws = "
            f"{EXPECTED_TRIALS * int(draws):,} engine runs, more than its cap of {MAX_EVALUATIONS:,}: use at "
            f"most {MAX_EVALUATIONS // EXPECTED_TRIALS:,} draws",
        )


def _nearest_valid(x: np.ndarray, want: float, invalid: Mapping[float, InputError]) -> float:
    """``want`` itself when the plan accepts it, else the value evaluated nearest it that the plan accepts."""
    if float(want) not in invalid:
        return float(want)
    return float(x[np.argmin(np.abs(x - want))])


def _invalid_parts(seek: _Seek) -> tuple[tuple[float, float, str], ...]:
    """``(from, to, reason)`` for each run of neighbouring values evaluated that make the plan invalid."""
    if not seek.invalid:
        return ()
    valid = np.concatenate(seek.valid)
    xs = np.concatenate([valid, np.fromiter(seek.invalid, dtype=float)])
    bad = np.arange(xs.size) >= valid.size
    order = np.argsort(xs, kind="stable")
    xs, bad = xs[order], bad[order]
    parts, i = [], 0
    while i < xs.size:
        if not bad[i]:
            i += 1
            continue
        j = i
        while j + 1 < xs.size and bad[j + 1]:
            j += 1
        why = " ".join(str(seek.invalid[float(xs[i])]).split())
        parts.append((float(xs[i]), float(xs[j]), why))
        i = j + 1
    return tuple(parts)
