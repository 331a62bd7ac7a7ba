"""Sensitivity grids: one output over two inputs, every cell in one vectorised engine call.

``sensitivity(scenario, rows=("churn", [...]), cols=("conversion", [...]), output="runway_months")``
puts every pair of values into one array of scenarios and runs the engine
once (chunked so that memory stays bounded); with a ``statistic`` (``"p50"``,
``"mean"``, ...) every cell is a simulation over the same draws (common
random numbers), the draws of :func:`xlmodel.simulate.simulate` with the
same seed.

:class:`Trials` is that evaluation, shared with :mod:`xlmodel.solve` (goal
seek): an output, or a statistic of it, at trial values of one or more of a
scenario's own inputs. Nothing here restates an equation of the model: the
engine functions compute every number, exactly as
:func:`xlmodel.simulate.evaluate` calls them.

Pure Python and numpy, nothing runs at import time: usable in xlwings Lite.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .company import TERMS
from .engine import runway_stream, unit_economics
from .errors import InputError
from .outputs import json_value
from .params import MIX_PRICES, PARAMS, PLAN_KEYS, RULES, TOKEN_KEYS, describe_rule
from .plan import plan_inputs
from .projection import projection_inputs
from .ranges import base_inputs, is_range, pair
from .simulate import Simulation, evaluate, output_names, resolve, simulate
from .unit_economics import StocksUnitEconomics

__all__ = [
    "sensitivity",
    "Grid",
    "Trials",
    "STATISTICS",
    "MAX_CELLS",
    "check_input",
    "input_value",
    "evaluate_output",
    "resolve",
]

#: the statistics of a simulated output that a goal seek or a grid may target (``Simulation.stats``)
STATISTICS = ("mean", "p5", "p10", "p50", "p90", "p95", "min", "max")
#: the most cells a grid holds
MAX_CELLS = 1_000_000
#: the most engine evaluations a grid of statistics may take (cells x draws): about 100 simulations of 1M draws
MAX_EVALUATIONS = 100_000_000
#: scenarios evaluated at once (trials x draws): memory stays small, and arrays that fit the cache run fastest
CHUNK = 1 << 15
#: integer inputs (whole months) that must lie within the plan's horizon to mean anything
WITHIN_HORIZON = ("migration_month", "raise_month")
#: whole-month inputs that shape the month step itself (how many months of bills are open, when credits lapse):
#: the engine takes one value of each for every scenario of a call, so trials are run one value at a time
ONE_PER_CALL = ("credits_expire", *TERMS)
_UNIT_ECONOMICS = tuple(StocksUnitEconomics.__dataclass_fields__)  # (ltv_payer: two stocks only)


# ------------------------------------------------------------------ the engine, one output


def evaluate_output(s: dict[str, Any], output: str, n: int) -> np.ndarray:
    """``xlmodel.simulate.evaluate(s, [output], n)[output]``, running only the engine call that ``output`` needs.

    The unit economics for theirs, the runway alone for ``runway_months`` and ``ending_cash``, every answer of
    the plan for the plan's other outputs: the same calls with the same arguments as ``evaluate`` (so the same
    numbers, bit for bit), without the others; the standalone migration's two through ``evaluate`` itself.
    Returns an array of ``n`` (``inf`` never, ``nan`` n/a, flags as 1.0 and 0.0).
    """
    if output in ("migration_npv", "migration_payback_month"):
        return evaluate(s, ["migration_npv", "migration_payback_month"], n)[output]
    s = resolve(s)
    if output in _UNIT_ECONOMICS:
        # the plan's rules too (as calc and the assumptions file check them), which the unit economics alone
        # do not all check: a value that makes the plan invalid is no answer (cac_elasticity with no spend)
        v, h, _ = projection_inputs(s)
        plan_inputs(s, h, v["cash"].shape)
        x = getattr(unit_economics(**s, undefined="nan"), output)
    elif output in ("runway_months", "ending_cash"):
        x = getattr(runway_stream(**s), output)
    elif output == "runway_months_without_migration":
        x = runway_stream(**s, without_migration=True).runway_months_without_migration
    else:
        x = runway_stream(**s, answers=True).answers[output]
    return np.broadcast_to(np.asarray(x, dtype=float), (n,))


# ------------------------------------------------------------------ what may vary


def check_input(scenario: Mapping[str, Any], name: object, argument: str = "vary") -> float | None:
    """The base value of the scenario's own input ``name`` (None: not given), or :class:`InputError` naming
    ``argument``.

    Any numeric input of the model, but not ``horizon`` (the plan's length: every output is measured over it),
    a change level or a round amount (``ad_spend@4``). An input the scenario does not give has its default as
    base value, or none (``raise_month``: the first month short of ``min_cash``; ``migration_month``: no
    migration).
    """
    if not isinstance(scenario, Mapping):
        raise InputError(
            "scenario",
            f"scenario must be a mapping of inputs (Assumptions.scenario(name)), got {type(scenario).__name__}",
        )
    if not isinstance(name, str):
        raise InputError(argument, f"{argument} must be the name of an input (text), got {name!r:.40}")
    if "@" in name:
        raise InputError(
            argument,
            f"{argument} must be one of the scenario's own inputs, not a change level or a "
            f"round amount, got {name!r:.60}",
        )
    if name == "horizon":
        raise InputError(
            argument,
            f"{argument}: horizon cannot vary (every output of the plan is measured over "
            "it); set it in the file",
        )
    if name not in PARAMS:
        close = difflib.get_close_matches(name, [k for k in PARAMS if k != "horizon"], n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise InputError(argument, f"{argument} must be an input of the model, got {name!r:.60}{hint}")
    return input_value(scenario, name)


def input_value(scenario: Mapping[str, Any], name: str) -> float | None:
    """The base value of an input in a scenario (a range's base value; the input's default when not given)."""
    value = scenario.get(name)
    if is_range(value):
        value = base_inputs({name: value})[name]
    if value is None:
        value = PARAMS[name].default
    return None if value is None else float(value)


def _own(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario without its ranged decisions (``count@team:ROLE``, ``funding@9``: their base values are in
    its entries already)."""
    return {k: v for k, v in scenario.items() if "@" not in k}


def check_output(scenario: Mapping[str, Any], output: object) -> str:
    names = output_names(base_inputs(_own(scenario)))
    if not isinstance(output, str) or output not in names:
        shown = f"{output!r:.60}" if isinstance(output, str) else repr(output)[:40]
        raise InputError("output", f"output must be one of {', '.join(names)}, got {shown}")
    return output


def check_statistic(statistic: object) -> str | None:
    if statistic is None:
        return None
    if not isinstance(statistic, str) or statistic.strip().lower() not in STATISTICS:
        raise InputError(
            "statistic", f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r:.40}"
        )
    return statistic.strip().lower()


