"""``calibrate``: fit what an export cannot show (win-chance scale, churn and quit base rates, need rate) so
that the simulated KPIs under the department's policy match those the import measured.

The search is optuna's TPE sampler (a well-kept library; see docs/your_department.md for why not pyabc)
minimising the sum of squared standardised differences between simulated and observed KPIs. Every
candidate runs the same seed and replications 0..R-1 (common random numbers), so candidates differ
by their parameters, not their luck. Trials are stored in ``DIR/study.journal`` (optuna's journal file): an interrupted
calibration continues with ``resume=True`` and ends with the same trials as an uninterrupted one (each
trial's sampler is seeded by the seed and how many trials are complete before it). The parameters'
uncertainty is the spread of the trials whose loss is within the 95% chi-square margin of the best (an
approximate confidence region).
"""

from __future__ import annotations

import importlib.util
import json
import math
import platform
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulation import POLICIES, Scenario, ScenarioError, build_scenario, load_scenario, parameter_keys, run_simulation

from .. import executors
from ..errors import SetupError
from ..processes import terminate_as_interrupt, watch_manifest
from ..results import atomic_write, check_writable, create_error, json_text, now
from .document import records
from .errors import CalibrationError, CalibrationInterrupted
from .kpis import CHECK_ONLY, Kpi, simulated
from .scenario_file import QUIT_RATE, observed_path, read_observed, set_keys

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "selling.win_chance_max": (0.1, 1.0),
    "churn.base_rate": (0.0, 0.1),
    QUIT_RATE: (0.0, 0.2),
    "clients.need_rate_consultative": (0.05, 0.8),
}
DEFAULT_BUDGET, DEFAULT_REPS, DEFAULT_SEED, WARMUP, MAX_HISTORY = 150, 8, 2024, 4, 12
CHECK_FACTOR = 3  # the best candidate is rerun on this many times the replications for fit.csv
STARTUP_TRIALS = 10  # TPE's random start-up trials
JOURNAL = "study.journal"
MANIFEST = "manifest.json"
SUBCOMMAND = "calibrate"
EXTRA = 'pip install "salessim[calibrate]"'


@dataclass(frozen=True)
class Range:
    """A parameter to fit and its search range."""

    key: str
    low: float
    high: float
    integer: bool = False


@dataclass
class Setup:
    """Everything that defines a calibration: the same setup gives the same trials."""

    scenario: Scenario
    scenario_file: Path
    policy: str
    observed: dict[str, Kpi]
    fitted: list[str]
    ranges: list[Range]
    reps: int
    seed: int
    quarters: int
    warmup: int = WARMUP

    def fingerprint(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.digest(),
            "policy": self.policy,
            "fitted": self.fitted,
            "observed": {k: [v.value, v.se] for k, v in self.observed.items()},
            "ranges": [asdict(r) for r in self.ranges],
            "reps": self.reps,
            "seed": self.seed,
            "quarters": self.quarters,
            "warmup": self.warmup,
        }


@dataclass
class Evaluation:
    """One candidate's simulated KPIs: per replication, their means and its loss."""

    values: dict[str, float]
    per_rep: pd.DataFrame
    loss: float

    @property
    def means(self) -> dict[str, float]:
        return {k: float(self.per_rep[k].mean()) for k in self.per_rep.columns}


@dataclass
class CalibrationResult:
    """What a calibration wrote and found."""

    folder: Path
    fit: pd.DataFrame
    parameters: pd.DataFrame
    unreachable: list[str]
    trials: int
    seconds: float
    messages: list[str] = field(default_factory=list)


