"""Decisions of prioritisation sessions (docs/reference/decide.md and store.md), kept in the store.

Every decision is a new row: who decided what about which candidate of which
session, why, when, and the numbers shown at that moment. A session's decisions
are those stored under its id (``session_id``); the name is kept for people.
Rows made before sessions had ids have none: they belong to the name alone, and
a session with an id never sees or extends them. Who decided is a typed
name, or the signed-in person: then the identity's claims are kept beside the
name (``decided_by_identity``; :mod:`simulation.store.authors`). Rows are never
updated or deleted, so nothing recorded is lost or overwritten; when two people
decide the same candidate, both rows stay and the newest is the one shown.
:func:`record_decision` also reports decisions on that candidate that the
person deciding had not seen (someone else decided meanwhile), so the page can
say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from simulation.decide.sessions import check_session_id
from simulation.scenario.errors import ScenarioError
from simulation.store import Store, add_columns, create_tables, metadata, migration, open_store
from simulation.store.authors import Identity, author, verified_as

#: The three answers a candidate can get.
DECISIONS = ("accept", "defer", "reject")
#: Longest texts, in characters.
MAX_NAME = 200
MAX_RATIONALE = 5_000

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session", sa.String(MAX_NAME), nullable=False),
    sa.Column("candidate", sa.String(64), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(MAX_NAME), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("numbers", sa.JSON, nullable=False),
    # The session's id (simulation.decide.sessions.SESSION_ID); NULL in rows made
    # before sessions had ids, which belong to the session name alone.
    sa.Column("session_id", sa.String(64), nullable=True),
    # The signed-in person's claims (sub, iss, email); NULL: the name was typed.
    sa.Column("decided_by_identity", sa.JSON, nullable=True),
    sa.CheckConstraint("decision IN ('accept', 'defer', 'reject')", name="ck_decision_kind"),
)
sa.Index(
    "ix_decisions_session_candidate", decisions.c.session, decisions.c.candidate, decisions.c.id
)
_BY_ID = sa.Index(
    "ix_decisions_session_id_candidate",
    decisions.c.session_id,
    decisions.c.candidate,
    decisions.c.id,
)

migration("decisions", 1)(create_tables(decisions))
migration("decisions-author", 1)(add_columns("decisions", decisions.c.decided_by_identity))


@migration("decisions", 2)
def _session_ids(conn: Connection) -> None:
    """Decisions belong to a session id (a store made before has no such column; its
    rows stay as they are, with no id)."""
    add_columns("decisions", decisions.c.session_id)(conn)
    if _BY_ID.name not in {i["name"] for i in sa.inspect(conn).get_indexes("decisions")}:
        _BY_ID.create(conn)


#: Said wherever a name is typed: this server does not sign people in
#: (``docs/how-to/sign-people-in.md`` says how to make it).
UNVERIFIED_NAMES = (
    "Names are typed, not verified: anyone using this server can type any name. "
    "The record keeps the name as typed, with the time."
)

#: What the database says when anyone (a script, a console) changes or removes a decision.
INSERT_ONLY = "decisions are insert-only: a record is never changed or removed"


@migration("decisions-insert-only", 1)
def _insert_only(conn: Connection) -> None:
    """The database itself refuses UPDATE and DELETE on ``decisions`` (and TRUNCATE on
    PostgreSQL), whoever connects: a trigger on each backend
    (``docs/reference/security.md``)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "CREATE OR REPLACE FUNCTION sim_decisions_insert_only() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{INSERT_ONLY}'; END $$"
            )
        )
        for event, each in (("UPDATE OR DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
            name = "truncate" if event == "TRUNCATE" else "change"
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER decisions_no_{name} BEFORE {event} ON decisions "
                    f"FOR EACH {each} EXECUTE FUNCTION sim_decisions_insert_only()"
                )
            )
    elif conn.dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER decisions_no_{event.lower()} BEFORE {event} ON decisions "
                    f"BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}'); END"
                )
            )


@dataclass(frozen=True)
class Decision:
    """One stored decision; ``numbers`` are the ranking row shown when it was made."""

    id: int
    session: str
    candidate: str
    decision: str
    rationale: str
    decided_by: str
    decided_at: datetime
    numbers: dict[str, Any]
    session_id: str | None = None
    #: The signed-in person's claims (sub, iss, email); None: ``decided_by`` was typed.
    decided_by_identity: dict[str, str] | None = None

    @property
    def verified(self) -> bool:
        """Whether the identity provider vouched for ``decided_by``."""
        return bool(self.decided_by_identity)


@dataclass(frozen=True)
class Recorded:
    """The row just written, and decisions on the same candidate its author had not seen."""

    decision: Decision
    unseen: list[Decision]


def _row(r: Any) -> Decision:
    at = r.decided_at
    if at.tzinfo is None:  # SQLite keeps no zone; every time is written in UTC
        at = at.replace(tzinfo=UTC)
    return Decision(
        r.id,
        r.session,
        r.candidate,
        r.decision,
        r.rationale,
        r.decided_by,
        at,
        dict(r.numbers or {}),
        r.session_id,
        dict(r.decided_by_identity) if r.decided_by_identity else None,
    )


def _of_session(session: str | None, session_id: str | None) -> Any:
    """The rows of a session: those under its id; for no id, the rows of that name
    that have no id (made before sessions had ids)."""
    if session_id is not None:
        return decisions.c.session_id == session_id
    return sa.and_(decisions.c.session == session, decisions.c.session_id.is_(None))


