"""Sensitivity analysis with SALib: which scenario keys move a metric, or the difference between two policies.

Each SALib sample row is a set of scenario overrides (integer keys rounded). For each sample and
replication ``r`` the studied policy runs as ``run_simulation(..., seed=S, replication=r,
overrides=sample)``; with a baseline, the baseline runs on the same ``(S, r)`` (common random
numbers) and the paired difference is taken. The model output per sample is the mean over
replications. Morris gives elementary-effect screening (mu_star, sigma); Sobol gives variance
shares (S1, ST), both with bootstrap confidence intervals.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .report import Report, Table, num
from .results import ResultsFolder, now
from .runner import Design

METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000
INDICES = {"morris": ("mu_star", "mu_star_conf", "mu", "sigma"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


@dataclass(frozen=True)
class Lever:
    """A scenario key varied between two bounds (rounded to whole numbers if the key is an integer)."""

    key: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> int | float:
        return round(float(x)) if self.integer else float(x)

    def text(self) -> str:
        return f"{self.key}={self.low:g}:{self.high:g}"


@dataclass(frozen=True)
class Study:
    """What a sensitivity analysis varies, measures and compares."""

    method: str
    levers: tuple[Lever, ...]
    metric: str
    n: int  # Morris: trajectories; Sobol: base sample size (a power of 2)
    policies: tuple[str, ...]  # (policy,) or (baseline, policy) for a paired difference

    @property
    def paired(self) -> bool:
        return len(self.policies) == 2

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {"num_vars": len(self.levers), "names": [lever.key for lever in self.levers],
                "bounds": [[lever.low, lever.high] for lever in self.levers]}

    @property
    def output_name(self) -> str:
        """What the model output is: the metric under a policy, or its paired difference."""
        if self.paired:
            baseline, policy = self.policies
            return f"{self.metric}({policy}) − {self.metric}({baseline})"
        return f"{self.metric}({self.policies[0]})"

    def sample_matrix(self, seed: int) -> np.ndarray:
        """The SALib design matrix, reproducible from ``seed``: one row per sample."""
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(self.problem, self.n, num_levels=MORRIS_LEVELS, seed=seed)
        from SALib.sample import sobol

        return sobol.sample(self.problem, self.n, calc_second_order=False, seed=seed)

    def samples(self, matrix: np.ndarray) -> tuple[dict[str, int | float], ...]:
        """The overrides of each sample row, integer keys rounded."""
        return tuple({lever.key: lever.value(x) for lever, x in zip(self.levers, row, strict=True)}
                     for row in matrix)


def samples_digest(samples: tuple[dict[str, Any], ...]) -> str:
    """A short hash of the samples, so a resumed analysis provably runs the same ones."""
    return hashlib.sha256(json.dumps(samples, sort_keys=True).encode()).hexdigest()[:16]


def sample_outputs(study: Study, design: Design, folder: ResultsFolder) -> pd.DataFrame:
    """Per sample: the overrides as run, the output (mean over replications) and n (defined replications)."""
    values = pd.DataFrame([{"sample": task.point, "replication": task.replication, "policy": task.policy,
                            "value": folder.load_summary(task).get(study.metric, math.nan)}
                           for task in design.tasks()])
    table = values.pivot_table(index=["sample", "replication"], columns="policy", values="value", dropna=False)
    per_rep = table[study.policies[1]] - table[study.policies[0]] if study.paired else table[study.policies[0]]
    stats = per_rep.groupby(level="sample").agg(["mean", "count"])
    frame = pd.DataFrame(list(design.samples))
    frame.insert(0, "sample", range(len(frame)))
    frame["output"] = stats["mean"].to_numpy()
    frame["n"] = stats["count"].to_numpy()
    return frame


def analyse(study: Study, matrix: np.ndarray, outputs: np.ndarray, seed: int) -> pd.DataFrame:
    """The sensitivity indices with their 95% confidence half-widths, one row per lever, and its rank."""
    if study.method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(study.problem, matrix, outputs, num_resamples=RESAMPLES, conf_level=CONF_LEVEL,
                               num_levels=MORRIS_LEVELS, seed=seed)
    else:
        from SALib.analyze import sobol

        found = sobol.analyze(study.problem, outputs, calc_second_order=False, num_resamples=RESAMPLES,
                              conf_level=CONF_LEVEL, seed=seed)
    frame = pd.DataFrame({"parameter": study.problem["names"],
                          "low": [lever.low for lever in study.levers],
                          "high": [lever.high for lever in study.levers]}
                         | {name: np.asarray(found[name], dtype=float) for name in INDICES[study.method]})
    frame["rank"] = frame[RANKED_BY[study.method]].rank(ascending=False, method="min").astype("Int64")
    return frame


def reading(study: Study, indices: pd.DataFrame, runs: int, replications: int) -> list[str]:
    """A plain-language reading of the indices, generated from the numbers."""
    by = RANKED_BY[study.method]
    ordered = indices.sort_values([by, "parameter"], ascending=[False, True], na_position="last")
    parts = [f"{row.parameter} ({by} {num(row[by])} ± {num(row[f'{by}_conf'])})" for _, row in ordered.iterrows()]
    sentences = [f"Output: {study.output_name}, the mean over {replications} replications per sample "
                 f"({runs} runs in all). Ranked by {by}: " + ", ".join(parts) + "."]
    if study.method == "morris":
        sentences.append("mu_star is the mean absolute elementary effect: roughly how much the output changes when "
                         "the lever moves across its whole range (in the output's units); sigma is their spread, "
                         "large when the effect depends on the other levers or is not linear.")
    else:
        sentences.append("S1 is the share of the output's variance due to the lever alone, ST the share including "
                         "its interactions with the others.")
    still = [row.parameter for _, row in indices.iterrows() if row[by] == 0 and row[f"{by}_conf"] == 0]
    if still:
        sentences.append(f"The output did not change at all with {', '.join(still)}: under common random numbers "
                         f"{'this lever has' if len(still) == 1 else 'these levers have'} no effect on it.")
    if indices[by].isna().any():
        sentences.append("Some indices are undefined: the metric was undefined in every replication of a sample.")
    return sentences


def finish(study: Study, design: Design, matrix: np.ndarray, folder: ResultsFolder, title: str) -> pd.DataFrame:
    """samples.csv, indices.csv, the bar chart, report.md and report.html; the manifest marked complete."""
    from . import figures

    samples = sample_outputs(study, design, folder)
    indices = analyse(study, matrix, samples["output"].to_numpy(dtype=float), design.seed)
    folder.write_csv("samples.csv", samples)
    folder.write_csv("indices.csv", indices)
    picture = figures.sensitivity_figure(indices, study.method, study.output_name, folder.path / "figures")
    manifest = folder.update_manifest(status="complete", finished=now())
    columns = ["parameter", "range", *INDICES[study.method], "rank"]
    rows = [[row.parameter, f"{row.low:g} to {row.high:g}", *(num(row[c]) for c in INDICES[study.method]),
             str(row["rank"])] for _, row in indices.iterrows()]
    runs = len(design.tasks())
    method = (f"Morris elementary effects, {study.n} trajectories, {MORRIS_LEVELS} levels"
              if study.method == "morris" else f"Sobol (Saltelli sampling), N = {study.n}, first and total order")
    report = Report(
        title=title,
        notes=[f"Scenario '{design.scenario.name}' ({design.scenario.quarters} quarters); {method}; "
               f"{len(samples)} samples × {design.replications} replications × {len(study.policies)} "
               f"polic{'ies' if study.paired else 'y'}; root seed {design.seed}. Confidence intervals: "
               f"{CONF_LEVEL:.0%} bootstrap ({RESAMPLES} resamples), given as ± half-widths (the *_conf columns)."],
        reading=reading(study, indices, runs, design.replications),
        tables=[(f"Sensitivity of {study.output_name}", Table(columns, rows))],
        figures=[picture], scenario_toml=design.scenario.to_toml(), manifest=manifest, folder=folder.path)
    folder.write_text("report.md", report.markdown())
    folder.write_text("report.html", report.html())
    return indices
