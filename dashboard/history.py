"""What the page remembers of one department, quarter by quarter: for replaying a past quarter,
for the skill chart's per-person lines, for the event summary and for the story's facts.

Read-only towards the model: after each quarter it copies who is on staff (skill, book, status),
which leads newcomers and veterans are pursuing, and how the pursuits it saw ended. Nothing here
decides anything about sales.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from simulation import SalesModel, Seller
from simulation.ledger import Stage


@dataclass(frozen=True)
class SellerState:
    """One regular seller at the end of a quarter."""

    name: str
    desk: int
    status: str  # 'veteran', 'newcomer' or ''
    role: str  # 'generalist', 'hunter', 'account_manager', 'strategic', ...
    skill: float
    tenure: int
    hired: int
    veteran: bool
    service_share: float
    mix: dict[str, int]


@dataclass(frozen=True)
class Pursuit:
    """A lead a seller pursued, and how it ended as far as the page saw."""

    client: int
    seller: str
    status: str  # the seller's status when pursuing
    complexity: float
    consultative: bool
    started: int
    ended: int
    outcome: str  # 'won', 'lost' or 'dropped' (went back to the pool)


@dataclass(frozen=True)
class Snapshot:
    quarter: int
    sellers: tuple[SellerState, ...]
    golden_clients: int


def status_of(seller: Seller) -> str:
    return "veteran" if seller.veteran else "newcomer" if seller.newcomer else ""


@dataclass
class History:
    """Snapshots of one model, one per quarter from quarter 0."""

    snapshots: list[Snapshot] = field(default_factory=list)
    pursuits: list[Pursuit] = field(default_factory=list)
    quits: dict[str, int] = field(default_factory=dict)  # name -> quarter they left
    _open: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # client -> (seller, status, since)

    def record(self, model: SalesModel) -> None:
        q = model.quarter
        sellers = sorted(model.regular_sellers(), key=lambda s: (-s.tenure, s.name))
        states = tuple(
            SellerState(
                s.name,
                s.desk,
                status_of(s),
                s.role.value,
                float(s.skill),
                int(s.tenure),
                int(s.hired),
                bool(s.veteran),
                float(s.service_share),
                dict(s.book_mix()),
            )
            for s in sellers
        )
        ledger = model.ledger
        stage, owner = ledger.stage, ledger.owner
        golden = int((ledger.consultative & np.isin(stage, (Stage.DEVELOPING, Stage.LOYAL))).sum())
        self.snapshots.append(Snapshot(q, states, golden))
        for quarter, seller in model.staff.quits:
            self.quits.setdefault(seller.name, int(quarter))
        self._follow_pursuits(model, {s.desk: s for s in sellers}, stage, owner, q)

    def _follow_pursuits(self, model: SalesModel, by_desk: dict[int, Seller], stage, owner, q: int) -> None:
        ledger = model.ledger
        for client, (name, status, since) in list(self._open.items()):
            now = Stage(int(stage[client]))
            if now == Stage.PURSUIT and name == self._name_at(by_desk, owner[client]):
                continue
            outcome = (
                "won"
                if ledger.won[client] >= since and now in (Stage.DEVELOPING, Stage.LOYAL, Stage.CHURNED)
                else "lost"
                if now == Stage.LOST
                else "dropped"
            )
            self.pursuits.append(
                Pursuit(
                    client,
                    name,
                    status,
                    float(ledger.complexity[client]),
                    bool(ledger.consultative[client]),
                    since,
                    q,
                    outcome,
                )
            )
            del self._open[client]
        for client in np.flatnonzero(stage[: len(owner)] == Stage.PURSUIT):
            seller = by_desk.get(int(owner[client]))
            if seller is not None and int(client) not in self._open:
                self._open[int(client)] = (seller.name, status_of(seller), q)

    @staticmethod
    def _name_at(by_desk: dict[int, Seller], desk: int) -> str | None:
        seller = by_desk.get(int(desk))
        return seller.name if seller is not None else None

    def at(self, quarter: int) -> Snapshot:
        return self.snapshots[min(quarter, len(self.snapshots) - 1)]

    def skill_lines(self, upto: int) -> tuple[list[float | None], dict[str, list[float | None]]]:
        """The veterans' mean skill per quarter, and one skill line per person hired during the run
        (None before they joined and after they left), quarters 0..upto."""
        veterans: list[float | None] = []
        people: dict[str, list[float | None]] = {}
        for snap in self.snapshots[: upto + 1]:
            skills = [s.skill for s in snap.sellers if s.veteran]
            veterans.append(float(np.mean(skills)) if skills else None)
            for s in snap.sellers:
                if s.hired > 0:
                    people.setdefault(s.name, [None] * snap.quarter)
            for name, line in people.items():
                here = next((s.skill for s in snap.sellers if s.name == name), None)
                line.append(here)
        return veterans, people


# The model logs its events as English sentences (``simulation.events.Event``: quarter, kind,
# text). The page relies on the ``kind`` for everything it counts; the few details it shows
# beyond the kind (whether a churn followed a handoff, how many clients left with a seller, a
# name, a share) are read from ``event.data`` when the model gives it, else from the text by
# these patterns. A text of another shape is shown as it is and counted by its kind only (never
# guessed); tests/test_dashboard_story.py fails when the model's wording leaves these patterns.
PATTERNS = {
    "churn": re.compile(r"golden-fund client C(?P<client>\d+) churned(?P<handoff> after a handoff)?$"),
    "quit": re.compile(
        r"(?P<who>[a-z ]+) (?P<name>\S+) quit after (?P<lost>\d+) lost and (?P<won>\d+) won "
        r"pursuits \(skill (?P<skill>[\d.]+), motivation (?P<motivation>[\d.]+)\)$"
    ),
    "hire": re.compile(r"(?P<name>\S+) hired as (?P<role>[a-z ]+) \(skill (?P<skill>[\d.]+)\)$"),
    "promotion": re.compile(r"(?P<name>\S+) promoted to hunter \(skill (?P<skill>[\d.]+)\)$"),
    "follow": re.compile(r"(?P<count>\d+) clients? left with their seller$"),
    "servicing": re.compile(r"veteran (?P<name>\S+) now spends (?P<share>\d+)% of time on invoicing$"),
    "switch": re.compile(r"the department switches to (?P<policy>[a-z ]+)$"),
}
KINDS = tuple(PATTERNS)  # the kinds the page knows; any other is listed under its own name


def event_fields(kind: str, text: str, data: dict | None = None) -> dict[str, str] | None:
    """The parts of one of the model's events: its structured ``data`` if the model gives it, else
    what the text says, or None for a text of another shape."""
    if data:
        fields = {key: "" if value is None or value is False else str(value) for key, value in data.items()}
        if "seller" in fields:
            fields.setdefault("name", fields["seller"])
        if kind == "servicing" and "share" in data:
            fields["share"] = str(round(100 * float(data["share"])))  # a percentage, as the text gives it
        return fields
    pattern = PATTERNS.get(kind)
    match = pattern.match(text) if pattern else None
    return match.groupdict() if match else None


def fields_of(event) -> dict[str, str] | None:
    """``event_fields`` of an ``Event`` (reading its ``data`` if it has any)."""
    return event_fields(event.kind, event.text, getattr(event, "data", None))


def after_handoff(event) -> bool | None:
    """Whether a churn event followed a handoff; None if the event does not say."""
    fields = fields_of(event)
    return None if fields is None else bool(fields.get("handoff"))


def follower_count(event) -> int | None:
    """How many clients left with a departing seller in a "follow" event; None if it does not say."""
    fields = fields_of(event)
    count = fields.get("count") if fields else None
    return int(count) if count and count.isdigit() else None


@dataclass(frozen=True)
class QuarterEvents:
    """One quarter's events, counted by kind."""

    quarter: int
    counts: Counter
    handoff_churns: int | None  # None when a churn event does not say whether it followed a handoff
    followers: int  # clients who left with a departing seller (from the events that say how many)
    lines: tuple[str, ...]
    unread_follows: int = 0  # "follow" events that do not say how many clients left


def events_by_quarter(events: list, upto: int) -> list[QuarterEvents]:
    """The model's events grouped per quarter (newest first), up to quarter ``upto``."""
    grouped: dict[int, list] = {}
    for event in events:
        if event.quarter <= upto:
            grouped.setdefault(event.quarter, []).append(event)
    out = []
    for quarter in sorted(grouped, reverse=True):
        items = grouped[quarter]
        counts = Counter(e.kind for e in items)
        churns = [after_handoff(e) for e in items if e.kind == "churn"]
        handoffs = None if None in churns else sum(churns)
        follows = [follower_count(e) for e in items if e.kind == "follow"]
        out.append(
            QuarterEvents(
                quarter,
                counts,
                handoffs,
                sum(n for n in follows if n is not None),
                tuple(e.text for e in items),
                sum(n is None for n in follows),
            )
        )
    return out
