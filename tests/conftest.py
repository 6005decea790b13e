"""Shared fixtures: small scenario builders used across the test files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulation.schema import Scenario, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios"


def make_scenario(**overrides: Any) -> Scenario:
    """A tiny deterministic scenario; keyword arguments replace whole sections."""
    data: dict[str, Any] = {
        "name": "test",
        "start_date": "2027-01-04",
        "team": {"size": 1},
        "items": [{"id": "a", "effort": 10}],
    }
    data.update(overrides)
    return parse_scenario(data)


@pytest.fixture
def supply_chain_path() -> Path:
    return LIBRARY / "supply-chain.yaml"
