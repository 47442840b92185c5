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

from .decision import Decision, verdict
from .labels import KEY_METRICS, label, policy_name


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
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    policies: list[str],
    metrics: list[str] | None = None,
    contrasts: pd.DataFrame | None = None,
) -> str:
    """Key metrics per policy (mean and 95% CI) beside the paired difference against the first policy;
    then any other contrasts (dedicated roles + CRM against finder keeps + CRM)."""
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
    for (other, baseline), rows in (contrasts if contrasts is not None else paired.iloc[:0]).groupby(
        ["policy", "baseline"], sort=False
    ):
        lines += ["", f"{other} minus {baseline} (does the role change add anything on top of a CRM?)"]
        for metric in metrics:
            d = _row(rows, metric=metric)
            if d is not None:
                text = f"  {label(metric):<64}{num(d.mean_diff, True):>10}  {interval(d.ci_low, d.ci_high, True)}"
                lines.append(text.rstrip())
    return "\n".join(lines)


def _difference_clause(row: pd.Series, quarters: int, tests: int) -> str:
    what = label(row.metric).split(",")[0].split(" (")[0].replace("over the run", f"over {quarters} quarters")
    unit = " k€" if "k€" in label(row.metric) else ""
    ci = f"95% CI {num(row.ci_low, True)} to {num(row.ci_high, True)}"
    if math.isnan(row.ci_low):
        return f"{what} differed by {num(row.mean_diff, True)}{unit} (too few pairs for a CI)"
    if row.ci_low > 0 or row.ci_high < 0:
        direction = "higher" if row.mean_diff > 0 else "lower"
        return f"{what} was {num(abs(row.mean_diff))}{unit} {direction} ({ci}; {verdict(row, tests)})"
    return f"{what} was not clearly different ({num(row.mean_diff, True)}{unit}, {ci})"


READING_METRICS = [
    "profit_total",
    "profit_final_year",
    "revenue_total",
    "golden_fund_revenue_final_year",
    "transactional_revenue_final_year",
    "veteran_skill_change",
    "top_veteran_skill_change",
    "seller_turnover_annual",
]


def reading(
    summary: pd.DataFrame,
    paired: pd.DataFrame,
    policies: list[str],
    quarters: int,
    metrics: list[str] | None = None,
    contrasts: pd.DataFrame | None = None,
) -> list[str]:
    """A short plain-language reading, generated from the numbers: profit first; a difference is
    called clear when it survives Holm's correction over every test of the report."""
    metrics = metrics or READING_METRICS
    every = paired if contrasts is None else pd.concat([paired, contrasts], ignore_index=True)
    tests = int(every["p_value"].notna().sum()) if "p_value" in every else 0
    profit = summary[summary.metric == "profit_total"].dropna(subset=["mean"])
    sentences = []
    if len(profit) > 1:
        means = profit["mean"].to_numpy(dtype=float)
        best, worst = profit.iloc[int(means.argmax())], profit.iloc[int(means.argmin())]
        sentences.append(
            f"Over {quarters} quarters, {policy_name(best.policy)} had the highest mean profit "
            f"({num(best['mean'])} k€) and {policy_name(worst.policy)} the lowest ({num(worst['mean'])} k€)."
        )
    groups = [(policy, policies[0], paired) for policy in policies[1:]]
    if contrasts is not None:
        groups += [(p, b, contrasts) for p, b in contrasts[["policy", "baseline"]].drop_duplicates().itertuples(False)]
    for policy, baseline, frame in groups:
        mine = frame[frame.baseline == baseline]
        rows = [_row(mine, policy=policy, metric=metric) for metric in metrics]
        clauses = [_difference_clause(row, quarters, tests) for row in rows if row is not None and row.n]
        if clauses:
            n = max(row.n for row in rows if row is not None)
            sentences.append(
                f"Compared with {policy_name(baseline)} on the same {n} replications, under {policy_name(policy)}, "
                + "; ".join(clauses)
                + "."
            )
    sentences.append(
        f"A difference is called clear after correcting for {tests} comparisons when it survives Holm's correction "
        "over every paired test of this report (paired_differences.csv: p_value, holm); a 95% CI that excludes 0 "
        "on its own is weaker evidence. Every policy sees the same random streams in a replication, so "
        "differences are paired."
    )
    return sentences


