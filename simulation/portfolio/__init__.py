"""Portfolio: initiatives that share people, and the ripple of a change across them
(``docs/reference/portfolio.md``).

::

    from simulation.portfolio import load_portfolio, run_portfolio, compare_portfolios
    p = load_portfolio("scenarios/portfolios/data-platform.yaml")
    res = run_portfolio(p, runs=500, seed=42)
    res.summary()            # per initiative both lenses, value, NPV, all on time
"""

from simulation.portfolio.loading import load_portfolio, load_portfolio_text, parse_portfolio
from simulation.portfolio.portfolios import (
    CrossDependency,
    Initiative,
    Move,
    Portfolio,
    SharedPool,
    portfolio_files,
    portfolios_dir,
)
from simulation.portfolio.runs import (
    PortfolioComparison,
    PortfolioResults,
    compare_portfolios,
    run_portfolio,
)

__all__ = [
    "CrossDependency",
    "Initiative",
    "Move",
    "Portfolio",
    "PortfolioComparison",
    "PortfolioResults",
    "SharedPool",
    "compare_portfolios",
    "load_portfolio",
    "load_portfolio_text",
    "parse_portfolio",
    "portfolio_files",
    "portfolios_dir",
    "run_portfolio",
]
