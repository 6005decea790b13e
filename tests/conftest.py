"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import LIBRARY

#: ``db_url``: every store test on SQLite and PostgreSQL (tests/db.py).
pytest_plugins = ["tests.db"]


@pytest.fixture
def supply_chain_path() -> Path:
    return LIBRARY / "supply-chain.yaml"
