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
# # What if? When does finder keeps not hurt?
#
# `02_policy_comparison` compares the policies in one setting, the default `mature_department`.
# Here we move one lever at a time and watch the paired revenue difference against finder keeps:
#
# - **share of consultative leads** (`market.consultative_share`): how much of the incoming work
#   needs consultative skill;
# - **forgetting rate** (`skill.forgetting_rate`): how fast unused skill fades (0 = never);
# - **CRM adoption** (`crm.adoption`): how much of the work the team records in the CRM, for the
#   policies that have one (the `*_crm` policies).
#
# For each lever value, every policy runs on the same departments (common random numbers), and we
# plot *policy minus finder keeps* in revenue over the run, k€, with its 95% CI. Above zero the alternative
# earns more; where the CI straddles zero, finder keeps does not measurably hurt. Every number in the
# text comes from a code cell.
#
# **Scale.** To stay under a minute, `REPS` is small and each lever has a few values (the next cell
# prints them); the runs use all cores. For a report raise `REPS` and refine the grids, or run e.g.
# `salessim sweep --vary market.consultative_share=0,0.1,0.2,0.3,0.4,0.5,0.6,0.7 --policies
# finder_keeps,dedicated_roles,dedicated_roles_crm --reps 50` and load its folder as in notebook 02.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import experiments
from experiments.stats import paired_differences
from simulation import resolve_scenario

# %matplotlib inline
plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})

SCENARIO = "mature_department"
SEED = 2024
REPS = 12  # replications per policy and lever value: raise to 50 for a report
QUARTERS = 20
BASE = resolve_scenario(SCENARIO, {"quarters": QUARTERS})
LEVERS = {
    "market.consultative_share": (0.0, 0.25, 0.5, 0.75),
    "skill.forgetting_rate": (0.0, 0.1, 0.2, 0.35),
    "crm.adoption": (0.0, 0.4, 0.8, 1.0),
}
DEFAULTS = {
    "market.consultative_share": BASE.market.consultative_share,
    "skill.forgetting_rate": BASE.skill.forgetting_rate,
    "crm.adoption": BASE.crm.adoption,
}  # the adoption the *_crm policies use
METRIC = "revenue_total"
print(f"{REPS} replications of {QUARTERS} quarters per policy and lever value.")
for key, value in DEFAULTS.items():
    print(f"{key}: values {LEVERS[key]}, default {value}")

# %% [markdown]
# ## Running a sweep
#
# `experiments.sweep(vary={key: values}, ...)` is what `salessim sweep` runs: every value × every
# policy × every replication, replication *r* always on the same random streams, on all cores. Its
# result's `paired` table holds each policy minus the first one (the baseline) at each value.


# %%
def sweep(key: str, values: tuple, policies: list[str], overrides: dict | None = None) -> pd.DataFrame:
    """Each policy minus the first, paired by replication, at each value of ``key`` (the metric only)."""
    result = experiments.sweep(
        {key: list(values)}, SCENARIO, policies, REPS, quarters=QUARTERS, seed=SEED, overrides=overrides, progress=False
    )
    runs.append(result.runs)
    return result.paired[result.paired.metric == METRIC]


runs: list[pd.DataFrame] = []  # every sweep's runs, kept to count them and to pair them another way


# %% [markdown]
# ## The three sweeps
#
# For the first two levers: `dedicated_roles` and `dedicated_roles_crm` against `finder_keeps`.
#
# CRM adoption is different: it changes only what a policy *with* a CRM runs (the `*_crm` policies;
# varying it for a policy without one would change nothing, and `sweep` refuses that). At adoption 0
# a `*_crm` policy runs exactly like its base policy. So we run finder keeps, finder keeps with a CRM
# and roles with a CRM at each adoption, and compare three ways: **roles with a CRM at this adoption
# − finder keeps without a CRM** (the book's full remedy against the status quo; at the default
# adoption this is `dedicated_roles_crm − finder_keeps`); **roles − finder keeps, both with this
# CRM** (what roles add once both have it; at adoption 0 this is `dedicated_roles − finder_keeps`);
# and **finder keeps with this CRM − without** (the CRM alone).

# %%
MAIN = ["finder_keeps", "dedicated_roles", "dedicated_roles_crm"]
differences = {}
for key in ["market.consultative_share", "skill.forgetting_rate"]:
    diff = sweep(key, LEVERS[key], MAIN)
    diff["comparison"] = diff.policy + " − finder_keeps"
    differences[key] = diff

key = "crm.adoption"
crm = sweep(key, LEVERS[key], ["finder_keeps", "finder_keeps_crm", "dedicated_roles_crm"])
remedy = crm[crm.policy == "dedicated_roles_crm"].assign(comparison="roles with this CRM − finder_keeps without")
crm_alone = crm[crm.policy == "finder_keeps_crm"].assign(comparison="finder_keeps with this CRM − without")
same_crm = paired_differences(runs[-1][runs[-1].policy != "finder_keeps"], [METRIC], "finder_keeps_crm", by=[key])
same_crm["comparison"] = "roles − finder_keeps, same CRM"
differences[key] = pd.concat([remedy, same_crm, crm_alone], ignore_index=True)
print(f"{sum(map(len, runs))} runs of {QUARTERS} quarters each.")

# %% [markdown]
# ## Where the ranking flips
#
# Each panel: the paired revenue difference against finder keeps, mean and 95% CI, at each lever
# value (the dotted line marks the default). Above the zero line the alternative earns more.

