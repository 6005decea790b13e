"""Variant files: ``extends`` a base and list typed changes.

A variant file names its base (``extends``, resolved in its own folder tree or
the bundled library, never outside them) and lists its changes; loading it
loads the base, applies the changes and renames the result. A variant may
extend a variant (up to :data:`MAX_EXTENDS_DEPTH` deep); cycles are errors.
Reading the YAML is :mod:`simulation.scenario.yamlio`'s job, the changes are
:mod:`simulation.scenario.changes.types`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from simulation.scenario.changes.fileform import change_to_data, kind_of, parse_changes
from simulation.scenario.changes.types import Change, ChangeBase, apply_changes, dump
from simulation.scenario.errors import ScenarioError
from simulation.scenario.library import LIBRARY_DIR
from simulation.scenario.schema import Scenario, parse_scenario
from simulation.scenario.validation import problems_error, suggest
from simulation.scenario.yamlio import read_yaml_file

#: Longest chain of variants extending variants.
MAX_EXTENDS_DEPTH = 10
#: Keys a variant file may have; everything else is changed through ``changes``.
VARIANT_KEYS = ("extends", "name", "description", "changes")


def _shown(path: Path) -> str:
    """A path as people should read it in messages (relative when possible)."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolve_extends(ref: Any, folder: Path, roots: tuple[Path, ...], source: str) -> Path:
    """The base file a variant names, kept inside the allowed folders."""
    if not isinstance(ref, str) or not ref.strip():
        raise problems_error(
            [
                (
                    "extends",
                    "expected the base file's name, like supply-chain.yaml, got " + kind_of(ref),
                )
            ],
            source,
        )
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).anchor or ref.startswith("~"):
        raise problems_error(
            [
                (
                    "extends",
                    f"'{ref}' is an absolute path; name the base relative to "
                    "the variant's folder (e.g. supply-chain.yaml)",
                )
            ],
            source,
        )
    library = LIBRARY_DIR.resolve()
    candidates = [(folder / ref).resolve()]
    if folder.resolve() != library:
        candidates.append((library / ref).resolve())
    allowed = [c for c in candidates if any(_within(c, r) for r in roots)]
    if not allowed:
        raise problems_error(
            [("extends", f"'{ref}' points outside the variant's folder and the scenario library")],
            source,
        )
    for cand in allowed:
        if cand.is_file():
            return cand
    raise problems_error(
        [
            (
                "extends",
                f"base file '{ref}' not found (looked in "
                + " and ".join(_shown(c.parent) for c in allowed)
                + ")",
            )
        ],
        source,
    )


def _read_mapping(path: Path) -> dict[str, Any]:
    data = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError(
            "the file must hold a mapping of sections, got " + kind_of(data), source=_shown(path)
        )
    return data


def _check_variant_keys(data: dict[str, Any], source: str) -> None:
    for key in data:
        if key not in VARIANT_KEYS:
            hint = suggest(str(key), VARIANT_KEYS)
            raise problems_error(
                [
                    (
                        str(key),
                        "a variant file may only have "
                        + ", ".join(VARIANT_KEYS)
                        + hint
                        + "; change other fields with "
                        f"a change such as {{set: {{path: {key}..., value: ...}}}}",
                    )
                ],
                source,
            )
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
        raise problems_error([("name", "expected text of 1 to 200 characters")], source)
    desc = data.get("description")
    if desc is not None and (not isinstance(desc, str) or len(desc) > 5_000):
        raise problems_error([("description", "expected text of at most 5,000 characters")], source)


#: One variant file along a chain: (source, its data, its changes).
_Segment = tuple[str, dict[str, Any], tuple[Change, ...]]


