"""``python -m dashboard [--host 127.0.0.1] [--port 8765] [--lang en|ru]``: serve the trainer's dashboard."""

from __future__ import annotations

import argparse
import sys

from experiments.cli import port_int
from experiments.errors import ArgumentError

from . import DEFAULT_HOST, DEFAULT_PORT, serve
from .i18n import LANGUAGES

OPTIONS = {"host": "--host", "port": "--port"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=port_int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="the page's starting language (default: $SALESSIM_LANG, else en)",
    )
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, lang=args.lang)
    except ArgumentError as error:  # a taken port, a host not of this machine: one line, before any address
        print(f"error: {error.render(OPTIONS)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
