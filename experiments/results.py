"""The results folder: one per experiment, never silently overwritten, resumable run by run.

Layout::

    manifest.json        command, arguments, seed, scenario hashes, versions, times, status
    scenario.toml        the scenario every policy shares: the one given, with the overrides
    scenarios/<policy>.toml  what that policy's runs start from (its settings applied; a sweep point
                         or sample is applied on top, its values in the tables)
    runs/<task>.parquet  one file per finished run (timeseries; run summary in its metadata)
    summary.csv, paired_differences.csv, runs.parquet, timeseries.parquet, figures/, report.*

Every file is written atomically (temporary file + rename), so a killed command leaves only
whole files behind, and the final tables are rebuilt from ``runs/`` in canonical order.
"""

from __future__ import annotations

import errno
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ArgumentError
from .runner import RunOutput, Task

SUMMARY_KEY = b"salessim.summary"


def file_mode() -> int:
    """The mode a new file gets under the user's umask (0644 for the usual 022), as ``open`` would give it."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The file gets the user's umask (``mkstemp`` alone would make it 0600, unreadable by colleagues).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, file_mode())
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def parquet_bytes(frame: pd.DataFrame, extra: dict[bytes, bytes] | None = None) -> bytes:
    """A data frame as parquet bytes, the same bytes for the same data (no index, no timestamps)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if extra:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python numbers (for JSON)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, default=_plain) + "\n"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Versions of salessim, its main libraries and Python."""
    found = {name: metadata.version(name) for name in ("salessim", "mesa", "numpy", "pandas", "pyarrow")}
    return found | {"python": platform.python_version()}


def git_commit() -> str | None:
    """The source tree's git commit (with '-dirty' if it has local changes), or None."""
    where = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def _same(a: Any, b: Any) -> bool:
    return json.loads(json.dumps(a, default=_plain)) == json.loads(json.dumps(b, default=_plain)) or (
        isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    )


def _mention(key: str) -> str:
    """A recorded argument's key as an error mentions it: ``{reps}``, ``{scenario} (hash)``."""
    name, space, rest = key.partition(" ")
    return f"{{{name}}}{space}{rest}"


class MemoryStore:
    """Finished runs kept in memory (an experiment without a results folder); the same interface as a folder's."""

    def __init__(self) -> None:
        self.outputs: dict[str, RunOutput] = {}
        self.path: Path | None = None

    def finished(self) -> set[str]:
        return set(self.outputs)

    def save_run(self, task: Task, output: RunOutput) -> None:
        self.outputs[task.name] = output

    def load_run(self, task: Task) -> RunOutput:
        output = self.outputs[task.name]
        return RunOutput(dict(output.summary), {name: values.copy() for name, values in output.columns.items()})

    def load_summary(self, task: Task) -> dict[str, float]:
        return dict(self.outputs[task.name].summary)


