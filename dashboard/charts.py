"""The page's charts as ECharts options (plain dicts the browser draws), and each chart's data as a table.

Each function takes data already read from the models (timeseries frames, histories, spreads)
and returns an option; none of them computes anything about sales. Colour stands for the
department (its policy's colour, as in the reports), line style for the series. Axis text is
16 px for a projector; numbers on the axes and in tooltips are formatted by the browser in the
page's language (the ``numberFormat`` keys, read by ``echarts.vue``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .ensemble import Spread
from .history import History
from .i18n import N_, Translator
from .palette import CLIENT_COLORS

FONT = 16
CHARTS = {  # id -> title
    "revenue": N_("Revenue per quarter, k€"),
    "golden": N_("Golden-fund revenue per quarter, k€"),
    "servicing": N_("Veterans' time spent servicing clients (invoicing)"),
    "skill": N_("Consultative skill"),
    "staff": N_("Quits and hires so far"),
    "books": N_("Books: clients per seller, by type"),
    "profit": N_("Profit so far, right minus left, k€ (the J-curve)"),
}
TIME_CHARTS = ("revenue", "golden", "servicing", "skill", "staff", "profit")  # the switch is marked on these
CLIENT_TYPES = {
    "transactional": N_("transactional"),
    "consultative": N_("consultative (golden fund)"),
    "strategic": N_("strategic"),
}


@dataclass(frozen=True)
class Side:
    """One department as the charts see it, up to the quarter shown."""

    label: str
    color: str
    frame: pd.DataFrame  # timeseries rows 0..quarter
    history: History
    quarter: int
    switched_at: int | None = None  # a live switch of this department, marked on the charts


def switch_mark(quarter: int, t: Translator) -> dict:
    """The switch as a ``markLine`` data item: a vertical dashed line, labelled."""
    return {
        "name": "switch",
        "xAxis": quarter,
        "lineStyle": {"color": "#111827", "type": "dashed", "width": 2.5},
        "label": {
            "formatter": t._("switch {quarter}", quarter=t.quarter(quarter)),
            "fontSize": FONT,
            "position": "insideEndTop",
            "color": "#111827",
        },
    }


def _mark(series: dict, *items: dict) -> dict:
    """Add ``markLine`` items to a series (keeping its own)."""
    own = series.get("markLine", {"silent": True, "symbol": "none", "animation": False, "data": []})
    series["markLine"] = own | {"data": [*own["data"], *items]}
    return series


def _mark_switch(series: dict, side: Side, t: Translator) -> dict:
    """Mark the side's live switch on ``series`` (its main line)."""
    return _mark(series, switch_mark(side.switched_at, t)) if side.switched_at is not None else series


def _axis_x(t: Translator, horizon: int) -> dict:
    return {
        "type": "value",
        "min": 0,
        "max": max(horizon, 1),
        "minInterval": 1,
        "name": t._("quarter"),
        "nameLocation": "middle",
        "nameGap": 30,
        "nameTextStyle": {"fontSize": FONT},
        "axisLabel": {"fontSize": FONT},
        "splitLine": {"show": False},
    }


def _axis_y(kind: str = "decimal", **extra) -> dict:
    axis = {
        "type": "value",
        "axisLabel": {"fontSize": FONT, "numberFormat": kind},
        "splitLine": {"lineStyle": {"color": "#e5e7eb"}},
    }
    if kind == "percent":
        axis.update(min=0, max=1)
    return axis | extra


def _base(t: Translator, legend: bool = True) -> dict:
    option = {
        "animation": False,
        "textStyle": {"fontSize": FONT, "fontFamily": "Roboto, Arial, sans-serif", "color": "#1f2937"},
        "grid": {"left": 16, "right": 24, "top": 52 if legend else 16, "bottom": 40, "containLabel": True},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": FONT}, "numberFormat": "decimal"},
        "backgroundColor": "#ffffff",
    }
    if legend:
        option["legend"] = {
            "top": 0,
            "left": "center",
            "textStyle": {"fontSize": FONT},
            "itemWidth": 34,
            "itemHeight": 12,
        }
    return option


def _line(name: str, color: str, data: list, dashed: str = "solid", width: float = 3.5, **extra) -> dict:
    return {
        "type": "line",
        "name": name,
        "data": data,
        "showSymbol": len(data) <= 1,
        "symbolSize": 8,
        "lineStyle": {"color": color, "width": width, "type": dashed},
        "itemStyle": {"color": color},
        "connectNulls": False,
        **extra,
    }


def _pairs(frame: pd.DataFrame, column: str, cumulative: bool = False) -> list[list[float]]:
    values = frame[column].astype(float)
    values = values.cumsum() if cumulative else values
    return [[int(q), round(float(v), 4)] for q, v in zip(frame.quarter, values, strict=True)]