def _clean_numbers(numbers: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe: NaN and infinities (no value) become null; numpy scalars plain."""
    out = {}
    for k, v in numbers.items():
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[str(k)] = v
    return out


def _text(value: Any, field: str, limit: int, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ScenarioError(f"{field}: required", problems=[(field, "required")])
    if len(text) > limit:
        message = f"at most {limit:,} characters"
        raise ScenarioError(f"{field}: {message}", problems=[(field, message)])
    return text


def record_decision(
    session: str,
    candidate: str,
    decision: str,
    decided_by: str | Identity,
    rationale: str = "",
    numbers: dict[str, Any] | None = None,
    seen: int | None = None,
    store: Store | None = None,
    *,
    session_id: str | None = None,
) -> Recorded:
    """Store one decision (a new row, in one transaction).

    Parameters
    ----------
    session, candidate : str
        The session's name and the candidate's id.
    session_id : str, optional
        The session's id: the decision belongs to it. None only for a session
        without one, whose record joins the name's records made before sessions
        had ids.
    decision : str
        One of :data:`DECISIONS`.
    decided_by : str or Identity
        Who decided (required): a typed name, or the signed-in person, whose
        claims are kept beside the name.
    rationale : str
        Why, in words.
    numbers : dict
        The ranking row shown when deciding (stored as JSON).
    seen : int, optional
        The id of the newest decision on this candidate the person had on screen
        (None: none). Newer ones come back in ``Recorded.unseen``.

    Raises
    ------
    ScenarioError
        Naming the field (``decision``, ``decided_by``, ...) on bad input.
    """
    session = _text(session, "session", MAX_NAME)
    candidate = _text(candidate, "candidate", 64)
    if decision not in DECISIONS:
        message = f"must be one of {', '.join(DECISIONS)}, got {decision!r}"
        raise ScenarioError(f"decision: {message}", problems=[("decision", message)])
    who, claims = author(decided_by, "decided_by", MAX_NAME)
    why = _text(rationale, "rationale", MAX_RATIONALE, required=False)
    if session_id is not None:
        session_id = check_session_id(session_id, "session_id")
    store = store or open_store()
    values = {
        "session": session,
        "session_id": session_id,
        "candidate": candidate,
        "decision": decision,
        "rationale": why,
        "decided_by": who,
        "decided_at": datetime.now(UTC),
        "numbers": _clean_numbers(numbers or {}),
        "decided_by_identity": claims,
    }
    with store.begin() as conn:
        query = sa.select(decisions).where(
            _of_session(session, session_id), decisions.c.candidate == candidate
        )
        if seen is not None:
            query = query.where(decisions.c.id > seen)
        unseen = [_row(r) for r in conn.execute(query.order_by(decisions.c.id))]
        new_id = conn.execute(decisions.insert().values(**values)).inserted_primary_key[0]
    return Recorded(Decision(id=int(new_id), **values), unseen)


def list_decisions(
    session: str | None = None, store: Store | None = None, *, session_id: str | None = None
) -> list[Decision]:
    """Stored decisions, newest first: every one; those of session id ``session_id``;
    or, with a name and no id, that name's records made before sessions had ids."""
    store = store or open_store()
    query = sa.select(decisions)
    if session is not None or session_id is not None:
        query = query.where(_of_session(session, session_id))
    with store.begin() as conn:
        rows = conn.execute(query.order_by(decisions.c.id.desc())).all()
    return [_row(r) for r in rows]


def latest_decisions(
    session: str | None, store: Store | None = None, *, session_id: str | None = None
) -> dict[str, Decision]:
    """The decision shown for each candidate of the session (its id, else its name
    alone, as :func:`list_decisions`): its newest one.

    Newest is the highest id: ids are handed out in the order rows are written,
    which clocks on two servers need not agree on.
    """
    out: dict[str, Decision] = {}
    if session is None and session_id is None:
        raise ValueError("latest_decisions: give the session's id (or its name)")
    for d in list_decisions(session, store, session_id=session_id):
        out.setdefault(d.candidate, d)
    return out


#: Columns of the decision table (CSV export, ``decisions --csv``).
CSV_COLUMNS = [
    "session",
    "session_id",
    "candidate",
    "decision",
    "rationale",
    "decided_by",
    "verified_as",
    "decided_at",
    "verdict",
    "rank",
    "delivery_days",
    "npv",
    "on_time",
    "outcome",
    "value_per_day",
    "id",
]


def decision_rows(items: list[Decision]) -> list[dict[str, Any]]:
    """Flat rows for a table or a CSV: the decision and the key numbers shown."""
    out = []
    for d in items:
        n = d.numbers
        out.append(
            {
                "session": d.session,
                "session_id": d.session_id or "",
                "candidate": d.candidate,
                "decision": d.decision,
                "rationale": d.rationale,
                "decided_by": d.decided_by,
                "verified_as": verified_as(d.decided_by_identity),
                "decided_at": d.decided_at.isoformat(timespec="seconds"),
                "verdict": n.get("verdict"),
                "rank": n.get("rank"),
                "delivery_days": n.get("delivery_days"),
                "npv": n.get("npv"),
                "on_time": n.get("on_time"),
                "outcome": n.get("outcome"),
                "value_per_day": n.get("value_per_day"),
                "id": d.id,
            }
        )
    return out
