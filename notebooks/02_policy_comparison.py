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
# # Comparing policies from Python
#
# The consultant's workflow: run every policy on many simulated departments, compare them **in
# pairs** (each department under every policy), read the differences with 95% confidence
# intervals, plot them, and load a results folder written by `salessim compare`.
#
# The main policies: `finder_keeps` (the finder of a client keeps it; the baseline),
# `finder_keeps_crm` (the same with a CRM), `dedicated_roles` (hunters and account managers) and
# `dedicated_roles_crm` (roles and a CRM — the book's remedy). Money is in k€. Every number in the
# text comes from a code cell.
#
# **Scale.** To run in well under a minute, `REPS` (replications per policy) is small; the next
# cell prints it. For a report raise it (the CIs narrow roughly as 1/√REPS), or run
# `salessim compare --reps 100` from a shell and load its folder as in section 5.

# %%
import json
import shlex
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, display
from matplotlib.ticker import MaxNLocator

import experiments
from experiments.labels import KEY_METRICS, label, policy_name
from experiments.palette import policy_color, policy_colors
from experiments.payback import j_curve_figure
from experiments.stats import paired_differences, summarise, t_quantile
from simulation import MAIN_POLICIES, SUMMARY_METRICS, run_simulation

# %matplotlib inline
plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})

SCENARIO = "mature_department"
SEED = 2024
REPS = 20  # replications per policy: raise to 50-100 for a report
QUARTERS = 20
POLICIES = list(MAIN_POLICIES)  # the first is the baseline
BASELINE = POLICIES[0]
print("Policies:", ", ".join(POLICIES), f"— baseline {BASELINE}; {REPS} replications of {QUARTERS} quarters.")

# %% [markdown]
# ## 1. Run the replications
#
# `experiments.compare` runs every policy `REPS` times and returns a result holding the tables.
# Replication *r* of every policy is `run_simulation(SCENARIO, policy, seed=SEED, replication=r)`:
# the same starting department, the same leads and the same luck. These are **common random
# numbers**, exactly what `salessim compare` does (the command is a thin layer over this call).
# The runs use every core; `workers=1` keeps them in this process.

# %%
result = experiments.compare(SCENARIO, POLICIES, REPS, quarters=QUARTERS, seed=SEED, progress=False)
runs, timeseries = result.runs, result.timeseries
print(result)
print(f"{len(runs)} runs: {len(POLICIES)} policies × {REPS} replications × {QUARTERS} quarters.")
runs[["policy", "replication", "revenue_total", "golden_fund_revenue_final_year", "veteran_skill_change"]].head()

# %% [markdown]
# ## 2. Why pairing matters
#
# Departments differ a lot from one replication to the next (their market, who quits), much more
# than policies do. Because every policy runs on the same departments, we compare each department
# with itself: the line for each replication below connects its revenue under the two policies.

# %%
wide = runs.pivot(index="replication", columns="policy", values="revenue_total")
fig, ax = plt.subplots(figsize=(7, 4.5))
for _, row in wide.iterrows():
    colour = "tab:green" if row["dedicated_roles_crm"] > row[BASELINE] else "tab:red"
    ax.plot([0, 1], [row[BASELINE], row["dedicated_roles_crm"]], color=colour, marker="o", alpha=0.7)
ax.set_xticks([0, 1], [BASELINE, "dedicated_roles_crm"])
ax.set(title="Revenue over the run, each line one department (green: higher with the remedy)", ylabel="k€")
plt.show()

n = len(wide)
t = t_quantile(0.975, n - 1)
paired_half = t * (wide["dedicated_roles_crm"] - wide[BASELINE]).std() / np.sqrt(n)
unpaired_half = t * np.sqrt((wide["dedicated_roles_crm"].var() + wide[BASELINE].var()) / n)
higher = int((wide["dedicated_roles_crm"] > wide[BASELINE]).sum())
print(
    f"Revenue varies across departments with a standard deviation of {wide[BASELINE].std():,.0f} k€ "
    f"(finder keeps); the remedy earned more in {higher} of {n} departments."
)
print(
    f"95% CI half-width of the revenue difference: ±{paired_half:,.0f} k€ paired, versus ±{unpaired_half:,.0f} k€ "
    f"if the two policies had run on different departments ({unpaired_half / paired_half:.1f} times wider)."
)

# %% [markdown]
# ## 3. The tables: each policy, and each policy minus the baseline
#
# `result.summary` gives each metric's mean and 95% CI per policy; `result.paired` gives each
# policy minus the baseline (the first policy), replication by replication, with a 95% CI. A
# difference whose CI excludes 0 is one the replications can tell apart from noise.

# %%
summary, paired = result.summary, result.paired


def fmt(value: float, signed: bool = False) -> str:
    digits = 0 if abs(value) >= 100 else 3
    return f"{value:{'+' if signed else ''},.{digits}f}"


