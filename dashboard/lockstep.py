"""Two departments on the same seed, stepped together, and the levers they are built from.

Nothing here decides anything about sales: it turns lever settings into the model's dotted
overrides, builds two ``SalesModel`` instances and steps them one quarter at a time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from simulation import POLICIES, SalesModel, Scenario, build_scenario, resolve_run

from .history import History
from .i18n import N_, translator

SCENARIO = "mature_department"
# The median department of 51 (seeds 0-50) by the paired golden-fund gap between the default
# policies, as ``python -m dashboard.typical`` computes it; a test checks it is still the median.
DEFAULT_SEED = 36
DEFAULTS = build_scenario(SCENARIO)
POLICY_DEFAULT = "policy default"
STRATEGIC_CHOICES = [POLICY_DEFAULT, "none", "head_part_time", "dedicated_seller"]


@dataclass(frozen=True)
class Lever:
    """A slider: label, range and the dotted override key it sets."""

    key: str
    label: str
    low: float
    high: float
    step: float
    integer: bool = False


LEVERS: dict[str, Lever] = {
    "leads_per_quarter": Lever("market.leads_per_quarter", N_("Lead inflow (leads per quarter)"), 0, 80, 1, True),
    "consultative_share": Lever("market.consultative_share", N_("Share of consultative leads"), 0, 1, 0.05),
    "forgetting_rate": Lever("skill.forgetting_rate", N_("Skill forgetting rate (per quarter)"), 0, 1, 0.05),
    # The *_crm policies use a CRM at this adoption; the others work without one.
    "crm_adoption": Lever("crm.adoption", N_("CRM adoption (in CRM policies)"), 0, 1, 0.05),
    "hunter_share": Lever("roles.hunter_share", N_("Hunter share (dedicated roles)"), 0, 1, 0.05),
    "seed": Lever("", N_("Market (seed, the same on both sides)"), 0, 999, 1, True),
    "quarters": Lever("quarters", N_("Horizon (quarters)"), 4, 80, 1, True),
}


@dataclass(frozen=True)
class Levers:
    """The trainer's settings; both departments are built from the same ones."""

    leads_per_quarter: float = DEFAULTS.market.leads_per_quarter
    consultative_share: float = DEFAULTS.market.consultative_share
    forgetting_rate: float = DEFAULTS.skill.forgetting_rate
    crm_adoption: float = DEFAULTS.crm.adoption
    hunter_share: float = DEFAULTS.roles.hunter_share
    strategic_deals: str = POLICY_DEFAULT
    seed: int = DEFAULT_SEED
    quarters: int = DEFAULTS.quarters

    def overrides(self) -> dict[str, Any]:
        """The model's dotted-key overrides for these settings."""
        values = asdict(self)
        out: dict[str, Any] = {lever.key: values[name] for name, lever in LEVERS.items() if lever.key}
        out["quarters"] = int(self.quarters)
        if self.strategic_deals != POLICY_DEFAULT:
            out["strategic.deals"] = self.strategic_deals
        return out

    def extremes(self) -> list[Levers]:
        """Every slider at its low and at its high end (the others as set), and every strategic option."""
        ends = [
            replace(self, **{name: cast(lever, end)})
            for name, lever in LEVERS.items()
            for end in (lever.low, lever.high)
        ]
        return ends + [replace(self, strategic_deals=choice) for choice in STRATEGIC_CHOICES]


def _overrides(policy: str, levers: Levers) -> dict[str, Any]:
    """The levers' overrides less those a policy sets itself (a *_dedicated_strategic policy's
    strategic deals win over the levers)."""
    own = POLICIES[policy].settings
    return {key: value for key, value in levers.overrides().items() if key not in own}


def build_model(policy: str, levers: Levers, replication: int = 0, log_events: bool = False) -> SalesModel:
    """One department from the levers, running ``policy`` from quarter 0."""
    return SalesModel(
        SCENARIO,
        policy=policy,
        seed=levers.seed,
        replication=replication,
        overrides=_overrides(policy, levers),
        log_events=log_events,
    )


def policy_params(policy: str, levers: Levers) -> Scenario:
    """The parameters ``policy`` runs with under these levers: what a live switch to it uses."""
    return resolve_run(SCENARIO, POLICIES[policy], _overrides(policy, levers))


def switch_model(model: SalesModel, policy: str, levers: Levers) -> None:
    """Switch a live department to ``policy`` from its next quarter (the model models the transition)."""
    model.switch_to(policy, policy_params(policy, levers))


def cast(lever: Lever, value: float) -> float | int:
    return int(value) if lever.integer else float(value)


@dataclass
class Lockstep:
    """Two departments on the same seed (common random numbers), stepped one quarter at a time.

    With ``live_switch`` the right-hand department starts under the left-hand one's policy (so
    both are identical quarter by quarter) and changes to ``right_policy`` when ``switch_now``
    is called: the J-curve, live."""

    left_policy: str = "finder_keeps"
    right_policy: str = "dedicated_roles_crm"
    levers: Levers = field(default_factory=Levers)
    live_switch: bool = False
    run: int = 0  # counts resets, so views know when to redraw
    switched_at: int | None = field(default=None, init=False)  # the live switch's quarter, once made

    def __post_init__(self) -> None:
        self.reset(self.levers, self.left_policy, self.right_policy)

    def reset(self, levers: Levers, left_policy: str, right_policy: str, live_switch: bool | None = None) -> None:
        """Rebuild both departments at quarter 0 from these settings (``live_switch``: keep the mode if None)."""
        self.levers, self.left_policy, self.right_policy = levers, left_policy, right_policy
        if live_switch is not None:
            self.live_switch = live_switch
        self.left = self._build(left_policy)
        self.right = self._build(left_policy if self.live_switch else right_policy)
        self.switched_at = None
        self.histories = (History(), History())
        self._record()
        self.run += 1

    @property
    def can_switch(self) -> bool:
        return self.live_switch and self.switched_at is None and not self.finished

    def switch_now(self) -> bool:
        """Switch the right-hand department to ``right_policy`` from the next quarter (live-switch
        mode only, once); False if there is nothing to switch."""
        if not self.can_switch:
            return False
        switch_model(self.right, self.right_policy, self.levers)
        self.switched_at = self.quarter
        return True

    @property
    def switch_mark(self) -> int | None:
        """The quarter to mark on the charts: the live switch, once made (None otherwise)."""
        return self.switched_at if self.live_switch else None

    def _record(self) -> None:
        for model, history in zip(self.models, self.histories, strict=True):
            history.record(model)

    def _build(self, policy: str) -> SalesModel:
        return build_model(policy, self.levers, log_events=True)

    @property
    def models(self) -> tuple[SalesModel, SalesModel]:
        return self.left, self.right

    @property
    def quarter(self) -> int:
        return self.left.quarter

    @property
    def horizon(self) -> int:
        return self.left.scenario.quarters

    @property
    def finished(self) -> bool:
        return self.quarter >= self.horizon

    def step(self) -> bool:
        """Advance both departments one quarter; False once the horizon is reached."""
        if self.finished:
            return False
        for model in self.models:
            model.step()
        self._record()
        return True


def policy_label(name: str, lang: str | None = "en") -> str:
    """A policy's name in words: 'dedicated_roles_crm' -> 'Dedicated roles + CRM'."""
    return translator(lang).policy(name)


STRATEGIC_LABELS = {
    POLICY_DEFAULT: N_("As the policy says"),
    "none": N_("None (whoever wins them)"),
    "head_part_time": N_("Head, part time"),
    "dedicated_seller": N_("Dedicated strategic seller"),
}
