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

import math
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
from .errors import ArgumentError, Interrupted
from .experiment import Execution, Store, collect, experiment_seed, metric_names, run_experiment, scenario_files
from .labels import FIGURE_CAPTIONS, KEY_METRICS, label, policy_name
from .processes import terminate_as_interrupt
from .report import (
    Report,
    Table,
    differences_table,
    interval,
    lhs_reading,
    num,
    reading,
    summary_table,
    sweep_reading,
    terminal_table,
    trend_reading,
)
from .results import ResultsFolder, now
from .runner import Design
from .stats import holm, paired_differences, summarise
from .study import (
    Range,
    Study,
    analyse,
    build_study,
    noise_warning,
    require_salib,
    sample_outputs,
    samples_digest,
)

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


# --- a Latin-hypercube sweep -----------------------------------------------------------------------
DESIGNS = ("grid", "lhs")
RangesArg = str | Path | Mapping[str, Sequence[float]]


@dataclass(frozen=True)
class Sampling:
    """What a Latin-hypercube sweep samples: ``samples`` points over ``ranges``, drawn from the root seed.

    The points are ``experiments.discover.lhs_points(ranges, samples, seed)``: the same root seed and
    ranges give the same points (and the same points as ``discover`` would draw).
    """

    ranges: tuple[Range, ...]
    samples: int
    source: str  # where the ranges came from: a file, or "ranges" for a mapping

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.ranges]

    def arguments(self) -> dict[str, Any]:
        """What a resumed sweep must repeat (the manifest's arguments)."""
        return {"design": "lhs", "samples": self.samples, "ranges": {r.key: [r.low, r.high] for r in self.ranges}}

    def toml(self, seed: int) -> str:
        """``ranges.toml``: the ranges as a ranges file that reruns the same points."""
        lines = [
            "# The ranges of this Latin-hypercube sweep: key = [low, high] (integer keys sampled as whole numbers).",
            f"# The same points again: salessim sweep --design lhs --samples {self.samples} --ranges ranges.toml "
            f"--scenario scenario.toml --seed {seed} (and the same --policies and --reps).",
        ]
        return "\n".join([*lines, *(f'"{r.key}" = [{r.low!r}, {r.high!r}]' for r in self.ranges)]) + "\n"


def _design_choice(design: object, vary: object, samples: object, ranges: object) -> bool:
    """Whether the sweep samples a Latin hypercube (``design="lhs"``); a bad combination names its parameter."""
    if not isinstance(design, str) or design not in DESIGNS:
        raise ArgumentError(
            "design",
            f"{design!r} is not allowed; allowed: 'grid' (every combination of {{vary}}) or 'lhs' ({{samples}} "
            "Latin-hypercube points within {ranges})",
        )
    if design == "grid":
        for name, value in (("samples", samples), ("ranges", ranges)):
            if value is not None:
                raise ArgumentError(
                    name,
                    f"{value!r} is not allowed with {{design}} 'grid' (every combination of {{vary}}); allowed: "
                    f"{{design}} 'lhs' with {{samples}} and {{ranges}}, or no {{{name}}}",
                )
        return False
    if vary is not None:
        raise ArgumentError(
            "vary",
            f"{vary!r} is not allowed with {{design}} 'lhs' (its points are sampled within {{ranges}}); allowed: "
            "no {vary}, or {design} 'grid' for every combination of given values",
        )
    if samples is None:
        raise ArgumentError(
            "samples", "none given for {design} 'lhs'; allowed: a whole number >= 2 (the Latin-hypercube points)"
        )
    whole_number("samples", samples, minimum=2)
    if ranges is None:
        raise ArgumentError(
            "ranges",
            "none given for {design} 'lhs'; allowed: a TOML file of key = [low, high] (as discover's), or "
            "{key: (low, high), ...}",
        )
    return True


def _sampling(
    shared: Scenario,
    policies: Sequence[str],
    samples: int | None,
    ranges: RangesArg | None,
    changes: Mapping[str, Any],
    quarters: int | None,
) -> Sampling:
    """The checked ranges (known numeric keys, low < high, bounds allowed, read by some policy, not fixed too)."""
    from .discover import checked_ranges

    try:
        found, _, source = checked_ranges(shared, policies, ranges, changes, quarters)
    except ArgumentError as error:  # a mapping's errors need no "ranges: " of their own
        problem = error.problem.removeprefix("ranges: ") if isinstance(ranges, Mapping) else error.problem
        raise ArgumentError("ranges", problem) from None
    assert samples is not None  # checked by _design_choice
    return Sampling(found, samples, "the ranges given" if isinstance(ranges, Mapping) else source)


