"""Where the time of one `compare` goes: imports, the runs, collecting the tables, writing the files.

Usage: python benchmarks/compare_phases.py [--reps 100]

Runs ``experiments.compare`` (the four main policies on the default department, all cores) into a
temporary folder, timing the imports, the whole call, and within it ``ComparisonResult.collect``
(the runs' tables put together), ``ComparisonResult.write`` (tables, figures, report) and
``figures.save`` (drawing the PNGs); the runs are what is left. It then times one replication of the four
policies in this process (CPU seconds) and prints the floor no overhead cut can go below: the
imports plus the runs' CPU spread evenly over the cores. Not part of the tests.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

started = time.perf_counter()
import experiments.api as api  # noqa: E402  (the import is what is timed)
import experiments.figures as figures  # noqa: E402

imported = time.perf_counter() - started
seconds: dict[str, float] = {}


def timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] = time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100, help="replications per policy (default 100, as compare)")
    args = parser.parse_args()
    api.ComparisonResult.collect = classmethod(timed("collect", api.ComparisonResult.collect.__func__))
    api.ComparisonResult.write = timed("write", api.ComparisonResult.write)
    figures.save = timed("figures", figures.save)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        api.compare(reps=args.reps, out=Path(folder) / "compare", progress=False)
        total = time.perf_counter() - start
    runs = total - seconds["collect"] - seconds["write"]
    print(f"compare, 4 policies × {args.reps} replications: {imported + total:.2f} s in all")
    print(f"  imports          {imported:6.2f} s")
    print(f"  runs             {runs:6.2f} s")
    print(f"  collecting       {seconds['collect']:6.2f} s")
    print(f"  files            {seconds['write']:6.2f} s  (of which drawing the figures {seconds['figures']:.2f} s)")
    per_replication = replication_seconds()
    cores = os.cpu_count() or 1
    floor = imported + args.reps * per_replication / cores
    print(
        f"one replication of the four policies: {1000 * per_replication:.0f} ms CPU; floor with {cores} cores: "
        f"{floor:.2f} s (the imports, and {args.reps} replications spread evenly over the cores)"
    )


REPLICATION = (
    "import time; from experiments.runner import execute_group; from simulation import MAIN_POLICIES, resolve_run; "
    "runs = [(resolve_run('mature_department', p, {}), p) for p in MAIN_POLICIES]; execute_group(runs, 5, 999); "
    "t = time.process_time(); [execute_group(runs, 5, r) for r in range({repeats})]; "
    "print((time.process_time() - t) / {repeats})"
)


def replication_seconds(repeats: int = 10) -> float:
    """CPU seconds of one replication of the four main policies as a worker runs it (one shared history),
    in a fresh process (this one is full of the comparison it just made)."""
    code = REPLICATION.replace("{repeats}", str(repeats))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


if __name__ == "__main__":
    main()
