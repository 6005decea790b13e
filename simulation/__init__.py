"""Initiative scenario simulator: a SimPy Monte Carlo model of project and product.

Public interface (DESIGN section 5)::

    from simulation import load_scenario, run, compare
    sc = load_scenario("scenarios/supply-chain.yaml")
    res = run(sc, runs=1000, seed=42)
    res.runs, res.items, res.weekly, res.summary()
    cmp = compare({"baseline": sc, "variant": sc2}, runs=1000, seed=42)
"""

from .errors import ScenarioError
from .loading import load_scenario, load_scenario_text
from .results import Results
from .runner import SimulationError, compare, run
from .schema import Scenario
from .summary import Comparison
from .yamlio import scenario_to_yaml

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
