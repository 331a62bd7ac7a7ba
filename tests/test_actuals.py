"""Cohorts and actuals (docs/model.md, "Cohorts and actuals"): oracles, plain-loop references, bad files."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel.actuals import ACTUALS_COLUMNS, Actuals, read_cohorts
from xlmodel.assumptions import load
from xlmodel.fitted_toml import fitted_toml
from xlmodel.udfs import LLM_COHORT_CHURN, LLM_COHORT_LTV

ROOT = Path(__file__).resolve().parents[1]
ACTUALS = ROOT / "examples" / "actuals-2024.csv"
COHORTS = ROOT / "examples" / "cohorts-2024.csv"

churn = st.floats(0.01, 0.9)
rate = st.floats(0.0, 0.5)
money = st.floats(0.01, 1e4)
margin = st.floats(-2.0, 1.0)


# ------------------------------------------------------------- references


def ref_cohort_ltv(r, arpu, gm, annual, tail=True):
    """docs/model.md's cohort LTV, literally, one month at a time."""
    m = arpu * gm
    d = (1 + annual) ** (1 / 12) - 1
    k = len(r)
    observed = 0.0
    for t in range(1, k + 1):
        observed += m * r[t - 1] / (1 + d) ** t
    if not tail:
        return observed
    j = min(3, k - 1)
    q = (r[k - 1] / r[k - 1 - j]) ** (1 / j)
    return observed + m * r[k - 1] * q / ((1 + d) ** k * (1 + d - q))


def ref_fit(rows, window):
    """docs/model.md's fitted drivers as ratios of sums, with plain loops over row dicts."""
    n = len(rows)
    win = rows[n - window :]
    s = lambda key, rs=win: sum(r[key] for r in rs)
    lost = prev = 0.0
    for t in range(max(n - window, 1), n):
        lost += rows[t - 1]["mau"] + rows[t]["new_users"] - rows[t]["mau"]
        prev += rows[t - 1]["mau"]
    return {
        "cash": rows[-1]["cash"],
        "mau": rows[-1]["mau"],
        "ad_spend": rows[-1]["ad_spend"],
        "cac": s("ad_spend") / s("paid_new_users"),
        "paid_share": s("paid_new_users") / s("new_users"),
        "churn": lost / prev,
        "conversion": s("paying_users") / s("mau"),
        "arppu": s("revenue") / s("paying_users"),
        "cost_per_mau": s("compute_cost") / s("mau"),
        "fixed_costs": s("fixed_costs") / window,
    }


def table_from(rows) -> Actuals:
    months = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(len(rows))]
    return Actuals(months, {c: np.array([r[c] for r in rows], dtype=float) for c in ACTUALS_COLUMNS[1:]})


def projected_actuals(kw, n):
    """Monthly actuals as the projection would produce them with constant drivers."""
    p = xm.project(**kw, horizon=n)
    return [
        dict(
            ad_spend=p.ad_spend[t],
            new_users=p.new_users[t],
            paid_new_users=p.paid_new_users[t],
            mau=p.mau[t],
            paying_users=p.paying_users[t],
            revenue=p.revenue[t],
            compute_cost=p.compute[t],
            fixed_costs=p.fixed_costs[t],
            cash=p.cash[t],
        )
        for t in range(n)
    ]


# ------------------------------------------------------------------ cohorts


@given(churn, rate, money, margin, st.integers(2, 36))
def test_geometric_curve_gives_exactly_ltv_and_churn(c, annual, arpu, gm, k):
    r = (1 - c) ** np.arange(k)
    assert xm.cohort_ltv(r, arpu, gm, annual) == pytest.approx(
        xm.ltv(arpu, gm, c, annual), rel=1e-12, abs=1e-12
    )
    assert xm.cohort_churn(r) == pytest.approx(c, abs=1e-12)


@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=24), rate, money, margin, st.booleans())
def test_cohort_ltv_matches_the_plain_loop(r, annual, arpu, gm, tail):
    r = sorted(r, reverse=True)  # a decaying curve (flat stretches allowed)
    d = (1 + annual) ** (1 / 12) - 1
    j = min(3, len(r) - 1)
    q = (r[-1] / r[-1 - j]) ** (1 / j)
    assume(not tail or q < 1 + d - 1e-9)
    want = ref_cohort_ltv(r, arpu, gm, annual, tail)
    got = xm.cohort_ltv(r, arpu, gm, annual, tail=tail)
    scale = abs(arpu * gm) * (len(r) + (1 / (1 + d - q) if tail else 0))
    assert abs(got - want) <= 1e-9 * max(scale, 1e-300)


