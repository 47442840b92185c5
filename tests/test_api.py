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
            ["crm.adoption = true", "a number"],
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
    assert "revenue in the final year was 0.8% below" in text and "steady state" in text and "not in" not in text
    assert (
        "steady revenue its golden fund shrinks" in text and "skill falls from 0.67 in the first year to 0.62" in text
    )
    (text,) = trend_reading(_course((6000, 4000), (2500, 2480), (0.7, 0.75)), "finder_keeps")
    assert "not in this policy's steady state" in text and "golden fund" not in text and "skill" not in text
    (text,) = trend_reading(_course((6000, 6000), (2000, 2500), (0.7, 0.6)), "finder_keeps")
    assert "its golden fund grows" in text and "skill" not in text  # a growing fund is not explained by decay
    assert "still" not in text  # nothing said before it grows "still"
    assert trend_reading(_course((6000, 5900), (2500, 2000), (0.7, 0.6), quarters=6), "finder_keeps") == []


def test_the_trend_reading_says_which_periods_it_compares():
    from experiments.report import trend_reading

    course = _course((6000, 5900), (2500, 2000), (0.7, 0.5), quarters=12).assign(
        veteran_service_share=lambda f: 0.7 + 0.012 * f.quarter
    )
    (text,) = trend_reading(course, "finder_keeps")
    # first year: quarters 1-4; final year: quarters 9-12 (skill 0.7 - 0.2 q / 12, servicing 0.7 + 0.012 q)
    assert "falls from 0.66 in the first year to 0.53 in the final year (each year's average" in text
    assert "73% of their time in the first year and 83% in the final year" in text
    assert "from quarter 0 to the last quarter" in text and "whole run's average" in text  # what the tables hold


def test_a_small_revenue_change_is_not_written_as_zero_percent():
    from experiments.report import trend_reading

    (text,) = trend_reading(_course((6000, 6020), (2500, 2500), (0.7, 0.7)), "finder_keeps")
    assert "was 0.2% above the first year's" in text and " 0% " not in text  # 6,006 → 6,016
    (text,) = trend_reading(_course((6000, 6000), (2500, 2500), (0.7, 0.7)), "finder_keeps")
    assert "was the same as the first year's" in text


def _paired(rows):
    """A paired_differences table: (policy, metric, mean, low, high, holm) rows against finder_keeps."""
    frame = pd.DataFrame(rows, columns=["policy", "metric", "mean_diff", "ci_low", "ci_high", "holm"])
    return frame.assign(baseline="finder_keeps", n=100, p_value=frame.holm / 10)


def _answer(paired, policies):
    from experiments.decision import decision

    empty = pd.DataFrame(columns=["policy", "payback_q90", "payback_median", "share_never"])
    curve = pd.DataFrame(columns=["policy", "quarter", "mean", "ci_low", "ci_high"])
    found = decision(paired, empty, curve, policies, "mature_department", 40, 8, 0.1, 96)
    return dict(found.paragraphs)


def test_the_answer_names_the_switches_that_clearly_lose_profit():
    policies = ["finder_keeps", "finder_keeps_crm", "dedicated_roles", "dedicated_roles_crm"]
    paired = _paired(
        [
            ("finder_keeps_crm", "profit_total", 355.4, -83.33, 794.1, 1.0),
            ("dedicated_roles", "profit_total", -2973.0, -3673.0, -2273.0, 1.9e-11),
            ("dedicated_roles_crm", "profit_total", -770.0, -1476.0, -63.67, 0.79),
        ]
    )
    answer = _answer(paired, policies)["Answer"]
    assert answer.startswith("Not on profit: no switch clearly improves profit over 40 quarters")
    assert "clear difference" not in answer  # dedicated roles makes one, a loss
    assert "the best, finder keeps + CRM, changes it by +360 k€ [-80 to +790] (not clearly" in answer
    assert "; dedicated roles clearly lowers it, by -2,970 k€ [-3,670 to -2,270] (clear after correcting" in answer
    assert "dedicated roles + CRM clearly" not in answer  # its CI excludes 0, but Holm's correction does not

    two = paired.assign(holm=[1.0, 1.9e-11, 0.001])
    answer = _answer(two, policies)["Answer"]
    assert "; dedicated roles and dedicated roles + CRM clearly lower it (dedicated roles by -2,970 k€" in answer

    lose = _paired([("dedicated_roles", "profit_total", -2973.0, -3673.0, -2273.0, 1e-9)])
    answer = _answer(lose, ["finder_keeps", "dedicated_roles"])["Answer"]
    assert answer.startswith("No: every switch considered clearly lowers profit")
    assert "the least costly, dedicated roles, changes it by -2,970 k€ [-3,670 to -2,270]" in answer

    win = _paired([("dedicated_roles", "profit_total", 500.0, 200.0, 800.0, 0.001)])
    assert _answer(win, ["finder_keeps", "dedicated_roles"])["Answer"].startswith("Yes, to dedicated roles")


def test_a_few_replications_bring_a_caution_and_enough_do_not():
    from experiments.report import reading, small_sample_note

    summary = pd.DataFrame(
        {"policy": "finder_keeps", "metric": ["profit_total", "revenue_total"], "mean": [35e3, 143e3]}
        | {"ci_low": [22e3, -5e3], "ci_high": [48e3, 290e3], "n": 2}
    )
    paired = pd.DataFrame(columns=["policy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n"])
    caution = [s for s in reading(summary, paired, ["finder_keeps"], 20) if s.startswith("Caution")]
    assert caution == [small_sample_note(2)] and "with 2 replications" in caution[0] and "at least 10" in caution[0]
    assert not [s for s in reading(summary.assign(n=10), paired, ["finder_keeps"], 20) if "Caution" in s]
    assert small_sample_note(9) is not None and small_sample_note(10) is None
    small = _paired([("dedicated_roles", "profit_total", -300.0, -900.0, 300.0, 1.0)]).assign(n=3)
    assert "With 3 replications" in _answer(small, ["finder_keeps", "dedicated_roles"])["Caution"]
    assert "Caution" not in _answer(small.assign(n=10), ["finder_keeps", "dedicated_roles"])


