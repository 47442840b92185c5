"""salessim discover: a planted lever found by PRIM, regret, resume, the EMA export, bad ranges."""

import shutil
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from experiments import ArgumentError, SetupError
from experiments.discover import (
    DEFAULT_RANGES,
    build_question,
    checked_ranges,
    discover,
    lhs_points,
    prim_boxes,
    require_extra,
    robustness,
    sampled_design,
)
from simulation import MAIN_POLICIES, resolve_run, resolve_scenario, run_simulation

pytest.importorskip("ema_workbench")
pytest.importorskip("sklearn")

PAIR = ("finder_keeps", "finder_keeps_crm")
# The CRM's data entry takes selling time: at 0 it helps revenue, at 0.6 of a quarter it cannot.
LEVER = {"crm.time_cost": [0.0, 0.6]}
NO_EFFECT = {"finance.gross_margin": [0.2, 0.4]}  # the margin only enters profit: revenue cannot depend on it
SMALL = {
    "scenario": "fresh_start",
    "samples": 30,
    "reps": 2,
    "quarters": 6,
    "metric": "revenue_total",
    "seed": 11,
    "workers": 1,
    "progress": False,
}
FILES = [
    "samples.csv",
    "boxes.csv",
    "trajectory.csv",
    "scores.csv",
    "robustness.csv",
    "runs.parquet",
    "ema/experiments.csv",
    "ema/outcomes.csv",
    "ema/results.tar.gz",
    "figures/peeling_trajectory.png",
    "figures/feature_scores.png",
    "figures/differences.png",
]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover") / "planted"
    return discover(PAIR, LEVER | NO_EFFECT, out=folder, **SMALL), folder


def test_the_lever_that_flips_the_ranking_is_restricted_and_the_margin_is_not(planted):
    result, _ = planted
    assert 0 < result.samples["beats"].mean() < 1  # the ranking does flip across the sampled worlds
    first = result.boxes[result.boxes["box"] == 1]
    assert "crm.time_cost" in set(first["parameter"])
    assert "finance.gross_margin" not in set(result.boxes["parameter"])
    assert result.scores.iloc[0]["parameter"] == "crm.time_cost"
    assert "CRM time cost" in " ".join(result.reading())


def test_a_sample_outcome_is_the_paired_difference_of_direct_runs(planted):
    result, _ = planted
    sample = result.samples.iloc[3]
    values = {key: float(sample[key]) for key in ("crm.time_cost", "finance.gross_margin")} | {"quarters": 6}
    runs = {
        policy: [
            run_simulation(resolve_run("fresh_start", policy, values), policy, seed=11, replication=r).summary[
                "revenue_total"
            ]
            for r in range(2)
        ]
        for policy in PAIR
    }
    difference = np.mean(np.subtract(runs[PAIR[1]], runs[PAIR[0]]))
    assert sample["difference"] == pytest.approx(difference, rel=1e-12)
    assert sample["beats"] == (difference > 0)


def test_prim_finds_a_planted_box_and_leaves_noise_alone():
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"lever": rng.random(300), "noise": rng.random(300)})
    y = (x["lever"] < 0.3).to_numpy() ^ (rng.random(300) < 0.03)
    boxes = prim_boxes(x, y, max_boxes=2, min_coverage=0.5)
    assert list(boxes[0].limits["parameter"]) == ["lever"]
    assert boxes[0].limits.iloc[0]["high"] == pytest.approx(0.3, abs=0.05) and boxes[0].density > 0.85
    assert all("noise" not in set(box.limits["parameter"]) for box in boxes)


def test_a_dominant_policy_has_zero_regret():
    rng = np.random.default_rng(1)
    worse = rng.normal(100, 10, 50)
    means = pd.DataFrame({"a": worse + rng.uniform(0, 5, 50), "b": worse, "c": worse - 20})
    table = robustness(means, higher_is_better=True, satisficing=0.05).set_index("policy")
    assert (table.loc["a", ["regret_mean", "regret_p90", "regret_max"]] == 0).all()
    assert table.loc["a", "best_share"] == 1 and table.loc["a", "satisficing_share"] == 1
    assert table.loc["b", "regret_max"] == pytest.approx((means["a"] - means["b"]).max())
    assert table.loc["c", "satisficing_share"] < table.loc["b", "satisficing_share"]
    lower = robustness(-means, higher_is_better=False).set_index("policy")  # less is better: the same ranking
    assert (lower.loc["a", ["regret_max", "regret_mean"]] == 0).all() and lower.loc["c", "best_share"] == 0


