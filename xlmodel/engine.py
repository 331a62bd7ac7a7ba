"""The xlmodel engine: every number of the model, vectorised with numpy.

Each function follows numpy-financial: arguments broadcast, scalar inputs give a
Python ``float`` back, arrays give arrays, and degenerate branches are masks,
not per-element branches. "Never" (a payback or a cash run-out that does not
happen) is ``math.inf``. Invalid input raises :class:`xlmodel.InputError`
naming the argument, the rule and the value.

This module is the engine's face: each number is defined in one module
(docs/package.md maps them) and re-exported here:

- :mod:`xlmodel.closed_form`: rates, CAC, compute cost, LTV, payback, Excel NPV;
- :mod:`xlmodel.unit_economics`: the unit economics per MAU;
- :mod:`xlmodel.projection`: the monthly projection;
- :mod:`xlmodel.retention`: retention curves (the users of each cohort, the curve's LTV and payback month,
  the average curve of a cohorts triangle);
- :mod:`xlmodel.plan`: the runway and what a plan answers (funding need, break-even, ...);
- :mod:`xlmodel.migration`: the standalone small-model migration NPV.

The definitions are those of ``docs/model.md``; each function's Notes give the
exact formula and the native Excel formula twin that the generated workbooks
use.
"""

from __future__ import annotations

from typing import Any

from .closed_form import (  # noqa: F401 - re-exported: the engine's public API
    _finite,
    _months,
    _out,
    cac,
    cost_per_mau,
    excel_npv,
    gpu_price_per_mtok,
    ltv,
    monthly_rate,
    payback_months,
)
from .migration import MIGRATION_ARGS, migration_cash_flows, migration_npv, migration_payback_month
from .outputs import OUTPUT_UNITS  # noqa: F401 - re-exported: the engine's public API
from .plan import (  # noqa: F401 - re-exported: the engine's public API
    COMPANY_OUTPUTS,
    PLAN_OUTPUTS,
    Plan,
    RunwayStream,
    plan,
    plan_answers,
    reported_outputs,
    runway_from_cash,
    runway_months,
    runway_stream,
)
from .projection import Projection, blended_cost_per_mau, project  # noqa: F401 - re-exported: the engine's public API
from .retention import average_curve, cohort_payback_month, cohort_waterfall, retention_at  # noqa: F401 - re-exported: the engine's public API
from .unit_economics import CurveUnitEconomics, UnitEconomics, summary_unit_economics, unit_economics  # noqa: F401 - re-exported: the engine's public API

__all__ = [
    "monthly_rate",
    "cac",
    "cost_per_mau",
    "gpu_price_per_mtok",
    "ltv",
    "payback_months",
    "excel_npv",
    "unit_economics",
    "UnitEconomics",
    "project",
    "Projection",
    "runway_months",
    "plan",
    "Plan",
    "migration_cash_flows",
    "migration_npv",
    "migration_payback_month",
    "retention_at",
    "cohort_payback_month",
    "average_curve",
]


# ------------------------------------------------------------------ summary


def summary(scenario: dict[str, Any]) -> dict[str, Any]:
    """Every headline output for one complete scenario (a dict of inputs, ``changes`` and ``funding`` included).

    The unit economics (month 1; with a retention curve, ``cohort_payback_month``
    after the paybacks), then what the plan answers
    (:func:`xlmodel.plan.plan`): the runway (without the rounds when there are
    some, without the migration when there is a ``migration_month``), the
    lowest cash and its month, the first month short of ``min_cash``, the
    funding month and need, the break-even month, default alive, the burn
    multiple and compute-to-revenue, the plan's migration NPV and payback
    month (with a ``migration_month``), and the standalone ``migration_npv``
    and ``migration_payback_month`` when its own inputs are given
    (``monthly_tokens`` and ``months``). This is what the CLI prints and what
    ``xlmodel verify`` compares a workbook against. Unlike
    :func:`unit_economics`, a scenario with no revenue (or no unbounded LTV)
    is not an error here: the undefined outputs are ``None``; a never is
    ``inf``.
    """
    out = summary_unit_economics(scenario)
    answers = plan_answers(scenario)
    for name in reported_outputs(scenario):
        out[name] = answers[name]
    if scenario.get("monthly_tokens") is not None and scenario.get("months") is not None:
        args = {k: scenario[k] for k in MIGRATION_ARGS}
        out["migration_npv"] = migration_npv(**args)
        out["migration_payback_month"] = migration_payback_month(**args)
    return out
