"""The xlwings Lite bundle (``xlmodel lite``): two files that give every LLM_* function with nothing installed.

The bundle runs in a fresh virtual environment that has only what Lite has
(numpy, numpy-financial, xlwings; no xlmodel), from a folder outside the
checkout, and must give exactly what :mod:`xlmodel.udfs` gives here, on the
published oracles, on seeded random inputs and on bad input.
"""

import ast
import inspect
import json
import math
import os
import random
import subprocess
import venv
from pathlib import Path

import pytest

import xlmodel
from xlmodel import lite
from xlmodel.frozen_prices import FrozenPrices
from xlmodel.udfs import EXCEL_FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks" / "lite"

DRIVER = r"""
import importlib.util, json, os, runpy, sys
assert importlib.util.find_spec("xlmodel") is None, "xlmodel must not be installed here"
ns = runpy.run_path(sys.argv[1], run_name="main")
cases = json.load(open(sys.argv[2]))

def call(name, args):
    try:
        return ns[name](*args)
    except Exception as e:  # the raise mode's errors, compared as type and message
        return {"raised": type(e).__name__, "message": str(e)}

out = {"classic": [call(n, a) for n, a in cases["classic"]]}
os.environ["XLMODEL_RAISE_ERRORS"] = "1"
out["raise"] = [call(n, a) for n, a in cases["raise"]]
out["functions"] = sorted(k for k in ns if k.startswith("LLM_"))
import inspect
out["defined"] = {k: [ns[k].__module__, str(inspect.signature(ns[k])), ns[k].__doc__] for k in out["functions"]}
out["udfs_file"] = sys.modules["xlmodel.udfs"].__file__
out["price_source"] = sys.modules["xlmodel.prices"].price_data_date()
out["modules"] = sorted(m for m in sys.modules if m == "xlmodel" or m.startswith("xlmodel."))
json.dump(out, open(sys.argv[3], "w"))
"""


@pytest.fixture(scope="module")
def lite_python(tmp_path_factory):
    """A fresh venv with only what xlwings Lite gives: numpy, numpy-financial, xlwings."""
    env = tmp_path_factory.mktemp("lite-env")
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "numpy", "numpy-financial", "xlwings"],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return py


@pytest.fixture(scope="module")
def bundle():
    return lite.lite_files()


# ------------------------------------------------------------------ the cases


RUNWAY = [1.2e6, 5e4, 2e4, 4.0, 0.08, 0.05, 12.0, 0.3, 1.5e5]
PLAN_INPUTS = (
    [["name", "value"]]
    + [
        [k, v]
        for k, v in zip(
            ("cash", "mau", "ad_spend", "cac", "churn", "conversion", "arppu", "cost_per_mau", "fixed_costs"),
            RUNWAY,
        )
    ]
    + [["start", "2024-12"], ["horizon", 24.0], ["min_cash", 1e5], ["interest_rate", 0.04], ["vat", 0.06]]
)


