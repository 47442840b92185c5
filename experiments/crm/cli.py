"""The ``import-crm`` and ``calibrate`` subcommands, for any argparse subparsers object.

Wiring them into ``salessim``::

    from experiments.crm.cli import add_parsers
    add_parsers(commands)          # commands = parser.add_subparsers(...)

Each handler is set as ``func`` and returns an exit code; bad input raises a ``CrmError`` (a
``ValueError``, and a ``ScenarioError``) whose message is the one-line error text, an ``ArgumentError``
(a path that cannot be written) or a ``SetupError`` (the calibrate extra is not installed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from .calibrate import DEFAULT_BUDGET, DEFAULT_REPS, DEFAULT_SEED
from .errors import CalibrationInterrupted

# The options an error may name, as this command spells them (with experiments.cli.OPTIONS).
OPTIONS = {"report": "--report", "keep_names": "--keep-names", "out": "--out", "force": "--force"}


def cmd_import(args: argparse.Namespace) -> int:
    """Import an export; print where everything went and the warnings."""
    from .importer import import_crm

    result = import_crm(
        args.mapping,
        args.out,
        args.report,
        keep_names=args.keep_names,
        force=args.force,
        command=getattr(args, "command_line", None),
    )
    warnings = result.records.warnings + result.derived.warnings
    aside = sum(count for _, _, count, _ in result.records.set_aside.table())
    print(f"scenario: {result.scenario}\nobserved KPIs: {result.observed}\nreport: {result.report / 'report.html'}")
    print(
        f"{len(result.records.deals):,} deals used, {aside:,} records set aside, {len(warnings)} warning(s); "
        f"{result.seconds:.1f} s"
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate a scenario; print the fit table and what could not be matched."""
    from .calibrate import calibrate

    try:
        result = calibrate(
            args.scenario,
            args.out,
            budget=args.budget,
            params=args.params,
            reps=args.reps,
            seed=args.seed,
            workers=args.workers,
            executor=args.executor,
            resume=args.resume,
            force=args.force,
            observed=args.observed,
            policy=args.policy,
            kpis=args.kpis,
            progress=not args.quiet,
            command=getattr(args, "command_line", None),
        )
    except CalibrationInterrupted as stop:
        print(f"\n{stop}", file=sys.stderr)
        return 130
    print(result.fit.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for message in result.unreachable:
        print(f"note: {message}")
    print(f"calibrated scenario: {result.folder / 'scenario.toml'} ({result.trials} trials, {result.seconds:.0f} s)")
    return 0


def add_parsers(subcommands: Any) -> None:
    """Add ``import-crm`` and ``calibrate`` to an argparse subparsers object."""
    imp = subcommands.add_parser("import-crm", help="build a scenario of your department from a CRM export")
    imp.add_argument("mapping", help="the mapping TOML naming the export files and columns")
    imp.add_argument("--out", required=True, help="the scenario TOML to write")
    imp.add_argument("--report", default=None, help="folder for the import report (default: OUT's name + _report)")
    imp.add_argument("--keep-names", action="store_true", help="keep real seller and client names in outputs")
    imp.add_argument(
        "--force", action="store_true", help="replace the scenario, KPI file and report an earlier import-crm wrote"
    )
    imp.set_defaults(func=cmd_import, options=OPTIONS)
    cal = subcommands.add_parser("calibrate", help="fit what an export cannot show to the imported KPIs")
    cal.add_argument("--scenario", required=True, help="the scenario TOML written by import-crm")
    cal.add_argument("--out", required=True, help="the folder for the calibrated scenario, fit and report")
    cal.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help=f"trials (default {DEFAULT_BUDGET})")
    cal.add_argument("--params", nargs="+", metavar="KEY=LOW:HIGH", help="parameters to fit and their ranges")
    cal.add_argument("--reps", type=int, default=DEFAULT_REPS, help=f"replications per trial ({DEFAULT_REPS})")
    cal.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of every trial ({DEFAULT_SEED})")
    cal.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    cal.add_argument("--executor", default="local", choices=("local", "dask"), help="local processes or Dask")
    cal.add_argument("--observed", default=None, help="observed KPIs (default: SCENARIO.observed.toml)")
    cal.add_argument("--policy", default=None, help="the department's policy (default: the import's)")
    cal.add_argument("--kpis", nargs="+", default=None, help="the KPIs to fit (default: all measured)")
    again = cal.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue the calibration stored in --out")
    again.add_argument("--force", action="store_true", help="replace the calibration in --out (only a calibration)")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.set_defaults(func=cmd_calibrate, options=OPTIONS)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.crm import-crm ...``: the same commands as ``salessim import-crm`` and ``calibrate``."""
    from simulation import ScenarioError

    from .. import cli
    from ..errors import ArgumentError, SetupError

    given = list(sys.argv[1:] if argv is None else argv)
    parser = cli.Parser(prog="python -m experiments.crm")
    add_parsers(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(given)
    args.command_line = ["python", "-m", "experiments.crm", *given]
    try:
        return int(args.func(args))
    except ArgumentError as error:
        return cli.fail(error.render(cli.OPTIONS | OPTIONS))
    except (SetupError, ScenarioError) as error:  # CrmError is a ScenarioError
        return cli.fail(str(error))
    except OSError as error:  # a file the command reads or writes (the arguments' own are checked first)
        where = f" '{error.filename}'" if error.filename else ""
        return cli.fail(f"cannot use{where}: {error.strerror or error}")
    except KeyboardInterrupt:
        cli.ending(argv)
        print("\ninterrupted", file=sys.stderr)
        return 130
