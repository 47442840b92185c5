"""The decision on one page: the question, the answer with its uncertainty, profit, payback and NPV,
the main risk and what the answer depends on, in plain words, from a comparison's tables.

Numbers are written as every reader-facing text of the reports writes them (``experiments.report.num``,
a mean with its 95% CI as ``experiments.report.estimate``); a difference is called clear only when it
survives Holm's correction for every test of the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .labels import TERMS, policy_name
from .report import ALPHA, estimate, small_sample_note, verdict

ROLES_ON_CRM = ("dedicated_roles_crm", "finder_keeps_crm")  # the role change on top of a CRM
__all__ = ["ALPHA", "ROLES_ON_CRM", "Decision", "decision", "verdict"]


def _clear(row: pd.Series) -> bool:
    holm = float(row.get("holm", math.nan))
    return math.isfinite(holm) and holm < ALPHA


def _names(policies: list[str]) -> str:
    names = [policy_name(p) for p in policies]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def department_phrase(name: str) -> str:
    """How the question names the department: a preset by what it is ("mature department"), a
    department of one's own by its scenario's name ("department 'my_department'")."""
    from simulation import PRESETS

    if name in PRESETS:
        words = name.replace("_", " ")
        return words if "department" in words else f"{words} department"
    return f"department '{name}'"


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
    place = department_phrase(department)
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
    text = estimate(row.mean_diff, row.ci_low, row.ci_high, " k€")
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
    losers = [p for p, r in known.items() if _clear(r) and float(r.mean_diff) < 0]
    if _clear(row) and row.mean_diff > 0:
        answer = (
            f"Yes, to {policy_name(best)}: profit {horizon} changes by {text} (mean [95% CI]), clear after "
            f"correcting for {tests} comparisons{pays}."
        )
    elif row.ci_low > 0:
        answer = (
            f"Probably, to {policy_name(best)}: profit {horizon} changes by {text}, but that is not clear after "
            f"correcting for {tests} comparisons; run more replications before deciding{pays}."
        )
    elif len(losers) == len(known):
        answer = (
            f"No: every switch considered clearly lowers profit {horizon}; the least costly, {policy_name(best)}, "
            f"changes it by {text} (clear after correcting for {tests} comparisons)."
        )
    else:
        lead = (
            f"No: every switch considered lowers profit {horizon}, none clearly improves it; the least costly"
            if all(float(r.ci_high) < 0 for r in known.values())
            else f"Not on profit: no switch clearly improves profit {horizon}; the best"
        )
        answer = f"{lead}, {policy_name(best)}, changes it by {text} ({verdict(row, tests)})"
        others = [p for p in losers if p != best]
        if len(others) == 1:
            (other,) = others
            lost = estimate(known[other].mean_diff, known[other].ci_low, known[other].ci_high, " k€")
            answer += (
                f"; {policy_name(other)} clearly lowers it, by {lost} (clear after correcting for {tests} comparisons)"
            )
        elif others:
            each = ", ".join(
                f"{policy_name(p)} by {estimate(known[p].mean_diff, known[p].ci_low, known[p].ci_high, ' k€')}"
                for p in others
            )
            answer += f"; {_names(others)} clearly lower it ({each}; clear after correcting for {tests} comparisons)"
        answer += "."
    paragraphs.append(("Answer", answer))
    if note := small_sample_note(int(row.n)):
        caution = note.removeprefix("Caution: ")
        paragraphs.append(("Caution", caution[0].upper() + caution[1:]))
    paragraphs.append(("Main risk", _risk(paired, payback, curve, base, best, quarters)))
    roles = _row(paired, ROLES_ON_CRM[0], "profit_total", ROLES_ON_CRM[1])
    if roles is not None:
        added = estimate(roles.mean_diff, roles.ci_low, roles.ci_high, " k€")
        paragraphs.append(
            (
                "Roles on top of a CRM",
                f"Does the role change add anything on top of a CRM? {policy_name(ROLES_ON_CRM[0])} minus "
                f"{policy_name(ROLES_ON_CRM[1])}: profit {added}, "
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
        cells += [estimate(r.mean_diff, r.ci_low, r.ci_high) if r is not None else "n/a" for r in (total, final)]
        if len(mine):
            q = mine.iloc[0]
            cells += [
                f"{_q(q.payback_median)} ({_q(q.payback_q10)}-{_q(q.payback_q90)})",
                f"{q.share_never:.0%}",
                estimate(q.npv_mean, q.npv_ci_low, q.npv_ci_high),
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
            f"{estimate(low['mean'], low.ci_low, low.ci_high, ' k€')} by quarter {low.quarter:.0f} before it recovers"
        )
    pay = payback[payback.policy == policy]
    if len(pay) and float(pay.share_never.iloc[0]) > 0:
        parts.append(f"in {pay.share_never.iloc[0]:.0%} of replications it has not paid back by quarter {quarters}")
    transactional = _row(paired, policy, "transactional_revenue_final_year", base)
    golden = _row(paired, policy, "golden_fund_revenue_final_year", base)
    if transactional is not None and golden is not None and transactional.ci_high < 0 < golden.ci_low:
        parts.append(
            "it trades transactional business for the golden fund (final year: transactional revenue "
            f"{estimate(transactional.mean_diff, transactional.ci_low, transactional.ci_high, ' k€')}, golden-fund "
            f"revenue {estimate(golden.mean_diff, golden.ci_low, golden.ci_high, ' k€')})"
        )
    if not parts:
        return f"small: under {name} no quarter's running profit difference is below 0 on average."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
