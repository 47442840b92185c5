"""The department's staff: every desk ever filled, who is on staff now, vacancies and quits."""

from __future__ import annotations

import numpy as np

from .agents import Role, Seller


class Staff:
    """The roster. Desk ``d`` is the ``d``-th seller ever hired (the head is desk 0)."""

    def __init__(self) -> None:
        self.desks: list[Seller] = []
        self.on_staff: list[Seller] = []  # everyone selling now: regular sellers, strategic seller, head
        self.regular: list[Seller] = []  # on staff, neither head nor strategic seller
        self.vacancies: list[tuple[int, Role]] = []  # (quarter due, role)
        self.quits: list[tuple[int, Seller]] = []  # (quarter, leaver), for analysts
        self.hires_this_quarter = self.quits_this_quarter = 0
        self.target = 0  # regular head-count the department plans for (grows with a staff budget)
        self.newcomer_outcomes = np.zeros(2, dtype=np.int64)  # pursuits won, lost by newcomers

    @property
    def head(self) -> Seller:
        return self.desks[0]

    def strategic_seller(self) -> Seller | None:
        return next((s for s in self.on_staff if s.role is Role.STRATEGIC), None)

    def join(self, seller: Seller) -> None:
        """A seller takes the next desk."""
        self.desks.append(seller)
        self.on_staff.append(seller)
        if seller.role not in (Role.HEAD, Role.STRATEGIC):
            self.regular.append(seller)

    def leave(self, leavers: list[Seller], quarter: int) -> None:
        """Sellers leave the department (their desks stay, empty)."""
        for seller in leavers:
            seller.departed, seller.left = True, quarter
            self.quits.append((quarter, seller))
        self.quits_this_quarter += sum(s.role is not Role.STRATEGIC for s in leavers)
        self.on_staff = [s for s in self.on_staff if not s.departed]
        self.regular = [s for s in self.regular if not s.departed]

    def open_vacancy(self, due: int, role: Role) -> None:
        self.vacancies.append((due, role))

    def due_vacancies(self, quarter: int) -> list[Role]:
        """The roles of the vacancies due by ``quarter`` (taken off the list)."""
        due = [role for when, role in self.vacancies if when <= quarter]
        self.vacancies = [v for v in self.vacancies if v[0] > quarter]
        return due
