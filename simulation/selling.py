"""The quarter's selling work (docs/model.md §2.3–2.4): needs arise, sellers spend their time,
pursuits are won or lost, clients develop, are served, have their needs met or not, move their
loyalty and churn; revenue is booked. Every random number is drawn per client row, whatever the
policy did (common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import mechanisms as mech
from .agents import Seller
from .department import Department
from .ledger import ACTIVE, Rows, Stage
from .policies import Policy

Floats = np.ndarray


@dataclass
class Work:
    """One quarter's time use, per seller desk, and the rows being worked."""

    skill: Floats
    share: Floats  # effort share each consultative item gets
    coverage: Floats  # share of servicing need met
    served: Floats  # servicing time
    crm: Floats  # data-entry time
    consultative: Floats  # consultative time
    practice: Floats  # practice, 1 = full
    pursuing: Rows  # rows in pursuit
    developing: Rows  # rows being developed


def work(model: Department, policy: Policy) -> Rows:
    """The quarter's work, in the order of docs/model.md §2.3–2.4; returns the rows won."""
    p, ledger, n = model.scenario, model.ledger, model.ledger.n
    rng = model.streams.quarter("outcomes", model.quarter)
    u_win, u_need, u_met = rng.random(n), rng.random(n), rng.random(n)
    u_churn = model.streams.quarter("churn", model.quarter).random(n)
    active = ledger.in_stage(*ACTIVE)
    need_rate = np.where(ledger.consultative, p.clients.need_rate_consultative, p.clients.need_rate_transactional)
    need_rows = (active & (u_need < need_rate)).nonzero()[0]
    handler = policy.need_handlers(model, need_rows)
    done = spend_capacity(model, need_rows, handler)
    won = settle_pursuits(model, done, u_win)
    develop_clients(model, done)
    active_rows = active.nonzero()[0]
    serve_clients(model, done, active_rows)
    unmet = meet_needs(model, done, need_rows, handler, u_met)
    move_loyalty_and_churn(model, done, active_rows, unmet, u_churn)
    book_revenue(model, won)
    record_time(model, done)
    return won


def spend_capacity(model: Department, need_rows: Rows, handler: np.ndarray) -> Work:
    """3. Servicing is paid first, then CRM data entry; consultative work (pursuits,
    development, needs) shares what is left in proportion to its demand."""
    p, ledger, time = model.scenario, model.ledger, model.timesheet
    stage, owner, complexity = ledger.stage, ledger.owner, ledger.complexity
    skill = np.array([s.skill for s in model.desks])
    capacity = time.capacity
    crm = time.capacity * model.crm_share()
    available = np.maximum(capacity - crm, 0.0)
    load = time.service_load
    served = np.minimum(load, available)
    coverage = np.where(load > 0, served / np.maximum(load, 1e-12), 1.0)
    left = available - served
    pursuing = (stage == Stage.PURSUIT).nonzero()[0]
    developing = (stage == Stage.DEVELOPING).nonzero()[0]
    desk = np.concatenate([owner[pursuing], owner[developing], handler]).astype(np.int64)
    row = np.concatenate([pursuing, developing, need_rows])
    effort = np.concatenate(
        [
            model.effort.pursuit(ledger, pursuing),
            model.effort.development(ledger, developing),
            np.full(len(need_rows), p.selling.need_effort),
        ]
    )
    demand = np.bincount(desk, weights=effort, minlength=len(model.desks))
    share = np.where(demand > 0, np.minimum(1.0, left / np.maximum(demand, 1e-12)), 0.0)
    # Practice: consultative effort, weighted by how consultative and how instructive it is.
    weight = np.minimum(1.0, complexity[row] / max(p.clients.consultative_threshold, 1e-9))
    efficacy = mech.learning_efficacy(skill[desk], complexity[row], p.selling.skill_slope, p.skill.challenge_penalty)
    practice = np.bincount(desk, weights=effort * share[desk] * weight * efficacy, minlength=len(model.desks))
    return Work(
        skill,
        share,
        coverage,
        served,
        crm,
        np.minimum(left, demand),
        practice / p.skill.practice_full,
        pursuing,
        developing,
    )


def settle_pursuits(model: Department, work: Work, u_win: np.ndarray) -> Rows:
    """4a. A pursued lead is won with a chance rising with effort and skill over complexity;
    a lead past its shelf life is lost. Won leads become ``Client`` agents. Returns the won rows."""
    p, ledger, q = model.scenario, model.ledger, model.quarter
    stage, owner, pursuing = ledger.stage, ledger.owner, work.pursuing
    chance = mech.win_chance(
        work.skill[owner[pursuing]],
        ledger.complexity[pursuing],
        work.share[owner[pursuing]],
        p.selling.skill_slope,
        p.selling.win_chance_max,
    )
    chance *= np.where(ledger.strategic[pursuing], p.selling.strategic_win_factor, 1.0)
    won = pursuing[u_win[pursuing] < chance]
    shelf = np.where(ledger.strategic, p.market.strategic_shelf_life, p.market.lead_shelf_life)
    expired = (q - ledger.arrived + 1 >= shelf) & ((stage == Stage.LEAD) | (stage == Stage.PURSUIT))
    expired[won] = False
    expired |= forgotten(model)
    lost = expired.nonzero()[0]
    lost_pursuits = lost[stage[lost] == Stage.PURSUIT]
    tally(model, "wins", owner[won])
    tally(model, "losses", owner[lost_pursuits])
    ledger.lose(lost, q)
    start = np.where(
        ledger.consultative[won], p.clients.start_development_consultative, p.clients.start_development_transactional
    )
    ledger.win(won, q, start, p.loyalty.personal_won, p.loyalty.firm_initial)
    model.become_clients(won)
    return won