class ResultsFolder:
    """A results folder: its manifest, its per-run store and its final files."""

    KEPT = 10_000  # runs saved in this process whose outputs stay in memory for collecting (~6 kB each)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.runs = self.path / "runs"
        self.kept: dict[str, RunOutput] = {}  # saved here, not yet collected: read without the file

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    # --- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, force: bool = False, parameter: str = "out") -> ResultsFolder:
        """A new folder at ``path`` (or an empty one: nothing in it to lose); an existing one only with
        ``force`` (and only a results folder).

        ``parameter`` is the argument that gave the path, for the error if it exists.
        """
        folder = cls(path)
        if path.exists() and not (path.is_dir() and not any(path.iterdir())):
            if not force:
                again = "{resume} to finish it, or " if parameter == "out" else ""
                raise ArgumentError(
                    parameter, f"'{path}' already exists; allowed: a new folder, {again}{{force}} to replace it"
                )
            if path.is_file() or (any(path.iterdir()) and not folder.manifest_path.exists()):
                raise ArgumentError(
                    "force", f"'{path}' is not a salessim results folder (no manifest.json); refusing to delete it"
                )
            shutil.rmtree(path)
        try:
            folder.runs.mkdir(parents=True)  # in an empty folder too: its runs/ cannot exist yet
        except OSError as error:
            raise create_error(error, path, parameter, "a folder path") from None
        return folder

    @classmethod
    def reopen(cls, path: Path, command: str, arguments: dict[str, Any]) -> ResultsFolder:
        """An existing folder to resume; the arguments must match its manifest's.

        ``arguments`` are keyed by parameter name (``reps``), or by a name and what is compared
        (``scenario (hash)``); a difference names the parameter as ``{reps}``.
        """
        folder = cls(path)
        if not path.is_dir():
            raise ArgumentError("resume", f"no results folder at '{path}'; allowed: an existing results folder")
        if not folder.manifest_path.exists():
            raise ArgumentError("resume", f"'{path}' is not a salessim results folder (no manifest.json)")
        manifest = folder.manifest()
        if manifest.get("subcommand") != command:
            what = f"a '{manifest['subcommand']}' run" if manifest.get("subcommand") else "no command's run"
            raise ArgumentError("resume", f"'{path}' holds {what}, not '{command}'")
        recorded = manifest.get("arguments", {})
        differences = [
            f"{_mention(key)} is {_shown(arguments[key])} here but {_shown(recorded.get(key))} in the manifest"
            for key in arguments
            if not _same(arguments[key], recorded.get(key))
        ]
        if differences:
            raise ArgumentError(
                "resume",
                f"arguments differ from {folder.manifest_path}: "
                + "; ".join(differences)
                + "; allowed: the original arguments, or {force} to start again",
            )
        folder.runs.mkdir(parents=True, exist_ok=True)
        for temp in folder.path.rglob(".*.tmp"):
            temp.unlink()
        return folder

    # --- manifest ----------------------------------------------------------------------------
    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write(self.manifest_path, json_text(manifest).encode())

    def update_manifest(self, **changes: Any) -> dict[str, Any]:
        manifest = self.manifest() | changes
        self.write_manifest(manifest)
        return manifest

    # --- the per-run store ---------------------------------------------------------------------
    def finished(self) -> set[str]:
        """Names of the tasks whose run is saved."""
        return {path.stem for path in self.runs.glob("*.parquet")}

    def save_run(self, task: Task, output: RunOutput) -> None:
        """One run's timeseries as a parquet file of plain numeric columns, its summary in the metadata.

        Built straight from the columns' arrays, without pandas' metadata: a run file is small and
        there are thousands, so the few milliseconds pandas' conversion costs each add up."""
        summary = json.dumps({key: _plain(value) for key, value in output.summary.items()})
        table = pa.table({str(name): values for name, values in output.columns.items()})
        table = table.replace_schema_metadata({SUMMARY_KEY: summary.encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, use_dictionary=False, write_statistics=False)
        atomic_write(self.runs / f"{task.name}.parquet", sink.getvalue().to_pybytes())
        if len(self.kept) < self.KEPT:
            self.kept[task.name] = RunOutput(json.loads(summary), output.columns)  # as the file gives it

    def load_run(self, task: Task) -> RunOutput:
        """A saved run: from memory if it was saved by this process and not yet read, else from its file."""
        kept = self.kept.pop(task.name, None)
        if kept is not None:
            return kept
        table = pq.ParquetFile(self.runs / f"{task.name}.parquet").read(use_threads=False)
        summary = json.loads(table.schema.metadata[SUMMARY_KEY])
        return RunOutput(summary, {name: table.column(name).to_numpy() for name in table.column_names})

    def load_summary(self, task: Task) -> dict[str, float]:
        """A saved run's summary only (read from the file's metadata, without its timeseries)."""
        return json.loads(pq.read_schema(self.runs / f"{task.name}.parquet").metadata[SUMMARY_KEY])

    # --- final files ---------------------------------------------------------------------------
    def write_text(self, name: str, text: str) -> Path:
        atomic_write(self.path / name, text.encode("utf-8"))
        return self.path / name

    def write_csv(self, name: str, frame: pd.DataFrame) -> Path:
        return self.write_text(name, frame.to_csv(index=False, lineterminator="\n"))

    def write_parquet(self, name: str, frame: pd.DataFrame) -> Path:
        atomic_write(self.path / name, parquet_bytes(frame))
        return self.path / name


def unwritable(path: Path) -> str | None:
    """Why nothing can be created at ``path`` (a file on the way, a read-only or missing place), or None."""
    ancestor = path.absolute()
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            return f"'{path}' cannot be created"
        ancestor = ancestor.parent
    if ancestor != path.absolute() and not ancestor.is_dir():
        return f"'{ancestor}' is a file, not a folder"
    where = ancestor if ancestor.is_dir() else ancestor.parent
    try:  # a real probe: permissions are not the whole story (read-only mounts, /proc, root's access())
        handle, probe = tempfile.mkstemp(dir=where, prefix=".salessim-probe.", suffix=".tmp")
    except OSError as error:  # /proc answers "No such file or directory": say what it means here
        why = "files cannot be created there" if error.errno == errno.ENOENT else error.strerror
        return f"'{where}' is not writable ({why})"
    os.close(handle)
    os.unlink(probe)
    return None


def check_writable(path: Path, parameter: str, what: str) -> None:
    """An ``ArgumentError`` for ``parameter`` when ``path`` cannot be written (checked before anything runs)."""
    problem = unwritable(path)
    if problem is not None:
        raise ArgumentError(parameter, f"{problem}; allowed: {what} in a writable folder")


def create_error(error: OSError, path: Path, parameter: str, what: str) -> ArgumentError:
    """An ``OSError`` met creating ``path``, as an ``ArgumentError`` for ``parameter``."""
    reason = error.strerror or type(error).__name__
    where = f" ('{error.filename}')" if error.filename and str(error.filename) != str(path) else ""
    return ArgumentError(parameter, f"cannot create '{path}': {reason}{where}; allowed: {what} in a writable folder")


def latest_folder(root: Path, command: str) -> Path | None:
    """The most recently started results folder of ``command`` under ``root``."""
    candidates = [p for p in root.glob(f"{command}-*") if (p / "manifest.json").exists()]
    return max(candidates, key=lambda p: (p / "manifest.json").stat().st_mtime, default=None)


def new_folder_path(root: Path, command: str, label: str) -> Path:
    """A fresh folder name under ``root``: command, label and start time."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "custom"
    base = root / f"{command}-{label}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def environment(command: Sequence[str] | str | None = None) -> dict[str, Any]:
    """What the manifest records: the command (a command line, or the Python call), versions, git commit."""
    if isinstance(command, str):
        recorded: dict[str, Any] = {"command": command, "argv": None}
    else:
        argv = list(command) if command is not None else [Path(sys.argv[0]).name, *sys.argv[1:]]
        recorded = {"command": shlex.join(argv), "argv": argv}
    return recorded | {"versions": versions(), "git_commit": git_commit()}


def _shown(value: Any) -> str:
    """An argument's value as a user would write it: 'not given' rather than None, no Python braces."""
    if value is None or value == {} or value == []:
        return "not given"
    if isinstance(value, dict):
        return " ".join(f"{key}={item}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return repr(value) if isinstance(value, str) else str(value)
