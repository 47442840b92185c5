"""The policies users pick by name, and the one place a run's parameters are resolved.

A policy preset is a policy (who pursues, who serves, who receives a client, how sellers are
paid) plus the scenario settings its name promises: ``*_crm`` sets ``crm.in_use = true``,
``*_head_strategic`` and ``*_dedicated_strategic`` set ``strategic.deals``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, reduce
from pathlib import Path
from typing import Any

from .policies import DedicatedRoles, FinderKeeps, Policy
from .scenario import Scenario, ScenarioError, resolve_scenario, toml_text


@dataclass(frozen=True)
class PolicyPreset:
    """A named policy users can pick: a policy class and the scenario settings it implies."""

    name: str
    policy: type[Policy]
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def crm(self) -> bool:
        return bool(self.settings.get("crm.in_use", False))

    @property
    def strategic(self) -> str | None:
        return self.settings.get("strategic.deals")

    @property
    def description(self) -> str:
        extras = ["; with a CRM" if self.crm else "", f"; strategic deals: {self.strategic}" if self.strategic else ""]
        return self.policy.description + "".join(extras)


POLICIES: dict[str, PolicyPreset] = {
    preset.name: preset
    for base in (FinderKeeps, DedicatedRoles)
    for preset in (
        PolicyPreset(base.name, base),
        PolicyPreset(f"{base.name}_crm", base, {"crm.in_use": True}),
        PolicyPreset(f"{base.name}_head_strategic", base, {"strategic.deals": "head_part_time"}),
        PolicyPreset(f"{base.name}_dedicated_strategic", base, {"strategic.deals": "dedicated_seller"}),
    )
}
MAIN_POLICIES = ("finder_keeps", "finder_keeps_crm", "dedicated_roles", "dedicated_roles_crm")


def resolve_policy(policy: str | PolicyPreset, key: str = "policy") -> PolicyPreset:
    """A policy preset by name, with a clear error (naming ``key``) for unknown names."""
    if isinstance(policy, PolicyPreset):
        return policy
    if policy not in POLICIES:
        close = difflib.get_close_matches(str(policy), POLICIES, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError(f"{key}: unknown policy '{policy}'; allowed: {', '.join(POLICIES)}{hint}")
    return POLICIES[policy]


def resolve_run(
    scenario: str | Path | Scenario | None, policy: str | PolicyPreset, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """The parameters one run uses, resolved in one place and in this order: the preset or
    scenario file (or ``Scenario``), the policy preset's settings, the caller's overrides.

    An override that contradicts the policy's settings (``crm.in_use = false`` with a ``*_crm``
    policy) is an error rather than a silent change of policy.
    """
    preset = resolve_policy(policy)
    overrides = dict(overrides or {})
    for key, value in overrides.items():
        if key in preset.settings and value != preset.settings[key]:
            raise ScenarioError(
                f"{key} = {toml_text(value)} contradicts policy '{preset.name}', which sets {key} = "
                f"{toml_text(preset.settings[key])}; allowed: {toml_text(preset.settings[key])}, or a policy without "
                "that setting "
                f"(e.g. '{preset.policy.name}')"
            )
    params = resolve_scenario(resolve_scenario(scenario, dict(preset.settings)), overrides)
    resolve_policy(params.department.current_policy, "department.current_policy")
    return params


def before_switch(params: Scenario, preset: PolicyPreset) -> tuple[PolicyPreset, Scenario]:
    """The department's current policy and the parameters in force before ``preset`` takes over:
    ``params`` (resolved for ``preset``) with ``preset``'s settings replaced by the current
    policy's (a setting neither names keeps its value; one only ``preset`` names takes its default)."""
    current = resolve_policy(params.department.current_policy)
    defaults = _defaults()
    keys = set(preset.settings) | set(current.settings)
    changes = {
        key: current.settings[key] if key in current.settings else reduce(getattr, key.split("."), defaults)
        for key in keys
    }
    return current, resolve_scenario(params, changes) if changes else params


@cache
def _defaults() -> Scenario:
    return Scenario()


def unused_keys(scenario: Scenario, preset: PolicyPreset) -> dict[str, str]:
    """Keys that cannot change a run of ``preset`` on the resolved ``scenario``, each with why."""
    unused: dict[str, str] = {}
    if not scenario.crm.in_use:
        why = f"policy '{preset.name}' works without a CRM (crm.in_use = false)"
        unused |= {f"crm.{key}": why for key in type(scenario.crm).model_fields if key != "in_use"}
    if scenario.strategic.deals != "dedicated_seller":
        why = f"strategic.deals = '{scenario.strategic.deals}' (no dedicated strategic seller)"
        unused |= {"strategic.seller_skill": why, "strategic.seller_salary": why}
    why = f"policy '{preset.name}' does not read it"
    return unused | {key: why for key in preset.policy.unused_keys}


def check_overrides(
    scenario: str | Path | Scenario | None, policies: Iterable[str | PolicyPreset], overrides: Mapping[str, Any]
) -> None:
    """Refuse overrides that change none of the runs: a key every policy ignores (``crm.adoption``
    when no policy uses a CRM) would otherwise do nothing, silently."""
    presets = [resolve_policy(p) for p in policies]
    idle = [unused_keys(resolve_run(scenario, preset, overrides), preset) for preset in presets]
    for key in overrides:
        if presets and all(key in keys for keys in idle):
            names = ", ".join(p.name for p in presets)
            raise ScenarioError(
                f"{key} = {toml_text(overrides[key])} changes no run: {idle[0][key]}"
                + (f" (policies: {names})" if len(presets) > 1 else "")
                + "; allowed: drop it, or add a policy that uses it"
                + (" (a *_crm policy, or crm.in_use = true)" if key.startswith("crm.") else "")
            )
