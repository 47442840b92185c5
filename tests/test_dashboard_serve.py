"""Serving the dashboard: the port is checked before anything starts."""

from __future__ import annotations

import socket
import subprocess
import sys
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
