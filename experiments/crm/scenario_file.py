"""The scenario file the import writes, and the observed KPIs beside it that the calibration reads.

``SCENARIO.toml`` is a scenario on a ``base`` preset; every derived line carries a comment naming
the data it came from. ``SCENARIO.observed.toml`` holds the measured KPIs and the department's
policy (a scenario file may hold parameters only).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from simulation import parameter_keys
from simulation.scenario import toml_text

from .errors import CalibrationError
from .kpis import KPIS, Kpi

QUIT_RATE = next(k for k in ("motivation.quit_rate_late", "motivation.base_quit_rate") if k in parameter_keys())
CALIBRATED = ("selling.win_chance_max", "churn.base_rate", QUIT_RATE, "clients.need_rate_consultative")


def observed_path(scenario: Path) -> Path:
    """Where the observed KPIs of a scenario file live: ``name.observed.toml`` beside it."""
    return scenario.with_name(f"{scenario.stem}.observed.toml")


def scenario_text(base: str, keys: dict[str, tuple[Any, str]], header: list[str]) -> str:
    """A scenario file: header comments, ``base``, then one table per group, one commented line per key."""
    lines = [f"# {line}" if line else "#" for line in header] + ["", f"base = {toml_text(base)}"]
    groups: dict[str, list[tuple[str, Any, str]]] = {}
    for key, (value, comment) in keys.items():
        group, leaf = key.split(".", 1)
        groups.setdefault(group, []).append((leaf, value, comment))
    for group, items in groups.items():
        lines += ["", f"[{group}]"]
        lines += [
            f"{leaf} = {toml_text(value)}" + (f"  # {comment}" if comment else "") for leaf, value, comment in items
        ]
    return "\n".join(lines) + "\n"


def observed_text(scenario: Path, policy: str, quarters: int, kpis: dict[str, Kpi], header: list[str]) -> str:
    """The observed KPIs as TOML: value, standard error, count and source of each."""
    lines = [f"# {line}" for line in header]
    lines += [
        f"scenario = {toml_text(scenario.name)}",
        f"policy = {toml_text(policy)}",
        f"quarters = {quarters}  # complete quarters of history the KPIs were measured over",
    ]
    for name, kpi in kpis.items():
        lines += [
            "",
            f"[kpi.{name}]  # {KPIS[name]}",
            f"value = {toml_text(float(kpi.value))}",
            f"se = {toml_text(float(kpi.se))}",
            f"n = {kpi.n}",
            f"source = {toml_text(kpi.source)}",
        ]
    return "\n".join(lines) + "\n"


def read_observed(path: Path) -> tuple[str, int, dict[str, Kpi]]:
    """The policy, history length and KPIs of an observed-KPI file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalibrationError(
            f"{path}: no observed KPIs (written by salessim import-crm beside the scenario); "
            "allowed: import the export first, or pass --observed FILE"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise CalibrationError(f"{path}: malformed TOML ({error})") from None
    kpis = {}
    for name, entry in data.get("kpi", {}).items():
        if name not in KPIS:
            raise CalibrationError(f"{path}: unknown KPI '{name}'; allowed: {', '.join(KPIS)}")
        try:
            kpis[name] = Kpi(
                float(entry["value"]), float(entry["se"]), int(entry.get("n", 0)), str(entry.get("source", ""))
            )
        except (KeyError, TypeError, ValueError):
            raise CalibrationError(f"{path}: [kpi.{name}] needs value and se (numbers)") from None
    if not kpis:
        raise CalibrationError(f"{path}: no [kpi.*] table; allowed: the file salessim import-crm writes")
    return str(data.get("policy", "finder_keeps")), int(data.get("quarters", 8)), kpis


def set_keys(text: str, values: dict[str, tuple[Any, str]]) -> str:
    """A scenario file's text with some keys set: the key's line replaced in its table, or added to it
    (or to a new table at the end). Other lines and comments stay as they are."""
    lines = text.splitlines()
    for key, (value, comment) in values.items():
        group, leaf = key.split(".", 1)
        new = f"{leaf} = {toml_text(value)}" + (f"  # {comment}" if comment else "")
        lines = _set_line(lines, group, leaf, new)
    return "\n".join(lines) + "\n"


def _set_line(lines: list[str], group: str, leaf: str, new: str) -> list[str]:
    table, start = None, None
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            if table == group:
                return _insert(lines, k, new)
            table = stripped.split("]")[0].strip("[ ")
            start = k if table == group else start
            continue
        if table == group and stripped.split("=")[0].strip() == leaf:
            return [*lines[:k], new, *lines[k + 1 :]]
    if table == group and start is not None:
        return _insert(lines, len(lines), new)
    return [*lines, "", f"[{group}]", new]


def _insert(lines: list[str], at: int, new: str) -> list[str]:
    while at > 0 and not lines[at - 1].strip():
        at -= 1
    return [*lines[:at], new, *lines[at:]]
