"""Dashboard component tests, without a browser (solara.render)."""

from __future__ import annotations

from dataclasses import replace
from html import escape as html_escape

import ipyvuetify as v
import ipywidgets
import pytest

solara = pytest.importorskip("solara")

from dashboard.app import Page  # noqa: E402
from dashboard.charts import book_rows, books_figure, comparison_figure  # noqa: E402
from dashboard.lockstep import LEVERS, Levers, Lockstep, cast  # noqa: E402
from simulation.metrics import timeseries  # noqa: E402


def render(state: Lockstep):
    _box, rc = solara.render(Page(lockstep=state), handle_error=False)
    return rc


def click(rc, name: str, times: int = 1) -> None:
    for _ in range(times):
        rc.find(v.Btn, class_=name).widget.click()


def quarter_text(rc) -> str:
    return rc.find(v.Html, class_="quarter").widget.children[0]


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def no_error(rc) -> bool:
    return not rc.find(v.Alert).widgets


def test_page_renders_both_departments():
    state = Lockstep()
    rc = render(state)
    assert quarter_text(rc) == "Quarter 0 of 20"
    titles = [w.children[0] for w in rc.find(v.Html, class_="side-title").widgets]
    assert titles[:2] == ["Finder keeps", "Dedicated roles + CRM"]
    assert len(images(rc)) == 2  # comparison charts, books
    assert "Nothing yet" in rc.find(attributes={"class": "events"}).widgets[0].unsafe_innerHTML
    assert no_error(rc)


def test_step_advances_both_models_and_fills_the_event_log():
    state = Lockstep()
    rc = render(state)
    before = images(rc)
    click(rc, "step", 2)
    assert state.left.quarter == state.right.quarter == 2
    assert quarter_text(rc) == "Quarter 2 of 20"
    assert all(a != b for a, b in zip(before, images(rc), strict=True)), "a chart did not change"
    logs = [w.unsafe_innerHTML for w in rc.find(attributes={"class": "events"}).widgets]
    for text, model in zip(logs, state.models, strict=True):
        assert model.events, "the model logged nothing in two quarters"
        assert html_escape(str(model.events[-1])) in text


def test_lever_change_applies_on_reset():
    state = Lockstep()
    state.step()
    rc = render(state)
    sliders = rc.find(v.Slider).widgets
    sliders[list(LEVERS).index("quarters")].v_model = 8
    sliders[list(LEVERS).index("leads_per_quarter")].v_model = 0
    rc.find(v.Select, label="Left department").widget.v_model = "dedicated_roles"
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


def all_levers_at(end: str) -> Levers:
    return Levers(**{name: cast(lever, getattr(lever, end)) for name, lever in LEVERS.items()})


@pytest.mark.parametrize(
    "levers",
    [*Levers().extremes(), all_levers_at("low"), all_levers_at("high")],
    ids=lambda levers: str(levers.overrides()),
)
def test_every_lever_extreme_runs_and_charts(levers: Levers):
    """Each slider at each end (the page tests below also draw all of them at once)."""
    state = Lockstep(
        "finder_keeps_dedicated_strategic",
        "dedicated_roles_crm",
        levers=replace(levers, quarters=min(levers.quarters, 16)),
    )
    while state.step():
        pass
    frames = [timeseries(model) for model in state.models]
    for frame in frames:
        assert list(frame.quarter) == list(range(state.horizon + 1))
        assert frame.revenue.notna().all() and (frame.revenue >= 0).all()
    figure = comparison_figure(frames, ["left", "right"], state.horizon)
    books = books_figure([book_rows(model) for model in state.models], ["left", "right"])
    assert figure.axes and books.axes


@pytest.mark.parametrize("end", ["low", "high"])
def test_page_at_slider_extremes_shows_no_error(end: str):
    state = Lockstep()
    rc = render(state)
    for slider, lever in zip(rc.find(v.Slider).widgets, LEVERS.values(), strict=True):
        slider.v_model = cast(lever, getattr(lever, end))
    click(rc, "reset")
    assert state.levers == all_levers_at(end)
    click(rc, "step")
    assert state.quarter == 1 and no_error(rc)
