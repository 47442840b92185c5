"""Dashboard component tests, without a browser (solara.render)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import ipyvuetify as v
import pytest

solara = pytest.importorskip("solara")

from dashboard.app import FirstDraw, Page, Prepared  # noqa: E402
from dashboard.charts import CHARTS, Side, option, table  # noqa: E402
from dashboard.i18n import translator  # noqa: E402
from dashboard.lockstep import LEVERS, Levers, Lockstep, cast  # noqa: E402
from dashboard.widgets import Chart  # noqa: E402
from simulation.metrics import timeseries  # noqa: E402


def render(state: Lockstep, lang: str = "en"):
    _box, rc = solara.render(Page(lockstep=state, lang=lang, replications=0), handle_error=False)
    return rc


def click(rc, name: str, times: int = 1) -> None:
    for _ in range(times):
        rc.find(v.Btn, class_=name).widget.click()


def quarter_text(rc) -> str:
    return rc.find(v.Html, class_="quarter").widget.children[0]


def charts(rc) -> list[Chart]:
    return rc.find(Chart).widgets


def no_error(rc) -> bool:
    return not rc.find(v.Alert).widgets


def texts(rc, class_: str) -> list[str]:
    """The texts of the HTML elements (solara.Text, the story's tags) of a class."""
    return [w.children[0] for w in rc.find(v.Html, class_=class_).widgets]


def test_page_opens_on_the_story_with_both_departments():
    state = Lockstep()
    rc = render(state)
    assert quarter_text(rc) == "Quarter 0 of 20"
    assert texts(rc, "side-title") == ["Finder keeps", "Dedicated roles + CRM"]
    assert texts(rc, "story-title") == ["Two departments, one market"]
    assert len(charts(rc)) == 1 and charts(rc)[0].attributes["data-chart"] == "books"
    assert any("Nothing yet" in text for text in texts(rc, "kpi-label"))
    assert no_error(rc)


def test_step_advances_both_models_and_redraws_every_chart():
    state = Lockstep()
    rc = render(state)
    click(rc, "story-toggle")  # every chart
    assert len(charts(rc)) == len(CHARTS)
    before = [chart.option for chart in charts(rc)]
    click(rc, "step", 2)
    assert state.left.quarter == state.right.quarter == 2
    assert quarter_text(rc) == "Quarter 2 of 20"
    after = charts(rc)
    assert all(a != b.option for a, b in zip(before, after, strict=True)), "a chart did not change"
    assert {chart.attributes["data-quarter"] for chart in after} == {"2"}


def test_event_log_is_summarised_per_quarter_with_details_on_a_click():
    state = Lockstep()
    for _ in range(6):
        state.step()
    rc = render(state)
    rows = rc.find(v.Btn, class_="event-quarter").widgets
    assert rows, "no quarter in the event log"
    assert all(row.children[-1].startswith("Q") for row in rows)
    latest = max(event.quarter for event in state.left.events)
    assert rows[0].children[-1].startswith(f"Q{latest}:")
    assert not rc.find(v.Html, class_="event-details").widgets
    rows[0].click()
    details = rc.find(v.Html, class_="event-details").find(v.Html, tag="span").widgets
    assert state.left.events[-1].text in [span.children[0] for span in details]


def test_lever_change_applies_on_reset():
    state = Lockstep()
    state.step()
    rc = render(state)
    click(rc, "levers-toggle")
    sliders = rc.find(v.Slider).widgets[1:]  # the first is the replay scrubber
    sliders[list(LEVERS).index("quarters")].v_model = 8
    sliders[list(LEVERS).index("leads_per_quarter")].v_model = 0
    rc.find(v.Select, label="Left department").widget.v_model = "Dedicated roles"
    assert state.left.scenario.quarters == 20 and state.quarter == 1  # nothing applied before Reset
    click(rc, "reset")
    for model in state.models:
        assert model.scenario.quarters == 8
        assert model.scenario.market.leads_per_quarter == 0
        assert model.quarter == 0
    assert (state.left.policy_name, state.right.policy_name) == ("dedicated_roles", "dedicated_roles_crm")
    assert quarter_text(rc) == "Quarter 0 of 8"


def test_step_stops_at_the_horizon():
    state = Lockstep(levers=Levers(quarters=4))
    for _ in range(3):
        state.step()
    rc = render(state)
    click(rc, "step")
    assert rc.find(v.Btn, class_="step").widget.disabled
    assert state.finished and not state.step() and state.quarter == 4
    assert no_error(rc)


def test_scrubber_replays_a_past_quarter():
    state = Lockstep()
    rc = render(state)
    click(rc, "story-toggle")
    click(rc, "step", 5)
    scrubber = rc.find(v.Slider).widgets[0]
    scrubber.v_model = 2
    assert quarter_text(rc) == "Quarter 2 of 20" and state.quarter == 5
    assert {chart.attributes["data-quarter"] for chart in charts(rc)} == {"2"}
    revenue = json.loads(charts(rc)[0].option)["series"][0]["data"]
    assert len(revenue) == 3  # quarters 0, 1 and 2
    click(rc, "live")
    assert quarter_text(rc) == "Quarter 5 of 20"


def test_story_next_plays_to_each_step_and_back_replays():
    state = Lockstep()
    rc = render(state)
    titles = []
    for _ in range(7):
        click(rc, "story-next")
        titles.append(texts(rc, "story-title")[0])
    assert state.finished and len(set(titles)) == 7
    assert titles[-1] == "And the profit?"
    assert rc.find(v.Btn, class_="story-next").widget.disabled
    click(rc, "story-back", 6)
    assert texts(rc, "story-title") == ["Veterans become invoicing clerks"]
    assert quarter_text(rc) == "Quarter 4 of 20" and state.quarter == 20  # replayed, not rerun


def switch_marks(built: dict) -> set[int]:
    """The quarters a chart option marks as the switch."""
    return {
        item["xAxis"]
        for series in built["series"]
        for item in series.get("markLine", {}).get("data", [])
        if item.get("name") == "switch"
    }


def test_switch_now_switches_the_right_department_live_and_marks_every_chart():
    state = Lockstep()
    rc = render(state)
    click(rc, "story-toggle")  # every chart
    click(rc, "live-toggle")
    assert state.live_switch and state.quarter == 0
    assert state.right.policy_name == state.left.policy_name == "finder_keeps"
    click(rc, "step", 3)
    left, right = timeseries(state.left), timeseries(state.right)
    assert left.equals(right), "before the switch both departments must be the same"
    kpis = texts(rc, "kpi")
    assert kpis[:2] == kpis[2:4], "the same policy on the same seed: the same headline numbers"
    assert texts(rc, "side-title")[1] == "Finder keeps → Dedicated roles + CRM"
    assert all(not switch_marks(json.loads(chart.option)) for chart in charts(rc))
    click(rc, "switch-now")
    assert state.switched_at == state.right.switched_at == 3
    assert state.right.policy_name == "dedicated_roles_crm"
    assert [e.kind for e in state.right.events if e.quarter == 3][-1:] == ["switch"]
    assert rc.find(v.Btn, class_="switch-now").widgets == [] and texts(rc, "switched-note") == ["switched in Q3"]
    click(rc, "step", 2)
    assert texts(rc, "side-title")[1] == "Dedicated roles + CRM from Q3"
    marked = {chart.attributes["data-chart"]: switch_marks(json.loads(chart.option)) for chart in charts(rc)}
    assert all(marked[name] == {3} for name in ("revenue", "golden", "servicing", "skill", "staff", "profit")), marked
    profit = json.loads(next(c for c in charts(rc) if c.attributes["data-chart"] == "profit").option)
    gap = (timeseries(state.right).profit - timeseries(state.left).profit).cumsum()
    assert profit["series"][0]["data"] == [round(float(v), 2) for v in gap]
    assert all(v == 0 for v in profit["series"][0]["data"][:4])
    note = texts(rc, "profit-note")[0]
    assert note.startswith("Since the switch in Q3")
    assert f"{abs(gap.iloc[-1]):,.0f} k€" in note
    assert not timeseries(state.left).equals(timeseries(state.right))
    assert no_error(rc)


def test_live_story_makes_the_switch_and_reads_the_j_curve():
    state = Lockstep(levers=Levers(quarters=10))
    rc = render(state)
    click(rc, "live-toggle")
    assert texts(rc, "story-title") == ["Should we switch?"]
    click(rc, "story-next")
    assert texts(rc, "story-title") == ["The switch"]
    assert state.switched_at == 2 == state.quarter  # a fifth into the horizon, made by the story
    assert "checked, quarter by quarter" in " ".join(texts(rc, "story-text"))
    click(rc, "story-next")
    assert texts(rc, "story-title") == ["The dip: the J-curve"] and state.quarter == 5
    assert any("Since the switch in Q2" in text for text in texts(rc, "story-text"))
    click(rc, "live-toggle")  # back to both policies from the start
    assert not state.live_switch and state.switched_at is None and state.right.policy_name == "dedicated_roles_crm"


def test_a_live_switch_at_quarter_0_is_the_right_policy_from_the_start():
    live, plain = Lockstep(live_switch=True), Lockstep()
    assert live.switch_now() and not live.switch_now()  # once
    for _ in range(5):
        live.step()
        plain.step()
    assert timeseries(live.right).equals(timeseries(plain.right))


def test_language_toggle_translates_the_page():
    state = Lockstep()
    rc = render(state)
    click(rc, "lang-ru")
    assert quarter_text(rc) == "Квартал 0 из 20"
    assert texts(rc, "side-title") == ["Кто нашёл, тот и ведёт", "Разделение ролей + CRM"]
    assert rc.find(v.Btn, class_="step").widget.children[-1] == "Шаг"
    assert charts(rc)[0].locale == "ru"
    click(rc, "lang-en")
    assert quarter_text(rc) == "Quarter 0 of 20"


def test_png_and_csv_exports_are_requested_from_the_chart():
    state = Lockstep()
    state.step()
    rc = render(state)
    chart = charts(rc)[0]
    click(rc, "png-button")
    assert chart.png_request == 1 and chart.filename == "salessim-books-q1"
    click(rc, "csv-button")
    assert chart.csv_request == 1
    assert chart.csv.splitlines()[0].startswith("department,quarter,seller,status,role,skill,tenure")


def test_axis_text_is_readable_from_the_back_row():
    state = Lockstep()
    state.step()
    for chart in CHARTS:
        built = option(chart, sides_of(state), translator("en"), state.horizon, None)
        axes = [*_listed(built["xAxis"]), *_listed(built["yAxis"])]
        assert all(axis["axisLabel"]["fontSize"] >= 14 for axis in axes), chart
        assert all(
            axis["axisLabel"]["fontSize"] >= 16 for axis in axes if axis["type"] == "value" and chart != "books"
        ), chart


def _listed(axes) -> list:
    return axes if isinstance(axes, list) else [axes]


def all_levers_at(end: str) -> Levers:
    return Levers(**{name: cast(lever, getattr(lever, end)) for name, lever in LEVERS.items()})


def sides_of(state: Lockstep) -> list[Side]:
    return [
        Side(model.policy_name, "#000", timeseries(model), history, state.quarter)
        for model, history in zip(state.models, state.histories, strict=True)
    ]


@pytest.mark.parametrize(
    "levers",
    [*Levers().extremes(), all_levers_at("low"), all_levers_at("high")],
    ids=lambda levers: str(levers.overrides()),
)
def test_every_lever_extreme_runs_and_charts(levers: Levers):
    """Each slider at each end: every chart's option and table can be built."""
    state = Lockstep(
        "finder_keeps_dedicated_strategic",
        "dedicated_roles_crm",
        levers=replace(levers, quarters=min(levers.quarters, 12)),
    )
    while state.step():
        pass
    sides = sides_of(state)
    for frame in (side.frame for side in sides):
        assert list(frame.quarter) == list(range(state.horizon + 1))
        assert frame.revenue.notna().all() and (frame.revenue >= 0).all()
    for chart in CHARTS:
        built = option(chart, sides, translator("en"), state.horizon, None)
        assert built["series"] and json.dumps(built)
        assert not table(chart, sides, (state.left_policy, state.right_policy)).empty


@pytest.mark.parametrize("end", ["low", "high"])
def test_page_at_slider_extremes_shows_no_error(end: str):
    state = Lockstep()
    rc = render(state)
    click(rc, "levers-toggle")
    for slider, lever in zip(rc.find(v.Slider).widgets[1:], LEVERS.values(), strict=True):
        slider.v_model = cast(lever, getattr(lever, end))
    click(rc, "reset")
    assert state.levers == all_levers_at(end)
    click(rc, "step")
    assert state.quarter == 1 and no_error(rc)


def test_a_page_gets_its_own_copy_of_the_prepared_departments_which_runs_as_a_new_pair():
    prepared = Prepared()
    prepared.warm()
    first, second, fresh = prepared.take(), prepared.take(), Lockstep()
    assert first.left is not second.left and first.histories[0] is not second.histories[0]
    for state in (first, fresh):
        for _ in range(3):
            state.step()
    assert second.quarter == 0
    for copied, built in zip(first.models, fresh.models, strict=True):
        assert timeseries(copied).equals(timeseries(built))
        assert [e.text for e in copied.events] == [e.text for e in built.events]


def test_a_page_asks_for_its_spread_only_once_its_first_chart_is_drawn():
    first_draw = FirstDraw(hold=False)
    waiting = threading.Thread(target=first_draw.wait)
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive(), "the spread did not wait for the first chart"
    first_draw.drawn()
    waiting.join(timeout=5)
    assert not waiting.is_alive()
