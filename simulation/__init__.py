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

Every name is imported on first use (PEP 562), so ``python -m simulation run``
loads the engine and the scenario layer, not every job and its libraries
(``docs/explanation/big-runs.md``, "A fast first answer").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.scenario.lazy import lazy_names

#: Each public name and the module that owns it.
_OWNERS = {
    "Combination": "simulation.decide.prioritise",
    "Comparison": "simulation.engine.summary",
    "Portfolio": "simulation.portfolio",
    "PortfolioComparison": "simulation.portfolio",
    "PortfolioResults": "simulation.portfolio",
    "Prioritisation": "simulation.decide.prioritise",
    "Results": "simulation.engine.results",
    "Scenario": "simulation.scenario.schema",
    "ScenarioError": "simulation.scenario.errors",
    "SchedulerError": "simulation.engine.cluster",
    "Sequencing": "simulation.decide.sequencing",
    "Session": "simulation.decide.sessions",
    "SimulationError": "simulation.engine.runner",
    "best_order": "simulation.decide.sequencing",
    "compare": "simulation.engine.runner",
    "compare_portfolios": "simulation.portfolio",
    "load_portfolio": "simulation.portfolio",
    "load_scenario": "simulation.scenario.loading",
    "load_scenario_text": "simulation.scenario.loading",
    "load_session": "simulation.decide.sessions",
    "prioritise": "simulation.decide.prioritise",
    "run": "simulation.engine.runner",
    "run_portfolio": "simulation.portfolio",
    "scenario_to_yaml": "simulation.scenario.yamlio",
}

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

if TYPE_CHECKING:  # what type checkers and the API docs (mkdocstrings) read
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


__getattr__, __dir__ = lazy_names(__name__, _OWNERS, globals(), __all__)
