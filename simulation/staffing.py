"""Sellers learn and forget, lose or gain motivation, quit and are replaced
(docs/model.md §2.5–2.8)."""

from __future__ import annotations

import numpy as np

from . import mechanisms as mech
from .agents import Role, Seller
from .department import Department
from .ledger import Rows, Stage
from .policies import Policy


def coaching_time(model: Department) -> float:
    """The head's time left for coaching after administration and any deals it works."""
    d, head = model.scenario.department, model.head
    return max(0.0, 1 - d.head_admin_share - head.service_time - head.consultative_time)


def learn(model: Department) -> None:
    """5. Practice raises skill toward 1; without practice skill decays to a floor. The head's
    coaching time speeds newcomers' learning; the head's own skill is held fixed (managing and
    coaching keep it in use)."""
    s = model.scenario.skill
    newcomers = sum(x.newcomer for x in model.staff.regular)
    coached = min(1.0, coaching_time(model) / (s.coaching_need * newcomers)) if newcomers else 0.0
    rates = (min(1.0, s.learning_rate), min(1.0, s.learning_rate * (1 + s.coaching_boost * coached)))
    sellers = [x for x in model.on_staff if x.role is not Role.HEAD]
    skill = mech.learn(
        np.array([x.skill for x in sellers]),
        np.array([x.practice for x in sellers]),
        np.array([rates[x.newcomer] for x in sellers]),
        s.forgetting_rate,
        s.floor,
    )
    for seller, value in zip(sellers, skill.tolist(), strict=True):
        seller.skill = value


def motivate_and_quit(model: Department, policy: Policy) -> None:
    """6. Motivation tracks success and relative income; the quit chance rises steeply when
    motivation is low. Leavers go (``depart``)."""
    mo = model.scenario.motivation
    sellers = [s for s in model.on_staff if s.role is not Role.HEAD]
    if not sellers:
        return
    mean_income = float(np.mean([s.income for s in sellers])) or 1.0
    u = model.streams.quarter("quitting", model.quarter).random(len(model.desks))
    success = mech.success_rate(
        np.array([s.wins for s in sellers]), np.array([s.losses for s in sellers]), mo.success_prior, mo.prior_weight
    )
    motivation = mech.motivation_after(
        np.array([s.motivation for s in sellers]),
        success,
        np.array([s.income for s in sellers]) / mean_income,
        mo.smoothing,
        mo.success_weight,
    )
    for seller, value in zip(sellers, motivation.tolist(), strict=True):
        seller.motivation = value
    base = mech.tenure_quit_rate(
        np.array([s.tenure for s in sellers]), mo.quit_rate_early, mo.quit_rate_late, mo.quit_settle_quarters
    )
    chance = mech.quit_chance(motivation, base, mo.quit_extra, mo.quit_midpoint, mo.quit_slope)
    quits = u[[s.desk for s in sellers]] < chance
    leavers = [s for s, leaves in zip(sellers, quits, strict=True) if leaves]
    if leavers:
        depart(model, policy, leavers)


def depart(model: Department, policy: Policy, leavers: list[Seller]) -> None:
    """7. Leavers go: their open pursuits return to the pool, some clients loyal to them leave
    with them, the rest of their books are handed off by the policy (a strategic seller's to the
    head), vacancies open."""
    ledger, q = model.ledger, model.quarter
    gone = np.zeros(len(model.desks) + 1, dtype=bool)  # the extra last entry stands for owner -1
    for seller in leavers:
        model.timesheet.close_desk(seller.desk)
        gone[seller.desk] = True
        if model.log_events:
            who = "newcomer" if seller.newcomer else ("veteran" if seller.veteran else seller.role.value)
            model.log(
                "quit",
                f"{who.replace('_', ' ')} {seller.name} quit after {seller.lost_total} lost and "
                f"{seller.won_total} won pursuits (skill {seller.skill:.2f}, motivation {seller.motivation:.2f})",
                seller=seller.name,
                who=who,
                lost=seller.lost_total,
                won=seller.won_total,
                skill=seller.skill,
                motivation=seller.motivation,
            )
        role = seller.role if seller.role is Role.STRATEGIC else policy.newcomer_role
        model.staff.open_vacancy(q + model.scenario.hiring.delay, role)
    model.staff.leave(leavers, q)
    stage = ledger.stage
    theirs = gone[ledger.owner]
    ledger.release((theirs & (stage == Stage.PURSUIT)).nonzero()[0])  # open leads return to the pool
    model.refresh_time()
    book = (theirs & ((stage == Stage.DEVELOPING) | (stage == Stage.LOYAL))).nonzero()[0]
    book = follow_leavers(model, book)
    strategic = np.isin(ledger.owner[book], [s.desk for s in leavers if s.role is Role.STRATEGIC])
    anyone = bool(model.regular_sellers())
    to_head = book[strategic] if anyone else book
    model.hand_off(to_head, np.full(len(to_head), model.head.desk, dtype=np.int32))
    rest = book[~strategic] if anyone else book[:0]
    model.hand_off(rest, policy.receivers(model, rest))
    for seller in leavers:
        seller.remove()


def follow_leavers(model: Department, book: Rows) -> Rows:
    """Clients of a leaver who leave with the seller churn; returns the rest of the book."""
    ledger, share = model.ledger, model.scenario.handoff.follow_leaver_share
    u = model.streams.quarter("following", model.quarter).random(ledger.n)
    chance = mech.follow_chance(ledger.loyalty_personal[book], ledger.loyalty_firm[book], share)
    gone = u[book] < chance
    if model.log_events and gone.any():
        owners = sorted({model.desks[d].name for d in ledger.owner[book[gone]].tolist()})
        model.log(
            "follow",
            f"{int(gone.sum())} clients left with their seller",
            seller=", ".join(owners),
            count=int(gone.sum()),
        )
    ledger.churn(book[gone], model.quarter)
    return book[~gone]


def hire(model: Department, policy: Policy) -> float:
    """8. Vacancies are filled after a delay by newcomers; with a staff budget, the team grows.
    Returns the quarter's hiring cost."""
    h, staff = model.scenario.hiring, model.staff
    if h.budget_share > 0:
        affordable = int(h.budget_share * model.finance.get("revenue", 0.0) / model.scenario.pay.base_salary)
        staff.target = max(staff.target, affordable)
        planned = len(staff.regular) + sum(r is not Role.STRATEGIC for _, r in staff.vacancies)
        for _ in range(staff.target - planned):
            staff.open_vacancy(model.quarter + h.delay, policy.newcomer_role)
    due = staff.due_vacancies(model.quarter)
    for role in due:
        seller = model.recruit(role)
        model.log(
            "hire",
            f"{seller.name} hired as {role.value.replace('_', ' ')} (skill {seller.skill:.2f})",
            seller=seller.name,
            role=role.value,
            skill=seller.skill,
        )
    return h.cost * len(due)
