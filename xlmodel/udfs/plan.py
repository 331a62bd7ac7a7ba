"""The plan's Excel functions: runway, the monthly projection and the Monte Carlo simulation."""

from __future__ import annotations

import numpy as np

from .. import engine
from ..assumptions import from_dict
from ..errors import AssumptionsError, XlmodelError
from ..params import ALL_PARAMS
from ..simulate import MAX_DRAWS, simulate
from .cells import UNSET, call, excel, fail, grid, number, stat, whole

__all__ = ["LLM_RUNWAY", "LLM_PROJECTION", "LLM_SIMULATE", "SIMULATE_HEADER"]

#: LLM_RUNWAY/LLM_PROJECTION arguments with no default: empty means "not given"
_NOT_GIVEN = ("organic_users", "paying_cost_per_mau", "migration_month", "large_price", "small_price")

_PROJECTION_DEFAULTS = {k: ALL_PARAMS[k].default for k in ("paid_share", "ad_growth", "cost_decline", "horizon",
                                                           "organic_growth", "cac_elasticity", "routed_share")}
_PROJECTION_DEFAULTS.update({k: UNSET for k in _NOT_GIVEN}, migration_cost=0.0)


def _projection_kw(kw: dict) -> dict:
    """Empty optional cells (NaN) mean "not given" (None); a range mixing empty and filled
    cells is evaluated cell by cell."""
    out = dict(kw)
    for k in _NOT_GIVEN:
        nan = np.isnan(np.asarray(out[k], dtype=float))
        if nan.all():
            out[k] = None
        elif nan.any():
            raise XlmodelError(f"{k}: some cells empty")
    return out


def _runway(**kw):
    return engine.runway_months(**_projection_kw(kw))


@excel()
def LLM_RUNWAY(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
               paid_share=None, ad_growth=None, cost_decline=None, horizon=None, organic_users=None,
               organic_growth=None, cac_elasticity=None, paying_cost_per_mau=None, migration_month=None,
               routed_share=None, large_price=None, small_price=None, migration_cost=None):
    """Months until cash runs out (fractional, linear within the month); never if cash lasts the horizon."""
    return call(_runway, dict(locals()), _PROJECTION_DEFAULTS)  # every argument, by name


@excel()
def LLM_PROJECTION(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
                   paid_share=None, ad_growth=None, cost_decline=None, horizon=None, organic_users=None,
                   organic_growth=None, cac_elasticity=None, paying_cost_per_mau=None, migration_month=None,
                   routed_share=None, large_price=None, small_price=None, migration_cost=None):
    """The monthly projection as a table with a header row: month, ad spend, new users, MAU, paying, revenue, compute, fixed costs, net burn, cash, then paid and organic new users and the migration's one-off cost."""
    args = dict(locals())  # every argument, by name
    try:
        scalars = {}
        for k, v in args.items():
            g = grid(k, v)
            if len(g) != 1 or len(g[0]) != 1:
                raise XlmodelError(f"{k} must be a single cell: LLM_PROJECTION takes one scenario")
            scalars[k] = number(k, g[0][0], _PROJECTION_DEFAULTS.get(k))
        p = engine.project(**_projection_kw(scalars))
        table = np.column_stack([getattr(p, r) for r in engine.Projection.ROWS])
        return [list(engine.Projection.ROWS)] + table.tolist()
    except Exception as e:  # noqa: BLE001
        return fail(e)


#: LLM_SIMULATE's header row
SIMULATE_HEADER = ("output", "mean", "p5", "p10", "p50", "p90", "p95", "share_never")


def _ranges_table(ranges) -> dict:
    """LLM_SIMULATE's table -> a scenario whose inputs may be range mappings (as in an assumptions file)."""
    rows = grid("ranges", ranges)
    if len(rows[0]) != 4:
        raise XlmodelError(f"ranges must have four columns (name, low, mode, high), got {len(rows[0])}")
    scen = {}
    for i, (name, lo, mode, hi) in enumerate(rows, start=1):
        if name is None or (isinstance(name, str) and not name.strip()):
            continue  # an empty row
        if not isinstance(name, str):
            raise XlmodelError(f"ranges row {i}: the name must be an input name (text), got {name!r}")
        name = name.strip()
        empty = [c is None or (isinstance(c, str) and not c.strip()) for c in (lo, mode, hi)]
        if i == 1 and name.lower() in ("name", "input") and all(isinstance(c, str) for c in (lo, mode, hi)):
            continue  # a header row
        if name in scen:
            raise XlmodelError(f"ranges row {i}: {name} is given twice")
        if empty == [True, False, True]:
            scen[name] = number(name, mode, None)
        elif empty == [False, True, False]:
            scen[name] = {"low": number(f"{name} low", lo, None), "high": number(f"{name} high", hi, None)}
        elif empty == [False, False, False]:
            scen[name] = {"low": number(f"{name} low", lo, None), "mode": number(f"{name} mode", mode, None),
                          "high": number(f"{name} high", hi, None)}
        else:
            raise XlmodelError(f"ranges row {i} ({name}): give the mode alone (a fixed value), low and high "
                               "(uniform), or all three (PERT)")
    return scen


@excel()
def LLM_SIMULATE(ranges, draws=None, seed=None, horizon=None):
    """Monte Carlo over a table of input ranges: each output's mean, P5, P10, P50, P90, P95 and share of draws that never run out or pay back."""
    try:
        one = lambda name, v: None if v is None else grid(name, v)[0][0]  # noqa: E731
        n = whole("draws", one("draws", draws), 10_000, 1, MAX_DRAWS)
        k = whole("seed", one("seed", seed), 0, 0, 2**63 - 1)
        h = whole("horizon", one("horizon", horizon), int(ALL_PARAMS["horizon"].default), 1, 1200)
        scen = _ranges_table(ranges)
        try:
            a = from_dict({"model": {"horizon": h}, "scenarios": {"ranges": scen}}, "ranges")
        except AssumptionsError as e:
            raise XlmodelError(f"{e.key}: {e.message}" if e.key else e.message) from None
        sim = simulate(a.simulation_inputs(), draws=n, seed=k)
        table = [list(SIMULATE_HEADER)]
        for name in sim.outputs:
            st = sim.stats(name)
            row = [name] + [stat(st[c]) for c in SIMULATE_HEADER[1:-1]]
            row.append(st["share_never"] if "share_never" in st else "")
            table.append(row)
        return table
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return fail(e)
