"""Scenario parameters: typed, validated, with presets and dotted-key overrides.

Every field carries its unit in its description; the sources of the defaults are in
``docs/model.md``. Money is in thousands of euros (k€), time in quarters.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


def share(default: float, doc: str, *, gt: float | None = None) -> Any:
    """A share or probability: a float in [0, 1] (or in (gt, 1])."""
    return Field(default, ge=None if gt is not None else 0.0, gt=gt, le=1.0, description=doc)


class ScenarioError(ValueError):
    """A scenario value, key or file that is not allowed; the message names all three."""


class _Group(BaseModel):
    # strict: a boolean is not a number, 2.0 is not a whole number, "0.3" is not a share
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, strict=True)


class Market(_Group):
    leads_per_quarter: float = Field(24.0, ge=0, description="mean new leads per quarter (Poisson)")
    consultative_share: float = share(0.5, "share of leads that are consultative")
    strategic_leads_per_quarter: float = Field(0.4, ge=0, description="mean strategic leads per quarter (Poisson)")
    lead_shelf_life: int = Field(2, ge=1, description="quarters a lead waits to be won before it is lost")
    lead_forgetting: float = share(0.0, "chance per quarter that a lead nobody pursues is forgotten (lost)")
    strategic_shelf_life: int = Field(4, ge=1, description="quarters a strategic lead stays open")
    size_median: float = Field(10.0, gt=0, description="median transactional client size, k€ per quarter")
    size_sigma: float = Field(1.0, ge=0, le=3, description="lognormal sigma of client size")
    consultative_size_factor: float = Field(2.5, ge=1, description="consultative clients are this many times larger")
    strategic_size_factor: float = Field(12.0, ge=1, description="strategic clients are this many times larger")
    strategic_size_sigma: float = Field(0.5, ge=0, le=3, description="lognormal sigma of strategic client size")


class Clients(_Group):
    consultative_threshold: float = share(0.5, "complexity above which a client is consultative")
    consultative_complexity_max: float = share(0.85, "highest complexity of a non-strategic consultative client")
    complexity_shape: float = Field(
        2.0, gt=0, description="complexity is Beta(shape, shape) within its type's range (1 = uniform)"
    )
    strategic_complexity: float = share(0.85, "complexity of strategic clients")
    need_rate_consultative: float = share(0.3, "chance per quarter a consultative client has a consultative need")
    need_rate_transactional: float = share(0.05, "chance per quarter a transactional client has a consultative need")
    upsell_growth: float = Field(0.05, ge=0, le=1, description="size growth when a consultative need is met (share)")
    start_development_transactional: float = share(0.6, "development level when a transactional lead is won")
    start_development_consultative: float = share(0.2, "development level when a consultative lead is won")
    loyal_level: float = share(0.9, gt=0, doc="development level at which a client becomes loyal")


class KnownClient(_Group):
    """A client in a seller's book at quarter 0, as a CRM export shows it."""

    size: float = Field(gt=0, description="revenue when fully developed, k€ per quarter")
    consultative: bool = Field(False, description="a consultative client (the golden fund)")
    strategic: bool = Field(False, description="a strategic client")


class KnownSeller(_Group):
    """A seller on staff at quarter 0 and its book, as a CRM export shows them."""

    name: str = Field("", description="the seller's name or pseudonym (shown in reports, never used by the model)")
    tenure: int = Field(ge=0, le=400, description="quarters with the department at quarter 0")
    skill: float | None = Field(
        None, ge=0, le=1, description="consultative skill (default: a veteran's or a newcomer's, by tenure)"
    )
    clients: list[KnownClient] = Field(default_factory=list, description="the seller's book")


