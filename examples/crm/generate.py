"""Write a synthetic CRM export: deals, sellers and accounts of an invented B2B department, and its mapping.

It does not use the simulation model (so importing it is not circular): a plain story of sellers
who join and leave, clients who reorder each quarter and sometimes stop, and new leads won more
often by experienced sellers. Every name is invented.

    python examples/crm/generate.py                      # the example shipped in examples/crm/
    python examples/crm/generate.py --out /tmp/big --scale 16.5   # about 100,000 deals
    python examples/crm/generate.py --out /tmp/b24 --layout bitrix24   # cp1251, ';', dd.mm.yyyy, decimal commas
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

START, QUARTERS = dt.date(2021, 1, 1), 16
EXPORTED = dt.date(2024, 12, 31)  # the day of the export: deals closing later are still open
FIRST = [
    "Ada",
    "Bram",
    "Cleo",
    "Dario",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaija",
    "Luca",
    "Mara",
    "Nils",
    "Odile",
    "Pavel",
    "Quinn",
    "Rosa",
    "Soren",
    "Tilde",
    "Ugo",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zora",
]
LAST = [
    "Abernathy",
    "Brandvold",
    "Castellan",
    "Dunmore",
    "Eskildsen",
    "Falkner",
    "Grimaldi",
    "Haverkamp",
    "Iversen",
    "Jablonski",
    "Kettering",
    "Lindqvist",
    "Marchetti",
    "Nordahl",
    "Ostrander",
    "Pellegrini",
    "Quillfeather",
    "Rasmussen",
    "Stavrakis",
    "Thorvald",
    "Underhill",
    "Vantongeren",
    "Whitcombe",
    "Yardley",
]
PREFIX = [
    "Amber",
    "Boreal",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pinnacle",
    "Quarry",
    "Riverside",
    "Summit",
    "Tundra",
    "Umber",
    "Vertex",
    "Willow",
    "Zenith",
]
TRADE = [
    "Logistics",
    "Foods",
    "Metals",
    "Pharma",
    "Textiles",
    "Plastics",
    "Robotics",
    "Timber",
    "Optics",
    "Ceramics",
    "Marine",
    "Energy",
    "Print",
    "Glass",
    "Agro",
    "Motors",
]
SUFFIX = ["Ltd", "GmbH", "SA", "Oy", "BV", "AB", "Srl", "AS"]
TRANSACTIONAL = ["GTX Basic", "GTX Plus", "MG Special"]
CONSULTATIVE = ["GTX Pro", "MG Advanced"]
TEAMS = ["Cara Whitlock", "Dominik Sauer"]


@dataclass
class Seller:
    name: str
    team: str
    hired: dt.date
    left: dt.date | None = None


@dataclass
class Account:
    name: str
    consultative: bool
    size: float  # € per quarter
    owner: Seller
    active: bool = True
    sector: str = ""


@dataclass
class Export:
    sellers: list[Seller] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    deals: list[dict] = field(default_factory=list)


def day_in_quarter(q: int, rng: np.random.Generator) -> dt.date:
    start = dt.date(START.year + q // 4, 3 * (q % 4) + 1, 1)
    return start + dt.timedelta(days=int(rng.integers(0, 90)))


class Names:
    """Unique invented names."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.used = rng, set()

    def person(self) -> str:
        return self._unique(lambda: f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}")

    def company(self) -> str:
        return self._unique(lambda: f"{self.rng.choice(PREFIX)} {self.rng.choice(TRADE)} {self.rng.choice(SUFFIX)}")

    def _unique(self, make) -> str:
        name = make()
        k = 2
        while name in self.used:
            name = f"{make()} {k}" if k > 6 else make()
            k += 1
        self.used.add(name)
        return name


def new_account(export: Export, names: Names, rng: np.random.Generator, owner: Seller, consultative: bool) -> Account:
    size = float(rng.lognormal(np.log(8000), 0.8)) * (2.5 if consultative else 1.0)
    sector = "Enterprise" if consultative and rng.random() < 0.8 else "SMB"
    account = Account(names.company(), consultative, size, owner, sector=sector)
    export.accounts.append(account)
    return account


