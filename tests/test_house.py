"""The shape of the package: imports run one way (no circles), no module passes ~600 lines, and every public
name stays importable from where the README and earlier releases put it."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlmodel"

#: the longest a module may grow before it is split along its seams (the developers' guide: ~600 lines)
MAX_LINES = 650


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every xlmodel module that ``path`` imports, at the top or inside a function: a cycle is a cycle wherever
    its import sits."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                targets = [".".join(base + ([node.module] if node.module else []))]
                if not node.module:  # from . import engine: each name may be a module
                    targets = [".".join(base + [a.name]) for a in node.names]
            elif node.module and node.module.startswith("xlmodel"):
                targets = [node.module]
            else:
                continue
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("xlmodel")]
        else:
            continue
        for t in targets:
            # the module itself, or its package when the name is not a module of its own
            while t and t not in MODULES:
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t and t != me:
                found.add(t)
    return found


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_the_package_has_no_import_cycle():
    graph = {m: _imports(p) for m, p in MODULES.items()}
    # a package's face (its __init__) is imported by every submodule's import of the package: leave out the edge
    # from a submodule up to its own package's __init__, which Python runs first anyway
    for m in graph:
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = path[path.index(t) :] + [t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_the_engine_does_not_reach_up_to_the_edges():
    """The engine, the Excel functions and Lite's code never import the CLI or the workbooks (Pyodide has
    neither click nor openpyxl)."""
    edges = ("xlmodel.cli", "xlmodel.workbook")
    for m, p in MODULES.items():
        if m.startswith(edges) or m in ("xlmodel.lite", "xlmodel.__main__"):
            continue
        bad = [t for t in _imports(p) if t.startswith(edges)]
        assert not bad, f"{m} imports {bad}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_passes_the_seam(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it along the seams a reader would look for"


#: every public name, importable from where it is documented today
PUBLIC = {
    "xlmodel": [
        "monthly_rate",
        "cac",
        "cost_per_mau",
        "gpu_price_per_mtok",
        "ltv",
        "payback_months",
        "unit_economics",
        "project",
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
        "__version__",
        "solve",
        "sensitivity",
    ],
    "xlmodel.solve": ["solve", "Solution", "default_bounds"],
    "xlmodel.sensitivity": ["sensitivity", "Grid", "Trials", "evaluate_output", "resolve"],
    "xlmodel.engine": [
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
        "runway_stream",
        "runway_from_cash",
        "RunwayStream",
        "migration_cash_flows",
        "migration_npv",
        "migration_payback_month",
        "summary",
        "summary_unit_economics",
        "OUTPUT_UNITS",
        "MIGRATION_ARGS",
        "blended_cost_per_mau",
    ],
    "xlmodel.udfs": [
        "LLM_CAC",
        "LLM_LTV",
        "LLM_PAYBACK",
        "LLM_COST_PER_MAU",
        "LLM_GPU_PRICE",
        "LLM_PRICE",
        "LLM_MIX_PRICE",
        "LLM_MIGRATION_NPV",
        "LLM_RUNWAY",
        "LLM_PROJECTION",
        "LLM_SIMULATE",
        "LLM_COHORT_LTV",
        "LLM_COHORT_CHURN",
        "EXCEL_FUNCTIONS",
        "xlwings_conf_text",
        "CATEGORY",
        "SIMULATE_HEADER",
        "LLM_SOLVE",
    ],
    "xlmodel.simulate": [
        "resolve",
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
        "percentiles",
    ],
    "xlmodel.assumptions": [
        "Assumptions",
        "load",
        "from_dict",
        "default",
        "DEFAULT_ASSUMPTIONS",
        "MIGRATION_KEYS",
        "TOKEN_KEYS",
        "MIX_PRICES",
        "MAX_SCENARIOS",
    ],
    "xlmodel.actuals": [
        "cohort_ltv",
        "cohort_churn",
        "read_actuals",
        "fit_actuals",
        "read_cohorts",
        "Actuals",
        "Fit",
        "ActualsError",
        "ACTUALS_COLUMNS",
        "DRIVERS",
        "average_curve",
    ],
    "xlmodel.fitted_toml": ["check_fitted", "fitted_toml"],
    "xlmodel.cli": ["main"],
    "xlmodel.workbook": ["TEMPLATES", "build", "save_atomic", "regenerate_folder", "COMMITTED", "to_bytes"],
    "xlmodel.workbook.verify": ["verify_workbook", "compare", "read_names", "recalculate", "udf_cells"],
    "xlmodel.workbook.builder": ["TOKEN_INPUTS", "clean_text", "Builder", "build", "TEMPLATES"],
    "xlmodel.lite": ["lite_files", "bundle_modules", "freeze_prices", "read_frozen_prices", "REQUIREMENTS"],
    "xlmodel.prices": ["price", "mix_price", "price_data_date"],
    "xlmodel.errors": ["XlmodelError", "InputError", "UnknownModelError", "AssumptionsError"],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_is_importable_from_where_it_was(module):
    mod = importlib.import_module(module)
    missing = [n for n in PUBLIC[module] if not hasattr(mod, n)]
    assert not missing, f"{module} lost {missing}"
