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
- :mod:`xlmodel.projection`: the monthly projection and the runway;
- :mod:`xlmodel.migration`: the standalone small-model migration NPV.

The definitions are those of ``docs/model.md``; each function's Notes give the
exact formula and the native Excel formula twin that the generated workbooks
use.
"""

from __future__ import annotations

from .closed_form import (_finite, _months, _out, cac, cost_per_mau, excel_npv, gpu_price_per_mtok, ltv,  # noqa: F401
                          monthly_rate, payback_months)
from .migration import (MIGRATION_ARGS, migration_cash_flows, migration_npv,  # noqa: F401
                        migration_payback_month)
from .outputs import OUTPUT_UNITS  # noqa: F401
from .projection import (Projection, blended_cost_per_mau, project,  # noqa: F401
                         RunwayStream, runway_from_cash, runway_months, runway_stream)
from .unit_economics import UnitEconomics, summary_unit_economics, unit_economics  # noqa: F401


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
    "migration_cash_flows",
    "migration_npv",
    "migration_payback_month",
]


# ------------------------------------------------------------------ summary


def summary(scenario: dict) -> dict:
    """Every headline output for one complete scenario (a dict of inputs).

    Unit economics, ``runway_months`` (and, when the scenario has a
    ``migration_month``, ``runway_months_without_migration``: the same
    projection with all traffic on the large model) and, when the scenario has
    migration inputs, ``migration_npv`` and ``migration_payback_month``. This is what the
    CLI prints and what ``xlmodel verify`` compares a workbook against. Unlike
    :func:`unit_economics`, a scenario with no revenue (or no unbounded LTV)
    is not an error here: the undefined outputs are ``None``.
    """
    out = summary_unit_economics(scenario)
    out["runway_months"] = runway_months(**scenario)
    if scenario.get("migration_month") is not None:
        out["runway_months_without_migration"] = runway_months(**dict(scenario, migration_month=None))
    if "monthly_tokens" in scenario:
        args = {k: scenario[k] for k in MIGRATION_ARGS}
        out["migration_npv"] = migration_npv(**args)
        out["migration_payback_month"] = migration_payback_month(**args)
    return out
