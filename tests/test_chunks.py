"""A large array of scenarios is projected in chunks (xlmodel.chunks) and its stepped company lines are built
when first read (xlmodel.stepped): neither may change a number.

Oracle: the same projection walked as one array (chunks of a billion scenarios) and, for the stepped lines,
each scenario's own projection of one scenario (which stores every month as it goes). Scenarios are made to
differ where a chunk decides what to compute (interest, VAT and fees, CAC elasticity, tax, credits, annual
plans: some scenarios at 0, others not), so that chunks take different ways to the same numbers.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlmodel as xm
from xlmodel import chunks
from xlmodel.company import COMPANY_ROWS, STEPPED_ROWS
from xlmodel.payers import STOCK_ROWS
from xlmodel.stepped import Lines

from . import strategies as S

N = 7
#: inputs made to differ by scenario, with some scenarios at 0 (a chunk of only those leaves an operation out)
VARIED = (
    "interest_rate",
    "vat",
    "store_fee",
    "cac_elasticity",
    "tax_rate",
    "credits",
    "tax_losses",
    "annual_share",
)


@st.composite
def scenario_arrays(draw):
    """A version-4 plan (sometimes with payers as their own stock and annual plans) whose inputs are arrays of
    ``N`` scenarios: the varied ones 0 in a random subset of scenarios, every other number scaled per
    scenario."""
    kw = draw(S.company_inputs(horizon=st.integers(1, 30)))
    if draw(st.booleans()):  # payers as their own stock, sometimes with annual plans
        kw.update(paying_churn=draw(S._floats(0, 0.5)), upgrade=draw(S._floats(0, 0.05)))
        kw.pop("retention", None)
        kw["changes"] = [c for c in kw["changes"] if "conversion" not in c]
        if draw(st.booleans()):
            kw.update(annual_share=draw(S._floats(0.01, 1)), annual_price=draw(S._floats(1, 500)),
                      annual_renewal=draw(S.fraction))  # fmt: skip
    zeros = np.array(draw(st.lists(st.booleans(), min_size=N, max_size=N)))
    scale = np.array(draw(st.lists(S._floats(0.5, 2), min_size=N, max_size=N)))
    for k in VARIED:
        if k in kw and kw[k]:
            kw[k] = np.where(zeros, 0.0, np.full(N, float(kw[k])))
    if kw["cac_elasticity"] is not None and np.any(kw["cac_elasticity"]) and not kw["ad_spend"]:
        kw["cac_elasticity"] = 0.0
    kw["cash"] = kw["cash"] * scale
    kw["mau"] = kw["mau"] * scale[::-1]
    for entry in kw["team"][:1]:
        entry["count"] = entry["count"] * scale
    for x in kw["capex"][:1]:
        x["amount"] = x["amount"] * scale[::-1]
    return kw


def _same(a, b) -> bool:
    """Equal bits, -0.0 and +0.0 made one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and (a + 0.0).tobytes() == (b + 0.0).tobytes()


def _project(kw, chunk, monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK", chunk)
    return xm.project(**kw)


@settings(max_examples=60, deadline=None)
@given(scenario_arrays(), st.sampled_from([1, 2, 3]))
def test_chunks_give_the_numbers_of_one_array(kw, chunk):
    with pytest.MonkeyPatch.context() as mp:
        whole = _project(kw, 10**9, mp)
        parts = _project(kw, chunk, mp)
    assert len(chunks.bounds(N, chunk)) > 1
    for name in xm.Projection.ROWS:
        assert _same(getattr(parts, name), getattr(whole, name)), name
    assert (parts.company is None) == (whole.company is None)
    if whole.company is not None:
        assert list(parts.company) == list(whole.company) == list(COMPANY_ROWS)
        for name in COMPANY_ROWS:
            assert _same(parts.company[name], whole.company[name]), name
        for name in whole.opening:
            assert _same(parts.opening[name], whole.opening[name]), name
    assert (parts.stocks is None) == (whole.stocks is None)
    for name in STOCK_ROWS if whole.stocks is not None else ():
        assert _same(parts.stocks[name], whole.stocks[name]), name


@settings(max_examples=40, deadline=None)
@given(scenario_arrays())
def test_stepped_lines_built_when_read_are_each_scenarios_own(kw):
    """Payroll, headcount and depreciation of an array of scenarios (built from their changes when read) are
    what each scenario's projection alone stores month by month."""
    many = xm.project(**kw)
    assert isinstance(many.company, Lines)
    for j in range(N):
        one = {k: (v[j] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        one["team"] = [
            {k: (v[j] if isinstance(v, np.ndarray) else v) for k, v in e.items()} for e in kw["team"]
        ]
        one["capex"] = [
            {k: (v[j] if isinstance(v, np.ndarray) else v) for k, v in x.items()} for x in kw["capex"]
        ]
        alone = xm.project(**one)
        for name in STEPPED_ROWS:
            assert _same(many.company[name][j], alone.company[name]), name


def test_bounds_split_evenly_and_only_when_it_pays():
    assert chunks.bounds(10, 8) == [(0, 10)]  # below 1.5 chunks: one
    assert chunks.bounds(100_000, 32_768) == [(0, 33_333), (33_333, 66_666), (66_666, 100_000)]
    spans = chunks.bounds(1_000_003, 32_768)
    assert spans[0][0] == 0 and spans[-1][1] == 1_000_003
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:]))
    assert max(b - a for a, b in spans) - min(b - a for a, b in spans) <= 1


