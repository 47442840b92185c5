"""salessim's experiments: scenario files, replications, statistics, results folders, reports, CLI."""
