"""The decision on one page: the question, the answer with its uncertainty, profit, payback and NPV,
the main risk and what the answer depends on, in plain words, from a comparison's tables.

Numbers are rounded to what their confidence interval supports (two significant digits of the
interval's half-width); a difference is called clear only when it survives Holm's correction for
every test of the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .labels import TERMS, policy_name

ROLES_ON_CRM = ("dedicated_roles_crm", "finder_keeps_crm")  # the role change on top of a CRM
ALPHA = 0.05


def _step(low: float, high: float) -> float | None:
    half = (high - low) / 2
    if not math.isfinite(half) or half <= 0:
        return None
    return 10.0 ** (math.floor(math.log10(half)) - 1)


def _fmt(value: float, step: float | None, signed: bool) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    if step is None:
        return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign}.3g}"
    decimals = max(0, -round(math.log10(step)))
    text = f"{round(value / step) * step:{sign},.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.,") == "" else text


def rounded(mean: float, low: float, high: float, signed: bool = True) -> str:
    """``mean [low to high]`` rounded to what the interval supports: ``+160 [−300 to +620]``."""
    step = _step(low, high)
    if step is None:
        return _fmt(mean, None, signed)
    return f"{_fmt(mean, step, signed)} [{_fmt(low, step, signed)} to {_fmt(high, step, signed)}]"


def verdict(row: pd.Series | dict, tests: int) -> str:
    """Whether a paired difference is clear, after Holm's correction over the report's ``tests``."""
    low, high, holm = float(row["ci_low"]), float(row["ci_high"]), float(row.get("holm", math.nan))
    if math.isfinite(holm) and holm < ALPHA:
        return f"clear after correcting for {tests} comparisons"
    if low > 0 or high < 0:
        return f"its 95% CI excludes 0, but it is not clear after correcting for {tests} comparisons"
    return "not clearly different from 0"


def _row(frame: pd.DataFrame, policy: str, metric: str, baseline: str | None = None) -> pd.Series | None:
    rows = frame[(frame.policy == policy) & (frame.metric == metric)]
    if baseline is not None:
        rows = rows[rows.baseline == baseline]
    return rows.iloc[0] if len(rows) else None


def _q(value: float) -> str:
    return f"{value:.0f}" if math.isfinite(value) else "never"


@dataclass
class Decision:
    """The decision page's parts: (label, text) paragraphs, a table (headers, rows) and the terms."""

    paragraphs: list[tuple[str, str]]
    headers: list[str]
    rows: list[list[str]]
    terms: dict[str, str] = field(default_factory=lambda: dict(TERMS))


