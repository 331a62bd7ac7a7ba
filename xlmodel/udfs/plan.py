"""The plan's Excel functions: runway, the monthly projection and the Monte Carlo simulation."""

from __future__ import annotations

import sys

import numpy as np

from .. import engine
from ..assumptions import from_dict
from ..errors import AssumptionsError, XlmodelError
from ..outputs import OUTPUT_DEFINITIONS
from ..params import ALL_PARAMS
from ..simulate import MAX_DRAWS, simulate
from ..statements import LINES, statements
from .cells import UNSET, call, excel, fail, grid, is_empty, no_error, number, single, stat, to_excel, whole
from .plan_tables import plan_tables

__all__ = [
    "LLM_RUNWAY",
    "LLM_PROJECTION",
    "LLM_SIMULATE",
    "LLM_PLAN",
    "SIMULATE_HEADER",
    "PROJECTION_COLUMNS",
]

#: LLM_PROJECTION's columns: version 1's and version 2's lines, as they always were (LLM_PLAN spills every line)
PROJECTION_COLUMNS = engine.Projection.ROWS[:13]

#: LLM_RUNWAY/LLM_PROJECTION arguments with no default: empty means "not given"
_NOT_GIVEN = ("organic_users", "paying_cost_per_mau", "migration_month", "large_price", "small_price")

_PROJECTION_DEFAULTS = {
    k: ALL_PARAMS[k].default
    for k in (
        "paid_share",
        "ad_growth",
        "cost_decline",
        "horizon",
        "organic_growth",
        "cac_elasticity",
        "routed_share",
    )
}
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
def LLM_RUNWAY(
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs,
    paid_share=None,
    ad_growth=None,
    cost_decline=None,
    horizon=None,
    organic_users=None,
    organic_growth=None,
    cac_elasticity=None,
    paying_cost_per_mau=None,
    migration_month=None,
    routed_share=None,
    large_price=None,
    small_price=None,
    migration_cost=None,
):
    """Months until cash runs out (fractional, linear within the month); never if cash lasts the horizon."""
    return call(_runway, dict(locals()), _PROJECTION_DEFAULTS)  # every argument, by name


@excel()
def LLM_PROJECTION(
    cash,
    mau,
    ad_spend,
    cac,
    churn,
    conversion,
    arppu,
    cost_per_mau,
    fixed_costs,
    paid_share=None,
    ad_growth=None,
    cost_decline=None,
    horizon=None,
    organic_users=None,
    organic_growth=None,
    cac_elasticity=None,
    paying_cost_per_mau=None,
    migration_month=None,
    routed_share=None,
    large_price=None,
    small_price=None,
    migration_cost=None,
):
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
        table = np.column_stack([getattr(p, r) for r in PROJECTION_COLUMNS])
        return [list(PROJECTION_COLUMNS)] + table.tolist()
    except Exception as e:
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
            if any(not is_empty(c) for c in (lo, mode, hi)):
                raise XlmodelError(f"ranges row {i}: values beside an empty name: give the input's name")
            continue  # an empty row
        no_error(f"ranges row {i}: the name", name)
        if not isinstance(name, str):
            raise XlmodelError(f"ranges row {i}: the name must be an input name (text), got {name!r}")
        name = name.strip()
        empty = [is_empty(c) for c in (lo, mode, hi)]
        if i == 1 and name.lower() in ("name", "input") and all(isinstance(c, str) for c in (lo, mode, hi)):
            continue  # a header row
        if name in scen:
            raise XlmodelError(f"ranges row {i}: {name} is given twice")
        if empty == [True, False, True]:
            scen[name] = number(name, mode, None)
        elif empty == [False, True, False]:
            scen[name] = {"low": number(f"{name} low", lo, None), "high": number(f"{name} high", hi, None)}
        elif empty == [False, False, False]:
            scen[name] = {
                "low": number(f"{name} low", lo, None),
                "mode": number(f"{name} mode", mode, None),
                "high": number(f"{name} high", hi, None),
            }
        else:
            raise XlmodelError(
                f"ranges row {i} ({name}): give the mode alone (a fixed value), low and high "
                "(uniform), or all three (PERT)"
            )
    return scen


#: the most draws LLM_SIMULATE takes in xlwings Lite (Pyodide, whose WebAssembly memory is 2 GB): a million
#: draws peak at ~0.6 GB (bench/memory.py: ~300 bytes a draw kept, plus the bounded working memory of a chunk)
#: and take ~5 s natively, a few times that in Pyodide; the command line takes up to 10 million
LITE_MAX_DRAWS = 1_000_000