def test_observed_only_and_broadcasting():
    assert xm.cohort_ltv([1.0, 0.9, 0.81], 10, 0.5, tail=False) == pytest.approx(5 * (1 + 0.9 + 0.81))
    got = xm.cohort_ltv([[1.0, 0.9, 0.81], [1.0, 0.8, 0.64]], np.array([10.0, 20.0]), 0.5)
    assert np.allclose(got, [50.0, 50.0], rtol=1e-12)


@pytest.mark.parametrize(
    "curve,message",
    [
        ([0.5, 0.6], "retention does not decay"),
        ([1.0], "retention needs at least 2 months"),
        (
            [1.0, 1.2],
            "retention shares must be above 0 and at most 1 (share of the cohort active), got 1.2 in month 2",
        ),
        ([1.0, 0.0], "got 0 in month 2"),
    ],
)
def test_bad_curves(curve, message):
    with pytest.raises(xm.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        xm.cohort_ltv(curve, 10, 0.5)


def test_flat_curve_without_tail_is_the_observed_sum():
    assert xm.cohort_ltv([0.5, 0.5, 0.5], 2, 1.0, tail=False) == 3.0


def test_excel_cohort_functions():
    assert LLM_COHORT_LTV([[1.0], [0.9], [0.81], [None]], 10, 0.5) == pytest.approx(50.0, rel=1e-12)
    assert LLM_COHORT_LTV([[1.0, 0.9, 0.81, ""]], 10, 0.5, None, False) == pytest.approx(13.55)
    assert LLM_COHORT_CHURN([[1.0, 0.8, 0.64, None, None]]) == pytest.approx(0.2)
    assert (
        LLM_COHORT_LTV([[1.0, None, 0.5]], 1, 1)
        == "#VALUE! retention month 2 is empty: only cells at the end may be empty"
    )
    assert LLM_COHORT_LTV([[0.5, 0.7]], 10, 0.5).startswith("#VALUE! retention does not decay")
    assert LLM_COHORT_CHURN(0.5).startswith("#VALUE! retention needs at least 2 months")
    assert (
        LLM_COHORT_LTV([[1, 0.5], [0.4, 0.3]], 1, 1)
        == "#VALUE! retention must be one row or one column of shares"
    )
    assert LLM_COHORT_LTV([[1, 0.5]], 1, 1, 0, "yes") == "#VALUE! tail must be TRUE or FALSE, got 'yes'"


def test_read_cohorts_example():
    rows = read_cohorts(COHORTS)
    assert [c.name for c in rows][:2] == ["2024-03", "2024-04"]
    assert [len(c.retention) for c in rows] == [6, 5, 4, 3, 2, 1]


# ------------------------------------------------------------------ actuals


@given(
    st.floats(1e5, 1e10),
    st.floats(1e3, 1e7),
    st.floats(1, 1e8),
    st.floats(1, 100),
    st.floats(0.1, 1),
    churn,
    st.floats(0.001, 0.5),
    st.floats(1, 100),
    st.floats(0, 5),
    st.floats(0, 1e7),
    st.integers(2, 12),
    st.integers(1, 12),
)
def test_actuals_from_the_projection_give_back_its_drivers(
    cash, mau, ad, cac, paid_share, c, conv, arppu, cost, fixed, n, window
):
    assume(window <= n)  # spend of at least 1: subnormal spends lose the paid share's digits
    kw = dict(
        cash=cash,
        mau=mau,
        ad_spend=ad,
        cac=cac,
        churn=c,
        conversion=conv,
        arppu=arppu,
        cost_per_mau=cost,
        fixed_costs=fixed,
        paid_share=paid_share,
    )
    rows = projected_actuals(kw, n)
    f = xm.fit_actuals(table_from(rows), window)
    for k in ("cac", "paid_share", "churn", "conversion", "arppu", "cost_per_mau", "fixed_costs"):
        assert f.fitted[k] == pytest.approx(kw[k], rel=1e-9, abs=1e-12), k
    assert f.fitted["cash"] == rows[-1]["cash"] and f.fitted["mau"] == rows[-1]["mau"]
    scale = abs(cash) + sum(abs(r["ad_spend"]) + abs(r["revenue"]) + r["compute_cost"] + fixed for r in rows)
    for u in f.unexplained_cash:
        assert abs(u["amount"]) <= 1e-9 * scale
    for r in f.drivers_by_month[1:]:
        assert r["churn"] == pytest.approx(c, rel=1e-9, abs=1e-12)


@given(
    st.lists(st.tuples(*(st.floats(1, 1e6) for _ in range(9))), min_size=2, max_size=10), st.integers(1, 10)
)
def test_fit_matches_the_plain_loop_reference(data, window):
    assume(window <= len(data))
    rows = []
    for ad, new, paid, mau, paying, rev, comp, fixed, cash in data:
        rows.append(
            dict(
                ad_spend=ad,
                new_users=max(new, paid),
                paid_new_users=paid,
                mau=max(mau, paying),
                paying_users=paying,
                revenue=rev,
                compute_cost=comp,
                fixed_costs=fixed,
                cash=cash,
            )
        )
    got = xm.fit_actuals(table_from(rows), window).fitted
    want = ref_fit(rows, window)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-12), k


