"""Model version 3's speed and memory, as ratios against baselines measured in this same run.

    python bench/plan.py [--scenarios 100000] [--months 120]

Goals (issue 15):
- ``project`` with 5 changes and 2 funding rounds over 100k scenarios x 120 months: at most 1.3x version 2's
  ``project`` (its code frozen in tests/v2_projection.py) on the same inputs;
- ``runway_months`` at most 1.0x ``project`` and at most 1.5x a bare numpy loop that streams the cash and
  records the first crossing, with memory independent of the horizon.

Timings are best-of-N wall clock on a shared machine: only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

import numpy as np
from timing import best

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlmodel as xm
from tests import v2_projection as v2


def inputs(n, rng):
    return dict(
        cash=rng.uniform(1e5, 1e8, n),
        mau=rng.uniform(0, 1e6, n),
        ad_spend=rng.uniform(0, 1e6, n),
        cac=rng.uniform(1, 50, n),
        churn=rng.uniform(0.01, 0.5, n),
        conversion=rng.uniform(0.001, 0.2, n),
        arppu=rng.uniform(1, 50, n),
        cost_per_mau=rng.uniform(0, 5, n),
        fixed_costs=rng.uniform(0, 1e6, n),
        paid_share=rng.uniform(0.1, 1, n),
        ad_growth=rng.uniform(-0.05, 0.1, n),
        cost_decline=rng.uniform(0, 0.1, n),
    )


def decisions(n, rng, h):
    """Five changes on four drivers and two funding rounds, levels drawn per scenario."""
    months = sorted(rng.choice(np.arange(2, h + 1), 5, replace=False).tolist())
    drivers = ["ad_spend", "churn", "conversion", "fixed_costs", "ad_spend"]
    levels = {"ad_spend": (0, 1e6), "churn": (0.01, 0.5), "conversion": (0.001, 0.2), "fixed_costs": (0, 1e6)}
    changes = [{"month": m, d: rng.uniform(*levels[d], n)} for m, d in zip(months, drivers)]
    funding = [
        {"month": int(m), "amount": rng.uniform(0, 1e7, n)}
        for m in rng.choice(np.arange(1, h + 1), 2, replace=False)
    ]
    return changes, funding


def bare_runway(kw, h):
    """The minimal streaming runway loop: cash month by month, the first crossing recorded, nothing kept."""
    n = len(kw["cash"])
    keep = 1 - kw["churn"]
    new = kw["ad_spend"] / kw["cac"] / kw["paid_share"]
    ad_pow = np.ones(n)
    cost_pow = np.ones(n)
    ad_base, cost_base = 1 + kw["ad_growth"], 1 - kw["cost_decline"]
    mau, cash = kw["mau"].copy(), kw["cash"].copy()
    run = np.where(cash <= 0, 0.0, np.inf)
    alive = cash > 0
    revenue_rate = kw["conversion"] * kw["arppu"]
    for k in range(h):
        if k:
            ad_pow *= ad_base
            cost_pow *= cost_base
        ad = kw["ad_spend"] * ad_pow
        mau = mau * keep + new * ad_pow
        burn = ad + mau * kw["cost_per_mau"] * cost_pow + kw["fixed_costs"] - mau * revenue_rate
        prev = cash
        cash = cash - burn
        hit = alive & (cash < 0)
        if hit.any():
            run[hit] = k + prev[hit] / burn[hit]
            alive &= ~hit
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, h = args.scenarios, args.months
    kw = inputs(n, rng)
    changes, funding = decisions(n, rng, h)

    print(f"project: {n:,} scenarios x {h} months")
    t_v2 = best(lambda: v2.project(**kw, horizon=h))
    t_v3 = best(lambda: xm.project(**kw, horizon=h))
    t_v3_plan = best(lambda: xm.project(**kw, horizon=h, changes=changes, funding=funding))
    print(f"  version 2's project (frozen)                 {t_v2:8.3f} s")
    print(f"  project, same inputs                         {t_v3:8.3f} s   ratio = {t_v3 / t_v2:.2f}x")
    print(
        f"  project, 5 changes and 2 rounds              {t_v3_plan:8.3f} s   ratio = {t_v3_plan / t_v2:.2f}x "
        "(goal <= 1.3x)"
    )

    print(f"runway_months: {n:,} scenarios x {h} months")
    t_run = best(lambda: xm.runway_months(**kw, horizon=h))
    t_bare = best(lambda: bare_runway(kw, h))
    got, want = xm.runway_months(**kw, horizon=h), bare_runway(kw, h)
    finite = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), finite) and np.allclose(got[finite], want[finite], rtol=1e-9), (
        "the bare loop and the engine disagree"
    )
    print(
        f"  runway_months                                {t_run:8.3f} s   ratio to project = {t_run / t_v3:.2f}x "
        "(goal <= 1.0x)"
    )
    print(
        f"  bare streaming numpy loop                    {t_bare:8.3f} s   ratio engine/bare = {t_run / t_bare:.2f}x "
        "(goal <= 1.5x)"
    )
    t_plan = best(lambda: xm.runway_months(**kw, horizon=h, changes=changes, funding=funding))
    print(
        f"  runway_months, 5 changes and 2 rounds        {t_plan:8.3f} s   ratio to its project = "
        f"{t_plan / t_v3_plan:.2f}x"
    )

    peaks = {}
    for months in (h, 10 * h):
        tracemalloc.start()
        xm.runway_months(**{k: v[: n // 10] for k, v in kw.items()}, horizon=months)
        peaks[months] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"  runway_months' peak memory, {n // 10:,} scenarios: {peaks[h] / 2**20:.1f} MiB at {h} months, "
        f"{peaks[10 * h] / 2**20:.1f} MiB at {10 * h} months (ratio {peaks[10 * h] / peaks[h]:.2f}x: "
        "independent of the horizon)"
    )


if __name__ == "__main__":
    main()
