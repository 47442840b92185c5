"""Scenario discovery and robust choice: under which conditions one policy beats another.

Uncertain scenario keys vary within ranges (a TOML file of ``key = [low, high]``; by default the
parameters docs/model.md marks as assumptions). A Latin hypercube draws ``samples`` plausible
worlds; in each, every policy runs ``reps`` replications on common random numbers (replication
``r`` of every policy is ``run_simulation(sample's scenario, policy, seed=S, replication=r)``),
and the outcome is the paired difference ALT − BASE of a run-summary metric, averaged over the
replications, and whether ALT beats BASE there. Then:

- PRIM (EMA Workbench's ``analysis.prim``) finds boxes of parameter limits where the less common
  outcome concentrates, with coverage, density, mass and a quasi-p-value per limit;
- extra-trees importances (scikit-learn) score which uncertainties move the outcome most;
- robust choice over all the policies: expected value, regret against the best policy in the
  same world (mean, 90th percentile, maximum) and the satisficing share.

The policies of one world (a sample and a replication) run together in one worker task, so they
share the department's history. A results folder keeps one file per world in ``runs/`` and can be
resumed; the samples and outcomes are also exported in EMA Workbench's experiments/outcomes layout.
PRIM and the scores need the ``discover`` extra (``ema_workbench``, ``scikit-learn``).
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import math
import re
import tarfile
import tempfile
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from simulation import SUMMARY_METRICS, Scenario, ScenarioError, check_overrides, run_simulation

from . import executors
from .arguments import (
    DEFAULT_SCENARIO,
    base_scenario,
    fixed_twice,
    override_map,
    policy_names,
    shared_scenario,
    whole_number,
    worker_count,
)
from .errors import ArgumentError, Interrupted, SetupError
from .experiment import Execution, check_size, experiment_seed, scenario_files, start, task_count
from .labels import label, policy_name
from .processes import terminate_as_interrupt
from .report import Report, Table, num
from .results import MemoryStore, ResultsFolder, atomic_write, now
from .runner import Design
from .stats import mean_ci
from .study import Range, samples_digest, scenario_range

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ScenarioArg = str | Path | Scenario
RangesArg = str | Path | Mapping[str, Sequence[float]] | None
World = tuple[int, int]  # (sample, replication)

DEFAULT_RANGES = Path(__file__).parent / "ranges" / "assumptions.toml"
EXTRA = 'pip install "salessim[discover]"'
KIND = "discover"
TARGETS = ("auto", "wins", "loses")
QP_LIMIT = 0.05  # a box limit whose quasi-p-value is above this is dropped
TREES = 500
LHS_STREAM = 0x4C4853  # the Latin hypercube's own random stream, apart from the model's
TREES_STREAM = 0x455854
# Metrics where less is better: "beats" and "best" are read the other way round.
LOWER_IS_BETTER = frozenset(
    {
        "clients_churned_total",
        "golden_fund_churned_total",
        "leads_lost_total",
        "veteran_service_share",
        "newcomer_attrition_1y",
        "seller_turnover_annual",
        "quits_total",
        "hires_total",
        "costs_total",
        "newcomer_quit_rate_annual",
        "veteran_quit_rate_annual",
    }
)
GROUP_NAMES = {"crm": "CRM", "department": "department", "market": "market"}


# --- the optional extra ----------------------------------------------------------------------------
def require_extra() -> None:
    """PRIM and the feature scores need ema_workbench and scikit-learn: without them, say how to install them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench  # type: ignore[import-untyped]  # noqa: F401
        import sklearn  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        raise SetupError(f"discover needs the discover extra: {EXTRA}") from None


