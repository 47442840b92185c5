"""What the import derives from the cleaned export, each figure with the data it came from.

Time is counted in calendar quarters; the analysis uses the export's complete quarters. Amounts
are in model units (k€, or thousands of the export's currency: ``[derive] amount_per_k``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation import Scenario, build_scenario, parameter_keys

from .errors import CrmError
from .kpis import Kpi, proportion, spread_of_quarters
from .mapping import Mapping
from .records import Records

DAYS_PER_QUARTER = 365.25 / 4
EDGE_DAYS = 14  # a quarter is complete when the data reaches within this many days of its end
SHARED_WARNING_SHARE = 0.2
TENURE_BINS = ((0, 4, "first year"), (4, 8, "second year"), (8, 10_000, "two years or more"))


def quarter_of(dates: pd.Series) -> pd.Series:
    """Calendar quarter numbers (year × 4 + quarter − 1); NaN where there is no date."""
    return dates.dt.year * 4 + (dates.dt.month - 1) // 3


def label(quarter: int) -> str:
    return f"{quarter // 4}Q{quarter % 4 + 1}"


def quarter_start(quarter: int) -> pd.Timestamp:
    return pd.Timestamp(year=quarter // 4, month=3 * (quarter % 4) + 1, day=1)


@dataclass
class Window:
    """The export's complete quarters, first..last, and the as-of date."""

    first: int
    last: int
    as_of: pd.Timestamp
    note: str

    @property
    def quarters(self) -> int:
        return self.last - self.first + 1

    def span(self, start: int, end: int | None = None) -> range:
        return range(max(start, self.first), (self.last if end is None else end) + 1)


@dataclass
class Derived:
    """Everything the import found: tables for the report, KPIs, and the scenario's derived keys."""

    window: Window
    roster: pd.DataFrame
    accounts: pd.DataFrame
    quarterly: pd.DataFrame
    win_by_tenure: pd.DataFrame
    kpis: dict[str, Kpi]
    overrides: dict[str, tuple[Any, str]]
    facts: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_window(deals: pd.DataFrame, as_of: str | None) -> Window:
    """Complete quarters from the first created date to the as-of date (default: the latest date seen)."""
    closed = deals.loc[deals["outcome"] != "open", "closed"]
    last_seen = pd.Timestamp(as_of) if as_of else max(deals["created"].max(), closed.max())
    first_seen = deals["created"].min()
    last = int(quarter_of(pd.Series([last_seen])).iloc[0])
    if last_seen < quarter_start(last + 1) - pd.Timedelta(days=EDGE_DAYS + 1):
        last -= 1
    first = int(quarter_of(pd.Series([first_seen])).iloc[0])
    if first_seen > quarter_start(first) + pd.Timedelta(days=EDGE_DAYS):
        first += 1
    if last - first + 1 < 2:
        raise CrmError(
            f"the deals cover {first_seen:%Y-%m-%d} to {last_seen:%Y-%m-%d}, less than two complete quarters; "
            "allowed: an export of at least two complete quarters (a year or more for churn and turnover)"
        )
    source = "the mapping's as_of" if as_of else "the latest created or closing date in the deals"
    note = (
        f"as of {last_seen:%Y-%m-%d} ({source}); complete quarters {label(first)}–{label(last)} "
        f"({last - first + 1} quarters)"
    )
    return Window(first, last, last_seen, note)


