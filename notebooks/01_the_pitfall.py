# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The finder-keeps pitfall, quarter by quarter
#
# A B2B sales book warns against the rule **"whoever found and developed the client keeps it"**
# (*finder keeps*). Its story: experienced sellers end up invoicing loyal clients who send routine
# (*transactional*) orders, and their consultative skill fades; a newcomer is handed the hard
# (*consultative*) clients nobody else wants, fails and quits; and the company loses its
# **golden fund** of consultative clients. The remedy: separate roles and a CRM.
#
# This notebook follows **one simulated department** (`fresh_start`: the book's department on the day
# its veterans are at their best, so that the pitfall unfolds in front of us; the default
# `mature_department` is the same department after years of finder keeps, where it has already
# happened) quarter by quarter under finder keeps (its
# size and horizon are printed below), then replays **the same department in the same market** under the remedy,
# dedicated roles with a CRM (`dedicated_roles_crm`). One department is a story, not evidence:
# `02_policy_comparison` averages over many. Every number in the text comes from a code cell.
#
# Words used below: a **veteran** is one of the experienced sellers on staff at the start; a
# **newcomer** is a seller in their first year; **skill** is consultative skill from 0 to 1;
# money is in thousands of euros (k€).

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simulation import SalesModel, resolve_scenario, run_simulation
from simulation.ledger import Stage
from simulation.metrics import run_summary, timeseries

SCENARIO = "fresh_start"  # the department on the day its veterans are at their best: the pitfall unfolds
SEED = 2024
QUARTERS = 20
CANDIDATES = 21  # departments (replications) to choose a typical one from; odd, so there is a median
POLICIES = ["finder_keeps", "dedicated_roles_crm"]
GROUP_COLOURS = {"veteran": "tab:blue", "newcomer": "tab:red", "other": "tab:grey"}
ROLE_COLOURS = {"generalist": "tab:blue", "hunter": "tab:green", "account_manager": "tab:orange"}
plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})

department = resolve_scenario(SCENARIO).department
THRESHOLD = resolve_scenario(SCENARIO).clients.consultative_threshold  # complexity above it: consultative
print(
    f"Scenario {SCENARIO}: {department.sellers} sellers, {department.veterans} of them veterans, and a head of "
    f"department; {QUARTERS} quarters ({QUARTERS / 4:g} years)."
)

# %% [markdown]
# ## Which department?
#
# Each replication of the model is a different department with its own market. To avoid telling the
# best (or worst) case, we run `CANDIDATES` departments under both policies and follow the one whose
# revenue gap between the two policies is the median.

# %%
gaps = []
for replication in range(CANDIDATES):
    revenue = {
        policy: run_simulation(SCENARIO, policy, seed=SEED, replication=replication, quarters=QUARTERS).summary[
            "revenue_total"
        ]
        for policy in POLICIES
    }
    gaps.append({"replication": replication, "gap": revenue[POLICIES[1]] - revenue[POLICIES[0]]})
