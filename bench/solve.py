"""Goal seek and sensitivity speed, as ratios against baselines measured in this same run.

    python bench/solve.py [--draws 10000]

Goals (issue 17), on the bundled example's base scenario:

- a deterministic ``solve`` (ad spend for a runway of 18 months) costs at most 30x one ``runway_months``
  call on the same scenario;
- a P10 ``solve`` (ad spend for a P10 runway of 18 months) at 10,000 draws, at most 40x one ``simulate`` of
  the same size;
- a 100 x 100 sensitivity grid (churn x conversion, runway), at most 3x one ``project`` call over 10,000
  scenarios.

Timings are best-of-N wall clock; the machine is shared, so only the ratios mean anything. Each answer is
also checked against the engine (fed back into ``calc``'s engine and ``simulate``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from timing import best

import xlmodel as xm
from xlmodel.assumptions import load
from xlmodel.engine import summary
from xlmodel.sensitivity import resolve, sensitivity
from xlmodel.solve import solve

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"


def row(label: str, seconds: float, ratio: str = "") -> None:
    print(f"  {label:<58} {seconds * 1e3:9.2f} ms{ratio}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    args = ap.parse_args()
    a = load(EXAMPLE)
    s = a.scenario("base")
    si, corr = a.simulation_inputs("base"), a.correlations_for("base")
    n = args.draws
    print(
        f"goal seek and sensitivity on {EXAMPLE.name}, scenario base ({len(a.ranges['base'])} ranged inputs)"
    )

    r = solve(s, "ad_spend", "runway_months", 18)
    assert abs(summary(dict(s, ad_spend=r.value))["runway_months"] - 18) <= 1e-9 * 18, "deterministic answer"
    t_run = best(lambda: xm.runway_months(**s), repeat=20)
    t_solve = best(lambda: solve(s, "ad_spend", "runway_months", 18), repeat=5)
    row("runway_months, one call", t_run)
    row(
        f"solve ad_spend for runway_months = 18 ({r.value / 1e6:,.2f}M)",
        t_solve,
        f"   ratio = {t_solve / t_run:5.1f}x (goal <= 30x)",
    )

    r = solve(si, "ad_spend", "runway_months", 18, statistic="p10", draws=n, seed=0, correlations=corr)
    back = xm.simulate(dict(si, ad_spend=r.value), draws=n, seed=0, correlations=corr).stats("runway_months")[
        "p10"
    ]
    assert abs(back - 18) <= 1e-9 * 18, "P10 answer"
    t_sim = best(lambda: xm.simulate(si, draws=n, seed=0, correlations=corr), repeat=3)
    t_p10 = best(
        lambda: solve(
            si, "ad_spend", "runway_months", 18, statistic="p10", draws=n, seed=0, correlations=corr
        ),
        repeat=2,
    )
    row(f"simulate, {n:,} draws", t_sim)
    row(
        f"solve ad_spend for P10 runway_months = 18 ({r.value / 1e6:,.2f}M)",
        t_p10,
        f"   ratio = {t_p10 / t_sim:5.1f}x (goal <= 40x)",
    )

    churn, conversion = np.linspace(0.30, 0.60, 100), np.linspace(0.005, 0.03, 100)
    g = sensitivity(s, ("churn", churn), ("conversion", conversion), "runway_months")
    one = summary(dict(s, churn=churn[37], conversion=conversion[61]))["runway_months"]
    assert g.values[37, 61] == one, "grid cell"
    many = dict(resolve(s), churn=np.repeat(churn, 100), conversion=np.tile(conversion, 100))
    t_project = best(lambda: xm.project(**many), repeat=3)
    t_grid = best(
        lambda: sensitivity(s, ("churn", churn), ("conversion", conversion), "runway_months"), repeat=3
    )
    row("project, 10,000 scenarios", t_project)
    row(
        "sensitivity, 100 x 100 grid of runway_months",
        t_grid,
        f"   ratio = {t_grid / t_project:5.2f}x (goal <= 3x)",
    )


if __name__ == "__main__":
    main()
