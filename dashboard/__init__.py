"""The trainer's dashboard: a Solara page comparing two sales departments side by side."""

from __future__ import annotations

import concurrent.futures
import gc
import ipaddress
import logging
import os
import warnings
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class FailedRequests(logging.Filter):
    """Keep only failed requests in the access log, so a missing front-end asset stands out."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return len(args) < 5 or not str(args[4]).isdigit() or int(args[4]) >= 400


def check_address(host: str, port: int) -> None:
    """Refuse a port outside 1–65535, a taken one, or a host that is not this machine's, before
    anything starts: ``experiments.errors.ArgumentError`` (a ``ValueError``) naming ``port`` or
    ``host``. The same check and words as ``salessim dashboard`` (``experiments.cli.check_port``)."""
    from experiments.cli import check_port
    from experiments.errors import ArgumentError

    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ArgumentError("port", f"{port!r} is not allowed; allowed: a port number from 1 to 65535")
    check_port(host, port)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve_uncompressed() -> None:
    """Take Solara's gzip out of the server. It compresses every response at level 9 on the server's
    event loop — about 0.45 s for its 3.5 MB front-end bundle alone, while the page waits for it —
    and on loopback the bytes it saves cost nothing (benchmarks/dashboard_speed.py --breakdown)."""
    os.environ.setdefault("SOLARA_APP", "dashboard.app")  # what `solara run dashboard.app` sets before this import
    from solara.server.starlette import app
    from starlette.middleware.gzip import GZipMiddleware

    app.user_middleware = [m for m in app.user_middleware if m.cls is not GZipMiddleware]


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, lang: str | None = None) -> None:
    """Print the address and run the Solara server for the page, bound to ``host`` only; the page
    opens in ``lang`` ('en' or 'ru'; default $SALESSIM_LANG, else English) and has a language toggle.

    The port is checked first (``check_address``): a taken port or one outside 1–65535 raises
    ``ArgumentError`` naming it, before anything starts or is printed.

    Offline by design: the front-end comes from the installed solara-assets package (Solara
    would otherwise fetch it from a public CDN), and Solara's version check and usage
    telemetry, both network calls, are switched off. Failed requests are logged.
    """
    from .i18n import LANG_ENV, language

    code = language(lang)
    check_address(host, port)
    from .ensemble import BACKGROUND

    # Start the spread's worker process first: it imports the model while this process imports
    # Solara and the page and builds the default departments (before the server answers, not for a
    # first page); it is ready before the server answers, so that its start never competes with a
    # page loading. A page asks it for its spread once its first chart is drawn.
    worker = BACKGROUND.start()
    os.environ[LANG_ENV] = code  # read by the page (same process)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # read when Solara is first imported...
    import click
    from solara.__main__ import cli
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False  # ...which may already have happened
    # dashboard/assets/custom.js: the chart library starts loading with the page.
    settings.assets.extra_locations = [str(Path(__file__).with_name("assets")), *settings.assets.extra_locations]
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")  # plain http on loopback
    logging.getLogger("uvicorn.access").addFilter(FailedRequests())
    if is_loopback(host):
        serve_uncompressed()
    from .widgets import precompile_solara_widgets

    precompile_solara_widgets()

    from .app import prepared

    prepared.warm()
    concurrent.futures.wait([worker], timeout=60)
    # What is loaded and built by now lives as long as the server: out of the cyclic collector's
    # sight, its full passes (70-150 ms each, over Solara, pandas and the prepared departments) no
    # longer stall a Step now and then.
    gc.freeze()

    print(f"salessim dashboard: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    args = [
        "run",
        "dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
        "--log-level-uvicorn",
        "info",
    ]
    try:
        cli(args, standalone_mode=False)  # Ctrl-C: the server stops itself and returns; no "Aborted."
    except (KeyboardInterrupt, click.exceptions.Abort):
        pass
    finally:
        BACKGROUND.close()  # before the interpreter's exit, which would find the pool half torn down
    print("salessim dashboard: stopped", flush=True)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "check_address", "serve"]