def test_calc_on_the_fitted_file_continues_the_projection(tmp_path):
    kw = dict(
        cash=5e8,
        mau=2e5,
        ad_spend=3e6,
        cac=20.0,
        churn=0.25,
        conversion=0.03,
        arppu=25.0,
        cost_per_mau=0.8,
        fixed_costs=4e6,
        paid_share=0.7,
    )
    n, h = 9, 24
    whole = xm.project(**kw, horizon=n + h)
    f = xm.fit_actuals(table_from(projected_actuals(kw, n)), 3)
    path = tmp_path / "fitted.toml"
    path.write_text(fitted_toml(f, currency="USD", horizon=h), encoding="utf-8")
    s = load(path).scenario("actuals")
    onward = xm.project(**s)
    for row in ("cash", "mau", "revenue", "net_burn"):
        assert np.allclose(getattr(onward, row), getattr(whole, row)[n:], rtol=1e-9), row
    runway = xm.runway_months(**s)
    whole_runway = xm.runway_months(**kw, horizon=n + h)
    assert (
        runway == pytest.approx(whole_runway - n, rel=1e-9)
        if math.isfinite(whole_runway)
        else math.isinf(runway)
    )


def test_zero_paying_users_give_n_a_not_a_crash():
    rows = [
        dict(
            ad_spend=1e4,
            new_users=100,
            paid_new_users=100,
            mau=1000,
            paying_users=0,
            revenue=0,
            compute_cost=50,
            fixed_costs=1e3,
            cash=1e6 - 1.105e4 * (t + 1),
        )
        for t in range(3)
    ]
    f = xm.fit_actuals(table_from(rows), 3)
    assert f.fitted["arppu"] is None and f.drivers_by_month[0]["arppu"] is None
    assert f.fitted["conversion"] == 0.0
    with pytest.raises(xm.XlmodelError, match="arppu is n/a over"):
        fitted_toml(f)


# ------------------------------------------------------------------ CLI


def test_fit_table_json_and_file(run, tmp_path):
    r = run("fit", ACTUALS)
    assert r.exit_code == 0, r.output
    assert "2024-08  50.00" in r.output and "fitted over 2024-06..2024-08" in r.output
    doc = json.loads(run("fit", ACTUALS, "--window", "2", "--json").output)
    assert set(doc) >= {"drivers_by_month", "fitted", "unexplained_cash"}
    assert doc["window"] == ["2024-07", "2024-08"]
    assert doc["drivers_by_month"][0]["churn"] is None and doc["drivers_by_month"][1]["month"] == "2024-04"
    assert doc["unexplained_cash"][0]["month"] == "2024-04"
    assert doc["fitted"]["cac"] == pytest.approx((50e6 + 50e6) / (1111111 + 1000000), rel=1e-12)
    out = tmp_path / "fitted.toml"
    r = run("fit", ACTUALS, "-o", out, "--currency", "RMB")
    assert r.exit_code == 0 and out.exists()
    text = out.read_text(encoding="utf-8")
    assert "# sum(ad_spend) / sum(paid_new_users), 2024-06..2024-08" in text
    r = run("calc", out)
    assert r.exit_code == 0 and "scenario actuals" in r.output
    before = out.read_bytes()
    r = run("fit", ACTUALS, "-o", out)
    assert r.exit_code == 2 and "exists; pass --force" in r.output and out.read_bytes() == before


