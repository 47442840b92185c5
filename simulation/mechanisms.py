"""The model's mechanisms as small pure functions (numpy in, numpy out).

Each function is one paragraph of ``docs/model.md``; the model calls them in its quarterly
schedule, and the unit tests check them one by one.
"""

from __future__ import annotations

import numpy as np


def logistic(x):
    """Standard logistic curve."""
    return 1.0 / (1.0 + np.exp(-x))


def skill_fit(skill, complexity, slope: float):
    """Chance that work of a given complexity goes well for a seller of a given skill."""
    return logistic(slope * (np.asarray(skill) - np.asarray(complexity)))


def win_chance(skill, complexity, effort, slope: float, maximum: float):
    """Chance per quarter to win a pursued lead: effort share times a logistic skill fit."""
    return maximum * np.clip(effort, 0.0, 1.0) * skill_fit(skill, complexity, slope)


def develop(level, skill, complexity, effort, slope: float, rate: float):
    """Development level after a quarter: a share of the undeveloped potential is realised."""
    return level + rate * np.clip(effort, 0.0, 1.0) * skill_fit(skill, complexity, slope) * (1.0 - level)


def service_demand(size, median: float, time: float, elasticity: float):
    """Servicing time a client needs per quarter (share of a seller's quarter)."""
    return time * (np.asarray(size) / median) ** elasticity


def learning_efficacy(skill, complexity, slope: float, penalty: float):
    """How much of an hour of consultative work teaches: less when it is far beyond one's skill."""
    return 1.0 - penalty * (1.0 - skill_fit(skill, complexity, slope))


def learn(skill, practice, rate, forgetting: float, floor: float):
    """Skill after a quarter: exponential approach to 1 with practice, decay to a floor without."""
    practice = np.clip(practice, 0.0, 1.0)
    skill = skill + rate * practice * (1.0 - skill)
    return skill - forgetting * (1.0 - practice) * np.maximum(0.0, skill - floor)


def claim_propensity(comfort, slope: float, threshold: float):
    """Chance a seller claims an open lead, falling as income passes aspiration (comfort)."""
    return logistic(-slope * (np.asarray(comfort) - threshold))


def churn_probability(
    shortfall, unmet_need, loyalty, base: float, shortfall_weight: float, unmet_weight: float, disloyalty_weight: float
):
    """Quarterly churn chance from a hazard that adds service shortfall, unmet needs, disloyalty."""
    hazard = (
        base
        + shortfall_weight * np.asarray(shortfall)
        + unmet_weight * np.asarray(unmet_need)
        + disloyalty_weight * (1.0 - np.asarray(loyalty)) ** 2
    )
    return 1.0 - np.exp(-hazard)


def handoff_retention(loss, crm_adoption: float, crm_protection: float, mismatch=0.0, mismatch_weight: float = 0.0):
    """Share of a client's personal loyalty (or development) that survives a handoff: the loss
    grows with the skill gap between the old and the new seller and shrinks with a used CRM."""
    grown = np.minimum(1.0, np.asarray(loss) * (1.0 + mismatch_weight * np.asarray(mismatch)))
    return 1.0 - grown * (1.0 - crm_protection * crm_adoption)


def tenure_quit_rate(tenure, early: float, late: float, settle: float):
    """Quarterly quit chance for reasons outside the model, falling with tenure from ``early``
    toward ``late`` (Griffeth, Hom & Gaertner 2000: tenure is among the strongest predictors)."""
    return late + (early - late) * np.exp(-np.asarray(tenure) / settle)


def quit_chance(motivation, base, extra: float, midpoint: float, slope: float):
    """Quarterly quit chance: a base rate plus a steep rise at low motivation."""
    return base + extra * logistic(-slope * (np.asarray(motivation) - midpoint))


def follow_chance(loyalty_personal, loyalty_firm, share: float):
    """Chance that a client leaves with its departing seller: the loyalty it owed the seller,
    less what it owes the firm (Palmatier, Scheer & Steenkamp 2007)."""
    return share * np.asarray(loyalty_personal) * (1.0 - np.asarray(loyalty_firm))


def success_rate(successes, failures, prior: float = 0.5, weight: float = 1.0):
    """This quarter's success rate, shrunk toward a prior when there were few outcomes."""
    return (successes + prior * weight) / (successes + failures + weight)


def motivation_after(motivation, success, relative_income, smoothing: float, success_weight: float):
    """Motivation moves toward a mix of recent success and income relative to the team (capped at 1)."""
    target = success_weight * success + (1 - success_weight) * np.minimum(1.0, relative_income)
    return motivation + smoothing * (target - motivation)


def gini(values) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    x = np.sort(np.asarray(values, dtype=float))
    if len(x) == 0 or x.sum() <= 0:
        return 0.0
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))