def forgotten(model: Department) -> np.ndarray:
    """Leads nobody pursues are forgotten with ``market.lead_forgetting`` a quarter, less where a
    CRM keeps the pipeline in view (mask over the ledger's rows)."""
    p, ledger = model.scenario, model.ledger
    chance = p.market.lead_forgetting * (1 - p.crm.followup * model.crm_use)
    if chance == 0:
        return np.zeros(ledger.n, dtype=bool)
    u = model.streams.quarter("forgetting", model.quarter).random(ledger.n)
    return (ledger.stage == Stage.LEAD) & (u < chance)


def tally(model: Department, outcome: str, desks: np.ndarray) -> None:
    """This quarter's outcomes (wins, losses) per seller."""
    counts = np.bincount(desks, minlength=len(model.desks)).tolist()
    for seller in model.on_staff:
        setattr(seller, outcome, counts[seller.desk])


def develop_clients(model: Department, work: Work) -> None:
    """4b. Developing clients realise a share of their potential; developed ones turn loyal
    (clients won this quarter start next quarter)."""
    p, ledger, rows = model.scenario, model.ledger, work.developing
    owner = ledger.owner[rows]
    level = mech.develop(
        ledger.development[rows],
        work.skill[owner],
        ledger.complexity[rows],
        work.share[owner],
        p.selling.skill_slope,
        p.selling.development_rate,
    )
    ledger.develop(rows, level, p.clients.loyal_level)


def serve_clients(model: Department, work: Work, active: Rows) -> None:
    """4c. Service moves each active client's personal loyalty toward its coverage."""
    ledger = model.ledger
    ledger.serve(active, work.coverage[ledger.owner[active]], model.scenario.loyalty.service_gain)


def meet_needs(model: Department, work: Work, rows: Rows, handler: np.ndarray, u_met: np.ndarray) -> Rows:
    """4d. A consultative need is met by its handler with a chance rising with effort and
    skill; a met need grows the client and its loyalty, an unmet one costs loyalty.
    Returns the rows whose need went unmet."""
    p, ledger = model.scenario, model.ledger
    fit = mech.skill_fit(work.skill[handler], ledger.complexity[rows], p.selling.skill_slope)
    met = u_met[rows] < p.selling.need_success_max * work.share[handler] * fit
    ledger.meet_needs(rows[met], rows[~met], p.loyalty.need_gain, p.clients.upsell_growth, p.loyalty.need_loss)
    return rows[~met]


def move_loyalty_and_churn(model: Department, work: Work, active: Rows, unmet: Rows, u_churn: np.ndarray) -> None:
    """4e. A CRM moves loyalty to the firm; service shortfall, an unmet need and low loyalty
    raise the churn hazard."""
    p, ledger = model.scenario, model.ledger
    coverage = work.coverage[ledger.owner[active]]
    ledger.move_to_firm(active, p.crm.firm_loyalty_rate * model.crm_use)
    unmet_need = np.zeros(ledger.n, dtype=bool)
    unmet_need[unmet] = True
    chance = mech.churn_probability(
        1 - coverage,
        unmet_need[active],
        ledger.loyalty_of(active),
        p.churn.base_rate,
        p.churn.shortfall_weight,
        p.churn.unmet_need_weight,
        p.churn.disloyalty_weight,
    )
    churned = active[u_churn[active] < chance]
    log_churn(model, churned)
    ledger.churn(churned, model.quarter)


def book_revenue(model: Department, won: Rows) -> None:
    """4f. Revenue is size times development for every client still active (not those won
    this quarter)."""
    ledger = model.ledger
    still = ledger.in_stage(*ACTIVE)
    still[won] = False
    ledger.book_revenue(np.where(still, ledger.size * ledger.development, 0.0))


def record_time(model: Department, work: Work) -> None:
    """Each seller's time use this quarter, and the newcomers' pursuits won and lost."""
    served, crm = work.served.tolist(), work.crm.tolist()
    consultative, practice = work.consultative.tolist(), work.practice.tolist()
    newcomer_won = newcomer_lost = 0
    for seller in model.on_staff:
        d = seller.desk
        seller.service_time, seller.crm_time = served[d], crm[d]
        seller.consultative_time, seller.practice = consultative[d], practice[d]
        seller.won_total += seller.wins
        seller.lost_total += seller.losses
        if seller.newcomer:
            newcomer_won += seller.wins
            newcomer_lost += seller.losses
        if model.log_events:
            log_servicing(model, seller)
    model.staff.newcomer_outcomes += (newcomer_won, newcomer_lost)


def log_servicing(model: Department, seller: Seller) -> None:
    busy = seller.service_share >= 0.8
    if busy and not seller.was_busy and seller.veteran:
        model.log(
            "servicing",
            f"veteran {seller.name} now spends {seller.service_share:.0%} of time on invoicing",
            seller=seller.name,
            share=seller.service_share,
        )
    seller.was_busy = busy


def log_churn(model: Department, churned: Rows) -> None:
    if not model.log_events:
        return
    ledger = model.ledger
    for row in churned[ledger.consultative[churned]]:
        handoff = bool(model.quarter - ledger.last_handoff[row] <= 4)
        after = " after a handoff" if handoff else ""
        model.log("churn", f"golden-fund client C{row} churned{after}", client=int(row), handoff=handoff)
