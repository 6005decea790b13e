"""Prioritisation session files (docs/reference/decide.md): a base and candidate changes.

A session file names a base scenario (resolved exactly like a variant's
``extends``: relative to the session's folder, else a file of the scenario
library) and lists candidates, each a set of typed what-if changes written as
in a variant file::

    id: 3f2b9c1e-0d4a-4e57-9a61-2c8e5b7d1f40
    name: Q2 scope review
    base: ../supply-chain.yaml
    candidates:
      - id: refresh
        name: Near-real-time refresh
        changes:
          - add_items: {at_day: 30, items: [{id: realtime, effort: 12}]}
    constraint: {on_time_probability: 0.7}

The ``id`` is the session's own: the decisions recorded in it are stored under
it, so another file with the same name is another session. A file without an
id is read (``Session.id`` is None); the page gives it one (:func:`new_session_id`).

:func:`load_session` validates all of it at once: the keys, unique ids,
every change, and that every candidate applies to the base on its own. Every
problem is a :class:`ScenarioError` naming the file and the field path, e.g.
``sessions/q2.yaml: candidates[1].changes[0].add_items.items[0].effort.high:
must be >= mode``.
"""

from __future__ import annotations

import difflib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation.scenario.changes import (
    apply_changes,
    change_to_data,
    load_variant_data,
    parse_changes,
)
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario
from simulation.scenario.yamlio import parse_yaml_text, read_yaml_file

#: Keys a session file may have.
SESSION_KEYS = ("id", "name", "base", "description", "candidates", "constraint")
#: A session's id: what its decisions are stored under (a new one is a random UUID).
SESSION_ID = re.compile(r"[a-z0-9][a-z0-9-]{7,63}")
SESSION_ID_RULE = "8-64 lower-case letters, digits or '-', starting with a letter or digit"
#: Keys a candidate may have.
CANDIDATE_KEYS = ("id", "name", "requested_by", "notes", "changes")
#: What the accepted set may be required to keep (each a probability in [0, 1]).
CONSTRAINT_KEYS = ("on_time_probability", "outcome_probability")
#: Most candidates one session may weigh (each costs one simulation).
MAX_CANDIDATES = 50
#: Candidate ids: lower-case letters, digits and hyphens (they appear in URLs and CSVs).
CANDIDATE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CANDIDATE_ID_RULE = "1-64 lower-case letters, digits or '-', starting with a letter or digit"
MAX_TEXT = {"name": 200, "requested_by": 200, "notes": 5_000, "description": 5_000}


@dataclass(frozen=True)
class Candidate:
    """One scope change under discussion: its id, a name and its typed changes."""

    id: str
    name: str
    changes: tuple[Any, ...]
    requested_by: str | None = None
    notes: str | None = None

    def describe(self) -> list[str]:
        """One line per change, for people."""
        return [c.describe() for c in self.changes]


@dataclass(frozen=True)
class Session:
    """A validated prioritisation session.

    ``base`` is the base scenario; ``base_ref`` the file name as written in the
    session (used when saving the accepted set as a variant of the base);
    ``constraint`` maps :data:`CONSTRAINT_KEYS` to the probability the accepted
    set must keep; ``id`` is the session's own id (:data:`SESSION_ID`), None when
    its file has none.
    """

    name: str
    base: Scenario
    candidates: tuple[Candidate, ...]
    base_ref: str | None = None
    description: str | None = None
    constraint: dict[str, float] = field(default_factory=dict)
    source: str | None = None
    id: str | None = None

    def candidate(self, cid: str) -> Candidate:
        """The candidate with id ``cid`` (ScenarioError naming the close ids if none)."""
        for c in self.candidates:
            if c.id == cid:
                return c
        ids = [c.id for c in self.candidates]
        close = difflib.get_close_matches(cid, ids, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(ids)})"
        raise ScenarioError(f"no candidate '{cid}' in session '{self.name}'{hint}")

    def ids(self) -> list[str]:
        return [c.id for c in self.candidates]

    def scenario_of(self, ids: list[str] | tuple[str, ...]) -> Scenario:
        """The base with the changes of candidates ``ids`` applied, in file order."""
        wanted = set(ids)
        for cid in wanted:
            self.candidate(cid)  # unknown ids are named
        chosen = [c for c in self.candidates if c.id in wanted]
        sc = self.base
        for c in chosen:
            try:
                sc = apply_changes(sc, c.changes, where=f"{c.id}.changes")
            except ScenarioError as exc:
                others = ", ".join(x.id for x in chosen if x is not c)
                raise ScenarioError(
                    f"candidates {', '.join(x.id for x in chosen)} do not "
                    f"combine: after {others or 'the base'}: {exc}",
                    problems=exc.problems,
                ) from None
        return sc


