"""Excel-function adapter cost, as ratios against baselines measured in this same run.

    python bench/udfs.py

Goals (issue 3): LLM_RUNWAY with a 120-month horizon costs under 2x a direct
engine call; one LLM_RUNWAY call over a 1,000-row column of scenarios is at
least 50x faster than 1,000 single-cell calls.
"""

from __future__ import annotations

import time

import numpy as np

import xlmodel as xm
from xlmodel.udfs import LLM_CAC, LLM_LTV, LLM_RUNWAY

ARGS = (1.2e6, 5e4, 2e4, 4.0, 0.08, 0.05, 12.0, 0.3, 1.5e5)
NAMES = ("cash", "mau", "ad_spend", "cac", "churn", "conversion", "arppu", "cost_per_mau", "fixed_costs")


def per_call(fn, n):
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best


def main():
    kw = dict(zip(NAMES, ARGS))
    # what xlwings hands over with ndim=2: every argument a 2-D list
    cells = [[[a]] for a in ARGS] + [[[None]]] * 3 + [[[120.0]]]
    assert LLM_RUNWAY(*cells) == xm.runway_months(**kw, horizon=120)
    engine = per_call(lambda: xm.runway_months(**kw, horizon=120), 300)
    adapter = per_call(lambda: LLM_RUNWAY(*cells), 300)
    print(
        f"LLM_RUNWAY, one scenario, 120 months: engine {engine * 1e6:7.1f} us, via the Excel function "
        f"{adapter * 1e6:7.1f} us  overhead ratio {adapter / engine:.2f}x (goal < 2x)"
    )

    for name, fn, args, direct in [
        ("LLM_CAC", LLM_CAC, ([[1000.0]], [[20.0]], [[None]]), lambda: xm.cac(1000.0, 20.0)),
        (
            "LLM_LTV",
            LLM_LTV,
            ([[10.0]], [[0.8]], [[0.05]], [[0.1]], [[None]]),
            lambda: xm.ltv(10.0, 0.8, 0.05, 0.1),
        ),
    ]:
        e = per_call(direct, 2000)
        a = per_call(lambda fn=fn, args=args: fn(*args), 2000)
        print(
            f"{name}, one cell: engine {e * 1e6:6.1f} us, Excel function {a * 1e6:6.1f} us  ratio {a / e:.2f}x"
        )

    rows = 1000
    churns = np.linspace(0.01, 0.5, rows)
    column = [[float(c)] for c in churns]
    col_args = list(cells)
    col_args[4] = column
    one_call = per_call(lambda: LLM_RUNWAY(*col_args), 5)
    scalar_calls = per_call(lambda: [LLM_RUNWAY(*cells[:4], [[c]], *cells[5:]) for c in churns], 1)
    got = LLM_RUNWAY(*col_args)
    assert len(got) == rows and got[3][0] == LLM_RUNWAY(*cells[:4], [[float(churns[3])]], *cells[5:])
    print(
        f"LLM_RUNWAY over a {rows:,}-row column: one call {one_call * 1e3:7.1f} ms, {rows:,} single-cell calls "
        f"{scalar_calls * 1e3:8.1f} ms  speed-up {scalar_calls / one_call:.0f}x (goal >= 50x)"
    )

    # issue 11: one bad cell in a 10,000-row column must not send the whole range row by row
    big = [[float(c)] for c in np.linspace(0.01, 0.5, 10_000)]
    clean_args, bad_args = list(cells), list(cells)
    clean_args[4] = big
    bad_args[4] = big[:5000] + [["oops"]] + big[5001:]
    t_clean = per_call(lambda: LLM_RUNWAY(*clean_args), 3)
    t_bad = per_call(lambda: LLM_RUNWAY(*bad_args), 3)
    assert LLM_RUNWAY(*bad_args)[5000][0].startswith("#VALUE!")
    print(
        f"LLM_RUNWAY over a 10,000-row column: clean {t_clean * 1e3:7.1f} ms, with one text cell "
        f"{t_bad * 1e3:7.1f} ms  ratio {t_bad / t_clean:.2f}x (was ~50x before per-cell validation)"
    )

    from xlmodel.udfs import LLM_PRICE

    known = [["gpt-4o-mini"]] * 10_000
    unknown = [[f"no-such-model-{i}"] for i in range(10_000)]
    t_known = per_call(lambda: LLM_PRICE(known), 1)
    t_unknown = per_call(lambda: LLM_PRICE(unknown), 1)  # first call: every suggestion computed
    print(
        f"LLM_PRICE over 10,000 cells: known model {t_known:6.2f} s, 10,000 distinct unknown names "
        f"{t_unknown:6.2f} s (was ~41 s before caching and the trigram prefilter)"
    )


if __name__ == "__main__":
    main()
