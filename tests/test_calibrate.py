"""calibrate: recovers known parameters from data generated with them, common random numbers, resume,
honest about KPIs it cannot reach, and clear errors."""

import math

import pandas as pd
import pytest

from experiments.crm import CalibrationError, calibrate
from experiments.crm.calibrate import evaluate, load_setup, run_kpis
from experiments.crm.cli import main
from experiments.crm.kpis import Kpi, simulated
from experiments.crm.scenario_file import observed_text, scenario_text
from simulation import build_scenario, load_scenario, run_simulation

SMALL = {
    "department.sellers": (6, ""),
    "department.veterans": (4, ""),
    "department.clients_per_veteran": (15, ""),
    "department.clients_per_newcomer": (3, ""),
    "market.leads_per_quarter": (14.0, ""),
    "department.history_quarters": (0, ""),
}
TRUTH = {"selling.win_chance_max": 0.45, "churn.base_rate": 0.05}
HISTORY = 8  # quarters of "observed" history; calibration runs 4 more as a warm-up
FITTED = ["win_rate", "client_churn_rate"]


def observed_at_truth():
    """The KPIs of one simulated history at the true parameters (another seed than calibrate's), with the
    spread across histories as their standard error, as an import would measure them."""
    scenario = build_scenario("mature_department", {k: v for k, (v, _) in SMALL.items()} | TRUTH)
    runs = [run_simulation(scenario, "finder_keeps", seed=99, replication=r, quarters=4 + HISTORY) for r in range(8)]
    frame = pd.DataFrame([simulated(r.timeseries, r.summary, 4) for r in runs])
    return {k: Kpi(float(frame[k].iloc[0]), float(frame[k].std()), 100, "simulated") for k in FITTED}


@pytest.fixture(scope="module")
def department(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dept")
    path = folder / "dept.toml"
    path.write_text(scenario_text("mature_department", SMALL, ["a small department"]), encoding="utf-8")
    (folder / "dept.observed.toml").write_text(
        observed_text(path, "finder_keeps", HISTORY, observed_at_truth(), []), encoding="utf-8"
    )
    return path


RANGES = ["selling.win_chance_max=0.1:1.0", "churn.base_rate=0:0.15"]


@pytest.fixture(scope="module")
def recovered(department, tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "fit"
    return calibrate(department, out, budget=40, params=RANGES, reps=4, workers=1, kpis=FITTED, progress=False)


def test_calibrate_recovers_known_parameters_within_its_stated_uncertainty(recovered):
    parameters = recovered.parameters.set_index("key")
    for key, truth in TRUTH.items():
        row = parameters.loc[key]
        assert row.range_low <= truth <= row.range_high, (key, truth, row.to_dict())
        assert row.range_high - row.range_low < 0.6 * (row.high - row.low)  # it did learn something
    assert recovered.fit.set_index("kpi").loc[FITTED, "within"].all()


def test_calibrate_writes_a_scenario_ready_for_compare_and_the_fit_table(recovered):
    folder = recovered.folder
    fit = pd.read_csv(folder / "fit.csv")
    assert list(fit.columns) == ["kpi", "observed", "simulated", "ci_low", "ci_high", "within"]
    scenario = load_scenario(folder / "scenario.toml")
    best = recovered.parameters.set_index("key")["best"]
    assert scenario.selling.win_chance_max == pytest.approx(best["selling.win_chance_max"], abs=1e-5)
    assert scenario.department.sellers == 6  # the imported keys are kept
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert "fitted by salessim calibrate: 95% range" in text
    for name in ("report.md", "report.html", "trials.csv", "parameters.csv", "manifest.json", "figures/fit.png"):
        assert (folder / name).is_file()


def test_every_candidate_runs_on_the_same_seeds_and_replications(department):
    setup = load_setup(department, RANGES, 3, 7, None, None, FITTED)
    candidate = {"selling.win_chance_max": 0.5, "churn.base_rate": 0.02}
    first = evaluate(setup, candidate, map)
    again = evaluate(setup, candidate, map)
    pd.testing.assert_frame_equal(first.per_rep, again.per_rep)
    direct = run_kpis((setup.scenario, "finder_keeps", 7, 2, candidate, setup.warmup))
    assert first.per_rep.iloc[2].to_dict() == pytest.approx(direct, nan_ok=True)


def test_an_interrupted_calibration_resumes_where_it_stopped(department, tmp_path):
    out = tmp_path / "cal"
    options = {"params": RANGES, "reps": 2, "workers": 1, "kpis": FITTED, "progress": False}
    calibrate(department, out, budget=4, **options)
    before = pd.read_csv(out / "trials.csv")
    with pytest.raises(CalibrationError, match="--resume"):
        calibrate(department, out, budget=6, **options)
    resumed = calibrate(department, out, budget=6, resume=True, **options)
    after = pd.read_csv(out / "trials.csv")
    assert resumed.trials == 6 and len(after) == 6
    pd.testing.assert_frame_equal(after.head(4), before)
    with pytest.raises(CalibrationError, match="different setup"):
        calibrate(department, out, budget=8, resume=True, **(options | {"reps": 3}))


def test_a_kpi_out_of_reach_is_said_so(department, tmp_path):
    observed = tmp_path / "far.observed.toml"
    kpis = {"client_churn_rate": Kpi(0.5, 0.01, 100, "invented")}
    observed.write_text(observed_text(department, "finder_keeps", HISTORY, kpis, []), encoding="utf-8")
    result = calibrate(
        department,
        tmp_path / "cal",
        budget=5,
        params=["churn.base_rate=0:0.01"],
        reps=2,
        workers=1,
        observed=observed,
        progress=False,
    )
    assert not result.fit.set_index("kpi").loc["client_churn_rate", "within"]
    assert any(m.startswith("client_churn_rate cannot be reached within the ranges") for m in result.unreachable)
    assert "cannot be reached" in (tmp_path / "cal" / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["selling.win_chanse_max=0:1"], "did you mean 'selling.win_chance_max'"),
        (["selling.win_chance_max=0:1.5"], "selling.win_chance_max"),
        (["churn.base_rate=0.2:0.1"], "LOW < HIGH"),
        (["crm.in_use=0:1"], "not a number"),
    ],
)
def test_bad_ranges_are_refused_with_one_line(department, tmp_path, capsys, params, message):
    code = main(
        ["calibrate", "--scenario", str(department), "--out", str(tmp_path / "c"), "--quiet", "--params", *params]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1


def test_missing_observed_kpis_are_explained(tmp_path):
    path = tmp_path / "lonely.toml"
    path.write_text('base = "mature_department"\n', encoding="utf-8")
    with pytest.raises(CalibrationError, match="import the export first"):
        calibrate(path, tmp_path / "c", budget=1, progress=False)


def test_simulated_kpis_are_rates_of_the_run():
    run = run_simulation("mature_department", seed=3, quarters=8)
    kpis = simulated(run.timeseries, run.summary, 4)
    ts = run.timeseries[run.timeseries.quarter > 4]
    assert kpis["win_rate"] == pytest.approx(ts.leads_won.sum() / (ts.leads_won.sum() + ts.leads_lost.sum()))
    assert 0 < kpis["client_churn_rate"] < 0.5 and not math.isnan(kpis["revenue_per_quarter"])