def _problem(source: str | None, path: str, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}", source=source, problems=[(path, message)])


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]


def _check_keys(
    data: dict[str, Any], known: tuple[str, ...], where: str, source: str | None
) -> None:
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
            raise _problem(source, f"{where}{key}", f"unknown key{hint}")


def _text(
    data: dict[str, Any], key: str, where: str, source: str | None, required: bool = False
) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _problem(source, f"{where}{key}", "required")
        return None
    limit = MAX_TEXT[key]
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _problem(
            source,
            f"{where}{key}",
            f"expected text of 1 to {limit:,} characters, "
            f"got {_kind(value) if not isinstance(value, str) else 'other text'}",
        )
    return value.strip()


def _base(ref: Any, source: str, base_dir: Path) -> Scenario:
    """The base scenario, resolved with the variant machinery (the same rules as extends)."""
    if ref is None:
        raise _problem(
            source,
            "base",
            "required: the scenario file the candidates change, e.g. ../supply-chain.yaml",
        )
    try:
        sc = load_variant_data({"extends": ref}, source=source, base_dir=base_dir)
    except ScenarioError as exc:
        if exc.source != source:
            raise  # a problem inside the base file itself: it names that file
        problems = [("base" if p == "extends" else p, m) for p, m in exc.problems]
        body = str(exc).removeprefix(f"{source}: ")
        body = "base" + body.removeprefix("extends") if body.startswith("extends") else body
        raise ScenarioError(body, source=source, problems=problems) from None
    # The variant machinery names the result "<base> (<session file>)": keep the base's name.
    return sc.model_copy(update={"name": sc.name.removesuffix(f" ({Path(source).stem})")})


def _constraint(value: Any, source: str | None) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _problem(
            source,
            "constraint",
            f"expected a mapping like {{on_time_probability: 0.7}}, got {_kind(value)}",
        )
    _check_keys(value, CONSTRAINT_KEYS, "constraint.", source)
    out = {}
    for key, v in value.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise _problem(
                source, f"constraint.{key}", f"must be a probability from 0 to 1, got {v!r}"
            )
        out[key] = float(v)
    return out


def new_session_id() -> str:
    """A fresh session id: a random UUID, so nobody can guess another session's."""
    return str(uuid.uuid4())


def check_session_id(value: Any, field: str = "id", source: str | None = None) -> str:
    """``value`` if it is a session id (:data:`SESSION_ID`), else a ScenarioError naming
    ``field``."""
    if not isinstance(value, str) or not SESSION_ID.fullmatch(value):
        shown = repr(value[:80]) if isinstance(value, str) else _kind(value)
        raise _problem(source, field, f"must be {SESSION_ID_RULE}, got {shown}")
    return value


def _session_id(data: dict[str, Any], source: str | None) -> str | None:
    value = data.get("id")
    return None if value is None else check_session_id(value, "id", source)


