"""``validate FILE...``: check every kind of file the product reads and report every problem.

A file's kind is told from what it holds (:data:`KINDS`, first match wins): a
work-item export by its ``.csv`` name, a variant by ``extends``, an exercise by
``questions``, a prioritisation session by ``candidates``, and anything else is
a scenario. Each is then validated as what it is, by the same function that
reads it for real. A new kind of file is one more row of :data:`KINDS`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.cli.options import library_file
from simulation.scenario.errors import ScenarioError

NAME = "validate"


@dataclass(frozen=True)
class Kind:
    """One kind of file: how to recognise it and how to validate it.

    ``detect(path, data)`` gets the parsed YAML (None for a file that is not
    YAML); ``check(path)`` raises :class:`ScenarioError` on a problem and returns
    a one-line summary of what the file holds.
    """

    name: str
    detect: Callable[[Path, Any], bool]
    check: Callable[[Path], str]
    yaml: bool = True


def _keyed(key: str) -> Callable[[Path, Any], bool]:
    return lambda _path, data: isinstance(data, dict) and key in data


def _scenario(path: Path) -> str:
    from simulation.scenario.loading import load_scenario

    sc = load_scenario(path)
    return f"{sc.name} ({len(sc.items)} items)"


def _variant(path: Path) -> str:
    from simulation.scenario.changes import variant_base, variant_changes

    summary = _scenario(path)
    changes = len(variant_changes(path))
    return f"{summary}, {changes} change(s) to {variant_base(path).name}"


def _exercise(path: Path) -> str:
    from simulation.train.exercises import load_exercise

    ex = load_exercise(path)
    return f"{ex.title} ({len(ex.questions)} questions)"


def _session(path: Path) -> str:
    from simulation.decide.sessions import load_session

    s = load_session(path)
    return f"{s.name} ({len(s.candidates)} candidates)"


def _export(path: Path) -> str:
    from simulation.history import read_history

    h = read_history(path)
    line = f"{len(h.items):,} items, {len(h.done_items()):,} done; dates {h.columns.date_format}"
    n = len(h.quality)
    return line + (f"; {n} data-quality warning{'s' * (n != 1)} (see history)" if n else "")


def _status(path: Path) -> str:
    from simulation.track import load_status

    st = load_status(path)
    return f"{st.plan.name} as of {st.as_of.isoformat()} ({len(st.items)} items reported)"


def _is_portfolio(path: Path, data: Any, depth: int = 0) -> bool:
    """A portfolio file, or a variant that extends one (followed a few levels)."""
    if not isinstance(data, dict):
        return False
    if "initiatives" in data:
        return True
    parent = data.get("extends")
    if not isinstance(parent, str) or depth >= 3:
        return False
    from simulation.scenario.yamlio import read_yaml_file

    target = path.parent / parent
    try:
        return target.is_file() and _is_portfolio(target, read_yaml_file(target), depth + 1)
    except ScenarioError:
        return False


def _portfolio(path: Path) -> str:
    from simulation.portfolio import load_portfolio

    pf = load_portfolio(path)
    return f"{pf.name} ({len(pf.initiatives)} initiatives)"


#: Every kind of file, in the order they are tried.
KINDS: tuple[Kind, ...] = (
    Kind(
        "work-item export",
        lambda path, _data: path.suffix.lower() in (".csv", ".tsv"),
        _export,
        yaml=False,
    ),
    Kind("portfolio", _is_portfolio, _portfolio),
    Kind("variant", _keyed("extends"), _variant),
    Kind("exercise", _keyed("questions"), _exercise),
    Kind("session", _keyed("candidates"), _session),
    Kind("status", _keyed("as_of"), _status),
    Kind("scenario", lambda _path, _data: True, _scenario),
)


def kind_of(path: str | Path) -> Kind:
    """The kind of the file at ``path`` (reads it as YAML unless its name says CSV).

    Raises
    ------
    ScenarioError
        If the file cannot be read.
    """
    from simulation.scenario.yamlio import read_yaml_file

    p = Path(path)
    data = None
    for kind in KINDS:
        if kind.yaml and data is None:
            data = read_yaml_file(p)
        if kind.detect(p, data if kind.yaml else None):
            return kind
    raise AssertionError("the last kind matches every file")  # pragma: no cover


def validate_file(path: str | Path) -> tuple[Kind, str]:
    """Detect the file's kind and validate it as that: the kind and its summary."""
    kind = kind_of(path)
    return kind, kind.check(Path(path))


def register(sub):
    v = sub.add_parser(
        NAME,
        help="check files of every kind (scenario, variant, session, exercise, work-item "
        "export) and report every problem",
    )
    v.add_argument("files", nargs="+", type=library_file)
    return v


def command(args) -> int:
    bad = 0
    for path in args.files:
        try:
            kind, summary = validate_file(path)
        except ScenarioError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            for where, msg in exc.problems[1:]:
                print(f"  also {where}: {msg}", file=sys.stderr)
            continue
        print(f"ok: {path}: {kind.name}: {summary}")
    return 2 if bad else 0
