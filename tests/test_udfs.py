"""The Excel functions, called the way xlwings calls them, without Excel and without a licence key."""

import importlib.util
import inspect
import math
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel import udfs
from xlmodel.udfs import (
    EXCEL_FUNCTIONS,
    LLM_CAC,
    LLM_COHORT_CHURN,
    LLM_COST_PER_MAU,
    LLM_GPU_PRICE,
    LLM_LTV,
    LLM_MIGRATION_NPV,
    LLM_MIX_PRICE,
    LLM_PAYBACK,
    LLM_PLAN,
    LLM_PRICE,
    LLM_PROJECTION,
    LLM_RUNWAY,
    LLM_SIMULATE,
)

from .excel_values import excel_value

ROOT = Path(__file__).resolve().parents[1]

RUNWAY_ARGS = (1.2e6, 5e4, 2e4, 4.0, 0.08, 0.05, 12.0, 0.3, 1.5e5)
RUNWAY_KW = dict(
    zip(
        ("cash", "mau", "ad_spend", "cac", "churn", "conversion", "arppu", "cost_per_mau", "fixed_costs"),
        RUNWAY_ARGS,
    )
)


# ------------------------------------------------------- values as xlwings passes them


def test_scalars_match_engine():
    assert LLM_CAC(1000.0, 20.0) == xm.cac(1000, 20) == 50.0
    assert LLM_CAC(1000.0, 20.0, 0.25) == 200.0
    assert LLM_LTV(10.0, 0.8, 0.05) == xm.ltv(10, 0.8, 0.05)
    assert LLM_LTV(10.0, 0.8, 0.05, 0.1, 12.0) == xm.ltv(10, 0.8, 0.05, 0.1, 12)
    assert LLM_PAYBACK(60.0, 10.0, 0.6, 0.05) == xm.payback_months(60, 10, 0.6, 0.05)
    assert LLM_COST_PER_MAU(2e5, 5e4, 2.5, 10.0, 0.5, 1.25) == xm.cost_per_mau(2e5, 5e4, 2.5, 10.0, 0.5, 1.25)
    assert LLM_GPU_PRICE(2.0, 85.0) == xm.gpu_price_per_mtok(2, 85)
    assert LLM_MIGRATION_NPV(1e9, 10.0, 0.6, 5e4, 24.0, 0.1, 0.7, 0.01, 0.02, 1e5, 0.01) == xm.migration_npv(
        1e9, 10.0, 0.6, 5e4, 24, 0.1, 0.7, 0.01, 0.02, 1e5, 0.01
    )
    assert LLM_RUNWAY(*RUNWAY_ARGS) == xm.runway_months(**RUNWAY_KW)
    assert LLM_PRICE("gpt-4o-mini", "output") == xm.price("gpt-4o-mini", "output") == 0.6


def test_single_cell_ranges_are_scalars():
    # ndim=2: xlwings hands every argument over as a 2-D list
    assert LLM_CAC([[1000.0]], [[20.0]], [[None]]) == 50.0
    assert LLM_RUNWAY(*[[[a]] for a in RUNWAY_ARGS]) == xm.runway_months(**RUNWAY_KW)


def test_empty_cells_take_documented_defaults():
    assert LLM_CAC(1000.0, 20.0, None) == LLM_CAC(1000.0, 20.0, "") == 50.0
    assert LLM_LTV(10.0, 0.8, 0.05, None, None) == 160.0
    assert LLM_PAYBACK(120.0, 10.0, 0.6, None) == 20.0
    assert LLM_COST_PER_MAU(1e6, 0.0, 2.0, 8.0, 0.5, None) == xm.cost_per_mau(1e6, 0, 2.0, 8.0, 0.5, 2.0)
    assert LLM_RUNWAY(*RUNWAY_ARGS, None, None, None, None) == xm.runway_months(**RUNWAY_KW, horizon=60)
    assert LLM_PRICE("gpt-4o", None, "") == 2.5


def test_never_is_text():
    assert LLM_PAYBACK(120.0, 10.0, 0.6, 0.05) == "never"
    assert LLM_RUNWAY(1e9, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0) == "never"


def test_column_of_scenarios_gives_matching_column():
    churns = [[0.02], [0.05], [0.1], [0.2]]
    got = LLM_RUNWAY(*RUNWAY_ARGS[:4], churns, *RUNWAY_ARGS[5:])
    assert len(got) == 4 and all(len(r) == 1 for r in got)
    for (c,), (v,) in zip(churns, got):
        want = xm.runway_months(**dict(RUNWAY_KW, churn=c))
        assert v == ("never" if math.isinf(want) else want)
    # xlwings Lite hands a 1-D range as a flat list: treated as a column
    assert LLM_CAC([1000.0, 2000.0], 20.0) == [[50.0], [100.0]]
    # a row against a column broadcasts to a grid
    assert LLM_CAC([[1000.0, 2000.0]], [[10.0], [20.0]]) == [[100.0, 200.0], [50.0, 100.0]]


