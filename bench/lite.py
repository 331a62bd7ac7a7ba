"""The xlwings Lite bundle's cost, as ratios against the installed package measured in this same run.

    python bench/lite.py

Lite runs ``main.py`` on every restart: the bundle compiles xlmodel's modules
from strings (no .pyc cache), where an installed package imports cached
bytecode. Each start is a fresh interpreter; the best of five is kept. Then
the per-call cost of LLM_RUNWAY through the bundle against the package (the
same code, so it should be ~1x).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlmodel.lite import lite_files

START_PACKAGE = "import time; t = time.perf_counter(); import xlmodel.udfs; print(time.perf_counter() - t)"
START_BUNDLE = (
    "import runpy, sys, time; t = time.perf_counter(); runpy.run_path(sys.argv[1]); "
    "print(time.perf_counter() - t)"
)
CALLS = """
import runpy, sys, time
ns = runpy.run_path(sys.argv[1]) if sys.argv[1] != "-" else __import__("xlmodel.udfs", fromlist=["x"]).__dict__
cells = [[[a]] for a in (1.2e6, 5e4, 2e4, 4.0, 0.08, 0.05, 12.0, 0.3, 1.5e5)] + [[[None]]] * 3 + [[[120.0]]]
f = ns["LLM_RUNWAY"]
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    for _ in range(300):
        f(*cells)
    best = min(best, (time.perf_counter() - t) / 300)
print(best)
"""


def best_of(args, n=5):
    return min(
        float(subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True).stdout)
        for _ in range(n)
    )


def main():
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        files = lite_files()
        generate = time.perf_counter() - t
        main_py = Path(tmp) / "main.py"
        main_py.write_text(files["main.py"], encoding="utf-8")
        print(
            f"bundle: {len(files['main.py']) / 1024:,.0f} KiB, {len(files['main.py'].splitlines()):,} lines, "
            f"generated in {generate:.2f} s (prices frozen from genai-prices included)"
        )
        package = best_of(["-c", START_PACKAGE])
        bundle = best_of(["-c", START_BUNDLE, str(main_py)])
        print(
            f"start (fresh interpreter, numpy included): import xlmodel.udfs {package * 1e3:6.0f} ms, "
            f"run main.py {bundle * 1e3:6.0f} ms: {bundle / package:.2f}x"
        )
        call_package = best_of(["-c", CALLS, "-"], 3)
        call_bundle = best_of(["-c", CALLS, str(main_py)], 3)
        print(
            f"LLM_RUNWAY one cell, 120 months: package {call_package * 1e6:6.0f} us, bundle "
            f"{call_bundle * 1e6:6.0f} us: {call_bundle / call_package:.2f}x"
        )


if __name__ == "__main__":
    main()
