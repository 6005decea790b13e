"""Initiative scenario simulator: a SimPy Monte Carlo model of project and product.

Public interface (docs/reference/python-api.md)::

    from simulation import load_scenario, run, compare
    sc = load_scenario("scenarios/supply-chain.yaml")
    res = run(sc, runs=1000, seed=42)
    res.runs, res.items, res.weekly, res.summary()
    cmp = compare({"baseline": sc, "variant": sc2}, runs=1000, seed=42)
    pr = prioritise(load_session("scenarios/sessions/supply-chain-q2.yaml"))  # Decide
    order = best_order(sc, runs=1000, seed=42)       # the order to build in
    res = run(sc, runs=10_000, seed=42, scheduler="tcp://10.0.0.5:8786")   # Dask cluster
    pf = run_portfolio(load_portfolio("scenarios/portfolios/data-platform.yaml"))  # Portfolio
"""

from simulation.decide.prioritise import Combination, Prioritisation, prioritise
from simulation.decide.sequencing import Sequencing, best_order
from simulation.decide.sessions import Session, load_session
from simulation.engine.cluster import SchedulerError
from simulation.engine.results import Results
from simulation.engine.runner import SimulationError, compare, run
from simulation.engine.summary import Comparison
from simulation.portfolio import (
    Portfolio,
    PortfolioComparison,
    PortfolioResults,
    compare_portfolios,
    load_portfolio,
    run_portfolio,
)
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario, load_scenario_text
from simulation.scenario.schema import Scenario
from simulation.scenario.yamlio import scenario_to_yaml

__all__ = [
    "Combination",
    "Comparison",
    "Portfolio",
    "PortfolioComparison",
    "PortfolioResults",
    "Prioritisation",
    "Results",
    "Scenario",
    "ScenarioError",
    "SchedulerError",
    "Sequencing",
    "Session",
    "SimulationError",
    "best_order",
    "compare",
    "compare_portfolios",
    "load_portfolio",
    "load_scenario",
    "load_scenario_text",
    "load_session",
    "prioritise",
    "run",
    "run_portfolio",
    "scenario_to_yaml",
]