key = summary[summary.metric.isin(KEY_METRICS)]
table = key.assign(
    cell=[f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]" for m, lo, hi in zip(key["mean"], key.ci_low, key.ci_high, strict=True)]
)
table = table.pivot(index="metric", columns="policy", values="cell").reindex(index=list(KEY_METRICS), columns=POLICIES)
table.index = [label(m) for m in table.index]
display(table)

# %%
diffs = paired[paired.metric.isin(KEY_METRICS)].copy()
diffs["95% CI"] = [f"[{fmt(lo, True)}, {fmt(hi, True)}]" for lo, hi in zip(diffs.ci_low, diffs.ci_high, strict=True)]
diffs["verdict"] = np.where(diffs.ci_low > 0, "higher", np.where(diffs.ci_high < 0, "lower", "not clear"))
diffs["metric"] = diffs.metric.map(label)
diffs.assign(mean_diff=diffs.mean_diff.map(lambda v: fmt(v, True)))[
    ["metric", "policy", "mean_diff", "95% CI", "verdict", "n"]
].set_index(["metric", "policy"])

# %% [markdown]
# ## 4. The plots
#
# Quarter by quarter, the mean over replications with its 95% band (drawn here with pyplot, from
# `result.timeseries`); then the paired differences, one of the result's own figures
# (`result.figures()` gives them all, `result.plot(metric)` one at a time).

# %%
PANELS = {
    "revenue": "Revenue per quarter, k€",
    "golden_fund_revenue": "Golden-fund revenue per quarter, k€",
    "veteran_skill": "Veterans' consultative skill (those on staff)",
    "veteran_service_share": "Veterans' time spent servicing (share)",
}
bands = summarise(timeseries, list(PANELS), by=["policy", "quarter"])
fig, axes = plt.subplots(2, 2, figsize=(13, 8))
for ax, (metric, title) in zip(axes.flat, PANELS.items(), strict=True):
    for policy in POLICIES:
        rows = bands[(bands.policy == policy) & (bands.metric == metric)].dropna(subset=["mean"])
        if metric == "veteran_service_share":
            rows = rows[rows.quarter > 0]  # nobody has worked yet at quarter 0
        ax.plot(rows.quarter, rows["mean"], color=policy_color(policy), label=policy_name(policy))
        ax.fill_between(rows.quarter, rows.ci_low, rows.ci_high, color=policy_color(policy), alpha=0.18, linewidth=0)
    ax.set(title=title, xlabel="quarter")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0, 0].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
result.plot("revenue_total")

# %%
display(result.figures()["paired_differences"])

# %% [markdown]
# ## What the numbers say
#
# The reading below is generated from the tables (it is the reading of `salessim compare`'s
# report), followed by the two comparisons that separate the parts of the remedy: roles without a
# CRM, and a CRM without roles.

# %%
for sentence in result.reading():
    print(sentence)

others = POLICIES[1:]


def revenue_diff(policy: str) -> pd.Series:
    return paired[(paired.policy == policy) & (paired.metric == "revenue_total")].iloc[0]


def verdict(row: pd.Series) -> str:
    where = "above" if row.ci_low > 0 else "below" if row.ci_high < 0 else "includes"
    return f"{row.mean_diff:+,.0f} k€ [{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], CI {where} 0"


base_revenue = summary[(summary.policy == BASELINE) & (summary.metric == "revenue_total")]["mean"].iloc[0]
print()
for policy in others:
    row = revenue_diff(policy)
    print(f"Revenue, {policy} minus {BASELINE}: {verdict(row)} ({row.mean_diff / base_revenue:+.1%}).")
crm_alone, remedy = revenue_diff("finder_keeps_crm").mean_diff, revenue_diff("dedicated_roles_crm").mean_diff
if remedy > 0:
    print(
        f"The revenue gain of a CRM alone (finder_keeps_crm) is {crm_alone / remedy:.0%} of the gain of roles "
        "with a CRM."
    )
roles_on_crm = paired_differences(runs, ["revenue_total"], "finder_keeps_crm")
row = roles_on_crm[roles_on_crm.policy == "dedicated_roles_crm"].iloc[0]
print(f"Roles added to a CRM (dedicated_roles_crm minus finder_keeps_crm): {verdict(row)}.")

# %% [markdown]
# Reading these against the book: its remedy is roles **and** a CRM, and the model lets us take the
# two apart. In the model, roles cost something too: every client a hunter develops is handed to an
# account manager, and each handoff costs personal loyalty; a CRM makes handoffs cheaper, whoever
# holds the clients (`docs/model.md`, sections 2.7 and 8). With few replications some CIs are wide;
# raise `REPS` before drawing a line under a result.
#
# ## 5. A results folder: saving one, loading one written by `salessim compare`
#
# `result.save(path)` writes the folder `salessim compare` writes; `out=path` in `compare` saves
# each run there as it finishes (an interrupted call finishes with `resume=True`). Here a small
# comparison goes into a temporary folder; the cell prints the same command for a shell. To read
# your own folder, set `folder = Path("results/<its name>")` and run the cells after this one.