def check_values(name: str, values: object, scenario: Mapping[str, Any], argument: str) -> np.ndarray:
    """Trial values of an input as a float array, each within the input's rule, or :class:`InputError`.

    A flat sequence (or 1-d array) of real numbers: a bool is no number here, and a nested list no row of
    values (numpy would read them as 1.0 and flatten)."""
    items: Sequence[Any] | np.ndarray
    if isinstance(values, np.ndarray):
        bad = values.ndim != 1 or values.dtype.kind not in "iuf"
        items = () if bad else values
    elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        items, bad = values, False
    else:
        items, bad = (), True
    if bad:
        raise InputError(
            argument, f"{argument}: the values of {name} must be a list of numbers, got {values!r:.60}"
        )
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise InputError(
                argument, f"{argument}: the values of {name} must be numbers, got {v!r:.40} among them"
            )
    x = np.asarray(items, dtype=float).reshape(-1)
    if x.size == 0:
        raise InputError(argument, f"{argument}: give at least one value of {name}")
    rule = RULES[PARAMS[name].rule]
    outside = ~rule.ok(x)
    if outside.any():
        raise InputError(argument, f"{argument}: {describe_rule(name)}, got {x[outside][0]:.10g}")
    if name in WITHIN_HORIZON:
        h = int(scenario.get("horizon") or cast(float, PARAMS["horizon"].default))  # (horizon has a default)
        if x.max() > h:
            raise InputError(
                argument, f"{argument}: {name} must be within the horizon, 1 to {h}, got {x.max():g}"
            )
    return x


