"""Hardening: every bad input one clear error (CLI and Python API, fuzzed too), big batches announced before they
start, no orphan workers, files under the umask, progress when piped, a fast --help."""

import contextlib
import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import terminal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import experiments
from experiments import cli
from experiments.errors import ArgumentError
from simulation import MAIN_POLICIES, POLICIES, SalesModel, parameter_keys, run_simulation
from simulation.metrics import timeseries


class Reached(Exception):
    """The arguments passed every check: the batch would start here."""


def reached(*args, **kwargs):
    raise Reached


@contextlib.contextmanager
def nothing_runs():
    """Stop at the point a batch, a run or the calibration checks would start (and measure no run)."""
    with (
        mock.patch("experiments.executors.open_pool", reached),
        mock.patch("experiments.experiment.execute", lambda *a, **k: None),
        mock.patch("simulation.run_simulation", reached),
        mock.patch("experiments.validation.validation_table", reached),
    ):
        yield


def call(argv):
    """``salessim argv`` in this process: (exit code, stdout, stderr); Reached if it would start running."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
    return code, out.getvalue(), err.getvalue()


# A comparison that runs in about a second: two policies, two replications, two quarters, here.
SMALL = ["compare", "--reps", "2", "--quarters", "2", "--policies", "finder_keeps,dedicated_roles", "--workers", "1"]


def interrupt(*args, **kwargs):
    """Stands in for a function that Ctrl-C interrupts."""
    raise KeyboardInterrupt


def one_error_line(code, stderr):
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    return lines[0]


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.toml").write_bytes(b"")
    (tmp_path / "comments.toml").write_text("# nothing set\n")
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "afile").write_text("x")
    return tmp_path


# --- each bad input, one by one ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["compare", "--scenario", "empty.toml"], ["--scenario", "empty.toml", "sets nothing"]),
        (["compare", "--scenario", "comments.toml"], ["--scenario", "comments.toml", "sets nothing"]),
        (["show", "empty.toml"], ["empty.toml", "sets nothing"]),
        (["compare", "--scenario", "binary.toml"], ["--scenario", "binary.toml", "not a text file"]),
        (["show", "binary.toml"], ["binary.toml", "not a text file"]),
        (["run", "--scenario", "binary.toml"], ["--scenario", "not a text file"]),
        (["compare", "--scenario", "folder.toml"], ["--scenario", "folder.toml", "is a folder"]),
        (["show", "folder.toml"], ["folder.toml", "is a folder"]),
        (["compare", "--policies", ""], ["--policies", "no policy given"]),
        (["compare", "--policies", "finder_keeps,,dedicated_roles"], ["--policies", "empty name"]),
        (["run", "--policy", ""], ["--policy", "no policy given"]),
        (["compare", "--out", "afile/sub"], ["--out", "afile", "is a file"]),
        (["compare", "--out", "/proc/salessim-test"], ["--out", "not writable"]),
        (["run", "--out", "afile/x.csv"], ["--out", "afile", "is a file"]),
        (["run", "--out", "/proc/salessim-test.csv"], ["--out", "not writable"]),
        (["dashboard", "--port", "70000"], ["--port", "70000", "1 to 65535"]),
        (["dashboard", "--port", "0"], ["--port", "1 to 65535"]),
        (["validate", "--reps", "1"], ["--reps", "too few replications"]),
        (["compare", "--reps", "1000000000"], ["--reps", "4,000,000,000 runs", "over 2 h", "--yes"]),
        (["compare", "--reps", str(2**63)], ["--reps", "runs", "memory", "--yes"]),
        (["sweep", "--vary", "market.leads_per_quarter=10,20", "--reps", str(10**8)], ["--reps", "--yes"]),
        (["discover", "--samples", "2000", "--reps", str(10**5)], ["--reps", "400,000,000 runs", "--yes"]),
        (["compare", "--set", "crm.adoption=true", "--policies", "finder_keeps_crm"], ["--set", "= true", "a number"]),
        (["compare", "--set", "crm.adoption=0.5", "crm.adoption=0.6"], ["--set", "crm.adoption", "twice"]),
        (["compare", "--switch-at", "20"], ["--switch-at", "20", "from 0 to 19", "switch nothing"]),
        (["compare", "--switch-at", "39", "--quarters", "30"], ["--switch-at", "from 0 to 29"]),
    ],
)
def test_each_bad_input_is_one_clear_error(files, args, named):
    started = time.monotonic()
    with nothing_runs():
        code, _, stderr = call(args)
    line = one_error_line(code, stderr)
    for part in named:
        assert part in line
    assert time.monotonic() - started < 10  # refused before anything grows
    assert not (files / "results").exists()


def test_a_busy_dashboard_port_is_one_error_before_any_url(files):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stdout, stderr = call(["dashboard", "--port", port])
    line = one_error_line(code, stderr)
    assert f"--port: {port} on 127.0.0.1 is in use" in line
    assert "http://" not in stdout


def test_confirmed_big_batch_passes_the_size_check_and_tasks_are_generated_lazily():
    from experiments.experiment import Execution, check_size, pending, task_count
    from experiments.runner import Design
    from simulation import resolve_scenario

    design = Design(resolve_scenario("mature_department"), MAIN_POLICIES, 10**12, 1)
    with mock.patch("experiments.experiment.execute", lambda *a, **k: None):
        with pytest.raises(ArgumentError, match="confirm=True"):
            check_size(design, 2, Execution())
        found = check_size(design, 2, Execution(confirm=True))
    assert found.runs == task_count(design) == 4 * 10**12
    first = pending(design, set())
    assert [next(first).name for _ in range(5)] == [
        *(f"{p}__r0000" for p in MAIN_POLICIES),
        "finder_keeps__r0001",
    ]


def test_the_time_estimate_counts_a_shared_history_once_per_replication():
    from experiments.experiment import QUARTER_SECONDS, SELLER_QUARTER_SECONDS, estimate
    from experiments.runner import Design
    from simulation import resolve_scenario

    base = resolve_scenario("mature_department")
    flat = base.model_copy(update={"department": base.department.model_copy(update={"history_quarters": 0})})
    with_history = estimate(Design(base, MAIN_POLICIES, 100, 1), workers=2).seconds
    without = estimate(Design(flat, MAIN_POLICIES, 100, 1), workers=2).seconds
    per_quarter = QUARTER_SECONDS + SELLER_QUARTER_SECONDS * base.department.sellers
    assert with_history - without == pytest.approx(100 * 24 * per_quarter / 2)  # not 400 histories
    one = estimate(Design(flat, ("finder_keeps",), 1, 1), workers=2)
    assert one.seconds == pytest.approx(estimate(Design(flat, ("finder_keeps",), 1, 1), workers=1).seconds)
    assert one.text().startswith("1 run, ")


def test_an_empty_existing_folder_is_used_as_a_new_one_and_a_full_one_is_refused(files):
    (files / "empty_dir").mkdir()
    code, _, stderr = call([*SMALL, "--out", "empty_dir", "--quiet"])
    assert code == 0, stderr
    assert json.loads((files / "empty_dir" / "manifest.json").read_text())["status"] == "complete"
    (files / "full").mkdir()
    (files / "full" / "notes.txt").write_text("mine")
    line = one_error_line(*call(["compare", "--reps", "2", "--out", "full"])[::2])
    assert "'full' already exists" in line and (files / "full" / "notes.txt").read_text() == "mine"


def test_ctrl_c_while_the_command_is_still_loading_is_one_line():
    with mock.patch("experiments.cli.build_parser", interrupt):
        code, _, stderr = call(["compare"])
    assert code == 130 and stderr.strip() == "interrupted"


def test_ctrl_c_while_the_report_is_written_says_every_run_is_saved_and_resume_finishes(files):
    small = [*SMALL, "--seed", "3", "--out", "late", "--quiet"]
    with mock.patch("experiments.api.ComparisonResult.write", interrupt):
        code, _, stderr = call(small)
    assert code == 130 and "interrupted: 4 of 4 runs saved in late" in stderr and "--resume" in stderr, stderr
    assert json.loads((files / "late" / "manifest.json").read_text())["status"] == "interrupted"
    code, _, stderr = call([*small, "--resume"])
    assert code == 0, stderr
    assert json.loads((files / "late" / "manifest.json").read_text())["status"] == "complete"


def test_a_resume_with_other_arguments_names_them_as_a_user_writes_them(files):
    assert call([*SMALL, "--out", "done", "--quiet"])[0] == 0
    changed = [*SMALL[:-4], "--policies", "finder_keeps,dedicated_roles_crm", "--workers", "1"]
    line = one_error_line(*call([*changed, "--set", "crm.adoption=0.5", "--out", "done", "--resume"])[::2])
    assert "--set is crm.adoption=0.5 here but not given in the manifest" in line, line
    assert "None" not in line and "{" not in line and "[" not in line, line
    assert "finder_keeps,dedicated_roles_crm here but finder_keeps,dedicated_roles in the manifest" in line


def test_api_errors_name_the_argument(files):
    cases = [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"reps": 2**63}, "reps"),
        ({"reps": 0.5}, "reps"),
        ({"overrides": 3}, "overrides"),
        ({"scenario": 3}, "scenario"),
        ({"scenario": "empty.toml"}, "scenario"),
        ({"policies": ""}, "policies"),
        ({"out": "afile/x"}, "out"),
        ({"confirm": "yes"}, "confirm"),
    ]
    with nothing_runs():
        for kwargs, parameter in cases:
            with pytest.raises(ArgumentError) as error:
                experiments.compare(**kwargs)
            assert error.value.parameter == parameter, (kwargs, error.value)
    for kwargs, parameter in [({"seed": -1}, "seed"), ({"seed": 1, "replication": 0.5}, "replication")]:
        with pytest.raises(ValueError, match=f"^{parameter}: "):
            run_simulation("mature_department", "finder_keeps", **kwargs)


def test_quarter_zero_is_a_full_row_and_the_summary_counts_the_run_quarters():
    result = run_simulation("mature_department", "finder_keeps", seed=3, quarters=4)
    first = result.timeseries.iloc[0]
    assert first.quarter == 0 and first.pay > 0 and first.costs > 0
    assert first.costs == pytest.approx(first.pay + first.hiring_cost + first.crm_cost)
    assert first.profit == pytest.approx(first.margin - first.costs)
    run_quarters = result.timeseries[result.timeseries.quarter >= 1]
    assert run_quarters.profit.sum() == pytest.approx(result.summary["profit_total"])


@pytest.mark.parametrize("scenario", ["mature_department", "fresh_start"])
def test_quarter_zero_follows_the_cohort_the_report_follows(scenario):
    """Quarter 0's veteran figures are those of the veterans every later quarter follows (after a
    history, the veterans at quarter 0, not the survivors of the department's first veterans)."""
    model = SalesModel(scenario, "finder_keeps", seed=3, log_events=False)
    first = timeseries(model).iloc[0]
    veterans = [s for s in model.regular_sellers() if s.veteran]
    assert veterans and len(model.top_veterans) > 0
    assert first.veteran_skill == pytest.approx(np.mean([s.start_skill for s in veterans]))
    if model.founded < 0:  # after a history, the service share of the quarter just worked
        assert first.veteran_service_share == pytest.approx(np.mean([s.service_share for s in veterans]))


