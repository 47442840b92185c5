"""The terminal table, report.md and a self-contained report.html (figures embedded as base64)."""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd
from scipy.special import stdtr

from .labels import KEY_METRICS, label, policy_name, report_terms, used_terms
from .stats import holm

if TYPE_CHECKING:
    from simulation import Scenario

    from .decision import Decision


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


def estimate(mean: float, low: float, high: float, unit: str = "", signed: bool = True) -> str:
    """A mean and its 95% CI as every reader-facing text writes them, rounded to what the interval
    supports (two significant digits of its half-width): ``+360 k€ [-80 to +790]``, not
    ``+355.4 k€ [-83.33 to +794.1]``. Tables keep ``num``'s four significant digits."""
    defined = all(v is not None and math.isfinite(v) for v in (mean, low, high))
    if not defined:
        return f"{num(mean, signed)}{unit}"
    half = (high - low) / 2
    if half <= 0:
        return f"{num(mean, signed)}{unit} {interval(low, high, signed)}"
    step = 10.0 ** (math.floor(math.log10(half)) - 1)
    mean_text, low_text, high_text = (_to_step(v, step, signed) for v in (mean, low, high))
    return f"{mean_text}{unit} [{low_text} to {high_text}]"


def _to_step(value: float, step: float, signed: bool) -> str:
    decimals = max(0, -round(math.log10(step)))
    text = f"{round(value / step) * step:{'+' if signed else ''},.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.,") == "" else text


ALPHA = 0.05  # a difference is clear when its Holm-adjusted p-value is below this
SMALL_N = 10  # fewer replications: the report warns that its intervals are very wide


def verdict(row: pd.Series | dict, tests: int) -> str:
    """Whether a paired difference is clear, after Holm's correction over the report's ``tests``."""
    low, high, holm = float(row["ci_low"]), float(row["ci_high"]), float(row.get("holm", math.nan))
    if math.isfinite(holm) and holm < ALPHA:
        return f"clear after correcting for {tests} comparisons"
    if low > 0 or high < 0:
        return f"its 95% CI excludes 0, but it is not clear after correcting for {tests} comparisons"
    return "not clearly different from 0"


def small_sample_note(replications: int) -> str | None:
    """A warning when the replications are too few for useful intervals (None when they are enough)."""
    if not 0 < replications < SMALL_N:
        return None
    return (
        f"Caution: with {replications} replication{'s' * (replications != 1)} per policy these 95% intervals are "
        "very wide (or, with one, undefined) and can reach impossible values, such as negative revenue or a skill "
        f"change beyond ±1; run at least {SMALL_N} replications (--reps {SMALL_N}), 30 or more before deciding."
    )


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


def _what(metric: str, quarters: int) -> str:
    """A metric's label as prose: no unit, no parenthesis ("transactional revenue in the final year")."""
    text = re.sub(r" \([^)]*\)", "", label(metric).split(", k€")[0])
    return text.replace("over the run", f"over {quarters} quarters")


def _unit(metric: str) -> str:
    return " k€" if "k€" in label(metric) else ""


