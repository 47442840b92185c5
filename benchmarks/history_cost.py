"""What a lone run costs against another tree's, for each length of the department's history.

Usage:
    git worktree add /tmp/before <commit>
    python benchmarks/history_cost.py /tmp/before [--pairs 6] [--history 0 8 12 24]

A lone ``run_simulation`` of ``mature_department`` simulates its history (``department.history_quarters``
quarters of finder keeps before quarter 0) and then its 20 reported quarters. Each measurement is
a fresh process counting CPU seconds per run over 20 seeds; the other tree's default run and this
tree's run at each history length alternate, pair after pair, and the script prints each length's
median and the ratio to the other tree with its range over the pairs. With the warm-up table of
docs/model.md §2.9 (``python examples/warm_up.py``) it shows which lengths meet which target.
Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
TIMED = (
    "import time; from simulation import run_simulation; O = {overrides}; "
    "[run_simulation(seed=90 + i, **O) for i in range(3)]; t = time.process_time(); "
    "[run_simulation(seed=i, **O) for i in range(20)]; print((time.process_time() - t) / 20)"
)


def seconds(tree: Path, history: int | None) -> float:
    overrides = "{}" if history is None else f"{{'overrides': {{'department.history_quarters': {history}}}}}"
    env = os.environ | {"PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(overrides=overrides)], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"error: {tree}: {done.stderr.strip().splitlines()[-1]}")
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other source tree (e.g. a git worktree of an older commit)")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--history", type=int, nargs="+", default=[0, 8, 12, 24], help="history lengths, quarters")
    args = parser.parse_args()
    other: list[float] = []
    mine: dict[int, list[float]] = {h: [] for h in args.history}
    for _ in range(args.pairs):
        other.append(seconds(args.other, None))
        for history in args.history:
            mine[history].append(seconds(HERE, history))
    print(f"the other tree's lone mature_department run: median {1000 * statistics.median(other):.1f} ms")
    for history, times in mine.items():
        ratios = [a / b for a, b in zip(times, other, strict=True)]
        print(
            f"history {history:2d} quarters: median {1000 * statistics.median(times):.1f} ms, ratio "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) over {args.pairs} pairs"
        )


if __name__ == "__main__":
    main()