# %%
COLOURS = {
    "dedicated_roles − finder_keeps": "tab:green",
    "dedicated_roles_crm − finder_keeps": "tab:red",
    "roles with this CRM − finder_keeps without": "tab:red",
    "roles − finder_keeps, same CRM": "tab:green",
    "finder_keeps with this CRM − without": "tab:orange",
}
fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), sharey=True)
for ax, (key, diff) in zip(axes, differences.items(), strict=True):
    comparisons = list(dict.fromkeys(diff.comparison))
    step = 0.012 * (max(LEVERS[key]) - min(LEVERS[key]))
    for i, comparison in enumerate(comparisons):
        rows = diff[diff.comparison == comparison]
        x = rows[key] + (i - (len(comparisons) - 1) / 2) * step
        ax.errorbar(
            x,
            rows.mean_diff,
            yerr=[rows.mean_diff - rows.ci_low, rows.ci_high - rows.mean_diff],
            fmt="o-",
            capsize=4,
            color=COLOURS[comparison],
            label=comparison,
        )
    ax.axhline(0, color="black", linewidth=0.9)
    ax.axvline(DEFAULTS[key], color="grey", linestyle=":", linewidth=1.2)
    ax.set(title=key, xlabel=key, xticks=LEVERS[key])
    ax.legend(fontsize="small", loc="best")
axes[0].set_ylabel(f"revenue over {QUARTERS} quarters, minus finder_keeps, k€")
fig.tight_layout()
plt.show()


# %% [markdown]
# The same in words, computed from the table: at each lever value, whether the alternative earns
# clearly more (CI above 0), clearly less (CI below 0), or cannot be told apart from finder keeps;
# and between which values the mean difference changes sign.


# %%
def verdict(row: pd.Series) -> str:
    if row.ci_low > 0:
        return "more"
    return "less" if row.ci_high < 0 else "no clear difference"


def describe(key: str, diff: pd.DataFrame) -> list[str]:
    lines = []
    for comparison, rows in diff.groupby("comparison", sort=False):
        rows = rows.sort_values(key)
        points = "; ".join(
            f"{v:g}: {m:+,.0f} [{lo:+,.0f}, {hi:+,.0f}] {verdict(r)}"
            for (_, r), v, m, lo, hi in zip(
                rows.iterrows(), rows[key], rows.mean_diff, rows.ci_low, rows.ci_high, strict=True
            )
        )
        flips = []
        values, means = rows[key].to_numpy(), rows.mean_diff.to_numpy()
        for a, b, ma, mb in zip(values[:-1], values[1:], means[:-1], means[1:], strict=True):
            if ma * mb < 0:  # strictly opposite signs (a difference of exactly 0 is the same run twice)
                flips.append(f"between {a:g} and {b:g} (near {a + (b - a) * ma / (ma - mb):.2f}, interpolated)")
        crossing = "the mean crosses zero " + " and ".join(flips) if flips else "the mean does not change sign"
        lines.append(
            f"{comparison}, by {key} — {points}; from the lowest to the highest value the difference "
            f"moves by {means[-1] - means[0]:+,.0f} k€; {crossing}."
        )
    return lines


for key, diff in differences.items():
    for line in describe(key, diff):
        print(line)
    print()

# %% [markdown]
# ## So when does finder keeps not hurt?
#
# The settings in this grid where an alternative does **not** earn clearly more than finder keeps
# (its CI includes or lies below zero), listed from the numbers:

# %%
for key, diff in differences.items():
    for comparison, rows in diff.groupby("comparison", sort=False):
        rows = rows[(rows.ci_low != 0) | (rows.ci_high != 0)]  # leave out a run compared with itself
        safe = rows[rows.ci_low <= 0]
        worse = rows[rows.ci_high < 0]
        if len(safe):
            text = f"CI not above zero at {key} = " + ", ".join(f"{v:g}" for v in safe[key])
            if len(worse):
                text += f"; below zero (finder keeps clearly ahead) at {', '.join(f'{v:g}' for v in worse[key])}"
        else:
            text = f"CI above zero at every {key} in this grid (finder keeps clearly behind)"
        print(f"{comparison}: {text}.")

# %% [markdown]
# ## A combination: a costly CRM in a mostly transactional market
#
# Levers interact. A CRM's data entry takes selling time (`crm.time_cost`, share of a quarter at full
# adoption); where few leads are consultative, roles have little skill to protect. Here both move at
# once: few consultative leads, and a cheap or a costly CRM (the values are printed with the result).

# %%
COMBINATION = {"market.consultative_share": 0.2}
TIME_COSTS = (0.05, 0.15)
combination = sweep("crm.time_cost", TIME_COSTS, ["finder_keeps", "dedicated_roles_crm"], overrides=COMBINATION)
setting = ", ".join(f"{key} {value:g}" for key, value in COMBINATION.items())
for _, row in combination.iterrows():
    print(
        f"{setting}, CRM time cost {row['crm.time_cost']:g}: dedicated_roles_crm − finder_keeps = "
        f"{row.mean_diff:+,.0f} k€ [{row.ci_low:+,.0f}, {row.ci_high:+,.0f}] — {verdict(row)}."
    )

# %% [markdown]
# How to read the panels:
#
# - **Consultative share.** The book's argument is about consultative work: the more of it, the more
#   separate hunters should help. Check whether the lines rise to the right, and whether they ever
#   cross zero — the numbers above say where.
# - **Forgetting.** The veterans' decline under finder keeps comes from unused skill fading; at
#   forgetting 0 that part of the argument is switched off, and what remains of the difference comes
#   from the other mechanisms (handoffs, loyalty, the CRM).
# - **CRM.** Compare the red and orange lines: how much of the remedy's gain a CRM brings on its own;
#   the green line is what roles add once both policies have the same CRM.
#
# Each panel moves one lever with the others at their defaults. To explore other combinations, pass
# several keys to `experiments.sweep` (it runs every combination; keep the grid small here) or use
# `salessim sweep` with several `--vary` options.
