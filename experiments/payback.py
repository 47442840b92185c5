"""What a switch of policy costs and when it pays back, from a comparison's per-quarter timeseries.

For each policy and replication *r*, the quarterly paired difference against the baseline is
``d_r(q) = metric_policy(q) - metric_baseline(q)`` (profit by default; both runs on the same random
streams) and its running sum ``D_r(q)`` is the **J-curve**. A replication **pays back** in the
first quarter after which ``D_r`` stays above 0 up to the horizon (never, if it ends at or below 0);
a policy better from its first quarter pays back in quarter 1. The **net present value** discounts
each quarter's difference at ``finance.discount_rate`` a year: ``Σ d_r(q) / (1 + rate)^(q/4)``
(with a rate of 0 it is ``D_r`` at the horizon).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .labels import policy_name
from .report import estimate
from .stats import mean_ci

PAYBACK_COLUMNS = [
    "policy",
    "baseline",
    "switch_at",
    "payback_median",
    "payback_q10",
    "payback_q90",
    "share_never",
    "npv_mean",
    "npv_ci_low",
    "npv_ci_high",
    "prob_ahead",
    "n",
]


def differences(timeseries: pd.DataFrame, baseline: str, metric: str = "profit") -> pd.DataFrame:
    """Quarterly paired differences ``d_r(q)`` (quarters 1..Q): rows = quarters, a column per
    (policy, replication)."""
    frame = timeseries[timeseries.quarter > 0].pivot_table(
        index="quarter", columns=["policy", "replication"], values=metric
    )
    base = frame[baseline]
    others = [p for p in frame.columns.get_level_values("policy").unique() if p != baseline]
    return pd.concat({p: frame[p] - base for p in others}, axis=1, names=["policy", "replication"])


def payback_quarter(cumulative: np.ndarray) -> float:
    """The first quarter (1-based) after which the running difference stays above 0; inf if never."""
    below = np.flatnonzero(cumulative <= 0)
    if not len(below):
        return 1.0
    last = int(below[-1])
    return math.inf if last == len(cumulative) - 1 else float(last + 2)


def discounted(diff: np.ndarray, rate: float) -> float:
    """Net present value of quarterly differences 1..Q at an annual ``rate``."""
    quarters = np.arange(1, len(diff) + 1)
    return float((diff / (1 + rate) ** (quarters / 4)).sum())


def payback_table(
    timeseries: pd.DataFrame, baseline: str, rate: float, switch_at: int = 0, metric: str = "profit"
) -> pd.DataFrame:
    """One row per policy: payback quarter median and 10–90% range over replications, the share
    never paying back within the horizon, NPV mean and 95% CI, the probability of being ahead at
    the horizon, and n (replications)."""
    diffs = differences(timeseries, baseline, metric)
    rows = []
    for policy in diffs.columns.get_level_values("policy").unique():
        d = diffs[policy].to_numpy()  # quarters × replications
        cumulative = np.cumsum(d, axis=0)
        paybacks = np.array([payback_quarter(cumulative[:, r]) for r in range(d.shape[1])])
        npv = mean_ci([discounted(d[:, r], rate) for r in range(d.shape[1])])
        finite = paybacks[np.isfinite(paybacks)]
        rows.append(
            {
                "policy": policy,
                "baseline": baseline,
                "switch_at": switch_at,
                "payback_median": float(np.quantile(paybacks, 0.5, method="inverted_cdf")),
                "payback_q10": float(np.quantile(paybacks, 0.1, method="inverted_cdf")),
                "payback_q90": float(np.quantile(paybacks, 0.9, method="inverted_cdf")),
                "share_never": float(1 - len(finite) / len(paybacks)),
                "npv_mean": npv[0],
                "npv_ci_low": npv[1],
                "npv_ci_high": npv[2],
                "prob_ahead": float((cumulative[-1] > 0).mean()),
                "n": int(d.shape[1]),
            }
        )
    return pd.DataFrame(rows, columns=PAYBACK_COLUMNS)


def j_curve(timeseries: pd.DataFrame, baseline: str, metric: str = "profit") -> pd.DataFrame:
    """Per policy and quarter: the mean running difference ``D(q)`` with its 95% CI and n."""
    diffs = differences(timeseries, baseline, metric)
    rows = []
    for policy in diffs.columns.get_level_values("policy").unique():
        cumulative = np.cumsum(diffs[policy].to_numpy(), axis=0)
        for quarter, values in zip(diffs.index, cumulative, strict=True):
            mean, low, high, n = mean_ci(values)
            rows.append({"policy": policy, "quarter": quarter, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows)


def reading(table: pd.DataFrame, horizon: int) -> list[str]:
    """One sentence per policy, in words: when it pays back and how sure that is."""
    sentences = []
    for record in table.to_dict("records"):
        name = policy_name(str(record["policy"]))
        q90, median, never = float(record["payback_q90"]), float(record["payback_median"]), float(record["share_never"])
        when = (
            f"pays back by quarter {q90:.0f} in 90% of replications"
            if math.isfinite(q90)
            else f"pays back within the horizon ({horizon} quarters) in {1 - never:.0%} of replications"
        )
        typical = f"median quarter {median:.0f}" if math.isfinite(median) else "median: never"
        npv = estimate(record["npv_mean"], record["npv_ci_low"], record["npv_ci_high"], " k€")
        sentences.append(
            f"Switching to {name} {when} ({typical}); it is ahead at the horizon in {record['prob_ahead']:.0%} "
            f"of replications; net present value {npv}."
        )
    return sentences


def j_curve_figure(curve: pd.DataFrame, table: pd.DataFrame, colours: dict[str, str], switch_at: int = 0) -> Figure:
    """The J-curve: each policy's running profit difference against the baseline with its 95% CI
    band; the median payback quarter marked."""
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    for policy, part in curve.groupby("policy", sort=False):
        colour = colours.get(str(policy))
        ax.plot(part.quarter, part["mean"], label=policy_name(str(policy)), color=colour)
        ax.fill_between(part.quarter, part.ci_low, part.ci_high, alpha=0.2, color=colour)
        row = table[table.policy == policy]
        if len(row) and math.isfinite(row.payback_median.iloc[0]):
            ax.axvline(row.payback_median.iloc[0], color=colour, linestyle=":", linewidth=1)
    ax.axhline(0, color="black", linewidth=0.8)
    if switch_at:
        ax.axvline(switch_at, color="grey", linestyle="--", linewidth=1, label=f"switch after quarter {switch_at}")
    ax.set(
        xlabel="quarter",
        ylabel="cumulative profit difference, k€",
        title="What the switch costs and when it pays back (mean, 95% CI; dotted: median payback)",
    )
    ax.legend(loc="best")
    return fig
