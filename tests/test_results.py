"""Results folders: resume after a kill, never overwrite silently, identical bytes whatever the workers."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

FINAL = ["summary.csv", "paired_differences.csv", "runs.parquet", "timeseries.parquet"]
ARGS = ["compare", "--reps", "10", "--quarters", "6", "--seed", "2024"]  # 40 runs


def salessim(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=180
    )


def digest(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FINAL}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run on two workers."""
    cwd = tmp_path_factory.mktemp("reference")
    out = salessim(*ARGS, "--workers", 2, "--out", "full", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return cwd / "full"


def interrupt(cwd, sig, after_runs):
    """Start the command on one worker and send ``sig`` once ``after_runs`` runs are saved."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", *ARGS, "--workers", "1", "--out", "part"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    runs = cwd / "part" / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if runs.is_dir() and len(list(runs.glob("*.parquet"))) >= after_runs:
            proc.send_signal(sig)
            break
        time.sleep(0.005)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout, stderr, len(list(runs.glob("*.parquet")))


def test_killed_run_resumes_to_identical_results(tmp_path, reference):
    code, _, _, saved = interrupt(tmp_path, signal.SIGKILL, after_runs=8)
    assert code == -signal.SIGKILL
    assert 8 <= saved < 40, "the kill should land part-way"
    deadline = time.monotonic() + 5  # the manifest's watcher marks it as soon as the command is gone
    while time.monotonic() < deadline and "running" in (tmp_path / "part" / "manifest.json").read_text():
        time.sleep(0.05)
    manifest = json.loads((tmp_path / "part" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"].startswith("20")
    assert not (tmp_path / "part" / "summary.csv").exists()

    out = salessim(*ARGS, "--workers", 2, "--out", "part", "--resume", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"resuming: {saved} of 40 runs already done" in out.stdout
    assert digest(tmp_path / "part") == digest(reference)
    manifest = json.loads((tmp_path / "part" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["resumed"]) == 1


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path, reference):
    code, _, stderr, saved = interrupt(tmp_path, signal.SIGINT, after_runs=5)
    assert code == 130, stderr
    assert "Traceback" not in stderr and "--resume" in stderr
    assert json.loads((tmp_path / "part" / "manifest.json").read_text())["status"] == "interrupted"
    assert saved < 40
    out = salessim(*ARGS, "--workers", 1, "--out", "part", "--resume", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert digest(tmp_path / "part") == digest(reference)


def test_same_seed_gives_identical_bytes_on_one_or_two_workers(tmp_path, reference):
    out = salessim(*ARGS, "--workers", 1, "--out", "one", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert digest(tmp_path / "one") == digest(reference)


def test_existing_folder_is_left_untouched_without_resume_or_force(tmp_path):
    folder = tmp_path / "res"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    before = os.stat(folder / "notes.txt").st_mtime_ns
    out = salessim("compare", "--reps", 2, "--out", "res", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("error: --out:") and "--resume" in out.stderr and "--force" in out.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert os.stat(folder / "notes.txt").st_mtime_ns == before
    forced = salessim("compare", "--reps", 2, "--out", "res", "--force", cwd=tmp_path)
    assert forced.returncode == 2 and "not a salessim results folder" in forced.stderr  # never deletes a stranger
    assert (folder / "notes.txt").read_text() == "mine"


def test_resume_with_different_arguments_names_the_difference(tmp_path):
    small = [
        "compare",
        "--policies",
        "finder_keeps,dedicated_roles",
        "--reps",
        2,
        "--quarters",
        3,
        "--seed",
        5,
        "--workers",
        1,
        "--out",
        "res",
    ]
    assert salessim(*small, cwd=tmp_path).returncode == 0
    before = digest(tmp_path / "res")
    out = salessim(*[("4" if a == 2 else a) for a in small], "--resume", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("error: --resume:") and "--reps is 4 here but 2 in the manifest" in out.stderr
    changed = salessim(*small, "--set", "crm.adoption=0.2", "--resume", cwd=tmp_path)
    assert changed.returncode == 2 and "--set" in changed.stderr
    again = salessim(*small, "--resume", cwd=tmp_path)  # same arguments: nothing to run, same results
    assert again.returncode == 0 and "resuming: 4 of 4 runs already done" in again.stdout
    assert digest(tmp_path / "res") == before
    forced = salessim(*small[:-2], "--seed", 6, "--out", "res", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and digest(tmp_path / "res") != before


def test_manifest_records_the_command_line_given_to_main(tmp_path):
    """Called from Python (a notebook), the manifest names the salessim arguments, not the kernel's."""
    import json

    from experiments.cli import main

    out = tmp_path / "x"
    assert main(["compare", "--reps", "2", "--quarters", "2", "--seed", "1", "--workers", "1", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["argv"] == [
        "salessim",
        "compare",
        "--reps",
        "2",
        "--quarters",
        "2",
        "--seed",
        "1",
        "--workers",
        "1",
        "--out",
        str(out),
    ]


def test_runs_are_stacked_as_pandas_would_concatenate_their_tables():
    import numpy as np
    import pandas as pd

    from experiments.experiment import stacked

    same = [
        {"quarter": np.arange(3), "revenue": np.array([1.5, 2.0, 2.5]), "quits": np.array([0, 1, 0])},
        {"quarter": np.arange(2), "revenue": np.array([3.0, np.nan]), "quits": np.array([2, 0])},
    ]
    expected = pd.concat([pd.DataFrame(columns) for columns in same], ignore_index=True)
    pd.testing.assert_frame_equal(stacked(same), expected)
    other = [same[0], {"quarter": np.arange(1), "revenue": np.array([4.0])}]  # a run without a column
    pd.testing.assert_frame_equal(
        stacked(other), pd.concat([pd.DataFrame(columns) for columns in other], ignore_index=True)
    )
    assert stacked(other)["quits"].isna().tolist() == [False, False, False, True]
