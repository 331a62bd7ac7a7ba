"""Excel worksheet functions: ``=LLM_RUNWAY(...)``, ``=LLM_CAC(...)`` and the rest.

One module serves both free routes:

- the classic xlwings add-in on Windows (point ``UDF Modules`` at
  ``xlmodel.udfs`` and click *Import Functions*; the Excel name is the Python
  function's own name, hence the upper-case names here), and
- xlwings Lite (``from xlmodel.udfs import *`` in ``main.py``; Lite shows the
  upper-cased Python name).

Each function is a thin adapter: it converts what Excel hands over (floats,
``None`` for an empty cell, text, booleans, nested lists for ranges), calls the
engine and shapes the answer. A single cell gives a number; a column (or any
range) of scenarios gives a matching range, computed in one vectorised call.
"Never" shows as the text ``never``; bad input shows a one-line message such as
``#VALUE! churn must be between 0 and 1 (monthly fraction), got 1.5``, never a
traceback and never an empty cell.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from . import engine
from .errors import InputError, XlmodelError
from .params import ALL_PARAMS, RULES

try:  # xlwings' decorators: real ones on Windows and in xlwings Lite, no-ops elsewhere.
    from xlwings import arg, func
except ImportError:  # pragma: no cover - xlwings not installed: plain Python functions
    def func(f=None, **_):
        return (lambda g: g) if f is None else f

    def arg(*_, **__):
        return lambda g: g

__all__ = [
    "LLM_CAC", "LLM_LTV", "LLM_PAYBACK", "LLM_COST_PER_MAU", "LLM_GPU_PRICE", "LLM_PRICE",
    "LLM_MIGRATION_NPV", "LLM_RUNWAY", "LLM_PROJECTION", "LLM_MIX_PRICE", "LLM_SIMULATE", "LLM_COHORT_LTV",
    "LLM_COHORT_CHURN", "EXCEL_FUNCTIONS",
    "xlwings_conf_text",
]

CATEGORY = "LLM Economics"
NEVER = "never"

#: help for arguments that are not model inputs
_ARG_DOCS = {
    "months": "optional lifetime cap in months (empty: unbounded)",
    "model": "model name, e.g. gpt-4o-mini (text or a cell)",
    "kind": "input, output or cached_input (default input)",
    "provider": "optional provider id, e.g. openai or anthropic",
    "horizon": "optional months projected, whole number (default 60)",
    "models": "a row or column of model names, e.g. gpt-4o-mini (empty cells are skipped)",
    "shares": "a matching row or column of traffic shares summing to 1",
    "fx": "optional model currency per 1 USD (default 1: USD); 7.2 for RMB at 7.2 per USD",
    "organic_users": "optional new users a month who come without ads (empty: paid_share's multiple of ad-bought users)",
    "paying_cost_per_mau": "optional compute cost of a paying user per month (empty: cost_per_mau)",
    "migration_month": "optional month from which routed_share of compute runs on the small model (empty: none)",
    "large_price": "large model's price per 1M tokens (needed with migration_month)",
    "small_price": "small model's price per 1M tokens (needed with migration_month)",
    "migration_cost": "one-time cost of the migration, paid in migration_month (default 0)",
    "ranges": "a table of inputs, one row each: name, low, mode, high (mode only: fixed; low and high: uniform; "
              "all three: PERT)",
    "draws": "optional number of draws (default 10,000)",
    "seed": "optional random seed, whole number (default 0): same seed, same numbers",
    "retention": "a row or column of shares of the cohort active in months 1, 2, ... (empty trailing cells ignored)",
    "tail": "optional TRUE (default): add the geometric tail past the last month; FALSE: observed months only",
}

#: LLM_RUNWAY/LLM_PROJECTION arguments with no default: empty means "not given"
_NOT_GIVEN = ("organic_users", "paying_cost_per_mau", "migration_month", "large_price", "small_price")


def _arg_doc(name: str, fn_name: str) -> str:
    # LLM_MIGRATION_NPV's months and prices read as the migration inputs they are (from params)
    own = fn_name == "LLM_MIGRATION_NPV" and name in ("months", "large_price", "small_price", "migration_cost")
    if name in _ARG_DOCS and not own:
        return _ARG_DOCS[name]
    p = ALL_PARAMS[name]
    text = f"{p.doc}; {p.unit}"
    if p.default is not None:
        text += f" (default {p.default:g})"
    return text


def _excel():
    """Apply xlwings' decorators: per-argument help, 2-D ranges, one category."""

    def deco(f):
        names = f.__code__.co_varnames[: f.__code__.co_argcount]
        for name in reversed(names):
            f = arg(name, ndim=2, doc=_arg_doc(name, f.__name__))(f)
        return func(category=CATEGORY)(f)

    return deco


