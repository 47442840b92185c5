"""Plain-language names of the metrics the reports show (money in k€, time in quarters)."""

from __future__ import annotations

# Run-summary metrics shown in the terminal table, the report's key table and the reading.
KEY_METRICS: dict[str, str] = {
    "revenue_total": "revenue over the run, k€",
    "golden_fund_revenue_final_year": "golden-fund revenue in the final year, k€",
    "profit_total": "profit over the run, k€",
    "veteran_skill_change": "change in veterans' consultative skill",
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
    "top_veteran_skill_change": "change in the most skilled veterans' consultative skill",
    "golden_fund_retention": "share of the quarter-0 golden fund still a client at the end",
    "profit_final_year": "profit in the final year, k€",
    "transactional_revenue_final_year": "transactional (non-golden-fund) revenue in the final year, k€",
    "newcomer_quit_rate_annual": "newcomers' quits per person-year in their first year",
    "veteran_quit_rate_annual": "veterans' quits per person-year",
}

# Per-quarter figures: file name -> (title, [(timeseries column, line label)]).
QUARTER_FIGURES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "revenue": ("Revenue per quarter, k€", [("revenue", "")]),
    "golden_fund_revenue": (
        "Golden-fund (consultative clients) revenue per quarter, k€",
        [("golden_fund_revenue", "")],
    ),
    "skill": (
        "Consultative skill: veterans (solid) vs newcomers (dashed)",
        [("veteran_skill", "veterans"), ("newcomer_skill", "newcomers")],
    ),
    "turnover": ("Seller turnover, annualised (quits per quarter × 4 ÷ sellers)", [("turnover", "")]),
    "veteran_service_share": ("Veterans' time spent servicing their books (share)", [("veteran_service_share", "")]),
}


def label(metric: str) -> str:
    """The plain-language label of a summary metric (its name if it has none)."""
    return SUMMARY_LABELS.get(metric, metric)
