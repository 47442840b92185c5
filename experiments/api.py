"""The Python API for many runs: ``compare``, ``sweep`` and ``sensitivity``.

Each call runs every policy (at every sweep point or sample) for ``reps`` replications on
common random numbers and returns a result object: its tables as pandas DataFrames, its figures
as matplotlib ``Figure`` objects, and ``save(path)`` writing the whole results folder::

    import experiments
    result = experiments.compare(policies=["finder_keeps", "dedicated_roles_crm"], reps=20, seed=1)
    result.paired[result.paired.metric == "revenue_total"]
    result.plot("golden_fund_revenue")
    result.save("results/mine")

With ``out=PATH`` the runs are saved into that folder as they finish (``resume=True`` finishes
an interrupted folder) and the final files are written at the end. A bad argument raises
``ArgumentError`` naming the parameter; ``seed=None`` draws a fresh seed, recorded in ``.seed``
and in the manifest.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation import MAIN_POLICIES, QUARTER_METRICS, Scenario

from .arguments import (
    DEFAULT_SCENARIO,
    base_scenario,
    fixed_twice,
    override_map,
    policy_names,
    shared_scenario,
    switch_quarter,
    whole_number,
)
from .decision import ROLES_ON_CRM, Decision, decision
from .errors import ArgumentError
from .experiment import Execution, Store, collect, experiment_seed, metric_names, run_experiment, scenario_files
from .labels import FIGURE_CAPTIONS, KEY_METRICS
from .report import Report, differences_table, reading, summary_table, sweep_reading, terminal_table
from .results import ResultsFolder, now
from .runner import Design
from .stats import holm, paired_differences, summarise
from .study import Study, analyse, build_study, noise_warning, require_salib, sample_outputs, samples_digest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ScenarioArg = str | Path | Scenario


def _label(scenario: ScenarioArg | None) -> str:
    """The scenario argument as the manifest records it."""
    if scenario is None:
        return DEFAULT_SCENARIO
    return f"<Scenario '{scenario.name}'>" if isinstance(scenario, Scenario) else str(scenario)


def _call(function: str, given: Mapping[str, Any]) -> str:
    """The Python call the manifest records: the function and the arguments given."""
    return f"experiments.{function}(" + ", ".join(f"{key}={value!r}" for key, value in given.items()) + ")"


def _copy_runs(design: Design, store: Store, folder: ResultsFolder) -> None:
    """Every run of ``store`` into ``folder``'s run store (files copied from a folder, written from memory)."""
    for task in design.tasks():
        if isinstance(store, ResultsFolder):
            shutil.copyfile(store.runs / f"{task.name}.parquet", folder.runs / f"{task.name}.parquet")
        else:
            folder.save_run(task, store.load_run(task))


def _new_folder(design: Design, store: Store, manifest: dict[str, Any], path: str | Path, force: bool) -> ResultsFolder:
    """A new results folder holding the runs and the scenarios of a finished experiment."""
    if not isinstance(path, str | Path):
        raise ArgumentError("path", f"{path!r} is not allowed; allowed: a folder path")
    if isinstance(store, ResultsFolder) and Path(path).resolve() == store.path.resolve():
        return store  # the folder the runs were saved in: its final files are written again
    folder = ResultsFolder.create(Path(path), force=force, parameter="path")
    _copy_runs(design, store, folder)
    for name, text in scenario_files(design).items():
        folder.write_text(name, text)
    folder.write_manifest(manifest)
    return folder


class _Ran:
    """What every result says of the runs behind it: the scenarios and the root seed."""

    design: Design

    @property
    def scenario(self) -> Scenario:
        """The scenario every policy shared: the one given, with the overrides (``scenario.toml``)."""
        return self.design.shared

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """What each policy's runs started from, its settings applied (``scenarios/<policy>.toml``)."""
        return dict(self.design.policy_scenarios)

    @property
    def seed(self) -> int:
        return self.design.seed


