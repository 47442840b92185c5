"""One colour per policy, the same on the page and in the reports (``experiments.palette``), and
the page's own colours for clients and events."""

from __future__ import annotations

from experiments.palette import FALLBACK, POLICY_COLORS, policy_color  # noqa: F401  (shared with the reports)

CLIENT_COLORS = {"transactional": "#b8c2cc", "consultative": "#f2a900", "strategic": "#6a3d9a"}
EVENT_COLORS = {
    "quit": "#c62828",
    "churn": "#b45309",
    "hire": "#2e7d32",
    "promotion": "#1565c0",
    "follow": "#7c2d12",
    "servicing": "#6b7280",
    "switch": "#111827",
}


def side_colors(left: str, right: str) -> tuple[str, str]:
    """The two departments' colours: their policies' own, unless both run the same policy."""
    return policy_color(left), FALLBACK if left == right else policy_color(right)