def oracle_cases():
    """docs/model.md's oracles and the documented examples, as Excel would pass them."""
    geometric = [0.9**t for t in range(24)]
    return [
        ("LLM_RUNWAY", [1.2e6, 1000.0, 0.0, 1.0, 0.0, 1.0, 50.0, 0.0, 1.5e5]),  # docs/model.md: 12.0
        ("LLM_CAC", [1000.0, 20.0]),
        ("LLM_CAC", [1000.0, 20.0, 0.25]),
        ("LLM_LTV", [10.0, 0.8, 0.05]),
        ("LLM_LTV", [10.0, 0.8, 0.05, 0.1, 12.0]),
        ("LLM_LTV_STOCKS", [0.35, 0.01, 0.08, 30.0, 0.6]),
        ("LLM_LTV_STOCKS", [0.35, 0.01, 0.08, 30.0, 0.6, None, 0.3, 399.0, 0.5, 0.12, 0.06, 0.15]),
        ("LLM_LTV_STOCKS", [0.35, 0.01, 0.0, 30.0, 0.6]),  # unbounded: a #VALUE! message
        ("LLM_PAYBACK", [60.0, 10.0, 0.6, 0.05]),
        ("LLM_PAYBACK", [120.0, 10.0, 0.6, 0.05]),
        ("LLM_COST_PER_MAU", [2e5, 5e4, 2.5, 10.0, 0.5, 1.25]),
        ("LLM_GPU_PRICE", [2.0, 85.0]),
        ("LLM_MIGRATION_NPV", [1e9, 10.0, 0.6, 5e4, 24.0, 0.1, 0.7, 0.01, 0.02, 1e5, 0.01]),
        ("LLM_RUNWAY", RUNWAY),
        ("LLM_RUNWAY", [[[v], [v * 1.1]] for v in RUNWAY]),
        ("LLM_RUNWAY", RUNWAY + [None, None, None, 3e3, 0.02, 0.1, 0.6, 6.0, 0.7, 6.54, 0.24, 5e4]),
        ("LLM_PROJECTION", RUNWAY + [None, None, None, 12.0]),
        ("LLM_PROJECTION", RUNWAY + [0.05, 0.01, 24.0, None, None, None, None, 6.0, 0.7, 6.54, 0.24, 5e4]),
        ("LLM_COHORT_LTV", [geometric, 10.0, 0.8]),
        ("LLM_COHORT_LTV", [geometric, 10.0, 0.8, 0.1, False]),
        ("LLM_COHORT_CHURN", [geometric]),
        (
            "LLM_SIMULATE",
            [
                [["name", "low", "mode", "high"], ["cash", 1e6, None, 1.4e6], ["churn", 0.05, 0.08, 0.12]]
                + [
                    [k, None, v, None]
                    for k, v in zip(
                        ("mau", "ad_spend", "cac", "conversion", "arppu", "cost_per_mau", "fixed_costs"),
                        RUNWAY[1:4] + RUNWAY[5:],
                    )
                ],
                500.0,
                7.0,
                36.0,
            ],
        ),
        ("LLM_PRICE", ["gpt-4o-mini", "output"]),
        ("LLM_PRICE", ["gpt-4o-mini", "output", None, 7.2]),
        ("LLM_PRICE", ["gpt-4o", None, ""]),
        ("LLM_PRICE", ["gpt-4o-mni"]),
        ("LLM_PRICE", ["no-such-model-x"]),
        ("LLM_PRICE", ["gpt-4o-mini", "input", "no-such-provider"]),
        ("LLM_PRICE", ["gpt-4o-mini", "bulk"]),
        ("LLM_MIX_PRICE", [["gpt-4o-mini", "gpt-4o"], [0.8, 0.2]]),
        ("LLM_MIX_PRICE", [[["gpt-4o-mini"], ["gpt-4o"], [None]], [[0.8], [0.2], [None]], "output", 7.2]),
        ("LLM_MIX_PRICE", [["gpt-4o-mini", "gpt-4o"], [0.8, 0.3]]),
        ("LLM_CAC", [1000.0, 0.0]),
        ("LLM_LTV", [10.0, 0.8, 1.5]),
        ("LLM_RUNWAY", RUNWAY[:8] + ["text"]),
        (
            "LLM_PLAN",
            [
                PLAN_INPUTS,
                [["month", "driver", "level"], [4.0, "ad_spend", 1e4], ["2025-03", "churn", 0.1]],
                [[6.0, 3e5]],
                "funding_need",
            ],
        ),
        ("LLM_PLAN", [PLAN_INPUTS, [[4.0, "ad_spend", 1e4]], None, None]),
        ("LLM_PLAN", [PLAN_INPUTS, None, [[6.0, -1.0]], "funding_need"]),
        ("LLM_PLAN", [PLAN_INPUTS, [[4.0, "ad_sped", 1e4]], None, "breakeven_month"]),
        ("LLM_PLAN", [PLAN_INPUTS, None, None, "runway_months", [[1.0, 0.56, 0.42, 0.36, None]]]),
        ("LLM_PLAN", [PLAN_INPUTS, [[4.0, "ad_spend", 1e4]], None, None, [[0.6], [0.3], [0.2]]]),
        ("LLM_SOLVE", [PLAN_INPUTS, "cash", "runway_months", 18.0]),
        (
            "LLM_SOLVE",
            [PLAN_INPUTS, "ad_spend", "runway_months", 12.0, 0.0, 1e6, [[4.0, "churn", 0.1]], [[6.0, 3e5]]],
        ),
        ("LLM_SOLVE", [PLAN_INPUTS, "cash", "runway_months", 18.0, 0.0, 1.0]),
        ("LLM_SOLVE", [PLAN_INPUTS, "chrn", "runway_months", 18.0]),
    ]


