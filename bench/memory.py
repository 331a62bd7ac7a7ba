"""Peak memory of a simulation at months 24 and 1200: bounded, whatever ``months`` and ``horizon`` are.

    python bench/memory.py [--draws 65536]

The last two cases (issue 23) are a 2x2 grid of P10s and a P10 goal seek: each trial's draws are evaluated in
slices, so their peak is the draws of the ranged inputs and of one trial's output (about 110 to 130 bytes a
draw with the example's ranges, against simulate's ~300 that keeps every output) plus the same bounded
working memory.

Goal (issue 19): the working memory of ``xlmodel.simulate`` (its peak less
the draws it keeps, 8 bytes per draw for every ranged input and output) stays
under ``BOUND`` (256 MiB) at any ``months`` (the standalone migration NPV is
draws x months) and any ``horizon``; at 65,536 draws the whole peak stays under
300 MiB. Each case runs in a fresh Python, measured with ``tracemalloc`` (numpy
reports its arrays to it) and the process's peak resident size
(``resource.getrusage``, which includes Python and numpy themselves). The
example's migration months are set to 24 and 1200 (with its ranged
``small_price``), then its horizon to 1200; the last case is LLM_SIMULATE at
horizon 1200, the issue's 100,000-draw figure. Exits 1 when a bound is broken.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"
#: the stated bound on the working memory (docs/limits.md, "Draws and memory")
BOUND = 256 * 2**20
#: the stated bound on the whole peak at 65,536 draws
TOTAL_AT_65536 = 300 * 2**20

CASE = r"""
import importlib, json, resource, sys, time, tracemalloc
from xlmodel.assumptions import load
kind, draws, months, horizon = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
a = load(sys.argv[5])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
if kind == "simulate":
    inputs = dict(a.simulation_inputs(), months=months, horizon=horizon)
    sim = importlib.import_module("xlmodel.simulate").simulate(inputs, draws=draws, seed=0,
                                                              correlations=a.correlations_for("base"))
    kept = sum(v.nbytes for v in sim.outputs.values()) + sum(v.nbytes for v in sim.inputs.values())
elif kind in ("solve", "sensitivity"):  # a P10 goal seek (cash for an 18-month P10 runway), a 2x2 P10 grid
    inputs = dict(a.simulation_inputs(), months=months, horizon=horizon)
    corr = a.correlations_for("base")
    if kind == "solve":
        importlib.import_module("xlmodel.solve").solve(
            inputs, "cash", "runway_months", 18, statistic="p10", draws=draws, correlations=corr
        )
    else:
        importlib.import_module("xlmodel.sensitivity").sensitivity(
            inputs, ("churn", [0.3, 0.5]), ("conversion", [0.01, 0.02]), "runway_months", "p10", draws, 0, corr
        )
    # kept: the draws of every ranged input, and one trial's output while its statistic is taken
    kept = draws * 8 * (1 + sum(1 for v in inputs.values() if hasattr(v, "low")))
else:  # LLM_SIMULATE on the example's ranges, as a table
    from xlmodel.ranges import Range
    from xlmodel.udfs import LLM_SIMULATE
    rows = []
    for k, v in a.simulation_inputs().items():
        if "@" in k or k in ("changes", "funding", "mix", "horizon", "cost_per_mau"):
            continue
        rows.append([k, v.low, v.mode, v.high] if isinstance(v, Range) else [k, None, v, None])
    rows = [r for r in rows if r[0] != "months"] + [["months", None, months, None]]
    out = LLM_SIMULATE(rows, draws, 0, horizon)
    assert isinstance(out, list) and out[0][0] == "output", out
    kept = draws * 8 * (len(out) - 1 + sum(1 for r in rows if r[1] is not None))
seconds = time.perf_counter() - t
_, peak = tracemalloc.get_traced_memory()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(json.dumps({"peak": peak, "kept": kept, "rss": rss, "seconds": seconds}))
"""


def run(kind: str, draws: int, months: int, horizon: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CASE, kind, str(draws), str(months), str(horizon), str(EXAMPLE)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=65_536)
    ap.add_argument(
        "--stat-draws",
        type=int,
        default=1_000_000,
        help="draws of the P10 grid (2x2) and, a quarter of them, of the P10 goal seek (about 80 trials)",
    )
    args = ap.parse_args()
    n = args.draws
    cases = [
        ("simulate", n, 24, 60),
        ("simulate", n, 1200, 60),
        ("simulate", n, 24, 1200),
        ("simulate", n, 1200, 1200),
        ("LLM_SIMULATE", 100_000, 1200, 1200),
        ("sensitivity", args.stat_draws, 24, 60),
        ("solve", args.stat_draws // 4, 24, 60),
    ]
    print(
        f"simulation peak memory ({EXAMPLE.name}; working = peak less the draws kept; bound {BOUND / 2**20:.0f} MiB)"
    )
    print(
        f"{'':<14}{'draws':>9} {'months':>7} {'horizon':>8} {'peak MiB':>9} {'kept MiB':>9} {'working':>8} "
        f"{'max RSS':>8} {'seconds':>8}"
    )
    ok = True
    for kind, draws, months, horizon in cases:
        r = run(kind, draws, months, horizon)
        working = r["peak"] - r["kept"]
        within = working < BOUND and (draws != 65_536 or r["peak"] < TOTAL_AT_65536)
        ok &= within
        print(
            f"{kind:<14}{draws:>9,} {months:>7} {horizon:>8} {r['peak'] / 2**20:>9.0f} {r['kept'] / 2**20:>9.0f} "
            f"{working / 2**20:>8.0f} {r['rss'] / 2**20:>8.0f} {r['seconds']:>8.1f}"
            + ("" if within else "  OVER")
            + (f"  ({r['peak'] / draws:.0f} bytes a draw)" if kind in ("solve", "sensitivity") else "")
        )
    print("within the bound" if ok else "a bound is broken")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