def _difference_clause(row: pd.Series, quarters: int, tests: int) -> str:
    what, unit = _what(row.metric, quarters), _unit(row.metric)
    if math.isnan(row.ci_low):
        return f"{what} {num(row.mean_diff, True)}{unit} (too few pairs for a CI)"
    return f"{what} {estimate(row.mean_diff, row.ci_low, row.ci_high, unit)} ({verdict(row, tests)})"


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
    called clear when it survives Holm's correction over every test of the report.

    Two sentences or more, the first a headline and the last a closing note (a caller may put
    sentences of its own between them): with few replications a warning after the headline; with one
    policy its levels and no comparison."""
    metrics = metrics or READING_METRICS
    replications = int(summary["n"].max()) if len(summary) else 0
    caution = [note] if (note := small_sample_note(replications)) else []
    if len(policies) < 2:
        levels = [
            f"{_what(metric, quarters)} {'was ' * (metric == 'profit_total')}"
            f"{estimate(row['mean'], row.ci_low, row.ci_high, _unit(metric), False)}"
            for metric in ("profit_total", "revenue_total")
            if (row := _row(summary, policy=policies[0], metric=metric)) is not None
        ]
        runs = f"{replications} replication{'s' * (replications != 1)}"
        headline = (
            f"Under {policy_name(policies[0])}, {' and '.join(levels)} (mean [95% CI] over {runs})."
            if levels
            else f"{policy_name(policies[0])} alone, over {quarters} quarters and {runs}."
        )
        return [
            headline[0].upper() + headline[1:],
            *caution,
            "The tables give every metric of the run (mean and 95% t-based confidence interval over the "
            "replications) and the figures its course quarter by quarter.",
        ]
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
    sentences += caution
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
                f"Compared with {policy_name(baseline)} on the same {n} replications, {policy_name(policy)} changes "
                "(mean [95% CI] of the paired differences): " + "; ".join(clauses) + "."
            )
    sentences.append(
        f"A difference is called clear after correcting for {tests} comparisons when it survives Holm's correction "
        "over every paired test of this report (paired_differences.csv: p_value, holm); a 95% CI that excludes 0 "
        "on its own is weaker evidence. Every policy sees the same random streams in a replication, so "
        "differences are paired."
    )
    return sentences


def _change(value: float) -> str:
    """A relative change as words: "3% below", "0.4% above", "the same as"."""
    if not math.isfinite(value):
        return "n/a against"
    if round(value, 4) == 0:
        return "the same as"
    size = f"{abs(value):.1%}" if abs(value) < 0.01 else f"{abs(value):.0%}"
    return f"{size} {'below' if value < 0 else 'above'}"


def trend_reading(timeseries: pd.DataFrame, policy: str) -> list[str]:
    """How the current policy's own department moves over the run, the first year's average quarter
    against the final year's, and which of the model's mechanisms the numbers show at work (empty for
    a run too short to have two years)."""
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
        f"Under {policy_name(policy)}, the current policy, revenue in the final year was {_change(revenue)} the "
        f"first year's ({num(first.revenue)} → {num(last.revenue)} k€ in an average quarter of each year): "
        + ("within ±10%, the department starts in this policy's steady state." if steady else "")
        + ("" if steady else "the department is not in this policy's steady state: the totals compare a transient.")
    )
    golden = change("golden_fund_revenue")
    if abs(golden) > 0.05:
        moves = "shrinks" if golden < 0 else "grows"
        text += (
            f" {'Beneath that steady revenue its' if steady else 'Its'} golden fund {moves}: golden-fund revenue "
            f"{golden:+.0%} ({num(first.golden_fund_revenue)} → {num(last.golden_fund_revenue)} k€ a quarter), "
            f"{first.golden_fund_clients:.0f} → {last.golden_fund_clients:.0f} consultative clients."
        )
        skill_falls = last.veteran_skill < first.veteran_skill
        if golden < 0 and skill_falls and first.veteran_service_share >= 0.5:
            text += (
                f" The veterans' mean consultative skill falls from {first.veteran_skill:.2f} in the first year "
                f"to {last.veteran_skill:.2f} in the final year (each year's average; the tables' change in "
                "skill runs from quarter 0 to the last quarter) while servicing their books takes "
                f"{first.veteran_service_share:.0%} of their time in the first year and "
                f"{last.veteran_service_share:.0%} in the final year (the tables' servicing share is the whole "
                "run's average): with little "
                "consultative practice skill decays, consultative needs go unmet more often and those clients "
                "churn (docs/model.md §2.3–2.5)."
            )
    return [text]


def sweep_reading(summary: pd.DataFrame, paired: pd.DataFrame, policies: list[str], keys: list[str]) -> list[str]:
    """Per sweep point: which policy earned most, and each policy's profit difference to the baseline."""
    sentences = []
    profit = summary[summary.metric == "profit_total"]
    for values, point in profit.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        where = ", ".join(f"{k} = {v}" for k, v in zip(keys, values, strict=True))
        means = point["mean"].to_numpy(dtype=float)
        best = point.iloc[int(np.nanargmax(means))] if point["mean"].notna().any() else None
        text = f"At {where}: " + (
            f"{policy_name(best.policy)} had the highest mean profit ({num(best['mean'])} k€)"
            if best is not None
            else "profit undefined"
        )
        diffs = paired[(paired.metric == "profit_total")]
        for key, value in zip(keys, values, strict=True):
            diffs = diffs[diffs[key] == value]
        parts = [
            f"{policy_name(row.policy)} {estimate(row.mean_diff, row.ci_low, row.ci_high, ' k€')}"
            for _, row in diffs.iterrows()
        ]
        if parts:
            text += f"; profit minus {policy_name(policies[0])}: " + "; ".join(parts)
        sentences.append(text + ".")
    return sentences