def _segments(
    data: dict[str, Any], source: str, folder: Path, seen: tuple[Path, ...]
) -> tuple[Scenario, Path, list[_Segment]]:
    """Follow ``extends`` to the root base.

    Returns the root base scenario, its file, and one segment per variant file
    from the root outwards. Each variant's ``extends`` is checked against its
    own folder tree and the library.
    """
    _check_variant_keys(data, source)
    roots = (folder.resolve(), LIBRARY_DIR.resolve())
    base_path = _resolve_extends(data["extends"], folder, roots, source)
    if base_path in seen:
        loop = " -> ".join(_shown(p) for p in (*seen[seen.index(base_path) :], base_path))
        raise problems_error(
            [("extends", f"variants extend each other in a cycle: {loop}")], source
        )
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise problems_error(
            [
                (
                    "extends",
                    f"more than {MAX_EXTENDS_DEPTH} variants extend each "
                    "other; extend the base directly",
                )
            ],
            source,
        )
    base_data = _read_mapping(base_path)
    base_source = _shown(base_path)
    own = (source, data, parse_changes(data.get("changes"), source))
    if "extends" in base_data:
        root, root_path, segments = _segments(
            base_data, base_source, base_path.parent, (*seen, base_path)
        )
        return root, root_path, [*segments, own]
    return parse_scenario(base_data, base_source), base_path, [own]


def _seen(source: str) -> tuple[Path, ...]:
    """The variant's own file, if it is one, so extending itself is a cycle."""
    me = Path(source)
    return (me.resolve(),) if me.is_file() else ()


def load_variant_data(data: dict[str, Any], source: str, base_dir: Path) -> Scenario:
    """Resolve a variant file: load its base, apply its changes, rename it.

    ``extends`` is a path relative to the variant's own folder (or, failing
    that, a file of the bundled scenario library); it may not be absolute or
    climb out of the variant's folder tree and the library. A variant may
    extend a variant (up to :data:`MAX_EXTENDS_DEPTH` deep); cycles are errors.
    The result is named by the variant's ``name`` (default
    ``"<base name> (<file stem>)"``) and keeps the nearest ``description``
    along the chain.

    Raises
    ------
    ScenarioError
        Naming the file, e.g. ``v.yaml: changes[1].delay_start.days: ...``.
    """
    root, _path, segments = _segments(data, source, Path(base_dir), _seen(source))
    sc = root
    description = None
    for seg_source, seg_data, changes in segments:
        sc = apply_changes(sc, changes, source=seg_source)
        if seg_data.get("description") is not None:
            description = seg_data["description"]
    out = dump(sc)
    out["name"] = data.get("name") or f"{root.name} ({Path(source).stem})"
    if description is not None:
        out["description"] = description
    return parse_scenario(out, source)


def _file_segments(path: str | Path) -> tuple[Path, list[_Segment]]:
    p = Path(path)
    data = _read_mapping(p)
    if "extends" not in data:
        return p, []
    _root, root_path, segments = _segments(data, str(path), p.parent, _seen(str(path)))
    return root_path, segments


def variant_changes(path: str | Path) -> tuple[Change, ...]:
    """Every change from the root base file to this variant, in the order applied.

    ``()`` for a base file. ``apply_changes(root base, variant_changes(path))``
    gives the variant's scenario (apart from its name and description).
    """
    return tuple(c for _s, _d, changes in _file_segments(path)[1] for c in changes)


def variant_descriptions(path: str | Path) -> list[str]:
    """One line per change of a variant file (inherited ones first); [] for a base."""
    return [c.describe() for c in variant_changes(path)]


def changes_from(base: str | Path, path: str | Path) -> tuple[Change, ...] | None:
    """The changes that turn the file ``base`` into the file ``path``, or None.

    ``()`` when both are the same file; the changes after ``base`` when
    ``path`` extends it (directly or through other variants, ``base`` itself
    possibly a variant along the chain); None when ``path`` does not build on
    ``base`` at all (another base, or a variant of another one), so its
    changes say nothing about ``base``.
    """
    target = Path(base).resolve()
    if Path(path).resolve() == target:
        return ()
    root, segments = _file_segments(path)
    if Path(root).resolve() == target and segments:
        return tuple(c for _s, _d, changes in segments for c in changes)
    for k, (source, _d, _c) in enumerate(segments[:-1]):
        if Path(source).resolve() == target:
            return tuple(c for _s, _d, changes in segments[k + 1 :] for c in changes)
    return None


def variant_base(path: str | Path) -> Path:
    """The root base file a variant builds on (the file itself for a base)."""
    return _file_segments(path)[0]


def variant_data(
    extends: str, name: str, changes: Sequence[ChangeBase], description: str | None = None
) -> dict[str, Any]:
    """A variant file's content (for writing with ``yaml.safe_dump``)."""
    out: dict[str, Any] = {"extends": extends, "name": name}
    if description:
        out["description"] = description
    out["changes"] = [change_to_data(c) for c in changes]
    return out
