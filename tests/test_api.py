"""The Python API for many runs: compare, sweep and sensitivity, their result objects, errors naming parameters."""

import hashlib
import inspect
import json
import math
import os
import subprocess
import sys
import tomllib

import pandas as pd
import pytest
from matplotlib.figure import Figure

import experiments
from experiments import ArgumentError, cli
from experiments.stats import t_quantile
from simulation import SUMMARY_METRICS, run_simulation

SMALL = {"reps": 3, "quarters": 4, "seed": 5, "workers": 1, "progress": False}
TABLES = ["summary.csv", "paired_differences.csv", "runs.parquet"]


def digest(folder, names=TABLES):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}


@pytest.fixture(scope="module")
def result():
    return experiments.compare(policies=["finder_keeps", "dedicated_roles_crm"], **SMALL)


def test_compare_returns_summary_and_paired_tables_with_paired_cis(result):
    assert list(result.summary.columns) == ["policy", "metric", "mean", "ci_low", "ci_high", "n"]
    assert len(result.summary) == 2 * len(SUMMARY_METRICS)
    assert list(result.summary.policy.unique()) == ["finder_keeps", "dedicated_roles_crm"]
    assert list(result.paired.columns) == [
        *["policy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n", "p_value", "holm"]
    ]
    assert len(result.paired) == len(SUMMARY_METRICS) and set(result.paired.baseline) == {"finder_keeps"}
    assert len(result.runs) == 2 * 3 and len(result.timeseries) == 2 * 3 * 5
    # The paired CI by hand: mean of the per-replication differences ± t(0.975, n-1) s / sqrt(n).
    by_rep = result.runs.set_index(["policy", "replication"]).revenue_total
    diffs = (by_rep["dedicated_roles_crm"] - by_rep["finder_keeps"]).to_numpy()
    half = t_quantile(0.975, 2) * diffs.std(ddof=1) / math.sqrt(3)
    row = result.paired[result.paired.metric == "revenue_total"].iloc[0]
    assert row.mean_diff == pytest.approx(diffs.mean(), rel=1e-12)
    assert (row.ci_low, row.ci_high) == pytest.approx((diffs.mean() - half, diffs.mean() + half), rel=1e-9)
    # Replication r is exactly run_simulation(seed, replication=r), on the scenario the result records.
    direct = run_simulation("mature_department", "dedicated_roles_crm", seed=5, replication=2, quarters=4)
    assert by_rep["dedicated_roles_crm", 2] == direct.summary["revenue_total"]
    assert result.seed == 5 and result.scenario.quarters == 4
    assert result.scenarios["dedicated_roles_crm"].crm.in_use and not result.scenario.crm.in_use


def test_figures_are_matplotlib_figures(result):
    figures = result.figures()
    assert set(figures) == {
        "j_curve",
        "revenue",
        "profit",
        "golden_fund_revenue",
        "skill",
        "turnover",
        "veteran_service_share",
        "paired_differences",
    }
    assert all(isinstance(fig, Figure) for fig in figures.values())
    quarterly = result.plot("golden_fund_revenue")
    assert [line.get_label() for line in quarterly.axes[0].get_lines()] == ["finder keeps", "dedicated roles + CRM"]
    assert isinstance(result.plot("revenue_total"), Figure)
    with pytest.raises(ArgumentError) as error:
        result.plot("revenue_totl")
    assert error.value.parameter == "metric"


def test_save_writes_the_whole_results_folder(result, tmp_path):
    path = result.save(tmp_path / "res")
    names = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    assert {
        "summary.csv",
        "paired_differences.csv",
        "runs.parquet",
        "timeseries.parquet",
        "scenario.toml",
        "manifest.json",
        "report.md",
        "report.html",
        "figures/paired_differences.png",
        "scenarios/finder_keeps.toml",
        "scenarios/dedicated_roles_crm.toml",
    } <= names
    assert len(list((path / "runs").glob("*.parquet"))) == 6
    assert pd.read_csv(path / "summary.csv").equals(pd.read_csv(path / "summary.csv"))
    assert pd.read_parquet(path / "runs.parquet").revenue_total.tolist() == result.runs.revenue_total.tolist()
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["root_seed_entropy"] == 5
    assert manifest["command"].startswith("experiments.compare(") and manifest["argv"] is None
    assert manifest["scenario_hashes"]["dedicated_roles_crm"] == result.scenarios["dedicated_roles_crm"].digest()
    assert tomllib.loads((path / "scenarios" / "dedicated_roles_crm.toml").read_text())["crm"]["in_use"] is True
    with pytest.raises(ArgumentError) as error:  # never overwritten silently
        result.save(path)
    assert error.value.parameter == "path" and "force=True" in str(error.value)
    assert result.save(path, force=True) == path