# %%
workdir = tempfile.TemporaryDirectory()
DEMO = ["compare", "--seed", str(SEED), "--reps", "10", "--quarters", "12"]
print("From a shell:", shlex.join(["salessim", *DEMO, "--out", "results/demo"]))
demo = experiments.compare(SCENARIO, POLICIES, 10, quarters=12, seed=SEED, progress=False)
folder = demo.save(Path(workdir.name) / "demo")

# %% [markdown]
# What is in the folder (the README's "The results folder" section describes each file):

# %%
for path in sorted(folder.rglob("*")):
    if path.is_file() and path.parent.name != "runs":
        print(path.relative_to(folder))
print(f"runs/: {len(list((folder / 'runs').iterdir()))} files, one per finished run (what --resume picks up)")

# %%
folder_summary = pd.read_csv(folder / "summary.csv")  # policy, metric, mean, ci_low, ci_high, n
folder_paired = pd.read_csv(folder / "paired_differences.csv")  # policy, baseline, metric, mean_diff, ci_low, ...
folder_runs = pd.read_parquet(folder / "runs.parquet")  # one row per policy × replication
folder_series = pd.read_parquet(folder / "timeseries.parquet")  # policy, replication, quarter, metrics...
manifest = json.loads((folder / "manifest.json").read_text())
print(
    f"manifest: {manifest['subcommand']}, status {manifest['status']}, root seed {manifest['root_seed_entropy']}, "
    f"policies {', '.join(manifest['arguments']['policies'])}, {manifest['arguments']['reps']} replications"
)
folder_paired[folder_paired.metric == "revenue_total"]

# %% [markdown]
# The tables are consistent with the runs they came from, and each run can be reproduced on its own
# from the scenario the folder records for its policy (`scenarios/<policy>.toml`; `scenario.toml`
# is the one all policies share):

# %%
again = paired_differences(folder_runs, [m for m in SUMMARY_METRICS if m in folder_runs], "finder_keeps")
merged = folder_paired.merge(again, on=["policy", "baseline", "metric"], suffixes=("", "_again"))
same = np.allclose(merged.mean_diff, merged.mean_diff_again, equal_nan=True)
print(f"paired_differences.csv recomputed from runs.parquet: identical = {same}")

row = folder_runs[(folder_runs.policy == "dedicated_roles") & (folder_runs.replication == 3)].iloc[0]
demo_quarters = int(folder_series.quarter.max())
alone = run_simulation(
    folder / "scenarios" / "dedicated_roles.toml", "dedicated_roles", seed=int(row.seed), replication=3
)
print(
    f"run_simulation(scenarios/dedicated_roles.toml, seed={int(row.seed)}, replication=3): {demo_quarters} quarters, "
    f"revenue {alone.summary['revenue_total']:,.1f} k€; runs.parquet {row.revenue_total:,.1f} k€"
)

# %%
golden = summarise(folder_series, ["golden_fund_revenue"], by=["policy", "quarter"])
fig, ax = plt.subplots(figsize=(9, 4))
for policy, rows in golden.groupby("policy", sort=False):
    ax.plot(rows.quarter, rows["mean"], color=policy_color(policy), label=policy_name(policy))
    ax.fill_between(rows.quarter, rows.ci_low, rows.ci_high, color=policy_color(policy), alpha=0.18, linewidth=0)
ax.set(title="From timeseries.parquet: golden-fund revenue per quarter, k€", xlabel="quarter")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The folder's own figures (also embedded in `report.html`), e.g. the paired differences:

# %%
display(Image(filename=str(folder / "figures" / "paired_differences.png"), width=900))
workdir.cleanup()  # the demo folder is temporary; your own folders under results/ stay

# %% [markdown]
# ## 6. A switch in the middle of the run: what it costs and when it pays back
#
# The consultant's client has run under finder keeps for years. With `switch_at=Q` every policy
# but the first runs as the first (the department's current policy) until quarter `Q`, then
# switches: roles assigned from the sellers' actual skill and tenure, books moved by planned
# handoffs, a CRM rolled out over a year with its one-off cost. Up to quarter `Q` both runs of a
# replication are the very same department, so the quarterly profit difference is 0 until the
# switch; its running sum is the **J-curve**. The **payback quarter** is the first after which the
# running difference stays above 0; the **NPV** discounts each quarter's difference at the
# scenario's `finance.discount_rate`.

# %%
SWITCH_AT = 4
switch = experiments.compare(
    SCENARIO, [BASELINE, "dedicated_roles_crm"], REPS, quarters=QUARTERS, seed=SEED, switch_at=SWITCH_AT, progress=False
)
print(switch)
switch.payback.drop(columns="baseline")  # payback.csv's columns

# %%
display(j_curve_figure(switch.j_curve, switch.payback, policy_colors(switch.policies), SWITCH_AT))

# %% [markdown]
# The decision page at the top of the report, from the same numbers (rounded to what their
# confidence intervals support; "clear" means after Holm's correction over every paired test):

# %%
for name, text in switch.decision().paragraphs:
    print(f"{name}. {text}\n")
