"""salessim's experiments: scenario files, replications, statistics, results folders, reports, sensitivity
analysis (SALib), executors (local processes or Dask), calibration checks, CLI.

The replication runner and the statistics are usable from Python (notebooks, Dask)::

    from experiments import Design, run_tasks, summarise
    design = Design(resolve_scenario("mature_department"), ("finder_keeps", "dedicated_roles"), 10, seed=1)
    run_tasks(design, design.tasks(), on_result, executor=client.get_executor())
"""

from .runner import Design, RunOutput, Task, execute, process_pool, run_tasks
from .stats import mean_ci, paired_differences, summarise, t_quantile

__all__ = ["Design", "RunOutput", "Task", "execute", "mean_ci", "paired_differences", "process_pool", "run_tasks",
           "summarise", "t_quantile"]
