"""The export's records, cleaned: deals, sellers and accounts as typed tables.

A value that cannot be read stops the import with its file, row, column and what is allowed. A
record that can be read but not used (no owner, a won deal without a close date...) is set aside
and counted by reason, never dropped silently.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, MappingError
from .mapping import COLUMN_KEYS, Mapping
from .reading import Table, date_order, parse_amounts, parse_dates, read_table, text


@dataclass
class SetAside:
    """Records that could not be used, by file and reason, with their rows."""

    rows: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, file: str, reason: str, rows: np.ndarray) -> None:
        if len(rows):
            self.rows[(file, reason)].extend(int(r) for r in rows)

    def total(self, file: str) -> int:
        return sum(len(rows) for (f, _), rows in self.rows.items() if f == file)

    def table(self) -> list[tuple[str, str, int, str]]:
        """(file, reason, count, first rows) for the report."""
        out = []
        for (file, reason), rows in sorted(self.rows.items()):
            first = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
            out.append((file, reason, len(rows), first))
        return out


@dataclass
class Records:
    """The cleaned export: one row per usable deal, seller and account."""

    deals: pd.DataFrame
    sellers: pd.DataFrame | None
    accounts: pd.DataFrame | None
    set_aside: SetAside
    notes: list[str]
    warnings: list[str]
    files: dict[str, str]
    consultative_rule: str | None


def _shown(mapping: Mapping, name: str) -> str:
    path = mapping.file(name)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _open(mapping: Mapping, name: str) -> Table:
    table = read_table(mapping.file(name), _shown(mapping, name), mapping.tables[name])
    for key in COLUMN_KEYS[name]:
        if key in mapping.tables[name]:
            table.column(name, key, mapping.tables[name][key])
    return table


def _keep(table: Table, frame: pd.DataFrame, unusable: pd.Series, reason: str, aside: SetAside) -> pd.DataFrame:
    """Rows of ``frame`` without ``unusable``, the others set aside under ``reason``."""
    aside.add(table.file, reason, frame.loc[unusable, "row"].to_numpy())
    return frame.loc[~unusable]


def _stage_outcomes(table: Table, stage: pd.Series, won: list[str], lost: list[str], warnings: list[str]) -> pd.Series:
    """'won', 'lost' or 'open' per deal; stage values compared without case."""
    present = set(stage[stage != ""].unique())
    folded = {s.casefold(): s for s in present}
    for kind, values in (("won", won), ("lost", lost)):
        missing = [v for v in values if v.casefold() not in folded]
        if kind == "won" and len(missing) == len(values):
            close = difflib.get_close_matches(values[0], sorted(present), n=1, cutoff=0.4)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise MappingError(
                f"{table.file}: no deal has a won stage {values!r}{hint}; stages in the file: "
                f"{', '.join(repr(s) for s in sorted(present)[:20])}"
            )
        for value in missing:
            warnings.append(f"{table.file}: no deal has the {kind} stage {value!r} named in the mapping.")
    key = stage.str.casefold()
    outcome = pd.Series("open", index=stage.index)
    outcome[key.isin([v.casefold() for v in lost])] = "lost"
    outcome[key.isin([v.casefold() for v in won])] = "won"
    return outcome


def _consultative(
    mapping: Mapping, frame: pd.DataFrame, table: Table, accounts: pd.DataFrame | None
) -> tuple[pd.Series, str | None]:
    """Which deals are consultative work, by the mapping's one rule, and the rule in words."""
    rule = mapping.tables.get("consultative", {})
    if "products" in rule:
        products = {p.casefold() for p in rule["products"]}
        return frame["product"].str.casefold().isin(products), f"deals of the products {', '.join(rule['products'])}"
    if "amount_at_least" in rule:
        limit = rule["amount_at_least"]
        return frame["amount_raw"] >= limit, f"deals of at least {limit:g} (export's currency)"
    if "cycle_days_at_least" in rule:
        days = rule["cycle_days_at_least"]
        cycle = (frame["closed"] - frame["created"]).dt.days
        return cycle >= days, f"deals open for at least {days:g} days"
    if "column" in rule:
        values = {v.casefold() for v in rule["values"]}
        column = rule["column"]
        if column in table.frame.columns:
            flags = text(table.frame[column]).loc[frame.index].str.casefold().isin(values)
            return flags, f"deals whose '{column}' is one of {', '.join(rule['values'])}"
        if accounts is not None and column in accounts.columns:
            chosen = set(accounts.loc[accounts[column].str.casefold().isin(values), "name"])
            return frame["account"].isin(chosen), f"accounts whose '{column}' is one of {', '.join(rule['values'])}"
        raise MappingError(
            f"{table.file}: [consultative] column = {column!r} is in neither the deals nor the accounts file"
        )
    return pd.Series(False, index=frame.index), None