@dataclass(repr=False, eq=False)
class ComparisonResult(_Ran):
    """The result of ``compare`` or ``sweep``: tables, figures, and the results folder it writes.

    ``runs``: one row per policy (× sweep point) × replication, with seed and run-summary metrics;
    ``timeseries``: the same rows per quarter; ``summary``: mean and 95% CI per policy (and point);
    ``paired``: each policy minus the baseline (the first policy), paired by replication;
    ``contrasts``: dedicated roles + CRM minus finder keeps + CRM when both ran (does the role change
    add anything on top of a CRM?). Both carry a paired t-test's ``p_value`` and its ``holm``
    adjustment over every row of the two (what ``paired_differences.csv`` holds). ``payback`` (a
    comparison): payback quarter and NPV of each switch (``payback.csv``); ``j_curve``: the running
    profit difference per quarter.
    """

    kind: str  # "compare" or "sweep"
    design: Design
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame
    manifest: dict[str, Any]
    store: Store = field(repr=False)
    folder: Path | None = None  # where the results folder is, once written
    contrasts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def collect(cls, kind: str, design: Design, store: Store, manifest: dict[str, Any]) -> ComparisonResult:
        runs, timeseries = collect(design, store)
        keys = list(design.vary)
        metrics = metric_names(runs, keys)
        summary = summarise(runs, metrics, by=["policy", *keys])
        paired = paired_differences(runs, metrics, design.baseline, by=keys)
        policy, other = ROLES_ON_CRM
        contrasts = paired.iloc[:0]
        if {policy, other} <= set(design.policies) and design.baseline not in ROLES_ON_CRM:
            mine = runs[runs.policy.isin(ROLES_ON_CRM)]
            contrasts = paired_differences(mine, metrics, other, by=keys)
        adjusted = holm(np.concatenate([paired.p_value.to_numpy(float), contrasts.p_value.to_numpy(float)]))
        paired = paired.assign(holm=adjusted[: len(paired)])
        contrasts = contrasts.assign(holm=adjusted[len(paired) :])
        finished = manifest | {"status": "complete", "finished": now()}
        return cls(kind, design, runs, timeseries, summary, paired, finished, store, contrasts=contrasts)

    def __repr__(self) -> str:
        points = f" × {len(self.design.points)} sweep points" if self.keys else ""
        return (
            f"<{type(self).__name__} {self.kind}: {', '.join(self.policies)} × {self.design.replications} "
            f"replications{points} on '{self.scenario.name}', {self.scenario.quarters} quarters, seed {self.seed}>"
        )

    # --- what ran ---------------------------------------------------------------------------------
    @property
    def policies(self) -> list[str]:
        return list(self.design.policies)

    @property
    def baseline(self) -> str:
        return self.design.baseline

    @property
    def keys(self) -> list[str]:
        """The varied keys of a sweep (none for a comparison)."""
        return list(self.design.vary)

    @property
    def metrics(self) -> list[str]:
        return metric_names(self.runs, self.keys)

    @property
    def switch_at(self) -> int:
        """The quarter after which every policy but the first takes over (0: from the start)."""
        return self.design.switch_at

    @property
    def differences(self) -> pd.DataFrame:
        """Every paired test of the result: ``paired`` then ``contrasts`` (``paired_differences.csv``)."""
        return pd.concat([self.paired, self.contrasts], ignore_index=True) if len(self.contrasts) else self.paired

    @cached_property
    def payback(self) -> pd.DataFrame:
        """Per policy against the baseline: payback quarter (median, 10-90%), share never paying back,
        NPV at ``finance.discount_rate`` (mean, 95% CI), probability of being ahead, n (a comparison)."""
        from .payback import PAYBACK_COLUMNS, payback_table

        if self.keys or len(self.policies) < 2:
            return pd.DataFrame(columns=PAYBACK_COLUMNS)
        rate = self.scenario.finance.discount_rate
        table = payback_table(self.timeseries, self.baseline, rate, self.switch_at)
        order = {policy: i for i, policy in enumerate(self.policies)}
        return table.sort_values("policy", key=lambda names: names.map(order), ignore_index=True)

    @cached_property
    def j_curve(self) -> pd.DataFrame:
        """Per policy and quarter: the mean running profit difference against the baseline, 95% CI, n."""
        from .payback import j_curve

        if self.keys or len(self.policies) < 2:
            return pd.DataFrame(columns=["policy", "quarter", "mean", "ci_low", "ci_high", "n"])
        curve = j_curve(self.timeseries, self.baseline)
        order = {policy: i for i, policy in enumerate(self.policies)}
        return curve.sort_values(["policy", "quarter"], key=lambda c: c.map(order) if c.name == "policy" else c)

    # --- reading and figures ----------------------------------------------------------------------
    def table(self) -> str:
        """Key metrics per policy beside the paired differences, as text (a comparison's terminal table)."""
        shown = [m for m in KEY_METRICS if m in self.metrics]
        if self.keys:
            return summary_table(self.summary, shown, self.keys).markdown()
        return terminal_table(self.summary, self.paired, self.policies, shown, self.contrasts)

    def reading(self) -> list[str]:
        """A plain-language reading of the result, generated from the numbers."""
        if self.keys:
            return sweep_reading(self.summary, self.paired, self.policies, self.keys)
        from .payback import reading as payback_reading

        found = reading(self.summary, self.paired, self.policies, self.scenario.quarters, contrasts=self.contrasts)
        return found[:-1] + payback_reading(self.payback, self.scenario.quarters) + found[-1:]

    def decision(self) -> Decision | None:
        """The decision on one page (a comparison of two policies or more), as the report shows it."""
        if self.keys or len(self.policies) < 2:
            return None
        return decision(
            self.differences,
            self.payback,
            self.j_curve,
            self.policies,
            self.scenario.name,
            self.scenario.quarters,
            self.switch_at,
            self.scenario.finance.discount_rate,
            int(self.differences.p_value.notna().sum()),
            self.scenario.department.current_policy,
        )

    def figures(self) -> dict[str, Figure]:
        """The figures the results folder holds, by file name (without ``.png``)."""
        from . import figures

        if self.keys:
            return figures.sweep_figures(self.summary, self.policies, self.keys)
        found: dict[str, Figure] = {}
        if len(self.policies) > 1:
            from .palette import policy_colors
            from .payback import j_curve_figure

            colours = policy_colors(self.policies)
            found["j_curve"] = j_curve_figure(self.j_curve, self.payback, colours, self.switch_at)
        found |= figures.quarter_figures(self.timeseries, self.policies, self.switch_at)
        if len(self.policies) > 1:
            found["paired_differences"] = figures.differences_figure(
                self.paired, [m for m in KEY_METRICS if m in self.metrics]
            )
        return found

    def plot(self, metric: str = "revenue_total", key: str | None = None) -> Figure:
        """One figure of ``metric``.

        A per-quarter metric (``revenue``, ``veteran_skill``, ``turnover``...): its mean per quarter with
        95% CI bands per policy (a comparison only). A run-summary metric: in a comparison, each policy
        minus the baseline with its 95% CI; in a sweep, the metric against ``key`` (default: the first
        varied key).
        """
        from . import figures

        if metric in self.metrics:
            if self.keys:
                if key is not None and key not in self.keys:
                    raise ArgumentError("key", f"'{key}' is not a varied key; allowed: {', '.join(self.keys)}")
                return figures.sweep_figure(self.summary, self.policies, self.keys, key or self.keys[0], metric)
            if len(self.policies) < 2:
                raise ArgumentError(
                    "metric",
                    f"'{metric}' is a run-summary metric, shown as a difference to the "
                    "baseline, and there is one policy; allowed: a per-quarter metric",
                )
            return figures.differences_figure(self.paired, [metric])
        quarterly = [*QUARTER_METRICS, "turnover"]
        if metric in quarterly and not self.keys:
            frame = figures.with_turnover(self.timeseries)
            stats = summarise(frame, [metric], by=["policy", "quarter"])
            return figures.quarter_figure(
                stats, self.policies, f"{metric} per quarter (mean and 95% CI)", [(metric, "")]
            )
        allowed = self.metrics if self.keys else [*self.metrics, *quarterly]
        raise ArgumentError("metric", f"unknown metric '{metric}'; allowed: {', '.join(allowed)}")

    # --- the results folder -----------------------------------------------------------------------
    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the whole results folder at ``path`` (a new folder; ``force=True`` replaces a results folder)."""
        folder = _new_folder(self.design, self.store, self.manifest, path, force)
        self.write(folder)
        return folder.path

    def write(self, folder: ResultsFolder) -> Path:
        """The final files into a folder that holds the runs: tables, figures, report; the manifest complete."""
        from . import figures

        folder.write_csv("summary.csv", self.summary)
        folder.write_csv("paired_differences.csv", self.differences)
        if not self.keys:
            folder.write_csv("payback.csv", self.payback)
        folder.write_parquet("runs.parquet", self.runs)
        folder.write_parquet("timeseries.parquet", self.timeseries)
        pictures = figures.save(self.figures(), folder.path / "figures")
        self.manifest = folder.update_manifest(status="complete", finished=self.manifest["finished"])
        shown = [m for m in KEY_METRICS if m in self.metrics]
        sweep = f" at each of {len(self.design.points)} sweep points" if self.keys else ""
        varying = f", varying {', '.join(self.keys)}" if self.keys else ""
        switch = (
            f" Every policy but {self.baseline} runs as {self.baseline} (the department's current policy) up to "
            f"quarter {self.switch_at}, then switches."
            if self.switch_at
            else ""
        )
        report = Report(
            title=f"salessim {self.kind}: {', '.join(self.policies)} on {self.scenario.name}{varying}",
            notes=[
                f"Scenario '{self.scenario.name}' ({self.scenario.quarters} quarters), {self.design.replications} "
                f"replications per policy{sweep}, root seed {self.seed}. Money in k€; 95% t-based confidence "
                "intervals." + switch
            ],
            reading=self.reading(),
            tables=[
                ("Key metrics per policy", summary_table(self.summary, shown, self.keys)),
                (f"Paired differences against {self.baseline}", differences_table(self.paired, shown, self.keys)),
                *(
                    [
                        (
                            f"{ROLES_ON_CRM[0]} against {ROLES_ON_CRM[1]}: does the role change add anything on "
                            "top of a CRM?",
                            differences_table(self.contrasts, shown, self.keys),
                        )
                    ]
                    if len(self.contrasts)
                    else []
                ),
                ("All run-summary metrics", summary_table(self.summary, self.metrics, self.keys)),
            ],
            figures=pictures,
            decision=self.decision(),
            captions=FIGURE_CAPTIONS,
            scenario_toml=self.scenario.to_toml(),
            manifest=self.manifest,
            folder=folder.path,
        )
        folder.write_text("report.md", report.markdown())
        folder.write_text("report.html", report.html())
        self.folder = folder.path
        return folder.path


@dataclass(repr=False, eq=False)
class SensitivityResult(_Ran):
    """The result of ``sensitivity``: the indices, the samples, the runs, the bar chart, the results folder.

    ``indices``: per parameter its range, the indices with 95% bootstrap half-widths (``*_conf``) and
    its rank; ``samples``: each sample's values, its output (the mean over replications) and n.
    """

    study: Study
    design: Design
    matrix: np.ndarray
    indices: pd.DataFrame
    samples: pd.DataFrame
    manifest: dict[str, Any]
    store: Store = field(repr=False)
    folder: Path | None = None

    @classmethod
    def collect(
        cls, study: Study, design: Design, matrix: np.ndarray, store: Store, manifest: dict[str, Any]
    ) -> SensitivityResult:
        summaries = {task.name: store.load_summary(task) for task in design.tasks()}
        samples = sample_outputs(study, design, summaries)
        indices = analyse(study, matrix, samples["output"].to_numpy(dtype=float), design.seed)
        finished = manifest | {"status": "complete", "finished": now()}
        return cls(study, design, matrix, indices, samples, finished, store)

    def __repr__(self) -> str:
        return (
            f"<SensitivityResult {self.study.method}: {self.study.output_name}, {len(self.design.samples)} samples "
            f"× {self.design.replications} replications on '{self.scenario.name}', seed {self.seed}>"
        )

    @cached_property
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return collect(self.design, self.store)

    @property
    def runs(self) -> pd.DataFrame:
        """One row per policy × sample × replication: seed and run-summary metrics."""
        return self._tables[0]

    @property
    def timeseries(self) -> pd.DataFrame:
        return self._tables[1]

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of every run-summary metric per policy and sample."""
        return summarise(self.runs, metric_names(self.runs, []), by=["policy", "sample"])

    @cached_property
    def paired(self) -> pd.DataFrame:
        """With ``diff``: the policy minus the baseline per sample, paired by replication (else no rows)."""
        metrics = metric_names(self.runs, [])
        runs = self.runs if self.study.paired else self.runs.iloc[:0]
        return paired_differences(runs, metrics, self.study.policies[0], by=["sample"])

    def figures(self) -> dict[str, Figure]:
        """The bar chart of the indices, by file name (without ``.png``)."""
        return {f"sensitivity_{self.study.method}": self.plot()}

    def plot(self) -> Figure:
        """The indices as bars with their 95% confidence intervals, most influential on top."""
        from . import figures

        return figures.sensitivity_figure(self.indices, self.study.method, self.study.output_name)

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the whole results folder at ``path`` (a new folder; ``force=True`` replaces a results folder)."""
        folder = _new_folder(self.design, self.store, self.manifest, path, force)
        self.write(folder)
        return folder.path

    def write(self, folder: ResultsFolder) -> Path:
        """samples.csv, indices.csv, the bar chart, report.md and report.html; the manifest complete."""
        from . import figures
        from .study import report

        folder.write_csv("samples.csv", self.samples)
        folder.write_csv("indices.csv", self.indices)
        pictures = figures.save(self.figures(), folder.path / "figures")
        self.manifest = folder.update_manifest(status="complete", finished=self.manifest["finished"])
        text = report(self.study, self.design, self.indices, self.samples, pictures, self.manifest, folder.path)
        folder.write_text("report.md", text.markdown())
        folder.write_text("report.html", text.html())
        self.folder = folder.path
        return folder.path


# --- one run's scenario, and the three experiments --------------------------------------------------
def resolved_scenario(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    policy: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    quarters: int | None = None,
) -> Scenario:
    """The scenario a run of ``policy`` uses (``resolve_run``), or with no policy the one every policy shares.

    Errors name the parameter at fault; an override that changes nothing for ``policy``
    (``crm.adoption`` without a CRM) is refused.
    """
    base = base_scenario(scenario)
    changes = override_map(overrides, quarters)
    if policy is None:
        return shared_scenario(base, changes)
    design = Design(base, policy_names([policy], "policy"), 1, 0, changes)
    return design.scenario(policy)


# --- the three experiments -------------------------------------------------------------------------
def _grid(vary: object) -> dict[str, tuple[Any, ...]]:
    """The sweep's keys and values: each key once, with distinct values."""
    if not isinstance(vary, Mapping) or not vary:
        raise ArgumentError("vary", f"{vary!r} is not allowed; allowed: {{key: [value, ...], ...}}, one key or more")
    grid: dict[str, tuple[Any, ...]] = {}
    for key, values in vary.items():
        if not isinstance(values, Sequence) or isinstance(values, str) or not values:
            raise ArgumentError("vary", f"{key}: {values!r} is not allowed; allowed: a list of one value or more")
        if len(set(map(repr, values))) < len(values) or len(set(values)) < len(values):
            raise ArgumentError(
                "vary",
                f"{key}: {list(values)!r} repeats a value; allowed: distinct values (a "
                "repeat would be counted as extra replications)",
            )
        grid[key] = tuple(values)
    return grid


