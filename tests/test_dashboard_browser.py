"""The dashboard in a real headless Chromium, served offline on a loopback port."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CDN_FAILURE = re.compile(r"could not load url|cdn\.jsdelivr|unpkg\.com|/_solara/cdn/\S* HTTP/1\.1\" [45]\d\d", re.I)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium; .ci/run installs it)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_served(url: str, server: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dashboard server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"dashboard did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The dashboard served by ``python -m dashboard`` on a free loopback port: (url, log file)."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_served(url, server)
        yield url, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_dashboard_steps_in_a_real_browser_offline(dashboard: tuple[str, Path]):
    playwright = pytest.importorskip("playwright.sync_api")
    url, log = dashboard
    assert f"http://127.0.0.1:{url.split(':')[2]}" in log.read_text(), "serve() should print its address"
    outside, failed = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1750})
            page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            started = time.perf_counter()
            page.goto(url)
            page.get_by_text("Quarter 0 of 20").wait_for(timeout=60_000)
            charts = page.locator("img")
            charts.first.wait_for(timeout=30_000)
            load_s = time.perf_counter() - started
            before = charts.first.get_attribute("src")
            started = time.perf_counter()
            for quarter in (1, 2, 3):
                page.locator("button.step").click()
                page.get_by_text(f"Quarter {quarter} of 20").wait_for(timeout=30_000)
            step_s = (time.perf_counter() - started) / 3
            page.wait_for_function("src => document.querySelector('img').src !== src", arg=before, timeout=30_000)
            time.sleep(0.5)
            results = ROOT / "results"
            results.mkdir(exist_ok=True)
            page.screenshot(path=str(results / "dashboard.png"))
        finally:
            browser.close()
    print(f"page load {load_s:.1f} s, step (both models, page updated) {step_s:.2f} s")
    server_log = log.read_text()
    shutil.copy(log, ROOT / "results" / "dashboard-server.log")
    assert not CDN_FAILURE.search(server_log), f"failed CDN fetch in the server log:\n{server_log}"
    assert "Traceback" not in server_log, server_log
    assert not outside, f"the page asked for off-host resources: {outside}"
    assert not failed, f"requests failed: {failed}"
