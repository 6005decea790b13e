"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers import LIBRARY

# Hypothesis profiles. ``ci`` (chosen when CI is set): the same examples on every
# run and no example database, so a landing never fails on a chance find.
# ``dev`` (the default): fresh random examples each run, failures replayed from
# the local database. ``fuzz`` (``make fuzz``): random, and FUZZ_SCALE times the
# examples (tests.helpers.examples).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("fuzz", deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

# AppTests run app.py in this process: a forecast simulated when the "server"
# starts (dashboard.simulate.ahead) would answer their first Forecast from a thread
# started by whichever test ran first. Off here; tests/ui/test_forecast_ahead.py
# turns it on, and the browser tests' servers run with it as in production.
os.environ["SIM_FORECAST_AHEAD"] = "0"

#: ``db_url``: every store test on SQLite and PostgreSQL (tests/db.py).
pytest_plugins = ["tests.db"]


@pytest.fixture
def supply_chain_path() -> Path:
    return LIBRARY / "supply-chain.yaml"


@pytest.fixture
def user_dir(tmp_path, monkeypatch) -> Path:
    """A folder of the test's own for saved scenarios, never scenarios/user."""
    from dashboard import saved_files

    folder = tmp_path / "saved"
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(folder))
    return folder