def _comparison(
    kind: str,
    scenario: ScenarioArg,
    policies: str | Sequence[str],
    reps: int,
    quarters: int | None,
    seed: int | None,
    overrides: Mapping[str, Any] | None,
    vary: Mapping[str, Sequence[Any]] | None,
    switch_at: int,
    execution: Execution,
    given: dict[str, Any],
) -> ComparisonResult:
    base = base_scenario(scenario)
    names = policy_names(policies)
    whole_number("reps", reps)
    changes = override_map(overrides, quarters)
    grid = _grid(vary) if kind == "sweep" else {}
    fixed_twice("vary", grid, changes, quarters)
    design = Design(base, names, reps, experiment_seed(seed, execution), changes, grid)
    design = replace(design, switch_at=switch_quarter(switch_at, design.scenarios, design.baseline))
    arguments = {
        "scenario": _label(scenario),
        "scenario (hash)": base.digest(),
        "policies": list(names),
        "reps": reps,
        "quarters": quarters,
        "seed": design.seed,
        "overrides": dict(overrides or {}),
        "switch_at": design.switch_at,
    }
    if grid:
        arguments["vary"] = {key: list(values) for key, values in grid.items()}
    points = f" × {len(design.points)} sweep points" if grid else ""
    execution = replace(execution, command=execution.command or _call(kind, given))
    store, manifest = run_experiment(
        kind, design, arguments, execution, f"{len(names)} policies × {reps} replications{points}"
    )
    result = ComparisonResult.collect(kind, design, store, manifest)
    if isinstance(store, ResultsFolder):
        result.write(store)
    return result