# --- the fuzz tests --------------------------------------------------------------------------------
KEYS = sorted(parameter_keys())
WORDS = ["--reps", "--quarters", "--seed", "--workers", "--policies", "--policy", "--set", "--vary", "--scenario"]
WORDS += ["--out", "--param", "--method", "--metric", "--diff", "--n", "--replication", "--executor", "--resume"]
WORDS += ["--force", "--yes", "--quiet", "--switch-at", "--port", "--host", "--lang"]
numbers = st.one_of(st.integers(-5, 10**20), st.sampled_from(["2**63", "1.5", "-0", "1e3", "nan", "inf", "", "0x10"]))
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
settings_ = st.builds(
    lambda key, value: f"{key}={value}",
    st.one_of(st.sampled_from(KEYS), texts),
    st.one_of(numbers.map(str), st.sampled_from(["true", '"x"', "[1]", "{a=1}", "0.5,0.7"]), texts),
)
value = st.one_of(
    numbers.map(str),
    settings_,
    st.sampled_from([*POLICIES, "finder_keeps,dedicated_roles", "a,,b", "fuzz.toml", "folder.toml", "afile/x"]),
    st.sampled_from(["market.leads_per_quarter=1:2", "crm.adoption=0:1", "revenue_total", "morris", "sobol"]),
    texts,
)
arguments = st.lists(st.one_of(st.sampled_from(WORDS), value), max_size=8)
COMMANDS = ["compare", "sweep", "run", "show", "validate", "sensitivity", "scenarios", "policies"]
scenario_files = st.one_of(
    st.binary(max_size=64),
    st.lists(st.one_of(settings_, st.sampled_from(["[market]", 'base = "fresh_start"', "[", "x = "])), max_size=5).map(
        "\n".join
    ),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), args=arguments, content=scenario_files)
