"""Wall time of the default `salessim compare` (4 policies × 50 replications, 20 quarters) and runs/second.

Usage: python benchmarks/compare_speed.py [--skip-compare] [--runs N]
The target is a default compare in at most 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.runner import Design, process_pool, run_tasks
from simulation import MAIN_POLICIES, resolve_scenario


def default_compare() -> float:
    """Seconds for the whole default command, start-up, runs, tables, figures and report included."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "experiments.cli", "compare", "--seed", "1", "--out", str(Path(folder) / "bench")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def runs_per_second(workers: int, runs: int) -> float:
    """Throughput of the replication runner alone (no files written)."""
    reps = max(1, runs // len(MAIN_POLICIES))
    design = Design(resolve_scenario("mature_department"), tuple(MAIN_POLICIES), reps, seed=1)
    start = time.perf_counter()
    if workers == 1:
        run_tasks(design, design.tasks(), lambda task, output: None)
    else:
        with process_pool(workers) as pool:
            run_tasks(design, design.tasks(), lambda task, output: None, pool)
    return len(design.tasks()) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-compare", action="store_true", help="only measure runs/second")
    parser.add_argument("--runs", type=int, default=100, help="runs per throughput measurement (default 100)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    for workers in sorted({1, 2, os.cpu_count() or 1}):
        print(f"runs/second, {workers} worker{'s' * (workers > 1)}: {runs_per_second(workers, args.runs):.1f}")
    if not args.skip_compare:
        seconds = default_compare()
        verdict = "within" if seconds <= 30 else "OVER"
        print(
            f"default salessim compare (4 policies × 50 replications, 20 quarters): {seconds:.1f} s "
            f"({verdict} the 30 s target)"
        )


if __name__ == "__main__":
    main()
