"""The calibration report: the fit, the parameters with their uncertainty, what could not be matched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from .document import Document, records
from .kpis import KPIS

if TYPE_CHECKING:
    from .calibrate import Setup


def fit_figure(fit: pd.DataFrame) -> Figure:
    """Observed KPIs against the simulated band, each on its own scale (ratio to the observed value)."""
    figure = Figure(figsize=(6.5, 0.5 + 0.55 * len(fit)))
    ax = figure.subplots()
    rows = records(fit)
    for k, row in enumerate(rows):
        scale = float(row["observed"]) or 1.0
        ax.plot([row["ci_low"] / scale, row["ci_high"] / scale], [k, k], color="#4a78a8", lw=6, alpha=0.5)
        ax.plot(row["simulated"] / scale, k, "o", color="#2d4d6e")
        ax.plot(1.0, k, "x", color="#c0392b", ms=9)
    ax.set_yticks(range(len(rows)), [f"{r['kpi']}{'' if r['fitted'] else ' (check)'}" for r in rows])
    ax.axvline(1.0, color="#c0392b", lw=0.8, ls=":")
    ax.set_xlabel("simulated / observed (x: observed; band: 95%)")
    ax.set_title("Fit of the calibrated scenario")
    return figure


def parameter_figure(trials: pd.DataFrame, parameters: pd.DataFrame, margin: float) -> Figure:
    """Each trial's loss against each parameter; the near-best trials highlighted."""
    figure = Figure(figsize=(3.2 * len(parameters), 3))
    axes = figure.subplots(1, len(parameters), squeeze=False)[0]
    best = trials["loss"].min()
    near = trials["loss"] <= best + margin
    for ax, p in zip(axes, records(parameters), strict=True):
        ax.scatter(trials[p["key"]], trials["loss"], s=8, color="#aab7c4")
        ax.scatter(trials[p["key"]][near], trials["loss"][near], s=12, color="#2d4d6e")
        ax.axvspan(p["range_low"], p["range_high"], color="#4a78a8", alpha=0.15)
        ax.set_yscale("log")
        ax.set_xlabel(p["key"], fontsize=8)
    axes[0].set_ylabel("loss (log)")
    figure.suptitle("Trials: dark = within the 95% margin of the best")
    return figure


def write_calibration_report(
    folder: Path,
    setup: Setup,
    fit: pd.DataFrame,
    parameters: pd.DataFrame,
    trials: pd.DataFrame,
    messages: list[str],
    margin: float,
    seconds: float,
) -> None:
    """``report.md`` and ``report.html`` in the calibration folder."""
    doc = Document("Calibration report", folder)
    doc.para(
        f"Scenario {setup.scenario_file.name}, policy '{setup.policy}': {len(trials)} trials of optuna's TPE "
        f"sampler, each run on replications 0..{setup.reps - 1} of seed {setup.seed} (common random numbers), "
        f"{setup.quarters} quarters of which the first {setup.warmup} are a warm-up. Took {seconds:.0f} s. "
        "The calibrated scenario is scenario.toml: salessim compare --scenario " + str(folder / "scenario.toml")
    )
    doc.heading("Fit")
    doc.para(
        "Simulated values are the means of the best candidate rerun on three times as many replications. "
        "The band is where the observed value would fall (95%) if the "
        "calibrated model were true. KPIs marked 'check' are reported, not fitted."
    )
    doc.table(
        ["KPI", "observed", "simulated", "ci_low", "ci_high", "within", "role", "definition"],
        [
            [
                r["kpi"],
                r["observed"],
                r["simulated"],
                r["ci_low"],
                r["ci_high"],
                "yes" if r["within"] else "NO",
                "fitted" if r["fitted"] else "check",
                KPIS[str(r["kpi"])],
            ]
            for r in records(fit)
        ],
    )
    doc.items(messages or ["Every fitted KPI is matched within its band."], warn=bool(messages))
    doc.figure("fit", fit_figure(fit), "Observed against simulated")
    doc.heading("Parameters and their uncertainty")
    doc.para(
        f"The range is the spread of the {int(parameters['near_best_trials'].iloc[0])} trials whose loss is "
        f"within {margin:.1f} of the best (the 95% chi-square margin for {len(parameters)} parameters): an "
        "approximate 95% confidence region. A wide range means the KPIs do not pin the parameter down; a best "
        "value at a bound means the range should be widened."
    )
    doc.table(
        ["key", "search range", "best", "95% range", "at a bound"],
        [
            [
                p["key"],
                f"{p['low']:g} to {p['high']:g}",
                p["best"],
                f"{p['range_low']:.4g} to {p['range_high']:.4g}",
                "YES" if p["at_bound"] else "",
            ]
            for p in records(parameters)
        ],
    )
    doc.figure("parameters", parameter_figure(trials, parameters, margin), "Loss of every trial")
    doc.write()
