"""One colour per policy, the same in the reports, the notebooks and the dashboard.

Colours are keyed by policy name, so a policy keeps its colour whichever others it is compared
with: saturated tab10 colours that stay distinct on a washed-out projector and for the common
colour-vision deficiencies when paired with line styles. A policy not listed gets ``FALLBACK``.
Plain data, no imports: any module can use it (``dashboard.palette`` re-exports it).
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
FALLBACK = "#7f7f7f"  # tab:grey: a policy not listed
EXTRA = ("#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")  # for several unlisted policies


def policy_color(policy: str) -> str:
    """The policy's colour, or ``FALLBACK`` for a policy not listed."""
    return POLICY_COLORS.get(policy, FALLBACK)


def policy_colors(policies: list[str]) -> dict[str, str]:
    """Each policy's colour; unlisted policies get distinct extra colours (then ``FALLBACK``)."""
    extra = iter(EXTRA)
    return {policy: POLICY_COLORS.get(policy) or next(extra, FALLBACK) for policy in policies}
