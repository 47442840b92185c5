"""``import-crm``: a CRM export and its mapping in, a scenario of this department and a report out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation import load_scenario
from simulation.scenario import toml_text

from .derive import Derived, derive
from .errors import CrmError
from .mapping import load_mapping
from .privacy import Names
from .records import Records, read_records
from .report import write_report
from .scenario_file import CALIBRATED, observed_path, observed_text, scenario_text


@dataclass
class ImportResult:
    """What an import wrote and found."""

    scenario: Path
    observed: Path
    report: Path
    records: Records
    derived: Derived
    seconds: float


def default_report_dir(out: Path) -> Path:
    return out.with_name(f"{out.stem}_report")


def header(records: Records, derived: Derived, mapping_path: Path) -> list[str]:
    files = ", ".join(records.files.values())
    return [
        f"This department, built by salessim import-crm from {mapping_path.name} ({files}).",
        derived.window.note + ".",
        "Each derived line names the data it came from; everything else comes from the base preset.",
        "Not measurable from an export, fitted by salessim calibrate: " + ", ".join(CALIBRATED) + ".",
        "The model starts from the roster at the end of this file: each seller on staff and its active clients",
        "(sizes and types from the export; complexity, loyalty and motivation are drawn).",
    ]


def roster_text(derived: Derived, names: Names) -> str:
    """The sellers on staff and their active clients as ``[[department.roster]]`` tables. Clients of
    sellers no longer on staff go, one by one, to the smallest book (as a head hands out a leaver's)."""
    team, accounts = derived.roster, derived.accounts
    staff = team[team["on_staff"]]
    active = accounts[accounts["active"] & (accounts["size"] > 0)]
    books: dict[str, list[dict[str, Any]]] = {seller: [] for seller in staff.index}
    for account in active.sort_values("size", ascending=False).to_dict("records"):
        owner = str(account["owner"])
        if owner not in books:
            owner = min(books, key=lambda seller: (len(books[seller]), seller))
        books[owner].append({"size": round(float(account["size"]), 3), "consultative": bool(account["consultative"])})
    lines = ["", f"# The department on {derived.window.as_of:%Y-%m-%d}: sellers on staff and their active clients."]
    for seller in staff.index:
        lines += ["", "[[department.roster]]", f"name = {toml_text(names.seller(str(seller)))}"]
        lines += [f"tenure = {int(staff.loc[seller, 'tenure'])}", f"clients = {toml_text(books[seller])}"]
    return "\n".join(lines) + "\n"


def import_crm(
    mapping: str | Path, out: str | Path, report: str | Path | None = None, keep_names: bool = False
) -> ImportResult:
    """Read the export a mapping names, derive the department, write the scenario, its KPIs and the report."""
    started = time.perf_counter()
    out = Path(out)
    if out.suffix != ".toml":
        raise CrmError(f"--out {out}: a scenario file must end in .toml; allowed: e.g. --out my_department.toml")
    loaded = load_mapping(mapping)
    records = read_records(loaded)
    derived = derive(records, loaded)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = header(records, derived, loaded.path)
    text = scenario_text(loaded.scenario_base, derived.overrides, lines)
    out.write_text(text + roster_text(derived, Names(keep_names)), encoding="utf-8")
    load_scenario(out)  # the file must load as it is written
    observed = observed_path(out)
    observed.write_text(
        observed_text(out, loaded.policy, derived.window.quarters, derived.kpis, lines[:2]), encoding="utf-8"
    )
    report_dir = Path(report) if report else default_report_dir(out)
    seconds = time.perf_counter() - started
    write_report(report_dir, records, derived, Names(keep_names), out, seconds)
    return ImportResult(out, observed, report_dir, records, derived, time.perf_counter() - started)
