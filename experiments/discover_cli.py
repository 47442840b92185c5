"""The ``discover`` subcommand, for any argparse subparsers object.

Wiring it into ``salessim`` (``experiments/cli.py``, in ``build_parser``)::

    from .discover_cli import add_parsers as add_discover
    add_discover(commands)         # commands = parser.add_subparsers(...)

Until then, ``python -m experiments.discover_cli discover ...`` runs it with ``salessim``'s error
handling. Bad input ends with one ``error:`` line naming the option (exit code 2).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd

from simulation import SUMMARY_METRICS

from .arguments import DEFAULT_SCENARIO
from .discover import DEFAULT_RANGES, TARGETS, DiscoveryResult

DEFAULT_POLICIES = "finder_keeps,dedicated_roles_crm"
# The library's parameter names that only discover has, as its options.
OPTIONS = {
    "ranges": "--ranges",
    "samples": "--samples",
    "switch_at": "--switch-at",
    "satisficing": "--satisficing",
    "target": "--target",
    "max_boxes": "--boxes",
    "min_coverage": "--min-coverage",
}


def share(text: str) -> float:
    """A share in [0, 1] (the library checks its range and names the option)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed; allowed: a number such as 0.05") from None


def cmd_discover(args: argparse.Namespace) -> int:
    """Scenario discovery: worlds into a results folder, then boxes, scores, robustness and the report."""
    from . import cli
    from .discover import discover

    names = [p.strip() for p in args.policies.split(",")]
    label = f"{names[1]}_vs_{names[0]}" if len(names) > 1 else names[0]
    result = discover(
        args.policies,
        args.ranges,
        args.scenario or DEFAULT_SCENARIO,
        samples=args.samples,
        reps=args.reps,
        metric=args.metric,
        switch_at=args.switch_at,
        satisficing=args.satisficing,
        target=args.target,
        max_boxes=args.boxes,
        min_coverage=args.min_coverage,
        quarters=args.quarters,
        seed=args.seed,
        overrides=cli.parse_set(args.set),
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        out=cli.results_path(args, label),
        resume=args.resume,
        force=args.force,
        progress=not args.quiet,
        log=None if args.quiet else functools.partial(print, flush=True),
        command=args.command_line,
        confirm=args.yes,
    )
    print_result(result)
    return 0


def table_text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def print_result(result: DiscoveryResult) -> None:
    """The reading, the boxes and the robustness table, as text."""
    print()
    for sentence in result.reading():
        print(f"- {sentence}")
    if len(result.boxes):
        print()
        print(table_text(result.boxes[["box", "parameter", "low", "high", "qp_low", "qp_high", "coverage", "density"]]))
    print()
    print(table_text(result.robustness))
    print(f"\nreport: {result.folder / 'report.html' if result.folder else '(not saved)'}")


def run_options(parser: argparse.ArgumentParser) -> None:
    """The scenario, replications, seed and where the runs run and go (as compare's)."""
    from . import cli

    parser.add_argument("--scenario", metavar="NAME|FILE", help=f"preset name or TOML file; default {DEFAULT_SCENARIO}")
    parser.add_argument(
        "--reps", type=cli.positive_int, default=10, metavar="R", help="replications per policy and sample (10)"
    )
    parser.add_argument(
        "--quarters", type=cli.positive_int, metavar="Q", help="quarters to simulate (default: scenario's)"
    )
    parser.add_argument(
        "--seed", type=cli.seed_int, metavar="S", help="root seed (default: fresh, recorded in the manifest)"
    )
    parser.add_argument("--workers", type=cli.positive_int, metavar="W", help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local", help="local processes or Dask")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="an existing Dask scheduler")
    parser.add_argument(
        "--set", nargs="+", action="extend", metavar="KEY=VALUE", help="override scenario keys (TOML values)"
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
    parser.add_argument("--quiet", action="store_true", help="print only the results")


def add_parsers(subcommands: Any) -> None:
    """Add ``discover`` to an argparse subparsers object (``salessim``'s)."""
    from . import cli

    parser = subcommands.add_parser(
        "discover", help="where the answer flips: PRIM boxes, feature scores and robust choice over sampled worlds"
    )
    parser.add_argument(
        "--policies",
        default=DEFAULT_POLICIES,
        metavar="BASE,ALT[,...]",
        help=f"the baseline, the alternative, any others for the robust choice (default {DEFAULT_POLICIES})",
    )
    parser.add_argument(
        "--ranges",
        metavar="RANGES.toml",
        help=f"scenario keys and their [low, high] (default: {DEFAULT_RANGES.name}, the assumed parameters)",
    )
    parser.add_argument(
        "--samples", type=cli.positive_int, default=200, metavar="N", help="Latin-hypercube worlds (default 200)"
    )
    parser.add_argument(
        "--metric",
        default="profit_total",
        choices=SUMMARY_METRICS,
        metavar="M",
        help="run-summary metric compared (default profit_total)",
    )
    parser.add_argument(
        "--switch-at", type=int, default=0, metavar="Q", help="quarter the department switches policy (default 0)"
    )
    parser.add_argument(
        "--satisficing", type=share, default=0.05, metavar="X", help="within X of the best counts (default 0.05)"
    )
    parser.add_argument(
        "--target", choices=TARGETS, default="auto", help="what PRIM explains (default auto: the rarer outcome)"
    )
    parser.add_argument("--boxes", type=cli.positive_int, default=3, metavar="K", help="PRIM boxes at most (3)")
    parser.add_argument(
        "--min-coverage", type=share, default=0.5, metavar="C", help="a box's least coverage (default 0.5)"
    )
    run_options(parser)
    parser.set_defaults(func=cmd_discover, options=OPTIONS)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.discover_cli discover ...``: the same command as ``salessim discover``."""
    from simulation import ScenarioError

    from . import cli
    from .errors import ArgumentError, Interrupted, SetupError

    parser = cli.Parser(prog="salessim")
    add_parsers(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    args.command_line = ["salessim", *(sys.argv[1:] if argv is None else argv)]
    try:
        return int(args.func(args))
    except ArgumentError as error:
        print(f"error: {error.render(cli.OPTIONS | OPTIONS)}", file=sys.stderr)
    except (SetupError, ScenarioError) as error:
        print(f"error: {error}", file=sys.stderr)
    except Interrupted as stop:
        print(
            f"\ninterrupted: {stop.saved} of {stop.total} runs saved in {stop.folder}; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
