"""How much one department's luck matters: the same two policies on many other departments.

``spread`` runs ``REPLICATIONS`` departments per side (replications 0..n-1 of the page's seed,
so the department on screen is one of them; each pair on common random numbers) and returns,
per quarter, the 10th, 50th and 90th percentiles of revenue and golden-fund revenue, plus how
often the right-hand policy kept more golden fund than the left-hand one. The page runs it in a
separate process (``Background``), so the server stays responsive while it computes.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from dataclasses import dataclass

import numpy as np

from .lockstep import Levers, build_model

REPLICATIONS = 24
COLUMNS = ("revenue", "golden_fund_revenue")


@dataclass(frozen=True)
class Spread:
    """Percentile bands per side and column: ``bands[side][column] = (p10, p50, p90)`` per quarter."""

    replications: int
    quarters: int
    bands: tuple[dict[str, tuple[list[float], list[float], list[float]]], ...]
    right_keeps_more: int  # departments where the right side ends with more golden-fund revenue
    shown_rank: int  # where the department on screen (replication 0) falls among them, by that gap, 1 = lowest

    def gap_share(self) -> float:
        return self.right_keeps_more / self.replications if self.replications else 0.0


def spread(levers: Levers, policies: tuple[str, str], replications: int = REPLICATIONS) -> Spread:
    """Run the departments and summarise them (about 0.05 s per department-quarter-20)."""
    from simulation.metrics import timeseries

    series = {side: {column: [] for column in COLUMNS} for side in (0, 1)}
    for replication in range(replications):
        for side, policy in enumerate(policies):
            model = build_model(policy, levers, replication=replication)
            for _ in range(model.scenario.quarters):
                model.step()
            frame = timeseries(model)
            for column in COLUMNS:
                series[side][column].append(frame[column].to_numpy(dtype=float))
    bands = []
    for side in (0, 1):
        per_column = {}
        for column in COLUMNS:
            values = np.vstack(series[side][column])
            low, mid, high = np.percentile(values, [10, 50, 90], axis=0)
            per_column[column] = (low.tolist(), mid.tolist(), high.tolist())
        bands.append(per_column)
    final = [np.array([run[-1] for run in series[side]["golden_fund_revenue"]]) for side in (0, 1)]
    gaps = final[1] - final[0]
    rank = int((gaps < gaps[0]).sum()) + 1
    return Spread(replications, int(levers.quarters), tuple(bands), int((gaps > 0).sum()), rank)


def _lower_priority() -> None:
    """The worker yields the CPU to the server and the browser (a Step must stay quick)."""
    if hasattr(os, "nice"):
        os.nice(10)


class Background:
    """One worker process for the spreads, shared by every page of this server, with a cache."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple, concurrent.futures.Future] = {}

    def submit(self, levers: Levers, policies: tuple[str, str], replications: int = REPLICATIONS
               ) -> concurrent.futures.Future:
        key = (levers, policies, replications)
        with self._lock:
            if key not in self._cache:
                if self._pool is None:
                    self._pool = concurrent.futures.ProcessPoolExecutor(
                        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority)
                self._cache[key] = self._pool.submit(spread, levers, policies, replications)
            return self._cache[key]


BACKGROUND = Background()
