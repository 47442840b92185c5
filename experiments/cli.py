"""The ``salessim`` command: scenarios, policies, show, run, compare, sweep, sensitivity, validate, dashboard.

A thin layer over the Python API (``experiments.api``): it parses the options, calls ``compare``,
``sweep`` or ``sensitivity`` and prints. Every bad input ends the command with one line on stderr,
``error: ...`` naming the option or key, the value and what is allowed, and exit code 2: the
library's errors name parameters, and ``OPTIONS`` spells them as options. The model, pandas and the
API are imported by the commands that use them, so ``salessim --help`` answers at once.
"""

from __future__ import annotations

import argparse
import errno
import functools
import math
import os
import signal
import sys
import threading
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import executors
from .errors import ArgumentError, Interrupted, SetupError

RESULTS_ROOT = Path("results")
# simulation.MAIN_POLICIES and experiments.arguments.DEFAULT_SCENARIO, spelled here so that building the
# parser imports no model (tests/test_hardening.py checks they agree).
MAIN_POLICIES = ("finder_keeps", "finder_keeps_crm", "dedicated_roles", "dedicated_roles_crm")
DEFAULT_SCENARIO = "mature_department"
# The commands whose parsers live with their code; `salessim --help` lists them without importing it.
LAZY_COMMANDS = {
    "import-crm": "build a scenario of your department from a CRM export",
    "calibrate": "fit what an export cannot show to the imported KPIs",
    "discover": "where the answer flips: PRIM boxes, feature scores and robust choice over sampled worlds",
}

# The library's parameter names, as this command's options.
OPTIONS = {
    "scenario": "--scenario",
    "ranges": "--ranges",
    "samples": "--samples",
    "satisficing": "--satisficing",
    "target": "--target",
    "max_boxes": "--boxes",
    "min_coverage": "--min-coverage",
    "policies": "--policies",
    "policy": "--policy",
    "reps": "--reps",
    "quarters": "--quarters",
    "seed": "--seed",
    "replication": "--replication",
    "overrides": "--set",
    "vary": "--vary",
    "design": "--design",
    "params": "--param",
    "method": "--method",
    "metric": "--metric",
    "diff": "--diff",
    "n": "--n",
    "workers": "--workers",
    "executor": "--executor",
    "scheduler": "--scheduler",
    "out": "--out",
    "resume": "--resume",
    "force": "--force",
    "switch_at": "--switch-at",
    "confirm": "--yes",
    "port": "--port",
}


def one_line(text: str) -> str:
    """``text`` with any line break or control character (from a value given) escaped, so an error is one line."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def fail(text: str) -> int:
    print(f"error: {one_line(text)}", file=sys.stderr)
    return 2


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one ``error:`` line (exit 2) instead of usage plus message."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {one_line(message)} (see '{self.prog} --help')\n")


# --- argument types and text values ----------------------------------------------------------------
def whole_at_least(text: str, low: int, what: str = "") -> int:
    """``text`` as a whole number >= ``low`` (written plainly: no '1.0', no '1e3'), else argparse's error."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low or str(value) != text.strip().lstrip("+"):
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed; allowed: a whole number >= {low}{what}")
    return value


def positive_int(text: str) -> int:
    return whole_at_least(text, 1)


def quarter_int(text: str) -> int:
    return whole_at_least(text, 0, " (a quarter)")


def sample_count(text: str) -> int:
    """--samples: a whole number >= 2 (a Latin hypercube of one point stratifies nothing)."""
    return whole_at_least(text, 2)


def at_least_two(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"'{text}' is too few replications for a 95% confidence interval; allowed: a whole number >= 2"
        )
    return value


def port_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535 or str(value) != text.strip().lstrip("+"):
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed; allowed: a port number from 1 to 65535")
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