def session_key(data: Any, source: str = "<session>") -> tuple[str, str | None]:
    """A session file's name and id, checked as :func:`parse_session` checks them, without
    reading its base or candidates (what its decisions are stored under)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a session file holds a mapping (name, base, candidates), got {_kind(data)}",
            source=source,
        )
    name = _text(data, "name", "", source, required=True) or ""  # required: never empty
    return name, _session_id(data, source)


def read_session_key(path: str | os.PathLike) -> tuple[str, str | None]:
    """:func:`session_key` of a session file."""
    return session_key(read_yaml_file(path), source=os.fspath(path))


def _check_count(raw: Any, source: str | None) -> None:
    """At least one candidate and at most :data:`MAX_CANDIDATES`."""
    if not isinstance(raw, list | tuple) or not raw:
        raise _problem(
            source,
            "candidates",
            "list at least one candidate (id and changes), got "
            + ("an empty list" if isinstance(raw, list | tuple) else _kind(raw)),
        )
    if len(raw) > MAX_CANDIDATES:
        raise _problem(
            source,
            "candidates",
            f"at most {MAX_CANDIDATES} candidates in a session, got {len(raw)}",
        )


def _check_id(cid: Any, where: str, seen: dict[str, int], source: str | None) -> None:
    """A candidate id: present, of :data:`CANDIDATE_ID`'s form, not in ``seen`` yet."""
    if cid is None:
        raise _problem(source, f"{where}.id", "required")
    if not isinstance(cid, str) or not CANDIDATE_ID.fullmatch(cid):
        raise _problem(source, f"{where}.id", f"must be {CANDIDATE_ID_RULE}, got {cid!r}")
    if cid in seen:
        raise _problem(
            source, f"{where}.id", f"duplicate id '{cid}' (also candidates[{seen[cid]}])"
        )


def _check_has_changes(changes: Any, where: str, source: str | None) -> None:
    # a candidate that changes nothing is the base: nothing to rank
    if not changes:
        raise _problem(
            source,
            f"{where}.changes",
            "list at least one change, got "
            + ("an empty list" if isinstance(changes, list | tuple) else _kind(changes)),
        )


def _check_applies(base: Scenario, changes: Any, where: str, source: str | None) -> None:
    # Each candidate must make sense on the base on its own (it is ranked alone).
    apply_changes(base, changes, where=f"{where}.changes", source=source)


def new_session(
    base: Scenario,
    candidates: list[Candidate] | tuple[Candidate, ...],
    name: str,
    *,
    base_ref: str | None = None,
    description: str | None = None,
    constraint: dict[str, float] | None = None,
    source: str | None = None,
    session_id: str | None = None,
) -> Session:
    """A session from typed candidates (built on a page), with a session file's checks.

    The same bounds as :func:`parse_session`: the name's length, one to
    :data:`MAX_CANDIDATES` candidates with valid unique ids, names and notes, each
    with at least one change that applies to the base on its own, and a
    ``constraint`` of probabilities from 0 to 1; ``session_id`` (None: no id) checked
    as a file's ``id``.

    Raises
    ------
    ScenarioError
        Naming the field path of the first problem (and ``source`` if given).
    """
    name = _text({"name": name}, "name", "", source, required=True)
    description = _text({"description": description}, "description", "", source)
    checked_constraint = _constraint(constraint, source)
    if session_id is not None:
        session_id = check_session_id(session_id, "id", source)
    _check_count(candidates, source)
    seen: dict[str, int] = {}
    for i, c in enumerate(candidates):
        where = f"candidates[{i}]"
        _check_id(c.id, where, seen, source)
        seen[c.id] = i
        for key in ("name", "requested_by", "notes"):
            _text({key: getattr(c, key)}, key, f"{where}.", source, required=key == "name")
        _check_has_changes(c.changes, where, source)
        _check_applies(base, c.changes, where, source)
    return Session(
        name=name,
        base=base,
        candidates=tuple(candidates),
        base_ref=base_ref,
        description=description,
        constraint=checked_constraint,
        source=source,
        id=session_id,
    )


