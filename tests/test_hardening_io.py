"""The fourth audit's cases on dates, workbook numbers and sizes, terminal text, links and prices (issue 23,
items 5, 6, 7, 9, 10 and 11, and the messages of its list that belong to them): each case as the audit ran it."""

import datetime as dt
import json
import zipfile

import pytest

from .conftest import ROOT, need_libreoffice

#: a complete scenario: every required input, nothing more
BASE = """cash = 1e9
mau = 1e6
ad_spend = 1e6
cac = 10
churn = 0.1
conversion = 0.05
arppu = 20
fixed_costs = 1e6
cost_per_mau = 0.5
"""


def plan_file(folder, name="plan.toml", model="", scenario="", extra=""):
    path = folder / name
    path.write_text(f"[model]\n{model}\n[scenarios.base]\n{BASE}{scenario}\n{extra}", encoding="utf-8")
    return path


def one_line_error(r, *parts):
    assert r.exit_code == 2, r.output
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1, r.output
    assert "Traceback" not in r.output
    for p in parts:
        assert p in r.output, r.output


# ------------------------------------------------------------------ 5: dates outside a spreadsheet's calendar


@pytest.mark.parametrize("command", [("calc",), ("new", "model"), ("new", "runway")])
def test_a_plan_past_fy9999_is_refused_when_the_file_is_read(run, tmp_path, command):
    """start 9999-12 with 24 months: calc labelled a month 10001-11, new crashed (year 10000 is out of range)."""
    plan_file(tmp_path, model='start = "9999-12"\nhorizon = 24')
    out = ("-o", "x.xlsx") if command[0] == "new" else ()
    r = run(*command, "plan.toml", *out, cwd=tmp_path)
    one_line_error(r, "plan.toml: model.start:", "9999-12", "10001-11", "FY9999")
    assert "10000 is out of range" not in r.output and not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("start", ["1900-01", "0001-01", "1900-02"])
@pytest.mark.parametrize("command", [("calc",), ("new", "model")])
def test_a_start_before_1900_03_is_refused(run, tmp_path, start, command):
    """start 1900-01 or 0001-01: new model wrote a workbook whose dates differed from the engine (47 mismatches)."""
    plan_file(tmp_path, model=f'start = "{start}"\nhorizon = 24')
    out = ("-o", "x.xlsx") if command[0] == "new" else ()
    r = run(*command, "plan.toml", *out, cwd=tmp_path)
    one_line_error(r, "plan.toml: model.start:", "1900-03 or later", start)
    assert not (tmp_path / "x.xlsx").exists()


def test_the_calendar_bounds_themselves_are_accepted(run, tmp_path):
    plan_file(tmp_path, "first.toml", model='start = "1900-03"\nhorizon = 24')
    r = run("calc", "first.toml", cwd=tmp_path)
    assert r.exit_code == 0 and "month 1 is 1900-03, month 24 is 1902-02" in r.output
    plan_file(tmp_path, "last.toml", model='start = "9998-01"\nhorizon = 24')
    r = run("calc", "last.toml", cwd=tmp_path)
    assert r.exit_code == 0 and "month 24 is 9999-12" in r.output


def test_the_fiscal_year_of_the_last_month_counts(run, tmp_path):
    """With fiscal years from April, 9999-04 is in FY10000: a plan may not reach it."""
    plan_file(tmp_path, model='start = "9998-01"\nhorizon = 16\nfiscal_year_start = 4')
    r = run("calc", "plan.toml", cwd=tmp_path)
    one_line_error(r, "9999-04", "FY10000", "FY9999")
    plan_file(tmp_path, "ok.toml", model='start = "9998-01"\nhorizon = 15\nfiscal_year_start = 4')
    assert run("calc", "ok.toml", cwd=tmp_path).exit_code == 0


def test_a_months_override_past_fy9999_is_refused(run, tmp_path):
    plan_file(tmp_path, model='start = "9990-01"\nhorizon = 24')
    r = run("new", "model", "plan.toml", "-o", "x.xlsx", "--months", "1200", cwd=tmp_path)
    one_line_error(r, "--months 1200", "FY9999")
    assert not (tmp_path / "x.xlsx").exists()