def key_value(parameter: str, text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ArgumentError(parameter, f"'{text}' is not allowed; allowed: key=value (e.g. crm.adoption=0.5)")
    return key.strip(), value.strip()


def parse_set(items: Sequence[str] | None) -> dict[str, Any]:
    """--set key=value ... as overrides (each key once: which of two values was meant is not for us to guess)."""
    overrides: dict[str, Any] = {}
    for item in items or []:
        key, value = key_value("overrides", item)
        if key in overrides:
            raise ArgumentError("overrides", f"key '{key}' is given twice; allowed: each key once")
        overrides[key] = toml_value(value)
    return overrides


def parse_vary(items: Sequence[str] | None) -> dict[str, list[Any]]:
    """--vary key=v1,v2 ... as a sweep's grid (each key once)."""
    vary: dict[str, list[Any]] = {}
    for item in items or []:
        key, values = key_value("vary", item)
        parsed = [toml_value(v.strip()) for v in values.split(",") if v.strip()]
        if not parsed:
            raise ArgumentError("vary", f"'{item}' has no values; allowed: key=v1,v2,...")
        if key in vary:
            raise ArgumentError("vary", f"key '{key}' is given twice; allowed: each key once")
        vary[key] = parsed
    return vary


def parse_params(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    """--param key=low:high ... as a sensitivity analysis's ranges (each key once)."""
    params: dict[str, tuple[float, float]] = {}
    for text in items:
        key, bounds = key_value("params", text)
        low_text, sep, high_text = bounds.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            sep = ""
        if not sep or not math.isfinite(low) or not math.isfinite(high) or low >= high:
            raise ArgumentError(
                "params",
                f"'{text}' is not allowed; allowed: key=low:high with numbers low < high "
                "(e.g. market.leads_per_quarter=16:32)",
            )
        if key in params:
            raise ArgumentError("params", f"key '{key}' is given twice; allowed: each key once")
        params[key] = (low, high)
    return params


def scenario_label(text: str | None) -> str:
    """A results folder's label: the preset's name, or the scenario file's stem."""
    text = text or DEFAULT_SCENARIO
    return Path(text).stem if text.lower().endswith(".toml") or os.sep in text or "/" in text else text


# --- commands ----------------------------------------------------------------------------------
def cmd_scenarios(args: argparse.Namespace) -> int:
    from simulation import PRESETS, resolve_scenario

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        quarters = resolve_scenario(name).quarters  # here, not in the description a change of quarters keeps
        print(f"{name:<{width}}  {preset.get('description', '')} {quarters} quarters.")
    return 0


def cmd_policies(args: argparse.Namespace) -> int:
    from simulation import POLICIES

    width = max(map(len, POLICIES))
    for name, preset in POLICIES.items():
        mark = "*" if name in MAIN_POLICIES else " "
        print(f"{name:<{width}} {mark} {preset.description}")
    print(f"\n* main policies (the default of 'salessim compare'): {', '.join(MAIN_POLICIES)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from . import api

    print(api.resolved_scenario(args.scenario, args.policy, parse_set(args.set)).to_toml(), end="")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from simulation import run_simulation

    from . import api
    from .arguments import policy_names, root_seed
    from .labels import label
    from .report import num
    from .results import atomic_write, check_writable, create_error, new_folder_path, parquet_bytes

    policy = policy_names(args.policy, "policy")[0]
    scenario = api.resolved_scenario(args.scenario, policy, parse_set(args.set), args.quarters)
    seed = root_seed(args.seed)
    out = Path(args.out) if args.out else new_folder_path(RESULTS_ROOT, "run", f"{policy}").with_suffix(".csv")
    if out.suffix not in (".csv", ".parquet"):
        raise ArgumentError("out", f"'{out}' is not allowed; allowed: a file name ending in .csv or .parquet")
    if out.is_dir():
        raise ArgumentError("out", f"'{out}' is a folder; allowed: a file name ending in .csv or .parquet")
    if out.exists() and not args.force:
        raise ArgumentError("out", f"'{out}' already exists; allowed: a new file, or {{force}} to replace it")
    check_writable(out, "out", "a .csv or .parquet file")
    result = run_simulation(scenario, policy, seed=seed, replication=args.replication)
    frame = result.timeseries
    data = frame.to_csv(index=False, lineterminator="\n").encode() if out.suffix == ".csv" else parquet_bytes(frame)
    try:
        atomic_write(out, data)
    except OSError as error:
        raise create_error(error, out, "out", "a .csv or .parquet file") from None
    print(f"{policy} on '{scenario.name}', {scenario.quarters} quarters, seed {seed}, replication {args.replication}")
    width = max(len(label(k)) for k in result.summary)
    for key, value in result.summary.items():
        shown = f"{value:,.0f}" if float(value).is_integer() else num(value)
        print(f"  {label(key):<{width}}  {shown}  ({key})")
    print(f"timeseries: {out}")
    return 0


def results_path(args: argparse.Namespace, name: str) -> Path:
    """--out, or with --resume the latest folder of this command, or a new folder under results/."""
    from .results import latest_folder, new_folder_path

    if args.out:
        return Path(args.out)
    if args.resume:
        path = latest_folder(RESULTS_ROOT, args.command)
        if path is None:
            raise ArgumentError(
                "resume",
                f"no earlier '{args.command}' folder under {RESULTS_ROOT}/; allowed: "
                "{out} DIR naming the folder to finish",
            )
        return path
    return new_folder_path(RESULTS_ROOT, args.command, name)


def experiment(args: argparse.Namespace, function: Callable[..., Any], name: str, **specific: Any) -> Any:
    """Call ``function`` (compare, sweep or sensitivity) with the options every experiment shares."""
    return function(
        scenario=args.scenario or DEFAULT_SCENARIO,
        reps=args.reps,
        quarters=args.quarters,
        seed=args.seed,
        overrides=parse_set(args.set),
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        out=results_path(args, name),
        resume=args.resume,
        force=args.force,
        log=None if args.quiet else functools.partial(print, flush=True),
        progress=not args.quiet,
        confirm=args.yes,
        command=args.command_line,
        **specific,
    )


def cmd_compare(args: argparse.Namespace) -> int:
    """compare and sweep: many runs into one results folder, then tables, figures, report."""
    from . import api

    policies = MAIN_POLICIES if args.policies is None else args.policies
    if args.command == "sweep":
        if args.design == "grid" and not args.vary and args.samples is None and args.ranges is None:
            raise ArgumentError(
                "vary",
                "none given; allowed: --vary KEY=V1,V2,... (repeatable; every combination is run), or "
                "--design lhs --samples N --ranges FILE (Latin-hypercube points)",
            )
        result = experiment(
            args,
            api.sweep,
            scenario_label(args.scenario),
            vary=parse_vary(args.vary) if args.vary else None,
            design=args.design,
            samples=args.samples,
            ranges=args.ranges,
            policies=policies,
            switch_at=args.switch_at,
        )
        if result.sampling is not None:
            print()
            for sentence in result.reading()[:-1]:
                print(f"- {sentence}")
    else:
        result = experiment(
            args, api.compare, scenario_label(args.scenario), policies=policies, switch_at=args.switch_at
        )
        print()
        print(result.table())
    print(f"\nreport: {result.folder / 'report.html'}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sensitivity analysis (SALib): runs per sample into a results folder, then indices, chart and report."""
    from . import api

    result = experiment(
        args,
        api.sensitivity,
        f"{args.method}_{args.metric}",
        params=parse_params(args.param),
        method=args.method,
        metric=args.metric,
        policy=args.policy,
        diff=args.diff,
        n=args.n,
    )
    print()
    print(result.indices.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nreport: {result.folder / 'report.html'}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Measure every calibration figure and print the table (docs/model.md §7)."""
    from .validation import markdown_table, validation_table

    print(
        f"Calibration checks: {args.reps} replications each, seed {args.seed}; model value with 95% CI.\n", flush=True
    )
    print(markdown_table(validation_table(args.reps, args.seed)))
    return 0


def check_port(host: str, port: int) -> None:
    """Refuse a port the dashboard cannot listen on (taken, or a host that is not this machine's) before it starts."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise ArgumentError(
            "host", f"'{host}' is not an address of this machine ({error}); allowed: e.g. 127.0.0.1"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as error:
            reason = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error.strerror})"
            raise ArgumentError(
                "port",
                f"{port} on {host} {reason}; allowed: a free port (e.g. --port {port + 1 if port < 65535 else 8765})",
            ) from None


def cmd_dashboard(args: argparse.Namespace) -> int:
    check_port(args.host, args.port)
    try:
        import dashboard
        import dashboard.app
    except ImportError as error:
        raise SetupError(
            f'dashboard: cannot load the dashboard ({error}); install it with pip install -e ".[dashboard]"'
        ) from None
    dashboard.serve(host=args.host, port=args.port, lang=args.lang)
    return 0


# --- the parser ----------------------------------------------------------------------------------
def _experiment_options(parser: argparse.ArgumentParser, reps: int, policies: bool = True) -> None:
    parser.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"preset name or TOML file (a value ending in .toml or with a path separator); default {DEFAULT_SCENARIO}",
    )
    if policies:
        parser.add_argument(
            "--policies",
            metavar="a,b,...",
            help=f"comma-separated policies, the first is the baseline; default {','.join(MAIN_POLICIES)}",
        )
        parser.add_argument(
            "--switch-at",
            type=quarter_int,
            default=0,
            metavar="Q",
            help="every policy but the first runs as the first (the department's current policy) until "
            "quarter Q, then switches (default 0: from the start)",
        )
    parser.add_argument(
        "--reps",
        type=positive_int,
        default=reps,
        metavar="N",
        help=f"replications per policy{' and sample' * (not policies)} (default {reps})",
    )
    parser.add_argument("--quarters", type=positive_int, metavar="Q", help="quarters to simulate (default: scenario's)")
    parser.add_argument(
        "--seed", type=seed_int, metavar="S", help="root seed (default: fresh, recorded in the manifest)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        metavar="W",
        help="worker processes, local or in a Dask LocalCluster (default: all cores)",
    )
    parser.add_argument(
        "--executor",
        choices=executors.EXECUTORS,
        default="local",
        help="local processes (default) or a Dask LocalCluster on 127.0.0.1 (the dask extra)",
    )
    parser.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler (implies --executor dask)"
    )
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        metavar="KEY=VALUE",
        help='override scenario keys; values are TOML (0.3, true, "text", inf)',
    )
    parser.add_argument("--out", metavar="DIR", help="results folder (default: a new folder under results/)")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="finish an interrupted folder (same arguments)")
    again.add_argument("--force", action="store_true", help="replace an existing results folder")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="start even a batch estimated to take over 2 hours or more memory or disk than is left",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the results: no progress, no lines on what runs where"
    )


