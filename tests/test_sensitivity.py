"""salessim sensitivity: indices on small problems with a known answer, outputs, paired runs, resume, bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from experiments import cli
from simulation import run_simulation

SMALL = ["--n", "4", "--reps", "2", "--quarters", "4", "--seed", "5", "--workers", "1"]
NO_EFFECT = "finance.gross_margin=0.1:0.5"  # the margin only enters profit: revenue cannot depend on it
LEVER = "market.leads_per_quarter=6:40"


def salessim(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=180
    )


def direct_output(sample, policies, metric="revenue_total", reps=2, quarters=4, seed=5):
    """The model output of one sample computed by hand: the mean over replications (of the paired difference)."""
    values = []
    for r in range(reps):
        runs = [
            run_simulation(
                "mature_department", p, seed=seed, replication=r, quarters=quarters, overrides=sample
            ).summary[metric]
            for p in policies
        ]
        values.append(runs[-1] - runs[0] if len(runs) == 2 else runs[0])
    return sum(values) / reps


@pytest.fixture(scope="module")
def morris(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("morris")
    out = salessim(
        "sensitivity",
        "--method",
        "morris",
        "--param",
        LEVER,
        NO_EFFECT,
        "department.sellers=8:12",
        "--metric",
        "revenue_total",
        "--policy",
        "finder_keeps",
        *SMALL,
        "--out",
        "sa",
        cwd=cwd,
    )
    assert out.returncode == 0, out.stderr
    return cwd / "sa", out


def test_morris_ranks_a_lever_the_metric_ignores_last_with_zero_effect(morris):
    folder, out = morris
    indices = pd.read_csv(folder / "indices.csv").set_index("parameter")
    assert list(indices.columns) == ["low", "high", "mu_star", "mu_star_conf", "mu", "sigma", "rank"]
    margin = indices.loc["finance.gross_margin"]
    assert margin["rank"] == 3 and margin.mu_star == 0.0 and margin.mu_star_conf == 0.0 and margin.sigma == 0.0
    assert indices.loc[["market.leads_per_quarter", "department.sellers"], "mu_star"].min() > 0
    assert "finance.gross_margin" in out.stdout and "report:" in out.stdout


def test_morris_outputs_samples_and_report(morris):
    folder, _ = morris
    samples = pd.read_csv(folder / "samples.csv")
    keys = ["market.leads_per_quarter", "finance.gross_margin", "department.sellers"]
    assert list(samples.columns) == ["sample", *keys, "output", "n", "se"]  # se: the output's noise
    assert len(samples) == 4 * (3 + 1)  # N trajectories of D + 1 points
    assert (samples["department.sellers"] == samples["department.sellers"].round()).all()  # integer key rounded
    assert set(samples.n) == {2}
    row = samples.iloc[5]
    sample = {
        "market.leads_per_quarter": row[keys[0]],
        "finance.gross_margin": row[keys[1]],
        "department.sellers": int(row[keys[2]]),
    }
    assert row.output == pytest.approx(direct_output(sample, ["finder_keeps"]), rel=1e-12)
    assert len(list((folder / "runs").glob("*.parquet"))) == len(samples) * 2  # one file per (sample, replication)
    assert (folder / "figures" / "sensitivity_morris.png").stat().st_size > 0
    report = (folder / "report.md").read_text()
    assert "## Reading" in report and "mu_star" in report and "finance.gross_margin" in report
    assert "data:image/png;base64," in (folder / "report.html").read_text()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["subcommand"] == "sensitivity"
    assert manifest["arguments"]["params"] == {
        "market.leads_per_quarter": [6.0, 40.0],
        "finance.gross_margin": [0.1, 0.5],
        "department.sellers": [8.0, 12.0],
    }
    assert (folder / "scenario.toml").exists() and not list(folder.rglob("*.tmp"))


def test_resume_finishes_only_missing_runs_with_identical_outputs(morris, tmp_path):
    folder, _ = morris
    args = ["sensitivity", "--method", "morris", "--param", LEVER, NO_EFFECT, "department.sellers=8:12", *SMALL]
    copy = tmp_path / "sa"
    subprocess.run(["cp", "-r", str(folder), str(copy)], check=True)
    runs = sorted((copy / "runs").glob("*.parquet"))
    for path in runs[::3]:  # as if stopped part-way: some runs missing, no final files
        path.unlink()
    for name in ("indices.csv", "samples.csv", "report.md"):
        (copy / name).unlink()
    out = salessim(*args, "--out", "sa", "--resume", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"resuming: {len(runs) - len(runs[::3])} of {len(runs)} runs already done" in out.stdout
    for name in ("indices.csv", "samples.csv"):
        assert (copy / name).read_bytes() == (folder / name).read_bytes()
    changed = salessim(*[a.replace("6:40", "6:41") for a in args], "--out", "sa", "--resume", cwd=tmp_path)
    assert changed.returncode == 2 and "--param" in changed.stderr


def test_sobol_of_a_paired_difference(tmp_path):
    out = salessim(
        "sensitivity",
        "--method",
        "sobol",
        "--param",
        LEVER,
        NO_EFFECT,
        "--diff",
        "finder_keeps,dedicated_roles_crm",
        "--metric",
        "revenue_total",
        "--n",
        4,
        "--reps",
        2,
        "--quarters",
        4,
        "--seed",
        5,
        "--workers",
        2,
        "--out",
        "sobol",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    indices = pd.read_csv(tmp_path / "sobol" / "indices.csv").set_index("parameter")
    assert list(indices.columns) == ["low", "high", "S1", "S1_conf", "ST", "ST_conf", "rank"]
    margin = indices.loc["finance.gross_margin"]
    assert (margin.S1, margin.ST, margin["rank"]) == (0.0, 0.0, 2)
    assert indices.loc["market.leads_per_quarter", "ST"] > 0
    samples = pd.read_csv(tmp_path / "sobol" / "samples.csv")
    assert len(samples) == 4 * (2 + 2)  # Saltelli without second order: N (D + 2)
    row = samples.iloc[3]
    sample = {
        "market.leads_per_quarter": row["market.leads_per_quarter"],
        "finance.gross_margin": row["finance.gross_margin"],
    }
    # Common random numbers: both policies of a sample see replication r's streams.
    assert row.output == pytest.approx(direct_output(sample, ["finder_keeps", "dedicated_roles_crm"]), rel=1e-9)
    assert (
        "revenue_total(dedicated_roles_crm) − revenue_total(finder_keeps)"
        in (tmp_path / "sobol" / "report.md").read_text()
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (
            ["--param", "market.leads_per_quartr=1:2"],
            ["--param", "market.leads_per_quartr", "did you mean 'market.leads_per_quarter'"],
        ),
        (["--param", "crm.adoption=0.2:1.5"], ["--param", "crm.adoption", "1.5", "<= 1"]),
        (["--param", "department.sellers=0:4"], ["--param", "department.sellers", "0", ">= 1"]),
        (["--param", "crm.adoption=0.5"], ["--param", "crm.adoption=0.5", "low:high"]),
        (["--param", "crm.adoption=0.9:0.1"], ["--param", "low < high"]),
        (["--param", "name=1:2"], ["--param", "name", "not a number"]),
        (["--param", "crm.adoption=0:1", "--metric", "revenue"], ["--metric", "revenue", "revenue_total"]),
        (["--param", "crm.adoption=0:1", "--method", "sobol", "--n", "10"], ["--n", "10", "power of 2"]),
        (["--param", "crm.adoption=0:1", "--diff", "finder_keeps"], ["--diff", "two policies", "BASELINE,POLICY"]),
        (["--param", "crm.adoption=0:1", "--set", "crm.adoption=0.3"], ["--param", "crm.adoption", "--set"]),
        (["--param", "crm.adoption=0:1", "--param", "crm.adoption=0:0.5"], ["--param", "given twice"]),
        # crm.adoption changes no run of a policy without a CRM: refused, not ranked with an effect of 0
        (["--param", "crm.adoption=0:1", "--policy", "finder_keeps"], ["--param", "crm.adoption", "changes no run"]),
        (
            ["--param", "market.leads_per_quarter=10:20", "--set", "crm.adoption=0.5"],
            ["--set", "crm.adoption", "changes no run"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path, monkeypatch, capsys, args, named):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["sensitivity", *args]) == 2
    stderr = capsys.readouterr().err
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    for part in named:
        assert part in lines[0]
    assert not (tmp_path / "results").exists()


def test_without_salib_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "SALib", None)  # as if not installed: importing it fails
    assert cli.main(["sensitivity", "--param", "crm.adoption=0:1"]) == 2
    expected = 'error: sensitivity needs the sensitivity extra: pip install "salessim[sensitivity]"\n'
    assert capsys.readouterr().err == expected
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("spread_of", "se", "reps"), [((0.0, 10.0, 20.0, 30.0), 8.0, 5), ((400, 980, 1500, 520), 430, 10)]
)
def test_the_noise_warning_asks_for_replications_against_the_spread_it_names(spread_of, se, reps):
    import math
    import re

    from experiments.study import noise_warning

    samples = pd.DataFrame({"output": spread_of, "se": [se] * len(spread_of)})
    text = noise_warning(samples, reps)
    number = r"([\d,]+(?:\.\d+)?)"
    noise = float(re.search(rf"is about {number}, the standard deviation", text).group(1).replace(",", ""))
    spread = float(re.search(rf"between samples {number}, so the indices", text).group(1).replace(",", ""))
    signal = float(re.search(rf"spread by about {number} between samples", text).group(1).replace(",", ""))
    wanted = int(re.search(r"about (\d+) replications per sample \(--reps \1\)", text).group(1))
    third = float(re.search(rf"down to a third of that \({number}\)", text).group(1).replace(",", ""))
    assert signal == pytest.approx(math.sqrt(spread**2 - noise**2), rel=2e-3)  # the spread the levers make
    assert third == pytest.approx(signal / 3, rel=2e-3)
    # With the replications asked for, a standard error falls to a third of that spread; with one fewer it does not.
    assert noise * math.sqrt(reps / wanted) <= third * 1.002
    assert noise * math.sqrt(reps / (wanted - 1)) > third * 0.998
