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
