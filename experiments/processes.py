"""Process hygiene: worker processes end with the process that started them, and SIGTERM stops a batch like Ctrl-C.

``die_with_parent`` runs in each local worker as it starts (the pool's initializer): on Linux the
kernel sends the worker SIGKILL when its parent ends, however it ends (``PR_SET_PDEATHSIG``);
elsewhere a daemon thread watches the parent's pid and ends the worker when it changes.
``terminate_as_interrupt`` makes SIGTERM raise ``KeyboardInterrupt`` in the main thread while a
batch runs, so the results folder's manifest says "interrupted" with the time, as after Ctrl-C.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
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


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``KeyboardInterrupt`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
