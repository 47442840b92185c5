"""The ``salessim`` command: scenarios, policies, show, run, compare, sweep, sensitivity, validate, dashboard.

Every bad input ends the command with one line on stderr, ``error: ...`` naming the option or
key, the value and what is allowed, and exit code 2.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import math
import os
import secrets
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from simulation import (
    MAIN_POLICIES,
    POLICIES,
    PRESETS,
    SUMMARY_METRICS,
    Scenario,
    ScenarioError,
    parameter_keys,
    resolve_scenario,
    run_simulation,
)

from . import executors
from .labels import label
from .report import num
from .results import ResultsError, ResultsFolder, atomic_write, latest_folder, new_folder_path, parquet_bytes
from .runner import Design

if TYPE_CHECKING:
    import numpy as np

    from .sensitivity import Lever, Study

RESULTS_ROOT = Path("results")
DEFAULT_SCENARIO = "mature_department"


class UsageError(ValueError):
    """A command-line value that is not allowed; the message names the option."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one ``error:`` line (exit 2) instead of usage plus message."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


# --- argument types ----------------------------------------------------------------------------
def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1 or str(value) != text.strip().lstrip("+"):
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed; allowed: a whole number >= 1")
    return value


def seed_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed; allowed: a whole number from 0 to 2**63-1")
    return value


