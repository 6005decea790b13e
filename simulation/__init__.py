"""Initiative scenario simulator: a SimPy Monte Carlo model of project and product.

Public interface (DESIGN section 5)::

    from simulation import load_scenario, run, compare
    sc = load_scenario("scenarios/supply-chain.yaml")
    res = run(sc, runs=1000, seed=42)
    res.runs, res.items, res.weekly, res.summary()
    cmp = compare({"baseline": sc, "variant": sc2}, runs=1000, seed=42)
"""

from .errors import ScenarioError
from .runner import Results, SimulationError, run
from .schema import Scenario
from .summary import Comparison, compare
from .yamlio import load_scenario, load_scenario_text, scenario_to_yaml

__all__ = [
    "Comparison",
    "Results",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "compare",
    "load_scenario",
    "load_scenario_text",
    "run",
    "scenario_to_yaml",
]
