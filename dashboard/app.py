"""The trainer's dashboard: two sales departments side by side, stepped in lockstep.

Run it with ``salessim dashboard`` or ``python -m dashboard [--lang ru]``; in Jupyter, display
``Page()``.

Built from plain Solara components rather than Mesa's ``SolaraViz``: SolaraViz drives one
model with one parameter form, while this page drives two models on the same seed (common
random numbers) from one set of levers and must step them together. The page only builds,
steps and reads ``simulation.SalesModel``. Charts are ECharts options drawn in the browser
(``widgets.Chart``; ECharts ships with the pinned solara-assets), so a quarter costs a few
kilobytes of JSON instead of re-rendering images on the server.

Made for a room: at 1280×720 the headline numbers are 30 px and axis text 16 px; the levers
fold away; each chart opens full-screen; story mode walks a class through what happens,
written from the run's own numbers, in English or Russian.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace

import solara

from simulation import POLICIES
from simulation.metrics import timeseries

from . import story
from .charts import CHARTS, Side, option, table
from .ensemble import BACKGROUND, HOLD_LIMIT, REPLICATIONS, Spread
from .i18n import LANGUAGES, N_, Translator, language, translator
from .lockstep import LEVERS, STRATEGIC_CHOICES, STRATEGIC_LABELS, Levers, Lockstep, cast
from .palette import EVENT_COLORS, side_colors
from .widgets import Chart, HeadStyle, use_module

PLAY_INTERVAL = 0.2  # seconds per quarter while playing (5 quarters a second when the page keeps up)
QUIET_AFTER_ACTION = 0.3  # seconds the spread's worker pauses from a Step (the server's and the browser's work)
CHART_HEIGHT = "380px"
EVENT_QUARTERS = 8  # quarters listed in each event log, newest first
CSS = """
.salessim { font-size: 17px; color: #111827; }
.salessim .v-btn { font-size: 16px !important; letter-spacing: 0 !important; text-transform: none !important; }
.salessim .topbar { align-items: center; flex-wrap: nowrap; gap: 8px !important; }
.salessim .topbar .v-btn { padding: 0 10px !important; }  /* the Russian labels fit in 1280 px */
.salessim .quarter { font-size: 30px; font-weight: 700; white-space: nowrap; }
.salessim .replay-note { font-size: 16px; color: #b45309; font-weight: 600; }
.salessim .headline-card { border-left: 6px solid; padding: 4px 12px; }
.salessim .side-title { font-size: 22px; font-weight: 700; }
.salessim .kpi { font-size: 28px; font-weight: 700; line-height: 1.15; }
.salessim .kpi-label { font-size: 16px; color: #374151; }
.salessim .kpi-small { font-size: 18px; color: #1f2937; }
.salessim .spread-note { font-size: 17px; color: #1f2937; }
.salessim .chart-title { font-size: 19px; font-weight: 700; }
.salessim .story h2 { font-size: 26px; margin: 0 0 8px 0; }
.salessim .story p { font-size: 19px; line-height: 1.45; margin: 0 0 10px 0; }
.salessim .story h3 { font-size: 18px; margin: 10px 0 4px 0; text-transform: uppercase; color: #374151; }
.salessim .story li { font-size: 18px; line-height: 1.4; }
.salessim .story-progress { font-size: 16px; color: #374151; }
.salessim .lever { font-size: 15px; margin-top: 10px; display: block; }
.salessim .pending { color: #b45309; font-size: 15px; }
.salessim .events-title { font-size: 18px; font-weight: 700; }
.salessim .event-quarter { font-size: 17px; justify-content: flex-start !important; height: auto !important;
                           min-height: 34px; white-space: normal; text-align: left; }
.salessim .event-quarter .v-btn__content { white-space: normal; max-width: 100%; }
.salessim .chart-title { flex: 1 1 auto; min-width: 0; }
.salessim .event-details { font-size: 16px; margin: 0 0 6px 16px; padding: 0; }
.salessim .event-details li { list-style: none; }
.salessim .kind { display: inline-block; min-width: 110px; font-size: 13px; font-weight: 700;
                  text-transform: uppercase; }
.salessim .switch-now { font-size: 22px !important; font-weight: 700; height: 52px !important;
                        padding: 0 22px !important; }
.salessim .switched-note { font-size: 20px; font-weight: 700; color: #111827; }
.salessim .profit-note { font-size: 18px; color: #111827; font-weight: 600; }
.salessim .zoom { position: fixed; inset: 0; z-index: 300; background: white; padding: 12px 20px; }
/* Solara's "This website runs on Solara" badge sits over the page's bottom right corner. */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""


# Also pause the background spread of other pages while a page draws its first chart. Off:
# measured on a loaded 2-core machine (load average 10) it did not make the page ready sooner and
# it moved the spread's work into the first quarters of Play (benchmarks/dashboard_speed.py); kept
# to measure again. A page's own spread always waits for its first chart (``FirstDraw``).
HOLD_WHILE_LOADING = False
DRAWN = solara.create_context(None)  # the page's FirstDraw.drawn: charts report their first drawing to it


@solara.component
def Page(lockstep: Lockstep | None = None, lang: str | None = None, replications: int = REPLICATIONS):
    """The dashboard; pass a ``Lockstep`` to drive (and inspect) given departments, ``lang`` ('en' or
    'ru', default $SALESSIM_LANG) and ``replications=0`` to skip the background spread."""
    state = solara.use_memo(lambda: lockstep or prepared.take(), [])
    lock = solara.use_memo(threading.Lock, [])
    code = solara.use_reactive(language(lang))
    shown = solara.use_reactive((0, 0, None))  # (run, live quarter, switch) on screen: changing it redraws
    view = solara.use_reactive(None)  # a past quarter being replayed, or None for the latest
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    draft = solara.use_reactive(state.levers)
    policies = solara.use_reactive((state.left_policy, state.right_policy))
    story_on = solara.use_reactive(True)
    chapter = solara.use_reactive(0)
    levers_open = solara.use_reactive(False)
    zoomed = solara.use_reactive(None)
    t = translator(code.value)
    first_draw = solara.use_memo(lambda: FirstDraw(bool(replications) and HOLD_WHILE_LOADING), [])

    def guarded(action: Callable[[], object]) -> None:
        BACKGROUND.quiet(QUIET_AFTER_ACTION)
        try:
            with lock:
                action()
        except Exception as exc:  # shown on the page rather than breaking it
            traceback.print_exc()
            playing.set(False)
            error.set(f"{type(exc).__name__}: {exc}")
        view.set(None)
        shown.set((state.run, state.quarter, state.switched_at))

    def step() -> None:
        guarded(state.step)

    def reset(live: bool | None = None) -> None:
        playing.set(False)
        error.set("")
        chapter.set(0)
        guarded(lambda: state.reset(draft.value, *policies.value, live_switch=live))

    def switch_now() -> None:
        guarded(state.switch_now)

    def play_loop() -> None:
        while playing.value and not state.finished:
            started = time.perf_counter()
            step()
            time.sleep(max(0.0, PLAY_INTERVAL - (time.perf_counter() - started)))
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def compute_spread() -> Spread | None:
        if not replications:
            return None
        first_draw.wait()  # the first render first: the spread must not compete with it for the CPU
        return BACKGROUND.submit(state.levers, spread_policies(state), replications, state.switched_at).result()

    spread_task = solara.lab.use_task(compute_spread, dependencies=[state.run, state.switched_at], prefer_threaded=True)
    spread = spread_task.value if spread_task.finished else None

    _ = shown.value  # read, so that a step (which sets it) redraws the page
    quarter = state.quarter if view.value is None else min(view.value, state.quarter)
    sides, departments = read_sides(state, t, quarter)
    horizon = state.horizon
    switch = (state.live_switch, state.switched_at, t.policy(state.right_policy))
    chapters = story.steps(*departments, t, horizon, spread, switch) if story_on.value else []

    def go_to_chapter(index: int) -> None:
        index = max(0, min(index, len(chapters) - 1))
        target = chapters[index].quarter
        chapter.set(index)
        makes_switch = chapters[index].switch and state.can_switch
        if target > state.quarter or makes_switch:
            playing.set(False)

            def advance() -> None:
                while state.quarter < target and state.step():
                    pass
                if makes_switch:
                    state.switch_now()

            guarded(advance)
        else:
            view.set(None if target >= state.quarter else target)

    pending = (draft.value, policies.value) != (state.levers, (state.left_policy, state.right_policy))
    DRAWN.provide(first_draw.drawn)
    use_module()  # the page's compiled widgets (assets/widgets.js): nothing on the page is compiled in the browser
    solara.Title(t._("salessim · sales department dashboard"))
    HeadStyle.element(value=CSS)
    with solara.Column(classes=["salessim"], style={"padding": "6px 12px", "gap": "6px"}):
        TopBar(t, code, state, quarter, view, playing, step, reset, pending, story_on, levers_open)
        if error.value:
            solara.Error(error.value)
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap", "gap": "12px"}):
            if levers_open.value:
                with solara.Column(style={"width": "310px", "flex": "none"}):
                    LeverPanel(t, draft, policies, pending, reset)
            with solara.Column(style={"flex": "1", "min-width": "0", "gap": "8px"}):
                Headlines(sides, t, state, switch_now, live_view=view.value is None or view.value >= state.quarter)
                SpreadNote(t, spread, replications, sides, horizon, state)
                ProfitNote(t, departments, state, spread)
                if story_on.value:
                    index = min(chapter.value, len(chapters) - 1)
                    StoryPanel(
                        t, chapters[index], index, len(chapters), go_to_chapter, sides, state, horizon, spread, zoomed
                    )
                else:
                    ChartGrid(t, sides, state, horizon, spread, zoomed)
                with solara.Columns([1, 1]):
                    for side, department in zip(sides, departments, strict=True):
                        EventLog(t, side, department.events, quarter)
        if zoomed.value:
            with solara.Column(classes=["zoom"]):
                with solara.Row(style={"align-items": "center"}):
                    solara.Button(
                        t._("Close full screen"),
                        icon_name="mdi-fullscreen-exit",
                        color="primary",
                        on_click=lambda: zoomed.set(None),
                        classes=["close-zoom"],
                    )
                ChartCard(
                    t,
                    zoomed.value,
                    sides,
                    state,
                    horizon,
                    spread,
                    zoomed,
                    height="calc(100vh - 140px)",
                    zoom_button=False,
                )


class FirstDraw:
    """Keeps the page's spread waiting while its first chart is being drawn (the first render gets
    the CPU), then lets it go: on the first chart's "drawn" report, or after ``HOLD_LIMIT``. With
    ``hold`` the worker pauses meanwhile (spreads other pages asked for)."""

    def __init__(self, hold: bool) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._held = hold
        if hold:
            BACKGROUND.hold()

    def drawn(self, *_args) -> None:
        with self._lock:
            if self._held:
                self._held = False
                BACKGROUND.release()
        self._done.set()

    def wait(self) -> None:
        if not self._done.wait(HOLD_LIMIT):
            self.drawn()


class Prepared:
    """The default pair of departments, built once before any page asks (``serve`` calls ``warm``
    while the server starts), so that a first render copies it instead of building two models;
    ``warm`` also runs the page's own reading of it once (the story, the charts), so that the first
    page does not pay for the first calls. Each page gets its own copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pristine: Lockstep | None = None

    def warm(self) -> None:
        with self._lock:
            if self._pristine is None:
                self._pristine = Lockstep()
            state = self._pristine
        t = translator(language())
        sides, departments = read_sides(state, t, 0)
        story.steps(*departments, t, state.horizon, None, (False, None, t.policy(state.right_policy)))
        for chart in CHARTS:
            json.dumps(option(chart, sides, t, state.horizon, None))

    def take(self) -> Lockstep:
        """A fresh default pair: a copy of the prepared one (steps exactly as a new ``Lockstep()``)."""
        with self._lock:
            pristine = self._pristine
        return copy.deepcopy(pristine) if pristine is not None else Lockstep()


prepared = Prepared()


def spread_policies(state: Lockstep) -> tuple[str, str]:
    """The policies the spread compares: in live-switch mode before the switch, the left one twice."""
    if state.live_switch and state.switched_at is None:
        return state.left_policy, state.left_policy
    return state.left_policy, state.right_policy


def read_sides(state: Lockstep, t: Translator, quarter: int) -> tuple[list[Side], list[story.Department]]:
    """Both departments up to ``quarter``: for the charts, and for the story. In live-switch mode the
    right one keeps its target policy's colour and is named by where it is in the switch."""
    colors = side_colors(state.left_policy, state.right_policy)
    switched = state.switched_at if state.switched_at is not None and state.switched_at <= quarter else None
    sides, departments = [], []
    for i, (model, history, color) in enumerate(zip(state.models, state.histories, colors, strict=True)):
        frame = timeseries(model)
        frame = frame[frame.quarter <= quarter].reset_index(drop=True)
        label = t.policy(model.policy_name)
        mark = None
        if i == 1 and state.live_switch:
            target = t.policy(state.right_policy)
            if switched is None:
                label = t._("{now} → {target}", now=t.policy(state.left_policy), target=target)
            else:
                label, mark = t._("{policy} from {quarter}", policy=target, quarter=t.quarter(switched)), switched
        sides.append(Side(label, color, frame, history, quarter, mark))
        departments.append(story.Department(model.policy_name, label, frame, history, model.events, quarter))
    return sides, departments


def toggle(label: str, icon: str, on: bool, flip: Callable[[], None], name: str) -> None:
    """A top-bar button that shows whether its panel or mode is on (filled) or off (outlined)."""
    solara.Button(
        label,
        icon_name=icon,
        on_click=flip,
        color="primary" if on else None,
        outlined=not on,
        classes=[f"{name}-toggle"],
    )


@solara.component
def TopBar(
    t: Translator,
    code: solara.Reactive[str],
    state: Lockstep,
    quarter: int,
    view: solara.Reactive[int | None],
    playing: solara.Reactive[bool],
    step: Callable[[], None],
    reset: Callable[..., None],
    pending: bool,
    story_on: solara.Reactive[bool],
    levers_open: solara.Reactive[bool],
):
    """Step / Play / Reset, the quarter shown and the replay scrubber, the modes and the language."""
    horizon, live = state.horizon, state.quarter
    with solara.Row(classes=["topbar"]):
        solara.Button(
            t._("Step"),
            icon_name="mdi-step-forward",
            on_click=step,
            color="primary",
            classes=["step"],
            disabled=playing.value or live >= horizon,
        )
        solara.Button(
            t._("Pause") if playing.value else t._("Play"),
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value),
            disabled=live >= horizon,
            outlined=True,
            classes=["play"],
        )
        solara.Button(
            t._("Reset"),
            icon_name="mdi-restore",
            on_click=reset,
            outlined=not pending,
            color="warning" if pending else None,
            classes=["reset"],
        )
        solara.Text(t._("Quarter {quarter} of {horizon}", quarter=quarter, horizon=horizon), classes=["quarter"])
        with solara.Column(style={"width": "200px", "gap": "0"}, classes=["scrubber"]):
            solara.SliderInt(
                t._("Replay quarter"),
                value=quarter,
                min=0,
                max=max(live, 1),
                disabled=live == 0,
                on_value=lambda q: view.set(None if q >= live else q),
            )
        if view.value is not None and view.value < live:
            solara.Text(t._("replaying; latest is {live}", live=t.quarter(live)), classes=["replay-note"])
            solara.Button(t._("Back to latest"), on_click=lambda: view.set(None), text=True, classes=["live"])
        solara.v.Spacer()
        toggle(t._("Story"), "mdi-book-open-variant", story_on.value, lambda: story_on.set(not story_on.value), "story")
        toggle(
            t._("Switch live"),
            "mdi-swap-horizontal-bold",
            state.live_switch,
            lambda: reset(not state.live_switch),
            "live",
        )
        toggle(t._("Levers"), "mdi-tune", levers_open.value, lambda: levers_open.set(not levers_open.value), "levers")
        for lang in LANGUAGES:
            solara.Button(
                lang.upper(),
                on_click=lambda lang=lang: code.set(lang),
                classes=[f"lang-{lang}"],
                color="primary" if code.value == lang else None,
                outlined=code.value != lang,
                style={"min-width": "48px"},
            )


@solara.component
def Headlines(
    sides: list[Side], t: Translator, state: Lockstep, switch_now: Callable[[], None], live_view: bool = True
):
    """Each department's headline numbers, large enough for the back row; in live-switch mode the
    right one carries the big Switch now button (the switch is made at the live quarter)."""
    with solara.Columns([1, 1]):
        for i, side in enumerate(sides):
            first, last = side.frame.iloc[0], side.frame.iloc[-1]
            with solara.Column(classes=["headline-card"], style={"border-color": side.color, "gap": "0"}):
                with solara.Row(style={"gap": "16px", "align-items": "baseline", "flex-wrap": "wrap"}):
                    solara.Text(side.label, classes=["side-title"], style={"color": side.color})
                    solara.Text(
                        t._(
                            "quits {quits} · hires {hires}",
                            quits=t.number(int(side.frame.quits.sum())),
                            hires=t.number(int(side.frame.hires.sum())),
                        ),
                        classes=["kpi-small"],
                    )
                with solara.Row(style={"gap": "20px", "flex-wrap": "nowrap", "align-items": "center"}):
                    Kpi(t._("revenue this quarter"), t.money(last.revenue), t.change(last.revenue, first.revenue))
                    Kpi(
                        t._("golden fund"),
                        t.money(last.golden_fund_revenue),
                        t.change(last.golden_fund_revenue, first.golden_fund_revenue),
                    )
                    if i == 1 and state.live_switch:
                        if state.switched_at is None:
                            solara.Button(
                                t._("Switch now"),
                                icon_name="mdi-swap-horizontal-bold",
                                color="error",
                                on_click=switch_now,
                                disabled=not (state.can_switch and live_view),
                                classes=["switch-now"],
                            )
                        else:
                            solara.Text(
                                t._("switched in {quarter}", quarter=t.quarter(state.switched_at)),
                                classes=["switched-note"],
                            )


@solara.component
def Kpi(label: str, value: str, change: str):
    with solara.Column(gap="0"):
        solara.Text(f"{value}  ({change})", classes=["kpi"])
        solara.Text(label, classes=["kpi-label"])


@solara.component
def SpreadNote(
    t: Translator, spread: Spread | None, replications: int, sides: list[Side], horizon: int, state: Lockstep
):
    """How the department on screen compares with many like it (computed in the background)."""
    if not replications or state.live_switch:  # in live-switch mode the profit note says it
        return
    if spread is None or spread.quarters != horizon:
        solara.Text(
            t._("Computing {n} other departments in the background for the spread…", n=t.number(replications)),
            classes=["spread-note", "spread-pending"],
        )
        return
    solara.Text(
        t._(
            "Across {n} departments like these, {right} kept more golden fund than {left} in {k} ({pct}); "
            "the shaded bands hold 8 of 10 of them.",
            n=t.number(spread.replications),
            right=sides[1].label,
            left=sides[0].label,
            k=t.number(spread.right_keeps_more),
            pct=t.percent(spread.gap_share()),
        ),
        classes=["spread-note", "spread-ready"],
    )


@solara.component
def ProfitNote(t: Translator, departments: list[story.Department], state: Lockstep, spread: Spread | None):
    """The J-curve in one or two sentences: what the switch costs so far, when it pays back."""
    if not state.live_switch and departments[0].quarter == 0:
        return
    start = state.switched_at if state.live_switch else 0
    if spread is not None and (spread.quarters != state.horizon or spread.switch_at != state.switched_at):
        spread = None
    text = story.profit_text(*departments, t, start, spread, state.live_switch, t.policy(state.right_policy))
    solara.Text(" ".join(text), classes=["profit-note"])


@solara.component
def StoryPanel(
    t: Translator,
    chapter: story.Step,
    index: int,
    count: int,
    go: Callable[[int], None],
    sides: list[Side],
    state: Lockstep,
    horizon: int,
    spread: Spread | None,
    zoomed: solara.Reactive[str | None],
):
    """One step of the story beside the chart it talks about."""
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap", "gap": "16px"}):
        with solara.Column(classes=["story"], style={"flex": "0 0 40%", "min-width": "0", "gap": "4px"}):
            with solara.Row(style={"align-items": "center", "gap": "8px"}):
                solara.Button(
                    t._("Back"),
                    icon_name="mdi-chevron-left",
                    on_click=lambda: go(index - 1),
                    disabled=index == 0,
                    outlined=True,
                    classes=["story-back"],
                )
                solara.Button(
                    t._("Next"),
                    icon_name="mdi-chevron-right",
                    on_click=lambda: go(index + 1),
                    disabled=index >= count - 1,
                    color="primary",
                    classes=["story-next"],
                )
                solara.Text(t._("step {i} of {n}", i=index + 1, n=count), classes=["story-progress"])
            Tag("h2", chapter.title, "story-title")
            # The paragraphs in a box of their own: a step with more of them must not shift the
            # headings below onto other elements (the browser keeps an element's tag when reused).
            with solara.v.Html(tag="div", class_="story-texts"):
                for paragraph in chapter.text:
                    Tag("p", paragraph, "story-text")
            Tag("h3", t._("Things to notice"), "story-heading")
            List(chapter.notice, "story-notice")
            Tag("h3", t._("Things to try"), "story-heading")
            List(chapter.try_, "story-try")
        with solara.Column(style={"flex": "1", "min-width": "0"}):
            ChartCard(t, chapter.chart, sides, state, horizon, spread, zoomed, height="420px")


def Tag(tag: str, text: str, class_: str = "") -> None:
    """An HTML element holding plain text (a native widget: nothing to compile in the browser). Keep
    each place on the page to one tag: when a widget is reused for another element, the browser
    keeps the tag it was first drawn with."""
    solara.v.Html(tag=tag, children=[text], class_=class_)


def List(items: list[str], class_: str) -> None:
    with solara.v.Html(tag="ul", class_=class_):
        for item in items:
            Tag("li", item)


@solara.component
def ChartGrid(
    t: Translator,
    sides: list[Side],
    state: Lockstep,
    horizon: int,
    spread: Spread | None,
    zoomed: solara.Reactive[str | None],
):
    """Every chart, two to a row."""
    names = list(CHARTS)
    for row in range(0, len(names), 2):
        with solara.Columns([1, 1]):
            for chart in names[row : row + 2]:
                ChartCard(t, chart, sides, state, horizon, spread, zoomed)


@solara.component
def ChartCard(
    t: Translator,
    chart: str,
    sides: list[Side],
    state: Lockstep,
    horizon: int,
    spread: Spread | None,
    zoomed: solara.Reactive[str | None],
    height: str = CHART_HEIGHT,
    zoom_button: bool = True,
):
    """A chart with its title, full-screen, PNG and CSV buttons."""
    png = solara.use_reactive(0)
    csv = solara.use_reactive(("", 0))  # (the data, how many times asked for)
    on_drawn = solara.use_context(DRAWN)
    quarter = sides[0].quarter
    policies = (state.left_policy, state.right_policy)

    def export_csv() -> None:
        csv.set((table(chart, sides, policies).to_csv(index=False), csv.value[1] + 1))

    with solara.Column(classes=["chart-card", f"chart-{chart}"], gap="0"):
        with solara.Row(style={"align-items": "center", "gap": "4px", "flex-wrap": "nowrap"}):
            solara.Text(t._(CHARTS[chart]), classes=["chart-title"])
            solara.v.Spacer()
            if zoom_button:
                solara.Button(
                    icon_name="mdi-fullscreen",
                    on_click=lambda: zoomed.set(chart),
                    text=True,
                    classes=["zoom-button"],
                    style={"min-width": "40px"},
                )
            solara.Button(
                "PNG",
                icon_name="mdi-image-outline",
                on_click=lambda: png.set(png.value + 1),
                text=True,
                classes=["png-button"],
            )
            solara.Button("CSV", icon_name="mdi-download", on_click=export_csv, text=True, classes=["csv-button"])
        Chart.element(
            option=json.dumps(option(chart, sides, t, horizon, spread), separators=(",", ":")),
            locale=t.lang,
            filename=f"salessim-{chart}-q{quarter}",
            png_request=png.value,
            csv=csv.value[0],
            csv_request=csv.value[1],
            **({"on_drawn": on_drawn} if on_drawn else {}),
            attributes={"style": f"height: {height}; width: 100%;", "data-quarter": str(quarter), "data-chart": chart},
        )


@solara.component
def EventLog(t: Translator, side: Side, events: list, quarter: int):
    """The department's events summarised per quarter, newest first; a quarter's details on a click."""
    opened = solara.use_reactive(-1)
    groups = story.events_by_quarter(events, quarter)[:EVENT_QUARTERS]
    solara.Text(t._("What happened: {label}", label=side.label), classes=["events-title"], style={"color": side.color})
    with solara.Column(gap="0", classes=["events"], style={"max-height": "320px", "overflow-y": "auto"}):
        if not groups:
            solara.Text(t._("Nothing yet: press Step."), classes=["kpi-label"])
        for group in groups:
            switched = next(
                (story.switch_policy(e) for e in events if e.kind == "switch" and e.quarter == group.quarter), None
            )
            summary = story.event_summary(
                group.counts,
                group.handoff_churns,
                t,
                group.followers,
                group.unread_follows,
                t.policy(switched) if switched else "",
            )
            if not summary:
                continue
            solara.Button(
                f"{t.quarter(group.quarter)}: {summary}",
                text=True,
                classes=["event-quarter"],
                icon_name="mdi-chevron-up" if opened.value == group.quarter else "mdi-chevron-down",
                on_click=lambda q=group.quarter: opened.set(-1 if opened.value == q else q),
            )
            if opened.value == group.quarter:
                with solara.v.Html(tag="ul", class_="event-details"):
                    for e in events:
                        if e.quarter == group.quarter:
                            with solara.v.Html(tag="li"):
                                solara.v.Html(
                                    tag="span",
                                    children=[t._(KIND_WORDS.get(e.kind, e.kind))],
                                    class_="kind",
                                    style_=f"color:{EVENT_COLORS.get(e.kind, '#475569')}",
                                )
                                Tag("span", story.event_line(e, t))


KIND_WORDS = {
    "quit": N_("quit"),
    "churn": N_("churn"),
    "hire": N_("hire"),
    "promotion": N_("promotion"),
    "servicing": N_("servicing"),
    "follow": N_("clients follow"),
    "switch": N_("switch"),
}


@solara.component
def LeverPanel(
    t: Translator,
    draft: solara.Reactive[Levers],
    policies: solara.Reactive[tuple[str, str]],
    pending: bool,
    reset: Callable[[], None],
):
    """Which departments to compare, and the levers both are built from (applied on Reset)."""
    names = list(POLICIES)
    words = {t.policy(name): name for name in names}
    with solara.Card(t._("Departments and levers")):
        for side, label in enumerate((t._("Left department"), t._("Right department"))):
            solara.Select(
                label,
                values=list(words),
                value=t.policy(policies.value[side]),
                on_value=lambda text, side=side: policies.set(_with(policies.value, side, words[text])),
                classes=[f"policy-{side}"],
            )
        for name in LEVERS:
            LeverSlider(t, draft, name)
        strategic = {t._(STRATEGIC_LABELS[c]): c for c in STRATEGIC_CHOICES}
        solara.Select(
            t._("Strategic deals"),
            values=list(strategic),
            value=t._(STRATEGIC_LABELS[draft.value.strategic_deals]),
            on_value=lambda text: draft.set(replace(draft.value, strategic_deals=strategic[text])),
        )
        if pending:
            solara.Text(t._("Changed: press Reset to apply to both sides."), classes=["pending"])
        solara.Button(
            t._("Reset with these settings"),
            on_click=reset,
            color="warning" if pending else None,
            outlined=not pending,
            style={"margin-top": "8px"},
            classes=["reset-levers"],
        )


@solara.component
def LeverSlider(t: Translator, draft: solara.Reactive[Levers], name: str):
    """One lever as a slider."""
    lever = LEVERS[name]
    value = getattr(draft.value, name)

    def set_value(new: float) -> None:
        draft.set(replace(draft.value, **{name: cast(lever, new)}))

    shown = t.number(value) if lever.integer else t.number(value, 2)
    solara.Text(f"{t._(lever.label)}: {shown}", classes=["lever"])
    with solara.Column(gap="0", classes=[f"lever-{name}"]):
        if lever.integer:
            solara.SliderInt(
                "", value=int(value), min=int(lever.low), max=int(lever.high), step=int(lever.step), on_value=set_value
            )
        else:
            solara.SliderFloat(
                "", value=float(value), min=lever.low, max=lever.high, step=lever.step, on_value=set_value
            )


def _with(pair: tuple[str, str], side: int, name: str) -> tuple[str, str]:
    return (name, pair[1]) if side == 0 else (pair[0], name)
