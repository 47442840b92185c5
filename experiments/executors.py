"""Where the runs run: in this process, on a local process pool, or on Dask.

Every choice ends up as a ``concurrent.futures.Executor`` (or none, to run in this process) that
``runner.run_tasks`` uses, so results do not depend on the choice. Dask is an optional extra: a
``LocalCluster`` whose scheduler, workers and dashboard listen on 127.0.0.1 only, or an existing
scheduler reached through ``Client.get_executor()``.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

from .errors import ArgumentError, SetupError

EXECUTORS = ("local", "dask")
LOOPBACK = "127.0.0.1"
CONNECT_TIMEOUT_S = 4
DASK_INSTALL = 'pip install "salessim[dask]"'
SCHEDULER_ADDRESS = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")


@dataclass
class Pool:
    """An open executor (None: run in this process) and a description of it for the terminal."""

    executor: Executor | None
    description: str
    workers: int


def distributed() -> ModuleType:
    """The ``distributed`` package, or an error saying how to install the dask extra."""
    try:
        import distributed as module
    except ImportError:
        raise SetupError(f"the dask executor needs the dask extra: {DASK_INSTALL}") from None
    return module


def check(kind: str, scheduler: str | None) -> str:
    """Validate the executor arguments before anything starts; returns the executor kind."""
    if kind not in EXECUTORS:
        raise ArgumentError("executor", f"{kind!r} is not allowed; allowed: {', '.join(map(repr, EXECUTORS))}")
    if scheduler is not None:
        if not isinstance(scheduler, str) or not SCHEDULER_ADDRESS.match(scheduler):
            raise ArgumentError(
                "scheduler", f"'{scheduler}' is not allowed; allowed: tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)"
            )
        kind = "dask"
    if kind == "dask":
        distributed()
    return kind


def dashboard_address() -> str | None:
    """The LocalCluster dashboard on a free loopback port when bokeh is installed, else off."""
    return f"{LOOPBACK}:0" if importlib.util.find_spec("bokeh") else None


@contextmanager
def local_cluster(workers: int) -> Iterator[Pool]:
    """A Dask LocalCluster of ``workers`` single-threaded processes, everything bound to 127.0.0.1."""
    dask, dashboard = distributed(), dashboard_address()
    from .processes import ctrl_c_left_to_this_process

    with ctrl_c_left_to_this_process():
        cluster = dask.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host=LOOPBACK,
            dashboard_address=dashboard,
            worker_dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with cluster, dask.Client(cluster, set_as_default=False) as client:
        link = f", dashboard {client.dashboard_link}" if dashboard else ""
        yield Pool(
            client.get_executor(pure=False), f"a Dask LocalCluster at {cluster.scheduler_address}{link}", workers
        )


@contextmanager
def remote_scheduler(address: str) -> Iterator[Pool]:
    """An existing Dask scheduler; an unreachable one is an error within ``CONNECT_TIMEOUT_S``."""
    dask = distributed()
    try:
        client = dask.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError):
        raise SetupError(
            f"could not reach the Dask scheduler at {address} within {CONNECT_TIMEOUT_S} s; is one "
            f"running there? (e.g. started with 'dask scheduler --host {LOOPBACK}')"
        ) from None
    with client:
        workers = len(client.scheduler_info().get("workers", {}))
        yield Pool(client.get_executor(pure=False), f"the Dask scheduler at {address}", max(workers, 1))


@contextmanager
def open_pool(kind: str, workers: int, scheduler: str | None = None) -> Iterator[Pool]:
    """The executor asked for: this process (one local worker), a process pool, a LocalCluster or a scheduler."""
    if scheduler is not None:
        with remote_scheduler(scheduler) as pool:
            yield pool
    elif kind == "dask":
        with local_cluster(workers) as pool:
            yield pool
    elif workers == 1:
        yield Pool(None, "this process", 1)
    else:
        from .runner import process_pool, stop_pool  # pandas and the model: not needed to parse a command line

        executor = process_pool(workers)
        try:
            yield Pool(executor, "local worker processes", workers)
        except BaseException:
            stop_pool(executor)
            raise
        executor.shutdown(wait=True)
