"""What every Excel function shares: xlwings' decorators, argument help, and the conversion of cells.

Excel hands over floats, ``None`` for an empty cell, text, booleans and nested
lists for ranges; an engine call wants numbers and arrays. :func:`call` runs
one engine function over a range of scenarios in one vectorised call, a bad
cell getting its own one-line message. Pure Python and numpy.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from ..errors import InputError, XlmodelError
from ..params import ALL_PARAMS, RULES
from ..text import clean_text

try:  # xlwings' decorators: real ones on Windows and in xlwings Lite, no-ops elsewhere.
    from xlwings import arg, func
except ImportError:  # pragma: no cover - xlwings not installed: plain Python functions
    # stand-ins that take any arguments, not xlwings' exact signatures: hence the two ignores
    def func(f=None, **_):  # type: ignore[no-redef]
        return (lambda g: g) if f is None else f

    def arg(*_, **__):  # type: ignore[misc]
        return lambda g: g


#: the function category in Excel's function wizard (the classic add-in only: xlwings Lite lists no category)
CATEGORY = "LLM Economics"
#: where Excel's "help on this function" leads (xlwings Lite only): the README's Excel section
HELP_URL = "https://github.com/xlmodel/xlmodel#use-it-in-excel"
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
    "draws": "optional number of draws (default 10,000; at most 1,000,000 in xlwings Lite, 10,000,000 elsewhere)",
    "seed": "optional random seed, whole number (default 0): same seed, same numbers",
    "retention": "a row or column of shares of the cohort active in months 1, 2, ... (empty trailing cells "
    "ignored)",
    "tail": "optional TRUE (default): add the geometric tail past the last month; FALSE: observed months only",
    "inputs": "a table of the plan's inputs, one row each: name, value (horizon, start YYYY-MM and "
    "fiscal_year_start too; an empty value takes the default)",
    "changes": "optional table of changes, one row each: month (number, YYYY-MM or a date), driver, level from "
    "that month (a number, or relative: -40%, +10%, x0.6)",
    "funding": "optional table of funding rounds, one row each: month (number, YYYY-MM or a date), amount, and "
    "optionally credits (compute credits granted) and expires (months after the round)",
    "team": "optional table of the team, one row each: role, department (rd, sm, ga or ops), count, salary a head "
    "a month, and optionally from and to (months paid)",
    "capex": "optional table of capital purchases, one row each: month (number, YYYY-MM or a date), amount, life "
    "(months of depreciation), and optionally name",
    "vary": "name of the input to vary, e.g. ad_spend, conversion, cash (text or a cell)",
    "target": "the output's target, a number in its unit (or the text never)",
    "low": "optional lowest value of the input (default: its rule's range, or 0 for money)",
    "high": "optional highest value of the input (default: its rule's range, or 10x its value)",
}

#: help that one function gives an argument in its own words (the shared text would not fit it)
_OWN_ARG_DOCS = {
    "LLM_PLAN": {
        "output": "optional name of one output, any that xlmodel calc reports (funding_need, breakeven_month, "
        "runway_months, migration_npv, ...); empty: the monthly projection with a header row",
        "retention": "optional row or column of shares of the cohort active in months 1, 2, ... (empty: users "
        "churn at churn)",
    },
    "LLM_SOLVE": {
        "output": "name of the output that must reach target (funding_need, breakeven_month, runway_months, "
        "...; text or a cell)"
    },
}

#: the options of every argument's xlwings decorator, on both routes (lite.py writes main.py's with them): a 2-D
#: range, and an error cell handed over as its text (#N/A), not as an empty cell that would take the default
ARG_OPTIONS = {"ndim": 2, "err_to_str": True}

#: each Excel function's required arguments (no default in its signature), recorded by :func:`excel`
_REQUIRED: dict[str, frozenset] = {}


def arg_doc(name: str, fn_name: str) -> str:
    """An argument's help in Excel's function wizard; a required argument never says "(default ...)"."""
    # LLM_MIGRATION_NPV's months and prices read as the migration inputs they are (from params)
    own = fn_name == "LLM_MIGRATION_NPV" and name in (
        "months",
        "large_price",
        "small_price",
        "migration_cost",
    )
    if name in _OWN_ARG_DOCS.get(fn_name, {}):
        return _OWN_ARG_DOCS[fn_name][name]
    if name in _ARG_DOCS and not own:
        return _ARG_DOCS[name]
    p = ALL_PARAMS[name]
    text = f"{p.doc}; {p.unit}"
    if p.default is not None and name not in _REQUIRED.get(fn_name, ()):
        text += f" (default {p.default:g})"
    return text


def excel():
    """Apply xlwings' decorators: per-argument help, 2-D ranges, error cells as text, one category (classic), a
    help link (Lite)."""

    def deco(f):
        names = f.__code__.co_varnames[: f.__code__.co_argcount]
        optional = len(f.__defaults__ or ())
        _REQUIRED[f.__name__] = frozenset(names[: len(names) - optional])
        for name in reversed(names):
            f = arg(name, **ARG_OPTIONS, doc=arg_doc(name, f.__name__))(f)
        return func(category=CATEGORY, help_url=HELP_URL)(f)

    return deco


# ------------------------------------------------------------------ conversion


#: the longest message a cell shows (Excel holds 32,767 characters; a message quoting a huge value is cut)
MAX_MESSAGE = 500


def message(err: BaseException) -> str:
    text = str(err) if isinstance(err, XlmodelError) else f"unexpected error: {type(err).__name__}: {err}"
    text = "#VALUE! " + " ".join(
        clean_text(text).split()
    )  # a control character typed in a cell is not echoed
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 30] + f"... ({len(text):,} characters)"


def grid(name, value):
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


#: what Excel hands over for an error cell with ``err_to_str`` (xlwings' lists, and the newer errors of Excel 365)
EXCEL_ERRORS = frozenset(
    (
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#DATA!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
        "#TIMEOUT!",
        "#EXTERNAL!",
    )
)


def is_error(cell) -> bool:
    """An Excel error cell (#N/A, #DIV/0!, ...), as xlwings hands it over with ``err_to_str``."""
    return isinstance(cell, str) and cell.strip().upper() in EXCEL_ERRORS


def no_error(name, cell):
    """``cell``, or an :class:`XlmodelError` saying that it is an error cell (never the default in its place)."""
    if is_error(cell):
        raise XlmodelError(f"{name} is {cell.strip().upper()} (an error in the cell)")
    return cell


def is_empty(cell) -> bool:
    """An empty cell as xlwings hands it over: None, or text of spaces only."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def number(name, cell, default):
    no_error(name, cell)
    if is_empty(cell):
        if default is None:
            raise XlmodelError(f"{name} is required")
        return default
    if isinstance(cell, bool) or isinstance(cell, str) or not isinstance(cell, (int, float, np.number)):
        shown = ("TRUE" if cell else "FALSE") if isinstance(cell, bool) else repr(cell)
        raise XlmodelError(f"{name} must be a number, got {shown}")
    try:
        return float(cell)
    except OverflowError:  # a Python integer of hundreds of digits (Excel's cells hold doubles)
        raise XlmodelError(f"{name} is too large for floating point (beyond about 1.8e308)") from None


def to_excel(x):
    """Engine result -> Excel value: float, 'never', or a 2-D list of those."""
    if isinstance(x, float) and not math.isnan(x):
        return NEVER if math.isinf(x) else x
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        v = float(a)
        if math.isnan(v):
            return message(XlmodelError("the result is not a number"))
        return NEVER if math.isinf(v) else v
    return [[to_excel(v) for v in row] for row in a.reshape(a.shape[0], -1).tolist()]


def raises() -> bool:
    """True in xlwings Lite (Pyodide), where a raised error is a real #VALUE! cell with the message on hover, so
    that IFERROR and ISERROR work; the classic add-in would show a traceback, so there a cell gets the text."""
    return sys.platform == "emscripten" or os.environ.get("XLMODEL_RAISE_ERRORS") == "1"


def fail(err: BaseException):
    """The whole result is one error: raise it where the runtime shows errors as errors, else the message text."""
    text = message(err)
    if raises():
        raise XlmodelError(text[len("#VALUE! ") :]) from None
    return text


def one(fn, cells: dict, defaults: dict, convert=number, whole: bool = False):
    """One scenario: Excel cells -> number, 'never' or a message (``whole``: it is the call's only cell)."""
    try:
        return to_excel(fn(**{k: convert(k, c, defaults.get(k)) for k, c in cells.items()}))
    except Exception as e:
        return fail(e) if whole else message(e)


#: the most cells one call returns: a million, a full column of a sheet (a 10,000-row column against a
#: 10,000-column row would be 100 million cells, gigabytes, and no sheet shows them)
MAX_CELLS = 1_048_576


def call(fn, args: dict, defaults: dict, convert=number, vectorised: bool = True):
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
        cells = {k: np.array(grid(k, v), dtype=object) for k, v in args.items()}
        try:
            shape = np.broadcast_shapes(*(c.shape for c in cells.values()))
        except ValueError:
            raise XlmodelError(
                "ranges must have the same number of rows and columns (or be single cells)"
            ) from None
        if shape[0] * shape[1] > MAX_CELLS:
            raise XlmodelError(
                f"the result would be {shape[0]:,} x {shape[1]:,} cells, more than the "
                f"{MAX_CELLS:,} one call returns: pass ranges of matching shape"
            )
    except Exception as e:
        return fail(e)
    if shape == (1, 1):
        return one(fn, {k: c[0, 0] for k, c in cells.items()}, defaults, convert, whole=True)
    b = dict(zip(cells, np.broadcast_arrays(*cells.values())))
    if not vectorised:
        return [
            [one(fn, {k: a[i, j] for k, a in b.items()}, defaults, convert) for j in range(shape[1])]
            for i in range(shape[0])
        ]
    n = shape[0] * shape[1]
    out = np.empty(n, dtype=object)
    bad = np.zeros(n, dtype=bool)
    conv = {}
    for (
        k,
        c,
    ) in cells.items():  # each distinct cell converted once; a cell that is not a number marks its rows
        vals = np.empty(c.shape, dtype=float)
        for idx, x in np.ndenumerate(c):
            try:
                vals[idx] = number(k, x, defaults.get(k))
            except XlmodelError as e:
                vals[idx] = np.nan
                rows = np.zeros(c.shape, dtype=bool)
                rows[idx] = True
                hit = np.broadcast_to(rows, shape).reshape(-1) & ~bad
                out[hit] = message(e)
                bad |= hit
        # a single cell stays a single value (a horizon must be one number); a range, one value a row
        conv[k] = vals.reshape(()) if c.size == 1 else np.broadcast_to(vals, shape).reshape(-1)
    for _ in range(len(conv) + 1):  # each argument's rule, cell by cell, as the engine reports it
        good = ~bad
        if not good.any():
            break
        try:
            res = np.broadcast_to(
                np.asarray(
                    fn(**{k: (v[good] if v.ndim else float(v)) for k, v in conv.items()}), dtype=float
                ),
                (int(good.sum()),),
            )
        except InputError as e:
            rule = ALL_PARAMS.get(e.argument)
            if rule is None or e.argument not in conv:
                break
            x = np.broadcast_to(conv[e.argument], (n,))
            fails = (
                good & ~RULES[rule.rule].ok(x) & ~np.isnan(x)
            )  # nan: an empty optional cell, not a bad one
            if not fails.any():
                break
            bad |= (
                fails  # these rows get their own call below: its message, or its value where the function's
            )
            continue  # rule for the argument is wider than the model input's (payback takes a CAC of 0)
        except XlmodelError:
            break
        except Exception as e:
            return fail(e)
        out[good] = [to_excel(float(v)) for v in res]
        bad |= good
        break
    rest = np.flatnonzero(out == None)  # noqa: E711 - rows only a row-by-row call can tell apart
    for i in rest:
        r, c = divmod(int(i), shape[1])
        out[i] = one(fn, {k: a[r, c] for k, a in b.items()}, defaults, convert)
    return out.reshape(shape).tolist()


UNSET = math.nan  # an empty optional cell whose default is "not given" (unbounded, same as input price)


def whole(name, cell, default, lo, hi):
    no_error(name, cell)
    if is_empty(cell):
        return default
    x = number(name, cell, default)
    if not (math.isfinite(x) and x == int(x) and lo <= x <= hi):  # inf and nan first: int() refuses them
        # the exact number: 10,000,001 (not 1e+07, which reads as the maximum itself), 2.5, inf
        got = f"{int(x):,}" if math.isfinite(x) and x == int(x) else repr(x)
        raise XlmodelError(f"{name} must be a whole number from {lo:,} to {hi:,}, got {got}")
    return int(x)


def single(name, value, default):
    """The one cell ``value`` is (a range of two or more is refused: never its first cell silently), or
    ``default`` when it is empty; an error cell is refused."""
    g = grid(name, value)
    if len(g) != 1 or len(g[0]) != 1:
        raise XlmodelError(f"{name} must be a single cell, got a range of {len(g)} x {len(g[0])}")
    cell = no_error(name, g[0][0])
    return default if is_empty(cell) else cell


def stat(v: float):
    return "n/a" if math.isnan(v) else (NEVER if math.isinf(v) else v)
