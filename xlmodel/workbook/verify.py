"""Recalculate workbooks in LibreOffice Calc and compare them with the engine.

openpyxl writes formulas without values, so reading back what we wrote proves
nothing. Here LibreOffice (headless, its own throw-away user profile, told to
recalculate every formula on load) recalculates the workbook and saves a copy;
we read the values back by defined name and compare each with the engine's
value for the inputs that the workbook itself holds.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl

from .. import engine
from ..errors import XlmodelError
from ..prices import blend
from .builder import (
    MIX_PRICES,
    NOT_GIVEN,
    OPTIONAL_INPUTS,
    PROJECTION_ROWS,
    TOKEN_INPUTS,
    UDF_OUTPUTS,
    WB_PARAMS,
)

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">\
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>1</value></prop></item>
</oor:items>
"""
#: what the throw-away LibreOffice profile sets: recalculate every formula on load, never run a macro
#: (security level "very high" and macro execution disabled), never update an external link (Calc's
#: link update mode 1: never), which also keeps WEBSERVICE and external references from fetching anything.


def find_soffice() -> str:
    """Path of LibreOffice's ``soffice``; an error that says how to install it if absent."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise XlmodelError("LibreOffice Calc is needed to recalculate workbooks and was not found on PATH "
                       "(Debian/Ubuntu: apt-get install libreoffice-calc-nogui)")


#: files per LibreOffice process: one process converting hundreds of files was
#: seen to stop early (after ~245) with exit status 0, so batches stay small.
BATCH = 40


#: what LibreOffice writes: a recalculated workbook, or the pages as a user prints them
FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf:calc_pdf_Export"}


def _convert(soffice: str, paths: list[Path], outdir: Path, timeout: float, to: str = "xlsx"):
    with tempfile.TemporaryDirectory(prefix="xlmodel-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", FILTERS[to], "--outdir", str(outdir),
               *[str(p) for p in paths]]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
        # its own process group: on a timeout the whole group goes (soffice.bin too, not just the launcher),
        # before the profile folder is removed
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise XlmodelError(f"LibreOffice did not finish recalculating within {timeout:g} s") from None
        except BaseException:
            _kill_group(proc)
            raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


def recalculate(paths: list[Path], outdir: Path, timeout: float = 600, to: str = "xlsx") -> list[Path]:
    """Recalculate ``paths`` in headless LibreOffice; returns the recalculated copies (``to="pdf"``: PDFs).

    Each LibreOffice process gets a fresh profile told to recalculate every
    formula on load, and converts up to ``BATCH`` files; a file a batch did not
    write is tried once more on its own.
    """
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in paths]
    out = [outdir / p.with_suffix("." + to).name for p in paths]
    proc = None
    for i in range(0, len(paths), BATCH):
        proc = _convert(soffice, paths[i:i + BATCH], outdir, timeout, to)
    for p, o in zip(paths, out):
        if not o.exists():
            proc = _convert(soffice, [p], outdir, timeout, to)
            if not o.exists():
                raise XlmodelError(f"LibreOffice did not write {o} (exit {proc.returncode}): "
                                   f"{(proc.stderr or proc.stdout).strip()[-300:]}")
    return out


# ------------------------------------------------------------------ reading


def read_names(path: Path) -> tuple[dict, list]:
    """Values of every defined name (scalars, or flat lists for ranges) and the error cells."""
    wb = openpyxl.load_workbook(path, data_only=True)
    values = {}
    for name, dn in wb.defined_names.items():
        dests = list(dn.destinations)
        if not dests:
            continue
        sheet, ref = dests[0]
        if sheet not in wb.sheetnames:  # a sheet deleted or renamed: the name has no value (verify says so)
            continue
        cells = wb[sheet][ref.replace("$", "")]
        if isinstance(cells, tuple):
            flat = [c for row in (cells if isinstance(cells[0], tuple) else (cells,)) for c in row]
            values[name] = [c.value for c in flat]
        else:
            values[name] = cells.value
    errors = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
              if c.data_type == "e"]
    return values, errors


# ---------------------------------------------------------------- expected


def _num(x):
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x


def inputs_from(values: dict) -> dict:
    """The scenario the workbook holds: its named inputs, as engine arguments (None: not given)."""
    out = {k: _num(values[k]) for k in WB_PARAMS if k in values and k != "horizon" and not isinstance(values[k], list)}
    for k in OPTIONAL_INPUTS:
        if out.get(k) == NOT_GIVEN:
            out[k] = None
    return out


#: the version-2 projection inputs, passed through when the workbook has them
V2_PROJECTION = ("organic_users", "organic_growth", "cac_elasticity", "paying_cost_per_mau")
V2_MIGRATION = ("migration_month", "routed_share", "large_price", "small_price", "migration_cost")


def expected_values(values: dict) -> tuple[dict, dict]:
    """Engine values for the workbook's own inputs, and a magnitude per name for tolerances."""
    s = inputs_from(values)
    exp: dict = {}
    scale: dict = {}
    if "input_tokens" in s:
        cost = engine.cost_per_mau(*(s[k] for k in TOKEN_INPUTS)) + s.get("other_cost_per_mau", 0.0)
        exp["cost_per_mau"] = cost
        pc = s.get("paying_cost_per_mau")
        exp["cost_per_paying_mau"] = cost if pc is None else pc
        exp["blended_cost_per_mau"] = engine.blended_cost_per_mau(cost, pc, s["conversion"])
    if "annual_discount_rate" in s:
        exp["monthly_discount_rate"] = engine.monthly_rate(s["annual_discount_rate"])
    if "blended_cac" in values:
        ue = engine.summary_unit_economics(dict(
            cac=s["cac"], paid_share=s["paid_share"], churn=s["churn"], conversion=s["conversion"], arppu=s["arppu"],
            cost_per_mau=exp["cost_per_mau"], annual_discount_rate=s["annual_discount_rate"], ad_spend=s["ad_spend"],
            organic_users=s.get("organic_users"), paying_cost_per_mau=s.get("paying_cost_per_mau")))
        exp.update(ue)
        gm = ue["gross_margin"]
        exp["margin_per_user"] = None if gm is None else ue["revenue_per_mau"] * gm
        scale["contribution_per_mau"] = ue["revenue_per_mau"] + ue["cost_per_mau"]
        scale["margin_per_user"] = scale["contribution_per_mau"]
        scale["ltv"] = scale["contribution_per_mau"] / max(s["churn"] + exp["monthly_discount_rate"], 1e-300)
        scale["ltv_to_cac"] = scale["ltv"] / (ue["blended_cac"] or ue["paid_cac"])  # 0 or n/a: no ratio to scale
        scale["ltv_to_paid_cac"] = scale["ltv"] / ue["paid_cac"]
    if "cash" in s:
        horizon = len(values["month_by_month"])
        kw = dict(cash=s["cash"], mau=s["mau"], ad_spend=s["ad_spend"], cac=s["cac"], churn=s["churn"],
                  conversion=s["conversion"], arppu=s["arppu"], cost_per_mau=exp["cost_per_mau"],
                  fixed_costs=s["fixed_costs"], paid_share=s["paid_share"], ad_growth=s["ad_growth"],
                  cost_decline=s["cost_decline"], horizon=horizon)
        kw.update({k: s.get(k) for k in V2_PROJECTION if k in s})
        if "migration_month" in s:
            kw.update({k: s[k] for k in V2_MIGRATION})
        p = engine.project(**kw)
        for row in ("month",) + PROJECTION_ROWS:
            exp[f"{row}_by_month"] = getattr(p, row)
        with np.errstate(divide="ignore", invalid="ignore"):
            exp["cac_by_month"] = np.where(p.ad_spend == 0, s["cac"], p.ad_spend / p.paid_new_users)
        exp["runway_months"] = engine.runway_from_cash(s["cash"], p.cash, p.net_burn)  # runway_months' own step
        if "migration_month" in s:
            without = engine.project(**dict(kw, migration_month=None))
            exp["compute_without_migration_by_month"] = without.compute
            exp["net_burn_without_migration_by_month"] = without.net_burn
            exp["cash_without_migration_by_month"] = without.cash
            exp["runway_months_without_migration"] = engine.runway_from_cash(s["cash"], without.cash, without.net_burn)
            exp["migration_saving"] = s["routed_share"] * (1 - s["small_price"] / s["large_price"])
            scale["cash_without_migration_by_month"] = abs(s["cash"]) + float(np.abs(without.net_burn).sum())
            scale["net_burn_without_migration_by_month"] = scale["cash_without_migration_by_month"]
        else:
            exp["compute_without_migration_by_month"] = p.compute
        exp["ending_cash"] = float(p.cash[-1])
        exp["horizon"] = float(horizon)
        scale["ending_cash"] = abs(s["cash"]) + float(np.abs(p.net_burn).sum())
        scale["cash_by_month"] = scale["ending_cash"]
        scale["organic_new_users_by_month"] = float(np.abs(p.new_users).max())
        scale["migration_one_off_by_month"] = float(np.abs(p.net_burn).max())
        scale["net_burn_by_month"] = float(np.abs(np.stack([p.ad_spend, p.compute, p.fixed_costs, p.revenue])).max())
    if "mix_shares" in values:
        n_models = len(values["mix_models"])
        shares = np.asarray(values["mix_shares"], dtype=float).reshape(n_models, -1)
        fx = values["mix_fx"]
        exp["mix_total"] = shares.sum(axis=0)
        for key, (kind, _) in MIX_PRICES.items():
            usd = values[f"mix_{kind}_usd"]
            exp[f"mix_{key}"] = [None if not shares[:, j].sum() else blend(shares[:, j], usd, fx[j])
                                 for j in range(shares.shape[1])]
    if "simulation_seed" in values:
        exp.update(risk_expected(values))
    if "retention_triangle" in values:
        exp.update(cohorts_expected(values))
    if "fit_window" in values:
        exp.update(actuals_expected(values, exp))
    if "monthly_tokens" in s:
        args = {k: s[k] for k in engine.MIGRATION_ARGS}
        args["months"] = int(args["months"])
        n = len(values["migration_month_by_month"])
        net = np.zeros(n)
        flows = engine.migration_cash_flows(*(args[k] for k in ("monthly_tokens", "large_price", "small_price",
                                                                 "months", "routed_share", "token_growth",
                                                                 "price_decline", "monthly_revenue", "revenue_loss")))
        net[: min(n, flows.shape[-1])] = flows[:n]
        d = engine.monthly_rate(s["annual_discount_rate"])
        t = np.arange(1, n + 1)
        exp["migration_month_by_month"] = t.astype(float)
        exp["migration_net_by_month"] = net
        exp["migration_present_value_by_month"] = net / (1 + d) ** t
        exp["migration_cumulative_npv_by_month"] = -s["migration_cost"] + np.cumsum(net / (1 + d) ** t)
        exp["migration_npv"] = engine.migration_npv(**args)
        exp["migration_payback_month"] = engine.migration_payback_month(**args)
        mag = s["migration_cost"] + float(np.abs(net).sum()) + s["monthly_revenue"] * s["revenue_loss"] * n
        for k in ("migration_npv", "migration_cumulative_npv_by_month", "migration_net_by_month",
                  "migration_present_value_by_month", "migration_npv_grid"):
            scale[k] = mag
        if "migration_npv_grid" in values:
            shares = np.asarray(values["grid_routed_share"], dtype=float)[:, None]
            prices = np.asarray(values["grid_small_price"], dtype=float)[None, :]
            grid = engine.migration_npv(**dict(args, routed_share=shares, small_price=prices))
            exp["migration_npv_grid"] = np.asarray(grid).ravel()
            big = s["monthly_tokens"] * max(s["large_price"], float(prices.max())) / 1e6 * n
            scale["migration_npv_grid"] = mag + big
    return exp, scale