def test_bad_row_does_not_blank_the_others():
    got = LLM_CAC([[1000.0], ["x"], [500.0], [None]], [[20.0], [20.0], [0.0], [10.0]])
    assert got == [
        [50.0],
        ["#VALUE! spend must be a number, got 'x'"],
        ["#VALUE! new_users must be above 0, got 0"],
        ["#VALUE! spend is required"],
    ]


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: LLM_LTV(10.0, 0.5, 1.5),
            "#VALUE! churn must be between 0 and 1 (monthly fraction), got 1.5",
        ),
        (lambda: LLM_CAC(1000.0, 0.0), "#VALUE! new_users must be above 0, got 0"),
        (lambda: LLM_CAC("abc", 1.0), "#VALUE! spend must be a number, got 'abc'"),
        (lambda: LLM_CAC(True, 1.0), "#VALUE! spend must be a number, got TRUE"),
        (lambda: LLM_CAC(None, 1.0), "#VALUE! spend is required"),
        (lambda: LLM_CAC([[1.0, 2.0], [3.0]], 1.0), "#VALUE! spend must be a rectangular range"),
        (
            lambda: LLM_CAC([[1.0], [2.0]], [[1.0], [2.0], [3.0]]),
            "#VALUE! ranges must have the same number of rows and columns (or be single cells)",
        ),
        (
            lambda: LLM_PRICE("gpt-4o-mni"),
            "#VALUE! model must be a known model name, got 'gpt-4o-mni'; did you mean ",
        ),
        (lambda: LLM_PRICE(3.0), "#VALUE! model must be a model name (text), got 3.0"),
        (
            lambda: LLM_PROJECTION(*RUNWAY_ARGS[:4], [[0.1], [0.2]], *RUNWAY_ARGS[5:]),
            "#VALUE! churn must be a single cell: LLM_PROJECTION takes one scenario",
        ),
        (
            lambda: LLM_RUNWAY(*RUNWAY_ARGS, horizon=2.5),
            "#VALUE! horizon must be a whole number of months from 1 to 1200, got 2.5",
        ),
    ],
)
def test_bad_input_is_a_one_line_message(call, message):
    got = call()
    assert isinstance(got, str) and got.startswith(message) and "\n" not in got


def test_projection_table():
    got = LLM_PROJECTION(*RUNWAY_ARGS, None, None, None, 12.0)
    assert len(got) == 13 and all(len(r) == 13 for r in got)
    # version 1's ten columns keep their positions, version 2's three after them; LLM_PLAN spills version 3's
    assert got[0] == [
        "month",
        "ad_spend",
        "new_users",
        "mau",
        "paying_users",
        "revenue",
        "compute",
        "fixed_costs",
        "net_burn",
        "cash",
        "paid_new_users",
        "organic_new_users",
        "migration_one_off",
    ]
    p = xm.project(**RUNWAY_KW, horizon=12)
    for j, name in enumerate(got[0]):
        assert [r[j] for r in got[1:]] == getattr(p, name).tolist()


# ------------------------------------------------------------- any input at all


def _is_excel_value(v):
    if isinstance(v, float):
        return not math.isnan(v) and (not math.isinf(v))
    if isinstance(v, str):
        return v == "never" or (v.startswith("#VALUE! ") and "\n" not in v and "Traceback" not in v)
    return False


FUNCTION_ARITY = {name: len(inspect.signature(f).parameters) for name, f in EXCEL_FUNCTIONS.items()}
CASES = {"count": 0}


@settings(max_examples=1500)
@given(st.sampled_from(sorted(EXCEL_FUNCTIONS)), st.data())
def test_any_excel_values_give_number_never_or_message(name, data):
    fn = EXCEL_FUNCTIONS[name]
    n = FUNCTION_ARITY[name]
    args = [
        data.draw(excel_value(), label=f"arg{i}")
        for i in range(data.draw(st.integers(1, n)) if name != "LLM_PRICE" else n)
    ]
    if name != "LLM_PRICE":
        # half the time, sensible numbers in the required slots so that real computations run too
        if data.draw(st.booleans()):
            args = [data.draw(st.floats(0, 2)) if i < len(args) else None for i in range(n)]
            args[data.draw(st.integers(0, n - 1))] = data.draw(excel_value())
    CASES["count"] += 1
    try:
        got = fn(*args)
    except TypeError:
        # Excel always passes every declared argument; fewer than the required ones is a Python-side misuse
        required = sum(
            p.default is inspect.Parameter.empty for p in inspect.signature(fn).parameters.values()
        )
        assert len(args) < required
        return
    if name == "LLM_PROJECTION" and isinstance(got, list) and got and got[0] == list(xm.Projection.ROWS):
        assert all(_is_excel_value(v) for row in got[1:] for v in row)
        return
    if isinstance(got, list):
        assert got and all(isinstance(r, list) and r for r in got)
        assert all(_is_excel_value(v) for row in got for v in row), got
    else:
        assert _is_excel_value(got), got


