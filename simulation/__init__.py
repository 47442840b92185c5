"""salessim's model: a B2B sales department in which the 'finder keeps' pitfall can emerge."""

from .agents import Client, Role, Seller
from .metrics import QUARTER_METRICS, SUMMARY_METRICS
from .model import SalesModel
from .presets import MAIN_POLICIES, POLICIES, PolicyPreset, check_overrides, resolve_policy, resolve_run
from .run import SimulationResult, run_simulation
from .scenario import PRESETS, Scenario, ScenarioError, build_scenario, load_scenario, parameter_keys, resolve_scenario

__version__ = "0.1.0"

__all__ = [
    "MAIN_POLICIES",
    "POLICIES",
    "PRESETS",
    "QUARTER_METRICS",
    "SUMMARY_METRICS",
    "Client",
    "PolicyPreset",
    "Role",
    "SalesModel",
    "Scenario",
    "ScenarioError",
    "Seller",
    "SimulationResult",
    "build_scenario",
    "check_overrides",
    "load_scenario",
    "parameter_keys",
    "resolve_policy",
    "resolve_run",
    "resolve_scenario",
    "run_simulation",
]
