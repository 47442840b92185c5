"""The import report: what was read, set aside and derived, the roster (pseudonymised), and four plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .derive import Derived
from .document import Document
from .kpis import KPIS
from .privacy import Names
from .records import Records

REPORT_TITLE = "Import report: this department from its CRM export"


def deal_sizes(deals: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(6, 3.2))
    ax = figure.subplots()
    amounts = deals.loc[(deals["outcome"] == "won") & (deals["amount"] > 0), "amount"]
    if len(amounts):
        bins = np.logspace(np.log10(amounts.min()), np.log10(amounts.max()) + 1e-9, 40)
        ax.hist(amounts, bins=list(bins), color="#4a78a8")
        ax.set_xscale("log")
    ax.set_xlabel("won deal amount, k€ (log scale)")
    ax.set_ylabel("deals")
    ax.set_title("Deal sizes")
    return figure


def book_sizes(roster: pd.DataFrame, names: Names) -> Figure:
    """One bar per seller on staff; for more than 40 sellers, a histogram of book sizes."""
    staff = roster[roster["on_staff"]].sort_values("book", ascending=False)
    figure = Figure(figsize=(max(6, 0.35 * min(len(staff), 40)), 3.4))
    ax = figure.subplots()
    if len(staff) > 40:
        veterans = staff["veteran"].astype(bool)
        ax.hist(
            [staff.loc[veterans, "book"], staff.loc[~veterans, "book"]],
            bins=30,
            stacked=True,
            color=["#4a78a8", "#e39b3b"],
            label=["veterans", "others"],
        )
        ax.set_xlabel("active clients owned")
        ax.set_ylabel("sellers")
        ax.set_title(f"Book sizes of the {len(staff)} sellers on staff")
        ax.legend(fontsize=8)
        return figure
    labels = [names.seller(str(n)) for n in staff.index]
    colors = ["#4a78a8" if v else "#e39b3b" for v in staff["veteran"]]
    ax.bar(labels, staff["book"], color=colors)
    ax.bar(labels, staff["book_consultative"], color="#2d4d6e", label="of which consultative")
    ax.set_ylabel("active clients owned")
    ax.set_title("Book size per seller on staff (blue: veterans, orange: others)")
    ax.tick_params(axis="x", rotation=90, labelsize=7)
    ax.legend(fontsize=8)
    return figure


def win_by_tenure(table: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(5, 3.2))
    ax = figure.subplots()
    ax.bar(table["tenure"], table["win_rate"].fillna(0), color="#4a78a8")
    for k, row in enumerate(table.itertuples()):
        ax.annotate(f"n={row.decided}", (k, 0.02), ha="center", fontsize=8, color="white")
    ax.set_ylim(0, 1)
    ax.set_ylabel("new-business win rate")
    ax.set_title("Win rate by the owner's tenure at closing")
    return figure


def inflow(frame: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(7, 3.2))
    ax = figure.subplots()
    ax.plot(frame["label"], frame["new_deals"], marker="o", label="new-business deals created")
    ax.plot(frame["label"], frame["repeat_deals"], marker="s", label="repeat deals on existing accounts")
    ax.set_ylabel("deals per quarter")
    ax.set_title("Inflow per quarter")
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    ax.legend(fontsize=8)
    return figure


def summary(doc: Document, records: Records, derived: Derived, out: Path, seconds: float) -> None:
    deals, roster, accounts = records.deals, derived.roster, derived.accounts
    aside = sum(count for _, _, count, _ in records.set_aside.table())
    outcomes = {str(k): int(v) for k, v in deals["outcome"].value_counts().items()}
    doc.para(
        f"Scenario written to {out.name} (base preset '{derived.facts['base']}'; the department's policy: "
        f"'{derived.facts['policy']}'). {derived.window.note}. Import took {seconds:.1f} s."
    )
    doc.items(
        [
            f"deals used: {len(deals):,} ({outcomes.get('won', 0):,} won, {outcomes.get('lost', 0):,} lost, "
            f"{outcomes.get('open', 0):,} open); records set aside: {aside:,} (below, by reason)",
            f"sellers: {len(roster)} seen, {int(roster['on_staff'].sum())} on staff, "
            f"{int((roster['on_staff'] & roster['veteran']).sum())} of them veterans",
            f"clients (accounts with a won deal): {len(accounts):,}, {int(accounts['active'].sum()):,} active, "
            f"{int(accounts['churned'].sum()):,} churned (no won deal for "
            f"{derived.facts['settings']['churn_after']} quarters)",
            "consultative work: " + (derived.facts["consultative_rule"] or "no rule given"),
            "new business: " + derived.facts["new_business_rule"],
        ]
    )


def quality(doc: Document, records: Records, derived: Derived) -> None:
    doc.heading("Data quality")
    rows = records.set_aside.table()
    if rows:
        doc.para("Records that could not be used, by reason (rows as a spreadsheet numbers them, the header is row 1):")
        doc.table(["file", "reason", "records", "first rows"], [list(r) for r in rows])
    else:
        doc.para("Every record could be used.")
    warnings = records.warnings + derived.warnings
    doc.para("Warnings:" if warnings else "No warnings.")
    doc.items(warnings, warn=True)
    doc.para("How the files were read and what was decided:")
    doc.items(records.notes + derived.notes)


def scenario_section(doc: Document, derived: Derived) -> None:
    doc.heading("Derived scenario keys")
    doc.table(["key", "value", "from"], [[k, v, c] for k, (v, c) in derived.overrides.items()])
    doc.heading("Measured KPIs (matched by salessim calibrate)")
    doc.table(
        ["KPI", "value", "standard error", "definition", "data"],
        [[name, k.value, k.se, KPIS[name], k.source] for name, k in derived.kpis.items()],
    )


def roster_section(doc: Document, derived: Derived, names: Names) -> None:
    doc.heading("Sellers (the department's roster)")
    doc.para(
        "The simulated department starts from this roster: each seller on staff at the end of the export, with "
        "the tenure and the clients of the seller's own book ([[department.roster]] in the scenario)."
    )
    rows = []
    for name, s in derived.roster.sort_values(["on_staff", "book"], ascending=False).iterrows():
        rows.append(
            [
                names.seller(str(name)),
                names.team(s["team"]) if s["team"] else "",
                s["hired_from"],
                int(s["tenure"]),
                "yes" if s["veteran"] else "",
                "yes" if s["on_staff"] else s["left_from"],
                int(s["deals"]),
                int(s["book"]),
                int(s["book_consultative"]),
                float(s["won_revenue_4q"]),
                float(s["win_rate"]),
            ]
        )
    doc.table(
        [
            "seller",
            "team",
            "tenure from",
            "tenure (q)",
            "veteran",
            "on staff",
            "deals",
            "book",
            "consultative",
            "won k€ (4q)",
            "win rate",
        ],
        rows,
    )


def clients_section(doc: Document, derived: Derived, names: Names) -> None:
    facts, accounts = derived.facts, derived.accounts
    size, conc, shared, days = facts["sizes"], facts["concentration"], facts["shared"], facts["cycle"]
    doc.heading("Clients")
    doc.items(
        [
            f"client size (won revenue per active quarter): median {size['median']:.3g} k€ transactional "
            f"({size['transactional']} clients), consultative {size['factor']:.3g}× larger ({size['consultative']})",
            f"revenue concentration (last four quarters): top 10 clients {conc['top10']:.0%}, top 20% of clients "
            f"{conc['top20pct']:.0%} ({conc['clients']} clients with revenue)",
            f"owners: {shared['accounts_shared']} of {shared['accounts_recent']} recently active accounts won by 2+ "
            f"sellers; owner from: "
            + ", ".join(f"{k} ({v})" for k, v in accounts["owner_from"].value_counts().items()),
            f"sales cycle of won new-business deals: median {days['median']:.0f} days, 90% within {days['p90']:.0f}",
        ]
    )
    top = accounts.sort_values("revenue_4q", ascending=False).head(10)
    doc.table(
        ["client", "owner", "consultative", "won k€ (4q)", "size k€/q"],
        [
            [
                names.client(str(a)),
                names.seller(str(r["owner"])),
                "yes" if r["consultative"] else "",
                float(r["revenue_4q"]),
                float(r["size"]),
            ]
            for a, r in top.iterrows()
        ],
    )


def activity_section(doc: Document, derived: Derived) -> None:
    doc.heading("Win rates and inflow")
    doc.table(
        ["owner's tenure", "decided", "won", "win rate"],
        [[r.tenure, r.decided, r.won, r.win_rate] for r in derived.win_by_tenure.itertuples()],
    )
    frame = derived.quarterly
    doc.table(
        [
            "quarter",
            "new-business deals",
            "of them consultative",
            "repeat deals",
            "won k€",
            "clients at start",
            "clients lost",
        ],
        [
            [r.label, r.new_deals, r.new_consultative, r.repeat_deals, r.won_revenue, r.active_at_start, r.churned]
            for r in frame.itertuples()
        ],
    )


def write_report(folder: Path, records: Records, derived: Derived, names: Names, out: Path, seconds: float) -> Path:
    """Write ``report.md``, ``report.html`` and ``figures/`` into ``folder``."""
    doc = Document(REPORT_TITLE, folder)
    summary(doc, records, derived, out, seconds)
    quality(doc, records, derived)
    scenario_section(doc, derived)
    doc.figure("deal_sizes", deal_sizes(records.deals), "Won deal sizes")
    doc.figure("book_sizes", book_sizes(derived.roster, names), "Book size per seller on staff")
    doc.figure("win_rate_by_tenure", win_by_tenure(derived.win_by_tenure), "Win rate by tenure")
    doc.figure("inflow", inflow(derived.quarterly), "Inflow per quarter")
    roster_section(doc, derived, names)
    clients_section(doc, derived, names)
    activity_section(doc, derived)
    doc.write()
    return folder