gaps = pd.DataFrame(gaps).sort_values("gap", ignore_index=True)
REPLICATION = int(gaps.replication[CANDIDATES // 2])
print(
    f"Revenue gap ({POLICIES[1]} minus {POLICIES[0]}) over {QUARTERS} quarters across {CANDIDATES} "
    f"departments: from {gaps.gap.min():+,.0f} to {gaps.gap.max():+,.0f} k€, median {gaps.gap.median():+,.0f} k€."
)
print(f"We follow department (replication) {REPLICATION} of seed {SEED}.")


# %%
def group_of(seller) -> str:
    if seller.veteran:
        return "veteran"
    return "newcomer" if seller.newcomer else "other"


def follow(policy: str) -> dict:
    """Run one department quarter by quarter, recording every seller after each quarter."""
    model = SalesModel(SCENARIO, policy, seed=SEED, replication=REPLICATION, overrides={"quarters": QUARTERS})
    rows = []

    def record() -> None:
        ledger = model.ledger
        owner, stage, complexity = ledger.owner, ledger.stage, ledger.complexity
        for seller in model.regular_sellers():
            pursued = (owner == seller.desk) & (stage == Stage.PURSUIT)
            rows.append(
                {
                    "quarter": model.quarter,
                    "seller": seller.name,
                    "group": group_of(seller),
                    "veteran": seller.veteran,
                    "role": seller.role.value,
                    "skill": seller.skill,
                    "service_share": seller.service_share,
                    **seller.book_mix(),
                    "pursuits": int(pursued.sum()),
                    "pursuit_complexity": float(complexity[pursued].sum()),
                }
            )

    record()
    for _ in range(QUARTERS):
        model.step()
        record()
    quarters = timeseries(model)
    quits = pd.DataFrame(
        [
            {
                "quarter": q,
                "seller": s.name,
                "group": "veteran" if s.veteran else ("newcomer" if s.newcomer else "other"),
            }
            for q, s in model.staff.quits
        ],
        columns=["quarter", "seller", "group"],
    )
    return {
        "policy": policy,
        "model": model,
        "people": pd.DataFrame(rows),
        "quarters": quarters,
        "summary": run_summary(model),
        "quits": quits,
    }


runs = {policy: follow(policy) for policy in POLICIES}
fk = runs["finder_keeps"]


# %%
def book_mix(run: dict, group: str = "veteran") -> pd.DataFrame:
    """Clients per seller of a group, by type, each quarter."""
    people = run["people"][run["people"].group == group]
    return people.groupby("quarter")[["transactional", "consultative", "strategic"]].mean()


def transactional_share(run: dict, group: str = "veteran") -> pd.Series:
    totals = (
        run["people"][run["people"].group == group]
        .groupby("quarter")[["transactional", "consultative", "strategic"]]
        .sum()
    )
    return totals.transactional / totals.sum(axis=1)


def quarter_axis(ax) -> None:
    ax.set_xlabel("quarter")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def lead_complexity(run: dict) -> pd.DataFrame:
    """Per group: mean complexity of the leads it was working on, and its mean skill (all quarters)."""
    people = run["people"][run["people"].quarter > 0]
    groups = people.groupby("group").agg(
        pursuits=("pursuits", "sum"), complexity=("pursuit_complexity", "sum"), skill=("skill", "mean")
    )
    groups["mean_complexity"] = groups.complexity / groups.pursuits
    return groups.reindex(["veteran", "newcomer", "other"]).dropna(subset=["mean_complexity"])


def draw_books(ax, run: dict) -> None:
    mix = book_mix(run)
    ax.bar(mix.index, mix.transactional, color="tab:olive", label="transactional")
    ax.bar(
        mix.index,
        mix.consultative + mix.strategic,
        bottom=mix.transactional,
        color="tab:purple",
        label="consultative (golden fund)",
    )
    ax.set(title=f"{run['policy']}: clients per veteran on staff", ylabel="clients")
    ax.legend(loc="lower left", fontsize="small")
    quarter_axis(ax)


def draw_skills(ax, run: dict) -> None:
    people = run["people"]
    for (_seller, veteran), line in people.groupby(["seller", "veteran"], sort=False):
        role = line.role.iloc[-1]
        ax.plot(
            line.quarter,
            line.skill,
            color=ROLE_COLOURS.get(role, "black"),
            linewidth=2.2 if veteran else 0.9,
            alpha=0.9 if veteran else 0.6,
        )
    handles = [
        plt.Line2D([], [], color=c, label=r.replace("_", " ")) for r, c in ROLE_COLOURS.items() if r in set(people.role)
    ]
    handles += [
        plt.Line2D([], [], color="black", linewidth=2.2, label="veteran (thick)"),
        plt.Line2D([], [], color="black", linewidth=0.9, label="hired later (thin)"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize="small")
    ax.set(title=f"{run['policy']}: each seller's consultative skill", ylabel="skill", ylim=(0, 1.02))
    quarter_axis(ax)


def draw_golden(ax, run: dict) -> None:
    q = run["quarters"]
    ax.plot(q.quarter, q.golden_fund_clients, color="tab:purple", marker="o", markersize=3)
    ax.set(title=f"{run['policy']}: golden fund (active consultative clients)", ylabel="clients")
    quarter_axis(ax)


def draw_quits(ax, run: dict) -> None:
    counts = run["quits"].groupby(["quarter", "group"]).size().unstack(fill_value=0)
    counts = counts.reindex(range(1, QUARTERS + 1), fill_value=0)
    bottom = np.zeros(len(counts))
    for group in ["veteran", "newcomer", "other"]:
        if group in counts:
            ax.bar(counts.index, counts[group], bottom=bottom, color=GROUP_COLOURS[group], label=group)
            bottom += counts[group].to_numpy()
    ax.set(title=f"{run['policy']}: sellers who quit", ylabel="quits")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="small")
    quarter_axis(ax)


def draw_complexity(ax, run: dict) -> None:
    groups = lead_complexity(run)
    x = np.arange(len(groups))
    ax.bar(x - 0.2, groups.mean_complexity, width=0.4, color="tab:purple", label="complexity of the leads worked")
    ax.bar(x + 0.2, groups.skill, width=0.4, color="tab:cyan", label="mean skill of the group")
    ax.axhline(THRESHOLD, color="black", linestyle=":", linewidth=1)
    ax.set_xticks(x, groups.index)
    ax.set(title=f"{run['policy']}: lead complexity vs skill, by group", ylim=(0, 1))
    ax.legend(fontsize="small", loc="upper right")


# %% [markdown]
# ## 1. The veterans' books fill with transactional clients
#
# Under finder keeps each seller keeps every client they ever won. A loyal client needs invoicing,
# logistics and meetings every quarter, so a full book eats the veterans' time; what is left goes to
# new leads and to the consultative work that keeps skill alive.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
draw_books(left, fk)
right.plot(
    fk["quarters"].quarter[1:], fk["quarters"].veteran_service_share[1:], color="tab:blue", marker="o", markersize=3
)
right.set(title="finder_keeps: veterans' time spent servicing their books", ylabel="share of a quarter", ylim=(0, 1))
quarter_axis(right)
fig.tight_layout()
plt.show()

share = transactional_share(fk)
veterans_left = fk["people"].query("quarter == @QUARTERS and veteran").shape[0]
veterans_start = fk["people"].query("quarter == 0 and veteran").shape[0]
print(
    f"Transactional clients in the veterans' books: {share.iloc[0]:.0%} at the start, "
    f"{share.iloc[-1]:.0%} after {QUARTERS} quarters ({veterans_left} of {veterans_start} veterans still on staff)."
)
print(
    f"Over the run the veterans spent on average {fk['summary']['veteran_service_share']:.0%} of their time "
    "servicing the clients they already had."
)

# %% [markdown]
# ## 2. Their skill falls
#
# Skill grows with consultative practice and fades without it. Thick lines are the veterans; thin
# lines are the people hired during the run.

# %%
fig, ax = plt.subplots(figsize=(12, 4.5))
draw_skills(ax, fk)
plt.show()

q = fk["quarters"]
print(
    f"Mean skill of the veterans on staff: {q.veteran_skill.iloc[0]:.2f} at the start, "
    f"{q.veteran_skill.iloc[-1]:.2f} at quarter {QUARTERS}."
)
print(
    f"Counting each veteran at the skill they had when they left (if they left), the veterans' skill changed by "
    f"{fk['summary']['veteran_skill_change']:+.2f} on average."
)

# %% [markdown]
# ## 3. Newcomers get the hard leads, fail and quit
#
# Veterans pick the leads they like first; the head of department gives what is left to whoever has
# the smallest book — the newcomers. The left chart compares how hard (complex) the leads were that
# each group was working on, against its skill; above the dotted line a lead counts as consultative.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
draw_complexity(left, fk)
draw_quits(right, fk)
fig.tight_layout()
plt.show()

by_group = lead_complexity(fk)
quits = fk["quits"].group.value_counts()
s = fk["summary"]
print(
    f"Leads newcomers worked on had mean complexity {by_group.mean_complexity.get('newcomer', np.nan):.2f}; "
    f"veterans' {by_group.mean_complexity.get('veteran', np.nan):.2f}."
)
print(
    f"Newcomers won {s['newcomer_win_rate']:.0%} of the leads they pursued; "
    f"{s['newcomer_attrition_1y']:.0%} of those hired left within their first year."
)
print(
    f"Quits over {QUARTERS} quarters: {quits.get('newcomer', 0)} newcomers, {quits.get('veteran', 0)} veterans, "
    f"{quits.get('other', 0)} others (annual turnover {s['seller_turnover_annual']:.0%})."
)

# %% [markdown]
# The event log says the same in words (the first lines about time spent invoicing and about quits):

# %%
events = fk["model"].events
servicing = [str(e) for e in events if e.kind == "servicing"]
quit_lines = [str(e) for e in events if e.kind == "quit"]
print("\n".join([*servicing[:4], "...", *quit_lines[:6], "..."]))

# %% [markdown]
# ## 4. The golden fund shrinks

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
draw_golden(left, fk)
right.plot(q.quarter, q.golden_fund_revenue, color="tab:purple", marker="o", markersize=3)
right.set(title="finder_keeps: golden-fund revenue per quarter", ylabel="k€")
quarter_axis(right)
fig.tight_layout()
plt.show()

churn_lines = [e.text for e in events if e.kind == "churn"]
after_handoff = sum("after a handoff" in line for line in churn_lines)
print(
    f"Golden fund: {q.golden_fund_clients.iloc[0]} consultative clients at the start, "
    f"{q.golden_fund_clients.iloc[-1]} at quarter {QUARTERS}; {s['golden_fund_retention']:.0%} of the original "
    f"ones are still clients. {len(churn_lines)} golden-fund clients churned, {after_handoff} of them within a "
    "year of changing hands."
)

# %% [markdown]
# ## 5. The same department under dedicated roles and a CRM
#
# Same people at the start, same leads arriving, same luck (common random numbers). The difference:
# the most skilled veterans become **hunters** who win and develop consultative clients, the others
# and every newcomer become **account managers** who keep the books, and a CRM moves client loyalty
# from the person to the firm. Left column: finder keeps; right column: dedicated roles with a CRM.

# %%
fig, axes = plt.subplots(4, 2, figsize=(13, 15), sharey="row")
for column, policy in enumerate(POLICIES):
    draw_books(axes[0, column], runs[policy])
    draw_skills(axes[1, column], runs[policy])
    draw_complexity(axes[2, column], runs[policy])
    draw_golden(axes[3, column], runs[policy])
fig.tight_layout()
plt.show()

same_quits = set(fk["quits"].seller) == set(runs["dedicated_roles_crm"]["quits"].seller)
print(
    f"Sellers who quit: {len(fk['quits'])} under finder keeps, {len(runs['dedicated_roles_crm']['quits'])} under "
    f"dedicated roles with a CRM; the same people under both: {same_quits}. (Some quitting happens for reasons "
    "outside the model, and both runs share the same luck.)"
)

# %% [markdown]
# The two runs in numbers, and what changed:

# %%
METRICS = {
    "revenue_total": "revenue over the run, k€",
    "golden_fund_revenue_final_year": "golden-fund revenue in the final year, k€",
    "golden_fund_retention": "share of the original golden fund kept",
    "veteran_skill_change": "veterans' skill change",
    "top_veteran_skill_change": "skill change of the most skilled veterans",
    "newcomer_win_rate": "newcomers' win rate",
    "quits_total": "sellers who quit",
}
table = pd.DataFrame(
    {policy: {label: runs[policy]["summary"][key] for key, label in METRICS.items()} for policy in POLICIES}
)
table["difference"] = table[POLICIES[1]] - table[POLICIES[0]]
table.round(3)

# %%
dr = runs["dedicated_roles_crm"]
a, b = fk["summary"], dr["summary"]


def skill_change(people: pd.DataFrame) -> float:
    """Mean over sellers of (last recorded skill - first recorded skill)."""
    ends = people.sort_values("quarter").groupby("seller").skill.agg(["first", "last"])
    return float((ends["last"] - ends["first"]).mean())


final_roles = dr["people"].sort_values("quarter").groupby("seller").role.last()
veteran_ams = dr["people"][dr["people"].veteran & dr["people"].seller.map(final_roles).eq("account_manager")]
revenue = {p: runs[p]["quarters"].set_index("quarter").revenue for p in POLICIES}
behind = [q for q in range(1, QUARTERS + 1) if revenue["dedicated_roles_crm"][q] < revenue["finder_keeps"][q]]
print(
    f"Revenue over {QUARTERS} quarters: {b['revenue_total']:,.0f} k€ with dedicated roles and a CRM vs "
    f"{a['revenue_total']:,.0f} k€ with finder keeps ({b['revenue_total'] / a['revenue_total'] - 1:+.1%}); "
    f"the remedy earned less than finder keeps in {len(behind)} of the {QUARTERS} quarters "
    f"(quarters {', '.join(map(str, behind)) or 'none'})."
)
print(
    f"Golden fund at quarter {QUARTERS}: {dr['quarters'].golden_fund_clients.iloc[-1]} vs "
    f"{fk['quarters'].golden_fund_clients.iloc[-1]} consultative clients (from {q.golden_fund_clients.iloc[0]}); "
    f"golden-fund revenue in the final year: {b['golden_fund_revenue_final_year']:,.0f} vs "
    f"{a['golden_fund_revenue_final_year']:,.0f} k€."
)
print(
    f"The most skilled veterans' skill changed by {b['top_veteran_skill_change']:+.2f} as hunters, "
    f"{a['top_veteran_skill_change']:+.2f} as generalists under finder keeps."
)
print(
    f"The {veteran_ams.seller.nunique()} veterans who became account managers changed skill by "
    f"{skill_change(veteran_ams):+.2f} on average (while on staff); under finder keeps the veterans changed by "
    f"{skill_change(fk['people'][fk['people'].veteran]):+.2f}."
)

# %% [markdown]
# ## What to take from this
#
# A scorecard of the book's chain of events in this department, each line checked against the
# numbers above:

# %%
fk_groups, dr_groups = lead_complexity(fk), lead_complexity(dr)
veteran_change = skill_change(fk["people"][fk["people"].veteran])
claims = [
    (
        "Under finder keeps the veterans spend most of their time servicing",
        a["veteran_service_share"] > 0.5,
        f"{a['veteran_service_share']:.0%} of their time",
    ),
    ("... and their consultative skill falls", a["veteran_skill_change"] < 0, f"{a['veteran_skill_change']:+.2f}"),
    (
        "Newcomers work on harder leads than veterans",
        fk_groups.mean_complexity.get("newcomer", np.nan) > fk_groups.mean_complexity.get("veteran", np.nan),
        f"complexity {fk_groups.mean_complexity.get('newcomer', np.nan):.2f} vs "
        f"{fk_groups.mean_complexity.get('veteran', np.nan):.2f}",
    ),
    (
        "... and win less often than under dedicated roles with a CRM",
        a["newcomer_win_rate"] < b["newcomer_win_rate"],
        f"{a['newcomer_win_rate']:.0%} vs {b['newcomer_win_rate']:.0%}",
    ),
    (
        "The golden fund shrinks under finder keeps",
        fk["quarters"].golden_fund_clients.iloc[-1] < fk["quarters"].golden_fund_clients.iloc[0],
        f"{fk['quarters'].golden_fund_clients.iloc[0]} → {fk['quarters'].golden_fund_clients.iloc[-1]} clients",
    ),
    (
        "... and more of it is left under dedicated roles with a CRM",
        dr["quarters"].golden_fund_clients.iloc[-1] > fk["quarters"].golden_fund_clients.iloc[-1],
        f"{dr['quarters'].golden_fund_clients.iloc[-1]} vs {fk['quarters'].golden_fund_clients.iloc[-1]} at the end",
    ),
    (
        "Hunters keep their skill better than the same people as generalists",
        b["top_veteran_skill_change"] > a["top_veteran_skill_change"],
        f"{b['top_veteran_skill_change']:+.2f} vs {a['top_veteran_skill_change']:+.2f}",
    ),
    (
        "Veterans made account managers lose skill faster than veterans under finder keeps",
        skill_change(veteran_ams) < veteran_change,
        f"{skill_change(veteran_ams):+.2f} vs {veteran_change:+.2f}",
    ),
    (
        "Dedicated roles with a CRM earn more over the run",
        b["revenue_total"] > a["revenue_total"],
        f"{b['revenue_total'] - a['revenue_total']:+,.0f} k€",
    ),
]
for claim, holds, evidence in claims:
    print(f"{'yes' if holds else 'NO '}  {claim} ({evidence})")

# %% [markdown]
# Where a line says NO, this department does not follow the book on that point; the printed numbers
# say by how much. Two things to bring into a training room:
#
# - Under dedicated roles the account managers take over the servicing, and with it the risk of
#   losing skill: check the last-but-one line. The pitfall can move rather than vanish.
# - This is **one** department. Whether the remedy pays on average, and which part of it (roles or the
#   CRM) does the work, is the question of `02_policy_comparison`; when it does not pay is in
#   `03_what_if`.
#
# Try another `SEED`, a longer `QUARTERS`, or another scenario (`salessim scenarios` lists them) in the
# first code cell and rerun.
