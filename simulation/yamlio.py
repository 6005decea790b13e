"""Reading and writing scenario files, treating every file as untrusted.

* Size limit, binary and non-UTF-8 content rejected before parsing.
* PyYAML's safe loader only (no Python objects), with a cap on aliases so an
  "alias bomb" (nested anchors) cannot blow up memory, and a nesting limit.
* Variant files (``extends:``) are resolved by :mod:`simulation.changes`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError
from .schema import Scenario, parse_scenario

#: Largest scenario file read, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Most YAML aliases (``*name``) a file may use.
MAX_ALIASES = 100
#: Deepest nesting of mappings/lists allowed.
MAX_DEPTH = 40


class _GuardedLoader(yaml.SafeLoader):
    """Safe loader that counts aliases and limits nesting while composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ScenarioError(f"too many YAML aliases (more than {MAX_ALIASES}); "
                                    "anchors and aliases are limited to keep loading safe")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ScenarioError(f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml_text(text: str | bytes, source: str = "<text>") -> Any:
    """Parse YAML text safely into plain data, raising :class:`ScenarioError`."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ScenarioError(f"file is larger than the {MAX_FILE_BYTES:,} byte limit",
                                source=source)
        if b"\x00" in text:
            raise ScenarioError("not a text file (binary content)", source=source)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"not UTF-8 text (bad byte at position {exc.start})",
                                source=source) from None
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"text is longer than the {MAX_FILE_BYTES:,} character limit",
                            source=source)
    if "\x00" in text:
        raise ScenarioError("not a text file (binary content)", source=source)
    try:
        data = yaml.load(text, Loader=_GuardedLoader)  # a SafeLoader subclass
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"not valid YAML{where}: {problem}", source=source) from None
    except RecursionError:
        raise ScenarioError(f"nested too deeply (limit {MAX_DEPTH} levels)",
                            source=source) from None
    if data is None:
        raise ScenarioError("the file is empty", source=source)
    return data


def read_yaml_file(path: str | os.PathLike) -> Any:
    """Read and parse one file with the size/binary/UTF-8 guards."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise ScenarioError("file not found", source=name) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", source=name) from None
    if p.is_dir():
        raise ScenarioError("is a folder, not a scenario file", source=name)
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"file is larger than the {MAX_FILE_BYTES:,} byte limit "
                            f"({size:,} bytes)", source=name)
    try:
        raw = p.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", source=name) from None
    return parse_yaml_text(raw, name)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Load a scenario or a variant file (``extends:``) into a validated Scenario.

    Raises
    ------
    ScenarioError
        With the file name and the field path of the first problem.
    """
    data = read_yaml_file(path)
    return scenario_from_data(data, source=str(path), base_dir=Path(path).parent)


def scenario_from_data(data: Any, source: str = "<upload>", base_dir: Path | None = None,
                       allow_extends: bool = True) -> Scenario:
    """Validate parsed data; resolve ``extends:`` relative to ``base_dir``."""
    if isinstance(data, dict) and "extends" in data:
        if not allow_extends or base_dir is None:
            raise ScenarioError("extends: a variant can only be loaded from a file in the "
                                "scenario library or its own folder", source=source)
        from .changes import load_variant_data
        return load_variant_data(data, source=source, base_dir=base_dir)
    return parse_scenario(data, source)


def load_scenario_text(text: str | bytes, source: str = "<upload>",
                       base_dir: Path | None = None) -> Scenario:
    """Load a scenario from text (an upload); ``extends`` needs a ``base_dir``."""
    return scenario_from_data(parse_yaml_text(text, source), source, base_dir)


def scenario_to_data(sc: Scenario) -> dict[str, Any]:
    """Plain data for a scenario, in file order, without default values."""
    return sc.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def scenario_to_yaml(sc: Scenario) -> str:
    """The scenario as YAML text that :func:`load_scenario_text` reads back equal."""
    data = scenario_to_data(sc)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
