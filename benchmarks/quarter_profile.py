"""Where a run's time goes: seconds in each step of the quarter, for one preset and policy.

Usage: python benchmarks/quarter_profile.py [--scenario national_org] [--policy finder_keeps] [--runs 3]

Times the model's set-up, each step of ``SalesModel.step`` and a few parts inside them
(lead claiming, creating Client agents, booking revenue and pay, departures, the data
collector) over consecutive runs, and lead claiming in the first and last five quarters.
A profiler's view without a profiler's overhead; not part of the test run.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict
from contextlib import contextmanager

from simulation import finance, market, metrics, run_simulation, selling, staffing
from simulation.model import SalesModel
from simulation.policies import FinderKeeps

STEPS = [  # (class or module, function, what it is): each is looked up at call time, so it can be wrapped
    (SalesModel, "_setup_department", "set-up: department and initial books"),
    (market, "receive_leads", "1 leads arrive"),
    (SalesModel, "route_leads", "2 leads are routed"),
    (FinderKeeps, "claims", "   of which finder keeps' claiming"),
    (selling, "work", "3-4 work, outcomes, churn, revenue"),
    (selling, "book_revenue", "   of which booking revenue"),
    (SalesModel, "become_clients", "   creating Client agents (within set-up and work)"),
    (finance, "pay_from_books", "4f pay"),
    (staffing, "learn", "5 learning"),
    (staffing, "motivate_and_quit", "6-7 motivation, quits and handoffs"),
    (staffing, "hire", "8 hiring"),
    (SalesModel, "refresh_time", "per-desk time (several times a quarter)"),
    (metrics, "quarter_snapshot", "the quarter's figures (a collector row)"),
]


@contextmanager
def timers(seconds: dict, claims: dict):
    """Wrap each step with a timer for as long as the block runs."""
    originals = [(cls, name, getattr(cls, name)) for cls, name, _ in STEPS]

    def timed(name, method):
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                seconds[name] += elapsed
                if name == "claims":
                    claims[args[1].quarter].append(elapsed)

        return wrapper

    for cls, name, method in originals:
        setattr(cls, name, timed(name, method))
    try:
        yield
    finally:
        for cls, name, method in originals:
            setattr(cls, name, method)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="national_org")
    parser.add_argument("--policy", default="finder_keeps")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run_simulation(args.scenario, args.policy, quarters=2)  # imports and caches warm
    seconds: dict[str, float] = defaultdict(float)
    claims: dict[int, list[float]] = defaultdict(list)
    with timers(seconds, claims):
        start = time.perf_counter()
        for replication in range(args.runs):
            result = run_simulation(args.scenario, args.policy, replication=replication)
        total = (time.perf_counter() - start) / args.runs
    print(f"{args.scenario}, {args.policy}, {result.scenario.quarters} quarters: {total * 1000:.0f} ms per run")
    for _, name, label in STEPS:
        if name in seconds:
            share = seconds[name] / args.runs / total
            print(f"  {label:<58} {seconds[name] / args.runs * 1000:7.1f} ms  {share:4.0%}")
    if claims:
        quarters = sorted(claims)
        for label, chosen in (("first", quarters[:5]), ("last", quarters[-5:])):
            mean = sum(sum(claims[q]) for q in chosen) / sum(len(claims[q]) for q in chosen)
            print(f"  finder keeps' claiming, {label} five quarters: {mean * 1000:.1f} ms a quarter")


if __name__ == "__main__":
    main()