def _sampled_design(design: Design, sampling: Sampling) -> Design:
    """The design with its Latin-hypercube points, every one resolved and checked before anything starts."""
    from .discover import lhs_points

    points = tuple(lhs_points(sampling.ranges, sampling.samples, design.seed))
    design = replace(design, samples=points)
    try:
        design.scenarios  # noqa: B018
    except ArgumentError as error:
        raise ArgumentError("ranges" if error.parameter == "params" else error.parameter, error.problem) from None
    return design


def _with_points(frame: pd.DataFrame, design: Design, keys: Sequence[str]) -> pd.DataFrame:
    """``frame`` (with a ``sample`` column) with each sample's values as columns after it."""
    values = pd.DataFrame(list(design.samples), columns=list(keys))
    where = list(frame.columns).index("sample") + 1
    rows = frame["sample"].to_numpy(dtype=int)
    frame = frame.copy()
    for offset, key in enumerate(keys):
        frame.insert(where + offset, key, values[key].to_numpy()[rows])
    return frame


def sample_effects(
    summary: pd.DataFrame, paired: pd.DataFrame, policies: Sequence[str], keys: Sequence[str], metrics: Sequence[str]
) -> pd.DataFrame:
    """Per sample the effect an LHS sweep reads: each policy minus the baseline (its paired difference),
    or with one policy its mean. Columns: policy, baseline, sample, the keys, metric, effect, ci_low, ci_high."""
    columns = ["policy", "baseline", "sample", *keys, "metric", "effect", "ci_low", "ci_high"]
    if len(policies) > 1:
        rows = paired[paired.metric.isin(metrics)].rename(columns={"mean_diff": "effect"})
    else:
        rows = summary[summary.metric.isin(metrics)].rename(columns={"mean": "effect"}).assign(baseline=None)
    return rows[columns].reset_index(drop=True)


def effects_table(effects: pd.DataFrame, ranges: Sequence[Range]) -> pd.DataFrame:
    """The effect against each sampled key: its rank correlation (Spearman) with the key over the samples,
    and its mean over the samples in the lower and the upper half of the key's range."""
    rows = []
    for (policy, baseline, metric), group in effects.groupby(
        ["policy", "baseline", "metric"], sort=False, dropna=False
    ):
        defined = group.dropna(subset=["effect"])
        for r in ranges:
            lower = defined[r.key] < (r.low + r.high) / 2
            rho = _rank_correlation(defined[r.key], defined["effect"])
            rows.append(
                {
                    "policy": policy,
                    "baseline": baseline,
                    "metric": metric,
                    "key": r.key,
                    "rank_correlation": rho,
                    "lower_half_mean": defined.effect[lower].mean(),
                    "upper_half_mean": defined.effect[~lower].mean(),
                    "samples": len(defined),
                }
            )
    columns = ["policy", "baseline", "metric", "key", "rank_correlation", "lower_half_mean", "upper_half_mean"]
    return pd.DataFrame(rows, columns=[*columns, "samples"])


