"""The default department: a typical one, not a lucky or unlucky draw.

One department is a story, not evidence, so the page opens on a department whose paired
difference between the two default policies is the median of many (as notebook 01 picks the
department it follows). The choice is made once, offline, by ``python -m dashboard.typical``,
and stored as ``lockstep.DEFAULT_SEED``; a test recomputes it.
"""

from __future__ import annotations

import statistics

from simulation import run_simulation

SCENARIO = "mature_department"
CANDIDATES = 51  # seeds 0..50; odd, so there is a median
METRIC = "golden_fund_revenue_final_year"  # what the class watches: the golden fund kept


def paired_gaps(left: str, right: str, candidates: int = CANDIDATES, quarters: int = 20) -> dict[int, float]:
    """Seed -> ``METRIC`` of ``right`` minus that of ``left``, each seed's two runs on common random numbers."""
    gaps = {}
    for seed in range(candidates):
        values = [
            run_simulation(SCENARIO, policy, seed=seed, replication=0, quarters=quarters).summary[METRIC]
            for policy in (left, right)
        ]
        gaps[seed] = values[1] - values[0]
    return gaps


def typical_seed(left: str = "finder_keeps", right: str = "dedicated_roles_crm", candidates: int = CANDIDATES) -> int:
    """The seed whose paired gap is the median of ``candidates`` seeds."""
    gaps = paired_gaps(left, right, candidates)
    median = statistics.median_low(gaps.values())
    return min(seed for seed, gap in gaps.items() if gap == median)


if __name__ == "__main__":
    gaps = paired_gaps("finder_keeps", "dedicated_roles_crm")
    ordered = sorted(gaps.values())
    print(
        f"{METRIC}, dedicated_roles_crm minus finder_keeps, over {len(gaps)} seeds: "
        f"min {ordered[0]:+,.0f}, median {statistics.median(ordered):+,.0f}, max {ordered[-1]:+,.0f} k€; "
        f"positive in {sum(g > 0 for g in ordered)}"
    )
    print("typical seed:", typical_seed())
