"""A command started as a terminal starts it, in its own process group, and stopped with Ctrl-C as a
terminal sends it: SIGINT to the whole group (the main process and its workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """``salessim args`` (as ``python -m experiments.cli``) in its own process group; stderr kept."""
    return subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_runs(proc: subprocess.Popen[str], runs: Path, count: int, timeout: float = 120) -> None:
    """Until ``count`` run files are saved in ``runs`` (or the command ends, or ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and len(list(runs.glob("*.parquet"))) < count:
        time.sleep(0.01)


def ctrl_c(proc: subprocess.Popen[str], gaps: tuple[float, ...] = (), timeout: float = 60) -> str:
    """Ctrl-C to the group, then once more after each of ``gaps`` seconds; the command's stderr once it ends.
    A command still running ``timeout`` seconds later is killed and the test fails."""
    os.killpg(proc.pid, signal.SIGINT)
    for gap in gaps:
        time.sleep(gap)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("Ctrl-C left the command running") from None