def prim_module() -> Any:
    """EMA Workbench's PRIM, imported quietly (it warns about optional parallel back-ends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # type: ignore[import-untyped]

    return prim


# --- the ranges ------------------------------------------------------------------------------------
def flat_keys(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """TOML tables as dotted keys: ``[crm] handoff_protection = [0.3, 0.9]`` is ``crm.handoff_protection``."""
    found: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            found |= flat_keys(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found


def ranges_source(ranges: RangesArg) -> tuple[dict[str, Any], str, bool]:
    """The ranges as ``{key: bounds}``, where they come from, and whether they are the default file's."""
    if isinstance(ranges, Mapping):
        return dict(ranges), "ranges", False
    if ranges is not None and not isinstance(ranges, str | Path):
        raise ArgumentError("ranges", f"{ranges!r} is not allowed; allowed: a TOML file, or {{key: (low, high), ...}}")
    path = DEFAULT_RANGES if ranges is None else Path(ranges)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ArgumentError(
            "ranges", f"cannot read '{path}' ({error.strerror}); allowed: a readable TOML file"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ArgumentError("ranges", f"'{path}' is not valid TOML ({error})") from None
    return flat_keys(data), str(path), ranges is None


def one_range(shared: Scenario, key: object, bounds: object, where: str) -> Range:
    """One checked range (a known numeric key, low < high, both bounds allowed); errors name the key."""
    try:
        found = scenario_range(shared, key, bounds)
    except ArgumentError as error:
        raise ArgumentError(
            "ranges",
            f"{where}: {error.problem.replace('(low, high)', '[low, high]').replace(': (16, 32)', ' = [16, 32]')}",
        ) from None
    if found.integer and math.ceil(found.low) >= math.floor(found.high):
        raise ArgumentError(
            "ranges", f"{where}: {key} = {bounds!r} holds fewer than two whole numbers; allowed: e.g. [2, 6]"
        )
    return found


def idle_key(shared: Scenario, policies: Sequence[str], found: Range) -> str | None:
    """Why no chosen policy reads the key (``check_overrides``' message), or None if one does."""
    try:
        check_overrides(shared, policies, {found.key: found.value(found.low)})
    except ScenarioError as error:
        return str(error)
    return None


def checked_ranges(
    shared: Scenario, policies: Sequence[str], ranges: RangesArg, fixed: Mapping[str, Any], quarters: int | None
) -> tuple[tuple[Range, ...], tuple[str, ...], str]:
    """The ranges to sample, the default file's keys left out (no chosen policy reads them), and their source.

    In a ranges file or mapping given by the caller, a key no chosen policy reads is an error.
    """
    source, where, default = ranges_source(ranges)
    if not source:
        raise ArgumentError("ranges", f"{where}: no key; allowed: key = [low, high], one key or more")
    fixed_twice("ranges", source, fixed, quarters)
    found: list[Range] = []
    left_out: list[str] = []
    for key, bounds in source.items():
        checked = one_range(shared, key, bounds, where)
        idle = idle_key(shared, policies, checked)
        if idle is None:
            found.append(checked)
        elif default:
            left_out.append(checked.key)
        else:
            raise ArgumentError("ranges", f"{where}: {idle}")
    if not found:
        raise ArgumentError("ranges", f"{where}: none of its keys changes a run of {', '.join(policies)}")
    return tuple(found), tuple(left_out), where


# --- Latin hypercube -------------------------------------------------------------------------------
def lhs_unit(dimensions: int, n: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube in the unit cube, reproducible from ``seed``."""
    from scipy.stats import qmc  # imported here: scipy.stats is slow to import

    return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng([seed, LHS_STREAM])).random(n)


def scaled(found: Range, u: float) -> int | float:
    """A unit value as the key's value: uniform on [low, high], or on its whole numbers for an integer key."""
    if found.integer:
        low, high = math.ceil(found.low), math.floor(found.high)
        return min(high, low + math.floor(u * (high - low + 1)))
    return found.low + float(u) * (found.high - found.low)


def lhs_points(
    ranges: Sequence[Range] | Mapping[str, Sequence[float]],
    n: int,
    seed: int,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
) -> list[dict[str, int | float]]:
    """``n`` Latin-hypercube points over ``ranges`` (``Range`` objects, or ``{key: (low, high)}`` checked
    against ``scenario``): one dict of scenario values per point, integer keys as whole numbers."""
    whole_number("samples", n)
    if isinstance(ranges, Mapping):
        shared = base_scenario(scenario)
        ranges = [one_range(shared, key, bounds, "ranges") for key, bounds in ranges.items()]
    unit = lhs_unit(len(ranges), n, seed)
    return [{r.key: scaled(r, u) for r, u in zip(ranges, row, strict=True)} for row in unit]


# --- what is asked ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """What a discovery asks: the policies (baseline, alternative, others), the metric, the ranges, the settings."""

    policies: tuple[str, ...]
    metric: str
    ranges: tuple[Range, ...]
    samples: int
    switch_at: int
    satisficing: float = 0.05
    target: str = "auto"
    max_boxes: int = 3
    min_coverage: float = 0.5
    left_out: tuple[str, ...] = ()
    source: str = "ranges"

    @property
    def baseline(self) -> str:
        return self.policies[0]

    @property
    def alternative(self) -> str:
        return self.policies[1]

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.ranges]

    @property
    def higher_is_better(self) -> bool:
        return self.metric not in LOWER_IS_BETTER

    def arguments(self) -> dict[str, Any]:
        """What a resumed discovery must repeat (the analysis settings may change)."""
        return {
            "policies": list(self.policies),
            "metric": self.metric,
            "ranges": {r.key: [r.low, r.high] for r in self.ranges},
            "samples": self.samples,
            "switch_at": self.switch_at,
        }

    def analysis(self) -> dict[str, Any]:
        return {
            "satisficing": self.satisficing,
            "target": self.target,
            "max_boxes": self.max_boxes,
            "min_coverage": self.min_coverage,
            "ranges_file": self.source,
            "left_out": list(self.left_out),
        }


def checked_share(parameter: str, value: object, low_open: bool = False) -> float:
    """A number in [0, 1] (or (0, 1])."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and (value > 0 if low_open else value >= 0)
    if not ok or not value <= 1:  # type: ignore[operator]
        allowed = "a number in (0, 1]" if low_open else "a number in [0, 1]"
        raise ArgumentError(parameter, f"{value!r} is not allowed; allowed: {allowed}")
    return float(value)  # type: ignore[arg-type]


def checked_metric(metric: object) -> str:
    if metric not in SUMMARY_METRICS:
        raise ArgumentError("metric", f"unknown metric '{metric}'; allowed: {', '.join(SUMMARY_METRICS)}")
    return str(metric)


def checked_policies(policies: str | Sequence[str]) -> tuple[str, ...]:
    names = policy_names(policies)
    if len(names) < 2:
        raise ArgumentError(
            "policies", f"{','.join(names)} is not allowed; allowed: two policies or more, BASELINE,ALTERNATIVE[,...]"
        )
    return names


def checked_switch(switch_at: object, quarters: int) -> int:
    if isinstance(switch_at, int) and not isinstance(switch_at, bool) and 0 <= switch_at < quarters:
        return switch_at
    raise ArgumentError(
        "switch_at", f"{switch_at!r} is not allowed; allowed: a whole number from 0 to {quarters - 1} (the quarters)"
    )


# --- running the worlds ----------------------------------------------------------------------------
def run_world(
    runs: Sequence[tuple[str, Scenario]], seed: int, replication: int, switch_at: int
) -> dict[str, dict[str, float]]:
    """Every policy of one world (one sample's scenarios, one replication), in one process: they share its history."""
    found = {}
    for policy, scenario in runs:
        result = run_simulation(scenario, policy, seed=seed, replication=replication, switch_at=switch_at)
        found[policy] = {key: float(value) for key, value in result.summary.items()}
    return found


def world_name(world: World) -> str:
    return f"s{world[0]:05d}__r{world[1]:04d}"


WORLD_FILE = re.compile(r"^s(\d+)__r(\d+)$")


class WorldFolder(ResultsFolder):
    """A results folder whose run store holds one JSON file per world: every policy's run summary."""

    def world_file(self, world: World) -> Path:
        return self.runs / f"{world_name(world)}.json"

    def finished_worlds(self) -> set[World]:
        matches = (WORLD_FILE.match(path.stem) for path in self.runs.glob("*.json"))
        return {(int(m[1]), int(m[2])) for m in matches if m}

    def save_world(self, world: World, summaries: Mapping[str, Mapping[str, float]]) -> None:
        atomic_write(self.world_file(world), json.dumps(summaries).encode())

    def load_world(self, world: World) -> dict[str, dict[str, float]]:
        return json.loads(self.world_file(world).read_text(encoding="utf-8"))


class WorldMemory(MemoryStore):
    """Finished worlds kept in memory (a discovery without a results folder)."""

    def __init__(self) -> None:
        super().__init__()
        self.worlds: dict[World, dict[str, dict[str, float]]] = {}

    def finished_worlds(self) -> set[World]:
        return set(self.worlds)

    def save_world(self, world: World, summaries: Mapping[str, Mapping[str, float]]) -> None:
        self.worlds[world] = {policy: dict(summary) for policy, summary in summaries.items()}

    def load_world(self, world: World) -> dict[str, dict[str, float]]:
        return {policy: dict(summary) for policy, summary in self.worlds[world].items()}


WorldStore = WorldFolder | WorldMemory


def all_worlds(design: Design) -> list[World]:
    """Every world, replication by replication, so a stopped discovery leaves whole replications."""
    return [(sample, rep) for rep in range(design.replications) for sample in range(len(design.samples))]


def world_job(design: Design, world: World, switch_at: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """What one world's task runs: ``run_world`` and its arguments (scenarios resolved here, once)."""
    runs = tuple((policy, design.scenario(policy, world[0])) for policy in design.policies)
    return run_world, (runs, design.seed, world[1], switch_at)


def in_flight(
    items: Iterable[World],
    job: Callable[[World], tuple[Callable[..., Any], tuple[Any, ...]]],
    on_result: Callable[[World, Any], None],
    executor: Executor | None,
    window: int,
) -> None:
    """Run ``job(item)`` for every item, here or on ``executor`` with at most ``window`` in flight."""
    if executor is None:
        for item in items:
            function, arguments = job(item)
            on_result(item, function(*arguments))
        return
    queue, running = iter(items), dict[Future[Any], World]()
    try:
        while True:
            for item in itertools.islice(queue, window - len(running)):
                function, arguments = job(item)
                running[executor.submit(function, *arguments)] = item
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f]):
                on_result(running.pop(future), future.result())
    finally:
        for future in running:
            future.cancel()


def run_worlds(
    design: Design, store: WorldStore, switch_at: int, executor: Executor | None, progress: bool, window: int
) -> int:
    """Run the worlds not yet in ``store``, saving each as it finishes; returns how many were run."""
    saved, worlds = store.finished_worlds(), all_worlds(design)
    todo = [world for world in worlds if world not in saved]
    per_world = len(design.policies)
    bar = tqdm(
        total=len(worlds) * per_world,
        initial=(len(worlds) - len(todo)) * per_world,
        unit="run",
        disable=None if progress else True,
        dynamic_ncols=True,
    )

    def keep(world: World, summaries: dict[str, dict[str, float]]) -> None:
        store.save_world(world, summaries)
        bar.update(per_world)

    try:
        in_flight(todo, functools.partial(world_job, design, switch_at=switch_at), keep, executor, window)
    except BaseException as error:
        if isinstance(store, WorldFolder):
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            store.update_manifest(status=status, interrupted=now())
        raise
    finally:
        bar.close()
    return len(todo)


def open_worlds(arguments: dict[str, Any], execution: Execution) -> WorldStore:
    """Where finished worlds go: a results folder (new, replaced with ``force``, or resumed), or memory."""
    if execution.out is None:
        return WorldMemory()
    if execution.resume:
        checked = {key: value for key, value in arguments.items() if key != "scenario"}
        return WorldFolder(WorldFolder.reopen(execution.out, KIND, checked).path)
    return WorldFolder(WorldFolder.create(execution.out, force=execution.force).path)


def run_discovery(
    design: Design, question: Question, arguments: dict[str, Any], execution: Execution
) -> tuple[WorldStore, dict[str, Any]]:
    """Run the design's missing worlds into their store; the store and the manifest so far."""
    runs, worlds = task_count(design), len(design.samples) * design.replications
    workers = worker_count(execution.workers, worlds)
    with terminate_as_interrupt(), executors.open_pool(execution.executor, workers, execution.scheduler) as pool:
        store = open_worlds(arguments, execution)
        manifest = start(store, KIND, arguments, design, pool.workers, execution)
        manifest = store.update_manifest(analysis=question.analysis()) if isinstance(store, WorldFolder) else manifest
        done = len(store.finished_worlds()) * len(design.policies)
        execution.say(
            f"{KIND}: {runs} runs ({len(design.samples)} samples × {design.replications} replications × "
            f"{len(design.policies)} policies, {len(question.ranges)} uncertain keys) on '{design.shared.name}', "
            f"{design.shared.quarters} quarters, seed {design.seed}"
            + (f"; resuming: {done} of {runs} runs already done" if execution.resume else "")
        )
        if store.path is not None:
            execution.say(f"results: {store.path}")
        execution.say(f"running on {pool.description}, {pool.workers} worker{'s' * (pool.workers > 1)}")
        try:
            run_worlds(design, store, question.switch_at, pool.executor, execution.progress, max(64, 4 * pool.workers))
        except KeyboardInterrupt:
            saved = len(store.finished_worlds()) * len(design.policies)
            raise Interrupted(saved, runs, store.path) from None
    return store, manifest


# --- the tables ------------------------------------------------------------------------------------
def runs_table(design: Design, store: WorldStore) -> pd.DataFrame:
    """One row per policy × sample × replication: seed and the run-summary metrics, in canonical order."""
    worlds = {world: store.load_world(world) for world in all_worlds(design)}
    rows = [
        {"policy": task.policy, "sample": task.point, "replication": task.replication, "seed": design.seed}
        | worlds[task.point or 0, task.replication][task.policy]
        for task in design.tasks()
    ]
    return pd.DataFrame(rows)


def policy_means(runs: pd.DataFrame, metric: str, policies: Sequence[str]) -> pd.DataFrame:
    """The metric's mean over replications: one row per sample, one column per policy."""
    means = runs.groupby(["sample", "policy"], sort=False)[metric].mean().unstack("policy")
    return means[list(policies)].sort_index()


def sample_table(question: Question, design: Design, runs: pd.DataFrame) -> pd.DataFrame:
    """Per sample: its values, each policy's mean metric, the paired difference ALT − BASE (mean, 95% CI, n),
    whether ALT beats BASE there, and whether that is clear (the CI excludes 0)."""
    wide = runs.pivot_table(index=["sample", "replication"], columns="policy", values=question.metric, dropna=False)
    differences = wide[question.alternative] - wide[question.baseline]
    stats = [mean_ci(group.to_numpy()) for _, group in differences.groupby(level="sample")]
    frame = pd.DataFrame(list(design.samples))
    frame.insert(0, "sample", range(len(frame)))
    means = policy_means(runs, question.metric, question.policies)
    for policy in question.policies:
        frame[policy] = means[policy].to_numpy()
    frame["difference"] = [s[0] for s in stats]
    frame["difference_ci_low"] = [s[1] for s in stats]
    frame["difference_ci_high"] = [s[2] for s in stats]
    frame["n"] = [s[3] for s in stats]
    sign = 1.0 if question.higher_is_better else -1.0
    frame["beats"] = sign * frame["difference"] > 0
    frame["clear"] = (frame["difference_ci_low"] > 0) | (frame["difference_ci_high"] < 0)
    return frame


# --- PRIM ------------------------------------------------------------------------------------------
@dataclass
class Box:
    """One PRIM box: its restricted limits (with quasi-p-values), its statistics and its peeling trajectory."""

    number: int
    limits: pd.DataFrame  # parameter, low, high, qp_low, qp_high (NaN on an unrestricted side)
    coverage: float
    density: float
    mass: float
    cases: int  # cases of interest in the box
    size: int  # samples in the box
    trajectory: pd.DataFrame


def target_of(beats: pd.Series, target: str) -> str:
    """Which outcome PRIM looks for: as asked, or (``auto``) the less common one — where the answer flips."""
    if target != "auto":
        return target
    return "loses" if beats.mean() >= 0.5 else "wins"


def cases_of_interest(samples: pd.DataFrame, target: str) -> np.ndarray:
    beats = samples["beats"].to_numpy(dtype=bool)
    return beats if target == "wins" else ~beats


def chosen_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest box on the trajectory that still covers ``min_coverage`` of the cases of interest it
    started with (all of them for the first box, those the earlier boxes left for the others)."""
    coverage = trajectory["coverage"].astype(float)
    eligible = trajectory[coverage >= min_coverage * coverage.iloc[0] - 1e-12]
    return int(eligible.index[int(eligible["density"].astype(float).to_numpy().argmax())])


def limit_significance(p_values: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """Per restricted parameter, the smallest quasi-p-value of its restricted limits (−1 marks an open side)."""
    return {key: min(qp for qp in pair if qp >= 0) for key, pair in p_values.items() if any(qp >= 0 for qp in pair)}


def drop_insignificant(found: Any, step: int) -> int:
    """Drop, one by one, the restriction whose best quasi-p-value is above ``QP_LIMIT``; the final step."""
    while True:
        significance = limit_significance(found.p_values[step])
        worst = max(significance, key=lambda key: significance[key], default=None)
        if worst is None or significance[worst] <= QP_LIMIT:
            return step
        found.drop_restriction(worst, i=step)
        step = len(found.peeling_trajectory) - 1


def box_limits(found: Any, step: int) -> pd.DataFrame:
    """The restricted parameters of a trajectory step: limits and quasi-p-values (NaN on an open side)."""
    lims = found.box_lims[step]
    rows = []
    for key, (qp_low, qp_high) in found.p_values[step].items():
        if qp_low < 0 and qp_high < 0:
            continue
        rows.append(
            {
                "parameter": key,
                "low": float(lims[key].iloc[0]),
                "high": float(lims[key].iloc[1]),
                "qp_low": float(qp_low) if qp_low >= 0 else math.nan,
                "qp_high": float(qp_high) if qp_high >= 0 else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "qp_low", "qp_high"])


def box_trajectory(found: Any, number: int, peeled: int, step: int) -> pd.DataFrame:
    """The peeling and pasting trajectory (the first ``peeled`` steps) and the chosen box, for the figure."""
    columns = ["coverage", "density", "mass", "res_dim", "n"]
    frame = found.peeling_trajectory.iloc[list(range(peeled)) + ([step] if step >= peeled else [])][columns].copy()
    frame.insert(0, "step", frame.index.astype(int))
    frame.insert(0, "box", number)
    frame["chosen"] = frame["step"] == step
    return frame.reset_index(drop=True)


def describe_box(found: Any, number: int, peeled: int, step: int) -> Box:
    row = found.peeling_trajectory.iloc[step]
    return Box(
        number=number,
        limits=box_limits(found, step),
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        cases=int(row["k"]),
        size=int(row["n"]),
        trajectory=box_trajectory(found, number, peeled, step),
    )


def prim_boxes(x: pd.DataFrame, y: np.ndarray, max_boxes: int, min_coverage: float) -> list[Box]:
    """Up to ``max_boxes`` PRIM boxes, each on the samples the earlier ones left.

    Each box is the densest on its peeling trajectory that covers ``min_coverage`` of the remaining
    cases of interest, with its insignificant restrictions dropped; the search stops at a box that
    restricts nothing, or when no case of interest is left.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library's own deprecation warnings
        return boxes_found(
            prim_module().Prim(x.astype(float).reset_index(drop=True), y.astype(int)), y, max_boxes, min_coverage
        )


def boxes_found(prim: Any, y: np.ndarray, max_boxes: int, min_coverage: float) -> list[Box]:
    """The boxes of ``prim_boxes``, found one by one."""
    boxes: list[Box] = []
    taken = np.zeros(len(y), dtype=bool)
    for number in range(1, max_boxes + 1):
        if not y[~taken].any():
            break
        found = prim.find_box()
        if found is None:
            break
        peeled = len(found.peeling_trajectory)
        step = chosen_step(found.peeling_trajectory, min_coverage)
        found.select(step)
        step = drop_insignificant(found, step)
        box = describe_box(found, number, peeled, step)
        if box.limits.empty:
            break
        boxes.append(box)
        taken[found.yi] = True
    return boxes


def boxes_table(boxes: Sequence[Box], ranges: Sequence[Range]) -> pd.DataFrame:
    """One row per box and restricted parameter: limits, range, quasi-p-values and the box's statistics."""
    bounds = {r.key: r for r in ranges}
    rows = [
        {
            "box": box.number,
            "parameter": limit["parameter"],
            "low": limit["low"],
            "high": limit["high"],
            "range_low": bounds[limit["parameter"]].low,
            "range_high": bounds[limit["parameter"]].high,
            "qp_low": limit["qp_low"],
            "qp_high": limit["qp_high"],
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "cases": box.cases,
            "samples": box.size,
        }
        for box in boxes
        for limit in records(box.limits)
    ]
    columns = ["box", "parameter", "low", "high", "range_low", "range_high", "qp_low", "qp_high"]
    return pd.DataFrame(rows, columns=[*columns, "coverage", "density", "mass", "cases", "samples"])


# --- feature scores --------------------------------------------------------------------------------
def small_seed(seed: int, stream: int) -> int:
    """A seed for scikit-learn (below 2**31), drawn from the root seed and a stream of its own."""
    return int(np.random.default_rng([seed, stream]).integers(2**31))


def feature_scores(x: pd.DataFrame, samples: pd.DataFrame, ranges: Sequence[Range], seed: int) -> pd.DataFrame:
    """Extra-trees importances of each uncertain key: for the difference (``score``) and for whether ALT
    beats BASE (``score_beats``, undefined when every sample has the same outcome); ranked by ``score``."""
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor  # type: ignore[import-untyped]

    options = {"n_estimators": TREES, "max_features": 0.6, "random_state": small_seed(seed, TREES_STREAM)}
    score = ExtraTreesRegressor(**options).fit(x, samples["difference"]).feature_importances_
    beats = samples["beats"].astype(int)
    score_beats = (
        ExtraTreesClassifier(**options).fit(x, beats).feature_importances_
        if beats.nunique() > 1
        else np.full(len(ranges), math.nan)
    )
    frame = pd.DataFrame(
        {
            "parameter": [r.key for r in ranges],
            "low": [r.low for r in ranges],
            "high": [r.high for r in ranges],
            "score": score,
            "score_beats": score_beats,
        }
    )
    frame["rank"] = frame["score"].rank(ascending=False, method="min").astype(int)
    return frame.sort_values(["rank", "parameter"]).reset_index(drop=True)


# --- robust choice ---------------------------------------------------------------------------------
def robustness(means: pd.DataFrame, higher_is_better: bool = True, satisficing: float = 0.05) -> pd.DataFrame:
    """Per policy (a column of ``means``: one row per sample): the expected value over the samples, the
    regret against the best policy in the same sample (mean, 90th percentile, maximum; in the metric's
    units, never negative), the satisficing share (samples within ``satisficing`` × |best| of the best)
    and the share of samples where it is the best."""
    oriented = means if higher_is_better else -means
    best = oriented.max(axis=1)
    regret = oriented.rsub(best, axis=0)
    within = oriented.ge(best - satisficing * best.abs(), axis=0)
    rows = [
        {
            "policy": policy,
            "expected": float(means[policy].mean()),
            "regret_mean": float(regret[policy].mean()),
            "regret_p90": float(np.percentile(regret[policy], 90)),
            "regret_max": float(regret[policy].max()),
            "satisficing_share": float(within[policy].mean()),
            "best_share": float((regret[policy] == 0).mean()),
        }
        for policy in means.columns
    ]
    return pd.DataFrame(rows)


# --- plain language --------------------------------------------------------------------------------
def plain_policy(name: str) -> str:
    """``dedicated_roles_crm`` as "dedicated roles + CRM" (``experiments.labels.policy_name``)."""
    return policy_name(name)


def plain_key(key: str) -> str:
    """``crm.handoff_protection`` as "CRM handoff protection"."""
    group, _, name = key.partition(".")
    return f"{GROUP_NAMES.get(group, group)} {name.replace('_', ' ')}"


def percent(share: float) -> str:
    return f"{share:.0%}"


def short(value: float) -> str:
    """A limit in prose: three significant digits."""
    return f"{value:.3g}" if abs(value) < 1000 else num(round(value))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as dicts (column name to value)."""
    return [{str(key): value for key, value in row.items()} for row in frame.to_dict("records")]


def limit_phrase(limit: Mapping[str, Any], integer: bool = False) -> str:
    """One restricted parameter as words, stating only the limits whose quasi-p-value is at most
    ``QP_LIMIT``: "CRM handoff protection is below 0.35", "hiring delay is at most 1"; a weak limit
    that PRIM kept beside a clear one is named as weak, with its quasi-p-value."""
    what = plain_key(limit["parameter"])
    qp_low, qp_high = float(limit["qp_low"]), float(limit["qp_high"])
    low_weak, high_weak = qp_low > QP_LIMIT, qp_high > QP_LIMIT  # False on an open side (NaN)
    has_low, has_high = qp_low <= QP_LIMIT, qp_high <= QP_LIMIT
    if integer:
        low, high = math.ceil(limit["low"]), math.floor(limit["high"])
        shown = {"low": f"{low}", "high": f"{high}"}
        if has_low and has_high:
            phrase = f"{what} is {low}" if low == high else f"{what} is from {low} to {high}"
        elif has_low:
            phrase = f"{what} is at least {low}"
        elif has_high:
            phrase = f"{what} is at most {high}"
        else:
            phrase = f"{what} is from {low} to {high}"
    else:
        shown = {"low": short(limit["low"]), "high": short(limit["high"])}
        if has_low and has_high:
            phrase = f"{what} is between {shown['low']} and {shown['high']}"
        elif has_low:
            phrase = f"{what} is above {shown['low']}"
        elif has_high:
            phrase = f"{what} is below {shown['high']}"
        else:
            phrase = f"{what} is between {shown['low']} and {shown['high']}"
    if low_weak and high_weak:
        return f"{phrase} (both limits weak: quasi-p-values {num(qp_low)} and {num(qp_high)})"
    if low_weak:
        return f"{phrase} (the lower limit, {shown['low']}, is weak: quasi-p-value {num(qp_low)})"
    if high_weak:
        return f"{phrase} (the upper limit, {shown['high']}, is weak: quasi-p-value {num(qp_high)})"
    return phrase


def outcome_sentence(question: Question, samples: pd.DataFrame) -> str:
    """How often ALT beats BASE, and by how much on average."""
    alt, base = plain_policy(question.alternative), plain_policy(question.baseline)
    what = label(question.metric)
    unit = " k€" if "k€" in what else ""
    share, clear = samples["beats"].mean(), samples["clear"].mean()
    return (
        f"{alt} beats {base} in {percent(share)} of the {len(samples)} sampled worlds on "
        f"{what.split(',')[0]} (mean difference {num(samples['difference'].mean(), True)}{unit}; "
        f"{percent(clear)} of the worlds have a clear difference, their 95% CI excluding 0)."
    )


def box_sentence(question: Question, target: str, box: Box, first: bool) -> str:
    """One box as words, with its coverage and density (and a warning when even the box is mixed)."""
    verb = "loses" if target == "loses" else "wins"
    integers = {r.key for r in question.ranges if r.integer}
    where = " and ".join(limit_phrase(limit, limit["parameter"] in integers) for limit in records(box.limits))
    stats = f"coverage {percent(box.coverage)}, density {percent(box.density)}; {box.size} worlds in the box"
    if box.density < 0.5:
        lead = f"Its {'losses' if target == 'loses' else 'wins'} {'also ' * (not first)}concentrate where"
        return f"{lead} {where} ({stats}), though even there it {verb} in only {percent(box.density)} of the worlds."
    lead = f"It {verb} mainly where" if first else f"Among the other worlds, it also {verb} where"
    return f"{lead} {where} ({stats})."


def boxes_sentences(question: Question, target: str, boxes: Sequence[Box], samples: pd.DataFrame) -> list[str]:
    verb = "loses" if target == "loses" else "wins"
    if samples["beats"].all() or not samples["beats"].any():
        return ["Every sampled world gives the same answer: there is no condition under which it flips."]
    if not boxes:
        return [f"No box of parameter limits concentrates the worlds where it {verb}: they are spread out."]
    sentences = [box_sentence(question, target, box, i == 0) for i, box in enumerate(boxes)]
    sentences.append(
        f"Coverage is the share of the worlds where it {verb} that lie in the box; density, the share of "
        f"the worlds in the box where it {verb} (PRIM). A limit is stated when its quasi-p-value is at most "
        f"{QP_LIMIT}; a parameter whose limits are all above {QP_LIMIT} is dropped from the box, and a weaker limit "
        "kept beside a clear one is named as weak (boxes.csv: qp_low, qp_high)."
    )
    return sentences


def scores_sentence(scores: pd.DataFrame, top: int = 3) -> str:
    parts = [f"{plain_key(row['parameter'])} ({short(row['score'])})" for row in records(scores.head(top))]
    return "The difference moves most with " + ", ".join(parts) + " (extra-trees importances, summing to 1)."


def robustness_sentence(question: Question, table: pd.DataFrame) -> str:
    """Which policy is best on each robustness measure."""
    rows = records(table)
    best = (max if question.higher_is_better else min)(rows, key=lambda row: row["expected"])
    safest = min(rows, key=lambda row: row["regret_max"])
    steady = max(rows, key=lambda row: row["satisficing_share"])
    unit = " k€" if "k€" in label(question.metric) else ""
    if best["policy"] == safest["policy"] == steady["policy"]:
        return (
            f"Robust choice: {plain_policy(best['policy'])} on every measure — the best expected value "
            f"({num(best['expected'])}{unit}), the smallest maximum regret ({num(safest['regret_max'])}{unit}) and "
            f"within {question.satisficing:.0%} of the best in {percent(steady['satisficing_share'])} of the worlds."
        )
    return (
        f"Robust choice: {plain_policy(best['policy'])} has the best expected value ({num(best['expected'])}{unit}); "
        f"{plain_policy(safest['policy'])} the smallest maximum regret ({num(safest['regret_max'])}{unit}); "
        f"{plain_policy(steady['policy'])} is within {question.satisficing:.0%} of the best in the most worlds "
        f"({percent(steady['satisficing_share'])})."
    )


def reading(
    question: Question,
    samples: pd.DataFrame,
    target: str,
    boxes: Sequence[Box],
    scores: pd.DataFrame,
    table: pd.DataFrame,
) -> list[str]:
    """A plain-language reading of a discovery, generated from the numbers."""
    sentences = [outcome_sentence(question, samples), *boxes_sentences(question, target, boxes, samples)]
    return [*sentences, scores_sentence(scores), robustness_sentence(question, table)]


# --- figures ---------------------------------------------------------------------------------------
def trajectory_figure(trajectory: pd.DataFrame, target: str) -> Figure:
    """Coverage against density along each box's peeling trajectory; the chosen boxes starred."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5), layout="tight")
    ax = fig.subplots()
    for number, steps in trajectory.groupby("box"):
        line = steps[~steps["chosen"] | (steps["step"] < len(steps) - 1)]
        ax.plot(line["coverage"], line["density"], "-", color="grey", linewidth=0.6)
        points = ax.scatter(line["coverage"], line["density"], c=line["res_dim"], cmap="viridis", s=16)
        chosen = steps[steps["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], marker="*", s=220, color="crimson", zorder=3)
        for row in records(chosen):
            ax.annotate(f"box {number}", (row["coverage"], row["density"]), textcoords="offset points", xytext=(6, 6))
    if len(trajectory):
        fig.colorbar(points, ax=ax, label="restricted parameters")
    ax.set(xlim=(0, 1.05), ylim=(0, 1.05), xlabel="coverage", ylabel="density")
    ax.set_title(f"PRIM peeling trajectory: worlds where the alternative {target}", fontsize="medium")
    ax.grid(alpha=0.3)
    return fig


def scores_figure(scores: pd.DataFrame, top: int = 20) -> Figure:
    """The feature scores as bars, highest on top."""
    from matplotlib.figure import Figure

    shown = scores.head(top)
    fig = Figure(figsize=(8, 1.2 + 0.32 * len(shown)), layout="tight")
    ax = fig.subplots()
    ax.barh(range(len(shown)), shown["score"])
    ax.set_yticks(range(len(shown)), shown["parameter"], fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("extra-trees importance for the difference")
    ax.set_title(f"Feature scores (top {len(shown)} of {len(scores)})", fontsize="medium")
    return fig


def differences_figure(question: Question, samples: pd.DataFrame) -> Figure:
    """The histogram of the per-world difference ALT − BASE."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="tight")
    ax = fig.subplots()
    ax.hist(samples["difference"].dropna(), bins=min(40, max(5, len(samples) // 5)), color="steelblue")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"{question.metric}({question.alternative}) − {question.metric}({question.baseline})")
    ax.set_ylabel("sampled worlds")
    ax.set_title("The paired difference in each sampled world (mean over replications)", fontsize="medium")
    return fig


def save_figures(figures: Mapping[str, Figure], folder: Path) -> list[Path]:
    """Each figure as ``folder/<name>.png``, the same bytes for the same figure; the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        figure.savefig(folder / f"{name}.png", dpi=110, metadata={"Software": None})
    return [folder / f"{name}.png" for name in figures]


# --- EMA Workbench export --------------------------------------------------------------------------
def ema_tables(question: Question, runs: pd.DataFrame, samples: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Samples and outcomes in EMA Workbench's layout: one experiment per sample × policy, a column per
    uncertainty and ``scenario``, ``policy``, ``model``; outcomes as arrays (each metric's mean over replications)."""
    metrics = [m for m in SUMMARY_METRICS if m in runs]
    means = runs.groupby(["sample", "policy"], sort=False)[metrics].mean()
    order = pd.MultiIndex.from_product([samples["sample"], list(question.policies)], names=["sample", "policy"])
    means = means.reindex(order)
    values = samples.set_index("sample")[question.keys].reindex(order.get_level_values("sample"))
    experiments = values.reset_index(drop=True)
    experiments["scenario"] = pd.Categorical(order.get_level_values("sample").astype(str))
    experiments["policy"] = pd.Categorical(order.get_level_values("policy"), categories=list(question.policies))
    experiments["model"] = pd.Categorical(["salessim"] * len(experiments))
    outcomes = {metric: means[metric].to_numpy(dtype=float) for metric in metrics}
    return experiments, outcomes


def ema_archive(experiments: pd.DataFrame, outcomes: Mapping[str, np.ndarray]) -> bytes:
    """EMA Workbench's own results file (``save_results``), with a fixed gzip time so equal data give equal bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import ScalarOutcome, save_results

    for name in outcomes:
        ScalarOutcome(name)  # registers the outcome's kind, which save_results looks up
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.tar.gz"
        save_results((experiments, dict(outcomes)), str(path))
        archive = gzip.decompress(path.read_bytes())
    return gzip.compress(archive, compresslevel=9, mtime=0)


def write_ema(folder: ResultsFolder, experiments: pd.DataFrame, outcomes: Mapping[str, np.ndarray]) -> list[Path]:
    """``ema/experiments.csv``, ``ema/outcomes.csv`` and ``ema/results.tar.gz`` (``ema_workbench.load_results``)."""
    written = [
        folder.write_csv("ema/experiments.csv", experiments),
        folder.write_csv("ema/outcomes.csv", pd.DataFrame(dict(outcomes))),
    ]
    atomic_write(folder.path / "ema" / "results.tar.gz", ema_archive(experiments, outcomes))
    return [*written, folder.path / "ema" / "results.tar.gz"]


def is_ema_archive(path: Path) -> bool:
    """Whether ``path`` is a tar.gz holding EMA's metadata and experiments."""
    with tarfile.open(path, "r:gz") as archive:
        return {"metadata.json", "experiments.csv"} <= set(archive.getnames())


# --- the report ------------------------------------------------------------------------------------
def boxes_report_table(boxes: pd.DataFrame) -> Table:
    rows = [
        [
            str(row["box"]),
            row["parameter"],
            f"{num(row['low'])} to {num(row['high'])}",
            f"{num(row['range_low'])} to {num(row['range_high'])}",
            num(row["qp_low"]),
            num(row["qp_high"]),
            percent(row["coverage"]),
            percent(row["density"]),
            percent(row["mass"]),
        ]
        for row in records(boxes)
    ]
    headers = ["box", "parameter", "limits", "range", "qp low", "qp high", "coverage", "density", "mass"]
    return Table(headers, rows)


def scores_report_table(scores: pd.DataFrame, top: int = 20) -> Table:
    rows = [
        [
            str(row["rank"]),
            row["parameter"],
            f"{num(row['low'])} to {num(row['high'])}",
            num(row["score"]),
            num(row["score_beats"]),
        ]
        for row in records(scores.head(top))
    ]
    return Table(["rank", "parameter", "range", "score (difference)", "score (beats)"], rows)


def robustness_report_table(table: pd.DataFrame) -> Table:
    rows = [
        [
            plain_policy(row["policy"]),
            num(row["expected"]),
            num(row["regret_mean"]),
            num(row["regret_p90"]),
            num(row["regret_max"]),
            percent(row["satisficing_share"]),
            percent(row["best_share"]),
        ]
        for row in records(table)
    ]
    headers = ["policy", "expected", "regret mean", "regret p90", "regret max", "satisficing share", "best in"]
    return Table(headers, rows)


def notes(question: Question, design: Design) -> list[str]:
    left_out = f" Left out of the default ranges (no chosen policy reads them): {', '.join(question.left_out)}." * bool(
        question.left_out
    )
    switch = f", switching at quarter {question.switch_at}" if question.switch_at else ""
    return [
        f"Scenario '{design.shared.name}' ({design.shared.quarters} quarters{switch}); {len(design.samples)} Latin-"
        f"hypercube samples of {len(question.ranges)} uncertain keys ({question.source}) × {design.replications} "
        f"replications × {len(question.policies)} policies on common random numbers; root seed {design.seed}. "
        f"Outcome: {question.metric}({question.alternative}) − {question.metric}({question.baseline}), the mean "
        f"over the replications of each world. Satisficing: within {question.satisficing:.0%} of the best." + left_out
    ]


# --- the result ------------------------------------------------------------------------------------
@dataclass(repr=False, eq=False)
class DiscoveryResult:
    """The result of ``discover``: its tables as DataFrames, its figures, the EMA export and the results folder.

    ``samples``: per sample its values, each policy's mean metric, the difference ALT − BASE with its
    95% CI and n, ``beats`` and ``clear``; ``boxes``: one row per PRIM box and restricted parameter;
    ``trajectory``: the boxes' peeling trajectories; ``scores``: the feature scores; ``robustness``: per
    policy expected value, regrets and shares; ``runs``: one row per policy × sample × replication.
    """

    question: Question
    design: Design
    runs: pd.DataFrame
    samples: pd.DataFrame
    target: str
    box_list: list[Box]
    scores: pd.DataFrame
    robustness: pd.DataFrame
    manifest: dict[str, Any]
    store: WorldStore = field(repr=False)
    folder: Path | None = None

    @classmethod
    def collect(
        cls, question: Question, design: Design, store: WorldStore, manifest: dict[str, Any]
    ) -> DiscoveryResult:
        runs = runs_table(design, store)
        samples = sample_table(question, design, runs)
        defined = samples.dropna(subset=["difference"]).reset_index(drop=True)
        x = defined[question.keys]
        target = target_of(defined["beats"], question.target)
        y = cases_of_interest(defined, target)
        boxes = prim_boxes(x, y, question.max_boxes, question.min_coverage) if 0 < y.sum() < len(y) else []
        scores = feature_scores(x, defined, question.ranges, design.seed)
        means = policy_means(runs, question.metric, question.policies).dropna()
        table = robustness(means, question.higher_is_better, question.satisficing)
        finished = manifest | {"status": "complete", "finished": now()}
        return cls(question, design, runs, samples, target, boxes, scores, table, finished, store)

    def __repr__(self) -> str:
        return (
            f"<DiscoveryResult {self.question.alternative} vs {self.question.baseline} on {self.question.metric}: "
            f"{len(self.samples)} samples × {self.design.replications} replications, {len(self.box_list)} boxes>"
        )

    @property
    def boxes(self) -> pd.DataFrame:
        return boxes_table(self.box_list, self.question.ranges)

    @property
    def trajectory(self) -> pd.DataFrame:
        frames = [box.trajectory for box in self.box_list]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["box", "step", "chosen"])

    @property
    def scenario(self) -> Scenario:
        return self.design.shared

    @property
    def seed(self) -> int:
        return self.design.seed

    def reading(self) -> list[str]:
        return reading(self.question, self.samples, self.target, self.box_list, self.scores, self.robustness)

    def ema(self) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The samples and outcomes in EMA Workbench's (experiments, outcomes) layout."""
        return ema_tables(self.question, self.runs, self.samples)

    def figures(self) -> dict[str, Figure]:
        return {
            "peeling_trajectory": trajectory_figure(self.trajectory, self.target),
            "feature_scores": scores_figure(self.scores),
            "differences": differences_figure(self.question, self.samples),
        }

    def report(self, pictures: list[Path], folder: Path) -> Report:
        q = self.question
        return Report(
            title=f"salessim discover: {q.alternative} vs {q.baseline} on {q.metric}, {self.scenario.name}",
            notes=notes(q, self.design),
            reading=self.reading(),
            tables=[
                (f"PRIM boxes: where {plain_policy(q.alternative)} {self.target}", boxes_report_table(self.boxes)),
                ("Feature scores", scores_report_table(self.scores)),
                (f"Robust choice on {label(q.metric)}", robustness_report_table(self.robustness)),
            ],
            figures=pictures,
            scenario=self.scenario,
            manifest=self.manifest,
            folder=folder,
        )

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the whole results folder at ``path`` (a new folder; ``force=True`` replaces a results folder)."""
        if isinstance(self.store, WorldFolder) and Path(path).resolve() == self.store.path.resolve():
            return self.write(self.store)
        folder = WorldFolder(WorldFolder.create(Path(path), force=force, parameter="path").path)
        for world in all_worlds(self.design):
            folder.save_world(world, self.store.load_world(world))
        for name, text in scenario_files(self.design).items():
            folder.write_text(name, text)
        folder.write_manifest(self.manifest)
        return self.write(folder)

    def write(self, folder: WorldFolder) -> Path:
        """The final files into a folder holding the worlds: tables, EMA export, figures, report."""
        folder.write_csv("samples.csv", self.samples)
        folder.write_csv("boxes.csv", self.boxes)
        folder.write_csv("trajectory.csv", self.trajectory)
        folder.write_csv("scores.csv", self.scores)
        folder.write_csv("robustness.csv", self.robustness)
        folder.write_parquet("runs.parquet", self.runs)
        write_ema(folder, *self.ema())
        pictures = save_figures(self.figures(), folder.path / "figures")
        self.manifest = folder.update_manifest(status="complete", finished=self.manifest["finished"])
        report = self.report(pictures, folder.path)
        folder.write_text("report.md", report.markdown())
        folder.write_text("report.html", report.html())
        self.folder = folder.path
        return folder.path


# --- the entry point -------------------------------------------------------------------------------
def _call(given: Mapping[str, Any]) -> str:
    return "experiments.discover(" + ", ".join(f"{key}={value!r}" for key, value in given.items()) + ")"


def build_question(
    shared: Scenario,
    changes: Mapping[str, Any],
    quarters: int | None,
    policies: str | Sequence[str],
    ranges: RangesArg,
    settings: Mapping[str, Any],
) -> Question:
    """The checked question (errors name the parameter, and the key at fault)."""
    names = checked_policies(policies)
    found, left_out, source = checked_ranges(shared, names, ranges, changes, quarters)
    target = settings["target"]
    if target not in TARGETS:
        raise ArgumentError("target", f"{target!r} is not allowed; allowed: {', '.join(map(repr, TARGETS))}")
    return Question(
        policies=names,
        metric=checked_metric(settings["metric"]),
        ranges=found,
        samples=whole_number("samples", settings["samples"], minimum=2),
        switch_at=checked_switch(settings["switch_at"], shared.quarters),
        satisficing=checked_share("satisficing", settings["satisficing"]),
        target=target,
        max_boxes=whole_number("max_boxes", settings["max_boxes"]),
        min_coverage=checked_share("min_coverage", settings["min_coverage"], low_open=True),
        left_out=left_out,
        source="the default assumption ranges" if source == str(DEFAULT_RANGES) else source,
    )


def sampled_design(base: Scenario, question: Question, reps: int, seed: int, changes: Mapping[str, Any]) -> Design:
    """The design: the samples drawn, their runs not yet resolved (``resolve_samples``)."""
    points = tuple(lhs_points(question.ranges, question.samples, seed))
    return Design(base, question.policies, reps, seed, dict(changes), samples=points)


def resolve_samples(design: Design) -> None:
    """Every sample's runs resolved, and checked, before anything starts."""
    try:
        design.scenarios  # noqa: B018
    except ArgumentError as error:
        raise ArgumentError("ranges" if error.parameter == "params" else error.parameter, error.problem) from None


def check_batch(design: Design, execution: Execution) -> None:
    """The size check, before the samples' runs are resolved (for a huge batch that alone takes long)."""
    worlds = len(design.samples) * design.replications
    done = len(WorldFolder(execution.out).finished_worlds()) if execution.resume and execution.out else 0
    check_size(design, worker_count(execution.workers, worlds), execution, done * len(design.policies))


def discover(
    policies: str | Sequence[str] = ("finder_keeps", "dedicated_roles_crm"),
    ranges: RangesArg = None,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    *,
    samples: int = 200,
    reps: int = 10,
    metric: str = "profit_total",
    switch_at: int = 0,
    satisficing: float = 0.05,
    target: str = "auto",
    max_boxes: int = 3,
    min_coverage: float = 0.5,
    quarters: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    command: Sequence[str] | None = None,
    confirm: bool = False,
) -> DiscoveryResult:
    """Where the answer flips: PRIM boxes, feature scores and robust choice over sampled worlds.

    ``policies``: the baseline, the alternative compared with it, and any others for the robust
    choice. ``ranges``: a TOML file or ``{key: (low, high)}`` (None: the default assumption ranges,
    without the keys no chosen policy reads). ``samples`` Latin-hypercube worlds × ``reps``
    replications per policy, on common random numbers; ``metric``: the run-summary metric (lower is
    better for churn, turnover, costs and the like); ``switch_at``: the quarter the department
    switches from its current policy. ``target``: the outcome PRIM explains, ``"wins"``, ``"loses"``
    or ``"auto"`` (the less common one); ``max_boxes``, ``min_coverage``: PRIM's boxes; ``satisficing``:
    the share of the best a satisficing policy may fall short by. The other arguments are
    ``experiments.compare``'s (``confirm``: start a batch estimated at over 2 hours, or more memory
    or disk than is left).
    """
    given = {k: v for k, v in locals().items() if k not in ("log", "command", "progress", "confirm")}
    execution = Execution.checked(workers, executor, scheduler, out, resume, force, progress, log, command, confirm)
    require_extra()
    base = base_scenario(scenario)
    whole_number("reps", reps)
    changes = override_map(overrides, quarters)
    settings = {k: given[k] for k in ("metric", "samples", "switch_at", "satisficing", "target")}
    settings |= {"max_boxes": max_boxes, "min_coverage": min_coverage}
    question = build_question(shared_scenario(base, changes), changes, quarters, policies, ranges, settings)
    root = experiment_seed(seed, execution)
    design = sampled_design(base, question, reps, root, changes)
    check_batch(design, execution)
    resolve_samples(design)
    arguments = {
        "scenario": str(scenario) if not isinstance(scenario, Scenario) else f"<Scenario '{scenario.name}'>",
        "scenario (hash)": base.digest(),
        **question.arguments(),
        "reps": reps,
        "quarters": quarters,
        "seed": root,
        "overrides": dict(overrides or {}),
        "samples (hash)": samples_digest(design.samples),
    }
    execution = replace(execution, command=execution.command or _call(given))
    store, manifest = run_discovery(design, question, arguments, execution)
    result = DiscoveryResult.collect(question, design, store, manifest)
    if isinstance(store, WorldFolder):
        result.write(store)
    return result


__all__ = [
    "DEFAULT_RANGES",
    "DiscoveryResult",
    "Question",
    "discover",
    "lhs_points",
    "plain_policy",
    "prim_boxes",
    "robustness",
]
