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

import numpy as np

from . import engine
from .errors import XlmodelError
from .params import ALL_PARAMS

try:  # xlwings' decorators: real ones on Windows and in xlwings Lite, no-ops elsewhere.
    from xlwings import arg, func
except ImportError:  # pragma: no cover - xlwings not installed: plain Python functions
    def func(f=None, **_):
        return (lambda g: g) if f is None else f

    def arg(*_, **__):
        return lambda g: g

__all__ = [
    "LLM_CAC", "LLM_LTV", "LLM_PAYBACK", "LLM_COST_PER_MAU", "LLM_GPU_PRICE", "LLM_PRICE",
    "LLM_MIGRATION_NPV", "LLM_RUNWAY", "LLM_PROJECTION", "EXCEL_FUNCTIONS", "xlwings_conf_text",
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
}


def _arg_doc(name: str, fn_name: str) -> str:
    if name in _ARG_DOCS and not (name == "months" and fn_name == "LLM_MIGRATION_NPV"):
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


def _message(err: BaseException) -> str:
    text = str(err) if isinstance(err, XlmodelError) else f"unexpected error: {type(err).__name__}: {err}"
    return "#VALUE! " + " ".join(text.split())


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


def _one(fn, cells: dict, defaults: dict, convert=_number):
    """One scenario: Excel cells -> number, 'never' or a message."""
    try:
        return _to_excel(fn(**{k: convert(k, c, defaults.get(k)) for k, c in cells.items()}))
    except Exception as e:  # noqa: BLE001 - a cell shows a message, never a traceback
        return _message(e)


def _call(fn, args: dict, defaults: dict, convert=_number, vectorised: bool = True):
    """Call ``fn`` over Excel values: one vectorised call for a range of scenarios.

    A single cell per argument gives one value. Ranges broadcast like numpy
    (a column of scenarios against single cells gives a column). If a range
    holds a bad row, every row still gets its own number or message.
    ``convert`` turns one cell into the engine's argument; a function that is
    not ``vectorised`` is called cell by cell.
    """
    try:
        cells = {k: np.array(_grid(k, v), dtype=object) for k, v in args.items()}
        try:
            shape = np.broadcast_shapes(*(c.shape for c in cells.values()))
        except ValueError:
            raise XlmodelError("ranges must have the same number of rows and columns (or be single cells)") from None
    except Exception as e:  # noqa: BLE001
        return _message(e)
    if shape == (1, 1):
        return _one(fn, {k: c[0, 0] for k, c in cells.items()}, defaults, convert)
    try:
        if not vectorised:
            raise XlmodelError("cell by cell")
        conv = {k: _number(k, c[0, 0], defaults.get(k)) if c.size == 1
                else np.array([[_number(k, x, defaults.get(k)) for x in row] for row in c.tolist()])
                for k, c in cells.items()}
        return _to_excel(np.broadcast_to(fn(**conv), shape))
    except XlmodelError:
        pass
    except Exception as e:  # noqa: BLE001
        return _message(e)
    # Row by row, so one bad scenario does not blank the others.
    b = dict(zip(cells, np.broadcast_arrays(*cells.values())))
    return [[_one(fn, {k: a[i, j] for k, a in b.items()}, defaults, convert) for j in range(shape[1])]
            for i in range(shape[0])]


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


_PROJECTION_DEFAULTS = {k: ALL_PARAMS[k].default for k in ("paid_share", "ad_growth", "cost_decline", "horizon")}


@_excel()
def LLM_RUNWAY(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
               paid_share=None, ad_growth=None, cost_decline=None, horizon=None):
    """Months until cash runs out (fractional, linear within the month); never if cash lasts the horizon."""
    return _call(engine.runway_months, dict(
        cash=cash, mau=mau, ad_spend=ad_spend, cac=cac, churn=churn, conversion=conversion, arppu=arppu,
        cost_per_mau=cost_per_mau, fixed_costs=fixed_costs, paid_share=paid_share, ad_growth=ad_growth,
        cost_decline=cost_decline, horizon=horizon,
    ), _PROJECTION_DEFAULTS)


@_excel()
def LLM_PROJECTION(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs,
                   paid_share=None, ad_growth=None, cost_decline=None, horizon=None):
    """The monthly projection as a table with a header row: month, ad spend, new users, MAU, paying, revenue, compute, fixed costs, net burn, cash."""
    args = dict(cash=cash, mau=mau, ad_spend=ad_spend, cac=cac, churn=churn, conversion=conversion, arppu=arppu,
                cost_per_mau=cost_per_mau, fixed_costs=fixed_costs, paid_share=paid_share, ad_growth=ad_growth,
                cost_decline=cost_decline, horizon=horizon)
    try:
        scalars = {}
        for k, v in args.items():
            g = _grid(k, v)
            if len(g) != 1 or len(g[0]) != 1:
                raise XlmodelError(f"{k} must be a single cell: LLM_PROJECTION takes one scenario")
            scalars[k] = _number(k, g[0][0], _PROJECTION_DEFAULTS.get(k))
        p = engine.project(**scalars)
        table = np.column_stack([getattr(p, r) for r in engine.Projection.ROWS])
        return [list(engine.Projection.ROWS)] + table.tolist()
    except Exception as e:  # noqa: BLE001
        return _message(e)


#: what each LLM_PRICE argument must be, for its message
_PRICE_ARGS = {"model": "a model name (text)", "kind": "one of input, output, cached_input",
               "provider": "a provider id (text)"}


def _price_arg(name, cell, default):
    """One LLM_PRICE cell -> text; an empty optional cell takes its default."""
    empty = cell is None or (isinstance(cell, str) and not cell.strip())
    if empty and default is not None:
        return default
    if empty or not isinstance(cell, str):
        raise XlmodelError(f"{name} must be {_PRICE_ARGS[name]}, got {cell!r}")
    return cell.strip()


@_excel()
def LLM_PRICE(model, kind=None, provider=None):
    """Price in USD per 1M tokens of a model, from the genai-prices package's bundled data (offline)."""
    from .prices import price

    def one(model, kind, provider):
        return price(model, kind.lower(), provider.lower() or None)

    return _call(one, dict(model=model, kind=kind, provider=provider), {"kind": "input", "provider": ""},
                 convert=_price_arg, vectorised=False)


#: every Excel function, by its Excel name
EXCEL_FUNCTIONS = {f.__name__: f for f in (LLM_CAC, LLM_LTV, LLM_PAYBACK, LLM_COST_PER_MAU, LLM_GPU_PRICE, LLM_PRICE,
                                           LLM_MIGRATION_NPV, LLM_RUNWAY, LLM_PROJECTION)}


def xlwings_conf_text() -> str:
    """The xlwings.conf (or xlwings.conf sheet) that the classic add-in reads.

    ``UDF Modules`` names this module; the add-in imports it with the Python
    interpreter it is set to, which must have ``xlmodel[excel]`` installed.
    """
    return '"UDF Modules","xlmodel.udfs"\n'
