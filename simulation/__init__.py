"""salessim's model: a B2B sales department in which the 'finder keeps' pitfall can emerge."""

from .agents import Client, Role, Seller
from .metrics import QUARTER_METRICS, SUMMARY_METRICS
from .model import SalesModel, resolve_policy
from .policies import MAIN_POLICIES, POLICIES
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
    "Role",
    "SalesModel",
    "Scenario",
    "ScenarioError",
    "Seller",
    "SimulationResult",
    "build_scenario",
    "load_scenario",
    "parameter_keys",
    "resolve_policy",
    "resolve_scenario",
    "run_simulation",
]