def compare(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    policies: str | Sequence[str] = MAIN_POLICIES,
    reps: int = 100,
    *,
    quarters: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    switch_at: int = 0,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    command: Sequence[str] | None = None,
    confirm: bool = False,
) -> ComparisonResult:
    """Compare policies: ``reps`` replications of each on common random numbers; the first policy is the baseline.

    ``scenario``: a preset name, a TOML file or a ``Scenario``; ``overrides``: dotted keys to values
    (``{"crm.adoption": 0.5}``), applied after each policy's own settings; ``quarters``: the horizon
    (default: the scenario's). ``switch_at=Q``: every policy but the first runs as the first (the
    department's current policy, ``department.current_policy``) until quarter ``Q``, then switches;
    a comparison then measures what the switch costs and when it pays back (``payback``).
    ``seed=None`` draws a fresh root seed. ``workers``: processes (default: all cores);
    ``executor="dask"`` runs on a Dask LocalCluster, ``scheduler="tcp://HOST:PORT"`` on an existing one.
    ``out``: a results folder the runs are saved into as they finish, then the final files;
    ``resume=True`` finishes one, ``force=True`` replaces one. ``log``: called with each line of what
    runs where (e.g. ``print``); ``progress``: a progress bar; ``command``: the command line to record
    in the manifest (default: this call). A batch estimated to take over two hours, or more memory or
    disk than is left, is refused before it starts unless ``confirm=True``.
    """
    given = {k: v for k, v in locals().items() if k not in ("log", "command", "progress", "confirm")}
    execution = Execution.checked(workers, executor, scheduler, out, resume, force, progress, log, command, confirm)
    return _comparison(
        "compare", scenario, policies, reps, quarters, seed, overrides, None, switch_at, execution, given
    )


