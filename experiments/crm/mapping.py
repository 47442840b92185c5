"""The mapping file: which export files hold what, in which columns; ready layouts of common CRMs.

A mapping is TOML with the tables ``[deals]`` and ``[consultative]`` (required: which work is
consultative), ``[sellers]``, ``[accounts]``, ``[scenario]`` and ``[derive]``. ``base = "salesforce"`` (or ``hubspot``,
``bitrix24``, ``amocrm``) starts from a ready layout so that only file names and stage values need
saying. Paths are relative to the mapping file.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation import POLICIES, PRESETS

from .errors import MappingError

READ_OPTIONS = {"delimiter", "encoding", "decimal", "date_order", "sheet"}
TABLE_KEYS: dict[str, set[str]] = {
    "deals": {
        "file",
        "id",
        "owner",
        "account",
        "stage",
        "created",
        "closed",
        "amount",
        "won",
        "lost",
        "product",
        "type",
        "new_business",
    }
    | READ_OPTIONS,
    "sellers": {"file", "name", "hired", "left", "team"} | READ_OPTIONS,
    "accounts": {"file", "name", "owner"} | READ_OPTIONS,
    "consultative": {"products", "amount_at_least", "cycle_days_at_least", "column", "values"},
    "scenario": {"base", "policy"},
    "derive": {"as_of", "churn_after_quarters", "inactive_after_quarters", "amount_per_k"},
}
REQUIRED = {
    "deals": ("file", "owner", "account", "stage", "created", "closed", "amount", "won"),
    "sellers": ("file", "name"),
    "accounts": ("file", "name"),
}
LISTS = {"won", "lost", "new_business", "products", "values"}
NUMBERS = {"amount_at_least", "cycle_days_at_least", "amount_per_k"}
INTEGERS = {"churn_after_quarters", "inactive_after_quarters"}
COLUMN_KEYS = {
    "deals": ("id", "owner", "account", "stage", "created", "closed", "amount", "product", "type"),
    "sellers": ("name", "hired", "left", "team"),
    "accounts": ("name", "owner"),
}

# Ready layouts: the column names of each CRM's standard export (check them against yours; any
# key can be overridden in the mapping). Stage values differ between installations: say them.
LAYOUTS: dict[str, dict[str, dict[str, Any]]] = {
    "salesforce": {  # an Opportunities report exported as CSV or .xlsx
        "deals": {
            "id": "Opportunity ID",
            "owner": "Opportunity Owner",
            "account": "Account Name",
            "stage": "Stage",
            "created": "Created Date",
            "closed": "Close Date",
            "amount": "Amount",
            "won": ["Closed Won"],
            "lost": ["Closed Lost"],
            "type": "Type",
            "new_business": ["New Business", "New Customer"],
        },
        "sellers": {"name": "Full Name"},
        "accounts": {"name": "Account Name", "owner": "Account Owner"},
    },
    "hubspot": {  # Deals, exported from the deals index page
        "deals": {
            "id": "Record ID",
            "owner": "Deal Owner",
            "account": "Associated Company",
            "stage": "Deal Stage",
            "created": "Create Date",
            "closed": "Close Date",
            "amount": "Amount",
            "won": ["Closed Won"],
            "lost": ["Closed Lost"],
            "type": "Deal Type",
            "new_business": ["New Business"],
        },
        "sellers": {"name": "Name"},
        "accounts": {"name": "Company name", "owner": "Company owner"},
    },
    "bitrix24": {  # CRM > Deals > export (CSV in Windows-1251, ';', dd.mm.yyyy, decimal commas)
        "deals": {
            "id": "ID",
            "owner": "Ответственный",
            "account": "Компания",
            "stage": "Стадия сделки",
            "created": "Дата создания",
            "closed": "Дата закрытия",
            "amount": "Сумма",
            "won": ["Сделка успешна"],
            "lost": ["Сделка провалена"],
            "type": "Тип",
            "new_business": ["Продажа"],
        },
        "sellers": {"name": "Сотрудник"},
        "accounts": {"name": "Название компании", "owner": "Ответственный"},
    },
    "amocrm": {  # Leads (сделки) export
        "deals": {
            "id": "ID",
            "owner": "Ответственный",
            "account": "Компания",
            "stage": "Этап сделки",
            "created": "Дата создания",
            "closed": "Дата закрытия",
            "amount": "Бюджет",
            "won": ["Успешно реализовано"],
            "lost": ["Закрыто и не реализовано"],
        },
        "sellers": {"name": "Пользователь"},
        "accounts": {"name": "Название", "owner": "Ответственный"},
    },
}

DEFAULT_DERIVE: dict[str, Any] = {"churn_after_quarters": 4, "inactive_after_quarters": 2, "amount_per_k": 1000.0}


@dataclass
class Mapping:
    """A checked mapping: per table, its keys; files resolved against the mapping's folder."""

    path: Path
    tables: dict[str, dict[str, Any]]
    layout: str | None = None
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> dict[str, Any] | None:
        return self.tables.get(name)

    def file(self, name: str) -> Path:
        return (self.path.parent / self.tables[name]["file"]).resolve()

    @property
    def scenario_base(self) -> str:
        return str(self.tables.get("scenario", {}).get("base", "mature_department"))

    @property
    def policy(self) -> str:
        return str(self.tables.get("scenario", {}).get("policy", "finder_keeps"))

    def derive(self, key: str) -> Any:
        return self.tables.get("derive", {}).get(key, DEFAULT_DERIVE.get(key))