def test_report_hypothesis_case_count():
    # Printed with -s; the closing note quotes it.
    print(f"\nExcel-value cases run: {CASES['count']}")


# ----------------------------------------------------- metadata and the classic add-in


def test_every_function_has_description_and_argument_docs():
    for name, f in EXCEL_FUNCTIONS.items():
        assert name == name.upper() and name.startswith("LLM_")
        assert f.__doc__ and len(f.__doc__) <= 255 and "\n" not in f.__doc__.strip()
        for p in inspect.signature(f).parameters:
            doc = udfs._arg_doc(p, name)
            assert doc and len(doc) <= 255


def test_every_function_is_in_the_docs():
    """The Excel reference is generated from the functions (docs/reference_pages.py; tests/test_docs.py checks it
    both ways); the how-to for the Excel route links to it and names the functions that take tables."""
    howto = (ROOT / "docs" / "howto" / "excel.md").read_text(encoding="utf-8")
    assert "(../reference/excel.md)" in howto
    for name in ("LLM_PLAN", "LLM_SOLVE", "LLM_SIMULATE", "LLM_PROJECTION"):
        assert f"`{name}" in howto, name


@pytest.fixture
def classic_xlwings(monkeypatch):
    """xlwings' own xlwings/udfs.py (BSD), loaded with its Windows-only modules stubbed."""
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None
    win32com.client = client
    for name, mod in (
        ("pythoncom", pythoncom),
        ("pywintypes", pywintypes),
        ("win32com", win32com),
        ("win32com.client", client),
    ):
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    import xlwings

    spec = importlib.util.find_spec("xlwings.udfs")
    xu = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xu)
    # What `import xlwings` binds on Windows: the classic decorators
    monkeypatch.setattr(xlwings, "func", xu.xlfunc)
    monkeypatch.setattr(xlwings, "arg", xu.xlarg)
    monkeypatch.setattr(xlwings, "ret", xu.xlret)
    # A fresh copy of our package, decorated by the real classic decorators
    import xlmodel

    for name in [n for n in sys.modules if n == "xlmodel.udfs" or n.startswith("xlmodel.udfs.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(xlmodel, "udfs", udfs)  # the package attribute comes back after the test too
    mod = importlib.import_module("xlmodel.udfs")
    return xu, mod


class _FakeWorkbook:
    """Just enough of Excel's COM Workbook for xlwings' import_udfs to run against."""

    Name = "model.xlsm"

    def __init__(self):
        self.vba = None
        self.options = {}
        wb = self

        class Components:
            def Remove(self, _):
                pass

            def __call__(self, name):
                return name

            def Import(self, path):
                wb.vba = Path(path).read_text()

        class App:
            Version = "16.0"

            def MacroOptions(self, macro, **kw):
                wb.options[macro] = kw

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = App()


def test_classic_addin_import_functions_writes_every_wrapper(classic_xlwings):
    xu, mod = classic_xlwings
    xu.udf_modules["xlmodel.udfs"] = {"module": mod, "filetime": None, "filename": mod.__file__}
    wb = _FakeWorkbook()
    xu.import_udfs("xlmodel.udfs", wb)
    vba = wb.vba
    assert 'Attribute VB_Name = "xlwings_udfs"' in vba
    for name, f in EXCEL_FUNCTIONS.items():
        params = inspect.signature(f).parameters
        decl = ", ".join(("Optional " if p.default is None else "") + p.name for p in params.values())
        assert f"Function {name}({decl})" in vba, name
        assert f'{name} = XLPy.CallUDF("xlmodel.udfs", "{name}", ' in vba
        opts = wb.options[f"'model.xlsm'!{name}"]
        assert opts["Category"] == "LLM Economics"
        assert opts["Description"] == f.__doc__
        assert opts["ArgumentDescriptions"] == [udfs._arg_doc(p, name) for p in params]
        # every argument arrives as a 2-D range, so that a column of scenarios keeps its shape
        assert all(a["options"].get("ndim") == 2 for a in getattr(mod, name).__xlfunc__["args"])
    assert (
        "Function LLM_RUNWAY(cash, mau, ad_spend, cac, churn, conversion, arppu, cost_per_mau, fixed_costs, "
        "Optional paid_share, Optional ad_growth, Optional cost_decline, Optional horizon, Optional organic_users, "
        "Optional organic_growth, Optional cac_elasticity, Optional paying_cost_per_mau, Optional migration_month, "
        "Optional routed_share, Optional large_price, Optional small_price, Optional migration_cost)" in vba
    )


def test_error_cells_arrive_as_text_on_both_routes(classic_xlwings):
    """err_to_str: an #N/A cell reaches the function as "#N/A" (then a message), not as an empty cell that would
    silently take the default (issue 19): in the classic add-in's decorators and in Lite's main.py."""
    _, mod = classic_xlwings
    for name in EXCEL_FUNCTIONS:
        assert all(a["options"].get("err_to_str") is True for a in getattr(mod, name).__xlfunc__["args"]), (
            name
        )
    from xlmodel.lite import lite_files

    main = lite_files(("test prices", "", ""))["main.py"]
    decorators = [line for line in main.splitlines() if line.startswith("@arg(")]
    assert len(decorators) == sum(len(inspect.signature(f).parameters) for f in EXCEL_FUNCTIONS.values())
    assert all(", ndim=2, err_to_str=True, doc=" in line for line in decorators)


def test_required_arguments_never_say_default():
    """Leaving a required argument empty says "is required": its help must not promise a default."""
    for name, f in EXCEL_FUNCTIONS.items():
        for p in inspect.signature(f).parameters.values():
            if p.default is inspect.Parameter.empty:
                assert "(default" not in udfs._arg_doc(p.name, name), (name, p.name)
    assert (
        udfs._arg_doc("fixed_costs", "LLM_RUNWAY")
        == "fixed costs per month (salaries, rent, tools); currency per month"
    )
    assert (
        udfs._arg_doc("annual_discount_rate", "LLM_MIGRATION_NPV")
        == "annual effective discount rate, e.g. 12% or 0.12; annual fraction"
    )
    assert udfs._arg_doc("annual_discount_rate", "LLM_LTV").endswith("(default 0)")  # optional there
    assert LLM_RUNWAY(1e9, 1e6, 1e7, 20, 0.1, 0.05, 10, 0.5, None) == "#VALUE! fixed_costs is required"


def test_xlwings_conf_names_the_module():
    assert udfs.xlwings_conf_text() == '"UDF MODULES","xlmodel.udfs"\n'


@pytest.mark.officejs
@pytest.mark.skipif(
    not __import__("os").environ.get("XLMODEL_OFFICEJS"),
    reason="opt-in: xlwings Server/Office.js machinery is not free for commercial use",
)
def test_officejs_metadata_names_are_upper_case():  # pragma: no cover - opt-in
    from xlwings.pro.udfs_officejs import custom_functions_meta

    meta = custom_functions_meta(udfs)
    names = {f["name"] for f in meta["functions"]}
    assert set(EXCEL_FUNCTIONS) <= names


def test_functions_work_without_xlwings_installed():
    """Plain `pip install xlmodel` has no xlwings: the module still imports and computes."""
    import subprocess

    code = (
        "import sys; sys.modules['xlwings'] = None; import xlmodel.udfs as u; "
        "print(u.LLM_CAC(1000.0, 20.0), u.LLM_PAYBACK(120.0, 10.0, 0.6, 0.05))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["50.0", "never"]


# ------------------------------------------------------------ model version 2

V2_KW = dict(
    organic_users=3000.0,
    organic_growth=0.02,
    cac_elasticity=0.3,
    paying_cost_per_mau=2.0,
    migration_month=4.0,
    routed_share=0.6,
    large_price=120.0,
    small_price=1.0,
    migration_cost=5e4,
)


def test_runway_takes_the_version_2_inputs_as_trailing_arguments():
    got = LLM_RUNWAY(*RUNWAY_ARGS, None, None, None, 24.0, *V2_KW.values())
    want = xm.runway_months(**RUNWAY_KW, horizon=24, **dict(V2_KW, migration_month=4))
    assert got == want
    # every version-1 position is unchanged: the same call without the new arguments is version 1
    assert LLM_RUNWAY(*RUNWAY_ARGS, None, None, None, 24.0) == xm.runway_months(**RUNWAY_KW, horizon=24)


def test_projection_with_a_migration_month_has_its_one_off():
    got = LLM_PROJECTION(*RUNWAY_ARGS, None, None, None, 6.0, *V2_KW.values())
    col = {name: [r[j] for r in got[1:]] for j, name in enumerate(got[0])}
    assert col["migration_one_off"] == [0, 0, 0, 5e4, 0, 0]
    assert col["organic_new_users"][0] == 3000.0


def test_runway_column_mixing_given_and_empty_organic_users():
    """An empty organic_users cell means version 1's paid_share rule for that row only."""
    got = LLM_RUNWAY(*RUNWAY_ARGS[:-1], [[1.5e5], [1.5e5]], None, None, None, None, [[3000.0], [None]])
    assert got == [[xm.runway_months(**RUNWAY_KW, organic_users=3000.0)], [xm.runway_months(**RUNWAY_KW)]]


def test_runway_bad_version_2_input_is_a_message():
    got = LLM_RUNWAY(*RUNWAY_ARGS, 0.5, None, None, None, 3000.0)
    assert got.startswith("#VALUE! paid_share must be 1 (or left out) when organic_users is given")
    got = LLM_RUNWAY(*RUNWAY_ARGS, None, None, None, None, None, None, None, None, 3.0)
    assert got == "#VALUE! large_price is required when migration_month is given"


def test_price_with_fx_and_mix_price():
    assert LLM_PRICE("gpt-4o-mini", "output", None, 7.2) == xm.price("gpt-4o-mini", "output") * 7.2
    want = 7.2 * (0.8 * xm.price("gpt-4o-mini", "output") + 0.2 * xm.price("gpt-4o", "output"))
    got = LLM_MIX_PRICE([["gpt-4o-mini"], ["gpt-4o"], [None]], [[0.8], [0.2], [None]], "output", 7.2)
    assert got == pytest.approx(want, rel=1e-15)
    assert got == xm.mix_price(["gpt-4o-mini", "gpt-4o"], [0.8, 0.2], "output", fx=7.2)
    # a row works as well as a column; kind and fx default to input and 1
    assert LLM_MIX_PRICE([["gpt-4o-mini", "gpt-4o"]], [[0.5, 0.5]]) == pytest.approx(
        0.5 * xm.price("gpt-4o-mini") + 0.5 * xm.price("gpt-4o"), rel=1e-15
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ([["gpt-4o-mini"], ["gpt-4o"]], [[0.8], [0.3]]),
            "#VALUE! shares must sum to 1 (within 1e-9), got 1.1",
        ),
        (([["gpt-4o-mini"], ["gpt-4o"]], [[1.2], [-0.2]]), "#VALUE! shares must be between 0 and 1"),
        (
            ([["gpt-4o-mni"]], [[1.0]]),
            "#VALUE! model must be a known model name, got 'gpt-4o-mni'; did you mean",
        ),
        (([["gpt-4o-mini"], ["gpt-4o"]], [[1.0]]), "#VALUE! shares must be as many cells as models"),
        (([["gpt-4o-mini"]], [[1.0]], "input", -7.2), "#VALUE! fx must be above 0"),
        (([["gpt-4o-mini"]], [["x"]]), "#VALUE! shares (gpt-4o-mini) must be a number, got 'x'"),
    ],
)
def test_mix_price_bad_input(args, message):
    got = LLM_MIX_PRICE(*args)
    assert isinstance(got, str) and got.startswith(message) and "\n" not in got


# ------------------------------------------------------------------ LLM_SIMULATE

SIM_TABLE = [
    ["name", "low", "mode", "high"],
    ["cash", 1.0e6, None, 3.0e6],  # uniform
    ["mau", None, 1e4, None],  # fixed
    ["ad_spend", None, 1e4, None],
    ["cac", 2.0, 3.0, 5.0],  # PERT
    ["churn", 0.05, 0.1, 0.2],
    ["conversion", None, 0.05, None],
    ["arppu", None, 12.0, None],
    ["cost_per_mau", None, 0.5, None],
    ["fixed_costs", None, 1.5e5, None],
    [None, None, None, None],  # an empty row is skipped
]


def test_simulate_spills_a_table_equal_to_the_engine():
    got = LLM_SIMULATE(SIM_TABLE, 2000, 3, 36)
    assert got[0] == ["output", "mean", "p5", "p10", "p50", "p90", "p95", "share_never"]
    s = dict(
        cash={"low": 1e6, "high": 3e6},
        mau=1e4,
        ad_spend=1e4,
        cac={"low": 2, "mode": 3, "high": 5},
        churn={"low": 0.05, "mode": 0.1, "high": 0.2},
        conversion=0.05,
        arppu=12.0,
        cost_per_mau=0.5,
        fixed_costs=1.5e5,
        horizon=36,
        paid_share=1.0,
    )
    sim = xm.simulate(s, draws=2000, seed=3)
    assert [r[0] for r in got[1:]] == list(sim.outputs)
    assert all(len(r) == 8 for r in got)
    for row in got[1:]:
        st = sim.stats(row[0])
        for col, v in zip(got[0][1:-1], row[1:-1]):
            want = st[col]
            assert v == ("never" if math.isinf(want) else "n/a" if math.isnan(want) else want), (row[0], col)
        assert row[-1] == st.get("share_never", "")
    runway = next(r for r in got if r[0] == "runway_months")
    assert isinstance(runway[-1], float) and runway[1] != runway[2]


def test_simulate_defaults_and_header_optional():
    assert LLM_SIMULATE(SIM_TABLE[1:]) == LLM_SIMULATE(SIM_TABLE, None, None, None)
    assert LLM_SIMULATE(SIM_TABLE, 500, 1) != LLM_SIMULATE(SIM_TABLE, 500, 2)


@pytest.mark.parametrize(
    "table,args,message",
    [
        (SIM_TABLE[:3], (), "#VALUE! ad_spend: is required (no default)"),
        (
            [r[:3] for r in SIM_TABLE],
            (),
            "#VALUE! ranges must have four columns (name, low, mode, high), got 3",
        ),
        (SIM_TABLE + [["churn", None, 0.1, None]], (), "#VALUE! ranges row 12: churn is given twice"),
        (
            SIM_TABLE + [["cash_typo", None, 1, None]],
            (),
            "#VALUE! cash_typo: unknown key; did you mean 'cash'?",
        ),
        (
            [r if r[0] != "churn" else ["churn", 0.05, None, 1.2] for r in SIM_TABLE],
            (),
            "#VALUE! churn: churn range high: churn must be between 0 and 1 (monthly fraction), got 1.2",
        ),
        (
            [r if r[0] != "churn" else ["churn", 0.05, 0.1, None] for r in SIM_TABLE],
            (),
            "#VALUE! ranges row 6 (churn): give the mode alone (a fixed value), low and high (uniform), or all three (PERT)",
        ),
        (
            [r if r[0] != "cac" else ["cac", 2.0, "three", 5.0] for r in SIM_TABLE],
            (),
            "#VALUE! cac mode must be a number",
        ),
        (SIM_TABLE, (0,), "#VALUE! draws must be a whole number from 1 to 10,000,000, got 0"),
        (SIM_TABLE, (10, -1), "#VALUE! seed must be a whole number from 0"),
        (SIM_TABLE, (10, 1, 2.5), "#VALUE! horizon must be a whole number from 1 to 1,200, got 2.5"),
    ],
)
def test_simulate_bad_input_is_a_one_line_message(table, args, message):
    got = LLM_SIMULATE(table, *args)
    assert isinstance(got, str) and got.startswith(message), got
    assert "\n" not in got


def test_one_bad_cell_gets_a_message_and_the_rest_one_vectorised_call(monkeypatch):
    """A text and an out-of-range cell in a 2,000-row column: their rows get messages; the other rows come from
    one vectorised engine call (plus one row-by-row call for each bad row), not 2,000 calls."""
    calls = []
    real = xm.engine.runway_months

    def counting(**kw):
        calls.append(np.size(kw["churn"]))
        return real(**kw)

    monkeypatch.setattr(udfs.plan.engine, "runway_months", counting)
    n = 2000
    churn = [[0.08 + i * 1e-5] for i in range(n)]
    churn[10], churn[20] = ["oops"], [1.5]
    args = [[[a]] for a in RUNWAY_ARGS]
    args[4] = churn
    got = LLM_RUNWAY(*args)
    assert got[10] == ["#VALUE! churn must be a number, got 'oops'"]
    assert got[20] == ["#VALUE! churn must be between 0 and 1 (monthly fraction), got 1.5"]
    for i in (0, 11, 1999):
        assert got[i] == [real(**dict(RUNWAY_KW, churn=churn[i][0]))]
    assert n - 2 in calls and len(calls) <= 4  # tried once with the text row out, once more with 1.5 out


def test_payback_keeps_its_own_rule_for_cac_in_a_column():
    # payback takes a CAC of 0 (the model input cac must be above 0): a column mixing 0 and -1 still gives 0
    assert LLM_PAYBACK([[0], [-1], [5]], 10, 0.5, 0.1) == [
        [0.0],
        ["#VALUE! cac must be 0 or more, got -1"],
        [1.0],
    ]


def test_a_result_larger_than_a_sheet_column_is_refused():
    got = LLM_CAC([[1.0]] * 2000, [list(range(1, 2001))])
    assert got == (
        "#VALUE! the result would be 2,000 x 2,000 cells, more than the 1,048,576 one call returns: "
        "pass ranges of matching shape"
    )


@pytest.mark.parametrize(
    "typo", ["gpt-4o-mni", "claude-3-5-sonet", "o1x", "gemini-1.5-flsh", "gpt4o", "mistral-larg"]
)
def test_price_suggestions_match_a_full_difflib_search(typo):
    import difflib

    from xlmodel import prices

    names = prices._known_names(prices._snapshot(), None)
    assert list(prices._suggest(typo, None)) == difflib.get_close_matches(
        typo.lower(), names, n=3, cutoff=0.6
    )


def test_messages_are_one_short_line_whatever_they_quote():
    got = LLM_CAC("x" * 100_000, 1)
    assert got.startswith("#VALUE! spend must be a number") and len(got) <= 500 and "characters)" in got
    got = LLM_PRICE("bad\nname" * 5000)
    assert "\n" not in got and len(got) <= 500


def test_errors_raise_in_lite_and_are_text_in_the_classic_addin(monkeypatch):
    """xlwings Lite (Pyodide) shows a raised error as a real #VALUE! (IFERROR works): a call whose whole result
    is one error raises there; the classic add-in would show a traceback, so it gets the one-line text. In a
    range, a bad row keeps its text in both, so the good rows still show."""
    monkeypatch.delenv("XLMODEL_RAISE_ERRORS", raising=False)
    assert LLM_CAC("lots", 20) == "#VALUE! spend must be a number, got 'lots'"
    monkeypatch.setattr(udfs.cells.sys, "platform", "emscripten")  # what Pyodide reports
    with pytest.raises(xm.XlmodelError, match="^spend must be a number, got 'lots'$"):
        LLM_CAC("lots", 20)
    with pytest.raises(xm.XlmodelError, match="ranges must have four columns"):
        LLM_SIMULATE([["cash", 1]])
    with pytest.raises(xm.XlmodelError, match="retention needs at least 2 months"):
        LLM_COHORT_CHURN(0.5)
    assert LLM_CAC([[1000.0], ["x"]], 20) == [[50.0], ["#VALUE! spend must be a number, got 'x'"]]
    assert LLM_CAC(1000, 20) == 50.0


# ------------------------------------------------------------------ LLM_PLAN (model version 3)

PLAN_TABLE = [
    ["name", "value"],
    ["cash", 1.2e6],
    ["mau", 5e4],
    ["ad_spend", 2e4],
    ["cac", 4.0],
    ["churn", 0.08],
    ["conversion", 0.05],
    ["arppu", 12.0],
    ["cost_per_mau", 0.3],
    ["fixed_costs", 1.5e5],
    ["start", "2024-12"],
    ["horizon", 24.0],
    ["min_cash", 2e5],
    ["interest_rate", 0.03],
    ["vat", 0.06],
    ["store_fee", 0.1],
    ["activation", 0.8],
]
PLAN_KW = dict(
    cash=1.2e6,
    mau=5e4,
    ad_spend=2e4,
    cac=4.0,
    churn=0.08,
    conversion=0.05,
    arppu=12.0,
    cost_per_mau=0.3,
    fixed_costs=1.5e5,
    horizon=24,
    min_cash=2e5,
    interest_rate=0.03,
    vat=0.06,
    store_fee=0.1,
    activation=0.8,
)


def test_plan_from_tables_is_the_engines_plan():
    changes = [["month", "driver", "level"], ["2025-03", "ad_spend", 1e4], [7, "conversion", 0.08]]
    funding = [["month", "amount"], ["2025-08", 5e5], [9, 1e5]]
    got = LLM_PLAN(PLAN_TABLE, changes, funding)
    p = xm.plan(
        **PLAN_KW,
        changes=[{"month": 4, "ad_spend": 1e4}, {"month": 7, "conversion": 0.08}],
        funding=[{"month": 9, "amount": 5e5}, {"month": 9, "amount": 1e5}],
    )
    assert got[0] == list(xm.Projection.ROWS) and len(got) == 25
    for j, name in enumerate(got[0]):
        assert [r[j] for r in got[1:]] == getattr(p.projection, name).tolist(), name
    for name in ("funding_need", "funding_month", "lowest_cash", "runway_months", "burn_multiple"):
        want = p.outputs[name]
        assert LLM_PLAN(PLAN_TABLE, changes, funding, name) == ("never" if math.isinf(want) else want), name
    assert LLM_PLAN(PLAN_TABLE, changes, funding, "default_alive") is bool(p.default_alive)
    # empty values take the defaults; the header rows are optional
    assert (
        LLM_PLAN(PLAN_TABLE[1:] + [["paid_share", None]], changes[1:], funding[1:], "funding_need")
        == p.outputs["funding_need"]
    )


@pytest.mark.parametrize(
    "changes,funding,extra,message",
    [
        ([[30, "ad_spend", 1.0]], None, [], "changes[1]: month must be a whole month number from 1 to 24"),
        ([["2024-11", "ad_spend", 1.0]], None, [], "month 2024-11 is before the plan's start 2024-12"),
        ([["2024-13", "ad_spend", 1.0]], None, [], "month must be a calendar month YYYY-MM"),
        ([[4, "ad_spend", 1.0], [4, "ad_spend", 2.0]], None, [], "ad_spend is changed twice in month 4"),
        ([[4, "ad_sped", 1.0]], None, [], "unknown driver 'ad_sped'"),
        ([[4, "churn", 1.5]], None, [], "churn must be between 0 and 1"),
        (None, [[4, -1.0]], [], "amount must be 0 or more, got -1"),
        (
            None,
            None,
            [["fiscal_year_start", 13]],
            "fiscal_year_start: must be a calendar month number from 1 to 12",
        ),
        (None, None, [["activation", 0]], "activation must be above 0"),
        ([[4, "organic_users", 10.0]], None, [], "organic_users changes over time only"),
        (None, None, [["min_cash", -1]], "min_cash must be 0 or more"),
        (
            [[4, "ad_spend", 1e4]],
            None,
            [["ad_spend", 0], ["cac_elasticity", 0.5]],
            "cac_spend must be above 0",
        ),
    ],
)
def test_plan_bad_input_is_one_line(changes, funding, extra, message):
    table = [row for row in PLAN_TABLE if row[0] not in {e[0] for e in extra}] + extra
    got = LLM_PLAN(table, changes, funding, "funding_need")
    assert isinstance(got, str) and got.startswith("#VALUE! ") and message in got and "\n" not in got, got


def test_plan_without_start_refuses_calendar_months_and_fiscal_years():
    table = [row for row in PLAN_TABLE if row[0] != "start"]
    assert "is a calendar month: give [model] start" in LLM_PLAN(table, [["2025-03", "ad_spend", 1.0]])
    assert "fiscal_year_start needs start" in LLM_PLAN(
        table + [["fiscal_year_start", 4]], None, None, "runway_months"
    )
    assert "output must be the name of an output, got 'runway'" in LLM_PLAN(PLAN_TABLE, None, None, "runway")


def test_plan_with_a_retention_curve_is_the_engines_curve_plan():
    """LLM_PLAN's fifth argument: a row or column of shares drives the users as the engine's retention does."""
    curve = [1.0, 0.56, 0.42, 0.36, 0.33]
    kw = {k: v for k, v in PLAN_KW.items() if k != "activation"}
    table = [row for row in PLAN_TABLE if row[0] != "activation"]
    p = xm.plan(**kw, retention=curve)
    flat = xm.plan(**kw)
    assert p.outputs["runway_months"] != flat.outputs["runway_months"]  # the curve matters in this case
    net = 12.0 / 1.06 * (1 - 0.1) * 0.05  # arppu_net per MAU (docs/model.md)
    ltv = pytest.approx(xm.retention.cohort_ltv(curve, net, 1 - 0.3 / net), rel=1e-12)  # LTV: the curve's
    for shape in ([curve], [[c] for c in curve] + [[None]], [curve + [None, ""]]):
        got = LLM_PLAN(table, None, None, None, shape)
        for j, name in enumerate(got[0]):
            assert [r[j] for r in got[1:]] == getattr(p.projection, name).tolist(), name
        assert LLM_PLAN(table, None, None, "ltv", shape) == ltv
    assert LLM_PLAN(table, None, None, "runway_months", [[None, None]]) == flat.outputs["runway_months"]
    # a curve measured on sign-ups is the activation: given twice, one line naming both
    got = LLM_PLAN(PLAN_TABLE, None, None, "runway_months", [[0.6, 0.3, 0.2, 0.15]])
    assert got.startswith("#VALUE! ") and "activation" in got and "sign-ups" in got, got
    for bad, message in (
        ([[1.0, 1.2]], "at most 1"),
        ([[1.0, None, 0.5]], "retention month 2 is empty"),
        ([[1.0, 0.5], [0.4, 0.3]], "one row or one column"),
        ([[1.0, "x"]], "must be a number"),
    ):
        got = LLM_PLAN(table, None, None, "runway_months", bad)
        assert isinstance(got, str) and got.startswith("#VALUE! ") and message in got and "\n" not in got, got
