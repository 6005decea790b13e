"""``decisions``: the decisions the Decide page stored, as text or CSV."""

from __future__ import annotations

import sys

from simulation.present.csv import write_rows

NAME = "decisions"


def register(sub):
    de = sub.add_parser(NAME, help="list the decisions stored by the Decide page")
    de.add_argument("--session", metavar="NAME", help="only this session's decisions")
    de.add_argument("--csv", action="store_true", help="print them as CSV")
    return de


def command(args) -> int:
    from simulation.store import StoreError
    from simulation.store.decisions import CSV_COLUMNS, decision_rows, list_decisions

    try:
        rows = decision_rows(list_decisions(args.session))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        write_rows(sys.stdout, CSV_COLUMNS, rows)
        return 0
    if not rows:
        where = f" for session '{args.session}'" if args.session else ""
        print(f"no decisions stored{where}")
        return 0
    for r in rows:
        why = f": {r['rationale']}" if r["rationale"] else ""
        signed = f" (signed in as {r['verified_as']})" if r["verified_as"] else ""
        print(
            f"{r['decided_at']}  {r['session']}  {r['candidate']}  {r['decision'].upper()} "
            f"by {r['decided_by']}{signed}{why}"
        )
    return 0
