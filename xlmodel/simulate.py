"""Monte Carlo simulation and tornado over ranged inputs (docs/model.md, "Uncertainty").

The ranges themselves (:class:`~xlmodel.ranges.Range`, their parsing and the
correlations between them) live in :mod:`xlmodel.ranges`; their names are
importable from here too. :func:`simulate` draws every ranged input (seeded,
optionally rank-correlated with Iman-Conover) and runs the engine on every
draw; nothing here restates an equation of the model. The projection is
streamed month by month and the draws are evaluated in chunks, so a million
draws over 120 months need a few hundred megabytes, not the ~7 GB of every
month of every draw.

Pure Python and numpy, nothing runs at import time: usable in xlwings Lite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np

from .decisions import put_decided, range_name
from .engine import (
    MIGRATION_ARGS,
    UnitEconomics,
    cost_per_mau,
    migration_npv,
    migration_payback_month,
    runway_stream,
    unit_economics,
)
from .errors import InputError
from .outputs import json_value
from .params import CALENDAR_KEYS, MIX_PRICES, PARAMS, PLAN_KEYS, TOKEN_KEYS
from .payers import uses_stocks
from .plan import reported_outputs
from .ranges import (
    DISTS,
    MAX_DRAWS,
    Range,
    base_inputs,
    check_correlations,
    is_range,
    pair,
    parse_range,
    pearson,
)

__all__ = [
    "Range",
    "Simulation",
    "simulate",
    "parse_range",
    "check_correlations",
    "base_inputs",
    "PERCENTILES",
    "SHARE_BELOW",
    "DISTS",
    "NEVER_OUTPUTS",
    "output_names",
    "MAX_DRAWS",
    "evaluate",
    "resolve",
]

#: the percentiles every summary reports
PERCENTILES = (5, 10, 50, 90, 95)
#: runway thresholds (months) of ``runway_share_below``
SHARE_BELOW = (6, 12, 18, 24)
#: outputs that can be "never" (a run-out or payback that does not happen within reach)
NEVER_OUTPUTS = (
    "payback_months",
    "payback_months_paid",
    "runway_months",
    "runway_months_without_migration",
    "runway_months_without_funding",
    "first_short_month",
    "funding_month",
    "breakeven_month",
    "plan_migration_payback_month",
    "migration_payback_month",
    "cohort_payback_month",
)
#: outputs whose tornado ``summary()`` reports (when the scenario has them)
TORNADO_OUTPUTS = ("runway_months", "ltv", "migration_npv")
#: draws evaluated at once: bounds the memory of the projection's state (a few hundred bytes a draw)
CHUNK = 1 << 16
#: bytes of working memory the migration NPV may take at once: it is draws x months (a few arrays of 8 bytes),
#: so its draws are evaluated in slices of ``MIGRATION_BYTES // (40 * months)`` (5,592 draws at 600 months)
MIGRATION_BYTES = 128 * 2**20
#: the fewest draws with which correlations are imposed (Iman-Conover): below it, or with fewer draws than
#: correlated inputs + 2, the ranged inputs are drawn independently and the simulation says so in its notes
MIN_CORRELATED_DRAWS = 20


def _iman_conover(columns: list[np.ndarray], target: np.ndarray, rng: np.random.Generator) -> bool:
    """Reorder each column in place so that their rank correlation is about ``target`` (Iman & Conover, 1982).

    The values of each column are only permuted: every marginal stays exactly as drawn. Returns False (and
    leaves the columns as drawn) when the scores' own correlation matrix is singular, which happens with
    about as few draws as columns.
    """
    n, k = columns[0].size, len(columns)
    scores = rng.standard_normal((n, k))
    scores -= scores.mean(axis=0)
    try:
        with np.errstate(all="ignore"):
            now = np.linalg.cholesky(np.corrcoef(scores, rowvar=False))
    except np.linalg.LinAlgError:
        return False
    want = np.linalg.cholesky(pearson(target))
    t = scores @ np.linalg.solve(now, want.T)  # rows: scores with correlation ~ target
    if not np.isfinite(t).all():
        return False
    for j, col in enumerate(columns):
        ranks = np.empty(n, dtype=np.intp)
        ranks[np.argsort(t[:, j], kind="stable")] = np.arange(n)
        col[:] = np.sort(col)[ranks]
    return True


def output_names(scenario: Mapping[str, Any]) -> list[str]:
    """The outputs a simulation of ``scenario`` reports: what ``calc`` prints (``default_alive`` as 1 or 0)."""
    names = list(UnitEconomics.__dataclass_fields__)
    if scenario.get("retention") is not None:  # a curve's cohort payback, right after the paybacks (as calc)
        names.insert(names.index("payback_months_paid") + 1, "cohort_payback_month")
    if uses_stocks(scenario):  # two stocks: a new payer's LTV, right after the LTV (as calc)
        names.insert(names.index("ltv") + 1, "ltv_payer")
    names += reported_outputs(scenario)
    if scenario.get("monthly_tokens") is not None and scenario.get("months") is not None:
        names += ["migration_npv", "migration_payback_month"]
    return names


def _decide(s: dict[str, Any]) -> dict[str, Any]:
    """The scenario with its ranged decisions (``ad_spend@4``, ``funding@9``, ``count@team:ROLE``, ...) put into
    its dated entries."""
    keys = [k for k in s if "@" in k]
    if not keys:
        return s
    s = dict(s)
    for key in keys:
        put_decided(s, key, s.pop(key))
    return s


def resolve(s: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario as the engine functions take it: a ``mix`` priced (``fx * sum(share * USD price)``, as
    :func:`~xlmodel.prices.mix_price`), the cost per MAU derived from the token inputs (as in an assumptions
    file), ranged decisions (``ad_spend@4``, ``funding@9``) put into the changes and rounds. Values may be
    arrays of scenarios; ``s`` itself is not changed."""
    s = dict(s)  # (a copy: s itself is not changed)
    mix = s.pop("mix", None)
    if mix:
        from .prices import mix_price

        models, shares = list(mix), list(mix.values())
        fx = s.get("fx", 1.0)
        for key, kind in MIX_PRICES.items():
            s[key] = fx * mix_price(models, shares, kind, 1.0)
    if all(k in s for k in TOKEN_KEYS[:4]):
        s["cost_per_mau"] = cost_per_mau(
            s["input_tokens"],
            s["output_tokens"],
            s["input_price"],
            s["output_price"],
            s.get("cached_share", 0.0),
            s.get("cached_price"),
        )
        for k in TOKEN_KEYS:
            s.pop(k, None)
    return _decide(s)


