"""The department's agents: sellers, and clients (thin views on the client ledger)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, cast

from mesa import Agent, Model

from .ledger import ACTIVE, ClientLedger, Rows, Stage


class Role(StrEnum):
    GENERALIST = "generalist"
    HUNTER = "hunter"
    ACCOUNT_MANAGER = "account_manager"
    STRATEGIC = "strategic_seller"
    HEAD = "head"


class _WithLedger(Protocol):
    ledger: ClientLedger
    desks: list[Seller]


def _department(agent: Agent) -> _WithLedger:
    return cast(_WithLedger, agent.model)


class Seller(Agent):
    """A seller: consultative skill, motivation, tenure, role, capacity and a book of clients.

    ``veteran`` marks the sellers on staff at quarter 0 with at least ``veteran_min_tenure``
    quarters; ``newcomer`` holds in the first ``newcomer_quarters`` quarters of tenure.
    """

    def __init__(
        self,
        model: Model,
        desk: int,
        skill: float,
        tenure: int,
        role: Role,
        capacity: float = 1.0,
        motivation: float = 0.7,
        *,
        hired: int = 0,
        veteran: bool = False,
        newcomer_quarters: int = 4,
    ) -> None:
        super().__init__(model)
        self.desk = desk  # index of this seller in the ledger's owner column and the timesheet
        self.name = f"S{desk}"
        self.skill = skill
        self.motivation = motivation
        self.tenure = tenure
        self.start_tenure, self.start_skill = tenure, skill
        self.role = role
        self.capacity = capacity
        self.hired = hired
        self.veteran = veteran
        self.newcomer_quarters = newcomer_quarters
        self.departed = False
        self.left: int | None = None
        self.income = 0.0
        self.book_income = 0.0  # income that needs no new clients (book commission)
        self.won_total = self.lost_total = 0  # pursuits over the whole tenure here
        self.was_busy = False  # servicing took >= 80% of time last quarter
        # This quarter's time use and outcomes (all set while the quarter's work is settled).
        self.service_time = self.consultative_time = self.crm_time = 0.0
        self.practice = 0.0  # complexity-weighted consultative effort, 1 = full practice
        self.wins = self.losses = 0

    @property
    def newcomer(self) -> bool:
        """In the first quarters of tenure (``department.newcomer_quarters``)."""
        return self.tenure < self.newcomer_quarters and self.role not in (Role.HEAD, Role.STRATEGIC)

    @property
    def book(self) -> Rows:
        """Ledger rows of the clients this seller owns (developing or loyal)."""
        ledger = _department(self).ledger
        return ((ledger.owner == self.desk) & ledger.in_stage(*ACTIVE)).nonzero()[0]

    @property
    def service_share(self) -> float:
        """Share of this quarter's capacity spent servicing the book."""
        return self.service_time / self.capacity if self.capacity > 0 else 0.0

    def book_mix(self) -> dict[str, int]:
        """Clients in the book by type."""
        ledger, rows = _department(self).ledger, self.book
        strategic = ledger.strategic[rows]
        consultative = ledger.consultative[rows] & ~strategic
        return {
            "transactional": int((~consultative & ~strategic).sum()),
            "consultative": int(consultative.sum()),
            "strategic": int(strategic.sum()),
        }


def _ledger_column(name: str, kind: type) -> Any:
    """A read-only attribute that reads this client's row of a ledger column."""
    return property(lambda self: kind(getattr(_department(self).ledger, name)[self.row]), doc=f"the client's {name}")


class Client(Agent):
    """A client: a view on one row of the department's client ledger.

    Leads are ledger rows only; a lead becomes a ``Client`` agent when it is won (the initial
    book are clients from the start) and stays one after it churns.
    """

    size = _ledger_column("size", float)  # k€ per quarter when fully developed
    complexity = _ledger_column("complexity", float)
    consultative = _ledger_column("consultative", bool)
    strategic = _ledger_column("strategic", bool)
    development = _ledger_column("development", float)
    loyalty_personal = _ledger_column("loyalty_personal", float)
    loyalty_firm = _ledger_column("loyalty_firm", float)

    def __init__(self, model: Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def stage(self) -> Stage:
        return Stage(int(_department(self).ledger.stage[self.row]))

    @property
    def owner(self) -> Seller | None:
        department = _department(self)
        desk = int(department.ledger.owner[self.row])
        return department.desks[desk] if desk >= 0 else None
