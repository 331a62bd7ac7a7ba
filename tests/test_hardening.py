"""Issue 19, the third hardening audit: each reproducer of the parts outside verify and the workbooks, as a test.

Bad input is one line on stderr and exit status 2 with nothing written, never
a traceback, a RuntimeWarning (the suite makes one an error) or an
inf/Infinity/nan in the output. Statistical checks use closed forms with a
tolerance of Z standard errors, as in test_simulate.py.
"""

import importlib
import json
import math
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from xlmodel import assumptions
from xlmodel.actuals import MAX_COHORT_MONTHS, fit_actuals, read_actuals, read_cohorts
from xlmodel.errors import XlmodelError
from xlmodel.fsutil import write_files
from xlmodel.ranges import parse_range
from xlmodel.text import clean_text
from xlmodel.udfs import LLM_CAC, LLM_COHORT_LTV, LLM_LTV, LLM_MIX_PRICE, LLM_PRICE, LLM_RUNWAY, LLM_SIMULATE

sim_module = importlib.import_module("xlmodel.simulate")  # the module (xlmodel.simulate is also the function)
simulate = sim_module.simulate

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = ROOT / "examples" / "llm-assistant-2024.toml"
Z = 4.5
HEADER = "month,ad_spend,new_users,paid_new_users,mau,paying_users,revenue,compute_cost,fixed_costs,cash"
ROW = "{m},15000000,707180,500000,2563180,10253,287084,1589172,52000000,{cash}"

SCENARIO = """[scenarios.base]
cash = {cash}
mau = 1e6
ad_spend = 1e7
cac = {cac}
churn = 0.1
conversion = 0.05
arppu = 10
cost_per_mau = 0.5
fixed_costs = 1e6
"""
FLAT = dict(
    cash=1e6,
    mau=0.0,
    ad_spend=0.0,
    cac=1.0,
    churn=0.0,
    conversion=0.0,
    arppu=0.0,
    cost_per_mau=0.0,
    fixed_costs=1_000.0,
    horizon=12,
)


def toml(tmp_path, cash="1e9", cac="20", extra="", name="a.toml"):
    (tmp_path / name).write_text(SCENARIO.format(cash=cash, cac=cac) + extra, encoding="utf-8")
    return name


def one_error_line(r, message, code=2):
    """Exit ``code``, and the whole output is the one line ``Error: message``."""
    assert r.exit_code == code, r.output
    assert r.output == f"Error: {message}\n", r.output


def csv_file(tmp_path, rows, name="a.csv"):
    (tmp_path / name).write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return name


# ------------------------------------------------------------------ 1. writes that follow links


def test_lite_never_writes_through_a_link_inside_the_folder(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "main.py").symlink_to(victim)
    r = run("lite", "-o", "d", "--force", cwd=tmp_path)
    one_error_line(
        r,
        "d/main.py is a symbolic link; xlmodel never writes through a link to a file it names inside "
        "a folder (remove the link, or choose another folder)",
    )
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["main.py"]


def test_lite_is_all_or_nothing(run, tmp_path):
    """A requirements.txt that is a folder, or a link to /dev/null, is refused before main.py is written."""
    (tmp_path / "d" / "requirements.txt").mkdir(parents=True)
    r = run("lite", "-o", "d", "--force", cwd=tmp_path)
    one_error_line(r, "d/requirements.txt is a folder; xlmodel only ever replaces ordinary files")
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["requirements.txt"]
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "requirements.txt").symlink_to(os.devnull)
    r = run("lite", "-o", "e", "--force", cwd=tmp_path)
    assert r.exit_code == 2 and "e/requirements.txt is a symbolic link" in r.output
    assert sorted(p.name for p in (tmp_path / "e").iterdir()) == ["requirements.txt"]


def test_a_typed_path_still_follows_its_link(run, tmp_path):
    """The rule for a path the user typed is today's: a link to an ordinary file gets the content, the link stays."""
    target = tmp_path / "real.conf"
    target.write_text("old")
    (tmp_path / "link.conf").symlink_to(target)
    r = run("xlwings-conf", "-o", "link.conf", "--force", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "link.conf").is_symlink() and target.read_text() == '"UDF MODULES","xlmodel.udfs"\n'


