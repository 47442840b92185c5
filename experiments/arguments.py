"""Checks of the arguments every experiment takes; each failure is an ``ArgumentError`` naming the parameter.

The scenario's own checks (keys, types, bounds) stay in ``simulation``: its ``ScenarioError`` is
re-raised here under the parameter the bad key came from (``scenario``, ``overrides``, ``vary``...).
"""

from __future__ import annotations

import difflib
import os
import secrets
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from simulation import MAIN_POLICIES, POLICIES, Scenario, ScenarioError, resolve_run, resolve_scenario

from .errors import ArgumentError

DEFAULT_SCENARIO = "mature_department"
MAX_SEED = 2**63 - 1


def whole_number(parameter: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) within bounds."""
    allowed = f"a whole number >= {minimum}" if maximum is None else f"a whole number from {minimum} to 2**63-1"
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        raise ArgumentError(parameter, f"{value!r} is not allowed; allowed: {allowed}")
    return value


def root_seed(seed: object) -> int:
    """The root seed: a whole number from 0 to 2**63-1; None draws a fresh one."""
    if seed is None:
        return secrets.randbits(63)
    return whole_number("seed", seed, 0, MAX_SEED)


def worker_count(workers: object, tasks: int) -> int:
    """``workers`` (None: all cores), never more than there are tasks."""
    wanted = (os.cpu_count() or 1) if workers is None else whole_number("workers", workers)
    return max(1, min(wanted, tasks))


def policy_names(policies: str | Sequence[str] | None, parameter: str = "policies") -> tuple[str, ...]:
    """Known policy names, each once; a string is one name or a comma-separated list; None: the main four."""
    if policies is None:
        names = list(MAIN_POLICIES)
    elif isinstance(policies, str):
        names = [p.strip() for p in policies.split(",")]
    elif isinstance(policies, Sequence | set | frozenset):
        names = list(policies)
    else:
        raise ArgumentError(
            parameter, f"{policies!r} is not allowed; allowed: a policy name, 'a,b,...' or a list of names"
        )
    if not names or names == [""]:
        raise ArgumentError(parameter, f"no policy given; allowed: one or more of {', '.join(POLICIES)}")
    if "" in names:
        raise ArgumentError(
            parameter, f"{policies!r} holds an empty name; allowed: policy names separated by single commas"
        )
    for name in names:
        if not isinstance(name, str) or name not in POLICIES:
            close = difflib.get_close_matches(str(name), POLICIES, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ArgumentError(parameter, f"unknown policy '{name}'; allowed: {', '.join(POLICIES)}{hint}")
    if len(set(names)) < len(names):
        raise ArgumentError(parameter, f"{','.join(names)} names a policy twice; allowed: each policy once")
    return tuple(names)


def is_scenario_file(scenario: object) -> bool:
    """Whether ``resolve_scenario`` reads ``scenario`` as a file (a path; text ending in .toml or with a separator)."""
    text = str(scenario)
    return isinstance(scenario, Path) or (
        isinstance(scenario, str) and (text.lower().endswith(".toml") or "/" in text or "\\" in text)
    )


def check_scenario_file(path: Path) -> None:
    """A scenario file that is a folder, not text, or empty is refused (an empty one would silently run the
    default department)."""
    allowed = "allowed: a TOML scenario file (e.g. from 'salessim show mature_department > my.toml') or a preset name"
    if path.is_dir():
        raise ArgumentError("scenario", f"'{path}' is a folder; {allowed}")
    if not path.is_file():
        return  # the model says it is missing
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArgumentError(
            "scenario", f"'{path}' is not a text file (byte {error.start} is not UTF-8); {allowed}"
        ) from None
    if "\x00" in text:
        raise ArgumentError("scenario", f"'{path}' is not a text file (it holds NUL bytes); {allowed}")
    try:
        empty = not tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the model says where the TOML is malformed
    if empty:
        raise ArgumentError("scenario", f"'{path}' sets nothing (an empty file); {allowed}")


def base_scenario(scenario: str | Path | Scenario | None) -> Scenario:
    """The scenario as given (a preset name, a TOML file or a ``Scenario``), before any override."""
    if scenario is not None and not isinstance(scenario, str | Path | Scenario):
        raise ArgumentError(
            "scenario", f"{scenario!r} is not allowed; allowed: a preset name, a TOML file path or a Scenario"
        )
    try:
        if is_scenario_file(scenario):
            check_scenario_file(Path(str(scenario)))
        return resolve_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    except ScenarioError as error:
        raise ArgumentError("scenario", str(error)) from None
    except OSError as error:
        raise ArgumentError(
            "scenario", f"cannot read '{scenario}' ({error.strerror}); allowed: a readable TOML file or a preset name"
        ) from None


def override_map(overrides: Mapping[str, Any] | None, quarters: object) -> dict[str, Any]:
    """The caller's overrides with ``quarters`` among them (None: the scenario's)."""
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ArgumentError(
            "overrides",
            f"{overrides!r} is not allowed; allowed: a mapping of dotted keys to values, e.g. {{'crm.adoption': 0.5}}",
        )
    changes = dict(overrides or {})
    for key in changes:
        if not isinstance(key, str):
            raise ArgumentError("overrides", f"key {key!r} is not allowed; allowed: dotted keys such as 'crm.adoption'")
    if quarters is not None:
        whole_number("quarters", quarters)
        try:
            resolve_scenario(Scenario(), {"quarters": quarters})
        except ScenarioError as error:
            raise ArgumentError("quarters", str(error)) from None
        if "quarters" in changes:
            raise ArgumentError(
                "quarters",
                f"{quarters} is also set in {{overrides}} (quarters = "
                f"{changes['quarters']!r}); allowed: one of the two",
            )
        changes["quarters"] = quarters
    return changes


def shared_scenario(base: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """The scenario every policy starts from: ``base`` with the overrides, no policy's settings."""
    try:
        return resolve_scenario(base, dict(changes))
    except ScenarioError as error:
        raise ArgumentError("overrides", str(error)) from None