def test_take_slices_only_arrays_of_every_scenario():
    from xlmodel.company import Grant

    n = 4
    x = {
        "a": np.arange(4.0),
        "b": np.float64(2.0),
        "c": np.array([3.0]),
        "d": [Grant(2, np.arange(4.0), 9.0)],
    }
    got = chunks.take(x, 1, 3, n)
    assert got["a"].tolist() == [1.0, 2.0] and got["b"] == 2.0 and got["c"].tolist() == [3.0]
    assert got["d"][0].amount.tolist() == [1.0, 2.0] and got["d"][0].month == 2 and got["d"][0].expiry == 9.0


def test_lines_build_a_stepped_line_once_and_read_like_a_dict():
    p = xm.project(cash=1e6 * np.ones(3), mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0,
                   cost_per_mau=0, horizon=14, start="2025-01", salary_growth=0.1,
                   team=[{"role": "eng", "department": "rd", "count": np.array([1.0, 2.0, 3.0]),
                          "salary": 1000, "from": 3, "to": 12}])  # fmt: skip
    c = p.company
    assert len(c) == len(COMPANY_ROWS) and list(c) == list(COMPANY_ROWS) and "payroll" in c
    payroll = c["payroll"]
    assert c["payroll"] is payroll  # built once
    assert payroll.shape == (3, 14)
    # 0 in months 1-2, paid 3-12 with a raise in January 2026 (month 13 is after "to"), 0 in 13-14
    assert payroll[1].tolist() == [0, 0] + [2000.0] * 10 + [0, 0]
    assert c["headcount"][2].tolist() == [0, 0] + [3.0] * 10 + [0, 0]
    with pytest.raises(KeyError):
        c["no such line"]
    assert dict(c).keys() == set(COMPANY_ROWS)


def test_a_pool_used_up_and_granted_again_keeps_its_place_in_the_balance(monkeypatch):
    """A pool of credits used up in every scenario of one chunk (scenario 0's opening credits) and filled again by
    a later round with the same expiry: the balance adds the pools in the same order for a scenario alone, in
    an array and in a chunk of its own, so the numbers are the same bits (found by an independent review)."""
    kw = dict(cash=1e6, mau=1000.0, ad_spend=100.0, cac=2.0, churn=0.05, conversion=0.05, arppu=10.0,
              cost_per_mau=0.20519036904821147, horizon=12, credits=np.array([1.0, 5e5]),
              funding=[{"month": 1, "amount": 0.1, "credits": 3118.3145201048546, "expires": 30},
                       {"month": 2, "amount": 0.2, "credits": 4233.264489725757, "expires": 40},
                       {"month": 5, "amount": 0.3, "credits": 8277.025938204417}])  # fmt: skip
    both = xm.project(**kw).company
    alone = xm.project(**dict(kw, credits=1.0)).company
    monkeypatch.setattr(chunks, "CHUNK", 1)
    parts = xm.project(**kw).company
    for name in ("credit_balance", "credits_used", "credits_lapsed"):
        assert _same(both[name][0], alone[name]), name
        assert _same(parts[name], both[name]), name


def test_lines_built_later_are_the_projections_own_and_pickle():
    """A stepped line built when first read comes from the inputs as they were at the projection (a caller's
    array changed afterwards changes nothing), and a projection pickles with every line."""
    import pickle

    count = np.array([1.0, 2.0, 3.0])
    p = xm.project(cash=1e6 * np.ones(3), mau=0, ad_spend=0, cac=1, churn=0, conversion=0, arppu=0,
                   cost_per_mau=0, horizon=4, team=[{"role": "e", "department": "rd", "count": count,
                                                     "salary": 1000}])  # fmt: skip
    count *= 100
    assert p.company["payroll"][:, 0].tolist() == [1000.0, 2000.0, 3000.0]
    q = pickle.loads(pickle.dumps(p))
    for name in COMPANY_ROWS:
        assert _same(q.company[name], p.company[name]), name
    assert _same(q.cash, p.cash)