def parse_session(data: Any, source: str = "<session>", base_dir: Path | None = None) -> Session:
    """Validate parsed session data; ``base`` is resolved relative to ``base_dir``.

    Raises
    ------
    ScenarioError
        Naming ``source`` and the field path of the first problem.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a session file holds a mapping (name, base, candidates), got {_kind(data)}",
            source=source,
        )
    _check_keys(data, SESSION_KEYS, "", source)
    name, session_id = session_key(data, source)
    description = _text(data, "description", "", source)
    constraint = _constraint(data.get("constraint"), source)
    folder = Path(base_dir) if base_dir is not None else Path.cwd()
    base = _base(data.get("base"), source, folder)
    raw = data.get("candidates")
    _check_count(raw, source)
    seen: dict[str, int] = {}
    candidates = []
    for i, cand in enumerate(raw):
        where = f"candidates[{i}]"
        if not isinstance(cand, dict):
            raise _problem(
                source,
                where,
                f"expected a candidate like {{id: x, changes: [...]}}, got {_kind(cand)}",
            )
        _check_keys(cand, CANDIDATE_KEYS, f"{where}.", source)
        cid = cand.get("id")
        _check_id(cid, where, seen, source)
        seen[cid] = i
        _check_has_changes(cand.get("changes"), where, source)
        changes = parse_changes(cand["changes"], source, where=f"{where}.changes")
        _check_applies(base, changes, where, source)
        candidates.append(
            Candidate(
                id=cid,
                name=_text(cand, "name", f"{where}.", source) or cid,
                changes=changes,
                requested_by=_text(cand, "requested_by", f"{where}.", source),
                notes=_text(cand, "notes", f"{where}.", source),
            )
        )
    base_ref = data.get("base")
    return Session(
        name=name,
        base=base,
        candidates=tuple(candidates),
        base_ref=base_ref,
        description=description,
        constraint=constraint,
        source=source,
        id=session_id,
    )


def load_session(path: str | os.PathLike) -> Session:
    """Load and validate a session file (``scenarios/sessions/*.yaml``).

    Raises
    ------
    ScenarioError
        With the file name and the field path, e.g.
        ``q2.yaml: candidates[1].id: duplicate id 'refresh' (also candidates[0])``.
    """
    data = read_yaml_file(path)
    return parse_session(data, source=os.fspath(path), base_dir=Path(path).parent)


def load_session_text(
    text: str | bytes, source: str = "<upload>", base_dir: Path | None = None
) -> Session:
    """A session from text (an upload); ``base`` is resolved against ``base_dir``."""
    return parse_session(parse_yaml_text(text, source), source, base_dir)


def session_data(session: Session) -> dict[str, Any]:
    """The file form of a session (for ``yaml.safe_dump``); :func:`parse_session` reads it."""
    out: dict[str, Any] = {"id": session.id} if session.id else {}
    out.update(name=session.name, base=session.base_ref)
    if session.description:
        out["description"] = session.description
    cands = []
    for c in session.candidates:
        entry: dict[str, Any] = {"id": c.id, "name": c.name}
        if c.requested_by:
            entry["requested_by"] = c.requested_by
        if c.notes:
            entry["notes"] = c.notes
        entry["changes"] = [change_to_data(ch) for ch in c.changes]
        cands.append(entry)
    out["candidates"] = cands
    if session.constraint:
        out["constraint"] = dict(session.constraint)
    return out


def sessions_dir() -> Path:
    """The bundled session library: ``scenarios/sessions``."""
    from simulation.scenario.library import LIBRARY_DIR

    return LIBRARY_DIR / "sessions"


def session_files(folder: Path | None = None) -> list[Path]:
    """The session files of a folder (default: the bundled ones), sorted by name."""
    folder = Path(folder) if folder is not None else sessions_dir()
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")], key=lambda p: p.name)
