"""How fast the trainer's dashboard is in a real browser: server start, page ready, Step, Play.

Usage: python benchmarks/dashboard_speed.py [--steps 5] [--play 8] [--lang en|ru] [--settle S]
       [--repeat N] [--root DIR ...] [--breakdown] [--screenshot out.png]

Serves the page with ``python -m dashboard`` on a free loopback port and drives it in headless
Chromium (Debian's /usr/bin/chromium, through Playwright) at 1280×720, the projector size:

- server: seconds from starting the process until it answers HTTP 200;
- page ready: seconds from opening the page until every chart is drawn;
- step: seconds per click on Step until the quarter shown and every chart are the new quarter's
  (timed from the moment the page is ready, or ``--settle`` seconds later);
- play: quarters per second while playing.

Each measurement starts a fresh server and a fresh browser. ``--repeat N`` measures N times and
prints the medians, with the machine's load average (1 minute) before each measurement: on a
shared 2-core machine other work moves every figure. Several ``--root`` folders (trees holding a
dashboard package, e.g. an older commit's ``git archive``) are measured interleaved, round by
round, so that they share the load. ``--breakdown`` adds where a page load's time goes: the
moments the page reaches (HTML, the front-end's JavaScript, the websocket, the first and last
widget of the first render, first text, charts drawn), the browser's main-thread time per script
(a CPU profile) and the CPU seconds of the server and of the spread's worker meanwhile.

The targets are step ≤ 0.2 s, play ≥ 4 quarters/s, page ready ≤ 3 s. This script
prints the figures and never fails on them: timing depends on the machine.
It works on the matplotlib page (charts as <img>) and on the ECharts page (charts as <canvas>
in elements carrying ``data-quarter``), so before and after can be measured the same way.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import signal
import socket
import statistics
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
TARGETS = {"page ready, s": "≤ 3", "step, s": "≤ 0.2", "play, quarters/s": "≥ 4"}


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
    # its own process group: stop() ends the spread's worker with it, even for a tree whose worker
    # does not end with its server by itself
    server = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
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
    stop(server)
    raise SystemExit("the dashboard did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    """End the server, then whatever is left of its process group (an older tree's spread worker)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


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


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        todo += [int(c) for c in children]
    return found


class Timeline:
    """The moments a page load reaches, in seconds from opening the page (``--breakdown``)."""

    def __init__(self, page, url: str) -> None:
        self.started = time.perf_counter()
        self.moments: dict[str, float] = {}
        self.widgets: list[float] = []  # when each widget of the page arrived
        page.on("requestfinished", lambda r: self._request(r.url[len(url) :]))
        page.on("domcontentloaded", lambda: self.mark("DOMContentLoaded"))
        page.on("websocket", self._websocket)

    def mark(self, name: str) -> None:
        self.moments.setdefault(name, time.perf_counter() - self.started)

    def _request(self, path: str) -> None:
        if path == "":
            self.mark("HTML received")
        elif "solara-vuetify-app" in path and path.endswith(".js"):
            self.mark("front-end JavaScript received (3.5 MB)")
        elif "nodeps-vue-sfc" in path:
            self.mark("Vue's template compiler received")

    def _websocket(self, ws) -> None:
        self.mark("websocket open")

        def received(payload) -> None:
            if (b"comm_open" if isinstance(payload, bytes) else "comm_open") in payload:
                self.mark("first widget received")
                self.widgets.append(time.perf_counter() - self.started)

        ws.on("framereceived", received)


def profile_summary(profile: dict, top: int = 6) -> list[str]:
    """Main-thread milliseconds per script from a CDP CPU profile, largest first."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    deltas, per = profile["timeDeltas"], collections.Counter()
    for i, sample in enumerate(profile["samples"]):
        frame = nodes[sample]["callFrame"]
        name = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"]
        if len(name) == 36 and name.count("-") == 4:
            name = "(widget modules)"
        per[name] += deltas[i + 1] if i + 1 < len(deltas) else 0
    busy = sum(v for k, v in per.items() if k != "(idle)")
    lines = [f"browser main thread busy {busy / 1e6:.2f} s:"]
    lines += [f"  {v / 1e6:5.2f} s  {k}" for k, v in per.most_common(top + 1) if k != "(idle)"][:top]
    return lines


def measure(args: argparse.Namespace, root: Path) -> tuple[dict[str, float], list[str]]:
    from playwright.sync_api import sync_playwright

    server, server_s = serve(free_port(), args.lang, root)
    url = f"http://127.0.0.1:{server.args[server.args.index('--port') + 1]}/"
    figures = {"server answers, s": server_s}
    notes: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            timeline = cdp = None
            if args.breakdown:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 250})
                cdp.send("Profiler.start")
                timeline = Timeline(page, url)
                workers = descendants(server.pid)
                cpu_before = cpu_seconds(server.pid), sum(cpu_seconds(w) for w in workers)
            started = time.perf_counter()
            page.goto(url)
            wait_for_quarter(page, 0)
            first_text = time.perf_counter() - started
            page.wait_for_function(CHARTS_AT, arg=0, timeout=60_000, polling="raf")
            figures["page ready, s"] = time.perf_counter() - started
            figures["(first text, s)"] = first_text
            if timeline is not None and cdp is not None:
                cpu_after = cpu_seconds(server.pid), sum(cpu_seconds(w) for w in workers)
                timeline.moments["first text"] = first_text
                before = [s for s in timeline.widgets if s <= first_text]
                if before:
                    timeline.moments[f"last of the first {len(before)} widgets received"] = before[-1]
                timeline.moments["charts drawn (page ready)"] = figures["page ready, s"]
                notes += [f"{s:6.2f} s  {name}" for name, s in sorted(timeline.moments.items(), key=lambda x: x[1])]
                notes += profile_summary(cdp.send("Profiler.stop")["profile"])
                notes.append(
                    f"CPU meanwhile: server {cpu_after[0] - cpu_before[0]:.2f} s, "
                    f"spread worker {cpu_after[1] - cpu_before[1]:.2f} s"
                )
            time.sleep(args.settle)
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
        stop(server)
    return figures, notes


def line(name: str, value: float, extra: str = "") -> str:
    target = ("target " + TARGETS[name]) if name in TARGETS else ""
    return f"{name:<20} {value:6.2f}   {target:<12} {extra}".rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5, help="Step clicks to time (default 5)")
    parser.add_argument("--play", type=int, default=8, help="quarters of Play to time (default 8)")
    parser.add_argument("--lang", default="en", help="page language (default en)")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds to wait after the page is ready before timing Step (default 0: at once, as a hurried trainer)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="measurements per tree, medians printed (default 1)")
    parser.add_argument(
        "--root",
        action="append",
        help="folder holding the dashboard package to serve (e.g. an older version, to compare); "
        "give it several times to measure the trees interleaved (default: this repository)",
    )
    parser.add_argument("--breakdown", action="store_true", help="where the page-ready time goes")
    parser.add_argument("--screenshot", help="save a 1280×720 screenshot here at the end")
    args = parser.parse_args()
    roots = [Path(r) for r in (args.root or [ROOT])]
    print(f"{os.cpu_count()} cores")
    results: dict[Path, list[dict[str, float]]] = {root: [] for root in roots}
    loads: list[float] = []
    for round_ in range(args.repeat):
        for root in roots:
            loads.append(os.getloadavg()[0])
            figures, notes = measure(args, root)
            results[root].append(figures)
            head = f"{root}" if len(roots) > 1 else ""
            if args.repeat > 1 or len(roots) > 1:
                head += f" #{round_ + 1} (load average {loads[-1]:.1f})"
            if head:
                print(head.strip())
            for name, value in figures.items():
                print(line(name, value))
            for note in notes:
                print("   " + note)
    if args.repeat > 1:
        print(f"\nmedians of {args.repeat} (load average {min(loads):.1f}–{max(loads):.1f} before the measurements):")
        for root, runs in results.items():
            if len(roots) > 1:
                print(root)
            for name in runs[0]:
                values = [run[name] for run in runs]
                print(line(name, statistics.median(values), f"(range {min(values):.2f}–{max(values):.2f})"))


if __name__ == "__main__":
    main()