def _rank_correlation(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation: the Pearson correlation of the ranks (NaN when either side is constant)."""
    if len(x) < 3 or x.nunique() < 2 or y.nunique() < 2:
        return math.nan
    return float(np.corrcoef(x.rank().to_numpy(float), y.rank().to_numpy(float))[0, 1])


def _effect_name(policy: object, baseline: object) -> str:
    """A difference's name ("P minus B"), or with no baseline the policy's own."""
    name = policy_name(str(policy))
    return f"{name} minus {policy_name(baseline)}" if isinstance(baseline, str) else name


def _key_text(value: object) -> str:
    return num(float(value)) if isinstance(value, float | np.floating) else str(value)


def lhs_figure(effects: pd.DataFrame, keys: Sequence[str], metric: str, colours: Mapping[str, str]) -> Figure:
    """The effect at each sample against each sampled key (one panel per key), with its 95% CI."""
    from matplotlib import figure as mpl
    from matplotlib.ticker import MaxNLocator

    rows = effects[effects.metric == metric]
    cols = min(3, len(keys))
    fig = mpl.Figure(figsize=(4.2 * cols, 0.6 + 3.2 * -(-len(keys) // cols)), layout="tight")
    axes = fig.subplots(-(-len(keys) // cols), cols, squeeze=False, sharey=True)
    baselines = rows.baseline.dropna()
    for ax, key in zip(axes.flat, keys, strict=False):
        for policy, mine in rows.groupby("policy", sort=False):
            ax.errorbar(
                mine[key],
                mine.effect,
                yerr=[(mine.effect - mine.ci_low).fillna(0), (mine.ci_high - mine.effect).fillna(0)],
                fmt="o",
                markersize=4,
                elinewidth=0.8,
                alpha=0.8,
                color=colours[str(policy)],
                label=policy_name(str(policy)),
            )
        if len(baselines):
            ax.axhline(0, color="black", linewidth=0.8)
        ax.set(xlabel=key)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize="small")
    against = f"each policy minus {policy_name(baselines.iloc[0])}" if len(baselines) else "the mean"
    fig.suptitle(f"{label(metric)}: {against} at each sample (95% CI)")
    return fig


LHS_CAPTION = (
    "One point per Latin-hypercube sample and policy, against each sampled key (the other keys vary too), with its "
    "95% CI over the replications: a trend along a key shows what the effect depends on."
)


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
    profit difference per quarter. A Latin-hypercube sweep (``sampling``): the tables have a ``sample``
    column and the sampled keys; ``effects``: the effect against each sampled key (``effects.csv``).
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
    sampling: Sampling | None = None  # a Latin-hypercube sweep's ranges and samples

    @classmethod
    def collect(
        cls, kind: str, design: Design, store: Store, manifest: dict[str, Any], sampling: Sampling | None = None
    ) -> ComparisonResult:
        runs, timeseries = collect(design, store)
        keys = list(design.vary)
        if sampling is not None:
            runs, timeseries = (_with_points(frame, design, sampling.keys) for frame in (runs, timeseries))
            keys = ["sample", *sampling.keys]
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
        return cls(
            kind, design, runs, timeseries, summary, paired, finished, store, contrasts=contrasts, sampling=sampling
        )

    def __repr__(self) -> str:
        points = f" × {len(self.design.points)} sweep points" if self.keys else ""
        if self.sampling is not None:
            points = f" × {self.sampling.samples} Latin-hypercube samples"
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
        """The varied keys of a sweep, gridded or sampled (none for a comparison)."""
        return self.sampling.keys if self.sampling is not None else list(self.design.vary)

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
    @cached_property
    def effects(self) -> pd.DataFrame:
        """A Latin-hypercube sweep's effect against each sampled key, per policy (minus the baseline) and metric:
        the rank correlation over the samples, the mean in the lower and the upper half of the key's range."""
        if self.sampling is None:
            return pd.DataFrame()
        effects = sample_effects(self.summary, self.paired, self.policies, self.keys, self.metrics)
        return effects_table(effects, self.sampling.ranges)

    def _sample_effects(self, metrics: Sequence[str]) -> pd.DataFrame:
        return sample_effects(self.summary, self.paired, self.policies, self.keys, metrics)

    @property
    def _reading_metric(self) -> str:
        return "profit_total" if "profit_total" in self.metrics else self.metrics[0]

    def table(self) -> str:
        """Key metrics per policy beside the paired differences, as text (a comparison's terminal table)."""
        shown = [m for m in KEY_METRICS if m in self.metrics]
        if self.sampling is not None:
            return self._effects_report_table(shown).markdown()
        if self.keys:
            return summary_table(self.summary, shown, self.keys).markdown()
        return terminal_table(self.summary, self.paired, self.policies, shown, self.contrasts)

    def reading(self) -> list[str]:
        """A plain-language reading of the result, generated from the numbers."""
        if self.sampling is not None:
            metric = self._reading_metric
            effects = self._sample_effects([metric])
            return lhs_reading(effects, self.effects, self.sampling, metric, self.design.replications)
        if self.keys:
            return sweep_reading(self.summary, self.paired, self.policies, self.keys)
        from .payback import reading as payback_reading

        found = reading(self.summary, self.paired, self.policies, self.scenario.quarters, contrasts=self.contrasts)
        current = self.scenario.department.current_policy
        trend = trend_reading(self.timeseries, current) if current in self.policies else []
        return found[:1] + trend + found[1:-1] + payback_reading(self.payback, self.scenario.quarters) + found[-1:]

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

        if self.sampling is not None:
            from .palette import policy_colors

            shown = [m for m in KEY_METRICS if m in self.metrics]
            effects, colours = self._sample_effects(shown), policy_colors(self.policies)
            return {f"lhs__{metric}": lhs_figure(effects, self.keys, metric, colours) for metric in shown}
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
        varied key); in a Latin-hypercube sweep, each policy minus the baseline (or with one policy, its
        mean) at each sample against ``key`` (default: every sampled key, a panel each).
        """
        from . import figures

        if metric in self.metrics:
            if self.keys:
                if key is not None and key not in self.keys:
                    raise ArgumentError("key", f"'{key}' is not a varied key; allowed: {', '.join(self.keys)}")
                if self.sampling is not None:
                    from .palette import policy_colors

                    keys = [key] if key is not None else self.keys
                    return lhs_figure(self._sample_effects([metric]), keys, metric, policy_colors(self.policies))
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
        if self.sampling is not None:
            folder.write_csv("effects.csv", self.effects)
            folder.write_text("ranges.toml", self.sampling.toml(self.seed))
        folder.write_parquet("runs.parquet", self.runs)
        folder.write_parquet("timeseries.parquet", self.timeseries)
        pictures = figures.save(self.figures(), folder.path / "figures")
        self.manifest = folder.update_manifest(status="complete", finished=self.manifest["finished"])
        report = (
            self._lhs_report(pictures, folder.path) if self.sampling is not None else self._report(pictures, folder)
        )
        folder.write_text("report.md", report.markdown())
        folder.write_text("report.html", report.html())
        self.folder = folder.path
        return folder.path

    def _switch_note(self) -> str:
        return (
            f" Every policy but {self.baseline} runs as {self.baseline} (the department's current policy) up to "
            f"quarter {self.switch_at}, then switches."
            if self.switch_at
            else ""
        )

    def _report(self, pictures: list[Path], folder: ResultsFolder) -> Report:
        """The report of a comparison or a grid sweep."""
        shown = [m for m in KEY_METRICS if m in self.metrics]
        sweep = f" at each of {len(self.design.points)} sweep points" if self.keys else ""
        varying = f", varying {', '.join(self.keys)}" if self.keys else ""
        switch = self._switch_note()
        return Report(
            title=f"salessim {self.kind}: {', '.join(map(policy_name, self.policies))} on "
            f"{self.scenario.name}{varying}",
            notes=[
                f"Scenario '{self.scenario.name}' ({self.scenario.quarters} quarters), {self.design.replications} "
                f"replications per policy{sweep}, root seed {self.seed}. Money in k€; 95% t-based confidence "
                "intervals." + switch
            ],
            reading=self.reading(),
            tables=[
                ("Key metrics per policy", summary_table(self.summary, shown, self.keys)),
                (
                    f"Paired differences against {policy_name(self.baseline)}",
                    differences_table(self.paired, shown, self.keys),
                ),
                *(
                    [
                        (
                            f"{policy_name(ROLES_ON_CRM[0])} against {policy_name(ROLES_ON_CRM[1])}: does the role "
                            "change add anything on "
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
            scenario=self.scenario,
            manifest=self.manifest,
            folder=folder.path,
        )

    def _lhs_report(self, pictures: list[Path], folder: Path) -> Report:
        """The report of a Latin-hypercube sweep: the effect against each sampled key, per sample, the scatters."""
        assert self.sampling is not None
        shown = [m for m in KEY_METRICS if m in self.metrics]
        metric, n = self._reading_metric, self.sampling.samples
        return Report(
            title=f"salessim sweep: {', '.join(map(policy_name, self.policies))} on {self.scenario.name}, {n} "
            "Latin-hypercube "
            f"samples of {', '.join(self.keys)}",
            notes=[
                f"Scenario '{self.scenario.name}' ({self.scenario.quarters} quarters), {self.design.replications} "
                f"replications per policy at each of {n} Latin-hypercube samples within {self.sampling.source} "
                f"(ranges.toml; integer keys as whole numbers), root seed {self.seed}. Money in k€; 95% t-based "
                "confidence intervals. Every metric at every sample: summary.csv and paired_differences.csv; the "
                "effect against each key: effects.csv." + self._switch_note()
            ],
            reading=self.reading(),
            tables=[
                ("Effect against each sampled key", self._effects_report_table(shown)),
                (f"Per sample: {label(metric)}", self._samples_report_table(metric)),
            ],
            figures=pictures,
            captions=FIGURE_CAPTIONS | {f"lhs__{m}": LHS_CAPTION for m in shown},
            scenario=self.scenario,
            manifest=self.manifest,
            folder=folder,
        )

    def _effects_report_table(self, metrics: Sequence[str]) -> Table:
        headers = ["effect", "metric", "sampled key", "rank correlation", "mean, lower half", "mean, upper half"]
        rows = [
            [
                _effect_name(row.policy, row.baseline),
                label(str(row.metric)),
                str(row.key),
                num(float(row.rank_correlation), True),
                num(float(row.lower_half_mean), isinstance(row.baseline, str)),
                num(float(row.upper_half_mean), isinstance(row.baseline, str)),
                str(row.samples),
            ]
            for _, row in self.effects.iterrows()
            if row.metric in metrics
        ]
        return Table([*headers, "samples"], rows)

    def _samples_report_table(self, metric: str) -> Table:
        effects = self._sample_effects([metric])
        pairs = effects[["policy", "baseline"]].drop_duplicates()
        names = [_effect_name(row.policy, row.baseline) for _, row in pairs.iterrows()]
        rows = []
        for sample, group in effects.groupby("sample", sort=False):
            first = group.iloc[0]
            cells = [
                f"{num(float(row.effect), isinstance(row.baseline, str))} "
                f"{interval(float(row.ci_low), float(row.ci_high), isinstance(row.baseline, str))}"
                for _, row in group.iterrows()
            ]
            rows.append([str(sample), *(_key_text(first[key]) for key in self.keys), *cells])
        return Table(["sample", *self.keys, *names], rows)


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
    lhs: tuple[int | None, RangesArg | None] | None = None,
) -> ComparisonResult:
    base = base_scenario(scenario)
    names = policy_names(policies)
    whole_number("reps", reps)
    changes = override_map(overrides, quarters)
    sampling = _sampling(shared_scenario(base, changes), names, *lhs, changes, quarters) if lhs else None
    grid = _grid(vary) if kind == "sweep" and sampling is None else {}
    fixed_twice("vary", grid, changes, quarters)
    design = Design(base, names, reps, experiment_seed(seed, execution), changes, grid)
    if sampling is not None:
        design = _sampled_design(design, sampling)
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
    if sampling is not None:
        arguments |= sampling.arguments() | {"samples (hash)": samples_digest(design.samples)}
        points = f" × {sampling.samples} Latin-hypercube samples of {len(sampling.ranges)} keys"
    execution = replace(execution, command=execution.command or _call(kind, given))
    what = f"{len(names)} polic{'ies' if len(names) > 1 else 'y'} × {reps} replication{'s' * (reps > 1)}{points}"
    store, manifest = run_experiment(kind, design, arguments, execution, what)
    with terminate_as_interrupt():
        try:
            result = ComparisonResult.collect(kind, design, store, manifest, sampling)
            if isinstance(store, ResultsFolder):
                result.write(store)
        except KeyboardInterrupt:  # every run is saved; only the tables and the report are missing
            if not isinstance(store, ResultsFolder):
                raise
            store.update_manifest(status="interrupted", interrupted=now())
            total = len(design.tasks())
            raise Interrupted(total, total, store.path) from None
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
    vary: Mapping[str, Sequence[Any]] | None = None,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    policies: str | Sequence[str] = MAIN_POLICIES,
    reps: int = 20,
    *,
    design: str = "grid",
    samples: int | None = None,
    ranges: RangesArg | None = None,
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
    """Compare policies at every combination of ``vary``'s values (``{key: [v1, v2, ...]}``, full factorial),
    or with ``design="lhs"`` at ``samples`` Latin-hypercube points within ``ranges``.

    Every point runs every policy for ``reps`` replications on the same random streams; the tables
    get the varied keys as extra columns. A varied key must change some policy's runs: ``crm.adoption``
    needs a ``*_crm`` policy. ``design="lhs"``: ``ranges`` is a TOML file of ``key = [low, high]`` (as
    ``discover``'s) or ``{key: (low, high), ...}``; integer keys are sampled as whole numbers; the points
    come from the root seed (the same seed, the same points), and the tables get a ``sample`` column
    before the sampled keys. The other arguments are ``compare``'s.
    """
    given = {k: v for k, v in locals().items() if k not in ("log", "command", "progress", "confirm")}
    if design == "grid" and samples is None and ranges is None:  # the call as recorded before designs existed
        given = {k: v for k, v in given.items() if k not in ("design", "samples", "ranges")}
    lhs = (samples, ranges) if _design_choice(design, vary, samples, ranges) else None
    execution = Execution.checked(workers, executor, scheduler, out, resume, force, progress, log, command, confirm)
    return _comparison(
        "sweep", scenario, policies, reps, quarters, seed, overrides, vary, switch_at, execution, given, lhs
    )


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
