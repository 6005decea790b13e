"""The trail of re-forecasts (``docs/reference/track.md``), kept in the store.

Each recorded re-forecast is a new row: the plan it tracks, the as-of date, the
status as written, and the summary shown. Rows are never updated or deleted, so
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
from simulation.store import Store, create_tables, metadata, migration, open_store

#: Longest plan name, in characters.
MAX_PLAN = 500

trail_records = sa.Table(
    "trail",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(MAX_PLAN), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.JSON, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
)
sa.Index("ix_trail_plan_as_of", trail_records.c.plan, trail_records.c.as_of, trail_records.c.id)

migration("trail", 1)(create_tables(trail_records))


@dataclass(frozen=True)
class TrailRecord:
    """One recorded re-forecast."""

    id: int
    plan: str
    as_of: date
    recorded_at: datetime
    status: dict[str, Any]
    summary: dict[str, Any]


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
) -> TrailRecord:
    """Store one re-forecast (a new row, in one transaction).

    Raises
    ------
    ScenarioError
        ``plan`` empty or longer than :data:`MAX_PLAN` characters.
    """
    plan = str(plan or "").strip()
    if not plan or len(plan) > MAX_PLAN:
        raise ScenarioError(f"plan: required, at most {MAX_PLAN} characters")
    store = store or open_store()
    values = {
        "plan": plan,
        "as_of": as_of,
        "recorded_at": datetime.now(UTC),
        "status": _json_safe(status),
        "summary": _json_safe(summary),
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
        out.append(TrailRecord(r.id, r.plan, r.as_of, at, dict(r.status), dict(r.summary)))
    return out
