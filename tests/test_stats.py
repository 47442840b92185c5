"""Experiment statistics on data with a known answer: t quantiles, CIs, paired differences, NaN-aware n."""

import math

import numpy as np
import pandas as pd
import pytest

from experiments.stats import mean_ci, paired_differences, summarise, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),  # two-sided 95% critical values of Student's t (standard tables)
    [
        (1, 12.706204736),
        (2, 4.302652730),
        (4, 2.776445105),
        (9, 2.262157163),
        (29, 2.045229642),
        (49, 2.009575237),
        (1000, 1.962339081),
    ],
)
def test_t_quantile_matches_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-8)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-8)


def test_ci_of_a_small_sample_by_hand():
    mean, low, high, n = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.776445105 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) * s / sqrt(n)
    assert (mean, n) == (3.0, 5)
    assert low == pytest.approx(3.0 - half, abs=1e-9)
    assert high == pytest.approx(3.0 + half, abs=1e-9)


def test_ci_covers_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(2024)
    trials, covered = 4000, 0
    for _ in range(trials):
        _, low, high, _ = mean_ci(rng.normal(10.0, 3.0, size=8))
        covered += low <= 10.0 <= high
    assert covered / trials == pytest.approx(0.95, abs=0.012)


def test_nan_values_are_left_out_and_not_counted():
    mean, low, high, n = mean_ci([1.0, float("nan"), 3.0, float("nan")])
    assert (mean, n) == (2.0, 2)
    assert low < 2.0 < high
    assert mean_ci([float("nan")] * 3)[3] == 0
    assert math.isnan(mean_ci([float("nan")] * 3)[0])
    one = mean_ci([7.0, float("nan")])
    assert one[0] == 7.0 and one[3] == 1 and math.isnan(one[1]) and math.isnan(one[2])


def _runs(values_by_policy):
    return pd.DataFrame(
        [
            {"policy": policy, "replication": r, "x": value}
            for policy, values in values_by_policy.items()
            for r, value in enumerate(values)
        ]
    )


def test_paired_difference_of_identical_policies_is_exactly_zero():
    values = np.random.default_rng(5).lognormal(3, 1, size=30)
    paired = paired_differences(_runs({"a": values, "b": values.copy()}), ["x"], baseline="a")
    row = paired.iloc[0]
    assert (row.policy, row.baseline, row.n) == ("b", "a", 30)
    assert (row.mean_diff, row.ci_low, row.ci_high) == (0.0, 0.0, 0.0)


def test_paired_difference_pairs_by_replication_not_by_position():
    runs = _runs({"a": [10.0, 20.0, 30.0], "b": [11.0, 21.0, 31.0]})
    shuffled = runs.iloc[[5, 0, 3, 1, 4, 2]]  # b's rows come in another order than a's
    row = paired_differences(shuffled, ["x"], baseline="a").iloc[0]
    assert row.mean_diff == 1.0 and row.ci_low == 1.0 and row.ci_high == 1.0 and row.n == 3


def test_paired_difference_counts_only_pairs_defined_on_both_sides():
    runs = _runs({"a": [1.0, float("nan"), 3.0, 4.0], "b": [2.0, 5.0, float("nan"), 6.0]})
    row = paired_differences(runs, ["x"], baseline="a").iloc[0]
    assert row.n == 2  # replications 0 and 3 only
    assert row.mean_diff == pytest.approx(1.5)


def test_summary_rows_keep_policy_order_and_count_defined_values():
    runs = _runs({"z_last_alphabetically": [1.0, float("nan"), 3.0], "a": [2.0, 2.0, 2.0]})
    summary = summarise(runs, ["x"], by=["policy"])
    assert list(summary.policy) == ["z_last_alphabetically", "a"]
    assert list(summary.n) == [2, 3]
    assert list(summary["mean"]) == [2.0, 2.0]
    assert list(summary.columns) == ["policy", "metric", "mean", "ci_low", "ci_high", "n"]