def random_cases(n=400, seed=20261129):
    """Seeded random Excel values: sensible numbers, edge numbers, empty cells, text, booleans and columns."""
    rng = random.Random(seed)

    def value():
        kind = rng.random()
        if kind < 0.55:
            return rng.uniform(0, 2) * rng.choice([1, 1, 10, 1e3, 1e6])
        if kind < 0.65:
            return rng.choice([0.0, -1.0, 1.0, 1e-12, 1e300, -0.5])
        if kind < 0.75:
            return None
        if kind < 0.82:
            return rng.choice(["", "abc", "12", "#N/A"])
        if kind < 0.87:
            return rng.choice([True, False])
        return [[rng.uniform(0, 2)] for _ in range(rng.randint(1, 3))]

    base = {}
    for name, args in oracle_cases():  # each function's first documented call: a point where numbers come out
        if all(isinstance(a, float) or a is None for a in args) or name.startswith("LLM_COHORT"):
            base.setdefault(name, args)
    names = sorted(
        n
        for n in EXCEL_FUNCTIONS
        if n not in ("LLM_PRICE", "LLM_MIX_PRICE", "LLM_SIMULATE", "LLM_PLAN", "LLM_SOLVE")
    )
    cases = []
    for _ in range(n):
        name = rng.choice(names)
        arity = len(inspect.signature(EXCEL_FUNCTIONS[name]).parameters)
        if (
            rng.random() < 0.6
        ):  # the documented call, every number moved by up to 50%, sometimes one odd value
            args = [
                a * rng.uniform(0.5, 1.5) if isinstance(a, float) and not _count(a) else a for a in base[name]
            ]
            args += [None] * (arity - len(args))
            if rng.random() < 0.3:
                args[rng.randrange(arity)] = value()
        else:
            args = [value() for _ in range(arity)]
        if name in ("LLM_COHORT_LTV", "LLM_COHORT_CHURN") and rng.random() < 0.7:
            args[0] = sorted((rng.uniform(0.05, 1) for _ in range(rng.randint(2, 30))), reverse=True)
        cases.append((name, args))
    return cases


def _count(a: float) -> bool:
    """A whole number of months (a horizon, a lifetime): kept as it is."""
    return a.is_integer() and 1 <= a <= 120


def price_cases(bundle):
    """Every name frozen with no provider (each kind), and a seeded sample of provider-given lookups."""
    names = lite.read_frozen_prices(bundle["main.py"])[2]
    rng = random.Random(7)
    cases = []
    for line in names.splitlines():
        key, _, *found = line.split()
        for name in found:
            if key == "*":
                cases.append(("LLM_PRICE", [name, rng.choice(["input", "output", "cached_input"])]))
            elif rng.random() < 0.1:
                cases.append(("LLM_PRICE", [name, "output", key]))
    return cases


def _plain(value):
    """A result as JSON holds it (floats keep every bit; nan is compared as nan)."""
    return json.loads(json.dumps(value))


def _expected(cases):
    out = []
    for name, args in cases:
        try:
            out.append(_plain(EXCEL_FUNCTIONS[name](*json.loads(json.dumps(args)))))
        except Exception as e:
            out.append({"raised": type(e).__name__, "message": str(e)})
    return out


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b and type(a) is type(b)


# ------------------------------------------------------------------ tests


