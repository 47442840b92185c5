"""Statistics over replications: t-based 95% confidence intervals and paired differences.

Every estimate is NaN-aware: a replication in which a metric is undefined (NaN) is left out,
and ``n`` counts only the defined values (or, for paired differences, the defined pairs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import stdtr, stdtrit  # Student's t CDF and quantile, as scipy.stats.t uses them

PAIRED_COLUMNS = ["metric", "mean_diff", "ci_low", "ci_high", "n", "p_value"]

LEVEL = 0.95


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """Student's t quantile (inverse CDF) for 0 < p < 1 and df > 0: what ``scipy.stats.t.ppf`` computes,
    without that module's half-second import."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    return float(stdtrit(df, p))


def mean_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> tuple[float, float, float, int]:
    """(mean, ci_low, ci_high, n) of the defined values; the CI is NaN for fewer than two."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    n = int(data.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(np.mean(data))
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = t_quantile(0.5 + level / 2.0, n - 1) * float(np.std(data, ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def p_value(values: Sequence[float] | np.ndarray) -> float:
    """Two-sided p-value of a paired t-test that the mean difference is 0 (scipy's t distribution);
    NaN for fewer than two defined values; 1 or 0 when every difference is the same."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size < 2:
        return math.nan
    mean, sd = float(np.mean(data)), float(np.std(data, ddof=1))
    if sd == 0.0 or not math.isfinite(sd):
        return 1.0 if mean == 0.0 else 0.0
    return float(2.0 * stdtr(data.size - 1, -abs(mean) / (sd / math.sqrt(data.size))))  # 2 × the upper tail


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (as ``statsmodels`` ``multipletests(method="holm")``), over
    the defined values: a difference is clear at 5% after the correction when its value is below 0.05."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    defined = np.flatnonzero(~np.isnan(p))
    m = defined.size
    if not m:
        return adjusted
    order = defined[np.argsort(p[defined], kind="stable")]
    steps = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def _rows(groups, keys: list[str], metrics: list[str]) -> list[dict]:
    rows = []
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            mean, low, high, n = mean_ci(frame[metric].to_numpy())
            rows.append(
                dict(zip(keys, key, strict=True))
                | {"metric": metric, "mean": mean, "ci_low": low, "ci_high": high, "n": n}
            )
    return rows


def summarise(runs: pd.DataFrame, metrics: list[str], by: list[str]) -> pd.DataFrame:
    """Mean and 95% CI of each metric per group: columns ``by``, metric, mean, ci_low, ci_high, n.

    Groups keep their order of first appearance in ``runs`` (policy order as given).
    """
    return pd.DataFrame(
        _rows(runs.groupby(by, sort=False), by, metrics), columns=[*by, "metric", "mean", "ci_low", "ci_high", "n"]
    )


def paired_differences(
    runs: pd.DataFrame, metrics: list[str], baseline: str, by: Sequence[str] = (), pair_on: str = "replication"
) -> pd.DataFrame:
    """Each policy minus ``baseline``, paired on ``pair_on`` within each group of ``by``.

    Columns: policy, baseline, ``by``..., metric, mean_diff, ci_low, ci_high, n (defined pairs) and
    p_value (paired t-test; ``holm`` adjusts a report's p-values for their number).
    """
    by = list(by)
    index = [*by, pair_on]
    base = runs[runs.policy == baseline].set_index(index)[metrics]
    rows = []
    for policy, frame in runs[runs.policy != baseline].groupby("policy", sort=False):
        diff = frame.set_index(index)[metrics] - base.reindex(frame.set_index(index).index)
        diff = diff.reset_index()
        for key, group in diff.groupby(by, sort=False) if by else [((), diff)]:
            key = key if isinstance(key, tuple) else (key,)
            for metric in metrics:
                values = group[metric].to_numpy()
                mean, low, high, n = mean_ci(values)
                rows.append(
                    {"policy": policy, "baseline": baseline}
                    | dict(zip(by, key, strict=True))
                    | {"metric": metric, "mean_diff": mean, "ci_low": low, "ci_high": high, "n": n}
                    | {"p_value": p_value(values)}
                )
    return pd.DataFrame(rows, columns=["policy", "baseline", *by, *PAIRED_COLUMNS])
