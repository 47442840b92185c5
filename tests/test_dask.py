"""--executor dask and --scheduler: loopback-only clusters, results identical to local, clear errors, no hang.

Every cluster here is started by the test and listens on 127.0.0.1 only. Deselect with ``-m "not dask"``.
"""

import socket
import subprocess
import sys
import time

import pytest
import terminal

from experiments import cli, executors

pytestmark = pytest.mark.dask
FINAL = ["summary.csv", "paired_differences.csv", "runs.parquet"]
COMPARE = ["compare", "--policies", "finder_keeps,dedicated_roles_crm", "--reps", 4, "--quarters", 4, "--seed", 9]


def salessim(*args, cwd, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_local_cluster_gives_byte_identical_results_to_one_local_worker(tmp_path):
    local = salessim(*COMPARE, "--workers", 1, "--out", "local", cwd=tmp_path)
    dask = salessim(*COMPARE, "--executor", "dask", "--workers", 2, "--out", "dask", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    assert dask.returncode == 0, dask.stderr
    assert "running on a Dask LocalCluster at tcp://127.0.0.1:" in dask.stdout
    for name in FINAL:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_local_cluster_binds_everything_to_loopback():
    with executors.local_cluster(1) as pool:
        client = pool.executor._client
        info = client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        workers = info["workers"].values()
        assert workers and all(w["id"] is not None and w["host"] == "127.0.0.1" for w in workers)
        assert all(w["nanny"].startswith("tcp://127.0.0.1:") for w in workers)
        dashboard = info["services"].get("dashboard")
        assert dashboard is None or client.dashboard_link.startswith("http://127.0.0.1:")
        assert pool.executor.submit(sum, [1, 2]).result(timeout=30) == 3


def test_existing_scheduler_runs_a_sensitivity_analysis_like_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    args = [
        "sensitivity",
        "--param",
        "market.leads_per_quarter=6:40",
        "finance.gross_margin=0.1:0.5",
        "--n",
        2,
        "--reps",
        2,
        "--quarters",
        3,
        "--seed",
        4,
    ]
    local = salessim(*args, "--workers", 1, "--out", "local", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = salessim(*args, "--scheduler", cluster.scheduler_address, "--out", "remote", cwd=tmp_path)
    assert remote.returncode == 0, remote.stderr
    assert f"running on the Dask scheduler at {cluster.scheduler_address}" in remote.stdout
    for name in ("indices.csv", "samples.csv"):
        assert (tmp_path / "remote" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_unreachable_scheduler_is_a_clear_error_within_10_seconds(tmp_path):
    address = f"tcp://127.0.0.1:{closed_loopback_port()}"
    started = time.monotonic()
    out = salessim(*COMPARE, "--scheduler", address, "--out", "res", cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: could not reach the Dask scheduler at {address}")
    assert elapsed < 10
    assert not (tmp_path / "res").exists()


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://127.0.0.1", "http://127.0.0.1:8787"])
def test_malformed_scheduler_address_exits_2(tmp_path, monkeypatch, capsys, address):
    monkeypatch.chdir(tmp_path)
    assert cli.main([*map(str, COMPARE), "--scheduler", address]) == 2
    assert capsys.readouterr().err.startswith(f"error: --scheduler: '{address}' is not allowed; allowed: tcp://")


def test_without_the_dask_extra_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    assert cli.main([*map(str, COMPARE), "--executor", "dask"]) == 2
    assert capsys.readouterr().err == 'error: the dask executor needs the dask extra: pip install "salessim[dask]"\n'
    assert not (tmp_path / "results").exists()


def test_ctrl_c_stops_a_local_cluster_batch_without_the_workers_tracebacks(tmp_path):
    """Ctrl-C reaches the whole process group; the cluster's workers leave it to the command, which
    stops the batch: one 'interrupted' line, no worker's traceback, nothing left running."""
    proc = terminal.start(["compare", "--reps", "40", "--seed", "5", "--executor", "dask", "--out", "part"], tmp_path)
    terminal.wait_for_runs(proc, tmp_path / "part" / "runs", 8)
    stderr = terminal.ctrl_c(proc)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted: "), stderr
    time.sleep(2)
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert not left, left
