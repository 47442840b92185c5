"""Serving the dashboard: the port is checked before anything starts; the spread's worker ends with the server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

pytest.importorskip("solara")

import dashboard
from experiments.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_serve_refuses_a_busy_port_before_printing_an_address(busy_port, capsys):
    with pytest.raises(ArgumentError, match=f"port: {busy_port} on 127.0.0.1 is in use") as refused:
        dashboard.serve(port=busy_port)
    assert refused.value.parameter == "port"
    assert "http://" not in capsys.readouterr().out


@pytest.mark.parametrize("port", [0, -1, 65536, 70000, True, "8765"])
def test_serve_refuses_a_port_outside_1_to_65535(port, capsys):
    with pytest.raises(ArgumentError, match=r"port: .* allowed: a port number from 1 to 65535"):
        dashboard.serve(port=port)
    assert "http://" not in capsys.readouterr().out


def test_python_m_dashboard_says_a_busy_port_in_one_line(busy_port):
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "--port", str(busy_port)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: --port: {busy_port} on 127.0.0.1 is in use; allowed: a free port (e.g. --port {busy_port + 1})"
    ]
    assert "http://" not in done.stdout


def test_python_m_dashboard_refuses_a_port_out_of_range():
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "--port", "70000"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--port" in done.stderr and "1 to 65535" in done.stderr


WORKER_OF_A_GONE_SERVER = """
import multiprocessing, os, sys
from dashboard.ensemble import BACKGROUND
from dashboard.lockstep import Levers
BACKGROUND.start().result()  # the worker is up
BACKGROUND.submit(Levers(), ("finder_keeps", "dedicated_roles_crm"), replications=500)  # minutes of work
print(multiprocessing.active_children()[0].pid, flush=True)
sys.stdin.readline()  # until the test has the worker's pid
os._exit(0)  # gone at once, as a killed server: nothing shuts the pool down
"""


def test_the_spread_worker_ends_with_the_server():
    parent = subprocess.Popen(
        [sys.executable, "-c", WORKER_OF_A_GONE_SERVER],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the resource tracker's note on the semaphores os._exit leaves
        text=True,
    )
    worker = int(parent.stdout.readline())
    time.sleep(0.5)  # the spread is under way
    parent.stdin.write("\n")
    parent.stdin.flush()
    assert parent.wait(timeout=30) == 0
    deadline = time.monotonic() + 5  # the spread would take minutes
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.1)
    assert not _alive(worker), "the spread's worker outlived the server"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_the_spread_keeps_quiet_while_a_page_steps(monkeypatch):
    """On a clock that moves only when the worker sleeps: it waits until the quiet time, and no longer."""
    from dashboard import ensemble

    clock = types.SimpleNamespace(now=100.0)
    fake = types.SimpleNamespace(monotonic=lambda: clock.now, sleep=lambda s: setattr(clock, "now", clock.now + s))
    monkeypatch.setattr(ensemble, "time", fake)
    quiet = types.SimpleNamespace(value=clock.now + 0.3)  # as Background.quiet(0.3) sets it
    ensemble._wait(None, quiet)
    assert 0.3 <= clock.now - 100.0 < 0.3 + 0.05  # one short sleep past the quiet time at most
    before = clock.now
    ensemble._wait(None, quiet)  # the quiet time has passed: no wait
    assert clock.now == before
    quiet.value = clock.now + 10 * ensemble.HOLD_LIMIT
    ensemble._wait(None, quiet)  # never longer than HOLD_LIMIT
    assert clock.now - before <= ensemble.HOLD_LIMIT + 0.05


def test_ctrl_c_stops_the_server_quietly_and_leaves_no_process():
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it): exit 0, no traceback, no
    "Aborted.", and the spread's worker gone with the server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline, seen = time.monotonic() + 120, []
    while time.monotonic() < deadline and server.poll() is None:
        seen.append(server.stdout.readline())
        if "http://" in seen[-1]:
            break
    assert "http://" in seen[-1], "".join(seen)
    time.sleep(1)
    group = [
        int(pid)
        for pid in subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True).stdout.split()
    ]
    os.killpg(server.pid, 2)
    try:
        rest, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        raise AssertionError("Ctrl-C did not stop the server") from None
    output = "".join(seen) + rest
    assert server.returncode == 0, output
    for word in ("Traceback", "Exception ignored", "Aborted"):
        assert word not in output, output
    time.sleep(1)
    assert len(group) >= 2 and not [pid for pid in group if _alive(pid)]