def trend_reading(timeseries: pd.DataFrame, policy: str) -> list[str]:
    """How the current policy's own department moves over the run, first year against final
    year, and which of the model's mechanisms the numbers show at work (empty for a run too
    short to have two years)."""
    mine = timeseries[(timeseries.policy == policy) & (timeseries.quarter > 0)]
    quarters = int(mine.quarter.max()) if len(mine) else 0
    if quarters < 8:
        return []
    by_quarter = mine.groupby("quarter")[
        ["revenue", "golden_fund_revenue", "golden_fund_clients", "veteran_skill", "veteran_service_share"]
    ].mean()
    first, last = by_quarter.loc[1:4].mean(), by_quarter.loc[quarters - 3 : quarters].mean()

    def change(column: str) -> float:
        return float(last[column] / first[column] - 1) if first[column] else float("nan")

    revenue = change("revenue")
    steady = abs(revenue) <= 0.10
    text = (
        f"Under {policy_name(policy)}, the current policy, revenue in the final year was "
        f"{abs(revenue):.0%} {'below' if revenue < 0 else 'above'} the first year's "
        f"({num(first.revenue)} → {num(last.revenue)} k€ a quarter): "
        + ("within ±10%, the department starts in this policy's steady state." if steady else "")
        + ("" if steady else "the department is not in this policy's steady state: the totals compare a transient.")
    )
    golden = change("golden_fund_revenue")
    if abs(golden) > 0.05:
        text += (
            f" Its golden fund {'still ' if steady else ''}{'shrinks' if golden < 0 else 'grows'}: golden-fund revenue "
            f"{golden:+.0%} ({num(first.golden_fund_revenue)} → {num(last.golden_fund_revenue)} k€ a quarter), "
            f"{first.golden_fund_clients:.0f} → {last.golden_fund_clients:.0f} consultative clients."
        )
        skill_falls = last.veteran_skill < first.veteran_skill
        if golden < 0 and skill_falls and first.veteran_service_share >= 0.5:
            text += (
                f" The veterans' consultative skill falls from {first.veteran_skill:.2f} to {last.veteran_skill:.2f} "
                f"while servicing their books takes {first.veteran_service_share:.0%} of their time: with little "
                "consultative practice skill decays, consultative needs go unmet more often and those clients churn "
                "(docs/model.md §2.3–2.5)."
            )
    return [text]


def sweep_reading(summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], keys: list[str]) -> list[str]:
    """Per sweep point: which policy earned most, and each policy's revenue difference to the baseline."""
    sentences = []
    profit = summary[summary.metric == "profit_total"]
    for values, point in profit.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        where = ", ".join(f"{k} = {v}" for k, v in zip(keys, values, strict=True))
        means = point["mean"].to_numpy(dtype=float)
        best = point.iloc[int(np.nanargmax(means))] if point["mean"].notna().any() else None
        text = f"At {where}: " + (
            f"{policy_name(best.policy)} had the highest mean profit ({best['mean']:,.0f} k€)"
            if best is not None
            else "profit undefined"
        )
        diffs = paired[(paired.metric == "profit_total")]
        for key, value in zip(keys, values, strict=True):
            diffs = diffs[diffs[key] == value]
        parts = [
            f"{policy_name(row.policy)} {row.mean_diff:+,.0f} k€ [{row.ci_low:+,.0f} to {row.ci_high:+,.0f}]"
            for _, row in diffs.iterrows()
        ]
        if parts:
            text += f"; profit minus {policy_name(policies[0])}: " + "; ".join(parts)
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
            _p(row.get("p_value")),
            _p(row.get("holm")),
        ]
        for _, row in paired.iterrows()
        if row.metric in metrics
    ]
    return Table(["difference", *keys, "metric", "mean", "95% CI", "n (pairs)", "p", "p, Holm-adjusted"], rows)


def _p(value: object) -> str:
    if value is None or not isinstance(value, float | int) or math.isnan(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


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
    decision: Decision | None = None  # the decision on one page, at the top
    captions: dict[str, str] = field(default_factory=dict)  # figure file stem -> what to see in it

    def _decision_markdown(self) -> list[str]:
        if self.decision is None:
            return []
        d = self.decision
        parts = ["## The decision", ""]
        for name, text in d.paragraphs:
            parts += [f"**{name}.** {text}", ""]
        if d.rows:
            parts += [Table(d.headers, d.rows).markdown(), ""]
            parts += ["Profit against the current policy, mean [95% CI] over the replications, k€.", ""]
        parts += ["**Terms.** " + "; ".join(f"*{term}*: {text}" for term, text in d.terms.items()) + ".", ""]
        return parts

    def markdown(self) -> str:
        parts = [f"# {self.title}", "", *self.notes, "", *self._decision_markdown()]
        parts += ["## Reading", "", *[f"- {s}" for s in self.reading]]
        for heading, table in self.tables:
            parts += ["", f"## {heading}", "", table.markdown()]
        parts += ["", "## Figures", ""]
        for path in self.figures:
            parts.append(f"![{path.stem}]({path.relative_to(self.folder).as_posix()})\n")
            if path.stem in self.captions:
                parts.append(f"*{self.captions[path.stem]}*\n")
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
        parts = [f"<h1>{esc(self.title)}</h1>", *[f"<p>{esc(n)}</p>" for n in self.notes if n]]
        if self.decision is not None:
            d = self.decision
            parts.append('<section class="decision"><h2>The decision</h2>')
            parts += [f"<p><strong>{esc(name)}.</strong> {esc(text)}</p>" for name, text in d.paragraphs]
            if d.rows:
                parts.append(Table(d.headers, d.rows).html())
                parts.append("<p>Profit against the current policy, mean [95% CI] over the replications, k€.</p>")
            terms = "; ".join(f"<em>{esc(term)}</em>: {esc(text)}" for term, text in d.terms.items())
            parts.append(f"<p><strong>Terms.</strong> {terms}.</p></section>")
        parts += [
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
                f"<figcaption>{esc(self.captions.get(path.stem, path.name))}</figcaption></figure>"
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
            ".decision{border:2px solid #1f77b4;border-radius:6px;padding:0 1em;margin:1em 0}"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(self.title)}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
        )