def test_llm_plan_refuses_a_start_past_the_calendar():
    from xlmodel.udfs.plan import LLM_PLAN

    rows = [[k, float(v)] for k, v in (line.split(" = ") for line in BASE.strip().splitlines())]
    got = LLM_PLAN(rows + [["start", "9999-12"], ["horizon", 24]], None, None, "ending_cash")
    assert isinstance(got, str) and "FY9999" in got and "10001-11" in got
    got = LLM_PLAN(rows + [["start", "1900-01"], ["horizon", 24]], None, None, "ending_cash")
    assert isinstance(got, str) and "1900-03 or later" in got


@pytest.mark.libreoffice
def test_a_workbook_starting_1900_03_verifies(tmp_path):
    """The first month allowed: its dates, fiscal years and annual sums agree with the engine."""
    need_libreoffice()
    from xlmodel import assumptions
    from xlmodel.workbook import build, save_atomic
    from xlmodel.workbook.verify import verify_workbook

    a = assumptions.load(plan_file(tmp_path, model='start = "1900-03"\nhorizon = 24\nfiscal_year_start = 4'))
    save_atomic(build("model", a), tmp_path / "x.xlsx")
    rep = verify_workbook(tmp_path / "x.xlsx")
    assert rep.ok, rep.lines()


# ------------------------------------------------------------------ 6: an accepted number breaks the workbook

ROUND_1E308 = "[[scenarios.base.funding]]\nmonth = 3\namount = 1e308\n"


@pytest.mark.libreoffice
def test_a_round_of_1e308_computes_in_the_workbook(run, tmp_path):
    """calc accepted it, but the Scenarios sheet showed #NUM! (a squared difference) and verify failed."""
    need_libreoffice()
    plan_file(tmp_path, model="horizon = 24", extra=ROUND_1E308)
    assert run("calc", "plan.toml", cwd=tmp_path).exit_code == 0
    assert run("new", "model", "plan.toml", "-o", "x.xlsx", cwd=tmp_path).exit_code == 0
    r = run("verify", "x.xlsx", cwd=tmp_path)
    assert r.exit_code == 0 and "#NUM!" not in r.output and "master check (checks_ok): TRUE" in r.output


@pytest.mark.libreoffice
def test_inputs_of_1e300_compute_in_the_workbook(run, tmp_path):
    """The freshness checks compare inputs of any size the engine accepts (a square overflowed above ~1e154)."""
    need_libreoffice()
    text = BASE.replace("cash = 1e9", "cash = -1e300").replace("fixed_costs = 1e6", "fixed_costs = 1e300")
    (tmp_path / "plan.toml").write_text(f"[model]\nhorizon = 12\n[scenarios.base]\n{text}", encoding="utf-8")
    assert run("new", "model", "plan.toml", "-o", "x.xlsx", cwd=tmp_path).exit_code == 0
    r = run("verify", "x.xlsx", cwd=tmp_path)
    assert r.exit_code == 0, r.output


def test_the_freshness_formula_squares_nothing():
    from xlmodel.workbook.layout import same_within_tolerance

    f = same_within_tolerance("A1:A3", "B1:B3")
    assert "(A1:A3-B1:B3)*(A1:A3-B1:B3)" not in f and "check_tolerance*B1:B3)*(check_tolerance" not in f


def test_an_overflow_names_the_growth_that_overflowed(run, tmp_path):
    """fixed_cost_growth = 100 at horizon 1200 named cash, mau, ad_spend, ... instead of the rate."""
    plan_file(tmp_path, model="horizon = 1200", scenario="fixed_cost_growth = 100\n")
    r = run("calc", "plan.toml", cwd=tmp_path)
    one_line_error(r, "fixed_cost_growth 100", "fixed_costs")
    assert "cash 1e+09" not in r.output and "mau 1e+06" not in r.output
    from xlmodel import engine
    from xlmodel.errors import InputError

    s = {k: float(v) for k, v in (line.split(" = ") for line in BASE.strip().splitlines())}
    with pytest.raises(InputError) as e:
        engine.summary(dict(s, horizon=1200, fixed_cost_growth=100.0))
    assert e.value.argument == "fixed_cost_growth"
    with pytest.raises(InputError) as e:
        engine.summary(dict(s, horizon=1200, ad_growth=10.0))
    assert e.value.argument == "ad_growth" and "ad_spend" in str(e.value)


def test_an_overflow_names_the_funding_rounds(run, tmp_path):
    plan_file(
        tmp_path, model="horizon = 24", extra=ROUND_1E308 + ROUND_1E308.replace("month = 3", "month = 5")
    )
    r = run("calc", "plan.toml", cwd=tmp_path)
    one_line_error(r, "the funding rounds", "month 3", "1e+308")


