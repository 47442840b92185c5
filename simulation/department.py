"""What a policy and the quarter's phases see of the department: ``SalesModel`` is one.

A policy decides (who pursues a lead, who meets a need, who receives a client) through this
interface: it reads the ledger, the timesheet and the staff, and acts only through the verbs
(``assign_pursuit``, ``hand_off``, ``timesheet.reserve``, ``timesheet.take_clients``, ``recruit``, ``log``).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .agents import Role, Seller
from .effort import Effort
from .ledger import ClientLedger, Rows
from .scenario import Scenario
from .staff import Staff
from .streams import Streams
from .timesheet import Timesheet


class Department(Protocol):
    quarter: int
    ledger: ClientLedger
    timesheet: Timesheet
    effort: Effort
    staff: Staff
    streams: Streams
    log_events: bool
    finance: dict[str, float]  # the latest quarter's accounts
    one_off: dict[str, float]  # one-off costs (of a switch) for the next accounts
    crm_use: float  # share of work recorded in a CRM this quarter (0 without one)
    founded: int  # the department's first quarter: -department.history_quarters (quarter 0 starts the report)
    switched_at: int | None  # the quarter the latest policy switch took effect

    @property
    def scenario(self) -> Scenario: ...

    @property
    def desks(self) -> list[Seller]: ...

    @property
    def head(self) -> Seller: ...

    @property
    def on_staff(self) -> list[Seller]: ...

    def regular_sellers(self) -> list[Seller]: ...

    def strategic_seller(self) -> Seller | None: ...

    def refresh_time(self) -> None: ...

    def crm_share(self) -> float: ...

    def assign_pursuit(self, rows: Any, desk: int, effort: float | None = None) -> None: ...

    def hand_off(self, rows: Rows, receivers: np.ndarray, planned: bool = False) -> None: ...

    def recruit(self, role: Role) -> Seller: ...

    def become_clients(self, rows: Rows) -> None: ...

    def log(self, kind: str, text: str, **data: Any) -> None: ...
