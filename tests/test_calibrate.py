"""calibrate: recovers known parameters from data generated with them, common random numbers, resume,
honest about KPIs it cannot reach, and clear errors."""

import importlib
import json
import math
import signal
import sys

import pandas as pd
import pytest

from experiments.cli import main as salessim
from experiments.crm import CalibrationError, calibrate
from experiments.crm.calibrate import evaluate, load_setup, run_kpis
from experiments.crm.cli import main
from experiments.crm.errors import CalibrationInterrupted
from experiments.crm.kpis import Kpi, simulated
from experiments.crm.scenario_file import observed_text, scenario_text
from simulation import build_scenario, load_scenario, run_simulation

calibrate_module = importlib.import_module("experiments.crm.calibrate")  # the package's `calibrate` is the function
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


OPTIONS = {"params": RANGES, "reps": 2, "workers": 1, "kpis": FITTED, "progress": False}
OUTPUTS = ("trials.csv", "parameters.csv", "fit.csv", "scenario.toml")  # report.md says how long it took


def outputs(folder):
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


class StopAt:
    """``run_kpis`` that raises KeyboardInterrupt (as Ctrl-C does) on its ``at``-th call: in the middle of a trial."""

    def __init__(self, at):
        self.at, self.calls = at, 0

    def __call__(self, task):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return run_kpis(task)


@pytest.fixture(scope="module")
def uninterrupted(department, tmp_path_factory):
    """14 trials (10 random start-up ones, then TPE's) of 2 replications, in one go."""
    out = tmp_path_factory.mktemp("whole") / "cal"
    calibrate(department, out, budget=14, **OPTIONS)
    return outputs(out)


def test_a_calibration_resumed_after_part_of_its_budget_ends_as_an_uninterrupted_one(
    department, tmp_path, uninterrupted
):
    out = tmp_path / "cal"
    calibrate(department, out, budget=6, **OPTIONS)
    calibrate(department, out, budget=14, resume=True, **OPTIONS)
    assert outputs(out) == uninterrupted


def test_a_calibration_stopped_in_the_middle_of_a_trial_resumes_to_the_uninterrupted_result(
    department, tmp_path, uninterrupted, monkeypatch
):
    out = tmp_path / "cal"
    stop = StopAt(2 * 11 + 2)  # the second replication of trial 11, after TPE took over
    monkeypatch.setattr(calibrate_module, "run_kpis", stop)
    with pytest.raises(CalibrationInterrupted) as caught:
        calibrate(department, out, budget=14, **OPTIONS)
    assert (caught.value.saved, caught.value.total, caught.value.folder) == (11, 14, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted" and manifest["trials"] == 11
    monkeypatch.undo()
    calibrate(department, out, budget=14, resume=True, **OPTIONS)
    assert outputs(out) == uninterrupted


def test_ctrl_c_says_how_many_trials_are_saved_and_to_resume(department, tmp_path, capsys, monkeypatch):
    out = tmp_path / "cal"
    monkeypatch.setattr(calibrate_module, "run_kpis", StopAt(2 * 3 + 1))
    args = ["calibrate", "--scenario", str(department), "--out", str(out), "--quiet", "--budget", "5", "--reps", "2"]
    code = main([*args, "--workers", "1", "--params", *RANGES, "--kpis", *FITTED])
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err
    assert err.strip() == (
        f"interrupted: 3 of 5 trials saved in {out}; rerun the same command with --resume to continue"
    )


def ignores_ctrl_c(_):
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_the_calibration_pool_workers_leave_ctrl_c_to_the_parent():
    """A worker that took Ctrl-C itself printed a KeyboardInterrupt traceback of its own."""
    with calibrate_module.open_pool("local", 2) as mapper:
        assert list(mapper(ignores_ctrl_c, range(4))) == [True] * 4


def test_force_replaces_a_calibration_but_never_another_commands_folder(department, tmp_path, capsys):
    compare = tmp_path / "compare-folder"
    (compare / "runs").mkdir(parents=True)
    files = {
        "manifest.json": '{"subcommand": "compare", "status": "complete"}',
        "summary.csv": "policy,metric\n",
        "runs/finder_keeps-r0.parquet": "runs",
        "report.md": "# compare",
    }
    for name, text in files.items():
        (compare / name).write_text(text, encoding="utf-8")
    args = ["calibrate", "--scenario", str(department), "--quiet", "--budget", "2", "--reps", "2", "--workers", "1"]
    for extra in (["--force"], ["--resume"], []):
        code = main([*args, "--out", str(compare), *extra])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
        assert str(compare) in err and ("'compare' results folder" in err if extra else "already holds" in err)
    assert sorted(str(p.relative_to(compare)) for p in compare.rglob("*") if p.is_file()) == sorted(files)
    assert {name: (compare / name).read_text(encoding="utf-8") for name in files} == files
    stranger = tmp_path / "mine"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine", encoding="utf-8")
    assert main([*args, "--out", str(stranger), "--force"]) == 2
    assert "not a salessim calibrate folder" in capsys.readouterr().err
    assert (stranger / "notes.txt").read_text(encoding="utf-8") == "mine"
    ours = tmp_path / "cal"
    assert main([*args, "--out", str(ours)]) == 0
    (ours / "stale.csv").write_text("x", encoding="utf-8")
    assert main([*args, "--out", str(ours), "--force", "--reps", "3"]) == 0
    assert not (ours / "stale.csv").exists()
    assert json.loads((ours / "manifest.json").read_text(encoding="utf-8"))["reps"] == 3


def test_the_manifest_records_the_command_line(department, tmp_path):
    out = tmp_path / "cal"
    args = ["calibrate", "--scenario", str(department), "--out", str(out), "--quiet", "--budget", "2", "--reps", "2"]
    assert main([*args, "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == ["python", "-m", "experiments.crm", *args, "--workers", "1"]
    assert manifest["subcommand"] == "calibrate" and manifest["status"] == "complete"


@pytest.mark.parametrize("entry", ["python -m experiments.crm", "salessim"])
def test_without_the_calibrate_extra_one_line_says_what_to_install(department, tmp_path, capsys, monkeypatch, entry):
    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed: importing it fails, find_spec is None
    out = tmp_path / "cal"
    args = ["calibrate", "--scenario", str(department), "--out", str(out), "--quiet", "--budget", "2"]
    code = (main if entry != "salessim" else salessim)(args)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert 'pip install "salessim[calibrate]"' in err
    assert not out.exists()


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
