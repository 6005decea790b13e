"""``decisions``: the decisions the Decide page stored, as text or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.present.csv import write_rows

NAME = "decisions"


def register(sub):
    de = sub.add_parser(NAME, help="list the decisions stored by the Decide page")
    de.add_argument(
        "--session",
        metavar="ID|FILE",
        help="only this session's decisions: its id, or its session file (a name "
        "alone: the records made before sessions had ids)",
    )
    de.add_argument("--csv", action="store_true", help="print them as CSV")
    return de


def session_decisions(session: str | None) -> tuple[list, str]:
    """The decisions ``--session`` names, newest first, and how it was read for messages.

    A session file (``.yaml``/``.yml``, or any file that exists) gives its id (or, with
    none, its name alone); otherwise the text is an id, or for records made before
    sessions had ids, a name.
    """
    from simulation.decide.sessions import SESSION_ID, read_session_key
    from simulation.store.decisions import list_decisions

    if session is None:
        return list_decisions(), ""
    path = Path(session)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        name, sid = read_session_key(path)  # ScenarioError names the file and field
        if sid is None:
            return list_decisions(name), f"session '{name}' (its file has no id)"
        return list_decisions(session_id=sid), f"session '{name}' (id {sid})"
    if SESSION_ID.fullmatch(session):
        found = list_decisions(session_id=session)
        if found:
            return found, f"session id {session}"
    found = list_decisions(session)
    where = f"session '{session}'"
    if not found:  # a name: say which ids its decisions are under now
        ids = dict.fromkeys(d.session_id for d in list_decisions() if d.session == session)
        ids.pop(None, None)
        if ids:
            where += f"; sessions of that name have ids: {', '.join(ids)} (give one)"
    return found, where


def command(args) -> int:
    from simulation.store import StoreError
    from simulation.store.decisions import CSV_COLUMNS, decision_rows

    try:
        found, where = session_decisions(args.session)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows = decision_rows(found)
    if args.csv:
        write_rows(sys.stdout, CSV_COLUMNS, rows)
        return 0
    if not rows:
        print(f"no decisions stored{' for ' + where if where else ''}")
        return 0
    for r in rows:
        why = f": {r['rationale']}" if r["rationale"] else ""
        key = f" [{r['session_id']}]" if r["session_id"] else " [no id]"
        signed = f" (signed in as {r['verified_as']})" if r["verified_as"] else ""
        print(
            f"{r['decided_at']}  {r['session']}{key}  {r['candidate']}  "
            f"{r['decision'].upper()} by {r['decided_by']}{signed}{why}"
        )
    return 0
