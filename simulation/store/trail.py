"""The trail of re-forecasts (``docs/reference/track.md``), kept in the store.

Each recorded re-forecast is a new row: the plan it tracks, the as-of date, the
status as written, the summary shown, and who recorded it when anyone is known:
the signed-in person, with the identity's claims beside the name
(:mod:`simulation.store.authors`), or nobody (the command line, or a server that
does not sign people in). Rows are never updated or deleted, so
two people recording at once both keep their records; the trail lists a plan's
records oldest first (by as-of date, then by when they were recorded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from simulation.scenario.errors import ScenarioError
from simulation.store import Store, add_columns, create_tables, metadata, migration, open_store
from simulation.store.authors import Identity, author

#: Longest plan name, in characters.
MAX_PLAN = 500
#: Longest author name, in characters.
MAX_AUTHOR = 200

trail_records = sa.Table(
    "trail",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(MAX_PLAN), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.JSON, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    # Who recorded it (NULL: nobody known), and the signed-in person's claims.
    sa.Column("recorded_by", sa.String(MAX_AUTHOR), nullable=True),
    sa.Column("recorded_by_identity", sa.JSON, nullable=True),
)
sa.Index("ix_trail_plan_as_of", trail_records.c.plan, trail_records.c.as_of, trail_records.c.id)

migration("trail", 1)(create_tables(trail_records))
migration("trail-author", 1)(
    add_columns("trail", trail_records.c.recorded_by, trail_records.c.recorded_by_identity)
)


@dataclass(frozen=True)
class TrailRecord:
    """One recorded re-forecast."""

    id: int
    plan: str
    as_of: date
    recorded_at: datetime
    status: dict[str, Any]
    summary: dict[str, Any]
    #: Who recorded it; None: nobody known.
    recorded_by: str | None = None
    #: The signed-in person's claims (sub, iss, email); None: not signed in.
    recorded_by_identity: dict[str, str] | None = None


def _json_safe(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, date):
        return x.isoformat()
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def record_reforecast(
    plan: str,
    as_of: date,
    status: dict[str, Any],
    summary: dict[str, Any],
    store: Store | None = None,
    recorded_by: str | Identity | None = None,
) -> TrailRecord:
    """Store one re-forecast (a new row, in one transaction).

    ``recorded_by`` is who recorded it: the signed-in person (their claims are
    kept), a name, or None when nobody is known.

    Raises
    ------
    ScenarioError
        ``plan`` empty or longer than :data:`MAX_PLAN` characters; ``recorded_by``
        given but empty, or longer than :data:`MAX_AUTHOR`.
    """
    plan = str(plan or "").strip()
    if not plan or len(plan) > MAX_PLAN:
        raise ScenarioError(f"plan: required, at most {MAX_PLAN} characters")
    who, claims = (None, None)
    if recorded_by is not None:
        who, claims = author(recorded_by, "recorded_by", MAX_AUTHOR)
    store = store or open_store()
    values = {
        "plan": plan,
        "as_of": as_of,
        "recorded_at": datetime.now(UTC),
        "status": _json_safe(status),
        "summary": _json_safe(summary),
        "recorded_by": who,
        "recorded_by_identity": claims,
    }
    with store.begin() as conn:
        new_id = conn.execute(sa.insert(trail_records).values(**values)).inserted_primary_key[0]
    return TrailRecord(new_id, **values)


def trail(plan: str, store: Store | None = None) -> list[TrailRecord]:
    """A plan's recorded re-forecasts, oldest as-of date first."""
    store = store or open_store()
    t = trail_records
    query = sa.select(t).where(t.c.plan == plan).order_by(t.c.as_of, t.c.id)
    with store.begin() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        at = r.recorded_at if r.recorded_at.tzinfo else r.recorded_at.replace(tzinfo=UTC)
        claims = dict(r.recorded_by_identity) if r.recorded_by_identity else None
        out.append(
            TrailRecord(
                r.id, r.plan, r.as_of, at, dict(r.status), dict(r.summary), r.recorded_by, claims
            )
        )
    return out
