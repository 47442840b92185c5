"""Sensitivity analysis with SALib: which scenario keys move a metric, or the difference between two policies.

A study varies scenario keys within ranges (``Range``; integer keys rounded). Each SALib sample
row is a set of scenario values; for each sample and replication ``r`` the studied policy runs on
``resolve_run(base, policy, overrides | sample)`` with ``seed=S, replication=r``; with a baseline,
the baseline runs on the same ``(S, r)`` (common random numbers) and the paired difference is
taken. The model output per sample is the mean over replications. Morris gives elementary-effect
screening (mu_star, sigma); Sobol gives variance shares (S1, ST), both with bootstrap confidence
intervals.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import MAIN_POLICIES, SUMMARY_METRICS, Scenario, ScenarioError, parameter_keys, resolve_scenario

from .arguments import fixed_twice, policy_names, whole_number
from .errors import ArgumentError, SetupError
from .labels import label, policy_name
from .report import Report, Table, num
from .runner import Design

METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000
INDICES = {"morris": ("mu_star", "mu_star_conf", "mu", "sigma"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


@dataclass(frozen=True)
class Range:
    """A scenario key varied between two bounds (rounded to whole numbers if the key is an integer)."""

    key: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> int | float:
        return round(float(x)) if self.integer else float(x)


@dataclass(frozen=True)
class Study:
    """What a sensitivity analysis varies, measures and compares."""

    method: str
    ranges: tuple[Range, ...]
    metric: str
    n: int  # Morris: trajectories; Sobol: base sample size (a power of 2)
    policies: tuple[str, ...]  # (policy,) or (baseline, policy) for a paired difference

    @property
    def paired(self) -> bool:
        return len(self.policies) == 2

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.ranges),
            "names": [r.key for r in self.ranges],
            "bounds": [[r.low, r.high] for r in self.ranges],
        }

    @property
    def output_name(self) -> str:
        """What the model output is: the metric under a policy, or its paired difference."""
        if self.paired:
            baseline, policy = self.policies
            return f"{self.metric}({policy}) − {self.metric}({baseline})"
        return f"{self.metric}({self.policies[0]})"

    @property
    def plain_output(self) -> str:
        """The output in words: "revenue over the run of dedicated roles + CRM minus finder keeps"."""
        what = label(self.metric).split(", k€")[0]
        if self.paired:
            baseline, policy = self.policies
            return f"{what} of {policy_name(policy)} minus {policy_name(baseline)}"
        return f"{what} under {policy_name(self.policies[0])}"

    def sample_matrix(self, seed: int) -> np.ndarray:
        """The SALib design matrix, reproducible from ``seed``: one row per sample."""
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(self.problem, self.n, num_levels=MORRIS_LEVELS, seed=seed)
        from SALib.sample import sobol

        return sobol.sample(self.problem, self.n, calc_second_order=False, seed=seed)

    def samples(self, matrix: np.ndarray) -> tuple[dict[str, int | float], ...]:
        """The scenario values of each sample row, integer keys rounded."""
        return tuple({r.key: r.value(x) for r, x in zip(self.ranges, row, strict=True)} for row in matrix)

    def arguments(self) -> dict[str, Any]:
        """What a resumed study must repeat, keyed by parameter."""
        return {
            "method": self.method,
            "params": {r.key: [r.low, r.high] for r in self.ranges},
            "metric": self.metric,
            "policies": list(self.policies),
            "n": self.n,
        }


def require_salib() -> None:
    """SALib is an optional extra: without it, say how to install it."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise SetupError('sensitivity needs the sensitivity extra: pip install "salessim[sensitivity]"') from None


def number_range(key: str, bounds: object) -> tuple[float, float]:
    """``(low, high)``: two finite numbers, low < high."""
    pair = list(bounds) if isinstance(bounds, Sequence) and not isinstance(bounds, str) else []
    numbers = [b for b in pair if isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b)]
    if len(pair) != 2 or len(numbers) != 2 or numbers[0] >= numbers[1]:
        raise ArgumentError(
            "params",
            f"{key}: {bounds!r} is not allowed; allowed: (low, high) with numbers low < high "
            "(e.g. market.leads_per_quarter: (16, 32))",
        )
    return float(numbers[0]), float(numbers[1])


