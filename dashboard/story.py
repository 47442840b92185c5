"""Story mode: a guided sequence for a class, each step written from the run's own numbers.

Every sentence is built from what the two departments on screen did (their timeseries, their
histories, their event logs, the background spread): no number is written in. Each step names
the quarter it wants the simulation to have reached, the chart to show beside it, and — as in
NetLogo's Info tab — "things to notice" and "things to try". Pure functions of the data, so
they are tested without a browser.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ensemble import Spread, payback_quarter
from .history import History, Pursuit, after_handoff, events_by_quarter, fields_of
from .i18n import N_, Translator, policy_parts


@dataclass(frozen=True)
class Department:
    """What the story reads of one department, up to the quarter shown."""

    policy: str
    label: str
    frame: pd.DataFrame
    history: History
    events: list
    quarter: int


@dataclass(frozen=True)
class Step:
    title: str
    text: list[str]
    notice: list[str]
    try_: list[str]
    chart: str
    quarter: int  # the quarter this step is about
    switch: bool = False  # arriving at this step makes the live switch, if not made yet


def targets(horizon: int) -> list[int]:
    """The quarter each step is about, spread over the horizon."""
    h = max(horizon, 1)
    return [0, max(1, round(h * 0.2)), max(2, round(h * 0.3)), max(3, round(h * 0.5)), max(4, round(h * 0.8)), h, h, h]


@dataclass(frozen=True)
class JCurve:
    """What the switch has cost so far and whether it has paid back: read from the two departments."""

    start: int  # the switch quarter (0: the right-hand policy from the start)
    quarter: int  # the latest quarter shown
    now: float  # cumulative profit, right minus left, k€, at ``quarter``
    bottom: float  # its lowest value so far (0 if never below)
    bottom_quarter: int
    payback: int | None  # the quarter after which it has stayed above 0, if it is above 0 now


def j_curve(left: Department, right: Department, start: int = 0) -> JCurve:
    """The cumulative profit difference of ``right`` over ``left`` since quarter ``start``."""
    count = min(len(left.frame), len(right.frame))
    gap = np.cumsum(right.frame.profit.to_numpy(float)[:count] - left.frame.profit.to_numpy(float)[:count])
    if not count:
        return JCurve(start, 0, 0.0, 0.0, 0, None)
    low = int(np.argmin(gap))
    quarter = int(left.frame.quarter.iloc[count - 1])
    payback = payback_quarter(gap, start) if quarter > start else None
    return JCurve(start, quarter, float(gap[-1]), min(0.0, float(gap[low])), low if gap[low] < 0 else start, payback)


def profit_text(
    left: Department,
    right: Department,
    t: Translator,
    start: int | None,
    spread: Spread | None,
    live: bool,
    policy: str = "",
) -> list[str]:
    """The J-curve in words: what the switch costs so far, whether and when it paid back, and where
    departments like it are heading (from the spread). ``start``: the switch quarter (None in live mode
    before the switch; 0 when the right-hand policy runs from the start); ``policy``: the policy the
    right-hand department switches to, in words."""
    if start is None:
        return [
            t._(
                "Both departments run {left}: the same numbers, quarter by quarter. Press Switch now and the "
                "right one moves to {policy} from the next quarter.",
                left=left.label,
                policy=policy,
            )
        ]
    curve = j_curve(left, right, start)
    values = {
        "right": policy or right.label,
        "left": left.label,
        "quarter": t.quarter(start),
        "cost": _amount(curve.now, t),
        "bottom": _amount(curve.bottom, t),
        "low": t.quarter(curve.bottom_quarter),
    }
    since = t._("Since the switch in {quarter}", **values) if live else t._("Since the start", **values)
    if curve.quarter < start:  # replaying a quarter before the switch
        text = [t._("{right} comes in {quarter}; until then both departments are the same.", **values)]
    elif curve.quarter == start:
        text = [
            t._("{since}: the switch takes effect from the next quarter.", since=since)
            if live
            else t._("{since}: no quarter played yet, nothing to compare.", since=since)
        ]
    elif curve.payback is not None and curve.bottom <= -0.05:  # behind by at least what shows as 0.1 k€
        payback = t.quarter(curve.payback)
        text = [
            t._(
                "{since}, {right} has made {cost} more profit than {left}; the switch cost at most {bottom} "
                "(in {low}) and paid back in {payback}.",
                since=since,
                payback=payback,
                **values,
            )
            if live
            else t._(
                "{since}, {right} has made {cost} more profit than {left}; it was behind by at most {bottom} "
                "(in {low}) and has been ahead since {payback}.",
                since=since,
                payback=payback,
                **values,
            )
        ]
    elif curve.payback is not None:  # never behind
        text = [
            t._(
                "{since}, {right} has made {cost} more profit than {left}; the switch has cost nothing so far: "
                "ahead from {payback} on, never behind.",
                since=since,
                payback=t.quarter(curve.payback),
                **values,
            )
            if live
            else t._(
                "{since}, {right} has made {cost} more profit than {left}, ahead from {payback} on and never behind.",
                since=since,
                payback=t.quarter(curve.payback),
                **values,
            )
        ]
    elif curve.now < 0:
        text = [
            t._(
                "{since}, the switch has cost {cost} of profit so far (the deepest: {bottom} in {low}); it has "
                "not paid back yet.",
                since=since,
                **values,
            )
            if live
            else t._(
                "{since}, {right} has made {cost} less profit than {left} (the most behind: {bottom} in {low}).",
                since=since,
                **values,
            )
        ]
    else:
        text = [t._("{since}, the two departments' profit is level.", since=since)]
    if spread is not None and spread.switch_at == (start if live else None) and spread.paybacks:
        n, k = spread.replications, spread.paid_back()
        median = spread.median_payback()
        values = {
            "n": t.number(n),
            "k": t.number(k),
            "pct": t.percent(k / n),
            "h": t.quarter(spread.quarters),
            "right": policy or right.label,
        }
        if median is not None and live:
            sentence = t._(
                "Across {n} departments like it, the switch pays back by {h} in {k} ({pct}); the median "
                "payback is {median}.",
                median=t.quarter(median),
                **values,
            )
        elif median is not None:
            sentence = t._(
                "Across {n} departments like it, {right} is ahead in profit at {h} in {k} ({pct}); the median "
                "one is ahead for good from {median}.",
                median=t.quarter(median),
                **values,
            )
        elif live:
            sentence = t._(
                "Across {n} departments like it, the switch pays back by {h} in only {k} ({pct}): most "
                "have not paid it back by the horizon.",
                **values,
            )
        else:
            sentence = t._(
                "Across {n} departments like it, {right} is ahead in profit at {h} in only {k} ({pct}): most are not.",
                **values,
            )
        text.append(sentence)
    return text


def _amount(value: float, t: Translator) -> str:
    """``abs(value)`` in k€, with a decimal below 1 k€ (so that a small loss never reads as 0 k€)."""
    return t.money(abs(value), 1 if abs(value) < 1 else 0)


def steps(
    left: Department,
    right: Department,
    t: Translator,
    horizon: int,
    spread: Spread | None,
    switch: tuple[bool, int | None, str] = (False, None, ""),
) -> list[Step]:
    """All steps of the story; each is written from the data up to ``left.quarter``. ``switch``:
    (live-switch mode, the switch quarter or None, the right-hand policy's name in words)."""
    live, at, policy = switch
    if live:
        return live_steps(left, right, t, horizon, spread, at, policy)
    q = targets(horizon)
    return [
        _start(left, right, t, q[0]),
        _servicing(left, right, t, q[1]),
        _newcomers(left, right, t, q[2]),
        _skill(left, right, t, q[3]),
        _golden(left, right, t, q[4]),
        _revenue(left, right, t, q[5]),
        _spread(left, right, t, q[6], spread),
        _decision(left, right, t, q[6], spread),
    ]


def live_targets(horizon: int, at: int | None) -> list[int]:
    """The quarters of the live-switch story: the start, the switch (a fifth into the horizon
    unless made already), the dip, the horizon."""
    h = max(horizon, 1)
    switch = at if at is not None else max(1, round(h * 0.2))
    dip = min(h, switch + max(1, round((h - switch) * 0.4)))
    return [0, switch, dip, h, h]


def live_steps(
    left: Department, right: Department, t: Translator, horizon: int, spread: Spread | None, at: int | None, policy: str
) -> list[Step]:
    """The consultant's question, live: both departments start under the left one's policy, the
    right one switches when the trainer says; what does the switch cost, when does it pay back?"""
    q = live_targets(horizon, at)
    first = left.frame.iloc[0]
    same = bool(
        at is None
        or (left.frame.iloc[: at + 1].profit.to_numpy() == right.frame.iloc[: at + 1].profit.to_numpy()).all()
    )
    intro = [
        t._(
            "One department, twice: both sides start under {left} in the same market, with the same people "
            "and the same {clients}. Until the switch the two are identical, quarter by quarter.",
            left=left.label,
            clients=t.count(int(first.active_clients), "{n} client", "{n} clients"),
        ),
        t._(
            "The question a consultant is paid for: should the right one switch to {policy}? What does the "
            "transition cost, and when does it pay back?",
            policy=policy,
        ),
    ]
    step0 = Step(
        t._("Should we switch?"),
        intro,
        [
            t._(
                "The chart shows the right department's profit minus the left's, added up: flat at 0 while "
                "they are the same."
            )
        ],
        [
            t._(
                "Press Switch now (on the right department's card) when you want, or Next: it switches in {quarter}.",
                quarter=t.quarter(q[1]),
            )
            if at is None
            else t._("Press Next: the switch made in {quarter}.", quarter=t.quarter(at))
        ],
        "profit",
        q[0],
    )
    if at is None:
        switch_text = profit_text(left, right, t, None, spread, True, policy)
        switch_notice = [t._("Not switched yet: a dashed line will mark the switch quarter on every chart.")]
    else:
        after = right.frame[right.frame.quarter > at]
        text = [
            t._(
                "In {quarter} the right department switched to {policy}: {changes}.",
                quarter=t.quarter(at),
                policy=policy,
                changes=switch_changes(left.policy, right.policy, t),
            )
        ]
        if len(after):
            text.append(
                t._(
                    "So far since: {crm} spent on the CRM, {hires}, {quits}.",
                    crm=t.money(float(after.crm_cost.sum())),
                    hires=t.count(int(after.hires.sum()), "{n} hire", "{n} hires"),
                    quits=t.count(int(after.quits.sum()), "{n} quit", "{n} quits"),
                )
                if "crm" in policy_parts(right.policy)[1]
                else t._(
                    "So far since: {hires}, {quits}.",
                    hires=t.count(int(after.hires.sum()), "{n} hire", "{n} hires"),
                    quits=t.count(int(after.quits.sum()), "{n} quit", "{n} quits"),
                )
            )
        text.append(
            t._(
                "Before the switch both departments were identical: {same}.",
                same=t._("checked, quarter by quarter") if same else t._("not so – check the settings"),
            )
        )
        switch_text = text
        switch_notice = [t._("The dashed line on every chart marks the switch quarter.")]
    step1 = Step(
        t._("The switch"),
        switch_text,
        [*switch_notice, t._("The books chart: who is a hunter, who an account manager, and how the books move.")],
        [t._("Step on: does profit dip while the transition costs time and money?")],
        "books",
        q[1],
        switch=True,
    )
    curve = profit_text(left, right, t, at, spread, True, policy)
    dip = j_curve(left, right, at) if at is not None else None
    step2 = Step(
        t._("The dip: the J-curve") if dip is not None and dip.bottom < 0 else t._("The J-curve"),
        curve,
        [*_line_notice(dip, at, t), *_band_notice(spread, at, t)],
        [t._("Reset and switch later, or earlier: does the dip get deeper or shallower?")],
        "profit",
        q[2],
    )
    step3 = Step(
        t._("Does it pay back?"),
        curve,
        [t._("The payback quarter is the first after which the line stays above 0.")],
        [t._("Change the market (seed) in Levers and Reset: does the same switch pay back elsewhere?")],
        "profit",
        q[3],
    )
    return [step0, step1, step2, step3, _golden(left, right, t, q[4])]


def _line_notice(curve: JCurve | None, at: int | None, t: Translator) -> list[str]:
    """Where the J-curve's line is now, and what that means: written from its sign."""
    if curve is None or at is None:
        return [t._("The line stays at 0 until the switch: both departments are the same.")]
    if curve.quarter <= at:
        return [t._("The switch takes effect from the next quarter: the line is still at 0.")]
    digits = 1 if abs(curve.now) < 1 else 0  # never "−0 k€" for a value below 0
    values = {"value": t.money(curve.now, digits, signed=True), "quarter": t.quarter(curve.quarter)}
    if abs(curve.now) < 0.05:  # shown as 0
        return [t._("At 0 in {quarter}: so far the switch has brought as much as it has cost.", **values)]
    if curve.now < 0:
        return [t._("Below 0 ({value} in {quarter}): so far the switch has cost more than it has brought.", **values)]
    return [t._("Above 0 ({value} in {quarter}): so far the switch has brought more than it has cost.", **values)]


def _band_notice(spread: Spread | None, at: int | None, t: Translator) -> list[str]:
    """What the shaded band is, if the chart shows one (the spread of this switch is ready)."""
    if at is None:
        return []
    if spread is None or spread.switch_at != at:
        return [t._("A shaded band of departments like this one appears when the background runs finish.")]
    return [t._("The shaded band holds 8 of 10 departments like this one.")]


def switch_changes(before: str, after: str, t: Translator) -> str:
    """What a live switch from policy ``before`` to ``after`` changes, in words: only what differs."""
    (old_base, old_extras), (new_base, new_extras) = policy_parts(before), policy_parts(after)
    parts = []
    if new_base != old_base:
        parts.append(
            t._(
                "roles assigned from each seller's skill, the books moved to the account managers by planned "
                "handoffs as their room allows"
            )
            if new_base == "dedicated_roles"
            else t._("roles dropped, each seller keeps the clients they win")
        )
    if "crm" in new_extras and "crm" not in old_extras:
        parts.append(t._("a CRM rolled out over several quarters, with its one-off cost and training time"))
    elif "crm" in old_extras and "crm" not in new_extras:
        parts.append(t._("the CRM given up"))
    strategic = {
        "head_strategic": N_("strategic deals to the head, part time"),
        "dedicated_strategic": N_("strategic deals to a dedicated strategic seller"),
    }
    for extra, words in strategic.items():
        if extra in new_extras and extra not in old_extras:
            parts.append(t._(words))
    return "; ".join(parts) if parts else t._("the same rules as before")


def _decision(left: Department, right: Department, t: Translator, quarter: int, spread: Spread | None) -> Step:
    text = profit_text(left, right, t, 0, spread, False)
    notice = [_revenue_and_profit(left, right, t)]
    try_ = [
        t._(
            "Press Switch live in the top bar: both start under {left}, and you decide when the right one switches.",
            left=left.label,
        )
    ]
    return Step(t._("And the profit?"), text, notice, try_, "profit", quarter)


def _revenue_and_profit(left: Department, right: Department, t: Translator) -> str:
    """How the revenue gap and the profit gap compare, from their signs: revenue is not profit."""
    revenue = float(right.frame.revenue.sum() - left.frame.revenue.sum())
    profit = float(right.frame.profit.sum() - left.frame.profit.sum())
    values = {"right": right.label, "left": left.label, "rev": t.money(abs(revenue)), "profit": t.money(abs(profit))}
    if revenue >= 0 and profit >= 0:
        return t._("{right} is ahead of {left} on both: {rev} more revenue and {profit} more profit.", **values)
    if revenue < 0 and profit < 0:
        return t._("{right} is behind {left} on both: {rev} less revenue and {profit} less profit.", **values)
    if revenue >= 0:
        return t._(
            "Revenue is not profit: {right} earned {rev} more revenue than {left} but {profit} less profit.",
            **values,
        )
    return t._(
        "Revenue is not profit: {right} earned {rev} less revenue than {left} but {profit} more profit.",
        **values,
    )


def _start(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    first = left.frame.iloc[0]
    snap = left.history.snapshots[0]
    sellers = len(snap.sellers)
    veterans = sum(s.veteran for s in snap.sellers)
    text = [
        t._(
            "Two departments in the same market: the same leads arrive on both sides, quarter by quarter. "
            "Only the rule for who keeps a client differs: on the left {left}, on the right {right}.",
            left=left.label,
            right=right.label,
        ),
        t._(
            "Each starts with {sellers}, {veterans} among them, and {clients}; {golden} are consultative — "
            "the golden fund, bringing {money} a quarter out of {total}.",
            sellers=t.count(sellers, "{n} seller", "{n} sellers"),
            veterans=t.count(veterans, "{n} veteran", "{n} veterans"),
            clients=t.count(int(first.active_clients), "{n} client", "{n} clients"),
            golden=t.number(int(first.golden_fund_clients)),
            money=t.money(first.golden_fund_revenue),
            total=t.money(first.revenue),
        ),
    ]
    notice = [
        t._("The headline numbers on top: revenue now and its change since the start, for each side."),
        t._("The books chart: how many clients of each type every seller holds."),
    ]
    try_ = [
        t._("Press Next: the simulation plays the first quarters and the story goes on."),
        t._("Open Levers to see what the trainer can change (applied on Reset)."),
    ]
    return Step(t._("Two departments, one market"), text, notice, try_, "books", quarter)


def _servicing(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    shares = [float(d.frame.veteran_service_share.iloc[-1]) for d in (left, right)]
    busy = [e for e in left.events if e.kind == "servicing" and e.quarter <= left.quarter]
    books = Counter()
    for seller in left.history.at(left.quarter).sellers:
        if seller.veteran:
            books.update(seller.mix)
    held = sum(books.values())
    text = [
        t._(
            "After {quarters}, the veterans of {left} spend {share} of their time servicing the clients they "
            "already have. In {right}: {other}.",
            quarters=t.count(left.quarter, "{n} quarter", "{n} quarters"),
            left=left.label,
            share=t.percent(shares[0]),
            right=right.label,
            other=t.percent(shares[1]),
        )
    ]
    if held:
        text.append(
            t.count(
                held,
                "Of the {n} client in their books, {share} are transactional: clients to invoice rather than develop.",
                "Of the {n} clients in their books, {share} are transactional: clients to invoice rather than develop.",
                share=t.percent(books["transactional"] / held),
            )
        )
    if busy:
        names = {(fields_of(e) or {}).get("name") or f"#{i}" for i, e in enumerate(busy)}  # unread: one each
        text.append(
            t.count(
                len(names),
                "{n} veteran of {left} crossed 80% of time on invoicing so far.",
                "{n} veterans of {left} crossed 80% of time on invoicing so far.",
                left=left.label,
            )
        )
    gap = round(100 * shares[0]) - round(100 * shares[1])  # as shown, in whole percent
    values = {"left": left.label, "right": right.label, "points": t.count(abs(gap), "{n} point", "{n} points")}
    if gap > 0:
        compare = t._(
            "The veterans of {left} spend {points} more of their time servicing than those of {right}.", **values
        )
    elif gap < 0:
        compare = t._(
            "The veterans of {left} spend {points} less of their time servicing than those of {right}.", **values
        )
    else:
        compare = t._("The veterans of both spend about the same share of their time servicing.", **values)
    notice = [
        compare,
        t._("Time spent servicing is time not spent on new consultative leads."),
        t._("The dotted line marks 80%: the book's 'veterans become invoicing clerks'."),
    ]
    try_ = [t._("Raise the lead inflow in Levers and press Reset: do the veterans find more time for new clients?")]
    title = (
        t._("Veterans become invoicing clerks")
        if busy or shares[0] >= 0.5
        else t._("Do veterans become invoicing clerks?")
    )
    return Step(title, text, notice, try_, "servicing", quarter)


def _newcomers(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    pursuits = [p for p in left.history.pursuits if p.ended <= left.quarter and p.outcome != "dropped"]
    new = [p for p in pursuits if p.status == "newcomer"]
    old = [p for p in pursuits if p.status == "veteran"]
    text = []
    if new:
        text.append(
            t._(
                "In {left}, newcomers pursued {leads}; {share} of them consultative, of average difficulty "
                "{new} (veterans' pursuits: {old}). Newcomers won {rate} of theirs, veterans {vrate}.",
                left=left.label,
                leads=t.count(len(new), "{n} lead", "{n} leads"),
                share=t.percent(np.mean([p.consultative for p in new])),
                new=t.number(np.mean([p.complexity for p in new]), 2),
                old=t.number(np.mean([p.complexity for p in old]), 2) if old else "–",
                rate=t.percent(_win_rate(new)),
                vrate=t.percent(_win_rate(old)) if old else "–",
            )
        )
        hardest = max((p for p in new if p.consultative), key=lambda p: p.complexity, default=None)
        if hardest is not None:
            text.append(_hardest(hardest, t))
    else:
        text.append(t._("No newcomer has finished a pursuit in {left} yet.", left=left.label))
    # compared as shown (two decimals), so that the words never contradict the numbers beside them
    difficulty = [round(float(np.mean([p.complexity for p in group])), 2) if group else 0.0 for group in (new, old)]
    harder = bool(new and old) and difficulty[0] > difficulty[1]
    if new and old:
        values = {"left": left.label, "new": t.number(difficulty[0], 2), "old": t.number(difficulty[1], 2)}
        first = (
            t._(
                "In {left} the newcomers' leads were harder than the veterans' ({new} against {old} on average): "
                "hard new leads go to whoever has time.",
                **values,
            )
            if harder
            else t._(
                "In {left} the newcomers' leads were not harder than the veterans' ({new} against {old} on average).",
                **values,
            )
        )
    elif new:
        first = t._("In {left} no veteran has finished a pursuit yet: only newcomers to compare.", left=left.label)
    else:
        first = t._("Step on: no newcomer's pursuit has ended yet.")
    notice = [first, t._("In the books chart, compare the newcomers' bars with the veterans'.")]
    try_ = [t._("Step on and watch the event log: who quits, and after how many lost pursuits?")]
    title = t._("Newcomers get the hardest clients") if harder else t._("Who gets the hard clients?")
    return Step(title, text, notice, try_, "books", quarter)


def _hardest(p: Pursuit, t: Translator) -> str:
    if p.outcome == "lost":
        return t._(
            "The hardest consultative lead a newcomer got: client C{client} (difficulty {difficulty}), "
            "given to {seller} in {start}; lost in {end}.",
            client=p.client,
            difficulty=t.number(p.complexity, 2),
            seller=p.seller,
            start=t.quarter(p.started),
            end=t.quarter(p.ended),
        )
    return t._(
        "The hardest consultative lead a newcomer got: client C{client} (difficulty {difficulty}), "
        "given to {seller} in {start}; won in {end}.",
        client=p.client,
        difficulty=t.number(p.complexity, 2),
        seller=p.seller,
        start=t.quarter(p.started),
        end=t.quarter(p.ended),
    )


def _win_rate(pursuits: list[Pursuit]) -> float:
    return float(np.mean([p.outcome == "won" for p in pursuits])) if pursuits else 0.0


def _skill(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    text = []
    faded, quit_count, nows = False, 0, []
    for d in (left, right):
        start, now = float(d.frame.veteran_skill.iloc[0]), float(d.frame.veteran_skill.iloc[-1])
        quits = [name for name, q in d.history.quits.items() if q <= d.quarter]
        faded, quit_count = faded or now < start, quit_count + len(quits)
        nows.append(now)
        text.append(
            t._(
                "{label}: the veterans' consultative skill went from {start} to {now} ({change}); {quits} so far.",
                label=d.label,
                start=t.number(start, 2),
                now=t.number(now, 2),
                change=t.change(now, start),
                quits=t.count(len(quits), "{n} seller quit", "{n} sellers quit"),
            )
        )
    notice = [
        t._("Skill not used is forgotten: a veteran who only invoices loses consultative skill."),
        t._("Each thin line is one person hired during the run; ✕ marks where they quit."),
    ]
    try_ = [
        t._(
            "Set the skill forgetting rate to 0 in Levers and Reset: does {left} still fall behind {right}?",
            left=left.label,
            right=right.label,
        )
        if nows[0] < nows[1]
        else t._("Set the skill forgetting rate to 0 in Levers and Reset: how do the veterans' skill lines change?")
    ]
    if faded and quit_count:
        title = t._("Skill fades, people leave")
    elif faded:
        title = t._("Skill fades")
    elif quit_count:
        title = t._("People leave")
    else:
        title = t._("Skill and people")
    return Step(title, text, notice, try_, "skill", quarter)


def _golden(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    text = []
    drains = False
    for d in (left, right):
        first, last = d.frame.iloc[0], d.frame.iloc[-1]
        change = (
            (last.golden_fund_revenue - first.golden_fund_revenue) / first.golden_fund_revenue
            if first.golden_fund_revenue
            else 0.0
        )
        churned = [e for e in d.events if e.kind == "churn" and e.quarter <= d.quarter]
        handoffs = [after_handoff(e) for e in churned]
        values = {
            "label": d.label,
            "pct": t.percent(abs(change)),
            "now": t.money(last.golden_fund_revenue),
            "then": t.money(first.golden_fund_revenue),
        }
        drains = drains or change < 0
        if change < 0:
            sentence = t._(
                "{label}: the golden fund brings {pct} less than at the start ({now} a quarter against {then}); ",
                **values,
            )
        else:
            sentence = t._(
                "{label}: the golden fund brings {pct} more than at the start ({now} a quarter against {then}); ",
                **values,
            )
        if None in handoffs:  # the log does not say for every churn: count them only
            text.append(
                sentence + t.count(len(churned), "{n} golden-fund client churned.", "{n} golden-fund clients churned.")
            )
        else:
            text.append(
                sentence
                + t.count(
                    len(churned),
                    "{n} golden-fund client churned, {h} after a handoff.",
                    "{n} golden-fund clients churned, {h} after a handoff.",
                    h=t.number(sum(handoffs)),
                )
            )
    notice = [
        t._(
            "A consultative client is loyal to the person who serves it: when that person quits or hands it "
            "over, the client may leave."
        ),
        t._("The event log below counts the churned golden-fund clients quarter by quarter."),
    ]
    try_ = [
        t._(
            "Compare finder keeps with dedicated roles without a CRM (choose it in Levers): handoffs cost "
            "loyalty. Does a CRM make up for it?"
        )
    ]
    title = t._("The golden fund drains") if drains else t._("The golden fund holds")
    return Step(title, text, notice, try_, "golden", quarter)


def _revenue(left: Department, right: Department, t: Translator, quarter: int) -> Step:
    totals = [float(d.frame.revenue.sum()) for d in (left, right)]
    gap = totals[1] - totals[0]
    values = {
        "quarters": t.count(left.quarter, "{n} quarter", "{n} quarters"),
        "right": right.label,
        "left": left.label,
        "gap": t.money(abs(gap)),
        "r": t.money(totals[1]),
        "l": t.money(totals[0]),
    }
    if gap >= 0:
        text = [t._("Over {quarters}, {right} earned {gap} more than {left} ({r} against {l}).", **values)]
    else:
        text = [t._("Over {quarters}, {right} earned {gap} less than {left} ({r} against {l}).", **values)]
    for d in (left, right):
        text.append(
            t._(
                "{label}: revenue per quarter {change} since the start.",
                label=d.label,
                change=t.change(float(d.frame.revenue.iloc[-1]), float(d.frame.revenue.iloc[0])),
            )
        )
    notice = [t._("Revenue follows the golden fund with a delay: consultative clients grow when their needs are met.")]
    try_ = [
        t._(
            "Lower the share of consultative leads to 0.2 and Reset: when the work is transactional, does the "
            "rule matter as much?"
        )
    ]
    return Step(t._("The bill"), text, notice, try_, "revenue", quarter)


def _spread(left: Department, right: Department, t: Translator, quarter: int, spread: Spread | None) -> Step:
    if spread is None:
        text = [
            t._(
                "The spread of other departments is still being computed in the background; it appears as "
                "shaded bands on the revenue charts when ready."
            )
        ]
    else:
        text = [
            t._(
                "This is one department. Across {n} departments in the same conditions, {right} ended with more "
                "golden-fund revenue than {left} in {k} ({pct}).",
                n=t.number(spread.replications),
                right=right.label,
                left=left.label,
                k=t.number(spread.right_keeps_more),
                pct=t.percent(spread.gap_share()),
            ),
            t._(
                "By that gap, the department on screen ranks {rank} of {n} (1 = the smallest gap).",
                rank=t.number(spread.shown_rank),
                n=t.number(spread.replications),
            ),
        ]
    notice = [
        t._("The shaded bands hold 8 of 10 departments: one run's luck can move a line that far.")
        if spread is not None
        else t._("When the bands appear: how far can one run's luck move a line?")
    ]
    try_ = [
        t._(
            "Change the market (seed) in Levers and Reset: another department, another story — "
            "does the conclusion hold?"
        )
    ]
    return Step(t._("One department or many?"), text, notice, try_, "golden", quarter)


def event_summary(
    kind_counts, handoffs: int | None, t: Translator, followers: int = 0, unread_follows: int = 0, switched_to: str = ""
) -> str:
    """'8 golden-fund clients churned, 3 after a handoff; 2 quits; 1 hire' for one quarter, from the
    events' kinds and counts (``handoffs`` None: not known for every churn; ``unread_follows``:
    departures whose followers were not counted; ``switched_to``: the policy switched to, in words)."""
    parts = []
    if kind_counts.get("switch"):
        parts.append(t._("switch to {policy}", policy=switched_to) if switched_to else t._("policy switch"))
    if kind_counts.get("churn"):
        parts.append(
            t.count(kind_counts["churn"], "{n} golden-fund client churned", "{n} golden-fund clients churned")
            + (t._(", {h} after a handoff", h=t.number(handoffs)) if handoffs else "")
        )
    if kind_counts.get("quit"):
        parts.append(t.count(kind_counts["quit"], "{n} quit", "{n} quits"))
    if followers:
        parts.append(t.count(followers, "{n} client left with their seller", "{n} clients left with their seller"))
    if unread_follows:
        parts.append(
            t.count(unread_follows, "clients left with {n} departing seller", "clients left with {n} departing sellers")
        )
    if kind_counts.get("hire"):
        parts.append(t.count(kind_counts["hire"], "{n} hire", "{n} hires"))
    if kind_counts.get("promotion"):
        parts.append(t.count(kind_counts["promotion"], "{n} promotion", "{n} promotions"))
    if kind_counts.get("servicing"):
        parts.append(
            t.count(kind_counts["servicing"], "{n} veteran crossed 80% invoicing", "{n} veterans crossed 80% invoicing")
        )
    known = {"switch", "churn", "quit", "follow", "hire", "promotion", "servicing"}
    parts += [f"{kind} ×{t.number(n)}" for kind, n in sorted(kind_counts.items()) if kind not in known]
    return "; ".join(parts)


__all__ = [
    "Department",
    "JCurve",
    "Step",
    "event_summary",
    "events_by_quarter",
    "j_curve",
    "live_targets",
    "profit_text",
    "steps",
    "targets",
]


def event_line(event, t: Translator) -> str:
    """One of the model's events in the page's language (the model logs them in English)."""
    fields = fields_of(event)
    if event.kind == "switch":
        policy = switch_policy(event)
        return t._("the department switches to {policy}", policy=t.policy(policy)) if policy else event.text
    if fields is None or t.lang == "en":
        return event.text
    if event.kind == "churn":
        return (
            t._("golden-fund client C{client} churned after a handoff", client=fields["client"])
            if fields["handoff"]
            else t._("golden-fund client C{client} churned", client=fields["client"])
        )
    if event.kind == "quit":
        who = fields["who"].replace(" ", "_")
        return t._(
            "{who} {name} quit after {lost} lost and {won} won pursuits (skill {skill}, motivation {motivation})",
            who=t.term(who) if who in TERM_KEYS else fields["who"],
            name=fields["name"],
            lost=fields["lost"],
            won=fields["won"],
            skill=t.number(float(fields["skill"]), 2),
            motivation=t.number(float(fields["motivation"]), 2),
        )
    if event.kind == "hire":
        role = fields["role"].replace(" ", "_")
        return t._(
            "{name} hired as {role} (skill {skill})",
            name=fields["name"],
            role=t.term(role) if role in TERM_KEYS else fields["role"],
            skill=t.number(float(fields["skill"]), 2),
        )
    if event.kind == "promotion":
        return t._(
            "{name} promoted to hunter (skill {skill})", name=fields["name"], skill=t.number(float(fields["skill"]), 2)
        )
    if event.kind == "follow":
        return t.count(int(fields["count"]), "{n} client left with their seller", "{n} clients left with their seller")
    if event.kind == "servicing":
        return t._(
            "veteran {name} now spends {share} of time on invoicing",
            name=fields["name"],
            share=t.percent(int(fields["share"]) / 100),
        )
    return event.text


def switch_policy(event) -> str | None:
    """The policy (its code name) a "switch" event names, or None if it names none the page knows."""
    from simulation import POLICIES

    named = (fields_of(event) or {}).get("policy", "")
    return next((name for name in POLICIES if named in (name, name.replace("_", " "))), None)


TERM_KEYS = {"veteran", "newcomer", "generalist", "hunter", "account_manager", "strategic_seller", "head"}
