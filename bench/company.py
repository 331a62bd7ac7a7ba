"""Model version 4's speed, as ratios against version 3's ``project`` (frozen in bench/v3/) measured in this run.

    python bench/company.py [--scenarios 100000] [--months 120]

Goals (issue 24):
- with no version-4 input: ``project`` at most 1.05x the frozen version 3 on the same inputs;
- with a 10-role team, 3 capex lines, credits (opening and in a round), payment terms and tax: at most 2x;
- ``runway_months`` at most 1.0x ``project`` (memory independent of the horizon, as bench/memory.py measures).

Timings are best-of-N wall clock on a shared machine: only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from plan import decisions, inputs
from timing import best_each

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from v3.projection import project as project_v3

import xlmodel as xm


def company(n, rng, h):
    """A 10-role team, 3 capex lines, opening credits and a round's, terms and tax, numbers drawn per scenario."""
    depts = ["rd", "rd", "rd", "sm", "sm", "ga", "ga", "ops", "ops", "rd"]
    team = [
        {"role": f"role {i}", "department": d, "count": rng.uniform(1, 40, n), "salary": rng.uniform(5e3, 6e4, n),
         "from": int(rng.integers(1, h // 2)), "to": int(rng.integers(h // 2, h + 12))}
        for i, d in enumerate(depts)
    ]  # fmt: skip
    capex = [{"month": int(m), "amount": rng.uniform(0, 1e7, n), "life": 36, "name": f"c{i}"}
             for i, m in enumerate(rng.choice(np.arange(1, h + 1), 3, replace=False))]  # fmt: skip
    return dict(
        team=team, capex=capex, on_cost=0.35, salary_growth=0.05, credits=rng.uniform(0, 1e7, n),
        credits_expire=h // 2, compute_terms=1, ad_terms=1, collection_lag=2, tax_rate=0.25,
        tax_losses=rng.uniform(0, 1e8, n), start="2025-01", fiscal_year_start=4,
    )  # fmt: skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    n, h = a.scenarios, a.months
    rng = np.random.default_rng(0)
    kw = inputs(n, rng)
    changes, funding = decisions(n, rng, h)
    base = dict(kw, horizon=h, changes=changes, funding=funding, interest_rate=0.02)
    v4 = dict(base, **company(n, rng, h))
    v4["funding"] = [dict(funding[0], credits=rng.uniform(0, 1e7, n), expires=12)] + funding[1:]

    same = xm.project(**base).cash.tobytes() == project_v3(**base).cash.tobytes()

    def read_all():
        p = xm.project(**v4)
        return [p.company[name] for name in p.company]  # (each line built, none summed)

    t = best_each(
        {
            "v3": lambda: project_v3(**base),
            "none": lambda: xm.project(**base),
            "v4": lambda: xm.project(**v4),
            "read": read_all,
            "runway": lambda: xm.runway_months(**v4),
        },
        a.repeat,
    )
    t_v3, t_v4 = t["v3"], t["v4"]
    print(f"{n:,} scenarios x {h} months, 5 changes, 2 rounds, interest (best of {a.repeat}, run in turns)")
    print(f"  version 3's project (frozen)                      {t_v3:8.3f} s")
    print(
        f"  project, no version-4 input                       {t['none']:8.3f} s   {t['none'] / t_v3:5.2f}x  (goal <= 1.05x)"
    )
    print(
        f"  project, 10 roles, 3 capex, credits, terms, tax   {t_v4:8.3f} s   {t_v4 / t_v3:5.2f}x  (goal <= 2x)"
    )
    print(
        f"    and reading every company line (payroll, ...)   {t['read']:8.3f} s   {t['read'] / t_v3:5.2f}x  "
        "(the stepped lines are built when first read)"
    )
    print(
        f"  runway_months, the same company                   {t['runway']:8.3f} s   {t['runway'] / t_v4:5.2f}x project (goal <= 1.0x)"
    )
    print(f"  no version-4 input gives version 3's cash bit for bit: {same}")


if __name__ == "__main__":
    main()
