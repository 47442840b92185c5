"""Figures of docs/model.md that come from many runs, made through the Python API.

Usage: python docs/make_figures.py [--reps 30] [--seed 2026]

Writes docs/img/crm_map.png: the headline effect (dedicated roles + CRM minus finder keeps,
profit over five years, mean of paired replications) over the two CRM channels with no source,
``crm.handoff_protection`` and ``crm.firm_loyalty_rate``, on the default department.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import experiments

PROTECTION = (0.2, 0.4, 0.6, 0.8)
FIRM_LOYALTY = (0.05, 0.15, 0.3)


def crm_map(reps: int, seed: int) -> Figure:
    result = experiments.sweep(
        vary={"crm.handoff_protection": PROTECTION, "crm.firm_loyalty_rate": FIRM_LOYALTY},
        policies=["finder_keeps", "dedicated_roles_crm"],
        reps=reps,
        seed=seed,
        progress=False,
    )
    paired = result.paired[result.paired.metric == "profit_total"]
    grid = np.full((len(FIRM_LOYALTY), len(PROTECTION)), np.nan)
    label = np.empty(grid.shape, dtype=object)
    for _, row in paired.iterrows():
        i, j = FIRM_LOYALTY.index(row["crm.firm_loyalty_rate"]), PROTECTION.index(row["crm.handoff_protection"])
        grid[i, j] = row.mean_diff
        clear = row.ci_low > 0 or row.ci_high < 0
        label[i, j] = f"{row.mean_diff:+,.0f}{'' if clear else '?'}"
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    bound = np.nanmax(np.abs(grid))
    image = ax.imshow(grid, cmap="RdBu", vmin=-bound, vmax=bound, origin="lower", aspect="auto")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, label[i, j], ha="center", va="center", fontsize=11)
    ax.set_xticks(range(len(PROTECTION)), [f"{v:g}" for v in PROTECTION])
    ax.set_yticks(range(len(FIRM_LOYALTY)), [f"{v:g}" for v in FIRM_LOYALTY])
    ax.set(
        xlabel="crm.handoff_protection (share of handoff losses a fully used CRM prevents)",
        ylabel="crm.firm_loyalty_rate (per quarter)",
        title="Dedicated roles + CRM minus finder keeps, profit over 5 years, k€\n"
        f"({reps} pairs each; ? = CI includes 0)",
    )
    fig.colorbar(image, ax=ax, label="k€")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    out = Path(__file__).parent / "img" / "crm_map.png"
    crm_map(args.reps, args.seed).savefig(out, dpi=110, metadata={"Software": None})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
