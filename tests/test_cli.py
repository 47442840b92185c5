"""The salessim command, run as a subprocess: every command, and every bad input exiting 2 with the field named."""

import json
import re
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from simulation import MAIN_POLICIES, POLICIES, PRESETS, SUMMARY_METRICS, run_simulation

SMALL = ["--reps", "3", "--quarters", "6", "--seed", "11", "--workers", "1"]


def salessim(*args, cwd, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_scenarios_lists_each_preset_on_one_line(tmp_path):
    out = salessim("scenarios", cwd=tmp_path)
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    for line, preset in zip(lines, PRESETS.values(), strict=True):
        assert preset["description"] in line


def test_policies_lists_each_policy_with_its_description(tmp_path):
    out = salessim("policies", cwd=tmp_path)
    assert out.returncode == 0
    for name, preset in POLICIES.items():
        assert any(line.split()[0] == name and preset.description in line for line in out.stdout.splitlines())
    assert ", ".join(MAIN_POLICIES) in out.stdout


def test_show_prints_toml_that_loads_back_to_the_same_scenario(tmp_path):
    out = salessim("show", "growing_team", "--set", "crm.adoption=0.25", cwd=tmp_path)
    assert out.returncode == 0
    data = tomllib.loads(out.stdout)
    assert data["quarters"] == PRESETS["growing_team"]["quarters"]
    assert data["crm"]["adoption"] == 0.25
    saved = tmp_path / "saved.toml"
    saved.write_text(out.stdout)
    again = salessim("show", saved, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == out.stdout


def test_show_file_with_base_and_overrides(tmp_path):
    (tmp_path / "mine.toml").write_text('base = "growing_team"\nquarters = 12\n[market]\nleads_per_quarter = 30.5\n')
    data = tomllib.loads(salessim("show", "mine.toml", cwd=tmp_path).stdout)
    assert data["quarters"] == 12
    assert data["market"]["leads_per_quarter"] == 30.5
    assert data["department"]["sellers"] == PRESETS["growing_team"]["department.sellers"]


def test_run_prints_the_summary_and_writes_the_timeseries(tmp_path):
    out = salessim(
        "run",
        "--policy",
        "dedicated_roles_crm",
        "--seed",
        3,
        "--replication",
        2,
        "--quarters",
        5,
        "--set",
        "crm.adoption=0.5",
        "--out",
        "ts.csv",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    expected = run_simulation(
        "mature_department", "dedicated_roles_crm", seed=3, replication=2, quarters=5, overrides={"crm.adoption": 0.5}
    )
    frame = pd.read_csv(tmp_path / "ts.csv")
    assert list(frame.quarter) == list(range(6))
    assert frame.revenue.tolist() == pytest.approx(expected.timeseries.revenue.tolist(), rel=1e-12)
    assert "(revenue_total)" in out.stdout and f"{expected.summary['revenue_total']:,.0f}" in out.stdout
    assert salessim("run", "--quarters", 2, "--out", "ts.csv", cwd=tmp_path).returncode == 2  # no silent overwrite


def test_compare_writes_the_whole_results_folder(tmp_path):
    policies = ["dedicated_roles_crm", "finder_keeps"]  # the first one given is the baseline
    out = salessim("compare", "--policies", ",".join(policies), *SMALL, "--out", "res", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    res = tmp_path / "res"
    assert "report:" in out.stdout and "minus dedicated_roles_crm" in out.stdout

    summary = pd.read_csv(res / "summary.csv")
    assert list(summary.columns) == ["policy", "metric", "mean", "ci_low", "ci_high", "n"]
    assert list(summary.policy.unique()) == policies
    assert set(summary.metric) >= set(SUMMARY_METRICS)
    runs = pd.read_parquet(res / "runs.parquet")
    assert list(runs[["policy", "replication"]].itertuples(index=False, name=None)) == [
        (p, r) for p in policies for r in range(3)
    ]
    assert set(runs.seed) == {11}
    # Common random numbers: replication r is exactly run_simulation(seed=11, replication=r).
    direct = run_simulation("mature_department", "finder_keeps", seed=11, replication=1, quarters=6)
    row = runs[(runs.policy == "finder_keeps") & (runs.replication == 1)].iloc[0]
    assert row.revenue_total == direct.summary["revenue_total"]
    mean = summary[(summary.policy == "finder_keeps") & (summary.metric == "revenue_total")].iloc[0]
    assert mean["mean"] == pytest.approx(runs[runs.policy == "finder_keeps"].revenue_total.mean(), rel=1e-12)
    assert mean.n == 3 and mean.ci_low < mean["mean"] < mean.ci_high

    paired = pd.read_csv(res / "paired_differences.csv")
    assert list(paired.columns) == [
        *["policy", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n", "p_value", "holm"]
    ]
    assert set(paired.policy) == {"finder_keeps"} and set(paired.baseline) == {"dedicated_roles_crm"}
    by_rep = runs.set_index(["policy", "replication"]).revenue_total
    diff = paired[paired.metric == "revenue_total"].iloc[0].mean_diff
    assert diff == pytest.approx((by_rep["finder_keeps"] - by_rep["dedicated_roles_crm"]).mean(), rel=1e-9)

    timeseries = pd.read_parquet(res / "timeseries.parquet")
    assert list(timeseries.columns[:3]) == ["policy", "replication", "quarter"]
    assert len(timeseries) == 2 * 3 * 7
    assert tomllib.loads((res / "scenario.toml").read_text())["quarters"] == 6

    manifest = json.loads((res / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["root_seed_entropy"] == 11
    assert set(manifest["versions"]) >= {"salessim", "mesa", "numpy", "pandas", "python"}
    assert manifest["argv"][1:3] == ["compare", "--policies"]
    assert manifest["started"] <= manifest["finished"] and len(manifest["scenario_hash"]) == 16

    figures = {p.name for p in (res / "figures").glob("*.png")}
    assert figures == {
        "j_curve.png",
        "revenue.png",
        "profit.png",
        "golden_fund_revenue.png",
        "skill.png",
        "turnover.png",
        "veteran_service_share.png",
        "paired_differences.png",
    }
    html = (res / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures) and 'src="figures/' not in html
    report = (res / "report.md").read_text()
    assert "## Reading" in report and "Compared with dedicated roles + CRM" in report
    assert report.index("## The decision") < report.index("## Reading")
    assert (res / "payback.csv").exists()
    assert not list(res.rglob("*.tmp"))


def test_default_folder_goes_under_results(tmp_path):
    out = salessim("compare", "--policies", "finder_keeps", "--reps", 2, "--quarters", 3, "--workers", 1, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("compare-mature_department-")
    seed = json.loads((folders[0] / "manifest.json").read_text())["root_seed_entropy"]
    assert f"seed {seed}" in out.stdout  # a fresh seed, recorded and shown


def test_sweep_adds_the_varied_keys_as_columns(tmp_path):
    out = salessim(
        "sweep",
        "--vary",
        "market.leads_per_quarter=16,32",
        "--policies",
        "finder_keeps,dedicated_roles",
        *SMALL,
        "--out",
        "sw",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    assert list(summary.columns[:2]) == ["policy", "market.leads_per_quarter"]
    runs = pd.read_parquet(tmp_path / "sw" / "runs.parquet")
    assert len(runs) == 2 * 2 * 3
    metrics = [c for c in runs.columns if c not in ("policy", "market.leads_per_quarter", "replication", "seed")]
    assert set(metrics) >= set(SUMMARY_METRICS)
    assert len(summary) == 2 * 2 * len(metrics)
    direct = run_simulation(
        "mature_department",
        "dedicated_roles",
        seed=11,
        replication=2,
        quarters=6,
        overrides={"market.leads_per_quarter": 32.0},
    )
    row = runs[(runs.policy == "dedicated_roles") & (runs["market.leads_per_quarter"] == 32) & (runs.replication == 2)]
    assert row.revenue_total.iloc[0] == direct.summary["revenue_total"]
    paired = pd.read_csv(tmp_path / "sw" / "paired_differences.csv")
    assert list(paired.columns[:3]) == ["policy", "baseline", "market.leads_per_quarter"]
    assert (tmp_path / "sw" / "figures" / "sweep__market.leads_per_quarter__revenue_total.png").exists()


def test_sweep_design_lhs_samples_within_ranges_and_reruns_from_its_folder(tmp_path):
    (tmp_path / "ranges.toml").write_text("[market]\nleads_per_quarter = [16, 32]\n[crm]\ntime_cost = [0.0, 0.3]\n")
    common = ["--design", "lhs", "--samples", "3", "--policies", "finder_keeps,finder_keeps_crm", "--workers", "1"]
    first = salessim(
        "sweep",
        *common,
        "--ranges",
        "ranges.toml",
        "--reps",
        2,
        "--quarters",
        3,
        "--seed",
        4,
        "--out",
        "a",
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    assert "Latin-hypercube samples" in first.stdout and (
        "It moves clearly with" in first.stdout or "No sampled key moves it clearly" in first.stdout
    )
    runs = pd.read_parquet(tmp_path / "a" / "runs.parquet")
    assert list(runs.columns[:5]) == ["policy", "sample", "market.leads_per_quarter", "crm.time_cost", "replication"]
    assert sorted(runs["sample"].unique()) == [0, 1, 2]
    arguments = json.loads((tmp_path / "a" / "manifest.json").read_text())["arguments"]
    assert arguments["design"] == "lhs" and arguments["samples"] == 3
    assert {"effects.csv", "ranges.toml"} <= {p.name for p in (tmp_path / "a").iterdir()}
    assert not list((tmp_path / "a" / "figures").glob("sweep__*"))
    # What ranges.toml says reruns the same points and tables from the folder's own files.
    again = salessim(
        "sweep",
        *common,
        *["--ranges", "a/ranges.toml", "--scenario", "a/scenario.toml", "--reps", 2, "--seed", 4, "--out", "b"],
        cwd=tmp_path,
    )
    assert again.returncode == 0, again.stderr
    for name in ("summary.csv", "paired_differences.csv", "effects.csv", "runs.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_dashboard_help(tmp_path):
    out = salessim("dashboard", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "--port" in out.stdout and "--host" in out.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (
            ["compare", "--policies", "finder_keeps,finder_kept"],
            ["--policies", "finder_kept", "did you mean 'finder_keeps'"],
        ),
        (
            ["compare", "--set", "market.leads_per_quartr=3"],
            ["--set", "market.leads_per_quartr", "did you mean 'market.leads_per_quarter'"],
        ),
        (["compare", "--set", "crm.adoption=1.5"], ["crm.adoption", "1.5", "<= 1"]),
        (["compare", "--reps", "0"], ["--reps", "'0'", ">= 1"]),
        (["compare", "--quarters", "-4"], ["--quarters", "-4"]),
        (["compare", "--scenario", "bad.toml"], ["bad.toml", "malformed TOML"]),
        (["compare", "--scenario", "values.toml"], ["values.toml", "department.sellers", "-2", ">= 1"]),
        (["compare", "--scenario", "mature_departmnt"], ["--scenario", "mature_departmnt", "mature_department"]),
        (["compare", "--scenario", "missing.toml"], ["missing.toml", "no such scenario file"]),
        (["sweep", "--vary", "selling.win_chance_max=0.5,2"], ["--vary", "selling.win_chance_max", "2", "<= 1"]),
        (["run", "--policy", "nobody"], ["--policy", "nobody"]),
        (["run", "--set", "crm.adoption=0.5"], ["--set", "crm.adoption", "changes no run"]),
        (["show", "nowhere"], ["nowhere", "mature_department"]),
        (
            ["compare", "--policies", "finder_keeps,dedicated_roles", "--set", "crm.adoption=0.5"],
            ["--set", "crm.adoption = 0.5 changes no run", "*_crm policy"],
        ),
        (
            ["compare", "--policies", "finder_keeps_crm", "--set", "crm.adoption=true"],
            ["--set", "crm.adoption = true", "a number"],
        ),
        (
            ["compare", "--policies", "finder_keeps_crm", "--set", "crm.in_use=false"],
            ["--set", "contradicts policy 'finder_keeps_crm'"],
        ),
        (
            ["sweep", "--vary", "crm.adoption=0.4,0.8", "--policies", "finder_keeps,dedicated_roles"],
            ["--vary", "crm.adoption", "changes no run"],
        ),
        (["sweep", "--vary", "crm.adoption=0.4", "--set", "crm.adoption=0.5"], ["--vary", "also fixed by --set"]),
        (["compare", "--resume"], ["--resume", "no earlier 'compare' folder", "--out"]),
        (["sweep", "--design", "lhs", "--ranges", "ranges.toml"], ["--samples", "none given for --design 'lhs'"]),
        (["sweep", "--vary", "crm.adoption=0.4,0.8", "--samples", "10"], ["--samples: 10", "--design 'grid'"]),
        (["sweep", "--design", "lhs", "--samples", "1", "--ranges", "ranges.toml"], ["--samples", "'1'", ">= 2"]),
        (
            ["sweep", "--design", "lhs", "--samples", "10", "--ranges", "bad_ranges.toml"],
            ["--ranges: bad_ranges.toml", "crm.adoption = 1.5", "<= 1"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path, args, named):
    (tmp_path / "bad.toml").write_text("[market\nleads_per_quarter = 3\n")
    (tmp_path / "values.toml").write_text('base = "mature_department"\n[department]\nsellers = -2\n')
    (tmp_path / "ranges.toml").write_text("[market]\nleads_per_quarter = [16, 32]\n")
    (tmp_path / "bad_ranges.toml").write_text("[crm]\nadoption = [0.5, 1.5]\n")
    out = salessim(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), out.stderr
    for part in named:
        assert part in lines[0]
    assert not (tmp_path / "results").exists()  # nothing was started


def test_validate_prints_the_calibration_table(tmp_path):
    from experiments.validation import skill_half_life

    out = salessim("validate", "--reps", 2, "--seed", 1, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "2 replications each, seed 1" in out.stdout
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| check | model | published band | within | source |"
    checks = {row.split(" | ")[0].removeprefix("| "): row.split(" | ") for row in rows[1:]}
    assert len(rows) - 1 == len(checks) == 11  # one row per check, each named once
    for name in (
        "seller turnover, finder_keeps",
        "handoff loss, no CRM, veteran receiver",
        "planned handoff loss (both sellers stay), no CRM",
        "steady state: final-year / first-year revenue, finder_keeps",
        "handoff loss, CRM adoption 0.8",
        "newcomer ramp-up, dedicated_roles_crm",
        "skill half-life without practice",
    ):
        assert name in checks
    for cells in checks.values():
        assert re.match(r"-?[0-9.e+-]+( \[-?[0-9.e+-]+, -?[0-9.e+-]+\])? ", cells[1]), cells  # value [95% CI] unit
        assert re.fullmatch(r"[0-9.]+–[0-9.]+", cells[2]) and cells[3].split(" (")[0] in ("yes", "no", "unclear")
    assert checks["skill half-life without practice"][1] == f"{skill_half_life():.3g} quarters"
    assert checks["seller turnover, finder_keeps"][2] == "0.25–0.35"


def test_repeated_vary_values_and_infinite_values_are_refused(tmp_path):
    repeated = salessim("sweep", "--vary", "market.leads_per_quarter=16,16.0", "--reps", 2, "--out", "a", cwd=tmp_path)
    assert repeated.returncode == 2 and "repeats a value" in repeated.stderr
    infinite = salessim("compare", "--set", "market.leads_per_quarter=inf", "--reps", "2", "--out", "b", cwd=tmp_path)
    assert infinite.returncode == 2 and "market.leads_per_quarter = inf" in infinite.stderr
    assert "Traceback" not in repeated.stderr + infinite.stderr


def test_crm_adoption_changes_what_the_crm_policies_run_and_is_recorded(tmp_path):
    args = [
        "compare",
        "--policies",
        "finder_keeps,finder_keeps_crm",
        "--reps",
        2,
        "--quarters",
        4,
        "--seed",
        3,
        "--workers",
        1,
    ]
    default = salessim(*args, "--out", "default", cwd=tmp_path)
    half = salessim(*args, "--set", "crm.adoption=0.5", "--out", "half", cwd=tmp_path)
    assert default.returncode == 0 and half.returncode == 0, default.stderr + half.stderr
    runs = {
        name: pd.read_parquet(tmp_path / name / "runs.parquet").set_index(["policy", "replication"])
        for name in ("default", "half")
    }
    assert runs["half"].loc["finder_keeps"].equals(runs["default"].loc["finder_keeps"])  # no CRM: nothing to change
    assert (
        runs["half"].loc["finder_keeps_crm"].revenue_total != runs["default"].loc["finder_keeps_crm"].revenue_total
    ).all()
    recorded = tomllib.loads((tmp_path / "half" / "scenarios" / "finder_keeps_crm.toml").read_text())
    assert recorded["crm"]["adoption"] == 0.5 and recorded["crm"]["in_use"] is True
    shared = tomllib.loads((tmp_path / "half" / "scenario.toml").read_text())
    assert shared["crm"]["adoption"] == 0.5 and shared["crm"]["in_use"] is False
    manifest = json.loads((tmp_path / "half" / "manifest.json").read_text())
    assert manifest["arguments"]["overrides"] == {"crm.adoption": 0.5}


def test_a_crm_with_zero_adoption_runs_exactly_like_no_crm(tmp_path):
    out = salessim(
        "compare",
        "--policies",
        "finder_keeps,finder_keeps_crm",
        "--set",
        "crm.adoption=0",
        "--reps",
        3,
        "--quarters",
        6,
        "--seed",
        4,
        "--workers",
        1,
        "--out",
        "zero",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    paired = pd.read_csv(tmp_path / "zero" / "paired_differences.csv")
    defined = paired[paired.n > 0]
    assert len(defined) >= len(SUMMARY_METRICS) - 2
    assert (defined.mean_diff == 0).all() and (defined.ci_low == 0).all() and (defined.ci_high == 0).all()


def test_show_with_a_policy_prints_what_its_runs_use(tmp_path):
    out = salessim(
        "show", "mature_department", "--policy", "dedicated_roles_crm", "--set", "crm.adoption=0.3", cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    crm = tomllib.loads(out.stdout)["crm"]
    assert crm["in_use"] is True and crm["adoption"] == 0.3
