"""``import-crm``: a CRM export and its mapping in, a scenario of this department and a report out."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation import load_scenario
from simulation.scenario import toml_text

from ..results import atomic_write, check_writable, json_text
from .derive import Derived, derive
from .errors import CrmError
from .mapping import load_mapping
from .privacy import Names
from .records import Records, read_records
from .report import REPORT_TITLE, write_report
from .scenario_file import CALIBRATED, observed_path, observed_text, scenario_text

SUBCOMMAND = "import-crm"
MANIFEST = "manifest.json"  # in the report folder: says import-crm wrote it, so --force may replace it
BUILT_BY = "This department, built by salessim import-crm from "  # the first line of the files it writes


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
        f"{BUILT_BY}{mapping_path.name} ({files}).",
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


def written_by_import(path: Path) -> bool:
    """Whether a scenario or KPI file was written by import-crm: its first line says so."""
    try:
        with path.open(encoding="utf-8") as file:
            first = file.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return first.startswith(f"# {BUILT_BY}")


def report_of_import(folder: Path) -> bool:
    """Whether a folder is an import report: its manifest says import-crm wrote it (or, written before
    reports had one, its report.md is an import report and there is no manifest of another command)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return False
        return isinstance(data, dict) and data.get("subcommand") == SUBCOMMAND
    try:
        with (folder / "report.md").open(encoding="utf-8") as file:
            return file.readline().strip() == f"# {REPORT_TITLE}"
    except (OSError, UnicodeDecodeError):
        return False


def check_outputs(out: Path, observed: Path, report: Path, force: bool) -> None:
    """Refuse to replace anything (before the export is read), but with ``force`` what import-crm wrote."""
    for path, what in ((out, "--out"), (observed, "the observed KPIs beside --out")):
        if path.is_dir():
            raise CrmError(f"{what}: {path} is a folder; allowed: a scenario file path ending in .toml")
        if not path.exists():
            continue
        if not force:
            raise CrmError(
                f"{what}: {path} already exists; allowed: a new --out path, or --force to replace the files an "
                "earlier import-crm wrote"
            )
        if not written_by_import(path):
            raise CrmError(
                f"--force: {path} was not written by import-crm (its first line is not import-crm's); refusing to "
                "replace it; allowed: a new --out path"
            )
    if report.absolute() in out.absolute().parents:
        raise CrmError(f"--report {report} holds --out {out}; allowed: a report folder apart from the scenario file")
    if report.exists() and not report.is_dir():
        raise CrmError(f"--report: {report} is a file; allowed: a folder path for the import report")
    if report.is_dir() and any(report.iterdir()):
        if not force:
            raise CrmError(
                f"--report: {report} already exists; allowed: a new folder (--report DIR), or --force to replace "
                "an earlier import report"
            )
        if not report_of_import(report):
            raise CrmError(
                f"--force: {report} is not an import report (no manifest.json of import-crm); refusing to replace "
                "it; allowed: a new --report folder"
            )
    check_writable(out, "out", "a scenario file")
    check_writable(report, "report", "a report folder")


def import_crm(
    mapping: str | Path,
    out: str | Path,
    report: str | Path | None = None,
    keep_names: bool = False,
    force: bool = False,
    command: Sequence[str] | None = None,
) -> ImportResult:
    """Read the export a mapping names, derive the department, write the scenario, its KPIs and the report.

    An existing scenario, KPI file or report folder is refused; ``force`` replaces them only if an
    earlier import-crm wrote them (never another command's results or a file of the user's)."""
    started = time.perf_counter()
    out = Path(out)
    if out.suffix != ".toml":
        raise CrmError(f"--out {out}: a scenario file must end in .toml; allowed: e.g. --out my_department.toml")
    observed = observed_path(out)
    report_dir = Path(report) if report else default_report_dir(out)
    check_outputs(out, observed, report_dir, force)
    loaded = load_mapping(mapping)
    records = read_records(loaded)
    derived = derive(records, loaded)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = header(records, derived, loaded.path)
    text = scenario_text(loaded.scenario_base, derived.overrides, lines)
    out.write_text(text + roster_text(derived, Names(keep_names)), encoding="utf-8")
    load_scenario(out)  # the file must load as it is written
    observed.write_text(
        observed_text(out, loaded.policy, derived.window.quarters, derived.kpis, lines[:2]), encoding="utf-8"
    )
    if report_dir.is_dir():
        shutil.rmtree(report_dir)  # an earlier import report (checked above)
    manifest = {
        "subcommand": SUBCOMMAND,
        "command": list(command or []),
        "mapping": str(loaded.path),
        "scenario": str(out),
        "observed": str(observed),
        "keep_names": keep_names,
    }
    atomic_write(report_dir / MANIFEST, json_text(manifest).encode("utf-8"))  # first: a stop leaves it marked
    seconds = time.perf_counter() - started
    write_report(report_dir, records, derived, Names(keep_names), out, seconds)
    return ImportResult(out, observed, report_dir, records, derived, time.perf_counter() - started)
