"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import LIBRARY


@pytest.fixture
def supply_chain_path() -> Path:
    return LIBRARY / "supply-chain.yaml"
