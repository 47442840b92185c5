"""The sales department: the Mesa model, its set-up and its quarterly schedule.

The quarter's phases live in modules named for the domain (``market``, ``selling``,
``staffing``, ``finance``); the client ledger, the timesheet and the staff roster own the
state they change. ``SalesModel`` builds the department and calls the phases in order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mesa import Model

from . import finance, market, mechanisms, selling, staffing
from .agents import Client, Role, Seller
from .effort import Effort
from .events import Event
from .ledger import ACTIVE, ClientLedger, Rows, Stage
from .metrics import make_datacollector, record_quarter
from .policies import STRATEGIC_OPTIONS
from .presets import PolicyPreset, before_switch, resolve_policy, resolve_run
from .scenario import Scenario, ScenarioError
from .staff import Staff
from .streams import Streams
from .timesheet import Timesheet


class SalesModel(Model):
    """A B2B sales department, one step per quarter.

    Args:
        scenario: preset name, TOML path or ``Scenario``.
        policy: policy preset name (see ``simulation.POLICIES``) or preset.
        seed, replication: key of the random streams (common random numbers across policies).
        overrides: dotted-key parameter overrides (resolved with ``resolve_run``).
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
        switch_at: int = 0,
    ) -> None:
        preset = resolve_policy(policy)
        after = resolve_run(scenario, preset, overrides)
        current, before = before_switch(after, preset)
        founded = -before.department.history_quarters  # quarters before 0 are the history, not reported
        self.streams = Streams(seed, replication, founded)
        super().__init__(rng=np.random.default_rng(self.streams.sequence("mesa")))
        self.params, self.policy_name = before, preset.name
        self.policy = current.policy()
        self.strategic_deals = STRATEGIC_OPTIONS[before.strategic.deals]()
        self.quarter = self.founded = founded
        self.switched_at: int | None = None  # the quarter the latest policy switch took effect
        self.introduced_crm = False  # that switch brought a CRM in
        self.crm_use = before.crm.used
        self.planned: tuple[PolicyPreset, Scenario, int] | None = None
        self.log_events = False  # the history is not told
        self.events: list[Event] = []
        p = before
        self.ledger = ClientLedger(capacity=max(256, 2 * p.department.sellers * p.department.clients_per_veteran))
        self.timesheet = Timesheet()
        self.effort = Effort(p)
        self.staff = Staff()
        self.staff.target = p.department.sellers
        self.finance: dict[str, float] = {}
        self.one_off: dict[str, float] = {}  # costs of a switch, booked in the next quarter's accounts
        self._setup_department()
        self.refresh_time()
        self.policy.setup(self)
        self.strategic_deals.setup(self)
        self.datacollector = make_datacollector()
        self.refresh_time()
        finance.pay_initial_books(self, self.policy)
        self.finance = finance.accounts(self, pay=finance.payroll(self), hiring=0.0)  # a full quarter-0 row
        while self.quarter < 0:
            self.step()
        self._open_the_books()
        record_quarter(self)  # quarter 0, with the cohorts the report follows
        self.plan_switch(preset, after, switch_at)
        self.log_events = log_events

    def plan_switch(self, policy: str | PolicyPreset, params: Scenario | None = None, at: int = 0) -> None:
        """Switch to ``policy`` (with its resolved ``params``) after reported quarter ``at``;
        the quarters up to ``at`` run exactly as without the switch."""
        if at < 0 or at > self.params.quarters:
            raise ScenarioError(f"switch_at: {at} is not allowed; allowed: 0 to quarters ({self.params.quarters})")
        preset = resolve_policy(policy)
        if params is None:
            params = resolve_run(before_switch(self.params, preset)[1], preset)
        self.policy_name = preset.name
        same = preset.policy is type(self.policy) and params == self.params
        self.planned = None if same else (preset, params, at)

    def _open_the_books(self) -> None:
        """Quarter 0 of the report: fix the cohorts every metric follows (veterans, the most
        skilled of them, the golden fund) and start the tallies."""
        p = self.scenario
        for seller in self.staff.regular:
            seller.veteran = seller.tenure >= p.department.veteran_min_tenure
            seller.start_skill, seller.start_tenure, seller.hired = seller.skill, seller.tenure, self.quarter
        self.initial_golden = (self.ledger.consultative & self.ledger.in_stage(*ACTIVE)).nonzero()[0]
        veterans = sorted((s for s in self.desks if s.veteran), key=lambda s: (-s.skill, s.desk))
        self.top_veterans = veterans[: round(p.roles.hunter_share * p.department.sellers)]
        self.staff.newcomer_outcomes[:] = 0

    # Mesa 3.5 keeps ``scenario`` for its own Scenario type; ours is a pydantic model.
    @property
    def scenario(self) -> Scenario:
        return self.params

    @scenario.setter
    def scenario(self, value: Any) -> None:  # Mesa's base class assigns its own; ours stays.
        self._mesa_scenario = value

    # --- set-up --------------------------------------------------------------------------
    def _setup_department(self) -> None:
        """The head, then the sellers and their books: the actual ones where the scenario has a
        roster (``department.roster``, from a CRM export), else drawn from the aggregates."""
        p = self.scenario
        d, rng = p.department, self.streams.quarter("setup")
        self._add_seller(d.head_skill, 40, Role.HEAD, capacity=d.head_selling_share)
        for k in range(d.sellers):
            known = d.roster[k] if d.roster else None
            veteran = known.tenure >= d.veteran_min_tenure if known else k < d.veterans
            skill = (d.veteran_skill if veteran else d.newcomer_skill) + rng.uniform(-d.skill_spread, d.skill_spread)
            low = d.veteran_min_tenure
            tenure = int(rng.integers(low, 2 * d.veteran_tenure - low + 1)) if veteran else int(rng.integers(0, 4))
            if known is not None:
                tenure, skill = known.tenure, known.skill if known.skill is not None else skill
            seller = self._add_seller(float(np.clip(skill, 0, 1)), tenure, Role.GENERALIST)
            seller.motivation = float(rng.uniform(p.motivation.staff_low, p.motivation.staff_high))
            if known is not None:
                rows = market.known_clients(self, known.clients, rng)
            else:
                books = d.clients_per_veteran if veteran else d.clients_per_newcomer
                rows = market.draw_leads(self, books, rng, consultative_share=d.initial_consultative_share)
            self.become_clients(rows)
            spread = p.loyalty.personal_initial_spread
            loyalty = np.clip(p.loyalty.personal_initial + rng.uniform(-spread, spread, len(rows)), 0, 1)
            self.ledger.open_book(rows, seller.desk, loyalty, self.founded)

    def _add_seller(self, skill: float, tenure: int, role: Role, capacity: float = 1.0) -> Seller:
        d = self.scenario.department
        seller = Seller(
            self,
            len(self.desks),
            skill,
            tenure,
            role,
            capacity,
            self.scenario.motivation.initial,
            hired=self.quarter,
            veteran=self.quarter == self.founded
            and tenure >= d.veteran_min_tenure
            and role not in (Role.HEAD, Role.STRATEGIC),
            newcomer_quarters=d.newcomer_quarters,
        )
        self.staff.join(seller)
        self.timesheet.add_desk(capacity)
        return seller

    # --- who is who (the staff roster) ----------------------------------------------------------
    @property
    def desks(self) -> list[Seller]:
        """Every seller ever hired, by desk."""
        return self.staff.desks

    @property
    def head(self) -> Seller:
        return self.staff.head

    @property
    def on_staff(self) -> list[Seller]:
        """Everyone selling now: regular sellers, the strategic seller and the head."""
        return self.staff.on_staff

    def regular_sellers(self) -> list[Seller]:
        """Sellers who are neither the head nor the strategic seller (a copy: callers may sort it)."""
        return list(self.staff.regular)

    def strategic_seller(self) -> Seller | None:
        return self.staff.strategic_seller()

    # --- the quarter ---------------------------------------------------------------------------
    def step(self) -> None:
        """One quarter, in the order of docs/model.md §2."""
        if self.planned is not None and self.quarter >= self.planned[2]:
            preset, params, _ = self.planned
            self.switch_to(preset, params)
        self.quarter += 1  # each seller's tallies of the quarter are all set during the work
        self.crm_use = self.params.crm.used * self._rollout()
        self.staff.hires_this_quarter = self.staff.quits_this_quarter = 0
        market.receive_leads(self)
        self.policy.promote(self)
        self.refresh_time()
        self.route_leads()
        selling.work(self, self.policy)
        finance.pay_from_books(self, self.policy)
        pay = finance.payroll(self)  # before anyone leaves
        staffing.learn(self)
        staffing.motivate_and_quit(self, self.policy)
        self.policy.hand_off_matured(self)
        for seller in self.on_staff:
            seller.tenure += 1
        hiring = staffing.hire(self, self.policy)  # new hires start next quarter at tenure 0
        self.finance = finance.accounts(self, pay, hiring)
        if self.quarter > 0:  # the history is not reported; quarter 0 is recorded once its cohorts are fixed
            record_quarter(self)

    def _rollout(self) -> float:
        """How far a CRM introduced at the latest switch has been rolled out (1 = fully)."""
        quarters = self.params.crm.rollout_quarters
        if self.switched_at is None or quarters == 0 or self.introduced_crm is False:
            return 1.0
        return min(1.0, (self.quarter - self.switched_at) / quarters)

    def crm_share(self) -> float:
        """Share of each seller's capacity that goes to the CRM this quarter: data entry, and
        training in the quarter after a CRM is introduced."""
        crm = self.scenario.crm
        new = self.introduced_crm and self.switched_at is not None and self.quarter == self.switched_at + 1
        return crm.time_cost * self.crm_use + (crm.training_time if new else 0.0)

    def switch_to(self, policy: str | PolicyPreset, params: Scenario | None = None) -> None:
        """Change policy from the next quarter on: roles from the sellers' actual skill and
        tenure, books moved by planned handoffs as the policy's rules allow, a new CRM rolled
        out over ``crm.rollout_quarters`` with its one-off costs and training time.

        ``params`` are the new policy's parameters (default: the current ones with the new
        policy's settings)."""
        preset = resolve_policy(policy)
        new = params if params is not None else resolve_run(before_switch(self.params, preset)[1], preset)
        self.planned = None
        if preset.policy is type(self.policy) and new == self.params:
            return  # the same policy: nothing changes
        old, self.params = self.params, new
        self.policy_name, self.switched_at = preset.name, self.quarter
        self.introduced_crm = new.crm.used > 0 and old.crm.used == 0  # a CRM nobody uses is no CRM
        self.effort = Effort(new)
        on_staff = len(self.on_staff)
        if self.introduced_crm:
            self.one_off["crm_cost"] = new.crm.implementation_cost * on_staff
        self.policy = preset.policy()
        self.crm_use = new.crm.used * self._rollout()
        self.refresh_time()
        self.policy.setup(self)
        if new.strategic.deals != old.strategic.deals:
            self.strategic_deals = STRATEGIC_OPTIONS[new.strategic.deals]()
            hired = len(self.desks)
            self.strategic_deals.setup(self)
            self.one_off["hiring_cost"] = new.hiring.cost * (len(self.desks) - hired)
        self.log("switch", f"the department switches to {preset.name.replace('_', ' ')}", policy=preset.name)

    def route_leads(self) -> None:
        """2. Open leads are routed, most attractive first: strategic ones by the strategic
        option, the rest by the policy."""
        ledger = self.ledger
        waiting = ledger.rows_in(Stage.LEAD)
        order = np.argsort(-ledger.size[waiting] / self.effort.pursuit(ledger, waiting), kind="stable")
        rest = self.strategic_deals.route(self, waiting[order])
        self.policy.route_leads(self, rest)

    # --- the verbs policies and phases act through -------------------------------------------
    def refresh_time(self) -> None:
        """Recompute books, servicing loads and spare time from the ledger."""
        self.timesheet.refresh(self.ledger, self.effort, self.crm_share())

    def assign_pursuit(self, rows: Any, desk: int, effort: float | None = None) -> None:
        """A seller starts pursuing open leads (a row or rows); its spare time shrinks by the
        total pursuit effort (given, or computed)."""
        rows = np.atleast_1d(rows)
        self.ledger.pursue(rows, desk)
        self.timesheet.reserve(desk, self.effort.pursuit(self.ledger, rows).sum() if effort is None else effort)

    def hand_off(self, rows: Rows, receivers: np.ndarray, planned: bool = False) -> None:
        """Clients change hands: a share of their personal loyalty and development is lost — less
        in a planned handoff (both sellers stay, the owner introduces the receiver) than when the
        seller leaves, more the more the two sellers' skills differ, less with a used CRM. A
        client whose development falls below the loyal level is developed again."""
        if not len(rows):
            return
        p, h = self.scenario, self.scenario.handoff
        skill = np.array([s.skill for s in self.desks])
        mismatch = np.abs(skill[receivers] - skill[self.ledger.owner[rows]])
        loyalty_loss, development_loss = (
            (h.planned_loyalty_loss, h.planned_development_loss)
            if planned
            else (h.departure_loyalty_loss, h.departure_development_loss)
        )
        protection = p.crm.handoff_protection
        keep_loyalty = mechanisms.handoff_retention(loyalty_loss, self.crm_use, protection, mismatch, h.mismatch_weight)
        keep_level = mechanisms.handoff_retention(
            development_loss, self.crm_use, protection, mismatch, h.mismatch_weight
        )
        self.ledger.hand_off(rows, receivers, keep_loyalty, keep_level, self.quarter, p.clients.loyal_level)

    def recruit(self, role: Role) -> Seller:
        """A new hire: a newcomer with low skill, or a skilled strategic seller."""
        d = self.scenario.department
        rng = np.random.default_rng(self.streams.sequence("hiring", self.quarter, len(self.desks)))
        if role is Role.STRATEGIC:
            skill, tenure = self.scenario.strategic.seller_skill, d.veteran_min_tenure
        else:
            skill = min(1.0, max(0.0, d.newcomer_skill + rng.uniform(-d.skill_spread, d.skill_spread)))
            tenure = 0
        seller = self._add_seller(skill, tenure, role)
        seller.veteran = False
        self.staff.hires_this_quarter += 1
        return seller

    def become_clients(self, rows: Rows) -> None:
        """Won leads (and the initial book) become ``Client`` agents."""
        for row in rows.tolist():
            Client(self, row)

    def log(self, kind: str, text: str, **data: Any) -> None:
        if self.log_events:
            self.events.append(Event(self.quarter, kind, text, data))