def add_deal(
    export: Export,
    rng: np.random.Generator,
    owner: Seller,
    account: Account | None,
    created: dt.date,
    outcome: str,
    amount: float,
    kind: str,
    consultative: bool,
) -> None:
    cycle = int(rng.integers(45, 180) if consultative else rng.integers(5, 60))
    closed = created + dt.timedelta(days=cycle) if outcome != "Open" else None
    if closed and closed > EXPORTED:
        outcome, closed = "Open", None
    product = rng.choice(CONSULTATIVE if consultative else TRANSACTIONAL)
    export.deals.append(
        {
            "owner": owner,
            "account": account,
            "stage": outcome,
            "created": created,
            "closed": closed,
            "amount": round(amount, 2),
            "product": str(product),
            "type": kind,
        }
    )


def hire(export: Export, names: Names, rng: np.random.Generator, when: dt.date) -> Seller:
    seller = Seller(names.person(), str(rng.choice(TEAMS)), when)
    export.sellers.append(seller)
    return seller


def tenure_quarters(seller: Seller, when: dt.date) -> float:
    return (when - seller.hired).days / 91.3


def quarter(export: Export, names: Names, rng: np.random.Generator, q: int, scale: float) -> None:
    """One quarter: reorders and churn of clients, new leads, quits and hires."""
    end = day_in_quarter(q, rng).replace(day=1) + dt.timedelta(days=95)
    staff = [s for s in export.sellers if s.left is None and s.hired <= end]
    for account in [a for a in export.accounts if a.active]:
        if rng.random() < (0.06 if tenure_quarters(account.owner, end) < 4 else 0.035):
            account.active = False
            continue
        orders = max(1, int(rng.poisson(1.3)))
        for _ in range(orders):
            seller = account.owner if rng.random() > 0.08 else staff[int(rng.integers(len(staff)))]
            amount = account.size / orders * float(rng.uniform(0.6, 1.4))
            created = day_in_quarter(q, rng) - dt.timedelta(days=int(rng.integers(0, 20)))
            outcome = "Won" if rng.random() < 0.9 else "Lost"
            add_deal(export, rng, seller, account, created, outcome, amount, "Existing Business", account.consultative)
    for _ in range(int(rng.poisson(22 * scale))):
        consultative = rng.random() < 0.45
        by_book = sorted(staff, key=lambda s: sum(a.owner is s and a.active for a in export.accounts[-400:]))
        seller = (
            by_book[int(rng.integers(min(len(by_book), 4)))]
            if rng.random() < 0.6
            else staff[int(rng.integers(len(staff)))]
        )
        created = day_in_quarter(q, rng)
        skill = min(1.0, tenure_quarters(seller, created) / 8)
        chance = (0.25 + 0.35 * skill) if consultative else (0.45 + 0.2 * skill)
        won = rng.random() < chance
        open_deal = q == QUARTERS - 1 and rng.random() < 0.5
        outcome = "Open" if open_deal else ("Won" if won else "Lost")
        account = new_account(export, names, rng, seller, consultative) if outcome == "Won" else None
        if outcome == "Won" and account is not None:
            amount = account.size * float(rng.uniform(0.5, 1.0))
        else:
            amount = float(rng.lognormal(np.log(8000), 0.8)) * (2.5 if consultative else 1.0)
            if outcome == "Lost" and rng.random() < 0.5:
                amount = 0.0
        prospect = (
            account if account else (None if rng.random() < 0.7 else Account(names.company(), consultative, 0, seller))
        )
        add_deal(export, rng, seller, prospect, created, outcome, amount, "New Business", consultative)
    for seller in staff:
        if rng.random() < (0.09 if tenure_quarters(seller, end) < 4 else 0.045):
            seller.left = day_in_quarter(q, rng)
            replacement = hire(export, names, rng, seller.left + dt.timedelta(days=int(rng.integers(30, 80))))
            for account in export.accounts:
                if account.owner is seller:
                    account.owner = replacement if rng.random() < 0.5 else staff[int(rng.integers(len(staff)))]


