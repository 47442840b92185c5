"""Story mode, the histories it reads, the spread and the default department: without a browser."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara")

from dashboard import story
from dashboard.ensemble import payback_quarter, spread
from dashboard.history import PATTERNS, fields_of
from dashboard.i18n import translator
from dashboard.lockstep import DEFAULT_SEED, Levers, Lockstep
from dashboard.typical import typical_seed
from simulation import MAIN_POLICIES
from simulation.events import Event
from simulation.metrics import timeseries


def departments(state: Lockstep, lang: str = "en") -> list[story.Department]:
    t = translator(lang)
    return [
        story.Department(m.policy_name, t.policy(m.policy_name), timeseries(m), h, m.events, state.quarter)
        for m, h in zip(state.models, state.histories, strict=True)
    ]


def played(seed: int, quarters: int = 20) -> Lockstep:
    state = Lockstep(levers=Levers(seed=seed, quarters=quarters))
    while state.step():
        pass
    return state


def switch_live(state: Lockstep, at: int, until: int | None = None) -> Lockstep:
    """Step ``state`` to quarter ``at``, switch now, then step to quarter ``until`` (default: the end)."""
    for _ in range(at):
        state.step()
    state.switch_now()
    while (until is None or state.quarter < until) and state.step():
        pass
    return state


def all_text(steps: list[story.Step]) -> str:
    return " ".join(" ".join([s.title, *s.text, *s.notice, *s.try_]) for s in steps)


def test_story_numbers_come_from_the_run():
    state = played(DEFAULT_SEED)
    left, right = departments(state)
    steps = story.steps(left, right, translator("en"), state.horizon, None)
    assert [s.quarter for s in steps] == story.targets(20) == [0, 4, 6, 10, 16, 20, 20, 20]
    servicing = steps[1].text[0]
    assert f"{left.frame.veteran_service_share.iloc[-1]:.0%}" in servicing
    golden = steps[4].text[0]
    churned = sum(e.kind == "churn" for e in left.events)
    assert f"{churned} golden-fund client" in golden
    total = f"{left.frame.revenue.sum():,.0f} k€"
    assert total in steps[5].text[0]


def test_another_department_tells_another_story():
    texts = {all_text(story.steps(*departments(played(seed, 8)), translator("en"), 8, None)) for seed in (1, 2)}
    assert len(texts) == 2


def test_story_in_russian_uses_russian_words_and_numbers():
    state = played(DEFAULT_SEED, 8)
    text = all_text(story.steps(*departments(state, "ru"), translator("ru"), 8, None))
    assert "золотой фонд" in text and "Кто нашёл, тот и ведёт" in text
    assert not re.search(r"\d,\d{3}", text), "English thousands separators in the Russian story"


def test_newcomer_pursuits_are_followed_to_their_end():
    state = played(DEFAULT_SEED)
    pursuits = state.histories[0].pursuits
    assert {p.outcome for p in pursuits} <= {"won", "lost", "dropped"}
    assert any(p.status == "newcomer" and p.outcome == "lost" for p in pursuits)
    won = [p for p in pursuits if p.outcome == "won"]
    ledger = state.left.ledger
    assert all(ledger.won[p.client] >= p.started for p in won)


def test_skill_lines_do_not_jump_when_people_join_or_leave():
    state = played(DEFAULT_SEED)
    _veterans, people = state.histories[0].skill_lines(state.quarter)
    assert people
    for line in people.values():
        present = [q for q, value in enumerate(line) if value is not None]
        assert present == list(range(present[0], present[-1] + 1)), "a person's line has a gap"


def test_event_summary_counts_by_kind():
    state = played(DEFAULT_SEED, 8)
    groups = story.events_by_quarter(state.left.events, state.quarter)
    assert [g.quarter for g in groups] == sorted({e.quarter for e in state.left.events}, reverse=True)
    for group in groups:
        summary = story.event_summary(group.counts, group.handoff_churns, translator("en"), group.followers)
        if group.counts.get("churn"):
            assert f"{group.counts['churn']} golden-fund client" in summary
        ru = story.event_summary(group.counts, group.handoff_churns, translator("ru"), group.followers)
        assert ru and not any(word in ru for word in ("churned", "quits", "hires"))
    ru_lines = [story.event_line(e, translator("ru")) for e in state.left.events]
    assert not [line for line in ru_lines if re.search(r"churned|hired|quit after|invoicing|left with", line)]


def test_spread_bands_hold_the_median_and_count_the_paired_gaps():
    result = spread(Levers(quarters=6), ("finder_keeps", "dedicated_roles_crm"), replications=5)
    assert result.replications == 5 and 0 <= result.right_keeps_more <= 5 and 1 <= result.shown_rank <= 5
    for side in result.bands:
        low, mid, high = side["golden_fund_revenue"]
        assert len(low) == 7 and all(a <= b <= c for a, b, c in zip(low, mid, high, strict=True))


@pytest.mark.slow
def test_the_default_department_is_the_typical_one():
    """DEFAULT_SEED is still the median of the paired golden-fund gaps (rerun after model changes)."""
    assert typical_seed() == DEFAULT_SEED


def test_payback_is_the_first_quarter_after_which_the_difference_stays_above_zero():
    assert payback_quarter([0, 5, 9, 12]) == 1  # better from the first quarter: pays back in the first
    assert payback_quarter([0, -3, -5, 2, -1, 4, 6]) == 5
    assert payback_quarter([0, 0, -3, -1]) is None and payback_quarter([0, 0, 0]) is None
    assert payback_quarter([0, 0, 0, 0, 2, 3], start=3) == 4


def test_j_curve_text_is_read_from_the_run():
    state = Lockstep(levers=Levers(quarters=12), live_switch=True)
    left, right = departments(state)
    t = translator("en")
    assert "Press Switch now" in story.profit_text(left, right, t, None, None, True, "Dedicated roles + CRM")[0]
    left, right = departments(switch_live(state, 3))
    curve = story.j_curve(left, right, 3)
    gap = (right.frame.profit - left.frame.profit).cumsum()
    assert curve.now == pytest.approx(gap.iloc[-1]) and curve.bottom == pytest.approx(min(0, gap.min()))
    assert curve.payback == payback_quarter(gap.to_numpy(), 3)
    text = story.profit_text(left, right, t, 3, None, True)[0]
    assert text.startswith("Since the switch in Q3")
    if curve.payback is None:
        assert f"{abs(curve.now):,.0f} k€" in text and "not paid back" in text
    else:
        assert f"paid back in Q{curve.payback}" in text


def test_every_event_the_model_logs_is_understood():
    """The page reads details from the model's event texts: a change of wording fails here (see
    history.PATTERNS), rather than silently dropping numbers from the page."""
    seen = set()
    for policy in MAIN_POLICIES:
        state = switch_live(Lockstep("finder_keeps", policy, levers=Levers(quarters=10), live_switch=True), 2)
        for event in (*state.left.events, *state.right.events):
            assert event.kind in PATTERNS, event
            assert fields_of(event) is not None, f"the page cannot read: {event}"
            seen.add(event.kind)
        switches = [e for e in state.right.events if e.kind == "switch"]
        if policy == "finder_keeps":  # a switch to the same policy changes nothing
            assert not switches and timeseries(state.left).equals(timeseries(state.right))
        else:
            assert [story.switch_policy(e) for e in switches] == [policy]
    assert seen >= {"churn", "quit", "hire", "switch", "servicing"}


def test_an_event_of_another_shape_is_counted_by_its_kind_and_shown_as_it_is():
    events = [
        Event(3, "churn", "golden-fund client C7 churned after a handoff"),
        Event(3, "churn", "client C9 went elsewhere"),
        Event(3, "follow", "some clients followed S4"),
        Event(3, "audit", "the books were audited"),
    ]
    group = story.events_by_quarter(events, 3)[0]
    assert group.counts["churn"] == 2 and group.handoff_churns is None and group.unread_follows == 1
    summary = story.event_summary(
        group.counts, group.handoff_churns, translator("en"), group.followers, group.unread_follows
    )
    assert summary == ("2 golden-fund clients churned; clients left with 1 departing seller; audit ×1")
    assert story.event_line(events[1], translator("ru")) == "client C9 went elsewhere"
    structured = Event(4, "churn", "anything")
    structured.data = {"client": 5, "handoff": True}  # what the model may give one day
    assert story.events_by_quarter([structured], 4)[0].handoff_churns == 1


def test_spread_of_a_live_switch_is_flat_before_it_and_counts_paybacks():
    result = spread(Levers(quarters=8), ("finder_keeps", "dedicated_roles_crm"), replications=3, switch_at=3)
    low, mid, high = result.profit_gap
    assert result.switch_at == 3 and len(mid) == 9
    assert all(a == b == c == 0 for a, b, c in zip(low[:4], mid[:4], high[:4], strict=True))
    assert len(result.paybacks) == 3 and all(q is None or 3 < q <= 8 for q in result.paybacks)


# The story's words must follow the run's numbers: each case below is a real run, and the cases
# are chosen so that the value a sentence reads is above its threshold in some and below it in
# others (a test fails if one side goes missing, so the words for both are always checked).
LIVE_CASES = [  # (left, right policy, seed): a live switch at Q3 of 12 quarters
    ("finder_keeps", "dedicated_roles_crm", DEFAULT_SEED),
    ("finder_keeps", "dedicated_roles", DEFAULT_SEED),
    ("dedicated_roles_crm", "finder_keeps", DEFAULT_SEED),
    ("dedicated_roles", "finder_keeps", DEFAULT_SEED),
    ("finder_keeps", "finder_keeps_head_strategic", 1),
]
PAIRS = [  # (left, right, seed): both policies from the start, 12 quarters
    ("finder_keeps", "dedicated_roles_crm", DEFAULT_SEED),
    ("dedicated_roles_crm", "finder_keeps", DEFAULT_SEED),
    ("finder_keeps", "dedicated_roles", 1),
    ("dedicated_roles", "finder_keeps", 2),
    ("finder_keeps", "finder_keeps_head_strategic", 1),
]
MONEY = re.compile(r"([+−]?[\d,]+(?:\.\d)?) k€")


def live_dip(left: str, right: str, seed: int) -> tuple[story.Step, story.JCurve, list[story.Step]]:
    """The live story's dip step as a trainer reaches it: switch at Q3, stepped to the dip quarter."""
    t = translator("en")
    state = Lockstep(left, right, levers=Levers(seed=seed, quarters=12), live_switch=True)
    a, b = departments(switch_live(state, 3, until=story.live_targets(12, 3)[2]))
    steps = story.steps(a, b, t, 12, None, (True, 3, t.policy(right)))
    return steps[2], story.j_curve(a, b, 3), steps


