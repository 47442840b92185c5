"""An experiment from start to tables: open the executor and the run store, run the missing tasks, collect them.

``compare``, ``sweep`` and ``sensitivity`` (``experiments.api``) differ in their design and their
final tables; everything in between is here, once: where the runs go (a results folder, resumable,
or memory), the manifest, the progress bar, Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from simulation import SUMMARY_METRICS

from . import executors
from .arguments import root_seed, whole_number, worker_count
from .errors import ArgumentError, Interrupted
from .processes import terminate_as_interrupt, watch_manifest
from .results import MemoryStore, ResultsFolder, check_writable, environment, now
from .runner import Design, RunOutput, Task, execute, run_tasks

tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked after the bar starts

Store = MemoryStore | ResultsFolder


@dataclass(frozen=True)
class Execution:
    """How and where the runs run, and where they are kept: nothing here changes a number."""

    workers: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    out: Path | None = None
    resume: bool = False
    force: bool = False
    progress: bool = True
    log: Callable[[str], None] | None = None
    command: Sequence[str] | str | None = None  # what the manifest records as the command
    confirm: bool = False  # run a batch the estimate says cannot finish in MAX_HOURS or fit in memory

    @classmethod
    def checked(
        cls,
        workers: int | None = None,
        executor: str = "local",
        scheduler: str | None = None,
        out: str | Path | None = None,
        resume: bool = False,
        force: bool = False,
        progress: bool = True,
        log: Callable[[str], None] | None = None,
        command: Sequence[str] | str | None = None,
        confirm: bool = False,
    ) -> Execution:
        """The execution arguments, checked before anything starts (errors name the parameter)."""
        if workers is not None:
            whole_number("workers", workers)
        kind = executors.check(executor, scheduler)
        for name, flag in (("resume", resume), ("force", force), ("progress", progress), ("confirm", confirm)):
            if not isinstance(flag, bool):
                raise ArgumentError(name, f"{flag!r} is not allowed; allowed: True or False")
        if resume and force:
            raise ArgumentError(
                "resume",
                "and {force} together are not allowed; allowed: one of them (resume "
                "finishes a folder, force starts it again)",
            )
        if out is not None and not isinstance(out, str | Path):
            raise ArgumentError(
                "out", f"{out!r} is not allowed; allowed: a folder path, or None to keep the runs in memory"
            )
        if (resume or force) and out is None:
            raise ArgumentError("resume" if resume else "force", "needs {out}, the results folder; allowed: out=PATH")
        if out is not None and not resume:
            check_writable(Path(out), "out", "a folder path")
        path = Path(out) if out is not None else None
        return cls(workers, kind, scheduler, path, resume, force, progress, log, command, confirm)

    def say(self, line: str) -> None:
        if self.log is not None:
            self.log(line)


def experiment_seed(seed: object, execution: Execution) -> int:
    """The root seed: the one given; when resuming without one, the folder's; otherwise a fresh one."""
    if seed is None and execution.resume and execution.out is not None:
        manifest = ResultsFolder(execution.out).manifest_path
        if manifest.exists():
            seed = ResultsFolder(execution.out).manifest().get("root_seed_entropy")
    return root_seed(seed)


# --- how big a batch is, before it starts ----------------------------------------------------------
MAX_HOURS = 2.0  # a batch estimated to take longer is refused unless confirmed
# Seconds of one simulated quarter (a fixed part and a part per seller) and of one run's set-up and
# summary: about 1.5 times what this 2-core machine measures (docs/performance.md), so that a slower
# core is not underestimated by much and a batch is not refused for a fraction of the limit.
QUARTER_SECONDS = 1e-3
SELLER_QUARTER_SECONDS = 6e-5
RUN_SECONDS_FIXED = 0.01
# What the final tables hold per timeseries row (about 40 columns of 8 bytes, pandas' copies included).
TABLE_BYTES_PER_ROW = 40 * 8 * 3
RUN_FILE_BYTES = 20_000  # one run's parquet file in runs/


def task_count(design: Design) -> int:
    """How many runs the design holds (counted, not listed)."""
    return len(design.policies) * (len(design.points) if design.varied else 1) * design.replications


