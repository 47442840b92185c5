"""The Python API: one run of one policy on one scenario, as a summary and a timeseries."""

from __future__ import annotations

import gc
import pickle
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .metrics import quarter_columns, run_summary
from .model import SalesModel
from .presets import PolicyPreset, before_switch, check_overrides, resolve_policy, resolve_run
from .scenario import Scenario, ScenarioError


@dataclass
class SimulationResult:
    """What one run produced: the run summary, the per-quarter timeseries and the event log.

    ``columns`` holds the timeseries as numpy columns; ``timeseries`` makes the table of them
    when first asked for (a batch that keeps only summaries never builds it)."""

    policy: str
    seed: int
    replication: int
    scenario: Scenario
    summary: dict[str, float]
    columns: dict[str, np.ndarray] = field(repr=False)
    events: list = field(default_factory=list)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """The per-quarter figures, one row per quarter from 0 (the starting state)."""
        return pd.DataFrame(self.columns)


def run_simulation(
    scenario: str | Path | Scenario = "mature_department",
    policy: str | PolicyPreset = "finder_keeps",
    seed: int = 0,
    replication: int = 0,
    quarters: int | None = None,
    overrides: dict[str, Any] | None = None,
    log_events: bool = False,
    switch_at: int = 0,
) -> SimulationResult:
    """Run one department for ``quarters`` (default: the scenario's) and summarise it.

    ``scenario`` is a preset name, a path to a TOML file or a ``Scenario``; ``overrides`` maps
    dotted keys to values. The same arguments always give the same result; replication ``r``
    of every policy on the same seed sees the same market (common random numbers).

    The department runs its current policy (``department.current_policy``) through its history
    and up to quarter ``switch_at``, then ``policy``: up to ``switch_at`` the run is exactly the
    current policy's run.
    """
    seed, replication = whole("seed", seed, 2**63 - 1), whole("replication", replication, 2**63 - 1)
    if quarters is not None:
        quarters = whole("quarters", quarters, 400, low=1)
    switch_at = whole("switch_at", switch_at, 400)
    overrides = dict(overrides or {})
    if quarters is not None:
        overrides["quarters"] = quarters
    preset = resolve_policy(policy)
    params = resolve_run(scenario, preset, overrides)
    if overrides:
        check_overrides(scenario, [preset], overrides)
    with cyclic_gc_paused():
        model = department_at_quarter_zero(params, preset, seed, replication)
        model.plan_switch(preset, params, switch_at)
        model.log_events = log_events
        for _ in range(params.quarters):
            model.step()
        columns, summary = quarter_columns(model), run_summary(model)
        result = SimulationResult(preset.name, seed, replication, params, summary, columns, model.events)
        del model  # garbage now: the pause's end frees it
    return result


class Histories:
    """Departments at quarter 0, kept (pickled) so that the runs of several policies on the same
    replication share one history: it is the same for all of them (the current policy's, on
    common random numbers). Only a speed-up: a kept department continues exactly as a new one."""

    def __init__(self, budget: int = 64 * 2**20) -> None:
        self.kept: OrderedDict[tuple[str, str, int, int], bytes] = OrderedDict()
        self.budget = budget  # bytes

    def department(self, before: Scenario, current: PolicyPreset, seed: int, replication: int) -> SalesModel:
        if before.department.history_quarters == 0:  # nothing to share
            return SalesModel(before, current, seed=seed, replication=replication, log_events=False)
        key = (before.digest(), current.name, seed, replication)
        if key in self.kept:
            self.kept.move_to_end(key)
            return pickle.loads(self.kept[key])
        model = SalesModel(before, current, seed=seed, replication=replication, log_events=False)
        self.kept[key] = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        while sum(map(len, self.kept.values())) > self.budget and len(self.kept) > 1:
            self.kept.popitem(last=False)
        return model


HISTORIES = Histories()


def department_at_quarter_zero(params: Scenario, preset: PolicyPreset, seed: int, replication: int) -> SalesModel:
    """The department at quarter 0, before ``preset`` (resolved to ``params``) takes over."""
    current, before = before_switch(params, preset)
    return HISTORIES.department(before, current, seed, replication)


def whole(name: str, value: Any, high: int, low: int = 0) -> int:
    """``value`` as a whole number in [low, high], or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ScenarioError(f"{name}: {value!r} is not allowed; allowed: a whole number from {low} to {high}")
    return int(value)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one run, as ``timeit`` does.

    A run's agents all live until it ends, so the collector's full passes over them during
    the run free nothing (one takes ~60 ms on a 40,000-client run); reference counting still
    frees everything else at once. Everything the run allocated stays in the youngest
    generation, so at the end one pass over that generation frees the finished model (a
    cycle: the model and its agents point at each other) before the next run starts.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)
