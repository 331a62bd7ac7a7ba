"""The data side of retention curves (issue 16): cohort sizes, the weighted chained average curve on every
surface (xlmodel.actuals, `xlmodel cohorts`, the cohorts workbook), the observed curve against a scenario's
churn, and `xlmodel fit --cohorts`, whose fitted file continues a curve-driven plan."""

import json
import tomllib

import numpy as np
import pytest
from openpyxl.formula import Tokenizer

import xlmodel as xm
from xlmodel import assumptions, retention
from xlmodel.actuals import (
    ACTUALS_COLUMNS,
    ActualsError,
    Cohort,
    against_plan,
    average_curve,
    cohort_churn,
    fit_actuals,
    read_actuals,
    read_cohorts,
    weighted,
)
from xlmodel.fitted_toml import fitted_toml
from xlmodel.workbook import build, to_bytes
from xlmodel.workbook.gnumeric import recalculate_gnumeric
from xlmodel.workbook.verify import compare, read_names, recalculate

from .conftest import ROOT, need_gnumeric, need_libreoffice, select_scenario

SIZED = ROOT / "examples" / "cohorts-sized-2024.csv"
PLAIN = ROOT / "examples" / "cohorts-2024.csv"
ACTUALS = ROOT / "examples" / "actuals-2024.csv"
EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"

#: a small old cohort that kept its users and large young ones that did not: the plain mean of each age
#: rises from month 2 to month 3 (0.8, 0.3, 0.2 then 0.75, 0.25); the chained average keeps falling
TRIANGLE = [[0.9, 0.8, 0.75, 0.7], [0.5, 0.3, 0.25], [0.4, 0.2], [0.45]]
SIZES = [50.0, 400.0, 800.0, 1000.0]


def _by_hand(w):
    """docs/model.md's chained average of TRIANGLE with weights ``w``, written out sum by sum."""
    r1 = (w[0] * 0.9 + w[1] * 0.5 + w[2] * 0.4 + w[3] * 0.45) / (w[0] + w[1] + w[2] + w[3])
    r2 = r1 * (w[0] * 0.8 + w[1] * 0.3 + w[2] * 0.2) / (w[0] * 0.9 + w[1] * 0.5 + w[2] * 0.4)
    r3 = r2 * (w[0] * 0.75 + w[1] * 0.25) / (w[0] * 0.8 + w[1] * 0.3)
    r4 = r3 * (w[0] * 0.7) / (w[0] * 0.75)
    return [r1, r2, r3, r4]