def generate(seed: int = 7, scale: float = 1.0) -> Export:
    """An invented department over 16 quarters (2021–2024): about 7,000 deals at scale 1."""
    rng = np.random.default_rng(seed)
    names, export = Names(rng), Export()
    for k in range(round(12 * scale)):
        years = float(rng.uniform(0.2, 9.0)) if k % 4 else float(rng.uniform(0.3, 1.0))
        hire(export, names, rng, START - dt.timedelta(days=int(365 * years)))
    for seller in list(export.sellers):
        book = int(rng.integers(10, 40)) if tenure_quarters(seller, START) >= 8 else int(rng.integers(2, 8))
        for _ in range(book):
            new_account(export, names, rng, seller, rng.random() < 0.3)
    for q in range(QUARTERS):
        quarter(export, names, rng, q, scale)
    hire(export, names, rng, dt.date(2024, 12, 9))  # a seller with no deals yet
    return export


LAYOUTS = {
    "example": {
        "deals": [
            "opportunity_id",
            "sales_agent",
            "account",
            "product",
            "deal_stage",
            "engage_date",
            "close_date",
            "close_value",
            "Type",
        ],
        "stages": {"Won": "Won", "Lost": "Lost", "Open": "Engaging"},
        "sellers": ["sales_agent", "manager", "hire_date", "termination_date"],
        "accounts": ["account", "sector", "account_owner"],
        "csv": {"delimiter": ",", "encoding": "utf-8", "date": "%Y-%m-%d", "decimal": "."},
    },
    "salesforce": {
        "deals": [
            "Opportunity ID",
            "Opportunity Owner",
            "Account Name",
            "Product Name",
            "Stage",
            "Created Date",
            "Close Date",
            "Amount",
            "Type",
        ],
        "stages": {"Won": "Closed Won", "Lost": "Closed Lost", "Open": "Negotiation/Review"},
        "sellers": ["Full Name", "Role", "Hire Date", "Termination Date"],
        "accounts": ["Account Name", "Industry", "Account Owner"],
        "csv": {"delimiter": ",", "encoding": "utf-8", "date": "%m/%d/%Y", "decimal": "."},
    },
    "hubspot": {
        "deals": [
            "Record ID",
            "Deal Owner",
            "Associated Company",
            "Product",
            "Deal Stage",
            "Create Date",
            "Close Date",
            "Amount",
            "Deal Type",
        ],
        "stages": {"Won": "Closed Won", "Lost": "Closed Lost", "Open": "Contract Sent"},
        "sellers": ["Name", "Team", "Start Date", "End Date"],
        "accounts": ["Company name", "Industry", "Company owner"],
        "csv": {"delimiter": ",", "encoding": "utf-8", "date": "%Y-%m-%d %H:%M", "decimal": "."},
    },
    "bitrix24": {
        "deals": [
            "ID",
            "Ответственный",
            "Компания",
            "Товар",
            "Стадия сделки",
            "Дата создания",
            "Дата закрытия",
            "Сумма",
            "Тип",
        ],
        "stages": {"Won": "Сделка успешна", "Lost": "Сделка провалена", "Open": "Переговоры"},
        "types": {"New Business": "Продажа", "Existing Business": "Повторная продажа"},
        "sellers": ["Сотрудник", "Отдел", "Дата приёма", "Дата увольнения"],
        "accounts": ["Название компании", "Сегмент", "Ответственный"],
        "csv": {"delimiter": ";", "encoding": "cp1251", "date": "%d.%m.%Y", "decimal": ","},
    },
    "amocrm": {
        "deals": [
            "ID",
            "Ответственный",
            "Компания",
            "Товар",
            "Этап сделки",
            "Дата создания",
            "Дата закрытия",
            "Бюджет",
            "Тип",
        ],
        "stages": {"Won": "Успешно реализовано", "Lost": "Закрыто и не реализовано", "Open": "Переговоры"},
        "sellers": ["Пользователь", "Группа", "Дата приёма", "Дата увольнения"],
        "accounts": ["Название", "Сегмент", "Ответственный"],
        "csv": {"delimiter": ";", "encoding": "utf-8", "date": "%d.%m.%Y %H:%M", "decimal": ","},
    },
}


def _date(value: dt.date | None, fmt: str) -> str:
    return value.strftime(fmt) if value else ""