HEADER = ",".join(ACTUALS_COLUMNS)
GOOD = ["2024-01,10,100,70,1000,10,100,50,20,1000", "2024-02,10,100,70,1050,11,110,52,20,930"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "bad.csv: is empty"),
        ("# only a comment\n", "bad.csv: has no rows"),
        (HEADER + "\n" + GOOD[0] + "\n", "bad.csv: needs at least two months of data"),
        (
            HEADER.replace(",cash", "") + "\n" + "\n".join(g.rsplit(",", 1)[0] for g in GOOD),
            "bad.csv: row 1: cash: missing column cash",
        ),
        (
            HEADER + "\n" + GOOD[0] + "\n" + GOOD[1].replace(",110,", ",lots,"),
            "bad.csv: row 3: revenue: must be a number, got 'lots'",
        ),
        (
            HEADER + "\n" + GOOD[0] + "\n" + GOOD[1].replace(",1050,", ",-5,"),
            "bad.csv: row 3: mau: must be 0 or more, got -5",
        ),
        (
            HEADER + "\n" + GOOD[1] + "\n" + GOOD[0],
            "bad.csv: row 3: month: month 2024-01 is out of order (after 2024-02)",
        ),
        (HEADER + "\n" + GOOD[0] + "\n" + GOOD[0], "bad.csv: row 3: month: month 2024-01 appears twice"),
        (
            HEADER + "\n" + GOOD[0] + "\n" + GOOD[1].replace("2024-02", "2024-04"),
            "bad.csv: row 3: month: months must be consecutive: 2024-01 is followed by 2024-04",
        ),
        (
            HEADER + "\n" + GOOD[0] + "\n" + GOOD[1].replace("2024-02", "Feb 2024"),
            "bad.csv: row 3: month: must be a month YYYY-MM",
        ),
        (
            HEADER + "\n" + GOOD[0] + "\n" + GOOD[1].replace(",100,70,", ",100,170,"),
            "bad.csv: row 3: paid_new_users: paid_new_users (170) cannot exceed new_users (100)",
        ),
    ],
)
def test_bad_actuals_exit_2_and_write_nothing(run, tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    r = run("fit", "bad.csv", "-o", "out.toml", cwd=tmp_path)
    assert r.exit_code == 2
    assert r.output.startswith("Error: " + message), r.output
    assert r.output.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_extra_columns_are_ignored_with_a_note(run, tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + ",region\n" + "\n".join(g + ",north" for g in GOOD) + "\n")
    r = run("fit", "a.csv", "--window", "2", cwd=tmp_path)
    assert r.exit_code == 0 and "note: columns ignored (not in the model): region" in r.output


def test_cohorts_command(run):
    r = run("cohorts", COHORTS, "--arpu", "0.3", "--gross-margin", "0.5", "--discount", "0.12")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[2].split() == ["cohort", "months", "churn", "ltv"]
    first = read_cohorts(COHORTS)[0].retention
    assert f"{xm.cohort_ltv(first, 0.3, 0.5, 0.12):,.4f}" in lines[3]
    assert "2024-08        1      n/a           n/a  (one month: no tail)" in r.output
    assert lines[-1].startswith("average")
    doc = json.loads(run("cohorts", COHORTS, "-a", "examples/llm-assistant-2024.toml", "--json").output)
    # the revenue per MAU of the file: 1% x 30 net of 6% VAT and a 15% store fee
    assert doc["arpu"] == pytest.approx(0.01 * 30 / 1.06 * 0.85) and doc["cohorts"][-1]["cohort"] == "average"
    r = run("cohorts", COHORTS)
    assert r.exit_code == 2 and "give --arpu and --gross-margin" in r.output


@pytest.mark.parametrize(
    "text,message",
    [
        ("cohort,m1,m2\n2024-01,0.5,,0.3\n", "bad.csv: row 2: month 2: an empty share inside the curve"),
        (
            "2024-01,0.5,1.3\n",
            "bad.csv: row 1: month 2: a retention share must be above 0 and at most 1, got 1.3",
        ),
        ("2024-01,0.5\n2024-01,0.4\n", "bad.csv: row 2: cohort: cohort 2024-01 appears twice"),
        ("cohort,m1\nJan,0.5\n", "bad.csv: row 2: cohort: the cohort must be a month YYYY-MM, got 'Jan'"),
    ],
)
def test_bad_cohorts_file(run, tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    r = run("cohorts", "bad.csv", "--arpu", "1", "--gross-margin", "0.5", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.startswith("Error: " + message), r.output