class Department(_Group):
    sellers: int = Field(10, ge=1, le=100_000, description="sellers on staff (head and strategic seller not counted)")
    veterans: int = Field(8, ge=0, description="of these, veterans at quarter 0 (the rest are newcomers)")
    veteran_skill: float = share(0.85, "mean consultative skill of veterans at quarter 0")
    veteran_tenure: int = Field(16, ge=1, description="mean tenure of veterans at quarter 0, quarters")
    veteran_min_tenure: int = Field(8, ge=1, description="tenure from which a seller at quarter 0 is a veteran")
    newcomer_quarters: int = Field(4, ge=1, description="a seller is a newcomer in its first this many quarters")
    newcomer_skill: float = share(0.25, "mean consultative skill of a new hire")
    skill_spread: float = Field(0.05, ge=0, le=0.5, description="half-width of the uniform spread of initial skill")
    clients_per_veteran: int = Field(40, ge=0, description="loyal clients in a veteran's book at quarter 0")
    clients_per_newcomer: int = Field(4, ge=0, description="loyal clients in a newcomer's book at quarter 0")
    initial_consultative_share: float = share(0.3, "share of consultative clients in books at quarter 0")
    head_skill: float = share(0.8, "consultative skill of the head of department")
    head_admin_share: float = share(0.4, "share of the head's time taken by administration")
    head_selling_share: float = share(0.3, "share of the head's time free for deals (rest: coaching)")
    current_policy: str = Field(
        "finder_keeps", description="the policy the department runs now: its history and the quarters before a switch"
    )
    history_quarters: int = Field(
        0, ge=0, le=200, description="quarters run under the current policy before quarter 0 (not reported)"
    )
    roster: list[KnownSeller] = Field(
        default_factory=list,
        description="the actual sellers and books at quarter 0 (from import-crm); empty: drawn from the aggregates",
    )


class Selling(_Group):
    service_time: float = Field(
        0.015, ge=0, description="servicing time for a median-size client, quarters per quarter"
    )
    service_size_elasticity: float = Field(0.5, ge=0, le=2, description="servicing time grows as size**elasticity")
    pursuit_effort_transactional: float = Field(
        0.03, gt=0, description="effort to pursue a transactional lead, quarters per quarter (more than 0)"
    )
    pursuit_effort_consultative: float = Field(
        0.08, gt=0, description="effort to pursue a consultative lead, quarters per quarter (more than 0)"
    )
    pursuit_effort_strategic: float = Field(
        0.3, gt=0, description="effort to pursue a strategic lead, quarters per quarter (more than 0)"
    )
    development_effort: float = Field(0.04, ge=0, description="effort to develop a new client, quarters per quarter")
    strategic_development_factor: float = Field(
        3.0, ge=0, description="a strategic client takes this many times the development effort"
    )
    need_effort: float = Field(0.05, ge=0, description="effort to meet one consultative need, quarters")
    win_chance_max: float = share(0.6, "chance per quarter to win a lead at full effort and surplus skill")
    strategic_win_factor: float = share(0.4, "strategic leads close this much slower")
    need_success_max: float = share(0.9, "chance to meet a need at full effort and surplus skill")
    skill_slope: float = Field(8.0, gt=0, description="slope of the logistic in skill minus complexity, per unit skill")
    development_rate: float = share(0.5, "share of the undeveloped potential realised per quarter at full effort")
    comfort_slope: float = Field(
        4.0, ge=0, description="how sharply lead claiming falls as book income passes aspiration"
    )
    comfort_threshold: float = Field(
        1.0, gt=0, description="income / aspiration at which half of open leads are passed over"
    )


class Skill(_Group):
    learning_rate: float = share(0.25, "share of the gap to full skill closed per quarter of full practice")
    forgetting_rate: float = share(0.2, "share of skill above the floor lost per quarter without practice (0 = off)")
    floor: float = share(0.2, "skill that is never forgotten")
    practice_full: float = Field(
        0.25, gt=0, description="consultative time counted as full practice, share of a quarter"
    )
    challenge_penalty: float = share(0.5, "how much less is learnt from work far beyond one's skill")
    coaching_boost: float = Field(
        1.0, ge=0, description="extra learning rate for a fully coached newcomer (1 = double)"
    )
    coaching_need: float = Field(
        0.1, gt=0, description="head's time that fully coaches one newcomer, share of a quarter"
    )


class Motivation(_Group):
    initial: float = share(0.7, "motivation of a new hire")
    staff_low: float = share(0.6, "lowest motivation of the sellers on staff at quarter 0 (drawn uniformly)")
    staff_high: float = share(0.9, "highest motivation of the sellers on staff at quarter 0")
    smoothing: float = share(0.4, "weight of the latest quarter in motivation")
    success_weight: float = share(0.6, "weight of success rate (rest: relative income)")
    quit_rate_early: float = share(0.11, "quarterly quit chance of a new hire for reasons outside the model")
    quit_rate_late: float = share(0.035, "quarterly quit chance of a settled seller for reasons outside the model")
    quit_settle_quarters: float = Field(
        6.0, gt=0, description="quarters of tenure in which the quit chance falls most of the way (e-folding)"
    )
    quit_extra: float = share(0.35, "extra quarterly quit chance at zero motivation")
    quit_midpoint: float = share(0.35, "motivation at which half of the extra quit chance applies")
    quit_slope: float = Field(12.0, ge=0, description="steepness of the quit chance in motivation")
    success_prior: float = share(0.5, "success rate assumed before any outcome is seen")
    prior_weight: float = Field(1.0, ge=0, description="outcomes the prior success rate counts as")


