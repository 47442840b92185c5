"""The sales department: the Mesa model and its quarterly schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa import Model

from . import mechanisms as mech
from .agents import Client, Role, Seller
from .ledger import ACTIVE, ClientLedger, Stage
from .metrics import make_datacollector
from .policies import STRATEGIC_OPTIONS
from .presets import PolicyPreset, resolve_policy, resolve_run
from .scenario import Scenario

STREAMS = ("setup", "leads", "routing", "outcomes", "churn", "quitting", "hiring", "mesa")


class Streams:
    """Independent random streams keyed on (seed, replication) and the process they drive.

    Each quarter every process gets a fresh generator keyed on the quarter too, so a draw
    indexed by client row or seller desk is the same whatever the policy did before: that is
    what makes policies run on the same seed see the same market (common random numbers).
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = int(seed), int(replication)

    def sequence(self, name: str, *key: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, STREAMS.index(name), *key))

    def quarter(self, name: str, quarter: int | None = None) -> np.random.Generator:
        key = () if quarter is None else (quarter,)
        return np.random.default_rng(self.sequence(name, *key))


@dataclass
class Work:
    """One quarter's time use, per seller desk, and the rows being worked."""

    skill: np.ndarray
    share: np.ndarray  # effort share each consultative item gets
    coverage: np.ndarray  # share of servicing need met
    served: np.ndarray  # servicing time
    crm: np.ndarray  # data-entry time
    consultative: np.ndarray  # consultative time
    practice: np.ndarray  # practice, 1 = full
    pursuing: np.ndarray  # rows in pursuit
    developing: np.ndarray  # rows being developed


@dataclass
class Event:
    quarter: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"Q{self.quarter}: {self.text}"