def _triangle_csv(path, sizes=True, header="cohort,size,m1,m2,m3,m4"):
    lines = [header]
    for i, (r, s) in enumerate(zip(TRIANGLE, SIZES)):
        lines.append(",".join([f"2024-0{i + 1}"] + ([f"{s:g}"] if sizes else []) + [repr(x) for x in r]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ the size column


def test_read_sizes_in_the_second_column(tmp_path):
    rows = read_cohorts(_triangle_csv(tmp_path / "c.csv"))
    assert [c.size for c in rows] == SIZES
    assert [c.retention for c in rows] == TRIANGLE
    assert weighted(rows)


def test_size_in_any_column_any_case_and_a_ragged_edge_before_it(tmp_path):
    (tmp_path / "c.csv").write_text(
        "Cohort,m1,m2,m3,SIZE\n2024-01,0.9,0.8,0.7,1_000\n2024-02,0.5,0.3,,250.5\n2024-03,0.4,,,7e3\n",
        encoding="utf-8",
    )
    rows = read_cohorts(tmp_path / "c.csv")
    assert [(c.name, c.retention, c.size) for c in rows] == [
        ("2024-01", [0.9, 0.8, 0.7], 1000.0),
        ("2024-02", [0.5, 0.3], 250.5),
        ("2024-03", [0.4], 7000.0),
    ]


def test_without_a_size_column_nothing_is_weighted():
    rows = read_cohorts(PLAIN)
    assert all(c.size is None for c in rows) and not weighted(rows)
    # the sized example is the same triangle, with each cohort's sign-ups from the actuals of its month
    sized = read_cohorts(SIZED)
    assert [c.retention for c in sized] == [c.retention for c in rows]
    new_users = dict(zip(read_actuals(ACTUALS).months, read_actuals(ACTUALS).columns["new_users"]))
    assert [c.size for c in sized] == [new_users[c.name] for c in sized]


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "cohort,size,m1\n2024-01,,0.5\n",
            "bad.csv: row 2: size: is empty: the header has a size column, so every cohort needs its sign-ups",
        ),
        (
            "cohort,m1,m2,size\n2024-01,0.5,0.4,10\n2024-02,0.5\n",
            "bad.csv: row 3: size: is empty: the header has a size column, so every cohort needs its sign-ups",
        ),
        (
            "cohort,size,m1\n2024-01,many,0.5\n",
            "bad.csv: row 2: size: must be a number (the cohort's sign-ups), got 'many'",
        ),
        (
            'cohort,size,m1\n2024-01,"1,000",0.5\n',
            "bad.csv: row 2: size: must be a number without thousands separators (the cohort's sign-ups), got '1,000'",
        ),
        (
            "cohort,size,m1\n2024-01,10,0.5\n2024-02,0,0.5\n",
            "bad.csv: row 3: size: must be a positive finite number (the cohort's sign-ups), got 0",
        ),
        (
            "cohort,size,m1\n2024-01,-5,0.5\n",
            ("bad.csv: row 2: size: must be a positive finite number (the cohort's sign-ups), got -5"),
        ),
        (
            "cohort,size,m1\n2024-01,inf,0.5\n",
            ("bad.csv: row 2: size: must be a positive finite number (the cohort's sign-ups), got inf"),
        ),
        (
            "cohort,size,m1\n2024-01,nan,0.5\n",
            ("bad.csv: row 2: size: must be a positive finite number (the cohort's sign-ups), got nan"),
        ),
        (
            "cohort,size,m1,Size\n2024-01,1,0.5,1\n",
            "bad.csv: row 1: size: the column appears twice in the header",
        ),
        (
            "cohort,size,m1\n2024-01,1e308,0.5\n2024-02,1e308,0.5\n",
            (
                "bad.csv: size: the cohorts' sizes add up to more "
                "than floating point holds: numbers this large are beyond what the model can compute"
            ),
        ),
    ],
)
def test_bad_sizes_name_file_row_and_column(run, tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ActualsError) as e:
        read_cohorts(tmp_path / "bad.csv")
    assert e.value.column == "size"
    r = run("cohorts", "bad.csv", "--arpu", "1", "--gross-margin", "0.5", cwd=tmp_path)
    assert r.exit_code == 2 and r.output == f"Error: {message}\n", r.output


# ------------------------------------------------------------------ the weighted chained average


def test_weighted_chained_average_by_hand():
    cohorts = [Cohort(f"2024-0{i + 1}", r, s) for i, (r, s) in enumerate(zip(TRIANGLE, SIZES))]
    assert average_curve(cohorts) == pytest.approx(_by_hand(SIZES), rel=1e-14)
    plain = [np.mean([r[a] for r in TRIANGLE if len(r) > a]) for a in range(4)]
    assert plain[2] > plain[1]  # the plain mean rises with age here
    for curve in (average_curve(cohorts), _by_hand(SIZES), _by_hand([1, 1, 1, 1])):
        assert all(b < a for a, b in zip(curve, curve[1:])), curve
    # one cohort without a size: every cohort weighs 1 (chained, unweighted), never a partial weighting
    cohorts[2].size = None
    assert not weighted(cohorts)
    assert average_curve(cohorts) == pytest.approx(_by_hand([1, 1, 1, 1]), rel=1e-14)
    assert average_curve(cohorts) != pytest.approx(_by_hand(SIZES), rel=1e-6)


def test_the_average_of_a_file_is_weighted_when_it_has_sizes(tmp_path):
    assert average_curve(read_cohorts(_triangle_csv(tmp_path / "s.csv"))) == pytest.approx(
        _by_hand(SIZES), rel=1e-14
    )
    unsized = read_cohorts(_triangle_csv(tmp_path / "u.csv", sizes=False, header="cohort,m1,m2,m3,m4"))
    assert average_curve(unsized) == pytest.approx(_by_hand([1, 1, 1, 1]), rel=1e-14)
    # the engine's function on the same triangle, and retention_from on the same file
    assert (
        average_curve(read_cohorts(tmp_path / "s.csv")) == retention.average_curve(TRIANGLE, SIZES).tolist()
    )
    toml = tmp_path / "a.toml"
    toml.write_text(
        "[scenarios.base]\ncash = 1e6\nmau = 1e4\nad_spend = 1e4\ncac = 2\nconversion = 0.05\n"
        'arppu = 10\ncost_per_mau = 0.5\nretention_from = "s.csv"\n',
        encoding="utf-8",
    )
    a = assumptions.load(toml)
    assert a.scenario()["retention"] == pytest.approx(_by_hand(SIZES), rel=1e-14)
    assert a.retention_sources["base"]["weighted"] is True