def test_out_saves_runs_as_they_finish_and_equals_save(result, tmp_path):
    direct = experiments.compare(policies=["finder_keeps", "dedicated_roles_crm"], out=tmp_path / "out", **SMALL)
    assert direct.folder == tmp_path / "out"
    saved = result.save(tmp_path / "saved")
    assert digest(tmp_path / "out", [*TABLES, "timeseries.parquet"]) == digest(saved, [*TABLES, "timeseries.parquet"])
    resumed = experiments.compare(
        policies=["finder_keeps", "dedicated_roles_crm"], out=tmp_path / "out", resume=True, **SMALL | {"seed": None}
    )  # the folder's seed
    assert resumed.seed == 5 and digest(tmp_path / "out") == digest(saved)
    assert resumed.save(tmp_path / "out") == tmp_path / "out"  # its own folder: written again, runs kept
    assert len(list((tmp_path / "out" / "runs").glob("*.parquet"))) == 6 and digest(tmp_path / "out") == digest(saved)


@pytest.mark.parametrize(
    ("kind", "arguments"),
    [
        ("compare", {"overrides": {"crm.adoption": 0.5, "market.leads_per_quarter": 30.0}}),
        ("sweep", {"vary": {"crm.adoption": [0.0, 0.5]}}),
    ],
)
def test_rerun_from_the_recorded_scenario_gives_identical_tables(tmp_path, kind, arguments):
    policies = ["finder_keeps", "finder_keeps_crm"]
    run = getattr(experiments, kind)
    first = run(
        policies=policies, reps=2, quarters=3, seed=7, workers=1, progress=False, out=tmp_path / "a", **arguments
    )
    again = run(
        scenario=str(tmp_path / "a" / "scenario.toml"),
        policies=policies,
        reps=2,
        seed=7,
        workers=1,
        progress=False,
        out=tmp_path / "b",
        **{k: v for k, v in arguments.items() if k != "overrides"},
    )
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert again.scenario.digest() == first.scenario.digest()
    # Each policy's recorded scenario reruns its runs alone.
    row = first.runs[(first.runs.policy == "finder_keeps_crm")].iloc[-1]
    point = {key: row[key] for key in arguments.get("vary", {})}
    alone = run_simulation(
        tmp_path / "a" / "scenarios" / "finder_keeps_crm.toml",
        "finder_keeps_crm",
        seed=7,
        replication=int(row.replication),
        overrides=point or None,
    )
    assert alone.summary["revenue_total"] == row.revenue_total


def test_rerun_of_a_sensitivity_folder_from_its_recorded_scenario_gives_identical_tables(tmp_path):
    pytest.importorskip("SALib")
    common = {
        "method": "morris",
        "diff": ("finder_keeps", "finder_keeps_crm"),
        "n": 2,
        "reps": 1,
        "seed": 2,
        "workers": 1,
        "progress": False,
    }
    params = {"market.leads_per_quarter": (10, 30), "crm.time_cost": (0.0, 0.2)}
    experiments.sensitivity(params, overrides={"crm.adoption": 0.5}, quarters=2, out=tmp_path / "a", **common)
    experiments.sensitivity(params, scenario=tmp_path / "a" / "scenario.toml", out=tmp_path / "b", **common)
    assert digest(tmp_path / "a", ["indices.csv", "samples.csv"]) == digest(
        tmp_path / "b", ["indices.csv", "samples.csv"]
    )
    assert pd.read_csv(tmp_path / "a" / "samples.csv").output.abs().sum() > 0  # the CRM policy differs


def test_a_fresh_seed_is_drawn_and_recorded():
    found = experiments.compare(policies="finder_keeps", reps=1, quarters=2, workers=1, progress=False)
    assert isinstance(found.seed, int) and 0 <= found.seed < 2**63
    assert found.manifest["root_seed_entropy"] == found.seed and set(found.runs.seed) == {found.seed}


def test_sweep_result_has_the_varied_key_as_a_column():
    found = experiments.sweep(
        {"market.leads_per_quarter": [16.0, 32.0]},
        policies="finder_keeps,dedicated_roles",
        reps=2,
        quarters=3,
        seed=1,
        workers=1,
        progress=False,
    )
    assert list(found.summary.columns[:2]) == ["policy", "market.leads_per_quarter"]
    assert len(found.runs) == 2 * 2 * 2 and set(found.paired["market.leads_per_quarter"]) == {16.0, 32.0}
    assert isinstance(found.plot("revenue_total"), Figure)
    assert "sweep__market.leads_per_quarter__revenue_total" in found.figures()


