"""Wall time of `salessim compare` and runs/second, one replication per job (the policies of a
replication in one worker, sharing the department's history) against one run per job (as before).

Usage: python benchmarks/compare_speed.py [--skip-compare] [--runs N]

Measured side by side in one run: the runner's throughput both ways; the default `salessim compare`
(4 policies × 50 replications, 20 quarters) both ways; and `salessim compare --switch-at 8
--quarters 40` (4 policies × 50 replications), whose time must stay within 2.2× the default's.
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

from experiments import runner
from experiments.runner import Design, execute, process_pool, run_tasks
from simulation import MAIN_POLICIES, resolve_scenario

SWITCH = ["--switch-at", "8", "--quarters", "40"]


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
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    print(f"cores: {workers}; runner module {runner.__name__}")
    for old in (True, False):
        how = "one run per job (before)" if old else "one replication per job (now)"
        print(f"runs/second, {workers} workers, {how}: {runs_per_second(workers, args.runs, old):.1f}")
    if args.skip_compare:
        return
    before = command([], old=True)
    now = command([], old=False)
    runs = 4 * 50
    print(f"default salessim compare, before: {before:.1f} s ({runs / before:.1f} runs/s)")
    print(f"default salessim compare, now:    {now:.1f} s ({runs / now:.1f} runs/s)")
    switch = command(SWITCH, old=False)
    ratio = switch / now
    verdict = "within" if ratio <= 2.2 else "OVER"
    print(
        f"salessim compare {' '.join(SWITCH)} (4 policies × 50 replications): {switch:.1f} s, "
        f"{ratio:.2f}× the default ({verdict} the 2.2× target)"
    )


if __name__ == "__main__":
    main()
