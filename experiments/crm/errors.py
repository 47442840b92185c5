"""What stops an import or a calibration: one line naming the file, row, column, value and what is allowed."""

from __future__ import annotations

from pathlib import Path

from simulation import ScenarioError

from ..errors import Interrupted


class CrmError(ScenarioError):
    """An export, mapping or calibration setting that cannot be used; the message is the whole story.

    A subclass of ``ScenarioError`` (a ``ValueError``), so a command line that reports scenario
    errors as one ``error:`` line reports these the same way.
    """


class MappingError(CrmError):
    """A mapping file that names a missing file or column, or has an unknown or ill-typed key."""


class DataError(CrmError):
    """A value in an export that cannot be read: names the file, row, column, value and what is allowed."""

    def __init__(self, file: str, row: int | None, column: str, value: object, allowed: str) -> None:
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"{where}, column '{column}': {value!r} is not allowed; allowed: {allowed}")


class CalibrationError(CrmError):
    """A calibration setting (scenario, observed KPIs, ranges, folder) that cannot be used."""


class CalibrationInterrupted(Interrupted):
    """Ctrl-C (or SIGTERM) during a calibration: how many trials are saved in the folder, to continue with resume."""

    def __init__(self, saved: int, total: int, folder: Path) -> None:
        super().__init__(saved, total, folder)
        self.args = (
            f"interrupted: {saved} of {total} trials saved in {folder}; rerun the same command with --resume to "
            "continue",
        )

    def __str__(self) -> str:
        return str(self.args[0])