def parse_ranges(texts: Sequence[str] | None, scenario: Scenario) -> list[Range]:
    """``KEY=LOW:HIGH`` texts as ranges (default: the four parameters no export shows), each bound checked."""
    if not texts:
        return [_checked(Range(k, lo, hi), scenario) for k, (lo, hi) in DEFAULT_RANGES.items()]
    ranges = []
    for text in texts:
        key, sep, bounds = text.partition("=")
        low, colon, high = bounds.partition(":")
        try:
            low_value, high_value = float(low), float(high)
        except ValueError:
            raise CalibrationError(
                f"--params {text!r} is not allowed; allowed: KEY=LOW:HIGH, e.g. churn.base_rate=0:0.1"
            ) from None
        if not sep or not colon or not low_value < high_value:
            raise CalibrationError(f"--params {text!r} is not allowed; allowed: KEY=LOW:HIGH with LOW < HIGH")
        ranges.append(_checked(Range(key.strip(), low_value, high_value), scenario))
    return ranges


def _checked(candidate: Range, scenario: Scenario) -> Range:
    flat = {k: v for k, v in _flat(scenario).items()}
    if candidate.key not in parameter_keys():
        import difflib

        close = difflib.get_close_matches(candidate.key, parameter_keys(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise CalibrationError(f"--params: unknown key '{candidate.key}'{hint}")
    current = flat[candidate.key]
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise CalibrationError(f"--params: {candidate.key} is not a number; allowed: numeric keys only")
    integer = isinstance(current, int)
    checked = Range(candidate.key, candidate.low, candidate.high, integer)
    for bound in (checked.low, checked.high):
        try:
            build_scenario(scenario, {checked.key: round(bound) if integer else float(bound)})
        except ScenarioError as error:
            raise CalibrationError(f"--params {checked.key}={checked.low:g}:{checked.high:g}: {error}") from None
    return checked


def _flat(scenario: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, values in scenario.model_dump().items():
        if isinstance(values, dict):
            out |= {f"{group}.{k}": v for k, v in values.items()}
        else:
            out[group] = values
    return out


def run_kpis(task: tuple[Scenario, str, int, int, dict[str, Any], int]) -> dict[str, float]:
    """One replication of one candidate: its simulated KPIs (a module-level function, for worker processes)."""
    scenario, policy, seed, replication, overrides, warmup = task
    result = run_simulation(build_scenario(scenario, overrides), policy, seed=seed, replication=replication)
    return simulated(result.timeseries, result.summary, warmup)


def loss_of(setup: Setup, means: dict[str, float]) -> float:
    """Sum over the fitted KPIs of the squared difference in units of the observed KPI's error scale."""
    total = 0.0
    for name in setup.fitted:
        value = means.get(name, math.nan)
        kpi = setup.observed[name]
        total += ((value - kpi.value) / kpi.scale(name)) ** 2 if math.isfinite(value) else 100.0
    return total


def evaluate(
    setup: Setup, values: dict[str, float], mapper: Callable[..., Iterator[dict[str, float]]], reps: int | None = None
) -> Evaluation:
    """Run a candidate on replications 0..reps-1 of the setup's seed."""
    tasks = [(setup.scenario, setup.policy, setup.seed, r, values, setup.warmup) for r in range(reps or setup.reps)]
    per_rep = pd.DataFrame(list(mapper(run_kpis, tasks)))
    means = {k: float(np.nanmean(per_rep[k])) if per_rep[k].notna().any() else math.nan for k in per_rep.columns}
    return Evaluation(values, per_rep, loss_of(setup, means))


def load_setup(
    scenario_file: str | Path,
    ranges: Sequence[str] | None,
    reps: int,
    seed: int,
    observed: str | Path | None,
    policy: str | None,
    kpis: Sequence[str] | None,
) -> Setup:
    """Read the scenario and its observed KPIs, check the ranges, decide the horizon."""
    path = Path(scenario_file)
    scenario = load_scenario(path)
    observed_policy, history, measured = read_observed(Path(observed) if observed else observed_path(path))
    chosen = policy or observed_policy
    if chosen not in POLICIES:
        raise CalibrationError(f"policy '{chosen}' is not a policy; allowed: {', '.join(POLICIES)}")
    fitted = list(kpis) if kpis else [k for k in measured if k not in CHECK_ONLY]
    for name in fitted:
        if name not in measured:
            raise CalibrationError(f"--kpis: '{name}' was not measured; allowed: {', '.join(measured)}")
    if reps < 2:
        raise CalibrationError(f"--reps {reps} is not allowed; allowed: 2 or more (the fit needs a spread)")
    horizon = WARMUP + min(MAX_HISTORY, max(4, history))
    scenario = build_scenario(scenario, {"quarters": horizon})
    return Setup(scenario, path, chosen, measured, fitted, parse_ranges(ranges, scenario), reps, seed, horizon)


def require_optuna() -> None:
    """The search is optuna's, an optional extra: without it, say how to install it (before any folder is made)."""
    if importlib.util.find_spec("optuna") is None:
        raise SetupError(f"calibrate needs the calibrate extra (optuna): {EXTRA}")


@contextmanager
def open_pool(kind: str, workers: int) -> Iterator[Callable[..., Iterator[dict[str, float]]]]:
    """A ``map`` over the pool compare uses: this process (``workers`` 1), local processes that leave
    Ctrl-C to this one and are ended at once when it stops, or a Dask LocalCluster on 127.0.0.1."""
    with executors.open_pool(executors.check(kind, None), max(1, workers)) as pool:
        yield map if pool.executor is None else pool.executor.map


def _storage(folder: Path) -> Any:
    """Optuna's journal storage in the folder: every trial appended to one file, so a stop loses at most one."""
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(folder / JOURNAL)))


def folder_kind(folder: Path) -> str | None:
    """The command whose results folder this is, by its manifest: 'calibrate' (also for a calibration's
    manifest from before manifests named their command, and for one stopped before its manifest was
    written: a journal alone), another command's name, or None (not a salessim folder)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return SUBCOMMAND if (folder / JOURNAL).is_file() else None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("subcommand", SUBCOMMAND if "setup" in data else None)
    return str(kind) if kind is not None else None


def prepare_folder(folder: Path, resume: bool, force: bool) -> None:
    """A new folder, or an earlier calibration's with ``resume`` (continue) or ``force`` (replace it);
    ``force`` never replaces another command's folder or one salessim did not write."""
    if resume and force:
        raise CalibrationError("--resume and --force together; allowed: one of them (continue, or start again)")
    if folder.exists() and not folder.is_dir():
        raise CalibrationError(f"--out {folder} is a file; allowed: a folder (new, or a calibration's)")
    kind = folder_kind(folder) if folder.is_dir() else None
    if resume:
        if kind != SUBCOMMAND or not (folder / JOURNAL).is_file():
            held = f" (it holds a '{kind}' results folder)" if kind else ""
            raise CalibrationError(
                f"--resume: {folder} holds no calibration to continue{held}; allowed: the --out of an interrupted "
                "calibration, or drop --resume"
            )
        return
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise CalibrationError(
                f"--out {folder} already holds files; allowed: a new folder, --resume (continue the calibration "
                "stored there) or --force (start again)"
            )
        if kind != SUBCOMMAND:
            what = f"a '{kind}' results folder" if kind else "not a salessim calibrate folder (no manifest.json)"
            raise CalibrationError(
                f"--force: {folder} is {what}; refusing to replace it; allowed: a new --out folder, or the --out of "
                "an earlier calibration"
            )
        shutil.rmtree(folder)
    check_writable(folder, "out", "a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise create_error(error, folder, "out", "a folder") from None


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write(folder / MANIFEST, json_text(manifest).encode("utf-8"))


def sampler_for(seed: int, complete: int) -> Any:
    """The sampler that proposes the trial after ``complete`` complete ones: seeded by the calibration's seed
    and that count, so that a proposal depends only on the trials before it. (One sampler for the whole
    search keeps its random state in memory: made afresh on resume, it repeated the first trials' draws.)"""
    import optuna

    state = int(np.random.SeedSequence([seed, complete]).generate_state(1)[0])
    return optuna.samplers.TPESampler(seed=state, multivariate=True, n_startup_trials=STARTUP_TRIALS)


def open_study(setup: Setup, folder: Path) -> Any:
    """The optuna study stored in the folder; an earlier one must have the same setup."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name="calibrate",
        storage=_storage(folder),
        sampler=sampler_for(setup.seed, 0),
        direction="minimize",
        load_if_exists=True,
    )
    stored = study.user_attrs.get("setup")
    fingerprint = json.loads(json.dumps(setup.fingerprint()))
    if stored is None:
        study.set_user_attr("setup", fingerprint)
    elif stored != fingerprint:
        changed = sorted(k for k in fingerprint if stored.get(k) != fingerprint[k])
        raise CalibrationError(
            f"--resume: the calibration in {folder} has a different setup ({', '.join(changed)}); "
            "allowed: the same scenario, KPIs, --params, --reps and --seed, or --force"
        )
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)  # cut short by an interruption
    return study


def suggest(trial: Any, ranges: list[Range]) -> dict[str, float]:
    return {
        r.key: trial.suggest_int(r.key, math.ceil(r.low), math.floor(r.high))
        if r.integer
        else trial.suggest_float(r.key, r.low, r.high)
        for r in ranges
    }


def search(
    setup: Setup, study: Any, budget: int, mapper: Callable[..., Iterator[dict[str, float]]], progress: bool
) -> int:
    """Run trials until ``budget`` are complete; returns how many were run now. A stop (Ctrl-C) marks the
    trial it cut short as failed (a resume runs that proposal again) before it goes up."""
    import optuna
    from tqdm import tqdm

    done = complete_trials(study)
    todo = max(0, budget - done)
    with tqdm(
        total=budget,
        initial=done,
        file=sys.stderr,
        disable=not progress,
        desc="calibrate",
        unit="trial",
        dynamic_ncols=True,
    ) as bar:
        for step in range(todo):
            study.sampler = sampler_for(setup.seed, done + step)
            trial = study.ask()
            try:
                result = evaluate(setup, suggest(trial, setup.ranges), mapper)
            except BaseException:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            trial.set_user_attr("means", {k: (v if math.isfinite(v) else None) for k, v in result.means.items()})
            study.tell(trial, result.loss)
            bar.update(1)
            bar.set_postfix(best=f"{study.best_value:.3g}")
    return todo


def complete_trials(study: Any) -> int:
    import optuna

    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def trials_table(study: Any, setup: Setup) -> pd.DataFrame:
    """Every complete trial, numbered in order from 0 (a trial cut short by a stop leaves no gap): its
    parameters, loss and simulated KPI means."""
    import optuna

    rows = []
    done = sorted(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)), key=lambda t: t.number)
    for number, trial in enumerate(done):
        means = {f"sim_{k}": (math.nan if v is None else v) for k, v in trial.user_attrs.get("means", {}).items()}
        rows.append({"trial": number, **trial.params, "loss": trial.value, **means})
    return pd.DataFrame(rows)


def uncertainty(trials: pd.DataFrame, setup: Setup) -> tuple[pd.DataFrame, float]:
    """Per parameter: the best value and the range of the trials within the 95% chi-square margin of the best."""
    margin = float(stats.chi2.ppf(0.95, df=len(setup.ranges)))
    best = records(trials.nsmallest(1, "loss"))[0]
    near = trials[trials["loss"] <= best["loss"] + margin]
    rows = []
    for r in setup.ranges:
        width = r.high - r.low
        at_bound = min(best[r.key] - r.low, r.high - best[r.key]) <= 0.02 * width
        rows.append(
            {
                "key": r.key,
                "low": r.low,
                "high": r.high,
                "best": float(best[r.key]),
                "range_low": float(near[r.key].min()),
                "range_high": float(near[r.key].max()),
                "near_best_trials": len(near),
                "at_bound": bool(at_bound),
            }
        )
    return pd.DataFrame(rows), margin


def fit_table(setup: Setup, check: Evaluation) -> pd.DataFrame:
    """``kpi, observed, simulated, ci_low, ci_high, within``: the band is where the observed value would fall
    (95%) if the calibrated model were true: its error scale and the simulated mean's own error combined."""
    rows = []
    for name, kpi in setup.observed.items():
        values = check.per_rep[name].dropna() if name in check.per_rep else pd.Series(dtype=float)
        mean = float(values.mean()) if len(values) else math.nan
        mc = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan
        half = 1.96 * math.sqrt(kpi.scale(name) ** 2 + mc**2) if math.isfinite(mc) else math.nan
        rows.append(
            {
                "kpi": name,
                "observed": kpi.value,
                "simulated": mean,
                "ci_low": max(0.0, mean - half),  # every KPI is a share, a rate or revenue: never below 0
                "ci_high": mean + half,
                "within": bool(abs(kpi.value - mean) <= half) if len(values) else False,
                "fitted": name in setup.fitted,
            }
        )
    return pd.DataFrame(rows)


def unreachable(setup: Setup, trials: pd.DataFrame, fit: pd.DataFrame, parameters: pd.DataFrame) -> list[str]:
    """Plain statements for the KPIs the fit does not match, and whether the ranges can reach them at all."""
    messages = []
    bounds = [str(p["key"]) for p in records(parameters) if p["at_bound"]]
    for row in records(fit):
        name = str(row["kpi"])
        if not row["within"] and not row["fitted"]:
            messages.append(
                f"{name} (a check, not fitted) is outside its band: observed {row['observed']:.4g}, "
                f"simulated {row['simulated']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
            )
        if row["within"] or not row["fitted"]:
            continue
        kpi = setup.observed[name]
        low, high = trials[f"sim_{name}"].min(), trials[f"sim_{name}"].max()
        if kpi.value < low - 1.96 * kpi.scale(name) or kpi.value > high + 1.96 * kpi.scale(name):
            messages.append(
                f"{name} cannot be reached within the ranges: observed {kpi.value:.4g}, simulated "
                f"{low:.4g} to {high:.4g} over all {len(trials)} trials"
                + (
                    f" (best at a bound: {', '.join(bounds)}; widen it with --params)"
                    if bounds
                    else " (other parameters, or the model's structure, decide it)"
                )
            )
        else:
            messages.append(
                f"{name} is not matched at the best parameters: observed {kpi.value:.4g}, "
                f"simulated {row['simulated']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}]; the fitted KPIs "
                "pull in different directions"
            )
    return messages


def calibrated_text(setup: Setup, parameters: pd.DataFrame, trials: int) -> str:
    """The source scenario file with the fitted values set, each with its 95% range."""
    values: dict[str, tuple[Any, str]] = {}
    for p, r in zip(records(parameters), setup.ranges, strict=True):
        value: Any = round(p["best"]) if r.integer else round(float(p["best"]), 5)
        values[r.key] = (
            value,
            f"fitted by salessim calibrate: 95% range {p['range_low']:.4g} to {p['range_high']:.4g}"
            + (" (at the search bound)" if p["at_bound"] else ""),
        )
    text = setup.scenario_file.read_text(encoding="utf-8")
    head = (
        f"# Calibrated by salessim calibrate ({trials} trials x {setup.reps} replications, seed {setup.seed}, "
        f"policy {setup.policy}); see report.md.\n"
    )
    return head + set_keys(text, values)


def write_outputs(
    folder: Path,
    setup: Setup,
    fit: pd.DataFrame,
    parameters: pd.DataFrame,
    trials: pd.DataFrame,
    messages: list[str],
    margin: float,
    started: float,
) -> float:
    """The calibrated scenario, the tables and the report; returns the seconds since ``started``."""
    from .calibration_report import write_calibration_report

    (folder / "scenario.toml").write_text(calibrated_text(setup, parameters, len(trials)), encoding="utf-8")
    load_scenario(folder / "scenario.toml")
    fit[["kpi", "observed", "simulated", "ci_low", "ci_high", "within"]].to_csv(folder / "fit.csv", index=False)
    parameters.to_csv(folder / "parameters.csv", index=False)
    trials.to_csv(folder / "trials.csv", index=False)
    seconds = round(time.perf_counter() - started, 2)
    write_calibration_report(folder, setup, fit, parameters, trials, messages, margin, seconds)
    return seconds


def calibrate(
    scenario: str | Path,
    out: str | Path,
    budget: int = DEFAULT_BUDGET,
    params: Sequence[str] | None = None,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    executor: str = "local",
    resume: bool = False,
    force: bool = False,
    observed: str | Path | None = None,
    policy: str | None = None,
    kpis: Sequence[str] | None = None,
    progress: bool = True,
    command: Sequence[str] | None = None,
) -> CalibrationResult:
    """Fit the ranges' parameters to the observed KPIs; write scenario.toml, fit.csv, the report and the trials.

    A stop (Ctrl-C, SIGTERM) raises ``CalibrationInterrupted`` (a ``KeyboardInterrupt``) saying how many
    trials are saved; ``resume=True`` continues them to the result an uninterrupted calibration gives."""
    started = time.perf_counter()
    require_optuna()
    if budget < 1:
        raise CalibrationError(f"--budget {budget} is not allowed; allowed: 1 or more trials")
    if not 0 <= seed < 2**63:
        raise CalibrationError(f"--seed {seed} is not allowed; allowed: a whole number from 0 to 2**63-1")
    setup = load_setup(scenario, params, reps, seed, observed, policy, kpis)
    executors.check(executor, None)
    folder = Path(out)
    prepare_folder(folder, resume, force)
    recorded = {
        "subcommand": SUBCOMMAND,
        "command": list(command or []),
        "scenario": str(setup.scenario_file),
        "policy": setup.policy,
        "seed": setup.seed,
        "reps": setup.reps,
        "budget": budget,
        "quarters": setup.quarters,
        "warmup": setup.warmup,
        "workers": workers,
        "executor": executor,
        "python": platform.python_version(),
        "setup": setup.fingerprint(),
    }
    study, running = None, False
    with terminate_as_interrupt():  # a second Ctrl-C cannot cut short the stop (the pool, the manifest)
        try:
            study = open_study(setup, folder)  # on resume: refused unless the setup is the same
            write_manifest(folder, recorded | {"status": "running", "started": now()})
            running = True
            watch_manifest(folder / MANIFEST)  # marks it "interrupted" if this process is killed
            with open_pool(executor, workers) as mapper:
                ran = search(setup, study, budget, mapper, progress)
                trials = trials_table(study, setup)
                parameters, margin = uncertainty(trials, setup)
                chosen = dict(zip(parameters["key"].astype(str), parameters["best"].astype(float), strict=True))
                best = {r.key: round(chosen[r.key]) if r.integer else chosen[r.key] for r in setup.ranges}
                check = evaluate(setup, best, mapper, reps=CHECK_FACTOR * setup.reps)
            fit = fit_table(setup, check)
            messages = unreachable(setup, trials, fit, parameters)
            seconds = write_outputs(folder, setup, fit, parameters, trials, messages, margin, started)
            manifest = {"trials_run_now": ran, "trials": len(trials), "chi2_margin": margin}
            write_manifest(folder, recorded | manifest | {"status": "complete", "finished": now(), "seconds": seconds})
        except KeyboardInterrupt:
            saved = complete_trials(study) if study is not None else 0
            if running:
                write_manifest(folder, recorded | {"status": "interrupted", "interrupted": now(), "trials": saved})
            raise CalibrationInterrupted(saved, budget, folder) from None
        except Exception:
            if running:
                write_manifest(folder, recorded | {"status": "failed", "failed": now()})
            raise
    return CalibrationResult(folder, fit, parameters, messages, len(trials), seconds)
