"""The terminal table, report.md and a self-contained report.html (figures embedded as base64)."""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .labels import KEY_METRICS, label


def num(value: float, signed: bool = False) -> str:
    """A number with about four significant digits and thousands separators ('n/a' if undefined)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    magnitude = abs(value)
    decimals = 0 if magnitude >= 1000 or value == 0 else max(0, 3 - math.floor(math.log10(magnitude)))
    text = f"{value:{'+' if signed else ''},.{min(decimals, 6)}f}"
    return "0" if text in ("-0", "+0") else text


def interval(low: float, high: float, signed: bool = False) -> str:
    return f"[{num(low, signed)} to {num(high, signed)}]"


def _row(frame: pd.DataFrame, **where) -> pd.Series | None:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    return rows.iloc[0] if len(rows) else None


def terminal_table(
    summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], metrics: list[str] | None = None
) -> str:
    """Key metrics per policy (mean and 95% CI) beside the paired difference against the first policy."""
    metrics = metrics or list(KEY_METRICS)
    width = max(len(p) for p in policies) + 2
    lines = [
        f"Mean and 95% CI per policy; diff = policy minus {policies[0]}, paired by replication.",
        "",
        f"{'':{width}}{'mean':>10}  {'95% CI':<26}{'diff':>10}  95% CI",
    ]
    for metric in metrics:
        lines.append(label(metric))
        for policy in policies:
            s = _row(summary, policy=policy, metric=metric)
            if s is None:
                continue
            text = f"  {policy:<{width - 2}}{num(s['mean']):>10}  {interval(s.ci_low, s.ci_high):<26}"
            d = _row(paired, policy=policy, metric=metric)
            if d is not None:
                text += f"{num(d.mean_diff, True):>10}  {interval(d.ci_low, d.ci_high, True)}"
            lines.append(text.rstrip())
    return "\n".join(lines)


def _difference_clause(row: pd.Series, quarters: int) -> str:
    what = label(row.metric).split(",")[0].split(" (")[0].replace("over the run", f"over {quarters} quarters")
    unit = " k€" if "k€" in label(row.metric) else ""
    ci = f"95% CI {num(row.ci_low, True)} to {num(row.ci_high, True)}"
    if math.isnan(row.ci_low):
        return f"{what} differed by {num(row.mean_diff, True)}{unit} (too few pairs for a CI)"
    if row.ci_low > 0 or row.ci_high < 0:
        direction = "higher" if row.mean_diff > 0 else "lower"
        return f"{what} was {num(abs(row.mean_diff))}{unit} {direction} ({ci})"
    return f"{what} was not clearly different ({num(row.mean_diff, True)}{unit}, {ci})"


def reading(
    summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], quarters: int, metrics: list[str] | None = None
) -> list[str]:
    """A short plain-language reading, generated from the numbers."""
    metrics = metrics or [
        "revenue_total",
        "golden_fund_revenue_final_year",
        "veteran_skill_change",
        "seller_turnover_annual",
    ]
    revenue = summary[summary.metric == "revenue_total"].dropna(subset=["mean"])
    sentences = []
    if len(revenue) > 1:
        means = revenue["mean"].to_numpy(dtype=float)
        best, worst = revenue.iloc[int(means.argmax())], revenue.iloc[int(means.argmin())]
        sentences.append(
            f"Over {quarters} quarters, {best.policy} had the highest mean revenue "
            f"({num(best['mean'])} k€) and {worst.policy} the lowest ({num(worst['mean'])} k€)."
        )
    for policy in policies[1:]:
        rows = [_row(paired, policy=policy, metric=metric) for metric in metrics]
        clauses = [_difference_clause(row, quarters) for row in rows if row is not None and row.n]
        if clauses:
            n = max(row.n for row in rows if row is not None)
            sentences.append(
                f"Compared with {policies[0]} on the same {n} replications, under {policy}, " + "; ".join(clauses) + "."
            )
    sentences.append(
        "A difference is called clear when its 95% confidence interval excludes zero; "
        "every policy sees the same random streams in a replication, so differences are paired."
    )
    return sentences


def sweep_reading(summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], keys: list[str]) -> list[str]:
    """Per sweep point: which policy earned most, and each policy's revenue difference to the baseline."""
    sentences = []
    revenue = summary[summary.metric == "revenue_total"]
    for values, point in revenue.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        where = ", ".join(f"{k} = {v}" for k, v in zip(keys, values, strict=True))
        means = point["mean"].to_numpy(dtype=float)
        best = point.iloc[int(np.nanargmax(means))] if point["mean"].notna().any() else None
        text = f"At {where}: " + (
            f"{best.policy} had the highest mean revenue ({best['mean']:,.0f} k€)"
            if best is not None
            else "revenue undefined"
        )
        diffs = paired[(paired.metric == "revenue_total")]
        for key, value in zip(keys, values, strict=True):
            diffs = diffs[diffs[key] == value]
        parts = [
            f"{row.policy} {row.mean_diff:+,.0f} k€ [{row.ci_low:+,.0f} to {row.ci_high:+,.0f}]"
            for _, row in diffs.iterrows()
        ]
        if parts:
            text += f"; revenue minus {policies[0]}: " + "; ".join(parts)
        sentences.append(text + ".")
    return sentences


