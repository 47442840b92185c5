"""An experiment from start to report: run the missing tasks, then build tables, figures, report."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from simulation import SUMMARY_METRICS

from . import figures
from .labels import KEY_METRICS
from .report import Report, differences_table, reading, summary_table
from .results import ResultsFolder, environment, now
from .runner import Design, RunOutput, Task, run_tasks
from .stats import paired_differences, summarise

tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked after the bar starts


@dataclass
class Outcome:
    """The tables an experiment produced and where its report is."""

    summary: pd.DataFrame
    paired: pd.DataFrame
    runs: pd.DataFrame
    report: Path


def start(folder: ResultsFolder, subcommand: str, arguments: dict[str, Any], design: Design, workers: int,
          resume: bool, command_line: Sequence[str] | None = None) -> None:
    """Write (or, when resuming, update) the manifest before the first run."""
    fields = {"status": "running", "workers": workers, "runs_total": len(design.tasks()), "finished": None}
    if resume:
        manifest = folder.manifest()
        env = environment(command_line)
        resumed = {"time": now(), "command": env.pop("command")}
        env.pop("argv")
        folder.update_manifest(**fields, **env, resumed=[*manifest.get("resumed", []), resumed])
        return
    folder.write_text("scenario.toml", design.scenario.to_toml())
    folder.write_manifest({"subcommand": subcommand, **environment(command_line), "arguments": arguments,
                           "root_seed_entropy": design.seed, "scenario_hash": design.scenario.digest(),
                           "started": now(), **fields, "resumed": []})


def run(design: Design, folder: ResultsFolder, executor: Executor | None = None, progress: bool = True,
        window: int = 64) -> int:
    """Run the tasks not yet saved in ``folder``, saving each as it finishes; returns how many were saved.

    At most ``window`` tasks are in flight at once, so memory stays flat however many there are.
    """
    saved = folder.finished()
    todo = [task for task in design.execution_order() if task.name not in saved]
    bar = tqdm(total=len(design.tasks()), initial=len(design.tasks()) - len(todo), unit="run",
               disable=None if progress else True, dynamic_ncols=True)

    def keep(task: Task, output: RunOutput) -> None:
        folder.save_run(task, output)
        bar.update()

    try:
        run_tasks(design, todo, keep, executor, window)
    except KeyboardInterrupt:
        folder.update_manifest(status="interrupted", interrupted=now())
        raise
    except Exception:
        folder.update_manifest(status="failed", interrupted=now())
        raise
    finally:
        bar.close()
    return len(design.tasks()) - len(saved)


def collect(design: Design, folder: ResultsFolder) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs and timeseries tables from the per-run store, in canonical order."""
    points = design.points()
    run_rows, frames = [], []
    for task in design.tasks():
        output = folder.load_run(task)
        ident = {"policy": task.policy, **(points[task.point] if task.point is not None else {}),
                 "replication": task.replication}
        run_rows.append(ident | {"seed": design.seed} | output.summary)
        frame = output.timeseries
        for position, (column, value) in enumerate(ident.items()):
            frame.insert(position, column, value)
        frames.append(frame)
    return pd.DataFrame(run_rows), pd.concat(frames, ignore_index=True)


def metric_names(runs: pd.DataFrame, keys: list[str]) -> list[str]:
    """The run-summary metrics: the model's names first, then any others the runs report."""
    taken = {"policy", "replication", "seed", *keys}
    return [*[m for m in SUMMARY_METRICS if m in runs], *[c for c in runs if c not in taken
                                                          and c not in SUMMARY_METRICS]]


def finish(design: Design, folder: ResultsFolder, title: str) -> Outcome:
    """Build every final file from the per-run store and mark the manifest complete."""
    keys = list(design.vary)
    runs, timeseries = collect(design, folder)
    metrics = metric_names(runs, keys)
    summary = summarise(runs, metrics, by=["policy", *keys])
    paired = paired_differences(runs, metrics, design.baseline, by=keys)
    folder.write_csv("summary.csv", summary)
    folder.write_csv("paired_differences.csv", paired)
    folder.write_parquet("runs.parquet", runs)
    folder.write_parquet("timeseries.parquet", timeseries)

    policies = list(design.policies)
    shown = [m for m in KEY_METRICS if m in metrics]
    if keys:
        pictures = figures.sweep_figures(summary, policies, keys, folder.path / "figures")
        lines = sweep_reading(summary, paired, policies, keys)
    else:
        pictures = figures.quarter_figures(timeseries, policies, folder.path / "figures")
        if len(policies) > 1:
            pictures.append(figures.differences_figure(paired, folder.path / "figures", shown))
        lines = reading(summary, paired, policies, design.scenario.quarters)
    manifest = folder.update_manifest(status="complete", finished=now())
    sweep = f" at each of {len(design.points())} sweep points" if keys else ""
    report = Report(
        title=title,
        notes=[f"Scenario '{design.scenario.name}' ({design.scenario.quarters} quarters), {design.replications} "
               f"replications per policy{sweep}, root seed {design.seed}. Money in k€; 95% t-based "
               "confidence intervals."],
        reading=lines,
        tables=[("Key metrics per policy", summary_table(summary, shown, keys)),
                (f"Paired differences against {design.baseline}", differences_table(paired, shown, keys)),
                ("All run-summary metrics", summary_table(summary, metrics, keys))],
        figures=pictures, scenario_toml=design.scenario.to_toml(), manifest=manifest, folder=folder.path)
    folder.write_text("report.md", report.markdown())
    return Outcome(summary, paired, runs, folder.write_text("report.html", report.html()))


def sweep_reading(summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], keys: list[str]) -> list[str]:
    """Per sweep point: which policy earned most, and each policy's revenue difference to the baseline."""
    sentences = []
    revenue = summary[summary.metric == "revenue_total"]
    for values, point in revenue.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        where = ", ".join(f"{k} = {v}" for k, v in zip(keys, values, strict=True))
        best = point.loc[point["mean"].idxmax()] if point["mean"].notna().any() else None
        text = f"At {where}: " + (f"{best.policy} had the highest mean revenue ({best['mean']:,.0f} k€)"
                                   if best is not None else "revenue undefined")
        diffs = paired[(paired.metric == "revenue_total")]
        for key, value in zip(keys, values, strict=True):
            diffs = diffs[diffs[key] == value]
        parts = [f"{row.policy} {row.mean_diff:+,.0f} k€ [{row.ci_low:+,.0f} to {row.ci_high:+,.0f}]"
                 for _, row in diffs.iterrows()]
        if parts:
            text += f"; revenue minus {policies[0]}: " + "; ".join(parts)
        sentences.append(text + ".")
    return sentences
