"""Wall time and runs/second of `salessim discover`: N samples × 2 policies × R replications × 20 quarters.

Usage: python benchmarks/discover_speed.py [--samples N] [--reps R] [--workers W]
The target is 1,000 samples × 2 policies × 10 replications (20,000 runs) in at most 8 minutes on
2 cores (`--samples 1000`); the default measures 100 samples (2,000 runs) and extrapolates.
Prints the machine's load before and after, since a shared machine slows every run.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from experiments.discover import discover

TARGET_RUNS, TARGET_SECONDS = 20_000, 8 * 60


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def cpu_seconds() -> tuple[float, float]:
    """CPU time of this process, and of its finished children (the workers, once the pool is closed)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(samples: int, reps: int, workers: int) -> tuple[float, float, int]:
    """Seconds from the first run to the end (analysis, files and report included), in all, and the runs."""
    marks: list[float] = []

    def log(line: str) -> None:
        if line.startswith("running on"):
            marks.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = discover(
            ("finder_keeps", "dedicated_roles_crm"),
            samples=samples,
            reps=reps,
            seed=1,
            workers=workers,
            out=Path(folder) / "bench",
            progress=False,
            log=log,
        )
        end = time.perf_counter()
    return end - (marks[0] if marks else start), end - start, len(result.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="Latin-hypercube samples (default 100)")
    parser.add_argument("--reps", type=int, default=10, help="replications (default 10)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all)")
    args = parser.parse_args()
    print(f"before: {load()}")
    own, workers = cpu_seconds()
    running, total, runs = measure(args.samples, args.reps, args.workers)
    own, workers = (after - before for after, before in zip(cpu_seconds(), (own, workers), strict=True))
    print(f"after:  {load()}")
    rate = runs / running
    print(
        f"{runs} runs ({args.samples} samples × 2 policies × {args.reps} replications, mature_department, "
        f"20 quarters) on {args.workers} workers: {total:.1f} s in all ({total - running:.1f} s set-up), "
        f"{rate:.1f} runs/s from the first run to the report"
    )
    projected = TARGET_RUNS / rate
    verdict = "within" if projected <= TARGET_SECONDS else "OVER"
    print(f"at this rate 20,000 runs take {projected / 60:.1f} min ({verdict} the 8 min target)")
    per_run = workers / runs if args.workers > 1 else own / runs
    print(
        f"CPU: {1000 * per_run:.1f} ms per run in the workers, {own:.1f} s in the main process (imports, "
        f"scenarios, analysis, files); on 2 idle cores 20,000 runs would take about "
        f"{TARGET_RUNS * per_run / 2 / 60:.1f} min plus the main process's share"
    )


if __name__ == "__main__":
    main()