def sweep(
    vary: Mapping[str, Sequence[Any]],
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    policies: str | Sequence[str] = MAIN_POLICIES,
    reps: int = 20,
    *,
    quarters: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    switch_at: int = 0,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    command: Sequence[str] | None = None,
    confirm: bool = False,
) -> ComparisonResult:
    """Compare policies at every combination of ``vary``'s values (``{key: [v1, v2, ...]}``, full factorial).

    Every point runs every policy for ``reps`` replications on the same random streams; the tables
    get the varied keys as extra columns. A varied key must change some policy's runs: ``crm.adoption``
    needs a ``*_crm`` policy. The other arguments are ``compare``'s.
    """
    given = {k: v for k, v in locals().items() if k not in ("log", "command", "progress", "confirm")}
    execution = Execution.checked(workers, executor, scheduler, out, resume, force, progress, log, command, confirm)
    return _comparison("sweep", scenario, policies, reps, quarters, seed, overrides, vary, switch_at, execution, given)


def sensitivity(
    params: Mapping[str, tuple[float, float]],
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    *,
    method: str = "morris",
    metric: str = "revenue_total",
    policy: str | None = None,
    diff: str | Sequence[str] | None = None,
    n: int = 10,
    reps: int = 5,
    quarters: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    command: Sequence[str] | None = None,
    confirm: bool = False,
) -> SensitivityResult:
    """Which scenario keys move ``metric`` (SALib): ``params`` maps keys to ``(low, high)`` ranges.

    ``method="morris"`` (elementary effects; ``n`` trajectories, ``n × (keys + 1)`` samples) or
    ``"sobol"`` (``n`` a power of 2, ``n × (keys + 2)`` samples). The output is ``metric`` under
    ``policy`` (default ``finder_keeps``), or with ``diff=(baseline, policy)`` metric(policy) −
    metric(baseline) on the same random streams; a sample's output is its mean over ``reps``
    replications. Integer keys are rounded. The other arguments are ``compare``'s.
    """
    given = {k: v for k, v in locals().items() if k not in ("log", "command", "progress", "confirm")}
    execution = Execution.checked(workers, executor, scheduler, out, resume, force, progress, log, command, confirm)
    require_salib()
    base = base_scenario(scenario)
    whole_number("reps", reps)
    changes = override_map(overrides, quarters)
    study = build_study(shared_scenario(base, changes), changes, quarters, method, params, metric, policy, diff, n)
    root = experiment_seed(seed, execution)
    matrix = study.sample_matrix(root)
    design = Design(base, study.policies, reps, root, changes, samples=study.samples(matrix))
    design.scenarios  # noqa: B018  (every sample resolved, and checked, before anything starts)
    arguments = {
        "scenario": _label(scenario),
        "scenario (hash)": base.digest(),
        **study.arguments(),
        "reps": reps,
        "quarters": quarters,
        "seed": root,
        "overrides": dict(overrides or {}),
        "samples (hash)": samples_digest(design.samples),
    }
    what = (
        f"{len(design.samples)} {study.method} samples × {reps} replications × {len(study.policies)} "
        f"polic{'ies' if study.paired else 'y'}"
    )
    execution = replace(execution, command=execution.command or _call("sensitivity", given))
    store, manifest = run_experiment("sensitivity", design, arguments, execution, what)
    result = SensitivityResult.collect(study, design, matrix, store, manifest)
    if warning := noise_warning(result.samples, reps):
        execution.say(f"warning: {warning}")
    if isinstance(store, ResultsFolder):
        result.write(store)
    return result


__all__ = ["ComparisonResult", "SensitivityResult", "compare", "resolved_scenario", "sensitivity", "sweep"]
