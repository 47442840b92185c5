"""Invariants over random valid scenarios (hypothesis): counts, bounds, every client accounted for."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import POLICIES, SalesModel
from simulation.agents import Client
from simulation.ledger import NEVER, Stage
from simulation.metrics import timeseries

unit = st.floats(0.0, 1.0)
overrides = st.fixed_dictionaries(
    {
        "market.leads_per_quarter": st.floats(0.0, 40.0),
        "market.consultative_share": unit,
        "market.strategic_leads_per_quarter": st.floats(0.0, 2.0),
        "department.sellers": st.integers(1, 12),
        "department.clients_per_veteran": st.integers(0, 80),
        "skill.learning_rate": unit,
        "skill.forgetting_rate": unit,
        "crm.in_use": st.booleans(),
        "crm.adoption": unit,
        "roles.hunter_share": unit,
        "hiring.delay": st.integers(0, 3),
        "hiring.budget_share": st.sampled_from([0.0, 0.05]),
        "strategic.deals": st.sampled_from(["none", "head_part_time", "dedicated_seller"]),
        "department.history_quarters": st.sampled_from([0, 3]),
    }
)


def check(model: SalesModel) -> None:
    ledger = model.ledger
    stage = ledger.stage
    assert set(np.unique(stage)) <= {s.value for s in Stage}
    assert sum(int((stage == s).sum()) for s in Stage) == ledger.n  # exactly one stage each
    clients = model.agents_by_type.get(Client, [])
    ever_won = (ledger.won > NEVER).nonzero()[0]
    assert sorted(c.row for c in clients) == ever_won.tolist()  # every client ever won is an agent, once
    assert (stage[ever_won] != Stage.LEAD).all() and (stage[ever_won] != Stage.PURSUIT).all()
    owner = ledger.owner
    staff = {s.desk for s in model.on_staff}
    held = ledger.in_stage(Stage.PURSUIT, Stage.DEVELOPING, Stage.LOYAL)
    assert set(owner[held]) <= staff
    assert (owner[~held] == -1).all()
    for column in ("development", "loyalty_personal", "loyalty_firm"):
        values = getattr(ledger, column)
        assert ((values >= 0) & (values <= 1 + 1e-12)).all(), column
    assert (ledger.revenue >= 0).all() and (ledger.size > 0).all()
    for seller in model.on_staff:
        assert 0 <= seller.skill <= 1 and 0 <= seller.motivation <= 1
        assert seller.service_time >= 0 and seller.consultative_time >= 0
        assert seller.service_time + seller.consultative_time + seller.crm_time <= seller.capacity + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    overrides=overrides,
    policy=st.sampled_from(sorted(POLICIES)),
    seed=st.integers(0, 2**31),
    switch_at=st.integers(0, 6),
)
def test_invariants_hold_every_quarter(overrides, policy, seed, switch_at):
    overrides["department.veterans"] = min(8, overrides["department.sellers"])
    overrides = {k: v for k, v in overrides.items() if k not in POLICIES[policy].settings}  # the policy's own
    model = SalesModel(policy=policy, seed=seed, overrides=overrides | {"quarters": 6}, switch_at=switch_at)
    check(model)
    for _ in range(6):
        model.step()
        check(model)
    frame = timeseries(model)
    counts = ["active_clients", "churned", "leads_won", "leads_lost", "quits", "hires", "sellers"]
    assert (frame[counts] >= 0).all().all()
    assert (frame["revenue"] >= 0).all()
