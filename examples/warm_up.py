"""How long a warm-up the default department needs: the table of docs/model.md §2.9.

Usage: python examples/warm_up.py [--reps 60] [--seed 11]

For each length H of history (``department.history_quarters``), runs finder keeps on
``mature_department`` and prints the final-year over first-year revenue (mean and the 95% CI's
half-width over the replications) and the golden fund's share of quarter 0's revenue.
"""

from __future__ import annotations

import argparse

import numpy as np

from experiments.stats import mean_ci
from simulation import run_simulation

LENGTHS = (0, 8, 12, 16, 24, 32, 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=60, help="replications per length (default 60)")
    parser.add_argument("--seed", type=int, default=11, help="root seed (default 11)")
    args = parser.parse_args()
    print("H, quarters | final-year / first-year revenue | golden-fund share of quarter 0's revenue")
    for history in LENGTHS:
        ratios, golden = [], []
        for rep in range(args.reps):
            frame = run_simulation(
                seed=args.seed, replication=rep, overrides={"department.history_quarters": history}
            ).timeseries
            ratios.append(frame.revenue.iloc[-4:].sum() / frame.revenue.iloc[1:5].sum())
            golden.append(frame.golden_fund_revenue.iloc[0] / frame.revenue.iloc[0])
        mean, low, high, _ = mean_ci(ratios)
        print(f"{history:>11} | {mean:.2f} ± {(high - low) / 2:.2f} | {np.mean(golden):.2f}")


if __name__ == "__main__":
    main()
