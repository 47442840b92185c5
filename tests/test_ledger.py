"""The client ledger's verbs: each changes what it says, and only that."""

import numpy as np
import pytest

from simulation.ledger import NEVER, ClientLedger, Stage


def ledger_of(n: int = 6) -> ClientLedger:
    ledger = ClientLedger(capacity=2)  # grows by doubling
    ledger.add(
        size=np.arange(1.0, n + 1),
        complexity=np.linspace(0, 1, n),
        consultative=np.arange(n) % 2 == 1,
        loyalty_firm=np.full(n, 0.1),
    )
    return ledger


def test_rows_are_added_with_defaults_and_the_ledger_grows():
    ledger = ledger_of(6)
    assert ledger.n == 6 and len(ledger.size) == 6
    assert (ledger.stage == Stage.LEAD).all() and (ledger.owner == -1).all() and (ledger.won == NEVER).all()


def test_a_lead_is_pursued_won_developed_and_turns_loyal():
    ledger = ledger_of()
    rows = np.array([0, 1])
    ledger.pursue(rows, 3)
    assert (ledger.stage[rows] == Stage.PURSUIT).all() and (ledger.owner[rows] == 3).all()
    ledger.win(rows, 5, np.array([0.6, 0.2]), 0.4, 0.15)
    assert (ledger.stage[rows] == Stage.DEVELOPING).all() and (ledger.won[rows] == 5).all()
    assert (ledger.winner[rows] == 3).all() and ledger.loyalty_personal[rows].tolist() == [0.4, 0.4]
    ledger.develop(rows, np.array([0.95, 0.5]), loyal_level=0.9)
    assert ledger.stage[rows].tolist() == [Stage.LOYAL, Stage.DEVELOPING]
    assert ledger.stage[2:].tolist() == [Stage.LEAD] * 4  # nothing else moved


def test_released_and_lost_leads_belong_to_nobody():
    ledger = ledger_of()
    ledger.pursue(np.array([0, 1]), 2)
    ledger.release(np.array([0]))
    ledger.lose(np.array([1]), 7)
    assert ledger.stage[:2].tolist() == [Stage.LEAD, Stage.LOST] and ledger.owner[:2].tolist() == [-1, -1]
    assert ledger.left[1] == 7


def test_loyalty_verbs():
    ledger = ledger_of()
    rows = np.arange(4)
    ledger.open_book(rows, 1, np.full(4, 0.5), quarter=0)
    ledger.serve(rows, np.array([1.0, 0.0, 0.5, 0.5]), 0.2)
    assert ledger.loyalty_personal[rows] == pytest.approx([0.6, 0.4, 0.5, 0.5])
    ledger.meet_needs(np.array([0, 1]), np.array([2]), need_gain=0.5, upsell_growth=0.1, need_loss=0.5)
    assert ledger.loyalty_personal[:3] == pytest.approx([0.8, 0.7, 0.25])
    assert ledger.size[:2] == pytest.approx([1.0, 2.2])  # only the consultative client grows
    ledger.move_to_firm(rows, 0.5)
    assert ledger.loyalty_firm[:4] == pytest.approx([0.45, 0.4, 0.175, 0.3])


def test_a_hand_off_keeps_shares_and_a_churned_client_leaves():
    ledger = ledger_of()
    rows = np.array([0, 1])
    ledger.open_book(rows, 1, np.full(2, 0.5), quarter=0)
    ledger.hand_off(rows, np.array([4, 5]), keep_loyalty=0.4, keep_development=0.9, quarter=3, loyal_level=0.95)
    assert ledger.owner[rows].tolist() == [4, 5] and ledger.last_handoff[rows].tolist() == [3, 3]
    assert ledger.loyalty_personal[rows] == pytest.approx([0.2, 0.2])
    assert ledger.development[rows] == pytest.approx([0.9, 0.9])
    assert (ledger.stage[rows] == Stage.DEVELOPING).all()  # below the loyal level: developed again
    ledger.churn(rows[:1], 6)
    assert ledger.stage[0] == Stage.CHURNED and ledger.owner[0] == -1 and ledger.left[0] == 6
    assert ledger.loyalty_of(rows).tolist() == pytest.approx([1 - 0.8 * 0.9, 1 - 0.8 * 0.9])


def test_a_pickled_ledger_and_timesheet_see_later_writes():
    """Read views are kept between reads; a copy (a history shared between policies is pickled)
    must not keep them, or it would read rows as they were when it was copied."""
    import pickle

    from simulation.effort import Effort
    from simulation.scenario import build_scenario
    from simulation.timesheet import Timesheet

    ledger = ledger_of()
    assert ledger.stage[0] == Stage.LEAD  # a view is now kept
    copy = pickle.loads(pickle.dumps(ledger))
    copy.pursue(np.array([0]), 1)
    assert copy.stage[0] == Stage.PURSUIT and copy.owner[0] == 1
    assert ledger.stage[0] == Stage.LEAD  # the original is untouched

    sheet = Timesheet()
    sheet.add_desk(1.0)
    sheet.add_desk(1.0)
    sheet.refresh(ledger, Effort(build_scenario("mature_department")), 0.0)
    assert sheet.spare.tolist() == [1.0, 1.0]  # a view is now kept
    copy = pickle.loads(pickle.dumps(sheet))
    copy.reserve(1, 0.25)
    copy.take_clients(np.array([0]), np.array([0.5]))
    assert copy.spare.tolist() == [1.0, 0.75] and copy.book_size.tolist() == [1, 0]
    assert copy.service_load.tolist() == [0.5, 0.0] and sheet.spare.tolist() == [1.0, 1.0]
