"""How long import-crm takes on 100,000 deals, and calibrate with its default budget on the example.

    python benchmarks/import_speed.py                 # both (calibration: about a minute or two on 2 cores)
    python benchmarks/import_speed.py --no-calibrate  # the import only

Prints the figures; asserts nothing about time (the targets: import ≤ 10 s, calibrate ≤ 10 min on 2 cores).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from experiments.crm import calibrate, import_crm  # noqa: E402


def generator():
    spec = importlib.util.spec_from_file_location("crm_generate", ROOT / "examples" / "crm" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["crm_generate"] = module
    spec.loader.exec_module(module)
    return module


def time_import(folder: Path, scale: float) -> None:
    gen = generator()
    export = gen.generate(seed=11, scale=scale)
    mapping = gen.write(export, folder / "export")
    size = (folder / "export" / "deals.csv").stat().st_size / 1e6
    started = time.perf_counter()
    result = import_crm(mapping, folder / "big.toml")
    seconds = time.perf_counter() - started
    print(
        f"import-crm: {len(export.deals):,} deals ({size:.1f} MB CSV), {len(export.sellers)} sellers, "
        f"{len(export.accounts):,} accounts: {seconds:.1f} s (report included; {result.seconds:.1f} s inside)"
    )


def time_calibrate(folder: Path, workers: int) -> None:
    scenario = folder / "example.toml"
    import_crm(ROOT / "examples" / "crm" / "mapping.toml", scenario)
    started = time.perf_counter()
    result = calibrate(scenario, folder / "calibration", workers=workers, progress=True)
    seconds = time.perf_counter() - started
    print(f"calibrate (default budget: {result.trials} trials, {workers} workers): {seconds:.0f} s")
    print(result.fit.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(result.parameters[["key", "best", "range_low", "range_high", "at_bound"]].to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=16.5, help="generator scale (16.5: about 100,000 deals)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-calibrate", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        time_import(Path(tmp), args.scale)
        if not args.no_calibrate:
            time_calibrate(Path(tmp), args.workers)


if __name__ == "__main__":
    main()