class SalesModel(Model):
    """A B2B sales department, one step per quarter.

    Args:
        scenario: preset name, TOML path or ``Scenario``.
        policy: policy preset name (see ``simulation.POLICIES``).
        seed, replication: key of the random streams (common random numbers across policies).
        overrides: dotted-key parameter overrides.
        log_events: keep a plain-language event log (``model.events``).
    """

    def __init__(
        self,
        scenario: str | Scenario = "mature_department",
        policy: str | PolicyPreset = "finder_keeps",
        seed: int = 0,
        replication: int = 0,
        overrides: dict[str, Any] | None = None,
        log_events: bool = True,
    ) -> None:
        preset = resolve_policy(policy)
        self.scenario_params = resolve_run(scenario, preset, overrides)
        self.streams = Streams(seed, replication)
        super().__init__(rng=np.random.default_rng(self.streams.sequence("mesa")))
        p = self.scenario_params
        self.policy_name = preset.name
        self.policy = preset.policy()
        self.strategic_deals = STRATEGIC_OPTIONS[p.strategic.deals]()
        self.quarter = 0
        self.log_events = log_events
        self.events: list[Event] = []
        self._snapshot_quarter = -1
        self.ledger = ClientLedger(capacity=max(256, 2 * p.department.sellers * p.department.clients_per_veteran))
        self.desks: list[Seller] = []
        self._capacities: list[float] = []  # per desk, 0 once its seller has left
        self._capacity: np.ndarray | None = None  # the same as an array, kept until staff changes
        self._on_staff: list[Seller] = []
        self._regular: list[Seller] = []  # on staff, neither head nor strategic seller
        self.vacancies: list[tuple[int, Role]] = []  # (quarter due, role)
        self.quits: list[tuple[int, Seller]] = []  # (quarter, leaver), for analysts
        self.hires_this_quarter = 0
        self.quits_this_quarter = 0
        self.finance: dict[str, float] = {}
        self.newcomer_outcomes = np.zeros(2, dtype=np.int64)  # pursuits won, lost by newcomers
        self.target_sellers = p.department.sellers
        self._setup_department()
        self.initial_golden = (self.ledger.view("consultative") & self.ledger.in_stage(*ACTIVE)).nonzero()[0]
        veterans = sorted((s for s in self.desks if s.veteran), key=lambda s: (-s.skill, s.desk))
        self.top_veterans = veterans[: round(p.roles.hunter_share * p.department.sellers)]
        self.refresh_loads()
        self.policy.setup(self)
        self.strategic_deals.setup(self)
        self.datacollector = make_datacollector()
        self.refresh_loads()
        self._pay_initial_books()
        self._account(hiring=0.0)
        self.datacollector.collect(self)

    # Mesa 3.5 keeps ``scenario`` for its own Scenario type; ours is a pydantic model.
    @property
    def scenario(self) -> Scenario:  # type: ignore[override]
        return self.scenario_params

    @scenario.setter
    def scenario(self, value) -> None:  # Mesa's base class assigns its own; ours stays.
        self._mesa_scenario = value

    # --- set-up --------------------------------------------------------------------------
    def _setup_department(self) -> None:
        p = self.scenario.department
        rng = self.streams.quarter("setup")
        self.head = self._add_seller(p.head_skill, 40, Role.HEAD, capacity=self.scenario.department.head_selling_share)
        for k in range(p.sellers):
            veteran = k < p.veterans
            skill = (p.veteran_skill if veteran else p.newcomer_skill) + rng.uniform(-p.skill_spread, p.skill_spread)
            tenure = int(rng.integers(8, 2 * p.veteran_tenure - 7)) if veteran else int(rng.integers(0, 4))
            seller = self._add_seller(float(np.clip(skill, 0, 1)), tenure, Role.GENERALIST)
            seller.motivation = float(rng.uniform(self.scenario.motivation.staff_low, self.scenario.motivation.staff_high))
            books = p.clients_per_veteran if veteran else p.clients_per_newcomer
            rows = self._new_leads(books, rng, consultative_share=p.initial_consultative_share)
            ledger = self.ledger
            ledger.owner[rows] = seller.desk
            ledger.winner[rows], ledger.won[rows] = seller.desk, 0  # won before the run
            self._become_clients(rows)
            ledger.stage[rows] = Stage.LOYAL
            ledger.development[rows] = 1.0
            ledger.loyalty_personal[rows] = np.clip(
                self.scenario.loyalty.personal_initial + rng.uniform(-0.1, 0.1, len(rows)), 0, 1
            )

    def _pay_initial_books(self) -> None:
        """Sellers start with the income their initial books pay: it sets how hungry for new
        leads they are in the first quarter, as in every later one."""
        ledger, active = self.ledger, self.ledger.rows_in(*ACTIVE)
        revenue = ledger.size[active] * ledger.development[active]
        book = np.bincount(ledger.owner[active], weights=revenue, minlength=len(self.desks))
        self.pay_sellers(book, np.zeros(len(self.desks)))

    def _add_seller(self, skill: float, tenure: int, role: Role, capacity: float = 1.0) -> Seller:
        seller = Seller(self, len(self.desks), skill, tenure, role, capacity, self.scenario.motivation.initial)
        self.desks.append(seller)
        self._capacities.append(capacity)
        self._capacity = None
        self._on_staff.append(seller)
        if role not in (Role.HEAD, Role.STRATEGIC):
            self._regular.append(seller)
        return seller

    def _new_leads(
        self, count: int, rng: np.random.Generator, consultative_share: float, strategic: bool = False
    ) -> np.ndarray:
        """Draw leads (or the initial book): size, complexity, type. Adds them to the ledger."""
        m, c = self.scenario.market, self.scenario.clients
        if count == 0:
            return np.empty(0, dtype=np.int64)
        consultative = np.ones(count, bool) if strategic else rng.random(count) < consultative_share
        shape = rng.beta(2.0, 2.0, count)
        top = max(c.consultative_complexity_max, c.consultative_threshold)
        complexity = np.where(
            consultative,
            c.consultative_threshold + (top - c.consultative_threshold) * shape,
            c.consultative_threshold * shape,
        )
        size = m.size_median * rng.lognormal(0.0, m.size_sigma, count)
        size = size * np.where(consultative, m.consultative_size_factor, 1.0)
        if strategic:
            complexity = np.maximum(complexity, c.strategic_complexity)
            size = m.size_median * m.strategic_size_factor * rng.lognormal(0.0, m.size_sigma / 2, count)
        rows = self.ledger.add(
            size=size,
            complexity=complexity,
            consultative=consultative,
            strategic=np.full(count, strategic),
            arrived=np.full(count, self.quarter),
            loyalty_firm=np.full(count, self.scenario.loyalty.firm_initial),
        )
        return rows

    def _become_clients(self, rows: np.ndarray) -> None:
        """Won leads (and the initial book) become ``Client`` agents."""
        for row in rows.tolist():
            Client(self, row)

    # --- who is who --------------------------------------------------------------------------
    @property
    def on_staff(self) -> list[Seller]:
        """Everyone selling now: regular sellers, the strategic seller and the head."""
        return self._on_staff

    def regular_sellers(self) -> list[Seller]:
        """Sellers who are neither the head nor the strategic seller (a copy: callers may sort it)."""
        return list(self._regular)

    def strategic_seller(self) -> Seller | None:
        return next((s for s in self._on_staff if s.role is Role.STRATEGIC), None)

    # --- quarterly schedule ------------------------------------------------------------------
    def step(self) -> None:
        """One quarter, in the order of docs/model.md."""
        self.quarter += 1  # each seller's tallies of the quarter are all set during work()
        self.hires_this_quarter = self.quits_this_quarter = 0
        self.receive_leads()
        self.policy.promote(self)
        self.refresh_loads()
        self.route_leads()
        self.work()
        self.learn()
        self.motivate_and_quit()
        self.policy.hand_off_matured(self)
        for seller in self.on_staff:
            seller.tenure += 1
        hiring = self.hire()  # new hires start next quarter at tenure 0
        self._account(hiring)
        self.datacollector.collect(self)

    def receive_leads(self) -> None:
        """1. Leads arrive (Poisson); a share is consultative; strategic leads are rare and large."""
        m = self.scenario.market
        rng = self.streams.quarter("leads", self.quarter)
        self._new_leads(int(rng.poisson(m.leads_per_quarter)), rng, m.consultative_share)
        self._new_leads(int(rng.poisson(m.strategic_leads_per_quarter)), rng, 1.0, strategic=True)

    def route_leads(self) -> None:
        """2. Open leads are routed: strategic ones by the strategic option, the rest by the policy."""
        ledger = self.ledger
        waiting = (ledger.view("stage") == Stage.LEAD).nonzero()[0]
        order = np.argsort(-ledger.size[waiting] / self.pursuit_effort(waiting), kind="stable")
        rest = self.strategic_deals.route(self, waiting[order])
        self.policy.route_leads(self, rest)

    def pursuit_effort(self, rows: np.ndarray) -> np.ndarray:
        s, ledger = self.scenario.selling, self.ledger
        return np.where(
            ledger.strategic[rows],
            s.pursuit_effort_strategic,
            np.where(ledger.consultative[rows], s.pursuit_effort_consultative, s.pursuit_effort_transactional),
        )

    def development_effort(self, rows: np.ndarray) -> np.ndarray:
        s = self.scenario.selling
        return s.development_effort * np.where(self.ledger.strategic[rows], s.strategic_development_factor, 1.0)

    def service_need(self, size):
        s = self.scenario.selling
        return mech.service_demand(size, self.scenario.market.size_median, s.service_time, s.service_size_elasticity)

    def assign_pursuit(self, rows, desk: int, effort: float | None = None) -> None:
        """A seller starts pursuing open leads (a row or rows); its spare time shrinks by the
        total pursuit effort (given, or computed)."""
        rows = np.atleast_1d(rows)
        self.ledger.owner[rows] = desk
        self.ledger.stage[rows] = Stage.PURSUIT
        self.spare[desk] -= self.pursuit_effort(rows).sum() if effort is None else effort

    def refresh_loads(self) -> None:
        """Per-desk servicing load, committed consultative work, spare time and book size."""
        ledger, n = self.ledger, len(self.desks)
        owner, stage = ledger.view("owner"), ledger.view("stage")
        active = ledger.rows_in(*ACTIVE)
        desks = owner[active]
        self.book_size = np.bincount(desks, minlength=n)
        self.service_load = np.bincount(desks, weights=self.service_need(ledger.size[active]), minlength=n)
        pursuing, developing = (stage == Stage.PURSUIT).nonzero()[0], (stage == Stage.DEVELOPING).nonzero()[0]
        committed = np.bincount(
            np.concatenate([owner[pursuing], owner[developing]]),
            weights=np.concatenate([self.pursuit_effort(pursuing), self.development_effort(developing)]),
            minlength=n,
        )
        capacity = self.capacities()
        self.spare = (
            capacity * (1 - self.scenario.crm.time_cost * self.scenario.crm.used) - self.service_load - committed
        )

    def capacities(self) -> np.ndarray:
        """Selling capacity per desk (0 once its seller has left)."""
        if self._capacity is None:  # staff changed since last asked
            self._capacity = np.array(self._capacities)
            self._capacity.flags.writeable = False
        return self._capacity

    def work(self) -> None:
        """3-4. Needs arise and are routed; sellers spend their capacity; pursuits, development
        and needs are settled; loyalty moves and clients churn; revenue is booked, pay earned.
        Random numbers are drawn per client row, whatever the policy (common random numbers)."""
        p, ledger, n = self.scenario, self.ledger, self.ledger.n
        rng = self.streams.quarter("outcomes", self.quarter)
        u_win, u_need, u_met = rng.random(n), rng.random(n), rng.random(n)
        u_churn = self.streams.quarter("churn", self.quarter).random(n)
        active = ledger.in_stage(Stage.DEVELOPING, Stage.LOYAL)
        need_rate = np.where(
            ledger.view("consultative"), p.clients.need_rate_consultative, p.clients.need_rate_transactional
        )
        need_rows = (active & (u_need < need_rate)).nonzero()[0]
        handler = self.policy.need_handlers(self, need_rows)
        work = self.spend_capacity(need_rows, handler)
        won, _ = self.settle_pursuits(work, u_win)
        self.develop_clients(work)
        active = active.nonzero()[0]
        self.serve_clients(work, active)
        unmet = self.meet_needs(work, need_rows, handler, u_met)
        self.move_loyalty_and_churn(work, active, unmet, u_churn)
        self.book_revenue_and_pay(work, won)

    def spend_capacity(self, need_rows: np.ndarray, handler: np.ndarray) -> Work:
        """3. Servicing is paid first, then CRM data entry; consultative work (pursuits,
        development, needs) shares what is left in proportion to its demand."""
        p, ledger = self.scenario, self.ledger
        stage, owner, complexity = ledger.view("stage"), ledger.view("owner"), ledger.view("complexity")
        skill = np.array([s.skill for s in self.desks])
        capacity = self.capacities()
        crm = capacity * p.crm.time_cost * p.crm.used
        available = np.maximum(capacity - crm, 0.0)
        served = np.minimum(self.service_load, available)
        coverage = np.where(self.service_load > 0, served / np.maximum(self.service_load, 1e-12), 1.0)
        left = available - served
        pursuing = (stage == Stage.PURSUIT).nonzero()[0]
        developing = (stage == Stage.DEVELOPING).nonzero()[0]
        desk = np.concatenate([owner[pursuing], owner[developing], handler]).astype(np.int64)
        row = np.concatenate([pursuing, developing, need_rows])
        effort = np.concatenate(
            [
                self.pursuit_effort(pursuing),
                self.development_effort(developing),
                np.full(len(need_rows), p.selling.need_effort),
            ]
        )
        demand = np.bincount(desk, weights=effort, minlength=len(self.desks))
        share = np.where(demand > 0, np.minimum(1.0, left / np.maximum(demand, 1e-12)), 0.0)
        # Practice: consultative effort, weighted by how consultative and how instructive it is.
        weight = np.minimum(1.0, complexity[row] / max(p.clients.consultative_threshold, 1e-9))
        efficacy = mech.learning_efficacy(
            skill[desk], complexity[row], p.selling.skill_slope, p.skill.challenge_penalty
        )
        practice = np.bincount(desk, weights=effort * share[desk] * weight * efficacy, minlength=len(self.desks))
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

    def settle_pursuits(self, work: Work, u_win: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """4a. A pursued lead is won with a chance rising with effort and skill over complexity;
        a lead past its shelf life is lost. Returns (won rows, lost rows that were pursued)."""
        p, ledger, q = self.scenario, self.ledger, self.quarter
        stage, owner, pursuing = ledger.view("stage"), ledger.view("owner"), work.pursuing
        chance = mech.win_chance(
            work.skill[owner[pursuing]],
            ledger.complexity[pursuing],
            work.share[owner[pursuing]],
            p.selling.skill_slope,
            p.selling.win_chance_max,
        )
        chance *= np.where(ledger.strategic[pursuing], p.selling.strategic_win_factor, 1.0)
        won = pursuing[u_win[pursuing] < chance]
        shelf = np.where(ledger.view("strategic"), p.market.strategic_shelf_life, p.market.lead_shelf_life)
        expired = (q - ledger.view("arrived") + 1 >= shelf) & ((stage == Stage.LEAD) | (stage == Stage.PURSUIT))
        expired[won] = False
        lost = expired.nonzero()[0]
        lost_pursuits = lost[stage[lost] == Stage.PURSUIT]
        self._tally("wins", owner[won])
        self._tally("losses", owner[lost_pursuits])
        stage[lost], ledger.left[lost], owner[lost] = Stage.LOST, q, -1
        stage[won], ledger.won[won], ledger.winner[won] = Stage.DEVELOPING, q, owner[won]
        ledger.development[won] = np.where(
            ledger.consultative[won],
            p.clients.start_development_consultative,
            p.clients.start_development_transactional,
        )
        ledger.loyalty_personal[won] = p.loyalty.personal_won
        ledger.loyalty_firm[won] = p.loyalty.firm_initial
        self._become_clients(won)
        return won, lost

    def develop_clients(self, work: Work) -> None:
        """4b. Developing clients realise a share of their potential; developed ones turn loyal
        (clients won this quarter start next quarter)."""
        p, ledger, rows = self.scenario, self.ledger, work.developing
        owner = ledger.owner[rows]
        ledger.development[rows] = mech.develop(
            ledger.development[rows],
            work.skill[owner],
            ledger.complexity[rows],
            work.share[owner],
            p.selling.skill_slope,
            p.selling.development_rate,
        )
        ledger.stage[rows[ledger.development[rows] >= p.clients.loyal_level]] = Stage.LOYAL

    def serve_clients(self, work: Work, active: np.ndarray) -> None:
        """4c. Service moves each active client's personal loyalty toward its coverage."""
        lp, coverage = self.ledger.loyalty_personal, work.coverage[self.ledger.owner[active]]
        lp[active] += self.scenario.loyalty.service_gain * (coverage - lp[active])

    def meet_needs(self, work: Work, rows: np.ndarray, handler: np.ndarray, u_met: np.ndarray) -> np.ndarray:
        """4d. A consultative need is met by its handler with a chance rising with effort and
        skill; a met need grows the client and its loyalty, an unmet one costs loyalty.
        Returns the rows whose need went unmet."""
        p, ledger = self.scenario, self.ledger
        fit = mech.skill_fit(work.skill[handler], ledger.complexity[rows], p.selling.skill_slope)
        met = u_met[rows] < p.selling.need_success_max * work.share[handler] * fit
        hit, miss = rows[met], rows[~met]
        ledger.loyalty_personal[hit] += p.loyalty.need_gain * (1 - ledger.loyalty_personal[hit])
        ledger.size[hit] *= 1 + p.clients.upsell_growth * ledger.consultative[hit]
        ledger.loyalty_personal[miss] *= 1 - p.loyalty.need_loss
        return miss

    def move_loyalty_and_churn(self, work: Work, active: np.ndarray, unmet: np.ndarray, u_churn: np.ndarray) -> None:
        """4e. A CRM moves loyalty to the firm; service shortfall, an unmet need and low loyalty
        raise the churn hazard."""
        p, ledger, q = self.scenario, self.ledger, self.quarter
        lp, lf = ledger.loyalty_personal, ledger.loyalty_firm
        coverage = work.coverage[ledger.owner[active]]
        lf[active] += p.crm.firm_loyalty_rate * p.crm.used * np.maximum(lp[active] - lf[active], 0)
        loyalty = ledger.loyalty_of(active)
        unmet_need = np.zeros(ledger.n, dtype=bool)
        unmet_need[unmet] = True
        chance = mech.churn_probability(
            1 - coverage,
            unmet_need[active],
            loyalty,
            p.churn.base_rate,
            p.churn.shortfall_weight,
            p.churn.unmet_need_weight,
            p.churn.disloyalty_weight,
        )
        churned = active[u_churn[active] < chance]
        self._log_churn(churned)
        ledger.stage[churned], ledger.left[churned], ledger.owner[churned] = Stage.CHURNED, q, -1

    def book_revenue_and_pay(self, work: Work, won: np.ndarray) -> None:
        """4f. Revenue is size times development for every client still active (not those won
        this quarter); sellers are paid by the policy's plan."""
        ledger, q, n = self.ledger, self.quarter, self.ledger.n
        stage, owner = ledger.view("stage"), ledger.view("owner")
        still = (stage == Stage.DEVELOPING) | (stage == Stage.LOYAL)
        still[won] = False
        revenue = np.where(still, ledger.view("size") * ledger.view("development"), 0.0)
        ledger.revenue[:n] = revenue
        ndesk = len(self.desks)
        # Per desk (shifted by one: owner -1 holds the rows without revenue).
        book = np.bincount(owner + 1, weights=revenue, minlength=ndesk + 1)[1:]
        recent = ledger.view("won") >= max(q - 4, 1)  # first year of revenue
        acquired = np.bincount(ledger.view("winner") + 1, weights=revenue * recent, minlength=ndesk + 1)[1:]
        self.pay_sellers(book, acquired)
        served, crm = work.served.tolist(), work.crm.tolist()
        consultative, practice = work.consultative.tolist(), work.practice.tolist()
        newcomer_won = newcomer_lost = 0
        for seller in self.on_staff:
            d = seller.desk
            seller.service_time, seller.crm_time = served[d], crm[d]
            seller.consultative_time, seller.practice = consultative[d], practice[d]
            seller.won_total += seller.wins
            seller.lost_total += seller.losses
            if seller.newcomer:
                newcomer_won += seller.wins
                newcomer_lost += seller.losses
            if self.log_events:
                self._log_servicing(seller)
        self.newcomer_outcomes += (newcomer_won, newcomer_lost)
        self.quarter_pay = sum(s.income for s in self.on_staff)  # before anyone leaves

    def pay_sellers(self, book: np.ndarray, acquired: np.ndarray) -> None:
        """Pay by the policy's plan, from each desk's book revenue and the revenue of the clients
        it won in the last year: base salary plus book income plus any acquisition bonus."""
        p = self.scenario
        staff = [s for s in self.on_staff if s.role is not Role.HEAD]
        desks = [s.desk for s in staff]
        book_income, bonus = self.policy.pay(self, [s.role for s in staff], book[desks], acquired[desks])
        base = [p.strategic.seller_salary if s.role is Role.STRATEGIC else p.pay.base_salary for s in staff]
        income = (np.array(base) + book_income + bonus).tolist()
        for seller, book_pay, total in zip(staff, book_income.tolist(), income, strict=True):
            seller.book_income, seller.income = book_pay, total
        self.head.book_income, self.head.income = 0.0, p.pay.head_salary

    def _tally(self, outcome: str, desks: np.ndarray) -> None:
        """Add this quarter's outcomes (wins, losses, needs met or unmet) to each seller's tally."""
        counts = np.bincount(desks, minlength=len(self.desks)).tolist()
        for seller in self.on_staff:
            setattr(seller, outcome, counts[seller.desk])

    def learn(self) -> None:
        """5. Practice raises skill toward 1; without practice skill decays to a floor.
        The head's coaching time speeds newcomers' learning; the head's own skill is held
        fixed (managing and coaching keep it in use)."""
        s = self.scenario.skill
        newcomers = sum(x.newcomer for x in self._regular)
        coached = min(1.0, self.coaching_time() / (s.coaching_need * newcomers)) if newcomers else 0.0
        rates = (min(1.0, s.learning_rate), min(1.0, s.learning_rate * (1 + s.coaching_boost * coached)))
        sellers = [x for x in self._on_staff if x.role is not Role.HEAD]
        skill = mech.learn(
            np.array([x.skill for x in sellers]),
            np.array([x.practice for x in sellers]),
            np.array([rates[x.newcomer] for x in sellers]),
            s.forgetting_rate,
            s.floor,
        )
        for seller, value in zip(sellers, skill.tolist(), strict=True):
            seller.skill = value

    def coaching_time(self) -> float:
        """The head's time left for coaching after administration and any deals it works."""
        d = self.scenario.department
        return max(0.0, 1 - d.head_admin_share - self.head.service_time - self.head.consultative_time)

    def motivate_and_quit(self) -> None:
        """6. Motivation tracks success and relative income; the quit chance rises steeply
        when motivation is low. 7. The leavers' books are handed off by the policy."""
        mo = self.scenario.motivation
        sellers = [s for s in self.on_staff if s.role is not Role.HEAD]
        if not sellers:
            return
        mean_income = float(np.mean([s.income for s in sellers])) or 1.0
        u = self.streams.quarter("quitting", self.quarter).random(len(self.desks))
        success = mech.success_rate(np.array([s.wins for s in sellers]), np.array([s.losses for s in sellers]))
        motivation = mech.motivation_after(
            np.array([s.motivation for s in sellers]),
            success,
            np.array([s.income for s in sellers]) / mean_income,
            mo.smoothing,
            mo.success_weight,
        )
        for seller, value in zip(sellers, motivation.tolist(), strict=True):
            seller.motivation = value
        chance = mech.quit_chance(motivation, mo.base_quit_rate, mo.quit_extra, mo.quit_midpoint, mo.quit_slope)
        quits = u[[s.desk for s in sellers]] < chance
        leavers = [s for s, leaves in zip(sellers, quits, strict=True) if leaves]
        if leavers:
            self._depart(leavers)

    def _depart(self, leavers: list[Seller]) -> None:
        """Leavers go: open pursuits return to the pool, books are handed off, vacancies open."""
        ledger = self.ledger
        gone = np.zeros(len(self.desks) + 1, dtype=bool)  # the extra last entry stands for owner -1
        for seller in leavers:
            seller.departed, seller.left = True, self.quarter
            self._capacities[seller.desk], self._capacity = 0.0, None
            self.quits.append((self.quarter, seller))
            gone[seller.desk] = True
            if self.log_events:
                who = "newcomer" if seller.newcomer else ("veteran" if seller.veteran else seller.role.value)
                self.log(
                    "quit",
                    f"{who.replace('_', ' ')} {seller.name} quit after {seller.lost_total} lost and "
                    f"{seller.won_total} won pursuits (skill {seller.skill:.2f}, motivation {seller.motivation:.2f})",
                )
            self.vacancies.append(
                (
                    self.quarter + self.scenario.hiring.delay,
                    seller.role if seller.role is Role.STRATEGIC else self.policy.newcomer_role,
                )
            )
        self.quits_this_quarter += sum(s.role is not Role.STRATEGIC for s in leavers)
        self._on_staff = [s for s in self._on_staff if not s.departed]
        self._regular = [s for s in self._regular if not s.departed]
        stage = ledger.view("stage")
        theirs = gone[ledger.view("owner")]
        pursuits = (theirs & (stage == Stage.PURSUIT)).nonzero()[0]
        ledger.stage[pursuits] = Stage.LEAD  # open leads return to the pool
        ledger.owner[pursuits] = -1
        self.refresh_loads()
        book = (theirs & ((stage == Stage.DEVELOPING) | (stage == Stage.LOYAL))).nonzero()[0]
        strategic = np.isin(ledger.owner[book], [s.desk for s in leavers if s.role is Role.STRATEGIC])
        to_head = book[strategic] if self.regular_sellers() else book
        self.hand_off(to_head, np.full(len(to_head), self.head.desk, dtype=np.int32))
        rest = book[~strategic] if self.regular_sellers() else book[:0]
        self.hand_off(rest, self.policy.receivers(self, rest))
        for seller in leavers:
            seller.remove()

    def hand_off(self, rows: np.ndarray, receivers: np.ndarray) -> None:
        """Clients change hands: most personal loyalty and some development are lost (less with a CRM)."""
        if not len(rows):
            return
        p, ledger = self.scenario, self.ledger
        keep_loyalty = mech.handoff_retention(p.handoff.personal_loyalty_loss, p.crm.used, p.crm.handoff_protection)
        keep_level = mech.handoff_retention(p.handoff.development_loss, p.crm.used, p.crm.handoff_protection)
        ledger.owner[rows] = receivers
        ledger.loyalty_personal[rows] *= keep_loyalty
        ledger.development[rows] *= keep_level
        ledger.last_handoff[rows] = self.quarter

    def hire(self) -> float:
        """8. Vacancies are filled after a delay by newcomers; with a staff budget, the team grows."""
        h = self.scenario.hiring
        if h.budget_share > 0:
            revenue = self.finance.get("revenue", 0.0)
            affordable = int(h.budget_share * revenue / self.scenario.pay.base_salary)
            self.target_sellers = max(self.target_sellers, affordable)
            planned = len(self.regular_sellers()) + sum(r is not Role.STRATEGIC for _, r in self.vacancies)
            for _ in range(self.target_sellers - planned):
                self.vacancies.append((self.quarter + h.delay, self.policy.newcomer_role))
        due = [v for v in self.vacancies if v[0] <= self.quarter]
        self.vacancies = [v for v in self.vacancies if v[0] > self.quarter]
        for _, role in due:
            self.recruit(role)
        self._pad_desk_arrays()
        return h.cost * len(due)

    def _pad_desk_arrays(self) -> None:
        """New hires' entries in the per-desk arrays: all their time spare, no book yet."""
        new = len(self.desks) - len(self.spare)
        if new > 0:
            capacity = [s.capacity for s in self.desks[-new:]]
            self.spare = np.append(self.spare, capacity)
            self.book_size = np.append(self.book_size, np.zeros(new, dtype=np.int64))
            self.service_load = np.append(self.service_load, np.zeros(new))

    def recruit(self, role: Role) -> Seller:
        """A new hire: a newcomer with low skill, or a skilled strategic seller."""
        d = self.scenario.department
        rng = np.random.default_rng(self.streams.sequence("hiring", self.quarter, len(self.desks)))
        if role is Role.STRATEGIC:
            skill = self.scenario.strategic.seller_skill
            tenure = 8
        else:
            skill = min(1.0, max(0.0, d.newcomer_skill + rng.uniform(-d.skill_spread, d.skill_spread)))
            tenure = 0
        seller = self._add_seller(skill, tenure, role)
        seller.veteran = False
        self.hires_this_quarter += 1
        if self.quarter > 0 and self.log_events:
            self.log("hire", f"{seller.name} hired as {role.value.replace('_', ' ')} (skill {skill:.2f})")
        return seller

    def _account(self, hiring: float) -> None:
        """9. Finance: revenue, margin, salaries, commissions, hiring and CRM costs, profit."""
        p, ledger = self.scenario, self.ledger
        active = ledger.rows_in(*ACTIVE)
        revenue = float(
            ledger.revenue[active].sum() if self.quarter else (ledger.size[active] * ledger.development[active]).sum()
        )
        staff = self.on_staff
        pay = float(self.quarter_pay) if self.quarter else 0.0
        crm = p.crm.licence * p.crm.used * len(staff)
        costs = pay + hiring + crm
        self.finance = {
            "revenue": revenue,
            "margin": p.finance.gross_margin * revenue,
            "pay": pay,
            "hiring_cost": hiring,
            "crm_cost": crm,
            "costs": costs,
            "profit": p.finance.gross_margin * revenue - costs,
        }

    # --- the plain-language event log ---------------------------------------------------------
    def log(self, kind: str, text: str) -> None:
        if self.log_events:
            self.events.append(Event(self.quarter, kind, text))

    def _log_servicing(self, seller: Seller) -> None:
        busy = seller.service_share >= 0.8
        if busy and not seller.was_busy and seller.veteran:
            self.log("servicing", f"veteran {seller.name} now spends {seller.service_share:.0%} of time on invoicing")
        seller.was_busy = busy

    def _log_churn(self, churned: np.ndarray) -> None:
        if not self.log_events:
            return
        ledger = self.ledger
        for row in churned[ledger.consultative[churned]]:
            after = " after a handoff" if self.quarter - ledger.last_handoff[row] <= 4 else ""
            self.log("churn", f"golden-fund client C{row} churned{after}")