def rank_p_value(rho: float, n: int) -> float:
    """Two-sided p-value that a Spearman rank correlation ``rho`` over ``n`` samples is 0 (the t
    approximation, n − 2 degrees of freedom); NaN when undefined."""
    if not math.isfinite(rho) or n < 3:
        return math.nan
    if abs(rho) >= 1:
        return 0.0
    t = abs(rho) * math.sqrt((n - 2) / (1 - rho**2))
    return float(2.0 * stdtr(n - 2, -t))


def _effect_name(policy: object, baseline: object) -> str:
    """A difference's name ("P minus B"), or with no baseline the policy's own."""
    name = policy_name(str(policy))
    return f"{name} minus {policy_name(baseline)}" if isinstance(baseline, str) else name


class _Sampled(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def low(self) -> float: ...

    @property
    def high(self) -> float: ...


class _Sampling(Protocol):
    @property
    def ranges(self) -> Sequence[_Sampled]: ...

    @property
    def samples(self) -> int: ...


def lhs_reading(
    effects: pd.DataFrame, table: pd.DataFrame, sampling: _Sampling, metric: str, replications: int
) -> list[str]:
    """A plain reading of a Latin-hypercube sweep on ``metric``: the spread of each effect over the
    samples, how often it is above or below 0, and the keys it clearly moves with.

    ``effects``: one row per sample (policy, baseline, metric, effect, ci_low, ci_high); ``table``: per
    effect and key its rank correlation over the samples and its mean in the lower and upper half of
    the key's range. A key moves an effect clearly when its rank correlation's p-value survives
    Holm's correction over the sampled keys."""
    what = label(metric).split(",")[0]
    unit = _unit(metric)
    where = ", ".join(f"{r.key} {r.low:g} to {r.high:g}" for r in sampling.ranges)
    sentences = []
    for (policy, baseline), group in effects[effects.metric == metric].groupby(
        ["policy", "baseline"], sort=False, dropna=False
    ):
        values = group.effect.dropna()
        if not len(values):
            sentences.append(f"{what} of {_effect_name(policy, baseline)} is undefined at every sample.")
            continue
        signed = isinstance(baseline, str)
        text = (
            f"Across the {sampling.samples} Latin-hypercube samples ({where}), {what} of "
            f"{_effect_name(policy, baseline)} ranged from {num(values.min(), signed)} to "
            f"{num(values.max(), signed)}{unit} (median {num(values.median(), signed)})"
        )
        if signed:
            above, below = int((group.ci_low > 0).sum()), int((group.ci_high < 0).sum())
            text += (
                f": it was above 0 in {int((values > 0).sum())} of the {len(values)} samples (clearly, its 95% CI "
                f"above 0, in {above}; clearly below 0 in {below})"
            )
        text += _movers(table, policy, baseline, metric, signed, unit)
        sentences.append(text + ".")
    sentences.append(
        f"Every policy runs the same {replications} replications at each sample (common random numbers); a "
        "sample's effect is the mean over them. The rank correlation (Spearman, −1 to +1) says how steadily the "
        "effect rises (+) or falls (−) along a key across the samples, the other keys varying too; a key moves "
        f"it clearly when the correlation's p-value (t approximation) is below {ALPHA} after Holm's correction "
        "over the sampled keys; with few samples or noisy effects only a strong trend is clear."
    )
    return sentences


def _movers(table: pd.DataFrame, policy: object, baseline: object, metric: str, signed: bool, unit: str) -> str:
    """The keys an effect clearly moves with (rank correlation, Holm over the keys), or that none does."""
    mine = table[(table.policy == policy) & (table.metric == metric)]
    mine = mine[mine.baseline == baseline] if isinstance(baseline, str) else mine[mine.baseline.isna()]
    mine = mine.dropna(subset=["rank_correlation"])
    if not len(mine):
        return ""
    mine = mine.assign(p=[rank_p_value(float(r.rank_correlation), int(r.samples)) for _, r in mine.iterrows()])
    mine = mine.assign(holm=holm(mine.p.to_numpy(float)))
    mine = mine.reindex(mine.rank_correlation.abs().sort_values(ascending=False, kind="stable").index)

    def halves(row: pd.Series) -> str:
        return (
            f"mean {num(row.upper_half_mean, signed)}{unit} in the upper half of its range against "
            f"{num(row.lower_half_mean, signed)}{unit} in the lower half"
        )

    clear = mine[mine.holm < ALPHA]
    if not len(clear):
        top = mine.iloc[0]
        return (
            f". No sampled key moves it clearly: the strongest trend, along {top.key} (rank correlation "
            f"{num(top.rank_correlation, True)}; {halves(top)}), has a Holm-adjusted p-value of {_p(top.holm)} "
            f"over the {len(mine)} keys"
        )
    parts = [
        f"{row.key} (rank correlation {num(row.rank_correlation, True)}, Holm-adjusted p-value {_p(row.holm)}; "
        f"{halves(row)})"
        for _, row in clear.iterrows()
    ]
    return ". It moves clearly with " + ", then ".join(parts)


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
            policy_name(row.policy),
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
            f"{policy_name(row.policy)} minus {policy_name(row.baseline)}",
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
    scenario: Scenario
    manifest: dict
    folder: Path
    notes: list[str] = field(default_factory=list)
    decision: Decision | None = None  # the decision on one page, at the top
    captions: dict[str, str] = field(default_factory=dict)  # figure file stem -> what to see in it

    @property
    def scenario_toml(self) -> str:
        return self.scenario.to_toml()

    @property
    def shown_tables(self) -> list[tuple[str, Table]]:
        """The tables with rows (an empty table is left out)."""
        return [(heading, table) for heading, table in self.tables if table.rows]

    @property
    def terms(self) -> dict[str, str]:
        """The terms the report uses, each defined once, with the values of its scenario."""
        known = report_terms(self.scenario)
        for term, text in (self.decision.terms if self.decision is not None else {}).items():
            known.setdefault(term, text)
        return used_terms(known, self._text())

    def _text(self) -> str:
        """Everything the report says in words (not its scenario or manifest)."""
        parts = [self.title, *self.notes, *self.reading]
        if self.decision is not None:
            parts += [text for _, text in self.decision.paragraphs] + self.decision.headers
            parts += [cell for row in self.decision.rows for cell in row]
        for heading, table in self.shown_tables:
            parts += [heading, *table.headers, *(cell for row in table.rows for cell in row)]
        parts += [self.captions[path.stem] for path in self.figures if path.stem in self.captions]
        return "\n".join(parts)

    def _decision_markdown(self, terms: dict[str, str]) -> list[str]:
        if self.decision is None:
            return []
        d = self.decision
        parts = ["## The decision", ""]
        for name, text in d.paragraphs:
            parts += [f"**{name}.** {text}", ""]
        if d.rows:
            parts += [Table(d.headers, d.rows).markdown(), ""]
            parts += ["Profit against the current policy, mean [95% CI] over the replications, k€.", ""]
        if terms:
            parts += ["**Terms.** " + "; ".join(f"*{term}*: {text}" for term, text in terms.items()) + ".", ""]
        return parts

    def markdown(self) -> str:
        terms = self.terms
        parts = [f"# {self.title}", "", *self.notes, "", *self._decision_markdown(terms)]
        parts += ["## Reading", "", *[f"- {s}" for s in self.reading]]
        if self.decision is None and terms:
            parts += ["", "## Terms", "", *[f"- *{term}*: {text}." for term, text in terms.items()]]
        for heading, table in self.shown_tables:
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
        terms = self.terms
        parts = [f"<h1>{esc(self.title)}</h1>", *[f"<p>{esc(n)}</p>" for n in self.notes if n]]
        if self.decision is not None:
            d = self.decision
            parts.append('<section class="decision"><h2>The decision</h2>')
            parts += [f"<p><strong>{esc(name)}.</strong> {esc(text)}</p>" for name, text in d.paragraphs]
            if d.rows:
                parts.append(Table(d.headers, d.rows).html())
                parts.append("<p>Profit against the current policy, mean [95% CI] over the replications, k€.</p>")
            if terms:
                defined = "; ".join(f"<em>{esc(term)}</em>: {esc(text)}" for term, text in terms.items())
                parts.append(f"<p><strong>Terms.</strong> {defined}.</p>")
            parts.append("</section>")
        parts += [
            "<h2>Reading</h2><ul>",
            *[f"<li>{esc(s)}</li>" for s in self.reading],
            "</ul>",
        ]
        if self.decision is None and terms:
            parts += ["<h2>Terms</h2><ul>", *[f"<li><em>{esc(t)}</em>: {esc(x)}.</li>" for t, x in terms.items()]]
            parts.append("</ul>")
        for heading, table in self.shown_tables:
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