def test_bundle_gives_what_xlmodel_udfs_gives_with_nothing_installed(
    lite_python, bundle, tmp_path, monkeypatch
):
    folder = tmp_path / "lite"
    folder.mkdir()
    for name, text in bundle.items():
        (folder / name).write_text(text, encoding="utf-8")
    classic = oracle_cases() + random_cases() + price_cases(bundle)
    raising = [
        c
        for c in oracle_cases()
        if c[0] in ("LLM_CAC", "LLM_LTV", "LLM_PRICE", "LLM_MIX_PRICE", "LLM_RUNWAY")
    ]
    (tmp_path / "cases.json").write_text(json.dumps({"classic": classic, "raise": raising}))
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XLMODEL_RAISE_ERRORS")}
    r = subprocess.run(
        [
            str(lite_python),
            str(tmp_path / "driver.py"),
            str(folder / "main.py"),
            str(tmp_path / "cases.json"),
            str(tmp_path / "out.json"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads((tmp_path / "out.json").read_text())

    assert got["functions"] == sorted(EXCEL_FUNCTIONS)
    # each is defined in main.py itself (Lite registers main.py's functions), with udfs' signature and help
    assert got["defined"] == {
        k: ["main", str(inspect.signature(f)), f.__doc__] for k, f in EXCEL_FUNCTIONS.items()
    }
    assert got["udfs_file"].startswith(f"<xlmodel {xlmodel.__version__} lite bundle>/")
    assert got["price_source"].endswith("(frozen into the Lite bundle)")
    assert "xlmodel.cli" not in got["modules"] and not any(
        m.startswith("xlmodel.workbook") for m in got["modules"]
    )

    monkeypatch.delenv("XLMODEL_RAISE_ERRORS", raising=False)
    want = _expected(classic)
    bad = [(c, w, g) for c, w, g in zip(classic, want, got["classic"]) if not _same(w, g)]
    assert not bad, f"{len(bad)} of {len(classic)} differ, e.g. {bad[:3]}"
    # the cases reach real numbers, never only messages
    numbers = sum(isinstance(w, float) for w in want)
    assert numbers > len(classic) / 2, numbers
    assert sum(isinstance(w, str) and w.startswith("#VALUE!") for w in want) > 20

    monkeypatch.setenv("XLMODEL_RAISE_ERRORS", "1")
    want = _expected(raising)
    assert all(_same(w, g) for w, g in zip(want, got["raise"])), list(zip(want, got["raise"]))
    assert any(isinstance(w, dict) for w in want)  # some of them raise


@pytest.fixture(scope="module")
def lite_python_without_npf(tmp_path_factory):
    """A Lite whose package install failed: numpy and xlwings, no numpy-financial."""
    env = tmp_path_factory.mktemp("lite-env-no-npf")
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "numpy", "xlwings"],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return py


def test_bundle_without_numpy_financial_loses_only_the_npv(
    lite_python_without_npf, bundle, tmp_path, monkeypatch
):
    """xlwings-lite issues 2 and 18: a failed install must not take every function away. Without numpy-financial
    every function but the migration NPV gives exactly what it gives with it; the NPV says what to install."""
    from xlmodel.closed_form import NPF_MISSING

    folder = tmp_path / "lite"
    folder.mkdir()
    for name, text in bundle.items():
        (folder / name).write_text(text, encoding="utf-8")
    cases = oracle_cases() + random_cases(200, seed=7)
    (tmp_path / "cases.json").write_text(json.dumps({"classic": cases, "raise": []}))
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XLMODEL_RAISE_ERRORS")}
    r = subprocess.run([str(lite_python_without_npf), "-c", "import numpy_financial"], capture_output=True)
    assert r.returncode != 0  # really absent
    r = subprocess.run(
        [
            str(lite_python_without_npf),
            str(tmp_path / "driver.py"),
            str(folder / "main.py"),
            str(tmp_path / "cases.json"),
            str(tmp_path / "out.json"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads((tmp_path / "out.json").read_text())
    assert got["functions"] == sorted(EXCEL_FUNCTIONS)
    monkeypatch.delenv("XLMODEL_RAISE_ERRORS", raising=False)
    want = _expected(cases)
    npv_cases = 0
    for (name, args), w, g in zip(cases, want, got["classic"]):
        if name == "LLM_MIGRATION_NPV":  # a number here is the message there; a message stays the same
            w_cells = w if isinstance(w, list) else [[w]]
            g_cells = g if isinstance(g, list) else [[g]]
            for w_row, g_row in zip(w_cells, g_cells, strict=True):
                for wc, gc in zip(w_row, g_row, strict=True):
                    npv_cases += isinstance(wc, float)
                    assert gc == ("#VALUE! " + NPF_MISSING if isinstance(wc, float) else wc), (args, wc, gc)
        else:
            assert _same(w, g), (name, args, w, g)
    assert npv_cases >= 1


def test_bundle_carries_the_current_source_of_every_module_it_needs(bundle):
    """Not stale: each module string is today's file, and the list is the import closure of udfs and the package."""
    tree = ast.parse(bundle["main.py"])
    carried = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.value, ast.Constant)
        ):
            carried[node.targets[0].slice.value] = node.value.value
    package = ROOT / "xlmodel"
    for file, text in carried.items():
        if file != "xlmodel/_price_snapshot.py":
            assert text == (ROOT / file).read_text(encoding="utf-8"), f"{file} is stale in the bundle"
    names = {f.removeprefix("xlmodel/") for f in carried}
    assert {
        "__init__.py",
        "udfs/__init__.py",
        "udfs/cells.py",
        "engine.py",
        "frozen_prices.py",
        "_price_snapshot.py",
    } <= names
    assert not {n.split("/")[0] for n in names} & {
        "cli",
        "cli_excel.py",
        "lite.py",
        "fsutil.py",
        "__main__.py",
        "workbook",
    }
    # every package module that a bundled module imports is bundled
    for file, text in carried.items():
        assert lite._relative_imports(text, file.removeprefix("xlmodel/")) <= names | {
            "_price_snapshot.py"
        }, file
    assert all((package / n).is_file() for n in names - {"_price_snapshot.py"})


def test_requirements_are_only_what_lite_must_install(bundle):
    lines = [line for line in bundle["requirements.txt"].splitlines() if line.strip()]
    assert lines == ["numpy-financial"]
    header = bundle["main.py"][:3000]
    assert f"xlmodel {xlmodel.__version__}" in header and "GENERATED by `xlmodel lite`" in header
    assert "#      numpy-financial" in header and "prices of " in header


def test_the_same_prices_give_the_same_bundle(bundle):
    prices = lite.read_frozen_prices(bundle["main.py"])
    assert lite.lite_files(prices) == bundle


def test_committed_bundle_matches_the_generator():
    main = COMMITTED / "main.py"
    assert main.exists(), "run: xlmodel regenerate workbooks/"
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.iterdir()}
    fresh = lite.lite_files(lite.read_frozen_prices(committed["main.py"]))
    assert committed == fresh, "workbooks/lite/ drifted from the source: run `xlmodel regenerate workbooks/`"


def test_frozen_prices_answer_as_genai_prices_did():
    source, models, names = lite.freeze_prices()
    frozen = FrozenPrices(source, models, names)
    import genai_prices.data_snapshot as ds

    live = ds.get_snapshot()
    assert [p.id for p in frozen.providers] == [p.id for p in live.providers if p.models]
    assert [[m.id for m in p.models] for p in frozen.providers] == [
        [m.id for m in p.models] for p in live.providers if p.models
    ]
    assert frozen.find_provider_model("GPT-4o-mini", None, None, None)[1].get_prices().input_mtok == 0.15
    with pytest.raises(LookupError):
        frozen.find_provider_model("gpt-4o-mini-2099-01-01", None, None, None)


def test_cli_lite_writes_both_files_and_never_overwrites(run, tmp_path):
    r = run("lite", "-o", "bundle", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert "Wrote bundle/main.py" in r.output and "=LLM_RUNWAY(" in r.output
    main = (tmp_path / "bundle" / "main.py").read_text()
    assert main == lite.lite_files()["main.py"]
    (tmp_path / "bundle" / "main.py").write_text("mine")
    r = run("lite", "-o", "bundle", cwd=tmp_path)
    assert r.exit_code == 2 and "pass --force" in r.output
    assert (tmp_path / "bundle" / "main.py").read_text() == "mine"
    r = run("lite", "-o", "bundle", "--force", cwd=tmp_path)
    assert r.exit_code == 0 and (tmp_path / "bundle" / "main.py").read_text() == main
    (tmp_path / "afile").write_text("x")
    r = run("lite", "-o", "afile", cwd=tmp_path)
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1


def test_udf_workbook_carries_the_bundle_and_the_steps(bundle):
    from xlmodel import assumptions
    from xlmodel.workbook import build

    wb = build("model", assumptions.default(), formulas="udf", lite=bundle)
    ws = wb["Excel functions"]
    texts = [c.value for c in ws["A"]]
    start = texts.index("numpy-financial")
    assert texts[start - 1].startswith("requirements.txt")
    head = next(
        i for i, t in enumerate(texts) if isinstance(t, str) and t.startswith("main.py (xlwings Lite")
    )
    code = ["" if t is None else t for t in texts[head + 1 :]]
    assert "\n".join(code) == bundle["main.py"].rstrip("\n")
    assert max(map(len, code)) < 32_767  # an Excel cell holds the longest line whole
    assert all(c.data_type == "s" for c in ws["A"][head + 1 :] if c.value is not None)
    steps = " ".join(t for t in texts[:start] if isinstance(t, str))
    for must in (
        "xlwings Lite",
        "Ctrl+Shift+End",
        "requirements.txt",
        "Restart",
        "=LLM_RUNWAY(",
        ".xlsm",
        "Tools > References",
        "Enable Content",
        "Unblock",
        "Interpreter",
        "Ctrl+Shift+Enter",
        "2021",
    ):
        assert must in steps, must
    assert ws.print_area and int(ws.print_area.split("$")[-1]) < head  # only the steps print
    assert wb["xlwings.conf"]["B1"].value == "xlmodel.udfs"


@pytest.mark.libreoffice
def test_udf_workbook_code_survives_a_real_spreadsheet(bundle, tmp_path):
    """LibreOffice reads the code cells and writes them back with indentation, quotes and '=' lines intact."""
    import openpyxl

    from xlmodel import assumptions
    from xlmodel.workbook import build, save_atomic
    from xlmodel.workbook.verify import recalculate

    from .conftest import need_libreoffice

    need_libreoffice()
    save_atomic(build("model", assumptions.default(), formulas="udf", lite=bundle), tmp_path / "m.xlsx")
    (out,) = recalculate([tmp_path / "m.xlsx"], tmp_path / "out")
    texts = [c.value for c in openpyxl.load_workbook(out)["Excel functions"]["A"]]
    head = next(
        i for i, t in enumerate(texts) if isinstance(t, str) and t.startswith("main.py (xlwings Lite")
    )
    assert "\n".join("" if t is None else t for t in texts[head + 1 :]) == bundle["main.py"].rstrip("\n")


@pytest.mark.officejs
@pytest.mark.skipif(
    not os.environ.get("XLMODEL_OFFICEJS"),
    reason="opt-in: xlwings Server/Office.js machinery is not free for commercial use",
)
def test_bundle_registers_every_function_the_way_lite_does(lite_python, bundle, tmp_path):  # pragma: no cover
    """Lite's own registration (xlwings.server's metadata, which needs a licence key outside Lite) on the bundle."""
    (tmp_path / "main.py").write_text(bundle["main.py"], encoding="utf-8")
    code = (
        "import json, runpy, sys, types; ns = runpy.run_path(sys.argv[1], run_name='main'); "
        "m = types.ModuleType('main'); m.__dict__.update(ns); "
        "from xlwings.server import custom_functions_meta; "
        "print(json.dumps(sorted(f['name'] for f in custom_functions_meta(m)['functions'])))"
    )
    env = {**os.environ, "XLWINGS_ON_SERVER": "true"}
    r = subprocess.run(
        [str(lite_python), "-c", code, str(tmp_path / "main.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout) == sorted(EXCEL_FUNCTIONS)
