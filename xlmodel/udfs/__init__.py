"""Excel worksheet functions: ``=LLM_RUNWAY(...)``, ``=LLM_CAC(...)`` and the rest.

This package serves both free routes:

- the classic xlwings add-in on Windows (``UDF MODULES`` set to
  ``xlmodel.udfs`` and *Import Functions* clicked; the Excel name is the
  Python function's own name, hence the upper-case names here; the functions
  appear in the category "LLM Economics"), and
- xlwings Lite, through the ``main.py`` that ``xlmodel lite`` writes: it
  carries this package's source and defines each function with Lite's own
  decorators, calling the function of the same name here (Lite lists them
  without a category).

Each function is a thin adapter: it converts what Excel hands over (floats,
``None`` for an empty cell, text, booleans, nested lists for ranges), calls the
engine and shapes the answer. A single cell gives a number; a column (or any
range) of scenarios gives a matching range, computed in one vectorised call.
"Never" shows as the text ``never``. Bad input gives a one-line message such
as ``#VALUE! churn must be between 0 and 1 (monthly fraction), got 1.5``: in
the classic add-in as the cell's text, in Lite as a real ``#VALUE!`` error
with the message on hover (:func:`xlmodel.udfs.cells.fail`).

The functions live by family: :mod:`~xlmodel.udfs.closed_form`,
:mod:`~xlmodel.udfs.prices`, :mod:`~xlmodel.udfs.plan`,
:mod:`~xlmodel.udfs.solve`, :mod:`~xlmodel.udfs.cohorts` and :mod:`~xlmodel.udfs.payers`, on the conversions of :mod:`~xlmodel.udfs.cells`.
Every name is importable from here.
"""

from __future__ import annotations

from .cells import CATEGORY, HELP_URL, NEVER, arg, func  # noqa: F401 - lite.py writes main.py with them
from .cells import arg_doc as _arg_doc  # noqa: F401 - lite.py writes main.py with it
from .closed_form import LLM_CAC, LLM_COST_PER_MAU, LLM_GPU_PRICE, LLM_LTV, LLM_MIGRATION_NPV, LLM_PAYBACK
from .cohorts import LLM_COHORT_CHURN, LLM_COHORT_LTV
from .payers import LLM_LTV_STOCKS
from .plan import LLM_PLAN, LLM_PROJECTION, LLM_RUNWAY, LLM_SIMULATE, SIMULATE_HEADER  # noqa: F401 - re-exported: every Excel function is importable from here
from .prices import LLM_MIX_PRICE, LLM_PRICE
from .solve import LLM_SOLVE

__all__ = [
    "LLM_CAC",
    "LLM_LTV",
    "LLM_LTV_STOCKS",
    "LLM_PAYBACK",
    "LLM_COST_PER_MAU",
    "LLM_GPU_PRICE",
    "LLM_PRICE",
    "LLM_MIGRATION_NPV",
    "LLM_RUNWAY",
    "LLM_PROJECTION",
    "LLM_MIX_PRICE",
    "LLM_SIMULATE",
    "LLM_COHORT_LTV",
    "LLM_COHORT_CHURN",
    "LLM_PLAN",
    "LLM_SOLVE",
    "EXCEL_FUNCTIONS",
    "xlwings_conf_text",
]

#: every Excel function, by its Excel name
EXCEL_FUNCTIONS = {
    f.__name__: f
    for f in (
        LLM_CAC,
        LLM_LTV,
        LLM_LTV_STOCKS,
        LLM_PAYBACK,
        LLM_COST_PER_MAU,
        LLM_GPU_PRICE,
        LLM_PRICE,
        LLM_MIX_PRICE,
        LLM_MIGRATION_NPV,
        LLM_RUNWAY,
        LLM_PROJECTION,
        LLM_SIMULATE,
        LLM_COHORT_LTV,
        LLM_COHORT_CHURN,
        LLM_PLAN,
        LLM_SOLVE,
    )
}


def xlwings_conf_text() -> str:
    """The xlwings.conf (or xlwings.conf sheet) that the classic add-in reads.

    ``UDF MODULES`` (the key in capitals, as xlwings documents its settings)
    names this package; the add-in imports it with the Python interpreter it
    is set to, which must have ``xlmodel[excel]`` installed.
    """
    return '"UDF MODULES","xlmodel.udfs"\n'
