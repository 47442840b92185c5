"""One test (or a few) per mechanism of docs/model.md."""

import math

import numpy as np
import pytest

from simulation import SalesModel, build_scenario
from simulation import mechanisms as mech


def test_forgetting_halves_excess_skill_in_documented_half_life():
    params = build_scenario().skill
    half_life = math.log(0.5) / math.log(1 - params.forgetting_rate)
    assert 2 <= half_life <= 4  # quarters: Arthur et al. 1998, 6.5-13 months of non-use
    skill, floor = 0.9, params.floor
    for _ in range(math.floor(half_life)):
        skill = mech.learn(skill, 0.0, params.learning_rate, params.forgetting_rate, floor)
    excess_left = (skill - floor) / (0.9 - floor)
    assert 0.5 <= excess_left <= 0.5 / (1 - params.forgetting_rate)


def test_forgetting_off_keeps_skill_and_practice_approaches_one_exponentially():
    assert mech.learn(0.7, 0.0, 0.25, 0.0, 0.2) == pytest.approx(0.7)
    gaps = [1 - 0.3]
    skill = 0.3
    for _ in range(3):
        skill = mech.learn(skill, 1.0, 0.25, 0.2, 0.2)
        gaps.append(1 - skill)
    ratios = np.array(gaps[1:]) / np.array(gaps[:-1])
    assert ratios == pytest.approx([0.75, 0.75, 0.75])


def test_win_chance_rises_with_skill_and_effort_and_is_zero_without_effort():
    assert mech.win_chance(0.9, 0.6, 0.0, 8, 0.6) == 0
    assert mech.win_chance(0.9, 0.6, 1.0, 8, 0.6) > mech.win_chance(0.4, 0.6, 1.0, 8, 0.6)
    assert mech.win_chance(0.9, 0.6, 1.0, 8, 0.6) > mech.win_chance(0.9, 0.6, 0.5, 8, 0.6)
    assert mech.win_chance(0.6, 0.6, 1.0, 8, 0.6) == pytest.approx(0.3)


def test_development_closes_a_share_of_the_gap():
    level = mech.develop(0.2, 1.0, 0.0, 1.0, slope=50, rate=0.5)
    assert level == pytest.approx(0.6, abs=1e-6)
    assert mech.develop(0.2, 0.9, 0.5, 0.0, 8, 0.5) == 0.2


def test_churn_rises_with_shortfall_unmet_need_and_disloyalty():
    base = mech.churn_probability(0, 0, 1, 0.01, 0.25, 0.15, 0.12)
    assert base == pytest.approx(1 - math.exp(-0.01))
    assert mech.churn_probability(0.5, 0, 1, 0.01, 0.25, 0.15, 0.12) > base
    assert mech.churn_probability(0, 1, 1, 0.01, 0.25, 0.15, 0.12) > base
    assert mech.churn_probability(0, 0, 0.3, 0.01, 0.25, 0.15, 0.12) > base


def test_handoff_with_full_crm_keeps_more_loyalty():
    without = mech.handoff_retention(0.7, crm_adoption=0.0, crm_protection=0.6)
    with_crm = mech.handoff_retention(0.7, crm_adoption=1.0, crm_protection=0.6)
    assert without == pytest.approx(0.3)
    assert with_crm == pytest.approx(1 - 0.7 * 0.4)


def test_comfortable_sellers_claim_fewer_leads_and_motivated_ones_quit_less():
    assert mech.claim_propensity(0.5, 4, 1.0) > mech.claim_propensity(1.5, 4, 1.0)
    assert mech.claim_propensity(1.0, 4, 1.0) == pytest.approx(0.5)
    assert mech.quit_chance(0.1, 0.05, 0.35, 0.35, 12) > mech.quit_chance(0.8, 0.05, 0.35, 0.35, 12)
    assert mech.quit_chance(1.0, 0.05, 0.35, 0.35, 12) == pytest.approx(0.05, abs=0.001)


def test_learning_is_less_effective_far_beyond_ones_skill():
    near = mech.learning_efficacy(0.7, 0.7, 8, 0.5)
    far = mech.learning_efficacy(0.2, 0.9, 8, 0.5)
    assert near == pytest.approx(0.75)
    assert 0.5 <= far < near
    assert mech.learning_efficacy(0.2, 0.9, 8, 0.0) == 1.0


def test_success_rate_and_gini():
    assert mech.success_rate(0, 0) == 0.5
    assert mech.success_rate(3, 1) == pytest.approx(3.5 / 5)
    assert mech.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert mech.gini([0, 0, 0, 4]) == pytest.approx(0.75)


def test_servicing_is_paid_before_consultative_work():
    # Books so full that servicing takes more than a whole quarter: no time is left to hunt.
    model = SalesModel(
        "fresh_start",
        overrides={"department.clients_per_veteran": 120, "department.veterans": 10, "market.leads_per_quarter": 10},
        log_events=False,
    )
    model.step()
    veterans = [s for s in model.regular_sellers() if s.veteran]
    assert veterans
    for seller in veterans:
        assert seller.service_share == pytest.approx(1.0)
        assert seller.consultative_time == 0.0
        assert seller.wins == 0


