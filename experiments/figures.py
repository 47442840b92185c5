"""Figures: means with 95% CI bands, one line per policy; paired differences; sweeps; sensitivity indices.

Each function returns a ``matplotlib.figure.Figure`` made without pyplot, so nothing here
chooses or changes matplotlib's backend: a notebook shows the figures inline (``display(fig)``,
or a cell's last value) and ``save`` writes them as PNG files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .labels import FROM_QUARTER_1, KEY_METRICS, QUARTER_FIGURES, label, policy_name
from .palette import policy_colors
from .stats import summarise

PNG: dict[str, Any] = {"dpi": 110, "metadata": {"Software": None}}


def save(figures: Mapping[str, Figure], folder: Path) -> list[Path]:
    """Each figure as ``folder/<name>.png`` (same bytes for the same figure); the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        fig.savefig(folder / f"{name}.png", **PNG)
        paths.append(folder / f"{name}.png")
    return paths


def _colours(policies: list[str]) -> dict[str, str]:
    """One colour per policy, the same in every figure and in the dashboard (``experiments.palette``)."""
    return policy_colors(policies)


def with_turnover(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The timeseries plus annualised turnover (undefined at quarter 0, before anyone could quit)."""
    frame = timeseries.copy()
    frame["turnover"] = 4 * frame["quits"] / frame["sellers"].where(frame["sellers"] > 0)
    frame.loc[frame["quarter"] == 0, "turnover"] = float("nan")
    return frame


def quarter_figure(
    stats: pd.DataFrame, policies: list[str], title: str, lines: list[tuple[str, str]], switch_at: int = 0
) -> Figure:
    """Mean per quarter with a 95% CI band per policy; one panel per (column, panel title) of ``lines``.

    ``stats`` is ``summarise(timeseries, columns, by=["policy", "quarter"])``. Columns of work done in
    a quarter (``FROM_QUARTER_1``) start at quarter 1; a switch after quarter ``switch_at`` is marked.
    """
    colours = _colours(policies)
    fig = Figure(figsize=(9 if len(lines) == 1 else 12, 4.2), layout="tight")
    axes = fig.subplots(1, len(lines), squeeze=False, sharey=True)[0]
    for ax, (column, panel) in zip(axes, lines, strict=True):
        for policy in policies:
            rows = stats[(stats.policy == policy) & (stats.metric == column)].dropna(subset=["mean"])
            if column in FROM_QUARTER_1:
                rows = rows[rows.quarter >= 1]
            ax.plot(rows.quarter, rows["mean"], color=colours[policy], label=policy_name(policy))
            ax.fill_between(rows.quarter, rows.ci_low, rows.ci_high, color=colours[policy], alpha=0.18, linewidth=0)
        if switch_at:
            ax.axvline(switch_at, color="grey", linestyle="--", linewidth=1)
        ax.set(title=panel or None, xlabel="quarter")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    fig.suptitle(title + (f" (dashed: the switch after quarter {switch_at})" if switch_at else ""))
    axes[-1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def quarter_figures(timeseries: pd.DataFrame, policies: list[str], switch_at: int = 0) -> dict[str, Figure]:
    """One figure per entry of ``QUARTER_FIGURES``: mean per quarter with a 95% CI band per policy."""
    frame = with_turnover(timeseries)
    columns = [column for _, lines in QUARTER_FIGURES.values() for column, _ in lines]
    stats = summarise(frame, columns, by=["policy", "quarter"])
    return {
        name: quarter_figure(stats, policies, title, lines, switch_at)
        for name, (title, lines) in QUARTER_FIGURES.items()
    }


def differences_figure(paired: pd.DataFrame, metrics: list[str] | None = None) -> Figure:
    """Bar chart of the paired differences against the baseline, with 95% CI error bars."""
    metrics = metrics or list(KEY_METRICS)
    baseline = paired.baseline.iloc[0] if len(paired) else ""
    policies = list(dict.fromkeys(paired.policy))
    colours = _colours([baseline, *policies])
    cols = 3
    rows = -(-len(metrics) // cols)
    fig = Figure(figsize=(4.2 * cols, 2.2 + 1.1 * rows * max(1, len(policies)) / 2), layout="tight")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        data = paired[paired.metric == metric].set_index("policy").reindex(policies)
        errors = [(data.mean_diff - data.ci_low).fillna(0), (data.ci_high - data.mean_diff).fillna(0)]
        ax.barh(
            range(len(policies)), data.mean_diff.fillna(0), xerr=errors, capsize=3, color=[colours[p] for p in policies]
        )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(policies)), [policy_name(p) for p in policies], fontsize="small")
        ax.invert_yaxis()
        ax.set_title(label(metric), fontsize="small")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.axis("off")
    fig.suptitle(f"Paired difference against {policy_name(baseline)} (mean and 95% CI)")
    return fig


def sweep_figure(summary: pd.DataFrame, policies: list[str], keys: list[str], key: str, metric: str) -> Figure:
    """A summary metric against one varied key, one line per policy (and per combination of the other keys)."""
    colours, styles = _colours(policies), ["-", "--", ":", "-."]
    others = [k for k in keys if k != key]
    fig = Figure(figsize=(6.5, 4), layout="tight")
    ax = fig.subplots()
    rows = summary[summary.metric == metric]
    for policy in policies:
        mine = rows[rows.policy == policy]
        lines = mine.groupby(others, sort=False) if others else [((), mine)]
        for i, (values, line) in enumerate(lines):
            values = values if isinstance(values, tuple) else (values,)
            extra = ", ".join(f"{k}={v}" for k, v in zip(others, values, strict=True))
            ax.errorbar(
                line[key],
                line["mean"],
                yerr=[line["mean"] - line.ci_low, line.ci_high - line["mean"]],
                fmt="o" + styles[i % len(styles)],
                capsize=3,
                color=colours[policy],
                label=policy_name(policy) + (f" ({extra})" if extra else ""),
            )
    ax.set(title=label(metric), xlabel=key)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def sweep_figures(summary: pd.DataFrame, policies: list[str], keys: list[str]) -> dict[str, Figure]:
    """For each varied key and summary metric: the metric against the key (``sweep__<key>__<metric>``)."""
    return {
        f"sweep__{key}__{metric}": sweep_figure(summary, policies, keys, key, metric)
        for key in keys
        for metric in dict.fromkeys(summary.metric)
    }


def sensitivity_figure(indices: pd.DataFrame, method: str, output: str) -> Figure:
    """Bar chart of the sensitivity indices with their 95% confidence intervals, most influential on top."""
    bars = [("mu_star", "mu_star_conf")] if method == "morris" else [("S1", "S1_conf"), ("ST", "ST_conf")]
    ordered = indices.sort_values([bars[-1][0], "parameter"], ascending=[False, True], na_position="last")
    fig = Figure(figsize=(8, 1.4 + 0.5 * len(ordered) * len(bars)), layout="tight")
    ax = fig.subplots()
    height = 0.8 / len(bars)
    for i, (index, conf) in enumerate(bars):
        positions = [k + (i - (len(bars) - 1) / 2) * height for k in range(len(ordered))]
        ax.barh(
            positions, ordered[index].fillna(0), height=height, xerr=ordered[conf].fillna(0), capsize=3, label=index
        )
    ax.set_yticks(range(len(ordered)), ordered.parameter, fontsize="small")
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(
        f"{'Morris mu_star' if method == 'morris' else 'Sobol indices'} of {output} (95% CI)", fontsize="medium"
    )
    return fig