def risk_expected(values: dict) -> dict:
    """The Risk sheet's numbers, re-simulated from the inputs, seed and draws the workbook stores."""
    from ..simulate import simulate
    from .risk_sheet import risk_values, simulation_inputs

    scen, corr, draws, seed, horizon = simulation_inputs(values)
    try:
        sim = simulate(dict(scen, horizon=horizon), draws=draws, seed=seed, correlations=corr)
    except XlmodelError as e:
        raise XlmodelError(f"the Risk sheet's simulated inputs are not valid: {e}") from None
    na = lambda v: None if isinstance(v, float) and math.isnan(v) else v  # noqa: E731 - n/a is text in a cell
    return {k: [na(x) for x in v] if isinstance(v, list) else na(v) for k, v in risk_values(sim).items()}


def actuals_expected(values: dict, exp: dict) -> dict:
    """The Actuals sheet: each month's drivers and the fitted ones by the engine's fit, and plan vs actual."""
    from ..actuals import ACTUALS_COLUMNS, FITTED, Actuals, fit_actuals

    cols = {c: np.asarray(values[f"actual_{c}_by_month"], dtype=float) for c in ACTUALS_COLUMNS[1:]}
    n = len(cols["cash"])
    table = Actuals([f"m{t}" for t in range(n)], cols)
    f = fit_actuals(table, int(values["fit_window"]))
    out: dict = {}
    for k in ("cac", "paid_share", "churn", "conversion", "arppu", "cost_per_mau", "net_burn", "unexplained_cash"):
        out[f"actual_{k}_by_month"] = [r[k] for r in f.drivers_by_month]
    out["actual_unexplained_share_by_month"] = [
        None if r["unexplained_cash"] is None or r["net_burn"] == 0 else abs(r["unexplained_cash"]) / abs(r["net_burn"])
        for r in f.drivers_by_month]
    for k in FITTED:
        out[f"fitted_{k}"] = f.fitted[k]
    for key in ("cash", "revenue", "mau"):
        plan = np.asarray(exp[f"{key}_by_month"], dtype=float)[:n]
        actual = cols[key]
        out[f"plan_{key}_by_month"] = plan
        out[f"variance_{key}_by_month"] = actual - plan
        out[f"variance_pct_{key}_by_month"] = [None if p == 0 else (a - p) / abs(p) for a, p in zip(actual, plan)]
    return out


