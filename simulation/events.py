"""The plain-language event log a trainer reads (``model.events``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Event:
    """What happened (``kind``: quit, churn, follow, hire, promotion, servicing, switch), told in
    ``text`` and given as ``data`` (seller and client names, counts, skills) for pages that
    summarise or translate the log."""

    quarter: int
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"Q{self.quarter}: {self.text}"
