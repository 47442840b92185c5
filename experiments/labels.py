"""Plain-language names of the metrics the reports show (money in k€, time in quarters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulation import Scenario

# Run-summary metrics shown in the terminal table, the report's key table and the reading: profit first.
KEY_METRICS: dict[str, str] = {
    "profit_total": "profit over the run, k€",
    "profit_final_year": "profit in the final year, k€",
    "revenue_total": "revenue over the run, k€",
    "golden_fund_revenue_final_year": "golden-fund revenue in the final year, k€",
    "transactional_revenue_final_year": "transactional revenue (non-golden-fund) in the final year, k€",
    "veteran_skill_change": "change in the mean veteran's consultative skill",
    "top_veteran_skill_change": "change in the most skilled veterans' consultative skill",
    "seller_turnover_annual": "annual seller turnover (share of staff)",
    "veteran_service_share": "veterans' time spent servicing (share)",
}

SUMMARY_LABELS: dict[str, str] = KEY_METRICS | {
    "revenue_final_year": "revenue in the final year, k€",
    "clients_active_final": "active clients at the end",
    "clients_churned_total": "clients churned",
    "golden_fund_churned_total": "golden-fund clients churned",
    "leads_lost_total": "leads lost",
    "newcomer_win_rate": "newcomers' lead win rate",
    "newcomer_attrition_1y": "newcomers leaving within a year (share)",
    "leads_won_total": "leads won",
    "quits_total": "sellers who quit",
    "hires_total": "hires",
    "costs_total": "costs over the run, k€",
    "newcomer_skill_final": "newcomers' consultative skill at the end",
    "golden_fund_retention": "share of the quarter-0 golden fund still a client at the end",
    "newcomer_quit_rate_annual": "newcomers' quits per person-year in their first year",
    "veteran_quit_rate_annual": "veterans' quits per person-year",
}

# Per-quarter figures: file name -> (title, [(timeseries column, panel title)]); several columns: one panel each.
QUARTER_FIGURES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "revenue": ("Revenue per quarter, k€", [("revenue", "")]),
    "profit": ("Profit per quarter (margin minus pay, hiring and CRM costs), k€", [("profit", "")]),
    "golden_fund_revenue": (
        "Golden-fund (consultative clients) revenue per quarter, k€",
        [("golden_fund_revenue", "")],
    ),
    "skill": (
        "Consultative skill (0-1), mean per group",
        [("veteran_skill", "veterans (on staff at quarter 0)"), ("newcomer_skill", "newcomers")],
    ),
    "turnover": ("Seller turnover, annualised (quits per quarter × 4 ÷ sellers)", [("turnover", "")]),
    "veteran_service_share": ("Veterans' time spent servicing their books (share)", [("veteran_service_share", "")]),
}

# Per-quarter columns that describe work done during a quarter: drawn from quarter 1 (quarter 0 is the
# starting state, before anyone has worked in the reported run).
FROM_QUARTER_1 = {"veteran_service_share", "turnover"}

# What to see in each figure of a results folder (its caption).
FIGURE_CAPTIONS: dict[str, str] = {
    "j_curve": (
        "The J-curve: each policy's running profit difference against the baseline, quarter by quarter, with "
        "its 95% band. Below 0 the switch has cost money so far; the dotted line is the median payback "
        "quarter, after which the running difference stays above 0."
    ),
    "revenue": "Revenue per quarter: where the lines part, the policies earn differently (bands: 95% CIs).",
    "profit": "Profit per quarter: a transition's costs show as a dip after the switch, its gains as a later lead.",
    "golden_fund_revenue": (
        "Revenue from the golden fund (consultative clients): the business the book says finder keeps loses."
    ),
    "skill": (
        "Consultative skill of the veterans (left) and the newcomers (right): under finder keeps veterans "
        "servicing their books forget; newcomers learn from the pursuits they get."
    ),
    "turnover": "Seller turnover, annualised: higher lines mean more departures, and more handoffs of clients.",
    "veteran_service_share": (
        "Share of the veterans' time spent servicing their books, from quarter 1: the higher, the less time "
        "for new consultative clients."
    ),
    "paired_differences": (
        "Each policy minus the baseline on the same replications (mean, 95% CI): a bar whose whisker "
        "crosses 0 is not a clear difference."
    ),
}

# The terms the reports use, defined once.
TERMS: dict[str, str] = {
    "golden fund": "the department's active consultative clients (the complex, valuable ones)",
    "consultative skill": "a seller's skill (0-1) at winning and developing complex clients",
    "servicing share": "the share of a seller's time spent invoicing and serving its book",
    "profit": "gross margin minus pay (base, commission, bonuses), hiring and CRM costs, k€",
    "payback": ("the first quarter after which the running profit difference against the current policy stays above 0"),
    "NPV": "net present value: each quarter's profit difference discounted at the scenario's finance.discount_rate",
    "ahead at the horizon": (
        "a switch's running profit difference against the current policy is above 0 in the run's last quarter "
        "(the tables give the share of replications in which it is)"
    ),
    "transactional revenue": "revenue from the clients outside the golden fund (the simpler, transactional ones)",
}

# What shows that a report uses a term (lower case); a term without cues: its own name.
TERM_CUES: dict[str, tuple[str, ...]] = {
    "golden fund": ("golden fund", "golden-fund"),
    "servicing share": ("servicing",),
    "payback": ("payback", "pays back", "paid back"),
    "NPV": ("npv", "net present value"),
    "transactional revenue": ("transactional revenue", "transactional business"),
    "veteran": ("veteran",),
    "newcomer": ("newcomer",),
    "most skilled veterans": ("most skilled veterans",),
    "+ CRM": ("+ crm",),
}


def report_terms(scenario: Scenario) -> dict[str, str]:
    """Every term a report may use, defined once, with ``scenario``'s values where a definition
    depends on them."""
    d, crm = scenario.department, scenario.crm
    sellers, share = d.sellers, scenario.roles.hunter_share
    tenure, first, top = d.veteran_min_tenure, d.newcomer_quarters, round(share * sellers)
    rate, adoption, protection = scenario.finance.discount_rate, crm.adoption, crm.handoff_protection
    licence, rollout, entry = crm.licence, crm.rollout_quarters, crm.time_cost
    skill, salary = scenario.strategic.seller_skill, scenario.strategic.seller_salary
    return TERMS | {
        "NPV": (
            "net present value: each quarter's profit difference against the current policy discounted at the "
            f"scenario's finance.discount_rate ({rate:.0%} a year)"
        ),
        "veteran": (
            f"a seller on staff at quarter 0 with at least {tenure} quarters of tenure then "
            "(department.veteran_min_tenure); the veterans' figures follow these sellers through the run"
        ),
        "newcomer": f"a seller in their first {first} quarters of tenure (department.newcomer_quarters)",
        "most skilled veterans": (
            f"the {top} veterans with the highest consultative skill at quarter 0 (round(roles.hunter_share × "
            f"department.sellers) = round({share:g} × {sellers}); all of them if there are fewer)"
        ),
        "finder keeps": (
            "every seller is a generalist; whoever wins a client keeps it and services it for good, paid a "
            "commission on their own book; a leaver's clients go to the smallest books"
        ),
        "dedicated roles": (
            f"work matched to skill: hunters (the most skilled {share:.0%} of the sellers, {top} of {sellers}) win "
            "and develop consultative clients, then hand them to account managers, who service the books and "
            "pursue transactional leads; hunters earn a bonus on what they win, account managers a commission on "
            "their book; newcomers start as account managers"
        ),
        "+ CRM": (
            f"the same policy with a CRM in use: {adoption:.0%} of the work is recorded in it (crm.adoption), "
            f"which spares {adoption * protection:.0%} of the losses when a client changes hands and moves personal "
            "loyalty to "
            f"the firm, for a licence of {licence:g} k€ per seller a quarter and {entry:.0%} of selling time spent "
            f"on data entry, rolled out over {rollout} quarters"
        ),
        "strategic deals by the head": "the head of department works the strategic deals in the time left after "
        "managing, at the cost of coaching",
        "a dedicated strategic seller": (
            f"a seller hired to work only the strategic deals (consultative skill {skill:g}, salary {salary:g} k€ "
            "a quarter)"
        ),
    }


def used_terms(terms: Mapping[str, str], text: str) -> dict[str, str]:
    """The terms ``text`` uses (by their cues, case-insensitive), in the order of ``terms``."""
    lower = text.lower()
    return {
        term: meaning
        for term, meaning in terms.items()
        if any(cue in lower for cue in TERM_CUES.get(term, (term.lower(),)))
    }


# Plain names of the policies, for readers (a policy not listed: its name with spaces).
POLICY_NAMES: dict[str, str] = {
    "finder_keeps": "finder keeps",
    "finder_keeps_crm": "finder keeps + CRM",
    "dedicated_roles": "dedicated roles",
    "dedicated_roles_crm": "dedicated roles + CRM",
    "finder_keeps_head_strategic": "finder keeps, strategic deals by the head",
    "finder_keeps_dedicated_strategic": "finder keeps, a dedicated strategic seller",
    "dedicated_roles_head_strategic": "dedicated roles, strategic deals by the head",
    "dedicated_roles_dedicated_strategic": "dedicated roles, a dedicated strategic seller",
}


def policy_name(policy: str) -> str:
    """The plain name of a policy ("dedicated roles + CRM")."""
    return POLICY_NAMES.get(policy) or policy.replace("_crm", " + CRM").replace("_", " ")


def label(metric: str) -> str:
    """The plain-language label of a summary metric (its name if it has none)."""
    return SUMMARY_LABELS.get(metric, metric)
