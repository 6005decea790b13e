"""This server's limits on dashboard sessions: read from the environment, checked, with defaults.

The one owner of the shared-server settings (``docs/reference/server-settings.md``):
the most runs one session may ask for in one simulation, how many
simulations the server runs at once (the rest wait in line,
:mod:`dashboard.admission`), and whether the server simulates the opening
scenario's forecast as soon as it starts (:func:`dashboard.simulate.ahead`).
Read on every call, so a page always shows the server's setting; the number
of simulations at once is fixed when the server simulates for the first time,
and the forecast ahead is started once (a change needs a restart).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from simulation.engine.runner import AUTO_MAX_RUNS
from simulation.scenario.schema import MAX_RUNS

RUNS_PER_SESSION_ENV = "SIM_MAX_RUNS_PER_SESSION"
CONCURRENT_RUNS_ENV = "SIM_MAX_CONCURRENT_RUNS"
FORECAST_AHEAD_ENV = "SIM_FORECAST_AHEAD"

#: Runs one session may ask for in one simulation, by default: what ``runs: auto``
#: may reach, so an automatic run always fits.
DEFAULT_RUNS_PER_SESSION = AUTO_MAX_RUNS
#: The lowest limit a server may set: a library scenario's own 1,000 runs must fit,
#: and so must the runs the pages choose themselves (Portfolio's largest choice).
MIN_RUNS_PER_SESSION = 1_000
#: Simulations the server runs at once, by default; the others wait in line.
DEFAULT_CONCURRENT_RUNS = 4
#: The most simulations at once a server may set (more only adds contention).
MAX_CONCURRENT_RUNS = 256


#: How ``SIM_FORECAST_AHEAD`` may be written (any case), and what each means.
SWITCH_WORDS = {"1": True, "true": True, "yes": True, "on": True}
SWITCH_WORDS |= {"0": False, "false": False, "no": False, "off": False}
#: The server simulates the opening scenario's forecast when it starts, by default.
DEFAULT_FORECAST_AHEAD = True


class SettingError(ValueError):
    """A server setting with an impossible value; the message names the setting."""


def _whole_number(env: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SettingError(f"{name}: must be a whole number from {low:,} to {high:,}, got {text!r}")
    return value


def runs_limit(env: Mapping[str, str] | None = None) -> int:
    """The most runs one session may ask for in one simulation (per scenario).

    ``$SIM_MAX_RUNS_PER_SESSION``, or :data:`DEFAULT_RUNS_PER_SESSION`; never above
    the scenario file's own limit (:data:`simulation.scenario.schema.MAX_RUNS`).
    """
    env = os.environ if env is None else env
    return _whole_number(
        env, RUNS_PER_SESSION_ENV, MIN_RUNS_PER_SESSION, MAX_RUNS, DEFAULT_RUNS_PER_SESSION
    )


def concurrent_limit(env: Mapping[str, str] | None = None) -> int:
    """Simulations the server runs at once: ``$SIM_MAX_CONCURRENT_RUNS`` or the default."""
    env = os.environ if env is None else env
    return _whole_number(env, CONCURRENT_RUNS_ENV, 1, MAX_CONCURRENT_RUNS, DEFAULT_CONCURRENT_RUNS)


def forecast_ahead(env: Mapping[str, str] | None = None) -> bool:
    """Whether the server simulates the opening scenario's forecast when it starts:
    ``$SIM_FORECAST_AHEAD`` (``1``/``0``, ``true``/``false``, ``yes``/``no``,
    ``on``/``off``) or :data:`DEFAULT_FORECAST_AHEAD`."""
    env = os.environ if env is None else env
    text = env.get(FORECAST_AHEAD_ENV, "").strip()
    if not text:
        return DEFAULT_FORECAST_AHEAD
    if text.lower() not in SWITCH_WORDS:
        raise SettingError(f"{FORECAST_AHEAD_ENV}: must be 1 or 0 (on or off), got {text!r}")
    return SWITCH_WORDS[text.lower()]


def problems(env: Mapping[str, str] | None = None) -> list[str]:
    """Every setting with an impossible value, as messages (empty when all are fine)."""
    found = []
    for read in (runs_limit, concurrent_limit, forecast_ahead):
        try:
            read(env)
        except SettingError as exc:
            found.append(str(exc))
    return found


def over_limit(runs: int | str, env: Mapping[str, str] | None = None) -> str:
    """Why ``runs`` (per scenario; ``"auto"`` counts as its most) is refused here, or ""."""
    limit = runs_limit(env)
    asked = AUTO_MAX_RUNS if runs == "auto" else int(runs)
    if asked <= limit:
        return ""
    what = f"automatic runs (up to {AUTO_MAX_RUNS:,})" if runs == "auto" else f"{asked:,} runs"
    return (
        f"{what} is over this server's limit of {limit:,} runs per simulation "
        f"({RUNS_PER_SESSION_ENV}); ask for fewer runs"
    )