def test_resume_gives_identical_files(planted, tmp_path):
    _, folder = planted
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    worlds = sorted((copy / "runs").glob("*.json"))
    for path in worlds[::4]:  # as if stopped part-way: some worlds missing, no final files
        path.unlink()
    for name in FILES:
        (copy / name).unlink()
    resumed = discover(PAIR, LEVER | NO_EFFECT, out=copy, resume=True, **SMALL)
    assert len(list((copy / "runs").glob("*.json"))) == len(worlds)
    for name in FILES:
        assert (copy / name).read_bytes() == (folder / name).read_bytes(), name
    assert resumed.manifest["status"] == "complete"
    with pytest.raises(ArgumentError, match=r"samples.*31.*30"):
        discover(PAIR, LEVER | NO_EFFECT, out=copy, resume=True, **SMALL | {"samples": 31})


def test_memory_and_folder_give_the_same_tables(planted, tmp_path):
    result, folder = planted
    memory = discover(PAIR, LEVER | NO_EFFECT, **SMALL)
    pd.testing.assert_frame_equal(memory.samples, result.samples)
    pd.testing.assert_frame_equal(memory.boxes, result.boxes)
    saved = memory.save(tmp_path / "saved")
    assert (saved / "boxes.csv").read_bytes() == (folder / "boxes.csv").read_bytes()


def test_the_ema_export_loads_in_ema_layout(planted):
    result, folder = planted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import load_results

    experiments, outcomes = load_results(str(folder / "ema" / "results.tar.gz"))
    assert list(experiments.columns) == ["crm.time_cost", "finance.gross_margin", "scenario", "policy", "model"]
    assert len(experiments) == 30 * 2 and set(experiments["policy"]) == set(PAIR)
    assert all(len(values) == len(experiments) for values in outcomes.values())
    by_world = result.runs.groupby(["sample", "policy"]).revenue_total.mean()
    row = experiments.iloc[5]
    assert outcomes["revenue_total"][5] == pytest.approx(by_world[int(row["scenario"]), row["policy"]])
    csv = pd.read_csv(folder / "ema" / "experiments.csv")
    assert list(csv.columns) == list(experiments.columns) and len(pd.read_csv(folder / "ema" / "outcomes.csv")) == 60


@pytest.mark.parametrize(
    ("ranges", "policies", "words"),
    [
        ({"crm.handoff_protektion": [0.3, 0.9]}, PAIR, ["unknown key 'crm.handoff_protektion'", "did you mean"]),
        ({"crm.adoption": [0.5, 1.5]}, PAIR, ["crm.adoption = 1.5 is not allowed"]),
        ({"market.leads_per_quarter": [30, 20]}, PAIR, ["market.leads_per_quarter", "low < high"]),
        (
            {"crm.handoff_protection": [0.3, 0.9]},
            ("finder_keeps", "dedicated_roles"),
            ["crm.handoff_protection", "changes no run"],
        ),
        ({"market.lead_shelf_life": [1.2, 1.8]}, PAIR, ["market.lead_shelf_life", "whole numbers"]),
        ({}, PAIR, ["no key"]),
    ],
)
def test_bad_ranges_give_one_line_errors_naming_the_key(ranges, policies, words):
    with pytest.raises(ArgumentError) as error:
        discover(policies, ranges, samples=4, reps=1, quarters=2, seed=1, progress=False)
    message = str(error.value)
    assert error.value.parameter == "ranges" and "\n" not in message
    assert all(word in message for word in words), message