def test_sensitivity_result_has_indices_samples_and_runs(tmp_path):
    pytest.importorskip("SALib")
    found = experiments.sensitivity(
        {"market.leads_per_quarter": (6, 40), "finance.gross_margin": (0.1, 0.5)},
        n=2,
        reps=1,
        quarters=3,
        seed=3,
        workers=1,
        progress=False,
    )
    indices = found.indices.set_index("parameter")
    assert (
        indices.loc["finance.gross_margin", "mu_star"] == 0.0 and indices.loc["market.leads_per_quarter", "mu_star"] > 0
    )
    assert len(found.samples) == 2 * (2 + 1) and len(found.runs) == 6 and set(found.runs.policy) == {"finder_keeps"}
    assert found.samples.output.tolist() == found.runs.revenue_total.tolist()
    assert len(found.paired) == 0 and len(found.summary) == 6 * len(SUMMARY_METRICS)
    assert isinstance(found.plot(), Figure)
    path = found.save(tmp_path / "sa")
    assert (path / "indices.csv").exists() and (path / "figures" / "sensitivity_morris.png").exists()
    assert len(list((path / "runs").glob("*.parquet"))) == 6


@pytest.mark.parametrize(
    ("call", "parameter", "named"),
    [
        (lambda: experiments.compare(reps=0), "reps", ["0", ">= 1"]),
        (lambda: experiments.compare(reps=True), "reps", ["True"]),
        (lambda: experiments.compare(seed=-1), "seed", ["-1", "2**63-1"]),
        (lambda: experiments.compare(seed=True), "seed", ["True"]),
        (lambda: experiments.compare(seed=1.0), "seed", ["1.0"]),
        (lambda: experiments.compare(quarters=0), "quarters", ["0"]),
        (lambda: experiments.compare(quarters=401), "quarters", ["401", "<= 400"]),
        (lambda: experiments.compare(workers=0), "workers", ["0"]),
        (
            lambda: experiments.compare(policies=["finder_keeps", "finder_kept"]),
            "policies",
            ["unknown policy 'finder_kept'", "did you mean 'finder_keeps'"],
        ),
        (lambda: experiments.compare(policies="finder_keeps,finder_keeps"), "policies", ["twice"]),
        (lambda: experiments.compare(scenario="mature_departmnt"), "scenario", ["did you mean 'mature_department'"]),
        (lambda: experiments.compare(overrides={"crm.adoptio": 0.5}), "overrides", ["did you mean 'crm.adoption'"]),
        (
            lambda: experiments.compare(overrides={"crm.adoption": True}, policies="finder_keeps_crm"),
            "overrides",
            ["crm.adoption", "True"],
        ),
        (
            lambda: experiments.compare(overrides={"crm.adoption": 0.5}, policies="finder_keeps,dedicated_roles"),
            "overrides",
            ["crm.adoption", "changes no run"],
        ),
        (
            lambda: experiments.compare(overrides={"crm.in_use": False}, policies="finder_keeps_crm"),
            "overrides",
            ["contradicts policy 'finder_keeps_crm'"],
        ),
        (lambda: experiments.compare(overrides={"quarters": 3}, quarters=4), "quarters", ["overrides"]),
        (lambda: experiments.compare(executor="spark"), "executor", ["'spark'"]),
        (lambda: experiments.compare(scheduler="127.0.0.1:8786"), "scheduler", ["tcp://HOST:PORT"]),
        (lambda: experiments.compare(resume=True), "resume", ["needs out"]),
        (
            lambda: experiments.sweep({"crm.adoption": [0.2, 0.4]}, policies="finder_keeps,dedicated_roles"),
            "vary",
            ["crm.adoption", "changes no run"],
        ),
        (lambda: experiments.sweep({"selling.win_chance_max": [0.5, 2]}), "vary", ["selling.win_chance_max", "<= 1"]),
        (lambda: experiments.sweep({"crm.adoption": 0.5}), "vary", ["a list"]),
        (lambda: experiments.sweep({"market.leads_per_quarter": [16, 16.0]}), "vary", ["repeats a value"]),
        (
            lambda: experiments.sweep({"crm.adoption": [0.2]}, overrides={"crm.adoption": 0.3}),
            "vary",
            ["also fixed by overrides"],
        ),
        (
            lambda: experiments.sweep(design="lhs", ranges={"market.leads_per_quarter": (16, 32)}),
            "samples",
            ["none given for design 'lhs'"],
        ),
        (lambda: experiments.sweep({"crm.adoption": [0.2, 0.4]}, samples=10), "samples", ["design 'grid'"]),
        (
            lambda: experiments.sweep(design="lhs", samples=10, ranges={"market.leads_per_quartr": (16, 32)}),
            "ranges",
            ["unknown key 'market.leads_per_quartr'"],
        ),
        (lambda: experiments.sensitivity({"market.leads_per_quarter": (32, 16)}), "params", ["low < high"]),
        (lambda: experiments.sensitivity({"crm.adoption": (0, 1)}), "params", ["crm.adoption", "changes no run"]),
        (lambda: experiments.sensitivity({"crm.adoption": (0, 1)}, diff="finder_keeps"), "diff", ["two policies"]),
        (lambda: experiments.sensitivity({"crm.adoption": (0, 1)}, metric="revenue"), "metric", ["revenue_total"]),
        (lambda: experiments.sensitivity({"crm.adoption": (0, 1)}, method="sobol", n=10), "n", ["power of 2"]),
    ],
)
def test_errors_name_the_parameter(call, parameter, named):
    with pytest.raises(ArgumentError) as error:
        call()
    assert error.value.parameter == parameter
    message = str(error.value)
    assert message.startswith(f"{parameter}: ") and "--" not in message
    for part in named:
        assert part in message