def decision(
    paired: pd.DataFrame,
    payback: pd.DataFrame,
    curve: pd.DataFrame,
    policies: list[str],
    department: str,
    quarters: int,
    switch_at: int,
    rate: float,
    tests: int,
    current: str | None = None,
) -> Decision:
    """The decision page of a comparison of ``policies`` (the first the department's current one)."""
    base, options = policies[0], policies[1:]
    current = current or base
    names = [policy_name(p) for p in options]
    choice = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    when = f", after quarter {switch_at}," if switch_at else ""
    place = department.replace("_", " ")
    question = f"Should the {place} switch{when} from {policy_name(base)} to {choice}?"
    if current != base:
        question = (
            f"Should the {place}, which runs {policy_name(current)} today, run {choice} rather than "
            f"{policy_name(base)}? (Every policy takes over from {policy_name(current)} at the start; put "
            f"{policy_name(current)} first to ask whether to switch from it.)"
        )
    profit = {p: _row(paired, p, "profit_total", base) for p in options}
    known = {p: r for p, r in profit.items() if r is not None and math.isfinite(float(r.mean_diff))}
    paragraphs = [("Question", question)]
    if not known:
        return Decision([*paragraphs, ("Answer", "No profit difference could be measured.")], [], [])
    best = max(known, key=lambda p: float(known[p].mean_diff))
    row = known[best]
    text = rounded(row.mean_diff, row.ci_low, row.ci_high)
    horizon = f"over {quarters} quarters ({quarters / 4:g} years)"
    pay = payback[payback.policy == best]
    pays = ""
    if len(pay):
        p = pay.iloc[0]
        if math.isfinite(p.payback_q90):
            pays = (
                f"; it pays back by quarter {p.payback_q90:.0f} in 90% of replications (median {p.payback_median:.0f})"
            )
        else:
            pays = f"; it pays back within the horizon in {1 - p.share_never:.0%} of replications"
    clear = math.isfinite(float(row.get("holm", math.nan))) and float(row.holm) < ALPHA
    all_worse = all(float(r.ci_high) < 0 for r in known.values())
    if clear and row.mean_diff > 0:
        answer = (
            f"Yes, to {policy_name(best)}: profit {horizon} changes by {text} k€ (mean [95% CI]), clear after "
            f"correcting for {tests} comparisons{pays}."
        )
    elif row.ci_low > 0:
        answer = (
            f"Probably, to {policy_name(best)}: profit {horizon} changes by {text} k€, but that is not clear after "
            f"correcting for {tests} comparisons; run more replications before deciding{pays}."
        )
    elif all_worse:
        answer = (
            f"No: every switch considered costs profit {horizon}; the least costly, {policy_name(best)}, changes it "
            f"by {text} k€ ({verdict(row, tests)})."
        )
    else:
        answer = (
            f"Not on profit: no switch makes a clear difference to profit {horizon}; the best, "
            f"{policy_name(best)}, changes it by {text} k€ ({verdict(row, tests)})."
        )
    paragraphs.append(("Answer", answer))
    paragraphs.append(("Main risk", _risk(paired, payback, curve, base, best, quarters)))
    roles = _row(paired, ROLES_ON_CRM[0], "profit_total", ROLES_ON_CRM[1])
    if roles is not None:
        paragraphs.append(
            (
                "Roles on top of a CRM",
                f"Does the role change add anything on top of a CRM? {policy_name(ROLES_ON_CRM[0])} minus "
                f"{policy_name(ROLES_ON_CRM[1])}: profit {rounded(roles.mean_diff, roles.ci_low, roles.ci_high)} k€, "
                f"{verdict(roles, tests)}.",
            )
        )
    paragraphs.append(
        (
            "What the answer depends on",
            "This scenario's parameters, several of which are assumptions (the CRM's handoff protection and firm "
            "loyalty, the handoff losses, the transition's pace). `salessim discover` (docs/discovery.md) runs the "
            "same comparison across the plausible ranges of the assumed parameters and says where the answer flips.",
        )
    )
    headers = [
        "switch to",
        "profit over the run, k€",
        "profit in the final year, k€",
        "payback quarter: median (10-90%)",
        "never pays back",
        f"NPV at {rate:.0%}/year, k€",
        "ahead at the horizon",
    ]
    rows = []
    for policy in options:
        total, final = profit.get(policy), _row(paired, policy, "profit_final_year", base)
        mine = payback[payback.policy == policy]
        cells = [policy_name(policy)]
        cells += [rounded(r.mean_diff, r.ci_low, r.ci_high) if r is not None else "n/a" for r in (total, final)]
        if len(mine):
            q = mine.iloc[0]
            cells += [
                f"{_q(q.payback_median)} ({_q(q.payback_q10)}-{_q(q.payback_q90)})",
                f"{q.share_never:.0%}",
                rounded(q.npv_mean, q.npv_ci_low, q.npv_ci_high),
                f"{q.prob_ahead:.0%}",
            ]
        else:
            cells += ["n/a"] * 4
        rows.append(cells)
    return Decision(paragraphs, headers, rows)


def _risk(
    paired: pd.DataFrame, payback: pd.DataFrame, curve: pd.DataFrame, base: str, policy: str, quarters: int
) -> str:
    name = policy_name(policy)
    parts = []
    mine = curve[curve.policy == policy]
    if len(mine) and float(mine["mean"].min()) < 0:
        low = mine.iloc[int(mine["mean"].to_numpy(float).argmin())]
        parts.append(
            f"the transition: under {name} the running profit difference falls to "
            f"{rounded(low['mean'], low.ci_low, low.ci_high)} k€ by quarter {low.quarter:.0f} before it recovers"
        )
    pay = payback[payback.policy == policy]
    if len(pay) and float(pay.share_never.iloc[0]) > 0:
        parts.append(f"in {pay.share_never.iloc[0]:.0%} of replications it has not paid back by quarter {quarters}")
    transactional = _row(paired, policy, "transactional_revenue_final_year", base)
    golden = _row(paired, policy, "golden_fund_revenue_final_year", base)
    if transactional is not None and golden is not None and transactional.ci_high < 0 < golden.ci_low:
        parts.append(
            "it trades transactional business for the golden fund (final year: transactional revenue "
            f"{rounded(transactional.mean_diff, transactional.ci_low, transactional.ci_high)} k€, golden-fund "
            f"revenue {rounded(golden.mean_diff, golden.ci_low, golden.ci_high)} k€)"
        )
    if not parts:
        return f"small: under {name} no quarter's running profit difference is below 0 on average."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