def read_deals(
    mapping: Mapping, aside: SetAside, notes: list[str], warnings: list[str], accounts: pd.DataFrame | None
) -> tuple[pd.DataFrame, str | None]:
    """The usable deals: owner, account, outcome, dates, amount (model units), product, type, consultative."""
    spec = mapping.tables["deals"]
    table = _open(mapping, "deals")
    notes += [f"{table.file}: {n}" for n in table.notes]
    col = {key: text(table.frame[spec[key]]) for key in COLUMN_KEYS["deals"] if key in spec}
    frame = pd.DataFrame({"row": table.rows}, index=table.frame.index)
    for key in ("id", "owner", "account", "product", "type"):
        frame[key] = col.get(key, "")
    frame["stage"] = col["stage"]
    empty = (table.frame.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1)
    order, how = date_order(
        table, {spec["created"]: col["created"], spec["closed"]: col["closed"]}, spec.get("date_order")
    )
    if how:
        notes.append(f"{table.file}: {how}")
    frame["created"] = parse_dates(table, spec["created"], col["created"], order)
    frame["closed"] = parse_dates(table, spec["closed"], col["closed"], order)
    amount, how = parse_amounts(table, spec["amount"], col["amount"], spec.get("decimal"))
    notes.append(f"{table.file}: {how}")
    negative = amount < 0
    if negative.any():
        raise DataError(
            table.file,
            table.row_of(negative),
            spec["amount"],
            col["amount"][negative].iloc[0],
            "an amount of 0 or more (refunds are not deals)",
        )
    frame["amount_raw"] = amount
    frame["amount"] = amount / float(mapping.derive("amount_per_k"))
    frame["outcome"] = _stage_outcomes(table, frame["stage"], spec["won"], spec.get("lost", []), warnings)
    frame = _keep(table, frame, empty, "empty row", aside)
    frame = _set_aside_unusable(table, frame, aside, mapping)
    if "type" in spec:
        frame["new_business_flag"] = frame["type"].str.casefold().isin([v.casefold() for v in spec["new_business"]])
    frame["consultative"], rule = _consultative(mapping, frame, table, accounts)
    return frame.reset_index(drop=True), rule


def _set_aside_unusable(table: Table, frame: pd.DataFrame, aside: SetAside, mapping: Mapping) -> pd.DataFrame:
    closed_outcome = frame["outcome"] != "open"
    checks = [
        (frame["owner"] == "", "no owner"),
        (frame["created"].isna(), "no created date"),
        (closed_outcome & frame["closed"].isna(), "won or lost deal without a close date"),
        ((frame["outcome"] == "won") & frame["amount"].isna(), "won deal without an amount"),
        ((frame["outcome"] == "won") & (frame["account"] == ""), "won deal without an account"),
        (frame["closed"] < frame["created"], "closed before it was created"),
    ]
    as_of = mapping.derive("as_of")
    if as_of:
        limit = pd.Timestamp(as_of)
        checks.append((frame["created"] > limit, "created after the as-of date"))
        checks.append((closed_outcome & (frame["closed"] > limit), "closed after the as-of date"))
    for unusable, reason in checks:
        frame = _keep(table, frame, unusable.loc[frame.index], reason, aside)
    if (frame["id"] != "").any():
        duplicate = frame["id"].duplicated() & (frame["id"] != "")
        frame = _keep(table, frame, duplicate, "duplicate id (the first is kept)", aside)
    return frame


def read_sellers(mapping: Mapping, aside: SetAside, notes: list[str]) -> pd.DataFrame | None:
    """The sellers file: name, hired, left, team (dates NaT where not given)."""
    spec = mapping.table("sellers")
    if spec is None:
        return None
    table = _open(mapping, "sellers")
    notes += [f"{table.file}: {n}" for n in table.notes]
    col = {key: text(table.frame[spec[key]]) for key in COLUMN_KEYS["sellers"] if key in spec}
    frame = pd.DataFrame({"row": table.rows, "name": col["name"], "team": col.get("team", "")}, index=table.frame.index)
    dates = {spec[k]: col[k] for k in ("hired", "left") if k in spec}
    order, how = date_order(table, dates, spec.get("date_order"))
    if how:
        notes.append(f"{table.file}: {how}")
    for key in ("hired", "left"):
        frame[key] = parse_dates(table, spec[key], col[key], order) if key in spec else pd.NaT
    frame = _keep(table, frame, frame["name"] == "", "no name", aside)
    frame = _keep(table, frame, frame["name"].duplicated(), "seller listed twice (the first is kept)", aside)
    frame = _keep(table, frame, frame["left"] < frame["hired"], "left before hired", aside)
    return frame.reset_index(drop=True)


def read_accounts(mapping: Mapping, aside: SetAside, notes: list[str]) -> pd.DataFrame | None:
    """The accounts file: name, owner (empty where the CRM keeps none) and every other column as text."""
    spec = mapping.table("accounts")
    if spec is None:
        return None
    table = _open(mapping, "accounts")
    notes += [f"{table.file}: {n}" for n in table.notes]
    frame = table.frame.astype(str).apply(lambda c: c.str.strip())
    frame = frame.assign(
        row=table.rows, name=frame[spec["name"]], owner=frame[spec["owner"]] if "owner" in spec else ""
    )
    frame = _keep(table, frame, frame["name"] == "", "no name", aside)
    frame = _keep(table, frame, frame["name"].duplicated(), "account listed twice (the first is kept)", aside)
    return frame.reset_index(drop=True)


def read_records(mapping: Mapping) -> Records:
    """Every file the mapping names, read, checked and cleaned."""
    aside, notes, warnings = SetAside(), list[str](), list[str]()
    sellers = read_sellers(mapping, aside, notes)
    accounts = read_accounts(mapping, aside, notes)
    deals, rule = read_deals(mapping, aside, notes, warnings, accounts)
    if deals.empty:
        raise MappingError(
            f"{_shown(mapping, 'deals')}: no usable deal (see the reasons above); allowed: an export "
            "with at least one deal that has an owner and a created date"
        )
    files: dict[str, str] = {n: _shown(mapping, n) for n in ("deals", "sellers", "accounts") if n in mapping.tables}
    return Records(deals, sellers, accounts, aside, notes, warnings, files, rule)
