"""Monte Carlo speed and memory, as ratios against baselines measured in this same run.

    python bench/simulate.py [--draws 1000000] [--months 120]

Goals (issue 7): ``xlmodel.simulate`` on the bundled example's ranges, 1,000,000
draws x 120 months, within 3x the time of a hand-written streaming numpy loop
that computes only the runway, with peak memory under 600 MiB (keeping every
month of every draw would take ~7 GB). Also ``xlmodel simulate`` end to end at
the default 10,000 draws, against ``xlmodel calc`` on the same file (both
include starting Python). Timings are best-of-N wall clock; the machine is
shared, so only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from timing import best

import xlmodel as xm
from xlmodel.assumptions import load

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"


def runway_only(base: dict, drawn: dict, horizon: int) -> np.ndarray:
    """The loop a quant would write for "how long does the cash last" over draws: the version-2
    projection of docs/model.md streamed month by month, keeping only cash, MAU and the runway."""
    v = {k: drawn.get(k, base.get(k)) for k in set(base) | set(drawn)}
    n = len(next(iter(drawn.values())))
    cash = np.full(n, float(v["cash"]))
    mau = np.full(n, float(v["mau"]))
    run = np.full(n, np.inf)
    alive = np.ones(n, dtype=bool)
    keep = 1 - v["churn"]
    if "cost_per_mau" not in v:
        v["cost_per_mau"] = xm.cost_per_mau(
            v["input_tokens"],
            v["output_tokens"],
            v["input_price"],
            v["output_price"],
            v.get("cached_share", 0.0),
            v.get("cached_price"),
        )
    cost = v["cost_per_mau"] + v["conversion"] * (v["paying_cost_per_mau"] - v["cost_per_mau"])
    rev = v["conversion"] * v["arppu"]
    saving = v["routed_share"] * (1 - v["small_price"] / v["large_price"])
    ad_pow = np.ones(n)
    cost_pow = np.ones(n)
    for k in range(horizon):
        t = k + 1
        ad = v["ad_spend"] * ad_pow
        cac_t = v["cac"] * (ad_pow ** v["cac_elasticity"])
        mau = mau * keep + ad / cac_t + v["organic_users"]
        compute = mau * cost * cost_pow * (1 - saving if t >= v["migration_month"] else 1.0)
        burn = (
            ad
            + compute
            + v["fixed_costs"]
            + (v["migration_cost"] if t == v["migration_month"] else 0.0)
            - mau * rev
        )
        new_cash = cash - burn
        hit = alive & (new_cash < 0)
        if hit.any():
            run[hit] = k + cash[hit] / burn[hit]
            alive &= ~hit
        cash = new_cash
        ad_pow *= 1 + v["ad_growth"]
        cost_pow *= 1 - v["cost_decline"]
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=120)
    args = ap.parse_args()
    a = load(EXAMPLE)
    a.horizon = args.months
    inputs = dict(a.simulation_inputs(), horizon=args.months)
    corr = a.correlations_for("base")
    n = args.draws
    print(
        f"simulate: {n:,} draws x {args.months} months, {len(a.ranges['base'])} ranged inputs "
        f"({EXAMPLE.name}), {len(xm.simulate(inputs, draws=10).outputs)} outputs"
    )

    sim = xm.simulate(inputs, draws=n, seed=0, correlations=corr)
    base = dict(sim.base)
    check = runway_only(base, sim.inputs, args.months)
    assert np.allclose(check, sim.outputs["runway_months"], rtol=1e-9, equal_nan=True), "baseline disagrees"
    del sim
    t_sim = best(lambda: xm.simulate(inputs, draws=n, seed=0, correlations=corr), repeat=2)
    drawn = xm.simulate({k: v for k, v in inputs.items()}, draws=n, seed=0, correlations=corr).inputs
    t_base = best(lambda d=drawn: runway_only(base, d, args.months), repeat=2)
    del drawn
    print(f"  xlmodel.simulate (every output, both runways, tornado not included) {t_sim:8.2f} s")
    print(
        f"  hand-written streaming runway-only loop                             {t_base:8.2f} s"
        f"   ratio = {t_sim / t_base:.2f}x (goal <= 3x)"
    )
    tracemalloc.start()
    sim = xm.simulate(inputs, draws=n, seed=0, correlations=corr)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    full = n * args.months * 8 * len(xm.Projection.ROWS)
    print(
        f"  peak memory {peak / 2**20:8.1f} MiB (goal < 600 MiB; every month of every draw: {full / 2**30:.1f} GiB)"
    )
    t = time.perf_counter()
    sim.summary()
    print(
        f"  summary() with three tornados                                       {time.perf_counter() - t:8.2f} s"
    )
    del sim

    print("end to end, default 10,000 draws (each includes starting Python):")
    cli = [sys.executable, "-m", "xlmodel"]
    t_calc = best(lambda: subprocess.run(cli + ["calc", str(EXAMPLE)], check=True, capture_output=True))
    t_cli = best(lambda: subprocess.run(cli + ["simulate", str(EXAMPLE)], check=True, capture_output=True))
    print(f"  xlmodel calc      {t_calc:6.2f} s")
    print(f"  xlmodel simulate  {t_cli:6.2f} s   ratio simulate/calc = {t_cli / t_calc:.2f}x")


if __name__ == "__main__":
    main()