def pending(design: Design, saved: set[str]) -> Iterator[Task]:
    """The tasks not in ``saved``, replication by replication (``Design.execution_order``), generated one by one
    so that memory stays flat however many replications there are."""
    points: list[int | None] = list(range(len(design.points))) if design.varied else [None]
    for replication in range(design.replications):
        for point in points:
            for policy in design.policies:
                task = Task(policy, replication, point)
                if task.name not in saved:
                    yield task


def machine_memory() -> int | None:
    """Bytes of memory available to a new batch (MemAvailable on Linux, else physical memory), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def free_disk(path: Path | None) -> int | None:
    """Bytes free where the results folder goes, or None (no folder, or unknown)."""
    if path is None:
        return None
    where = path.absolute()
    while not where.exists() and where.parent != where:
        where = where.parent
    try:
        return shutil.disk_usage(where).free
    except OSError:
        return None


@dataclass(frozen=True)
class Estimate:
    """What a batch will take: runs, wall time on ``workers``, memory for the final tables, disk."""

    runs: int
    seconds: float
    memory: int
    disk: int
    measured: bool  # the time per run was measured on this machine (else a conservative constant)

    def text(self) -> str:
        return (
            f"{self.runs:,} run{'s' * (self.runs != 1)}, about {duration(self.seconds)}"
            f"{' (measured)' * self.measured}, "
            f"{size(self.memory)} of memory for the tables, {size(self.disk)} on disk"
        )


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    hours = seconds / 3600
    return (
        f"{hours:,.1f} h"
        if hours < 48
        else f"{hours / 24:,.0f} days"
        if hours < 24 * 730
        else f"{hours / 8766:,.0f} years"
    )


def size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if count < 1000:
            return f"{count:.0f} {unit}"
        count /= 1000
    return f"{count:,.0f} PB"


def estimate(design: Design, workers: int, measure: bool = False) -> Estimate:
    """The batch's size before it starts: runs, time, memory (the final tables, flat during the runs) and
    disk (one file per run).

    Time counts the quarters simulated: each run's reported quarters, and the department's history
    once per replication and point, which every policy there shares. A quarter costs a constant and a
    part per seller, or, when ``measure``, what one run measured here costs a quarter (with a margin)."""
    runs = task_count(design)
    scenario = design.shared
    history, quarters = scenario.department.history_quarters, scenario.quarters
    per_quarter = QUARTER_SECONDS + SELLER_QUARTER_SECONDS * scenario.department.sellers
    if measure:
        policy = design.policies[-1]
        started = time.perf_counter()
        execute(design.scenario(policy, 0 if design.varied else None), policy, design.seed, 0)
        per_quarter = 1.5 * (time.perf_counter() - started) / (history + quarters)
    groups = runs / len(design.policies)  # the runs sharing one history: every policy at a replication and point
    seconds = groups * history * per_quarter + runs * (quarters * per_quarter + RUN_SECONDS_FIXED)
    rows = runs * (quarters + 1)
    busy = max(1.0, min(workers, groups))  # a group runs on one worker
    return Estimate(runs, seconds / busy, rows * TABLE_BYTES_PER_ROW, runs * RUN_FILE_BYTES, measure)


def check_size(design: Design, workers: int, execution: Execution, done: int = 0) -> Estimate:
    """Refuse, unless confirmed, a batch that cannot finish in ``MAX_HOURS`` or whose tables exceed the memory
    (or disk) left; announce any batch estimated at over a minute."""
    found = estimate(design, workers)
    if found.seconds > MAX_HOURS * 3600 and found.runs < 10**7:
        found = estimate(design, workers, measure=True)  # near the limit: measure, not guess
    left = 1 - done / max(found.runs, 1)
    memory, disk = machine_memory(), free_disk(execution.out)
    problems = []
    if found.seconds * left > MAX_HOURS * 3600:
        problems.append(f"over {MAX_HOURS:g} h on {workers} worker{'s' * (workers > 1)}")
    if memory is not None and found.memory > memory:
        problems.append(f"more memory than the {size(memory)} available")
    if disk is not None and found.disk * left > disk:
        problems.append(f"more disk than the {size(disk)} free")
    if problems and not execution.confirm:
        raise ArgumentError(
            "reps",
            f"{design.replications:,} replications make {found.text()}: {' and '.join(problems)}; allowed: "
            "fewer replications (or policies, points, samples), or {confirm} to start it anyway",
        )
    if found.seconds > 60 or problems:
        execution.say(f"estimate: {found.text()}")
    return found


class Progress:
    """A progress bar on a terminal; elsewhere (a pipe, a log file) a line on stderr about every 10%."""

    def __init__(self, total: int, initial: int, enabled: bool, label: str = "runs") -> None:
        self.total, self.count, self.label = total, initial, label
        self.started, self.first = time.monotonic(), initial
        self.bar: Any = None
        self.lines = enabled and not sys.stderr.isatty()
        self.next = self._step(initial)
        if enabled and not self.lines:
            self.bar = tqdm(total=total, initial=initial, unit="run", dynamic_ncols=True)

    def _step(self, count: int) -> int:
        tenth = max(1, self.total // 10)
        return (count // tenth + 1) * tenth

    def update(self) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update()
        elif self.lines and (self.count >= self.next or self.count == self.total):
            self.next = self._step(self.count)
            elapsed = time.monotonic() - self.started
            rate = (self.count - self.first) / elapsed if elapsed > 0 else 0.0
            rest = (
                f", about {duration((self.total - self.count) / rate)} left" if rate and self.count < self.total else ""
            )
            print(
                f"{self.count:,}/{self.total:,} {self.label} ({100 * self.count / self.total:.0f}%), "
                f"{duration(elapsed)} elapsed{rest}",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def open_store(kind: str, design: Design, arguments: dict[str, Any], execution: Execution) -> Store:
    """Where finished runs go: the results folder (new, replaced with ``force``, or resumed), or memory."""
    if execution.out is None:
        return MemoryStore()
    checked = {key: value for key, value in arguments.items() if key != "scenario"}
    if execution.resume:
        return ResultsFolder.reopen(execution.out, kind, checked)
    return ResultsFolder.create(execution.out, force=execution.force)


def scenario_files(design: Design) -> dict[str, str]:
    """The scenarios a results folder records: the shared one, and what each policy's runs start from."""
    files = {"scenario.toml": design.shared.to_toml()}
    return files | {f"scenarios/{policy}.toml": design.policy_scenario(policy).to_toml() for policy in design.policies}