def _amount(value: float, decimal: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal == "," else text


def _rows(export: Export, layout: dict) -> dict[str, list[list[str]]]:
    fmt, decimal = layout["csv"]["date"], layout["csv"]["decimal"]
    stages, types = layout["stages"], layout.get("types", {})
    deals = [
        [
            f"D{k + 1:06d}",
            d["owner"].name,
            d["account"].name if d["account"] else "",
            d["product"],
            stages[d["stage"]],
            _date(d["created"], fmt),
            _date(d["closed"], fmt),
            _amount(d["amount"], decimal) if d["amount"] or d["stage"] != "Open" else "",
            types.get(d["type"], d["type"]),
        ]
        for k, d in enumerate(export.deals)
    ]
    deals[5][1] = ""  # a few unusable records, as real exports have
    deals[40][6] = "" if deals[40][4] != stages["Open"] else deals[40][6]
    deals[41][6] = "" if deals[41][4] != stages["Open"] else deals[41][6]
    sellers = [[s.name, s.team, _date(s.hired, fmt), _date(s.left, fmt)] for s in export.sellers]
    accounts = [[a.name, a.sector, a.owner.name] for a in export.accounts if a.owner is not None]
    return {"deals": deals, "sellers": sellers, "accounts": accounts}


MAPPINGS = {
    "example": """# The mapping of the synthetic example export (examples/crm/generate.py).
[deals]
file = "deals.csv"
id = "opportunity_id"
owner = "sales_agent"
account = "account"
stage = "deal_stage"
created = "engage_date"
closed = "close_date"
amount = "close_value"
won = ["Won"]
lost = ["Lost"]
product = "product"
type = "Type"
new_business = ["New Business"]

[sellers]
file = "sales_teams.csv"
name = "sales_agent"
hired = "hire_date"
left = "termination_date"
team = "manager"

[accounts]
file = "accounts.csv"
name = "account"
owner = "account_owner"

[consultative]
products = ["GTX Pro", "MG Advanced"]

[scenario]
base = "mature_department"
policy = "finder_keeps"
""",
}


def mapping_text(layout: str) -> str:
    """The mapping file for a layout: the example's own, or ``base = "<layout>"`` plus what differs."""
    if layout in MAPPINGS:
        return MAPPINGS[layout]
    names = LAYOUTS[layout]
    deals, sellers, accounts, stages = names["deals"], names["sellers"], names["accounts"], names["stages"]
    new = names.get("types", {}).get("New Business", "New Business")
    return f'''base = "{layout}"

[deals]
file = "deals.csv"
product = "{deals[3]}"
type = "{deals[8]}"
new_business = ["{new}"]
won = ["{stages["Won"]}"]
lost = ["{stages["Lost"]}"]

[sellers]
file = "sellers.csv"
name = "{sellers[0]}"
team = "{sellers[1]}"
hired = "{sellers[2]}"
left = "{sellers[3]}"

[accounts]
file = "accounts.csv"
name = "{accounts[0]}"
owner = "{accounts[2]}"

[consultative]
products = ["GTX Pro", "MG Advanced"]
'''


def write(export: Export, out: Path, layout: str = "example") -> Path:
    """Write the export's three files and its mapping into ``out``; returns the mapping's path."""
    spec, rows = LAYOUTS[layout], _rows(export, LAYOUTS[layout])
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "deals": "deals.csv",
        "sellers": "sales_teams.csv" if layout == "example" else "sellers.csv",
        "accounts": "accounts.csv",
    }
    for table, name in files.items():
        with open(out / name, "w", newline="", encoding=spec["csv"]["encoding"]) as handle:
            writer = csv.writer(handle, delimiter=spec["csv"]["delimiter"])
            writer.writerow(spec[table])
            writer.writerows(rows[table])
    mapping = out / "mapping.toml"
    mapping.write_text(mapping_text(layout), encoding="utf-8")
    return mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="department size; 16.5 gives about 100,000 deals")
    parser.add_argument("--layout", choices=list(LAYOUTS), default="example")
    args = parser.parse_args()
    export = generate(args.seed, args.scale)
    mapping = write(export, args.out, args.layout)
    print(f"{len(export.deals)} deals, {len(export.sellers)} sellers, {len(export.accounts)} accounts -> {mapping}")


if __name__ == "__main__":
    main()
