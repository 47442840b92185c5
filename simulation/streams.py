"""Independent random streams, one per process of the model (docs/model.md §4)."""

from __future__ import annotations

import numpy as np

STREAMS = ("setup", "leads", "routing", "outcomes", "churn", "quitting", "hiring", "mesa", "following", "forgetting")


class Streams:
    """Random streams keyed on (seed, replication) and the process they drive.

    Each quarter every process gets a fresh generator keyed on the quarter too, so a draw
    indexed by client row or seller desk is the same whatever the policy did before: that is
    what makes policies run on the same seed see the same market (common random numbers).
    """

    def __init__(self, seed: int, replication: int, founded: int = 0) -> None:
        self.seed, self.replication, self.founded = seed, replication, founded  # founded: the first quarter

    def sequence(self, name: str, quarter: int | None = None, *key: int) -> np.random.SeedSequence:
        counted = () if quarter is None else (quarter - self.founded,)  # keys are never negative
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, STREAMS.index(name), *counted, *key))

    def quarter(self, name: str, quarter: int | None = None) -> np.random.Generator:
        return np.random.default_rng(self.sequence(name, quarter))
