"""Wall time of `salessim compare` and runs/second, one replication per job (the policies of a
replication in one worker, sharing the department's history) against one run per job (as before).

Usage: python benchmarks/compare_speed.py [--skip-compare] [--runs N] [--repeat K]

Measured side by side in one run (each measurement repeated K times, interleaved, the fastest
kept): the runner's throughput both ways; `salessim compare --reps 50` (4 policies × 50
replications, 20 quarters, the default before it became 100 replications) both ways; `salessim
compare --switch-at 8 --quarters 40 --reps 50`, whose time must stay within 2.2× that; and the
default `salessim compare` (100 replications), which should stay under about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

from experiments.runner import Design, execute, process_pool, run_tasks
from simulation import MAIN_POLICIES, resolve_scenario

FIFTY = ["--reps", "50"]
SWITCH = ["--switch-at", "8", "--quarters", "40", *FIFTY]


def per_task(design, tasks, on_result, executor=None, window=64):
    """The runner as it was: every run submitted as its own job (a worker's history cache rarely hits)."""
    if executor is None:
        for task in tasks:
            on_result(
                task,
                execute(
                    design.scenario(task.policy, task.point),
                    task.policy,
                    design.seed,
                    task.replication,
                    design.switch_at,
                ),
            )
        return
    queue, running = iter(tasks), {}
    while True:
        for task in itertools.islice(queue, window - len(running)):
            scenario = design.scenario(task.policy, task.point)
            args = (scenario, task.policy, design.seed, task.replication, design.switch_at)
            running[executor.submit(execute, *args)] = task
        if not running:
            return
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=lambda f: running[f].name):
            on_result(running.pop(future), future.result())


def command(args: list[str], old: bool) -> float:
    """Seconds for a whole `salessim compare` (start-up, runs, tables, figures, report)."""
    patch = (
        'sys.path.insert(0, "benchmarks"); import compare_speed as b, experiments.experiment as e; '
        "e.run_tasks = b.per_task; "
        if old
        else ""
    )
    code = f"import sys; {patch}from experiments.cli import main; sys.exit(main(sys.argv[1:]))"
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, "compare", "--seed", "1", *args, "--out", str(Path(folder) / "bench")],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).parents[1],
            env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])},
        )
        return time.perf_counter() - start


def runs_per_second(workers: int, runs: int, old: bool) -> float:
    """Throughput of the replication runner alone (no files written), in a fresh pool."""
    reps = max(1, runs // len(MAIN_POLICIES))
    design = Design(resolve_scenario("mature_department"), tuple(MAIN_POLICIES), reps, seed=1)
    how = per_task if old else run_tasks
    start = time.perf_counter()
    with process_pool(workers) as pool:
        how(design, design.execution_order(), lambda task, output: None, pool)
    return len(design.tasks()) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-compare", action="store_true", help="only measure runs/second")
    parser.add_argument("--runs", type=int, default=100, help="runs per throughput measurement (default 100)")
    parser.add_argument("--repeat", type=int, default=1, help="repeat each measurement, interleaved (default 1)")
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    print(f"cores: {workers}; load average before: {os.getloadavg()[0]:.1f}")
    rates: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.repeat):
        for old in (True, False):
            rates[old].append(runs_per_second(workers, args.runs, old))
    for old in (True, False):
        how = "one run per job (before)" if old else "one replication per job (now)"
        print(f"runs/second, {workers} workers, {how}: {max(rates[old]):.1f}")
    if args.skip_compare:
        return
    times: dict[str, list[float]] = {"before": [], "now": [], "switch": [], "default": []}
    for _ in range(args.repeat):
        times["before"].append(command(FIFTY, old=True))
        times["now"].append(command(FIFTY, old=False))
        times["switch"].append(command(SWITCH, old=False))
        times["default"].append(command([], old=False))
    best = {key: min(values) for key, values in times.items()}
    runs = 4 * 50
    for key, how in (("before", "one run per job (before)"), ("now", "one replication per job (now)")):
        print(f"salessim compare --reps 50, {how}: {best[key]:.1f} s ({runs / best[key]:.1f} runs/s)")
    ratio = best["switch"] / best["now"]
    verdict = "within" if ratio <= 2.2 else "OVER"
    print(
        f"salessim compare {' '.join(SWITCH)}: {best['switch']:.1f} s, {ratio:.2f}× compare --reps 50 "
        f"({verdict} the 2.2× target)"
    )
    print(f"default salessim compare (4 policies × 100 replications, 20 quarters): {best['default']:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
