"""One colour per policy, the same on the page and in the reports.

``experiments/figures.py`` colours policies by matplotlib's default cycle in the order they are
given, and the default order is ``simulation.MAIN_POLICIES``; these are those colours, fixed per
policy (so a policy keeps its colour whichever others it is compared with). They are saturated
tab10 colours that stay distinct on a washed-out projector and for the common colour-vision
deficiencies when paired with line styles. Plain data, no imports: any module can use it.
"""

from __future__ import annotations

POLICY_COLORS = {
    "finder_keeps": "#1f77b4",  # tab:blue
    "finder_keeps_crm": "#ff7f0e",  # tab:orange
    "dedicated_roles": "#2ca02c",  # tab:green
    "dedicated_roles_crm": "#d62728",  # tab:red
    "finder_keeps_head_strategic": "#9467bd",  # tab:purple
    "finder_keeps_dedicated_strategic": "#8c564b",  # tab:brown
    "dedicated_roles_head_strategic": "#e377c2",  # tab:pink
    "dedicated_roles_dedicated_strategic": "#17becf",  # tab:cyan
}
FALLBACK = "#7f7f7f"  # tab:grey: a policy not listed, or the right side when both sides run the same policy
CLIENT_COLORS = {"transactional": "#b8c2cc", "consultative": "#f2a900", "strategic": "#6a3d9a"}
EVENT_COLORS = {"quit": "#c62828", "churn": "#b45309", "hire": "#2e7d32", "promotion": "#1565c0", "follow": "#7c2d12",
                "servicing": "#6b7280", "switch": "#111827"}


def policy_color(policy: str) -> str:
    return POLICY_COLORS.get(policy, FALLBACK)


def side_colors(left: str, right: str) -> tuple[str, str]:
    """The two departments' colours: their policies' own, unless both run the same policy."""
    return policy_color(left), FALLBACK if left == right else policy_color(right)
