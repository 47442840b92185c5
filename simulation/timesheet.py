"""Each seller's time in a quarter, per desk: capacity, CRM data entry, servicing load, spare time.

The timesheet owns these numbers. ``refresh`` recomputes them from the client ledger; policies
``reserve`` spare time for the work they assign and tell the timesheet when a desk takes on
clients (``take_clients``), so that their next decision sees the new load. Everyone else reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .effort import Effort
from .ledger import ACTIVE, ClientLedger, Stage
from .views import KeptViews

Floats = npt.NDArray[np.float64]


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class _Shown:
    """A timesheet array as a read-only view, kept in the instance dictionary (where later reads
    find it without a call) until the array is replaced."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, sheet: Timesheet | None, owner: type) -> Any:
        if sheet is None:
            return self
        view = sheet.__dict__[self.name] = _read_only(getattr(sheet, f"_{self.name}"))
        return view


class Timesheet(KeptViews):
    """Per-desk capacity and time use (a desk is a seller's index; a leaver's desk has no capacity)."""

    VIEWS = ("spare", "service_load", "book_size")
    spare: Floats = _Shown()  # type: ignore[assignment]
    """Time not yet taken by servicing, CRM entry or assigned consultative work."""
    service_load: Floats = _Shown()  # type: ignore[assignment]
    """Servicing time the desk's book needs this quarter."""
    book_size: npt.NDArray[np.int64] = _Shown()  # type: ignore[assignment]
    """Active clients in the desk's book."""

    def __init__(self) -> None:
        self._capacity: list[float] = []
        self._capacity_array: Floats | None = None  # kept until staff changes
        self._spare: Floats = np.zeros(0)
        self._service_load: Floats = np.zeros(0)
        self._book_size: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    # --- reading -------------------------------------------------------------------------------
    @property
    def capacity(self) -> Floats:
        """Selling capacity per desk, share of a quarter (0 once its seller has left)."""
        if self._capacity_array is None:
            self._capacity_array = _read_only(np.array(self._capacity))
        return self._capacity_array

    # --- changing ------------------------------------------------------------------------------
    def add_desk(self, capacity: float) -> None:
        """A new seller: all its time spare, no book yet."""
        self._capacity.append(capacity)
        self._capacity_array = None
        self._spare = np.append(self._spare, capacity)
        self._service_load = np.append(self._service_load, 0.0)
        self._book_size = np.append(self._book_size, 0)
        self._forget_views()

    def close_desk(self, desk: int) -> None:
        """The seller at ``desk`` has left: no capacity from now on."""
        self._capacity[desk] = 0.0
        self._capacity_array = None

    def refresh(self, ledger: ClientLedger, effort: Effort, crm_share: float) -> None:
        """Books, servicing loads and spare time from the ledger; ``crm_share`` of each desk's
        capacity goes to data entry."""
        n = len(self._capacity)
        owner, stage = ledger.owner, ledger.stage
        active = ledger.rows_in(*ACTIVE)
        desks = owner[active]
        self._book_size = np.bincount(desks, minlength=n)
        load = np.bincount(desks, weights=effort.service(ledger.size[active]), minlength=n)
        self._service_load = load.astype(np.float64, copy=False)  # bincount of nothing gives integers
        pursuing, developing = (stage == Stage.PURSUIT).nonzero()[0], (stage == Stage.DEVELOPING).nonzero()[0]
        committed = np.bincount(
            np.concatenate([owner[pursuing], owner[developing]]),
            weights=np.concatenate([effort.pursuit(ledger, pursuing), effort.development(ledger, developing)]),
            minlength=n,
        )
        self._spare = self.capacity * (1 - crm_share) - self._service_load - committed
        self._forget_views()

    def reserve(self, desk: int, time: float) -> None:
        """Take ``time`` out of a desk's spare time."""
        self._spare[desk] -= time

    def take_clients(self, desks: npt.NDArray[np.integer], loads: Floats) -> None:
        """Desks take on clients (one entry per client, in order) with these servicing loads."""
        np.add.at(self._service_load, desks, loads)
        self._book_size += np.bincount(desks, minlength=len(self._book_size))