# ------------------------------------------------------------------ 7: the largest workbook verifies


def _xml_bytes(data: bytes) -> int:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sum(i.file_size for i in z.infolist())


def test_the_1200_month_workbook_is_within_what_verify_reads(tmp_path):
    """new model at horizon 1200 wrote a workbook that verify refused (8 MiB); now the bound covers it."""
    from xlmodel import assumptions
    from xlmodel.workbook import build, to_bytes
    from xlmodel.workbook.verify import MAX_XML_BYTES, _check_size

    a = assumptions.load(
        plan_file(tmp_path, model="horizon = 1200", extra=ROUND_1E308.replace("1e308", "1e6"))
    )
    data = to_bytes(build("model", a))
    assert 6 * 2**20 < _xml_bytes(data) < MAX_XML_BYTES / 2  # measured ~8 MiB; the bound leaves room for ~30
    (tmp_path / "x.xlsx").write_bytes(data)
    _check_size(tmp_path / "x.xlsx")  # no refusal


def test_new_refuses_a_workbook_verify_would_not_read(run, tmp_path, monkeypatch):
    """Whatever new writes verifies: a workbook beyond verify's bound is refused, nothing written (the bound
    lowered here to keep the test fast; 100 scenarios x 1,200 months unpack to ~52 MiB, above 24 MiB)."""
    import xlmodel.workbook.verify as verify

    monkeypatch.setattr(verify, "MAX_XML_BYTES", 2**20)
    plan_file(tmp_path, model="horizon = 360")
    r = run("new", "model", "plan.toml", "-o", "x.xlsx", cwd=tmp_path)
    one_line_error(r, "x.xlsx: the workbook would unpack to", "xlmodel verify reads up to 1 MiB", "--months")
    assert not (tmp_path / "x.xlsx").exists()