def _band(side: int, color: str, low: list[float], high: list[float], upto: int, name: str) -> list[dict]:
    """The 10-90% band of the spread as a stacked area on the category axis (no tooltip, see echarts.vue)."""
    count = min(upto, len(low) - 1) + 1 if low else 0
    base = [round(low[q], 2) for q in range(count)]
    width = [round(high[q] - low[q], 2) for q in range(count)]
    common = {
        "type": "line",
        "stack": f"band{side}",
        "stackStrategy": "all",
        "symbol": "none",
        "silent": True,
        "z": 1,
        "name": name,
        "lineStyle": {"opacity": 0},
        "itemStyle": {"color": color},
    }
    return [
        {**common, "id": f"band-low-{side}", "data": base},
        {**common, "id": f"band-width-{side}", "data": width, "areaStyle": {"color": color, "opacity": 0.18}},
    ]


def money_option(sides: list[Side], t: Translator, horizon: int, column: str, spread: Spread | None) -> dict:
    """Revenue (``column='revenue'``) or golden-fund revenue per quarter, with the spread's bands
    (a category axis of quarters, so that the bands stack)."""
    option = _base(t)
    series = []
    for i, side in enumerate(sides):
        values = [round(float(v), 2) for v in side.frame[column]]
        series.append(_mark_switch(_line(side.label, side.color, values, z=3), side, t))
        if spread is not None and spread.quarters == horizon:
            low, _mid, high = spread.bands[i][column]
            series += _band(i, side.color, low, high, side.quarter, t._("8 of 10 departments like it"))
    x = _axis_x(t, horizon) | {
        "type": "category",
        "data": list(range(horizon + 1)),
        "boundaryGap": False,
        "axisLabel": {"fontSize": FONT, "interval": max(0, horizon // 8 - 1)},
    }
    for key in ("min", "max", "minInterval"):
        x.pop(key)
    option.update(xAxis=x, yAxis=_axis_y(min=0), series=series)
    option["legend"]["data"] = [side.label for side in sides]
    return option


def servicing_option(sides: list[Side], t: Translator, horizon: int) -> dict:
    option = _base(t)
    option["tooltip"]["numberFormat"] = "percent"
    series = [_line(side.label, side.color, _pairs(side.frame, "veteran_service_share")) for side in sides]
    _mark(
        series[0],
        {
            "yAxis": 0.8,
            "lineStyle": {"color": "#6b7280", "type": "dotted", "width": 2},
            "label": {"formatter": "80%", "fontSize": FONT, "position": "insideEndTop"},
        },
    )
    for line, side in zip(series, sides, strict=True):
        _mark_switch(line, side, t)
    option.update(xAxis=_axis_x(t, horizon), yAxis=_axis_y("percent"), series=series)
    return option


def staff_option(sides: list[Side], t: Translator, horizon: int) -> dict:
    option = _base(t)
    series = []
    quits, hires = t._("quits (solid)"), t._("hires (dashed)")
    for side in sides:
        series.append(
            _mark_switch(_line(quits, side.color, _pairs(side.frame, "quits", cumulative=True), step="end"), side, t)
        )
        series.append(
            _line(
                hires, side.color, _pairs(side.frame, "hires", cumulative=True), dashed="dashed", width=2.5, step="end"
            )
        )
    option.update(xAxis=_axis_x(t, horizon), yAxis=_axis_y(min=0, minInterval=1), series=series)
    option["legend"].update(data=[quits, hires], itemStyle={"color": "#374151"}, lineStyle={"color": "#374151"})
    option["tooltip"]["trigger"] = "item"
    return option


def _two_panels(option: dict, sides: list[Side], left: int, split: str, bottom: int, titles: tuple[str, str]) -> None:
    """Side by side: one grid per department, each titled with its label in its colour."""
    option["grid"] = [
        {"left": left, "right": split, "top": 72, "bottom": bottom, "containLabel": True},
        {"left": split, "right": 16, "top": 72, "bottom": bottom, "containLabel": True},
    ]
    option["title"] = [
        {"text": side.label, "left": x, "top": 34, "textStyle": {"fontSize": FONT, "color": side.color}}
        for x, side in zip(titles, sides, strict=False)
    ]


def skill_option(sides: list[Side], t: Translator, horizon: int) -> dict:
    """One panel per department: the veterans' mean skill (thick) and each person hired during the
    run as a thin line from the quarter they joined to the quarter they left (✕ where they quit),
    so no line jumps when people join or leave."""
    option = _base(t)
    _two_panels(option, sides, left=16, split="53%", bottom=40, titles=("4%", "55%"))
    option["xAxis"] = [_axis_x(t, horizon) | {"gridIndex": i} for i in (0, 1)]
    option["yAxis"] = [_axis_y(min=0, max=1, gridIndex=i) for i in (0, 1)]
    option["tooltip"] = {"trigger": "item", "textStyle": {"fontSize": FONT}, "numberFormat": "decimal"}
    veterans_name, hired_name = t._("veterans (average)"), t._("each person hired during the run")
    series = []
    for i, side in enumerate(sides):
        veterans, people = side.history.skill_lines(side.quarter)
        series.append(
            _mark_switch(
                _line(
                    veterans_name,
                    side.color,
                    [[q, v] for q, v in enumerate(veterans)],
                    width=4.5,
                    xAxisIndex=i,
                    yAxisIndex=i,
                    z=3,
                ),
                side,
                t,
            )
        )
        for name, line in people.items():
            data = [[q, round(v, 3)] for q, v in enumerate(line) if v is not None]
            left = side.history.quits.get(name)
            person = _line(
                hired_name,
                side.color,
                data,
                dashed="solid",
                width=1.6,
                xAxisIndex=i,
                yAxisIndex=i,
                lineStyle={"color": side.color, "width": 1.6, "opacity": 0.55},
            )
            person["id"] = f"person-{i}-{name}"
            if left is not None and left <= side.quarter and data:
                person["markPoint"] = {
                    "symbol": "path://M0,0L10,10M10,0L0,10",
                    "symbolSize": 11,
                    "silent": True,
                    "itemStyle": {"color": side.color, "borderColor": side.color, "borderWidth": 2.5},
                    "label": {"show": False},
                    "data": [{"coord": data[-1]}],
                }
            series.append(person)
    option["series"] = series
    option["legend"]["data"] = [veterans_name, hired_name]
    option["legend"]["itemStyle"] = {"color": "#374151"}
    option["legend"]["lineStyle"] = {"color": "#374151"}
    return option


def books_option(sides: list[Side], t: Translator) -> dict:
    """Each department's books side by side: one bar per seller, stacked by client type, on a common scale."""
    option = _base(t)
    option["tooltip"] = {
        "trigger": "axis",
        "axisPointer": {"type": "shadow"},
        "textStyle": {"fontSize": FONT},
        "numberFormat": "decimal",
    }
    _two_panels(option, sides, left=8, split="52%", bottom=28, titles=("2%", "52%"))
    snaps = [side.history.at(side.quarter) for side in sides]
    most = max([sum(s.mix.values()) for snap in snaps for s in snap.sellers] or [1])
    scale = max(10, -(-most // 10) * 10)  # a common, round scale for both panels
    option["xAxis"] = [
        {
            "type": "value",
            "gridIndex": i,
            "max": scale,
            "minInterval": 1,
            "axisLabel": {"fontSize": FONT - 2, "numberFormat": "decimal"},
        }
        for i in (0, 1)
    ]
    option["yAxis"] = [
        {
            "type": "category",
            "gridIndex": i,
            "inverse": True,
            "data": [seller_label(s, t) for s in snap.sellers],
            "axisLabel": {"fontSize": FONT - 2, "interval": 0},
        }
        for i, snap in enumerate(snaps)
    ]
    series = []
    for i, snap in enumerate(snaps):
        for kind, color in CLIENT_COLORS.items():
            series.append(
                {
                    "type": "bar",
                    "name": t._(CLIENT_TYPES[kind]),
                    "stack": f"book{i}",
                    "xAxisIndex": i,
                    "yAxisIndex": i,
                    "itemStyle": {"color": color},
                    "barMaxWidth": 22,
                    "data": [s.mix.get(kind, 0) for s in snap.sellers],
                }
            )
    option["series"] = series
    option["legend"]["data"] = [t._(CLIENT_TYPES[kind]) for kind in CLIENT_COLORS]
    return option


def seller_label(seller, t: Translator) -> str:
    """'S3 · veteran · 0.62' – name, status or role, skill."""
    role = t.term(ROLE_TERMS[seller.role]) if seller.role in ROLE_TERMS else ""
    status = t.term(seller.status) if seller.status else role
    parts = [seller.name, status, t.number(seller.skill, 2)]
    return " · ".join(part for part in parts if part)


ROLE_TERMS = {"hunter": "hunter", "account_manager": "account_manager", "strategic_seller": "strategic_seller"}


def profit_gap(sides: list[Side]) -> list[float]:
    """The cumulative profit difference, right minus left, per quarter up to the quarter shown."""
    left, right = (side.frame.profit.astype(float).to_numpy() for side in sides)
    count = min(len(left), len(right))
    return [round(float(v), 2) for v in (right[:count] - left[:count]).cumsum()]


def profit_option(
    sides: list[Side], t: Translator, horizon: int, spread: Spread | None, payback: int | None = None
) -> dict:
    """The J-curve: the right department's cumulative profit minus the left's, per quarter, with the
    switch and the payback quarter marked and the spread's 10-90% band over the whole horizon
    (where departments like it are heading)."""
    from .ensemble import payback_quarter

    option = _base(t)
    right = sides[1]
    gap = profit_gap(sides)
    name = t._("this department")
    line = _line(name, right.color, gap, z=3)
    marks = [
        {
            "name": "zero",
            "yAxis": 0,
            "lineStyle": {"color": "#6b7280", "type": "solid", "width": 1.5},
            "label": {"show": False},
        }
    ]
    if payback is None and len(gap) > 1:
        payback = payback_quarter(gap, right.switched_at or 0)
    if payback is not None:
        marks.append(
            {
                "name": "payback",
                "xAxis": payback,
                "lineStyle": {"color": "#15803d", "type": "dotted", "width": 3},
                "label": {
                    "formatter": t._("pays back {quarter}", quarter=t.quarter(payback)),
                    "fontSize": FONT,
                    "position": "insideEndBottom",
                    "color": "#15803d",
                },
            }
        )
    if right.switched_at is not None:
        marks.append(switch_mark(right.switched_at, t))
    _mark(line, *marks)
    series = [line]
    legend = [name]
    if (
        spread is not None
        and spread.quarters == horizon
        and spread.switch_at == right.switched_at
        and spread.profit_gap[0]
    ):
        low, mid, high = spread.profit_gap
        band = t._("8 of 10 departments like it")
        series += _band(1, right.color, low, high, horizon, band)
        series.append(
            _line(
                t._("their median"),
                right.color,
                [round(v, 2) for v in mid],
                dashed="dashed",
                width=2,
                z=2,
                lineStyle={"color": right.color, "width": 2, "type": "dashed", "opacity": 0.7},
            )
        )
        legend.append(t._("their median"))
    x = _axis_x(t, horizon) | {
        "type": "category",
        "data": list(range(horizon + 1)),
        "boundaryGap": False,
        "axisLabel": {"fontSize": FONT, "interval": max(0, horizon // 8 - 1)},
    }
    for key in ("min", "max", "minInterval"):
        x.pop(key)
    option.update(xAxis=x, yAxis=_axis_y(), series=series)
    option["legend"]["data"] = legend
    return option


def option(chart: str, sides: list[Side], t: Translator, horizon: int, spread: Spread | None) -> dict:
    """The option of chart ``chart`` (an id of ``CHARTS``)."""
    if chart == "profit":
        return profit_option(sides, t, horizon, spread)
    if chart == "revenue":
        return money_option(sides, t, horizon, "revenue", spread)
    if chart == "golden":
        return money_option(sides, t, horizon, "golden_fund_revenue", spread)
    if chart == "servicing":
        return servicing_option(sides, t, horizon)
    if chart == "skill":
        return skill_option(sides, t, horizon)
    if chart == "staff":
        return staff_option(sides, t, horizon)
    if chart == "books":
        return books_option(sides, t)
    raise KeyError(chart)


TABLE_COLUMNS = {
    "revenue": ("revenue",),
    "golden": ("golden_fund_revenue", "golden_fund_clients", "golden_fund_churned"),
    "servicing": ("veteran_service_share",),
    "staff": ("quits", "hires", "sellers"),
    "profit": ("profit", "margin", "pay", "hiring_cost", "crm_cost"),
}


def table(chart: str, sides: list[Side], policies: tuple[str, str]) -> pd.DataFrame:
    """The data behind a chart, one row per quarter (or per seller for the books, per person-quarter
    for skill), with the department's policy in a column: what the CSV export writes."""
    frames = []
    for side, policy in zip(sides, policies, strict=True):
        if chart in TABLE_COLUMNS:
            frame = side.frame[["quarter", *TABLE_COLUMNS[chart]]].copy()
            if chart == "profit":
                frame["profit_cumulative"] = frame.profit.cumsum()
        elif chart == "skill":
            rows = [
                {
                    "quarter": snap.quarter,
                    "seller": s.name,
                    "veteran": s.veteran,
                    "hired": s.hired,
                    "skill": round(s.skill, 4),
                }
                for snap in side.history.snapshots[: side.quarter + 1]
                for s in snap.sellers
            ]
            frame = pd.DataFrame(rows)
        elif chart == "books":
            snap = side.history.at(side.quarter)
            frame = pd.DataFrame(
                [
                    {
                        "quarter": snap.quarter,
                        "seller": s.name,
                        "status": s.status,
                        "role": s.role,
                        "skill": round(s.skill, 4),
                        "tenure": s.tenure,
                        **s.mix,
                    }
                    for s in snap.sellers
                ]
            )
        else:
            raise KeyError(chart)
        frame.insert(0, "department", policy)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
