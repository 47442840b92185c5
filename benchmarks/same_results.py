"""Check that a change to the model's code leaves every result bit-for-bit the same.

Usage:
    python benchmarks/same_results.py --save before.json   # on the old code
    python benchmarks/same_results.py --check before.json  # on the new code

Runs every policy on three presets (national_org shortened to 12 quarters) with two seeds and
fingerprints each run's timeseries and summary. Speed work that should not change what the
model means should pass this check; if it does not, the change alters results and the
published tables (docs/model.md, README.md) must be regenerated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

from simulation import POLICIES, run_simulation

RUNS = [("mature_department", None), ("growing_team", None), ("national_org", 12)]


def fingerprints() -> dict[str, str]:
    out = {}
    for scenario, quarters in RUNS:
        for policy in POLICIES:
            for seed in (1, 2):
                result = run_simulation(scenario, policy, seed=seed, quarters=quarters)
                frame = pd.util.hash_pandas_object(result.timeseries, index=True).values.tobytes()
                summary = json.dumps(result.summary, sort_keys=True, default=str).encode()
                out[f"{scenario}/{policy}/{seed}"] = hashlib.sha256(frame + summary).hexdigest()[:20]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the fingerprints to this file")
    group.add_argument("--check", type=Path, help="compare with fingerprints saved earlier")
    args = parser.parse_args()
    now = fingerprints()
    if args.save:
        args.save.write_text(json.dumps(now, indent=1))
        print(f"{len(now)} runs fingerprinted into {args.save}")
        return
    before = json.loads(args.check.read_text())
    changed = sorted(key for key in before if before[key] != now.get(key))
    if changed:
        print(f"{len(changed)} of {len(before)} runs changed:", *changed, sep="\n  ")
        sys.exit(1)
    print(f"all {len(before)} runs identical")


if __name__ == "__main__":
    main()
