"""Calibration checks against the published bands (docs/model.md, validation table).

Each check runs real replications of the model and returns its figure with a 95% CI, so
every number in the validation table can be reproduced with ``salessim validate``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulation import SalesModel, resolve_scenario, run_simulation
from simulation.ledger import Stage

from .report import Table
from .stats import mean_ci

Estimate = tuple[float, float, float, int]  # mean, ci_low, ci_high, n (as stats.mean_ci)


@dataclass(frozen=True)
class Check:
    """One calibration figure: the model's value, its 95% CI over n replications and the published band."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    n: int  # 0 for a figure computed from the parameters, not measured
    band: tuple[float, float]
    unit: str
    source: str

    @property
    def within(self) -> bool:
        return self.band[0] <= self.value <= self.band[1]


def skill_half_life(scenario: str = "mature_department") -> float:
    """Quarters without practice in which excess skill over the floor halves."""
    rate = resolve_scenario(scenario).skill.forgetting_rate
    return math.log(0.5) / math.log(1 - rate) if 0 < rate < 1 else math.inf


def turnover(reps: int = 30, seed: int = 0, policy: str = "finder_keeps") -> Estimate:
    """Annual seller turnover under a policy on the default scenario."""
    return mean_ci(
        [run_simulation(policy=policy, seed=seed, replication=r).summary["seller_turnover_annual"] for r in range(reps)]
    )


def handoff_loss(
    reps: int = 30, seed: int = 0, crm: float = 0.0, receiver: str = "veteran", at_quarter: int = 4
) -> Estimate:
    """Share of next-year revenue a loyal client loses when its seller's book is handed over.

    Two runs on the same streams: in one, at ``at_quarter`` every loyal client of one veteran
    is handed, in turn, to the other veterans (or to the newcomers); in the other nothing
    happens. The loss is 1 - (those clients' revenue over the next four quarters with the
    handoff) / (without). Common random numbers make the two runs differ only by the handoff.
    """
    losses = []
    for r in range(reps):
        revenue = []
        for forced in (False, True):
            model = SalesModel(
                policy="finder_keeps",
                seed=seed,
                replication=r,
                log_events=False,
                overrides={"crm.in_use": crm > 0, "crm.adoption": crm} if crm > 0 else None,
            )
            for _ in range(at_quarter):
                model.step()
            veterans = [s for s in model.regular_sellers() if s.veteran]
            takers = [s for s in model.regular_sellers() if s.newcomer] if receiver == "newcomer" else veterans[1:]
            if not veterans or not takers:
                break
            book = veterans[0].book
            rows = book[model.ledger.stage[book] == Stage.LOYAL]
            if forced:
                model.hand_off(rows, np.array([takers[k % len(takers)].desk for k in range(len(rows))], np.int32))
            total = 0.0
            for _ in range(4):
                model.step()
                total += float(model.ledger.revenue[rows].sum())
            revenue.append(total)
        if len(revenue) == 2 and revenue[0] > 0:
            losses.append(1 - revenue[1] / revenue[0])
    return mean_ci(losses)


def newcomer_ramp(
    reps: int = 30, seed: int = 0, policy: str = "finder_keeps", target: float = 0.75, quarters: int = 20
) -> Estimate:
    """Quarters from hire until a newcomer's skill first reaches ``target`` (the skill at which
    its win chance on a typical consultative lead is 80% of a veteran's), over those who do."""
    ramps: list[int] = []
    for r in range(reps):
        model = SalesModel(policy=policy, seed=seed, replication=r, log_events=False)
        reached: dict[int, int] = {}
        for _ in range(quarters):
            model.step()
            for s in model.regular_sellers():
                if s.start_tenure == 0 and s.hired > 0 and s.desk not in reached and s.skill >= target:
                    reached[s.desk] = model.quarter - s.hired
        ramps.extend(reached.values())
    return mean_ci(ramps)


def validation_table(reps: int = 30, seed: int = 0) -> list[Check]:
    """Every calibration figure of docs/model.md, measured."""
    half = skill_half_life()
    return [
        Check(
            "seller turnover, finder_keeps",
            *turnover(reps, seed),
            (0.25, 0.35),
            "per year",
            "practitioner surveys; Futrell & Parasuraman 1984",
        ),
        Check(
            "seller turnover, dedicated_roles_crm",
            *turnover(reps, seed, "dedicated_roles_crm"),
            (0.25, 0.35),
            "per year",
            "practitioner surveys; Futrell & Parasuraman 1984",
        ),
        Check(
            "handoff loss, no CRM, veteran receiver",
            *handoff_loss(reps, seed),
            (0.13, 0.18),
            "share of next-year revenue",
            "Shi, Sridhar, Grewal & Lilien 2017",
        ),
        Check(
            "handoff loss, no CRM, newcomer receiver",
            *handoff_loss(reps, seed, receiver="newcomer"),
            (0.13, 0.30),
            "share of next-year revenue",
            "Shi et al. 2017 (worse with a newcomer)",
        ),
        Check(
            "handoff loss, CRM adoption 0.8",
            *handoff_loss(reps, seed, crm=0.8),
            (0.0, 0.18),
            "share of next-year revenue",
            "Becker, Greve & Albers 2009 (CRM helps where used)",
        ),
        Check(
            "newcomer ramp-up, finder_keeps",
            *newcomer_ramp(reps, seed),
            (2, 4),
            "quarters",
            "SBI survey of 736 hires; Bridge Group",
        ),
        Check(
            "newcomer ramp-up, dedicated_roles_crm",
            *newcomer_ramp(reps, seed, "dedicated_roles_crm"),
            (2, 4),
            "quarters",
            "SBI survey of 736 hires; Bridge Group",
        ),
        Check(
            "skill half-life without practice",
            half,
            half,
            half,
            0,
            (2, 4),
            "quarters",
            "Arthur et al. 1998; Tatel & Ackerman",
        ),
    ]


def markdown_table(checks: Sequence[Check]) -> str:
    """The calibration table of docs/model.md: check, model value with 95% CI, band, within, source."""
    rows = []
    for check in checks:
        interval = "" if check.ci_low == check.ci_high else f" [{check.ci_low:.3g}, {check.ci_high:.3g}]"
        rows.append(
            [
                check.name,
                f"{check.value:.3g}{interval} {check.unit}",
                f"{check.band[0]:g}–{check.band[1]:g}",
                "yes" if check.within else "no",
                check.source,
            ]
        )
    return Table(["check", "model", "published band", "within", "source"], rows).markdown()


__all__ = [
    "Check",
    "handoff_loss",
    "markdown_table",
    "newcomer_ramp",
    "skill_half_life",
    "turnover",
    "validation_table",
]
