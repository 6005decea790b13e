"""The scenario library: the YAML files in ``scenarios/``.

Bases are complete scenarios; variants (``extends:``) name a base and list
what-if changes, so each lesson is the explicit difference between two files.
Every description tells the situation and ends with the lesson ("The lesson:
..."), which :func:`list_library` pulls out for the CLI and the dashboard.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError
from simulation.scenario.yamlio import read_yaml_file


def _library_dir() -> Path:
    """``scenarios/`` of the checkout this package runs from, else the copy an
    installed package carries (``<prefix>/share/initiative-simulator/scenarios``)."""
    checkout = Path(__file__).resolve().parents[2] / "scenarios"
    installed = Path(sys.prefix) / "share" / "initiative-simulator" / "scenarios"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


#: The bundled library folder.
LIBRARY_DIR = _library_dir()

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def library_files(folder: Path = LIBRARY_DIR) -> list[Path]:
    """The scenario files of a folder (``*.yaml`` and ``*.yml``), sorted by name."""
    folder = Path(folder)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")], key=lambda p: p.name)


def sentences(text: str) -> list[str]:
    """Split a description into sentences (whitespace normalised)."""
    flat = " ".join(str(text).split())
    return [s for s in _SENTENCE_END.split(flat) if s] if flat else []


def summary_line(description: str) -> str:
    """The first sentence of a description: the situation in one line."""
    parts = sentences(description)
    return parts[0] if parts else ""


def lesson_of(description: str) -> str:
    """The sentence(s) from "The lesson" on, without that lead-in; "" if none."""
    flat = " ".join(str(description).split())
    at = flat.find("The lesson")
    if at < 0:
        return ""
    rest = flat[at + len("The lesson") :].lstrip(" :,")
    return rest[:1].upper() + rest[1:]


def list_library(folder: Path = LIBRARY_DIR) -> list[dict[str, Any]]:
    """One row per scenario file, without simulating or fully validating anything.

    Keys: ``file`` (name), ``path``, ``kind`` (``base``, ``variant`` or
    ``invalid``), ``name``, ``extends`` (variants), ``summary`` (first sentence
    of the description), ``lesson`` and ``description``. A file that cannot be
    read is listed as ``invalid`` with the reason in ``summary``.
    """
    rows = []
    for path in library_files(folder):
        try:
            data = read_yaml_file(path)
        except ScenarioError as exc:
            rows.append(_row(path, "invalid", path.stem, str(exc), "", "", None))
            continue
        if not isinstance(data, dict):
            rows.append(_row(path, "invalid", path.stem, "not a mapping of sections", "", "", None))
            continue
        desc = " ".join(str(data.get("description") or "").split())
        kind = "variant" if "extends" in data else "base"
        extends = str(data["extends"]) if kind == "variant" else None
        rows.append(
            _row(
                path,
                kind,
                str(data.get("name") or path.stem),
                summary_line(desc),
                lesson_of(desc),
                desc,
                extends,
            )
        )
    return _family_order(rows)


def _family_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each base followed by the variants built on it (depth first), then the rest."""
    by_file = {r["file"]: r for r in rows}
    children: dict[str, list[dict[str, Any]]] = {}
    tops = []
    for r in rows:
        parent = r["extends"]
        if parent in by_file and parent != r["file"]:
            children.setdefault(parent, []).append(r)
        else:
            tops.append(r)
    out: list[dict[str, Any]] = []
    placed: set[str] = set()

    def visit(r: dict[str, Any]) -> None:
        if r["file"] in placed:
            return
        placed.add(r["file"])
        out.append(r)
        for child in children.get(r["file"], []):
            visit(child)

    for r in tops:
        visit(r)
    out += [r for r in rows if r["file"] not in placed]  # variants in a cycle
    return out


def _row(
    path: Path,
    kind: str,
    name: str,
    summary: str,
    lesson: str,
    description: str,
    extends: str | None,
) -> dict[str, Any]:
    return {
        "file": path.name,
        "path": path,
        "kind": kind,
        "name": name,
        "extends": extends,
        "summary": summary,
        "lesson": lesson,
        "description": description,
    }