def start(
    store: Store, kind: str, arguments: dict[str, Any], design: Design, workers: int, execution: Execution
) -> dict[str, Any]:
    """The manifest before the first run (written, or updated when resuming, in a results folder)."""
    fields = {
        "status": "running",
        "workers": workers,
        "executor": execution.executor,
        "scheduler": execution.scheduler,
        "runs_total": task_count(design),
        "finished": None,
    }
    env = environment(execution.command)
    if isinstance(store, ResultsFolder) and execution.resume:
        manifest = store.manifest()
        resumed = {"time": now(), "command": env.pop("command")}
        env.pop("argv")
        manifest = store.update_manifest(**fields, **env, resumed=[*manifest.get("resumed", []), resumed])
        watch_manifest(store.manifest_path)
        return manifest
    manifest = {
        "subcommand": kind,
        **env,
        "arguments": arguments,
        "root_seed_entropy": design.seed,
        "scenario_hash": design.shared.digest(),
        "scenario_hashes": {policy: design.policy_scenario(policy).digest() for policy in design.policies},
        "started": now(),
        **fields,
        "resumed": [],
    }
    if isinstance(store, ResultsFolder):
        for name, text in scenario_files(design).items():
            store.write_text(name, text)
        store.write_manifest(manifest)
        watch_manifest(store.manifest_path)
    return manifest


