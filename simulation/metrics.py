"""What the model reports: per-quarter figures (Mesa DataCollector) and the run summary.

Definitions are in ``docs/model.md`` (section Metrics).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd
from mesa.datacollection import DataCollector

from .agents import Role, Seller
from .department import Department
from .ledger import ACTIVE, Rows, Stage
from .mechanisms import gini
from .staffing import coaching_time


class Observed(Department, Protocol):
    """A department with what its metrics need: its quarter-0 golden fund and top veterans."""

    initial_golden: Rows
    top_veterans: list[Seller]
    datacollector: DataCollector


QUARTER_METRICS = [
    "revenue",
    "new_client_revenue",
    "active_clients",
    "churned",
    "golden_fund_clients",
    "golden_fund_revenue",
    "golden_fund_churned",
    "leads_arrived",
    "leads_won",
    "leads_lost",
    "veteran_skill",
    "newcomer_skill",
    "mean_skill",
    "veteran_service_share",
    "sellers",
    "newcomers",
    "hunters",
    "quits",
    "hires",
    "income_gini",
    "coaching_time",
    "margin",
    "pay",
    "base_pay",
    "commission",
    "bonuses",
    "hiring_cost",
    "crm_cost",
    "costs",
    "profit",
]

SUMMARY_METRICS = [
    "revenue_total",
    "revenue_final_year",
    "profit_total",
    "profit_final_year",
    "transactional_revenue_final_year",
    "clients_active_final",
    "clients_churned_total",
    "golden_fund_revenue_final_year",
    "golden_fund_churned_total",
    "leads_lost_total",
    "veteran_skill_change",
    "veteran_service_share",
    "newcomer_win_rate",
    "newcomer_attrition_1y",
    "seller_turnover_annual",
    "leads_won_total",
    "quits_total",
    "hires_total",
    "costs_total",
    "newcomer_skill_final",
    "top_veteran_skill_change",
    "golden_fund_retention",
    "newcomer_quit_rate_annual",
    "veteran_quit_rate_annual",
]


def _mean(values: Any) -> float:
    values = list(values)
    return float(np.mean(values)) if values else float("nan")


def quarter_snapshot(model: Department) -> dict[str, Any]:
    """Every per-quarter figure at once (the DataCollector reads from this)."""
    ledger, q = model.ledger, model.quarter
    stage, revenue = ledger.stage, ledger.revenue
    active = (stage == Stage.DEVELOPING) | (stage == Stage.LOYAL)
    founded = model.founded
    if q == founded:
        revenue = ledger.size * ledger.development * active
    golden = active & ledger.consultative
    left = ledger.left == q
    churned = left & (stage == Stage.CHURNED)
    won = ledger.won
    recent = active & (won >= max(q - model.scenario.pay.acquisition_window, founded + 1)) & (won < q)

    def count(mask: np.ndarray) -> int:
        return int(np.count_nonzero(mask))

    sellers = model.regular_sellers()
    veterans = [s for s in sellers if s.veteran]
    newcomers = [s for s in sellers if s.newcomer]
    incomes = [s.income for s in sellers]
    return {
        "revenue": model.finance["revenue"],
        "new_client_revenue": float(revenue[recent.nonzero()[0]].sum()),
        "active_clients": count(active),
        "churned": count(churned),
        "golden_fund_clients": count(golden),
        "golden_fund_revenue": float(revenue[golden.nonzero()[0]].sum()),
        "golden_fund_churned": count(churned & ledger.consultative),
        "leads_arrived": count(ledger.arrived == q) if q > founded else 0,
        "leads_won": count(won == q) if q > founded else 0,
        "leads_lost": count(left & (stage == Stage.LOST)),
        "veteran_skill": _mean(s.skill for s in veterans),
        "newcomer_skill": _mean(s.skill for s in newcomers),
        "mean_skill": _mean(s.skill for s in sellers),
        "veteran_service_share": _mean(s.service_share for s in veterans)
        if q > founded
        else _mean(min(1.0, model.timesheet.service_load[s.desk] / s.capacity) for s in veterans),
        "sellers": len(sellers),
        "newcomers": len(newcomers),
        "hunters": sum(s.role is Role.HUNTER for s in sellers),
        "quits": model.staff.quits_this_quarter,
        "hires": model.staff.hires_this_quarter,
        "income_gini": gini(incomes) if q > founded else float("nan"),
        "coaching_time": coaching_time(model),
        **{
            k: model.finance[k]
            for k in (
                "margin",
                "pay",
                "base_pay",
                "commission",
                "bonuses",
                "hiring_cost",
                "crm_cost",
                "costs",
                "profit",
            )
        },
    }


QUARTERS = "quarters"  # the DataCollector's table: a row per reported quarter


def make_datacollector() -> DataCollector:
    """A Mesa DataCollector with one table of the quarterly metrics (filled by ``record_quarter``)."""
    return DataCollector(tables={QUARTERS: QUARTER_METRICS})


def record_quarter(model: Observed) -> None:
    """The quarter's figures, one row of the collector's table (one snapshot, no reporter per figure)."""
    model.datacollector.add_table_row(QUARTERS, quarter_snapshot(model))


def timeseries(model: Observed) -> pd.DataFrame:
    """The per-quarter figures, one row per quarter from 0 (the state the report starts from;
    the history before it is not reported)."""
    return pd.DataFrame(quarter_columns(model))


def quarter_columns(model: Observed) -> dict[str, np.ndarray]:
    """The per-quarter figures as numpy columns (``timeseries`` without the table), quarter first."""
    table = model.datacollector.tables[QUARTERS]  # collected from quarter 0 on
    return {"quarter": np.arange(len(table["revenue"])), **{name: np.asarray(values) for name, values in table.items()}}


def quit_rates(model: Observed) -> tuple[float, float]:
    """Annual quit rates of newcomers (per person-year in the first ``newcomer_quarters`` of
    tenure) and of the veteran cohort, over the reported quarters."""
    first = model.scenario.department.newcomer_quarters
    new_quits = new_quarters = veteran_quits = veteran_quarters = 0
    for s in model.desks:
        if s.role in (Role.HEAD, Role.STRATEGIC):
            continue
        begin = max(0, s.hired) + 1  # quarters on staff: begin..end
        end = s.left if s.departed and s.left is not None else model.quarter
        if end < begin:
            continue
        tenure_at_begin = s.start_tenure + (begin - s.hired - 1)
        new_quarters += max(0, min(end, begin + first - tenure_at_begin - 1) - begin + 1)
        quit_young = s.departed and s.tenure < first
        new_quits += int(quit_young)
        if s.veteran:
            veteran_quarters += end - begin + 1
            veteran_quits += int(s.departed)
    rate = lambda quits, quarters: 4 * quits / quarters if quarters else float("nan")  # noqa: E731
    return rate(new_quits, new_quarters), rate(veteran_quits, veteran_quarters)


def run_summary(model: Observed) -> dict[str, float]:
    """The per-run summary (names fixed; a metric that cannot be computed is NaN), from the model's
    quarterly table and its sellers and clients."""
    table = model.datacollector.tables[QUARTERS]
    column = {name: np.asarray(table[name]) for name in (*SUMMED, "sellers", "veteran_service_share")}
    after = np.arange(len(column["revenue"])) > 0
    quarters = {name: values[after] for name, values in column.items()}  # quarter 0 is the starting state
    final_year = {name: values[-4:] for name, values in quarters.items()}
    veterans = [s for s in model.desks if s.veteran]
    q_total = int(after.sum())
    staff_mean = float(quarters["sellers"].mean()) if q_total else float("nan")
    won, lost = model.staff.newcomer_outcomes
    # Newcomers whose whole first year (tenure 0..3, the 4 quarters after hiring) lies in the run.
    cohort = [
        s
        for s in model.desks
        if s.start_tenure == 0
        and s.role not in (Role.HEAD, Role.STRATEGIC)
        and s.hired + 4 <= model.quarter
        and s.hired >= 0
    ]
    gone_early = [s for s in cohort if s.departed and s.left is not None and s.left - s.hired <= 4]
    ledger = model.ledger
    stage = ledger.stage
    reported = ledger.left > 0  # churned or lost after quarter 0
    leads_lost = int(((stage == Stage.LOST) & reported).sum())
    newcomer_quits, veteran_quits = quit_rates(model)
    total = {name: values.sum() for name, values in quarters.items() if name in SUMMED}
    last = {name: values.sum() for name, values in final_year.items() if name in SUMMED}
    return {
        "revenue_total": float(total["revenue"]),
        "revenue_final_year": float(last["revenue"]),
        "profit_total": float(total["profit"]),
        "profit_final_year": float(last["profit"]),
        "transactional_revenue_final_year": float(last["revenue"] - last["golden_fund_revenue"]),
        "clients_active_final": int(ledger.in_stage(*ACTIVE).sum()),
        "clients_churned_total": int(((stage == Stage.CHURNED) & reported).sum()),
        "golden_fund_revenue_final_year": float(last["golden_fund_revenue"]),
        "golden_fund_churned_total": int(((stage == Stage.CHURNED) & ledger.consultative & reported).sum()),
        "leads_lost_total": leads_lost,
        "veteran_skill_change": _mean(s.skill - s.start_skill for s in veterans),
        "veteran_service_share": _skipping_nan(quarters["veteran_service_share"]) if q_total else float("nan"),
        "newcomer_win_rate": won / (won + lost) if won + lost else float("nan"),
        "newcomer_attrition_1y": len(gone_early) / len(cohort) if cohort else float("nan"),
        "seller_turnover_annual": float(total["quits"]) / staff_mean / (q_total / 4)
        if q_total and staff_mean
        else float("nan"),
        "leads_won_total": int((ledger.won > 0).sum()),
        "quits_total": int(total["quits"]),
        "hires_total": int(total["hires"]),
        "costs_total": float(total["costs"]),
        "newcomer_skill_final": float(np.asarray(table["newcomer_skill"])[-1]),
        "top_veteran_skill_change": _mean(s.skill - s.start_skill for s in model.top_veterans),
        "golden_fund_retention": float(np.isin(stage[model.initial_golden], ACTIVE).mean())
        if len(model.initial_golden)
        else float("nan"),
        "newcomer_quit_rate_annual": newcomer_quits,
        "veteran_quit_rate_annual": veteran_quits,
    }


SUMMED = ("revenue", "profit", "golden_fund_revenue", "quits", "hires", "costs")  # summed over quarters


def _skipping_nan(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN if none is), summed as pandas sums a column."""
    missing = np.isnan(values)
    count = len(values) - int(missing.sum())
    return float(np.where(missing, 0.0, values).sum() / count) if count else float("nan")
