"""Same arguments, same results; common random numbers across policies."""

import math

import numpy as np
import pandas as pd
import pytest

from simulation import SUMMARY_METRICS, SalesModel, run_simulation


def same(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_same_arguments_give_identical_results():
    a = run_simulation(policy="dedicated_roles_crm", seed=3, replication=2, quarters=8)
    b = run_simulation(policy="dedicated_roles_crm", seed=3, replication=2, quarters=8)
    assert same(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def test_different_seeds_or_replications_differ():
    base = run_simulation(seed=3, replication=0, quarters=8).summary
    assert not same(base, run_simulation(seed=4, replication=0, quarters=8).summary)
    assert not same(base, run_simulation(seed=3, replication=1, quarters=8).summary)
    # (seed, replication) is a key, not a sum: seed 3 rep 1 is not seed 4 rep 0.
    assert not same(
        run_simulation(seed=3, replication=1, quarters=8).summary,
        run_simulation(seed=4, replication=0, quarters=8).summary,
    )


def test_summary_has_the_documented_names():
    summary = run_simulation(quarters=4).summary
    required = {
        "revenue_total",
        "revenue_final_year",
        "profit_total",
        "clients_active_final",
        "clients_churned_total",
        "golden_fund_revenue_final_year",
        "golden_fund_churned_total",
        "leads_lost_total",
        "veteran_skill_change",
        "veteran_service_share",
        "newcomer_win_rate",
        "newcomer_attrition_1y",
        "seller_turnover_annual",
    }
    assert required <= set(summary) and list(summary) == SUMMARY_METRICS


def test_policies_on_the_same_seed_see_the_same_market():
    """Common random numbers: the same initial department and the same leads, whatever the policy."""
    models = []
    for policy in ("finder_keeps", "dedicated_roles_crm", "finder_keeps_dedicated_strategic"):
        model = SalesModel(policy=policy, seed=11, replication=5, log_events=False)
        for _ in range(6):
            model.step()
        models.append(model)
    first = models[0]
    for other in models[1:]:
        assert [s.start_skill for s in other.desks[:11]] == [s.start_skill for s in first.desks[:11]]
        assert other.ledger.n == first.ledger.n
        for column in ("complexity", "consultative", "strategic", "arrived"):
            np.testing.assert_array_equal(getattr(other.ledger, column), getattr(first.ledger, column))


def test_timeseries_has_one_row_per_quarter_from_zero():
    frame = run_simulation(quarters=5).timeseries
    assert list(frame.quarter) == [0, 1, 2, 3, 4, 5]


def test_a_finished_run_leaves_no_model_behind(monkeypatch):
    """Runs pause the cyclic garbage collector; each must still free its model (a cycle of the
    model and its agents) before returning, or a batch of runs keeps them all in memory."""
    import gc
    import weakref

    from simulation import model as model_module

    alive: weakref.WeakSet = weakref.WeakSet()
    original = model_module.SalesModel.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        alive.add(self)

    monkeypatch.setattr(model_module.SalesModel, "__init__", remember)
    assert gc.isenabled()
    for replication in range(3):
        run_simulation(replication=replication, quarters=4)
        assert len(alive) == 0
    assert gc.isenabled()


@pytest.mark.parametrize("policy", ["dedicated_roles_crm", "finder_keeps_crm", "dedicated_roles_dedicated_strategic"])
def test_a_switched_run_is_the_baseline_run_until_the_switch(policy):
    base = run_simulation(policy="finder_keeps", seed=5, replication=2, quarters=12)
    switched = run_simulation(policy=policy, seed=5, replication=2, quarters=12, switch_at=6)
    pd.testing.assert_frame_equal(switched.timeseries.iloc[:7], base.timeseries.iloc[:7])
    assert not switched.timeseries.iloc[7:].equals(base.timeseries.iloc[7:])  # and it does switch


def test_a_switch_to_the_current_policy_changes_nothing():
    base = run_simulation(policy="finder_keeps", seed=5, quarters=10)
    for at in (0, 4):
        again = run_simulation(policy="finder_keeps", seed=5, quarters=10, switch_at=at)
        pd.testing.assert_frame_equal(again.timeseries, base.timeseries)
    model = SalesModel(policy="finder_keeps", seed=5, log_events=False)
    model.step()
    model.switch_to("finder_keeps")
    assert model.switched_at is None


def test_a_live_model_can_be_switched():
    model = SalesModel(policy="finder_keeps", seed=1)
    for _ in range(3):
        model.step()
    model.switch_to("dedicated_roles_crm")
    assert model.policy_name == "dedicated_roles_crm" and model.switched_at == 3 and model.quarter == 3
    assert {s.role.value for s in model.regular_sellers()} == {"hunter", "account_manager"}
    model.step()
    assert 0 < model.crm_use < model.scenario.crm.adoption  # the CRM is being rolled out
    assert model.finance["crm_cost"] > model.scenario.crm.implementation_cost  # its one-off cost is booked
    assert any(e.kind == "switch" for e in model.events)


@pytest.mark.parametrize(("value", "name"), [(1.5, "seed"), (-1, "seed"), (True, "replication"), (2**63, "seed")])
def test_seeds_must_be_whole_numbers(value, name):
    with pytest.raises(ValueError, match=rf"{name}: .* allowed: a whole number"):
        run_simulation(quarters=1, **{name: value})


def test_a_kept_history_continues_exactly_as_a_new_department():
    from simulation.run import HISTORIES

    HISTORIES.kept.clear()
    first = run_simulation(policy="dedicated_roles_crm", seed=9, replication=1, quarters=6)
    assert len(HISTORIES.kept) == 1  # mature_department's history, kept
    again = run_simulation(policy="dedicated_roles_crm", seed=9, replication=1, quarters=6)
    model = SalesModel(policy="dedicated_roles_crm", seed=9, replication=1, overrides={"quarters": 6}, log_events=False)
    for _ in range(6):
        model.step()
    from simulation.metrics import timeseries

    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.timeseries, timeseries(model))
