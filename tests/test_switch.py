"""A switch in a comparison (--switch-at), its payback and NPV, and the statistics of the reports."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

import experiments
from experiments.errors import ArgumentError
from experiments.stats import holm, p_value
from experiments.study import noise_warning
from simulation import run_simulation

COMMON = {"reps": 3, "quarters": 6, "seed": 5, "workers": 1, "progress": False}


@pytest.fixture(scope="module")
def switched(tmp_path_factory):
    out = tmp_path_factory.mktemp("switch") / "res"
    policies = ["finder_keeps", "dedicated_roles_crm"]
    overrides = {"finance.discount_rate": 0.0}
    return experiments.compare(policies=policies, switch_at=3, overrides=overrides, out=out, **COMMON)


def test_quarters_before_the_switch_are_identical_in_the_folders_timeseries(switched):
    series = pd.read_parquet(switched.folder / "timeseries.parquet")
    columns = [c for c in series.columns if c not in ("policy", "replication", "quarter")]
    by = series.set_index(["policy", "replication", "quarter"])[columns]
    gap = (by.loc["dedicated_roles_crm"] - by.loc["finder_keeps"]).abs().groupby(level="quarter").max().max(axis=1)
    assert (gap.loc[:3] == 0).all()  # up to the switch: the very same department
    assert (gap.loc[4:] > 0).all()  # after it, the policies part
    manifest = json.loads((switched.folder / "manifest.json").read_text())
    assert manifest["arguments"]["switch_at"] == 3


def test_npv_at_a_zero_rate_is_the_profit_difference_and_payback_comes_after_the_switch(switched):
    payback = pd.read_csv(switched.folder / "payback.csv")
    row = payback.iloc[0]
    assert row.policy == "dedicated_roles_crm" and row.switch_at == 3 and row.n == 3
    profit = switched.paired[switched.paired.metric == "profit_total"].iloc[0]
    assert row.npv_mean == pytest.approx(profit.mean_diff, rel=1e-9)
    assert row.payback_q10 > 3  # nothing can pay back before anything changed
    report = (switched.folder / "report.md").read_text()
    assert report.index("## The decision") < report.index("## Reading")
    assert "switch, after quarter 3, from finder keeps to dedicated roles + CRM?" in report


def test_resume_with_another_switch_quarter_names_it(switched):
    with pytest.raises(ArgumentError) as error:
        experiments.compare(
            policies=["finder_keeps", "dedicated_roles_crm"],
            switch_at=2,
            overrides={"finance.discount_rate": 0.0},
            out=switched.folder,
            resume=True,
            **COMMON,
        )
    assert error.value.parameter == "resume" and "switch_at is 2 here but 3" in str(error.value)


def test_a_switch_to_the_baseline_itself_never_changes_anything():
    plain = run_simulation("mature_department", "finder_keeps", seed=3, replication=1, quarters=6)
    switched = run_simulation("mature_department", "finder_keeps", seed=3, replication=1, quarters=6, switch_at=2)
    pd.testing.assert_frame_equal(plain.timeseries, switched.timeseries)
    assert plain.summary == switched.summary


def test_the_baseline_must_be_the_current_policy_and_the_switch_within_the_horizon():
    with pytest.raises(ArgumentError) as error:
        experiments.compare(policies=["dedicated_roles", "finder_keeps"], switch_at=2, **COMMON)
    assert error.value.parameter == "switch_at" and "current policy" in str(error.value)
    with pytest.raises(ArgumentError) as error:
        experiments.compare(policies=["finder_keeps", "dedicated_roles"], switch_at=7, **COMMON)
    assert error.value.parameter == "switch_at"


@pytest.mark.parametrize("value", ["x", "-1", "2.5", "99"])
def test_a_bad_switch_at_is_one_error_line_naming_the_option(tmp_path, value):
    out = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "compare", "--switch-at", value, "--reps", "2", "--quarters", "4"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--switch-at" in lines[0]
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


def test_holm_adjusts_as_statsmodels_does_on_a_known_case():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5])
    # statsmodels.stats.multitest.multipletests(p[defined], method="holm")[1]
    expected = [0.04, 0.09, 0.09, 0.025, np.nan, 0.5]
    np.testing.assert_allclose(holm(p), expected, equal_nan=True)


def test_the_p_value_is_scipys_paired_t_test():
    values = np.array([1.2, -0.3, 2.5, 0.8, 1.1, np.nan])
    assert p_value(values) == pytest.approx(scipy_stats.ttest_1samp(values[:-1], 0.0).pvalue, rel=1e-12)
    assert p_value(np.zeros(4)) == 1.0 and np.isnan(p_value([1.0]))


def test_sensitivity_warns_when_per_sample_noise_is_comparable_to_the_spread():
    noisy = pd.DataFrame({"output": [10.0, 12.0, 9.0, 11.0], "se": [3.0, 3.0, 3.0, 3.0]})
    assert "comparable" in noise_warning(noisy, 5)
    quiet = noisy.assign(se=0.1)
    assert noise_warning(quiet, 5) is None
    wide = pd.DataFrame({"output": [0.0, 10.0, 20.0, 30.0], "se": [8.0] * 4})
    assert "--reps" in noise_warning(wide, 5)
