"""Independent random streams, one per process of the model (docs/model.md §4)."""

from __future__ import annotations

import numpy as np

STREAMS = ("setup", "leads", "routing", "outcomes", "churn", "quitting", "hiring", "mesa")


class Streams:
    """Random streams keyed on (seed, replication) and the process they drive.

    Each quarter every process gets a fresh generator keyed on the quarter too, so a draw
    indexed by client row or seller desk is the same whatever the policy did before: that is
    what makes policies run on the same seed see the same market (common random numbers).
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = seed, replication

    def sequence(self, name: str, *key: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, STREAMS.index(name), *key))

    def quarter(self, name: str, quarter: int | None = None) -> np.random.Generator:
        key = () if quarter is None else (quarter,)
        return np.random.default_rng(self.sequence(name, *key))
