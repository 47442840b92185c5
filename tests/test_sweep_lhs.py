"""sweep --design lhs: Latin-hypercube points from the root seed, stratified, in the tables, resumable, rerunnable."""

import contextlib
import hashlib
import io
import json
import math
import shutil
import tomllib

import pandas as pd
import pytest

import experiments
from experiments import ArgumentError, cli
from experiments.discover import lhs_points
from simulation import resolve_run, run_simulation

PAIR = "finder_keeps,finder_keeps_crm"
RANGES = {
    "crm.time_cost": [0.0, 0.6],
    "finance.gross_margin": [0.2, 0.4],
    "department.clients_per_newcomer": [2, 6],  # an integer key: sampled as whole numbers
}
KEYS = list(RANGES)
N = 8
SMALL = {"policies": PAIR, "reps": 2, "quarters": 3, "seed": 11, "workers": 1, "progress": False}
TABLES = ["summary.csv", "paired_differences.csv", "effects.csv", "runs.parquet", "timeseries.parquet"]
FINAL = [*TABLES, "ranges.toml", "figures/lhs__profit_total.png", "figures/lhs__revenue_total.png"]


def lhs(**changes):
    return experiments.sweep(design="lhs", samples=N, ranges=RANGES, **SMALL | changes)


def digest(folder, names=TABLES):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}


def points(result):
    return result.runs[["sample", *KEYS]].drop_duplicates().set_index("sample")


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lhs") / "sweep"
    return lhs(out=folder), folder


def test_same_seed_gives_the_same_points_and_identical_tables(swept, tmp_path):
    result, folder = swept
    again = lhs(out=tmp_path / "again")
    assert digest(folder) == digest(tmp_path / "again")
    pd.testing.assert_frame_equal(points(again), points(result))
    # The points are the discover sampler's, from the root seed; another seed draws others.
    assert points(result).reset_index(drop=True).to_dict("records") == lhs_points(RANGES, N, 11)
    assert lhs_points(RANGES, N, 12) != lhs_points(RANGES, N, 11)


def test_each_of_n_equal_bins_of_each_key_holds_exactly_one_sample(swept):
    found = points(swept[0])
    assert len(found) == N
    for key in ("crm.time_cost", "finance.gross_margin"):
        low, high = RANGES[key]
        bins = sorted(math.floor((value - low) / (high - low) * N) for value in found[key])
        assert bins == list(range(N)), key
    whole = found["department.clients_per_newcomer"]
    assert whole.dtype.kind == "i" and set(whole) == {2, 3, 4, 5, 6}  # each whole number covers a stratum or more
    for key, (low, high) in {"crm.time_cost": (0.0, 1.0), "market.leads_per_quarter": (10.0, 40.0)}.items():
        many = [p[key] for p in lhs_points({key: (low, high)}, 50, 3)]
        assert sorted(math.floor((v - low) / (high - low) * 50) for v in many) == list(range(50))


def test_tables_have_a_sample_column_then_the_sampled_keys(swept):
    _, folder = swept
    runs = pd.read_parquet(folder / "runs.parquet")
    assert list(runs.columns[:6]) == ["policy", "sample", *KEYS, "replication"]
    assert len(runs) == 2 * N * 2
    assert list(pd.read_csv(folder / "summary.csv").columns[:5]) == ["policy", "sample", *KEYS]
    paired = pd.read_csv(folder / "paired_differences.csv")
    assert list(paired.columns[:7]) == ["policy", "baseline", "sample", *KEYS, "metric"]
    assert set(paired["sample"]) == set(range(N))
    assert list(pd.read_parquet(folder / "timeseries.parquet").columns[:6]) == [
        "policy",
        "sample",
        *KEYS,
        "replication",
    ]
    # A run is exactly run_simulation on the sample's values.
    row = runs[(runs.policy == "finder_keeps_crm") & (runs["sample"] == 5) & (runs.replication == 1)].iloc[0]
    values = {key: row[key].item() for key in KEYS} | {"quarters": 3}
    direct = run_simulation(
        resolve_run("mature_department", "finder_keeps_crm", values), "finder_keeps_crm", seed=11, replication=1
    )
    assert row.revenue_total == direct.summary["revenue_total"]
    effects = pd.read_csv(folder / "effects.csv")
    assert set(effects.key) == set(KEYS) and (effects.rank_correlation.dropna().abs() <= 1).all()


