"""An experiment from start to tables: open the executor and the run store, run the missing tasks, collect them.

``compare``, ``sweep`` and ``sensitivity`` (``experiments.api``) differ in their design and their
final tables; everything in between is here, once: where the runs go (a results folder, resumable,
or memory), the manifest, the progress bar, Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from simulation import SUMMARY_METRICS

from . import executors
from .arguments import root_seed, whole_number, worker_count
from .errors import ArgumentError, Interrupted
from .results import MemoryStore, ResultsFolder, environment, now
from .runner import Design, RunOutput, Task, run_tasks

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
    ) -> Execution:
        """The execution arguments, checked before anything starts (errors name the parameter)."""
        if workers is not None:
            whole_number("workers", workers)
        kind = executors.check(executor, scheduler)
        for name, flag in (("resume", resume), ("force", force), ("progress", progress)):
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
        return cls(
            workers, kind, scheduler, Path(out) if out is not None else None, resume, force, progress, log, command
        )

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
        "runs_total": len(design.tasks()),
        "finished": None,
    }
    env = environment(execution.command)
    if isinstance(store, ResultsFolder) and execution.resume:
        manifest = store.manifest()
        resumed = {"time": now(), "command": env.pop("command")}
        env.pop("argv")
        return store.update_manifest(**fields, **env, resumed=[*manifest.get("resumed", []), resumed])
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
    return manifest


def run(design: Design, store: Store, executor: Executor | None = None, progress: bool = True, window: int = 64) -> int:
    """Run the tasks not yet in ``store``, saving each as it finishes; returns how many were run.

    At most ``window`` tasks are in flight at once, so memory stays flat however many there are.
    """
    saved = store.finished()
    todo = [task for task in design.execution_order() if task.name not in saved]
    bar = tqdm(
        total=len(design.tasks()),
        initial=len(design.tasks()) - len(todo),
        unit="run",
        disable=None if progress else True,
        dynamic_ncols=True,
    )

    def keep(task: Task, output: RunOutput) -> None:
        store.save_run(task, output)
        bar.update()

    try:
        run_tasks(design, todo, keep, executor, window)
    except BaseException as error:
        if isinstance(store, ResultsFolder):
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            store.update_manifest(status=status, interrupted=now())
        raise
    finally:
        bar.close()
    return len(todo)


def run_experiment(
    kind: str, design: Design, arguments: dict[str, Any], execution: Execution, what: str
) -> tuple[Store, dict[str, Any]]:
    """Run the design's missing tasks into its store; the store and the manifest so far.

    ``what`` says what runs, for the first line logged. Ctrl-C raises ``Interrupted`` (a
    ``KeyboardInterrupt``) saying how many runs are saved, after marking the manifest.
    """
    tasks = design.tasks()
    workers = worker_count(execution.workers, len(tasks))
    with executors.open_pool(execution.executor, workers, execution.scheduler) as pool:
        store = open_store(kind, design, arguments, execution)
        manifest = start(store, kind, arguments, design, pool.workers, execution)
        done = len(store.finished() & {task.name for task in tasks})
        execution.say(
            f"{kind}: {len(tasks)} runs ({what}) on '{design.shared.name}', {design.shared.quarters} "
            f"quarters, seed {design.seed}"
            + (f"; resuming: {done} of {len(tasks)} runs already done" if execution.resume else "")
        )
        if store.path is not None:
            execution.say(f"results: {store.path}")
        execution.say(f"running on {pool.description}, {pool.workers} worker{'s' * (pool.workers > 1)}")
        try:
            run(design, store, pool.executor, execution.progress, window=max(64, 4 * pool.workers))
        except KeyboardInterrupt:
            saved = len(store.finished() & {task.name for task in tasks})
            raise Interrupted(saved, len(tasks), store.path) from None
    return store, manifest


def collect(design: Design, store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs and timeseries tables from the run store, in canonical order."""
    points = design.points
    run_rows, frames = [], []
    key = "sample" if design.samples else None
    for task in design.tasks():
        output = store.load_run(task)
        where: dict[str, Any] = {}
        if task.point is not None:
            where = {key: task.point} if key else dict(points[task.point])
        ident = {"policy": task.policy, **where, "replication": task.replication}
        run_rows.append(ident | {"seed": design.seed} | output.summary)
        frame = output.timeseries
        for position, (column, value) in enumerate(ident.items()):
            frame.insert(position, column, value)
        frames.append(frame)
    return pd.DataFrame(run_rows), pd.concat(frames, ignore_index=True)


def metric_names(runs: pd.DataFrame, keys: Sequence[str]) -> list[str]:
    """The run-summary metrics: the model's names first, then any others the runs report."""
    taken = {"policy", "replication", "seed", "sample", *keys}
    return [
        *[m for m in SUMMARY_METRICS if m in runs],
        *[str(c) for c in runs if c not in taken and c not in SUMMARY_METRICS],
    ]
