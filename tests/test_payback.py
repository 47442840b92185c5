"""Payback, NPV and the J-curve of a switch, on known numbers and on real runs."""

import math

import numpy as np
import pandas as pd
import pytest

from experiments.payback import discounted, j_curve, payback_quarter, payback_table
from simulation import run_simulation


def frame(profits: dict[str, list[list[float]]]) -> pd.DataFrame:
    """A timeseries with quarters 0..Q for each policy and replication."""
    rows = []
    for policy, reps in profits.items():
        for r, series in enumerate(reps):
            rows += [
                {"policy": policy, "replication": r, "quarter": q, "profit": v} for q, v in enumerate([0, *series])
            ]
    return pd.DataFrame(rows)


def test_payback_is_the_first_quarter_after_which_the_running_difference_stays_positive():
    assert payback_quarter(np.array([1.0, 2.0, 3.0])) == 1  # better from the first quarter
    assert payback_quarter(np.array([-5.0, -2.0, 1.0, 4.0])) == 3
    assert payback_quarter(np.array([-5.0, 1.0, -1.0, 4.0])) == 4  # dips again: only the last crossing counts
    assert math.isinf(payback_quarter(np.array([-1.0, 2.0, -0.5])))  # behind at the horizon
    assert math.isinf(payback_quarter(np.zeros(4)))  # the same run: never ahead


def test_a_policy_better_from_the_first_quarter_pays_back_in_quarter_1():
    ts = frame({"base": [[10, 10, 10], [10, 10, 10]], "better": [[11, 12, 13], [12, 10.5, 11]]})
    row = payback_table(ts, "base", rate=0.1).iloc[0]
    assert (row.payback_median, row.payback_q90, row.share_never, row.prob_ahead) == (1, 1, 0, 1)


def test_npv_with_a_zero_rate_is_the_cumulative_difference_and_discounting_shrinks_it():
    ts = frame({"base": [[10, 10, 10, 10]], "alt": [[5, 12, 14, 16]]})
    table = payback_table(ts, "base", rate=0.0)
    assert table.npv_mean.iloc[0] == pytest.approx(-5 + 2 + 4 + 6)
    assert discounted(np.array([0, 0, 0, 10.0]), 0.1) == pytest.approx(10 / 1.1)  # a year later: one year's discount
    assert payback_table(ts, "base", rate=0.2).npv_mean.iloc[0] < table.npv_mean.iloc[0]  # late gains weigh less


def test_the_j_curve_and_payback_of_a_real_switch():
    reps, quarters, at = 6, 16, 4
    rows = []
    for policy in ("finder_keeps", "dedicated_roles_crm"):
        for r in range(reps):
            ts = run_simulation(
                "fresh_start", policy, seed=3, replication=r, quarters=quarters, switch_at=at
            ).timeseries
            rows.append(ts.assign(policy=policy, replication=r))
    ts = pd.concat(rows)
    curve = j_curve(ts, "finder_keeps")
    before = curve[curve.quarter <= at]
    assert (before["mean"] == 0).all()  # identical until the switch
    assert curve[curve.quarter == at + 1]["mean"].iloc[0] < 0  # the switch costs at first (roll-out, training)
    table = payback_table(ts, "finder_keeps", rate=0.1, switch_at=at)
    assert table.payback_median.iloc[0] > at and table.n.iloc[0] == reps
    assert 0 <= table.share_never.iloc[0] <= 1


def test_the_payback_reading_writes_the_npv_as_the_decision_does():
    from experiments.payback import reading
    from experiments.report import estimate

    ts = frame({"base": [[10, 10, 10, 10]] * 3, "alt": [[5, 12, 14, 16], [4, 9, 15, 19], [8, 10, 11, 13]]})
    table = payback_table(ts, "base", rate=0.1)
    (sentence,) = reading(table, 4)
    row = table.iloc[0]
    assert f"net present value {estimate(row.npv_mean, row.npv_ci_low, row.npv_ci_high, ' k€')}." in sentence
    assert " to " in sentence.split("net present value")[1] and ", " not in sentence.split("net present value")[1]