def test_the_folder_records_the_design_and_reruns_to_identical_tables(swept, tmp_path):
    _, folder = swept
    manifest = json.loads((folder / "manifest.json").read_text())
    arguments = manifest["arguments"]
    assert (arguments["design"], arguments["samples"], arguments["ranges"]) == ("lhs", N, RANGES)
    recorded = tomllib.loads((folder / "ranges.toml").read_text())
    assert recorded == {key: [float(low), float(high)] for key, (low, high) in RANGES.items()}
    common = SMALL | {"quarters": None, "seed": manifest["root_seed_entropy"]}
    scenario = str(folder / "scenario.toml")
    experiments.sweep(
        design="lhs", samples=N, ranges=folder / "ranges.toml", scenario=scenario, out=tmp_path / "a", **common
    )
    assert digest(tmp_path / "a") == digest(folder)
    again = experiments.sweep(design="lhs", samples=N, ranges=arguments["ranges"], scenario=scenario, **common)
    pd.testing.assert_frame_equal(again.summary, pd.read_csv(folder / "summary.csv"), check_dtype=False)
    pd.testing.assert_frame_equal(again.runs, pd.read_parquet(folder / "runs.parquet"))


def test_resume_from_a_partial_folder_gives_identical_files(swept, tmp_path):
    _, folder = swept
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    runs = sorted((copy / "runs").glob("*.parquet"))
    for path in runs[::3]:  # as if stopped part-way: some runs missing, no final files
        path.unlink()
    for name in FINAL:
        (copy / name).unlink()
    resumed = lhs(out=copy, resume=True, seed=None)  # the folder's seed
    assert resumed.seed == 11 and len(list((copy / "runs").glob("*.parquet"))) == len(runs)
    for name in FINAL:
        assert (copy / name).read_bytes() == (folder / name).read_bytes(), name
    assert resumed.manifest["status"] == "complete"
    with pytest.raises(ArgumentError, match=r"samples.*9.*8"):
        experiments.sweep(design="lhs", samples=9, ranges=RANGES, out=copy, resume=True, **SMALL)


def test_the_report_reads_the_effect_against_each_key_without_grid_figures(swept):
    result, folder = swept
    figures = sorted(path.name for path in (folder / "figures").iterdir())
    assert figures and all(name.startswith("lhs__") for name in figures)
    assert len(figures) == len(set(result.figures()))
    report = (folder / "report.md").read_text()
    assert "8 Latin-hypercube samples" in report
    assert "## Effect against each sampled key" in report and "## Per sample: profit over the run, k€" in report
    reading = " ".join(result.reading())
    assert "finder keeps + CRM minus finder keeps" in reading and (
        "It moves clearly with" in reading or "No sampled key moves it clearly" in reading
    )
    assert (
        len(result.plot("revenue_total").axes) == 3 and len(result.plot("revenue_total", key="crm.time_cost").axes) == 1
    )
    assert "Latin-hypercube samples" in repr(result)


@pytest.mark.parametrize(
    ("arguments", "parameter", "named"),
    [
        ({"design": "lhs", "ranges": RANGES}, "samples", ["none given for design 'lhs'", ">= 2"]),
        ({"design": "lhs", "samples": 1, "ranges": RANGES}, "samples", ["1 is not allowed", ">= 2"]),
        ({"design": "lhs", "samples": 5}, "ranges", ["none given", "key = [low, high]"]),
        ({"vary": {"crm.time_cost": [0.0, 0.1]}, "samples": 5}, "samples", ["5", "design 'grid'", "design 'lhs'"]),
        ({"vary": {"crm.time_cost": [0.0, 0.1]}, "ranges": RANGES}, "ranges", ["design 'grid'", "design 'lhs'"]),
        ({"design": "lhs", "samples": 5, "ranges": RANGES, "vary": {"crm.time_cost": [0.0]}}, "vary", ["'lhs'"]),
        ({"design": "box", "samples": 5, "ranges": RANGES}, "design", ["'box'", "'grid'", "'lhs'"]),
        (
            {"design": "lhs", "samples": 5, "ranges": {"crm.time_cots": [0, 1]}},
            "ranges",
            ["crm.time_cots", "did you mean"],
        ),
        ({"design": "lhs", "samples": 5, "ranges": {"crm.adoption": [0.5, 1.5]}}, "ranges", ["crm.adoption", "<= 1"]),
        ({"design": "lhs", "samples": 5, "ranges": {"crm.adoption": [0.9, 0.5]}}, "ranges", ["low < high"]),
        (
            {"design": "lhs", "samples": 5, "ranges": {"department.clients_per_newcomer": [4, 4.5]}},
            "ranges",
            ["two whole numbers"],
        ),
        (
            {"design": "lhs", "samples": 5, "ranges": RANGES, "policies": "finder_keeps,dedicated_roles"},
            "ranges",
            ["crm.time_cost", "changes no run"],
        ),
        (
            {"design": "lhs", "samples": 5, "ranges": RANGES, "overrides": {"crm.time_cost": 0.1}},
            "ranges",
            ["also fixed by overrides"],
        ),
    ],
)
def test_bad_combinations_raise_one_error_naming_the_parameter(arguments, parameter, named):
    given = {"policies": PAIR} | arguments
    with pytest.raises(ArgumentError) as error:
        experiments.sweep(**given, reps=1, quarters=1, workers=1, progress=False)
    assert error.value.parameter == parameter
    message = str(error.value)
    assert message.startswith(f"{parameter}: ") and not message.startswith(f"{parameter}: {parameter}:")
    for part in named:
        assert part in message, message