# ------------------------------------------------------------------ conversion


#: the longest message a cell shows (Excel holds 32,767 characters; a message quoting a huge value is cut)
MAX_MESSAGE = 500


def _message(err: BaseException) -> str:
    text = str(err) if isinstance(err, XlmodelError) else f"unexpected error: {type(err).__name__}: {err}"
    text = "#VALUE! " + " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 30] + f"... ({len(text):,} characters)"


def _grid(name, value):
    """Excel value -> 2-D list of cells (a scalar is 1x1; a 1-D list is a column)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            return [[None]]
        if all(isinstance(r, (list, tuple)) for r in value):
            rows = [list(r) for r in value]
        elif any(isinstance(r, (list, tuple)) for r in value):
            raise XlmodelError(f"{name} must be a rectangular range")
        else:
            rows = [[v] for v in value]
        widths = {len(r) for r in rows}
        if len(widths) != 1 or 0 in widths:
            raise XlmodelError(f"{name} must be a rectangular range")
        return rows
    return [[value]]


def _number(name, cell, default):
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        if default is None:
            raise XlmodelError(f"{name} is required")
        return default
    if isinstance(cell, bool) or isinstance(cell, str) or not isinstance(cell, (int, float, np.number)):
        shown = ("TRUE" if cell else "FALSE") if isinstance(cell, bool) else repr(cell)
        raise XlmodelError(f"{name} must be a number, got {shown}")
    return float(cell)


def _to_excel(x):
    """Engine result -> Excel value: float, 'never', or a 2-D list of those."""
    if isinstance(x, float) and not math.isnan(x):
        return NEVER if math.isinf(x) else x
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        v = float(a)
        if math.isnan(v):
            return _message(XlmodelError("the result is not a number"))
        return NEVER if math.isinf(v) else v
    return [[_to_excel(v) for v in row] for row in a.reshape(a.shape[0], -1).tolist()]


def _raises() -> bool:
    """True in xlwings Lite (Pyodide), where a raised error is a real #VALUE! cell with the message on hover, so
    that IFERROR and ISERROR work; the classic add-in would show a traceback, so there a cell gets the text."""
    return sys.platform == "emscripten" or os.environ.get("XLMODEL_RAISE_ERRORS") == "1"


def _fail(err: BaseException):
    """The whole result is one error: raise it where the runtime shows errors as errors, else the message text."""
    text = _message(err)
    if _raises():
        raise XlmodelError(text[len("#VALUE! "):]) from None
    return text


def _one(fn, cells: dict, defaults: dict, convert=_number, whole: bool = False):
    """One scenario: Excel cells -> number, 'never' or a message (``whole``: it is the call's only cell)."""
    try:
        return _to_excel(fn(**{k: convert(k, c, defaults.get(k)) for k, c in cells.items()}))
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return _fail(e) if whole else _message(e)


#: the most cells one call returns: a million, a full column of a sheet (a 10,000-row column against a
#: 10,000-column row would be 100 million cells, gigabytes, and no sheet shows them)
MAX_CELLS = 1_048_576


def _call(fn, args: dict, defaults: dict, convert=_number, vectorised: bool = True):
    """Call ``fn`` over Excel values: one vectorised call for a range of scenarios.

    A single cell per argument gives one value. Ranges broadcast like numpy
    (a column of scenarios against single cells gives a column). Each cell is
    validated on its own first (its type, then each argument's rule); the
    good rows are computed in one vectorised call and a bad row gets its own
    message, so one bad cell neither blanks nor slows the others. What cannot
    be told apart cell by cell (a rule between arguments) is evaluated row by
    row. ``convert`` turns one cell into the engine's argument; a function
    that is not ``vectorised`` is called cell by cell.
    """
    try:
        cells = {k: np.array(_grid(k, v), dtype=object) for k, v in args.items()}
        try:
            shape = np.broadcast_shapes(*(c.shape for c in cells.values()))
        except ValueError:
            raise XlmodelError("ranges must have the same number of rows and columns (or be single cells)") from None
        if shape[0] * shape[1] > MAX_CELLS:
            raise XlmodelError(f"the result would be {shape[0]:,} x {shape[1]:,} cells, more than the "
                               f"{MAX_CELLS:,} one call returns: pass ranges of matching shape")
    except Exception as e:  # noqa: BLE001
        return _fail(e)
    if shape == (1, 1):
        return _one(fn, {k: c[0, 0] for k, c in cells.items()}, defaults, convert, whole=True)
    b = dict(zip(cells, np.broadcast_arrays(*cells.values())))
    if not vectorised:
        return [[_one(fn, {k: a[i, j] for k, a in b.items()}, defaults, convert) for j in range(shape[1])]
                for i in range(shape[0])]
    n = shape[0] * shape[1]
    out = np.empty(n, dtype=object)
    bad = np.zeros(n, dtype=bool)
    conv = {}
    for k, c in cells.items():  # each distinct cell converted once; a cell that is not a number marks its rows
        vals = np.empty(c.shape, dtype=float)
        for idx, x in np.ndenumerate(c):
            try:
                vals[idx] = _number(k, x, defaults.get(k))
            except XlmodelError as e:
                vals[idx] = np.nan
                rows = np.zeros(c.shape, dtype=bool)
                rows[idx] = True
                hit = np.broadcast_to(rows, shape).reshape(-1) & ~bad
                out[hit] = _message(e)
                bad |= hit
        # a single cell stays a single value (a horizon must be one number); a range, one value a row
        conv[k] = vals.reshape(()) if c.size == 1 else np.broadcast_to(vals, shape).reshape(-1)
    for _ in range(len(conv) + 1):  # each argument's rule, cell by cell, as the engine reports it
        good = ~bad
        if not good.any():
            break
        try:
            res = np.broadcast_to(np.asarray(fn(**{k: (v[good] if v.ndim else float(v)) for k, v in conv.items()}),
                                             dtype=float), (int(good.sum()),))
        except InputError as e:
            rule = ALL_PARAMS.get(e.argument)
            if rule is None or e.argument not in conv:
                break
            x = np.broadcast_to(conv[e.argument], (n,))
            fails = good & ~RULES[rule.rule].ok(x) & ~np.isnan(x)  # nan: an empty optional cell, not a bad one
            if not fails.any():
                break
            bad |= fails  # these rows get their own call below: its message, or its value where the function's
            continue      # rule for the argument is wider than the model input's (payback takes a CAC of 0)
        except XlmodelError:
            break
        except Exception as e:  # noqa: BLE001
            return _fail(e)
        out[good] = [_to_excel(float(v)) for v in res]
        bad |= good
        break
    rest = np.flatnonzero(out == None)  # noqa: E711 - rows only a row-by-row call can tell apart
    for i in rest:
        r, c = divmod(int(i), shape[1])
        out[i] = _one(fn, {k: a[r, c] for k, a in b.items()}, defaults, convert)
    return out.reshape(shape).tolist()


# ------------------------------------------------------------ the functions


@_excel()
def LLM_CAC(spend, new_users, paid_share=None):
    """Customer acquisition cost: spend / (new_users * paid_share). Blended CAC with paid_share 1 (default)."""
    return _call(engine.cac, dict(spend=spend, new_users=new_users, paid_share=paid_share), {"paid_share": 1.0})


_UNSET = math.nan  # an empty optional cell whose default is "not given" (unbounded, same as input price)


def _ltv(arpu, gross_margin, churn, annual_discount_rate, months):
    # All-empty months: unbounded. A mix of empty and filled cells fails the
    # vectorised call and is then evaluated cell by cell.
    return engine.ltv(arpu, gross_margin, churn, annual_discount_rate, None if np.isnan(months).all() else months)


@_excel()
def LLM_LTV(arpu, gross_margin, churn, annual_discount_rate=None, months=None):
    """Lifetime value: discounted contribution arpu*gross_margin over the user's survival (month-end flows, Excel NPV convention)."""
    return _call(_ltv, dict(arpu=arpu, gross_margin=gross_margin, churn=churn,
                            annual_discount_rate=annual_discount_rate, months=months),
                 {"annual_discount_rate": 0.0, "months": _UNSET})


@_excel()
def LLM_PAYBACK(cac, arpu, gross_margin, churn=None):
    """Months until cumulative contribution repays CAC, fractional; never if it does not."""
    return _call(engine.payback_months, dict(cac=cac, arpu=arpu, gross_margin=gross_margin, churn=churn),
                 {"churn": 0.0})


@_excel()
def LLM_COST_PER_MAU(input_tokens, output_tokens, input_price, output_price, cached_share=None, cached_price=None):
    """Inference cost per monthly active user per month, from tokens per MAU and prices per 1M tokens."""
    def fn(cached_price, input_price, **kw):
        return engine.cost_per_mau(input_price=input_price, cached_price=np.where(
            np.isnan(cached_price), input_price, cached_price), **kw)

    return _call(fn, dict(input_tokens=input_tokens, output_tokens=output_tokens, input_price=input_price,
                          output_price=output_price, cached_share=cached_share, cached_price=cached_price),
                 {"cached_share": 0.0, "cached_price": _UNSET})


@_excel()
def LLM_GPU_PRICE(gpu_hour_cost, tokens_per_second, utilization=None):
    """Self-hosted price per 1M tokens: gpu_hour_cost / (tokens_per_second * 3600 * utilization) * 1e6."""
    return _call(engine.gpu_price_per_mtok, dict(gpu_hour_cost=gpu_hour_cost, tokens_per_second=tokens_per_second,
                                                 utilization=utilization), {"utilization": 1.0})


@_excel()
def LLM_MIGRATION_NPV(monthly_tokens, large_price, small_price, migration_cost, months, annual_discount_rate,
                      routed_share=None, token_growth=None, price_decline=None, monthly_revenue=None,
                      revenue_loss=None):
    """NPV of moving traffic to a small model: -migration_cost + NPV(monthly rate, monthly savings net of lost revenue)."""
    return _call(engine.migration_npv, dict(
        monthly_tokens=monthly_tokens, large_price=large_price, small_price=small_price,
        migration_cost=migration_cost, months=months, annual_discount_rate=annual_discount_rate,
        routed_share=routed_share, token_growth=token_growth, price_decline=price_decline,
        monthly_revenue=monthly_revenue, revenue_loss=revenue_loss,
    ), {k: ALL_PARAMS[k].default for k in ("routed_share", "token_growth", "price_decline", "monthly_revenue",
                                           "revenue_loss")})


_PROJECTION_DEFAULTS = {k: ALL_PARAMS[k].default for k in ("paid_share", "ad_growth", "cost_decline", "horizon",
                                                             "organic_growth", "cac_elasticity", "routed_share")}
_PROJECTION_DEFAULTS.update({k: _UNSET for k in _NOT_GIVEN}, migration_cost=0.0)


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


@_excel()
def LLM_RUNWAY(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
               paid_share=None, ad_growth=None, cost_decline=None, horizon=None, organic_users=None,
               organic_growth=None, cac_elasticity=None, paying_cost_per_mau=None, migration_month=None,
               routed_share=None, large_price=None, small_price=None, migration_cost=None):
    """Months until cash runs out (fractional, linear within the month); never if cash lasts the horizon."""
    return _call(_runway, dict(locals()), _PROJECTION_DEFAULTS)  # every argument, by name


@_excel()
def LLM_PROJECTION(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
                   paid_share=None, ad_growth=None, cost_decline=None, horizon=None, organic_users=None,
                   organic_growth=None, cac_elasticity=None, paying_cost_per_mau=None, migration_month=None,
                   routed_share=None, large_price=None, small_price=None, migration_cost=None):
    """The monthly projection as a table with a header row: month, ad spend, new users, MAU, paying, revenue, compute, fixed costs, net burn, cash, then paid and organic new users and the migration's one-off cost."""
    args = dict(locals())  # every argument, by name
    try:
        scalars = {}
        for k, v in args.items():
            g = _grid(k, v)
            if len(g) != 1 or len(g[0]) != 1:
                raise XlmodelError(f"{k} must be a single cell: LLM_PROJECTION takes one scenario")
            scalars[k] = _number(k, g[0][0], _PROJECTION_DEFAULTS.get(k))
        p = engine.project(**_projection_kw(scalars))
        table = np.column_stack([getattr(p, r) for r in engine.Projection.ROWS])
        return [list(engine.Projection.ROWS)] + table.tolist()
    except Exception as e:  # noqa: BLE001
        return _fail(e)


#: what each LLM_PRICE argument must be, for its message
_PRICE_ARGS = {"model": "a model name (text)", "kind": "one of input, output, cached_input",
               "provider": "a provider id (text)", "fx": "a number above 0 (model currency per USD)"}


def _price_arg(name, cell, default):
    """One LLM_PRICE cell -> text; an empty optional cell takes its default."""
    empty = cell is None or (isinstance(cell, str) and not cell.strip())
    if empty and default is not None:
        return default
    if name == "fx":
        return _number(name, cell, default)
    if empty or not isinstance(cell, str):
        raise XlmodelError(f"{name} must be {_PRICE_ARGS[name]}, got {cell!r}")
    return cell.strip()


@_excel()
def LLM_PRICE(model, kind=None, provider=None, fx=None):
    """Price per 1M tokens of a model: USD from the genai-prices package's bundled data (offline), times fx."""
    from .prices import price

    def one(model, kind, provider, fx):
        return price(model, kind.lower(), provider.lower() or None, fx)

    return _call(one, dict(model=model, kind=kind, provider=provider, fx=fx),
                 {"kind": "input", "provider": "", "fx": 1.0}, convert=_price_arg, vectorised=False)


@_excel()
def LLM_MIX_PRICE(models, shares, kind=None, fx=None):
    """Price per 1M tokens of a routing mix of models: fx * SUM(share * USD price), genai-prices' bundled data."""
    from .prices import mix_price

    try:
        names = [c for row in _grid("models", models) for c in row]
        weights = [c for row in _grid("shares", shares) for c in row]
        if len(names) != len(weights):
            raise XlmodelError(f"shares must be as many cells as models ({len(names)} models, {len(weights)} shares)")
        pairs = [(m, w) for m, w in zip(names, weights)
                 if not (m is None or (isinstance(m, str) and not m.strip()))]
        for m, w in pairs:
            if not isinstance(m, str):
                raise XlmodelError(f"models must be model names (text), got {m!r}")
        mix_models = [m for m, _ in pairs]
        mix_shares = [_number(f"shares ({m})", w, None) for m, w in pairs]
        k = _price_arg("kind", _grid("kind", kind)[0][0] if kind is not None else None, "input").lower()
        f = _price_arg("fx", _grid("fx", fx)[0][0] if fx is not None else None, 1.0)
        return _to_excel(mix_price(mix_models, mix_shares, k, f))
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return _fail(e)


#: LLM_SIMULATE's header row
SIMULATE_HEADER = ("output", "mean", "p5", "p10", "p50", "p90", "p95", "share_never")


def _whole(name, cell, default, lo, hi):
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return default
    x = _number(name, cell, default)
    if not (x == int(x) and lo <= x <= hi):
        raise XlmodelError(f"{name} must be a whole number from {lo:,} to {hi:,}, got {x:g}")
    return int(x)


def _ranges_table(ranges) -> dict:
    """LLM_SIMULATE's table -> a scenario whose inputs may be range mappings (as in an assumptions file)."""
    rows = _grid("ranges", ranges)
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
            scen[name] = _number(name, mode, None)
        elif empty == [False, True, False]:
            scen[name] = {"low": _number(f"{name} low", lo, None), "high": _number(f"{name} high", hi, None)}
        elif empty == [False, False, False]:
            scen[name] = {"low": _number(f"{name} low", lo, None), "mode": _number(f"{name} mode", mode, None),
                          "high": _number(f"{name} high", hi, None)}
        else:
            raise XlmodelError(f"ranges row {i} ({name}): give the mode alone (a fixed value), low and high "
                               "(uniform), or all three (PERT)")
    return scen


@_excel()
def LLM_SIMULATE(ranges, draws=None, seed=None, horizon=None):
    """Monte Carlo over a table of input ranges: each output's mean, P5, P10, P50, P90, P95 and share of draws that never run out or pay back."""
    from .assumptions import from_dict
    from .errors import AssumptionsError
    from .simulate import MAX_DRAWS, simulate

    try:
        one = lambda name, v: None if v is None else _grid(name, v)[0][0]  # noqa: E731
        n = _whole("draws", one("draws", draws), 10_000, 1, MAX_DRAWS)
        k = _whole("seed", one("seed", seed), 0, 0, 2**63 - 1)
        h = _whole("horizon", one("horizon", horizon), int(ALL_PARAMS["horizon"].default), 1, 1200)
        scen = _ranges_table(ranges)
        try:
            a = from_dict({"model": {"horizon": h}, "scenarios": {"ranges": scen}}, "ranges")
        except AssumptionsError as e:
            raise XlmodelError(f"{e.key}: {e.message}" if e.key else e.message) from None
        sim = simulate(a.simulation_inputs(), draws=n, seed=k)
        table = [list(SIMULATE_HEADER)]
        for name in sim.outputs:
            st = sim.stats(name)
            row = [name] + [_stat(st[c]) for c in SIMULATE_HEADER[1:-1]]
            row.append(st["share_never"] if "share_never" in st else "")
            table.append(row)
        return table
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return _fail(e)


def _stat(v: float):
    return "n/a" if math.isnan(v) else (NEVER if math.isinf(v) else v)


def _curve(retention) -> list[float]:
    """A row or column of retention shares; empty cells at the end are dropped (a ragged triangle row)."""
    rows = _grid("retention", retention)
    if len(rows) > 1 and len(rows[0]) > 1:
        raise XlmodelError("retention must be one row or one column of shares")
    cells = [c for row in rows for c in row]
    while cells and (cells[-1] is None or (isinstance(cells[-1], str) and not cells[-1].strip())):
        cells.pop()
    if not cells:
        raise XlmodelError("retention must hold at least one share")
    for i, c in enumerate(cells, start=1):
        if c is None or (isinstance(c, str) and not c.strip()):
            raise XlmodelError(f"retention month {i} is empty: only cells at the end may be empty")
    return [_number(f"retention (month {i})", c, None) for i, c in enumerate(cells, start=1)]


def _single(name, value, default):
    g = _grid(name, value)
    if len(g) != 1 or len(g[0]) != 1:
        raise XlmodelError(f"{name} must be a single cell")
    return g[0][0] if g[0][0] is not None and not (isinstance(g[0][0], str) and not g[0][0].strip()) else default


@_excel()
def LLM_COHORT_LTV(retention, arpu, gross_margin, annual_discount_rate=None, tail=None):
    """Lifetime value of a signup cohort from its retention curve: discounted observed months plus a geometric tail."""
    from .actuals import cohort_ltv

    try:
        t = _single("tail", tail, True)
        if not isinstance(t, bool):
            raise XlmodelError(f"tail must be TRUE or FALSE, got {t!r}")
        return _to_excel(cohort_ltv(_curve(retention), _number("arpu", _single("arpu", arpu, None), None),
                                    _number("gross_margin", _single("gross_margin", gross_margin, None), None),
                                    _number("annual_discount_rate", _single("annual_discount_rate",
                                                                            annual_discount_rate, 0.0), 0.0), t))
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return _fail(e)


@_excel()
def LLM_COHORT_CHURN(retention):
    """Monthly churn implied by the late part of a retention curve: 1 - (r_k / r_(k-j))^(1/j), j = min(3, k-1)."""
    from .actuals import cohort_churn

    try:
        return _to_excel(cohort_churn(_curve(retention)))
    except Exception as e:  # noqa: BLE001
        return _fail(e)


#: every Excel function, by its Excel name
EXCEL_FUNCTIONS = {f.__name__: f for f in (LLM_CAC, LLM_LTV, LLM_PAYBACK, LLM_COST_PER_MAU, LLM_GPU_PRICE, LLM_PRICE,
                                           LLM_MIX_PRICE, LLM_MIGRATION_NPV, LLM_RUNWAY, LLM_PROJECTION,
                                           LLM_SIMULATE, LLM_COHORT_LTV, LLM_COHORT_CHURN)}


def xlwings_conf_text() -> str:
    """The xlwings.conf (or xlwings.conf sheet) that the classic add-in reads.

    ``UDF Modules`` names this module; the add-in imports it with the Python
    interpreter it is set to, which must have ``xlmodel[excel]`` installed.
    """
    return '"UDF Modules","xlmodel.udfs"\n'