def test_fuzzed_command_lines_end_in_one_error_line_or_would_run(files, command, args, content):
    content = content.encode() if isinstance(content, str) else content
    (files / "fuzz.toml").write_bytes(content)
    with nothing_runs():
        try:
            code, _, stderr = call([command, *args])
        except Reached:
            return
    assert "Traceback" not in stderr
    if code != 0:
        one_error_line(code, stderr)


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True),
    texts,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(texts, st.integers(), max_size=2),
    st.sampled_from(["mature_department", "empty.toml", "finder_keeps", "dask", "tcp://x:1", "afile/x"]),
)
API_ARGUMENTS = ["scenario", "policies", "reps", "quarters", "seed", "overrides", "switch_at", "workers"]
API_ARGUMENTS += ["executor", "scheduler", "out", "resume", "force", "progress", "confirm"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kwargs=st.dictionaries(st.sampled_from(API_ARGUMENTS), junk, min_size=1, max_size=3))
def test_fuzzed_api_calls_raise_errors_naming_an_argument(files, kwargs):
    with nothing_runs():
        try:
            experiments.compare(**kwargs)
        except Reached:
            return
        except ArgumentError as error:
            assert error.parameter in {*kwargs, "reps", "policies", "scenario"}, (kwargs, error)
            assert str(error).startswith(f"{error.parameter}: ")


