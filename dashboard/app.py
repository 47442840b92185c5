"""The trainer's dashboard: two sales departments side by side, stepped in lockstep.

Run it with ``salessim dashboard`` or ``python -m dashboard``; in Jupyter, display ``Page()``.

Built from plain Solara components rather than Mesa's ``SolaraViz``: SolaraViz drives one
model with one parameter form, while this page drives two models on the same seed (common
random numbers) from one set of levers and must step them together; a small ``Lockstep``
object and a handful of components say that more directly than two coupled SolaraViz pages.
The page only builds, steps and reads ``simulation.SalesModel``; charts are matplotlib.
"""

from __future__ import annotations

import html
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import solara

from simulation import POLICIES, SalesModel
from simulation.metrics import timeseries

from .charts import SIDE_COLORS, book_rows, books_figure, comparison_figure
from .lockstep import LEVERS, STRATEGIC_CHOICES, STRATEGIC_LABELS, Levers, Lockstep, cast, policy_label

PLAY_INTERVAL = 0.7  # seconds between quarters while playing
DPI = 110  # charts are PNG: far faster to draw than SVG, sharp enough on a projector
EVENT_COLORS = {"quit": "#dc2626", "churn": "#d97706", "hire": "#16a34a", "promotion": "#2563eb"}
CSS = """
.salessim { font-size: 15px; }
.salessim h1 { font-size: 26px; margin: 0; }
.salessim .quarter { font-size: 26px; font-weight: 700; }
.salessim .lever { font-size: 14px; margin-top: 10px; display: block; }
.salessim .pending { color: #b45309; font-size: 13px; }
.salessim .side-title { font-size: 19px; font-weight: 700; }
.salessim .kpis { font-size: 14px; color: #334155; }
.salessim .events { max-height: 260px; overflow-y: auto; font-size: 14px; line-height: 1.5;
                    border: 1px solid #e2e8f0; border-radius: 6px; padding: 6px 10px; margin: 0; }
.salessim .events li { list-style: none; }
.salessim .kind { display: inline-block; min-width: 74px; font-size: 11px; font-weight: 700;
                  text-transform: uppercase; }
.salessim img { max-width: 100% !important; height: auto !important; }
"""


