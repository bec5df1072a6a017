"""Stress scenarios: shocks propagated through the AI supply network, with Monte Carlo.

    list_scenarios()                      shipped scenarios (name, title, file)
    load_scenario(name_or_path)           a validated ScenarioSpec
    run_scenario(name_or_spec, *, atlas=None, overrides=None, draws=0, seed=0) -> ScenarioResult
    build_network(atlas)                  the SupplyNetwork the engine runs on

Model parameters and their bases live in ``stackatlas/data/scenarios/model.yaml``.
"""

from stackatlas.scenarios.atlas_network import build_network
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.result import ScenarioResult
from stackatlas.scenarios.run import run_scenario
from stackatlas.scenarios.spec import ScenarioSpec, list_scenarios, load_scenario

__all__ = [
    "ScenarioResult",
    "ScenarioSpec",
    "SupplyNetwork",
    "build_network",
    "list_scenarios",
    "load_scenario",
    "run_scenario",
]