class Loyalty(_Group):
    personal_initial: float = share(0.7, "personal loyalty of a client in a book at quarter 0")
    personal_initial_spread: float = share(0.1, "half-width of the uniform spread of initial personal loyalty")
    firm_initial: float = share(0.15, "firm loyalty of a client at quarter 0 and when won")
    personal_won: float = share(0.4, "personal loyalty of a client when won")
    service_gain: float = share(0.1, "share of the gap to full loyalty closed per quarter of full service")
    need_gain: float = share(0.15, "share of the gap closed when a consultative need is met")
    need_loss: float = share(0.25, "share of personal loyalty lost when a need is unmet")


class Churn(_Group):
    base_rate: float = Field(0.01, ge=0, description="quarterly hazard of a fully served, fully loyal client")
    shortfall_weight: float = Field(0.25, ge=0, description="hazard added by a full service shortfall")
    unmet_need_weight: float = Field(0.15, ge=0, description="hazard added in a quarter with an unmet need")
    disloyalty_weight: float = Field(0.12, ge=0, description="hazard added at zero loyalty (scales with (1-loyalty)^2)")


class Handoff(_Group):
    departure_loyalty_loss: float = share(0.5, "share of personal loyalty lost when a client's seller leaves")
    planned_loyalty_loss: float = share(
        0.3, "share of personal loyalty lost in a planned handoff (both sellers stay; the owner introduces)"
    )
    departure_development_loss: float = share(0.04, "share of development lost when a client's seller leaves")
    planned_development_loss: float = share(0.024, "share of development lost in a planned handoff")
    mismatch_weight: float = Field(
        0.5, ge=0, le=4, description="losses grow by this much per unit of skill between the old and the new seller"
    )
    follow_leaver_share: float = share(
        0.1, "chance that a client fully loyal to a leaving seller (and not to the firm) leaves with the seller"
    )


class Crm(_Group):
    in_use: bool = Field(False, description="the department works with a CRM (the *_crm policies set it)")
    adoption: float = share(0.8, "share of work recorded in the CRM while one is in use")
    handoff_protection: float = share(0.6, "share of handoff losses a fully used CRM prevents")
    firm_loyalty_rate: float = share(0.15, "share of personal loyalty moved to the firm per quarter at full adoption")
    followup: float = share(0.5, "share of forgotten leads a fully used CRM keeps in view")
    time_cost: float = share(0.05, "seller time spent on data entry at full adoption, share of a quarter")
    licence: float = Field(1.5, ge=0, description="licence per seller, k€ per quarter at full adoption")
    rollout_quarters: int = Field(
        4, ge=0, le=40, description="quarters over which adoption ramps up after a switch to a CRM (0 = at once)"
    )
    implementation_cost: float = Field(3.0, ge=0, description="one-off cost of introducing a CRM, k€ per seller")
    training_time: float = share(0.05, "selling time each seller spends learning a new CRM, share of one quarter")

    @property
    def used(self) -> float:
        """The share of work recorded in the CRM: its adoption while one is in use, else 0."""
        return self.adoption if self.in_use else 0.0


class Roles(_Group):
    hunter_share: float = share(0.35, "share of sellers who are hunters under dedicated roles")
    promotion_skill: float = share(0.6, "skill at which an account manager is promoted to hunter")
    manager_load_cap: float = share(0.8, "servicing load up to which an account manager receives settled clients")
    need_skill_margin: float = share(0.1, "an account manager meets a need if skill >= complexity - margin")
    newcomer_book_cap: float = share(0.6, "servicing load above which a newcomer is handed no more clients")


class Strategic(_Group):
    deals: Literal["none", "head_part_time", "dedicated_seller"] = Field(
        "none", description="who works strategic deals"
    )
    seller_skill: float = share(0.9, "skill of a dedicated strategic seller")
    seller_salary: float = Field(45.0, ge=0, description="salary of a dedicated strategic seller, k€ per quarter")


class Pay(_Group):
    base_salary: float = Field(15.0, ge=0, description="seller base salary, k€ per quarter")
    head_salary: float = Field(30.0, ge=0, description="head of department salary, k€ per quarter")
    book_commission: float = share(0.03, "commission on the revenue of one's book")
    acquisition_bonus: float = share(0.25, "bonus on a new client's revenue in its acquisition window")
    acquisition_window: int = Field(4, ge=1, description="quarters after winning in which a client counts as new")
    aspiration: float = Field(30.0, gt=0, description="income a seller aspires to, k€ per quarter")