def toml_value(text: str) -> Any:
    """A --set/--vary value read as TOML (0.3, true, "text", inf); anything else is taken as text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def key_value(option: str, text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"{option}: '{text}' is not allowed; allowed: key=value (e.g. crm.adoption=0.5)")
    return key.strip(), value.strip()


def parse_set(items: Sequence[str] | None) -> dict[str, Any]:
    return {key: toml_value(value) for key, value in (key_value("--set", item) for item in items or [])}


def parse_vary(items: Sequence[str] | None) -> dict[str, tuple[Any, ...]]:
    vary: dict[str, tuple[Any, ...]] = {}
    for item in items or []:
        key, values = key_value("--vary", item)
        parsed = tuple(toml_value(v.strip()) for v in values.split(",") if v.strip())
        if not parsed:
            raise UsageError(f"--vary: '{item}' has no values; allowed: key=v1,v2,...")
        if key in vary:
            raise UsageError(f"--vary: key '{key}' is given twice; allowed: each key once")
        if len(set(parsed)) < len(parsed):
            raise UsageError(f"--vary: '{item}' repeats a value; allowed: distinct values (a repeat would be "
                             "counted as extra replications)")
        vary[key] = parsed
    return vary


def parse_policies(text: str | None, option: str = "--policies") -> tuple[str, ...]:
    names = [p.strip() for p in text.split(",")] if text else list(MAIN_POLICIES)
    for name in names:
        if name not in POLICIES:
            close = difflib.get_close_matches(name, POLICIES, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise UsageError(f"{option}: unknown policy '{name}'; allowed: {', '.join(POLICIES)}{hint}")
    if len(set(names)) < len(names):
        raise UsageError(f"{option}: '{text}' names a policy twice; allowed: each policy once")
    return tuple(names)


def load_base(value: str | None, option: str = "--scenario") -> Scenario:
    """The --scenario value: a TOML file if it ends in .toml or has a path separator, else a preset."""
    try:
        return resolve_scenario(value or DEFAULT_SCENARIO)
    except ScenarioError as error:
        raise UsageError(f"{option}: {error}") from None
    except OSError as error:
        raise UsageError(f"{option}: cannot read '{value}' ({error.strerror}); allowed: a readable TOML file "
                         "or a preset name") from None


def build_scenario(value: str | None, overrides: dict[str, Any], quarters: int | None,
                   option: str = "--scenario") -> Scenario:
    """The resolved scenario: --scenario, then --set, then --quarters; errors name the option."""
    scenario = load_base(value, option)
    for option, changes in (("--set", overrides), ("--quarters", {"quarters": quarters} if quarters else {})):
        if changes:
            try:
                scenario = resolve_scenario(scenario, changes)
            except ScenarioError as error:
                raise UsageError(f"{option}: {error}") from None
    return scenario


# --- commands ----------------------------------------------------------------------------------
def cmd_scenarios(args: argparse.Namespace) -> int:
    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.get('description', '')}")
    return 0


def cmd_policies(args: argparse.Namespace) -> int:
    width = max(map(len, POLICIES))
    for name, preset in POLICIES.items():
        mark = "*" if name in MAIN_POLICIES else " "
        print(f"{name:<{width}} {mark} {preset.description}")
    print(f"\n* main policies (the default of 'salessim compare'): {', '.join(MAIN_POLICIES)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    print(build_scenario(args.scenario, parse_set(args.set), None, option="scenario").to_toml(), end="")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    policy = parse_policies(args.policy, "--policy")[0]
    overrides = parse_set(args.set)
    scenario = build_scenario(args.scenario, overrides, args.quarters)
    seed = args.seed if args.seed is not None else secrets.randbits(63)
    out = Path(args.out) if args.out else new_folder_path(RESULTS_ROOT, "run", f"{policy}").with_suffix(".csv")
    if out.suffix not in (".csv", ".parquet"):
        raise UsageError(f"--out: '{out}' is not allowed; allowed: a file name ending in .csv or .parquet")
    if out.exists() and not args.force:
        raise UsageError(f"--out: '{out}' already exists; allowed: a new file, or --force to replace it")
    result = run_simulation(scenario, policy, seed=seed, replication=args.replication, quarters=args.quarters,
                            overrides=overrides)
    frame = result.timeseries
    atomic_write(out, frame.to_csv(index=False, lineterminator="\n").encode() if out.suffix == ".csv"
                 else parquet_bytes(frame))
    print(f"{policy} on '{scenario.name}', {scenario.quarters} quarters, seed {seed}, replication {args.replication}")
    width = max(len(label(k)) for k in result.summary)
    for key, value in result.summary.items():
        shown = f"{value:,.0f}" if float(value).is_integer() else num(value)
        print(f"  {label(key):<{width}}  {shown}  ({key})")
    print(f"timeseries: {out}")
    return 0


def experiment_design(args: argparse.Namespace) -> Design:
    """The validated design of a compare or sweep (seed still unset)."""
    policies = parse_policies(args.policies)
    overrides = parse_set(args.set)
    vary = parse_vary(getattr(args, "vary", None))
    scenario = build_scenario(args.scenario, overrides, args.quarters)
    for key in vary:
        if key in overrides or (key == "quarters" and args.quarters):
            raise UsageError(f"--vary: key '{key}' is also fixed by {'--set' if key in overrides else '--quarters'};"
                             " allowed: vary it or fix it, not both")
    design = Design(scenario, policies, args.reps, 0, args.quarters, overrides, vary)
    for point in design.points():
        try:
            resolve_scenario(scenario, point)
        except ScenarioError as error:
            raise UsageError(f"--vary: {error}") from None
    return design


def recorded_arguments(design: Design, command: str) -> dict[str, Any]:
    """What a resumed command must repeat, keyed by option (the scenario by its resolved hash)."""
    arguments = {"--scenario (resolved hash)": design.scenario.digest(), "--policies": list(design.policies),
                 "--reps": design.replications, "--quarters": design.quarters, "--seed": design.seed,
                 "--set": design.overrides}
    if command == "sweep":
        arguments["--vary"] = {key: list(values) for key, values in design.vary.items()}
    return arguments


def results_path(args: argparse.Namespace, label: str) -> Path:
    """--out, or with --resume the latest folder of this command, or a new folder under results/."""
    if args.out:
        return Path(args.out)
    if args.resume:
        path = latest_folder(RESULTS_ROOT, args.command)
        if path is None:
            raise UsageError(f"--resume: no earlier '{args.command}' folder under {RESULTS_ROOT}/; allowed: --out DIR "
                             "naming the folder to finish")
        return path
    return new_folder_path(RESULTS_ROOT, args.command, label)


def root_seed(args: argparse.Namespace, path: Path) -> int:
    """--seed; when resuming without it, the folder's recorded seed; otherwise a fresh one."""
    seed = args.seed
    if args.resume:
        if not path.is_dir():
            raise UsageError(f"--resume: no results folder at '{path}'; allowed: an existing results folder")
        folder = ResultsFolder(path)
        if seed is None and folder.manifest_path.exists():
            seed = int(folder.manifest().get("root_seed_entropy", 0))
    return secrets.randbits(63) if seed is None else seed