def roster(records: Records, window: Window, mapping: Mapping, scenario: Scenario) -> tuple[pd.DataFrame, list[str]]:
    """One row per seller: team, hired and left (with where each came from), on staff, tenure, veteran."""
    deals, warnings = records.deals, []
    activity = pd.concat(
        [
            deals[["owner", "created"]].rename(columns={"created": "date"}),
            deals[["owner", "closed"]].rename(columns={"closed": "date"}),
        ]
    ).dropna()
    first_deal = activity.groupby("owner")["date"].min()
    last_deal = activity.groupby("owner")["date"].max()
    names = (
        pd.Index(sorted(set(deals["owner"])))
        if records.sellers is None
        else pd.Index(list(records.sellers["name"]) + sorted(set(deals["owner"]) - set(records.sellers["name"])))
    )
    table = pd.DataFrame(index=names)
    table.index.name = "seller"
    listed = records.sellers.set_index("name") if records.sellers is not None else None
    table["team"] = listed["team"].reindex(names).fillna("") if listed is not None else ""
    table["hired"] = listed["hired"].reindex(names) if listed is not None else pd.NaT
    table["hired_from"] = np.where(table["hired"].notna(), "hire date", "first deal")
    table["hired"] = table["hired"].fillna(first_deal.reindex(names))
    table["listed"] = names.isin(listed.index) if listed is not None else False
    has_left_column = listed is not None and "left" in mapping.tables["sellers"]
    idle = window.as_of - pd.Timedelta(days=DAYS_PER_QUARTER * mapping.derive("inactive_after_quarters"))
    rule_left = last_deal.reindex(names).where(last_deal.reindex(names) < idle)
    if listed is not None and has_left_column:
        table["left"] = listed["left"].reindex(names)
        table["left_from"] = np.where(table["left"].notna(), "termination date", "")
        unlisted = ~table["listed"]
        table.loc[unlisted, "left"] = rule_left[unlisted]
    else:
        table["left"] = rule_left
        table["left_from"] = ""
    table.loc[table["left"].notna() & (table["left_from"] == ""), "left_from"] = "no deal since"
    table["deals"] = deals.groupby("owner").size().reindex(names).fillna(0).astype(int)
    no_date = table["hired"].isna()
    if no_date.any():
        warnings.append(
            f"{int(no_date.sum())} seller(s) have neither a hire date nor a deal; counted as hired on "
            f"the as-of date (tenure 0)."
        )
        table.loc[no_date, "hired"] = window.as_of
        table.loc[no_date, "hired_from"] = "as-of date (no hire date, no deal)"
    table["on_staff"] = (table["hired"] <= window.as_of) & (table["left"].isna() | (table["left"] > window.as_of))
    table["tenure"] = ((window.as_of - table["hired"]).dt.days // DAYS_PER_QUARTER).clip(lower=0).astype(int)
    start = quarter_start(window.first) + pd.Timedelta(days=DAYS_PER_QUARTER)
    table["tenure_censored"] = (table["hired_from"] == "first deal") & (table["hired"] < start)
    table["veteran"] = table["tenure"] >= scenario.department.veteran_min_tenure
    return table, warnings


def owners(records: Records, window: Window, team: pd.DataFrame) -> tuple[pd.Series, pd.Series, list[str], dict]:
    """Each client account's owner and where it came from: the accounts file's owner column, else the seller
    with most won revenue over the last four quarters (else the seller of its latest won deal)."""
    won = records.deals[(records.deals["outcome"] == "won") & (records.deals["account"] != "")]
    recent = won[won["quarter"] >= window.last - 3]
    by_pair = recent.groupby(["account", "owner"])["amount"].sum()
    top = by_pair.sort_values(ascending=False, kind="stable").groupby(level=0).head(1).reset_index()
    owner = pd.Series(top["owner"].to_numpy(), index=top["account"].to_numpy())
    latest = won.sort_values("closed", kind="stable").groupby("account")["owner"].last()
    owner = owner.reindex(latest.index).fillna(latest)
    source = pd.Series("most won revenue, last four quarters", index=owner.index)
    source[~owner.index.isin(top["account"])] = "latest won deal"
    if records.accounts is not None and (records.accounts["owner"] != "").any():
        given = records.accounts.set_index("name")["owner"]
        given = given[(given != "") & given.index.isin(owner.index)]
        owner[given.index] = given
        source[given.index] = "accounts file"
    sellers_per_account = recent.groupby("account")["owner"].nunique()
    share_of_top = by_pair.groupby(level=0).max() / by_pair.groupby(level=0).sum()
    shared = sellers_per_account[sellers_per_account >= 2]
    facts = {
        "accounts_recent": len(sellers_per_account),
        "accounts_shared": len(shared),
        "accounts_shared_3": int((sellers_per_account >= 3).sum()),
        "shared_top_share": float(share_of_top[shared.index].median()) if len(shared) else math.nan,
    }
    warnings = []
    if len(sellers_per_account) and len(shared) / len(sellers_per_account) >= SHARED_WARNING_SHARE:
        warnings.append(
            f"Accounts are shared: {len(shared)} of {len(sellers_per_account)} accounts with won deals in the last "
            f"four quarters ({len(shared) / len(sellers_per_account):.0%}) were won by 2 or more sellers "
            f"({facts['accounts_shared_3']} by 3 or more); the top seller's median share of their won revenue is "
            f"{facts['shared_top_share']:.0%}. Each is given to "
            + ("its owner in the accounts file where there is one, else " if "accounts file" in set(source) else "")
            + "the seller with most won revenue; the model's one-owner books overstate how settled they are."
        )
    return owner, source, warnings, facts


def new_business(deals: pd.DataFrame, first_won: pd.Series) -> tuple[pd.Series, str]:
    """Which deals are new business: the type column where the mapping names one, else deals on an account
    with no won deal closed before the deal was created."""
    if "new_business_flag" in deals:
        return deals["new_business_flag"], "the deal-type column"
    before = deals["account"].map(first_won)
    flag = (deals["account"] == "") | before.isna() | (deals["created"] <= before)
    return flag, "no won deal on the account before the deal was created (no type column)"


def account_table(records: Records, window: Window, churn_after: int) -> pd.DataFrame:
    """One row per client (an account with a won deal): won revenue, first and last won quarter, active or
    churned (no won deal for ``churn_after`` quarters), size (won revenue per active quarter), consultative."""
    won = records.deals[(records.deals["outcome"] == "won") & (records.deals["account"] != "")]
    grouped = won.groupby("account")
    table = pd.DataFrame(
        {
            "first_won": grouped["quarter"].min(),
            "last_won": grouped["quarter"].max(),
            "revenue": grouped["amount"].sum(),
            "consultative_revenue": won[won["consultative"]].groupby("account")["amount"].sum(),
            "revenue_4q": won[won["quarter"] >= window.last - 3].groupby("account")["amount"].sum(),
        }
    )
    table[["consultative_revenue", "revenue_4q"]] = table[["consultative_revenue", "revenue_4q"]].fillna(0.0)
    table["churned"] = table["last_won"] + churn_after <= window.last
    table["churn_quarter"] = (table["last_won"] + 1).where(table["churned"])
    end = table["churn_quarter"].fillna(window.last + 1)
    table["size"] = table["revenue"] / (end - table["first_won"]).clip(lower=1)
    table["consultative"] = table["consultative_revenue"] >= 0.5 * table["revenue"]
    table["active"] = ~table["churned"] & (table["first_won"] <= window.last)
    return table


def quarterly(deals: pd.DataFrame, accounts: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Per complete quarter: new-business and repeat deals created, won revenue, clients active and churned."""
    quarters = pd.Index(list(window.span(window.first)), name="quarter")
    created = deals["created_quarter"]
    won = deals[deals["outcome"] == "won"]
    frame = pd.DataFrame(index=quarters)
    frame["label"] = [label(q) for q in quarters]
    frame["new_deals"] = deals[deals["new_business"]].groupby(created).size().reindex(quarters, fill_value=0)
    frame["new_consultative"] = deals[deals["new_business"] & deals["consultative"]].groupby(created).size()
    frame["repeat_deals"] = deals[~deals["new_business"]].groupby(created).size().reindex(quarters, fill_value=0)
    frame["won_revenue"] = won.groupby("quarter")["amount"].sum().reindex(quarters, fill_value=0.0)
    frame["new_consultative"] = frame["new_consultative"].reindex(quarters).fillna(0).astype(int)
    first, churn_q = accounts["first_won"].to_numpy(), accounts["churn_quarter"].to_numpy()
    frame["active_at_start"] = [int(((first < q) & ~(churn_q < q)).sum()) for q in quarters]
    frame["churned"] = [int((churn_q == q).sum()) for q in quarters]
    acquired = accounts["acquired"].to_numpy()
    recent = {q: set(accounts.index[(acquired >= q - 4) & (acquired < q)]) for q in quarters}
    frame["new_client_revenue"] = [
        float(won.loc[(won["quarter"] == q) & won["account"].isin(recent[q]), "amount"].sum()) for q in quarters
    ]
    return frame


def win_rates(deals: pd.DataFrame, team: pd.DataFrame, since: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New-business deals decided since quarter ``since``, and the win rate by the owner's tenure at closing
    (sellers whose tenure is only known to start before the export are left out of the tenure table)."""
    decided = deals[deals["new_business"] & deals["outcome"].isin(["won", "lost"]) & (deals["quarter"] >= since)]
    hired = decided["owner"].map(team["hired"])
    tenure = ((decided["closed"] - hired).dt.days // DAYS_PER_QUARTER).clip(lower=0)
    known = ~decided["owner"].map(team["tenure_censored"]).astype(bool)
    rows = []
    for low, high, name in TENURE_BINS:
        part = decided[known & (tenure >= low) & (tenure < high)]
        won = int((part["outcome"] == "won").sum())
        rows.append(
            {"tenure": name, "decided": len(part), "won": won, "win_rate": won / len(part) if len(part) else math.nan}
        )
    return decided, pd.DataFrame(rows)


def turnover(team: pd.DataFrame, window: Window, last: int) -> Kpi | None:
    """Sellers leaving per year over quarters first..last, over the mean head-count at the quarters' ends."""
    quarters = list(window.span(window.first, last))
    if len(quarters) < 2:
        return None
    hired_q, left_q = quarter_of(team["hired"]), quarter_of(team["left"])
    heads = [int(((hired_q <= q) & ~(left_q <= q)).sum()) for q in quarters]
    departures = int(left_q.between(quarters[0], quarters[-1]).sum())
    mean_heads, years = float(np.mean(heads)), len(quarters) / 4
    if mean_heads <= 0:
        return None
    value = departures / mean_heads / years
    return Kpi(
        value,
        math.sqrt(max(departures, 1)) / mean_heads / years,
        departures,
        f"{departures} departures over {label(quarters[0])}–{label(quarters[-1])}, mean head-count {mean_heads:.1f}",
    )


def measure(
    deals: pd.DataFrame,
    accounts: pd.DataFrame,
    team: pd.DataFrame,
    frame: pd.DataFrame,
    window: Window,
    settings: dict[str, Any],
) -> tuple[dict[str, Kpi], pd.DataFrame, list[str]]:
    """The KPIs the calibration will match, each with its standard error and the data it rests on."""
    kpis: dict[str, Kpi | None] = {}
    notes = []
    decided, by_tenure = win_rates(deals, team, settings["inflow_from"])
    won = int((decided["outcome"] == "won").sum())
    kpis["win_rate"] = proportion(won, len(decided), f"{won} of {len(decided)} new-business deals decided won")
    first = by_tenure.iloc[0]
    kpis["newcomer_win_rate"] = proportion(
        first["won"], first["decided"], f"{first['won']} of {first['decided']} deals closed in the owner's first year"
    )
    churn_quarters = frame.loc[window.first + 1 : window.last - settings["churn_after"] + 1]
    exposed = churn_quarters["active_at_start"].sum()
    kpis["client_churn_rate"] = proportion(
        churn_quarters["churned"].sum(),
        exposed,
        f"{int(churn_quarters['churned'].sum())} clients lost over {len(churn_quarters)} quarters, "
        f"{int(exposed)} client-quarters",
    )
    kpis["seller_turnover_annual"] = turnover(team, window, settings["turnover_to"])
    share_quarters = frame.loc[settings["acquired_from"] + 4 :]
    if len(share_quarters) and share_quarters["won_revenue"].sum() > 0:
        overall = share_quarters["new_client_revenue"].sum() / share_quarters["won_revenue"].sum()
        kpis["new_client_revenue_share"] = spread_of_quarters(
            share_quarters["new_client_revenue"] / share_quarters["won_revenue"].replace(0, np.nan),
            overall,
            f"quarters {share_quarters['label'].iloc[0]}–{share_quarters['label'].iloc[-1]}",
        )
    last4 = frame.tail(4)
    kpis["revenue_per_quarter"] = spread_of_quarters(
        last4["won_revenue"],
        float(last4["won_revenue"].mean()),
        f"quarters {last4['label'].iloc[0]}–{last4['label'].iloc[-1]}",
    )
    for name, kpi in kpis.items():
        if kpi is None:
            notes.append(f"KPI {name} cannot be measured from this export (too few quarters or deals).")
    return {k: v for k, v in kpis.items() if v is not None}, by_tenure, notes


def sizes(accounts: pd.DataFrame) -> dict[str, float]:
    """Median and log-spread of transactional client sizes, and how many times bigger consultative ones are."""
    clients = accounts[accounts["size"] > 0]
    plain, consult = clients.loc[~clients["consultative"], "size"], clients.loc[clients["consultative"], "size"]
    reference = plain if len(plain) >= 3 else clients["size"]
    logs = np.log(clients["size"])
    centred = logs - np.where(
        clients["consultative"], np.log(consult.median()) if len(consult) else 0.0, np.log(reference.median())
    )
    factor = float(consult.median() / reference.median()) if len(consult) >= 3 else math.nan
    return {
        "median": float(reference.median()),
        "sigma": float(centred.std(ddof=1)) if len(clients) > 2 else math.nan,
        "factor": factor,
        "transactional": len(plain),
        "consultative": len(consult),
    }


def cycle(deals: pd.DataFrame) -> dict[str, float]:
    """Sales-cycle length of won new-business deals, days: median and 90th percentile."""
    won = deals[(deals["outcome"] == "won") & deals["new_business"]]
    days = (won["closed"] - won["created"]).dt.days
    if days.empty:
        return {"median": math.nan, "p90": math.nan, "deals": 0}
    return {
        "median": float(days.median()),
        "p90": float(days.quantile(0.9)),
        "deals": len(days),
        "consultative_median": float(days[won["consultative"]].median()) if won["consultative"].any() else math.nan,
    }


def concentration(accounts: pd.DataFrame) -> dict[str, float]:
    """Shares of the last four quarters' won revenue held by the top 10 clients and the top 20% of clients."""
    revenue = accounts["revenue_4q"][accounts["revenue_4q"] > 0].sort_values(ascending=False)
    total = revenue.sum()
    if not total:
        return {"top10": math.nan, "top20pct": math.nan, "clients": 0}
    top = max(1, math.ceil(0.2 * len(revenue)))
    return {
        "top10": float(revenue.head(10).sum() / total),
        "top20pct": float(revenue.head(top).sum() / total),
        "clients": len(revenue),
    }


def acquisition(deals: pd.DataFrame, accounts: pd.DataFrame, typed: bool) -> pd.Series:
    """The quarter each client was won as new business; far in the past for clients whose first won deal
    in the export is repeat business (they were clients before the export starts)."""
    if not typed:
        return accounts["first_won"]
    won = deals[(deals["outcome"] == "won") & (deals["account"] != "")].sort_values("closed", kind="stable")
    first_is_new = won.groupby("account")["new_business"].first().reindex(accounts.index).fillna(False)
    return accounts["first_won"].where(first_is_new.astype(bool), -(10**6))


def books(team: pd.DataFrame, accounts: pd.DataFrame, deals: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Each seller's book (active clients owned), its consultative share, won revenue and win rate."""
    active = accounts[accounts["active"]]
    team = team.copy()
    team["book"] = active.groupby("owner").size().reindex(team.index).fillna(0).astype(int)
    team["book_consultative"] = active[active["consultative"]].groupby("owner").size().reindex(team.index)
    team["book_consultative"] = team["book_consultative"].fillna(0).astype(int)
    won = deals[deals["outcome"] == "won"]
    team["won_revenue_4q"] = won[won["quarter"] >= window.last - 3].groupby("owner")["amount"].sum()
    team["won_revenue_4q"] = team["won_revenue_4q"].reindex(team.index).fillna(0.0)
    decided = deals[deals["outcome"] != "open"]
    wins = decided.groupby("owner")["outcome"].apply(lambda s: float((s == "won").mean()))
    team["win_rate"] = wins.reindex(team.index)
    return team


def department_keys(
    team: pd.DataFrame,
    accounts: pd.DataFrame,
    scenario: Scenario,
    files: dict[str, str],
    window: Window,
    consultative: bool,
) -> tuple[dict[str, tuple[Any, str]], list[str]]:
    """The department's aggregates: head-count, veterans and their tenure, book sizes and mix."""
    staff = team[team["on_staff"]]
    if staff.empty:
        raise CrmError(
            f"no seller is on staff on {window.as_of:%Y-%m-%d} (every seller has left); allowed: an "
            "export in which at least one seller is still there"
        )
    deals, sellers_file = files["deals"], files.get("sellers", files["deals"])
    veterans = staff[staff["veteran"]]
    newcomers = staff[~staff["veteran"]]
    active = accounts[accounts["active"]]
    orphans = int((~active["owner"].isin(staff.index)).sum())
    scale = len(active) / max(1, int(staff["book"].sum()))
    warnings = []
    if orphans:
        warnings.append(
            f"{orphans} of {len(active)} active clients ({orphans / len(active):.0%}) belong to sellers no longer "
            f"on staff; they are spread over the books in proportion (books × {scale:.2f})."
        )
    min_tenure = scenario.department.veteran_min_tenure
    asof = f"{window.as_of:%Y-%m-%d}"
    tenure_from = ", ".join(sorted(set(staff["hired_from"])))
    keys: dict[str, tuple[Any, str]] = {
        "department.sellers": (len(staff), f"sellers on staff on {asof} ({sellers_file}; tenure from {tenure_from})"),
        "department.veterans": (len(veterans), f"of them with {min_tenure}+ quarters of tenure"),
    }
    if len(veterans):
        tenure = max(min_tenure, round(float(veterans["tenure"].mean())))
        keys["department.veteran_tenure"] = (tenure, "veterans' mean tenure, quarters")
        book = round(float(veterans["book"].mean()) * scale)
        keys["department.clients_per_veteran"] = (book, f"veterans' mean book: active clients owned ({deals})")
    if len(newcomers):
        book = round(float(newcomers["book"].mean()) * scale)
        keys["department.clients_per_newcomer"] = (book, f"other sellers' mean book ({deals})")
    if consultative and len(active):
        share = round(float(active["consultative"].mean()), 4)
        keys["department.initial_consultative_share"] = (
            share,
            f"consultative share of the {len(active)} active clients",
        )
    return keys, warnings


def market_keys(
    frame: pd.DataFrame,
    accounts: pd.DataFrame,
    deals: pd.DataFrame,
    settings: dict[str, Any],
    files: dict[str, str],
    consultative: bool,
) -> tuple[dict[str, tuple[Any, str]], dict[str, Any]]:
    """The market: new-business inflow and its consultative share, client sizes, how long leads stay open."""
    inflow = frame.loc[settings["inflow_from"] :]
    keys: dict[str, tuple[Any, str]] = {}
    source = files["deals"]
    if len(inflow):
        keys["market.leads_per_quarter"] = (
            round(float(inflow["new_deals"].mean()), 2),
            f"new-business deals created per quarter, mean of {inflow['label'].iloc[0]}–{inflow['label'].iloc[-1]} "
            f"({source})",
        )
        if consultative and inflow["new_deals"].sum():
            share = round(float(inflow["new_consultative"].sum() / inflow["new_deals"].sum()), 4)
            keys["market.consultative_share"] = (share, "consultative share of those deals")
    size = sizes(accounts)
    if math.isfinite(size["median"]) and size["median"] > 0:
        keys["market.size_median"] = (
            round(size["median"], 3),
            f"median won revenue per quarter of the {size['transactional']} transactional clients, k€",
        )
    if math.isfinite(size["sigma"]):
        keys["market.size_sigma"] = (round(min(3.0, size["sigma"]), 3), "spread of log client size within each type")
    if consultative and math.isfinite(size["factor"]):
        keys["market.consultative_size_factor"] = (
            round(max(1.0, size["factor"]), 3),
            f"median consultative / transactional client size ({size['consultative']} consultative clients)"
            + ("; below 1 in the data, set to 1" if size["factor"] < 1 else ""),
        )
    days = cycle(deals)
    if days["deals"]:
        shelf = int(min(8, max(1, math.ceil(days["p90"] / DAYS_PER_QUARTER))))
        keys["market.lead_shelf_life"] = (
            shelf,
            f"90% of won new-business deals closed within {days['p90']:.0f} days of opening",
        )
    return keys, {"sizes": size, "cycle": days}


def policy_keys(mapping: Mapping) -> dict[str, tuple[Any, str]]:
    """The department's policy now, and no simulated history: the export is the department's state today."""
    keys: dict[str, tuple[Any, str]] = {}
    known = parameter_keys()
    if "department.current_policy" in known:
        keys["department.current_policy"] = (mapping.policy, "the department's policy now (mapping [scenario] policy)")
    if "department.history_quarters" in known:
        keys["department.history_quarters"] = (0, "the export is the state now: no simulated history before it")
    return keys


def derive(records: Records, mapping: Mapping) -> Derived:
    """Sellers, books, clients, inflow, win rates, cycle, churn, turnover, concentration, and the scenario keys."""
    scenario = build_scenario(mapping.scenario_base)
    deals = records.deals.copy()
    window = find_window(deals, mapping.derive("as_of"))
    deals["quarter"] = quarter_of(deals["closed"])
    deals["created_quarter"] = quarter_of(deals["created"])
    churn_after = int(mapping.derive("churn_after_quarters"))
    team, warnings = roster(records, window, mapping, scenario)
    won = deals[(deals["outcome"] == "won") & (deals["account"] != "")]
    deals["new_business"], new_rule = new_business(deals, won.groupby("account")["closed"].min())
    accounts = account_table(Records(deals, None, None, records.set_aside, [], [], {}, None), window, churn_after)
    owner, owner_from, shared_warnings, shared = owners(
        Records(deals, None, records.accounts, records.set_aside, [], [], {}, None), window, team
    )
    accounts["owner"], accounts["owner_from"] = owner.reindex(accounts.index), owner_from.reindex(accounts.index)
    typed = "new_business_flag" in deals
    accounts["acquired"] = acquisition(deals, accounts, typed)
    has_left = records.sellers is not None and "left" in mapping.tables["sellers"]
    settings = {
        "inflow_from": window.first if typed else window.first + churn_after,
        "acquired_from": window.first if typed else window.first + churn_after,
        "churn_after": churn_after,
        "turnover_to": window.last if has_left else window.last - int(mapping.derive("inactive_after_quarters")),
    }
    frame = quarterly(deals, accounts, window)
    kpis, by_tenure, notes = measure(deals, accounts, team, frame, window, settings)
    team = books(team, accounts, deals, window)
    consultative = records.consultative_rule is not None
    dept, dept_warnings = department_keys(team, accounts, scenario, records.files, window, consultative)
    market, facts = market_keys(frame, accounts, deals, settings, records.files, consultative)
    facts |= {
        "shared": shared,
        "concentration": concentration(accounts),
        "new_business_rule": new_rule,
        "settings": settings,
        "policy": mapping.policy,
        "base": mapping.scenario_base,
        "consultative_rule": records.consultative_rule,
        "deals": len(deals),
    }
    notes.append(
        f"New business: {new_rule}"
        + (
            ""
            if typed
            else f"; inflow counted from {label(window.first + churn_after)}"
            f" (earlier, clients from before the export would look new)"
        )
    )
    censored = int((team["on_staff"] & team["tenure_censored"]).sum())
    if censored:
        warnings.append(
            f"{censored} seller(s) on staff have no hire date and a deal in the export's first quarter: "
            "their tenure (from the first deal) is a lower bound."
        )
    no_deals = team[team["deals"] == 0]
    if len(no_deals):
        notes.append(f"{len(no_deals)} seller(s) in the sellers file have no deal (counted, with an empty book).")
    unlisted = int((~team["listed"]).sum()) if records.sellers is not None else 0
    if unlisted:
        warnings.append(
            f"{unlisted} deal owner(s) are not in the sellers file: their tenure comes from their first deal."
        )
    overrides = market | dept | policy_keys(mapping)
    build_scenario(mapping.scenario_base, {k: v for k, (v, _) in overrides.items()})
    return Derived(
        window,
        team,
        accounts,
        frame,
        by_tenure,
        kpis,
        overrides,
        facts,
        warnings + shared_warnings + dept_warnings,
        [window.note, *notes],
    )