def cohorts_expected(values: dict) -> dict:
    """Cohort churn and LTV of each row of the workbook's triangle (and of the average curve), by the engine."""
    from ..actuals import cohort_churn, cohort_ltv

    names = values["cohort_names"] if isinstance(values["cohort_names"], list) else [values["cohort_names"]]
    flat = values["retention_triangle"]
    k = len(flat) // len(names)
    curves = [[x for x in flat[i * k:(i + 1) * k] if isinstance(x, (int, float))] for i in range(len(names))]
    avg = [float(np.mean([c[t] for c in curves if len(c) > t])) for t in range(k)]
    arpu, gm, rate = values.get("revenue_per_mau"), values.get("gross_margin"), values.get("annual_discount_rate")
    months, churn, ltv = [], [], []
    for c in curves + [avg]:
        months.append(float(len(c)))
        churn.append(cohort_churn(c) if len(c) > 1 else None)
        try:
            ltv.append(cohort_ltv(c, arpu, gm, rate) if isinstance(gm, (int, float)) else None)
        except XlmodelError:
            ltv.append(None)  # one month, or no decay: n/a
    return {"average_retention": np.asarray(avg), "cohort_months_by_cohort": months,
            "cohort_churn_by_cohort": churn, "cohort_ltv_by_cohort": ltv}


