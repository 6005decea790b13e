"""What-if changes (placeholder until the what-if issue lands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ScenarioError
from .schema import Scenario


def load_variant_data(data: dict[str, Any], source: str, base_dir: Path) -> Scenario:
    raise ScenarioError("extends: variant files are not supported yet", source=source)


def variant_descriptions(path: str) -> list[str]:
    return []
