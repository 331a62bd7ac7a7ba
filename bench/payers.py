"""Payers as their own stock (issue 25): the two-stock plan with annual plans against the one-stock version-4 plan
on the same inputs, and the memory of ``runway_months`` against the horizon.

    python bench/payers.py [--scenarios 100000] [--months 120]

Goals (issue 25):
- two stocks with annual plans: ``project`` at most 2x the one-stock version-4 plan (a team, capex, credits,
  terms and tax) on the same inputs;
- ``runway_months`` and ``simulate`` of the two-stock plan: peak memory independent of the horizon (twice the
  months, about the same peak).

Timings are best-of-N wall clock on a shared machine: only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from company import company
from plan import decisions, inputs
from timing import best

import xlmodel as xm
from xlmodel.assumptions import load
from xlmodel.ranges import parse_range
from xlmodel.simulate import simulate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "payers-2024.toml"


def stocks(n, rng):
    """Two stocks and annual plans, numbers drawn per scenario."""
    return dict(
        paying_churn=rng.uniform(0.02, 0.2, n),
        upgrade=rng.uniform(0, 0.05, n),
        annual_share=rng.uniform(0, 0.6, n),
        annual_price=rng.uniform(100, 500, n),
        annual_renewal=rng.uniform(0, 0.8, n),
    )


def peak(fn):
    """Peak traced memory of ``fn()``, in MB."""
    tracemalloc.start()
    fn()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    n, h = a.scenarios, a.months
    rng = np.random.default_rng(0)
    kw = inputs(n, rng)
    changes, funding = decisions(n, rng, h)
    # a conversion change is an error with two stocks: the same month changes upgrade instead (both plans)
    changes = [{("upgrade" if k == "conversion" else k): v for k, v in c.items()} for c in changes]
    one = dict(kw, horizon=h, funding=funding, interest_rate=0.02, **company(n, rng, h))
    one["changes"] = [c for c in changes if "upgrade" not in c]
    two = dict(one, changes=changes, **stocks(n, rng))
    for c in two["changes"]:
        if "upgrade" in c:
            c["upgrade"] = rng.uniform(0, 0.05, n)
    t_one = best(lambda: xm.project(**one), a.repeat)
    t_two = best(lambda: xm.project(**two), a.repeat)
    t_run = best(lambda: xm.runway_months(**two), a.repeat)
    print(
        f"{n:,} scenarios x {h} months, 5 changes, 2 rounds, interest, the whole company (best of {a.repeat})"
    )
    print(f"  project, one stock (version 4)                    {t_one:8.3f} s")
    print(
        f"  project, two stocks and annual plans              {t_two:8.3f} s   {t_two / t_one:5.2f}x  (goal <= 2x)"
    )
    print(
        f"  runway_months, the same two-stock plan            {t_run:8.3f} s   {t_run / t_two:5.2f}x project"
    )
    m = max(1, n // 10)
    small = {
        k: (v[:m] if isinstance(v, np.ndarray) else v)
        for k, v in two.items()
        if k not in ("changes", "funding", "team", "capex")
    }
    small["changes"] = [
        {k: (v[:m] if isinstance(v, np.ndarray) else v) for k, v in c.items()}
        for c in changes
        if c["month"] <= h // 2
    ]
    short = peak(lambda: xm.runway_months(**dict(small, horizon=h // 2)))
    long_ = peak(lambda: xm.runway_months(**dict(small, horizon=h)))
    print(
        f"  runway_months peak memory, {m:,} scenarios: {h // 2} months {short:7.1f} MB, {h} months {long_:7.1f} MB"
        f"   {long_ / short:5.2f}x  (goal ~1x: independent of the horizon)"
    )
    scenario = dict(load(EXAMPLE).scenario("annual-plans"))
    scenario["paying_churn"] = parse_range("paying_churn", {"low": 0.05, "high": 0.15})
    scenario["upgrade"] = parse_range("upgrade", {"low": 0.001, "high": 0.003})
    draws = max(1000, n // 5)
    short = peak(lambda: simulate(dict(scenario, horizon=h // 2), draws=draws, seed=0))
    long_ = peak(lambda: simulate(dict(scenario, horizon=h), draws=draws, seed=0))
    print(
        f"  simulate peak memory, {draws:,} draws of examples/payers-2024.toml annual-plans (paying_churn and"
        f" upgrade ranged): {h // 2} months {short:7.1f} MB, {h} months {long_:7.1f} MB   {long_ / short:5.2f}x"
        "  (goal ~1x)"
    )


if __name__ == "__main__":
    main()
