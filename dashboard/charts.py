"""The page's charts: matplotlib figures drawn from what the models report.

Each function takes data already read from the models (timeseries frames, seller rows)
and returns a ``Figure``; none of them computes anything about sales. Colour stands for
the department (left blue, right orange), line style for the series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from simulation import SalesModel, Seller

SIDE_COLORS = ("#2563eb", "#ea580c")  # left, right
CLIENT_COLORS = {"transactional": "#cbd5e1", "consultative": "#f59e0b", "strategic": "#7c3aed"}
CLIENT_LABELS = {"transactional": "transactional", "consultative": "consultative (golden fund)",
                 "strategic": "strategic"}
STYLE = {"font.size": 11, "axes.titlesize": 13, "axes.titleweight": "bold", "axes.spines.top": False,
         "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "legend.frameon": False}
WIDTH = 12.0  # inches; the page scales the image to its column


@dataclass(frozen=True)
class Series:
    """One of the model's quarterly metrics, drawn for both departments in one line style."""

    column: str
    dashes: str
    label: str
    cumulative: bool = False


@dataclass(frozen=True)
class Panel:
    """One chart of the comparison figure."""

    title: str
    ylabel: str
    series: tuple[Series, ...]
    percent: bool = False
    ylim: tuple[float, float] | None = None
    integer: bool = False


PANELS = (
    Panel("Revenue per quarter", "k€ per quarter",
          (Series("revenue", "-", "all clients"), Series("golden_fund_revenue", "--", "golden fund"))),
    Panel("Consultative skill", "skill (0–1)",
          (Series("veteran_skill", "-", "veterans"), Series("newcomer_skill", ":", "newcomers")), ylim=(0, 1)),
    Panel("Veterans' time spent servicing (invoicing)", "share of time",
          (Series("veteran_service_share", "-", "veterans"),), percent=True, ylim=(0, 1)),
    Panel("Quits and hires so far", "sellers",
          (Series("quits", "-", "quits", cumulative=True), Series("hires", "--", "hires", cumulative=True)),
          integer=True),
)


def comparison_figure(frames: list[pd.DataFrame], labels: list[str], horizon: int) -> Figure:
    """Four charts over quarters, both departments on each."""
    with rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, 6.6), dpi=100, facecolor="white")
        fig.subplots_adjust(left=0.07, right=0.99, top=0.87, bottom=0.08, hspace=0.55, wspace=0.18)
        for ax, panel in zip(fig.subplots(2, 2).ravel(), PANELS, strict=True):
            _draw_panel(ax, panel, frames, horizon)
        sides = [Line2D([], [], color=color, linewidth=6) for color in SIDE_COLORS]
        fig.legend(sides, labels, loc="upper center", ncols=2, fontsize=13, bbox_to_anchor=(0.5, 1.0))
    return fig


def _draw_panel(ax: Axes, panel: Panel, frames: list[pd.DataFrame], horizon: int) -> None:
    for frame, color in zip(frames, SIDE_COLORS, strict=True):
        for series in panel.series:
            values = frame.set_index("quarter")[series.column].astype(float)
            values = values.cumsum() if series.cumulative else values
            ax.plot(values.index, values.to_numpy(), color=color, linestyle=series.dashes, linewidth=2.4,
                    marker="o" if len(values) == 1 else None)
    ax.set_title(panel.title, loc="left")
    ax.set_ylabel(panel.ylabel)
    ax.set_xlabel("quarter", labelpad=1)
    ax.set_xlim(0, max(horizon, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if panel.integer:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(*(panel.ylim or (0, None)))
    if panel.percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if len(panel.series) > 1:
        styles = [Line2D([], [], color="#475569", linestyle=s.dashes, linewidth=2) for s in panel.series]
        ax.legend(styles, [s.label for s in panel.series], loc="lower right", bbox_to_anchor=(1.0, 1.0),
                  ncols=len(styles), fontsize=10, borderaxespad=0.2, handlelength=2.4)


@dataclass(frozen=True)
class BookRow:
    """What the book view shows of one seller."""

    name: str
    status: str
    role: str
    skill: float
    tenure: int
    mix: dict[str, int]

    @property
    def note(self) -> str:
        return " · ".join(part for part in (self.role, f"skill {self.skill:.2f}", f"{self.tenure} q") if part)


def seller_status(seller: Seller) -> str:
    """'veteran', 'newcomer' or nothing."""
    return "veteran" if seller.veteran else "newcomer" if seller.newcomer else ""


def seller_role(seller: Seller) -> str:
    """The seller's role in words, unless a generalist."""
    return "" if seller.role.value == "generalist" else seller.role.value.replace("_", " ")


def book_rows(model: SalesModel) -> list[BookRow]:
    """The regular sellers, longest-serving first."""
    sellers = sorted(model.regular_sellers(), key=lambda s: (-s.tenure, s.name))
    return [BookRow(s.name, seller_status(s), seller_role(s), s.skill, s.tenure, s.book_mix()) for s in sellers]


def books_figure(books: list[list[BookRow]], labels: list[str]) -> Figure:
    """Each department's books side by side: one bar per seller, stacked by client type,
    labelled with skill and tenure, on a common scale."""
    roles = any(row.role for rows in books for row in rows)
    xmax = book_scale(*books) * (2.15 if roles else 1.5)  # room for the labels
    height = 1.3 + 0.36 * max(1, *(len(rows) for rows in books))
    with rc_context(STYLE | {"axes.grid.axis": "x"}):
        fig = Figure(figsize=(WIDTH, height), dpi=100, facecolor="white")
        fig.subplots_adjust(left=0.11, right=0.99, top=1 - 0.8 / height, bottom=0.5 / height, wspace=0.32)
        for ax, rows, label, color in zip(fig.subplots(1, 2), books, labels, SIDE_COLORS, strict=True):
            _draw_books(ax, rows, xmax)
            ax.set_title(f"Books: {label}", loc="left", color=color)
        handles = [Patch(color=color) for color in CLIENT_COLORS.values()]
        fig.legend(handles, list(CLIENT_LABELS.values()), loc="upper center", ncols=3, fontsize=11,
                   bbox_to_anchor=(0.5, 1.0))
    return fig


def _draw_books(ax: Axes, rows: list[BookRow], xmax: float) -> None:
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for kind, color in CLIENT_COLORS.items():
        counts = np.array([row.mix[kind] for row in rows], dtype=float)
        ax.barh(y, counts, left=left, color=color, height=0.72)
        left += counts
    for yi, row, total in zip(y, rows, left, strict=True):
        ax.text(total + xmax * 0.01, yi, row.note, va="center", fontsize=9, color="#334155")
    ax.set_yticks(y, [f"{row.name} {row.status}".strip() for row in rows])
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    ax.set_xlim(0, xmax)
    ax.set_xlabel("clients in book", labelpad=1)


def book_scale(*books: list[BookRow]) -> float:
    """A common x range for the book views, so both sides compare at a glance."""
    totals = [sum(row.mix.values()) for rows in books for row in rows]
    return float(max(totals, default=0) or 1)
