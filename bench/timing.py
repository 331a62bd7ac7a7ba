"""Shared by the bench scripts: best-of-N wall-clock timing (the machine is shared; use ratios)."""

import time


def best(fn, repeat=3):
    """Fastest of ``repeat`` runs of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_each(fns, repeat=3):
    """Fastest of ``repeat`` runs of each of ``fns`` (name -> function), in seconds, run in turns (one run of
    each per round), so that a noisy spell on the shared machine slows them all rather than one."""
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: min(ts) for name, ts in times.items()}
