"""The client ledger: every lead and client the department ever saw, one row each, in numpy arrays.

A lead is a row from the quarter it arrives; once won it is also a Mesa agent
(``agents.Client``) that reads its row here. Rows are never deleted: a churned client or a lost
lead keeps its row, so every lead and client ever seen is in exactly one stage.

The ledger owns its columns: anyone may read them (read-only views of the live rows), and a
client's stage, owner, development or loyalty changes only through the ledger's verbs
(``pursue``, ``win``, ``lose``, ``develop``, ``serve``, ``meet_needs``, ``churn``,
``hand_off``, …), each written once, here.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from .views import KeptViews

Rows = npt.NDArray[np.intp]  # ledger row indices
T = TypeVar("T", bound=np.generic)


class Stage(IntEnum):
    LEAD = 0  # arrived, no one pursuing it
    PURSUIT = 1  # a seller is pursuing it
    DEVELOPING = 2  # won, being developed
    LOYAL = 3  # developed, ordering steadily
    CHURNED = 4  # left after being won
    LOST = 5  # never won within its shelf life


ACTIVE = (Stage.DEVELOPING, Stage.LOYAL)
NOBODY = -1  # the owner of a row no seller holds
NEVER = -1_000_000  # the quarter of what has not happened (quarters before 0 are the history)


class Column[T: np.generic]:
    """One typed ledger column: reading it gives a read-only view of the live rows.

    The view is kept in the ledger's instance dictionary, where later reads find it without a
    call (a descriptor without ``__set__`` yields to it), until rows are added."""

    def __init__(self, dtype: type[T], fill: Any, doc: str) -> None:
        self.dtype, self.fill, self.__doc__ = dtype, fill, doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, ledger: None, owner: type) -> Column[T]: ...
    @overload
    def __get__(self, ledger: ClientLedger, owner: type) -> npt.NDArray[T]: ...
    def __get__(self, ledger: ClientLedger | None, owner: type) -> Column[T] | npt.NDArray[T]:
        if ledger is None:
            return self
        view = ledger._data[self.name][: ledger.n]  # the first read since rows were added
        view.flags.writeable = False
        ledger.__dict__[self.name] = view
        return view


class ClientLedger(KeptViews):
    """Struct of arrays over all leads and clients, grown by doubling."""

    size = Column(np.float64, 0.0, "k€ per quarter when fully developed")
    complexity = Column(np.float64, 0.0, "skill needed, 0..1")
    consultative = Column(np.bool_, False, "a consultative lead or client (the golden fund, once won)")
    strategic = Column(np.bool_, False, "a strategic lead or client")
    stage = Column(np.int8, Stage.LEAD, "the Stage")
    development = Column(np.float64, 0.0, "share of size realised")
    loyalty_personal = Column(np.float64, 0.0, "loyalty owned by the seller")
    loyalty_firm = Column(np.float64, 0.0, "loyalty held by the company")
    owner = Column(np.int32, NOBODY, "desk of the owning or pursuing seller, -1 none")
    arrived = Column(np.int32, 0, "quarter the lead arrived (0 for the initial book)")
    won = Column(np.int32, NEVER, "quarter won (the founding quarter: in the initial book), NEVER if not")
    winner = Column(np.int32, -1, "desk of the seller who won it")
    left = Column(np.int32, NEVER, "quarter churned or lost")
    last_handoff = Column(np.int32, NEVER, "quarter of the latest handoff")
    revenue = Column(np.float64, 0.0, "revenue this quarter, k€")

    COLUMNS: tuple[str, ...] = (
        "size", "complexity", "consultative", "strategic", "stage", "development", "loyalty_personal",
        "loyalty_firm", "owner", "arrived", "won", "winner", "left", "last_handoff", "revenue",
    )  # fmt: skip
    VIEWS = COLUMNS  # each column's read-only view of the live rows is kept until rows are added

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        self._data: dict[str, np.ndarray] = {}
        for name in self.COLUMNS:
            column = self._column(name)
            self._data[name] = np.full(capacity, column.fill, dtype=column.dtype)

    @classmethod
    def _column(cls, name: str) -> Column[Any]:
        column = cls.__dict__[name]
        assert isinstance(column, Column)
        return column

    # --- reading ---------------------------------------------------------------------------
    def in_stage(self, *stages: Stage) -> npt.NDArray[np.bool_]:
        """Boolean mask of live rows in any of the given stages."""
        stage = self.stage
        mask = stage == stages[0]
        for other in stages[1:]:
            mask |= stage == other
        return mask

    def rows_in(self, *stages: Stage) -> Rows:
        """Indices of the rows in any of the given stages, in row order."""
        return self.in_stage(*stages).nonzero()[0]

    def loyalty_of(self, rows: Any) -> npt.NDArray[np.float64]:
        """Combined loyalty of some rows: a client stays for its seller or for the firm."""
        return 1.0 - (1.0 - self.loyalty_personal[rows]) * (1.0 - self.loyalty_firm[rows])

    @property
    def loyalty(self) -> npt.NDArray[np.float64]:
        """Combined loyalty of every live row."""
        return self.loyalty_of(slice(0, self.n))

    # --- verbs: the only writers ---------------------------------------------------------------
    def add(self, **columns: Any) -> Rows:
        """New rows (arriving leads, or an initial book); returns their indices. Unnamed columns
        take their defaults."""
        count = len(next(iter(columns.values())))
        self._reserve(self.n + count)
        start, self.n = self.n, self.n + count
        for name, values in columns.items():
            self._data[name][start : self.n] = values
        self._forget_views()
        return np.arange(start, self.n)

    def open_book(self, rows: Rows, desk: int, loyalty_personal: Any, quarter: int) -> None:
        """Rows become a seller's developed, loyal clients, won before the department's first quarter."""
        d = self._data
        d["owner"][rows] = desk
        d["winner"][rows], d["won"][rows] = desk, quarter
        d["stage"][rows] = Stage.LOYAL
        d["development"][rows] = 1.0
        d["loyalty_personal"][rows] = loyalty_personal

    def pursue(self, rows: Any, desk: Any) -> None:
        """A seller (or one seller per row) starts pursuing open leads."""
        self._data["owner"][rows] = desk
        self._data["stage"][rows] = Stage.PURSUIT

    def release(self, rows: Rows) -> None:
        """Pursued leads go back to the pool, owned by nobody."""
        self._data["stage"][rows] = Stage.LEAD
        self._data["owner"][rows] = NOBODY

    def lose(self, rows: Rows, quarter: int) -> None:
        """Leads past their shelf life are lost."""
        d = self._data
        d["stage"][rows], d["left"][rows], d["owner"][rows] = Stage.LOST, quarter, NOBODY

    def win(self, rows: Rows, quarter: int, development: Any, loyalty_personal: float, loyalty_firm: float) -> None:
        """Pursued leads are won by their pursuers and start being developed."""
        d = self._data
        d["stage"][rows], d["won"][rows], d["winner"][rows] = Stage.DEVELOPING, quarter, d["owner"][rows]
        d["development"][rows] = development
        d["loyalty_personal"][rows] = loyalty_personal
        d["loyalty_firm"][rows] = loyalty_firm

    def develop(self, rows: Rows, level: Any, loyal_level: float) -> None:
        """Developing clients reach a new development level; those at ``loyal_level`` turn loyal."""
        development = self._data["development"]
        development[rows] = level
        self._data["stage"][rows[development[rows] >= loyal_level]] = Stage.LOYAL

    def serve(self, rows: Rows, coverage: Any, gain: float) -> None:
        """Service moves personal loyalty a share ``gain`` of the way toward the coverage."""
        lp = self._data["loyalty_personal"]
        lp[rows] += gain * (coverage - lp[rows])

    def meet_needs(self, met: Rows, unmet: Rows, need_gain: float, upsell_growth: float, need_loss: float) -> None:
        """A met need wins loyalty and grows a consultative client; an unmet one costs loyalty."""
        lp, size = self._data["loyalty_personal"], self._data["size"]
        lp[met] += need_gain * (1 - lp[met])
        size[met] *= 1 + upsell_growth * self._data["consultative"][met]
        lp[unmet] *= 1 - need_loss

    def move_to_firm(self, rows: Rows, rate: float) -> None:
        """A share ``rate`` of the personal loyalty above the firm's passes to the firm."""
        lp, lf = self._data["loyalty_personal"], self._data["loyalty_firm"]
        lf[rows] += rate * np.maximum(lp[rows] - lf[rows], 0)

    def churn(self, rows: Rows, quarter: int) -> None:
        """Clients leave the department."""
        d = self._data
        d["stage"][rows], d["left"][rows], d["owner"][rows] = Stage.CHURNED, quarter, NOBODY

    def hand_off(
        self, rows: Rows, receivers: Any, keep_loyalty: Any, keep_development: Any, quarter: int, loyal_level: float
    ) -> None:
        """Clients change hands, keeping shares of their personal loyalty and development; a
        loyal client left below ``loyal_level`` is being developed again."""
        d = self._data
        d["owner"][rows] = receivers
        d["loyalty_personal"][rows] *= keep_loyalty
        d["development"][rows] *= keep_development
        d["last_handoff"][rows] = quarter
        again = rows[(d["stage"][rows] == Stage.LOYAL) & (d["development"][rows] < loyal_level)]
        d["stage"][again] = Stage.DEVELOPING

    def book_revenue(self, revenue: npt.NDArray[np.float64]) -> None:
        """This quarter's revenue of every live row."""
        self._data["revenue"][: self.n] = revenue

    def _reserve(self, needed: int) -> None:
        capacity = len(self._data["size"])
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name, old in self._data.items():
            column = self._column(name)
            new = np.full(capacity, column.fill, dtype=column.dtype)
            new[: len(old)] = old
            self._data[name] = new
