"""How much one department's luck matters: the same two policies on many other departments.

``spread`` runs ``REPLICATIONS`` departments per side (replications 0..n-1 of the page's seed,
so the department on screen is one of them; each pair on common random numbers) and returns,
per quarter, the 10th, 50th and 90th percentiles of revenue and golden-fund revenue, the
cumulative profit difference (right minus left: the J-curve) with each pair's payback quarter,
plus how often the right-hand policy kept more golden fund than the left-hand one. With
``switch_at`` the right-hand departments run the left-hand policy up to that quarter and then
switch (as the page's live switch does); their runs before it are the left-hand ones, so only
the quarters after the switch are computed again.

The page runs it in a separate process (``Background``), so the server stays responsive while
it computes. The server starts the worker with itself (``Background.start``: it imports the model
then); a page asks for its spread only once its first chart is drawn, so that the spread never
competes with a first render for the CPU (``Background.hold`` can also pause the worker).
"""

from __future__ import annotations

import concurrent.futures
import copy
import functools
import gc
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np

from .lockstep import Levers, build_model, switch_model

REPLICATIONS = 24
COLUMNS = ("revenue", "golden_fund_revenue")
HOLD_LIMIT = 10.0  # seconds a loading page may hold the worker at most


@dataclass(frozen=True)
class Spread:
    """Percentile bands per side and column: ``bands[side][column] = (p10, p50, p90)`` per quarter."""

    replications: int
    quarters: int
    bands: tuple[dict[str, tuple[list[float], list[float], list[float]]], ...]
    right_keeps_more: int  # departments where the right side ends with more golden-fund revenue
    shown_rank: int  # where the department on screen (replication 0) falls among them, by that gap, 1 = lowest
    switch_at: int | None = None  # the right side's switch quarter (None: its policy from quarter 0)
    profit_gap: tuple[list[float], list[float], list[float]] = ((), (), ())  # cumulative, right - left: p10/50/90
    paybacks: tuple[int | None, ...] = ()  # per pair: the payback quarter within the horizon, or None

    def gap_share(self) -> float:
        return self.right_keeps_more / self.replications if self.replications else 0.0

    def paid_back(self) -> int:
        """Pairs whose switch paid back within the horizon."""
        return sum(q is not None for q in self.paybacks)

    def median_payback(self) -> int | None:
        """The median payback quarter over all pairs (those never paying back count as later than
        any), or None if fewer than half pay back within the horizon."""
        ordered = sorted(q for q in self.paybacks if q is not None)
        half = (len(self.paybacks) + 1) // 2
        return ordered[half - 1] if len(ordered) >= half and half else None


def payback_quarter(cumulative: list[float] | np.ndarray, start: int = 0) -> int | None:
    """The first quarter (from ``start``) after which the cumulative difference stays above 0
    up to the last quarter given, or None if it is not above 0 at the last one."""
    values = np.asarray(cumulative, dtype=float)
    if not len(values) or values[-1] <= 0:
        return None
    below = np.flatnonzero(values[: len(values)] <= 0)
    first = int(below[-1]) + 1 if len(below) else 0
    return max(first, start)


def _series(model) -> dict[str, np.ndarray]:
    from simulation.metrics import timeseries

    frame = timeseries(model)
    return {column: frame[column].to_numpy(dtype=float) for column in (*COLUMNS, "profit")}


@functools.lru_cache(maxsize=512)
def _run(
    levers: Levers, policy: str, replication: int, then: str | None = None, at: int | None = None
) -> dict[str, np.ndarray]:
    """One department's figures per quarter: ``policy`` throughout, or up to quarter ``at`` and
    then ``then``. A switched run reuses the unswitched one's model at the switch quarter."""
    if then is None:
        model = build_model(policy, levers, replication=replication)
        for _ in range(model.scenario.quarters):
            model.step()
        return _series(model)
    model = copy.deepcopy(_at_quarter(levers, policy, replication, at))
    switch_model(model, then, levers)
    while model.quarter < model.scenario.quarters:
        model.step()
    return _series(model)


@functools.lru_cache(maxsize=64)
def _at_quarter(levers: Levers, policy: str, replication: int, at: int):
    model = build_model(policy, levers, replication=replication)
    while model.quarter < at:
        model.step()
    return model