def close(got, want, rtol: float, scale: float = 0.0) -> bool:
    """Same number to ``rtol`` relative (``never`` for infinity, a text such as n/a for None)."""
    if want is None:
        return isinstance(got, str) and got != "never"
    if isinstance(want, float) and math.isinf(want):
        return got == "never"
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return abs(got - want) <= rtol * max(abs(want), abs(got), scale) or got == want


@dataclass
class Report:
    path: str
    compared: int = 0
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    checks_ok: object = None
    seconds_libreoffice: float = 0.0
    seconds_ours: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors and self.checks_ok is not False

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.compared} numbers compared with the engine"]
        out += [f"  MISMATCH {f}" for f in self.failures[:50]]
        out += [f"  ERROR CELL {sheet}!{ref} = {v}" for sheet, ref, v in self.errors[:20]]
        out += [f"  note: {n}" for n in self.notes]
        if self.checks_ok is not None:
            out.append(f"  master check (checks_ok): {'TRUE' if self.checks_ok is True else self.checks_ok}")
        out.append(f"  time: LibreOffice {self.seconds_libreoffice:.2f} s, xlmodel {self.seconds_ours:.2f} s")
        out.append("OK: every number agrees with the engine" if self.ok else "FAILED")
        return out


def compare(values: dict, errors: list, rtol: float = 1e-9, path: str = "", udf_cells: set | None = None) -> Report:
    """Compare recalculated named values with the engine."""
    rep = Report(path)
    udf_cells = udf_cells or set()
    udf = bool(udf_cells)
    exp, scale = expected_values(values)
    for name, want in exp.items():
        key = f"{name}_native" if udf and f"{name}_native" in values else name
        if key not in values:
            continue
        got = values[key]
        if isinstance(want, list):  # a row of per-scenario values, None where undefined ("no mix")
            if not isinstance(got, list) or len(got) != len(want):
                rep.failures.append(f"{key}: expected {len(want)} cells, got {got!r:.80}")
                continue
            for i, (g, w) in enumerate(zip(got, want)):
                rep.compared += 1
                if not close(g, None if w is None else float(w), rtol):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
            continue
        if isinstance(want, np.ndarray):
            row_scale = max(scale.get(name, 0.0), float(np.abs(want).max()) if want.size else 0.0)
            if not isinstance(got, list) or len(got) != want.size:
                rep.failures.append(f"{key}: expected {want.size} cells, got {got!r:.80}")
                continue
            for i, (g, w) in enumerate(zip(got, want.ravel().tolist())):
                rep.compared += 1
                # a row's cells are compared against the row's magnitude (a cash balance crossing 0)
                if not close(g, w, rtol, row_scale * 1e-3):
                    rep.failures.append(f"{key}[{i + 1}]: workbook {g!r}, engine {w!r}")
        else:
            rep.compared += 1
            want = None if want is None else float(want)
            if not close(got, want, rtol, scale.get(name, 0.0)):
                rep.failures.append(f"{key}: workbook {got!r}, engine {want!r}")
    rep.errors = [e for e in errors if (e[0], e[1]) not in udf_cells]
    if udf:
        rep.notes.append(f"{len(udf_cells)} cells depend on =LLM_* functions, which need Excel with the xlwings "
                         "add-in (or xlwings Lite); LibreOffice cannot run them, so their native twins were compared")
        rep.checks_ok = None
    else:
        rep.checks_ok = values.get("checks_ok")
        if rep.checks_ok is not True:
            rep.failures.append(f"checks_ok: the master check is {rep.checks_ok!r}, not TRUE")
    return rep