def _max_draws() -> int:
    return LITE_MAX_DRAWS if sys.platform == "emscripten" else MAX_DRAWS


@excel()
def LLM_SIMULATE(ranges, draws=None, seed=None, horizon=None):
    """Monte Carlo over a table of input ranges: each output's mean, P5, P10, P50, P90, P95 and share of draws that never run out or pay back."""
    try:
        n = whole("draws", single("draws", draws, None), 10_000, 1, MAX_DRAWS)
        if n > _max_draws():
            raise XlmodelError(
                f"draws must be at most {_max_draws():,} in xlwings Lite (its memory is 2 GB), got "
                f"{n:,}: run larger simulations with xlmodel simulate"
            )
        k = whole("seed", single("seed", seed, None), 0, 0, 2**63 - 1)
        h = whole("horizon", single("horizon", horizon, None), int(ALL_PARAMS["horizon"].default), 1, 1200)
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
    except Exception as e:
        return fail(e)


# ------------------------------------------------------------------ a plan from tables


#: the outputs a plan has only with certain inputs (engine.summary leaves them out otherwise, as calc does)
_NEEDS = {
    "runway_months_without_funding": "funding rounds (the funding table)",
    "runway_months_without_migration": "migration_month (the plan's migration)",
    "plan_migration_npv": "migration_month (the plan's migration)",
    "plan_migration_payback_month": "migration_month (the plan's migration)",
    "migration_npv": "monthly_tokens and months (the standalone migration's inputs)",
    "migration_payback_month": "monthly_tokens and months (the standalone migration's inputs)",
    "cohort_payback_month": "a retention curve (the retention argument)",
    "ltv_payer": "paying_churn and upgrade (payers as their own stock)",
}


#: the statement lines LLM_PLAN's output may name: each month's value (docs/model.md, "The three statements")
STATEMENT_LINES = tuple(n for n in LINES if n != "balance_ok") + ("balance_ok", "headcount")


def _line(s: dict, key: str) -> list[list]:
    """A statement line of a plan: a header row (month, the line) and a row a month."""
    p = engine.plan(**s).projection
    out: list[list] = [["month", key]]
    for t, x in enumerate(np.asarray(statements(p, s["cash"])[key]).tolist(), start=1):
        out.append([t, bool(x) if key == "balance_ok" else to_excel(x)])
    return out


def _answer(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return to_excel(value)


@excel()
def LLM_PLAN(inputs, changes=None, funding=None, output=None, retention=None, team=None, capex=None):
    """A plan from tables (inputs; changes; funding; retention; team; capex): the monthly projection with a header row, one answer such as funding_need, or a statement line by month such as net_income."""
    try:
        doc = plan_tables(inputs, changes, funding, retention, team, capex)
        try:
            a = from_dict(doc, "inputs")
        except AssumptionsError as e:  # the table names no file and no [model]: the key and the rule
            key = e.key.removeprefix("model.") if e.key else None
            raise XlmodelError(f"{key}: {e.message}" if key else e.message) from None
        s = a.scenario()
        want = None if output is None else grid("output", output)
        if want is not None and (len(want) != 1 or len(want[0]) != 1):
            raise XlmodelError("output must be a single cell: the name of one answer, e.g. funding_need")
        name = None if want is None or is_empty(want[0][0]) else no_error("output", want[0][0])
        if name is not None:
            key = name.strip() if isinstance(name, str) else None
            if (
                key in STATEMENT_LINES and key not in OUTPUT_DEFINITIONS
            ):  # a line only: no need of the answers
                return _line(s, key)
            answers = engine.summary(s)  # what xlmodel calc --json prints as its outputs
            if key in _NEEDS and key not in answers:
                raise XlmodelError(f"output {key} needs {_NEEDS[key]}; xlmodel calc reports it only then")
            if key in STATEMENT_LINES and key not in answers:
                return _line(s, key)
            if key not in answers:
                every = list(answers) + [k for k in _NEEDS if k not in answers]
                raise XlmodelError(
                    f"output must be the name of an output, got {name!r:.40}: one of {', '.join(every)}, or a "
                    f"statement line ({', '.join(STATEMENT_LINES)})"
                )
            return _answer(answers[key])
        p = engine.plan(**s).projection
        names, cols = list(engine.Projection.ROWS), [getattr(p, r) for r in engine.Projection.ROWS]
        if p.stocks is not None and p.company is not None:  # payers as their own stock: their lines, last
            names += [*p.stocks, "deferred_revenue"]
            cols += [*p.stocks.values(), p.company["deferred_revenue"]]
        return [names] + np.column_stack(cols).tolist()
    except Exception as e:
        return fail(e)