def build_parser(lazy: set[str] | None = None) -> Parser:
    """The parser; with ``lazy`` (the words of the command line), the import-crm and calibrate parsers
    are built only when one of them is named (None: always)."""
    parser = Parser(prog="salessim", description="Simulate a B2B sales department and compare policies.")
    parser.add_argument("--version", action=VersionAction, help="print salessim's version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("scenarios", help="list the preset scenarios").set_defaults(func=cmd_scenarios)
    commands.add_parser("policies", help="list the policies").set_defaults(func=cmd_policies)

    show = commands.add_parser("show", help="print a fully resolved scenario as TOML")
    show.add_argument("scenario", metavar="NAME|FILE", help="preset name or TOML file")
    show.add_argument("--policy", help="the scenario as this policy's runs use it (its settings applied)")
    show.add_argument("--set", nargs="+", action="extend", metavar="KEY=VALUE", help="override scenario keys")
    show.set_defaults(func=cmd_show, options={"scenario": "scenario"})

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
    _experiment_options(compare, reps=100)
    compare.set_defaults(func=cmd_compare)

    sweep = commands.add_parser(
        "sweep", help="compare policies across values of scenario keys (full factorial, or a Latin hypercube)"
    )
    sweep.add_argument(
        "--vary",
        action="append",
        metavar="KEY=V1,V2,...",
        help="a key and its values (repeatable; every combination is run): the grid design",
    )
    sweep.add_argument(
        "--design",
        choices=("grid", "lhs"),
        default="grid",
        help="grid: every combination of --vary (default); lhs: --samples Latin-hypercube points within --ranges",
    )
    sweep.add_argument(
        "--samples", type=sample_count, metavar="N", help="Latin-hypercube points, 2 or more (--design lhs)"
    )
    sweep.add_argument(
        "--ranges",
        metavar="RANGES.toml",
        help="scenario keys and their [low, high], as discover's (--design lhs; integer keys as whole numbers)",
    )
    _experiment_options(sweep, reps=20)
    sweep.set_defaults(func=cmd_compare)

    sens = commands.add_parser("sensitivity", help="which scenario keys move a metric, or a policy difference (SALib)")
    sens.add_argument(
        "--method",
        choices=("morris", "sobol"),
        default="morris",
        help="morris: elementary-effect screening (default); sobol: variance shares S1 and ST",
    )
    sens.add_argument(
        "--param",
        nargs="+",
        action="extend",
        required=True,
        metavar="KEY=LOW:HIGH",
        help="a scenario key and its range (repeatable; integer keys are rounded)",
    )
    sens.add_argument("--metric", default="revenue_total", help="run-summary metric studied (default revenue_total)")
    which = sens.add_mutually_exclusive_group()
    which.add_argument("--policy", help=f"the policy studied (default {MAIN_POLICIES[0]})")
    which.add_argument(
        "--diff",
        metavar="BASELINE,POLICY",
        help="study metric(POLICY) - metric(BASELINE), paired on the same random streams",
    )
    sens.add_argument(
        "--n",
        type=positive_int,
        default=10,
        metavar="N",
        help="morris: trajectories (default 10); sobol: base samples, a power of 2",
    )
    _experiment_options(sens, reps=5, policies=False)
    sens.set_defaults(func=cmd_sensitivity)

    validate = commands.add_parser("validate", help="measure the calibration checks and print their table")
    validate.add_argument(
        "--reps", type=at_least_two, default=100, metavar="N", help="replications per check, 2 or more (default 100)"
    )
    validate.add_argument("--seed", type=seed_int, default=2024, metavar="S", help="root seed (default 2024)")
    validate.set_defaults(func=cmd_validate)

    dash = commands.add_parser("dashboard", help="open the interactive dashboard in a browser")
    dash.add_argument("--port", type=port_int, default=8765, help="port, 1 to 65535 (default 8765)")
    dash.add_argument("--host", default="127.0.0.1", help="host (default 127.0.0.1)")
    dash.add_argument(
        "--lang", choices=("en", "ru"), default=None, help="the page's language (default: $SALESSIM_LANG, else en)"
    )
    dash.set_defaults(func=cmd_dashboard)

    if lazy is None or lazy & set(LAZY_COMMANDS):
        from .crm.cli import add_parsers as add_crm_parsers  # import-crm, calibrate
        from .discover_cli import add_parsers as add_discover_parsers

        add_crm_parsers(commands)
        add_discover_parsers(commands)
    else:  # listed in --help without importing them; any of them named on the line loads the real ones
        for name, text in LAZY_COMMANDS.items():
            commands.add_parser(name, help=text, add_help=False)
    return parser


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("salessim")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


class VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"salessim {version()}")
        parser.exit(0)