def evaluate(s: Mapping[str, Any], names: list[str], n: int) -> dict[str, np.ndarray]:
    """Every output in ``names`` for ``n`` scenarios at once: ``s`` is a scenario whose values may be arrays of
    length ``n`` (a simulation's draws, a goal seek's trial values); the engine, once. Returns name -> array
    of ``n`` (``inf`` never, ``nan`` n/a; flags as 1.0 and 0.0)."""
    r = resolve(s)
    ue = unit_economics(**r, undefined="nan").as_dict()
    out = {k: ue[k] for k in ue}
    out.update(runway_stream(**r, answers=True).answers)
    if "migration_npv" in names or "migration_payback_month" in names:  # either asks for both (one pass)
        out["migration_npv"], out["migration_payback_month"] = _migration(
            {k: r[k] for k in MIGRATION_ARGS if k in r}, n
        )
    return {k: np.broadcast_to(np.asarray(out[k], dtype=float), (n,)) for k in names}


def _migration(args: dict[str, Any], n: int) -> tuple[float | np.ndarray, float | np.ndarray]:
    """The standalone migration NPV and payback month of ``n`` scenarios, in slices whose draws x months
    arrays stay within :data:`MIGRATION_BYTES` whatever ``months`` is (up to 1,200)."""
    months = int(np.max(np.asarray(args.get("months", 1), dtype=float), initial=1))
    step = max(1, MIGRATION_BYTES // (40 * months))
    if n <= step:
        return migration_npv(**args), migration_payback_month(**args)
    npv, payback = np.empty(n), np.empty(n)
    for a in range(0, n, step):
        b = min(n, a + step)
        part = {k: (v[a:b] if np.ndim(v) and np.shape(v)[0] == n else v) for k, v in args.items()}
        npv[a:b] = migration_npv(**part)
        payback[a:b] = migration_payback_month(**part)
    return npv, payback


class Simulation:
    """The result of :func:`simulate`.

    ``inputs``: name -> array of the draws, for every ranged input.
    ``outputs``: name -> array of draws, for every output ``calc`` prints and
    ``ending_cash`` (``inf`` is never, ``nan`` an output the draw does not
    define, as ``n/a`` in ``calc``). Draw ``i`` of every output is the
    deterministic engine run at draw ``i``'s inputs.
    """

    def __init__(
        self,
        scenario: str | None,
        base: dict[str, Any],
        ranges: dict[str, Range],
        correlations: dict[tuple[str, str], float],
        draws: int,
        seed: int,
        inputs: dict[str, np.ndarray],
        outputs: dict[str, np.ndarray],
        notes: Iterable[str] = (),
    ):
        self.notes = list(
            notes
        )  # what a reader must know about how the draws were made (correlations not imposed)
        self.scenario = scenario
        self.base = base
        self.ranges = ranges
        self.correlations = correlations
        self.draws = draws
        self.seed = seed
        self.inputs = inputs
        self.outputs = outputs
        self._base_values: dict[str, float] | None = None

    @property
    def horizon(self) -> int:
        return int(
            self.base.get("horizon", cast(float, PARAMS["horizon"].default))
        )  # (horizon has a default)

    @property
    def base_values(self) -> dict[str, float]:
        """Every output at the base inputs (what ``calc`` prints; nan for n/a)."""
        if self._base_values is None:
            self._base_values = {
                k: float(np.asarray(v).reshape(-1)[0])
                for k, v in evaluate(self.base, list(self.outputs), 1).items()
            }
        return self._base_values

    def stats(self, output: str) -> dict[str, float]:
        """``mean``, ``p5`` .. ``p95``, ``min``, ``max`` (floats; ``inf`` = never, ``nan`` = no defined draw),
        ``share_never`` for outputs that can be never, and ``share_na``."""
        return _stats(self.outputs[output], output in NEVER_OUTPUTS)

    def share_below(self, months: float, output: str = "runway_months") -> float:
        """Share of draws whose ``output`` is below ``months`` (a never is not below)."""
        return float(np.count_nonzero(self.outputs[output] < months)) / self.draws

    def share_need_funding(self) -> float:
        """Share of draws that need more money: a funding need above 0 (docs/model.md, "What a plan answers")."""
        return float(np.count_nonzero(self.outputs["funding_need"] > 0)) / self.draws

    def share_break_even(self) -> float:
        """Share of draws that break even (sustained) within the horizon."""
        return float(np.count_nonzero(np.isfinite(self.outputs["breakeven_month"]))) / self.draws

    def tornado(self, output: str) -> list[dict[str, Any]]:
        """One row per ranged input: ``output`` with that input at its low and its high bound, every other
        input at its base value; sorted by ``|at_high - at_low|``, largest first (a never counts as the
        horizon for sorting only, a row with an n/a end last)."""
        if output not in self.outputs:
            raise InputError("output", f"output must be one of {', '.join(self.outputs)}, got {output!r}")
        names = list(self.ranges)
        if not names:
            return []
        n = 2 * len(names)
        s = {k: v for k, v in self.base.items()}
        for j, k in enumerate(names):
            col = np.full(n, self.base.get(k, self.ranges[k].base), dtype=float)
            col[2 * j], col[2 * j + 1] = self.ranges[k].low, self.ranges[k].high
            s[k] = col
        values = evaluate(s, list(self.outputs), n)[output]
        rows = []
        for j, k in enumerate(names):
            lo, hi = float(values[2 * j]), float(values[2 * j + 1])
            rows.append(
                {
                    "input": k,
                    "low": self.ranges[k].low,
                    "high": self.ranges[k].high,
                    "at_low": lo,
                    "at_high": hi,
                }
            )

        def swing(r: dict[str, Any]) -> float:
            a, b = (self.horizon if math.isinf(x) else x for x in (r["at_low"], r["at_high"]))
            d = abs(b - a)
            return -1.0 if math.isnan(d) else d

        return sorted(rows, key=swing, reverse=True)

    def summary(self) -> dict[str, Any]:
        """The ``xlmodel simulate --json`` document as a dict (never is ``"never"``, n/a is ``None``)."""
        doc: dict[str, Any] = {
            "scenario": self.scenario,
            "draws": self.draws,
            "seed": self.seed,
            "inputs": {k: r.describe() for k, r in self.ranges.items()},
            "correlations": {f"{a},{b}": rho for (a, b), rho in (self.correlations or {}).items()},
            "notes": list(self.notes),
            "outputs": {},
        }
        for name in self.outputs:
            st = self.stats(name)
            st["base"] = self.base_values[name]
            doc["outputs"][name] = {k: json_value(v) for k, v in st.items()}
        doc["runway_share_below"] = {str(m): self.share_below(m) for m in SHARE_BELOW}
        doc["share_need_funding"] = self.share_need_funding()
        doc["share_break_even"] = self.share_break_even()
        doc["tornado"] = {
            o: [{k: json_value(v) for k, v in r.items()} for r in self.tornado(o)]
            for o in TORNADO_OUTPUTS
            if o in self.outputs
        }
        return doc


def percentiles(values: np.ndarray, ps: Sequence[float] = PERCENTILES) -> np.ndarray:
    """numpy's default (linear) percentiles, where a percentile that touches a never (``inf``) is never.

    ``values`` are the defined draws (no nan). The infinities sort above every
    number; a percentile whose interpolation reaches one is ``inf``. Draws
    beyond 1e301 are interpolated in units of a power of two (exact), so
    that the difference of two neighbours (-1e308 and 1e308) cannot overflow.
    """
    s = np.sort(values)
    n = s.size
    never = np.isinf(s)
    scale = _scale(s[~never] if never.any() else s)
    if scale != 1.0:
        s = s / scale
    if never.any():
        finite = s[~never]
        s_fin = s.copy()
        s_fin[never] = finite.max() if finite.size else 0.0  # keeps the order; the touched ones are set below
        q: np.ndarray = np.percentile(s_fin, ps)
        h = (n - 1) * np.asarray(ps, dtype=float) / 100
        q[never[np.ceil(h).astype(int)]] = np.inf
        return q * scale
    result: np.ndarray = np.percentile(s, ps) * scale
    return result


def _scale(finite: np.ndarray) -> float:
    """1, or a power of two near the largest magnitude of ``finite`` when it is beyond 2**1000 (~1e301): values
    divided by it are at most 1, so that their sums and differences cannot overflow."""
    if not finite.size:
        return 1.0
    big = float(max(abs(float(finite.min())), abs(float(finite.max()))))
    return 2.0 ** (math.frexp(big)[1] - 1) if big > 2.0**1000 else 1.0


def _mean(values: np.ndarray) -> float:
    """The mean of finite draws without overflow: draws beyond 1e301 are summed in units of a power of two (the
    mean of -8e307 and 8e307 draws is a number, not an overflow)."""
    scale = _scale(values)
    if scale == 1.0:
        return float(np.mean(values))
    return float(np.mean(values / scale)) * scale


def _stats(x: np.ndarray, can_never: bool) -> dict[str, float]:
    n = x.size
    na = np.isnan(x)
    vals = x[~na] if na.any() else x
    out: dict[str, float] = {}
    if vals.size == 0:
        out = {"mean": math.nan, **{f"p{p}": math.nan for p in PERCENTILES}, "min": math.nan, "max": math.nan}
    else:
        lo, hi = float(vals.min()), float(vals.max())
        if math.isinf(hi) or math.isinf(lo):
            out["mean"] = hi if math.isinf(hi) else lo  # a never among the draws: the mean is never
        else:  # constant draws: the value itself, not a rounded sum
            out["mean"] = lo if lo == hi else _mean(vals)
        for p, q in zip(PERCENTILES, percentiles(vals)):
            out[f"p{p}"] = lo if lo == hi else float(q)
        out["min"], out["max"] = lo, hi
    if can_never:
        out["share_never"] = float(np.count_nonzero(np.isposinf(x))) / n
    out["share_na"] = float(np.count_nonzero(na)) / n
    return out


def simulate(
    inputs: Mapping[str, Any],
    draws: int = 10_000,
    seed: int = 0,
    correlations: Mapping[Any, Any] | None = None,
    scenario: str | None = None,
    progress: Callable[[int, int], object] | None = None,
    evaluated: bool = True,
) -> Simulation:
    """Monte Carlo over a scenario whose inputs may be ranges.

    Parameters
    ----------
    inputs : mapping
        A complete scenario (as ``Assumptions.scenario(...)`` gives, or the
        keyword arguments of :func:`xlmodel.project` and friends); any
        numeric value may be a range mapping ``{"low":…, "mode":…, "high":…,
        "dist":…}`` (or a :class:`Range`). With the token inputs, the cost
        per MAU is derived from them per draw; a ``mix`` ({model: share})
        prices the tokens per draw at ``fx * sum(share * USD price)``.
    draws : int, default 10,000
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: same inputs, draws and seed give
        bit-identical results. Ranged inputs are drawn in the order of the
        model's input table, ``draws`` values each; correlation scores come after.
    correlations : mapping, optional
        Spearman rank correlations between ranged inputs, e.g.
        ``{("cac", "ad_growth"): 0.6}``, imposed with Iman-Conover. With
        fewer than :data:`MIN_CORRELATED_DRAWS` (20) draws, or fewer than the
        correlated inputs + 2 (the scores' own correlation matrix is then
        singular), the correlations are not imposed: the inputs are drawn
        independently and ``Simulation.notes`` says so (the random numbers
        drawn are the same either way).
    progress : callable, optional
        Called as ``progress(done, draws)`` after each chunk of draws is
        evaluated (the command line draws a progress bar with it).
    evaluated : bool, default True
        False: draw the inputs only, no output evaluated (``outputs`` is
        empty): what a goal seek or a grid of statistics needs, which
        evaluates the draws itself, a trial value at a time.

    Returns
    -------
    Simulation

    Notes
    -----
    Memory: the draws are evaluated :data:`CHUNK` (65,536) at a time and the
    standalone migration NPV, which is draws x months, in slices of at most
    :data:`MIGRATION_BYTES` (128 MiB), so the working memory stays under
    ~256 MiB whatever ``months`` and ``horizon`` are (``bench/memory.py``).
    The draws themselves are kept: 8 bytes per draw for every ranged input
    and every output (about 300 bytes a draw: 20 MB at 65,536 draws, 300 MB
    at a million).
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 1 <= draws <= MAX_DRAWS:
        raise InputError("draws", f"draws must be a whole number from 1 to {MAX_DRAWS:,}, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", f"seed must be a whole number 0 or more, got {seed!r}")
    draws, seed = int(draws), int(seed)
    unknown = [
        k
        for k in inputs
        if k not in PARAMS and k != "mix" and k not in PLAN_KEYS and k not in CALENDAR_KEYS and "@" not in k
    ]
    if unknown:
        raise InputError(unknown[0], f"{unknown[0]} is not an input of the model")
    ranges = {k: parse_range(k, inputs[k]) for k in PARAMS if k in inputs and is_range(inputs[k])}
    for k in inputs:  # ranged decisions, after the inputs: a change level ad_spend@4, a round funding@9
        if "@" in k:
            ranges[k] = parse_range(range_name(k), inputs[k])
    base = {k: v for k, v in base_inputs({k: v for k, v in inputs.items() if "@" not in k}).items()}
    if all(k in base for k in TOKEN_KEYS[:4]):
        base.pop("cost_per_mau", None)  # derived from the tokens, per draw and at the base
    names, target = check_correlations(correlations, ranges)
    rng = np.random.default_rng(seed)
    drawn = {k: r.draw(rng, draws) for k, r in ranges.items()}
    notes = []
    if names:
        least = max(MIN_CORRELATED_DRAWS, len(names) + 2)
        if draws < least:
            notes.append(
                f"correlations not imposed: Iman-Conover needs at least {least:,} draws for "
                f"{len(names)} correlated inputs, got {draws:,}; the inputs are drawn independently"
            )
        elif target is not None and not _iman_conover(
            [drawn[k] for k in names], target, rng
        ):  # (names: target)
            notes.append(
                f"correlations not imposed: the {draws:,} draws' normal scores are too few to correlate "
                "(their correlation matrix is singular); the inputs are drawn independently"
            )
    corr = {pair(k): float(v) for k, v in (correlations or {}).items()}
    outs = output_names(base) if evaluated else []
    outputs = {k: np.empty(draws) for k in outs}
    for a in range(0, draws if outs else 0, CHUNK):
        b = min(draws, a + CHUNK)
        s = dict(base)
        for k, x in drawn.items():
            s[k] = x[a:b]
        for k, y in evaluate(s, outs, b - a).items():
            outputs[k][a:b] = y
        if progress is not None:
            progress(b, draws)
    return Simulation(scenario, base, ranges, corr, draws, seed, drawn, outputs, notes)
