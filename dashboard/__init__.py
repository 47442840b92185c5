"""The trainer's dashboard: a Solara page comparing two sales departments side by side."""

from __future__ import annotations

import os
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Print the address and run the Solara server for the page, bound to ``host`` only.

    Offline by design: the front-end comes from the installed solara-assets package, and
    Solara's version check and usage telemetry (both network calls) are switched off.
    """
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    from solara.__main__ import cli

    print(f"salessim dashboard: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    args = ["run", "dashboard.app", "--host", host, "--port", str(port), "--production", "--no-open",
            "--no-check-version"]
    sys.exit(cli(args, standalone_mode=True))


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "serve"]