class Hiring(_Group):
    delay: int = Field(1, ge=0, le=20, description="quarters a vacancy stays open")
    cost: float = Field(20.0, ge=0, description="recruiting and onboarding cost per hire, k€")
    budget_share: float = share(0.0, "share of revenue spent on sales staff (0 = fixed head-count)")


class Finance(_Group):
    gross_margin: float = share(0.3, "gross margin on revenue")
    discount_rate: float = share(0.1, "discount rate for net present values, per year")


class Scenario(_Group):
    """All parameters of one department and its market."""

    name: str = "custom"
    description: str = ""
    quarters: int = Field(20, ge=1, le=400, description="simulated quarters")
    market: Market = Market()
    clients: Clients = Clients()
    department: Department = Department()
    selling: Selling = Selling()
    skill: Skill = Skill()
    motivation: Motivation = Motivation()
    loyalty: Loyalty = Loyalty()
    churn: Churn = Churn()
    handoff: Handoff = Handoff()
    crm: Crm = Crm()
    roles: Roles = Roles()
    strategic: Strategic = Strategic()
    pay: Pay = Pay()
    hiring: Hiring = Hiring()
    finance: Finance = Finance()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        d, m = self.department, self.motivation
        if d.roster:
            veterans = sum(s.tenure >= d.veteran_min_tenure for s in d.roster)
            if (d.sellers, d.veterans) != (len(d.roster), veterans):
                raise ValueError(
                    f"department.roster lists {len(d.roster)} sellers, {veterans} of them veterans, but "
                    f"department.sellers = {d.sellers} and department.veterans = {d.veterans}; "
                    "allowed: the roster's counts"
                )
        if d.veterans > d.sellers:
            raise ValueError(
                f"department.veterans = {d.veterans} exceeds department.sellers = {d.sellers}; "
                "allowed: 0..department.sellers"
            )
        if d.veteran_tenure < d.veteran_min_tenure:
            raise ValueError(
                f"department.veteran_tenure = {d.veteran_tenure} is below department.veteran_min_tenure = "
                f"{d.veteran_min_tenure}; allowed: department.veteran_min_tenure or more"
            )
        if m.staff_low > m.staff_high:
            raise ValueError(
                f"motivation.staff_low = {m.staff_low} exceeds motivation.staff_high = {m.staff_high}; "
                "allowed: staff_low <= staff_high"
            )
        return self

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML text."""
        return dump_toml(self.model_dump())

    def digest(self) -> str:
        """A short stable hash of every parameter (name and description excluded)."""
        data = self.model_dump(exclude={"name", "description"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


PRESETS: dict[str, dict[str, Any]] = {
    "mature_department": {
        "description": "The book's situation: a department that has run under finder keeps for years "
        "(veterans with full books, a few newcomers, a steady inflow of consultative leads).",
        "department.history_quarters": 24,
    },
    "fresh_start": {
        "description": "The same department on the day its veterans are at their best, with no history: "
        "the pitfall unfolds during the run (for teaching).",
    },
    "growing_team": {
        "description": "A small team that hires as revenue grows (budget-tied hiring).",
        "quarters": 40,
        "market.leads_per_quarter": 14.0,
        "department.sellers": 4,
        "department.veterans": 2,
        "department.clients_per_veteran": 25,
        "hiring.budget_share": 0.06,
    },
    "national_org": {
        "description": "A national sales organisation: 400 sellers and about 40,000 clients.",
        "quarters": 40,
        "market.leads_per_quarter": 600.0,
        "market.strategic_leads_per_quarter": 6.0,
        "department.sellers": 400,
        "department.veterans": 320,
        "department.clients_per_veteran": 120,
        "department.clients_per_newcomer": 10,
        "selling.service_time": 0.005,
        "department.head_selling_share": 0.0,
    },
}
DEFAULT_PRESET = "mature_department"


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def parameter_keys() -> list[str]:
    """Every dotted key a scenario accepts."""
    return list(_default_flat())


@cache
def _default_flat() -> dict[str, Any]:
    """The default scenario, flat (dotted keys); callers copy it before changing anything."""
    return _flatten(Scenario().model_dump())


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        node = nested
        *groups, leaf = key.split(".")
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = value
    return nested


def _check_keys(keys: list[str], origin: str) -> None:
    known = _default_flat()
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "; see 'salessim show' for all keys"
            raise ScenarioError(f"{origin}unknown key '{key}'{hint}")


def _explain(error: ValidationError, origin: str) -> ScenarioError:
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "scenario"
    value = first.get("input")
    message = first["msg"]
    ctx = first.get("ctx") or {}
    bounds = [
        f"{word} {ctx[name]}"
        for name, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"), ("expected", "one of"))
        if name in ctx
    ]
    kind = next((word for prefix, word in KINDS.items() if first["type"].startswith(prefix)), "")
    parts = [kind, ", ".join(bounds)] if kind else bounds
    allowed = f"; allowed: {' '.join(p for p in parts if p)}" if any(parts) else ""
    if first["type"] == "value_error":
        return ScenarioError(f"{origin}{message.removeprefix('Value error, ')}")
    return ScenarioError(f"{origin}{key} = {_as_toml(value)} is not allowed ({message}){allowed}")


# What a value of the wrong kind should have been, by pydantic's error type.
KINDS = {"bool": "true or false", "int": "a whole number", "float": "a number", "string": "text in quotes"}


def _as_toml(value: Any) -> str:
    """A value as the user wrote it in TOML (true, "text", 0.5), not as Python prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _holds(scenario: Scenario, key: str, value: Any) -> bool:
    """Whether ``scenario`` already has ``value`` (of the same type) at the dotted ``key``."""
    node: Any = scenario
    for part in key.split("."):
        if not isinstance(node, BaseModel) or part not in type(node).model_fields:
            return False
        node = getattr(node, part)
    return type(node) is type(value) and node == value