@solara.component
def Page(lockstep: Lockstep | None = None):
    """The dashboard; pass a ``Lockstep`` to drive (and inspect) given departments."""
    state = solara.use_memo(lambda: lockstep or Lockstep(), [])
    lock = solara.use_memo(threading.Lock, [])
    shown = solara.use_reactive((0, 0))  # (run, quarter) on screen: changing it redraws
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    draft = solara.use_reactive(state.levers)
    policies = solara.use_reactive((state.left_policy, state.right_policy))

    def guarded(action: Callable[[], object]) -> None:
        try:
            with lock:
                action()
        except Exception as exc:  # shown on the page rather than breaking it
            traceback.print_exc()
            playing.set(False)
            error.set(f"{type(exc).__name__}: {exc}")
        shown.set((state.run, state.quarter))

    def step() -> None:
        guarded(state.step)

    def reset() -> None:
        playing.set(False)
        error.set("")
        guarded(lambda: state.reset(draft.value, *policies.value))

    def play_loop() -> None:
        while playing.value and not state.finished:
            time.sleep(PLAY_INTERVAL)
            if playing.value:
                step()
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    pending = (draft.value, policies.value) != (state.levers, (state.left_policy, state.right_policy))
    solara.Title("salessim · sales department dashboard")
    solara.Style(CSS)
    with solara.Row(classes=["salessim"], style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(style={"width": "300px", "flex": "none"}):
            LeverPanel(draft, policies, pending, reset)
        with solara.Column(style={"flex": "1", "min-width": "0", "max-width": "calc(100vw - 340px)"}):
            Controls(state.quarter, state.horizon, playing, step, reset, pending)
            if error.value:
                solara.Error(error.value)
            Departments(state, shown.value)


@solara.component
def Controls(quarter: int, horizon: int, playing: solara.Reactive[bool], step: Callable[[], None],
             reset: Callable[[], None], pending: bool):
    """Title, Step / Play / Reset, and the quarter shown."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.HTML("h1", "Finder keeps or dedicated roles?")
        solara.Button("Step", icon_name="mdi-step-forward", on_click=step, color="primary", classes=["step"],
                      disabled=playing.value or quarter >= horizon)
        solara.Button("Pause" if playing.value else "Play", icon_name="mdi-pause" if playing.value else "mdi-play",
                      on_click=lambda: playing.set(not playing.value), disabled=quarter >= horizon, outlined=True,
                      classes=["play"])
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset, outlined=not pending,
                      color="warning" if pending else None, classes=["reset"])
        solara.Text(f"Quarter {quarter} of {horizon}", classes=["quarter"])
        if quarter >= horizon:
            solara.Text("(end of horizon)")


@solara.component
def LeverPanel(draft: solara.Reactive[Levers], policies: solara.Reactive[tuple[str, str]], pending: bool,
               reset: Callable[[], None]):
    """Which departments to compare, and the levers both are built from (applied on Reset)."""
    names = list(POLICIES)
    with solara.Card("Departments and levers"):
        for side, label in enumerate(("Left department", "Right department")):
            solara.Select(label, values=names, value=policies.value[side],
                          on_value=lambda name, side=side: policies.set(_with(policies.value, side, name)))
        for name in LEVERS:
            LeverSlider(draft, name)
        solara.Select("Strategic deals", values=[STRATEGIC_LABELS[c] for c in STRATEGIC_CHOICES],
                      value=STRATEGIC_LABELS[draft.value.strategic_deals],
                      on_value=lambda label: draft.set(replace(draft.value, strategic_deals=_strategic(label))))
        if pending:
            solara.Text("Changed: press Reset to apply to both sides.", classes=["pending"])
        solara.Button("Reset with these settings", on_click=reset, color="warning" if pending else None,
                      outlined=not pending, style={"margin-top": "8px"})


@solara.component
def LeverSlider(draft: solara.Reactive[Levers], name: str):
    """One lever as a slider."""
    lever = LEVERS[name]
    value = getattr(draft.value, name)

    def set_value(new: float) -> None:
        draft.set(replace(draft.value, **{name: cast(lever, new)}))

    solara.Text(f"{lever.label}: {value:g}", classes=["lever"])
    if lever.integer:
        solara.SliderInt("", value=int(value), min=int(lever.low), max=int(lever.high), step=int(lever.step),
                         on_value=set_value)
    else:
        solara.SliderFloat("", value=float(value), min=lever.low, max=lever.high, step=lever.step,
                           on_value=set_value)


@solara.component
def Departments(state: Lockstep, shown: tuple[int, int]):
    """Both departments: headline figures, comparison charts, books and event logs."""
    models = state.models
    labels = [policy_label(model.policy_name) for model in models]
    frames = [timeseries(model) for model in models]
    with solara.Columns([1, 1]):
        for label, frame, color in zip(labels, frames, SIDE_COLORS, strict=True):
            with solara.Column(gap="2px"):
                solara.Text(label, classes=["side-title"], style={"color": color})
                solara.Text(headline(frame), classes=["kpis"])
    key = [shown, *labels]
    charts = solara.use_memo(lambda: comparison_figure(frames, labels, state.horizon), key)
    solara.FigureMatplotlib(charts, dependencies=key, format="png", dpi=DPI)
    books = solara.use_memo(lambda: books_figure([book_rows(model) for model in models], labels), key)
    solara.FigureMatplotlib(books, dependencies=key, format="png", dpi=DPI)
    with solara.Columns([1, 1]):
        for model, label, color in zip(models, labels, SIDE_COLORS, strict=True):
            EventLog(model, label, color, shown)


@solara.component
def EventLog(model: SalesModel, label: str, color: str, shown: tuple[int, int]):
    """The model's own event log, newest first."""
    items = solara.use_memo(lambda: event_items(model), [shown, label])
    solara.Text(f"What happened: {label}", classes=["side-title"], style={"color": color, "font-size": "16px"})
    solara.HTML("ul", items or "<li>Nothing yet: press Step.</li>", classes=["events"])


def event_items(model: SalesModel, limit: int = 200) -> str:
    """The latest events as HTML list items, coloured by kind."""
    rows = []
    for event in reversed(model.events[-limit:]):
        color = EVENT_COLORS.get(event.kind, "#475569")
        rows.append(f'<li><span class="kind" style="color:{color}">{html.escape(event.kind)}</span>'
                    f"{html.escape(str(event))}</li>")
    return "".join(rows)


def headline(frame: pd.DataFrame) -> str:
    """Revenue now against quarter 0, golden fund, quits and hires so far, in one line."""
    first, last = frame.iloc[0], frame.iloc[-1]
    golden = _change(last.golden_fund_revenue, first.golden_fund_revenue)
    return (f"Revenue {last.revenue:,.0f} k€ ({_change(last.revenue, first.revenue)} since Q0) · "
            f"golden fund {last.golden_fund_revenue:,.0f} k€ ({golden}) · "
            f"quits {int(frame.quits.sum())} · hires {int(frame.hires.sum())}")


def _change(now: float, before: float) -> str:
    return f"{(now - before) / before:+.0%}" if before else "n/a"


def _with(pair: tuple[str, str], side: int, name: str) -> tuple[str, str]:
    return (name, pair[1]) if side == 0 else (pair[0], name)


def _strategic(label: str) -> str:
    return next(choice for choice, text in STRATEGIC_LABELS.items() if text == label)