def scenario_range(shared: Scenario, key: object, bounds: object) -> Range:
    """One range, checked against the scenario's keys, types and allowed values."""
    if not isinstance(key, str) or key not in parameter_keys():
        close = difflib.get_close_matches(str(key), parameter_keys(), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "; see 'salessim show' for all keys"
        raise ArgumentError("params", f"unknown key '{key}'{hint}")
    low, high = number_range(key, bounds)
    current = functools.reduce(getattr, key.split("."), shared)
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise ArgumentError("params", f"{key} = {current!r} is not a number; allowed: a numeric scenario key")
    found = Range(key, low, high, integer=isinstance(current, int))
    for bound in (low, high):
        try:
            resolve_scenario(shared, {key: found.value(bound)})
        except ScenarioError as error:
            raise ArgumentError("params", str(error)) from None
    return found


def build_study(
    shared: Scenario,
    changes: Mapping[str, Any],
    quarters: int | None,
    method: str,
    params: Mapping[str, Any],
    metric: str,
    policy: str | None,
    diff: str | Sequence[str] | None,
    n: int,
) -> Study:
    """The checked study: method, ranges, metric, policies and sample size (errors name the parameter)."""
    if method not in METHODS:
        raise ArgumentError("method", f"{method!r} is not allowed; allowed: {', '.join(map(repr, METHODS))}")
    if not isinstance(params, Mapping) or not params:
        raise ArgumentError("params", f"{params!r} is not allowed; allowed: {{key: (low, high), ...}}, one key or more")
    fixed_twice("params", params, changes, quarters)
    ranges = tuple(scenario_range(shared, key, bounds) for key, bounds in params.items())
    if metric not in SUMMARY_METRICS:
        close = difflib.get_close_matches(str(metric), SUMMARY_METRICS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ArgumentError("metric", f"unknown metric '{metric}'; allowed: {', '.join(SUMMARY_METRICS)}{hint}")
    if diff is not None:
        if policy is not None:
            raise ArgumentError("diff", "and {policy} together are not allowed; allowed: one of them")
        policies = policy_names(diff, "diff")
        if len(policies) != 2:
            raise ArgumentError(
                "diff",
                f"{','.join(policies)} is not allowed; allowed: two policies, the baseline "
                "and the policy (BASELINE,POLICY)",
            )
    else:
        policies = policy_names(policy if policy is not None else MAIN_POLICIES[0], "policy")
        if len(policies) != 1:
            raise ArgumentError(
                "policy", f"{','.join(policies)} is not allowed; allowed: one policy (or {{diff}} for two)"
            )
    whole_number("n", n)
    if method == "sobol" and n & (n - 1):
        raise ArgumentError("n", f"{n} is not allowed for sobol; allowed: a power of 2 (e.g. 64)")
    return Study(method, ranges, metric, n, policies)


def samples_digest(samples: Sequence[Mapping[str, Any]]) -> str:
    """A short hash of the samples, so a resumed analysis provably runs the same ones."""
    return hashlib.sha256(json.dumps([dict(s) for s in samples], sort_keys=True).encode()).hexdigest()[:16]


def sample_outputs(study: Study, design: Design, summaries: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Per sample: its values as run, the output (mean over replications) and n (defined replications).

    ``summaries`` maps each task's name to its run summary.
    """
    values = pd.DataFrame(
        [
            {
                "sample": task.point,
                "replication": task.replication,
                "policy": task.policy,
                "value": summaries[task.name].get(study.metric, math.nan),
            }
            for task in design.tasks()
        ]
    )
    table = values.pivot_table(index=["sample", "replication"], columns="policy", values="value", dropna=False)
    per_rep = table[study.policies[1]] - table[study.policies[0]] if study.paired else table[study.policies[0]]
    stats = per_rep.groupby(level="sample").agg(["mean", "count", "std"])
    frame = pd.DataFrame(list(design.samples))
    frame.insert(0, "sample", range(len(frame)))
    frame["output"] = stats["mean"].to_numpy()
    frame["n"] = stats["count"].to_numpy()
    frame["se"] = (stats["std"] / np.sqrt(stats["count"])).to_numpy()  # the output's noise, from the replications
    return frame


NOISE_RATIO = 0.5  # per-sample noise above half the spread between samples: the indices partly rank noise


def noise_warning(samples: pd.DataFrame, replications: int) -> str | None:
    """A warning when each sample's noise (its standard error over the replications) is comparable to
    the spread of the outputs between samples, with the replications that would make it small."""
    if replications < 2:
        return (
            "with 1 replication per sample the noise of each sample's output cannot be estimated; use --reps 10 or more"
        )
    se = samples["se"].to_numpy(dtype=float)
    output = samples["output"].to_numpy(dtype=float)
    se, output = se[np.isfinite(se)], output[np.isfinite(output)]
    if len(se) == 0 or len(output) < 2:
        return None
    noise = float(np.sqrt(np.mean(se**2)))
    spread = float(np.std(output, ddof=1))
    if noise <= NOISE_RATIO * spread:
        return None
    signal = math.sqrt(max(spread**2 - noise**2, 0.0))  # the spread the levers make, noise removed
    if signal > 0:
        wanted = math.ceil(replications * (noise / (signal / 3)) ** 2)
        advice = (
            f"less the noise, the outputs spread by about {num(signal)} between samples (the square root of "
            f"{num(spread)}² − {num(noise)}²), and about {wanted} replications per sample (--reps {wanted}) would "
            f"bring each sample's standard error down to a third of that ({num(signal / 3)})"
        )
    else:
        advice = "the outputs do not vary beyond their noise: raise --reps several-fold, or widen the ranges"
    return (
        f"per-sample noise is comparable to the spread of the outputs: each sample's standard error "
        f"(from its {replications} replications) is about {num(noise)}, the standard deviation of the outputs "
        f"between samples {num(spread)}, so the indices partly rank noise; {advice}"
    )


def analyse(study: Study, matrix: np.ndarray, outputs: np.ndarray, seed: int) -> pd.DataFrame:
    """The sensitivity indices with their 95% confidence half-widths, one row per lever, and its rank."""
    if study.method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(
            study.problem,
            matrix,
            outputs,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
    else:
        from SALib.analyze import sobol

        found = sobol.analyze(
            study.problem, outputs, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
        )
    frame = pd.DataFrame(
        {
            "parameter": study.problem["names"],
            "low": [r.low for r in study.ranges],
            "high": [r.high for r in study.ranges],
        }
        | {name: np.asarray(found[name], dtype=float) for name in INDICES[study.method]}
    )
    frame["rank"] = frame[RANKED_BY[study.method]].rank(ascending=False, method="min").astype("Int64")
    return frame


def reading(
    study: Study, indices: pd.DataFrame, runs: int, replications: int, samples: pd.DataFrame | None = None
) -> list[str]:
    """A plain-language reading of the indices, generated from the numbers."""
    by = RANKED_BY[study.method]
    ordered = indices.sort_values([by, "parameter"], ascending=[False, True], na_position="last")
    parts = [f"{row.parameter} ({by} {num(row[by])} ± {num(row[f'{by}_conf'])})" for _, row in ordered.iterrows()]
    sentences = [
        f"Output: {study.plain_output} ({study.output_name}), the mean over {replications} replications per sample "
        f"({runs} runs in all). Ranked by {by}: " + ", ".join(parts) + "."
    ]
    if study.method == "morris":
        sentences.append(
            "mu_star is the mean absolute elementary effect: roughly how much the output changes when "
            "the lever moves across its whole range (in the output's units); sigma is their spread, "
            "large when the effect depends on the other levers or is not linear."
        )
    else:
        sentences.append(
            "S1 is the share of the output's variance due to the lever alone, ST the share including "
            "its interactions with the others."
        )
    still = [row.parameter for _, row in indices.iterrows() if row[by] == 0 and row[f"{by}_conf"] == 0]
    if still:
        sentences.append(
            f"The output did not change at all with {', '.join(still)}: under common random numbers "
            f"{'this lever has' if len(still) == 1 else 'these levers have'} no effect on it."
        )
    if indices[by].isna().any():
        sentences.append("Some indices are undefined: the metric was undefined in every replication of a sample.")
    if samples is not None and (warning := noise_warning(samples, replications)):
        sentences.append("Warning: " + warning + ".")
    return sentences


def report(
    study: Study,
    design: Design,
    indices: pd.DataFrame,
    samples: pd.DataFrame,
    figures: list[Path],
    manifest: dict[str, Any],
    folder: Path,
) -> Report:
    """The report of a sensitivity analysis: its method, reading, indices table and bar chart."""
    columns = ["parameter", "range", *INDICES[study.method], "rank"]
    rows = [
        [row.parameter, f"{row.low:g} to {row.high:g}", *(num(row[c]) for c in INDICES[study.method]), str(row["rank"])]
        for _, row in indices.iterrows()
    ]
    method = (
        f"Morris elementary effects, {study.n} trajectories, {MORRIS_LEVELS} levels"
        if study.method == "morris"
        else f"Sobol (Saltelli sampling), N = {study.n}, first and total order"
    )
    return Report(
        title=f"salessim sensitivity ({study.method}): {study.plain_output} on {design.shared.name}",
        notes=[
            f"Scenario '{design.shared.name}' ({design.shared.quarters} quarters); {method}; "
            f"{len(samples)} samples × {design.replications} replications × {len(study.policies)} "
            f"polic{'ies' if study.paired else 'y'}; root seed {design.seed}. Confidence intervals: "
            f"{CONF_LEVEL:.0%} bootstrap ({RESAMPLES} resamples), given as ± half-widths (the *_conf columns)."
        ],
        reading=reading(study, indices, len(design.tasks()), design.replications, samples),
        tables=[(f"Sensitivity of {study.plain_output}", Table(columns, rows))],
        figures=figures,
        scenario=design.shared,
        manifest=manifest,
        folder=folder,
    )