def test_an_existing_folder_is_refused_naming_out_resume_and_force(tmp_path):
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "notes.txt").write_text("mine")
    with pytest.raises(ArgumentError) as error:
        experiments.compare(reps=1, quarters=1, workers=1, out=tmp_path / "res")
    assert error.value.parameter == "out"
    assert str(error.value).endswith(
        "already exists; allowed: a new folder, resume=True to finish it, or force=True to replace it"
    )
    with pytest.raises(ArgumentError) as error:
        experiments.compare(reps=1, quarters=1, workers=1, out=tmp_path / "res", force=True)
    assert error.value.parameter == "force" and "not a salessim results folder" in str(error.value)
    assert [p.name for p in (tmp_path / "res").iterdir()] == ["notes.txt"]


def test_the_cli_spells_every_parameter_as_its_option():
    """Every parameter an experiment takes has an option to name it in the CLI's errors."""
    parameters = set()
    for function in (experiments.compare, experiments.sweep, experiments.sensitivity):
        parameters |= set(inspect.signature(function).parameters) - {"log", "command", "progress"}
    assert parameters <= set(cli.OPTIONS)
    error = ArgumentError("overrides", "crm.adoption = 0.5 changes no run; allowed: drop it, or {force}")
    assert error.render(cli.OPTIONS) == "--set: crm.adoption = 0.5 changes no run; allowed: drop it, or --force"
    assert str(error) == "overrides: crm.adoption = 0.5 changes no run; allowed: drop it, or force=True"


def test_importing_experiments_leaves_the_matplotlib_backend_alone(tmp_path):
    code = (
        "import sys, matplotlib\n"
        "import experiments, experiments.cli, experiments.figures\n"
        "r = experiments.compare(policies='finder_keeps', reps=1, quarters=2, seed=1, workers=1, progress=False)\n"
        "r.figures()\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    env = os.environ | {"MPLBACKEND": "svg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["svg", "False"]


def _course(revenue, golden, skill, service=0.8, quarters=8):
    """A current policy's timeseries that moves linearly from the first values to the last."""

    def at(pair, q):
        return pair[0] + (pair[1] - pair[0]) * q / quarters

    rows = [
        {"policy": "finder_keeps", "replication": 0, "quarter": q, "revenue": at(revenue, q),
         "golden_fund_revenue": at(golden, q), "golden_fund_clients": at((60, 40), q),
         "veteran_skill": at(skill, q), "veteran_service_share": service}
        for q in range(quarters + 1)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_the_report_says_how_the_current_policy_moves_and_why():
    from experiments.report import trend_reading

    (text,) = trend_reading(_course((6000, 5900), (2500, 2000), (0.7, 0.6)), "finder_keeps")
    assert "revenue in the final year was 1% below" in text and "steady state" in text and "not in" not in text
    assert "golden fund still shrinks" in text and "skill falls from 0.67 to 0.62" in text  # its cause, in words
    (text,) = trend_reading(_course((6000, 4000), (2500, 2480), (0.7, 0.75)), "finder_keeps")
    assert "not in this policy's steady state" in text and "golden fund" not in text and "skill" not in text
    (text,) = trend_reading(_course((6000, 6000), (2000, 2500), (0.7, 0.6)), "finder_keeps")
    assert "golden fund still grows" in text and "skill" not in text  # a growing fund is not explained by decay
    assert trend_reading(_course((6000, 5900), (2500, 2000), (0.7, 0.6), quarters=6), "finder_keeps") == []


def test_a_comparison_reading_follows_the_current_policy():
    found = experiments.compare(policies=["dedicated_roles", "finder_keeps"], reps=2, quarters=8, seed=3, workers=1)
    trend = [sentence for sentence in found.reading() if "the current policy" in sentence]
    assert len(trend) == 1 and trend[0].startswith("Under finder keeps, the current policy, revenue in the final year")