def open_results(args: argparse.Namespace, path: Path, arguments: dict[str, Any]) -> ResultsFolder:
    """The results folder: resumed (same arguments), or new (or replaced with --force)."""
    if args.resume:
        return ResultsFolder.reopen(path, args.command, arguments)
    return ResultsFolder.create(path, force=args.force)


def open_folder(args: argparse.Namespace, design: Design) -> tuple[ResultsFolder, Design, dict[str, Any]]:
    """The results folder (new, forced or resumed), the design with its root seed, the recorded arguments.

    Resuming without --seed takes the seed from the folder's manifest.
    """
    path = results_path(args, design.scenario.name)
    design = replace(design, seed=root_seed(args, path))
    arguments = recorded_arguments(design, args.command)
    return open_results(args, path, arguments), design, arguments


def worker_count(args: argparse.Namespace, tasks: int) -> int:
    """--workers (default: all cores), never more than there are tasks."""
    return max(1, min(args.workers or os.cpu_count() or 1, tasks))


def run_design(design: Design, folder: ResultsFolder, pool: executors.Pool | int) -> None:
    """Run the missing tasks on an open pool, or on ``pool`` local workers (1: in this process)."""
    from . import experiment

    if isinstance(pool, int):
        with executors.open_pool("local", pool) as local:
            experiment.run(design, folder, local.executor)
        return
    experiment.run(design, folder, pool.executor, window=max(64, 4 * pool.workers))


def start_message(args: argparse.Namespace, folder: ResultsFolder, design: Design, what: str) -> str:
    """The first line of an experiment: what runs, where, and how much is already done."""
    tasks = design.tasks()
    saved = len(folder.finished() & {task.name for task in tasks})
    return (f"{args.command}: {len(tasks)} runs ({what}) on '{design.scenario.name}', {design.scenario.quarters} "
            f"quarters, seed {design.seed}" + (f"; resuming: {saved} of {len(tasks)} runs already done"
                                                if args.resume else ""))


def run_in_pool(folder: ResultsFolder, design: Design, pool: executors.Pool) -> int | None:
    """Run the design's missing tasks on ``pool``; 130 if interrupted (what is saved stays), else None."""
    try:
        run_design(design, folder, pool)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {len(folder.finished())} of {len(design.tasks())} runs saved in {folder.path}; "
              "rerun the same command with --resume to finish", file=sys.stderr)
        return 130
    return None


def announce(args: argparse.Namespace, folder: ResultsFolder, design: Design, pool: executors.Pool, what: str) -> None:
    """Record the executor in the manifest and say what runs where."""
    folder.update_manifest(executor=args.executor, scheduler=args.scheduler)
    print(start_message(args, folder, design, what))
    print(f"results: {folder.path}")
    print(f"running on {pool.description}, {pool.workers} worker{'s' * (pool.workers > 1)}", flush=True)


def cmd_experiment(args: argparse.Namespace) -> int:
    """compare and sweep: many runs into one results folder, then tables, figures, report."""
    command = args.command
    args.executor = executors.check(args.executor, args.scheduler)
    design = experiment_design(args)
    with executors.open_pool(args.executor, worker_count(args, len(design.tasks())), args.scheduler) as pool:
        folder, design, arguments = open_folder(args, design)
        from . import experiment  # matplotlib and friends load only once the input is known to be good
        from .report import terminal_table

        experiment.start(folder, command, arguments | {"--scenario": args.scenario or DEFAULT_SCENARIO}, design,
                         pool.workers, args.resume, args.command_line)
        points = f" × {len(design.points())} sweep points" if design.vary else ""
        announce(args, folder, design, pool, f"{len(design.policies)} policies × {design.replications} "
                                             f"replications{points}")
        if (stopped := run_in_pool(folder, design, pool)) is not None:
            return stopped
    varying = f", varying {', '.join(design.vary)}" if design.vary else ""
    outcome = experiment.finish(design, folder, f"salessim {command}: {', '.join(design.policies)} on "
                                                f"{design.scenario.name}{varying}")
    if not design.vary:
        print()
        print(terminal_table(outcome.summary, outcome.paired, list(design.policies)))
    print(f"\nreport: {outcome.report}")
    return 0