def ending(argv: Sequence[str] | None) -> None:
    """The program is ending after Ctrl-C: a second one would only cut its last words short. (Not when
    ``main`` is called with arguments, from Python: the caller keeps its Ctrl-C.)"""
    if argv is None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``salessim``."""
    try:
        return command(argv)
    except KeyboardInterrupt:  # before the command's own handling: while parsing or loading the model
        ending(argv)
        print("\ninterrupted", file=sys.stderr)
        return 130


def command(argv: Sequence[str] | None) -> int:
    """Parse the command line and run the command; errors as one line, Ctrl-C as what was saved."""
    given = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(set(given)).parse_args(given)
    args.command_line = ["salessim", *given]
    from simulation import ScenarioError

    try:
        return int(args.func(args))
    except ArgumentError as error:
        return fail(error.render(OPTIONS | getattr(args, "options", {})))
    except (SetupError, ScenarioError) as error:
        return fail(str(error))
    except OSError as error:  # a file the command reads or writes (the arguments' own are checked first)
        where = f" '{error.filename}'" if error.filename else ""
        return fail(f"cannot use{where}: {error.strerror or error}")
    except Interrupted as stop:
        ending(argv)
        print(
            f"\ninterrupted: {stop.saved} of {stop.total} runs saved in {stop.folder}; rerun the same command "
            "with --resume to finish",
            file=sys.stderr,
        )
        return 130
    except KeyboardInterrupt:
        ending(argv)
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
