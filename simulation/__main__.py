"""Quick look: ``python -m simulation [seed]`` runs the default scenario once under the two main
policies (same seed, same market) and prints their run summaries side by side."""

import sys

import pandas as pd

from . import run_simulation

SHOWN = ("finder_keeps", "dedicated_roles_crm")  # the two main policies, side by side


def main(seed: int = 0) -> None:
    table = pd.DataFrame({p: run_simulation(policy=p, seed=seed).summary for p in SHOWN})
    table["difference"] = table[SHOWN[1]] - table[SHOWN[0]]
    print(f"mature_department, 20 quarters, seed {seed}, one replication (compare many with 'salessim compare'):")
    print(table.to_string(float_format=lambda v: f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3f}"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
