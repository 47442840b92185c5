"""The plain-language event log a trainer reads (``model.events``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Event:
    quarter: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"Q{self.quarter}: {self.text}"
