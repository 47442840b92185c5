"""The KPIs the import measures and the calibration matches: one definition each, from data and from runs.

Measured on the export over its complete quarters; simulated over the run's quarters after a
warm-up (the model's initial state is an aggregate of the department, so its first quarters settle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

KPIS: dict[str, str] = {
    "win_rate": "new-business deals won / (won + lost)",
    "newcomer_win_rate": "the same, for deals closed in the owner's first year",
    "client_churn_rate": "clients lost per quarter / clients active at the quarter's start",
    "seller_turnover_annual": "sellers leaving per year / mean head-count",
    "new_client_revenue_share": "revenue from clients won in the 4 quarters before / all revenue",
    "revenue_per_quarter": "won revenue per quarter over the last four quarters, k€",
}
# Reported next to the fit, not fitted by default: revenue is set by the import through sizes and books; the
# model's new clients start part-developed, so their revenue share needs the development parameters fitted too.
CHECK_ONLY = ("new_client_revenue_share", "revenue_per_quarter")
ABSOLUTE_FLOOR = {"revenue_per_quarter": 1.0}


@dataclass
class Kpi:
    """A measured KPI: its value, its standard error and the count it rests on."""

    value: float
    se: float
    n: int
    source: str

    def scale(self, name: str) -> float:
        """The error scale used in the fit: the standard error, at least 2% of the value and a small floor."""
        return max(self.se, 0.02 * abs(self.value), ABSOLUTE_FLOOR.get(name, 0.005))


def proportion(successes: float, trials: float, source: str) -> Kpi | None:
    """A share with its binomial standard error (None without trials)."""
    if trials <= 0:
        return None
    p = successes / trials
    shrunk = (successes + 0.5) / (trials + 1)
    return Kpi(p, math.sqrt(shrunk * (1 - shrunk) / trials), int(trials), source)


def spread_of_quarters(values: pd.Series, overall: float, source: str) -> Kpi | None:
    """A KPI measured per quarter: its standard error from the quarters' spread."""
    values = values.dropna()
    if values.empty:
        return None
    se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else abs(overall) * 0.25
    return Kpi(overall, se, len(values), source)


def simulated(timeseries: pd.DataFrame, summary: dict[str, float], warmup: int) -> dict[str, float]:
    """The KPIs of one run, over its quarters after ``warmup``."""
    ts = timeseries.sort_values("quarter")
    previous_active = ts["active_clients"].shift(1)
    window = ts["quarter"] > warmup
    q = ts[window]
    years = len(q) / 4
    decided = q["leads_won"].sum() + q["leads_lost"].sum()
    return {
        "win_rate": float(q["leads_won"].sum() / decided) if decided else math.nan,
        "newcomer_win_rate": float(summary.get("newcomer_win_rate", math.nan)),
        "client_churn_rate": float(q["churned"].sum() / previous_active[window].sum()),
        "seller_turnover_annual": float(q["quits"].sum() / q["sellers"].mean() / years) if years else math.nan,
        "new_client_revenue_share": float(q["new_client_revenue"].sum() / q["revenue"].sum())
        if q["revenue"].sum()
        else math.nan,
        "revenue_per_quarter": float(q["revenue"].tail(4).mean()),
    }