def spread(
    levers: Levers,
    policies: tuple[str, str],
    replications: int = REPLICATIONS,
    switch_at: int | None = None,
    hold=None,
    quiet=None,
) -> Spread:
    """Run the departments and summarise them (about 0.06 s per department of 20 quarters).
    ``hold``: an event that, while set, pauses the work between departments; ``quiet``: a shared
    value, a ``time.monotonic()`` until which to pause likewise (a page is busy with a Step)."""
    left, right = policies
    runs: tuple[list, list] = ([], [])
    for replication in range(replications):
        _wait(hold, quiet)
        runs[0].append(_run(levers, left, replication))
        _wait(hold, quiet)
        if switch_at is None:
            runs[1].append(_run(levers, right, replication))
        else:
            runs[1].append(_run(levers, left, replication, right, switch_at))
    bands = []
    for side in (0, 1):
        per_column = {}
        for column in COLUMNS:
            low, mid, high = np.percentile(np.vstack([run[column] for run in runs[side]]), [10, 50, 90], axis=0)
            per_column[column] = (low.tolist(), mid.tolist(), high.tolist())
        bands.append(per_column)
    gaps = np.vstack([np.cumsum(b["profit"] - a["profit"]) for a, b in zip(*runs, strict=True)])
    profit_gap = tuple(p.tolist() for p in np.percentile(gaps, [10, 50, 90], axis=0))
    start = switch_at or 0
    paybacks = tuple(
        payback_quarter(gap, start) if switch_at is None or switch_at < len(gap) - 1 else None for gap in gaps
    )
    final = [np.array([run["golden_fund_revenue"][-1] for run in runs[side]]) for side in (0, 1)]
    golden = final[1] - final[0]
    rank = int((golden < golden[0]).sum()) + 1
    return Spread(
        replications, int(levers.quarters), tuple(bands), int((golden > 0).sum()), rank, switch_at, profit_gap, paybacks
    )


def _wait(hold, quiet=None) -> None:
    """Wait while held or asked to keep quiet, at most ``HOLD_LIMIT`` seconds."""
    deadline = time.monotonic() + HOLD_LIMIT
    while (now := time.monotonic()) < deadline and (
        (hold is not None and hold.is_set()) or (quiet is not None and now < quiet.value)
    ):
        time.sleep(0.02)


_HOLD = None  # the worker's copies of the pause event and of the quiet-until time
_QUIET = None


def _start_worker(hold, quiet, server: int) -> None:
    """The worker yields the CPU to the server and the browser (a Step must stay quick), and ends
    with the server (process ``server``): a spread left computing for a server that has gone would
    only take the CPU."""
    global _HOLD, _QUIET
    _HOLD, _QUIET = hold, quiet
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which ends this worker
    if hasattr(os, "nice"):
        os.nice(10)
    threading.Thread(target=_end_with, args=(server,), name="salessim-spread-parent", daemon=True).start()
    gc.freeze()  # the modules it has imported: the cyclic collector's full passes need not visit them


def _end_with(parent: int) -> None:
    """End this process once ``parent`` has ended (this process is then adopted: its parent id
    changes), even in the middle of a spread. A thread rather than PR_SET_PDEATHSIG, which fires
    when the *thread* that started the worker ends (a page's task thread may start it)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _spread_in_worker(*args) -> Spread:
    return spread(*args, hold=_HOLD, quiet=_QUIET)


def _ready() -> bool:
    """Nothing to do: submitted to start the worker, which imports this module (and the model) to run it."""
    return True


class Background:
    """One worker process for the spreads, shared by every page of this server, with a cache.

    ``hold()`` pauses the worker while a page loads (until ``release()``, at most ``HOLD_LIMIT``
    seconds): the page's first render gets the CPU, the spread comes a moment later. ``quiet(s)``
    pauses it for the next ``s`` seconds: a page calls it on every Step, so that a spread computed
    meanwhile never slows the Step down (measured: +40 ms a Step while a spread ran, even with the
    worker at the lowest priority)."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple, concurrent.futures.Future] = {}
        self._context = multiprocessing.get_context("spawn")
        self._hold = None
        self._quiet = None
        self._holders = 0

    def _ensure_pool(self) -> None:
        if self._pool is None:
            self._hold = self._context.Event()
            self._quiet = self._context.Value("d", 0.0, lock=False)  # time.monotonic() is the machine's
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=self._context,
                initializer=_start_worker,
                initargs=(self._hold, self._quiet, os.getpid()),
            )

    def start(self) -> concurrent.futures.Future:
        """Start the worker process now, so that it has imported the model before a page asks for a spread."""
        with self._lock:
            self._ensure_pool()
            return self._pool.submit(_ready)

    def submit(
        self, levers: Levers, policies: tuple[str, str], replications: int = REPLICATIONS, switch_at: int | None = None
    ) -> concurrent.futures.Future:
        key = (levers, policies, replications, switch_at)
        with self._lock:
            if key not in self._cache:
                self._ensure_pool()
                self._cache[key] = self._pool.submit(_spread_in_worker, levers, policies, replications, switch_at)
            return self._cache[key]

    def hold(self) -> None:
        with self._lock:
            self._holders += 1
            if self._hold is not None:
                self._hold.set()

    def quiet(self, seconds: float) -> None:
        """Pause the worker (between departments) for the next ``seconds``."""
        if self._quiet is not None:
            self._quiet.value = max(self._quiet.value, time.monotonic() + seconds)

    def close(self) -> None:
        """End the worker now (the server is stopping): queued spreads are dropped."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._cache.clear()
        if pool is not None:
            from experiments.runner import stop_pool

            stop_pool(pool)

    def release(self) -> None:
        with self._lock:
            self._holders = max(0, self._holders - 1)
            if self._hold is not None and not self._holders:
                self._hold.clear()


BACKGROUND = Background()
