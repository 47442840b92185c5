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
from simulation.staffing import follow_leavers

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
    def verdict(self) -> str:
        """'yes' when the whole 95% CI lies in the band, 'no' when none of it does, else 'unclear'
        (a figure computed from the parameters, n = 0, is judged on its value)."""
        low, high = (self.value, self.value) if self.n == 0 else (self.ci_low, self.ci_high)
        if math.isnan(low) or math.isnan(high):
            return "unclear (too few replications)"
        if self.band[0] <= low and high <= self.band[1]:
            return "yes"
        if high < self.band[0] or low > self.band[1]:
            return "no"
        return "unclear"

    @property
    def within(self) -> bool:
        return self.verdict == "yes"


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
    reps: int = 30,
    seed: int = 0,
    crm: float = 0.0,
    receiver: str = "veteran",
    at_quarter: int = 4,
    planned: bool = False,
) -> Estimate:
    """Share of next-year revenue a loyal client loses when its seller's book is handed over.

    Two runs on the same streams: in one, at ``at_quarter`` every loyal client of one veteran
    is handed, in turn, to the other veterans (or to the newcomers) — as when the veteran
    leaves (some clients leave with the seller), or in a planned handoff; in the other nothing
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
                kept = rows if planned else follow_leavers(model, rows)
                receivers = np.array([takers[k % len(takers)].desk for k in range(len(kept))], np.int32)
                model.hand_off(kept, receivers, planned=planned)
            total = 0.0
            for _ in range(4):
                model.step()
                total += float(model.ledger.revenue[rows].sum())
            revenue.append(total)
        if len(revenue) == 2 and revenue[0] > 0:
            losses.append(1 - revenue[1] / revenue[0])
    return mean_ci(losses)


def kaplan_meier_median(times: np.ndarray, reached: np.ndarray) -> float:
    """Median time to an event from (time, reached?) pairs, those not reached censored at their time."""
    survival = 1.0
    for t in np.unique(times[reached]):
        at_risk = int((times >= t).sum())
        survival *= 1 - int(((times == t) & reached).sum()) / at_risk
        if survival <= 0.5:
            return float(t)
    return math.inf


def newcomer_ramp(
    reps: int = 30, seed: int = 0, policy: str = "finder_keeps", target: float = 0.75, quarters: int = 20
) -> Estimate:
    """Median quarters from hire until a newcomer's skill first reaches ``target`` (the skill at
    which its win chance on a typical consultative lead is 80% of a veteran's), Kaplan–Meier:
    a newcomer who leaves, or is still below target at the end, counts as censored, not as
    missing (no survivorship bias). The CI is a bootstrap over replications."""
    per_rep: list[list[tuple[int, bool]]] = []
    for r in range(reps):
        model = SalesModel(policy=policy, seed=seed, replication=r, log_events=False)
        reached: dict[int, int] = {}
        for _ in range(quarters):
            model.step()
            for s in model.regular_sellers():
                if s.start_tenure == 0 and s.hired > 0 and s.desk not in reached and s.skill >= target:
                    reached[s.desk] = model.quarter - s.hired
        hires = [s for s in model.desks if s.start_tenure == 0 and s.hired > 0 and s.role.value != "strategic_seller"]
        per_rep.append(
            [
                (reached[s.desk], True)
                if s.desk in reached
                else ((s.left if s.departed and s.left is not None else model.quarter) - s.hired, False)
                for s in hires
            ]
        )
    pairs = [pair for rows in per_rep for pair in rows]
    if not pairs:
        return math.nan, math.nan, math.nan, 0
    median = kaplan_meier_median(np.array([t for t, _ in pairs]), np.array([e for _, e in pairs]))
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(200):
        sample = [pair for k in rng.integers(0, len(per_rep), len(per_rep)) for pair in per_rep[k]]
        if sample:
            boot.append(kaplan_meier_median(np.array([t for t, _ in sample]), np.array([e for _, e in sample])))
    low, high = np.percentile(boot, [2.5, 97.5]) if boot else (math.nan, math.nan)
    return median, float(low), float(high), len(pairs)


def newcomer_attrition(reps: int = 30, seed: int = 0, within: int = 8, quarters: int = 40) -> Estimate:
    """Share of new hires gone within ``within`` quarters of their hire (those hired early
    enough to be watched that long), under finder keeps."""
    shares = []
    for r in range(reps):
        model = SalesModel(
            policy="finder_keeps", seed=seed, replication=r, overrides={"quarters": quarters}, log_events=False
        )
        for _ in range(quarters):
            model.step()
        cohort = [s for s in model.desks if s.start_tenure == 0 and s.hired > 0 and s.hired + within <= quarters]
        cohort = [s for s in cohort if s.role.value != "strategic_seller"]
        if cohort:
            shares.append(np.mean([s.departed and s.left is not None and s.left - s.hired <= within for s in cohort]))
    return mean_ci(shares)


def steady_state(reps: int = 30, seed: int = 0) -> Estimate:
    """Final-year over first-year revenue under finder keeps on the default scenario."""
    ratios = []
    for r in range(reps):
        frame = run_simulation(policy="finder_keeps", seed=seed, replication=r).timeseries
        quarters = frame[frame.quarter > 0].revenue
        ratios.append(quarters.tail(4).sum() / quarters.head(4).sum())
    return mean_ci(ratios)


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
            "planned handoff loss (both sellers stay), no CRM",
            *handoff_loss(reps, seed, planned=True),
            (0.0, 0.108),
            "share of next-year revenue",
            "Shi et al. 2017 (better reassignment saves ~40% of the 13–18%)",
        ),
        Check(
            "new hires gone within 2 years, finder_keeps",
            *newcomer_attrition(reps, seed),
            (0.4, 0.6),
            "share",
            "about half within 2–3 years: Bridge Group; Futrell & Parasuraman 1984",
        ),
        Check(
            "steady state: final-year / first-year revenue, finder_keeps",
            *steady_state(reps, seed),
            (0.9, 1.1),
            "ratio",
            "the default department starts in its current policy's steady state (§2.9)",
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
                check.verdict,
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
