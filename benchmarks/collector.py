"""What pausing Python's cyclic garbage collector during a run is worth, and that it leaks nothing.

Usage: python benchmarks/collector.py [--scenario national_org] [--blocks 10]

Times blocks of three consecutive runs with the pause (as ``run_simulation`` does) and
without it, in alternation, collection included; then runs 30 in a row and prints how many
finished models are still in memory and the process's resident memory.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import weakref

import simulation.run as run_module
from simulation import run_simulation
from simulation.model import SalesModel


def resident_mib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 // 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="national_org")
    parser.add_argument("--blocks", type=int, default=10)
    args = parser.parse_args()
    paused = run_module.cyclic_gc_paused
    run_simulation(args.scenario, quarters=2)
    times: dict[str, list[float]] = {"paused": [], "not paused": []}
    for block in range(args.blocks):
        for mode in ("paused", "not paused") if block % 2 else ("not paused", "paused"):
            run_module.cyclic_gc_paused = paused if mode == "paused" else contextlib.nullcontext
            start = time.perf_counter()
            for seed in range(3):
                run_simulation(args.scenario, seed=seed)
            times[mode].append((time.perf_counter() - start) / 3)
    run_module.cyclic_gc_paused = paused
    for mode, values in times.items():
        print(f"{mode:>10}: median {statistics.median(values) * 1000:.0f} ms per run ({args.blocks} blocks of 3)")

    alive: weakref.WeakSet = weakref.WeakSet()
    original = SalesModel.__init__

    def remember(self, *a, **k):
        original(self, *a, **k)
        alive.add(self)

    SalesModel.__init__ = remember
    for replication in range(30):
        run_simulation(args.scenario, replication=replication, quarters=20)
    SalesModel.__init__ = original
    print(f"after 30 runs of 20 quarters: {len(alive)} finished models in memory, {resident_mib()} MiB resident")


if __name__ == "__main__":
    main()