def udf_cells(path: Path) -> set:
    """Cells that call =LLM_* or read one that does: LibreOffice cannot evaluate them."""
    wb = openpyxl.load_workbook(path)
    formulas = {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f" and isinstance(c.value, str)}
    names = [n for n in UDF_OUTPUTS if f"{n}_native" in wb.defined_names]
    if not names:
        return set()
    # a name on its own (ltv, not ltv_native or ltv_to_cac), or the master check that reads them
    reads = re.compile(rf"(?<![A-Za-z_])({'|'.join(names)}|checks_ok)(?![A-Za-z_])")
    cells = {k for k, f in formulas.items() if "LLM_" in f or reads.search(f)}
    sheet, ref = next(iter(wb.defined_names["checks_ok"].destinations))
    return cells | {(sheet, ref.replace("$", ""))}


#: what verify reads at most: the largest xlmodel workbook (1,200 months) unpacks to ~2 MiB of XML and verify peaks
#: at ~250 MiB on it (openpyxl holds every cell as an object); 8 MiB keeps verify under 1 GiB and
#: a hostile or mistaken file (a sheet inflating to hundreds of MB) from taking gigabytes of memory
MAX_FILE_BYTES = 20 * 2**20
MAX_XML_BYTES = 8 * 2**20
MAX_RATIO = 200


def _check_size(src: Path) -> None:
    """Refuse, from the zip directory alone, a workbook too large to load: before anything reads it whole."""
    import zipfile

    size = src.stat().st_size
    if size > MAX_FILE_BYTES:
        raise XlmodelError(f"{src}: is {size / 2**20:,.0f} MiB; verify reads workbooks up to "
                           f"{MAX_FILE_BYTES // 2**20} MiB (an xlmodel workbook is a few MiB)")
    try:
        with zipfile.ZipFile(src) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise XlmodelError(f"{src}: not a workbook (not an .xlsx zip: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XML_BYTES:
        raise XlmodelError(f"{src}: unpacks to {total / 2**20:,.0f} MiB of XML; verify reads up to "
                           f"{MAX_XML_BYTES // 2**20} MiB (an xlmodel workbook unpacks to a few MiB)")
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 10 * 2**20:
            raise XlmodelError(f"{src}: part {i.filename} inflates {i.file_size / i.compress_size:,.0f}-fold to "
                               f"{i.file_size / 2**20:,.0f} MiB; refused as a zip bomb")


def verify_workbook(path, scenario: str | None = None, rtol: float = 1e-9) -> Report:
    """Recalculate ``path`` in LibreOffice and compare every named number with the engine."""
    t0 = time.perf_counter()
    src = Path(path)
    if not src.is_file():
        raise XlmodelError(f"{src}: is not a regular file")
    _check_size(src)
    if src.suffix.lower() not in (".xlsx",):
        raise XlmodelError(f"{src}: verify reads .xlsx workbooks only (a macro-enabled .xlsm or any other "
                           "format is refused, so that nothing in it can run)")
    try:
        wb = openpyxl.load_workbook(src)
    except Exception as e:  # noqa: BLE001 - any unreadable file is bad input
        raise XlmodelError(f"{src}: not a workbook openpyxl can read ({type(e).__name__}: {e})") from None
    if "scenario" not in wb.defined_names:
        raise XlmodelError(f"{src}: not an xlmodel workbook (it has no defined name 'scenario')")
    skip = udf_cells(src)
    with tempfile.TemporaryDirectory(prefix="xlmodel-verify-") as tmp:
        work = Path(tmp) / "in" / src.name
        work.parent.mkdir()
        if scenario is not None:
            names = [v for v in read_names(src)[0].get("scenario_names", [])]
            if scenario not in names:
                raise XlmodelError(f"{src}: no scenario named {scenario!r} (have {', '.join(map(str, names))})")
            sheet, ref = next(iter(wb.defined_names["scenario"].destinations))
            cell = wb[sheet][ref.replace("$", "")]
            cell.value = scenario
            cell.data_type = "s"  # a name such as =1+1 is text, never a formula
            wb.save(work)
        else:
            shutil.copyfile(src, work)
        t1 = time.perf_counter()
        (out,) = recalculate([work], Path(tmp) / "out")
        t2 = time.perf_counter()
        values, errors = read_names(out)
    try:
        rep = compare(values, errors, rtol, str(src), skip)
    except (KeyError, IndexError, TypeError, ValueError) as e:  # a sheet or name deleted, a cell retyped
        raise XlmodelError(f"{src}: cannot be verified: a part xlmodel wrote is missing or changed "
                           f"({type(e).__name__}: {e})") from None
    t3 = time.perf_counter()
    rep.seconds_libreoffice = t2 - t1
    rep.seconds_ours = (t1 - t0) + (t3 - t2)
    return rep