def test_the_command_line_reads_a_ranges_file_and_writes_the_folder(tmp_path):
    (tmp_path / "bad.toml").write_text("[crm]\nhandoff_protection = [0.3, 0.9]\n")
    command = [sys.executable, "-m", "experiments.discover_cli", "discover", "--seed", "2", "--workers", "1"]
    bad = subprocess.run(
        [*command, "--policies", "finder_keeps,dedicated_roles", "--ranges", "bad.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("error: --ranges: bad.toml: crm.handoff_protection = 0.3 changes no run")
    (tmp_path / "ranges.toml").write_text('"crm.time_cost" = [0.0, 0.6]\n[finance]\ngross_margin = [0.2, 0.4]\n')
    small = ["--scenario", "fresh_start", "--samples", "6", "--reps", "1", "--quarters", "2", "--quiet"]
    good = subprocess.run(
        [*command, "--policies", ",".join(PAIR), "--ranges", "ranges.toml", *small, "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert good.returncode == 0, good.stderr
    assert "finder keeps + CRM beats finder keeps in" in good.stdout
    assert {"samples.csv", "boxes.csv", "scores.csv", "robustness.csv", "report.md", "report.html"} <= {
        path.name for path in (tmp_path / "out").iterdir()
    }
    assert "## Robust choice" in (tmp_path / "out" / "report.md").read_text()


def test_the_default_ranges_fit_every_main_policy_and_leave_out_what_none_reads():
    shared = resolve_scenario("mature_department")
    ranges, left_out, _ = checked_ranges(shared, ("finder_keeps", "dedicated_roles"), None, {}, None)
    assert "crm.handoff_protection" in left_out and "strategic.seller_salary" in left_out
    assert not [r.key for r in ranges if r.key.startswith("crm.")]
    settings = {"metric": "profit_total", "samples": 40, "switch_at": 0, "satisficing": 0.05, "target": "auto"}
    settings |= {"max_boxes": 3, "min_coverage": 0.5}
    question = build_question(shared, {}, None, MAIN_POLICIES, None, settings)
    design = sampled_design(shared, question, 1, 7, {})
    assert len(design.scenarios) == 40 * len(MAIN_POLICIES)  # every sample resolves for every policy
    assert {"crm.handoff_protection", "roles.hunter_share"} <= set(question.keys)
    assert DEFAULT_RANGES.exists()


def test_latin_hypercube_points_fill_each_stratum_once_and_round_integer_keys():
    points = lhs_points({"crm.adoption": (0.0, 1.0), "market.lead_shelf_life": (1, 4)}, 10, seed=3)
    adoption = sorted(p["crm.adoption"] for p in points)
    assert [int(v * 10) for v in adoption] == list(range(10))
    shelf = [p["market.lead_shelf_life"] for p in points]
    assert all(isinstance(v, int) and 1 <= v <= 4 for v in shelf) and set(shelf) == {1, 2, 3, 4}
    assert lhs_points({"crm.adoption": (0.0, 1.0)}, 5, seed=3) == lhs_points({"crm.adoption": (0.0, 1.0)}, 5, seed=3)
    assert lhs_points({"crm.adoption": (0.0, 1.0)}, 5, seed=3) != lhs_points({"crm.adoption": (0.0, 1.0)}, 5, seed=4)


def test_without_the_extra_the_error_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(SetupError, match=r'discover needs the discover extra: pip install "salessim\[discover\]"'):
        require_extra()


def test_a_weak_limit_is_not_stated_as_a_condition():
    from experiments.discover import limit_phrase

    limit = {"parameter": "market.strategic_size_factor", "low": 8.39, "high": 12.8, "qp_low": 0.3115, "qp_high": 1e-4}
    text = limit_phrase(limit)
    assert text.startswith("market strategic size factor is below 12.8 ") and "between" not in text
    assert "(the lower limit, 8.39, is weak: quasi-p-value 0.3115)" in text
    upper = limit_phrase(limit | {"qp_low": 0.01, "qp_high": 0.2})
    assert upper.startswith("market strategic size factor is above 8.39 (the upper limit, 12.8, is weak")
    assert limit_phrase(limit | {"qp_low": 0.01}) == "market strategic size factor is between 8.39 and 12.8"
    assert limit_phrase(limit | {"qp_low": float("nan")}) == "market strategic size factor is below 12.8"
    hiring = {"parameter": "hiring.delay", "low": 0.6, "high": 3.2, "qp_low": 0.4, "qp_high": 0.002}
    assert limit_phrase(hiring, integer=True).startswith("hiring delay is at most 3 (the lower limit, 1, is weak")

    from types import SimpleNamespace

    from experiments.discover import Box, boxes_sentences

    box = Box(1, pd.DataFrame([limit]), coverage=0.8, density=0.9, mass=0.2, cases=8, size=9, trajectory=pd.DataFrame())
    samples = pd.DataFrame({"beats": [True, False, False]})
    first, note = boxes_sentences(SimpleNamespace(ranges=()), "wins", [box], samples)
    assert first.startswith("It wins mainly where market strategic size factor is below 12.8 (the lower limit")
    assert "limits with a quasi-p-value above 0.05 dropped" not in note and "named as weak" in note


def test_the_reading_states_only_the_limits_boxes_csv_shows_as_clear(planted):
    from experiments.discover import QP_LIMIT, plain_key, short

    result, folder = planted
    boxes, reading = pd.read_csv(folder / "boxes.csv"), " ".join(result.reading())
    assert len(boxes)
    for row in boxes.to_dict("records"):
        what, low, high = plain_key(row["parameter"]), short(row["low"]), short(row["high"])
        if row["qp_low"] > QP_LIMIT:
            assert f"{what} is above {low}" not in reading and f"{what} is between {low}" not in reading
        if row["qp_high"] > QP_LIMIT:
            assert f"{what} is below {high}" not in reading and f"and {high}" not in reading
        if row["qp_low"] <= QP_LIMIT or row["qp_high"] <= QP_LIMIT:
            assert what in reading
    assert f"A limit is stated when its quasi-p-value is at most {QP_LIMIT}" in reading
    assert "| finder keeps + CRM |" in (folder / "report.md").read_text()  # the robust-choice table, plainly