def test_light_books_leave_time_for_consultative_work():
    model = SalesModel("fresh_start", overrides={"department.clients_per_veteran": 5}, log_events=False)
    model.step()
    veterans = [s for s in model.regular_sellers() if s.veteran]
    assert np.mean([s.service_share for s in veterans]) < 0.3
    assert sum(s.consultative_time for s in veterans) > 0


def test_crm_moves_loyalty_to_the_firm():
    firm = {}
    for adoption in (0.0, 1.0):
        model = SalesModel(overrides={"crm.in_use": True, "crm.adoption": adoption}, log_events=False)
        for _ in range(4):
            model.step()
        firm[adoption] = model.ledger.loyalty_firm[model.ledger.in_stage(3)].mean()
    assert firm[1.0] > firm[0.0] + 0.1


def test_pay_splits_into_base_commission_and_bonuses_and_row_0_is_a_full_quarter():
    from simulation import run_simulation

    for scenario in ("fresh_start", "mature_department"):
        frame = run_simulation(scenario, "dedicated_roles_crm", seed=2, quarters=6).timeseries
        parts = frame.base_pay + frame.commission + frame.bonuses
        assert np.allclose(parts, frame.pay) and (frame.bonuses.iloc[3:] > 0).all()  # hunters' bonuses
        row0 = frame.iloc[0]
        assert row0.costs > 0 and row0.profit == pytest.approx(row0.margin - row0.costs)


def test_a_planned_handoff_loses_less_than_a_departure():
    planned = mech.handoff_retention(0.3, 0.0, 0.6)
    departure = mech.handoff_retention(0.5, 0.0, 0.6)
    assert planned > departure
    # The loss grows with the skill gap between the old and the new seller, and a used CRM shrinks it.
    assert mech.handoff_retention(0.5, 0.0, 0.6, mismatch=0.5, mismatch_weight=0.5) < departure
    assert mech.handoff_retention(0.5, 0.8, 0.6) > departure


def test_a_planned_handoff_keeps_more_loyalty_in_the_model():
    kept = {}
    for planned in (False, True):
        model = SalesModel("fresh_start", seed=4, log_events=False)
        model.step()
        veterans = [s for s in model.regular_sellers() if s.veteran]
        rows = veterans[0].book
        before = model.ledger.loyalty_personal[rows].copy()
        model.hand_off(rows, np.full(len(rows), veterans[1].desk, dtype=np.int32), planned=planned)
        kept[planned] = float((model.ledger.loyalty_personal[rows] / before).mean())
    assert kept[True] > kept[False]


def test_with_no_follow_share_no_client_leaves_with_a_seller():
    from simulation.staffing import follow_leavers

    for share, expect_some in ((0.0, False), (1.0, True)):
        model = SalesModel("fresh_start", seed=5, overrides={"handoff.follow_leaver_share": share}, log_events=False)
        model.step()
        book = next(s for s in model.regular_sellers() if s.veteran).book
        kept = follow_leavers(model, book)
        assert (len(kept) < len(book)) == expect_some
        assert (model.ledger.stage[np.setdiff1d(book, kept)] == 4).all()  # the followers churned


def test_newcomers_quit_more_than_veterans():
    rates = mech.tenure_quit_rate(np.array([0, 4, 16, 40]), early=0.11, late=0.035, settle=6.0)
    assert rates[0] == pytest.approx(0.11) and np.all(np.diff(rates) < 0) and rates[-1] > 0.035
    from simulation import run_simulation

    runs = [run_simulation("fresh_start", seed=8, replication=r, quarters=20).summary for r in range(20)]
    newcomers = np.nanmean([r["newcomer_quit_rate_annual"] for r in runs])
    veterans = np.nanmean([r["veteran_quit_rate_annual"] for r in runs])
    assert newcomers > 1.5 * veterans


def test_a_forgotten_lead_is_lost_and_a_crm_keeps_some_in_view():
    from simulation import run_simulation

    lost = {}
    for crm in (False, True):
        policy = "finder_keeps_crm" if crm else "finder_keeps"
        overrides = {"market.lead_forgetting": 0.5, "crm.followup": 1.0} if crm else {"market.lead_forgetting": 0.5}
        lost[crm] = np.mean(
            [
                run_simulation("fresh_start", policy, seed=9, replication=r, quarters=8, overrides=overrides).summary[
                    "leads_lost_total"
                ]
                for r in range(6)
            ]
        )
    base = np.mean(
        [run_simulation("fresh_start", seed=9, replication=r, quarters=8).summary["leads_lost_total"] for r in range(6)]
    )
    assert lost[False] > base  # forgetting loses leads
    assert lost[True] < lost[False]  # a CRM keeps them in view