def build_scenario(
    base: str | Scenario = DEFAULT_PRESET, overrides: dict[str, Any] | None = None, origin: str = ""
) -> Scenario:
    """A validated scenario: a preset (or scenario) with dotted-key overrides applied."""
    if isinstance(base, Scenario):
        if not overrides or all(_holds(base, key, value) for key, value in overrides.items()):
            return base  # nothing to change: already valid
        flat = _flatten(base.model_dump())
    else:
        if base not in PRESETS:
            close = difflib.get_close_matches(str(base), PRESETS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ScenarioError(f"{origin}unknown scenario '{base}'; allowed: {', '.join(PRESETS)}{hint}")
        flat = _default_flat() | {"name": base} | PRESETS[base]
    overrides = dict(overrides or {})
    _check_keys(list(overrides), origin)
    flat |= overrides
    try:
        return Scenario.model_validate(_nest(flat))
    except ValidationError as error:
        raise _explain(error, origin) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read a TOML scenario file: optional ``base = "preset"`` plus any keys, nested or dotted."""
    path = Path(path)
    origin = f"{path}: "
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{origin}no such scenario file") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{origin}malformed TOML ({error})") from None
    base = data.pop("base", DEFAULT_PRESET)
    if base not in PRESETS:
        raise ScenarioError(f"{origin}base = {base!r} is not a preset; allowed: {', '.join(PRESETS)}")
    flat = _flatten(data)
    flat.setdefault("name", path.stem)
    return build_scenario(base, flat | dict(overrides or {}), origin=origin)


def resolve_scenario(
    scenario: str | Path | Scenario | None = None, overrides: dict[str, Any] | None = None
) -> Scenario:
    """A preset name, a path to a TOML file, or a scenario object, with overrides applied."""
    if scenario is None:
        scenario = DEFAULT_PRESET
    if isinstance(scenario, Scenario):
        return build_scenario(scenario, overrides)
    text = str(scenario)
    if isinstance(scenario, Path) or text.lower().endswith(".toml") or "/" in text or "\\" in text:
        return load_scenario(text, overrides)
    return build_scenario(text, overrides)


def toml_text(value: Any) -> str:
    """A value as TOML writes it (``true``, ``0.5``, ``\"text\"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if value is None:
        raise ValueError("TOML has no null: leave the key out")
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items() if v is not None) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def dump_toml(data: dict[str, Any]) -> str:
    """Nested dict as TOML: top-level scalars first, then one table per group; a list of tables
    within a group (the roster) as an array of tables after the group's scalars."""
    lines = [f"{key} = {toml_text(value)}" for key, value in data.items() if not isinstance(value, dict)]
    for key, value in data.items():
        if isinstance(value, dict):
            tables = {k: v for k, v in value.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
            lines += ["", f"[{key}]"]
            lines += [f"{k} = {toml_text(v)}" for k, v in value.items() if k not in tables and v is not None]
            for name, rows in tables.items():
                for row in rows:
                    lines += ["", f"[[{key}.{name}]]"] + [
                        f"{k} = {toml_text(v)}" for k, v in row.items() if v is not None
                    ]
    return "\n".join(lines) + "\n"
