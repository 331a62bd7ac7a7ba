"""xlmodel: LLM unit economics for finance teams, in Python and in Excel.

The engine is pure Python and numpy (numpy-financial for discounting); it
imports neither the CLI nor the workbook code, so it also runs inside xlwings
Lite. See ``docs/model.md`` for every definition.
"""

from .actuals import cohort_churn, cohort_ltv, fit_actuals, read_actuals
from .engine import (
    Plan,
    Projection,
    UnitEconomics,
    cac,
    cost_per_mau,
    excel_npv,
    gpu_price_per_mtok,
    ltv,
    migration_npv,
    migration_payback_month,
    monthly_rate,
    payback_months,
    plan,
    project,
    runway_months,
    unit_economics,
)
from .errors import AssumptionsError, InputError, UnknownModelError, XlmodelError
from .prices import mix_price, price
from .sensitivity import sensitivity
from .simulate import Range, Simulation, simulate
from .solve import solve

__version__ = "0.1.0"

__all__ = [
    "monthly_rate",
    "cac",
    "cost_per_mau",
    "gpu_price_per_mtok",
    "ltv",
    "payback_months",
    "unit_economics",
    "project",
    "plan",
    "Plan",
    "runway_months",
    "migration_npv",
    "migration_payback_month",
    "excel_npv",
    "price",
    "mix_price",
    "simulate",
    "cohort_ltv",
    "cohort_churn",
    "read_actuals",
    "fit_actuals",
    "Simulation",
    "Range",
    "UnitEconomics",
    "Projection",
    "XlmodelError",
    "InputError",
    "UnknownModelError",
    "AssumptionsError",
    "solve",
    "sensitivity",
]