def run(design: Design, store: Store, executor: Executor | None = None, progress: bool = True, window: int = 64) -> int:
    """Run the tasks not yet in ``store``, saving each as it finishes; returns how many were run.

    At most ``window`` tasks are in flight at once, so memory stays flat however many there are.
    """
    saved = store.finished()
    total = task_count(design)
    done = sum(1 for task in pending(design, set()) if task.name in saved) if saved else 0
    bar = Progress(total, done, progress)
    count = 0

    def keep(task: Task, output: RunOutput) -> None:
        nonlocal count
        store.save_run(task, output)
        count += 1
        bar.update()

    try:
        run_tasks(design, pending(design, saved), keep, executor, window)
    except BaseException as error:
        if isinstance(store, ResultsFolder):
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            store.update_manifest(status=status, interrupted=now())
        raise
    finally:
        bar.close()
    return count


def run_experiment(
    kind: str, design: Design, arguments: dict[str, Any], execution: Execution, what: str
) -> tuple[Store, dict[str, Any]]:
    """Run the design's missing tasks into its store; the store and the manifest so far.

    ``what`` says what runs, for the first line logged. Ctrl-C raises ``Interrupted`` (a
    ``KeyboardInterrupt``) saying how many runs are saved, after marking the manifest.
    """
    total = task_count(design)
    workers = worker_count(execution.workers, total)
    saved = ResultsFolder(execution.out).finished() if execution.resume and execution.out is not None else set()
    check_size(design, workers, execution, len(saved))
    with terminate_as_interrupt(), executors.open_pool(execution.executor, workers, execution.scheduler) as pool:
        store = open_store(kind, design, arguments, execution)
        manifest = start(store, kind, arguments, design, pool.workers, execution)
        done = sum(1 for task in pending(design, set()) if task.name in store.finished()) if execution.resume else 0
        execution.say(
            f"{kind}: {total} runs ({what}) on '{design.shared.name}', {design.shared.quarters} "
            f"quarters, seed {design.seed}"
            + (f"; resuming: {done} of {total} runs already done" if execution.resume else "")
        )
        if store.path is not None:
            execution.say(f"results: {store.path}")
        execution.say(f"running on {pool.description}, {pool.workers} worker{'s' * (pool.workers > 1)}")
        try:
            run(design, store, pool.executor, execution.progress, window=max(64, 4 * pool.workers))
        except KeyboardInterrupt:
            kept = store.finished()
            raise Interrupted(
                sum(1 for task in pending(design, set()) if task.name in kept), total, store.path
            ) from None
    return store, manifest


def collect(design: Design, store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs and timeseries tables from the run store, in canonical order."""
    points = design.points
    run_rows, idents, outputs = [], [], []
    key = "sample" if design.samples else None
    for task in design.tasks():
        output = store.load_run(task)
        where: dict[str, Any] = {}
        if task.point is not None:
            where = {key: task.point} if key else dict(points[task.point])
        ident = {"policy": task.policy, **where, "replication": task.replication}
        run_rows.append(ident | {"seed": design.seed} | output.summary)
        idents.append(ident)
        outputs.append(output.columns)
    rows = np.repeat(np.arange(len(outputs)), [len(next(iter(columns.values()))) for columns in outputs])
    who = pd.DataFrame(idents).iloc[rows].reset_index(drop=True)  # each run's keys on each of its rows
    return pd.DataFrame(run_rows), pd.concat([who, stacked(outputs)], axis=1)


def stacked(outputs: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The runs' timeseries one under another: a column at a time (as ``pd.concat`` of their
    tables gives it, where every run has the same columns, which is faster by far)."""
    names = list(outputs[0])
    if any(list(columns) != names for columns in outputs):
        return pd.concat([pd.DataFrame(columns) for columns in outputs], ignore_index=True)
    return pd.DataFrame({name: np.concatenate([columns[name] for columns in outputs]) for name in names})


def metric_names(runs: pd.DataFrame, keys: Sequence[str]) -> list[str]:
    """The run-summary metrics: the model's names first, then any others the runs report."""
    taken = {"policy", "replication", "seed", "sample", *keys}
    return [
        *[m for m in SUMMARY_METRICS if m in runs],
        *[str(c) for c in runs if c not in taken and c not in SUMMARY_METRICS],
    ]
