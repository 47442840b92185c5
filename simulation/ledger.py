"""The client ledger: every lead and client the department ever saw, one row each, in numpy arrays.

A lead is a row from the quarter it arrives; once won it is also a Mesa agent
(``agents.Client``) that reads its row here. Per-quarter updates act on whole columns at once.
Rows are never deleted: a churned client or a lost lead keeps its row, so every lead and
client ever seen is in exactly one stage.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stage(IntEnum):
    LEAD = 0  # arrived, no one pursuing it
    PURSUIT = 1  # a seller is pursuing it
    DEVELOPING = 2  # won, being developed
    LOYAL = 3  # developed, ordering steadily
    CHURNED = 4  # left after being won
    LOST = 5  # never won within its shelf life


ACTIVE = (Stage.DEVELOPING, Stage.LOYAL)

_COLUMNS: dict[str, tuple[type, object]] = {
    "size": (np.float64, 0.0),  # k€ per quarter when fully developed
    "complexity": (np.float64, 0.0),  # skill needed, 0..1
    "consultative": (np.bool_, False),
    "strategic": (np.bool_, False),
    "stage": (np.int8, Stage.LEAD),
    "development": (np.float64, 0.0),  # share of size realised
    "loyalty_personal": (np.float64, 0.0),  # owned by the seller
    "loyalty_firm": (np.float64, 0.0),  # held by the company
    "owner": (np.int32, -1),  # desk of the owning or pursuing seller, -1 none
    "arrived": (np.int32, 0),  # quarter the lead arrived (or 0 for the initial book)
    "won": (np.int32, -1),  # quarter won (0: in the initial book), -1 never
    "winner": (np.int32, -1),  # desk of the seller who won it
    "left": (np.int32, -1),  # quarter churned or lost
    "last_handoff": (np.int32, -1000),
    "revenue": (np.float64, 0.0),  # revenue this quarter
}


class ClientLedger:
    """Struct of arrays over all clients, grown by doubling."""

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        for name, (dtype, fill) in _COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append rows; returns their indices. Unnamed columns take their defaults."""
        count = len(next(iter(columns.values())))
        self._reserve(self.n + count)
        rows = np.arange(self.n, self.n + count)
        for name, values in columns.items():
            getattr(self, name)[rows] = values
        self.n += count
        return rows

    def _reserve(self, needed: int) -> None:
        capacity = len(self.size)
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name, (dtype, fill) in _COLUMNS.items():
            old = getattr(self, name)
            new = np.full(capacity, fill, dtype=dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def view(self, name: str) -> np.ndarray:
        """The live rows of one column."""
        return getattr(self, name)[: self.n]

    def in_stage(self, *stages: Stage) -> np.ndarray:
        """Boolean mask of live rows in any of the given stages."""
        stage = self.view("stage")
        mask = stage == stages[0]
        for other in stages[1:]:
            mask |= stage == other
        return mask

    def rows_in(self, *stages: Stage) -> np.ndarray:
        """Indices of the rows in any of the given stages, in row order."""
        return self.in_stage(*stages).nonzero()[0]

    def loyalty_of(self, rows) -> np.ndarray:
        """Combined loyalty of some rows: a client stays for its seller or for the firm."""
        return 1.0 - (1.0 - self.loyalty_personal[rows]) * (1.0 - self.loyalty_firm[rows])

    @property
    def loyalty(self) -> np.ndarray:
        """Combined loyalty of every live row."""
        return self.loyalty_of(slice(0, self.n))