# --- sensitivity analysis ------------------------------------------------------------------------
def parse_lever(scenario: Scenario, text: str) -> Lever:
    """One --param key=low:high, checked against the scenario's keys, types and allowed ranges."""
    from .sensitivity import Lever

    key, bounds = key_value("--param", text)
    low_text, sep, high_text = bounds.partition(":")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        sep = ""
    if not sep or not math.isfinite(low) or not math.isfinite(high) or low >= high:
        raise UsageError(f"--param: '{text}' is not allowed; allowed: key=low:high with numbers low < high "
                         "(e.g. market.leads_per_quarter=16:32)")
    if key not in parameter_keys():
        close = difflib.get_close_matches(key, parameter_keys(), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "; see 'salessim show' for all keys"
        raise UsageError(f"--param: unknown key '{key}'{hint}")
    current = functools.reduce(getattr, key.split("."), scenario)
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise UsageError(f"--param: {key} = {current!r} is not a number; allowed: a numeric scenario key")
    lever = Lever(key, low, high, integer=isinstance(current, int))
    for bound in (low, high):
        try:
            resolve_scenario(scenario, {key: lever.value(bound)})
        except ScenarioError as error:
            raise UsageError(f"--param: {error}") from None
    return lever


def parse_study(args: argparse.Namespace, scenario: Scenario, overrides: dict[str, Any]) -> Study:
    """The validated study: method, levers, metric, policies and sample size."""
    from .sensitivity import Study

    levers = tuple(parse_lever(scenario, text) for text in args.param)
    keys = [lever.key for lever in levers]
    for key in keys:
        if keys.count(key) > 1:
            raise UsageError(f"--param: key '{key}' is given twice; allowed: each key once")
        if key in overrides or (key == "quarters" and args.quarters):
            raise UsageError(f"--param: key '{key}' is also fixed by {'--set' if key in overrides else '--quarters'};"
                             " allowed: vary it or fix it, not both")
    if args.metric not in SUMMARY_METRICS:
        close = difflib.get_close_matches(args.metric, SUMMARY_METRICS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"--metric: unknown metric '{args.metric}'; allowed: {', '.join(SUMMARY_METRICS)}{hint}")
    if args.diff:
        policies = parse_policies(args.diff, "--diff")
        if len(policies) != 2:
            raise UsageError(f"--diff: '{args.diff}' is not allowed; allowed: BASELINE,POLICY (two policies)")
    else:
        policies = parse_policies(args.policy or MAIN_POLICIES[0], "--policy")
        if len(policies) != 1:
            raise UsageError(f"--policy: '{args.policy}' is not allowed; allowed: one policy (or --diff A,B)")
    if args.method == "sobol" and args.n & (args.n - 1):
        raise UsageError(f"--n: {args.n} is not allowed for sobol; allowed: a power of 2 (e.g. 64)")
    return Study(args.method, levers, args.metric, args.n, policies)


def require_salib() -> None:
    """SALib is an optional extra: without it, say how to install it."""
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise UsageError('sensitivity needs the sensitivity extra: pip install "salessim[sensitivity]"') from None


def sensitivity_design(args: argparse.Namespace) -> tuple[Study, Design]:
    """The validated study and its design (no samples and no seed yet)."""
    require_salib()
    overrides = parse_set(args.set)
    scenario = build_scenario(args.scenario, overrides, args.quarters)
    study = parse_study(args, scenario, overrides)
    return study, Design(scenario, study.policies, args.reps, 0, args.quarters, overrides)


def sampled(study: Study, design: Design) -> tuple[np.ndarray, Design]:
    """The SALib design matrix for the design's seed, and the design with one task per sample and run."""
    matrix = study.sample_matrix(design.seed)
    samples = study.samples(matrix)
    for number, sample in enumerate(samples):
        try:
            resolve_scenario(design.scenario, sample)
        except ScenarioError as error:
            raise UsageError(f"--param: sample {number} ({sample}): {error}") from None
    return matrix, replace(design, samples=samples)


def sensitivity_arguments(study: Study, design: Design) -> dict[str, Any]:
    """What a resumed sensitivity analysis must repeat (the samples by their hash)."""
    from .sensitivity import samples_digest

    return {"--scenario (resolved hash)": design.scenario.digest(), "--method": study.method,
            "--param": [lever.text() for lever in study.levers], "--metric": study.metric,
            "--policies": list(study.policies), "--n": study.n, "--reps": design.replications,
            "--quarters": design.quarters, "--seed": design.seed, "--set": design.overrides,
            "samples (hash)": samples_digest(design.samples)}


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sensitivity analysis (SALib): runs per sample into a results folder, then indices, chart and report."""
    args.executor = executors.check(args.executor, args.scheduler)
    study, design = sensitivity_design(args)
    path = results_path(args, f"{study.method}_{study.metric}")
    matrix, design = sampled(study, replace(design, seed=root_seed(args, path)))
    arguments = sensitivity_arguments(study, design)
    with executors.open_pool(args.executor, worker_count(args, len(design.tasks())), args.scheduler) as pool:
        folder = open_results(args, path, arguments)
        from . import experiment, sensitivity

        experiment.start(folder, args.command, arguments | {"--scenario": args.scenario or DEFAULT_SCENARIO},
                         design, pool.workers, args.resume, args.command_line)
        announce(args, folder, design, pool, f"{len(design.samples)} {study.method} samples × "
                                             f"{design.replications} replications × {len(study.policies)} "
                                             f"polic{'ies' if study.paired else 'y'}")
        if (stopped := run_in_pool(folder, design, pool)) is not None:
            return stopped
    indices = sensitivity.finish(study, design, matrix, folder, f"salessim sensitivity ({study.method}): "
                                 f"{study.output_name} on {design.scenario.name}")
    print()
    print(indices.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nreport: {folder.path / 'report.html'}")
    return 0


# --- validation ----------------------------------------------------------------------------------
def validation_markdown(checks: Sequence[Any]) -> str:
    """The calibration table of docs/model.md: check, model value with 95% CI, band, within, source."""
    from .report import Table

    rows = []
    for check in checks:
        interval = "" if check.ci_low == check.ci_high else f" [{check.ci_low:.3g}, {check.ci_high:.3g}]"
        rows.append([check.name, f"{check.value:.3g}{interval} {check.unit}", f"{check.band[0]:g}–{check.band[1]:g}",
                     "yes" if check.within else "no", check.source])
    return Table(["check", "model", "published band", "within", "source"], rows).markdown()


def cmd_validate(args: argparse.Namespace) -> int:
    """Measure every calibration figure and print the table (docs/model.md §7)."""
    from .validation import validation_table

    print(f"Calibration checks: {args.reps} replications each, seed {args.seed}; model value with 95% CI.\n",
          flush=True)
    print(validation_markdown(validation_table(args.reps, args.seed)))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    try:
        import dashboard
        import dashboard.app
    except ImportError as error:
        raise UsageError(f"dashboard: cannot load the dashboard ({error}); allowed: install it with "
                         "pip install -e \".[dashboard]\"") from None
    dashboard.serve(host=args.host, port=args.port)
    return 0


# --- the parser ----------------------------------------------------------------------------------
def _experiment_options(parser: argparse.ArgumentParser, reps: int, policies: bool = True) -> None:
    parser.add_argument("--scenario", metavar="NAME|FILE",
                        help=f"preset name or TOML file (a value ending in .toml or with a path separator); "
                             f"default {DEFAULT_SCENARIO}")
    if policies:
        parser.add_argument("--policies", metavar="a,b,...",
                            help=f"comma-separated policies, the first is the baseline; default "
                                 f"{','.join(MAIN_POLICIES)}")
    parser.add_argument("--reps", type=positive_int, default=reps, metavar="N",
                        help=f"replications per policy{' and sample' * (not policies)} (default {reps})")
    parser.add_argument("--quarters", type=positive_int, metavar="Q", help="quarters to simulate (default: scenario's)")
    parser.add_argument("--seed", type=seed_int, metavar="S",
                        help="root seed (default: fresh, recorded in the manifest)")
    parser.add_argument("--workers", type=positive_int, metavar="W",
                        help="worker processes, local or in a Dask LocalCluster (default: all cores)")
    parser.add_argument("--executor", choices=executors.EXECUTORS, default="local",
                        help="local processes (default) or a Dask LocalCluster on 127.0.0.1 (the dask extra)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on an existing Dask scheduler (implies --executor dask)")
    parser.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE",
                        help="override scenario keys; values are TOML (0.3, true, \"text\", inf)")
    parser.add_argument("--out", metavar="DIR", help="results folder (default: a new folder under results/)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="finish an interrupted folder (same arguments)")
    again.add_argument("--force", action="store_true", help="replace an existing results folder")


def build_parser() -> Parser:
    parser = Parser(prog="salessim", description="Simulate a B2B sales department and compare policies.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("scenarios", help="list the preset scenarios").set_defaults(func=cmd_scenarios)
    commands.add_parser("policies", help="list the policies").set_defaults(func=cmd_policies)

    show = commands.add_parser("show", help="print a fully resolved scenario as TOML")
    show.add_argument("scenario", metavar="NAME|FILE", help="preset name or TOML file")
    show.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", help="override scenario keys")
    show.set_defaults(func=cmd_show)

    run = commands.add_parser("run", help="one policy, one replication: print the summary, write the timeseries")
    run.add_argument("--scenario", metavar="NAME|FILE", help=f"preset name or TOML file; default {DEFAULT_SCENARIO}")
    run.add_argument("--policy", default=MAIN_POLICIES[0], help=f"policy (default {MAIN_POLICIES[0]})")
    run.add_argument("--seed", type=seed_int, metavar="S", help="root seed (default: fresh, printed)")
    run.add_argument("--replication", type=seed_int, default=0, metavar="R", help="replication (default 0)")
    run.add_argument("--quarters", type=positive_int, metavar="Q", help="quarters (default: scenario's)")
    run.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", help="override scenario keys")
    run.add_argument("--out", metavar="FILE", help="timeseries file, .csv or .parquet (default: under results/)")
    run.add_argument("--force", action="store_true", help="replace an existing --out file")
    run.set_defaults(func=cmd_run)

    compare = commands.add_parser("compare", help="compare policies over many replications")
    _experiment_options(compare, reps=50)
    compare.set_defaults(func=cmd_experiment)

    sweep = commands.add_parser("sweep", help="compare policies across values of scenario keys (full factorial)")
    sweep.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2,...",
                       help="a key and its values (repeatable; every combination is run)")
    _experiment_options(sweep, reps=20)
    sweep.set_defaults(func=cmd_experiment)

    sens = commands.add_parser("sensitivity", help="which scenario keys move a metric, or a policy difference (SALib)")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris",
                      help="morris: elementary-effect screening (default); sobol: variance shares S1 and ST")
    sens.add_argument("--param", nargs="+", action="extend", required=True, metavar="KEY=LOW:HIGH",
                      help="a scenario key and its range (repeatable; integer keys are rounded)")
    sens.add_argument("--metric", default="revenue_total", help="run-summary metric studied (default revenue_total)")
    which = sens.add_mutually_exclusive_group()
    which.add_argument("--policy", help=f"the policy studied (default {MAIN_POLICIES[0]})")
    which.add_argument("--diff", metavar="BASELINE,POLICY",
                       help="study metric(POLICY) - metric(BASELINE), paired on the same random streams")
    sens.add_argument("--n", type=positive_int, default=10, metavar="N",
                      help="morris: trajectories (default 10); sobol: base samples, a power of 2")
    _experiment_options(sens, reps=5, policies=False)
    sens.set_defaults(func=cmd_sensitivity)

    validate = commands.add_parser("validate", help="measure the calibration checks and print their table")
    validate.add_argument("--reps", type=positive_int, default=30, metavar="N", help="replications per check "
                          "(default 30)")
    validate.add_argument("--seed", type=seed_int, default=0, metavar="S", help="root seed (default 0)")
    validate.set_defaults(func=cmd_validate)

    dash = commands.add_parser("dashboard", help="open the interactive dashboard in a browser")
    dash.add_argument("--port", type=positive_int, default=8765, help="port (default 8765)")
    dash.add_argument("--host", default="127.0.0.1", help="host (default 127.0.0.1)")
    dash.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``salessim``."""
    args = build_parser().parse_args(argv)
    args.command_line = ["salessim", *(sys.argv[1:] if argv is None else argv)]
    try:
        return args.func(args)
    except (UsageError, ScenarioError, ResultsError, executors.ExecutorError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