# ------------------------------------------------------------------ xlmodel cohorts


def test_cohorts_shows_sizes_and_says_how_the_average_is_made(run, tmp_path):
    _triangle_csv(tmp_path / "c.csv")
    r = run("cohorts", "c.csv", "--arpu", "1", "--gross-margin", "0.5", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[2].split() == ["cohort", "size", "months", "churn", "ltv"]
    assert lines[3].split()[:3] == ["2024-01", "50", "4"] and lines[6].split()[:3] == [
        "2024-04",
        "1,000",
        "1",
    ]
    avg = _by_hand(SIZES)
    assert lines[-1].split()[:3] == ["average", "4", f"{cohort_churn(avg):.1%}"]
    assert lines[-1].endswith("(chained, weighted by size)")
    doc = json.loads(
        run("cohorts", "c.csv", "--arpu", "1", "--gross-margin", "0.5", "--json", cwd=tmp_path).output
    )
    assert doc["weighted"] is True and [c["size"] for c in doc["cohorts"]] == SIZES + [None]
    assert doc["cohorts"][-1]["retention"] == pytest.approx(avg, rel=1e-14)
    assert doc["cohorts"][-1]["churn"] == pytest.approx(cohort_churn(avg), rel=1e-12)
    assert "against_plan" not in doc
    r = run("cohorts", PLAIN, "--arpu", "1", "--gross-margin", "0.5")
    assert r.output.splitlines()[2].split() == ["cohort", "months", "churn", "ltv"]  # no size column
    assert r.output.splitlines()[-1].endswith("(chained, unweighted)")
    assert (
        json.loads(run("cohorts", PLAIN, "--arpu", "1", "--gross-margin", "0.5", "--json").output)["weighted"]
        is False
    )


def _mau_with_the_curve(s, curve, months):
    """The MAU of the scenario's plan with its users on the curve: churn left out (1 - q for month 0's users)."""
    kw = {k: v for k, v in s.items() if k != "churn"}
    mau = xm.plan(**kw, retention=curve).projection.mau
    return [float(mau[t - 1]) for t in months]


def test_cohorts_against_a_scenario(run):
    a = assumptions.load(EXAMPLE)
    s = a.scenario("upside")
    curve = retention.average_curve(
        [c.retention for c in read_cohorts(SIZED)], [c.size for c in read_cohorts(SIZED)]
    ).tolist()
    months = [12, s["horizon"]]
    want_assumed = [float(xm.plan(**s).projection.mau[t - 1]) for t in months]
    want_curve = _mau_with_the_curve(s, curve, months)
    assert want_curve != pytest.approx(want_assumed, rel=1e-3)
    doc = json.loads(run("cohorts", SIZED, "-a", EXAMPLE, "-s", "upside", "--json").output)
    got = doc["against_plan"]
    assert got["scenario"] == "upside" and got["weighted"] is True and got["months"] == months
    assert got["labels"] == ["2025-11", "2029-11"]
    assert got["assumed_churn"] == 0.35
    assert got["observed_churn"] == pytest.approx(float(cohort_churn(curve)), rel=1e-12)
    assert got["mau_assumed"] == pytest.approx(want_assumed, rel=1e-12)
    assert got["mau_curve"] == pytest.approx(want_curve, rel=1e-12)
    r = run("cohorts", SIZED, "-a", EXAMPLE, "-s", "upside")
    assert r.exit_code == 0, r.output
    text = r.output
    assert "observed against assumed (scenario upside; MAU by the engine's plan):" in text
    assumed = next(
        line for line in text.splitlines() if line.strip().startswith("assumed (the scenario as is)")
    )
    assert assumed.split()[-3:] == ["35.0%", f"{want_assumed[0]:,.0f}", f"{want_assumed[1]:,.0f}"]
    observed = next(line for line in text.splitlines() if line.strip().startswith("observed (average curve"))
    assert observed.split()[-3:] == [
        f"{cohort_churn(curve):.1%}",
        f"{want_curve[0]:,.0f}",
        f"{want_curve[1]:,.0f}",
    ]
    assert "MAU month 12 (2025-11)" in text and "MAU month 60 (2029-11)" in text


def test_against_plan_edge_cases(tmp_path):
    s = dict(assumptions.load(EXAMPLE).scenario(), horizon=6, activation=0.8)
    got = against_plan(read_cohorts(PLAIN), s)
    # a curve measured on sign-ups holds the activation: the scenario's is left out, and a note says so
    assert got["months"] == [6] and any("left out" in n for n in got["notes"])
    kw = {k: v for k, v in s.items() if k not in ("churn", "activation")}
    want = xm.plan(**kw, retention=average_curve(read_cohorts(PLAIN))).projection.mau[5]
    assert got["mau_curve"] == [pytest.approx(float(want), rel=1e-12)]
    # a curve that does not decay cannot drive a plan: n/a with the reason, the scenario's own numbers stay
    (tmp_path / "flat.csv").write_text("cohort,m1,m2,m3,m4,m5\n2024-01,1,0.5,0.5,0.5,0.5\n", encoding="utf-8")
    got = against_plan(read_cohorts(tmp_path / "flat.csv"), s)
    assert got["mau_curve"] is None and got["mau_assumed"] and "must decay" in got["notes"][-1]


# ------------------------------------------------------------------ xlmodel fit --cohorts: the round trip

CURVES = {
    # measured on sign-ups (month 1 below 1: the activation), the tail past month 5 at its late ratio
    "signups": [0.6, 0.36, 0.27, 0.228, 0.204],
    # geometric: every user churns at 20% at every age, so the fitted file continues the plan exactly
    "geometric": [0.8**a for a in range(6)],
}
KW = dict(
    cash=5e8,
    mau=2e5,
    ad_spend=3e6,
    cac=20.0,
    conversion=0.03,
    arppu=25.0,
    cost_per_mau=0.8,
    fixed_costs=4e6,
    paid_share=0.7,
)


def _generated(curve, n, h):
    """A curve-driven plan over n + h months, and its first n months as actuals and a cohorts triangle."""
    whole = xm.plan(**KW, retention=curve, horizon=n + h).projection
    months = [f"2023-{m:02d}" for m in range(5, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    lines = {
        "ad_spend": whole.ad_spend,
        "new_users": whole.new_users,
        "paid_new_users": whole.paid_new_users,
        "mau": whole.mau,
        "paying_users": whole.paying_users,
        "revenue": whole.revenue,
        "compute_cost": whole.compute,
        "fixed_costs": whole.fixed_costs,
        "cash": whole.cash,
    }
    actuals = [",".join(ACTUALS_COLUMNS)] + [
        ",".join([months[t]] + [repr(float(lines[c][t])) for c in ACTUALS_COLUMNS[1:]]) for t in range(n)
    ]
    # cohort c's share of its sign-ups active at age a: the activation (the curve's month 1) times R(a)
    shares = float(curve[0]) * np.asarray(retention.retention_at(curve, np.arange(1, n + 1)))
    triangle = ["cohort,size," + ",".join(f"m{a}" for a in range(1, n + 1))] + [
        ",".join([months[c], repr(float(whole.new_users[c]))] + [repr(float(x)) for x in shares[: n - c]])
        for c in range(n)
    ]
    return whole, "\n".join(actuals) + "\n", "\n".join(triangle) + "\n", shares, months


@pytest.mark.parametrize("which", list(CURVES))
def test_fit_with_cohorts_gives_back_the_curve_and_the_drivers(run, tmp_path, which):
    curve, n, h = CURVES[which], 9, 24
    whole, actuals, triangle, shares, months = _generated(curve, n, h)
    (tmp_path / "a.csv").write_text(actuals, encoding="utf-8")
    (tmp_path / "c.csv").write_text(triangle, encoding="utf-8")
    r = run("fit", "a.csv", "--cohorts", "c.csv", "-o", "f.toml", "--horizon", h, cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert (
        r.output.splitlines()[-1]
        == "Wrote f.toml (scenario actuals, from 2024-02, users by the cohorts' curve)"
    )
    text = (tmp_path / "f.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert doc["model"]["start"] == "2024-02" == months[n]  # the month after the last actual month
    s_doc = doc["scenarios"]["actuals"]
    assert "churn" not in s_doc and "weighted by size" in text
    assert s_doc["retention"] == pytest.approx(shares.tolist(), rel=1e-12)  # the generated curve, R(1..n)
    a = assumptions.load(tmp_path / "f.toml")
    s = a.scenario("actuals")
    for k in ("cac", "paid_share", "conversion", "arppu", "cost_per_mau", "fixed_costs"):
        assert s[k] == pytest.approx(KW[k], rel=1e-9), k
    assert s["cash"] == float(whole.cash[n - 1]) and s["mau"] == float(whole.mau[n - 1])
    assert s["ad_spend"] == KW["ad_spend"]
    # the fitted curve's late ratio is the generated one's, and its activation the generated one's
    fitted, generated = retention.active_curve(s["retention"]), retention.active_curve(curve)
    assert float(fitted.q) == pytest.approx(float(generated.q), rel=1e-9)
    assert float(fitted.first) == pytest.approx(curve[0], rel=1e-12)
    assert s["churn"] == pytest.approx(1 - float(generated.q), rel=1e-9)  # month 0's users: 1 - q

    # calc on the fitted file continues the plan from the last actual month
    onward = xm.plan(**s).projection
    for row in ("ad_spend", "new_users", "paid_new_users"):
        assert np.allclose(getattr(onward, row), getattr(whole, row)[n:], rtol=1e-9), row
    t = np.arange(1, h + 1)
    # the new cohorts follow the same curve: the plans differ only in the users of the last actual month, who
    # decay at 1 - q in the fitted file and along the curve, each cohort at its age, in the whole plan
    activated = curve[0] * np.asarray(whole.new_users)
    old_in_whole = KW["mau"] * float(generated.q) ** (n + t) + np.array(
        [sum(activated[c] * float(generated.at(n + tt - c)) for c in range(n)) for tt in t]
    )
    want = np.asarray(whole.mau)[n:] - old_in_whole + whole.mau[n - 1] * float(generated.q) ** t
    assert np.allclose(onward.mau, want, rtol=1e-9)
    if which == "geometric":  # every cohort at every age decays at q: the continuation is exact, every line
        for row in ("mau", "revenue", "compute", "net_burn", "cash"):
            assert np.allclose(getattr(onward, row), getattr(whole, row)[n:], rtol=1e-9), row
    r = run("calc", "f.toml", "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["calendar"]["start"] == "2024-02"
    assert out["outputs"]["ending_cash"] == pytest.approx(float(onward.cash[-1]), rel=1e-12)


def test_fit_json_and_table_carry_the_curve(run):
    r = run("fit", ACTUALS, "--cohorts", SIZED)
    assert r.exit_code == 0, r.output
    assert "retention from " in r.output and "weighted by size" in r.output
    doc = json.loads(run("fit", ACTUALS, "--cohorts", SIZED, "--json").output)
    assert doc["start"] == "2024-09" and doc["curve"]["weighted"] is True and doc["curve"]["cohorts"] == 6
    assert doc["curve"]["retention"] == average_curve(read_cohorts(SIZED))
    assert json.loads(run("fit", ACTUALS, "--json").output)["curve"] is None


def test_every_fitted_file_starts_after_the_last_actual(tmp_path):
    f = fit_actuals(read_actuals(ACTUALS))
    doc = tomllib.loads(fitted_toml(f))
    assert doc["model"]["start"] == "2024-09" and "churn" in doc["scenarios"]["actuals"]
    assert "retention" not in doc["scenarios"]["actuals"]


def test_fit_refuses_a_curve_that_cannot_drive_a_plan(run, tmp_path):
    (tmp_path / "a.csv").write_text(ACTUALS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "flat.csv").write_text("cohort,m1,m2,m3,m4,m5\n2024-01,1,0.5,0.5,0.5,0.5\n", encoding="utf-8")
    r = run("fit", "a.csv", "--cohorts", "flat.csv", "-o", "f.toml", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.startswith(
        "Error: flat.csv: the cohorts' average curve cannot drive the "
        "plan: retention must decay past its last month"
    ), r.output
    assert not (tmp_path / "f.toml").exists()
    r = run("fit", "a.csv", "--cohorts", "missing.csv", cwd=tmp_path)
    assert r.exit_code == 2 and r.output == "Error: missing.csv: no such file\n"


def test_fit_names_window_errors_and_only_those(run, monkeypatch):
    r = run("fit", ACTUALS, "--window", "7")
    assert r.exit_code == 2
    assert r.output == "Error: --window: window must be at most the 6 months of actuals, got 7\n"
    from xlmodel.cli import data

    def broken(table, window):
        raise xm.InputError("cac", "cac must be above 0, got -1")

    monkeypatch.setattr(data, "fit_actuals", broken)
    r = run("fit", ACTUALS)
    assert r.exit_code == 2 and r.output == "Error: cac must be above 0, got -1\n"


# ------------------------------------------------------------------ the cohorts workbook


def _sized_book():
    return build("cohorts", assumptions.default(), cohorts=read_cohorts(SIZED), cohort_source=SIZED.name)


def test_the_workbook_has_sizes_and_a_chained_weighted_average():
    wb = _sized_book()
    ws = wb["Cohorts"]
    assert ws["B4"].value == "Size (sign-ups)" and ws["F4"].value == "M1"
    assert [ws.cell(row=r, column=2).value for r in range(6, 12)] == [c.size for c in read_cohorts(SIZED)]
    assert ws["A12"].value == "average (weighted)"
    assert ws["F12"].value == "=SUMPRODUCT(cohort_size,F6:F11)/SUM(cohort_size)"
    assert ws["H12"].value == "=G12*SUMPRODUCT(cohort_size,H6:H11)/SUMPRODUCT(cohort_size,G6:G11*(H6:H11>0))"
    assert "cohort_size" in wb.defined_names
    plain = build("cohorts", assumptions.default(), cohorts=read_cohorts(PLAIN))["Cohorts"]
    assert plain["E4"].value == "M1" and plain["E12"].value == "=AVERAGE(E6:E11)"
    assert plain["G12"].value == "=F12*SUM(G6:G11)/SUMPRODUCT(F6:F11*(G6:G11>0))"
    # the chart: the average last, thicker and darker than every cohort's line
    series = ws._charts[0].series
    lines = [s.graphicalProperties.line for s in series]
    assert len(series) == 7
    assert all(lines[-1].width > x.width for x in lines[:-1])

    def light(line):
        rgb = line.solidFill.srgbClr
        rgb = rgb if isinstance(rgb, str) else rgb.val
        return sum(int(rgb[i : i + 2], 16) for i in (0, 2, 4))

    assert all(light(lines[-1]) < light(x) for x in lines[:-1])
    # FAST: no number typed into a formula but 0, 1, 12 or 100 (the sizes are labelled input cells)
    for c in ws._cells.values():
        if isinstance(c.value, str) and c.value.startswith("="):
            literals = [
                x.value for x in Tokenizer(c.value).items if x.type == "OPERAND" and x.subtype == "NUMBER"
            ]
            assert {float(x) for x in literals} <= {0.0, 1.0, 12.0, 100.0}, (c.coordinate, c.value)


@pytest.mark.libreoffice
def test_a_sized_cohorts_workbook_recalculates_to_the_engine(tmp_path):
    need_libreoffice()
    good = tmp_path / "sized.xlsx"
    good.write_bytes(to_bytes(_sized_book()))
    wb = _sized_book()  # the plain mean in the average row instead of the weighted chain: verify must see it
    ws = wb["Cohorts"]
    for col in "FGHIJK":
        ws[f"{col}12"] = f"=AVERAGE({col}6:{col}11)"
    bad = tmp_path / "plain-mean.xlsx"
    bad.write_bytes(to_bytes(wb))
    outs = recalculate([good, bad], tmp_path / "out")
    values, errors = read_names(outs[0])
    rep = compare(values, errors, 1e-9, "sized")
    assert rep.ok, rep.failures
    want = average_curve(read_cohorts(SIZED))
    assert values["average_retention"] == pytest.approx(want, rel=1e-12)
    assert values["average_retention"] != pytest.approx(average_curve(read_cohorts(PLAIN)), rel=1e-6)
    assert values["cohort_churn_observed"] == pytest.approx(float(cohort_churn(want)), rel=1e-12)
    assert values["checks_ok"] is True
    values, errors = read_names(outs[1])
    rep = compare(values, errors, 1e-9, "plain-mean")
    assert not rep.ok and any(f.startswith("average_retention[") for f in rep.failures), rep.failures


@pytest.mark.libreoffice
@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl reading Gnumeric's file
def test_gnumeric_computes_the_same_average(tmp_path):
    """The average row's formulas are ones every spreadsheet evaluates alike (Gnumeric too)."""
    need_gnumeric()
    paths = [tmp_path / "sized.xlsx", tmp_path / "plain.xlsx"]
    paths[0].write_bytes(to_bytes(_sized_book()))
    paths[1].write_bytes(to_bytes(build("cohorts", assumptions.default(), cohorts=read_cohorts(PLAIN))))
    for out, source in zip(recalculate_gnumeric(paths, tmp_path / "gn"), (SIZED, PLAIN)):
        values, errors = read_names(out)
        rep = compare(values, errors, 1e-9, out.name)
        assert rep.ok, rep.failures
        assert values["average_retention"] == pytest.approx(average_curve(read_cohorts(source)), rel=1e-12)


def test_documented_cohort_examples_run(run, tmp_path):
    guide = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")  # the command-line guide (issue 28)
    for line in guide.splitlines():
        if line.startswith(("xlmodel cohorts ", "xlmodel fit ")) and "cohorts" in line:
            args = line.split("#")[0].split()[1:]
            args = [
                str(tmp_path / a)
                if a.endswith(".toml") and "-o" in args and args[args.index("-o") + 1] == a
                else str(ROOT / a)
                if a.startswith("examples/")
                else a
                for a in args
            ]
            r = run(*args)
            assert r.exit_code == 0, (line, r.output)


# ------------------------------------------------------------------ the plan's MAU on the cohorts workbook

PLAN_MAU_NAMES = (
    "cohort_mau_12_assumed",
    "cohort_mau_12_curve",
    "cohort_mau_end_assumed",
    "cohort_mau_end_curve",
)


def _want_plan_mau(rows, s) -> dict:
    """The four figures by the engine, as ``xlmodel cohorts -a`` computes them (n/a: the curve cannot drive it)."""
    c = against_plan(rows, s)
    curve = c["mau_curve"] or [None] * len(c["months"])
    return dict(zip(PLAN_MAU_NAMES, (c["mau_assumed"][0], curve[0], c["mau_assumed"][-1], curve[-1])))


def _cells_of(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    got = wb[sheet][ref.replace("$", "")]
    return (
        [c for row in (got if isinstance(got[0], tuple) else (got,)) for c in row]
        if isinstance(got, tuple)
        else [got]
    )


def _input_cell(wb, key, scenario):
    """The Inputs cell of ``key`` in ``scenario``'s column."""
    (live,) = _cells_of(wb, key)
    col = next(c.column for c in _cells_of(wb, "scenario_names") if c.value == scenario)
    return live.parent.cell(row=live.row, column=col)


def _plan_mau_books(tmp_path):
    """(case, path): the sized workbook with each scenario selected, then edited after generation (a share of
    the triangle; an input of a scenario that is not live), and a triangle whose curve cannot drive a plan."""
    a = assumptions.default()
    rows = read_cohorts(SIZED)
    cases = []
    for name in a.scenario_names:
        wb = _sized_book()
        select_scenario(wb, name)
        cases.append((("select", name), wb))
    wb = _sized_book()
    cell = _cells_of(wb, "retention_triangle")[2]  # cohort 2024-03, month 3
    cell.value = cell.value * 0.9
    cases.append((("edited", "share"), wb))
    wb = _sized_book()
    _input_cell(wb, "churn", a.scenario_names[1]).value = 0.2  # a scenario that is not live
    cases.append((("edited", "input"), wb))
    (tmp_path / "flat.csv").write_text("cohort,m1,m2,m3,m4,m5\n2024-01,1,0.5,0.5,0.5,0.5\n", encoding="utf-8")
    cases.append(
        (("flat", a.scenario_names[0]), build("cohorts", a, cohorts=read_cohorts(tmp_path / "flat.csv")))
    )
    paths = []
    (tmp_path / "in").mkdir()
    for i, (_, wb) in enumerate(cases):
        paths.append(tmp_path / "in" / f"case{i}.xlsx")
        paths[-1].write_bytes(to_bytes(wb))
    return a, rows, [c for c, _ in cases], paths


def _check_plan_mau(a, rows, cases, outs, program, flat_rows):
    for (kind, what), out in zip(cases, outs):
        values, errors = read_names(out)
        rep = compare(values, errors, 1e-9, f"{kind}-{what} in {program}")
        assert values["checks_ok"] is True, (kind, what, program)
        if kind == "edited":  # a status, not the master check: the model still holds, its plan MAU are stale
            assert values["cohort_plan_fresh"] is False, (what, program)
            assert values["cohort_plan_status"].startswith("STALE: "), (what, program)
            assert not rep.ok and any(f.startswith("cohort_plan_fresh:") for f in rep.failures), rep.failures
            continue
        assert rep.ok, "\n".join(rep.lines())
        assert values["scenario"] == what and values["cohort_plan_fresh"] is True
        assert values["cohort_plan_status"].startswith("Current: ")
        want = _want_plan_mau(flat_rows if kind == "flat" else rows, a.scenario(what))
        for name, w in want.items():
            got = values[name]
            assert (got == "n/a") if w is None else got == pytest.approx(w, rel=1e-12), (what, name, got, w)
        if kind == "flat":  # the curve that does not decay: n/a beside the scenario's own MAU
            assert values["cohort_mau_12_curve"] == values["cohort_mau_end_curve"] == "n/a"
            assert isinstance(values["cohort_mau_12_assumed"], float)


@pytest.mark.libreoffice
def test_the_workbook_shows_the_plan_mau_of_every_scenario(tmp_path):
    """The cohorts workbook shows what `xlmodel cohorts -a` prints: the MAU the plan reaches with the scenario's
    churn and with the observed curve, for the live scenario (values as generated, picked by scenario_index);
    editing a share or an input afterwards turns cohort_plan_fresh FALSE (verify fails) but not the master check."""
    need_libreoffice()
    a, rows, cases, paths = _plan_mau_books(tmp_path)
    assert len({tuple(_want_plan_mau(rows, a.scenario(n)).values()) for n in a.scenario_names}) == 4
    flat_rows = read_cohorts(tmp_path / "flat.csv")
    _check_plan_mau(a, rows, cases, recalculate(paths, tmp_path / "out"), "LibreOffice", flat_rows)


@pytest.mark.libreoffice
@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl reading Gnumeric's file
def test_gnumeric_shows_the_same_plan_mau_and_status(tmp_path):
    need_gnumeric()
    a, rows, cases, paths = _plan_mau_books(tmp_path)
    flat_rows = read_cohorts(tmp_path / "flat.csv")
    _check_plan_mau(a, rows, cases, recalculate_gnumeric(paths, tmp_path / "gn"), "Gnumeric", flat_rows)


def test_the_plan_mau_block_and_the_cover():
    """The block's layout: one value column per scenario, the live pick by the three-argument INDEX, the copy
    of the average curve as generated, a status on the Cohorts sheet and the Cover (not a check)."""
    a = assumptions.default()
    rows = read_cohorts(SIZED)
    wb = _sized_book()
    for i, name in enumerate(a.scenario_names):
        want = _want_plan_mau(rows, a.scenario(name))
        for key in PLAN_MAU_NAMES:
            assert _cells_of(wb, f"{key}_by_scenario")[i].value == pytest.approx(want[key], rel=1e-15)
    for key in PLAN_MAU_NAMES:
        (pick,) = _cells_of(wb, key)
        row = _cells_of(wb, f"{key}_by_scenario")
        assert pick.value == f"=INDEX({row[0].coordinate}:{row[-1].coordinate},1,scenario_index)"
    assert [c.value for c in _cells_of(wb, "cohort_average_as_generated")] == pytest.approx(
        average_curve(rows), rel=1e-15
    )
    (fresh,) = _cells_of(wb, "cohort_plan_fresh")
    assert "scenarios_fresh" in fresh.value and "average_retention" in fresh.value
    checks = wb["Checks"]
    assert not any("cohort_plan" in str(c.value) for row in checks.iter_rows() for c in row)
    labels = [c.value for c in wb["Cohorts"]["A"] if isinstance(c.value, str)]
    assert (
        "MAU month 12 (2025-11), churn assumed" in labels
        and "MAU month 60 (2029-11), observed curve" in labels
    )
    cover = {c.value: c for c in wb["Cover"]["A"] if isinstance(c.value, str)}
    assert cover["MAU at month 12, observed curve"].offset(column=1).value == "=cohort_mau_12_curve"
    assert cover["MAU at month 60, churn assumed"].offset(column=2).value == "users, 2029-11"
    assert cover["Plan MAU above (the Cohorts sheet)"].offset(column=1).value == "=cohort_plan_status"
    # one scenario: the Scenarios sheet still keeps the inputs' copy that cohort_plan_fresh reads
    raw = {k: v for k, v in a.scenario().items() if k not in ("horizon", "cost_per_mau")}
    one = assumptions.from_dict({"model": {"name": "One"}, "scenarios": {"only": raw}}, "one.toml")
    wb1 = build("cohorts", one, cohorts=rows)
    assert "scenarios_fresh" in wb1.defined_names and "cohort_plan_fresh" in wb1.defined_names
