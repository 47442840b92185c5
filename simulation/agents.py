"""The department's agents: sellers, and clients (thin views on the client ledger)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from mesa import Agent

from .ledger import ACTIVE, Stage

if TYPE_CHECKING:
    from .model import SalesModel


class Role(StrEnum):
    GENERALIST = "generalist"
    HUNTER = "hunter"
    ACCOUNT_MANAGER = "account_manager"
    STRATEGIC = "strategic_seller"
    HEAD = "head"


class Seller(Agent):
    """A seller: consultative skill, motivation, tenure, role, capacity and a book of clients."""

    def __init__(
        self,
        model: SalesModel,
        desk: int,
        skill: float,
        tenure: int,
        role: Role,
        capacity: float = 1.0,
        motivation: float = 0.7,
    ) -> None:
        super().__init__(model)
        self.desk = desk  # index of this seller in the ledger's owner column
        self.name = f"S{desk}"
        self.skill = skill
        self.motivation = motivation
        self.tenure = tenure
        self.start_tenure, self.start_skill = tenure, skill
        self.role = role
        self.capacity = capacity
        self.hired = model.quarter
        self.veteran = model.quarter == 0 and tenure >= 8 and role not in (Role.HEAD, Role.STRATEGIC)
        self.departed = False
        self.left: int | None = None
        self.income = 0.0
        self.won_total = self.lost_total = 0  # pursuits over the whole tenure here
        self.was_busy = False  # servicing took >= 80% of time last quarter
        self.book_income = 0.0  # income that needs no new clients (book commission)
        self.reset_tally()

    def reset_tally(self) -> None:
        """Clear this quarter's time use and outcomes."""
        self.service_time = 0.0
        self.consultative_time = 0.0
        self.crm_time = 0.0
        self.practice = 0.0  # complexity-weighted consultative effort, share of a quarter
        self.wins = 0
        self.losses = 0

    @property
    def newcomer(self) -> bool:
        """In the first four quarters of tenure."""
        return self.tenure < 4 and self.role not in (Role.HEAD, Role.STRATEGIC)

    @property
    def book(self):
        """Ledger rows of the clients this seller owns (developing or loyal)."""
        ledger = self.model.ledger
        return ((ledger.view("owner") == self.desk) & ledger.in_stage(*ACTIVE)).nonzero()[0]

    @property
    def service_share(self) -> float:
        """Share of this quarter's capacity spent servicing the book."""
        return self.service_time / self.capacity if self.capacity > 0 else 0.0

    def book_mix(self) -> dict[str, int]:
        """Clients in the book by type."""
        ledger, rows = self.model.ledger, self.book
        strategic = ledger.strategic[rows]
        consultative = ledger.consultative[rows] & ~strategic
        return {
            "transactional": int((~consultative & ~strategic).sum()),
            "consultative": int(consultative.sum()),
            "strategic": int(strategic.sum()),
        }


def _ledger_column(name: str, kind: type) -> property:
    """A read-only attribute that reads this client's row of a ledger column."""
    return property(lambda self: kind(getattr(self.model.ledger, name)[self.row]), doc=f"the client's {name}")


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

    def __init__(self, model: SalesModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def stage(self) -> Stage:
        return Stage(int(self.model.ledger.stage[self.row]))

    @property
    def owner(self) -> Seller | None:
        desk = int(self.model.ledger.owner[self.row])
        return self.model.desks[desk] if desk >= 0 else None
