"""Reading and fitting monthly actuals: linear in the months, as a ratio measured in this same run.

    python bench/fit.py [--months 20000]

Goal (issue 19): twice the months take about twice the time, at most 3x (a quadratic read took 4x: 50,000
months 13.5 s, 100,000 54 s). Timings are best-of-N wall clock on a shared machine: only the ratio means
anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import best

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlmodel.actuals import fit_actuals, read_actuals

HEADER = "month,ad_spend,new_users,paid_new_users,mau,paying_users,revenue,compute_cost,fixed_costs,cash"
ROW = "{m},15000000,707180,500000,2563180,10253,287084,1589172,52000000,7000000000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=20_000)
    n = parser.parse_args().months
    with tempfile.TemporaryDirectory() as d:
        times = {}
        for months in (n, 2 * n):
            path = Path(d) / f"a{months}.csv"
            rows = [ROW.format(m=f"{1000 + t // 12:04d}-{t % 12 + 1:02d}") for t in range(months)]
            path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
            times[months] = best(lambda p=path: fit_actuals(read_actuals(p)))
            print(f"  read_actuals + fit_actuals, {months:>7,} months  {times[months]:8.3f} s")
    print(f"ratio = {times[2 * n] / times[n]:.2f}x (twice the months; goal <= 3x)")


if __name__ == "__main__":
    main()