# ------------------------------------------------------------------ trials


class Trials:
    """``output`` (or its ``statistic`` over the draws) at trial values of some of a scenario's own inputs.

    ``Trials(scenario, ("churn",), "runway_months")({"churn": values})`` runs the engine once for every trial
    value (in chunks of :data:`CHUNK` scenarios). With a ``statistic``, each trial is a simulation of the
    scenario with the varied inputs at the trial values, over the same draws: :func:`~xlmodel.simulate.simulate`
    draws the scenario's other ranged inputs once (the same seed, the same order, so the same draws it would
    make for any of the trials), and every trial is evaluated against those draws, trial values x draws in
    one array. A varied input that is itself a range takes the trial value in every draw, and its correlations
    are dropped (as a scenario that fixes a ranged input simulates). Varying ``cost_per_mau`` replaces the
    cost derived from tokens or a mix; varying a price a ``mix`` sets replaces the mix.
    """

    def __init__(
        self,
        scenario: Mapping[str, Any],
        inputs: Sequence[str],
        output: str,
        statistic: str | None = None,
        draws: int = 10_000,
        seed: int = 0,
        correlations: Mapping[Any, Any] | None = None,
        arguments: Sequence[str] | None = None,
    ):
        self.inputs = tuple(inputs)
        arguments = tuple(arguments or ("vary",) * len(self.inputs))
        self.base = {k: check_input(scenario, k, arg) for k, arg in zip(self.inputs, arguments)}
        s = dict(scenario)
        if "cost_per_mau" in self.inputs:
            for k in TOKEN_KEYS + ("mix",):
                s.pop(k, None)
        if any(k in MIX_PRICES for k in self.inputs):
            s.pop("mix", None)
        self.output = check_output(s, output)
        self.statistic = check_statistic(statistic)
        self.sim: Simulation | None = None
        if self.statistic is None:
            self.scenario = dict(base_inputs(_own(s)), **self.base)
            return
        fixed = dict(s, **self.base)
        ranged = [k for k, v in fixed.items() if k != "mix" and k not in PLAN_KEYS and is_range(v)]
        if not ranged:
            varied = (
                f" other than {', '.join(self.inputs)}"
                if any(is_range(scenario.get(k)) for k in self.inputs)
                else ""
            )
            raise InputError(
                "statistic",
                f"statistic {self.statistic} needs ranges: no input of this scenario{varied} "
                "is a range, so every draw is the base case",
            )
        kept = {k: rho for k, rho in (correlations or {}).items() if not set(pair(k)) & set(self.inputs)}
        # the draws alone: each trial evaluates them itself, in slices (simulate's outputs, ~300 bytes a draw
        # for every output, would be kept for nothing)
        self.sim = simulate(fixed, draws=draws, seed=seed, correlations=kept, evaluated=False)
        self.scenario = dict(self.sim.base)

    @property
    def notes(self) -> list[str]:
        """What the simulation says about how its draws were made (correlations not imposed with few draws)."""
        return list(self.sim.notes) if self.sim is not None else []

    @property
    def draws(self) -> int:
        return self.sim.draws if self.sim is not None else 1

    def at_base(self) -> float:
        """The output (or statistic) with every varied input at its base value (with a statistic: the number
        ``simulate`` gives for the scenario, over the same draws)."""
        if self.sim is not None:
            return self.summarise(self._draws(dict(self.scenario), {}))
        return float(evaluate_output(self.scenario, self.output, 1)[0])

    def __call__(
        self,
        values: Mapping[str, np.ndarray],
        invalid: dict[int, InputError] | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> np.ndarray:
        """One value per trial: ``values[name][i]`` is trial ``i``'s value of each varied input.

        ``invalid``: a dict that collects the trials whose values make the plan invalid (index -> the
        engine's :class:`InputError`), their output nan; without it such a trial raises its error.
        ``progress``: called as ``progress(runs)`` with the engine runs (trials x draws) done so far in
        this call.

        Memory stays bounded whatever the draws: at most :data:`CHUNK` scenarios go to the engine at once (a
        trial's draws in slices when there are more), and a trial keeps its output's draws (8 bytes a draw)
        only until its statistic is taken.
        """
        cols = {k: np.asarray(values[k], dtype=float).reshape(-1) for k in self.inputs}
        t = len(next(iter(cols.values())))
        out = np.empty(t)
        step = max(1, CHUNK // self.draws)
        done = [0]

        def run(a: int, b: int) -> None:
            try:
                out[a:b] = self._trials(cols, a, b)
            except InputError as e:
                if invalid is None:
                    raise
                if b - a == 1:
                    out[a], invalid[a] = np.nan, e
                else:  # the invalid values among them, by halves: the valid ones keep their numbers
                    m = (a + b) // 2
                    run(a, m)
                    run(m, b)
                    return
            done[0] += (b - a) * self.draws
            if progress is not None:
                progress(done[0])

        for a in range(0, t, step):
            run(a, min(t, a + step))
        return out

    def _trials(self, cols: dict[str, np.ndarray], a: int, b: int) -> np.ndarray:
        """Trials ``a .. b-1``: one engine call for all of them (and their draws), or, when one trial's draws
        are more than :data:`CHUNK`, one trial whose draws are evaluated in slices. Trials that vary an input
        of :data:`ONE_PER_CALL` take one engine call for each of its values (a whole number, given as one)."""
        part = {k: x[a:b] for k, x in cols.items()}
        whole = [k for k in part if k in ONE_PER_CALL]
        if not whole:
            return self._run(part, b - a)
        out = np.empty(b - a)
        keys = np.stack([part[k] for k in whole], axis=-1)
        for combo in np.unique(keys, axis=0):
            at = np.all(keys == combo, axis=-1)
            mine: dict[str, Any] = {k: x[at] for k, x in part.items() if k not in whole}
            mine.update({k: int(v) for k, v in zip(whole, combo)})
            out[at] = self._run(mine, int(np.count_nonzero(at)))
        return out

    def _run(self, part: dict[str, Any], m: int) -> np.ndarray:
        """``m`` trials in one engine call: ``part[k]`` each varied input's ``m`` values (or one value for all)."""
        s = dict(self.scenario)
        n = self.draws
        if self.sim is None:
            # cash sets the plan's shape: the plan's own inputs (raise_month, min_cash) do not broadcast with it
            s["cash"] = np.broadcast_to(np.asarray(s["cash"], dtype=float), (m,))
            s.update(part)
            return evaluate_output(s, self.output, m)
        if n > CHUNK:  # (m is 1)
            return np.array([self.summarise(self._draws(s, {k: _first(x) for k, x in part.items()}))])
        s["cash"] = np.broadcast_to(np.asarray(s["cash"], dtype=float), (m * n,))
        for k, x in self.sim.inputs.items():  # the same draws for every trial
            s[k] = np.tile(x, m)
        s.update({k: (np.repeat(x, n) if isinstance(x, np.ndarray) else x) for k, x in part.items()})
        y = evaluate_output(s, self.output, m * n).reshape(m, n)
        return np.array([self.summarise(row) for row in y])

    def _draws(self, s: dict[str, Any], trial: dict[str, float]) -> np.ndarray:
        """The output at every draw of one trial (``trial``: each varied input's value), :data:`CHUNK` draws
        to an engine call: the same numbers, bit for bit, as one call for every draw (each draw's arithmetic
        is its own, and a trial value is a full array as in a call of many trials, not a broadcast scalar)."""
        assert self.sim is not None  # (only with a statistic)
        n = self.draws
        y = np.empty(n)
        cash = np.asarray(s["cash"], dtype=float)
        for d in range(0, n, CHUNK):
            e = min(n, d + CHUNK)
            part = dict(s, cash=np.broadcast_to(cash, (e - d,)))
            for k, x in self.sim.inputs.items():
                part[k] = x[d:e]
            part.update({k: (v if k in ONE_PER_CALL else np.full(e - d, v)) for k, v in trial.items()})
            y[d:e] = evaluate_output(part, self.output, e - d)
        return y

    def summarise(self, draws: np.ndarray) -> float:
        """The statistic of one trial's draws, as ``Simulation.stats`` computes it for ``simulate``."""
        assert self.statistic is not None  # (only with a statistic)
        one = Simulation(None, {}, {}, {}, draws.size, 0, {}, {self.output: draws})
        return float(one.stats(self.output)[self.statistic])


# ------------------------------------------------------------------ grids


@dataclass(frozen=True)
class Grid:
    """A sensitivity grid: ``values[i, j]`` is the output at ``rows[1][i]`` and ``cols[1][j]``.

    ``base``: ``(row, col)`` of the cell at the scenario's base values, or None when the base is not on the
    grid; ``at_base``: the output there (computed, whether or not the base is on the grid); ``base_inputs``:
    the two inputs' base values (None: not given in the scenario).
    """

    output: str
    statistic: str | None
    rows: tuple[str, tuple[float, ...]]
    cols: tuple[str, tuple[float, ...]]
    values: np.ndarray
    base: tuple[int, int] | None
    at_base: float
    base_inputs: tuple[float | None, float | None]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The ``xlmodel sensitivity --json`` document (never is ``"never"``, n/a is ``None``)."""
        return {
            "output": self.output,
            "statistic": self.statistic,
            "rows": {"input": self.rows[0], "values": [json_value(v) for v in self.rows[1]]},
            "cols": {"input": self.cols[0], "values": [json_value(v) for v in self.cols[1]]},
            "grid": [[json_value(float(v)) for v in row] for row in self.values],
            "base": None if self.base is None else {"row": self.base[0], "col": self.base[1]},
            "at_base": json_value(self.at_base),
            "base_values": {self.rows[0]: self.base_inputs[0], self.cols[0]: self.base_inputs[1]},
            "notes": list(self.notes),
        }


def _on_grid(values: np.ndarray, base: float | None) -> int | None:
    """The index of ``base`` among ``values`` (to 1e-9 relative: 0.1 + 0.2 is on a grid that lists 0.3)."""
    if base is None:
        return None
    hit = np.flatnonzero(
        np.isclose(values, base, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(values).max())))
    )
    return int(hit[0]) if hit.size else None


def sensitivity(
    scenario: Mapping[str, Any],
    rows: tuple[str, Sequence[float]],
    cols: tuple[str, Sequence[float]],
    output: str,
    statistic: str | None = None,
    draws: int = 10_000,
    seed: int = 0,
    correlations: Mapping[Any, Any] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Grid:
    """An output over a grid of two inputs' values, in one vectorised engine call.

    Parameters
    ----------
    scenario : mapping
        A complete scenario (``Assumptions.scenario(name)``, or ``simulation_inputs(name)`` for a statistic):
        ranges count at their base value unless ``statistic`` is given.
    rows, cols : (str, sequence of float)
        Each an input of the scenario (``"churn"``) and its values, within the input's rule. The two inputs
        must differ; neither may be ``horizon``, a change level or a round amount.
    output : str
        Any output the scenario reports (``runway_months``, ``ltv_to_cac``, ``funding_need``, ...).
    statistic : {"mean", "p5", "p10", "p50", "p90", "p95", "min", "max"}, optional
        Each cell is this statistic of the output over ``draws`` draws of the scenario's ranges (seeded: the
        same draws in every cell, those of :func:`xlmodel.simulate.simulate`).
    draws, seed : int
        The simulation's draws and seed (with a ``statistic``).
    correlations : mapping, optional
        Spearman rank correlations between ranged inputs (pairs with a varied input are dropped).
    progress : callable, optional
        Called as ``progress(done, total)`` in engine runs (cells x draws) as the cells are evaluated (the
        command line draws a progress bar with it).

    Returns
    -------
    Grid
        ``values[i, j]`` at ``rows[1][i]``, ``cols[1][j]`` (``inf`` never, ``nan`` n/a), the base cell's
        indices (or None), the output at the base.

    Notes
    -----
    Each cell equals the engine run on the scenario with the two inputs at that cell's values (with a
    statistic: ``simulate`` of that scenario, same draws and seed). A value within 1e-9 (relative) of the
    input's base value is taken as the base value itself, so that the base cell is exactly the base
    scenario's number. At most :data:`MAX_CELLS` cells (1,000,000), and with a statistic at most 100,000,000
    engine runs (cells x draws).

    Examples
    --------
    Burn 100 a month from 1,200 of cash: the runway is cash / (fixed costs - revenue).

    >>> s = dict(cash=1200, mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0, cost_per_mau=0,
    ...          fixed_costs=100, horizon=60)
    >>> g = sensitivity(s, rows=("cash", [600, 1200]), cols=("fixed_costs", [50, 100, 200]),
    ...                 output="runway_months")
    >>> g.values.tolist()
    [[12.0, 6.0, 3.0], [24.0, 12.0, 6.0]]
    >>> g.base
    (1, 1)
    """
    (rname, rvals), (cname, cvals) = _axis(rows, "rows"), _axis(cols, "cols")
    check_input(scenario, rname, "rows")
    check_input(scenario, cname, "cols")
    if rname == cname:
        raise InputError("cols", f"cols must vary another input than rows, got {cname} twice")
    r = check_values(rname, rvals, scenario, "rows")
    c = check_values(cname, cvals, scenario, "cols")
    cells = r.size * c.size
    if cells > MAX_CELLS:
        raise InputError(
            "cols", f"the grid would be {r.size:,} x {c.size:,} = {cells:,} cells, more than {MAX_CELLS:,}"
        )
    if statistic is not None and cells * draws > MAX_EVALUATIONS:
        raise InputError(
            "draws",
            f"the grid would take {cells:,} cells x {draws:,} draws = {cells * draws:,} "
            f"engine runs, more than {MAX_EVALUATIONS:,}: use fewer cells or draws",
        )
    trials = Trials(scenario, (rname, cname), output, statistic, draws, seed, correlations, ("rows", "cols"))
    i, j = _on_grid(r, trials.base[rname]), _on_grid(c, trials.base[cname])
    if i is not None:  # a value within 1e-9 of the base is the base itself: the base cell is calc's number
        r[i] = trials.base[rname]
    if j is not None:
        c[j] = trials.base[cname]
    total = cells * trials.draws
    tick = None if progress is None else (lambda done: progress(done, total))
    values = trials({rname: np.repeat(r, c.size), cname: np.tile(c, r.size)}, progress=tick)
    values = values.reshape(r.size, c.size)
    base = None if i is None or j is None else (i, j)
    at_base = float(values[base]) if base is not None else trials.at_base()
    return Grid(
        output,
        trials.statistic,
        (rname, tuple(r.tolist())),
        (cname, tuple(c.tolist())),
        values,
        base,
        at_base,
        (trials.base[rname], trials.base[cname]),
        tuple(trials.notes),
    )


def _first(x: Any) -> Any:
    """A trial's one value: the first of an array, or the value itself."""
    return x[0] if isinstance(x, np.ndarray) else x


def _axis(axis: object, argument: str) -> tuple[str, Sequence[float]]:
    if not isinstance(axis, (tuple, list)) or len(axis) != 2:
        raise InputError(
            argument, f'{argument} must be (input, values), e.g. ("churn", [0.3, 0.4, 0.5]), got {axis!r:.60}'
        )
    return axis[0], axis[1]