def call(argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as stop:
            code = stop.code
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--design", "lhs", "--ranges", "r.toml"], ["--samples", "none given for --design 'lhs'", ">= 2"]),
        (["--design", "lhs", "--samples", "1", "--ranges", "r.toml"], ["--samples", "'1'", ">= 2"]),
        (["--vary", "crm.time_cost=0,0.1", "--samples", "5"], ["--samples: 5", "--design 'grid'", "--design 'lhs'"]),
        (["--samples", "5", "--ranges", "r.toml"], ["--samples: 5", "--design 'grid'"]),
        (["--vary", "crm.time_cost=0,0.1", "--ranges", "r.toml"], ["--ranges: 'r.toml'", "--design 'grid'"]),
        (["--design", "lhs", "--samples", "5"], ["--ranges: none given", "key = [low, high]"]),
        (["--design", "lhs", "--samples", "5", "--ranges", "r.toml", "--vary", "crm.time_cost=0"], ["--vary", "'lhs'"]),
        (
            ["--design", "lhs", "--samples", "5", "--ranges", "unknown.toml"],
            ["--ranges: unknown.toml", "crm.time_cots"],
        ),
        (["--design", "lhs", "--samples", "5", "--ranges", "outside.toml"], ["--ranges: outside.toml", "1.5", "<= 1"]),
        (["--design", "lhs", "--samples", "5", "--ranges", "missing.toml"], ["--ranges", "cannot read 'missing.toml'"]),
        ([], ["--vary: none given", "--design lhs --samples N --ranges FILE"]),
    ],
)
def test_cli_bad_combinations_exit_2_with_one_error_line(tmp_path, monkeypatch, args, named):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.toml").write_text("[crm]\ntime_cost = [0.0, 0.6]\n")
    (tmp_path / "unknown.toml").write_text("[crm]\ntime_cots = [0.0, 0.6]\n")
    (tmp_path / "outside.toml").write_text("[crm]\nadoption = [0.5, 1.5]\n")
    code, stderr = call(["sweep", "--policies", PAIR, "--reps", "1", "--quarters", "1", "--workers", "1", *args])
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for part in named:
        assert part in lines[0], lines[0]
    assert not (tmp_path / "results").exists()


def _effects(trend):
    """20 samples of an effect (finder keeps + CRM minus finder keeps) against two keys: ``trend`` × a, plus noise."""
    import numpy as np

    rng = np.random.default_rng(7)
    a, b = rng.permutation(20) / 19, rng.permutation(20) / 19
    effect = trend * a + rng.normal(0, 100, 20)
    return pd.DataFrame(
        {"policy": "finder_keeps_crm", "baseline": "finder_keeps", "sample": range(20), "a": a, "b": b}
        | {"metric": "profit_total", "effect": effect, "ci_low": effect - 150, "ci_high": effect + 150}
    )


def _lhs_reading(effects):
    from types import SimpleNamespace

    from experiments.api import effects_table
    from experiments.report import lhs_reading
    from experiments.study import Range

    ranges = [Range("a", 0.0, 1.0), Range("b", 0.0, 1.0)]
    table = effects_table(effects, ranges)
    return lhs_reading(effects, table, SimpleNamespace(ranges=ranges, samples=20), "profit_total", 10), table


def test_an_lhs_reading_calls_no_key_the_mover_when_no_trend_is_clear():
    (text, note), table = _lhs_reading(_effects(trend=0.0))
    assert table.rank_correlation.abs().max() > 0  # some trend, from the noise alone
    assert "No sampled key moves it clearly: the strongest trend, along " in text and "moves most" not in text
    assert "Holm-adjusted p-value of" in text and "over the 2 keys" in text
    assert "below 0.05 after Holm's correction over the sampled keys" in note
    (text, _), _ = _lhs_reading(_effects(trend=2000.0))
    assert "It moves clearly with a (rank correlation +0." in text and "b (" not in text


def test_the_rank_correlations_p_value_is_scipys():
    from scipy import stats as scipy_stats

    from experiments.report import rank_p_value

    effects = _effects(trend=300.0)
    found = scipy_stats.spearmanr(effects.a, effects.effect)
    assert rank_p_value(float(found.statistic), 20) == pytest.approx(found.pvalue, rel=1e-9)
    assert math.isnan(rank_p_value(math.nan, 20)) and rank_p_value(1.0, 20) == 0.0
