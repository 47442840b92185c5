"""Process hygiene: worker processes end with the process that started them, and SIGTERM stops a batch like Ctrl-C.

``die_with_parent`` runs in each local worker as it starts (the pool's initializer): on Linux the
kernel sends the worker SIGKILL when its parent ends, however it ends (``PR_SET_PDEATHSIG``);
elsewhere a daemon thread watches the parent's pid and ends the worker when it changes.
``terminate_as_interrupt`` makes SIGTERM raise ``KeyboardInterrupt`` in the main thread while a
batch runs, as Ctrl-C does, once: the results folder's manifest says "interrupted" with the time.
``ctrl_c_left_to_this_process`` starts processes that leave Ctrl-C to this one (a Dask cluster's).
``watch_manifest`` covers what no handler can, SIGKILL: a small watcher process marks a manifest
still "running" as "interrupted" when the process that started it has ended.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 0.5


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL_S)
    os._exit(1)


def die_with_parent() -> None:
    """End this process when its parent ends (SIGKILL from the kernel on Linux, a watcher thread elsewhere)."""
    parent = os.getppid()
    armed = False
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if parent == 1 or os.getppid() != parent:  # the parent ended before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), name="salessim-parent-watch", daemon=True).start()


def worker_start() -> None:
    """A local worker's initializer: Ctrl-C is left to the parent, and the worker ends with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()


@contextmanager
def ctrl_c_left_to_this_process() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C (an ignored SIGINT is inherited, and Python keeps
    it ignored): a terminal sends it to the whole group, and a worker it reached would print its own
    traceback while this process stops the batch and ends them. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


STOPS = (signal.SIGINT, signal.SIGTERM)


def _interrupt_once(signum: int, frame: FrameType | None) -> None:
    for stop in STOPS:  # the stop this starts must not be cut short by the next Ctrl-C
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, the first SIGINT or SIGTERM raises ``KeyboardInterrupt`` and the next
    ones are ignored until the block ends, so that stopping the batch (the pool's workers, the
    manifest) is never cut short: a second Ctrl-C in the middle of it used to leave the process
    waiting for its workers for ever. Main thread only; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {stop: signal.signal(stop, _interrupt_once) for stop in STOPS}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler if handler is not None else signal.SIG_DFL)


# The watcher: plain standard library, started with -I -S so that it costs a few milliseconds. It
# waits for its stdin (a pipe from the process it watches) to end, checking the manifest each
# second; it stops as soon as the manifest says anything but "running".
_WATCHER = r"""
import datetime, json, os, select, signal, sys, tempfile
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
path = sys.argv[1]
def manifest():
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None
while True:
    ready = select.select([0], [], [], 1.0)[0]
    if ready and not os.read(0, 1):
        break
    found = manifest()
    if found is None or found.get("status") != "running":
        sys.exit(0)
found = manifest()
if found is not None and found.get("status") == "running":
    found["status"] = "interrupted"
    found["interrupted"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    found["interrupted_how"] = "the command ended before finishing (killed)"
    mask = os.umask(0o022)
    os.umask(mask)
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".manifest.json.", suffix=".tmp")
    os.fchmod(handle, 0o666 & ~mask)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(json.dumps(found, indent=2) + "\n")
    os.replace(temp, path)
"""

_watchers: list[subprocess.Popen[bytes]] = []


def watch_manifest(path: str | os.PathLike[str]) -> None:
    """Mark the manifest at ``path`` "interrupted" (with the time) if this process ends while it says "running".

    The watcher holds the read end of a pipe only this process writes to: the pipe ends when this
    process does, however it ends (even SIGKILL). It leaves by itself once the manifest says
    anything else, so it never outlives the command."""
    for watcher in list(_watchers):  # reap the ones that have left
        if watcher.poll() is not None:
            _watchers.remove(watcher)
    watcher = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _WATCHER, os.fspath(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    _watchers.append(watcher)  # its stdin stays open as long as this process runs
