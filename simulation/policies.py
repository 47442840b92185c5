"""Policies: who pursues which lead, who meets which need, who receives a handed-off client,
how sellers are paid. One small class per policy behind one interface; the model never asks
a policy's name. Policies read the department and act only through its verbs
(``simulation.department.Department``): they never write the ledger's or the timesheet's arrays.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from .agents import Role, Seller
from .department import Department
from .ledger import Rows, Stage
from .mechanisms import claim_propensity, skill_fit

Desks = npt.NDArray[np.int64]


class Policy:
    """Base policy: generalists, leads to whoever has spare time, owners keep their clients."""

    name = "base"
    description = ""
    newcomer_role = Role.GENERALIST
    unused_keys: tuple[str, ...] = ()  # scenario keys this policy never reads

    def setup(self, model: Department) -> None:
        """Give the sellers present at quarter 0 their roles (here: all generalists)."""
        for seller in model.regular_sellers():
            seller.role = Role.GENERALIST

    def promote(self, model: Department) -> None:
        """Change roles between quarters (none by default)."""

    def route_leads(self, model: Department, rows: Rows) -> None:
        """Assign open leads (ledger rows, most attractive first) to pursuers."""
        raise NotImplementedError

    def need_handlers(self, model: Department, rows: Rows) -> Desks:
        """Desk that meets each client's consultative need: by default its owner."""
        return model.ledger.owner[rows].astype(np.int64)

    def hand_off_matured(self, model: Department) -> None:
        """Move clients between sellers when they mature (none by default)."""

    def receivers(self, model: Department, rows: Rows) -> npt.NDArray[np.int32]:
        """Desk that receives each of a leaver's clients."""
        raise NotImplementedError

    def pay(
        self, model: Department, roles: list[Role], book_revenue: np.ndarray, acquired_revenue: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each seller's (book income, acquisition income) for a quarter, before base salary,
        from the revenue of its book and of the clients it won in the acquisition window."""
        return model.scenario.pay.book_commission * book_revenue, np.zeros(len(roles))


def desks_of(sellers: Iterable[Seller]) -> Desks:
    """Desk numbers of some sellers, as an array for vectorised choices."""
    return np.fromiter((s.desk for s in sellers), dtype=np.int64)


def most_spare(model: Department, desks: Iterable[int], effort: float) -> int:
    """The desk with most spare time if it has at least ``effort`` (ties: the first), else -1.
    (A handful of desks: plain Python, faster than numpy here.)"""
    desks = list(desks)
    if not desks:
        return -1
    spare = model.timesheet.spare.tolist()
    best = max(desks, key=spare.__getitem__)
    return int(best) if spare[best] >= effort else -1


class FinderKeeps(Policy):
    """Generalists; whoever wins a client keeps it for good; commission on one's own book.

    Sellers claim open leads, most attractive to them first, until their spare time runs out;
    a seller whose income is comfortably above aspiration passes over most leads (Sabnis et al.
    2013). Veterans choose first. The head hands what is left to whoever has the smallest book
    and time for it.
    """

    name = "finder_keeps"
    description = "generalists; the finder of a client keeps it; leftover leads to the smallest book"
    unused_keys = (
        "roles.promotion_skill",
        "roles.manager_load_cap",
        "roles.need_skill_margin",
        "roles.newcomer_book_cap",
        "pay.acquisition_bonus",
    )

    def route_leads(self, model: Department, rows: Rows) -> None:
        if not len(rows):
            return
        effort = model.effort.pursuit(model.ledger, rows)
        spare = model.timesheet.spare
        sellers = [s for s in model.regular_sellers() if spare[s.desk] >= effort.min()]
        sellers.sort(key=lambda s: (-s.tenure, s.desk))  # veterans choose first
        if not sellers:
            return
        claimed = np.zeros(len(rows), dtype=bool)
        for desk, mine in self.claims(model, sellers, rows, effort):
            model.assign_pursuit(rows[mine], desk, effort[mine].sum())
            claimed[mine] = True
        # The head hands each lead left over to the smallest book with time for it (ties: the
        # first in choosing order). A handful of sellers: plain Python beats numpy here.
        desks = [s.desk for s in sellers]
        books = model.timesheet.book_size[desks].tolist()  # assigning a pursuit leaves books as they are
        costs = effort.tolist()
        for i in (~claimed).nonzero()[0].tolist():
            spare, need = model.timesheet.spare.tolist(), costs[i]
            fits = [(book, k) for k, (desk, book) in enumerate(zip(desks, books, strict=True)) if spare[desk] >= need]
            if fits:
                model.assign_pursuit(rows[i], desks[min(fits)[1]], need)

    def claims(
        self, model: Department, sellers: list[Seller], rows: Rows, effort: np.ndarray
    ) -> list[tuple[int, list[int]]]:
        """Which open leads each seller claims: (desk, positions in ``rows``), in claiming order.

        Each seller wants each lead with its claim propensity (one draw per seller and lead);
        in turn, each claims the free leads it wants, most valuable to it first (size times
        skill fit per unit of effort), while they fit in its spare time."""
        ledger, params, pay = model.ledger, model.scenario.selling, model.scenario.pay
        rng = model.streams.quarter("routing", model.quarter)
        comfort = (pay.base_salary + np.array([s.book_income for s in sellers])) / pay.aspiration
        propensity = claim_propensity(comfort, params.comfort_slope, params.comfort_threshold)
        wants = rng.random((len(sellers), len(rows))) < propensity[:, None]
        flat = np.flatnonzero(wants)  # (seller, lead) pairs, seller by seller (faster than wants.nonzero())
        who = flat // len(rows)
        lead = flat - who * len(rows)
        skills = np.array([s.skill for s in sellers])
        value = ledger.size[rows[lead]] * skill_fit(skills[who], ledger.complexity[rows[lead]], params.skill_slope)
        rank = -value / effort[lead]  # ascending: most valuable first
        bounds = np.searchsorted(who, np.arange(len(sellers) + 1)).tolist()
        cheapest, costs = float(effort.min()), effort.tolist()
        spare_time = model.timesheet.spare
        taken = np.zeros(len(rows), dtype=bool)  # leads already claimed
        picks = []
        for seller, start, end in zip(sellers, bounds[:-1], bounds[1:], strict=True):
            if start == end:
                continue
            spare = float(spare_time[seller.desk])
            wanted, order = lead[start:end], rank[start:end]
            most = int(spare // cheapest) + 1  # no more than this many can fit
            if end - start > max(most, 32):  # many wanted: keep the free ones and the best of those in numpy
                free = ~taken[wanted]
                wanted, order = wanted[free], order[free]
                if most < len(wanted):
                    best = np.argpartition(order, most - 1)[:most]
                    wanted, order = wanted[best], order[best]
            used, mine = 0.0, []
            for _, i in sorted(zip(order.tolist(), wanted.tolist(), strict=True)):
                if taken[i]:
                    continue
                if used + costs[i] > spare:
                    break
                used += costs[i]
                taken[i] = True
                mine.append(i)
            if mine:
                picks.append((seller.desk, mine))
        return picks

    def receivers(self, model: Department, rows: Rows) -> npt.NDArray[np.int32]:
        """A leaver's clients go one by one to whoever has the smallest book (ties: lowest desk)."""
        desks = desks_of(model.regular_sellers())
        out = desks[one_by_one_to_smallest(model.timesheet.book_size[desks], desks, len(rows))]
        model.timesheet.take_clients(out, model.effort.service(model.ledger.size[rows]))
        return out.astype(np.int32)


def one_by_one_to_smallest(books: np.ndarray, desks: np.ndarray, count: int) -> npt.NDArray[np.int64]:
    """Handing out ``count`` items one at a time, each to the smallest book (ties: lowest desk):
    which position gets each. The k-th item goes to the k-th smallest (book + j, desk) pair, so
    all are found at once by filling the books up to a common level."""
    if count == 0 or not len(books):
        return np.zeros(0, dtype=np.int64)
    low, high = int(books.min()), int(books.min()) + count  # the level the books are filled to
    while low < high:
        mid = (low + high) // 2
        low, high = (low, mid) if np.maximum(mid - books, 0).sum() >= count else (mid + 1, high)
    takes = np.maximum(low - books, 0)
    position = np.repeat(np.arange(len(books)), takes)
    level = books[position] + np.arange(len(position)) - np.repeat(np.cumsum(takes) - takes, takes)
    return position[np.lexsort((desks[position], level))[:count]]


class DedicatedRoles(Policy):
    """Work matched to skill: hunters win and develop consultative clients, then hand them to
    account managers, who service books and pursue transactional leads. Newcomers start as
    account managers and are promoted to hunter when their skill passes a threshold.
    Acquisition bonus for hunters, book commission for account managers.
    """

    name = "dedicated_roles"
    description = "hunters win and develop consultative clients; account managers keep books"
    newcomer_role = Role.ACCOUNT_MANAGER
    unused_keys = ("selling.comfort_slope", "selling.comfort_threshold", "pay.aspiration")

    def setup(self, model: Department) -> None:
        sellers = sorted(model.regular_sellers(), key=lambda s: (-s.skill, s.desk))
        hunters = round(model.scenario.roles.hunter_share * len(sellers))
        for rank, seller in enumerate(sellers):
            seller.role = Role.HUNTER if rank < hunters and not seller.newcomer else Role.ACCOUNT_MANAGER
        self.hand_off_matured(model)

    def promote(self, model: Department) -> None:
        sellers = model.regular_sellers()
        target = round(model.scenario.roles.hunter_share * len(sellers))
        hunters = sum(s.role is Role.HUNTER for s in sellers)
        ready = sorted(
            (s for s in sellers if s.role is Role.ACCOUNT_MANAGER and s.skill >= model.scenario.roles.promotion_skill),
            key=lambda s: -s.skill,
        )
        for seller in ready[: max(0, target - hunters)]:
            seller.role = Role.HUNTER
            model.log(
                "promotion",
                f"{seller.name} promoted to hunter (skill {seller.skill:.2f})",
                seller=seller.name,
                skill=seller.skill,
            )

    def _desks(self, model: Department, role: Role) -> Desks:
        return desks_of(s for s in model.regular_sellers() if s.role is role)

    def route_leads(self, model: Department, rows: Rows) -> None:
        """Consultative leads to the hunter with most spare time; transactional ones to the
        account manager with most spare time, or a hunter when none has room."""
        hunters, managers = self._desks(model, Role.HUNTER).tolist(), self._desks(model, Role.ACCOUNT_MANAGER).tolist()
        efforts, hard_ones = model.effort.pursuit(model.ledger, rows).tolist(), model.ledger.consultative[rows].tolist()
        for row, effort, hard in zip(rows.tolist(), efforts, hard_ones, strict=True):
            desk = -1 if hard else most_spare(model, managers, effort)
            if desk < 0:
                desk = most_spare(model, hunters, effort)
            if desk >= 0:
                model.assign_pursuit(row, desk, effort)

    def need_handlers(self, model: Department, rows: Rows) -> Desks:
        """An account manager meets the needs it has the skill and the time for; a hunter
        (the one with most spare time) takes the others."""
        ledger, effort = model.ledger, model.scenario.selling.need_effort
        margin = model.scenario.roles.need_skill_margin
        hunters = self._desks(model, Role.HUNTER).tolist()
        handlers, complexity = ledger.owner[rows].tolist(), ledger.complexity[rows].tolist()
        for k, desk in enumerate(handlers):
            owner = model.desks[desk]
            able = owner.skill >= complexity[k] - margin and model.timesheet.spare[desk] >= effort
            if owner.role is Role.ACCOUNT_MANAGER and not able:
                hunter = most_spare(model, hunters, effort)
                if hunter >= 0:
                    handlers[k] = hunter
            model.timesheet.reserve(handlers[k], effort)
        return np.array(handlers, dtype=np.int64)

    def hand_off_matured(self, model: Department) -> None:
        """Settled clients move from hunters to account managers while these have room:
        transactional ones from the switch on, consultative ones once the hunter has developed
        them. Consultative clients a hunter already had at the switch stay with the hunter."""
        switch = model.founded if model.switched_at is None else model.switched_at
        if not any(s.role is Role.ACCOUNT_MANAGER for s in model.regular_sellers()):
            return  # nobody to hand to: hunters keep their clients
        model.refresh_time()
        ledger = model.ledger
        hunter = np.zeros(len(model.desks) + 1, dtype=bool)
        hunter[[s.desk for s in model.regular_sellers() if s.role is Role.HUNTER]] = True
        settled = (
            hunter[ledger.owner]  # owner -1 reads the extra last entry, never a hunter
            & (ledger.stage == Stage.LOYAL)
            & ~ledger.strategic
            & (~ledger.consultative | (ledger.won > switch))
        )
        rows = settled.nonzero()[0]
        receivers = self._to_account_managers(model, rows, cap=model.scenario.roles.manager_load_cap)
        model.hand_off(rows[receivers >= 0], receivers[receivers >= 0], planned=True)

    def _to_account_managers(self, model: Department, rows: Rows, cap: float = np.inf) -> npt.NDArray[np.int32]:
        """Each client to the account manager with the lightest servicing load, -1 where none
        has room under ``cap``; newcomers stop receiving clients above their own (lower) cap so
        that they keep time to practise."""
        managers = [s for s in model.regular_sellers() if s.role is Role.ACCOUNT_MANAGER] or model.regular_sellers()
        desks = desks_of(managers)
        capacity = np.array([s.capacity for s in managers])
        limit = capacity * np.array(
            [min(cap, model.scenario.roles.newcomer_book_cap) if s.newcomer else cap for s in managers]
        )
        load = model.timesheet.service_load[desks].copy()
        needs = model.effort.service(model.ledger.size[rows])
        out = np.full(len(rows), -1, dtype=np.int32)
        if not len(rows) or (np.isfinite(cap) and (limit - load).max() < needs.min()):
            return out  # no account manager has room for even the smallest client
        # One client at a time, in plain Python (a handful of account managers: faster than numpy).
        books, loads, limits = model.timesheet.book_size[desks].tolist(), load.tolist(), limit.tolist()
        capacities, chosen, capped = capacity.tolist(), out.tolist(), bool(np.isfinite(cap))
        managers_at = range(len(desks))
        for k, need in enumerate(needs.tolist()):
            room = [(loads[i] / capacities[i], books[i], i) for i in managers_at if loads[i] + need <= limits[i]]
            if not room and capped:
                continue
            # lightest load; ties: smallest book, then lowest desk
            i = min(room or [(loads[i] / capacities[i], books[i], i) for i in managers_at])[2]
            chosen[k] = int(desks[i])
            loads[i] += need
            books[i] += 1
        out = np.array(chosen, dtype=np.int32)
        taken = out >= 0
        model.timesheet.take_clients(out[taken], needs[taken])
        return out

    def receivers(self, model: Department, rows: Rows) -> npt.NDArray[np.int32]:
        """A leaver's clients still being developed go to hunters (most spare time first, in
        turn); settled ones to the account managers with the lightest loads."""
        developing = model.ledger.stage[rows] == Stage.DEVELOPING
        hunters = self._desks(model, Role.HUNTER)
        if not len(hunters):
            developing[:] = False
        out = np.empty(len(rows), dtype=np.int32)
        out[~developing] = self._to_account_managers(model, rows[~developing])
        if developing.any():
            order = hunters[np.argsort(-model.timesheet.spare[hunters], kind="stable")]
            out[developing] = order[np.arange(int(developing.sum())) % len(order)]
        return out

    def pay(
        self, model: Department, roles: list[Role], book_revenue: np.ndarray, acquired_revenue: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hunters earn a bonus on what they won; everyone else a commission on their book."""
        pay, hunter = model.scenario.pay, np.array([role is Role.HUNTER for role in roles], dtype=bool)
        return (
            np.where(hunter, 0.0, pay.book_commission * book_revenue),
            np.where(hunter, pay.acquisition_bonus * acquired_revenue, 0.0),
        )


# --- strategic deals: who works the rare, large, complex leads -----------------------------


class StrategicDeals:
    """Strategic leads go through the policy's normal routing."""

    name = "none"
    description = "strategic leads are routed like any consultative lead"

    def setup(self, model: Department) -> None:
        """Add the people this option needs at quarter 0."""

    def route(self, model: Department, rows: Rows) -> Rows:
        """Take the strategic leads this option handles; return the rest for the policy."""
        return rows

    def worker(self, model: Department) -> Seller:
        return model.head


class HeadPartTime(StrategicDeals):
    """The head works strategic deals in the time left after managing; coaching suffers."""

    name = "head_part_time"
    description = "the head of department works strategic deals part time"

    def route(self, model: Department, rows: Rows) -> Rows:
        strategic = model.ledger.strategic[rows]
        desk = self.worker(model).desk
        for row in rows[strategic]:
            model.assign_pursuit(row, desk)
        return rows[~strategic]


class DedicatedSeller(HeadPartTime):
    """A dedicated strategic seller, more skilled than the head, works strategic deals."""

    name = "dedicated_seller"
    description = "a dedicated strategic seller works strategic deals; the head coaches"

    def setup(self, model: Department) -> None:
        model.recruit(Role.STRATEGIC)

    def worker(self, model: Department) -> Seller:
        return model.strategic_seller() or model.head


STRATEGIC_OPTIONS: dict[str, type[StrategicDeals]] = {
    cls.name: cls for cls in (StrategicDeals, HeadPartTime, DedicatedSeller)
}
