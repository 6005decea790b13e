"""Track page helpers without Streamlit: the progress grid <-> a status, plan vs now.

The grid has one row per item of the plan (and items added since): ``id``,
``name``, ``state`` (one of :data:`STATES`), ``started``, ``done``, ``live``
(dates or empty) and ``spent`` (person-days or empty). Everything the engine
decides stays in ``simulation.track``; this module only moves values between
the widgets and the status file's form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from dashboard import fmt
from simulation.present.markdown import escape_markdown
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.schema import Scenario
from simulation.store.authors import verified_as
from simulation.track import Status, bass_share

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
STATES = (NOT_STARTED, IN_PROGRESS, DONE)
GRID_COLUMNS = ("id", "name", "state", "started", "done", "live", "spent")


def _day(x: Any) -> dt.date | None:
    return fmt.as_date(x)


def progress_grid(plan: Scenario, status: Status | None = None) -> pd.DataFrame:
    """The grid for ``plan``, filled from ``status`` when given."""
    items = [it for _, it in plan.all_items()] + list(status.added if status else ())
    rows = []
    for it in items:
        p = status.items.get(it.id) if status else None
        state = NOT_STARTED if p is None else DONE if p.done else IN_PROGRESS
        rows.append(
            {
                "id": it.id,
                "name": it.label,
                "state": state,
                "started": p.started if p else None,
                "done": p.done if p else None,
                "live": p.live if p else None,
                "spent": p.spent if p and not p.done else None,
            }
        )
    out = pd.DataFrame(rows, columns=list(GRID_COLUMNS))
    for c in ("started", "done", "live"):  # date columns the grid can edit, even all empty
        out[c] = pd.to_datetime(out[c].astype("object"))
    out["spent"] = out["spent"].astype(float)
    return out


#: The measurement grids hold percentages (what the results show: "3%", not 0.03); a
#: status holds fractions. :func:`measures` and :func:`status_data` convert.
PERCENT = 100.0


def measures(pairs: tuple, when: str, what: str) -> pd.DataFrame:
    """A measurement grid (``week_of``/``share`` or ``date``/``value``, in percent),
    editable when empty."""
    return pd.DataFrame(
        {
            when: pd.to_datetime(pd.Series([d for d, _ in pairs], dtype="object")),
            what: pd.Series([x * PERCENT for _, x in pairs], dtype=float),
        }
    )


def fill_from_export(grid: pd.DataFrame, items: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The grid with the progress an export gave (``progress_from_export().items``)."""
    out = grid.copy()
    for iid, rec in items.items():
        rows = out.index[out["id"] == iid]
        for i in rows:
            out.at[i, "state"] = DONE if rec.get("done") else IN_PROGRESS
            out.at[i, "started"] = pd.Timestamp(rec["started"]) if rec.get("started") else pd.NaT
            out.at[i, "done"] = pd.Timestamp(rec["done"]) if rec.get("done") else pd.NaT
    return out


