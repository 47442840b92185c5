"""The dashboard in a real headless Chromium at 1280×720, served offline on a loopback port:
every control, the language toggle, story mode, the replay scrubber and the exports."""

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
VIEWPORT = {"width": 1280, "height": 720}
CHARTS_DRAWN = (
    "q => [...document.querySelectorAll('[data-quarter]')].every(e => e.dataset.quarter == String(q) "
    "&& e.querySelector('canvas')) && document.querySelectorAll('[data-quarter]').length > 0"
)

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


def wait_until_served(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
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


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The dashboard served by ``python -m dashboard`` on a free loopback port: (url, log file)."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
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
    server_log = log.read_text()
    (ROOT / "results").mkdir(exist_ok=True)
    shutil.copy(log, ROOT / "results" / "dashboard-server.log")
    assert not CDN_FAILURE.search(server_log), f"failed CDN fetch in the server log:\n{server_log}"
    assert "Traceback" not in server_log, server_log


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(dashboard, browser, request):
    """A fresh page (its own pair of departments) at 1280×720; off-host and failed requests fail the test."""
    url, _log = dashboard
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    outside, failed = [], []
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
    page.on("requestfailed", lambda r: None if r.url.startswith(("data:", "blob:")) else failed.append(r.url))
    page.goto(url)
    quarter(page, 0, 20)
    page.wait_for_function(CHARTS_DRAWN, arg=0, timeout=60_000)
    yield page
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    page.screenshot(path=str(results / f"dashboard-{request.node.name}.png"))
    context.close()
    assert not outside, f"the page asked for off-host resources: {outside}"
    assert not failed, f"requests failed: {failed}"


def quarter(page, q: int, horizon: int, lang: str = "en") -> None:
    text = f"Quarter {q} of {horizon}" if lang == "en" else f"Квартал {q} из {horizon}"
    page.locator(".quarter", has_text=re.compile(f"^{text}$")).wait_for(timeout=30_000)


def test_serves_offline_and_prints_its_address(dashboard):
    url, log = dashboard
    assert f"http://127.0.0.1:{url.split(':')[2]}" in log.read_text(), "serve() should print its address"


def test_step_play_pause_and_reset(page):
    page.locator("button.step").click()
    quarter(page, 1, 20)
    page.wait_for_function(CHARTS_DRAWN, arg=1, timeout=30_000)
    page.locator("button.play").click()
    page.wait_for_function(
        "() => +document.querySelector('.quarter').textContent.match(/\\d+/)[0] >= 4", timeout=30_000
    )
    page.locator("button.play").click()  # now "Pause"
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    paused = page.locator(".quarter").inner_text()
    time.sleep(1)
    assert page.locator(".quarter").inner_text() == paused
    page.locator("button.reset").click()
    quarter(page, 0, 20)


def test_presenter_sizes_and_nothing_covers_a_chart(page):
    sizes = page.evaluate("""() => ({
        kpi: parseFloat(getComputedStyle(document.querySelector('.kpi')).fontSize),
        badge: [...document.querySelectorAll('a[href="https://solara.dev"]')].filter(a => a.offsetParent).length})""")
    assert sizes["kpi"] >= 28 and sizes["badge"] == 0  # axis text: 16 px in the options (test_dashboard.py)


def test_story_next_and_back(page):
    page.locator(".story-title", has_text="Two departments, one market").wait_for()
    page.locator("button.story-next").click()
    quarter(page, 4, 20)
    page.locator(".story-title", has_text="Veterans become invoicing clerks").wait_for()
    assert re.search(r"spend \d+% of their time", page.locator(".story-text").first.inner_text())
    # more paragraphs than in step 1: every element keeps its own tag (a reused one keeps its first)
    tags = "s => [...document.querySelectorAll(s)].map(e => e.tagName)"
    assert set(page.evaluate(tags, ".story-text")) == {"P"} and len(page.evaluate(tags, ".story-text")) >= 3
    assert page.evaluate(tags, ".story-heading") == ["H3", "H3"]
    assert page.locator(".story-heading").all_inner_texts() == ["THINGS TO NOTICE", "THINGS TO TRY"]
    assert page.evaluate(tags, ".story-notice li") and page.evaluate(tags, ".story-notice") == ["UL"]
    page.locator("button.story-next").click()
    page.locator(".story-title", has_text="Newcomers get the hardest clients").wait_for()
    page.locator("button.story-back").click()
    page.locator(".story-title", has_text="Veterans become invoicing clerks").wait_for()
    quarter(page, 4, 20)


def test_language_toggle(page):
    page.locator("button.lang-ru").click()
    quarter(page, 0, 20, "ru")
    page.locator(".story-title", has_text="Два отдела, один рынок").wait_for()
    assert page.locator("button.step").inner_text().strip() == "Шаг"
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"], "the Russian page is too wide"
    page.locator("button.lang-en").click()
    quarter(page, 0, 20)


def test_scrubber_replays_a_past_quarter(page):
    for q in (1, 2, 3):
        page.locator("button.step").click()
        quarter(page, q, 20)
    thumb = page.locator(".scrubber [role=slider]")
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    quarter(page, 1, 20)
    page.wait_for_function(CHARTS_DRAWN, arg=1, timeout=30_000)
    page.locator("button.live").click()
    quarter(page, 3, 20)


def test_png_and_csv_downloads(page):
    page.locator("button.step").click()
    quarter(page, 1, 20)
    page.wait_for_function(CHARTS_DRAWN, arg=1, timeout=30_000)
    with page.expect_download() as png:
        page.locator("button.png-button").first.click()
    assert png.value.suggested_filename == "salessim-books-q1.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv:
        page.locator("button.csv-button").first.click()
    assert csv.value.suggested_filename == "salessim-books-q1.csv"
    assert Path(csv.value.path()).read_text().startswith("department,quarter,seller")


def test_full_screen_levers_and_event_details(page):
    page.locator("button.zoom-button").first.click()
    zoom = page.locator(".zoom [data-chart]")
    zoom.wait_for()
    assert zoom.bounding_box()["height"] > 500
    page.locator("button.close-zoom").click()
    zoom.wait_for(state="detached")
    page.locator("button.story-toggle").click()
    page.wait_for_function("() => document.querySelectorAll('[data-chart]').length >= 6", timeout=30_000)
    page.locator("button.levers-toggle").click()
    horizon = page.locator(".lever-quarters [role=slider]")
    horizon.focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    page.get_by_text("Changed: press Reset").wait_for()
    page.locator("button.reset-levers").click()
    quarter(page, 0, 16)
    page.locator("button.step").click()
    quarter(page, 1, 16)
    page.locator("button.event-quarter").first.click()
    page.locator(".event-details li").first.wait_for()


def test_switch_now_live_marks_the_j_curve(page):
    page.locator("button.live-toggle").click()
    page.locator(".story-title", has_text="Should we switch?").wait_for()
    for q in (1, 2):
        page.locator("button.step").click()
        quarter(page, q, 20)
    page.locator("button.switch-now").click()
    page.locator(".switched-note", has_text="switched in Q2").wait_for()
    for q in (3, 4, 5):
        page.locator("button.step").click()
        quarter(page, q, 20)
    page.wait_for_function(CHARTS_DRAWN, arg=5, timeout=30_000)
    marks = page.evaluate("""async () => {
        const echarts = await window.salessimEcharts;
        const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=profit]'));
        return chart.getOption().series[0].markLine.data.map(d => [d.name, d.xAxis]);
    }""")
    assert ["switch", 2] in marks
    assert page.locator(".profit-note").inner_text().startswith("Since the switch in Q2")
