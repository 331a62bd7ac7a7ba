"""Retention curves' speed, as a ratio against the churn-based projection measured in this same run.

    python bench/retention.py [--scenarios 100000] [--months 120] [--k 12]

Goal (issue 16): ``project`` driven by a 12-month retention curve over 100k scenarios x 120 months at most 2x the
churn-based ``project`` on the same inputs (a cohort-by-age state of k + 1 columns, not a month x month matrix);
also the streaming ``runway_months`` with and without the curve, and the curve of a simulation's draws (one
curve per scenario).

Timings are best-of-N wall clock on a shared machine: only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from timing import best

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xlmodel as xm


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


def curve(k):
    """A curve measured on sign-ups, shaped like examples/cohorts-2024.csv: heavy early churn, flattening."""
    return [0.56 * (0.62 + 0.38 * 0.55**a) * 0.92**a for a in range(k)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--k", type=int, default=12, help="months of the retention curve")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, h = args.scenarios, args.months
    kw = inputs(n, rng)
    r = curve(args.k)
    scaled = np.clip(np.asarray(r) * rng.uniform(0.8, 1.2, (n, 1)), 1e-6, 1.0)  # a curve per draw

    print(f"project: {n:,} scenarios x {h} months, a {args.k}-month retention curve")
    t_churn = best(lambda: xm.project(**kw, horizon=h))
    t_curve = best(lambda: xm.project(**kw, horizon=h, retention=r))
    t_each = best(lambda: xm.project(**kw, horizon=h, retention=scaled))
    print(f"  churn-based project                          {t_churn:8.3f} s")
    print(
        f"  curve-driven project, one curve              {t_curve:8.3f} s   ratio = {t_curve / t_churn:.2f}x "
        "(goal <= 2x)"
    )
    print(f"  curve-driven project, a curve per scenario   {t_each:8.3f} s   ratio = {t_each / t_churn:.2f}x")

    print(f"runway_months: {n:,} scenarios x {h} months")
    t_run = best(lambda: xm.runway_months(**kw, horizon=h))
    t_run_curve = best(lambda: xm.runway_months(**kw, horizon=h, retention=r))
    print(f"  churn-based runway_months                    {t_run:8.3f} s")
    print(
        f"  curve-driven runway_months                   {t_run_curve:8.3f} s   ratio = {t_run_curve / t_run:.2f}x"
    )
    print(f"ratio = {t_curve / t_churn:.2f}x")


if __name__ == "__main__":
    main()
