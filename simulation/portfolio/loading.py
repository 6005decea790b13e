"""Loading portfolio files: a base (:mod:`.portfolios`) or a variant of one (:mod:`.changes`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from simulation.portfolio.changes import load_portfolio_variant
from simulation.portfolio.portfolios import Portfolio, parse_portfolio_base
from simulation.scenario.yamlio import parse_yaml_text, read_yaml_file


def parse_portfolio(
    data: Any, source: str = "<portfolio>", base_dir: Path | None = None
) -> Portfolio:
    """Validate parsed portfolio data: a base, or a variant (``extends``) with its changes.

    Plan files and ``extends`` are resolved against ``base_dir`` (default: the
    working folder), else the bundled library.

    Raises
    ------
    ScenarioError
        Naming ``source`` and the field path of the first problem.
    """
    folder = Path(base_dir) if base_dir is not None else Path.cwd()
    if isinstance(data, dict) and "extends" in data:
        return load_portfolio_variant(data, source, folder)
    return parse_portfolio_base(data, source, folder)


def load_portfolio(path: str | os.PathLike) -> Portfolio:
    """Load and validate a portfolio file (``scenarios/portfolios/*.yaml``) or a variant of one.

    Raises
    ------
    ScenarioError
        With the file name and the field path, e.g.
        ``h1.yaml: shared[0].serves: a pool must serve at least one initiative ...``.
    """
    data = read_yaml_file(path)
    return parse_portfolio(data, source=os.fspath(path), base_dir=Path(path).parent)


def load_portfolio_text(
    text: str | bytes, source: str = "<upload>", base_dir: Path | None = None
) -> Portfolio:
    """A portfolio from text (an upload); plan files are resolved against ``base_dir``."""
    return parse_portfolio(parse_yaml_text(text, source), source, base_dir)