def status_data(
    plan_ref: str,
    as_of: dt.date,
    grid: pd.DataFrame,
    adoption: pd.DataFrame,
    outcome: pd.DataFrame,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A status in the file's form from the page's grids (``base`` keeps added, risks, ...);
    the measurement grids' percentages become the file's fractions."""
    data: dict[str, Any] = {k: v for k, v in (base or {}).items() if k not in ("items",)}
    data |= {"plan": plan_ref, "as_of": as_of}
    items: dict[str, dict[str, Any]] = {}
    for row in grid.to_dict("records"):
        if row.get("state") == DONE:
            rec = {"done": _day(row.get("done")) or as_of}
            if _day(row.get("started")):
                rec["started"] = _day(row["started"])
            if _day(row.get("live")):
                rec["live"] = _day(row["live"])
        elif row.get("state") == IN_PROGRESS:
            rec = {"started": _day(row.get("started")) or as_of}
            if not fmt.is_missing(row.get("spent")):
                rec["spent"] = float(row["spent"])
        else:
            continue
        items[str(row["id"])] = rec
    data["items"] = items
    data["adoption"] = [
        {"week_of": _day(r["week_of"]), "share": float(r["share"]) / PERCENT}
        for r in adoption.to_dict("records")
        if _day(r.get("week_of")) and not fmt.is_missing(r.get("share"))
    ]
    data["outcome"] = [
        {"date": _day(r["date"]), "value": float(r["value"]) / PERCENT}
        for r in outcome.to_dict("records")
        if _day(r.get("date")) and not fmt.is_missing(r.get("value"))
    ]
    return {k: v for k, v in data.items() if v not in ([], {}, None)}


def plan_vs_now(plan: dict[str, Any], now: dict[str, Any]) -> pd.DataFrame:
    """Both lenses, the plan's forecast beside the re-forecast (display strings)."""
    rows = []
    for label, key, section, show in (
        ("P50 delivery", "p50_date", "delivery", fmt.date),
        ("P85 delivery", "p85_date", "delivery", fmt.date),
        ("On-time chance", "on_time_probability", "delivery", fmt.pct),
        ("Mean cost", "mean", "cost", fmt.money),
        ("Mean NPV", "npv_mean", "value", fmt.money),
        ("Outcome chance", "outcome_probability", "value", fmt.pct),
    ):
        rows.append(
            {
                "Measure": label,
                "Plan": show(plan[section].get(key)),
                "Now": show(now[section].get(key)),
            }
        )
    return pd.DataFrame(rows)


def adoption_check(status: Status) -> pd.DataFrame:
    """Measured shares beside what the plan's curve expected for the same week."""
    plan = status.plan
    a = plan.value.adoption
    days = [p.live or p.done for p in status.items.values() if p.done is not None]
    if not status.adoption or not days:
        return pd.DataFrame(columns=["Week of", "Measured", "Plan's curve"])
    first = min(days)
    t = np.array([((d - first).days + 7) / 7 for d, _ in status.adoption])
    if a.model == "bass":
        expected = bass_share(t, a.p, a.q)
    elif a.model == "linear":
        expected = np.minimum(t / a.weeks, 1.0)
    else:
        expected = np.ones_like(t)
    return pd.DataFrame(
        {
            "Week of": [fmt.date(d) for d, _ in status.adoption],
            "Measured": [fmt.pct(s) for _, s in status.adoption],
            "Plan's curve": [fmt.pct(x) for x in expected],
        }
    )


def trail_lines(plan_summary: dict[str, Any], deadline: dt.date | None) -> pd.DataFrame:
    """The horizontal lines of the trail chart: the plan's P50/P85 and the deadline."""
    rows = [
        {"label": "Plan P50", "date": plan_summary["delivery"].get("p50_date")},
        {"label": "Plan P85", "date": plan_summary["delivery"].get("p85_date")},
    ]
    if deadline:
        rows.append({"label": "Deadline", "date": deadline.isoformat()})
    return pd.DataFrame([r for r in rows if r["date"]])


def as_of_default(plan: Scenario, today: dt.date | None = None) -> dt.date:
    """Today, or the plan's start when today is before it (a status is never before it)."""
    cal = WorkCalendar(plan.calendar, plan.start_date)
    return max(today or dt.date.today(), cal.start_date)


def already_recorded(records, as_of: dt.date) -> str | None:
    """What the page says (Markdown, the recorder's name escaped) before a second record
    for the same as-of date (``TrailRecord`` rows of the plan), or None when none is
    recorded for it. Nothing is replaced: a
    second record is a new row beside the first, and the trail shows both."""
    same = [r for r in records if r.as_of == as_of]
    if not same:
        return None
    last = max(same, key=lambda r: (r.recorded_at, r.id))
    by = f" by {escape_markdown(last.recorded_by)}" if last.recorded_by else ""
    count = "a re-forecast" if len(same) == 1 else f"{len(same)} re-forecasts"
    return (
        f"The trail already has {count} as of {as_of.isoformat()} (the last recorded "
        f"{last.recorded_at.strftime('%Y-%m-%d %H:%M')} UTC{by}). Recording this one "
        "adds another for that date beside it; nothing is replaced."
    )


def recorders(records) -> pd.DataFrame:
    """Who recorded each re-forecast of the trail (``TrailRecord`` rows), oldest first:
    "Not known" where nobody was (the command line, or a server without sign-in)."""
    return pd.DataFrame(
        [
            {
                "As of": r.as_of.isoformat(),
                "Recorded at (UTC)": r.recorded_at.strftime("%Y-%m-%d %H:%M"),
                "Recorded by": r.recorded_by or "Not known",
                "Signed in as": verified_as(r.recorded_by_identity),
            }
            for r in records
        ],
        columns=["As of", "Recorded at (UTC)", "Recorded by", "Signed in as"],
    )
