"""Scenario files and texts to validated scenarios, bases and variants alike.

``load_scenario(path)`` reads the file safely (:mod:`simulation.scenario.yamlio`), then
either validates it (:func:`simulation.scenario.schema.parse_scenario`) or, for a
variant file with ``extends:``, resolves it
(:func:`simulation.scenario.changes.variants.load_variant_data`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario, parse_scenario
from simulation.scenario.yamlio import parse_yaml_text, read_yaml_file


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Load a scenario or a variant file (``extends:``) into a validated Scenario.

    Raises
    ------
    ScenarioError
        With the file name and the field path of the first problem.
    """
    data = read_yaml_file(path)
    return scenario_from_data(data, source=os.fspath(path), base_dir=Path(path).parent)


def scenario_from_data(
    data: Any, source: str = "<upload>", base_dir: Path | None = None, allow_extends: bool = True
) -> Scenario:
    """Validate parsed data; resolve ``extends:`` relative to ``base_dir``."""
    if isinstance(data, dict) and "extends" in data:
        if not allow_extends or base_dir is None:
            raise ScenarioError(
                "extends: a variant can only be loaded from a file in the "
                "scenario library or its own folder",
                source=source,
            )
        # The change types load with the first variant: a plain file needs none.
        from simulation.scenario.changes.variants import load_variant_data

        return load_variant_data(data, source=source, base_dir=base_dir)
    return parse_scenario(data, source)


def load_scenario_text(
    text: str | bytes, source: str = "<upload>", base_dir: Path | None = None
) -> Scenario:
    """Load a scenario from text (an upload); ``extends`` needs a ``base_dir``."""
    return scenario_from_data(parse_yaml_text(text, source), source, base_dir)