@dataclass
class Table:
    """A table both reports render: headers and rows of text."""

    headers: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in self.rows])

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_table(summary: pd.DataFrame, metrics: Sequence[str], keys: Sequence[str] = ()) -> Table:
    rows = [
        [
            row.policy,
            *(str(row[k]) for k in keys),
            label(row.metric),
            num(row["mean"]),
            interval(row.ci_low, row.ci_high),
            str(row.n),
        ]
        for _, row in summary.iterrows()
        if row.metric in metrics
    ]
    return Table(["policy", *keys, "metric", "mean", "95% CI", "n"], rows)


def differences_table(paired: pd.DataFrame, metrics: Sequence[str], keys: Sequence[str] = ()) -> Table:
    rows = [
        [
            f"{row.policy} − {row.baseline}",
            *(str(row[k]) for k in keys),
            label(row.metric),
            num(row.mean_diff, True),
            interval(row.ci_low, row.ci_high, True),
            str(row.n),
        ]
        for _, row in paired.iterrows()
        if row.metric in metrics
    ]
    return Table(["difference", *keys, "metric", "mean", "95% CI", "n (pairs)"], rows)


@dataclass
class Report:
    """Everything a report shows; rendered as Markdown and as self-contained HTML."""

    title: str
    reading: list[str]
    tables: list[tuple[str, Table]]
    figures: list[Path]
    scenario_toml: str
    manifest: dict
    folder: Path
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        parts = [f"# {self.title}", "", *self.notes, "", "## Reading", "", *[f"- {s}" for s in self.reading]]
        for heading, table in self.tables:
            parts += ["", f"## {heading}", "", table.markdown()]
        parts += ["", "## Figures", ""]
        parts += [f"![{p.stem}]({p.relative_to(self.folder).as_posix()})\n" for p in self.figures]
        parts += [
            "## Scenario",
            "",
            "```toml",
            self.scenario_toml.rstrip(),
            "```",
            "",
            "## Manifest",
            "",
            "```json",
            json.dumps(self.manifest, indent=2),
            "```",
            "",
        ]
        return "\n".join(parts)

    def html(self) -> str:
        esc = html.escape
        parts = [
            f"<h1>{esc(self.title)}</h1>",
            *[f"<p>{esc(n)}</p>" for n in self.notes if n],
            "<h2>Reading</h2><ul>",
            *[f"<li>{esc(s)}</li>" for s in self.reading],
            "</ul>",
        ]
        for heading, table in self.tables:
            parts += [f"<h2>{esc(heading)}</h2>", table.html()]
        parts.append("<h2>Figures</h2>")
        for path in self.figures:
            data = base64.b64encode(path.read_bytes()).decode()
            parts.append(
                f'<figure><img alt="{esc(path.stem)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{esc(path.name)}</figcaption></figure>"
            )
        parts += [
            "<h2>Scenario</h2>",
            f"<pre>{esc(self.scenario_toml)}</pre>",
            "<h2>Manifest</h2>",
            f"<pre>{esc(json.dumps(self.manifest, indent=2))}</pre>",
        ]
        style = (
            "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
            "table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;"
            "padding:.25em .6em;text-align:left}th{background:#f3f3f3}img{max-width:100%}"
            "pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:85%}"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(self.title)}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
        )
