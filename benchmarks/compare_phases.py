"""Where the time of one `compare` goes: imports, the runs, collecting the tables, writing the files.

Usage: python benchmarks/compare_phases.py [--reps 100]

Runs ``experiments.compare`` (the four main policies on the default department, all cores) into a
temporary folder, timing the imports, the whole call, and within it ``ComparisonResult.collect``
(the runs' tables put together), ``ComparisonResult.write`` (tables, figures, report) and
``figures.save`` (drawing the PNGs); the runs are what is left. Not part of the tests.
"""

from __future__ import annotations

import argparse
import functools
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


if __name__ == "__main__":
    main()