def money(text: str) -> float:
    return float(MONEY.search(text)[1].replace(",", "").replace("−", "-"))


def test_the_dip_says_below_or_above_0_as_the_line_is():
    signs = set()
    for case in LIVE_CASES:
        dip, curve, _ = live_dip(*case)
        line = dip.notice[0]
        assert curve.quarter == 7 and curve.now != 0, case
        if curve.now < 0:
            assert line.startswith("Below 0 (−") and "cost more than it has brought" in line, (case, line)
        else:
            assert line.startswith("Above 0 (+") and "brought more than it has cost" in line, (case, line)
        assert money(line) == pytest.approx(curve.now, abs=0.5), (case, line)
        assert (dip.title == "The dip: the J-curve") == (curve.bottom < 0), (case, dip.title)
        assert not any("shaded band holds" in n for n in dip.notice), "no spread yet, so no band to speak of"
        signs.add(curve.now > 0)
    assert signs == {True, False}, "the cases no longer cover a line above 0 and one below"


def test_the_j_curve_text_says_cost_or_gain_as_the_numbers_are():
    kinds = set()
    for case in LIVE_CASES:
        _, curve, steps = live_dip(*case)
        text = steps[2].text[0]
        if curve.now < 0:
            kinds.add("cost")
            assert "has cost" in text and "not paid back" in text and "more profit" not in text, (case, text)
            assert money(text) == pytest.approx(-curve.now, abs=0.5)
        elif curve.bottom <= -0.05:
            kinds.add("paid back")
            assert "more profit than" in text and f"paid back in Q{curve.payback}" in text, (case, text)
            assert "cost at most" in text and "cost nothing" not in text
        else:
            kinds.add("never behind")
            assert "cost nothing so far" in text and "never behind" in text and "cost at most" not in text, text
    assert kinds >= {"cost", "paid back"}, kinds