def test_verify_keeps_a_bound(run, tmp_path):
    from xlmodel.workbook.verify import MAX_FILE_BYTES, MAX_RATIO, MAX_XML_BYTES

    assert MAX_XML_BYTES == 24 * 2**20 and MAX_FILE_BYTES == 20 * 2**20 and MAX_RATIO == 200
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (25 * 2**20 // 6))
    r = run("verify", str(path))
    one_line_error(r, "unpacks to 25 MiB of XML", "verify reads up to 24 MiB")


@pytest.mark.libreoffice
def test_a_1200_month_workbook_verifies(run, tmp_path):
    """One real verify at the documented maximum horizon (~15 s on a quiet machine)."""
    need_libreoffice()
    plan_file(tmp_path, model="horizon = 1200")
    assert run("new", "model", "plan.toml", "-o", "x.xlsx", cwd=tmp_path).exit_code == 0
    r = run("verify", "x.xlsx", cwd=tmp_path)
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ 9: terminal text

NASTY = "a\a\x1b[2Jb.toml"


def _clean(output: str) -> bool:
    return not any(c in output for c in "\a\x1b\u202e\x00\x9b")


def test_calc_title_line_is_cleaned(run, tmp_path):
    """xlmodel calc $'a\\a\\e[2Jb.toml' rang the bell and cleared the screen."""
    (tmp_path / NASTY).write_text((tmp_path / plan_file(tmp_path).name).read_text(), encoding="utf-8")
    r = run("calc", NASTY, cwd=tmp_path)
    assert r.exit_code == 0 and _clean(r.output) and "(a[2Jb.toml)" in r.output


def test_a_bidi_override_in_a_file_name_is_cleaned(run, tmp_path):
    """U+202E printed unchanged (the rest of the line shown reversed)."""
    name = "x\u202elmot.toml"
    r = run("calc", name, cwd=tmp_path)
    one_line_error(r, "xlmot.toml")
    assert _clean(r.output)
    (tmp_path / name).write_text(plan_file(tmp_path).read_text(), encoding="utf-8")
    r = run("calc", name, cwd=tmp_path)
    assert r.exit_code == 0 and _clean(r.output)


def test_new_wrote_line_and_refusals_are_cleaned(run, tmp_path):
    plan_file(tmp_path)
    out = "o\x1b[2J\u202e.xlsx"
    r = run("new", "runway", "plan.toml", "-o", out, cwd=tmp_path)
    assert r.exit_code == 0 and r.output.startswith("Wrote o[2J.xlsx (runway") and _clean(r.output)
    r = run("new", "runway", "plan.toml", "-o", out, cwd=tmp_path)  # exists: a refusal naming the file
    one_line_error(r, "o[2J.xlsx exists")
    assert _clean(r.output)


def test_error_lines_are_cleaned(run, tmp_path):
    r = run("calc", "missing\a\x1b]0;title\a.toml", cwd=tmp_path)
    assert r.exit_code == 2 and _clean(r.output) and "\x07" not in r.output


def test_json_keeps_the_name_escaped_not_raw(run, tmp_path):
    """JSON carries the real name (escaped), and nothing raw reaches the terminal."""
    (tmp_path / NASTY).write_text(plan_file(tmp_path).read_text(), encoding="utf-8")
    r = run("calc", NASTY, "--json", cwd=tmp_path)
    assert r.exit_code == 0 and _clean(r.output)
    assert NASTY in r.output or json.loads(r.output)  # the document parses
    name = "y\u202eb.toml"
    (tmp_path / name).write_text(plan_file(tmp_path).read_text(), encoding="utf-8")
    r = run("calc", name, "--json", cwd=tmp_path)
    assert r.exit_code == 0 and _clean(r.output) and "\\u202e" in r.output
    assert json.loads(r.output)["source"].endswith(name)


# ------------------------------------------------------------------ 10: a dangling link as -o or --plot


def _dangling(tmp_path, name, target):
    link = tmp_path / name
    link.symlink_to(tmp_path / target)
    return link


def _commands(plan):
    sens = ("sensitivity", plan, "--rows", "cac=5:15:2", "--cols", "churn=0.1:0.2:2")
    return {
        "calc --plot": (("calc", plan, "--plot"), ".png", ("--force",)),
        "simulate --plot": (("simulate", plan, "--draws", "50", "--plot"), ".png", ("--force",)),
        "sensitivity -o": ((*sens, "-o"), ".xlsx", ("--force",)),
        "sensitivity --plot": ((*sens, "--plot"), ".png", ("--force",)),
        "new -o": (("new", "runway", plan, "-o"), ".xlsx", ("--force",)),
    }


@pytest.mark.parametrize("case", list(_commands("p")))
def test_a_dangling_link_is_an_existing_file(run, tmp_path, case):
    """Without --force: refused as an existing file, the target never created. With --force: the link itself
    is replaced by the file, never written through."""
    pytest.importorskip("matplotlib")
    plan_file(tmp_path, "p.toml")
    args, suffix, force = _commands("p.toml")[case]
    link = _dangling(tmp_path, f"out{suffix}", f"victim{suffix}")
    r = run(*args, link.name, cwd=tmp_path)
    assert r.exit_code == 2 and "exists" in r.output, r.output
    assert link.is_symlink() and not (tmp_path / f"victim{suffix}").exists()
    r = run(*args, link.name, *force, cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert not link.is_symlink() and link.is_file() and not (tmp_path / f"victim{suffix}").exists()


def test_a_live_link_to_a_file_keeps_its_rule(run, tmp_path):
    """A link to an existing ordinary file: refused without --force; with it the target gets the content and
    the link stays (docs/limits.md)."""
    plan_file(tmp_path)
    target = tmp_path / "real.xlsx"
    target.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    assert run("new", "runway", "plan.toml", "-o", "link.xlsx", cwd=tmp_path).exit_code == 2
    assert target.read_bytes() == b"old"
    assert run("new", "runway", "plan.toml", "-o", "link.xlsx", "--force", cwd=tmp_path).exit_code == 0
    assert link.is_symlink() and target.read_bytes()[:2] == b"PK"


def test_fsutil_never_writes_through_a_dangling_link(tmp_path):
    from xlmodel.fsutil import check_target, write_atomic

    link = _dangling(tmp_path, "a.txt", "elsewhere/b.txt")
    with pytest.raises(FileExistsError):
        check_target(link)
    with pytest.raises(FileExistsError):
        write_atomic(link, b"x")
    write_atomic(link, b"x", force=True)
    assert not link.is_symlink() and link.read_bytes() == b"x" and not (tmp_path / "elsewhere").exists()


# ------------------------------------------------------------------ 11: prices that depend on the hour


class _Clock(dt.datetime):
    hour_utc = 18

    @classmethod
    def now(cls, tz=None):
        return dt.datetime(2026, 6, 1, cls.hour_utc, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("hour", [9, 18, 0, 23])
def test_deepseek_costs_its_standard_price_whatever_the_hour(monkeypatch, hour):
    """xlmodel price deepseek-chat answered 0.27 at 09:00 UTC and 0.135 at 18:00 (the off-peak discount)."""
    pytest.importorskip("genai_prices")
    import xlmodel.prices as prices

    monkeypatch.setattr(_Clock, "hour_utc", hour)
    monkeypatch.setattr(prices, "datetime", _Clock)
    assert prices.price("deepseek-chat") == 0.27
    assert prices.price("deepseek-chat", "output") == 1.1
    assert prices.price_basis("deepseek-chat") == "standard price"


def test_a_time_asked_for_gives_that_hours_price_and_says_so(run):
    pytest.importorskip("genai_prices")
    r = run("price", "deepseek-chat", "--at", "2026-06-01T18:00")
    assert r.exit_code == 0 and r.output.startswith("0.135 USD per 1M tokens")
    assert "time-of-day price at 2026-06-01 18:00 UTC, not the standard price" in r.output
    r = run("price", "deepseek-chat", "--at", "2026-06-01T09:00")
    assert (
        r.exit_code == 0 and r.output.startswith("0.27 USD per 1M tokens") and "standard price at" in r.output
    )
    r = run("price", "deepseek-chat", "--at", "2026-06-01T20:00+08:00")  # 12:00 UTC: peak
    assert r.output.startswith("0.27 ")
    one_line_error(run("price", "deepseek-chat", "--at", "six pm"), "--at must be an ISO date and time")


def test_price_prints_its_unit_and_which_price(run):
    pytest.importorskip("genai_prices")
    r = run("price", "deepseek-chat")
    assert r.exit_code == 0 and r.output.startswith(
        "0.27 USD per 1M tokens (deepseek-chat, input, standard price"
    )


def test_the_bundle_freezes_the_standard_price_at_any_hour():
    """The committed Lite bundle froze the off-peak price (it was generated in the evening)."""
    pytest.importorskip("genai_prices")
    from xlmodel.lite import freeze_prices

    for hour in (3, 18):
        _, models, _ = freeze_prices(dt.datetime(2026, 6, 1, hour, 0, tzinfo=dt.UTC))
        line = next(ln for ln in models.splitlines() if ln.startswith("deepseek deepseek-chat "))
        assert line.split()[2:4] == ["0.27", "1.1"], line


def test_a_model_only_one_provider_lists_is_found_without_provider(run):
    """qwen-max is listed by openrouter only; it was unknown without --provider."""
    pytest.importorskip("genai_prices")
    import xlmodel.prices as prices

    assert prices.price("qwen-max") == prices.price("qwen-max", provider="openrouter") > 0
    r = run("price", "qwen-max")
    assert r.exit_code == 0 and "USD per 1M tokens (qwen-max" in r.output


# ------------------------------------------------------------------ the list's messages


def _tampered(tmp_path, change):
    import openpyxl

    from xlmodel import assumptions
    from xlmodel.workbook import build, to_bytes

    src = tmp_path / "t.xlsx"
    src.write_bytes(to_bytes(build("model", assumptions.default(), months=12)))
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(src)
    return src


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "case, change, parts",
    [
        (
            "an invalid switch",
            lambda wb: wb["Inputs"].__setitem__("D4", "bogus"),
            ("Inputs!D4", "'bogus'", "Inputs!E7:H7", "base, upside, downside, cut-ads-raise"),
        ),
        (
            "a renamed header",
            lambda wb: wb["Inputs"].__setitem__("E7", "base2"),
            ("Inputs!D4", "'base'", "base2, upside", "renamed header"),
        ),
        ("a deleted Inputs sheet", lambda wb: wb.remove(wb["Inputs"]), ("sheet 'Inputs'", "is missing")),
        (
            "a deleted defined name",
            lambda wb: wb.defined_names.pop("cac"),
            ("the defined name 'cac' is missing",),
        ),
    ],
)
def test_verify_names_the_cell_sheet_or_name(run, tmp_path, case, change, parts):
    """verify said input_tokens must be a number, got '#VALUE!', or (KeyError: 'cac')."""
    need_libreoffice()
    src = _tampered(tmp_path, change)
    r = run("verify", src)
    one_line_error(r, *parts)
    assert "#VALUE!" not in r.output and "KeyError" not in r.output


def test_llm_plan_takes_a_change_month_typed_as_text():
    """LLM_PLAN change month "3" said "is a calendar month"."""
    from xlmodel.udfs.plan import LLM_PLAN

    rows = [[k, float(v)] for k, v in (line.split(" = ") for line in BASE.strip().splitlines())]
    rows.append(["horizon", 12])
    as_text = LLM_PLAN(rows, [["3", "ad_spend", 2e6]], [["5", 1e6]], "ending_cash")
    as_number = LLM_PLAN(rows, [[3, "ad_spend", 2e6]], [[5, 1e6]], "ending_cash")
    assert isinstance(as_text, float) and as_text == as_number


def test_cohorts_discount_names_the_flag(run):
    r = run(
        "cohorts", "examples/cohorts-2024.csv", "--arpu", "0.3", "--gross-margin", "0.5", "--discount", "-1"
    )
    one_line_error(r, "--discount", "above -1")
    assert "annual must" not in r.output


def test_a_nul_byte_in_a_csv_names_the_byte_and_its_row(run, tmp_path):
    """A NUL in a CSV said "an empty share"."""
    text = (ROOT / "examples" / "cohorts-2024.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, ln in enumerate(text) if ln.startswith("2024-04"))
    cells = text[row].split(",")
    cells[3] = "\x00"
    text[row] = ",".join(cells)
    (tmp_path / "c.csv").write_text("\n".join(text), encoding="utf-8")
    r = run("cohorts", "c.csv", "--arpu", "1", "--gross-margin", "0.5", cwd=tmp_path)
    one_line_error(r, f"row {row + 1}", "NUL byte (\\x00)")
    assert "empty share" not in r.output and "\x00" not in r.output
    actuals = (ROOT / "examples" / "actuals-2024.csv").read_text(encoding="utf-8").splitlines()
    row = next(i for i, ln in enumerate(actuals) if ln[:1].isdigit())
    actuals[row] = actuals[row][:10] + "\x00" + actuals[row][10:]
    (tmp_path / "a.csv").write_text("\n".join(actuals), encoding="utf-8")
    one_line_error(run("fit", "a.csv", cwd=tmp_path), f"row {row + 1}", "NUL byte")


@pytest.mark.parametrize(
    "args",
    [
        ("calc", "examples/llm-assistant-2024.toml", "--plot", ""),
        ("simulate", "examples/llm-assistant-2024.toml", "--plot", ""),
        (
            "sensitivity",
            "examples/llm-assistant-2024.toml",
            "--rows",
            "cac=20:40:2",
            "--cols",
            "churn=0.3:0.5:2",
            "--plot",
            "",
        ),
        (
            "sensitivity",
            "examples/llm-assistant-2024.toml",
            "--rows",
            "cac=20:40:2",
            "--cols",
            "churn=0.3:0.5:2",
            "-o",
            "",
        ),
    ],
)
def test_an_empty_file_name_is_an_error(run, args):
    """--plot "" was silently ignored."""
    one_line_error(run(*args), "an empty file name")


def test_actual_months_before_1900_03_are_refused_in_a_workbook(run, tmp_path):
    """The Actuals sheet dates each month (EOMONTH): before 1900-03 Excel and LibreOffice disagree."""
    text = (ROOT / "examples" / "actuals-2024.csv").read_text(encoding="utf-8").replace("2024-", "1899-")
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    assert run("fit", "a.csv", cwd=tmp_path).exit_code == 0  # fit dates nothing: any month goes
    r = run("new", "model", "--actuals", "a.csv", "-o", "x.xlsx", cwd=tmp_path)
    one_line_error(r, "a.csv: month:", "1900-03 or later", "1899-03")
    assert not (tmp_path / "x.xlsx").exists()


def test_every_command_prints_through_the_cleaning_echo():
    """A print path added later must clean too: the commands print with common.echo; only a file's own text for a
    pipe (xlwings-conf, export without -o) goes out raw, as it would be written to a file."""
    for path in sorted((ROOT / "xlmodel" / "cli").glob("*.py")):
        if path.name == "common.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "click.echo(" in line or "print(" in line:
                assert "click.echo(text, nl=False)" in line, f"{path.name}:{n}: {line.strip()}"
