"""Figures (matplotlib, Agg backend): means with 95% CI bands, one line per policy."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .labels import KEY_METRICS, QUARTER_FIGURES, label
from .stats import summarise

PNG = {"dpi": 110, "metadata": {"Software": None}}


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, **PNG)
    plt.close(fig)
    return path


def _colours(policies: list[str]) -> dict[str, str]:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {policy: cycle[i % len(cycle)] for i, policy in enumerate(policies)}


def with_turnover(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The timeseries plus annualised turnover (undefined at quarter 0, before anyone could quit)."""
    frame = timeseries.copy()
    frame["turnover"] = 4 * frame["quits"] / frame["sellers"].where(frame["sellers"] > 0)
    frame.loc[frame["quarter"] == 0, "turnover"] = float("nan")
    return frame


def quarter_figures(timeseries: pd.DataFrame, policies: list[str], folder: Path) -> list[Path]:
    """One PNG per entry of ``QUARTER_FIGURES``: mean per quarter with a 95% CI band per policy."""
    frame = with_turnover(timeseries)
    columns = [column for _, lines in QUARTER_FIGURES.values() for column, _ in lines]
    stats = summarise(frame, columns, by=["policy", "quarter"])
    colours, paths = _colours(policies), []
    for name, (title, lines) in QUARTER_FIGURES.items():
        fig, ax = plt.subplots(figsize=(9, 4.2))
        for (column, line_label), style in zip(lines, ("-", "--"), strict=False):
            for policy in policies:
                rows = stats[(stats.policy == policy) & (stats.metric == column)].dropna(subset=["mean"])
                text = policy + (f" ({line_label})" if line_label else "")
                ax.plot(rows.quarter, rows["mean"], style, color=colours[policy], label=text)
                ax.fill_between(rows.quarter, rows.ci_low, rows.ci_high, color=colours[policy], alpha=0.18,
                                linewidth=0)
        ax.set(title=title, xlabel="quarter")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        paths.append(_save(fig, folder / f"{name}.png"))
    return paths


def differences_figure(paired: pd.DataFrame, folder: Path, metrics: list[str] | None = None) -> Path:
    """Bar chart of the paired differences against the baseline, with 95% CI error bars."""
    metrics = metrics or list(KEY_METRICS)
    baseline = paired.baseline.iloc[0] if len(paired) else ""
    policies = list(dict.fromkeys(paired.policy))
    colours = _colours([baseline, *policies])
    cols = 3
    rows = -(-len(metrics) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.2 + 1.1 * rows * max(1, len(policies)) / 2),
                             squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        data = paired[paired.metric == metric].set_index("policy").reindex(policies)
        errors = [(data.mean_diff - data.ci_low).fillna(0), (data.ci_high - data.mean_diff).fillna(0)]
        ax.barh(range(len(policies)), data.mean_diff.fillna(0), xerr=errors, capsize=3,
                color=[colours[p] for p in policies])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(policies)), policies, fontsize="small")
        ax.invert_yaxis()
        ax.set_title(label(metric), fontsize="small")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    fig.suptitle(f"Paired difference against {baseline} (mean and 95% CI)")
    return _save(fig, folder / "paired_differences.png")


def sweep_figures(summary: pd.DataFrame, policies: list[str], keys: list[str], folder: Path) -> list[Path]:
    """For each varied key and summary metric: the metric against the key, one line per policy.

    With several varied keys, each combination of the other keys gets its own line.
    """
    colours, paths = _colours(policies), []
    styles = ["-", "--", ":", "-."]
    for key in keys:
        others = [k for k in keys if k != key]
        for metric in dict.fromkeys(summary.metric):
            fig, ax = plt.subplots(figsize=(6.5, 4))
            rows = summary[summary.metric == metric]
            for policy in policies:
                lines = rows[rows.policy == policy].groupby(others, sort=False) if others else [((), rows[
                    rows.policy == policy])]
                for i, (values, line) in enumerate(lines):
                    values = values if isinstance(values, tuple) else (values,)
                    extra = ", ".join(f"{k}={v}" for k, v in zip(others, values, strict=True))
                    ax.errorbar(line[key], line["mean"], yerr=[line["mean"] - line.ci_low, line.ci_high - line["mean"]],
                                fmt="o" + styles[i % len(styles)], capsize=3, color=colours[policy],
                                label=policy + (f" ({extra})" if extra else ""))
            ax.set(title=label(metric), xlabel=key)
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")
            paths.append(_save(fig, folder / f"sweep__{key}__{metric}.png"))
    return paths


def sensitivity_figure(indices: pd.DataFrame, method: str, output: str, folder: Path) -> Path:
    """Bar chart of the sensitivity indices with their 95% confidence intervals, most influential on top."""
    bars = [("mu_star", "mu_star_conf")] if method == "morris" else [("S1", "S1_conf"), ("ST", "ST_conf")]
    ordered = indices.sort_values([bars[-1][0], "parameter"], ascending=[False, True], na_position="last")
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.5 * len(ordered) * len(bars)))
    height = 0.8 / len(bars)
    for i, (index, conf) in enumerate(bars):
        positions = [k + (i - (len(bars) - 1) / 2) * height for k in range(len(ordered))]
        ax.barh(positions, ordered[index].fillna(0), height=height, xerr=ordered[conf].fillna(0), capsize=3,
                label=index)
    ax.set_yticks(range(len(ordered)), ordered.parameter, fontsize="small")
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(f"{'Morris mu_star' if method == 'morris' else 'Sobol indices'} of {output} (95% CI)",
                 fontsize="medium")
    return _save(fig, folder / f"sensitivity_{method}.png")