def test_write_files_puts_back_what_was_there_when_a_move_fails(tmp_path, monkeypatch):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    b.write_text("old b")
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the second file's move fails (a full disk, a quota)
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(XlmodelError, match="cannot be written"):
        write_files({a: b"new a", b: b"new b"}, force=True)
    monkeypatch.setattr(os, "replace", real)
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporary file left


def test_write_files_without_force_writes_nothing_when_one_exists(tmp_path):
    (tmp_path / "b.txt").write_text("old b")
    with pytest.raises(FileExistsError):
        write_files({tmp_path / "a.txt": b"a", tmp_path / "b.txt": b"b"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]


# ------------------------------------------------------------------ 2. tracebacks that must be one line


@pytest.mark.parametrize("draws", [1, 2, 3, 4, 19])
def test_small_draws_with_correlations_work_and_say_so(run, draws):
    r = run("simulate", ASSISTANT, "--draws", draws)
    assert r.exit_code == 0, r.output
    assert (
        f"note: correlations not imposed: Iman-Conover needs at least 20 draws for 2 correlated inputs, got "
        f"{draws}; the inputs are drawn independently"
    ) in r.output
    assert "Traceback" not in r.output


def test_correlations_are_imposed_from_the_stated_minimum():
    a = assumptions.load(ASSISTANT)
    inputs, corr = a.simulation_inputs("base"), a.correlations_for("base")
    assert simulate(inputs, draws=20, correlations=corr).notes == []
    few = simulate(inputs, draws=19, correlations=corr)
    free = simulate(inputs, draws=19)  # the same random numbers, drawn independently
    assert few.notes and all(np.array_equal(few.inputs[k], free.inputs[k]) for k in few.inputs)
    # five correlated inputs: the minimum is 20 still; with 30 of them it would be 32
    ranged = {
        k: {"low": 0.1, "high": 0.2} for k in ("churn", "conversion", "cost_decline", "vat", "store_fee")
    }
    pairs = {(a_, b_): 0.1 for a_, b_ in zip(list(ranged), list(ranged)[1:])}
    flat = dict(FLAT, **ranged)
    assert (
        simulate(flat, draws=19, correlations=pairs)
        .notes[0]
        .startswith(
            "correlations not imposed: Iman-Conover needs at least 20 draws for 5 correlated inputs, got 19"
        )
    )


HUGE = "9" * 400


@pytest.mark.parametrize("command", ["calc", "simulate", "new"])
def test_huge_integers_in_a_range_or_a_correlation(run, tmp_path, command):
    out = ["-o", "x.xlsx"] if command == "new" else []
    args = ["new", "model", "-a"] if command == "new" else [command]
    name = toml(tmp_path, cash=f"{{ low = 0, high = {HUGE} }}")
    r = run(*args, name, *out, cwd=tmp_path)
    one_error_line(
        r,
        "a.toml: scenario 'base': cash: cash range high is too large for floating point (beyond about "
        "1.8e308), got a 400-digit number",
    )
    name = toml(
        tmp_path,
        cash="{ low = 0, high = 1e9 }",
        cac="{ low = 10, high = 30 }",
        extra=f'\n[correlations]\n"cash,cac" = {HUGE}\n',
        name="b.toml",
    )
    r = run(*args, name, *out, cwd=tmp_path)
    one_error_line(
        r,
        "b.toml: scenario 'base': correlations.cash,cac: a Spearman correlation must be a number from "
        "-1 to 1, got a 400-digit number",
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_extreme_bounds_simulate(run, tmp_path):
    r = run("simulate", toml(tmp_path, cash="{ low = -1e308, high = 1e308 }"), "--draws", 1000, cwd=tmp_path)
    assert r.exit_code == 0, r.output
    table = r.output.split("\n\n")[1]  # the outputs' table, without its header row
    lines = [
        ln for ln in table.splitlines()[1:] if not ln.startswith("runway_after_horizon")
    ]  # n/a by definition
    assert not any(w in line for line in lines for w in ("inf", "nan", "n/a"))
    doc = json.loads(run("simulate", "a.toml", "--draws", 1000, "--json", cwd=tmp_path).output)
    assert math.isfinite(doc["outputs"]["ending_cash"]["mean"])


def test_extreme_bounds_llm_simulate():
    table = [["cash", -1e308, None, 1e308]] + [
        [k, None, v, None]
        for k, v in (
            ("mau", 1e6),
            ("ad_spend", 1e7),
            ("cac", 20),
            ("churn", 0.1),
            ("conversion", 0.05),
            ("arppu", 10),
            ("cost_per_mau", 0.5),
            ("fixed_costs", 1e6),
        )
    ]
    out = LLM_SIMULATE(table, 2000)
    assert isinstance(out, list), out
    cash = next(row for row in out if row[0] == "ending_cash")
    assert all(isinstance(v, float) and math.isfinite(v) for v in cash[1:7])


def test_wide_cohort_rows_are_refused(run, tmp_path):
    (tmp_path / "wide.csv").write_text("2024-01," + ",".join(["0.5"] * 16_381) + "\n")
    r = run("cohorts", "wide.csv", "--arpu", 1, "--gross-margin", 0.5, cwd=tmp_path)
    one_error_line(
        r,
        "wide.csv: row 1: month 1201: 16,381 months of retention; a cohort holds at most 1,200 months "
        "(100 years)",
    )
    r = run("new", "cohorts", "--cohorts", "wide.csv", "-o", "c.xlsx", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.count("\n") == 1 and not (tmp_path / "c.xlsx").exists()


# ------------------------------------------------------------------ 3. silently wrong numbers


def test_huge_triangular_bounds_are_drawn_right():
    """Symmetric triangular on [-1e308, 1e308]: the q-quantile is 1e308 * (sqrt(2q) - 1) below the mode."""
    r = parse_range("cash", {"low": -1e308, "mode": 0, "high": 1e308, "dist": "triangular"})
    n = 40_000
    x = r.draw(np.random.default_rng(0), n) / 1e308
    for q in (0.05, 0.5, 0.95):
        exact = math.sqrt(2 * q) - 1 if q <= 0.5 else 1 - math.sqrt(2 * (1 - q))
        se = math.sqrt(q * (1 - q) / n) / (1 - abs(exact))  # density of the unit triangle at the quantile
        assert abs(np.quantile(x, q) - exact) < Z * se, q
    assert abs(x.mean()) < Z * math.sqrt(1 / 6 / n)  # variance of the triangle on [-1, 1]: 1/6


def test_a_mean_that_would_overflow_is_a_number():
    """Uniform cash on +-8e307 with flat burn: the mean of ending_cash is about 0 (SE 8e307/sqrt(3n))."""
    n = 20_000
    sim = simulate(
        dict(FLAT, cash={"low": -8e307, "high": 8e307}), draws=n, seed=1
    )  # FLAT: 12 months of 1,000
    st = sim.stats("ending_cash")
    assert math.isfinite(st["mean"]) and abs(st["mean"]) < Z * 8e307 / math.sqrt(3 * n)
    assert st["p50"] == pytest.approx(float(np.median(sim.inputs["cash"])) - 12_000, abs=1e292)


def _fit_rows(*cells):
    return [ROW.format(m=f"2024-{i + 3:02d}", cash=c) for i, c in enumerate(cells)]


def test_fit_overflow_is_an_error_naming_the_inputs(run, tmp_path):
    rows = _fit_rows(7e9, 7e9, 7e9)
    rows[1] = rows[1].replace("15000000,707180,500000", "1e308,707180,0.5")
    csv_file(tmp_path, rows)
    for extra in ([], ["--json"]):
        r = run("fit", "a.csv", *extra, cwd=tmp_path)
        one_error_line(
            r,
            "a.csv: row 3: cac of 2024-04 overflows floating point (ad_spend 1e+308, "
            "paid_new_users 0.5): numbers this large are beyond what the model can compute",
        )
    csv_file(tmp_path, _fit_rows(1.7e308, -1.7e308, 0), name="b.csv")
    r = run("fit", "b.csv", "--json", cwd=tmp_path)
    one_error_line(
        r,
        "b.csv: row 3: unexplained_cash of 2024-04 overflows floating point (cash_(t-1) 1.7e+308, "
        "net_burn 6.83021e+07, cash -1.7e+308): numbers this large are beyond what the model can compute",
    )


def test_fitted_sums_that_overflow_are_an_error(tmp_path):
    rows = [r.replace("15000000,707180,500000", "1e308,707180,500000") for r in _fit_rows(7e9, 7e9)]
    csv_file(tmp_path, rows)
    with pytest.raises(
        XlmodelError,
        match=r"the fitted cac over 2024-03..2024-04 overflows floating point "
        r"\(sum\(ad_spend\) inf, sum\(paid_new_users\) 1e\+06\)",
    ):
        fit_actuals(read_actuals(tmp_path / "a.csv"), 2)


def test_cohorts_overflow_is_an_error_not_infinity(run):
    r = run("cohorts", "examples/cohorts-2024.csv", "--arpu", "1e308", "--gross-margin", 1, "--json")
    one_error_line(
        r,
        "examples/cohorts-2024.csv: cohort 2024-03: the cohort LTV overflows floating point for arpu "
        "1e+308: inputs this extreme are beyond what the model can compute",
    )


def test_price_overflow_is_an_error(run):
    one_error_line(
        run("price", "gpt-4o", "--fx", "1e308"),
        "the price of gpt-4o (input, 2.5 USD per 1M tokens) overflows floating point for fx 1e+308: "
        "inputs this extreme are beyond what the model can compute",
    )


def test_excel_overflow_is_an_error_not_never():
    assert LLM_COHORT_LTV([[1, 0.9, 0.81]], 1e308, 1) == (
        "#VALUE! the cohort LTV overflows floating point for arpu 1e+308: inputs this extreme are beyond what the "
        "model can compute"
    )
    assert LLM_PRICE("gpt-4o", "output", None, 1e308) == (
        "#VALUE! the price of gpt-4o (output, 10 USD per 1M tokens) overflows floating point for fx 1e+308: inputs "
        "this extreme are beyond what the model can compute"
    )
    assert LLM_MIX_PRICE([["gpt-4o"], ["gpt-4o-mini"]], [[0.5], [0.5]], "output", 1e308) == (
        "#VALUE! the output price of the mix gpt-4o, gpt-4o-mini overflows floating point for fx 1e+308: inputs "
        "this extreme are beyond what the model can compute"
    )


@pytest.mark.parametrize(
    "row,message",
    [
        (
            "2024-04,15000000,707180,500000,2563180,10253,287084,1589172,52000000,7,430,555,205",
            (
                "a.csv: row 3: has 13 cells, the header has 10 (a thousands separator, as in 7,430,555,205, splits a number "
                "into cells: write 7430555205)"
            ),
        ),
        (
            '2024-04,"15,000,000",707180,500000,2563180,10253,287084,1589172,52000000,7430555205',
            "a.csv: row 3: ad_spend: must be a number without thousands separators, got '15,000,000'",
        ),
        (
            "2024-04,15000000,707180,500000,2563180,10253,287084,1589172,52000000",
            "a.csv: row 3: has 9 cells, the header has 10",
        ),
    ],
)
def test_thousands_separators_and_row_lengths(run, tmp_path, row, message):
    csv_file(tmp_path, _fit_rows(7e9) + [row])
    one_error_line(run("fit", "a.csv", "-o", "f.toml", "--window", 1, cwd=tmp_path), message)
    assert not (tmp_path / "f.toml").exists()


def test_trailing_empty_cells_are_not_a_longer_row(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + ",\n" + "\n".join(r + "," for r in _fit_rows(7e9, 7e9)) + "\n")
    assert len(read_actuals(tmp_path / "a.csv")) == 2


def test_a_malformed_first_cohort_label_is_an_error(run, tmp_path):
    (tmp_path / "c.csv").write_text("2024-3,1,0.9,0.8\n2024-04,1,0.9\n")
    one_error_line(
        run("cohorts", "c.csv", "--arpu", 1, "--gross-margin", 0.5, cwd=tmp_path),
        "c.csv: row 1: cohort: the cohort must be a month YYYY-MM, got '2024-3'",
    )
    (tmp_path / "h.csv").write_text("cohort,m1,m2\n2024-03,1,0.9\n")
    assert [c.name for c in read_cohorts(tmp_path / "h.csv")] == ["2024-03"]  # a real header is still skipped


def test_simulate_validates_before_printing(run, tmp_path):
    """The tornado's projection overflows at cac's low bound: one line, not a table then an error."""
    r = run("simulate", toml(tmp_path, cac="{ low = 1e-308, high = 1 }"), "--draws", 100, cwd=tmp_path)
    one_error_line(
        r,
        "the projection overflows floating point for cac 1e-308: inputs this extreme are beyond what "
        "the model can compute",
    )


# ------------------------------------------------------------------ 4. limits on work


def test_migration_memory_is_bounded_whatever_the_months(monkeypatch):
    """draws x months arrays are sliced: 12,000 draws x 1,200 months stay under the (lowered) bound, with the
    same numbers bit for bit."""
    a = assumptions.load(ASSISTANT)
    inputs = dict(a.simulation_inputs("base"), months=1200)
    monkeypatch.setattr(sim_module, "MIGRATION_BYTES", 16 * 2**20)
    tracemalloc.start()
    try:
        sliced = simulate(inputs, draws=12_000, seed=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"  # unsliced: 12,000 x 1,200 x 32 bytes = 440 MiB
    monkeypatch.setattr(sim_module, "MIGRATION_BYTES", 2**40)
    whole = simulate(inputs, draws=12_000, seed=3)
    for k in ("migration_npv", "migration_payback_month"):
        assert np.array_equal(sliced.outputs[k], whole.outputs[k], equal_nan=True)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from xlmodel.cli.common import progress_bar

    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    term = Terminal()
    bar = progress_bar(100, stream=term, delay=0)
    for _ in range(4):
        bar.update(25)
        time.sleep(0.12)  # past tqdm's refresh interval
    bar.close()
    assert "100/100" in term.text and "draws" in term.text
    assert progress_bar(100, stream=open(os.devnull, "w")) is None  # not a terminal: no bar
    monkeypatch.setitem(sys.modules, "tqdm", None)  # tqdm is optional: no bar without it, no error
    assert progress_bar(100, stream=Terminal(), delay=0) is None


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_simulate_shows_progress_on_a_terminal_and_none_on_a_pipe():
    import fcntl
    import struct
    import termios

    cmd = [sys.executable, "-m", "xlmodel", "simulate", str(ASSISTANT), "--draws", "400000"]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert p.wait() == 0
    assert b"draws/s" in seen and b"Error" not in seen
    piped = subprocess.run(cmd, capture_output=True, cwd=ROOT)
    assert piped.returncode == 0 and piped.stderr == b""


def test_the_engine_imports_without_tqdm():
    code = (
        "import sys; sys.modules['tqdm'] = None; import xlmodel, xlmodel.simulate, xlmodel.cli; "
        "from xlmodel.cli.common import progress_bar; print(progress_bar(10))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout == "None\n"


def test_llm_simulate_draws_are_capped_in_lite(monkeypatch):
    monkeypatch.setattr(
        sys, "platform", "emscripten"
    )  # xlwings Lite: errors are raised as real #VALUE! cells
    with pytest.raises(
        XlmodelError,
        match="^draws must be at most 1,000,000 in xlwings Lite \\(its memory is 2 GB\\), "
        "got 1,000,001: run larger simulations with xlmodel simulate$",
    ):
        LLM_SIMULATE([["cash", 1, None, 2]], 1_000_001)


def _rows(n):
    return [ROW.format(m=f"{1000 + t // 12:04d}-{t % 12 + 1:02d}", cash=7e9) for t in range(n)]


def test_cohorts_are_capped_at_what_verify_reads(run, tmp_path):
    months = [f"{1900 + t // 12:04d}-{t % 12 + 1:02d}" for t in range(1201)]
    (tmp_path / "many.csv").write_text("".join(f"{m},1\n" for m in months))
    one_error_line(
        run("cohorts", "many.csv", "--arpu", 1, "--gross-margin", 0.5, cwd=tmp_path),
        "many.csv: row 1201: cohort: more than 1,200 cohorts; xlmodel reads at most 1,200 (100 years of "
        "monthly cohorts)",
    )
    share = ",".join(["0.5"] * MAX_COHORT_MONTHS)
    (tmp_path / "cells.csv").write_text("".join(f"{m},{share}\n" for m in months[:84]))
    one_error_line(
        run("cohorts", "cells.csv", "--arpu", 1, "--gross-margin", 0.5, cwd=tmp_path),
        "cells.csv: row 84: more than 100,000 retention shares in all; xlmodel reads at most 100,000 (what "
        "a cohorts workbook holds and xlmodel verify reads)",
    )


# ------------------------------------------------------------------ 5. Excel: error cells and arguments


def test_an_error_cell_is_reported_not_taken_for_the_default():
    assert LLM_CAC(1000, 20, "#N/A") == "#VALUE! paid_share is #N/A (an error in the cell)"
    assert LLM_LTV(10, 0.5, 0.1, 0.1, "#N/A") == "#VALUE! months is #N/A (an error in the cell)"
    assert (
        LLM_CAC("#DIV/0!", 20) == "#VALUE! spend is #DIV/0! (an error in the cell)"
    )  # required: not "is required"
    assert LLM_CAC([[1000], [2000]], 20, [["#N/A"], [0.5]]) == [
        ["#VALUE! paid_share is #N/A (an error in the cell)"],
        [200.0],
    ]
    assert (
        LLM_RUNWAY(1e9, 1e6, 1e7, 20, 0.1, 0.05, 10, 0.5, "#REF!")
        == "#VALUE! fixed_costs is #REF! (an error in the cell)"
    )
    assert LLM_PRICE("#N/A") == "#VALUE! model is #N/A (an error in the cell)"
    assert LLM_SIMULATE([["cash", 1, None, 2]], "#NUM!") == "#VALUE! draws is #NUM! (an error in the cell)"


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: LLM_SIMULATE([["cash", 1, None, 2]], [[100, 200]]), "draws"),
        (lambda: LLM_SIMULATE([["cash", 1, None, 2]], 100, [[1, 2]]), "seed"),
        (lambda: LLM_SIMULATE([["cash", 1, None, 2]], 100, 0, [[24, 36]]), "horizon"),
        (lambda: LLM_MIX_PRICE([["gpt-4o"]], [[1]], [["input", "output"]]), "kind"),
        (lambda: LLM_MIX_PRICE([["gpt-4o"]], [[1]], "input", [[7.2, 1]]), "fx"),
    ],
)
def test_a_range_for_one_value_is_refused(call, name):
    assert call() == f"#VALUE! {name} must be a single cell, got a range of 1 x 2"


def test_llm_simulate_infinite_and_nan_draws():
    table = [["cash", 1, None, 2]]
    assert (
        LLM_SIMULATE(table, math.inf) == "#VALUE! draws must be a whole number from 1 to 10,000,000, got inf"
    )
    assert (
        LLM_SIMULATE(table, math.nan) == "#VALUE! draws must be a whole number from 1 to 10,000,000, got nan"
    )


def test_a_share_beside_an_empty_model_is_an_error():
    assert LLM_MIX_PRICE([["gpt-4o"], [None]], [[1], [0.2]]) == (
        "#VALUE! shares (cell 2) is 0.2 beside an empty model cell: name the model or clear the share"
    )
    assert LLM_MIX_PRICE([["gpt-4o"], [None]], [[1], [None]]) == pytest.approx(
        2.5
    )  # an empty row is still fine


# ------------------------------------------------------------------ 6. text and small things


def test_a_file_name_cannot_inject_toml(run, tmp_path):
    name = "x\n[scenarios.evil]\ncash = 1\n#.csv"
    (tmp_path / name).write_text(HEADER + "\n" + "\n".join(_fit_rows(7e9, 7e9, 7e9)) + "\n")
    r = run("fit", name, "-o", "f.toml", "--currency", "\u202eRMB", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    a = assumptions.load(tmp_path / "f.toml")
    assert a.scenario_names == ["actuals"] and a.currency == "RMB"
    text = (tmp_path / "f.toml").read_text()
    assert text.splitlines()[0].startswith("# Fitted by xlmodel fit from x [scenarios.evil] cash = 1 #.csv (")
    assert "\u202e" not in text


def test_clean_text_drops_bidi_controls():
    assert clean_text("a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j") == "abcdefghij"


def test_a_broken_pipe_is_quiet(tmp_path):
    """A reader that goes away (| head -1) stops the command quietly, exit 141 as SIGPIPE would."""
    csv_file(tmp_path, _rows(30_000))  # some 3 MB of table: more than a pipe holds
    p = subprocess.Popen(
        [sys.executable, "-m", "xlmodel", "fit", "a.csv"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait() == 141 and err == b""


def test_money_near_1e300_prints_compactly(run, tmp_path):
    r = run("calc", toml(tmp_path, cash="1e300"), cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert "1e+300" in r.output and max(len(line) for line in r.output.splitlines()) < 150
    r = run(
        "simulate",
        toml(tmp_path, cash="{ low = 1e299, high = 1e300 }", name="b.toml"),
        "--draws",
        100,
        cwd=tmp_path,
    )
    assert r.exit_code == 0 and max(len(line) for line in r.output.splitlines()) < 150


def test_fit_checks_the_output_path_first(run):
    one_error_line(
        run("fit", "examples/actuals-2024.csv", "-o", "/nonexistent/x.toml"),
        "/nonexistent/x.toml: folder /nonexistent does not exist",
    )


def test_a_discount_beyond_a_percentage_is_refused(run):
    r = run("cohorts", "examples/cohorts-2024.csv", "--arpu", 1, "--gross-margin", 0.5, "--discount", "1e308")
    one_error_line(r, "--discount 1e+308 is too large: as a percentage a year it overflows floating point")


def test_months_before_year_1000(tmp_path):
    csv_file(tmp_path, [ROW.format(m=m, cash=7e9) for m in ("0998-12", "0999-01", "0999-02")])
    assert read_actuals(tmp_path / "a.csv").months == ["0998-12", "0999-01", "0999-02"]


@pytest.mark.parametrize("month", ["２０２４-03", "٢٠٢٤-03", "2024-０3"])
def test_only_ascii_digits_make_a_month(run, tmp_path, month):
    csv_file(tmp_path, [ROW.format(m=month, cash=7e9), ROW.format(m="2024-04", cash=7e9)])
    one_error_line(
        run("fit", "a.csv", "--window", 1, cwd=tmp_path),
        f"a.csv: row 2: month: must be a month YYYY-MM, got {month!r}",
    )
    (tmp_path / "c.csv").write_text(f"{month},1,0.9\n")
    one_error_line(
        run("cohorts", "c.csv", "--arpu", 1, "--gross-margin", 0.5, cwd=tmp_path),
        f"c.csv: row 1: cohort: the cohort must be a month YYYY-MM, got {month!r}",
    )


def test_new_model_with_actuals_refuses_what_fit_refuses(run, tmp_path):
    """MAU growing faster than the new users gives a churn below 0: fit -o and new model --actuals both refuse
    it with the same line, and neither writes a file (issue 19, section 5)."""
    csv_file(
        tmp_path,
        [
            "2024-01,1000,100,80,1000,10,100,50,500,100000",
            "2024-02,1000,100,80,2000,20,200,100,500,99000",
            "2024-03,1000,100,80,4000,40,400,200,500,98000",
        ],
    )
    want = (
        "a.csv: the fitted churn over 2024-01..2024-03 is not a valid input: churn must be between 0 and 1 "
        "(monthly fraction), got -0.9333333333"
    )
    one_error_line(run("fit", "a.csv", "-o", "f.toml", cwd=tmp_path), want)
    one_error_line(run("new", "model", "--actuals", "a.csv", "-o", "m.xlsx", cwd=tmp_path), want)
    assert not (tmp_path / "f.toml").exists() and not (tmp_path / "m.xlsx").exists()
