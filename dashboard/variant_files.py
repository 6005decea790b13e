"""What-if variants as files next to a saved scenario, and back.

Saving a scenario on the Scenario page also writes each What-if variant as
``<base>--<variant>.yaml`` (:func:`dashboard.saved_files.variant_filename`) in the
same folder: a variant file in the engine's own form (``extends`` the saved
base, ``name``, ``changes``), so the CLI, ``compare`` and the Scenario page
read it like any other variant file. A pinned variant ("Original plan" after
*Make baseline*) is a fixed scenario that no list of changes to the new base
reproduces, so it is written as a complete scenario file under the same kind
of name. Loading the base reads them all back (:func:`load_variants`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from simulation import ScenarioError, load_scenario, scenario_to_yaml
from simulation.scenario.changes import changes_from, variant_data
from simulation.scenario.yamlio import read_yaml_file

from . import saved_files
from .state import Variant


def variant_texts(base_name: str, variants: list[Variant]) -> list[tuple[str, str]]:
    """``(file name, YAML text)`` per variant, in the variants' order.

    Parameters
    ----------
    base_name : str
        The name the base is saved under (sanitised like the base's file).
    variants : list of Variant
        The What-if variants; each gets its own file name, even when two
        names sanitise alike (``-2`` is added to the later one).
    """
    base_file = saved_files.safe_filename(base_name)
    out: list[tuple[str, str]] = []
    taken: set[str] = set()
    for v in variants:
        file_name = saved_files.variant_filename(base_name, v.name)
        n = 2
        while file_name in taken:
            file_name = saved_files.variant_filename(base_name, f"{v.name}-{n}")
            n += 1
        taken.add(file_name)
        if v.pinned:
            text = scenario_to_yaml(v.base)
        else:
            text = yaml.safe_dump(
                variant_data(base_file, v.name, v.changes),
                sort_keys=False,
                allow_unicode=True,
                width=100,
            )
        out.append((file_name, text))
    return out


def _name_from_file(path: Path, base: Path) -> str:
    """A pinned variant's name from its file name: ``X--Original-plan`` -> ``Original plan``."""
    return path.stem[len(base.stem) + len(saved_files.VARIANT_SEPARATOR) :].replace("-", " ")


def load_variants(base: Path) -> tuple[list[Variant], list[str]]:
    """The variants saved beside ``base``, and a sentence per file that could not be read.

    A variant file that extends ``base`` comes back with the changes after it;
    a complete scenario file comes back as a pinned variant. A file that
    builds on another base, or does not load, is left out and named.
    """
    variants: list[Variant] = []
    problems: list[str] = []
    for path in saved_files.variant_files(base):
        try:
            data = read_yaml_file(path)
            sc = load_scenario(path)
            if isinstance(data, dict) and "extends" in data:
                changes = changes_from(base, path)
                if changes is None:
                    problems.append(f"{path.name} does not build on {base.name}")
                    continue
                variants.append(Variant(sc.name, list(changes)))
            else:
                variants.append(Variant(_name_from_file(path, base), [], sc))
        except ScenarioError as exc:
            problems.append(f"{path.name}: {exc}")
    return variants, problems