# --- processes, files, progress, start-up ---------------------------------------------------------
def children(pid):
    """The pids of a process's children (Linux /proc)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path):
    args = ["compare", "--reps", "400", "--quarters", "8", "--seed", "1", "--workers", "2", "--out", "big", "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline, workers = time.monotonic() + 60, set()
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the workers should have started"
    while time.monotonic() < deadline and not list((tmp_path / "big" / "runs").glob("*.parquet")):
        time.sleep(0.05)
    watchers = children(proc.pid) - workers
    proc.kill()
    proc.wait(timeout=10)
    time.sleep(5)
    assert not [pid for pid in workers | watchers if alive(pid)]
    manifest = json.loads((tmp_path / "big" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"].startswith("20")


def test_the_manifest_watcher_leaves_once_the_batch_is_complete(tmp_path):
    from experiments import compare
    from experiments.processes import _watchers

    compare(reps=2, quarters=2, seed=1, policies="finder_keeps,dedicated_roles", out=tmp_path / "c", progress=False)
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["status"] == "complete"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(w.poll() is None for w in _watchers):
        time.sleep(0.05)
    assert all(w.poll() is not None for w in _watchers)


def test_sigterm_marks_the_manifest_interrupted_with_the_time_and_resume_finishes(tmp_path):
    args = [sys.executable, "-m", "experiments.cli", "compare", "--reps", "40", "--quarters", "4", "--seed", "5"]
    args += ["--workers", "1", "--out", "part"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs = tmp_path / "part" / "runs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if runs.is_dir() and len(list(runs.glob("*.parquet"))) >= 3:
            proc.send_signal(signal.SIGTERM)
            break
        time.sleep(0.005)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in stderr and "--resume" in stderr
    manifest = json.loads((tmp_path / "part" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["interrupted"].startswith("20")
    done = subprocess.run([*args, "--resume", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "part" / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("gap", [0.0, 0.05])
def test_a_second_ctrl_c_while_stopping_neither_hangs_nor_loses_anything(tmp_path, gap):
    """Ctrl-C twice (to the whole process group, as a terminal sends it): the batch stops at once,
    says how many runs are saved, leaves no process behind, and --resume finishes it."""
    args = ["compare", "--reps", "40", "--seed", "5", "--out", "twice"]
    proc = terminal.start(args, tmp_path)
    terminal.wait_for_runs(proc, tmp_path / "twice" / "runs", 12)
    workers = children(proc.pid)
    stderr = terminal.ctrl_c(proc, gaps=(gap,), timeout=30)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted: "), stderr
    time.sleep(1)
    assert workers and not [pid for pid in workers if alive(pid)]
    assert json.loads((tmp_path / "twice" / "manifest.json").read_text())["status"] == "interrupted"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args, "--resume", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "twice" / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_files_follow_the_umask(tmp_path, umask, mode):
    from experiments.results import atomic_write

    previous = os.umask(umask)
    try:
        atomic_write(tmp_path / "f.csv", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "f.csv").stat().st_mode) == mode
    assert not list(tmp_path.glob(".*.tmp"))


def test_progress_lines_when_piped_and_quiet(tmp_path):
    base = [sys.executable, "-m", "experiments.cli", "compare", "--reps", "5", "--quarters", "2", "--seed", "1"]
    base += ["--workers", "1", "--policies", "finder_keeps,dedicated_roles"]
    out = subprocess.run([*base, "--out", "a"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines[-1].startswith("10/10 runs (100%)") and 5 <= len(lines) <= 11, out.stderr
    quiet = subprocess.run([*base, "--out", "b", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == "" and "running on" not in quiet.stdout
    assert "report:" in quiet.stdout


def test_version_and_help_start_without_the_model():
    code = (
        "import sys; from experiments import cli; cli.build_parser(set()).format_help(); "
        "print(sorted(m for m in ('simulation', 'pandas', 'numpy', 'scipy', 'mesa') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    version = subprocess.run([sys.executable, "-m", "experiments.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("salessim 0.")
    started = time.monotonic()
    helped = subprocess.run([sys.executable, "-m", "experiments.cli", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "import-crm" in helped.stdout and "calibrate" in helped.stdout
    assert time.monotonic() - started < 3  # about 0.1 s idle; generous for a loaded machine


def test_the_parser_constants_agree_with_the_library():
    import argparse

    from experiments.arguments import DEFAULT_SCENARIO
    from experiments.crm.cli import add_parsers
    from experiments.discover_cli import add_parsers as add_discover_parsers

    assert cli.MAIN_POLICIES == MAIN_POLICIES and cli.DEFAULT_SCENARIO == DEFAULT_SCENARIO
    commands = argparse.ArgumentParser().add_subparsers()
    add_parsers(commands)
    add_discover_parsers(commands)
    helps = {action.dest: action.help for action in commands._choices_actions}
    assert helps == cli.LAZY_COMMANDS
