"""This source tree against another one (e.g. an older commit checked out elsewhere), side by side.

Usage:
    git worktree add /tmp/before <commit>
    python benchmarks/versus.py /tmp/before [--pairs 5]

Each measurement runs in a fresh process, alternating between the two trees (this one, then
the other, pair after pair), so that a noisy machine slows both alike; it counts the process's
CPU seconds (``time.process_time``), which other work on the machine disturbs less than wall
time. The script prints each tree's median and the ratio this/other with its range over the
pairs; ``--case WORD`` keeps the cases whose name contains WORD. Not part of the tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CASES = {  # name: code that prints seconds
    "mature_department, one 20-quarter run": (
        "import time; from simulation import run_simulation; [run_simulation(seed=90 + i) for i in range(3)]; "
        "t = time.process_time(); [run_simulation(seed=i) for i in range(20)]; print((time.process_time() - t) / 20)"
    ),
    "the four main policies, one replication each (per run)": (
        "import time; from simulation import run_simulation; P = ['finder_keeps', 'finder_keeps_crm', "
        "'dedicated_roles', 'dedicated_roles_crm']; [run_simulation(policy=p, seed=99) for p in P]; "
        "t = time.process_time(); [run_simulation(policy=p, seed=i) for i in range(8) for p in P]; "
        "print((time.process_time() - t) / 32)"
    ),
    "finder keeps and roles + CRM, as discover runs them (per run)": (
        "import time; from simulation import run_simulation; P = ['finder_keeps', 'dedicated_roles_crm']; "
        "[run_simulation(policy=p, seed=99) for p in P]; "
        "t = time.process_time(); [run_simulation(policy=p, seed=i) for i in range(12) for p in P]; "
        "print((time.process_time() - t) / 24)"
    ),
    "national_org, 40 quarters (~40k clients)": (
        "import time; from simulation import run_simulation; t = time.process_time(); "
        "run_simulation('national_org'); print(time.process_time() - t)"
    ),
    "dedicated_roles_crm on growing_team, 40 quarters": (
        "import time; from simulation import run_simulation; run_simulation('growing_team', 'dedicated_roles_crm'); "
        "t = time.process_time(); [run_simulation('growing_team', 'dedicated_roles_crm', seed=i) for i in range(10)]; "
        "print((time.process_time() - t) / 10)"
    ),
}


def seconds(tree: Path, code: str) -> float:
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other source tree (its simulation/ is imported)")
    parser.add_argument("--pairs", type=int, default=5, help="alternating pairs per case (default 5)")
    parser.add_argument("--case", default="", help="only the cases whose name contains this")
    args = parser.parse_args()
    print(f"this tree: {HERE}\nother tree: {args.other.resolve()}\n{args.pairs} alternating pairs per case\n")
    print(f"{'case':<50}{'this, s':>10}{'other, s':>10}{'ratio':>8}  range")
    for name, code in CASES.items():
        if args.case not in name:
            continue
        this, other = [], []
        for _ in range(args.pairs):
            this.append(seconds(HERE, code))
            other.append(seconds(args.other, code))
        ratios = [a / b for a, b in zip(this, other, strict=True)]
        print(
            f"{name:<50}{statistics.median(this):>10.4f}{statistics.median(other):>10.4f}"
            f"{statistics.median(ratios):>8.2f}  {min(ratios):.2f}–{max(ratios):.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
