"""The scenario library: the YAML files in ``scenarios/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ScenarioError
from .yamlio import read_yaml_file

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def list_library(folder: Path = LIBRARY_DIR) -> list[dict[str, Any]]:
    """One row per scenario file: file, kind (base/variant), name, one-line summary."""
    rows = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = read_yaml_file(path)
        except ScenarioError as exc:
            rows.append({"file": path.name, "kind": "invalid", "name": str(exc), "summary": ""})
            continue
        if not isinstance(data, dict):
            continue
        desc = " ".join(str(data.get("description", "")).split())
        first = desc.split(". ")[0].rstrip(".") + "." if desc else ""
        rows.append({"file": path.name, "kind": "variant" if "extends" in data else "base",
                     "name": str(data.get("name", path.stem)), "summary": first})
    return rows