def pair_story(left: str, right: str, seed: int, lang: str = "en") -> tuple[list[story.Step], list[story.Department]]:
    state = Lockstep(left, right, levers=Levers(seed=seed, quarters=12))
    while state.step():
        pass
    deps = departments(state, lang)
    return story.steps(*deps, translator(lang), 12, None), deps


def test_the_golden_fund_revenue_and_profit_words_follow_the_signs():
    seen = {"golden": set(), "revenue": set(), "profit": set(), "rev-profit": set()}
    for case in PAIRS:
        steps, (left, right) = pair_story(*case)
        golden, bill, decision = steps[4], steps[5], steps[7]
        falls = []
        for department, sentence in zip((left, right), golden.text, strict=True):
            first, last = department.frame.golden_fund_revenue.iloc[[0, -1]]
            falls.append(last < first)
            assert (" less than at the start" in sentence) == (last < first), (case, sentence)
            assert (" more than at the start" in sentence) == (last >= first), (case, sentence)
            seen["golden"].add(last < first)
        assert (golden.title == "The golden fund drains") == any(falls), (case, golden.title)
        gap = right.frame.revenue.sum() - left.frame.revenue.sum()
        assert (" more than " in bill.text[0]) == (gap >= 0) and (" less than " in bill.text[0]) == (gap < 0)
        seen["revenue"].add(gap >= 0)
        profit = right.frame.profit.sum() - left.frame.profit.sum()
        words = decision.notice[0]
        assert ("more revenue" in words) == (gap >= 0) and ("less revenue" in words) == (gap < 0), (case, words)
        assert ("more profit" in words) == (profit >= 0) and ("less profit" in words) == (profit < 0), (case, words)
        assert ("more profit than" in decision.text[0]) == (profit > 0), (case, decision.text[0])
        seen["profit"].add(profit >= 0)
        seen["rev-profit"].add((gap >= 0) == (profit >= 0))
    assert all(found == {True, False} for found in seen.values()), seen


