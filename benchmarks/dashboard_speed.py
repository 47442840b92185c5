"""How fast the trainer's dashboard is in a real browser: server start, page ready, Step, Play.

Usage: python benchmarks/dashboard_speed.py [--steps 5] [--play 8] [--lang en|ru] [--root DIR] [--screenshot out.png]

Serves the page with ``python -m dashboard`` on a free loopback port and drives it in headless
Chromium (Debian's /usr/bin/chromium, through Playwright) at 1280×720, the projector size:

- server: seconds from starting the process until it answers HTTP 200;
- page ready: seconds from opening the page until every chart is drawn;
- step: seconds per click on Step until the quarter shown and every chart are the new quarter's;
- play: quarters per second while playing.

The targets (issue 15) are step ≤ 0.2 s, play ≥ 4 quarters/s, page ready ≤ 3 s. This script
prints the figures and never fails on them: timing depends on the machine.
It works on the matplotlib page (charts as <img>) and on the ECharts page (charts as <canvas>
in elements carrying ``data-quarter``), so before and after can be measured the same way.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUARTER = "document.querySelector('.quarter') && document.querySelector('.quarter').textContent"
CHARTS_AT = """q => {
  const tagged = document.querySelectorAll('[data-quarter]');
  if (tagged.length) return [...tagged].every(e => e.dataset.quarter == String(q) && e.querySelector('canvas'));
  return document.querySelectorAll('img').length > 0 && [...document.querySelectorAll('img')].every(i => i.complete);
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, lang: str, root: Path) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "dashboard", "--port", str(port)]
    if lang != "en":
        cmd += ["--lang", lang]
    started = time.perf_counter()
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - started < 60:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return server, time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the dashboard did not answer within 60 s")


def press(page, selector: str) -> None:
    """Click a button as the trainer does, without Playwright's checks before a click (scrolling,
    waiting for stability), which would add their own time to every step."""
    page.evaluate("s => document.querySelector(s).click()", selector)


def quarter_of(page) -> int:
    text = page.evaluate(QUARTER) or ""
    digits = [int(word) for word in text.replace("/", " ").split() if word.isdigit()]
    return digits[0] if digits else -1


def wait_for_quarter(page, quarter: int, timeout: float = 60.0) -> None:
    page.wait_for_function(
        f"q => {{ const t = {QUARTER}; return t && t.match(/\\d+/) && +t.match(/\\d+/)[0] === q; }}",
        arg=quarter,
        timeout=timeout * 1000,
        polling="raf",
    )


def measure(args: argparse.Namespace) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    server, server_s = serve(free_port(), args.lang, Path(args.root))
    url = f"http://127.0.0.1:{server.args[server.args.index('--port') + 1]}/"
    figures = {"server answers, s": server_s}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            started = time.perf_counter()
            page.goto(url)
            wait_for_quarter(page, 0)
            first_text = time.perf_counter() - started
            page.wait_for_function(CHARTS_AT, arg=0, timeout=60_000, polling="raf")
            figures["page ready, s"] = time.perf_counter() - started
            figures["(first text, s)"] = first_text
            old_src = page.evaluate("document.querySelector('img') && document.querySelector('img').src")
            started = time.perf_counter()
            for quarter in range(1, args.steps + 1):
                press(page, "button.step")
                wait_for_quarter(page, quarter)
                if old_src:  # the matplotlib page: wait for the new image
                    page.wait_for_function(
                        "s => document.querySelector('img').src !== s", arg=old_src, timeout=60_000, polling="raf"
                    )
                    old_src = page.evaluate("document.querySelector('img').src")
                page.wait_for_function(CHARTS_AT, arg=quarter, timeout=60_000, polling="raf")
            figures["step, s"] = (time.perf_counter() - started) / args.steps
            first = quarter_of(page)
            press(page, "button.play")
            wait_for_quarter(page, first + 1)
            started = time.perf_counter()
            wait_for_quarter(page, first + 1 + args.play, timeout=120)
            figures["play, quarters/s"] = args.play / (time.perf_counter() - started)
            press(page, "button.play")
            if args.screenshot:
                time.sleep(0.5)
                page.screenshot(path=args.screenshot)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5, help="Step clicks to time (default 5)")
    parser.add_argument("--play", type=int, default=8, help="quarters of Play to time (default 8)")
    parser.add_argument("--lang", default="en", help="page language (default en)")
    parser.add_argument(
        "--root",
        default=str(ROOT),
        help="folder holding the dashboard package to serve (e.g. an older version, to compare)",
    )
    parser.add_argument("--screenshot", help="save a 1280×720 screenshot here at the end")
    args = parser.parse_args()
    targets = {"page ready, s": "≤ 3", "step, s": "≤ 0.2", "play, quarters/s": "≥ 4"}
    for name, value in measure(args).items():
        print(f"{name:<20} {value:6.2f}   {('target ' + targets[name]) if name in targets else ''}")


if __name__ == "__main__":
    main()