def test_a_one_policy_report_describes_the_department_without_comparisons(tmp_path):
    found = experiments.compare(policies=["finder_keeps"], reps=2, quarters=8, seed=1, workers=1, out=tmp_path / "one")
    reading = found.reading()
    assert len(reading) == len(set(reading))  # no sentence twice
    report = (tmp_path / "one" / "report.md").read_text()
    assert "correcting for" not in report and "Compared with" not in report and "Paired differences" not in report
    assert "|---|\n\n" not in report + "\n" and "## Terms" in report and "*veteran*:" in report
    assert reading[0].startswith("Under finder keeps, profit over 8 quarters was ") and "Caution" in reading[2]
    assert " 0% above" not in report and "still grows" not in report
    assert "<h2>Terms</h2>" in (tmp_path / "one" / "report.html").read_text()


def test_a_report_names_policies_plainly_and_rounds_alike(result, tmp_path):
    from experiments.report import estimate

    report = (result.save(tmp_path / "res") / "report.md").read_text()
    decision, reading = report.split("## Reading")[0], report.split("## Reading")[1].split("\n## ")[0]
    row = result.paired[result.paired.metric == "profit_total"].iloc[0]
    profit = estimate(row.mean_diff, row.ci_low, row.ci_high, " k€")
    assert profit in decision and profit in reading  # the same difference, written the same way
    npv = result.payback.iloc[0]
    assert f"net present value {estimate(npv.npv_mean, npv.npv_ci_low, npv.npv_ci_high, ' k€')}" in reading
    rows = [line for line in report.split("## Figures")[0].splitlines() if line.startswith("| ")]
    assert "| dedicated roles + CRM minus finder keeps | profit over the run, k€ |" in report
    assert "| finder keeps | profit over the run, k€ |" in report
    assert not [line for line in rows if "finder_keeps" in line or "dedicated_roles" in line]


def test_the_terms_define_every_term_once_from_the_scenario(tmp_path):
    from experiments.report import Report, Table
    from simulation import build_scenario

    scenario = build_scenario(
        "mature_department",
        {"department.veteran_min_tenure": 6, "department.newcomer_quarters": 3, "roles.hunter_share": 0.5},
    )
    text = [
        "Under finder keeps + CRM the newcomers learn, the veterans forget, the most skilled veterans too; "
        "dedicated roles is ahead at the horizon in 40% of replications; transactional revenue falls."
    ]
    table = Table(["policy", "metric"], [["dedicated roles", "golden-fund revenue"]])
    report = Report("t", text, [("t", table)], [], scenario, {}, tmp_path)
    terms = report.terms
    assert terms["veteran"].startswith("a seller on staff at quarter 0 with at least 6 quarters of tenure")
    assert terms["newcomer"].startswith("a seller in their first 3 quarters of tenure")
    assert terms["most skilled veterans"].startswith("the 5 veterans with the highest consultative skill")
    assert "hunters (the most skilled 50% of the sellers, 5 of 10)" in terms["dedicated roles"]
    assert "80% of the work is recorded" in terms["+ CRM"] and "whoever wins a client keeps it" in terms["finder keeps"]
    assert {"ahead at the horizon", "transactional revenue", "golden fund"} <= set(terms)
    assert "payback" not in terms and "NPV" not in terms  # not used: not defined
    markdown = report.markdown()
    for term in terms:
        assert markdown.count(f"*{term}*:") == 1


def test_a_comparison_reading_follows_the_current_policy():
    found = experiments.compare(policies=["dedicated_roles", "finder_keeps"], reps=2, quarters=8, seed=3, workers=1)
    trend = [sentence for sentence in found.reading() if "the current policy" in sentence]
    assert len(trend) == 1 and trend[0].startswith("Under finder keeps, the current policy, revenue in the final year")


def test_a_grid_sweep_reading_writes_numbers_as_the_other_readings_do():
    from experiments.report import estimate, sweep_reading

    key = "crm.adoption"
    summary = pd.DataFrame(
        {"policy": ["finder_keeps", "finder_keeps_crm"], key: 0.5, "metric": "profit_total", "mean": [15010.4, 15207.9]}
    )
    paired = pd.DataFrame(
        {"policy": ["finder_keeps_crm"], "baseline": "finder_keeps", key: 0.5, "metric": "profit_total"}
        | {"mean_diff": [197.9], "ci_low": [54.94], "ci_high": [340.9]}
    )
    (text,) = sweep_reading(summary, paired, ["finder_keeps", "finder_keeps_crm"], [key])
    assert "finder keeps + CRM had the highest mean profit (15,208 k€)" in text
    assert f"finder keeps + CRM {estimate(197.9, 54.94, 340.9, ' k€')}." in text and "+198 k€" not in text


def test_the_question_names_a_preset_by_what_it_is_and_ones_own_department_by_its_name():
    from experiments.decision import department_phrase

    assert department_phrase("mature_department") == "mature department"
    assert department_phrase("fresh_start") == "fresh start department"
    assert department_phrase("my_department") == "department 'my_department'"  # not "the my department"
