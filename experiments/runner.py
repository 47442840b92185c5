"""The replication runner: a design's tasks run in-process or on any ``concurrent.futures`` executor.

Replication ``r`` of every policy (and every sweep point) is exactly
``run_simulation(resolved_scenario, policy, seed=seed, replication=r, switch_at=design.switch_at)``: the same
random streams, so differences between policies are paired (common random numbers). The policies
of one replication run in one process, one after the other, so they share the department's
history. Results reach the caller one finished task at a time, in completion order; the results
folder puts them in canonical order.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from simulation import Scenario, ScenarioError, check_overrides, resolve_run, run_simulation

from .arguments import owner, resolved, shared_scenario
from .errors import ArgumentError
from .processes import worker_start


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
    """Everything that decides an experiment's numbers (and nothing that does not, like workers).

    ``base`` is the scenario as given (a preset or a file), ``overrides`` the caller's changes to
    it (``quarters`` among them). Each policy at each point (a sweep point or a sensitivity sample)
    runs on ``resolve_run(base, policy, overrides | point)``, resolved once, here, and handed to
    ``run_simulation`` as it is.
    """

    base: Scenario
    policies: tuple[str, ...]
    replications: int
    seed: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    vary: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # sweep: key -> values
    samples: tuple[Mapping[str, Any], ...] = ()  # sensitivity analysis: the values of each sample
    switch_at: int = 0  # every policy runs the department's current policy up to this quarter

    @property
    def baseline(self) -> str:
        return self.policies[0]

    @property
    def varied(self) -> str | None:
        """The parameter the points come from: ``vary`` (a sweep), ``params`` (samples), or None."""
        return "params" if self.samples else "vary" if self.vary else None

    @cached_property
    def shared(self) -> Scenario:
        """The scenario every policy starts from: the base with the overrides, no policy's settings."""
        return shared_scenario(self.base, self.overrides)

    @cached_property
    def points(self) -> tuple[dict[str, Any], ...]:
        """The sweep points, full factorial in the order given, or the samples (one empty point for a comparison)."""
        if self.samples:
            return tuple(dict(sample) for sample in self.samples)
        keys = list(self.vary)
        return tuple(dict(zip(keys, values, strict=True)) for values in itertools.product(*self.vary.values()))

    @cached_property
    def scenarios(self) -> dict[tuple[str, int | None], Scenario]:
        """What each policy runs at each point, resolved once; errors name the parameter at fault.

        A key that changes no run at some point (``crm.adoption`` with no policy using a CRM) is an error.
        """
        self.shared  # noqa: B018  (bad overrides are the overrides' fault, whatever the point)
        indices: list[int | None] = list(range(len(self.points))) if self.varied else [None]
        sources = {"overrides": list(self.overrides), self.varied or "overrides": list(self.points[0])}
        found: dict[tuple[str, int | None], Scenario] = {}
        for index in indices:
            point = self.points[index] if index is not None else {}
            changes = dict(self.overrides) | point
            where = f" (sample {index}: {point})" if self.samples else ""
            try:
                check_overrides(self.base, self.policies, changes)
                for policy in self.policies:
                    found[policy, index] = resolve_run(self.base, policy, changes)
            except ScenarioError as error:
                raise ArgumentError(owner(error, sources, "overrides"), f"{error}{where}") from None
        return found

    @cached_property
    def policy_scenarios(self) -> dict[str, Scenario]:
        """What each policy's runs start from, before a sweep point or sample: what a results folder records."""
        if not self.varied:
            return {policy: self.scenarios[policy, None] for policy in self.policies}
        sources = {"overrides": list(self.overrides)}
        return {policy: resolved(self.base, policy, self.overrides, sources) for policy in self.policies}

    def policy_scenario(self, policy: str) -> Scenario:
        return self.policy_scenarios[policy]

    def scenario(self, policy: str, point: int | None = None) -> Scenario:
        """The resolved scenario of ``policy`` at a point (None: a comparison's only point)."""
        return self.scenarios[policy, point]

    def tasks(self) -> list[Task]:
        """All tasks in canonical order: policy, sweep point (or sample), replication."""
        points: list[int | None] = list(range(len(self.points))) if self.varied else [None]
        return [
            Task(policy, rep, point) for policy in self.policies for point in points for rep in range(self.replications)
        ]

    def execution_order(self) -> list[Task]:
        """The tasks replication by replication, so a stopped run leaves whole replications."""
        return sorted(self.tasks(), key=lambda t: (t.replication, t.point or 0, self.policies.index(t.policy)))