def owner(error: ScenarioError, keys_by_parameter: Mapping[str, Iterable[str]], default: str) -> str:
    """The parameter whose key a scenario error is about (its message starts with, or quotes, the key)."""
    text = str(error)
    for parameter, keys in keys_by_parameter.items():
        for key in keys:
            if text.startswith((f"{key} = ", f"{key}: ", f"unknown key '{key}'")):
                return parameter
    return default


def resolved(
    base: Scenario,
    policy: str,
    changes: Mapping[str, Any],
    sources: Mapping[str, Iterable[str]],
    default: str = "overrides",
) -> Scenario:
    """``resolve_run`` whose errors name the parameter the offending key came from."""
    try:
        return resolve_run(base, policy, changes)
    except ScenarioError as error:
        raise ArgumentError(owner(error, sources, default), str(error)) from None


def fixed_twice(parameter: str, keys: Iterable[str], changes: Mapping[str, Any], quarters: object) -> None:
    """A key both varied (``vary``, ``params``) and fixed (``overrides``, ``quarters``) is refused."""
    for key in keys:
        if key in changes:
            where = "{quarters}" if key == "quarters" and quarters is not None else "{overrides}"
            raise ArgumentError(
                parameter, f"key '{key}' is also fixed by {where}; allowed: vary it or fix it, not both"
            )


def switch_quarter(switch_at: object, design_scenarios: Mapping[Any, Scenario], baseline: str) -> int:
    """``switch_at``: a whole number from 0 to the horizon's last quarter but one (a switch after the
    last quarter would switch nothing); above 0 the first policy must be the
    department's current policy, which every policy runs up to the switch (so the baseline runs
    as itself throughout and the others run as the baseline until the switch)."""
    if isinstance(switch_at, bool) or not isinstance(switch_at, int) or switch_at < 0:
        raise ArgumentError("switch_at", f"{switch_at!r} is not allowed; allowed: a whole number >= 0 (a quarter)")
    if not switch_at:
        return 0
    horizon = min(scenario.quarters for scenario in design_scenarios.values())
    if switch_at >= horizon:
        raise ArgumentError(
            "switch_at",
            f"{switch_at} is not allowed; allowed: a quarter from 0 to {horizon - 1} (a switch after the last of "
            f"the {horizon} quarters would switch nothing)",
        )
    currents = {scenario.department.current_policy for scenario in design_scenarios.values()}
    if currents != {baseline}:
        current = ", ".join(sorted(currents))
        raise ArgumentError(
            "switch_at",
            f"{switch_at} needs the first policy to be the department's current policy ('{current}'), which every "
            f"policy runs until the switch, but it is '{baseline}'; allowed: put {current} first, or set "
            f'department.current_policy = "{baseline}"',
        )
    return switch_at
