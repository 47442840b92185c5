"""The replication runner: a design's tasks run in-process or on any ``concurrent.futures`` executor.

Replication ``r`` of every policy (and every sweep point) is exactly
``run_simulation(..., seed=seed, replication=r)``: the same random streams, so differences
between policies are paired (common random numbers). Results reach the caller one finished
task at a time, in completion order; the results folder puts them in canonical order.
"""

from __future__ import annotations

import itertools
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation import Scenario, run_simulation


@dataclass(frozen=True)
class Task:
    """One run: a policy, a replication and (in a sweep or sensitivity analysis) the index of a point."""

    policy: str
    replication: int
    point: int | None = None

    @property
    def name(self) -> str:
        """File-safe key of the task, unique within a design."""
        point = "" if self.point is None else f"__p{self.point:04d}"
        return f"{self.policy}{point}__r{self.replication:04d}"


@dataclass(frozen=True)
class Design:
    """Everything that decides an experiment's numbers (and nothing that does not, like workers)."""

    scenario: Scenario  # resolved, with --set and --quarters applied
    policies: tuple[str, ...]
    replications: int
    seed: int
    quarters: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # the --set keys, passed on to each run
    vary: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # sweep: key -> values
    samples: tuple[dict[str, Any], ...] = ()  # sensitivity analysis: one set of overrides per sample

    @property
    def baseline(self) -> str:
        return self.policies[0]

    def points(self) -> list[dict[str, Any]]:
        """The sweep points, full factorial in the order given, or the samples (one empty point for a comparison)."""
        if self.samples:
            return list(self.samples)
        keys = list(self.vary)
        return [dict(zip(keys, values, strict=True)) for values in itertools.product(*self.vary.values())]

    def tasks(self) -> list[Task]:
        """All tasks in canonical order: policy, sweep point (or sample), replication."""
        points = range(len(self.points())) if self.vary or self.samples else [None]
        return [Task(policy, rep, point) for policy in self.policies for point in points
                for rep in range(self.replications)]

    def execution_order(self) -> list[Task]:
        """The tasks replication by replication, so a stopped run leaves whole replications."""
        return sorted(self.tasks(), key=lambda t: (t.replication, t.point or 0, self.policies.index(t.policy)))


@dataclass
class RunOutput:
    """What one task produced: the run summary and the per-quarter timeseries."""

    summary: dict[str, float]
    timeseries: pd.DataFrame


def execute(design: Design, task: Task) -> RunOutput:
    """Run one task (in whichever process the executor chose)."""
    overrides = dict(design.overrides)
    if task.point is not None:
        overrides |= design.samples[task.point] if design.samples else design.points()[task.point]
    result = run_simulation(design.scenario, task.policy, seed=design.seed, replication=task.replication,
                            quarters=design.quarters, overrides=overrides)
    return RunOutput(result.summary, result.timeseries)


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and keeps what is saved."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The default executor: local worker processes that ignore Ctrl-C."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupt)


def run_tasks(design: Design, tasks: Iterable[Task], on_result: Callable[[Task, RunOutput], None],
              executor: Executor | None = None, window: int = 64) -> None:
    """Run ``tasks``, calling ``on_result`` in this process as each one finishes.

    Without an executor the tasks run here, one after the other. With one (a process pool, or
    e.g. a Dask ``Client.get_executor()``), at most ``window`` tasks are in flight, so memory
    stays flat however many tasks there are.
    """
    if executor is None:
        for task in tasks:
            on_result(task, execute(design, task))
        return
    queue = iter(tasks)
    running: dict[Future, Task] = {}
    try:
        while True:
            for task in itertools.islice(queue, window - len(running)):
                running[executor.submit(execute, design, task)] = task
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f].name):
                on_result(running.pop(future), future.result())
    finally:
        for future in running:
            future.cancel()