@dataclass
class RunOutput:
    """What one task produced: the run summary and the per-quarter timeseries, as numpy columns
    (light to send between processes and to store; ``timeseries`` makes the table)."""

    summary: dict[str, float]
    columns: dict[str, np.ndarray]

    @property
    def timeseries(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns)


def execute(scenario: Scenario, policy: str, seed: int, replication: int, switch_at: int = 0) -> RunOutput:
    """Run one task on its resolved scenario (in whichever process the executor chose)."""
    result = run_simulation(scenario, policy, seed=seed, replication=replication, switch_at=switch_at)
    return RunOutput(result.summary, result.columns)


def execute_group(runs: list[tuple[Scenario, str]], seed: int, replication: int, switch_at: int = 0) -> list[RunOutput]:
    """The runs of one replication (every policy at one point), one after the other in one process,
    so that they share the department's history (``simulation.run.HISTORIES``)."""
    return [execute(scenario, policy, seed, replication, switch_at) for scenario, policy in runs]


def groups(tasks: Iterable[Task]) -> Iterator[list[Task]]:
    """Consecutive tasks of the same (point, replication), as one job each."""
    for _, group in itertools.groupby(tasks, key=lambda t: (t.point, t.replication)):
        yield list(group)


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and keeps what is saved; they end with it."""
    worker_start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The default executor: local worker processes that ignore Ctrl-C and end with this process.

    Workers are forked (fast) from a process with one thread, as the CLI is; from one running other
    threads (a Jupyter kernel), where forking may deadlock, they start from a fork server.
    """
    method = "fork" if threading.active_count() == 1 and sys.platform == "linux" else None
    if method is None and "forkserver" in multiprocessing.get_all_start_methods():
        method = "forkserver"
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupt, mp_context=context)


def stop_pool(executor: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Stop a pool at once (after Ctrl-C, SIGTERM or an error): queued runs are dropped and the
    workers ended. What they were running was not saved yet; ``--resume`` runs it again."""
    workers = list((executor._processes or {}).values())  # Python 3.12 has no public way to reach them
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout)


def run_tasks(
    design: Design,
    tasks: Iterable[Task],
    on_result: Callable[[Task, RunOutput], None],
    executor: Executor | None = None,
    window: int = 64,
) -> None:
    """Run ``tasks``, calling ``on_result`` in this process as each one finishes.

    Without an executor the tasks run here, one after the other. With one (a process pool, or
    e.g. a Dask ``Client.get_executor()``), consecutive tasks of the same replication and point
    (every policy there) go to one worker as one job, run in order there and share the
    department's history; about ``window`` tasks are in flight, so memory stays flat however
    many tasks there are.
    """
    if executor is None:
        for task in tasks:
            scenario = design.scenario(task.policy, task.point)
            on_result(task, execute(scenario, task.policy, design.seed, task.replication, design.switch_at))
        return
    queue = groups(tasks)
    running: dict[Future, list[Task]] = {}
    in_flight = 0
    try:
        while True:
            while in_flight < window and (group := next(queue, None)) is not None:
                runs = [(design.scenario(task.policy, task.point), task.policy) for task in group]
                future = executor.submit(execute_group, runs, design.seed, group[0].replication, design.switch_at)
                running[future] = group
                in_flight += len(group)
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][0].name):
                group = running.pop(future)
                in_flight -= len(group)
                for task, output in zip(group, future.result(), strict=True):
                    on_result(task, output)
    finally:
        for future in running:
            future.cancel()
