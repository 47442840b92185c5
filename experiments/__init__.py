"""salessim's experiments: many runs of the model, their statistics, results folders, figures and reports.

The Python API (``experiments.api``)::

    import experiments
    result = experiments.compare(reps=20, seed=1)                  # the four main policies
    result.summary, result.paired                                  # pandas DataFrames, 95% CIs
    result.plot("golden_fund_revenue"); result.save("results/mine")
    experiments.sweep({"market.consultative_share": [0.2, 0.5]}, policies=["finder_keeps", "dedicated_roles"])
    experiments.sweep(design="lhs", samples=40, ranges={"crm.handoff_protection": (0.2, 0.8)})
    experiments.discover(["finder_keeps", "dedicated_roles_crm"], samples=200, reps=10)  # where the answer flips
    experiments.sensitivity({"market.leads_per_quarter": (16, 32)}, diff=("finder_keeps", "dedicated_roles_crm"))

Bad arguments raise ``ArgumentError`` naming the parameter. Below the API: the replication
runner (``Design``, ``run_tasks``), the statistics (``summarise``, ``paired_differences``,
``mean_ci``), executors (local processes or Dask), the ``salessim`` CLI (``experiments.cli``).
Importing this package leaves matplotlib's backend alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ArgumentError, Interrupted, SetupError

if TYPE_CHECKING:
    from .api import ComparisonResult, SensitivityResult, compare, sensitivity, sweep
    from .discover import DiscoveryResult, discover
    from .runner import Design, RunOutput, Task, execute, process_pool, run_tasks
    from .stats import mean_ci, paired_differences, summarise, t_quantile

# Loaded on first use, so that ``salessim --help`` does not import the model, pandas and scipy.
_LAZY = {
    **dict.fromkeys(("ComparisonResult", "SensitivityResult", "compare", "sensitivity", "sweep"), ".api"),
    **dict.fromkeys(("Design", "RunOutput", "Task", "execute", "process_pool", "run_tasks"), ".runner"),
    **dict.fromkeys(("mean_ci", "paired_differences", "summarise", "t_quantile"), ".stats"),
    **dict.fromkeys(("DiscoveryResult", "discover"), ".discover"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'experiments' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ArgumentError",
    "ComparisonResult",
    "Design",
    "DiscoveryResult",
    "Interrupted",
    "RunOutput",
    "SensitivityResult",
    "SetupError",
    "Task",
    "compare",
    "discover",
    "execute",
    "mean_ci",
    "paired_differences",
    "process_pool",
    "run_tasks",
    "sensitivity",
    "summarise",
    "sweep",
    "t_quantile",
]
