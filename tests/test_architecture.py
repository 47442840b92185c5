"""The code's shape: arrows run one way, no import circle, state changed only through its owners,
and a policy can be written from the public interfaces alone."""

import ast
from pathlib import Path

import numpy as np
import pytest

from simulation import PolicyPreset, SalesModel, run_simulation
from simulation.department import Department
from simulation.ledger import Rows, Stage
from simulation.policies import Policy, desks_of

ROOT = Path(__file__).parents[1]


def imports_of(path: Path, package: str) -> set[str]:
    """Modules of ``package`` that a file imports, TYPE_CHECKING-only imports included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import y / from . import x, y
                names = [node.module] if node.module else [a.name for a in node.names]
                found |= {n.split(".")[0] for n in names}
            elif node.module and node.module.startswith(f"{package}."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(f"{package}.")}
    return found


def test_no_import_circle_in_simulation():
    modules = {p.stem: p for p in (ROOT / "simulation").glob("*.py") if p.stem not in ("__init__", "__main__")}
    graph = {name: imports_of(path, "simulation") & set(modules) for name, path in modules.items()}
    visiting, done, circles = [], set(), []

    def visit(name):
        if name in visiting:
            circles.append([*visiting[visiting.index(name) :], name])
            return
        if name in done:
            return
        visiting.append(name)
        for other in sorted(graph[name]):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert not circles


def test_simulation_imports_nothing_from_the_layers_above():
    for path in (ROOT / "simulation").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] in ("experiments", "dashboard")], path.name


def test_state_is_read_only_outside_its_owners():
    model = SalesModel(log_events=False)
    model.step()
    for column in ("stage", "owner", "loyalty_personal", "development", "size"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(model.ledger, column)[0] = 0
    for array in (
        model.timesheet.spare,
        model.timesheet.service_load,
        model.timesheet.book_size,
        model.timesheet.capacity,
    ):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0


class TakeTurns(Policy):
    """A policy written from the public interfaces only: leads to the sellers in turn, a
    leaver's clients to whoever has most spare time."""

    name = "take_turns"
    description = "leads dealt out in turn"

    def route_leads(self, model: Department, rows: Rows) -> None:
        sellers = model.regular_sellers()
        for k, (row, effort) in enumerate(zip(rows, model.effort.pursuit(model.ledger, rows), strict=True)):
            seller = sellers[k % len(sellers)]
            if model.timesheet.spare[seller.desk] >= effort:
                model.assign_pursuit(row, seller.desk, effort)

    def receivers(self, model: Department, rows: Rows) -> np.ndarray:
        desks = desks_of(model.regular_sellers())
        best = desks[int(np.argmax(model.timesheet.spare[desks]))]
        return np.full(len(rows), best, dtype=np.int32)


def test_a_policy_written_outside_the_package_runs_end_to_end():
    preset = PolicyPreset("take_turns", TakeTurns)
    result = run_simulation(policy=preset, seed=4, quarters=12, log_events=False)
    keeps = run_simulation(policy="finder_keeps", seed=4, quarters=12, log_events=False)
    assert result.policy == "take_turns" and result.summary["leads_won_total"] > 0
    assert result.summary["revenue_total"] != keeps.summary["revenue_total"]
    model = SalesModel(policy=preset, seed=4, log_events=False)
    for _ in range(12):
        model.step()
        owner, stage = model.ledger.owner, model.ledger.stage
        held = (stage == Stage.PURSUIT) | (stage == Stage.DEVELOPING) | (stage == Stage.LOYAL)
        assert set(owner[held].tolist()) <= {s.desk for s in model.on_staff}  # nobody holds a leaver's client
