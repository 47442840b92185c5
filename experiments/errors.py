"""What can stop an experiment before or while it runs, said in the caller's terms.

An ``ArgumentError`` names the parameter at fault (``reps``, ``overrides``, ``out``...), the value and
what is allowed. Its text may mention other parameters as ``{name}``; ``render`` spells them as the
caller knows them: Python keywords here (``force=True``), options in the CLI (``--force``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

MENTION = re.compile(r"\{([a-z_]+)\}")
# How a Python caller passes the flags an error may point to; any other name stands for itself.
PYTHON_NAMES = {"force": "force=True", "resume": "resume=True", "confirm": "confirm=True"}


class ArgumentError(ValueError):
    """An argument that is not allowed: ``parameter`` names it; the text says the value and what is allowed."""

    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        self.problem = problem
        super().__init__(self.render())

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """The message with the parameter and every ``{name}`` it mentions spelled by ``names``.

        Without ``names``, the leading parameter is its Python name and mentions use ``PYTHON_NAMES``.
        """
        mentions: Mapping[str, str] = PYTHON_NAMES if names is None else names
        lead = self.parameter if names is None else names.get(self.parameter, self.parameter)
        text = MENTION.sub(lambda match: mentions.get(match[1], match[1]), self.problem)
        return f"{lead}: {text}"


class SetupError(RuntimeError):
    """Something the machine lacks for what was asked: an optional extra, a scheduler that does not answer."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during the runs: how many are saved, and where (``folder`` is None for runs kept in memory)."""

    def __init__(self, saved: int, total: int, folder: Path | None) -> None:
        self.saved, self.total, self.folder = saved, total, folder
        where = f" in {folder}" if folder is not None else " (in memory, now lost; give out= to keep them)"
        super().__init__(f"interrupted: {saved} of {total} runs saved{where}")