def test_servicing_and_newcomer_comparisons_follow_the_numbers_shown():
    seen = {"servicing": set(), "harder": set()}
    for case in PAIRS:
        steps, (left, right) = pair_story(*case)
        servicing, newcomers = steps[1], steps[2]
        shown = [round(100 * d.frame.veteran_service_share.iloc[-1]) for d in (left, right)]
        compare = servicing.notice[0]
        if shown[0] > shown[1]:
            assert f"{shown[0] - shown[1]} point" in compare and " more of their time" in compare, (case, compare)
        elif shown[0] < shown[1]:
            assert f"{shown[1] - shown[0]} point" in compare and " less of their time" in compare, (case, compare)
        else:
            assert "about the same" in compare
        seen["servicing"].add(shown[0] > shown[1])
        found = re.search(r"\(([\d.]+) against ([\d.]+) on average\)", newcomers.notice[0])
        if found:
            new, old = float(found[1]), float(found[2])
            assert ("were harder" in newcomers.notice[0]) == (new > old), (case, newcomers.notice[0])
            assert ("were not harder" in newcomers.notice[0]) == (new <= old)
            assert (newcomers.title == "Newcomers get the hardest clients") == (new > old)
            seen["harder"].add(new > old)
    assert seen["servicing"] == {True, False}, seen
    assert True in seen["harder"], seen


def test_the_switch_is_described_by_what_it_changes():
    _, _, steps = live_dip("finder_keeps", "dedicated_roles_crm", DEFAULT_SEED)
    assert "roles assigned" in steps[1].text[0] and "a CRM rolled out" in steps[1].text[0]
    assert "spent on the CRM" in steps[1].text[1]
    _, _, steps = live_dip("dedicated_roles_crm", "finder_keeps", DEFAULT_SEED)
    assert "roles dropped" in steps[1].text[0] and "the CRM given up" in steps[1].text[0]
    assert "CRM" not in steps[1].text[1]
    _, _, steps = live_dip("finder_keeps", "finder_keeps_head_strategic", 1)
    assert "strategic deals to the head" in steps[1].text[0] and "roles" not in steps[1].text[0]


def test_the_band_is_spoken_of_only_when_the_spread_of_this_switch_is_there():
    t = translator("en")
    a, b = departments(switch_live(Lockstep(levers=Levers(quarters=8), live_switch=True), 3))
    ready = spread(Levers(quarters=8), ("finder_keeps", "dedicated_roles_crm"), replications=3, switch_at=3)
    other = spread(Levers(quarters=8), ("finder_keeps", "dedicated_roles_crm"), replications=3, switch_at=2)
    for given, words in ((ready, "The shaded band holds"), (other, "appears when"), (None, "appears when")):
        dip = story.steps(a, b, t, 8, given, (True, 3, t.policy("dedicated_roles_crm")))[2]
        assert any(words in n for n in dip.notice), (given and given.switch_at, dip.notice)


def test_the_sign_words_are_russian_too():
    steps, (left, _right) = pair_story("finder_keeps", "dedicated_roles_crm", DEFAULT_SEED, "ru")
    first, last = left.frame.golden_fund_revenue.iloc[[0, -1]]
    assert ("меньше, чем в начале" in steps[4].text[0]) == (last < first)
    a, b = departments(switch_live(Lockstep(levers=Levers(quarters=12), live_switch=True), 3, until=7), "ru")
    t = translator("ru")
    dip = story.steps(a, b, t, 12, None, (True, 3, t.policy("dedicated_roles_crm")))[2]
    now = story.j_curve(a, b, 3).now
    assert dip.notice[0].startswith("Ниже 0" if now < 0 else "Выше 0"), dip.notice[0]