def _hint(word: str, allowed: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, sorted(allowed), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_value(origin: str, table: str, key: str, value: Any) -> Any:
    where = f"{origin}[{table}] {key} = {value!r}"
    if key in LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise MappingError(f'{where} is not allowed; allowed: a list of strings, e.g. ["Won"]')
        return value
    if key in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise MappingError(f"{where} is not allowed; allowed: a number above 0")
        return float(value)
    if key in INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise MappingError(f"{where} is not allowed; allowed: a whole number of quarters, 1 or more")
        return value
    if not isinstance(value, str) or (key != "delimiter" and not value.strip()):
        raise MappingError(f"{where} is not allowed; allowed: a non-empty string")
    return value


def _check_table(origin: str, name: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise MappingError(f"{origin}'{name}' must be a table ([{name}]); allowed tables: {', '.join(TABLE_KEYS)}")
    for key in table:
        if key not in TABLE_KEYS[name]:
            raise MappingError(
                f"{origin}unknown key '{key}' in [{name}]{_hint(key, TABLE_KEYS[name])}; "
                f"allowed: {', '.join(sorted(TABLE_KEYS[name]))}"
            )
    return {key: _check_value(origin, name, key, value) for key, value in table.items()}


def _merge_layout(origin: str, data: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    layout = data.pop("base", None)
    if layout is None:
        return None, data
    if layout not in LAYOUTS:
        raise MappingError(
            f"{origin}base = {layout!r} is not a ready layout{_hint(str(layout), list(LAYOUTS))}; "
            f"allowed: {', '.join(LAYOUTS)}"
        )
    merged: dict[str, Any] = {}
    for name in TABLE_KEYS:
        if name not in data:
            continue
        given = data[name]
        defaults = LAYOUTS[layout].get(name, {}) if isinstance(given, dict) else {}
        merged[name] = {**defaults, **given} if isinstance(given, dict) else given
    merged |= {k: v for k, v in data.items() if k not in merged}
    return str(layout), merged


def _check_semantics(origin: str, tables: dict[str, dict[str, Any]]) -> None:
    for name, keys in REQUIRED.items():
        if name in tables:
            missing = [k for k in keys if k not in tables[name]]
            if missing:
                raise MappingError(f"{origin}[{name}] needs {', '.join(missing)}; see docs/your_department.md")
    consultative = tables.get("consultative", {})
    rules = [k for k in ("products", "amount_at_least", "cycle_days_at_least", "column") if k in consultative]
    if not rules:
        raise MappingError(
            f"{origin}no [consultative] rule; one is needed: the model's question is who keeps the consultative "
            "clients (the golden fund), and without a rule every client would count as transactional; allowed: a "
            "[consultative] table with one "
            'of products = [...], amount_at_least = N, cycle_days_at_least = N, or column = "..." with '
            'values = [...], e.g. [consultative] products = ["GTX Pro"] or amount_at_least = 3000'
        )
    if len(rules) > 1:
        raise MappingError(
            f"{origin}[consultative] gives {', '.join(rules)}; allowed: one of products, amount_at_least, "
            "cycle_days_at_least, column (with values)"
        )
    if ("column" in consultative) != ("values" in consultative):
        raise MappingError(f"{origin}[consultative] column and values go together; allowed: both or neither")
    if "products" in consultative and "product" not in tables["deals"]:
        raise MappingError(f"{origin}[consultative] products needs [deals] product (the product column)")
    if "new_business" in tables["deals"] and "type" not in tables["deals"]:
        raise MappingError(f"{origin}[deals] new_business needs [deals] type (the deal-type column)")
    scenario = tables.get("scenario", {})
    if scenario.get("base", "mature_department") not in PRESETS:
        raise MappingError(
            f"{origin}[scenario] base = {scenario['base']!r} is not a preset{_hint(scenario['base'], list(PRESETS))}; "
            f"allowed: {', '.join(PRESETS)}"
        )
    if scenario.get("policy", "finder_keeps") not in POLICIES:
        raise MappingError(
            f"{origin}[scenario] policy = {scenario['policy']!r} is not a policy"
            f"{_hint(scenario['policy'], list(POLICIES))}; allowed: {', '.join(POLICIES)}"
        )
    for name in ("deals", "sellers", "accounts"):
        option = tables.get(name, {})
        if option.get("decimal", ".") not in (".", ","):
            raise MappingError(f'{origin}[{name}] decimal = {option["decimal"]!r}; allowed: "." or ","')
        if option.get("date_order", "dmy") not in ("dmy", "mdy"):
            raise MappingError(
                f'{origin}[{name}] date_order = {option["date_order"]!r}; allowed: "dmy" or "mdy" '
                "(for dates written a/b/yyyy)"
            )


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file (its ``base`` layout applied); errors name the key and what is allowed."""
    path = Path(path)
    origin = f"{path}: "
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{origin}no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"{origin}malformed TOML ({error})") from None
    layout, data = _merge_layout(origin, data)
    for name in data:
        if name not in TABLE_KEYS:
            raise MappingError(
                f"{origin}unknown table '{name}'{_hint(name, set(TABLE_KEYS))}; allowed: base, {', '.join(TABLE_KEYS)}"
            )
    if "deals" not in data:
        raise MappingError(f"{origin}no [deals] table; allowed: a mapping with [deals] file = ... and its columns")
    tables = {name: _check_table(origin, name, table) for name, table in data.items()}
    _check_semantics(origin, tables)
    mapping = Mapping(path.resolve(), tables, layout)
    for name in ("deals", "sellers", "accounts"):
        if name in tables and not mapping.file(name).is_file():
            raise MappingError(f"{origin}[{name}] file = {tables[name]['file']!r}: no such file ({mapping.file(name)})")
    return mapping
